//! The device signing key: one minisign (Ed25519) key per laptop, its secret half
//! encrypted with a passphrase (minisign's scrypt scheme), kept in the database's `meta`
//! table so it travels with a backup. Making and rotating it are journalled.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AppError, Workspace};
use crate::domain::Bilingual;
use crate::package::key_id_of;

const DEVICE_KEY: &str = "device_key";
const RETIRED_KEYS: &str = "retired_keys";
/// The passphrase of the demo unit's key (written in the README; demo data only).
pub const DEMO_PASSPHRASE: &str = "demo";

/// The device key as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKey {
    /// Minisign's key id, 16 hex digits.
    pub key_id: String,
    /// The public key in minisign's base64 form (what `minisign -P` takes).
    pub public_key: String,
    /// The encrypted secret key file's text (`untrusted comment: …` and base64).
    pub secret_key: String,
    pub created_at: DateTime<Utc>,
}

/// What the province needs to enrol this laptop (`anchi key show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub team_id: String,
    pub key_id: String,
    pub public_key: String,
}

/// Why a key operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("this laptop has no signing key yet: run `anchi key init`")]
    NoKey,
    #[error("this laptop already has signing key {0}; use `anchi key rotate` to replace it")]
    Exists(String),
    #[error("the passphrase does not open signing key {0}")]
    WrongPassphrase(String),
    #[error("the passphrase must have at least {0} characters")]
    ShortPassphrase(usize),
    #[error("no unit is set up: the key belongs to a team")]
    NoUnit,
    #[error("no passphrase: set ANCHI_KEY_PASSPHRASE or run on a terminal")]
    NoPassphrase,
    #[error("the two passphrases typed differ")]
    PassphrasesDiffer,
    #[error("stored signing key cannot be read: {0}")]
    Damaged(String),
}

impl Bilingual for KeyError {
    fn vi(&self) -> String {
        match self {
            KeyError::NoKey => "Máy chưa có khóa ký: khóa được tạo khi thiết lập đơn vị".into(),
            KeyError::Exists(id) => format!("Máy đã có khóa ký {id}; muốn thay thì dùng “đổi khóa”"),
            KeyError::WrongPassphrase(_) => "Mật khẩu của khóa ký không đúng".into(),
            KeyError::ShortPassphrase(n) => format!("Mật khẩu của khóa ký phải có ít nhất {n} ký tự"),
            KeyError::NoUnit => "Chưa thiết lập đơn vị: khóa ký thuộc về một Đội".into(),
            KeyError::NoPassphrase => {
                "Cần mật khẩu của khóa ký (gõ trên cửa sổ lệnh hoặc đặt ANCHI_KEY_PASSPHRASE)".into()
            }
            KeyError::PassphrasesDiffer => "Hai lần nhập mật khẩu không giống nhau".into(),
            KeyError::Damaged(_) => "Khóa ký lưu trên máy bị hỏng".into(),
        }
    }
}

/// The shortest passphrase accepted for a real unit (the demo unit's is "demo").
pub(crate) const MIN_PASSPHRASE: usize = 8;

impl Workspace {
    /// The device key, if one was made.
    pub fn device_key(&self) -> Result<Option<DeviceKey>, AppError> {
        Ok(self.store.meta::<DeviceKey>(DEVICE_KEY)?)
    }

    /// Keys this laptop used before a rotation, oldest first.
    pub fn retired_keys(&self) -> Result<Vec<DeviceKey>, AppError> {
        Ok(self.store.meta::<Vec<DeviceKey>>(RETIRED_KEYS)?.unwrap_or_default())
    }

    /// Makes the device key (set-up). Refused when one exists: a key is replaced only by
    /// rotating it, so the change is journalled and the old key kept for old packages.
    pub fn init_key(&self, passphrase: &str) -> Result<DeviceKey, AppError> {
        if let Some(key) = self.device_key()? {
            return Err(KeyError::Exists(key.key_id).into());
        }
        let key = self.new_key(passphrase)?;
        self.store.write(&self.actor(), |w| w.put_meta(DEVICE_KEY, &key, &format!("key.init {}", key.key_id)))?;
        Ok(key)
    }

