//! The rule compiler against its oracle, the interpreter: every rule evaluated both ways must give the
//! same evaluation (points, reasons with their arguments, exclusions, cap, checklist items with severity
//! and rule, clauses, missing and decisive facts, contradictions, notes, recommendation, freed FTE, the
//! proposal call, and errors with rule, file, line and column) and the same assessment.
//!
//! Inputs: the bundled catalog, every operation of the rule test cases (`tests/rules`), the fuzz corpus
//! of `assess_operation`, generated operations (10,000 here; 100,000 in the ignored test), and generated
//! small rule scripts (proptest) on generated operations.

#![recursion_limit = "256"]

#[path = "support/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use itaku::assess::assess_operation;
use itaku::catalog::{load_path, operation_from_json, Operation};
use itaku::rules::{CompiledRules, EngineKind, Evaluation, MemorySource, RuleEngine, RuleSet};
use proptest::prelude::*;
use proptest::test_runner::Config;

const AS_OF: &str = "2026-04-01";

fn standard() -> &'static (CompiledRules, CompiledRules) {
    static RULES: OnceLock<(CompiledRules, CompiledRules)> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let set = Arc::new(RuleSet::load_dir(dir).expect("the standard rules load"));
        both(set, AS_OF.parse().unwrap())
    })
}

fn both(set: Arc<RuleSet>, as_of: jiff::civil::Date) -> (CompiledRules, CompiledRules) {
    let compiled = CompiledRules::compile(Arc::clone(&set), as_of).expect("rules compile");
    let interpreted = CompiledRules::compile(set, as_of)
        .expect("rules compile")
        .with_engine(EngineKind::Interpreted);
    (compiled, interpreted)
}

/// Everything an evaluation produced (its public fields), as text.
fn evaluation(e: &Evaluation) -> String {
    format!(
        "points {:?}\nreasons {:?}\nexclusions {:?}\ncap {:?}\nchecklist {:?}\nmissing {:?}\ndecisive {:?}\n\
         contradictions {:?}\nclauses {:?}\nrecommendation {:?}\nnotes {:?}\nfreed {:?}\nproposal {:?}\nerrors {:?}",
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

/// Compares both engines on one operation; returns the difference, if any.
fn differ(rules: &(CompiledRules, CompiledRules), op: &Arc<Operation>) -> Option<String> {
    let (c, i) = (rules.0.evaluate(op), rules.1.evaluate(op));
    let (c, i) = (evaluation(&c), evaluation(&i));
    if c != i {
        return Some(format!(
            "operation {}:\ncompiled:\n{c}\ninterpreted:\n{i}",
            op.id.as_str()
        ));
    }
    let (c, i) = (
        format!("{:?}", assess_operation(op, &rules.0)),
        format!("{:?}", assess_operation(op, &rules.1)),
    );
    (c != i).then(|| format!("assessment of {}:\n{c}\n---\n{i}", op.id.as_str()))
}

fn assert_same(rules: &(CompiledRules, CompiledRules), ops: &[Arc<Operation>]) -> usize {
    let mut differences = Vec::new();
    for op in ops {
        if let Some(d) = differ(rules, op) {
            differences.push(d);
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} operations differ; first:\n{}",
        differences.len(),
        ops.len(),
        differences[0]
    );
    ops.len()
}

#[test]
fn every_standard_rule_compiles() {
    let engines = standard().0.rule_engines();
    let set = &standard().0.rules;
    for (i, e) in engines.iter().enumerate() {
        assert_eq!(
            *e,
            RuleEngine::Compiled,
            "rule {} runs on the interpreter",
            set.manifest.rules[i].id
        );
    }
}

#[test]
fn bundled_catalog() {
    let loaded = load_path(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/catalog"
    )));
    let ops: Vec<_> = loaded.catalog.operations.iter().map(Arc::clone).collect();
    assert!(ops.len() >= 40);
    // Several dates: parameters change values over time.
    for date in ["2024-04-01", "2025-04-01", AS_OF, "2027-04-01"] {
        let set = Arc::clone(&standard().0.rules);
        assert_same(&both(set, date.parse().unwrap()), &ops);
    }
}

#[test]
fn rule_case_operations() {
    let set = Arc::clone(&standard().0.rules);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules");
    let cases =
        itaku::testcases::case_operations(std::path::Path::new(dir), &set, AS_OF.parse().unwrap())
            .expect("the rule cases load");
    assert!(cases.len() > 100, "{}", cases.len());
    let mut by_date: BTreeMap<jiff::civil::Date, Vec<Arc<Operation>>> = BTreeMap::new();
    for (date, op) in cases {
        by_date.entry(date).or_default().push(op);
    }
    for (date, ops) in by_date {
        assert_same(&both(Arc::clone(&set), date), &ops);
    }
}

#[test]
fn fuzz_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/assess_operation");
    let mut ops = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the corpus exists") {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if let Ok(op) = operation_from_json(value, "fuzz") {
            ops.push(Arc::new(op));
        }
    }
    assert!(ops.len() > 100, "{}", ops.len());
    assert_same(standard(), &ops);
}

fn generated(n: usize, seed: u64) -> Vec<Arc<Operation>> {
    synthetic::jsonl(n, seed)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            Arc::new(
                operation_from_json(value, "generated").expect("generated operations are valid"),
            )
        })
        .collect()
}

#[test]
fn generated_operations() {
    assert_eq!(assert_same(standard(), &generated(10_000, 12)), 10_000);
}

