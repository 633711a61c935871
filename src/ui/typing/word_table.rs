//! The engine against every word of the forms, the commune names and the demo data.

use super::engine::{Method, ToneStyle, keys_of, type_key};

/// Every word of the legal forms, the commune names and the demo data: typed from its own keys in
/// Telex and in VNI, it comes back unchanged.
#[test]
fn every_word_of_the_forms_round_trips() {
    let sources = [
        include_str!("../../../forms/bb-vi-pham.toml"),
        include_str!("../../../forms/qd-xu-phat.toml"),
        include_str!("../../../forms/bb-kiem-tra.toml"),
        include_str!("../../../forms/qd-kiem-tra.toml"),
        include_str!("../../../forms/bb-tam-giu.toml"),
        include_str!("../../../forms/bb-niem-phong.toml"),
        include_str!("../../../forms/bb-lam-viec.toml"),
        include_str!("../../../forms/bb-mo-niem-phong.toml"),
        include_str!("../../../forms/qd-tam-giu.toml"),
        include_str!("../../../forms/qd-xu-phat-khong-lap-bien-ban.toml"),
        include_str!("../../../assets/reference/fields.json"),
        include_str!("../../../assets/admin-units-2025.json"),
        include_str!("../../app/demo/data.rs"),
    ];
    let mut words: Vec<&str> = sources
        .iter()
        .flat_map(|s| s.split(|c: char| !c.is_alphabetic()))
        .filter(|w| !w.is_ascii() && w.chars().all(|c| c.is_alphabetic()))
        // Transliterated names with a doubled marked letter ("Dêê", "Đđ") have no Telex spelling.
        .filter(|w| {
            let lower: Vec<char> = w.to_lowercase().chars().collect();
            !lower.windows(2).any(|p| p[0] == p[1] && !p[0].is_ascii())
        })
        .collect();
    words.sort();
    words.dedup();
    assert!(words.len() > 1000, "only {} words", words.len());
    let mut failures = Vec::new();
    for method in [Method::Telex, Method::Vni] {
        for word in &words {
            let keys = keys_of(word, method);
            let typed = keys.chars().fold(String::new(), |t, k| type_key(&t, k, method, ToneStyle::Old));
            // Place names keep either tone style ("Hòa" and "Hoà" both occur).
            let modern = keys.chars().fold(String::new(), |t, k| type_key(&t, k, method, ToneStyle::New));
            if typed != *word && modern != *word {
                failures.push(format!("{method:?} {keys} → {typed}, not {word}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} words:\n{}", failures.len(), words.len() * 2, failures.join("\n"));
}
