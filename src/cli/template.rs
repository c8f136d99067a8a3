//! `itaku template`: an empty catalog spreadsheet to fill in (field titles, one example row, and in
//! xlsx a drop-down list of the allowed values for every enum field).

use std::path::PathBuf;

use itaku::catalog::sheet::template_table;

use super::export_catalog::{write_table, SheetFormat};
use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// File format.
    #[arg(long, value_enum)]
    format: SheetFormat,
    /// The file to write (standard output for csv when not given).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    write_table(
        &template_table(ui.lang),
        args.format,
        args.output.as_deref(),
        ui,
    )
}
