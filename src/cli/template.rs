//! `itaku template`: an empty catalog spreadsheet to fill in (field titles, one example row, and in
//! xlsx a drop-down list of the allowed values for every enum field).

use itaku::diag::{Code, Diagnostic};
use std::path::PathBuf;

use itaku::catalog::sheet::template_table;

use super::export_catalog::{write_table, Encoding, SheetFormat};
use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// File format.
    #[arg(long, value_enum)]
    format: SheetFormat,
    /// The file to write (standard output for csv when not given).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Replace the output file if it exists (a template is filled in by hand: it is never replaced
    /// silently).
    #[arg(long)]
    force: bool,
    /// Encoding of a CSV file: utf-8 (with a BOM) or cp932 (Shift_JIS).
    #[arg(long, value_enum, default_value = "utf-8")]
    encoding: Encoding,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if let Some(output) = &args.output {
        // symlink_metadata: a dangling link counts as existing (it would be replaced by a file).
        if std::fs::symlink_metadata(output).is_ok() && !args.force {
            let shown = output.display();
            return ui.fail(Diagnostic::error(
                Code::OutputExists,
                format!("`{shown}` は既にあります。上書きするには --force を指定してください"),
                format!("`{shown}` exists; pass --force to replace it"),
            ));
        }
    }
    write_table(
        &template_table(ui.lang),
        args.format,
        args.encoding,
        args.output.as_deref(),
        ui,
    )
}
