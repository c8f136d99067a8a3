//! A ward deployment (issue 21 point 4): a real nginx (Debian's `nginx`, started by the test on
//! loopback, not as a daemon, with every path in a temporary folder) asks for basic auth and passes the
//! logged-in user to `itaku serve --trust-user-header X-Remote-User --trusted-proxy 127.0.0.2 --users
//! FILE` in `X-Remote-User` (`proxy_set_header X-Remote-User $remote_user`), connecting from 127.0.0.2
//! (`proxy_bind`). itaku listens on 127.0.0.1, so a client that talks to it directly comes from
//! 127.0.0.1: not the proxy, and its header is refused.
//!
//! Without nginx (or openssl, which writes the htpasswd file) the test fails: CI installs both
//! (`.ci/run`).

use crate::support::server::{between, Response, Server};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USERS: &str = "\
policy_role: policy-staff
users:
  - user: tanaka
    department: 子ども・若者部 保育課
  - user: suzuki
    department: 財務部 課税課
  - user: sato
    role: policy-staff
";

/// Every login of the htpasswd file (the outsider can log in but is not in the users file).
pub(crate) const LOGINS: [(&str, &str); 4] = [
    ("tanaka", "hoiku-pass"),
    ("suzuki", "kazei-pass"),
    ("sato", "seisaku-pass"),
    ("outsider", "no-dept-pass"),
];

