//! The rule engine: [`CompiledRules`], one rule set ready to evaluate operations for one `as_of` date,
//! with its two engines side by side — the rule compiler (`compile.rs`, the default) and the Rhai
//! interpreter (`runtime.rs`, the reference). Neither engine knows the other: this module picks, rule by
//! rule, which one runs, rolls a rule back when the compiled run stops short ([`Snapshot`]) and hands the
//! operation to the interpreter, which decides. Both write into one [`Evaluation`].
//!
//! Dependencies point one way: engine → {compile, runtime, lint, trace} → {outcome, budget, api}.

use std::sync::Arc;

use jiff::civil::Date;

use super::budget::Budgets;
use super::compile::{self, Bail, Compiled, Runner};
pub use super::outcome::EngineKind;
use super::outcome::{Evaluation, RuleError, Snapshot};
use super::runtime::Interpreter;
use super::{trace, RuleSet};
use crate::catalog::{FieldRef, Operation};
use crate::diag::Diagnostics;

/// A rule set compiled for one `as_of` date: shared by all threads.
pub struct CompiledRules {
    pub rules: Arc<RuleSet>,
    pub as_of: Date,
    interpreter: Interpreter,
    /// Rule indexes in execution order (by kind, then manifest order).
    order: Vec<usize>,
    budgets: Budgets,
    /// Each rule compiled to a tree, or why it runs on the interpreter (`compile.rs`).
    programs: Vec<Compiled>,
    engine_kind: EngineKind,
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

impl CompiledRules {
    /// Builds the sandboxed engine and compiles every script once. Reports every compile error.
    pub fn compile(rules: Arc<RuleSet>, as_of: Date) -> Result<CompiledRules, Diagnostics> {
        let interpreter = Interpreter::new(Arc::clone(&rules), as_of);
        let mut problems = Diagnostics::default();
        let mut asts = Vec::with_capacity(rules.scripts.len());
        for (i, file) in rules.scripts.iter().enumerate() {
            super::lint::check_script(&rules, i, file, &mut problems);
            match interpreter.compile_script(i) {
                Ok(ast) => asts.push(ast),
                Err(d) => problems.push(d),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut order: Vec<usize> = (0..rules.manifest.rules.len()).collect();
        order.sort_by_key(|&i| rules.manifest.rules[i].kind);
        let programs = asts
            .iter()
            .map(|ast| compile::compile(&rules, as_of, ast))
            .collect();
        Ok(CompiledRules {
            rules,
            as_of,
            interpreter: interpreter.with_asts(asts),
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
    /// `explain`, `diff` and `coverage`). The evaluation is the same as without the trace. A traced run
    /// is the interpreter's ([`Trace::engine`](trace::Trace::engine)).
    pub fn evaluate_traced(&self, op: &Arc<Operation>) -> (Evaluation, trace::Trace) {
        trace::start();
        let e = self.run(op, true);
        (e, trace::finish())
    }

    fn run(&self, op: &Arc<Operation>, traced: bool) -> Evaluation {
        // The evaluation lives here while the compiled rules run (they write to it directly), and is
        // lent to the interpreter while it runs a rule.
        let mut eval = Evaluation::start(&self.budgets);
        let mut session = self.interpreter.session(op, self.budgets);
        let mut snapshot = Snapshot::default();
        let mut timed_out = false;
        let mut clock_due = false;
        // What the compiled rules build (arrays, joined texts) lives here until the operation is done.
        let bump = bumpalo::Bump::new();
        let mut runner = None;
        for &i in &self.order {
            if traced {
                trace::begin_rule(i as u16);
            }
            eval.rule = i as u16;
            snapshot.save(&eval);
            eval.heap_start = crate::heap::thread_net_bytes();
            let program = match &self.programs[i] {
                Compiled::Tree(p) if !traced && self.engine_kind == EngineKind::Compiled => Some(p),
                _ => None,
            };
            // Compiled rules read the clock themselves as their steps add up (across rules, see
            // `compile::Runner`); it is read here before a rule the interpreter runs, and after one.
            if (program.is_none() || clock_due) && eval.out_of_time() {
                // The rule that used the time up has said so; a slow run of rules that each stayed
                // within it is named at the first rule that could not run.
                if !timed_out {
                    let error = RuleError::out_of_time(&self.rules, &self.budgets, i, 0, 0);
                    eval.errors.push(error);
                }
                break;
            }
            clock_due = false;
            if let Some(program) = program {
                let runner = runner
                    .get_or_insert_with(|| Runner::new(op, &self.rules, eval.deadline, &bump));
                match runner.run(program, &mut eval) {
                    Ok(()) => continue,
                    // The interpreter decides: it fails where the compiled rule might have.
                    Err(Bail) => snapshot.restore(&mut eval),
                }
            }
            clock_due = true;
            if let Err(failure) = session.run_rule(i, &mut eval) {
                timed_out |= failure.timed_out;
                snapshot.restore(&mut eval);
                eval.errors.push(failure.error);
            }
            if traced {
                trace::end_rule(snapshot.produced(&eval));
            }
        }
        // The facts the recommendation cannot do without are decisive whenever they are unknown.
        for &field in &self.rules.decisive_facts {
            if matches!(op.get(field), FieldRef::Missing) {
                eval.add_missing(field, true);
            }
        }
        eval
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
                Compiled::Tree(_) => RuleEngine::Compiled,
                Compiled::Interpreted { reason, line } => RuleEngine::Interpreted {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule API table (`api.rs`), which the linter, the compiler and the docs read, is exactly what
    /// the interpreter registers: a function added to one and not the other fails here.
    #[test]
    fn the_api_table_is_what_the_interpreter_registers() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules");
        let rules = Arc::new(RuleSet::load_dir(dir).expect("standard rules"));
        let compiled = CompiledRules::compile(rules, Date::constant(2026, 4, 1)).expect("compiles");
        let mut registered = compiled.interpreter.registered_functions();
        registered.sort();
        registered.dedup();
        // `op.<field>` is a property getter for every catalog field, and nothing else.
        let (getters, mut registered): (Vec<String>, Vec<String>) =
            registered.into_iter().partition(|f| f.starts_with("get$"));
        let mut fields: Vec<String> = crate::catalog::Field::NAMES
            .iter()
            .map(|n| format!("get${n}/1"))
            .collect();
        fields.sort();
        assert_eq!(getters, fields);
        registered.sort();
        let mut table: Vec<String> = super::super::api::API
            .iter()
            .flat_map(|f| f.arities.iter().map(move |n| format!("{}/{n}", f.name)))
            .collect();
        table.sort();
        assert_eq!(registered, table);
    }
}
