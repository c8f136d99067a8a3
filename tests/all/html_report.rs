//! `--format html`: the report's structure (one matrix point per operation with both facts, escaping,
//! no network references, the language attribute) and the report opened in a real headless Chromium,
//! whose screenshot is left at `target/html-report.png` for a person to look at.

use crate::support::{bundled_report, itaku, root};
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use itaku::render::{render, Format};
use itaku::Lang;

fn html(lang: Lang) -> String {
    let (report, rules) = bundled_report();
    let mut out = Vec::new();
    render(&report, &rules.rules, lang, Format::Html, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The matrix points: circles carrying an operation id (the legend's circles carry none).
fn points(html: &str) -> usize {
    html.matches("<circle ").count() - html.matches("<circle class=\"legend\"").count()
}

#[test]
fn one_matrix_point_per_operation_with_both_facts() {
    let (report, _) = bundled_report();
    let with_both = report
        .assessments
        .iter()
        .filter(|a| a.operation.routine_share.is_some() && a.operation.difficulty.is_some())
        .count();
    // The bundled catalog: 48 operations, 44 of them with both routine_share and difficulty.
    assert_eq!(report.assessments.len(), 48);
    assert_eq!(with_both, 44);
    let page = html(Lang::Ja);
    assert_eq!(page.matches(" data-id=\"").count(), with_both);
    assert_eq!(points(&page), with_both);
    // The accessible table lists the same points, and each point has a hover label.
    let table = &page[page.find("<table class=\"points\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr class=\"rec-").count(), with_both);
    let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
    assert_eq!(svg.matches("</title></circle>").count(), with_both);
    // One section per operation, and a heat map row for each with six safeguard cells.
    assert_eq!(page.matches("<section class=\"operation\"").count(), 48);
    let heat = &page[page.find("<table class=\"heat\">").unwrap()..];
    let heat = &heat[..heat.find("</table>").unwrap()];
    assert_eq!(heat.matches("<td class=\"sev ").count(), 48 * 6);
    // Standard clauses are written out once at the end; operations link to them.
    let clause = "s2-performance-standards";
    assert_eq!(page.matches(&format!("id=\"clause-{clause}\"")).count(), 1);
    let links = page.matches(&format!("href=\"#clause-{clause}\"")).count();
    assert!(links > 1, "{links} links");
    assert!(page.find("id=\"standard-clauses\"") > page.rfind("<section class=\"operation\""));
}

#[test]
fn the_language_attribute_follows_the_language() {
    let ja = html(Lang::Ja);
    assert!(ja.starts_with("<!DOCTYPE html><html lang=\"ja\">"));
    assert!(ja.contains("<h2>集計</h2>") && ja.contains("難易度 × 定型度マトリクス"));
    let en = html(Lang::En);
    assert!(en.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(en.contains("<h2>Summary</h2>") && en.contains("Safeguard heat map"));
}

#[test]
fn the_report_is_self_contained() {
    for page in [html(Lang::Ja), html(Lang::En)] {
        assert!(!page.contains("http://") && !page.contains("https://"));
        for tag in [
            "<script", "<link", "<img", "<iframe", " src=", "@import", "url(",
        ] {
            assert!(
                !page.contains(tag),
                "the report must not load anything: found {tag}"
            );
        }
        assert!(page.contains("@media print") && page.contains("size: A4"));
    }
}

#[test]
fn catalog_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("hostile.yaml");
    std::fs::write(
        &catalog,
        "operations:\n  - id: hostile\n    name: \"<script>alert(1)</script> & co\"\n    department: \"<b>総務部</b>\"\n    routine_share: 0.9\n    difficulty: 2\n",
    )
    .unwrap();
    let out = itaku()
        .args(["assess", "--format", "html"])
        .arg(&catalog)
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains("</html>"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!page.contains("<script"));
    assert!(!page.contains("<b>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(page.contains("&lt;b&gt;総務部&lt;/b&gt;"));
    assert_eq!(page.matches(" data-id=\"hostile\"").count(), 1);
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    itaku()
        .args(["assess", "--format", "html", "--lang", "en", "--output"])
        .arg(&file)
        .assert()
        .success();
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">") && page.ends_with("</html>"));
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Runs headless Chromium on `url` with `extra` arguments; its stdout and stderr.
pub(crate) fn chromium(url: &str, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let spawned = Process::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "chromium is not installed: run .ci/run (it installs chromium and fonts-noto-cjk with apt) \
             or `apt-get install --no-install-recommends chromium fonts-noto-cjk`"
        ),
        Err(e) => panic!("cannot start chromium: {e}"),
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = std::fs::read_to_string(out.path()).unwrap();
    let stderr = std::fs::read_to_string(err.path()).unwrap();
    assert!(status.success(), "chromium failed ({status}):\n{stderr}");
    (stdout, stderr)
}

#[test]
fn chromium_opens_the_report() {
    // Without a CJK font Japanese renders as boxes in the screenshot.
    let fonts = Process::new("fc-list").arg(":lang=ja").output();
    assert!(
        fonts.is_ok_and(|o| !o.stdout.is_empty()),
        "no Japanese font: run .ci/run or `apt-get install --no-install-recommends fonts-noto-cjk`"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("itaku-report.html");
    std::fs::write(&file, html(Lang::Ja)).unwrap();
    let url = format!("file://{}", file.display());

    let (dom, stderr) = chromium(&url, &["--dump-dom".to_string()]);
    for line in stderr.lines() {
        assert!(
            !line.contains("Uncaught") && !line.contains("CONSOLE"),
            "console message while loading the report: {line}"
        );
    }
    assert!(
        dom.contains("<html lang=\"ja\">"),
        "{}",
        &dom[..dom.len().min(500)]
    );
    for heading in [
        "<h1>委託判定レポート</h1>",
        "<h2>集計</h2>",
        "<h2>難易度 × 定型度マトリクス</h2>",
        "<h2>安全対策ヒートマップ</h2>",
    ] {
        assert!(dom.contains(heading), "the DOM lacks {heading}");
    }
    assert_eq!(dom.matches("<section class=\"operation\"").count(), 48);
    assert_eq!(dom.matches(" data-id=\"").count(), 44);

    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    let png = target.join("html-report.png");
    let _ = std::fs::remove_file(&png);
    let (_, stderr) = chromium(
        &url,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    assert!(!stderr.contains("Uncaught"), "{stderr}");
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000);
}

#[test]
fn the_report_reads_for_a_manager_and_prints_cleanly() {
    let page = html(Lang::Ja);
    // 分野 in the plan's order ① … ⑦, as far as they occur.
    let areas = &page[page.find("重点取組み分野別の削減FTE").unwrap()..];
    let areas = &areas[..areas.find("</table>").unwrap()];
    let marks: Vec<usize> = ['①', '②', '③', '④', '⑤', '⑥', '⑦']
        .iter()
        .filter_map(|m| areas.find(*m))
        .collect();
    assert!(marks.len() >= 3, "{areas}");
    assert!(
        marks.windows(2).all(|w| w[0] < w[1]),
        "not in seed order: {areas}"
    );
    // 所管 by freed FTE, largest first.
    let depts = &page[page.find("所管別の削減FTE").unwrap()..];
    let depts = &depts[..depts.find("</table>").unwrap()];
    let values: Vec<f64> = depts
        .split("<td class=\"num\">")
        .skip(1)
        .filter_map(|t| t.split('<').next()?.trim().parse().ok())
        .collect();
    assert!(values.len() > 3, "{depts}");
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    // The hover hint is for the screen only; long words wrap; headings keep with what follows.
    assert!(page.contains("screen-only"));
    assert!(page.contains(".screen-only { display: none; }"));
    assert!(page.contains("overflow-wrap: anywhere"));
    assert!(page.contains("break-after: avoid"));
    // Standard clauses are linked by their text, not their id; missing facts by their titles.
    let link = "href=\"#clause-s2-performance-standards\">";
    let at = page.find(link).expect("a clause link") + link.len();
    assert!(!page[at..].starts_with("s2-"), "{}", &page[at..at + 80]);
    let missing = &page[page.find("<ul class=\"missing\">").unwrap()..];
    let first = &missing[missing.find("<li").unwrap()..missing.find("</li>").unwrap()];
    assert!(
        first
            .chars()
            .any(|c| ('\u{3040}'..='\u{9fff}').contains(&c)),
        "{first}"
    );
}

#[test]
fn bidi_overrides_in_catalog_text_are_made_visible_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::support::write(
        dir.path(),
        "bidi.yaml",
        "operations:\n  - id: a\n    name: \"受付\u{202E}gnp.exe\"\n    department: \"区民部\u{2066}x\u{2069}\"\n    routine_share: 0.9\n    difficulty: 2\n",
    );
    let out = itaku()
        .args(["assess", "--as-of", "2026-04-01", "--format", "html"])
        .arg(&catalog)
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("受付"), "the name is there");
    for c in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}',
    ] {
        assert!(!page.contains(c), "U+{:04X} passed raw", c as u32);
    }
}
