//! `itaku new --answers`: the questionnaire for scripts, end to end: the assessment printed, the entry
//! appended to a catalog file as text (what was there kept byte for byte) through the catalog writer,
//! which validates the new text in memory and leaves the file untouched when it would not be valid.

use crate::support::{self};
use std::time::Duration;

use assert_cmd::Command;

const ANSWERS: &str = "# 回答\nname: 駐輪場利用申請の受付業務\n所管: 土木部 交通安全自転車課\nname_en: Bicycle parking permit intake\nstatutory_staff_only: いいえ\npublic_authority: 補助的な行為のみ (受付・確認など)\ndiscretion: rule_bound\ndecision_steps: [利用承認の決定]\nauxiliary_steps: [申請の受付, 入力]\nroutine_share: 90%\ndifficulty: 2\nannual_cases: 12000\nmanuals: わからない\nco_located: はい\nescalation_to_staff: はい\nstaff_fte: 3\n";

const CATALOG: &str = "# 土木部のカタログ (コメントはそのまま残る)\nformat: 3\noperations:\n  - id: existing   # 既存の業務\n    name: 既存の業務\n    department: 土木部\n\n    # 末尾のコメント";

fn itaku() -> Command {
    let mut c = support::itaku();
    c.timeout(Duration::from_secs(120));
    c
}

#[test]
fn the_entry_is_appended_as_text_and_the_assessment_printed() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    let catalog = dir.path().join("catalog.yaml");
    std::fs::write(&answers, ANSWERS).unwrap();
    std::fs::write(&catalog, CATALOG).unwrap();
    let out = itaku()
        .args(["new", "--as-of", "2026-04-01", "--answers"])
        .arg(&answers)
        .arg("--catalog")
        .arg(&catalog)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("判定: 一部委託"), "{stdout}");
    assert!(stdout.contains("チェックリスト"), "{stdout}");
    assert!(stdout.contains("区職員に日常的に照会"), "{stdout}");
    assert!(stdout.contains("対策: "), "{stdout}");
    assert!(stderr.contains("bicycle-parking-permit-intake"), "{stderr}");

    let text = std::fs::read_to_string(&catalog).unwrap();
    // Everything that was there, byte for byte, then a newline (the file had none at its end).
    assert!(text.starts_with(CATALOG), "{text}");
    assert_eq!(&text[CATALOG.len()..CATALOG.len() + 1], "\n");
    let loaded = itaku::catalog::load_path(&catalog);
    assert!(loaded.diagnostics.is_empty());
    assert_eq!(loaded.catalog.len(), 2);
    let op = loaded
        .catalog
        .find("bicycle-parking-permit-intake")
        .unwrap();
    assert_eq!(op.routine_share, Some(0.9));
    assert_eq!(op.manuals, None);
    assert_eq!(
        op.decision_steps.as_deref(),
        Some(&["利用承認の決定".to_string()][..])
    );

    // A second run proposes a free id rather than clashing.
    itaku()
        .args(["new", "--as-of", "2026-04-01", "--answers"])
        .arg(&answers)
        .arg("--catalog")
        .arg(&catalog)
        .assert()
        .success();
    let loaded = itaku::catalog::load_path(&catalog);
    assert!(loaded
        .catalog
        .find("bicycle-parking-permit-intake-2")
        .is_some());
    assert!(std::fs::read_to_string(&catalog)
        .unwrap()
        .starts_with(&text));
}

#[test]
fn an_invalid_result_leaves_the_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    // The id is taken by the catalog: appended, the catalog would hold a duplicate.
    std::fs::write(&answers, format!("id: existing\n{ANSWERS}")).unwrap();
    for original in [
        CATALOG.to_string(),
        // A catalog written as a flow list: an appended block item is a syntax error.
        "operations: [{id: a, name: A, department: D}]  # flow\n".to_string(),
    ] {
        let catalog = dir.path().join("catalog.yaml");
        std::fs::write(&catalog, &original).unwrap();
        let before = std::fs::metadata(&catalog).unwrap().permissions();
        let out = itaku()
            .args(["new", "--as-of", "2026-04-01", "--answers"])
            .arg(&answers)
            .arg("--catalog")
            .arg(&catalog)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("ファイルは元のままです"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&catalog).unwrap(), original);
        assert_eq!(std::fs::metadata(&catalog).unwrap().permissions(), before);
        // No temporary file is left beside it (the writers' lock file stays).
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != ".catalog.yaml.itaku-lock")
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}

#[test]
fn bad_answers_name_their_question_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    let catalog = dir.path().join("catalog.yaml");
    std::fs::write(&catalog, CATALOG).unwrap();
    std::fs::write(&answers, format!("{ANSWERS}difficulty_: 3\n")).unwrap();
    itaku()
        .args(["new", "--answers"])
        .arg(&answers)
        .arg("--catalog")
        .arg(&catalog)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("answers.yaml:17:1"))
        .stderr(predicates::str::contains("`difficulty`"));
    std::fs::write(&answers, ANSWERS.replace("difficulty: 2", "difficulty: 9")).unwrap();
    itaku()
        .args(["new", "--lang", "en", "--answers"])
        .arg(&answers)
        .arg("--catalog")
        .arg(&catalog)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "difficulty (How difficult is the work?)",
        ));
    assert_eq!(std::fs::read_to_string(&catalog).unwrap(), CATALOG);
}

#[test]
fn without_answers_and_without_a_terminal_it_says_so() {
    itaku()
        .arg("new")
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--answers FILE"));
}

#[test]
fn answers_from_standard_input_without_a_catalog_print_the_entry() {
    let out = itaku()
        .args(["new", "--as-of", "2026-04-01", "--answers", "-"])
        .write_stdin(ANSWERS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let entry = &stdout[stdout.find("# itaku").expect("the entry follows")..];
    let loaded = itaku::catalog::parse_str("entry.yaml", entry);
    assert!(loaded.diagnostics.is_empty(), "{entry}");
    assert_eq!(
        loaded.catalog.operations[0].name,
        "駐輪場利用申請の受付業務"
    );
}

#[test]
fn json_output_follows_contract_2() {
    let out = itaku()
        .args(["new", "--json", "--as-of", "2026-04-01", "--answers", "-"])
        .write_stdin(ANSWERS)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let json_end = stdout.find("\n\n# itaku").unwrap_or(stdout.len());
    let doc: serde_json::Value = serde_json::from_str(&stdout[..json_end]).unwrap();
    assert_eq!(doc["assessments"][0]["recommendation"], "partial");
    assert_eq!(doc["assessments"][0]["id"], "bicycle-parking-permit-intake");
}
