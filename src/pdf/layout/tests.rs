//! The layout's geometry checked against the fonts' own glyph boxes.

use super::*;

/// The lowest and the highest ink of `text` drawn at `size`, from its glyphs' boxes
/// (points from the baseline, the lowest negative).
fn ink(text: &str, style: Style, size: f32) -> (f32, f32) {
    let face = ttf_parser::Face::parse(style.bytes(), 0).unwrap();
    let scale = size / f32::from(face.units_per_em());
    let boxes = text.chars().filter_map(|c| face.glyph_index(c)).filter_map(|g| face.glyph_bounding_box(g));
    boxes.fold((0.0, 0.0), |(low, high), b| {
        (f32::min(low, f32::from(b.y_min) * scale), f32::max(high, f32::from(b.y_max) * scale))
    })
}

/// A page's drawing: where each text starts, (x, baseline), and its rules, (x from, x to, y).
type Drawing = (Vec<(f32, f32)>, Vec<(f32, f32, f32)>);

/// What a page's content stream draws: its text places and its rules, each level.
fn drawn(page: &[u8]) -> Drawing {
    let (places, _, segments) = marks(page);
    let rules = segments
        .iter()
        .map(|&[x0, y0, x1, y1, _]| {
            assert_eq!(y0, y1, "a rule is level");
            (x0, x1, y0)
        })
        .collect();
    (places, rules)
}

/// Where each text starts (x, baseline), the rectangles a page's content stream fills
/// (x, y, width, height), and the segments it strokes (x0, y0, x1, y1, thickness).
type Marks = (Vec<(f32, f32)>, Vec<[f32; 4]>, Vec<[f32; 5]>);

fn marks(page: &[u8]) -> Marks {
    let text = String::from_utf8_lossy(page);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let at = |i: usize| tokens[i].parse::<f32>().unwrap();
    let (mut places, mut rects, mut segments) = (Vec::new(), Vec::new(), Vec::new());
    // The scaling and move of `cm` (the QR codes are drawn in modules), undone by `Q`.
    let (mut scale, mut shift) = ((1.0, 1.0), (0.0, 0.0));
    for i in 0..tokens.len() {
        match tokens[i] {
            "Td" => places.push((at(i - 2), at(i - 1))),
            "cm" => (scale, shift) = ((at(i - 6), at(i - 3)), (at(i - 2), at(i - 1))),
            "Q" => (scale, shift) = ((1.0, 1.0), (0.0, 0.0)),
            "re" => rects.push([
                shift.0 + scale.0 * at(i - 4),
                shift.1 + scale.1 * at(i - 3),
                scale.0 * at(i - 2),
                scale.1 * at(i - 1),
            ]),
            "S" if tokens[i - 1] == "l" => segments.push([at(i - 6), at(i - 5), at(i - 3), at(i - 2), at(i - 8)]),
            _ => {}
        }
    }
    (places, rects, segments)
}

#[test]
fn a_rule_is_drawn_once_under_a_wrapped_name_clear_of_its_marks_and_of_the_next_line() {
    let metrics = crate::pdf::metrics();
    let unit = "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1 (DỮ LIỆU MẪU)";
    let next = "Số: 13/BB-KT-QLTTLS";
    let width = 200.0;
    let wrapped = metrics.wrap(unit, Style::Bold, 12.5, width);
    assert_eq!(wrapped.len(), 2, "{wrapped:?}");
    let mut c = Composer::new(metrics);
    let lines = [Styled::new(unit, Style::Bold, 12.5).ruled(0.4), Styled::new(next, Style::Regular, 13.0)];
    let top = c.y;
    c.column(&lines, 100.0, width, top);
    let (places, rules) = drawn(&c.pages[0]);
    let baselines: Vec<f32> = places.iter().map(|(_, y)| *y).collect();
    assert_eq!(baselines.len(), 3);
    let [(from, to, y)] = rules[..] else { panic!("one rule, not {rules:?}") };
    // Below every mark under the name's letters (the dot of "Ị"), above every mark over
    // the next line's ("ố").
    assert!(y < baselines[1] + ink(unit, Style::Bold, 12.5).0 - 2.0, "rule at {y}, baselines {baselines:?}");
    assert!(y > baselines[2] + ink(next, Style::Regular, 13.0).1 + 0.5, "rule at {y}, baselines {baselines:?}");
    // 0.4 of the widest line, centred on it.
    let widths: Vec<f32> = wrapped.iter().map(|l| metrics.width_pt(l, Style::Bold, 12.5)).collect();
    let widest = widths.iter().copied().fold(0.0, f32::max);
    assert!((to - from - 0.4 * widest).abs() < 0.01, "{from}..{to} for {widest}");
    assert!(((from + to) / 2.0 - (100.0 + width / 2.0)).abs() < 0.01);
}

