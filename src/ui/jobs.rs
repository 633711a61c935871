//! Work done off the window's thread (PDFs, packages, backups, sending, file choosers) and
//! what it reports back.

use super::*;

/// What a background job reports: its output, a failure, or nothing (cancelled).
pub(super) type JobResult = Option<Result<JobDone, String>>;

/// What a background job made.
pub(super) enum JobDone {
    /// A pass of sending to the province ended.
    Synced(Result<crate::app::sync::SyncReport, String>, crate::app::sync::PassEnd),

    /// Files or a folder chosen in the system's chooser, and what for.
    Chosen(command::Choose, Vec<PathBuf>),
    /// A PDF written to this file.
    Pdf(PathBuf),
    /// A report (Excel or CSV) written to this file.
    Report(PathBuf),
    /// A backup of this many cases written to `out`.
    Backup { out: PathBuf, cases: u64 },
    /// The offender index is in memory (None: none was ever fetched).
    Index(Option<crate::app::warnings::IndexStatus>),
    /// A package built and written next to `out` (as `out.part`), waiting for its version
    /// to be recorded before it takes its final name.
    Package { built: Box<crate::app::packages::BuiltPackage>, out: PathBuf },
}

impl AnchiApp {
    /// Takes in what background jobs finished since the last frame.
    pub(super) fn take_finished_jobs(&mut self, ctx: &egui::Context) {
        while let Ok(result) = self.background.1.try_recv() {
            self.jobs -= 1;
            match result {
                Some(Ok(JobDone::Chosen(purpose, paths))) => self.chosen(purpose, paths),
                Some(Ok(JobDone::Pdf(path))) => {
                    self.last_pdf = Some(path);
                    self.notice = None;
                }
                Some(Ok(JobDone::Package { built, out })) => self.package_written(*built, &out),
                Some(Ok(JobDone::Synced(result, end))) => self.synced(result, end),
                Some(Ok(JobDone::Backup { out, cases })) => {
                    self.notice = Some(format!("Đã sao lưu {cases} vụ việc vào {}", out.display()));
                }
                Some(Ok(JobDone::Report(path))) => self.notice = Some(format!("Đã xuất báo cáo: {}", path.display())),
                Some(Ok(JobDone::Index(status))) => {
                    self.index = status;
                    self.refresh_warnings();
                }
                Some(Err(message)) => self.error = Some(message),
                None => {}
            }
        }
        if self.jobs > 0 {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
    }

    /// Runs slow work (rendering, a file dialog) on a named thread; its result comes back
    /// to the status line on a later frame.
    /// `busy` says in the status line what it is doing.
    pub(super) fn spawn(
        &mut self,
        name: &str,
        busy: &'static str,
        job: impl FnOnce() -> JobResult + Send + 'static,
    ) -> Result<(), AppError> {
        self.progress.store(0, std::sync::atomic::Ordering::Relaxed);
        let done = self.background.0.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let _ = done.send(job());
            })
            .map_err(|e| AppError::Files(e.to_string()))?;
        self.busy_with = busy;
        self.jobs += 1;
        Ok(())
    }

    /// Whether background work is still running (tests wait for it).
    pub fn busy(&self) -> bool {
        self.jobs > 0
    }

    /// Computes the list's marks and deadlines on the thread "tinh-han" when the rows came
    /// without them (the first frame), and takes them in when done. Marks computed for rows
    /// since reloaded (which brings its own) are dropped; when the thread fails they are
    /// computed here once, and an error is said if that fails too (the rows then stay
    /// unmarked, not computed again every frame).
    pub(super) fn mark_list(&mut self, ctx: &egui::Context) {
        if let Some(done) = &self.marks {
            let result = match done.try_recv() {
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Ok(result) => result,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(String::new()),
            };
            self.marks = None;
            match result {
                _ if !self.list.marks_pending() => {}
                Ok(marks) => self.list.set_marks(marks),
                Err(_) => self.mark_here(),
            }
            return;
        }
        if !self.list.marks_pending() {
            return;
        }
        let (tell, done) = std::sync::mpsc::channel();
        let (ws, ctx) = (self.ws.clone(), ctx.clone());
        let started = std::thread::Builder::new().name("tinh-han".into()).spawn(move || {
            let marks = ws.list_marks().map_err(|e| e.vi());
            // The workspace is let go before the window hears: a restore may follow at once.
            drop(ws);
            let _ = tell.send(marks);
            ctx.request_repaint();
        });
        match started {
            Ok(_) => self.marks = Some(done),
            Err(_) => self.mark_here(),
        }
    }

    /// The list's marks computed on this thread.
    fn mark_here(&mut self) {
        match self.ws.marks_of(&self.list.rows) {
            Ok(marks) => self.list.set_marks(marks),
            Err(e) => {
                self.error = Some(e.vi());
                self.list.set_marks(Default::default());
            }
        }
    }

    /// Waits for the marks' thread, which shares the workspace (before the workspace is
    /// changed or let go: a restore, a new member).
    pub(super) fn wait_for_marks(&mut self) {
        if let Some(done) = self.marks.take() {
            match done.recv() {
                Ok(Ok(marks)) if self.list.marks_pending() => self.list.set_marks(marks),
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => self.mark_here(),
            }
        }
    }
}
