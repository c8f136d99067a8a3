//! The bundling rules' runtime (`itaku bundle`): the manifest's `bundle_rules`, run by the interpreter in
//! the same sandbox as the assessment rules (the engine of `runtime.rs`, the bounds of `budget.rs`).
//!
//! Two kinds of rule. A `grouping` rule runs on each operation, with `op` in scope as for the assessment
//! rules, and names the bundles the operation may join: `group("facility_maintenance", "message.key")`.
//! A `proposal` rule runs on each candidate bundle, with `bundle` in scope (a map of the bundle's facts:
//! totals, and `members`, a list of maps, one per operation), and weighs it: `saving(…)`, `risk(…)`,
//! `flag(…)`/`clause(…)` for the combined checklist (items of `items.yaml`), `note(…)`, `advise(level, …)`
//! (`bundle`, `lots` or `apart`; the most cautious advice given wins), `lots(n)` and `saved_hours(h)`.
//! A rule that fails leaves none of its output behind and is reported with its file and line; the other
//! rules, and the other bundles, still run. There are few bundles, so no compiled engine is needed.

use std::cell::RefCell;
use std::sync::Arc;

use jiff::civil::Date;
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Scope, AST};
use serde::Serialize;

use super::budget::{Budgets, MAX_ENTRIES, MAX_OPERATIONS};
use super::outcome::{Evaluation, Reason};
use super::runtime::{build_engine, is_heap, placeholder_operation, to_arg, OpHandle, RhaiResult};
use super::{BundleRuleKind, RuleSet};
use crate::catalog::Operation;
use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::lang::{Lang, Text};
use crate::model::Severity;

/// 推奨: what to do with a candidate bundle. Ordered from the least to the most cautious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    /// 一括で委託: one comprehensive contract.
    Bundle,
    /// 分割して委託: a few lots (by kind of work or by area), each a contract of its own.
    Lots,
    /// 個別のまま: keep the contracts apart.
    Apart,
}

impl Advice {
    pub const ALL: [Advice; 3] = [Advice::Bundle, Advice::Lots, Advice::Apart];

    pub fn as_str(self) -> &'static str {
        match self {
            Advice::Bundle => "bundle",
            Advice::Lots => "lots",
            Advice::Apart => "apart",
        }
    }

    pub fn parse(s: &str) -> Option<Advice> {
        Advice::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Advice::Bundle => lang.pick("一括して委託", "bundle into one contract"),
            Advice::Lots => lang.pick("分割 (ロット) して委託", "bundle in lots"),
            Advice::Apart => lang.pick("個別の契約のまま", "keep apart"),
        }
    }
}

/// A fact handed to a proposal rule (`bundle.total_contract_yen`, `bundle.members[0].id` …).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Fact {
    Unknown,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
    List(Vec<String>),
}

/// The facts of one candidate bundle: its own (totals) and each member's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleFacts {
    pub values: Vec<(&'static str, Fact)>,
    pub members: Vec<Vec<(&'static str, Fact)>>,
}

impl BundleFacts {
    pub fn get(&self, name: &str) -> Option<&Fact> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// A bundle an operation may join, named by a grouping rule.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupHit {
    /// Index into `manifest.bundle_rules`.
    pub rule: u16,
    /// The kind of work (`facility_maintenance`): operations of one kind form one candidate bundle.
    pub kind: String,
    /// The bundle's title (a message of `messages.yaml`).
    pub title: Reason,
}

/// A bundling rule that failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleRuleError {
    pub rule: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub text: Text,
}

impl BundleRuleError {
    /// The failure as a located diagnostic (for standard error).
    pub fn diagnostic(&self, subject: &str) -> Diagnostic {
        Diagnostic::error(
            Code::RulesRuntime,
            format!(
                "束ねのルール `{}` が `{subject}` で失敗しました: {}",
                self.rule, self.text.ja
            ),
            format!(
                "bundling rule `{}` failed on `{subject}`: {}",
                self.rule, self.text.en
            ),
        )
        .in_file(format!("{}:{}:{}", self.file, self.line, self.column))
    }
}

