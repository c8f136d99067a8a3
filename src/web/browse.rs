//! The catalog's pages: the operations with filters, one operation's assessment, and the summary (counts
//! and freed FTE by department). All read the catalog's report, assessed once at start.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use itaku::catalog::questions::question;
use itaku::catalog::{CatalogEnum, Field, FocusArea};
use itaku::model::Recommendation;
use itaku::whatif::what_if;
use itaku::Lang;

use super::page::{self, Message};
use super::questionnaire::assessment_markup;
use super::{Shared, Visitor};

fn focus_label(value: &str, lang: Lang) -> &'static str {
    question(Field::focus_area)
        .choice(value)
        .map_or("—", |c| c.label(lang))
}

/// GET /: the operations, filtered by `department`, `recommendation` and `focus_area`.
pub async fn list(State(state): State<Shared>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let want = |key: &str| visitor.get(key).filter(|v| !v.is_empty());
    let (dept, rec, area) = (
        want("department"),
        want("recommendation"),
        want("focus_area"),
    );
    let view = state.view();
    let rows: Vec<_> = view
        .report
        .assessments
        .iter()
        .filter(|a| dept.is_none_or(|d| a.operation.department == d))
        .filter(|a| rec.is_none_or(|r| a.recommendation.as_str() == r))
        .filter(|a| area.is_none_or(|f| a.operation.focus_area.map(|x| x.as_str()) == Some(f)))
        .collect();
    let departments: std::collections::BTreeSet<&str> = view
        .catalog
        .operations
        .iter()
        .map(|o| o.department.as_str())
        .collect();
    let title = lang.pick("業務一覧", "Operations");
    let body = html! {
        h1 { (title) }
        p.muted {
            (lang.pick("カタログ: ", "Catalog: ")) code { (state.catalog_path) } " — "
            (view.catalog.len()) (lang.pick("件の業務。業務名を選ぶと判定を表示します。", " operations. Choose one to see its assessment."))
        }
        form.filters method="get" action="/" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            div {
                label for="f-department" { (lang.pick("所管", "Department")) }
                select #f-department name="department" {
                    option value="" { (lang.pick("すべて", "all")) }
                    @for d in &departments { option value=(d) selected[dept == Some(*d)] { (d) } }
                }
            }
            div {
                label for="f-recommendation" { (lang.pick("判定", "Recommendation")) }
                select #f-recommendation name="recommendation" {
                    option value="" { (lang.pick("すべて", "all")) }
                    @for r in Recommendation::ALL {
                        option value=(r.as_str()) selected[rec == Some(r.as_str())] { (r.label(lang)) }
                    }
                }
            }
            div {
                label for="f-focus_area" { (lang.pick("重点取組み分野", "Priority area")) }
                select #f-focus_area name="focus_area" {
                    option value="" { (lang.pick("すべて", "all")) }
                    @for f in FocusArea::VALUES {
                        option value=(f) selected[area == Some(*f)] { (focus_label(f, lang)) }
                    }
                }
            }
            button type="submit" { (lang.pick("絞り込む", "Filter")) }
        }
        p #count { (rows.len()) (lang.pick("件", " operations")) }
        div.table-wrap {
            table #operations {
                thead {
                    tr {
                        th { (lang.pick("業務名", "Operation")) } th { (lang.pick("所管", "Department")) }
                        th { (lang.pick("分野", "Area")) } th { (lang.pick("判定", "Recommendation")) }
                        th { (lang.pick("削減FTE", "Freed FTE")) }
                    }
                }
                tbody {
                    @for a in &rows {
                        tr {
                            td { a href=(visitor.link(&format!("/ops/{}", a.operation.id))) { (a.operation.name) } }
                            td { (a.operation.department) }
                            td { (a.operation.focus_area.map_or("—", |f| focus_label(f.as_str(), lang))) }
                            td class=(format!("rec-{}", a.recommendation.as_str())) {
                                span.badge.small { (a.recommendation.label(lang)) }
                            }
                            td.num { (format!("{:.2}", a.freed_fte)) }
                        }
                    }
                }
            }
        }
    };
    page::page(&visitor, StatusCode::OK, title, body)
}

/// GET /ops/{id}: one catalog operation's assessment.
pub async fn operation(
    State(state): State<Shared>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let lang = visitor.lang;
    let view = state.view();
    let Some(a) = view
        .report
        .assessments
        .iter()
        .find(|a| a.operation.id.as_str() == id)
    else {
        return visitor.finish(page::error(StatusCode::NOT_FOUND, lang, Message::NotFound));
    };
    let worker = state.clone();
    let op = a.operation.clone();
    let advice = tokio::task::spawn_blocking(move || what_if(&op, &worker.compiled, lang))
        .await
        .ok();
    let op = &a.operation;
    let body = html! {
        h1 { (op.name) }
        p.muted { (op.department) " — " code { (op.id) } }
        @if let Some(d) = &op.description { p { (d) } }
        p {
            a href=(visitor.link(&format!("/new?from={}", op.id))) {
                (lang.pick("この業務をもとに新しい下書きを作る", "Start a new draft from this operation"))
            }
        }
        h2 { (lang.pick("判定結果", "Result")) }
        (assessment_markup(&state, a, advice.as_ref(), &visitor.link(&format!("/new?from={}", op.id)), lang))
    };
    page::page(&visitor, StatusCode::OK, &op.name, body)
}

/// GET /summary: counts by recommendation and freed FTE by department.
pub async fn summary(State(state): State<Shared>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let view = state.view();
    let report = &view.report;
    let mut by_dept: BTreeMap<&str, ([usize; 4], f64)> = BTreeMap::new();
    for a in &report.assessments {
        let e = by_dept.entry(a.operation.department.as_str()).or_default();
        let i = Recommendation::ALL
            .iter()
            .position(|r| *r == a.recommendation)
            .unwrap_or(0);
        e.0[i] += 1;
        e.1 += a.freed_fte;
    }
    let title = lang.pick("集計", "Summary");
    let body = html! {
        h1 { (title) }
        p {
            (report.assessments.len()) (lang.pick("件の業務 — 削減見込み ", " operations — freed "))
            strong { (format!("{:.2}", report.freed_fte())) " FTE" }
        }
        div.cards {
            table #by-recommendation {
                caption { (lang.pick("判定別の件数", "Operations by recommendation")) }
                thead { tr { th { (lang.pick("判定", "Recommendation")) } th { (lang.pick("件数", "Count")) } } }
                tbody {
                    @for (r, n) in report.by_recommendation() {
                        tr class=(format!("rec-{}", r.as_str())) {
                            td { a href=(visitor.link(&format!("/?recommendation={}", r.as_str()))) { (r.label(lang)) } }
                            td.num { (n) }
                        }
                    }
                }
            }
        }
        div.table-wrap {
            table #by-department {
                caption { (lang.pick("所管別の件数と削減FTE", "Operations and freed FTE by department")) }
                thead {
                    tr {
                        th { (lang.pick("所管", "Department")) }
                        @for r in Recommendation::ALL { th { (r.label(lang)) } }
                        th { (lang.pick("削減FTE", "Freed FTE")) }
                    }
                }
                tbody {
                    @for (dept, (counts, fte)) in &by_dept {
                        tr {
                            td { a href=(visitor.link(&format!("/?department={}", urlencode(dept)))) { (dept) } }
                            @for n in counts { td.num { (n) } }
                            td.num { (format!("{:.2}", fte)) }
                        }
                    }
                }
            }
        }
    };
    page::page(&visitor, StatusCode::OK, title, body)
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}
