//! Bundles (`itaku bundle`): comprehensive contracts proposed over a catalog (seed V-1-⑤
//! 「各施設ごとに分かれている維持管理業務をまとめ、包括的に委託する」, IV-3-2-(1)-⑤, IV-5-1).
//!
//! The pipeline is pure, like assessment: (catalog assessed, bundling rules) → [`BundleReport`]. The
//! grouping rules name, for each operation, the kinds of work it belongs to; operations of one kind that
//! the assessment lets go out (`outsource` or `partial`) form a candidate bundle when there are two or
//! more of them; the proposal rules then weigh each candidate from its facts (savings, risks, combined
//! checklist, advice). The combined checklist is every member's items at their highest severity, plus
//! what the bundle raises as a whole (a wage floor crossed by the total though no part crossed it, say).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::assess::{Assessment, Report};
use crate::catalog::{CatalogEnum, Operation};
use crate::model::{Recommendation, Severity};
use crate::rules::bundle::{BundleFacts, BundleRuleError, BundleRules, Fact, GroupHit, Weighing};
use crate::rules::{Reason, Safeguard};

pub use crate::rules::bundle::Advice;

/// A candidate bundle and what the rules made of it.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The kind of work, as the grouping rules name it (`facility_maintenance`); the proposal's id.
    pub kind: String,
    /// The title the grouping rule gave (a message).
    pub title: Reason,
    /// The member operations' assessments (indexes into the report), in catalog order.
    pub members: Vec<usize>,
    pub facts: BundleFacts,
    pub weighing: Weighing,
    /// The combined checklist: (item index, severity, the members that raise it; empty: the bundle as a
    /// whole raises it), by safeguard, then severity (high first), then item order.
    pub checklist: Vec<CombinedItem>,
}

/// One item of a bundle's combined checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct CombinedItem {
    pub item: u32,
    pub safeguard: Safeguard,
    pub severity: Severity,
    /// Member operation ids whose own assessment raises the item.
    pub raised_by: Vec<String>,
    /// The bundle as a whole raises it (no part alone would, or not at this severity).
    pub by_bundle: bool,
}

/// Operations of a kind that form no proposal, and why.
#[derive(Debug, Clone)]
pub struct NotProposed {
    pub kind: String,
    pub title: Reason,
    /// Operations that may go out (fewer than two).
    pub eligible: Vec<usize>,
}

/// An operation a grouping rule put in a bundle that its assessment keeps out of it.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub kind: String,
    pub assessment: usize,
    pub recommendation: Recommendation,
}

/// The bundles proposed over a catalog.
#[derive(Debug, Clone)]
pub struct BundleReport {
    pub as_of: jiff::civil::Date,
    pub proposals: Vec<Proposal>,
    /// Kinds with fewer than two operations that may go out: no bundle, and why.
    pub not_proposed: Vec<NotProposed>,
    pub left_out: Vec<LeftOut>,
    /// Bundling rules that failed: (operation id or bundle kind, error).
    pub errors: Vec<(String, BundleRuleError)>,
}

