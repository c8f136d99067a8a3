//! `itaku serve --trust-user-header NAME [--trusted-proxy ADDR]… --users FILE`: the identity of a ward
//! deployment (`crate::web::identity`), read and checked before anything is served.

use itaku::diag::{Code, Diagnostic};
use std::net::IpAddr;
use std::path::Path;

use super::{exit_for, Exit, Ui};
use crate::web::identity::{Identity, Trusted};

/// The identity the server checks requests with: none (one local user) without a trusted header.
pub fn identity(
    header: Option<&str>,
    proxies: &[IpAddr],
    users: Option<&Path>,
    ui: &Ui,
) -> Result<Identity, Exit> {
    let (Some(header), Some(users)) = (header, users) else {
        return Ok(Identity { trusted: None });
    };
    let name = match axum::http::HeaderName::from_bytes(header.trim().as_bytes()) {
        Ok(n) => n,
        Err(_) => {
            return Err(ui.fail(Diagnostic::error(
                Code::UsageInvalid,
                format!("--trust-user-header {header:?} はヘッダーの名前として使えません (例: X-Remote-User)"),
                format!("--trust-user-header {header:?} is not a header name (e.g. X-Remote-User)"),
            )));
        }
    };
    if matches!(
        name.as_str(),
        "host" | "cookie" | "origin" | "content-type" | "content-length"
    ) {
        return Err(ui.fail(Diagnostic::error(
                Code::UsageInvalid,
                format!("--trust-user-header に {name} は使えません (プロキシが利用者名を入れる専用のヘッダーを指定してください。例: X-Remote-User)"),
                format!("--trust-user-header cannot be {name} (name the header the proxy puts the user in, e.g. X-Remote-User)"),
            )));
    }
    let users = match itaku::users::load(users) {
        Ok(u) => u,
        Err(problems) => {
            ui.report(&problems);
            return Err(exit_for(&problems).max_with(Exit::Usage));
        }
    };
    let proxies: Vec<IpAddr> = if proxies.is_empty() {
        vec![
            IpAddr::from([127, 0, 0, 1]),
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ]
    } else {
        proxies
            .iter()
            .map(|p| crate::web::identity::canonical(*p))
            .collect()
    };
    let shown: Vec<String> = proxies.iter().map(ToString::to_string).collect();
    ui.say(
        &format!(
            "itaku serve: 利用者は {name} ヘッダーで受け取ります (信用するプロキシ: {}; 利用者 {} 人)",
            shown.join(", "),
            users.users.len()
        ),
        &format!(
            "itaku serve: users come in the {name} header (trusted proxies: {}; {} users)",
            shown.join(", "),
            users.users.len()
        ),
    );
    Ok(Identity {
        trusted: Some(Trusted {
            header: name,
            proxies,
            users,
        }),
    })
}
