//! The terminal tables — the assessments (one row per operation, then totals) and the rule list —
//! optionally fitted to the terminal's width by wrapping their text columns (ids are kept whole).

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Style, Width};
use unicode_width::UnicodeWidthStr;

use itaku::assess::Report;
use itaku::diag::printable;
use itaku::model::Severity;
use itaku::rules::RuleSet;
use itaku::Lang;

/// The assessments table at its natural width (as on a pipe).
pub fn table(report: &Report, rules: &RuleSet, lang: Lang) -> String {
    table_fitted(report, rules, lang, None)
}

/// The assessments table; with a `width`, the name column is wrapped so that every line fits in it
/// (display columns: a Japanese character counts 2).
pub fn table_fitted(report: &Report, _rules: &RuleSet, lang: Lang, width: Option<usize>) -> String {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(report.assessments.len() + 1);
    let header: [&str; 11] = match lang {
        Lang::Ja => [
            "ID",
            "業務名",
            "判定",
            "C1",
            "C2",
            "C3",
            "C4",
            "C5",
            "高",
            "中",
            "削減FTE",
        ],
        Lang::En => [
            "id",
            "name",
            "recommendation",
            "C1",
            "C2",
            "C3",
            "C4",
            "C5",
            "high",
            "med",
            "freed FTE",
        ],
    };
    rows.push(header.iter().map(|h| h.to_string()).collect());
    for a in &report.assessments {
        let mut row = vec![
            a.operation.id.to_string(),
            cell(a.operation.display_name(lang)),
            label(a, lang),
        ];
        row.extend(a.criteria.iter().map(|c| c.points.to_string()));
        row.push(a.count(Severity::High).to_string());
        row.push(a.count(Severity::Medium).to_string());
        row.push(format!("{:.2}", a.freed_fte));
        rows.push(row);
    }
    // The columns share the width: side by side while the name keeps room enough to read, else each
    // id on a line of its own so that the name gets the width the id column would take.
    let mut out = match width {
        Some(w) if name_room(&rows, w) < MIN_NAME.min(column_widths(&rows)[1]) => {
            stacked(rows, w, lang)
        }
        _ => fitted(rows, width, &[1]),
    };
    out.push('\n');
    let counts: Vec<String> = report
        .by_recommendation()
        .iter()
        .map(|(r, n)| format!("{} {n}", r.label(lang)))
        .collect();
    let total = match lang {
        Lang::Ja => format!(
            "合計 {}件: {} / 削減見込み {:.2} FTE",
            report.assessments.len(),
            counts.join("・"),
            report.freed_fte()
        ),
        Lang::En => format!(
            "total {} operations: {} / freed {:.2} FTE",
            report.assessments.len(),
            counts.join(", "),
            report.freed_fte()
        ),
    };
    // On a narrow terminal the freed FTE goes on a line of its own.
    if let Some(w) = width.filter(|w| total.width() > *w) {
        let lines: Vec<String> = total.split(" / ").map(|l| wrap(l, w)).collect();
        out.push_str(&lines.join("\n"));
    } else {
        out.push_str(&total);
    }
    out.push('\n');
    if report.rule_errors() > 0 {
        out.push_str(&match lang {
            Lang::Ja => format!(
                "ルールエラー {}件 (標準エラー出力を参照)\n",
                report.rule_errors()
            ),
            Lang::En => format!(
                "{} rule errors (see standard error)\n",
                report.rule_errors()
            ),
        });
    }
    out
}

/// The rule list of `itaku rules` (id, kind, title, basis, parameters used), then the rule set's name,
/// version and digest; with a `width`, the title and basis columns are wrapped to fit.
pub fn rules_table(set: &RuleSet, lang: Lang, width: Option<usize>) -> String {
    let header = match lang {
        Lang::Ja => ["ID", "種別", "名称", "根拠", "使用パラメータ"],
        Lang::En => ["id", "kind", "title", "basis", "parameters used"],
    };
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for (i, r) in set.manifest.rules.iter().enumerate() {
        // Control characters in a rule set's texts are made visible, as in catalog texts.
        let shown = |t: &str| printable(t).into_owned();
        rows.push(vec![
            shown(&r.id),
            r.kind.as_str().to_string(),
            shown(r.title.get(lang)),
            shown(r.basis.get(lang)),
            shown(&set.parameters_used(i).join("\n")),
        ]);
    }
    format!(
        "{}\n{} {} — {} / {} items / {} parameters\n",
        fitted(rows, width, &[2, 3, 4]),
        set.manifest.name,
        set.manifest.version,
        set.digest,
        set.items.len(),
        set.parameters.parameters.len()
    )
}

/// The narrowest the name column of the side-by-side assessments table becomes before the table is
/// stacked (each id on a line of its own): at 120 columns the longest bundled id (41 columns) would
/// otherwise leave the names 10.
const MIN_NAME: usize = 24;

/// The columns the name (column 1) of the assessments table gets beside the others at `width`.
fn name_room(rows: &[Vec<String>], width: usize) -> usize {
    let widths = column_widths(rows);
    let others: usize = widths
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, w)| *w)
        .sum();
    width.saturating_sub(others + 3 * widths.len() + 1)
}

fn column_widths(rows: &[Vec<String>]) -> Vec<usize> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, text) in row.iter().enumerate() {
            let w = text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0);
            widths[i] = widths[i].max(w);
        }
    }
    widths
}

