//! The terminal table: one row per operation, then totals.

use tabled::builder::Builder;
use tabled::settings::Style;

use crate::assess::Report;
use crate::diag::printable;
use crate::lang::Lang;
use crate::model::Severity;
use crate::rules::RuleSet;

pub fn table(report: &Report, _rules: &RuleSet, lang: Lang) -> String {
    let mut b = Builder::default();
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
    b.push_record(header);
    for a in &report.assessments {
        let mut row = vec![
            a.operation.id.to_string(),
            cell(&a.operation.name),
            label(a, lang),
        ];
        row.extend(a.criteria.iter().map(|c| c.points.to_string()));
        row.push(a.count(Severity::High).to_string());
        row.push(a.count(Severity::Medium).to_string());
        row.push(format!("{:.2}", a.freed_fte));
        b.push_record(row);
    }
    let mut out = b.build().with(Style::rounded()).to_string();
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
    out.push_str(&total);
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

fn label(a: &crate::assess::Assessment, lang: Lang) -> String {
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
