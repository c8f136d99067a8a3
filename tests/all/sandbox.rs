//! The rule sandbox holds against hostile scripts: no files, no environment, no modules, no `eval`,
//! and every loop, recursion and allocation is bounded. A failing rule is reported with the rule, the
//! file and the line, and never takes the other operations' results down with it.
//!
//! Each test builds a tiny in-memory rule set (one recommendation rule plus the hostile script) so that
//! what is tested is the sandbox, not the standard rules.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use itaku::catalog::parse_str;
use itaku::model::Recommendation;
use itaku::rules::{CompiledRules, MemorySource, RuleError, RuleSet};
use itaku::{assess_catalog, Catalog, Diagnostics};

/// A generous hang guard (debug build, shared machine), not a benchmark.
const HANG_GUARD: Duration = Duration::from_secs(5);

use crate::support::rule_fixture;
use rule_fixture::{ITEMS, MESSAGES, PARAMETERS};

const RECOMMEND: &str = r#"// Outsource whatever is routine enough; free all staff time.
if op.routine_share != () && op.routine_share >= param("limit") {
    recommend("outsource");
    points("C1", 3, "ok", [op.routine_share]);
} else {
    recommend("in_house");
}
flag("s1-test", "low");
if op.staff_fte != () { free_fte(op.staff_fte); }
"#;

fn rule_set(hostile: &str) -> Result<RuleSet, Diagnostics> {
    let files: BTreeMap<String, String> = [
        (
            "manifest.yaml",
            rule_fixture::hostile_manifest("sandbox-test").as_str(),
        ),
        ("parameters.yaml", PARAMETERS),
        ("items.yaml", ITEMS),
        ("messages.yaml", MESSAGES),
        ("recommend.rhai", RECOMMEND),
        ("hostile.rhai", hostile),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    RuleSet::load(&MemorySource(files))
}

fn compile(hostile: &str) -> Result<CompiledRules, Diagnostics> {
    let set = rule_set(hostile).expect("the test rule set loads");
    CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap())
}

fn compiled(hostile: &str) -> CompiledRules {
    match compile(hostile) {
        Ok(c) => c,
        Err(d) => panic!("expected the script to compile: {d:?}"),
    }
}