/// Proposes bundles over an assessed catalog.
pub fn propose(report: &Report, rules: &BundleRules) -> BundleReport {
    let mut kinds: BTreeMap<String, (Reason, Vec<usize>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    let mut left_out = Vec::new();
    for (i, a) in report.assessments.iter().enumerate() {
        let (hits, failed) = rules.group(&a.operation);
        errors.extend(
            failed
                .into_iter()
                .map(|e| (a.operation.id.as_str().to_string(), e)),
        );
        for GroupHit { kind, title, .. } in hits {
            let eligible = matches!(
                a.recommendation,
                Recommendation::Outsource | Recommendation::Partial
            );
            if !kinds.contains_key(&kind) {
                order.push(kind.clone());
            }
            let entry = kinds.entry(kind.clone()).or_insert((title, Vec::new()));
            if eligible {
                entry.1.push(i);
            } else {
                left_out.push(LeftOut {
                    kind,
                    assessment: i,
                    recommendation: a.recommendation,
                });
            }
        }
    }
    let mut proposals = Vec::new();
    let mut not_proposed = Vec::new();
    for kind in order {
        let (title, members) = kinds
            .remove(&kind)
            .expect("every kind in order is in the map");
        if members.len() < 2 {
            not_proposed.push(NotProposed {
                kind,
                title,
                eligible: members,
            });
            continue;
        }
        let facts = facts(&kind, &members, report);
        let weighing = rules.weigh(&facts);
        errors.extend(weighing.errors.iter().map(|e| (kind.clone(), e.clone())));
        let checklist = combined_checklist(&members, report, &weighing, &rules.rules);
        proposals.push(Proposal {
            kind,
            title,
            members,
            facts,
            weighing,
            checklist,
        });
    }
    BundleReport {
        as_of: report.as_of,
        proposals,
        not_proposed,
        left_out,
        errors,
    }
}

fn int(v: Option<u64>) -> Fact {
    v.map_or(Fact::Unknown, |v| Fact::Int(v as i64))
}

fn text<E: CatalogEnum>(v: Option<E>) -> Fact {
    v.map_or(Fact::Unknown, |v| Fact::Text(v.as_str().to_string()))
}

fn flag(v: Option<bool>) -> Fact {
    v.map_or(Fact::Unknown, Fact::Bool)
}

/// Contracts an operation runs today: its separate maintenance contracts when known (at least the one
/// contract the operation is), else one.
fn contracts_today(op: &Operation) -> u64 {
    op.maintenance_contracts.unwrap_or(1).max(1)
}

/// The facts the proposal rules read (`bundle.…`; docs/bundles.md lists them).
fn facts(kind: &str, members: &[usize], report: &Report) -> BundleFacts {
    let ops: Vec<&Assessment> = members.iter().map(|&i| &report.assessments[i]).collect();
    let member_facts = ops
        .iter()
        .map(|a| {
            let op = &a.operation;
            vec![
                ("id", Fact::Text(op.id.as_str().to_string())),
                ("department", Fact::Text(op.department.clone())),
                (
                    "recommendation",
                    Fact::Text(a.recommendation.as_str().to_string()),
                ),
                ("contract_type", text(op.contract_type)),
                ("estimated_contract_yen", int(op.estimated_contract_yen)),
                ("market_providers", int(op.market_providers)),
                ("facilities", int(op.facilities)),
                ("maintenance_contracts", int(op.maintenance_contracts)),
                ("contracts_today", Fact::Int(contracts_today(op) as i64)),
                ("contract_years", int(op.contract_years)),
                ("criticality", text(op.criticality)),
                ("emergency_role", flag(op.emergency_role)),
                ("subcontracting", flag(op.subcontracting)),
                ("personal_data", text(op.personal_data)),
                ("freed_fte", Fact::Num(a.freed_fte)),
            ]
        })
        .collect();
    let prices: Vec<u64> = ops
        .iter()
        .filter_map(|a| a.operation.estimated_contract_yen)
        .collect();
    let providers = ops
        .iter()
        .filter_map(|a| a.operation.market_providers)
        .min();
    let years = ops.iter().filter_map(|a| a.operation.contract_years).max();
    let mut departments: Vec<&str> = ops
        .iter()
        .map(|a| a.operation.department.as_str())
        .collect();
    departments.sort_unstable();
    departments.dedup();
    let count =
        |f: &dyn Fn(&Operation) -> bool| ops.iter().filter(|a| f(&a.operation)).count() as i64;
    use crate::catalog::{ContractType, Criticality};
    let values = vec![
        ("kind", Fact::Text(kind.to_string())),
        ("size", Fact::Int(ops.len() as i64)),
        ("departments", Fact::Int(departments.len() as i64)),
        (
            "total_contract_yen",
            if prices.is_empty() {
                Fact::Unknown
            } else {
                Fact::Int(prices.iter().sum::<u64>() as i64)
            },
        ),
        (
            "largest_part_yen",
            prices
                .iter()
                .max()
                .map_or(Fact::Unknown, |p| Fact::Int(*p as i64)),
        ),
        (
            "prices_unknown",
            Fact::Int((ops.len() - prices.len()) as i64),
        ),
        ("min_market_providers", int(providers)),
        (
            "contracts_today",
            Fact::Int(
                ops.iter()
                    .map(|a| contracts_today(&a.operation))
                    .sum::<u64>() as i64,
            ),
        ),
        (
            "facilities",
            Fact::Int(
                ops.iter()
                    .filter_map(|a| a.operation.facilities)
                    .sum::<u64>() as i64,
            ),
        ),
        (
            "construction_parts",
            Fact::Int(count(&|o| {
                o.contract_type == Some(ContractType::Construction)
            })),
        ),
        ("max_contract_years", int(years)),
        (
            "critical_parts",
            Fact::Int(count(&|o| o.criticality == Some(Criticality::Critical))),
        ),
        (
            "emergency_parts",
            Fact::Int(count(&|o| o.emergency_role == Some(true))),
        ),
        (
            "personal_data_parts",
            Fact::Int(count(&|o| {
                o.personal_data
                    .is_some_and(|p| p != crate::catalog::PersonalData::None)
            })),
        ),
        (
            "freed_fte",
            Fact::Num(crate::assess::round2(ops.iter().map(|a| a.freed_fte).sum())),
        ),
    ];
    BundleFacts {
        values,
        members: member_facts,
    }
}

fn combined_checklist(
    members: &[usize],
    report: &Report,
    weighing: &Weighing,
    rules: &Arc<crate::rules::RuleSet>,
) -> Vec<CombinedItem> {
    let mut items: Vec<CombinedItem> = Vec::new();
    for &m in members {
        let a = &report.assessments[m];
        for hit in &a.checklist {
            match items.iter_mut().find(|c| c.item == hit.item) {
                Some(c) => {
                    c.severity = c.severity.max(hit.severity);
                    c.raised_by.push(a.operation.id.as_str().to_string());
                }
                None => items.push(CombinedItem {
                    item: hit.item,
                    safeguard: rules.item(hit.item).safeguard,
                    severity: hit.severity,
                    raised_by: vec![a.operation.id.as_str().to_string()],
                    by_bundle: false,
                }),
            }
        }
    }
    for &(item, severity, _) in &weighing.checklist {
        match items.iter_mut().find(|c| c.item == item) {
            Some(c) if c.severity < severity => {
                c.severity = severity;
                c.by_bundle = true;
            }
            Some(_) => {}
            None => items.push(CombinedItem {
                item,
                safeguard: rules.item(item).safeguard,
                severity,
                raised_by: Vec::new(),
                by_bundle: true,
            }),
        }
    }
    items.sort_by(|a, b| {
        (a.safeguard, std::cmp::Reverse(a.severity), a.item).cmp(&(
            b.safeguard,
            std::cmp::Reverse(b.severity),
            b.item,
        ))
    });
    items
}

impl Proposal {
    /// The recommendation: the most cautious advice the rules gave (`apart` when none did: a bundle no
    /// rule argued for is not proposed for signing).
    pub fn advice(&self) -> Advice {
        self.weighing.advice().unwrap_or(Advice::Apart)
    }

    /// The reasons for the advice given (those of the calls at the chosen level).
    pub fn advice_reasons(&self) -> impl Iterator<Item = &Reason> {
        let level = self.advice();
        self.weighing
            .advice
            .iter()
            .filter(move |(a, ..)| *a == level)
            .map(|(_, _, r)| r)
    }

    /// Reasons given for a less cautious advice than the one chosen (what speaks for bundling anyway).
    pub fn overruled_reasons(&self) -> impl Iterator<Item = (Advice, &Reason)> {
        let level = self.advice();
        self.weighing
            .advice
            .iter()
            .filter(move |(a, ..)| *a != level)
            .map(|(a, _, r)| (*a, r))
    }

    /// A fact of the bundle as a number (0 when unknown).
    pub fn number(&self, name: &str) -> f64 {
        match self.facts.get(name) {
            Some(Fact::Int(i)) => *i as f64,
            Some(Fact::Num(n)) => *n,
            _ => 0.0,
        }
    }
}
