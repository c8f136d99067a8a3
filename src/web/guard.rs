//! What every request passes before a page is made: the `Host` it names must be this server (a
//! loopback name or the bound address, or one allowed with `--allow-host`), so that another web page
//! cannot reach the application through DNS rebinding; a POST must come from this origin (`Origin`, and
//! `Sec-Fetch-Site` when the browser sends it); the work in flight is bounded (a request that finds no
//! room within [`QUEUE_WAIT`] gets 503 with `Retry-After`); and a request that takes longer than
//! [`REQUEST_TIMEOUT`] (a body sent slowly, say) is answered 408. The connection-level limits (header
//! and idle timeouts, the number of connections, shutdown) are in `server.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tokio::sync::Semaphore;

use itaku::Lang;

use super::page::{self, Message};

/// Requests handled at once; more wait up to [`QUEUE_WAIT`] for a place, then get 503.
pub const IN_FLIGHT: usize = 64;

/// How long a request waits for a place among the [`IN_FLIGHT`] ones before 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// The longest a request may take from its head to its answer, its body included (408 after).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// What the guard checks requests against.
pub struct Guard {
    /// `Host` values accepted (lower case): `name:port`, and `name` alone when the port is 80.
    hosts: Vec<String>,
    /// The work in flight.
    work: Semaphore,
}

impl Guard {
    /// The hosts of a server bound to `addr`: the loopback names with its port, the bound address
    /// itself (unless it is the unspecified address), and each of `allowed` (with the port, or as
    /// given when it names one).
    pub fn new(addr: SocketAddr, allowed: &[String]) -> Guard {
        let port = addr.port();
        let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()];
        if !addr.ip().is_unspecified() {
            names.push(match addr {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            });
        }
        let mut hosts = Vec::new();
        for name in names.iter().chain(allowed) {
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            if has_port(&name) {
                hosts.push(name);
                continue;
            }
            hosts.push(format!("{name}:{port}"));
            if port == 80 {
                hosts.push(name);
            }
        }
        hosts.sort();
        hosts.dedup();
        Guard {
            hosts,
            work: Semaphore::new(IN_FLIGHT),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    /// True when a POST may come from where its headers say it comes from: `Origin`, when present, is
    /// `http://` and an accepted host; `Sec-Fetch-Site`, when present, is `same-origin` (or `none`, a
    /// request the user made by hand). A client that sends neither (a script, an old browser) passes:
    /// the form token still binds the POST to a session.
    fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let ok = origin
                .to_str()
                .ok()
                .and_then(|o| o.strip_prefix("http://"))
                .is_some_and(|h| self.host_allowed(h));
            if !ok {
                return false;
            }
        }
        match headers.get("sec-fetch-site").map(|v| v.to_str()) {
            None => true,
            Some(Ok(site)) => matches!(site.trim(), "same-origin" | "none"),
            Some(Err(_)) => false,
        }
    }
}

fn has_port(name: &str) -> bool {
    match name.rsplit_once(':') {
        // `[::1]` has colons inside its brackets; its port comes after `]`.
        Some((before, port)) => {
            (!before.contains('[') || before.ends_with(']'))
                && !port.contains(']')
                && port.parse::<u16>().is_ok()
        }
        None => false,
    }
}

/// The router with the guard and the request timeout in front of it.
pub fn apply(router: Router, guard: Arc<Guard>) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(guard, check))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
}

fn lang_of(request: &Request) -> Lang {
    let en = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "lang=en"));
    if en {
        Lang::En
    } else {
        Lang::Ja
    }
}

