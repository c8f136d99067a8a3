//! What one evaluation did, rule by rule: the facts each rule read, the parameters it used (with the
//! date their value took effect), what it printed, and which part of each output it produced.
//!
//! Recording is switched on per thread and only for `explain`, `diff` and `coverage`; a plain `assess`
//! pays one thread-local flag check per registered call.

use std::cell::{Cell, RefCell};

use jiff::civil::Date;

pub use super::outcome::Produced;
use crate::catalog::Field;

thread_local! {
    static TRACING: Cell<bool> = const { Cell::new(false) };
    static TRACE: RefCell<Vec<RuleTrace>> = const { RefCell::new(Vec::new()) };
}

/// The trace of one operation's evaluation: one entry per rule, in the order the rules ran.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The engine that ran the traced evaluation: always the interpreter, the reference (a compiled
    /// rule records no trace), whatever `--engine` says.
    pub engine: super::outcome::EngineKind,
    pub rules: Vec<RuleTrace>,
}

/// A parameter a rule used: its name, and the date the value in force took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamUse {
    pub name: String,
    pub since: Date,
}

/// What one rule did.
#[derive(Debug, Clone, Default)]
pub struct RuleTrace {
    /// Index of the rule in the manifest.
    pub rule: u16,
    /// Facts read, each once, in the order first read.
    pub facts: Vec<Field>,
    pub params: Vec<ParamUse>,
    /// `print`/`debug` output: (line when known, text).
    pub prints: Vec<(Option<usize>, String)>,
    /// What the rule produced, as ranges into the evaluation's outputs.
    pub produced: Produced,
}

/// Whether this thread records a trace now (checked by every registered function).
pub(crate) fn tracing() -> bool {
    TRACING.with(Cell::get)
}

/// Starts recording on this thread.
pub(crate) fn start() {
    TRACE.with(|t| t.borrow_mut().clear());
    TRACING.with(|f| f.set(true));
}

/// Stops recording and returns what was recorded.
pub(crate) fn finish() -> Trace {
    TRACING.with(|f| f.set(false));
    Trace {
        engine: super::outcome::EngineKind::Interpreted,
        rules: TRACE.with(|t| std::mem::take(&mut *t.borrow_mut())),
    }
}

/// Opens the entry of the rule about to run.
pub(crate) fn begin_rule(rule: u16) {
    TRACE.with(|t| {
        t.borrow_mut().push(RuleTrace {
            rule,
            ..RuleTrace::default()
        })
    });
}

/// Closes the current rule's entry with what it produced.
pub(crate) fn end_rule(produced: Produced) {
    with_current(|r| r.produced = produced);
}

fn with_current(f: impl FnOnce(&mut RuleTrace)) {
    TRACE.with(|t| {
        if let Some(r) = t.borrow_mut().last_mut() {
            f(r);
        }
    });
}

/// Records a fact read (only while tracing).
pub(crate) fn read(field: Field) {
    if tracing() {
        with_current(|r| {
            if !r.facts.contains(&field) {
                r.facts.push(field);
            }
        });
    }
}

/// Records a parameter used (only while tracing).
pub(crate) fn param(name: &str, since: Date) {
    if tracing() {
        with_current(|r| {
            if !r.params.iter().any(|p| p.name == name) {
                r.params.push(ParamUse {
                    name: name.to_string(),
                    since,
                });
            }
        });
    }
}

/// Records `print`/`debug` output (only while tracing; otherwise it is dropped, never printed).
pub(crate) fn print(line: Option<usize>, text: &str) {
    if tracing() {
        with_current(|r| r.prints.push((line, text.to_string())));
    }
}
