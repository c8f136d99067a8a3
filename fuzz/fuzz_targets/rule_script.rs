//! Small generated Rhai scripts run against one operation: whatever a rule does, its evaluation ends
//! within the time budget (plus compile time) and within a memory bound, and what it records stays
//! within the rule API's per-operation limits.
//!
//! Each input byte picks one line from a vocabulary of statements that are slow, allocate, loop or
//! call the rule API; a script that does not compile (unbalanced braces) is skipped.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use itaku::rules::{CompiledRules, MemorySource, RuleSet, MAX_ENTRIES, TIME_BUDGET};
use libfuzzer_sys::fuzz_target;

/// Counts live heap bytes and their peak, to assert a bound per input (libFuzzer's `-rss_limit_mb`
/// catches a leak across inputs; this catches one evaluation that balloons and then frees).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap one evaluation may use at its peak. The worst case documented in docs/robustness.md §1.5 (a)
/// (a map grown by `m[k] = v`, which Rhai does not bound) is about 460 MB.
const MEMORY_BOUND: usize = 1 << 30;

const LINES: &[&str] = &[
    "let a = [];",
    "a.pad(1023, 0);",
    "let b = a;",
    "a == b;",
    "a.contains(1);",
    "loop {",
    "while true {",
    "for i in 0..2000 {",
    "}",
    "let m = #{};",
    "m[`k${a.len()}`] = a;",
    "m[`k${m.len()}`] = m;",
    "let s = \"x\";",
    "s += s;",
    "s.pad(4000, 'y');",
    "a.push(s);",
    "note(\"ok\", [s]);",
    "note(\"ok\", [1]);",
    "points(\"C1\", 1, \"ok\", [a]);",
    "exclude(\"ok\", [m]);",
    "cap(\"study\", \"ok\", [s]);",
    "flag(\"s1-test\", \"high\");",
    "missing(\"routine_share\");",
    "recommend(\"outsource\");",
    "free_fte(1.0);",
    "fn f(n) { f(n + 1) }",
    "f(0);",
    "throw s;",
    "if a.len() > 10 { break; }",
    "let r = op.routine_share;",
    "let p = param(\"limit\");",
];

const MANIFEST: &str = r#"name: fuzz
version: "1"
rules:
  - id: generated
    kind: criterion
    title: {ja: 生成, en: generated}
    basis: {ja: ファズ, en: fuzz}
    script: generated.rhai
  - id: recommend
    kind: recommendation
    title: {ja: 判定, en: recommendation}
    basis: {ja: ファズ, en: fuzz}
    script: recommend.rhai
"#;

const PARAMETERS: &str = r#"parameters:
  limit:
    description: {ja: 上限, en: limit}
    source: fuzz
    type: share
    values:
      - {from: 2020-04-01, value: 0.5}
"#;

const ITEMS: &str = r#"items:
  - id: s1-test
    safeguard: S1
    item: {ja: 項目, en: item}
    mitigation: {ja: 対策, en: mitigation}
    basis: {ja: 根拠, en: basis}
"#;

fn operation() -> &'static Arc<itaku::Operation> {
    static OP: OnceLock<Arc<itaku::Operation>> = OnceLock::new();
    OP.get_or_init(|| {
        let loaded = itaku::catalog::parse_str(
            "fuzz.yaml",
            "operations:\n  - id: fuzz\n    name: 業務\n    department: 総務部\n    routine_share: 0.9\n",
        );
        Arc::clone(&loaded.catalog.operations[0])
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 {
        return;
    }
    let script: Vec<&str> = data.iter().map(|b| LINES[*b as usize % LINES.len()]).collect();
    let files: BTreeMap<String, String> = [
        ("manifest.yaml", MANIFEST.to_string()),
        ("parameters.yaml", PARAMETERS.to_string()),
        ("items.yaml", ITEMS.to_string()),
        ("messages.yaml", "messages:\n  ok: {ja: \"理由 {0}\", en: \"reason {0}\"}\n".to_string()),
        ("recommend.rhai", "recommend(\"in_house\");".to_string()),
        ("generated.rhai", script.join("\n")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let set = RuleSet::load(&MemorySource(files)).expect("the fuzz rule set loads");
    let Ok(rules) = CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap()) else {
        return;
    };
    let op = operation();
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let e = rules.evaluate(op);
    let elapsed = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    // The budget is checked every 64 Rhai operations; the slowest known operation takes ~50 µs.
    assert!(elapsed < TIME_BUDGET + Duration::from_millis(500), "took {elapsed:?}");
    assert!(peak < MEMORY_BOUND, "peak heap {peak} bytes");
    assert!(e.notes.len() <= MAX_ENTRIES);
    assert!(e.exclusions.len() <= MAX_ENTRIES);
    assert!(e.reasons.iter().map(Vec::len).sum::<usize>() <= MAX_ENTRIES);
    assert!(e.checklist.len() <= 1);
    assert!(e.missing.len() <= 1);
});
