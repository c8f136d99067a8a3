//! What rules produce: the [`Outcome`] of all rules on one operation (comparable with `==`, so the two
//! engines can be held against each other), the [`Evaluation`] that builds it while they run (the outcome
//! plus the run's budgets), and the one [`Snapshot`] of an evaluation, taken before each rule: a failing
//! rule is rolled back to it, and a traced run reads from it what the rule [`Produced`].
//!
//! Both engines — the interpreter (`runtime.rs`) and the compiler (`compile.rs`) — write through the
//! methods here, so the bounds on what rules record are enforced once.

use std::ops::Range;

use super::budget::{Budgets, MAX_ENTRIES, MAX_TEXT_BYTES};
use crate::catalog::Field;
use crate::lang::Text;
use crate::method::Method;
use crate::model::{Recommendation, Severity};

/// Which engine evaluates the rules: the rule compiler (default; a rule it cannot compile, and any
/// operation on which a compiled rule could fail, runs on the interpreter) or the interpreter alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineKind {
    #[default]
    Compiled,
    Interpreted,
}

impl EngineKind {
    /// The name `--engine` takes and traces report.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Compiled => "compiled",
            EngineKind::Interpreted => "interpreted",
        }
    }
}

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

impl RuleError {
    /// A failure of rule `rule` (index into the manifest) at a script position.
    pub fn new(
        rules: &super::RuleSet,
        rule: usize,
        line: usize,
        column: usize,
        text: Text,
    ) -> Self {
        RuleError {
            rule: rule as u16,
            file: rules.scripts[rule].path.clone(),
            line,
            column,
            message: format!("{} / {}", text.en, text.ja),
            text,
        }
    }

    /// The rules used up the operation's time budget.
    pub fn out_of_time(
        rules: &super::RuleSet,
        budgets: &Budgets,
        rule: usize,
        line: usize,
        column: usize,
    ) -> Self {
        let ms = budgets.time.as_millis();
        Self::new(
            rules,
            rule,
            line,
            column,
            Text {
                en: format!("the rules exceeded the time budget of {ms} ms for one operation; the rules after this one were not run"),
                ja: format!("1業務あたりの実行時間の上限 {ms} ミリ秒を超えました (以降のルールは実行していません)"),
            },
        )
    }
}

/// A bound on what rules may record for one operation was reached (the rule fails with this message).
#[derive(Debug, Clone, PartialEq)]
pub struct Limit(pub String);

/// Everything the rules produced for one operation, before it is turned into an assessment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
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
    /// How well each method of delivery fits, by [`Method`] index (method rules, `fit`).
    pub method_points: [i64; Method::ALL.len()],
    /// Why a method fits or does not: (method, rule index, points given, reason).
    pub method_reasons: Vec<(Method, u16, i64, Reason)>,
    /// What would have to be true for a method: (method, rule index, condition).
    pub method_conditions: Vec<(Method, u16, Reason)>,
    pub errors: Vec<RuleError>,
}

/// An [`Outcome`] being built by the rules of one operation, with the state of the run: the rule that
/// is running and what is left of the operation's budgets. Reads and writes of the outcome go through
/// `Deref`.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub outcome: Outcome,
    /// The rule running now (index into the manifest).
    pub(super) rule: u16,
    /// Bytes of message arguments recorded so far (bounded by [`MAX_TEXT_BYTES`]).
    text_bytes: usize,
    /// When the operation's time budget runs out.
    pub(super) deadline: Option<std::time::Instant>,
    /// The thread's heap count when the running rule started.
    pub(super) heap_start: isize,
    /// The heap the running rule may add (see [`Budgets`]).
    pub(super) heap_budget: usize,
    /// Every cap a tighter one replaced, oldest first, so that a snapshot restores the cap by position
    /// instead of copying it before every rule.
    replaced_caps: Vec<Option<(Recommendation, u16, Reason)>>,
    /// Every checklist entry a higher severity replaced (its position and what it was), oldest first,
    /// for the same reason: a snapshot restores the checklist from its length and these.
    raised: Vec<(usize, (u32, Severity, u16))>,
}

impl std::ops::Deref for Evaluation {
    type Target = Outcome;
    fn deref(&self) -> &Outcome {
        &self.outcome
    }
}

impl std::ops::DerefMut for Evaluation {
    fn deref_mut(&mut self) -> &mut Outcome {
        &mut self.outcome
    }
}

impl Evaluation {
    /// An evaluation starting now under `budgets`.
    pub(super) fn start(budgets: &Budgets) -> Self {
        Evaluation {
            deadline: Some(std::time::Instant::now() + budgets.time),
            heap_budget: budgets.heap,
            outcome: Outcome {
                // Room for what the standard rules record on most operations, so that the lists are
                // allocated once instead of growing a rule at a time.
                checklist: Vec::with_capacity(32),
                clauses: Vec::with_capacity(16),
                missing: Vec::with_capacity(8),
                method_reasons: Vec::with_capacity(16),
                method_conditions: Vec::with_capacity(8),
                ..Outcome::default()
            },
            ..Evaluation::default()
        }
    }

