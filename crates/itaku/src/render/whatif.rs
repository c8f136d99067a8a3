//! `itaku what-if` as advice a department can act on.

use std::fmt::Write;

use serde_json::Value;

use crate::lang::Lang;
use crate::model::Recommendation;
use crate::rules::RuleSet;
use crate::whatif::WhatIf;

fn value(v: &Value, lang: Lang) -> String {
    match v {
        Value::Null => lang.pick("不明", "unknown").to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| value(i, lang))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn label(rec: &str, lang: Lang) -> &'static str {
    Recommendation::parse(rec).map_or("?", |r| r.label(lang))
}

/// Plain text.
pub fn whatif_text(w: &WhatIf, rules: &RuleSet, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        match lang {
            Lang::Ja => format!(
                "{}: 現在の判定は「{}」、重大度「高」の項目 {}件",
                w.id,
                label(w.recommendation, lang),
                w.high
            ),
            Lang::En => format!(
                "{}: today {} with {} high-severity items",
                w.id,
                label(w.recommendation, lang),
                w.high
            ),
        }
    );
    if w.suggestions.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            lang.pick(
                "部署が変えられる事実 (3つまでの組合せ) では、判定も重大度「高」の項目も改善しません。",
                "No change of facts a department can make (up to three at a time) improves the result or clears a high item."
            )
        );
    }
    if let Some(m) = &w.method {
        let today = m
            .today
            .map(|t| super::method_label(t, lang))
            .unwrap_or(lang.pick("不明", "not stated"));
        let _ = writeln!(
            s,
            "{}",
            match lang {
                Lang::Ja => format!(
                    "手法の変更: 現在「{today}」→ 最も適した手法「{}」({})",
                    m.label,
                    super::fit_text(m.fit, lang)
                ),
                Lang::En => format!(
                    "Change of method: today “{today}” → best fit “{}” ({})",
                    m.label,
                    super::fit_text(m.fit, lang)
                ),
            }
        );
        for r in &m.reasons {
            let _ = writeln!(s, "   {} {r}", lang.pick("理由:", "why:"));
        }
        for c in &m.conditions {
            let _ = writeln!(s, "   {} {c}", lang.pick("条件:", "if:"));
        }
    }
    for (i, sug) in w.suggestions.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n{}. {}",
            i + 1,
            match lang {
                Lang::Ja => format!(
                    "判定「{}」、高の項目 {}件 → {}件",
                    label(sug.recommendation, lang),
                    w.high,
                    sug.high_after
                ),
                Lang::En => format!(
                    "{}, high items {} → {}",
                    label(sug.recommendation, lang),
                    w.high,
                    sug.high_after
                ),
            }
        );
        for c in &sug.changes {
            let _ = writeln!(
                s,
                "   - {} ({}: {} → {})",
                c.what,
                c.field,
                value(&c.from, lang),
                value(&c.to, lang)
            );
        }
        if let Some(top) = sug.top_method {
            let _ = writeln!(
                s,
                "   {} {}",
                lang.pick(
                    "最も適した手法が変わります:",
                    "the best-fitting method becomes:"
                ),
                super::method_label(top, lang)
            );
        }
        for id in &sug.clears {
            let text = rules
                .items
                .iter()
                .find(|it| &it.id == id)
                .map_or("", |it| it.item.get(lang));
            let _ = writeln!(s, "   {} {id}: {text}", lang.pick("解消:", "clears:"));
        }
    }
    let _ = writeln!(
        s,
        "\n{}",
        match (lang, w.stopped_early) {
            (Lang::Ja, false) => format!("({}通りの組合せを評価しました)", w.evaluated),
            (Lang::Ja, true) => format!("(評価の上限 {}通りで探索を打ち切りました。より大きな組合せは試していません)", w.evaluated),
            (Lang::En, false) => format!("({} combinations assessed)", w.evaluated),
            (Lang::En, true) => format!("(the search stopped at its budget of {} assessments; larger combinations were not tried)", w.evaluated),
        }
    );
    s
}
