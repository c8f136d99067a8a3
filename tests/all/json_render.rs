//! `--format json` / `--format jsonl` write the item texts pre-escaped (src/render/json.rs): the bytes
//! must be exactly serde_json's serialisation of the view model (`Document`, `AssessmentDoc`), pretty
//! and compact, in both languages, on the bundled catalog, on generated operations, and with texts that
//! need escaping (quotes, backslashes, control characters, non-ASCII).

use crate::support::root;
use crate::support::synthetic;

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use itaku::assess::Report;
use itaku::catalog::{load_path, parse_jsonl_str, Catalog};
use itaku::render::{
    assessment_doc, document, render, write_json_document, write_jsonl_line, Format, JsonItems,
};
use itaku::rules::{CompiledRules, RuleSet};
use itaku::stream::assess_jsonl;
use itaku::Lang;

/// Texts that serde_json must escape, and some it must not.
const AWKWARD: &[&str] = &[
    "quote \" and backslash \\ and slash /",
    "control \u{0} \u{1} \u{8} \t \n \r \u{c} \u{1f} \u{7f} end",
    "委託「仕様書」に\"再委託\"の禁止を明記する\\n（個人情報）",
    "emoji 🏛️ and line separator \u{2028} paragraph \u{2029}",
    "",
];

fn compile(set: RuleSet) -> CompiledRules {
    CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap()).unwrap()
}

fn standard_set() -> RuleSet {
    RuleSet::load_dir(root().join("rules")).expect("standard rules load")
}

/// The standard rules with every item's texts (both languages) made awkward to escape.
fn awkward_set() -> RuleSet {
    let mut set = standard_set();
    for (i, item) in set.items.iter_mut().enumerate() {
        let pick = |k: usize| AWKWARD[(i + k) % AWKWARD.len()];
        item.item.ja = format!("{}{}", item.item.ja, pick(0));
        item.item.en = format!("{}{}", pick(1), item.item.en);
        item.mitigation.ja = pick(2).to_string();
        item.mitigation.en = format!("{}{}", item.mitigation.en, pick(3));
        item.basis.ja = format!("{}{}", pick(4), item.basis.ja);
        item.basis.en = pick(i).to_string();
    }
    set
}

fn bundled(rules: &CompiledRules) -> Catalog {
    let mut loaded = load_path(&root().join("catalog"));
    let vocabulary = itaku::check::check_vocabulary(&mut loaded.catalog, &rules.rules);
    assert!(
        !loaded.diagnostics.has_errors() && vocabulary.is_empty(),
        "bundled catalog has problems: {} {vocabulary}",
        loaded.diagnostics
    );
    loaded.catalog
}

/// Generated operations; every fifth one has an awkward name (non-ASCII, quotes, controls).
fn generated_jsonl(n: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::new();
    for i in 0..n {
        let mut op = synthetic::operation(&mut rng, i);
        if i % 5 == 0 {
            op.insert(
                "name".to_string(),
                serde_json::Value::String(format!("業務{i} {}", AWKWARD[i % AWKWARD.len()])),
            );
        }
        serde_json::to_writer(&mut out, &op).unwrap();
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap()
}

fn generated(n: usize, seed: u64) -> Catalog {
    let loaded = parse_jsonl_str("g.jsonl", &generated_jsonl(n, seed));
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    loaded.catalog
}

/// Every JSON rendering of `report` equals serde_json's serialisation of the view model.
fn check(report: &Report, rules: &CompiledRules, what: &str) {
    assert!(!report.assessments.is_empty(), "{what}: no assessments");
    for lang in [Lang::Ja, Lang::En] {
        let set = &rules.rules;
        let items = JsonItems::new(set, lang);

        let mut expected = serde_json::to_string_pretty(&document(report, set, lang)).unwrap();
        expected.push('\n');
        let mut direct = Vec::new();
        write_json_document(&mut direct, report, set, &items).unwrap();
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            expected,
            "{what}: pretty document, {lang:?}"
        );
        let mut rendered = Vec::new();
        render(report, set, lang, Format::Json, &mut rendered).unwrap();
        assert_eq!(
            String::from_utf8(rendered).unwrap(),
            expected,
            "{what}: --format json, {lang:?}"
        );

        let mut expected_lines = String::new();
        for a in &report.assessments {
            let mut expected = serde_json::to_string(&assessment_doc(a, set, lang)).unwrap();
            expected.push('\n');
            let mut line = Vec::new();
            write_jsonl_line(&mut line, a, set, &items).unwrap();
            assert_eq!(
                String::from_utf8(line).unwrap(),
                expected,
                "{what}: line of {}, {lang:?}",
                a.operation.id.as_str()
            );
            expected_lines.push_str(&expected);
        }
        let mut rendered = Vec::new();
        render(report, set, lang, Format::Jsonl, &mut rendered).unwrap();
        assert_eq!(
            String::from_utf8(rendered).unwrap(),
            expected_lines,
            "{what}: --format jsonl, {lang:?}"
        );
    }
}

