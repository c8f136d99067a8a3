//! Validation of one operation entry: a located node (from YAML or JSON) becomes an [`Operation`], or the
//! problems that stop it, each located in its file, with "did you mean" where a name is misspelled. Every
//! source of operations (whole files, split files, JSON Lines, the stream, questionnaires, rule test
//! cases) validates through here.

use std::sync::Arc;

use super::fields::{Field, NodeProblem, OperationId, ValueProblem};
use super::{Operation, Origin};
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::suggest::did_you_mean;
use crate::yaml::{self, Node, Pos, Value};

/// Problems reported per file before loading that file stops: a file of a million broken entries
/// gives a readable report, in bounded time and memory, not a million messages.
pub(crate) const MAX_PROBLEMS_PER_FILE: usize = 200;

/// The problem of an id that an earlier operation already uses.
pub(crate) fn duplicate_id(
    file: &Arc<SourceFile>,
    line: usize,
    id: &str,
    first: &Origin,
) -> Diagnostic {
    Diagnostic::error(
        Code::CatalogDuplicateId,
        format!(
            "業務ID `{id}` が重複しています (最初の定義: {}:{})",
            first.file, first.line
        ),
        format!(
            "duplicate operation id `{id}` (first defined at {}:{})",
            first.file, first.line
        ),
    )
    .at(Location::new(file, line, 1, 1))
    .help(
        "どちらかの業務IDを変更してください",
        "give one of the two operations a different id",
    )
}

pub(crate) fn build_operation(
    file: &Arc<SourceFile>,
    node: Node,
) -> Result<Operation, Diagnostics> {
    build_operation_keeping(file, node, &mut None)
}

