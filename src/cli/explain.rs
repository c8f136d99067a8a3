//! `itaku explain ID`: why one operation got its result, rule by rule.

use std::io::Write;
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
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            ui.say(
                &format!("出力を書き込めません: {e}"),
                &format!("cannot write the output: {e}"),
            );
            return Exit::Usage;
        }
    }
    if a.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    }
}
