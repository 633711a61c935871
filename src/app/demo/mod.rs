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

use crate::domain::catalogue::chosen::day_of_act;
use data::{ACTS, BRAND, FAMILY, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, STREETS, TRADE};

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

/// How far a demo case goes.
#[derive(Debug, Clone, Copy)]
enum Plan {
    Opened,
    Decided,
    Inspected,
    NoViolation,
    Recorded,
    Sanctioned { seized: bool },
    OnTheSpot,
    Cancelled,
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// The plans of the newest demo cases, newest first: every state appears.
const NEWEST: [Plan; 9] = [
    Plan::Opened,
    Plan::Decided,
    Plan::Inspected,
    Plan::Recorded,
    Plan::Sanctioned { seized: true },
    Plan::NoViolation,
    Plan::Cancelled,
    Plan::OnTheSpot,
    Plan::Recorded,
];

/// How far a case got. A case opened more than six weeks before the newest one has ended
/// (as a real team's would): only recent cases are still under way.
fn plan(rng: &mut fastrand::Rng, recent: bool) -> Plan {
    if !recent {
        return match rng.u32(0..100) {
            0..35 => Plan::NoViolation,
            35..65 => Plan::Sanctioned { seized: false },
            65..88 => Plan::Sanctioned { seized: true },
            88..95 => Plan::OnTheSpot,
            _ => Plan::Cancelled,
        };
    }
    match rng.u32(0..100) {
        0..5 => Plan::Opened,
        5..15 => Plan::Decided,
        15..25 => Plan::Inspected,
        25..45 => Plan::NoViolation,
        45..55 => Plan::Recorded,
        55..75 => Plan::Sanctioned { seized: false },
        75..90 => Plan::Sanctioned { seized: true },
        90..95 => Plan::OnTheSpot,
        _ => Plan::Cancelled,
    }
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

fn subject(ws: &Workspace, rng: &mut fastrand::Rng) -> Subject {
    let communes: Vec<u32> = ws.reference.admin_units.communes_of(DEMO_PROVINCE).map(|c| c.code).collect();
    let address = Address::Coded {
        street: format!("Số {} {}", rng.u32(1..300), pick(rng, STREETS)),
        commune_code: *pick(rng, &communes),
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
        // Subjects already inspected: about one case in eight comes back to one of them. At
        // most SEEN are kept, a new one taking a random place once full, so a large demo's
        // memory stays bounded (and the subjects that come back are mostly recent ones).
        const SEEN: usize = 4096;
        let mut seen: Vec<(Subject, String)> = Vec::new();
        let mut made = 0;
        for chunk in opened.chunks(BATCH) {
            self.store.write(&self.actor(), |w| -> Result<(), AppError> {
                for &at in chunk {
                    let again = (!seen.is_empty() && rng.u8(..8) == 0).then(|| seen[rng.usize(..seen.len())].clone());
                    let case = self.demo_case(&mut rng, at, again);
                    let inspected = (case.subject.clone(), case.field.clone());
                    if seen.len() < SEEN {
                        seen.push(inspected);
                    } else {
                        let slot = rng.usize(..SEEN);
                        seen[slot] = inspected;
                    }
                    w.put_case(&case, "demo.create")?;
                    let mut case = case;
                    // The newest cases show every state a case can be in.
                    let from_newest = count - 1 - made;
                    made += 1;
                    let plan = match NEWEST.get(from_newest) {
                        Some(plan) => *plan,
                        None => plan(&mut rng, at > newest - Duration::days(42)),
                    };
                    // Since 1 July 2025 the seizure record comes before the decision: the
                    // forms in force on the day of the seizure say which comes first.
                    let record_first = |day| self.catalog.prerequisites(day).of(K::QdTamGiu).contains(&K::BbTamGiu);
                    for event in events(&mut rng, &case, plan, record_first) {
                        let started = match &event {
                            Event::StartDocument { id, kind, at } => Some((*id, *kind, *at)),
                            _ => None,
                        };
                        case = self.apply_in(w, &case, event)?.0;
                        // Complete the prefilled draft as the inspector would before finalising it.
                        if let Some((id, kind, at)) = started {
                            let fields = demo_fields(&case, kind, at, &self.reference);
                            let doc = case.documents.iter_mut().find(|d| d.id == id).expect("just started");
                            doc.fields.extend(fields);
                        }
                    }
                }
                Ok(())
            })?;
        }
        // Each case was rewritten once per event; give the superseded copies back.
        self.store.compact()?;
        Ok(count)
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

    /// A new case opened at `at`; `again` is a subject inspected before and its field, for
    /// a subject that comes back (its name sometimes typed another way).
    fn demo_case(&self, rng: &mut fastrand::Rng, at: NaiveDateTime, again: Option<(Subject, String)>) -> Case {
        let (act, subject) = match again {
            Some((mut subject, field)) => {
                if subject.kind == SubjectKind::Organisation && rng.bool() {
                    subject.name = crate::domain::text::fold(&subject.name).to_uppercase().replace("CONG TY", "CTY");
                }
                (ACTS.iter().find(|a| a.0 == field).unwrap_or(&ACTS[0]), subject)
            }
            None => (pick(rng, ACTS), subject(self, rng)),
        };
        // The demo team's code (a second demo team may stand beside the first).
        let team = self.unit().map_or("DEMO-LS-D1", |u| u.code.as_str());
        let mut case = Case::open(id_at(rng, at), team, at, act.0, subject);
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
        if let Some(selection) = demo_act(&case, &self.reference.catalogue, at.date()) {
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
        if let Some(selection) = demo_act(case, &reference.catalogue, day) {
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

/// Writes the events of one demo case: the decision in the office, the records on the
/// inspection day minutes apart, the sanction decision some days later, in working hours.
struct Script<'r> {
    rng: &'r mut fastrand::Rng,
    at: NaiveDateTime,
    out: Vec<Event>,
}

impl Script<'_> {
    fn later(&mut self, minutes: std::ops::Range<i64>) -> NaiveDateTime {
        self.at += Duration::minutes(self.rng.i64(minutes));
        self.at
    }

    /// Moves to a working hour (08:00–10:59) some days later.
    fn days_later(&mut self, days: std::ops::Range<i64>) {
        let day = (self.at + Duration::days(self.rng.i64(days))).date();
        self.at = day.and_hms_opt(self.rng.u32(8..11), self.rng.u32(0..60), 0).expect("valid time");
    }

    fn document(&mut self, kind: K, finalise: bool) {
        let at = self.later(10..40);
        let id = id_at(self.rng, at);
        self.out.push(Event::StartDocument { id, kind, at });
        if finalise {
            let at = self.later(5..30);
            self.out.push(Event::FinaliseDocument { id, number: None, at });
        }
    }
}

/// The events that take a new case to `plan`.
fn events(
    rng: &mut fastrand::Rng,
    case: &Case,
    plan: Plan,
    seizure_record_first: impl Fn(NaiveDate) -> bool,
) -> Vec<Event> {
    let mut s = Script { rng, at: case.opened_at, out: Vec::new() };
    match plan {
        Plan::OnTheSpot => s.document(K::QdXuPhatKhongLapBienBan, true),
        Plan::Opened => s.document(K::QdKiemTra, false),
        Plan::Cancelled => {
            s.document(K::QdKiemTra, true);
            let at = s.later(60..600);
            s.out.push(Event::CancelCase {
                reason: "Đối tượng ngừng kinh doanh trước ngày kiểm tra".into(), at
            });
        }
        Plan::Decided => {
            s.document(K::QdKiemTra, true);
            s.days_later(1..4);
            s.document(K::BbKiemTra, false);
        }
        Plan::Inspected | Plan::NoViolation | Plan::Recorded | Plan::Sanctioned { .. } => {
            s.document(K::QdKiemTra, true);
            s.days_later(1..4);
            s.document(K::BangKe, true);
            s.document(K::BbKiemTra, true);
            if let Plan::NoViolation = plan {
                let at = s.later(30..120);
                s.out.push(Event::CloseNoViolation { at });
            }
            if let Plan::Sanctioned { seized: true } = plan {
                // Judged on the seizure's day (the inspection's, in working hours), not the case's.
                let seizure = if seizure_record_first(s.at.date()) {
                    [K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong, K::TemNiemPhong]
                } else {
                    [K::QdTamGiu, K::BbTamGiu, K::BbNiemPhong, K::TemNiemPhong]
                };
                for kind in seizure {
                    s.document(kind, true);
                }
            }
            if let Plan::Recorded | Plan::Sanctioned { .. } = plan {
                s.document(K::BbViPham, true);
            }
            // Half the recorded cases have their sanction decision drafted, waiting for the
            // leader to sign it.
            if let Plan::Recorded = plan
                && s.rng.bool()
            {
                s.days_later(1..3);
                s.document(K::QdXuPhat, false);
            }
            if let Plan::Sanctioned { .. } = plan {
                s.days_later(2..7);
                s.document(K::QdXuPhat, true);
                // Most fines are paid within days; the team records the receipt.
                if s.rng.u8(0..4) > 0 {
                    s.days_later(1..4);
                    s.document(K::XacNhanNopPhat, true);
                }
            }
        }
    }
    s.out
}

#[cfg(test)]
mod tests;
