//! One YAML catalog file parsed in parallel chunks (src/catalog/yaml_split.rs) against the whole-file
//! parse: the same operations and origins, the same diagnostics rendered in both languages in the same
//! order, the same `skipped` and `rejected`, for every input and every chunk size. The split is only an
//! optimisation: wherever it is not certainly exact, the whole-file path runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use itaku::catalog::{load_path, parse_str, parse_str_split, LoadedCatalog};
use itaku::Lang;

use crate::support::{root, synthetic};

/// Everything a load gives that a user or a later stage can see.
fn summary(l: &LoadedCatalog) -> String {
    let mut s = String::new();
    for (op, origin) in l.catalog.operations.iter().zip(&l.catalog.origins) {
        let _ = writeln!(s, "{origin:?} {op:?}");
    }
    for d in l.diagnostics.iter() {
        let _ = writeln!(s, "{}", d.render(Lang::Ja, false));
        let _ = writeln!(s, "{}", d.render(Lang::En, false));
        let _ = writeln!(s, "{:?}", d.to_json(Lang::En));
    }
    let _ = writeln!(s, "skipped {}", l.skipped);
    let _ = writeln!(s, "rejected {:?}", l.rejected);
    s
}

/// Chunk sizes tried: one item a chunk, a few items, about a hundred, one chunk.
const SIZES: [usize; 4] = [1, 300, 128 * 1024, usize::MAX];

/// Compares every split of `text` with its whole-file parse; returns the whole-file load.
fn assert_same(name: &str, text: &str) -> LoadedCatalog {
    assert_same_in(name, text, &SIZES)
}

/// [`assert_same`] with the chunk sizes given.
fn assert_same_in(name: &str, text: &str, sizes: &[usize]) -> LoadedCatalog {
    let whole = parse_str_split(name, text, None);
    let expected = summary(&whole);
    for &size in sizes {
        let split = parse_str_split(name, text, Some(size));
        let got = summary(&split);
        if got != expected {
            let at = got
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{name}: split into chunks of {size} bytes differs from the whole-file parse at line {at}:\nsplit: {}\nwhole: {}",
                got.lines().nth(at).unwrap_or("(end)"),
                expected.lines().nth(at).unwrap_or("(end)")
            );
        }
    }
    if text.len() >= 256 * 1024 {
        assert_eq!(
            summary(&parse_str(name, text)),
            expected,
            "{name}: parse_str"
        );
    }
    whole
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn bundled_catalog_files() {
    let files: Vec<_> = files_in(&root().join("catalog"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("UTF-8 catalog");
        let whole = assert_same(&file.display().to_string(), &text);
        assert!(!whole.catalog.is_empty(), "{}", file.display());
        assert!(whole.diagnostics.is_empty(), "{}", file.display());
    }
}

#[test]
fn rule_case_files_and_hostile_fixtures() {
    let mut count = 0;
    for dir in ["tests/rules", "tests/fixtures/hostile"] {
        for file in files_in(&root().join(dir)) {
            let bytes = std::fs::read(&file).expect("readable");
            assert_same(
                &file.display().to_string(),
                &String::from_utf8_lossy(&bytes),
            );
            count += 1;
        }
    }
    assert!(count >= 20, "{count}");
}

/// The whole committed fuzz corpus (5,500 files) takes 80 s in a debug build, a third of the suite: it
/// runs in a release build (`cargo nextest run --release -E 'test(fuzz_corpus)'`, a few seconds) and
/// with `--run-ignored all`; the debug suite replays every eighth file of each corpus folder
/// ([`fuzz_corpus_sample`]), a fixed sample that reaches every folder.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "80 s in a debug build: run in release, or with --run-ignored all"
)]
fn fuzz_corpus() {
    let count = replay_fuzz_corpus(1);
    assert!(count >= 1000, "{count}");
}

#[test]
fn fuzz_corpus_sample() {
    let count = replay_fuzz_corpus(8);
    assert!(count >= 1000 / 8, "{count}");
}

