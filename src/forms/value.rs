//! Field values by type: what a user may type, the canonical form it is kept in, and how
//! it prints on the form.
//!
//! The wizard keeps every keystroke as typed (autosave never refuses); [`parse`] reads both
//! what people type ("8:30", "5/3/2026", "5.000.000 đ") and the canonical form, and
//! [`FieldValue::canonical`] / [`FieldValue::print`] give the stored and printed text.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use thiserror::Error;

use super::layout::FieldKind;
use crate::domain::text::{date_in_words, format_vnd, nfc, parse_date, parse_money};

/// A value read according to its field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    Date(NaiveDate),
    Time(NaiveTime),
    DateTime(NaiveDateTime),
    Money(u64),
    Integer(i64),
    /// One line per witness: name, address, identifier (free text after the name).
    Witnesses(Vec<String>),
}

/// Why a typed value could not be read. Messages name what was expected, with an example.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("not a date (expected dd/mm/yyyy)")]
    Date,
    #[error("not a time (expected hh:mm)")]
    Time,
    #[error("not a date and time (expected hh:mm dd/mm/yyyy)")]
    DateTime,
    #[error("not an amount in đồng (digits, dots allowed)")]
    Money,
    #[error("not a whole number")]
    Integer,
}

impl ValueError {
    pub fn vi(&self) -> &'static str {
        match self {
            ValueError::Date => "không phải ngày hợp lệ (ví dụ 05/03/2026)",
            ValueError::Time => "không phải giờ hợp lệ (ví dụ 08:30)",
            ValueError::DateTime => "không phải ngày giờ hợp lệ (ví dụ 08:30 05/03/2026)",
            ValueError::Money => "không phải số tiền hợp lệ (ví dụ 5.000.000)",
            ValueError::Integer => "không phải số nguyên",
        }
    }
}

