//! The binary as an installed tool: the standard rules built in (used from a directory with no `rules/`),
//! `itaku rules export`, and choosing operations with `assess --only`.

use std::path::Path;

use assert_cmd::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn itaku_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("itaku").expect("binary");
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn catalog_file() -> std::path::PathBuf {
    Path::new(ROOT).join("catalog/04_chiiki.yaml")
}

#[test]
fn the_embedded_rules_are_used_from_a_directory_without_rules() {
    let empty = tempfile::tempdir().unwrap();
    let embedded = stdout(
        itaku_in(empty.path())
            .args(["assess", "--as-of", "2026-04-01", "--format", "json"])
            .arg(catalog_file()),
    );
    let from_dir = stdout(
        itaku_in(Path::new(ROOT))
            .args(["assess", "--rules", "rules", "--as-of", "2026-04-01"])
            .args(["--format", "json"])
            .arg(catalog_file()),
    );
    assert_eq!(embedded, from_dir);
}

fn digest(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["rules"]["digest"].as_str().unwrap().to_string()
}

#[test]
fn exported_rules_give_the_same_digest_and_export_refuses_a_non_empty_directory() {
    let work = tempfile::tempdir().unwrap();
    stdout(itaku_in(work.path()).args(["rules", "export", "exported"]));
    let args = ["assess", "--as-of", "2026-04-01", "--format", "json"];
    let embedded = stdout(itaku_in(work.path()).args(args).arg(catalog_file()));
    let exported = stdout(
        itaku_in(work.path())
            .args(args)
            .args(["--rules", "exported"])
            .arg(catalog_file()),
    );
    assert_eq!(digest(&embedded), digest(&exported));
    let from_dir = stdout(
        itaku_in(Path::new(ROOT))
            .args(args)
            .args(["--rules", "rules"])
            .arg(catalog_file()),
    );
    assert_eq!(digest(&from_dir), digest(&exported));

    let again = itaku_in(work.path())
        .args(["--lang", "en", "rules", "export", "exported"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    stdout(itaku_in(work.path()).args(["rules", "export", "exported", "--force"]));
}
