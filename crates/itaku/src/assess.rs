//! Assessment: the pure pipeline from (catalog, compiled rules) to a [`Report`].
//!
//! Operations are assessed in parallel; results keep catalog order, so output is byte-identical whatever
//! the thread count. The engine enforces the invariants no rule can break: an excluded operation is
//! `in_house`, frees nothing and carries no checklist (there is no contract to secure), but still lists
//! the missing facts that decided it; facts that contradict each other make the answer `study` until
//! they are resolved (even over an exclusion, which may rest on the wrong fact); freed time never
//! exceeds the staff time in use; points stay in 0..=5.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{Catalog, Field, Operation};
use crate::method::Method;
use crate::model::{Criterion, Recommendation, Severity};
use crate::rules::trace::Trace;
use crate::rules::{CompiledRules, Evaluation, Reason, RuleError};

/// One criterion's score.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionScore {
    pub criterion: Criterion,
    pub points: u8,
    pub reasons: Vec<Reason>,
}

/// A checklist item raised for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistHit {
    /// Index into the rule set's items.
    pub item: u32,
    pub severity: Severity,
    /// Index of the rule that raised it.
    pub rule: u16,
}

/// How well one method of delivery fits an operation (the method rules, `fit` and `condition`).
#[derive(Debug, Clone, PartialEq)]
pub struct MethodFit {
    pub method: Method,
    /// 0..=[`MethodFit::MAX`]: the points the method rules gave it, bounded.
    pub fit: u8,
    /// Why it fits or does not, from the operation's facts: (rule index, reason).
    pub reasons: Vec<(u16, Reason)>,
    /// What would have to be true for it: (rule index, condition).
    pub conditions: Vec<(u16, Reason)>,
}

impl MethodFit {
    /// A method's fit is bounded like a criterion's points.
    pub const MAX: u8 = 5;
}

/// The result for one operation.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub operation: Arc<Operation>,
    pub recommendation: Recommendation,
    pub excluded: bool,
    /// (rule index, reason)
    pub exclusions: Vec<(u16, Reason)>,
    /// A limit a gate put on the recommendation (e.g. core public authority with auxiliary steps: partial).
    pub cap: Option<(Recommendation, u16, Reason)>,
    pub criteria: [CriterionScore; 5],
    pub checklist: Vec<ChecklistHit>,
    /// Standard clauses every contract of this kind needs (item indexes, in item order): listed apart
    /// from the checklist, which holds only the risks this operation's own facts raise.
    pub clauses: Vec<u32>,
    /// The worst high-severity item (index into `checklist`), if any item is high.
    pub top_risk: Option<usize>,
    /// Unknown facts that would change the result: decisive ones first, then catalog field order.
    pub missing: Vec<Field>,
    /// The missing facts that decided the outcome (an exclusion, a cap or the recommendation).
    pub decisive: Vec<Field>,
    /// Facts that contradict each other: (rule index, fields involved, finding). Any makes it `study`.
    pub contradictions: Vec<(u16, Vec<Field>, Reason)>,
    /// Notes from the recommendation rule (why this recommendation).
    pub notes: Vec<(u16, Reason)>,
    pub freed_fte: f64,
    pub proposal_call: bool,
    /// The methods of delivery the method rules spoke of, best fit first (ties in the order of
    /// [`Method::ALL`]); a method with fit 0 is listed with the reasons it does not fit.
    pub methods: Vec<MethodFit>,
    pub errors: Vec<RuleError>,
}

impl Assessment {
    pub fn count(&self, severity: Severity) -> usize {
        self.checklist
            .iter()
            .filter(|h| h.severity == severity)
            .count()
    }

    pub fn total_points(&self) -> u32 {
        self.criteria.iter().map(|c| u32::from(c.points)).sum()
    }
}

/// The assessments of a catalog under one rule set and date.
#[derive(Debug, Clone)]
pub struct Report {
    pub assessments: Vec<Assessment>,
    pub as_of: jiff::civil::Date,
}

impl Report {
    /// Number of operations with each recommendation, in the order of [`Recommendation::ALL`].
    pub fn by_recommendation(&self) -> [(Recommendation, usize); 4] {
        Recommendation::ALL.map(|r| {
            (
                r,
                self.assessments
                    .iter()
                    .filter(|a| a.recommendation == r)
                    .count(),
            )
        })
    }

    pub fn freed_fte(&self) -> f64 {
        round2(self.assessments.iter().map(|a| a.freed_fte).sum())
    }

    /// Freed FTE per department (sorted by department).
    pub fn freed_by_department(&self) -> BTreeMap<&str, f64> {
        let mut out = BTreeMap::new();
        for a in &self.assessments {
            *out.entry(a.operation.department.as_str()).or_insert(0.0) += a.freed_fte;
        }
        out.values_mut().for_each(|v| *v = round2(*v));
        out
    }

    /// Freed FTE per priority area (`unassigned` when the operation has none).
    pub fn freed_by_focus_area(&self) -> BTreeMap<&'static str, f64> {
        use crate::catalog::CatalogEnum;
        let mut out = BTreeMap::new();
        for a in &self.assessments {
            let key = a.operation.focus_area.map_or("unassigned", |f| f.as_str());
            *out.entry(key).or_insert(0.0) += a.freed_fte;
        }
        out.values_mut().for_each(|v| *v = round2(*v));
        out
    }

    pub fn rule_errors(&self) -> usize {
        self.assessments.iter().map(|a| a.errors.len()).sum()
    }
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Assesses every operation of the catalog, in parallel, keeping catalog order.
pub fn assess_catalog(catalog: &Catalog, rules: &CompiledRules) -> Report {
    assess_catalog_with(catalog, rules, || {})
}

