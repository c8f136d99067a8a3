//! Argument parsing and the commands, one file each. No assessment logic lives here.

mod assess;
mod bundle;
mod check;
mod coverage;
mod diff;
mod drafts;
mod drafts_history;
mod expand;
mod explain;
mod export_catalog;
mod help_ja;
mod help_wrap;
mod import;
mod migrate;
mod new;
mod plan;
mod progress;
mod rules;
mod rules_export;
mod schema;
mod serve;
mod serve_users;
mod template;
mod test;
mod whatif;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use itaku::diag::{Code, Diagnostic, Diagnostics};
use itaku::rules::{CompiledRules, RuleSet};
use itaku::Lang;

/// Exit statuses (PRODUCT.md): each has one meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success, nothing needs attention.
    Success = 0,
    /// 1: findings that need attention: validation errors, rule errors, failed rule tests.
    Findings = 1,
    /// 2: usage error or unreadable input.
    Usage = 2,
    /// 141 (128 + SIGPIPE): the reader of standard output went away (`itaku … | head -1`). Nothing is
    /// printed; this is the status a shell reports for `cat` or `grep` in the same place.
    ClosedPipe = 141,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// Worker threads allowed per core: more only adds memory (a rule evaluation each) and start-up time.
const THREADS_PER_CORE: usize = 4;

/// Caps a requested thread count at [`THREADS_PER_CORE`] times the cores, saying so when it does.
pub fn capped_threads(requested: usize, ui: &Ui) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let max = cores * THREADS_PER_CORE;
    if requested > max {
        ui.say(
            &format!("--threads {requested} は多すぎるため {max} (コア数 {cores} の{THREADS_PER_CORE}倍) にします"),
            &format!("--threads {requested} is too many: using {max} ({THREADS_PER_CORE} per core, {cores} cores)"),
        );
        max
    } else {
        requested
    }
}

#[derive(Parser)]
#[command(
    name = "itaku",
    version,
    about = "委託判定エンジン — outsourcing-suitability assessment for municipal operations"
)]
struct Cli {
    /// Language of texts and messages (日本語 / English).
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Ja)]
    lang: LangArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Ja,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Assess every operation of a catalog (業務を判定する).
    Assess(assess::Args),
    /// Propose comprehensive contracts over the catalog: savings, risks, combined checklist (包括委託の提案).
    Bundle(bundle::Args),
    /// The plan over the years: where it stands, the effect verification, the yearly review (計画の進捗・効果検証・年次見直し).
    Plan(plan::Args),
    /// Validate a catalog and a rule set without assessing (カタログとルールを検証する).
    Check(check::Args),
    /// Show the rules, items, parameters and messages a catalog and the rule cases never exercise (カバー率).
    Coverage(coverage::Args),
    /// Compare the assessments under two rule sets, revisions, dates or catalogs (改定による判定の変化).
    Diff(diff::Args),
    /// Explain one operation's result rule by rule (判定の理由を説明する).
    Explain(explain::Args),
    /// Run the rule test cases written in YAML (ルールのテストを実行する).
    Test(test::Args),
    /// The smallest changes a department can make that improve the result (改善のための変更案).
    #[command(name = "what-if")]
    WhatIf(whatif::Args),
    /// List the rules of a rule set, or export the standard ones (`rules export DIR`) (ルール一覧).
    Rules(rules::Args),
    /// Build a catalog YAML file from a spreadsheet (xlsx or CSV) (表計算ファイルからカタログを作る).
    Import(import::Args),
    /// Write the catalog as a spreadsheet, one row per operation (カタログを表計算ファイルに書き出す).
    #[command(name = "export-catalog")]
    ExportCatalog(export_catalog::Args),
    /// Write a spreadsheet template for a new catalog (カタログ記入用のひな形).
    Template(template::Args),
    /// Print the JSON Schema of the catalog format, for editors (カタログ形式の JSON Schema).
    Schema(schema::Args),
    /// Expand compact JSON Lines (`assess --format jsonl --compact`) to the full form (コンパクト形式の展開).
    Expand(expand::Args),
    /// The self-assessment web application for departments (業務の自己診断をブラウザで).
    Serve(serve::Args),
    /// Describe a new operation from answers to the questionnaire (質問票の回答から業務を追加).
    New(new::Args),
    /// Bring catalog files of an older format to the current one, listing what to check (カタログ形式の移行).
    Migrate(migrate::Args),
    /// List the self-assessment drafts and their status (下書きと審査状況の一覧).
    Drafts(drafts::ListArgs),
    /// Submit a draft to policy staff (下書きを提出する).
    Submit(drafts::SubmitArgs),
    /// Return a submitted draft to its department with a comment (コメントを付けて差し戻す).
    Return(drafts::ReturnArgs),
    /// Accept a submitted draft: write its operation into a catalog file (受理してカタログに書き込む).
    Accept(drafts::AcceptArgs),
}

