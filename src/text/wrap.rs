//! Paragraph text for a terminal — `--help` and `explain` — wrapped to its width, CJK-aware: lines break
//! where Unicode's line-breaking rules (UAX #14, via `textwrap`) allow, so between Japanese characters
//! but never before 、。）」 and the like (禁則), and never inside an id (`s1-supervision-plan`); a
//! continued line is indented under the text it continues (an option's description, a list item).

use textwrap::core::display_width;
use textwrap::{Options, WordSplitter};

/// The width to wrap help and explanations to: the terminal's when standard output is one, else
/// `COLUMNS` when it is set (as clap reads it); `None`: do not wrap (a pipe or a file keeps whole lines).
pub fn text_width() -> Option<usize> {
    use std::io::IsTerminal;
    let terminal = std::io::stdout()
        .is_terminal()
        .then(terminal_size::terminal_size)
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    terminal
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|w| *w > 0)
}

/// The narrowest a continued line's text becomes: a deeper indent than `width - MIN_TEXT` is given up
/// for a shallower one.
const MIN_TEXT: usize = 20;

/// Wraps every line of `text` wider than `width` display columns (a Japanese character counts 2);
/// shorter lines, blank lines and the line structure are kept as they are.
pub fn wrap_text(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if display_width(body) <= width {
            out.push_str(line);
            continue;
        }
        out.push_str(&wrap_line(body, width));
        out.push_str(end);
    }
    out
}

/// One line wrapped: its head (indent, option or list marker) stays, the rest wraps under it.
fn wrap_line(line: &str, width: usize) -> String {
    let at = text_start(line, width);
    let (head, rest) = line.split_at(at);
    let indent = " ".repeat(display_width(head));
    let options = Options::new(width.saturating_sub(indent.len()).max(1))
        // An id or a path is never split at its hyphens; a word longer than a line still is.
        .word_splitter(WordSplitter::NoHyphenation)
        .break_words(true);
    let lines = textwrap::wrap(rest, options);
    let mut out = String::with_capacity(line.len() + lines.len() * (indent.len() + 1));
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            out.push_str(head);
        } else {
            out.push('\n');
            out.push_str(&indent);
        }
        out.push_str(l.trim_end());
    }
    out
}

/// Where a line's wrapping text starts (a byte offset): after the gap of two or more spaces that
/// ends an option or a command name (`  -o, --output <OUTPUT>  説明…`), else after a list marker
/// (`- `, `* `, `1. `, `[3] `), else after the indent. A head that would leave less than
/// [`MIN_TEXT`] columns falls back to the indent alone.
fn text_start(line: &str, width: usize) -> usize {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let limit = width.saturating_sub(MIN_TEXT);
    let fits = |at: usize| display_width(&line[..at]) <= limit;
    let rest = &line[indent..];
    // The description column of clap's help: content, two or more spaces, then the text.
    if rest.starts_with('-') || indent > 0 {
        if let Some(gap) = rest.find("  ") {
            let after = gap + rest[gap..].len() - rest[gap..].trim_start_matches(' ').len();
            let at = indent + after;
            if gap > 0 && at < line.len() && fits(at) {
                return at;
            }
        }
    }
    let marker = list_marker(rest);
    if marker > 0 && fits(indent + marker) {
        return indent + marker;
    }
    if fits(indent) {
        indent
    } else {
        0
    }
}

/// The length of a list marker at the start of `text` (with its space), or 0.
fn list_marker(text: &str) -> usize {
    for m in ["- ", "* ", "· "] {
        if text.starts_with(m) {
            return m.len();
        }
    }
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && text[digits..].starts_with(". ") {
        return digits + 2;
    }
    if text.starts_with('[') {
        if let Some(close) = text.find("] ") {
            if text[1..close].chars().all(|c| c.is_ascii_digit()) && close > 1 {
                return close + 2;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(text: &str) -> Vec<usize> {
        text.lines().map(display_width).collect()
    }

    #[test]
    fn japanese_wraps_between_characters_within_the_width() {
        let text =
            "判定に必要な事実を誰がいつまでに調べるかを決め、不足している事実を調べてください。";
        let out = wrap_text(text, 30);
        assert!(out.lines().count() > 1, "{out}");
        assert!(widths(&out).iter().all(|w| *w <= 30), "{out}");
        assert_eq!(out.replace('\n', ""), text);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // Every width from 10 to 40: 、。）」 stay with the character before them (禁則).
        let text = "区政総合コールセンター（施設・ごみ・税等の問い合わせ対応）の拡充、「公募」の候補。次の文、また次の文。";
        for width in 10..=40 {
            let out = wrap_text(text, width);
            for line in out.lines().skip(1) {
                let first = line.chars().next().unwrap();
                assert!(!"、。）」".contains(first), "{width}: {out}");
            }
            assert!(widths(&out).iter().all(|w| *w <= width), "{width}: {out}");
        }
    }

    #[test]
    fn an_option_description_continues_under_itself() {
        let line = "  -o, --output <OUTPUT>    標準出力の代わりにこのファイルに書き出します (全体を書いてから置き換えます)";
        let out = wrap_text(line, 60);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1, "{out}");
        assert!(lines[0].starts_with("  -o, --output <OUTPUT>    標準出力"));
        for l in &lines[1..] {
            assert!(
                l.starts_with(&" ".repeat(27)) && !l[27..].starts_with(' '),
                "{out}"
            );
        }
        assert!(widths(&out).iter().all(|w| *w <= 60), "{out}");
    }

    #[test]
    fn list_items_and_ids_keep_their_shape() {
        let line = "      - 標準条項 s1-supervision-plan: 委託後も区が最終責任を負い、履行を監督する体制と手順を定める";
        let out = wrap_text(line, 50);
        assert!(out.contains("s1-supervision-plan"), "{out}");
        for l in out.lines().skip(1) {
            assert!(
                l.starts_with("        ") && !l[8..].starts_with(' '),
                "{out}"
            );
        }
        // Lines that fit are left alone, and the line structure is kept.
        assert_eq!(wrap_text("a\n\n  b\n", 10), "a\n\n  b\n");
    }
}
