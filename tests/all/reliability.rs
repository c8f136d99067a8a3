//! Regression tests for the reliability findings of issue 13, one or more per finding (numbered as in
//! the issue and in docs/robustness.md): `--output` onto devices and inputs, NUL bytes, the bounds of
//! the rule API and its time budget, diagnostics within one operation, write errors, typed parameters,
//! the terminal table, `--threads`, the spelling of numbers in text fields, the rules loader, control
//! characters, the streamed id set, one JSON line limit and stale temporary files.
//!
//! Tests run as root on the CI machine and as a normal user elsewhere; none depends on either.

use crate::support::{self, itaku_en, itaku_std, root, write};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use itaku::catalog::{load_path, parse_str, Field, FieldRef};
use itaku::rules::{Budgets, CompiledRules, MemorySource, RuleSet};
use itaku::Lang;

/// A generous hang guard (debug build on a shared 2-core machine), not a benchmark.
const HANG_GUARD: Duration = Duration::from_secs(10);

fn itaku() -> Command {
    let mut c = support::itaku();
    c.timeout(Duration::from_secs(60));
    c
}

/// Waits for a child with a hang guard; kills it (and fails) if it does not end.
fn wait(mut child: std::process::Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the child did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const OP: &str = "  - id: ok-op\n    name: 正常な業務\n    department: 総務部\n";

// ---- A tiny rule set, as files or in memory -----------------------------------------------------------

use crate::support::rule_fixture;
use rule_fixture::{ITEMS, MESSAGES, PARAMETERS};

const RECOMMEND: &str = r#"recommend("outsource");
flag("s1-test", "low");
"#;

fn files(hostile: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "manifest.yaml",
            rule_fixture::hostile_manifest("reliability-test"),
        ),
        ("parameters.yaml", PARAMETERS.to_string()),
        ("items.yaml", ITEMS.to_string()),
        ("messages.yaml", MESSAGES.to_string()),
        ("recommend.rhai", RECOMMEND.to_string()),
        ("hostile.rhai", hostile.to_string()),
    ]
}

fn compiled(hostile: &str) -> CompiledRules {
    let map: BTreeMap<String, String> = files(hostile)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let set = RuleSet::load(&MemorySource(map)).expect("the test rule set loads");
    CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap()).expect("compiles")
}

fn rules_dir(dir: &Path, hostile: &str) -> PathBuf {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    for (name, text) in files(hostile) {
        write(&rules, name, text);
    }
    rules
}

fn one_operation() -> Arc<itaku::Operation> {
    let loaded = parse_str("op.yaml", &format!("operations:\n{OP}"));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    Arc::clone(&loaded.catalog.operations[0])
}

/// Copies the bundled rules directory (scripts included) into `dir`.
fn copy_bundled_rules(dir: &Path) -> PathBuf {
    let rules = dir.join("rules");
    crate::support::copy_dir(&root().join("rules"), &rules);
    rules
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo failed");
}

// ---- 1. `--output` onto special files and inputs ------------------------------------------------------

#[cfg(unix)]
#[test]
fn f1_output_onto_a_fifo_is_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader_path = fifo.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&reader_path) {
            let _ = f.read_to_string(&mut text);
        }
        let _ = tx.send(text);
    });
    itaku()
        .args(["assess", "--format", "json", "-o"])
        .arg(&fifo)
        .assert()
        .success();
    let text = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the report arrives through the FIFO");
    assert!(text.starts_with('{'), "{}", &text[..text.len().min(200)]);
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
}

#[cfg(unix)]
#[test]
fn f1_output_onto_dev_null_keeps_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let null = Path::new("/dev/null");
    if !null.exists() {
        return;
    }
    itaku()
        .args(["rules", "--format", "md", "-o", "/dev/null"])
        .assert()
        .success();
    let kind = std::fs::metadata(null).unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null became {kind:?}");
    let leftovers: Vec<_> = std::fs::read_dir("/dev")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".itaku-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn f1_output_onto_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = itaku_en(&["rules", "-o"])
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a directory"), "{stderr}");
}