/// The assessments table for a terminal too narrow for the id and the name side by side: each
/// operation's id on a line of its own across the table (ids are never cut), its name wrapped below.
/// `rows` are those of the wide table: the id in column 0, the name in column 1.
fn stacked(rows: Vec<Vec<String>>, width: usize, lang: Lang) -> String {
    use tabled::settings::object::Cell;
    use tabled::settings::Span;
    // The markers after a recommendation (★ call for proposals, ⚠ rule error) go on lines of their own.
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut rest = r[1..].to_vec();
            let marked = rest[1].replace(" ★", "\n★").replace(" ⚠", "\n⚠");
            let label_width = rows[0][2].width().max(MIN_WRAPPED);
            rest[1] = marked
                .lines()
                .map(|l| wrap(l, label_width))
                .collect::<Vec<_>>()
                .join("\n");
            rest
        })
        .collect();
    let fixed: usize = column_widths(&body)[1..]
        .iter()
        .map(|w| w + 3)
        .sum::<usize>()
        + 1;
    let name_width = width.saturating_sub(fixed + 3).max(MIN_WRAPPED);
    let columns = body[0].len();
    let mut out_rows = Vec::with_capacity(rows.len() * 2);
    let mut header = body[0].clone();
    header[0] = lang.pick("ID / 業務名", "id / name").to_string();
    out_rows.push(header);
    for (row, rest) in rows.iter().zip(&body).skip(1) {
        let mut id_row = vec![String::new(); columns];
        id_row[0] = row[0].clone();
        out_rows.push(id_row);
        let mut data = rest.clone();
        data[0] = wrap(&data[0], name_width);
        out_rows.push(data);
    }
    let mut table = Builder::from(out_rows).build();
    table.with(Style::modern_rounded());
    for r in (1..table.count_rows()).step_by(2) {
        table.modify(Cell::new(r, 0), Span::column(columns as isize));
    }
    table.to_string()
}

/// Wraps `text` to lines of at most `width` display columns: at spaces where there are any, else
/// between characters (Japanese has no spaces).
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    for word in text.split_inclusive(' ') {
        let w = word.trim_end().width();
        if line_width + w > width && !line.is_empty() {
            lines.push(line.trim_end().to_string());
            line.clear();
            line_width = 0;
        }
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if line_width + cw > width && c != ' ' && !line.is_empty() {
                lines.push(line.trim_end().to_string());
                line.clear();
                line_width = 0;
            }
            line.push(c);
            line_width += cw;
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines.join("\n")
}

/// The narrowest a wrapped column becomes, in display columns.
const MIN_WRAPPED: usize = 8;

/// A rounded table of `rows` (the first is the header). With a `width`, the `flexible` columns are
/// narrowed, widest first, until the table fits (or they reach [`MIN_WRAPPED`]) and their text wrapped.
pub fn fitted(rows: Vec<Vec<String>>, width: Option<usize>, flexible: &[usize]) -> String {
    let mut widths = column_widths(&rows);
    let columns = widths.len();
    let natural = widths.clone();
    if let Some(limit) = width {
        // Each column has a space of padding on either side, and one border character per column plus one.
        let total = |w: &[usize]| w.iter().sum::<usize>() + 3 * w.len() + 1;
        while total(&widths) > limit {
            let widest = flexible
                .iter()
                .copied()
                .filter(|&i| i < columns && widths[i] > MIN_WRAPPED)
                .max_by_key(|&i| widths[i]);
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    let mut table = Builder::from(rows).build();
    table.with(Style::rounded());
    for (i, (w, n)) in widths.iter().zip(&natural).enumerate() {
        if w < n {
            table.modify(Columns::one(i), Width::wrap(*w));
        }
    }
    table.to_string()
}

/// Longest cell text shown, in characters. Every row is padded to the widest cell, so one 10 MB name
/// would otherwise make every row 10 MB wide; json and yaml keep the full text.
pub const MAX_CELL_CHARS: usize = 60;

/// A catalog text as a table cell: on one line, control characters made visible, cut to
/// [`MAX_CELL_CHARS`] with an ellipsis.
pub fn cell(text: &str) -> String {
    let one_line = text.replace(['\n', '\r', '\t'], " ");
    let shown = printable(&one_line);
    if shown.chars().count() <= MAX_CELL_CHARS {
        return shown.into_owned();
    }
    let mut cut: String = shown.chars().take(MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn label(a: &itaku::assess::Assessment, lang: Lang) -> String {
    let mut s = a.recommendation.label(lang).to_string();
    if a.proposal_call {
        s.push_str(lang.pick(" ★公募", " ★call"));
    }
    if !a.errors.is_empty() {
        s.push_str(" ⚠");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_lines_within_the_width() {
        assert_eq!(wrap("住民異動届等の窓口", 8), "住民異動\n届等の窓\n口");
        assert_eq!(wrap("ward call centre", 10), "ward call\ncentre");
        assert!(wrap("averyveryverylongword", 5)
            .lines()
            .all(|l| l.width() <= 5));
    }

    #[test]
    fn a_fitted_table_wraps_the_flexible_column_only() {
        let rows = vec![
            vec!["ID".to_string(), "業務名".to_string()],
            vec!["long-operation-id".to_string(), "住民".repeat(30)],
        ];
        let out = fitted(rows, Some(40), &[1]);
        assert!(out.lines().all(|l| l.width() <= 40), "{out}");
        assert!(out.contains("long-operation-id"));
    }

    #[test]
    fn long_or_hostile_cells_are_cut_and_made_visible() {
        assert_eq!(cell("住民税"), "住民税");
        let long = cell(&"あ".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_CELL_CHARS);
        assert!(long.ends_with('…'));
        let hostile = cell("\u{1b}[2Jname\u{202e}\nnext");
        assert!(
            !hostile.contains('\u{1b}') && !hostile.contains('\u{202e}') && !hostile.contains('\n')
        );
    }
}
