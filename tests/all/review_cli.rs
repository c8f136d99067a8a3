//! The review queue on the command line, as policy staff use it: `itaku drafts`, `submit`, `return`,
//! `accept` of a draft that replaces a catalog operation (its changed facts and outcome shown), and
//! `accept --commit` making a git commit authored by the department.

use std::path::Path;
use std::process::Command;

use crate::support;

const CATALOG: &str = "# 道路のカタログ\noperations:\n  - id: road-permits   # 道路占用\n    name: 道路占用許可の受付\n    department: 土木部 管理課\n    statutory_staff_only: false\n    public_authority: ancillary\n    routine_share: 0.5\n    difficulty: 3\n    decision_steps: []\n  - id: other\n    name: ほかの業務\n    department: 土木部 管理課\n";

fn itaku(dir: &Path, args: &[&str]) -> std::process::Output {
    support::itaku_std()
        .current_dir(dir)
        .env("ITAKU_USER", "seisaku-tanaka")
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = itaku(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_draft_replacing_an_operation_shows_its_change_and_is_committed_as_the_department() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("c.yaml"), CATALOG).unwrap();
    git(d, &["init", "-q"]);
    git(
        d,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "add",
            "c.yaml",
        ],
    );
    git(
        d,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "-qm",
            "start",
        ],
    );
    std::fs::write(
        d.join("a.yaml"),
        "id: road-permits\nname: 道路占用許可の受付\n所管: 土木部 管理課\nstatutory_staff_only: いいえ\npublic_authority: ancillary\nroutine_share: 90%\ndifficulty: 2\ndecision_steps: なし\nmanuals: わからない\n",
    )
    .unwrap();
    ok(d, &["new", "--answers", "a.yaml", "--drafts", "drafts"]);
    let listed = ok(d, &["drafts", "--drafts", "drafts", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(rows[0]["id"], "road-permits");
    assert_eq!(rows[0]["status"], "draft");
    // Not submitted yet: accepting is refused and the catalog is untouched.
    let out = itaku(
        d,
        &[
            "accept",
            "road-permits",
            "--catalog",
            "c.yaml",
            "--drafts",
            "drafts",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(d.join("c.yaml")).unwrap(), CATALOG);
    ok(d, &["submit", "road-permits", "--drafts", "drafts"]);
    let out = ok(
        d,
        &[
            "accept",
            "road-permits",
            "--catalog",
            "c.yaml",
            "--drafts",
            "drafts",
            "--commit",
        ],
    );
    // The change of facts, by their titles, and of the outcome.
    assert!(
        out.contains("facts changed from the catalog's operation"),
        "{out}"
    );
    assert!(out.contains("(routine_share): 0.5 → 0.9"), "{out}");
    assert!(out.contains("(difficulty): 3 → 2"), "{out}");
    let text = std::fs::read_to_string(d.join("c.yaml")).unwrap();
    // Only the replaced operation's lines changed.
    assert!(
        text.starts_with("# 道路のカタログ\noperations:\n  - id: \"road-permits\"\n"),
        "{text}"
    );
    assert!(
        text.ends_with("  - id: other\n    name: ほかの業務\n    department: 土木部 管理課\n"),
        "{text}"
    );
    let loaded = itaku::catalog::load_path(&d.join("c.yaml"));
    assert!(!loaded.diagnostics.has_errors());
    assert_eq!(loaded.catalog.len(), 2);
    assert_eq!(
        loaded.catalog.find("road-permits").unwrap().routine_share,
        Some(0.9)
    );
    // The commit is authored by the department, and records who accepted it.
    let log = git(d, &["log", "-1", "--format=%an|%s|%b"]);
    assert!(log.starts_with("土木部 管理課|受理: road-permits"), "{log}");
    assert!(log.contains("by seisaku-tanaka"), "{log}");
    let rows: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "drafts", "--drafts", "drafts", "--status", "accepted", "--json",
        ],
    ))
    .unwrap();
    assert_eq!(rows[0]["updated_by"], "seisaku-tanaka");
}

#[test]
fn returning_needs_a_submitted_draft_and_a_comment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.yaml"), "name: 受付\n所管: 総務部 総務課\n").unwrap();
    ok(d, &["new", "--answers", "a.yaml", "--drafts", "drafts"]);
    let out = itaku(
        d,
        &[
            "return",
            "soumu-001",
            "--comment",
            "x",
            "--drafts",
            "drafts",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "a draft not submitted");
    assert!(String::from_utf8_lossy(&out.stderr).contains("only a submitted draft"));
    ok(d, &["submit", "soumu-001", "--drafts", "drafts"]);
    let out = itaku(
        d,
        &[
            "return",
            "soumu-001",
            "--comment",
            "  ",
            "--drafts",
            "drafts",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    ok(
        d,
        &[
            "return",
            "soumu-001",
            "--comment",
            "件数を書いてください",
            "--drafts",
            "drafts",
        ],
    );
    let list = ok(d, &["drafts", "--drafts", "drafts"]);
    assert!(
        list.contains("returned") && list.contains("件数を書いてください"),
        "{list}"
    );
    let out = itaku(d, &["submit", "nothing-here", "--drafts", "drafts"]);
    assert_eq!(out.status.code(), Some(2));
    // An answers file naming a field twice is an error, not a silent winner.
    std::fs::write(
        d.join("twice.yaml"),
        "name: A\n所管: 総務部\ndepartment: 財務部\n",
    )
    .unwrap();
    let out = itaku(d, &["new", "--answers", "twice.yaml", "--drafts", "drafts"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already answered on line 2"));
}
