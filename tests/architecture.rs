//! The dependency rules of ARCHITECTURE.md, checked on the source so they cannot wear away:
//! the domain is pure, the two faces reach storage, forms, packages, printing and the hub
//! only through `app`, and the hub knows neither face.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Every (file, line number, line) under `src/<layer>` that mentions one of `forbidden`,
/// ignoring comment lines.
fn offences(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(layer);
    let mut found = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{}:{}: uses `{word}`: {}", file.display(), i + 1, code));
                }
            }
        }
    }
    found
}

#[test]
fn the_domain_is_pure() {
    let forbidden = [
        "egui",
        "eframe",
        "redb",
        "lopdf",
        "ureq",
        "tokio",
        "axum",
        "std::fs",
        "std::net",
        "std::io",
        "std::process",
        "std::env",
        "std::thread",
        "Local::now",
        "Utc::now",
        "SystemTime",
        "Instant::now",
        "println!",
        "eprintln!",
        "crate::store",
        "crate::app",
        "crate::ui",
        "crate::cli",
        "crate::forms",
        "crate::pdf",
        "crate::sync",
    ];
    let found = offences("domain", &forbidden);
    assert!(found.is_empty(), "src/domain must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_faces_reach_storage_only_through_app() {
    let forbidden = ["crate::store", "anchi::store", "redb", "store::"];
    for face in ["cli", "ui"] {
        let found = offences(face, &forbidden);
        assert!(found.is_empty(), "src/{face} must go through app:\n{}", found.join("\n"));
    }
}

#[test]
fn the_store_knows_nothing_of_the_faces() {
    let forbidden = ["crate::ui", "crate::cli", "crate::app", "egui", "eframe", "clap"];
    let found = offences("store", &forbidden);
    assert!(found.is_empty(), "src/store must not depend on outer layers:\n{}", found.join("\n"));
}

#[test]
fn the_pdf_layer_only_places_resolved_text() {
    // It gets plain text from `app`; it must not reach back into cases, storage or the faces.
    let forbidden =
        ["crate::domain", "crate::store", "crate::app", "crate::ui", "crate::cli", "crate::forms", "redb", "egui"];
    let found = offences("pdf", &forbidden);
    assert!(found.is_empty(), "src/pdf must not depend on outer layers:\n{}", found.join("\n"));
}

#[test]
fn the_package_format_knows_no_case_store_or_face() {
    // It lays out and checks bags; which case goes in and which keys are trusted is app's.
    let forbidden = ["crate::store", "crate::app", "crate::ui", "crate::cli", "crate::forms", "redb", "egui"];
    let found = offences("package", &forbidden);
    assert!(found.is_empty(), "src/package must not depend on outer layers:\n{}", found.join("\n"));
}

#[test]
fn the_window_reaches_sending_packages_and_printing_only_through_app() {
    // The window draws and pushes commands; exchanges with the hub, the package format and
    // the PDF layer are use cases of app (forms: their definitions only).
    let forbidden = ["crate::sync", "crate::package", "crate::pdf", "crate::store", "redb", "ureq", "lopdf"];
    let found = offences("ui", &forbidden);
    assert!(found.is_empty(), "src/ui must go through app:\n{}", found.join("\n"));
}

#[test]
fn the_window_draws_the_case_list_app_computes() {
    // Deadlines, the list's marks and the counts are app's read model (`app::case_list`).
    let forbidden = ["deadlines_of", "next_open", "list_badges", "LocalSubjects"];
    let found = offences("ui", &forbidden);
    assert!(found.is_empty(), "src/ui computes what app's read model holds:\n{}", found.join("\n"));
}

#[test]
fn the_command_line_reaches_forms_and_storage_only_through_app() {
    let forbidden = ["crate::forms", "crate::store", "crate::pdf", "crate::sync::", "redb", "lopdf", "egui"];
    let found = offences("cli", &forbidden);
    assert!(found.is_empty(), "src/cli must go through app:\n{}", found.join("\n"));
}

#[test]
fn the_hub_knows_no_window_or_laptop_face() {
    // The hub shares the package format, the case file, the protocol, password hashes and
    // the upload client (it forwards to the national server as a laptop sends to it) with
    // the laptop, never the workstation's use cases or store.
    let forbidden = ["crate::ui", "crate::cli", "egui", "eframe", "crate::app", "crate::store"];
    let found = offences("hub", &forbidden);
    assert!(found.is_empty(), "src/hub must not depend on the faces:\n{}", found.join("\n"));
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    // Guard against a checker that silently matches nothing (a wrong path, say).
    assert!(!offences("store", &["redb"]).is_empty());
    assert!(!offences("ui", &["egui"]).is_empty());
    assert!(!offences("cli", &["crate::app"]).is_empty());
    assert!(!offences("hub", &["axum"]).is_empty());
}

/// A file a newcomer can read whole: none in `src/` is over 600 lines (tests included:
/// they go beside it, in a file of their own, when the module grows).
const MAX_FILE_LINES: usize = 600;

#[test]
fn no_source_file_is_over_600_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let long: Vec<String> = rust_files(&root)
        .into_iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(&f).unwrap().lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by what they do:\n{}", long.join("\n"));
}

/// The habits clippy holds the code to (`[lints.clippy]` in Cargo.toml, thresholds in
/// clippy.toml) stay switched on: no function over 120 lines, no unwrap outside tests, few
/// parameters and bools, every thread named.
#[test]
fn the_lints_that_keep_the_house_are_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let lints = &cargo[cargo.find("[lints.clippy]").expect("a [lints.clippy] table")..];
    let lints = &lints[..lints[1..].find("\n[").map_or(lints.len(), |i| i + 1)];
    for lint in
        ["unwrap_used", "too_many_lines", "too_many_arguments", "fn_params_excessive_bools", "disallowed_methods"]
    {
        assert!(lints.contains(&format!("{lint} = \"deny\"")), "{lint} is not denied in Cargo.toml:\n{lints}");
    }
    let clippy = std::fs::read_to_string(root.join("clippy.toml")).unwrap();
    for setting in ["too-many-lines-threshold = 120", "max-fn-params-bools = 2", "path = \"std::thread::spawn\""] {
        assert!(clippy.contains(setting), "clippy.toml lacks {setting}");
    }
}
