//! The embedded fonts cut down to the glyphs a document uses.
//!
//! printpdf's own subsetting renumbers the glyphs, parses the cut font again and decodes
//! its outlines to measure them: a quarter of a one-page document's time. Instead printpdf
//! embeds each face whole (glyph ids, widths and ToUnicode map as in the font), and here
//! its program is replaced by one that keeps every glyph id but only the outlines of the
//! glyphs the font's `/W` array lists (`subsetter`, as typst embeds fonts), and its name
//! takes a subset tag (ISO 32000-1, 9.6.4) made from the glyphs kept, so that two
//! documents with different subsets never carry the same font name (a printer that keeps
//! fonts by name between jobs would draw one document's text with the other's glyphs).

use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest, Sha256};

/// One embedded face: its Type0 font, its descriptor and the glyphs it draws.
struct Face {
    font: ObjectId,
    descriptor: ObjectId,
    glyphs: Vec<u16>,
    /// `KQWZTB+LiberationSerif`.
    tagged: Vec<u8>,
}

/// Cuts the program of each Type0 font of ours (its name in `names`) down to the glyphs it
/// draws, and tags its names. A font of another shape is left whole, as is one the
/// subsetter refuses: the document stays correct, only larger (the tests read `pdffonts`
/// and the programs to see each subset).
pub(super) fn subset_fonts(doc: &mut Document, names: &[String]) {
    let faces: Vec<Face> =
        doc.objects.iter().filter_map(|(id, object)| face(*id, object.as_dict().ok()?, names)).collect();
    for face in faces {
        let Some(file) =
            doc.get_dictionary(face.descriptor).and_then(|d| d.get(b"FontFile2")).and_then(Object::as_reference).ok()
        else {
            continue;
        };
        let Ok(Object::Stream(stream)) = doc.get_object_mut(file) else { continue };
        let Ok(cut) = subsetter::subset(&stream.content, 0, subsetter::Profile::pdf(&face.glyphs)) else { continue };
        stream.dict.set("Length1", Object::Integer(cut.len() as i64));
        stream.set_content(cut);
        let name = || Object::Name(face.tagged.clone());
        if let Ok(descriptor) = doc.get_dictionary_mut(face.descriptor) {
            descriptor.set("FontName", name());
        }
        if let Ok(font) = doc.get_dictionary_mut(face.font) {
            font.set("BaseFont", name());
            if let Ok(Object::Array(descendants)) = font.get_mut(b"DescendantFonts")
                && let Some(Object::Dictionary(cid)) = descendants.first_mut()
            {
                cid.set("BaseFont", name());
            }
        }
    }
}

/// A name entry of a dictionary.
fn name<'a>(dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    dict.get(key).and_then(Object::as_name).ok()
}

/// One of our faces, when it has the shape whose codes are glyph ids: a Type0 font in
/// Identity-H over a TrueType CID font whose CIDs are glyph ids (`CIDToGIDMap` Identity,
/// the default).
fn face(id: ObjectId, font: &Dictionary, names: &[String]) -> Option<Face> {
    let base = name(font, b"BaseFont")?;
    if name(font, b"Subtype")? != b"Type0"
        || name(font, b"Encoding")? != b"Identity-H"
        || !names.iter().any(|n| n.as_bytes() == base)
    {
        return None;
    }
    let cid = font.get(b"DescendantFonts").and_then(Object::as_array).ok()?.first()?.as_dict().ok()?;
    let identity = cid.get(b"CIDToGIDMap").map_or(Some(true), |m| m.as_name().ok().map(|m| m == b"Identity"))?;
    if name(cid, b"Subtype")? != b"CIDFontType2" || !identity {
        return None;
    }
    let descriptor = cid.get(b"FontDescriptor").and_then(Object::as_reference).ok()?;
    let glyphs = glyphs_of(cid.get(b"W").and_then(Object::as_array).ok()?);
    let tagged = [&tag(base, &glyphs), b"+".as_slice(), base].concat();
    Some(Face { font: id, descriptor, glyphs, tagged })
}

/// Six capitals from the SHA-256 of the font's name and the glyphs kept.
fn tag(base: &[u8], glyphs: &[u16]) -> [u8; 6] {
    let mut hash = Sha256::new();
    hash.update(base);
    glyphs.iter().for_each(|g| hash.update(g.to_be_bytes()));
    let digest = hash.finalize();
    std::array::from_fn(|i| b'A' + digest[i] % 26)
}

/// The glyph ids a `/W` array gives widths for: `c [w1 w2 …]` and `first last w` runs
/// (codes are glyph ids under Identity-H with an identity CIDToGIDMap).
fn glyphs_of(widths: &[Object]) -> Vec<u16> {
    let mut glyphs = vec![0];
    let mut rest = widths;
    while let [first, next, ..] = rest {
        let Ok(first) = first.as_i64() else { break };
        let (last, step) = match next {
            Object::Array(run) => (first + run.len() as i64 - 1, 2),
            other => match other.as_i64() {
                Ok(last) => (last, 3),
                Err(_) => break,
            },
        };
        glyphs.extend((first..=last).filter_map(|g| u16::try_from(g).ok()));
        rest = rest.get(step..).unwrap_or_default();
    }
    glyphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{Align, Block, Header, PrintDocument, Style};

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
    fn each_font_keeps_the_outlines_of_the_glyphs_it_draws_and_no_others() {
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
        let regular = &programs.iter().find(|(n, _)| n.ends_with("+LiberationSerif")).unwrap().1;
        let whole = ttf_parser::Face::parse(Style::Regular.bytes(), 0).unwrap();
        let cut = ttf_parser::Face::parse(regular, 0).unwrap();
        assert!(regular.len() * 4 < Style::Regular.bytes().len(), "{} bytes", regular.len());
        let outline = |face: &ttf_parser::Face, c: char| face.glyph_bounding_box(whole.glyph_index(c).unwrap());
        // Drawn in the paragraph (ạ and ậ are composites: their parts are kept too), each
        // under the glyph id it has in the whole font; and not drawn.
        for c in "Bênạậ".chars() {
            assert!(outline(&cut, c).is_some() && outline(&cut, c) == outline(&whole, c), "{c} lost its outline");
        }
        for c in "QZ€ỹ".chars() {
            assert!(outline(&whole, c).is_some() && outline(&cut, c).is_none(), "{c} kept its outline");
        }
    }

    #[test]
    fn the_tag_follows_the_glyphs_kept() {
        let a = tag(b"LiberationSerif", &[0, 3, 4]);
        assert_eq!(a, tag(b"LiberationSerif", &[0, 3, 4]));
        assert_ne!(a, tag(b"LiberationSerif", &[0, 3, 5]));
        assert_ne!(a, tag(b"LiberationSerif-Bold", &[0, 3, 4]));
        assert!(a.iter().all(u8::is_ascii_uppercase));
    }

    #[test]
    fn both_forms_of_a_widths_array_give_their_glyphs() {
        let w = vec![
            Object::Integer(3),
            Object::Array(vec![Object::Integer(250), Object::Integer(333)]),
            Object::Integer(10),
            Object::Integer(12),
            Object::Integer(500),
        ];
        assert_eq!(glyphs_of(&w), vec![0, 3, 4, 10, 11, 12]);
        assert_eq!(glyphs_of(&[]), vec![0]);
    }
}
