//! Vietnamese text: NFC normalisation, folding for search, money and dates in words.
//!
//! Everything typed or imported passes through [`nfc`] at the boundary, because some
//! keyboards deliver decomposed (NFD) text and the PDF layer cannot shape it.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// Returns `text` in Unicode NFC with surrounding whitespace removed.
pub fn nfc(text: &str) -> String {
    let text = text.trim();
    // Most text is typed composed already: then it is copied, not normalised char by char.
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text.to_string(),
        _ => text.nfc().collect(),
    }
}

/// Folds text for search and matching: lower case, no diacritics, `đ` → `d`,
/// runs of whitespace collapsed to one space.
///
/// ```
/// use anchi::domain::text::fold;
/// assert_eq!(fold("Hộ kinh doanh  ĐỖ Thị Lựu"), "ho kinh doanh do thi luu");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match ch {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(ch.to_lowercase()),
        }
    }
    out
}

fn is_combining_mark(ch: char) -> bool {
    matches!(ch, '\u{0300}'..='\u{036F}')
}

/// Formats an amount with a dot as the thousands separator: `5.000.000`.
pub fn format_vnd(amount_vnd: u64) -> String {
    let digits = amount_vnd.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

const DIGITS: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

/// Reads a group of three digits. `full` says whether a leading zero hundred must be
/// read out ("không trăm"), which is the case for every group after the first.
fn read_group(n: u64, full: bool) -> Vec<&'static str> {
    let (hundreds, tens, units) = ((n / 100) as usize, ((n / 10) % 10) as usize, (n % 10) as usize);
    let mut words = Vec::new();
    if full || hundreds > 0 {
        words.extend([DIGITS[hundreds], "trăm"]);
    }
    match tens {
        0 if units > 0 && !words.is_empty() => words.push("linh"),
        0 => {}
        1 => words.push("mười"),
        t => words.extend([DIGITS[t], "mươi"]),
    }
    match units {
        0 => {}
        1 if tens >= 2 => words.push("mốt"),
        5 if tens >= 1 => words.push("lăm"),
        u => words.push(DIGITS[u]),
    }
    words
}

/// Reads a non-negative integer in Vietnamese words, lower case ("một trăm linh năm triệu").
pub fn number_in_words(n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    words_of(n).join(" ")
}

const BILLION: u64 = 1_000_000_000;

/// Words for `n > 0`: the scale "tỷ" repeats, so everything above a billion is read
/// recursively and followed by "tỷ".
fn words_of(n: u64) -> Vec<&'static str> {
    let (high, low) = (n / BILLION, n % BILLION);
    let mut words = Vec::new();
    if high > 0 {
        words = words_of(high);
        words.push("tỷ");
    }
    words.extend(words_below_billion(low, high > 0));
    words
}

/// Words for `n < 1.000.000.000`. Once anything has been said (`preceded`), each later
/// group is read in full, so 1.005.000 is "một triệu không trăm linh năm nghìn".
fn words_below_billion(n: u64, mut preceded: bool) -> Vec<&'static str> {
    let groups = [(n / 1_000_000, Some("triệu")), ((n / 1_000) % 1_000, Some("nghìn")), (n % 1_000, None)];
    let mut words = Vec::new();
    for (group, scale) in groups {
        if group == 0 {
            continue;
        }
        words.extend(read_group(group, preceded));
        words.extend(scale);
        preceded = true;
    }
    words
}

/// Money in words as written on a sanction decision: "Năm triệu đồng".
///
/// ```
/// use anchi::domain::text::amount_in_words;
/// assert_eq!(amount_in_words(105_000_000), "Một trăm linh năm triệu đồng");
/// assert_eq!(amount_in_words(2_500_000), "Hai triệu năm trăm nghìn đồng");
/// ```
pub fn amount_in_words(amount_vnd: u64) -> String {
    let words = number_in_words(amount_vnd);
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    format!("{first}{} đồng", chars.as_str())
}

/// A date as written in the header of an administrative document (NĐ 30/2020):
/// "ngày 05 tháng 02 năm 2026": a leading zero for days under 10 and for months 1–2.
///
/// ```
/// use anchi::domain::text::date_in_words;
/// let date = chrono::NaiveDate::from_ymd_opt(2026, 2, 5).unwrap();
/// assert_eq!(date_in_words(date), "ngày 05 tháng 02 năm 2026");
/// ```
pub fn date_in_words(date: NaiveDate) -> String {
    let month = date.month();
    let month_text = if month <= 2 { format!("{month:02}") } else { month.to_string() };
    format!("ngày {:02} tháng {} năm {}", date.day(), month_text, date.year())
}

