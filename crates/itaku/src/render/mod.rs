//! Rendering: one file per output format. Renderers read a finished [`Report`]; they never assess.

mod csv;
mod diff;
mod document;
mod explain;
mod html;
mod json;
mod markdown;
mod rules_doc;
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
pub use whatif::whatif_text;
pub use xlsx::{assessment_sheet_names, assessments_xlsx, catalog_xlsx};

use std::fmt::{self, Write as _};
use std::io::Write;

use crate::assess::Report;
use crate::lang::Lang;
use crate::rules::{Arg, Reason, RuleSet};

/// Output formats of `itaku assess` that the core renders (the terminal table is the command line's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
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
            Some(arg) => {
                // Writing to a String cannot fail.
                let _ = write_arg(&mut out, arg, style, lang);
            }
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Writes `arg` formatted for `style` and the language into `out`, without allocating (a text
/// argument is written as it is: escaping it is the caller's business; a number never needs it).
pub(super) fn write_arg<W: fmt::Write>(
    out: &mut W,
    arg: &Arg,
    style: &str,
    lang: Lang,
) -> fmt::Result {
    let value = match arg {
        Arg::Text(s) => return out.write_str(s),
        Arg::Int(i) => *i as f64,
        Arg::Num(f) => *f,
    };
    match style {
        "pct" => {
            write_float(out, (value * 100.0).round())?;
            out.write_str("%")
        }
        "count" => write_count(out, value, lang),
        "yen" => match lang {
            Lang::Ja if value >= 10_000.0 => {
                write_group(out, (value / 10_000.0).round())?;
                out.write_str("万円")
            }
            Lang::Ja => {
                write_group(out, value.round())?;
                out.write_str("円")
            }
            Lang::En => {
                out.write_str("¥")?;
                write_group(out, value.round())
            }
        },
        _ => write_trimmed(out, value),
    }
}

/// Japanese counts use 万 (10,000); English uses thousands separators.
fn write_count<W: fmt::Write>(out: &mut W, value: f64, lang: Lang) -> fmt::Result {
    match lang {
        Lang::Ja if value >= 10_000.0 => {
            let man = value / 10_000.0;
            if man >= 100.0 || (man.fract() * 10.0).round() == 0.0 {
                write_group(out, man.round())?;
                out.write_str("万")
            } else {
                write!(out, "{man:.1}万")
            }
        }
        _ => write_group(out, value.round()),
    }
}

/// The whole part of `value` with thousands separators.
fn write_group<W: fmt::Write>(out: &mut W, value: f64) -> fmt::Result {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(value.abs() as u64);
    if value < 0.0 {
        out.write_char('-')?;
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.write_char(',')?;
        }
        out.write_char(c)?;
    }
    Ok(())
}

/// `value` as `{}` shows it, a whole number without the float formatter.
fn write_float<W: fmt::Write>(out: &mut W, value: f64) -> fmt::Result {
    let negative_zero = value == 0.0 && value.is_sign_negative();
    if value.fract() == 0.0 && value.abs() < 1e15 && !negative_zero {
        out.write_str(itoa::Buffer::new().format(value as i64))
    } else {
        write!(out, "{value}")
    }
}

/// A whole number as one; another with at most two decimals, without trailing zeros.
fn write_trimmed<W: fmt::Write>(out: &mut W, value: f64) -> fmt::Result {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return out.write_str(itoa::Buffer::new().format(value as i64));
    }
    fn trim(s: &str) -> &str {
        s.trim_end_matches('0').trim_end_matches('.')
    }
    let mut short = ShortText::default();
    match write!(short, "{value:.2}") {
        Ok(()) => out.write_str(trim(short.as_str())),
        Err(_) => out.write_str(trim(&format!("{value:.2}"))),
    }
}

/// A text of at most 40 bytes on the stack (writing more fails): most numbers, formatted.
struct ShortText {
    bytes: [u8; 40],
    len: usize,
}

impl Default for ShortText {
    fn default() -> Self {
        Self {
            bytes: [0; 40],
            len: 0,
        }
    }
}

impl ShortText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
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
        assert_eq!(fill("{0}倍", &[Arg::Num(1.1749)], Lang::Ja), "1.17倍");
        for (share, shown) in [
            (-0.001, "-0%"),
            (0.0, "0%"),
            (1e20, "10000000000000000000000%"),
        ] {
            assert_eq!(fill("{0|pct}", &[Arg::Num(share)], Lang::En), shown);
        }
        assert_eq!(fill("{0}", &[Arg::Num(-2.004)], Lang::En), "-2");
        assert_eq!(
            fill("{0|count}", &[Arg::Int(-1_234_567)], Lang::En),
            "-1,234,567"
        );
        // Longer than the formatting buffer on the stack: written all the same.
        let huge = fill("{0}", &[Arg::Num(1e300)], Lang::En);
        assert_eq!(huge.len(), 301);
        assert!(huge.starts_with("10000000000000000525047602552044202487"));
    }
}
