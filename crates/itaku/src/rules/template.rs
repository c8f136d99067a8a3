//! Message templates, parsed once when the rule set loads: `{0}` inserts a rule's argument, `{0|pct}`,
//! `{0|count}`, `{0|yen}` and `{0|num}` format it for the language. A placeholder with an unknown style
//! or an index that is not a number, and an unclosed `{`, are load errors located in messages.yaml
//! (`RuleSet::load`); so is an index beyond the arguments every call of the message passes
//! (`lint.rs`). Every renderer — the text of reports and the JSON writer — reads the parsed form.

/// How an argument is formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `{0}`: a text as it is, a number with up to two decimals.
    Plain,
    /// `{0|pct}`: a share as a whole percentage.
    Pct,
    /// `{0|count}`: a count (万 in Japanese, thousands separators in English).
    Count,
    /// `{0|yen}`: an amount of money.
    Yen,
    /// `{0|num}`: a number with up to two decimals.
    Num,
    /// `{0|facts}`: catalog field names (one, or several separated by `, `) as a person reads them:
    /// each by its Japanese title in 「」 (`catalog/titles.rs`), the field name in English.
    Facts,
}

impl Style {
    pub const NAMES: [&'static str; 5] = ["pct", "count", "yen", "num", "facts"];

    fn parse(s: &str) -> Option<Style> {
        Some(match s {
            "" => Style::Plain,
            "pct" => Style::Pct,
            "count" => Style::Count,
            "yen" => Style::Yen,
            "num" => Style::Num,
            "facts" => Style::Facts,
            _ => return None,
        })
    }
}

/// A part of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    /// A placeholder; `raw` is its text (`{3|pct}`), which stands when a call passed no such argument.
    Arg {
        index: usize,
        style: Style,
        raw: String,
    },
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    pub pieces: Vec<Piece>,
}

/// What is wrong with a template, and where (byte offset of the placeholder in the template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub placeholder: String,
    pub kind: TemplateErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateErrorKind {
    UnknownStyle(String),
    BadIndex,
    Unclosed,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err(TemplateError {
                    offset: offset + open,
                    placeholder: rest[open..].chars().take(12).collect(),
                    kind: TemplateErrorKind::Unclosed,
                });
            };
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let raw = &rest[open..=open + close];
            let spec = &rest[open + 1..open + close];
            let (index, style) = spec.split_once('|').unwrap_or((spec, ""));
            let error = |kind| TemplateError {
                offset: offset + open,
                placeholder: raw.to_string(),
                kind,
            };
            let index = index
                .parse::<usize>()
                .map_err(|_| error(TemplateErrorKind::BadIndex))?;
            let style = Style::parse(style)
                .ok_or_else(|| error(TemplateErrorKind::UnknownStyle(style.to_string())))?;
            pieces.push(Piece::Arg {
                index,
                style,
                raw: raw.to_string(),
            });
            offset += open + close + 1;
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Template { pieces })
    }

    /// The number of arguments a call must pass to fill every placeholder.
    pub fn arguments(&self) -> usize {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Arg { index, .. } => Some(index + 1),
                Piece::Text(_) => None,
            })
            .max()
            .unwrap_or(0)
    }
}

// Filling a template: the arguments formatted for the language. Reports, `check`, `explain` and the
// rule tests all word reasons through here.

use std::fmt::{self, Write as _};

use super::{Arg, Reason, RuleSet};
use crate::lang::Lang;

/// Fills a message template (parsed when the rule set loaded, `rules/template.rs`): `{0}` inserts an
/// argument; `{0|pct}`, `{0|count}`, `{0|yen}`, `{0|num}` format it for the language. A placeholder a
/// call passed no argument for stands as written.
pub fn reason_text(rules: &RuleSet, reason: &Reason, lang: Lang) -> String {
    fill(rules.template(reason.message, lang), &reason.args, lang)
}

/// Fills `template` with `args` for `lang` (what [`reason_text`] does with a rule set's template).
pub fn fill(template: &Template, args: &[Arg], lang: Lang) -> String {
    let mut out = String::with_capacity(64);
    for piece in &template.pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Arg { index, style, raw } => match args.get(*index) {
                // Writing to a String cannot fail.
                Some(arg) => {
                    let _ = write_arg(&mut out, arg, *style, lang);
                }
                None => out.push_str(raw),
            },
        }
    }
    out
}

/// Writes `arg` formatted for `style` and the language into `out`, without allocating (a text
/// argument is written as it is: escaping it is the caller's business; a number never needs it).
pub(crate) fn write_arg<W: fmt::Write>(
    out: &mut W,
    arg: &Arg,
    style: Style,
    lang: Lang,
) -> fmt::Result {
    let value = match arg {
        Arg::Text(s) if style == Style::Facts => return write_facts(out, s, lang),
        Arg::Text(s) => return out.write_str(s),
        Arg::Int(i) => *i as f64,
        Arg::Num(f) => *f,
    };
    match style {
        Style::Pct => {
            write_float(out, (value * 100.0).round())?;
            out.write_str("%")
        }
        Style::Count => write_count(out, value, lang),
        Style::Yen => match lang {
            Lang::Ja if value >= 10_000.0 => {
                write_group(out, (value / 10_000.0).round())?;
                out.write_str("万円")
            }
            Lang::Ja => {
                write_group(out, value.round())?;
                out.write_str("円")
            }
            Lang::En => {
                out.write_str("¥")?;
                write_group(out, value.round())
            }
        },
        _ => write_trimmed(out, value),
    }
}

