//! A real window under Xvfb: the release-shaped binary starts with no set-up, opens its
//! window on the demo unit, draws something, and stays up. The screenshot is kept in the
//! target directory (`window-smoke.png`) for people to look at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills a child process when dropped, so a failed assertion leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn screenshot_path() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("window-smoke.png")
}

#[test]
fn the_window_opens_under_xvfb_and_draws() {
    for tool in ["Xvfb", "xwininfo", "import", "convert"] {
        assert!(have(tool), "{tool} is missing: run .ci/run once, it installs xvfb, x11-utils and imagemagick");
    }
    let display = format!(":{}", 50 + std::process::id() % 200);
    let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
    let _xvfb = Guard(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("Xvfb", Duration::from_secs(10), || Path::new(&socket).exists());

    let data = tempfile::tempdir().unwrap();
    let mut app = Guard(
        Command::new(env!("CARGO_BIN_EXE_anchi"))
            .arg("--data-dir")
            .arg(data.path())
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_for("the anchi window", Duration::from_secs(60), || {
        let tree = Command::new("xwininfo").args(["-root", "-tree", "-display", &display]).output().unwrap();
        String::from_utf8_lossy(&tree.stdout).contains("anchi — Ấn chỉ điện tử")
            || String::from_utf8_lossy(&tree.stdout).contains("anchi")
    });
    // Give the first frames time to draw.
    std::thread::sleep(Duration::from_secs(3));
    assert!(app.0.try_wait().unwrap().is_none(), "the window process exited early");

    let shot = screenshot_path();
    let status = Command::new("import").args(["-display", &display, "-window", "root"]).arg(&shot).status().unwrap();
    assert!(status.success(), "screenshot failed");
    let stats =
        Command::new("convert").arg(&shot).args(["-format", "%[fx:standard_deviation] %k", "info:"]).output().unwrap();
    let stats = String::from_utf8(stats.stdout).unwrap();
    let mut parts = stats.split_whitespace();
    let deviation: f64 = parts.next().unwrap().parse().unwrap();
    let colours: u32 = parts.next().unwrap().parse().unwrap();
    // A blank or single-colour screen means nothing was drawn; text and a table give many shades.
    assert!(deviation > 0.05 && colours > 50, "screen looks empty: deviation {deviation}, {colours} colours");
    assert!(data.path().join("demo").join(anchi::store::DB_FILE).exists(), "the window opened no demo workspace");
}
