//! Sending to the province: packages, the server settings, the sending schedule, file choosers.

use super::super::*;
use crate::ui::command::Choose;

/// Sending to the province while the window is open: a pass now, then every few minutes,
/// further apart (with jitter) while the server cannot be reached; and the cases' stages
/// (live status) every few seconds when one changed.
pub(in crate::ui) struct SyncSchedule {
    pub(in crate::ui) passphrase: String,
    pub(in crate::ui) next: Instant,
    pub(in crate::ui) when: crate::app::sync::Schedule,
    pub(in crate::ui) running: bool,
    /// When the stages are looked at next, and the look running (on a thread of its own,
    /// quietly: no spinner every few seconds).
    pub(in crate::ui) live_next: Instant,
    pub(in crate::ui) live: Option<std::sync::mpsc::Receiver<Result<crate::app::live::LiveReport, String>>>,
}

/// How often the window looks for a change of stage to tell the province.
const LIVE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl AnchiApp {
    pub(in crate::ui) fn export_package(
        &mut self,
        case: Uuid,
        passphrase: String,
        out: std::path::PathBuf,
    ) -> Result<(), AppError> {
        let job = self.ws.prepare_export(case, &passphrase, None)?;
        let progress = self.progress.clone();
        self.spawn("xuat-goi", "Đang xuất gói hồ sơ…", move || {
            let report = |f: f32| progress.store((f * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
            let built = job.run(&report).map_err(|e| e.vi());
            Some(built.and_then(|built| {
                // The system's reason (disk full, no permission) for the folder the member chose.
                built.write_part(&out).map_err(|e| format!("Không ghi được {}: {e}", out.display()))?;
                Ok(JobDone::Package { built: Box::new(built), out })
            }))
        })?;
        Ok(())
    }

    pub(in crate::ui) fn save_server_settings(&mut self, url: String, ca_file: String) -> Result<(), AppError> {
        let saved = self.ws.set_server(&url, &ca_file);
        let Some(dialog) = &mut self.sync_dialog else { return saved };
        match saved {
            Ok(()) => {
                dialog.problem = None;
                dialog.editing_server = false;
                self.notice = Some("Đã lưu thiết lập máy chủ của Chi cục".into());
            }
            Err(AppError::Setting(e)) => dialog.problem = Some(e.vi()),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    pub(in crate::ui) fn choose(&mut self, purpose: Choose) -> Result<(), AppError> {
        // The system's chooser blocks until answered: it waits off the window's thread.
        self.spawn("chon-tep", "Đang chọn tệp…", move || {
            let chosen = purpose.ask();
            (!chosen.is_empty()).then_some(Ok(JobDone::Chosen(purpose, chosen)))
        })?;
        Ok(())
    }

    pub(in crate::ui) fn start_sync(&mut self, passphrase: String) -> Result<(), AppError> {
        self.sync_dialog = None;
        // Settings and passphrase are checked now, so a mistake is said at once.
        self.ws.sync_client(&passphrase, None, None)?;
        self.sync = Some(SyncSchedule {
            passphrase,
            next: Instant::now(),
            when: Default::default(),
            running: false,
            live_next: Instant::now() + LIVE_EVERY,
            live: None,
        });
        Ok(())
    }

    /// Starts a pass of sending to the province when one is due and none is running.
    pub(in crate::ui) fn sync_if_due(&mut self, ctx: &egui::Context) {
        self.live_if_due(ctx);
        let Some(schedule) = &mut self.sync else { return };
        // One exchange at a time: a pass waits for a look at the stages to end.
        if schedule.running || schedule.live.is_some() {
            return;
        }
        let now = Instant::now();
        if now < schedule.next {
            ctx.request_repaint_after(schedule.next - now);
            return;
        }
        schedule.running = true;
        let passphrase = schedule.passphrase.clone();
        let ws = self.ws.clone();
        let progress = self.progress.clone();
        let started = self.spawn("dong-bo", "Đang gửi về Chi cục…", move || {
            let pass = ws.sync_client(&passphrase, None, None).and_then(|client| {
                let report = |done: usize, all: usize| {
                    let fraction = if all == 0 { 1.0 } else { done as f32 / all as f32 };
                    progress.store((fraction * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
                };
                ws.sync(&client, &passphrase, &report)
            });
            let end = crate::app::sync::pass_end(&pass);
            Some(Ok(JobDone::Synced(pass.map_err(|e| e.vi()), end)))
        });
        if let Err(e) = started {
            self.error = Some(e.vi());
        }
    }

    /// Tells the province the stages it has not heard, every few seconds between the passes
    /// (nothing is sent, and the key is not opened, when no stage changed).
    fn live_if_due(&mut self, ctx: &egui::Context) {
        let Some(schedule) = &mut self.sync else { return };
        if let Some(receiver) = &schedule.live {
            match receiver.try_recv() {
                Ok(result) => {
                    schedule.live = None;
                    self.live_told(result);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => ctx.request_repaint_after(LIVE_EVERY / 10),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => schedule.live = None,
            }
            return;
        }
        let now = Instant::now();
        if schedule.running || now < schedule.live_next {
            ctx.request_repaint_after(schedule.live_next.saturating_duration_since(now));
            return;
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        let passphrase = schedule.passphrase.clone();
        let ws = self.ws.clone();
        let spawned = std::thread::Builder::new().name("trang-thai".into()).spawn(move || {
            let pending = ws.pending_status().map(|p| !p.is_empty());
            let sent = match pending {
                Ok(false) => Ok(crate::app::live::LiveReport::default()),
                _ => ws.sync_client(&passphrase, None, None).and_then(|client| ws.send_status(&client)),
            };
            let _ = sender.send(sent.map_err(|e| e.vi()));
        });
        schedule.live_next = now + LIVE_EVERY;
        match spawned {
            Ok(_) => schedule.live = Some(receiver),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Live status was told: what the province answered shows on the case at once.
    fn live_told(&mut self, result: Result<crate::app::live::LiveReport, String>) {
        match result {
            Ok(report) if report.told > 0 => {
                self.index = self.ws.index_status();
                self.refresh_warnings();
                self.notice = Some(format!("Chi cục báo {} thông tin về đối tượng đang kiểm tra", report.told));
            }
            Ok(_) => {}
            // Not heard now: looked at again later (the next pass of sending says why).
            Err(_) => {
                if let Some(schedule) = &mut self.sync {
                    schedule.live_next = Instant::now() + LIVE_EVERY * 6;
                }
            }
        }
    }

    /// A pass ended: say what it did, and when the next one runs.
    pub(in crate::ui) fn synced(
        &mut self,
        result: Result<crate::app::sync::SyncReport, String>,
        end: crate::app::sync::PassEnd,
    ) {
        let Some(schedule) = &mut self.sync else { return };
        schedule.running = false;
        let wait = schedule.when.after(end);
        if let Some(wait) = wait {
            schedule.next = Instant::now() + wait;
        }
        match result {
            Ok(report) => {
                let mut text = format!(
                    "Chi cục đã nhận {} gói hồ sơ; {} vụ việc đã gửi từ trước",
                    report.uploaded, report.up_to_date
                );
                if !report.failed.is_empty() {
                    text.push_str(&format!("; {} vụ việc bị từ chối: {}", report.failed.len(), report.failed[0].1));
                }
                if let Some(law) = &report.law_applied {
                    text.push_str(&format!(
                        ". Đã nhận {} ({}); áp dụng khi mở lại chương trình",
                        law.label_vi(),
                        law.changes.join("; ")
                    ));
                }
                if let Some(why) = &report.law_refused {
                    text.push_str(&format!(". Không nhận gói quy định của Chi cục: {why}"));
                }
                self.notice = Some(text);
                if let Screen::Case(screen) = &self.screen {
                    let id = screen.view.case.id;
                    if let Err(e) = self.try_execute(Command::OpenCase(id)) {
                        self.error = Some(e.vi());
                    }
                }
                if report.index_entries.is_some() && self.ws.province_index().is_none() {
                    self.load_index();
                }
            }
            Err(message) => match wait {
                Some(wait) => self.error = Some(format!("{message} (thử lại sau {} giây)", wait.as_secs())),
                // A refusal that waiting will not cure (certificate, key): stop and say so.
                None => {
                    self.sync = None;
                    self.error = Some(message);
                }
            },
        }
        // The copy changed, even by a sync cut half-way: loaded again; else its dates as
        // the sync renewed them.
        if self.ws.index_outdated() {
            self.load_index();
        } else if self.ws.province_index().is_some() {
            self.index = self.ws.index_status();
        }
    }

    /// A package was built and written as `out.part`: its version is recorded, then it
    /// takes its name. If the version cannot be recorded the file is removed, so no package
    /// exists whose version this laptop does not know.
    pub(in crate::ui) fn package_written(&mut self, built: crate::app::packages::BuiltPackage, out: &Path) {
        match self.ws.finish_export(built, out) {
            Ok(exported) => {
                let again = if exported.new_version { "" } else { " (không đổi so với lần trước)" };
                self.notice =
                    Some(format!("Đã xuất gói hồ sơ phiên bản {}{again}: {}", exported.info.version, out.display()));
                if let Screen::Case(screen) = &self.screen {
                    let id = screen.view.case.id;
                    if let Err(e) = self.try_execute(Command::OpenCase(id)) {
                        self.error = Some(e.vi());
                    }
                }
            }
            Err(e) => self.error = Some(e.vi()),
        }
    }
}
