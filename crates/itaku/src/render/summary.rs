//! `--format html --report summary`: the manager's summary of the HTML report, at most 10 A4 pages —
//! the summary, operations and freed FTE by department and by priority area (① to ⑦), the difficulty ×
//! routine matrix, the safeguard heat map, the top risks (one line per operation with a high-severity
//! item) and what to decide. No section per operation: the full report (the default) has them.

use std::collections::BTreeMap;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::csv::recommendation_label;
use super::document::{AssessmentDoc, Document};
use super::html::{focus_area_label, fte, heat_map, matrix, matrix_points, rec_class, shown, CSS};
use crate::assess::{Assessment, Report};
use crate::catalog::CatalogEnum;
use crate::lang::Lang;
use crate::model::{Recommendation, Severity};
use crate::rules::RuleSet;

/// Screen and print additions to the full report's stylesheet.
const SUMMARY_CSS: &str = r#"
table.breakdown td.num, table.breakdown th.num { text-align: right; }
table.breakdown tfoot td { font-weight: bold; border-top: 2px solid var(--ink); }
table.risks, table.decide { width: 100%; }
table.risks td:first-child { width: 30%; }
table.risks td:nth-child(3), table.risks td:nth-child(4), table.risks th { white-space: nowrap; }
table.decide td:first-child { width: 32%; }
table.decide td:nth-child(2), table.decide th { text-align: right; white-space: nowrap; }
table.decide th { text-align: left; }
p.appendix { margin-top: 24px; }
@media print {
  section#heatmap, section#risks { break-before: page; }
}
"#;

/// Renders the summary report as one HTML document in `lang`.
pub fn summary_html(report: &Report, rules: &RuleSet, lang: Lang) -> String {
    let doc = super::document(report, rules, lang);
    let points = matrix_points(&doc, report);
    let title = lang.pick(
        "委託判定レポート (要約)",
        "Outsourcing assessment report (summary)",
    );
    // The document keeps the catalog order of the report, so its rows pair with the assessments.
    let rows: Vec<(&AssessmentDoc<'_>, &Assessment)> =
        doc.assessments.iter().zip(&report.assessments).collect();
    let page = html! {
        (DOCTYPE)
        html lang=(lang.pick("ja", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) (PreEscaped(SUMMARY_CSS)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.meta {
                        (doc.rules.name) " " (doc.rules.version) " (" (doc.rules.digest) ") — "
                        (lang.pick("基準日", "as of")) " " (doc.as_of) " — "
                        (doc.tool) " " (doc.version)
                    }
                }
                main {
                    (overview(&doc, lang))
                    (breakdown(&rows, lang))
                    (matrix(&points, lang))
                    (heat_map(&doc, lang, false))
                    (top_risks(&rows, lang))
                    (decisions(&doc, &rows, lang))
                    p.appendix.muted {
                        (lang.pick(
                            "業務ごとの判定理由・チェックリスト・標準条項は、完全版のレポート (itaku assess --format html) にあります。",
                            "The reasons, checklist and standard clauses of each operation are in the full report (itaku assess --format html).",
                        ))
                    }
                }
            }
        }
    };
    page.into_string()
}

