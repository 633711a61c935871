//! The laptop's side of the hub API (`docs/hub-api.md`): HTTPS with rustls trusting only
//! the province's CA, every request signed with the device key, uploads resumed from the
//! server's offset after any cut, with exponential backoff and jitter between attempts.

use std::time::Duration;

use crate::domain::Bilingual;
use crate::protocol::{API, Auth, OFFSET_HEADER, Refusal, SignedIndex, SignedReceipt, StartUpload, Started};

/// How often and how patiently a failed exchange is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts after the first, for network failures and server errors.
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { attempts: 8, first_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30) }
    }
}

impl Retry {
    /// The wait before attempt `n` (1-based): doubling from `first_delay` up to
    /// `max_delay`, then a random half to full of it, so laptops do not retry in step.
    pub fn delay(&self, n: u32) -> Duration {
        let full = self.first_delay.saturating_mul(1u32 << n.saturating_sub(1).min(16)).min(self.max_delay);
        full.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

/// How a pass of sending to the province ended, for [`Schedule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassEnd {
    /// It ran (some cases may have been refused one by one).
    Done,
    /// The hub could not be reached: try again later.
    Unreachable,
    /// A refusal that waiting will not cure (certificate, key, settings): stop and say so.
    Refused,
}

/// When the next pass of sending runs, for every face that sends on its own (the window,
/// `anchi sync` without `--once`): `every` after a pass that ran; while the hub cannot be
/// reached, 30 s doubling to 10 minutes, each with jitter so laptops do not return in step;
/// never after a refusal that waiting will not cure.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub every: Duration,
    pub retry: Retry,
    failures: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            every: Duration::from_secs(300),
            retry: Retry {
                attempts: u32::MAX,
                first_delay: Duration::from_secs(30),
                max_delay: Duration::from_secs(600),
            },
            failures: 0,
        }
    }
}

impl Schedule {
    /// How long to wait before the next pass after one that ended so; `None`: stop.
    pub fn after(&mut self, end: PassEnd) -> Option<Duration> {
        match end {
            PassEnd::Done => {
                self.failures = 0;
                Some(self.every)
            }
            PassEnd::Unreachable => {
                self.failures += 1;
                Some(self.retry.delay(self.failures))
            }
            PassEnd::Refused => None,
        }
    }

    /// Passes in a row that could not reach the hub.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// Why an exchange with the hub failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The hub answered with a refusal.
    #[error("the hub refused ({status} {}): {}", refusal.error, refusal.message)]
    Refused { status: u16, refusal: Refusal },
    /// No answer (network down, hub stopped) after every retry.
    #[error("the hub cannot be reached: {0}")]
    Unreachable(String),
    /// The hub's certificate is not from the configured CA (or TLS failed).
    #[error("TLS: {0}")]
    Tls(String),
    /// The settings are wrong (English detail for the log).
    #[error("{0}")]
    Settings(String),
    /// The province's server address (`server.url`) or certificate (`server.ca`) is not set.
    #[error("{0} is not set (in the window: Gửi về Chi cục… → Máy chủ của Chi cục; or anchi config set {0} …)")]
    NotSet(&'static str),
    /// An answer that does not follow the protocol.
    #[error("unexpected answer from the hub: {0}")]
    Protocol(String),
}

impl Bilingual for SyncError {
    fn vi(&self) -> String {
        match self {
            SyncError::Refused { refusal, .. } => format!("Máy chủ tỉnh từ chối: {}", refusal_vi(&refusal.error)),
            SyncError::Unreachable(_) => "Không kết nối được máy chủ tỉnh; sẽ thử lại sau".into(),
            SyncError::Tls(_) => "Chứng chỉ của máy chủ không do Chi cục cấp (sai CA) — không gửi dữ liệu".into(),
            SyncError::Settings(_) => {
                "Thiết lập máy chủ của Chi cục chưa đúng (địa chỉ bắt đầu bằng https://, chứng chỉ là tệp Chi cục cấp): sửa ở “Gửi về Chi cục…” → “Máy chủ của Chi cục”".into()
            }
            SyncError::NotSet(setting) => format!(
                "Chưa có {} của Chi cục: nhập ở “Gửi về Chi cục…” → “Máy chủ của Chi cục”",
                if *setting == "server.url" { "địa chỉ máy chủ" } else { "chứng chỉ" }
            ),
            SyncError::Protocol(_) => "Máy chủ trả lời không đúng giao thức".into(),
        }
    }
}

fn refusal_vi(code: &str) -> &'static str {
    match code {
        "unknown_key" => "khóa của máy chưa được đăng ký",
        "revoked_key" => "khóa của máy đã bị thu hồi",
        "bad_signature" => "chữ ký không hợp lệ",
        "stale_request" => "đồng hồ của máy lệch quá 5 phút",
        "replayed_request" => "yêu cầu bị gửi lặp lại",
        "too_large" => "gói quá lớn",
        "conflict" => "gói cùng mã đã có với nội dung khác",
        "hash_mismatch" => "dữ liệu nhận được không khớp mã băm",
        "package_invalid" | "wrong_team" => "gói hồ sơ không hợp lệ",
        "case_owned" => "vụ việc này do đội khác gửi lên Chi cục",
        "version_conflict" => "phiên bản gói không nối tiếp phiên bản Chi cục đã nhận",
        _ => "lỗi khác",
    }
}

