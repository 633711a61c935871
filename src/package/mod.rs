//! Signed case packages (`docs/package-format.md`): a BagIt bag (RFC 8493) in a zip whose
//! tag manifest is signed with minisign, so anyone can check a package with stock tools.
//!
//! This module knows the format only: it assembles a bag from payload files, writes the
//! zip, and reads one back refusing anything that is not exactly a package this format
//! describes. Which case goes in, and which keys are trusted, is the application's business.

mod error;
mod info;
mod law;
mod seal;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

pub use error::PackageError;
pub use info::{BagInfo, Info, package_id};
pub use law::{LAW_EXTENSION, LAW_LIMITS, LawInfo};
pub use seal::{check_recipient, is_sealed, seal, unseal};

/// The file name extension of a package.
pub const EXTENSION: &str = "anchi";
/// The format version written in `bag-info.txt` (`Package-Format: anchi-package 1`).
pub const FORMAT_VERSION: u32 = 1;

pub const BAGIT_TXT: &str = "bagit.txt";
pub const BAG_INFO_TXT: &str = "bag-info.txt";
pub const MANIFEST: &str = "manifest-sha256.txt";
pub const TAG_MANIFEST: &str = "tagmanifest-sha256.txt";
pub const SIGNATURE: &str = "tagmanifest-sha256.txt.minisig";
/// The case in the documented JSON format (`docs/case-format.md`).
pub const CASE_JSON: &str = "data/case.json";

const BAGIT_DECLARATION: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// Payload files: `data/…` paths and their bytes.
pub type Payload = Vec<(String, Vec<u8>)>;

/// How much a package may hold. A package is read into memory whole, so the limit also
/// bounds the memory a hostile file can make the reader take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most bytes of all files together (as declared and as read).
    pub max_total_bytes: u64,
    /// The most files.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // 20 photos of a few MB and the documents fit many times over; a bag of several
        // GB is a mistake or an attack.
        Limits { max_total_bytes: 1 << 30, max_files: 10_000 }
    }
}

/// A bag with its manifests written, waiting for its signature.
#[derive(Debug)]
pub struct Unsigned<I: Info = BagInfo> {
    pub info: I,
    payload: Payload,
    manifest: String,
    bag_info: String,
    tag_manifest: String,
}

impl<I: Info> Unsigned<I> {
    /// Lays out a bag. `payload` paths start with `data/`; they are sorted here, so the
    /// same files always give the same manifests.
    pub fn new(info: I, mut payload: Payload) -> Result<Unsigned<I>, PackageError> {
        payload.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, (path, _)) in payload.iter().enumerate() {
            if !path.starts_with("data/") || check_name(path).is_err() {
                return Err(PackageError::UnsafeName(path.clone()));
            }
            if i > 0 && payload[i - 1].0 == *path {
                return Err(PackageError::DuplicateName(path.clone()));
            }
        }
        let manifest = manifest_of(payload.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
        let bag_info = info.to_text(&payload);
        let tag_manifest = manifest_of([
            (BAGIT_TXT, BAGIT_DECLARATION.as_bytes()),
            (BAG_INFO_TXT, bag_info.as_bytes()),
            (MANIFEST, manifest.as_bytes()),
        ]);
        Ok(Unsigned { info, payload, manifest, bag_info, tag_manifest })
    }

    /// The bytes the signature covers.
    pub fn tag_manifest(&self) -> &str {
        &self.tag_manifest
    }

    /// The payload manifest (`manifest-sha256.txt`).
    pub fn manifest(&self) -> &str {
        &self.manifest
    }

