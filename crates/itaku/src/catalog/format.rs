//! Versions of the catalog format, and what a person must look at when a file of an older version is
//! brought up to date (`itaku migrate`).
//!
//! A YAML catalog file says which format it is written in with a top-level `format: N`; a file without
//! it is of the oldest format, 1. A version changes when a field's *meaning* changes, so that a ward's
//! file written under the old meaning does not silently get different answers:
//!
//! | format | rule sets | what changed |
//! |---|---|---|
//! | 1 | 2026.1 | (the first format) |
//! | 2 | 2026.2 | `decision_steps` holds case decisions only (oversight moved to the new `oversight_steps`); `onsite_headcount` counts only the contractor's workers on ward premises |
//! | 3 | 2026.3 | tax data is not `sensitive` (要配慮) but `tax_secrecy` (地方税法22条); `my_number` data has a kind (`my_number_kind`: `use` or `relation`) |
//!
//! Loading an older file whose entries use a field whose meaning changed since gives one warning for the
//! file (`catalog::old-format`); the entries still load, read with today's meaning. `itaku migrate`
//! writes the version (the one mechanical change: no old value can be converted without a person's
//! judgement) and lists the judgement calls, each located at its field. JSON Lines files carry no
//! version: they are written by programs and read as the current format.

use crate::lang::Text;
use std::sync::Arc;

use super::fields::{Field, FieldRef, Operation};
use crate::diag::{Code, Diagnostic, Location, Severity, SourceFile};

/// The format this version of itaku writes.
pub const CURRENT_FORMAT: u32 = 3;

/// The format of a file that declares none.
pub const OLDEST_FORMAT: u32 = 1;

/// The rule-set revision that introduced each format (index = format − 1).
pub const FORMAT_RULES: [&str; CURRENT_FORMAT as usize] = ["2026.1", "2026.2", "2026.3"];

/// The top-level key that declares the format.
pub const FORMAT_KEY: &str = "format";

/// The format of one catalog file as read.
#[derive(Debug, Clone)]
pub struct FileFormat {
    pub file: Arc<SourceFile>,
    pub version: u32,
    /// Where `format:` is written (line, column); `None` when the file declares no version.
    pub declared_at: Option<(usize, usize)>,
}

/// The rule-set revision of a format, for messages.
pub fn rules_of(version: u32) -> &'static str {
    FORMAT_RULES
        .get(version.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// Words that mark a step as oversight kept by the ward rather than a decision on each case (format 2).
pub const OVERSIGHT_WORDS: &[&str] = &[
    "仕様",
    "検査",
    "承認",
    "方針",
    "評価",
    "監督",
    "指示",
    "モニタリング",
    "計画",
    "履行確認",
];

/// One thing a person must decide when an entry is brought from `from` to the current format.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgementCall {
    pub field: Field,
    /// A word to point at inside the field's value (a step), when there is one.
    pub word: Option<String>,
    pub text: Text,
}

fn call(field: Field, word: Option<&str>, ja: String, en: String) -> JudgementCall {
    JudgementCall {
        field,
        word: word.map(str::to_string),
        text: Text::new(ja, en),
    }
}

fn list(op: &Operation, field: Field) -> &[String] {
    match op.get(field) {
        FieldRef::List(items) => items,
        _ => &[],
    }
}

fn cites_local_tax_act(op: &Operation) -> bool {
    list(op, Field::legal_basis)
        .iter()
        .any(|b| b.contains("地方税法"))
}

/// What a person must decide for `op`, written in format `from`, to mean the same in the current
/// format. Empty when every field it uses means what it meant.
pub fn judgement_calls(op: &Operation, from: u32) -> Vec<JudgementCall> {
    let mut calls = Vec::new();
    if from < 2 {
        let steps = list(op, Field::decision_steps);
        let mut named = false;
        for step in steps {
            if let Some(word) = OVERSIGHT_WORDS.iter().find(|w| step.contains(**w)) {
                named = true;
                calls.push(call(
                    Field::decision_steps,
                    Some(step),
                    format!("「{step}」は「{word}」を含み、個別案件の決定ではなく区が保持する監督に見えます: 監督なら oversight_steps へ移してください"),
                    format!("「{step}」 contains 「{word}」 and reads like oversight the ward keeps, not a decision on each case: if so, move it to oversight_steps"),
                ));
            }
        }
        if !steps.is_empty()
            && !named
            && matches!(op.get(Field::oversight_steps), FieldRef::Missing)
        {
            calls.push(call(
                Field::decision_steps,
                None,
                "形式2から decision_steps は職員が各案件で行う決定だけを指します。仕様・検査・承認など区が保持する監督は oversight_steps に書いてください".into(),
                "since format 2, decision_steps holds only the decisions staff take on each case; oversight the ward keeps (specification, inspection, approval) goes in oversight_steps".into(),
            ));
        }
        if let FieldRef::Int(n) = op.get(Field::onsite_headcount) {
            if n > 0 {
                calls.push(call(
                    Field::onsite_headcount,
                    None,
                    format!("形式2から onsite_headcount は区の施設内で作業する受託者の人数だけを数えます ({n}人): 庁舎外で働く人を含めていないか確認してください"),
                    format!("since format 2, onsite_headcount counts only the contractor's workers on ward premises ({n}): check that it leaves out those working elsewhere"),
                ));
            }
        }
    }
    if from < 3 {
        let personal = op.get(Field::personal_data);
        let tax = cites_local_tax_act(op);
        if matches!(personal, FieldRef::Enum("sensitive")) && tax {
            calls.push(call(
                Field::personal_data,
                None,
                "形式3から税情報は要配慮個人情報 (sensitive) ではありません (個人情報保護法2条3項): 税情報だけなら personal_data: general と tax_secrecy: true にしてください".into(),
                "since format 3, tax data is not sensitive personal data (Personal Information Protection Act art. 2(3)): for tax data alone, write personal_data: general and tax_secrecy: true".into(),
            ));
        }
        if tax && matches!(op.get(Field::tax_secrecy), FieldRef::Missing) {
            calls.push(call(
                Field::legal_basis,
                Some("地方税法"),
                "地方税法を根拠とする業務です: 税の秘密 (地方税法22条) に当たる情報を扱うなら tax_secrecy: true を記入してください".into(),
                "the work rests on the Local Tax Act: if it handles information under tax secrecy (art. 22), write tax_secrecy: true".into(),
            ));
        }
        if matches!(personal, FieldRef::Enum("my_number"))
            && matches!(op.get(Field::my_number_kind), FieldRef::Missing)
        {
            calls.push(call(
                Field::personal_data,
                None,
                "形式3からマイナンバーの扱いは種類で区別します: 区の個人番号利用事務なら my_number_kind: use、源泉徴収など個人番号関係事務なら relation を記入してください".into(),
                "since format 3, My Number work has a kind: write my_number_kind: use for the ward's own My Number process, relation for handling numbers for others (payroll withholding)".into(),
            ));
        }
    }
    calls
}

