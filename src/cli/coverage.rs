//! `itaku coverage`: which rules, checklist items, parameters (and their dated values) and messages a
//! catalog and the rule cases never exercise.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use itaku::coverage::{Counter, Coverage};
use itaku::rules::CompiledRules;

use super::{load_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Rule test cases to include (default: tests/rules when it exists).
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Count the rule cases only, not a catalog.
    #[arg(long)]
    no_catalog: bool,
    /// Fail (exit 1) when fewer than this percentage (0–100) of the checklist items are raised.
    #[arg(long, value_parser = super::parse_percent)]
    min: Option<f64>,
    #[arg(long, value_enum, default_value_t = CoverageFormat::Table)]
    format: CoverageFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CoverageFormat {
    Table,
    Json,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let mut counter = Counter::default();
    if !args.no_catalog {
        let catalog = match load_catalog(args.catalog.as_deref(), &compiled, ui) {
            Ok(c) => c,
            Err(exit) => return exit,
        };
        for op in &catalog.operations {
            counter.add(op, &compiled);
        }
        // The bundling rules over the catalog (`itaku bundle`).
        if let Ok(bundling) =
            itaku::rules::bundle::BundleRules::compile(Arc::clone(&compiled.rules), compiled.as_of)
        {
            let report = itaku::assess::assess_catalog(&catalog, &compiled);
            counter.add_bundles(&itaku::bundle::propose(&report, &bundling));
        }
    }
    let cases = args.cases.clone().or_else(|| {
        let d = PathBuf::from("tests/rules");
        d.is_dir().then_some(d)
    });
    if let Some(dir) = &cases {
        let ops = match itaku::testcases::case_operations(dir, &compiled.rules, compiled.as_of) {
            Ok(o) => o,
            Err(d) => {
                ui.report(&d);
                return Exit::Usage;
            }
        };
        // Cases name their own dates: one compiled rule set per date.
        let mut by_date: BTreeMap<jiff::civil::Date, CompiledRules> = BTreeMap::new();
        for (date, op) in ops {
            let rules = match by_date.entry(date) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    match CompiledRules::compile(Arc::clone(&compiled.rules), date) {
                        Ok(c) => v.insert(c),
                        Err(d) => {
                            ui.report(&d);
                            return Exit::Findings;
                        }
                    }
                }
            };
            counter.add(&op, rules);
        }
        // The bundling cases (`bundle_cases:` files).
        match itaku::testcases::case_bundles(dir, &compiled.rules, compiled.as_of) {
            Ok(reports) => reports.iter().for_each(|r| counter.add_bundles(r)),
            Err(d) => {
                ui.report(&d);
                return Exit::Usage;
            }
        }
    }
    let report = counter.report(&compiled.rules);
    let text = match args.format {
        CoverageFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        CoverageFormat::Table => table(&report, ui),
    };
    // Text for a terminal has its control characters made visible; JSON escapes its own.
    let shown = if matches!(args.format, CoverageFormat::Json) {
        std::borrow::Cow::Borrowed(text.as_str())
    } else {
        itaku::diag::printable(&text)
    };
    if let Err(e) = super::to_stdout(shown.as_bytes()) {
        return ui.write_failed(&e);
    }
    match args.min {
        Some(min) if report.items.percent < min => {
            ui.say(
                &format!(
                    "チェック項目のカバー率 {}% が下限 {min}% を下回っています",
                    report.items.percent
                ),
                &format!(
                    "checklist item coverage {}% is below the minimum {min}%",
                    report.items.percent
                ),
            );
            Exit::Findings
        }
        _ => Exit::Success,
    }
}

fn table(c: &Coverage, ui: &Ui) -> String {
    let l = ui.lang;
    let mut s = String::new();
    s.push_str(&format!(
        "{} {}\n",
        l.pick("評価した業務:", "operations evaluated:"),
        c.evaluations
    ));
    let rows = [
        (
            l.pick("ルール (発火)", "rules fired"),
            &c.rules,
            &c.rules_never_fired,
        ),
        (
            l.pick("チェック項目", "checklist items raised"),
            &c.items,
            &c.items_never_raised,
        ),
        (
            l.pick("パラメータ", "parameters used"),
            &c.parameters,
            &c.parameters_never_used,
        ),
        (
            l.pick("パラメータの値 (施行日別)", "parameter values (by date)"),
            &c.parameter_values,
            &c.parameter_values_never_used,
        ),
        (
            l.pick("メッセージ", "messages used"),
            &c.messages,
            &c.messages_never_used,
        ),
    ];
    for (name, part, never) in rows {
        s.push_str(&format!(
            "{name}: {}/{} ({}%)\n",
            part.covered, part.total, part.percent
        ));
        for n in never {
            s.push_str(&format!("    {} {n}\n", l.pick("未使用:", "never:")));
        }
    }
    s
}
