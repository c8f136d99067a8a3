//! `itaku check`: validate a catalog and a rule set without assessing.

use std::path::PathBuf;

use itaku::catalog::{load_path, load_path_for};

use super::{default_catalog, exit_for, to_stdout, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Print the problems as JSON on standard output.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    // With --json the rule set's problems go into the JSON with the catalog's; otherwise to standard error.
    let mut rule_problems = itaku::diag::Diagnostics::default();
    let rules = args.rules.compile_quietly().map_err(|(d, exit)| {
        if args.json {
            rule_problems = d;
        } else {
            ui.report(&d);
        }
        exit
    });
    let path = args.catalog.unwrap_or_else(default_catalog);
    // With the rule set, its hazards vocabulary applies (errors); then decisive facts left out and
    // facts that contradict each other (warnings, located at the fields involved).
    let mut loaded = match &rules {
        Ok(compiled) => load_path_for(&path, &compiled.rules),
        Err(_) => load_path(&path),
    };
    if let Ok(compiled) = &rules {
        let report = itaku::assess_catalog(&loaded.catalog, compiled);
        let facts =
            itaku::check::check_facts(&loaded.catalog, compiled, &report.assessments, ui.lang);
        loaded.diagnostics.extend(facts);
    }
    if args.json {
        let items: Vec<_> = rule_problems
            .iter()
            .chain(loaded.diagnostics.iter())
            .map(|d| d.to_json(ui.lang))
            .collect();
        let mut text = serde_json::to_string_pretty(&items).unwrap_or_default();
        text.push('\n');
        if let Err(e) = to_stdout(text.as_bytes()) {
            return ui.write_failed(&e);
        }
    } else {
        ui.report(&loaded.diagnostics);
    }
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == itaku::diag::Severity::Error)
        .count();
    match &rules {
        Ok(r) => ui.say(
            &format!(
                "業務 {}件を読み込みました (エラー {errors}件)。ルール {}件 ({} {}) をコンパイルしました。",
                loaded.catalog.len(),
                r.rules.manifest.rules.len(),
                r.rules.manifest.name,
                r.rules.manifest.version
            ),
            &format!(
                "{} operations loaded ({errors} errors); {} rules compiled ({} {}).",
                loaded.catalog.len(),
                r.rules.manifest.rules.len(),
                r.rules.manifest.name,
                r.rules.manifest.version
            ),
        ),
        Err(_) => ui.say(
            &format!("業務 {}件を読み込みました (エラー {errors}件)。ルールにエラーがあります。", loaded.catalog.len()),
            &format!("{} operations loaded ({errors} errors); the rule set has errors.", loaded.catalog.len()),
        ),
    }
    let catalog_exit = if loaded.diagnostics.has_errors() {
        exit_for(&loaded.diagnostics)
    } else {
        Exit::Success
    };
    match rules {
        Ok(_) => catalog_exit,
        Err(e) => e.max_with(catalog_exit),
    }
}