/// Counts of one upload, to show and to check resumption.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadStats {
    /// Bytes sent in chunks.
    pub sent: u64,
    /// Of those, bytes that had been sent before (resent after a cut).
    pub resent: u64,
    /// Network failures survived.
    pub cuts: u32,
}

/// The certificates of a PEM file (other items, such as keys, are skipped).
pub fn ca_certificates(pem: &[u8]) -> Vec<ureq::tls::Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect()
}

/// An HTTPS agent that trusts only the certificates in `ca_pem` and hands back every
/// answer, refusals included, for the caller to read.
pub fn agent(ca_pem: &[u8]) -> Result<ureq::Agent, SyncError> {
    let certs = ca_certificates(ca_pem);
    if certs.is_empty() {
        return Err(SyncError::Settings("server.ca holds no PEM certificate".into()));
    }
    let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build();
    Ok(ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into())
}

/// A connection to one hub as one device.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    key_id: String,
    secret: minisign::SecretKey,
    /// Bytes per chunk.
    pub chunk: usize,
    pub retry: Retry,
}

enum Failure {
    /// Worth trying again (no answer, server error).
    Transient(String),
    Final(SyncError),
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        Failure::Final(e)
    }
}

struct Answer {
    status: u16,
    offset: Option<u64>,
    body: Vec<u8>,
}

impl Answer {
    /// The body as text, for messages.
    fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

impl Client {
    /// A client for `url` (`https://…`) trusting only the certificates in `ca_pem`.
    pub fn new(url: &str, ca_pem: &[u8], key_id: &str, secret: minisign::SecretKey) -> Result<Client, SyncError> {
        if !url.starts_with("https://") {
            return Err(SyncError::Settings(format!("server.url must start with https:// (found {url:?})")));
        }
        let agent = agent(ca_pem)?;
        Ok(Client {
            agent,
            base: url.trim_end_matches('/').to_string(),
            key_id: key_id.to_string(),
            secret,
            chunk: 4 * 1024 * 1024,
            retry: Retry::default(),
        })
    }