    /// The outcome, the run's state dropped.
    pub fn into_outcome(self) -> Outcome {
        self.outcome
    }

    /// Counts a reason's text against the budget, or fails the rule.
    pub(super) fn admit(&mut self, what: &str, count: usize, reason: &Reason) -> Result<(), Limit> {
        if count >= MAX_ENTRIES {
            return Err(Limit(format!(
                "too many {what} for one operation (limit {MAX_ENTRIES}) / 1業務あたりの件数の上限 {MAX_ENTRIES} を超えました"
            )));
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
            return Err(Limit(format!(
                "message arguments exceed {MAX_TEXT_BYTES} bytes for one operation / 1業務あたりのメッセージ引数の上限 {MAX_TEXT_BYTES} バイトを超えました"
            )));
        }
        self.text_bytes += text;
        Ok(())
    }

    pub(super) fn add_points(&mut self, c: usize, n: i64, reason: Reason) -> Result<(), Limit> {
        let count = self.reasons.iter().map(Vec::len).sum();
        self.admit("reasons", count, &reason)?;
        // Saturating: a script passing i64::MAX twice must not crash the engine.
        self.points[c] = self.points[c].saturating_add(n);
        self.reasons[c].push(reason);
        Ok(())
    }

    pub(super) fn add_exclusion(&mut self, reason: Reason) -> Result<(), Limit> {
        self.admit("exclusions", self.exclusions.len(), &reason)?;
        let rule = self.rule;
        self.exclusions.push((rule, reason));
        Ok(())
    }

    pub(super) fn add_note(&mut self, reason: Reason) -> Result<(), Limit> {
        self.admit("notes", self.notes.len(), &reason)?;
        let rule = self.rule;
        self.notes.push((rule, reason));
        Ok(())
    }

    /// Limits the recommendation to `level` (a tighter cap than the current one replaces it).
    pub(super) fn add_cap(&mut self, level: Recommendation, reason: Reason) -> Result<(), Limit> {
        self.admit("caps", 0, &reason)?;
        let rule = self.rule;
        if self
            .cap
            .as_ref()
            .is_none_or(|(current, ..)| level < *current)
        {
            let before = self.outcome.cap.replace((level, rule, reason));
            self.replaced_caps.push(before);
        }
        Ok(())
    }

    /// Adds `n` points (may be negative) to how well `method` fits, with a reason.
    pub(super) fn add_fit(&mut self, method: Method, n: i64, reason: Reason) -> Result<(), Limit> {
        self.admit("method reasons", self.method_reasons.len(), &reason)?;
        let rule = self.rule;
        let p = &mut self.method_points[method as usize];
        *p = p.saturating_add(n);
        self.method_reasons.push((method, rule, n, reason));
        Ok(())
    }

    /// Records what would have to be true for `method`.
    pub(super) fn add_condition(&mut self, method: Method, reason: Reason) -> Result<(), Limit> {
        self.admit("method conditions", self.method_conditions.len(), &reason)?;
        let rule = self.rule;
        self.method_conditions.push((method, rule, reason));
        Ok(())
    }

    /// The recommendation as it stands, with the limits the engine will enforce (a cap, an exclusion,
    /// a contradiction): what the method rules, which run last, see.
    pub(super) fn standing_recommendation(&self) -> Option<Recommendation> {
        if !self.contradictions.is_empty() {
            return Some(Recommendation::Study);
        }
        if !self.exclusions.is_empty() {
            return Some(Recommendation::InHouse);
        }
        let r = self.recommendation?;
        Some(match &self.cap {
            Some((cap, ..)) => r.min(*cap),
            None => r,
        })
    }

    pub(super) fn add_contradiction(
        &mut self,
        fields: Vec<Field>,
        reason: Reason,
    ) -> Result<(), Limit> {
        self.admit("contradictions", self.contradictions.len(), &reason)?;
        let rule = self.rule;
        self.contradictions.push((rule, fields, reason));
        Ok(())
    }

    /// `flag`: records a checklist item, or raises its severity.
    pub(super) fn flag(&mut self, item: u32, severity: Severity) {
        let rule = self.rule;
        let list = &mut self.outcome.checklist;
        match list.iter().position(|(i, ..)| *i == item) {
            Some(at) if list[at].1 < severity => {
                self.raised.push((at, list[at]));
                list[at] = (item, severity, rule);
            }
            Some(_) => {}
            None => list.push((item, severity, rule)),
        }
    }

    pub(super) fn add_missing(&mut self, field: Field, decisive: bool) {
        if !self.missing.contains(&field) {
            self.missing.push(field);
        }
        if decisive && !self.decisive.contains(&field) {
            self.decisive.push(field);
        }
    }

