//! A deterministic synthetic catalog for benchmarks and stress tests.
//!
//! ```text
//! cargo run --release --example gen_catalog -- N SEED [yaml|jsonl] [synthetic|bundled] > catalog.jsonl
//! ```
//!
//! `synthetic` (the default) generates operations; `bundled` gives the *bundled-like* workload: the
//! bundled catalog's 48 operations (`catalog/*.yaml`) repeated to `N`, copy `k` of an operation with the
//! id `ID-k` (`SEED` is not used). The same arguments always give the same bytes. Values follow the shape of a ward's catalog: mostly
//! routine clerical work, a minority of operations exercising public authority, a few statutory staff-only
//! duties, seasonal peaks, and about one operation in twelve with some facts left unknown.

#![recursion_limit = "256"]

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::io::{BufWriter, Write};

use synthetic::{operation, write_yaml};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen_catalog N SEED [yaml|jsonl] [synthetic|bundled]";
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
    let bundled = match args.get(3).map(String::as_str) {
        None | Some("synthetic") => None,
        Some("bundled") => Some(synthetic::bundled_operations()),
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
            match bundled {
                None => writeln!(out, "# synthetic catalog: gen_catalog {n} {seed}")?,
                Some(_) => writeln!(
                    out,
                    "# bundled-like catalog: gen_catalog {n} {seed} yaml bundled\nformat: 3"
                )?,
            }
            writeln!(out, "operations:")?;
        }
        for i in 0..n {
            let map = match &bundled {
                None => operation(&mut rng, i),
                Some(ops) => synthetic::bundled_like(ops, i),
            };
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
