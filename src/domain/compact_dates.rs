//! Dates of the list rows as numbers in the stores' binary records, as text in JSON.
//!
//! chrono writes a date as its ISO text in every format, and reads it back by parsing the
//! text: for the case-list rows, which carry a dozen dates each and are all read before the
//! window's first frame, parsing was most of the time taken to read them. In a binary
//! format (postcard: `is_human_readable` is false) a day is now its number of days from the
//! common era, a time its seconds from 1970 and nanoseconds; in JSON nothing changes.
//!
//! Use as `#[serde(with = "crate::domain::compact_dates::day")]` (`time`, `optional_day`;
//! an optional field also takes `default`, so that JSON without it still reads as none).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

/// A [`NaiveDate`].
pub mod day {
    use super::*;

    pub fn serialize<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { day.serialize(s) } else { day.num_days_from_ce().serialize(s) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        if d.is_human_readable() {
            NaiveDate::deserialize(d)
        } else {
            let days = i32::deserialize(d)?;
            NaiveDate::from_num_days_from_ce_opt(days)
                .ok_or_else(|| D::Error::custom(format!("day {days} out of range")))
        }
    }
}

/// An `Option<NaiveDate>`.
pub mod optional_day {
    use super::*;

    pub fn serialize<S: Serializer>(day: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { day.serialize(s) } else { day.map(|d| d.num_days_from_ce()).serialize(s) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        if d.is_human_readable() {
            Option::<NaiveDate>::deserialize(d)
        } else {
            Option::<i32>::deserialize(d)?
                .map(|days| {
                    NaiveDate::from_num_days_from_ce_opt(days)
                        .ok_or_else(|| D::Error::custom(format!("day {days} out of range")))
                })
                .transpose()
        }
    }
}

/// A [`NaiveDateTime`], to the nanosecond.
pub mod time {
    use super::*;

    pub fn serialize<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            at.serialize(s)
        } else {
            let utc = at.and_utc();
            (utc.timestamp(), utc.timestamp_subsec_nanos()).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        if d.is_human_readable() {
            NaiveDateTime::deserialize(d)
        } else {
            let (secs, nanos) = <(i64, u32)>::deserialize(d)?;
            DateTime::from_timestamp(secs, nanos)
                .map(|at| at.naive_utc())
                .ok_or_else(|| D::Error::custom(format!("time {secs} s {nanos} ns from 1970 out of range")))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "super::time")]
        at: chrono::NaiveDateTime,
        #[serde(with = "super::day")]
        on: chrono::NaiveDate,
        #[serde(with = "super::optional_day")]
        closed: Option<chrono::NaiveDate>,
        #[serde(with = "super::optional_day")]
        open: Option<chrono::NaiveDate>,
    }

    fn row() -> Row {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        Row {
            at: on.and_hms_nano_opt(7, 31, 5, 123_456_789).unwrap(),
            on,
            closed: chrono::NaiveDate::from_ymd_opt(1, 1, 1),
            open: None,
        }
    }

    #[test]
    fn dates_are_numbers_in_postcard_and_text_in_json_and_read_back_exactly() {
        let bytes = postcard::to_stdvec(&row()).unwrap();
        assert_eq!(postcard::from_bytes::<Row>(&bytes).unwrap(), row());
        // Four varints and an absent option, where the texts took over 50 bytes.
        assert!(bytes.len() < 20, "{} bytes", bytes.len());
        let json = serde_json::to_string(&row()).unwrap();
        assert_eq!(
            json,
            r#"{"at":"2026-02-28T07:31:05.123456789","on":"2026-02-28","closed":"0001-01-01","open":null}"#
        );
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row());
    }

    #[test]
    fn a_day_out_of_range_is_refused_not_wrapped() {
        let bytes = postcard::to_stdvec(&(0i64, 0u32, i32::MAX, None::<i32>, None::<i32>)).unwrap();
        let error = postcard::from_bytes::<Row>(&bytes).unwrap_err();
        assert!(matches!(error, postcard::Error::SerdeDeCustom), "{error:?}");
    }
}
