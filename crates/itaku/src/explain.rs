//! Explanation of one assessment (`itaku explain`): every rule in evaluation order with the facts it read,
//! the parameters it used (value and the date that value took effect), what it produced, and how the
//! recommendation followed. Built from the trace the rule runtime records; rendered by
//! `render::explain` as text, Markdown or JSON.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::assess::{assess_traced, Assessment};
use crate::catalog::{FieldRef, Operation};
use crate::lang::Lang;
use crate::model::{Criterion, Recommendation};
use crate::rules::template::reason_text;
use crate::rules::trace::{RuleTrace, Trace};
use crate::rules::{CompiledRules, Evaluation, RuleSet};

/// The explanation of one operation's assessment, in one language.
#[derive(Debug, Serialize)]
pub struct Explanation {
    pub id: String,
    pub name: String,
    pub department: String,
    pub rules: String,
    pub as_of: String,
    /// The engine that ran the traced evaluation (`interpreted`: a trace is recorded by the interpreter,
    /// the reference the compiled rules are tested against, whatever `--engine` says).
    pub engine: &'static str,
    pub outcome: Outcome,
    /// Every rule, in the order it ran.
    pub steps: Vec<Step>,
}

/// How the recommendation followed, and the result's key facts.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub recommendation: &'static str,
    pub label: &'static str,
    pub freed_fte: f64,
    pub proposal_call: bool,
    /// Sentences, in order: what limited the result and what decided it.
    pub how: Vec<String>,
    pub top_risk: Option<String>,
    pub decisive_missing: Vec<&'static str>,
    pub missing: Vec<&'static str>,
    /// The methods that fit, best first (as in the assessment's `methods`).
    pub methods: Vec<crate::render::MethodDoc>,
}

/// One rule's part.
#[derive(Debug, Serialize)]
pub struct Step {
    pub rule: String,
    pub kind: &'static str,
    pub title: String,
    pub facts: Vec<FactRead>,
    pub parameters: Vec<ParamRead>,
    pub produced: Vec<Output>,
    /// `print`/`debug` output of the script.
    pub prints: Vec<Print>,
}

#[derive(Debug, Serialize)]
pub struct FactRead {
    pub field: &'static str,
    /// `null` when the catalog leaves the fact out (unknown).
    pub value: Value,
}

#[derive(Debug, Serialize)]
pub struct ParamRead {
    pub name: String,
    pub value: String,
    pub since: String,
    pub verified: bool,
}

#[derive(Debug, Serialize)]
pub struct Print {
    pub line: Option<usize>,
    pub text: String,
}

/// Something a rule produced.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Output {
    Points {
        criterion: &'static str,
        /// The points this rule gave (raw: before the criterion's maximum is applied).
        points: i64,
        reasons: Vec<String>,
        /// The criterion's maximum ([`Criterion::MAX_POINTS`]).
        max: u8,
        /// The criterion's raw points from every rule together (equal to `points` when one rule scores it).
        total: i64,
        /// The criterion's points as counted: `total` within 0 to `max` (the table's and the JSON report's).
        counted: u8,
    },
    Exclusion {
        reason: String,
    },
    Cap {
        level: &'static str,
        reason: String,
    },
    Item {
        id: String,
        severity: &'static str,
        item: String,
    },
    Clause {
        id: String,
        item: String,
    },
    Missing {
        field: &'static str,
        decisive: bool,
    },
    Contradiction {
        fields: Vec<&'static str>,
        finding: String,
    },
    Note {
        text: String,
    },
    Recommendation {
        level: &'static str,
    },
    FreedFte {
        value: f64,
    },
    ProposalCall,
    /// Points for a method of delivery (method rules), with the reason.
    Fit {
        method: &'static str,
        label: &'static str,
        points: i64,
        reason: String,
    },
    /// What would have to be true for a method.
    Condition {
        method: &'static str,
        label: &'static str,
        condition: String,
    },
    Error {
        line: usize,
        message: String,
    },
}

/// Assesses `op` with a trace and explains the result in `lang`.
pub fn explain(
    op: &Arc<Operation>,
    rules: &CompiledRules,
    lang: Lang,
) -> (Assessment, Explanation) {
    let (a, e, trace) = assess_traced(op, rules);
    let x = explanation(&a, &e, &trace, rules, lang);
    (a, x)
}

