//! PDF output in the official layout (NĐ 30/2020 header, A4, Times-metric serif).
//!
//! The input is a [`PrintDocument`]: text already resolved from the form's layout and the
//! case, in NFC. This module only places it on pages.

pub mod fonts;
pub mod layout;
mod qr;
mod subset;
mod write;

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

pub use fonts::Style;
pub use layout::{Align, Column};
use layout::{Composer, Styled};

/// The document header: issuing unit on the left, national heading on the right.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The parent body, e.g. "CHI CỤC QUẢN LÝ THỊ TRƯỜNG TỈNH LẠNG SƠN".
    pub parent_body: String,
    /// The issuing unit, e.g. "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1".
    pub unit: String,
    /// "Số: 12/BB-VPHC-QLTTLS", or "Số: …/…" for a draft.
    pub number_line: String,
    /// "Lạng Sơn, ngày 05 tháng 02 năm 2026".
    pub place_date: String,
}

/// A signature block: the capacity, a note (refusal, "ký, ghi rõ họ tên"), the name.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureBlock {
    pub title: String,
    pub note: String,
    pub name: String,
}

/// A piece of the body, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title {
        text: String,
        subtitle: Option<String>,
    },
    Paragraph {
        text: String,
        style: Style,
        align: Align,
        indent: bool,
    },
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
    },
    Signatures(Vec<SignatureBlock>),
    /// Seal labels, each with its own QR code and a row for the signatures across the seal.
    SealLabels(Vec<SealLabel>),
    Gap {
        points: f32,
    },
    /// "Nơi nhận:" and its lines on the left, the signer on the right.
    Closing {
        recipients: Vec<String>,
        signer: SignatureBlock,
    },
    /// What follows starts on a new page.
    PageBreak,
}

/// One seal label (tem niêm phong).
#[derive(Debug, Clone, PartialEq)]
pub struct SealLabel {
    /// "TEM NIÊM PHONG Số 007", in bold.
    pub heading: String,
    /// The facts: unit, records, date, case.
    pub lines: Vec<String>,
    /// Who signs across the seal.
    pub signers: Vec<String>,
    /// What the label's QR code carries.
    pub qr: String,
}

/// Everything printed on a document.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintDocument {
    /// The PDF's title metadata.
    pub title: String,
    pub header: Header,
    pub blocks: Vec<Block>,
    /// Printed at the foot of every page: number, case id, content hash.
    pub footer: String,
    /// Carried by the QR code on every page (the same facts as the footer).
    pub qr: String,
}

/// Rendering failed.
#[derive(Debug, Error)]
pub enum PdfError {
    #[error("QR code: {0}")]
    Qr(#[from] qr::QRCodeError),
    #[error("text {text:?} has characters the print font cannot draw: {chars:?}")]
    MissingGlyph { text: String, chars: Vec<char> },
    #[error("the print font could not be cut to the document's glyphs: {0}")]
    Font(String),
}

const BODY_SIZE: f32 = 13.0;
const TABLE_SIZE: f32 = 11.0;
/// The parent body, the issuing unit and the national name: 12 to 13 pt by NĐ 30/2020; at
/// 12.5 "CHI CỤC QUẢN LÝ THỊ TRƯỜNG" and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" were 3 mm
/// apart and read as one line, at 12 they are 6 mm and more.
const HEADER_SIZE: f32 = 12.0;
/// The rule under the issuing unit's name: 1/3 to 1/2 as long as its line, centred on it
/// (NĐ 30/2020/NĐ-CP, Phụ lục I: "phía dưới có đường kẻ ngang, nét liền, có độ dài bằng
/// từ 1/3 đến 1/2 độ dài của dòng chữ và đặt cân đối so với dòng chữ").
const UNIT_RULE: f32 = 0.4;
/// The rule under the motto "Độc lập - Tự do - Hạnh phúc": as long as its line (the same
/// appendix: "có độ dài bằng độ dài của dòng chữ").
const MOTTO_RULE: f32 = 1.0;

/// The faces' metrics are read once per process.
fn metrics() -> &'static fonts::Metrics {
    static METRICS: OnceLock<fonts::Metrics> = OnceLock::new();
    METRICS.get_or_init(fonts::Metrics::load)
}

fn nfc(text: &str) -> String {
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text.to_string(),
        _ => text.nfc().collect(),
    }
}

/// The characters of `text` that the print fonts cannot draw in one of their faces (a value
/// may be printed in any), each once, in the order met: an emoji, a Chinese label's name.
/// None for text that prints. Decomposed text is composed first, as printing does.
pub fn unprintable(text: &str) -> Vec<char> {
    let metrics = metrics();
    let all = |c: char| metrics.drawn_by_all(c);
    // Most text is drawn as typed: it is composed (a copy) only when a character is not.
    if text.chars().all(all) {
        return Vec::new();
    }
    missing(&nfc(text), all)
}

