//! JSON Lines in and out: the streamed path gives the same bytes as the whole-catalog path, whatever the
//! thread count and batch boundaries; bad lines are located by their line in the file and never hide the
//! other operations.

use crate::support::synthetic;
use crate::support::{assess_en, itaku};

use std::io::Cursor;
use std::sync::Arc;

use itaku::catalog::parse_jsonl_str;
use itaku::render::{render, Format};
use itaku::rules::{CompiledRules, RuleSet};
use itaku::stream::{assess_jsonl, Problem, BATCH_LINES};
use itaku::Lang;

fn standard() -> CompiledRules {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = RuleSet::load_dir(root.join("rules")).unwrap();
    CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap()).unwrap()
}

#[test]
fn streamed_output_equals_whole_catalog_output_across_batches() {
    let rules = standard();
    // More than one batch, with a partial last batch.
    let n = BATCH_LINES + 123;
    let text = synthetic::jsonl(n, 11);
    let loaded = parse_jsonl_str("s.jsonl", &text);
    assert!(loaded.diagnostics.is_empty(), "{}", loaded.diagnostics);
    let report = itaku::assess_catalog(&loaded.catalog, &rules);
    let mut whole = Vec::new();
    render(&report, &rules.rules, Lang::Ja, Format::Jsonl, &mut whole).unwrap();

    let mut streamed = Vec::new();
    let summary = assess_jsonl(
        "s.jsonl",
        &mut Cursor::new(text.as_bytes()),
        &rules,
        Lang::Ja,
        &mut streamed,
        &mut |_| panic!("no problem expected"),
    )
    .unwrap();
    assert_eq!(summary.operations, n);
    assert_eq!(summary.by_recommendation.iter().sum::<usize>(), n);
    assert_eq!(summary.freed_fte, report.freed_fte());
    assert!(streamed == whole, "streamed and whole outputs differ");
    let first: serde_json::Value =
        serde_json::from_slice(streamed.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["id"], "op-0000000");
    assert_eq!(first["criteria"].as_array().unwrap().len(), 5);
}

#[test]
fn bad_lines_on_the_edges_of_batches_are_reported_as_the_whole_catalog_reports_them() {
    let rules = standard();
    let good = synthetic::jsonl(2 * BATCH_LINES + 300, 17);
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let bad = [
        "not json".to_string(),
        "{\"id\": \"x\", \"name\": \"n\", \"department\": \"d\", \"difficulty\": 9}".to_string(),
        String::new(),
    ];
    // Line indexes on and around the edges of rendered runs, groups and batches, each replaced by a bad
    // line or by a copy of an earlier operation (a duplicate id, found across groups and batches).
    let edges = [
        0, 1, 63, 64, 65, 255, 256, 1023, 1024, 1025, 4095, 4096, 4097, 4351, 8191, 8192, 8300,
    ];
    for (n, &at) in edges.iter().enumerate() {
        lines[at] = match n % 4 {
            3 => lines[at / 2 + 2].clone(),
            k => bad[k].clone(),
        };
    }
    let text = lines.join("\n") + "\n";
    let loaded = parse_jsonl_str("s.jsonl", &text);
    let seen = |d: &itaku::diag::Diagnostic| (d.place().unwrap_or_default(), d.message.en.clone());
    let expected: Vec<(String, String)> = loaded.diagnostics.iter().map(seen).collect();
    assert!(expected.len() >= 9, "{expected:?}");
    let report = itaku::assess_catalog(&loaded.catalog, &rules);
    let mut whole = Vec::new();
    render(&report, &rules.rules, Lang::En, Format::Jsonl, &mut whole).unwrap();

    let mut problems = Vec::new();
    let mut streamed = Vec::new();
    let summary = assess_jsonl(
        "s.jsonl",
        &mut Cursor::new(text.as_bytes()),
        &rules,
        Lang::En,
        &mut streamed,
        &mut |p| {
            if let Problem::Catalog(d) = p {
                problems.push(seen(d));
            }
        },
    )
    .unwrap();
    assert_eq!(problems, expected);
    assert_eq!(summary.catalog_errors, expected.len());
    assert_eq!(summary.operations, loaded.catalog.len());
    assert!(streamed == whole, "streamed and whole outputs differ");
}

#[test]
fn bad_lines_are_located_and_the_others_still_assessed() {
    let rules = standard();
    let good = synthetic::jsonl(3, 5);
    let mut lines: Vec<&str> = good.lines().collect();
    let dup = lines[0].to_string();
    lines.insert(
        1,
        "{\"id\": \"x\", \"name\": \"n\", \"department\": \"d\", \"difficulty\": 9}",
    );
    lines.insert(2, "not json");
    lines.push(&dup);
    let text = lines.join("\n") + "\n\u{0}\u{0}\n";
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"{\"id\": \"bad-\xff\"}\n");
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let summary = assess_jsonl(
        "in.jsonl",
        &mut Cursor::new(bytes),
        &rules,
        Lang::En,
        &mut out,
        &mut |p| {
            if let Problem::Catalog(d) = p {
                problems.push((d.place().unwrap_or_default(), d.code.as_str()));
            }
        },
    )
    .unwrap();
    assert_eq!(
        summary.operations, 3,
        "the three valid operations are assessed"
    );
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
    assert_eq!(
        problems,
        [
            ("in.jsonl:2:1".to_string(), "catalog::out-of-range"),
            ("in.jsonl:3:2".to_string(), "catalog::syntax"),
            ("in.jsonl:6:1".to_string(), "catalog::duplicate-id"),
            ("in.jsonl:7:1".to_string(), "catalog::syntax"),
            ("in.jsonl:8:13".to_string(), "catalog::encoding"),
        ]
        .map(|(p, c)| (p, c))
    );
    assert_eq!(summary.catalog_errors, 5);
}

#[test]
fn cli_streams_jsonl_identically_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.jsonl");
    std::fs::write(&input, synthetic::jsonl(300, 3)).unwrap();
    let run = |threads: &str| {
        let out = assess_en("jsonl")
            .args(["--threads", threads])
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains("assessed 300 operations"), "{err}");
        out.stdout
    };
    let one = run("1");
    assert_eq!(one.iter().filter(|b| **b == b'\n').count(), 300);
    assert!(one == run("2"), "thread count changed the output");
}

#[test]
fn cli_streams_from_standard_input_into_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.jsonl");
    let out = itaku()
        .args([
            "assess",
            "-",
            "--as-of",
            "2026-04-01",
            "--format",
            "jsonl",
            "--output",
        ])
        .arg(&target)
        .write_stdin(synthetic::jsonl(20, 9))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written.lines().count(), 20);
}

#[test]
fn threads_must_be_positive() {
    let out = itaku().args(["assess", "--threads", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
