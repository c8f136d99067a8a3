//! `itaku plan`: the plan over the years (`itaku::plan`) — where it stands, the effect verification and
//! the yearly review, read against the catalog's assessments.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Subcommand, ValueEnum};
use itaku::diag::{Code, Diagnostic, Diagnostics};
use itaku::plan::{self, Plan};
use itaku::render::plan::{
    plan_html, plan_json, plan_markdown, plan_xlsx, review_view, state_view, verification_view,
    PlanView,
};
use itaku::rules::bundle::BundleRules;
use itaku::rules::{CompiledRules, RuleSet};

use super::{load_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    view: View,
}

#[derive(Subcommand)]
enum View {
    /// Where the plan stands: by year, department and priority area, what is late, the monitoring (計画の進み具合).
    Status(Common),
    /// The effect verification of the items in delivery, interim before the verification year (効果検証).
    Verify(Common),
    /// The yearly review: last year's plan and catalog against this year's (年次見直し).
    Review(ReviewArgs),
}

#[derive(clap::Args)]
struct Common {
    /// The plan file (default: plan/plan.yaml).
    plan: Option<PathBuf>,
    /// Catalog file or directory (default: catalog/).
    #[arg(long)]
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<PlanFormat>,
    /// Write to this file instead of standard output (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ReviewArgs {
    #[command(flatten)]
    common: Common,
    /// Last year's plan file.
    #[arg(long)]
    base_plan: PathBuf,
    /// Last year's catalog (default: the same catalog).
    #[arg(long)]
    base_catalog: Option<PathBuf>,
    /// Last year's rules directory (default: the same rules).
    #[arg(long, conflicts_with = "base_rev")]
    base_rules: Option<PathBuf>,
    /// Last year's rules: the rules directory as it was at a git revision (read with `git show`).
    #[arg(long)]
    base_rev: Option<String>,
    /// Last year's date whose parameter values apply (default: one year before --as-of).
    #[arg(long, value_parser = super::parse_date)]
    base_as_of: Option<jiff::civil::Date>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormat {
    Table,
    Json,
    Md,
    Html,
    Xlsx,
}

fn default_plan() -> PathBuf {
    PathBuf::from(plan::EXAMPLE_PATH)
}

/// What every view needs: the rules, the plan, the catalog's assessments and the bundles known.
struct Loaded {
    compiled: CompiledRules,
    plan: Plan,
    report: itaku::assess::Report,
}

fn load(
    plan_path: &Path,
    catalog: Option<&Path>,
    compiled: CompiledRules,
    ui: &Ui,
) -> Result<Loaded, Exit> {
    let plan = plan::load(plan_path).map_err(|d| {
        ui.report(&d);
        super::exit_for(&d).max_with(Exit::Findings)
    })?;
    let catalog = load_catalog(catalog, &compiled, ui)?;
    let report = itaku::assess::assess_catalog(&catalog, &compiled);
    let bundling = match BundleRules::compile(Arc::clone(&compiled.rules), compiled.as_of) {
        Ok(b) => b,
        Err(d) => {
            ui.report(&d);
            return Err(Exit::Findings);
        }
    };
    // A rule set without bundling rules (an older one, say) cannot say which bundles exist: the plan's
    // bundles are then taken as written.
    let bundles = (!bundling.is_empty()).then(|| itaku::bundle::propose(&report, &bundling));
    let kinds: Option<Vec<&str>> = bundles.as_ref().map(|b| {
        b.proposals
            .iter()
            .map(|p| p.kind.as_str())
            .chain(b.not_proposed.iter().map(|n| n.kind.as_str()))
            .collect()
    });
    let ids: Vec<&str> = report
        .assessments
        .iter()
        .map(|a| a.operation.id.as_str())
        .collect();
    let problems: Diagnostics =
        plan::check_references(&plan, ids.iter().copied(), kinds.as_deref());
    if !problems.is_empty() {
        ui.report(&problems);
        return Err(Exit::Findings);
    }
    Ok(Loaded {
        compiled,
        plan,
        report,
    })
}

fn format_of(c: &Common) -> PlanFormat {
    match c.format {
        Some(f) => f,
        None if c.output.is_none() && std::io::stdout().is_terminal() => PlanFormat::Table,
        None => PlanFormat::Json,
    }
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let common = match &args.view {
        View::Status(c) | View::Verify(c) => c,
        View::Review(r) => &r.common,
    };
    let format = format_of(common);
    if format == PlanFormat::Xlsx && common.output.is_none() {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--format xlsx には --output FILE が必要です (端末にバイナリを書き出しません)",
            "--format xlsx needs --output FILE (a workbook is not written to a terminal or pipe)",
        ));
    }
    let compiled = match common.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let as_of = compiled.as_of;
    let plan_path = common.plan.clone().unwrap_or_else(default_plan);
    let new = match load(&plan_path, common.catalog.as_deref(), compiled, ui) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let year = plan::fiscal_year(as_of);
    let rules: &RuleSet = &new.compiled.rules;
    let lang = ui.lang;
    let by_id: std::collections::HashMap<&str, &str> = new
        .report
        .assessments
        .iter()
        .map(|a| (a.operation.id.as_str(), a.operation.display_name(lang)))
        .collect();
    let names = |id: &str| by_id.get(id).copied().unwrap_or_default().to_string();
    let (json, view): (String, PlanView) = match &args.view {
        View::Status(_) => {
            let st = plan::state::state(&new.plan, &new.report, year);
            (
                plan_json(&new.plan, rules, as_of, &st),
                state_view(&new.plan, &st, rules, as_of, ui.lang),
            )
        }
        View::Verify(_) => {
            let v = plan::state::verify(&new.plan, &new.report, year);
            (
                plan_json(&new.plan, rules, as_of, &v),
                verification_view(&new.plan, &v, rules, as_of, ui.lang, &names),
            )
        }
        View::Review(r) => {
            let base_as_of = r.base_as_of.unwrap_or_else(|| {
                as_of
                    .checked_sub(jiff::Span::new().years(1))
                    .unwrap_or(as_of)
            });
            let (base_compiled, _) = match super::diff::base_rules_compiled(
                &common.rules,
                &new.compiled,
                r.base_rev.as_deref(),
                r.base_rules.as_deref(),
                base_as_of,
                ui,
            ) {
                Ok(b) => b,
                Err(exit) => return exit,
            };
            let base_catalog = r.base_catalog.clone().or_else(|| common.catalog.clone());
            let base = match load(&r.base_plan, base_catalog.as_deref(), base_compiled, ui) {
                Ok(l) => l,
                Err(exit) => return exit,
            };
            let diff = itaku::diff::diff(
                itaku::diff::Side {
                    report: &base.report,
                    rules: &base.compiled,
                },
                itaku::diff::Side {
                    report: &new.report,
                    rules: &new.compiled,
                },
                format!(
                    "{} {} @ {base_as_of}{}",
                    base.compiled.rules.manifest.name,
                    base.compiled.rules.manifest.version,
                    base_catalog
                        .as_ref()
                        .map_or(String::new(), |p| format!(", {}", p.display()))
                ),
                format!(
                    "{} {} @ {as_of}",
                    new.compiled.rules.manifest.name, new.compiled.rules.manifest.version
                ),
            );
            let review = plan::review::review(
                &base.plan,
                plan::fiscal_year(base_as_of),
                &new.plan,
                year,
                diff,
            );
            (
                plan_json(&new.plan, rules, as_of, &review),
                review_view(&new.plan, &review, rules, as_of, ui.lang, &names),
            )
        }
    };
    let bytes: Vec<u8> = match format {
        PlanFormat::Table => crate::text::plan_table(&view, super::terminal_width()).into_bytes(),
        PlanFormat::Json => json.into_bytes(),
        PlanFormat::Md => plan_markdown(&view).into_bytes(),
        PlanFormat::Html => plan_html(&view, ui.lang).into_bytes(),
        PlanFormat::Xlsx => match plan_xlsx(&view) {
            Ok(b) => b,
            Err(e) => return ui.write_failed(&e),
        },
    };
    let written = match &common.output {
        Some(file) => itaku::fsutil::write_atomic_with(file, |w| w.write_all(&bytes)),
        None => super::to_stdout(&bytes),
    };
    if let Err(e) = written {
        return ui.write_failed(&e);
    }
    if new.report.rule_errors() == 0 {
        Exit::Success
    } else {
        Exit::Findings
    }
}
