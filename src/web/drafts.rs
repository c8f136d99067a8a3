//! The department's drafts (`/drafts`) and the policy staff's review queue (`/queue`), over the drafts
//! store ([`itaku::drafts::Store`]). A department reopens a draft (`/new?from=ID`), submits it; staff
//! see the submitted drafts with their assessment, and return one with a comment or accept it into the
//! catalog (through the one catalog writer, [`itaku::catalog::writer`]). Every POST carries the form
//! token ([`super::check_post`]); every action records who did it ([`super::LOCAL_USER`] on a loopback
//! server, the user the trusted proxy named in a ward deployment) and the draft's department. A
//! department user sees and submits only its own department's drafts; only policy staff see the queue
//! and accept or return ([`super::identity::Actor`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use itaku::assess::assess_operation;
use itaku::catalog::writer::{write_entry_into, Change, Mode};
use itaku::catalog::Field;
use itaku::drafts::{DraftInfo, Status};
use itaku::questionnaire::validate;
use itaku::Lang;

use super::page::{self, Message};
use super::questionnaire::assessment_markup;
use super::{check_post, internal_error, AppState, Shared, Visitor};

/// The operation id a draft is written under: its `id` answer, else the draft's id.
fn entry_id(d: &DraftInfo) -> String {
    d.answers
        .get(Field::id)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| d.id.clone())
}

/// The draft's current recommendation (`None` while its answers do not validate).
fn assess(state: &AppState, d: &DraftInfo) -> Option<itaku::Assessment> {
    let checked = validate(&d.answers, &entry_id(d), &state.compiled.rules);
    checked
        .operation
        .map(|op| assess_operation(&op, &state.compiled))
}

/// A stored time (RFC 3339, UTC) as `2026-04-01 09:30 UTC`.
fn shown_time(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_string())
}

fn status_badge(s: Status, lang: Lang) -> Markup {
    html! { span class=(format!("status status-{}", s.as_str())) data-status=(s.as_str()) { (s.label(lang)) } }
}

/// Shown above a reopened draft: its status, its versions (each can be reopened) and, when returned,
/// the staff's comment.
pub fn draft_notice(d: &DraftInfo, visitor: &Visitor, lang: Lang) -> Markup {
    html! {
        div.notice #draft-status {
            (lang.pick("下書き ", "Draft ")) code { (d.id) } " — " (status_badge(d.status, lang))
            " " (lang.pick("版 ", "version ")) (d.version) ", " (shown_time(&d.updated_at))
            @if d.version > 1 {
                " ・ " (lang.pick("以前の版を開く: ", "open an earlier version: "))
                @for n in 1..d.version {
                    a href=(visitor.link(&format!("/new?from={}&version={n}", d.id))) { (n) } " "
                }
            }
            @if let (Status::Returned, Some(c)) = (d.status, &d.comment) {
                p #return-comment { strong { (lang.pick("差戻しコメント: ", "Returned with: ")) } (c) }
            }
        }
    }
}