async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let lang = lang_of(&request);
    // HTTP/1.1 requires `Host`; a request in absolute form names its host in the target instead.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if !host.is_some_and(|h| guard.host_allowed(&h)) {
        return page::error(StatusCode::MISDIRECTED_REQUEST, lang, Message::WrongHost);
    }
    if request.method() == Method::POST && !guard.origin_allowed(request.headers()) {
        return page::error(StatusCode::FORBIDDEN, lang, Message::CrossOrigin);
    }
    // The stylesheet and the script cost nothing to serve: they never wait for a place.
    if request.uri().path().starts_with("/assets/") {
        return next.run(request).await;
    }
    // A body is read whole before the request takes a place: a client that sends its body slowly
    // holds a connection (bounded by the request timeout), never a place among the work in flight.
    let request = if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        match http_body_util::BodyExt::collect(http_body_util::Limited::new(
            body,
            super::BODY_LIMIT,
        ))
        .await
        {
            Ok(collected) => {
                Request::from_parts(parts, axum::body::Body::from(collected.to_bytes()))
            }
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return page::error(StatusCode::PAYLOAD_TOO_LARGE, lang, Message::TooLarge);
            }
            Err(_) => return page::error(StatusCode::BAD_REQUEST, lang, Message::BadRequest),
        }
    } else {
        request
    };
    let permit = match tokio::time::timeout(QUEUE_WAIT, guard.work.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            let mut busy = page::error(StatusCode::SERVICE_UNAVAILABLE, lang, Message::Busy);
            busy.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            return busy;
        }
    };
    let response = next.run(request).await;
    drop(permit);
    super::memory::request_done();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_the_loopback_names_the_bound_address_and_the_allowed_ones() {
        let g = Guard::new(
            "127.0.0.1:8080".parse().unwrap(),
            &["Itaku.Ward.Local".into()],
        );
        for ok in [
            "localhost:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "LOCALHOST:8080",
            "itaku.ward.local:8080",
        ] {
            assert!(g.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost",
            "localhost:8081",
            "127.0.0.1",
            "localhost.evil.example:8080",
            "",
        ] {
            assert!(!g.host_allowed(bad), "{bad}");
        }
        let g = Guard::new("0.0.0.0:80".parse().unwrap(), &["proxy.local:8443".into()]);
        assert!(g.host_allowed("localhost"));
        assert!(g.host_allowed("proxy.local:8443"));
        assert!(!g.host_allowed("0.0.0.0:80"));
        assert!(!g.host_allowed("proxy.local"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_beyond_the_bound_gets_503_with_retry_after() {
        use tower::ServiceExt;
        let slow = Router::new().route(
            "/",
            axum::routing::get(|| async {
                tokio::time::sleep(QUEUE_WAIT + Duration::from_secs(1)).await;
                "done"
            }),
        );
        let app = apply(
            slow,
            Arc::new(Guard::new("127.0.0.1:8080".parse().unwrap(), &[])),
        );
        let ask = |app: Router| async move {
            let request = Request::builder()
                .uri("/")
                .header(header::HOST, "127.0.0.1:8080")
                .body(axum::body::Body::empty())
                .unwrap();
            app.oneshot(request).await.unwrap()
        };
        let held: Vec<_> = (0..IN_FLIGHT)
            .map(|_| tokio::spawn(ask(app.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = std::time::Instant::now();
        let refused = ask(app.clone()).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "2");
        assert!(started.elapsed() >= QUEUE_WAIT - Duration::from_millis(100));
        for h in held {
            assert_eq!(h.await.unwrap().status(), StatusCode::OK);
        }
        // Room again once they are done.
        assert_eq!(ask(app).await.status(), StatusCode::OK);
    }

    #[test]
    fn posts_from_another_origin_are_refused() {
        let g = Guard::new("127.0.0.1:8080".parse().unwrap(), &[]);
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        assert!(g.origin_allowed(&headers(&[])));
        assert!(g.origin_allowed(&headers(&[("origin", "http://localhost:8080")])));
        assert!(g.origin_allowed(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!g.origin_allowed(&headers(&[("origin", "http://evil.example")])));
        assert!(!g.origin_allowed(&headers(&[("origin", "null")])));
        assert!(!g.origin_allowed(&headers(&[("origin", "https://localhost:8080")])));
        assert!(!g.origin_allowed(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!g.origin_allowed(&headers(&[("sec-fetch-site", "same-site")])));
    }
}
