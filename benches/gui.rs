//! Window benchmarks (issue 4) on 100,000 cases, through egui_kittest: the time to the
//! first frame (open the data, load the list, lay out one frame), one frame while the list
//! scrolls, and one keystroke in the search box up to the filtered list drawn.
//!
//! `cargo bench --bench gui`. Frames are egui's work on the CPU (layout and tessellation
//! as kittest runs them); the GPU's drawing is not included. ANCHI_BENCH_CASES changes
//! the count.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use anchi::app::Workspace;
use anchi::ui::{AnchiApp, theme};
use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui;
use egui_kittest::Harness;

fn case_count() -> usize {
    std::env::var("ANCHI_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

fn window(dir: &std::path::Path) -> Harness<'static, AnchiApp> {
    let app = AnchiApp::new(Workspace::open(dir).unwrap()).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1280.0, 760.0))
        .with_context_setup(theme::install)
        .build_ui_state(|ui, app: &mut AnchiApp| app.show(ui), app)
}

fn gui_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let cases = case_count();
    Workspace::open(dir.path()).unwrap().make_demo(cases, 1).unwrap();

    let mut group = c.benchmark_group("window");
    group.sample_size(10);
    // Open the data, read the rows, draw the first frame (the marks and deadlines follow on
    // another thread).
    group.bench_function(format!("first_frame_{cases}"), |b| {
        b.iter_custom(|iterations| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iterations {
                let start = std::time::Instant::now();
                let mut h = window(dir.path());
                h.step();
                spent += start.elapsed();
                // Not timed: the marks' thread holds the data open until it is done.
                while h.state_mut().list().marks_pending() {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    h.step();
                }
            }
            spent
        })
    });
    // The baseline, as the window started before: the marks and deadlines of every row
    // computed before the first frame.
    group.bench_function(format!("first_frame_marks_first_{cases}"), |b| {
        b.iter(|| {
            let ws = Workspace::open(dir.path()).unwrap();
            let marks = ws.list_marks().unwrap();
            let mut app = AnchiApp::new(ws).unwrap();
            app.list().set_marks(marks);
            let mut h = Harness::builder()
                .with_size(egui::vec2(1280.0, 760.0))
                .with_context_setup(theme::install)
                .build_ui_state(|ui, app: &mut AnchiApp| app.show(ui), app);
            h.step();
            h.state_mut().list().rows.len()
        })
    });
    group.finish();

    let mut h = window(dir.path());
    h.run();
    let mut down = true;
    let mut frames = 0u32;
    c.bench_function(&format!("scroll_frame_{cases}"), |b| {
        b.iter(|| {
            // Two screens' worth per frame, back up every 200 frames.
            frames += 1;
            if frames.is_multiple_of(200) {
                down = !down;
            }
            let delta = if down { -800.0 } else { 800.0 };
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, delta),
                modifiers: egui::Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            });
            h.hover_at(egui::pos2(640.0, 400.0));
            h.step();
        })
    });

    // Subject warnings (issue 7): the case list's badges on each reload, the laptop's cases
    // made into a lookup (again after a change), and the warnings of a case as it opens.
    let rows = h.state_mut().list().rows.clone();
    let ws = h.state().workspace();
    c.bench_function(&format!("list_badges_{cases}"), |b| {
        b.iter(|| anchi::app::warnings::list_badges(&rows, &[]).len())
    });
    let mut group = c.benchmark_group("warnings");
    group.sample_size(10);
    group.bench_function(format!("local_lookup_build_{cases}"), |b| {
        b.iter(|| anchi::app::warnings::LocalSubjects::new(rows.clone(), "DEMO-LS-D1", &[]))
    });
    group.finish();
    let mut i = 0;
    c.bench_function(&format!("case_warnings_{cases}"), |b| {
        b.iter(|| {
            i = (i + 7919) % rows.len();
            ws.case_warnings(rows[i].id).unwrap().warnings.len()
        })
    });

    let queries = ["nguyen", "nguyen v", "cong ty", "0100", "hoang thi"];
    let mut n = 0;
    c.bench_function(&format!("search_keystroke_{cases}"), |b| {
        b.iter(|| {
            n = (n + 1) % queries.len();
            h.state_mut().list().search = queries[n].to_string();
            h.step();
            h.state_mut().list().visible_count()
        })
    });
}

criterion_group!(benches, gui_benches);
criterion_main!(benches);
