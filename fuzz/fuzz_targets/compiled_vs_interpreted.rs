//! Arbitrary bytes as one JSON operation, evaluated by the standard rules compiled and interpreted: the
//! two engines must agree on everything the rules produce (the interpreter is the oracle; see
//! `tests/compiled_vs_interpreted.rs`). Run: `cargo fuzz run compiled_vs_interpreted fuzz/corpus/assess_operation`.
#![no_main]

use std::sync::{Arc, OnceLock};

use itaku::rules::{CompiledRules, EngineKind, RuleSet};
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static (CompiledRules, CompiledRules) {
    static RULES: OnceLock<(CompiledRules, CompiledRules)> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
        let set = Arc::new(RuleSet::load_dir(dir).expect("the standard rules load"));
        let as_of = "2026-04-01".parse().unwrap();
        let compiled = CompiledRules::compile(Arc::clone(&set), as_of).expect("rules compile");
        let interpreted = CompiledRules::compile(set, as_of)
            .expect("rules compile")
            .with_engine(EngineKind::Interpreted);
        (compiled, interpreted)
    })
}

/// The outcome compared with `==`, or as printed when a NaN makes `==` false for equal runs.
fn text(e: itaku::rules::Evaluation) -> String {
    format!("{:?}", e.into_outcome())
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(op) = itaku::catalog::operation_from_json(value, "fuzz") else {
        return;
    };
    let op = Arc::new(op);
    let (compiled, interpreted) = rules();
    let (c, i) = (compiled.evaluate(&op), interpreted.evaluate(&op));
    if c.outcome != i.outcome {
        assert_eq!(text(c), text(i));
    }
});