/// [`build_operation`]; when the entry is invalid but its hazards are readable, `kept` receives its id
/// as written and its hazard words (checked against the rule set's vocabulary later).
pub(crate) fn build_operation_keeping(
    file: &Arc<SourceFile>,
    node: Node,
    kept: &mut Option<(String, Vec<String>)>,
) -> Result<Operation, Diagnostics> {
    let entries = match node.value {
        Value::Map(entries) => entries,
        other => {
            return Err(Diagnostic::error(
                Code::CatalogStructure,
                format!(
                    "業務はマッピング (キー: 値) である必要があります ({} でした)",
                    other.kind()
                ),
                format!(
                    "an operation must be a mapping of fields (found a {})",
                    other.kind()
                ),
            )
            .at(Location::new(
                file,
                node.pos.line,
                node.pos.column,
                node.len,
            ))
            .help(
                "`- id: ...` の次の行から同じインデントでフィールドを書いてください",
                "write the fields under `- id: ...` with equal indentation",
            )
            .into())
        }
    };
    let mut problems = Diagnostics::default();
    let mut seen: Vec<(Field, Pos)> = Vec::new();
    let mut fields: Vec<(Field, Node)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        // One operation with 60,000 unknown keys gives a readable report too, in bounded time.
        if problems.len() >= MAX_PROBLEMS_PER_FILE {
            problems.push(
                Diagnostic::error(
                    Code::CatalogTooManyProblems,
                    format!("問題が多すぎるため、この業務の残りは検査していません (最初の{MAX_PROBLEMS_PER_FILE}件を表示)"),
                    format!("too many problems: the rest of this operation was not checked (the first {MAX_PROBLEMS_PER_FILE} are shown)"),
                )
                .at(Location::new(file, key.pos.line, key.pos.column, key.len)),
            );
            return Err(problems);
        }
        let Value::Str(name) = &key.value else {
            problems.push(
                Diagnostic::error(
                    Code::CatalogUnknownField,
                    "フィールド名は文字列である必要があります",
                    "field names must be strings",
                )
                .at(Location::new(file, key.pos.line, key.pos.column, key.len)),
            );
            continue;
        };
        let Some(field) = Field::from_name(name) else {
            let mut d = Diagnostic::error(
                Code::CatalogUnknownField,
                format!("不明なフィールド `{name}`"),
                format!("unknown field `{name}`"),
            )
            .at(Location::new(file, key.pos.line, key.pos.column, key.len));
            d = match did_you_mean(name, Field::NAMES.iter().copied()) {
                Some(s) => d.help(format!("`{s}` の誤りではありませんか?"), format!("did you mean `{s}`?")),
                None => d.help(
                    "使えるフィールドは docs/catalog.md (または `itaku schema --format md`) を参照してください",
                    "see docs/catalog.md (or `itaku schema --format md`) for the list of fields",
                ),
            };
            problems.push(d);
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(f, _)| *f == field) {
            problems.push(
                Diagnostic::error(
                    Code::CatalogDuplicateKey,
                    format!(
                        "フィールド `{name}` が同じ業務の中で2回書かれています (最初: {}行目)",
                        first.line
                    ),
                    format!(
                        "field `{name}` appears twice in the same operation (first at line {})",
                        first.line
                    ),
                )
                .at(Location::new(file, key.pos.line, key.pos.column, key.len))
                .help("どちらか一方を削除してください", "remove one of them"),
            );
            continue;
        }
        seen.push((field, key.pos));
        if value.value != Value::Null {
            fields.push((field, value));
        }
    }

    let text_of = |field: Field, problems: &mut Diagnostics| -> Option<(String, Pos, usize)> {
        match fields.iter().find(|(f, _)| *f == field) {
            Some((_, node)) => match &node.value {
                Value::Str(s) if !s.trim().is_empty() => Some((s.clone(), node.pos, node.len)),
                other => {
                    problems.push(
                        Diagnostic::error(
                            Code::CatalogWrongType,
                            format!(
                                "`{}` には空でない文字列が必要です ({} でした)",
                                field.name(),
                                other.kind()
                            ),
                            format!(
                                "`{}` must be a non-empty string (found {})",
                                field.name(),
                                other.kind()
                            ),
                        )
                        .at(Location::new(
                            file,
                            node.pos.line,
                            node.pos.column,
                            node.len,
                        )),
                    );
                    None
                }
            },
            None => {
                problems.push(
                    Diagnostic::error(
                        Code::CatalogMissingRequired,
                        format!("必須フィールド `{}` がありません", field.name()),
                        format!("required field `{}` is missing", field.name()),
                    )
                    .at(Location::new(file, node.pos.line, node.pos.column, 1))
                    .help(
                        format!("`{}: ...` を追加してください", field.name()),
                        format!("add `{}: ...`", field.name()),
                    ),
                );
                None
            }
        }
    };
    let id = text_of(Field::id, &mut problems);
    let name = text_of(Field::name, &mut problems);
    let department = text_of(Field::department, &mut problems);
    let id = id.and_then(|(raw, pos, len)| {
        let parsed = OperationId::parse(&raw);
        if let Some((ja, en)) = OperationId::refusal(&raw) {
            let mut fixed: String = raw
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            fixed = fixed.trim_start_matches('-').to_string();
            if fixed.is_empty() || crate::catalog::fields::RESERVED_IDS.contains(&fixed.as_str()) {
                fixed = format!("op-{fixed}").trim_end_matches('-').to_string();
            }
            problems.push(
                Diagnostic::error(
                    Code::CatalogInvalidId,
                    format!("業務ID `{raw}` は{ja}"),
                    format!("operation id `{raw}` {en}"),
                )
                .at(Location::new(file, pos.line, pos.column, len))
                .help(format!("例: `{fixed}`"), format!("for example `{fixed}`")),
            );
        }
        parsed
    });

    let mut op = match (id, name, department) {
        (Some(id), Some((name, ..)), Some((department, ..))) => {
            Some(Operation::new(id, name, department))
        }
        _ => None,
    };
    let mut scratch = Operation::new(
        OperationId::parse("x").expect("valid"),
        String::new(),
        String::new(),
    );
    for (field, value) in &mut fields {
        if field.is_required() {
            continue;
        }
        let target = op.as_mut().unwrap_or(&mut scratch);
        // The value is moved into the operation (the entry stays, emptied, in its place).
        let node = Node {
            value: std::mem::replace(&mut value.value, Value::Null),
            pos: value.pos,
            len: value.len,
            raw: value.raw.take(),
        };
        if let Err(p) = target.set(*field, node) {
            problems.push(value_problem(file, *field, p));
        }
    }
    match op {
        Some(op) if problems.is_empty() => Ok(op),
        op => {
            let hazards = op.as_ref().unwrap_or(&scratch).hazards.clone();
            if let Some(hazards) = hazards.filter(|h| !h.is_empty()) {
                let id = fields
                    .iter()
                    .find(|(f, _)| *f == Field::id)
                    .map(|(_, n)| yaml::scalar_text(n))
                    .unwrap_or_default();
                *kept = Some((id, hazards));
            }
            // Report in the order a reader meets the problems in the file.
            problems
                .0
                .sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.column)));
            Err(problems)
        }
    }
}

