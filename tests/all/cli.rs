//! End-to-end CLI behaviour: each class of bad input gives a located, actionable message and the
//! documented exit status (0 success, 1 findings, 2 usage or unreadable input).
//!
//! The cases whose whole output is stable are data in `tests/cmd/` (run by `cmd.rs`): catalog
//! diagnostics, usage errors, `--help`. What stays here needs Rust: rules changed in a temporary copy,
//! a git repository made for the test, output files, JSON read back, runs compared with each other.

use crate::support::{assess_en, assessed_ids, copy_dir, itaku, itaku_en, root, rules_copy, write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const OK_OP: &str = "  - id: ok-op\n    name: 正常な業務\n    department: 総務部\n    statutory_staff_only: false\n    public_authority: none\n    routine_share: 0.9\n    difficulty: 2\n";

/// Runs `itaku --lang en check FILE` on a one-file catalog and returns (exit code, stderr).
fn check_catalog(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "catalog.yaml", text);
    let out = itaku_en(&["check"]).arg(&file).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the standard rules with one script replaced.
fn rules_with(script: &str, body: &str) -> tempfile::TempDir {
    let dir = rules_copy();
    std::fs::write(dir.path().join("scripts").join(script), body).unwrap();
    dir
}

fn two_op_catalog(dir: &Path) -> PathBuf {
    let second = "  - id: second-op\n    name: 二番目\n    department: 総務部\n    statutory_staff_only: false\n    public_authority: none\n    routine_share: 0.4\n    difficulty: 2\n";
    write(dir, "catalog.yaml", format!("operations:\n{OK_OP}{second}"))
}

/// Runs `itaku --lang en check` on the two-operation catalog with the standard rules whose C1 script is
/// `body`; returns (exit code, stderr).
fn check_with_c1(body: &str) -> (Option<i32>, String) {
    let rules = rules_with("c1_routine_volume.rhai", body);
    let dir = tempfile::tempdir().unwrap();
    let catalog = two_op_catalog(dir.path());
    let out = itaku_en(&["check", "--rules"])
        .arg(rules.path())
        .arg(&catalog)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rule_syntax_error_names_file_line_and_column() {
    let (code, err) =
        check_with_c1("let x = 1;\nif x > { points(\"C1\", 1, \"c1.manuals_complete\"); }\n");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("c1_routine_volume.rhai:3:1"), "{err}");
    assert!(
        err.contains(
            "rule `criterion-c1` does not compile: Expecting '{' to start a statement block"
        ),
        "{err}"
    );
}

#[test]
fn undefined_variable_is_a_compile_error() {
    let (code, err) =
        check_with_c1("if routine > 0.5 { points(\"C1\", 1, \"c1.manuals_complete\"); }\n");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("c1_routine_volume.rhai:1:4"), "{err}");
    assert!(err.contains("routine"), "{err}");
}

#[test]
fn misspelled_field_in_a_rule_is_an_error_with_a_suggestion() {
    let (code, err) = check_with_c1(
        "// C1\nif op.routine_shar > 0.5 { points(\"C1\", 1, \"c1.manuals_complete\"); }\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("c1_routine_volume.rhai:2:7"), "{err}");
    assert!(
        err.contains("operations have no field `routine_shar`"),
        "{err}"
    );
    assert!(err.contains("did you mean `routine_share`?"), "{err}");
}

#[test]
fn misspelled_parameter_is_caught_at_load() {
    let (code, err) = check_with_c1("if op.routine_share > param(\"c1.routine_share.hi\") { points(\"C1\", 1, \"c1.manuals_complete\"); }\n");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("unknown parameter `c1.routine_share.hi`"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `c1.routine_share.high`?"),
        "{err}"
    );
}

#[test]
fn endless_loop_is_halted_and_other_operations_are_still_assessed() {
    // Loops only for the first operation: the second must still be assessed normally.
    let rules = rules_with("c5_facilities.rhai", "if op.id == \"ok-op\" { loop { } }\n");
    let dir = tempfile::tempdir().unwrap();
    let catalog = two_op_catalog(dir.path());
    let started = Instant::now();
    let out = assess_en("json")
        .arg("--rules")
        .arg(rules.path())
        .arg(&catalog)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("c5_facilities.rhai:1:"), "{err}");
    assert!(
        err.contains("rule `criterion-c5` failed on operation `ok-op`"),
        "{err}"
    );
    assert!(err.contains("exceeded the limit of"), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ops = doc["assessments"].as_array().unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0]["recommendation"], "study");
    assert_eq!(ops[0]["errors"][0]["rule"], "criterion-c5");
    assert!(ops[1].get("errors").is_none());
    assert_eq!(
        ops[1]["criteria"][0]["reasons"][0],
        "40% routine: mostly non-routine"
    );
}

