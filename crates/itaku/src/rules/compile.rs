//! The rule compiler: turns a rule's Rhai AST into a small typed tree that runs without Rhai, with the
//! interpreter (`runtime.rs`) as its oracle.
//!
//! At load each rule's AST (the very tree the interpreter runs, parsed by the same sandboxed engine) is
//! walked once: variables become stack slots, `op.<field>` a direct read of the [`Operation`], `param("…")`
//! the value in force on the `as_of` date, literal message keys and checklist items their indexes, and the
//! script API a direct call. A construct the compiler does not know makes the whole rule run on the
//! interpreter ([`Compiled::Interpreted`] with the reason, shown by `itaku rules`).
//!
//! Rhai's semantics are the specification, and errors are never invented here: whenever the compiled rule
//! meets a case where the interpreter could fail (a type it has no operator for, an overflow, a size or
//! operation limit, a failing API call, `throw`), it stops with [`Bail`]; the runtime then rolls the rule's
//! output back and runs that rule on the interpreter, which produces the exact located error (or the same
//! result). So the compiled tree can only do what the interpreter would have done, and never more than the
//! script API allows: it has no other calls.

use bumpalo::Bump;
use rhai::{Dynamic, Expr, FnCallExpr, Stmt, StmtBlock, AST};

use super::budget::{
    COMPILED_CLOCK_EVERY as CLOCK_EVERY, COMPILED_MAX_DEPTH as MAX_DEPTH,
    COMPILED_MAX_SLOTS as MAX_SLOTS, COMPILED_MAX_STEPS as MAX_STEPS, MAX_ARRAY_SIZE as MAX_ARRAY,
    MAX_STRING_SIZE as MAX_STRING,
};
use super::outcome::{Arg, Evaluation, Limit, Reason};
use super::{ParamValue, RuleSet};
use crate::catalog::{Field, FieldKind, FieldSlot, Operation};
use crate::method::Method;
use crate::model::{Criterion, Recommendation, Severity};

/// A rule as the runtime runs it.
pub enum Compiled {
    /// Compiled to a tree (runs without Rhai unless it bails).
    Tree(Program),
    /// Runs on the interpreter: the construct the compiler does not support, and its line.
    Interpreted { reason: String, line: usize },
}

/// One compiled rule.
pub struct Program {
    body: Block,
    fns: Vec<FnDef>,
}

struct FnDef {
    body: Block,
}

struct Block {
    /// Each statement with its weight: one step plus one per expression node it evaluates at most
    /// (nested blocks count their own), so that the step count never falls below Rhai's count.
    stmts: Vec<(u64, S)>,
    /// Frame slots in use when the block starts (its variables are dropped at its end).
    scope: usize,
}

enum S {
    Let(usize, E),
    Assign(usize, E),
    OpAssign(usize, Bin, E),
    Expr(E),
    /// The condition, and the blocks run when it holds and when it does not (boxed, as are the loops,
    /// so that a statement stays small: a block's statements are read one after the other).
    If(E, Box<[Block; 2]>),
    For(Box<ForLoop>),
    While(Box<(Option<E>, Block, u64)>),
    Return(Option<E>),
    Break,
    Continue,
    Block(Block),
    Bail,
}

struct ForLoop {
    var: usize,
    counter: Option<usize>,
    iter: Iter,
    body: Block,
}

enum Iter {
    Array(E),
    Range(E, E, bool),
}

enum E {
    Const(Const),
    Var(usize),
    Field(Field),
    Array(Vec<E>),
    Bin(Bin, Box<E>, Box<E>),
    /// `e == ()` (or `!=` when the flag is set): true exactly when `e` is `()`, whatever its type.
    IsUnit(Box<E>, bool),
    /// `e == "literal"` (or `!=`): a value of another type is simply unequal.
    EqStr(Box<E>, Box<str>, bool),
    /// The commonest conditions, answered where a condition is tested without a call (see
    /// [`Machine::test`]): `variable == ()` (or `!=`) ...
    VarIsUnit(usize, bool),
    /// ... `op.field == ()` (or `!=`) ...
    FieldIsUnit(Field, bool),
    /// ... `variable == "literal"` (or `!=`) ...
    VarEqStr(usize, Box<str>, bool),
    /// ... and `variable <op> number`, a comparison with an integer or a float literal.
    VarCmpInt(Bin, u32, i64),
    VarCmpFloat(Bin, u32, f64),
    /// `op.field == "literal"` for an enumerated field: the literal resolved at compile time to the
    /// position of the field's value (none when it is not one of them: never equal).
    EnumEq(Field, Option<usize>, bool),
    Not(Box<E>),
    Neg(Box<E>),
    And(Vec<E>),
    Or(Vec<E>),
    Block(Block),
    Call(usize, Vec<E>),
    Api(Api, Box<[E]>),
    Len(Box<E>),
    Contains(Box<E>, Box<E>),
    Reduce(Box<E>, Box<E>),
    Push(usize, Box<E>),
    /// `flag("item", "severity")` with both literal, checked at compile time (a standard clause item or
    /// an unknown severity stays an [`E::Api`] call, which bails).
    FlagConst(u32, Severity),
    /// `flag("item", severity)` with a literal item that is not a standard clause and a computed
    /// severity (which must be a severity's name, or the call bails).
    FlagWith(u32, Box<E>),
    /// `if cond { a } else { b }` with two literals, and the steps of the block it stands for.
    Select(Box<(E, Const, Const)>, u64),
    /// `clause("item")` with a literal standard item.
    ClauseConst(u32),
    /// `missing("field")` or `decisive("field")` (when set) with a literal field name.
    MissingConst(Field, bool),
    /// `points`, `fit`, `condition` or `note` with literal arguments (criterion or method, points and
    /// message key) and the message arguments, if any, as a literal list.
    Record(Box<Record>),
    /// `item_severity("item")`, `fit_of("method")` and `points_of("C…")` with a literal argument.
    ItemSeverityConst(u32),
    FitOfConst(Method),
    PointsOfConst(usize),
    Bail,
}

/// An [`E::Record`]: what is recorded, the message, and the items of its literal list of arguments.
struct Record {
    what: Recorded,
    message: u32,
    args: Option<Box<[E]>>,
    /// [`nodes`] of the call this stands for, less one.
    nodes: u64,
}

#[derive(Clone, Copy)]
enum Recorded {
    Points(usize, i64),
    Fit(Method, i64),
    Condition(Method),
    Note,
}