/// Options shared by commands that use a rule set.
#[derive(clap::Args, Clone)]
pub struct RuleArgs {
    /// Rules directory (manifest.yaml, scripts, parameters); default: `rules/` when the working directory
    /// has one, else the standard rules built into the binary (`itaku rules export DIR` writes a copy).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Date whose parameter values apply (YYYY-MM-DD, years 1900–2999; default: today).
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
    /// How rules run: `compiled` (default; a rule the compiler does not support, and any operation on
    /// which a compiled rule could fail, runs on the interpreter) or `interpreted` (Rhai only, for
    /// debugging). `itaku rules` shows which rules are compiled.
    #[arg(long, value_enum, default_value_t = EngineArg::Compiled)]
    pub engine: EngineArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Compiled,
    Interpreted,
}

/// The years a date option accepts: parameters are dated from the 20th century on, and a year such as
/// 0000 or 9999 is a typing slip that would only give rule failures later.
pub const DATE_YEARS: std::ops::RangeInclusive<i16> = 1900..=2999;

pub fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    let date = s
        .parse::<jiff::civil::Date>()
        .map_err(|e| format!("expected a date as YYYY-MM-DD ({e})"))?;
    if !DATE_YEARS.contains(&date.year()) {
        return Err(format!(
            "expected a date between {}-01-01 and {}-12-31, got {date}",
            DATE_YEARS.start(),
            DATE_YEARS.end()
        ));
    }
    Ok(date)
}

/// A percentage from 0 to 100 (`coverage --min`): NaN, infinities and values out of range are usage
/// errors rather than a threshold that always passes or always fails.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    let n: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("expected a percentage from 0 to 100, got `{s}`"))?;
    if n.is_finite() && (0.0..=100.0).contains(&n) {
        Ok(n)
    } else {
        Err(format!("expected a percentage from 0 to 100, got `{s}`"))
    }
}

/// The rules directory used when `--rules` is not given and it exists in the working directory.
const DEFAULT_RULES_DIR: &str = "rules";

/// What every command needs to talk to the user.
pub struct Ui {
    pub lang: Lang,
    pub color: bool,
}

impl Ui {
    /// Prints diagnostics to standard error.
    pub fn report(&self, diagnostics: &Diagnostics) {
        for d in diagnostics.iter() {
            self.report_one(d);
        }
    }

    /// Prints one diagnostic to standard error (control characters in it are made visible by `render`).
    pub fn report_one(&self, d: &itaku::diag::Diagnostic) {
        to_stderr(&d.render(self.lang, self.color));
    }

    /// Reports a problem that ends the command and gives its exit status: 2 when the input could not be
    /// used at all (`Code::is_unreadable`), else 1.
    pub fn fail(&self, d: itaku::diag::Diagnostic) -> Exit {
        self.report_one(&d);
        if d.code.is_unreadable() {
            Exit::Usage
        } else {
            Exit::Findings
        }
    }

