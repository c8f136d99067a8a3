//! What a revision changes (`itaku diff`): the catalog's assessments under a base and a new setting
//! (two rule sets, two dates, two catalogs, or any mix), operation by operation, with the rules and
//! parameters responsible, and the totals. Pure: it takes two reports and compares them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::assess::{Assessment, Report};
use crate::catalog::Operation;
use crate::explain::{explain, Explanation};
use crate::lang::Lang;
use crate::model::{Criterion, Recommendation, Severity};
use crate::rules::CompiledRules;

/// One side of a comparison: a report and the rules it was assessed with.
pub struct Side<'a> {
    pub report: &'a Report,
    pub rules: &'a CompiledRules,
}

/// The comparison of two sides.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub base: String,
    pub new: String,
    pub changed: Vec<OperationChange>,
    pub totals: Totals,
}

/// How one operation's result changed.
#[derive(Debug, Serialize)]
pub struct OperationChange {
    pub id: String,
    pub name: String,
    /// The catalog's `name_en`, shown instead of `name` in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub before: Option<Summary>,
    pub after: Option<Summary>,
    pub changes: Vec<String>,
    /// Rules whose output for this operation differs.
    pub rules: Vec<String>,
    /// Parameters those rules used whose value or effective date differs: `name: old → new`.
    pub parameters: Vec<String>,
}

/// The compact result of one operation on one side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub recommendation: &'static str,
    pub points: [u8; 5],
    pub high: usize,
    pub medium: usize,
    pub freed_fte: f64,
    pub proposal_call: bool,
    /// Checklist item id → severity.
    pub items: BTreeMap<String, &'static str>,
    /// The methods that fit, best first, as `id fit` (`digitise 4`).
    pub methods: Vec<String>,
}

impl Summary {
    pub fn of(a: &Assessment, rules: &CompiledRules) -> Summary {
        Summary {
            recommendation: a.recommendation.as_str(),
            points: a.criteria.each_ref().map(|c| c.points),
            high: a.count(Severity::High),
            medium: a.count(Severity::Medium),
            freed_fte: a.freed_fte,
            proposal_call: a.proposal_call,
            items: a
                .checklist
                .iter()
                .map(|h| (rules.rules.item(h.item).id.clone(), h.severity.as_str()))
                .collect(),
            methods: a
                .methods
                .iter()
                .map(|m| format!("{} {}", m.method.id(), m.fit))
                .collect(),
        }
    }
}

/// Totals of a comparison.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub operations_changed: usize,
    /// Recommendation moved toward more outsourcing / toward less.
    pub moved_up: usize,
    pub moved_down: usize,
    /// `from → to` counts of recommendation moves.
    pub moves: BTreeMap<String, usize>,
    pub freed_fte_before: f64,
    pub freed_fte_after: f64,
    pub by_recommendation_before: BTreeMap<&'static str, usize>,
    pub by_recommendation_after: BTreeMap<&'static str, usize>,
}

impl OperationChange {
    /// The name to show in `lang` (see [`crate::catalog::display_name`]).
    pub fn display_name(&self, lang: Lang) -> &str {
        crate::catalog::display_name(&self.name, self.name_en.as_deref(), lang)
    }
}

/// Compares two sides operation by operation (matched by id, in the new side's order, then operations
/// only the base has).
pub fn diff(base: Side<'_>, new: Side<'_>, base_label: String, new_label: String) -> Diff {
    let base_by_id: BTreeMap<&str, &Assessment> = base
        .report
        .assessments
        .iter()
        .map(|a| (a.operation.id.as_str(), a))
        .collect();
    let new_ids: std::collections::BTreeSet<&str> = new
        .report
        .assessments
        .iter()
        .map(|a| a.operation.id.as_str())
        .collect();
    let mut changed = Vec::new();
    let mut totals = Totals {
        freed_fte_before: base.report.freed_fte(),
        freed_fte_after: new.report.freed_fte(),
        by_recommendation_before: base
            .report
            .by_recommendation()
            .iter()
            .map(|(r, n)| (r.as_str(), *n))
            .collect(),
        by_recommendation_after: new
            .report
            .by_recommendation()
            .iter()
            .map(|(r, n)| (r.as_str(), *n))
            .collect(),
        ..Totals::default()
    };
    for a in &new.report.assessments {
        let after = Summary::of(a, new.rules);
        let b = base_by_id.get(a.operation.id.as_str());
        let before = b.map(|b| Summary::of(b, base.rules));
        if before.as_ref() == Some(&after) {
            continue;
        }
        let mut change = OperationChange {
            id: a.operation.id.to_string(),
            name: a.operation.name.clone(),
            name_en: a.operation.name_en.clone(),
            changes: describe(before.as_ref(), Some(&after)),
            before,
            after: Some(after),
            rules: Vec::new(),
            parameters: Vec::new(),
        };
        if let Some(b) = b {
            attribute(
                &mut change,
                &b.operation,
                base.rules,
                &a.operation,
                new.rules,
            );
            count_move(&mut totals, b.recommendation, a.recommendation);
        }
        changed.push(change);
    }
    for b in &base.report.assessments {
        if !new_ids.contains(b.operation.id.as_str()) {
            let before = Summary::of(b, base.rules);
            changed.push(OperationChange {
                id: b.operation.id.to_string(),
                name: b.operation.name.clone(),
                name_en: b.operation.name_en.clone(),
                changes: describe(Some(&before), None),
                before: Some(before),
                after: None,
                rules: Vec::new(),
                parameters: Vec::new(),
            });
        }
    }
    totals.operations_changed = changed.len();
    Diff {
        base: base_label,
        new: new_label,
        changed,
        totals,
    }
}