    /// Writes the zip with `signature` (a minisign signature file's text).
    pub fn finish(self, signature: &str) -> Vec<u8> {
        let mut files: Vec<(&str, &[u8])> = vec![
            (BAGIT_TXT, BAGIT_DECLARATION.as_bytes()),
            (BAG_INFO_TXT, self.bag_info.as_bytes()),
            (MANIFEST, self.manifest.as_bytes()),
            (TAG_MANIFEST, self.tag_manifest.as_bytes()),
            (SIGNATURE, signature.as_bytes()),
        ];
        files.extend(self.payload.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
        write_zip(&files)
    }
}

/// The one way this format writes a zip: entries stored (not compressed), in the given
/// order, all dated 1980-01-01 00:00 with mode 0644 made by "Unix", no extra fields.
/// Reading checks that a package is exactly what this writes, so not one byte can change
/// unnoticed. The host is set, not left to the zip crate, which writes "MS-DOS" on
/// Windows: a package made on a Windows laptop must be the same bytes as on Linux.
fn write_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let size: usize = files.iter().map(|(n, b)| b.len() + 2 * n.len() + 100).sum();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(size + 100)));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .system(zip::System::Unix)
        .unix_permissions(0o644);
    for (name, bytes) in files {
        zip.start_file(*name, options).expect("writing a zip into memory cannot fail");
        zip.write_all(bytes).expect("writing a zip into memory cannot fail");
    }
    zip.finish().expect("writing a zip into memory cannot fail").into_inner()
}

/// A package read back whose structure and every hash hold, but whose signature has not
/// been checked yet ([`Opened::verify`]).
#[derive(Debug)]
pub struct Opened<I: Info = BagInfo> {
    pub info: I,
    /// The payload files in manifest order (`data/...`).
    pub payload: Payload,
    pub signature: String,
    tag_manifest: Vec<u8>,
    /// SHA-256 of the package file, hex.
    pub sha256: String,
}

/// A package whose signature was made by one of the trusted keys.
#[derive(Debug)]
pub struct Verified<I: Info = BagInfo> {
    pub opened: Opened<I>,
    /// The id of the key that signed it.
    pub key_id: String,
}

/// Unseals a package sealed to this reader (with its age `identity`) and reads it, checking
/// everything but the signature: what a laptop importing a colleague's package, the command
/// line inspecting one and the hub taking an upload all do first.
pub fn open_any(bytes: &[u8], identity: Option<&str>, limits: &Limits) -> Result<Opened, PackageError> {
    if is_sealed(bytes) {
        let identity = identity.ok_or(PackageError::SealedNeedsIdentity)?;
        return open(&unseal(bytes, identity)?, limits);
    }
    open(bytes, limits)
}

/// [`open_any`], then the signature against the `trusted` keys: every check of the format
/// the laptop and the hub share (the case file inside is read by `case_file::read`).
pub fn open_verified(
    bytes: &[u8],
    identity: Option<&str>,
    trusted: &[minisign::PublicKey],
    limits: &Limits,
) -> Result<Verified, PackageError> {
    open_any(bytes, identity, limits)?.verify(trusted)
}

/// Reads a package and checks everything but the signature: the zip is exactly as this
/// format writes it, names are safe, every payload file is in the manifest with its hash
/// and nothing else is there, the tag files are in the tag manifest with their hashes.
pub fn open(bytes: &[u8], limits: &Limits) -> Result<Opened, PackageError> {
    open_bag(bytes, limits)
}

