//! Catalog format versions (issue 23 point 15): an older file is read with a warning that names what to
//! check, and `itaku migrate` writes the current version, keeping every other byte and a backup, and
//! lists the judgement calls located at their fields.

use crate::support::{both, itaku_en, write};

/// A 2026.1 file (no `format:`): a decision step that reads like oversight, an on-site headcount, tax
/// data marked sensitive, and a second entry whose fields kept their meaning.
const OLD: &str = r"# 旧形式のカタログ (comments are kept)
operations:
  - id: tax-office
    name: 住民税の賦課
    department: 財務部
    legal_basis: [地方税法]
    personal_data: sensitive
    decision_steps: [仕様の決定, 賦課決定]
    onsite_headcount: 3
  # between entries
  - id: plain
    name: 清掃
    department: 総務部
";

#[test]
fn an_older_file_is_read_with_one_located_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "old.yaml", OLD);
    let out = itaku_en(&["check"]).arg(&file).output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "warnings only: {text}");
    assert_eq!(text.matches("[catalog::format]").count(), 1, "{text}");
    assert!(
        text.contains("catalog format 1 (rules 2026.1, no `format:` given)"),
        "{text}"
    );
    assert!(
        text.contains("1 operations use fields whose meaning has changed"),
        "{text}"
    );
    assert!(text.contains("(4 places to check)"), "{text}");
    assert!(text.contains("itaku migrate"), "{text}");
    // The same file declaring the current format: no warning.
    let current = write(dir.path(), "new.yaml", format!("format: 3\n{OLD}"));
    let out = itaku_en(&["check"]).arg(&current).output().unwrap();
    assert!(!both(&out).contains("[catalog::format]"), "{}", both(&out));
    // An older file whose entries use no changed field: read silently (its answers did not change).
    let plain = write(
        dir.path(),
        "plain.yaml",
        "operations:\n  - id: a\n    name: 清掃\n    department: 総務部\n",
    );
    let out = itaku_en(&["check"]).arg(&plain).output().unwrap();
    assert!(!both(&out).contains("[catalog::format]"), "{}", both(&out));
}

#[test]
fn migrate_writes_the_version_keeps_every_other_byte_and_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "old.yaml", OLD);
    let out = itaku_en(&["migrate"]).arg(&file).output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let migrated = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        migrated,
        OLD.replacen("\noperations:\n", "\nformat: 3\noperations:\n", 1)
    );
    let backup = dir.path().join("old.yaml.format1.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), OLD);
    // The judgement calls, each located at its field.
    assert_eq!(
        text.matches("[migrate::judgement-call]").count(),
        4,
        "{text}"
    );
    assert!(
        text.contains("old.yaml:8:22"),
        "the oversight-like step: {text}"
    );
    assert!(text.contains("「仕様の決定」 contains 「仕様」"), "{text}");
    assert!(text.contains("old.yaml:9:5"), "onsite_headcount: {text}");
    assert!(text.contains("old.yaml:7:5"), "sensitive tax data: {text}");
    assert!(text.contains("tax_secrecy: true"), "{text}");
    assert!(text.contains("rewritten from format 1 to 3"), "{text}");
    // The migrated file loads without the warning; a second run changes nothing.
    let out = itaku_en(&["check"]).arg(&file).output().unwrap();
    assert!(!both(&out).contains("[catalog::format]"));
    let out = itaku_en(&["migrate"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(both(&out).contains("already in the current format 3"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), migrated);
}

#[test]
fn dry_run_and_output_leave_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "old.yaml", OLD);
    let out = itaku_en(&["migrate", "--dry-run"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(both(&out).contains("nothing written, --dry-run"));
    let target = dir.path().join("new.yaml");
    itaku_en(&["migrate", "--output"])
        .arg(&target)
        .arg(&file)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), OLD);
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("\nformat: 3\noperations:\n"));
    // No backup with --output or --dry-run (the writers' lock file `.old.yaml.itaku-lock` aside).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn a_file_with_errors_or_a_bad_version_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let broken = OLD.replace("onsite_headcount: 3", "onsite_headcount: many");
    let file = write(dir.path(), "broken.yaml", &broken);
    let out = itaku_en(&["migrate"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(both(&out).contains("a file with errors is not rewritten"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
    // An unknown version is a located error in every command.
    let bad = write(dir.path(), "bad.yaml", format!("format: 9\n{OLD}"));
    let out = itaku_en(&["check"]).arg(&bad).output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("bad.yaml:1:9"), "{text}");
    assert!(
        text.contains("`format` must be an integer from 1 to 3 (found 9)"),
        "{text}"
    );
    // A misspelt key is suggested.
    let typo = write(dir.path(), "typo.yaml", format!("fromat: 3\n{OLD}"));
    let out = itaku_en(&["check"]).arg(&typo).output().unwrap();
    assert!(
        both(&out).contains("did you mean `format`?"),
        "{}",
        both(&out)
    );
}

#[test]
fn the_bundled_catalog_is_in_the_current_format() {
    for entry in std::fs::read_dir(crate::support::root().join("catalog")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&format!(
                "\nformat: {}\noperations:\n",
                itaku::catalog::format::CURRENT_FORMAT
            )),
            "{}",
            path.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn migrate_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = write(dir.path(), "real.yaml", OLD);
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = itaku_en(&["migrate"]).arg(&link).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&real).unwrap(), OLD);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}
