//! `itaku test`: run rule test cases written as YAML data.

use std::path::PathBuf;
use std::sync::Arc;

use itaku::rules::RuleSet;
use itaku::testcases::run_dir;

use super::{exit_for, to_stdout, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Directory of test cases (default: tests/rules).
    dir: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Show passing cases too.
    #[arg(long, short)]
    verbose: bool,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let set = match RuleSet::load_dir(&args.rules.rules) {
        Ok(s) => Arc::new(s),
        Err(d) => {
            ui.report(&d);
            return exit_for(&d);
        }
    };
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("tests/rules"));
    let report = match run_dir(&dir, &set, args.rules.as_of(), ui.lang) {
        Ok(r) => r,
        Err(d) => {
            ui.report(&d);
            return exit_for(&d).max_with(Exit::Findings);
        }
    };
    use std::fmt::Write as _;
    let mut text = String::new();
    for r in &report.results {
        if r.failures.is_empty() {
            if args.verbose {
                let _ = writeln!(text, "ok   {} › {}", r.file, r.name);
            }
        } else {
            let _ = writeln!(text, "FAIL {} › {}", r.file, r.name);
            for f in &r.failures {
                let _ = writeln!(text, "     - {f}");
            }
        }
    }
    let _ = writeln!(
        text,
        "rules: {} passed, {} failed",
        report.passed(),
        report.failed()
    );
    let text = itaku::diag::printable(&text);
    if let Err(e) = to_stdout(text.as_bytes()) {
        return ui.write_failed(&e);
    }
    if report.failed() > 0 || report.results.is_empty() {
        Exit::Findings
    } else {
        Exit::Success
    }
}
