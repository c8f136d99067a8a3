//! The questionnaire: one page per operation being described, the live result beside it, and saving or
//! downloading the draft. Questions, help and choices come from the library's question bank
//! ([`itaku::catalog::questions`]); answers become an operation through the catalog loader
//! ([`itaku::questionnaire::validate`]), so the browser accepts exactly what a catalog file accepts.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use itaku::assess::Assessment;
use itaku::catalog::questions::{self, questions, Group, Question};
use itaku::catalog::{Field, FieldKind};
use itaku::model::{Recommendation, Severity};
use itaku::questionnaire::{field_named_in, propose_id, Answers, Draft};
use itaku::render::assessment_doc;
use itaku::whatif::WhatIf;
use itaku::Lang;

use super::page::{self, fragment};
use super::{check_post, internal_error, AppState, PostedForm, Shared, Visitor};

/// Problems listed in the result; more are counted in one line (a live request with thousands of
/// unknown hazards answers a few kilobytes, not a megabyte).
const MAX_PROBLEMS: usize = 20;

/// Everything the result shows for one set of answers.
pub struct Evaluated {
    /// The answers validated as they would be saved (with the id given or proposed).
    pub draft: Draft,
    /// The id given, or the one proposed from the name.
    pub id: String,
    pub id_given: bool,
    pub assessment: Option<Assessment>,
    pub whatif: Option<WhatIf>,
    /// The questions left unanswered: their problems ("an answer is needed") are shown only once
    /// the department tries to save, never on a blank or half-filled form.
    pub blank: std::collections::BTreeSet<Field>,
}

/// Validates and assesses `answers`. A question answered wrongly (or the identity left empty) does not
/// stop the assessment: it is assessed as unknown, and the problem is listed. `draft` is the store's
/// draft being edited (whose id the operation keeps); for a new one the store proposes an id from the
/// department (one query, no file looked at).
pub fn evaluate_for(
    state: &AppState,
    answers: &Answers,
    draft: Option<&str>,
    lang: Lang,
) -> Evaluated {
    let given = answers.get(Field::id).map(|s| s.trim().to_string());
    let id_given = given.is_some();
    let id = given
        .or_else(|| draft.map(str::to_string))
        .unwrap_or_else(|| {
            state
                .with_store(|s| s.propose_id(answers, |c| state.view().catalog.find(c).is_some()))
                .unwrap_or_else(|_| propose_id(answers, |c| state.id_taken(c)))
        });
    let assessed = itaku::questionnaire::assess_answers(
        answers,
        &id,
        &state.compiled,
        lang,
        itaku::whatif::LIVE_BUDGET,
    );
    Evaluated {
        draft: assessed.draft,
        id,
        id_given,
        assessment: assessed.assessment,
        whatif: assessed.whatif,
        blank: assessed.blank,
    }
}

fn answers_of(form: &PostedForm) -> Answers {
    Answers::from_pairs(form.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))).0
}

/// GET /new (`?from=ID` reopens the draft ID with every answer as saved, or starts from the catalog
/// operation ID).
pub async fn form(State(state): State<Shared>, visitor: Visitor) -> Response {
    let mut answers = Answers::default();
    let mut draft = None;
    let from = visitor.get("from").unwrap_or("");
    let saved = if from.is_empty() {
        None
    } else {
        state.with_store(|s| s.get(from)).ok().flatten()
    };
    if let Some(d) = saved {
        // A department user opens only its own department's drafts (in a ward deployment).
        if !visitor.actor.may_open(&d.department) {
            eprintln!(
                "itaku serve: refused: {} asked for the draft {} of another department",
                visitor.actor.name(),
                d.id
            );
            return page::error(
                StatusCode::FORBIDDEN,
                visitor.lang,
                page::Message::OtherDepartment,
            );
        }
        answers = d.answers.clone();
        // `&version=N` reopens an earlier version (saving it makes a new version of the draft).
        if let Some(n) = visitor.get("version").and_then(|v| v.parse::<i64>().ok()) {
            if let Some(v) = state
                .with_store(|s| s.versions(&d.id))
                .ok()
                .and_then(|vs| vs.into_iter().find(|v| v.n == n))
            {
                answers = v.answers;
            }
        }
        draft = Some(d.id);
    } else if let Some(op) = state.view().catalog.find(from) {
        answers = Answers::from_operation(op);
        // A new draft needs a new id: the one of the original is taken.
        answers.0.remove(&Field::id);
    }
    // A department user's new form starts with its department.
    if let Some(own) = visitor.actor.department() {
        if answers
            .get(Field::department)
            .is_none_or(|v| v.trim().is_empty())
        {
            answers.0.insert(Field::department, own.to_string());
        }
    }
    let lang = visitor.lang;
    let evaluated = evaluate_for(&state, &answers, draft.as_deref(), lang);
    questionnaire_page(
        &state,
        &visitor,
        &answers,
        &evaluated,
        draft.as_deref(),
        None,
        StatusCode::OK,
        lang,
    )
}

