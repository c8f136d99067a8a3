//! The fast JSON Lines path (serde straight into an operation) against the exact, located path, line by
//! line: whenever the fast path answers, the exact path gives the same operation without any diagnostic,
//! and the combined path (fast, else exact) gives exactly what the exact path gives, diagnostics included.
//! Inputs: the bundled catalog, 10,000 generated operations, the rule cases, the fuzz corpus, the hostile
//! fixtures, a table of hand-written edge lines and every field of generated records mutated to each
//! value of a list of awkward values.

use crate::support::root;
use crate::support::synthetic;

use std::path::Path;
use std::sync::Arc;

use itaku::catalog::{
    jsonl_operation_fast, load_path, operation_from_jsonl_line, operation_from_jsonl_line_exact,
    parse_jsonl_str, Field,
};
use itaku::diag::SourceFile;
use serde_json::{Map, Value};

/// Compares the paths on one line; returns whether the fast path answered.
fn check(line: &str) -> bool {
    let file = Arc::new(SourceFile::starting_at("t.jsonl", line, 7));
    let exact = operation_from_jsonl_line_exact(&file, 7, line);
    let combined = operation_from_jsonl_line(&file, 7, line);
    let fast = jsonl_operation_fast(7, line);
    if let Some(op) = &fast {
        match &exact {
            Ok(Some(e)) => assert_eq!(e, op, "fast and exact differ on {line:?}"),
            other => {
                panic!("fast path accepted a line the exact path does not: {line:?}: {other:?}")
            }
        }
    }
    // Operations and diagnostics (code, messages, hints, file, line, column) must be the same.
    assert_eq!(
        format!("{combined:?}"),
        format!("{exact:?}"),
        "combined path differs from the exact path on {line:?}"
    );
    fast.is_some()
}

fn count(lines: impl IntoIterator<Item = String>) -> (usize, usize) {
    let (mut all, mut fast) = (0, 0);
    for line in lines {
        all += 1;
        fast += usize::from(check(&line));
    }
    (all, fast)
}

fn bundled_catalog_lines() -> Vec<String> {
    let loaded = load_path(&root().join("catalog"));
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    loaded
        .catalog
        .operations
        .iter()
        .map(|op| serde_json::to_string(&**op).unwrap())
        .collect()
}

#[test]
fn bundled_catalog_takes_the_fast_path_with_identical_operations() {
    let lines = bundled_catalog_lines();
    assert!(lines.len() >= 40);
    let (all, fast) = count(lines.clone());
    assert_eq!(
        fast, all,
        "every bundled operation should take the fast path"
    );
    // The whole-file loader gives the same catalog as before.
    let text = lines.join("\n");
    let loaded = parse_jsonl_str("c.jsonl", &text);
    assert!(loaded.diagnostics.is_empty(), "{}", loaded.diagnostics);
    let reloaded = load_path(&root().join("catalog"));
    assert_eq!(loaded.catalog.operations, reloaded.catalog.operations);
}

#[test]
fn generated_operations_take_the_fast_path_with_identical_operations() {
    let text = synthetic::jsonl(10_000, 42);
    let (all, fast) = count(text.lines().map(str::to_string));
    assert_eq!(all, 10_000);
    assert_eq!(fast, all);
}

/// Every mapping found in the rule cases, as a record (with an identity added when it has none).
#[test]
fn rule_case_operations() {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                out.push(serde_json::to_string(m).unwrap());
                let mut with_id = m.clone();
                for (k, v) in [("id", "x-1"), ("name", "n"), ("department", "d")] {
                    with_id
                        .entry(k.to_string())
                        .or_insert(Value::String(v.into()));
                }
                out.push(serde_json::to_string(&with_id).unwrap());
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/rules")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let value: Value = serde_yaml::from_str(&text).unwrap();
        walk(&value, &mut lines);
    }
    let (all, fast) = count(lines);
    assert!(all > 200, "{all}");
    assert!(fast > 0);
}

