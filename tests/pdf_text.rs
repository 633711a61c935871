//! Printed documents read back with poppler (`pdftotext`, `pdffonts`, `pdfinfo`): the
//! Vietnamese text, the numbers and amounts, embedded subset fonts, A4 pages, and a long
//! goods list that runs over pages with its header row repeated.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::Command;

use anchi::app::Workspace;
use anchi::domain::text::{amount_in_words, date_in_words, format_vnd};
use anchi::domain::{DocumentKind as K, DocumentState, Event, Stage, stage};
use chrono::NaiveDateTime;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is missing ({e}): the test command ./test installs poppler-utils"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The text of a PDF (or of one page), whitespace folded so wrapped lines read as one.
fn text_of(pdf: &Path, page: Option<usize>) -> String {
    let path = pdf.to_str().unwrap();
    let text = match page {
        Some(p) => tool("pdftotext", &["-f", &p.to_string(), "-l", &p.to_string(), path, "-"]),
        None => tool("pdftotext", &[path, "-"]),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text inside a region of page 1 (points from the top left), for the two header
/// columns, which plain extraction interleaves.
fn text_in(pdf: &Path, x: u32, y: u32, w: u32, h: u32) -> String {
    let (x, y, w, h) = (x.to_string(), y.to_string(), w.to_string(), h.to_string());
    let args = ["-f", "1", "-l", "1", "-x", &x, "-y", &y, "-W", &w, "-H", &h, pdf.to_str().unwrap(), "-"];
    tool("pdftotext", &args).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn page_count(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Page size:       595.276 x 841.89 pts (A4)"), "{info}");
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line.split_whitespace().last().unwrap().parse().unwrap()
}

fn assert_fonts_embedded_subset(pdf: &Path) {
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts in {}", pdf.display());
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type…, encoding, emb, sub, uni, object, id
        let n = cols.len();
        assert_eq!((cols[n - 5], cols[n - 4]), ("yes", "yes"), "not embedded and subset: {row}");
        assert!(cols[0].contains('+') && cols[0].contains("LiberationSerif"), "{row}");
    }
}

fn contains(text: &str, needle: &str) {
    let needle = needle.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(&needle), "missing {needle:?} in:\n{text}");
}

/// Demo cases, one per workflow branch that ends in printed documents.
fn demo() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(80, 3).unwrap();
    (dir, ws)
}

