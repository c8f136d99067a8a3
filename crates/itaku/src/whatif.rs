//! Advice (`itaku what-if`): the smallest sets of changes to facts a department can actually change that
//! move the recommendation up or clear high-severity checklist items. Statutory duties, public authority,
//! criticality and the market are facts of the world, never levers.
//!
//! Beside changes of facts, the advice proposes a change of method (issue 26 §2): the method the method
//! rules rank first, when it is not how the work is done today, with what would have to be true for it;
//! and a change of facts that moves another method to the top says so.
//!
//! The search is breadth-first over sets of one, two, then three changes, bounded by a budget of
//! assessments; a set is reported only if no smaller reported set already achieves as much.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use crate::assess::{assess_operation, Assessment};
use crate::catalog::{operation_from_json, Field, Operation};
use crate::explain::fact_value;
use crate::lang::Lang;
use crate::method::Method;
use crate::model::{Recommendation, Severity};
use crate::rules::CompiledRules;

/// Assessments the search may spend on one operation.
pub const BUDGET: usize = 4000;
/// Assessments the questionnaire's live answer (`itaku serve`) spends on advice: every single change and
/// the first pairs, within the 50 ms round trip (docs/performance.md); `itaku what-if` spends [`BUDGET`].
pub const LIVE_BUDGET: usize = 100;
/// Largest number of changes in one suggestion.
pub const MAX_CHANGES: usize = 3;

/// A fact a department can change, and the values worth trying.
struct Lever {
    field: Field,
    values: fn(&Operation) -> Vec<Value>,
    ja: &'static str,
    en: &'static str,
}

fn levers() -> Vec<Lever> {
    vec![
        Lever {
            field: Field::manuals,
            values: |_| vec![json!("complete")],
            ja: "マニュアルを整備する",
            en: "complete the manuals",
        },
        Lever {
            field: Field::spec_definable,
            values: |_| vec![json!(true)],
            ja: "品質基準を仕様書に定める",
            en: "write the quality standards into the specification",
        },
        Lever {
            field: Field::output_measurability,
            values: |_| vec![json!(4), json!(5)],
            ja: "成果の測り方を定める",
            en: "make the output measurable",
        },
        Lever {
            field: Field::escalation_to_staff,
            values: |_| vec![json!(false)],
            ja: "職員への照会をなくす (判断基準をマニュアル化)",
            en: "stop referring cases to staff (decision criteria in the manual)",
        },
        Lever {
            field: Field::escalation_procedure,
            values: |_| vec![json!("documented")],
            ja: "照会を受託者の責任者経由の文書に限る",
            en: "route referrals in writing through the contractor's manager",
        },
        Lever {
            field: Field::co_located,
            values: |_| vec![json!(false)],
            ja: "職員と執務場所を分ける",
            en: "separate the contractor's workspace from staff",
        },
        Lever {
            field: Field::equipment,
            values: |_| vec![json!("contractor")],
            ja: "受託者の機材で行う",
            en: "have the contractor bring its own equipment",
        },
        Lever {
            field: Field::subcontracting,
            values: |_| vec![json!(false)],
            ja: "再委託をしない",
            en: "do without subcontracting",
        },
        Lever {
            field: Field::system_access,
            values: |_| vec![json!("onsite"), json!("none")],
            ja: "システム接続を庁舎内に限る (またはなくす)",
            en: "limit system access to ward premises (or remove it)",
        },
        Lever {
            field: Field::work_location,
            values: |op| {
                // Moving on site needs a headcount consistent with it; moving off site needs none on site.
                if op.onsite_headcount.unwrap_or(0) > 0 || op.co_located == Some(true) {
                    vec![json!("ward_premises")]
                } else {
                    vec![json!("ward_premises"), json!("contractor_site")]
                }
            },
            ja: "作業場所を変える",
            en: "change where the work is done",
        },
        Lever {
            field: Field::personal_data,
            values: |op| match op.personal_data.map(crate::catalog::CatalogEnum::as_str) {
                // My Number relation work (payroll withholding) needs the numbers by law: no lever.
                Some("my_number")
                    if op.my_number_kind == Some(crate::catalog::MyNumberKind::Relation) =>
                {
                    vec![]
                }
                Some("my_number") | Some("sensitive") => vec![json!("general")],
                _ => vec![],
            },
            ja: "マイナンバー・要配慮個人情報を受託者の担当部分から除く",
            en: "take My Number and sensitive data out of the contractor's part",
        },
        Lever {
            field: Field::contract_years,
            values: |_| vec![json!(1), json!(2)],
            ja: "契約期間を短くする",
            en: "shorten the contract",
        },
        Lever {
            field: Field::oversight_steps,
            values: |op| match &op.oversight_steps {
                Some(s) if !s.is_empty() => vec![],
                _ => vec![json!(["仕様の決定と履行の監督 (職員)"])],
            },
            ja: "仕様の決定と履行の監督を職員に残す",
            en: "keep specifying and supervising the work with staff",
        },
        Lever {
            field: Field::auxiliary_steps,
            values: |op| match &op.auxiliary_steps {
                Some(s) if !s.is_empty() => vec![],
                _ => vec![json!(["切り出した補助的な手順 (受付・入力・発送等)"])],
            },
            ja: "補助的な手順を切り出す",
            en: "carve out auxiliary steps",
        },
    ]
}

