//! Sending the team's cases to the provincial server: the server settings, and one pass
//! that packages every case whose newest content the hub has not acknowledged, uploads it,
//! keeps the signed receipt, and fetches the offender index.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::keys::{KeyError, unlock};
use super::{AppError, Workspace};
use crate::domain::Bilingual;
use crate::sync::{Client, SyncError, UploadStats};

const SERVER_KEY: &str = "server";

/// The meta key of the screen lock's idle minutes.
const LOCK_KEY: &str = "lock_minutes";

/// Where the province's server is and how to trust it (`anchi config set server.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSettings {
    pub url: Option<String>,
    /// The province's CA certificate(s), PEM: the only certificates trusted.
    pub ca_pem: Option<String>,
    /// The hub's public key (minisign base64), to check receipts and the offender index.
    pub hub_key: Option<String>,
}

/// What one sync pass did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// New package versions made.
    pub exported: u32,
    /// Packages sent and acknowledged now.
    pub uploaded: u32,
    /// Cases already acknowledged, nothing to send.
    pub up_to_date: u32,
    /// Cases that could not be sent, with the reason (Vietnamese).
    pub failed: Vec<(Uuid, String)>,
    pub stats: UploadStats,
    /// Entries in the copy of the offender index after the pass (None when the hub's
    /// changes could not be taken).
    pub index_entries: Option<usize>,
    /// Cases whose index entries changed in the pass (0: the copy was current).
    pub index_changes: usize,
    /// A newer law pack the province serves, applied (in force from the next opening).
    pub law_applied: Option<super::law::LawStatus>,
    /// Why a newer law pack the province serves was refused (Vietnamese); the law in force
    /// is unchanged.
    pub law_refused: Option<String>,
    /// The cases' stages the hub heard (live status); None when it could not hear them (a
    /// hub of before, without live status).
    pub live: Option<super::live::LiveReport>,
}

/// A setting that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct SettingError {
    pub name: String,
    /// What is wrong, in English (logs).
    pub problem: String,
    /// What is wrong, in Vietnamese (the member).
    pub problem_vi: String,
}

impl SettingError {
    pub fn new(name: &str, problem_vi: impl Into<String>, problem: impl Into<String>) -> SettingError {
        SettingError { name: name.into(), problem: problem.into(), problem_vi: problem_vi.into() }
    }
}

impl Bilingual for SettingError {
    fn vi(&self) -> String {
        // The member sees what the setting is and what is wrong in words, not codes.
        let what = match self.name.as_str() {
            "server.url" => "Địa chỉ máy chủ của Chi cục",
            "server.ca" | "--ca" => "Chứng chỉ của Chi cục",
            "server.hub_key" => "Khóa của máy chủ Chi cục",
            "lock.minutes" => "Thời gian tự khóa màn hình",
            "offender_index" => "Danh sách đối tượng đã xử phạt của tỉnh",
            other => other,
        };
        format!("{what}: {}", self.problem_vi)
    }
}

/// The faces' schedule of sending, and how a pass ended (the faces reach `sync` through here).
pub use crate::sync::{PassEnd, Schedule};

/// How a pass ended, for the faces' [`crate::sync::Schedule`]: only an unreachable hub is
/// worth waiting for; any other error stops the sending until the member acts.
pub fn pass_end(result: &Result<SyncReport, AppError>) -> crate::sync::PassEnd {
    match result {
        Ok(_) => crate::sync::PassEnd::Done,
        Err(AppError::Sync(crate::sync::SyncError::Unreachable(_))) => crate::sync::PassEnd::Unreachable,
        Err(_) => crate::sync::PassEnd::Refused,
    }
}

impl Workspace {
    pub fn server_settings(&self) -> Result<ServerSettings, AppError> {
        Ok(self.store.meta::<ServerSettings>(SERVER_KEY)?.unwrap_or_default())
    }

