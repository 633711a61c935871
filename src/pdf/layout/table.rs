//! The composer's bordered tables: column widths from the cells, wrapped cells, the
//! header row repeated on every page the table runs onto.

use super::{Align, CELL_PADDING, Column, Composer, LEADING};
use crate::pdf::fonts::Style;

impl Composer<'_> {
    /// A bordered table with wrapped cells; the header row is repeated at the top of every
    /// page the table runs onto.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], size: f32) {
        let widths = self.column_widths(columns, rows, size);
        let header: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
        self.ensure(self.start_height(&header, &widths, size));
        self.row(&header, &widths, columns, Style::Bold, size, true);
        for row in rows {
            let h = self.row_height(row, &widths, Style::Regular, size);
            if self.y - h < self.bottom() {
                self.new_page();
                self.row(&header, &widths, columns, Style::Bold, size, true);
            }
            self.row(row, &widths, columns, Style::Regular, size, false);
        }
    }

    /// What a table needs on the page it starts on: its header row and two lines.
    pub fn table_start_height(&self, columns: &[Column], rows: &[Vec<String>], size: f32) -> f32 {
        let widths = self.column_widths(columns, rows, size);
        let header: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
        self.start_height(&header, &widths, size)
    }

    /// [`Composer::table_start_height`] of a table whose header and widths are worked out.
    fn start_height(&self, header: &[String], widths: &[f32], size: f32) -> f32 {
        self.row_height(header, widths, Style::Bold, size) + Self::lines_height(2, size)
    }

    /// The columns' widths: their shares of the text width, then each right-aligned column
    /// (numbers, amounts) widened until its widest cell fits on one line, so a number is
    /// never broken ("46.350.00" over "0"), with the room taken from the left-aligned (text)
    /// columns in proportion to their widths.
    pub(super) fn column_widths(&self, columns: &[Column], rows: &[Vec<String>], size: f32) -> Vec<f32> {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let mut widths: Vec<f32> = columns.iter().map(|c| self.width() * c.share / total).collect();
        let mut taken = 0.0;
        for (i, _) in columns.iter().enumerate().filter(|(_, c)| c.align == Align::Right) {
            let cells = rows.iter().filter_map(|row| row.get(i));
            let widest = cells.map(|cell| self.metrics.width_pt(cell, Style::Regular, size)).fold(0.0, f32::max);
            let needed = widest + 2.0 * CELL_PADDING + 0.5;
            if needed > widths[i] {
                taken += needed - widths[i];
                widths[i] = needed;
            }
        }
        let text: f32 = columns.iter().zip(&widths).filter(|(c, _)| c.align == Align::Left).map(|(_, w)| w).sum();
        if taken > 0.0 && text > 0.0 {
            let keep = ((text - taken) / text).max(0.0);
            columns.iter().zip(&mut widths).filter(|(c, _)| c.align == Align::Left).for_each(|(_, w)| *w *= keep);
        }
        widths
    }

    pub(super) fn cell_lines(&self, text: &str, width: f32, style: Style, size: f32) -> Vec<String> {
        self.metrics.wrap(text, style, size, width - 2.0 * CELL_PADDING)
    }

    fn row_height(&self, cells: &[String], widths: &[f32], style: Style, size: f32) -> f32 {
        let lines = cells.iter().zip(widths).map(|(c, w)| self.cell_lines(c, *w, style, size).len()).max();
        lines.unwrap_or(1) as f32 * size * LEADING + 2.0 * CELL_PADDING
    }

    fn row(&mut self, cells: &[String], widths: &[f32], columns: &[Column], style: Style, size: f32, header: bool) {
        let height = self.row_height(cells, widths, style, size);
        let top = self.y;
        let mut x = self.left();
        for ((cell, width), column) in cells.iter().zip(widths).zip(columns) {
            let align = if header { Align::Centre } else { column.align };
            let mut y = top - CELL_PADDING;
            for line in self.cell_lines(cell, *width, style, size) {
                let tx = self.x_for(&line, style, size, x + CELL_PADDING, width - 2.0 * CELL_PADDING, align);
                self.text_at(tx, y - size, &line, style, size);
                y -= size * LEADING;
            }
            self.line_at((x, top), (x, top - height), 0.5);
            x += width;
        }
        let left = self.left();
        self.line_at((x, top), (x, top - height), 0.5);
        self.line_at((left, top), (x, top), 0.5);
        self.line_at((left, top - height), (x, top - height), 0.5);
        self.y = top - height;
    }
}
