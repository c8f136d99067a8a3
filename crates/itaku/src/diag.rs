//! Diagnostics: located, bilingual, actionable messages about bad input.
//!
//! Every problem with a catalog or rule file becomes a [`Diagnostic`] that names the file, line and column,
//! says what was expected and, where it can, suggests the fix. It is shown with the offending line
//! underlined (via miette) or serialised as JSON.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
use serde::Serialize;

use crate::lang::{Lang, Text};

/// The text of one input file (or of a run of its lines), shared by all diagnostics that point into it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// The line of the file that `text` starts on (1 for a whole file; later for a batch of lines read
    /// from a stream, so that a stream never has to be held whole to locate a problem).
    pub first_line: usize,
    /// Byte offset of the start of each line of `text`, built when a first excerpt is shown: showing
    /// many problems of a large file must not scan it from the start for each one.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// A whole file.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self::starting_at(path, text, 1)
    }

    /// A run of lines of a file, starting on line `first_line`.
    pub fn starting_at(
        path: impl Into<String>,
        text: impl Into<String>,
        first_line: usize,
    ) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            first_line: first_line.max(1),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// The text from the start of its line `index` (0-based) to its end, if it has that many lines.
    fn text_from_line(&self, index: usize) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        starts.get(index).and_then(|&at| self.text.get(at..))
    }
}

/// Shows a [`SourceFile`] to miette with the file's own line numbers.
struct OffsetSource(Arc<SourceFile>);

impl miette::SourceCode for OffsetSource {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.0.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.path.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.0.first_line - 1,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A place in an input file. `line` and `column` are 1-based; `column` counts characters.
#[derive(Debug, Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub line: usize,
    pub column: usize,
    /// Length in characters of the offending token (at least 1).
    pub len: usize,
}

impl Location {
    pub fn new(file: &Arc<SourceFile>, line: usize, column: usize, len: usize) -> Self {
        Self {
            file: Arc::clone(file),
            line: line.max(1),
            column: column.max(1),
            len: len.max(1),
        }
    }

    /// The offending line and its neighbours, ready to show: a long line is cut to a window of
    /// [`SHOWN_LINE_CHARS`] around the column, and control characters are made visible. Returns the
    /// excerpt (starting on line `first`) and the byte range of the token inside it.
    fn excerpt(&self) -> (SourceFile, usize, usize) {
        let index = self.line.saturating_sub(self.file.first_line);
        let first = index.saturating_sub(1);
        let mut shown = String::new();
        let (mut offset, mut len) = (0, 0);
        for (i, line) in self
            .file
            .text_from_line(first)
            .into_iter()
            .flat_map(|text| text.split('\n'))
            .enumerate()
            .map(|(k, line)| (first + k, line))
            .take(index + 2 - first)
        {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !shown.is_empty() || i > first {
                shown.push('\n');
            }
            let chars = line.chars().count();
            let target = i == index;
            let column = if target { self.column - 1 } else { 0 };
            let start = if chars <= SHOWN_LINE_CHARS {
                0
            } else {
                column
                    .saturating_sub(SHOWN_LINE_CHARS / 2)
                    .min(chars.saturating_sub(SHOWN_LINE_CHARS))
            };
            let end = (start + SHOWN_LINE_CHARS).min(chars);
            if start > 0 {
                shown.push('…');
            }
            let line_start = shown.len();
            shown.extend(line.chars().skip(start).take(end - start).map(visible));
            if target {
                let from = column.clamp(start, end) - start;
                let to = (column + self.len).clamp(start, end) - start;
                let window = &shown[line_start..];
                let byte = |n: usize| {
                    window
                        .char_indices()
                        .nth(n)
                        .map_or(window.len(), |(b, _)| b)
                };
                offset = line_start + byte(from);
                len = (byte(to) - byte(from)).max(usize::from(from < end - start));
            }
            if end < chars {
                shown.push('…');
            }
        }
        let file =
            SourceFile::starting_at(self.file.path.clone(), shown, self.file.first_line + first);
        (file, offset, len)
    }
}

