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
