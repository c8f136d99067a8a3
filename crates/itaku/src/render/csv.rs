//! `--format csv`: one row per operation (or, with `--checklist`, per checklist item) for spreadsheets;
//! column titles in the output language. Built from the structured [`document`](super::document).
//! Every text cell that would start a formula (`=`, `+`, `-`, `@`, TAB, CR) is written with a leading
//! `'` ([`formula_guard`]); numbers are written as numbers.

use std::io::Write;

use super::document::{AssessmentDoc, Document};
use crate::catalog::sheet::formula_guard;
use crate::catalog::titles::title_ja;
use crate::catalog::Field;
use crate::lang::Lang;
use crate::model::{Recommendation, Severity};

/// The recommendation of a document row in `lang` (the document holds its machine name).
pub(crate) fn recommendation_label(name: &str, lang: Lang) -> &'static str {
    Recommendation::ALL
        .into_iter()
        .find(|r| r.as_str() == name)
        .map_or("?", |r| r.label(lang))
}

const BOM: &str = "\u{feff}";

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

/// The column titles of the one-row-per-operation table (shared by the CSV and xlsx renderers).
pub(crate) fn assessment_header(lang: Lang) -> [&'static str; 17] {
    match lang {
        Lang::Ja => [
            title_ja(Field::id),
            title_ja(Field::name),
            title_ja(Field::department),
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
            Field::id.name(),
            Field::name.name(),
            Field::department.name(),
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
    }
}

/// The columns of [`assessment_header`] that hold numbers (criteria points, risk counts, freed FTE).
pub(crate) const ASSESSMENT_NUMERIC: [usize; 8] = [5, 6, 7, 8, 9, 10, 11, 13];

/// The column of [`assessment_header`] that holds the freed FTE.
pub(crate) const ASSESSMENT_FREED_FTE: usize = 13;

/// One operation's cells, in the order of [`assessment_header`].
pub(crate) fn assessment_row(a: &AssessmentDoc<'_>, lang: Lang) -> Vec<String> {
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
    // Missing facts by their titles in the output language (field names in English).
    row.push(
        a.missing
            .iter()
            .map(|name| {
                Field::from_name(name).map_or(*name, |f| crate::catalog::titles::title(f, lang))
            })
            .collect::<Vec<_>>()
            .join(lang.pick("、", " ")),
    );
    row.push(a.notes.join("\n"));
    row
}

/// One row per operation.
pub fn assessments_csv(doc: &Document<'_>, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    // UTF-8 with a byte-order mark: Excel, which reads a CSV without one as Shift_JIS, shows the
    // Japanese text correctly, and `itaku import` and the csv crate skip the mark.
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(assessment_header(lang)).map_err(io)?;
    for a in &doc.assessments {
        let row = assessment_row(a, lang);
        w.write_record(row.iter().enumerate().map(|(c, cell)| {
            if ASSESSMENT_NUMERIC.contains(&c) {
                cell.clone()
            } else {
                formula_guard(cell).into_owned()
            }
        }))
        .map_err(io)?;
    }
    w.flush()
}

/// The column titles of the one-row-per-checklist-item table.
pub(crate) fn checklist_header(lang: Lang) -> [&'static str; 10] {
    match lang {
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
    }
}

/// One row per checklist item of every operation, in the order of [`checklist_header`].
pub(crate) fn checklist_rows(doc: &Document<'_>, lang: Lang) -> Vec<[String; 10]> {
    let mut rows = Vec::new();
    for a in &doc.assessments {
        for c in &a.checklist {
            rows.push(
                [
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
                ]
                .map(str::to_string),
            );
        }
    }
    rows
}

/// One row per checklist item of every operation.
pub fn checklist_csv(doc: &Document<'_>, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    // UTF-8 with a byte-order mark: Excel, which reads a CSV without one as Shift_JIS, shows the
    // Japanese text correctly, and `itaku import` and the csv crate skip the mark.
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(checklist_header(lang)).map_err(io)?;
    for row in checklist_rows(doc, lang) {
        w.write_record(row.iter().map(|cell| formula_guard(cell).into_owned()))
            .map_err(io)?;
    }
    w.flush()
}

/// The catalog itself as CSV (`export-catalog`, `template`).
pub fn catalog_csv(
    table: &crate::catalog::SheetTable,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // UTF-8 with a byte-order mark: Excel, which reads a CSV without one as Shift_JIS, shows the
    // Japanese text correctly, and `itaku import` and the csv crate skip the mark.
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&table.header).map_err(io)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| c.csv_text(lang)))
            .map_err(io)?;
    }
    w.flush()
}

/// A character of a catalog table that cp932 cannot hold: 0-based row (0 the header) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unencodable {
    pub row: usize,
    pub col: usize,
    pub ch: char,
}

fn cp932_holds(text: &str) -> bool {
    !encoding_rs::SHIFT_JIS.encode(text).2
}

/// The catalog as CSV in Windows code page 932 (Excel's Shift_JIS), without a byte-order mark. The
/// texts the tool writes itself (titles, choice labels) use the cp932 side of each
/// [`CP932_PAIRS`](crate::catalog::sheet::CP932_PAIRS) pair (～ for 〜), which `itaku import` matches
/// either way; a character of the catalog's own text that cp932 cannot hold is reported, never
/// replaced, and nothing is returned then.
pub fn catalog_csv_cp932(
    table: &crate::catalog::SheetTable,
    lang: Lang,
) -> Result<Vec<u8>, Vec<Unencodable>> {
    use crate::catalog::sheet::cp932_form;
    use crate::catalog::{Cell, FieldKind};
    let tool_text = |s: &str| -> String { s.chars().map(|c| cp932_form(c).unwrap_or(c)).collect() };
    let mut problems = Vec::new();
    let mut check = |row: usize, col: usize, text: &str| {
        if !cp932_holds(text) {
            let mut buf = [0u8; 4];
            for ch in text.chars() {
                if !cp932_holds(ch.encode_utf8(&mut buf)) {
                    problems.push(Unencodable { row, col, ch });
                }
            }
        }
    };
    let header: Vec<String> = table.header.iter().map(|h| tool_text(h)).collect();
    for (c, h) in header.iter().enumerate() {
        check(0, c, h);
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&table.fields)
            .map(|(cell, field)| match (cell, field.kind()) {
                (Cell::Text(s), FieldKind::Enum(_)) => tool_text(&formula_guard(s)),
                _ => cell.csv_text(lang),
            })
            .collect();
        for (c, text) in cells.iter().enumerate() {
            check(r + 1, c, text);
        }
        rows.push(cells);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let written = (|| -> csv::Result<()> {
        w.write_record(&header)?;
        for row in &rows {
            w.write_record(row)?;
        }
        w.flush()?;
        Ok(())
    })();
    let written = written
        .ok()
        .and_then(|()| w.into_inner().ok())
        .unwrap_or_default();
    // Writing to memory cannot fail; the text was checked to be encodable.
    let text = String::from_utf8(written).unwrap_or_default();
    Ok(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
}
