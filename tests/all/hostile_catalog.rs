//! Hostile and broken catalogs: each gives a located error, or is handled as documented in
//! docs/robustness.md, in bounded time — never a panic. Through the library (`parse_str`, `load_path`)
//! and, for the inputs that reach the file system, through the `itaku` binary.
//!
//! Also here: `--output` never loses or truncates a file, and the committed fuzz corpora replay through
//! the fuzz targets' code paths so that CI runs the fuzzers' regressions without the fuzzer.

use crate::support::{self, root, write};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use itaku::catalog::{load_path, operation_from_json, parse_str, LoadedCatalog, MAX_YAML_BYTES};
use itaku::diag::Severity;
use itaku::rules::{CompiledRules, RuleSet};

/// Problems reported per file before the loader stops (`MAX_PROBLEMS_PER_FILE` in src/catalog/load.rs).
const MAX_PROBLEMS_PER_FILE: usize = 200;

/// A generous hang guard (debug build on a shared 2-core machine), not a benchmark.
const HANG_GUARD: Duration = Duration::from_secs(10);

const OK_OP: &str = "  - id: ok-op\n    name: 正常な業務\n    department: 総務部\n";

fn itaku() -> Command {
    let mut c = support::itaku();
    c.timeout(Duration::from_secs(60));
    c
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/hostile").join(name)
}

/// Parses text with a hang guard and returns the result.
fn parse(text: &str) -> LoadedCatalog {
    let start = Instant::now();
    let loaded = parse_str("hostile.yaml", text);
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    loaded
}

fn load(path: &Path) -> LoadedCatalog {
    let start = Instant::now();
    let loaded = load_path(path);
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    loaded
}

/// The first error: (code, file:line:col or file, English message).
fn first_error(loaded: &LoadedCatalog) -> (&'static str, String, String) {
    let d = loaded
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap_or_else(|| panic!("expected an error, got {:?}", loaded.diagnostics));
    (
        d.code.as_str(),
        d.place().unwrap_or_default(),
        d.message.en.clone(),
    )
}

/// Runs `itaku --lang en <args>`, asserting no panic, an exit status of 1 or 2 and a bounded time.
/// Returns (exit code, stderr).
fn run_hostile(args: &[&str]) -> (i32, String) {
    let start = Instant::now();
    let out = itaku().arg("--lang").arg("en").args(args).output().unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        elapsed < Duration::from_secs(30),
        "{args:?} took {elapsed:?}"
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(code == 1 || code == 2, "{args:?}: exit {code}: {stderr}");
    (code, stderr)
}

fn check(path: &Path) -> (i32, String) {
    run_hostile(&["check", path.to_str().unwrap()])
}

// ---- YAML structure -------------------------------------------------------------------------------

#[test]
fn billion_laughs_is_refused_at_the_first_alias() {
    let loaded = load(&fixture("billion_laughs.yaml"));
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::syntax");
    assert!(place.ends_with("billion_laughs.yaml:4:9"), "{place}");
    assert!(
        message.contains("aliases (*name) are not allowed"),
        "{message}"
    );
    assert!(loaded.catalog.is_empty());
    let (exit, err) = check(&fixture("billion_laughs.yaml"));
    assert_eq!(exit, 1);
    assert!(err.contains("billion_laughs.yaml:4:9"), "{err}");
}

#[test]
fn an_alias_to_a_whole_operation_is_refused() {
    let text = format!(
        "operations:\n  - &op\n    id: a\n    name: n\n    department: d\n  - *op\n{OK_OP}"
    );
    let (code, place, _) = first_error(&parse(&text));
    assert_eq!(code, "catalog::syntax");
    assert_eq!(place, "hostile.yaml:6:5");
}

#[test]
fn deep_flow_nesting_is_refused() {
    for text in [
        "[".repeat(10_000),
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        format!(
            "operations: {}{}",
            "{a: ".repeat(10_000),
            "}".repeat(10_000)
        ),
        "[".repeat(200_000),
    ] {
        let loaded = parse(&text);
        let (code, place, message) = first_error(&loaded);
        assert_eq!(code, "catalog::syntax", "{message}");
        assert!(place.starts_with("hostile.yaml:1:"), "{place}");
        assert!(
            message.contains("nested too deeply") || message.contains("recursion"),
            "{message}"
        );
    }
}

