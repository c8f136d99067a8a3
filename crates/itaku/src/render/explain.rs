//! `itaku explain` as sentences a department can follow (text) or a page to paste into a review (Markdown).
//! The JSON form is the [`Explanation`] itself.

use std::fmt::Write;

use serde_json::Value;

use crate::explain::{Explanation, Output};
use crate::lang::Lang;

/// A fact's value for people: `不明`/`unknown` for a missing fact, lists joined.
fn value_text(v: &Value, lang: Lang) -> String {
    match v {
        Value::Null => lang.pick("不明", "unknown").to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| value_text(i, lang)).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}

fn output_text(o: &Output, lang: Lang) -> String {
    match (o, lang) {
        (
            Output::Points {
                criterion,
                points,
                reasons,
                max,
                total,
                counted,
            },
            _,
        ) => {
            let scored = points_text(criterion, *points, *total, *counted, *max, lang);
            format!("{scored}: {}", reasons.join(" / "))
        }
        (Output::Exclusion { reason }, Lang::Ja) => format!("除外: {reason}"),
        (Output::Exclusion { reason }, Lang::En) => format!("excluded: {reason}"),
        (Output::Cap { level, reason }, Lang::Ja) => format!("上限 {level}: {reason}"),
        (Output::Cap { level, reason }, Lang::En) => format!("limit {level}: {reason}"),
        (Output::Item { id, severity, item }, Lang::Ja) => {
            let sev = crate::model::Severity::parse(severity).map_or(*severity, |s| s.label(lang));
            format!("チェック項目 {id} (重大度 {sev}): {item}")
        }
        (Output::Item { id, severity, item }, Lang::En) => {
            format!("checklist item {id} ({severity}): {item}")
        }
        (Output::Clause { id, item }, Lang::Ja) => format!("標準条項 {id}: {item}"),
        (Output::Clause { id, item }, Lang::En) => format!("standard clause {id}: {item}"),
        (Output::Missing { field, decisive }, Lang::Ja) => {
            format!(
                "不明な事実 {field}{}",
                if *decisive { " (判定を左右)" } else { "" }
            )
        }
        (Output::Missing { field, decisive }, Lang::En) => {
            format!(
                "unknown fact {field}{}",
                if *decisive { " (decisive)" } else { "" }
            )
        }
        (Output::Contradiction { fields, finding }, Lang::Ja) => {
            format!("矛盾 ({}): {finding}", fields.join(", "))
        }
        (Output::Contradiction { fields, finding }, Lang::En) => {
            format!("contradiction ({}): {finding}", fields.join(", "))
        }
        (Output::Note { text }, Lang::Ja) => format!("注記: {text}"),
        (Output::Note { text }, Lang::En) => format!("note: {text}"),
        (Output::Recommendation { level }, Lang::Ja) => format!("判定 {level}"),
        (Output::Recommendation { level }, Lang::En) => format!("recommendation {level}"),
        (Output::FreedFte { value }, Lang::Ja) => format!("振り向けられる職員の時間 {value}人分"),
        (Output::FreedFte { value }, Lang::En) => format!("staff time freed {value} FTE"),
        (Output::ProposalCall, Lang::Ja) => "事業者提案の公募の候補".to_string(),
        (Output::ProposalCall, Lang::En) => "candidate for a proposal call".to_string(),
        (
            Output::Fit {
                label,
                points,
                reason,
                ..
            },
            Lang::Ja,
        ) => format!("手法「{label}」 {points:+}: {reason}"),
        (
            Output::Fit {
                label,
                points,
                reason,
                ..
            },
            Lang::En,
        ) => format!("method “{label}” {points:+}: {reason}"),
        (
            Output::Condition {
                label, condition, ..
            },
            Lang::Ja,
        ) => format!("手法「{label}」の条件: {condition}"),
        (
            Output::Condition {
                label, condition, ..
            },
            Lang::En,
        ) => format!("condition for “{label}”: {condition}"),
        (Output::Error { line, message }, Lang::Ja) => format!("エラー ({line}行目): {message}"),
        (Output::Error { line, message }, Lang::En) => format!("error (line {line}): {message}"),
    }
}

