//! The terminal table of `itaku bundle`: one block per proposal (advice, members, savings, risks, the
//! combined checklist's high items), each a table fitted to the terminal's width.

use itaku::render::BundleDoc;
use itaku::Lang;

use super::{cell, fitted, wrap_text};

fn severity(s: &str, lang: Lang) -> &'static str {
    itaku::model::Severity::parse(s).map_or("?", |s| s.label(lang))
}

/// The proposals as text, fitted to `width` columns when given.
pub fn bundle_table(doc: &BundleDoc, lang: Lang, width: Option<usize>) -> String {
    let mut out = String::new();
    let line_width = width.unwrap_or(100).max(40);
    if doc.bundles.is_empty() {
        out.push_str(lang.pick(
            "提案できる包括委託はありません。\n",
            "No bundle to propose.\n",
        ));
    }
    for b in &doc.bundles {
        let head = match b.lots {
            Some(n) if b.advice == "lots" => format!("■ {} — {} ({n})", b.title, b.advice_label),
            _ => format!("■ {} — {}", b.title, b.advice_label),
        };
        out.push_str(&wrap_text(&itaku::diag::printable(&head), line_width));
        out.push('\n');
        for r in &b.reasons {
            out.push_str(&wrap_text(
                &format!("  {}", itaku::diag::printable(r)),
                line_width,
            ));
            out.push('\n');
        }
        let mut rows = vec![vec![
            lang.pick("業務ID", "Id").to_string(),
            lang.pick("所管", "Department").to_string(),
            lang.pick("判定", "Result").to_string(),
        ]];
        for m in &b.members {
            rows.push(vec![
                cell(&m.id),
                cell(&m.department),
                itaku::model::Recommendation::parse(m.recommendation)
                    .map_or("?", |r| r.label(lang))
                    .to_string(),
            ]);
        }
        out.push_str(&fitted(rows, width, &[0, 1]));
        out.push('\n');
        let mut rows = vec![vec![
            lang.pick("区分", "Kind").to_string(),
            lang.pick("内容", "What").to_string(),
        ]];
        for s in &b.savings {
            rows.push(vec![lang.pick("効果", "saves").to_string(), cell_long(s)]);
        }
        for r in &b.risks {
            rows.push(vec![
                format!(
                    "{} {}",
                    lang.pick("リスク", "risk"),
                    severity(r.severity, lang)
                ),
                cell_long(&r.risk),
            ]);
        }
        for c in b.checklist.iter().filter(|c| c.severity == "high") {
            rows.push(vec![
                format!("{} {}", c.safeguard, severity(c.severity, lang)),
                cell_long(&c.item),
            ]);
        }
        out.push_str(&fitted(rows, width, &[1]));
        out.push_str("\n\n");
    }
    for n in &doc.not_proposed {
        let line = format!("・{}: {}", n.title, n.reason);
        out.push_str(&wrap_text(&itaku::diag::printable(&line), line_width));
        out.push('\n');
    }
    out
}

/// A long text as a cell: one line, control characters visible (wrapped by the table).
fn cell_long(text: &str) -> String {
    itaku::diag::printable(&text.replace(['\n', '\r', '\t'], " ")).into_owned()
}
