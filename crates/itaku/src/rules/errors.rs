//! Rules that fail at run time: what went wrong, in sentences a rule author understands (Japanese and
//! English) instead of Rhai's internal wording such as `Function not found: / (&str | ImmutableString, i64)`,
//! and the same failure on many operations gathered into one report ([`RuleErrorGroups`]).

use std::collections::HashMap;

use rhai::EvalAltResult;

use super::{RuleError, RuleSet};
use crate::catalog::Field;
use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::lang::Text;
use crate::suggest::did_you_mean;

/// Operation ids named in each group of a report.
pub const IDS_SHOWN: usize = 3;

/// Distinct failures kept (rule, place, message); beyond them only a count, so that a stream of millions
/// of operations whose messages all differ cannot exhaust memory.
pub const MAX_GROUPS: usize = 1_000;

/// The same failure (rule, place, message) on many operations, reported once with a count and the first
/// few operation ids, instead of once per operation.
#[derive(Debug, Default)]
pub struct RuleErrorGroups {
    groups: Vec<Group>,
    index: HashMap<(u16, usize, usize, String), usize>,
    /// Failures beyond [`MAX_GROUPS`] distinct ones.
    pub others: usize,
}

#[derive(Debug)]
struct Group {
    error: RuleError,
    count: usize,
    ids: Vec<String>,
}

