//! The province's pages over real TLS against the real `anchi-hub`, holding the cases of two
//! teams: each number checked against a count made directly from the hub's store.

use std::collections::HashMap;

use anchi::domain::deadlines::{DeadlineState, deadlines_of};
use anchi::domain::text::fold;
use anchi::hub::store::{HubRow, HubStore};
use chrono::Datelike;

use super::*;

/// A logged-in browser of the pages (cookies by hand, no redirects followed).
pub(super) struct Staff {
    url: String,
    agent: ureq::Agent,
    cookie: String,
}

impl Staff {
    fn login(hub: &Hub, pki: &Pki, user: &str) -> (Staff, String) {
        Staff::login_at(&hub.url(), pki, user)
    }

    /// Logs in to the pages at `url` (the national server's too).
    pub(super) fn login_at(url: &str, pki: &Pki, user: &str) -> (Staff, String) {
        let agent = anchi::sync::agent(pki.ca_pem.as_bytes()).unwrap();
        let response = agent
            .post(&format!("{url}/login"))
            .config()
            .max_redirects(0)
            .build()
            .content_type("application/x-www-form-urlencoded")
            .send(format!("user={user}&password={}", urlencode(STAFF_PASSWORD)))
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "{user} logs in");
        let location = response.headers().get("location").unwrap().to_str().unwrap().to_string();
        let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        (Staff { url: url.to_string(), agent, cookie }, location)
    }

    pub(super) fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let mut response = self
            .agent
            .get(&format!("{}{path}", self.url))
            .config()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .header("cookie", &self.cookie)
            .call()
            .unwrap();
        (response.status().as_u16(), response.body_mut().read_to_vec().unwrap())
    }

    pub(super) fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path);
        let body = String::from_utf8(body).unwrap();
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

/// The number in "<p>N vụ việc" of a list page.
pub fn listed(page: &str) -> usize {
    let before = page.split(" vụ việc").next().unwrap();
    before.rsplit('>').next().unwrap().trim().parse().unwrap()
}

/// The numbers of the morning page's row "Cả tỉnh".
pub fn province_row(page: &str) -> Vec<usize> {
    let row = page.split("<th>Cả tỉnh</th>").nth(1).unwrap().split("</tr>").next().unwrap();
    row.split("</a>").filter_map(|cell| cell.rsplit('>').next()?.trim().parse().ok()).collect()
}

/// A hub holding the cases of two demo teams, with a leader, an officer and an
/// administrator; its rows as read directly from its store.
fn province_of_two_teams(root: &Path) -> (Pki, Hub, Vec<HubRow>) {
    let pki = pki(root, "province");
    let (one, _) = laptop(&root.join("laptop1"), 100);
    let hub_dir = root.join("hub");
    let (hub, hub_key) = province(&hub_dir, &pki, &one, &[]);
    // A second team of the province, with cases of its own.
    let mut two = Workspace::open(&root.join("laptop2")).unwrap();
    let unit = anchi::domain::Unit { code: "DEMO-LS-D2".into(), ..anchi::app::demo::demo_unit() };
    two.set_unit(unit).unwrap();
    two.make_demo(90, 12).unwrap();
    let enrol = two.enrolment().unwrap();
    hub_cmd(
        &hub_dir,
        &["team", "add", "--team-id", "DEMO-LS-D2", "--name", "Đội QLTT số 2", "--pubkey", &enrol.public_key],
    );
    for ws in [&one, &two] {
        ws.set_setting("server.hub_key", &hub_key.to_base64()).unwrap();
        let client = ws.sync_client(PASSPHRASE, Some(&hub.url()), Some(&pki.ca_pem)).unwrap();
        let report = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
    }
    hub_cmd(&hub_dir, &["user", "add", "--name", "lanhdao", "--role", "leader"]);
    hub_cmd(&hub_dir, &["user", "add", "--name", "quantri", "--role", "admin"]);

    // Counts made directly from the hub's store, with the domain's own rules.
    let store = HubStore::open(&hub_dir).unwrap();
    let (_, rows) = store.rows().unwrap();
    drop(store);
    (pki, hub, rows)
}

