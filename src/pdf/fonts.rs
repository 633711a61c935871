//! The print fonts: Liberation Serif (metric-compatible with Times New Roman, full
//! Vietnamese coverage, SIL OFL), embedded in the binary, and their glyph advances for
//! measuring and wrapping text, and their glyph ids for drawing it.

use ttf_parser::Face;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Bold.ttf");
const ITALIC: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Italic.ttf");

/// The three faces the forms use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

impl Style {
    pub const ALL: [Style; 3] = [Style::Regular, Style::Bold, Style::Italic];

    pub fn bytes(self) -> &'static [u8] {
        match self {
            Style::Regular => REGULAR,
            Style::Bold => BOLD,
            Style::Italic => ITALIC,
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// Glyph metrics of the three faces.
pub struct Metrics {
    faces: [Face<'static>; 3],
    /// Each face's advance for the characters below [`TABLE_END`] (Latin, its extensions,
    /// the combining marks and Vietnamese's Latin Extended Additional), looked up once:
    /// the font's cmap search was an eighth of a one-page document's time.
    advances: [Vec<Advance>; 3],
    /// Whether all three faces draw each character below [`TABLE_END`]: what is typed is
    /// checked against it at every finalisation ([`Metrics::drawn_by_all`]).
    drawn_by_all: Vec<bool>,
    /// Each face's PostScript name (name id 6), if it has one in Unicode.
    names: [Option<String>; 3],
}

/// The characters whose advances are kept in a table (U+0000 to U+1EFF).
const TABLE_END: u32 = 0x1F00;

/// A character's advance in font units, and its glyph (`None` when the face has none).
#[derive(Clone, Copy)]
struct Advance {
    units: u16,
    glyph: Option<u16>,
}

impl Metrics {
    pub fn load() -> Metrics {
        let face = |style: Style| Face::parse(style.bytes(), 0).expect("bundled font parses");
        let faces = [face(Style::Regular), face(Style::Bold), face(Style::Italic)];
        let advances = [table(&faces[0]), table(&faces[1]), table(&faces[2])];
        let drawn_by_all = (0..TABLE_END as usize).map(|c| advances.iter().all(|t| t[c].glyph.is_some())).collect();
        let names = faces.each_ref().map(postscript_name);
        Metrics { faces, advances, drawn_by_all, names }
    }

    fn advance(&self, c: char, style: Style) -> Advance {
        match self.advances[style.index()].get(c as usize) {
            Some(a) => *a,
            None => advance(&self.faces[style.index()], Some(c)),
        }
    }

    /// The width of `text` in points at `size_pt`. Characters without a glyph count as
    /// the missing-glyph box, as the PDF viewer will draw them; white space without one (a
    /// tab) as the space it is drawn with.
    pub fn width_pt(&self, text: &str, style: Style, size_pt: f32) -> f32 {
        self.points(self.units(text, style), style, size_pt)
    }

    /// The width of `text` in the face's units.
    fn units(&self, text: &str, style: Style) -> u32 {
        text.chars().map(|c| u32::from(self.advance(c, style).units)).sum()
    }

    /// A width in the face's units, in points at `size_pt`.
    fn points(&self, units: u32, style: Style, size_pt: f32) -> f32 {
        units as f32 * size_pt / f32::from(self.faces[style.index()].units_per_em())
    }

    /// True when every character of `text` has a glyph in the face (white space, the
    /// space's at least).
    pub fn covers(&self, text: &str, style: Style) -> bool {
        text.chars().all(|c| self.draws(c, style))
    }

    /// True when the face has a glyph for `c` (white space, the space's at least).
    pub fn draws(&self, c: char, style: Style) -> bool {
        self.advance(c, style).glyph.is_some()
    }

    /// True when every face has a glyph for `c` (white space, the space's at least): text
    /// of such characters prints in any style.
    pub fn drawn_by_all(&self, c: char) -> bool {
        match self.drawn_by_all.get(c as usize) {
            Some(drawn) => *drawn,
            None => Style::ALL.iter().all(|&style| self.draws(c, style)),
        }
    }

    /// The glyph that draws `c` in the face: the space's for white space without a glyph of
    /// its own (a tab), else the missing-glyph box (0) when it has none.
    pub fn glyph(&self, c: char, style: Style) -> u16 {
        self.advance(c, style).glyph.unwrap_or(0)
    }

    /// The parsed face, for what the PDF's font dictionaries say of it.
    pub fn face(&self, style: Style) -> &Face<'static> {
        &self.faces[style.index()]
    }

    /// The face's PostScript name, as PDF names the font, if it has one in Unicode.
    pub fn postscript_name(&self, style: Style) -> Option<&str> {
        self.names[style.index()].as_deref()
    }

    /// Breaks `text` into lines no wider than `width_pt`. Explicit newlines are kept; a
    /// word longer than a line is cut where it must be.
    pub fn wrap(&self, text: &str, style: Style, size_pt: f32, width_pt: f32) -> Vec<String> {
        self.wrap_marked(text, style, size_pt, width_pt).into_iter().map(|(line, _)| line).collect()
    }

    /// Like [`Metrics::wrap`], for centred text (a title, a capacity over a signature, a
    /// signer's name): each paragraph in as many lines, as even as they can be, so that no
    /// line is left with one word ("ĐẠI DIỆN TỔ CHỨC ĐƯỢC KIỂM / TRA" becomes "ĐẠI DIỆN TỔ
    /// CHỨC / ĐƯỢC KIỂM TRA"). Two lines break after a comma where one can ("Đặng Quốc Hưng, /
    /// Kiểm soát viên thị trường": a name and a title each whole) when `at_comma` asks for it:
    /// a signer's name, not a title ("tang vật, phương tiện" is one phrase). Spaces part syllables in
    /// Vietnamese, not words, so a break can still fall inside a word ("THỊ / TRƯỜNG"): the
    /// header's names keep the greedy lines their authors expect.
    pub fn wrap_balanced(&self, text: &str, style: Style, size_pt: f32, width_pt: f32, at_comma: bool) -> Vec<String> {
        text.split('\n').flat_map(|paragraph| self.balanced(paragraph, style, size_pt, width_pt, at_comma)).collect()
    }

    /// One paragraph of [`Metrics::wrap_balanced`].
    fn balanced(&self, text: &str, style: Style, size_pt: f32, width_pt: f32, at_comma: bool) -> Vec<String> {
        let lines = self.wrap(text, style, size_pt, width_pt);
        let count = lines.len();
        if count < 2 {
            return lines;
        }
        let fits = |part: &str| self.width_pt(part, style, size_pt) <= width_pt;
        if count == 2 && at_comma {
            // The comma nearest the middle whose two sides each fit on a line.
            let middle = text.len() / 2;
            let comma = text
                .match_indices(", ")
                .map(|(at, _)| at + 1)
                .filter(|&at| fits(text[..at].trim()) && fits(text[at..].trim()))
                .min_by_key(|&at| at.abs_diff(middle));
            if let Some(at) = comma {
                return vec![text[..at].trim().to_string(), text[at..].trim().to_string()];
            }
        }
        // The narrowest width that still takes `count` lines, to a tenth of a point, and
        // never narrower than the widest word: below it the word would be cut in two.
        let widest = text.split(' ').map(|w| self.width_pt(w, style, size_pt)).fold(0.0, f32::max);
        let (mut narrow, mut wide) = ((width_pt / count as f32).max(widest).min(width_pt), width_pt);
        while wide - narrow > 0.1 {
            let mid = (narrow + wide) / 2.0;
            if self.wrap(text, style, size_pt, mid).len() <= count {
                wide = mid;
            } else {
                narrow = mid;
            }
        }
        let even = self.wrap(text, style, size_pt, wide);
        if even.len() == count { even } else { lines }
    }

    /// Like [`Metrics::wrap`], with each line marked `true` when it ends a paragraph (the
    /// text's end or an explicit newline): such lines are not stretched when justifying.
    pub fn wrap_marked(&self, text: &str, style: Style, size_pt: f32, width_pt: f32) -> Vec<(String, bool)> {
        // A line's width is kept as it grows (widths in the face's units add up exactly)
        // instead of measuring the whole line again for each word, which made a paragraph's
        // wrapping grow with the square of its length.
        let fits = |units: u32| self.points(units, style, size_pt) <= width_pt;
        let space = self.units(" ", style);
        let mut marked = Vec::new();
        for paragraph in text.split('\n') {
            let mut lines = Vec::new();
            let (mut line, mut line_units) = (String::new(), 0);
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let word_units = self.units(word, style);
                let joined = if line.is_empty() { word_units } else { line_units + space + word_units };
                if fits(joined) {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_units = joined;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone may still be too wide (a long code or number).
                let (mut piece, mut piece_units, mut piece_chars) = (String::new(), 0, 0);
                for ch in word.chars() {
                    let ch_units = u32::from(self.advance(ch, style).units);
                    if self.points(piece_units + ch_units, style, size_pt) > width_pt && piece_chars >= 1 {
                        lines.push(std::mem::take(&mut piece));
                        (piece_units, piece_chars) = (0, 0);
                    }
                    piece.push(ch);
                    piece_units += ch_units;
                    piece_chars += 1;
                }
                (line, line_units) = (piece, piece_units);
            }
            lines.push(line);
            let last = lines.len() - 1;
            marked.extend(lines.into_iter().enumerate().map(|(i, l)| (l, i == last)));
        }
        marked
    }
}

/// The face's PostScript name (name id 6), from its first record in Unicode.
fn postscript_name(face: &Face<'static>) -> Option<String> {
    face.names().into_iter().filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME).find_map(|n| n.to_string())
}

/// The advances of the characters below [`TABLE_END`]: the face's Unicode mappings walked
/// once, every other character the missing-glyph box. Looking up each of the 7,936
/// characters in turn was a twentieth of rendering a case's documents in one process.
fn table(face: &Face<'static>) -> Vec<Advance> {
    let mut table = vec![advance(face, None); TABLE_END as usize];
    let unicode = face.tables().cmap.into_iter().flat_map(|cmap| cmap.subtables).filter(|s| s.is_unicode());
    for subtable in unicode {
        subtable.codepoints(|code| {
            if let Some(slot) = table.get_mut(code as usize).filter(|slot| slot.glyph.is_none()) {
                *slot = advance(face, char::from_u32(code));
            }
        });
    }
    // White space outside the mappings (a tab): as `advance` says, the space.
    for (code, slot) in table.iter_mut().enumerate() {
        if let Some(c) = char::from_u32(code as u32).filter(|c| c.is_whitespace() && slot.glyph.is_none()) {
            *slot = advance(face, Some(c));
        }
    }
    table
}

/// A character's advance in `face` (the missing-glyph box's when it has no glyph; none for
/// a value that is not a character). White space without a glyph (a tab) is drawn as a
/// space, so it has the space's glyph and advance: measuring and drawing agree.
fn advance(face: &Face<'static>, c: Option<char>) -> Advance {
    let glyph = c.and_then(|c| face.glyph_index(c));
    if glyph.is_none() && c.is_some_and(|c| c.is_whitespace() && c != ' ') {
        return advance(face, Some(' '));
    }
    let units = face.glyph_hor_advance(glyph.unwrap_or(ttf_parser::GlyphId(0))).unwrap_or(0);
    Advance { units, glyph: glyph.map(|g| g.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centred_text_wraps_to_as_many_lines_as_even_as_they_can_be() {
        let m = Metrics::load();
        // A signature column's width: half the text's.
        let (size, width) = (13.0, 234.0);
        let title = "ĐẠI DIỆN TỔ CHỨC ĐƯỢC KIỂM TRA";
        let greedy = m.wrap(title, Style::Bold, size, width);
        assert_eq!(greedy.last().map(|l| l.split(' ').count()), Some(1), "{greedy:?}: the case this mends");
        let even = m.wrap_balanced(title, Style::Bold, size, width, true);
        assert_eq!(even.len(), greedy.len());
        assert_eq!(even.join(" "), title);
        let widths: Vec<f32> = even.iter().map(|l| m.width_pt(l, Style::Bold, size)).collect();
        assert!(widths.iter().all(|&w| w <= width), "{even:?}");
        assert!(widths[1] > widths[0] / 2.0, "{even:?}");
        // A name and a title break at the comma, each whole.
        let signer = "Đặng Quốc Hưng, Kiểm soát viên thị trường";
        assert_eq!(m.wrap(signer, Style::Bold, size, width).len(), 2);
        assert_eq!(
            m.wrap_balanced(signer, Style::Bold, size, width, true),
            ["Đặng Quốc Hưng,", "Kiểm soát viên thị trường"]
        );
        // Without the comma rule (a title), the lines are only made even.
        let plain = m.wrap_balanced(signer, Style::Bold, size, width, false);
        assert_eq!((plain.len(), plain.join(" ").as_str()), (2, signer));
        assert_ne!(plain[0], "Đặng Quốc Hưng,");
        // Never narrower than the widest word: a long code is not cut to even the lines.
        let code = "https://dichvucong.gov.vn ĐẠI Email: An Văn";
        let greedy = m.wrap(code, Style::Bold, 13.0, 233.86);
        let uncut = m.wrap_balanced(code, Style::Bold, 13.0, 233.86, false);
        assert_eq!(uncut.len(), greedy.len());
        assert!(uncut.iter().any(|l| l.split(' ').any(|w| w == "https://dichvucong.gov.vn")), "{uncut:?}");
        // Text on one line is as it was; text with its own breaks is made even paragraph by
        // paragraph (a signature's capacity padded with empty lines to its neighbour's height).
        assert_eq!(m.wrap_balanced("NGƯỜI LẬP BIÊN BẢN", Style::Bold, size, width, true), ["NGƯỜI LẬP BIÊN BẢN"]);
        let padded = m.wrap_balanced(&format!("{title}\n"), Style::Bold, size, width, true);
        assert_eq!(padded, [even.as_slice(), &[String::new()]].concat());
    }

    #[test]
    fn white_space_without_a_glyph_is_measured_as_the_space_it_is_drawn_with() {
        let m = Metrics::load();
        for style in Style::ALL {
            // A tab (in the table) and an ideographic space (beyond it) have no glyph.
            for blank in ['\t', '\u{3000}'] {
                let face = &m.faces[style.index()];
                assert_eq!(face.glyph_index(blank), None, "{style:?} has a glyph for {blank:?}");
                assert_eq!(m.glyph(blank, style), m.glyph(' ', style), "{style:?} {blank:?}");
                let text = format!("số{blank}01");
                assert_eq!(m.width_pt(&text, style, 13.0), m.width_pt("số 01", style, 13.0), "{style:?} {blank:?}");
                assert!(m.covers(&text, style));
            }
            // White space with a glyph of its own keeps it: a no-break space.
            assert_ne!(m.glyph('\u{a0}', style), m.glyph(' ', style), "{style:?}");
            assert!(!m.covers("\u{4e2d}", style), "{style:?}");
        }
    }

    /// The table of what all three faces draw says what asking each face says, below the
    /// table's end and past it.
    #[test]
    fn drawn_by_all_is_every_face_covering_the_character() {
        let m = Metrics::load();
        for c in (0..TABLE_END + 0x1200).filter_map(char::from_u32) {
            let each = Style::ALL.iter().all(|&style| m.covers(c.encode_utf8(&mut [0; 4]), style));
            assert_eq!(Style::ALL.iter().all(|&style| m.draws(c, style)), each, "{c:?}");
            assert_eq!(m.drawn_by_all(c), each, "{c:?} U+{:04X}", c as u32);
        }
        assert!(m.drawn_by_all('ự') && m.drawn_by_all('₫') && !m.drawn_by_all('😀'));
    }

    /// The ToUnicode map gives one character per glyph drawn: were two characters to share a
    /// glyph, copying would give whichever was drawn first for both.
    #[test]
    fn no_two_characters_below_the_table_end_share_a_glyph() {
        let m = Metrics::load();
        for style in Style::ALL {
            let mut owner = std::collections::HashMap::new();
            for c in (0..TABLE_END).filter_map(char::from_u32) {
                if let Some(glyph) = m.faces[style.index()].glyph_index(c)
                    && let Some(first) = owner.insert(glyph.0, c)
                {
                    panic!("{style:?}: {first:?} and {c:?} share glyph {}", glyph.0);
                }
            }
        }
    }

    #[test]
    fn every_vietnamese_letter_has_a_glyph() {
        let m = Metrics::load();
        let letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        for style in Style::ALL {
            assert!(m.covers(letters, style), "{style:?}");
            assert!(m.covers(&letters.to_uppercase(), style), "{style:?}");
        }
    }

    #[test]
    fn the_table_gives_what_the_font_says() {
        let m = Metrics::load();
        for style in Style::ALL {
            let face = &m.faces[style.index()];
            for c in "Aaăằẫđ ̀ỹ€中\u{e000}".chars() {
                let glyph = face.glyph_index(c);
                let units = face.glyph_hor_advance(glyph.unwrap_or(ttf_parser::GlyphId(0))).unwrap_or(0);
                let got = m.advance(c, style);
                assert_eq!((got.units, got.glyph), (units, glyph.map(|g| g.0)), "{c:?} {style:?}");
                assert_eq!(m.glyph(c, style), glyph.map_or(0, |g| g.0), "{c:?} {style:?}");
            }
        }
    }

    #[test]
    fn the_table_holds_every_character_below_its_end_as_the_font_maps_it() {
        let m = Metrics::load();
        for style in Style::ALL {
            let face = &m.faces[style.index()];
            for code in 0..TABLE_END {
                let direct = advance(face, char::from_u32(code));
                let kept = m.advances[style.index()][code as usize];
                assert_eq!((kept.units, kept.glyph), (direct.units, direct.glyph), "U+{code:04X} {style:?}");
            }
        }
    }

    #[test]
    fn wrapping_respects_the_width() {
        let m = Metrics::load();
        let text = "Công ty TNHH Thương mại và Dịch vụ Hoàng Long kinh doanh hàng hóa không rõ nguồn gốc xuất xứ";
        let lines = m.wrap(text, Style::Regular, 13.0, 200.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| m.width_pt(l, Style::Regular, 13.0) <= 200.0));
        assert_eq!(lines.join(" "), text);
        let long = m.wrap("0123456789012345678901234567890123456789", Style::Regular, 13.0, 50.0);
        assert!(long.len() > 3 && long.iter().all(|l| m.width_pt(l, Style::Regular, 13.0) <= 50.0));
    }

    /// The wrapping as it was before it kept each line's width as words were added (it
    /// measured every candidate line whole): the lines must be the same.
    fn wrapped_by_measuring_each_line(
        m: &Metrics,
        text: &str,
        style: Style,
        size: f32,
        width: f32,
    ) -> Vec<(String, bool)> {
        let mut marked = Vec::new();
        for paragraph in text.split('\n') {
            let mut lines = Vec::new();
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if m.width_pt(&candidate, style, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let mut piece = String::new();
                for ch in word.chars() {
                    piece.push(ch);
                    if m.width_pt(&piece, style, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(ch);
                    }
                }
                line = piece;
            }
            lines.push(line);
            let last = lines.len() - 1;
            marked.extend(lines.into_iter().enumerate().map(|(i, l)| (l, i == last)));
        }
        marked
    }

    #[test]
    fn wrapping_gives_the_lines_measuring_each_line_whole_gave() {
        let m = Metrics::load();
        let texts = [
            "Công ty TNHH Thương mại và Dịch vụ Hoàng Long kinh doanh hàng hóa không rõ nguồn gốc xuất xứ",
            "Căn cứ Luật Xử lý vi phạm hành chính ngày 20 tháng 6 năm 2012;\nCăn cứ Nghị định số 118/2021/NĐ-CP\n\nĐiều 1.",
            "0123456789012345678901234567890123456789 MST:0101234567890123 a  b   c",
            "",
            "   ",
            "W",
        ];
        for text in texts {
            for style in Style::ALL {
                for width in [1.0, 8.0, 30.0, 50.0, 120.0, 200.0, 234.0, 481.9, 2000.0] {
                    assert_eq!(
                        m.wrap_marked(text, style, 13.0, width),
                        wrapped_by_measuring_each_line(&m, text, style, 13.0, width),
                        "{text:?} {style:?} {width}"
                    );
                }
            }
        }
    }
}
