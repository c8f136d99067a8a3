//! `itaku assess`: assess a catalog and render the result.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use itaku::catalog::load_path;
use itaku::render::{render, Format};

use super::{default_catalog, exit_for, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write to this file instead of standard output (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Yaml,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let path = args.catalog.unwrap_or_else(default_catalog);
    let loaded = load_path(&path);
    ui.report(&loaded.diagnostics);
    if loaded.catalog.is_empty() {
        return exit_for(&loaded.diagnostics).max_with(Exit::Findings);
    }
    let report = itaku::assess_catalog(&loaded.catalog, &compiled);
    for a in &report.assessments {
        for e in &a.errors {
            let rule = &compiled.rules.rule(e.rule).id;
            eprintln!(
                "{}[rules::runtime]: {}:{}:{}: {} `{rule}` / `{}`: {}",
                ui.lang.pick("エラー", "error"),
                e.file,
                e.line,
                e.column,
                ui.lang.pick(
                    "ルールの実行に失敗しました (ルール / 業務)",
                    "rule failed (rule / operation)"
                ),
                a.operation.id,
                e.message
            );
        }
    }
    let format = match args.format {
        Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Yaml) => Format::Yaml,
        None if args.output.is_none() && std::io::stdout().is_terminal() => Format::Table,
        None => Format::Json,
    };
    let written = match &args.output {
        Some(file) => itaku::fsutil::write_atomic_with(file, |w| {
            render(&report, &compiled.rules, ui.lang, format, w)
        }),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            render(&report, &compiled.rules, ui.lang, format, &mut lock).and_then(|_| lock.flush())
        }
    };
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Exit::Success;
        }
        ui.say(
            &format!("出力を書き込めません: {e}"),
            &format!("cannot write the output: {e}"),
        );
        return Exit::Usage;
    }
    if loaded.diagnostics.has_errors() || report.rule_errors() > 0 {
        Exit::Findings
    } else {
        Exit::Success
    }
}

impl Exit {
    /// The more serious of two statuses.
    pub fn max_with(self, other: Exit) -> Exit {
        if (self as u8) >= (other as u8) {
            self
        } else {
            other
        }
    }
}
