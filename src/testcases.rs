//! Rule test cases written as YAML data by policy staff (`itaku test`).
//!
//! A directory holds `bases.yaml` (named operations that cases build on) and any number of `*.yaml`
//! files of `cases`. Each case names a base, the fields that matter on top of it, an optional `as_of`,
//! and what it expects. Only the expectations a case states are checked.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Deserialize;

use crate::assess::{assess_operation, Assessment};
use crate::catalog::operation_from_json;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::render::reason_text;
use crate::rules::{CompiledRules, RuleSet};
use crate::yaml;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BasesFile {
    bases: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CasesFile {
    #[serde(default)]
    as_of: Option<String>,
    cases: Vec<Case>,
}

/// One test case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub operation: serde_json::Map<String, serde_json::Value>,
    pub expect: Expect,
}

/// What a case expects; only the stated parts are checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub recommendation: Option<String>,
    pub excluded: Option<bool>,
    /// Points per criterion, e.g. `{C1: 5}`.
    pub points: Option<BTreeMap<String, u8>>,
    /// Checklist items that must be raised, with their severity: `{s3-escalation-to-staff: high}`
    /// (or `any` for any severity).
    pub checklist: Option<BTreeMap<String, String>>,
    /// Checklist items that must not be raised.
    pub not_checklist: Option<Vec<String>>,
    /// Ids of the rules that exclude (exactly these).
    pub exclusions: Option<Vec<String>>,
    /// Facts that must be reported missing.
    pub missing: Option<Vec<String>>,
    /// Facts that must not be reported missing.
    pub not_missing: Option<Vec<String>>,
    /// Facts that must be reported as decisive missing facts (they decided the outcome).
    pub decisive: Option<Vec<String>>,
    /// Standard clauses that must be listed.
    pub clauses: Option<Vec<String>>,
    /// Exactly these contradictions, each named by the fields it involves: `[[discretion, decision_steps]]`
    /// (`[]`: none).
    pub contradictions: Option<Vec<Vec<String>>>,
    /// The item named as the top risk (`none`: no high item).
    pub top_risk: Option<String>,
    pub proposal_call: Option<bool>,
    pub freed_fte: Option<f64>,
    /// Number of rule errors expected (default 0: any rule error fails the case).
    #[serde(default)]
    pub rule_errors: usize,
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub file: String,
    pub name: String,
    /// Empty when the case passed.
    pub failures: Vec<String>,
}

/// The outcome of a test run.
#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<CaseResult>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.failures.is_empty())
            .count()
    }
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