/// Replays every `stride`-th file (in name order) of each folder of `fuzz/corpus`; returns how many.
fn replay_fuzz_corpus(stride: usize) -> usize {
    let mut count = 0;
    for dir in files_in_dirs(&root().join("fuzz/corpus")) {
        for file in files_in(&dir).into_iter().step_by(stride) {
            let bytes = std::fs::read(&file).expect("readable");
            assert_same_in(
                &file.display().to_string(),
                &String::from_utf8_lossy(&bytes),
                &[1, 300],
            );
            count += 1;
        }
    }
    count
}

fn files_in_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fuzz/corpus")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn generated_catalogs() {
    for (n, seed) in [(5000, 1), (1000, 2), (1000, 3)] {
        let text = synthetic::yaml(n, seed);
        let whole = assert_same_in(&format!("gen-{n}-{seed}.yaml"), &text, &[1, 128 * 1024]);
        assert_eq!(whole.catalog.len(), n);
    }
}

#[test]
fn generated_catalogs_with_problems() {
    let text = synthetic::yaml(400, 7);
    // An invalid value in the middle, an unknown field, a syntax error, a duplicate id far apart.
    let middle = text.len() / 2;
    let at = middle + text[middle..].find("routine_share: ").expect("a share");
    let cases = [
        format!("{}routine_share: 7{}", &text[..at], &text[at + 19..]),
        format!("{}routin_share: {}", &text[..at], &text[at + 15..]),
        format!("{}routine_share: \"0.5{}", &text[..at], &text[at + 15..]),
        format!("{}routine_share: [0.5{}", &text[..at], &text[at + 15..]),
        text.replace("id: \"op-0000300\"", "id: \"op-0000003\""),
        text.replace("id: \"op-0000", "id: \"Op-0000"),
        text.replace("    name: ", "    name: &n "),
    ];
    for (i, case) in cases.iter().enumerate() {
        assert_ne!(case, &text, "case {i} changed nothing");
        let whole = assert_same_in(&format!("bad-{i}.yaml"), case, &[1, 4096]);
        assert!(!whole.diagnostics.is_empty() || i == 6, "case {i}");
    }
}

/// A valid operation at the indentation of `ind` spaces (its fields two deeper).
fn item(ind: &str, id: &str) -> String {
    format!("{ind}- id: {id}\n{ind}  name: 業務 {id}\n{ind}  department: 総務部\n{ind}  routine_share: 0.5\n")
}

fn catalog(items: &[String]) -> String {
    format!("# c\noperations:\n{}", items.concat())
}

fn items(n: usize) -> Vec<String> {
    (0..n).map(|i| item("  ", &format!("op-{i}"))).collect()
}

/// Inserts `extra` after the first `k` items of a catalog of `n`.
fn with(n: usize, k: usize, extra: &str) -> String {
    let mut all = items(n);
    all.insert(k, extra.to_string());
    catalog(&all)
}