    /// Stores one setting: `server.url` (https://…), `server.ca` (path of a PEM file, whose
    /// content is kept), `server.hub_key` (the hub's minisign public key), `lock.minutes`
    /// (the screen lock after inactivity, 1–120).
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), AppError> {
        // Where the team's packages go and whom its receipts are believed from: a leader's
        // call, as is how soon an unattended laptop locks.
        self.require(super::users::Permission::Settings)?;
        if name == "lock.minutes" {
            let minutes = value.trim().parse::<u32>().ok().filter(|m| (1..=120).contains(m));
            let minutes = minutes.ok_or_else(|| {
                SettingError::new(name, "phải là số phút từ 1 đến 120", "a whole number of minutes from 1 to 120")
            })?;
            self.store.write(&self.actor(), |w| w.put_meta(LOCK_KEY, &minutes, "config.set lock.minutes"))?;
            return Ok(());
        }
        let settings = with_setting(self.server_settings()?, name, value)?;
        self.store.write(&self.actor(), |w| w.put_meta(SERVER_KEY, &settings, &format!("config.set {name}")))?;
        Ok(())
    }

    /// Stores the server's address and, unless left empty while one is already kept, its
    /// certificate file, together: a refused certificate leaves the address as it was.
    pub fn set_server(&self, url: &str, ca_file: &str) -> Result<(), AppError> {
        self.require(super::users::Permission::Settings)?;
        let mut settings = with_setting(self.server_settings()?, "server.url", url)?;
        if !(ca_file.trim().is_empty() && settings.ca_pem.is_some()) {
            settings = with_setting(settings, "server.ca", ca_file.trim())?;
        }
        self.store.write(&self.actor(), |w| w.put_meta(SERVER_KEY, &settings, "config.set server"))?;
        Ok(())
    }

    /// Writes the server settings inside a transaction of the caller's (the set-up).
    pub(crate) fn put_server_settings(w: &mut crate::store::Writer, settings: &ServerSettings) -> Result<(), AppError> {
        Ok(w.put_meta(SERVER_KEY, settings, "config.set server")?)
    }
}

/// `settings` with one server setting changed, or why the value is refused.
pub(crate) fn with_setting(mut settings: ServerSettings, name: &str, value: &str) -> Result<ServerSettings, AppError> {
    let bad = |vi: String, en: String| AppError::Setting(SettingError::new(name, vi, en));
    match name {
        "server.url" => {
            let url = value.trim();
            if !url.starts_with("https://") || url.len() <= "https://".len() {
                return Err(bad("phải là địa chỉ bắt đầu bằng https://".into(), "must be an https:// address".into()));
            }
            settings.url = Some(url.trim_end_matches('/').to_string());
        }
        "server.ca" => {
            let pem = std::fs::read_to_string(value)
                .map_err(|e| bad(format!("không đọc được tệp {value} ({e})"), format!("{value}: {e}")))?;
            if crate::sync::ca_certificates(pem.as_bytes()).is_empty() {
                return Err(bad(
                    format!("tệp {value} không chứa chứng chỉ (dạng PEM)"),
                    format!("{value}: no PEM certificate in the file"),
                ));
            }
            settings.ca_pem = Some(pem);
        }
        "server.hub_key" => {
            minisign::PublicKey::from_base64(value.trim())
                .map_err(|e| bad("không phải khóa của máy chủ".into(), format!("not a minisign public key ({e})")))?;
            settings.hub_key = Some(value.trim().to_string());
        }
        _ => {
            let known = "server.url, server.ca, server.hub_key, lock.minutes";
            return Err(bad(format!("không có thiết lập này ({known})"), format!("unknown setting ({known})")));
        }
    }
    Ok(settings)
}

impl Workspace {
    /// How long the window waits without input before it locks (`lock.minutes`, default 10).
    pub fn lock_after(&self) -> std::time::Duration {
        let minutes = self.store.meta::<u32>(LOCK_KEY).ok().flatten().unwrap_or(10);
        std::time::Duration::from_secs(u64::from(minutes) * 60)
    }

    /// A client for the configured server (`url` and `ca_pem` override the settings).
    pub fn sync_client(&self, passphrase: &str, url: Option<&str>, ca_pem: Option<&str>) -> Result<Client, AppError> {
        let settings = self.server_settings()?;
        let url = url.map(str::to_string).or(settings.url).ok_or(SyncError::NotSet("server.url"))?;
        let ca = ca_pem.map(str::to_string).or(settings.ca_pem).ok_or(SyncError::NotSet("server.ca"))?;
        let key = self.device_key()?.ok_or(KeyError::NoKey)?;
        let secret = unlock(&key, passphrase)?;
        Ok(Client::new(&url, ca.as_bytes(), &key.key_id, secret)?)
    }