/// The value of a fact as JSON (`null` when unknown).
pub fn fact_value(value: FieldRef<'_>) -> Value {
    match value {
        FieldRef::Missing => Value::Null,
        FieldRef::Bool(b) => Value::Bool(b),
        FieldRef::Int(i) => Value::from(i),
        FieldRef::Num(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        FieldRef::Text(s) => Value::from(s),
        FieldRef::Enum(s) => Value::from(s),
        FieldRef::List(items) => Value::from(items.to_vec()),
        FieldRef::Load(months) => Value::from(months.to_vec()),
    }
}

fn explanation(
    a: &Assessment,
    e: &Evaluation,
    trace: &Trace,
    rules: &CompiledRules,
    lang: Lang,
) -> Explanation {
    let set = &rules.rules;
    let op = &a.operation;
    let steps = trace
        .rules
        .iter()
        .map(|t| step(t, e, op, rules, lang))
        .collect();
    Explanation {
        id: op.id.to_string(),
        name: op.display_name(lang).to_string(),
        department: op.department.clone(),
        rules: format!("{} {}", set.manifest.name, set.manifest.version),
        as_of: rules.as_of.to_string(),
        engine: trace.engine.as_str(),
        outcome: outcome(a, set, lang),
        steps,
    }
}

fn step(t: &RuleTrace, e: &Evaluation, op: &Operation, rules: &CompiledRules, lang: Lang) -> Step {
    let set = &rules.rules;
    let spec = set.rule(t.rule);
    let p = &t.produced;
    let mut produced = Vec::new();
    for c in Criterion::ALL {
        let i = c as usize;
        if p.points[i] != 0 || !p.reasons[i].is_empty() {
            produced.push(Output::Points {
                criterion: c.as_str(),
                points: p.points[i],
                reasons: e.reasons[i][p.reasons[i].clone()]
                    .iter()
                    .map(|r| reason_text(set, r, lang))
                    .collect(),
                max: Criterion::MAX_POINTS,
                total: e.points[i],
                // The same cap as the assessment's criterion points (assess.rs).
                counted: e.points[i].clamp(0, i64::from(Criterion::MAX_POINTS)) as u8,
            });
        }
    }
    for (_, r) in &e.exclusions[p.exclusions.clone()] {
        produced.push(Output::Exclusion {
            reason: reason_text(set, r, lang),
        });
    }
    if let (Some(level), Some((_, rule, reason))) = (p.cap, &e.cap) {
        if *rule == t.rule {
            produced.push(Output::Cap {
                level: level.as_str(),
                reason: reason_text(set, reason, lang),
            });
        }
    }
    for (fields, finding) in e.contradictions[p.contradictions.clone()]
        .iter()
        .map(|(_, f, r)| (f, r))
    {
        produced.push(Output::Contradiction {
            fields: fields.iter().map(|f| f.name()).collect(),
            finding: reason_text(set, finding, lang),
        });
    }
    for (item, severity, _) in &e.checklist[p.checklist.clone()] {
        let spec = set.item(*item);
        produced.push(Output::Item {
            id: spec.id.clone(),
            severity: severity.as_str(),
            item: spec.item.get(lang).to_string(),
        });
    }
    for (item, _) in &e.clauses[p.clauses.clone()] {
        let spec = set.item(*item);
        produced.push(Output::Clause {
            id: spec.id.clone(),
            item: spec.item.get(lang).to_string(),
        });
    }
    for f in &e.missing[p.missing.clone()] {
        produced.push(Output::Missing {
            field: f.name(),
            decisive: e.decisive.contains(f),
        });
    }
    for (_, r) in &e.notes[p.notes.clone()] {
        produced.push(Output::Note {
            text: reason_text(set, r, lang),
        });
    }
    if let Some(r) = p.recommendation {
        produced.push(Output::Recommendation { level: r.as_str() });
    }
    if let Some(v) = p.freed_fte {
        produced.push(Output::FreedFte {
            value: crate::assess::round2(v),
        });
    }
    if p.proposal_call {
        produced.push(Output::ProposalCall);
    }
    for (m, _, points, r) in &e.method_reasons[p.method_reasons.clone()] {
        produced.push(Output::Fit {
            method: m.id(),
            label: m.label(lang),
            points: *points,
            reason: reason_text(set, r, lang),
        });
    }
    for (m, _, r) in &e.method_conditions[p.method_conditions.clone()] {
        produced.push(Output::Condition {
            method: m.id(),
            label: m.label(lang),
            condition: reason_text(set, r, lang),
        });
    }
    for err in &e.errors[p.errors.clone()] {
        produced.push(Output::Error {
            line: err.line,
            message: err.message.clone(),
        });
    }
    Step {
        rule: spec.id.clone(),
        kind: spec.kind.as_str(),
        title: spec.title.get(lang).to_string(),
        facts: t
            .facts
            .iter()
            .map(|f| FactRead {
                field: f.name(),
                value: fact_value(op.get(*f)),
            })
            .collect(),
        parameters: t
            .params
            .iter()
            .map(|u| {
                let at = set
                    .parameters
                    .parameters
                    .get(&u.name)
                    .and_then(|p| p.at(rules.as_of));
                ParamRead {
                    name: u.name.clone(),
                    value: at
                        .as_ref()
                        .map_or_else(String::new, |v| v.value.to_string()),
                    since: u.since.to_string(),
                    verified: at.is_none_or(|v| v.verified),
                }
            })
            .collect(),
        produced,
        prints: t
            .prints
            .iter()
            .map(|(line, text)| Print {
                line: *line,
                text: text.clone(),
            })
            .collect(),
    }
}

fn outcome(a: &Assessment, set: &RuleSet, lang: Lang) -> Outcome {
    let mut how = Vec::new();
    let rule_id = |i: u16| set.rule(i).id.as_str();
    if !a.contradictions.is_empty() {
        how.push(
            lang.pick(
                &format!(
                    "事実の矛盾が{}件あるため、解消されるまで要検討です。",
                    a.contradictions.len()
                ),
                &format!(
                    "{} contradiction(s) between facts: study until resolved.",
                    a.contradictions.len()
                ),
            )
            .to_string(),
        );
    }
    for (rule, reason) in &a.exclusions {
        let text = reason_text(set, reason, lang);
        how.push(match lang {
            Lang::Ja => format!("ルール {} が除外しました: {text}", rule_id(*rule)),
            Lang::En => format!("rule {} excluded it: {text}", rule_id(*rule)),
        });
    }
    if let Some((level, rule, reason)) = &a.cap {
        let text = reason_text(set, reason, lang);
        how.push(match lang {
            Lang::Ja => format!(
                "ルール {} が判定の上限を「{}」にしました: {text}",
                rule_id(*rule),
                level.label(lang)
            ),
            Lang::En => format!(
                "rule {} limited the result to \"{}\": {text}",
                rule_id(*rule),
                level.label(lang)
            ),
        });
    }
    for (rule, reason) in &a.notes {
        how.push(format!(
            "{}: {}",
            rule_id(*rule),
            reason_text(set, reason, lang)
        ));
    }
    if !a.errors.is_empty() {
        how.push(
            lang.pick(
                "ルールのエラーがあるため、結果は要検討です。",
                "a rule failed, so the result is study.",
            )
            .to_string(),
        );
    }
    how.push(match lang {
        Lang::Ja => format!("判定: {}", a.recommendation.label(lang)),
        Lang::En => format!("result: {}", a.recommendation.label(lang)),
    });
    let _ = Recommendation::ALL;
    Outcome {
        recommendation: a.recommendation.as_str(),
        label: a.recommendation.label(lang),
        freed_fte: a.freed_fte,
        proposal_call: a.proposal_call,
        how,
        top_risk: a.top_risk.map(|i| {
            let item = set.item(a.checklist[i].item);
            format!("{:?} {}", item.safeguard, item.item.get(lang))
        }),
        decisive_missing: a.decisive.iter().map(|f| f.name()).collect(),
        missing: a.missing.iter().map(|f| f.name()).collect(),
        methods: crate::render::method_docs(a, set, lang),
    }
}
