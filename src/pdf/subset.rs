//! The embedded fonts cut down to the glyphs a document draws.
//!
//! Each program keeps only the glyphs drawn, numbered in the order the pages first draw
//! them (the codes of the content streams), then the parts of composite ones (`subsetter`,
//! as typst embeds fonts), and only the tables a PDF font program needs. Its name takes a
//! subset tag (ISO 32000-1, 9.6.4) made from the glyphs kept, so that two documents with
//! different subsets never carry the same font name (a printer that keeps fonts by name
//! between jobs would draw one document's text with the other's glyphs).
//!
//! The programs carry no hinting: the TrueType instructions that fit each outline to a
//! screen's pixel grid at small sizes. In Liberation Serif they were three fifths of a
//! subset's glyph data and a third of each PDF, and most of the time spent compressing it.
//! The outlines, and so print, are unchanged. On screen, the demo case's 21 pages rendered
//! by pdfium (Chrome's and Edge's viewer) at 72 to 300 dpi with and without hinting differ
//! in at most 0.1 % of their pixels, and by poppler not at all; Acrobat and Foxit were not
//! tried. `maxp` keeps its hinting maxima: FreeType takes a font with no `fpgm` or `prep`
//! and a zero `maxSizeOfInstructions` for one to hint itself. The shipped font file keeps
//! its hinting: the OFL lets a document embed a subset of the font (its FAQ, 1.12), and this
//! is done only to the subset a document embeds.

use sha2::{Digest, Sha256};

use super::PdfError;
use super::fonts::Style;

/// The program of `style` with the glyphs `drawn` only, renumbered as it says, without
/// hinting.
pub(super) fn program(style: Style, drawn: &subsetter::GlyphRemapper) -> Result<Vec<u8>, PdfError> {
    let subset = subsetter::subset(style.bytes(), 0, drawn).map_err(|e| PdfError::Font(format!("{style:?}: {e}")))?;
    unhinted(&subset).ok_or_else(|| PdfError::Font(format!("{style:?}: the subset's glyph table is malformed")))
}

/// The tables that only hinting uses: the control values, the font program, the
/// pre-program.
const HINTING_TABLES: [&[u8; 4]; 3] = [b"cvt ", b"fpgm", b"prep"];

/// A composite glyph's component flags (OpenType, `glyf`): its arguments are words, it
/// has one scale, two, or a 2×2 matrix, another component follows, instructions follow.
const ARGS_ARE_WORDS: u16 = 0x0001;
const HAS_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const HAS_X_AND_Y_SCALE: u16 = 0x0040;
const HAS_TWO_BY_TWO: u16 = 0x0080;
const HAS_INSTRUCTIONS: u16 = 0x0100;

/// The TrueType font `font` with no glyph instructions and no hinting tables; every other
/// table as it was. `None` when its `glyf`, `loca` or `head` table cannot be read.
fn unhinted(font: &[u8]) -> Option<Vec<u8>> {
    let raw = ttf_parser::RawFace::parse(font, 0).ok()?;
    let table = |tag: &[u8; 4]| raw.table(ttf_parser::Tag::from_bytes(tag));
    let long = table(b"head")?.get(50..52)? == [0, 1];
    let (glyf, loca) = (table(b"glyf")?, table(b"loca")?);
    let offsets: Vec<usize> = if long {
        loca.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize).collect()
    } else {
        loca.chunks_exact(2).map(|c| 2 * usize::from(u16::from_be_bytes([c[0], c[1]]))).collect()
    };
    let mut glyphs = Vec::with_capacity(glyf.len());
    let mut new_loca = Vec::with_capacity(loca.len());
    for (i, &offset) in offsets.iter().enumerate() {
        // Short offsets count words, so a glyph starts on an even byte.
        glyphs.resize(glyphs.len().next_multiple_of(if long { 4 } else { 2 }), 0);
        if long {
            new_loca.extend(u32::try_from(glyphs.len()).ok()?.to_be_bytes());
        } else {
            new_loca.extend(u16::try_from(glyphs.len() / 2).ok()?.to_be_bytes());
        }
        if let Some(&end) = offsets.get(i + 1) {
            without_instructions(glyf.get(offset..end)?, &mut glyphs)?;
        }
    }
    let mut tables = Vec::new();
    for record in raw.table_records {
        let tag = record.tag.to_bytes();
        let data = match &tag {
            tag if HINTING_TABLES.contains(&tag) => continue,
            b"glyf" => glyphs.clone(),
            b"loca" => new_loca.clone(),
            b"head" => {
                // The whole file's checksum adjustment is worked out again below.
                let mut head = table(b"head")?.to_vec();
                head.get_mut(8..12)?.fill(0);
                head
            }
            _ => raw.table(record.tag)?.to_vec(),
        };
        tables.push((tag, data));
    }
    Some(sfnt(font.get(..4)?, &tables))
}