/// `cargo test --release --test compiled_vs_interpreted -- --ignored`
#[test]
#[ignore = "100k operations: run in release"]
fn generated_operations_100k() {
    assert_eq!(assert_same(standard(), &generated(100_000, 2026)), 100_000);
}

// Generated small rule scripts, on generated operations.

const MANIFEST: &str = r#"name: generated
version: "1"
rules:
  - id: generated
    kind: criterion
    title: {ja: 生成, en: generated}
    basis: {ja: テスト, en: test}
    script: generated.rhai
"#;

const PARAMETERS: &str = r#"parameters:
  limit:
    description: {ja: 上限, en: limit}
    source: test
    type: share
    values:
      - {from: 2020-04-01, value: 0.5}
"#;

const ITEMS: &str = r#"items:
  - id: s1-test
    safeguard: S1
    item: {ja: 項目, en: item}
    mitigation: {ja: 対策, en: mitigation}
    basis: {ja: 根拠, en: basis}
"#;

const MESSAGES: &str = r#"messages:
  ok: {ja: "理由 {0}", en: "reason {0}"}
"#;

fn script_rules(script: &str) -> Option<(CompiledRules, CompiledRules)> {
    let files: BTreeMap<String, String> = [
        ("manifest.yaml", MANIFEST),
        ("parameters.yaml", PARAMETERS),
        ("items.yaml", ITEMS),
        ("messages.yaml", MESSAGES),
        ("generated.rhai", script),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let set = Arc::new(RuleSet::load(&MemorySource(files)).ok()?);
    let as_of = AS_OF.parse().unwrap();
    let compiled = CompiledRules::compile(Arc::clone(&set), as_of).ok()?;
    let interpreted = CompiledRules::compile(set, as_of)
        .ok()?
        .with_engine(EngineKind::Interpreted);
    Some((compiled, interpreted))
}

fn leaf() -> BoxedStrategy<String> {
    prop_oneof![
        (-5_i64..20).prop_map(|i| i.to_string()),
        (-2.0_f64..4.0).prop_map(|f| format!("{f:.2}")),
        Just("()".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just(r#""a""#.to_string()),
        Just(r#""業務""#.to_string()),
        Just("x".to_string()),
        Just("y".to_string()),
        Just("op.routine_share".to_string()),
        Just("op.annual_cases".to_string()),
        Just("op.expertise".to_string()),
        Just("op.staff_fte".to_string()),
        Just("op.hazards".to_string()),
        Just(r#"param("limit")"#.to_string()),
        Just("[1, 2.5, \"b\"]".to_string()),
    ]
    .boxed()
}

fn expr() -> BoxedStrategy<String> {
    leaf()
        .prop_recursive(3, 24, 2, |inner| {
            let ops = prop::sample::select(vec![
                "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
            ]);
            prop_oneof![
                (inner.clone(), ops, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
                inner.clone().prop_map(|a| format!("!({a})")),
                inner.clone().prop_map(|a| format!("-({a})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| format!("(if {c} {{ {a} }} else {{ {b} }})")),
                inner.clone().prop_map(|a| format!("({a}).len()")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).contains({b})")),
                inner.prop_map(|a| format!("known({a})")),
            ]
        })
        .boxed()
}

fn stmt() -> BoxedStrategy<String> {
    let e = expr;
    prop_oneof![
        (e(), e()).prop_map(|(c, a)| format!("if {c} {{ points(\"C1\", 1, \"ok\", [{a}]); }}")),
        e().prop_map(|a| format!("let x = {a};")),
        e().prop_map(|a| format!("x = {a};")),
        e().prop_map(|a| format!("y = y + {a};")),
        e().prop_map(|a| format!("note(\"ok\", [{a}]);")),
        e().prop_map(|a| format!("points(\"C2\", {a}, \"ok\");")),
        (0_i64..6, e()).prop_map(|(n, a)| format!("for i in 0..{n} {{ let x = x + i; y = {a}; }}")),
        e().prop_map(|a| format!("for v in [1, \"s\", 2.0, ()] {{ if v == {a} {{ note(\"ok\", [v]); }} }}")),
        e().prop_map(|a| format!("if {a} {{ return; }}")),
        e().prop_map(|a| format!("flag(\"s1-test\", if {a} {{ \"high\" }} else {{ \"low\" }});")),
        e().prop_map(|a| format!("let z = [x]; z.push({a}); note(\"ok\", [z.len()]);")),
        Just("note(\"ok\", [[\"p\", \"q\"].reduce(|s, v| if s == () { v } else { s + \"、\" + v })]);".to_string()),
        e().prop_map(|a| format!("if {a} {{ missing(\"routine_share\"); }} else {{ decisive(\"difficulty\"); }}")),
    ]
    .boxed()
}

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(stmt(), 1..8).prop_map(|stmts| {
        format!(
            "let x = 1;\nlet y = 0.5;\n{}\nnote(\"ok\", [x]);\nnote(\"ok\", [y]);\n",
            stmts.join("\n")
        )
    })
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn generated_scripts(script in script(), seed in 0_u64..1_000) {
        let Some(rules) = script_rules(&script) else {
            // Does not compile in Rhai either (e.g. a type error at parse time).
            return Ok(());
        };
        for op in generated(4, seed) {
            if let Some(d) = differ(&rules, &op) {
                panic!("script:\n{script}\n{d}");
            }
        }
    }
}
