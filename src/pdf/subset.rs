//! The embedded fonts cut down to the glyphs a document draws.
//!
//! Each program keeps only the glyphs drawn, numbered in the order the pages first draw
//! them (the codes of the content streams), then the parts of composite ones (`subsetter`,
//! as typst embeds fonts), and only the tables a PDF font program needs. Its name takes a
//! subset tag (ISO 32000-1, 9.6.4) made from the glyphs kept, so that two documents with
//! different subsets never carry the same font name (a printer that keeps fonts by name
//! between jobs would draw one document's text with the other's glyphs).

use sha2::{Digest, Sha256};

use super::PdfError;
use super::fonts::Style;

/// The program of `style` with the glyphs `drawn` only, renumbered as it says.
pub(super) fn program(style: Style, drawn: &subsetter::GlyphRemapper) -> Result<Vec<u8>, PdfError> {
    subsetter::subset(style.bytes(), 0, drawn).map_err(|e| PdfError::Font(format!("{style:?}: {e}")))
}

/// Six capitals from the SHA-256 of the font's name and the glyphs kept.
pub(super) fn tag(base: &[u8], glyphs: &[u16]) -> [u8; 6] {
    let mut hash = Sha256::new();
    hash.update(base);
    glyphs.iter().for_each(|g| hash.update(g.to_be_bytes()));
    let digest = hash.finalize();
    std::array::from_fn(|i| b'A' + digest[i] % 26)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{Align, Block, Header, PrintDocument, Style};
    use lopdf::{Document, Object};

    /// Every embedded program of a rendered document: its font name and bytes.
    fn programs(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
        let doc = Document::load_mem(pdf).unwrap();
        let mut found = Vec::new();
        for object in doc.objects.values() {
            let Ok(descriptor) = object.as_dict() else { continue };
            let Ok(file) = descriptor.get(b"FontFile2").and_then(Object::as_reference) else { continue };
            let name = String::from_utf8_lossy(descriptor.get(b"FontName").unwrap().as_name().unwrap()).into_owned();
            let stream = doc.get_object(file).unwrap().as_stream().unwrap();
            let bytes = stream.decompressed_content().unwrap();
            assert_eq!(stream.dict.get(b"Length1").unwrap().as_i64().unwrap(), bytes.len() as i64, "{name}");
            found.push((name, bytes));
        }
        found.sort();
        found
    }

    #[test]
    fn each_font_holds_the_glyphs_it_draws_and_no_others() {
        let text = "Biên bản vi phạm hành chính: Hàng hóa nhập lậu";
        let doc = PrintDocument {
            title: "Thử".into(),
            header: Header {
                parent_body: "CHI CỤC".into(),
                unit: "ĐỘI SỐ 1".into(),
                number_line: "Số: 1/BB".into(),
                place_date: "Lạng Sơn".into(),
            },
            blocks: vec![Block::Paragraph {
                text: text.into(),
                style: Style::Regular,
                align: Align::Left,
                indent: false,
            }],
            footer: "Số 1".into(),
            qr: "anchi".into(),
        };
        let programs = programs(&crate::pdf::render(&doc).unwrap());
        let mut names: Vec<&str> = programs.iter().map(|(n, _)| n.get(7..).unwrap_or(n)).collect();
        names.sort_unstable();
        assert_eq!(names, ["LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"]);
        for (name, _) in &programs {
            assert!(name.bytes().take(6).all(|b| b.is_ascii_uppercase()) && name.as_bytes()[6] == b'+', "{name}");
        }
        // The Regular face draws the paragraph, the parent body, the number line and the
        // footer: those characters, the missing-glyph box and the parts of composite glyphs
        // (ạ, ậ, ụ …) that are not drawn themselves; none of the face's other 2,600 glyphs.
        let regular = &programs.iter().find(|(n, _)| n.ends_with("+LiberationSerif")).unwrap().1;
        let drawn: std::collections::BTreeSet<char> = [text, "CHI CỤC", "Số: 1/BB", "Số 1"].concat().chars().collect();
        let glyphs = ttf_parser::Face::parse(regular, 0).unwrap().number_of_glyphs();
        assert!((drawn.len() + 1..drawn.len() + 12).contains(&usize::from(glyphs)), "{glyphs} glyphs for {drawn:?}");
        assert!(regular.len() * 10 < Style::Regular.bytes().len(), "{} bytes", regular.len());
    }

    #[test]
    fn the_tag_follows_the_glyphs_kept() {
        let a = tag(b"LiberationSerif", &[0, 3, 4]);
        assert_eq!(a, tag(b"LiberationSerif", &[0, 3, 4]));
        assert_ne!(a, tag(b"LiberationSerif", &[0, 3, 5]));
        assert_ne!(a, tag(b"LiberationSerif-Bold", &[0, 3, 4]));
        assert!(a.iter().all(u8::is_ascii_uppercase));
    }
}
