//! `itaku serve` over HTTP: every route's status, escaping of catalog and user text, the body limit,
//! the form token, traversal attempts in ids, drafts saved in the store (a new draft never over
//! another, a reopened one as a new version), and concurrent saves.

use crate::support::server;

use server::{between, Server};

/// Answers that make a complete, valid operation.
fn answers<'a>(token: &'a str, name: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_token", token),
        ("id", id),
        ("name", name),
        ("department", "土木部 交通安全自転車課"),
        ("statutory_staff_only", "false"),
        ("public_authority", "ancillary"),
        ("discretion", "rule_bound"),
        ("routine_share", "90%"),
        ("difficulty", "2"),
        ("decision_steps", "利用承認の決定"),
        ("auxiliary_steps", "申請の受付\n入力"),
        ("co_located", "true"),
        ("escalation_to_staff", "true"),
        ("personal_data", "general"),
        ("annual_cases", "12000"),
        ("staff_fte", "3"),
    ]
}

#[test]
fn every_page_answers_in_both_languages() {
    let s = Server::start(&[]);
    for (path, status, text) in [
        ("/", 200, "業務一覧"),
        ("/?lang=en", 200, "Operations"),
        (
            "/?department=%E8%B2%A1%E5%8B%99%E9%83%A8%20%E8%AA%B2%E7%A8%8E%E8%AA%B2",
            200,
            "財務部 課税課",
        ),
        ("/?recommendation=in_house&lang=en", 200, "keep in-house"),
        ("/?focus_area=facilities", 200, "施設"),
        ("/summary", 200, "所管別の件数と削減FTE"),
        ("/summary?lang=en", 200, "freed FTE by department"),
        ("/ops/counter-back-office", 200, "チェックリスト"),
        ("/ops/counter-back-office?lang=en", 200, "Checklist"),
        (
            "/new",
            200,
            "この業務には、許認可・処分など区長の判断による決定が含まれますか？",
        ),
        (
            "/new?lang=en",
            200,
            "Does the work include decisions of the mayor",
        ),
        (
            "/new?from=counter-back-office",
            200,
            "住民異動届等の窓口バックオフィス業務",
        ),
        ("/ops/no-such-operation", 404, "ページが見つかりません"),
        ("/ops/..%2F..%2Fetc%2Fpasswd", 404, "ページが見つかりません"),
        ("/nothing-here?lang=en", 404, "Page not found"),
        ("/assets/app.js", 200, "fetch("),
        ("/assets/app.css", 200, ".badge"),
    ] {
        let r = s.get(path, None);
        assert_eq!(r.status, status, "{path}");
        assert!(r.body.contains(text), "{path} lacks {text}");
        if r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
        {
            assert!(r.body.starts_with("<!DOCTYPE html>"), "{path}");
            assert!(
                r.header("content-security-policy")
                    .is_some_and(|c| c.contains("script-src 'self'")),
                "{path}"
            );
            // Offline: nothing is loaded from another site.
            assert!(
                !r.body.contains("http://") && !r.body.contains("https://"),
                "{path}"
            );
        }
    }
    // The summary counts every operation of the bundled catalog.
    let summary = s.get("/summary", None);
    assert!(
        summary.body.contains("48件の業務"),
        "{}",
        &summary.body[..400.min(summary.body.len())]
    );
    let all = s.get("/", None);
    assert_eq!(all.body.matches("<a href=\"/ops/").count(), 48);
    let inhouse = s.get("/?recommendation=in_house", None);
    assert_eq!(inhouse.body.matches("<a href=\"/ops/").count(), 6);
}

#[test]
fn every_field_has_its_question_on_the_form() {
    let s = Server::start(&[]);
    let page = s.get("/new", None).body;
    for f in itaku::catalog::Field::ALL {
        let q = itaku::catalog::questions::question(*f);
        assert!(
            page.contains(&format!("id=\"q-{}\"", f.name())),
            "no input for {f:?}"
        );
        assert!(page.contains(q.text.ja), "no question for {f:?}");
    }
    // わからない is always allowed: one per closed question.
    let closed = itaku::catalog::Field::ALL
        .iter()
        .filter(|f| {
            itaku::catalog::questions::is_yes_no(**f) || itaku::catalog::questions::is_choice(**f)
        })
        .count();
    assert!(page.matches("value=\"\"").count() >= closed);
    assert!(page.matches("わからない").count() >= closed);
    // Every input is labelled: a label for= each text input, a legend for each group of choices.
    for f in itaku::catalog::Field::ALL {
        let closed =
            itaku::catalog::questions::is_yes_no(*f) || itaku::catalog::questions::is_choice(*f);
        let legend = page.contains(&format!("<legend id=\"q-{}\">", f.name()));
        if closed {
            assert!(legend, "{f:?}: a group of choices has a legend");
        } else {
            let label = page.contains(&format!("<label for=\"q-{}\">", f.name()));
            assert!(label || legend, "{f:?} has no label");
        }
    }
}

