//! Who is asking. A loopback server has one user, [`Actor::Local`], who may do everything. Behind the
//! ward's reverse proxy (`--trust-user-header NAME --users FILE [--trusted-proxy ADDR]…`) the proxy
//! logs the user in and names them in the header `NAME`; the header is believed only on a connection
//! from a trusted proxy's address. A request carrying it from any other address is refused (403) and
//! logged — whoever can reach the server around the proxy could otherwise claim to be anybody — and so
//! is a request without a user, or with a user the users file ([`itaku::users`]) does not list.
//!
//! The peer address comes from the accept loop (`server.rs` puts a [`ConnectInfo`] into every request).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;

use itaku::users::{Role, User, Users};
use itaku::Lang;

use super::page::{self, Message};

/// The user a request acts as; recorded with every action.
#[derive(Debug, Clone)]
pub enum Actor {
    /// The one user of a loopback server ([`super::LOCAL_USER`]).
    Local,
    /// A user the trusted proxy named.
    User(User),
}

impl Actor {
    /// The name recorded with an action.
    pub fn name(&self) -> &str {
        match self {
            Actor::Local => super::LOCAL_USER,
            Actor::User(u) => &u.name,
        }
    }

    /// The department a department user is limited to (`None`: every department).
    pub fn department(&self) -> Option<&str> {
        match self {
            Actor::User(User {
                role: Role::Department(d),
                ..
            }) => Some(d),
            _ => None,
        }
    }

    /// Whether the user may review (see the queue, accept, return).
    pub fn is_policy(&self) -> bool {
        self.department().is_none()
    }

    /// Whether the user may see and change a draft of `department`.
    pub fn may_open(&self, department: &str) -> bool {
        self.department()
            .is_none_or(|own| own.trim() == department.trim())
    }

    /// The user as the navigation shows them (`None` on a loopback server).
    pub fn shown(&self) -> Option<String> {
        match self {
            Actor::Local => None,
            Actor::User(User {
                name,
                role: Role::Department(d),
            }) => Some(format!("{name} ({d})")),
            Actor::User(User {
                name,
                role: Role::Policy,
            }) => Some(format!("{name} (政策担当 / policy staff)")),
        }
    }
}

/// How users are known.
pub struct Identity {
    /// The trusted header, with the users file and the proxies' addresses; `None` on a loopback server.
    pub trusted: Option<Trusted>,
}

pub struct Trusted {
    pub header: HeaderName,
    pub proxies: Vec<IpAddr>,
    pub users: Users,
}

/// The router with the identity check in front (inside the guard: a wrong `Host` is refused first).
pub fn apply(router: Router, identity: Arc<Identity>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(identity, check))
}

fn lang_of(request: &Request) -> Lang {
    let en = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "lang=en"));
    if en {
        Lang::En
    } else {
        Lang::Ja
    }
}

async fn check(
    State(identity): State<Arc<Identity>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(trusted) = &identity.trusted else {
        request.extensions_mut().insert(Actor::Local);
        return next.run(request).await;
    };
    let lang = lang_of(&request);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let from_proxy = peer.is_some_and(|ip| trusted.proxies.contains(&canonical(ip)));
    let claimed = request.headers().get(&trusted.header).cloned();
    let path = request.uri().path().to_string();
    if !from_proxy {
        let shown = peer.map_or_else(|| "?".to_string(), |p| p.to_string());
        if claimed.is_some() {
            eprintln!(
                "itaku serve: refused: {} header from {shown}, which is not a trusted proxy ({path})",
                trusted.header
            );
            return page::error(StatusCode::FORBIDDEN, lang, Message::ForgedUser);
        }
        eprintln!(
            "itaku serve: refused: a request from {shown}, not through the trusted proxy ({path})"
        );
        return page::error(StatusCode::FORBIDDEN, lang, Message::NoUser);
    }
    // The stylesheet and the script are the same for everybody.
    if path.starts_with("/assets/") {
        return next.run(request).await;
    }
    let name = claimed
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(name) = name else {
        eprintln!(
            "itaku serve: refused: the proxy sent no {} header ({path})",
            trusted.header
        );
        return page::error(StatusCode::FORBIDDEN, lang, Message::NoUser);
    };
    let Some(user) = trusted.users.find(name) else {
        eprintln!("itaku serve: refused: the user {name:?} is not in the users file ({path})");
        return page::error(StatusCode::FORBIDDEN, lang, Message::UnknownUser);
    };
    request.extensions_mut().insert(Actor::User(user.clone()));
    next.run(request).await
}

/// An IPv4 address seen as IPv6 (`::ffff:127.0.0.2`, on a dual-stack listener) as the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, role: Role) -> Actor {
        Actor::User(User {
            name: name.into(),
            role,
        })
    }

    #[test]
    fn departments_see_their_own_and_policy_staff_everything() {
        let a = user("tanaka", Role::Department("保育課".into()));
        assert!(a.may_open("保育課"));
        assert!(a.may_open(" 保育課 "));
        assert!(!a.may_open("税務課"));
        assert!(!a.is_policy());
        let p = user("sato", Role::Policy);
        assert!(p.may_open("税務課") && p.is_policy());
        assert!(Actor::Local.may_open("税務課") && Actor::Local.is_policy());
        assert_eq!(Actor::Local.name(), "local");
    }

    #[test]
    fn mapped_addresses_are_their_ipv4() {
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();
        assert_eq!(canonical(mapped), "127.0.0.2".parse::<IpAddr>().unwrap());
    }
}