/// Runs every case in `dir` against `rules`. `default_as_of` applies to cases that name no date.
pub fn run_dir(
    dir: &Path,
    rules: &Arc<RuleSet>,
    default_as_of: Date,
    lang: Lang,
) -> Result<TestReport, Diagnostics> {
    let mut problems = Diagnostics::default();
    let read = |path: &Path| -> Result<String, Diagnostic> {
        std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::error(
                "test::unreadable",
                format!("読めません: {e}"),
                format!("cannot read: {e}"),
            )
            .in_file(path.display().to_string())
        })
    };
    let parse_error = |path: &Path, e: yaml::TypedError| {
        let place = match e.pos {
            Some(p) => format!("{}:{}:{}", path.display(), p.line, p.column),
            None => path.display().to_string(),
        };
        Diagnostic::error(
            "test::invalid-file",
            format!("テストファイルの形式が正しくありません: {}", e.message),
            format!("invalid test file: {}", e.message),
        )
        .in_file(place)
        .help(
            "docs/rules.md の「ルールのテスト」を参照してください",
            "see \"Rule tests\" in docs/rules.md",
        )
    };
    let bases_path = dir.join("bases.yaml");
    let bases = if bases_path.exists() {
        let text = read(&bases_path).map_err(Diagnostics::from)?;
        yaml::from_str::<BasesFile>(&text)
            .map_err(|e| Diagnostics::from(parse_error(&bases_path, e)))?
            .bases
    } else {
        BTreeMap::new()
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(
                    "test::unreadable",
                    format!("読めません: {e}"),
                    format!("cannot read: {e}"),
                )
                .in_file(dir.display().to_string()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().is_some_and(|n| n != "bases.yaml")
        })
        .collect();
    files.sort();

    let mut compiled: BTreeMap<Date, CompiledRules> = BTreeMap::new();
    let mut report = TestReport::default();
    for path in files {
        let text = match read(&path) {
            Ok(t) => t,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let file: CasesFile = match yaml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                problems.push(parse_error(&path, e));
                continue;
            }
        };
        let shown = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        for case in file.cases {
            let mut failures = Vec::new();
            let date_text = case.as_of.as_ref().or(file.as_of.as_ref());
            let as_of = match date_text.map(|d| d.parse::<Date>()) {
                None => default_as_of,
                Some(Ok(d)) => d,
                Some(Err(_)) => {
                    report.results.push(CaseResult {
                        file: shown.clone(),
                        name: case.name,
                        failures: vec![format!(
                            "as_of `{}` is not a date (YYYY-MM-DD)",
                            date_text.cloned().unwrap_or_default()
                        )],
                    });
                    continue;
                }
            };
            let mut fields = match &case.base {
                Some(b) => match bases.get(b) {
                    Some(f) => f.clone(),
                    None => {
                        let hint =
                            crate::suggest::did_you_mean(b, bases.keys().map(String::as_str))
                                .map(|s| format!(" (did you mean `{s}`?)"))
                                .unwrap_or_default();
                        report.results.push(CaseResult {
                            file: shown.clone(),
                            name: case.name,
                            failures: vec![format!("unknown base `{b}`{hint}")],
                        });
                        continue;
                    }
                },
                None => serde_json::Map::new(),
            };
            for (k, v) in case.operation {
                fields.insert(k, v);
            }
            for (key, default) in [
                ("id", "test-case"),
                ("name", "テスト業務"),
                ("department", "テスト部"),
            ] {
                fields
                    .entry(key.to_string())
                    .or_insert_with(|| serde_json::Value::String(default.into()));
            }
            let label = format!("{shown} › {}", case.name);
            let op = match operation_from_json(serde_json::Value::Object(fields), &label) {
                Ok(op) => Arc::new(op),
                Err(d) => {
                    report.results.push(CaseResult {
                        file: shown.clone(),
                        name: case.name,
                        failures: d
                            .iter()
                            .map(|d| format!("invalid operation: {}", d.message(lang)))
                            .collect(),
                    });
                    continue;
                }
            };
            let unknown = crate::check::unknown_hazards(rules, &op);
            if !unknown.is_empty() {
                report.results.push(CaseResult {
                    file: shown.clone(),
                    name: case.name,
                    failures: unknown
                        .into_iter()
                        .map(|(w, hint)| {
                            let hint = hint
                                .map(|h| format!(" (did you mean `{h}`?)"))
                                .unwrap_or_default();
                            format!("invalid operation: `{w}` is not a known hazard{hint}")
                        })
                        .collect(),
                });
                continue;
            }
            let rules_at = match compiled.entry(as_of) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(CompiledRules::compile(Arc::clone(rules), as_of)?)
                }
            };
            let a = assess_operation(&op, rules_at);
            check(&case.expect, &a, rules_at, lang, &mut failures);
            report.results.push(CaseResult {
                file: shown.clone(),
                name: case.name,
                failures,
            });
        }
    }
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(problems)
    }
}

