//! The law as signed, dated data (`docs/law-pack.md`): forms, calendar, deadline rules,
//! sanctioning ceilings and reference lists travel as one law pack — the signed bag of case
//! packages with its own `bag-info.txt` ([`LawInfo`]) — signed by a law key whose public
//! half each laptop pins. The law built into the program is one such pack, embedded; a pack
//! is applied whole or not at all, only when newer, and never changes a form edition that
//! finalised documents were printed with.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::users::Permission;
use super::{AppError, Reference, Workspace, reference::REFERENCE_FILES};
use crate::domain::Bilingual;
use crate::package::{self, Info, LawInfo, PackageError, Unsigned};

/// The meta key of the active law pack's bytes (absent: the built-in law).
pub const LAW_PACK_KEY: &str = "law.pack";
/// The meta key of the stored pack's version (in force from the next opening).
pub const LAW_VERSION_KEY: &str = "law.pack.version";
/// The meta key of the pinned law key (minisign public key, base64).
pub const LAW_KEY_KEY: &str = "law.key";
/// The optional list of changes a pack carries, one per line, in Vietnamese.
pub const CHANGES: &str = "changes.txt";

const BUILT_IN: &str = include_str!("../../assets/law/pack.toml");
const DEMO_LAW_KEY: &str = include_str!("../../assets/law/demo-law-key.pub");

/// What law is in force on this laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LawStatus {
    pub version: u32,
    pub issued: NaiveDate,
    pub expires: NaiveDate,
    pub publisher: String,
    /// The law key that signed it; none for the built-in law.
    pub key_id: Option<String>,
    pub built_in: bool,
    /// What changed from the version before, as its publisher says.
    pub changes: Vec<String>,
    /// Why a stored pack is not in force (it could not be read by this build).
    pub problem: Option<String>,
}

impl LawStatus {
    /// What a pack's `bag-info.txt` says (its changes are read from the pack after).
    fn of(info: &LawInfo) -> LawStatus {
        LawStatus {
            version: info.version,
            issued: info.issued,
            expires: info.expires,
            publisher: info.publisher.clone(),
            key_id: Some(info.key_id.clone()),
            built_in: false,
            changes: Vec::new(),
            problem: None,
        }
    }

    /// "Quy định: phiên bản 3, ngày 01/12/2026" for the status bar.
    pub fn label_vi(&self) -> String {
        format!("Quy định: phiên bản {}, ngày {}", self.version, self.issued.format("%d/%m/%Y"))
    }

