//! Rule scripts are checked from their syntax tree when they load (`itaku check`, `assess`): every
//! literal parameter, message key, item id, field and severity, located and with a suggestion. A rule
//! that fails at run time is reported once per failure with a count, the first operations and its source
//! line, in words a rule author understands.

use crate::support::{assess_en, itaku, rules_copy};
use std::path::{Path, PathBuf};

/// A copy of the standard rules with the C5 script replaced.
fn rules_with_c5(body: &str) -> tempfile::TempDir {
    let dir = rules_copy();
    std::fs::write(dir.path().join("scripts/c5_facilities.rhai"), body).unwrap();
    dir
}

fn catalog(dir: &Path) -> PathBuf {
    let path = dir.join("catalog.yaml");
    let mut text = String::from("operations:\n");
    for id in ["first-op", "second-op", "third-op", "fourth-op", "fifth-op"] {
        text.push_str(&format!(
            "  - id: {id}\n    name: 業務 {id}\n    department: 総務部\n    statutory_staff_only: false\n    public_authority: none\n    routine_share: 0.9\n    difficulty: 2\n"
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// `itaku [--lang en] check --rules RULES CATALOG` with the C5 script replaced: (exit code, stderr).
fn check(body: &str, lang: &str) -> (i32, String) {
    let rules = rules_with_c5(body);
    let dir = tempfile::tempdir().unwrap();
    let out = itaku()
        .args(["--lang", lang, "check", "--rules"])
        .arg(rules.path())
        .arg(catalog(dir.path()))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_parameter_name_after_a_space_is_checked() {
    let (code, err) = check(
        "// C5\nlet n = op.maintenance_contracts;\nif n != () && n >= param( \"c5.contract.bundle\") { points(\"C5\", 3, \"c5.bundle\", [n]); }\n",
        "en",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("c5_facilities.rhai:3:28"), "{err}");
    assert!(
        err.contains("unknown parameter `c5.contract.bundle` (not in parameters.yaml)"),
        "{err}"
    );
    assert!(err.contains("did you mean `c5.contracts.bundle`?"), "{err}");
    assert!(
        err.contains("param( \"c5.contract.bundle\")"),
        "the line is shown: {err}"
    );
}

#[test]
fn a_misspelled_message_key_is_caught_at_load() {
    let (code, err) = check(
        "// C5\nif op.facilities != () { points(\"C5\", 2, \"c5.facilities_mny\", [op.facilities]); }\n",
        "en",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("c5_facilities.rhai:2:43"), "{err}");
    assert!(
        err.contains("unknown message `c5.facilities_mny` (not in messages.yaml)"),
        "{err}"
    );
    assert!(err.contains("did you mean `c5.facilities_many`?"), "{err}");
}

#[test]
fn a_misspelled_item_and_severity_are_caught_at_load() {
    let (code, err) = check(
        "// C5\nflag(\"s3-escalation-to-stff\", \"high\");\nflag(\"s3-escalation-to-staff\", \"hgih\");\nlet n = count_items(\"meduim\");\n",
        "en",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("c5_facilities.rhai:2:7"), "{err}");
    assert!(
        err.contains("unknown checklist item `s3-escalation-to-stff`"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `s3-escalation-to-staff`?"),
        "{err}"
    );
    assert!(err.contains("c5_facilities.rhai:3:33"), "{err}");
    assert!(
        err.contains("unknown severity `hgih`: expected one of high, medium, low"),
        "{err}"
    );
    assert!(err.contains("did you mean `high`?"), "{err}");
    assert!(err.contains("c5_facilities.rhai:4:22"), "{err}");
    assert!(err.contains("unknown severity `meduim`"), "{err}");
}

#[test]
fn fields_named_in_calls_are_checked() {
    let (code, err) = check(
        "// C5\nif op.facilities == () { missing(\"facilites\"); }\ncontradiction(\"c5.bundle\", [\"facilities\", \"maintenance_contract\"]);\n",
        "en",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("c5_facilities.rhai:2:35"), "{err}");
    assert!(
        err.contains("operations have no field `facilites`"),
        "{err}"
    );
    assert!(err.contains("did you mean `facilities`?"), "{err}");
    assert!(err.contains("c5_facilities.rhai:3:44"), "{err}");
    assert!(
        err.contains("did you mean `maintenance_contracts`?"),
        "{err}"
    );
}

#[test]
fn a_standard_clause_raised_as_a_risk_is_an_error() {
    let (code, err) = check(
        "// C5\nflag(\"s6-personal-data-terms\", \"high\");\nclause(\"s6-my-number\");\n",
        "en",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("rules::item-kind"), "{err}");
    assert!(
        err.contains("`s6-personal-data-terms` is a standard clause (standard: true): raise it with clause(\"s6-personal-data-terms\")"),
        "{err}"
    );
    assert!(
        err.contains(
            "`s6-my-number` is a risk item: raise it with flag(\"s6-my-number\", severity)"
        ),
        "{err}"
    );
}

#[test]
fn field_names_inside_strings_and_computed_names_are_not_reported() {
    let (code, err) = check(
        "// C5: op.not_a_field in a comment\nlet s = \"op.not_a_field in a string\";\nlet key = \"c5.\" + \"bundle\";\nif op.facilities != () { note(key); }\n",
        "en",
    );
    assert!(!err.contains("not_a_field"), "{err}");
    assert!(!err.contains("rules::"), "{err}");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn load_time_checks_are_in_japanese_by_default() {
    let (code, err) = check("// C5\nlet x = param( \"c5.contract.bundle\");\n", "ja");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ルール `criterion-c5`: パラメータ `c5.contract.bundle` は定義されていません"),
        "{err}"
    );
    assert!(
        err.contains("`c5.contracts.bundle` の誤りではありませんか?"),
        "{err}"
    );
}

/// `itaku assess` with a C5 script that divides text by a number on every operation.
fn assess_failing(lang: &str, jsonl: bool) -> (i32, String, String) {
    let rules = rules_with_c5("// C5\nlet share = op.name / 2;\n");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itaku();
    cmd.args(["--lang", lang, "assess", "--as-of", "2026-04-01", "--rules"])
        .arg(rules.path());
    if jsonl {
        let path = dir.path().join("catalog.jsonl");
        let lines: String = ["a-op", "b-op", "c-op", "d-op", "e-op"]
            .iter()
            .map(|id| {
                format!("{{\"id\": \"{id}\", \"name\": \"業務\", \"department\": \"総務部\"}}\n")
            })
            .collect();
        std::fs::write(&path, lines).unwrap();
        cmd.arg(path).args(["--format", "jsonl"]);
    } else {
        cmd.arg(catalog(dir.path())).args(["--format", "json"]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_rule_failing_on_many_operations_is_reported_once_with_its_line() {
    let (code, stdout, err) = assess_failing("en", false);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("error[rules::runtime]").count(), 1, "{err}");
    assert!(err.contains("c5_facilities.rhai:2:21"), "{err}");
    assert!(
        err.contains("rule `criterion-c5` failed on 5 operations (`first-op`, `second-op`, `third-op` and 2 more): cannot divide text by a number: `/` is not defined for (string, integer)"),
        "{err}"
    );
    assert!(
        err.contains("let share = op.name / 2;"),
        "the source line is shown: {err}"
    );
    // The assessment document carries the same sentence, in both languages.
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let message = doc["assessments"][0]["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("cannot divide text by a number")
            && message.contains("文字列を整数で割ることはできません"),
        "{message}"
    );
}

#[test]
fn grouped_rule_failures_are_in_japanese_by_default() {
    let (code, _, err) = assess_failing("ja", false);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ルール `criterion-c5` が 5件の業務 (`first-op`, `second-op`, `third-op` ほか2件) で失敗しました: 文字列を整数で割ることはできません: `/` は (文字列, 整数) に対して定義されていません"),
        "{err}"
    );
}

#[test]
fn a_streamed_catalog_groups_rule_failures_too() {
    let (code, stdout, err) = assess_failing("en", true);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        stdout.lines().count(),
        5,
        "every operation is still written"
    );
    assert_eq!(err.matches("error[rules::runtime]").count(), 1, "{err}");
    assert!(
        err.contains(
            "rule `criterion-c5` failed on 5 operations (`a-op`, `b-op`, `c-op` and 2 more)"
        ),
        "{err}"
    );
    assert!(err.contains("5 rule errors"), "{err}");
}

#[test]
fn an_unknown_fact_in_arithmetic_is_explained() {
    let rules = rules_with_c5("// C5\nlet more = op.facilities + 1;\n");
    let dir = tempfile::tempdir().unwrap();
    let out = assess_en("json")
        .arg("--rules")
        .arg(rules.path())
        .arg(catalog(dir.path()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "cannot add a number to an unknown fact `()`: `+` is not defined for ((), integer)"
        ),
        "{err}"
    );
    assert!(err.contains("known(op.…)"), "{err}");
}
