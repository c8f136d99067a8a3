//! `--format html`: one self-contained HTML report (inline CSS and SVG, no scripts, fonts or network)
//! to circulate or print on A4: summary, difficulty × routine matrix, safeguard heat map and one section
//! per operation. Built from the structured [`document`](super::document); maud escapes every text.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::csv::recommendation_label;
use super::document::{AssessmentDoc, ClauseDoc, Document};
use crate::assess::Report;
use crate::lang::Lang;
use crate::model::{Recommendation, Severity};
use crate::rules::{RuleSet, Safeguard};

/// The stylesheet, inline so the file opens anywhere (a shared drive, no network).
pub(crate) const CSS: &str = r#"
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; color: var(--ink); background: #fff;
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif;
  line-height: 1.5; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; margin-top: 32px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 3px 8px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
table.checklist th { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 6px;
  vertical-align: baseline; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.rec-outsource { --rec: #009e73; } .rec-partial { --rec: #0072b2; }
.rec-study { --rec: #e69f00; } .rec-in_house { --rec: #cc79a7; }
.swatch { background: var(--rec); }
.badge { display: inline-block; border: 2px solid var(--rec); border-radius: 4px; padding: 0 8px;
  font-weight: bold; }
svg.matrix { max-width: 100%; height: auto; border: 1px solid var(--line); }
figure { margin: 0; }
.matrix-wrap { display: flex; gap: 16px; align-items: flex-start; }
.points-box { flex: 1; min-width: 0; max-height: 470px; overflow: auto; border: 1px solid var(--line); }
.points-box table { margin: 0; font-size: 12px; }
.points-box td:last-child { white-space: nowrap; }
.cards table { font-size: 13px; }
.cards td, .cards th { padding: 1px 8px; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg text { font-size: 12px; fill: var(--ink); }
svg circle { fill-opacity: 0.85; stroke: #fff; stroke-width: 1.5; }
table.heat td.sev { text-align: center; min-width: 4.5em;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.sev-high { background: #f4a7a7; font-weight: bold; }
td.sev-medium { background: #fbe3a0; }
td.sev-low { background: #d6f0df; }
td.sev-none { background: #fff; color: var(--muted); }
section.operation { border-top: 1px solid var(--line); margin-top: 24px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.decisive { font-weight: bold; }
/* A long word (an URL, a 200k-character name) wraps instead of running off the page. */
body, td, th, dd, li, h2, p { overflow-wrap: anywhere; }
/* Clause and rule ids stay whole ("s1-know-how-retention", never "s1-/know-how-retention"). */
.id { white-space: nowrap; overflow-wrap: normal; }
h2, h3, caption { break-after: avoid; }
@media print {
  .screen-only { display: none; }
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; background: #fff; color: #000; }
  h2 { break-after: avoid; }
  section.operation, section.clauses { break-before: page; border-top: none; margin-top: 0; }
  tr, dl.facts, figure { break-inside: avoid; }
  svg.matrix { width: 100%; }
  .matrix-wrap { display: block; }
  .points-box { max-height: none; overflow: visible; border: none; }
  a { color: inherit; text-decoration: none; }
  /* Denser tables on paper: the heat map gives the names room, the checklist uses the full width. */
  table { font-size: 8.5pt; }
  th, td { padding: 2px 5px; }
  table.heat { width: 100%; }
  table.heat th[scope=row] { width: 34%; }
  table.heat td.sev { min-width: 0; }
  table.heat thead th { font-size: 7.5pt; }
  table.checklist { width: 100%; }
}
"#;

/// Plot geometry of the matrix (SVG user units).
const W: f64 = 640.0;
const H: f64 = 420.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 610.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 360.0;

/// One operation on the difficulty × routine matrix.
pub(super) struct Point<'a> {
    doc: &'a AssessmentDoc<'a>,
    routine_share: f64,
    difficulty: u64,
}

/// Renders the report as one HTML document in `lang`.
pub fn assessments_html(report: &Report, rules: &RuleSet, lang: Lang) -> String {
    let doc = super::document(report, rules, lang);
    let points = matrix_points(&doc, report);
    page(&doc, &points, lang).into_string()
}

/// The operations with both facts the matrix plots.
pub(super) fn matrix_points<'a>(doc: &'a Document<'a>, report: &Report) -> Vec<Point<'a>> {
    // The document keeps the catalog order of the report, so its rows pair with the operations.
    doc.assessments
        .iter()
        .zip(&report.assessments)
        .filter_map(|(d, a)| {
            Some(Point {
                doc: d,
                routine_share: a.operation.routine_share?,
                difficulty: a.operation.difficulty?,
            })
        })
        .collect()
}

/// A self-contained page with the report's stylesheet (and `css` after it) around `body`: the pages of
/// `itaku bundle` and `itaku plan`.
pub(crate) fn standalone(lang: Lang, title: &str, css: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.pick("ja", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) (PreEscaped(css)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

fn page(doc: &Document<'_>, points: &[Point<'_>], lang: Lang) -> Markup {
    let title = lang.pick("委託判定レポート", "Outsourcing assessment report");
    html! {
        (DOCTYPE)
        html lang=(lang.pick("ja", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
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
                    (summary(doc, lang))
                    (matrix(points, lang))
                    (heat_map(doc, lang, true))
                    @for a in &doc.assessments {
                        (operation(a, &doc.standard_clauses, lang))
                    }
                    (standard_clauses(&doc.standard_clauses, lang))
                }
            }
        }
    }
}

fn matrix_title(lang: Lang) -> &'static str {
    lang.pick("難易度 × 定型度マトリクス", "Difficulty × routine matrix")
}

fn heat_title(lang: Lang) -> &'static str {
    lang.pick("安全対策ヒートマップ", "Safeguard heat map")
}

/// The CSS class carrying a recommendation's colour.
pub(super) fn rec_class(name: &str) -> String {
    format!("rec-{name}")
}

/// The colour of a recommendation in the SVG (SVG fills do not follow CSS variables in every viewer).
fn rec_colour(name: &str) -> &'static str {
    match Recommendation::parse(name) {
        Some(Recommendation::Outsource) => "#009e73",
        Some(Recommendation::Partial) => "#0072b2",
        Some(Recommendation::Study) => "#e69f00",
        Some(Recommendation::InHouse) => "#cc79a7",
        None => "#888888",
    }
}

/// Catalog text as shown in the report: control characters and bidi overrides (U+202A–202E,
/// U+2066–2069) replaced by a visible stand-in, as the terminal shows them, so that a name cannot
/// reorder the page.
pub(super) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::diag::printable(text)
}

/// Departments by freed FTE, largest first (then by name).
fn by_freed_fte(map: &std::collections::BTreeMap<String, f64>) -> Vec<(&String, &f64)> {
    let mut rows: Vec<(&String, &f64)> = map.iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
    rows
}

/// Priority areas in the order of the plan (① to ⑦), as the catalog's values list them.
fn in_seed_order<'a>(
    map: &'a std::collections::BTreeMap<&'static str, f64>,
) -> Vec<(&'a &'static str, &'a f64)> {
    use crate::catalog::CatalogEnum;
    let order = crate::catalog::FocusArea::VALUES;
    let mut rows: Vec<_> = map.iter().collect();
    rows.sort_by_key(|(area, _)| order.iter().position(|v| v == *area).unwrap_or(usize::MAX));
    rows
}

/// 重点取組み分野 in `lang` (the document holds the machine name), as the catalog reference names it.
pub(super) fn focus_area_label(name: &str, lang: Lang) -> &str {
    match crate::catalog::describe::value_label(crate::catalog::Field::focus_area, name) {
        Some(label) => label.pick(lang),
        None if name == "unassigned" => lang.pick("未設定", "unassigned"),
        None => name,
    }
}

pub(super) fn fte(v: f64) -> String {
    format!("{v:.2}")
}

fn summary(doc: &Document<'_>, lang: Lang) -> Markup {
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
                table {
                    caption { (lang.pick("所管別の削減FTE", "Freed FTE by department")) }
                    thead { tr { th { (lang.pick("所管", "department")) } th { "FTE" } } }
                    tbody {
                        @for (dept, v) in by_freed_fte(&s.freed_fte_by_department) {
                            tr { td { (shown(dept)) } td.num { (fte(*v)) } }
                        }
                    }
                }
                table {
                    caption { (lang.pick("重点取組み分野別の削減FTE", "Freed FTE by priority area")) }
                    thead { tr { th { (lang.pick("分野", "priority area")) } th { "FTE" } } }
                    tbody {
                        @for (area, v) in in_seed_order(&s.freed_fte_by_focus_area) {
                            tr { td { (focus_area_label(area, lang)) } td.num { (fte(*v)) } }
                        }
                    }
                }
            }
        }
    }
}

fn x_of(routine_share: f64) -> f64 {
    LEFT + 10.0 + routine_share.clamp(0.0, 1.0) * (RIGHT - LEFT - 20.0)
}

fn y_of(difficulty: f64) -> f64 {
    // Difficulty 1–5, with half a step of margin above and below.
    BOTTOM - (difficulty.clamp(0.5, 5.5) - 0.5) / 5.0 * (BOTTOM - TOP)
}

pub(super) fn matrix(points: &[Point<'_>], lang: Lang) -> Markup {
    // Operations with close facts would hide each other: each point goes to the nearest free spot
    // around its place, up and down first (difficulty is a whole number, so the band between two
    // grid lines is free), then sideways.
    let mut placed: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for p in points {
        let (x, y) = (x_of(p.routine_share), y_of(p.difficulty as f64));
        let spot = nudges()
            .map(|(dx, dy)| (x + dx, y + dy))
            .find(|&(cx, cy)| {
                placed
                    .iter()
                    .all(|&(px, py)| (px - cx).hypot(py - cy) >= 2.0 * RADIUS - 1.0)
            })
            .unwrap_or((x, y));
        placed.push(spot);
    }
    let desc = lang.pick(
        "横軸は定型度 (0〜100%)、縦軸は難易度 (1〜5)。点の色は判定を表します。同じ点を隣 (印刷時は下) の表にも記載しています。",
        "x: routine share (0–100%), y: difficulty (1–5); colour shows the recommendation. The table beside it (below, when printed) lists the same points.",
    );
    html! {
        section #matrix {
            h2 { (matrix_title(lang)) }
            p.muted { (desc) }
            div.matrix-wrap {
            figure {
                svg.matrix viewBox=(format!("0 0 {W} {H}"))
                    width=(W) height=(H) role="img" aria-labelledby="matrix-title matrix-desc" {
                    title #matrix-title { (matrix_title(lang)) }
                    desc #matrix-desc { (desc) }
                    @for i in 0..=10u32 {
                        @let x = x_of(f64::from(i) / 10.0);
                        line.grid x1=(x) y1=(TOP) x2=(x) y2=(BOTTOM) {}
                        @if i % 2 == 0 {
                            text x=(x) y=(BOTTOM + 16.0) text-anchor="middle" { (i * 10) "%" }
                        }
                    }
                    @for d in 1..=5u32 {
                        @let y = y_of(f64::from(d));
                        line.grid x1=(LEFT) y1=(y) x2=(RIGHT) y2=(y) {}
                        text x=(LEFT - 8.0) y=(y + 4.0) text-anchor="end" { (d) }
                    }
                    line.axis x1=(LEFT) y1=(BOTTOM) x2=(RIGHT) y2=(BOTTOM) {}
                    line.axis x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(BOTTOM) {}
                    text x=((LEFT + RIGHT) / 2.0) y=(BOTTOM + 34.0) text-anchor="middle" {
                        (lang.pick("定型度 →", "routine share →"))
                    }
                    text x="16" y=((TOP + BOTTOM) / 2.0) text-anchor="middle"
                        transform=(format!("rotate(-90 16 {})", (TOP + BOTTOM) / 2.0)) {
                        (lang.pick("難易度 →", "difficulty →"))
                    }
                    g.points {
                        @for (p, (x, y)) in points.iter().zip(&placed) {
                            circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(RADIUS)
                                fill=(rec_colour(p.doc.recommendation)) data-id=(p.doc.id) {
                                title { (shown(&point_label(p, lang))) }
                            }
                        }
                    }
                    g.legend {
                        @for (i, r) in Recommendation::ALL.iter().enumerate() {
                            @let x = LEFT + 10.0 + 140.0 * i as f64;
                            circle.legend cx=(x) cy=(H - 14.0) r="6" fill=(rec_colour(r.as_str())) {}
                            text x=(x + 11.0) y=(H - 10.0) { (r.label(lang)) }
                        }
                    }
                }
                figcaption.muted.screen-only {
                    (lang.pick("点にカーソルを合わせると業務名が表示されます。", "Hover over a point for the operation."))
                }
            }
            div.points-box role="region" tabindex="0" aria-label=(lang.pick("マトリクスの点 (一覧)", "Points of the matrix")) {
            table.points {
                caption { (lang.pick("マトリクスの点 (一覧)", "Points of the matrix")) }
                thead {
                    tr {
                        th { (lang.pick("業務名", "name")) }
                        th { (lang.pick("定型度", "routine share")) } th { (lang.pick("難易度", "difficulty")) }
                        th { (lang.pick("判定", "recommendation")) }
                    }
                }
                tbody {
                    @for p in points {
                        tr class=(rec_class(p.doc.recommendation)) {
                            td { (shown(p.doc.name)) }
                            td.num { (pct(p.routine_share)) } td.num { (p.difficulty) }
                            td { span.swatch {} (recommendation_label(p.doc.recommendation, lang)) }
                        }
                    }
                }
            }
            }
            }
        }
    }
}

/// Radius of a point of the matrix.
const RADIUS: f64 = 7.0;

/// Offsets to try for a point, nearest first: within ±2 rows of 9 units vertically, then sideways.
fn nudges() -> impl Iterator<Item = (f64, f64)> {
    const STEP: f64 = 9.0;
    (0..6).flat_map(|col: i32| {
        let dx = STEP * f64::from((col + 1) / 2) * if col % 2 == 1 { 1.0 } else { -1.0 };
        [0, -1, 1, -2, 2, -3, 3].map(move |row: i32| (dx, STEP * f64::from(row)))
    })
}

fn pct(share: f64) -> String {
    format!("{}%", (share * 100.0).round())
}

fn point_label(p: &Point<'_>, lang: Lang) -> String {
    format!(
        "{} ({}) — {}: {} / {}: {} / {}",
        p.doc.name,
        p.doc.id,
        lang.pick("定型度", "routine"),
        pct(p.routine_share),
        lang.pick("難易度", "difficulty"),
        p.difficulty,
        recommendation_label(p.doc.recommendation, lang)
    )
}

/// The worst severity among an operation's checklist items of one safeguard.
fn worst(a: &AssessmentDoc<'_>, safeguard: Safeguard) -> Option<Severity> {
    a.checklist
        .iter()
        .filter(|c| c.safeguard == safeguard)
        .filter_map(|c| Severity::parse(c.severity))
        .max()
}

/// The heat map; with `link`, each operation's name links to its section (the full report has them).
pub(super) fn heat_map(doc: &Document<'_>, lang: Lang, link: bool) -> Markup {
    html! {
        section #heatmap {
            h2 { (heat_title(lang)) }
            p.muted {
                (lang.pick(
                    "各欄は、その安全対策に関するチェック項目のうち最も重い重要度です (—: 該当なし)。",
                    "Each cell is the worst severity of the operation's checklist items for that safeguard (—: none).",
                ))
            }
            table.heat {
                thead {
                    tr {
                        th { (lang.pick("業務", "operation")) }
                        @for s in Safeguard::ALL {
                            th scope="col" title=(s.title(lang)) { (format!("{s:?}")) br; small { (s.title(lang)) } }
                        }
                    }
                }
                tbody {
                    @for a in &doc.assessments {
                        tr {
                            @if link {
                                th scope="row" { a href=(format!("#op-{}", a.id)) { (shown(a.name)) } }
                            } @else {
                                th scope="row" { (shown(a.name)) }
                            }
                            @for s in Safeguard::ALL {
                                @match worst(a, s) {
                                    Some(sev) => td class=(format!("sev sev-{}", sev.as_str())) { (sev.label(lang)) },
                                    None => td.sev.sev-none { "—" },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The clauses every contract of a kind needs, written out once for the whole document: each
/// operation's section links here instead of repeating them.
fn standard_clauses(clauses: &[ClauseDoc<'_>], lang: Lang) -> Markup {
    if clauses.is_empty() {
        return html! {};
    }
    html! {
        section.clauses id="standard-clauses" {
            h2 { (lang.pick("標準条項", "Standard clauses")) }
            p.muted {
                (lang.pick(
                    "その種類の契約すべてに必要な条項です。各業務の節には該当する条項の ID を示しています。",
                    "Clauses every contract of its kind needs; each operation's section names the ones that apply.",
                ))
            }
            table.checklist {
                thead {
                    tr {
                        th { (lang.pick("観点", "Safeguard")) }
                        th { (lang.pick("項目", "Item")) }
                        th { (lang.pick("対策", "Mitigation")) }
                        th { (lang.pick("根拠", "Basis")) }
                    }
                }
                tbody {
                    @for c in clauses {
                        tr id=(format!("clause-{}", c.id)) {
                            td { (format!("{:?}", c.safeguard)) }
                            td { (c.item) " " span.muted.id { "(" (c.id) ")" } }
                            td { (c.mitigation) }
                            td { (c.basis) }
                        }
                    }
                }
            }
        }
    }
}

fn operation(a: &AssessmentDoc<'_>, clauses: &[ClauseDoc<'_>], lang: Lang) -> Markup {
    let clause_item = |id: &str| {
        clauses
            .iter()
            .find(|c| c.id == id)
            .map_or(id.to_string(), |c| c.item.to_string())
    };
    let field_title = |name: &'static str| -> &'static str {
        crate::catalog::Field::from_name(name)
            .map_or(name, |f| crate::catalog::titles::title(f, lang))
    };
    let decisive = |f: &str| a.decisive_missing.contains(&f);
    let mut missing: Vec<&str> = a.missing.clone();
    missing.sort_by_key(|f| !decisive(f));
    html! {
        section.operation #(format!("op-{}", a.id)) {
            h2 { (shown(a.name)) " " small.muted { "(" (a.id) ")" } }
            dl.facts {
                dt { (lang.pick("所管", "department")) } dd { (shown(a.department)) }
                dt { (lang.pick("判定", "recommendation")) }
                dd {
                    span class=(format!("badge {}", rec_class(a.recommendation))) { (recommendation_label(a.recommendation, lang)) }
                    @if a.proposal_call { " ★" (lang.pick("公募の候補", "candidate for a call for proposals")) }
                }
                dt { (lang.pick("削減FTE", "freed FTE")) } dd { (fte(a.freed_fte)) }
                @if let Some(top) = &a.top_risk {
                    dt { (lang.pick("最大のリスク", "top risk")) }
                    dd { (format!("{:?}", top.safeguard)) " " (top.item) " " span.id { "(" (top.id) ")" } }
                }
            }
            @if !a.notes.is_empty() {
                h3 { (lang.pick("理由", "Notes")) }
                ul { @for n in &a.notes { li { (shown(n)) } } }
            }
            @if !a.exclusions.is_empty() {
                h3 { (lang.pick("除外", "Exclusions")) }
                ul { @for e in &a.exclusions { li { (e.reason) " " span.muted.id { "(" (e.rule) ")" } } } }
            }
            @if !a.contradictions.is_empty() {
                h3 { (lang.pick("矛盾する事実", "Contradicting facts")) }
                ul { @for c in &a.contradictions { li { (c.finding) " " span.muted { "(" (c.fields.join(", ")) ")" } } } }
            }
            @if !a.criteria.is_empty() {
                h3 { (lang.pick("選定基準", "Criteria")) }
                table {
                    thead { tr { th { (lang.pick("基準", "criterion")) } th { (lang.pick("点", "points")) } th { (lang.pick("根拠", "reasons")) } } }
                    tbody {
                        @for c in &a.criteria {
                            tr {
                                td { (c.id) } td.num { (c.points) "/" (c.max) }
                                td { @for (i, r) in c.reasons.iter().enumerate() { @if i > 0 { br; } (r) } }
                            }
                        }
                    }
                }
            }
            @if !a.methods.is_empty() {
                h3 { (super::methods_heading(lang)) }
                (super::methods_html(&a.methods, lang))
            }
            h3 { (lang.pick("チェックリスト", "Checklist")) }
            @if a.checklist.is_empty() {
                p.muted { (lang.pick("この業務固有のリスクはありません。", "No risks raised by this operation's facts.")) }
            } @else {
                table.checklist {
                    thead {
                        tr {
                            th { (lang.pick("観点", "safeguard")) } th { (lang.pick("重要度", "severity")) }
                            th { (lang.pick("項目", "item")) } th { (lang.pick("対策", "mitigation")) }
                            th { (lang.pick("根拠", "basis")) }
                        }
                    }
                    tbody {
                        @for c in &a.checklist {
                            @let sev = Severity::parse(c.severity);
                            tr {
                                td { (format!("{:?}", c.safeguard)) }
                                td class=(format!("sev sev-{}", c.severity)) { (sev.map_or(c.severity, |s| s.label(lang))) }
                                td { (c.item) " " span.muted.id { "(" (c.id) ")" } }
                                td { (c.mitigation) }
                                td { (c.basis) }
                            }
                        }
                    }
                }
            }
            @if !a.standard_clauses.is_empty() {
                h3 { (lang.pick("標準条項", "Standard clauses")) }
                p.clauses {
                    (lang.pick(
                        "この種類の契約に共通の条項 (本文は末尾の「標準条項」): ",
                        "Clauses every contract of its kind needs (texts in \"Standard clauses\" at the end): ",
                    ))
                }
                ul.clauses {
                    @for id in &a.standard_clauses {
                        li { a href=(format!("#clause-{id}")) { (clause_item(id)) } }
                    }
                }
            }
            @if !missing.is_empty() {
                h3 { (lang.pick("不足している事実", "Missing facts")) }
                ul.missing {
                    @for f in &missing {
                        @if decisive(f) {
                            li.decisive { (field_title(f)) " " span.muted { code { (f) } } " — " (lang.pick("判定を左右します", "decisive")) }
                        } @else {
                            li { (field_title(f)) " " span.muted { code { (f) } } }
                        }
                    }
                }
            }
            @if !a.errors.is_empty() {
                h3 { (lang.pick("ルールエラー", "Rule errors")) }
                ul { @for e in &a.errors { li { (e.rule) " " (e.file) ":" (e.line) ":" (e.column) " — " (e.message) } } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difficulty_runs_upwards_and_routine_share_rightwards() {
        assert!(y_of(5.0) < y_of(1.0));
        assert!(x_of(1.0) > x_of(0.0));
        assert!(x_of(0.0) > LEFT && x_of(1.0) < RIGHT);
        assert!(y_of(5.0) > TOP && y_of(1.0) < BOTTOM);
    }

    #[test]
    fn maud_escapes_catalog_text() {
        let name = "<script>alert(1)</script>";
        let out = html! { td { (name) } }.into_string();
        assert_eq!(out, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    }
}