#[test]
fn f1_output_resolving_to_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let catalog_text = format!("operations:\n{OP}");
    let cat = write(dir.path(), "cat.yaml", &catalog_text);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    // Through `..`.
    let out = itaku_en(&["assess"])
        .arg(&cat)
        .arg("-o")
        .arg(dir.path().join("sub/../cat.yaml"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is an input of this run"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Through a symbolic link.
    #[cfg(unix)]
    {
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink(&cat, &link).unwrap();
        itaku()
            .arg("assess")
            .arg(&cat)
            .arg("-o")
            .arg(&link)
            .assert()
            .code(2);
    }
    assert_eq!(std::fs::read_to_string(&cat).unwrap(), catalog_text);
    // A file of a catalog directory, and a file of the rule set.
    let catdir = dir.path().join("catalog");
    std::fs::create_dir(&catdir).unwrap();
    write(&catdir, "a.yaml", &catalog_text);
    itaku()
        .arg("assess")
        .arg(&catdir)
        .arg("-o")
        .arg(catdir.join("b.jsonl"))
        .assert()
        .code(2);
    assert!(!catdir.join("b.jsonl").exists());
    let rules = copy_bundled_rules(dir.path());
    let manifest = std::fs::read_to_string(rules.join("manifest.yaml")).unwrap();
    itaku()
        .arg("rules")
        .arg("--rules")
        .arg(&rules)
        .arg("-o")
        .arg(rules.join("manifest.yaml"))
        .assert()
        .code(2);
    itaku()
        .arg("assess")
        .arg(&cat)
        .arg("--rules")
        .arg(&rules)
        .arg("-o")
        .arg(rules.join("scripts/../manifest.yaml"))
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(rules.join("manifest.yaml")).unwrap(),
        manifest
    );
}

#[cfg(unix)]
#[test]
fn f1_f14_output_keeps_modes_follows_links_and_removes_stale_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cat = write(dir.path(), "cat.yaml", format!("operations:\n{OP}"));
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    // A replaced file keeps its mode.
    let kept = write(&out_dir, "kept.json", "old");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    // A stale temporary file of a dead process (pids never exceed 4194304 on Linux).
    let stale = write(&out_dir, ".itaku-99999999-AbCdEf.tmp", "partial report");
    itaku()
        .arg("assess")
        .arg(&cat)
        .args(["--format", "json", "-o"])
        .arg(&kept)
        .assert()
        .success();
    let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(std::fs::read_to_string(&kept).unwrap().starts_with('{'));
    #[cfg(target_os = "linux")]
    assert!(!stale.exists(), "the stale temporary file is removed");
    let _ = stale;
    // A new file is 0644 less the umask, never 0600 whatever the umask.
    let new = out_dir.join("new.json");
    itaku()
        .arg("assess")
        .arg(&cat)
        .args(["--format", "json", "-o"])
        .arg(&new)
        .assert()
        .success();
    let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & !0o644, 0, "mode {mode:o}");
    // A symbolic link is followed: the file it points to is replaced, the link stays.
    let real = write(&out_dir, "real.json", "old");
    let link = out_dir.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    itaku()
        .arg("assess")
        .arg(&cat)
        .args(["--format", "json", "-o"])
        .arg(&link)
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().starts_with('{'));
}

// ---- 2. NUL bytes -------------------------------------------------------------------------------------

#[test]
fn f2_a_nul_byte_in_a_yaml_comment_is_a_located_error() {
    let text = format!("operations:\n{OP}  # comment \0 here\n  - id: second\n    name: 二件目\n    department: 総務部\n");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "nul.yaml", &text);
    for loaded in [parse_str("nul.yaml", &text), load_path(&path)] {
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code, d.place().unwrap_or_default()))
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "catalog::syntax");
        assert!(errors[0].1.ends_with("nul.yaml:5:13"), "{errors:?}");
    }
    itaku().arg("check").arg(&path).assert().code(1);
}

// ---- 3. Bounds of the rule API, rollback, time budget ------------------------------------------------

fn evaluate(hostile: &str) -> itaku::rules::Evaluation {
    let rules = compiled(hostile);
    let start = Instant::now();
    let e = rules.evaluate(&one_operation());
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    e
}

