//! The policy staff's rule test cases through the command they use, `itaku test`. Every case file of
//! `tests/rules/` already runs in-process as its own test (`tests/rule_files.rs`); here one case file
//! goes through the binary as a smoke test of the command, and a failing case shows its report.

use crate::support::{itaku, itaku_en};

#[test]
fn rule_test_cases_pass() {
    let out = itaku_en(&["test", "tests/rules/gate.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn a_failing_case_is_reported_with_the_rules_behind_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules/bases.yaml"),
        dir.path().join("bases.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("wrong.yaml"),
        "as_of: 2026-04-01\ncases:\n  - name: deliberately wrong\n    base: candidate\n    operation: {statutory_staff_only: true, legal_basis: [戸籍法第3条]}\n    expect: {recommendation: outsource, points: {C1: 1}}\n",
    )
    .unwrap();
    let out = itaku_en(&["test"]).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL wrong.yaml:3 › deliberately wrong"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("recommendation: expected outsource, got in_house (gate-statutory excluded:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("points C1: expected 1, got 5 (reasons: 90% routine"),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn rules_reference_is_up_to_date() {
    let out = itaku().args(["rules", "--format", "md"]).output().unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .unwrap_or_default();
    assert!(
        committed == String::from_utf8_lossy(&out.stdout),
        "docs/rules.md is out of date: run `cargo run -- rules --format md --output docs/rules.md`"
    );
}
