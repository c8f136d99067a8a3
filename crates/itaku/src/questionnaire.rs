//! Answers to the questionnaire ([`crate::catalog::questions`]) turned into a catalog entry.
//!
//! The browser (`itaku serve`) and scripts (`itaku new --answers`) both hand in answers as text per
//! field: a typed value, a choice's value or label, はい/いいえ, or わからない. They are written out as
//! the YAML text of one catalog entry, one field a line, and that text is read back by the catalog's own
//! loader: the entry is validated exactly like a hand-written one, with the same located errors, which
//! are then traced back to the question by their line. The same text is the draft file and what is
//! appended to a catalog, so what was validated is what is saved.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::catalog::questions::{question, Question};
use crate::catalog::{titles, Field, FieldKind, Operation};
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::Lang;
use crate::rules::RuleSet;
use crate::suggest::did_you_mean;
use crate::yaml::{self, write_entry, EntryValue, Value};

/// Largest answers file or form accepted (a filled questionnaire is a few kilobytes).
pub const MAX_ANSWERS_BYTES: usize = 256 * 1024;

/// The answers given, by field. A field absent, empty or answered わからない is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers(pub BTreeMap<Field, String>);

/// True when an answer says "don't know".
pub fn is_unknown(answer: &str) -> bool {
    let a = answer.trim();
    a.is_empty()
        || a == "わからない"
        || a == "不明"
        || a.eq_ignore_ascii_case("unknown")
        || a.eq_ignore_ascii_case("don't know")
}