#[test]
fn f3_output_in_a_loop_fails_the_rule_with_nothing_left_behind() {
    for (script, what) in [
        ("loop { note(\"ok\", [1]); }", "too many notes"),
        ("loop { points(\"C1\", 0, \"ok\"); }", "too many reasons"),
        ("loop { exclude(\"ok\"); }", "too many exclusions"),
        (
            "let s = \"y\"; s.pad(4000, 'y'); for i in 0..100 { note(\"ok\", [s]); }",
            "message arguments exceed",
        ),
    ] {
        let hostile =
            format!("points(\"C2\", 2, \"ok\", [1]);\nflag(\"s1-test\", \"high\");\n{script}\n");
        let e = evaluate(&hostile);
        assert_eq!(e.errors.len(), 1, "{script}: {:?}", e.errors);
        let error = &e.errors[0];
        assert!(error.message.contains(what), "{script}: {error:?}");
        assert!(
            error.file.ends_with("hostile.rhai") && error.line == 3,
            "{error:?}"
        );
        // The failed rule's output is gone: no notes, no points, and the checklist as the next rule left it.
        assert!(e.notes.is_empty() && e.exclusions.is_empty(), "{script}");
        assert_eq!(e.points, [0; 5], "{script}");
        assert!(e.reasons.iter().all(Vec::is_empty), "{script}");
        assert_eq!(e.checklist.len(), 1);
        assert_eq!(e.checklist[0].1, itaku::model::Severity::Low, "{script}");
    }
}

#[test]
fn f3_a_slow_rule_is_stopped_by_the_time_budget() {
    // A budget of 50 ms, not the default 1 s: the loop's operation limit is then far away on any
    // machine (the default budget fired after 5 s on a loaded debug build, where a five times faster
    // machine would have reached the operation limit first), so the time budget is what stops it.
    let rules = compiled("let a = []; a.pad(1023, 0); let b = a;\nloop { a == b; }\n")
        .with_budgets(Budgets {
            time: Duration::from_millis(50),
            ..Budgets::default()
        });
    let start = Instant::now();
    let e = rules.evaluate(&one_operation());
    let elapsed = start.elapsed();
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert!(
        e.errors[0].message.contains("time budget"),
        "{:?}",
        e.errors
    );
    assert_eq!(e.errors[0].line, 2, "{:?}", e.errors);
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    // The recommendation rule ran out of time too: it was not run, and nothing says otherwise.
    assert_eq!(e.recommendation, None);
}

#[test]
fn f3_a_map_grown_by_index_assignment_is_stopped_by_the_heap_budget() {
    // Rhai checks the size of each assigned value, not of the map that grows (§1.5 (a)).
    // A debug build is slow: the time budget is raised and the heap budget lowered, so that the heap
    // budget is what stops the rule whatever the load on the machine.
    let rules = compiled(
        "let m = #{};\nfor i in 0..10000 { let a = []; a.pad(1024, i); m[`k${i}`] = a; }\n",
    )
    .with_budgets(Budgets {
        time: Duration::from_secs(60),
        heap: 8 << 20,
    });
    let start = Instant::now();
    let e = rules.evaluate(&one_operation());
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert!(
        e.errors[0].message.contains("MiB of memory"),
        "{:?}",
        e.errors
    );
    assert_eq!(e.errors[0].line, 2, "{:?}", e.errors);
    // A rule that stays small is not affected, and the next rule ran.
    assert_eq!(
        e.recommendation,
        Some(itaku::model::Recommendation::Outsource)
    );
    let e =
        evaluate("let m = #{};\nfor i in 0..100 { m[`k${i}`] = i; }\npoints(\"C1\", 1, \"ok\");\n");
    assert!(e.errors.is_empty(), "{:?}", e.errors);
}

// ---- 4. Diagnostics within one operation --------------------------------------------------------------

#[test]
fn f4_one_operation_with_many_unknown_keys_gives_a_bounded_report() {
    let mut text = format!("operations:\n{OP}");
    for i in 0..40_000 {
        text.push_str(&format!("    unknown{i}: 1\n"));
    }
    let start = Instant::now();
    let loaded = parse_str("wide.yaml", &text);
    let shown: usize = loaded
        .diagnostics
        .iter()
        .map(|d| d.render(Lang::En, false).len())
        .sum();
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    assert!(
        loaded.diagnostics.len() <= 202,
        "{}",
        loaded.diagnostics.len()
    );
    assert!(loaded
        .diagnostics
        .iter()
        .any(|d| d.code == "catalog::too-many-problems"));
    assert!(shown < 1_000_000, "{shown} bytes of diagnostics");
}

