//! `itaku schema`: the JSON Schema of the catalog format (for editors), or its field reference table.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{to_stdout, Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// `json`: the JSON Schema (schema/catalog.schema.json); `md`: the field table of docs/catalog.md.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// The schema of the plan file (schema/plan.schema.json) instead of the catalog's.
    #[arg(long, conflicts_with = "format")]
    plan: bool,
    /// Write to this file (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Md,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let text = match args.format {
        Format::Json if args.plan => {
            let schema = itaku::plan::schema::plan_schema();
            serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
        }
        Format::Json => {
            let schema = itaku::catalog::schema::catalog_schema();
            // Serialising a JSON value to a string cannot fail.
            serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
        }
        Format::Md => itaku::catalog::schema::reference_markdown(),
    };
    let written = match &args.output {
        Some(path) => itaku::fsutil::write_atomic(path, text.as_bytes()),
        None => to_stdout(text.as_bytes()),
    };
    match written {
        Ok(()) => Exit::Success,
        Err(e) => ui.write_failed(&e),
    }
}