fn overview(doc: &Document<'_>, lang: Lang) -> Markup {
    let s = &doc.summary;
    html! {
        section #summary {
            h2 { (lang.pick("集計", "Summary")) }
            p {
                (lang.pick("業務 ", "")) (s.operations) (lang.pick("件 — 削減見込み ", " operations — freed "))
                strong { (fte(s.freed_fte)) " FTE" }
                (lang.pick(" — 公募の候補 ", " — candidates for a call for proposals: ")) (s.proposal_calls)
                (lang.pick("件", ""))
                @if s.rule_errors > 0 {
                    (lang.pick(" — ルールエラー ", " — rule errors: ")) (s.rule_errors) (lang.pick("件", ""))
                }
            }
            div.cards {
                table {
                    caption { (lang.pick("判定別の件数", "Operations by recommendation")) }
                    thead { tr { th { (lang.pick("判定", "recommendation")) } th { (lang.pick("件数", "count")) } } }
                    tbody {
                        @for r in Recommendation::ALL {
                            tr class=(rec_class(r.as_str())) {
                                td { span.swatch {} (r.label(lang)) }
                                td.num { (s.by_recommendation.get(r.as_str()).copied().unwrap_or(0)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Operations by recommendation and freed FTE of one group (a department or a priority area).
#[derive(Default)]
struct Tally {
    by_recommendation: [usize; 4],
    freed_fte: f64,
}

impl Tally {
    fn add(&mut self, a: &Assessment) {
        let i = Recommendation::ALL
            .iter()
            .position(|r| *r == a.recommendation)
            .unwrap_or(0);
        self.by_recommendation[i] += 1;
        self.freed_fte += a.freed_fte;
    }

    fn operations(&self) -> usize {
        self.by_recommendation.iter().sum()
    }
}

/// The priority areas in the plan's order (① to ⑦), then operations without one.
fn area_rank(key: &str) -> usize {
    crate::catalog::FocusArea::VALUES
        .iter()
        .position(|v| *v == key)
        .unwrap_or(usize::MAX)
}

fn breakdown(rows: &[(&AssessmentDoc<'_>, &Assessment)], lang: Lang) -> Markup {
    let mut departments: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut areas: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for (d, a) in rows {
        departments.entry(d.department).or_default().add(a);
        let area = a.operation.focus_area.map_or("unassigned", |f| f.as_str());
        areas.entry(area).or_default().add(a);
        total.add(a);
    }
    // Departments by freed FTE, largest first (then by name); areas in the plan's order.
    let mut departments: Vec<(&str, Tally)> = departments.into_iter().collect();
    departments.sort_by(|a, b| {
        b.1.freed_fte
            .total_cmp(&a.1.freed_fte)
            .then_with(|| a.0.cmp(b.0))
    });
    let mut areas: Vec<(&str, Tally)> = areas.into_iter().collect();
    areas.sort_by_key(|(k, _)| area_rank(k));
    let departments: Vec<(String, Tally)> = departments
        .into_iter()
        .map(|(k, t)| (shown(k).into_owned(), t))
        .collect();
    let areas: Vec<(String, Tally)> = areas
        .into_iter()
        .map(|(k, t)| (focus_area_label(k, lang).to_string(), t))
        .collect();
    html! {
        section #breakdown {
            h2 { (lang.pick("所管別・重点取組み分野別", "By department and by priority area")) }
            (tally_table(lang.pick("所管別 (削減FTEの大きい順)", "By department (largest freed FTE first)"),
                lang.pick("所管", "department"), &departments, &total, lang))
            (tally_table(lang.pick("重点取組み分野別 (①〜⑦)", "By priority area (① to ⑦)"),
                lang.pick("分野", "priority area"), &areas, &total, lang))
        }
    }
}

fn tally_table(
    caption: &str,
    group: &str,
    rows: &[(String, Tally)],
    total: &Tally,
    lang: Lang,
) -> Markup {
    let cells = |t: &Tally| {
        html! {
            td.num { (t.operations()) }
            @for n in t.by_recommendation { td.num { (n) } }
            td.num { (fte(t.freed_fte)) }
        }
    };
    html! {
        table.breakdown {
            caption { (caption) }
            thead {
                tr {
                    th { (group) }
                    th.num { (lang.pick("業務数", "operations")) }
                    @for r in Recommendation::ALL {
                        th class=(format!("num {}", rec_class(r.as_str()))) { span.swatch {} (r.label(lang)) }
                    }
                    th.num { (lang.pick("削減FTE", "freed FTE")) }
                }
            }
            tbody {
                @for (name, t) in rows {
                    tr { td { (name) } (cells(t)) }
                }
            }
            tfoot { tr { td { (lang.pick("合計", "total")) } (cells(total)) } }
        }
    }
}

/// One line per operation with a high-severity item: most high items first, then catalog order.
fn top_risks(rows: &[(&AssessmentDoc<'_>, &Assessment)], lang: Lang) -> Markup {
    let mut risky: Vec<(&AssessmentDoc<'_>, usize)> = rows
        .iter()
        .map(|(d, a)| (*d, a.count(Severity::High)))
        .filter(|(_, n)| *n > 0)
        .collect();
    risky.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    html! {
        section #risks {
            h2 { (lang.pick("主なリスク", "Top risks")) }
            @if risky.is_empty() {
                p.muted { (lang.pick("重要度「高」のチェック項目がある業務はありません。", "No operation has a high-severity checklist item.")) }
            } @else {
                p.muted {
                    (lang.pick(
                        "重要度「高」のチェック項目がある業務 (",
                        "Operations with high-severity checklist items (",
                    ))
                    (risky.len())
                    (lang.pick("件)。最大のリスクを1行で示します。", "): the worst one in a line each."))
                }
                table.risks {
                    thead {
                        tr {
                            th { (lang.pick("業務", "operation")) }
                            th { (lang.pick("所管", "department")) }
                            th { (lang.pick("判定", "recommendation")) }
                            th.num { (lang.pick("高", "high")) }
                            th { (lang.pick("最大のリスク", "top risk")) }
                        }
                    }
                    tbody {
                        @for (d, n) in &risky {
                            tr {
                                td { (shown(d.name)) }
                                td { (shown(d.department)) }
                                td { (recommendation_label(d.recommendation, lang)) }
                                td.num { (n) }
                                td {
                                    @if let Some(top) = &d.top_risk {
                                        (format!("{:?}", top.safeguard)) " " (top.item)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A decision the report asks of its readers, with the operations it concerns.
struct Decision {
    question: &'static str,
    names: Vec<String>,
    detail: Option<String>,
}

fn decisions(doc: &Document<'_>, rows: &[(&AssessmentDoc<'_>, &Assessment)], lang: Lang) -> Markup {
    let names = |pick: &dyn Fn(&AssessmentDoc<'_>, &Assessment) -> bool| -> Vec<String> {
        rows.iter()
            .filter(|(d, a)| pick(d, a))
            .map(|(d, _)| shown(d.name).into_owned())
            .collect()
    };
    let freed = |r: Recommendation| -> f64 {
        rows.iter()
            .filter(|(_, a)| a.recommendation == r)
            .map(|(_, a)| a.freed_fte)
            .sum()
    };
    let fte_note = |v: f64| {
        Some(
            lang.pick(
                &format!("削減見込み {} FTE", fte(v)),
                &format!("freed {} FTE", fte(v)),
            )
            .to_string(),
        )
    };
    // Which unknown facts held back the operations to study: the facts by how many they decide.
    let mut decisive: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, a) in rows
        .iter()
        .filter(|(_, a)| a.recommendation == Recommendation::Study)
    {
        for f in &a.decisive {
            *decisive
                .entry(crate::catalog::titles::title(*f, lang))
                .or_insert(0) += 1;
        }
    }
    let mut decisive: Vec<(&str, usize)> = decisive.into_iter().collect();
    decisive.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let facts = (!decisive.is_empty()).then(|| {
        let list: Vec<String> = decisive
            .iter()
            .map(|(f, n)| {
                lang.pick(&format!("{f} ({n}件)"), &format!("{f} ({n})"))
                    .to_string()
            })
            .collect();
        format!(
            "{}{}",
            lang.pick(
                "判定を左右する不明な事実: ",
                "unknown facts that decide them: "
            ),
            list.join(lang.pick("、", ", "))
        )
    });
    let high = |a: &Assessment| a.count(Severity::High) > 0;
    let mut items = vec![
        Decision {
            question: lang.pick(
                "委託推奨の業務について、委託の準備 (仕様書・契約条項・予算) を進めるか",
                "Whether to prepare outsourcing (specification, contract clauses, budget) for the operations recommended for it",
            ),
            names: names(&|_, a| a.recommendation == Recommendation::Outsource),
            detail: fte_note(freed(Recommendation::Outsource)),
        },
        Decision {
            question: lang.pick(
                "一部委託の業務について、切り出す工程を委託し、判断・監督を区に残すか",
                "Whether to outsource the separable steps of the partial operations, keeping decisions and supervision in the ward",
            ),
            names: names(&|_, a| a.recommendation == Recommendation::Partial),
            detail: fte_note(freed(Recommendation::Partial)),
        },
        Decision {
            question: lang.pick(
                "公募の候補について、事業者提案の公募を行うか",
                "Whether to hold a call for proposals for the candidates",
            ),
            names: names(&|d, _| d.proposal_call),
            detail: None,
        },
        Decision {
            question: lang.pick(
                "要検討の業務について、判定に必要な事実を誰がいつまでに調べるか",
                "Who finds out the facts the operations to study need, and by when",
            ),
            names: names(&|_, a| a.recommendation == Recommendation::Study),
            detail: facts,
        },
        Decision {
            question: lang.pick(
                "重要度「高」のリスクがある委託・一部委託の業務について、対策を契約に入れられるか",
                "Whether the contracts can carry the safeguards for the outsourced or partial operations with high-severity risks",
            ),
            names: names(&|_, a| {
                matches!(a.recommendation, Recommendation::Outsource | Recommendation::Partial) && high(a)
            }),
            detail: None,
        },
    ];
    if doc.summary.rule_errors > 0 {
        items.push(Decision {
            question: lang.pick(
                "ルールエラーのある業務の判定を、ルールの修正まで保留するか",
                "Whether to hold the results of the operations with rule errors until the rules are fixed",
            ),
            names: names(&|_, a| !a.errors.is_empty()),
            detail: None,
        });
    }
    html! {
        section #decide {
            h2 { (lang.pick("判断が必要な事項", "What to decide")) }
            table.decide {
                thead {
                    tr {
                        th { (lang.pick("事項", "decision")) }
                        th { (lang.pick("件数", "operations")) }
                        th { (lang.pick("対象の業務", "operations concerned")) }
                    }
                }
                tbody {
                    @for d in items.iter().filter(|d| !d.names.is_empty()) {
                        tr {
                            td { (d.question) @if let Some(detail) = &d.detail { br; span.muted { (detail) } } }
                            td { (d.names.len()) }
                            td { (d.names.join(lang.pick("、", "; "))) }
                        }
                    }
                }
            }
        }
    }
}
