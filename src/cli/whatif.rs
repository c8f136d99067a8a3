//! `itaku what-if ID`: the smallest changes a department can make that improve its result.

use std::path::PathBuf;

use clap::ValueEnum;
use itaku::render::whatif_text;
use itaku::whatif::what_if;

use super::{find_operation, load_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// The operation's id.
    id: String,
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    #[arg(long, value_enum, default_value_t = WhatIfFormat::Text)]
    format: WhatIfFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum WhatIfFormat {
    Text,
    Json,
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
    let w = what_if(&op, &compiled, ui.lang);
    let text = match args.format {
        WhatIfFormat::Text => whatif_text(&w, &compiled.rules, ui.lang),
        WhatIfFormat::Json => serde_json::to_string_pretty(&w).unwrap_or_default() + "\n",
    };
    // Text for a terminal has its control characters made visible; JSON escapes its own.
    let shown = if matches!(args.format, WhatIfFormat::Json) {
        std::borrow::Cow::Borrowed(text.as_str())
    } else {
        itaku::diag::printable(&text)
    };
    if let Err(e) = super::to_stdout(shown.as_bytes()) {
        return ui.write_failed(&e);
    }
    Exit::Success
}
