//! The province's pages in a real headless Chromium (Debian's `chromium`, driven through
//! `chromedriver`), in an English browser locale: login, the morning page, a filter with a
//! date typed dd/mm/yyyy, a search without accents, a case page, the statistics with their
//! chart, an officer refused the administrator's page. Screenshots are kept under
//! `target/tmp/province-view/`.

use std::net::TcpListener;

use base64::Engine as _;
use fantoccini::{Client, ClientBuilder, Locator};

use super::province_view::{listed, province_row};
use super::*;
use anchi::domain::text::fold;

/// chromedriver on a free loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver, installed by ./test)");
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not listen on {port}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The base64 SHA-256 of the server certificate's public key: Chromium trusts that key
/// alone (the test CA is not in its store), as `--ignore-certificate-errors-spki-list` says.
fn spki_pin(pki: &Pki) -> String {
    use sha2::Digest;
    let key = rcgen::KeyPair::from_pem(&std::fs::read_to_string(&pki.key).unwrap()).unwrap();
    base64::engine::general_purpose::STANDARD
        .encode(sha2::Sha256::digest(rcgen::PublicKeyData::subject_public_key_info(&key)))
}

pub async fn browser(driver: &Driver, pki: &Pki, profile: &Path) -> Client {
    let args = serde_json::json!([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1366,768",
        "--lang=en-US",
        format!("--user-data-dir={}", profile.display()),
        format!("--ignore-certificate-errors-spki-list={}", spki_pin(pki)),
    ]);
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "chrome".into());
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"binary": "/usr/bin/chromium", "args": args, "prefs": {"intl.accept_languages": "en-US"}}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// Where the screenshots are kept.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("province-view");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(artefacts().join(format!("{name}.png")), png).unwrap();
}

/// Clicks what submits a form and waits for the page it leads to to be loaded (chromedriver
/// may answer the click before the navigation ends).
pub async fn submit(client: &Client, button: &str) {
    let before = client.current_url().await.unwrap();
    client.find(Locator::Css(button)).await.unwrap().click().await.unwrap();
    for _ in 0..200 {
        if client.current_url().await.unwrap() != before {
            let state = client.execute("return document.readyState", vec![]).await.unwrap();
            if state == "complete" {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{button} on {before} led nowhere");
}

async fn log_in(client: &Client, hub: &Hub, user: &str) {
    client.goto(&format!("{}/login", hub.url())).await.unwrap();
    client.find(Locator::Css("input[name=user]")).await.unwrap().send_keys(user).await.unwrap();
    client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(STAFF_PASSWORD).await.unwrap();
    submit(client, "form button").await;
}

pub async fn heading(client: &Client) -> String {
    client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap()
}

/// Drives the pages as a leader and an officer would; `expected` are the morning page's
/// province numbers counted from the store, `team_two` the second team's cases, `folded`
/// a subject's name without accents and its case id.
pub async fn walk(hub: &Hub, pki: &Pki, expected: &[usize], team_two: usize, folded: (&str, uuid::Uuid)) {
    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, pki, profile.path()).await;

    log_in(&client, hub, "lanhdao").await;
    assert_eq!(heading(&client).await, "Tình hình vụ việc sáng nay");
    let source = client.source().await.unwrap();
    assert_eq!(province_row(&source), expected, "the morning page's numbers in the browser");
    shot(&client, "1-morning").await;

    // A filter: a team, and a date typed dd/mm/yyyy in an English browser.
    client.goto(&format!("{}/cases", hub.url())).await.unwrap();
    client.find(Locator::Css("select[name=team]")).await.unwrap().select_by_value("DEMO-LS-D2").await.unwrap();
    client.find(Locator::Css("input[name=from]")).await.unwrap().send_keys("01/01/2000").await.unwrap();
    submit(&client, "form.filters button").await;
    let source = client.source().await.unwrap();
    let url = client.current_url().await.unwrap();
    assert_eq!(listed(&source), team_two, "the second team's cases since 01/01/2000 ({url})");
    let typed = client.find(Locator::Css("input[name=from]")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("01/01/2000"), "the date stays as typed");
    shot(&client, "2-filter").await;

    // A search without accents, then the case page.
    client.goto(&format!("{}/cases", hub.url())).await.unwrap();
    client.find(Locator::Css("input[name=q]")).await.unwrap().send_keys(folded.0).await.unwrap();
    submit(&client, "form.filters button").await;
    submit(&client, &format!("a[href=\"/cases/{}\"]", folded.1)).await;
    assert_eq!(fold(&heading(&client).await), folded.0);
    let source = client.source().await.unwrap();
    assert!(source.contains("Văn bản") && source.contains("Tải PDF"));
    shot(&client, "3-case").await;

    // The statistics with their chart.
    client.goto(&format!("{}/stats", hub.url())).await.unwrap();
    client.find(Locator::Css("select[name=kind]")).await.unwrap().select_by_value("year").await.unwrap();
    submit(&client, "form.filters button").await;
    assert!(heading(&client).await.starts_with("Thống kê năm "));
    let chart = client.find(Locator::Css("svg rect")).await.unwrap();
    assert!(chart.attr("width").await.unwrap().is_some_and(|w| w.parse::<f64>().unwrap() > 0.0));
    shot(&client, "4-statistics").await;

    // An officer is refused the administrator's page.
    client.delete_all_cookies().await.unwrap();
    log_in(&client, hub, "chicuc").await;
    client.goto(&format!("{}/admin", hub.url())).await.unwrap();
    assert_eq!(heading(&client).await, "Không được phép");
    shot(&client, "5-officer-refused").await;
    client.close().await.unwrap();
}