/// `glyph` (one glyph's bytes in `glyf`) without its instructions, added to `out`.
fn without_instructions(glyph: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let word = |at: usize| glyph.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let Some(contours) = word(0) else {
        return Some(()); // an empty glyph (a space) has no bytes at all
    };
    if contours < 0x8000 {
        // A simple glyph: its header, the contours' end points, then the instructions'
        // length and the instructions, then the points' flags and coordinates, then
        // perhaps the padding of the glyph that follows, which is not copied.
        let at = 10 + 2 * usize::from(contours);
        let points = if contours == 0 { 0 } else { usize::from(word(at - 2)?) + 1 };
        let start = at + 2 + usize::from(word(at)?);
        let end = points_end(glyph, start, points)?;
        out.extend_from_slice(glyph.get(..at)?);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(glyph.get(start..end)?);
    } else {
        // A composite: its header, then components, the last of which may say that
        // instructions follow it.
        out.extend_from_slice(glyph.get(..10)?);
        let mut at = 10;
        loop {
            let flags = word(at)?;
            let arguments = if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
            let transform = match () {
                _ if flags & HAS_SCALE != 0 => 2,
                _ if flags & HAS_X_AND_Y_SCALE != 0 => 4,
                _ if flags & HAS_TWO_BY_TWO != 0 => 8,
                _ => 0,
            };
            out.extend_from_slice(&(flags & !HAS_INSTRUCTIONS).to_be_bytes());
            let end = at + 4 + arguments + transform;
            out.extend_from_slice(glyph.get(at + 2..end)?);
            at = end;
            if flags & MORE_COMPONENTS == 0 {
                break;
            }
        }
    }
    Some(())
}

/// Where the flags and coordinates of `points` points that start at `at` in a simple
/// glyph end. A flag says whether it repeats, and whether each coordinate is one byte,
/// two, or none (the same as the last).
fn points_end(glyph: &[u8], mut at: usize, points: usize) -> Option<usize> {
    const X_BYTE: u8 = 0x02;
    const Y_BYTE: u8 = 0x04;
    const REPEAT: u8 = 0x08;
    const X_SAME_OR_POSITIVE: u8 = 0x10;
    const Y_SAME_OR_POSITIVE: u8 = 0x20;
    let size = |flag: u8, byte: u8, same: u8| match () {
        _ if flag & byte != 0 => 1,
        _ if flag & same != 0 => 0,
        _ => 2,
    };
    let (mut left, mut coordinates) = (points, 0);
    while left > 0 {
        let flag = *glyph.get(at)?;
        let times = if flag & REPEAT != 0 { usize::from(*glyph.get(at + 1)?) + 1 } else { 1 };
        at += if flag & REPEAT != 0 { 2 } else { 1 };
        left = left.checked_sub(times)?;
        coordinates += times * (size(flag, X_BYTE, X_SAME_OR_POSITIVE) + size(flag, Y_BYTE, Y_SAME_OR_POSITIVE));
    }
    Some(at + coordinates)
}

