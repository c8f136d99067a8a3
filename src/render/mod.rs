//! Rendering: one file per output format. Renderers read a finished [`Report`]; they never assess.

mod csv;
mod diff;
mod document;
mod explain;
mod html;
mod json;
mod markdown;
mod rules_doc;
mod table;
mod whatif;
mod xlsx;

pub use csv::catalog_csv;
pub use csv::{assessments_csv, checklist_csv};
pub use diff::{diff_markdown, diff_text};
pub use document::{assessment_doc, document, AssessmentDoc, Document};
pub use explain::{explain_markdown, explain_text};
pub use html::assessments_html;
pub use json::{write_json_document, write_jsonl_line, JsonItems};
pub use markdown::assessments_markdown;
pub use rules_doc::rules_markdown;
pub use table::{cell, fitted, rules_table, table, table_fitted};
pub use whatif::whatif_text;
pub use xlsx::{assessment_sheet_names, assessments_xlsx, catalog_xlsx};

use std::io::Write;

use crate::assess::Report;
use crate::lang::Lang;
use crate::rules::{Arg, Reason, RuleSet};

/// Output formats of `itaku assess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    /// The table fitted to a width in display columns (a terminal's).
    FittedTable(usize),
    Json,
    Yaml,
    /// JSON Lines: one assessment (as in `assessments` of the JSON document) per line, in catalog order.
    Jsonl,
    /// CSV, one row per operation, column titles in the output language.
    Csv,
    /// CSV, one row per checklist item of every operation.
    CsvChecklist,
    /// A Markdown table plus the summary.
    Markdown,
    /// One self-contained HTML report (summary, matrix, heat map, a section per operation).
    Html,
    /// An xlsx workbook: summary, one row per operation, checklist (binary: to a file only).
    Xlsx,
}

/// Renders a report in `format` into `out`.
pub fn render(
    report: &Report,
    rules: &RuleSet,
    lang: Lang,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Table => out.write_all(table(report, rules, lang).as_bytes()),
        Format::FittedTable(width) => {
            out.write_all(table_fitted(report, rules, lang, Some(width)).as_bytes())
        }
        Format::Json => write_json_document(out, report, rules, &JsonItems::new(rules, lang)),
        Format::Jsonl => {
            use rayon::prelude::*;
            let items = JsonItems::new(rules, lang);
            // Lines are rendered in parallel, a chunk at a time (bounded memory), a run of lines into
            // one buffer, and written in catalog order.
            for chunk in report.assessments.chunks(crate::stream::BATCH_LINES) {
                let buffers: Vec<Vec<u8>> = chunk
                    .par_chunks(LINES_PER_BUFFER)
                    .map(|run| {
                        let mut buf = Vec::with_capacity(run.len() * LINE_BYTES_HINT);
                        run.iter()
                            .try_for_each(|a| write_jsonl_line(&mut buf, a, rules, &items))
                            .map(|()| buf)
                    })
                    .collect::<std::io::Result<_>>()?;
                buffers.iter().try_for_each(|b| out.write_all(b))?;
            }
            Ok(())
        }
        Format::Csv => csv::assessments_csv(&document(report, rules, lang), lang, out),
        Format::CsvChecklist => csv::checklist_csv(&document(report, rules, lang), lang, out),
        Format::Markdown => {
            out.write_all(assessments_markdown(&document(report, rules, lang), lang).as_bytes())
        }
        Format::Html => out.write_all(assessments_html(report, rules, lang).as_bytes()),
        Format::Xlsx => out.write_all(&assessments_xlsx(&document(report, rules, lang), lang)?),
        Format::Yaml => {
            let text = crate::yaml::to_string(&document(report, rules, lang))
                .map_err(std::io::Error::other)?;
            out.write_all(text.as_bytes())
        }
    }
}

/// JSON Lines rendered into one buffer by one task.
pub(crate) const LINES_PER_BUFFER: usize = 64;

/// A typical JSON line (the standard rules write 5 to 20 KB an operation): the first size of a buffer.
pub(crate) const LINE_BYTES_HINT: usize = 16 << 10;

/// Fills a message template: `{0}` inserts an argument; `{0|pct}`, `{0|count}`, `{0|yen}`, `{0|num}`
/// format it for the language.
pub fn reason_text(rules: &RuleSet, reason: &Reason, lang: Lang) -> String {
    fill(rules.message(reason.message).get(lang), &reason.args, lang)
}

fn fill(template: &str, args: &[Arg], lang: Lang) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let spec = &rest[open + 1..open + close];
        let (index, style) = spec.split_once('|').unwrap_or((spec, ""));
        match index.parse::<usize>().ok().and_then(|i| args.get(i)) {
            Some(arg) => out.push_str(&format_arg(arg, style, lang)),
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

pub(super) fn format_arg(arg: &Arg, style: &str, lang: Lang) -> String {
    let value = match arg {
        Arg::Text(s) => return s.clone(),
        Arg::Int(i) => *i as f64,
        Arg::Num(f) => *f,
    };
    match style {
        "pct" => format!("{}%", (value * 100.0).round()),
        "count" => count(value, lang),
        "yen" => match lang {
            Lang::Ja if value >= 10_000.0 => format!("{}万円", group((value / 10_000.0).round())),
            Lang::Ja => format!("{}円", group(value.round())),
            Lang::En => format!("¥{}", group(value.round())),
        },
        _ => trim(value),
    }
}

/// Japanese counts use 万 (10,000); English uses thousands separators.
fn count(value: f64, lang: Lang) -> String {
    match lang {
        Lang::Ja if value >= 10_000.0 => {
            let man = value / 10_000.0;
            if man >= 100.0 || (man.fract() * 10.0).round() == 0.0 {
                format!("{}万", group(man.round()))
            } else {
                format!("{:.1}万", man)
            }
        }
        _ => group(value.round()),
    }
}

fn group(value: f64) -> String {
    let digits = format!("{}", value.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 {
        out.insert(0, '-');
    }
    out
}

fn trim(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let s = format!("{value:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_format_for_the_language() {
        let args = [Arg::Num(0.92), Arg::Int(700_000), Arg::Int(25_000_000)];
        assert_eq!(
            fill("定型度{0|pct}・年間{1|count}件・{2|yen}", &args, Lang::Ja),
            "定型度92%・年間70万件・2,500万円"
        );
        assert_eq!(
            fill("{0|pct} routine, {1|count} cases, {2|yen}", &args, Lang::En),
            "92% routine, 700,000 cases, ¥25,000,000"
        );
        assert_eq!(
            fill("{1|count}", &[Arg::Int(0), Arg::Int(12_345)], Lang::Ja),
            "1.2万"
        );
        assert_eq!(fill("{5} stays", &args, Lang::En), "{5} stays");
        assert_eq!(fill("{0}", &[Arg::Num(1.5)], Lang::En), "1.5");
    }
}
