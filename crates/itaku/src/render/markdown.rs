//! `--format md`: a Markdown table of the assessments plus the summary, to paste into a report or a
//! review. Built from the structured [`document`](super::document).

use std::fmt::Write as _;

use super::csv::recommendation_label;
use super::document::Document;
use crate::lang::Lang;

/// A catalog text as a Markdown table cell: on one line, `|` and HTML escaped, control characters
/// made visible.
fn cell(text: &str) -> String {
    let one_line = text.replace(['\n', '\r', '\t'], " ");
    crate::diag::printable(&one_line)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn assessments_markdown(doc: &Document<'_>, lang: Lang) -> String {
    let mut out = String::new();
    let (title, header) = match lang {
        Lang::Ja => (
            "委託判定",
            "| ID | 業務名 | 所管 | 判定 | C1 | C2 | C3 | C4 | C5 | 高 | 中 | 削減FTE |",
        ),
        Lang::En => (
            "Outsourcing assessment",
            "| id | name | department | recommendation | C1 | C2 | C3 | C4 | C5 | high | med | freed FTE |",
        ),
    };
    let _ = writeln!(out, "# {title}\n");
    let _ = writeln!(
        out,
        "{} {} ({}) — {} {}\n",
        cell(&doc.rules.name),
        cell(&doc.rules.version),
        doc.rules.digest,
        lang.pick("基準日", "as of"),
        doc.as_of
    );
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for a in &doc.assessments {
        let mut label = recommendation_label(a.recommendation, lang).to_string();
        if a.proposal_call {
            label.push_str(lang.pick(" ★公募", " ★call"));
        }
        if !a.errors.is_empty() {
            label.push_str(" ⚠");
        }
        let points: Vec<String> = a.criteria.iter().map(|c| c.points.to_string()).collect();
        let severity = |s: &str| a.checklist.iter().filter(|c| c.severity == s).count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {label} | {} | {} | {} | {:.2} |",
            cell(a.id),
            cell(a.name),
            cell(a.department),
            points.join(" | "),
            severity("high"),
            severity("medium"),
            a.freed_fte
        );
    }
    // The methods that fit, per operation, best first (their reasons and conditions: HTML, JSON, explain).
    if doc.assessments.iter().any(|a| !a.methods.is_empty()) {
        let _ = writeln!(out, "\n## {}\n", super::methods_heading(lang));
        for a in &doc.assessments {
            if a.methods.is_empty() {
                continue;
            }
            let ranked: Vec<String> = a
                .methods
                .iter()
                .map(|m| {
                    format!(
                        "{} ({})",
                        super::method_label(m.method, lang),
                        super::fit_text(m.fit, lang)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "- `{}` {}: {}",
                cell(a.id),
                cell(a.name),
                ranked.join(" › ")
            );
            if let Some(top) = a.methods.first().filter(|m| !m.conditions.is_empty()) {
                let _ = writeln!(
                    out,
                    "  - {}{}",
                    lang.pick("条件: ", "if: "),
                    cell(&top.conditions.join(lang.pick("。", "; ")))
                );
            }
        }
    }
    let s = &doc.summary;
    let counts: Vec<String> = crate::model::Recommendation::ALL
        .iter()
        .map(|r| {
            let n = s.by_recommendation.get(r.as_str()).copied().unwrap_or(0);
            format!("{} {n}", r.label(lang))
        })
        .collect();
    let _ = writeln!(out, "\n## {}\n", lang.pick("集計", "Summary"));
    match lang {
        Lang::Ja => {
            let _ = writeln!(out, "- 合計 {}件: {}", s.operations, counts.join("・"));
            let _ = writeln!(out, "- 削減見込み {:.2} FTE", s.freed_fte);
            let _ = writeln!(out, "- 公募の候補 {}件", s.proposal_calls);
            if s.rule_errors > 0 {
                let _ = writeln!(out, "- ルールエラー {}件", s.rule_errors);
            }
        }
        Lang::En => {
            let _ = writeln!(
                out,
                "- total {} operations: {}",
                s.operations,
                counts.join(", ")
            );
            let _ = writeln!(out, "- freed {:.2} FTE", s.freed_fte);
            let _ = writeln!(
                out,
                "- {} candidates for a call for proposals",
                s.proposal_calls
            );
            if s.rule_errors > 0 {
                let _ = writeln!(out, "- {} rule errors", s.rule_errors);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("<script>"), "&lt;script&gt;");
    }
}