#[test]
fn the_mottos_rule_is_as_long_as_its_line() {
    let metrics = crate::pdf::metrics();
    let motto = "Độc lập - Tự do - Hạnh phúc";
    let mut c = Composer::new(metrics);
    let top = c.y;
    c.column(&[Styled::new(motto, Style::Bold, 13.0).ruled(1.0)], 300.0, 250.0, top);
    let (places, rules) = drawn(&c.pages[0]);
    let baselines: Vec<f32> = places.iter().map(|(_, y)| *y).collect();
    let [(from, to, y)] = rules[..] else { panic!("one rule, not {rules:?}") };
    assert!((to - from - metrics.width_pt(motto, Style::Bold, 13.0)).abs() < 0.01);
    assert!(
        y < baselines[0] + ink(motto, Style::Bold, 13.0).0 - 2.0,
        "the rule at {y} is within 2 pt of the dot under \"ộ\""
    );
}

#[test]
fn a_table_never_breaks_a_number_and_keeps_to_the_text_width() {
    let c = Composer::new(crate::pdf::metrics());
    let col = |title: &str, share, align| Column { title: title.into(), share, align };
    let columns = [
        col("STT", 0.8, Align::Centre),
        col("Tên hàng hóa, nhãn hiệu", 3.2, Align::Left),
        col("Đơn giá (đồng)", 1.3, Align::Right),
        col("Thành tiền (đồng)", 1.5, Align::Right),
        col("Ghi chú", 1.2, Align::Left),
    ];
    let amount = "1.250.000.000.000";
    let rows =
        vec![vec!["1".into(), "Rượu vang nhập lậu".into(), "46.350.000".into(), amount.into(), "Không rõ".into()]];
    // Its share alone would break the amount.
    let share = c.width() * 1.5 / 8.0;
    assert!(c.cell_lines(amount, share, Style::Regular, 11.0).len() > 1);
    let widths = c.column_widths(&columns, &rows, 11.0);
    assert!((widths.iter().sum::<f32>() - c.width()).abs() < 0.01, "{widths:?}");
    for i in [2, 3] {
        assert_eq!(c.cell_lines(&rows[0][i], widths[i], Style::Regular, 11.0), [rows[0][i].clone()]);
    }
    // The room came from the text columns; the centred one kept its share.
    assert!(widths[1] < c.width() * 3.2 / 8.0 && widths[4] < c.width() * 1.2 / 8.0);
    assert!((widths[0] - c.width() * 0.8 / 8.0).abs() < 0.01);
}