#[derive(Debug, Clone)]
enum Const {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    Array(Vec<Const>),
    /// A function pointer: the index of the script function of that name with two parameters (the
    /// only kind `reduce` calls here).
    Fn(Option<usize>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bin {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// The script API (`runtime.rs` registers the same functions for the interpreter). `Option<u32>`: the
/// message key or checklist item resolved at compile time from a literal (else looked up when called).
#[derive(Clone, Copy)]
enum Api {
    Known,
    MaxOf,
    SumOf,
    MeanOf,
    ToNum,
    Points(Option<u32>),
    PointsOf,
    TotalPoints,
    Exclude(Option<u32>),
    Cap(Option<u32>),
    Note(Option<u32>),
    IsExcluded,
    CapLevel,
    Flag(Option<u32>),
    Clause(Option<u32>),
    CountItems,
    UnmitigableHigh,
    Missing,
    Decisive,
    Contradiction(Option<u32>),
    HasContradictions,
    MissingCount,
    Recommend,
    FreeFte,
    ProposalCall,
    Recommended,
    ItemSeverity(Option<u32>),
    Fit(Option<u32>),
    FitOf,
    Condition(Option<u32>),
}

/// The API functions with the numbers of arguments registered for each, and the argument that names a
/// message (`M`) or checklist item (`I`).
fn api(name: &str, n: usize) -> Option<(Api, Option<(usize, bool)>)> {
    // Arities and the position of a literal message key or item come from the one API table.
    let function = super::api::lookup(name, n)?;
    let api = match function.name {
        "known" => Api::Known,
        "max_of" => Api::MaxOf,
        "sum_of" => Api::SumOf,
        "mean_of" => Api::MeanOf,
        "to_num" => Api::ToNum,
        "points" => Api::Points(None),
        "points_of" => Api::PointsOf,
        "total_points" => Api::TotalPoints,
        "exclude" => Api::Exclude(None),
        "cap" => Api::Cap(None),
        "note" => Api::Note(None),
        "is_excluded" => Api::IsExcluded,
        "cap_level" => Api::CapLevel,
        "flag" => Api::Flag(None),
        "clause" => Api::Clause(None),
        "count_items" => Api::CountItems,
        "unmitigable_high" => Api::UnmitigableHigh,
        "missing" => Api::Missing,
        "decisive" => Api::Decisive,
        "contradiction" => Api::Contradiction(None),
        "has_contradictions" => Api::HasContradictions,
        "missing_count" => Api::MissingCount,
        "recommend" => Api::Recommend,
        "free_fte" => Api::FreeFte,
        "proposal_call" => Api::ProposalCall,
        "recommended" => Api::Recommended,
        "item_severity" => Api::ItemSeverity(None),
        "fit" => Api::Fit(None),
        "fit_of" => Api::FitOf,
        "condition" => Api::Condition(None),
        // `param` is resolved when the rules compile (its value is a constant for the date).
        _ => return None,
    };
    Some((api, function.key()))
}

/// The arguments before the list of message arguments.
fn message_args(api: Api) -> usize {
    match api {
        Api::Points(_) | Api::Fit(_) => 3,
        Api::Cap(_) | Api::Contradiction(_) | Api::Condition(_) => 2,
        _ => 1,
    }
}

fn with_key(api: Api, key: u32) -> Api {
    match api {
        Api::Points(_) => Api::Points(Some(key)),
        Api::Exclude(_) => Api::Exclude(Some(key)),
        Api::Cap(_) => Api::Cap(Some(key)),
        Api::Note(_) => Api::Note(Some(key)),
        Api::Flag(_) => Api::Flag(Some(key)),
        Api::Clause(_) => Api::Clause(Some(key)),
        Api::Contradiction(_) => Api::Contradiction(Some(key)),
        Api::ItemSeverity(_) => Api::ItemSeverity(Some(key)),
        Api::Fit(_) => Api::Fit(Some(key)),
        Api::Condition(_) => Api::Condition(Some(key)),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------------
// Compiling

/// Why a rule is not compiled: the construct and its line.
struct Unsupported(String, usize);

type CResult<T> = Result<T, Unsupported>;

fn unsupported<T>(what: impl Into<String>, pos: rhai::Position) -> CResult<T> {
    Err(Unsupported(what.into(), pos.line().unwrap_or(0)))
}

struct Compiler<'r> {
    rules: &'r RuleSet,
    as_of: jiff::civil::Date,
    /// Script functions: (name, number of parameters).
    fns: Vec<(String, usize)>,
    /// Variables of the frame being compiled: (name, constant).
    names: Vec<(String, bool)>,
    in_fn: bool,
}

/// Compiles one rule's AST (as compiled by the interpreter's engine) for the `as_of` date.
pub fn compile(rules: &RuleSet, as_of: jiff::civil::Date, ast: &AST) -> Compiled {
    match compile_program(rules, as_of, ast) {
        Ok(p) => Compiled::Tree(p),
        Err(Unsupported(reason, line)) => Compiled::Interpreted { reason, line },
    }
}

fn compile_program(rules: &RuleSet, as_of: jiff::civil::Date, ast: &AST) -> CResult<Program> {
    let defs: Vec<_> = ast
        .shared_lib()
        .iter_script_fn_info()
        .map(|(_, _, name, arity, def)| (name.to_string(), arity, def.clone()))
        .collect();
    let mut c = Compiler {
        rules,
        as_of,
        fns: defs.iter().map(|(n, a, _)| (n.clone(), *a)).collect(),
        names: Vec::new(),
        in_fn: false,
    };
    let mut fns = Vec::with_capacity(defs.len());
    let bodies = function_bodies(&defs);
    for ((_, _, def), body) in defs.iter().zip(bodies) {
        c.in_fn = true;
        c.names = def.params.iter().map(|p| (p.to_string(), false)).collect();
        let body = c.block(&body)?;
        fns.push(FnDef { body });
    }
    c.in_fn = false;
    c.names.clear();
    let body = c.block(ast.statements())?;
    Ok(Program { body, fns })
}

type FnDefs = [(String, usize, rhai::Shared<rhai::ScriptFuncDef>)];

/// The statements of each script function, in `defs` order. Their payload type is not public: the walk
/// over an AST holding only that function yields them, at depth one.
fn function_bodies(defs: &FnDefs) -> Vec<Vec<Stmt>> {
    defs.iter()
        .map(|(_, _, def)| {
            let mut lib = rhai::Module::new();
            lib.set_script_fn(def.clone());
            let only = AST::new([], lib);
            let mut body = Vec::new();
            only.walk(&mut |path: &[rhai::ASTNode]| {
                if let [rhai::ASTNode::Stmt(s)] = path {
                    body.push((*s).clone());
                }
                true
            });
            body
        })
        .collect()
}

impl Compiler<'_> {
    fn lookup(&self, name: &str) -> Option<(usize, bool)> {
        self.names
            .iter()
            .rposition(|(n, _)| n == name)
            .map(|i| (i, self.names[i].1))
    }

    fn declare(&mut self, name: &str, constant: bool) -> usize {
        self.names.push((name.to_string(), constant));
        self.names.len() - 1
    }

    fn block(&mut self, stmts: &[Stmt]) -> CResult<Block> {
        let scope = self.names.len();
        let stmts = stmts
            .iter()
            .map(|s| self.stmt(s).map(|s| (weight(&s), s)))
            .collect::<CResult<Vec<_>>>();
        self.names.truncate(scope);
        Ok(Block {
            stmts: stmts?,
            scope,
        })
    }

    fn sub_block(&mut self, b: &StmtBlock) -> CResult<Block> {
        self.block(b.statements())
    }

    fn stmt(&mut self, s: &Stmt) -> CResult<S> {
        Ok(match s {
            Stmt::Noop(_) => S::Block(Block {
                stmts: Vec::new(),
                scope: self.names.len(),
            }),
            Stmt::Var(x, flags, _) => {
                let value = self.expr(&x.1)?;
                let constant = flags.intersects(rhai::ASTFlags::CONSTANT);
                let slot = self.declare(&x.0.name, constant);
                S::Let(slot, value)
            }
            Stmt::Assignment(x) => {
                let (op, bin) = &**x;
                let Expr::Variable(var, _, pos) = &bin.lhs else {
                    return unsupported(
                        "assignment to something other than a variable",
                        bin.lhs.position(),
                    );
                };
                let Some((slot, constant)) = self.lookup(&var.1) else {
                    return unsupported(format!("assignment to `{}`", var.1), *pos);
                };
                if constant {
                    return unsupported(format!("assignment to the constant `{}`", var.1), *pos);
                }
                let value = self.expr(&bin.rhs)?;
                match op.get_op_assignment_info() {
                    None => S::Assign(slot, value),
                    Some((.., syntax)) => match bin_op(syntax) {
                        Some(b) if !is_comparison(b) => S::OpAssign(slot, b, value),
                        _ => return unsupported(format!("`{syntax}=`"), *pos),
                    },
                }
            }
            Stmt::Expr(e) => S::Expr(self.expr(e)?),
            Stmt::FnCall(call, pos) => S::Expr(self.call(call, *pos)?),
            Stmt::Block(b) => S::Block(self.sub_block(b)?),
            Stmt::If(x, _) => {
                let cond = self.expr(&x.expr)?;
                let body = self.sub_block(&x.body)?;
                let branch = self.sub_block(&x.branch)?;
                S::If(cond, Box::new([body, branch]))
            }
            Stmt::While(x, _) => {
                let cond = match &x.expr {
                    Expr::Unit(_) => None,
                    e => Some(self.expr(e)?),
                };
                let w = cond.as_ref().map_or(0, nodes);
                S::While(Box::new((cond, self.sub_block(&x.body)?, w)))
            }
            Stmt::For(x, pos) => {
                let (var, counter, flow) = &**x;
                let iter = match &flow.expr {
                    Expr::FnCall(call, _)
                        if call.op_token.is_some()
                            && matches!(call.name.as_str(), ".." | "..=")
                            && call.args.len() == 2 =>
                    {
                        Iter::Range(
                            self.expr(&call.args[0])?,
                            self.expr(&call.args[1])?,
                            call.name.as_str() == "..=",
                        )
                    }
                    // A range of literals, folded by Rhai's optimiser.
                    Expr::DynamicConstant(d, _)
                        if d.is::<std::ops::Range<i64>>()
                            || d.is::<std::ops::RangeInclusive<i64>>() =>
                    {
                        let int = |i| E::Const(Const::Int(i));
                        if let Some(r) = d.clone().try_cast::<std::ops::Range<i64>>() {
                            Iter::Range(int(r.start), int(r.end), false)
                        } else if let Some(r) =
                            d.clone().try_cast::<std::ops::RangeInclusive<i64>>()
                        {
                            Iter::Range(int(*r.start()), int(*r.end()), true)
                        } else {
                            return unsupported("a range", flow.expr.position());
                        }
                    }
                    e => Iter::Array(self.expr(e)?),
                };
                let scope = self.names.len();
                let counter = counter.as_ref().map(|c| self.declare(&c.name, false));
                let var = self.declare(&var.name, false);
                let body = self.sub_block(&flow.body);
                self.names.truncate(scope);
                let _ = pos;
                S::For(Box::new(ForLoop {
                    var,
                    counter,
                    iter,
                    body: body?,
                }))
            }
            Stmt::BreakLoop(value, flags, pos) => {
                if value.is_some() {
                    return unsupported("`break` with a value", *pos);
                }
                if flags.intersects(rhai::ASTFlags::BREAK) {
                    S::Break
                } else {
                    S::Continue
                }
            }
            Stmt::Return(value, flags, _) => {
                if flags.intersects(rhai::ASTFlags::BREAK) {
                    // `throw`: always an error, which the interpreter reports.
                    S::Bail
                } else {
                    S::Return(value.as_ref().map(|e| self.expr(e)).transpose()?)
                }
            }
            other => return unsupported(stmt_name(other), other.position()),
        })
    }

    fn expr(&mut self, e: &Expr) -> CResult<E> {
        Ok(match e {
            Expr::DynamicConstant(d, pos) => match self.constant(d) {
                Some(c) => E::Const(c),
                None => return unsupported(format!("a constant of type {}", d.type_name()), *pos),
            },
            Expr::BoolConstant(b, _) => E::Const(Const::Bool(*b)),
            Expr::IntegerConstant(i, _) => E::Const(Const::Int(*i)),
            Expr::FloatConstant(f, _) => E::Const(Const::Float(**f)),
            Expr::StringConstant(s, _) => E::Const(Const::Str(s.as_str().into())),
            Expr::Unit(_) => E::Const(Const::Unit),
            Expr::Array(items, _) => E::Array(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<CResult<Vec<_>>>()?,
            ),
            Expr::Variable(var, _, pos) => match self.lookup(&var.1) {
                Some((slot, _)) => E::Var(slot),
                None => {
                    return unsupported(format!("the variable `{}` used as a value", var.1), *pos)
                }
            },
            Expr::Stmt(block) => select(self.sub_block(block)?),
            Expr::FnCall(call, pos) => self.call(call, *pos)?,
            Expr::Dot(x, flags, pos) => {
                if flags.intersects(rhai::ASTFlags::NEGATED) {
                    return unsupported("`?.`", *pos);
                }
                let base = match &x.lhs {
                    Expr::Variable(var, ..)
                        if var.1.as_str() == "op" && !self.in_fn && self.lookup("op").is_none() =>
                    {
                        Base::Op
                    }
                    other => Base::Value(self.expr(other)?),
                };
                self.chain(base, &x.rhs)?
            }
            Expr::And(list, _) => E::And(
                list.iter()
                    .map(|i| self.expr(i))
                    .collect::<CResult<Vec<_>>>()?,
            ),
            Expr::Or(list, _) => E::Or(
                list.iter()
                    .map(|i| self.expr(i))
                    .collect::<CResult<Vec<_>>>()?,
            ),
            other => return unsupported(expr_name(other), other.position()),
        })
    }

    /// `base.rhs`, where `rhs` is a property, a method call or a further chain.
    fn chain(&mut self, base: Base, rhs: &Expr) -> CResult<E> {
        match (base, rhs) {
            (base, Expr::Dot(x, flags, pos)) => {
                if flags.intersects(rhai::ASTFlags::NEGATED) {
                    return unsupported("`?.`", *pos);
                }
                let value = self.chain(base, &x.lhs)?;
                self.chain(Base::Value(value), &x.rhs)
            }
            (Base::Op, Expr::Property(p, _)) => Ok(match Field::from_name(p.2.as_str()) {
                Some(field) => E::Field(field),
                // A misspelt field: the interpreter reports it, located.
                None => E::Bail,
            }),
            (Base::Value(obj), Expr::MethodCall(call, pos)) => {
                if self.fns.iter().any(|(n, _)| n == call.name.as_str()) {
                    return unsupported(
                        format!("the method `{}` defined by the script", call.name),
                        *pos,
                    );
                }
                let mut args = call
                    .args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<CResult<Vec<_>>>()?;
                match (call.name.as_str(), args.len()) {
                    ("len", 0) => Ok(E::Len(Box::new(obj))),
                    ("contains", 1) => Ok(E::Contains(Box::new(obj), Box::new(args.remove(0)))),
                    ("reduce", 1) => Ok(E::Reduce(Box::new(obj), Box::new(args.remove(0)))),
                    ("push", 1) => match obj {
                        E::Var(slot) if !self.names[slot].1 => {
                            Ok(E::Push(slot, Box::new(args.remove(0))))
                        }
                        _ => unsupported("`push` on something other than a variable", *pos),
                    },
                    (name, n) => {
                        unsupported(format!("the method `{name}` with {n} arguments"), *pos)
                    }
                }
            }
            (_, other) => unsupported(format!("{} after `.`", expr_name(other)), other.position()),
        }
    }

    fn call(&mut self, call: &FnCallExpr, pos: rhai::Position) -> CResult<E> {
        if call.capture_parent_scope {
            return unsupported("a call capturing the scope (`!`)", pos);
        }
        let name = call.name.as_str();
        let n = call.args.len();
        if call.op_token.is_some() {
            return match (name, n) {
                ("!", 1) => Ok(E::Not(Box::new(self.expr(&call.args[0])?))),
                ("-", 1) => Ok(E::Neg(Box::new(self.expr(&call.args[0])?))),
                (op, 2) => match bin_op(op) {
                    Some(b) => Ok(fuse(
                        b,
                        self.expr(&call.args[0])?,
                        self.expr(&call.args[1])?,
                    )),
                    None => unsupported(format!("the operator `{op}`"), pos),
                },
                (op, _) => unsupported(format!("the operator `{op}`"), pos),
            };
        }
        if let Some(i) = self.fns.iter().position(|(f, a)| f == name && *a == n) {
            let args = call
                .args
                .iter()
                .map(|a| self.expr(a))
                .collect::<CResult<Vec<_>>>()?;
            return Ok(E::Call(i, args));
        }
        if name == "param" && n == 1 {
            let Expr::StringConstant(key, _) = &call.args[0] else {
                return unsupported("`param` with a computed name", pos);
            };
            return Ok(match self.param(key) {
                Some(c) => E::Const(c),
                // Unknown, or no value in force: the interpreter says which, located.
                None => E::Bail,
            });
        }
        if let Some((mut f, key)) = api(name, n) {
            if let Some((at, message)) = key {
                if let Expr::StringConstant(k, _) = &call.args[at] {
                    let index = if message {
                        self.rules.message_index.get(k.as_str())
                    } else {
                        self.rules.item_index.get(k.as_str())
                    };
                    match index {
                        Some(&i) => f = with_key(f, i),
                        None => return Ok(E::Bail),
                    }
                }
            }
            let args = call
                .args
                .iter()
                .map(|a| self.expr(a))
                .collect::<CResult<Vec<_>>>()?;
            if let Some(fixed) = self.fixed_call(f, &args) {
                return Ok(fixed);
            }
            let args = match record(f, args) {
                Ok(recorded) => return Ok(recorded),
                Err(args) => args,
            };
            // `flag("item", <severity computed>)`: the item checked now, the severity when it runs.
            if let (Api::Flag(Some(item)), [_, _]) = (f, &args[..]) {
                if self
                    .rules
                    .items
                    .get(item as usize)
                    .is_some_and(|i| !i.standard)
                {
                    let severity = args.into_iter().nth(1).expect("two arguments");
                    return Ok(E::FlagWith(item, Box::new(severity)));
                }
            }
            return Ok(E::Api(f, args.into_boxed_slice()));
        }
        match (name, n) {
            ("len", 1) => Ok(E::Len(Box::new(self.expr(&call.args[0])?))),
            ("contains", 2) => Ok(E::Contains(
                Box::new(self.expr(&call.args[0])?),
                Box::new(self.expr(&call.args[1])?),
            )),
            ("reduce", 2) => Ok(E::Reduce(
                Box::new(self.expr(&call.args[0])?),
                Box::new(self.expr(&call.args[1])?),
            )),
            _ => unsupported(format!("the function `{name}` with {n} arguments"), pos),
        }
    }

    /// An API call whose literal arguments are all checked now, where the call cannot fail.
    fn fixed_call(&self, f: Api, args: &[E]) -> Option<E> {
        match (f, args) {
            (Api::Flag(Some(item)), [_, severity]) => {
                let severity = Severity::parse(&literal_text(severity)?)?;
                (!self.rules.items.get(item as usize)?.standard)
                    .then_some(E::FlagConst(item, severity))
            }
            (Api::Clause(Some(item)), [_]) => self
                .rules
                .items
                .get(item as usize)?
                .standard
                .then_some(E::ClauseConst(item)),
            (Api::Missing | Api::Decisive, [name]) => Some(E::MissingConst(
                Field::from_name(&literal_text(name)?)?,
                matches!(f, Api::Decisive),
            )),
            (Api::ItemSeverity(Some(item)), [E::Const(Const::Str(_))]) => {
                Some(E::ItemSeverityConst(item))
            }
            (Api::FitOf, [m]) => Some(E::FitOfConst(Method::from_id(&literal_text(m)?)?)),
            (Api::PointsOf, [c]) => Some(E::PointsOfConst(
                Criterion::parse(&literal_text(c)?)? as usize
            )),
            _ => None,
        }
    }

    fn param(&self, name: &str) -> Option<Const> {
        let p = self.rules.parameters.parameters.get(name)?;
        let c = param_const(p.at(self.as_of)?.value);
        (check_const(&c)).then_some(c)
    }

    fn constant(&self, d: &Dynamic) -> Option<Const> {
        if d.is_unit() {
            Some(Const::Unit)
        } else if let Ok(b) = d.as_bool() {
            Some(Const::Bool(b))
        } else if let Ok(i) = d.as_int() {
            Some(Const::Int(i))
        } else if let Ok(f) = d.as_float() {
            Some(Const::Float(f))
        } else if d.is_string() {
            Some(Const::Str(
                d.clone().into_immutable_string().ok()?.as_str().into(),
            ))
        } else if d.is_array() {
            let a = d.clone().into_array().ok()?;
            a.iter()
                .map(|x| self.constant(x))
                .collect::<Option<Vec<_>>>()
                .map(Const::Array)
        } else if d.is_fnptr() {
            let f = d.clone().try_cast::<rhai::FnPtr>()?;
            if f.is_curried() {
                return None;
            }
            Some(Const::Fn(
                self.fns
                    .iter()
                    .position(|(n, a)| n == f.fn_name() && *a == 2),
            ))
        } else {
            None
        }
    }
}

/// The steps a statement takes besides its nested blocks (see [`Block::stmts`]).
fn weight(s: &S) -> u64 {
    1 + match s {
        S::Let(_, e) | S::Assign(_, e) | S::OpAssign(_, _, e) | S::Expr(e) | S::If(e, ..) => {
            nodes(e)
        }
        S::Return(e) => e.as_ref().map_or(0, nodes),
        S::For(l) => match &l.iter {
            Iter::Array(e) => nodes(e),
            Iter::Range(a, b, _) => nodes(a) + nodes(b),
        },
        S::While(..) | S::Break | S::Continue | S::Block(_) | S::Bail => 0,
    }
}

/// Expression nodes in `e`, counting a nested block as one.
fn nodes(e: &E) -> u64 {
    let all = |list: &[E]| list.iter().map(nodes).sum::<u64>();
    1 + match e {
        E::Const(_) | E::Var(_) | E::Field(_) | E::Block(_) | E::Bail => 0,
        E::Array(l) | E::And(l) | E::Or(l) | E::Call(_, l) => all(l),
        E::Api(_, l) => all(l),
        E::Bin(_, a, b) | E::Contains(a, b) | E::Reduce(a, b) => nodes(a) + nodes(b),
        E::Not(a) | E::Neg(a) | E::Len(a) | E::Push(_, a) => nodes(a),
        E::IsUnit(a, _) | E::EqStr(a, ..) => 1 + nodes(a),
        // As the forms they stand for: `IsUnit(Var)`, `EqStr(Var)`, `Bin(Var, Const)`.
        E::VarIsUnit(..) | E::FieldIsUnit(..) | E::VarEqStr(..) => 2,
        E::VarCmpInt(..) | E::VarCmpFloat(..) => 2,
        // As the `EqStr` of a field it stands for.
        E::EnumEq(..) => 2,
        // As the calls they stand for: their literal arguments.
        E::FlagConst(..) => 2,
        E::FlagWith(_, a) => 1 + nodes(a),
        // As the block it stands for: its steps are taken when it runs.
        E::Select(..) => 0,
        E::ClauseConst(_) | E::MissingConst(..) => 1,
        E::Record(r) => r.nodes,
        E::ItemSeverityConst(_) | E::FitOfConst(_) | E::PointsOfConst(_) => 1,
    }
}

/// A binary operator, or a fused form of it where Rhai's result cannot depend on the other operand's
/// type (comparisons with `()` and with a string literal never fail and never call a function).
fn fuse(op: Bin, a: E, b: E) -> E {
    let negated = op == Bin::Ne;
    if matches!(op, Bin::Eq | Bin::Ne) {
        match (a, b) {
            (e, E::Const(Const::Unit)) | (E::Const(Const::Unit), e) => match e {
                E::Var(slot) => E::VarIsUnit(slot, negated),
                E::Field(f) => E::FieldIsUnit(f, negated),
                e => E::IsUnit(Box::new(e), negated),
            },
            (e, E::Const(Const::Str(s))) | (E::Const(Const::Str(s)), e) => match e {
                E::Field(f) => match f.kind() {
                    FieldKind::Enum(values) => {
                        E::EnumEq(f, values.iter().position(|v| *v == &*s), negated)
                    }
                    _ => E::EqStr(Box::new(E::Field(f)), s, negated),
                },
                E::Var(slot) => E::VarEqStr(slot, s, negated),
                e => E::EqStr(Box::new(e), s, negated),
            },
            (a, b) => compare_with_number(op, a, b),
        }
    } else {
        compare_with_number(op, a, b)
    }
}

/// `variable <op> number` as an [`E::VarCmpInt`] or [`E::VarCmpFloat`], else the binary operator.
fn compare_with_number(op: Bin, a: E, b: E) -> E {
    match (a, b) {
        (E::Var(slot), E::Const(Const::Int(k)))
            if is_comparison(op) && slot < u32::MAX as usize =>
        {
            E::VarCmpInt(op, slot as u32, k)
        }
        (E::Var(slot), E::Const(Const::Float(k)))
            if is_comparison(op) && slot < u32::MAX as usize =>
        {
            E::VarCmpFloat(op, slot as u32, k)
        }
        (a, b) => E::Bin(op, Box::new(a), Box::new(b)),
    }
}

/// A text literal's value.
fn literal_text(e: &E) -> Option<Box<str>> {
    match e {
        E::Const(Const::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

/// A call that records a reason ([`E::Record`]) when every argument before the message arguments is a
/// literal the call accepts, and the message arguments, if given, are a literal list. The reason is
/// then built exactly as the general call builds it ([`Machine::reason`] of [`Machine::arg_list`]).
fn record(f: Api, args: Vec<E>) -> Result<E, Vec<E>> {
    match record_parts(f, &args) {
        Some((what, message)) => {
            let nodes = args.iter().map(nodes).sum::<u64>();
            let list = args
                .into_iter()
                .nth(message_args(f))
                .map(|list| match list {
                    E::Array(items) => items.into_boxed_slice(),
                    _ => unreachable!("record_parts checked that the last argument is a list"),
                });
            Ok(E::Record(Box::new(Record {
                what,
                message,
                args: list,
                nodes,
            })))
        }
        None => Err(args),
    }
}

/// What [`record`] records, and the message, when the call's arguments allow it.
fn record_parts(f: Api, args: &[E]) -> Option<(Recorded, u32)> {
    let int = |e: &E| match e {
        E::Const(Const::Int(i)) => Some(*i),
        _ => None,
    };
    let fixed = message_args(f);
    if !matches!(&args[fixed.min(args.len())..], [] | [E::Array(_)]) || args.len() < fixed {
        return None;
    }
    Some(match (f, &args[..fixed]) {
        (Api::Points(Some(key)), [c, n, _]) => (
            Recorded::Points(Criterion::parse(&literal_text(c)?)? as usize, int(n)?),
            key,
        ),
        (Api::Fit(Some(key)), [m, n, _]) => (
            Recorded::Fit(Method::from_id(&literal_text(m)?)?, int(n)?),
            key,
        ),
        (Api::Condition(Some(key)), [m, _]) => (
            Recorded::Condition(Method::from_id(&literal_text(m)?)?),
            key,
        ),
        (Api::Note(Some(key)), [_]) => (Recorded::Note, key),
        _ => return None,
    })
}

/// `{ if cond { a } else { b } }` with two literals as an [`E::Select`], else the block.
fn select(mut b: Block) -> E {
    let literal = |b: &Block| match &b.stmts[..] {
        [(2, S::Expr(E::Const(c)))] => Some(c.clone()),
        _ => None,
    };
    if let [(w, S::If(cond, blocks))] = &mut b.stmts[..] {
        let [then, other] = &**blocks;
        if let (Some(x), Some(y)) = (literal(then), literal(other)) {
            let cond = std::mem::replace(cond, E::Bail);
            return E::Select(Box::new((cond, x, y)), *w + 2);
        }
    }
    E::Block(b)
}

enum Base {
    Op,
    Value(E),
}

fn bin_op(op: &str) -> Option<Bin> {
    Some(match op {
        "==" => Bin::Eq,
        "!=" => Bin::Ne,
        "<" => Bin::Lt,
        "<=" => Bin::Le,
        ">" => Bin::Gt,
        ">=" => Bin::Ge,
        "+" => Bin::Add,
        "-" => Bin::Sub,
        "*" => Bin::Mul,
        "/" => Bin::Div,
        "%" => Bin::Rem,
        _ => return None,
    })
}

fn is_comparison(b: Bin) -> bool {
    matches!(b, Bin::Eq | Bin::Ne | Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge)
}

fn param_const(v: &ParamValue) -> Const {
    match v {
        ParamValue::Bool(b) => Const::Bool(*b),
        ParamValue::Int(i) => Const::Int(*i),
        ParamValue::Float(f) => Const::Float(*f),
        ParamValue::Text(s) => Const::Str(s.as_str().into()),
        ParamValue::List(items) => Const::Array(items.iter().map(param_const).collect()),
    }
}

/// Whether a parameter's value is within the interpreter's size limits (else its call bails).
fn check_const(c: &Const) -> bool {
    fn sizes(c: &Const) -> (usize, usize) {
        match c {
            Const::Str(s) => (0, s.len()),
            Const::Array(a) => a.iter().fold((a.len(), 0), |(n, s), x| {
                let (n2, s2) = sizes(x);
                (n + n2, s + s2)
            }),
            _ => (0, 0),
        }
    }
    let (n, s) = sizes(c);
    n <= MAX_ARRAY && s <= MAX_STRING
}

fn stmt_name(s: &Stmt) -> String {
    let name = match s {
        Stmt::Switch(..) => "`switch`",
        Stmt::Do(..) => "`do`",
        Stmt::TryCatch(..) => "`try`",
        _ => "this statement",
    };
    name.to_string()
}

fn expr_name(e: &Expr) -> String {
    let name = match e {
        Expr::CharConstant(..) => "a character literal",
        Expr::InterpolatedString(..) => "an interpolated string",
        Expr::Map(..) => "an object map",
        Expr::Index(..) => "indexing `[…]`",
        Expr::Coalesce(..) => "`??`",
        Expr::ThisPtr(..) => "`this`",
        Expr::Property(..) => "a property of something other than `op`",
        Expr::MethodCall(..) => "a method call",
        _ => "this expression",
    };
    name.to_string()
}

// ---------------------------------------------------------------------------------------------------
// Running

/// A compiled rule stopped where the interpreter might fail or differ: the runtime rolls the rule back
/// and runs it on the interpreter.
#[derive(Debug)]
pub struct Bail;

/// A value. Every value is a copy: what a rule builds (an array, a joined text) lives in the
/// operation's arena ([`Machine::bump`]) until its rules are done, so no value is ever dropped.
#[derive(Clone, Copy)]
enum V<'a> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Str<'a>),
    /// An array a rule built (in the arena; a push builds a new one, so values never share changes).
    Array(&'a &'a [V<'a>]),
    /// A list field of the operation, borrowed (an array to the script; copied only when pushed to).
    List(&'a Vec<String>),
    /// The monthly load, borrowed (an array of floats to the script).
    Load(&'a [f64; 12]),
    /// A constant array (a literal or a parameter's list), borrowed from the program: an array to the
    /// script, copied only when pushed to.
    Consts(&'a Vec<Const>),
    Fn(Option<u32>),
}

// Every variant holds at most one pointer: a value is two machine words, passed and returned in
// registers (a larger one goes through memory, which the tree walk paid for at every step).
const _: () = assert!(std::mem::size_of::<V<'_>>() == 16);

/// How far the arena of one operation's rules may grow (the standard rules use a few hundred bytes).
const ARENA_LIMIT: usize = 1 << 20;

/// Bails once the arena has grown beyond [`ARENA_LIMIT`].
fn within_arena<'a>(bump: &Bump) -> R<'a, ()> {
    if bump.allocated_bytes() > ARENA_LIMIT {
        return bail();
    }
    Ok(())
}

/// The empty array literal `[]`.
static NO_CONSTS: Vec<Const> = Vec::new();

/// The elements of any array value.
#[derive(Clone, Copy)]
enum Seq<'a> {
    Arr(&'a [V<'a>]),
    List(&'a [String]),
    Load(&'a [f64; 12]),
    Consts(&'a [Const]),
}

impl<'a> Seq<'a> {
    fn len(self) -> usize {
        match self {
            Seq::Arr(a) => a.len(),
            Seq::List(l) => l.len(),
            Seq::Load(m) => m.len(),
            Seq::Consts(c) => c.len(),
        }
    }

    fn get(self, i: usize) -> V<'a> {
        match self {
            Seq::Arr(a) => a[i],
            Seq::List(l) => V::Str(Str::Text(&l[i])),
            Seq::Load(m) => V::Float(m[i]),
            Seq::Consts(c) => materialize(&c[i]),
        }
    }

    fn iter(self) -> impl Iterator<Item = V<'a>> + 'a {
        (0..self.len()).map(move |i| self.get(i))
    }
}

fn seq<'a>(v: &V<'a>) -> R<'a, Seq<'a>> {
    match *v {
        V::Array(items) => Ok(Seq::Arr(items)),
        V::List(l) => Ok(Seq::List(l.as_slice())),
        V::Load(m) => Ok(Seq::Load(m)),
        V::Consts(c) => Ok(Seq::Consts(c.as_slice())),
        _ => bail(),
    }
}

/// Rhai's type of a value (all arrays are one type).
fn type_of(v: &V<'_>) -> u8 {
    match v {
        V::Unit => 0,
        V::Bool(_) => 1,
        V::Int(_) => 2,
        V::Float(_) => 3,
        V::Str(_) => 4,
        V::Array(_) | V::List(_) | V::Load(_) | V::Consts(_) => 5,
        V::Fn(_) => 6,
    }
}

/// A text value, by one pointer whatever its origin (see [`V`]).
#[derive(Clone, Copy)]
enum Str<'a> {
    /// A text of the operation: a field, or an element of a list field.
    Text(&'a String),
    /// A literal or a parameter's text, from the program (the box itself: one pointer, where a
    /// `&str` would be two).
    #[allow(clippy::borrowed_box)]
    Const(&'a Box<str>),
    /// A name the engine knows: an enumerated field's value, a severity, a recommendation level.
    Name(&'a &'static str),
    /// A text a rule built (`+`), in the arena.
    Owned(&'a &'a str),
}

impl Str<'_> {
    fn as_str(&self) -> &str {
        match self {
            Str::Text(s) => s,
            Str::Const(s) => s,
            Str::Name(s) => s,
            Str::Owned(s) => s,
        }
    }
}

/// Why a statement stopped early. The value of a `return` waits in [`Machine::ret`], so that a result
/// carries no value besides its own and fits in registers (`R<bool>` is two bytes).
#[derive(Clone, Copy)]
enum Ctl {
    Bail,
    Return,
    Break,
    Continue,
}

type R<'a, T> = Result<T, Ctl>;

/// The arguments of a script function's call (most have a few).
type Args<'a> = smallvec::SmallVec<[V<'a>; 4]>;

fn bail<'a, T>() -> R<'a, T> {
    Err(Ctl::Bail)
}

struct Machine<'a, 'e> {
    op: &'a Operation,
    /// The operation's fields as values, each read once per operation (see [`Runner::fields`]).
    fields: &'e mut Fields<'a>,
    /// The operation's evaluation, which the API calls write to.
    eval: &'e mut Evaluation,
    prog: &'a Program,
    rules: &'a RuleSet,
    /// Where the arrays and texts the rules build live (see [`V`]).
    bump: &'a Bump,
    stack: &'e mut Stack<'a>,
    base: usize,
    steps: u64,
    next_check: u64,
    /// The message arguments of the API call being made, when given as a literal list.
    pre: Option<Vec<Arg>>,
    depth: usize,
    deadline: Option<std::time::Instant>,
    /// The value of the `return` being carried out (see [`Ctl`]).
    ret: V<'a>,
}

/// The variables of the running rule and its function calls: [`MAX_SLOTS`] slots, of which the first
/// `top` are in use. Every value is a copy, so that leaving a block only lowers `top`.
struct Stack<'a> {
    slots: [V<'a>; MAX_SLOTS],
    top: usize,
}

impl<'a> Stack<'a> {
    fn new() -> Box<Self> {
        Box::new(Stack {
            slots: [V::Unit; MAX_SLOTS],
            top: 0,
        })
    }

    #[inline]
    fn len(&self) -> usize {
        self.top
    }

    #[inline]
    fn truncate(&mut self, n: usize) {
        self.top = self.top.min(n);
    }

    /// Sets `slot` and drops every slot above it. The callers check that `slot < MAX_SLOTS`.
    #[inline]
    fn set(&mut self, slot: usize, v: V<'a>) {
        self.slots[slot] = v;
        self.top = slot + 1;
    }
}

impl<'a> std::ops::Index<usize> for Stack<'a> {
    type Output = V<'a>;
    #[inline]
    fn index(&self, i: usize) -> &V<'a> {
        &self.slots[i]
    }
}

impl std::ops::IndexMut<usize> for Stack<'_> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut Self::Output {
        &mut self.slots[i]
    }
}

/// The fields of an operation as the values a rule reads (`op.<field>`), by [`Field`] index: each
/// read and measured at its first read (a run of a few rules reads a few fields), and marked ready
/// when within the size limits (a field over them stays unready, and each read of it bails, as the
/// getter's check would fail).
struct Fields<'a> {
    values: [V<'a>; Field::ALL.len()],
    ready: u128,
}

// Every field has its bit in `Fields::ready`.
const _: () = assert!(Field::ALL.len() <= 128);

impl<'a> Fields<'a> {
    fn new() -> Self {
        Fields {
            values: [V::Unit; Field::ALL.len()],
            ready: 0,
        }
    }

    #[inline]
    fn get(&mut self, op: &'a Operation, f: Field) -> R<'a, V<'a>> {
        let i = f as usize;
        if self.ready & (1_u128 << i) == 0 {
            return self.load(op, i);
        }
        Ok(self.values[i])
    }

    #[cold]
    #[inline(never)]
    fn load(&mut self, op: &'a Operation, i: usize) -> R<'a, V<'a>> {
        let v = field(op.slot(Field::ALL[i]));
        check_size(&v)?;
        self.values[i] = v;
        self.ready |= 1_u128 << i;
        Ok(v)
    }
}

thread_local! {
    static BAILS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Steps the compiled rules took on this thread (statements, expressions and loop rounds).
pub fn steps_on_this_thread() -> u64 {
    STEPS.with(std::cell::Cell::get)
}

/// How many times a compiled rule handed an operation to the interpreter on this thread (for the
/// differential tests and benchmarks: on valid operations the standard rules should never need to).
pub fn bails_on_this_thread() -> u64 {
    BAILS.with(std::cell::Cell::get)
}

/// Runs a compiled rule against one operation, recording into the thread's evaluation like the
/// interpreter does.
/// Runs the compiled rules of one operation, one after the other (reusing one variable stack).
pub struct Runner<'a> {
    op: &'a Operation,
    rules: &'a RuleSet,
    bump: &'a Bump,
    deadline: Option<std::time::Instant>,
    stack: Box<Stack<'a>>,
    /// Steps left before the clock is read again: carried from rule to rule, so that a run of short
    /// compiled rules reads it every [`CLOCK_EVERY`] steps, not once a rule.
    credit: u64,
    /// The operation's fields, each read and measured once: the operation does not change while its
    /// rules run, and the rules read a hundred fields an operation, many of them more than once.
    fields: Fields<'a>,
}

impl<'a> Runner<'a> {
    /// A runner for the rules of `op`; what they build lives in `bump` (see [`V`]), which the caller
    /// drops once the operation's rules are done.
    pub fn new(
        op: &'a Operation,
        rules: &'a RuleSet,
        deadline: Option<std::time::Instant>,
        bump: &'a Bump,
    ) -> Self {
        Runner {
            op,
            rules,
            bump,
            deadline,
            stack: Stack::new(),
            credit: CLOCK_EVERY,
            fields: Fields::new(),
        }
    }

    /// Runs one compiled rule, recording into the operation's evaluation like the interpreter does.
    pub fn run(&mut self, prog: &'a Program, eval: &mut Evaluation) -> Result<(), Bail> {
        let mut m = Machine {
            op: self.op,
            eval,
            prog,
            rules: self.rules,
            bump: self.bump,
            stack: &mut self.stack,
            base: 0,
            steps: 0,
            next_check: self.credit,
            pre: None,
            depth: 0,
            deadline: self.deadline,
            ret: V::Unit,
            fields: &mut self.fields,
        };
        let result = m.exec_block(&prog.body);
        STEPS.with(|s| s.set(s.get() + m.steps));
        // `check` always leaves the next check ahead of the steps taken.
        self.credit = m.next_check.saturating_sub(m.steps).max(1);
        self.stack.top = 0;
        match result {
            Ok(_) | Err(Ctl::Return) => Ok(()),
            Err(_) => {
                BAILS.with(|b| b.set(b.get() + 1));
                Err(Bail)
            }
        }
    }
}

impl<'a> Machine<'a, '_> {
    #[inline]
    fn step(&mut self, n: u64) -> R<'a, ()> {
        self.steps += n;
        if self.steps >= self.next_check {
            return self.check();
        }
        Ok(())
    }

    #[cold]
    fn check(&mut self) -> R<'a, ()> {
        self.next_check = self.steps + CLOCK_EVERY;
        if self.steps >= MAX_STEPS
            || self
                .deadline
                .is_some_and(|d| std::time::Instant::now() >= d)
        {
            return bail();
        }
        Ok(())
    }

    fn block(&mut self, b: &'a Block) -> R<'a, V<'a>> {
        let mut value = Ok(V::Unit);
        for (w, s) in &b.stmts {
            if let Err(e) = self.step(*w) {
                value = Err(e);
                break;
            }
            value = self.stmt(s);
            if value.is_err() {
                break;
            }
        }
        if self.stack.len() > self.base + b.scope {
            self.stack.truncate(self.base + b.scope);
        }
        value
    }

    /// A block run for its effects only (a rule's body, a loop's body, a branch of an `if` statement
    /// whose value nobody reads): like [`block`](Self::block) without carrying the value.
    fn exec_block(&mut self, b: &'a Block) -> R<'a, ()> {
        let mut result = Ok(());
        for (w, s) in &b.stmts {
            if let Err(e) = self.step(*w) {
                result = Err(e);
                break;
            }
            if let Err(e) = self.exec(s) {
                result = Err(e);
                break;
            }
        }
        if self.stack.len() > self.base + b.scope {
            self.stack.truncate(self.base + b.scope);
        }
        result
    }

    /// A statement run for its effects only (see [`exec_block`](Self::exec_block)): the commonest
    /// here, inlined in the block's loop, the rest in [`exec_other`](Self::exec_other).
    #[inline(always)]
    fn exec(&mut self, s: &'a S) -> R<'a, ()> {
        match s {
            S::Expr(e) => self.effect(e),
            S::If(cond, blocks) => {
                let [body, branch] = &**blocks;
                let taken = if self.test(cond)? { body } else { branch };
                match &taken.stmts[..] {
                    // An empty branch has nothing to run and no variable to drop.
                    [] => Ok(()),
                    // Nor has a branch of one expression (`{ flag(…) }`), run here.
                    [(w, S::Expr(e))] => {
                        self.step(*w)?;
                        self.effect(e)
                    }
                    _ => self.exec_block(taken),
                }
            }
            other => self.exec_other(other),
        }
    }

    #[inline(never)]
    fn exec_other(&mut self, s: &'a S) -> R<'a, ()> {
        match s {
            S::Block(b) => self.exec_block(b),
            S::Let(slot, e) => {
                let v = self.val(e)?;
                self.set(*slot, v)
            }
            S::Assign(slot, e) => {
                let v = self.expr(e)?;
                check_size(&v)?;
                self.stack[self.base + slot] = v;
                Ok(())
            }
            other => self.stmt(other).map(drop),
        }
    }

    /// An expression evaluated for its effects only: the literal calls here, inlined where a statement
    /// runs, the rest in [`effect_other`](Self::effect_other).
    #[inline(always)]
    fn effect(&mut self, e: &'a E) -> R<'a, ()> {
        match e {
            E::FlagConst(item, severity) => {
                self.ev(|e| e.flag(*item, *severity));
                Ok(())
            }
            E::ClauseConst(item) => {
                self.ev(|e| clause(e, *item));
                Ok(())
            }
            E::MissingConst(field, decisive) => {
                self.ev(|e| e.add_missing(*field, *decisive));
                Ok(())
            }
            other => self.effect_other(other),
        }
    }

    #[inline(never)]
    fn effect_other(&mut self, e: &'a E) -> R<'a, ()> {
        match e {
            E::Api(f, args) => self.api_call(*f, args).map(drop),
            E::Record(r) => self.record(r),
            E::Push(slot, x) => self.push(*slot, x),
            E::FlagWith(item, severity_of) => {
                let v = self.val(severity_of)?;
                let severity = severity(&v)?;
                self.ev(|e| e.flag(*item, severity));
                Ok(())
            }
            other => self.expr(other).map(drop),
        }
    }

    /// A condition: a value that must be a boolean (anything else bails, as in [`expr`](Self::expr)),
    /// without building the boolean value for the commonest forms. The cheapest forms are answered
    /// here, inlined where a condition is tested; [`test_any`](Self::test_any) does the rest.
    #[inline(always)]
    fn test(&mut self, e: &'a E) -> R<'a, bool> {
        match e {
            E::EnumEq(f, value, negated) => {
                Ok((value.is_some() && self.op.enum_index(*f) == *value) != *negated)
            }
            E::Var(slot) => match self.stack[self.base + slot] {
                V::Bool(b) => Ok(b),
                _ => bail(),
            },
            E::VarIsUnit(slot, negated) => {
                Ok(matches!(self.stack[self.base + slot], V::Unit) != *negated)
            }
            E::VarEqStr(slot, lit, negated) => Ok(matches!(
                &self.stack[self.base + slot], V::Str(s) if s.as_str() == &**lit
            ) != *negated),
            E::VarCmpInt(op, slot, k) => {
                compare(*op, &self.stack[self.base + *slot as usize], &V::Int(*k))
            }
            E::VarCmpFloat(op, slot, k) => {
                compare(*op, &self.stack[self.base + *slot as usize], &V::Float(*k))
            }
            E::FieldIsUnit(f, negated) => Ok(matches!(self.field(*f)?, V::Unit) != *negated),
            _ => self.test_any(e),
        }
    }

    /// Every other condition ([`test`](Self::test) has answered variables and enum comparisons).
    #[inline(never)]
    fn test_any(&mut self, e: &'a E) -> R<'a, bool> {
        match e {
            E::Bin(op, a, b) if is_comparison(*op) => match (&**a, &**b) {
                // Variables compared where they are, without copying them.
                (E::Var(x), E::Var(y)) => {
                    compare(*op, &self.stack[self.base + x], &self.stack[self.base + y])
                }
                (E::Var(x), E::Const(c)) => {
                    compare(*op, &self.stack[self.base + x], &materialize(c))
                }
                _ => {
                    let a = self.val(a)?;
                    let b = self.val(b)?;
                    compare(*op, &a, &b)
                }
            },
            E::IsUnit(a, negated) => Ok(self.is_unit(a)? != *negated),
            E::EqStr(a, lit, negated) => Ok(self.eq_str(a, lit)? != *negated),
            E::Not(a) => Ok(!self.test(a)?),
            E::And(list) => {
                for i in list {
                    if !self.test(i)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            E::Or(list) => {
                for i in list {
                    if self.test(i)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            E::Api(Api::Known, args) if args.len() == 1 => {
                Ok(!matches!(self.val(&args[0])?, V::Unit))
            }
            E::Contains(a, x) => self.contains(a, x),
            other => match self.expr(other)? {
                V::Bool(b) => Ok(b),
                _ => bail(),
            },
        }
    }

    /// `e == ()`.
    #[inline]
    fn is_unit(&mut self, e: &'a E) -> R<'a, bool> {
        Ok(match e {
            E::Var(slot) => matches!(self.stack[self.base + slot], V::Unit),
            // Reading a text or list field is checked for size like the getter's result.
            E::Field(f) => matches!(self.field(*f)?, V::Unit),
            other => matches!(self.expr(other)?, V::Unit),
        })
    }

    /// `e == "literal"`: a value of another type is simply unequal.
    #[inline]
    fn eq_str(&mut self, e: &'a E, lit: &str) -> R<'a, bool> {
        Ok(match e {
            E::Var(slot) => {
                matches!(&self.stack[self.base + slot], V::Str(s) if s.as_str() == lit)
            }
            E::Field(f) => match self.field(*f)? {
                V::Str(s) => s.as_str() == lit,
                _ => false,
            },
            other => matches!(self.expr(other)?, V::Str(s) if s.as_str() == lit),
        })
    }

    /// `op.<field>`: its value, checked for size like the getter's result (a list once per operation).
    #[inline]
    fn field(&mut self, f: Field) -> R<'a, V<'a>> {
        self.fields.get(self.op, f)
    }

    /// Works on the operation's evaluation (as the interpreter's functions do through the thread's).
    #[inline(always)]
    fn ev<T>(&mut self, f: impl FnOnce(&mut Evaluation) -> T) -> T {
        f(self.eval)
    }

    #[inline]
    fn set(&mut self, slot: usize, v: V<'a>) -> R<'a, ()> {
        let at = self.base + slot;
        if at >= MAX_SLOTS {
            return bail();
        }
        self.stack.set(at, v);
        Ok(())
    }

    fn stmt(&mut self, s: &'a S) -> R<'a, V<'a>> {
        match s {
            S::Let(slot, e) => {
                let v = self.val(e)?;
                self.set(*slot, v)?;
                Ok(V::Unit)
            }
            S::Assign(slot, e) => {
                let v = self.expr(e)?;
                check_size(&v)?;
                self.stack[self.base + slot] = v;
                Ok(V::Unit)
            }
            S::OpAssign(slot, op, e) => {
                let rhs = self.expr(e)?;
                let lhs = &self.stack[self.base + slot];
                let v = match (lhs, &rhs) {
                    (V::Int(_), V::Int(_))
                    | (V::Float(_), V::Float(_))
                    | (V::Str(_), V::Str(_)) => binary(*op, lhs, &rhs, self.bump)?,
                    _ => return bail(),
                };
                self.stack[self.base + slot] = v;
                Ok(V::Unit)
            }
            S::Expr(e) => self.expr(e),
            S::If(cond, blocks) => {
                let [body, branch] = &**blocks;
                if self.test(cond)? {
                    self.block(body)
                } else {
                    self.block(branch)
                }
            }
            S::For(l) => {
                let ForLoop {
                    var,
                    counter,
                    iter,
                    body,
                } = &**l;
                let var = *var;
                let first = counter.unwrap_or(var);
                match iter {
                    Iter::Array(e) => {
                        let items = self.expr(e)?;
                        let items = seq(&items)?;
                        for (i, item) in items.iter().enumerate() {
                            self.step(1)?;
                            if let Some(c) = counter {
                                self.set(*c, V::Int(i as i64))?;
                            }
                            self.set(var, item)?;
                            match self.exec_block(body) {
                                Ok(_) | Err(Ctl::Continue) => {}
                                Err(Ctl::Break) => break,
                                Err(other) => {
                                    self.stack.truncate(self.base + first);
                                    return Err(other);
                                }
                            }
                        }
                    }
                    Iter::Range(from, to, inclusive) => {
                        let (V::Int(from), V::Int(to)) = (self.expr(from)?, self.expr(to)?) else {
                            return bail();
                        };
                        let mut i = from;
                        let mut n = 0_i64;
                        while if *inclusive { i <= to } else { i < to } {
                            self.step(1)?;
                            if let Some(c) = counter {
                                self.set(*c, V::Int(n))?;
                            }
                            self.set(var, V::Int(i))?;
                            match self.exec_block(body) {
                                Ok(_) | Err(Ctl::Continue) => {}
                                Err(Ctl::Break) => break,
                                Err(other) => {
                                    self.stack.truncate(self.base + first);
                                    return Err(other);
                                }
                            }
                            let Some(next) = i.checked_add(1) else { break };
                            i = next;
                            n += 1;
                        }
                    }
                }
                self.stack.truncate(self.base + first);
                Ok(V::Unit)
            }
            S::While(l) => {
                let (cond, body, w) = &**l;
                loop {
                    self.step(1 + w)?;
                    if let Some(cond) = cond {
                        if !self.test(cond)? {
                            break;
                        }
                    }
                    match self.exec_block(body) {
                        Ok(_) | Err(Ctl::Continue) => {}
                        Err(Ctl::Break) => break,
                        Err(other) => return Err(other),
                    }
                }
                Ok(V::Unit)
            }
            S::Return(e) => {
                let v = match e {
                    Some(e) => self.expr(e)?,
                    None => V::Unit,
                };
                self.ret = v;
                Err(Ctl::Return)
            }
            S::Break => Err(Ctl::Break),
            S::Continue => Err(Ctl::Continue),
            S::Block(b) => self.block(b),
            S::Bail => bail(),
        }
    }

    /// A value, without a call for the commonest leaves.
    #[inline(always)]
    fn val(&mut self, e: &'a E) -> R<'a, V<'a>> {
        match e {
            E::Const(c) => Ok(materialize(c)),
            E::Var(slot) => Ok(self.stack[self.base + slot]),
            _ => self.expr(e),
        }
    }

    /// A value: the leaves here, inlined where a value is needed, the rest in
    /// [`expr_any`](Self::expr_any).
    #[inline(always)]
    fn expr(&mut self, e: &'a E) -> R<'a, V<'a>> {
        match e {
            E::Const(c) => Ok(materialize(c)),
            E::Var(slot) => Ok(self.stack[self.base + slot]),
            E::Field(f) => self.field(*f),
            _ => self.expr_any(e),
        }
    }

    #[inline(never)]
    fn expr_any(&mut self, e: &'a E) -> R<'a, V<'a>> {
        match e {
            E::Const(c) => Ok(materialize(c)),
            E::Var(slot) => Ok(self.stack[self.base + slot]),
            E::Field(f) => self.field(*f),
            E::Array(items) if items.is_empty() => Ok(V::Consts(&NO_CONSTS)),
            E::Array(items) => {
                let mut out = bumpalo::collections::Vec::with_capacity_in(items.len(), self.bump);
                for i in items {
                    out.push(self.expr(i)?);
                }
                let v = self.array(out)?;
                check_size(&v)?;
                Ok(v)
            }
            E::Bin(op, a, b) => {
                let a = self.val(a)?;
                let b = self.val(b)?;
                binary(*op, &a, &b, self.bump)
            }
            E::IsUnit(..)
            | E::EqStr(..)
            | E::EnumEq(..)
            | E::Not(_)
            | E::And(_)
            | E::Or(_)
            | E::VarIsUnit(..)
            | E::FieldIsUnit(..)
            | E::VarEqStr(..)
            | E::VarCmpInt(..)
            | E::VarCmpFloat(..) => Ok(V::Bool(self.test(e)?)),
            E::Neg(a) => match self.expr(a)? {
                V::Int(i) => i.checked_neg().map(V::Int).ok_or(Ctl::Bail),
                V::Float(f) => Ok(V::Float(-f)),
                _ => bail(),
            },
            E::Block(b) => self.block(b),
            E::Api(f, args) => self.api_call(*f, args),
            E::Contains(a, x) => Ok(V::Bool(self.contains(a, x)?)),
            E::Call(..) | E::Len(_) | E::Reduce(..) => self.rare(e),
            E::Push(slot, x) => self.push(*slot, x).map(|()| V::Unit),
            E::Select(select, w) => {
                let (cond, a, b) = &**select;
                self.step(*w)?;
                Ok(materialize(if self.test(cond)? { a } else { b }))
            }
            E::FlagConst(..)
            | E::FlagWith(..)
            | E::ClauseConst(_)
            | E::MissingConst(..)
            | E::Record(_) => self.effect(e).map(|()| V::Unit),
            E::ItemSeverityConst(item) => Ok(self.item_severity(*item)),
            E::FitOfConst(m) => Ok(V::Int(self.eval.method_points[*m as usize])),
            E::PointsOfConst(c) => Ok(V::Int(self.points_of(*c))),
            E::Bail => bail(),
        }
    }

    /// The less common expressions, kept out of [`expr`](Self::expr) so that its frame stays small.
    #[inline(never)]
    fn rare(&mut self, e: &'a E) -> R<'a, V<'a>> {
        match e {
            E::Call(f, args) => {
                let mut values = Args::with_capacity(args.len());
                for a in args {
                    values.push(self.expr(a)?);
                }
                self.call(*f, values)
            }
            E::Len(a) => match self.expr(a)? {
                V::Str(s) => Ok(V::Int(s.as_str().chars().count() as i64)),
                other => Ok(V::Int(seq(&other)?.len() as i64)),
            },
            E::Reduce(a, f) => {
                let a = self.expr(a)?;
                let f = self.expr(f)?;
                let V::Fn(Some(f)) = f else {
                    return bail();
                };
                let f = f as usize;
                let items = seq(&a)?;
                let mut acc = V::Unit;
                for item in items.iter() {
                    acc = self.call(f, smallvec::smallvec![acc, item])?;
                }
                Ok(acc)
            }
            other => self.expr(other),
        }
    }

    /// `a.contains(x)`: a substring of a string, or an element of an array (one step per element
    /// compared, as Rhai counts them).
    #[inline(never)]
    fn contains(&mut self, a: &'a E, x: &'a E) -> R<'a, bool> {
        let a = self.expr(a)?;
        let x = self.expr(x)?;
        match (&a, &x) {
            (V::Str(s), V::Str(t)) => Ok(find(s.as_str().as_bytes(), t.as_str().as_bytes())),
            (V::Str(_), _) => bail(),
            // Texts in a list of texts: compared as texts, without building each element.
            (V::List(items), V::Str(t)) => {
                let t = t.as_str();
                for item in *items {
                    self.step(1)?;
                    if item.as_str() == t {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => {
                for item in seq(&a)?.iter() {
                    self.step(1)?;
                    if equals(&item, &x)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// `variable.push(x)`.
    #[inline(never)]
    fn push(&mut self, slot: usize, x: &'a E) -> R<'a, ()> {
        {
            {
                let x = self.expr(x)?;
                let at = self.base + slot;
                let items = seq(&self.stack[at])?;
                let mut pushed =
                    bumpalo::collections::Vec::with_capacity_in(items.len() + 1, self.bump);
                pushed.extend(items.iter());
                pushed.push(x);
                self.stack[at] = self.array(pushed)?;
                check_size(&self.stack[at])
            }
        }
    }

    fn call(&mut self, f: usize, args: Args<'a>) -> R<'a, V<'a>> {
        self.step(1)?;
        if self.depth >= MAX_DEPTH || self.stack.len() + args.len() >= MAX_SLOTS {
            return bail();
        }
        let saved = (self.base, self.stack.len());
        self.base = self.stack.len();
        for (i, v) in args.into_iter().enumerate() {
            self.stack.set(self.base + i, v);
        }
        self.depth += 1;
        let result = self.block(&self.prog.fns[f].body);
        self.depth -= 1;
        self.stack.truncate(saved.1);
        self.base = saved.0;
        let v = match result {
            Ok(v) => v,
            Err(Ctl::Return) => std::mem::replace(&mut self.ret, V::Unit),
            Err(_) => return bail(),
        };
        check_size(&v)?;
        Ok(v)
    }

    fn message(&self, key: Option<u32>, arg: &V<'a>) -> R<'a, u32> {
        match key {
            Some(k) => Ok(k),
            None => match arg {
                V::Str(s) => self
                    .rules
                    .message_index
                    .get(s.as_str())
                    .copied()
                    .ok_or(Ctl::Bail),
                _ => bail(),
            },
        }
    }

    fn item(&self, key: Option<u32>, arg: &V<'a>) -> R<'a, u32> {
        match key {
            Some(k) => Ok(k),
            None => match arg {
                V::Str(s) => self
                    .rules
                    .item_index
                    .get(s.as_str())
                    .copied()
                    .ok_or(Ctl::Bail),
                _ => bail(),
            },
        }
    }

    /// A call of the script API (kept out of [`expr`](Self::expr) so that its frame stays small).
    #[inline(never)]
    fn api_call(&mut self, f: Api, args: &'a [E]) -> R<'a, V<'a>> {
        if args.is_empty() {
            let v = self.api(f, &[])?;
            check_size(&v)?;
            return Ok(v);
        }
        let mut values: [V<'a>; 4] = [V::Unit, V::Unit, V::Unit, V::Unit];
        // A literal list of message arguments goes straight into the reason.
        let listed = match (&f, args.last()) {
            (
                Api::Points(_)
                | Api::Exclude(_)
                | Api::Cap(_)
                | Api::Note(_)
                | Api::Contradiction(_)
                | Api::Fit(_)
                | Api::Condition(_),
                Some(E::Array(items)),
            ) if args.len() == message_args(f) + 1 => Some(items),
            _ => None,
        };
        let direct = args.len() - usize::from(listed.is_some());
        for (slot, a) in values.iter_mut().zip(&args[..direct]) {
            *slot = self.val(a)?;
        }
        let pre = match listed {
            Some(items) => Some(self.arg_list(items)?),
            None => None,
        };
        self.pre = pre;
        let v = self.api(f, &values[..args.len()])?;
        check_size(&v)?;
        Ok(v)
    }

    fn api(&mut self, f: Api, a: &[V<'a>]) -> R<'a, V<'a>> {
        let ok = |r: Result<(), Limit>| r.map_err(|_| Ctl::Bail);
        Ok(match f {
            Api::Known => V::Bool(!matches!(a[0], V::Unit)),
            Api::MaxOf => V::Float(
                seq(&a[0])?
                    .iter()
                    .filter_map(|v| number(&v))
                    .fold(0.0_f64, f64::max),
            ),
            Api::SumOf => V::Float(seq(&a[0])?.iter().filter_map(|v| number(&v)).sum::<f64>()),
            Api::MeanOf => {
                let items = seq(&a[0])?;
                let n = items.len().max(1) as f64;
                V::Float(items.iter().filter_map(|v| number(&v)).sum::<f64>() / n)
            }
            Api::ToNum => V::Float(number(&a[0]).unwrap_or(0.0)),
            Api::Points(key) => {
                let c = criterion(&a[0])?;
                let V::Int(n) = a[1] else { return bail() };
                let reason = self.reason(self.message(key, &a[2])?, a.get(3))?;
                self.add(Recorded::Points(c, n), reason)?;
                V::Unit
            }
            Api::PointsOf => V::Int(self.points_of(criterion(&a[0])?)),
            Api::TotalPoints => V::Int(self.ev(|e| {
                e.points
                    .iter()
                    .map(|p| (*p).clamp(0, i64::from(Criterion::MAX_POINTS)))
                    .sum::<i64>()
            })),
            Api::Exclude(key) => {
                let reason = self.reason(self.message(key, &a[0])?, a.get(1))?;
                ok(self.ev(|e| e.add_exclusion(reason)))?;
                V::Unit
            }
            Api::Cap(key) => {
                let level = recommendation(&a[0])?;
                let reason = self.reason(self.message(key, &a[1])?, a.get(2))?;
                ok(self.ev(|e| e.add_cap(level, reason)))?;
                V::Unit
            }
            Api::Note(key) => {
                let reason = self.reason(self.message(key, &a[0])?, a.get(1))?;
                self.add(Recorded::Note, reason)?;
                V::Unit
            }
            Api::IsExcluded => V::Bool(self.ev(|e| !e.exclusions.is_empty())),
            Api::CapLevel => self.ev(|e| {
                e.cap.as_ref().map_or(V::Unit, |(r, ..)| {
                    V::Str(Str::Name(recommendation_name(*r)))
                })
            }),
            Api::Flag(key) => {
                let V::Str(_) = &a[0] else { return bail() };
                let item = self.item(key, &a[0])?;
                if self.rules.items[item as usize].standard {
                    return bail();
                }
                let severity = severity(&a[1])?;
                self.ev(|e| e.flag(item, severity));
                V::Unit
            }
            Api::Clause(key) => {
                let V::Str(_) = &a[0] else { return bail() };
                let item = self.item(key, &a[0])?;
                if !self.rules.items[item as usize].standard {
                    return bail();
                }
                self.ev(|e| clause(e, item));
                V::Unit
            }
            Api::CountItems => {
                let s = severity(&a[0])?;
                V::Int(self.ev(|e| e.checklist.iter().filter(|(_, x, _)| *x == s).count() as i64))
            }
            Api::UnmitigableHigh => {
                let items = &self.rules.items;
                V::Int(self.ev(|e| {
                    e.checklist
                        .iter()
                        .filter(|(i, s, _)| *s == Severity::High && !items[*i as usize].mitigable)
                        .count() as i64
                }))
            }
            Api::Missing | Api::Decisive => {
                let field = field_name(&a[0])?;
                let decisive = matches!(f, Api::Decisive);
                self.ev(|e| e.add_missing(field, decisive));
                V::Unit
            }
            Api::Contradiction(key) => {
                let message = self.message(key, &a[0])?;
                let fields = seq(&a[1])?;
                let reason = self.reason(message, a.get(2))?;
                let mut named = Vec::with_capacity(fields.len());
                for f in fields.iter() {
                    named.push(field_name(&f)?);
                }
                ok(self.ev(|e| e.add_contradiction(named, reason)))?;
                V::Unit
            }
            Api::HasContradictions => V::Bool(self.ev(|e| !e.contradictions.is_empty())),
            Api::MissingCount => V::Int(self.ev(|e| e.missing.len() as i64)),
            Api::Recommend => {
                let level = recommendation(&a[0])?;
                self.ev(|e| e.recommendation = Some(level));
                V::Unit
            }
            Api::FreeFte => match number(&a[0]) {
                Some(v) if v.is_finite() => {
                    self.ev(|e| e.freed_fte = Some(v));
                    V::Unit
                }
                _ => return bail(),
            },
            Api::ProposalCall => {
                self.ev(|e| e.proposal_call = true);
                V::Unit
            }
            Api::Recommended => self.ev(|e| {
                e.standing_recommendation()
                    .map_or(V::Unit, |r| V::Str(Str::Name(recommendation_name(r))))
            }),
            Api::ItemSeverity(key) => {
                let V::Str(_) = &a[0] else { return bail() };
                let item = self.item(key, &a[0])?;
                self.item_severity(item)
            }
            Api::Fit(key) => {
                let m = method(&a[0])?;
                let V::Int(n) = a[1] else { return bail() };
                let reason = self.reason(self.message(key, &a[2])?, a.get(3))?;
                self.add(Recorded::Fit(m, n), reason)?;
                V::Unit
            }
            Api::FitOf => {
                let m = method(&a[0])?;
                V::Int(self.ev(|e| e.method_points[m as usize]))
            }
            Api::Condition(key) => {
                let m = method(&a[0])?;
                let reason = self.reason(self.message(key, &a[1])?, a.get(2))?;
                self.add(Recorded::Condition(m), reason)?;
                V::Unit
            }
        })
    }

    /// An array value of `items`, in the arena: bails when the arena has grown beyond
    /// [`ARENA_LIMIT`] (a rule building ever larger arrays; the interpreter has its own budgets).
    fn array(&self, items: bumpalo::collections::Vec<'a, V<'a>>) -> R<'a, V<'a>> {
        let items: &'a [V<'a>] = items.into_bump_slice();
        let v = V::Array(self.bump.alloc(items));
        within_arena(self.bump)?;
        Ok(v)
    }

    /// `points_of`: a criterion's points, bounded as the recommendation counts them.
    fn points_of(&self, c: usize) -> i64 {
        self.eval.points[c].clamp(0, i64::from(Criterion::MAX_POINTS))
    }

    /// `item_severity`: the item's severity in the checklist, or `()`.
    fn item_severity(&self, item: u32) -> V<'a> {
        self.eval
            .checklist
            .iter()
            .find(|(i, ..)| *i == item)
            .map_or(V::Unit, |(_, s, _)| V::Str(Str::Name(severity_name(*s))))
    }

    /// An [`E::Record`]: the reason built as [`api_call`](Self::api_call) builds it, and recorded.
    fn record(&mut self, r: &'a Record) -> R<'a, ()> {
        let args = match &r.args {
            Some(items) => self.arg_list(items)?,
            None => Vec::new(),
        };
        let reason = Reason {
            message: r.message,
            args,
        };
        self.add(r.what, reason)
    }

    /// Records a reason of `points`, `fit`, `condition` or `note` (a bound reached bails).
    fn add(&mut self, what: Recorded, reason: Reason) -> R<'a, ()> {
        let e = &mut *self.eval;
        let recorded = match what {
            Recorded::Points(c, n) => e.add_points(c, n, reason),
            Recorded::Fit(m, n) => e.add_fit(m, n, reason),
            Recorded::Condition(m) => e.add_condition(m, reason),
            Recorded::Note => e.add_note(reason),
        };
        recorded.map_err(|_| Ctl::Bail)
    }

    /// A reason: the message (already resolved, as the interpreter resolves it before anything else
    /// fails) and the arguments, which must be an array when given.
    fn reason(&mut self, message: u32, args: Option<&V<'a>>) -> R<'a, Reason> {
        if let Some(args) = self.pre.take() {
            return Ok(Reason { message, args });
        }
        let args = match args {
            None => Vec::new(),
            Some(a) => seq(a)?
                .iter()
                .map(|v| to_arg(&v))
                .collect::<R<'a, Vec<_>>>()?,
        };
        Ok(Reason { message, args })
    }

    /// The arguments of a literal list, checked like the array it would have been.
    fn arg_list(&mut self, items: &'a [E]) -> R<'a, Vec<Arg>> {
        let mut out = Vec::with_capacity(items.len());
        let mut bytes = 0;
        for i in items {
            let v = self.val(i)?;
            if let V::Str(s) = &v {
                bytes += s.as_str().len();
            }
            out.push(to_arg(&v)?);
        }
        if items.len() >= MAX_ARRAY || bytes >= MAX_STRING {
            return bail();
        }
        Ok(out)
    }
}

/// Whether `needle` occurs in `hay`. The texts rules search (a step, a statute's name) are short: a
/// direct comparison at each position where the first byte matches costs less than setting up
/// memchr's searcher, which the longer texts get.
fn find(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if needle.len() > hay.len() {
        return false;
    }
    if hay.len() > 96 {
        return memchr::memmem::find(hay, needle).is_some();
    }
    let last = hay.len() - needle.len();
    (0..=last).any(|i| hay[i] == first && &hay[i + 1..i + needle.len()] == rest)
}

/// `clause`: records a standard clause once.
fn clause(e: &mut Evaluation, item: u32) {
    let rule = e.rule;
    if !e.clauses.iter().any(|(i, _)| *i == item) {
        e.clauses.push((item, rule));
    }
}

fn materialize(c: &Const) -> V<'_> {
    match c {
        Const::Unit => V::Unit,
        Const::Bool(b) => V::Bool(*b),
        Const::Int(i) => V::Int(*i),
        Const::Float(f) => V::Float(*f),
        Const::Str(s) => V::Str(Str::Const(s)),
        Const::Array(items) => V::Consts(items),
        // A program has far fewer than 2^32 functions.
        Const::Fn(f) => V::Fn(f.map(|i| i as u32)),
    }
}

/// The name of a recommendation level, where a value can point at it.
fn recommendation_name(r: Recommendation) -> &'static &'static str {
    static NAMES: std::sync::LazyLock<[&str; 4]> =
        std::sync::LazyLock::new(|| Recommendation::ALL.map(Recommendation::as_str));
    let at = Recommendation::ALL.iter().position(|x| *x == r);
    &NAMES[at.unwrap_or(0)]
}

/// The name of a severity, where a value can point at it.
fn severity_name(s: Severity) -> &'static &'static str {
    const ALL: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];
    static NAMES: std::sync::LazyLock<[&str; 3]> =
        std::sync::LazyLock::new(|| ALL.map(Severity::as_str));
    let at = ALL.iter().position(|x| *x == s);
    &NAMES[at.unwrap_or(0)]
}

/// A field's value (its size is checked by the caller).
fn field(f: FieldSlot<'_>) -> V<'_> {
    match f {
        FieldSlot::Missing => V::Unit,
        FieldSlot::Bool(b) => V::Bool(b),
        FieldSlot::Int(i) => V::Int(i),
        FieldSlot::Num(x) => V::Float(x),
        FieldSlot::Text(s) => V::Str(Str::Text(s)),
        FieldSlot::Enum(s) => V::Str(Str::Name(s)),
        FieldSlot::List(items) => V::List(items),
        FieldSlot::Load(months) => V::Load(months),
    }
}

/// The interpreter's data-size check on a value a call returned or a variable received.
fn check_size<'a>(v: &V<'a>) -> R<'a, ()> {
    fn sizes(v: &V<'_>) -> (usize, usize) {
        match v {
            V::Str(s) => (0, s.as_str().len()),
            V::Array(a) => a.iter().fold((a.len(), 0), |(n, s), x| {
                let (n2, s2) = sizes(x);
                (n + n2, s + s2)
            }),
            V::List(l) => (l.len(), l.iter().map(String::len).sum()),
            V::Load(m) => (m.len(), 0),
            V::Consts(c) => const_sizes(c),
            _ => (0, 0),
        }
    }
    fn const_sizes(items: &[Const]) -> (usize, usize) {
        items.iter().fold((items.len(), 0), |(n, s), x| {
            let (n2, s2) = match x {
                Const::Str(t) => (0, t.len()),
                Const::Array(a) => const_sizes(a),
                _ => (0, 0),
            };
            (n + n2, s + s2)
        })
    }
    match v {
        V::Str(s) if s.as_str().len() >= MAX_STRING => bail(),
        V::Array(_) | V::List(_) | V::Load(_) | V::Consts(_) => {
            let (n, s) = sizes(v);
            if n >= MAX_ARRAY || s >= MAX_STRING {
                bail()
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

fn number(v: &V<'_>) -> Option<f64> {
    match v {
        V::Float(f) => Some(*f),
        V::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn to_arg<'a>(v: &V<'a>) -> R<'a, Arg> {
    Ok(match v {
        V::Int(i) => Arg::Int(*i),
        V::Float(f) => Arg::Num(*f),
        V::Unit => Arg::Text("?".into()),
        V::Str(s) => Arg::Text(s.as_str().to_string()),
        V::Bool(b) => Arg::Text(b.to_string()),
        V::Array(_) | V::List(_) | V::Load(_) | V::Consts(_) | V::Fn(_) => return bail(),
    })
}

fn text<'v, 'a>(v: &'v V<'a>) -> R<'a, &'v str> {
    match v {
        V::Str(s) => Ok(s.as_str()),
        _ => bail(),
    }
}

fn criterion<'a>(v: &V<'a>) -> R<'a, usize> {
    Criterion::parse(text(v)?)
        .map(|c| c as usize)
        .ok_or(Ctl::Bail)
}

fn recommendation<'a>(v: &V<'a>) -> R<'a, Recommendation> {
    Recommendation::parse(text(v)?).ok_or(Ctl::Bail)
}

fn method<'a>(v: &V<'a>) -> R<'a, Method> {
    Method::from_id(text(v)?).ok_or(Ctl::Bail)
}

fn severity<'a>(v: &V<'a>) -> R<'a, Severity> {
    Severity::parse(text(v)?).ok_or(Ctl::Bail)
}

fn field_name<'a>(v: &V<'a>) -> R<'a, Field> {
    Field::from_name(text(v)?).ok_or(Ctl::Bail)
}

/// Rhai's float comparison (checked builds): relative to the larger magnitude, within `f64::EPSILON`.
fn float_cmp(op: Bin, x: f64, y: f64) -> bool {
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    match op {
        Bin::Eq => max == 0.0 || (x - y).abs() / max <= f64::EPSILON,
        Bin::Ne => max != 0.0 && (x - y).abs() / max > f64::EPSILON,
        Bin::Gt => max != 0.0 && (x - y) / max > f64::EPSILON,
        Bin::Ge => max == 0.0 || (x - y) / max > -f64::EPSILON,
        Bin::Lt => max != 0.0 && (y - x) / max > f64::EPSILON,
        Bin::Le => max == 0.0 || (y - x) / max > -f64::EPSILON,
        _ => false,
    }
}

fn ordered<T: PartialOrd>(op: Bin, x: T, y: T) -> bool {
    match op {
        Bin::Eq => x == y,
        Bin::Ne => x != y,
        Bin::Lt => x < y,
        Bin::Le => x <= y,
        Bin::Gt => x > y,
        Bin::Ge => x >= y,
        _ => false,
    }
}

/// `==` as `contains` uses it: values of different types are unequal; a type without `==` bails.
fn equals<'a>(a: &V<'a>, b: &V<'a>) -> R<'a, bool> {
    compare(Bin::Eq, a, b)
}

/// Rhai's built-in comparison operators (`op` is one; `func/builtin.rs`): numbers with each other,
/// booleans, texts, `()`; values of different types are unequal; anything else would call a
/// registered function or fail, so it bails.
#[inline]
fn compare<'a>(op: Bin, a: &V<'a>, b: &V<'a>) -> R<'a, bool> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => Ok(ordered(op, x, y)),
        (V::Float(x), V::Float(y)) => Ok(float_cmp(op, *x, *y)),
        (V::Float(x), V::Int(y)) => Ok(float_cmp(op, *x, *y as f64)),
        (V::Int(x), V::Float(y)) => Ok(float_cmp(op, *x as f64, *y)),
        _ => compare_other(op, a, b),
    }
}

#[inline(never)]
fn compare_other<'a>(op: Bin, a: &V<'a>, b: &V<'a>) -> R<'a, bool> {
    Ok(match (a, b) {
        (V::Bool(x), V::Bool(y)) => ordered(op, x, y),
        (V::Str(x), V::Str(y)) => ordered(op, x.as_str(), y.as_str()),
        (V::Unit, V::Unit) => op == Bin::Eq,
        (V::Unit, V::Str(_)) | (V::Str(_), V::Unit) => op == Bin::Ne,
        _ if type_of(a) != type_of(b) => op == Bin::Ne,
        _ => return bail(),
    })
}

/// Rhai's built-in binary operators (`func/builtin.rs`): comparisons as [`compare`], arithmetic, and
/// texts joined with `+` (in `bump`); anything else would call a registered function or fail, so it
/// bails.
fn binary<'a>(op: Bin, a: &V<'a>, b: &V<'a>, bump: &'a Bump) -> R<'a, V<'a>> {
    use V::*;
    if is_comparison(op) {
        return compare(op, a, b).map(Bool);
    }
    Ok(match (a, b) {
        (Int(x), Int(y)) => {
            let r = match op {
                Bin::Add => x.checked_add(*y),
                Bin::Sub => x.checked_sub(*y),
                Bin::Mul => x.checked_mul(*y),
                Bin::Div => x.checked_div(*y),
                Bin::Rem => x.checked_rem(*y),
                _ => None,
            };
            Int(r.ok_or(Ctl::Bail)?)
        }
        (Float(_) | Int(_), Float(_) | Int(_)) => {
            let (x, y) = (number(a).unwrap_or(0.0), number(b).unwrap_or(0.0));
            Float(match op {
                Bin::Add => x + y,
                Bin::Sub => x - y,
                Bin::Mul => x * y,
                Bin::Div => x / y,
                Bin::Rem => x % y,
                _ => return bail(),
            })
        }
        (Str(x), Str(y)) if op == Bin::Add => {
            let (x, y) = (x.as_str(), y.as_str());
            if x.len() + y.len() > MAX_STRING {
                return bail();
            }
            within_arena(bump)?;
            let mut s = bumpalo::collections::String::with_capacity_in(x.len() + y.len(), bump);
            s.push_str(x);
            s.push_str(y);
            let s: &'a str = s.into_bump_str();
            Str(self::Str::Owned(bump.alloc(s)))
        }
        (Unit, Str(s)) | (Str(s), Unit) if op == Bin::Add => Str(*s),
        _ => return bail(),
    })
}
