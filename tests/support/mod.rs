//! What the integration tests share: the repository root, the `itaku` binary run from it, fixture
//! writing and copying, and the small fixture modules below.

#![allow(dead_code)]

pub mod rule_fixture;
pub mod server;
pub mod synthetic;

use std::path::{Path, PathBuf};

/// The repository root: the bundled `catalog/` and `rules/` and the `tests/` fixtures.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `itaku` binary, run from the repository root without colours.
pub fn itaku() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("itaku").expect("binary");
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// `itaku --lang en ARGS…`, from the repository root.
pub fn itaku_en(args: &[&str]) -> assert_cmd::Command {
    let mut c = itaku();
    c.args(["--lang", "en"]).args(args);
    c
}

/// The same as a `std::process::Command`, for tests that spawn and signal the child themselves.
pub fn itaku_std() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("itaku"));
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

/// Copies a directory tree (`to` is created).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fresh copy of the standard rules (`rules/`) to change in a test.
pub fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    dir
}

/// The bundled catalog assessed with the standard rules as of 2026-04-01 (both load without a
/// problem), and the rules.
pub fn bundled_report() -> (itaku::Report, itaku::rules::CompiledRules) {
    use std::sync::Arc;
    let set = Arc::new(
        itaku::rules::RuleSet::load_dir(root().join("rules")).expect("standard rules load"),
    );
    let rules = itaku::rules::CompiledRules::compile(set, "2026-04-01".parse().unwrap())
        .expect("rules compile");
    let mut loaded = itaku::catalog::load_path(&root().join("catalog"));
    let vocabulary = itaku::check::check_vocabulary(&mut loaded.catalog, &rules.rules);
    assert!(loaded.diagnostics.is_empty() && vocabulary.is_empty());
    (itaku::assess_catalog(&loaded.catalog, &rules), rules)
}

/// `itaku --lang en assess --as-of 2026-04-01 --format FORMAT`, from the repository root.
pub fn assess_en(format: &str) -> assert_cmd::Command {
    let mut c = itaku();
    c.args([
        "--lang",
        "en",
        "assess",
        "--as-of",
        "2026-04-01",
        "--format",
        format,
    ]);
    c
}

/// The ids of the assessments of an `assess --format json` output, in order.
pub fn assessed_ids(json: &[u8]) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(json).unwrap();
    doc["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// Standard output and standard error of a finished command, together (for messages that may go to
/// either).
pub fn both(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `git ARGS…` in `dir` as a fixed author, and asserts it succeeded.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
