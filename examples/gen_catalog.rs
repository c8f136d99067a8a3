//! A deterministic synthetic catalog for benchmarks and stress tests.
//!
//! ```text
//! cargo run --release --example gen_catalog -- N SEED [yaml|jsonl] > catalog.jsonl
//! ```
//!
//! The same `N` and `SEED` always give the same bytes. Values follow the shape of a ward's catalog: mostly
//! routine clerical work, a minority of operations exercising public authority, a few statutory staff-only
//! duties, seasonal peaks, and about one operation in twelve with some facts left unknown.

#![recursion_limit = "256"]

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::io::{BufWriter, Write};

use synthetic::{operation, write_yaml};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen_catalog N SEED [yaml|jsonl]";
    let (Some(n), Some(seed)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1).and_then(|a| a.parse::<u64>().ok()),
    ) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let yaml = match args.get(2).map(String::as_str) {
        None | Some("jsonl") => false,
        Some("yaml") => true,
        Some(_) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let mut rng = fastrand::Rng::with_seed(seed);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = (|| -> std::io::Result<()> {
        if yaml {
            writeln!(out, "# synthetic catalog: gen_catalog {n} {seed}")?;
            writeln!(out, "operations:")?;
        }
        for i in 0..n {
            let map = operation(&mut rng, i);
            if yaml {
                write_yaml(&mut out, &map)?;
            } else {
                serde_json::to_writer(&mut out, &map)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()
    })();
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("gen_catalog: {e}");
            std::process::exit(1);
        }
    }
}
