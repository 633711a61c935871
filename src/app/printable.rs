//! Text the print fonts cannot draw (an emoji, the Chinese name on a label) is refused where
//! it is typed, and before a document is finalised, naming the field and the characters: a
//! finalised document holding one could never be printed, nor its case packaged.

use std::fmt;

use crate::domain::{Address, Bilingual, Case, Document, GoodsLine, Parties, Subject, ValidationReport};
use crate::forms::FormDef;

/// A value holds characters the print fonts cannot draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unprintable {
    /// What the value is, in Vietnamese as the member sees it ("Tên hàng hóa").
    pub label: String,
    pub chars: Vec<char>,
}

/// The characters as a member can find them: each quoted, with its code for one that
/// shows as nothing (a control character, a joiner).
pub fn list_chars(chars: &[char]) -> String {
    let one = |c: &char| match c {
        c if c.is_control() || c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}') => {
            format!("U+{:04X}", u32::from(*c))
        }
        c => format!("“{c}” (U+{:04X})", u32::from(*c)),
    };
    chars.iter().map(one).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Unprintable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "has characters the print fonts cannot draw: {}", list_chars(&self.chars))
    }
}

impl Bilingual for Unprintable {
    fn vi(&self) -> String {
        format!(
            "{}: có ký tự không in ra văn bản được: {}. Xóa hoặc thay bằng chữ khác",
            self.label,
            list_chars(&self.chars)
        )
    }
}

/// Reports `text` when it holds characters the print fonts cannot draw, at the path and
/// under the label `named` gives (worked out only then: the demo checks every document).
pub fn check(report: &mut ValidationReport, text: &str, named: impl FnOnce() -> (String, String)) {
    let chars = crate::pdf::unprintable(text);
    if !chars.is_empty() {
        let (path, label) = named();
        report.error(path, &Unprintable { label, chars });
    }
}

/// The subject's typed text, at `subject.<field>` (the street of a coded address at
/// `subject.street`, where the new-case dialog shows it).
pub fn check_subject(report: &mut ValidationReport, subject: &Subject) {
    let (address_path, address) = match &subject.address {
        Address::Coded { street, .. } => ("street", street),
        Address::Legacy { text } => ("address", text),
    };
    let typed = [
        ("name", "Tên đối tượng", Some(&subject.name)),
        (address_path, "Địa chỉ", Some(address)),
        ("representative", "Người đại diện", subject.representative.as_ref()),
        ("representative_title", "Chức danh người đại diện", subject.representative_title.as_ref()),
        ("registration_number", "Số giấy chứng nhận đăng ký kinh doanh", subject.registration_number.as_ref()),
    ];
    for (field, label, text) in typed {
        if let Some(text) = text {
            check(report, text, || (format!("subject.{field}"), label.into()));
        }
    }
}

/// The goods lines' text, at `goods[i].<field>` (the goods editor names the line).
pub fn check_goods(report: &mut ValidationReport, goods: &[GoodsLine]) {
    for (i, line) in goods.iter().enumerate() {
        let typed = [
            ("name", "Tên hàng hóa", &line.name),
            ("unit", "Đơn vị tính", &line.unit),
            ("origin", "Xuất xứ", &line.origin),
            ("condition", "Tình trạng", &line.condition),
            ("note", "Ghi chú", &line.note),
        ];
        for (field, label, text) in typed {
            check(report, text, || (format!("goods[{i}].{field}"), label.into()));
        }
    }
}

/// The parties' entries, at `parties.<path>`.
pub fn check_parties(report: &mut ValidationReport, parties: &Parties) {
    for (path, label, get, _) in crate::domain::parties::SLOTS {
        check(report, get(parties), || (format!("parties.{path}"), label.into()));
    }
}

