//! Evaluates the standard rules on generated operations in a loop, for a profiler:
//! `cargo run --release --example engine_profile -- [compiled|interpreted] [N] [ROUNDS] [assess] [bundled]`.
//! Prints microseconds per operation and the number of operations a compiled rule handed to the
//! interpreter. With `assess`, each operation's whole assessment is built (`assess_operation`), not
//! only its evaluation; with `bundled`, the operations are the bundled-like workload (issue 27: the
//! bundled catalog's operations repeated) instead of the generator's. The measured work is in `work`, so that a profiler can count it alone
//! (`valgrind --tool=callgrind --toggle-collect='*engine_profile*work*' …`).

#![recursion_limit = "256"]

// The allocator of the `itaku` binary (src/main.rs), so that the numbers are those of what ships.
#[global_allocator]
static GLOBAL: itaku::heap::Counting<mimalloc::MiMalloc> =
    itaku::heap::Counting(mimalloc::MiMalloc);

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::sync::Arc;

use itaku::catalog::{parse_jsonl_str, Operation};
use itaku::rules::{CompiledRules, EngineKind, RuleSet};

/// One round over every operation: the rules alone, or the whole assessment.
#[inline(never)]
fn work(rules: &CompiledRules, ops: &[Arc<Operation>], assess: bool) -> usize {
    if assess {
        ops.iter()
            .map(|op| itaku::assess::assess_operation(op, rules).checklist.len())
            .sum()
    } else {
        ops.iter()
            .map(|op| rules.evaluate(op).checklist.len())
            .sum()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = match args.get(1).map(String::as_str) {
        Some("interpreted") => EngineKind::Interpreted,
        _ => EngineKind::Compiled,
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let assess = args.iter().skip(4).any(|a| a == "assess");
    let bundled = args.iter().skip(4).any(|a| a == "bundled");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let set = RuleSet::load_dir(dir).expect("standard rules load");
    let rules = CompiledRules::compile(Arc::new(set), jiff::civil::date(2026, 4, 1))
        .expect("standard rules compile")
        .with_engine(kind);
    let text = match bundled {
        true => synthetic::bundled_jsonl(n),
        false => synthetic::jsonl(n, 7),
    };
    let catalog = parse_jsonl_str("synthetic.jsonl", &text).catalog;
    assert_eq!(catalog.operations.len(), n);
    let mut best = f64::MAX;
    let mut sink = 0;
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        sink += work(&rules, &catalog.operations, assess);
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    let what = if assess { "assessed" } else { "evaluated" };
    println!(
        "{kind:?} ({what}): {best:.2} µs per operation (best of {rounds} rounds of {n}); {} bails; {} compiled steps per operation; {sink}",
        itaku::rules::bails_on_this_thread(),
        itaku::rules::steps_on_this_thread() / (n * rounds).max(1) as u64
    );
}