/// Longest part of one source line shown under a diagnostic, in characters: a 1 MB line is shown as a
/// window around the column, not reprinted whole for every problem on it.
pub const SHOWN_LINE_CHARS: usize = 120;

/// A character as it may be written to a terminal: control characters (ESC sequences, C1 controls) and
/// invisible direction overrides become a visible stand-in of one character, so catalog or rule text
/// can neither drive the terminal nor reorder what is shown. Tabs and newlines are kept.
fn visible(c: char) -> char {
    match c {
        '\t' | '\n' => c,
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        c => c,
    }
}

/// `text` with every control character made visible (see [`visible`]); borrowed when there is none.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| visible(c) == c) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().map(visible).collect())
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.path, self.line, self.column)
    }
}

/// Declares [`Code`]: each variant with its stable name, whether it means the input could not be read
/// (exit status 2 rather than 1), and what it means in Japanese and English (the table of
/// `docs/error-codes.md`).
macro_rules! codes {
    ($($variant:ident => $name:literal, $unreadable:literal, $ja:literal, $en:literal;)*) => {
        /// The stable, machine-readable code of a [`Diagnostic`] (`catalog::unknown-field`, …): scripts
        /// and `--json` output key on it; the exit status follows [`Code::is_unreadable`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code's stable name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// True when the problem is that the input could not be read at all (a usage problem,
            /// exit status 2); every other error is a finding in the input (exit status 1).
            pub fn is_unreadable(self) -> bool {
                match self {
                    $(Code::$variant => $unreadable,)*
                }
            }

            /// What the code means.
            pub fn meaning(self) -> Text {
                match self {
                    $(Code::$variant => Text { ja: $ja.into(), en: $en.into() },)*
                }
            }
        }
    };
}

