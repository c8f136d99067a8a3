//! The rule runtime: runs the scripts (with `lint.rs`, `compile.rs` and `errors.rs` beside it, the only
//! code that touches Rhai). Under the default engine each rule runs compiled (`compile.rs`); this
//! interpreter runs the rules the compiler does not support, every rule whose compiled run stopped short
//! on an operation (rolled back first), traced runs, and everything with `--engine interpreted`.
//!
//! Scripts are compiled once per run (and once more by each worker thread, for its own copy). Each operation is evaluated by
//! running the scripts in kind order (gates, criteria, safeguards, recommendation) with `op` in scope.
//! What the scripts produce goes through registered functions into a per-thread [`Evaluation`], so
//! evaluating one operation allocates little and never blocks another thread.
//!
//! The sandbox: `Engine::new_raw` plus the standard packages only (no file, module, time or network
//! access; `eval` disabled; `import` compiled out), strict variables, and bounds on operations, call
//! depth, expression depth, string/array/map sizes and the number of variables and functions. On the
//! host side, per operation: bounds on what the rules record (`MAX_ENTRIES`, `MAX_TEXT_BYTES`), a time
//! budget, and in the binary a heap budget per rule; a rule that fails leaves none of its output behind.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use rhai::packages::{Package, StandardPackage};
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Scope, AST};

use super::{trace, ParamValue, RuleKind, RuleSet};
use crate::catalog::{Field, FieldRef, Operation};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::lang::Text;
use crate::model::{Criterion, Recommendation, Severity};
use crate::suggest::did_you_mean;

/// Operations one rule may perform on one operation before it is halted (a loop of simple steps stops
/// here within milliseconds; steps that are slow in themselves are stopped by [`TIME_BUDGET`]).
pub const MAX_OPERATIONS: u64 = 100_000;
const MAX_CALL_LEVELS: usize = 16;
pub(super) const MAX_EXPR_DEPTH: usize = 64;
pub(super) const MAX_FN_EXPR_DEPTH: usize = 32;
const MAX_STRING_SIZE: usize = 4_096;
const MAX_ARRAY_SIZE: usize = 1_024;
const MAX_MAP_SIZE: usize = 256;
const MAX_VARIABLES: usize = 256;
const MAX_FUNCTIONS: usize = 256;

/// Reasons (`points`), notes and exclusions the rules may record for one operation, each: a rule that
/// loops around `note(…)` fails instead of filling memory.
pub const MAX_ENTRIES: usize = 256;
/// Bytes of message arguments the rules may record for one operation, all kinds together.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Wall time all rules together may take on one operation. The operation limit counts steps, and some
/// steps (comparing two 1,000-item arrays) take far longer than others; this bounds the time itself.
pub const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);
/// Operations between two looks at the clock (and at the heap).
const CLOCK_EVERY: u64 = 64;
/// Heap one rule may add while it runs on one operation (bytes allocated minus freed on its thread).
/// Counted only where the global allocator is `crate::heap::Counting` (the `itaku` binary): this is what
/// bounds a map grown by `m[key] = value`, which Rhai's own size limits do not.
pub const HEAP_BUDGET: usize = 64 * 1024 * 1024;

/// An argument of a message template.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Num(f64),
    Text(String),
}

/// A reason, note or exclusion: a message template (by index into the rule set) and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub message: u32,
    pub args: Vec<Arg>,
}

/// A rule that failed while assessing an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub rule: u16,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Both languages, English first: `… / …` (as written into assessment documents).
    pub message: String,
    /// The message in each language (for reports on standard error).
    pub text: Text,
}

/// Everything the rules produced for one operation, before it is turned into an assessment.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub points: [i64; 5],
    pub reasons: [Vec<Reason>; 5],
    pub exclusions: Vec<(u16, Reason)>,
    pub cap: Option<(Recommendation, u16, Reason)>,
    /// (item index, severity, rule index)
    pub checklist: Vec<(u32, Severity, u16)>,
    pub missing: Vec<Field>,
    /// Missing facts that decided the outcome (an exclusion, a cap or the recommendation itself).
    pub decisive: Vec<Field>,
    /// Facts that contradict each other: (rule index, the fields involved, the finding).
    pub contradictions: Vec<(u16, Vec<Field>, Reason)>,
    /// Standard clauses every contract of this kind needs: (item index, rule index).
    pub clauses: Vec<(u32, u16)>,
    pub recommendation: Option<Recommendation>,
    pub notes: Vec<(u16, Reason)>,
    pub freed_fte: Option<f64>,
    pub proposal_call: bool,
    pub errors: Vec<RuleError>,
    pub(super) rule: u16,
    /// Bytes of message arguments recorded so far (bounded by [`MAX_TEXT_BYTES`]).
    text_bytes: usize,
    /// When the operation's [`TIME_BUDGET`] runs out.
    deadline: Option<std::time::Instant>,
    /// The thread's heap count when the running rule started (see [`HEAP_BUDGET`]).
    heap_start: isize,
    /// The heap the running rule may add (see [`Budgets`]).
    heap_budget: usize,
}