/// What `doc` prints that a member typed and this check can name: its own fields (at
/// `field.<id>`), the case's subject, and its goods when the form prints them. The parties
/// reach a document only through its fields, and the signers' names are not printed. Goods
/// are checked only where printed: a case whose goods hold such text from before the check
/// could not otherwise finalise anything (the goods are locked once a document prints them).
pub fn check_document(report: &mut ValidationReport, form: &FormDef, case: &Case, doc: &Document) {
    for field in &form.fields {
        if let Some(value) = doc.fields.get(&field.id) {
            check(report, value, || (crate::forms::field_path(&field.id), field.label.clone()));
        }
    }
    check_subject(report, &case.subject);
    if form.blocks.iter().any(|b| matches!(b, crate::forms::layout::BlockDef::GoodsTable { .. })) {
        check_goods(report, &case.goods);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppError;
    use crate::app::demo::demo_unit;
    use crate::app::goods::GoodsInput;

    #[test]
    fn what_the_fonts_draw_passes_and_the_rest_is_named_once_each() {
        assert!(crate::pdf::unprintable("Hộ kinh doanh Đỗ Thị Lựu, số 3\tngõ 5\nĐà Nẵng – “x” № ½").is_empty());
        // Decomposed Vietnamese (some keyboards) composes to what the fonts draw.
        assert!(crate::pdf::unprintable("Nguye\u{302}\u{303}n").is_empty());
        assert_eq!(crate::pdf::unprintable("Trà 😀 xanh 😀 中国"), ['😀', '中', '国']);
        assert_eq!(crate::pdf::unprintable("a\u{7}b"), ['\u{7}']);
        let problem = Unprintable { label: "Tên hàng hóa".into(), chars: vec!['中', '\u{200D}'] };
        assert_eq!(
            problem.vi(),
            "Tên hàng hóa: có ký tự không in ra văn bản được: “中” (U+4E2D), U+200D. Xóa hoặc thay bằng chữ khác"
        );
    }

    /// A new case, goods lines and parties holding text the fonts lack are refused where
    /// they are typed, each naming its field and the characters, and nothing is stored.
    #[test]
    fn text_the_fonts_cannot_draw_is_refused_where_it_is_typed() {
        let dir = tempfile::tempdir().unwrap();
        let (ws, mut input) = crate::app::new_case::company_case(dir.path());
        input.name = "Công ty TNHH Ánh Dương 🌞".into();
        let refused = |err: AppError| match err {
            AppError::Invalid(report) => report
                .errors()
                .map(|p| {
                    assert!(p.message_vi.contains("không in ra văn bản được"), "{report}");
                    (p.field.clone(), p.message_vi.clone())
                })
                .collect::<Vec<_>>(),
            err => panic!("{err}"),
        };
        let said = refused(ws.open_new_case(&input).unwrap_err());
        assert_eq!(said.len(), 1, "{said:?}");
        assert_eq!(said[0].0, "subject.name");
        assert!(said[0].1.starts_with("Tên đối tượng: ") && said[0].1.contains("“🌞” (U+1F31E)"), "{said:?}");
        assert_eq!(ws.case_count().unwrap(), 0);
        input.name = "Công ty TNHH Ánh Dương".into();
        let id = ws.open_new_case(&input).unwrap();

        let row = |name: &str, origin: &str| GoodsInput {
            name: name.into(),
            unit: "hộp".into(),
            quantity: "2".into(),
            origin: origin.into(),
            ..GoodsInput::default()
        };
        let said = refused(ws.save_goods(id, &[row("Trà xanh", "Việt Nam"), row("Bánh 月饼", "中国")]).unwrap_err());
        let fields: Vec<&str> = said.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["goods[1].name", "goods[1].origin"]);
        assert!(said[0].1.starts_with("Tên hàng hóa: "), "{said:?}");
        assert!(ws.case(id).unwrap().goods.is_empty(), "nothing stored");
        ws.save_goods(id, &[row("Trà xanh", "Việt Nam"), row("Bánh trung thu", "Trung Quốc")]).unwrap();

        let mut parties = Parties::default();
        parties.witness.name = "Lê Văn Tám ✍".into();
        let said = refused(ws.save_parties(id, &parties).unwrap_err());
        assert_eq!(said.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["parties.witness.name"]);
        assert_eq!(ws.case(id).unwrap().parties, Parties::default(), "nothing stored");
    }

    /// The unit's names and its members' names and titles print on every document.
    #[test]
    fn the_units_names_and_members_are_refused_with_text_the_fonts_cannot_draw() {
        let mut member = demo_unit().members[0].clone();
        member.title = "Đội trưởng ★".into();
        let mut report = ValidationReport::default();
        crate::app::setup::check_member(&mut report, "members[2].", &member, false);
        let fields: Vec<&str> = report.errors().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["members[2].title"], "{report}");
        assert!(report.errors().next().unwrap().message_vi.starts_with("Chức vụ: có ký tự không in"), "{report}");
    }
}