/// Reads `input` (trimmed, NFC) as a value of `kind`. Empty input is `None`.
pub fn parse(kind: FieldKind, input: &str) -> Result<Option<FieldValue>, ValueError> {
    let text = nfc(input.trim());
    if text.is_empty() {
        return Ok(None);
    }
    let value = match kind {
        FieldKind::Date => FieldValue::Date(parse_date(&text).ok_or(ValueError::Date)?),
        FieldKind::Time => FieldValue::Time(parse_time(&text).ok_or(ValueError::Time)?),
        FieldKind::DateTime => FieldValue::DateTime(parse_date_time(&text).ok_or(ValueError::DateTime)?),
        FieldKind::Money => FieldValue::Money(parse_money(&text).ok_or(ValueError::Money)?),
        FieldKind::Integer => {
            FieldValue::Integer(text.replace(['.', ' '], "").parse().map_err(|_| ValueError::Integer)?)
        }
        FieldKind::Witnesses => {
            FieldValue::Witnesses(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
        }
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Choice
        | FieldKind::Provision
        | FieldKind::Act
        | FieldKind::Signer
        | FieldKind::Subject
        | FieldKind::Goods => FieldValue::Text(text),
    };
    Ok(Some(value))
}

impl FieldValue {
    /// The form the value is stored in: ISO dates and times, plain digits.
    pub fn canonical(&self) -> String {
        match self {
            FieldValue::Text(t) => t.clone(),
            FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            FieldValue::Time(t) => t.format("%H:%M").to_string(),
            FieldValue::DateTime(t) => t.format("%Y-%m-%dT%H:%M").to_string(),
            FieldValue::Money(m) => m.to_string(),
            FieldValue::Integer(i) => i.to_string(),
            FieldValue::Witnesses(lines) => lines.join("\n"),
        }
    }

    /// How the value prints on the form.
    pub fn print(&self) -> String {
        match self {
            FieldValue::Date(d) => date_in_words(*d),
            FieldValue::Time(t) => t.format("%H giờ %M phút").to_string(),
            FieldValue::DateTime(t) => format!("{}, {}", t.format("%H giờ %M phút"), date_in_words(t.date())),
            FieldValue::Money(m) => format!("{} đồng", format_vnd(*m)),
            FieldValue::Witnesses(lines) => lines.join("; "),
            FieldValue::Text(_) | FieldValue::Integer(_) => self.canonical(),
        }
    }

    /// The moment a date or date-time value stands for (a date counts from its start).
    pub fn moment(&self) -> Option<NaiveDateTime> {
        match self {
            FieldValue::Date(d) => Some(d.and_time(NaiveTime::MIN)),
            FieldValue::DateTime(t) => Some(*t),
            _ => None,
        }
    }

    /// The number a money or integer value stands for.
    pub fn number(&self) -> Option<i128> {
        match self {
            FieldValue::Money(m) => Some(i128::from(*m)),
            FieldValue::Integer(i) => Some(i128::from(*i)),
            _ => None,
        }
    }
}

/// The printed form of a stored value; text that does not read as its type prints as typed.
pub fn print(kind: FieldKind, stored: &str) -> String {
    match parse(kind, stored) {
        Ok(Some(value)) => value.print(),
        Ok(None) => String::new(),
        Err(_) => stored.to_string(),
    }
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.to_lowercase().replace("giờ", ":").replace("phút", "").replace(['h', 'g'], ":");
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches(':');
    let t = if t.contains(':') { t.to_string() } else { format!("{t}:00") };
    NaiveTime::parse_from_str(&t, "%H:%M").ok()
}

fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
        return Some(t);
    }
    // "08:30 05/03/2026", "05/03/2026 08:30", with an optional comma between.
    let cleaned = text.replace(',', " ");
    let parts: Vec<&str> = cleaned.split_whitespace().collect();
    let [a, b] = parts.as_slice() else { return None };
    let (date, time) = if a.contains('/') || a.contains('-') { (a, b) } else { (b, a) };
    Some(parse_date(date)?.and_time(parse_time(time)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(kind: FieldKind, input: &str) -> FieldValue {
        parse(kind, input).unwrap().unwrap()
    }

    #[test]
    fn what_people_type_reads_as_the_canonical_value() {
        assert_eq!(read(FieldKind::Date, "5/3/2026").canonical(), "2026-03-05");
        assert_eq!(read(FieldKind::Date, "2026-03-05").print(), "ngày 05 tháng 3 năm 2026");
        for typed in ["8:30", "08:30", "8h30", "8 giờ 30 phút"] {
            assert_eq!(read(FieldKind::Time, typed).canonical(), "08:30", "{typed}");
        }
        assert_eq!(read(FieldKind::Time, "14h").canonical(), "14:00");
        let dt = read(FieldKind::DateTime, "08:30 05/03/2026");
        assert_eq!(dt.canonical(), "2026-03-05T08:30");
        assert_eq!(read(FieldKind::DateTime, "05/03/2026, 8:30"), dt);
        assert_eq!(read(FieldKind::DateTime, "2026-03-05T08:30"), dt);
        assert_eq!(dt.print(), "08 giờ 30 phút, ngày 05 tháng 3 năm 2026");
        assert_eq!(read(FieldKind::Money, "5.000.000 đ").canonical(), "5000000");
        assert_eq!(read(FieldKind::Money, "5000000").print(), "5.000.000 đồng");
        assert_eq!(parse(FieldKind::Text, "   ").unwrap(), None);
    }

    #[test]
    fn bad_values_say_what_was_expected() {
        assert_eq!(parse(FieldKind::Date, "31/02/2026"), Err(ValueError::Date));
        assert_eq!(parse(FieldKind::Time, "25:00"), Err(ValueError::Time));
        assert_eq!(parse(FieldKind::Money, "năm triệu"), Err(ValueError::Money));
        assert_eq!(parse(FieldKind::Money, "-5"), Err(ValueError::Money));
        assert_eq!(parse(FieldKind::Integer, "6 tem"), Err(ValueError::Integer));
        assert_eq!(print(FieldKind::Time, "chiều"), "chiều", "unreadable text prints as typed");
    }
}
