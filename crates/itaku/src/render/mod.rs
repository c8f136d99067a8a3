//! Rendering: one file per output format. Renderers read a finished [`Report`]; they never assess.

mod bundle;
pub mod compact;
mod csv;
mod diff;
mod document;
mod explain;
mod html;
mod json;
mod markdown;
mod methods;
pub mod plan;
mod rules_doc;
mod summary;
mod whatif;
mod xlsx;

pub use bundle::{
    bundle_doc, bundle_sheet_rows, bundles_html, bundles_json, bundles_markdown, bundles_section,
    bundles_xlsx, BundleDoc,
};
pub use csv::{assessments_csv, checklist_csv};
pub use csv::{catalog_csv, catalog_csv_cp932, Unencodable};
pub use diff::{diff_markdown, diff_text};
pub use document::{assessment_doc, document, method_docs, AssessmentDoc, Document, MethodDoc};
pub use explain::{explain_markdown, explain_text};
pub use html::assessments_html;
pub use json::{write_json_document, write_jsonl_line, JsonItems};
pub use markdown::assessments_markdown;
pub use methods::{
    fit_text, method_label, method_line, methods_heading, methods_html, methods_list_html,
};
pub use rules_doc::rules_markdown;
pub use summary::summary_html;
pub use whatif::whatif_text;
pub use xlsx::{assessment_sheet_names, assessments_xlsx, catalog_xlsx};

use std::io::Write;

use crate::assess::Report;
use crate::lang::Lang;
pub use crate::rules::template::reason_text;
use crate::rules::RuleSet;

/// Output formats of `itaku assess` that the core renders (the terminal table is the command line's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    /// JSON Lines: one assessment (as in `assessments` of the JSON document) per line, in catalog order.
    Jsonl,
    /// JSON Lines in the compact form (`render/compact.rs`): a header record with the item and message
    /// texts, then one assessment per line referring to them.
    JsonlCompact,
    /// CSV, one row per operation, column titles in the output language.
    Csv,
    /// CSV, one row per checklist item of every operation.
    CsvChecklist,
    /// A Markdown table plus the summary.
    Markdown,
    /// One self-contained HTML report (summary, matrix, heat map, a section per operation).
    Html,
    /// The manager's summary of the HTML report (at most 10 A4 pages): no section per operation.
    HtmlSummary,
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
        Format::Jsonl | Format::JsonlCompact => {
            use rayon::prelude::*;
            let items = if format == Format::JsonlCompact {
                out.write_all(&compact::compact_header(rules, lang))?;
                JsonItems::compact(rules, lang)
            } else {
                JsonItems::new(rules, lang)
            };
            // Lines are rendered in parallel, a chunk at a time (bounded memory), a run of lines into
            // one buffer, and written in catalog order.
            for chunk in report.assessments.chunks(BATCH_LINES) {
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
        Format::HtmlSummary => out.write_all(summary_html(report, rules, lang).as_bytes()),
        Format::Xlsx => out.write_all(&assessments_xlsx(&document(report, rules, lang), lang)?),
        Format::Yaml => {
            let text = crate::yaml::to_string(&document(report, rules, lang))
                .map_err(std::io::Error::other)?;
            out.write_all(text.as_bytes())
        }
    }
}

/// JSON Lines rendered into one buffer by one task.
/// Assessments rendered and written per batch of JSON Lines, by `render` and by the stream alike.
pub const BATCH_LINES: usize = 4096;

pub(crate) const LINES_PER_BUFFER: usize = 64;

/// A typical JSON line (the standard rules write 5 to 20 KB an operation): the first size of a buffer.
pub(crate) const LINE_BYTES_HINT: usize = 16 << 10;