impl Answers {
    /// The answer to `field`, if one was given (not unknown).
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .get(&field)
            .map(String::as_str)
            .filter(|a| !is_unknown(a))
    }

    pub fn set(&mut self, field: Field, answer: impl Into<String>) {
        self.0.insert(field, answer.into());
    }

    /// Answers from form fields named by catalog field; other names are returned apart.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Answers, Vec<String>) {
        let mut answers = Answers::default();
        let mut other = Vec::new();
        for (k, v) in pairs {
            match Field::from_name(k) {
                // Several values of a list (checkboxes) are one item a line.
                Some(f) if f.kind() == FieldKind::List && !v.trim().is_empty() => {
                    match answers.0.get_mut(&f) {
                        Some(prev) if !prev.trim().is_empty() => {
                            prev.push('\n');
                            prev.push_str(v);
                        }
                        _ => answers.set(f, v),
                    }
                }
                Some(f) if f.kind() == FieldKind::List && answers.0.contains_key(&f) => {}
                Some(f) => answers.set(f, v),
                None => other.push(k.to_string()),
            }
        }
        (answers, other)
    }

    /// The answers an existing operation gives (to start a draft from it).
    pub fn from_operation(op: &Operation) -> Answers {
        let mut answers = Answers::default();
        for f in Field::ALL {
            let text = match op.get(*f) {
                crate::catalog::FieldRef::Missing => continue,
                crate::catalog::FieldRef::Bool(b) => b.to_string(),
                crate::catalog::FieldRef::Int(i) => i.to_string(),
                crate::catalog::FieldRef::Num(n) => n.to_string(),
                crate::catalog::FieldRef::Text(t) => t.to_string(),
                crate::catalog::FieldRef::Enum(e) => e.to_string(),
                crate::catalog::FieldRef::List([]) => "なし".to_string(),
                crate::catalog::FieldRef::List(items) => items.join("\n"),
                crate::catalog::FieldRef::Load(load) => load
                    .iter()
                    .map(f64::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            answers.set(*f, text);
        }
        answers
    }

    /// Reads an answers file: a YAML mapping from field names (or their Japanese titles) to answers.
    /// Every problem is located in `path`.
    pub fn from_yaml(path: &str, text: &str) -> Result<Answers, Diagnostics> {
        let file = Arc::new(SourceFile::new(path, text));
        let at = |line: usize, column: usize, len: usize| Location::new(&file, line, column, len);
        if text.len() > MAX_ANSWERS_BYTES {
            return Err(Diagnostic::error(
                Code::AnswersTooLarge,
                format!(
                    "回答ファイルが大きすぎます (上限 {} KiB)",
                    MAX_ANSWERS_BYTES / 1024
                ),
                format!(
                    "the answers file is too large (limit {} KiB)",
                    MAX_ANSWERS_BYTES / 1024
                ),
            )
            .in_file(path)
            .into());
        }
        let root = match yaml::parse_nodes(text.strip_prefix('\u{feff}').unwrap_or(text)) {
            Ok(Some(n)) => n,
            Ok(None) => {
                return Err(Diagnostic::error(
                    Code::AnswersEmpty,
                    "回答ファイルが空です",
                    "the answers file is empty",
                )
                .in_file(path)
                .help(
                    "`name: 業務名` のように、質問の項目名と回答を1行ずつ書いてください",
                    "write one `field: answer` a line, e.g. `name: …`",
                )
                .into())
            }
            Err(e) => {
                return Err(Diagnostic::error(
                    Code::AnswersSyntax,
                    format!("YAML の構文エラー: {}", e.message),
                    format!("YAML syntax error: {}", e.message),
                )
                .at(at(e.pos.line, e.pos.column, 1))
                .into())
            }
        };
        let Value::Map(entries) = root.value else {
            return Err(Diagnostic::error(
                Code::AnswersStructure,
                "回答ファイルは「項目: 回答」のマッピングである必要があります",
                "the answers file must be a mapping of `field: answer`",
            )
            .at(at(root.pos.line, root.pos.column, root.len))
            .into());
        };
        let mut answers = Answers::default();
        let mut problems = Diagnostics::default();
        // The line each field was first answered on: a second answer is an error, not a silent winner.
        let mut seen: BTreeMap<Field, usize> = BTreeMap::new();
        for (key, value) in entries {
            let name = yaml::scalar_text(&key);
            let Some(field) = Field::from_name(&name).or_else(|| titles::field_for_header(&name))
            else {
                let mut d = Diagnostic::error(
                    Code::AnswersUnknownField,
                    format!("`{name}` という質問の項目はありません"),
                    format!("no question is named `{name}`"),
                )
                .at(at(key.pos.line, key.pos.column, key.len));
                if let Some(s) = did_you_mean(&name, titles::accepted_headers()) {
                    d = d.help(
                        format!("`{s}` の誤りではありませんか?"),
                        format!("did you mean `{s}`?"),
                    );
                }
                problems.push(d);
                continue;
            };
            if let Some(first) = seen.insert(field, key.pos.line) {
                problems.push(
                    Diagnostic::error(
                        Code::AnswersDuplicateField,
                        format!(
                            "`{name}` ({}) には {first} 行目で既に答えています。どちらか一方にしてください",
                            field.name()
                        ),
                        format!(
                            "`{name}` ({}) was already answered on line {first}: keep one of them",
                            field.name()
                        ),
                    )
                    .at(at(key.pos.line, key.pos.column, key.len)),
                );
                continue;
            }
            let text = match &value.value {
                Value::Seq(items) => {
                    let sep = if field.kind() == FieldKind::Load {
                        " "
                    } else {
                        "\n"
                    };
                    if items.is_empty() {
                        "なし".to_string()
                    } else {
                        items
                            .iter()
                            .map(yaml::scalar_text)
                            .collect::<Vec<_>>()
                            .join(sep)
                    }
                }
                Value::Map(_) => {
                    problems.push(
                        Diagnostic::error(
                            Code::AnswersWrongType,
                            format!("`{name}` の回答は値かリストで書いてください"),
                            format!("the answer to `{name}` must be a value or a list"),
                        )
                        .at(at(
                            value.pos.line,
                            value.pos.column,
                            value.len,
                        )),
                    );
                    continue;
                }
                _ => yaml::scalar_text(&value),
            };
            answers.set(field, text);
        }
        if problems.is_empty() {
            Ok(answers)
        } else {
            Err(problems)
        }
    }
}

/// One catalog entry written from answers: its YAML text (a list item indented under `operations:`)
/// and the line of each field in it (1-based, counted from the entry's first line).
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub text: String,
    pub lines: Vec<(usize, Field)>,
}

/// Writes the entry for `answers` with operation id `id` (through the one writer of catalog entries,
/// `yaml::write_entry`).
pub fn entry(answers: &Answers, id: &str) -> Entry {
    let mut fields = Vec::new();
    let mut lines = Vec::new();
    for f in Field::ALL {
        let value = if *f == Field::id {
            EntryValue::Text(id.to_string())
        } else {
            match answers.get(*f) {
                Some(a) => yaml_value(&question(*f), a),
                None if f.is_required() => EntryValue::Text(String::new()),
                None => continue,
            }
        };
        fields.push((f.name(), value));
        lines.push((lines.len() + 1, *f));
    }
    Entry {
        id: id.to_string(),
        text: write_entry(fields),
        lines,
    }
}