    /// Past its expiry date: it keeps working, with a warning.
    pub fn expired_on(&self, today: NaiveDate) -> bool {
        today > self.expires
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltIn {
    version: u32,
    issued: NaiveDate,
    expires: NaiveDate,
    publisher: String,
    changes: Vec<String>,
}

/// A law, checked whole (a law pack on reading it, the built-in law by the tests): its
/// status, the reference data and the form files it carries.
#[derive(Debug, Clone)]
pub struct Law {
    pub status: LawStatus,
    /// Shared with the workspace that opened it, not copied.
    pub reference: Arc<Reference>,
    /// The forms, checked (see [`Law`]); shared like `reference`.
    pub catalog: Arc<crate::forms::Catalog>,
    /// Every file by its path inside the pack's `data/` (the built-in law's, borrowed from
    /// the program).
    files: BTreeMap<String, Cow<'static, [u8]>>,
}

/// Why a law pack was refused; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LawError {
    #[error("law pack: {0}")]
    Package(#[from] PackageError),
    #[error("no law key is pinned on this laptop")]
    NoLawKey,
    #[error("law key: {0}")]
    Key(String),
    #[error("version {offered} is not newer than the law in force (version {active})")]
    NotNewer { offered: u32, active: u32 },
    #[error("{file}: {detail}")]
    BadFile { file: String, detail: String },
    #[error("{file}: a form edition already in force is changed or missing")]
    EditionChanged { file: String },
    #[error("reading {path}: {detail}")]
    Read { path: String, detail: String },
}

impl Bilingual for LawError {
    fn vi(&self) -> String {
        match self {
            LawError::Package(e) => format!("Gói quy định không hợp lệ: {}", e.vi()),
            LawError::NoLawKey => "Máy chưa cài khóa của cơ quan ban hành quy định: không nhận gói quy định".into(),
            LawError::Key(detail) => format!("Khóa ký quy định không dùng được: {detail}"),
            LawError::NotNewer { offered, active } => format!(
                "Gói quy định phiên bản {offered} không mới hơn quy định đang dùng (phiên bản {active}): không nhận"
            ),
            LawError::BadFile { file, detail } => format!("Tệp “{file}” trong gói quy định bị lỗi: {detail}"),
            LawError::EditionChanged { file } => format!(
                "Gói quy định sửa hoặc bỏ mẫu “{file}” đang dùng: văn bản đã hoàn tất phải in lại đúng như cũ, nên không nhận"
            ),
            LawError::Read { path, .. } => format!("Không đọc được “{path}”"),
        }
    }
}

impl Law {
    /// The law built into this program. Its files are the program's own text, so they are
    /// neither copied nor checked as UTF-8 again, nor checked as a pack's parts are: the
    /// tests check them, and the forms and the catalogue of violations are read when first
    /// used (`Catalog::built_in`, `Reference::catalogue`).
    pub fn built_in() -> Law {
        let meta: BuiltIn = toml::from_str(BUILT_IN).expect("assets/law/pack.toml parses");
        let changes = meta.changes.join("\n");
        let mut texts: BTreeMap<&str, &str> = REFERENCE_FILES.iter().copied().collect();
        let forms: Vec<(String, &'static str)> = crate::forms::Catalog::embedded_files().collect();
        texts.extend(forms.iter().map(|(path, text)| (path.as_str(), *text)));
        texts.insert(CHANGES, &changes);
        let (reference, catalog, _) = Law::parse(&texts).expect("the built-in law is checked by the tests");
        let mut files: BTreeMap<String, Cow<'static, [u8]>> =
            REFERENCE_FILES.iter().map(|(p, t)| (p.to_string(), Cow::Borrowed(t.as_bytes()))).collect();
        files.extend(forms.into_iter().map(|(path, text)| (path, Cow::Borrowed(text.as_bytes()))));
        files.insert(CHANGES.into(), Cow::Owned(changes.into_bytes()));
        let status = LawStatus {
            version: meta.version,
            issued: meta.issued,
            expires: meta.expires,
            publisher: meta.publisher,
            key_id: None,
            built_in: true,
            changes: meta.changes,
            problem: None,
        };
        Law { status, reference: Arc::new(reference), catalog: Arc::new(catalog), files }
    }

    /// Checks every part: each reference file parses and passes its own checks (a calendar
    /// day outside its year, a deadline rule naming no document …), the forms pass `forms
    /// check`, nothing else is carried.
    pub fn from_files(mut status: LawStatus, files: BTreeMap<String, Vec<u8>>) -> Result<Law, LawError> {
        let known = |p: &str| {
            p == CHANGES
                || REFERENCE_FILES.iter().any(|(r, _)| *r == p)
                || (p.starts_with("forms/") && p.ends_with(".toml"))
        };
        if let Some(extra) = files.keys().find(|p| !known(p)) {
            return Err(LawError::BadFile { file: extra.clone(), detail: "not a part of a law pack".into() });
        }
        let mut texts: BTreeMap<&str, &str> = BTreeMap::new();
        for (path, bytes) in &files {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| LawError::BadFile { file: path.clone(), detail: "not UTF-8".into() })?;
            texts.insert(path, text);
        }
        let (reference, catalog, changes) = Law::parse(&texts)?;
        if let Some(changes) = changes {
            status.changes = changes;
        }
        let files = files.into_iter().map(|(path, bytes)| (path, Cow::Owned(bytes))).collect();
        Ok(Law { status, reference: Arc::new(reference), catalog: Arc::new(catalog), files })
    }

    /// The checked parts of a law's files (by path inside `data/`, none but a law's): its
    /// reference data, its forms and the changes it lists, if it lists them.
    fn parse(
        texts: &BTreeMap<&str, &str>,
    ) -> Result<(Reference, crate::forms::Catalog, Option<Vec<String>>), LawError> {
        // The reference data on another core while the forms are parsed (a pack's on two
        // more): for the built-in law, 2.7 and 1.0 million instructions of a command's start.
        let (reference, catalog) = super::cores::join(
            || Reference::from_texts(|p| texts.get(p).copied()),
            || {
                let forms = texts.iter().filter(|(p, _)| p.starts_with("forms/"));
                crate::forms::Catalog::from_files(forms.map(|(p, t)| (p.to_string(), *t)))
            },
        );
        let reference = reference.map_err(|(file, detail)| LawError::BadFile { file, detail })?;
        let catalog = catalog.map_err(|e| LawError::BadFile { file: "forms/".into(), detail: e.to_string() })?;
        let changes = texts
            .get(CHANGES)
            .map(|changes| changes.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect());
        Ok((reference, catalog, changes))
    }

    /// The form definition files (`forms/<path>.toml`, contents), checked as UTF-8 when
    /// the law was read.
    pub fn form_files(&self) -> Vec<(String, String)> {
        let forms = self.files.iter().filter(|(p, _)| p.starts_with("forms/"));
        forms.map(|(path, bytes)| (path.clone(), String::from_utf8_lossy(bytes).into_owned())).collect()
    }

    /// Refuses a law that would change what finalised documents print with: every form
    /// edition of `self` must be in `next`, byte for byte (a pack adds editions, dated).
    pub fn keeps_editions_of(&self, next: &Law) -> Result<(), LawError> {
        for (path, bytes) in self.files.iter().filter(|(p, _)| p.starts_with("forms/")) {
            if next.files.get(path) != Some(bytes) {
                return Err(LawError::EditionChanged { file: path.clone() });
            }
        }
        Ok(())
    }

    /// Every file, by its path inside a pack's `data/`.
    pub fn files(&self) -> &BTreeMap<String, Cow<'static, [u8]>> {
        &self.files
    }

    /// What differs from `before`, one line per file, in Vietnamese.
    pub fn differences(&self, before: &Law) -> Vec<String> {
        let mut out = Vec::new();
        for (path, bytes) in &self.files {
            match before.files.get(path) {
                None => out.push(format!("thêm {path}")),
                Some(old) if old != bytes => out.push(format!("sửa {path}")),
                Some(_) => {}
            }
        }
        out.extend(before.files.keys().filter(|p| !self.files.contains_key(*p)).map(|p| format!("bỏ {p}")));
        out
    }

    /// The payload of a pack carrying this law.
    fn payload(&self) -> package::Payload {
        self.files.iter().map(|(p, b)| (format!("data/{p}"), b.to_vec())).collect()
    }
}

/// Reads a law pack's bytes: the bag, its hashes and layout, the signature by one of
/// `trusted`, then every part of the law.
pub fn read_pack(bytes: &[u8], trusted: &[minisign::PublicKey]) -> Result<Law, LawError> {
    let limits = package::LAW_LIMITS;
    let verified = package::open_bag::<LawInfo>(bytes, &limits)?.verify(trusted)?;
    let info = verified.opened.info;
    let files =
        verified.opened.payload.into_iter().map(|(p, b)| (p.trim_start_matches("data/").to_string(), b)).collect();
    Law::from_files(LawStatus::of(&info), files)
}

/// What `anchi law build` is told about the pack it makes.
#[derive(Debug, Clone)]
pub struct PackMeta {
    pub version: u32,
    pub issued: NaiveDate,
    pub expires: NaiveDate,
    pub publisher: String,
}

/// Builds and signs a law pack from a folder laid out as a pack's `data/` (`law/`,
/// `reference/`, `forms/`, optional `changes.txt`), refusing anything the law's own checks
/// refuse. Returns the pack's bytes and the law it carries.
pub fn build_pack(dir: &Path, meta: &PackMeta, key: &minisign::KeyPair) -> Result<(Vec<u8>, Law), LawError> {
    let mut files = BTreeMap::new();
    read_tree(dir, dir, &mut files)?;
    let key_id = package::key_id_of(key.pk.keynum());
    let info = LawInfo {
        version: meta.version,
        issued: meta.issued,
        expires: meta.expires,
        publisher: meta.publisher.clone(),
        key_id: key_id.clone(),
        created: Utc::now().trunc_subsecs(0),
    };
    info.check().map_err(|detail| LawError::BadFile { file: "bag-info.txt".into(), detail })?;
    let law = Law::from_files(LawStatus::of(&info), files)?;
    let unsigned = Unsigned::new(info, law.payload())?;
    let signature = minisign::sign(
        None,
        &key.sk,
        std::io::Cursor::new(unsigned.tag_manifest().as_bytes()),
        Some(&unsigned.info.trusted_comment()),
        Some(&unsigned.info.untrusted_comment()),
    )
    .map_err(|e| LawError::Key(e.to_string()))?
    .into_string();
    Ok((unsigned.finish(&signature), law))
}

/// Every file under `dir`, by its path relative to `root` with `/` separators.
fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> Result<(), LawError> {
    let read_err =
        |path: &Path, e: std::io::Error| LawError::Read { path: path.display().to_string(), detail: e.to_string() };
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(|e| read_err(dir, e))?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            read_tree(root, &path, out)?;
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let name: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        out.insert(name.join("/"), std::fs::read(&path).map_err(|e| read_err(&path, e))?);
    }
    Ok(())
}

