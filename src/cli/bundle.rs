//! `itaku bundle`: comprehensive contracts proposed over the catalog (`itaku::bundle`).

use itaku::diag::{Code, Diagnostic};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use itaku::rules::bundle::BundleRules;

use super::{load_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<BundleFormat>,
    /// Write to this file instead of standard output (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BundleFormat {
    Table,
    Json,
    Md,
    Html,
    Xlsx,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let format = match args.format {
        Some(f) => f,
        None if args.output.is_none() && std::io::stdout().is_terminal() => BundleFormat::Table,
        None => BundleFormat::Json,
    };
    if format == BundleFormat::Xlsx && args.output.is_none() {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--format xlsx には --output FILE が必要です (端末にバイナリを書き出しません)",
            "--format xlsx needs --output FILE (a workbook is not written to a terminal or pipe)",
        ));
    }
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let bundling = match BundleRules::compile(Arc::clone(&compiled.rules), compiled.as_of) {
        Ok(b) => b,
        Err(d) => {
            ui.report(&d);
            return Exit::Findings;
        }
    };
    if bundling.is_empty() {
        ui.say(
            "このルールセットには束ねのルール (manifest.yaml の bundle_rules) がありません",
            "this rule set has no bundling rules (bundle_rules in manifest.yaml)",
        );
    }
    let catalog = match load_catalog(args.catalog.as_deref(), &compiled, ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let report = itaku::assess::assess_catalog(&catalog, &compiled);
    let bundles = itaku::bundle::propose(&report, &bundling);
    for (subject, e) in &bundles.errors {
        ui.report_one(&e.diagnostic(subject));
    }
    let doc = itaku::render::bundle_doc(&bundles, &report, &compiled.rules, ui.lang);
    let bytes: Vec<u8> = match format {
        BundleFormat::Table => {
            crate::text::bundle_table(&doc, ui.lang, super::terminal_width()).into_bytes()
        }
        BundleFormat::Json => itaku::render::bundles_json(&doc).into_bytes(),
        BundleFormat::Md => itaku::render::bundles_markdown(&doc, ui.lang).into_bytes(),
        BundleFormat::Html => itaku::render::bundles_html(&doc, ui.lang).into_bytes(),
        BundleFormat::Xlsx => match itaku::render::bundles_xlsx(&doc, ui.lang) {
            Ok(b) => b,
            Err(e) => return ui.write_failed(&e),
        },
    };
    let written = match &args.output {
        Some(file) => itaku::fsutil::write_atomic_with(file, |w| w.write_all(&bytes)),
        None => super::to_stdout(&bytes),
    };
    if let Err(e) = written {
        return ui.write_failed(&e);
    }
    if bundles.errors.is_empty() && report.rule_errors() == 0 {
        Exit::Success
    } else {
        Exit::Findings
    }
}
