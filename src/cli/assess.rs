//! `itaku assess`: assess a catalog and render the result.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::text::{render, Output};
use clap::ValueEnum;
use itaku::diag::{Code, Diagnostic};
use itaku::render::Format;
use itaku::rules::RuleErrorGroups;

use itaku::fsutil::{refuse_inputs, Input};

use super::progress::{Progress, Unit};
use super::{capped_threads, default_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory (default: catalog/).
    catalog: Option<PathBuf>,
    /// Assess only this operation (by id; repeat for several). An unknown id names the nearest ones.
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// With `--format csv`: one row per checklist item instead of one per operation.
    #[arg(long)]
    checklist: bool,
    /// With `--format html`: `full` (default: a section per operation) or `summary` (for managers, at most 10 A4 pages).
    #[arg(long, value_enum, value_name = "KIND")]
    report: Option<ReportArg>,
    /// With `--format jsonl`: the compact form for large runs (item and message texts once, in a
    /// header record; `itaku expand` restores the full form byte for byte).
    #[arg(long)]
    compact: bool,
    /// Write to this file instead of standard output (written whole, then renamed into place).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Worker threads (default: all cores). Results are identical whatever the number.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

/// Which HTML report `--format html` writes.
#[derive(Clone, Copy, ValueEnum)]
enum ReportArg {
    Full,
    Summary,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Yaml,
    Jsonl,
    Csv,
    Md,
    Html,
    Xlsx,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if let Some(n) = args.threads {
        // Fails only if the pool already exists, which cannot happen before this point.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(capped_threads(usize::from(n), ui))
            .build_global();
    }
    let path = args.catalog.clone().unwrap_or_else(default_catalog);
    if let Some(output) = &args.output {
        let rules_dir = args.rules.dir();
        let mut inputs = vec![Input::Catalog(&path)];
        inputs.extend(rules_dir.as_deref().map(Input::Rules));
        if let Err(e) = refuse_inputs(output, &inputs) {
            return ui.fail(Diagnostic::of(Code::OutputRefused, e.text()));
        }
    }
    if matches!(args.format, Some(FormatArg::Xlsx)) && args.output.is_none() {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--format xlsx には --output FILE が必要です (端末にバイナリを書き出しません)",
            "--format xlsx needs --output FILE (a workbook is not written to a terminal or pipe)",
        ));
    }
    if args.compact && !matches!(args.format, Some(FormatArg::Jsonl)) {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--compact は --format jsonl と一緒に指定してください",
            "--compact goes with --format jsonl",
        ));
    }
    if args.checklist && !matches!(args.format, Some(FormatArg::Csv)) {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--checklist は --format csv と一緒に指定してください",
            "--checklist goes with --format csv",
        ));
    }
    if args.report.is_some() && !matches!(args.format, Some(FormatArg::Html)) {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--report は --format html と一緒に指定してください",
            "--report goes with --format html",
        ));
    }
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    if itaku::pipeline::streams(&path, matches!(args.format, Some(FormatArg::Jsonl))) {
        if !args.only.is_empty() {
            return ui.fail(Diagnostic::error(
                Code::UsageInvalid,
                "JSON Lines の逐次処理では --only を使えません (--format json 等で指定してください)",
                "--only does not apply to streamed JSON Lines (use another --format)",
            ));
        }
        return stream(&path, args.output.as_deref(), &compiled, args.compact, ui);
    }
    let options = itaku::pipeline::Options {
        only: args.only.clone(),
    };
    let mut shown = Shown { ui, progress: None };
    let assessed = itaku::pipeline::assess_path(&path, &compiled, &options, &mut shown);
    if let Some(p) = &shown.progress {
        p.finish();
    }
    for d in &assessed.unknown_ids {
        ui.report_one(d);
    }
    ui.report(&assessed.rule_failures);
    let skipped = assessed.loaded.skipped;
    let Some(report) = &assessed.report else {
        if assessed.unknown_ids.is_empty() {
            say_skipped(skipped, 0, ui);
        }
        return status_exit(assessed.status());
    };
    let format = match args.format {
        Some(FormatArg::Table) if args.output.is_none() => table_format(),
        Some(FormatArg::Table) => Output::Table(None),
        Some(FormatArg::Json) => Output::Format(Format::Json),
        Some(FormatArg::Yaml) => Output::Format(Format::Yaml),
        Some(FormatArg::Jsonl) if args.compact => Output::Format(Format::JsonlCompact),
        Some(FormatArg::Jsonl) => Output::Format(Format::Jsonl),
        Some(FormatArg::Csv) if args.checklist => Output::Format(Format::CsvChecklist),
        Some(FormatArg::Csv) => Output::Format(Format::Csv),
        Some(FormatArg::Md) => Output::Format(Format::Markdown),
        Some(FormatArg::Html) if matches!(args.report, Some(ReportArg::Summary)) => {
            Output::Format(Format::HtmlSummary)
        }
        Some(FormatArg::Html) => Output::Format(Format::Html),
        Some(FormatArg::Xlsx) => Output::Format(Format::Xlsx),
        None if args.output.is_none() && std::io::stdout().is_terminal() => table_format(),
        None => Output::Format(Format::Json),
    };
    let written = match &args.output {
        Some(file) => itaku::fsutil::write_atomic_with(file, |w| {
            render(report, &compiled.rules, ui.lang, format, w)
        }),
        None => {
            // Standard output is line-buffered: without a buffer, pretty JSON costs a system call per line.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            render(report, &compiled.rules, ui.lang, format, &mut out).and_then(|_| out.flush())
        }
    };
    if let Err(e) = written {
        return ui.write_failed(&e);
    }
    say_skipped(skipped, report.assessments.len(), ui);
    let exit = status_exit(assessed.status());
    // The process ends with this command and the system takes its memory back at once: freeing the
    // catalog and the report value by value would take the last ~5 % of a large run, on one thread.
    std::mem::forget(assessed);
    exit
}