codes! {
    UsageInvalid => "usage::invalid", true, "コマンドの指定が正しくありません", "the command's arguments do not fit together";
    UsageUnknownOperation => "usage::unknown-operation", true, "指定した業務IDがカタログにありません", "an operation id given on the command line is not in the catalog";
    OutputExists => "output::exists", true, "出力先のファイルが既にあります (上書きは --force)", "the output file exists already (replace it with --force)";
    OutputRefused => "output::refused", true, "出力先に書き込めません (この実行の入力、シンボリックリンク、空でないディレクトリ)", "the output cannot be written there (an input of the run, a symbolic link, a directory that is not empty)";
    OutputFailed => "output::failed", true, "出力を書き込めません (ディスクの空き、権限など)", "the output could not be written (disk space, permissions, …)";
    DraftsUnknown => "drafts::unknown", true, "その下書きはありません", "there is no such draft";
    DraftsUnreadable => "drafts::unreadable", true, "下書きの保存庫を開けません", "the drafts store cannot be opened";
    DraftsStore => "drafts::store", false, "下書きの保存庫の操作に失敗しました", "an operation on the drafts store failed";
    DraftsWrongStatus => "drafts::wrong-status", false, "下書きの状態がその操作に合いません (受理できるのは提出済みだけ、など)", "the draft's status does not allow that action (only a submitted draft can be accepted, …)";
    GitFailed => "git::failed", true, "git を実行できないか、git が失敗しました", "git could not be run, or it failed";
    GitCommitFailed => "git::commit-failed", false, "git のコミットに失敗しました (ファイルは書き込み済み)", "the git commit failed (the file is written)";
    ServeFailed => "serve::failed", true, "サーバーを起動できないか、停止しました", "the server could not start, or it stopped";
    AnswersUnreadable => "answers::unreadable", true, "回答ファイルを読めません", "the answers file cannot be read";
    AnswersDuplicateField => "answers::duplicate-field", false, "回答ファイルで同じ質問に2回答えています", "the answers file answers one question twice";
    AnswersEmpty => "answers::empty", false, "回答ファイルに回答がありません", "the answers file has no answers";
    AnswersNotAppended => "answers::not-appended", false, "回答から作った業務をカタログに追加できませんでした (カタログは元のまま)", "the entry made from the answers could not be added to the catalog (the catalog is unchanged)";
    AnswersStructure => "answers::structure", false, "回答ファイルの形が違います (質問と回答の対応表が必要)", "the answers file is not a mapping of questions to answers";
    AnswersSyntax => "answers::syntax", false, "回答ファイルの YAML 構文エラー", "YAML syntax error in the answers file";
    AnswersTooLarge => "answers::too-large", false, "回答ファイルが大きすぎます", "the answers file is too large";
    AnswersUnknownField => "answers::unknown-field", false, "回答ファイルに知らない質問があります", "the answers file names a question that does not exist";
    AnswersWrongType => "answers::wrong-type", false, "回答の型が違います", "an answer has the wrong type";
    CatalogContradiction => "catalog::contradiction", false, "事実どうしが矛盾しています (判定は要検討)", "facts contradict each other (the result is study)";
    CatalogDecisiveFactMissing => "catalog::decisive-fact-missing", false, "判定に欠かせない事実が書かれていません (警告)", "a fact the recommendation cannot do without is absent (warning)";
    CatalogDuplicateId => "catalog::duplicate-id", false, "業務IDが重複しています", "an operation id is used twice";
    CatalogDuplicateKey => "catalog::duplicate-key", false, "同じキーが1件の業務に2回あります", "a key appears twice in one operation";
    CatalogEmpty => "catalog::empty", false, "カタログに業務が1件もありません", "the catalog has no operations";
    CatalogEmptyFile => "catalog::empty-file", false, "ファイルに業務がありません (警告)", "a file has no operations (warning)";
    MigrateJudgementCall => "migrate::judgement-call", false, "形式の移行で人が判断すべき箇所 (警告)", "a place a person must decide when a file is brought to the current format (warning)";
    CatalogOldFormat => "catalog::format", false, "カタログ形式の記載が正しくないか、意味の変わった項目を使う古い形式です (古い形式は警告)", "the catalog format is not a known version, or an older one whose entries use fields whose meaning changed (older: a warning)";
    CatalogEncoding => "catalog::encoding", false, "UTF-8 として読めないバイトがあります", "bytes that are not valid UTF-8";
    CatalogInvalidId => "catalog::invalid-id", false, "業務IDの形式が違います", "an operation id is not of the form [a-z0-9-]+";
    CatalogMissingRequired => "catalog::missing-required", false, "必須のフィールド (id, name, department) がありません", "a required field (id, name, department) is absent";
    CatalogNoFiles => "catalog::no-files", true, "カタログのディレクトリにファイルがありません", "the catalog directory has no catalog files";
    CatalogOutOfRange => "catalog::out-of-range", false, "値が範囲外です", "a value is out of its range";
    CatalogStructure => "catalog::structure", false, "ファイルの構造が違います (`operations:` の下に業務のリスト)", "the file is not `operations:` followed by a list of operations";
    CatalogSyntax => "catalog::syntax", false, "YAML または JSON の構文エラー", "YAML or JSON syntax error";
    CatalogTooLarge => "catalog::too-large", false, "ファイルまたは行が大きすぎます", "a file or a line is too large";
    CatalogTooManyProblems => "catalog::too-many-problems", false, "問題が多すぎるため残りを検査していません", "too many problems: the rest of the file was not checked";
    CatalogUnknownField => "catalog::unknown-field", false, "知らないフィールドです", "an unknown field";
    CatalogUnknownHazard => "catalog::unknown-hazard", false, "ルールの語彙にない危険作業です", "a hazard word the rule set does not know";
    CatalogUnknownKey => "catalog::unknown-key", false, "最上位に知らないキーがあります", "an unknown top-level key";
    CatalogUnknownValue => "catalog::unknown-value", false, "選択肢にない値です", "a value that is not one of the field's choices";
    CompactInvalid => "compact::invalid", false, "コンパクト形式の JSON Lines の行を展開できません (ヘッダーがない・形が違う・ヘッダーにない項目やメッセージ)", "a line of compact JSON Lines cannot be expanded (no header, a wrong shape, an item or message the header does not have)";
    CompactUnreadable => "compact::unreadable", true, "コンパクト形式のファイルを読めません", "a compact JSON Lines file cannot be read";
    CatalogUnreadable => "catalog::unreadable", true, "ファイルを読めません", "a file cannot be read";
    CatalogWrongLength => "catalog::wrong-length", false, "リストの長さが違います (月別業務量は12か月)", "a list has the wrong length (monthly load has 12 months)";
    CatalogWriteChanged => "catalog::write-changed", false, "書き込み中にカタログのファイルが何度も変更されました (何も書き込んでいません)", "the catalog file kept changing while being written (nothing was written)";
    CatalogWriteRefused => "catalog::write-refused", false, "このファイルには業務を書き込めません (シンボリックリンク、カタログでないファイルなど)", "this file cannot take an operation (a symbolic link, a file that is not a catalog, …)";
    CatalogWrongType => "catalog::wrong-type", false, "値の型が違います", "a value has the wrong type";
    PlanInvalid => "plan::invalid", false, "計画ファイルの内容が正しくありません", "the plan file is invalid";
    PlanUnknownReference => "plan::unknown-reference", false, "計画がカタログにない業務か、束ねのルールが知らない束ねを指しています", "the plan names an operation not in the catalog or a bundle the bundling rules do not know";
    PlanUnreadable => "plan::unreadable", true, "計画ファイルを読めません", "the plan file cannot be read";
    SheetInvalid => "sheet::invalid", false, "表計算ファイルのセル・見出しが正しくありません", "a cell or header of a spreadsheet is invalid";
    SheetUnencodable => "sheet::unencodable", false, "指定の文字コード (cp932) で表せない文字があります", "a character the chosen encoding (cp932) cannot hold";
    RulesCompile => "rules::compile", false, "ルールのスクリプトを解釈できません", "a rule script does not compile";
    RulesInvalidFile => "rules::invalid-file", false, "ルールのファイルの内容が正しくありません", "a file of the rule set is invalid";
    RulesInvalidParameter => "rules::invalid-parameter", false, "パラメータの値が正しくありません", "a parameter value is invalid";
    RulesItemKind => "rules::item-kind", false, "リスク項目と標準条項の使い方が違います", "a risk item used as a standard clause, or the reverse";
    RulesNoRecommendation => "rules::no-recommendation", false, "判定を決めるルールがありません", "the rule set has no recommendation rule";
    RulesRuntime => "rules::runtime", false, "ルールが実行中に失敗しました", "a rule failed while assessing an operation";
    RulesTemplate => "rules::template", false, "メッセージの差し込みが正しくありません", "a placeholder of a message template is broken";
    RulesTemplateArguments => "rules::template-arguments", false, "メッセージが使う引数をルールが渡していません", "a rule passes fewer arguments than its message uses";
    RulesUnknownField => "rules::unknown-field", false, "ルールが知らないフィールドを読んでいます", "a rule reads a field operations do not have";
    RulesUnknownName => "rules::unknown-name", false, "ルールが知らない名前 (パラメータ・メッセージ・項目) を使っています", "a rule names a parameter, message or item that does not exist";
    RulesUnreadable => "rules::unreadable", true, "ルールのファイルを読めません", "a file of the rule set cannot be read";
    TestInvalidFile => "test::invalid-file", false, "ルールテストのファイルの内容が正しくありません", "a rule test case file is invalid";
    TestUnreadable => "test::unreadable", true, "ルールテストのファイルを読めません", "a rule test case file cannot be read";
    UsersInvalid => "users::invalid", false, "利用者の設定ファイルの内容が正しくありません", "the users file is invalid";
    UsersUnreadable => "users::unreadable", true, "利用者の設定ファイルを読めません", "the users file cannot be read";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Code {
    /// The table of every code for `docs/error-codes.md`.
    pub fn table_markdown() -> String {
        let mut s = String::from(
            "<!-- Generated from `crates/itaku/src/diag.rs` (`Code`); `ITAKU_WRITE_DOCS=1 cargo test -p itaku codes_table` rewrites it. -->\n\
             # Diagnostic codes / 診断コード\n\n\
             Every problem itaku reports about its input carries one of these codes (in `error[code]` and in\n\
             `--json` output). Exit status: **2** when every error is one of the *unreadable* kind (the input\n\
             could not be read), else **1**; warnings never change it.\n\n\
             | code | 意味 | meaning | exit |\n|---|---|---|---|\n",
        );
        for c in Code::ALL {
            let m = c.meaning();
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.as_str(),
                m.ja,
                m.en,
                if c.is_unreadable() { 2 } else { 1 }
            ));
        }
        s
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the user's input, in Japanese and English.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable machine-readable code, e.g. `catalog::unknown-field`.
    pub code: Code,
    pub severity: Severity,
    pub location: Option<Location>,
    /// A file path to name when there is no precise location.
    pub path: Option<String>,
    pub message: Text,
    pub help: Option<Text>,
}