/// The statistics' workbook over all time: its total of inspections is the store's count of
/// cases not cancelled, and the teams' lines add up to it.
fn check_workbook(leader: &Staff, root: &Path, not_cancelled: usize) {
    let (status, book) = leader.get("/stats.xlsx?kind=custom&from=01/01/2000&to=31/12/2099");
    assert_eq!(status, 200);
    let path = root.join("thong-ke.xlsx");
    std::fs::write(&path, &book).unwrap();
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    use calamine::Reader;
    let sheet = workbook.worksheet_range("Đội").unwrap();
    let total = sheet.rows().find(|r| r[0] == "Tổng cộng").unwrap();
    assert_eq!(total[1].to_string(), not_cancelled.to_string(), "the workbook's total of inspections");
    let by_team: f64 = sheet
        .rows()
        .skip(1)
        .filter(|r| r[0] != "Tổng cộng")
        .map(|r| calamine::DataType::get_float(&r[1]).unwrap())
        .sum();
    assert_eq!(by_team as usize, not_cancelled, "the teams' lines add up to the total");
    let team_lines: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert!(team_lines.contains(&"Đội QLTT số 1".to_string()) && team_lines.contains(&"Đội QLTT số 2".to_string()));
}

/// Subjects whose later case records an act sanctioned in an earlier case of theirs within
/// the look-back, counted from the rows (by identifier, else by name in the province).
fn repeat_offenders(rows: &[HubRow]) -> usize {
    let mut subjects: HashMap<String, Vec<&HubRow>> = HashMap::new();
    for r in rows {
        let key = r
            .summary
            .subject_identifier
            .clone()
            .unwrap_or_else(|| format!("{}:{:?}", fold(&r.summary.subject_name), r.summary.subject_province));
        subjects.entry(key).or_default().push(r);
    }
    subjects
        .values()
        .filter(|cases| {
            cases.iter().any(|later| {
                later.summary.violation_marks.iter().any(|act| {
                    cases
                        .iter()
                        .filter(|e| e.summary.opened_at < later.summary.opened_at)
                        .flat_map(|e| &e.summary.sanction_marks)
                        .any(|s| s.same_act(act) && anchi::domain::matching::is_repeat(s.on, s.warning_only, act.on))
                })
            })
        })
        .count()
}

/// The statistics' form as a browser sends it (empty fields included), its workbook link,
/// and what is typed wrong refused with the field's name.
fn check_forms(leader: &Staff, year: &str) {
    let page = leader.page(&format!("/stats?kind=year&part=&year={year}&from=&to="));
    let link = page.split("href=\"/stats.xlsx?").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let (status, book) = leader.get(&format!("/stats.xlsx?{link}"));
    assert_eq!(status, 200, "the workbook link of the page");
    assert!(book.starts_with(b"PK"));
    let (status, body) = leader.get("/stats?kind=month&part=abc");
    assert_eq!(status, 400);
    assert!(String::from_utf8(body).unwrap().contains("Tháng/quý: “abc” không phải số"));
    let (status, body) = leader.get("/cases?from=05/11/26");
    assert_eq!(status, 400, "a year of two digits is refused, not read as the year 26");
    assert!(String::from_utf8(body).unwrap().contains("Từ ngày: “05/11/26” không phải ngày hợp lệ"));
}