/// A date as typed in a form: dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy or dd.mm.yyyy.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(text, f).ok())
}

/// An amount in đồng as typed in a form: "5.000.000", "5 000 000 đồng", "5000000đ".
pub fn parse_money(text: &str) -> Option<u64> {
    let lower = text.to_lowercase();
    let digits = lower.trim_end_matches("đồng").trim_end_matches('đ').trim();
    let digits: String = digits.chars().filter(|c| !matches!(c, '.' | ',' | ' ')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_decomposed_input() {
        let nfd = "Nguye\u{302}\u{303}n Va\u{306}n A\u{306}\u{300}";
        assert_eq!(nfc(nfd), "Nguyễn Văn Ằ");
        assert_eq!(nfc("  Hà Nội "), "Hà Nội");
    }

    #[test]
    fn fold_ignores_case_diacritics_and_spacing() {
        assert_eq!(fold("  CÔNG TY  TNHH Đại Phát "), "cong ty tnhh dai phat");
        assert_eq!(fold("Nguye\u{302}\u{303}n"), "nguyen");
        assert_eq!(fold("ĐẶNG Thị Hường"), "dang thi huong");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn money_uses_dots() {
        assert_eq!(format_vnd(0), "0");
        assert_eq!(format_vnd(500), "500");
        assert_eq!(format_vnd(5_000), "5.000");
        assert_eq!(format_vnd(5_000_000), "5.000.000");
        assert_eq!(format_vnd(105_000_000), "105.000.000");
        assert_eq!(format_vnd(1_234_567_890), "1.234.567.890");
    }

    #[test]
    fn numbers_in_words() {
        let table: &[(u64, &str)] = &[
            (0, "không"),
            (1, "một"),
            (5, "năm"),
            (10, "mười"),
            (11, "mười một"),
            (14, "mười bốn"),
            (15, "mười lăm"),
            (20, "hai mươi"),
            (21, "hai mươi mốt"),
            (24, "hai mươi bốn"),
            (25, "hai mươi lăm"),
            (55, "năm mươi lăm"),
            (100, "một trăm"),
            (101, "một trăm linh một"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (111, "một trăm mười một"),
            (115, "một trăm mười lăm"),
            (121, "một trăm hai mươi mốt"),
            (1_000, "một nghìn"),
            (1_001, "một nghìn không trăm linh một"),
            (1_010, "một nghìn không trăm mười"),
            (1_100, "một nghìn một trăm"),
            (10_000, "mười nghìn"),
            (15_000, "mười lăm nghìn"),
            (250_000, "hai trăm năm mươi nghìn"),
            (500_000, "năm trăm nghìn"),
            (1_000_000, "một triệu"),
            (1_005_000, "một triệu không trăm linh năm nghìn"),
            (2_000_050, "hai triệu không trăm năm mươi"),
            (5_000_000, "năm triệu"),
            (25_000_000, "hai mươi lăm triệu"),
            (105_000_000, "một trăm linh năm triệu"),
            (1_000_000_000, "một tỷ"),
            (1_500_000_000, "một tỷ năm trăm triệu"),
            (2_000_000_001, "hai tỷ không trăm linh một"),
            (1_000_000_000_000, "một nghìn tỷ"),
            (3_000_005_000_000, "ba nghìn tỷ không trăm linh năm triệu"),
            (1_000_000_000_000_000_000, "một tỷ tỷ"),
        ];
        for (n, words) in table {
            assert_eq!(number_in_words(*n), *words, "{n}");
        }
    }

    #[test]
    fn amounts_in_words_are_capitalised_with_currency() {
        assert_eq!(amount_in_words(5_000_000), "Năm triệu đồng");
        assert_eq!(amount_in_words(105_000_000), "Một trăm linh năm triệu đồng");
        assert_eq!(amount_in_words(0), "Không đồng");
        assert_eq!(amount_in_words(1_250_000), "Một triệu hai trăm năm mươi nghìn đồng");
    }

    #[test]
    fn dates_in_words() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_in_words(d(2026, 2, 5)), "ngày 05 tháng 02 năm 2026");
        assert_eq!(date_in_words(d(2026, 1, 31)), "ngày 31 tháng 01 năm 2026");
        assert_eq!(date_in_words(d(2026, 3, 9)), "ngày 09 tháng 3 năm 2026");
        assert_eq!(date_in_words(d(2025, 12, 25)), "ngày 25 tháng 12 năm 2025");
        assert_eq!(date_in_words(d(2024, 10, 10)), "ngày 10 tháng 10 năm 2024");
    }
}
