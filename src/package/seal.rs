//! Sealing a package for USB transport: the whole `.anchi` file encrypted with age to the
//! provincial server's X25519 recipient (`age1…`), so a lost stick exposes nothing.
//! A sealed file is an ordinary age file: `age -d -i server.key` opens it too.

use std::str::FromStr;

use super::PackageError;

/// The first line of every binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// Whether `bytes` are a sealed (age-encrypted) package.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(AGE_MAGIC)
}

/// Reads a recipient (`age1…`), so a typo is refused before any work is done.
pub fn check_recipient(recipient: &str) -> Result<age::x25519::Recipient, PackageError> {
    age::x25519::Recipient::from_str(recipient.trim())
        .map_err(|e| PackageError::BadRecipient { recipient: recipient.to_string(), detail: e.to_string() })
}

/// Encrypts a package to one recipient (`age1…`).
pub fn seal(package: &[u8], recipient: &str) -> Result<Vec<u8>, PackageError> {
    let parsed = check_recipient(recipient)?;
    age::encrypt(&parsed, package)
        .map_err(|e| PackageError::BadRecipient { recipient: recipient.to_string(), detail: e.to_string() })
}

/// Decrypts a sealed package with an identity file's text (the `AGE-SECRET-KEY-1…` line;
/// comment lines are skipped, as age's own identity files have them).
pub fn unseal(sealed: &[u8], identity_file: &str) -> Result<Vec<u8>, PackageError> {
    let line = identity_file
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .ok_or_else(|| PackageError::Unseal("the identity file has no AGE-SECRET-KEY line".into()))?;
    let identity = age::x25519::Identity::from_str(line).map_err(|e| PackageError::Unseal(e.to_string()))?;
    age::decrypt(&identity, sealed).map_err(|e| PackageError::Unseal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use age::secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn sealed_packages_open_only_with_their_identity() {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let sealed = seal(b"PK package bytes", &recipient).unwrap();
        assert!(is_sealed(&sealed));
        let file = format!("# created: today\n{}\n", identity.to_string().expose_secret());
        assert_eq!(unseal(&sealed, &file).unwrap(), b"PK package bytes");
        let other = age::x25519::Identity::generate();
        assert!(unseal(&sealed, other.to_string().expose_secret()).is_err());
        assert!(matches!(seal(b"x", "age1nonsense"), Err(PackageError::BadRecipient { .. })));
    }
}
