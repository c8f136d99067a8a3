//! What a person reads in a terminal: `explain` stating a criterion's raw and counted points, and the
//! help and `explain` texts wrapped, CJK-aware, to 80 and 120 columns (`COLUMNS`).

use crate::support::{itaku, rules_copy};

/// Standard rules whose C1 rule gives 6 points for a high routine share (the criterion's maximum is 5).
fn rules_over_the_cap() -> tempfile::TempDir {
    let rules = rules_copy();
    let script = rules.path().join("scripts/c1_routine_volume.rhai");
    let text = std::fs::read_to_string(&script).unwrap();
    let from = "points(\"C1\", 3, \"c1.routine_high\", [share]);";
    assert_eq!(text.matches(from).count(), 1);
    std::fs::write(
        &script,
        text.replace(from, "points(\"C1\", 6, \"c1.routine_high\", [share]);"),
    )
    .unwrap();
    rules
}

fn explain(rules: &std::path::Path, lang: &str, format: &str) -> String {
    let out = itaku()
        .args([
            "--lang",
            lang,
            "explain",
            "ward-call-centre",
            "--format",
            format,
        ])
        .arg("--rules")
        .arg(rules)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn explain_states_raw_and_counted_points_when_the_maximum_applies() {
    let rules = rules_over_the_cap();
    // ward-call-centre: routine share 85% (+6 now), 300,000 cases a year (+2), manuals complete (+0,
    // the rule gives none once it has given 5): 8 raw points, counted 5.
    let ja = explain(rules.path(), "ja", "text");
    assert!(ja.contains("- C1 +8 → 5 (上限5): "), "{ja}");
    let en = explain(rules.path(), "en", "text");
    assert!(en.contains("- C1 +8 → 5 (max 5): "), "{en}");
    let md = explain(rules.path(), "ja", "md");
    assert!(md.contains("C1 +8 → 5 (上限5)"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&explain(rules.path(), "en", "json")).unwrap();
    let points: Vec<&serde_json::Value> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["produced"].as_array().unwrap())
        .filter(|o| o["kind"] == "points" && o["criterion"] == "C1")
        .collect();
    assert_eq!(points.len(), 1, "{points:?}");
    // The existing fields keep their meaning (the rule's raw points); the new ones add the cap.
    assert_eq!(points[0]["points"], 8);
    assert_eq!(points[0]["max"], 5);
    assert_eq!(points[0]["total"], 8);
    assert_eq!(points[0]["counted"], 5);
}

#[test]
fn explain_states_only_the_points_when_the_maximum_does_not_apply() {
    let ja = itaku()
        .args(["explain", "ward-call-centre"])
        .output()
        .unwrap();
    let ja = String::from_utf8(ja.stdout).unwrap();
    assert!(ja.contains("- C1 +5: "), "{ja}");
    assert!(!ja.contains(" → 5 (上限5)"), "{ja}");
}

use unicode_width::UnicodeWidthStr;

/// `itaku ARGS` with `COLUMNS=width` (unset: no wrapping); standard output.
fn at_width(width: Option<usize>, args: &[&str]) -> String {
    let mut cmd = itaku();
    cmd.env_remove("COLUMNS").args(args);
    if let Some(w) = width {
        cmd.env("COLUMNS", w.to_string());
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Checks `wrapped` against the unwrapped `whole`: every line within `width`, no line starting with
/// closing punctuation (禁則), and the same text apart from the line breaks and their indents.
fn assert_wrapped(wrapped: &str, whole: &str, width: usize) {
    for line in wrapped.lines() {
        assert!(
            line.width() <= width,
            "{} > {width}: {line}\n{wrapped}",
            line.width()
        );
        let first = line.trim_start().chars().next();
        assert!(
            !first.is_some_and(|c| "、。）」".contains(c)),
            "a line starts with {first:?}:\n{wrapped}"
        );
    }
    let squeeze = |t: &str| t.split_whitespace().collect::<String>();
    assert_eq!(squeeze(wrapped), squeeze(whole));
    assert!(
        wrapped.lines().count() > whole.lines().count(),
        "nothing was wrapped"
    );
}

#[test]
fn help_wraps_japanese_at_80_and_120_columns() {
    for args in [
        &["--help"][..],
        &["assess", "--help"],
        &["explain", "--help"],
    ] {
        let whole = at_width(None, args);
        assert!(whole.lines().any(|l| l.width() > 120), "{whole}");
        for width in [80, 120] {
            let wrapped = at_width(Some(width), args);
            assert_wrapped(&wrapped, &whole, width);
        }
    }
    // A continued description stays in its column: under the text, not under the option.
    let help = at_width(Some(80), &["assess", "--help"]);
    let lines: Vec<&str> = help.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("--rules <RULES>"))
        .unwrap();
    let column = lines[at].find("ルール").unwrap();
    assert!(lines[at + 1].starts_with(&" ".repeat(column)), "{help}");
    assert!(!lines[at + 1][column..].starts_with(' '), "{help}");
}

#[test]
fn explain_wraps_at_80_and_120_columns() {
    let args = ["explain", "ward-call-centre", "--as-of", "2026-04-01"];
    let whole = at_width(None, &args);
    for width in [80, 120] {
        assert_wrapped(&at_width(Some(width), &args), &whole, width);
    }
    // Markdown keeps its lines.
    let md = [
        "explain",
        "ward-call-centre",
        "--as-of",
        "2026-04-01",
        "--format",
        "md",
    ];
    assert_eq!(at_width(Some(80), &md), at_width(None, &md));
}

#[test]
fn the_table_gives_the_names_room_at_120_columns() {
    let (report, rules) = crate::support::bundled_report();
    for lang in [itaku::Lang::Ja, itaku::Lang::En] {
        let text = itaku_cli::text::table_fitted(&report, &rules.rules, lang, Some(120));
        assert!(text.lines().all(|l| l.width() <= 120), "{text}");
        for a in &report.assessments {
            assert!(text.contains(a.operation.id.as_str()), "{}", a.operation.id);
        }
        // The longest id is 41 columns: beside it a name would get 10; it gets 40 and more.
        let name = report.assessments[0].operation.display_name(lang);
        let start: String = name.chars().take(20).collect();
        assert!(start.width() >= 20, "{start}");
        assert!(text.contains(&start), "{start}\n{text}");
    }
    // Wide enough for everything side by side, the table stays one line per operation.
    let wide = itaku_cli::text::table_fitted(&report, &rules.rules, itaku::Lang::Ja, Some(400));
    assert_eq!(
        wide,
        itaku_cli::text::table(&report, &rules.rules, itaku::Lang::Ja)
    );
}