/// POST /api/assess: the result fragment for the answers so far (the live answer).
pub async fn live(
    State(state): State<Shared>,
    visitor: Visitor,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form = match check_post(&state, &visitor, body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lang = visitor.lang;
    let answers = answers_of(&form);
    let draft = form.get("_draft").map(str::to_string);
    let worker = Arc::clone(&state);
    let done = tokio::task::spawn_blocking(move || {
        let evaluated = evaluate_for(&worker, &answers, draft.as_deref(), lang);
        let mut markup = result_with(&worker, &evaluated, &answers, false, lang).into_string();
        markup.push_str(&field_messages(&evaluated, &answers, lang).into_string());
        markup
    })
    .await;
    match done {
        Ok(markup) => fragment(maud::PreEscaped(markup)),
        Err(e) => internal_error(lang, &format!("live assessment failed: {e}")),
    }
}

/// GET /api/token: the form token of this browser's session (set anew when it has none). The page's
/// script asks for it when a POST was refused because the server restarted (its secret changed); like
/// the questionnaire page that carries the same token, it is readable only from this origin.
pub async fn token(State(state): State<Shared>, visitor: Visitor) -> Response {
    let token = state.token(&visitor.session);
    let response = (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        token,
    )
        .into_response();
    visitor.finish(response)
}

/// What happened to a save or download, shown above the form.
pub enum Outcome {
    /// Saved as version N of the draft.
    Saved(String, i64),
    /// Saved and submitted to policy staff.
    Submitted(String),
    InCatalog(String),
    Invalid,
    /// The store refused (a submitted draft, an id taken, …) or failed: its message.
    Refused(String),
}

/// POST /new: assess (the form without JavaScript), save the draft, or download it.
pub async fn submit(
    State(state): State<Shared>,
    visitor: Visitor,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form = match check_post(&state, &visitor, body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lang = visitor.lang;
    let answers = answers_of(&form);
    let action = form.get("_action").unwrap_or("assess").to_string();
    let mut draft = form
        .get("_draft")
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let worker = Arc::clone(&state);
    let actor = visitor.actor.clone();
    // A department user changes only its own department's drafts (in a ward deployment).
    if let Some(d) = draft.as_deref() {
        let department = state
            .with_store(|s| s.get(d))
            .ok()
            .flatten()
            .map(|d| d.department);
        if department.is_some_and(|dep| !actor.may_open(&dep)) {
            eprintln!(
                "itaku serve: refused: {} tried to save the draft {d} of another department",
                actor.name()
            );
            return page::error(StatusCode::FORBIDDEN, lang, page::Message::OtherDepartment);
        }
    }
    let job = tokio::task::spawn_blocking(move || {
        // A copy is a new draft: its id is proposed anew.
        if action == "save_copy" {
            draft = None;
        }
        let evaluated = evaluate_for(&worker, &answers, draft.as_deref(), lang);
        let outcome = match action.as_str() {
            "save" | "save_copy" | "submit" => {
                let (outcome, id) = save(
                    &worker,
                    &evaluated,
                    &answers,
                    draft.as_deref(),
                    &actor,
                    lang,
                );
                if let Some(id) = id {
                    draft = Some(id);
                }
                match (outcome, action.as_str()) {
                    (Outcome::Saved(id, _), "submit") => {
                        Some(match worker.with_store(|s| s.submit(&id, actor.name())) {
                            Ok(_) => Outcome::Submitted(id),
                            Err(e) => Outcome::Refused(e.message(lang).to_string()),
                        })
                    }
                    (o, _) => Some(o),
                }
            }
            "download" if evaluated.draft.problems.is_empty() => {
                return Err((evaluated.id.clone(), evaluated.draft.file_text(lang)));
            }
            "download" => Some(Outcome::Invalid),
            _ => None,
        };
        Ok((answers, evaluated, outcome, draft))
    })
    .await;
    match job {
        Ok(Ok((answers, evaluated, outcome, draft))) => {
            let status = match &outcome {
                Some(Outcome::Saved(..) | Outcome::Submitted(_)) | None => StatusCode::OK,
                Some(Outcome::InCatalog(_) | Outcome::Refused(_)) => StatusCode::CONFLICT,
                Some(Outcome::Invalid) => StatusCode::UNPROCESSABLE_ENTITY,
            };
            questionnaire_page(
                &state,
                &visitor,
                &answers,
                &evaluated,
                draft.as_deref(),
                outcome,
                status,
                lang,
            )
        }
        Ok(Err((id, text))) => download(&id, text),
        Err(e) => internal_error(lang, &format!("assessment failed: {e}")),
    }
}

fn download(id: &str, text: String) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        text,
    )
        .into_response();
    // The id is [a-z0-9-]+ (validated by the loader), safe inside the header.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.yaml\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Saves the answers, exactly as given (「わからない」 included), in the drafts store: a new version of
/// the draft `draft`, or a new draft. Only answers that validate are saved, never under an id of the
/// catalog. Returns the outcome and the draft's id when saved.
fn save(
    state: &AppState,
    ev: &Evaluated,
    answers: &Answers,
    draft: Option<&str>,
    actor: &super::identity::Actor,
    lang: Lang,
) -> (Outcome, Option<String>) {
    if !ev.draft.problems.is_empty() || ev.draft.operation.is_none() {
        return (Outcome::Invalid, None);
    }
    if let Some(own) = actor.department() {
        if !actor.may_open(answers.get(Field::department).unwrap_or("")) {
            return (
                Outcome::Refused(lang.pick(
                    &format!("保存できるのは自分の部署 ({own}) の下書きだけです。「部署」の回答を {own} にしてください"),
                    &format!("you can save drafts of your own department ({own}) only: answer {own} to the department question"),
                ).to_string()),
                None,
            );
        }
    }
    if state.view().catalog.find(&ev.id).is_some() {
        return (Outcome::InCatalog(ev.id.clone()), None);
    }
    let saved = state.with_store(|s| {
        s.save(draft, answers, actor.name(), |c| {
            state.view().catalog.find(c).is_some()
        })
    });
    match saved {
        Ok((id, version)) => {
            eprintln!("itaku serve: saved draft {id} (version {version})");
            (Outcome::Saved(id.clone(), version), Some(id))
        }
        Err(e) if e.not_found => (Outcome::Refused(e.message(lang).to_string()), None),
        Err(e) => {
            eprintln!("itaku serve: error: cannot save the draft: {e}");
            (Outcome::Refused(e.message(lang).to_string()), None)
        }
    }
}

/// The questionnaire page with its result.
#[allow(clippy::too_many_arguments)]
pub fn questionnaire_page(
    state: &AppState,
    visitor: &Visitor,
    answers: &Answers,
    ev: &Evaluated,
    draft: Option<&str>,
    outcome: Option<Outcome>,
    status: StatusCode,
    lang: Lang,
) -> Response {
    let token = state.token(&visitor.session);
    let strict = matches!(outcome, Some(Outcome::Invalid));
    let errors = question_errors(ev, answers, strict, lang);
    let title = lang.pick("業務の自己診断", "Self-assessment of an operation");
    let all = questions();
    let saved = draft.and_then(|id| state.with_store(|s| s.get(id)).ok().flatten());
    let body = html! {
        h1 { (title) }
        p.muted {
            (lang.pick(
                "業務について質問に答えると、委託の判定と理由、確認すべきリスクが右側 (狭い画面では下) に表示されます。わからない質問は「わからない」のままで構いません。",
                "Answer the questions about the operation: the recommendation, its reasons and the risks to secure appear beside the form (below it on a narrow screen). Leave a question as “don't know” when unsure.",
            ))
        }
        @if let Some(o) = &outcome { (outcome_notice(o, visitor, lang)) }
        @if let Some(d) = &saved { (super::drafts::draft_notice(d, visitor, lang)) }
        p.to-result { a href="#result" { (lang.pick("判定結果へ移動 ↓", "Go to the result ↓")) } }
        div.layout {
            form #questionnaire method="post" action=(visitor.link("/new"))
                data-live=(visitor.link("/api/assess")) novalidate {
                input type="hidden" name="_token" value=(token);
                @if let Some(d) = draft { input type="hidden" name="_draft" value=(d); }
                @for g in Group::ALL {
                    fieldset.group #(format!("group-{}", g.key())) {
                        legend { (g.title(lang)) }
                        @for q in all.iter().filter(|q| q.group == g) {
                            (question_markup(q, answers, errors.get(&q.field), ev, &state.compiled.rules, lang))
                        }
                    }
                }
                div.actions {
                    button.primary type="submit" name="_action" value="assess" { (lang.pick("判定する", "Assess")) }
                    button type="submit" name="_action" value="save" {
                        @if draft.is_some() { (lang.pick("下書きを保存 (新しい版)", "Save the draft (a new version)")) }
                        @else { (lang.pick("下書きを保存", "Save the draft")) }
                    }
                    @if draft.is_some() {
                        button type="submit" name="_action" value="save_copy" { (lang.pick("コピーとして保存", "Save as a copy")) }
                    }
                    button type="submit" name="_action" value="submit" { (lang.pick("保存して提出", "Save and submit")) }
                    button type="submit" name="_action" value="download" { (lang.pick("YAML をダウンロード", "Download the YAML")) }
                }
                p.help {
                    (lang.pick("下書きの保存先: ", "Drafts are saved in: ")) code { (state.drafts.display().to_string()) }
                    " — " a href=(visitor.link("/drafts")) { (lang.pick("下書きの一覧", "Your drafts")) }
                }
            }
            aside #result aria-live="polite" aria-label=(lang.pick("判定結果", "Result")) {
                (result_with(state, ev, answers, strict, lang))
            }
        }
    };
    page::page(visitor, status, title, body)
}

