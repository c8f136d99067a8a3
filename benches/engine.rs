//! Benchmarks of the engine on the synthetic catalog (`tests/support/synthetic.rs`), with the standard
//! rules of `rules/`. Run: `cargo bench --bench engine` (numbers and their reading: docs/performance.md).
//!
//! `rhai_subset` and `native_subset` assess the same three criterion rules (C1, C3, C4), once through the
//! Rhai runtime and once as plain Rust, so the interpreter's overhead is measured as a ratio in one run;
//! `compiled_subset` runs them through the rule compiler. `assess_standard`, `assess_standard_parallel`
//! (the same work on all cores), `assess_catalog_parallel` (the library's `assess_catalog`, which also
//! collects the report) and `evaluate_standard` run once per engine (`interpreted`, `compiled`); `rule_interpreted` and
//! `rule_compiled` run each standard rule alone (with a one-line recommendation) on each engine.
//! `end_to_end_jsonl` and `end_to_end_yaml` go from text to rendered JSON Lines.
//!
//! The `_bundled` benches (and `subset_bundled`, `end_to_end_jsonl_as`) run the same work on the
//! *bundled-like* workload (issue 27): the bundled catalog's operations repeated, ids made unique.

#![recursion_limit = "256"]

// The allocator of the `itaku` binary (src/main.rs), so that the numbers are those of what ships.
#[global_allocator]
static GLOBAL: itaku::heap::Counting<mimalloc::MiMalloc> =
    itaku::heap::Counting(mimalloc::MiMalloc);

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;

use divan::{black_box, Bencher};
use itaku::assess::assess_operation;
use itaku::catalog::{parse_jsonl_str, parse_str, Catalog, Manuals, Operation};
use itaku::render::{render, Format};
use itaku::rules::{CompiledRules, EngineKind, MemorySource, ParamValue, RuleSet};
use itaku::Lang;
use rayon::prelude::*;

const OPS: usize = 2_000;
const SEED: u64 = 7;

fn main() {
    divan::main();
}

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 4, 1)
}

fn rules_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn standard() -> CompiledRules {
    let set = RuleSet::load_dir(rules_dir()).expect("standard rules load");
    CompiledRules::compile(Arc::new(set), as_of()).expect("standard rules compile")
}

fn catalog(n: usize) -> Catalog {
    let loaded = parse_jsonl_str("synthetic.jsonl", &synthetic::jsonl(n, SEED));
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    loaded.catalog
}

/// The standard rules' parameter, item and message files by name, and the manifest's text.
fn rule_files() -> (BTreeMap<String, String>, String) {
    let dir = rules_dir();
    let files = ["parameters.yaml", "items.yaml", "messages.yaml"]
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            (name.to_string(), text)
        })
        .collect();
    let manifest = std::fs::read_to_string(dir.join("manifest.yaml")).unwrap();
    (files, manifest)
}

/// The standard rule set reduced to the criterion rules C1, C3 and C4 (plus a one-line recommendation).
fn subset() -> CompiledRules {
    let dir = rules_dir();
    let (mut files, manifest) = rule_files();
    let (head, _) = manifest.split_once("rules:\n").unwrap();
    let mut reduced = format!("{head}rules:\n");
    for (id, script) in [
        ("criterion-c1", "c1_routine_volume.rhai"),
        ("criterion-c3", "c3_seasonal_peak.rhai"),
        ("criterion-c4", "c4_market.rhai"),
    ] {
        reduced.push_str(&format!(
            "  - {{id: {id}, kind: criterion, title: {{ja: {id}, en: {id}}}, basis: {{ja: b, en: b}}, script: scripts/{script}}}\n"
        ));
        files.insert(
            format!("scripts/{script}"),
            std::fs::read_to_string(dir.join("scripts").join(script)).unwrap(),
        );
    }
    // A rule set needs a recommendation rule; this one does as little as a rule can.
    reduced.push_str("  - {id: recommendation, kind: recommendation, title: {ja: r, en: r}, basis: {ja: b, en: b}, script: scripts/rec.rhai}\n");
    files.insert("scripts/rec.rhai".into(), "recommend(\"study\");\n".into());
    files.insert("manifest.yaml".into(), reduced);
    let set = RuleSet::load(&MemorySource(files)).expect("subset loads");
    CompiledRules::compile(Arc::new(set), as_of()).expect("subset compiles")
}

