//! The page layout, the polite error page and the embedded assets (a stylesheet and one small script;
//! nothing is loaded from elsewhere, so the application works offline).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::Visitor;
use itaku::Lang;

const CSS: &str = include_str!("assets/app.css");
const JS: &str = include_str!("assets/app.js");

/// Served with every page: nothing but this origin's own script, styles and form targets.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Wraps `body` in the layout (navigation, language switch) and makes the response.
pub fn page(visitor: &Visitor, status: StatusCode, title: &str, body: Markup) -> Response {
    let lang = visitor.lang;
    let markup = layout(lang, title, Some(visitor), body);
    visitor.finish(html_response(status, markup))
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// An HTML fragment (the live result): no layout.
pub fn fragment(markup: Markup) -> Response {
    html_response(StatusCode::OK, markup)
}

fn layout(lang: Lang, title: &str, visitor: Option<&Visitor>, body: Markup) -> Markup {
    let link = |path: &str| visitor.map_or_else(|| path.to_string(), |v| v.link(path));
    let other = match lang {
        Lang::Ja => ("?lang=en", "English"),
        Lang::En => ("?", "日本語"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.pick("ja", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — itaku" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { (lang.pick("本文へ移動", "Skip to content")) }
                header.top {
                    nav aria-label=(lang.pick("メニュー", "Menu")) {
                        a.brand href=(link("/")) { "itaku " span { "委託判定" } }
                        a href=(link("/")) { (lang.pick("業務一覧", "Operations")) }
                        a href=(link("/summary")) { (lang.pick("集計", "Summary")) }
                        a href=(link("/new")) { (lang.pick("新しい業務を記入", "Describe a new operation")) }
                        a href=(link("/drafts")) { (lang.pick("下書き", "Drafts")) }
                        @if visitor.is_none_or(|v| v.actor.is_policy()) {
                            a href=(link("/queue")) { (lang.pick("審査", "Review")) }
                        }
                        @if let Some(who) = visitor.and_then(|v| v.actor.shown()) {
                            span.who { (who) }
                        }
                        a.lang href=(other.0) lang=(lang.pick("en", "ja")) { (other.1) }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// The polite messages of error pages.
#[derive(Debug, Clone, Copy)]
pub enum Message {
    NotFound,
    TooLarge,
    BadRequest,
    BadToken,
    Internal,
    /// The `Host` of the request is not this server (421).
    WrongHost,
    /// A POST from another site (403).
    CrossOrigin,
    /// Too much work in flight (503).
    Busy,
    /// A user header from an address that is not the trusted proxy (403).
    ForgedUser,
    /// No user named by the trusted proxy (403).
    NoUser,
    /// A user the users file does not list (403).
    UnknownUser,
    /// A page or action for policy staff, asked by a department user (403).
    StaffOnly,
    /// Another department's draft (403).
    OtherDepartment,
}

impl Message {
    fn texts(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Message::NotFound => (
                "ページが見つかりません",
                "Page not found",
                "URL を確かめるか、業務一覧から選んでください。",
                "Check the address, or choose from the list of operations.",
            ),
            Message::TooLarge => (
                "送信された内容が大きすぎます",
                "What was sent is too large",
                "回答を短くして、もう一度送信してください。",
                "Shorten the answers and send them again.",
            ),
            Message::BadRequest => (
                "送信内容を読み取れませんでした",
                "The request could not be read",
                "ページを開き直して、もう一度お試しください。",
                "Reload the page and try again.",
            ),
            Message::BadToken => (
                "送信を受け付けられませんでした",
                "The form could not be accepted",
                "このページから送信されたことを確認できませんでした。ページを開き直してから、もう一度送信してください。",
                "It could not be confirmed that the form came from this application. Reload the page and send it again.",
            ),
            Message::WrongHost => (
                "このアドレスでは利用できません",
                "This address is not served here",
                "itaku serve を起動したときに表示されたアドレス (例: http://127.0.0.1:8080/) で開いてください。別の名前で開く必要がある場合は、起動時に --allow-host でその名前を指定してください。",
                "Open the address itaku serve printed when it started (such as http://127.0.0.1:8080/). To use another name, start it with --allow-host NAME.",
            ),
            Message::CrossOrigin => (
                "ほかのサイトからの送信は受け付けません",
                "Requests from another site are refused",
                "このアプリケーションのページから送信してください。",
                "Send the form from this application's own pages.",
            ),
            Message::Busy => (
                "ただいま混み合っています",
                "The server is busy",
                "少し待ってから、もう一度お試しください。入力した内容はこのページに残っています。",
                "Please try again in a moment; what you entered is still on the page.",
            ),
            Message::ForgedUser => (
                "このアクセスは受け付けられません",
                "This request is refused",
                "利用者名は区のログイン (リバースプロキシ) を通したアクセスでだけ受け付けます。区のポータルから開いてください。",
                "A user name is accepted only through the ward's login (the reverse proxy). Open the application from the ward's portal.",
            ),
            Message::NoUser => (
                "ログインが必要です",
                "You need to log in",
                "区のログイン (リバースプロキシ) を通して開いてください。ログインした利用者名が届いていません。",
                "Open the application through the ward's login (the reverse proxy): no user name reached it.",
            ),
            Message::UnknownUser => (
                "この利用者は登録されていません",
                "This user is not registered",
                "ログインはできていますが、この利用者は itaku の利用者の設定に載っていません。所属部署を登録してもらうよう、政策担当 (システムの管理者) に連絡してください。",
                "You are logged in, but this user is not in itaku's users file. Ask the policy staff (the administrator) to register your department.",
            ),
            Message::StaffOnly => (
                "政策担当の職員だけが使えるページです",
                "This page is for policy staff only",
                "提出された下書きの審査 (受理・差戻し) は政策担当の職員が行います。自分の部署の下書きは「下書き」の一覧から開けます。",
                "Reviewing submitted drafts (accept, return) is done by policy staff. Your department's drafts are on the Drafts page.",
            ),
            Message::OtherDepartment => (
                "ほかの部署の下書きは開けません",
                "Another department's draft cannot be opened",
                "開けるのは自分の部署の下書きだけです。「下書き」の一覧から選んでください。",
                "Only your own department's drafts can be opened. Choose one on the Drafts page.",
            ),
            Message::Internal => (
                "申し訳ありません。処理中に問題が起きました",
                "Sorry, something went wrong",
                "内容はサーバーの記録に残しました。少し待ってからもう一度お試しください。",
                "The details were logged by the server. Please try again in a moment.",
            ),
        }
    }
}

/// A polite error page (never a stack trace).
pub fn error(status: StatusCode, lang: Lang, message: Message) -> Response {
    let (title_ja, title_en, ja, en) = message.texts();
    let title = lang.pick(title_ja, title_en);
    let body = html! {
        h1 { (title) }
        p { (lang.pick(ja, en)) }
        p { a href=(lang.pick("/", "/?lang=en")) { (lang.pick("業務一覧へ戻る", "Back to the operations")) } }
    };
    html_response(status, layout(lang, title, None, body))
}

pub async fn not_allowed(visitor: Visitor) -> Response {
    visitor.finish(error(
        StatusCode::METHOD_NOT_ALLOWED,
        visitor.lang,
        Message::BadRequest,
    ))
}

pub async fn not_found(visitor: Visitor) -> Response {
    visitor.finish(error(
        StatusCode::NOT_FOUND,
        visitor.lang,
        Message::NotFound,
    ))
}
