//! `itaku serve` as a department meets it in Chromium (issue 21 points 5 and 6): axe-core, injected into
//! the page, reports no serious or critical violation on any page (/, /summary, /ops/ID, /new blank,
//! filled, and with a wrong answer) at 1280 and 390 CSS pixels; a blank form shows no error; a wrong
//! answer (150 %) is explained under its own question and the message goes once it is fixed; the
//! headline (recommendation, top risk, freed FTE) stays in view on a phone while answering; and after
//! a server restart an open form keeps its answers and its live result. Screenshots are left in
//! `target/screenshots/` for a person to look at.
//!
//! The pages of a ward deployment (issue 21 point 4: a department user's pages and the refusals) are
//! checked the same way through a real nginx (`serve_proxy.rs`), the login given in the URL.
//!
//! axe-core comes from the npm registry (`npm pack axe-core@AXE_VERSION`, which `.ci/run` does), cached
//! under `target/axe-core/`; without npm and without the cache the test fails and says so.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::serve_browser::{
    css, fill, pick, target_dir, type_into, wait_for_recommendation, Driver,
};
use crate::support::server::{root, Server};

const AXE_VERSION: &str = "4.10.3";

/// The axe-core script, fetched once into `target/axe-core/`.
pub(crate) fn axe_script() -> String {
    let dir = target_dir().join("axe-core");
    let script = dir.join(format!("axe-{AXE_VERSION}.min.js"));
    if !script.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let packed = Command::new("npm")
            .args(["pack", &format!("axe-core@{AXE_VERSION}"), "--silent"])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("npm is needed to fetch axe-core ({e}); run .ci/run"));
        assert!(
            packed.status.success(),
            "npm pack axe-core failed: {}",
            String::from_utf8_lossy(&packed.stderr)
        );
        let tarball = dir.join(format!("axe-core-{AXE_VERSION}.tgz"));
        let out = Command::new("tar")
            .args(["-xzf"])
            .arg(&tarball)
            .args(["-O", "package/axe.min.js"])
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stdout.len() > 100_000,
            "axe.min.js not in {}",
            tarball.display()
        );
        let tmp = dir.join(format!(".axe-{}.tmp", std::process::id()));
        std::fs::write(&tmp, &out.stdout).unwrap();
        std::fs::rename(&tmp, &script).unwrap();
    }
    std::fs::read_to_string(&script).unwrap()
}

/// Runs axe-core on the page shown and returns its serious and critical violations, described.
pub(crate) async fn serious_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}\n;return typeof axe;"), vec![])
        .await
        .expect("axe-core loads into the page");
    let found = c
        .execute_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document).then(function (r) {
               done({ passes: r.passes.length, violations: r.violations.map(function (v) {
                 return { id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 4).map(function (n) { return n.target.join(' ') + ' ' + (n.failureSummary || ''); }) };
               }) });
             }).catch(function (e) { done({ passes: 0, violations: [{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }] }); });",
            vec![],
        )
        .await
        .expect("axe.run answers");
    // axe ran its checks (a page where nothing was checked passes nothing).
    assert!(
        found["passes"].as_u64().unwrap_or(0) > 10,
        "axe-core checked nothing: {found}"
    );
    let violations = found["violations"].as_array().unwrap();
    for v in violations {
        // The minor and moderate ones are listed for a person to read; the test fails on the others.
        eprintln!("axe: {} ({}): {}", v["id"], v["impact"], v["help"]);
    }
    violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{} ({}): {} — {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect()
}