    /// Prints a line to standard error, with control characters made visible.
    pub fn say(&self, ja: &str, en: &str) {
        let mut line = itaku::diag::printable(self.lang.pick(ja, en)).into_owned();
        line.push('\n');
        to_stderr(&line);
    }

    /// Turns a failed write of the command's output into an exit status: a closed pipe ends quietly,
    /// anything else (a full disk, a device error) is reported and is a usage error (2).
    pub fn write_failed(&self, e: &std::io::Error) -> Exit {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Exit::ClosedPipe;
        }
        self.fail(Diagnostic::error(
            Code::OutputFailed,
            format!("出力を書き込めません: {e}"),
            format!("cannot write the output: {e}"),
        ))
    }
}

/// Standard error may itself be a closed pipe or a full disk: there is nowhere left to say so, and a
/// diagnostic that cannot be shown must not turn into a panic, so the error is dropped.
fn to_stderr(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes the whole of `text` to standard output, returning (not panicking on) a write error.
pub fn to_stdout(text: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text)?;
    out.flush()
}

impl RuleArgs {
    pub fn as_of(&self) -> jiff::civil::Date {
        self.as_of.unwrap_or_else(|| jiff::Zoned::now().date())
    }

    /// The rules directory to read: `--rules`, else `./rules` when it exists; `None` means the
    /// standard rules built into the binary.
    pub fn dir(&self) -> Option<PathBuf> {
        self.rules.clone().or_else(|| {
            let default = Path::new(DEFAULT_RULES_DIR);
            default.is_dir().then(|| default.to_path_buf())
        })
    }

    /// The rules directory, or `rules` when the embedded rules are used (for commands that need a
    /// directory, such as `diff --base-rev`).
    pub fn dir_or_default(&self) -> PathBuf {
        self.dir()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_RULES_DIR))
    }

    /// How the rule set is named in messages.
    pub fn shown(&self) -> String {
        match self.dir() {
            Some(d) => d.display().to_string(),
            None => "<embedded>".to_string(),
        }
    }

    /// Loads the rule set from [`RuleArgs::dir`] or the embedded standard rules.
    pub fn load(&self) -> Result<RuleSet, Diagnostics> {
        match self.dir() {
            Some(dir) => RuleSet::load_dir(dir),
            None => RuleSet::load_embedded(),
        }
    }

    /// Loads and compiles the rule set, or reports why not (and with which exit status).
    pub fn compile(&self, ui: &Ui) -> Result<CompiledRules, Exit> {
        self.compile_quietly().map_err(|(d, exit)| {
            ui.report(&d);
            exit
        })
    }

    /// Loads and compiles the rule set, or gives the problems and the exit status they call for,
    /// unreported (for `--json`, which writes them in its own output).
    pub fn compile_quietly(&self) -> Result<CompiledRules, (Diagnostics, Exit)> {
        let set = self.load().map_err(|d| {
            let exit = exit_for(&d);
            (d, exit)
        })?;
        let engine = match self.engine {
            EngineArg::Compiled => itaku::rules::EngineKind::Compiled,
            EngineArg::Interpreted => itaku::rules::EngineKind::Interpreted,
        };
        CompiledRules::compile(Arc::new(set), self.as_of())
            .map(|c| c.with_engine(engine))
            .map_err(|d| (d, Exit::Findings))
    }
}

/// Unreadable input is a usage problem (2); anything else found in the input is a finding (1).
pub fn exit_for(d: &Diagnostics) -> Exit {
    match itaku::pipeline::status_of(d) {
        itaku::pipeline::Status::Unusable => Exit::Usage,
        _ => Exit::Findings,
    }
}

