//! Static checks of rule scripts from their Rhai AST: every literal name a script passes to the script API
//! (parameters, message keys, checklist items, fields, severities, criteria, levels) and every `op.<field>`
//! must exist, checked at load time and located, with a suggestion.
//!
//! The walk ([`name_uses`]) is shared: the linter checks what it finds, and the rules reference lists the
//! parameters each rule reads from it. It reads the syntax tree, so a name inside a string literal or a
//! comment is never mistaken for a use, and `param( "x")` is read like `param("x")`. Only literal
//! arguments are checked; a name computed at run time is checked when it is used.

use std::sync::Arc;

use rhai::{ASTNode, Engine, Expr, OptimizationLevel, Position, AST};

use super::budget::{MAX_EXPR_DEPTH, MAX_FN_EXPR_DEPTH};
use super::RuleSet;
use crate::catalog::Field;
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::model::{Criterion, Recommendation, Severity};
use crate::suggest::did_you_mean;

pub use super::api::NameKind;
use super::api::Role;

/// A literal name found in a script, with where it was written (1-based; the column of its first
/// character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameUse {
    pub kind: NameKind,
    pub name: String,
    pub line: usize,
    pub column: usize,
    /// For a message key: how many message arguments the call passes, when it passes none or a literal
    /// list (a list computed at run time is `None`).
    pub arguments: Option<usize>,
}

/// Parses a script for the walk. Unoptimised, so that literal lists keep their elements and positions
/// (the optimiser folds `["a", "b"]` into one constant). A script that does not parse has no uses: the
/// runtime reports why it does not compile.
fn parse(text: &str) -> Option<AST> {
    let mut engine = Engine::new_raw();
    // The runtime's bounds: a script too deeply nested for it is refused here too, never walked.
    engine
        .set_optimization_level(OptimizationLevel::None)
        .set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FN_EXPR_DEPTH);
    engine.compile(text).ok()
}

fn place(pos: Position) -> (usize, usize) {
    (pos.line().unwrap_or(1), pos.position().unwrap_or(1))
}