fn outcome_notice(o: &Outcome, visitor: &Visitor, lang: Lang) -> Markup {
    html! {
        @match o {
            Outcome::Saved(id, version) => div.notice role="status" #saved {
                strong { (lang.pick("下書きを保存しました: ", "Draft saved: ")) } code { (id) }
                " (" (lang.pick("版 ", "version ")) (version) ") "
                (lang.pick("内容が固まったら「保存して提出」で政策経営部に提出してください。", "When it is ready, use “Save and submit” to send it to policy staff."))
                " " a href=(visitor.link("/drafts")) { (lang.pick("下書きの一覧へ", "Your drafts")) }
            },
            Outcome::Submitted(id) => div.notice role="status" #submitted {
                strong { (lang.pick("提出しました: ", "Submitted: ")) } code { (id) }
                " " (lang.pick("政策経営部の確認をお待ちください。差戻しの場合はコメントが下書きの一覧に表示されます。", "Policy staff will review it; if they return it, their comment appears in your drafts."))
            },
            Outcome::InCatalog(id) => div.notice.bad role="alert" {
                (lang.pick("この業務IDはカタログで使われています: ", "This id is used by the catalog: ")) code { (id) }
                ". " (lang.pick("別の業務IDを入力してください。", "Enter another id."))
            },
            Outcome::Invalid => div.notice.bad role="alert" {
                (lang.pick("回答に確認が必要な点があるため、保存できません。赤字の質問を直してください。",
                    "The draft cannot be saved until the answers marked in red are corrected."))
            },
            Outcome::Refused(message) => div.notice.bad role="alert" #refused { (message) },
        }
    }
}