#[test]
fn f4_a_long_json_line_is_shown_as_a_window() {
    let mut line = String::from("{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"");
    for i in 0..60_000 {
        line.push_str(&format!(",\"k{i}\":1"));
    }
    line.push('}');
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "wide.jsonl", format!("{line}\n"));
    let out = itaku()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(out.stderr.len() < 1_000_000, "{} bytes", out.stderr.len());
}

// ---- 5. Write errors ----------------------------------------------------------------------------------

/// Runs itaku with standard output (or error) a pipe whose reader is gone before itaku writes.
fn closed_pipe(args: &[&str], close_stderr: bool) -> std::process::Output {
    let mut cmd = itaku_std();
    cmd.args(args).stdin(Stdio::null());
    if close_stderr {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn");
    // The reader goes away at once; itaku spends milliseconds loading rules before it writes.
    if close_stderr {
        drop(child.stderr.take());
    } else {
        drop(child.stdout.take());
    }
    let mut stderr = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_end(&mut stderr);
    }
    let status = wait(child);
    std::process::Output {
        status,
        stdout: Vec::new(),
        stderr,
    }
}

#[test]
fn f5_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "operations:\n  - id: Bad Id\n    name: x\n",
    );
    for args in [
        vec!["rules", "--format", "md"],
        vec!["check", bad.to_str().unwrap(), "--json"],
        vec!["assess", "--format", "json"],
        vec!["assess", "--format", "table"],
    ] {
        let out = closed_pipe(&args, false);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn f5_diagnostics_to_a_closed_stderr_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "operations:\n  - id: Bad Id\n    name: x\n",
    );
    let out = closed_pipe(&["check", bad.to_str().unwrap()], true);
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
}

#[cfg(unix)]
#[test]
fn f5_a_full_disk_is_a_clear_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let out = itaku_std()
        .args(["--lang", "en", "rules", "--format", "md"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// ---- 6. Typed parameters ------------------------------------------------------------------------------

fn check_rules(rules: &Path) -> (Option<i32>, String) {
    let out = itaku_en(&["check", "--rules"]).arg(rules).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn f6_parameter_values_must_match_their_type() {
    for (bad, shown) in [
        (
            "value: \"high\"}",
            "value `high` is not a number from 0 to 1",
        ),
        ("value: .nan}", "value `NaN` is not a number from 0 to 1"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let rules = copy_bundled_rules(dir.path());
        let path = rules.join("parameters.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains("value: 0.8}"))
            .expect("c1.routine_share.high")
            + 1;
        std::fs::write(&path, text.replacen("value: 0.8}", bad, 1)).unwrap();
        let (code, stderr) = check_rules(&rules);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains("rules::invalid-parameter"), "{stderr}");
        assert!(stderr.contains(shown), "{stderr}");
        assert!(
            stderr.contains(&format!("parameters.yaml:{line}:")),
            "line {line}: {stderr}"
        );
    }
}

#[test]
fn f6_two_values_from_the_same_date_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let rules = copy_bundled_rules(dir.path());
    let path = rules.join("parameters.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let twice = text.replacen(
        "      - {from: 2020-04-01, value: 0.8}\n",
        "      - {from: 2020-04-01, value: 0.8}\n      - {from: 2020-04-01, value: 0.9}\n",
        1,
    );
    assert_ne!(twice, text);
    std::fs::write(&path, twice).unwrap();
    let (code, stderr) = check_rules(&rules);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("has two values from 2020-04-01"),
        "{stderr}"
    );
}

#[test]
fn f6_every_bundled_parameter_declares_a_type() {
    let text = std::fs::read_to_string(root().join("rules/parameters.yaml")).unwrap();
    let params = text
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .count();
    let types = text
        .lines()
        .filter(|l| l.trim_start().starts_with("type: "))
        .count();
    assert!(params > 0);
    assert_eq!(params, types);
}

// ---- 7. The terminal table ----------------------------------------------------------------------------

#[test]
fn f7_a_huge_name_gives_a_small_table() {
    let huge = "長".repeat(1 << 20);
    let mut text = String::from("operations:\n");
    for i in 0..30 {
        let name = if i == 0 {
            huge.as_str()
        } else {
            "短い名前"
        };
        text.push_str(&format!(
            "  - id: op-{i}\n    name: {name}\n    department: 総務部\n"
        ));
    }
    let loaded = parse_str("huge.yaml", &text);
    assert!(loaded.diagnostics.is_empty());
    let rules = compiled("points(\"C1\", 1, \"ok\", [1]);");
    let report = itaku::assess_catalog(&loaded.catalog, &rules);
    let table = itaku_cli::text::table(&report, &rules.rules, Lang::Ja);
    assert!(table.len() < 20_000, "{} bytes", table.len());
    // The full name stays in json.
    let mut json = Vec::new();
    itaku::render::render(
        &report,
        &rules.rules,
        Lang::En,
        itaku::render::Format::Json,
        &mut json,
    )
    .unwrap();
    assert!(json.len() > huge.len());
}

// ---- 8. `--threads` -----------------------------------------------------------------------------------

#[test]
fn f8_threads_are_capped_with_a_message() {
    let out = itaku_en(&["assess", "--format", "json", "--threads", "20000"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("--threads 20000 is too many"), "{stderr}");
}

// ---- 9. Numbers in text fields keep their spelling ----------------------------------------------------

#[test]
fn f9_a_number_in_a_text_field_keeps_its_source_text() {
    let loaded = parse_str(
        "spelling.yaml",
        &format!("operations:\n{OP}    legal_basis: [007, 0o17, 12]\n    name_en: 0x1F\n"),
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let op = &loaded.catalog.operations[0];
    let FieldRef::List(basis) = op.get(Field::legal_basis) else {
        panic!("legal_basis is a list")
    };
    assert_eq!(basis, ["007", "0o17", "12"]);
    assert!(matches!(op.get(Field::name_en), FieldRef::Text("0x1F")));
}

// ---- 10. The rules loader -----------------------------------------------------------------------------

fn load_rules_guarded(rules: PathBuf) -> Result<RuleSet, itaku::Diagnostics> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(RuleSet::load_dir(rules));
    });
    rx.recv_timeout(HANG_GUARD)
        .expect("loading the rules must not hang")
}

