//! `itaku test`: run rule test cases written as YAML data (a directory of case files, or one file).

use std::path::PathBuf;
use std::sync::Arc;

use itaku::testcases::{run_path, Options};

use super::{exit_for, to_stdout, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Directory of test cases, or one case file (default: tests/rules); `bases.yaml` is read from
    /// the directory or from beside the file.
    path: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Run only the cases whose name contains this text (ignoring case).
    #[arg(long)]
    filter: Option<String>,
    /// Show passing cases too.
    #[arg(long, short)]
    verbose: bool,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let set = match args.rules.load() {
        Ok(s) => Arc::new(s),
        Err(d) => {
            ui.report(&d);
            return exit_for(&d);
        }
    };
    let path = args.path.unwrap_or_else(|| PathBuf::from("tests/rules"));
    // `--as-of` is the date of the cases and files that name none.
    let options = Options {
        default_as_of: args.rules.as_of(),
        filter: args.filter,
    };
    let report = match run_path(&path, &set, &options, ui.lang) {
        Ok(r) => r,
        Err(d) => {
            ui.report(&d);
            return exit_for(&d).max_with(Exit::Findings);
        }
    };
    ui.report(&report.problems);
    let lang = ui.lang;
    use std::fmt::Write as _;
    let mut text = String::new();
    for r in &report.results {
        if r.failures.is_empty() {
            if args.verbose {
                let _ = writeln!(
                    text,
                    "{} {}:{} › {}",
                    lang.pick("合格  ", "ok  "),
                    r.file,
                    r.line,
                    r.name
                );
            }
        } else {
            let _ = writeln!(
                text,
                "{} {}:{} › {}",
                lang.pick("不合格", "FAIL"),
                r.file,
                r.line,
                r.name
            );
            for f in &r.failures {
                let _ = writeln!(text, "     - {f}");
            }
        }
    }
    let (passed, failed) = (report.passed(), report.failed());
    let _ = writeln!(
        text,
        "{}",
        lang.pick(
            &format!("ルールのテスト: 合格 {passed}件、不合格 {failed}件"),
            &format!("rules: {passed} passed, {failed} failed"),
        )
    );
    let text = itaku::diag::printable(&text);
    if let Err(e) = to_stdout(text.as_bytes()) {
        return ui.write_failed(&e);
    }
    if report.results.is_empty() && options.filter.is_some() {
        ui.say(
            "--filter に合うケースがありません",
            "no case matches --filter",
        );
    }
    if failed > 0 || report.results.is_empty() || report.problems.has_errors() {
        Exit::Findings
    } else {
        Exit::Success
    }
}
