//! Regression tests for the third hostile probe (issue 24, December 2026): arguments the commands
//! accepted, files they read without the loaders' guards, files they wrote through links or over a
//! user's work. Each test runs the command as a user would hit the problem.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{both, copy_dir, git, itaku, itaku_en, itaku_std, root, write};

/// Runs `cmd` and kills it after `limit`: a command that blocks on a FIFO must fail the test, not hang
/// the suite.
fn run_bounded(mut cmd: std::process::Command, limit: Duration) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn itaku");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return (status.code(), text);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("itaku did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---- Low 11: numbers and dates out of range are usage errors ---------------------------------------

#[test]
fn coverage_min_outside_0_to_100_is_a_usage_error() {
    for bad in ["NaN", "nan", "inf", "1e309", "101", "-1", "abc"] {
        let out = itaku_en(&["coverage", "catalog", &format!("--min={bad}")])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--min {bad}: {err}");
        assert!(err.contains("0 to 100"), "--min {bad}: {err}");
    }
    // In range, the threshold is applied: 100 % is not reached by the bundled catalog and cases… or is;
    // either way the command runs (exit 0 or 1, never a usage error).
    let out = itaku_en(&["coverage", "catalog", "--min", "50"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
}

#[test]
fn as_of_outside_1900_to_2999_is_a_usage_error() {
    for bad in ["0000-01-01", "1899-12-31", "3000-01-01"] {
        let out = itaku_en(&["assess", "catalog", "--as-of", bad])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--as-of {bad}: {err}");
        assert!(err.contains("1900-01-01 and 2999-12-31"), "{err}");
    }
    itaku_en(&[
        "assess",
        "catalog",
        "--as-of",
        "1900-01-01",
        "--format",
        "json",
    ])
    .assert()
    .code(predicates::ord::lt(2));
}

// ---- Low 9: `itaku test DIR` reads case files with the loaders' guards ------------------------------

/// A rule case directory: the bundled bases and one case file.
fn case_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/rules/bases.yaml"),
        dir.path().join("bases.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/rules/s2.yaml"),
        dir.path().join("s2.yaml"),
    )
    .unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn a_case_file_linked_to_dev_zero_is_refused_not_read_forever() {
    let dir = case_dir();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    let mut cmd = itaku_std();
    cmd.args(["--lang", "en", "test"]).arg(dir.path());
    let (code, text) = run_bounded(cmd, Duration::from_secs(60));
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("zero.yaml"), "{text}");
    assert!(text.contains("not a regular file"), "{text}");
    // The other case file still ran.
    assert!(
        text.contains("s2.yaml") || text.contains("passed"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_case_file_does_not_block() {
    let dir = case_dir();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    let mut cmd = itaku_std();
    cmd.args(["--lang", "en", "test"]).arg(dir.path());
    let (code, text) = run_bounded(cmd, Duration::from_secs(60));
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("pipe.yaml"), "{text}");
    assert!(text.contains("not a regular file"), "{text}");
}

#[test]
fn a_case_file_over_the_limit_is_refused() {
    let dir = case_dir();
    let big = "#".repeat(itaku::testcases::MAX_CASE_FILE_BYTES as usize + 1);
    write(dir.path(), "big.yaml", big);
    let out = itaku_en(&["test"]).arg(dir.path()).output().unwrap();
    let text = both(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("larger than the limit"), "{text}");
}

// ---- Low 10: the rule file limit applies to rules read from git -------------------------------------

#[test]
fn a_huge_rule_file_at_the_base_revision_is_refused_before_it_is_read() {
    let repo = tempfile::tempdir().unwrap();
    let rules = repo.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    // The base revision's messages file is 5 MiB (over the 4 MiB limit); the working copy is normal.
    let messages = rules.join("messages.yaml");
    let normal = std::fs::read(&messages).unwrap();
    let mut huge = normal.clone();
    huge.extend(std::iter::repeat_n(b'#', 5 << 20));
    std::fs::write(&messages, &huge).unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    std::fs::write(&messages, &normal).unwrap();
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
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("too large"), "{err}");
    assert!(err.contains("messages.yaml"), "{err}");
}

// ---- Low 4: option-like ids and Windows device names ------------------------------------------------

#[test]
fn option_like_and_device_ids_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (id, reason) in [
        ("-", "must not start with a hyphen"),
        ("--rf", "must not start with a hyphen"),
        ("--force", "must not start with a hyphen"),
        ("con", "Windows reserves"),
        ("nul", "Windows reserves"),
        ("lpt1", "Windows reserves"),
    ] {
        let catalog = write(
            dir.path(),
            "c.yaml",
            format!("operations:\n  - id: \"{id}\"\n    name: 名前\n    department: 総務部\n"),
        );
        let out = itaku_en(&["check"]).arg(&catalog).output().unwrap();
        let text = both(&out);
        assert_eq!(out.status.code(), Some(1), "{id}: {text}");
        assert!(text.contains(reason), "{id}: {text}");
        assert!(text.contains("c.yaml:2:"), "{id}: located: {text}");
    }
    assert!(itaku::catalog::OperationId::parse("a-").is_some());
    assert!(itaku::catalog::OperationId::parse("con1").is_some());
}

// ---- Low 8: one convention for commands that write a file a person edits ---------------------------

#[cfg(unix)]
#[test]
fn rules_export_force_never_writes_through_a_link_inside_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("myrules");
    itaku()
        .args(["rules", "export"])
        .arg(&target)
        .assert()
        .success();
    let outside = write(dir.path(), "precious.txt", "keep me\n");
    let script = target.join("scripts/gate_statutory.rhai");
    assert!(script.exists());
    std::fs::remove_file(&script).unwrap();
    std::os::unix::fs::symlink(&outside, &script).unwrap();
    let out = itaku_en(&["rules", "export", "--force"])
        .arg(&target)
        .output()
        .unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("symbolic link"), "{text}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep me\n");
}

#[test]
fn rules_export_into_a_new_directory_leaves_nothing_behind_on_failure() {
    // The target's parent is a file: the directory cannot be made. Nothing is created, and no staging
    // folder is left beside it.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "file", "x");
    let out = itaku_en(&["rules", "export"])
        .arg(dir.path().join("file/rules"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("file")]);
    // A successful export is complete and leaves no staging folder either.
    let target = dir.path().join("ok");
    itaku()
        .args(["rules", "export"])
        .arg(&target)
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".itaku")), "{names:?}");
    itaku::RuleSet::load_dir(&target).expect("the exported rules load");
}

#[test]
fn template_output_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let filled = write(dir.path(), "template.csv", "記入済み\n");
    let out = itaku_en(&["template", "--format", "csv", "--output"])
        .arg(&filled)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&filled).unwrap(), "記入済み\n");
    itaku_en(&["template", "--format", "csv", "--force", "--output"])
        .arg(&filled)
        .assert()
        .success();
    assert_ne!(std::fs::read_to_string(&filled).unwrap(), "記入済み\n");
}

#[cfg(unix)]
#[test]
fn template_output_onto_a_dangling_link_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("t.csv");
    std::os::unix::fs::symlink(dir.path().join("missing.csv"), &link).unwrap();
    itaku_en(&["template", "--format", "csv", "--output"])
        .arg(&link)
        .assert()
        .code(2);
    assert!(Path::new(&link)
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
}
