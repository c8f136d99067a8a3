//! `itaku serve` against hostile clients (issue 21 point 5, issue 24 finding 1): a `Host` that is not
//! this server (DNS rebinding) refused on every route, a cross-origin POST refused, a thousand clients
//! holding half a request while a normal request still answers, silent connections closed by the header
//! timeout, SIGTERM that stops the server while a client holds half a request, and a live request with
//! thousands of unknown hazards answering a capped problem list.

use crate::support::server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use server::Server;

fn request(s: &Server, head: &str, body: &str) -> server::Response {
    s.raw(
        format!(
            "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

#[test]
fn a_foreign_host_is_refused_on_every_route() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let form = format!("_token={token}&name=x&department=y");
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/new"),
        ("GET", "/summary"),
        ("GET", "/ops/counter-back-office"),
        ("GET", "/assets/app.js"),
        ("POST", "/new"),
        ("POST", "/api/assess"),
    ] {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: evil.example\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        );
        let r = request(&s, &head, if method == "POST" { &form } else { "" });
        assert_eq!(r.status, 421, "{method} {path}");
        assert!(
            r.body.contains("このアドレスでは利用できません"),
            "{method} {path}"
        );
        assert!(
            r.header("set-cookie").is_none(),
            "{method} {path} gave a cookie"
        );
        assert!(!r.body.contains("_token"), "{method} {path} gave a token");
        // The same with the port of the server and a name that merely starts like an allowed one.
        let port = s.addr.rsplit(':').next().unwrap();
        for host in [
            format!("evil.example:{port}"),
            format!("localhost.evil.example:{port}"),
        ] {
            let head = head.replace("evil.example", &host);
            let r = request(&s, &head, if method == "POST" { &form } else { "" });
            assert_eq!(r.status, 421, "{method} {path} Host: {host}");
        }
    }
    // Nothing was saved through the foreign host: the store (opened at start-up) holds no draft.
    let listed = crate::support::itaku_en(&["drafts", "--json", "--drafts"])
        .arg(&s.drafts)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
    let drafts: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(drafts.as_array().map(Vec::len), Some(0), "{drafts}");
    // The loopback names with the port are this server; English on request.
    let port = s.addr.rsplit(':').next().unwrap();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = request(&s, &format!("GET / HTTP/1.1\r\nHost: {host}\r\n"), "");
        assert_eq!(r.status, 200, "{host}");
    }
    let r = request(&s, "GET /?lang=en HTTP/1.1\r\nHost: evil.example\r\n", "");
    assert!(r.body.contains("--allow-host"), "{}", r.body);

    // --allow-host names another host (the name a reverse proxy passes on, say).
    let s = Server::start(&["--allow-host", "itaku.ward.example"]);
    let port = s.addr.rsplit(':').next().unwrap();
    let r = request(
        &s,
        &format!("GET /new HTTP/1.1\r\nHost: itaku.ward.example:{port}\r\n"),
        "",
    );
    assert_eq!(r.status, 200);
    let r = request(&s, "GET /new HTTP/1.1\r\nHost: evil.example\r\n", "");
    assert_eq!(r.status, 421);
}

#[test]
fn a_post_from_another_origin_is_refused() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let form = format!("_token={token}&name=%E5%8F%97%E4%BB%98&department=x");
    let post = |extra: &str| {
        request(
            &s,
            &format!(
                "POST /api/assess HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n{extra}",
                s.addr
            ),
            &form,
        )
    };
    let own = format!("Origin: http://{}\r\n", s.addr);
    assert_eq!(post(&own).status, 200);
    assert_eq!(
        post(&format!("{own}Sec-Fetch-Site: same-origin\r\n")).status,
        200
    );
    // Without either header (a script): the token alone decides.
    assert_eq!(post("").status, 200);
    for bad in [
        "Origin: http://evil.example\r\n".to_string(),
        "Origin: null\r\n".to_string(),
        format!("Origin: https://{}\r\n", s.addr),
        "Sec-Fetch-Site: cross-site\r\n".to_string(),
        format!("{own}Sec-Fetch-Site: same-site\r\n"),
    ] {
        let r = post(&bad);
        assert_eq!(r.status, 403, "{bad}");
        assert!(
            r.body.contains("ほかのサイトからの送信は受け付けません"),
            "{bad}"
        );
    }
}

/// Connects and sends the start of a request head, never its end.
fn half_sent(addr: &str) -> TcpStream {
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes())
        .unwrap();
    c
}

#[test]
fn a_thousand_half_sent_requests_do_not_stop_service() {
    // The probe's conditions: 1,100 clients holding half a request head, under `ulimit -n 1024`.
    let s = Server::start_with_open_files(&[], 1024);
    let started = Instant::now();
    let held: Vec<TcpStream> = (0..1100).map(|_| half_sent(&s.addr)).collect();
    assert_eq!(held.len(), 1100);
    // A normal request answers at once, well before the header timeout (10 s) frees anything: the
    // oldest half-sent connection makes room.
    let asked = Instant::now();
    let r = s.get("/summary", None);
    assert_eq!(r.status, 200);
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        asked.elapsed()
    );
    // And keeps answering, the live assessment included.
    let (cookie, token) = s.session();
    let r = s.post(
        "/api/assess",
        Some(&cookie),
        &[("_token", &token), ("name", "受付")],
    );
    assert_eq!(r.status, 200);
    drop(held);
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_silent_connection_is_closed_after_the_header_timeout() {
    let s = Server::start(&[]);
    let mut c = half_sent(&s.addr);
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(8) && waited < Duration::from_secs(20),
        "closed after {waited:?}"
    );
    // A client that sends its body slowly is answered 408 once the request time limit passes; the
    // server answers others meanwhile.
    assert_eq!(s.get("/", None).status, 200);
}

#[test]
fn sigterm_stops_the_server_while_a_client_holds_half_a_request() {
    for signal in ["-TERM", "-INT"] {
        let mut s = Server::start(&[]);
        let _head = half_sent(&s.addr);
        // And one that sent its head and half of its body.
        let mut body = TcpStream::connect(&s.addr).unwrap();
        body.write_all(
            format!(
                "POST /api/assess HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n_token=",
                s.addr
            )
            .as_bytes(),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let sent = std::process::Command::new("kill")
            .args([signal, &s.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let started = Instant::now();
        let status = s.wait_exit(Duration::from_secs(10));
        assert!(status.is_some(), "{signal}: still running after 10 s");
        assert_eq!(status.unwrap().code(), Some(0), "{signal}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{signal}: stopped after {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn thousands_of_unknown_hazards_answer_a_capped_problem_list() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    // Six thousand names, one a line (as the hazard boxes arrive joined), within the body limit.
    let hazards: Vec<String> = (0..6000).map(|i| format!("h{i}")).collect();
    let form = serde_urlencoded::to_string([
        ("_token", token.as_str()),
        ("name", "受付"),
        ("hazards", &hazards.join("\n")),
    ])
    .unwrap();
    let r = s.post_body("/api/assess", Some(&cookie), form.as_bytes());
    assert_eq!(r.status, 200);
    assert!(r.body.len() < 64 * 1024, "{} bytes", r.body.len());
    assert!(r.body.contains("h0"), "the first problems are listed");
    assert!(!r.body.contains("h5999"));
    assert!(r.body.contains("ほか"), "the rest are counted");
}