fn screenshots() -> PathBuf {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Waits until `script` returns true (60 s at most), or fails with `what`.
async fn until(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if js(c, script).await == json!(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {}",
            js(c, "return document.body.innerText.slice(0, 3000);").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The texts of every visible message under a question.
const VISIBLE_ERRORS: &str = "return Array.prototype.filter.call(document.querySelectorAll('p.error'), \
     function (p) { return p.offsetParent !== null && p.textContent.trim() !== ''; }).map(function (p) { return p.textContent; });";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_and_the_form_speaks_plainly() {
    let axe = axe_script();
    let server = Server::start(&[]);
    let driver = Driver::start();
    let c = driver.browser(true).await;
    let mut failures = Vec::new();
    for (width, height) in [(1280u32, 900u32), (390, 844)] {
        c.set_window_size(width, height).await.unwrap();
        for (name, path) in [
            ("list", "/"),
            ("summary", "/summary"),
            ("operation", "/ops/counter-back-office"),
            ("operation-en", "/ops/tax-delinquency-seizure?lang=en"),
            ("new-blank", "/new"),
        ] {
            // Answers kept in the tab from the round before would fill the blank form.
            js(
                &c,
                "try { sessionStorage.clear(); } catch (e) {} return null;",
            )
            .await;
            c.goto(&server.url(path)).await.unwrap();
            if name == "new-blank" {
                wait_for_recommendation(&c, "study").await;
                // A blank form shows no error, under a question or in the result.
                assert_eq!(js(&c, VISIBLE_ERRORS).await, json!([]), "{width} px");
                assert!(
                    c.find(Locator::Css("#problems")).await.is_err(),
                    "{width} px: problems on a blank form"
                );
            }
            // Nothing to scroll sideways, at either width.
            let wide = js(
                &c,
                "var w = document.documentElement.clientWidth; return Array.prototype.filter.call(document.querySelectorAll('body *'),                  function (e) { var r = e.getBoundingClientRect(); return r.right > w + 1 && getComputedStyle(e).position !== 'fixed'; })                  .slice(0, 5).map(function (e) { return e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40); });",
            )
            .await;
            let fits = js(&c, "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1;").await;
            if fits != json!(true) {
                failures.push(format!("{path} at {width} px scrolls sideways: {wide}"));
            }
            for v in serious_violations(&c, &axe).await {
                failures.push(format!("{path} at {width} px: {v}"));
            }
            shot(&c, &format!("{name}-{width}")).await;
        }

        // Filled in, then one wrong answer: its message under its own question, in Japanese.
        js(&c, "sessionStorage.clear(); return null;").await;
        c.goto(&server.url("/new")).await.unwrap();
        wait_for_recommendation(&c, "study").await;
        fill(&c, "駐輪場利用申請の受付業務").await;
        wait_for_recommendation(&c, "partial").await;
        for v in serious_violations(&c, &axe).await {
            failures.push(format!("/new filled at {width} px: {v}"));
        }
        shot(&c, &format!("new-filled-{width}")).await;
        let share = css(&c, "#q-routine_share").await;
        share.clear().await.unwrap();
        share.send_keys("150%").await.unwrap();
        until(
            &c,
            "return document.getElementById('e-routine_share').textContent.indexOf('0%から100%') >= 0;",
            "no message under the share question",
        )
        .await;
        let errors = js(&c, VISIBLE_ERRORS).await;
        assert_eq!(errors.as_array().unwrap().len(), 1, "{errors}");
        assert!(errors[0].as_str().unwrap().contains("150%"), "{errors}");
        assert_eq!(
            css(&c, "#q-routine_share")
                .await
                .attr("aria-invalid")
                .await
                .unwrap()
                .as_deref(),
            Some("true")
        );
        // Facts are named by their titles in the result, never by field names.
        let result = css(&c, "#result").await.text().await.unwrap();
        for code in [
            "routine_share",
            "statutory_staff_only",
            "decision_steps",
            "`",
        ] {
            assert!(!result.contains(code), "{code} in the result:\n{result}");
        }
        for v in serious_violations(&c, &axe).await {
            failures.push(format!("/new with a wrong answer at {width} px: {v}"));
        }
        shot(&c, &format!("new-wrong-answer-{width}")).await;
        // Fixed: the message goes.
        share.clear().await.unwrap();
        share.send_keys("90%").await.unwrap();
        until(
            &c,
            "return document.getElementById('e-routine_share').textContent === '' && !document.getElementById('problems');",
            "the message stayed after the answer was fixed",
        )
        .await;
        wait_for_recommendation(&c, "partial").await;

        if width == 390 {
            // On a phone the headline stays in view while answering the first questions.
            css(&c, "#q-name").await.click().await.unwrap();
            js(&c, "window.scrollTo(0, 0); return null;").await;
            let bar = js(
                &c,
                "var r = document.getElementById('summary-bar').getBoundingClientRect(); \
                 return [r.top, r.bottom, window.innerHeight, window.innerWidth, document.getElementById('summary-bar').innerText];",
            )
            .await;
            let (top, bottom, inner) = (
                bar[0].as_f64().unwrap(),
                bar[1].as_f64().unwrap(),
                bar[2].as_f64().unwrap(),
            );
            assert!(
                bar[3].as_f64().unwrap() <= 400.0,
                "the window is not phone-sized: {bar}"
            );
            assert!(
                top >= 0.0 && bottom <= inner + 1.0 && bottom - top > 20.0,
                "headline out of view: {bar}"
            );
            let text = bar[4].as_str().unwrap();
            assert!(
                text.contains("一部委託") && text.contains("FTE") && text.contains("リスク"),
                "{text}"
            );
            shot(&c, "new-answering-390").await;
        }
    }
    c.close().await.unwrap();
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        failures.join("\n")
    );
}

/// `itaku serve` on a given port (so that it can be restarted where the page expects it).
struct Fixed {
    child: Child,
}

impl Fixed {
    fn start(port: u16, drafts: &std::path::Path) -> Fixed {
        let mut child = Command::new(env!("CARGO_BIN_EXE_itaku"))
            .current_dir(root())
            .args([
                "serve",
                "--as-of",
                "2026-04-01",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--drafts",
            ])
            .arg(drafts)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert!(line.contains(&format!(":{port}/")), "{line}");
        Fixed { child }
    }
}

impl Drop for Fixed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_form_survives_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/new");
    let first = Fixed::start(port, dir.path());
    let driver = Driver::start();
    let c = driver.browser(true).await;
    c.goto(&url).await.unwrap();
    wait_for_recommendation(&c, "study").await;
    type_into(&c, "#q-name", "保育所入所申請の受付業務").await;
    type_into(&c, "#q-department", "子ども・若者部 保育課").await;
    pick(&c, "statutory_staff_only", "false").await;
    pick(&c, "public_authority", "ancillary").await;
    pick(&c, "discretion", "rule_bound").await;
    type_into(&c, "#q-decision_steps", "入所の決定").await;
    type_into(&c, "#q-auxiliary_steps", "申請の受付\n入力").await;
    pick(&c, "difficulty", "2").await;
    until(&c, "return document.getElementById('result').hasAttribute('data-updates') && !document.getElementById('result').hasAttribute('aria-busy');", "no live result").await;

    // The server restarts (a new secret: the page's token is now refused).
    drop(first);
    let _second = Fixed::start(port, dir.path());
    // The next answer still updates the result: the script renews the token and sends it again.
    type_into(&c, "#q-routine_share", "90%").await;
    until(
        &c,
        "return document.getElementById('result').innerText.indexOf('定型度90%') >= 0;",
        "the result did not follow the answer after the restart",
    )
    .await;
    assert!(
        c.find(Locator::Css("#connection-notice")).await.is_err(),
        "a notice although the retry worked"
    );

    // A reload keeps every answer typed (kept in the tab), and the result follows them.
    c.refresh().await.unwrap();
    until(
        &c,
        "return document.getElementById('result').innerText.indexOf('定型度90%') >= 0;",
        "the result did not follow the kept answers",
    )
    .await;
    let kept = js(
        &c,
        "return [document.getElementById('q-name').value, document.getElementById('q-routine_share').value, \
                 document.querySelector('input[name=public_authority]:checked').value];",
    )
    .await;
    assert_eq!(
        kept,
        json!(["保育所入所申請の受付業務", "90%", "ancillary"])
    );
    shot(&c, "new-after-restart-1280").await;

    // With the server gone for good, the page says so and keeps what was typed.
    drop(_second);
    type_into(&c, "#q-annual_cases", "3000").await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#connection-notice"))
        .await
        .expect("a notice that the result could not be updated");
    let notice = css(&c, "#connection-notice").await.text().await.unwrap();
    assert!(notice.contains("再読み込み"), "{notice}");
    let stored = js(&c, "return sessionStorage.getItem('itaku-answers:/new');").await;
    assert!(stored.as_str().unwrap().contains("3000"), "{stored}");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ward_deployment_pages_pass_axe() {
    use crate::serve_proxy::{start_nginx, users_file, Browser};
    let axe = axe_script();
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.yaml");
    std::fs::copy(root().join("catalog/08_kodomo.yaml"), &catalog).unwrap();
    let users = users_file(dir.path());
    let server = Server::start(&[
        "--trust-user-header",
        "X-Remote-User",
        "--trusted-proxy",
        "127.0.0.2",
        "--users",
        &users,
        catalog.to_str().unwrap(),
    ]);
    let nginx = start_nginx(&server.addr);
    // Department B's draft, and one of A's waiting in the queue.
    let b = Browser::login(&nginx, "suzuki");
    assert_eq!(
        b.save("kazei-a11y", "課税台帳の入力", "財務部 課税課")
            .status,
        200
    );
    let a = Browser::login(&nginx, "tanaka");
    assert_eq!(
        a.save(
            "hoiku-a11y",
            "保育料の口座振替受付",
            "子ども・若者部 保育課"
        )
        .status,
        200
    );
    assert_eq!(a.post("/drafts/hoiku-a11y/submit", &[]).status, 200);

    let driver = Driver::start();
    let c = driver.browser(true).await;
    let port = nginx.addr.rsplit(':').next().unwrap().to_string();
    let through = |user: &str, password: &str, path: &str| {
        format!("http://{user}:{password}@127.0.0.1:{port}{path}")
    };
    let mut failures = Vec::new();
    for (width, height) in [(1280u32, 900u32), (390, 844)] {
        c.set_window_size(width, height).await.unwrap();
        for (name, url, expect) in [
            (
                "ward-department-drafts",
                through("tanaka", "hoiku-pass", "/drafts"),
                "hoiku-a11y",
            ),
            (
                "ward-department-new",
                through("tanaka", "hoiku-pass", "/new"),
                "tanaka (子ども・若者部 保育課)",
            ),
            (
                "ward-other-department",
                through("tanaka", "hoiku-pass", "/new?from=kazei-a11y"),
                "ほかの部署の下書きは開けません",
            ),
            (
                "ward-staff-only",
                through("tanaka", "hoiku-pass", "/queue"),
                "政策担当の職員だけが使えるページです",
            ),
            (
                "ward-staff-queue",
                through("sato", "seisaku-pass", "/queue"),
                "hoiku-a11y",
            ),
            (
                "ward-unknown-user",
                through("outsider", "no-dept-pass", "/"),
                "この利用者は登録されていません",
            ),
            (
                "ward-around-the-proxy",
                server.url("/"),
                "ログインが必要です",
            ),
        ] {
            js(
                &c,
                "try { sessionStorage.clear(); } catch (e) {} return null;",
            )
            .await;
            c.goto(&url).await.unwrap();
            let text = js(&c, "return document.body.innerText;").await;
            assert!(
                text.as_str().is_some_and(|t| t.contains(expect)),
                "{name} at {width} px lacks {expect}: {text}"
            );
            let fits = js(&c, "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1;").await;
            if fits != json!(true) {
                failures.push(format!("{name} at {width} px scrolls sideways"));
            }
            for v in serious_violations(&c, &axe).await {
                failures.push(format!("{name} at {width} px: {v}"));
            }
            shot(&c, &format!("{name}-{width}")).await;
        }
    }
    c.close().await.unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
