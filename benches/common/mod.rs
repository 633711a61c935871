//! What the hub benchmarks share: the release `anchi-hub` serving over TLS with a test CA.
//! (Each bench uses part of it: the national one starts its own server.)
#![allow(dead_code, reason = "each bench binary uses a part")]

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

/// A CA and a server certificate for 127.0.0.1 and localhost signed by it (files in `dir`,
/// named after `name`).
pub struct Pki {
    pub ca_pem: String,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn pki(dir: &Path, name: &str) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, format!("anchi bench {name} CA"));
    let ca_pem = ca_params.self_signed(&ca_key).unwrap().pem();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let cert = rcgen::CertificateParams::new(names).unwrap().signed_by(&key, &issuer).unwrap();
    let (cert_path, key_path) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    Pki { ca_pem, cert: cert_path, key: key_path }
}

/// Starts a server command and waits for its `listening on https://ADDR` line: the URL.
pub fn listening(command: &mut Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("the server said {line:?}")).to_string();
    (child, url)
}

/// `anchi-hub serve` on a free loopback port for the hub in `hub_dir`, with a certificate
/// for 127.0.0.1 from a CA made here (files in `tmp`).
pub fn serve(tmp: &Path, hub_dir: &Path) -> Served {
    serve_with(tmp, hub_dir, &[])
}

/// [`serve`] with more of `serve`'s options.
pub fn serve_with(tmp: &Path, hub_dir: &Path, options: &[&str]) -> Served {
    // The CA has a name of its own: OpenSSL (curl) takes a leaf whose issuer is its own name
    // for self-signed.
    let Pki { ca_pem, cert: cert_file, key: key_file } = pki(tmp, "hub");
    let ca_file = tmp.join("ca.crt");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_anchi-hub"));
    command.arg("--data-dir").arg(hub_dir).args(["serve", "--listen", "127.0.0.1:0", "--cert"]);
    let (child, url) = listening(command.arg(&cert_file).arg("--key").arg(&key_file).args(options));
    Served { url, ca_pem, ca_file, child }
}
