//! Demo data: a demo unit and realistic cases in every workflow state, made through the
//! real workflow table so that demo cases are cases the program itself could have made.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::{
    Address, Case, DocumentKind as K, Event, Gender, GoodsLine, Member, PersonalId, PhoneNumber, Role, Subject,
    SubjectKind, TaxCode, Unit, UnitNames,
};

mod data;
mod script;

use super::cores::on_every_core;
use super::users::Permits;
use crate::domain::catalogue::chosen::day_of_act;
use data::{ACTS, Act, BRAND, FAMILY, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, STREETS, TRADE};
use script::{NEWEST, Plan, events, plan};

/// The demo unit's province: Lạng Sơn.
const DEMO_PROVINCE: u16 = 20;
/// Cases written per transaction.
const BATCH: usize = 500;

/// The demo unit, clearly marked as demo.
pub fn demo_unit() -> Unit {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let member = |name: &str, title: &str, card: &str, role| Member {
        full_name: name.into(),
        title: title.into(),
        card_number: card.into(),
        role,
    };
    Unit {
        code: "DEMO-LS-D1".into(),
        province_code: DEMO_PROVINCE,
        names: vec![
            UnitNames {
                valid_from: date(2022, 2, 1),
                parent_body: "TỔNG CỤC QUẢN LÝ THỊ TRƯỜNG".into(),
                chi_cuc: "CỤC QUẢN LÝ THỊ TRƯỜNG TỈNH LẠNG SƠN".into(),
                doi: "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1".into(),
                abbreviation: "QLTTLS".into(),
            },
            UnitNames {
                valid_from: date(2025, 3, 1),
                parent_body: "SỞ CÔNG THƯƠNG TỈNH LẠNG SƠN".into(),
                chi_cuc: "CHI CỤC QUẢN LÝ THỊ TRƯỜNG TỈNH LẠNG SƠN".into(),
                doi: "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1 (DỮ LIỆU MẪU)".into(),
                abbreviation: "QLTTLS".into(),
            },
        ],
        members: vec![
            member("Hoàng Văn Thắng", "Đội trưởng", "LS-0101", Role::Leader),
            member("Nông Thị Huyền", "Phó Đội trưởng", "LS-0102", Role::Leader),
            member("Lương Đức Mạnh", "Kiểm soát viên thị trường", "LS-0103", Role::Inspector),
            member("Vi Thị Ngọc Ánh", "Kiểm soát viên thị trường", "LS-0104", Role::Inspector),
            member("Đặng Quốc Hưng", "Kiểm soát viên thị trường", "LS-0105", Role::Inspector),
            member("Triệu Thị Lụa", "Kiểm soát viên trung cấp", "LS-0106", Role::Inspector),
        ],
        demo: true,
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// A valid tax code with a correct check digit.
fn tax_code(rng: &mut fastrand::Rng) -> TaxCode {
    loop {
        let head: String = std::iter::once("49".to_string()).chain((0..7).map(|_| rng.u8(0..10).to_string())).collect();
        let probe = TaxCode::try_from(format!("{head}0").as_str()).expect("ten digits");
        if let Some(check) = probe.expected_check_digit() {
            return TaxCode::try_from(format!("{head}{check}").as_str()).expect("ten digits");
        }
    }
}

fn person(rng: &mut fastrand::Rng) -> (String, NaiveDate, Gender, PersonalId) {
    let gender = if rng.bool() { Gender::Male } else { Gender::Female };
    let (middle, given) = match gender {
        Gender::Male => (pick(rng, MIDDLE_M), pick(rng, GIVEN_M)),
        Gender::Female => (pick(rng, MIDDLE_F), pick(rng, GIVEN_F)),
    };
    let name = format!("{} {} {}", pick(rng, FAMILY), middle, given);
    let year = rng.i32(1960..2004);
    let dob = NaiveDate::from_ymd_opt(year, rng.u32(1..13), rng.u32(1..29)).expect("valid date");
    let century = if year >= 2000 { 2 } else { 0 } + u8::from(gender == Gender::Female);
    let id = format!("020{century}{:02}{:06}", year % 100, rng.u32(0..1_000_000));
    (name, dob, gender, PersonalId::try_from(id.as_str()).expect("valid id"))
}

fn phone(rng: &mut fastrand::Rng) -> PhoneNumber {
    let text = format!("{}{:08}", pick(rng, &["03", "09", "08"]), rng.u32(0..100_000_000));
    PhoneNumber::try_from(text.as_str()).expect("valid phone")
}

fn subject(rng: &mut fastrand::Rng, communes: &[u32]) -> Subject {
    let address = Address::Coded {
        street: format!("Số {} {}", rng.u32(1..300), pick(rng, STREETS)),
        commune_code: *pick(rng, communes),
        province_code: DEMO_PROVINCE,
    };
    let (person_name, dob, gender, id) = person(rng);
    let base = Subject { phone: Some(phone(rng)), ..Subject::new(SubjectKind::Individual, &person_name, address) };
    match rng.u32(0..10) {
        0..3 => Subject {
            kind: SubjectKind::Organisation,
            name: format!("Công ty TNHH {} {}", pick(rng, TRADE), pick(rng, BRAND)),
            tax_code: Some(tax_code(rng)),
            representative: Some(person_name),
            representative_title: Some("Giám đốc".into()),
            ..base
        },
        3..8 => Subject {
            kind: SubjectKind::HouseholdBusiness,
            name: format!("Hộ kinh doanh {person_name}"),
            personal_id: Some(id),
            date_of_birth: Some(dob),
            gender: Some(gender),
            representative: Some(person_name),
            ..base
        },
        _ => Subject { personal_id: Some(id), date_of_birth: Some(dob), gender: Some(gender), ..base },
    }
}

/// What a demo case starts from, drawn in order from the demo's own generator: the other
/// draws are the case's own (its `seed`), so cases are made on every core alike.
struct Start {
    at: NaiveDateTime,
    subject: Subject,
    act: &'static Act,
    plan: Plan,
    seed: u64,
}

/// The draws a demo case starts from, in order from the demo's own generator.
struct Draws {
    rng: fastrand::Rng,
    communes: Vec<u32>,
    /// Subjects already inspected: about one case in eight comes back to one of them. At
    /// most SEEN are kept, a new one taking a random place once full, so a large demo's
    /// memory stays bounded (and the subjects that come back are mostly recent ones).
    seen: Vec<(Subject, &'static Act)>,
    /// Cases still to draw: the last ones (the newest) show every state a case can be in.
    left: usize,
    /// The newest a case may be opened.
    newest: NaiveDateTime,
}

impl Draws {
    const SEEN: usize = 4096;

    fn start(&mut self, at: NaiveDateTime) -> Start {
        let rng = &mut self.rng;
        let (subject, act) = match (!self.seen.is_empty() && rng.u8(..8) == 0).then(|| rng.usize(..self.seen.len())) {
            Some(i) => {
                let (mut subject, act) = self.seen[i].clone();
                if subject.kind == SubjectKind::Organisation && rng.bool() {
                    subject.name = crate::domain::text::fold(&subject.name).to_uppercase().replace("CONG TY", "CTY");
                }
                (subject, act)
            }
            None => (subject(rng, &self.communes), pick(rng, ACTS)),
        };
        if self.seen.len() < Self::SEEN {
            self.seen.push((subject.clone(), act));
        } else {
            let slot = rng.usize(..Self::SEEN);
            self.seen[slot] = (subject.clone(), act);
        }
        self.left -= 1;
        let plan = match NEWEST.get(self.left) {
            Some(plan) => *plan,
            None => plan(rng, at > self.newest - Duration::days(42)),
        };
        Start { at, subject, act, plan, seed: rng.u64(..) }
    }
}

/// A demo case worked through its events, to be stored with its journal.
struct Made {
    case: Case,
    /// The steps before the last: each action, and the case's content after it.
    steps: Vec<(String, [u8; 32])>,
    /// The last step, whose content is the case as stored.
    action: String,
    numbers: Vec<(crate::domain::DocumentNumber, crate::store::NumberUse)>,
}

/// A time-ordered id for a moment, with random bits from the seeded generator.
fn id_at(rng: &mut fastrand::Rng, at: NaiveDateTime) -> Uuid {
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    let millis = at.and_utc().timestamp_millis().max(0) as u64;
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

impl Workspace {
    /// Makes `count` demo cases (and the demo unit if none is set up). Refuses to mix demo
    /// data into a data directory that holds a real unit.
    pub fn make_demo(&mut self, count: usize, seed: u64) -> Result<usize, AppError> {
        self.ensure_demo_unit()?;
        if self.device_key()?.is_none() {
            self.init_key(super::keys::DEMO_PASSPHRASE)?;
        }
        self.pin_demo_law_key()?;
        let mut rng = fastrand::Rng::with_seed(seed);
        // Room for the fortnight a case's documents may span, so none is in the future.
        let newest = super::now() - Duration::days(14);
        let span_minutes = 2 * 365 * 24 * 60;
        // Inspections start in working hours, 07:30 to 16:00.
        let mut opened: Vec<NaiveDateTime> = (0..count)
            .map(|_| {
                let day = (newest - Duration::minutes(rng.i64(0..span_minutes))).date();
                day.and_hms_opt(7, 30, 0).expect("valid time") + Duration::minutes(rng.i64(0..510))
            })
            .collect();
        opened.sort();
        let communes: Vec<u32> = self.reference.admin_units.communes_of(DEMO_PROVINCE).map(|c| c.code).collect();
        let mut draws = Draws { rng, communes, seen: Vec::new(), left: count, newest };
        let this: &Workspace = self;
        let permits = &self.permits();
        std::thread::scope(|scope| {
            // The cases of the last chunk numbered, worked out on every core while the main
            // thread stores the chunk before.
            let mut working: Option<std::thread::ScopedJoinHandle<'_, Vec<Result<Made, AppError>>>> = None;
            let mut chunks = opened.chunks(BATCH);
            loop {
                let starts: Vec<Start> = chunks.next().unwrap_or_default().iter().map(|&at| draws.start(at)).collect();
                if starts.is_empty() && working.is_none() {
                    return Ok::<(), AppError>(());
                }
                // On every core: each case opened and its events written.
                let scripted = on_every_core(&starts, |start| this.script_case(start));
                this.store.write(&this.actor(), |w| -> Result<(), AppError> {
                    // In order: the register's numbers, taken as the cases were opened. They
                    // are recorded with their cases in the next transaction: a demo that fails
                    // in between leaves those numbers taken and unused.
                    let mut numbered = Vec::with_capacity(scripted.len());
                    for (case, events) in scripted {
                        numbered.push((case, this.number_events(w, events)?));
                    }
                    let done = working.take();
                    // On every core: each case worked through its events, as the window would.
                    if !numbered.is_empty() {
                        working = Some(scope.spawn(move || {
                            on_every_core(&numbered, |(case, events)| this.work_case(permits, case, events))
                        }));
                    }
                    for made in done.map(|d| d.join().expect("the demo's workers do not panic")).unwrap_or_default() {
                        let made = made?;
                        w.record_numbers(&made.numbers)?;
                        w.put_case_made(&made.case, &made.steps, &made.action)?;
                    }
                    Ok(())
                })?;
            }
        })?;
        // What the B-trees' growth left free is given back.
        self.store.compact()?;
        Ok(count)
    }

    /// A demo case opened, and the events that take it to its plan.
    fn script_case(&self, start: &Start) -> (Case, Vec<Event>) {
        let mut rng = fastrand::Rng::with_seed(start.seed);
        let case = self.demo_case(&mut rng, start);
        // Since 1 July 2025 the seizure record comes before the decision: the forms in force
        // on the day of the seizure say which comes first.
        let record_first = |day| self.catalog.prerequisites(day).of(K::QdTamGiu).contains(&K::BbTamGiu);
        let events = events(&mut rng, &case, start.plan, record_first);
        (case, events)
    }

    /// The events with the register's numbers filled in, as finalising each would take them.
    fn number_events(&self, w: &mut crate::store::Writer, mut events: Vec<Event>) -> Result<Vec<Event>, AppError> {
        let mut kinds = std::collections::HashMap::new();
        for event in &mut events {
            match event {
                Event::StartDocument { id, kind, .. } => {
                    kinds.insert(*id, *kind);
                }
                Event::FinaliseDocument { id, number: number @ None, at } => {
                    *number = self.number_for(w, kinds.get(id).copied(), *at)?;
                }
                _ => {}
            }
        }
        Ok(events)
    }

    /// A case worked through its events without storing it: each step's content hashed for
    /// the journal, each started draft completed as the inspector would before finalising it
    /// (so a draft the demo leaves open is filled in too).
    fn work_case(&self, permits: &Permits<'_>, case: &Case, events: &[Event]) -> Result<Made, AppError> {
        let mut case = case.clone();
        let mut steps = Vec::with_capacity(events.len());
        let mut numbers = Vec::new();
        let mut action = "demo.create".to_string();
        for event in events {
            steps.push((action, crate::store::case_sha256(&case)));
            let step = self.advance(permits, &case, event.clone())?;
            (case, action) = (step.next, step.action);
            numbers.extend(step.numbers);
            // The inspector completes the prefilled draft: one more step, as the window's
            // autosave journals it.
            if let Event::StartDocument { id, kind, at } = *event {
                steps.push((action, crate::store::case_sha256(&case)));
                let fields = demo_fields(&case, kind, at, &self.reference);
                let doc = case.documents.iter_mut().find(|d| d.id == id).expect("just started");
                doc.fields.extend(fields);
                action = format!("document.save_field {id}");
            }
        }
        Ok(Made { case, steps, action, numbers })
    }

    /// Installs the demo unit where no unit is set up; refuses a real unit's directory.
    fn ensure_demo_unit(&mut self) -> Result<(), AppError> {
        match self.unit() {
            Some(unit) if !unit.demo => Err(AppError::RealUnitPresent { unit: unit.code.clone() }),
            Some(_) => Ok(()),
            None => self.set_unit(demo_unit()),
        }
    }

    /// A demo case whose goods list (Bảng kê) runs to `lines` lines, for trying long lists
    /// on screen and on paper: the inspection decision is finalised and the goods list is a
    /// draft. Returns the case id and the goods list's document id.
    pub fn make_demo_long_goods_list(&mut self, lines: usize) -> Result<(Uuid, Uuid), AppError> {
        self.ensure_demo_unit()?;
        let subject = Subject {
            tax_code: Some(TaxCode::try_from("0100109106").expect("valid tax code")),
            ..Subject::new(
                SubjectKind::Organisation,
                "Công ty TNHH Hàng Hóa Nhiều Dòng",
                Address::Legacy { text: "Lạng Sơn".into() },
            )
        };
        let at = super::now();
        let mut case = Case::open(Uuid::now_v7(), "DEMO-LS-D1", at, "hang-gia", subject);
        case.members = vec![demo_unit().members[0].card_number.clone()];
        case.goods = (1..=lines)
            .map(|i| GoodsLine {
                id: Uuid::now_v7(),
                name: format!("Mặt hàng thứ {i}: áo khoác giả nhãn hiệu, có đường may lỗi ở tay áo"),
                unit: "chiếc".into(),
                quantity: i as f64,
                origin: "Không rõ".into(),
                condition: "Đã qua sử dụng".into(),
                note: String::new(),
                unit_price_vnd: Some(150_000),
            })
            .collect();
        self.create_case(&case)?;
        let (decision, list) = (Uuid::now_v7(), Uuid::now_v7());
        self.apply_event(case.id, Event::StartDocument { id: decision, kind: K::QdKiemTra, at })?;
        self.fill_like_demo(case.id, decision)?;
        self.apply_event(case.id, Event::FinaliseDocument { id: decision, number: None, at })?;
        self.apply_event(case.id, Event::StartDocument { id: list, kind: K::BangKe, at })?;
        Ok((case.id, list))
    }

    /// Fills a draft with the values the demo generator would type for its kind (for trying
    /// a document out, and for tests that need complete documents).
    pub fn fill_like_demo(&self, case_id: Uuid, document_id: Uuid) -> Result<(), AppError> {
        let case = self.case(case_id)?;
        let doc =
            case.document(document_id).ok_or(crate::domain::WorkflowError::UnknownDocument { id: document_id })?;
        for (field, value) in demo_fields(&case, doc.kind, doc.created_at, &self.reference) {
            self.save_field(case_id, document_id, &field, &value)?;
        }
        Ok(())
    }

    /// A new case opened as `start` says.
    fn demo_case(&self, rng: &mut fastrand::Rng, start: &Start) -> Case {
        let (at, act) = (start.at, start.act);
        // The demo team's code (a second demo team may stand beside the first).
        let team = self.unit().map_or("DEMO-LS-D1", |u| u.code.as_str());
        let mut case = Case::open(id_at(rng, at), team, at, act.0, start.subject.clone());
        let members = demo_unit().members;
        let lead = rng.usize(0..members.len());
        case.members = vec![members[lead].card_number.clone(), members[(lead + 1) % members.len()].card_number.clone()];
        for _ in 0..rng.usize(1..5) {
            let quantity = rng.u32(1..200) as f64;
            case.goods.push(GoodsLine {
                id: id_at(rng, at),
                name: act.1.into(),
                unit: act.2.into(),
                quantity,
                origin: pick(rng, &["Không rõ", "Trung Quốc", "Việt Nam"]).to_string(),
                condition: "Đã qua kiểm đếm".into(),
                note: String::new(),
                unit_price_vnd: (act.3 > 0).then_some(act.3),
            });
        }
        let (low, high) = act.5;
        case.fine_vnd = Some(rng.u64(low / 500_000..=high / 500_000) * 500_000);
        // An act of the catalogue is fined inside its bracket: its middle, as the Law sets.
        if let Some(selection) = demo_act(&case, self.reference.catalogue(), at.date()) {
            let organisation = case.subject.kind == SubjectKind::Organisation;
            case.fine_vnd = Some(selection.bracket(organisation).middle_vnd());
        }
        case
    }
}

/// The sanction decree as a decision cites it (căn cứ).
const DECREE_98: &str = "Nghị định số 98/2020/NĐ-CP ngày 26 tháng 8 năm 2020 của Chính phủ quy định xử phạt vi phạm hành chính trong hoạt động thương mại, sản xuất, buôn bán hàng giả, hàng cấm và bảo vệ quyền lợi người tiêu dùng, được sửa đổi, bổ sung bởi Nghị định số 17/2022/NĐ-CP và Nghị định số 24/2025/NĐ-CP";

/// Field values a careful inspector would type for a document of `kind`.
fn demo_fields(
    case: &Case,
    kind: K,
    at: NaiveDateTime,
    reference: &super::Reference,
) -> std::collections::BTreeMap<String, String> {
    let units = &reference.admin_units;
    let act = ACTS.iter().find(|a| a.0 == case.field).unwrap_or(&ACTS[0]);
    let goods = case.goods.first().map_or(act.1, |g| g.name.as_str());
    let place = case.subject.address.display(units);
    let end = (at + Duration::minutes(90)).format("%H:%M").to_string();
    let act_text = format!("Kinh doanh hàng hóa: {goods}");
    let mut f: Vec<(&str, String)> = vec![("dia_diem", place.clone()), ("gio_ket_thuc", end)];
    match kind {
        K::QdKiemTra => f.extend([
            ("noi_dung", "Việc chấp hành quy định về nguồn gốc, xuất xứ, nhãn hàng hóa và niêm yết giá".to_string()),
            ("thoi_han", "03 ngày làm việc kể từ ngày công bố quyết định".to_string()),
            ("can_cu", "Kế hoạch kiểm tra năm của Đội Quản lý thị trường số 1".to_string()),
        ]),
        K::BbKiemTra => f.extend([
            (
                "ket_qua",
                format!(
                    "Tại thời điểm kiểm tra, cơ sở đang bày bán {goods}; \
                     không xuất trình được hóa đơn, chứng từ chứng minh nguồn gốc."
                ),
            ),
            (
                "ket_luan",
                "Cơ sở có dấu hiệu vi phạm hành chính; Đoàn kiểm tra lập biên bản vi phạm hành chính.".to_string(),
            ),
            ("y_kien", "Nhất trí với kết quả kiểm tra.".to_string()),
        ]),
        K::BangKe | K::PhuLuc => f.push(("kem_theo", "Biên bản kiểm tra".to_string())),
        K::QdTamGiu => f.extend([
            ("ly_do", "Để xác minh tình tiết làm căn cứ quyết định xử lý vi phạm".to_string()),
            ("thoi_han", "07 ngày làm việc kể từ ngày tạm giữ".to_string()),
            ("den_ngay", (at + Duration::days(9)).format("%Y-%m-%d").to_string()),
            ("dia_diem_tam_giu", "Kho tang vật của Đội Quản lý thị trường số 1".to_string()),
        ]),
        K::BbNiemPhong => f.extend([
            ("so_tem", "6".to_string()),
            ("nguoi_bao_quan", "Nông Văn Kho, nhân viên quản lý kho tang vật".to_string()),
        ]),
        K::TemNiemPhong => f.push(("so_tem", "6".to_string())),
        K::BbViPham => f.extend([
            (
                "linh_vuc",
                "Thương mại, sản xuất, buôn bán hàng giả, hàng cấm và bảo vệ quyền lợi người tiêu dùng".to_string(),
            ),
            ("thoi_gian_vi_pham", at.format("%Y-%m-%dT%H:%M").to_string()),
            ("dia_diem_vi_pham", place),
            ("hanh_vi", act_text),
            ("dieu_khoan", act.4.to_string()),
            ("y_kien_nguoi_vi_pham", "Thừa nhận hành vi vi phạm.".to_string()),
            ("nguoi_giai_trinh", "Đội trưởng Đội Quản lý thị trường số 1".to_string()),
            ("thoi_gian_co_mat", (at + Duration::days(3)).format("%Y-%m-%dT09:00").to_string()),
            ("dia_diem_co_mat", "Trụ sở Đội Quản lý thị trường số 1".to_string()),
        ]),
        // Without a record: a small fine inside the cap of the procedure (Luật XLVPHC
        // Điều 56: 250.000 / 500.000 đồng before 1 July 2025, 500.000 / 1.000.000 since).
        K::QdXuPhatKhongLapBienBan => f.extend([
            ("hinh_thuc", "Phạt tiền".to_string()),
            ("nghi_dinh", DECREE_98.to_string()),
            ("kho_bac", "Kho bạc Nhà nước tỉnh Lạng Sơn".to_string()),
            ("hanh_vi", act_text),
            ("dieu_khoan", act.4.to_string()),
            ("noi_nop_phat", "Kho bạc Nhà nước tỉnh Lạng Sơn".to_string()),
            (
                "muc_phat",
                if case.subject.kind == SubjectKind::Organisation { "500.000" } else { "250.000" }.to_string(),
            ),
        ]),
        K::QdXuPhat => f.extend([
            ("nghi_dinh", DECREE_98.to_string()),
            ("kho_bac", "Kho bạc Nhà nước tỉnh Lạng Sơn".to_string()),
            ("hanh_vi", act_text),
            ("dieu_khoan", act.4.to_string()),
            ("noi_nop_phat", "Kho bạc Nhà nước tỉnh Lạng Sơn".to_string()),
            ("muc_phat", crate::domain::text::format_vnd(case.fine_vnd.unwrap_or(0))),
        ]),
        // MQĐ38 amends the place of payment: its item 3 a) (one of a) and b) is required).
        K::QdSuaDoiBoSung => f.extend([
            ("loai_sua_doi", "Sửa đổi, bổ sung".to_string()),
            ("vi_tri_sua_doi", "khoản 2 Điều 2".to_string()),
            ("noi_dung_sua_doi", "Nộp tiền phạt tại Kho bạc Nhà nước tỉnh Lạng Sơn".to_string()),
        ]),
        K::XacNhanNopPhat => f.extend([
            ("ngay_nop", at.format("%Y-%m-%d").to_string()),
            ("so_tien", crate::domain::text::format_vnd(case.fine_vnd.unwrap_or(0))),
            ("so_bien_lai", format!("BL{}", at.format("%y%m%d%H%M"))),
            ("noi_nop", "Kho bạc Nhà nước tỉnh Lạng Sơn".to_string()),
        ]),
        _ => {}
    }
    // The act chosen from the catalogue where it covers the goods (the rest typed by hand, as
    // an inspector would for a decree not in the catalogue): its provision and decree.
    if matches!(kind, K::BbViPham | K::QdXuPhat) {
        let fields: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        let day = if kind == K::BbViPham { at.date() } else { day_of_act(case, &fields, at.date()) };
        if let Some(selection) = demo_act(case, reference.catalogue(), day) {
            let chosen = crate::domain::catalogue::chosen::Chosen {
                key: crate::domain::catalogue::Key { id: selection.act.id(), double: None },
                fine: String::new(),
            };
            f.push(("ma_hanh_vi", selection.act.id()));
            let filled = crate::domain::catalogue::chosen::fills(&[(selection, &chosen)], &[], &fields);
            f.extend(filled.into_iter().filter(|(k, _)| *k != "hanh_vi"));
        }
    }
    f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The catalogue's act for a demo case's goods on `day`, where the catalogue covers it.
fn demo_act<'a>(
    case: &Case,
    catalogue: &'a crate::domain::catalogue::Catalogue,
    day: chrono::NaiveDate,
) -> Option<crate::domain::catalogue::Selection<'a>> {
    let goods = case.goods.first()?;
    let words = data::catalogue_words(&goods.name)?;
    let act = crate::domain::catalogue::find(catalogue, words, day).into_iter().next()?;
    let key = crate::domain::catalogue::Key { id: act.id(), double: None };
    catalogue.select(&key, day, case.goods_value_vnd()).ok()
}

#[cfg(test)]
mod tests;