/// The law in force for a store: the stored pack when it reads and is newer than the
/// built-in law, else the built-in law (with the reason a stored pack was passed over).
pub(crate) fn active_law(store: &crate::store::Store) -> Law {
    let built_in_version = toml::from_str::<BuiltIn>(BUILT_IN).map_or(0, |b| b.version);
    let stored = match (store.meta::<Vec<u8>>(LAW_PACK_KEY), store.meta::<String>(LAW_KEY_KEY)) {
        (Ok(Some(bytes)), Ok(Some(key))) => Some(
            minisign::PublicKey::from_base64(&key)
                .map_err(|e| LawError::Key(e.to_string()))
                .and_then(|key| read_pack(&bytes, &[key])),
        ),
        (Ok(Some(_)), Ok(None)) => Some(Err(LawError::NoLawKey)),
        (Err(e), _) | (_, Err(e)) => Some(Err(LawError::Read { path: LAW_PACK_KEY.into(), detail: e.to_string() })),
        (Ok(None), _) => None,
    };
    // The built-in law is parsed only when it is the one in force.
    match stored {
        Some(Ok(law)) if law.status.version > built_in_version => law,
        Some(Err(e)) => {
            let mut law = Law::built_in();
            law.status.problem = Some(e.vi());
            law
        }
        _ => Law::built_in(),
    }
}