/// A TrueType file of `version` (the first four bytes) and `tables`, in the order given
/// (sorted by tag), each with its checksum, and `head` with the whole file's adjustment.
fn sfnt(version: &[u8], tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let count = tables.len() as u16;
    let selector = count.checked_ilog2().unwrap_or(0) as u16;
    let range = 16 << selector;
    let mut out = version.to_vec();
    for value in [count, range, selector, count * 16 - range] {
        out.extend(value.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The sum of `data` as big-endian 32-bit words, the last one padded with zeros.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
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
        // No program carries hinting (see the module's comment).
        for (name, program) in &programs {
            let raw = ttf_parser::RawFace::parse(program, 0).unwrap();
            let tags: Vec<[u8; 4]> = raw.table_records.into_iter().map(|r| r.tag.to_bytes()).collect();
            assert!(HINTING_TABLES.iter().all(|t| !tags.contains(t)), "{name}: {tags:?}");
            assert!(instructed(program).iter().all(|&(_, instructions)| !instructions), "{name}");
        }
    }

    /// A glyph's outline as drawing commands.
    #[derive(Default, PartialEq, Debug)]
    struct Path(Vec<(char, [f32; 6])>);

    impl ttf_parser::OutlineBuilder for Path {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.push(('M', [x, y, 0.0, 0.0, 0.0, 0.0]));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.push(('L', [x, y, 0.0, 0.0, 0.0, 0.0]));
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0.push(('Q', [x1, y1, x, y, 0.0, 0.0]));
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0.push(('C', [x1, y1, x2, y2, x, y]));
        }
        fn close(&mut self) {
            self.0.push(('Z', [0.0; 6]));
        }
    }

    /// For each glyph of `font`: whether it is a composite, and whether it carries
    /// instructions (a simple glyph's length field, a composite's component flags).
    fn instructed(font: &[u8]) -> Vec<(bool, bool)> {
        let raw = ttf_parser::RawFace::parse(font, 0).unwrap();
        let table = |tag: &[u8; 4]| raw.table(ttf_parser::Tag::from_bytes(tag)).unwrap();
        let (glyf, loca) = (table(b"glyf"), table(b"loca"));
        let word = |b: &[u8], at: usize| usize::from(u16::from_be_bytes([b[at], b[at + 1]]));
        assert_eq!(table(b"head")[51], 0, "the subsets use short offsets");
        let offsets: Vec<usize> = (0..loca.len() / 2).map(|i| 2 * word(loca, 2 * i)).collect();
        let glyphs = offsets.windows(2).map(|w| &glyf[w[0]..w[1]]).filter(|g| !g.is_empty());
        glyphs
            .map(|g| match word(g, 0) {
                contours if contours < 0x8000 => (false, word(g, 10 + 2 * contours) > 0),
                _ => {
                    let (mut at, mut any) = (10, false);
                    loop {
                        let flags = word(g, at) as u16;
                        any |= flags & HAS_INSTRUCTIONS != 0;
                        at += 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
                        at += [(HAS_SCALE, 2), (HAS_X_AND_Y_SCALE, 4), (HAS_TWO_BY_TWO, 8)]
                            .iter()
                            .find(|(f, _)| flags & f != 0)
                            .map_or(0, |(_, n)| *n);
                        if flags & MORE_COMPONENTS == 0 {
                            break (true, any);
                        }
                    }
                }
            })
            .collect()
    }

    #[test]
    fn a_program_without_hinting_draws_the_same_outlines_and_is_a_whole_font() {
        let face = ttf_parser::Face::parse(Style::Regular.bytes(), 0).unwrap();
        let mut drawn = subsetter::GlyphRemapper::new();
        for c in "Hàng hóa nhập lậu: ĐỘI, Ấn chỉ ạ ụ ệ ở ữ 0123456789 ……".chars() {
            drawn.remap(face.glyph_index(c).unwrap().0);
        }
        let hinted = subsetter::subset(Style::Regular.bytes(), 0, &drawn).unwrap();
        let bare = unhinted(&hinted).unwrap();
        let (before, after) = (instructed(&hinted), instructed(&bare));
        // The subset had instructions in simple glyphs and in composites (ậ, ộ …).
        assert!(before.contains(&(false, true)) && before.contains(&(true, true)), "{before:?}");
        assert_eq!(after, before.iter().map(|&(composite, _)| (composite, false)).collect::<Vec<_>>());
        let (old, new) = (ttf_parser::Face::parse(&hinted, 0).unwrap(), ttf_parser::Face::parse(&bare, 0).unwrap());
        assert_eq!(old.number_of_glyphs(), new.number_of_glyphs());
        for id in (0..old.number_of_glyphs()).map(ttf_parser::GlyphId) {
            let (mut a, mut b) = (Path::default(), Path::default());
            assert_eq!(old.outline_glyph(id, &mut a), new.outline_glyph(id, &mut b), "{id:?}");
            assert_eq!(a, b, "{id:?}");
            assert_eq!(old.glyph_hor_advance(id), new.glyph_hor_advance(id), "{id:?}");
        }
        let raw = ttf_parser::RawFace::parse(&bare, 0).unwrap();
        let tags: Vec<[u8; 4]> = raw.table_records.into_iter().map(|r| r.tag.to_bytes()).collect();
        assert!(HINTING_TABLES.iter().all(|t| !tags.contains(t)), "{tags:?}");
        // A whole font: every table's checksum right, and the file's sum the constant.
        for record in raw.table_records {
            let mut data = raw.table(record.tag).unwrap().to_vec();
            if &record.tag.to_bytes() == b"head" {
                data[8..12].fill(0);
            }
            assert_eq!(record.check_sum, checksum(&data), "{}", record.tag);
        }
        assert_eq!(checksum(&bare), 0xB1B0_AFBA);
        assert!(bare.len() * 2 < hinted.len(), "{} of {} bytes", bare.len(), hinted.len());
    }

    #[test]
    fn the_whole_face_without_hinting_draws_every_glyph_as_before() {
        // The whole font (long offsets, 2,600 glyphs), where the subsets use short ones.
        let font = Style::Italic.bytes();
        let bare = unhinted(font).unwrap();
        let (old, new) = (ttf_parser::Face::parse(font, 0).unwrap(), ttf_parser::Face::parse(&bare, 0).unwrap());
        assert_eq!(old.raw_face().table(ttf_parser::Tag::from_bytes(b"head")).unwrap()[51], 1, "long offsets");
        for id in (0..old.number_of_glyphs()).map(ttf_parser::GlyphId) {
            let (mut a, mut b) = (Path::default(), Path::default());
            assert_eq!(old.outline_glyph(id, &mut a), new.outline_glyph(id, &mut b), "{id:?}");
            assert_eq!(a, b, "{id:?}");
        }
        assert!(bare.len() < font.len() * 3 / 4, "{} of {} bytes", bare.len(), font.len());
        assert_eq!(checksum(&bare), 0xB1B0_AFBA);
    }

    #[test]
    fn a_glyph_loses_its_instructions_and_nothing_else() {
        let mut out = Vec::new();
        // A simple glyph: one contour of 3 points (end point 2), 4 instruction bytes, the
        // flags (the first repeated twice: 3 flags, x and y one byte each) and 6 coordinate
        // bytes, then 2 bytes of padding that are not the glyph's.
        let header = [0, 1, 0, 0, 0, 0, 0, 9, 0, 9];
        let simple =
            [&header[..], &[0, 2], &[0, 4, 0xB0, 1, 0x40, 0x2C], &[0x3F, 2], &[1, 2, 3, 4, 5, 6], &[0, 0]].concat();
        without_instructions(&simple, &mut out).unwrap();
        assert_eq!(out, [&header[..], &[0, 2], &[0, 0], &[0x3F, 2], &[1, 2, 3, 4, 5, 6]].concat());
        // A composite of three components: word arguments and one scale; byte arguments
        // and an x and y scale; byte arguments, a 2×2 matrix and instructions after it.
        let words_scaled =
            [&(ARGS_ARE_WORDS | HAS_SCALE | MORE_COMPONENTS).to_be_bytes()[..], &[0, 5, 0, 1, 0, 2, 0x40, 0]].concat();
        let xy = [&(HAS_X_AND_Y_SCALE | MORE_COMPONENTS).to_be_bytes()[..], &[0, 6, 1, 2, 0x40, 0, 0x40, 0]].concat();
        let matrix = [0x40, 0, 0, 0, 0, 0, 0x40, 0];
        let last = |flags: u16| [&flags.to_be_bytes()[..], &[0, 7, 3, 4], &matrix].concat();
        let composite_header = [0xFF, 0xFF, 0, 0, 0, 0, 0, 9, 0, 9];
        let glyph =
            [&composite_header[..], &words_scaled, &xy, &last(HAS_TWO_BY_TWO | HAS_INSTRUCTIONS), &[0, 3, 1, 2, 3]]
                .concat();
        out.clear();
        without_instructions(&glyph, &mut out).unwrap();
        assert_eq!(out, [&composite_header[..], &words_scaled, &xy, &last(HAS_TWO_BY_TWO)].concat());
        // A glyph cut short is refused, not read past its end.
        assert!(without_instructions(&simple[..16], &mut Vec::new()).is_none());
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
