//! Each rule case file under `tests/rules/` as its own test: `cargo nextest run` lists `s5.yaml`,
//! `gate.yaml` …, and a failure names the file and each failed case with what differed, without a
//! backtrace. New files are picked up without touching this file.
//!
//! A custom harness (libtest-mimic) makes one test per data file; the cases are run by the library,
//! the same code as `itaku test`, in English.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use itaku::rules::RuleSet;
use itaku::testcases::{case_files, run_path, Options};
use itaku::Lang;
use libtest_mimic::{Arguments, Failed, Trial};

fn run_file(rules: &Arc<RuleSet>, file: &Path) -> Result<(), Failed> {
    // The date `itaku test` uses for cases and files that name none: today.
    let options = Options {
        default_as_of: jiff::Zoned::now().date(),
        filter: None,
    };
    let report =
        run_path(file, rules, &options, Lang::En).map_err(|d| Failed::from(d.to_string()))?;
    let mut out = String::new();
    for d in report.problems.iter() {
        out.push_str(&format!("{d}\n"));
    }
    for r in report.results.iter().filter(|r| !r.failures.is_empty()) {
        out.push_str(&format!("FAIL {}:{} › {}\n", r.file, r.line, r.name));
        for f in &r.failures {
            out.push_str(&format!("     - {f}\n"));
        }
    }
    if report.results.is_empty() && report.problems.is_empty() {
        out.push_str("the file has no cases\n");
    }
    if out.is_empty() {
        Ok(())
    } else {
        out.push_str(&format!(
            "({} cases passed, {} failed)",
            report.passed(),
            report.failed()
        ));
        Err(out.into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, files) = case_files(&root.join("tests/rules")).expect("tests/rules is readable");
    let rules = Arc::new(RuleSet::load_dir(root.join("rules")).expect("the standard rules load"));
    let trials: Vec<Trial> = files
        .into_iter()
        .map(|file: PathBuf| {
            let name = file
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let rules = Arc::clone(&rules);
            Trial::test(name, move || run_file(&rules, &file))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
