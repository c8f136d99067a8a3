//! The bundled catalog under the standard rules, pinned as reviewed snapshots that read well in a diff:
//! one compact decision table per parameter effective date (a future-dated value shows up as changed
//! lines), `explain` for a representative handful of operations, `diff` against a fixture revision,
//! `what-if` for an operation that can improve and one that cannot, and `coverage`.
//! A rule or catalog revision that changes a result changes these: review them like code.

use crate::support::{copy_dir, root};
use std::fmt::Write;
use std::sync::Arc;

use itaku::catalog::load_path;
use itaku::model::Severity;
use itaku::rules::{CompiledRules, RuleSet};
use itaku::{Catalog, Lang};

fn standard_rules() -> Arc<RuleSet> {
    Arc::new(RuleSet::load_dir(root().join("rules")).expect("standard rules load"))
}

fn compile(set: &Arc<RuleSet>, date: &str) -> CompiledRules {
    CompiledRules::compile(Arc::clone(set), date.parse().unwrap()).expect("rules compile")
}

fn bundled(rules: &CompiledRules) -> Catalog {
    let mut loaded = load_path(&root().join("catalog"));
    let vocabulary = itaku::check::check_vocabulary(&mut loaded.catalog, &rules.rules);
    assert!(
        loaded.diagnostics.is_empty() && vocabulary.is_empty(),
        "bundled catalog has problems: {} {vocabulary}",
        loaded.diagnostics
    );
    loaded.catalog
}

/// One line per operation: id, recommendation, C1..C5, high/medium items, freed FTE, proposal call.
fn decision_table(catalog: &Catalog, rules: &CompiledRules) -> String {
    let report = itaku::assess_catalog(catalog, rules);
    assert_eq!(
        report.rule_errors(),
        0,
        "standard rules failed on the bundled catalog"
    );
    let mut s = String::new();
    for a in &report.assessments {
        let points: Vec<String> = a.criteria.iter().map(|c| c.points.to_string()).collect();
        let _ = writeln!(
            s,
            "{:<44} {:<9} C {} | high {:>2} medium {:>2} | freed {:>6.2}{}",
            a.operation.id.as_str(),
            a.recommendation.as_str(),
            points.join(" "),
            a.count(Severity::High),
            a.count(Severity::Medium),
            a.freed_fte,
            if a.proposal_call { " | proposal" } else { "" }
        );
    }
    let counts: Vec<String> = report
        .by_recommendation()
        .iter()
        .map(|(r, n)| format!("{} {n}", r.as_str()))
        .collect();
    let _ = writeln!(
        s,
        "total: {}; freed {:.2}",
        counts.join(", "),
        report.freed_fte()
    );
    s
}

/// The decision table on every date a parameter value takes effect (from the first date on which every
/// parameter has a value).
#[test]
fn decision_table_per_parameter_date() {
    let set = standard_rules();
    let mut dates: Vec<jiff::civil::Date> = set
        .parameters
        .parameters
        .values()
        .flat_map(|p| p.values.iter().filter_map(|v| v.from.parse().ok()))
        .collect();
    dates.sort();
    dates.dedup();
    let complete = |d: &jiff::civil::Date| {
        set.parameters
            .parameters
            .values()
            .all(|p| p.at(*d).is_some())
    };
    let mut out = String::new();
    for date in dates.into_iter().filter(complete) {
        let rules = compile(&set, &date.to_string());
        let catalog = bundled(&rules);
        let _ = writeln!(out, "== as of {date}");
        out.push_str(&decision_table(&catalog, &rules));
    }
    insta::assert_snapshot!("decision_tables", out);
}

fn explain_of(id: &str, lang: Lang, json: bool) -> String {
    let rules = compile(&standard_rules(), "2026-04-01");
    let catalog = bundled(&rules);
    let op = catalog.find(id).expect("operation in the bundled catalog");
    let (_, x) = itaku::explain::explain(op, &rules, lang);
    if json {
        serde_json::to_string_pretty(&x).unwrap()
    } else {
        itaku::render::explain_text(&x, lang)
    }
}