#[test]
fn every_document_of_every_branch_renders_with_its_facts() {
    let (dir, ws) = demo();
    let out = dir.path().join("pdf");
    std::fs::create_dir_all(&out).unwrap();
    let mut seen_kinds = std::collections::BTreeSet::new();
    let mut seen_stages = std::collections::BTreeSet::new();
    let mut seen_branches = std::collections::HashSet::new();
    let mut seen_identifiers = std::collections::BTreeSet::new();
    for summary in ws.list_cases().unwrap() {
        let case = ws.case(summary.id).unwrap();
        // One case per branch: a stage with a set of document kinds not seen yet.
        let branch: Vec<_> = case.documents.iter().map(|d| (d.kind, d.state)).collect();
        if !seen_branches.insert((summary.stage, branch)) {
            continue;
        }
        seen_stages.insert(summary.stage);
        for doc in &case.documents {
            let path = out.join(Workspace::document_file_name(doc));
            std::fs::write(&path, ws.render_document(case.id, doc.id).unwrap()).unwrap();
            seen_kinds.insert(doc.kind);
            let text = text_of(&path, None);
            // The header: the issuing unit on the left, the national heading on the right.
            let left = text_in(&path, 0, 0, 280, 160);
            let right = text_in(&path, 288, 0, 307, 160);
            contains(&left, "CHI CỤC QUẢN LÝ THỊ TRƯỜNG TỈNH LẠNG SƠN");
            contains(&left, "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1");
            contains(&right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
            contains(&right, "Độc lập - Tự do - Hạnh phúc");
            let date = doc.finalised_at.unwrap_or(doc.created_at).date();
            contains(&right, &format!("Lạng Sơn, {}", date_in_words(date)));
            match &doc.number {
                Some(n) => contains(&left, &format!("Số: {n}")),
                None if doc.kind.is_numbered() => contains(&left, "Số: ……/"),
                None => {}
            }
            contains(&text, &case.id.to_string());
            if doc.kind != K::TemNiemPhong {
                // The NĐ 118 forms name a household business's owner, who is sanctioned as
                // an individual (NĐ 98/2020, khoản 2 Điều 2); the inspection forms the business.
                let owner = (case.subject.kind == anchi::domain::SubjectKind::HouseholdBusiness)
                    .then(|| case.subject.representative.clone())
                    .flatten()
                    .filter(|_| ws.form_of(doc).identity.gazetted.is_some());
                contains(&text, owner.as_deref().unwrap_or(&case.subject.name));
            }
            // A form's own label for an identifier is followed by the bare number.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let subject = &case.subject;
            for (label, number) in [
                ("Mã số doanh nghiệp:", subject.tax_code.as_ref().map(|t| t.as_str())),
                ("CMND/Hộ chiếu:", subject.personal_id.as_ref().map(|p| p.as_str())),
            ] {
                if let (Some(at), Some(number)) = (flat.find(label), number) {
                    let after = &flat[at + label.len()..];
                    assert!(
                        after.starts_with(&format!(" {number}")),
                        "{:?}: {label}{}",
                        doc.kind,
                        after.chars().take(40).collect::<String>()
                    );
                    seen_identifiers.insert(label);
                }
            }
            match doc.kind {
                K::BbViPham => {
                    contains(&text, "BIÊN BẢN VI PHẠM HÀNH CHÍNH");
                    contains(&text, &doc.fields["dieu_khoan"]);
                    contains(&text, &doc.fields["hanh_vi"]);
                    // Typed values print in words: the violation time, the closing time.
                    let when =
                        NaiveDateTime::parse_from_str(&doc.fields["thoi_gian_vi_pham"], "%Y-%m-%dT%H:%M").unwrap();
                    let words = format!("{}, {}", when.format("%H giờ %M phút"), date_in_words(when.date()));
                    contains(&text, &format!("Thời gian xảy ra vi phạm: {words}"));
                    let (h, m) = doc.fields["gio_ket_thuc"].split_once(':').unwrap();
                    contains(&text, &format!("Biên bản lập xong hồi {h} giờ {m} phút"));
                    if let Some(id) = case.subject.identifier() {
                        contains(&text, id);
                    }
                }
                K::QdXuPhat | K::QdXuPhatKhongLapBienBan => {
                    let fine = case.fine_vnd.unwrap();
                    contains(&text, &format!("{} đồng", format_vnd(fine)));
                    contains(&text, &amount_in_words(fine));
                    contains(&text, "QUYẾT ĐỊNH");
                }
                K::BangKe => contains(&text, &case.goods[0].name),
                _ => {}
            }
            assert_fonts_embedded_subset(&path);
            page_count(&path);
        }
    }
    for kind in [
        K::QdKiemTra,
        K::BbKiemTra,
        K::BangKe,
        K::QdTamGiu,
        K::BbTamGiu,
        K::BbNiemPhong,
        K::TemNiemPhong,
        K::BbViPham,
        K::QdXuPhat,
        K::QdXuPhatKhongLapBienBan,
    ] {
        assert!(seen_kinds.contains(&kind), "no demo document of kind {kind} was rendered");
    }
    assert!(seen_stages.contains(&Stage::DaXuPhat) && seen_stages.contains(&Stage::KhongViPham));
    assert_eq!(seen_identifiers.len(), 2, "{seen_identifiers:?}");
}

#[test]
fn the_command_line_renders_one_or_all_documents() {
    let (dir, ws) = demo();
    let case = ws
        .list_cases()
        .unwrap()
        .into_iter()
        .find(|s| s.stage == Stage::DaXuPhat && s.documents_finalised >= 8)
        .expect("a sanctioned case with seizure");
    let doc = ws.case(case.id).unwrap().documents.into_iter().find(|d| d.kind == K::BbViPham).unwrap();
    drop(ws);
    let anchi = env!("CARGO_BIN_EXE_anchi");
    let data = dir.path().to_str().unwrap();
    let one = dir.path().join("one.pdf");
    let status = Command::new(anchi)
        .args(["--data-dir", data, "doc", "render", "--case", &case.id.to_string(), "--doc", &doc.id.to_string()])
        .arg("--out")
        .arg(&one)
        .status()
        .unwrap();
    assert!(status.success());
    contains(&text_of(&one, None), "BIÊN BẢN VI PHẠM HÀNH CHÍNH");
    let all = dir.path().join("all");
    let out = Command::new(anchi)
        .args(["--data-dir", data, "doc", "render", "--case", &case.id.to_string(), "--all"])
        .arg("--out")
        .arg(&all)
        .output()
        .unwrap();
    assert!(out.status.success());
    let files: Vec<_> =
        std::fs::read_dir(&all).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(files.len(), case.documents_finalised as usize + case.documents_draft as usize);
    let number = doc.number.unwrap();
    // Year, number, ký hiệu (BB-VPHC) and kind.
    let name = format!("{}-{}-bb-vphc-bb-vi-pham.pdf", number.year, number.seq);
    assert!(number.ky_hieu.starts_with("BB-VPHC"), "{number}");
    assert!(files.contains(&name), "{name} not in {files:?}");
}

#[test]
fn a_document_that_cannot_be_printed_leaves_the_folder_as_it_was() {
    let (dir, ws) = demo();
    // A case with a draft whose every field carries a character the print fonts lack.
    let (case, draft) = ws
        .list_cases()
        .unwrap()
        .into_iter()
        .find_map(|s| {
            let case = ws.case(s.id).unwrap();
            let draft =
                case.documents.iter().find(|d| d.state == DocumentState::Draft && !d.fields.is_empty())?.clone();
            (case.documents.len() >= 3).then_some((case, draft))
        })
        .expect("a case with a draft among other documents");
    for (field, value) in &draft.fields {
        ws.save_field(case.id, draft.id, field, &format!("{value} 😀")).unwrap();
    }
    // What was typed is kept as typed, but the check the wizard shows and finalising
    // enforces names every field holding it, with the character.
    let stored = ws.case(case.id).unwrap();
    let typed = stored.document(draft.id).unwrap();
    assert!(typed.fields.values().all(|v| v.ends_with(" 😀")));
    let report = ws.check_document(&stored, typed, anchi::app::now());
    let form = ws.form_of(typed);
    for field in draft.fields.keys().filter(|f| form.fields.iter().any(|d| &&d.id == f)) {
        let named =
            report.errors().any(|p| p.field == format!("field.{field}") && p.message_vi.contains("“😀” (U+1F600)"));
        assert!(named, "{field} not named: {report}");
    }
    let finalise = Event::FinaliseDocument { id: draft.id, number: None, at: anchi::app::now() };
    assert!(ws.apply_event(case.id, finalise).is_err());
    assert_eq!(ws.case(case.id).unwrap(), stored, "a refused finalisation changes nothing");
    drop(ws);
    let all = dir.path().join("all");
    std::fs::create_dir_all(&all).unwrap();
    // A file from an earlier run, under the name one of the documents is written to.
    let earlier = all.join(Workspace::document_file_name(&case.documents[0]));
    std::fs::write(&earlier, b"earlier").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "doc", "render", "--case", &case.id.to_string(), "--all"])
        .arg("--out")
        .arg(&all)
        .output()
        .unwrap();
    // A refusal (exit 2) naming the character, not a failure of the machine.
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Không in được văn bản ra PDF") && said.contains("“😀” (U+1F600)"), "{said}");
    let files: Vec<_> = std::fs::read_dir(&all).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files, [earlier.file_name().unwrap()], "only the earlier file");
    assert_eq!(std::fs::read(&earlier).unwrap(), b"earlier");
    // Into a folder not made yet: none is made.
    let new = dir.path().join("new");
    let status = Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "doc", "render", "--case", &case.id.to_string(), "--all"])
        .arg("--out")
        .arg(&new)
        .status()
        .unwrap();
    assert!(!status.success());
    assert!(!new.exists(), "an empty folder was left");
}