/// GET /drafts: the drafts, newest change first.
pub async fn list(State(state): State<Shared>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let worker = Arc::clone(&state);
    let actor = visitor.actor.clone();
    let rows = tokio::task::spawn_blocking(move || {
        let drafts = worker.with_store(|s| s.list(None))?;
        Ok::<_, itaku::drafts::StoreError>(
            drafts
                .into_iter()
                .filter(|d| actor.may_open(&d.department))
                .map(|d| {
                    let rec = assess(&worker, &d).map(|a| a.recommendation);
                    (d, rec)
                })
                .collect::<Vec<_>>(),
        )
    })
    .await;
    let rows = match rows {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return internal_error(lang, &format!("drafts store: {e}")),
        Err(e) => return internal_error(lang, &format!("drafts list failed: {e}")),
    };
    let token = state.token(&visitor.session);
    let title = lang.pick("下書きの一覧", "Drafts");
    let body = html! {
        h1 { (title) }
        p.muted {
            (lang.pick("保存した下書きを開いて続きを書き、提出できます。差し戻された下書きにはコメントが表示されます。",
                "Open a saved draft to go on with it, and submit it. A returned draft shows the staff's comment."))
        }
        @if rows.is_empty() {
            p { (lang.pick("下書きはまだありません。", "No drafts yet.")) " " a href=(visitor.link("/new")) { (lang.pick("新しい業務を記入する", "Describe a new operation")) } }
        } @else {
            div #drafts {
                @for (d, rec) in &rows {
                    section.queue-item data-draft=(d.id) {
                        h2 {
                            a href=(visitor.link(&format!("/new?from={}", d.id))) { (if d.name.is_empty() { d.id.as_str() } else { d.name.as_str() }) }
                            " " small { code { (d.id) } }
                        }
                        p {
                            (status_badge(d.status, lang)) " ・ "
                            (lang.pick("現在の判定: ", "current recommendation: "))
                            @match rec {
                                Some(r) => strong data-recommendation=(r.as_str()) { (r.label(lang)) },
                                None => span.muted { (lang.pick("回答に要確認の点あり", "answers to check")) },
                            }
                        }
                        p.muted {
                            (d.department) " ・ " (lang.pick("最終更新: ", "last change: ")) (shown_time(&d.updated_at))
                            " (" (d.updated_by) ") ・ " (lang.pick("版 ", "version ")) (d.version)
                        }
                        @if let (Status::Returned, Some(c)) = (d.status, &d.comment) {
                            p.notice.bad.comment { strong { (lang.pick("差戻しコメント: ", "Returned with: ")) } (c) }
                        }
                        @if matches!(d.status, Status::Draft | Status::Returned) {
                            div.actions {
                                a href=(visitor.link(&format!("/new?from={}", d.id))) { (lang.pick("開いて続きを書く", "Open and go on")) }
                                @if rec.is_some() {
                                    form method="post" action=(visitor.link(&format!("/drafts/{}/submit", d.id))) {
                                        input type="hidden" name="_token" value=(token);
                                        button type="submit" { (lang.pick("提出する", "Submit")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page::page(&visitor, StatusCode::OK, title, body)
}

/// A page saying what an action did, with a link on.
fn done(
    visitor: &Visitor,
    status: StatusCode,
    title: &str,
    message: Markup,
    next: &str,
) -> Response {
    let lang = visitor.lang;
    let body = html! {
        h1 { (title) }
        (message)
        p { a href=(visitor.link(next)) { (lang.pick("一覧に戻る", "Back to the list")) } }
    };
    page::page(visitor, status, title, body)
}

fn valid_id(id: &str) -> bool {
    itaku::catalog::OperationId::parse(id).is_some()
}

/// POST /drafts/{id}/submit.
pub async fn submit(
    State(state): State<Shared>,
    Path(id): Path<String>,
    visitor: Visitor,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(r) = check_post(&state, &visitor, body) {
        return r;
    }
    let lang = visitor.lang;
    if !valid_id(&id) {
        return page::error(StatusCode::NOT_FOUND, lang, Message::NotFound);
    }
    let worker = Arc::clone(&state);
    let actor = visitor.actor.clone();
    let result = tokio::task::spawn_blocking(move || {
        let d = worker.with_store(|s| s.get(&id))?;
        if let Some(d) = &d {
            if !actor.may_open(&d.department) {
                return Ok(Err(None));
            }
            if assess(&worker, d).is_none() {
                return Ok(Err(Some(d.id.clone())));
            }
        }
        worker.with_store(|s| s.submit(&id, actor.name())).map(Ok)
    })
    .await;
    let title = lang.pick("提出", "Submit");
    match result {
        Ok(Ok(Ok(d))) => done(
            &visitor,
            StatusCode::OK,
            title,
            html! {
                p.notice role="status" #submitted { (lang.pick("提出しました: ", "Submitted: ")) code { (d.id) } }
            },
            "/drafts",
        ),
        Ok(Ok(Err(None))) => page::error(StatusCode::FORBIDDEN, lang, Message::OtherDepartment),
        Ok(Ok(Err(Some(id)))) => done(
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            title,
            html! {
                p.notice.bad role="alert" { (lang.pick("回答に確認が必要な点があるため提出できません: ", "The answers need fixing before submitting: ")) a href=(visitor.link(&format!("/new?from={id}"))) { (id) } }
            },
            "/drafts",
        ),
        Ok(Err(e)) if e.not_found => page::error(StatusCode::NOT_FOUND, lang, Message::NotFound),
        Ok(Err(e)) => done(
            &visitor,
            StatusCode::CONFLICT,
            title,
            html! { p.notice.bad role="alert" { (e.message(lang)) } },
            "/drafts",
        ),
        Err(e) => internal_error(lang, &format!("submit failed: {e}")),
    }
}

/// The facts a draft changes from the catalog's operation: (title, before, after).
fn changed_facts(
    before: &itaku::Operation,
    after: &itaku::Operation,
    lang: Lang,
) -> Vec<(&'static str, String, String)> {
    let old = itaku::questionnaire::Answers::from_operation(before);
    let answers = &itaku::questionnaire::Answers::from_operation(after);
    let none = lang.pick("(なし)", "(none)");
    Field::ALL
        .iter()
        .filter(|f| **f != Field::id)
        .filter_map(|f| {
            let (a, b) = (old.get(*f), answers.get(*f));
            (a.map(str::trim) != b.map(str::trim)).then(|| {
                (
                    itaku::catalog::titles::title(*f, lang),
                    a.unwrap_or(none).replace('\n', "; "),
                    b.unwrap_or(none).replace('\n', "; "),
                )
            })
        })
        .collect()
}

/// The catalog file accepted drafts are written into: the server's catalog when it is a file, else
/// `accepted.yaml` in the catalog folder.
fn target_catalog(state: &AppState) -> std::path::PathBuf {
    let p = std::path::Path::new(&state.catalog_path);
    if p.is_dir() {
        p.join("accepted.yaml")
    } else {
        p.to_path_buf()
    }
}

/// GET /queue: the submitted drafts, each with its assessment and the accept and return forms.
pub async fn queue(State(state): State<Shared>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    if !visitor.actor.is_policy() {
        return page::error(StatusCode::FORBIDDEN, lang, Message::StaffOnly);
    }
    let worker = Arc::clone(&state);
    let rows = tokio::task::spawn_blocking(move || {
        let drafts = worker.with_store(|s| s.list(Some(Status::Submitted)))?;
        Ok::<_, itaku::drafts::StoreError>(
            drafts
                .into_iter()
                .map(|d| {
                    let a = assess(&worker, &d);
                    (d, a)
                })
                .collect::<Vec<_>>(),
        )
    })
    .await;
    let rows = match rows {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return internal_error(lang, &format!("drafts store: {e}")),
        Err(e) => return internal_error(lang, &format!("queue failed: {e}")),
    };
    let token = state.token(&visitor.session);
    let target = target_catalog(&state).display().to_string();
    let view = state.view();
    let title = lang.pick("提出された下書き (審査)", "Submitted drafts (review)");
    let body = html! {
        h1 { (title) }
        p.muted {
            (lang.pick("部署から提出された下書きです。判定を確かめ、受理するとカタログのファイルに書き込みます (書き込み先: ",
                "Drafts the departments submitted. Check the assessment; accepting writes the operation into the catalog file ("))
            code { (target) } ")。"
            (lang.pick("差し戻すときは、直してほしい点をコメントに書いてください。", " To return one, say what to fix in the comment."))
        }
        @if rows.is_empty() {
            p #queue-empty { (lang.pick("審査待ちの下書きはありません。", "No draft is waiting for review.")) }
        }
        @for (d, a) in &rows {
            section.queue-item #(format!("queue-{}", d.id)) {
                h2 { (d.name) " " small { code { (d.id) } } }
                p.muted { (d.department) " ・ "  (lang.pick("提出: ", "submitted: ")) (shown_time(&d.updated_at)) " (" (d.updated_by) ") ・ " (lang.pick("版 ", "version ")) (d.version) }
                @if let Some(before) = view.catalog.find(&entry_id(d)) {
                    div.notice #(format!("replaces-{}", d.id)) {
                        p { (lang.pick("この下書きはカタログの業務 ", "This draft replaces the catalog's operation ")) code { (entry_id(d)) } (lang.pick(" を置き換えます。変わる事実:", ". Facts that change:")) }
                        @if let Some(a) = a {
                            ul.tight {
                                @for (title, old, new) in changed_facts(before, &a.operation, lang) {
                                    li { (title) ": " (old) " → " strong { (new) } }
                                }
                            }
                        }
                        @if let (Some(a), Some(b)) = (a, view.report.assessments.iter().find(|x| x.operation.id.as_str() == entry_id(d))) {
                            p { (lang.pick("判定: ", "Recommendation: ")) (b.recommendation.label(lang)) " → " strong { (a.recommendation.label(lang)) } }
                        }
                    }
                }
                @match a {
                    Some(a) => details {
                        summary { (lang.pick("判定: ", "Result: ")) span.badge data-recommendation=(a.recommendation.as_str()) { (a.recommendation.label(lang)) } " — " (lang.pick("削減見込み", "freed")) " " (format!("{:.2}", a.freed_fte)) " FTE" }
                        (assessment_markup(&state, a, None, &format!("/new?from={}", d.id), lang))
                    },
                    None => p.notice.bad { (lang.pick("回答に確認が必要な点があります。差し戻してください。", "The answers need fixing: return it.")) },
                }
                div.actions {
                    form method="post" action=(visitor.link(&format!("/queue/{}/accept", d.id))) {
                        input type="hidden" name="_token" value=(token);
                        button.primary type="submit" disabled[a.is_none()] { (lang.pick("受理してカタログに書き込む", "Accept into the catalog")) }
                    }
                    form method="post" action=(visitor.link(&format!("/queue/{}/return", d.id))) {
                        input type="hidden" name="_token" value=(token);
                        label for=(format!("comment-{}", d.id)) { (lang.pick("差戻しコメント", "Comment for the department")) }
                        textarea id=(format!("comment-{}", d.id)) name="comment" rows="2" required {}
                        button type="submit" { (lang.pick("コメントを付けて差し戻す", "Return with the comment")) }
                    }
                }
            }
        }
    };
    page::page(&visitor, StatusCode::OK, title, body)
}

/// POST /queue/{id}/return (field `comment`).
pub async fn return_draft(
    State(state): State<Shared>,
    Path(id): Path<String>,
    visitor: Visitor,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form = match check_post(&state, &visitor, body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lang = visitor.lang;
    if !visitor.actor.is_policy() {
        return page::error(StatusCode::FORBIDDEN, lang, Message::StaffOnly);
    }
    if !valid_id(&id) {
        return page::error(StatusCode::NOT_FOUND, lang, Message::NotFound);
    }
    let comment = form.get("comment").unwrap_or("").to_string();
    let worker = Arc::clone(&state);
    let who = visitor.actor.name().to_string();
    let result = tokio::task::spawn_blocking(move || {
        worker.with_store(|s| s.return_draft(&id, &who, &comment))
    })
    .await;
    let title = lang.pick("差戻し", "Return");
    match result {
        Ok(Ok(d)) => done(
            &visitor,
            StatusCode::OK,
            title,
            html! {
                p.notice role="status" #returned { (lang.pick("差し戻しました: ", "Returned: ")) code { (d.id) } " (" (d.department) ")" }
            },
            "/queue",
        ),
        Ok(Err(e)) if e.not_found => page::error(StatusCode::NOT_FOUND, lang, Message::NotFound),
        Ok(Err(e)) => done(
            &visitor,
            StatusCode::CONFLICT,
            title,
            html! { p.notice.bad role="alert" { (e.message(lang)) } },
            "/queue",
        ),
        Err(e) => internal_error(lang, &format!("return failed: {e}")),
    }
}

/// POST /queue/{id}/accept: the entry written into the catalog file, then the draft marked accepted.
pub async fn accept(
    State(state): State<Shared>,
    Path(id): Path<String>,
    visitor: Visitor,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(r) = check_post(&state, &visitor, body) {
        return r;
    }
    let lang = visitor.lang;
    if !visitor.actor.is_policy() {
        return page::error(StatusCode::FORBIDDEN, lang, Message::StaffOnly);
    }
    if !valid_id(&id) {
        return page::error(StatusCode::NOT_FOUND, lang, Message::NotFound);
    }
    let worker = Arc::clone(&state);
    let who = visitor.actor.name().to_string();
    let result =
        tokio::task::spawn_blocking(move || -> Result<(String, Change, String), String> {
            let d = worker
                .with_store(|s| s.get(&id))
                .map_err(|e| e.message(lang).to_string())?
                .ok_or_else(|| lang.pick("下書きがありません", "no such draft").to_string())?;
            if d.status != Status::Submitted {
                return Err(format!(
                    "{}: {}",
                    d.id,
                    lang.pick(
                        "提出済みの下書きだけを受理できます",
                        "only a submitted draft can be accepted"
                    )
                ));
            }
            let op_id = entry_id(&d);
            let checked = validate(&d.answers, &op_id, &worker.compiled.rules);
            if !checked.problems.is_empty() {
                return Err(lang
                    .pick("回答に確認が必要な点があります", "the answers need fixing")
                    .to_string());
            }
            let target = target_catalog(&worker);
            let written = write_entry_into(
                &target,
                &op_id,
                &checked.entry.text,
                Mode::AppendOrReplace,
                &worker.compiled.rules,
            )
            .map_err(|problems| {
                problems
                    .iter()
                    .map(|p| p.message(lang).to_string())
                    .collect::<Vec<_>>()
                    .join(" / ")
            })?;
            let shown = target.display().to_string();
            worker
                .with_store(|s| s.mark_accepted(&d.id, &who, &shown))
                .map_err(|e| e.message(lang).to_string())?;
            eprintln!("itaku serve: {who} accepted draft {} into {shown}", d.id);
            // The lists, the summary and the operation pages show the accepted entry at once.
            worker.reload();
            Ok((op_id, written.change, shown))
        })
        .await;
    let title = lang.pick("受理", "Accept");
    match result {
        Ok(Ok((op_id, change, shown))) => done(
            &visitor,
            StatusCode::OK,
            title,
            html! {
                p.notice role="status" #accepted {
                    (lang.pick("受理しました。業務 ", "Accepted: the operation ")) code { (op_id) }
                    @match change {
                        Change::Appended => (lang.pick(" を追加しました: ", " was appended to ")),
                        Change::Replaced(_) => (lang.pick(" を置き換えました: ", " was replaced in ")),
                    }
                    code { (shown) }
                }
                p { a href=(visitor.link(&format!("/ops/{op_id}"))) { (lang.pick("カタログに入った業務の判定を見る", "See the operation's assessment in the catalog")) } }
            },
            "/queue",
        ),
        Ok(Err(message)) => done(
            &visitor,
            StatusCode::CONFLICT,
            title,
            html! { p.notice.bad role="alert" { (message) } },
            "/queue",
        ),
        Err(e) => internal_error(lang, &format!("accept failed: {e}")),
    }
}