/// [`open`] for a bag of any format: a case package or a law pack.
pub fn open_bag<I: Info>(bytes: &[u8], limits: &Limits) -> Result<Opened<I>, PackageError> {
    if bytes.len() as u64 > limits.max_total_bytes + (1 << 20) {
        return Err(PackageError::TooLarge { name: "(package)".into(), bytes: bytes.len() as u64 });
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| PackageError::NotAZip(e.to_string()))?;
    if archive.has_duplicate_names() {
        let start = archive.central_directory_start() as usize;
        let mut seen = BTreeSet::new();
        let dup = central_names(bytes.get(start..).unwrap_or_default()).into_iter().find(|n| !seen.insert(*n));
        return Err(PackageError::DuplicateName(String::from_utf8_lossy(dup.unwrap_or_default()).into_owned()));
    }
    if archive.len() > limits.max_files {
        return Err(PackageError::TooManyFiles(archive.len()));
    }
    let mut total = 0u64;
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut entry = archive.by_index_raw(index).map_err(|e| PackageError::NotAZip(e.to_string()))?;
        let name = String::from_utf8(entry.name_raw().to_vec())
            .map_err(|_| PackageError::UnsafeName(String::from_utf8_lossy(entry.name_raw()).into_owned()))?;
        check_name(&name)?;
        if entry.compression() != CompressionMethod::Stored || entry.compressed_size() != entry.size() {
            return Err(PackageError::Compressed(name));
        }
        total = total.saturating_add(entry.size());
        // A stored file cannot be larger than the package holding it: a bigger declared
        // size is a lie meant to make the reader allocate or read without end.
        if total > limits.max_total_bytes || entry.size() > bytes.len() as u64 {
            return Err(PackageError::TooLarge { name, bytes: entry.size() });
        }
        let size = entry.size();
        let mut content = Vec::with_capacity(size as usize);
        // Never read more than declared, whatever the reader underneath would give.
        (&mut entry).take(size).read_to_end(&mut content).map_err(|e| PackageError::NotAZip(e.to_string()))?;
        if content.len() as u64 != entry.size() {
            return Err(PackageError::NotAZip(format!("{name}: shorter than declared")));
        }
        drop(entry);
        files.push((name, content));
    }

    let mut tag: BTreeMap<&str, &[u8]> = BTreeMap::new();
    let mut payload: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (name, content) in &files {
        match name.as_str() {
            BAGIT_TXT | BAG_INFO_TXT | MANIFEST | TAG_MANIFEST | SIGNATURE => {
                tag.insert(name, content);
            }
            n if n.starts_with("data/") => {
                payload.insert(name, content);
            }
            _ => return Err(PackageError::ExtraFile(name.clone())),
        }
    }
    let tag_file = |name: &'static str| tag.get(name).copied().ok_or(PackageError::MissingTagFile(name));
    let text = |name: &'static str| {
        tag_file(name).and_then(|b| {
            std::str::from_utf8(b).map_err(|_| PackageError::BadTagFile { file: name, detail: "not UTF-8".into() })
        })
    };
    if tag_file(BAGIT_TXT)? != BAGIT_DECLARATION.as_bytes() {
        return Err(PackageError::BadTagFile { file: BAGIT_TXT, detail: "not a BagIt 1.0 declaration".into() });
    }
    let manifest = parse_manifest(MANIFEST, text(MANIFEST)?)?;
    check_against(&manifest, &payload, MANIFEST)?;
    let tag_manifest = parse_manifest(TAG_MANIFEST, text(TAG_MANIFEST)?)?;
    let tagged: BTreeMap<&str, &[u8]> = [BAGIT_TXT, BAG_INFO_TXT, MANIFEST]
        .into_iter()
        .map(|name| tag_file(name).map(|b| (name, b)))
        .collect::<Result<_, _>>()?;
    check_against(&tag_manifest, &tagged, TAG_MANIFEST)?;
    let info = I::parse(text(BAG_INFO_TXT)?)?;
    let signature = text(SIGNATURE)?.to_string();

    // The zip itself must be byte for byte what this format writes: a changed date, mode,
    // comment or padding is refused even though no file content changed.
    let order: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let expected_order =
        [BAGIT_TXT, BAG_INFO_TXT, MANIFEST, TAG_MANIFEST, SIGNATURE].into_iter().chain(manifest.keys().copied());
    let in_order = order.iter().map(|(n, _)| *n).eq(expected_order);
    if !in_order || write_zip(&order) != bytes {
        return Err(PackageError::NotCanonical);
    }

    let tag_manifest = tag_file(TAG_MANIFEST)?.to_vec();
    let sha256 = hex::encode(Sha256::digest(bytes));
    let payload_names: Vec<String> = manifest.keys().map(|s| s.to_string()).collect();
    drop(tag);
    drop(payload);
    let mut by_name: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
    let payload = payload_names.into_iter().map(|n| (n.clone(), by_name.remove(&n).unwrap_or_default())).collect();
    Ok(Opened { info, payload, signature, tag_manifest, sha256 })
}

