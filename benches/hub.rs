//! Hub benchmarks (issue 6), over real TLS on loopback against the release `anchi-hub`:
//!
//! - ingest rate: 100 KB signed packages uploaded by 4 laptops at once, each verified and
//!   stored (start, one chunk, finish with every check and a receipt);
//! - upload throughput of one 200 MB package by `sync::Client`, against `curl` sending the
//!   same bytes to the same hub in the same run (the same 16 MiB chunks, with headers signed
//!   beforehand; start and finish are the same Rust calls for both).
//!
//! `cargo bench --features hub --bench hub`. ANCHI_BENCH_PACKAGES changes the count (1000).

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

mod common;

use std::io::Cursor;
use std::process::{Command, Stdio};
use std::time::Instant;

use anchi::app::Workspace;
use anchi::app::keys::unlock;
use anchi::package::{BagInfo, Info, Unsigned};
use anchi::protocol::{API, Auth, StartUpload, Started};
use anchi::sync::Client;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use common::hub;

struct Maker {
    template: String,
    old_id: String,
    unit: String,
    key_id: String,
    secret: minisign::SecretKey,
}

impl Maker {
    /// A valid package of a new case (the template with a new id) with `extra` bytes of scan.
    fn package(&self, extra: usize, rng: &mut fastrand::Rng) -> (String, Vec<u8>) {
        let id = Uuid::now_v7();
        let json = self.template.replace(&self.old_id, &id.to_string()).into_bytes();
        let mut scan = vec![0u8; extra.saturating_sub(json.len())];
        rng.fill(&mut scan);
        let scan_path = format!("data/attachments/{}.pdf", hex::encode(Sha256::digest(&scan)));
        let info = BagInfo {
            version: 1,
            case_id: id,
            unit: self.unit.clone(),
            key_id: self.key_id.clone(),
            created: chrono::Utc::now(),
            previous_sha256: None,
        };
        let unsigned = Unsigned::new(info, vec![("data/case.json".into(), json), (scan_path, scan)]).unwrap();
        let comment = unsigned.info.trusted_comment();
        let signature =
            minisign::sign(None, &self.secret, Cursor::new(unsigned.tag_manifest().as_bytes()), Some(&comment), None)
                .unwrap()
                .into_string();
        (unsigned.info.package_id(), unsigned.finish(&signature))
    }
}

