//! `itaku serve` in a real browser: headless Chromium driven through chromedriver (WebDriver, with
//! fantoccini) fills the questionnaire for a new operation, sees the recommendation and a checklist item
//! appear live, saves the draft and checks that the file validates; then again with JavaScript switched
//! off, where the form is submitted and the result page rendered by the server. Screenshots are left at
//! `target/serve-result.png` and `target/serve-result-nojs.png` for a person to look at.
//!
//! Needs Debian's `chromium` and `chromium-driver` (and `fonts-noto-cjk` for Japanese), which `.ci/run`
//! installs; without them the test fails rather than skips.

use crate::support::server;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use server::{root, Server};

/// chromedriver on a free loopback port; killed when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub(crate) fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = match Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!(
                "chromedriver cannot be started ({e}): run .ci/run (it installs chromium and \
                 chromium-driver with apt) or `apt-get install --no-install-recommends chromium chromium-driver fonts-noto-cjk`"
            ),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    pub(crate) async fn browser(&self, javascript: bool) -> Client {
        let mut options = json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1800", "--lang=ja"],
        });
        if !javascript {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a chromium session through chromedriver")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

pub(crate) async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    c.find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
}

pub(crate) async fn type_into(c: &Client, selector: &str, text: &str) {
    css(c, selector).await.send_keys(text).await.unwrap();
}

pub(crate) async fn pick(c: &Client, field: &str, value: &str) {
    let selector = format!("input[name={field}][value=\"{value}\"]");
    // Clicking the label is what a person does; it also works with the keyboard (tested by space).
    // In the middle of the window first, as a person scrolls it: on a phone the result's headline bar
    // covers the bottom of the window.
    let input = css(c, &selector).await;
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(&input).unwrap()],
    )
    .await
    .unwrap();
    input.click().await.unwrap();
}

/// Answers a department would give for a bicycle-parking permit counter.
pub(crate) async fn fill(c: &Client, name: &str) {
    type_into(c, "#q-name", name).await;
    type_into(c, "#q-department", "土木部 交通安全自転車課").await;
    pick(c, "statutory_staff_only", "false").await;
    pick(c, "public_authority", "ancillary").await;
    pick(c, "discretion", "rule_bound").await;
    type_into(c, "#q-decision_steps", "利用承認の決定").await;
    type_into(c, "#q-auxiliary_steps", "申請の受付\n入力").await;
    type_into(c, "#q-routine_share", "90%").await;
    pick(c, "difficulty", "2").await;
    pick(c, "co_located", "true").await;
    pick(c, "escalation_to_staff", "true").await;
    pick(c, "personal_data", "general").await;
    type_into(c, "#q-annual_cases", "12000").await;
    type_into(c, "#q-staff_fte", "3").await;
}

/// Waits until the result shows `recommendation`.
pub(crate) async fn wait_for_recommendation(c: &Client, recommendation: &str) {
    let selector = format!("#recommendation[data-recommendation={recommendation}]");
    if let Err(e) = c
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(&selector))
        .await
    {
        let shown = match c.find(Locator::Css("#result")).await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => c.source().await.unwrap_or_default(),
        };
        panic!("no {recommendation} recommendation ({e}); the page shows:\n{shown}");
    }
}

async fn checks_result_and_saves(c: &Client, server: &Server, id: &str, png: &str) {
    let result = css(c, "#result").await.text().await.unwrap();
    assert!(result.contains("一部委託"), "{result}");
    // The S3 item raised by routine referrals to staff, with its mitigation.
    let checklist = css(c, "#checklist").await.text().await.unwrap();
    assert!(checklist.contains("区職員に日常的に照会"), "{checklist}");
    assert!(
        checklist.contains("業務責任者を通じて文書で"),
        "{checklist}"
    );
    let shot = c.screenshot().await.unwrap();
    assert!(shot.starts_with(b"\x89PNG") && shot.len() > 10_000);
    let path = target_dir().join(png);
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(&path, shot).unwrap();

    type_into(c, "#q-id", id).await;
    css(c, "button[value=save]").await.click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#saved"))
        .await
        .expect("the draft is saved");
    let file = server.drafts.join(format!("{id}.yaml"));
    let loaded = itaku::catalog::load_path(&file);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let op = &loaded.catalog.operations[0];
    assert_eq!(op.department, "土木部 交通安全自転車課");
    assert_eq!(op.routine_share, Some(0.9));
    assert_eq!(op.escalation_to_staff, Some(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_fills_the_questionnaire_in_chromium() {
    let fonts = Command::new("fc-list").arg(":lang=ja").output();
    assert!(
        fonts.is_ok_and(|o| !o.stdout.is_empty()),
        "no Japanese font: run .ci/run or `apt-get install --no-install-recommends fonts-noto-cjk`"
    );
    let server = Server::start(&[]);
    let driver = Driver::start();

    // With JavaScript: the result follows the answers without submitting.
    let c = driver.browser(true).await;
    c.goto(&server.url("/new")).await.unwrap();
    wait_for_recommendation(&c, "study").await;
    // Keyboard: Tab moves from one question to the next.
    css(&c, "#q-name").await.click().await.unwrap();
    css(&c, "#q-name")
        .await
        .send_keys("\u{e004}")
        .await
        .unwrap(); // Tab
    let focused = c
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, json!("q-department"));
    fill(&c, "駐輪場利用申請の受付業務").await;
    wait_for_recommendation(&c, "partial").await;
    let updates = css(&c, "#result").await.attr("data-updates").await.unwrap();
    assert!(updates.is_some(), "the result was updated by the script");
    checks_result_and_saves(&c, &server, "bicycle-parking-intake", "serve-result.png").await;

    // At 200 % zoom a 1280-pixel window is 640 CSS pixels wide: one column, nothing to scroll sideways.
    c.set_window_size(640, 1400).await.unwrap();
    c.goto(&server.url("/new?from=counter-back-office"))
        .await
        .unwrap();
    wait_for_recommendation(&c, "partial").await;
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        json!(true),
        "the page scrolls sideways at 640 CSS pixels"
    );
    std::fs::write(
        target_dir().join("serve-zoom200.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();

    // Without JavaScript: the same answers, submitted with the 判定する button.
    let c = driver.browser(false).await;
    c.goto(&server.url("/new")).await.unwrap();
    fill(&c, "駐輪場利用申請の受付業務 (JavaScript なし)").await;
    std::thread::sleep(Duration::from_millis(500));
    let result = css(&c, "#result").await;
    assert_eq!(
        result.attr("data-updates").await.unwrap(),
        None,
        "scripts are off"
    );
    assert!(
        css(&c, "#recommendation")
            .await
            .attr("data-recommendation")
            .await
            .unwrap()
            == Some("study".into())
    );
    css(&c, "button[value=assess]").await.click().await.unwrap();
    wait_for_recommendation(&c, "partial").await;
    checks_result_and_saves(
        &c,
        &server,
        "bicycle-parking-intake-nojs",
        "serve-result-nojs.png",
    )
    .await;
    c.close().await.unwrap();
}