impl RuleErrorGroups {
    /// Adds the errors of one operation.
    pub fn add(&mut self, operation: &str, errors: &[RuleError]) {
        for e in errors {
            let key = (e.rule, e.line, e.column, e.message.clone());
            match self.index.get(&key) {
                Some(&i) => {
                    let g = &mut self.groups[i];
                    g.count += 1;
                    if g.ids.len() < IDS_SHOWN {
                        g.ids.push(operation.to_string());
                    }
                }
                None if self.groups.len() >= MAX_GROUPS => self.others += 1,
                None => {
                    self.index.insert(key, self.groups.len());
                    self.groups.push(Group {
                        error: e.clone(),
                        count: 1,
                        ids: vec![operation.to_string()],
                    });
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.others == 0
    }

    /// One diagnostic per group, located at the failing line of the rule's script (which it shows), in
    /// the order the failures were first met.
    pub fn diagnostics(&self, rules: &RuleSet) -> Diagnostics {
        let mut out = Diagnostics::default();
        for g in &self.groups {
            let e = &g.error;
            let rule = &rules.rule(e.rule).id;
            let ids = g
                .ids
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let more = g.count - g.ids.len();
            let (ja, en) = if g.count == 1 {
                (
                    format!("ルール `{rule}` が業務 {ids} で失敗しました: {}", e.text.ja),
                    format!("rule `{rule}` failed on operation {ids}: {}", e.text.en),
                )
            } else {
                let (more_ja, more_en) = if more > 0 {
                    (format!(" ほか{more}件"), format!(" and {more} more"))
                } else {
                    (String::new(), String::new())
                };
                (
                    format!(
                        "ルール `{rule}` が {}件の業務 ({ids}{more_ja}) で失敗しました: {}",
                        g.count, e.text.ja
                    ),
                    format!(
                        "rule `{rule}` failed on {} operations ({ids}{more_en}): {}",
                        g.count, e.text.en
                    ),
                )
            };
            let d = Diagnostic::error(Code::RulesRuntime, ja, en).help(
                "失敗したルールの業務は要検討になります。ルールを直して再実行してください",
                "operations on which a rule failed are marked study: fix the rule and run again",
            );
            let script = rules.scripts.get(usize::from(e.rule));
            out.push(match script {
                Some(file) if e.line > 0 => d.at(Location::new(file, e.line, e.column, 1)),
                _ => d.in_file(e.file.clone()),
            });
        }
        if self.others > 0 {
            out.push(Diagnostic::error(
                Code::RulesRuntime,
                format!(
                    "ほかに {}件のルールの失敗があります (種類が多すぎるため省略)",
                    self.others
                ),
                format!(
                    "{} more rule failures (too many kinds to list)",
                    self.others
                ),
            ));
        }
        out
    }
}

fn text(ja: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        ja: ja.into(),
        en: en.into(),
    }
}

/// A Rhai type as a rule author knows it: (noun in an English sentence, short English name, Japanese).
fn type_words(rhai: &str) -> (String, String, String) {
    let t = rhai.trim();
    let (noun, short, ja) = match t {
        "()" => ("an unknown fact `()`", "()", "不明な事実 `()`"),
        "i64" | "i32" | "INT" => ("a number", "integer", "整数"),
        "f64" | "f32" | "FLOAT" => ("a number", "decimal", "小数"),
        "bool" => ("true/false", "boolean", "真偽値"),
        "char" => ("a character", "character", "文字"),
        "Operation" => ("the operation `op`", "operation", "業務 `op`"),
        _ if t.contains("ImmutableString")
            || t.contains("&str")
            || t == "String"
            || t == "string" =>
        {
            ("text", "string", "文字列")
        }
        _ if t.eq_ignore_ascii_case("array") || t.contains("Array") => ("a list", "list", "リスト"),
        _ if t.eq_ignore_ascii_case("map") || t.contains("Map") => ("a map", "map", "マップ"),
        _ => {
            return (
                format!("a value of type {t}"),
                t.to_string(),
                format!("{t} 型の値"),
            )
        }
    };
    (noun.to_string(), short.to_string(), ja.to_string())
}

/// Splits Rhai's function signature `name (type, type)` into the name and the argument types.
fn signature(sig: &str) -> (String, Vec<String>) {
    let Some(open) = sig.find(" (") else {
        return (sig.trim().to_string(), Vec::new());
    };
    let name = sig[..open].trim().to_string();
    let inner = sig[open + 2..].trim_end().trim_end_matches(')');
    // Types never contain commas themselves (`&str | ImmutableString`), so a comma separates arguments.
    let args = inner
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (name, args)
}

/// What an operator does, as (English verb phrase, Japanese verb phrase) for "cannot …".
fn operator_words(
    op: &str,
    a: &(String, String, String),
    b: &(String, String, String),
) -> Option<(String, String)> {
    let (an, _, aj) = a;
    let (bn, _, bj) = b;
    Some(match op.trim_end_matches('=') {
        "+" => (
            format!("add {bn} to {an}"),
            format!("{aj}に{bj}を足すことはできません"),
        ),
        "-" => (
            format!("subtract {bn} from {an}"),
            format!("{aj}から{bj}を引くことはできません"),
        ),
        "*" => (
            format!("multiply {an} by {bn}"),
            format!("{aj}に{bj}を掛けることはできません"),
        ),
        "/" => (
            format!("divide {an} by {bn}"),
            format!("{aj}を{bj}で割ることはできません"),
        ),
        "%" => (
            format!("take the remainder of {an} by {bn}"),
            format!("{aj}を{bj}で割った余りは求められません"),
        ),
        "**" => (
            format!("raise {an} to the power {bn}"),
            format!("{aj}を{bj}乗することはできません"),
        ),
        "" | "<" | ">" | "!" => (
            format!("compare {an} with {bn}"),
            format!("{aj}と{bj}は比べられません"),
        ),
        "&&" | "||" | "&" | "|" | "^" => (
            format!("combine {an} with {bn}"),
            format!("{aj}と{bj}は論理演算できません"),
        ),
        _ => return None,
    })
}

fn is_operator(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| "+-*/%<>=!&|^".contains(c))
}

const UNKNOWN_HINT_EN: &str =
    " (a fact the catalog does not give is `()`: test it with `known(op.…)` first)";
const UNKNOWN_HINT_JA: &str =
    " (カタログに書かれていない事実は `()` です。先に `known(op.…)` で確かめてください)";

/// Explains a failed rule's error (other than the sandbox limits, which the runtime words itself).
pub fn explain(err: &EvalAltResult) -> Text {
    match err {
        EvalAltResult::ErrorFunctionNotFound(sig, _) => function_not_found(sig),
        EvalAltResult::ErrorInFunctionCall(name, _, inner, _) => {
            let t = explain(inner);
            text(
                format!("関数 `{name}` の中で: {}", t.ja),
                format!("in function `{name}`: {}", t.en),
            )
        }
        EvalAltResult::ErrorMismatchDataType(want, found, _)
        | EvalAltResult::ErrorMismatchOutputType(want, found, _) => {
            let (_, ws, wj) = type_words(want);
            let (fn_, _, fj) = type_words(found);
            let unknown = found.trim() == "()";
            text(
                format!(
                    "{wj}が必要ですが、{fj}でした{}",
                    if unknown { UNKNOWN_HINT_JA } else { "" }
                ),
                format!(
                    "expected a {ws}, found {fn_}{}",
                    if unknown { UNKNOWN_HINT_EN } else { "" }
                ),
            )
        }
        EvalAltResult::ErrorArithmetic(message, _) => {
            if message.to_lowercase().contains("division by zero") {
                text(
                    format!("0 で割ろうとしました ({message})"),
                    format!("division by zero ({message})"),
                )
            } else {
                text(
                    format!("計算できません: {message}"),
                    format!("arithmetic error: {message}"),
                )
            }
        }
        EvalAltResult::ErrorArrayBounds(len, index, _) => text(
            format!("リストの位置 {index} はありません (要素は {len} 個)"),
            format!("the list has no element {index} (it has {len})"),
        ),
        EvalAltResult::ErrorStringBounds(len, index, _) => text(
            format!("文字列の位置 {index} はありません ({len} 文字)"),
            format!("the text has no character {index} (it has {len})"),
        ),
        EvalAltResult::ErrorIndexingType(t, _) => {
            let (noun, _, ja) = type_words(t);
            text(
                format!("{ja}は `[...]` で取り出せません"),
                format!("cannot take `[...]` of {noun}"),
            )
        }
        EvalAltResult::ErrorFor(_) => text(
            "`for` で繰り返せるのはリストか範囲だけです",
            "`for` can only loop over a list or a range",
        ),
        EvalAltResult::ErrorAssignmentToConstant(name, _) if name == "op" => text(
            "`op` は変更できません (ルールは業務を読むだけです)",
            "`op` cannot be changed: rules only read the operation",
        ),
        EvalAltResult::ErrorAssignmentToConstant(name, _) => text(
            format!("定数 `{name}` には代入できません"),
            format!("`{name}` is a constant and cannot be assigned"),
        ),
        EvalAltResult::ErrorVariableNotFound(name, _) => text(
            format!("変数 `{name}` は定義されていません"),
            format!("there is no variable `{name}`"),
        ),
        other => {
            let raw = other.to_string();
            let raw = raw.split(" (line ").next().unwrap_or(&raw);
            let raw = raw
                .strip_prefix("Runtime error: ")
                .unwrap_or(raw)
                .to_string();
            match unknown_property(&raw) {
                Some(name) if Field::from_name(&name).is_some() => text(
                    format!("`op.{name}` は読み取り専用です (ルールは業務を変更できません)"),
                    format!("`op.{name}` is read-only: rules cannot change the operation"),
                ),
                Some(name) => match did_you_mean(&name, Field::NAMES.iter().copied()) {
                    Some(s) => text(
                        format!(
                            "業務にフィールド `{name}` はありません。`{s}` の誤りではありませんか?"
                        ),
                        format!("operation has no field `{name}`: did you mean `{s}`?"),
                    ),
                    None => text(
                        format!("業務にフィールド `{name}` はありません"),
                        format!("operation has no field `{name}`"),
                    ),
                },
                None => text(raw.clone(), raw),
            }
        }
    }
}

fn function_not_found(sig: &str) -> Text {
    let (name, args) = signature(sig);
    let words: Vec<(String, String, String)> = args.iter().map(|a| type_words(a)).collect();
    let shorts_en = words
        .iter()
        .map(|w| w.1.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let shorts_ja = words
        .iter()
        .map(|w| w.2.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let unknown = args.iter().any(|a| a.trim() == "()");
    let (hint_en, hint_ja) = if unknown {
        (UNKNOWN_HINT_EN, UNKNOWN_HINT_JA)
    } else {
        ("", "")
    };
    if is_operator(&name) {
        let said = match words.as_slice() {
            [a, b] => operator_words(&name, a, b),
            [a] => Some((
                format!("apply `{name}` to {}", a.0),
                format!("{}に `{name}` は使えません", a.2),
            )),
            _ => None,
        };
        if let Some((en, ja)) = said {
            return text(
                format!("{ja}: `{name}` は ({shorts_ja}) に対して定義されていません{hint_ja}"),
                format!("cannot {en}: `{name}` is not defined for ({shorts_en}){hint_en}"),
            );
        }
    }
    text(
        format!("関数 `{name}` は ({shorts_ja}) を引数にとれません (その組み合わせの関数はありません){hint_ja}"),
        format!("no function `{name}` takes ({shorts_en}){hint_en}"),
    )
}

/// Extracts the property name from Rhai's "unknown property" errors.
fn unknown_property(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    if !(lower.contains("property") || lower.contains("getter")) {
        return None;
    }
    let start = text.find(['\'', '`', '"'])? + 1;
    let end = start + text[start..].find(['\'', '`', '"'])?;
    Some(text[start..end].trim_start_matches("get$").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_property_names_from_errors() {
        assert_eq!(
            unknown_property("Unknown property 'routin_share' - a getter is not registered")
                .as_deref(),
            Some("routin_share")
        );
        assert_eq!(unknown_property("Variable not found: x"), None);
    }

    #[test]
    fn operators_on_the_wrong_types_are_sentences() {
        let t = function_not_found("/ (&str | ImmutableString, i64)");
        assert_eq!(
            t.en,
            "cannot divide text by a number: `/` is not defined for (string, integer)"
        );
        assert_eq!(
            t.ja,
            "文字列を整数で割ることはできません: `/` は (文字列, 整数) に対して定義されていません"
        );
        let t = function_not_found("+ ((), i64)");
        assert!(
            t.en.starts_with("cannot add a number to an unknown fact `()`"),
            "{}",
            t.en
        );
        assert!(t.en.contains("known(op.…)"), "{}", t.en);
    }

    #[test]
    fn other_functions_name_their_arguments() {
        let t = function_not_found("contains ((), &str | ImmutableString)");
        assert!(
            t.en.starts_with("no function `contains` takes ((), string)"),
            "{}",
            t.en
        );
    }
}