/// Every literal name the script passes to the script API, and every `op.<field>`, in source order.
pub fn name_uses(text: &str) -> Vec<NameUse> {
    let Some(ast) = parse(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // A string literal's position is its opening quote; the name starts one column later.
    let literal = |e: &Expr, kind: NameKind, found: &mut Vec<NameUse>| {
        if let Expr::StringConstant(s, pos) = e {
            let (line, column) = place(*pos);
            found.push(NameUse {
                kind,
                name: s.to_string(),
                line,
                column: column + 1,
                arguments: None,
            });
        }
    };
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, _))) => {
                let name = call.name.as_str();
                let arity = call.args.len();
                if let Some(function) = super::api::lookup(name, arity) {
                    for &(i, role) in function.roles {
                        let Some(arg) = call.args.get(i) else {
                            continue;
                        };
                        match role {
                            Role::Name(kind) => {
                                literal(arg, kind, &mut found);
                                if kind == NameKind::Message {
                                    if let Some(u) = found.last_mut() {
                                        u.arguments = match function
                                            .message_args_at()
                                            .and_then(|at| call.args.get(at))
                                        {
                                            None => Some(0),
                                            Some(Expr::Array(items, _)) => Some(items.len()),
                                            Some(_) => None,
                                        };
                                    }
                                }
                            }
                            Role::Fields => {
                                if let Expr::Array(items, _) = arg {
                                    for item in items.iter() {
                                        literal(item, NameKind::Field, &mut found);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Some(ASTNode::Expr(Expr::Dot(dot, _, _))) => {
                if let Expr::Variable(var, _, _) = &dot.lhs {
                    if var.1.as_str() == "op" {
                        if let Some((name, pos)) = first_property(&dot.rhs) {
                            let (line, column) = place(pos);
                            found.push(NameUse {
                                kind: NameKind::Field,
                                name,
                                line,
                                column,
                                arguments: None,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    found.sort_by_key(|u| (u.line, u.column));
    found
}

/// The property read first in a chain (`op.hazards.len()` reads `hazards`).
fn first_property(e: &Expr) -> Option<(String, Position)> {
    match e {
        Expr::Property(p, pos) => Some((p.2.to_string(), *pos)),
        Expr::Dot(x, ..) | Expr::Index(x, ..) => first_property(&x.lhs),
        _ => None,
    }
}

/// The parameters a script reads with a literal name, sorted, without repeats.
pub fn parameters_used(text: &str) -> Vec<String> {
    let mut names: Vec<String> = name_uses(text)
        .into_iter()
        .filter(|u| u.kind == NameKind::Parameter)
        .map(|u| u.name)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Checks one rule's script; every problem goes to `problems`, located in the script.
pub fn check_script(
    rules: &RuleSet,
    rule: usize,
    file: &Arc<SourceFile>,
    problems: &mut Diagnostics,
) {
    let rule_id = &rules.manifest.rules[rule].id;
    let params: Vec<&str> = rules
        .parameters
        .parameters
        .keys()
        .map(String::as_str)
        .collect();
    let messages: Vec<&str> = rules.messages.iter().map(|(k, _)| k.as_str()).collect();
    let items: Vec<&str> = rules.items.iter().map(|i| i.id.as_str()).collect();
    let severities = ["high", "medium", "low"];
    let criteria = ["C1", "C2", "C3", "C4", "C5"];
    let levels = ["outsource", "partial", "study", "in_house"];
    for u in name_uses(&file.text) {
        let at = Location::new(file, u.line, u.column, u.name.chars().count());
        let name = u.name.as_str();
        let (known, what_ja, what_en): (&[&str], &str, &str) = match u.kind {
            NameKind::Parameter => (&params, "パラメータ", "parameter"),
            NameKind::Message => (&messages, "メッセージ", "message"),
            NameKind::RiskItem | NameKind::StandardClause => {
                (&items, "チェック項目", "checklist item")
            }
            NameKind::Field => {
                if Field::from_name(name).is_none() {
                    let mut d = Diagnostic::error(
                        Code::RulesUnknownField,
                        format!("ルール `{rule_id}`: 業務にフィールド `{name}` はありません"),
                        format!("rule `{rule_id}`: operations have no field `{name}`"),
                    )
                    .at(at);
                    if let Some(s) = did_you_mean(name, Field::NAMES.iter().copied()) {
                        d = suggest(d, s);
                    }
                    problems.push(d);
                }
                continue;
            }
            NameKind::Severity => {
                if Severity::parse(name).is_none() {
                    problems.push(closed_word(
                        rule_id,
                        name,
                        at,
                        ("重大度", "severity"),
                        &severities,
                    ));
                }
                continue;
            }
            NameKind::Criterion => {
                if Criterion::parse(name).is_none() {
                    problems.push(closed_word(
                        rule_id,
                        name,
                        at,
                        ("基準", "criterion"),
                        &criteria,
                    ));
                }
                continue;
            }
            NameKind::Method => {
                if crate::method::Method::from_id(name).is_none() {
                    let ids: Vec<&str> =
                        crate::method::Method::ALL.iter().map(|m| m.id()).collect();
                    problems.push(closed_word(rule_id, name, at, ("手法", "method"), &ids));
                }
                continue;
            }
            NameKind::Recommendation => {
                if Recommendation::parse(name).is_none() {
                    problems.push(closed_word(
                        rule_id,
                        name,
                        at,
                        ("判定", "recommendation"),
                        &levels,
                    ));
                }
                continue;
            }
        };
        if u.kind == NameKind::Message {
            if let (Some(passed), Some(&m)) = (u.arguments, rules.message_index.get(name)) {
                let needed = rules.templates[m as usize]
                    .iter()
                    .map(|t| t.arguments())
                    .max()
                    .unwrap_or(0);
                if needed > passed {
                    problems.push(
                        Diagnostic::error(
                            Code::RulesTemplateArguments,
                            format!("ルール `{rule_id}`: メッセージ `{name}` は引数を{needed}個使いますが、この呼び出しは{passed}個しか渡していません"),
                            format!("rule `{rule_id}`: message `{name}` uses {needed} arguments but this call passes {passed}"),
                        )
                        .at(at)
                        .help(
                            format!("引数のリストを補うか、messages.yaml の `{name}` の差し込み番号を直してください"),
                            format!("pass the missing arguments, or fix the placeholder numbers of `{name}` in messages.yaml"),
                        ),
                    );
                    continue;
                }
            }
        }
        if !known.contains(&name) {
            let (file_name_ja, file_name_en) = match u.kind {
                NameKind::Parameter => ("parameters.yaml にありません", "not in parameters.yaml"),
                NameKind::Message => ("messages.yaml にありません", "not in messages.yaml"),
                _ => ("items.yaml にありません", "not in items.yaml"),
            };
            let mut d = Diagnostic::error(
                Code::RulesUnknownName,
                format!(
                    "ルール `{rule_id}`: {what_ja} `{name}` は定義されていません ({file_name_ja})"
                ),
                format!("rule `{rule_id}`: unknown {what_en} `{name}` ({file_name_en})"),
            )
            .at(at);
            if let Some(s) = did_you_mean(name, known.iter().copied()) {
                d = suggest(d, s);
            }
            problems.push(d);
            continue;
        }
        // A standard clause is raised with `clause` (no severity), a risk with `flag`.
        let standard = rules.items.iter().any(|i| i.id == name && i.standard);
        let (ja, en) = match u.kind {
            NameKind::RiskItem if standard => (
                format!("ルール `{rule_id}`: `{name}` は標準条項 (standard: true) です。clause(\"{name}\") で挙げてください"),
                format!("rule `{rule_id}`: `{name}` is a standard clause (standard: true): raise it with clause(\"{name}\")"),
            ),
            NameKind::StandardClause if !standard => (
                format!("ルール `{rule_id}`: `{name}` はリスク項目です。flag(\"{name}\", 重大度) で挙げてください"),
                format!("rule `{rule_id}`: `{name}` is a risk item: raise it with flag(\"{name}\", severity)"),
            ),
            _ => continue,
        };
        problems.push(Diagnostic::error(Code::RulesItemKind, ja, en).at(at));
    }
}

fn suggest(d: Diagnostic, s: &str) -> Diagnostic {
    d.help(
        format!("`{s}` の誤りではありませんか?"),
        format!("did you mean `{s}`?"),
    )
}

/// A word of a closed list (severity, criterion, level) that is not on it.
fn closed_word(
    rule_id: &str,
    name: &str,
    at: Location,
    (what_ja, what_en): (&str, &str),
    allowed: &[&str],
) -> Diagnostic {
    let list = allowed.join(", ");
    let d = Diagnostic::error(
        Code::RulesUnknownName,
        format!("ルール `{rule_id}`: {what_ja} `{name}` はありません (使える値: {list})"),
        format!("rule `{rule_id}`: unknown {what_en} `{name}`: expected one of {list}"),
    )
    .at(at);
    match did_you_mean(name, allowed.iter().copied()) {
        Some(s) => suggest(d, s),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(text: &str) -> Vec<(NameKind, String, usize, usize)> {
        name_uses(text)
            .into_iter()
            .map(|u| (u.kind, u.name, u.line, u.column))
            .collect()
    }

    #[test]
    fn finds_literal_names_but_not_text_in_strings_or_comments() {
        let src = "let x = param(\"a.b\");\n// param(\"ignored\")\nlet y = myparam(\"no\") + param( \"c\");\nlet s = \"op.nothing\";\n";
        assert_eq!(
            uses(src),
            vec![
                (NameKind::Parameter, "a.b".to_string(), 1, 16),
                (NameKind::Parameter, "c".to_string(), 3, 33),
            ]
        );
    }

    #[test]
    fn finds_fields_read_through_op_and_named_in_calls() {
        let src = "if op.hazards.len() > 0 && op.routine_share > 0.5 {\n  contradiction(\"k\", [\"a\", \"b\"]);\n  flag(\"s1-x\", \"high\");\n}\n";
        assert_eq!(
            uses(src),
            vec![
                (NameKind::Field, "hazards".to_string(), 1, 7),
                (NameKind::Field, "routine_share".to_string(), 1, 31),
                (NameKind::Message, "k".to_string(), 2, 18),
                (NameKind::Field, "a".to_string(), 2, 24),
                (NameKind::Field, "b".to_string(), 2, 29),
                (NameKind::RiskItem, "s1-x".to_string(), 3, 9),
                (NameKind::Severity, "high".to_string(), 3, 17),
            ]
        );
    }

    #[test]
    fn computed_names_are_not_checked() {
        let src = "let k = \"x\";\nparam(k);\nflag(k, k);\n";
        assert!(uses(src).is_empty());
    }

    #[test]
    fn a_script_too_deeply_nested_is_not_walked() {
        let deep = format!("param({}\"x\"{});", "(".repeat(500), ")".repeat(500));
        assert!(uses(&deep).is_empty());
        assert_eq!(
            parameters_used("let x = param(\"b\") + param(\"a\") + param(\"b\");"),
            ["a", "b"]
        );
    }

    #[test]
    fn function_bodies_are_walked() {
        let src = "fn f() { param(\"inside\") }\nf();\n";
        assert_eq!(
            uses(src),
            vec![(NameKind::Parameter, "inside".to_string(), 1, 17)]
        );
    }
}
