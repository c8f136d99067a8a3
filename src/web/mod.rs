//! `itaku serve`: a local web application over the same library the command line uses. The router is
//! here; one file per page group: `questionnaire.rs` (describe an operation, live assessment, save and
//! download a draft), `browse.rs` (the catalog's operations, one operation's assessment, the summary),
//! `page.rs` (the layout, the polite error page and the embedded assets), `drafts.rs` (the department's
//! drafts and the policy staff's review queue, over the drafts store [`itaku::drafts::Store`]).
//!
//! Hardening (`guard.rs`, `server.rs`): the `Host` must name this server, a POST must come from this
//! origin, the work in flight and the connections are bounded, and slow clients time out.
//!
//! Identity (`identity.rs`): one local user by default; behind the ward's reverse proxy, the user the
//! proxy names in the trusted header (believed only from the proxy's address), limited to its own
//! department's drafts unless it is policy staff.
//!
//! Security: maud escapes every text; request bodies are limited to [`BODY_LIMIT`]; every POST carries
//! a token bound to the browser's session cookie (`SameSite=Strict`), so another site cannot post a form
//! here; ids are validated by the catalog loader before they name a file; errors are logged on standard
//! error and shown as a polite page.

mod browse;
mod drafts;
pub mod guard;
pub mod identity;
mod memory;
mod page;
mod questionnaire;
pub mod server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};

use itaku::assess::Report;
use itaku::{Catalog, CompiledRules, Lang};

/// Largest request body accepted (a filled questionnaire is a few kilobytes).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Name of the session cookie the form token is bound to.
const SESSION_COOKIE: &str = "itaku_session";

/// The catalog as the pages show it, with its assessment: replaced whole when an accepted draft
/// changes the catalog file ([`AppState::reload`]).
pub struct View {
    pub catalog: Catalog,
    pub report: Report,
}

/// What every handler shares: the rules compiled once, the catalog and its assessment, where drafts go.
pub struct AppState {
    pub compiled: Arc<CompiledRules>,
    view: std::sync::RwLock<Arc<View>>,
    pub drafts: PathBuf,
    /// Where the catalog was read from (shown on the pages).
    pub catalog_path: String,
    /// Secret the form tokens are derived from; new at every start.
    secret: [u8; 32],
    /// The drafts store, opened at the first request that needs it (one connection, one user at a time;
    /// the store itself also serialises writers across processes).
    store: Mutex<Option<itaku::drafts::Store>>,
}

/// Who acts in a loopback, single-user server: recorded with every action (a deployment behind a login
/// would record the user's name instead).
pub const LOCAL_USER: &str = "local";

impl AppState {
    pub fn new(
        compiled: Arc<CompiledRules>,
        catalog: Catalog,
        report: Report,
        drafts: PathBuf,
        catalog_path: String,
    ) -> Result<AppState, getrandom::Error> {
        Ok(AppState {
            compiled,
            view: std::sync::RwLock::new(Arc::new(View { catalog, report })),
            drafts,
            catalog_path,
            secret: {
                let secret = random_bytes()?;
                let _ = SESSION_FALLBACK.set(random_bytes()?);
                secret
            },
            store: Mutex::new(None),
        })
    }