#[divan::bench(sample_count = 20)]
fn parse_yaml(bencher: Bencher) {
    let text = synthetic::yaml(OPS, SEED);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| parse_str("synthetic.yaml", black_box(&text)).catalog.len());
}

#[divan::bench(sample_count = 20)]
fn parse_jsonl(bencher: Bencher) {
    let text = synthetic::jsonl(OPS, SEED);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            parse_jsonl_str("synthetic.jsonl", black_box(&text))
                .catalog
                .len()
        });
}

#[divan::bench(sample_count = 20)]
fn compile_rules(bencher: Bencher) {
    bencher.bench(|| {
        let set = RuleSet::load_dir(rules_dir()).unwrap();
        CompiledRules::compile(Arc::new(set), as_of()).unwrap()
    });
}

fn engine(name: &str) -> EngineKind {
    match name {
        "interpreted" => EngineKind::Interpreted,
        _ => EngineKind::Compiled,
    }
}

const ENGINES: &[&str] = &["interpreted", "compiled"];

/// One thread: every standard rule on each operation, by each engine.
#[divan::bench(sample_count = 20, args = ENGINES)]
fn assess_standard(bencher: Bencher, kind: &str) {
    bench_assess(bencher, kind, |catalog, rules| {
        (catalog.operations.iter())
            .map(|op| assess_operation(op, rules).checklist.len())
            .sum()
    });
}

/// All cores (rayon): the same work as `assess_standard`, each assessment dropped where it was made.
#[divan::bench(sample_count = 20, args = ENGINES)]
fn assess_standard_parallel(bencher: Bencher, kind: &str) {
    bench_assess(bencher, kind, |catalog, rules| {
        (catalog.operations.par_iter())
            .map(|op| assess_operation(op, rules).checklist.len())
            .sum()
    });
}

/// All cores: `assess_catalog`, which also collects the report (then dropped on one thread, as a
/// caller does).
#[divan::bench(sample_count = 20, args = ENGINES)]
fn assess_catalog_parallel(bencher: Bencher, kind: &str) {
    bench_assess(bencher, kind, |catalog, rules| {
        itaku::assess_catalog(catalog, rules).assessments.len()
    });
}

/// Times `work` on the generated catalog with the standard rules run by engine `kind`.
fn bench_assess(bencher: Bencher, kind: &str, work: fn(&Catalog, &CompiledRules) -> usize) {
    let rules = standard().with_engine(engine(kind));
    let catalog = catalog(OPS);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| work(&catalog, &rules));
}

/// The rules alone (no assessment built from their output), one thread.
#[divan::bench(sample_count = 20, args = ENGINES)]
fn evaluate_standard(bencher: Bencher, kind: &str) {
    let rules = standard().with_engine(engine(kind));
    let catalog = catalog(OPS);
    // The compiled rules must really run compiled on these operations (never handing one over).
    let before = itaku::rules::bails_on_this_thread();
    for op in &catalog.operations {
        rules.evaluate(op);
    }
    assert_eq!(itaku::rules::bails_on_this_thread(), before);
    bench_evaluate(bencher, &rules, &catalog);
}

/// Evaluates every operation of `catalog` with `rules` (the rules alone, one thread).
fn bench_evaluate(bencher: Bencher, rules: &CompiledRules, catalog: &Catalog) {
    bencher
        .counter(divan::counter::ItemsCount::new(catalog.operations.len()))
        .bench(|| {
            catalog
                .operations
                .iter()
                .map(|op| rules.evaluate(op).checklist.len())
                .sum::<usize>()
        });
}

/// The C1, C3, C4 subset compiled (compare with `rhai_subset` and `native_subset`).
#[divan::bench(sample_count = 20)]
fn compiled_subset(bencher: Bencher) {
    let rules = subset();
    let catalog = catalog(OPS);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            catalog
                .operations
                .iter()
                .map(|op| rules.evaluate(op).points.iter().sum::<i64>())
                .sum::<i64>()
        });
}