impl Opened {
    /// The case file (`data/case.json`) as text.
    pub fn case_json(&self) -> Result<&str, PackageError> {
        let bytes =
            self.file(CASE_JSON).ok_or(PackageError::MissingFile { file: CASE_JSON.into(), manifest: MANIFEST })?;
        std::str::from_utf8(bytes)
            .map_err(|_| PackageError::BadTagFile { file: MANIFEST, detail: format!("{CASE_JSON} is not UTF-8") })
    }
}

impl<I: Info> Opened<I> {
    /// Checks the signature of the tag manifest against the trusted keys, and that its
    /// trusted comment names this package. The signing key must be the one `bag-info.txt`
    /// names.
    pub fn verify(self, trusted: &[minisign::PublicKey]) -> Result<Verified<I>, PackageError> {
        let signature = minisign::SignatureBox::from_string(&self.signature)
            .map_err(|e| PackageError::BadSignature(format!("{SIGNATURE} cannot be read: {e}")))?;
        let key_id = key_id_of(signature.keynum());
        if key_id != self.info.key_id() {
            return Err(PackageError::BadSignature(format!(
                "signed by key {key_id} but bag-info.txt names key {}",
                self.info.key_id()
            )));
        }
        let key =
            trusted.iter().find(|k| key_id_of(k.keynum()) == key_id).ok_or(PackageError::UnknownKey(key_id.clone()))?;
        minisign::verify(key, &signature, Cursor::new(&self.tag_manifest), true, false, false)
            .map_err(|e| PackageError::BadSignature(e.to_string()))?;
        // The signature does not cover the untrusted comment nor the file's layout: both
        // must be exactly as anchi writes them, so that no byte of a package changes unseen.
        let untrusted = signature.untrusted_comment().unwrap_or_default();
        if untrusted != self.info.untrusted_comment() || signature.to_string() != self.signature {
            return Err(PackageError::BadSignature(format!(
                "{SIGNATURE}: the untrusted comment {untrusted:?} or the layout is not as anchi writes it"
            )));
        }
        let comment = signature.trusted_comment().map_err(|e| PackageError::BadSignature(e.to_string()))?;
        if comment != self.info.trusted_comment() {
            return Err(PackageError::BadSignature(format!(
                "trusted comment {comment:?} is not {:?}",
                self.info.trusted_comment()
            )));
        }
        Ok(Verified { opened: self, key_id })
    }

    /// The signed tag manifest's bytes.
    pub fn tag_manifest(&self) -> &[u8] {
        &self.tag_manifest
    }

    /// One payload file's bytes.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.payload.iter().find(|(p, _)| p == path).map(|(_, b)| b.as_slice())
    }
}

/// The names in a zip's central directory, duplicates kept (the zip reader folds them).
fn central_names(mut cd: &[u8]) -> Vec<&[u8]> {
    let mut names = Vec::new();
    let field = |b: &[u8], at: usize| b.get(at..at + 2).map_or(0, |f| u16::from_le_bytes([f[0], f[1]]) as usize);
    while cd.starts_with(b"PK\x01\x02") {
        let (name, extra, comment) = (field(cd, 28), field(cd, 30), field(cd, 32));
        let Some(n) = cd.get(46..46 + name) else { break };
        names.push(n);
        cd = cd.get(46 + name + extra + comment..).unwrap_or_default();
    }
    names
}

/// A minisign key id as minisign prints it: the 8 bytes read little-endian, in hex.
pub fn key_id_of(keynum: &[u8]) -> String {
    let mut le = [0u8; 8];
    le.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(le))
}

