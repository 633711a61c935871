//! The rules a new version of a stored case follows.

use super::IndexedCase;

/// Why a package may not become a version of a case the hub already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Succession {
    /// The case was first sent by another team: only that team sends its versions (a
    /// transfer between teams is an act of the province, not an upload).
    OwnedByAnotherTeam { owner: String },
    /// The version does not follow the versions stored: another content under a stored
    /// version number, a first version again, or a `Previous-Package-Sha256` that is not
    /// the stored version before it.
    BrokenChain(String),
}

/// The rules a new version of a stored case follows: sent by the team that owns the case;
/// a version number not stored with other content; and, when the hub holds the version
/// just before it, naming that version's SHA-256 as its previous (a laptop sends only its
/// newest version, so versions made offline in between may be missing: then the previous
/// must at least not be a stored version out of place).
pub fn check_succession(
    existing: &IndexedCase,
    team_id: &str,
    version: u32,
    sha256: &str,
    previous: Option<&str>,
) -> Result<(), Succession> {
    if existing.team_id != team_id {
        return Err(Succession::OwnedByAnotherTeam { owner: existing.team_id.clone() });
    }
    let stored = |v: u32| existing.versions.iter().find(|(n, ..)| *n == v).map(|(_, sha, _)| sha.as_str());
    match stored(version) {
        Some(sha) if sha == sha256 => return Ok(()),
        Some(_) => return Err(Succession::BrokenChain(format!("version {version} is stored with other content"))),
        None => {}
    }
    let newest = existing.versions.iter().map(|(n, ..)| *n).max().unwrap_or(0);
    if version < newest {
        return Ok(()); // an older version arriving late joins the list only
    }
    let Some(previous) = previous else {
        return Err(Succession::BrokenChain(format!("version {version} names no previous version")));
    };
    match stored(version - 1) {
        Some(sha) if sha == previous => Ok(()),
        Some(sha) => Err(Succession::BrokenChain(format!(
            "version {version} names {previous} as its previous, the stored version {} is {sha}",
            version - 1
        ))),
        None if existing.versions.iter().any(|(_, sha, _)| sha == previous) => Err(Succession::BrokenChain(format!(
            "version {version} names a stored version other than {} as its previous",
            version - 1
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stage;
    use chrono::Utc;
    use uuid::Uuid;

    fn held(team: &str, versions: &[(u32, &str)]) -> IndexedCase {
        let at = Utc::now();
        IndexedCase {
            case_id: Uuid::nil(),
            team_id: team.into(),
            version: versions.iter().map(|(v, _)| *v).max().unwrap_or(1),
            package_sha256: String::new(),
            received_at: at,
            opened_at: at.naive_utc(),
            subject_name: String::new(),
            subject_identifier: None,
            field: String::new(),
            stage: Stage::Moi,
            fine_vnd: None,
            documents: Vec::new(),
            versions: versions.iter().map(|(v, s)| (*v, s.to_string(), at)).collect(),
            entries: Vec::new(),
        }
    }

    #[test]
    fn a_version_follows_the_one_the_hub_holds() {
        let case = held("A", &[(1, "s1"), (2, "s2")]);
        let broken = |r: Result<(), Succession>| matches!(r, Err(Succession::BrokenChain(_)));
        // Another team, whatever it names.
        assert_eq!(
            check_succession(&case, "B", 3, "s3", Some("s2")),
            Err(Succession::OwnedByAnotherTeam { owner: "A".into() })
        );
        // The next version names the stored one; the same version again is idempotent.
        assert_eq!(check_succession(&case, "A", 3, "s3", Some("s2")), Ok(()));
        assert_eq!(check_succession(&case, "A", 2, "s2", Some("s1")), Ok(()));
        // Other content under a stored number, a first version again, no previous, a fork.
        assert!(broken(check_succession(&case, "A", 2, "x", Some("s1"))));
        assert!(broken(check_succession(&case, "A", 1, "x", None)));
        assert!(broken(check_succession(&case, "A", 3, "s3", None)));
        assert!(broken(check_succession(&case, "A", 3, "s3", Some("0000"))));
        assert!(broken(check_succession(&case, "A", 3, "s3", Some("s1"))));
        // Versions made offline in between (only the newest is sent): the previous is one
        // the hub never saw, but never a stored version out of place.
        assert_eq!(check_succession(&case, "A", 5, "s5", Some("s4")), Ok(()));
        assert!(broken(check_succession(&case, "A", 5, "s5", Some("s1"))));
    }
}