fn value_problem(file: &Arc<SourceFile>, field: Field, p: NodeProblem) -> Diagnostic {
    let name = field.name();
    let at = Location::new(file, p.pos.line, p.pos.column, p.len);
    match p.problem {
        ValueProblem::WrongType {
            expected_ja,
            expected_en,
            found,
        } => Diagnostic::error(
            Code::CatalogWrongType,
            format!("`{name}` には{expected_ja}が必要です ({found} でした)"),
            format!("`{name}` expects {expected_en} (found {found})"),
        )
        .at(at)
        .help(
            format!("`{name}` の値を{expected_ja}にしてください"),
            format!("write {expected_en} for `{name}`"),
        ),
        ValueProblem::OutOfRange {
            value,
            bounds,
            integer,
        } => {
            let (lo, hi) = (bounds.min, bounds.max);
            let kind_ja = if integer { "整数" } else { "数値" };
            let kind_en = if integer { "an integer" } else { "a number" };
            let (range_ja, range_en) = if hi >= 1e9 {
                (format!("{lo}以上の{kind_ja}"), format!("{kind_en} ≥ {lo}"))
            } else {
                (
                    format!("{lo}以上{hi}以下の{kind_ja}"),
                    format!("{kind_en} from {lo} to {hi}"),
                )
            };
            let mut d = Diagnostic::error(
                Code::CatalogOutOfRange,
                format!("`{name}` の値 {value} は範囲外です: {range_ja}が必要です"),
                format!("`{name}` value {value} is out of range: expected {range_en}"),
            )
            .at(at);
            d = if field == Field::routine_share
                && value.parse::<f64>().is_ok_and(|v| v > 1.0 && v <= 100.0)
            {
                d.help(
                    "割合は 0〜1 で書きます (例: 92% なら 0.92)",
                    "shares are written 0..1 (e.g. 0.92 for 92%)",
                )
            } else {
                d.help(
                    format!("{range_ja}を書いてください"),
                    format!("write {range_en}"),
                )
            };
            d
        }
        ValueProblem::UnknownValue { value, allowed } => {
            let mut d = Diagnostic::error(
                Code::CatalogUnknownValue,
                format!(
                    "`{name}` に `{value}` は使えません。使える値: {}",
                    allowed.join(", ")
                ),
                format!(
                    "`{name}` cannot be `{value}`; allowed values: {}",
                    allowed.join(", ")
                ),
            )
            .at(at);
            if let Some(s) = did_you_mean(&value, allowed.iter().copied()) {
                d = d.help(
                    format!("`{s}` の誤りではありませんか?"),
                    format!("did you mean `{s}`?"),
                );
            } else {
                d = d.help(
                    format!("次のいずれかを書いてください: {}", allowed.join(", ")),
                    format!("write one of: {}", allowed.join(", ")),
                );
            }
            d
        }
        ValueProblem::WrongLength { expected, found } => Diagnostic::error(
            Code::CatalogWrongLength,
            format!("`{name}` には{expected}個の値が必要です ({found}個でした)"),
            format!("`{name}` needs {expected} values (found {found})"),
        )
        .at(at)
        .help(
            "4月から3月まで12か月分を書いてください",
            "write 12 values, April through March",
        ),
    }
}