/// A string as a YAML double-quoted scalar (JSON's quoting is valid YAML).
fn json_string(s: &str) -> String {
    crate::yaml::quoted(s)
}

/// The YAML text of one answer, by the kind of its field. An answer that does not fit is written as a
/// quoted string, so that the loader reports it with its usual message.
fn yaml_value(q: &Question, answer: &str) -> EntryValue {
    let a = answer.trim();
    let field = q.field;
    match field.kind() {
        FieldKind::Text => EntryValue::Text(a.to_string()),
        FieldKind::List => {
            let mut items: Vec<&str> = a.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            // なし beside real items (a ticked "none" box and a ticked hazard) means the items.
            if items.len() > 1 {
                items.retain(|i| !is_none_word(i));
            }
            if matches!(items.as_slice(), [one] if is_none_word(one)) {
                EntryValue::List(Vec::new())
            } else {
                EntryValue::List(items.iter().map(|i| i.to_string()).collect())
            }
        }
        FieldKind::Bool => match a {
            "はい" | "true" | "yes" | "Yes" | "YES" => EntryValue::Bool(true),
            "いいえ" | "false" | "no" | "No" | "NO" => EntryValue::Bool(false),
            _ => EntryValue::Text(a.to_string()),
        },
        FieldKind::Int => {
            let picked = q.choice(a).map_or(a, |c| c.value);
            let digits: String = picked
                .chars()
                .filter(|c| !matches!(c, ',' | '，' | ' ' | '_'))
                .collect();
            match digits.parse::<i64>() {
                Ok(i) => EntryValue::Int(i),
                Err(_) => EntryValue::Text(a.to_string()),
            }
        }
        FieldKind::Num => {
            number_text(a).map_or_else(|| EntryValue::Text(a.to_string()), EntryValue::Raw)
        }
        FieldKind::Enum(_) => EntryValue::Text(q.choice(a).map_or(a, |c| c.value).to_string()),
        FieldKind::Load => {
            let parts: Vec<String> = a
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | '、' | ';'))
                .filter(|p| !p.is_empty())
                .map(|p| number_text(p).unwrap_or_else(|| json_string(p)))
                .collect();
            EntryValue::Raw(format!("[{}]", parts.join(", ")))
        }
    }
}

fn is_none_word(s: &str) -> bool {
    matches!(s, "なし" | "無し" | "ない" | "none" | "None" | "[]")
}

/// A number as typed (`0.85`, `85%`, `1,200`), as YAML text.
fn number_text(a: &str) -> Option<String> {
    let a = a.trim();
    let (digits, scale) = match a.strip_suffix('%').or_else(|| a.strip_suffix('％')) {
        Some(p) => (p.trim(), 100.0),
        None => (a, 1.0),
    };
    let digits: String = digits
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '_'))
        .collect();
    let v: f64 = digits.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    let v = v / scale;
    // Keep a short spelling: 85% is 0.85, not 0.8500000000000001.
    let rounded = (v * 1e9).round() / 1e9;
    Some(rounded.to_string())
}

/// A problem with the answers, traced to the question it concerns (when it concerns one).
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: Option<Field>,
    pub diagnostic: Diagnostic,
}

/// The result of validating answers.
#[derive(Debug, Clone)]
pub struct Draft {
    pub entry: Entry,
    /// The operation, when the answers are valid.
    pub operation: Option<Arc<Operation>>,
    pub problems: Vec<Problem>,
}

impl Draft {
    /// A draft file's whole text: a catalog of this one operation.
    pub fn file_text(&self, lang: Lang) -> String {
        format!(
            "# {}\nformat: {}\noperations:\n{}",
            lang.pick(
                "itaku の質問票で作成した下書き。政策経営部の確認後にカタログへ追加してください。",
                "Draft written with the itaku questionnaire; policy staff review it before it joins the catalog."
            ),
            crate::catalog::format::CURRENT_FORMAT,
            self.entry.text
        )
    }
}

/// Label of the text the loader reads (it names the draft in messages).
const DRAFT_LABEL: &str = "questionnaire";

/// Validates `answers` under id `id` with the catalog loader, then the rule set's vocabulary (hazards).
pub fn validate(answers: &Answers, id: &str, rules: &RuleSet) -> Draft {
    let entry = entry(answers, id);
    let text = format!("operations:\n{}", entry.text);
    let loaded = crate::catalog::parse_str_for(DRAFT_LABEL, &text, rules);
    let problems = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .map(|d| {
            // Line 1 of the text is `operations:`; the entry starts on line 2.
            let line = d.location.as_ref().map(|l| l.line);
            let field = line.and_then(|l| {
                entry
                    .lines
                    .iter()
                    .find(|(n, _)| *n + 1 == l)
                    .map(|(_, f)| *f)
            });
            Problem {
                field,
                diagnostic: d.clone(),
            }
        })
        .collect::<Vec<_>>();
    let operation = if problems.is_empty() {
        loaded.catalog.operations.into_iter().next()
    } else {
        None
    };
    Draft {
        entry,
        operation,
        problems,
    }
}