#[test]
fn posts_need_the_session_token() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    // No cookie, no token, another session's token, a wrong token: all refused, nothing saved.
    let other = Server::start(&[]).session().1;
    for (cookie, token) in [
        (None, token.as_str()),
        (Some(cookie.as_str()), ""),
        (Some(cookie.as_str()), other.as_str()),
        (Some(cookie.as_str()), "0123456789abcdef0123456789abcdef"),
    ] {
        let mut form = answers(token, "業務", "token-test");
        form.push(("_action", "save"));
        let r = s.post("/new", cookie, &form);
        assert_eq!(r.status, 403, "cookie {cookie:?} token {token:?}");
        assert!(r.body.contains("送信を受け付けられませんでした"));
        let r = s.post("/api/assess", cookie, &form);
        assert_eq!(r.status, 403);
    }
    assert!(!s.drafts.join("token-test.yaml").exists());
    assert!(!s.drafts.exists() || !store(&s).contains("token-test").unwrap());
    // With both, the live answer is a fragment with the recommendation.
    let r = s.post(
        "/api/assess",
        Some(&cookie),
        &answers(&token, "業務", "token-test"),
    );
    assert_eq!(r.status, 200);
    assert!(!r.body.starts_with("<!DOCTYPE"));
    assert!(
        r.body.contains("data-recommendation=\"partial\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"checklist\""));
}

#[test]
fn text_is_escaped_everywhere() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let name = "<script>alert(1)</script>&\"'";
    let r = s.post("/api/assess", Some(&cookie), &answers(&token, name, ""));
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("<script>alert"));
    let mut form = answers(&token, name, "");
    form.push(("_action", "assess"));
    let page = s.post("/new", Some(&cookie), &form);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>alert"), "unescaped name");
    assert!(page
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"));
    // The only script is the application's own.
    assert_eq!(page.body.matches("<script").count(), 1);
}

fn store(s: &Server) -> itaku::drafts::Store {
    itaku::drafts::Store::open(&s.drafts, None).unwrap()
}

#[test]
fn drafts_are_saved_validated_and_versioned_in_the_store() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let mut form = answers(&token, "駐輪場利用申請の受付", "bicycle-parking-intake");
    form.push(("manuals", "わからない"));
    form.push(("_action", "save"));
    let r = s.post("/new", Some(&cookie), &form);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("下書きを保存しました"));
    // The store holds the answers exactly as given, わからない included; no YAML file is written.
    let d = store(&s).get("bicycle-parking-intake").unwrap().unwrap();
    assert_eq!(d.name, "駐輪場利用申請の受付");
    assert_eq!(
        d.answers
            .0
            .get(&itaku::catalog::Field::manuals)
            .map(String::as_str),
        Some("わからない")
    );
    assert!(!s.drafts.join("bicycle-parking-intake.yaml").exists());

    // A new draft under the same id is refused and changes nothing.
    let mut again = answers(&token, "別の名前", "bicycle-parking-intake");
    again.push(("_action", "save"));
    let r = s.post("/new", Some(&cookie), &again);
    assert_eq!(r.status, 409);
    assert_eq!(
        store(&s).versions("bicycle-parking-intake").unwrap().len(),
        1
    );
    // Saved as that draft (reopened), it is a new version; the first stays recoverable.
    again.push(("_draft", "bicycle-parking-intake"));
    let r = s.post("/new", Some(&cookie), &again);
    assert_eq!(r.status, 200, "{}", r.body);
    let versions = store(&s).versions("bicycle-parking-intake").unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0].answers.get(itaku::catalog::Field::name),
        Some("駐輪場利用申請の受付")
    );
    assert_eq!(
        versions[1].answers.get(itaku::catalog::Field::name),
        Some("別の名前")
    );
    // The first version can be reopened from the draft's page.
    let r = s.get("/new?from=bicycle-parking-intake", Some(&cookie));
    assert!(
        r.body
            .contains("/new?from=bicycle-parking-intake&amp;version=1"),
        "{}",
        r.body
    );
    let r = s.get("/new?from=bicycle-parking-intake&version=1", Some(&cookie));
    assert!(r.body.contains("value=\"駐輪場利用申請の受付\""));
    let r = s.get("/new?from=bicycle-parking-intake", Some(&cookie));
    assert!(r.body.contains("value=\"別の名前\""));

    // An id of the catalog is refused.
    let mut taken = answers(&token, "x", "counter-back-office");
    taken.push(("_action", "save"));
    assert_eq!(s.post("/new", Some(&cookie), &taken).status, 409);

    // Invalid answers are not saved, and the problem names its question.
    let mut bad = answers(&token, "x", "bad-answers");
    bad.retain(|(k, _)| *k != "difficulty");
    bad.push(("difficulty", "9"));
    bad.push(("_action", "save"));
    let r = s.post("/new", Some(&cookie), &bad);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#q-difficulty\""));
    assert!(!store(&s).contains("bad-answers").unwrap());
}