#[test]
fn runtime_error_names_rule_line_and_operation() {
    let rules = rules_with("c5_facilities.rhai", "// C5\nlet x = op.facilities + 1;\n");
    let dir = tempfile::tempdir().unwrap();
    let catalog = two_op_catalog(dir.path());
    let out = assess_en("json")
        .arg("--rules")
        .arg(rules.path())
        .arg(&catalog)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("c5_facilities.rhai:2:"), "{err}");
    assert!(err.contains("`second-op`"), "{err}");
}

#[test]
fn output_file_is_written_whole_and_kept_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = two_op_catalog(dir.path());
    let out_file = dir.path().join("result.json");
    itaku()
        .args([
            "assess",
            "--format",
            "json",
            "--as-of",
            "2026-04-01",
            "--output",
        ])
        .arg(&out_file)
        .arg(&catalog)
        .assert()
        .success();
    let first = std::fs::read_to_string(&out_file).unwrap();
    assert!(first.contains("\"second-op\""));
    // A run that fails (unreadable rules) leaves the previous result untouched.
    itaku()
        .args([
            "assess",
            "--format",
            "json",
            "--rules",
            "no/such/rules",
            "--output",
        ])
        .arg(&out_file)
        .arg(&catalog)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), first);
}

#[test]
fn table_output_shows_labels_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = two_op_catalog(dir.path());
    let out = itaku()
        .args(["assess", "--format", "table", "--as-of", "2026-04-01"])
        .arg(&catalog)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok-op"), "{text}");
    assert!(text.contains("判定"), "{text}");
    assert!(text.contains("合計 2件"), "{text}");
}