#[test]
fn a_long_goods_list_runs_over_pages_with_its_header_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(1, 1).unwrap();
    let (case_id, list) = ws.make_demo_long_goods_list(200).unwrap();
    let at = anchi::app::now();
    ws.save_field(case_id, list, "kem_theo", "Biên bản kiểm tra số 1/BB-KT").unwrap();
    let (case, _) = ws.apply_event(case_id, Event::FinaliseDocument { id: list, number: None, at }).unwrap();
    assert_eq!(stage(&case), Stage::DaCoQuyetDinh);
    assert_eq!(case.document(list).unwrap().state, DocumentState::Finalised);
    let path = dir.path().join("bang-ke.pdf");
    std::fs::write(&path, ws.render_document(case.id, list).unwrap()).unwrap();
    let pages = page_count(&path);
    assert!(pages >= 5, "200 wrapped lines should take several pages, got {pages}");
    for page in 1..=pages {
        let text = text_of(&path, Some(page));
        contains(&text, "Tên hàng hóa, nhãn hiệu");
        if page > 1 {
            assert!(text.starts_with(&format!("{page} ")), "page {page} must start with its number: {}", &text[..40]);
        }
    }
    let all = text_of(&path, None);
    contains(&all, "Mặt hàng thứ 1:");
    contains(&all, "Mặt hàng thứ 200:");
    let total: u64 = (1..=200u64).map(|i| i * 150_000).sum();
    contains(&all, &format!("Tổng giá trị hàng hóa: {} đồng ({})", format_vnd(total), amount_in_words(total)));
    assert!(!text_of(&path, Some(1)).starts_with("1 "), "page 1 has no page number");
}