#[test]
fn deep_block_nesting_is_refused() {
    let mut text = String::new();
    for depth in 0..2_000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("a:\n");
    }
    let (code, place, message) = first_error(&parse(&text));
    assert_eq!(code, "catalog::syntax");
    assert!(message.contains("nested too deeply"), "{message}");
    assert!(place.starts_with("hostile.yaml:"), "{place}");
    let seq = "- ".repeat(5_000) + "x\n";
    let (code, _, message) = first_error(&parse(&seq));
    assert_eq!(code, "catalog::syntax", "{message}");
}

#[test]
fn deep_nesting_through_the_cli_does_not_overflow_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "deep.yaml", "[".repeat(10_000));
    let (exit, err) = check(&file);
    assert_eq!(exit, 1);
    assert!(err.contains("deep.yaml:1:"), "{err}");
}

#[test]
fn a_wide_document_is_parsed_in_bounded_time() {
    // One flow list with 500,000 entries (1 MB): linear, no quadratic behaviour, and the report stops
    // after MAX_PROBLEMS_PER_FILE problems instead of listing 500,000.
    let text = format!("operations: [{}0]", "0,".repeat(500_000));
    let loaded = parse(&text);
    assert!(loaded.catalog.is_empty());
    assert_eq!(loaded.diagnostics.len(), MAX_PROBLEMS_PER_FILE + 1);
    let last = loaded.diagnostics.0.last().unwrap();
    assert_eq!(last.code, "catalog::too-many-problems");
    // Unknown top-level keys are capped the same way.
    let keys: String = (0..5_000).map(|i| format!("k{i}: 1\n")).collect();
    let loaded = parse(&keys);
    assert_eq!(loaded.diagnostics.len(), MAX_PROBLEMS_PER_FILE + 1);
}

#[test]
fn many_broken_entries_give_a_bounded_report_through_the_cli() {
    // 20,000 broken entries used to take minutes to report (one rendered snippet each).
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "wide.yaml",
        format!("operations: [{}0]\n", "0,".repeat(20_000)),
    );
    let (exit, err) = check(&file);
    assert_eq!(exit, 1);
    assert!(
        err.contains("too many problems"),
        "{}",
        &err[err.len().saturating_sub(500)..]
    );
}

#[test]
fn a_second_document_is_refused() {
    let text = format!("operations:\n{OK_OP}---\noperations:\n{OK_OP}");
    let (code, place, message) = first_error(&parse(&text));
    assert_eq!(code, "catalog::syntax");
    assert_eq!(place, "hostile.yaml:5:1");
    assert!(message.contains("only one YAML document"), "{message}");
}

#[test]
fn tabs_for_indentation_are_a_located_syntax_error() {
    let loaded = load(&fixture("tabs.yaml"));
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::syntax");
    // yaml-rust2 reports the tab at the start of the scalar it was scanning (the line before).
    assert!(place.ends_with("tabs.yaml:2:9"), "{place} {message}");
    assert!(message.contains("found a tab"), "{message}");
    let (code, place, message) = first_error(&parse("operations:\n\t- id: a\n"));
    assert_eq!(code, "catalog::syntax");
    assert!(place.starts_with("hostile.yaml:2:"), "{place} {message}");
}

#[test]
fn duplicate_keys_inside_one_operation_are_refused() {
    let loaded = load(&fixture("duplicate_keys.yaml"));
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::duplicate-key");
    assert!(place.ends_with("duplicate_keys.yaml:6:5"), "{place}");
    assert!(message.contains("first at line 5"), "{message}");
    assert_eq!(loaded.catalog.len(), 1, "the other operation is kept");
}

#[test]
fn a_duplicate_top_level_key_reports_duplicate_ids() {
    let text = format!("operations:\n{OK_OP}operations:\n{OK_OP}");
    let loaded = parse(&text);
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::duplicate-id");
    assert_eq!(place, "hostile.yaml:6:1");
    assert!(
        message.contains("first defined at hostile.yaml:2"),
        "{message}"
    );
}

// ---- Encoding ---------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_is_located() {
    let loaded = load(&fixture("invalid_utf8.yaml"));
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::encoding");
    assert!(place.ends_with("invalid_utf8.yaml:3:12"), "{place}");
    assert!(message.contains("not valid UTF-8"), "{message}");
    let (exit, err) = check(&fixture("invalid_utf8.yaml"));
    assert_eq!(exit, 1);
    assert!(err.contains("invalid_utf8.yaml:3:12"), "{err}");
    assert!(err.contains("save the file as UTF-8"), "{err}");
}

