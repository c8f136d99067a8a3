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

/// A screenshot of `url` in headless Chromium at `window` (`1280,2000`), left at `target/NAME`; fails
/// when the page throws or no picture is written.
pub(crate) fn screenshot(url: &str, name: &str, window: &str) -> PathBuf {
    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    let png = target.join(name);
    let _ = std::fs::remove_file(&png);
    let (_, stderr) = chromium(
        url,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={window}"),
        ],
    );
    assert!(!stderr.contains("Uncaught"), "{stderr}");
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000);
    png
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

    screenshot(&url, "html-report.png", "1280,2000");
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

/// The pages of a PDF Chromium wrote: its page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}

fn report_file(dir: &std::path::Path, name: &str, extra: &[&str]) -> PathBuf {
    let file = dir.join(name);
    itaku()
        .args(["assess", "--as-of", "2026-04-01", "--format", "html"])
        .args(extra)
        .arg("--output")
        .arg(&file)
        .assert()
        .success();
    file
}

#[test]
fn the_summary_report_leaves_out_the_operations_and_the_full_one_stays_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(report_file(dir.path(), "default.html", &[])).unwrap();
    let named = std::fs::read(report_file(dir.path(), "full.html", &["--report", "full"])).unwrap();
    assert!(full == named, "--report full differs from the default");
    let summary =
        std::fs::read_to_string(report_file(dir.path(), "s.html", &["--report", "summary"]))
            .unwrap();
    assert!(
        summary.starts_with("<!DOCTYPE html><html lang=\"ja\">") && summary.ends_with("</html>")
    );
    assert!(!summary.contains("<section class=\"operation\""));
    assert!(!summary.contains("id=\"standard-clauses\""));
    for part in [
        "<h1>委託判定レポート (要約)</h1>",
        "<h2>集計</h2>",
        "<h2>所管別・重点取組み分野別</h2>",
        "<h2>難易度 × 定型度マトリクス</h2>",
        "<h2>安全対策ヒートマップ</h2>",
        "<h2>主なリスク</h2>",
        "<h2>判断が必要な事項</h2>",
    ] {
        assert!(summary.contains(part), "the summary lacks {part}");
    }
    // No link into sections that are not there.
    assert!(!summary.contains("href=\"#op-"));
    // The top risks: one row per operation with a high-severity item, as many as the report has.
    let (report, _) = bundled_report();
    let risky = report
        .assessments
        .iter()
        .filter(|a| a.count(itaku::model::Severity::High) > 0)
        .count();
    assert!(risky > 0);
    let risks = &summary[summary.find("<table class=\"risks\">").unwrap()..];
    let risks = &risks[risks.find("<tbody>").unwrap()..risks.find("</tbody>").unwrap()];
    assert_eq!(risks.matches("<tr>").count(), risky);
    // Operations and freed FTE by department, largest first, and by area in the plan's order.
    let depts = &summary[summary.find("所管別 (削減FTEの大きい順)").unwrap()..];
    let depts = &depts[..depts.find("</tbody>").unwrap()];
    let freed: Vec<f64> = depts
        .split("</td></tr>")
        .filter_map(|row| row.rsplit("<td class=\"num\">").next()?.parse().ok())
        .collect();
    assert!(
        freed.len() > 3 && freed.windows(2).all(|w| w[0] >= w[1]),
        "{freed:?}"
    );
    let areas = &summary[summary.find("重点取組み分野別 (①〜⑦)").unwrap()..];
    let areas = &areas[areas.find("<tbody>").unwrap()..areas.find("</tbody>").unwrap()];
    let marks: Vec<usize> = ['①', '②', '③', '④', '⑤', '⑥', '⑦']
        .iter()
        .filter_map(|m| areas.find(*m))
        .collect();
    assert!(
        marks.len() >= 3 && marks.windows(2).all(|w| w[0] < w[1]),
        "{areas}"
    );
    // English too.
    let en = itaku()
        .args([
            "--lang",
            "en",
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "html",
            "--report",
            "summary",
        ])
        .output()
        .unwrap();
    let en = String::from_utf8(en.stdout).unwrap();
    assert!(en.contains("<h2>What to decide</h2>") && en.contains("<h2>Top risks</h2>"));
    // --report is for the HTML report only.
    let out = itaku()
        .args(["assess", "--format", "json", "--report", "summary"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--report は --format html"));
}

#[test]
fn chromium_prints_the_summary_report_on_at_most_ten_a4_pages() {
    let dir = tempfile::tempdir().unwrap();
    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    let mut counts = Vec::new();
    for (name, extra) in [("summary", &["--report", "summary"][..]), ("full", &[][..])] {
        let html = report_file(dir.path(), &format!("{name}.html"), extra);
        let pdf = dir.path().join(format!("{name}.pdf"));
        chromium(
            &format!("file://{}", html.display()),
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".to_string(),
            ],
        );
        let bytes = std::fs::read(&pdf).expect("chromium wrote the PDF");
        let pages = pdf_pages(&bytes);
        eprintln!("{name}: {pages} A4 pages");
        counts.push(pages);
        if name == "summary" {
            // A screenshot for a person to look at, and page 1 as printed where poppler is installed.
            let png = target.join("html-summary.png");
            chromium(
                &format!("file://{}", html.display()),
                &[
                    format!("--screenshot={}", png.display()),
                    "--window-size=1100,1500".to_string(),
                ],
            );
            assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
            let _ = Process::new("pdftoppm")
                .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
                .arg(&pdf)
                .arg(target.join("html-summary-page1"))
                .status();
        }
    }
    let (summary, full) = (counts[0], counts[1]);
    assert!(
        (1..=10).contains(&summary),
        "the summary prints on {summary} pages"
    );
    // The full report (135 pages when this was written) is what the summary shortens.
    assert!(
        full > 10,
        "the full report prints on {full} pages, the summary on {summary}"
    );
}