#[test]
fn hand_made_edge_files() {
    let plain = catalog(&items(6));
    let mut cases: Vec<(&str, String)> = vec![
        ("plain", plain.clone()),
        ("comments between items", with(6, 3, "  # between\n# at column 0\n    # deeper\n")),
        ("blank lines", with(6, 2, "\n\n   \n")),
        ("crlf", plain.replace('\n', "\r\n")),
        ("lone cr", plain.replacen('\n', "\r", 5)),
        ("bom", format!("\u{feff}{plain}")),
        ("no final newline", plain.trim_end().to_string()),
        ("indentation 0", catalog(&(0..5).map(|i| item("", &format!("z{i}"))).collect::<Vec<_>>())),
        ("indentation 4", catalog(&(0..5).map(|i| item("    ", &format!("f{i}"))).collect::<Vec<_>>())),
        ("mixed indentation", with(4, 2, "   - id: odd\n     name: n\n     department: d\n")),
        ("nested sequence deeper", with(5, 2, "  - id: nest\n    name: n\n    department: d\n    auxiliary_steps:\n      - a\n      - b\n")),
        ("nested sequence indentless", with(5, 2, "  - id: nest\n    name: n\n    department: d\n    auxiliary_steps:\n    - a\n    - b\n")),
        ("nested sequence at the item indentation", with(5, 2, "  - id: nest\n    name: n\n    department: d\n    auxiliary_steps:\n  - a\n")),
        ("sequence item", with(4, 2, "  - - a\n    - b\n")),
        ("null item", with(4, 2, "  -\n")),
        ("item on the next line", with(4, 2, "  -\n    id: next\n    name: n\n    department: d\n")),
        ("flow list", with(4, 2, "  - id: flow\n    name: n\n    department: d\n    auxiliary_steps: [a, b]\n")),
        ("flow list across items", with(4, 2, "  - id: flow\n    name: n\n    department: d\n    auxiliary_steps: [a,\n  - b]\n")),
        ("flow mapping item", with(4, 2, "  - {id: fm, name: n, department: d}\n")),
        ("flow operations", "operations: [{id: a, name: n, department: d}]\n".to_string()),
        ("quoted across items", with(4, 2, "  - id: q\n    name: \"n\n  - id: r\"\n    department: d\n")),
        ("single quoted across items", with(4, 2, "  - id: q\n    name: 'n\n  - id: r'\n    department: d\n")),
        ("plain continuation", with(4, 2, "  - id: p\n    name: n\n      more\n    department: d\n")),
        ("plain continuation at the item indentation", with(4, 2, "  - id: p\n    name: n\n  more\n    department: d\n")),
        ("literal block", with(4, 2, "  - id: b\n    name: n\n    department: d\n    description: |\n      one\n\n      two\n\n\n")),
        ("kept block", with(4, 2, "  - id: b\n    name: n\n    department: d\n    description: |+\n      one\n\n\n")),
        ("kept block at the end", format!("{plain}  - id: b\n    name: n\n    department: d\n    description: |+\n      one\n\n")),
        ("folded block", with(4, 2, "  - id: b\n    name: n\n    department: d\n    description: >-\n      one\n      two\n  # c\n\n")),
        ("block with a dash line", with(4, 2, "  - id: b\n    name: n\n    department: d\n    description: |\n      - x\n    - y\n")),
        ("anchor", with(4, 2, "  - &a id: an\n    name: &n n\n    department: d\n")),
        ("anchor and alias", with(4, 2, "  - id: al\n    name: *x\n    department: d\n")),
        ("alias across items", with(4, 2, "  - id: al\n    name: &x n\n    department: d\n  - id: al2\n    name: *x\n    department: d\n")),
        ("tag", with(4, 2, "  - id: !!str tg\n    name: !!str 12\n    department: d\n")),
        ("tagged item", with(4, 2, "  - !!map\n    id: tg\n    name: n\n    department: d\n")),
        ("explicit key", with(4, 2, "  - ? id\n    : ek\n    name: n\n    department: d\n")),
        ("second top-level key", format!("{plain}other: 1\n")),
        ("second operations key", format!("{plain}operations:\n{}", item("  ", "again"))),
        ("key before operations", format!("version: 1\n{plain}")),
        ("document start", format!("---\n{plain}")),
        ("document marker in the middle", with(4, 2, "---\n")),
        ("document end", format!("{plain}...\n")),
        ("second document", format!("{plain}---\noperations:\n{}", item("  ", "doc2"))),
        ("directive", format!("%YAML 1.2\n---\n{plain}")),
        ("tab indentation", with(4, 2, "\t- id: t\n")),
        ("tab in an item", with(4, 2, "  - id: t\n    name:\tn\n    department: d\n")),
        ("tab after the indentation", with(4, 2, "  \t- id: t\n")),
        ("dash without space", with(4, 2, "  -x\n")),
        ("header with comment", plain.replace("operations:\n", "operations: # list\n")),
        ("header with anchor", plain.replace("operations:\n", "operations: &ops\n")),
        ("header with tag", plain.replace("operations:\n", "operations: !!seq\n")),
        ("quoted header", plain.replace("operations:\n", "\"operations\":\n")),
        ("syntax error in the middle", with(6, 3, "  - id: s\n    name: [n\n    department: d\n")),
        ("bad indentation in the middle", with(6, 3, "  - id: s\n      name: n\n    department: d\n")),
        ("duplicate key", with(4, 2, "  - id: dk\n    name: n\n    name: m\n    department: d\n")),
        ("invalid entry", with(4, 2, "  - id: Bad Id\n    name: n\n    department: d\n    difficulty: 9\n")),
        ("duplicate id across chunks", with(6, 5, &item("  ", "op-1"))),
        ("duplicate id with hazards", {
            let mut all = items(3);
            all[0] = "  - id: hz\n    name: n\n    department: d\n    hazards: [heights]\n".into();
            all.push("  - id: hz\n    name: m\n    department: d\n    hazards: [machinery, lone_work]\n".into());
            catalog(&all)
        }),
        ("empty", String::new()),
        ("comments only", "# a\n# b\n".to_string()),
        ("no items", "operations:\n".to_string()),
        ("empty list", "operations: []\n".to_string()),
        ("only a comment under operations", "operations:\n  # none\n".to_string()),
        ("top-level list", "- id: a\n  name: n\n  department: d\n".to_string()),
        ("nul byte", with(4, 2, "  - id: nul\0\n")),
        ("unicode line separator", with(4, 2, "  - id: ls\n    name: a\u{2028}b\u{85}c\n    department: d\n")),
        ("long line", with(4, 2, &format!("  - id: long\n    name: {}\n    department: d\n", "長".repeat(5000)))),
    ];
    // Nesting around the depth limit (32 levels, counting the top-level mapping and the list).
    for depth in [27, 28, 29, 30, 31] {
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        cases.push((
            "deep",
            with(
                4,
                2,
                &format!(
                    "  - id: deep\n    name: n\n    department: d\n    auxiliary_steps: {nested}\n"
                ),
            ),
        ));
    }
    // More than 200 problems: invalid entries, and valid entries with duplicate ids.
    cases.push((
        "many invalid entries",
        catalog(
            &(0..260)
                .map(|i| format!("  - id: m{i}\n    name: n\n    department: d\n    bogus: 1\n"))
                .collect::<Vec<_>>(),
        ),
    ));
    cases.push((
        "many duplicate ids",
        catalog(&(0..260).map(|_| item("  ", "same")).collect::<Vec<_>>()),
    ));
    cases.push((
        "many duplicate ids with hazards",
        catalog(
            &(0..230)
                .map(|_| {
                    "  - id: same\n    name: n\n    department: d\n    hazards: [heights]\n"
                        .to_string()
                })
                .collect::<Vec<_>>(),
        ),
    ));
    for (name, text) in &cases {
        assert_same(name, text);
    }
    // The fast path's duplicate handling is exercised: ids are checked across chunks in order.
    let dup = parse_str_split(
        "t.yaml",
        &cases
            .iter()
            .find(|c| c.0 == "many duplicate ids")
            .expect("case")
            .1,
        Some(1),
    );
    assert_eq!(dup.catalog.len(), 1);
    assert_eq!(dup.diagnostics.len(), 201);
    assert_eq!(dup.skipped, 200);
}

/// A file read from disk (UTF-8 decoding, a byte-order mark) large enough to be split by default.
#[test]
fn large_file_through_load_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = synthetic::yaml(1500, 11);
    assert!(text.len() > 512 * 1024, "{}", text.len());
    for (name, content) in [
        ("plain.yaml", text.clone()),
        ("bom.yaml", format!("\u{feff}{text}")),
        ("crlf.yaml", text.replace('\n', "\r\n")),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &content).expect("write");
        let loaded = load_path(&path);
        let shown = path.display().to_string();
        let whole = parse_str_split(&shown, &content, None);
        assert_eq!(summary(&loaded), summary(&whole), "{name}");
        assert_eq!(loaded.catalog.len(), 1500, "{name}");
    }
}
