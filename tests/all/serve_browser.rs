//! `itaku serve` in a real browser: headless Chromium driven through chromedriver (WebDriver, with
//! fantoccini) fills the questionnaire for a new operation, sees the recommendation and a checklist item
//! appear live, saves the draft and checks that it validates; then again with JavaScript switched off,
//! where the form is submitted and the result page rendered by the server. Screenshots are left at
//! `target/serve-result.png` and `target/serve-result-nojs.png` for a person to look at.
//!
//! The review path, end to end: a department fills in, saves, leaves, reopens (every answer back,
//! 「わからない」 included), changes and submits; policy staff return it with a comment; the department
//! sees the comment, fixes and resubmits; staff accept it, and the catalog file holds the entry, passes
//! `itaku check`, and keeps every other byte. Screenshots at 1280 and 390 px wide under
//! `target/screenshots/`.
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
    // The draft is in the store, and its answers make the entry a catalog would hold.
    let store = itaku::drafts::Store::open(&server.drafts, None).unwrap();
    let draft = store.get(id).unwrap().expect("the draft is in the store");
    let rules = itaku::RuleSet::load_embedded().unwrap();
    let checked = itaku::questionnaire::validate(&draft.answers, id, &rules);
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    let op = checked.operation.unwrap();
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

async fn click(c: &Client, selector: &str) {
    css(c, selector).await.click().await.unwrap();
}

async fn wait_css(c: &Client, selector: &str) {
    if let Err(e) = c
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(selector))
        .await
    {
        let page = c.source().await.unwrap_or_default();
        panic!("{selector} never appeared ({e}); the page:\n{page}");
    }
}

async fn value(c: &Client, selector: &str) -> String {
    css(c, selector)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn replace_text(c: &Client, selector: &str, text: &str) {
    let e = css(c, selector).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Screenshots of the page at `path` at 1280 and 390 CSS pixels wide.
async fn shoot(c: &Client, server: &Server, path: &str, name: &str) {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (width, height) in [(1280, 1400), (390, 1400)] {
        c.set_window_size(width, height).await.unwrap();
        c.goto(&server.url(path)).await.unwrap();
        let shot = c.screenshot().await.unwrap();
        assert!(shot.starts_with(b"\x89PNG"));
        std::fs::write(dir.join(format!("{name}-{width}.png")), shot).unwrap();
    }
    c.set_window_size(1280, 1800).await.unwrap();
}

fn store(server: &Server) -> itaku::drafts::Store {
    itaku::drafts::Store::open(&server.drafts, None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_goes_from_the_department_through_review_into_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join("catalog/10_toshi_doboku.yaml")).unwrap();
    let catalog = dir.path().join("doboku.yaml");
    std::fs::write(&catalog, &original).unwrap();
    let server = Server::start(&[catalog.to_str().unwrap()]);
    let driver = Driver::start();
    let c = driver.browser(true).await;

    // The department fills in and saves; the id comes from the department (土木部 → doboku).
    c.goto(&server.url("/new")).await.unwrap();
    fill(&c, "自転車駐車場の定期利用受付").await;
    type_into(&c, "#q-description", "わからない").await;
    wait_for_recommendation(&c, "partial").await;
    click(&c, "button[value=save]").await;
    wait_css(&c, "#saved").await;
    let id = "doboku-001";
    assert_eq!(store(&server).get(id).unwrap().unwrap().version, 1);
    shoot(&c, &server, &format!("/new?from={id}"), "1-department-form").await;

    // Leaves, comes back through the drafts page: every answer is there, わからない included.
    c.goto(&server.url("/")).await.unwrap();
    c.goto(&server.url("/drafts")).await.unwrap();
    click(&c, &format!("section[data-draft=\"{id}\"] h2 a")).await;
    wait_css(&c, "#draft-status").await;
    assert_eq!(value(&c, "#q-name").await, "自転車駐車場の定期利用受付");
    assert_eq!(value(&c, "#q-description").await, "わからない");
    assert_eq!(value(&c, "#q-annual_cases").await, "12000");
    let checked = css(&c, "input[name=statutory_staff_only][value=false]")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(checked.as_deref(), Some("true"));
    // Changes an answer and submits: a new version of the same draft.
    replace_text(&c, "#q-annual_cases", "15000").await;
    click(&c, "button[value=submit]").await;
    wait_css(&c, "#submitted").await;
    let d = store(&server).get(id).unwrap().unwrap();
    assert_eq!((d.version, d.status), (2, itaku::drafts::Status::Submitted));
    assert_eq!(
        store(&server).list(None).unwrap().len(),
        1,
        "no copy was made"
    );

    // Policy staff see it in the queue with its assessment, and return it with a comment.
    shoot(&c, &server, "/queue", "2-staff-queue").await;
    c.goto(&server.url("/queue")).await.unwrap();
    let item = css(&c, &format!("#queue-{id}")).await.text().await.unwrap();
    assert!(item.contains("一部委託"), "{item}");
    type_into(
        &c,
        &format!("#comment-{id}"),
        "年間件数の根拠 (令和6年度実績) を確認してください",
    )
    .await;
    click(&c, &format!("#queue-{id} form[action$=return] button")).await;
    wait_css(&c, "#returned").await;
    assert_eq!(
        store(&server).get(id).unwrap().unwrap().status,
        itaku::drafts::Status::Returned
    );

    // The department sees the comment, fixes the answer and resubmits.
    c.goto(&server.url("/drafts")).await.unwrap();
    let row = css(&c, &format!("section[data-draft=\"{id}\"]"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("令和6年度実績") && row.contains("差戻し"),
        "{row}"
    );
    shoot(&c, &server, "/drafts", "3-department-drafts-returned").await;
    c.goto(&server.url(&format!("/new?from={id}")))
        .await
        .unwrap();
    let comment = css(&c, "#return-comment").await.text().await.unwrap();
    assert!(comment.contains("令和6年度実績"), "{comment}");
    replace_text(&c, "#q-annual_cases", "16000").await;
    click(&c, "button[value=submit]").await;
    wait_css(&c, "#submitted").await;

    // Staff accept it: the catalog file holds the entry, every other byte as it was.
    c.goto(&server.url("/queue")).await.unwrap();
    click(&c, &format!("#queue-{id} form[action$=accept] button")).await;
    wait_css(&c, "#accepted").await;
    shoot(&c, &server, "/drafts", "4-department-drafts-accepted").await;
    let d = store(&server).get(id).unwrap().unwrap();
    assert_eq!((d.version, d.status), (3, itaku::drafts::Status::Accepted));
    let actions: Vec<String> = store(&server)
        .events(id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "saved",
            "saved",
            "submitted",
            "returned",
            "saved",
            "submitted",
            "accepted"
        ]
    );
    let text = std::fs::read_to_string(&catalog).unwrap();
    assert!(
        text.starts_with(&original),
        "the catalog's text before the entry is unchanged"
    );
    let loaded = itaku::catalog::load_path(&catalog);
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let op = loaded.catalog.find(id).expect("the accepted entry");
    assert_eq!(op.annual_cases, Some(16000));
    assert_eq!(op.department, "土木部 交通安全自転車課");
    let check = Command::new(env!("CARGO_BIN_EXE_itaku"))
        .current_dir(root())
        .arg("check")
        .arg(&catalog)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    c.close().await.unwrap();
}