#[test]
fn explain_partial_counter_back_office_ja() {
    insta::assert_snapshot!(
        "explain_counter_back_office_ja",
        explain_of("counter-back-office", Lang::Ja, false)
    );
}

#[test]
fn explain_outsourced_cleaning_ja() {
    insta::assert_snapshot!(
        "explain_ward_office_cleaning_ja",
        explain_of("ward-office-cleaning", Lang::Ja, false)
    );
}

#[test]
fn explain_excluded_seizure_ja() {
    insta::assert_snapshot!(
        "explain_tax_delinquency_seizure_ja",
        explain_of("tax-delinquency-seizure", Lang::Ja, false)
    );
}

#[test]
fn explain_study_with_unknown_facts_en() {
    insta::assert_snapshot!(
        "explain_lifelong_learning_en",
        explain_of("lifelong-learning-programmes", Lang::En, false)
    );
}

#[test]
fn explain_my_number_redesign_json_en() {
    insta::assert_snapshot!(
        "explain_benefit_intake_call_centre_en_json",
        explain_of("benefit-intake-call-centre", Lang::En, true)
    );
}

/// Copies the standard rules and applies `edits` (file, from, to), each of which must match once.
fn revised_rules(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    for (file, from, to) in edits {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{file}: `{from}`");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
    dir
}

/// A fixture revision that raises one threshold (C1's high routine share 0.8 → 0.9) and lowers one item
/// (work on roads, high → medium): the diff names the operations, the rules and the parameter.
#[test]
fn diff_against_a_fixture_revision() {
    let fixture = revised_rules(&[
        (
            "parameters.yaml",
            "      - {from: 2020-04-01, value: 0.8}\n  c1.routine_share.mid:",
            "      - {from: 2020-04-01, value: 0.9}\n  c1.routine_share.mid:",
        ),
        (
            "scripts/s5_workplace.rhai",
            "flag(\"s5-traffic\", \"high\")",
            "flag(\"s5-traffic\", \"medium\")",
        ),
    ]);
    let base = compile(&standard_rules(), "2026-04-01");
    let new_set = Arc::new(RuleSet::load_dir(fixture.path()).expect("fixture rules load"));
    let new = compile(&new_set, "2026-04-01");
    let catalog = bundled(&base);
    let (br, nr) = (
        itaku::assess_catalog(&catalog, &base),
        itaku::assess_catalog(&catalog, &new),
    );
    let d = itaku::diff::diff(
        itaku::diff::Side {
            report: &br,
            rules: &base,
        },
        itaku::diff::Side {
            report: &nr,
            rules: &new,
        },
        "standard".into(),
        "fixture".into(),
    );
    insta::assert_snapshot!(
        "diff_fixture_revision_en_md",
        itaku::render::diff_markdown(&d, Lang::En)
    );
}

fn what_if_of(id: &str) -> String {
    let rules = compile(&standard_rules(), "2026-04-01");
    let catalog = bundled(&rules);
    let op = catalog.find(id).unwrap();
    let w = itaku::whatif::what_if(op, &rules, Lang::Ja);
    itaku::render::whatif_text(&w, &rules.rules, Lang::Ja)
}

#[test]
fn what_if_for_an_operation_that_can_improve() {
    insta::assert_snapshot!(
        "what_if_benefit_intake_call_centre_ja",
        what_if_of("benefit-intake-call-centre")
    );
}

#[test]
fn what_if_for_an_operation_that_cannot() {
    insta::assert_snapshot!(
        "what_if_tax_delinquency_seizure_ja",
        what_if_of("tax-delinquency-seizure")
    );
}

#[test]
fn coverage_of_the_bundled_catalog_and_the_rule_cases() {
    let set = standard_rules();
    let rules = compile(&set, "2026-04-01");
    let catalog = bundled(&rules);
    let mut catalog_only = itaku::coverage::Counter::default();
    for op in &catalog.operations {
        catalog_only.add(op, &rules);
    }
    // The bundling rules over the catalog and in their cases (`bundle_cases:`), as `itaku coverage`.
    let bundling =
        itaku::rules::bundle::BundleRules::compile(Arc::clone(&set), rules.as_of).unwrap();
    let report = itaku::assess_catalog(&catalog, &rules);
    catalog_only.add_bundles(&itaku::bundle::propose(&report, &bundling));
    let mut cases_only = itaku::coverage::Counter::default();
    let mut by_date = std::collections::BTreeMap::new();
    for (date, op) in
        itaku::testcases::case_operations(&root().join("tests/rules"), &set, rules.as_of).unwrap()
    {
        let rules = by_date
            .entry(date)
            .or_insert_with(|| compile(&set, &date.to_string()));
        cases_only.add(&op, rules);
    }
    for r in itaku::testcases::case_bundles(&root().join("tests/rules"), &set, rules.as_of).unwrap()
    {
        cases_only.add_bundles(&r);
    }
    let cases = cases_only.report(&set);
    // CI holds the rule cases at every checklist item and every rule.
    assert_eq!(cases.items_never_raised, Vec::<String>::new());
    assert_eq!(cases.rules_never_fired, Vec::<String>::new());
    insta::assert_json_snapshot!("coverage_bundled_catalog", catalog_only.report(&set));
    insta::assert_json_snapshot!("coverage_rule_cases", cases);
}
/// What the 2026.2 review of the standard rules asked of the bundled catalog (rules/CHANGELOG.md).
#[test]
fn bundled_catalog_meets_the_2026_2_review() {
    use itaku::model::{Recommendation, Severity};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = Arc::new(RuleSet::load_dir(root.join("rules")).expect("standard rules load"));
    let compiled = CompiledRules::compile(rules, "2026-04-01".parse().unwrap()).unwrap();
    let mut loaded = load_path(&root.join("catalog"));
    let vocabulary = itaku::check::check_vocabulary(&mut loaded.catalog, &compiled.rules);
    assert!(vocabulary.is_empty(), "{vocabulary}");
    let report = itaku::assess_catalog(&loaded.catalog, &compiled);
    let find = |id: &str| {
        report
            .assessments
            .iter()
            .find(|a| a.operation.id.as_str() == id)
            .unwrap_or_else(|| panic!("{id} is in the bundled catalog"))
    };
    // Decisions that stay with staff: at most partial; oversight does not stop outsourcing.
    for id in [
        "certificate-counter-intake",
        "counter-back-office",
        "benefit-intake-call-centre",
    ] {
        assert!(
            find(id).recommendation <= Recommendation::Partial,
            "{id}: {:?}",
            find(id).recommendation
        );
    }
    for id in ["ward-office-cleaning", "main-switchboard"] {
        assert_eq!(find(id).recommendation, Recommendation::Outsource, "{id}");
    }
    // The seed's own proposal-call examples (IV-3-3) are candidates.
    for id in [
        "ward-call-centre",
        "main-switchboard",
        "counter-back-office",
        "eco-housing-subsidy",
    ] {
        assert!(find(id).proposal_call, "{id} is a proposal-call candidate");
    }
    // A checklist that sorts: no item high everywhere, median high count ≤ 5, a top risk wherever a
    // high item is.
    let open: Vec<_> = report.assessments.iter().filter(|a| !a.excluded).collect();
    let high_everywhere: Vec<&str> = compiled
        .rules
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            open.iter().all(|a| {
                a.checklist
                    .iter()
                    .any(|h| h.item == *i as u32 && h.severity == Severity::High)
            })
        })
        .map(|(_, item)| item.id.as_str())
        .collect();
    assert!(
        high_everywhere.is_empty(),
        "high on every operation: {high_everywhere:?}"
    );
    let mut highs: Vec<usize> = open.iter().map(|a| a.count(Severity::High)).collect();
    highs.sort();
    let median = highs[highs.len() / 2];
    assert!(median <= 5, "median high items {median}: {highs:?}");
    for a in &report.assessments {
        assert_eq!(
            a.top_risk.is_some(),
            a.count(Severity::High) > 0,
            "{}",
            a.operation.id
        );
    }
}
