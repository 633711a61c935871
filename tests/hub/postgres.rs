//! A throwaway PostgreSQL cluster for the national tests: `initdb` and `pg_ctl` from
//! Debian's `postgresql` package in a temporary directory, on a free loopback port, with
//! TLS on (a certificate from the test's own CA); run as the `postgres` user when the tests
//! run as root (initdb refuses root). Stopped and removed when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    /// The CA the server's certificate chains to (PEM file).
    pub ca: PathBuf,
}

/// The newest installed PostgreSQL's programs.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (./test installs the postgresql package)")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort();
    let newest = versions.last().expect("a PostgreSQL version under /usr/lib/postgresql");
    PathBuf::from(format!("/usr/lib/postgresql/{newest}/bin"))
}

fn as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Runs a PostgreSQL program, as `postgres` when we are root.
fn run(bin: &Path, program: &str, args: &[&str]) {
    let path = bin.join(program);
    let mut command = if as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&path);
        c
    } else {
        Command::new(&path)
    };
    let out = command.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn chown_to_postgres(path: &Path) {
    if as_root() {
        let status = Command::new("chown").args(["-R", "postgres:"]).arg(path).status().unwrap();
        assert!(status.success());
    }
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new().prefix("anchi-pg").tempdir().unwrap();
        let data = dir.path().join("data");
        chown_to_postgres(dir.path());
        run(
            &bin,
            "initdb",
            &["-D", data.to_str().unwrap(), "-U", "anchi", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        );
        // TLS on, with a certificate of the test's own CA (the key readable by postgres only).
        let ca = crate::pki(dir.path(), "database");
        let (cert, key) = (data.join("server.crt"), data.join("server.key"));
        std::fs::copy(&ca.cert, &cert).unwrap();
        std::fs::copy(&ca.key, &key).unwrap();
        let ca_file = dir.path().join("database-ca.pem");
        std::fs::write(&ca_file, &ca.ca_pem).unwrap();
        chown_to_postgres(&data);
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c fsync=off -c autovacuum=off -c max_connections=100",
            dir.path().display()
        );
        let log = dir.path().join("log");
        run(
            &bin,
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-o", &options, "-l", log.to_str().unwrap(), "-w", "start"],
        );
        Postgres { bin, dir, port, ca: ca_file }
    }

    /// A URL of database `postgres` over TLS (the CA in [`Postgres::ca`]).
    pub fn url(&self) -> String {
        format!("postgresql://anchi@127.0.0.1:{}/postgres?sslmode=require", self.port)
    }

    /// psql on database `postgres`, unaligned and tuples only.
    fn psql(&self) -> Command {
        let mut command = Command::new(self.bin.join("psql"));
        command.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "anchi", "-d", "postgres", "-At"]);
        command
    }

    /// A psql reading its commands from the returned child's stdin (a session the test
    /// keeps open, e.g. to hold a transaction); its answers on stdout.
    #[allow(dead_code)] // the bench, which shares this file, keeps no session open
    pub fn session(&self) -> std::process::Child {
        self.psql().stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap()
    }

    /// One SQL query's answer.
    pub fn query(&self, sql: &str) -> String {
        let out = self.psql().args(["-c", sql]).output().unwrap();
        assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let path = self.bin.join("pg_ctl");
        let mut command = if as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let _ = command.args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"]).output();
    }
}