#[test]
fn shift_jis_is_refused_as_invalid_utf8() {
    // 住民税 in Shift_JIS.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"operations:\n  - id: sjis\n    name: ".to_vec();
    bytes.extend_from_slice(&[0x8f, 0x5a, 0x96, 0xaf, 0x90, 0xc5]);
    bytes.extend_from_slice(b"\n    department: d\n");
    let file = write(dir.path(), "sjis.yaml", bytes);
    let (code, place, _) = first_error(&load(&file));
    assert_eq!(code, "catalog::encoding");
    assert!(place.ends_with("sjis.yaml:3:11"), "{place}");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let loaded = load(&fixture("bom.yaml"));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.catalog.len(), 1);
    let loaded = parse("\u{feff}operations:\n  - {id: bom, name: n, department: d}\n");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    // A BOM in the middle of a file is just a character: here it makes the key unknown, located.
    let loaded = parse(
        "operations:\n  - id: a\n    name: n\n    department: d\n    \u{feff}difficulty: 2\n",
    );
    let (code, place, _) = first_error(&loaded);
    assert_eq!(code, "catalog::unknown-field");
    assert_eq!(place, "hostile.yaml:5:5");
}

#[test]
fn control_characters_and_nul_bytes_are_located() {
    let loaded = parse("operations:\n  - id: a\n    name: \"x\0y\"\n    department: d\n");
    // A NUL inside a quoted string is not allowed in YAML: a located syntax error.
    let (code, place, _) = first_error(&loaded);
    assert_eq!(code, "catalog::syntax");
    assert!(place.starts_with("hostile.yaml:3:"), "{place}");
}

// ---- Values -------------------------------------------------------------------------------------------

#[test]
fn nan_and_infinite_numbers_are_out_of_range() {
    let loaded = load(&fixture("nan_inf.yaml"));
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.place().unwrap_or_default(), d.message.en.clone()))
        .collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    for (code, _, _) in &errors {
        assert_eq!(*code, "catalog::out-of-range");
    }
    assert!(errors[0].1.ends_with("nan_inf.yaml:5:20"), "{errors:?}");
    assert!(
        errors[0].2.contains("value .nan is out of range"),
        "{errors:?}"
    );
    assert!(errors[1].2.contains("value .inf"), "{errors:?}");
    assert!(errors[2].2.contains("value -.inf"), "{errors:?}");
    assert!(
        errors[3].2.contains("`monthly_load` value .nan"),
        "{errors:?}"
    );
    assert!(
        errors[4].2.contains("value 1e400") || errors[4].2.contains("inf"),
        "{errors:?}"
    );
    assert!(loaded.catalog.is_empty());
}

#[test]
fn negative_counts_are_out_of_range() {
    let loaded = load(&fixture("negative_counts.yaml"));
    let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes, ["catalog::out-of-range"; 5],
        "{:?}",
        loaded.diagnostics
    );
    let (_, place, message) = first_error(&loaded);
    assert!(place.ends_with("negative_counts.yaml:5:19"), "{place}");
    assert!(
        message.contains("`annual_cases` value -1 is out of range"),
        "{message}"
    );
}

#[test]
fn integers_beyond_64_bits_are_refused() {
    let loaded = parse("operations:\n  - {id: a, name: n, department: d, annual_cases: 99999999999999999999999, records: 0x7fffffffffffffffff}\n");
    let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
    // Too big for i64, the first reads as a (float) number, the second as a string: both are refused,
    // located, as "expects an integer".
    assert_eq!(
        codes,
        ["catalog::wrong-type", "catalog::wrong-type"],
        "{:?}",
        loaded.diagnostics
    );
    assert_eq!(
        loaded.diagnostics.0[0].place().unwrap(),
        "hostile.yaml:2:51"
    );
}

#[test]
fn a_one_megabyte_name_is_accepted_and_a_long_id_refused() {
    // Names and descriptions have no length limit of their own: the file limit (MAX_YAML_BYTES) bounds
    // them. Ids are at most 128 characters.
    let long = "長".repeat(1 << 20);
    let text = format!("operations:\n  - id: long\n    name: {long}\n    department: d\n    description: \"{long}\"\n");
    let loaded = parse(&text);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}",
        loaded.diagnostics.0.first().map(|d| &d.message.en)
    );
    assert_eq!(loaded.catalog.operations[0].name.chars().count(), 1 << 20);

    // Assessing it with the standard rules works (they never read the name).
    let rules = standard_rules();
    let report = itaku::assess_catalog(&loaded.catalog, &rules);
    assert_eq!(report.rule_errors(), 0);

    let text = format!(
        "operations:\n  - id: {}\n    name: n\n    department: d\n",
        "a".repeat(1 << 20)
    );
    let (code, place, _) = first_error(&parse(&text));
    assert_eq!(code, "catalog::invalid-id");
    assert_eq!(place, "hostile.yaml:2:9");
}