fn question_markup(
    q: &Question,
    answers: &Answers,
    error: Option<&String>,
    ev: &Evaluated,
    rules: &itaku::RuleSet,
    lang: Lang,
) -> Markup {
    let name = q.field.name();
    let id = format!("q-{name}");
    let help_id = format!("h-{name}");
    let error_id = format!("e-{name}");
    let described = format!("{help_id} {error_id}");
    let invalid = error.is_some().then_some("true");
    let value = answers.0.get(&q.field).cloned().unwrap_or_default();
    let required = q.field.is_required() && q.field != Field::id;
    let closed = questions::is_yes_no(q.field) || !q.choices.is_empty();
    // Hazards are a closed vocabulary of the rule set: one box each, and one for "none".
    let hazards = (q.field == Field::hazards && !rules.manifest.hazards.is_empty())
        .then_some(&rules.manifest.hazards);
    let ticked: Vec<&str> = value.lines().map(str::trim).collect();
    html! {
        div.question #(format!("question-{name}")) {
            @if let Some(hazards) = hazards {
                fieldset aria-describedby=(described) {
                    legend #(id) { (q.text(lang)) }
                    p.help #(help_id) {
                        (lang.pick("当てはまるものをすべて選んでください。何も選ばなければ「わからない」です。",
                            "Tick every one that applies; leave all unticked for “don't know”."))
                    }
                    p.error #(error_id) data-field=(name) { @if let Some(e) = error { (e) } }
                    div.choices {
                        @for h in hazards.iter() {
                            label {
                                input type="checkbox" name=(name) value=(h.id) checked[ticked.contains(&h.id.as_str())];
                                (h.title.get(lang))
                            }
                        }
                        label {
                            input type="checkbox" name=(name) value="なし" checked[ticked.iter().any(|t| matches!(*t, "なし" | "none"))];
                            (lang.pick("危険を伴う作業はない", "no hazardous work"))
                        }
                    }
                }
            } @else if closed {
                fieldset aria-describedby=(described) {
                    legend #(id) { (q.text(lang)) }
                    p.help #(help_id) { (q.help(lang)) }
                    p.error #(error_id) data-field=(name) { @if let Some(e) = error { (e) } }
                    div.choices {
                        @if questions::is_yes_no(q.field) {
                            (radio(name, "true", questions::yes(lang), is_yes(&value)))
                            (radio(name, "false", questions::no(lang), is_no(&value)))
                        }
                        @for c in q.choices {
                            (radio(name, c.value, c.label(lang), q.choice(&value).is_some_and(|x| x.value == c.value)))
                        }
                        (radio(name, "", questions::unknown(lang), itaku::questionnaire::is_unknown(&value)))
                    }
                }
            } @else {
                label for=(id) {
                    (q.text(lang))
                    @if required { span.required { (lang.pick("必須", "required")) } }
                }
                p.help #(help_id) { (q.help(lang)) }
                p.error #(error_id) data-field=(name) { @if let Some(e) = error { (e) } }
                @match q.field.kind() {
                    FieldKind::List => textarea #(id) name=(name) rows="3" aria-describedby=(described) aria-invalid=[invalid] { (value) },
                    _ if q.field == Field::description => textarea #(id) name=(name) rows="3" aria-describedby=(described) aria-invalid=[invalid] { (value) },
                    FieldKind::Int | FieldKind::Num => input #(id) type="text" inputmode="decimal" name=(name)
                        value=(value) aria-describedby=(described) aria-invalid=[invalid] placeholder=(questions::unknown(lang));,
                    _ if q.field == Field::id => input #(id) type="text" name=(name) value=(value)
                        aria-describedby=(described) aria-invalid=[invalid] placeholder=(ev.id) autocomplete="off" spellcheck="false";,
                    _ => input #(id) type="text" name=(name) value=(value) aria-describedby=(described)
                        aria-invalid=[invalid] required[required];,
                }
            }
        }
    }
}

