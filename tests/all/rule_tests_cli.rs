//! `itaku test`: one case file or a directory, `--filter`, `--as-of` as the default date, and a mistake
//! in one case (an expectation, item id or field name) reported on that case, located and with a
//! suggestion, while the other cases still run. Japanese by default, English with `--lang en`.

use std::path::Path;

use assert_cmd::Command;

/// A directory with the standard `bases.yaml` and one case file.
fn cases(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules/bases.yaml"),
        dir.path().join("bases.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    dir
}

/// `itaku [--lang LANG] test ARGS…`: (exit code, stdout, stderr).
fn itaku_test(lang: &str, path: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("itaku")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(["--lang", lang, "test"])
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TYPOS: &str = "as_of: 2026-04-01
cases:
  - name: typo in an expectation
    base: candidate
    expect: {recomendation: outsource}
  - name: misspelled names
    base: candidate
    operation: {routine_shar: 0.9}
    expect:
      checklist: {s3-escalation-to-stff: high}
      not_checklist: [s5-fire-drill]
      missing: [hazard]
      contradictions: [[discretion, decision_step]]
  - name: a good case still runs
    base: candidate
    expect: {recommendation: outsource}
";

#[test]
fn a_typo_in_one_case_fails_that_case_only() {
    let dir = cases("typos.yaml", TYPOS);
    let (code, out, err) = itaku_test("en", &dir.path().join("typos.yaml"), &["-v"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.is_empty(), "no file-level problem: {err}");
    assert!(
        out.contains("FAIL typos.yaml:3 › typo in an expectation"),
        "{out}"
    );
    assert!(
        out.contains(
            "typos.yaml:5:14: unknown expectation `recomendation`: did you mean `recommendation`?"
        ),
        "{out}"
    );
    assert!(
        out.contains("ok   typos.yaml:14 › a good case still runs"),
        "{out}"
    );
    assert!(out.contains("rules: 1 passed, 2 failed"), "{out}");
}

#[test]
fn item_ids_and_field_names_in_cases_get_a_suggestion() {
    let dir = cases("typos.yaml", TYPOS);
    let (_, out, _) = itaku_test("en", &dir.path().join("typos.yaml"), &[]);
    for expected in [
        "typos.yaml:8:17: unknown operation field `routine_shar`: did you mean `routine_share`?",
        "typos.yaml:10:19: unknown checklist item `s3-escalation-to-stff`: did you mean `s3-escalation-to-staff`?",
        "typos.yaml:11:23: unknown checklist item `s5-fire-drill`: did you mean `s5-fire-drills`?",
        "typos.yaml:12:17: unknown field `hazard`: did you mean `hazards`?",
        "typos.yaml:13:37: unknown field `decision_step`: did you mean `decision_steps`?",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
}

#[test]
fn every_line_is_japanese_by_default() {
    let dir = cases("typos.yaml", TYPOS);
    let (code, out, _) = itaku_test("ja", &dir.path().join("typos.yaml"), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("不合格 typos.yaml:3 › typo in an expectation"),
        "{out}"
    );
    assert!(
        out.contains("不明な期待 `recomendation`: `recommendation` の誤りではありませんか?"),
        "{out}"
    );
    assert!(
        out.contains("ルールのテスト: 合格 1件、不合格 2件"),
        "{out}"
    );
    assert!(!out.contains("did you mean"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}

#[test]
fn filter_keeps_the_cases_whose_name_contains_the_text() {
    let dir = cases("typos.yaml", TYPOS);
    let (code, out, _) = itaku_test(
        "en",
        &dir.path().join("typos.yaml"),
        &["--filter", "GOOD CASE"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("rules: 1 passed, 0 failed"), "{out}");
    let (code, out, err) = itaku_test("en", dir.path(), &["--filter", "no such case"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("no case matches --filter"), "{err}");
}

/// Evacuation cover for non-employees applies from 2025-04-01 (s5.non_employee_measures).
const DATED: &str = "cases:
  - name: the default date decides
    base: onsite_team
    expect: {checklist: {s5-non-employee-hazard-measures: low}}
  - name: a case with its own date keeps it
    base: onsite_team
    as_of: 2025-03-31
    expect: {not_checklist: [s5-non-employee-hazard-measures]}
";

#[test]
fn as_of_is_the_date_of_cases_that_name_none() {
    let dir = cases("dated.yaml", DATED);
    let file = dir.path().join("dated.yaml");
    let (code, out, _) = itaku_test("en", &file, &["--as-of", "2025-04-01"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("rules: 2 passed, 0 failed"), "{out}");
    let (code, out, _) = itaku_test("en", &file, &["--as-of", "2025-03-31"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL dated.yaml:2 › the default date decides"),
        "{out}"
    );
    assert!(out.contains("rules: 1 passed, 1 failed"), "{out}");
}

#[test]
fn a_file_that_is_not_a_case_file_is_reported_and_the_others_still_run() {
    let dir = cases("dated.yaml", DATED);
    std::fs::write(dir.path().join("broken.yaml"), "casses: []\n").unwrap();
    let (code, out, err) = itaku_test("en", dir.path(), &["--as-of", "2025-04-01"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("broken.yaml:1:1"), "{err}");
    assert!(
        err.contains("unknown key `casses`: did you mean `cases`?"),
        "{err}"
    );
    assert!(out.contains("rules: 2 passed, 0 failed"), "{out}");
}
