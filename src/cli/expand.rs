//! `itaku expand [FILE]`: compact JSON Lines (`assess --format jsonl --compact`) back to the full form,
//! byte for byte (`itaku::render::compact`).

use std::io::Write;
use std::path::PathBuf;

use itaku::diag::{Code, Diagnostic};
use itaku::fsutil::{refuse_inputs, Input};

use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Compact JSON Lines file (`-` or none: standard input).
    input: Option<PathBuf>,
    /// Write to this file instead of standard output (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let path = args.input.unwrap_or_else(|| PathBuf::from("-"));
    let stdin = path.as_os_str() == "-";
    let shown = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    if let (Some(output), false) = (&args.output, stdin) {
        if let Err(e) = refuse_inputs(output, &[Input::Catalog(&path)]) {
            return ui.fail(Diagnostic::of(Code::OutputRefused, e.text()));
        }
    }
    let mut input: Box<dyn std::io::BufRead> = if stdin {
        Box::new(std::io::BufReader::new(std::io::stdin().lock()))
    } else {
        match std::fs::File::open(&path) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            Err(e) => {
                ui.report_one(
                    &Diagnostic::error(
                        Code::CompactUnreadable,
                        format!("ファイルを読めません: {e}"),
                        format!("cannot read the file: {e}"),
                    )
                    .in_file(shown),
                );
                return Exit::Usage;
            }
        }
    };
    let mut on_problem = |d: Diagnostic| ui.report_one(&d);
    let mut run =
        |w: &mut dyn Write| itaku::render::compact::expand(&shown, &mut *input, w, &mut on_problem);
    let result = match &args.output {
        Some(file) => {
            let mut summary = None;
            itaku::fsutil::write_atomic_with(file, |w| {
                summary = Some(run(w)?);
                Ok(())
            })
            .map(|_| summary.unwrap_or_default())
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            run(&mut out).and_then(|s| out.flush().map(|_| s))
        }
    };
    match result {
        Ok(summary) if summary.errors > 0 => {
            ui.say(
                &format!(
                    "{}行を展開しました。展開できない行 {}件 (上のエラーを参照)。",
                    summary.lines, summary.errors
                ),
                &format!(
                    "expanded {} lines; {} lines could not be expanded (see the errors above).",
                    summary.lines, summary.errors
                ),
            );
            Exit::Findings
        }
        Ok(_) => Exit::Success,
        Err(e) => ui.write_failed(&e),
    }
}
