//! The case file (`docs/case-format.md`): the JSON a case travels in, inside every package
//! and through `anchi case export|import`. Read here once, strictly, for the laptop and the
//! hub alike: a key named twice in one object is refused (serde_json would keep the last),
//! text is put in NFC, the format and its version are checked.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::Case;
use crate::domain::text::nfc;

/// The name of the format in every file.
pub const FORMAT: &str = "anchi-case";
/// The version of the format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A case file: the format marker and the case.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub format: String,
    pub version: u32,
    pub case: Case,
}

/// Parses JSON as `serde_json` does, but refuses an object that names a key twice (which
/// `serde_json` would settle silently by keeping the last): the reader of a case file must
/// see the same values as anyone who looks at it. The error gives the line and column.
pub fn parse_json_strict(text: &str) -> Result<Value, serde_json::Error> {
    use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    struct Strict;
    impl<'de> DeserializeSeed<'de> for Strict {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Strict {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(Strict)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if object.contains_key(&key) {
                    return Err(A::Error::custom(format!("the key \"{key}\" appears twice in one object")));
                }
                let value = map.next_value_seed(Strict)?;
                object.insert(key, value);
            }
            Ok(Value::Object(object))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Why a case file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CaseFileError {
    #[error("{detail} (line {line}, column {column})")]
    Json { line: usize, column: usize, detail: String },
    #[error("{detail}")]
    Structure { path: String, detail: String },
    #[error("the file is {format:?} version {version}, not {FORMAT:?} version {FORMAT_VERSION}")]
    Format { format: String, version: u32 },
}

impl CaseFileError {
    /// Where in the file the problem is, as a JSON path (`$.case.goods[0].quantity`).
    pub fn path(&self) -> String {
        match self {
            CaseFileError::Json { line, column, .. } => format!("$ (line {line}, column {column})"),
            CaseFileError::Structure { path, .. } => path.clone(),
            CaseFileError::Format { .. } => "$.format".into(),
        }
    }
}

/// Reads a case file: strict JSON, every string in NFC, the structure of [`CaseFile`] (the
/// error names the path), and this format and version. What the case says is checked by
/// whoever stores it.
pub fn read(text: &str) -> Result<CaseFile, CaseFileError> {
    let mut value = parse_json_strict(text).map_err(|e| CaseFileError::Json {
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    })?;
    normalise_strings(&mut value);
    let file: CaseFile = serde_path_to_error::deserialize(value).map_err(|e| CaseFileError::Structure {
        path: format!("$.{}", e.path()),
        detail: e.into_inner().to_string(),
    })?;
    if file.format != FORMAT || file.version != FORMAT_VERSION {
        return Err(CaseFileError::Format { format: file.format, version: file.version });
    }
    Ok(file)
}

/// Puts every string of a JSON tree in NFC, so decomposed input is stored composed.
fn normalise_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = nfc(s),
        Value::Array(items) => items.iter_mut().for_each(normalise_strings),
        Value::Object(map) => map.values_mut().for_each(normalise_strings),
        _ => {}
    }
}