#[test]
fn the_headers_two_first_lines_stay_apart_as_two_columns() {
    use crate::pdf::{Block, HEADER_SIZE, Header, PrintDocument};
    let parent = "CHI CỤC QUẢN LÝ THỊ TRƯỜNG";
    let header = Header {
        parent_body: parent.into(),
        unit: "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1".into(),
        number_line: "Số: 1/BB".into(),
        place_date: "Lạng Sơn, ngày 20 tháng 6 năm 2026".into(),
    };
    let doc = PrintDocument {
        title: "Thử".into(),
        header,
        blocks: Vec::<Block>::new(),
        footer: "Số 1".into(),
        qr: "anchi".into(),
    };
    let pdf = lopdf::Document::load_mem(&crate::pdf::render(&doc).unwrap()).unwrap();
    let page = *pdf.get_pages().values().next().unwrap();
    let content = pdf.get_page_content(page);
    let (places, _) = drawn(&content);
    // The first baseline holds the parent body (left) and the national name (right).
    let top = places[0].1;
    let first: Vec<f32> = places.iter().filter(|(_, y)| *y == top).map(|(x, _)| *x).collect();
    assert_eq!(first.len(), 2, "{places:?}");
    let left_end = first[0] + crate::pdf::metrics().width_pt(parent, Style::Regular, HEADER_SIZE);
    // 6 mm between them: a reader (and pdftotext) takes them for two columns, not one line.
    assert!(first[1] - left_end > mm(6.0), "{} pt apart", first[1] - left_end);
}

/// The box around `rects`: x0, y0, x1, y1.
fn bounds(rects: &[[f32; 4]]) -> [f32; 4] {
    rects.iter().fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, r| {
        [b[0].min(r[0]), b[1].min(r[1]), b[2].max(r[0] + r[2]), b[3].max(r[1] + r[3])]
    })
}

/// How far a stroked segment's ink is from a box.
fn clearance(segment: &[f32; 5], b: &[f32; 4]) -> f32 {
    let [x0, y0, x1, y1, thickness] = *segment;
    let dx = (b[0] - x0.max(x1)).max(x0.min(x1) - b[2]).max(0.0);
    let dy = (b[1] - y0.max(y1)).max(y0.min(y1) - b[3]).max(0.0);
    dx.hypot(dy) - thickness / 2.0
}

/// Every QR code, the seal label's and the footer's, has four modules of white around it
/// (the quiet zone of ISO/IEC 18004): no line of the label's box, of its signature row or of
/// the footer's rule comes nearer, and the body's lowest line is as far above the footer's.
/// The label's code sat 3 pt (under two modules) inside its box, and the footer's rule ran
/// 2 pt over its code.
#[test]
fn every_qr_code_has_four_modules_of_white_around_it() {
    let metrics = crate::pdf::metrics();
    let label = crate::pdf::qr::code(&format!("anchi-tem:{}:{}:12:5f3a9c0e1b2d", uuid::Uuid::nil(), uuid::Uuid::max()))
        .unwrap();
    let footer =
        crate::pdf::qr::code(&format!("anchi:{}:{}:5f3a9c0e1b2d", uuid::Uuid::nil(), uuid::Uuid::max())).unwrap();
    let mut c = Composer::new(metrics);
    let lines = vec!["Niêm phong: 12 thùng rượu vang nhãn nước ngoài".to_string(); 3];
    let signers = ["Người niêm phong".to_string(), "Người chứng kiến".to_string()];
    c.seal_label("TEM NIÊM PHONG — Số 012", &lines, &signers, &label);
    let pages = c.finish("Số 15/QĐ-XPHC · vụ việc 0000 · mã 5f3a9c0e1b2d", Some(&footer));
    let (_, rects, segments) = marks(&pages.contents[0]);
    let limit = mm(MARGIN_BOTTOM);
    let (low, high): (Vec<[f32; 4]>, Vec<[f32; 4]>) = rects.iter().partition(|r| r[1] < limit);
    for (code, rects) in [(&label, &high), (&footer, &low)] {
        let b = bounds(rects);
        let side = b[2] - b[0];
        assert!((side - (b[3] - b[1])).abs() < 0.01, "a square code: {b:?}");
        let quiet = Composer::quiet_zone(side, code);
        assert!(quiet > 3.0, "{quiet}: the test's codes are the size of the real ones");
        for s in &segments {
            assert!(clearance(s, &b) >= quiet - 0.01, "{s:?} is {} pt from the code at {b:?}", clearance(s, &b));
        }
        if b[1] < limit {
            assert!(limit - b[3] >= quiet - 0.01, "the body ends {} pt above the footer's code", limit - b[3]);
        }
    }
}
