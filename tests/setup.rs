//! Scripted set-up from a profile: the example profile in docs/ sets a laptop up; a wrong
//! profile is refused whole, with each problem named by its place, and stores nothing.

use std::path::Path;

fn anchi(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        .env("ANCHI_KEY_PASSPHRASE", "mat-khau-doi-2")
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
