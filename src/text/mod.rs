//! Terminal tables (`tabled`, fitted to the terminal's width): the assessments and the rule list; and
//! paragraph text (help, explanations) wrapped to it. The other formats, the explain/diff/what-if
//! listings among them, are the core's (`itaku::render`).

mod bundle;
mod plan;
mod table;
mod wrap;

pub use bundle::bundle_table;
pub use plan::plan_table;

pub use table::{cell, fitted, rules_table, table, table_fitted, wrap, MAX_CELL_CHARS};
pub use wrap::{text_width, wrap_text};

use std::io::Write;

use itaku::assess::Report;
use itaku::render::Format;
use itaku::rules::RuleSet;
use itaku::Lang;

/// What `itaku assess` writes: the terminal table (fitted to a width when given) or a core format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Table(Option<usize>),
    Format(Format),
}

/// Renders a report as `output` into `out`.
pub fn render(
    report: &Report,
    rules: &RuleSet,
    lang: Lang,
    output: Output,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match output {
        Output::Table(width) => out.write_all(table_fitted(report, rules, lang, width).as_bytes()),
        Output::Format(format) => itaku::render::render(report, rules, lang, format, out),
    }
}
