//! `itaku diff` for people: a terminal listing and Markdown to paste into a review. JSON is the
//! [`Diff`] itself.

use std::fmt::Write;

use crate::diff::Diff;
use crate::lang::Lang;

fn totals_lines(d: &Diff, lang: Lang) -> Vec<String> {
    let t = &d.totals;
    let label = |name: &str| super::csv::recommendation_label(name, lang);
    let counts = |m: &std::collections::BTreeMap<&str, usize>| {
        ["outsource", "partial", "study", "in_house"]
            .iter()
            .map(|k| format!("{} {}", label(k), m.get(k).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let moves = if t.moves.is_empty() {
        lang.pick("なし", "none").to_string()
    } else {
        t.moves
            .iter()
            .map(|(k, n)| {
                let k = k.split(" → ").map(label).collect::<Vec<_>>().join(" → ");
                format!("{k}: {n}")
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match lang {
        Lang::Ja => vec![
            format!(
                "変わった業務: {}件 (委託の方向へ {}件、直営の方向へ {}件)",
                t.operations_changed, t.moved_up, t.moved_down
            ),
            format!("判定の移動: {moves}"),
            format!(
                "判定の内訳: {} → {}",
                counts(&t.by_recommendation_before),
                counts(&t.by_recommendation_after)
            ),
            format!(
                "振り向けられる職員の時間: {}人分 → {}人分",
                t.freed_fte_before, t.freed_fte_after
            ),
        ],
        Lang::En => vec![
            format!(
                "operations changed: {} ({} toward outsourcing, {} toward in-house)",
                t.operations_changed, t.moved_up, t.moved_down
            ),
            format!("moves: {moves}"),
            format!(
                "by recommendation: {} → {}",
                counts(&t.by_recommendation_before),
                counts(&t.by_recommendation_after)
            ),
            format!(
                "staff time freed: {} FTE → {} FTE",
                t.freed_fte_before, t.freed_fte_after
            ),
        ],
    }
}

/// A terminal listing: each changed operation with its changes and the rules behind them, then totals.
pub fn diff_text(d: &Diff, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {}",
        lang.pick("比較:", "compare:"),
        format_args!("{} → {}", d.base, d.new)
    );
    if d.changed.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            lang.pick("変わった判定はありません。", "no result changed.")
        );
    }
    let (open, close) = match lang {
        Lang::Ja => ("「", "」"),
        Lang::En => ("“", "”"),
    };
    for c in &d.changed {
        let _ = writeln!(s, "\n{} {open}{}{close}", c.id, c.display_name(lang));
        for line in &c.changes {
            let _ = writeln!(s, "    {line}");
        }
        if !c.rules.is_empty() {
            let _ = writeln!(
                s,
                "    {} {}",
                lang.pick("ルール:", "rules:"),
                c.rules.join(", ")
            );
        }
        if !c.parameters.is_empty() {
            let _ = writeln!(
                s,
                "    {} {}",
                lang.pick("パラメータ:", "parameters:"),
                c.parameters.join("; ")
            );
        }
    }
    let _ = writeln!(s);
    for line in totals_lines(d, lang) {
        let _ = writeln!(s, "{line}");
    }
    s
}

/// Markdown for a review: a table of changed operations and the totals.
pub fn diff_markdown(d: &Diff, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "### {} `{}` → `{}`\n",
        lang.pick("判定の変化", "What changes"),
        d.base,
        d.new
    );
    if d.changed.is_empty() {
        let _ = writeln!(
            s,
            "{}\n",
            lang.pick("変わった判定はありません。", "No result changes.")
        );
    } else {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            lang.pick("業務", "operation"),
            lang.pick("変化", "changes"),
            lang.pick("ルール", "rules"),
            lang.pick("パラメータ", "parameters")
        );
        let _ = writeln!(s, "|---|---|---|---|");
        let cell = |v: &[String]| v.join("<br>").replace('|', "\\|");
        for c in &d.changed {
            let _ = writeln!(
                s,
                "| `{}` {} | {} | {} | {} |",
                c.id,
                c.display_name(lang).replace('|', "\\|"),
                cell(&c.changes),
                cell(&c.rules),
                cell(&c.parameters)
            );
        }
        s.push('\n');
    }
    for line in totals_lines(d, lang) {
        let _ = writeln!(s, "- {line}");
    }
    s
}