fn count_move(totals: &mut Totals, from: Recommendation, to: Recommendation) {
    if from == to {
        return;
    }
    if to > from {
        totals.moved_up += 1;
    } else {
        totals.moved_down += 1;
    }
    *totals
        .moves
        .entry(format!("{} → {}", from.as_str(), to.as_str()))
        .or_default() += 1;
}

/// The differences, one short line each (English identifiers; the renderers add the words).
fn describe(before: Option<&Summary>, after: Option<&Summary>) -> Vec<String> {
    let (b, a) = match (before, after) {
        (None, Some(a)) => return vec![format!("added: {}", a.recommendation)],
        (Some(b), None) => return vec![format!("removed (was {})", b.recommendation)],
        (Some(b), Some(a)) => (b, a),
        (None, None) => return Vec::new(),
    };
    let mut out = Vec::new();
    if b.recommendation != a.recommendation {
        out.push(format!(
            "recommendation {} → {}",
            b.recommendation, a.recommendation
        ));
    }
    for c in Criterion::ALL {
        let i = c as usize;
        if b.points[i] != a.points[i] {
            out.push(format!("{} {} → {}", c.as_str(), b.points[i], a.points[i]));
        }
    }
    for (id, sev) in &a.items {
        match b.items.get(id) {
            None => out.push(format!("+ {id} ({sev})")),
            Some(old) if old != sev => out.push(format!("{id} {old} → {sev}")),
            Some(_) => {}
        }
    }
    for (id, sev) in &b.items {
        if !a.items.contains_key(id) {
            out.push(format!("- {id} ({sev})"));
        }
    }
    if b.freed_fte != a.freed_fte {
        out.push(format!("freed_fte {} → {}", b.freed_fte, a.freed_fte));
    }
    if b.proposal_call != a.proposal_call {
        out.push(format!(
            "proposal_call {} → {}",
            b.proposal_call, a.proposal_call
        ));
    }
    if b.methods != a.methods {
        out.push(format!(
            "methods [{}] → [{}]",
            b.methods.join(", "),
            a.methods.join(", ")
        ));
    }
    out
}

/// Names the rules whose output differs for this operation, and the parameters behind them.
fn attribute(
    change: &mut OperationChange,
    base_op: &Arc<Operation>,
    base_rules: &CompiledRules,
    new_op: &Arc<Operation>,
    new_rules: &CompiledRules,
) {
    let (_, bx) = explain(base_op, base_rules, Lang::En);
    let (_, nx) = explain(new_op, new_rules, Lang::En);
    let steps = |x: &Explanation| -> BTreeMap<String, String> {
        x.steps
            .iter()
            .map(|s| {
                (
                    s.rule.clone(),
                    serde_json::to_string(&s.produced).unwrap_or_default(),
                )
            })
            .collect()
    };
    let (bs, ns) = (steps(&bx), steps(&nx));
    // A rule only one side has counts as producing nothing on the other.
    let nothing = "[]".to_string();
    let mut rules: Vec<String> = ns
        .keys()
        .chain(bs.keys())
        .filter(|id| bs.get(*id).unwrap_or(&nothing) != ns.get(*id).unwrap_or(&nothing))
        .cloned()
        .collect();
    rules.sort();
    rules.dedup();
    // The parameters those rules used (on either side) whose value in force differs between the sides.
    let mut names: Vec<&str> = [&bx, &nx]
        .iter()
        .flat_map(|x| x.steps.iter())
        .filter(|s| rules.contains(&s.rule))
        .flat_map(|s| s.parameters.iter().map(|p| p.name.as_str()))
        .collect();
    names.sort();
    names.dedup();
    let in_force = |r: &CompiledRules, name: &str| {
        r.rules
            .parameters
            .parameters
            .get(name)
            .and_then(|p| p.at(r.as_of))
            .map_or_else(|| "—".to_string(), |v| format!("{} ({})", v.value, v.since))
    };
    let parameters: Vec<String> = names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (in_force(base_rules, name), in_force(new_rules, name));
            (old != new).then(|| format!("{name}: {old} → {new}"))
        })
        .collect();
    change.rules = rules;
    change.parameters = parameters;
}