#[cfg(unix)]
#[test]
fn f10_the_rules_loader_reads_regular_files_inside_the_directory_only() {
    let dir = tempfile::tempdir().unwrap();
    // A script linked to a file outside the rules directory.
    let outside = write(
        dir.path(),
        "secret.rhai",
        "let secret = \"do not print me\";",
    );
    let rules = rules_dir(&dir.path().join("a"), "points(\"C1\", 1, \"ok\");");
    std::fs::remove_file(rules.join("hostile.rhai")).unwrap();
    std::os::unix::fs::symlink(&outside, rules.join("hostile.rhai")).unwrap();
    let err = load_rules_guarded(rules).expect_err("refused").to_string();
    assert!(err.contains("outside the rules directory"), "{err}");
    assert!(!err.contains("do not print me"), "{err}");
    // parameters.yaml as a FIFO with no writer: refused, not waited on.
    let rules = rules_dir(&dir.path().join("b"), "points(\"C1\", 1, \"ok\");");
    std::fs::remove_file(rules.join("parameters.yaml")).unwrap();
    mkfifo(&rules.join("parameters.yaml"));
    let err = load_rules_guarded(rules).expect_err("refused").to_string();
    assert!(err.contains("not a regular file"), "{err}");
    // items.yaml linked to /dev/zero (inside the directory by name only): refused, not read forever.
    if Path::new("/dev/zero").exists() {
        let rules = rules_dir(&dir.path().join("c"), "points(\"C1\", 1, \"ok\");");
        std::fs::remove_file(rules.join("items.yaml")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", rules.join("items.yaml")).unwrap();
        let err = load_rules_guarded(rules).expect_err("refused").to_string();
        assert!(err.contains("items.yaml"), "{err}");
    }
    // A link that stays inside the directory is fine.
    let rules = rules_dir(&dir.path().join("d"), "points(\"C1\", 1, \"ok\");");
    std::fs::rename(rules.join("hostile.rhai"), rules.join("real.rhai")).unwrap();
    std::os::unix::fs::symlink("real.rhai", rules.join("hostile.rhai")).unwrap();
    load_rules_guarded(rules).expect("a link inside the directory loads");
}

#[test]
fn f10_an_oversized_rule_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("// {}\n", "x".repeat(5 << 20));
    let rules = rules_dir(dir.path(), &big);
    let err = load_rules_guarded(rules).expect_err("refused").to_string();
    assert!(err.contains("too large"), "{err}");
}

