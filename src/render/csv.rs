//! `--format csv`: one row per operation (or, with `--checklist`, per checklist item) for spreadsheets;
//! column titles in the output language. Built from the structured [`document`](super::document).

use std::io::Write;

use super::document::{AssessmentDoc, Document};
use crate::lang::Lang;
use crate::model::{Recommendation, Severity};

/// The recommendation of a document row in `lang` (the document holds its machine name).
pub(crate) fn recommendation_label(name: &str, lang: Lang) -> &'static str {
    Recommendation::ALL
        .into_iter()
        .find(|r| r.as_str() == name)
        .map_or("?", |r| r.label(lang))
}

fn severity_label(name: &str, lang: Lang) -> &'static str {
    Severity::parse(name).map_or("?", |s| s.label(lang))
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    match (b, lang) {
        (true, Lang::Ja) => "はい",
        (false, Lang::Ja) => "いいえ",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

fn count(a: &AssessmentDoc<'_>, severity: Severity) -> usize {
    a.checklist
        .iter()
        .filter(|c| c.severity == severity.as_str())
        .count()
}

/// A CSV error as the I/O error it wraps, so that a closed pipe stays a closed pipe (exit 141).
fn io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// One row per operation.
pub fn assessments_csv(doc: &Document<'_>, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let header: [&str; 17] = match lang {
        Lang::Ja => [
            "ID",
            "業務名",
            "所管",
            "判定",
            "除外",
            "C1",
            "C2",
            "C3",
            "C4",
            "C5",
            "リスク高",
            "リスク中",
            "最大のリスク",
            "削減FTE",
            "公募候補",
            "不明な事実",
            "備考",
        ],
        Lang::En => [
            "id",
            "name",
            "department",
            "recommendation",
            "excluded",
            "C1",
            "C2",
            "C3",
            "C4",
            "C5",
            "high risks",
            "medium risks",
            "top risk",
            "freed FTE",
            "call for proposals",
            "missing facts",
            "notes",
        ],
    };
    w.write_record(header).map_err(io)?;
    for a in &doc.assessments {
        let mut row: Vec<String> = vec![
            a.id.to_string(),
            a.name.to_string(),
            a.department.to_string(),
            recommendation_label(a.recommendation, lang).to_string(),
            yes_no(a.excluded, lang).to_string(),
        ];
        row.extend(a.criteria.iter().map(|c| c.points.to_string()));
        row.push(count(a, Severity::High).to_string());
        row.push(count(a, Severity::Medium).to_string());
        row.push(
            a.top_risk
                .as_ref()
                .map_or(String::new(), |t| t.item.to_string()),
        );
        row.push(format!("{:.2}", a.freed_fte));
        row.push(yes_no(a.proposal_call, lang).to_string());
        row.push(a.missing.join(" "));
        row.push(a.notes.join("\n"));
        w.write_record(&row).map_err(io)?;
    }
    w.flush()
}

/// One row per checklist item of every operation.
pub fn checklist_csv(doc: &Document<'_>, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let header: [&str; 10] = match lang {
        Lang::Ja => [
            "業務ID",
            "業務名",
            "判定",
            "観点",
            "重要度",
            "項目ID",
            "確認項目",
            "対策",
            "ルール",
            "根拠",
        ],
        Lang::En => [
            "operation id",
            "name",
            "recommendation",
            "safeguard",
            "severity",
            "item id",
            "item",
            "mitigation",
            "rule",
            "basis",
        ],
    };
    w.write_record(header).map_err(io)?;
    for a in &doc.assessments {
        for c in &a.checklist {
            w.write_record([
                a.id,
                a.name,
                recommendation_label(a.recommendation, lang),
                &format!("{:?}", c.safeguard),
                severity_label(c.severity, lang),
                c.id,
                c.item,
                c.mitigation,
                c.rule,
                c.basis,
            ])
            .map_err(io)?;
        }
    }
    w.flush()
}