/// What the proposal rules made of one candidate bundle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weighing {
    /// (rule index, what the bundle saves)
    pub savings: Vec<(u16, Reason)>,
    /// (rule index, severity, what the bundle risks)
    pub risks: Vec<(u16, Severity, Reason)>,
    /// Checklist items the bundle raises as a whole: (item index, severity, rule index).
    pub checklist: Vec<(u32, Severity, u16)>,
    /// Standard clauses the bundle needs: (item index, rule index).
    pub clauses: Vec<(u32, u16)>,
    pub notes: Vec<(u16, Reason)>,
    /// Every `advise` call: (level, rule index, reason).
    pub advice: Vec<(Advice, u16, Reason)>,
    pub lots: Option<i64>,
    pub saved_hours: Option<f64>,
    pub errors: Vec<BundleRuleError>,
    /// Parameters the proposal rules read, with the effective date of the value used (for coverage).
    pub params: Vec<(String, Date)>,
}

impl Weighing {
    /// The most cautious advice given (`None`: no rule advised).
    pub fn advice(&self) -> Option<Advice> {
        self.advice.iter().map(|(a, ..)| *a).max()
    }
}

#[derive(Default, Clone)]
struct State {
    rule: u16,
    groups: Vec<(String, Reason)>,
    weighing: Weighing,
    params: Vec<(String, Date)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

fn bounded<T>(v: &mut Vec<T>, item: T, what: &str) -> RhaiResult<()> {
    if v.len() >= MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} {what} recorded for one bundle").into());
    }
    v.push(item);
    Ok(())
}

/// The bundling rules of a rule set, compiled for one `as_of` date.
pub struct BundleRules {
    pub rules: Arc<RuleSet>,
    pub as_of: Date,
    engine: Engine,
    asts: Vec<AST>,
}