impl Evaluation {
    /// Counts a reason's text against the budget, or fails the rule.
    pub(super) fn admit(&mut self, what: &str, count: usize, reason: &Reason) -> RhaiResult<()> {
        if count >= MAX_ENTRIES {
            return fail(format!(
                "too many {what} for one operation (limit {MAX_ENTRIES}) / 1業務あたりの件数の上限 {MAX_ENTRIES} を超えました"
            ));
        }
        let text: usize = reason
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => t.len(),
                _ => 8,
            })
            .sum();
        if self.text_bytes + text > MAX_TEXT_BYTES {
            return fail(format!(
                "message arguments exceed {MAX_TEXT_BYTES} bytes for one operation / 1業務あたりのメッセージ引数の上限 {MAX_TEXT_BYTES} バイトを超えました"
            ));
        }
        self.text_bytes += text;
        Ok(())
    }

    pub(super) fn add_points(&mut self, c: usize, n: i64, reason: Reason) -> RhaiResult<()> {
        let count = self.reasons.iter().map(Vec::len).sum();
        self.admit("reasons", count, &reason)?;
        // Saturating: a script passing i64::MAX twice must not crash the engine.
        self.points[c] = self.points[c].saturating_add(n);
        self.reasons[c].push(reason);
        Ok(())
    }

    pub(super) fn add_exclusion(&mut self, reason: Reason) -> RhaiResult<()> {
        self.admit("exclusions", self.exclusions.len(), &reason)?;
        self.exclusions.push((self.rule, reason));
        Ok(())
    }

    pub(super) fn add_note(&mut self, reason: Reason) -> RhaiResult<()> {
        self.admit("notes", self.notes.len(), &reason)?;
        self.notes.push((self.rule, reason));
        Ok(())
    }

    fn out_of_time(&self) -> bool {
        self.deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
    }

    /// Why the running rule must stop now, if it must: `"time"` or `"heap"` (the token of Rhai's
    /// `ErrorTerminated`, read back by `describe_error`).
    fn must_stop(&self) -> Option<Dynamic> {
        let grown = crate::heap::thread_net_bytes().wrapping_sub(self.heap_start);
        if grown > self.heap_budget as isize {
            Some(Dynamic::from(ImmutableString::from("heap")))
        } else if self.out_of_time() {
            Some(Dynamic::from(ImmutableString::from("time")))
        } else {
            None
        }
    }
}

/// What the rules had produced before a rule ran: a rule that fails is rolled back to it, so that no
/// half of its output reaches the assessment. (The checklist is copied because `flag` can raise the
/// severity of an entry already there; it holds at most one entry per checklist item.)
#[derive(Default)]
struct Mark {
    points: [i64; 5],
    reasons: [usize; 5],
    exclusions: usize,
    cap: Option<(Recommendation, u16, Reason)>,
    checklist: Vec<(u32, Severity, u16)>,
    missing: usize,
    decisive: usize,
    contradictions: usize,
    clauses: usize,
    recommendation: Option<Recommendation>,
    notes: usize,
    freed_fte: Option<f64>,
    proposal_call: bool,
    text_bytes: usize,
}

impl Mark {
    fn save(&mut self, e: &Evaluation) {
        self.points = e.points;
        for (n, r) in self.reasons.iter_mut().zip(&e.reasons) {
            *n = r.len();
        }
        self.exclusions = e.exclusions.len();
        self.cap.clone_from(&e.cap);
        self.checklist.clone_from(&e.checklist);
        self.missing = e.missing.len();
        self.decisive = e.decisive.len();
        self.contradictions = e.contradictions.len();
        self.clauses = e.clauses.len();
        self.recommendation = e.recommendation;
        self.notes = e.notes.len();
        self.freed_fte = e.freed_fte;
        self.proposal_call = e.proposal_call;
        self.text_bytes = e.text_bytes;
    }

    fn restore(&self, e: &mut Evaluation) {
        e.points = self.points;
        for (r, n) in e.reasons.iter_mut().zip(self.reasons) {
            r.truncate(n);
        }
        e.exclusions.truncate(self.exclusions);
        e.cap.clone_from(&self.cap);
        e.checklist.clone_from(&self.checklist);
        e.missing.truncate(self.missing);
        e.decisive.truncate(self.decisive);
        e.contradictions.truncate(self.contradictions);
        e.clauses.truncate(self.clauses);
        e.recommendation = self.recommendation;
        e.notes.truncate(self.notes);
        e.freed_fte = self.freed_fte;
        e.proposal_call = self.proposal_call;
        e.text_bytes = self.text_bytes;
    }
}

