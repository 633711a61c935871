//! A small page composer that writes PDF content streams: A4 pages with the margins of
//! NĐ 30/2020, wrapped text, bordered tables whose header row repeats on every page,
//! two-column blocks (document header, signatures), page numbers from page 2, a footer.

use super::fonts::{Metrics, Style};

pub const A4_WIDTH_PT: f32 = 595.28;
pub const A4_HEIGHT_PT: f32 = 841.89;

/// Millimetres to points.
pub fn mm(value: f32) -> f32 {
    value * 72.0 / 25.4
}

const MARGIN_TOP: f32 = 20.0;
const MARGIN_BOTTOM: f32 = 20.0;
const MARGIN_LEFT: f32 = 30.0;
const MARGIN_RIGHT: f32 = 15.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.25;
/// How far below the last baseline a rule under text is drawn, in the text's size: a clear
/// 2.5 points below the marks under the letters (Liberation Serif's descender is 0.216 of
/// the size, the dot below "ạ" less), so it reads as a rule, not as underlined text.
const RULE_DROP: f32 = 0.42;
/// The room between such a rule and the next line, in the ruled text's size.
const RULE_CLEAR: f32 = 0.1;

/// What a rule under text adds to the text's height, in its size.
fn rule_height(line: &Styled) -> f32 {
    line.rule_under.map_or(0.0, |_| (RULE_DROP + RULE_CLEAR - (LEADING - 1.0)) * line.size)
}
const CELL_PADDING: f32 = 3.0;

/// Horizontal placement of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
    /// Both edges straight, as administrative documents are set; the last line of a
    /// paragraph stays left-aligned.
    Justify,
}

/// One styled line for a column block.
#[derive(Debug, Clone)]
pub struct Styled {
    pub text: String,
    pub style: Style,
    pub size: f32,
    /// A rule under the text, as long as this share of its widest line and centred on it
    /// (the motto, the issuing unit: [`Styled::ruled`]).
    pub rule_under: Option<f32>,
    /// Lines are centred in their column unless set otherwise ("Nơi nhận" is flush left).
    pub align: Align,
    /// A centred text wrapped to even lines ([`Styled::even`]).
    pub even: bool,
}

impl Styled {
    pub fn new(text: impl Into<String>, style: Style, size: f32) -> Styled {
        Styled { text: text.into(), style, size, rule_under: None, align: Align::Centre, even: false }
    }

    pub fn flush_left(mut self) -> Styled {
        self.align = Align::Left;
        self
    }

    /// Wrapped to even lines ([`crate::pdf::fonts::Metrics::wrap_balanced`]): a signature's
    /// capacity and name, not the header's names, whose authors break them where they mean.
    pub fn even(mut self) -> Styled {
        self.even = true;
        self
    }

    /// A rule under the text (under its last line when it wraps), `share` of its widest
    /// line long, below the marks under the letters (the dot of "ạ", the tail of "p").
    pub fn ruled(mut self, share: f32) -> Styled {
        self.rule_under = Some(share);
        self
    }
}

/// A column of a table: title, share of the text width, alignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
}

/// The glyphs one face draws, numbered in the order first drawn: the codes on the pages
/// and the glyph ids of the font program cut for the document (`super::subset`).
pub struct Drawn {
    /// The whole face's glyphs in the order drawn: code `i` draws the `i`th.
    remapper: subsetter::GlyphRemapper,
    /// By code, the character the glyph stands for (none for code 0, the missing-glyph box).
    chars: Vec<Option<char>>,
    /// Whether a page names the face (it may draw nothing but the missing-glyph box).
    used: bool,
}

impl Drawn {
    fn new() -> Drawn {
        Drawn { remapper: subsetter::GlyphRemapper::new(), chars: vec![None], used: false }
    }

    /// The code that draws the face's `glyph`, standing for `c`.
    fn code(&mut self, glyph: u16, c: char) -> u16 {
        let code = self.remapper.remap(glyph);
        if usize::from(code) == self.chars.len() {
            self.chars.push(Some(c));
        }
        code
    }