impl Workspace {
    /// The law in force on this laptop.
    pub fn law(&self) -> &LawStatus {
        &self.law.status
    }

    /// The pinned law key, if any.
    pub fn law_key(&self) -> Result<Option<minisign::PublicKey>, AppError> {
        let Some(text) = self.store.meta::<String>(LAW_KEY_KEY)? else { return Ok(None) };
        Ok(Some(minisign::PublicKey::from_base64(&text).map_err(|e| LawError::Key(e.to_string()))?))
    }

    /// Pins the law key (a leader, at set-up or on a laptop set up before law packs). A
    /// different key than the one pinned is refused: a law key is changed by a new set-up.
    pub fn pin_law_key(&self, key: &minisign::PublicKey) -> Result<(), AppError> {
        self.require(Permission::Law)?;
        let text = key.to_base64();
        match self.store.meta::<String>(LAW_KEY_KEY)? {
            Some(pinned) if pinned == text => Ok(()),
            Some(_) => Err(LawError::Key("a different law key is already pinned".into()).into()),
            None => Ok(self.store.write(&self.actor(), |w| w.put_meta(LAW_KEY_KEY, &text, "law.key.pin"))?),
        }
    }

    /// A demo unit trusts the demo law key (`assets/law/demo-law-key.pub`; its secret half,
    /// in `tests/data/`, is public knowledge): packs signed with it can be tried on the
    /// demo. A real unit pins its publisher's key at set-up.
    pub(crate) fn pin_demo_law_key(&self) -> Result<(), AppError> {
        if self.store.meta::<String>(LAW_KEY_KEY)?.is_some() {
            return Ok(());
        }
        let key = crate::app::keys::parse_public_key(DEMO_LAW_KEY.lines().last().unwrap_or_default())
            .map_err(LawError::Key)?;
        Ok(self.store.write(&self.actor(), |w| w.put_meta(LAW_KEY_KEY, &key.to_base64(), "law.key.pin demo"))?)
    }