impl Evaluation {
    pub(super) fn add_missing(&mut self, field: Field, decisive: bool) {
        if !self.missing.contains(&field) {
            self.missing.push(field);
        }
        if decisive && !self.decisive.contains(&field) {
            self.decisive.push(field);
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Evaluation> = RefCell::new(Evaluation::default());
}

pub(super) fn with_eval<R>(f: impl FnOnce(&mut Evaluation) -> R) -> R {
    CURRENT.with(|c| f(&mut c.borrow_mut()))
}

/// The operation as scripts see it: `op.routine_share` etc.
#[derive(Clone)]
struct OpHandle(Arc<Operation>);

/// A rule set compiled for one `as_of` date: shared by all threads.
pub struct CompiledRules {
    pub rules: Arc<RuleSet>,
    pub as_of: Date,
    engine: Engine,
    asts: Vec<AST>,
    /// Each worker thread's own engine and ASTs. Rhai values share strings by atomic reference counts
    /// (script literals, enum values, parameters); shared across threads, those counters bounce between
    /// cores on every read and two threads ran barely faster than one. Compiling is cheap (~3 ms).
    workers: thread_local::ThreadLocal<Option<(Engine, Vec<AST>)>>,
    /// Rule indexes in execution order (by kind, then manifest order).
    order: Vec<usize>,
    budgets: Budgets,
    /// Each rule compiled to a tree, or why it runs on the interpreter (`compile.rs`).
    programs: Vec<super::compile::Compiled>,
    engine_kind: EngineKind,
}

/// Which engine evaluates the rules: the rule compiler (default; a rule it cannot compile, and any
/// operation on which a compiled rule could fail, runs on the interpreter) or the interpreter alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineKind {
    #[default]
    Compiled,
    Interpreted,
}

/// How one rule runs under [`EngineKind::Compiled`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleEngine {
    Compiled,
    /// The construct the compiler does not support, and its line.
    Interpreted {
        reason: String,
        line: usize,
    },
}

/// The time and heap budgets of one evaluation ([`TIME_BUDGET`] and [`HEAP_BUDGET`] unless changed with
/// [`CompiledRules::with_budgets`], e.g. by a test that needs one to fire before the other).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budgets {
    /// Wall time of all rules on one operation.
    pub time: std::time::Duration,
    /// Heap one rule may add on one operation, in bytes.
    pub heap: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            time: TIME_BUDGET,
            heap: HEAP_BUDGET,
        }
    }
}

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

fn fail<T>(message: String) -> RhaiResult<T> {
    Err(message.into())
}