fn is_yes(v: &str) -> bool {
    matches!(v.trim(), "true" | "はい" | "yes")
}

fn is_no(v: &str) -> bool {
    matches!(v.trim(), "false" | "いいえ" | "no")
}

fn radio(name: &str, value: &str, label: &str, checked: bool) -> Markup {
    html! {
        label { input type="radio" name=(name) value=(value) checked[checked]; (label) }
    }
}

/// The question text of a field, for naming facts to the department.
fn ask(field: Field, lang: Lang) -> &'static str {
    questions::question(field).text(lang)
}

/// The problems a department should see now, each with the question it belongs to (when it has one)
/// and its message in plain words: a wrong answer always; an unanswered required question only when
/// `strict` (a save was tried).
fn shown_problems(
    ev: &Evaluated,
    answers: &Answers,
    strict: bool,
    lang: Lang,
) -> Vec<(Option<Field>, String)> {
    ev.draft
        .problems
        .iter()
        .filter_map(|p| {
            let message = p.diagnostic.message(lang);
            let field = p.field.or_else(|| field_named_in(message));
            let blank = field.is_some_and(|f| ev.blank.contains(&f));
            if blank && !strict {
                return None;
            }
            let text = match field {
                Some(_) if blank => lang
                    .pick("回答が必要です。", "This question needs an answer.")
                    .to_string(),
                Some(f) => plain_message(f, message, answers, lang),
                None => plain_text(message, lang),
            };
            Some((field, text))
        })
        .collect()
}