#[test]
fn assessment_is_byte_identical_across_runs() {
    let run = || {
        itaku()
            .args(["assess", "--format", "json", "--as-of", "2026-04-01"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

// Checks that need the rule set (rules 2026.2): the hazards vocabulary, contradictions, decisive facts.

#[test]
fn a_misspelled_hazard_is_located_with_a_suggestion_and_the_operation_is_skipped() {
    let text = format!(
        "operations:\n{OK_OP}  - id: trees\n    name: 剪定\n    department: 土木部\n    hazards: [hieghts, machinery]\n"
    );
    let (code, err) = check_catalog(&text);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[catalog::unknown-hazard]"), "{err}");
    assert!(err.contains("catalog.yaml:12:15"), "{err}");
    assert!(err.contains("did you mean `heights`?"), "{err}");
    // `assess` skips the broken entry and says so with exit 1; the other operation is still assessed.
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "catalog.yaml", &text);
    let out = itaku_en(&["assess", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let ids = assessed_ids(&out.stdout);
    assert_eq!(ids, ["ok-op"]);
}

#[test]
fn a_misspelled_hazard_in_a_stream_is_located_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "c.jsonl",
        "{\"id\":\"a\",\"name\":\"A\",\"department\":\"D\"}\n{\"id\":\"b\",\"name\":\"B\",\"department\":\"D\",\"hazards\":[\"nigth_work\"]}\n",
    );
    let out = itaku_en(&["assess", "--format", "jsonl"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("c.jsonl:2:"), "{err}");
    assert!(err.contains("did you mean `night_work`?"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

// explain, what-if, diff, coverage (issue 9).

#[test]
fn explain_shows_each_rule_and_an_unknown_id_suggests_the_nearest() {
    let out = itaku_en(&["explain", "counter-back-offce", "--as-of", "2026-04-01"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nearest ids: counter-back-office"), "{err}");
    let out = itaku_en(&[
        "explain",
        "counter-back-office",
        "--as-of",
        "2026-04-01",
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let x: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(x["outcome"]["recommendation"], "partial");
    let steps = x["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 18, "every rule of the standard set");
    // The method rule runs last; its fits are in the step, the ranking in the outcome.
    let last = steps.last().unwrap();
    assert_eq!(last["kind"], "method");
    assert!(last["produced"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["kind"] == "fit" && o["method"] == "worker_dispatch"));
    let ranked: Vec<&str> = x["outcome"]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    let at = |m: &str| ranked.iter().position(|r| *r == m).unwrap();
    assert!(
        at("worker_dispatch") < at("consignment"),
        "staff direct the back office: {ranked:?}"
    );
    let c1 = steps.iter().find(|s| s["rule"] == "criterion-c1").unwrap();
    assert!(c1["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "c1.routine_share.high" && p["since"] == "2020-04-01"));
}

#[test]
fn print_in_a_rule_goes_into_the_trace_never_to_standard_output() {
    let dir = rules_copy();
    let script = dir.path().join("scripts/c5_facilities.rhai");
    let text = std::fs::read_to_string(&script).unwrap();
    std::fs::write(
        &script,
        format!("print(\"hello from c5\");\ndebug(op.facilities);\n{text}"),
    )
    .unwrap();
    let out = assess_en("json")
        .arg("--rules")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hello from c5"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hello from c5"));
    let out = itaku_en(&[
        "explain",
        "ward-office-cleaning",
        "--as-of",
        "2026-04-01",
        "--rules",
    ])
    .arg(dir.path())
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("print: hello from c5"), "{text}");
    assert!(
        text.contains("print (2): 6"),
        "debug carries its line: {text}"
    );
}

#[test]
fn diff_reports_a_future_dated_parameter_with_exit_1() {
    let dir = rules_copy();
    let params = dir.path().join("parameters.yaml");
    let text = std::fs::read_to_string(&params).unwrap();
    let from = "      - {from: 2020-04-01, value: 0.1}\n";
    assert_eq!(text.matches(from).count(), 1);
    std::fs::write(
        &params,
        text.replace(
            from,
            &format!("{from}      - {{from: 2027-04-01, value: 2.0}}\n"),
        ),
    )
    .unwrap();
    let out = itaku_en(&[
        "diff",
        "--as-of",
        "2027-04-01",
        "--base-as-of",
        "2026-04-01",
        "--rules",
    ])
    .arg(dir.path())
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("tc.min_freed_fte: 0.1 (2020-04-01) → 2 (2027-04-01)"),
        "{text}"
    );
    assert!(text.contains("→ study"), "{text}");
    // Without the future date, nothing changes: exit 0.
    let out = itaku_en(&[
        "diff",
        "--as-of",
        "2026-04-01",
        "--base-as-of",
        "2026-04-01",
        "--rules",
    ])
    .arg(dir.path())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no result changed"));
}

#[test]
fn coverage_min_fails_below_the_threshold() {
    let out = itaku_en(&[
        "coverage",
        "--as-of",
        "2026-04-01",
        "--cases",
        "tests/fixtures",
        "--min",
        "100",
    ])
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("never: s3-single-resident-worker"), "{text}");
    let out = itaku_en(&[
        "coverage",
        "--as-of",
        "2026-04-01",
        "--no-catalog",
        "--min",
        "100",
    ])
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn diff_reads_the_base_rules_from_a_git_revision_written_before_parameter_types() {
    let repo = tempfile::tempdir().unwrap();
    let rules = repo.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    copy_dir(&root().join("rules"), &rules);
    // The committed revision is written the 2026.1 way: parameters without `type:`.
    let params = rules.join("parameters.yaml");
    let untyped: String = std::fs::read_to_string(&params)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("type:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&params, &untyped).unwrap();
    let git = |args: &[&str]| crate::support::git(repo.path(), args);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    // The working copy raises one threshold.
    let from = "      - {from: 2020-04-01, value: 0.1}\n";
    assert_eq!(untyped.matches(from).count(), 1);
    std::fs::write(
        &params,
        untyped.replace(from, "      - {from: 2020-04-01, value: 5.0}\n"),
    )
    .unwrap();
    let out = itaku_en(&[
        "diff",
        "catalog",
        "--as-of",
        "2026-04-01",
        "--base-rev",
        "HEAD",
        "--rules",
    ])
    .arg(&rules)
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("[HEAD:"), "{text}");
    assert!(
        text.contains("tc.min_freed_fte: 0.1 (2020-04-01) → 5 (2020-04-01)"),
        "{text}"
    );
}

/// A copy of the standard rules with the first `{0|pct}` of a message template replaced by `with`.
fn rules_with_template(with: &str) -> tempfile::TempDir {
    let dir = rules_copy();
    let path = dir.path().join("messages.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("messages:").unwrap();
    let at = start + text[start..].find("{0|pct}").unwrap();
    let broken = format!("{}{with}{}", &text[..at], &text[at + "{0|pct}".len()..]);
    std::fs::write(&path, broken).unwrap();
    dir
}

#[test]
fn a_template_with_an_unknown_style_is_a_located_load_error() {
    let rules = rules_with_template("{0|pcnt}");
    let out = itaku_en(&["check", "--rules"])
        .arg(rules.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[rules::template]"), "{err}");
    // The placeholder's line and column (in characters) in the edited file.
    let text = std::fs::read_to_string(rules.path().join("messages.yaml")).unwrap();
    let (line, col) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("{0|pcnt}")
                .map(|c| (i + 1, l[..c].chars().count() + 1))
        })
        .unwrap();
    assert!(
        err.contains(&format!("messages.yaml:{line}:{col}: ")),
        "{err}"
    );
    assert!(err.contains("unknown style `pcnt`"), "{err}");
    assert!(err.contains("did you mean `pct`?"), "{err}");
}

#[test]
fn a_placeholder_no_call_can_fill_is_a_located_load_error() {
    let rules = rules_with_template("{5|pct}");
    let out = itaku_en(&["check", "--rules"])
        .arg(rules.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[rules::template-arguments]"), "{err}");
    assert!(err.contains("c1_routine_volume.rhai:"), "{err}");
    assert!(
        err.contains(": rule `criterion-c1`: message `c1.routine_high` uses 6 arguments but this call passes 1"),
        "{err}"
    );
}