#[test]
fn long_lists_make_the_rule_fail_not_the_engine() {
    // 2,000 hazards is more than a script may hold in one array (1,024): the safeguard rules that read
    // the list fail with a located error and the result is `study`; loading itself accepts the list.
    let hazards: Vec<String> = (0..2_000).map(|i| format!("h{i}")).collect();
    let text = format!(
        "format: 3\noperations:\n  - id: many\n    name: n\n    department: d\n    hazards: [{}]\n    decision_steps: [\"{}\"]\n",
        hazards.join(", "),
        "判断".repeat(3_000)
    );
    let loaded = parse(&text);
    assert!(loaded.diagnostics.is_empty());
    let rules = standard_rules();
    let report = itaku::assess_catalog(&loaded.catalog, &rules);
    for e in &report.assessments[0].errors {
        assert!(e.message.contains("size limit"), "{e:?}");
    }
}

// ---- Files and directories --------------------------------------------------------------------------

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"operations:\n").unwrap();
        let line = OK_OP.to_string().into_bytes();
        // Real content for the first MiB, then a sparse tail up to 300 MB (over MAX_YAML_BYTES, 256 MiB).
        while f.metadata().unwrap().len() < (1 << 20) {
            f.write_all(&line).unwrap();
        }
        f.set_len(300_000_000).unwrap();
    }
    // "Before it is read" is counted, not timed (a time bound depends on the machine and its load):
    // the bytes this process reads while loading stay far below the 300 MB that reading the file would
    // take. Nextest runs each test in a process of its own; under `cargo test` another test's reads
    // could only add to the count, never hide a read of the file. The hang guard is only that.
    let read_before = bytes_read_by_this_process();
    let start = Instant::now();
    let loaded = load_path(&path);
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    if let (Some(before), Some(after)) = (read_before, bytes_read_by_this_process()) {
        assert!(
            after - before < 64 << 20,
            "{} bytes read while loading a refused file",
            after - before
        );
    }
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::too-large");
    assert!(place.ends_with("huge.yaml"), "{place}");
    assert!(
        message.contains(&format!("300000000 bytes, limit {MAX_YAML_BYTES}")),
        "{message}"
    );
    let (exit, err) = check(&path);
    assert_eq!(exit, 1);
    assert!(err.contains("JSON Lines"), "{err}");
}

/// Bytes this process has read through system calls (`rchar` of `/proc/self/io`; None off Linux).
fn bytes_read_by_this_process() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
fn a_directory_skips_non_yaml_files_and_sub_directories() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", format!("operations:\n{OK_OP}"));
    write(
        dir.path(),
        "README.md",
        "# not a catalog\noperations: [broken\n",
    );
    write(dir.path(), "photo.jpg", [0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
    write(dir.path(), "notes.yaml.bak", "operations: [broken\n");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    write(&dir.path().join("sub"), "b.yaml", "operations: [broken\n");
    std::fs::create_dir(dir.path().join("dir.yaml")).unwrap();
    let loaded = load(dir.path());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.catalog.len(), 1);
}

