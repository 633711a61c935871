//! What `bag-info.txt` says about a bag: the [`Info`] a format reads and writes there, and
//! the case package's [`BagInfo`]. A law pack has its own (`law.rs`); the bag around it —
//! manifests, canonical zip, signature — is the same code.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use super::{BAG_INFO_TXT, PackageError, is_sha256_hex};

/// A bag format's `bag-info.txt`: written from the payload, read back strictly, naming the
/// key that signs the bag and the comments its signature carries.
pub trait Info: Sized {
    /// The `Package-Format` label and version this format writes ("anchi-package 1").
    fn format() -> String;
    /// The labels after `Package-Format`, each `Label: value` (the Payload-Oxum is added).
    fn labels(&self) -> Vec<(&'static str, String)>;
    /// Reads the labels back (all but Package-Format and Payload-Oxum).
    fn from_labels(labels: &BTreeMap<&str, &str>) -> Result<Self, PackageError>;
    /// The minisign key id (16 hex digits) of the key that signs the bag.
    fn key_id(&self) -> &str;
    /// The trusted comment of the signature; `minisign -V` prints it.
    fn trusted_comment(&self) -> String;
    /// The untrusted comment of the signature file (not covered by the signature, so a
    /// reader checks it is exactly this).
    fn untrusted_comment(&self) -> String;

    fn to_text(&self, payload: &[(String, Vec<u8>)]) -> String {
        let octets: u64 = payload.iter().map(|(_, b)| b.len() as u64).sum();
        let mut lines = vec![("Package-Format", Self::format())];
        lines.extend(self.labels());
        lines.push(("Payload-Oxum", format!("{octets}.{}", payload.len())));
        lines.into_iter().map(|(label, value)| format!("{label}: {value}\n")).collect()
    }

    fn parse(text: &str) -> Result<Self, PackageError> {
        let mut labels: BTreeMap<&str, &str> = BTreeMap::new();
        for line in text.lines() {
            let (label, value) =
                line.split_once(": ").ok_or_else(|| bad(format!("line {line:?} is not `Label: value`")))?;
            if labels.insert(label, value).is_some() {
                return Err(bad(format!("{label} appears twice")));
            }
        }
        let format = get(&labels, "Package-Format")?;
        if format != Self::format() {
            return Err(PackageError::UnsupportedFormat(format.to_string()));
        }
        Self::from_labels(&labels)
    }
}

pub(super) fn bad(detail: String) -> PackageError {
    PackageError::BadTagFile { file: BAG_INFO_TXT, detail }
}

/// A label's value, or the error naming it.
pub(super) fn get<'a>(labels: &BTreeMap<&str, &'a str>, label: &str) -> Result<&'a str, PackageError> {
    labels.get(label).copied().ok_or_else(|| bad(format!("{label} is missing")))
}

/// The format label of case packages.
const FORMAT_LABEL: &str = "anchi-package";

/// What `bag-info.txt` says about a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagInfo {
    pub version: u32,
    pub case_id: Uuid,
    /// The unit (team) code, as in document numbers.
    pub unit: String,
    /// The minisign key id (16 hex digits) of the device that signed it.
    pub key_id: String,
    pub created: DateTime<Utc>,
    /// SHA-256 of the previous version's package file, for every version after the first.
    pub previous_sha256: Option<String>,
}

impl BagInfo {
    /// The package id: the case and the version (`<case id>-v<version>`).
    pub fn package_id(&self) -> String {
        package_id(self.case_id, self.version)
    }
}

impl Info for BagInfo {
    fn format() -> String {
        format!("{FORMAT_LABEL} {}", super::FORMAT_VERSION)
    }

    fn labels(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("Package-Id", self.package_id()),
            ("Package-Version", self.version.to_string()),
            ("Case-Id", self.case_id.to_string()),
            ("Unit", self.unit.clone()),
            ("Device-Key-Id", self.key_id.clone()),
            ("Created", self.created.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ("Bagging-Date", self.created.format("%Y-%m-%d").to_string()),
        ];
        if let Some(previous) = &self.previous_sha256 {
            out.push(("Previous-Package-Sha256", previous.clone()));
        }
        out
    }

    fn from_labels(labels: &BTreeMap<&str, &str>) -> Result<BagInfo, PackageError> {
        let version: u32 =
            get(labels, "Package-Version")?.parse().map_err(|_| bad("Package-Version is not a number".into()))?;
        let case_id = Uuid::parse_str(get(labels, "Case-Id")?).map_err(|_| bad("Case-Id is not a UUID".into()))?;
        let created = DateTime::parse_from_rfc3339(get(labels, "Created")?)
            .map_err(|_| bad("Created is not an RFC 3339 time".into()))?
            .with_timezone(&Utc);
        let previous_sha256 = labels.get("Previous-Package-Sha256").map(|s| s.to_string());
        if previous_sha256.as_deref().is_some_and(|h| !is_sha256_hex(h)) {
            return Err(bad("Previous-Package-Sha256 is not a SHA-256 in hex".into()));
        }
        if version == 0 || (version > 1) != previous_sha256.is_some() {
            return Err(bad("every version after the first names its previous version, and only those".into()));
        }
        let info = BagInfo {
            version,
            case_id,
            unit: get(labels, "Unit")?.to_string(),
            key_id: get(labels, "Device-Key-Id")?.to_string(),
            created,
            previous_sha256,
        };
        if get(labels, "Package-Id")? != info.package_id() {
            return Err(bad("Package-Id does not match Case-Id and Package-Version".into()));
        }
        Ok(info)
    }

    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn trusted_comment(&self) -> String {
        format!("{FORMAT_LABEL} {} version {}", self.package_id(), self.version)
    }

    fn untrusted_comment(&self) -> String {
        format!("signature from anchi device key {}", self.key_id)
    }
}

/// The id of a case's package version (`<case id>-v<version>`).
pub fn package_id(case_id: Uuid, version: u32) -> String {
    format!("{case_id}-v{version}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn bag_info_reads_back_what_it_writes() {
        let info = BagInfo {
            version: 2,
            case_id: Uuid::now_v7(),
            unit: "KT-X".into(),
            key_id: "0123456789ABCDEF".into(),
            created: DateTime::parse_from_rfc3339("2026-11-29T08:00:00Z").unwrap().with_timezone(&Utc),
            previous_sha256: Some("a".repeat(64)),
        };
        let text = info.to_text(&[("data/case.json".into(), b"{}".to_vec())]);
        assert!(text.contains("Payload-Oxum: 2.1\n"), "{text}");
        assert_eq!(BagInfo::parse(&text).unwrap(), info);
        let no_previous = text.replace(&format!("Previous-Package-Sha256: {}\n", "a".repeat(64)), "");
        assert!(BagInfo::parse(&no_previous).is_err());
    }
}