impl BundleRules {
    /// Compiles every bundling rule; reports every script that does not compile.
    pub fn compile(rules: Arc<RuleSet>, as_of: Date) -> Result<BundleRules, Diagnostics> {
        let mut engine = build_engine(&rules, as_of);
        register(&mut engine, &rules);
        let mut problems = Diagnostics::default();
        let mut asts = Vec::new();
        for (i, spec) in rules.manifest.bundle_rules.iter().enumerate() {
            let file = &rules.bundle_scripts[i];
            match engine.compile_with_scope(&scope_for(spec.kind), &file.text) {
                Ok(ast) => asts.push(ast),
                Err(e) => {
                    let pos = e.position();
                    problems.push(
                        Diagnostic::error(
                            Code::RulesCompile,
                            format!(
                                "束ねのルール `{}` のスクリプトを解釈できません: {}",
                                spec.id,
                                e.err_type()
                            ),
                            format!("bundling rule `{}` does not compile: {}", spec.id, e.err_type()),
                        )
                        .at(Location::new(
                            file,
                            pos.line().unwrap_or(1),
                            pos.position().unwrap_or(1),
                            1,
                        ))
                        .help(
                            "docs/bundles.md のスクリプトAPIを参照してください (grouping は op、proposal は bundle を読みます)",
                            "see the script API in docs/bundles.md (grouping rules read `op`, proposal rules `bundle`)",
                        ),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(BundleRules {
            rules,
            as_of,
            engine,
            asts,
        })
    }

    /// Whether the rule set has any bundling rule.
    pub fn is_empty(&self) -> bool {
        self.asts.is_empty()
    }

    fn of_kind(&self, kind: BundleRuleKind) -> impl Iterator<Item = usize> + '_ {
        self.rules
            .manifest
            .bundle_rules
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.kind == kind)
            .map(|(i, _)| i)
    }

    /// Runs the grouping rules on one operation: the bundles it may join, and the rules that failed.
    pub fn group(&self, op: &Arc<Operation>) -> (Vec<GroupHit>, Vec<BundleRuleError>) {
        let mut scope = Scope::new();
        scope.push_constant("op", OpHandle(Arc::clone(op)));
        let mut hits = Vec::new();
        let mut errors = Vec::new();
        for i in self.of_kind(BundleRuleKind::Grouping).collect::<Vec<_>>() {
            match self.run(i, &mut scope) {
                Ok((state, _)) => {
                    hits.extend(state.groups.into_iter().map(|(kind, title)| GroupHit {
                        rule: i as u16,
                        kind,
                        title,
                    }))
                }
                Err(e) => errors.push(e),
            }
        }
        // One operation joins a kind once, whichever rules named it.
        let mut seen = std::collections::HashSet::new();
        hits.retain(|h| seen.insert(h.kind.clone()));
        (hits, errors)
    }

    /// Runs the proposal rules on one candidate bundle.
    pub fn weigh(&self, facts: &BundleFacts) -> Weighing {
        let mut scope = Scope::new();
        scope.push_constant("bundle", facts_map(facts));
        let mut out = Weighing::default();
        for i in self.of_kind(BundleRuleKind::Proposal).collect::<Vec<_>>() {
            match self.run(i, &mut scope) {
                Ok((state, eval)) => {
                    let w = state.weighing;
                    out.savings.extend(w.savings);
                    out.risks.extend(w.risks);
                    out.advice.extend(w.advice);
                    out.lots = w.lots.or(out.lots);
                    out.saved_hours = w.saved_hours.or(out.saved_hours);
                    for (name, since) in state.params {
                        if !out.params.iter().any(|(n, _)| *n == name) {
                            out.params.push((name, since));
                        }
                    }
                    for (item, severity, rule) in eval.checklist.iter().copied() {
                        match out.checklist.iter_mut().find(|(i, ..)| *i == item) {
                            Some(e) if e.1 < severity => *e = (item, severity, rule),
                            Some(_) => {}
                            None => out.checklist.push((item, severity, rule)),
                        }
                    }
                    for (item, rule) in eval.clauses.iter().copied() {
                        if !out.clauses.iter().any(|(i, _)| *i == item) {
                            out.clauses.push((item, rule));
                        }
                    }
                    out.notes
                        .extend(eval.notes.iter().map(|(_, r)| (i as u16, r.clone())));
                }
                Err(e) => out.errors.push(e),
            }
        }
        out
    }

    /// Runs bundling rule `i` in `scope` with fresh state; its output, or why it failed.
    fn run(&self, i: usize, scope: &mut Scope) -> Result<(State, Evaluation), BundleRuleError> {
        let mut eval = Evaluation::start(&Budgets::default());
        eval.rule = i as u16;
        super::runtime::with_eval(|e| std::mem::swap(e, &mut eval));
        with_state(|s| {
            *s = State {
                rule: i as u16,
                ..State::default()
            }
        });
        let before = scope.len();
        // Traced, for the parameters the rule reads (coverage; there are few bundles).
        super::trace::start();
        super::trace::begin_rule(i as u16);
        let result = self.engine.run_ast_with_scope(scope, &self.asts[i]);
        let trace = super::trace::finish();
        scope.rewind(before);
        super::runtime::with_eval(|e| std::mem::swap(e, &mut eval));
        let mut state = with_state(std::mem::take);
        state.params = trace
            .rules
            .into_iter()
            .flat_map(|r| r.params)
            .map(|p| (p.name, p.since))
            .collect();
        match result {
            Ok(()) => Ok((state, eval)),
            Err(err) => Err(self.describe(i, &err)),
        }
    }

    fn describe(&self, i: usize, err: &EvalAltResult) -> BundleRuleError {
        let pos = err.position();
        let text = match err {
            EvalAltResult::ErrorTerminated(token, _) if is_heap(token) => Text {
                ja: "メモリの上限を超えました".into(),
                en: "the rule used more memory than allowed".into(),
            },
            EvalAltResult::ErrorTerminated(..) => Text {
                ja: "実行時間の上限を超えました".into(),
                en: "the rule exceeded its time budget".into(),
            },
            EvalAltResult::ErrorTooManyOperations(_) => Text {
                ja: format!("演算回数の上限 {MAX_OPERATIONS} を超えました (無限ループの可能性)"),
                en: format!(
                    "exceeded the limit of {MAX_OPERATIONS} operations (does the script loop forever?)"
                ),
            },
            other => super::errors::explain(other),
        };
        BundleRuleError {
            rule: self.rules.manifest.bundle_rules[i].id.clone(),
            file: self.rules.bundle_scripts[i].path.clone(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            text,
        }
    }
}

/// The scope a bundling rule is compiled in: `op` for grouping rules, `bundle` for proposal rules
/// (strict variables: the other name is an error where the script is written).
fn scope_for(kind: BundleRuleKind) -> Scope<'static> {
    let mut scope = Scope::new();
    match kind {
        BundleRuleKind::Grouping => {
            scope.push_constant("op", OpHandle(Arc::new(placeholder_operation())));
        }
        // A variable, not a constant: the optimiser would fold a constant's placeholder value into
        // the script. (Scripts cannot change it at run time: there it is a constant.)
        BundleRuleKind::Proposal => {
            scope.push("bundle", Map::new());
        }
    }
    scope
}

fn fact_dynamic(f: &Fact) -> Dynamic {
    match f {
        Fact::Unknown => Dynamic::UNIT,
        Fact::Bool(b) => Dynamic::from_bool(*b),
        Fact::Int(i) => Dynamic::from_int(*i),
        Fact::Num(n) => Dynamic::from_float(*n),
        Fact::Text(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        Fact::List(items) => Dynamic::from_array(
            items
                .iter()
                .map(|s| Dynamic::from(ImmutableString::from(s.as_str())))
                .collect(),
        ),
    }
}

fn pairs_map(pairs: &[(&'static str, Fact)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), fact_dynamic(v)))
        .collect()
}

fn facts_map(facts: &BundleFacts) -> Map {
    let mut map = pairs_map(&facts.values);
    let members: Array = facts
        .members
        .iter()
        .map(|m| Dynamic::from_map(pairs_map(m)))
        .collect();
    map.insert("members".into(), Dynamic::from_array(members));
    map
}

fn message(rules: &RuleSet, key: &str, args: &[Dynamic]) -> RhaiResult<Reason> {
    match rules.message_index.get(key) {
        Some(&message) => Ok(Reason {
            message,
            args: args.iter().map(to_arg).collect(),
        }),
        None => {
            let hint =
                crate::suggest::did_you_mean(key, rules.message_index.keys().map(String::as_str))
                    .map(|s| format!(": did you mean `{s}`?"))
                    .unwrap_or_default();
            Err(format!("unknown message `{key}` (not in messages.yaml){hint}").into())
        }
    }
}

/// The bundling functions, beside the assessment rules' own (`param`, `flag`, `clause`, `note` …).
fn register(engine: &mut Engine, rules: &Arc<RuleSet>) {
    for with_args in [false, true] {
        let r = Arc::clone(rules);
        let group = move |kind: &str, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let valid = !kind.is_empty()
                && kind.len() <= 64
                && kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
            if !valid {
                return Err(format!(
                    "bundle kind `{kind}` must be 1..64 characters of a-z, 0-9, `_` and `-`"
                )
                .into());
            }
            let reason = message(&r, key, args)?;
            with_state(|s| bounded(&mut s.groups, (kind.to_string(), reason), "groups"))
        };
        let r = Arc::clone(rules);
        let saving = move |key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let reason = message(&r, key, args)?;
            with_state(|s| {
                let rule = s.rule;
                bounded(&mut s.weighing.savings, (rule, reason), "savings")
            })
        };
        let r = Arc::clone(rules);
        let risk = move |severity: &str, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let Some(severity) = Severity::parse(severity) else {
                return Err(
                    format!("unknown severity `{severity}`: expected high, medium or low").into(),
                );
            };
            let reason = message(&r, key, args)?;
            with_state(|s| {
                let rule = s.rule;
                bounded(&mut s.weighing.risks, (rule, severity, reason), "risks")
            })
        };
        let r = Arc::clone(rules);
        let advise = move |level: &str, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let Some(level) = Advice::parse(level) else {
                return Err(
                    format!("unknown advice `{level}`: expected bundle, lots or apart").into(),
                );
            };
            let reason = message(&r, key, args)?;
            with_state(|s| {
                let rule = s.rule;
                bounded(&mut s.weighing.advice, (level, rule, reason), "advice")
            })
        };
        if with_args {
            engine.register_fn("group", move |k: &str, m: &str, a: Array| group(k, m, &a));
            engine.register_fn("saving", move |m: &str, a: Array| saving(m, &a));
            engine.register_fn("risk", move |s: &str, m: &str, a: Array| risk(s, m, &a));
            engine.register_fn("advise", move |l: &str, m: &str, a: Array| advise(l, m, &a));
        } else {
            engine.register_fn("group", move |k: &str, m: &str| group(k, m, &[]));
            engine.register_fn("saving", move |m: &str| saving(m, &[]));
            engine.register_fn("risk", move |s: &str, m: &str| risk(s, m, &[]));
            engine.register_fn("advise", move |l: &str, m: &str| advise(l, m, &[]));
        }
    }
    engine.register_fn("lots", |n: i64| -> RhaiResult<()> {
        if n < 1 {
            return Err(format!("lots expects a number of lots of at least 1, got {n}").into());
        }
        with_state(|s| s.weighing.lots = Some(n));
        Ok(())
    });
    engine.register_fn("saved_hours", |x: Dynamic| -> RhaiResult<()> {
        let v = x
            .as_float()
            .ok()
            .or_else(|| x.as_int().ok().map(|i| i as f64));
        match v {
            Some(v) if v.is_finite() => {
                with_state(|s| s.weighing.saved_hours = Some(v));
                Ok(())
            }
            _ => Err(format!("saved_hours expects a number, got {}", x.type_name()).into()),
        }
    });
}
