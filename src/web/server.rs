//! The accept loop of `itaku serve` (instead of `axum::serve`, which has no timeouts): HTTP/1.1 with a
//! header timeout that is also the idle timeout of a kept-alive connection ([`HEADER_TIMEOUT`]), a
//! bounded number of connections (derived from the open-file limit), and a shutdown that waits at most
//! [`SHUTDOWN_GRACE`] for requests being answered, whatever clients do.
//!
//! When the connections are at their bound, a new one is accepted and the oldest connection that is not
//! in the middle of a request being answered (a client that sent half a request head, or an idle
//! kept-alive connection) is closed to make room: a thousand clients that send half a request and wait
//! cannot keep anybody else out. Connections whose request is being answered are bounded by
//! [`super::guard::REQUEST_TIMEOUT`].

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// The time a client has to send a request head once the server waits for one: on a new connection
/// and between the requests of a kept-alive one. Closed after.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stopping server waits for the requests being answered.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The most connections held at once (the open-file limit, less room for files and the listener).
pub const MAX_CONNECTIONS: usize = 1024;

/// The connections bound under the process's open-file limit: up to [`MAX_CONNECTIONS`], leaving 64
/// descriptors for the drafts, the catalog and the accept that comes before making room.
pub fn connection_limit() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes the limit into the struct given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let soft = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            return soft.saturating_sub(64).clamp(16, MAX_CONNECTIONS);
        }
    }
    256
}

struct Conn {
    /// Requests of this connection being answered.
    busy: Arc<AtomicUsize>,
    evict: Arc<Notify>,
}

#[derive(Default)]
struct Registry {
    next: u64,
    open: BTreeMap<u64, Conn>,
}

/// Serves `app` on `listener` until `stop` resolves; then stops accepting, lets the requests being
/// answered finish for at most [`SHUTDOWN_GRACE`], and returns (the connections left are dropped with
/// the runtime).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limit = connection_limit();
    super::memory::start();
    let registry = Arc::new(Mutex::new(Registry::default()));
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of descriptors or a connection reset before it was accepted: try again shortly
                // rather than spin.
                eprintln!("itaku serve: accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let busy = Arc::new(AtomicUsize::new(0));
        let evict = Arc::new(Notify::new());
        let id = {
            let mut r = registry.lock().unwrap_or_else(|e| e.into_inner());
            let id = r.next;
            r.next += 1;
            r.open.insert(
                id,
                Conn {
                    busy: Arc::clone(&busy),
                    evict: Arc::clone(&evict),
                },
            );
            if r.open.len() > limit {
                let victim = r
                    .open
                    .iter()
                    .find(|(k, c)| **k != id && c.busy.load(Ordering::SeqCst) == 0)
                    .map(|(k, _)| *k);
                match victim.and_then(|k| r.open.remove(&k)) {
                    Some(c) => c.evict.notify_one(),
                    // Every other connection is answering a request: this one waits its turn no more.
                    None => {
                        r.open.remove(&id);
                        continue;
                    }
                }
            }
            id
        };
        let app = app.clone();
        let registry = Arc::clone(&registry);
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
                // Who connected: the identity check trusts a user header only from a proxy.
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                let app = app.clone();
                let busy = Arc::clone(&busy);
                async move {
                    let _answering = Busy::new(busy);
                    app.oneshot(request).await
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(64 * 1024);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            let mut graceful = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    () = evict.notified() => break,
                    changed = closing.changed(), if !graceful => {
                        graceful = true;
                        let _ = changed;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            registry
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .open
                .remove(&id);
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while tokio::time::Instant::now() < deadline {
        // Only requests being answered are waited for; idle connections and clients still sending
        // a request head are simply dropped.
        let answering = registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .open
            .values()
            .any(|c| c.busy.load(Ordering::SeqCst) > 0);
        if !answering {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Counts a request being answered on its connection for as long as it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn new(n: Arc<AtomicUsize>) -> Busy {
        n.fetch_add(1, Ordering::SeqCst);
        Busy(n)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
