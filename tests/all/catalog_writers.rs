//! Many writers into one catalog file, as users would run them: `itaku new --catalog` and `itaku accept`
//! processes at once (every entry is there, or its writer said why not and exited non-zero), and writers
//! killed with SIGKILL at random moments (the catalog always loads, the drafts store always opens).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support;

const CATALOG: &str = "# 共有のカタログ (このコメントは残る)\noperations:\n  - id: existing\n    name: 既存の業務\n    department: 総務部 総務課\n";

fn answers(name_en: &str, department: &str) -> String {
    format!(
        "name: 業務 {name_en}\nname_en: {name_en}\n所管: {department}\nstatutory_staff_only: いいえ\npublic_authority: 補助的な行為のみ (受付・確認など)\nroutine_share: 80%\ndifficulty: 2\ndecision_steps: なし\nmanuals: わからない\n"
    )
}

fn run_ok(args: &[&std::ffi::OsStr]) {
    let out = support::itaku_std()
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `n` submitted drafts in the store of `drafts`, named `accepted-0`…; returns their ids.
fn submitted_drafts(dir: &Path, drafts: &Path, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let a = support::write(
            dir,
            &format!("draft-{i}.yaml"),
            answers(&format!("accepted {i}"), "保育部 保育課"),
        );
        run_ok(&[
            "new".as_ref(),
            "--answers".as_ref(),
            a.as_os_str(),
            "--drafts".as_ref(),
            drafts.as_os_str(),
        ]);
        let id = format!("accepted-{i}");
        run_ok(&[
            "submit".as_ref(),
            id.as_ref(),
            "--drafts".as_ref(),
            drafts.as_os_str(),
        ]);
        ids.push(id);
    }
    ids
}