#[test]
fn duplicate_ids_across_files_name_the_first_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1-first.yaml", format!("operations:\n{OK_OP}"));
    write(
        dir.path(),
        "2-second.yaml",
        format!("# comment\noperations:\n{OK_OP}"),
    );
    let loaded = load(dir.path());
    let (code, place, message) = first_error(&loaded);
    assert_eq!(code, "catalog::duplicate-id");
    assert!(place.ends_with("2-second.yaml:3:1"), "{place}");
    assert!(message.contains("1-first.yaml:2"), "{message}");
    assert_eq!(loaded.catalog.len(), 1);
    let (exit, err) = check(dir.path());
    assert_eq!(exit, 1);
    assert!(err.contains("duplicate operation id `ok-op`"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_do_not_hide_other_files() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", format!("operations:\n{OK_OP}"));
    symlink("loop.yaml", dir.path().join("loop.yaml")).unwrap(); // points at itself
    symlink("ping.yaml", dir.path().join("pong.yaml")).unwrap();
    symlink("pong.yaml", dir.path().join("ping.yaml")).unwrap();
    symlink(".", dir.path().join("self.yaml")).unwrap(); // a directory symlink to itself
    symlink(dir.path(), dir.path().join("again")).unwrap();
    symlink("missing.yaml", dir.path().join("dangling.yaml")).unwrap();
    let loaded = load(dir.path());
    assert_eq!(loaded.catalog.len(), 1, "a.yaml still loads");
    let places: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.place().unwrap_or_default()))
        .collect();
    let names: Vec<_> = places
        .iter()
        .map(|(code, p)| {
            assert_eq!(*code, "catalog::unreadable", "{places:?}");
            Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["dangling.yaml", "loop.yaml", "ping.yaml", "pong.yaml"]
    );
    let (exit, err) = check(dir.path());
    assert_eq!(exit, 2, "unreadable input");
    assert!(err.contains("loop.yaml"), "{err}");

    // The loop itself as the catalog: unreadable input, exit 2.
    let (exit, err) = check(&dir.path().join("loop.yaml"));
    assert_eq!(exit, 2, "{err}");
    let (exit, err) = check(&dir.path().join("again"));
    assert_eq!(
        exit, 2,
        "a directory symlink is followed once, not recursively: {err}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_in_a_catalog_directory_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", format!("operations:\n{OK_OP}"));
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    let loaded = load(dir.path());
    assert_eq!(loaded.catalog.len(), 1);
    let codes: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.en.clone()))
        .collect();
    assert_eq!(codes.len(), 2, "{codes:?}");
    for (code, message) in &codes {
        assert_eq!(*code, "catalog::unreadable");
        assert!(message.contains("not a regular file"), "{message}");
    }
    let (exit, _) = check(dir.path());
    assert_eq!(exit, 2, "unreadable input");
}

#[cfg(unix)]
#[test]
fn an_endless_device_named_on_the_command_line_is_cut_at_the_size_limit() {
    // `itaku check /dev/zero` reads at most MAX_YAML_BYTES + 1 bytes, then refuses.
    let loaded = load(Path::new("/dev/zero"));
    let (code, _, message) = first_error(&loaded);
    assert_eq!(code, "catalog::too-large", "{message}");
    let (exit, _) = check(Path::new("/dev/zero"));
    assert_eq!(exit, 1);
}

#[test]
fn an_empty_file_and_a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.yaml", "");
    let loaded = load(&empty);
    let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["catalog::empty-file", "catalog::empty"]);
    assert_eq!(check(&empty).0, 1);
    let (exit, err) = check(&dir.path().join("nope.yaml"));
    assert_eq!(exit, 2);
    assert!(err.contains("nope.yaml"), "{err}");
    let empty_dir = tempfile::tempdir().unwrap();
    assert_eq!(check(empty_dir.path()).0, 2);
}

// ---- --output never loses a file ----------------------------------------------------------------------

#[test]
fn a_broken_run_leaves_an_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = write(dir.path(), "c.yaml", format!("operations:\n{OK_OP}"));
    let out = write(dir.path(), "out.json", "previous report\n");
    let out_s = out.to_str().unwrap();
    let cat_s = catalog.to_str().unwrap();

    // Unreadable rules directory.
    let missing_rules = dir.path().join("no-rules");
    let (exit, _) = run_hostile(&[
        "assess",
        cat_s,
        "--rules",
        missing_rules.to_str().unwrap(),
        "--output",
        out_s,
    ]);
    assert_eq!(exit, 2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous report\n");

    // Broken catalog.
    let broken = write(dir.path(), "broken.yaml", "operations: [\n");
    let (exit, _) = run_hostile(&["assess", broken.to_str().unwrap(), "--output", out_s]);
    assert_eq!(exit, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous report\n");

    // The output's directory does not exist: nothing is created anywhere.
    let nowhere = dir.path().join("no-dir").join("out.json");
    let (exit, err) = run_hostile(&["assess", cat_s, "--output", nowhere.to_str().unwrap()]);
    assert_eq!(exit, 2, "{err}");
    assert!(!nowhere.exists());

    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".itaku-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A successful run replaces it whole.
    let ok = itaku()
        .args([
            "assess",
            cat_s,
            "--as-of",
            "2026-04-01",
            "--format",
            "json",
            "--output",
            out_s,
        ])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["assessments"][0]["id"], "ok-op");
}