    pub(super) fn out_of_time(&self) -> bool {
        self.deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
    }

    /// The heap the running rule has added beyond its budget, if it has.
    pub(super) fn over_heap(&self) -> bool {
        let grown = crate::heap::thread_net_bytes().wrapping_sub(self.heap_start);
        grown > self.heap_budget as isize
    }
}

/// What an evaluation held before a rule ran: lengths of its lists, its scalars, and the checklist
/// itself (copied because `flag` can raise the severity of an entry already there; it holds at most one
/// entry per checklist item). A rule that fails is rolled back to it ([`Snapshot::restore`]), so no half
/// of its output reaches the assessment; a traced run asks it what the rule [`Produced`].
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    points: [i64; 5],
    reasons: [usize; 5],
    exclusions: usize,
    /// The cap's level, and how many caps had been replaced (see [`Evaluation::replaced_caps`]).
    cap: Option<Recommendation>,
    caps_replaced: usize,
    /// The checklist's length, and how many entries had been raised (see [`Evaluation::raised`]).
    checklist: usize,
    raised: usize,
    missing: usize,
    decisive: usize,
    contradictions: usize,
    clauses: usize,
    recommendation: Option<Recommendation>,
    notes: usize,
    errors: usize,
    freed_fte: Option<f64>,
    proposal_call: bool,
    method_points: [i64; Method::ALL.len()],
    method_reasons: usize,
    method_conditions: usize,
    text_bytes: usize,
}

impl Snapshot {
    /// Takes `e`'s state into this snapshot (its checklist buffer reused).
    pub(super) fn save(&mut self, e: &Evaluation) {
        self.points = e.points;
        for (n, r) in self.reasons.iter_mut().zip(&e.reasons) {
            *n = r.len();
        }
        self.exclusions = e.exclusions.len();
        self.cap = e.cap.as_ref().map(|c| c.0);
        self.caps_replaced = e.replaced_caps.len();
        self.checklist = e.checklist.len();
        self.raised = e.raised.len();
        self.missing = e.missing.len();
        self.decisive = e.decisive.len();
        self.contradictions = e.contradictions.len();
        self.clauses = e.clauses.len();
        self.recommendation = e.recommendation;
        self.notes = e.notes.len();
        self.errors = e.errors.len();
        self.freed_fte = e.freed_fte;
        self.proposal_call = e.proposal_call;
        self.method_points = e.method_points;
        self.method_reasons = e.method_reasons.len();
        self.method_conditions = e.method_conditions.len();
        self.text_bytes = e.text_bytes;
    }

    /// Rolls `e` back to this snapshot (errors are kept: they are how a failed rule is reported).
    pub(super) fn restore(&self, e: &mut Evaluation) {
        e.points = self.points;
        for (r, n) in e.reasons.iter_mut().zip(self.reasons) {
            r.truncate(n);
        }
        e.exclusions.truncate(self.exclusions);
        if e.replaced_caps.len() > self.caps_replaced {
            e.outcome.cap = e.replaced_caps[self.caps_replaced].take();
            e.replaced_caps.truncate(self.caps_replaced);
        }
        for (at, before) in e.raised.drain(self.raised..).rev() {
            e.outcome.checklist[at] = before;
        }
        e.outcome.checklist.truncate(self.checklist);
        e.missing.truncate(self.missing);
        e.decisive.truncate(self.decisive);
        e.contradictions.truncate(self.contradictions);
        e.clauses.truncate(self.clauses);
        e.recommendation = self.recommendation;
        e.notes.truncate(self.notes);
        e.freed_fte = self.freed_fte;
        e.proposal_call = self.proposal_call;
        e.method_points = self.method_points;
        e.method_reasons.truncate(self.method_reasons);
        e.method_conditions.truncate(self.method_conditions);
        e.text_bytes = self.text_bytes;
    }

    /// What changed between this snapshot and `e`.
    pub(super) fn produced(&self, e: &Evaluation) -> Produced {
        let before = self.cap;
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
            cap: (cap != before).then_some(cap).flatten(),
            recommendation: (e.recommendation != self.recommendation)
                .then_some(e.recommendation)
                .flatten(),
            freed_fte: (e.freed_fte != self.freed_fte)
                .then_some(e.freed_fte)
                .flatten(),
            proposal_call: e.proposal_call && !self.proposal_call,
            method_reasons: self.method_reasons..e.method_reasons.len(),
            method_conditions: self.method_conditions..e.method_conditions.len(),
        }
    }
}

/// The outputs one rule produced: ranges into the [`Outcome`]'s lists, and changes of its scalars.
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
    /// Ranges into the outcome's `method_reasons` and `method_conditions`.
    pub method_reasons: Range<usize>,
    pub method_conditions: Range<usize>,
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
            && self.method_reasons.is_empty()
            && self.method_conditions.is_empty()
    }
}