/// The message of each question that has one (the first, when a question has several).
fn question_errors(
    ev: &Evaluated,
    answers: &Answers,
    strict: bool,
    lang: Lang,
) -> BTreeMap<Field, String> {
    let mut errors = BTreeMap::new();
    for (f, text) in shown_problems(ev, answers, strict, lang) {
        if let Some(f) = f {
            errors.entry(f).or_insert(text);
        }
    }
    errors
}

/// The per-question messages of a live answer: the page's script puts each under its question and
/// clears the others (a hidden list, also harmless without the script).
fn field_messages(ev: &Evaluated, answers: &Answers, lang: Lang) -> Markup {
    let errors = question_errors(ev, answers, false, lang);
    html! {
        div #field-errors hidden {
            @for (f, text) in &errors { p data-field=(f.name()) { (text) } }
        }
    }
}

/// A loader message in a department's words: field names become their titles (「定型度」), and the
/// prefix naming the entry being validated (業務 `operation-…`:) goes.
fn plain_text(message: &str, lang: Lang) -> String {
    let message = match message.split_once("`: ") {
        Some((head, rest)) if head.starts_with(lang.pick("業務 `", "operation `")) => rest,
        _ => message,
    };
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 1 {
            match (Field::from_name(part), lang) {
                (Some(f), Lang::Ja) => {
                    // 「」 stand for the spaces around a code name.
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('「');
                    out.push_str(itaku::catalog::titles::title(f, lang));
                    out.push('」');
                }
                _ => {
                    out.push('`');
                    out.push_str(part);
                    out.push('`');
                }
            }
        } else if i > 0 && lang == Lang::Ja && out.ends_with('」') {
            out.push_str(part.trim_start_matches(' '));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The message of a wrong answer to `field`: a share out of range says so in percent with what was
/// typed; anything else in the loader's words with titles for field names.
fn plain_message(field: Field, message: &str, answers: &Answers, lang: Lang) -> String {
    let is_share = matches!(field, Field::routine_share | Field::auxiliary_share);
    if is_share && message.contains(lang.pick("範囲外", "out of range")) {
        let typed = answers.get(field).unwrap_or_default().trim().to_string();
        return match lang {
            Lang::Ja => format!("0%から100%までの割合で答えてください (入力: {typed})。"),
            Lang::En => format!("Answer with a share from 0% to 100% (you typed {typed})."),
        };
    }
    plain_text(message, lang)
}

/// The result: its headline bar, the problems as the department should see them (see
/// [`shown_problems`]), then recommendation, reasons, decisive unknown facts, top risks, what-if advice,
/// criteria and the full checklist with mitigations ([`assessment_markup`], shared with the catalog's
/// operation pages).
pub fn result_with(
    state: &AppState,
    ev: &Evaluated,
    answers: &Answers,
    strict: bool,
    lang: Lang,
) -> Markup {
    let problems = shown_problems(ev, answers, strict, lang);
    html! {
        h2 { (lang.pick("判定結果", "Result")) }
        @if let Some(a) = &ev.assessment { (headline(state, a, lang)) }
        @if !problems.is_empty() {
            div.notice.bad #problems {
                strong { (lang.pick("確認が必要な回答", "Answers to check")) }
                ul.tight {
                    @for (f, text) in problems.iter().take(MAX_PROBLEMS) {
                        li {
                            @if let Some(f) = f {
                                a href=(format!("#q-{}", f.name())) title=(f.name()) { (ask(*f, lang)) } ": "
                            }
                            (text)
                        }
                    }
                    @if problems.len() > MAX_PROBLEMS {
                        li #more-problems {
                            @let more = problems.len() - MAX_PROBLEMS;
                            (lang.pick(&format!("ほか {more} 件 (最初の {MAX_PROBLEMS} 件を直すと残りも表示されます)"),
                                &format!("and {more} more (fix the first {MAX_PROBLEMS} to see the rest)")))
                        }
                    }
                }
            }
        }
        @match &ev.assessment {
            Some(a) => (assessment_markup(state, a, ev.whatif.as_ref(), "", lang)),
            None => p.muted { (lang.pick("回答を入力すると判定が表示されます。", "The result appears as you answer.")) },
        }
        p.muted #draft-id {
            (lang.pick("業務ID", "Operation id")) ": " code { (ev.id) }
            @if !ev.id_given { " " (lang.pick("(業務名から提案)", "(proposed from the name)")) }
            @if ev.id_given && state.view().catalog.find(&ev.id).is_some() {
                " — " strong.error { (lang.pick("カタログで使用済み", "used by the catalog")) }
            } @else if ev.id_given && state.id_taken(&ev.id) {
                " — " strong { (lang.pick("同じIDの下書きあり", "a draft with this id exists")) }
            }
        }
    }
}

