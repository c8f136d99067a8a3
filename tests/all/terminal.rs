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