    /// Checks a law pack against the pinned key and the law in force, without applying it.
    pub fn check_law_pack(&self, bytes: &[u8]) -> Result<Law, AppError> {
        let key = self.law_key()?.ok_or(LawError::NoLawKey)?;
        let law = read_pack(bytes, &[key])?;
        // A pack applied since this workspace opened is in force from the next opening: it
        // counts as the law in force.
        let active = self.law.status.version.max(self.store.meta::<u32>(LAW_VERSION_KEY)?.unwrap_or(0));
        if law.status.version <= active {
            return Err(LawError::NotNewer { offered: law.status.version, active }.into());
        }
        self.law.keeps_editions_of(&law)?;
        Ok(law)
    }

    /// Applies a law pack (a leader): checked whole, then stored in one transaction and
    /// journalled; the law in force from the next opening of the workspace. Returns it.
    pub fn import_law(&self, bytes: &[u8]) -> Result<LawStatus, AppError> {
        self.require(Permission::Law)?;
        self.apply_law(bytes)
    }

    /// [`Workspace::import_law`] without the role: what a sync pass does with a pack the
    /// province serves (the law key's signature is the authority, not the member).
    pub(crate) fn apply_law(&self, bytes: &[u8]) -> Result<LawStatus, AppError> {
        let law = self.check_law_pack(bytes)?;
        let action = format!("law.import version {}", law.status.version);
        self.store.write(&self.actor(), |w| {
            w.put_meta(LAW_PACK_KEY, &bytes.to_vec(), &action)?;
            w.put_meta(LAW_VERSION_KEY, &law.status.version, &action)
        })?;
        Ok(law.status)
    }

    /// For a draft begun under an older edition of its form: what the edition in force today
    /// changes, in Vietnamese ("Mẫu đã đổi theo … từ 01/12/2026: thêm ô …; bỏ ô …"). The
    /// draft moves to today's edition (what it is checked and finalised with); values of
    /// fields the new edition dropped stay stored, unprinted.
    pub fn edition_change(&self, doc: &crate::domain::Document) -> Option<String> {
        if doc.state != crate::domain::DocumentState::Draft {
            return None;
        }
        let begun = self.catalog.form(doc.kind, doc.created_at.date());
        let today = self.catalog.form(doc.kind, super::now().date().max(doc.created_at.date()));
        if begun.identity.valid_from == today.identity.valid_from {
            return None;
        }
        let labels = |from: &crate::forms::FormDef, of: &crate::forms::FormDef| -> Vec<String> {
            from.fields.iter().filter(|f| of.field(&f.id).is_none()).map(|f| format!("“{}”", f.label)).collect()
        };
        let mut parts = vec![format!(
            "Mẫu đã đổi theo quy định từ {} ({}); bản nháp chuyển sang mẫu mới",
            today.identity.valid_from.format("%d/%m/%Y"),
            today.identity.source
        )];
        let (added, dropped) = (labels(today, begun), labels(begun, today));
        if !added.is_empty() {
            parts.push(format!("thêm ô {}", added.join(", ")));
        }
        if !dropped.is_empty() {
            parts.push(format!("bỏ ô {} (giá trị đã nhập vẫn được giữ)", dropped.join(", ")));
        }
        Some(parts.join("; "))
    }