#[allow(clippy::too_many_lines, reason = "one benchmark script: set-up, then each figure in turn")]
fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"hub".contains(a.as_str())) {
        return;
    }
    let count: usize = std::env::var("ANCHI_BENCH_PACKAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let tmp = tempfile::tempdir().unwrap();

    // The laptop: a demo unit with its key; one case as the template.
    let mut ws = Workspace::open(&tmp.path().join("laptop")).unwrap();
    ws.make_demo(5, 3).unwrap();
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let key = ws.device_key().unwrap().unwrap();
    let maker = Maker {
        template: format!("{}\n", ws.export_case(case).unwrap()),
        old_id: case.to_string(),
        unit: ws.unit().unwrap().code.clone(),
        key_id: key.key_id.clone(),
        secret: unlock(&key, "demo").unwrap(),
    };

    // The hub, with a test CA.
    let hub_dir = tmp.path().join("hub");
    hub(&hub_dir, &["init"]);
    hub(&hub_dir, &["team", "add", "--team-id", &maker.unit, "--name", "Đội 1", "--pubkey", &key.public_key]);
    let server = common::serve(tmp.path(), &hub_dir);
    let (url, ca_pem, ca_file) = (server.url.clone(), server.ca_pem.clone(), server.ca_file.clone());

    // Ingest: 100 KB packages, 4 laptops at once.
    let mut rng = fastrand::Rng::with_seed(1);
    let packages: Vec<(String, Vec<u8>)> = (0..count).map(|_| maker.package(100 * 1024, &mut rng)).collect();
    let start = Instant::now();
    std::thread::scope(|s| {
        for part in packages.chunks(count.div_ceil(4)) {
            let client = Client::new(&url, ca_pem.as_bytes(), &maker.key_id, maker.secret.clone()).unwrap();
            s.spawn(move || {
                for (id, bytes) in part {
                    client.upload(id, bytes, &|_, _| {}).unwrap();
                }
            });
        }
    });
    let ingest = start.elapsed();
    println!(
        "ingest: {count} packages of 100 KB in {:.2} s = {:.0} packages/s (4 clients, each verified, stored, receipted)",
        ingest.as_secs_f64(),
        count as f64 / ingest.as_secs_f64()
    );

    // Throughput: one 200 MB package, by the client and by curl.
    let mut client = Client::new(&url, ca_pem.as_bytes(), &maker.key_id, maker.secret.clone()).unwrap();
    client.chunk = anchi::hub::MAX_CHUNK_BYTES as usize;
    let (id, big) = maker.package(200 * 1000 * 1000, &mut rng);
    let start = Instant::now();
    client.upload(&id, &big, &|_, _| {}).unwrap();
    let ours = start.elapsed();

    let (id, big) = maker.package(200 * 1000 * 1000, &mut rng);
    let signed = |method: &str, path: &str, body: &[u8]| {
        Auth::sign(&maker.key_id, &maker.secret, method, path, chrono::Utc::now().timestamp(), body).unwrap().header()
    };
    let start_body = serde_json::to_vec(&StartUpload {
        package_id: id.clone(),
        size: big.len() as u64,
        sha256: hex::encode(Sha256::digest(&big)),
    })
    .unwrap();
    // The chunks and their headers are made before the clock starts, as curl would be given them.
    let path = format!("{API}/uploads");
    let chunk = client.chunk;
    let start = Instant::now();
    let started: Started = {
        let out = Command::new("curl")
            .args(["-sS", "--cacert"])
            .arg(&ca_file)
            .args([
                "-X",
                "POST",
                "-H",
                &format!("authorization: {}", signed("POST", &path, &start_body)),
                "--data-binary",
                "@-",
            ])
            .arg(format!("{url}{path}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(&start_body)?;
                c.wait_with_output()
            })
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("curl start: {e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let upload_id = match started {
        Started::Upload { upload_id, .. } => upload_id,
        Started::Stored { .. } => panic!("already stored"),
    };
    let setup = start.elapsed();
    let chunk_path = format!("{API}/uploads/{upload_id}");
    let mut jobs = Vec::new();
    for (i, piece) in big.chunks(chunk).enumerate() {
        let file = tmp.path().join(format!("chunk-{i}"));
        std::fs::write(&file, piece).unwrap();
        jobs.push((i * chunk, file, signed("PATCH", &chunk_path, piece)));
    }
    let finish_header = signed("POST", &format!("{chunk_path}/finish"), b"");
    // One curl process, one connection, every chunk (curl's --next).
    let mut args: Vec<String> = Vec::new();
    for (n, (offset, file, header)) in jobs.iter().enumerate() {
        if n > 0 {
            args.push("--next".into());
        }
        args.extend([
            "-s".into(),
            "-o".into(),
            "/dev/null".into(),
            "--cacert".into(),
            ca_file.display().to_string(),
            "-X".into(),
            "PATCH".into(),
            "-H".into(),
            format!("authorization: {header}"),
            "-H".into(),
            format!("upload-offset: {offset}"),
            "-H".into(),
            "content-type: application/octet-stream".into(),
            "--data-binary".into(),
            format!("@{}", file.display()),
            format!("{url}{chunk_path}"),
        ]);
    }
    args.extend([
        "--next".into(),
        "-s".into(),
        "--cacert".into(),
        ca_file.display().to_string(),
        "-X".into(),
        "POST".into(),
        "-H".into(),
        format!("authorization: {finish_header}"),
        format!("{url}{chunk_path}/finish"),
    ]);
    let transfer = Instant::now();
    let out = Command::new("curl").args(&args).output().unwrap();
    let theirs = transfer.elapsed() + setup;
    assert!(String::from_utf8_lossy(&out.stdout).contains("receipt"), "{}", String::from_utf8_lossy(&out.stdout));

    let mb = big.len() as f64 / 1e6;
    println!(
        "200 MB package: anchi client {:.2} s ({:.0} MB/s), curl {:.2} s ({:.0} MB/s) -> {:.2}x curl (start, 16 MiB chunks, finish with verification)",
        ours.as_secs_f64(),
        mb / ours.as_secs_f64(),
        theirs.as_secs_f64(),
        mb / theirs.as_secs_f64(),
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
    drop(server);
}