/// The exit status of a pipeline outcome.
fn status_exit(status: itaku::pipeline::Status) -> Exit {
    match status {
        itaku::pipeline::Status::Clean => Exit::Success,
        itaku::pipeline::Status::Findings => Exit::Findings,
        itaku::pipeline::Status::Unusable => Exit::Usage,
    }
}

/// Shows the catalog's problems as soon as it is read (no progress bar).
pub struct Reported<'a>(pub &'a Ui);

impl itaku::pipeline::Events for Reported<'_> {
    fn loaded(&mut self, diagnostics: &itaku::diag::Diagnostics) {
        self.0.report(diagnostics);
    }
}

/// Shows the pipeline's progress: the catalog's problems as soon as it is read, then a progress bar.
struct Shown<'a> {
    ui: &'a Ui,
    progress: Option<Progress>,
}

impl itaku::pipeline::Events for Shown<'_> {
    fn loaded(&mut self, diagnostics: &itaku::diag::Diagnostics) {
        self.ui.report(diagnostics);
    }

    fn assessing(&mut self, operations: usize) {
        self.progress = Some(Progress::new(
            Some(operations as u64),
            Unit::Operations,
            self.ui.lang,
        ));
    }

    fn assessed_one(&self) {
        if let Some(p) = &self.progress {
            p.inc(1);
        }
    }
}

/// The table, fitted to the terminal when standard output is one.
fn table_format() -> Output {
    Output::Table(super::terminal_width())
}

/// The summary line on standard error when invalid operations were left out: the table's total counts
/// only the operations assessed, so it would otherwise hide them.
fn say_skipped(skipped: usize, assessed: usize, ui: &Ui) {
    if skipped > 0 {
        ui.say(
            &format!("{assessed}件を判定しました。無効な業務 {skipped}件を判定から除外しました (上のエラーを参照)。"),
            &format!("assessed {assessed} operations; skipped {skipped} invalid operations (see the errors above)."),
        );
    }
}