/// One change of one fact.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub field: &'static str,
    pub from: Value,
    pub to: Value,
    pub what: &'static str,
}

/// A set of changes and what it achieves.
#[derive(Debug, Serialize)]
pub struct Suggestion {
    pub changes: Vec<Change>,
    pub recommendation: &'static str,
    /// High-severity items it clears (no longer high).
    pub clears: Vec<String>,
    pub high_after: usize,
    /// The method ranked first after the change, when it is not the one ranked first today.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_method: Option<&'static str>,
}

/// A change of method: the best fit, when the work is done another way today.
#[derive(Debug, Serialize)]
pub struct MethodProposal {
    /// How the work is done today, as far as the catalog says (`consignment`, `designated_manager`,
    /// `in_house_improve` for work staff do themselves), or `null`.
    pub today: Option<&'static str>,
    pub method: &'static str,
    pub label: &'static str,
    pub fit: u8,
    pub reasons: Vec<String>,
    /// What would have to be true for it.
    pub conditions: Vec<String>,
}

/// The advice for one operation.
#[derive(Debug, Serialize)]
pub struct WhatIf {
    pub id: String,
    pub recommendation: &'static str,
    pub high: usize,
    pub suggestions: Vec<Suggestion>,
    /// The change of method the method rules point to, if any.
    pub method: Option<MethodProposal>,
    /// Assessments spent.
    pub evaluated: usize,
    /// True when the budget ran out before every set of up to three changes was tried.
    pub stopped_early: bool,
}

fn highs(a: &Assessment, rules: &CompiledRules) -> BTreeSet<String> {
    a.checklist
        .iter()
        .filter(|h| h.severity == Severity::High)
        .map(|h| rules.rules.item(h.item).id.clone())
        .collect()
}

/// How the work is done today, as far as the catalog says.
fn method_today(op: &Operation) -> Option<Method> {
    use crate::catalog::ContractType;
    match (op.contract_type, op.first_time) {
        (_, Some(true)) => Some(Method::InHouseImprove),
        (Some(ContractType::DesignatedManager), _) => Some(Method::DesignatedManager),
        (Some(ContractType::Consignment), Some(false)) => Some(Method::Consignment),
        _ => None,
    }
}

/// The best-fitting method, when it is not how the work is done today.
fn method_proposal(
    op: &Operation,
    a: &Assessment,
    rules: &CompiledRules,
    lang: Lang,
) -> Option<MethodProposal> {
    let today = method_today(op);
    let best = a.methods.first().filter(|m| m.fit > 0)?;
    if Some(best.method) == today {
        return None;
    }
    let doc = crate::render::method_docs(a, &rules.rules, lang)
        .into_iter()
        .next()?;
    Some(MethodProposal {
        today: today.map(Method::id),
        method: best.method.id(),
        label: best.method.label(lang),
        fit: best.fit,
        reasons: doc.reasons,
        conditions: doc.conditions,
    })
}

fn top_method(a: &Assessment) -> Option<Method> {
    a.methods.first().filter(|m| m.fit > 0).map(|m| m.method)
}