#[test]
fn a_writer_failing_halfway_never_truncates_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "report.json", "old content");
    let chunk = vec![b'x'; 64 * 1024];
    let result = itaku::fsutil::write_atomic_with(&path, |w| {
        for i in 0..256 {
            if i == 128 {
                // 8 MiB written, then the disk "fills up" (or the renderer fails).
                return Err(std::io::Error::other("no space left on device"));
            }
            w.write_all(&chunk)?;
        }
        Ok(())
    });
    assert!(result.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old content");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.json"], "no temporary file is left behind");

    // A panic inside the writer unwinds through the temporary file, which is removed too.
    let panicked = std::panic::catch_unwind(|| {
        let _ = itaku::fsutil::write_atomic_with(&path, |w| {
            w.write_all(&chunk)?;
            panic!("renderer bug");
        });
    });
    assert!(panicked.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old content");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn killing_assess_midway_never_leaves_a_truncated_output() {
    // A catalog big enough that writing the report takes a while; the process is killed at several
    // moments. The output is always either the old file or a complete report.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("operations:\n");
    for i in 0..3_000 {
        text.push_str(&format!(
            "  - {{id: op-{i}, name: 業務{i}, department: 総務部, statutory_staff_only: false, public_authority: none, routine_share: 0.9, difficulty: 2, staff_fte: 3, hazards: [heights], personal_data: general}}\n"
        ));
    }
    let catalog = write(dir.path(), "big.yaml", text);
    let out = write(dir.path(), "out.json", "old report");
    let bin = assert_cmd::cargo::cargo_bin("itaku");
    for delay_ms in [0_u64, 20, 50, 100, 200, 400, 800] {
        std::fs::write(&out, "old report").unwrap();
        let mut child = std::process::Command::new(&bin)
            .current_dir(root())
            .args(["assess", catalog.to_str().unwrap(), "--as-of", "2026-04-01"])
            .args(["--format", "json", "--output", out.to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let content = std::fs::read_to_string(&out).unwrap();
        if content != "old report" {
            let json: serde_json::Value = serde_json::from_str(&content)
                .unwrap_or_else(|e| panic!("truncated output after {delay_ms} ms: {e}"));
            assert_eq!(json["assessments"].as_array().map(Vec::len), Some(3_000));
        }
    }
    // A killed run may leave its temporary file (`.itaku-*.tmp`) beside the output: never the output.
}

// ---- Fuzz corpus regressions ----------------------------------------------------------------------------

fn standard_rules() -> CompiledRules {
    let set = RuleSet::load_dir(root().join("rules")).expect("standard rules load");
    CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap()).expect("compile")
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("fuzz/corpus").join(target))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Same code path as fuzz/fuzz_targets/catalog_parse.rs.
#[test]
fn fuzz_corpus_catalog_parse_replays() {
    let files = corpus("catalog_parse");
    assert!(files.len() >= 10, "the committed corpus is missing");
    let start = Instant::now();
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        let loaded = parse_str("fuzz.yaml", &text);
        for d in loaded.diagnostics.iter() {
            let _ = d.render(itaku::Lang::En, false);
        }
        let _ = path;
    }
    // A hang guard (debug build on a shared 2-core machine), not a benchmark.
    assert!(start.elapsed() < Duration::from_secs(30));
}

/// Same code path and invariants as fuzz/fuzz_targets/assess_operation.rs.
#[test]
fn fuzz_corpus_assess_operation_replays() {
    let files = corpus("assess_operation");
    assert!(files.len() >= 10, "the committed corpus is missing");
    let rules = standard_rules();
    let mut valid = 0;
    for (path, bytes) in files {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        let Ok(op) = operation_from_json(value, "fuzz") else {
            continue;
        };
        valid += 1;
        let a = itaku::assess::assess_operation(&Arc::new(op), &rules);
        for e in &a.errors {
            assert!(
                e.message.contains("size limit"),
                "{}: {e:?}",
                path.display()
            );
        }
        assert!(a.freed_fte >= 0.0 && a.freed_fte <= a.operation.staff_fte.unwrap_or(0.0));
        if a.excluded {
            // Contradicting facts make even an exclusion `study` until they are resolved.
            let expected = if a.contradictions.is_empty() {
                itaku::model::Recommendation::InHouse
            } else {
                itaku::model::Recommendation::Study
            };
            assert_eq!(a.recommendation, expected);
            assert_eq!(a.freed_fte, 0.0);
        }
    }
    assert!(valid >= 10, "the corpus keeps valid operations");
}