/// The warning for an older file whose entries use fields whose meaning changed since (one per file).
pub fn old_format_warning(format: &FileFormat, entries: usize, calls: usize) -> Diagnostic {
    let v = format.version;
    let (line, column) = format.declared_at.unwrap_or((1, 1));
    let declared = if format.declared_at.is_some() {
        ""
    } else {
        "、format の記載なし"
    };
    let declared_en = if format.declared_at.is_some() {
        ""
    } else {
        ", no `format:` given"
    };
    let mut d = Diagnostic::error(
        Code::CatalogOldFormat,
        format!(
            "このファイルはカタログ形式 {v} (ルール {}{declared}) で書かれています。その後に意味の変わった項目を {entries}件の業務が使っており、今の意味で読むと判定が変わることがあります (確認の必要な箇所 {calls}件)",
            rules_of(v)
        ),
        format!(
            "this file is written in catalog format {v} (rules {}{declared_en}); {entries} operations use fields whose meaning has changed since, and read with today's meaning their results may differ ({calls} places to check)",
            rules_of(v)
        ),
    )
    .at(Location::new(&format.file, line, column, 1))
    .help(
        format!(
            "`itaku migrate {}` で形式 {CURRENT_FORMAT} に書き換え、確認の必要な箇所を一覧できます",
            format.file.path
        ),
        format!(
            "`itaku migrate {}` rewrites it to format {CURRENT_FORMAT} and lists the places to check",
            format.file.path
        ),
    );
    d.severity = Severity::Warning;
    d
}

/// A `format:` value that is not a known version.
pub fn bad_format(file: &Arc<SourceFile>, line: usize, column: usize, found: &str) -> Diagnostic {
    Diagnostic::error(
        Code::CatalogOldFormat,
        format!("`format` には 1〜{CURRENT_FORMAT} の整数が必要です ({found} でした)"),
        format!("`format` must be an integer from 1 to {CURRENT_FORMAT} (found {found})"),
    )
    .at(Location::new(file, line, column, 1))
    .help(
        format!("このバージョンの itaku が書く形式は `format: {CURRENT_FORMAT}` です"),
        format!("this version of itaku writes `format: {CURRENT_FORMAT}`"),
    )
}

/// The text of a catalog file brought to the current format: `format:` set to [`CURRENT_FORMAT`] on the
/// line where it is written, or inserted as a line before `operations:`; every other byte kept (comments
/// included). `None` when the file has no top-level `operations:` line to insert before.
pub fn with_current_format(text: &str) -> Option<String> {
    let mut offset = 0;
    let mut insert_at = None;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("format:") {
            let end = offset + line.len();
            let eol = if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            // Keep what follows the value (a comment) as written.
            let value = rest.trim_start_matches(' ');
            let token = value.find([' ', '#', '\r', '\n']).unwrap_or(value.len());
            let comment = value[token..].trim_end_matches(['\r', '\n']);
            return Some(format!(
                "{}format: {CURRENT_FORMAT}{comment}{eol}{}",
                &text[..offset],
                &text[end..]
            ));
        }
        if insert_at.is_none() && line.starts_with("operations:") {
            insert_at = Some(offset);
        }
        offset += line.len();
    }
    let at = insert_at?;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(format!(
        "{}format: {CURRENT_FORMAT}{eol}{}",
        &text[..at],
        &text[at..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_line_is_inserted_before_operations_or_replaced() {
        assert_eq!(
            with_current_format("# c\noperations:\n  - id: a\n").unwrap(),
            "# c\nformat: 3\noperations:\n  - id: a\n"
        );
        assert_eq!(
            with_current_format("format: 1  # old\noperations: []\n").unwrap(),
            "format: 3  # old\noperations: []\n"
        );
        assert_eq!(
            with_current_format("a: 1\r\noperations: []\r\n").unwrap(),
            "a: 1\r\nformat: 3\r\noperations: []\r\n"
        );
        assert_eq!(with_current_format("- id: a\n"), None);
    }
}