    /// Whether a page names this face, so the file must carry it.
    pub fn used(&self) -> bool {
        self.used
    }

    /// By code: the whole face's glyph.
    pub fn glyphs(&self) -> impl Iterator<Item = u16> + '_ {
        self.remapper.remapped_gids()
    }

    /// By code: the character the glyph stands for.
    pub fn chars(&self) -> &[Option<char>] {
        &self.chars
    }

    pub fn remapper(&self) -> &subsetter::GlyphRemapper {
        &self.remapper
    }
}

/// Laid-out pages: each page's content stream, and the glyphs drawn in each face (by
/// [`Style::index`]).
pub struct Pages {
    pub contents: Vec<Vec<u8>>,
    pub drawn: [Drawn; 3],
}

/// Lays out pages.
pub struct Composer<'m> {
    metrics: &'m Metrics,
    pages: Vec<Vec<u8>>,
    drawn: [Drawn; 3],
    /// The top of the next line, in points from the bottom of the page.
    y: f32,
}

impl<'m> Composer<'m> {
    pub fn new(metrics: &'m Metrics) -> Composer<'m> {
        let mut c = Composer { metrics, pages: Vec::new(), drawn: std::array::from_fn(|_| Drawn::new()), y: 0.0 };
        c.new_page();
        c
    }

    pub fn left(&self) -> f32 {
        mm(MARGIN_LEFT)
    }

    pub fn width(&self) -> f32 {
        A4_WIDTH_PT - mm(MARGIN_LEFT) - mm(MARGIN_RIGHT)
    }

    fn bottom(&self) -> f32 {
        mm(MARGIN_BOTTOM)
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = A4_HEIGHT_PT - mm(MARGIN_TOP);
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y - height < self.bottom() {
            self.new_page();
        }
    }

    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn content(&mut self) -> &mut Vec<u8> {
        self.pages.last_mut().expect("a page is open")
    }

    /// Places text with its baseline at (x, baseline) on the current page, as two-byte codes
    /// numbering the face's glyphs in the order drawn ([`Drawn`]). Empty text draws nothing;
    /// white space the face has no glyph for (a tab) is drawn as a space, not as the
    /// missing-glyph box.
    pub fn text_at(&mut self, x: f32, baseline: f32, text: &str, style: Style, size: f32) {
        if text.is_empty() {
            return;
        }
        let metrics = self.metrics;
        let page = self.pages.last_mut().expect("a page is open");
        let drawn = &mut self.drawn[style.index()];
        drawn.used = true;
        page.extend_from_slice(b"BT /");
        page.extend_from_slice(super::write::FONT_NAMES[style.index()].as_bytes());
        page.push(b' ');
        number(page, size);
        page.extend_from_slice(b" Tf ");
        number(page, x);
        page.push(b' ');
        number(page, baseline);
        page.extend_from_slice(b" Td <");
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for c in text.chars() {
            let glyph = metrics.glyph(c, style);
            // White space drawn with the space's glyph (a tab) is copied as a space.
            let c = if c.is_whitespace() && glyph == metrics.glyph(' ', style) { ' ' } else { c };
            let code = if glyph == 0 { 0 } else { drawn.code(glyph, c) };
            page.extend(code.to_be_bytes().iter().flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]));
        }
        page.extend_from_slice(b"> Tj ET\n");
    }

    pub fn line_at(&mut self, from: (f32, f32), to: (f32, f32), thickness: f32) {
        let page = self.content();
        number(page, thickness);
        page.extend_from_slice(b" w ");
        for (point, op) in [(from, b" m "), (to, b" l ")] {
            number(page, point.0);
            page.push(b' ');
            number(page, point.1);
            page.extend_from_slice(op);
        }
        page.extend_from_slice(b"S\n");
    }

    /// The white a QR code of `side` needs on each side: four modules (ISO/IEC 18004, the
    /// quiet zone). zbar reads codes with less, but a phone's reader may not.
    pub fn quiet_zone(side: f32, code: &super::qr::QRCode) -> f32 {
        4.0 * side / code.size as f32
    }

    /// A QR code with its bottom-left corner at (x, y): black, as few rectangles as cover
    /// its dark modules ([`super::qr::blocks`]). Each rectangle is filled on its own: a
    /// viewer snaps a lone rectangle to whole pixels, so the code stays sharp on screen (at
    /// 150 dpi zbar read none of the codes filled as one path, and all filled one by one).
    /// The rectangles are written in modules, whole numbers, under one scaling to points:
    /// in points the code was half of a page's content stream.
    pub fn qr_at(&mut self, x: f32, y: f32, side: f32, code: &super::qr::QRCode) {
        use std::io::Write;
        let modules = code.size;
        let page = self.content();
        // The scale to six decimals: a code of 57 modules spans its side to 0.0001 pt.
        let scale = side / modules as f32;
        write!(page, "q {scale:.6} 0 0 {scale:.6} ").expect("a Vec takes every write");
        number(page, x);
        page.push(b' ');
        number(page, y);
        page.extend_from_slice(b" cm 0 g\n");
        for b in super::qr::blocks(code) {
            let ends: [&[u8]; 4] = [b" ", b" ", b" ", b" re f\n"];
            for (n, end) in [b.col, modules - b.row - b.height, b.width, b.height].into_iter().zip(ends) {
                whole(page, n);
                page.extend_from_slice(end);
            }
        }
        page.extend_from_slice(b"Q\n");
    }

    fn x_for(&self, text: &str, style: Style, size: f32, x: f32, width: f32, align: Align) -> f32 {
        let w = self.metrics.width_pt(text, style, size);
        match align {
            Align::Left | Align::Justify => x,
            Align::Centre => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        }
    }

    /// A wrapped paragraph across the text width; `indent` applies to the first line.
    pub fn paragraph(&mut self, text: &str, style: Style, size: f32, align: Align, indent: f32) {
        self.paragraph_kept(text, style, size, align, indent, 0.0);
    }

    /// `text` wrapped at the text width, its first line narrower by `indent`: each line,
    /// whether it ends a paragraph, and its indent.
    fn indented_lines(&self, text: &str, style: Style, size: f32, indent: f32) -> Vec<(String, bool, f32)> {
        let width = self.width();
        let first = self.metrics.wrap_marked(text, style, size, width - indent);
        let Some(((head, head_ends), tail)) = first.split_first() else { return Vec::new() };
        let mut lines = vec![(head.clone(), *head_ends, indent)];
        let rest: String =
            tail.iter().map(|(l, ends)| if *ends { format!("{l}\n") } else { format!("{l} ") }).collect();
        let rest = rest.trim_end_matches([' ', '\n']);
        if !rest.is_empty() {
            lines.extend(self.metrics.wrap_marked(rest, style, size, width).into_iter().map(|(l, e)| (l, e, 0.0)));
        }
        lines
    }

    /// A paragraph's lines as [`Composer::paragraph_kept`] sets them: each line, whether it
    /// ends a paragraph, and its indent. The first line is narrower by the indent; a centred
    /// paragraph (a title) is not justified, its lines are only made even.
    fn paragraph_lines(
        &self,
        text: &str,
        style: Style,
        size: f32,
        align: Align,
        indent: f32,
    ) -> Vec<(String, bool, f32)> {
        match align {
            Align::Centre if indent == 0.0 => {
                let text = text.trim_end_matches([' ', '\n']);
                let lines = self.metrics.wrap_balanced(text, style, size, self.width(), false);
                lines.into_iter().map(|l| (l, true, 0.0)).collect()
            }
            _ => self.indented_lines(text, style, size, indent),
        }
    }

    /// The room line `i` of a paragraph of `count` lines needs on its page. No line stands
    /// alone at a page break: the first two lines start a page together (no orphan), and
    /// from its last two lines on the paragraph is kept with the `after` points that follow
    /// it (no widow); a paragraph of three lines or fewer is not split at all. What is more
    /// than a page falls back to the line itself.
    fn room_before_line(&self, i: usize, count: usize, size: f32, after: f32) -> f32 {
        let line_height = size * LEADING;
        let kept_from = count.saturating_sub(2);
        let wanted = match i {
            0 if count <= 3 => count as f32 * line_height + after,
            0 => 2.0 * line_height,
            i if i == kept_from => (count - kept_from) as f32 * line_height + after,
            _ => line_height,
        };
        let page = A4_HEIGHT_PT - mm(MARGIN_TOP) - self.bottom();
        if wanted <= page { wanted } else { line_height }
    }

    /// The room a paragraph needs before its first line: what a heading announcing it must
    /// keep on its own page.
    pub fn paragraph_opening(&self, text: &str, style: Style, size: f32, align: Align, indent: f32, after: f32) -> f32 {
        let count = self.paragraph_lines(text, style, size, align, indent).len();
        if count == 0 { 0.0 } else { self.room_before_line(0, count, size, after) }
    }

    /// A paragraph whose first two lines start a page together and whose last two stay on
    /// one page with the `after` points that follow them (a heading ending in ":" with the
    /// start of what it announces, the last words of a document with its signatures), unless
    /// they do not fit on a page at all.
    pub fn paragraph_kept(&mut self, text: &str, style: Style, size: f32, align: Align, indent: f32, after: f32) {
        let line_height = size * LEADING;
        let width = self.width();
        let lines = self.paragraph_lines(text, style, size, align, indent);
        let count = lines.len();
        let rooms: Vec<f32> = (0..count).map(|i| self.room_before_line(i, count, size, after)).collect();
        for (i, (line, ends_paragraph, indent)) in lines.into_iter().enumerate() {
            self.ensure(rooms[i]);
            let baseline = self.y - size;
            let left = self.left() + indent;
            if align == Align::Justify && !ends_paragraph {
                self.justified_line(&line, style, size, left, width - indent, baseline);
            } else {
                let x = self.x_for(&line, style, size, left, width - indent, align);
                self.text_at(x, baseline, &line, style, size);
            }
            self.y -= line_height;
        }
    }

    /// Places the words of `line` so that it fills `width` exactly. Word spacing (Tw) does
    /// not apply to the two-byte glyph codes of embedded fonts, so each word is placed.
    fn justified_line(&mut self, line: &str, style: Style, size: f32, x: f32, width: f32, baseline: f32) {
        let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
        if words.len() < 2 {
            self.text_at(x, baseline, line, style, size);
            return;
        }
        let used: f32 = words.iter().map(|w| self.metrics.width_pt(w, style, size)).sum();
        let gap = (width - used) / (words.len() - 1) as f32;
        let mut at = x;
        for word in words {
            self.text_at(at, baseline, word, style, size);
            at += self.metrics.width_pt(word, style, size) + gap;
        }
    }

    /// The height [`Composer::two_columns`] takes for these lines.
    pub fn two_columns_height(&self, left: &[Styled], right: &[Styled], left_share: f32) -> f32 {
        let height = |lines: &[Styled], width: f32| -> f32 {
            lines
                .iter()
                .map(|l| self.wrap_column_line(l, width).len() as f32 * l.size * LEADING + rule_height(l) + 2.0)
                .sum()
        };
        let left_width = self.width() * left_share;
        height(left, left_width).max(height(right, self.width() - left_width))
    }

    /// The height of `lines` lines of text at `size`.
    pub fn lines_height(lines: usize, size: f32) -> f32 {
        lines as f32 * size * LEADING
    }

    /// Two columns side by side (left share of the width given), each line centred in its
    /// column; the block is kept on one page.
    pub fn two_columns(&mut self, left: &[Styled], right: &[Styled], left_share: f32) {
        let left_width = self.width() * left_share;
        let right_width = self.width() - left_width;
        self.ensure(self.two_columns_height(left, right, left_share));
        let top = self.y;
        let left_x = self.left();
        let end_left = self.column(left, left_x, left_width, top);
        let end_right = self.column(right, left_x + left_width, right_width, top);
        self.y = end_left.min(end_right);
    }

    /// A column's line wrapped at `width`: evenly when it is centred and asks to be.
    fn wrap_column_line(&self, line: &Styled, width: f32) -> Vec<String> {
        match line.align {
            Align::Centre if line.even => self.metrics.wrap_balanced(&line.text, line.style, line.size, width, true),
            _ => self.metrics.wrap(&line.text, line.style, line.size, width),
        }
    }

    fn column(&mut self, lines: &[Styled], x: f32, width: f32, top: f32) -> f32 {
        let mut y = top;
        for line in lines {
            // The widest line drawn: its width and its centre.
            let (mut widest, mut centre) = (0.0f32, x + width / 2.0);
            for wrapped in self.wrap_column_line(line, width) {
                let baseline = y - line.size;
                let tx = self.x_for(&wrapped, line.style, line.size, x, width, line.align);
                self.text_at(tx, baseline, &wrapped, line.style, line.size);
                if line.rule_under.is_some() {
                    let w = self.metrics.width_pt(&wrapped, line.style, line.size);
                    if w > widest {
                        (widest, centre) = (w, tx + w / 2.0);
                    }
                }
                y -= line.size * LEADING;
            }
            if let Some(share) = line.rule_under.filter(|_| widest > 0.0) {
                // One rule under the whole text, however many lines it wrapped to.
                let baseline = y + line.size * (LEADING - 1.0);
                let at = baseline - RULE_DROP * line.size;
                let half = widest * share / 2.0;
                self.line_at((centre - half, at), (centre + half, at), 0.6);
                y -= rule_height(line);
            }
            y -= 2.0;
        }
        y
    }

    /// A seal label to cut out and stick across a seal: a box with the heading and facts on
    /// the left, the label's own QR code on the right, and room below for the signatures
    /// that cross the seal. Never split across pages.
    pub fn seal_label(&mut self, heading: &str, lines: &[String], signers: &[String], code: &super::qr::QRCode) {
        let size = 11.0;
        let line_height = size * LEADING;
        let qr_side = mm(24.0);
        // Clear of the box's lines (their ink half inside) and of the text by the code's
        // quiet zone.
        let border = 0.8;
        let quiet = Composer::quiet_zone(qr_side, code).max(CELL_PADDING) + border / 2.0;
        let qr_room = qr_side + 2.0 * quiet;
        let (left, width) = (self.left(), self.width());
        let text_width = width - qr_room - CELL_PADDING;
        let wrapped: Vec<String> =
            lines.iter().flat_map(|l| self.metrics.wrap(l, Style::Regular, size, text_width)).collect();
        let text_height = 14.0 * LEADING + wrapped.len() as f32 * line_height;
        let sign_room = mm(16.0) + line_height;
        let height = (text_height + 2.0 * CELL_PADDING).max(qr_room) + sign_room + CELL_PADDING;
        self.ensure(height + mm(4.0));
        let top = self.y;
        let bottom = top - height;
        let right = left + width;
        for (from, to) in [
            ((left, top), (right, top)),
            ((right, top), (right, bottom)),
            ((right, bottom), (left, bottom)),
            ((left, bottom), (left, top)),
        ] {
            self.line_at(from, to, border);
        }
        let x = left + CELL_PADDING;
        let mut baseline = top - CELL_PADDING - 14.0;
        self.text_at(x, baseline, heading, Style::Bold, 14.0);
        baseline -= 14.0 * (LEADING - 1.0);
        for line in &wrapped {
            baseline -= line_height;
            self.text_at(x, baseline, line, Style::Regular, size);
        }
        self.qr_at(right - quiet - qr_side, top - quiet - qr_side, qr_side, code);
        // The signature row: one column per signer, capacity in italics at the top of its room.
        let row_top = bottom + sign_room + CELL_PADDING;
        self.line_at((left, row_top), (right, row_top), 0.3);
        let share = width / signers.len().max(1) as f32;
        for (i, signer) in signers.iter().enumerate() {
            let x0 = left + share * i as f32;
            let xs = self.x_for(signer, Style::Italic, size, x0, share, Align::Centre);
            self.text_at(xs, row_top - CELL_PADDING - size, signer, Style::Italic, size);
            if i > 0 {
                self.line_at((x0, row_top), (x0, bottom), 0.3);
            }
        }
        self.y = bottom - mm(4.0);
    }

    /// Page numbers from page 2, centred at the top; the footer line and QR code on every
    /// page. Returns each page's content stream and the glyphs drawn.
    pub fn finish(mut self, footer: &str, qr: Option<&super::qr::QRCode>) -> Pages {
        let count = self.pages.len();
        let left = self.left();
        let width = self.width();
        for index in 0..count {
            let page = std::mem::take(&mut self.pages[index]);
            self.pages.push(page); // work on the page as the last one
            if index > 0 {
                let number = (index + 1).to_string();
                let x = self.x_for(&number, Style::Regular, 13.0, left, width, Align::Centre);
                self.text_at(x, A4_HEIGHT_PT - mm(12.0), &number, Style::Regular, 13.0);
            }
            let footer_size = 7.5;
            let qr_side = mm(13.0);
            let quiet = qr.map_or(0.0, |code| Composer::quiet_zone(qr_side, code));
            let text_width = width - qr_side - quiet.max(6.0);
            let lines = self.metrics.wrap(footer, Style::Regular, footer_size, text_width);
            let mut baseline = mm(MARGIN_BOTTOM) - 4.0 - footer_size;
            // The rule over the footer stops short of the code by its quiet zone (it ran 2 pt
            // over it, half the zone).
            let rule_end = if qr.is_some() { left + width - qr_side - quiet } else { left + width };
            self.line_at((left, mm(MARGIN_BOTTOM) - 2.0), (rule_end, mm(MARGIN_BOTTOM) - 2.0), 0.3);
            for line in &lines {
                self.text_at(left, baseline, line, Style::Regular, footer_size);
                baseline -= footer_size * LEADING;
            }
            if let Some(code) = qr {
                self.qr_at(left + width - qr_side, mm(MARGIN_BOTTOM) - 4.0 - qr_side, qr_side, code);
            }
            let done = self.pages.pop().expect("pushed above");
            self.pages[index] = done;
        }
        Pages { contents: self.pages, drawn: self.drawn }
    }
}

/// Writes a whole number in decimal (a count of QR modules, a number's whole part).
fn whole(out: &mut Vec<u8>, n: usize) {
    let (mut n, mut digits, mut at) = (n, [0u8; 20], 20);
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Writes `value` as a PDF number to a thousandth of a point (a fraction of a printer's
/// dot): no exponent, no trailing zeros.
pub fn number(out: &mut Vec<u8>, value: f32) {
    let thousandths = (f64::from(value) * 1000.0).round() as i64;
    if thousandths < 0 {
        out.push(b'-');
    }
    let magnitude = thousandths.unsigned_abs();
    whole(out, (magnitude / 1000) as usize);
    let fraction = magnitude % 1000;
    if fraction != 0 {
        let digits = [b'0' + (fraction / 100) as u8, b'0' + (fraction / 10 % 10) as u8, b'0' + (fraction % 10) as u8];
        let len = 3 - digits.iter().rev().take_while(|d| **d == b'0').count();
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
}

mod table;
#[cfg(test)]
mod tests;
