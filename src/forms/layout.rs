//! The print layout and fields of a form, as written in `forms/*.toml`.

use serde::{Deserialize, Serialize};

use crate::domain::SignerRole;

/// A field the wizard asks for; its value is `{field.<id>}` in the layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: String,
    /// The wizard section (step) the field belongs to; fields without one go to "Nội dung".
    #[serde(default)]
    pub section: String,
    /// Bounds of a money or integer value.
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The most characters a text may have.
    pub max_len: Option<usize>,
    /// A regular expression the whole value must match, and what it means for the user.
    pub pattern: Option<String>,
    #[serde(default)]
    pub pattern_help: String,
    /// The values a `choice` may take, written out…
    #[serde(default)]
    pub options: Vec<String>,
    /// …or the reference list they come from (`linh_vuc`: the fields of the reference data).
    pub list: Option<String>,
    /// A template filled when the draft is started, e.g. `{prior.bb-kiem-tra.field.dia_diem}`.
    pub prefill: Option<String>,
}

/// The section of a field without one.
pub const DEFAULT_SECTION: &str = "Nội dung";

impl FieldDef {
    pub fn section(&self) -> &str {
        if self.section.is_empty() { DEFAULT_SECTION } else { &self.section }
    }
}

/// The kinds of field (the wizard's widgets follow these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    Time,
    DateTime,
    Money,
    Integer,
    /// One of `options`, or of the reference list `list`.
    Choice,
    /// The case's subject (edited on the case; the field only says the form needs it).
    Subject,
    /// The case's goods lines.
    Goods,
    /// A member of the unit, by inspection-card number.
    Signer,
    /// Witnesses, one per line: name, address, identifier.
    Witnesses,
    /// A legal provision (điểm, khoản, Điều of a decree).
    Provision,
    /// An act of the catalogue of violations (`domain::catalogue::Key`): chosen, it fills
    /// the act, the provision and the decree of the document. Never printed itself.
    Act,
}

/// Text style of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStyle {
    #[default]
    Regular,
    Bold,
    Italic,
}

/// Horizontal alignment of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextAlign {
    /// Body text is justified unless a block says otherwise.
    #[default]
    Justify,
    Left,
    Centre,
    Right,
}

/// Who signs in a signature block.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignerDef {
    /// `maker`, `violator`, `witness` or `commune_representative`.
    pub role: SignerRole,
    /// The capacity printed in bold, e.g. "NGƯỜI LẬP BIÊN BẢN".
    pub title: String,
    /// The name printed under the space to sign; placeholders allowed.
    #[serde(default)]
    pub name: String,
    /// Printed only when every placeholder here has a value (a witness, when there was one).
    pub when: Option<String>,
    /// The line under the title, "(Ký, ghi rõ họ và tên)" unless the form says otherwise.
    pub note: Option<String>,
}

/// One block of the printed body, in order.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BlockDef {
    /// The document title (and an optional second line).
    Title { text: String, subtitle: Option<String> },
    /// A paragraph with `{placeholders}`; printed only when every placeholder in `when`
    /// resolves to a non-empty value.
    Paragraph {
        text: String,
        #[serde(default)]
        style: TextStyle,
        #[serde(default)]
        align: TextAlign,
        #[serde(default = "yes")]
        indent: bool,
        when: Option<String>,
    },
    /// The case's goods lines as a bordered table (Bảng kê columns); with `when`, only when
    /// every placeholder there has a value (the goods seized in a violation record).
    GoodsTable {
        #[serde(default)]
        with_value: bool,
        when: Option<String>,
    },
    /// Signature blocks, two to a row.
    Signatures { signers: Vec<SignerDef> },
    /// A sheet of seal labels (tem niêm phong); `count` is a template that gives the number
    /// of labels, e.g. `{field.so_tem}`. Labels are numbered on from the case's earlier sheets.
    SealLabels { count: String },
    /// Vertical space in points.
    Gap { points: f32 },
    /// The end of a decision: "Nơi nhận:" and its lines on the left, the signer's title,
    /// note and name on the right (NĐ 30/2020 layout of the gazetted forms).
    Closing { recipients: Vec<String>, title: String, note: String, name: String },
    /// What follows starts a new page (a receipt "in ở mặt sau", printed on the back).
    PageBreak,
}

fn yes() -> bool {
    true
}

/// Every `{name}` in a template, in order (each of `{a|b}`'s alternatives).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.extend(after[..end].split('|'));
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Replaces every `{name}` with `lookup(name)`.
pub fn fill(template: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push_str(&alternatives(&after[..end], lookup));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{a|b}`: the first of the placeholders with a value (the seizure record, else the
/// violation record that recorded the seizure); `{a}` is the one placeholder's value.
/// What every alternative lacks prints as the last one does (a line to fill by hand).
fn alternatives(names: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let mut last = String::new();
    for name in names.split('|') {
        last = lookup(name);
        if !is_blank(&last) {
            return last;
        }
    }
    last
}

/// Whether a looked-up value stands for nothing: empty, or the line to fill by hand.
fn is_blank(value: &str) -> bool {
    value.trim().is_empty() || value.chars().all(|c| c == '…' || c == '.')
}

impl BlockDef {
    /// Every template text of the block (for checking placeholders).
    pub fn templates(&self) -> Vec<&str> {
        match self {
            BlockDef::Title { text, subtitle } => std::iter::once(text.as_str()).chain(subtitle.as_deref()).collect(),
            BlockDef::Paragraph { text, when, .. } => std::iter::once(text.as_str()).chain(when.as_deref()).collect(),
            BlockDef::Signatures { signers } => signers
                .iter()
                .flat_map(|s| [Some(s.title.as_str()), Some(s.name.as_str()), s.when.as_deref(), s.note.as_deref()])
                .flatten()
                .collect(),
            BlockDef::Closing { recipients, title, note, name } => {
                recipients.iter().map(String::as_str).chain([title.as_str(), note.as_str(), name.as_str()]).collect()
            }
            BlockDef::SealLabels { count } => vec![count.as_str()],
            BlockDef::GoodsTable { when, .. } => when.iter().map(String::as_str).collect(),
            BlockDef::Gap { .. } | BlockDef::PageBreak => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_filled() {
        let t = "Hôm nay, {doc.date_words}, tại {field.dia_diem}.";
        assert_eq!(placeholders(t), vec!["doc.date_words", "field.dia_diem"]);
        let filled = fill(t, &|k| if k == "field.dia_diem" { "Chợ Kỳ Lừa".into() } else { "ngày 05".into() });
        assert_eq!(filled, "Hôm nay, ngày 05, tại Chợ Kỳ Lừa.");
        assert_eq!(fill("không đóng {ngoặc", &|_| "x".into()), "không đóng {ngoặc");
    }

    #[test]
    fn an_alternative_takes_the_first_value_and_both_are_checked() {
        let t = "Biên bản số: {prior.a.number|prior.b.number}.";
        assert_eq!(placeholders(t), vec!["prior.a.number", "prior.b.number"]);
        let only_b = |k: &str| if k == "prior.b.number" { "05/BB-VPHC".into() } else { "……………".into() };
        assert_eq!(fill(t, &only_b), "Biên bản số: 05/BB-VPHC.");
        let both = |k: &str| if k == "prior.a.number" { "03/BB-TG".into() } else { "05/BB-VPHC".into() };
        assert_eq!(fill(t, &both), "Biên bản số: 03/BB-TG.");
        assert_eq!(fill(t, &|_| "……………".into()), "Biên bản số: …………….", "nothing: the line to fill by hand");
    }
}
