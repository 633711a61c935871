//! Scripted set-up of a team laptop (`anchi init --profile FILE.toml`): the unit (its
//! province, its names in force from each date, the abbreviation for document numbers),
//! its members and their roles, the device signing key, and optionally the provincial
//! server. The profile is checked whole before anything is stored.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::keys::DeviceKey;
use super::{AppError, Workspace};
use crate::domain::{Bilingual, Member, Role, Unit, UnitNames, ValidationReport};

/// What a set-up made: the device key, and the temporary password of each member who chose
/// none (to hand over once; it must be changed at the first sign-in).
#[derive(Debug)]
pub struct SetUp {
    pub key: DeviceKey,
    pub passwords: Vec<(Member, String)>,
}

/// The profile file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub unit: ProfileUnit,
    pub members: Vec<Member>,
    #[serde(default)]
    pub server: Option<ProfileServer>,
    /// The law key (minisign public key, base64) law packs must be signed with
    /// (`docs/law-pack.md`); without it the laptop keeps the law built into the program.
    #[serde(default)]
    pub law_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUnit {
    /// A short stable code, e.g. "LS-D1" (the team's id at the provincial server).
    pub code: String,
    pub province_code: u16,
    /// Name versions, oldest first.
    pub names: Vec<UnitNames>,
}

/// The provincial server, when the team works connected.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileServer {
    pub url: String,
    /// The province's CA certificate (PEM), relative to the profile file.
    pub ca_file: String,
    /// The hub's minisign public key.
    pub hub_key: Option<String>,
}

/// A problem of the profile, named by its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
struct ProfileProblem {
    vi: String,
    en: String,
}

impl Bilingual for ProfileProblem {
    fn vi(&self) -> String {
        self.vi.clone()
    }
}

fn problem(report: &mut ValidationReport, field: &str, vi: &str, en: &str) {
    report.error(field, &ProfileProblem { vi: vi.into(), en: en.into() });
}

/// The checks every member passes, at set-up and when added later: a name, and a card
/// number that is not empty and not `taken` by another member. Fields are named `{at}full_name`.
pub(crate) fn check_member(report: &mut ValidationReport, at: &str, m: &Member, taken: bool) {
    if m.full_name.trim().is_empty() {
        problem(report, &format!("{at}full_name"), "Chưa ghi họ tên", "empty name");
    }
    for (field, label, text) in [("full_name", "Họ tên", &m.full_name), ("title", "Chức vụ", &m.title)] {
        super::printable::check(report, text, || (format!("{at}{field}"), label.into()));
    }
    if m.card_number.trim().is_empty() || taken {
        problem(
            report,
            &format!("{at}card_number"),
            "Số thẻ kiểm tra trống hoặc trùng với người khác",
            "card number empty or repeated",
        );
    }
}

impl Profile {
    /// Reads a profile file; a syntax error is reported with its place.
    pub fn read(path: &Path) -> Result<Profile, AppError> {
        let text = std::fs::read_to_string(path).map_err(|e| AppError::Files(format!("{}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            let mut report = ValidationReport::default();
            problem(
                &mut report,
                &path.display().to_string(),
                &format!("Tệp thiết lập sai cú pháp: {e}"),
                &e.to_string(),
            );
            AppError::Invalid(report)
        })
    }

    /// Every problem of the profile against the reference data.
    pub fn check(&self, ws: &Workspace) -> ValidationReport {
        let mut r = ValidationReport::default();
        if self.law_key.as_deref().is_some_and(|k| minisign::PublicKey::from_base64(k.trim()).is_err()) {
            problem(
                &mut r,
                "law_key",
                "Khóa ký quy định không phải khóa công khai minisign (base64)",
                "law_key: not a minisign public key in base64",
            );
        }
        let code_ok = !self.unit.code.is_empty()
            && self.unit.code.len() <= 32
            && self.unit.code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !code_ok {
            problem(
                &mut r,
                "unit.code",
                "Mã đơn vị chỉ gồm chữ in hoa không dấu, số và dấu gạch (tối đa 32 ký tự)",
                "unit code: A–Z, 0–9 and '-', at most 32",
            );
        }
        if ws.reference.admin_units.province(self.unit.province_code).is_none() {
            problem(
                &mut r,
                "unit.province_code",
                "Mã tỉnh không có trong danh mục đơn vị hành chính 2025",
                "unknown province code",
            );
        }
        if self.unit.names.is_empty() {
            problem(&mut r, "unit.names", "Cần ít nhất một bộ tên đơn vị", "at least one set of names is needed");
        }
        for (i, n) in self.unit.names.iter().enumerate() {
            for (field, value) in [("parent_body", &n.parent_body), ("chi_cuc", &n.chi_cuc), ("doi", &n.doi)] {
                if value.trim().is_empty() {
                    problem(&mut r, &format!("unit.names[{i}].{field}"), "Chưa ghi tên", "empty name");
                }
                super::printable::check(&mut r, value, || (format!("unit.names[{i}].{field}"), "Tên đơn vị".into()));
            }
            if n.abbreviation.is_empty()
                || !n.abbreviation.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                problem(
                    &mut r,
                    &format!("unit.names[{i}].abbreviation"),
                    "Chữ viết tắt trong số văn bản chỉ gồm chữ in hoa không dấu và số",
                    "abbreviation: A–Z and 0–9",
                );
            }
        }
        if self.unit.names.windows(2).any(|w| w[0].valid_from >= w[1].valid_from) {
            problem(
                &mut r,
                "unit.names",
                "Các bộ tên phải xếp theo ngày hiệu lực tăng dần",
                "names must be in order of their dates",
            );
        }
        let mut cards = BTreeSet::new();
        for (i, m) in self.members.iter().enumerate() {
            let taken = !cards.insert(m.card_number.trim());
            check_member(&mut r, &format!("members[{i}]."), m, taken);
        }
        if !self.members.iter().any(|m| m.role == Role::Leader) {
            problem(
                &mut r,
                "members",
                "Cần ít nhất một người có vai trò lãnh đạo đội (leader) để ký quyết định",
                "at least one leader is needed to sign decisions",
            );
        }
        r
    }
}

