//! `itaku plan` (issue 26 §3): the example plan read against the bundled catalog — its state, the effect
//! verification and the yearly review pinned as reviewed snapshots; located errors for a broken plan and
//! for references to operations and bundles that do not exist; the plan's JSON Schema against the loader;
//! every format; the HTML looked at in headless Chromium (screenshots in `target/plan-*.png`) and checked
//! with axe-core, the workbook opened in LibreOffice, the table at 80 columns.

use std::path::Path;

use crate::support::{itaku, itaku_en, root, write};

const AS_OF: &str = "2026-12-01";

fn plan_json(view: &str, extra: &[&str]) -> serde_json::Value {
    let out = itaku_en(&["plan", view, "--as-of", AS_OF, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The entry of `list` (a JSON array of per-operation records) for operation `id`.
fn of<'a>(list: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

fn without_digest(mut doc: serde_json::Value) -> serde_json::Value {
    doc["rules"]["digest"] = "…".into();
    doc["version"] = "…".into();
    doc
}

#[test]
fn the_example_plan_stands_where_its_actuals_say() {
    let doc = plan_json("status", &[]);
    assert_eq!(doc["fiscal_year"], 2026);
    assert_eq!(doc["items"].as_array().unwrap().len(), 17);
    let status = |id: &str| {
        of(&doc["items"], id)["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Specification planned for 2025, still at study: late by a year.
    assert_eq!(status("facility-minor-repairs"), "late");
    assert_eq!(status("counter-back-office"), "late");
    // Contract and delivery planned for 2026, contract reached: due this year.
    assert_eq!(status("certificate-counter-intake"), "due");
    assert_eq!(
        status("public-facility-comprehensive-maintenance"),
        "on_schedule"
    );
    assert_eq!(status("street-tree-pruning"), "not_due");
    let late = of(&doc["items"], "counter-back-office");
    assert_eq!(late["overdue"], serde_json::json!(["procurement", 1]));
    // The year table adds the actuals up: 2025 reported 15.5 + 8.9 + 2.1 + 5.2 + 2.6 + 1.0 FTE.
    let y2025 = doc["by_year"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["year"] == 2025)
        .unwrap();
    let freed = y2025["actual_freed_fte"].as_f64().unwrap();
    assert!((freed - 35.3).abs() < 1e-9, "{freed}");
    assert_eq!(y2025["when"], "past");
    insta::assert_json_snapshot!("plan_status_en", without_digest(doc));
}

#[test]
fn the_effect_verification_judges_each_item_in_delivery() {
    let doc = plan_json("verify", &[]);
    assert_eq!(doc["interim"], true);
    let verdict = |id: &str| {
        of(&doc["effects"], id)["verdict"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // 5.2 of 5.1 FTE, monitoring good.
    assert_eq!(verdict("tax-notice-mailing"), "achieved");
    // 8.9 of 10.2 FTE (87 %).
    assert_eq!(verdict("ward-call-centre"), "partly");
    // 1.0 of 2.55 FTE and a serious finding.
    assert_eq!(verdict("resident-tax-phone-reminder"), "not_achieved");
    // In delivery since 2026, nothing reported yet.
    assert_eq!(verdict("main-switchboard"), "no_data");
    // The same plan read in 2027 is the verification itself, not an interim one.
    let out = itaku_en(&[
        "plan",
        "verify",
        "--as-of",
        "2027-06-01",
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    let later: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(later["interim"], false);
    insta::assert_json_snapshot!("plan_verify_en", without_digest(doc));
}

#[test]
fn the_yearly_review_shows_what_moved_and_what_the_rules_changed() {
    // Last year's rules: the same rules with the wage floor raised, so the revision changes assessments.
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&root().join("rules"), &dir.path().join("rules"));
    let params = dir.path().join("rules/parameters.yaml");
    let text = std::fs::read_to_string(&params).unwrap();
    let at = text.find("  s4.price_margin:").expect("fixture moved");
    let from = "      - {from: 2020-04-01, value: 1.25}";
    let offset = text[at..].find(from).expect("fixture moved") + at;
    let changed = format!(
        "{}      - {{from: 2020-04-01, value: 5.0}}{}",
        &text[..offset],
        &text[offset + from.len()..]
    );
    assert_ne!(
        changed, text,
        "the price margin parameter is where the test expects it"
    );
    std::fs::write(&params, changed).unwrap();
    let base_rules = dir.path().join("rules");
    let doc = plan_json(
        "review",
        &[
            "--base-plan",
            "plan/plan-fy2025.yaml",
            "--base-rules",
            base_rules.to_str().unwrap(),
        ],
    );
    assert_eq!(doc["base_year"], 2025);
    assert_eq!(doc["new_year"], 2026);
    assert_eq!(
        doc["added"],
        serde_json::json!(["lifelong-learning-programmes", "street-tree-pruning"])
    );
    assert_eq!(
        doc["dropped"],
        serde_json::json!(["school-experience-programme"])
    );
    let changes = |id: &str| of(&doc["changed"], id)["changes"].clone();
    let cert = changes("certificate-counter-intake");
    assert!(cert.as_array().unwrap().contains(
        &serde_json::json!({"kind": "method", "from": "worker_dispatch", "to": "consignment"})
    ));
    assert!(cert.as_array().unwrap().contains(
        &serde_json::json!({"kind": "moved", "stage": "delivery", "from": 2025, "to": 2026})
    ));
    assert!(changes("counter-back-office")
        .as_array()
        .unwrap()
        .contains(&serde_json::json!({"kind": "status", "from": "due", "to": "late"})));
    // The rules' revision shows in the plan's operations, with the parameter responsible.
    let reassessed = doc["assessments"].as_array().unwrap();
    assert!(!reassessed.is_empty());
    assert!(reassessed.iter().any(|c| c["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p.as_str().unwrap().starts_with("s4.price_margin: 5"))));
    let count = reassessed.len();
    let mut doc = without_digest(doc);
    // The rules' revision is pinned by the assertions above; the snapshot keeps the plan's side.
    doc["assessments"] = count.into();
    insta::assert_json_snapshot!("plan_review_en", doc);
}

#[test]
fn japanese_is_the_default_and_markdown_reads_like_the_table() {
    let out = itaku()
        .args(["plan", "status", "--as-of", AS_OF, "--format", "md"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("# 業務委託推進計画 (例示) — 2026年度の進み具合\n"),
        "{md}"
    );
    assert!(md.contains("> この計画は例示です。"));
    assert!(md.contains("## 遅れている項目"));
    assert!(md.contains("| 公共施設の小規模修繕工事（単価契約） (facility-minor-repairs) |"));
    // Numbers grouped by thousands for reading.
    assert!(md.contains("1,301,000,000"), "{md}");
    insta::assert_snapshot!("plan_status_ja_md", md);
}

#[test]
fn a_plan_naming_a_missing_operation_or_bundle_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("plan/plan.yaml")).unwrap();
    let broken = text
        .replacen(
            "operation: ward-call-centre\n",
            "operation: ward-call-center\n",
            1,
        )
        .replacen("bundle: mass_mailing\n", "bundle: mass_mailling\n", 1);
    let plan = write(dir.path(), "plan.yaml", &broken);
    let out = itaku()
        .args(["plan", "status", "--as-of", AS_OF, "--format", "json"])
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let op_line = line("operation: ward-call-center");
    let bundle_line = line("bundle: mass_mailling");
    assert!(err.contains(&format!("plan.yaml:{op_line}:16")), "{err}");
    assert!(err.contains("`ward-call-centre` のことですか"), "{err}");
    assert!(
        err.contains(&format!("plan.yaml:{bundle_line}:13")),
        "{err}"
    );
    assert!(err.contains("`mass_mailing` のことですか"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn every_problem_of_a_broken_plan_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let plan = write(
        dir.path(),
        "plan.yaml",
        "plan_version: 1\nperiod: {from: 2024, to: 2027}\nfocus_until: 2026\nverification_year: 2027\nitems:\n  - operation: ward-call-centre\n    method: consignmnt\n    schedule: {study: 2025, contract: 2024}\n    actuals:\n      - year: 2025\n        reached: delivry\n        freed_fte: -1\n  - operation: tax-notice-mailing\n    method: consignment\n    shedule: {study: 2024}\n",
    );
    let out = itaku_en(&["plan", "status", "--as-of", AS_OF])
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for (place, words) in [
        ("plan.yaml:7:13", "did you mean `consignment`?"),
        ("plan.yaml:8:39", "planned before the earlier stage `study`"),
        ("plan.yaml:11:18", "did you mean `delivery`?"),
        ("plan.yaml:12:20", "a number of 0 or more"),
        ("plan.yaml:15:5", "did you mean `schedule`?"),
    ] {
        assert!(err.contains(place), "{place} in {err}");
        assert!(err.contains(words), "{words} in {err}");
    }
    // A file of a newer format is refused with what to do.
    let newer = write(dir.path(), "newer.yaml", "plan_version: 2\n");
    let out = itaku_en(&["plan", "status", "--as-of", AS_OF])
        .arg(&newer)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reads plan version 1 (found 2)"), "{err}");
    // A plan that cannot be read is a usage problem (exit 2), like a catalog.
    let out = itaku_en(&["plan", "status", "--as-of", AS_OF, "no/such/plan.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plan::unreadable"));
}

fn plan_schema() -> serde_json::Value {
    itaku::plan::schema::plan_schema()
}

#[test]
fn the_committed_plan_schema_is_generated_and_agrees_with_the_loader() {
    let committed = std::fs::read_to_string(root().join(itaku::plan::schema::SCHEMA_PATH)).unwrap();
    let generated = serde_json::to_string_pretty(&plan_schema()).unwrap() + "\n";
    assert!(
        committed == generated,
        "schema/plan.schema.json is out of date: run `cargo run -- schema --plan --output schema/plan.schema.json`"
    );
    let v = jsonschema::validator_for(&plan_schema()).unwrap();
    for file in ["plan/plan.yaml", "plan/plan-fy2025.yaml"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(text.starts_with("# yaml-language-server: $schema=../schema/plan.schema.json\n"));
        let doc = itaku::catalog::schema::yaml_as_json(&text).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
        assert!(itaku::plan::parse(file, &text).is_ok(), "{file}");
    }
    // What the loader refuses, the schema refuses too.
    let base = std::fs::read_to_string(root().join("plan/plan.yaml")).unwrap();
    for (from, to) in [
        ("    method: digitise\n", "    method: digitize\n"),
        ("        monitoring: good\n", "        monitoring: fine\n"),
        ("        reached: study\n", "        reachd: study\n"),
        (
            "period: {from: 2024, to: 2027}",
            "period: {from: 2024, to: 1999}",
        ),
        ("plan_version: 1\n", "plan_version: 2\n"),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{from}");
        let doc = itaku::catalog::schema::yaml_as_json(&text).unwrap();
        assert!(!v.is_valid(&doc), "the schema accepts {to:?}");
        assert!(
            itaku::plan::parse("p.yaml", &text).is_err(),
            "the loader accepts {to:?}"
        );
    }
}

#[test]
fn the_table_fits_80_and_120_columns() {
    // The table format at a given width is the terminal's (the command fits it to the terminal).
    let doc = itaku::plan::load(&root().join("plan/plan.yaml")).unwrap();
    let (report, rules) = crate::support::bundled_report();
    let st = itaku::plan::state::state(&doc, &report, 2026);
    let view = itaku::render::plan::state_view(
        &doc,
        &st,
        &rules.rules,
        jiff::civil::date(2026, 12, 1),
        itaku::Lang::Ja,
    );
    for width in [80, 120] {
        let text = itaku_cli::text::plan_table(&view, Some(width));
        for line in text.lines() {
            let w = unicode_width::UnicodeWidthStr::width(line);
            assert!(w <= width, "{w} columns at {width}: {line}");
        }
        assert!(text.contains("■ 遅れている項目"));
        // Every item is there, whichever layout the width allows.
        assert!(text.contains("(counter-back-office)"), "{text}");
        assert!(text.contains("1,301,000,000"), "{text}");
    }
    // Without a terminal, the table keeps its natural width.
    let out = itaku()
        .args(["plan", "status", "--as-of", AS_OF, "--format", "table"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("╭"));
}

#[test]
fn xlsx_needs_an_output_and_opens_in_libreoffice() {
    let out = itaku()
        .args(["plan", "status", "--as-of", AS_OF, "--format", "xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    for view in ["status", "verify"] {
        let file = dir.path().join(format!("{view}.xlsx"));
        let out = itaku()
            .args(["plan", view, "--as-of", AS_OF, "--format", "xlsx", "-o"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success());
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
        use calamine::Reader as _;
        let names = book.sheet_names();
        if view == "status" {
            assert_eq!(names[..3], ["概要", "年度別", "遅れ"]);
            let range = book.worksheet_range("年度別").unwrap();
            // Numbers are numbers in the sheet, not texts.
            assert!(matches!(
                range.get_value((1, 4)),
                Some(calamine::Data::Float(_))
            ));
        }
        let pdf = crate::print_pdf::to_pdf(&file, dir.path());
        let pages = crate::print_pdf::pages(&pdf);
        assert!(
            !pages.is_empty() && pages.len() <= 30,
            "{view}: {} pages",
            pages.len()
        );
        for (w, h) in pages {
            assert!(w > h, "{view}: a page is not landscape: {w} × {h}");
        }
    }
}

fn html(view: &str, extra: &[&str], dir: &Path) -> std::path::PathBuf {
    let file = dir.join(format!("plan-{view}.html"));
    let out = itaku()
        .args(["plan", view, "--as-of", AS_OF, "--format", "html", "-o"])
        .arg(&file)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    file
}

#[test]
fn chromium_shows_the_plan_pages() {
    let dir = tempfile::tempdir().unwrap();
    for (view, extra, title) in [
        (
            "status",
            vec![],
            "業務委託推進計画 (例示) — 2026年度の進み具合",
        ),
        ("verify", vec![], "効果検証 (中間、2026年度)"),
        (
            "review",
            vec!["--base-plan", "plan/plan-fy2025.yaml"],
            "年次見直し (2025年度 → 2026年度)",
        ),
    ] {
        let file = html(view, &extra, dir.path());
        let url = format!("file://{}", file.display());
        let (dom, _) = crate::html_report::chromium(&url, &["--dump-dom".to_string()]);
        assert!(dom.contains("<html lang=\"ja\">"));
        assert!(dom.contains(&format!("<h2>{title}</h2>")), "{view}");
        crate::html_report::screenshot(&url, &format!("plan-{view}.png"), "1280,2400");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_pages_pass_axe() {
    let axe = crate::serve_a11y::axe_script();
    let dir = tempfile::tempdir().unwrap();
    let driver = crate::serve_browser::Driver::start();
    let c = driver.browser(true).await;
    let mut failures = Vec::new();
    for (view, extra) in [
        ("status", vec![]),
        ("verify", vec![]),
        ("review", vec!["--base-plan", "plan/plan-fy2025.yaml"]),
    ] {
        let file = html(view, &extra, dir.path());
        for (w, h) in [(1280u32, 900u32), (390, 844)] {
            c.set_window_size(w, h).await.unwrap();
            c.goto(&format!("file://{}", file.display())).await.unwrap();
            for v in crate::serve_a11y::serious_violations(&c, &axe).await {
                failures.push(format!("{view} at {w} px: {v}"));
            }
        }
    }
    c.close().await.unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
}
