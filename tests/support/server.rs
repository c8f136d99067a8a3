//! `itaku serve` started on a free loopback port for a test, and a minimal HTTP/1.1 client (one request
//! per connection), so that tests talk to the real server as a browser would.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    pub drafts: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `itaku serve` on the bundled catalog and rules with a fresh drafts directory.
    pub fn start(extra: &[&str]) -> Server {
        Server::spawn(extra, None)
    }

    /// Starts `itaku serve` as [`Server::start`] does, under an open-file limit (`ulimit -n`).
    pub fn start_with_open_files(extra: &[&str], files: u64) -> Server {
        Server::spawn(extra, Some(files))
    }

    fn spawn(extra: &[&str], files: Option<u64>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let drafts = dir.path().join("drafts");
        let mut command = Command::new(env!("CARGO_BIN_EXE_itaku"));
        if let Some(files) = files {
            use std::os::unix::process::CommandExt;
            // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: files,
                        rlim_max: files,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                });
            }
        }
        let mut child = command
            .current_dir(root())
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--as-of",
                "2026-04-01",
                "--drafts",
            ])
            .arg(&drafts)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("itaku serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("the server printed no address: {line:?}"))
            .to_string();
        Server {
            child,
            addr,
            drafts,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends a raw request (the bytes as given) and reads the whole response.
    pub fn raw(&self, request: &[u8]) -> Response {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        // The server may answer (413) and close before reading all of a large body.
        let _ = s.write_all(request);
        let mut bytes = Vec::new();
        let _ = s.read_to_end(&mut bytes);
        Response::parse(&bytes)
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
        self.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\n{cookie}Connection: close\r\n\r\n",
                self.addr
            )
            .as_bytes(),
        )
    }

    /// A GET with extra header lines (each ending in `\r\n`).
    pub fn get_with_headers(&self, path: &str, extra: &str) -> Response {
        self.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n",
                self.addr
            )
            .as_bytes(),
        )
    }

    /// A form POST with extra header lines (each ending in `\r\n`).
    pub fn post_with_headers(&self, path: &str, extra: &str, body: &[u8]) -> Response {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\n{extra}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.raw(&req)
    }

    pub fn post(&self, path: &str, cookie: Option<&str>, pairs: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        self.post_body(path, cookie, body.as_bytes())
    }

    pub fn post_body(&self, path: &str, cookie: Option<&str>, body: &[u8]) -> Response {
        let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.raw(&req)
    }

    /// A session: the cookie the server sets and the form token of its questionnaire page.
    pub fn session(&self) -> (String, String) {
        let r = self.get("/new", None);
        assert_eq!(r.status, 200);
        let cookie = r
            .header("set-cookie")
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let token = between(&r.body, "name=\"_token\" value=\"", "\"").to_string();
        (cookie, token)
    }
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the server to exit; its status, or `None` when it still runs.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn parse(bytes: &[u8]) -> Response {
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(bytes.len());
        let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
        let mut body = bytes.get(split + 4..).unwrap_or(&[]).to_vec();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .collect();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..eol]).trim().to_string();
        let Ok(n) = usize::from_str_radix(&size, 16) else {
            break;
        };
        let tail = &rest[eol + 2..];
        if n == 0 || tail.len() < n {
            break;
        }
        out.extend_from_slice(&tail[..n]);
        rest = tail[n..].strip_prefix(b"\r\n").unwrap_or(&tail[n..]);
    }
    out
}

/// The text between `start` and the next `end`.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not found"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}
