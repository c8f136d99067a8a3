//! The sandbox's bounds: what one rule, or all rules together, may spend on one operation. Both engines
//! (the interpreter in `runtime.rs`, the compiler in `compile.rs`) and the linter read them from here;
//! none keeps a copy.

/// Operations one rule may perform on one operation before it is halted (a loop of simple steps stops
/// here within milliseconds; steps that are slow in themselves are stopped by [`TIME_BUDGET`]).
pub const MAX_OPERATIONS: u64 = 100_000;
/// Nested function calls a script may make.
pub const MAX_CALL_LEVELS: usize = 16;
/// Nesting of expressions at the top level of a script, and inside its functions.
pub const MAX_EXPR_DEPTH: usize = 64;
pub const MAX_FN_EXPR_DEPTH: usize = 32;
/// Bytes of one string, items of one array, entries of one map a script may build.
pub const MAX_STRING_SIZE: usize = 4_096;
pub const MAX_ARRAY_SIZE: usize = 1_024;
pub const MAX_MAP_SIZE: usize = 256;
/// Variables and functions one script may declare.
pub const MAX_VARIABLES: usize = 256;
pub const MAX_FUNCTIONS: usize = 256;

/// Reasons (`points`), notes and exclusions the rules may record for one operation, each: a rule that
/// loops around `note(…)` fails instead of filling memory.
pub const MAX_ENTRIES: usize = 256;
/// Bytes of message arguments the rules may record for one operation, all kinds together.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Wall time all rules together may take on one operation. The operation limit counts steps, and some
/// steps (comparing two 1,000-item arrays) take far longer than others; this bounds the time itself.
pub const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);
/// Heap one rule may add while it runs on one operation (bytes allocated minus freed on its thread).
/// Counted only where the global allocator is `crate::heap::Counting` (the `itaku` binary): this is what
/// bounds a map grown by `m[key] = value`, which Rhai's own size limits do not.
pub const HEAP_BUDGET: usize = 64 * 1024 * 1024;

/// Interpreter operations between two looks at the clock (and at the heap).
pub const INTERPRETER_CLOCK_EVERY: u64 = 64;

/// Steps a compiled rule may take on one operation before it hands the operation to the interpreter
/// (which counts its own operations against [`MAX_OPERATIONS`] and reports a runaway loop where it is).
/// Well below that limit: a compiled step is never fewer Rhai operations than one.
pub const COMPILED_MAX_STEPS: u64 = MAX_OPERATIONS / 5;
/// Compiled steps between two looks at the clock (counted across rules).
pub const COMPILED_CLOCK_EVERY: u64 = 1024;
/// Variables and call depth a compiled rule keeps below the interpreter's limits ([`MAX_VARIABLES`],
/// [`MAX_CALL_LEVELS`]); beyond them the operation goes to the interpreter, which reports the limit.
pub const COMPILED_MAX_SLOTS: usize = 200;
pub const COMPILED_MAX_DEPTH: usize = 8;

/// The time and heap budgets of one evaluation ([`TIME_BUDGET`] and [`HEAP_BUDGET`] unless changed with
/// [`CompiledRules::with_budgets`](super::CompiledRules::with_budgets), e.g. by a test that needs one to
/// fire before the other).
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

// The compiler's own bounds must stay inside the interpreter's, or an operation the compiler accepts
// could fail differently on the interpreter (the oracle).
const _: () = assert!(COMPILED_MAX_SLOTS < MAX_VARIABLES && COMPILED_MAX_DEPTH < MAX_CALL_LEVELS);
