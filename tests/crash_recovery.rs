//! Crash consistency: a child process writes documents in a loop and prints each id after
//! its commit; it is killed with SIGKILL at random moments. After every kill the database
//! opens, the journal verifies, and every id the child printed is there.
//!
//! `cargo test --test crash_recovery` kills 200 times; `-- --ignored` runs the long version
//! (500 kills). It fails when too few kills landed after a confirmed write (a run that
//! checked nothing proves nothing). The binary runs itself with `--child DIR` as the writer.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anchi::app::Workspace;
use anchi::domain::{Address, Case, DocumentKind, DocumentState, Event, Subject, SubjectKind};
use uuid::Uuid;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    let kills = if args.iter().any(|a| a == "--ignored" || a == "--include-ignored") { 500 } else { 200 };
    parent(kills);
}

/// The writer: one case, then documents started and finalised until it is killed.
fn child(dir: &Path) {
    let mut ws = Workspace::open(dir).expect("child opens the database");
    // A decision names its signer: the unit's leader, prefilled.
    if ws.unit().is_none() {
        ws.set_unit(anchi::app::demo::demo_unit()).unwrap();
    }
    let subject = Subject {
        registration_number: Some("0101".into()),
        ..Subject::new(SubjectKind::Organisation, "Công ty TNHH Kiểm Thử", Address::Legacy { text: "Lạng Sơn".into() })
    };
    let case = Case::open(Uuid::now_v7(), "T", anchi::app::now(), "khac", subject);
    ws.create_case(&case).unwrap();
    println!("case {}", case.id);
    let decision = Uuid::now_v7();
    let at = anchi::app::now();
    ws.apply_event(case.id, Event::StartDocument { id: decision, kind: DocumentKind::QdKiemTra, at }).unwrap();
    for (field, value) in [("noi_dung", "Nhãn hàng hóa"), ("thoi_han", "03 ngày"), ("can_cu", "Kế hoạch năm")]
    {
        ws.save_field(case.id, decision, field, value).unwrap();
    }
    ws.apply_event(case.id, Event::FinaliseDocument { id: decision, number: None, at }).unwrap();
    println!("final {decision}");
    loop {
        let id = Uuid::now_v7();
        let at = anchi::app::now();
        ws.apply_event(case.id, Event::StartDocument { id, kind: DocumentKind::BangKe, at }).unwrap();
        println!("draft {id}");
        ws.save_field(case.id, id, "kem_theo", "Biên bản kiểm tra").unwrap();
        ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
        println!("final {id}");
    }
}

fn parent(kills: usize) {
    let dir = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    let mut rng = fastrand::Rng::with_seed(42);
    let mut confirmed = 0usize;
    let mut rounds_with_writes = 0usize;
    for round in 0..kills {
        let mut child = Command::new(&me)
            .arg("--child")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::Builder::new()
            .name("confirmed-writes".into())
            .spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>())
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(30..250)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        let checked = check(dir.path(), &lines, round);
        confirmed += checked;
        rounds_with_writes += usize::from(checked > 0);
    }
    assert!(
        rounds_with_writes * 2 >= kills,
        "only {rounds_with_writes} of {kills} kills came after a confirmed write: the test checked too little"
    );
    println!(
        "crash_recovery: {kills} kills ({rounds_with_writes} after confirmed writes), {confirmed} confirmed commits all present, journal intact"
    );
    println!("1 passed, 0 failed");
}

/// Checks the database after a kill; returns how many confirmed commits were checked.
fn check(dir: &Path, lines: &[String], round: usize) -> usize {
    // Every other round as a command that only reads opens it: a file its writer did not
    // close is opened for writing then, and repaired.
    let opened = if round % 2 == 1 { Workspace::open_for_reading(dir) } else { Workspace::open(dir) };
    let ws = opened.unwrap_or_else(|e| panic!("round {round}: database does not open: {e}"));
    if round % 2 == 1 && !lines.is_empty() {
        assert!(!ws.is_read_only(), "round {round}: a file its writer did not close was opened read-only");
    }
    let report = ws.audit_verify().unwrap();
    assert!(report.first_broken.is_none(), "round {round}: journal broken: {:?}", report.first_broken);
    let Some(case_line) = lines.first() else { return 0 };
    let case_id: Uuid = case_line.strip_prefix("case ").unwrap().parse().unwrap();
    let case = ws.case(case_id).unwrap_or_else(|e| panic!("round {round}: printed case missing: {e}"));
    for line in &lines[1..] {
        let (what, id) = line.split_once(' ').unwrap();
        let id: Uuid = id.parse().unwrap();
        let doc = case.document(id).unwrap_or_else(|| panic!("round {round}: printed document {id} missing"));
        if what == "final" {
            assert_eq!(doc.state, DocumentState::Finalised, "round {round}: {id} was printed as finalised");
            assert!(doc.number.is_some());
        }
    }
    let mut numbers: Vec<String> =
        case.documents.iter().filter_map(|d| d.number.as_ref()).map(|n| n.to_string()).collect();
    let total = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), total, "round {round}: a number was given twice");
    lines.len()
}