/// JSON Lines in, JSON Lines out: read, assess and write in bounded batches (`itaku::stream`).
fn stream(
    path: &std::path::Path,
    output: Option<&std::path::Path>,
    compiled: &itaku::CompiledRules,
    compact: bool,
    ui: &Ui,
) -> Exit {
    use itaku::stream::{assess_jsonl_as, Problem};
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let progress = Progress::new(size, Unit::Bytes, ui.lang);
    let mut input: Box<dyn std::io::BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(Counted(
            std::io::stdin().lock(),
            &progress,
        )))
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(
                1 << 20,
                Counted(f, &progress),
            )),
            Err(e) => {
                ui.report_one(
                    &Diagnostic::error(
                        Code::CatalogUnreadable,
                        format!("カタログを読めません: {e}"),
                        format!("cannot read the catalog: {e}"),
                    )
                    .in_file(shown),
                );
                return Exit::Usage;
            }
        }
    };
    // A stream of broken lines gives a readable report: the first problems in full, then a count.
    const SHOWN: usize = 200;
    let mut seen = 0;
    let mut failures = RuleErrorGroups::default();
    let mut on_problem = |p: Problem<'_>| match p {
        Problem::Catalog(d) => {
            seen += 1;
            if seen <= SHOWN {
                progress.suspend(|| ui.report_one(d));
            } else if seen == SHOWN + 1 {
                progress.suspend(|| ui.say(
                    &format!("問題が多すぎるため、{SHOWN}件を超える分は件数だけを最後に示します"),
                    &format!("too many problems: beyond the first {SHOWN}, only their number is given at the end"),
                ));
            }
        }
        Problem::Rule(a) => failures.add(a.operation.id.as_str(), &a.errors),
    };
    let mut run = |w: &mut dyn Write| {
        assess_jsonl_as(
            &shown,
            &mut *input,
            compiled,
            ui.lang,
            compact,
            w,
            &mut on_problem,
        )
    };
    let result = match output {
        Some(file) => {
            let mut summary = None;
            itaku::fsutil::write_atomic_with(file, |w| {
                summary = Some(run(w)?);
                Ok(())
            })
            .map(|_| summary.unwrap_or_default())
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            run(&mut out).and_then(|s| out.flush().map(|_| s))
        }
    };
    progress.finish();
    // Each failing rule once, however many operations it failed on.
    ui.report(&failures.diagnostics(&compiled.rules));
    let summary = match result {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Exit::ClosedPipe,
        Err(e) => {
            return ui.fail(Diagnostic::error(
                Code::OutputFailed,
                format!("入出力エラー: {e}"),
                format!("input/output error: {e}"),
            ));
        }
    };
    let counts = summary
        .by_recommendation
        .iter()
        .zip(itaku::model::Recommendation::ALL)
        .map(|(n, r)| format!("{} {n}", r.label(ui.lang)))
        .collect::<Vec<_>>()
        .join(" / ");
    ui.say(
        &format!(
            "{}件を判定しました ({counts})。削減FTE 合計 {}。カタログのエラー {}件、ルールのエラー {}件。",
            summary.operations, summary.freed_fte, summary.catalog_errors, summary.rule_errors
        ),
        &format!(
            "assessed {} operations ({counts}); freed FTE {}; {} catalog errors, {} rule errors.",
            summary.operations, summary.freed_fte, summary.catalog_errors, summary.rule_errors
        ),
    );
    if summary.operations == 0 && summary.catalog_errors == 0 {
        ui.report_one(
            &Diagnostic::error(
                Code::CatalogEmpty,
                "カタログに業務が1件もありません",
                "the catalog has no operations",
            )
            .in_file(shown),
        );
        return Exit::Findings;
    }
    if summary.catalog_errors > 0 || summary.rule_errors > 0 {
        Exit::Findings
    } else {
        Exit::Success
    }
}

/// A reader that counts the bytes read into the progress bar.
struct Counted<'a, R>(R, &'a Progress);

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.inc(n as u64);
        Ok(n)
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
