//! What one evaluation did, rule by rule: the facts each rule read, the parameters it used (with the
//! date their value took effect), what it printed, and which part of each output it produced.
//!
//! Recording is switched on per thread and only for `explain`, `diff` and `coverage`; a plain `assess`
//! pays one thread-local flag check per registered call.

use std::cell::{Cell, RefCell};
use std::ops::Range;

use jiff::civil::Date;

use super::runtime::Evaluation;
use crate::catalog::Field;
use crate::model::Recommendation;

thread_local! {
    static TRACING: Cell<bool> = const { Cell::new(false) };
    static TRACE: RefCell<Vec<RuleTrace>> = const { RefCell::new(Vec::new()) };
}

/// The trace of one operation's evaluation: one entry per rule, in the order the rules ran.
#[derive(Debug, Clone, Default)]
pub struct Trace {
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

/// The outputs a rule produced: ranges into the [`Evaluation`] vectors, and changes of its scalars.
#[derive(Debug, Clone, Default)]
pub struct Produced {
    pub points: [i64; 5],
    pub reasons: [Range<usize>; 5],
    pub exclusions: Range<usize>,
    pub checklist: Range<usize>,
    pub clauses: Range<usize>,
    pub missing: Range<usize>,
    pub contradictions: Range<usize>,
    pub notes: Range<usize>,
    pub errors: Range<usize>,
    /// The cap it set (or tightened).
    pub cap: Option<Recommendation>,
    pub recommendation: Option<Recommendation>,
    pub freed_fte: Option<f64>,
    pub proposal_call: bool,
}

impl Produced {
    /// True when the rule produced nothing at all (it did not "fire").
    pub fn is_empty(&self) -> bool {
        self.points.iter().all(|p| *p == 0)
            && self.reasons.iter().all(|r| r.is_empty())
            && self.exclusions.is_empty()
            && self.checklist.is_empty()
            && self.clauses.is_empty()
            && self.missing.is_empty()
            && self.contradictions.is_empty()
            && self.notes.is_empty()
            && self.errors.is_empty()
            && self.cap.is_none()
            && self.recommendation.is_none()
            && self.freed_fte.is_none()
            && !self.proposal_call
    }
}

/// Lengths and scalars of an evaluation, taken before a rule runs.
pub(crate) struct Mark {
    points: [i64; 5],
    reasons: [usize; 5],
    exclusions: usize,
    checklist: usize,
    clauses: usize,
    missing: usize,
    contradictions: usize,
    notes: usize,
    errors: usize,
    cap: Option<Recommendation>,
    recommendation: Option<Recommendation>,
    freed_fte: Option<f64>,
    proposal_call: bool,
}

impl Mark {
    pub(crate) fn of(e: &Evaluation) -> Mark {
        Mark {
            points: e.points,
            reasons: std::array::from_fn(|i| e.reasons[i].len()),
            exclusions: e.exclusions.len(),
            checklist: e.checklist.len(),
            clauses: e.clauses.len(),
            missing: e.missing.len(),
            contradictions: e.contradictions.len(),
            notes: e.notes.len(),
            errors: e.errors.len(),
            cap: e.cap.as_ref().map(|c| c.0),
            recommendation: e.recommendation,
            freed_fte: e.freed_fte,
            proposal_call: e.proposal_call,
        }
    }

    /// What changed between this mark and `e`.
    pub(crate) fn produced(&self, e: &Evaluation) -> Produced {
        let cap = e.cap.as_ref().map(|c| c.0);
        Produced {
            points: std::array::from_fn(|i| e.points[i].saturating_sub(self.points[i])),
            reasons: std::array::from_fn(|i| self.reasons[i]..e.reasons[i].len()),
            exclusions: self.exclusions..e.exclusions.len(),
            checklist: self.checklist..e.checklist.len(),
            clauses: self.clauses..e.clauses.len(),
            missing: self.missing..e.missing.len(),
            contradictions: self.contradictions..e.contradictions.len(),
            notes: self.notes..e.notes.len(),
            errors: self.errors..e.errors.len(),
            cap: (cap != self.cap).then_some(cap).flatten(),
            recommendation: (e.recommendation != self.recommendation)
                .then_some(e.recommendation)
                .flatten(),
            freed_fte: (e.freed_fte != self.freed_fte)
                .then_some(e.freed_fte)
                .flatten(),
            proposal_call: e.proposal_call && !self.proposal_call,
        }
    }
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