impl Workspace {
    /// Sets this data directory up from `profile` (its server's CA file read relative to
    /// `profile_dir`), with the passwords members `chosen` (by card number): refused whole, with every problem named, when the profile is wrong or
    /// a real unit is already set up here; then the unit, the device key (with
    /// `passphrase`) and the server settings are stored.
    pub fn init_from_profile(
        &mut self,
        profile: &Profile,
        profile_dir: &Path,
        passphrase: &str,
        chosen: &std::collections::BTreeMap<String, String>,
    ) -> Result<SetUp, AppError> {
        if let Some(unit) = self.unit().filter(|u| !u.demo) {
            return Err(AppError::RealUnitPresent { unit: unit.code.clone() });
        }
        let mut report = profile.check(self);
        if self.case_count()? > 0 || self.device_key()?.is_some() {
            problem(
                &mut report,
                "data_dir",
                "Thư mục dữ liệu này đã có dữ liệu; hãy thiết lập trên thư mục mới",
                "this data directory already holds data; set up a new one",
            );
        }
        if let Some(server) = &profile.server {
            let pem = std::fs::read_to_string(profile_dir.join(&server.ca_file)).unwrap_or_default();
            if !pem.contains("BEGIN CERTIFICATE") {
                problem(
                    &mut report,
                    "server.ca_file",
                    "Không đọc được chứng thư CA (PEM) của Chi cục",
                    "cannot read the CA certificate (PEM)",
                );
            }
        }
        for (i, m) in profile.members.iter().enumerate() {
            if chosen.get(&m.card_number).is_some_and(|p| p.chars().count() < super::users::MIN_PASSWORD) {
                report.error(format!("members[{i}].password"), &super::users::UserError::TooShort);
            }
        }
        let min = super::keys::MIN_PASSPHRASE;
        if passphrase.chars().count() < min {
            problem(
                &mut report,
                "passphrase",
                &format!("Mật khẩu khóa ký cần ít nhất {min} ký tự"),
                &format!("the key passphrase needs at least {min} characters"),
            );
        }
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        // Everything is made and checked first — the settings, the key, the accounts — and
        // stored in one transaction: a set-up killed half-way leaves nothing behind, and
        // running it again starts afresh.
        let settings = match &profile.server {
            Some(server) => {
                let ca = profile_dir.join(&server.ca_file).display().to_string();
                let mut s = super::sync::with_setting(self.server_settings()?, "server.url", &server.url)?;
                s = super::sync::with_setting(s, "server.ca", &ca)?;
                if let Some(hub_key) = &server.hub_key {
                    s = super::sync::with_setting(s, "server.hub_key", hub_key)?;
                }
                Some(s)
            }
            None => None,
        };
        let unit = Unit {
            code: profile.unit.code.clone(),
            province_code: profile.unit.province_code,
            names: profile.unit.names.clone(),
            members: profile.members.clone(),
            demo: false,
        };
        let key = super::keys::new_key_for(&unit, passphrase)?;
        // A member who chose no password gets a temporary one, shown once and changed at
        // the first sign-in.
        let mut accounts = Vec::new();
        let mut temporary = Vec::new();
        for m in &profile.members {
            match chosen.get(&m.card_number) {
                Some(password) => accounts.push((m.card_number.clone(), password.clone(), false)),
                None => {
                    let password = super::users::temporary_password();
                    accounts.push((m.card_number.clone(), password.clone(), true));
                    temporary.push((m.clone(), password));
                }
            }
        }
        let accounts = super::users::new_accounts(&accounts);
        self.store.write(&self.actor(), |w| {
            if let Some(settings) = &settings {
                Workspace::put_server_settings(w, settings)?;
            }
            Workspace::put_unit(w, &unit)?;
            if let Some(law_key) = &profile.law_key {
                w.put_meta(super::law::LAW_KEY_KEY, &law_key.trim().to_string(), "law.key.pin")?;
            }
            Workspace::put_device_key(w, &key)?;
            Workspace::put_accounts(w, &accounts)
        })?;
        self.unit_stored(unit);
        Ok(SetUp { key, passwords: temporary })
    }
}