#[divan::bench(sample_count = 20)]
fn rhai_subset(bencher: Bencher) {
    let rules = subset().with_engine(EngineKind::Interpreted);
    let catalog = catalog(OPS);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            catalog
                .operations
                .iter()
                .map(|op| rules.evaluate(op).points.iter().sum::<i64>())
                .sum::<i64>()
        });
}

#[divan::bench(sample_count = 20)]
fn native_subset(bencher: Bencher) {
    let rules = subset();
    let native = Native::new(&rules);
    let catalog = catalog(OPS);
    // The comparison means something only if both give the same points.
    for op in &catalog.operations {
        assert_eq!(
            rules.evaluate(op).points,
            native.evaluate(op).points,
            "native and Rhai subsets disagree on {}",
            op.id
        );
    }
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            catalog
                .operations
                .iter()
                .map(|op| native.evaluate(op).points.iter().sum::<i64>())
                .sum::<i64>()
        });
}

/// Renders a report of `OPS` assessed operations in `format`.
fn bench_render(bencher: Bencher, format: Format) {
    let rules = standard();
    let report = itaku::assess_catalog(&catalog(OPS), &rules);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            let mut out = Vec::with_capacity(32 << 20);
            render(&report, &rules.rules, Lang::Ja, format, &mut out).unwrap();
            out.len()
        });
}

#[divan::bench(sample_count = 10)]
fn render_json(bencher: Bencher) {
    bench_render(bencher, Format::Json);
}

#[divan::bench(sample_count = 10)]
fn render_jsonl(bencher: Bencher) {
    bench_render(bencher, Format::Jsonl);
}

#[divan::bench(sample_count = 10)]
fn render_table(bencher: Bencher) {
    let rules = standard();
    let report = itaku::assess_catalog(&catalog(OPS), &rules);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| itaku_cli::text::table(&report, &rules.rules, Lang::Ja).len());
}

/// JSON Lines in, JSON Lines out, through the streaming path (all cores).
#[divan::bench(sample_count = 10)]
fn end_to_end_jsonl(bencher: Bencher) {
    let rules = standard();
    let text = synthetic::jsonl(OPS, SEED);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            let mut input = Cursor::new(text.as_bytes());
            let mut out = std::io::sink();
            itaku::stream::assess_jsonl(
                "synthetic.jsonl",
                &mut input,
                &rules,
                Lang::Ja,
                &mut out,
                &mut |_| {},
            )
            .unwrap()
            .operations
        });
}

/// One large YAML file (20k operations, ~24 MB) in, JSON Lines out, as `itaku assess` does it: the file
/// parsed in chunks on all cores, vocabulary checked, assessed on all cores, rendered.
#[divan::bench(sample_count = 5)]
fn end_to_end_yaml(bencher: Bencher) {
    const LARGE: usize = 10 * OPS;
    let rules = standard();
    let text = synthetic::yaml(LARGE, SEED);
    bencher
        .counter(divan::counter::ItemsCount::new(LARGE))
        .bench(|| {
            let mut loaded = parse_str("synthetic.yaml", black_box(&text));
            itaku::check::check_loaded(&mut loaded, &rules.rules);
            let report = itaku::assess_catalog(&loaded.catalog, &rules);
            let mut out = std::io::sink();
            render(&report, &rules.rules, Lang::Ja, Format::Jsonl, &mut out).unwrap();
            report.assessments.len()
        });
}

/// The ids of the standard rules, in the order they run.
const RULES: &[&str] = &[
    "consistency-facts",
    "gate-statutory",
    "gate-public-authority",
    "gate-case-decisions",
    "gate-discretion",
    "criterion-c1",
    "criterion-c2",
    "criterion-c3",
    "criterion-c4",
    "criterion-c5",
    "safeguard-s1",
    "safeguard-s2",
    "safeguard-s3",
    "safeguard-s4",
    "safeguard-s5",
    "safeguard-s6",
    "recommendation",
];

