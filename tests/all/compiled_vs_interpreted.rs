//! The rule compiler against its oracle, the interpreter: every rule evaluated both ways must give the
//! same evaluation (points, reasons with their arguments, exclusions, cap, checklist items with severity
//! and rule, clauses, missing and decisive facts, contradictions, notes, recommendation, freed FTE, the
//! proposal call, and errors with rule, file, line and column) and the same assessment.
//!
//! Inputs: the bundled catalog, every operation of the rule test cases (`tests/rules`), the fuzz corpus
//! of `assess_operation`, generated operations (10,000 here; 100,000 in the ignored test), bundled-like
//! operations (the bundled catalog repeated, ids made unique), and generated
//! small rule scripts (proptest) on generated operations.

use crate::support::synthetic;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use itaku::assess::assess_operation;
use itaku::catalog::{load_path, operation_from_json, Operation};
use itaku::rules::{
    Budgets, CompiledRules, EngineKind, MemorySource, Outcome, RuleEngine, RuleSet,
};
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

/// Budgets for comparing the engines: the time budget is a wall-clock limit, so on a loaded machine the
/// slower interpreter could hit it where the compiled rules do not. The comparison is about results,
/// so the clock is taken out (a minute per operation); the heap budget, which is deterministic, stays.
fn no_clock() -> Budgets {
    Budgets {
        time: std::time::Duration::from_secs(60),
        ..Budgets::default()
    }
}

fn both(set: Arc<RuleSet>, as_of: jiff::civil::Date) -> (CompiledRules, CompiledRules) {
    let compiled = CompiledRules::compile(Arc::clone(&set), as_of)
        .expect("rules compile")
        .with_budgets(no_clock());
    let interpreted = CompiledRules::compile(set, as_of)
        .expect("rules compile")
        .with_engine(EngineKind::Interpreted)
        .with_budgets(no_clock());
    (compiled, interpreted)
}

/// Whether two outcomes are the same: equal, or (for a NaN that a script computed in both) printed the
/// same.
fn same(c: &Outcome, i: &Outcome) -> bool {
    c == i || format!("{c:?}") == format!("{i:?}")
}

/// Compares both engines on one operation; returns the difference, if any.
fn differ(rules: &(CompiledRules, CompiledRules), op: &Arc<Operation>) -> Option<String> {
    differ_in(rules, op, true)
}

/// Like [`differ`]; the assessments (built from the evaluations by the same code) only if `assessment`.
fn differ_in(
    rules: &(CompiledRules, CompiledRules),
    op: &Arc<Operation>,
    assessment: bool,
) -> Option<String> {
    let c = rules.0.evaluate(op).into_outcome();
    let i = rules.1.evaluate(op).into_outcome();
    if !same(&c, &i) {
        return Some(format!(
            "operation {}:\ncompiled:\n{c:#?}\ninterpreted:\n{i:#?}",
            op.id.as_str()
        ));
    }
    if !assessment {
        return None;
    }
    let (c, i) = (
        format!("{:?}", assess_operation(op, &rules.0)),
        format!("{:?}", assess_operation(op, &rules.1)),
    );
    (c != i).then(|| format!("assessment of {}:\n{c}\n---\n{i}", op.id.as_str()))
}

fn assert_same(rules: &(CompiledRules, CompiledRules), ops: &[Arc<Operation>]) -> usize {
    assert_same_in(rules, ops, true)
}

fn assert_same_in(
    rules: &(CompiledRules, CompiledRules),
    ops: &[Arc<Operation>],
    assessment: bool,
) -> usize {
    let mut differences = Vec::new();
    for op in ops {
        if let Some(d) = differ_in(rules, op, assessment) {
            differences.push(d);
        }
    }
    eprintln!("{} operations compared", ops.len());
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
    let before = itaku::rules::bails_on_this_thread();
    assert_eq!(
        assert_same_in(standard(), &generated(10_000, 12), false),
        10_000
    );
    // Valid operations never need the interpreter: the compiled rules really ran.
    assert_eq!(itaku::rules::bails_on_this_thread(), before);
}

