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

use super::budget::{
    Budgets, INTERPRETER_CLOCK_EVERY, MAX_ARRAY_SIZE, MAX_CALL_LEVELS, MAX_EXPR_DEPTH,
    MAX_FN_EXPR_DEPTH, MAX_FUNCTIONS, MAX_MAP_SIZE, MAX_OPERATIONS, MAX_STRING_SIZE, MAX_VARIABLES,
};
use super::outcome::{Arg, Evaluation, Limit, Reason, RuleError};
use super::{trace, ParamValue, RuleKind, RuleSet};
use crate::catalog::{Field, FieldRef, Operation};
use crate::diag::{Code, Diagnostic, Location};
use crate::lang::Text;
use crate::method::Method;
use crate::model::{Criterion, Recommendation, Severity};
use crate::suggest::did_you_mean;

thread_local! {
    static CURRENT: RefCell<Evaluation> = RefCell::new(Evaluation::default());
}

pub(super) fn with_eval<R>(f: impl FnOnce(&mut Evaluation) -> R) -> R {
    CURRENT.with(|c| f(&mut c.borrow_mut()))
}

/// The operation as scripts see it: `op.routine_share` etc.
#[derive(Clone)]
pub(super) struct OpHandle(pub(super) Arc<Operation>);

pub(super) type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

fn fail<T>(message: String) -> RhaiResult<T> {
    Err(message.into())
}

/// The interpreter of one rule set for one `as_of` date: the sandboxed engine and every script's AST,
/// shared by all threads, plus each worker thread's own copy.
pub(super) struct Interpreter {
    rules: Arc<RuleSet>,
    as_of: Date,
    engine: Engine,
    asts: Vec<AST>,
    /// Each worker thread's own engine and ASTs. Rhai values share strings by atomic reference counts
    /// (script literals, enum values, parameters); shared across threads, those counters bounce between
    /// cores on every read and two threads ran barely faster than one. Compiling is cheap (~3 ms).
    workers: thread_local::ThreadLocal<Option<(Engine, Vec<AST>)>>,
}

/// A rule the interpreter ran that failed, and whether it failed for the operation's time budget.
pub(super) struct Failure {
    pub error: RuleError,
    pub timed_out: bool,
}

impl Interpreter {
    /// The sandboxed engine for `rules` on `as_of`, with no script compiled yet.
    pub(super) fn new(rules: Arc<RuleSet>, as_of: Date) -> Self {
        let engine = build_engine(&rules, as_of);
        Interpreter {
            rules,
            as_of,
            engine,
            asts: Vec::new(),
            workers: thread_local::ThreadLocal::new(),
        }
    }

    /// Compiles script `i`, or says where it does not compile.
    pub(super) fn compile_script(&self, i: usize) -> Result<AST, Diagnostic> {
        let rules = &self.rules;
        let file = &rules.scripts[i];
        self.engine
            .compile_with_scope(&compile_scope(), &file.text)
            .map_err(|e| {
                let pos = e.position();
                Diagnostic::error(
                    Code::RulesCompile,
                    format!(
                        "ルール `{}` のスクリプトを解釈できません: {}",
                        rules.manifest.rules[i].id,
                        e.err_type()
                    ),
                    format!(
                        "rule `{}` does not compile: {}",
                        rules.manifest.rules[i].id,
                        e.err_type()
                    ),
                )
                .at(Location::new(
                    file,
                    pos.line().unwrap_or(1),
                    pos.position().unwrap_or(1),
                    1,
                ))
                .help(
                    "docs/rules.md のスクリプトAPIを参照してください (未定義の変数は使えません)",
                    "see the script API in docs/rules.md (undefined variables are errors)",
                )
            })
    }

    /// The interpreter with every script compiled (in manifest order).
    pub(super) fn with_asts(mut self, asts: Vec<AST>) -> Self {
        self.asts = asts;
        self
    }

    /// The functions the rule set's engine registers beyond Rhai's standard packages, as `name/arity`
    /// (for the test that holds the rule API table against them; Rhai lists them with its `metadata`
    /// feature, which only the core's tests enable).
    #[cfg(test)]
    pub(super) fn registered_functions(&self) -> Vec<String> {
        self.engine
            .gen_fn_signatures(false)
            .into_iter()
            .filter_map(|sig| {
                let (name, rest) = sig.split_once('(')?;
                let params = rest.split(')').next().unwrap_or("");
                let arity = if params.trim().is_empty() {
                    0
                } else {
                    params.split(',').count()
                };
                Some(format!("{name}/{arity}"))
            })
            .collect()
    }