/// The headline of a result (recommendation, top risk, freed FTE): at the top of the result panel,
/// and on a narrow screen a bar fixed to the bottom of the window, visible while answering.
fn headline(state: &AppState, a: &Assessment, lang: Lang) -> Markup {
    let doc = assessment_doc(a, &state.compiled.rules, lang);
    let rec = a.recommendation;
    html! {
        div #summary-bar class=(format!("summary-bar rec-{}", rec.as_str())) role="status" {
            span.badge.small { (rec.label(lang)) }
            " "
            span.fte { (lang.pick("削減見込み ", "freed ")) strong { (format!("{:.2}", a.freed_fte)) } " FTE" }
            " "
            @match &doc.top_risk {
                Some(t) => span.top-risk { (lang.pick("最大のリスク: ", "top risk: ")) (t.item) },
                None => span.top-risk { (lang.pick("重大度「高」のリスクはありません", "no high-severity risk")) },
            }
            " "
            a.to-details href="#result" { (lang.pick("詳細", "details")) }
        }
    }
}

/// `questions_at` is the page holding the questions that unknown facts link to (empty: this page).
pub fn assessment_markup(
    state: &AppState,
    a: &Assessment,
    whatif: Option<&WhatIf>,
    questions_at: &str,
    lang: Lang,
) -> Markup {
    let rules = &state.compiled.rules;
    let doc = assessment_doc(a, rules, lang);
    let rec = a.recommendation;
    let highs: Vec<_> = doc
        .checklist
        .iter()
        .filter(|c| c.severity == Severity::High.as_str())
        .take(3)
        .collect();
    html! {
        p class=(format!("recommendation rec-{}", rec.as_str())) {
            span.badge #recommendation data-recommendation=(rec.as_str()) { (rec.label(lang)) }
            " " (lang.pick("削減見込み", "freed")) " " strong { (format!("{:.2}", a.freed_fte)) } " FTE"
            @if a.proposal_call { " ・ " (lang.pick("事業者提案の公募の候補", "candidate for a call for proposals")) }
        }
        p.muted { (recommendation_meaning(rec, lang)) }
        @if !doc.notes.is_empty() || !doc.exclusions.is_empty() || !doc.contradictions.is_empty() {
            h3 { (lang.pick("理由", "Why")) }
            ul.tight #reasons {
                @for e in &doc.exclusions { li { (e.reason) } }
                @for c in &doc.contradictions { li { (c.finding) } }
                @for n in &doc.notes { li { (n) } }
            }
        }
        @if !a.decisive.is_empty() {
            h3 { (lang.pick("判定を左右する、まだ不明な事実", "Decisive facts still unknown")) }
            ul.tight #decisive {
                @for f in &a.decisive { li { a href=(format!("{questions_at}#q-{}", f.name())) title=(f.name()) { (ask(*f, lang)) } } }
            }
        }
        @let other_missing: Vec<_> = a.missing.iter().filter(|f| !a.decisive.contains(f)).collect();
        @if !other_missing.is_empty() {
            details {
                summary { (lang.pick("判定に影響しうる、ほかの不明な事実", "Other unknown facts that may matter")) " (" (other_missing.len()) ")" }
                ul.tight { @for f in other_missing { li title=(f.name()) { (ask(*f, lang)) } } }
            }
        }
        @if !highs.is_empty() {
            h3 { (lang.pick("主なリスク", "Top risks")) }
            ul.tight #top-risks {
                @for c in &highs {
                    li { strong { (c.item) } br; (lang.pick("対策: ", "Mitigation: ")) (c.mitigation) }
                }
            }
        }
        @if let Some(w) = whatif.filter(|w| !w.suggestions.is_empty()) {
            h3 { (lang.pick("結果を改善できる変更", "Changes that would improve the result")) }
            ul.tight #whatif {
                @for (what, s) in distinct_suggestions(w, lang).into_iter().take(4) {
                    li {
                        (what)
                        " → "
                        @match Recommendation::parse(s.recommendation) {
                            Some(r) if r != rec => strong { (r.label(lang)) },
                            _ => span {},
                        }
                        @if !s.clears.is_empty() {
                            " " (lang.pick("高リスク項目が", "clears ")) (s.clears.len()) (lang.pick("件解消", " high-severity item(s)"))
                        }
                    }
                }
            }
        }
        @if !doc.methods.is_empty() {
            h3 { (itaku::render::methods_heading(lang)) }
            div #methods { (itaku::render::methods_list_html(&doc.methods, lang)) }
        }
        h3 { (lang.pick("選定基準", "Criteria")) }
        div.table-wrap {
            table #criteria {
                thead { tr { th { (lang.pick("基準", "criterion")) } th { (lang.pick("点", "points")) } th { (lang.pick("根拠", "reasons")) } } }
                tbody {
                    @for (c, score) in doc.criteria.iter().zip(&a.criteria) {
                        tr {
                            td { (c.id) " " small { (score.criterion.title(lang)) } }
                            td.num { (c.points) "/" (c.max) }
                            td { @for (i, r) in c.reasons.iter().enumerate() { @if i > 0 { br; } (r) } }
                        }
                    }
                }
            }
        }
        h3 { (lang.pick("チェックリスト", "Checklist")) " (" (doc.checklist.len()) ")" }
        @if doc.checklist.is_empty() {
            p.muted { (lang.pick("この業務の事実から生じるリスクはありません。", "No risk raised by this operation's facts.")) }
        } @else {
            div.table-wrap {
                table #checklist {
                    thead {
                        tr {
                            th { (lang.pick("観点", "safeguard")) } th { (lang.pick("重要度", "severity")) }
                            th { (lang.pick("項目", "item")) } th { (lang.pick("対策", "mitigation")) }
                        }
                    }
                    tbody {
                        @for c in &doc.checklist {
                            tr {
                                td { (format!("{:?}", c.safeguard)) br; small { (c.safeguard.title(lang)) } }
                                td class=(format!("sev-{}", c.severity)) {
                                    (Severity::parse(c.severity).map_or(c.severity, |s| s.label(lang)))
                                }
                                td { (c.item) }
                                td { (c.mitigation) br; small.muted { (c.basis) } }
                            }
                        }
                    }
                }
            }
        }
        @if !doc.standard_clauses.is_empty() {
            details {
                summary { (lang.pick("契約に必ず入れる標準条項", "Standard clauses every such contract needs")) " (" (doc.standard_clauses.len()) ")" }
                ul.tight {
                    @for id in &doc.standard_clauses {
                        @if let Some(item) = rules.items.iter().find(|i| i.id == *id) {
                            li { (item.item.get(lang)) " — " (item.mitigation.get(lang)) }
                        }
                    }
                }
            }
        }
    }
}

