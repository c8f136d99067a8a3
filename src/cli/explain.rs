//! `itaku explain ID`: why one operation got its result, rule by rule.

use std::path::PathBuf;

use clap::ValueEnum;
use itaku::explain::explain;
use itaku::render::{explain_markdown, explain_text};

use super::{find_operation, load_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// The operation's id.
    id: String,
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
    Md,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let catalog = match load_catalog(args.catalog.as_deref(), &compiled, ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let Some(op) = find_operation(&catalog, &args.id, ui) else {
        return Exit::Usage;
    };
    let (a, x) = explain(&op, &compiled, ui.lang);
    let text = match args.format {
        ExplainFormat::Text => explain_text(&x, ui.lang),
        ExplainFormat::Md => explain_markdown(&x, ui.lang),
        ExplainFormat::Json => serde_json::to_string_pretty(&x).unwrap_or_default() + "\n",
    };
    // Text for a terminal has its control characters made visible; JSON escapes its own.
    let shown = if matches!(args.format, ExplainFormat::Json) {
        std::borrow::Cow::Borrowed(text.as_str())
    } else {
        itaku::diag::printable(&text)
    };
    // Text for a terminal is wrapped to its width (Markdown and JSON keep their lines).
    let shown = match crate::text::text_width() {
        Some(width) if matches!(args.format, ExplainFormat::Text) => {
            std::borrow::Cow::Owned(crate::text::wrap_text(&shown, width))
        }
        _ => shown,
    };
    if let Err(e) = super::to_stdout(shown.as_bytes()) {
        return ui.write_failed(&e);
    }
    if a.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    }
}
