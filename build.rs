//! The SHA-256 of each form file under `forms/`, so the program finds an embedded form's
//! parsed definition (`src/forms/parsed.rs`) without hashing half a megabyte of form text at
//! every start; the shipped administrative units as tables (`src/domain/admin.rs`), so they
//! are not parsed from JSON at every start either. On a Windows target also the program's
//! icon and its file properties (product name, description, version), so Explorer and "Apps
//! & features" show what anchi is. Cross-built on Linux with mingw-w64's windres
//! (packaging/windows/build.sh).

use std::path::Path;

use sha2::{Digest, Sha256};

fn main() {
    form_hashes();
    admin_units();
    println!("cargo:rerun-if-changed=packaging/windows/anchi.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("packaging/windows/anchi.ico")
        .set("ProductName", "Ấn chỉ điện tử (anchi)")
        .set("FileDescription", "Ấn chỉ điện tử — hồ sơ vụ việc của Đội Quản lý thị trường")
        .set("CompanyName", "anchi")
        .set("OriginalFilename", "anchi.exe")
        .set_language(0x042a); // Vietnamese
    if let Err(e) = resource.compile() {
        panic!("the Windows resources (icon, file properties) could not be compiled: {e}");
    }
}

/// Writes `$OUT_DIR/form-hashes.rs`: `&[(path under forms/ without ".toml", SHA-256 in hex)]`.
fn form_hashes() {
    println!("cargo:rerun-if-changed=forms");
    let mut found = Vec::new();
    collect(Path::new("forms"), "", &mut found);
    found.sort();
    let mut out = String::from("&[\n");
    for (stem, hash) in found {
        out.push_str(&format!("    ({stem:?}, {hash:?}),\n"));
    }
    out.push_str("]\n");
    generated("form-hashes.rs", &out);
}

/// Writes `text` to `$OUT_DIR/<name>`, for the program to `include!`.
fn generated(name: &str, text: &str) {
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    std::fs::write(&target, text).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}

/// The `.toml` files under `dir` (their path under `forms/` as `prefix`), hashed.
fn collect(dir: &Path, prefix: &str, found: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if path.is_dir() {
            collect(&path, &format!("{prefix}{name}/"), found);
        } else if let Some(stem) = name.strip_suffix(".toml") {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            found.push((format!("{prefix}{stem}"), hash));
        }
    }
}

/// Writes `$OUT_DIR/admin-units.rs` from `assets/admin-units-2025.json`: every name in one
/// string, `NAMES`, and the units as numbers, each name by its start and end in `NAMES` (no
/// pointer in the tables, so the program's loader has nothing to relocate in them):
/// `PROVINCES: [(code, start, end)]`, `COMMUNES: [(province code, code, start, end)]`, in
/// the file's order.
fn admin_units() {
    const FILE: &str = "assets/admin-units-2025.json";
    println!("cargo:rerun-if-changed={FILE}");
    let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let mut names = String::new();
    let mut span = |name: &serde_json::Value| {
        let name = name.as_str().unwrap_or_else(|| panic!("{FILE}: a name that is not text: {name}"));
        let start = names.len();
        names.push_str(name);
        format!("{start}, {}", names.len())
    };
    let code = |unit: &serde_json::Value| {
        unit["code"].as_u64().unwrap_or_else(|| panic!("{FILE}: a unit without a numeric code: {unit}"))
    };
    let (mut provinces, mut communes) = (Vec::new(), Vec::new());
    let mut codes = std::collections::BTreeSet::new();
    let listed = json["provinces"].as_array().unwrap_or_else(|| panic!("{FILE}: no list of provinces"));
    for province in listed {
        provinces.push(format!("({}, {})", code(province), span(&province["name"])));
        let its = province["communes"].as_array().unwrap_or_else(|| panic!("{FILE}: {province}: no communes"));
        for commune in its {
            let number = code(commune);
            assert!(codes.insert(number), "{FILE}: commune code {number} appears twice");
            communes.push(format!("({}, {number}, {})", code(province), span(&commune["name"])));
        }
    }
    let out = format!(
        "const NAMES: &str = {names:?};\nstatic PROVINCES: [(u16, u32, u32); {}] = [{}];\nstatic COMMUNES: [(u16, u32, u32, u32); {}] = [{}];\n",
        provinces.len(),
        provinces.join(", "),
        communes.len(),
        communes.join(", ")
    );
    generated("admin-units.rs", &out);
}