/// Searches the smallest improving change sets for `op`.
pub fn what_if(op: &Arc<Operation>, rules: &CompiledRules, lang: Lang) -> WhatIf {
    what_if_within(op, rules, lang, BUDGET)
}

/// [`what_if`] with another budget of assessments (the questionnaire's live answer uses a small one, so
/// that each answer is answered at once; `stopped_early` says when it ran out).
pub fn what_if_within(
    op: &Arc<Operation>,
    rules: &CompiledRules,
    lang: Lang,
    budget: usize,
) -> WhatIf {
    let base = assess_operation(op, rules);
    let base_high = highs(&base, rules);
    let Ok(Value::Object(base_json)) = serde_json::to_value(op.as_ref()) else {
        unreachable!("an operation serialises to a JSON object");
    };
    // Every single change worth trying.
    let mut singles: Vec<(usize, Value)> = Vec::new();
    let levers = levers();
    for (i, lever) in levers.iter().enumerate() {
        let current = fact_value(op.get(lever.field));
        for v in (lever.values)(op) {
            if v != current {
                singles.push((i, v));
            }
        }
    }
    let base_top = top_method(&base);
    #[allow(clippy::type_complexity)]
    let mut found: Vec<(
        Vec<usize>,
        Recommendation,
        BTreeSet<String>,
        usize,
        Option<Method>,
    )> = Vec::new();
    let mut evaluated = 0;
    let mut stopped_early = false;
    let mut frontier: Vec<Vec<usize>> = (0..singles.len()).map(|i| vec![i]).collect();
    for size in 1..=MAX_CHANGES {
        let mut next = Vec::new();
        for set in frontier {
            // One value per lever, and skip supersets of sets already reported.
            let mut seen_levers = BTreeSet::new();
            if !set.iter().all(|&s| seen_levers.insert(singles[s].0)) {
                continue;
            }
            if found
                .iter()
                .any(|(f, ..)| f.iter().all(|x| set.contains(x)))
            {
                continue;
            }
            if evaluated >= budget {
                stopped_early = true;
                break;
            }
            let mut map = base_json.clone();
            for &s in &set {
                let (lever, v) = &singles[s];
                map.insert(levers[*lever].field.name().to_string(), v.clone());
            }
            evaluated += 1;
            let Ok(variant) = operation_from_json(Value::Object(map), "what-if") else {
                continue;
            };
            let a = assess_operation(&Arc::new(variant), rules);
            let after = highs(&a, rules);
            let cleared: BTreeSet<String> = base_high.difference(&after).cloned().collect();
            let better = a.recommendation > base.recommendation;
            let clears = a.recommendation >= base.recommendation && !cleared.is_empty();
            if better || clears {
                let top = top_method(&a).filter(|m| Some(*m) != base_top);
                found.push((set.clone(), a.recommendation, cleared, after.len(), top));
            } else if size < MAX_CHANGES {
                let last = *set.last().unwrap_or(&0);
                for extra in last + 1..singles.len() {
                    let mut bigger = set.clone();
                    bigger.push(extra);
                    next.push(bigger);
                }
            }
        }
        if stopped_early {
            break;
        }
        frontier = next;
    }
    // The most useful first: a better recommendation, then fewer changes, then more items cleared.
    found.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(a.0.len().cmp(&b.0.len()))
            .then(b.2.len().cmp(&a.2.len()))
    });
    let suggestions = found
        .into_iter()
        .take(8)
        .map(|(set, rec, cleared, high_after, top)| Suggestion {
            changes: set
                .iter()
                .map(|&s| {
                    let (lever, v) = &singles[s];
                    let l = &levers[*lever];
                    Change {
                        field: l.field.name(),
                        from: fact_value(op.get(l.field)),
                        to: v.clone(),
                        what: lang.pick(l.ja, l.en),
                    }
                })
                .collect(),
            recommendation: rec.as_str(),
            clears: cleared.into_iter().collect(),
            high_after,
            top_method: top.map(Method::id),
        })
        .collect();
    WhatIf {
        id: op.id.to_string(),
        recommendation: base.recommendation.as_str(),
        high: base_high.len(),
        suggestions,
        method: method_proposal(op, &base, rules, lang),
        evaluated,
        stopped_early,
    }
}