/// The standard rule set reduced to the rule `id` (with a one-line recommendation rule when `id` is
/// not the recommendation, since a rule set needs one), on `engine`.
fn one_rule(id: &str, engine: EngineKind) -> CompiledRules {
    let dir = rules_dir();
    let (mut files, manifest) = rule_files();
    let (head, rules) = manifest.split_once("rules:\n").unwrap();
    // Each rule is a block of lines starting with `  - id: `.
    let entry = rules
        .split("\n  - id: ")
        .map(|e| e.trim_start_matches("  - id: "))
        .find(|e| e.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("no rule {id} in the manifest"));
    let script = entry
        .lines()
        .find_map(|l| l.trim().strip_prefix("script: "))
        .unwrap()
        .trim();
    files.insert(
        script.to_string(),
        std::fs::read_to_string(dir.join(script)).unwrap(),
    );
    let mut reduced = format!("{head}rules:\n  - id: {}\n", entry.trim_end());
    if id != "recommendation" {
        reduced.push_str("  - {id: recommendation, kind: recommendation, title: {ja: r, en: r}, basis: {ja: b, en: b}, script: scripts/rec.rhai}\n");
        files.insert("scripts/rec.rhai".into(), "recommend(\"study\");\n".into());
    }
    files.insert("manifest.yaml".into(), reduced);
    let set = RuleSet::load(&MemorySource(files)).expect("one-rule set loads");
    assert_eq!(set.manifest.rules[0].id, id);
    CompiledRules::compile(Arc::new(set), as_of())
        .expect("one-rule set compiles")
        .with_engine(engine)
}

fn bench_rule(bencher: Bencher, id: &str, engine: EngineKind) {
    let rules = one_rule(id, engine);
    bench_evaluate(bencher, &rules, &catalog(OPS));
}

/// Each standard rule alone on the interpreter (compare with `rule_compiled`, same rule).
#[divan::bench(sample_count = 10, args = RULES)]
fn rule_interpreted(bencher: Bencher, id: &str) {
    bench_rule(bencher, id, EngineKind::Interpreted);
}

/// Each standard rule alone, compiled.
#[divan::bench(sample_count = 10, args = RULES)]
fn rule_compiled(bencher: Bencher, id: &str) {
    bench_rule(bencher, id, EngineKind::Compiled);
}

/// C1, C3 and C4 written in Rust: the same thresholds (read from the parameters) and the same outputs
/// (points, reasons with their arguments, missing facts) as the scripts.
struct Native {
    routine_high: f64,
    routine_mid: f64,
    cases_high: f64,
    cases_mid: f64,
    peak_high: f64,
    peak_mid: f64,
    overtime: f64,
    providers_many: f64,
    providers_min: f64,
    measurable: f64,
}