    /// The catalog and its assessment now (a request keeps the one it started with).
    pub fn view(&self) -> Arc<View> {
        Arc::clone(&self.view.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Reads the catalog again and assesses it (after an accept wrote into it). A catalog that no
    /// longer loads keeps the pages on the one they had; the problem is logged.
    pub fn reload(&self) {
        let path = std::path::Path::new(&self.catalog_path);
        let loaded = itaku::catalog::load_path_for(path, &self.compiled.rules);
        if loaded.catalog.is_empty() {
            eprintln!(
                "itaku serve: error: the catalog {} did not load again; the pages keep the catalog they had",
                self.catalog_path
            );
            return;
        }
        let report = itaku::assess_catalog(&loaded.catalog, &self.compiled);
        let view = Arc::new(View {
            catalog: loaded.catalog,
            report,
        });
        *self.view.write().unwrap_or_else(|e| e.into_inner()) = view;
    }

    /// The form token of a session.
    fn token(&self, session: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(session.as_bytes());
        hex(&h.finalize()[..16])
    }

    /// True when `id` is used by the catalog or by a draft in the store (one query, no file looked at).
    fn id_taken(&self, id: &str) -> bool {
        self.view().catalog.find(id).is_some()
            || self.with_store(|s| s.contains(id)).unwrap_or(false)
    }

    /// Runs `f` on the drafts store, opening it first if needed.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut itaku::drafts::Store) -> Result<T, itaku::drafts::StoreError>,
    ) -> Result<T, itaku::drafts::StoreError> {
        let mut guard = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let catalog = std::path::Path::new(&self.catalog_path);
            *guard = Some(itaku::drafts::Store::open(&self.drafts, Some(catalog))?);
        }
        match guard.as_mut() {
            Some(store) => f(store),
            None => Err(itaku::drafts::StoreError {
                text: itaku::lang::Text::new(
                    "下書きの保存庫を開けません",
                    "the drafts store is not open",
                ),
                not_found: false,
            }),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes from the operating system; the clock and process id when it has none.
/// The start-up secret [`new_session_id`] falls back on.
static SESSION_FALLBACK: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

/// A new session id: 16 random bytes from the operating system, or, should its generator fail after
/// start-up, the next of a counter mixed with a start-up secret (still unguessable from outside).
fn new_session_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    match random_bytes() {
        Ok(bytes) => hex(&bytes[..16]),
        Err(_) => {
            // Set when the server starts, before any request (see `AppState::new`).
            let secret = SESSION_FALLBACK.get().copied().unwrap_or_default();
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut h = Sha256::new();
            h.update(secret);
            h.update(n.to_le_bytes());
            hex(&h.finalize()[..16])
        }
    }
}

/// A secret from the operating system's generator. Without one the server does not start: a secret
/// guessed from the clock would let another site forge the form tokens.
fn random_bytes() -> Result<[u8; 32], getrandom::Error> {
    let mut out = [0u8; 32];
    getrandom::fill(&mut out)?;
    Ok(out)
}

pub type Shared = Arc<AppState>;

/// The application's routes.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(browse::list))
        .route("/summary", get(browse::summary))
        .route("/ops/{id}", get(browse::operation))
        .route("/new", get(questionnaire::form).post(questionnaire::submit))
        .route("/api/assess", post(questionnaire::live))
        .route("/drafts", get(drafts::list))
        .route("/drafts/{id}/submit", post(drafts::submit))
        .route("/queue", get(drafts::queue))
        .route("/queue/{id}/accept", post(drafts::accept))
        .route("/queue/{id}/return", post(drafts::return_draft))
        .route("/api/token", get(questionnaire::token))
        .route("/assets/app.js", get(page::script))
        .route("/assets/app.css", get(page::stylesheet))
        .fallback(page::not_found)
        .method_not_allowed_fallback(page::not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// What a request says about its user: the language and the session.
pub struct Visitor {
    pub lang: Lang,
    /// The session id from the cookie, or a new one (then set by the response).
    pub session: String,
    pub new_session: bool,
    /// The query string's pairs.
    pub query: Vec<(String, String)>,
    /// Who is asking (set by [`identity`]; the loopback server's one user when absent).
    pub actor: identity::Actor,
}

impl Visitor {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A link to `path` in the visitor's language.
    pub fn link(&self, path: &str) -> String {
        match self.lang {
            Lang::Ja => path.to_string(),
            Lang::En if path.contains('?') => format!("{path}&lang=en"),
            Lang::En => format!("{path}?lang=en"),
        }
    }

    /// Adds the session cookie to a response when the session is new.
    pub fn finish(&self, mut response: Response) -> Response {
        if self.new_session {
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
                self.session
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query: Vec<(String, String)> = parts
            .uri
            .query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        let lang = match query.iter().find(|(k, _)| k == "lang") {
            Some((_, v)) if v == "en" => Lang::En,
            _ => Lang::Ja,
        };
        let session = session_cookie(&parts.headers);
        Ok(Visitor {
            lang,
            new_session: session.is_none(),
            session: session.unwrap_or_else(new_session_id),
            query,
            actor: parts
                .extensions
                .get::<identity::Actor>()
                .cloned()
                .unwrap_or(identity::Actor::Local),
        })
    }
}

/// The session id of the request's cookie, when it looks like one of ours.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A POSTed form: its pairs, after the body limit and the token were checked.
pub struct PostedForm(pub Vec<(String, String)>);

impl PostedForm {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Checks a POST: the body must be a form within the limit, carrying the session's token. The error is
/// the response to send (on the error path only, so its size does not matter).
#[allow(clippy::result_large_err)]
pub fn check_post(
    state: &AppState,
    visitor: &Visitor,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<PostedForm, Response> {
    let lang = visitor.lang;
    let body = body.map_err(|e| {
        let status = e.status();
        page::error(
            status,
            lang,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                page::Message::TooLarge
            } else {
                page::Message::BadRequest
            },
        )
    })?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| page::error(StatusCode::BAD_REQUEST, lang, page::Message::BadRequest))?;
    let form = PostedForm(pairs);
    let expected = state.token(&visitor.session);
    // Compared in constant time: the time a wrong token takes to refuse says nothing of the right one.
    let matches = form.get("_token").is_some_and(|given| {
        use subtle::ConstantTimeEq;
        bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
    });
    if visitor.new_session || !matches {
        return Err(visitor.finish(page::error(
            StatusCode::FORBIDDEN,
            lang,
            page::Message::BadToken,
        )));
    }
    Ok(form)
}

/// A server-side failure: logged with its detail, shown as a polite page without it.
pub fn internal_error(lang: Lang, what: &str) -> Response {
    eprintln!("itaku serve: error: {what}");
    page::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        lang,
        page::Message::Internal,
    )
}
