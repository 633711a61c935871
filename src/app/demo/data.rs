//! The raw material of demo cases: Vietnamese names, trade names, streets of Lạng Sơn,
//! and typical violations with the provisions they breach.

pub(super) const FAMILY: &[&str] =
    &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Nông", "Lương", "Vi", "Triệu", "Hà", "Lý"];
pub(super) const MIDDLE_M: &[&str] = &["Văn", "Đức", "Quốc", "Minh", "Hữu", "Thành"];
pub(super) const MIDDLE_F: &[&str] = &["Thị", "Ngọc", "Thu", "Thanh", "Thị Kim"];
pub(super) const GIVEN_M: &[&str] =
    &["Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Quyết", "Khải", "Lộc", "Phúc", "Trọng"];
pub(super) const GIVEN_F: &[&str] = &["Hường", "Lan", "Huệ", "Ánh", "Nga", "Thủy", "Yến", "Loan", "Hằng", "Nhung"];
pub(super) const TRADE: &[&str] = &["Thương mại", "Thương mại và Dịch vụ", "Xuất nhập khẩu", "Đầu tư Thương mại"];
pub(super) const BRAND: &[&str] = &[
    "Đại Phát",
    "Hưng Thịnh",
    "Kỳ Lừa",
    "Đồng Đăng",
    "Tân Thanh",
    "Phú Lộc",
    "Biên Cương",
    "Hoàng Long",
    "Mẫu Sơn",
    "An Khang",
];
pub(super) const STREETS: &[&str] = &[
    "Lê Lợi",
    "Trần Đăng Ninh",
    "Bà Triệu",
    "Tam Thanh",
    "Lê Đại Hành",
    "Hùng Vương",
    "Ngô Gia Tự",
    "Chợ Kỳ Lừa",
    "Quốc lộ 1A",
    "Phai Vệ",
];

/// A typical violation of the demo data: field code, goods name, unit, unit price,
/// provision breached, fine range.
pub(super) type Act = (&'static str, &'static str, &'static str, u64, &'static str, (u64, u64));

pub(super) const ACTS: &[Act] = &[
    (
        "hang-gia",
        "Túi xách giả nhãn hiệu Louis Vuitton",
        "chiếc",
        450_000,
        "điểm c khoản 2 Điều 9 Nghị định 98/2020/NĐ-CP",
        (5_000_000, 20_000_000),
    ),
    (
        "hang-nhap-lau",
        "Quần áo trẻ em không rõ nguồn gốc",
        "chiếc",
        85_000,
        "điểm d khoản 1 Điều 17 Nghị định 98/2020/NĐ-CP",
        (2_000_000, 10_000_000),
    ),
    (
        "hang-nhap-lau",
        "Thuốc lá điếu nhập lậu ESSE",
        "bao",
        25_000,
        "điểm a khoản 2 Điều 17 Nghị định 98/2020/NĐ-CP",
        (10_000_000, 30_000_000),
    ),
    (
        "nhan-hang-hoa",
        "Mỹ phẩm không có nhãn phụ tiếng Việt",
        "hộp",
        120_000,
        "điểm b khoản 4 Điều 35 Nghị định 119/2017/NĐ-CP",
        (3_000_000, 8_000_000),
    ),
    (
        "an-toan-thuc-pham",
        "Bánh kẹo quá hạn sử dụng",
        "gói",
        30_000,
        "khoản 1 Điều 20 Nghị định 115/2018/NĐ-CP",
        (1_000_000, 5_000_000),
    ),
    (
        "gia",
        "Không niêm yết giá hàng hóa",
        "lần",
        0,
        "điểm a khoản 1 Điều 12 Nghị định 87/2024/NĐ-CP",
        (500_000, 2_000_000),
    ),
    (
        "xang-dau-khi",
        "Bình gas không rõ nguồn gốc",
        "bình",
        380_000,
        "khoản 3 Điều 17 Nghị định 98/2020/NĐ-CP",
        (5_000_000, 15_000_000),
    ),
    (
        "phan-bon-thuoc-bvtv",
        "Phân bón NPK không đạt chất lượng",
        "bao",
        420_000,
        "khoản 2 Điều 13 Nghị định 31/2023/NĐ-CP",
        (8_000_000, 20_000_000),
    ),
];

/// Words that find a demo goods name's act in the catalogue of violations, where the
/// catalogue covers it (the others are typed by hand, "nhập tay").
pub(super) fn catalogue_words(goods: &str) -> Option<&'static str> {
    if goods.contains("nhập lậu") {
        Some("kinh doanh hang hoa nhap lau")
    } else if goods.contains("không rõ nguồn gốc") {
        Some("kinh doanh hang hoa khong ro nguon goc")
    } else {
        None
    }
}
