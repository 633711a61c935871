//! The embedded forms as already parsed (`assets/forms-parsed.jsonl`): each line is the
//! SHA-256 of a form file's text and, as JSON, the identity (`[form]`) and the whole
//! definition that text parses to. The built-in catalog reads each form's identity at start
//! and the rest of a form when it is first used ([`Version`]). A form
//! whose text is one hashed there is taken from it; any other text (a form edited and not
//! yet written there, a law pack's new edition) is parsed from its TOML. Parsing the TOML
//! was most of a command's start. A test keeps the file current: after changing an
//! embedded form, or the form types of `forms/` (their fields, defaults or names), write it
//! again with `ANCHI_BLESS=1 cargo test --lib forms::parsed` and run the tests again.
//!
//! An embedded form's hash is the one `build.rs` computed from the same file, found by the
//! text's address: hashing the 530 KB of form text took 28 of the 226 million instructions
//! of rendering a case's ten documents (more on a laptop processor without SHA
//! instructions, as most Intel ones before 2020 are).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::{FormDef, FormIdentity};

const PARSED: &str = include_str!("../../assets/forms-parsed.jsonl");

/// The SHA-256 of each file under `forms/` when this program was built, as (its path under
/// `forms/` without `.toml`, hex): written by `build.rs`.
const BUILT: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/form-hashes.rs"));

/// The definition `text` parses to.
pub(super) fn form(text: &str) -> Result<FormDef, toml::de::Error> {
    match known(text).and_then(|(_, json)| serde_json::from_str(json).ok()) {
        Some(form) => Ok(form),
        None => toml::from_str(text),
    }
}

/// The JSON of the identity (`[form]`) and of the whole definition `text` parses to, when
/// the file holds them: a line is the hash, a space, the identity, a tab (which JSON
/// writes only as `\t` inside a string) and the definition.
fn known(text: &str) -> Option<(&'static str, &'static str)> {
    static BY_HASH: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let by_hash = BY_HASH.get_or_init(|| PARSED.lines().filter_map(|line| line.split_once(' ')).collect());
    by_hash.get(hash(text).as_ref()).and_then(|rest| rest.split_once('\t'))
}

/// One version of a form in the catalog: its identity at once; the rest of its definition
/// when first asked for (a built-in form) or at once (any other, checked whole on reading).
#[derive(Clone)]
pub(super) struct Version {
    identity: FormIdentity,
    definition: OnceLock<FormDef>,
    /// The built-in text the definition is read from when first asked for.
    text: &'static str,
}

impl Version {
    /// A definition already read.
    pub(super) fn parsed(definition: FormDef) -> Version {
        Version { identity: definition.identity.clone(), definition: OnceLock::from(definition), text: "" }
    }

    /// A built-in form with its identity read from the file, the rest waiting; `None` where
    /// the file does not hold it.
    pub(super) fn built_in(text: &'static str) -> Option<Version> {
        let identity = serde_json::from_str(known(text)?.0).ok()?;
        Some(Version { identity, definition: OnceLock::new(), text })
    }

    pub(super) fn identity(&self) -> &FormIdentity {
        &self.identity
    }

    pub(super) fn def(&self) -> &FormDef {
        self.definition.get_or_init(|| form(self.text).expect("a built-in form parses, as the tests check"))
    }

    /// Whether the whole definition has been read.
    #[cfg(test)]
    pub(super) fn is_read(&self) -> bool {
        self.definition.get().is_some()
    }
}

/// The SHA-256 of `text` in hex: taken from the build when `text` is an embedded form (the
/// very string compiled in, not an equal one), computed otherwise.
fn hash(text: &str) -> Cow<'static, str> {
    match super::compiled(text).and_then(|(stem, _)| BUILT.iter().find(|(path, _)| path == stem)) {
        Some((_, built)) => Cow::Borrowed(built),
        None => Cow::Owned(hex::encode(Sha256::digest(text.as_bytes()))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// The line of the file for a form's text.
    fn line(text: &str) -> String {
        let form: FormDef = toml::from_str(text).unwrap();
        let identity = serde_json::to_string(&form.identity).unwrap();
        format!(
            "{} {identity}\t{}\n",
            hex::encode(Sha256::digest(text.as_bytes())),
            serde_json::to_string(&form).unwrap()
        )
    }

    #[test]
    fn the_build_hashed_every_embedded_form_as_compiled_in() {
        for (stem, text) in super::super::EMBEDDED {
            let computed = hex::encode(Sha256::digest(text.as_bytes()));
            assert_eq!(hash(text), computed, "forms/{stem}.toml");
            assert!(matches!(hash(text), Cow::Borrowed(_)), "forms/{stem}.toml: hashed at run time");
            // An equal text elsewhere (a law pack's copy) is hashed, to the same result.
            let copy = text.to_string();
            assert!(matches!(hash(&copy), Cow::Owned(ref h) if *h == computed), "forms/{stem}.toml");
        }
    }

    #[test]
    fn the_file_holds_every_embedded_form_as_its_text_parses() {
        let lines: Vec<String> = super::super::EMBEDDED.iter().map(|(_, text)| line(text)).collect();
        let current = lines.concat();
        if PARSED == current {
            return;
        }
        // Written again on request; the tests of this run still read the copy built in.
        if std::env::var("ANCHI_BLESS").as_deref() == Ok("1") {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/forms-parsed.jsonl"), &current).unwrap();
            return;
        }
        let had: Vec<&str> = PARSED.split_inclusive('\n').collect();
        let mut stale = super::super::EMBEDDED.iter().zip(&lines).enumerate();
        let first = stale.find(|(i, (_, want))| had.get(*i) != Some(&want.as_str())).map(|(_, ((stem, _), _))| *stem);
        panic!(
            "assets/forms-parsed.jsonl is not the embedded forms as parsed (first: {}): after changing an embedded \
             form or the form types, write it again with `ANCHI_BLESS=1 cargo test --lib forms::parsed`, run the \
             tests again and commit it",
            first.unwrap_or("a line too many")
        );
    }

    #[test]
    fn a_form_taken_from_the_file_is_the_form_its_text_parses_to() {
        for (stem, text) in super::super::EMBEDDED {
            assert!(known(text).is_some(), "{stem} is not in the file");
            assert_eq!(form(text).unwrap(), toml::from_str::<FormDef>(text).unwrap(), "{stem}");
        }
    }

    #[test]
    fn a_changed_text_is_parsed_not_taken_from_the_file() {
        let (_, text) = super::super::EMBEDDED[0];
        let was: FormDef = toml::from_str(text).unwrap();
        let changed = text.replacen(&format!("title = \"{}\"", was.identity.title), "title = \"Mẫu đã sửa\"", 1);
        assert_ne!(changed, text);
        assert!(known(&changed).is_none());
        assert_eq!(form(&changed).unwrap().identity.title, "Mẫu đã sửa");
        // A text that does not parse is an error, as before.
        assert!(form(&changed.replace("[form]", "[form")).is_err());
    }
}