impl Diagnostic {
    pub fn error(code: Code, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            location: None,
            path: None,
            message: Text::new(ja, en),
            help: None,
        }
    }

    /// An error whose text is already bilingual.
    pub fn of(code: Code, text: Text) -> Self {
        Self::error(code, text.ja, text.en)
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn in_file(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn help(mut self, ja: impl Into<String>, en: impl Into<String>) -> Self {
        self.help = Some(Text::new(ja, en));
        self
    }

    pub fn message(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }

    pub fn help_text(&self, lang: Lang) -> Option<&str> {
        self.help.as_ref().map(|h| h.get(lang))
    }

    /// `file:line:column`, or the file alone, or nothing.
    pub fn place(&self) -> Option<String> {
        match (&self.location, &self.path) {
            (Some(loc), _) => Some(loc.to_string()),
            (None, Some(p)) => Some(p.clone()),
            (None, None) => None,
        }
    }

    /// Renders for a human: a header line with the place, then the offending line underlined.
    pub fn render(&self, lang: Lang, color: bool) -> String {
        let label = match (self.severity, lang) {
            (Severity::Warning, _) => lang.pick("警告", "warning"),
            (_, Lang::Ja) => "エラー",
            (_, Lang::En) => "error",
        };
        let message = printable(self.message(lang));
        let mut out = match self.place() {
            Some(place) => format!("{label}[{}]: {}: {message}\n", self.code, printable(&place)),
            None => format!("{label}[{}]: {message}\n", self.code),
        };
        if let Some(loc) = &self.location {
            out.push_str(&Self::excerpt(loc, &message, lang, color));
        }
        // The help line is ours rather than miette's so that its label follows the language.
        if let Some(help) = self.help_text(lang) {
            out.push_str(&format!(
                "  {}: {}\n",
                lang.pick("ヒント", "help"),
                printable(help)
            ));
        }
        out
    }

    /// The offending line with the span underlined (miette), without miette's own message line.
    fn excerpt(loc: &Location, message: &str, lang: Lang, color: bool) -> String {
        let report = MietteDiagnostic::new(message);
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            .with_width(100);
        let (excerpt, offset, len) = loc.excerpt();
        let report = report.with_label(LabeledSpan::at(
            offset..offset + len,
            lang.pick("ここ", "here"),
        ));
        let report = miette::Report::new(report).with_source_code(OffsetSource(Arc::new(excerpt)));
        let mut rendered = String::new();
        if handler
            .render_report(&mut rendered, report.as_ref())
            .is_err()
        {
            return String::new();
        }
        // miette opens with `× message`, which the header line already says: keep the excerpt from its
        // `╭─[file]` frame on.
        let start = rendered
            .lines()
            .position(|l| l.contains('╭'))
            .map_or(0, |i| rendered.lines().take(i).map(|l| l.len() + 1).sum());
        rendered.split_off(start)
    }

    /// A serialisable view, for `--format json`.
    pub fn to_json(&self, lang: Lang) -> DiagnosticJson<'_> {
        DiagnosticJson {
            code: self.code.as_str(),
            severity: self.severity,
            file: self
                .location
                .as_ref()
                .map(|l| l.file.path.as_str())
                .or(self.path.as_deref()),
            line: self.location.as_ref().map(|l| l.line),
            column: self.location.as_ref().map(|l| l.column),
            message: self.message(lang),
            help: self.help_text(lang),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place() {
            Some(p) => write!(f, "{p}: {}", self.message.en),
            None => write!(f, "{}", self.message.en),
        }
    }
}

impl std::error::Error for Diagnostic {}

#[derive(Debug, Serialize)]
pub struct DiagnosticJson<'a> {
    pub code: &'static str,
    pub severity: Severity,
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

/// All problems found in one load, in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_handles_multibyte_lines() {
        let file = Arc::new(SourceFile::new("x.yaml", "a: 1\nname: 住民税\nz: 2\n"));
        let loc = Location::new(&file, 2, 7, 3);
        let (excerpt, start, len) = loc.excerpt();
        assert_eq!(&excerpt.text[start..start + len], "住民税");
        assert_eq!(excerpt.first_line, 1);
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_column() {
        let line = format!("{}BAD{}", "a".repeat(500_000), "b".repeat(500_000));
        let file = Arc::new(SourceFile::new(
            "long.jsonl",
            format!("{{}}\n{line}\n{line}\n"),
        ));
        let d = Diagnostic::error(Code::CatalogSyntax, "t", "bad")
            .at(Location::new(&file, 2, 500_001, 3));
        let shown = d.render(Lang::En, false);
        assert!(shown.len() < 2_000, "{} bytes", shown.len());
        assert!(shown.contains("BAD"), "{shown}");
        let (excerpt, start, len) = Location::new(&file, 2, 500_001, 3).excerpt();
        assert_eq!(&excerpt.text[start..start + len], "BAD");
    }

    #[test]
    fn control_characters_are_made_visible() {
        let file = Arc::new(SourceFile::new(
            "esc.yaml",
            "name: \u{1b}[31mred\u{202e}x\n",
        ));
        let d = Diagnostic::error(Code::CatalogSyntax, "t", "bad \u{1b}]0;title\u{7}")
            .at(Location::new(&file, 1, 7, 3))
            .help("t", "fix \u{9b}");
        let shown = d.render(Lang::En, false);
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
        assert!(!shown.contains('\u{202e}'), "{shown:?}");
        assert!(!shown.contains('\u{9b}'), "{shown:?}");
        assert!(shown.contains('␛'), "{shown:?}");
        assert_eq!(printable("plain\ttext\n"), "plain\ttext\n");
    }

    #[test]
    fn lines_of_a_stream_keep_their_file_line_numbers() {
        let file = Arc::new(SourceFile::starting_at(
            "big.jsonl",
            "{\"a\": 1}\n{\"id\": \"x\"}\n",
            5001,
        ));
        let d = Diagnostic::error(Code::CatalogSyntax, "t", "bad id")
            .at(Location::new(&file, 5002, 3, 2));
        let shown = d.render(Lang::En, false);
        assert!(shown.contains("big.jsonl:5002:3"), "{shown}");
        assert!(shown.contains("5002 │"), "{shown}");
        assert!(!shown.contains("5001 │ {\"id"), "{shown}");
    }
}

#[cfg(test)]
mod code_table {
    use super::Code;

    /// `docs/error-codes.md` is the table `Code` generates: a code added, renamed or re-described without
    /// the docs fails here (`ITAKU_WRITE_DOCS=1 cargo test -p itaku codes_table` rewrites the file).
    #[test]
    fn codes_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/error-codes.md");
        let table = Code::table_markdown();
        if std::env::var_os("ITAKU_WRITE_DOCS").is_some() {
            std::fs::write(path, &table).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(committed, table, "docs/error-codes.md is out of date");
    }

    #[test]
    fn names_are_unique_and_namespaced() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.iter().all(|n| n.contains("::")));
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