// ---- 11. Control characters ---------------------------------------------------------------------------

#[test]
fn f11_control_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let esc = "\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}";
    let cat = write(
        dir.path(),
        "esc.yaml",
        format!("operations:\n{OP}    \"x{esc}\": 1\n  - id: two\n    name: \"名前{esc}\"\n    department: 総務部\n"),
    );
    let rules = rules_dir(dir.path(), "throw \"boom \\x1b[31m\\u202e\";");
    for args in [vec!["check"], vec!["assess", "--format", "table"]] {
        let out = itaku()
            .args(&args)
            .arg(&cat)
            .arg("--rules")
            .arg(&rules)
            .output()
            .unwrap();
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
                "{args:?} {what}: {text:?}"
            );
        }
        assert!(
            String::from_utf8_lossy(&out.stderr).contains('␛'),
            "{args:?}"
        );
    }
}

// ---- 12 and 13. Streaming: ids across batches, one line limit ------------------------------------------

fn stream(text: &str) -> (Vec<(String, &'static str)>, usize) {
    let rules = compiled("points(\"C1\", 1, \"ok\");");
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let summary = itaku::stream::assess_jsonl(
        "s.jsonl",
        &mut text.as_bytes(),
        &rules,
        Lang::En,
        &mut out,
        &mut |p| {
            if let itaku::stream::Problem::Catalog(d) = p {
                problems.push((d.place().unwrap_or_default(), d.code.as_str()));
            }
        },
    )
    .unwrap();
    (problems, summary.operations)
}

#[test]
fn f12_a_duplicate_id_is_found_across_batches() {
    let op = "{\"id\":\"op-0\",\"name\":\"n\",\"department\":\"d\"}\n";
    let text = format!("{op}{}{op}", "\n".repeat(4_498));
    let (problems, operations) = stream(&text);
    assert_eq!(
        problems,
        [("s.jsonl:4500:1".to_string(), "catalog::duplicate-id")]
    );
    assert_eq!(operations, 1);
}

#[test]
fn f13_check_and_streaming_agree_on_an_over_long_line() {
    let long = format!(
        "{{\"id\":\"long\",\"name\":\"{}\",\"department\":\"d\"}}",
        "x".repeat(itaku::stream::MAX_LINE_BYTES)
    );
    let text = format!("{{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"}}\n{long}\n");
    let (streamed, operations) = stream(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.jsonl", &text);
    let whole = load_path(&path);
    let whole: Vec<_> = whole
        .diagnostics
        .iter()
        .map(|d| (d.place().unwrap_or_default(), d.code))
        .collect();
    assert_eq!(
        streamed,
        [("s.jsonl:2:1".to_string(), "catalog::too-large")]
    );
    assert_eq!(whole.len(), 1, "{whole:?}");
    assert!(
        whole[0].0.ends_with("s.jsonl:2:1") && whole[0].1 == "catalog::too-large",
        "{whole:?}"
    );
    assert_eq!(operations, 1);
}

#[test]
fn f2_no_character_ends_a_yaml_file_early_without_an_error() {
    let mut chars: Vec<char> = (0u32..0x20)
        .chain([0x7f, 0x85, 0xa0])
        .filter_map(char::from_u32)
        .collect();
    chars.extend([
        '\u{feff}', '\u{2028}', '\u{2029}', '\u{202e}', '\u{fffe}', '\u{ffff}',
    ]);
    for c in chars {
        for place in ["comment", "value", "line"] {
            let middle = match place {
                "comment" => format!("  # comment {c} here\n"),
                "value" => format!("    description: a{c}b\n"),
                _ => format!("{c}\n"),
            };
            let text = format!("operations:\n{OP}{middle}  - id: second\n    name: 二件目\n    department: 総務部\n");
            let loaded = parse_str("chars.yaml", &text);
            assert!(
                loaded.diagnostics.has_errors() || loaded.catalog.len() == 2,
                "U+{:04X} in a {place}: {} operations and no error",
                c as u32,
                loaded.catalog.len()
            );
        }
    }
}
