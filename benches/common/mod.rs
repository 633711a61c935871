//! What the hub benchmarks share: the release `anchi-hub` serving over TLS with a test CA.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The password of the staff users the benches make (`user add` reads it from the environment).
pub const STAFF_PASSWORD: &str = "mật khẩu lãnh đạo 2026";

/// Runs an `anchi-hub` administration command on the hub in `dir`; what it printed.
pub fn hub(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_anchi-hub"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ANCHI_HUB_PASSWORD", STAFF_PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "anchi-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A running hub; stopped when dropped (even when the bench panics).
pub struct Served {
    pub url: String,
    pub ca_pem: String,
    /// The CA as a file (for curl).
    #[allow(dead_code, reason = "only the bench with curl reads it")]
    pub ca_file: PathBuf,
    child: Child,
}

impl Served {
    #[allow(dead_code, reason = "only the pages' bench reads the server's memory")]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `anchi-hub serve` on a free loopback port for the hub in `hub_dir`, with a certificate
/// for 127.0.0.1 from a CA made here (files in `tmp`).
pub fn serve(tmp: &Path, hub_dir: &Path) -> Served {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    // A name of its own: OpenSSL (curl) takes a leaf whose issuer is its own name for self-signed.
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "anchi bench CA");
    let ca_pem = ca_params.self_signed(&ca_key).unwrap().pem();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap().signed_by(&server_key, &issuer).unwrap();
    let (cert_file, key_file, ca_file) = (tmp.join("s.crt"), tmp.join("s.key"), tmp.join("ca.crt"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, server_key.serialize_pem()).unwrap();
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anchi-hub"))
        .arg("--data-dir")
        .arg(hub_dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--cert"])
        .arg(&cert_file)
        .arg("--key")
        .arg(&key_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_string();
    Served { url, ca_pem, ca_file, child }
}
