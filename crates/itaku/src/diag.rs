//! Diagnostics: located, bilingual, actionable messages about bad input.
//!
//! Every problem with a catalog or rule file becomes a [`Diagnostic`] that names the file, line and column,
//! says what was expected and, where it can, suggests the fix. It is shown with the offending line
//! underlined (via miette) or serialised as JSON.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
use serde::Serialize;

use crate::lang::Lang;

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
    pub code: &'static str,
    pub severity: Severity,
    pub location: Option<Location>,
    /// A file path to name when there is no precise location.
    pub path: Option<String>,
    pub message_ja: String,
    pub message_en: String,
    pub help_ja: Option<String>,
    pub help_en: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            location: None,
            path: None,
            message_ja: ja.into(),
            message_en: en.into(),
            help_ja: None,
            help_en: None,
        }
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
        self.help_ja = Some(ja.into());
        self.help_en = Some(en.into());
        self
    }

    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.message_ja, &self.message_en)
    }

    pub fn help_text(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Ja => self.help_ja.as_deref(),
            Lang::En => self.help_en.as_deref(),
        }
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
            code: self.code,
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
            Some(p) => write!(f, "{p}: {}", self.message_en),
            None => write!(f, "{}", self.message_en),
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
        let d = Diagnostic::error("t", "t", "bad").at(Location::new(&file, 2, 500_001, 3));
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
        let d = Diagnostic::error("t", "t", "bad \u{1b}]0;title\u{7}")
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
        let d = Diagnostic::error("t", "t", "bad id").at(Location::new(&file, 5002, 3, 2));
        let shown = d.render(Lang::En, false);
        assert!(shown.contains("big.jsonl:5002:3"), "{shown}");
        assert!(shown.contains("5002 │"), "{shown}");
        assert!(!shown.contains("5001 │ {\"id"), "{shown}");
    }
}