/// The suggestions with their changes in words, each wording once (two values of one lever read alike).
fn distinct_suggestions(w: &WhatIf, lang: Lang) -> Vec<(String, &itaku::whatif::Suggestion)> {
    let mut seen = std::collections::HashSet::new();
    w.suggestions
        .iter()
        .map(|s| {
            let what: Vec<&str> = s.changes.iter().map(|c| c.what).collect();
            (what.join(lang.pick("、", ", ")), s)
        })
        .filter(|(what, _)| seen.insert(what.clone()))
        .collect()
}

fn recommendation_meaning(rec: Recommendation, lang: Lang) -> &'static str {
    match rec {
        Recommendation::Outsource => lang.pick(
            "業務の全部を委託できます。区は仕様の決定と履行の監督を担います。",
            "The whole operation can go out; the ward keeps the specification and supervision.",
        ),
        Recommendation::Partial => lang.pick(
            "補助的な工程を切り出して委託し、判断は職員が担います。",
            "Carve out the auxiliary steps; staff keep the decisions.",
        ),
        Recommendation::Study => lang.pick(
            "判断に必要な事実が不足しているか、矛盾する事情があります。下の不明な事実を確かめてください。",
            "Facts are missing or conflicting: check the unknown facts below.",
        ),
        Recommendation::InHouse => lang.pick(
            "職員が行うべき業務 (または委託に適さない業務) です。",
            "Work that staff must do, or that does not suit outsourcing.",
        ),
    }
}