#[test]
fn the_province_sees_the_morning_the_cases_the_offenders_and_the_statistics_by_role() {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::env::var_os("ANCHI_KEEP_TEST_DATA").map_or(tmp.path().to_path_buf(), PathBuf::from);
    let (pki, hub, rows) = province_of_two_teams(&root);
    let teams: HashMap<&str, usize> = rows.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.team_id.as_str()).or_default() += 1;
        m
    });
    assert_eq!(teams.len(), 2, "both teams' cases are in the store");
    let reference = anchi::reference::Reference::embedded();
    let today = chrono::Local::now().date_naive();
    let overdue = |r: &HubRow| {
        deadlines_of(&r.summary, &reference.deadline_rules, &reference.calendar, today)
            .iter()
            .any(|d| d.state == DeadlineState::Overdue)
    };
    let count = |f: &dyn Fn(&HubRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let under_way = count(&|r| r.summary.closed_on.is_none() && !r.summary.stage.is_closed());
    let late = count(&overdue);
    let awaiting = count(&|r| r.summary.draft_kinds.iter().any(|k| k.is_decision()));
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let opened_today = count(&|r| r.summary.opened_at.date() == today);
    let this_week = count(&|r| (monday..=today).contains(&r.summary.opened_at.date()));
    let seizure_near = count(&|r| {
        deadlines_of(&r.summary, &reference.deadline_rules, &reference.calendar, today)
            .iter()
            .any(|d| d.rule == "tam-giu" && d.state != DeadlineState::Met && d.due <= today + chrono::Duration::days(3))
    });
    let expected = [opened_today, this_week, under_way, late, awaiting, seizure_near];
    assert!(late > 0 && awaiting > 0 && under_way > 0, "the demo has work in hand: {late} {awaiting} {under_way}");

    // The leader's morning page: the province's numbers are the store's.
    let (leader, first) = Staff::login(&hub, &pki, "lanhdao");
    assert_eq!(first, "/");
    let morning = leader.page("/");
    assert!(morning.contains("Đội QLTT số 1") && morning.contains("Đội QLTT số 2"), "teams by name");
    let numbers = province_row(&morning);
    assert_eq!(numbers, expected, "today, this week, under way, overdue, awaiting, seizures near their term");
    assert!(morning.contains("class=\"late\""), "overdue deadlines in red");
    // Each number leads to the cases behind it.
    assert_eq!(listed(&leader.page("/cases?view=overdue")), late);
    assert_eq!(listed(&leader.page("/cases?view=awaiting")), awaiting);

    // The list: names not codes, a team's filter, a search without accents, dates typed dd/mm/yyyy.
    let all = leader.page("/cases");
    assert_eq!(listed(&all), rows.len());
    // Newest first, as every package received was taken into the pages one by one.
    let newest = rows
        .iter()
        .max_by(|a, b| a.summary.opened_at.cmp(&b.summary.opened_at).then(b.summary.id.cmp(&a.summary.id)))
        .unwrap();
    let first_link = all.split("<a href=\"/cases/").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(first_link, newest.summary.id.to_string(), "the newest case first");
    let table = all.split("<table>").nth(1).unwrap();
    assert!(!table.contains("DEMO-LS-D1") && !table.contains("hang-nhap-lau"), "names, not codes");
    assert!(table.contains("Đội QLTT số 1") && table.contains("Hàng nhập lậu"), "names, not codes");
    assert_eq!(listed(&leader.page("/cases?team=DEMO-LS-D2")), teams["DEMO-LS-D2"]);
    let accented = rows
        .iter()
        .find(|r| r.team_id == "DEMO-LS-D2" && fold(&r.summary.subject_name) != r.summary.subject_name.to_lowercase())
        .unwrap();
    let found = leader.page(&format!("/cases?q={}", urlencode(&fold(&accented.summary.subject_name))));
    assert!(found.contains(&format!("/cases/{}", accented.summary.id)), "found without accents");
    let (status, refused) = leader.get("/cases?from=31/02/2026");
    assert_eq!(status, 400);
    assert!(String::from_utf8(refused).unwrap().contains("Từ ngày: “31/02/2026” không phải ngày hợp lệ"));
    let year = today.format("%Y").to_string();
    let since = format!("/cases?from=01/01/{year}");
    let this_year =
        count(&|r| r.summary.opened_at.date() >= chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap());
    assert_eq!(listed(&leader.page(&since)), this_year, "a period typed dd/mm/yyyy");
    // The fine only from a finalised sanction decision: none on a case only inspected.
    let inspected = count(&|r| r.summary.stage == anchi::domain::Stage::DaKiemTra && r.summary.fine_vnd.is_some());
    assert!(inspected > 0);
    let page = leader.page(&format!("/cases?stage={}", urlencode("Đã kiểm tra")));
    let shown = page.matches("<tr><td>").count();
    assert_eq!(shown, inspected.min(50));
    assert_eq!(page.matches("<td class=\"num\"></td></tr>").count(), shown, "no fine without a decision");

    // A person's ID number is hidden in lists, whole on the case page, and the view is logged.
    let person = rows
        .iter()
        .find(|r| {
            r.summary.subject_kind != anchi::domain::SubjectKind::Organisation
                && r.summary.subject_identifier.as_deref().is_some_and(|i| i.len() == 12)
        })
        .unwrap();
    let id = person.summary.subject_identifier.clone().unwrap();
    let found = leader.page(&format!("/cases?q={id}"));
    let table = found.split("<table>").nth(1).unwrap();
    assert!(table.contains(&format!("/cases/{}", person.summary.id)), "found by its ID number");
    assert!(!table.contains(&id), "the list hides the ID number");
    let case = leader.page(&format!("/cases/{}", person.summary.id));
    assert!(case.contains(&id) && case.contains("Văn bản") && case.contains("Thời hạn"));
    let log = leader.page("/access");
    assert!(log.contains("lanhdao") && log.contains(&format!("/cases/{}", person.summary.id)), "the view is logged");

    // Statistics with their charts, and the same tables as a workbook.
    check_forms(&leader, &year);
    let stats = leader.page(&format!("/stats?kind=year&year={year}"));
    assert!(stats.contains("<svg") && stats.contains("Theo đội") && stats.contains("Đội QLTT số 2"));
    let not_cancelled = count(&|r| r.summary.stage != anchi::domain::Stage::DaHuy);
    check_workbook(&leader, &root, not_cancelled);

    // Repeat offenders across teams.
    let again = repeat_offenders(&rows);
    let offenders = leader.page("/offenders");
    assert!(offenders.contains(&format!("<p>{again} đối tượng tái phạm")), "{again} repeat offenders");

    // Roles: an officer has no access log and no accounts; the administrator no case data.
    let (officer, _) = Staff::login(&hub, &pki, "chicuc");
    assert_eq!(officer.get("/cases").0, 200);
    assert_eq!(officer.get("/access").0, 403);
    assert_eq!(officer.get("/admin").0, 403);
    // Made a leader on the command line: the open session has the new role at once.
    hub_cmd(&hub.dir, &["user", "role", "--name", "chicuc", "--role", "leader"]);
    assert_eq!(officer.get("/access").0, 200);
    hub_cmd(&hub.dir, &["user", "role", "--name", "chicuc", "--role", "officer"]);
    assert_eq!(officer.get("/access").0, 403);
    // A new password (the same typed again makes a new hash) ends the open session.
    hub_cmd(&hub.dir, &["user", "add", "--name", "chicuc"]);
    assert_eq!(officer.get("/cases").0, 303, "sent to the login page");
    let (admin, first) = Staff::login(&hub, &pki, "quantri");
    assert_eq!(first, "/admin");
    let accounts = admin.page("/admin");
    assert!(accounts.contains("Đội QLTT số 2") && accounts.contains("lanhdao"));
    for path in ["/", "/cases", &format!("/cases/{}", person.summary.id), "/stats", "/offenders", "/access"] {
        let (status, body) = admin.get(path);
        assert_eq!(status, 403, "{path}");
        assert!(!String::from_utf8(body).unwrap().contains(&person.summary.subject_name));
    }

    // The same in a real browser.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let folded = fold(&accented.summary.subject_name);
    runtime.block_on(super::browser::walk(&hub, &pki, &expected, teams["DEMO-LS-D2"], (&folded, accented.summary.id)));
}

