//! `itaku bundle` output: one view of the [`BundleReport`] (texts filled in the chosen language), from
//! which the JSON document, the Markdown, the HTML section and the xlsx sheet are all written, so they
//! say the same thing. The terminal table is the command line's (`src/text/bundle.rs`).

use std::fmt::Write as _;

use maud::{html, Markup};
use serde::Serialize;

use super::document::RulesMeta;
use crate::bundle::{BundleReport, Proposal};
use crate::lang::Lang;
use crate::rules::bundle::Fact;
use crate::rules::template::reason_text;
use crate::rules::RuleSet;

/// The whole output of `itaku bundle`.
#[derive(Debug, Serialize)]
pub struct BundleDoc {
    pub tool: &'static str,
    pub version: &'static str,
    pub rules: RulesMeta,
    pub as_of: String,
    pub bundles: Vec<ProposalDoc>,
    /// Kinds of work with fewer than two operations that may go out.
    pub not_proposed: Vec<NotProposedDoc>,
    /// Operations of a kind that their assessment keeps out of the bundle.
    pub left_out: Vec<LeftOutDoc>,
    pub rule_errors: usize,
}

#[derive(Debug, Serialize)]
pub struct ProposalDoc {
    /// The kind of work, the proposal's stable id.
    pub id: String,
    pub title: String,
    /// `bundle`, `lots` or `apart`.
    pub advice: &'static str,
    pub advice_label: &'static str,
    pub lots: Option<i64>,
    /// Why this advice.
    pub reasons: Vec<String>,
    /// What spoke for a less cautious advice.
    pub overruled: Vec<OverruledDoc>,
    pub members: Vec<MemberDoc>,
    pub totals: TotalsDoc,
    pub savings: Vec<String>,
    pub risks: Vec<RiskDoc>,
    pub checklist: Vec<CombinedItemDoc>,
    pub notes: Vec<String>,
    /// Every fact the proposal rules read (`bundle.…`).
    pub facts: serde_json::Map<String, serde_json::Value>,
    pub errors: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OverruledDoc {
    pub advice: &'static str,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct MemberDoc {
    pub id: String,
    pub name: String,
    pub department: String,
    pub recommendation: &'static str,
    pub estimated_contract_yen: Option<u64>,
    pub contracts_today: u64,
    pub freed_fte: f64,
}

#[derive(Debug, Serialize)]
pub struct TotalsDoc {
    pub operations: usize,
    pub departments: i64,
    pub total_contract_yen: Option<i64>,
    pub contracts_today: i64,
    pub contracts_after: i64,
    pub staff_hours_saved: Option<f64>,
    /// The members' own freed FTE (from their assessments; not added to by bundling).
    pub freed_fte: f64,
}

#[derive(Debug, Serialize)]
pub struct RiskDoc {
    pub severity: &'static str,
    pub risk: String,
    pub rule: String,
}

#[derive(Debug, Serialize)]
pub struct CombinedItemDoc {
    pub safeguard: String,
    pub severity: &'static str,
    pub id: String,
    pub item: String,
    pub mitigation: String,
    pub basis: String,
    /// Members whose own assessment raises it.
    pub raised_by: Vec<String>,
    /// Raised by the bundle as a whole (no part alone raises it, or not at this severity).
    pub by_bundle: bool,
}

#[derive(Debug, Serialize)]
pub struct NotProposedDoc {
    pub id: String,
    pub title: String,
    pub operations: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct LeftOutDoc {
    pub bundle: String,
    pub id: String,
    pub recommendation: &'static str,
}

fn fact_json(f: &Fact) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or(serde_json::Value::Null)
}

/// The view of a bundle report in `lang`.
pub fn bundle_doc(
    report: &BundleReport,
    assessed: &crate::assess::Report,
    rules: &RuleSet,
    lang: Lang,
) -> BundleDoc {
    let bundles = report
        .proposals
        .iter()
        .map(|p| proposal_doc(p, assessed, rules, lang))
        .collect();
    let not_proposed = report
        .not_proposed
        .iter()
        .map(|n| NotProposedDoc {
            id: n.kind.clone(),
            title: reason_text(rules, &n.title, lang),
            operations: n
                .eligible
                .iter()
                .map(|&i| assessed.assessments[i].operation.id.as_str().to_string())
                .collect(),
            reason: match (n.eligible.len(), lang) {
                (0, Lang::Ja) => "委託できる業務がありません (いずれも直営維持または要検討)".into(),
                (0, Lang::En) => {
                    "no operation of this kind can go out (all keep in-house or study)".into()
                }
                (_, Lang::Ja) => "委託できる業務が1件だけで、まとめる相手がありません".into(),
                (_, Lang::En) => {
                    "only one operation of this kind can go out: nothing to bundle it with".into()
                }
            },
        })
        .collect();
    let left_out = report
        .left_out
        .iter()
        .map(|l| LeftOutDoc {
            bundle: l.kind.clone(),
            id: assessed.assessments[l.assessment]
                .operation
                .id
                .as_str()
                .to_string(),
            recommendation: l.recommendation.as_str(),
        })
        .collect();
    BundleDoc {
        tool: "itaku",
        version: env!("CARGO_PKG_VERSION"),
        rules: RulesMeta::of(rules),
        as_of: report.as_of.to_string(),
        bundles,
        not_proposed,
        left_out,
        rule_errors: report.errors.len(),
    }
}

fn proposal_doc(
    p: &Proposal,
    assessed: &crate::assess::Report,
    rules: &RuleSet,
    lang: Lang,
) -> ProposalDoc {
    let text = |r| reason_text(rules, r, lang);
    let members = p
        .members
        .iter()
        .map(|&i| {
            let a = &assessed.assessments[i];
            let op = &a.operation;
            MemberDoc {
                id: op.id.as_str().to_string(),
                name: match lang {
                    Lang::En => op.name_en.clone().unwrap_or_else(|| op.name.clone()),
                    Lang::Ja => op.name.clone(),
                },
                department: op.department.clone(),
                recommendation: a.recommendation.as_str(),
                estimated_contract_yen: op.estimated_contract_yen,
                contracts_today: op.maintenance_contracts.unwrap_or(1).max(1),
                freed_fte: a.freed_fte,
            }
        })
        .collect();
    let today = p.number("contracts_today") as i64;
    let lots = p.weighing.lots;
    let advice = p.advice();
    let totals = TotalsDoc {
        operations: p.members.len(),
        departments: p.number("departments") as i64,
        total_contract_yen: match p.facts.get("total_contract_yen") {
            Some(Fact::Int(i)) => Some(*i),
            _ => None,
        },
        contracts_today: today,
        contracts_after: match advice {
            crate::bundle::Advice::Apart => today,
            _ => lots.unwrap_or(1),
        },
        staff_hours_saved: match advice {
            crate::bundle::Advice::Apart => None,
            _ => p.weighing.saved_hours,
        },
        freed_fte: p.number("freed_fte"),
    };
    let checklist = p
        .checklist
        .iter()
        .map(|c| {
            let spec = rules.item(c.item);
            CombinedItemDoc {
                safeguard: format!("{:?}", c.safeguard),
                severity: c.severity.as_str(),
                id: spec.id.clone(),
                item: spec.item.get(lang).to_string(),
                mitigation: spec.mitigation.get(lang).to_string(),
                basis: spec.basis.get(lang).to_string(),
                raised_by: c.raised_by.clone(),
                by_bundle: c.by_bundle,
            }
        })
        .collect();
    let rule_id = |i: u16| rules.manifest.bundle_rules[i as usize].id.clone();
    ProposalDoc {
        id: p.kind.clone(),
        title: text(&p.title),
        advice: advice.as_str(),
        advice_label: advice.label(lang),
        lots: match advice {
            crate::bundle::Advice::Apart => None,
            _ => lots,
        },
        reasons: p.advice_reasons().map(text).collect(),
        overruled: p
            .overruled_reasons()
            .map(|(a, r)| OverruledDoc {
                advice: a.as_str(),
                reason: text(r),
            })
            .collect(),
        members,
        totals,
        savings: p.weighing.savings.iter().map(|(_, r)| text(r)).collect(),
        risks: p
            .weighing
            .risks
            .iter()
            .map(|(rule, s, r)| RiskDoc {
                severity: s.as_str(),
                risk: text(r),
                rule: rule_id(*rule),
            })
            .collect(),
        checklist,
        notes: p.weighing.notes.iter().map(|(_, r)| text(r)).collect(),
        facts: p
            .facts
            .values
            .iter()
            .map(|(k, v)| ((*k).to_string(), fact_json(v)))
            .collect(),
        errors: p
            .weighing
            .errors
            .iter()
            .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.text.get(lang)))
            .collect(),
    }
}