/// [`assess_catalog`], calling `done` after each operation (from the worker threads), e.g. to show
/// progress.
pub fn assess_catalog_with(
    catalog: &Catalog,
    rules: &CompiledRules,
    done: impl Fn() + Sync,
) -> Report {
    let assessments = catalog
        .operations
        .par_iter()
        .map(|op| {
            let a = assess_operation(op, rules);
            done();
            a
        })
        .collect();
    Report {
        assessments,
        as_of: rules.as_of,
    }
}

/// Assesses one operation (cheap enough to call for each what-if variant).
pub fn assess_operation(op: &Arc<Operation>, rules: &CompiledRules) -> Assessment {
    assess_evaluation(op, rules, rules.evaluate(op))
}

/// Assesses one operation and records, rule by rule, what each read, used and produced. Returns the
/// raw evaluation too: the trace's ranges point into it.
pub fn assess_traced(
    op: &Arc<Operation>,
    rules: &CompiledRules,
) -> (Assessment, Evaluation, Trace) {
    let (e, trace) = rules.evaluate_traced(op);
    (assess_evaluation(op, rules, e.clone()), e, trace)
}

/// Turns what the rules produced into an assessment, enforcing the engine's invariants.
fn assess_evaluation(op: &Arc<Operation>, rules: &CompiledRules, e: Evaluation) -> Assessment {
    let e = e.into_outcome();
    let excluded = !e.exclusions.is_empty();
    let mut recommendation = e.recommendation.unwrap_or(Recommendation::Study);
    if let Some((cap, ..)) = &e.cap {
        recommendation = recommendation.min(*cap);
    }
    if !e.errors.is_empty() {
        // A failed rule makes the result untrustworthy: it needs a person to look at it.
        recommendation = Recommendation::Study;
    }
    if excluded {
        recommendation = Recommendation::InHouse;
    }
    if !e.contradictions.is_empty() {
        recommendation = Recommendation::Study;
    }
    let staff = op.staff_fte.unwrap_or(0.0);
    let freed_fte = match recommendation {
        Recommendation::Outsource | Recommendation::Partial => {
            round2(e.freed_fte.unwrap_or(0.0).clamp(0.0, staff))
        }
        Recommendation::Study | Recommendation::InHouse => 0.0,
    };
    let mut reasons = e.reasons;
    let criteria = Criterion::ALL.map(|c| {
        let i = c as usize;
        CriterionScore {
            criterion: c,
            points: e.points[i].clamp(0, i64::from(Criterion::MAX_POINTS)) as u8,
            reasons: std::mem::take(&mut reasons[i]),
        }
    });
    let mut checklist: Vec<ChecklistHit> = e
        .checklist
        .into_iter()
        .map(|(item, severity, rule)| ChecklistHit {
            item,
            severity,
            rule,
        })
        .collect();
    let safeguard_of = |h: &ChecklistHit| rules.rules.item(h.item).safeguard;
    checklist.sort_by(|a, b| {
        safeguard_of(a)
            .cmp(&safeguard_of(b))
            .then(b.severity.cmp(&a.severity))
            .then(a.item.cmp(&b.item))
    });
    let decisive = {
        let mut d = e.decisive;
        d.sort();
        d
    };
    let mut missing = e.missing;
    missing.sort_by_key(|f| (!decisive.contains(f), *f));
    let mut clauses: Vec<u32> = e.clauses.iter().map(|(item, _)| *item).collect();
    clauses.sort();
    if excluded {
        // Work that stays with staff is not contracted out: there is no contract to secure, and the
        // only facts worth finding out are those the exclusion itself rested on.
        checklist.clear();
        clauses.clear();
        missing.retain(|f| decisive.contains(f));
    }
    let mut methods: Vec<MethodFit> = Method::ALL
        .into_iter()
        .filter_map(|m| {
            let reasons: Vec<(u16, Reason)> = e
                .method_reasons
                .iter()
                .filter(|(x, ..)| *x == m)
                .map(|(_, rule, _, r)| (*rule, r.clone()))
                .collect();
            let conditions: Vec<(u16, Reason)> = e
                .method_conditions
                .iter()
                .filter(|(x, ..)| *x == m)
                .map(|(_, rule, r)| (*rule, r.clone()))
                .collect();
            (!reasons.is_empty() || !conditions.is_empty()).then(|| MethodFit {
                method: m,
                fit: e.method_points[m as usize].clamp(0, i64::from(MethodFit::MAX)) as u8,
                reasons,
                conditions,
            })
        })
        .collect();
    // Stable: equal fits keep the order of Method::ALL.
    methods.sort_by_key(|m| std::cmp::Reverse(m.fit));
    let top_risk = checklist
        .iter()
        .enumerate()
        .filter(|(_, h)| h.severity == Severity::High)
        .max_by_key(|(i, h)| {
            let item = rules.rules.item(h.item);
            (!item.mitigable, item.weight, std::cmp::Reverse(*i))
        })
        .map(|(i, _)| i);
    Assessment {
        operation: Arc::clone(op),
        recommendation,
        excluded,
        exclusions: e.exclusions,
        cap: e.cap,
        criteria,
        checklist,
        clauses,
        top_risk,
        missing,
        decisive,
        contradictions: e.contradictions,
        notes: e.notes,
        freed_fte,
        proposal_call: e.proposal_call && !excluded,
        methods,
        errors: e.errors,
    }
}