/// The bundled-like workload (the bundled catalog's operations repeated, ids made unique): long step
/// texts, many legal bases, most of the checklist; the compiled rules must not bail on them either.
fn bundled_like(n: usize) -> Vec<Arc<Operation>> {
    synthetic::bundled_jsonl(n)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            Arc::new(
                operation_from_json(value, "bundled-like").expect("bundled operations are valid"),
            )
        })
        .collect()
}

#[test]
fn bundled_like_operations() {
    let before = itaku::rules::bails_on_this_thread();
    assert_eq!(assert_same(standard(), &bundled_like(480)), 480);
    assert_eq!(itaku::rules::bails_on_this_thread(), before);
}

/// `cargo test --release --test compiled_vs_interpreted -- --ignored`
#[test]
#[ignore = "100k operations: run in release"]
fn generated_operations_100k() {
    let before = itaku::rules::bails_on_this_thread();
    assert_eq!(assert_same(standard(), &generated(100_000, 2026)), 100_000);
    assert_eq!(itaku::rules::bails_on_this_thread(), before);
}

// Generated small rule scripts, on generated operations.

const MANIFEST: &str = r#"name: generated
version: "1"
rules:
  - id: generated
    kind: recommendation
    title: {ja: 生成, en: generated}
    basis: {ja: テスト, en: test}
    script: generated.rhai
"#;

use crate::support::rule_fixture;
use rule_fixture::{ITEMS, MESSAGES, PARAMETERS};

fn script_rules(script: &str) -> Option<(CompiledRules, CompiledRules)> {
    script_rules_with(script, PARAMETERS, ITEMS)
}

