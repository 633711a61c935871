//! Scripted set-up from a profile: the example profile in docs/ sets a laptop up; a wrong
//! profile is refused whole, with each problem named by its place, and stores nothing.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;

fn anchi(dir: &Path, args: &[&str]) -> std::process::Output {
    anchi_as(dir, args, &[])
}

fn anchi_as(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        .env("ANCHI_KEY_PASSPHRASE", "mat-khau-doi-2")
        .env_remove("ANCHI_USER")
        .env_remove("ANCHI_PASSWORD")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/setup-profile.example.toml");

#[test]
fn the_example_profile_sets_a_laptop_up_and_a_bad_one_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("hong.toml");
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let broken = text
        .replace("province_code = 20 ", "province_code = 99 ")
        .replace("role = \"leader\"", "role = \"inspector\"")
        .replace("card_number = \"LS-0202\"", "card_number = \"LS-0201\"");
    std::fs::write(&bad, broken).unwrap();
    let data = dir.path().join("may");
    let refused = anchi(&data, &["init", "--profile", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    for place in ["unit.province_code", "members[1].card_number", "members"] {
        assert!(stderr.contains(place), "{place} not named: {stderr}");
    }
    assert!(stderr.contains("Mã tỉnh không có trong danh mục"), "{stderr}");
    let key = anchi(&data, &["key", "show"]);
    assert!(!key.status.success(), "no key was made");

    let made = anchi(&data, &["init", "--profile", EXAMPLE]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let out = String::from_utf8(made.stdout).unwrap();
    assert!(out.contains("team_id: LS-D2") && out.contains("public_key: "), "{out}");
    let key = String::from_utf8(anchi(&data, &["key", "show"]).stdout).unwrap();
    assert!(key.contains("team_id: LS-D2"), "{key}");
    let list = anchi(&data, &["case", "list", "--json"]);
    assert_eq!(String::from_utf8(list.stdout).unwrap().trim(), "[]", "a new unit starts empty");

    let again = anchi(&data, &["init", "--profile", EXAMPLE]);
    assert_eq!(again.status.code(), Some(2), "a set-up unit is not set up twice");
}

/// The temporary password `init` printed for `card`.
fn temporary(out: &str, card: &str) -> String {
    let line = out.lines().find(|l| l.starts_with(&format!("password: {card} "))).expect("a password line");
    line.split_whitespace().nth(2).unwrap().to_string()
}

#[test]
fn members_sign_in_with_their_own_passwords_and_only_a_leader_does_leaders_work() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("may");
    let made = anchi(&data, &["init", "--profile", EXAMPLE]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let out = String::from_utf8(made.stdout).unwrap();
    let (leader, inspector) = (temporary(&out, "LS-0201"), temporary(&out, "LS-0202"));
    assert_ne!(leader, inspector);

    // A temporary password only lets its owner change it; a wrong one is refused.
    let listed = anchi_as(&data, &["--user", "LS-0202", "user", "list"], &[("ANCHI_PASSWORD", &inspector)]);
    assert_eq!(listed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&listed.stderr).contains("mật khẩu tạm"), "{listed:?}");
    let wrong = anchi_as(&data, &["--user", "LS-0202", "user", "list"], &[("ANCHI_PASSWORD", "doan-bua-thoi")]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Sai số thẻ hoặc mật khẩu"));
    let short = anchi_as(
        &data,
        &["--user", "LS-0202", "user", "passwd"],
        &[("ANCHI_PASSWORD", &inspector), ("ANCHI_NEW_PASSWORD", "ngan")],
    );
    assert_eq!(short.status.code(), Some(2), "a short password is refused");
    for (card, old, new) in [("LS-0202", &inspector, "mai-mat-khau"), ("LS-0201", &leader, "hung-mat-khau")] {
        let changed = anchi_as(
            &data,
            &["--user", card, "user", "passwd"],
            &[("ANCHI_PASSWORD", old), ("ANCHI_NEW_PASSWORD", new)],
        );
        assert!(changed.status.success(), "{}", String::from_utf8_lossy(&changed.stderr));
    }
    let old_again = anchi_as(&data, &["--user", "LS-0202", "user", "list"], &[("ANCHI_PASSWORD", &inspector)]);
    assert_eq!(old_again.status.code(), Some(2), "the temporary password no longer works");
    let listed = anchi_as(&data, &["--user", "LS-0202", "user", "list"], &[("ANCHI_PASSWORD", "mai-mat-khau")]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains("Hà Thị Mai") && listed.contains("kiểm soát viên") && listed.contains("đang dùng"),
        "{listed}"
    );

    // Resetting a password and rotating the key are a leader's; nobody signed in cannot either.
    let by_inspector =
        anchi_as(&data, &["--user", "LS-0202", "user", "reset", "LS-0201"], &[("ANCHI_PASSWORD", "mai-mat-khau")]);
    assert_eq!(by_inspector.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&by_inspector.stderr).contains("không có quyền cấp lại mật khẩu"));
    let rotate = anchi_as(&data, &["--user", "LS-0202", "key", "rotate"], &[("ANCHI_PASSWORD", "mai-mat-khau")]);
    assert_eq!(rotate.status.code(), Some(2), "{rotate:?}");
    let nobody = anchi(&data, &["user", "reset", "LS-0202"]);
    assert_eq!(nobody.status.code(), Some(2));
    let reset =
        anchi_as(&data, &["--user", "LS-0201", "user", "reset", "LS-0202"], &[("ANCHI_PASSWORD", "hung-mat-khau")]);
    assert!(reset.status.success(), "{}", String::from_utf8_lossy(&reset.stderr));
    let fresh = temporary(&String::from_utf8(reset.stdout).unwrap(), "LS-0202");
    let must = anchi_as(&data, &["--user", "LS-0202", "user", "list"], &[("ANCHI_PASSWORD", &fresh)]);
    assert_eq!(must.status.code(), Some(2), "a reset password must be changed first");

    // Members join and leave: a leader adds one (a duplicate card is refused), disables one.
    let leader_env = [("ANCHI_PASSWORD", "hung-mat-khau")];
    let add = |card: &str| {
        let args = [
            "--user",
            "LS-0201",
            "user",
            "add",
            "--name",
            "Lộc Văn Sinh",
            "--title",
            "Kiểm soát viên thị trường",
            "--card",
            card,
        ];
        anchi_as(&data, &args, &leader_env)
    };
    let twice = add("LS-0202");
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("card_number"), "{twice:?}");
    let added = add("LS-0203");
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let sinh = temporary(&String::from_utf8(added.stdout).unwrap(), "LS-0203");
    let by_inspector =
        anchi_as(&data, &["--user", "LS-0202", "user", "disable", "LS-0203"], &[("ANCHI_PASSWORD", "mai-mat-khau")]);
    assert_eq!(by_inspector.status.code(), Some(2));
    let myself = anchi_as(&data, &["--user", "LS-0201", "user", "disable", "LS-0201"], &leader_env);
    assert_eq!(myself.status.code(), Some(2), "a leader does not lock himself out");
    let disabled = anchi_as(&data, &["--user", "LS-0201", "user", "disable", "LS-0203"], &leader_env);
    assert!(disabled.status.success(), "{}", String::from_utf8_lossy(&disabled.stderr));
    let gone = anchi_as(
        &data,
        &["--user", "LS-0203", "user", "passwd"],
        &[("ANCHI_PASSWORD", &sinh), ("ANCHI_NEW_PASSWORD", "sinh-mat-khau")],
    );
    assert_eq!(gone.status.code(), Some(2), "a disabled account cannot sign in");
    let listed = String::from_utf8(anchi(&data, &["user", "list"]).stdout).unwrap();
    assert!(listed.lines().any(|l| l.contains("Lộc Văn Sinh") && l.contains("đã khóa")), "{listed}");

    // The screen lock's idle time is a leader's setting, checked.
    let nobody = anchi(&data, &["config", "set", "lock.minutes", "3"]);
    assert_eq!(nobody.status.code(), Some(2), "nobody signed in");
    let bad = anchi_as(&data, &["--user", "LS-0201", "config", "set", "lock.minutes", "0"], &leader_env);
    assert_eq!(bad.status.code(), Some(2));
    let set = anchi_as(&data, &["--user", "LS-0201", "config", "set", "lock.minutes", "3"], &leader_env);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let ws = anchi::app::Workspace::open(&data).unwrap();
    assert_eq!(ws.lock_after(), std::time::Duration::from_secs(180));
    drop(ws);

    // The journal names who did each thing, and still verifies.
    let verify = anchi(&data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let log = anchi(&data, &["audit", "log", "--json"]);
    let log: Vec<serde_json::Value> = serde_json::from_slice(&log.stdout).unwrap();
    let did = |actor: &str, action: &str| log.iter().any(|e| e["actor"] == actor && e["action"] == action);
    assert!(did("LS-0201 Vi Văn Hùng", "user.reset_password LS-0202"), "{log:?}");
    assert!(did("LS-0202 Hà Thị Mai", "user.change_password"), "{log:?}");
    assert!(did("LS-0202 Hà Thị Mai", "user.sign_in"), "{log:?}");
}

/// `init` killed at 50 moments: the data directory either holds nothing of a unit (and
/// `init` then sets it up) or the whole set-up — unit, key and accounts — never a part.
#[test]
fn a_set_up_killed_at_any_moment_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    // How long a whole set-up takes on this machine now (slower while other tests run), so
    // that kills land both before and after its commit.
    let started = std::time::Instant::now();
    let timed =
        anchi_as(&dir.path().join("mau"), &["init", "--profile", EXAMPLE], &[("ANCHI_KEY_PASSPHRASE", "x-y-z-w-1")]);
    assert!(timed.status.success(), "{}", String::from_utf8_lossy(&timed.stderr));
    let whole_run = (started.elapsed().as_millis() as u64 * 3 / 2).max(400);
    let (mut whole, mut nothing) = (0, 0);
    for round in 0..50 {
        let data = dir.path().join(format!("may-{round}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_anchi"))
            .args(["--data-dir", data.to_str().unwrap(), "init", "--profile", EXAMPLE])
            .env("ANCHI_KEY_PASSPHRASE", "mat-khau-doi-2")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Half the kills land in the first 60 ms, while the database file is being made.
        let within = if round % 2 == 0 { whole_run } else { 60 };
        std::thread::sleep(std::time::Duration::from_millis(rng.u64(0..within)));
        let _ = child.kill();
        let _ = child.wait();
        let users = anchi(&data, &["user", "list"]);
        let key = anchi(&data, &["key", "show"]);
        let listed = String::from_utf8_lossy(&users.stdout).to_string();
        if key.status.success() {
            // The whole set-up: the key, the unit and every member's account.
            assert!(listed.contains("LS-0201") && listed.contains("LS-0202"), "round {round}: {listed}");
            whole += 1;
        } else {
            // Nothing: no unit, and the set-up runs again from scratch.
            assert!(!listed.contains("LS-0201"), "round {round}: a unit without its key: {listed}");
            let again = anchi(&data, &["init", "--profile", EXAMPLE]);
            assert!(again.status.success(), "round {round}: {}", String::from_utf8_lossy(&again.stderr));
            nothing += 1;
        }
    }
    assert!(whole > 0 && nothing > 0, "kills landed before and after the commit: {whole} whole, {nothing} empty");
}

/// A data folder where an earlier anchi was killed while creating its database (redb sizes
/// the file before writing its header, so a file of zeros is left) sets up normally; the
/// empty file is kept aside, not deleted. It used to be refused as a damaged database,
/// "restore from a backup", on a laptop that never had any data.
#[test]
fn a_database_file_cut_before_its_header_does_not_block_the_set_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("anchi.redb"), vec![0u8; 1024 * 1024]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "init", "--profile", EXAMPLE])
        .env("ANCHI_KEY_PASSPHRASE", "mat-khau-doi-2")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("anchi.redb.rong-"))
        .collect();
    assert_eq!(kept.len(), 1, "the empty file is kept aside");
    // A file that is not all zeros is still refused as damaged: nothing is moved.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("anchi.redb"), b"not a database at all").unwrap();
    let out = anchi(other.path(), &["user", "list"]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(other.path().join("anchi.redb")).unwrap(), b"not a database at all");
    // Nor is one that is zeros but for its last byte, well past the first block read.
    let mut late = vec![0u8; 1024 * 1024];
    late[1024 * 1024 - 1] = 7;
    std::fs::write(other.path().join("anchi.redb"), &late).unwrap();
    assert!(!anchi(other.path(), &["user", "list"]).status.success());
    assert_eq!(std::fs::read(other.path().join("anchi.redb")).unwrap(), late);
}