/// Compares an assessment with what a case expects, explaining each difference with the rules behind it.
fn check(
    expect: &Expect,
    a: &Assessment,
    rules: &CompiledRules,
    lang: Lang,
    failures: &mut Vec<String>,
) {
    let set = &rules.rules;
    let why = |a: &Assessment| -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some((level, rule, reason)) = &a.cap {
            parts.push(format!(
                "{} capped it at {}: {}",
                set.rule(*rule).id,
                level.as_str(),
                reason_text(set, reason, lang)
            ));
        }
        for (rule, reason) in &a.exclusions {
            parts.push(format!(
                "{} excluded: {}",
                set.rule(*rule).id,
                reason_text(set, reason, lang)
            ));
        }
        for (rule, reason) in &a.notes {
            parts.push(format!(
                "{}: {}",
                set.rule(*rule).id,
                reason_text(set, reason, lang)
            ));
        }
        for (rule, _, reason) in &a.contradictions {
            parts.push(format!(
                "{} found a contradiction: {}",
                set.rule(*rule).id,
                reason_text(set, reason, lang)
            ));
        }
        if !a.missing.is_empty() {
            parts.push(format!(
                "missing: {}",
                a.missing
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        parts.join("; ")
    };
    if a.errors.len() != expect.rule_errors {
        let msgs: Vec<String> = a
            .errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
            .collect();
        failures.push(format!(
            "rule errors: expected {}, got {} [{}]",
            expect.rule_errors,
            a.errors.len(),
            msgs.join(" | ")
        ));
    }
    if let Some(r) = &expect.recommendation {
        if a.recommendation.as_str() != r {
            failures.push(format!(
                "recommendation: expected {r}, got {} ({})",
                a.recommendation.as_str(),
                why(a)
            ));
        }
    }
    if let Some(x) = expect.excluded {
        if a.excluded != x {
            failures.push(format!(
                "excluded: expected {x}, got {} ({})",
                a.excluded,
                why(a)
            ));
        }
    }
    if let Some(points) = &expect.points {
        for (c, want) in points {
            match a.criteria.iter().find(|s| s.criterion.as_str() == c) {
                None => failures.push(format!("points: unknown criterion `{c}` (expected C1..C5)")),
                Some(s) if s.points != *want => {
                    let reasons: Vec<String> = s
                        .reasons
                        .iter()
                        .map(|r| reason_text(set, r, lang))
                        .collect();
                    failures.push(format!(
                        "points {c}: expected {want}, got {} (reasons: {})",
                        s.points,
                        reasons.join(" / ")
                    ));
                }
                Some(_) => {}
            }
        }
    }
    if let Some(items) = &expect.checklist {
        for (id, severity) in items {
            if !set.items.iter().any(|i| &i.id == id) {
                failures.push(format!("checklist: unknown item `{id}`"));
                continue;
            }
            match a.checklist.iter().find(|h| &set.item(h.item).id == id) {
                None if set.items.iter().any(|i| &i.id == id && i.standard) => failures.push(format!(
                    "checklist: `{id}` is a standard clause, not a risk item: expect it under `clauses:`"
                )),
                None => failures.push(format!("checklist: expected `{id}`, not raised")),
                Some(h) if severity != "any" && h.severity.as_str() != severity => {
                    failures.push(format!(
                        "checklist `{id}`: expected severity {severity}, got {} (raised by {})",
                        h.severity.as_str(),
                        set.rule(h.rule).id
                    ))
                }
                Some(_) => {}
            }
        }
    }
    if let Some(items) = &expect.not_checklist {
        for id in items {
            if a.clauses.iter().any(|&i| &set.item(i).id == id) {
                failures.push(format!(
                    "checklist: standard clause `{id}` must not be listed, but it is"
                ));
            }
            if let Some(h) = a.checklist.iter().find(|h| &set.item(h.item).id == id) {
                failures.push(format!(
                    "checklist: `{id}` must not be raised, but {} raised it ({})",
                    set.rule(h.rule).id,
                    h.severity.as_str()
                ));
            }
        }
    }
    if let Some(rules_expected) = &expect.exclusions {
        let mut got: Vec<&str> = a
            .exclusions
            .iter()
            .map(|(r, _)| set.rule(*r).id.as_str())
            .collect();
        got.sort();
        let mut want: Vec<&str> = rules_expected.iter().map(String::as_str).collect();
        want.sort();
        if got != want {
            failures.push(format!(
                "exclusions: expected [{}], got [{}]",
                want.join(", "),
                got.join(", ")
            ));
        }
    }
    if let Some(missing) = &expect.missing {
        for m in missing {
            if !a.missing.iter().any(|f| f.name() == m) {
                failures.push(format!("missing: expected `{m}` to be reported missing"));
            }
        }
    }
    if let Some(fields) = &expect.not_missing {
        for m in fields {
            if a.missing.iter().any(|f| f.name() == m) {
                failures.push(format!("missing: `{m}` must not be reported missing"));
            }
        }
    }
    if let Some(fields) = &expect.decisive {
        for m in fields {
            if !a.decisive.iter().any(|f| f.name() == m) {
                failures.push(format!(
                    "decisive: expected `{m}` to be a decisive missing fact (decisive: [{}])",
                    a.decisive
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    if let Some(clauses) = &expect.clauses {
        for id in clauses {
            if !a.clauses.iter().any(|&i| &set.item(i).id == id) {
                failures.push(format!(
                    "clauses: expected standard clause `{id}`, not listed"
                ));
            }
        }
    }
    if let Some(want) = &expect.contradictions {
        let mut want: Vec<Vec<&str>> = want
            .iter()
            .map(|fs| {
                let mut v: Vec<&str> = fs.iter().map(String::as_str).collect();
                v.sort();
                v
            })
            .collect();
        want.sort();
        let mut got: Vec<Vec<&str>> = a
            .contradictions
            .iter()
            .map(|(_, fs, _)| {
                let mut v: Vec<&str> = fs.iter().map(|f| f.name()).collect();
                v.sort();
                v
            })
            .collect();
        got.sort();
        if got != want {
            let show = |v: &Vec<Vec<&str>>| {
                v.iter()
                    .map(|fs| format!("[{}]", fs.join(", ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            failures.push(format!(
                "contradictions: expected [{}], got [{}]",
                show(&want),
                show(&got)
            ));
        }
    }
    if let Some(want) = &expect.top_risk {
        let got = a
            .top_risk
            .map_or("none", |i| set.item(a.checklist[i].item).id.as_str());
        if got != want {
            failures.push(format!("top_risk: expected `{want}`, got `{got}`"));
        }
    }
    if let Some(p) = expect.proposal_call {
        if a.proposal_call != p {
            failures.push(format!(
                "proposal_call: expected {p}, got {} ({})",
                a.proposal_call,
                why(a)
            ));
        }
    }
    if let Some(f) = expect.freed_fte {
        if (a.freed_fte - f).abs() > 0.005 {
            failures.push(format!(
                "freed_fte: expected {f}, got {} ({})",
                a.freed_fte,
                why(a)
            ));
        }
    }
}

/// Every operation the cases in `dir` assess, with the date each is assessed at (for `itaku coverage`).
/// Cases that cannot be built are skipped: `itaku test` reports them.
pub fn case_operations(
    dir: &Path,
    default_as_of: Date,
) -> Result<Vec<(Date, Arc<crate::catalog::Operation>)>, Diagnostics> {
    let unreadable = |path: &Path, e: String| {
        Diagnostics::from(
            Diagnostic::error(
                "test::unreadable",
                format!("読めません: {e}"),
                format!("cannot read: {e}"),
            )
            .in_file(path.display().to_string()),
        )
    };
    let bases_path = dir.join("bases.yaml");
    let bases = match std::fs::read_to_string(&bases_path) {
        Ok(text) => {
            yaml::from_str::<BasesFile>(&text)
                .map_err(|e| unreadable(&bases_path, e.message))?
                .bases
        }
        Err(_) => BTreeMap::new(),
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().is_some_and(|n| n != "bases.yaml")
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(file) = yaml::from_str::<CasesFile>(&text) else {
            continue;
        };
        for case in file.cases {
            let date = case
                .as_of
                .as_ref()
                .or(file.as_of.as_ref())
                .and_then(|d| d.parse::<Date>().ok())
                .unwrap_or(default_as_of);
            let mut fields = case
                .base
                .as_ref()
                .and_then(|b| bases.get(b).cloned())
                .unwrap_or_default();
            fields.extend(case.operation);
            for (key, default) in [
                ("id", "test-case"),
                ("name", "テスト業務"),
                ("department", "テスト部"),
            ] {
                fields
                    .entry(key.to_string())
                    .or_insert_with(|| serde_json::Value::String(default.into()));
            }
            if let Ok(op) = operation_from_json(serde_json::Value::Object(fields), "case") {
                out.push((date, Arc::new(op)));
            }
        }
    }
    Ok(out)
}
