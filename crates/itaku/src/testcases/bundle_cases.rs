//! Rule cases for the bundling rules: a case file whose top level is `bundle_cases:` (instead of
//! `cases:`). Each case lists operations (each on a base of `bases.yaml`, with the fields that matter),
//! assesses them, proposes bundles over them and checks what it expects of each bundle kind:
//!
//! ```yaml
//! as_of: 2026-04-01
//! bundle_cases:
//!   - name: two small reminder calls cross the wage floor together
//!     operations:
//!       - {base: candidate, id: a, focus_area: collection, estimated_contract_yen: 12000000}
//!       - {base: candidate, id: b, focus_area: collection, estimated_contract_yen: 9000000}
//!     expect:
//!       bundles:
//!         payment_reminders: {advice: bundle, checklist: {bundle-wage-floor-crossed: high}}
//!       no_bundle: [facility_maintenance]
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::{say, CaseResult, Runner};
use crate::assess::{assess_operation, Report};
use crate::bundle::propose;
use crate::catalog::operation_from_json;
use crate::diag::{Diagnostics, Location};
use crate::rules::bundle::BundleRules;
use crate::rules::template::reason_text;
use crate::suggest::did_you_mean;
use crate::yaml::{self, Node, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    as_of: Option<String>,
    operations: Vec<serde_json::Map<String, serde_json::Value>>,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    bundles: BTreeMap<String, BundleExpect>,
    /// Kinds that must not be proposed.
    #[serde(default)]
    no_bundle: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleExpect {
    /// `bundle`, `lots` or `apart`.
    advice: Option<String>,
    lots: Option<i64>,
    /// Exactly these member ids, in catalog order.
    members: Option<Vec<String>>,
    /// Items of the combined checklist with their severity (`any` for any).
    checklist: Option<BTreeMap<String, String>>,
    not_checklist: Option<Vec<String>>,
    /// Risks by message key, with their severity (`any` for any).
    risks: Option<BTreeMap<String, String>>,
    not_risks: Option<Vec<String>>,
    /// Savings by message key.
    savings: Option<Vec<String>>,
    /// Notes by message key.
    notes: Option<Vec<String>>,
    contracts_today: Option<i64>,
    staff_hours_saved: Option<f64>,
}

impl Runner<'_> {
    /// Runs a file of `bundle_cases:`; `top` is its top-level mapping.
    pub(super) fn run_bundle_file(
        &mut self,
        top: &[(Node, Node)],
        shown: &str,
        place: &dyn Fn(&Node) -> Location,
    ) -> Result<(), Diagnostics> {
        let lang = self.lang;
        let mut file_as_of = self.options.default_as_of;
        let mut cases: &[Node] = &[];
        for (k, v) in top {
            match yaml::scalar_text(k).as_str() {
                "as_of" => match super::parse_date(v) {
                    Some(d) => file_as_of = d,
                    None => self.report.problems.push(super::invalid_file(
                        place(v),
                        "as_of は日付 (YYYY-MM-DD) で書いてください".into(),
                        "as_of must be a date (YYYY-MM-DD)".into(),
                    )),
                },
                "bundle_cases" => match &v.value {
                    Value::Seq(items) => cases = items,
                    _ => self.report.problems.push(super::invalid_file(
                        place(v),
                        "`bundle_cases:` はリストで書いてください".into(),
                        "`bundle_cases:` must be a list".into(),
                    )),
                },
                other => {
                    let hint = did_you_mean(other, ["as_of", "bundle_cases"])
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    self.report.problems.push(super::invalid_file(
                        place(k),
                        format!("不明なキー `{other}`{hint}"),
                        format!("unknown key `{other}`{hint}"),
                    ));
                }
            }
        }
        for (i, node) in cases.iter().enumerate() {
            let parsed: Result<Case, _> = serde_json::from_value(yaml::node_to_json(node));
            let (name, failures) = match parsed {
                Err(e) => (
                    say(
                        lang,
                        format!("{}番目のケース", i + 1),
                        format!("case {}", i + 1),
                    ),
                    vec![format!("{}: {e}", place(node))],
                ),
                Ok(case) => {
                    if let Some(filter) = &self.options.filter {
                        if !case.name.to_lowercase().contains(&filter.to_lowercase()) {
                            continue;
                        }
                    }
                    let failures = self.run_bundle_case(&case, file_as_of, shown)?;
                    (case.name, failures)
                }
            };
            self.report.results.push(CaseResult {
                file: shown.to_string(),
                line: node.pos.line,
                name,
                failures,
            });
        }
        Ok(())
    }

    fn run_bundle_case(
        &mut self,
        case: &Case,
        file_as_of: jiff::civil::Date,
        shown: &str,
    ) -> Result<Vec<String>, Diagnostics> {
        let lang = self.lang;
        let as_of = match &case.as_of {
            None => file_as_of,
            Some(s) => match s.parse() {
                Ok(d) => d,
                Err(_) => return Ok(vec![format!("as_of `{s}` is not a date (YYYY-MM-DD)")]),
            },
        };
        let mut failures = Vec::new();
        let mut ops = Vec::new();
        for (i, entry) in case.operations.iter().enumerate() {
            let mut fields = entry.clone();
            if let Some(base) = fields.remove("base") {
                let base = base.as_str().unwrap_or_default().to_string();
                match self.bases.get(&base) {
                    Some(b) => {
                        for (k, v) in b {
                            fields.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    None => {
                        let hint = did_you_mean(&base, self.bases.keys().map(String::as_str))
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        failures.push(format!("unknown base `{base}`{hint}"));
                        continue;
                    }
                }
            }
            let default_id = format!("op-{}", i + 1);
            for (key, default) in [
                ("id", default_id.as_str()),
                ("name", "テスト業務"),
                ("department", "テスト部"),
            ] {
                fields
                    .entry(key.to_string())
                    .or_insert_with(|| serde_json::Value::String(default.into()));
            }
            let label = format!("{shown} › {}", case.name);
            match operation_from_json(serde_json::Value::Object(fields), &label) {
                Ok(op) => ops.push(Arc::new(op)),
                Err(d) => failures.extend(
                    d.iter()
                        .map(|d| format!("invalid operation {}: {}", i + 1, d.message(lang))),
                ),
            }
        }
        if !failures.is_empty() {
            return Ok(failures);
        }
        let compiled = match self.compiled.entry(as_of) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => v.insert(
                crate::rules::CompiledRules::compile(Arc::clone(self.rules), as_of)?,
            ),
        };
        let report = Report {
            assessments: ops
                .iter()
                .map(|op| assess_operation(op, compiled))
                .collect(),
            as_of,
        };
        let bundling = BundleRules::compile(Arc::clone(self.rules), as_of)?;
        let bundles = propose(&report, &bundling);
        if let Some(c) = &mut self.bundles_collected {
            c.push(bundles.clone());
        }
        for (subject, e) in &bundles.errors {
            failures.push(format!(
                "bundling rule `{}` failed on `{subject}` at {}:{}: {}",
                e.rule,
                e.line,
                e.column,
                e.text.get(lang)
            ));
        }
        let rules = self.rules;
        let item_id = |i: u32| rules.item(i).id.as_str();
        let key = |m: u32| rules.messages[m as usize].0.as_str();
        for kind in &case.expect.no_bundle {
            if bundles.proposals.iter().any(|p| &p.kind == kind) {
                failures.push(format!("expected no bundle `{kind}`, but one is proposed"));
            }
        }
        for (kind, want) in &case.expect.bundles {
            let Some(p) = bundles.proposals.iter().find(|p| &p.kind == kind) else {
                let kinds: Vec<&str> = bundles.proposals.iter().map(|p| p.kind.as_str()).collect();
                failures.push(format!(
                    "expected a bundle `{kind}`, proposed: [{}]",
                    kinds.join(", ")
                ));
                continue;
            };
            if let Some(a) = &want.advice {
                if p.advice().as_str() != a {
                    failures.push(format!(
                        "{kind}: advice is {}, expected {a}",
                        p.advice().as_str()
                    ));
                }
            }
            if let Some(n) = want.lots {
                if p.weighing.lots != Some(n) {
                    failures.push(format!("{kind}: lots {:?}, expected {n}", p.weighing.lots));
                }
            }
            if let Some(ids) = &want.members {
                let got: Vec<&str> = p
                    .members
                    .iter()
                    .map(|&i| report.assessments[i].operation.id.as_str())
                    .collect();
                if got != ids.iter().map(String::as_str).collect::<Vec<_>>() {
                    failures.push(format!("{kind}: members {got:?}, expected {ids:?}"));
                }
            }
            if let Some(items) = &want.checklist {
                for (id, severity) in items {
                    if !rules.items.iter().any(|i| &i.id == id) {
                        let hint = did_you_mean(id, rules.items.iter().map(|i| i.id.as_str()))
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        failures.push(format!("{kind}: unknown checklist item `{id}`{hint}"));
                        continue;
                    }
                    match p.checklist.iter().find(|c| item_id(c.item) == id) {
                        None => failures.push(format!("{kind}: expected checklist item {id}")),
                        Some(c) if severity != "any" && c.severity.as_str() != severity => failures
                            .push(format!(
                                "{kind}: {id} is {}, expected {severity}",
                                c.severity.as_str()
                            )),
                        Some(_) => {}
                    }
                }
            }
            for id in want.not_checklist.iter().flatten() {
                if p.checklist.iter().any(|c| item_id(c.item) == id) {
                    failures.push(format!("{kind}: checklist item {id} was not expected"));
                }
            }
            if let Some(risks) = &want.risks {
                for (m, severity) in risks {
                    match p
                        .weighing
                        .risks
                        .iter()
                        .find(|(_, _, r)| key(r.message) == m)
                    {
                        None => {
                            let got: Vec<&str> = p
                                .weighing
                                .risks
                                .iter()
                                .map(|(_, _, r)| key(r.message))
                                .collect();
                            failures.push(format!("{kind}: expected risk {m}, got {got:?}"));
                        }
                        Some((_, s, _)) if severity != "any" && s.as_str() != severity => failures
                            .push(format!(
                                "{kind}: risk {m} is {}, expected {severity}",
                                s.as_str()
                            )),
                        Some(_) => {}
                    }
                }
            }
            for m in want.not_risks.iter().flatten() {
                if let Some((_, _, r)) = p
                    .weighing
                    .risks
                    .iter()
                    .find(|(_, _, r)| key(r.message) == m)
                {
                    failures.push(format!(
                        "{kind}: risk {m} was not expected ({})",
                        reason_text(rules, r, lang)
                    ));
                }
            }
            for (want, got, what) in [
                (
                    &want.savings,
                    p.weighing
                        .savings
                        .iter()
                        .map(|(_, r)| key(r.message))
                        .collect::<Vec<_>>(),
                    "saving",
                ),
                (
                    &want.notes,
                    p.weighing
                        .notes
                        .iter()
                        .map(|(_, r)| key(r.message))
                        .collect(),
                    "note",
                ),
            ] {
                for m in want.iter().flatten() {
                    if !got.contains(&m.as_str()) {
                        failures.push(format!("{kind}: expected {what} {m}, got {got:?}"));
                    }
                }
            }
            if let Some(n) = want.contracts_today {
                let got = p.number("contracts_today") as i64;
                if got != n {
                    failures.push(format!("{kind}: contracts_today {got}, expected {n}"));
                }
            }
            if let Some(h) = want.staff_hours_saved {
                let got = p.weighing.saved_hours.unwrap_or(0.0);
                if (got - h).abs() > 1e-6 {
                    failures.push(format!("{kind}: staff_hours_saved {got}, expected {h}"));
                }
            }
        }
        Ok(failures)
    }
}