    /// One signed request; the answer whatever its status, or why there was none.
    fn request(&self, method: &str, path: &str, body: &[u8], offset: Option<u64>) -> Result<Answer, Failure> {
        let time = chrono::Utc::now().timestamp();
        let auth = Auth::sign(&self.key_id, &self.secret, method, path, time, body).map_err(SyncError::Settings)?;
        let url = format!("{}{path}", self.base);
        let builder = match method {
            "POST" => self.agent.post(&url),
            "PATCH" => self.agent.patch(&url),
            _ => self.agent.get(&url).force_send_body(),
        };
        let mut builder = builder.header("authorization", auth.header());
        if let Some(offset) = offset {
            builder = builder.header(OFFSET_HEADER, offset.to_string());
        }
        let sent = builder.send(body);
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return Err(classify(e)),
        };
        let status = response.status().as_u16();
        let offset = response.headers().get(OFFSET_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .map_err(|e| Failure::Transient(format!("reading the answer: {e}")))?;
        if status >= 500 {
            return Err(Failure::Transient(format!("server error {status}: {}", String::from_utf8_lossy(&body))));
        }
        Ok(Answer { status, offset, body })
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are used up.
    fn with_retries<T>(
        &self,
        stats: &mut UploadStats,
        mut attempt: impl FnMut(&mut UploadStats) -> Result<T, Failure>,
    ) -> Result<T, SyncError> {
        let mut tries = 0;
        loop {
            match attempt(stats) {
                Ok(v) => return Ok(v),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Transient(why)) => {
                    tries += 1;
                    stats.cuts += 1;
                    if tries > self.retry.attempts {
                        return Err(SyncError::Unreachable(why));
                    }
                    std::thread::sleep(self.retry.delay(tries));
                }
            }
        }
    }

    /// Uploads a package (resuming where the hub is) and returns the hub's receipt.
    /// `progress` hears (bytes the hub has, total).
    pub fn upload(
        &self,
        package_id: &str,
        bytes: &[u8],
        progress: &dyn Fn(u64, u64),
    ) -> Result<(SignedReceipt, UploadStats), SyncError> {
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
        let start = StartUpload { package_id: package_id.to_string(), size: bytes.len() as u64, sha256 };
        let start_body = serde_json::to_vec(&start).expect("the start serialises");
        let mut stats = UploadStats::default();
        // The furthest byte ever sent, to count what is sent again after a cut.
        let mut high = 0u64;
        let receipt = self.with_retries(&mut stats, |stats| {
            let answer = self.request("POST", &format!("{API}/uploads"), &start_body, None)?;
            let (upload_id, mut offset) = match parse::<Started>(&answer, &[200, 201])? {
                Started::Stored { receipt } => return Ok(receipt),
                Started::Upload { upload_id, offset, .. } => (upload_id, offset),
            };
            let path = format!("{API}/uploads/{upload_id}");
            while offset < bytes.len() as u64 {
                progress(offset, bytes.len() as u64);
                let end = (offset as usize + self.chunk).min(bytes.len());
                let chunk = &bytes[offset as usize..end];
                stats.sent += chunk.len() as u64;
                stats.resent += high.min(end as u64).saturating_sub(offset);
                high = high.max(end as u64);
                let answer = self.request("PATCH", &path, chunk, Some(offset))?;
                offset = match (answer.status, answer.offset) {
                    (200, Some(now)) => now,
                    (409, Some(now)) => now,
                    _ => return Err(refusal(&answer).into()),
                };
            }
            progress(offset, bytes.len() as u64);
            let answer = self.request("POST", &format!("{path}/finish"), b"", None)?;
            Ok(parse::<SignedReceipt>(&answer, &[200])?)
        })?;
        Ok((receipt, stats))
    }