#[test]
fn ids_cannot_escape_the_drafts_directory() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    for id in [
        "../escape",
        "/tmp/abs",
        "..",
        "a/b",
        "UPPER",
        "name.yaml",
        "a\0b",
        "%2e%2e",
    ] {
        for action in ["save", "download"] {
            let mut form = answers(&token, "x", id);
            form.push(("_action", action));
            let r = s.post("/new", Some(&cookie), &form);
            assert_eq!(r.status, 422, "{id} {action}");
            assert!(
                r.body.contains("href=\"#q-id\""),
                "{id}: the problem names the id question"
            );
        }
    }
    let parent = s.drafts.parent().unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    entries.retain(|n| n != "drafts");
    assert!(entries.is_empty(), "{entries:?}");
    // The drafts folder holds at most the store (its database files), and no draft.
    if s.drafts.exists() {
        for e in std::fs::read_dir(&s.drafts).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(name.starts_with(itaku::drafts::STORE_FILE), "{name}");
        }
        assert!(store(&s).list(None).unwrap().is_empty());
    }
}

#[test]
fn the_draft_downloads_as_yaml() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let mut form = answers(&token, "駐輪場", "");
    form.push(("name_en", "Bicycle parking"));
    form.push(("_action", "download"));
    let r = s.post("/new", Some(&cookie), &form);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"bicycle-parking.yaml\"")
    );
    let loaded = itaku::catalog::parse_str("download.yaml", &r.body);
    assert!(loaded.diagnostics.is_empty(), "{}", r.body);
    assert_eq!(loaded.catalog.operations[0].id.as_str(), "bicycle-parking");
}

#[test]
fn bodies_are_size_limited_and_bad_bodies_are_polite() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let big = format!("_token={token}&name={}", "a".repeat(200 * 1024));
    let r = s.post_body("/api/assess", Some(&cookie), big.as_bytes());
    assert_eq!(r.status, 413);
    assert!(r.body.contains("大きすぎます"), "{}", r.body);
    let r = s.post_body("/new", Some(&cookie), b"%%%=&&==%zz");
    assert!(r.status == 400 || r.status == 403, "{}", r.status);
    assert!(!r.body.contains("panicked") && r.body.contains("<!DOCTYPE html>"));
    // A GET of a POST-only route is a polite page too.
    let r = s.get("/api/assess", None);
    assert_eq!(r.status, 405);
    assert!(r.body.contains("送信内容を読み取れませんでした"));
    // A malformed request line is refused without taking the server down.
    let _ = s.raw(b"BLAH\r\n\r\n");
    assert_eq!(s.get("/", None).status, 200);
}

#[test]
fn concurrent_saves_of_different_operations_do_not_interfere() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    std::thread::scope(|scope| {
        for i in 0..8 {
            let (s, cookie, token) = (&s, &cookie, &token);
            scope.spawn(move || {
                let id = format!("parallel-{i}");
                let name = format!("並行保存の業務 {i}");
                let mut form = answers(token, &name, &id);
                form.push(("_action", "save"));
                let r = s.post("/new", Some(cookie), &form);
                assert_eq!(r.status, 200, "{id}");
            });
        }
    });
    let store = store(&s);
    for i in 0..8 {
        let d = store.get(&format!("parallel-{i}")).unwrap().unwrap();
        assert_eq!(d.name, format!("並行保存の業務 {i}"));
        assert_eq!(d.version, 1);
    }
    assert_eq!(store.list(None).unwrap().len(), 8);
    assert_eq!(store.integrity().unwrap(), "ok");
}

