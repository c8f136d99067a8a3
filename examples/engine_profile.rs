//! Evaluates the standard rules on generated operations in a loop, for a profiler:
//! `cargo run --release --example engine_profile -- [compiled|interpreted] [N] [ROUNDS]`.
//! Prints microseconds per operation and the number of operations a compiled rule handed to the
//! interpreter.

#![recursion_limit = "256"]

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::sync::Arc;

use itaku::catalog::parse_jsonl_str;
use itaku::rules::{CompiledRules, EngineKind, RuleSet};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = match args.get(1).map(String::as_str) {
        Some("interpreted") => EngineKind::Interpreted,
        _ => EngineKind::Compiled,
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let set = RuleSet::load_dir(dir).expect("standard rules load");
    let rules = CompiledRules::compile(Arc::new(set), jiff::civil::date(2026, 4, 1))
        .expect("standard rules compile")
        .with_engine(kind);
    let catalog = parse_jsonl_str("synthetic.jsonl", &synthetic::jsonl(n, 7)).catalog;
    let mut best = f64::MAX;
    let mut sink = 0;
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        for op in &catalog.operations {
            sink += rules.evaluate(op).checklist.len();
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    println!(
        "{kind:?}: {best:.2} µs per operation (best of {rounds} rounds of {n}); {} bails; {} compiled steps per operation; {sink}",
        itaku::rules::bails_on_this_thread(),
        itaku::rules::steps_on_this_thread() / (n * rounds) as u64
    );
}