/// `--format json`.
pub fn bundles_json(doc: &BundleDoc) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

fn yen(v: Option<i64>, lang: Lang) -> String {
    match v {
        None => lang.pick("不明", "unknown").to_string(),
        Some(v) => match lang {
            Lang::Ja if v >= 10_000 => format!("{}万円", group(v / 10_000)),
            Lang::Ja => format!("{}円", group(v)),
            Lang::En => format!("¥{}", group(v)),
        },
    }
}

fn group(v: i64) -> String {
    let digits = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 {
        out.insert(0, '-');
    }
    out
}

fn hours(v: Option<f64>, lang: Lang) -> String {
    match v {
        Some(h) => match lang {
            Lang::Ja => format!("年{}時間", group(h.round() as i64)),
            Lang::En => format!("{} h/year", group(h.round() as i64)),
        },
        None => "—".into(),
    }
}

fn severity_label(s: &str, lang: Lang) -> &'static str {
    crate::model::Severity::parse(s).map_or("?", |s| s.label(lang))
}

fn recommendation_label(r: &str, lang: Lang) -> &'static str {
    crate::model::Recommendation::parse(r).map_or("?", |r| r.label(lang))
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `--format md`.
pub fn bundles_markdown(doc: &BundleDoc, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}\n\n{} {} · {} {}\n",
        lang.pick("包括委託の提案", "Proposed bundles"),
        lang.pick("基準日", "As of"),
        doc.as_of,
        lang.pick("ルール", "Rules"),
        doc.rules.version
    );
    if doc.bundles.is_empty() {
        let _ = writeln!(
            s,
            "{}\n",
            lang.pick("提案できる包括委託はありません。", "No bundle to propose.")
        );
    }
    for b in &doc.bundles {
        let _ = writeln!(s, "## {} — {}\n", md_cell(&b.title), b.advice_label);
        for r in &b.reasons {
            let _ = writeln!(s, "- {}", md_cell(r));
        }
        for o in &b.overruled {
            let _ = writeln!(s, "- ({}) {}", o.advice, md_cell(&o.reason));
        }
        let t = &b.totals;
        let _ = writeln!(
            s,
            "\n{}: {} · {}: {} · {}: {} → {} · {}: {}\n",
            lang.pick("業務", "Operations"),
            t.operations,
            lang.pick("予定価格の合計", "Total price"),
            yen(t.total_contract_yen, lang),
            lang.pick("契約数", "Contracts"),
            t.contracts_today,
            t.contracts_after,
            lang.pick("削減できる職員の時間", "Staff time saved"),
            hours(t.staff_hours_saved, lang)
        );
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |\n|---|---|---|---|---:|",
            lang.pick("業務ID", "Id"),
            lang.pick("業務名", "Name"),
            lang.pick("所管", "Department"),
            lang.pick("判定", "Result"),
            lang.pick("予定価格", "Price")
        );
        for m in &b.members {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                m.id,
                md_cell(&m.name),
                md_cell(&m.department),
                recommendation_label(m.recommendation, lang),
                yen(m.estimated_contract_yen.map(|v| v as i64), lang)
            );
        }
        let _ = writeln!(s, "\n### {}\n", lang.pick("効果", "Savings"));
        for v in &b.savings {
            let _ = writeln!(s, "- {}", md_cell(v));
        }
        let _ = writeln!(s, "\n### {}\n", lang.pick("リスク", "Risks"));
        for r in &b.risks {
            let _ = writeln!(
                s,
                "- [{}] {}",
                severity_label(r.severity, lang),
                md_cell(&r.risk)
            );
        }
        if !b.notes.is_empty() {
            let _ = writeln!(s, "\n### {}\n", lang.pick("注記", "Notes"));
            for n in &b.notes {
                let _ = writeln!(s, "- {}", md_cell(n));
            }
        }
        let _ = writeln!(
            s,
            "\n### {}\n\n| {} | {} | {} | {} |\n|---|---|---|---|",
            lang.pick("まとめた契約のチェックリスト", "Combined checklist"),
            lang.pick("観点", "Safeguard"),
            lang.pick("重大度", "Severity"),
            lang.pick("項目", "Item"),
            lang.pick("由来", "Raised by")
        );
        for c in &b.checklist {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                c.safeguard,
                severity_label(c.severity, lang),
                md_cell(&c.item),
                raised_by(c, lang)
            );
        }
        s.push('\n');
    }
    if !doc.not_proposed.is_empty() {
        let _ = writeln!(
            s,
            "## {}\n",
            lang.pick("提案しない種類", "Kinds not proposed")
        );
        for n in &doc.not_proposed {
            let _ = writeln!(
                s,
                "- {}: {} ({})",
                md_cell(&n.title),
                md_cell(&n.reason),
                n.operations.join(", ")
            );
        }
        s.push('\n');
    }
    s
}