#[test]
fn bundled_catalog_renders_as_serde_json_does() {
    for (set, what) in [(standard_set(), "standard"), (awkward_set(), "awkward")] {
        let rules = compile(set);
        let report = itaku::assess_catalog(&bundled(&rules), &rules);
        assert!(
            report.assessments.iter().any(|a| !a.checklist.is_empty()),
            "{what}: no checklist item to compare"
        );
        assert!(
            report.assessments.iter().any(|a| !a.clauses.is_empty()),
            "{what}: no standard clause to compare"
        );
        check(&report, &rules, &format!("bundled catalog, {what} items"));
    }
}

#[test]
fn generated_operations_render_as_serde_json_does() {
    for (set, what) in [(standard_set(), "standard"), (awkward_set(), "awkward")] {
        let rules = compile(set);
        let report = itaku::assess_catalog(&generated(300, 5), &rules);
        check(&report, &rules, &format!("generated catalog, {what} items"));
    }
}

#[test]
fn awkward_texts_reach_the_output_escaped() {
    let rules = compile(awkward_set());
    let report = itaku::assess_catalog(&generated(50, 9), &rules);
    let mut out = Vec::new();
    render(&report, &rules.rules, Lang::En, Format::Jsonl, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#"quote \" and backslash \\ and slash /"#));
    assert!(text.contains(r"control \u0000 \u0001 \b \t \n \r \f \u001f"));
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value.is_object());
    }
}

#[test]
fn streamed_lines_match_the_view_model_in_both_languages() {
    let rules = compile(awkward_set());
    let text = generated_jsonl(200, 3);
    let loaded = parse_jsonl_str("g.jsonl", &text);
    let report = itaku::assess_catalog(&loaded.catalog, &rules);
    for lang in [Lang::Ja, Lang::En] {
        let expected: String = report
            .assessments
            .iter()
            .map(|a| serde_json::to_string(&assessment_doc(a, &rules.rules, lang)).unwrap() + "\n")
            .collect();
        let mut out = Vec::new();
        let summary = assess_jsonl(
            "g.jsonl",
            &mut Cursor::new(text.as_bytes()),
            &rules,
            lang,
            &mut out,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(summary.operations, report.assessments.len());
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{lang:?}");
    }
}

/// Every message template made awkward: escapes in its text, a placeholder naming no argument, a
/// placeholder that is not a number, and a `{` that never closes.
fn awkward_messages(set: &mut RuleSet) {
    for (i, (_, text)) in set.messages.iter_mut().enumerate() {
        let pick = |k: usize| AWKWARD[(i + k) % AWKWARD.len()];
        text.ja = format!("{}{} {{9}} {{x|pct}}", pick(0), text.ja);
        text.en = format!("{} {}{{", text.en, pick(1));
    }
}

/// The standard rules with one script that fails on every third operation (a quoted message), so that
/// lines carry `errors`.
fn failing_set(dir: &Path) -> RuleSet {
    let rules = dir.join("rules");
    crate::support::copy_dir(&root().join("rules"), &rules);
    let script = rules.join("scripts").join("c5_facilities.rhai");
    let mut text = std::fs::read_to_string(&script).unwrap();
    text.push_str(
        "\nif op.annual_cases != () && op.annual_cases % 3 == 0 { throw \"boom \\\"quoted\\\" \\\\ end\"; }\n",
    );
    std::fs::write(&script, text).unwrap();
    RuleSet::load_dir(&rules).expect("rules with a failing script load")
}

#[test]
fn every_part_of_a_line_renders_as_serde_json_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut set = failing_set(dir.path());
    awkward_messages(&mut set);
    let rules = compile(set);
    let mut catalog = generated(400, 11);
    catalog.operations.extend(bundled(&rules).operations);
    let report = itaku::assess_catalog(&catalog, &rules);
    let has = |what: &str, f: &dyn Fn(&itaku::assess::Assessment) -> bool| {
        assert!(
            report.assessments.iter().any(f),
            "no assessment with {what}"
        );
    };
    has("rule errors", &|a| !a.errors.is_empty());
    has("exclusions", &|a| !a.exclusions.is_empty());
    has("contradictions", &|a| !a.contradictions.is_empty());
    has("a cap", &|a| a.cap.is_some());
    has("notes", &|a| !a.notes.is_empty());
    has("a top risk", &|a| a.top_risk.is_some());
    has("no top risk", &|a| a.top_risk.is_none());
    has("standard clauses", &|a| !a.clauses.is_empty());
    has("missing facts", &|a| !a.decisive.is_empty());
    has("a proposal call", &|a| a.proposal_call);
    has("freed FTE", &|a| {
        a.freed_fte > 0.0 && a.freed_fte.fract() != 0.0
    });
    check(&report, &rules, "failing rule, awkward messages");
}
