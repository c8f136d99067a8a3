//! Arbitrary bytes as one JSON operation, evaluated by the standard rules compiled and interpreted: the
//! two engines must agree on everything the rules produce (the interpreter is the oracle; see
//! `tests/compiled_vs_interpreted.rs`). Run: `cargo fuzz run compiled_vs_interpreted fuzz/corpus/assess_operation`.
#![no_main]

use std::sync::{Arc, OnceLock};

use itaku::rules::{CompiledRules, EngineKind, Evaluation, RuleSet};
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

fn text(e: &Evaluation) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        e.points,
        e.reasons,
        e.exclusions,
        e.cap,
        e.checklist,
        e.missing,
        e.decisive,
        e.contradictions,
        e.clauses,
        e.recommendation,
        e.notes,
        e.freed_fte,
        e.proposal_call,
        e.errors
    )
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
    assert_eq!(text(&compiled.evaluate(&op)), text(&interpreted.evaluate(&op)));
});