fn raised_by(c: &CombinedItemDoc, lang: Lang) -> String {
    let mut parts = c.raised_by.clone();
    if c.by_bundle {
        parts.insert(
            0,
            lang.pick("包括契約として", "the bundle as a whole")
                .to_string(),
        );
    }
    parts.join(", ")
}

/// `--format html`: a self-contained page holding the bundles section (the report's stylesheet).
pub fn bundles_html(doc: &BundleDoc, lang: Lang) -> String {
    let title = lang.pick("包括委託の提案", "Proposed bundles");
    let body = html! {
        h1 { (title) }
        p.meta { (lang.pick("基準日", "As of")) " " (doc.as_of) " · " (lang.pick("ルール", "Rules")) " " (doc.rules.name) " " (doc.rules.version) }
        (bundles_section(doc, lang))
    };
    super::html::standalone(lang, title, ADVICE_CSS, body)
}

/// The advice badge's colour (the palette of the recommendation badges, colour-blind safe).
const ADVICE_CSS: &str =
    ".advice-bundle { --rec: #009e73; } .advice-lots { --rec: #0072b2; } .advice-apart { --rec: #cc79a7; }";

/// The bundles as one `<section>`, for a page of its own or inside another report.
pub fn bundles_section(doc: &BundleDoc, lang: Lang) -> Markup {
    html! {
        section.bundles {
            @if doc.bundles.is_empty() {
                p { (lang.pick("提案できる包括委託はありません。", "No bundle to propose.")) }
            }
            @for b in &doc.bundles {
                section.operation id=(format!("bundle-{}", b.id)) {
                    h2 { (b.title) }
                    p { span.badge.(format!("advice-{}", b.advice)) { (b.advice_label) }
                        @if let Some(n) = b.lots { " " (lang.pick("ロット数", "lots")) ": " (n) } }
                    ul { @for r in &b.reasons { li { (r) } } @for o in &b.overruled { li.muted { (o.reason) } } }
                    table {
                        caption { (lang.pick("概要", "At a glance")) }
                        tr { th { (lang.pick("業務数", "Operations")) } td.num { (b.totals.operations) } }
                        tr { th { (lang.pick("予定価格の合計", "Total estimated price")) } td.num { (yen(b.totals.total_contract_yen, lang)) } }
                        tr { th { (lang.pick("契約数 (現在 → 提案)", "Contracts (today → proposed)")) } td.num { (b.totals.contracts_today) " → " (b.totals.contracts_after) } }
                        tr { th { (lang.pick("削減できる職員の時間", "Staff time saved")) } td.num { (hours(b.totals.staff_hours_saved, lang)) } }
                    }
                    table {
                        caption { (lang.pick("対象業務", "Operations")) }
                        tr { th { (lang.pick("業務名", "Name")) } th { (lang.pick("所管", "Department")) } th { (lang.pick("判定", "Result")) } th { (lang.pick("予定価格", "Price")) } }
                        @for m in &b.members {
                            tr { td { (m.name) br; span.muted { (m.id) } } td { (m.department) } td { (recommendation_label(m.recommendation, lang)) } td.num { (yen(m.estimated_contract_yen.map(|v| v as i64), lang)) } }
                        }
                    }
                    h3 { (lang.pick("効果", "Savings")) }
                    ul { @for v in &b.savings { li { (v) } } }
                    h3 { (lang.pick("リスク", "Risks")) }
                    table {
                        @for r in &b.risks { tr { td.sev.(format!("sev-{}", r.severity)) { (severity_label(r.severity, lang)) } td { (r.risk) } } }
                    }
                    @if !b.notes.is_empty() {
                        h3 { (lang.pick("注記", "Notes")) }
                        ul { @for n in &b.notes { li { (n) } } }
                    }
                    table.checklist {
                        caption { (lang.pick("まとめた契約のチェックリスト", "Combined checklist")) }
                        tr { th { (lang.pick("観点", "Safeguard")) } th { (lang.pick("重大度", "Severity")) } th { (lang.pick("項目と対策", "Item and mitigation")) } th { (lang.pick("由来", "Raised by")) } }
                        @for c in &b.checklist {
                            tr { td { (c.safeguard) } td.sev.(format!("sev-{}", c.severity)) { (severity_label(c.severity, lang)) }
                                 td { (c.item) br; span.muted { (c.mitigation) } } td { (raised_by(c, lang)) } }
                        }
                    }
                }
            }
            @if !doc.not_proposed.is_empty() {
                h2 { (lang.pick("提案しない種類", "Kinds not proposed")) }
                ul { @for n in &doc.not_proposed { li { (n.title) ": " (n.reason) @if !n.operations.is_empty() { " (" (n.operations.join(", ")) ")" } } } }
            }
        }
    }
}