fn new_writer(answers: &Path, catalog: &Path) -> Child {
    support::itaku_std()
        .args(["--lang", "en", "new", "--answers"])
        .arg(answers)
        .arg("--catalog")
        .arg(catalog)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn accept_writer(id: &str, catalog: &Path, drafts: &Path) -> Child {
    support::itaku_std()
        .args(["--lang", "en", "accept", id, "--catalog"])
        .arg(catalog)
        .arg("--drafts")
        .arg(drafts)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn check_passes(catalog: &Path) {
    let out = support::itaku_std()
        .args(["--lang", "en", "check"])
        .arg(catalog)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "itaku check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn twenty_parallel_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = support::write(dir.path(), "c.yaml", CATALOG);
    let drafts = dir.path().join("drafts");
    let to_accept = submitted_drafts(dir.path(), &drafts, 10);
    let mut writers: Vec<(String, Child)> = Vec::new();
    let started = Instant::now();
    for (i, id) in to_accept.iter().enumerate() {
        let a = support::write(
            dir.path(),
            &format!("new-{i}.yaml"),
            answers(&format!("appended {i}"), "総務部 総務課"),
        );
        writers.push((format!("appended-{i}"), new_writer(&a, &catalog)));
        writers.push((id.clone(), accept_writer(id, &catalog, &drafts)));
    }
    let mut succeeded = Vec::new();
    let mut refused = Vec::new();
    for (id, child) in writers {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() {
            succeeded.push(id);
        } else {
            // A refusal says why, and exits non-zero.
            assert!(stderr.contains("error"), "{id}: silent failure: {stderr}");
            refused.push((id, stderr));
        }
    }
    let elapsed = started.elapsed();
    let text = std::fs::read_to_string(&catalog).unwrap();
    assert!(text.starts_with(CATALOG), "the existing text is kept");
    let loaded = itaku::catalog::load_path(&catalog);
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    for id in &succeeded {
        assert!(
            loaded.catalog.find(id).is_some(),
            "`{id}` reported success but is not in the catalog"
        );
    }
    // Every entry in the catalog is one that was reported (nothing half-written, nothing extra).
    assert_eq!(loaded.catalog.len(), 1 + succeeded.len(), "{refused:?}");
    eprintln!(
        "20 parallel writers: {} written, {} refused, {:.1} s",
        succeeded.len(),
        refused.len(),
        elapsed.as_secs_f64()
    );
    // Writers wait for the lock rather than fail: all twenty get in.
    assert_eq!(succeeded.len(), 20, "{refused:?}");
    check_passes(&catalog);
    let store = itaku::drafts::Store::open(&drafts, None).unwrap();
    let accepted = store
        .list(Some(itaku::drafts::Status::Accepted))
        .unwrap()
        .len();
    assert_eq!(accepted, 10);
}

#[test]
fn writers_killed_at_random_moments_leave_a_catalog_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = support::write(dir.path(), "c.yaml", CATALOG);
    let drafts = dir.path().join("drafts");
    const ROUNDS: usize = 30;
    let to_accept = submitted_drafts(dir.path(), &drafts, ROUNDS / 2);
    let mut rng = fastrand::Rng::with_seed(21);
    let (mut finished, mut killed) = (0, 0);
    for round in 0..ROUNDS {
        let mut child = if round % 2 == 0 {
            let a = support::write(
                dir.path(),
                &format!("kill-{round}.yaml"),
                answers(&format!("killed {round}"), "総務部 総務課"),
            );
            new_writer(&a, &catalog)
        } else {
            accept_writer(&to_accept[round / 2], &catalog, &drafts)
        };
        std::thread::sleep(Duration::from_millis(rng.u64(0..1200)));
        match child.try_wait().unwrap() {
            Some(_) => finished += 1,
            None => {
                child.kill().unwrap();
                killed += 1;
            }
        }
        let _ = child.wait();
        let loaded = itaku::catalog::load_path(&catalog);
        assert!(
            !loaded.diagnostics.has_errors(),
            "round {round}: the catalog does not load: {:?}",
            loaded.diagnostics
        );
        assert!(std::fs::read_to_string(&catalog)
            .unwrap()
            .starts_with(CATALOG));
        let store = itaku::drafts::Store::open(&drafts, None).unwrap();
        assert_eq!(store.integrity().unwrap(), "ok", "round {round}");
    }
    let written = itaku::catalog::load_path(&catalog).catalog.len() - 1;
    eprintln!("SIGKILL loop: {ROUNDS} rounds, {killed} killed while running, {finished} finished first, {written} entries written");
    assert!(killed > 0, "no writer was killed: the delays are too long");
    check_passes(&catalog);
}

#[cfg(unix)]
#[test]
fn writers_refuse_links_and_files_that_are_not_catalogs() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::write(
        dir.path(),
        "a.yaml",
        answers("refused one", "総務部 総務課"),
    );
    // A file that is not a catalog (the rule set's manifest) is refused, byte for byte untouched.
    let manifest = dir.path().join("manifest.yaml");
    std::fs::copy(support::root().join("rules/manifest.yaml"), &manifest).unwrap();
    let before = std::fs::read(&manifest).unwrap();
    let out = new_writer(&a, &manifest).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a catalog"));
    assert_eq!(std::fs::read(&manifest).unwrap(), before);
    // A link to a catalog, and a dangling link, are refused; neither becomes a file.
    let real = support::write(dir.path(), "real.yaml", CATALOG);
    for (name, target) in [
        ("link.yaml", real.clone()),
        ("dangling.yaml", dir.path().join("gone.yaml")),
    ] {
        let link = dir.path().join(name);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let out = new_writer(&a, &link).wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("symbolic link"),
            "{name}"
        );
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), CATALOG);
    assert!(!dir.path().join("gone.yaml").exists());
    // `itaku import` does not replace a dangling link with a file, with or without --force.
    let csv = support::write(
        dir.path(),
        "ops.csv",
        "id,name,department\nimported,取り込んだ業務,総務部\n",
    );
    let link = dir.path().join("out.yaml");
    std::os::unix::fs::symlink(dir.path().join("nowhere.yaml"), &link).unwrap();
    for force in [false, true] {
        let mut c = support::itaku_std();
        c.args(["--lang", "en", "import"])
            .arg(&csv)
            .arg("--output")
            .arg(&link);
        if force {
            c.arg("--force");
        }
        let out = c.output().unwrap();
        assert_ne!(out.status.code(), Some(0), "force {force}");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(!dir.path().join("nowhere.yaml").exists());
    }
    // A drafts folder that is the catalog's folder is refused when the server starts.
    let catalog_dir = dir.path().join("catalog");
    std::fs::create_dir(&catalog_dir).unwrap();
    support::write(&catalog_dir, "c.yaml", CATALOG);
    let out = support::itaku_std()
        .args(["--lang", "en", "serve", "--addr", "127.0.0.1:0"])
        .arg(&catalog_dir)
        .arg("--drafts")
        .arg(&catalog_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("catalog's folder"));
}
