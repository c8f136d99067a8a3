//! Arbitrary bytes as one JSON operation, assessed with the standard rules in `rules/`: validation and
//! assessment must never panic, and a valid operation must satisfy the engine's invariants.
#![no_main]

use std::sync::{Arc, OnceLock};

use itaku::rules::{CompiledRules, RuleSet};
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static CompiledRules {
    static RULES: OnceLock<CompiledRules> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
        let set = RuleSet::load_dir(dir).expect("the standard rules load");
        CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap())
            .expect("the standard rules compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(op) = itaku::catalog::operation_from_json(value, "fuzz") else {
        return;
    };
    let a = itaku::assess::assess_operation(&Arc::new(op), rules());
    // The standard rules must not fail on a valid operation, except when a value is too large for the
    // sandbox's size limits (documented in docs/robustness.md).
    for e in &a.errors {
        assert!(e.message.contains("size limit"), "rule error on a valid operation: {e:?}");
    }
    assert!(a.freed_fte >= 0.0);
    assert!(a.freed_fte <= a.operation.staff_fte.unwrap_or(0.0));
    if a.excluded {
        assert_eq!(a.recommendation, itaku::model::Recommendation::InHouse);
        assert_eq!(a.freed_fte, 0.0);
    }
});
