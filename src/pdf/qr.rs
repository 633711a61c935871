//! QR codes, and each as few filled rectangles: dark modules joined along each row, and
//! runs that repeat from one row to the next joined into one taller rectangle. Drawn one
//! square per module, the code on every page was four fifths of a page's content stream.

pub use fast_qr::QRCode;
pub use fast_qr::qr::QRCodeError;

/// The QR code of `text`, at error correction level M (15 % of the code may be lost).
pub fn code(text: &str) -> Result<QRCode, QRCodeError> {
    fast_qr::QRBuilder::new(text.as_bytes()).ecl(fast_qr::ECL::M).build()
}

/// A rectangle of dark modules: column and row of its top-left module, width and height
/// in modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub col: usize,
    pub row: usize,
    pub width: usize,
    pub height: usize,
}

/// Rectangles that cover exactly the dark modules of `code`, each module once.
pub fn blocks(code: &QRCode) -> Vec<Block> {
    let modules = code.size;
    let mut done = Vec::new();
    // The blocks that reach the row above, by their first column, still open to grow down.
    let mut open: Vec<Block> = Vec::new();
    for row in 0..modules {
        let line = &code[row];
        let mut next = Vec::with_capacity(open.len());
        let mut col = 0;
        while col < modules {
            if !line[col].value() {
                col += 1;
                continue;
            }
            let width = line[col..].iter().take_while(|m| m.value()).count();
            match open.iter().position(|b| b.col == col && b.width == width) {
                Some(i) => {
                    let mut block = open.swap_remove(i);
                    block.height += 1;
                    next.push(block);
                }
                None => next.push(Block { col, row, width, height: 1 }),
            }
            col += width;
        }
        done.append(&mut open);
        open = next;
    }
    done.append(&mut open);
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blocks_cover_every_dark_module_once_and_nothing_else() {
        for text in ["", "anchi", "Số: 12/BB-VPHC-QLTTLS · 01a03d40-4fa0-71b1-86d8-2f43bd36e70e · 5d61720d9f"] {
            let code = code(text).unwrap();
            let modules = code.size;
            let mut painted = vec![0u8; modules * modules];
            let blocks = blocks(&code);
            for b in &blocks {
                for row in b.row..b.row + b.height {
                    for col in b.col..b.col + b.width {
                        painted[row * modules + col] += 1;
                    }
                }
            }
            let dark: Vec<u8> = (0..modules).flat_map(|row| code[row].iter().map(|m| u8::from(m.value()))).collect();
            assert_eq!(painted, dark, "{text:?}");
            // Fewer than half as many rectangles as dark modules (each finder pattern is five).
            let modules_dark = dark.iter().filter(|d| **d == 1).count();
            assert!(blocks.len() * 2 < modules_dark, "{} blocks for {modules_dark} modules", blocks.len());
        }
    }
}
