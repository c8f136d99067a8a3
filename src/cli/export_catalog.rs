//! `itaku export-catalog`: the catalog itself as a spreadsheet, one row per operation, one column per
//! field, which `itaku import` reads back into the same catalog.

use itaku::diag::{Code, Diagnostic};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use itaku::catalog::sheet::export_table;
use itaku::catalog::SheetTable;
use itaku::fsutil::{refuse_inputs, Input};

use super::{default_catalog, exit_for, Exit, RuleArgs, Ui};

#[derive(Clone, Copy, ValueEnum)]
pub enum SheetFormat {
    Xlsx,
    Csv,
}

/// The encoding of a CSV file.
#[derive(Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum Encoding {
    // UTF-8 with a byte-order mark (Excel reads it correctly).
    #[default]
    #[value(name = "utf-8")]
    Utf8,
    // Windows code page 932 (Shift_JIS as Japanese Excel saves it); characters it cannot hold are
    // reported, located to their cell, and nothing is written.
    Cp932,
}

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    /// The rule set whose hazards vocabulary the catalog is checked against, as for `check`.
    #[command(flatten)]
    rules: RuleArgs,
    /// File format.
    #[arg(long, value_enum)]
    format: SheetFormat,
    /// The file to write (standard output for csv when not given).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Encoding of a CSV file: utf-8 (with a BOM) or cp932 (Shift_JIS).
    #[arg(long, value_enum, default_value = "utf-8")]
    encoding: Encoding,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let path = args.catalog.clone().unwrap_or_else(default_catalog);
    if let Some(output) = &args.output {
        if let Err(e) = refuse_inputs(output, &[Input::Catalog(&path)]) {
            return ui.fail(Diagnostic::of(Code::OutputRefused, e.text()));
        }
    }
    // The catalog as every other command reads it: an operation `check` refuses is not exported.
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let loaded = itaku::catalog::load_path_for(&path, &compiled.rules);
    ui.report(&loaded.diagnostics);
    if loaded.diagnostics.has_errors() {
        // An export that left out the invalid operations would lose them on the way back in.
        ui.say(
            "カタログにエラーがあるため、書き出していません",
            "the catalog has errors: nothing was written",
        );
        return exit_for(&loaded.diagnostics).max_with(Exit::Findings);
    }
    let table = export_table(&loaded.catalog.operations, ui.lang);
    write_table(
        &table,
        args.format,
        args.encoding,
        args.output.as_deref(),
        ui,
    )
}

/// Writes a catalog table as xlsx (to a file only) or CSV.
pub fn write_table(
    table: &SheetTable,
    format: SheetFormat,
    encoding: Encoding,
    output: Option<&Path>,
    ui: &Ui,
) -> Exit {
    let lang = ui.lang;
    if encoding == Encoding::Cp932 {
        if let SheetFormat::Xlsx = format {
            return ui.fail(Diagnostic::error(
                Code::UsageInvalid,
                "--encoding は --format csv のときだけ指定できます",
                "--encoding applies to --format csv only",
            ));
        }
        let bytes = match itaku::render::catalog_csv_cp932(table, lang) {
            Ok(b) => b,
            Err(problems) => {
                for p in &problems {
                    let place = format!(
                        "{}!R{}C{} ({}{})",
                        table.sheet,
                        p.row + 1,
                        p.col + 1,
                        itaku::catalog::sheet::column_letter(p.col),
                        p.row + 1
                    );
                    let shown = itaku::diag::printable(&p.ch.to_string()).into_owned();
                    let code = p.ch as u32;
                    ui.report_one(
                        &itaku::diag::Diagnostic::error(
                            itaku::diag::Code::SheetUnencodable,
                            format!("「{shown}」(U+{code:04X}) は cp932 (Shift_JIS) で表せません。カタログの文字を書き換えるか、UTF-8 で書き出してください"),
                            format!("`{shown}` (U+{code:04X}) cannot be written in cp932 (Shift_JIS); change the catalog text or export as UTF-8"),
                        )
                        .in_file(place),
                    );
                }
                ui.say(
                    &format!(
                        "cp932 で表せない文字が {}個あるため、書き出していません",
                        problems.len()
                    ),
                    &format!(
                        "{} characters cp932 cannot hold: nothing was written",
                        problems.len()
                    ),
                );
                return Exit::Findings;
            }
        };
        let written = match output {
            Some(file) => itaku::fsutil::write_atomic(file, &bytes),
            None => super::to_stdout(&bytes),
        };
        return match written {
            Ok(()) => Exit::Success,
            Err(e) => ui.write_failed(&e),
        };
    }
    let written = match (format, output) {
        (SheetFormat::Xlsx, None) => {
            return ui.fail(Diagnostic::error(Code::UsageInvalid, "--format xlsx には --output FILE が必要です (端末にバイナリを書き出しません)", "--format xlsx needs --output FILE (a workbook is not written to a terminal or pipe)"));
        }
        (SheetFormat::Xlsx, Some(file)) => itaku::render::catalog_xlsx(table, lang)
            .and_then(|bytes| itaku::fsutil::write_atomic(file, &bytes)),
        (SheetFormat::Csv, Some(file)) => {
            itaku::fsutil::write_atomic_with(file, |w| itaku::render::catalog_csv(table, lang, w))
        }
        (SheetFormat::Csv, None) => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            itaku::render::catalog_csv(table, lang, &mut out).and_then(|_| out.flush())
        }
    };
    match written {
        Ok(()) => Exit::Success,
        Err(e) => ui.write_failed(&e),
    }
}