    /// One pass: every case with a finalised document whose newest content the hub has not
    /// acknowledged is packaged (a new version only if it changed) and uploaded; receipts
    /// are kept; then the offender index is fetched. A case that fails does not stop the
    /// others; a refusal of the whole connection (certificate, key) stops the pass.
    pub fn sync(
        &self,
        client: &Client,
        passphrase: &str,
        progress: &dyn Fn(usize, usize),
    ) -> Result<SyncReport, AppError> {
        let hub_key = self.server_settings()?.hub_key.and_then(|k| minisign::PublicKey::from_base64(&k).ok());
        let mut report = SyncReport::default();
        // The stages first: the province knows what is under way before the packages arrive.
        match self.send_status(client) {
            Ok(live) => report.live = Some(live),
            Err(AppError::Sync(e @ (SyncError::Tls(_) | SyncError::Unreachable(_)))) => return Err(e.into()),
            Err(_) => {}
        }
        let cases: Vec<Uuid> =
            self.list_cases()?.into_iter().filter(|s| s.documents_finalised > 0).map(|s| s.id).collect();
        for (i, &case_id) in cases.iter().enumerate() {
            progress(i, cases.len());
            let records = self.package_versions(case_id)?;
            let json = match self.export_case(case_id) {
                Ok(json) => format!("{json}\n"),
                Err(e) => {
                    report.failed.push((case_id, e.vi()));
                    continue;
                }
            };
            let current = hex::encode(Sha256::digest(json.as_bytes()));
            let acknowledged =
                records.last().is_some_and(|r| r.receipt.is_some() && r.case_json_sha256 == current && !r.imported);
            if acknowledged {
                report.up_to_date += 1;
                continue;
            }
            // One case that cannot be packaged (a missing attachment …) is reported and the
            // others go on; a wrong passphrase or a missing key stops the pass.
            let exported = match self.export_package(case_id, passphrase, None, &|_| {}) {
                Ok(exported) => exported,
                Err(e @ AppError::Key(_)) => return Err(e),
                Err(e) => {
                    report.failed.push((case_id, e.vi()));
                    continue;
                }
            };
            if exported.new_version {
                report.exported += 1;
            }
            let sent = client.upload(&exported.info.package_id(), &exported.bytes, &|_, _| {});
            match sent {
                Ok((signed, stats)) => {
                    report.stats.sent += stats.sent;
                    report.stats.resent += stats.resent;
                    report.stats.cuts += stats.cuts;
                    let receipt = signed.open(hub_key.as_ref()).map_err(SyncError::Protocol)?;
                    if receipt.sha256 != exported.sha256 {
                        return Err(SyncError::Protocol("the receipt names another file".into()).into());
                    }
                    self.keep_receipt(case_id, &exported.sha256, &signed)?;
                    report.uploaded += 1;
                }
                Err(e @ (SyncError::Tls(_) | SyncError::Settings(_) | SyncError::Unreachable(_))) => {
                    return Err(e.into());
                }
                Err(SyncError::Refused { refusal, .. })
                    if matches!(refusal.error.as_str(), "unknown_key" | "revoked_key" | "stale_request") =>
                {
                    return Err(SyncError::Refused { status: 401, refusal }.into());
                }
                Err(e) => report.failed.push((case_id, e.vi())),
            }
        }
        progress(cases.len(), cases.len());
        match self.take_index_changes(client, hub_key.as_ref()) {
            Ok(taken) => {
                report.index_entries = Some(usize::try_from(taken.state.entries).unwrap_or(usize::MAX));
                report.index_changes = taken.changed;
            }
            Err(e) => eprintln!("sync: offender index not taken: {e}"),
        }
        self.fetch_law(client, &mut report);
        Ok(report)
    }

    /// Takes a newer law pack the province serves: fetched, checked whole against the
    /// pinned law key and applied, or refused with the reason. A server that serves none, or
    /// that cannot be reached now, changes nothing.
    fn fetch_law(&self, client: &Client, report: &mut SyncReport) {
        let Ok(Some(served)) = client.law_version() else { return };
        let applied = self.store.meta::<u32>(super::law::LAW_VERSION_KEY).ok().flatten().unwrap_or(0);
        if served.version <= self.law().version.max(applied) {
            return;
        }
        if served.size > crate::package::LAW_LIMITS.max_total_bytes + (1 << 20) {
            report.law_refused = Some(format!("gói quy định {} byte, quá lớn: không tải", served.size));
            return;
        }
        let applied = client.law_pack().map_err(AppError::from).and_then(|bytes| {
            if hex::encode(Sha256::digest(&bytes)) != served.sha256 {
                return Err(SyncError::Protocol("the law pack differs from the one announced".into()).into());
            }
            self.apply_law(&bytes)
        });
        match applied {
            Ok(status) => report.law_applied = Some(status),
            Err(e) => report.law_refused = Some(e.vi()),
        }
    }

    /// Keeps a receipt with the package version it acknowledges.
    fn keep_receipt(
        &self,
        case_id: Uuid,
        sha256: &str,
        receipt: &crate::protocol::SignedReceipt,
    ) -> Result<(), AppError> {
        let text = serde_json::to_string(receipt).expect("receipts serialise");
        self.store.write(&self.actor(), |w| -> Result<(), AppError> {
            let mut records = w.packages(case_id)?;
            let Some(record) = records.iter_mut().find(|r| r.sha256 == sha256) else { return Ok(()) };
            record.receipt = Some(text.clone());
            let version = record.version;
            w.put_packages(case_id, &records)?;
            w.note_case(case_id, &format!("package.receipt v{version} {sha256}"))?;
            Ok(())
        })
    }
}