/// nginx in the foreground, killed when dropped.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) addr: String,
    dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port(ip: &str) -> u16 {
    std::net::TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn htpasswd(dir: &Path) -> std::path::PathBuf {
    let mut lines = String::new();
    for (user, password) in LOGINS {
        let out = Command::new("openssl")
            .args(["passwd", "-apr1", password])
            .output()
            .expect("openssl is installed (.ci/run installs it): it writes the htpasswd file");
        assert!(out.status.success(), "{out:?}");
        let hash = String::from_utf8(out.stdout).unwrap();
        assert!(hash.starts_with("$apr1$"), "{hash}");
        lines.push_str(&format!("{user}:{}\n", hash.trim()));
    }
    let path = dir.join("htpasswd");
    std::fs::write(&path, lines).unwrap();
    path
}

pub(crate) fn start_nginx(upstream: &str) -> Nginx {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("tmp")).unwrap();
    let passwords = htpasswd(d);
    let port = free_port("127.0.0.1");
    let addr = format!("127.0.0.1:{port}");
    let p = |name: &str| d.join(name).display().to_string();
    let conf = format!(
        r#"daemon off;
master_process off;
pid {pid};
error_log {error} info;
events {{ worker_connections 64; }}
http {{
    access_log {access};
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen {addr};
        auth_basic "itaku";
        auth_basic_user_file {passwords};
        location / {{
            proxy_pass http://{upstream};
            proxy_bind 127.0.0.2;
            proxy_set_header X-Remote-User $remote_user;
        }}
    }}
}}
"#,
        pid = p("nginx.pid"),
        error = p("error.log"),
        access = p("access.log"),
        tmp = p("tmp"),
        passwords = passwords.display(),
    );
    std::fs::write(d.join("nginx.conf"), conf).unwrap();
    let child = Command::new("nginx")
        .arg("-p")
        .arg(d)
        .arg("-c")
        .arg(d.join("nginx.conf"))
        .arg("-e")
        .arg(d.join("error.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx is installed (Debian's nginx; .ci/run installs it)");
    let mut nginx = Nginx { child, addr, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&nginx.addr).is_err() {
        if let Some(status) = nginx.child.try_wait().unwrap() {
            let log =
                std::fs::read_to_string(nginx.dir.path().join("error.log")).unwrap_or_default();
            panic!("nginx exited ({status}): {log}");
        }
        assert!(Instant::now() < deadline, "nginx did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Sends one request to `addr` and reads the whole answer.
fn send(addr: &str, request: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    let _ = s.read_to_end(&mut bytes);
    Response::parse(&bytes)
}

/// A user of the ward's login, talking to nginx.
pub(crate) struct Browser<'a> {
    nginx: &'a Nginx,
    auth: String,
    cookie: String,
    token: String,
}

impl<'a> Browser<'a> {
    pub(crate) fn login(nginx: &'a Nginx, user: &str) -> Browser<'a> {
        let password = LOGINS.iter().find(|(u, _)| *u == user).unwrap().1;
        let mut b = Browser {
            nginx,
            auth: base64(format!("{user}:{password}").as_bytes()),
            cookie: String::new(),
            token: String::new(),
        };
        let r = b.get("/new");
        assert_eq!(r.status, 200, "{user}: {}", r.body);
        b.cookie = r
            .header("set-cookie")
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        b.token = between(&r.body, "name=\"_token\" value=\"", "\"").to_string();
        b
    }

    fn get_with(&self, path: &str, extra: &str) -> Response {
        let cookie = if self.cookie.is_empty() {
            String::new()
        } else {
            format!("Cookie: {}\r\n", self.cookie)
        };
        send(
            &self.nginx.addr,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\n{cookie}{extra}Connection: close\r\n\r\n",
                self.nginx.addr, self.auth
            ),
        )
    }

    fn get(&self, path: &str) -> Response {
        self.get_with(path, "")
    }

    pub(crate) fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Response {
        let mut pairs = pairs.to_vec();
        pairs.push(("_token", &self.token));
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        send(
            &self.nginx.addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                self.nginx.addr, self.auth, self.cookie, body.len()
            ),
        )
    }

    /// Saves a new draft; its id.
    pub(crate) fn save(&self, id: &str, name: &str, department: &str) -> Response {
        self.post(
            "/new",
            &[
                ("_action", "save"),
                ("id", id),
                ("name", name),
                ("department", department),
                ("statutory_staff_only", "false"),
                ("public_authority", "ancillary"),
                ("discretion", "rule_bound"),
                ("routine_share", "90%"),
                ("difficulty", "2"),
                ("decision_steps", "利用承認の決定"),
                ("auxiliary_steps", "申請の受付\n入力"),
                ("co_located", "true"),
                ("escalation_to_staff", "true"),
                ("personal_data", "general"),
                ("annual_cases", "12000"),
                ("staff_fte", "3"),
            ],
        )
    }
}

pub(crate) fn users_file(dir: &Path) -> String {
    let path = dir.join("users.yaml");
    std::fs::write(&path, USERS).unwrap();
    path.display().to_string()
}

fn drafts_json(s: &Server) -> Vec<serde_json::Value> {
    let out = crate::support::itaku_en(&["drafts", "--json", "--drafts"])
        .arg(&s.drafts)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn behind_nginx_departments_see_their_own_drafts_and_policy_staff_review() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.yaml");
    std::fs::copy(
        crate::support::root().join("catalog/08_kodomo.yaml"),
        &catalog,
    )
    .unwrap();
    let users = users_file(dir.path());
    let s = Server::start(&[
        "--trust-user-header",
        "X-Remote-User",
        "--trusted-proxy",
        "127.0.0.2",
        "--users",
        &users,
        catalog.to_str().unwrap(),
    ]);
    let nginx = start_nginx(&s.addr);

    // Without the login nginx answers 401 and never reaches itaku.
    let r = send(
        &nginx.addr,
        &format!(
            "GET /drafts HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            nginx.addr
        ),
    );
    assert_eq!(r.status, 401);

    // Department A (保育課) and department B (課税課) each save a draft.
    let a = Browser::login(&nginx, "tanaka");
    let b = Browser::login(&nginx, "suzuki");
    let r = a.save(
        "hoiku-proxy-test",
        "保育料の口座振替受付",
        "子ども・若者部 保育課",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"saved\""), "{}", r.body);
    let r = b.save("kazei-proxy-test", "課税台帳の入力", "財務部 課税課");
    assert_eq!(r.status, 200, "{}", r.body);
    // A department user cannot save a draft for another department.
    let r = a.save("hoiku-as-kazei", "他部署の下書き", "財務部 課税課");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("自分の部署"), "{}", r.body);

    // The new form starts with the user's department; the navigation names the user.
    let r = a.get("/new");
    assert!(r.body.contains("子ども・若者部 保育課"), "{}", r.body);
    assert!(
        r.body.contains("tanaka (子ども・若者部 保育課)"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("href=\"/queue\""),
        "a department sees no review link"
    );

    // A sees only A's draft, and cannot open, save over or submit B's by URL.
    let r = a.get("/drafts");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("hoiku-proxy-test"), "{}", r.body);
    assert!(!r.body.contains("kazei-proxy-test"), "{}", r.body);
    let r = a.get("/new?from=kazei-proxy-test");
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body.contains("ほかの部署の下書きは開けません"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("課税台帳の入力"));
    let r = a.post(
        "/new",
        &[
            ("_action", "save"),
            ("_draft", "kazei-proxy-test"),
            ("name", "x"),
            ("department", "財務部 課税課"),
        ],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = a.post("/drafts/kazei-proxy-test/submit", &[]);
    assert_eq!(r.status, 403, "{}", r.body);
    // Nor review: the queue and its actions are the policy staff's.
    assert_eq!(a.get("/queue").status, 403);
    assert_eq!(a.post("/queue/hoiku-proxy-test/accept", &[]).status, 403);

    // A submits its own draft; the store records tanaka.
    let r = a.post("/drafts/hoiku-proxy-test/submit", &[]);
    assert_eq!(r.status, 200, "{}", r.body);

    // Policy staff see every draft and the queue; they return A's draft, A fixes and resubmits,
    // they accept it.
    let staff = Browser::login(&nginx, "sato");
    let r = staff.get("/drafts");
    assert!(r.body.contains("hoiku-proxy-test") && r.body.contains("kazei-proxy-test"));
    let r = staff.get("/queue");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("queue-hoiku-proxy-test"), "{}", r.body);
    let r = staff.post(
        "/queue/hoiku-proxy-test/return",
        &[("comment", "年間件数の根拠を書いてください")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = a.get("/drafts");
    assert!(
        r.body.contains("年間件数の根拠を書いてください"),
        "{}",
        r.body
    );
    let r = a.post("/drafts/hoiku-proxy-test/submit", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = staff.post("/queue/hoiku-proxy-test/accept", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"accepted\""), "{}", r.body);
    let written = std::fs::read_to_string(&catalog).unwrap();
    assert!(written.contains("id: \"hoiku-proxy-test\""), "{written}");
    // The server's catalog is read again at once: the browse pages show the accepted entry.
    let r = a.get("/ops/hoiku-proxy-test");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("保育料の口座振替受付"), "{}", r.body);
    let r = staff.get("/");
    assert!(r.body.contains("/ops/hoiku-proxy-test"), "{}", r.body);

    // Every action records the user who did it.
    let out = crate::support::itaku_en(&[
        "drafts",
        "hoiku-proxy-test",
        "--history",
        "--json",
        "--drafts",
    ])
    .arg(&s.drafts)
    .output()
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let who: Vec<(String, String)> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["who"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |a: &str, w: &str| (a.to_string(), w.to_string());
    assert_eq!(
        who,
        vec![
            expect("saved", "tanaka"),
            expect("submitted", "tanaka"),
            expect("returned", "sato"),
            expect("submitted", "tanaka"),
            expect("accepted", "sato"),
        ]
    );
    let drafts = drafts_json(&s);
    let kazei = drafts
        .iter()
        .find(|d| d["id"] == "kazei-proxy-test")
        .unwrap();
    assert_eq!(kazei["updated_by"], "suzuki");

    // A user who can log in but is not in the users file is refused with a page that says so.
    let r = Browser {
        nginx: &nginx,
        auth: base64(b"outsider:no-dept-pass"),
        cookie: String::new(),
        token: String::new(),
    }
    .get("/drafts");
    assert_eq!(r.status, 403);
    assert!(
        r.body.contains("この利用者は登録されていません"),
        "{}",
        r.body
    );

    // A header forged by the client and sent to the proxy is overwritten by nginx: outsider claiming
    // to be sato stays outsider (refused), tanaka claiming to be sato stays tanaka (no queue).
    let forged = "X-Remote-User: sato\r\n";
    let outsider = Browser {
        nginx: &nginx,
        auth: base64(b"outsider:no-dept-pass"),
        cookie: String::new(),
        token: String::new(),
    };
    assert_eq!(outsider.get_with("/queue", forged).status, 403);
    let r = a.get_with("/queue", forged);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("政策担当の職員だけ"), "{}", r.body);
    let r = a.get_with("/drafts", forged);
    assert!(!r.body.contains("kazei-proxy-test"), "{}", r.body);

    // The same header sent around the proxy, straight to itaku (from 127.0.0.1, not the proxy's
    // 127.0.0.2), is refused on every route, and so is a request with no user at all.
    for path in ["/", "/drafts", "/queue", "/new?from=kazei-proxy-test"] {
        let r = s.get_with_headers(path, forged);
        assert_eq!(r.status, 403, "{path}");
        assert!(
            r.body.contains("このアクセスは受け付けられません"),
            "{path}: {}",
            r.body
        );
        assert!(!r.body.contains("課税台帳"), "{path}");
        let r = s.get(path, None);
        assert_eq!(r.status, 403, "{path}");
        assert!(r.body.contains("ログインが必要です"), "{path}: {}", r.body);
    }
    let r = s.post_with_headers(
        "/queue/kazei-proxy-test/accept",
        "X-Remote-User: sato\r\n",
        b"_token=x",
    );
    assert_eq!(r.status, 403);
    // Nothing of B's changed.
    let drafts = drafts_json(&s);
    let kazei = drafts
        .iter()
        .find(|d| d["id"] == "kazei-proxy-test")
        .unwrap();
    assert_eq!(kazei["status"], "draft");
    // nginx really connected from 127.0.0.2 and passed the users (its access log names them).
    let log = std::fs::read_to_string(nginx.dir.path().join("access.log")).unwrap();
    assert!(log.contains(" tanaka ") && log.contains(" sato "), "{log}");
}

#[test]
fn a_broken_users_file_stops_the_server_with_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.yaml");
    std::fs::write(
        &users,
        "policy_role: policy-staff\nusers:\n  - user: tanaka\n    departmnt: 保育課\n",
    )
    .unwrap();
    let out = crate::support::itaku()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--trust-user-header",
            "X-Remote-User",
            "--users",
        ])
        .arg(&users)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("users.yaml:4:5"), "{err}");
    assert!(err.contains("`department` のことですか"), "{err}");
    // The header needs the users file.
    let out = crate::support::itaku()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--trust-user-header",
            "X-Remote-User",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
