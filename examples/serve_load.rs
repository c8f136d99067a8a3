//! A load generator for `itaku serve`'s live answer (docs/robustness.md, "Third probe"): CLIENTS
//! clients, each its own session on one kept-alive connection, post the questionnaire's answers to
//! `/api/assess` for SECONDS, as the page's script does after each change. Prints requests per second,
//! the latency percentiles of the answered requests, the refusals (503 when the work in flight is full)
//! and errors; with `--pid PID` also the server's resident memory (VmRSS) at the start, its peak during
//! the run, and after IDLE seconds of quiet.
//!
//! ```sh
//! cargo build --release && target/release/itaku serve --addr 127.0.0.1:8080 &
//! cargo run --release --example serve_load -- 127.0.0.1:8080 50 20 --pid $! --idle 15
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ANSWERS: &[(&str, &str)] = &[
    ("name", "駐輪場利用申請の受付業務"),
    ("department", "土木部 交通安全自転車課"),
    ("statutory_staff_only", "false"),
    ("public_authority", "ancillary"),
    ("discretion", "rule_bound"),
    ("decision_steps", "利用承認の決定"),
    ("auxiliary_steps", "申請の受付\n入力"),
    ("routine_share", "90%"),
    ("difficulty", "2"),
    ("annual_cases", "12000"),
    ("co_located", "true"),
    ("escalation_to_staff", "true"),
    ("personal_data", "general"),
    ("staff_fte", "3"),
];

/// A response: status, headers (lower-case names) and body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

struct Conn {
    addr: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        s.set_nodelay(true)?;
        Ok(Conn {
            addr: addr.to_string(),
            reader: BufReader::new(s.try_clone()?),
            writer: s,
        })
    }

    /// One request on the kept-alive connection: status, headers (lower-case names) and body.
    fn send(&mut self, head: &str, body: &[u8]) -> std::io::Result<Answer> {
        let mut req = format!(
            "{head}Host: {}\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.writer.write_all(&req)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body)?;
        Ok((status, headers, body))
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    busy: u64,
    errors: u64,
}

fn client(addr: String, until: Instant, tally: Arc<Mutex<Tally>>) {
    let mut mine = Tally::default();
    let mut conn = None;
    let mut session: Option<(String, String)> = None;
    while Instant::now() < until {
        let c = match &mut conn {
            Some(c) => c,
            None => match Conn::open(&addr) {
                Ok(c) => conn.insert(c),
                Err(_) => {
                    mine.errors += 1;
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            },
        };
        if session.is_none() {
            match c.send("GET /new HTTP/1.1\r\n", b"") {
                Ok((200, headers, body)) => {
                    let cookie = headers
                        .iter()
                        .find(|(k, _)| k == "set-cookie")
                        .and_then(|(_, v)| v.split(';').next())
                        .unwrap_or_default()
                        .to_string();
                    let body = String::from_utf8_lossy(&body);
                    let token = body
                        .split("name=\"_token\" value=\"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .unwrap_or_default()
                        .to_string();
                    session = Some((cookie, token));
                }
                Ok((503, _, _)) => {
                    mine.busy += 1;
                    std::thread::sleep(Duration::from_millis(200));
                }
                _ => {
                    mine.errors += 1;
                    conn = None;
                }
            }
            continue;
        }
        let (cookie, token) = session.as_ref().unwrap();
        let mut pairs: Vec<(&str, &str)> = vec![("_token", token)];
        pairs.extend_from_slice(ANSWERS);
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        let head = format!(
            "POST /api/assess HTTP/1.1\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        );
        let started = Instant::now();
        match c.send(&head, body.as_bytes()) {
            Ok((200, _, _)) => mine.latencies.push(started.elapsed()),
            Ok((503, _, _)) => {
                mine.busy += 1;
                // As a browser would, honouring Retry-After loosely.
                std::thread::sleep(Duration::from_millis(200));
            }
            _ => {
                mine.errors += 1;
                conn = None;
            }
        }
    }
    let mut t = tally.lock().unwrap();
    t.latencies.extend(mine.latencies);
    t.busy += mine.busy;
    t.errors += mine.errors;
}

fn rss_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

fn threads(pid: u32) -> Option<u64> {
    rss_kib(pid, "Threads:")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let [addr, clients, seconds] = [0, 1, 2].map(|i| args.get(i).cloned());
    let (Some(addr), Some(clients), Some(seconds)) = (addr, clients, seconds) else {
        eprintln!("usage: serve_load ADDR CLIENTS SECONDS [--pid PID] [--idle SECONDS]");
        std::process::exit(2);
    };
    let clients: usize = clients.parse().expect("CLIENTS is a number");
    let seconds: u64 = seconds.parse().expect("SECONDS is a number");
    let pid = flag("--pid").map(|p| p as u32);
    let idle = flag("--idle").unwrap_or(15);

    let start_rss = pid.and_then(|p| rss_kib(p, "VmRSS:"));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = pid.map(|p| {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let (mut peak, mut peak_threads) = (0, 0);
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(rss_kib(p, "VmRSS:").unwrap_or(0));
                peak_threads = peak_threads.max(threads(p).unwrap_or(0));
                std::thread::sleep(Duration::from_millis(50));
            }
            (peak, peak_threads)
        })
    });
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let (addr, tally) = (addr.clone(), Arc::clone(&tally));
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || client(addr, until, tally))
                .unwrap()
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let peak = sampler.map(|s| s.join().unwrap());
    let mut t = tally.lock().unwrap();
    t.latencies.sort();
    let pct = |p: f64| {
        t.latencies
            .get(((t.latencies.len() as f64 * p) as usize).min(t.latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "clients {clients}, {seconds} s: {} answered ({:.0}/s), p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; {} refused busy (503), {} errors",
        t.latencies.len(),
        t.latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        t.latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        t.busy,
        t.errors
    );
    if let (Some(p), Some((peak, peak_threads))) = (pid, peak) {
        std::thread::sleep(Duration::from_secs(idle));
        let idle_rss = rss_kib(p, "VmRSS:").unwrap_or(0);
        println!(
            "server RSS: start {} MiB, peak {} MiB ({} threads at most), after {idle} s idle {} MiB ({} threads)",
            start_rss.unwrap_or(0) / 1024,
            peak / 1024,
            peak_threads,
            idle_rss / 1024,
            threads(p).unwrap_or(0)
        );
    }
}