/// The identity that lets a half-filled questionnaire be assessed before it is named.
pub const PLACEHOLDER_ID: &str = "draft";

/// A questionnaire's answers assessed as far as they go (the live result of the self-assessment).
pub struct Assessed {
    /// The answers validated as they would be saved, under the id given.
    pub draft: Draft,
    /// The assessment: of the valid entry, or, while answers are wrong or missing, of the answers that
    /// are right with the others taken as unknown.
    pub assessment: Option<crate::assess::Assessment>,
    /// The changes that would move the result, within `budget` variants.
    pub whatif: Option<crate::whatif::WhatIf>,
    /// The questions left unanswered (their "an answer is needed" problems are shown only on saving).
    pub blank: std::collections::BTreeSet<Field>,
}

/// Validates and assesses `answers` under `id`. A question answered wrongly (or the identity left
/// empty) does not stop the assessment: it is assessed as unknown, and the problem is kept in
/// `draft.problems`.
pub fn assess_answers(
    answers: &Answers,
    id: &str,
    compiled: &crate::rules::CompiledRules,
    lang: Lang,
    budget: usize,
) -> Assessed {
    let rules = &compiled.rules;
    let draft = validate(answers, id, rules);
    let operation = match &draft.operation {
        Some(op) => Some(Arc::clone(op)),
        None => {
            let mut working = answers.clone();
            for p in &draft.problems {
                if let Some(f) = p
                    .field
                    .or_else(|| field_named_in(p.diagnostic.message(lang)))
                {
                    working.0.remove(&f);
                }
            }
            for (f, placeholder) in [(Field::name, "—"), (Field::department, "—")] {
                if working.get(f).is_none() {
                    working.set(f, placeholder);
                }
            }
            let id_ok = crate::catalog::OperationId::parse(id).is_some();
            validate(&working, if id_ok { id } else { PLACEHOLDER_ID }, rules).operation
        }
    };
    let assessment = operation
        .as_ref()
        .map(|op| crate::assess::assess_operation(op, compiled));
    let whatif = operation
        .as_ref()
        .map(|op| crate::whatif::what_if_within(op, compiled, lang, budget));
    let blank = Field::ALL
        .iter()
        .copied()
        .filter(|f| answers.get(*f).is_none_or(|v| v.trim().is_empty()))
        .collect();
    Assessed {
        draft,
        assessment,
        whatif,
        blank,
    }
}

/// The catalog field a loader message names in backticks (a problem reported for the whole entry).
pub fn field_named_in(message: &str) -> Option<Field> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(Field::from_name)
}

