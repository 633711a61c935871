//! The PDF file around the composed pages: each face drawn as a Type0 font in Identity-H
//! over a TrueType CID font whose CIDs are the glyph ids of its program, cut to the glyphs
//! drawn and numbered in the order drawn ([`super::subset`]; ISO 32000-1, 9.7), with its
//! widths and its ToUnicode map (so text can be searched and copied); the pages; the
//! catalogue, the title and the file identifier. lopdf writes the objects, the
//! cross-reference table and the trailer.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use ttf_parser::GlyphId;

use super::PdfError;
use super::fonts::{Metrics, Style};
use super::layout::{self, Drawn, Pages};

/// The faces' resource names on the pages, by [`Style::index`].
pub const FONT_NAMES: [&str; 3] = ["ANCHIR", "ANCHIB", "ANCHII"];

/// The zlib level of the document's streams. Level 9 was a third of a one-page document's
/// time for about 1 % fewer bytes; at level 6 compressing was still two fifths of it: the
/// streams of the inspection record took 2.2 ms at level 6 and 1.4 ms at level 2, for 4 %
/// more bytes.
const FLATE_LEVEL: u32 = 2;

/// The whole file: `pages` on A4, `title` in its information dictionary, `id` (32
/// characters) as both halves of its identifier.
pub(super) fn document(title: &str, pages: Pages, metrics: &Metrics, id: &str) -> Result<Vec<u8>, PdfError> {
    DEFLATER.with_borrow_mut(|deflater| written(title, pages, metrics, id, deflater))
}

thread_local! {
    /// The compressor of the documents rendered on this thread. Setting one up allocates
    /// and clears some 300 KB, fresh pages the system hands out one by one: with one for
    /// each document, that was a sixth of the page faults of rendering a case's documents.
    static DEFLATER: std::cell::RefCell<Deflater> = std::cell::RefCell::new(Deflater::new());
}