/// Loads a catalog for a command that needs the whole of it valid enough to find operations in:
/// problems are reported; a catalog with no valid operation is an error.
pub fn load_catalog(
    path: Option<&Path>,
    compiled: &CompiledRules,
    ui: &Ui,
) -> Result<itaku::Catalog, Exit> {
    let path = path.map_or_else(default_catalog, Path::to_path_buf);
    let loaded = itaku::catalog::load_path_for(&path, &compiled.rules);
    ui.report(&loaded.diagnostics);
    if loaded.catalog.is_empty() {
        return Err(exit_for(&loaded.diagnostics).max_with(Exit::Findings));
    }
    Ok(loaded.catalog)
}

/// Finds an operation by id, or says which ids are nearest.
pub fn find_operation(
    catalog: &itaku::Catalog,
    id: &str,
    ui: &Ui,
) -> Option<Arc<itaku::Operation>> {
    if let Some(op) = catalog.find(id) {
        return Some(Arc::clone(op));
    }
    ui.report_one(&itaku::pipeline::unknown_id(catalog, id));
    None
}

/// A problem with one answer, its message led by the question it is about (`about` words it).
pub fn answer_problem(
    p: &itaku::questionnaire::Problem,
    about: impl Fn(itaku::catalog::Field, itaku::Lang) -> String,
) -> Diagnostic {
    let mut d = p.diagnostic.clone();
    if let Some(f) = p.field {
        d.message = itaku::lang::Text::new(
            format!("{}{}", about(f, itaku::Lang::Ja), d.message.ja),
            format!("{}{}", about(f, itaku::Lang::En), d.message.en),
        );
    }
    d
}

/// The terminal's width in columns when standard output is a terminal; `None` on a pipe or a file,
/// where tables keep their natural width.
pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

/// Default catalog location.
pub fn default_catalog() -> PathBuf {
    Path::new("catalog").to_path_buf()
}

/// Whether the command line asks for English (`--lang en`, `--lang=en`): read before parsing, so that
/// the help clap prints is already in the chosen language.
fn english_requested() -> bool {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    args.windows(2).any(|w| w[0] == "--lang" && w[1] == "en")
        || args.iter().any(|a| a == "--lang=en")
}

/// Parses the command line with its help texts in the chosen language.
fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let command = if english_requested() {
        Cli::command()
    } else {
        help_ja::localize(Cli::command())
    };
    Cli::from_arg_matches(&command.try_get_matches()?)
}

pub fn run() -> ExitCode {
    let cli = match parse() {
        Ok(c) => c,
        Err(e) => {
            // `print` writes to a possibly closed stream; its error is dropped like any diagnostic's.
            let _ = help_wrap::print(&e);
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Success.into()
            };
        }
    };
    let ui = Ui {
        lang: match cli.lang {
            LangArg::Ja => Lang::Ja,
            LangArg::En => Lang::En,
        },
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let exit = match cli.command {
        Command::Assess(args) => assess::run(args, &ui),
        Command::Bundle(args) => bundle::run(args, &ui),
        Command::Plan(args) => plan::run(args, &ui),
        Command::Check(args) => check::run(args, &ui),
        Command::Coverage(args) => coverage::run(args, &ui),
        Command::Diff(args) => diff::run(args, &ui),
        Command::Explain(args) => explain::run(args, &ui),
        Command::Test(args) => test::run(args, &ui),
        Command::WhatIf(args) => whatif::run(args, &ui),
        Command::Rules(args) => rules::run(args, &ui),
        Command::Import(args) => import::run(args, &ui),
        Command::ExportCatalog(args) => export_catalog::run(args, &ui),
        Command::Template(args) => template::run(args, &ui),
        Command::Schema(args) => schema::run(args, &ui),
        Command::Expand(args) => expand::run(args, &ui),
        Command::Serve(args) => serve::run(args, &ui),
        Command::New(args) => new::run(args, &ui),
        Command::Migrate(args) => migrate::run(args, &ui),
        Command::Drafts(args) => drafts::list(args, &ui),
        Command::Submit(args) => drafts::submit(args, &ui),
        Command::Return(args) => drafts::return_draft(args, &ui),
        Command::Accept(args) => drafts::accept(args, &ui),
    };
    exit.into()
}