/// A rule's points for a criterion as the table counts them: the raw points, and the counted points
/// when the criterion's maximum (or its floor of 0) changed them — "C1 +6 → 5 (上限5)"; when several
/// rules score the criterion, their total: "C1 +3 (計 +7 → 5、上限5)".
fn points_text(
    criterion: &str,
    points: i64,
    total: i64,
    counted: u8,
    max: u8,
    lang: Lang,
) -> String {
    let counted_i = i64::from(counted);
    let bound = if total > counted_i {
        lang.pick(&format!("上限{max}"), &format!("max {max}"))
            .to_string()
    } else {
        lang.pick("下限0", "min 0").to_string()
    };
    match (total == points, total == counted_i) {
        (_, true) if total == points => format!("{criterion} {points:+}"),
        (true, _) => format!("{criterion} {points:+} → {counted} ({bound})"),
        (false, true) => match lang {
            Lang::Ja => format!("{criterion} {points:+} (計 {total:+})"),
            Lang::En => format!("{criterion} {points:+} (total {total:+})"),
        },
        (false, false) => match lang {
            Lang::Ja => format!("{criterion} {points:+} (計 {total:+} → {counted}、{bound})"),
            Lang::En => format!("{criterion} {points:+} (total {total:+} → {counted}, {bound})"),
        },
    }
}

/// Plain text, for a terminal.
/// Which engine ran the traced evaluation, for people.
fn engine_text(engine: &str, lang: Lang) -> &'static str {
    match (engine, lang) {
        ("interpreted", Lang::Ja) => "インタプリタ (Rhai、コンパイル済みルールの検証基準)",
        ("interpreted", Lang::En) => {
            "the interpreter (Rhai, the reference the compiled rules are tested against)"
        }
        (_, Lang::Ja) => "コンパイル済みルール",
        (_, Lang::En) => "the compiled rules",
    }
}

pub fn explain_text(x: &Explanation, lang: Lang) -> String {
    let mut s = String::new();
    let o = &x.outcome;
    let (open, close) = match lang {
        Lang::Ja => ("「", "」"),
        Lang::En => ("“", "”"),
    };
    let _ = writeln!(s, "{} {open}{}{close} ({})", x.id, x.name, x.department);
    let _ = writeln!(
        s,
        "{}",
        lang.pick(
            &format!(
                "ルール {}、基準日 {}、実行: {}",
                x.rules,
                x.as_of,
                engine_text(x.engine, lang)
            ),
            &format!(
                "rules {}, as of {}, run by {}",
                x.rules,
                x.as_of,
                engine_text(x.engine, lang)
            )
        )
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{}",
        lang.pick(
            &format!(
                "判定: {} ({}) — 振り向けられる職員の時間 {}人分",
                o.label, o.recommendation, o.freed_fte
            ),
            &format!(
                "Result: {} ({}) — staff time freed {} FTE",
                o.label, o.recommendation, o.freed_fte
            )
        )
    );
    let _ = writeln!(s, "{}", lang.pick("判定に至った流れ:", "How it followed:"));
    for (i, h) in o.how.iter().enumerate() {
        let _ = writeln!(s, "  {}. {h}", i + 1);
    }
    if let Some(t) = &o.top_risk {
        let _ = writeln!(s, "{} {t}", lang.pick("最大のリスク:", "Top risk:"));
    }
    if !o.methods.is_empty() {
        let _ = writeln!(s, "{}:", super::methods_heading(lang));
        for (i, m) in o.methods.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}", i + 1, super::method_line(m, lang));
        }
    }
    let none = lang.pick("なし", "none");
    let list = |v: &[&str]| {
        if v.is_empty() {
            none.to_string()
        } else {
            v.iter()
                .map(|f| fact_name(f, lang))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        }
    };
    let _ = writeln!(
        s,
        "{} {}",
        lang.pick(
            "判定を左右する不明な事実:",
            "Unknown facts that decided it:"
        ),
        list(&o.decisive_missing)
    );
    let _ = writeln!(
        s,
        "{} {}",
        lang.pick("その他の不明な事実:", "Other unknown facts:"),
        list(
            &o.missing
                .iter()
                .copied()
                .filter(|m| !o.decisive_missing.contains(m))
                .collect::<Vec<_>>()
        )
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", lang.pick("ルールごとの評価:", "Rule by rule:"));
    for (i, step) in x.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "[{}] {} ({}, {})",
            i + 1,
            step.rule,
            step.kind,
            step.title
        );
        if !step.facts.is_empty() {
            let facts: Vec<String> = step
                .facts
                .iter()
                .map(|f| {
                    format!(
                        "{} = {}",
                        fact_name(f.field, lang),
                        value_text(&f.value, lang)
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "    {} {}",
                lang.pick("読んだ事実:", "facts read:"),
                facts.join("; ")
            );
        }
        if !step.parameters.is_empty() {
            let params: Vec<String> = step
                .parameters
                .iter()
                .map(|p| {
                    let unverified = if p.verified {
                        ""
                    } else {
                        lang.pick(", 未確認", ", unverified")
                    };
                    match lang {
                        Lang::Ja => {
                            format!("{} = {} ({}から{unverified})", p.name, p.value, p.since)
                        }
                        Lang::En => {
                            format!("{} = {} (since {}{unverified})", p.name, p.value, p.since)
                        }
                    }
                })
                .collect();
            let _ = writeln!(
                s,
                "    {} {}",
                lang.pick("使ったパラメータ:", "parameters:"),
                params.join("; ")
            );
        }
        if step.produced.is_empty() {
            let _ = writeln!(s, "    {} {none}", lang.pick("結果:", "produced:"));
        } else {
            let _ = writeln!(s, "    {}", lang.pick("結果:", "produced:"));
            for o in &step.produced {
                let _ = writeln!(s, "      - {}", output_text(o, lang));
            }
        }
        for p in &step.prints {
            let at = p.line.map(|l| format!(" ({l})")).unwrap_or_default();
            let _ = writeln!(s, "    print{at}: {}", p.text);
        }
    }
    s
}