    /// Replaces the device key with a new one; the old one is kept among the retired keys
    /// and the change is journalled with both ids. The province must enrol the new key.
    pub fn rotate_key(&self, passphrase: &str) -> Result<(DeviceKey, DeviceKey), AppError> {
        self.require(super::users::Permission::RotateKey)?;
        let old = self.device_key()?.ok_or(KeyError::NoKey)?;
        let new = self.new_key(passphrase)?;
        let mut retired = self.retired_keys()?;
        retired.push(old.clone());
        self.store.write(&self.actor(), |w| {
            w.put_meta(RETIRED_KEYS, &retired, "key.retire")?;
            w.put_meta(DEVICE_KEY, &new, &format!("key.rotate {} {}", old.key_id, new.key_id))
        })?;
        Ok((old, new))
    }

    /// The lines `anchi key show` prints.
    pub fn enrolment(&self) -> Result<Enrolment, AppError> {
        let key = self.device_key()?.ok_or(KeyError::NoKey)?;
        let unit = self.unit().ok_or(KeyError::NoUnit)?;
        Ok(Enrolment { team_id: unit.code.clone(), key_id: key.key_id, public_key: key.public_key })
    }

    fn new_key(&self, passphrase: &str) -> Result<DeviceKey, AppError> {
        let unit = self.unit().ok_or(KeyError::NoUnit)?;
        new_key_for(unit, passphrase)
    }

    /// Writes a new device key inside a transaction of the caller's (the set-up).
    pub(crate) fn put_device_key(w: &mut crate::store::Writer, key: &DeviceKey) -> Result<(), AppError> {
        Ok(w.put_meta(DEVICE_KEY, key, &format!("key.init {}", key.key_id))?)
    }
}

/// A new device key for `unit`, its secret half sealed by `passphrase`.
pub(crate) fn new_key_for(unit: &crate::domain::Unit, passphrase: &str) -> Result<DeviceKey, AppError> {
    let min = if unit.demo { DEMO_PASSPHRASE.len() } else { MIN_PASSPHRASE };
    if passphrase.chars().count() < min {
        return Err(KeyError::ShortPassphrase(min).into());
    }
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some(passphrase.to_string()))
        .map_err(|e| KeyError::Damaged(e.to_string()))?;
    let key_id = key_id_of(pair.pk.keynum());
    let comment = format!("anchi device key {key_id} of {}", unit.code);
    let secret_key = pair.sk.to_box(Some(&comment)).map_err(|e| KeyError::Damaged(e.to_string()))?.into_string();
    Ok(DeviceKey { key_id, public_key: pair.pk.to_base64(), secret_key, created_at: Utc::now() })
}

/// Opens a stored key's secret half with its passphrase (scrypt: a tenth of a second or so).
pub fn unlock(key: &DeviceKey, passphrase: &str) -> Result<minisign::SecretKey, KeyError> {
    let boxed = minisign::SecretKeyBox::from_string(&key.secret_key).map_err(|e| KeyError::Damaged(e.to_string()))?;
    boxed.into_secret_key(Some(passphrase.to_string())).map_err(|_| KeyError::WrongPassphrase(key.key_id.clone()))
}

/// Reads a trusted public key given on the command line: minisign's base64 form, or the
/// path of a minisign `.pub` file.
pub fn parse_public_key(text: &str) -> Result<minisign::PublicKey, String> {
    let text = text.trim();
    if let Ok(key) = minisign::PublicKey::from_base64(text) {
        return Ok(key);
    }
    let file =
        std::fs::read_to_string(text).map_err(|_| format!("{text:?} is neither a public key nor a readable file"))?;
    minisign::PublicKeyBox::from_string(&file)
        .and_then(|b| b.into_public_key())
        .or_else(|_| {
            let line = file.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("");
            minisign::PublicKey::from_base64(line)
        })
        .map_err(|e| format!("{text}: not a minisign public key ({e})"))
}
