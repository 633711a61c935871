//! A generator of realistic offender index entries (Vietnamese company and person names,
//! real admin units) for the benchmark and the tests.

use crate::domain::AdminUnits;
use crate::protocol::{EntryKind, OffenderEntry};

const FAMILY: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Vương", "Trịnh", "Trương", "Lâm", "Mai", "Tạ", "Cao",
    "Lương", "Nông", "Triệu", "Hà", "Tô", "Quách",
];
const MIDDLE: &[&str] =
    &["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Kim", "Xuân", "Hoàng", "Gia", "Bảo", "Thế"];
const GIVEN: &[&str] = &[
    "An", "Anh", "Bình", "Châu", "Chi", "Cường", "Dũng", "Dương", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hằng", "Hiếu",
    "Hoa", "Hòa", "Hùng", "Hương", "Hường", "Khánh", "Khoa", "Lan", "Linh", "Loan", "Long", "Lộc", "Mai", "Minh",
    "Nam", "Nga", "Ngân", "Nhung", "Phong", "Phúc", "Phương", "Quang", "Quân", "Sơn", "Tâm", "Thắng", "Thảo", "Thủy",
    "Tiến", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến",
];
const SYLLABLES: &[&str] = &[
    "Đại",
    "Phát",
    "Hưng",
    "Thịnh",
    "An",
    "Khang",
    "Phú",
    "Quý",
    "Tân",
    "Thành",
    "Hoàng",
    "Long",
    "Minh",
    "Việt",
    "Nam",
    "Bắc",
    "Đông",
    "Tây",
    "Sơn",
    "Hà",
    "Hải",
    "Bình",
    "Phúc",
    "Lộc",
    "Thọ",
    "Trường",
    "Gia",
    "Kim",
    "Ngọc",
    "Bảo",
    "Thái",
    "Dương",
    "Trung",
    "Tín",
    "Nghĩa",
    "Đức",
    "Toàn",
    "Cầu",
    "Hòa",
    "Vạn",
    "Xuân",
    "Thuận",
    "Lợi",
    "Hợp",
    "Nhất",
    "Quang",
    "Huy",
    "Hồng",
    "Lam",
    "Thiên",
];
const TRADES: &[&str] = &[
    "Thương mại",
    "Thương mại và Dịch vụ",
    "Xuất nhập khẩu",
    "Sản xuất và Thương mại",
    "Đầu tư",
    "Dược phẩm",
    "Thực phẩm",
    "Mỹ phẩm",
    "Vật tư Nông nghiệp",
    "Xăng dầu",
];
const FORMS: &[&str] = &["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Hộ kinh doanh"];

/// `count` plausible index entries: one in three an organisation with a tax code (some
/// branches), the rest household businesses and individuals with 12-digit personal IDs,
/// spread over the real communes of `units`.
pub fn synthetic(count: usize, seed: u64, units: &AdminUnits) -> Vec<OffenderEntry> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let communes: Vec<(u16, u32)> =
        units.provinces().iter().flat_map(|p| units.communes_of(p.code).map(move |c| (p.code, c.code))).collect();
    let pick = |rng: &mut fastrand::Rng, list: &[&'static str]| list[rng.usize(..list.len())];
    let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("valid date");
    (0..count)
        .map(|i| {
            let (province, commune) = communes[rng.usize(..communes.len())];
            let (name, identifier) = match rng.u8(..3) {
                0 => {
                    let form = pick(&mut rng, FORMS);
                    let brand = format!("{} {}", pick(&mut rng, SYLLABLES), pick(&mut rng, SYLLABLES));
                    let trade = pick(&mut rng, TRADES);
                    let code = format!("{:010}", rng.u64(100_000_000..9_999_999_999));
                    let code = if rng.u8(..10) == 0 { format!("{code}-{:03}", rng.u16(1..20)) } else { code };
                    (format!("{form} {trade} {brand}"), code)
                }
                1 => {
                    let person =
                        format!("{} {} {}", pick(&mut rng, FAMILY), pick(&mut rng, MIDDLE), pick(&mut rng, GIVEN));
                    (format!("Hộ kinh doanh {person}"), format!("{:03}{:09}", province, rng.u64(..1_000_000_000)))
                }
                _ => {
                    let person =
                        format!("{} {} {}", pick(&mut rng, FAMILY), pick(&mut rng, MIDDLE), pick(&mut rng, GIVEN));
                    (person, format!("{:03}{:09}", province, rng.u64(..1_000_000_000)))
                }
            };
            OffenderEntry {
                identifier: Some(identifier),
                folded_name: crate::domain::text::fold(&name),
                name,
                province: Some(province),
                commune: Some(commune),
                team_id: format!("T{:02}-D{}", province, rng.u8(1..6)),
                case_id: uuid::Uuid::from_u128(i as u128 + 1),
                act: "Kinh doanh hàng giả".into(),
                provision: "điểm a khoản 1 Điều 9 Nghị định 98/2020/NĐ-CP".into(),
                decided_on: start + chrono::Duration::days(rng.i64(0..1500)),
                fine_vnd: Some(rng.u64(1..100) * 1_000_000),
                kind: EntryKind::Sanction,
                unit: None,
                decision: None,
            }
        })
        .collect()
}