#[derive(Default)]
struct NativeResult {
    points: [i64; 5],
    reasons: [Vec<(&'static str, f64)>; 5],
    missing: Vec<&'static str>,
}

impl Native {
    fn new(rules: &CompiledRules) -> Self {
        let p = |name: &str| -> f64 {
            match rules.rules.parameters.parameters[name]
                .at(as_of())
                .unwrap()
                .value
            {
                ParamValue::Int(i) => *i as f64,
                ParamValue::Float(f) => *f,
                _ => panic!("{name} is not a number"),
            }
        };
        Native {
            routine_high: p("c1.routine_share.high"),
            routine_mid: p("c1.routine_share.mid"),
            cases_high: p("c1.annual_cases.high"),
            cases_mid: p("c1.annual_cases.mid"),
            peak_high: p("c3.peak_ratio.high"),
            peak_mid: p("c3.peak_ratio.mid"),
            overtime: p("c3.overtime_per_fte"),
            providers_many: p("c4.providers.many"),
            providers_min: p("c4.providers.min"),
            measurable: p("c4.measurability.good"),
        }
    }

    fn evaluate(&self, op: &Operation) -> NativeResult {
        let mut r = NativeResult::default();
        let add = |r: &mut NativeResult, c: usize, n: i64, key: &'static str, arg: f64| {
            r.points[c] += n;
            r.reasons[c].push((key, arg));
        };
        match op.routine_share {
            None => r.missing.push("routine_share"),
            Some(s) if s >= self.routine_high => add(&mut r, 0, 3, "c1.routine_high", s),
            Some(s) if s >= self.routine_mid => add(&mut r, 0, 2, "c1.routine_mid", s),
            Some(s) => add(&mut r, 0, 0, "c1.routine_low", s),
        }
        match op.annual_cases.map(|c| c as f64) {
            None => r.missing.push("annual_cases"),
            Some(c) if c >= self.cases_high => add(&mut r, 0, 2, "c1.volume_high", c),
            Some(c) if c >= self.cases_mid => add(&mut r, 0, 1, "c1.volume_mid", c),
            Some(_) => {}
        }
        match op.manuals {
            // As the script: a criterion holds at most 5 points, so the manuals add nothing at 5.
            Some(Manuals::Complete) => {
                let n = i64::from(r.points[0] < 5);
                add(&mut r, 0, n, "c1.manuals_complete", 0.0)
            }
            None => r.missing.push("manuals"),
            Some(_) => {}
        }
        match &op.monthly_load {
            None => r.missing.push("monthly_load"),
            Some(load) => {
                let mean = load.iter().sum::<f64>() / 12.0;
                if mean > 0.0 {
                    let ratio = load.iter().copied().fold(0.0, f64::max) / mean;
                    if ratio >= self.peak_high {
                        add(&mut r, 2, 4, "c3.peak_high", ratio);
                    } else if ratio >= self.peak_mid {
                        add(&mut r, 2, 2, "c3.peak_mid", ratio);
                    } else {
                        add(&mut r, 2, 0, "c3.flat", ratio);
                    }
                }
            }
        }
        if let (Some(o), Some(f)) = (op.overtime_hours, op.staff_fte) {
            if f > 0.0 && o / f >= self.overtime {
                add(&mut r, 2, 1, "c3.overtime", o / f);
            }
        }
        match op.market_providers.map(|p| p as f64) {
            None => r.missing.push("market_providers"),
            Some(p) if p >= self.providers_many => add(&mut r, 3, 2, "c4.providers_many", p),
            Some(p) if p >= self.providers_min => add(&mut r, 3, 1, "c4.providers_some", p),
            Some(p) => add(&mut r, 3, 0, "c4.providers_thin", p),
        }
        match op.commercial_equivalent {
            Some(true) => add(&mut r, 3, 1, "c4.commercial", 0.0),
            None => r.missing.push("commercial_equivalent"),
            Some(false) => {}
        }
        match op.output_measurability.map(|m| m as f64) {
            None => r.missing.push("output_measurability"),
            Some(m) if m >= self.measurable => add(&mut r, 3, 1, "c4.measurable", m),
            Some(_) => {}
        }
        if matches!(
            op.expertise,
            Some(itaku::catalog::Expertise::Specialist | itaku::catalog::Expertise::Licensed)
        ) {
            add(&mut r, 3, 1, "c4.specialist_gain", 0.0);
        }
        r
    }
}

/// One JSON Lines record at a time, on the exact (located) path only: the cost the fast path saves.
#[divan::bench(sample_count = 20)]
fn parse_jsonl_exact_lines(bencher: Bencher) {
    let text = synthetic::jsonl(OPS, SEED);
    let file = Arc::new(itaku::diag::SourceFile::new("synthetic.jsonl", ""));
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            text.lines()
                .enumerate()
                .filter(|(i, line)| {
                    itaku::catalog::operation_from_jsonl_line_exact(&file, i + 1, black_box(line))
                        .is_ok()
                })
                .count()
        });
}

/// One JSON Lines record at a time, on the fast path (serde straight into an operation).
#[divan::bench(sample_count = 20)]
fn parse_jsonl_fast(bencher: Bencher) {
    let text = synthetic::jsonl(OPS, SEED);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            text.lines()
                .enumerate()
                .filter(|(i, line)| {
                    itaku::catalog::jsonl_operation_fast(i + 1, black_box(line)).is_some()
                })
                .count()
        });
}

// The bundled-like workload (issue 27): the bundled catalog's 48 operations (`catalog/*.yaml`)
// repeated to `OPS`, copy `k` of an operation with the id `ID-k` (`synthetic::bundled_jsonl`,
// `gen_catalog N 0 jsonl bundled`). Operations as a ward writes them: ~1.8 KB of input and ~10 KB of
// output each, against ~1.1 KB and ~11 KB for the generator's, with longer step texts and more of
// the checklist. Each bench below is the `_bundled` twin of the one above it.