/// Markdown, for a review or an e-mail.
pub fn explain_markdown(x: &Explanation, lang: Lang) -> String {
    let mut s = String::new();
    let o = &x.outcome;
    let _ = writeln!(s, "## {} — {}\n", x.id, x.name);
    let _ = writeln!(
        s,
        "{}\n",
        lang.pick(
            &format!(
                "{}・ルール {}・基準日 {}・実行: {}",
                x.department,
                x.rules,
                x.as_of,
                engine_text(x.engine, lang)
            ),
            &format!(
                "{} · rules {} · as of {} · run by {}",
                x.department,
                x.rules,
                x.as_of,
                engine_text(x.engine, lang)
            )
        )
    );
    let _ = writeln!(
        s,
        "**{}** ({}), {}\n",
        o.label,
        o.recommendation,
        lang.pick(
            &format!("振り向けられる職員の時間 {}人分", o.freed_fte),
            &format!("staff time freed {} FTE", o.freed_fte)
        )
    );
    for h in &o.how {
        let _ = writeln!(s, "1. {h}");
    }
    let _ = writeln!(s);
    if !o.methods.is_empty() {
        let _ = writeln!(s, "**{}**\n", super::methods_heading(lang));
        for m in &o.methods {
            let _ = writeln!(s, "1. {}", super::method_line(m, lang));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "| # | {} | {} | {} | {} |",
        lang.pick("ルール", "rule"),
        lang.pick("読んだ事実", "facts read"),
        lang.pick("パラメータ", "parameters"),
        lang.pick("結果", "produced")
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for (i, step) in x.steps.iter().enumerate() {
        let facts: Vec<String> = step
            .facts
            .iter()
            .map(|f| match lang {
                Lang::Ja => format!(
                    "{} (`{}`) = {}",
                    title_of(f.field),
                    f.field,
                    value_text(&f.value, lang)
                ),
                Lang::En => format!("`{}` = {}", f.field, value_text(&f.value, lang)),
            })
            .collect();
        let params: Vec<String> = step
            .parameters
            .iter()
            .map(|p| format!("`{}` = {} ({})", p.name, p.value, p.since))
            .collect();
        let produced: Vec<String> = step.produced.iter().map(|o| output_text(o, lang)).collect();
        let cell = |v: Vec<String>| v.join("<br>").replace('|', "\\|");
        let _ = writeln!(
            s,
            "| {} | `{}` {} | {} | {} | {} |",
            i + 1,
            step.rule,
            step.title,
            cell(facts),
            cell(params),
            cell(produced)
        );
    }
    s
}

/// A catalog field as a person reads it: its Japanese title with the field name after it
/// (「定型度 (routine_share)」), the field name alone in English (the English titles are the names).
fn fact_name(field: &str, lang: Lang) -> String {
    match lang {
        Lang::Ja if crate::catalog::Field::from_name(field).is_some() => {
            format!("{} ({field})", title_of(field))
        }
        _ => field.to_string(),
    }
}

fn title_of(field: &str) -> String {
    match crate::catalog::Field::from_name(field) {
        Some(f) => crate::catalog::titles::title_ja(f).to_string(),
        None => field.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_show_the_cap_when_it_changes_them() {
        assert_eq!(points_text("C1", 4, 4, 4, 5, Lang::Ja), "C1 +4");
        assert_eq!(points_text("C1", 6, 6, 5, 5, Lang::Ja), "C1 +6 → 5 (上限5)");
        assert_eq!(points_text("C1", 6, 6, 5, 5, Lang::En), "C1 +6 → 5 (max 5)");
        assert_eq!(
            points_text("C2", -2, -2, 0, 5, Lang::Ja),
            "C2 -2 → 0 (下限0)"
        );
        assert_eq!(
            points_text("C1", 3, 7, 5, 5, Lang::Ja),
            "C1 +3 (計 +7 → 5、上限5)"
        );
        assert_eq!(points_text("C1", 3, 4, 4, 5, Lang::En), "C1 +3 (total +4)");
    }
}