    /// The law in force as a [`Law`], for comparing a new pack with it.
    pub fn active_law(&self) -> &Law {
        &self.law
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// A law's files as a pack carries them.
    fn owned(law: &Law) -> BTreeMap<String, Vec<u8>> {
        law.files.iter().map(|(path, bytes)| (path.clone(), bytes.to_vec())).collect()
    }

    /// The built-in law skips the UTF-8 check and the copies a pack's files go through; read
    /// as a pack, its files give the same law.
    #[test]
    fn the_built_in_law_is_the_law_its_files_give_as_a_pack() {
        let law = Law::built_in();
        // What a command starts with reads the built-in forms and catalogue when first used.
        assert!(law.catalog.nothing_read(), "the built-in law read its forms at start");
        assert!(!law.reference.catalogue_read(), "the built-in law read its catalogue at start");
        let read = Law::from_files(law.status.clone(), owned(&law)).unwrap();
        assert_eq!(read.status, law.status);
        assert_eq!(read.form_files(), law.form_files());
        assert_eq!(format!("{:?}", read.catalog), format!("{:?}", law.catalog));
        // The built-in law's administrative units come from the build's tables, a pack's
        // from the JSON: the same units and index.
        assert_eq!(read.reference.admin_units, law.reference.admin_units);
        let parts = |r: &Reference| {
            format!("{:?}", (&r.fields, &r.goods_groups, &r.calendar, &r.deadline_rules, &r.ceilings, r.catalogue()))
        };
        assert_eq!(parts(&read.reference), parts(&law.reference));
        assert_eq!(law.form_files().len(), crate::forms::Catalog::embedded_files().count());
    }

    #[test]
    fn the_built_in_law_is_a_whole_law_and_names_its_version() {
        let law = Law::built_in();
        assert!(law.status.built_in && law.status.version >= 1 && !law.status.changes.is_empty());
        assert!(law.form_files().iter().any(|(p, _)| p == "forms/2025-07-01/qd-xu-phat.toml"));
        assert_eq!(law.differences(&Law::built_in()), Vec::<String>::new());
        assert!(law.status.label_vi().starts_with("Quy định: phiên bản "));
    }

    #[test]
    fn a_law_with_a_stray_file_or_a_bad_part_is_refused() {
        let law = Law::built_in();
        let mut files = owned(&law);
        files.insert("law/extra.toml".into(), b"x\xff".to_vec());
        let err = Law::from_files(law.status.clone(), files).unwrap_err();
        assert!(
            matches!(&err, LawError::BadFile { file, detail } if file == "law/extra.toml" && detail == "not a part of a law pack"),
            "{err}"
        );
        let mut files = owned(&law);
        files.insert("law/calendar.toml".into(), b"[[year]]\nyear = 2026\nstatus = \"maybe\"\n".to_vec());
        let err = Law::from_files(law.status.clone(), files).unwrap_err();
        assert!(matches!(&err, LawError::BadFile { file, .. } if file == "law/calendar.toml"), "{err}");
        // A pack that drops a form edition finalised documents may print with is refused.
        let mut files = owned(&law);
        files.remove("forms/qd-kiem-tra.toml");
        let next = Law::from_files(law.status.clone(), files).unwrap();
        let err = law.keeps_editions_of(&next).unwrap_err();
        assert_eq!(err, LawError::EditionChanged { file: "forms/qd-kiem-tra.toml".into() });
    }
}