#[test]
fn a_hub_store_from_before_the_pages_rows_makes_them_again_from_its_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { ws, mut hub, client, .. } = province_with_laptop(tmp.path(), 12);
    ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    let rows = |dir: &Path| {
        let mut rows = HubStore::open(dir).unwrap().rows().unwrap().1;
        rows.sort_by_key(|r| r.summary.id);
        rows
    };
    let before = rows(&hub.dir);
    assert!(!before.is_empty());
    // As an older hub left it: no rows, no layout recorded.
    hub.kill();
    {
        let db = redb::Database::open(hub.dir.join("hub.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(tx.delete_table(redb::TableDefinition::<u128, &[u8]>::new("rows")).unwrap());
        tx.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta")).unwrap().remove("rows_format").unwrap();
        tx.commit().unwrap();
    }
    assert!(rows(&hub.dir).is_empty());
    hub.restart();
    assert_eq!(rows(&hub.dir), before, "made again from the stored packages");
}

#[test]
fn a_case_dated_outside_the_years_the_law_tables_cover_is_refused_and_stores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { ws, hub, client, .. } = province_with_laptop(tmp.path(), 3);
    let subject = anchi::domain::Subject::new(
        anchi::domain::SubjectKind::Individual,
        "Người Tương Lai",
        anchi::domain::Address::Legacy { text: "Lạng Sơn".into() },
    );
    let at = chrono::NaiveDate::from_ymd_opt(2999, 1, 2).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let case = anchi::domain::Case::open(uuid::Uuid::now_v7(), "DEMO-LS-D1", at, "hang-gia", subject);
    ws.create_case(&case).unwrap();
    let exported = ws.export_package(case.id, PASSPHRASE, None, &|_| {}).unwrap();
    match client.upload(&exported.info.package_id(), &exported.bytes, &|_, _| {}) {
        Err(SyncError::Refused { status: 422, refusal }) => {
            assert_eq!(refusal.error, "package_invalid");
            assert!(refusal.message.contains("opened_at: 2999-01-02"), "{}", refusal.message);
        }
        other => panic!("a case of the year 2999 must be refused, got {other:?}"),
    }
    assert!(hub.cases().is_empty(), "nothing stored");
    assert!(HubStore::open(&hub.dir).unwrap().rows().unwrap().1.is_empty());
}