fn file_lines(dir: &Path, out: &mut Vec<String>) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            file_lines(&path, out);
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        out.extend(text.lines().map(str::to_string));
        out.push(text);
    }
}

#[test]
fn fuzz_corpus_and_hostile_fixtures() {
    let mut lines = Vec::new();
    file_lines(&root().join("fuzz/corpus"), &mut lines);
    file_lines(&root().join("tests/fixtures/hostile"), &mut lines);
    let (all, _) = count(lines);
    assert!(all > 5_000, "{all}");
}

const BASE: &str = r#"{"id":"a-1","name":"業務","department":"総務部"}"#;

/// `BASE` with `tail` added inside the object.
fn with(tail: &str) -> String {
    format!("{},{tail}}}", &BASE[..BASE.len() - 1])
}

#[test]
fn hand_written_edge_lines() {
    let mut lines: Vec<String> = [
        BASE,
        "",
        "   ",
        "\t",
        "{}",
        "[]",
        "null",
        "1",
        r#""a""#,
        r#"["a-1","業務","総務部"]"#,
        "{",
        "\u{feff}{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"}",
        "{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"}\r",
        "{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"} ",
        " {\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"}",
        "{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"} x",
        "{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"}{}",
        "{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\",}",
        "{\"id\":\"a\",\"name\":\"n\",\"department\":\"d\"\u{0}}",
        r#"{"id":"a","id":"b","name":"n","department":"d"}"#,
        r#"{"id":"Bad Id","name":"n","department":"d"}"#,
        r#"{"id":"","name":"n","department":"d"}"#,
        r#"{"id":"a","name":" ","department":"d"}"#,
        r#"{"id":"a","name":"n","department":null}"#,
        r#"{"id":"a","name":"n"}"#,
        r#"{"id":1,"name":"n","department":"d"}"#,
        r#"{"id":"a","name":1,"department":"d"}"#,
        r#"{"id":"a","name":["n"],"department":"d"}"#,
        r#"{"\u0069d":"a","name":"n","department":"d"}"#,
        r#"{"id":"\u0061","name":"\ud83d\ude00 \n \"q\" \\","department":"d"}"#,
        r#"{"id":"a","name":"\ud800","department":"d"}"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let x129 = "x".repeat(129);
    for tail in [
        r#""difficulty":3"#,
        r#""difficulty":3.0"#,
        r#""difficulty":-0"#,
        r#""difficulty":1e0"#,
        r#""difficulty":9"#,
        r#""difficulty":"3""#,
        r#""difficulty":null"#,
        r#""difficulty":3,"difficulty":4"#,
        r#""difficulty":null,"difficulty":4"#,
        r#""difficulti":3"#,
        r#""Difficulty":3"#,
        r#""annual_cases":18446744073709551615"#,
        r#""annual_cases":9223372036854775807"#,
        r#""annual_cases":9223372036854775808"#,
        r#""annual_cases":1000000000000000"#,
        r#""annual_cases":1000000000000001"#,
        r#""annual_cases":-1"#,
        r#""annual_cases":1e400"#,
        r#""routine_share":0.5"#,
        r#""routine_share":1"#,
        r#""routine_share":0"#,
        r#""routine_share":-0.0"#,
        r#""routine_share":1.0000001"#,
        r#""routine_share":92"#,
        r#""routine_share":1e-400"#,
        r#""routine_share":"0.5""#,
        r#""staff_fte":18446744073709551615"#,
        r#""staff_fte":123456789012345678901234567890"#,
        r#""manuals":"full""#,
        r#""manuals":"complete""#,
        r#""manuals":"Complete""#,
        r#""manuals":"""#,
        r#""manuals":1"#,
        r#""manuals":true"#,
        r#""manuals":["complete"]"#,
        r#""manuals":{"a":1}"#,
        r#""manuals":{}"#,
        r#""manuals":"\u0063omplete""#,
        r#""name_en":"""#,
        r#""name_en":" ""#,
        r#""name_en":12"#,
        r#""name_en":-12"#,
        r#""name_en":1.5"#,
        r#""name_en":9223372036854775808"#,
        r#""name_en":true"#,
        r#""name_en":null"#,
        r#""legal_basis":[]"#,
        r#""legal_basis":["a",1]"#,
        r#""legal_basis":["a",null]"#,
        r#""legal_basis":["a",1.5]"#,
        r#""legal_basis":[["a"]]"#,
        r#""legal_basis":"a""#,
        r#""legal_basis":[{}]"#,
        r#""hazards":["machinery"]"#,
        r#""hazards":["no-such-hazard"]"#,
        r#""monthly_load":[1,2,3,4,5,6,7,8,9,10,11,12]"#,
        r#""monthly_load":[1,2,3,4,5,6,7,8,9,10,11]"#,
        r#""monthly_load":[1,2,3,4,5,6,7,8,9,10,11,-12]"#,
        r#""monthly_load":[1,2,3,4,5,6,7,8,9,10,11,null]"#,
        r#""monthly_load":[1.5,2,3,4,5,6,7,8,9,10,11,"12"]"#,
        r#""monthly_load":[]"#,
        r#""spec_definable":true"#,
        r#""spec_definable":"true""#,
        r#""spec_definable":1"#,
        r#""spec_definable":null"#,
        &format!(r#""name_en":"{x129}""#),
    ] {
        lines.push(with(tail));
    }
    lines.push(format!(r#"{{"id":"{x129}","name":"n","department":"d"}}"#));
    lines.push(format!(
        r#"{{"id":"{}","name":"n","department":"d"}}"#,
        &x129[1..]
    ));
    lines.push(format!("{}{}", "[".repeat(200), "]".repeat(200)));
    lines.push(with(&format!(
        r#""legal_basis":{}{}"#,
        "[".repeat(200),
        "]".repeat(200)
    )));
    let (all, fast) = count(lines);
    assert!(fast >= 20, "{fast} of {all}");
}

/// Each field of generated records set to each awkward value, removed, or written twice.
#[test]
fn every_field_mutated() {
    let awkward: Vec<Value> = [
        "null",
        "true",
        "false",
        "0",
        "1",
        "3",
        "-1",
        "3.0",
        "0.5",
        "1e20",
        "-0.0",
        "18446744073709551615",
        r#""""#,
        r#"" ""#,
        r#""none""#,
        r#""complete""#,
        r#""x""#,
        "[]",
        r#"["a"]"#,
        "[1]",
        "[null]",
        "{}",
        r#"{"a":1}"#,
        "[1,2,3,4,5,6,7,8,9,10,11,12]",
        "[1,2,3,4,5,6,7,8,9,10,11,12.5]",
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    let text = synthetic::jsonl(40, 5);
    let records: Vec<Map<String, Value>> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut lines = Vec::new();
    for (i, record) in records.iter().enumerate() {
        // A few records give every field every value; the others a rotating sample.
        for (j, name) in Field::NAMES.iter().enumerate() {
            for (k, value) in awkward.iter().enumerate() {
                if i >= 3 && (i + j + k) % 8 != 0 {
                    continue;
                }
                let mut m = record.clone();
                m.insert(name.to_string(), value.clone());
                lines.push(serde_json::to_string(&m).unwrap());
            }
            let mut m = record.clone();
            m.remove(*name);
            lines.push(serde_json::to_string(&m).unwrap());
            let line = serde_json::to_string(record).unwrap();
            if let Some(v) = record.get(*name) {
                lines.push(with_field_twice(&line, name, v));
            }
        }
    }
    let (all, fast) = count(lines);
    assert!(all > 8_000, "{all}");
    assert!(fast > 1_000, "{fast} of {all}");
}

fn with_field_twice(line: &str, name: &str, value: &Value) -> String {
    format!(
        "{},\"{name}\":{}}}",
        &line[..line.len() - 1],
        serde_json::to_string(value).unwrap()
    )
}