/// Field names separated by `, ` by their titles (a name that is no field stands as written).
fn write_facts<W: fmt::Write>(out: &mut W, names: &str, lang: Lang) -> fmt::Result {
    for (i, name) in names.split(',').map(str::trim).enumerate() {
        if i > 0 {
            out.write_str(lang.pick("、", ", "))?;
        }
        match (crate::catalog::Field::from_name(name), lang) {
            (Some(f), Lang::Ja) => write!(out, "「{}」", crate::catalog::titles::title(f, lang))?,
            _ => out.write_str(name)?,
        }
    }
    Ok(())
}

/// Japanese counts use 万 (10,000); English uses thousands separators.
fn write_count<W: fmt::Write>(out: &mut W, value: f64, lang: Lang) -> fmt::Result {
    match lang {
        Lang::Ja if value >= 10_000.0 => {
            let man = value / 10_000.0;
            if man >= 100.0 || (man.fract() * 10.0).round() == 0.0 {
                write_group(out, man.round())?;
                out.write_str("万")
            } else {
                write!(out, "{man:.1}万")
            }
        }
        _ => write_group(out, value.round()),
    }
}

/// The whole part of `value` with thousands separators.
fn write_group<W: fmt::Write>(out: &mut W, value: f64) -> fmt::Result {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(value.abs() as u64);
    if value < 0.0 {
        out.write_char('-')?;
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.write_char(',')?;
        }
        out.write_char(c)?;
    }
    Ok(())
}

/// `value` as `{}` shows it, a whole number without the float formatter.
fn write_float<W: fmt::Write>(out: &mut W, value: f64) -> fmt::Result {
    let negative_zero = value == 0.0 && value.is_sign_negative();
    if value.fract() == 0.0 && value.abs() < 1e15 && !negative_zero {
        out.write_str(itoa::Buffer::new().format(value as i64))
    } else {
        write!(out, "{value}")
    }
}

/// A whole number as one; another with at most two decimals, without trailing zeros.
fn write_trimmed<W: fmt::Write>(out: &mut W, value: f64) -> fmt::Result {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return out.write_str(itoa::Buffer::new().format(value as i64));
    }
    fn trim(s: &str) -> &str {
        s.trim_end_matches('0').trim_end_matches('.')
    }
    let mut short = ShortText::default();
    match write!(short, "{value:.2}") {
        Ok(()) => out.write_str(trim(short.as_str())),
        Err(_) => out.write_str(trim(&format!("{value:.2}"))),
    }
}

/// A text of at most 40 bytes on the stack (writing more fails): most numbers, formatted.
struct ShortText {
    bytes: [u8; 40],
    len: usize,
}

impl Default for ShortText {
    fn default() -> Self {
        Self {
            bytes: [0; 40],
            len: 0,
        }
    }
}

impl ShortText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_text_are_cut_apart() {
        let t = Template::parse("定型度{0|pct}・{1}件").unwrap();
        assert_eq!(t.pieces.len(), 5);
        assert_eq!(t.arguments(), 2);
        assert!(matches!(
            t.pieces[1],
            Piece::Arg {
                index: 0,
                style: Style::Pct,
                ..
            }
        ));
    }

    #[test]
    fn broken_placeholders_are_errors() {
        let style = Template::parse("定型度{0|pcnt}").unwrap_err();
        assert_eq!(style.kind, TemplateErrorKind::UnknownStyle("pcnt".into()));
        assert_eq!(style.offset, "定型度".len());
        assert_eq!(
            Template::parse("{x}").unwrap_err().kind,
            TemplateErrorKind::BadIndex
        );
        assert_eq!(
            Template::parse("a {0").unwrap_err().kind,
            TemplateErrorKind::Unclosed
        );
    }

    // Filling, formerly tested in render/mod.rs.

    /// Fills a template given as text (parsed as the rule set parses it).
    fn fill(template: &str, args: &[Arg], lang: Lang) -> String {
        super::fill(&Template::parse(template).unwrap(), args, lang)
    }

    #[test]
    fn templates_format_for_the_language() {
        let args = [Arg::Num(0.92), Arg::Int(700_000), Arg::Int(25_000_000)];
        assert_eq!(
            fill("定型度{0|pct}・年間{1|count}件・{2|yen}", &args, Lang::Ja),
            "定型度92%・年間70万件・2,500万円"
        );
        assert_eq!(
            fill("{0|pct} routine, {1|count} cases, {2|yen}", &args, Lang::En),
            "92% routine, 700,000 cases, ¥25,000,000"
        );
        assert_eq!(
            fill("{1|count}", &[Arg::Int(0), Arg::Int(12_345)], Lang::Ja),
            "1.2万"
        );
        assert_eq!(fill("{5} stays", &args, Lang::En), "{5} stays");
        assert_eq!(fill("{0}", &[Arg::Num(1.5)], Lang::En), "1.5");
        assert_eq!(fill("{0}倍", &[Arg::Num(1.1749)], Lang::Ja), "1.17倍");
        for (share, shown) in [
            (-0.001, "-0%"),
            (0.0, "0%"),
            (1e20, "10000000000000000000000%"),
        ] {
            assert_eq!(fill("{0|pct}", &[Arg::Num(share)], Lang::En), shown);
        }
        assert_eq!(fill("{0}", &[Arg::Num(-2.004)], Lang::En), "-2");
        assert_eq!(
            fill("{0|count}", &[Arg::Int(-1_234_567)], Lang::En),
            "-1,234,567"
        );
        // Longer than the formatting buffer on the stack: written all the same.
        let huge = fill("{0}", &[Arg::Num(1e300)], Lang::En);
        assert_eq!(huge.len(), 301);
        assert!(huge.starts_with("10000000000000000525047602552044202487"));
    }
}
