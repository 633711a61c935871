//! PDF benchmarks (issues 3 and 23): the inspection record (one page), the violation record
//! (three pages) and a 200-line goods list. Reports time per document; pages and bytes are
//! printed once before measuring.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use anchi::app::Workspace;
use anchi::domain::{DocumentKind as K, Stage};
use criterion::{Criterion, criterion_group, criterion_main};

/// The page count as poppler's `pdfinfo` reads it (object streams hide the page objects
/// from a plain text search).
fn pages(pdf: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    match std::process::Command::new("pdfinfo").arg(file.path()).output() {
        Ok(out) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().to_string()))
            .unwrap_or_else(|| "?".into()),
        Err(_) => "? (pdfinfo missing)".into(),
    }
}

fn pdf_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(80, 3).unwrap();
    let summary =
        ws.list_cases().unwrap().into_iter().find(|s| s.stage == Stage::DaXuPhat && s.documents_finalised >= 4);
    let case = ws.case(summary.unwrap().id).unwrap();
    let record = case.documents.iter().find(|d| d.kind == K::BbViPham).unwrap().id;
    let inspection = case.documents.iter().find(|d| d.kind == K::BbKiemTra).unwrap().id;

    let (long_case, list) = ws.make_demo_long_goods_list(200).unwrap();

    for (name, case_id, doc_id) in [
        ("inspection record", case.id, inspection),
        ("violation record", case.id, record),
        ("200-line goods list", long_case, list),
    ] {
        let pdf = ws.render_document(case_id, doc_id).unwrap();
        eprintln!("{name}: {} pages, {} bytes", pages(&pdf), pdf.len());
    }
    c.bench_function("render_inspection_record", |b| b.iter(|| ws.render_document(case.id, inspection).unwrap().len()));
    c.bench_function("render_violation_record", |b| b.iter(|| ws.render_document(case.id, record).unwrap().len()));
    // Every document of the case: one after another, and on every core (`PdfJob::render_all`,
    // as `doc render --all` and a package export do).
    let jobs: Vec<_> = case.documents.iter().map(|d| ws.pdf_job_of(&case, d)).collect();
    let jobs: Vec<_> = jobs.iter().collect();
    eprintln!("all documents: {} of them, {} cores", jobs.len(), std::thread::available_parallelism().unwrap());
    let mut group = c.benchmark_group("render_all_documents");
    group.bench_function("one_after_another", |b| {
        b.iter(|| jobs.iter().map(|j| j.render().unwrap().len()).sum::<usize>())
    });
    group.bench_function("on_every_core", |b| {
        b.iter(|| anchi::app::render::PdfJob::render_all(&jobs).unwrap().iter().map(Vec::len).sum::<usize>())
    });
    group.finish();
    let mut group = c.benchmark_group("render_goods_list");
    group.sample_size(20);
    group.bench_function("render_goods_list_200_lines", |b| {
        b.iter(|| ws.render_document(long_case, list).unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, pdf_benches);
criterion_main!(benches);
