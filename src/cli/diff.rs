//! `itaku diff`: what a revision changes — the catalog's assessments under a base and a new setting.

use itaku::diag::{Code, Diagnostic};
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use itaku::diff::{diff, Side};
use itaku::render::{diff_markdown, diff_text};
use itaku::rules::{CompiledRules, GitSource, RuleSet};

use super::{load_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// The base rule set: another rules directory.
    #[arg(long, conflicts_with = "base_rev")]
    base_rules: Option<PathBuf>,
    /// The base rule set: the rules directory as it was at a git revision (read with `git show`).
    #[arg(long)]
    base_rev: Option<String>,
    /// The base date whose parameter values apply (default: the same as --as-of).
    #[arg(long, value_parser = super::parse_date)]
    base_as_of: Option<jiff::civil::Date>,
    /// The base catalog (default: the same catalog).
    #[arg(long)]
    base_catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Table,
    Json,
    Md,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if args.base_rules.is_none()
        && args.base_rev.is_none()
        && args.base_as_of.is_none()
        && args.base_catalog.is_none()
    {
        return ui.fail(Diagnostic::error(Code::UsageInvalid, "比較の基準を指定してください (--base-rules DIR、--base-rev REV、--base-as-of DATE、--base-catalog PATH のいずれか)", "say what to compare with: --base-rules DIR, --base-rev REV, --base-as-of DATE or --base-catalog PATH"));
    }
    let new_rules = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let as_of = args.rules.as_of();
    let base_as_of = args.base_as_of.unwrap_or(as_of);
    let (base_rules, base_name) = match base_rules_compiled(
        &args.rules,
        &new_rules,
        args.base_rev.as_deref(),
        args.base_rules.as_deref(),
        base_as_of,
        ui,
    ) {
        Ok(b) => b,
        Err(exit) => return exit,
    };
    let new_catalog = match load_catalog(args.catalog.as_deref(), &new_rules, ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let base_catalog = match &args.base_catalog {
        Some(path) => match load_catalog(Some(path), &base_rules, ui) {
            Ok(c) => c,
            Err(exit) => return exit,
        },
        None => new_catalog.clone(),
    };
    let base_report = itaku::assess_catalog(&base_catalog, &base_rules);
    let new_report = itaku::assess_catalog(&new_catalog, &new_rules);
    let base_label = format!(
        "{} {} @ {base_as_of}{}",
        base_rules.rules.manifest.name,
        base_rules.rules.manifest.version,
        args.base_catalog
            .as_ref()
            .map(|p| format!(" ({})", p.display()))
            .unwrap_or_else(|| format!(" [{base_name}]"))
    );
    let new_label = format!(
        "{} {} @ {as_of}",
        new_rules.rules.manifest.name, new_rules.rules.manifest.version
    );
    let d = diff(
        Side {
            report: &base_report,
            rules: &base_rules,
        },
        Side {
            report: &new_report,
            rules: &new_rules,
        },
        base_label,
        new_label,
    );
    let text = match args.format {
        DiffFormat::Table => diff_text(&d, ui.lang),
        DiffFormat::Md => diff_markdown(&d, ui.lang),
        DiffFormat::Json => serde_json::to_string_pretty(&d).unwrap_or_default() + "\n",
    };
    // Text for a terminal has its control characters made visible; JSON escapes its own.
    let shown = if matches!(args.format, DiffFormat::Json) {
        std::borrow::Cow::Borrowed(text.as_str())
    } else {
        itaku::diag::printable(&text)
    };
    if let Err(e) = super::to_stdout(shown.as_bytes()) {
        return ui.write_failed(&e);
    }
    if d.changed.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    }
}

/// The base rule set of a comparison, compiled for `base_as_of`, and its name: the rules directory at a
/// git revision, another rules directory, or (neither given) the new rule set itself.
pub(super) fn base_rules_compiled(
    rules: &RuleArgs,
    new_rules: &CompiledRules,
    base_rev: Option<&str>,
    base_rules: Option<&std::path::Path>,
    base_as_of: jiff::civil::Date,
    ui: &Ui,
) -> Result<(CompiledRules, String), Exit> {
    let (base_set, base_name) = if let Some(rev) = base_rev {
        let source = match GitSource::new(&rules.dir_or_default(), rev) {
            Ok(s) => s,
            Err(e) => {
                return Err(ui.fail(Diagnostic::error(
                    Code::GitFailed,
                    format!("git のリビジョン `{rev}` からルールを読めません: {e}"),
                    format!("cannot read the rules at git revision `{rev}`: {e}"),
                )));
            }
        };
        (
            RuleSet::load(&source),
            format!("{rev}:{}", rules.dir_or_default().display()),
        )
    } else if let Some(dir) = base_rules {
        (RuleSet::load_dir(dir), dir.display().to_string())
    } else {
        (Ok((*new_rules.rules).clone()), rules.shown())
    };
    let base_set = match base_set {
        Ok(s) => s,
        Err(d) => {
            ui.report(&d);
            return Err(super::exit_for(&d).max_with(Exit::Findings));
        }
    };
    match CompiledRules::compile(Arc::new(base_set), base_as_of) {
        Ok(c) => Ok((c, base_name)),
        Err(d) => {
            ui.report(&d);
            Err(Exit::Findings)
        }
    }
}