/// The SHA-256 manifest of `files`, in the two-space `hash  path` form that BagIt and
/// `sha256sum -c` both read.
fn manifest_of<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    files.into_iter().map(|(path, bytes)| format!("{}  {path}\n", hex::encode(Sha256::digest(bytes)))).collect()
}

fn parse_manifest<'a>(file: &'static str, text: &'a str) -> Result<BTreeMap<&'a str, &'a str>, PackageError> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let (hash, path) = line
            .split_once("  ")
            .filter(|(h, _)| is_sha256_hex(h))
            .ok_or_else(|| PackageError::BadTagFile { file, detail: format!("line {line:?} is not `sha256  path`") })?;
        if out.insert(path, hash).is_some() {
            return Err(PackageError::BadTagFile { file, detail: format!("{path} is listed twice") });
        }
    }
    Ok(out)
}

/// Every file listed is present with its hash, and every present file is listed.
fn check_against(
    listed: &BTreeMap<&str, &str>,
    present: &BTreeMap<&str, &[u8]>,
    manifest: &'static str,
) -> Result<(), PackageError> {
    if let Some(extra) = present.keys().find(|name| !listed.contains_key(*name)) {
        return Err(PackageError::NotInManifest { file: extra.to_string(), manifest });
    }
    for (path, hash) in listed {
        let bytes = present.get(path).ok_or_else(|| PackageError::MissingFile { file: path.to_string(), manifest })?;
        if hex::encode(Sha256::digest(bytes)) != *hash {
            return Err(PackageError::HashMismatch { file: path.to_string(), manifest });
        }
    }
    Ok(())
}

pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Names are relative paths of plain ASCII segments (letters, digits, `.`, `-`, `_`), none
/// of them `.` or `..`: nothing a careless unzip could write outside its folder.
fn check_name(name: &str) -> Result<(), PackageError> {
    let segment_ok = |s: &str| {
        !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if name.len() > 200 || !name.split('/').all(segment_ok) {
        return Err(PackageError::UnsafeName(name.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every central-directory entry of the canonical zip says "made by Unix" with mode
    /// 0644, whatever system wrote it: the bytes are the same on a Windows laptop and a Linux
    /// hub. (Run natively here this holds before and after the fix; the Windows build run
    /// under Wine is what shows the difference.)
    #[test]
    fn the_canonical_zip_is_the_same_on_every_system() {
        let bytes = write_zip(&[("bagit.txt", b"x"), ("data/a.txt", b"abc")]);
        let mut entries = 0;
        for at in bytes.windows(4).enumerate().filter(|(_, w)| *w == b"PK\x01\x02").map(|(i, _)| i) {
            let made_by_system = bytes[at + 5];
            let external = u32::from_le_bytes(bytes[at + 38..at + 42].try_into().unwrap());
            assert_eq!(made_by_system, 3, "version made by: Unix");
            assert_eq!(external >> 16, 0o100644, "mode 0644, a regular file");
            entries += 1;
        }
        assert_eq!(entries, 2);
    }

    #[test]
    fn names_that_could_escape_the_folder_are_refused() {
        for bad in ["../x", "data/../../etc/passwd", "/etc/passwd", "data//x", "data/./x", "data/a b", "data\\x", ""] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["data/case.json", "data/documents/01-qd-kiem-tra.pdf", BAGIT_TXT, SIGNATURE] {
            assert!(check_name(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn manifests_are_in_the_form_sha256sum_reads() {
        let m = manifest_of([("data/a.txt", b"abc".as_slice())]);
        assert_eq!(m, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  data/a.txt\n");
        assert_eq!(parse_manifest(MANIFEST, &m).unwrap().get("data/a.txt").map(|h| h.len()), Some(64));
        assert!(parse_manifest(MANIFEST, "abc data/a.txt\n").is_err());
    }
}
