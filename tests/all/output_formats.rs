//! The formats for people: CSV (per operation and per checklist item) and Markdown of the bundled
//! catalog as reviewed snapshots, the terminal tables fitted to 80 columns, and the `assess` summary
//! of operations skipped as invalid.

use crate::support::{assess_en, assessed_ids, bundled_report, itaku_en, root};

use itaku::render::{render, Format};
use itaku::rules::RuleSet;
use itaku::Lang;
use unicode_width::UnicodeWidthStr;

/// The terminal table (the command line's), fitted to `width` when given.
fn table(width: Option<usize>, lang: Lang) -> String {
    let (report, rules) = bundled_report();
    itaku_cli::text::table_fitted(&report, &rules.rules, lang, width)
}

fn rendered(format: Format, lang: Lang) -> String {
    let (report, rules) = bundled_report();
    let mut out = Vec::new();
    render(&report, &rules.rules, lang, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_of_the_bundled_catalog() {
    insta::assert_snapshot!("csv_ja", rendered(Format::Csv, Lang::Ja));
}

#[test]
fn csv_headers_follow_the_language_and_rows_parse_back() {
    let en = rendered(Format::Csv, Lang::En);
    // UTF-8 with a byte-order mark, for Excel.
    assert!(en.starts_with("\u{feff}id,name,department,recommendation,"));
    let mut reader = csv::Reader::from_reader(en.as_bytes());
    assert_eq!(reader.records().count(), 48);
    let checklist = rendered(Format::CsvChecklist, Lang::Ja);
    assert!(checklist.starts_with("\u{feff}業務ID,業務名,判定,観点,重要度,"));
    let mut reader = csv::Reader::from_reader(checklist.as_bytes());
    assert!(reader.records().all(|r| r.unwrap().len() == 10));
}

#[test]
fn markdown_of_the_bundled_catalog() {
    // The rule set's digest changes with every edit of rules/; the decision tables in
    // tests/snapshot.rs pin what the rules decide, so the digest is masked here.
    let md = rendered(Format::Markdown, Lang::Ja);
    let start = md.find("(sha256:").expect("the digest is shown") + 1;
    let end = start + md[start..].find(')').unwrap();
    let masked = format!("{}sha256:…{}", &md[..start], &md[end..]);
    insta::assert_snapshot!("md_ja", masked);
}

fn assert_fits(text: &str, width: usize) {
    for line in text.lines() {
        assert!(
            line.width() <= width,
            "line of {} columns:\n{line}",
            line.width()
        );
    }
}

#[test]
fn the_table_fits_80_columns_with_ids_whole() {
    for lang in [Lang::Ja, Lang::En] {
        let text = table(Some(80), lang);
        assert_fits(&text, 80);
        let (report, _) = bundled_report();
        for a in &report.assessments {
            assert!(text.contains(a.operation.id.as_str()), "{}", a.operation.id);
        }
    }
    // On a pipe the table keeps its natural width: one line per operation.
    let natural = table(None, Lang::Ja);
    assert!(natural.lines().any(|l| l.width() > 80));
}

#[test]
fn the_rules_table_fits_80_columns() {
    let set = RuleSet::load_dir(root().join("rules")).unwrap();
    for lang in [Lang::Ja, Lang::En] {
        let text = itaku_cli::text::rules_table(&set, lang, Some(80));
        // The last line (name, version and digest) is not part of the table.
        let table: Vec<&str> = text.lines().collect();
        assert_fits(&table[..table.len() - 1].join("\n"), 80);
        for r in &set.manifest.rules {
            assert!(text.contains(r.id.as_str()));
        }
    }
}

#[test]
fn assess_says_how_many_operations_were_skipped_as_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.yaml");
    std::fs::write(
        &file,
        "operations:\n  - id: ok-op\n    name: 正常な業務\n    department: 総務部\n    statutory_staff_only: false\n    public_authority: none\n    routine_share: 0.9\n    difficulty: 2\n  - id: bad-op\n    name: 不正\n    department: 総務部\n    difficulty: 9\n",
    )
    .unwrap();
    let out = itaku_en(&["assess", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("assessed 1 operations; skipped 1 invalid operations"),
        "{stderr}"
    );
}

#[test]
fn only_assesses_the_chosen_operations_and_suggests_near_ids() {
    let run = |args: &[&str]| assess_en("json").args(args).output().unwrap();
    let out = run(&[
        "--only",
        "counter-back-office",
        "--only",
        "ward-call-centre",
    ]);
    assert!(out.status.success());
    let ids = assessed_ids(&out.stdout);
    // Catalog order, not argument order.
    assert_eq!(ids, ["ward-call-centre", "counter-back-office"]);
    let out = run(&["--only", "counter-back-offic"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nearest ids: counter-back-office"));
}
