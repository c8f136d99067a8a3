//! Coverage of a rule set (`itaku coverage`): over a set of evaluated operations (a catalog, the rule
//! cases, or both), which rules never fired, which checklist items were never raised, which parameters,
//! parameter values (by effective date) and messages were never used.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::catalog::Operation;
use crate::rules::{CompiledRules, RuleSet};

/// Counts gathered over evaluations, keyed by index into the rule set.
#[derive(Debug, Default)]
pub struct Counter {
    evaluations: usize,
    rules: BTreeMap<u16, usize>,
    items: BTreeMap<u32, usize>,
    params: BTreeMap<String, usize>,
    /// (parameter, effective date of the value used)
    param_values: BTreeMap<(String, Date), usize>,
    messages: BTreeMap<u32, usize>,
}

impl Counter {
    /// Evaluates `op` with a trace and counts what it exercised.
    pub fn add(&mut self, op: &Arc<Operation>, rules: &CompiledRules) {
        let (e, trace) = rules.evaluate_traced(op);
        self.evaluations += 1;
        for t in &trace.rules {
            if !t.produced.is_empty() {
                *self.rules.entry(t.rule).or_default() += 1;
            }
            for p in &t.params {
                *self.params.entry(p.name.clone()).or_default() += 1;
                *self
                    .param_values
                    .entry((p.name.clone(), p.since))
                    .or_default() += 1;
            }
        }
        for (item, ..) in &e.checklist {
            *self.items.entry(*item).or_default() += 1;
        }
        for (item, _) in &e.clauses {
            *self.items.entry(*item).or_default() += 1;
        }
        let mut message = |m: u32| *self.messages.entry(m).or_default() += 1;
        e.reasons.iter().flatten().for_each(|r| message(r.message));
        e.exclusions.iter().for_each(|(_, r)| message(r.message));
        e.notes.iter().for_each(|(_, r)| message(r.message));
        e.method_reasons
            .iter()
            .for_each(|(_, _, _, r)| message(r.message));
        e.method_conditions
            .iter()
            .for_each(|(_, _, r)| message(r.message));
        e.contradictions
            .iter()
            .for_each(|(_, _, r)| message(r.message));
        if let Some((_, _, r)) = &e.cap {
            message(r.message);
        }
    }

    /// Counts what the bundling rules exercised in a bundle report (`itaku bundle`): the items, messages
    /// and parameters of its proposals. The bundling rules are not counted among `rules`.
    pub fn add_bundles(&mut self, report: &crate::bundle::BundleReport) {
        let mut message = |m: u32| *self.messages.entry(m).or_default() += 1;
        for p in &report.proposals {
            message(p.title.message);
            let w = &p.weighing;
            w.savings.iter().for_each(|(_, r)| message(r.message));
            w.risks.iter().for_each(|(_, _, r)| message(r.message));
            w.notes.iter().for_each(|(_, r)| message(r.message));
            w.advice.iter().for_each(|(_, _, r)| message(r.message));
        }
        for n in &report.not_proposed {
            message(n.title.message);
        }
        for p in &report.proposals {
            let w = &p.weighing;
            for (item, ..) in &w.checklist {
                *self.items.entry(*item).or_default() += 1;
            }
            for (item, _) in &w.clauses {
                *self.items.entry(*item).or_default() += 1;
            }
            for (name, since) in &w.params {
                *self.params.entry(name.clone()).or_default() += 1;
                *self.param_values.entry((name.clone(), *since)).or_default() += 1;
            }
        }
    }

    /// The report against the rule set the counts were gathered with.
    pub fn report(&self, set: &RuleSet) -> Coverage {
        let never = |names: Vec<String>| names;
        let rules_never = never(
            set.manifest
                .rules
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.rules.contains_key(&(*i as u16)))
                .map(|(_, r)| r.id.clone())
                .collect(),
        );
        let items_never = never(
            set.items
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.items.contains_key(&(*i as u32)))
                .map(|(_, it)| it.id.clone())
                .collect(),
        );
        let params_never = never(
            set.parameters
                .parameters
                .keys()
                .filter(|k| !self.params.contains_key(*k))
                .cloned()
                .collect(),
        );
        let mut values_never = Vec::new();
        let mut values_total = 0;
        for (name, p) in &set.parameters.parameters {
            for v in &p.values {
                values_total += 1;
                let used = v
                    .from
                    .parse::<Date>()
                    .is_ok_and(|d| self.param_values.contains_key(&(name.clone(), d)));
                if !used {
                    values_never.push(format!("{name} @ {}", v.from));
                }
            }
        }
        let messages_never = never(
            set.messages
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.messages.contains_key(&(*i as u32)))
                .map(|(_, (k, _))| k.clone())
                .collect(),
        );
        let part = |total: usize, missing: usize| Part {
            total,
            covered: total - missing,
            percent: if total == 0 {
                100.0
            } else {
                ((total - missing) as f64 * 1000.0 / total as f64).round() / 10.0
            },
        };
        Coverage {
            evaluations: self.evaluations,
            rules: part(set.manifest.rules.len(), rules_never.len()),
            items: part(set.items.len(), items_never.len()),
            parameters: part(set.parameters.parameters.len(), params_never.len()),
            parameter_values: part(values_total, values_never.len()),
            messages: part(set.messages.len(), messages_never.len()),
            rules_never_fired: rules_never,
            items_never_raised: items_never,
            parameters_never_used: params_never,
            parameter_values_never_used: values_never,
            messages_never_used: messages_never,
        }
    }
}

/// One kind of coverage.
#[derive(Debug, Serialize)]
pub struct Part {
    pub total: usize,
    pub covered: usize,
    pub percent: f64,
}

/// What was and was not exercised.
#[derive(Debug, Serialize)]
pub struct Coverage {
    pub evaluations: usize,
    pub rules: Part,
    pub items: Part,
    pub parameters: Part,
    pub parameter_values: Part,
    pub messages: Part,
    pub rules_never_fired: Vec<String>,
    pub items_never_raised: Vec<String>,
    pub parameters_never_used: Vec<String>,
    pub parameter_values_never_used: Vec<String>,
    pub messages_never_used: Vec<String>,
}
