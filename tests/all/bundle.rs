//! `itaku bundle` (issue 26 §1): the bundles proposed for the bundled catalog, pinned as a reviewed JSON
//! snapshot; a ward's own bundling rules in the sandbox (a failing rule is located and leaves the other
//! bundles standing); every format; the HTML looked at in headless Chromium (screenshot at
//! `target/bundle-report.png`) and the xlsx opened in LibreOffice.

use crate::support::{itaku, itaku_en, root, rules_copy, write};

fn bundle_json(args: &[&str]) -> serde_json::Value {
    let out = itaku_en(&["bundle", "--as-of", "2026-04-01", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_bundled_catalog_gets_the_comprehensive_facility_contract_and_others() {
    let mut doc = bundle_json(&[]);
    let ids: Vec<&str> = doc["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "contact_centre",
            "facility_maintenance",
            "mass_mailing",
            "payment_reminders"
        ]
    );
    let facility = &doc["bundles"][1];
    // Seed V-1-⑤: the maintenance split by facility, bundled; the construction repairs in a lot of
    // their own.
    assert_eq!(facility["advice"], "lots");
    assert_eq!(facility["lots"], 2);
    assert_eq!(facility["totals"]["contracts_today"], 323);
    assert_eq!(facility["totals"]["contracts_after"], 2);
    let members: Vec<&str> = facility["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(members.contains(&"public-facility-comprehensive-maintenance"));
    assert!(members.contains(&"facility-minor-repairs"));
    assert!(!members.contains(&"street-tree-pruning"));
    let items: Vec<&str> = facility["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(items.contains(&"bundle-construction-part"));
    // The four reminder calls as one centre: two of them alone are under the wage floor.
    let reminders = &doc["bundles"][3];
    assert_eq!(reminders["advice"], "bundle");
    assert!(reminders["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "bundle-wage-floor-crossed" && c["by_bundle"] == true));
    assert!(doc["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["id"] == "tax-delinquency-seizure"));
    doc["version"] = "[version]".into();
    doc["rules"]["digest"] = "[digest]".into();
    insta::assert_json_snapshot!("bundle_json_en", doc);
}

#[test]
fn japanese_is_the_default_and_english_on_request() {
    let ja = itaku()
        .args(["bundle", "--as-of", "2026-04-01", "--format", "md"])
        .output()
        .unwrap();
    let ja = String::from_utf8(ja.stdout).unwrap();
    assert!(ja.contains("# 包括委託の提案"));
    assert!(ja.contains("公共施設の包括的な維持管理"));
    let en = itaku_en(&["bundle", "--as-of", "2026-04-01", "--format", "md"])
        .output()
        .unwrap();
    let en = String::from_utf8(en.stdout).unwrap();
    assert!(en.contains("# Proposed bundles"));
    assert!(en.contains("bundle in lots"));
}

#[test]
fn the_table_fits_80_columns_on_a_terminal_width() {
    // The table format at a given width is the terminal's (the command fits it to the terminal).
    let doc = {
        let (report, rules) = crate::support::bundled_report();
        let bundling = itaku::rules::bundle::BundleRules::compile(
            std::sync::Arc::clone(&rules.rules),
            rules.as_of,
        )
        .unwrap();
        let bundles = itaku::bundle::propose(&report, &bundling);
        itaku::render::bundle_doc(&bundles, &report, &rules.rules, itaku::Lang::Ja)
    };
    let text = itaku_cli::text::bundle_table(&doc, itaku::Lang::Ja, Some(80));
    for line in text.lines() {
        let w = unicode_width::UnicodeWidthStr::width(line);
        assert!(w <= 80, "{w} columns: {line}");
    }
    assert!(text.contains("公共施設の包括的な維持管理"));
}

#[test]
fn a_failing_bundling_rule_is_located_and_the_other_rules_still_run() {
    let dir = rules_copy();
    // A ward's own proposal rule that loops forever: the sandbox stops it.
    write(
        dir.path(),
        "scripts/ward_loop.rhai",
        "let n = 0;\nloop { n += 1; }\n",
    );
    let manifest = std::fs::read_to_string(dir.path().join("manifest.yaml")).unwrap()
        + "  - id: ward-loop\n    kind: proposal\n    title: {ja: 無限ループ, en: loops}\n    basis: {ja: 試験, en: test}\n    script: scripts/ward_loop.rhai\n";
    write(dir.path(), "manifest.yaml", manifest);
    let out = itaku_en(&[
        "bundle",
        "--as-of",
        "2026-04-01",
        "--format",
        "json",
        "--rules",
    ])
    .arg(dir.path())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ward_loop.rhai:2") && stderr.contains("ward-loop"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The standard proposal rule still weighed every bundle.
    assert_eq!(doc["bundles"].as_array().unwrap().len(), 4);
    assert_eq!(doc["bundles"][1]["advice"], "lots");
    assert!(!doc["bundles"][1]["errors"].as_array().unwrap().is_empty());
}

#[test]
fn a_bundling_rule_that_reads_op_in_a_proposal_does_not_compile() {
    let dir = rules_copy();
    write(
        dir.path(),
        "scripts/bundle_proposal.rhai",
        "let x = op.staff_fte;\n",
    );
    let out = itaku_en(&[
        "bundle",
        "--as-of",
        "2026-04-01",
        "--format",
        "json",
        "--rules",
    ])
    .arg(dir.path())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bundle_proposal.rhai:1:") && stderr.contains("bundle-proposal"),
        "{stderr}"
    );
}

#[test]
fn xlsx_needs_an_output_file_and_is_written_atomically() {
    let out = itaku_en(&["bundle", "--format", "xlsx"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundles.xlsx");
    let out = itaku_en(&["bundle", "--as-of", "2026-04-01", "--format", "xlsx", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    assert_eq!(book.sheet_names(), ["Bundles"]);
    let range = book.worksheet_range("Bundles").unwrap();
    let text: Vec<String> = range.rows().map(|r| r[4].to_string()).collect();
    assert!(text
        .iter()
        .any(|t| t == "public-facility-comprehensive-maintenance"));
}

#[test]
fn the_xlsx_opens_in_libreoffice_on_a4_landscape() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundles.xlsx");
    let out = itaku()
        .args(["bundle", "--as-of", "2026-04-01", "--format", "xlsx", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let pdf = crate::print_pdf::to_pdf(&file, dir.path());
    let pages = crate::print_pdf::pages(&pdf);
    assert!(
        !pages.is_empty() && pages.len() <= 12,
        "{} pages",
        pages.len()
    );
    for (w, h) in pages {
        assert!(w > h, "a page is not landscape: {w} × {h}");
    }
}

#[test]
fn chromium_shows_the_bundles_section() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundles.html");
    let out = itaku()
        .args(["bundle", "--as-of", "2026-04-01", "--format", "html", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let url = format!("file://{}", file.display());
    let (dom, _) = crate::html_report::chromium(&url, &["--dump-dom".to_string()]);
    assert!(dom.contains("<html lang=\"ja\">"));
    assert!(dom.contains("<h1>包括委託の提案</h1>"));
    assert_eq!(
        dom.matches("<section class=\"operation\" id=\"bundle-")
            .count(),
        4
    );
    crate::html_report::screenshot(&url, "bundle-report.png", "1280,2400");
    let _ = root();
}