/// [`document`], its streams deflated by `deflater`.
fn written(
    title: &str,
    pages: Pages,
    metrics: &Metrics,
    id: &str,
    deflater: &mut Deflater,
) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let mut fonts = Dictionary::new();
    for style in Style::ALL {
        let drawn = &pages.drawn[style.index()];
        if drawn.used() {
            fonts.set(FONT_NAMES[style.index()], font(&mut doc, deflater, style, metrics, drawn)?);
        }
    }
    let resources = doc.add_object(Dictionary::from_iter([("Font", Object::Dictionary(fonts))]));
    let a4 = [layout::mm(210.0), layout::mm(297.0)];
    let media_box = Object::Array([0.0, 0.0, a4[0], a4[1]].map(Object::Real).to_vec());
    let mut kids = Vec::new();
    for content in pages.contents {
        let content = doc.add_object(deflater.stream(Dictionary::new(), content));
        let page = Dictionary::from_iter([
            ("Type", Object::from("Page")),
            ("Parent", pages_id.into()),
            ("MediaBox", media_box.clone()),
            ("Resources", resources.into()),
            ("Contents", content.into()),
        ]);
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    let tree = [("Type", Object::from("Pages")), ("Kids", kids.into()), ("Count", count.into())];
    doc.objects.insert(pages_id, Object::Dictionary(Dictionary::from_iter(tree)));
    let catalog =
        doc.add_object(Dictionary::from_iter([("Type", Object::from("Catalog")), ("Pages", pages_id.into())]));
    let utf16: Vec<u8> = [0xFE, 0xFF].into_iter().chain(title.encode_utf16().flat_map(u16::to_be_bytes)).collect();
    let info = doc.add_object(Dictionary::from_iter([
        ("Title", Object::String(utf16, StringFormat::Hexadecimal)),
        ("Producer", Object::string_literal("anchi")),
    ]));
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let id = Object::String(id.as_bytes().to_vec(), StringFormat::Literal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("a PDF is written to memory");
    Ok(bytes)
}

/// Deflates streams with one compressor: setting one up clears its tables, which was a
/// sixth of a one-page document's time when each stream had its own.
struct Deflater(flate2::Compress);

impl Deflater {
    fn new() -> Deflater {
        Deflater(flate2::Compress::new(flate2::Compression::new(FLATE_LEVEL), true))
    }

    /// A stream of `content` under `dict`, deflated unless that would not make it smaller.
    fn stream(&mut self, mut dict: Dictionary, content: Vec<u8>) -> Stream {
        self.0.reset();
        let mut packed = Vec::with_capacity(content.len() + content.len() / 64 + 64);
        let done = self.0.compress_vec(&content, &mut packed, flate2::FlushCompress::Finish);
        if matches!(done, Ok(flate2::Status::StreamEnd)) && packed.len() + 19 < content.len() {
            dict.set("Filter", "FlateDecode");
            Stream::new(dict, packed)
        } else {
            Stream::new(dict, content)
        }
    }
}

/// One face as a Type0 font: the CID font with its widths, its descriptor with the cut
/// program, its ToUnicode map. Returns the Type0 font's object.
fn font(
    doc: &mut Document,
    deflater: &mut Deflater,
    style: Style,
    metrics: &Metrics,
    drawn: &Drawn,
) -> Result<ObjectId, PdfError> {
    let face = metrics.face(style);
    let glyphs: Vec<u16> = drawn.glyphs().collect();
    // Without a PostScript name in Unicode, the font is named by its resource name.
    let base = metrics.postscript_name(style).unwrap_or(FONT_NAMES[style.index()]);
    let name = [super::subset::tag(base.as_bytes(), &glyphs).as_slice(), b"+", base.as_bytes()].concat();
    let program = super::subset::program(style, drawn.remapper())?;
    let file_dict = Dictionary::from_iter([("Length1", Object::Integer(program.len() as i64))]);
    let file = doc.add_object(deflater.stream(file_dict, program));
    let units = f32::from(face.units_per_em());
    let scaled = |v: f32| Object::Integer((v * 1000.0 / units).round() as i64);
    let bbox = face.global_bounding_box();
    let bbox = [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max].map(|v| scaled(f32::from(v)));
    let weight = f32::from(face.weight().to_number());
    // Symbolic: the faces draw characters outside the standard Latin set (ISO 32000-1,
    // 9.8.2); italic.
    let flags = 4 + if face.is_italic() { 64 } else { 0 };
    let descriptor = doc.add_object(Dictionary::from_iter([
        ("Type", Object::from("FontDescriptor")),
        ("FontName", Object::Name(name.clone())),
        ("Flags", Object::Integer(flags)),
        ("FontBBox", bbox.to_vec().into()),
        ("ItalicAngle", Object::Real(face.italic_angle())),
        ("Ascent", scaled(f32::from(face.ascender()))),
        ("Descent", scaled(f32::from(face.descender()))),
        ("CapHeight", scaled(f32::from(face.capital_height().unwrap_or(face.ascender())))),
        // The usual estimate of the vertical stems' width from the weight class.
        ("StemV", Object::Integer((50.0 + (weight / 65.0).powi(2)).round() as i64)),
        ("FontFile2", file.into()),
    ]));
    // Every code from 0 has a glyph, so one run gives all the widths.
    let widths = glyphs.iter().map(|g| scaled(f32::from(face.glyph_hor_advance(GlyphId(*g)).unwrap_or(0))));
    let system_info = Dictionary::from_iter([
        ("Registry", Object::string_literal("Adobe")),
        ("Ordering", Object::string_literal("Identity")),
        ("Supplement", Object::Integer(0)),
    ]);
    let cid_font = doc.add_object(Dictionary::from_iter([
        ("Type", Object::from("Font")),
        ("Subtype", Object::from("CIDFontType2")),
        ("BaseFont", Object::Name(name.clone())),
        ("CIDSystemInfo", system_info.into()),
        ("FontDescriptor", descriptor.into()),
        ("W", vec![Object::Integer(0), Object::Array(widths.collect())].into()),
        ("CIDToGIDMap", Object::from("Identity")),
    ]));
    let to_unicode = doc.add_object(deflater.stream(Dictionary::new(), to_unicode(drawn.chars())));
    Ok(doc.add_object(Dictionary::from_iter([
        ("Type", Object::from("Font")),
        ("Subtype", Object::from("Type0")),
        ("BaseFont", Object::Name(name)),
        ("Encoding", Object::from("Identity-H")),
        ("DescendantFonts", vec![Object::Reference(cid_font)].into()),
        ("ToUnicode", to_unicode.into()),
    ])))
}

/// The ToUnicode CMap: each code drawn to the character it stands for (UTF-16BE).
fn to_unicode(drawn: &[Option<char>]) -> Vec<u8> {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(usize, char)> = drawn.iter().enumerate().filter_map(|(code, c)| Some((code, (*c)?))).collect();
    // At most 100 mappings to a block (ISO 32000-1, 9.10.3; PostScript's limit).
    for block in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", block.len()));
        for (code, c) in block {
            let units: String = c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{code:04X}> <{units}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{Align, Block, Column, Header, PrintDocument};
    use ttf_parser::Face;

    /// Every code every page draws, read back from the file: the font's `/W` gives it a
    /// width, its ToUnicode map a character, and its cut program, under that code, the
    /// advance and outline that character has in the whole font (whitespace has none).
    #[test]
    fn every_code_drawn_has_a_width_a_character_and_its_outline() {
        let words = "Biên bản vi phạm hành chính về hàng hóa nhập lậu, không rõ nguồn gốc xuất xứ; ";
        let doc = PrintDocument {
            title: "Thử".into(),
            header: Header {
                parent_body: "CHI CỤC QUẢN LÝ THỊ TRƯỜNG".into(),
                unit: "ĐỘI SỐ 1".into(),
                number_line: "Số: 1/BB".into(),
                place_date: "Lạng Sơn, ngày 02 tháng 12 năm 2026".into(),
            },
            blocks: vec![
                Block::Paragraph { text: words.repeat(40), style: Style::Regular, align: Align::Justify, indent: true },
                Block::Table {
                    columns: vec![Column { title: "Tên hàng".into(), share: 1.0, align: Align::Left }],
                    rows: vec![vec!["Rượu ngoại (chai 700 ml) — 12 €".into()]],
                },
            ],
            footer: "Số 1/BB — vụ việc 7".into(),
            qr: "anchi".into(),
        };
        let pdf = crate::pdf::render(&doc).unwrap();
        let file = Document::load_mem(&pdf).unwrap();
        assert!(file.get_pages().len() > 1);
        let mut checked = 0;
        for page in file.get_pages().into_values() {
            let fonts = file.get_page_fonts(page).unwrap();
            let content = lopdf::content::Content::decode(&file.get_page_content(page)).unwrap();
            let mut font = None;
            for op in content.operations {
                match op.operator.as_str() {
                    "Tf" => font = Some(op.operands[0].as_name().unwrap().to_vec()),
                    "Tj" => {
                        let type0 = fonts[font.as_ref().unwrap()];
                        let cid = file.dereference(&type0.get(b"DescendantFonts").unwrap().as_array().unwrap()[0]);
                        let cid = cid.unwrap().1.as_dict().unwrap();
                        let widths = cid.get(b"W").unwrap().as_array().unwrap();
                        assert_eq!(widths[0].as_i64().unwrap(), 0);
                        let listed = widths[1].as_array().unwrap().len();
                        let descriptor =
                            file.get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap());
                        let program = descriptor.unwrap().get(b"FontFile2").unwrap().as_reference().unwrap();
                        let program = file.get_object(program).unwrap().as_stream().unwrap().decompressed_content();
                        let program = program.unwrap();
                        let cut = Face::parse(&program, 0).unwrap();
                        let map = file.get_object(type0.get(b"ToUnicode").unwrap().as_reference().unwrap());
                        let map = String::from_utf8(map.unwrap().as_stream().unwrap().decompressed_content().unwrap());
                        let map = map.unwrap();
                        let style =
                            Style::ALL[FONT_NAMES.iter().position(|n| n.as_bytes() == font.as_ref().unwrap()).unwrap()];
                        let whole = Face::parse(style.bytes(), 0).unwrap();
                        for code in op.operands[0].as_str().unwrap().chunks(2) {
                            let code = u16::from_be_bytes([code[0], code[1]]);
                            assert!(usize::from(code) < listed, "{code} has no width");
                            let entry = map.lines().find(|l| l.starts_with(&format!("<{code:04X}> <")));
                            let unit = u32::from_str_radix(&entry.expect("mapped")[8..12], 16).unwrap();
                            let c = char::from_u32(unit).unwrap();
                            let glyph = whole.glyph_index(c).unwrap();
                            let width = |face: &Face, g| face.glyph_hor_advance(g);
                            assert_eq!(width(&cut, GlyphId(code)), width(&whole, glyph), "{c}");
                            assert_eq!(outline(&cut, GlyphId(code)), outline(&whole, glyph), "{c}");
                            assert!(c.is_whitespace() || !outline(&whole, glyph).is_empty(), "{c}");
                            checked += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        assert!(checked > 2000, "{checked} codes");
    }

    /// A face a page names is in the file even when it draws nothing but white space, and
    /// white space the face has no glyph for is drawn as a space, not the missing-glyph box.
    #[test]
    fn every_font_a_page_names_is_in_the_file() {
        let metrics = crate::pdf::metrics();
        let mut c = layout::Composer::new(metrics);
        c.text_at(100.0, 700.0, "", Style::Regular, 12.0);
        c.text_at(100.0, 680.0, "\t", Style::Italic, 12.0);
        c.text_at(100.0, 660.0, "Đội", Style::Bold, 12.0);
        let pages = c.finish("", None);
        let content = String::from_utf8(pages.contents[0].clone()).unwrap();
        assert!(!content.contains("/ANCHIR"), "{content}");
        assert!(content.contains("/ANCHII 12 Tf 100 680 Td <0001> Tj"), "{content}");
        let pdf = document("Thử", pages, metrics, &"0".repeat(32)).unwrap();
        let file = Document::load_mem(&pdf).unwrap();
        let page = file.get_pages()[&1];
        let fonts = file.get_page_fonts(page).unwrap();
        let named: Vec<&[u8]> = fonts.keys().map(Vec::as_slice).collect();
        assert_eq!(named, [b"ANCHIB".as_slice(), b"ANCHII"]);
        let italic = fonts[b"ANCHII".as_slice()].get(b"ToUnicode").unwrap().as_reference().unwrap();
        let map = file.get_object(italic).unwrap().as_stream().unwrap().decompressed_content().unwrap();
        assert!(String::from_utf8(map).unwrap().contains("<0001> <0020>"));
    }

    /// A glyph's outline as the list of its drawing commands (composites resolved, so a
    /// missing part shows).
    fn outline(face: &Face, glyph: GlyphId) -> Vec<String> {
        struct Pen(Vec<String>);
        impl ttf_parser::OutlineBuilder for Pen {
            fn move_to(&mut self, x: f32, y: f32) {
                self.0.push(format!("M{x},{y}"));
            }
            fn line_to(&mut self, x: f32, y: f32) {
                self.0.push(format!("L{x},{y}"));
            }
            fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
                self.0.push(format!("Q{x1},{y1},{x},{y}"));
            }
            fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
                self.0.push(format!("C{x1},{y1},{x2},{y2},{x},{y}"));
            }
            fn close(&mut self) {
                self.0.push("Z".into());
            }
        }
        let mut pen = Pen(Vec::new());
        face.outline_glyph(glyph, &mut pen);
        pen.0
    }

    #[test]
    fn the_unicode_map_names_each_glyph_in_blocks_of_a_hundred() {
        let drawn: Vec<Option<char>> =
            (0..=150).map(|g| (g > 0).then(|| char::from_u32(0x1EA0 + g).unwrap())).collect();
        let text = String::from_utf8(to_unicode(&drawn)).unwrap();
        assert!(text.contains("100 beginbfchar\n<0001> <1EA1>\n"), "{text}");
        assert!(text.contains("50 beginbfchar\n<0065> <1F05>\n"), "{text}");
        // Code 0, the missing-glyph box, stands for no character.
        assert!(!text.lines().any(|l| l.starts_with("<0000> <") && l != "<0000> <FFFF>"), "{text}");
        let astral = to_unicode(&[None, Some('𝄞')]);
        assert!(String::from_utf8(astral).unwrap().contains("<0001> <D834DD1E>"));
    }
}