fn bundled_catalog(n: usize) -> Catalog {
    let loaded = parse_jsonl_str("bundled.jsonl", &synthetic::bundled_jsonl(n));
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    loaded.catalog
}

/// `evaluate_standard` on the bundled-like operations.
#[divan::bench(sample_count = 20, args = ENGINES)]
fn evaluate_bundled(bencher: Bencher, kind: &str) {
    let rules = standard().with_engine(engine(kind));
    let catalog = bundled_catalog(OPS);
    let before = itaku::rules::bails_on_this_thread();
    for op in &catalog.operations {
        rules.evaluate(op);
    }
    assert_eq!(itaku::rules::bails_on_this_thread(), before);
    bench_evaluate(bencher, &rules, &catalog);
}

/// `assess_standard` on the bundled-like operations (one thread).
#[divan::bench(sample_count = 20, args = ENGINES)]
fn assess_bundled(bencher: Bencher, kind: &str) {
    let rules = standard().with_engine(engine(kind));
    let catalog = bundled_catalog(OPS);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            (catalog.operations.iter())
                .map(|op| assess_operation(op, &rules).checklist.len())
                .sum::<usize>()
        });
}

/// `assess_standard_parallel` on the bundled-like operations (all cores).
#[divan::bench(sample_count = 20, args = ENGINES)]
fn assess_bundled_parallel(bencher: Bencher, kind: &str) {
    let rules = standard().with_engine(engine(kind));
    let catalog = bundled_catalog(OPS);
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            (catalog.operations.par_iter())
                .map(|op| assess_operation(op, &rules).checklist.len())
                .sum::<usize>()
        });
}

/// The C1, C3, C4 subset three ways on the bundled-like operations: compiled, interpreted, native.
#[divan::bench(sample_count = 20, args = ["compiled", "interpreted", "native"])]
fn subset_bundled(bencher: Bencher, how: &str) {
    let rules = subset().with_engine(engine(how));
    let native = Native::new(&rules);
    let catalog = bundled_catalog(OPS);
    for op in &catalog.operations {
        assert_eq!(
            rules.evaluate(op).points,
            native.evaluate(op).points,
            "{}",
            op.id
        );
    }
    let run = |op: &Arc<Operation>| -> i64 {
        match how {
            "native" => native.evaluate(op).points.iter().sum(),
            _ => rules.evaluate(op).points.iter().sum(),
        }
    };
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| catalog.operations.iter().map(run).sum::<i64>());
}

/// JSON Lines in, JSON Lines out (the stream, all cores), per workload, full and compact.
#[divan::bench(sample_count = 10, args = ["generated", "bundled", "generated compact", "bundled compact"])]
fn end_to_end_jsonl_as(bencher: Bencher, how: &str) {
    let rules = standard();
    let text = match how.starts_with("bundled") {
        true => synthetic::bundled_jsonl(OPS),
        false => synthetic::jsonl(OPS, SEED),
    };
    let compact = how.ends_with("compact");
    bencher
        .counter(divan::counter::ItemsCount::new(OPS))
        .bench(|| {
            let mut input = Cursor::new(text.as_bytes());
            let mut out = std::io::sink();
            itaku::stream::assess_jsonl_as(
                "ops.jsonl",
                &mut input,
                &rules,
                Lang::Ja,
                compact,
                &mut out,
                &mut |_| {},
            )
            .unwrap()
            .operations
        });
}

/// `end_to_end_yaml` on one 20k-operation bundled-like YAML file.
#[divan::bench(sample_count = 5)]
fn end_to_end_yaml_bundled(bencher: Bencher) {
    const LARGE: usize = 10 * OPS;
    let rules = standard();
    let text = synthetic::bundled_yaml(LARGE);
    bencher
        .counter(divan::counter::ItemsCount::new(LARGE))
        .bench(|| {
            let mut loaded = parse_str("bundled.yaml", black_box(&text));
            itaku::check::check_loaded(&mut loaded, &rules.rules);
            let report = itaku::assess_catalog(&loaded.catalog, &rules);
            let mut out = std::io::sink();
            render(&report, &rules.rules, Lang::Ja, Format::Jsonl, &mut out).unwrap();
            report.assessments.len()
        });
}
