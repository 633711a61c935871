//! What bounds the hub's connections, time and disk against a stranger or a runaway client:
//! connections in all and per address (counted before the TLS handshake, refused ones closed
//! at once so the process never runs out of descriptors), the time a connection may stay
//! silent, the time a request body may take, and the uploads a team may leave open.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The hub's bounds, from `anchi-hub serve`'s options.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest package accepted.
    pub max_package_bytes: u64,
    /// Bytes a team may have in unfinished uploads at once (the sizes they declared).
    pub team_upload_bytes: u64,
    /// Unfinished uploads a team may have at once.
    pub team_open_uploads: usize,
    /// An upload not finished within this time is removed with its bytes.
    pub upload_expiry: Duration,
    /// Connections at once, in all (lowered to what the descriptor limit allows).
    pub max_connections: usize,
    /// Connections at once from one address.
    pub max_connections_per_ip: usize,
    /// How long a connection may stay silent: the TLS handshake, a request's headers, the
    /// wait for the next request on a kept-alive connection.
    pub idle: Duration,
    /// How long a request's body may take to arrive.
    pub body: Duration,
    /// Cases per page of the offender index a laptop is sent: what one request reads,
    /// signs and holds.
    pub index_page: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_package_bytes: 1024 * 1024 * 1024,
            team_upload_bytes: 4 * 1024 * 1024 * 1024,
            team_open_uploads: 32,
            upload_expiry: Duration::from_secs(7 * 24 * 3600),
            max_connections: 1024,
            max_connections_per_ip: 64,
            idle: Duration::from_secs(30),
            body: Duration::from_secs(300),
            index_page: 1000,
        }
    }
}

/// Descriptors kept for the database, package files and uploads being written.
const RESERVED_DESCRIPTORS: u64 = 64;

impl Limits {
    /// Raises the process's soft descriptor limit to its hard one and lowers
    /// `max_connections` to what it leaves room for. Returns the connections allowed.
    pub fn fit_descriptors(&mut self) -> usize {
        if let Some(available) = raise_descriptor_limit() {
            let room = available.saturating_sub(RESERVED_DESCRIPTORS).max(8);
            self.max_connections = self.max_connections.min(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self.max_connections_per_ip = self.max_connections_per_ip.min(self.max_connections);
        self.max_connections
    }
}

#[cfg(unix)]
fn raise_descriptor_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
    }
    #[allow(clippy::unnecessary_cast, reason = "rlim_t is u32 on some 32-bit systems")]
    Some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn raise_descriptor_limit() -> Option<u64> {
    None
}

/// Open connections, in all and per address.
#[derive(Debug)]
struct Counts {
    max: usize,
    per_ip: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One connection's place; given back when the connection closes.
#[derive(Debug)]
pub struct Slot {
    counts: Arc<Counts>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 -= 1;
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

/// The acceptor under TLS: counts a connection before its handshake and closes it at once
/// when there is no room, for all or for its address.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    counts: Arc<Counts>,
}

impl ConnectionLimit {
    pub fn new(limits: &Limits) -> ConnectionLimit {
        ConnectionLimit {
            counts: Arc::new(Counts {
                max: limits.max_connections,
                per_ip: limits.max_connections_per_ip,
                open: Mutex::default(),
            }),
        }
    }

    fn take(&self, ip: IpAddr) -> Result<Slot, &'static str> {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.0 >= self.counts.max {
            return Err("the server has its most connections open");
        }
        let mine = open.1.entry(ip).or_insert(0);
        if *mine >= self.counts.per_ip {
            return Err("this address has its most connections open");
        }
        *mine += 1;
        open.0 += 1;
        Ok(Slot { counts: self.counts.clone(), ip })
    }
}

impl<S> axum_server::accept::Accept<TcpStream, S> for ConnectionLimit {
    type Stream = Counted;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Counted, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let slot = stream
            .peer_addr()
            .map_err(|e| e.to_string())
            .and_then(|addr| self.take(addr.ip()).map_err(|why| format!("{why} ({})", addr.ip())));
        std::future::ready(match slot {
            Ok(slot) => {
                // Answers go out as they are written: without this, the last piece of an
                // answer can wait for the client's delayed acknowledgement (40 ms on Linux).
                let _ = stream.set_nodelay(true);
                Ok((Counted { stream, _slot: slot }, service))
            }
            // The stream is dropped here: closed before any TLS work.
            Err(why) => Err(io::Error::other(why)),
        })
    }
}

/// A connection holding its place.
#[derive(Debug)]
pub struct Counted {
    stream: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_in_all_and_per_address_and_given_back() {
        let limit =
            ConnectionLimit::new(&Limits { max_connections: 3, max_connections_per_ip: 2, ..Limits::default() });
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let first = limit.take(a).unwrap();
        let _second = limit.take(a).unwrap();
        assert!(limit.take(a).is_err(), "a third from one address");
        let _third = limit.take(b).unwrap();
        assert!(limit.take(b).is_err(), "a fourth in all");
        drop(first);
        assert!(limit.take(a).is_ok(), "a place given back is taken again");
    }
}