#[test]
fn decomposed_text_prints_composed() {
    let (_dir, ws) = demo();
    let summary = ws.list_cases().unwrap().into_iter().find(|s| s.stage == Stage::DaCoQuyetDinh).unwrap();
    let case = ws.case(summary.id).unwrap();
    let draft = case.documents.iter().find(|d| d.state == DocumentState::Draft).unwrap();
    // Typed with a keyboard that sends combining marks (NFD).
    ws.save_field(case.id, draft.id, "ket_qua", "Hàng hóa không có hóa đơn: Nguye\u{302}\u{303}n liệu nhập khẩu")
        .unwrap();
    let pdf = ws.render_document(case.id, draft.id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("draft.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = text_of(&path, None);
    contains(&text, "Nguyễn liệu nhập khẩu");
    contains(&text, "BẢN NHÁP");
}

#[test]
fn the_same_document_renders_to_the_same_bytes() {
    // Signed packages (issue 5) need reproducible PDFs: no clock, no random ids inside.
    let (_dir, ws) = demo();
    let summary = ws.list_cases().unwrap().into_iter().find(|s| s.stage == Stage::DaXuPhat).unwrap();
    let case = ws.case(summary.id).unwrap();
    let doc = case.documents.last().unwrap();
    let first = ws.render_document(case.id, doc.id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(first == ws.render_document(case.id, doc.id).unwrap(), "two renderings differ");
}

/// The QR codes on the pages of a PDF, decoded by zbar from a 150 dpi rendering.
fn qr_codes(pdf: &Path, dir: &Path) -> Vec<String> {
    let prefix = dir.join("qr");
    tool("pdftoppm", &["-r", "150", "-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    let mut codes = Vec::new();
    let mut pages: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    pages.retain(|p| p.extension().is_some_and(|e| e == "png"));
    for page in pages {
        let out = Command::new("zbarimg")
            .args(["-q", "--raw", page.to_str().unwrap()])
            .output()
            .expect("zbarimg is missing: the test command ./test installs zbar-tools");
        codes.extend(String::from_utf8(out.stdout).unwrap().lines().map(str::to_string));
    }
    codes
}

#[test]
fn seal_labels_run_on_across_sheets_each_with_its_own_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    let (case_id, _) = ws.make_demo_long_goods_list(3).unwrap();
    let opened = ws.case(case_id).unwrap().opened_at;
    let mut minutes = 0;
    let mut make = |kind: K, fields: &[(&str, &str)]| {
        minutes += 10;
        let (id, at) = (uuid::Uuid::now_v7(), opened + chrono::Duration::minutes(minutes));
        ws.apply_event(case_id, Event::StartDocument { id, kind, at }).unwrap();
        ws.fill_like_demo(case_id, id).unwrap();
        for (field, value) in fields {
            ws.save_field(case_id, id, field, value).unwrap();
        }
        ws.apply_event(case_id, Event::FinaliseDocument { id, number: None, at }).unwrap();
        id
    };
    for kind in [K::BbKiemTra, K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong] {
        make(kind, &[]);
    }
    make(K::TemNiemPhong, &[("so_tem", "2")]);
    let second = make(K::TemNiemPhong, &[("so_tem", "3")]);
    let pdf = dir.path().join("tem.pdf");
    std::fs::write(&pdf, ws.render_document(case_id, second).unwrap()).unwrap();

    // The second sheet's three labels are numbered on from the first sheet's two.
    let text = text_of(&pdf, None);
    let numbers: Vec<&str> = text.split("TEM NIÊM PHONG — Số ").skip(1).map(|rest| &rest[..3]).collect();
    assert_eq!(numbers, ["003", "004", "005"]);
    contains(&text, &format!("Vụ việc {case_id}"));
    contains(&text, "Người niêm phong");

    // Each label carries its own QR code naming the case, the sheet and its seal number.
    let scans = dir.path().join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    let mut seals: Vec<String> = qr_codes(&pdf, &scans)
        .into_iter()
        .filter_map(|code| code.strip_prefix(&format!("anchi-tem:{case_id}:{second}:")).map(str::to_string))
        .map(|rest| rest.split(':').next().unwrap().to_string())
        .collect();
    seals.sort();
    assert_eq!(seals, ["3", "4", "5"]);
}

/// A document of `lines` one-line paragraphs, then `last`, then what follows it.
fn document_of(lines: usize, last: &str, then: anchi::pdf::Block) -> anchi::pdf::PrintDocument {
    use anchi::pdf::{Align, Block, Header, PrintDocument, Style};
    let paragraph = |text: String| Block::Paragraph { text, style: Style::Regular, align: Align::Left, indent: false };
    let mut blocks: Vec<Block> = (1..=lines).map(|n| paragraph(format!("Dòng thứ {n} của văn bản."))).collect();
    blocks.push(paragraph(last.to_string()));
    blocks.push(then);
    PrintDocument {
        title: "Thử".into(),
        header: Header {
            parent_body: "CHI CỤC QUẢN LÝ THỊ TRƯỜNG".into(),
            unit: "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1".into(),
            number_line: "Số: 1/QĐ".into(),
            place_date: "Lạng Sơn, ngày 20 tháng 6 năm 2026".into(),
        },
        blocks,
        footer: "Số 1".into(),
        qr: "anchi".into(),
    }
}

#[test]
fn a_signature_or_a_heading_never_stands_alone_at_a_page_break() {
    use anchi::pdf::{Align, Block, SignatureBlock, Style};
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("t.pdf");
    let signer = SignatureBlock {
        title: "ĐỘI TRƯỞNG".into(),
        note: "(Ký, ghi rõ họ tên)".into(),
        name: "Hoàng Văn Thắng".into(),
    };
    let closing = || Block::Closing {
        recipients: vec!["Như Điều 3;".into(), "Lưu: Hồ sơ.".into()],
        signer: signer.clone(),
    };
    let announced = || Block::Paragraph {
        text: "a) Giao cho ông Nguyễn Đức Thắng là người đại diện của tổ chức vi phạm.".into(),
        style: Style::Regular,
        align: Align::Left,
        indent: false,
    };
    // Every length from a page and a half short of the break to past it: wherever the page
    // breaks, the signer's page holds the last words before it, and the heading's page the
    // first words after it.
    // A point at a time over two lines' room, where the last paragraph's gap after it was
    // not counted (2 points short) and the closing went to the next page alone.
    for (lines, gap) in (28..30).flat_map(|l| (0..40).map(move |g| (l, g as f32 * 0.5))) {
        let mut doc = document_of(lines, "Quyết định có hiệu lực kể từ ngày ký./.", closing());
        doc.blocks.insert(lines, Block::Gap { points: gap });
        std::fs::write(&pdf, anchi::pdf::render(&doc).unwrap()).unwrap();
        let last = text_of(&pdf, Some(page_count(&pdf)));
        assert!(last.contains("hiệu lực kể từ ngày ký"), "{lines} lines, {gap} points: the closing stands alone");
    }
    let mut counts = std::collections::BTreeSet::new();
    for lines in 20..60 {
        std::fs::write(
            &pdf,
            anchi::pdf::render(&document_of(lines, "Quyết định có hiệu lực kể từ ngày ký./.", closing())).unwrap(),
        )
        .unwrap();
        let pages = page_count(&pdf);
        let last = text_of(&pdf, Some(pages));
        assert!(last.contains("Hoàng Văn Thắng"), "{lines} lines: {last}");
        assert!(
            last.contains("hiệu lực kể từ ngày ký"),
            "{lines} lines: the signature stands alone on page {pages}: {last}"
        );
        counts.insert(pages);

        std::fs::write(
            &pdf,
            anchi::pdf::render(&document_of(lines, "Điều 3. Quyết định này được:", announced())).unwrap(),
        )
        .unwrap();
        let pages = page_count(&pdf);
        let with_heading = (1..=pages).find(|p| text_of(&pdf, Some(*p)).contains("Quyết định này được:")).unwrap();
        let page = text_of(&pdf, Some(with_heading));
        assert!(page.contains("a) Giao cho ông"), "{lines} lines: the heading ends page {with_heading} alone: {page}");
        counts.insert(pages);

        // A table announced keeps its header row and first row with its heading.
        let table = Block::Table {
            columns: ["STT", "Tên tang vật, phương tiện vi phạm hành chính", "Đơn vị tính", "Số lượng"]
                .iter()
                .map(|t| anchi::pdf::Column { title: t.to_string(), share: 1.0, align: Align::Left })
                .collect(),
            rows: vec![vec!["1".into(), "Túi xách giả nhãn hiệu".into(), "chiếc".into(), "103".into()]],
        };
        let heading = "1. Tang vật, phương tiện vi phạm hành chính bị niêm phong, gồm:";
        std::fs::write(&pdf, anchi::pdf::render(&document_of(lines, heading, table)).unwrap()).unwrap();
        let pages = page_count(&pdf);
        let with_heading = (1..=pages).find(|p| text_of(&pdf, Some(*p)).contains("bị niêm phong, gồm:")).unwrap();
        let page = text_of(&pdf, Some(with_heading));
        assert!(page.contains("Túi xách giả"), "{lines} lines: the table's heading ends page {with_heading} alone");
        counts.insert(pages);
    }
    // The lengths ran the end of the text across a page break (else the loop proved nothing).
    assert!(counts.contains(&1) && counts.contains(&2), "{counts:?}");
}

#[test]
fn a_signature_blocks_capacity_and_name_wrap_to_even_lines_whole_words_kept_together() {
    use anchi::pdf::{Block, SignatureBlock};
    let block = |title: &str, name: &str| SignatureBlock {
        title: title.into(),
        note: "(Ký, ghi rõ chức vụ, họ và tên)".into(),
        name: name.into(),
    };
    let signatures = Block::Signatures(vec![
        block("ĐẠI DIỆN TỔ CHỨC ĐƯỢC KIỂM TRA", "Nguyễn Đức Thắng"),
        block("NGƯỜI LẬP BIÊN BẢN", "Đặng Quốc Hưng, Kiểm soát viên thị trường"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("ky.pdf");
    std::fs::write(&pdf, anchi::pdf::render(&document_of(3, "Biên bản lập xong.", signatures)).unwrap()).unwrap();
    let lines: Vec<String> = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"])
        .lines()
        .flat_map(|l| l.split("   ").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect::<Vec<_>>())
        .collect();
    // Greedy lines left "TRA" and "trường" alone, and cut "kiểm tra" and "thị trường".
    for whole in ["ĐẠI DIỆN TỔ CHỨC", "ĐƯỢC KIỂM TRA", "Đặng Quốc Hưng,", "Kiểm soát viên thị trường"]
    {
        assert!(lines.iter().any(|l| l == whole), "no line {whole:?} in {lines:?}");
    }
}

#[test]
fn no_line_of_a_paragraph_stands_alone_at_a_page_break() {
    use anchi::pdf::{Align, Block, Style};
    // Two paragraphs of several lines, each of words of its own, after 30 to 50
    // one-line paragraphs, so that page breaks fall at every line of them in turn.
    let words = |tag: &str, n: usize| (1..=n).map(|i| format!("{tag}{i}")).collect::<Vec<_>>().join(" ");
    let (long, short) = (words("qq", 80), words("zz", 60));
    let dir = tempfile::tempdir().unwrap();
    let mut breaks = 0;
    for lines in 30..=50 {
        let next = Block::Paragraph { text: short.clone(), style: Style::Regular, align: Align::Justify, indent: true };
        let mut doc = document_of(lines, &long, next);
        doc.blocks.push(Block::Paragraph {
            text: "Hết.".into(),
            style: Style::Regular,
            align: Align::Left,
            indent: false,
        });
        let pdf = dir.path().join(format!("{lines}.pdf"));
        std::fs::write(&pdf, anchi::pdf::render(&doc).unwrap()).unwrap();
        for tag in ["qq", "zz"] {
            let on_page = |page: usize| {
                let text =
                    tool("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), pdf.to_str().unwrap(), "-"]);
                text.lines().filter(|l| l.split(' ').any(|w| w.starts_with(tag))).count()
            };
            let (first, second) = (on_page(1), on_page(2));
            assert!(
                first != 1 && second != 1,
                "{lines} lines before: the {tag} paragraph has {first} + {second} lines"
            );
            breaks += usize::from(first > 0 && second > 0);
        }
    }
    // Some of the paragraphs were split, two lines or more on each side.
    assert!(breaks > 0);

    // A heading that announces a paragraph of three lines (32 words), which is not split, stays on
    // the page where that paragraph starts (it kept room for two lines only, and was left
    // alone at the foot of a page).
    let mut split = 0;
    for (lines, gap) in (30..=36).flat_map(|l| (0..9).map(move |g| (l, 2.0 * g as f32))) {
        let next = Block::Paragraph { text: words("ww", 32), style: Style::Regular, align: Align::Left, indent: false };
        let mut doc = document_of(lines, "Quyết định:", next);
        doc.blocks.insert(lines, Block::Gap { points: gap });
        let pdf = dir.path().join(format!("h{lines}-{gap}.pdf"));
        std::fs::write(&pdf, anchi::pdf::render(&doc).unwrap()).unwrap();
        let heading_page = (1..=page_count(&pdf))
            .map(|page| {
                tool("pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), pdf.to_str().unwrap(), "-"])
            })
            .find(|text| text.contains("Quyết định:"))
            .unwrap();
        assert!(heading_page.contains("ww1 "), "{lines} lines and {gap} points before: the heading ends a page alone");
        split += usize::from(!heading_page.contains("Dòng thứ 1 "));
    }
    assert!(split > 0, "the heading never moved to the next page");
}