/// The characters of `text` that `drawn` refuses, each once.
fn missing(text: &str, drawn: impl Fn(char) -> bool) -> Vec<char> {
    let mut out = Vec::new();
    for c in text.chars() {
        if !drawn(c) && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Renders a document to PDF bytes.
pub fn render(doc: &PrintDocument) -> Result<Vec<u8>, PdfError> {
    let metrics = metrics();
    let mut c = Composer::new(metrics);
    let check = |text: &str, style: Style| -> Result<String, PdfError> {
        let text = nfc(text);
        if metrics.covers(&text, style) {
            Ok(text)
        } else {
            Err(PdfError::MissingGlyph { chars: missing(&text, |c| metrics.draws(c, style)), text })
        }
    };

    let h = &doc.header;
    let left = [
        Styled::new(check(&h.parent_body, Style::Regular)?, Style::Regular, HEADER_SIZE),
        Styled::new(check(&h.unit, Style::Bold)?, Style::Bold, HEADER_SIZE).ruled(UNIT_RULE),
        Styled::new(check(&h.number_line, Style::Regular)?, Style::Regular, 13.0),
    ];
    let right = [
        Styled::new("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Style::Bold, HEADER_SIZE),
        Styled::new("Độc lập - Tự do - Hạnh phúc", Style::Bold, 13.0).ruled(MOTTO_RULE),
        Styled::new(check(&h.place_date, Style::Italic)?, Style::Italic, 13.0),
    ];
    c.two_columns(&left, &right, 0.42);
    c.gap(10.0);

    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Title { text, subtitle } => {
                c.gap(4.0);
                c.paragraph(&check(text, Style::Bold)?, Style::Bold, 14.0, Align::Centre, 0.0);
                if let Some(sub) = subtitle {
                    c.paragraph(&check(sub, Style::Bold)?, Style::Bold, BODY_SIZE, Align::Centre, 0.0);
                }
                c.gap(6.0);
            }
            Block::Paragraph { text, style, align, indent } => {
                let indent = if *indent { layout::mm(10.0) } else { 0.0 };
                let after = kept_after(&c, text, &doc.blocks[i + 1..], &check)?;
                c.paragraph_kept(&check(text, *style)?, *style, BODY_SIZE, *align, indent, after);
                c.gap(2.0);
            }
            Block::Table { columns, rows } => {
                let columns: Vec<Column> = columns
                    .iter()
                    .map(|col| check(&col.title, Style::Bold).map(|title| Column { title, ..col.clone() }))
                    .collect::<Result<_, _>>()?;
                let rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| r.iter().map(|cell| check(cell, Style::Regular)).collect::<Result<_, _>>())
                    .collect::<Result<_, _>>()?;
                c.table(&columns, &rows, TABLE_SIZE);
                c.gap(6.0);
            }
            Block::Signatures(blocks) => {
                c.gap(8.0);
                for (left, right, share) in signature_rows(&c, blocks, &check)? {
                    c.two_columns(&left, &right, share);
                    c.gap(10.0);
                }
            }
            Block::SealLabels(labels) => {
                for label in labels {
                    let lines = label.lines.iter().map(|l| check(l, Style::Regular)).collect::<Result<Vec<_>, _>>()?;
                    let signers =
                        label.signers.iter().map(|l| check(l, Style::Italic)).collect::<Result<Vec<_>, _>>()?;
                    let code = qr::code(&label.qr)?;
                    c.seal_label(&check(&label.heading, Style::Bold)?, &lines, &signers, &code);
                }
            }
            Block::Gap { points } => c.gap(*points),
            Block::Closing { recipients, signer } => {
                c.gap(8.0);
                let (left, right) = closing_columns(recipients, signer, &check)?;
                c.two_columns(&left, &right, CLOSING_SHARE);
                c.gap(10.0);
            }
            Block::PageBreak => c.new_page(),
        }
    }

    let qr = qr::code(&doc.qr)?;
    let footer = check(&doc.footer, Style::Regular)?;
    let pages = c.finish(&footer, Some(&qr));
    // The same document always gives the same bytes (signed packages rely on it): the file
    // identifier comes from what the QR code carries.
    let identity: [u8; 32] = Sha256::digest(doc.qr.as_bytes()).into();
    write::document(&nfc(&doc.title), pages, metrics, &hex::encode(&identity[..16]))
}

