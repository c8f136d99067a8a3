//! The structured document behind `--format json` and `--format yaml` (contract 2 of PRODUCT.md).

use std::collections::BTreeMap;

use serde::Serialize;

use super::reason_text;
use crate::assess::Report;
use crate::lang::Lang;
use crate::rules::RuleSet;

#[derive(Debug, Serialize)]
pub struct Document {
    pub tool: &'static str,
    pub version: &'static str,
    pub rules: RulesMeta,
    pub as_of: String,
    pub assessments: Vec<AssessmentDoc>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct RulesMeta {
    pub name: String,
    pub version: String,
    pub digest: String,
}

#[derive(Debug, Serialize)]
pub struct AssessmentDoc {
    pub id: String,
    pub name: String,
    pub department: String,
    pub recommendation: &'static str,
    pub excluded: bool,
    pub exclusions: Vec<ExclusionDoc>,
    pub criteria: Vec<CriterionDoc>,
    pub checklist: Vec<ChecklistDoc>,
    pub missing: Vec<&'static str>,
    pub freed_fte: f64,
    pub proposal_call: bool,
    /// Why the recommendation is what it is (from the recommendation rule and any gate limit).
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDoc>,
}

#[derive(Debug, Serialize)]
pub struct ExclusionDoc {
    pub rule: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct CriterionDoc {
    pub id: &'static str,
    pub points: u8,
    pub max: u8,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ChecklistDoc {
    pub id: String,
    pub safeguard: crate::rules::Safeguard,
    pub severity: &'static str,
    pub item: String,
    pub mitigation: String,
    pub rule: String,
    pub basis: String,
}

#[derive(Debug, Serialize)]
pub struct ErrorDoc {
    pub rule: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub operations: usize,
    pub by_recommendation: BTreeMap<&'static str, usize>,
    pub freed_fte: f64,
    pub freed_fte_by_department: BTreeMap<String, f64>,
    pub freed_fte_by_focus_area: BTreeMap<&'static str, f64>,
    pub proposal_calls: usize,
    pub rule_errors: usize,
}

/// Builds the output document in `lang`.
pub fn document(report: &Report, rules: &RuleSet, lang: Lang) -> Document {
    let rule_id = |i: u16| rules.rule(i).id.clone();
    let assessments = report
        .assessments
        .iter()
        .map(|a| {
            let op = &a.operation;
            let mut notes: Vec<String> = Vec::new();
            if let Some((_, _, reason)) = &a.cap {
                notes.push(reason_text(rules, reason, lang));
            }
            notes.extend(a.notes.iter().map(|(_, r)| reason_text(rules, r, lang)));
            AssessmentDoc {
                id: op.id.to_string(),
                name: op.name.clone(),
                department: op.department.clone(),
                recommendation: a.recommendation.as_str(),
                excluded: a.excluded,
                exclusions: a
                    .exclusions
                    .iter()
                    .map(|(rule, reason)| ExclusionDoc {
                        rule: rule_id(*rule),
                        reason: reason_text(rules, reason, lang),
                    })
                    .collect(),
                criteria: a
                    .criteria
                    .iter()
                    .map(|c| CriterionDoc {
                        id: c.criterion.as_str(),
                        points: c.points,
                        max: crate::model::Criterion::MAX_POINTS,
                        reasons: c
                            .reasons
                            .iter()
                            .map(|r| reason_text(rules, r, lang))
                            .collect(),
                    })
                    .collect(),
                checklist: a
                    .checklist
                    .iter()
                    .map(|h| {
                        let item = rules.item(h.item);
                        ChecklistDoc {
                            id: item.id.clone(),
                            safeguard: item.safeguard,
                            severity: h.severity.as_str(),
                            item: item.item.get(lang).to_string(),
                            mitigation: item.mitigation.get(lang).to_string(),
                            rule: rule_id(h.rule),
                            basis: item.basis.get(lang).to_string(),
                        }
                    })
                    .collect(),
                missing: a.missing.iter().map(|f| f.name()).collect(),
                freed_fte: a.freed_fte,
                proposal_call: a.proposal_call,
                notes,
                errors: a
                    .errors
                    .iter()
                    .map(|e| ErrorDoc {
                        rule: rule_id(e.rule),
                        file: e.file.clone(),
                        line: e.line,
                        column: e.column,
                        message: e.message.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    Document {
        tool: "itaku",
        version: env!("CARGO_PKG_VERSION"),
        rules: RulesMeta {
            name: rules.manifest.name.clone(),
            version: rules.manifest.version.clone(),
            digest: rules.digest.clone(),
        },
        as_of: report.as_of.to_string(),
        assessments,
        summary: Summary {
            operations: report.assessments.len(),
            by_recommendation: report
                .by_recommendation()
                .iter()
                .map(|(r, n)| (r.as_str(), *n))
                .collect(),
            freed_fte: report.freed_fte(),
            freed_fte_by_department: report
                .freed_by_department()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            freed_fte_by_focus_area: report.freed_by_focus_area(),
            proposal_calls: report
                .assessments
                .iter()
                .filter(|a| a.proposal_call)
                .count(),
            rule_errors: report.rule_errors(),
        },
    }
}