#[test]
fn remote_addresses_need_allow_remote() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_itaku"))
        .current_dir(server::root())
        .args(["serve", "--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

#[test]
fn the_proposed_id_is_shown_and_checked_against_the_catalog() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let mut form = answers(&token, "x", "");
    form.push(("name_en", "Counter back office"));
    let r = s.post("/api/assess", Some(&cookie), &form);
    assert!(between(&r.body, "id=\"draft-id\">", "</p>").contains("counter-back-office"));
    // `counter-back-office` is in the catalog: the proposal is a free id.
    assert!(
        r.body.contains("<code>counter-back-office-2</code>"),
        "{}",
        r.body
    );
}

#[test]
fn catalog_text_is_escaped_on_the_catalog_pages() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("hostile.yaml");
    std::fs::write(
        &catalog,
        "operations:\n  - id: hostile\n    name: \"<script>alert(1)</script> & co\"\n    department: \"<b>総務部</b>\"\n    description: \"<img src=x onerror=alert(1)>\"\n",
    )
    .unwrap();
    let s = Server::start(&[catalog.to_str().unwrap()]);
    for path in ["/", "/summary", "/ops/hostile", "/new?from=hostile"] {
        let r = s.get(path, None);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.body.matches("<script").count(),
            1,
            "{path}: only the application's script"
        );
        assert!(
            !r.body.contains("<b>") && !r.body.contains("<img"),
            "{path}"
        );
    }
    assert!(s
        .get("/ops/hostile", None)
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(s.get("/", None).body.contains("&lt;b&gt;総務部&lt;/b&gt;"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_itaku"))
        .current_dir(server::root())
        .args(["serve", "--addr", "127.0.0.1:0", "--drafts"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("終了しました"));
}

#[test]
fn the_live_answer_names_unknown_facts_gives_advice_and_takes_hazard_boxes() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    // Nothing answered yet: the decisive unknown facts are named by their questions.
    let r = s.post("/api/assess", Some(&cookie), &[("_token", token.as_str())]);
    assert_eq!(r.status, 200);
    let decisive = between(&r.body, "<ul class=\"tight\" id=\"decisive\">", "</ul>");
    assert!(
        decisive.contains("法令で、区の職員が行うと定められた業務ですか？"),
        "{decisive}"
    );
    // Few facts: kept in-house, with the changes that would improve it.
    let mut form = answers(&token, "業務", "");
    form.retain(|(k, _)| *k != "annual_cases");
    let r = s.post("/api/assess", Some(&cookie), &form);
    assert!(
        r.body.contains("data-recommendation=\"in_house\""),
        "{}",
        r.body
    );
    let advice = between(&r.body, "<ul class=\"tight\" id=\"whatif\">", "</ul>");
    assert!(advice.contains("マニュアルを整備する"), "{advice}");
    // Hazards come from the rule set's vocabulary as boxes; several ticks are one list.
    let page = s.get("/new", None).body;
    assert!(page.contains("type=\"checkbox\" name=\"hazards\" value=\"heights\""));
    form.extend([
        ("hazards", "heights"),
        ("hazards", "night_work"),
        ("_action", "download"),
    ]);
    let r = s.post("/new", Some(&cookie), &form);
    assert_eq!(r.status, 200, "{}", r.body);
    let loaded = itaku::catalog::parse_str("d.yaml", &r.body);
    assert_eq!(
        loaded.catalog.operations[0].hazards,
        Some(vec!["heights".to_string(), "night_work".to_string()])
    );
}

#[test]
fn allow_remote_binds_elsewhere_with_a_warning() {
    use std::io::{BufRead, BufReader, Read};
    let dir = tempfile::tempdir().unwrap();
    // Listening on every interface only: no traffic is sent to it.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_itaku"))
        .current_dir(server::root())
        .args(["serve", "--addr", "0.0.0.0:0", "--allow-remote", "--drafts"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://0.0.0.0:"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("警告") && stderr.contains("ログイン機能はありません"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_hazard_lists_the_allowed_values_by_their_japanese_titles() {
    let s = Server::start(&[]);
    let (cookie, token) = s.session();
    let mut form = answers(&token, "剪定作業", "");
    form.push(("hazards", "hieghts"));
    let r = s.post("/api/assess", Some(&cookie), &form);
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("高所作業 (墜落・転落) (<code>heights</code>)")
            || r.body.contains("高所作業 (墜落・転落) (`heights`)"),
        "{}",
        r.body
    );
    assert!(r.body.contains("夜間作業"), "{}", r.body);
    // English keeps the words as written in a catalog.
    let r = s.post("/api/assess?lang=en", Some(&cookie), &form);
    assert!(
        r.body.contains("allowed values: heights, machinery"),
        "{}",
        r.body
    );
    // And so does `itaku check`: titles in Japanese, the words in English.
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::support::write(
        dir.path(),
        "c.yaml",
        "operations:\n  - id: trees\n    name: 剪定\n    department: 土木部\n    hazards: [hieghts]\n",
    );
    let out = crate::support::itaku()
        .arg("check")
        .arg(&catalog)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("使える値: 高所作業 (墜落・転落) (`heights`)、"),
        "{err}"
    );
    let out = crate::support::itaku_en(&["check"])
        .arg(&catalog)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("allowed values: heights, machinery, chemicals"),
        "{err}"
    );
}
