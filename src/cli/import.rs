//! `itaku import`: a spreadsheet (xlsx or CSV, one row per operation) to a validated catalog YAML file.

use itaku::diag::{Code, Diagnostic};
use std::path::PathBuf;

use itaku::catalog::sheet::{read_sheet_file, sheet_to_yaml, SheetProblem};
use itaku::fsutil::{refuse_inputs, Input};

use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// The spreadsheet: .xlsx (first sheet) or .csv (UTF-8, with or without BOM, or Shift_JIS).
    file: PathBuf,
    /// The catalog file to write (YAML).
    #[arg(long, short)]
    output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

fn say_problem(p: &SheetProblem, ui: &Ui) {
    ui.report_one(
        &itaku::diag::Diagnostic::error(
            itaku::diag::Code::SheetInvalid,
            p.text.ja.clone(),
            p.text.en.clone(),
        )
        .in_file(p.place.clone()),
    );
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if let Err(e) = refuse_inputs(&args.output, &[Input::Catalog(&args.file)]) {
        return ui.fail(Diagnostic::of(Code::OutputRefused, e.text()));
    }
    if (args.output.exists() || args.output.is_symlink()) && !args.force {
        let shown = args.output.display();
        return ui.fail(Diagnostic::error(
            Code::OutputExists,
            format!("`{shown}` は既にあります。上書きするには --force を指定してください"),
            format!("`{shown}` exists; pass --force to replace it"),
        ));
    }
    let sheet = match read_sheet_file(&args.file) {
        Ok(s) => s,
        Err(p) => {
            say_problem(&p, ui);
            return Exit::Usage;
        }
    };
    let (text, count) = match sheet_to_yaml(&sheet) {
        Ok(t) => t,
        Err(problems) => {
            for p in &problems {
                say_problem(p, ui);
            }
            ui.say(
                &format!(
                    "問題が {}件あるため、何も書き出していません",
                    problems.len()
                ),
                &format!("{} problems: nothing was written", problems.len()),
            );
            return Exit::Findings;
        }
    };
    // The text is checked by the same loader as any catalog before it is written.
    let shown = args.output.display().to_string();
    let loaded = itaku::catalog::parse_str(&shown, &text);
    if !loaded.diagnostics.is_empty() || loaded.catalog.len() != count {
        ui.report(&loaded.diagnostics);
        ui.say(
            "変換した結果がカタログとして検証を通らないため、何も書き出していません",
            "the converted catalog does not validate: nothing was written",
        );
        return Exit::Findings;
    }
    // Checked again when the file is put in place: a file created during the conversion is kept.
    let written = if args.force {
        itaku::catalog::writer::replace_file(&args.output, &text)
    } else {
        itaku::catalog::writer::create_file(&args.output, &text)
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let shown = args.output.display();
            return ui.fail(Diagnostic::error(Code::UsageInvalid, format!("`{shown}` は変換中に作られました。上書きするには --force を指定してください (何も書き出していません)"), format!("`{shown}` was created during the conversion; pass --force to replace it (nothing was written)")));
        }
        Err(e) => return ui.write_failed(&e),
    }
    ui.say(
        &format!("{count}件の業務を {shown} に書き出しました"),
        &format!("wrote {count} operations to {shown}"),
    );
    Exit::Success
}