impl CompiledRules {
    /// Builds the sandboxed engine and compiles every script once. Reports every compile error.
    pub fn compile(rules: Arc<RuleSet>, as_of: Date) -> Result<CompiledRules, Diagnostics> {
        let engine = build_engine(&rules, as_of);
        let mut problems = Diagnostics::default();
        let scope = compile_scope();
        let mut asts = Vec::with_capacity(rules.scripts.len());
        for (i, file) in rules.scripts.iter().enumerate() {
            super::lint::check_script(&rules, i, file, &mut problems);
            match engine.compile_with_scope(&scope, &file.text) {
                Ok(ast) => asts.push(ast),
                Err(e) => {
                    let pos = e.position();
                    problems.push(
                        Diagnostic::error(
                            "rules::compile",
                            format!("ルール `{}` のスクリプトを解釈できません: {}", rules.manifest.rules[i].id, e.err_type()),
                            format!("rule `{}` does not compile: {}", rules.manifest.rules[i].id, e.err_type()),
                        )
                        .at(Location::new(file, pos.line().unwrap_or(1), pos.position().unwrap_or(1), 1))
                        .help(
                            "docs/rules.md のスクリプトAPIを参照してください (未定義の変数は使えません)",
                            "see the script API in docs/rules.md (undefined variables are errors)",
                        ),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut order: Vec<usize> = (0..rules.manifest.rules.len()).collect();
        order.sort_by_key(|&i| rules.manifest.rules[i].kind);
        let programs = asts
            .iter()
            .map(|ast| super::compile::compile(&rules, as_of, ast))
            .collect();
        Ok(CompiledRules {
            rules,
            as_of,
            engine,
            asts,
            workers: thread_local::ThreadLocal::new(),
            order,
            budgets: Budgets::default(),
            programs,
            engine_kind: EngineKind::default(),
        })
    }

    /// Runs every rule against one operation. A failing rule is recorded in `errors`; the others still run.
    pub fn evaluate(&self, op: &Arc<Operation>) -> Evaluation {
        self.run(op, false)
    }

    /// Like [`evaluate`](Self::evaluate), recording what each rule read, used and produced (for
    /// `explain`, `diff` and `coverage`). The evaluation is the same as without the trace.
    pub fn evaluate_traced(&self, op: &Arc<Operation>) -> (Evaluation, trace::Trace) {
        trace::start();
        let e = self.run(op, true);
        (e, trace::finish())
    }

    fn run(&self, op: &Arc<Operation>, traced: bool) -> Evaluation {
        // The evaluation lives here while the compiled rules run (they write to it directly), and is
        // lent to the thread's slot (`with_eval`) while the interpreter runs a rule, for its registered
        // functions.
        let mut eval = Evaluation {
            deadline: Some(std::time::Instant::now() + self.budgets.time),
            heap_budget: self.budgets.heap,
            // Room for what the standard rules record on most operations, so that the lists are
            // allocated once instead of growing a rule at a time.
            checklist: Vec::with_capacity(32),
            clauses: Vec::with_capacity(16),
            missing: Vec::with_capacity(8),
            ..Evaluation::default()
        };
        // The thread's own engine, compiled the first time a rule runs on the interpreter (compiled
        // rules may never need it).
        let interpreter = || {
            self.workers
                .get_or(|| self.compile_for_thread())
                .as_ref()
                .map_or((&self.engine, &self.asts), |(e, a)| (e, a))
        };
        // `op` in the interpreter's scope, made the first time a rule runs on it.
        let mut scope: Option<Scope> = None;
        let mut mark = Mark::default();
        let mut timed_out = false;
        let mut clock_due = false;
        let mut runner = None;
        for &i in &self.order {
            let trace_mark = traced.then(|| {
                trace::begin_rule(i as u16);
                trace::Mark::of(&eval)
            });
            eval.rule = i as u16;
            mark.save(&eval);
            eval.heap_start = crate::heap::thread_net_bytes();
            let program = match &self.programs[i] {
                super::compile::Compiled::Tree(p)
                    if !traced && self.engine_kind == EngineKind::Compiled =>
                {
                    Some(p)
                }
                _ => None,
            };
            // Compiled rules read the clock themselves as their steps add up (across rules, see
            // `compile::Runner`); it is read here before a rule the interpreter runs, and after one.
            if (program.is_none() || clock_due) && eval.out_of_time() {
                // The rule that used the time up has said so; a slow run of rules that each stayed
                // within it is named at the first rule that could not run.
                if !timed_out {
                    let error = self.time_error(i, 0, 0);
                    eval.errors.push(error);
                }
                break;
            }
            clock_due = false;
            if let Some(program) = program {
                let runner = runner.get_or_insert_with(|| {
                    super::compile::Runner::new(op, &self.rules, eval.deadline)
                });
                match runner.run(program, &mut eval) {
                    Ok(()) => continue,
                    // The interpreter decides: it fails where the compiled rule might have.
                    Err(super::compile::Bail) => mark.restore(&mut eval),
                }
            }
            clock_due = true;
            let (engine, asts) = interpreter();
            let scope = scope.get_or_insert_with(|| {
                let mut scope = Scope::new();
                scope.push_constant("op", OpHandle(Arc::clone(op)));
                scope
            });
            with_eval(|e| std::mem::swap(e, &mut eval));
            let result = engine.run_ast_with_scope(scope, &asts[i]);
            with_eval(|e| std::mem::swap(e, &mut eval));
            if let Err(err) = result {
                timed_out |= matches!(&*err, EvalAltResult::ErrorTerminated(t, _) if !is_heap(t));
                let error = self.describe_error(i, &err);
                mark.restore(&mut eval);
                eval.errors.push(error);
            }
            scope.rewind(1);
            if let Some(tm) = trace_mark {
                trace::end_rule(tm.produced(&eval));
            }
        }
        let mut e = eval;
        // The facts the recommendation cannot do without are decisive whenever they are unknown.
        for &field in &self.rules.decisive_facts {
            if matches!(op.get(field), FieldRef::Missing) {
                e.add_missing(field, true);
            }
        }
        e
    }

    /// This thread's own engine and ASTs. The same sources compiled once already; should it fail
    /// anyway, `None` makes the caller use the shared copy.
    fn compile_for_thread(&self) -> Option<(Engine, Vec<AST>)> {
        let engine = build_engine(&self.rules, self.as_of);
        let scope = compile_scope();
        let asts: Result<Vec<AST>, _> = self
            .rules
            .scripts
            .iter()
            .map(|f| engine.compile_with_scope(&scope, &f.text))
            .collect();
        asts.ok().map(|asts| (engine, asts))
    }

    /// The same rules evaluated by another engine.
    pub fn with_engine(mut self, kind: EngineKind) -> Self {
        self.engine_kind = kind;
        self
    }

    pub fn engine_kind(&self) -> EngineKind {
        self.engine_kind
    }

    /// How each rule (in manifest order) runs under the compiled engine.
    pub fn rule_engines(&self) -> Vec<RuleEngine> {
        self.programs
            .iter()
            .map(|p| match p {
                super::compile::Compiled::Tree(_) => RuleEngine::Compiled,
                super::compile::Compiled::Interpreted { reason, line } => RuleEngine::Interpreted {
                    reason: reason.clone(),
                    line: *line,
                },
            })
            .collect()
    }

    /// The same rules with other time and heap budgets.
    pub fn with_budgets(mut self, budgets: Budgets) -> Self {
        self.budgets = budgets;
        self
    }

    fn time_error(&self, rule: usize, line: usize, column: usize) -> RuleError {
        let ms = self.budgets.time.as_millis();
        self.rule_error(
            rule,
            line,
            column,
            format!("the rules exceeded the time budget of {ms} ms for one operation; the rules after this one were not run"),
            format!("1業務あたりの実行時間の上限 {ms} ミリ秒を超えました (以降のルールは実行していません)"),
        )
    }

    fn rule_error(
        &self,
        rule: usize,
        line: usize,
        column: usize,
        en: String,
        ja: String,
    ) -> RuleError {
        RuleError {
            rule: rule as u16,
            file: self.rules.scripts[rule].path.clone(),
            line,
            column,
            message: format!("{en} / {ja}"),
            text: Text { ja, en },
        }
    }

    fn describe_error(&self, rule: usize, err: &EvalAltResult) -> RuleError {
        let pos = err.position();
        if let EvalAltResult::ErrorTerminated(token, _) = err {
            if !is_heap(token) {
                return self.time_error(rule, pos.line().unwrap_or(0), pos.position().unwrap_or(0));
            }
            let mib = self.budgets.heap >> 20;
            return self.rule_error(
                rule,
                pos.line().unwrap_or(0),
                pos.position().unwrap_or(0),
                format!("the rule used more than {mib} MiB of memory on one operation"),
                format!("1業務あたりのメモリ上限 {mib} MiB を超えました"),
            );
        }
        let (en, ja) = match err {
            EvalAltResult::ErrorTooManyOperations(_) => (
                format!("exceeded the limit of {MAX_OPERATIONS} operations (does the script loop forever?)"),
                format!("演算回数の上限 {MAX_OPERATIONS} を超えました (無限ループの可能性)"),
            ),
            EvalAltResult::ErrorStackOverflow(_) => (
                format!("call depth exceeded the limit of {MAX_CALL_LEVELS} (unbounded recursion?)"),
                "呼び出しの深さが上限を超えました (無限再帰の可能性)".to_string(),
            ),
            EvalAltResult::ErrorDataTooLarge(what, _) => (
                format!("{what} exceeds the size limit"),
                format!("{what} がサイズ上限を超えました"),
            ),
            other => {
                let t = super::errors::explain(other);
                (t.en, t.ja)
            }
        };
        RuleError {
            rule: rule as u16,
            file: self.rules.scripts[rule].path.clone(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            message: format!("{en} / {ja}"),
            text: Text { ja, en },
        }
    }
}

/// True for the token of a rule stopped for its heap (see `Evaluation::must_stop`).
fn is_heap(token: &Dynamic) -> bool {
    token
        .clone()
        .into_immutable_string()
        .is_ok_and(|s| s == "heap")
}

/// The scope scripts are compiled in: `op` is known (strict variables), its value is not used.
fn compile_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant("op", OpHandle(Arc::new(placeholder_operation())));
    scope
}

fn placeholder_operation() -> Operation {
    Operation::new(
        crate::catalog::OperationId::parse("placeholder").expect("valid id"),
        String::new(),
        String::new(),
    )
}

fn to_dynamic(value: &ParamValue) -> Dynamic {
    match value {
        ParamValue::Bool(b) => Dynamic::from_bool(*b),
        ParamValue::Int(i) => Dynamic::from_int(*i),
        ParamValue::Float(f) => Dynamic::from_float(*f),
        ParamValue::Text(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        ParamValue::List(items) => Dynamic::from_array(items.iter().map(to_dynamic).collect()),
    }
}

fn field_dynamic(value: FieldRef<'_>, names: &HashMap<&'static str, ImmutableString>) -> Dynamic {
    match value {
        FieldRef::Missing => Dynamic::UNIT,
        FieldRef::Bool(b) => Dynamic::from_bool(b),
        FieldRef::Int(i) => Dynamic::from_int(i),
        FieldRef::Num(f) => Dynamic::from_float(f),
        FieldRef::Text(s) => Dynamic::from(ImmutableString::from(s)),
        FieldRef::Enum(s) => Dynamic::from(names.get(s).cloned().unwrap_or_else(|| s.into())),
        FieldRef::List(items) => Dynamic::from_array(
            items
                .iter()
                .map(|s| Dynamic::from(ImmutableString::from(s.as_str())))
                .collect(),
        ),
        FieldRef::Load(months) => {
            Dynamic::from_array(months.iter().map(|m| Dynamic::from_float(*m)).collect())
        }
    }
}

fn number(d: &Dynamic) -> Option<f64> {
    d.as_float()
        .ok()
        .or_else(|| d.as_int().ok().map(|i| i as f64))
}

fn to_arg(d: &Dynamic) -> Arg {
    if let Ok(i) = d.as_int() {
        Arg::Int(i)
    } else if let Ok(f) = d.as_float() {
        Arg::Num(f)
    } else if d.is_unit() {
        Arg::Text("?".into())
    } else {
        Arg::Text(d.to_string())
    }
}

/// Message keys and item ids resolved once per run, shared by the registered functions.
struct Lookup {
    messages: HashMap<String, u32>,
    items: HashMap<String, u32>,
    item_mitigable: Vec<bool>,
    item_standard: Vec<bool>,
    message_keys: Vec<String>,
    /// Values in force on `as_of`, with the date each took effect.
    params: HashMap<String, (Dynamic, Date)>,
    param_names: Vec<String>,
    as_of: Date,
}

impl Lookup {
    fn item(&self, id: &str) -> RhaiResult<u32> {
        match self.items.get(id) {
            Some(&item) => Ok(item),
            None => {
                let hint = did_you_mean(id, self.items.keys().map(String::as_str))
                    .map(|s| format!(": did you mean `{s}`?"))
                    .unwrap_or_default();
                fail(format!(
                    "unknown checklist item `{id}` (not in items.yaml){hint}"
                ))
            }
        }
    }

    fn reason(&self, key: &str, args: &[Dynamic]) -> RhaiResult<Reason> {
        match self.messages.get(key) {
            Some(&message) => Ok(Reason {
                message,
                args: args.iter().map(to_arg).collect(),
            }),
            None => {
                let hint = did_you_mean(key, self.message_keys.iter().map(String::as_str))
                    .map(|s| format!(": did you mean `{s}`?"))
                    .unwrap_or_default();
                fail(format!(
                    "unknown message `{key}` (not in messages.yaml){hint}"
                ))
            }
        }
    }
}

fn field_named(name: &str) -> RhaiResult<Field> {
    Field::from_name(name).ok_or_else(|| {
        let hint = did_you_mean(name, Field::NAMES.iter().copied())
            .map(|s| format!(": did you mean `{s}`?"))
            .unwrap_or_default();
        format!("unknown field `{name}`{hint}").into()
    })
}

fn criterion(name: &str) -> RhaiResult<usize> {
    Criterion::parse(name)
        .map(|c| c as usize)
        .ok_or_else(|| format!("unknown criterion `{name}`: expected C1, C2, C3, C4 or C5").into())
}

fn recommendation(name: &str) -> RhaiResult<Recommendation> {
    Recommendation::parse(name).ok_or_else(|| {
        format!("unknown recommendation `{name}`: expected outsource, partial, study or in_house")
            .into()
    })
}

fn build_engine(rules: &RuleSet, as_of: Date) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine
        .set_max_strings_interned(0)
        .disable_symbol("eval")
        .set_strict_variables(true)
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FN_EXPR_DEPTH)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_variables(MAX_VARIABLES)
        .set_max_functions(MAX_FUNCTIONS);
    // `print` and `debug` never reach standard output: while tracing they go into the trace, with the
    // line for `debug`; otherwise they are dropped.
    engine.on_print(|text| trace::print(None, text));
    engine.on_debug(|text, _, pos| trace::print(pos.line(), text));
    engine.on_progress(|ops| {
        if ops % CLOCK_EVERY == 0 {
            with_eval(|e| e.must_stop())
        } else {
            None
        }
    });

    let mut params = HashMap::new();
    for (name, p) in &rules.parameters.parameters {
        if let Some(v) = p.at(as_of) {
            params.insert(name.clone(), (to_dynamic(v.value), v.since));
        }
    }
    let lookup = Arc::new(Lookup {
        messages: rules.message_index.clone(),
        items: rules.item_index.clone(),
        item_mitigable: rules.items.iter().map(|i| i.mitigable).collect(),
        item_standard: rules.items.iter().map(|i| i.standard).collect(),
        message_keys: rules.messages.iter().map(|(k, _)| k.clone()).collect(),
        params,
        param_names: rules.parameters.parameters.keys().cloned().collect(),
        as_of,
    });

    // Operation fields, read-only. Enum values are shared strings, so reading them does not allocate.
    let names: Arc<HashMap<&'static str, ImmutableString>> = Arc::new(
        crate::catalog::all_enum_values()
            .iter()
            .map(|s| (*s, ImmutableString::from(*s)))
            .collect(),
    );
    engine.register_type_with_name::<OpHandle>("Operation");
    for &field in Field::ALL {
        let names = Arc::clone(&names);
        engine.register_get(field.name(), move |op: &mut OpHandle| {
            trace::read(field);
            field_dynamic(op.0.get(field), &names)
        });
    }

    // Facts and parameters.
    engine.register_fn("known", |x: Dynamic| !x.is_unit());
    let l = Arc::clone(&lookup);
    engine.register_fn("param", move |name: &str| -> RhaiResult<Dynamic> {
        match l.params.get(name) {
            Some((v, since)) => {
                trace::param(name, *since);
                Ok(v.clone())
            }
            None if l.param_names.iter().any(|n| n == name) => fail(format!(
                "parameter `{name}` has no value in force on {}",
                l.as_of
            )),
            None => {
                let hint = did_you_mean(name, l.param_names.iter().map(String::as_str))
                    .map(|s| format!(": did you mean `{s}`?"))
                    .unwrap_or_default();
                fail(format!("unknown parameter `{name}`{hint}"))
            }
        }
    });
    engine.register_fn("max_of", |a: Array| {
        a.iter().filter_map(number).fold(0.0_f64, f64::max)
    });
    engine.register_fn("sum_of", |a: Array| {
        a.iter().filter_map(number).sum::<f64>()
    });
    engine.register_fn("mean_of", |a: Array| {
        let n = a.len().max(1) as f64;
        a.iter().filter_map(number).sum::<f64>() / n
    });
    engine.register_fn("to_num", |x: Dynamic| number(&x).unwrap_or(0.0));

    // Criteria.
    for with_args in [false, true] {
        let l = Arc::clone(&lookup);
        let add = move |c: &str, n: i64, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let c = criterion(c)?;
            let reason = l.reason(key, args)?;
            with_eval(|e| e.add_points(c, n, reason))
        };
        if with_args {
            engine.register_fn("points", move |c: &str, n: i64, key: &str, args: Array| {
                add(c, n, key, &args)
            });
        } else {
            engine.register_fn("points", move |c: &str, n: i64, key: &str| {
                add(c, n, key, &[])
            });
        }
    }
    engine.register_fn("points_of", |c: &str| -> RhaiResult<i64> {
        let c = criterion(c)?;
        Ok(with_eval(|e| {
            e.points[c].clamp(0, i64::from(Criterion::MAX_POINTS))
        }))
    });
    engine.register_fn("total_points", || {
        with_eval(|e| {
            e.points
                .iter()
                .map(|p| (*p).clamp(0, i64::from(Criterion::MAX_POINTS)))
                .sum::<i64>()
        })
    });

    // Gate.
    for with_args in [false, true] {
        let l = Arc::clone(&lookup);
        let exclude = move |key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let reason = l.reason(key, args)?;
            with_eval(|e| e.add_exclusion(reason))
        };
        let l = Arc::clone(&lookup);
        let cap = move |level: &str, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let level = recommendation(level)?;
            let reason = l.reason(key, args)?;
            with_eval(|e| {
                e.admit("caps", 0, &reason)?;
                let rule = e.rule;
                if e.cap.as_ref().is_none_or(|(current, ..)| level < *current) {
                    e.cap = Some((level, rule, reason));
                }
                Ok(())
            })
        };
        let l = Arc::clone(&lookup);
        let note = move |key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let reason = l.reason(key, args)?;
            with_eval(|e| e.add_note(reason))
        };
        if with_args {
            engine.register_fn("exclude", move |key: &str, args: Array| exclude(key, &args));
            engine.register_fn("cap", move |level: &str, key: &str, args: Array| {
                cap(level, key, &args)
            });
            engine.register_fn("note", move |key: &str, args: Array| note(key, &args));
        } else {
            engine.register_fn("exclude", move |key: &str| exclude(key, &[]));
            engine.register_fn("cap", move |level: &str, key: &str| cap(level, key, &[]));
            engine.register_fn("note", move |key: &str| note(key, &[]));
        }
    }
    engine.register_fn("is_excluded", || with_eval(|e| !e.exclusions.is_empty()));
    engine.register_fn("cap_level", || {
        with_eval(|e| {
            e.cap.as_ref().map_or(Dynamic::UNIT, |(r, ..)| {
                Dynamic::from(ImmutableString::from(r.as_str()))
            })
        })
    });

    // Safeguards.
    let l = Arc::clone(&lookup);
    engine.register_fn("flag", move |id: &str, severity: &str| -> RhaiResult<()> {
        let item = l.item(id)?;
        if l.item_standard[item as usize] {
            return fail(format!(
                "`{id}` is a standard clause (standard: true in items.yaml): raise it with clause(\"{id}\"), which has no severity"
            ));
        }
        let Some(severity) = Severity::parse(severity) else {
            return fail(format!(
                "unknown severity `{severity}`: expected high, medium or low"
            ));
        };
        with_eval(|e| {
            let rule = e.rule;
            match e.checklist.iter_mut().find(|(i, ..)| *i == item) {
                Some(existing) if existing.1 < severity => *existing = (item, severity, rule),
                Some(_) => {}
                None => e.checklist.push((item, severity, rule)),
            }
        });
        Ok(())
    });
    let l = Arc::clone(&lookup);
    engine.register_fn("clause", move |id: &str| -> RhaiResult<()> {
        let item = l.item(id)?;
        if !l.item_standard[item as usize] {
            return fail(format!(
                "`{id}` is a risk item, not a standard clause: raise it with flag(\"{id}\", severity)"
            ));
        }
        with_eval(|e| {
            let rule = e.rule;
            if !e.clauses.iter().any(|(i, _)| *i == item) {
                e.clauses.push((item, rule));
            }
        });
        Ok(())
    });
    engine.register_fn("count_items", |severity: &str| -> RhaiResult<i64> {
        let Some(severity) = Severity::parse(severity) else {
            return fail(format!(
                "unknown severity `{severity}`: expected high, medium or low"
            ));
        };
        Ok(with_eval(|e| {
            e.checklist
                .iter()
                .filter(|(_, s, _)| *s == severity)
                .count() as i64
        }))
    });
    let l = Arc::clone(&lookup);
    engine.register_fn("unmitigable_high", move || {
        with_eval(|e| {
            e.checklist
                .iter()
                .filter(|(i, s, _)| *s == Severity::High && !l.item_mitigable[*i as usize])
                .count() as i64
        })
    });

    // Missing facts. `decisive` marks one that decided the outcome (never hidden, listed first).
    engine.register_fn("missing", |name: &str| -> RhaiResult<()> {
        let field = field_named(name)?;
        with_eval(|e| e.add_missing(field, false));
        Ok(())
    });
    engine.register_fn("decisive", |name: &str| -> RhaiResult<()> {
        let field = field_named(name)?;
        with_eval(|e| e.add_missing(field, true));
        Ok(())
    });

    // Consistency: facts that contradict each other.
    for with_args in [false, true] {
        let l = Arc::clone(&lookup);
        let contradiction = move |key: &str, fields: &Array, args: &[Dynamic]| -> RhaiResult<()> {
            let reason = l.reason(key, args)?;
            let mut named = Vec::with_capacity(fields.len());
            for f in fields {
                let name = f.clone().into_immutable_string().map_err(|t| {
                    format!("contradiction expects a list of field names, found a {t}")
                })?;
                named.push(field_named(&name)?);
            }
            with_eval(|e| {
                e.admit("contradictions", e.contradictions.len(), &reason)?;
                let rule = e.rule;
                e.contradictions.push((rule, named, reason));
                Ok(())
            })
        };
        if with_args {
            engine.register_fn(
                "contradiction",
                move |key: &str, fields: Array, args: Array| contradiction(key, &fields, &args),
            );
        } else {
            engine.register_fn("contradiction", move |key: &str, fields: Array| {
                contradiction(key, &fields, &[])
            });
        }
    }
    engine.register_fn("has_contradictions", || {
        with_eval(|e| !e.contradictions.is_empty())
    });
    engine.register_fn("missing_count", || with_eval(|e| e.missing.len() as i64));

    // Recommendation.
    engine.register_fn("recommend", |level: &str| -> RhaiResult<()> {
        let level = recommendation(level)?;
        with_eval(|e| e.recommendation = Some(level));
        Ok(())
    });
    engine.register_fn("free_fte", |x: Dynamic| -> RhaiResult<()> {
        match number(&x) {
            Some(v) if v.is_finite() => {
                with_eval(|e| e.freed_fte = Some(v));
                Ok(())
            }
            _ => fail(format!("free_fte expects a number, got {}", x.type_name())),
        }
    });
    engine.register_fn("proposal_call", || with_eval(|e| e.proposal_call = true));
    let _ = RuleKind::Gate;
    engine
}