fn compile_error(hostile: &str) -> String {
    match compile(hostile) {
        Ok(_) => panic!("expected a compile error for:\n{hostile}"),
        Err(d) => d
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}",
                    d.place().unwrap_or_default(),
                    d.message.en,
                    d.help.as_ref().map(|h| h.en.clone()).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn catalog(ops: &[(&str, f64)]) -> Catalog {
    let mut text = String::from("operations:\n");
    for (id, share) in ops {
        text.push_str(&format!(
            "  - id: {id}\n    name: 業務 {id}\n    department: 総務部\n    routine_share: {share}\n    staff_fte: 2.0\n"
        ));
    }
    let loaded = parse_str("sandbox.yaml", &text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.catalog
}

/// Runs the hostile script against one operation and returns its single rule error.
fn runtime_error(hostile: &str) -> RuleError {
    let rules = compiled(hostile);
    let start = Instant::now();
    let report = assess_catalog(&catalog(&[("victim", 0.9)]), &rules);
    let elapsed = start.elapsed();
    assert!(
        elapsed < HANG_GUARD,
        "halting took {elapsed:?} for:\n{hostile}"
    );
    let a = &report.assessments[0];
    assert_eq!(a.errors.len(), 1, "one rule error expected: {:?}", a.errors);
    let e = a.errors[0].clone();
    assert_eq!(rules.rules.rule(e.rule).id, "hostile", "{e:?}");
    assert_eq!(e.file, "hostile.rhai", "{e:?}");
    // A failed rule caps the recommendation at `study` and frees nothing.
    assert!(a.recommendation <= Recommendation::Study, "{a:?}");
    assert_eq!(a.freed_fte, 0.0);
    e
}

#[test]
fn the_test_rule_set_itself_works() {
    let rules = compiled("points(\"C2\", 1, \"ok\", [1]);");
    let report = assess_catalog(&catalog(&[("a", 0.9), ("b", 0.1)]), &rules);
    assert_eq!(report.rule_errors(), 0);
    assert_eq!(
        report.assessments[0].recommendation,
        Recommendation::Outsource
    );
    assert_eq!(report.assessments[0].freed_fte, 2.0);
    assert_eq!(
        report.assessments[1].recommendation,
        Recommendation::InHouse
    );
}

#[test]
fn scripts_cannot_touch_files() {
    for script in [
        "let f = open_file(\"/etc/passwd\");",
        "let text = read_string(\"/etc/passwd\");",
        "write_file(\"/tmp/itaku-sandbox-escape\", \"x\");",
        "let f = File(\"/etc/passwd\");",
        "system(\"touch /tmp/itaku-sandbox-escape\");",
    ] {
        let e = runtime_error(script);
        assert!(e.message.contains("no function `"), "{script}: {e:?}");
        assert_eq!(e.line, 1, "{e:?}");
    }
    assert!(!std::path::Path::new("/tmp/itaku-sandbox-escape").exists());
}

#[test]
fn scripts_cannot_read_the_environment() {
    for script in [
        "let home = env(\"HOME\");",
        "let home = getenv(\"HOME\");",
        "let v = vars();",
    ] {
        let e = runtime_error(script);
        assert!(e.message.contains("no function `"), "{script}: {e:?}");
    }
    // `$HOME`-style variables are not a thing: undefined variables are compile errors.
    let err = compile_error("let h = HOME;");
    assert!(err.contains("HOME"), "{err}");
}

#[test]
fn scripts_cannot_import_modules() {
    let err = compile_error("import \"std/fs\" as fs;\nfs::read(\"/etc/passwd\");");
    assert!(err.contains("hostile.rhai:1:"), "{err}");
    assert!(err.contains("rule `hostile` does not compile"), "{err}");
}

#[test]
fn scripts_cannot_eval() {
    let err = compile_error("let x = 1;\neval(\"let y = 2;\");");
    assert!(err.contains("hostile.rhai:2:"), "{err}");
    assert!(err.contains("eval"), "{err}");
}

#[test]
fn an_endless_loop_is_halted_by_the_operation_bound() {
    let e = runtime_error("let x = 0;\nloop {\n    x += 1;\n}\n");
    assert!(e.message.contains("exceeded the limit of"), "{e:?}");
    assert!(e.message.contains("operations"), "{e:?}");
    assert!((2..=3).contains(&e.line), "the loop is located: {e:?}");
    // while true, and an endless loop hidden in a function
    let e = runtime_error("while true {}");
    assert!(e.message.contains("exceeded the limit of"), "{e:?}");
    let e = runtime_error("fn spin() { loop {} }\nspin();");
    assert!(e.message.contains("exceeded the limit of"), "{e:?}");
}

#[test]
fn unbounded_recursion_is_halted() {
    let e = runtime_error("fn down(n) { down(n + 1) }\ndown(0);\n");
    assert!(e.message.contains("call depth"), "{e:?}");
    assert!(e.line >= 1, "{e:?}");
    // Mutual recursion and recursion through a closure are halted too.
    let e = runtime_error("fn a(n) { b(n) }\nfn b(n) { a(n) }\na(0);");
    assert!(e.message.contains("call depth"), "{e:?}");
}

#[test]
fn deeply_nested_expressions_do_not_compile() {
    let deep = format!("let x = {}1{};", "(".repeat(10_000), ")".repeat(10_000));
    let start = Instant::now();
    let err = compile_error(&deep);
    assert!(start.elapsed() < HANG_GUARD);
    assert!(err.contains("hostile.rhai:1:"), "{err}");
    let deep = format!("let x = {}1{};", "[".repeat(10_000), "]".repeat(10_000));
    compile_error(&deep);
    let deep = format!("{}{}", "if true { ".repeat(5_000), "}".repeat(5_000));
    compile_error(&deep);
}

#[test]
fn a_string_cannot_grow_without_bound() {
    let e = runtime_error("let s = \"x\";\nloop { s += s; }");
    assert!(e.message.contains("size limit"), "{e:?}");
    assert_eq!(e.line, 2, "{e:?}");
    // One call that would allocate a huge string at once.
    let e = runtime_error("let s = \"x\";\ns.pad(2_000_000_000, \"y\");");
    assert!(e.message.contains("size limit"), "{e:?}");
}

#[test]
fn an_array_cannot_grow_without_bound() {
    let e = runtime_error("let a = [];\nloop { a.push(1); }");
    assert!(e.message.contains("size limit"), "{e:?}");
    let e = runtime_error("let a = [1];\nloop { a += a; }");
    assert!(e.message.contains("size limit"), "{e:?}");
    let e = runtime_error("let a = [];\na.pad(2_000_000_000, 0);");
    assert!(e.message.contains("size limit"), "{e:?}");
    let e = runtime_error("let b = blob(2_000_000_000);");
    assert!(e.message.contains("size limit"), "{e:?}");
}

#[test]
fn a_map_cannot_grow_without_bound() {
    let e =
        runtime_error("let m = #{};\nloop { m += #{}; m.mixin(#{ a: 1 }); m[`k${m.len()}`] = 1; }");
    assert!(e.message.contains("size limit"), "{e:?}");
    // Rhai does not check the map's size when `m[key] = value` inserts a new key: that growth is halted
    // by the operation bound instead (docs/robustness.md gives the measured worst case).
    let e = runtime_error("let m = #{};\nlet i = 0;\nloop { m[`k${i}`] = i; i += 1; }");
    assert!(
        e.message.contains("size limit") || e.message.contains("exceeded the limit of"),
        "{e:?}"
    );
}

#[test]
fn integer_overflow_in_points_is_an_error_not_a_crash() {
    // Huge point values are clamped to 0..=5 and never overflow the engine's counters.
    let rules = compiled(
        "points(\"C2\", 9223372036854775807, \"ok\", [1]);\npoints(\"C2\", 9223372036854775807, \"ok\", [1]);\npoints(\"C3\", -9223372036854775807, \"ok\", [1]);\npoints(\"C3\", -9223372036854775807, \"ok\", [1]);",
    );
    let report = assess_catalog(&catalog(&[("a", 0.9)]), &rules);
    let a = &report.assessments[0];
    assert_eq!(a.criteria[1].points, 5);
    assert_eq!(a.criteria[2].points, 0);
}

#[test]
fn a_misspelled_field_is_an_error_at_load() {
    let err = compile_error("let s = op.routine_shar;\n");
    assert!(err.contains("hostile.rhai:1:12"), "{err}");
    assert!(
        err.contains("operations have no field `routine_shar`"),
        "{err}"
    );
    assert!(err.contains("did you mean `routine_share`"), "{err}");
}

#[test]
fn scripts_cannot_change_the_operation() {
    let e = runtime_error("op.routine_share = 0.0;");
    assert!(
        e.message.contains("`op.routine_share` is read-only"),
        "{e:?}"
    );
    let e = runtime_error("op = 1;");
    assert!(!e.message.is_empty(), "{e:?}");
    // The next rule still sees the operation as written: the recommendation rule outsources it.
    let rules = compiled("op.routine_share = 0.0;");
    let report = assess_catalog(&catalog(&[("a", 0.9)]), &rules);
    let a = &report.assessments[0];
    assert_eq!(a.operation.routine_share, Some(0.9));
    assert_eq!(a.criteria[0].points, 3, "the recommendation rule saw 0.9");
}

#[test]
fn one_failing_rule_never_hides_the_other_operations() {
    // The hostile rule loops forever on one operation only.
    let rules = compiled("if op.id == \"bomb\" {\n    loop {}\n}\npoints(\"C2\", 2, \"ok\", [1]);");
    let cat = catalog(&[
        ("first", 0.9),
        ("bomb", 0.9),
        ("third", 0.2),
        ("fourth", 0.7),
    ]);
    let start = Instant::now();
    let report = assess_catalog(&cat, &rules);
    assert!(start.elapsed() < HANG_GUARD);
    assert_eq!(report.assessments.len(), 4);
    let ids: Vec<_> = report
        .assessments
        .iter()
        .map(|a| a.operation.id.as_str())
        .collect();
    assert_eq!(ids, ["first", "bomb", "third", "fourth"], "catalog order");
    for a in &report.assessments {
        if a.operation.id.as_str() == "bomb" {
            assert_eq!(a.errors.len(), 1);
            assert_eq!(a.errors[0].line, 2, "{:?}", a.errors[0]);
            assert_eq!(a.recommendation, Recommendation::Study);
            continue;
        }
        assert!(a.errors.is_empty(), "{:?}", a.errors);
        assert_eq!(a.criteria[1].points, 2, "hostile rule ran fully");
        assert_eq!(a.checklist.len(), 1, "recommendation rule ran fully");
    }
    assert_eq!(
        report.assessments[0].recommendation,
        Recommendation::Outsource
    );
    assert_eq!(report.assessments[0].freed_fte, 2.0);
    assert_eq!(
        report.assessments[2].recommendation,
        Recommendation::InHouse
    );
    assert_eq!(
        report.assessments[3].recommendation,
        Recommendation::Outsource
    );
}

#[test]
fn state_does_not_leak_between_operations() {
    // A script that records into the evaluation on one operation leaves nothing on the next.
    let rules = compiled(
        "if op.id == \"noisy\" { points(\"C5\", 5, \"ok\", [1]); missing(\"facilities\"); }",
    );
    let report = assess_catalog(&catalog(&[("noisy", 0.9), ("quiet", 0.9)]), &rules);
    assert_eq!(report.assessments[0].criteria[4].points, 5);
    assert_eq!(report.assessments[1].criteria[4].points, 0);
    assert!(report.assessments[1].missing.is_empty());
}

#[test]
fn the_cli_names_rule_file_line_and_operation_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for (name, text) in [
        (
            "manifest.yaml",
            rule_fixture::hostile_manifest("sandbox-test").as_str(),
        ),
        ("parameters.yaml", PARAMETERS),
        ("items.yaml", ITEMS),
        ("messages.yaml", MESSAGES),
        ("recommend.rhai", RECOMMEND),
        ("hostile.rhai", "if op.id == \"bomb\" {\n    loop {}\n}\n"),
    ] {
        std::fs::write(rules.join(name), text).unwrap();
    }
    let catalog = dir.path().join("c.yaml");
    std::fs::write(
        &catalog,
        "operations:\n  - {id: fine, name: n, department: d, routine_share: 0.9}\n  - {id: bomb, name: n, department: d, routine_share: 0.9}\n",
    )
    .unwrap();
    let start = Instant::now();
    let out = assert_cmd::Command::cargo_bin("itaku")
        .unwrap()
        .env("NO_COLOR", "1")
        .args([
            "--lang",
            "en",
            "assess",
            "--format",
            "json",
            "--as-of",
            "2026-04-01",
        ])
        .arg(&catalog)
        .arg("--rules")
        .arg(&rules)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("hostile.rhai:2:"), "{stderr}");
    assert!(
        stderr.contains("rule `hostile` failed on operation `bomb`"),
        "{stderr}"
    );
    assert!(stderr.contains("exceeded the limit of"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["assessments"][0]["id"], "fine");
    assert_eq!(json["assessments"][0]["recommendation"], "outsource");
    assert_eq!(json["assessments"][1]["recommendation"], "study");
}