    /// A session for one operation: `op` in the scope, made the first time a rule runs on it.
    pub(super) fn session<'a>(&'a self, op: &'a Arc<Operation>, budgets: Budgets) -> Session<'a> {
        Session {
            interpreter: self,
            op,
            budgets,
            scope: None,
        }
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

    fn describe_error(&self, budgets: &Budgets, rule: usize, err: &EvalAltResult) -> RuleError {
        let pos = err.position();
        let (line, column) = (pos.line().unwrap_or(0), pos.position().unwrap_or(0));
        if let EvalAltResult::ErrorTerminated(token, _) = err {
            if !is_heap(token) {
                return RuleError::out_of_time(&self.rules, budgets, rule, line, column);
            }
            let mib = budgets.heap >> 20;
            return RuleError::new(
                &self.rules,
                rule,
                line,
                column,
                Text {
                    en: format!("the rule used more than {mib} MiB of memory on one operation"),
                    ja: format!("1業務あたりのメモリ上限 {mib} MiB を超えました"),
                },
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
        RuleError::new(&self.rules, rule, line, column, Text { ja, en })
    }
}

/// The interpreter's state for one operation.
pub(super) struct Session<'a> {
    interpreter: &'a Interpreter,
    op: &'a Arc<Operation>,
    budgets: Budgets,
    scope: Option<Scope<'static>>,
}

impl Session<'_> {
    /// Runs rule `i` on the operation, writing into `eval`. On failure the caller rolls `eval` back.
    pub(super) fn run_rule(&mut self, i: usize, eval: &mut Evaluation) -> Result<(), Failure> {
        let interpreter = self.interpreter;
        // The thread's own engine, compiled the first time a rule runs on the interpreter (compiled
        // rules may never need it).
        let (engine, asts) = interpreter
            .workers
            .get_or(|| interpreter.compile_for_thread())
            .as_ref()
            .map_or((&interpreter.engine, &interpreter.asts), |(e, a)| (e, a));
        let op = self.op;
        let scope = self.scope.get_or_insert_with(|| {
            let mut scope = Scope::new();
            scope.push_constant("op", OpHandle(Arc::clone(op)));
            scope
        });
        // The evaluation is lent to the thread's slot while the rule runs, for the registered functions.
        with_eval(|e| std::mem::swap(e, eval));
        let result = engine.run_ast_with_scope(scope, &asts[i]);
        with_eval(|e| std::mem::swap(e, eval));
        scope.rewind(1);
        result.map_err(|err| Failure {
            timed_out: matches!(&*err, EvalAltResult::ErrorTerminated(t, _) if !is_heap(t)),
            error: interpreter.describe_error(&self.budgets, i, &err),
        })
    }
}

/// Why the running rule must stop now, if it must: `"time"` or `"heap"` (the token of Rhai's
/// `ErrorTerminated`, read back by `describe_error`).
fn must_stop(e: &Evaluation) -> Option<Dynamic> {
    if e.over_heap() {
        Some(Dynamic::from(ImmutableString::from("heap")))
    } else if e.out_of_time() {
        Some(Dynamic::from(ImmutableString::from("time")))
    } else {
        None
    }
}

impl From<Limit> for Box<EvalAltResult> {
    fn from(l: Limit) -> Self {
        l.0.into()
    }
}

/// True for the token of a rule stopped for its heap (see `Evaluation::must_stop`).
pub(super) fn is_heap(token: &Dynamic) -> bool {
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

pub(super) fn placeholder_operation() -> Operation {
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

pub(super) fn to_arg(d: &Dynamic) -> Arg {
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
    messages: foldhash::HashMap<String, u32>,
    items: foldhash::HashMap<String, u32>,
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

fn method(id: &str) -> RhaiResult<Method> {
    Method::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = Method::ALL.iter().map(|m| m.id()).collect();
        let hint = did_you_mean(id, ids.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        format!(
            "unknown method `{id}`{hint}: expected one of {}",
            ids.join(", ")
        )
        .into()
    })
}

pub(super) fn build_engine(rules: &RuleSet, as_of: Date) -> Engine {
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
        if ops % INTERPRETER_CLOCK_EVERY == 0 {
            with_eval(|e| must_stop(e))
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
            Ok(with_eval(|e| e.add_points(c, n, reason))?)
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
            Ok(with_eval(|e| e.add_exclusion(reason))?)
        };
        let l = Arc::clone(&lookup);
        let cap = move |level: &str, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let level = recommendation(level)?;
            let reason = l.reason(key, args)?;
            Ok(with_eval(|e| e.add_cap(level, reason))?)
        };
        let l = Arc::clone(&lookup);
        let note = move |key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let reason = l.reason(key, args)?;
            Ok(with_eval(|e| e.add_note(reason))?)
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
        with_eval(|e| e.flag(item, severity));
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
            Ok(with_eval(|e| e.add_contradiction(named, reason))?)
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

    // Methods of delivery (method rules).
    engine.register_fn("recommended", || {
        with_eval(|e| {
            e.standing_recommendation().map_or(Dynamic::UNIT, |r| {
                Dynamic::from(ImmutableString::from(r.as_str()))
            })
        })
    });
    let l = Arc::clone(&lookup);
    engine.register_fn("item_severity", move |id: &str| -> RhaiResult<Dynamic> {
        let item = l.item(id)?;
        Ok(with_eval(|e| {
            e.checklist
                .iter()
                .find(|(i, ..)| *i == item)
                .map_or(Dynamic::UNIT, |(_, s, _)| {
                    Dynamic::from(ImmutableString::from(s.as_str()))
                })
        }))
    });
    for with_args in [false, true] {
        let l = Arc::clone(&lookup);
        let fit = move |m: &str, n: i64, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let m = method(m)?;
            let reason = l.reason(key, args)?;
            Ok(with_eval(|e| e.add_fit(m, n, reason))?)
        };
        let l = Arc::clone(&lookup);
        let condition = move |m: &str, key: &str, args: &[Dynamic]| -> RhaiResult<()> {
            let m = method(m)?;
            let reason = l.reason(key, args)?;
            Ok(with_eval(|e| e.add_condition(m, reason))?)
        };
        if with_args {
            engine.register_fn("fit", move |m: &str, n: i64, key: &str, args: Array| {
                fit(m, n, key, &args)
            });
            engine.register_fn("condition", move |m: &str, key: &str, args: Array| {
                condition(m, key, &args)
            });
        } else {
            engine.register_fn("fit", move |m: &str, n: i64, key: &str| fit(m, n, key, &[]));
            engine.register_fn("condition", move |m: &str, key: &str| {
                condition(m, key, &[])
            });
        }
    }
    engine.register_fn("fit_of", |m: &str| -> RhaiResult<i64> {
        let m = method(m)?;
        Ok(with_eval(|e| e.method_points[m as usize]))
    });
    let _ = RuleKind::Gate;
    engine
}
