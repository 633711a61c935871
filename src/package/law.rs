//! The law pack's `bag-info.txt` (`docs/law-pack.md`): the same signed bag as a case package,
//! saying which version of the law it carries, when it was issued and until when it is
//! meant to serve, who published it and which law key signs it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::PackageError;
use super::info::{Info, bad, get};

/// The file name extension of a law pack.
pub const LAW_EXTENSION: &str = "anchi-law";

/// What a law pack may hold: today's law is under 1 MB in 50 files.
pub const LAW_LIMITS: super::Limits = super::Limits { max_total_bytes: 64 << 20, max_files: 2_000 };

const FORMAT_LABEL: &str = "anchi-law-pack";
const FORMAT_VERSION: u32 = 1;

/// What a law pack says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawInfo {
    /// Each pack's version is higher than the one it replaces; a laptop never goes back.
    pub version: u32,
    pub issued: NaiveDate,
    /// After this day the pack still works (the field must never stop), with a warning.
    pub expires: NaiveDate,
    /// Who publishes it ("Cục Quản lý và Phát triển thị trường trong nước").
    pub publisher: String,
    /// The minisign key id of the law key that signs it.
    pub key_id: String,
    pub created: DateTime<Utc>,
}

impl Info for LawInfo {
    fn format() -> String {
        format!("{FORMAT_LABEL} {FORMAT_VERSION}")
    }

    fn labels(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Law-Pack-Version", self.version.to_string()),
            ("Issued", self.issued.to_string()),
            ("Expires", self.expires.to_string()),
            ("Publisher", self.publisher.clone()),
            ("Law-Key-Id", self.key_id.clone()),
            ("Created", self.created.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ]
    }

    fn from_labels(labels: &BTreeMap<&str, &str>) -> Result<LawInfo, PackageError> {
        let date = |label: &str| {
            get(labels, label)?.parse::<NaiveDate>().map_err(|_| bad(format!("{label} is not a date YYYY-MM-DD")))
        };
        let version: u32 =
            get(labels, "Law-Pack-Version")?.parse().map_err(|_| bad("Law-Pack-Version is not a number".into()))?;
        let info = LawInfo {
            version,
            issued: date("Issued")?,
            expires: date("Expires")?,
            publisher: get(labels, "Publisher")?.to_string(),
            key_id: get(labels, "Law-Key-Id")?.to_string(),
            created: DateTime::parse_from_rfc3339(get(labels, "Created")?)
                .map_err(|_| bad("Created is not an RFC 3339 time".into()))?
                .with_timezone(&Utc),
        };
        info.check().map_err(bad)?;
        Ok(info)
    }

    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn trusted_comment(&self) -> String {
        format!("{FORMAT_LABEL} version {} issued {}", self.version, self.issued)
    }

    fn untrusted_comment(&self) -> String {
        format!("signature from anchi law key {}", self.key_id)
    }
}

impl LawInfo {
    /// A version from 1, an expiry after the issue, a publisher on one line.
    pub fn check(&self) -> Result<(), String> {
        if self.version == 0 {
            return Err("Law-Pack-Version starts at 1".into());
        }
        if self.expires <= self.issued {
            return Err(format!("Expires {} is not after Issued {}", self.expires, self.issued));
        }
        let publisher = self.publisher.trim();
        if publisher.is_empty() || publisher.len() > 200 || self.publisher.contains(['\n', '\r']) {
            return Err("Publisher must be one line of 1 to 200 bytes".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn law_info_reads_back_what_it_writes_and_refuses_a_bad_one() {
        let info = LawInfo {
            version: 3,
            issued: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            expires: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
            publisher: "Cục Quản lý và Phát triển thị trường trong nước".into(),
            key_id: "0123456789ABCDEF".into(),
            created: DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z").unwrap().with_timezone(&Utc),
        };
        let text = info.to_text(&[("data/law/calendar.toml".into(), b"x".to_vec())]);
        assert!(text.starts_with("Package-Format: anchi-law-pack 1\n"), "{text}");
        assert_eq!(LawInfo::parse(&text).unwrap(), info);
        assert!(LawInfo::parse(&text.replace("Expires: 2027-12-31", "Expires: 2026-11-30")).is_err());
        assert!(LawInfo::parse(&text.replace("Law-Pack-Version: 3", "Law-Pack-Version: 0")).is_err());
        let case = text.replace("anchi-law-pack 1", "anchi-package 1");
        assert!(
            matches!(LawInfo::parse(&case), Err(PackageError::UnsupportedFormat(_))),
            "a case package is no law pack"
        );
    }
}
