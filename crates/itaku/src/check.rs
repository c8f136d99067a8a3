//! Catalog checks that need the rule set: the closed `hazards` vocabulary, decisive facts left out, and
//! facts that contradict each other (found by the rule set's `consistency` rules).
//!
//! Loading a catalog (`catalog::load_path`) knows nothing of rules; these checks run once both are
//! loaded. They re-read an operation's file only to locate a problem, so the happy path costs nothing.

use crate::assess::Assessment;
use crate::catalog::{Catalog, Field, FieldRef};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::rules::template::reason_text;
use crate::rules::CompiledRules;

pub use crate::catalog::locate::Locator;
pub use crate::catalog::vocabulary::{
    check_loaded, check_rejected, check_vocabulary, hazard_problem, unknown_hazards,
};

/// Warnings for `itaku check`: decisive facts left out, and contradictions found by the consistency
/// rules, each located at the fields involved.
pub fn check_facts(
    catalog: &Catalog,
    rules: &CompiledRules,
    assessments: &[Assessment],
    lang: Lang,
) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let mut locator = Locator::default();
    for ((op, origin), a) in catalog
        .operations
        .iter()
        .zip(&catalog.origins)
        .zip(assessments)
    {
        let absent: Vec<&str> = rules
            .rules
            .decisive_facts
            .iter()
            .filter(|f| matches!(op.get(**f), FieldRef::Missing))
            .map(|f| f.name())
            .collect();
        if !absent.is_empty() {
            let list = absent.join(", ");
            // Only a result that is `study` is study: an exclusion on other facts still stands.
            let (then_ja, then_en) = if a.recommendation == crate::model::Recommendation::Study {
                (
                    "判定は要検討になります".to_string(),
                    "the result will be study".to_string(),
                )
            } else {
                let level = a.recommendation.as_str();
                (
                    format!("判定は {level} ですが、この事実を確認してください"),
                    format!("the result is {level}; check these facts"),
                )
            };
            let mut d = Diagnostic::error(
                Code::CatalogDecisiveFactMissing,
                format!("業務 `{}`: 判定に欠かせない事実が書かれていません: {list} ({then_ja})", op.id),
                format!(
                    "operation `{}`: facts the recommendation cannot do without are absent: {list} ({then_en})",
                    op.id
                ),
            )
            .help(
                "わかる範囲で記入してください。不明な事実は判定結果の missing に挙がります",
                "fill them in where known; unknown facts are listed in the result's `missing`",
            );
            d.severity = crate::diag::Severity::Warning;
            problems.push(locator.locate(d, origin, Field::id, None));
        }
        for (_, fields, reason) in &a.contradictions {
            let text = reason_text(&rules.rules, reason, lang);
            let mut d = Diagnostic::error(
                Code::CatalogContradiction,
                format!("業務 `{}`: 事実が矛盾しています: {text}", op.id),
                format!("operation `{}`: facts contradict each other: {text}", op.id),
            );
            d.severity = crate::diag::Severity::Warning;
            let places: Vec<String> = fields
                .iter()
                .skip(1)
                .filter_map(|f| {
                    locator
                        .field(origin, *f, None)
                        .map(|l| format!("`{}` {}:{}:{}", f.name(), l.file.path, l.line, l.column))
                })
                .collect();
            let also = if places.is_empty() {
                String::new()
            } else {
                places.join("; ")
            };
            d = d.help(
                format!("どちらかの事実を直してください (判定は解消されるまで要検討)。関係する箇所: {also}"),
                format!("correct one of the facts (the result is study until then); also see: {also}"),
            );
            let first = fields.first().copied().unwrap_or(Field::id);
            problems.push(locator.locate(d, origin, first, None));
        }
    }
    problems
}
