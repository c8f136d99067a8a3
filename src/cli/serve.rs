//! `itaku serve`: the self-assessment web application (`src/web/`) on a local address.

use itaku::diag::{Code, Diagnostic};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::{default_catalog, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog file or directory to browse and to check new ids against (default: catalog/).
    catalog: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// The drafts folder (it holds the drafts store `itaku-drafts.sqlite3`).
    #[arg(long, default_value = "catalog/drafts")]
    drafts: PathBuf,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Allow an address other than loopback. There is no login: anyone who can reach it can use it.
    #[arg(long)]
    allow_remote: bool,
    /// Also accept requests that name this host (repeatable; `NAME` or `NAME:PORT`). Without it only
    /// the loopback names and the bound address are served (against DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
    /// The header in which the ward's reverse proxy names the logged-in user (e.g. X-Remote-User).
    /// Believed only on connections from a --trusted-proxy address; the header from any other address
    /// is refused. Needs --users.
    #[arg(long, value_name = "NAME", requires = "users")]
    trust_user_header: Option<String>,
    /// Address of the reverse proxy whose user header is believed (repeatable; default 127.0.0.1 and
    /// ::1).
    #[arg(
        long = "trusted-proxy",
        value_name = "ADDR",
        requires = "trust_user_header"
    )]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The users file: users, their departments and the policy-staff role (with
    /// --trust-user-header; see docs/self-assessment.md).
    #[arg(long, value_name = "FILE", requires = "trust_user_header")]
    users: Option<PathBuf>,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if !args.addr.ip().is_loopback() {
        if !args.allow_remote {
            return ui.fail(Diagnostic::error(Code::UsageInvalid, format!("{} はこのコンピューターの外から接続できるアドレスです。ログイン機能がないため、--allow-remote を付けた場合だけ使えます", args.addr), format!("{} can be reached from other machines; there is no login, so it needs --allow-remote", args.addr)));
        }
        ui.say(
            &format!("警告: {} で待ち受けます。ログイン機能はありません。このネットワークの誰でも下書きを保存できます。ほかのコンピューターから開く名前は --allow-host で指定してください", args.addr),
            &format!("warning: listening on {}: there is no login; anyone on this network can use it and save drafts. Name the host other machines use with --allow-host", args.addr),
        );
    }
    let identity = match super::serve_users::identity(
        args.trust_user_header.as_deref(),
        &args.trusted_proxy,
        args.users.as_deref(),
        ui,
    ) {
        Ok(i) => Arc::new(i),
        Err(exit) => return exit,
    };
    let compiled = match args.rules.compile(ui) {
        Ok(c) => Arc::new(c),
        Err(exit) => return exit,
    };
    let catalog_path = args.catalog.clone().unwrap_or_else(default_catalog);
    // The same pipeline as `itaku assess`: problems shown, the catalog assessed once for the pages.
    let assessed = itaku::pipeline::assess_path(
        &catalog_path,
        &compiled,
        &itaku::pipeline::Options::default(),
        &mut super::assess::Reported(ui),
    );
    ui.report(&assessed.rule_failures);
    let Some(report) = assessed.report else {
        return super::exit_for(&assessed.loaded.diagnostics).max_with(Exit::Findings);
    };
    let catalog = assessed.loaded.catalog;
    // The drafts store opens at start: a drafts folder that is the catalog's folder, or a link, is
    // refused before anything is served.
    if let Err(e) = itaku::drafts::Store::open(&args.drafts, Some(&catalog_path)) {
        return ui.fail(Diagnostic::of(Code::DraftsUnreadable, e.text));
    }
    let state = match crate::web::AppState::new(
        compiled,
        catalog,
        report,
        args.drafts.clone(),
        catalog_path.display().to_string(),
    ) {
        Ok(state) => Arc::new(state),
        Err(e) => {
            return ui.fail(Diagnostic::error(
                Code::ServeFailed,
                format!("セッションの秘密鍵に使う乱数を OS から得られません: {e}"),
                format!("no random numbers from the operating system for the session secret: {e}"),
            ));
        }
    };
    // The blocking pool (live assessments, saves) is bounded and lets idle threads go, so that a
    // burst of clients neither starts hundreds of threads nor keeps their memory (`web/memory.rs`).
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads((cores * 2).max(2))
        .thread_keep_alive(std::time::Duration::from_secs(2))
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return ui.fail(Diagnostic::error(
                Code::ServeFailed,
                format!("サーバーを起動できません: {e}"),
                format!("cannot start the server: {e}"),
            ));
        }
    };
    let allow_host = args.allow_host.clone();
    let exit = runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.addr).await {
            Ok(l) => l,
            Err(e) => {
                return ui.fail(Diagnostic::error(Code::ServeFailed, format!("{} で待ち受けられません: {e}", args.addr), format!("cannot listen on {}: {e}", args.addr)));

            }
        };
        let bound = listener.local_addr().unwrap_or(args.addr);
        let shown = bound.to_string();
        // The signal handlers are in place before the address is printed: a script that reads the
        // address and sends SIGINT at once must stop the server, not kill it.
        let stop = shutdown();
        // The address goes to standard output, alone on its line, for people and for scripts.
        if super::to_stdout(format!("http://{shown}/\n").as_bytes()).is_err() {
            return Exit::ClosedPipe;
        }
        ui.say(
            &format!("itaku serve: http://{shown}/ で待ち受けています。下書きの保存先: {} (Ctrl-C で終了)", args.drafts.display()),
            &format!("itaku serve: listening on http://{shown}/; drafts go to {} (Ctrl-C stops)", args.drafts.display()),
        );
        let guard = Arc::new(crate::web::guard::Guard::new(bound, &allow_host));
        let app = crate::web::identity::apply(crate::web::router(state), identity);
        let app = crate::web::guard::apply(app, guard);
        let served = crate::web::server::serve(listener, app, stop).await;
        match served {
            Ok(()) => {
                ui.say("itaku serve: 終了しました", "itaku serve: stopped");
                Exit::Success
            }
            Err(e) => {
                ui.fail(Diagnostic::error(Code::ServeFailed, format!("サーバーが停止しました: {e}"), format!("the server stopped: {e}")))
            }
        }
    });
    // Connections still open (a client holding half a request) and work still running do not keep
    // the process: whatever is left is dropped.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    exit
}

/// A future that resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are registered when this is
/// called, not when the future is first polled.
#[cfg(unix)]
fn shutdown() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        let wait = |s: std::io::Result<tokio::signal::unix::Signal>| async move {
            match s {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = wait(interrupt) => {},
            () = wait(terminate) => {},
        }
    }
}

#[cfg(not(unix))]
fn shutdown() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
