//! The bundled catalog's assessment under the standard rules, pinned as a reviewed snapshot.
//! A rule or catalog revision that changes any result changes this snapshot: review it like code.

use std::sync::Arc;

use itaku::catalog::load_path;
use itaku::render::{render, Format};
use itaku::rules::{CompiledRules, RuleSet};
use itaku::Lang;

fn assess_bundled(lang: Lang) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = Arc::new(RuleSet::load_dir(root.join("rules")).expect("standard rules load"));
    let compiled = CompiledRules::compile(rules, "2026-04-01".parse().unwrap())
        .expect("standard rules compile");
    let loaded = load_path(&root.join("catalog"));
    assert!(
        loaded.diagnostics.is_empty(),
        "bundled catalog has problems: {}",
        loaded.diagnostics
    );
    let report = itaku::assess_catalog(&loaded.catalog, &compiled);
    assert_eq!(
        report.rule_errors(),
        0,
        "standard rules failed on the bundled catalog"
    );
    let mut out = Vec::new();
    render(&report, &compiled.rules, lang, Format::Json, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn bundled_catalog_assessment_ja() {
    insta::assert_snapshot!("bundled_catalog_ja", assess_bundled(Lang::Ja));
}

#[test]
fn bundled_catalog_assessment_en() {
    insta::assert_snapshot!("bundled_catalog_en", assess_bundled(Lang::En));
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