    /// The version of the law pack the province serves, if it serves one.
    pub fn law_version(&self) -> Result<Option<crate::protocol::ServedLawVersion>, SyncError> {
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("GET", &format!("{API}/law"), b"", None)?;
            if answer.status == 404 {
                return Ok(None);
            }
            Ok(Some(parse(&answer, &[200])?))
        })
    }

    /// The law pack the province serves, byte for byte (the laptop checks it whole).
    pub fn law_pack(&self) -> Result<Vec<u8>, SyncError> {
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("GET", &format!("{API}/law/pack"), b"", None)?;
            if answer.status != 200 {
                return Err(refusal(&answer).into());
            }
            Ok(answer.body)
        })
    }

    /// What changed in the national offender index since generation `since` (a provincial
    /// hub asking the national server): the signed `IndexDelta`.
    pub fn national_index(&self, since: i64) -> Result<SignedIndex, SyncError> {
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("GET", &format!("{API}/national-index/{since}"), b"", None)?;
            Ok(parse::<SignedIndex>(&answer, &[200])?)
        })
    }

    /// Tells the hub (or, from a hub, the national server) the cases' stages as they change
    /// (`POST /api/v1/status`); the answer is the signed entries it knows of those subjects.
    pub fn status(&self, events: &[crate::protocol::StatusEvent]) -> Result<SignedIndex, SyncError> {
        let body = serde_json::to_vec(events).expect("events serialise");
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("POST", &format!("{API}/status"), &body, None)?;
            Ok(parse::<SignedIndex>(&answer, &[200])?)
        })
    }

    /// Sends a provincial hub's statements of its teams' keys to the national server
    /// (`POST /api/v1/team-keys`): the answer is how many it took.
    pub fn vouch(&self, statements: &[crate::protocol::SignedStatement]) -> Result<u64, SyncError> {
        let body = serde_json::to_vec(statements).expect("statements serialise");
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("POST", &format!("{API}/team-keys"), &body, None)?;
            let taken: serde_json::Value = parse(&answer, &[200])?;
            Ok(taken["taken"].as_u64().unwrap_or_default())
        })
    }

    /// What changed in the province's offender index after generation `since`, a page at a
    /// time: the signed `IndexDelta`; None from a hub of before, which has no such page
    /// (404) and sends only the whole index ([`Client::offender_index`]).
    pub fn offender_changes(&self, since: u64) -> Result<Option<SignedIndex>, SyncError> {
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("GET", &format!("{API}/offender-index/{since}"), b"", None)?;
            if answer.status == 404 {
                return Ok(None);
            }
            Ok(Some(parse::<SignedIndex>(&answer, &[200])?))
        })
    }

    /// The province's whole offender index at once (a hub of before the index was sent by
    /// pages answers only this).
    pub fn offender_index(&self) -> Result<SignedIndex, SyncError> {
        let mut stats = UploadStats::default();
        self.with_retries(&mut stats, |_| {
            let answer = self.request("GET", &format!("{API}/offender-index"), b"", None)?;
            Ok(parse::<SignedIndex>(&answer, &[200])?)
        })
    }
}

fn parse<T: serde::de::DeserializeOwned>(answer: &Answer, ok: &[u16]) -> Result<T, SyncError> {
    if !ok.contains(&answer.status) {
        return Err(refusal(answer));
    }
    serde_json::from_slice(&answer.body).map_err(|e| SyncError::Protocol(format!("{e}: {}", answer.text())))
}

fn refusal(answer: &Answer) -> SyncError {
    match serde_json::from_slice::<Refusal>(&answer.body) {
        Ok(refusal) => SyncError::Refused { status: answer.status, refusal },
        Err(_) => SyncError::Protocol(format!("status {}: {}", answer.status, answer.text())),
    }
}

/// Certificate problems are final; anything else without an answer is worth a retry.
fn classify(e: ureq::Error) -> Failure {
    let text = e.to_string();
    // A connection cut mid-handshake is also a TLS error; only a refused certificate is final.
    let tls = matches!(e, ureq::Error::Pem(_))
        || ["certificate", "UnknownIssuer", "BadSignature", "NotValidForName"].iter().any(|w| text.contains(w));
    if tls { Failure::Final(SyncError::Tls(text)) } else { Failure::Transient(text) }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;

    #[test]
    fn a_pass_that_ran_waits_the_period_an_unreachable_hub_doubles_with_jitter_a_refusal_stops() {
        let mut s = Schedule::default();
        assert_eq!(s.after(PassEnd::Done), Some(Duration::from_secs(300)));
        let waits: Vec<Duration> = (0..7).map(|_| s.after(PassEnd::Unreachable).unwrap()).collect();
        for (n, wait) in waits.iter().enumerate() {
            let full = Duration::from_secs((30u64 << n).min(600));
            assert!(
                *wait >= full / 2 && *wait <= full,
                "attempt {}: {wait:?} not in [{:?}, {full:?}]",
                n + 1,
                full / 2
            );
        }
        assert_eq!(s.failures(), 7);
        assert_eq!(s.after(PassEnd::Done), Some(Duration::from_secs(300)), "back to the period");
        assert_eq!(s.failures(), 0);
        assert_eq!(s.after(PassEnd::Refused), None);
    }
}
