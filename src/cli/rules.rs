//! `itaku rules`: list the rule set (id, kind, title, basis, parameters used), or generate docs/rules.md.

use itaku::diag::{Code, Diagnostic};
use std::path::PathBuf;

use clap::ValueEnum;

use itaku::fsutil::{refuse_inputs, Input};

use super::{to_stdout, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    rules: RuleArgs,
    /// `table` for reading, `md` for the generated reference (docs/rules.md).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Write a copy of the standard rules built into the binary, to customise (標準ルールを書き出す).
    Export(super::rules_export::Args),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Md,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if let Some(Action::Export(export)) = args.action {
        return super::rules_export::run(export, ui);
    }
    if let Some(output) = &args.output {
        let rules_dir = args.rules.dir();
        let inputs: Vec<Input> = rules_dir.as_deref().map(Input::Rules).into_iter().collect();
        if let Err(e) = refuse_inputs(output, &inputs) {
            return ui.fail(Diagnostic::of(Code::OutputRefused, e.text()));
        }
    }
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let set = &compiled.rules;
    let text = match args.format {
        Format::Md => itaku::render::rules_markdown(set),
        Format::Table => {
            let mut text = crate::text::rules_table(set, ui.lang, super::terminal_width());
            text.push_str(&engines(&compiled, ui.lang));
            text
        }
    };
    let written = match &args.output {
        Some(path) => itaku::fsutil::write_atomic(path, text.as_bytes()),
        // Standard output may be a terminal: control characters from the rule set are made visible.
        None => to_stdout(itaku::diag::printable(&text).as_bytes()),
    };
    match written {
        Ok(()) => Exit::Success,
        Err(e) => ui.write_failed(&e),
    }
}

/// Which rules the compiler runs and which run on the interpreter (and why).
fn engines(compiled: &itaku::rules::CompiledRules, lang: itaku::Lang) -> String {
    use itaku::rules::RuleEngine;
    let engines = compiled.rule_engines();
    let n = engines
        .iter()
        .filter(|e| **e == RuleEngine::Compiled)
        .count();
    let ja = lang == itaku::Lang::Ja;
    let mut out = if ja {
        format!(
            "\nエンジン: {} 件中 {n} 件のルールをコンパイル済み\n",
            engines.len()
        )
    } else {
        format!("\nEngine: {n} of {} rules compiled\n", engines.len())
    };
    let width = compiled
        .rules
        .manifest
        .rules
        .iter()
        .map(|r| r.id.chars().count())
        .max()
        .unwrap_or(0);
    for (rule, engine) in compiled.rules.manifest.rules.iter().zip(&engines) {
        let how = match (engine, ja) {
            (RuleEngine::Compiled, true) => "コンパイル済み".to_string(),
            (RuleEngine::Compiled, false) => "compiled".to_string(),
            (RuleEngine::Interpreted { reason, line }, true) => {
                format!("インタプリタ ({line} 行目: 未対応の構文 {reason})")
            }
            (RuleEngine::Interpreted { reason, line }, false) => {
                format!("interpreted (line {line}: {reason} is not compiled)")
            }
        };
        out.push_str(&format!("  {:<width$}  {how}\n", rule.id));
    }
    out
}
