//! The structured document behind `--format json` and `--format yaml` (contract 2 of PRODUCT.md).

use std::collections::BTreeMap;

use serde::Serialize;

use super::reason_text;
use crate::assess::{Assessment, Report};
use crate::lang::Lang;
use crate::rules::RuleSet;

#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub rules: RulesMeta,
    pub as_of: String,
    pub assessments: Vec<AssessmentDoc<'a>>,
    /// The standard clauses the assessments name (by id), each written out once.
    pub standard_clauses: Vec<ClauseDoc<'a>>,
    pub summary: Summary,
}

/// A standard clause every contract of its kind needs (not a risk of one operation).
#[derive(Debug, Serialize)]
pub struct ClauseDoc<'a> {
    pub id: &'a str,
    pub safeguard: crate::rules::Safeguard,
    pub item: &'a str,
    pub mitigation: &'a str,
    pub basis: &'a str,
}

#[derive(Debug, Serialize)]
pub struct RulesMeta {
    pub name: String,
    pub version: String,
    pub digest: String,
}

impl RulesMeta {
    /// The name, version and digest of `rules`, as every JSON output states them.
    pub fn of(rules: &crate::rules::RuleSet) -> RulesMeta {
        RulesMeta {
            name: rules.manifest.name.clone(),
            version: rules.manifest.version.clone(),
            digest: rules.digest.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AssessmentDoc<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub department: &'a str,
    pub recommendation: &'static str,
    pub excluded: bool,
    pub exclusions: Vec<ExclusionDoc<'a>>,
    /// Facts that contradict each other; any makes the recommendation `study` until resolved.
    pub contradictions: Vec<ContradictionDoc<'a>>,
    pub criteria: Vec<CriterionDoc>,
    /// Risks raised by this operation's own facts, by safeguard and severity.
    pub checklist: Vec<ChecklistDoc<'a>>,
    /// The worst high-severity item, in one line.
    pub top_risk: Option<TopRiskDoc<'a>>,
    /// Ids of the standard clauses the contract needs (written out in the document's `standard_clauses`).
    pub standard_clauses: Vec<&'a str>,
    /// Unknown facts that would change the result, decisive ones first.
    pub missing: Vec<&'static str>,
    /// The missing facts that decided the outcome (a subset of `missing`).
    pub decisive_missing: Vec<&'static str>,
    pub freed_fte: f64,
    pub proposal_call: bool,
    /// Why the recommendation is what it is (from the recommendation rule and any gate limit).
    pub notes: Vec<String>,
    /// The methods of delivery that fit, best first (method rules).
    pub methods: Vec<MethodDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDoc<'a>>,
}

/// One method of delivery and how well it fits (`methods` of an assessment).
#[derive(Debug, Serialize)]
pub struct MethodDoc {
    /// The method's id (`consignment` …, `method.rs`).
    pub method: &'static str,
    /// 0..=5.
    pub fit: u8,
    /// Why it fits or does not, from the operation's facts.
    pub reasons: Vec<String>,
    /// What would have to be true for it.
    pub conditions: Vec<String>,
    /// Where the law or the plan outline names the method.
    pub basis: &'static str,
}

/// The methods of an assessment, as the document writes them.
pub fn method_docs(a: &Assessment, rules: &RuleSet, lang: Lang) -> Vec<MethodDoc> {
    a.methods
        .iter()
        .map(|m| MethodDoc {
            method: m.method.id(),
            fit: m.fit,
            reasons: m
                .reasons
                .iter()
                .map(|(_, r)| reason_text(rules, r, lang))
                .collect(),
            conditions: m
                .conditions
                .iter()
                .map(|(_, r)| reason_text(rules, r, lang))
                .collect(),
            basis: m.method.basis_in(lang),
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct ExclusionDoc<'a> {
    pub rule: &'a str,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ContradictionDoc<'a> {
    pub rule: &'a str,
    pub fields: Vec<&'static str>,
    pub finding: String,
}

#[derive(Debug, Serialize)]
pub struct TopRiskDoc<'a> {
    pub id: &'a str,
    pub safeguard: crate::rules::Safeguard,
    pub item: &'a str,
}

#[derive(Debug, Serialize)]
pub struct CriterionDoc {
    pub id: &'static str,
    pub points: u8,
    pub max: u8,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ChecklistDoc<'a> {
    pub id: &'a str,
    pub safeguard: crate::rules::Safeguard,
    pub severity: &'static str,
    pub item: &'a str,
    pub mitigation: &'a str,
    pub rule: &'a str,
    pub basis: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ErrorDoc<'a> {
    pub rule: &'a str,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub message: &'a str,
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
pub fn document<'a>(report: &'a Report, rules: &'a RuleSet, lang: Lang) -> Document<'a> {
    document_parts(report, rules, lang, true)
}

/// The document; with `full == false`, without `assessments` and `standard_clauses` (left empty for
/// the JSON renderer, which writes them itself with its pre-escaped item texts).
pub(super) fn document_parts<'a>(
    report: &'a Report,
    rules: &'a RuleSet,
    lang: Lang,
    full: bool,
) -> Document<'a> {
    let (assessments, standard_clauses) = if full {
        (
            report
                .assessments
                .iter()
                .map(|a| assessment_doc(a, rules, lang))
                .collect(),
            clauses_used(report, rules, lang),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Document {
        tool: "itaku",
        version: env!("CARGO_PKG_VERSION"),
        rules: RulesMeta::of(rules),
        as_of: report.as_of.to_string(),
        assessments,
        standard_clauses,
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

/// One operation's result as it appears in `assessments` (and as one line of `--format jsonl`).
pub fn assessment_doc<'a>(a: &'a Assessment, rules: &'a RuleSet, lang: Lang) -> AssessmentDoc<'a> {
    assessment_parts(a, rules, lang, true)
}

/// One operation's result; with `full == false`, without `checklist` and `top_risk` (left empty for
/// the JSON renderer, which writes them itself with its pre-escaped item texts).
pub(super) fn assessment_parts<'a>(
    a: &'a Assessment,
    rules: &'a RuleSet,
    lang: Lang,
    full: bool,
) -> AssessmentDoc<'a> {
    let rule_id = |i: u16| rules.rule(i).id.as_str();
    let op = &a.operation;
    let mut notes: Vec<String> = Vec::new();
    if let Some((_, _, reason)) = &a.cap {
        notes.push(reason_text(rules, reason, lang));
    }
    notes.extend(a.notes.iter().map(|(_, r)| reason_text(rules, r, lang)));
    AssessmentDoc {
        id: op.id.as_str(),
        name: op.display_name(lang),
        department: &op.department,
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
        contradictions: a
            .contradictions
            .iter()
            .map(|(rule, fields, reason)| ContradictionDoc {
                rule: rule_id(*rule),
                fields: fields.iter().map(|f| f.name()).collect(),
                finding: reason_text(rules, reason, lang),
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
            .filter(|_| full)
            .map(|h| {
                let item = rules.item(h.item);
                ChecklistDoc {
                    id: &item.id,
                    safeguard: item.safeguard,
                    severity: h.severity.as_str(),
                    item: item.item.get(lang),
                    mitigation: item.mitigation.get(lang),
                    rule: rule_id(h.rule),
                    basis: item.basis.get(lang),
                }
            })
            .collect(),
        top_risk: a.top_risk.filter(|_| full).map(|i| {
            let item = rules.item(a.checklist[i].item);
            TopRiskDoc {
                id: &item.id,
                safeguard: item.safeguard,
                item: item.item.get(lang),
            }
        }),
        standard_clauses: a
            .clauses
            .iter()
            .map(|&i| rules.item(i).id.as_str())
            .collect(),
        missing: a.missing.iter().map(|f| f.name()).collect(),
        decisive_missing: a.decisive.iter().map(|f| f.name()).collect(),
        freed_fte: a.freed_fte,
        proposal_call: a.proposal_call,
        notes,
        methods: method_docs(a, rules, lang),
        errors: a
            .errors
            .iter()
            .map(|e| ErrorDoc {
                rule: rule_id(e.rule),
                file: &e.file,
                line: e.line,
                column: e.column,
                message: &e.message,
            })
            .collect(),
    }
}

/// Every standard clause named by some assessment, in item order, written out once.
fn clauses_used<'a>(report: &Report, rules: &'a RuleSet, lang: Lang) -> Vec<ClauseDoc<'a>> {
    clause_indices(report)
        .into_iter()
        .map(|i| {
            let item = rules.item(i);
            ClauseDoc {
                id: &item.id,
                safeguard: item.safeguard,
                item: item.item.get(lang),
                mitigation: item.mitigation.get(lang),
                basis: item.basis.get(lang),
            }
        })
        .collect()
}

/// The items of every standard clause named by some assessment, in item order, once each.
pub(super) fn clause_indices(report: &Report) -> Vec<u32> {
    let mut used: Vec<u32> = report
        .assessments
        .iter()
        .flat_map(|a| a.clauses.iter().copied())
        .collect();
    used.sort();
    used.dedup();
    used
}