fn script_rules_with(
    script: &str,
    parameters: &str,
    items: &str,
) -> Option<(CompiledRules, CompiledRules)> {
    let files: BTreeMap<String, String> = [
        ("manifest.yaml", MANIFEST),
        ("parameters.yaml", parameters),
        ("items.yaml", items),
        ("messages.yaml", MESSAGES),
        ("generated.rhai", script),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let set = match RuleSet::load(&MemorySource(files)) {
        Ok(s) => Arc::new(s),
        Err(d) => {
            if std::env::var_os("SHOW").is_some() {
                eprintln!("{script}\n{d:?}");
            }
            return None;
        }
    };
    let as_of = AS_OF.parse().unwrap();
    let compiled = match CompiledRules::compile(Arc::clone(&set), as_of) {
        Ok(c) => c.with_budgets(no_clock()),
        Err(d) => {
            if std::env::var_os("SHOW").is_some() {
                eprintln!("{script}\n{d:?}");
            }
            return None;
        }
    };
    let interpreted = CompiledRules::compile(set, as_of)
        .ok()?
        .with_engine(EngineKind::Interpreted)
        .with_budgets(no_clock());
    Some((compiled, interpreted))
}

fn num() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        (-5_i64..20).prop_map(|i| i.to_string()),
        (-2.0_f64..4.0).prop_map(|f| format!("{f:.2}")),
        Just("x".to_string()),
        Just("y".to_string()),
        Just("op.routine_share".to_string()),
        Just("op.annual_cases".to_string()),
        Just("op.staff_fte".to_string()),
        Just("op.market_providers".to_string()),
        Just(r#"param("limit")"#.to_string()),
        Just("op.hazards.len()".to_string()),
        Just("to_num(op.overtime_hours)".to_string()),
    ];
    leaf.prop_recursive(3, 16, 2, |inner| {
        let ops = prop::sample::select(vec!["+", "-", "*", "/", "%"]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            (cond_leaf(), inner.clone(), inner)
                .prop_map(|(c, a, b)| format!("(if {c} {{ {a} }} else {{ {b} }})")),
        ]
    })
    .boxed()
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(r#""a""#.to_string()),
        Just(r#""業務""#.to_string()),
        Just("op.expertise".to_string()),
        Just("op.focus_area".to_string()),
        // Values of those enumerated fields (compared as enum positions when compiled).
        Just(r#""licensed""#.to_string()),
        Just(r#""screening""#.to_string()),
        Just("op.name".to_string()),
        Just("()".to_string()),
        Just(r#"("a" + op.manuals)"#.to_string()),
    ]
    .boxed()
}

fn cond_leaf() -> BoxedStrategy<String> {
    let cmp = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
    prop_oneof![
        (num(), cmp.clone(), num()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
        (text(), cmp, text()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
        Just("true".to_string()),
        Just("op.co_located == true".to_string()),
        Just("op.routine_share == ()".to_string()),
        Just("known(op.difficulty)".to_string()),
        text().prop_map(|t| format!("op.hazards.contains({t})")),
        text().prop_map(|t| format!("[\"a\", 1, ()].contains({t})")),
    ]
    .boxed()
}

fn cond() -> BoxedStrategy<String> {
    cond_leaf()
        .prop_recursive(2, 8, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} && {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} || {b})")),
                inner.prop_map(|a| format!("!({a})")),
            ]
        })
        .boxed()
}

/// Anything, types mixed at random: mostly errors, which must be the same errors.
fn any() -> BoxedStrategy<String> {
    prop_oneof![num(), text(), cond()].boxed()
}

fn stmt() -> BoxedStrategy<String> {
    prop_oneof![
        (cond(), num()).prop_map(|(c, a)| format!("if {c} {{ points(\"C1\", 1, \"ok\", [{a}]); }}")),
        (cond(), cond(), any()).prop_map(|(c, d, a)| format!(
            "if {c} {{ note(\"ok\", [{a}]); }} else if {d} {{ x = 3; }} else {{ y = y * 2; }}"
        )),
        num().prop_map(|a| format!("let x = {a};")),
        num().prop_map(|a| format!("x = {a};")),
        num().prop_map(|a| format!("y = y + {a};")),
        any().prop_map(|a| format!("note(\"ok\", [{a}]);")),
        any().prop_map(|a| format!("let w = {a}; note(\"ok\", [w]);")),
        num().prop_map(|a| format!("points(\"C2\", {a}, \"ok\");")),
        (0_i64..6, num()).prop_map(|(n, a)| format!("for i in 0..{n} {{ let x = x + i; y = {a}; }}")),
        any().prop_map(|a| format!("for v in [1, \"s\", 2.0, ()] {{ if v == {a} {{ note(\"ok\", [v]); }} }}")),
        cond().prop_map(|a| format!("if {a} {{ return; }}")),
        cond().prop_map(|a| format!("flag(\"s1-test\", if {a} {{ \"high\" }} else {{ \"low\" }});")),
        // A computed severity that is not always one: an error in both engines.
        cond().prop_map(|a| format!("flag(\"s1-test\", if {a} {{ \"medium\" }} else {{ \"severe\" }});")),
        Just("flag(\"s1-test\", op.manuals);".to_string()),
        any().prop_map(|a| format!("let z = [x]; z.push({a}); note(\"ok\", [z.len()]);")),
        text().prop_map(|t| format!("note(\"ok\", [[\"p\", {t}].reduce(|s, v| if s == () {{ v }} else {{ s + \"、\" + v }})]);")),
        cond().prop_map(|a| format!("if {a} {{ missing(\"routine_share\"); }} else {{ decisive(\"difficulty\"); }}")),
        (cond(), prop::sample::select(vec!["outsource", "partial", "study", "in_house"]))
            .prop_map(|(c, l)| format!("if {c} {{ recommend(\"{l}\"); cap(\"partial\", \"ok\", [x]); }}")),
        num().prop_map(|a| format!("free_fte({a});")),
        // List fields: read, compared, iterated, copied and pushed to, passed whole.
        text().prop_map(|t| format!("let h = op.hazards; if h != () {{ h.push({t}); note(\"ok\", [h.len()]); }}")),
        Just("if op.hazards == [] { note(\"ok\", [1]); }".to_string()),
        Just("if op.hazards == op.legal_basis { note(\"ok\", [2]); }".to_string()),
        Just("if op.monthly_load != () { note(\"ok\", [max_of(op.monthly_load), mean_of(op.monthly_load)]); }".to_string()),
        Just("if op.legal_basis != () { for s in op.legal_basis { note(\"ok\", [s]); } }".to_string()),
        Just("note(\"ok\", [op.decision_steps]);".to_string()),
        Just("if op.decision_steps != () { note(\"ok\", [op.decision_steps.reduce(|s, v| if s == () { v } else { s + \"/\" + v })]); }".to_string()),
        (text(), text()).prop_map(|(a, b)| format!("let s = {a} + {b}; note(\"ok\", [s]);")),
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

thread_local! {
    /// (scripts, scripts compiled)
    static STATS: std::cell::RefCell<(usize, usize)> = const { std::cell::RefCell::new((0, 0)) };
}

#[test]
fn generated_scripts_mostly_compile() {
    generated_scripts();
    let (n, compiled) = STATS.with(|s| *s.borrow());
    let bails = itaku::rules::bails_on_this_thread();
    eprintln!("{compiled} of {n} generated scripts compiled; {bails} bails");
    assert!(compiled * 10 >= n * 9, "{compiled} of {n}");
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
        let engines = rules.0.rule_engines();
        if std::env::var_os("SHOW").is_some() && engines[0] != RuleEngine::Compiled {
            eprintln!("{:?}", engines[0]);
        }
        STATS.with(|s| {
            let mut s = s.borrow_mut();
            s.0 += 1;
            s.1 += usize::from(engines[0] == RuleEngine::Compiled);
        });
    }
}

/// Found by the proptest: several functions and closures in one script, each with its own body.
#[test]
fn several_functions_and_closures_keep_their_own_bodies() {
    let script = r#"
fn twice(x) { x * 2 }
fn label(s) { "<" + s + ">" }
note("ok", [["p", "a"].reduce(|s, v| if s == () { v } else { s + "、" + v })]);
note("ok", [["p", "a"].reduce(|s, v| if s == () { v } else { s + "/" + v })]);
note("ok", [twice(21), label("x")]);
let steps = if op.decision_steps == () { [] } else { op.decision_steps };
note("ok", [steps.reduce(|s, v| if s == () { label(v) } else { s + label(v) })]);
"#;
    let rules = script_rules(script).expect("the script loads");
    assert_eq!(rules.0.rule_engines()[0], RuleEngine::Compiled);
    for op in generated(50, 3) {
        if let Some(d) = differ(&rules, &op) {
            panic!("{d}");
        }
    }
}

/// Hostile catalogs (`tests/fixtures/hostile`): whatever of them loads is evaluated the same way.
#[test]
fn hostile_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile");
    let mut ops = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the fixtures exist") {
        let loaded = load_path(&entry.unwrap().path());
        ops.extend(loaded.catalog.operations.iter().map(Arc::clone));
    }
    assert_same(standard(), &ops);
}

/// Operations at the sandbox's size limits: long texts and lists make the compiled rules hand the
/// operation to the interpreter, which must give the same (located) result.
#[test]
fn operations_at_the_size_limits() {
    let long = "長".repeat(2_000);
    let many: Vec<String> = (0..1_100).map(|i| format!("step {i}")).collect();
    let mut ops = Vec::new();
    for (i, value) in [
        serde_json::json!({"decision_steps": many}),
        serde_json::json!({"legal_basis": [long.clone(), long.clone()]}),
        serde_json::json!({"decision_steps": [long.clone()], "discretion": "none"}),
        serde_json::json!({"hazards": ["night_work", "lone_work"], "name": long}),
        // Each step fits, their join (`reduce`) does not.
        serde_json::json!({"decision_steps": ["長".repeat(500), "短".repeat(500), "中".repeat(500)], "public_authority": "ancillary"}),
        serde_json::json!({"decision_steps": ["長".repeat(450), "短".repeat(450), "中".repeat(450)], "public_authority": "core", "auxiliary_steps": ["x"]}),
        serde_json::json!({"legal_basis": (0..1_023).map(|i| format!("法{i}")).collect::<Vec<_>>()}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut base = synthetic::operation(&mut fastrand::Rng::with_seed(i as u64), i);
        for (k, v) in value.as_object().unwrap() {
            base.insert(k.clone(), v.clone());
        }
        if let Ok(op) = operation_from_json(serde_json::Value::Object(base), "limits") {
            ops.push(Arc::new(op));
        }
    }
    assert!(!ops.is_empty());
    assert_same(standard(), &ops);
}

/// The shapes the compiler specialises: constant arrays (a list parameter, literals, `[]`) read,
/// iterated, searched, copied and pushed to; `flag`, `clause`, `missing` and `decisive` with literal
/// arguments (checked at compile time), also where the interpreter fails (an unknown severity);
/// conditions of every kind, also mistyped ones; `contains` on list fields.
#[test]
fn specialised_shapes() {
    let parameters = format!(
        "{PARAMETERS}  words:
    description: {{ja: 語, en: words}}
    source: test
    type: list
    values:
      - {{from: 2020-04-01, value: [判断, 審査, 受理, 承認]}}
"
    );
    let items = format!(
        "{ITEMS}  - id: std-test
    safeguard: S4
    item: {{ja: 条項, en: clause}}
    mitigation: {{ja: 対策, en: mitigation}}
    basis: {{ja: 根拠, en: basis}}
    standard: true
"
    );
    let scripts = [
        // Constant arrays.
        r#"
let words = param("words");
let empty = [];
note("ok", [words.len(), empty.len()]);
if op.decision_steps != () {
    for s in op.decision_steps {
        for w in words { if s.contains(w) { note("ok", [s, w]); } }
        if words.contains(s) { note("ok", [s]); }
    }
    if words.contains(op.decision_steps.len()) { note("ok", [0]); }
}
let copy = words;
copy.push("x");
note("ok", [copy.len(), words.len(), copy.contains("x"), words.contains("x")]);
empty.push(1);
note("ok", [empty.len(), empty.contains(1), [].contains(1)]);
for v in ["a", 1, (), 2.5] { note("ok", [v]); }
note("ok", [["a", 1, ()].contains(()), ["a", 1, ()].contains(1.0), param("words").contains("審査")]);
let all = if op.legal_basis == () { [] } else { op.legal_basis };
note("ok", [all.len(), all.contains("地方税法")]);
if op.hazards != () && (op.hazards.contains("night_work") || op.hazards.contains(1)) { note("ok", [1]); }
"#,
        // Literal API calls.
        r#"
flag("s1-test", "low");
if op.co_located == true { flag("s1-test", "high"); }
flag("s1-test", "medium");
clause("std-test");
clause("std-test");
missing("routine_share");
decisive("difficulty");
missing("routine_share");
if op.routine_share == () { decisive("routine_share"); }
note("ok", [count_items("medium"), count_items("high"), missing_count()]);
"#,
        // Conditions.
        r#"
let a = op.routine_share;
let b = op.staff_fte;
let t = true;
if t && !(a == ()) && a > 0.5 || b != () && b >= 1 { note("ok", [1]); }
if a != () && b != () && (a < b || a <= 0.2 || 3 > b || 2.5 >= a) { note("ok", [2]); }
if op.expertise == "high" || op.expertise != "low" && known(op.difficulty) { note("ok", [3]); }
if !t || op.co_located { note("ok", [4]); }
while t { note("ok", [5]); break; }
"#,
        // Where the interpreter fails, located (literal names that would fail are refused when the
        // rules load, by the lint; computed ones stay calls, which bail).
        r#"let s = "sev" + "ere"; flag("s1-test", s);"#,
        r#"let i = "std-" + "test"; flag(i, "high");"#,
        r#"if op.routine_share { note("ok", [1]); }"#,
        r#"if op.routine_share != () && op.routine_share > "a" { note("ok", [1]); }"#,
    ];
    for script in scripts {
        let rules = script_rules_with(script, &parameters, &items).expect("the script loads");
        assert_eq!(rules.0.rule_engines()[0], RuleEngine::Compiled, "{script}");
        for op in generated(200, 11) {
            if let Some(d) = differ(&rules, &op) {
                panic!("script:\n{script}\n{d}");
            }
        }
    }
}