/// Proposes an operation id from the answers (the English name, else the ASCII letters of the name,
/// else a short digest of the name) that `taken` does not already use.
pub fn propose_id(answers: &Answers, taken: impl Fn(&str) -> bool) -> String {
    let slug = |s: &str| -> String {
        let mut out = String::new();
        for c in s.to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let out = out.trim_end_matches('-');
        // Long names make unwieldy file names: keep the first words.
        let mut cut = String::new();
        for word in out.split('-') {
            if !cut.is_empty() && cut.len() + word.len() + 1 > 48 {
                break;
            }
            if !cut.is_empty() {
                cut.push('-');
            }
            cut.push_str(word);
        }
        cut.chars().take(64).collect()
    };
    let mut base = answers.get(Field::name_en).map(slug).unwrap_or_default();
    if base.is_empty() {
        base = answers.get(Field::name).map(slug).unwrap_or_default();
    }
    if base.len() < 3 {
        let name = answers.get(Field::name).unwrap_or("");
        let digest = Sha256::digest(name.as_bytes());
        let hex: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
        base = format!("operation-{hex}");
    }
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        RuleSet::load_embedded().expect("embedded rules")
    }

    fn basic() -> Answers {
        let mut a = Answers::default();
        a.set(Field::name, "駐輪場の利用申請受付");
        a.set(Field::department, "土木部 交通安全自転車課");
        a.set(Field::public_authority, "補助的な行為のみ (受付・確認など)");
        a.set(Field::statutory_staff_only, "いいえ");
        a.set(Field::routine_share, "85%");
        a.set(Field::difficulty, "2");
        a.set(Field::decision_steps, "なし");
        a.set(Field::auxiliary_steps, "受付\n入力");
        a.set(Field::monthly_load, "1 1 1 1 1 1 1 1 1 3 3 1");
        a.set(Field::annual_cases, "12,000");
        a.set(Field::manuals, "わからない");
        a
    }

    #[test]
    fn answers_become_a_valid_operation() {
        let d = validate(&basic(), "bicycle-parking", &rules());
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let op = d.operation.unwrap();
        assert_eq!(op.routine_share, Some(0.85));
        assert_eq!(op.annual_cases, Some(12_000));
        assert_eq!(op.decision_steps, Some(vec![]));
        assert_eq!(op.auxiliary_steps.as_ref().map(Vec::len), Some(2));
        assert_eq!(op.manuals, None, "わからない is unknown");
        assert_eq!(op.monthly_load.map(|l| l[9]), Some(3.0));
    }

    #[test]
    fn a_bad_answer_is_traced_to_its_question() {
        let mut a = basic();
        a.set(Field::difficulty, "9");
        a.set(Field::manuals, "full");
        a.set(Field::name, "");
        let d = validate(&a, "x", &rules());
        let fields: Vec<_> = d.problems.iter().map(|p| p.field).collect();
        assert!(fields.contains(&Some(Field::difficulty)), "{fields:?}");
        assert!(fields.contains(&Some(Field::manuals)));
        assert!(fields.contains(&Some(Field::name)));
        assert!(d.operation.is_none());
    }

    #[test]
    fn hostile_text_stays_text() {
        let mut a = basic();
        a.set(Field::name, "\"quoted\": - [x] #comment\n<script>");
        let d = validate(&a, "x", &rules());
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(
            d.operation.unwrap().name,
            "\"quoted\": - [x] #comment\n<script>"
        );
    }

    #[test]
    fn repeated_list_values_are_one_item_a_line() {
        let (a, other) = Answers::from_pairs([
            ("hazards", "heights"),
            ("hazards", "night_work"),
            ("name", "x"),
            ("_token", "t"),
        ]);
        assert_eq!(a.get(Field::hazards), Some("heights\nnight_work"));
        assert_eq!(other, ["_token"]);
        let (a, _) = Answers::from_pairs([("hazards", "なし"), ("hazards", "heights")]);
        let mut a = a;
        a.set(Field::name, "n");
        a.set(Field::department, "d");
        let d = validate(&a, "x", &rules());
        assert_eq!(
            d.operation.unwrap().hazards,
            Some(vec!["heights".to_string()])
        );
    }

    #[test]
    fn ids_are_proposed_and_kept_free() {
        let mut a = basic();
        assert!(propose_id(&a, |_| false).starts_with("operation-"));
        a.set(Field::name_en, "Bicycle parking: permit intake!");
        assert_eq!(propose_id(&a, |_| false), "bicycle-parking-permit-intake");
        assert_eq!(
            propose_id(&a, |id| id == "bicycle-parking-permit-intake"),
            "bicycle-parking-permit-intake-2"
        );
    }

    #[test]
    fn answers_files_accept_titles_labels_and_lists() {
        let text = "name: 業務A\n所管: 総務部\npublic_authority: core\nlegal_basis: [法A, 法B]\ndecision_steps: []\nmonthly_load: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]\n";
        let a = Answers::from_yaml("a.yaml", text).unwrap();
        assert_eq!(a.get(Field::department), Some("総務部"));
        assert_eq!(a.get(Field::legal_basis), Some("法A\n法B"));
        assert_eq!(a.get(Field::decision_steps), Some("なし"));
        let twice = Answers::from_yaml("a.yaml", "name: A\nname: B\n").unwrap_err();
        assert_eq!(twice.0[0].code, Code::AnswersDuplicateField);
        let twice = Answers::from_yaml("a.yaml", "所管: A\ndepartment: B\n").unwrap_err();
        assert_eq!(twice.0[0].location.as_ref().map(|l| l.line), Some(2));
        let bad = Answers::from_yaml("a.yaml", "nmae: x\n").unwrap_err();
        let d = &bad.0[0];
        assert_eq!(d.location.as_ref().map(|l| l.line), Some(1));
        assert_eq!(
            d.help.as_ref().map(|h| h.en.as_str()),
            Some("did you mean `name`?")
        );
    }
}