/// One signature block as a column: capacity in bold (padded by `padding` blank lines to
/// line up with its neighbour's), the note in italics, room to sign, then the name.
fn signer_column(
    b: &SignatureBlock,
    padding: usize,
    check: &dyn Fn(&str, Style) -> Result<String, PdfError>,
) -> Result<Vec<Styled>, PdfError> {
    let padding = "\n".repeat(padding);
    Ok(vec![
        Styled::new(format!("{}{padding}", check(&b.title, Style::Bold)?), Style::Bold, BODY_SIZE).even(),
        Styled::new(check(&b.note, Style::Italic)?, Style::Italic, 12.0).even(),
        Styled::new(" ", Style::Regular, 40.0),
        Styled::new(check(&b.name, Style::Bold)?, Style::Bold, BODY_SIZE).even(),
    ])
}

/// The share of the width "Nơi nhận" takes beside the signer.
const CLOSING_SHARE: f32 = 0.45;

/// What must stay on a paragraph's page after its last two lines: the first row of the
/// signatures or the closing that follows it (so that no signature stands alone on a
/// page), or, after a heading ending in ":", the start of what it announces (a paragraph's
/// first lines as it will set them, a table's header row and two lines, or two lines).
/// `rest` is the blocks that follow the paragraph.
fn kept_after(
    c: &Composer,
    text: &str,
    rest: &[Block],
    check: &dyn Fn(&str, Style) -> Result<String, PdfError>,
) -> Result<f32, PdfError> {
    let announces = text.trim_end().ends_with(':');
    Ok(match rest.first() {
        Some(Block::Paragraph { text: next, style, align, indent }) if announces => {
            let indent = if *indent { layout::mm(10.0) } else { 0.0 };
            let after = kept_after(c, next, &rest[1..], check)?;
            2.0 + c.paragraph_opening(&check(next, *style)?, *style, BODY_SIZE, *align, indent, after)
        }
        // The paragraph's own gap after it, the block's gap before it, its first row.
        Some(Block::Signatures(blocks)) => match signature_rows(c, blocks, check)?.first() {
            Some((left, right, share)) => 2.0 + 8.0 + c.two_columns_height(left, right, *share),
            None => 0.0,
        },
        Some(Block::Closing { recipients, signer }) => {
            let (left, right) = closing_columns(recipients, signer, check)?;
            2.0 + 8.0 + c.two_columns_height(&left, &right, CLOSING_SHARE)
        }
        Some(Block::Table { columns, rows }) if announces => 2.0 + c.table_start_height(columns, rows, TABLE_SIZE),
        Some(_) if announces => 2.0 + Composer::lines_height(2, BODY_SIZE),
        _ => 0.0,
    })
}

/// The closing's two columns: "Nơi nhận" and its recipients, the signer.
fn closing_columns(
    recipients: &[String],
    signer: &SignatureBlock,
    check: &dyn Fn(&str, Style) -> Result<String, PdfError>,
) -> Result<(Vec<Styled>, Vec<Styled>), PdfError> {
    let mut left = vec![Styled::new("Nơi nhận:", Style::Bold, 12.0).flush_left()];
    for line in recipients {
        left.push(Styled::new(format!("- {}", check(line, Style::Regular)?), Style::Regular, 11.0).flush_left());
    }
    Ok((left, signer_column(signer, 0, check)?))
}

/// A row of signatures: the left column, the right one, the left's share of the width.
type SignatureRow = (Vec<Styled>, Vec<Styled>, f32);

/// Signature blocks two to a row, as (left column, right column, left share): capacity in
/// bold, the note in italics, room to sign, then the name.
fn signature_rows(
    c: &Composer,
    blocks: &[SignatureBlock],
    check: &dyn Fn(&str, Style) -> Result<String, PdfError>,
) -> Result<Vec<SignatureRow>, PdfError> {
    let metrics = metrics();
    let half = c.width() / 2.0;
    let mut rows = Vec::new();
    for pair in blocks.chunks(2) {
        // Titles that wrap to different heights would put the names at different heights:
        // pad the shorter title so both names share a line.
        let title_lines = |b: &SignatureBlock| metrics.wrap(&b.title, Style::Bold, BODY_SIZE, half).len();
        let tallest = pair.iter().map(title_lines).max().unwrap_or(1);
        let column = |b: &SignatureBlock| signer_column(b, tallest - title_lines(b), check);
        let left = column(&pair[0])?;
        // A lone block stands on the right, where the maker signs.
        rows.push(match pair.get(1) {
            Some(b) => (left, column(b)?, 0.5),
            None => (Vec::new(), left, 0.5),
        });
    }
    Ok(rows)
}