/// The rows of the bundles sheet: one per member operation of each proposal, then the checklist.
pub fn bundle_sheet_rows(doc: &BundleDoc, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        lang.pick("包括委託", "Bundle"),
        lang.pick("推奨", "Advice"),
        lang.pick("ロット数", "Lots"),
        lang.pick("区分", "Row"),
        lang.pick("業務ID・観点", "Id or safeguard"),
        lang.pick("内容", "Text"),
        lang.pick("重大度・判定", "Severity or result"),
        lang.pick("予定価格 (円)", "Price (yen)"),
    ];
    let mut rows = Vec::new();
    for b in &doc.bundles {
        let lots = b.lots.map(|n| n.to_string()).unwrap_or_default();
        let base = |kind: &str| {
            vec![
                b.title.clone(),
                b.advice_label.to_string(),
                lots.clone(),
                kind.to_string(),
            ]
        };
        for m in &b.members {
            let mut r = base(lang.pick("業務", "operation"));
            r.extend([
                m.id.clone(),
                m.name.clone(),
                recommendation_label(m.recommendation, lang).to_string(),
                m.estimated_contract_yen
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            ]);
            rows.push(r);
        }
        for (kind, texts) in [
            (lang.pick("推奨の理由", "reason"), &b.reasons),
            (lang.pick("効果", "saving"), &b.savings),
            (lang.pick("注記", "note"), &b.notes),
        ] {
            for t in texts {
                let mut r = base(kind);
                r.extend([String::new(), t.clone(), String::new(), String::new()]);
                rows.push(r);
            }
        }
        for k in &b.risks {
            let mut r = base(lang.pick("リスク", "risk"));
            r.extend([
                String::new(),
                k.risk.clone(),
                severity_label(k.severity, lang).to_string(),
                String::new(),
            ]);
            rows.push(r);
        }
        for c in &b.checklist {
            let mut r = base(lang.pick("チェック項目", "checklist"));
            r.extend([
                c.safeguard.clone(),
                format!("{} — {}", c.item, raised_by(c, lang)),
                severity_label(c.severity, lang).to_string(),
                String::new(),
            ]);
            rows.push(r);
        }
    }
    (header, rows)
}

/// `--format xlsx`: one sheet, 包括委託 / Bundles.
pub fn bundles_xlsx(doc: &BundleDoc, lang: Lang) -> std::io::Result<Vec<u8>> {
    let (header, rows) = bundle_sheet_rows(doc, lang);
    super::xlsx::single_sheet(lang.pick("包括委託", "Bundles"), &header, &rows, &[7])
}
