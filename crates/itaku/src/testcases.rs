//! Rule test cases written as YAML data by policy staff (`itaku test`).
//!
//! A directory holds `bases.yaml` (named operations that cases build on) and any number of `*.yaml`
//! files of `cases`. Each case names a base, the fields that matter on top of it, an optional `as_of`,
//! and what it expects. Only the expectations a case states are checked.
//!
//! Case files are read as a located tree, case by case: a mistake in one case (a misspelled expectation,
//! an unknown item id or field name) fails that case, located and with a suggestion, and the other cases
//! still run. Messages are in the language asked for.

mod bundle_cases;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::assess::{assess_operation, Assessment};
use crate::catalog::{operation_from_json, Field};
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::Lang;
use crate::model::Recommendation;
use crate::rules::template::reason_text;
use crate::rules::{CompiledRules, RuleSet};
use crate::suggest::did_you_mean;
use crate::yaml::{self, Node, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BasesFile {
    bases: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

/// The keys a case may have.
const CASE_KEYS: &[&str] = &["name", "base", "as_of", "operation", "expect"];

/// The expectations a case may state.
const EXPECT_KEYS: &[&str] = &[
    "recommendation",
    "excluded",
    "points",
    "checklist",
    "not_checklist",
    "exclusions",
    "missing",
    "not_missing",
    "decisive",
    "clauses",
    "contradictions",
    "top_risk",
    "proposal_call",
    "freed_fte",
    "methods",
    "top_method",
    "not_methods",
    "rule_errors",
];

/// What a case expects; only the stated parts are checked.
#[derive(Debug, Default)]
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
    /// Methods that must be listed in this order of fit (others may come between): `[worker_dispatch,
    /// consignment]` says dispatch ranks above consignment.
    pub methods: Option<Vec<String>>,
    /// The method ranked first.
    pub top_method: Option<String>,
    /// Methods that must not fit (absent, or fit 0).
    pub not_methods: Option<Vec<String>>,
    /// Number of rule errors expected (default 0: any rule error fails the case).
    pub rule_errors: usize,
}

/// How to run the cases.
#[derive(Debug, Clone)]
pub struct Options {
    /// The date for cases and files that name none.
    pub default_as_of: Date,
    /// Run only the cases whose name contains this text (ignoring case).
    pub filter: Option<String>,
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    /// The case file's name.
    pub file: String,
    /// The line the case starts on.
    pub line: usize,
    pub name: String,
    /// Empty when the case passed; each in the language of the run, located where it can be.
    pub failures: Vec<String>,
}

/// The outcome of a test run.
#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<CaseResult>,
    /// Case files that could not be read or are not case files at all (their cases did not run).
    pub problems: Diagnostics,
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

fn say(lang: Lang, ja: String, en: String) -> String {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::TestUnreadable,
        format!("読めません: {e}"),
        format!("cannot read: {e}"),
    )
    .in_file(path.display().to_string())
}

/// Largest case or bases file read (the bundled ones are a few kilobytes; a link to `/dev/zero` or a FIFO
/// must not exhaust memory or block).
pub const MAX_CASE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A case or bases file's text, read with the catalog loader's guards (a regular file, bounded).
fn read_case_file(path: &Path) -> Result<String, Diagnostic> {
    crate::fsutil::read_regular(path, MAX_CASE_FILE_BYTES).map_err(|e| {
        Diagnostic::of(Code::TestUnreadable, e.text()).in_file(path.display().to_string())
    })
}

/// A problem at one place of a case file: shown with the line and the place underlined.
fn invalid_file(place: Location, ja: String, en: String) -> Diagnostic {
    invalid_whole_file(place.file.path.clone(), ja, en).at(place)
}

/// A problem with a case file as a whole.
fn invalid_whole_file(path: String, ja: String, en: String) -> Diagnostic {
    Diagnostic::error(
        Code::TestInvalidFile,
        format!("テストファイルの形式が正しくありません: {ja}"),
        format!("invalid test file: {en}"),
    )
    .in_file(path)
    .help(
        "docs/rules.md の「ルールのテスト」を参照してください",
        "see \"Rule tests\" in docs/rules.md",
    )
}

/// The case files a path names: a file alone, or every `*.yaml` of a directory but `bases.yaml`, sorted.
/// `bases.yaml` is read from the directory (or from beside the file).
pub fn case_files(path: &Path) -> Result<(PathBuf, Vec<PathBuf>), Diagnostics> {
    if path.is_file() {
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        return Ok((dir, vec![path.to_path_buf()]));
    }
    let entries = std::fs::read_dir(path).map_err(|e| Diagnostics::from(unreadable(path, &e)))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().is_some_and(|n| n != "bases.yaml")
        })
        .collect();
    files.sort();
    Ok((path.to_path_buf(), files))
}

/// Runs the cases of a directory, or of one case file (with the `bases.yaml` beside it), against
/// `rules`. Fails only when the path or `bases.yaml` cannot be used; a bad case file is reported in
/// [`TestReport::problems`] and a bad case as a failed case.
pub fn run_path(
    path: &Path,
    rules: &Arc<RuleSet>,
    options: &Options,
    lang: Lang,
) -> Result<TestReport, Diagnostics> {
    let (dir, files) = case_files(path)?;
    let bases_path = dir.join("bases.yaml");
    let bases = if bases_path.exists() {
        let text = read_case_file(&bases_path).map_err(Diagnostics::from)?;
        yaml::from_str::<BasesFile>(&text)
            .map_err(|e| {
                let shown = bases_path.display().to_string();
                Diagnostics::from(match e.pos {
                    Some(p) => {
                        let file = Arc::new(SourceFile::new(shown, text.clone()));
                        invalid_file(
                            Location::new(&file, p.line, p.column, 1),
                            e.message.clone(),
                            e.message,
                        )
                    }
                    None => invalid_whole_file(shown, e.message.clone(), e.message),
                })
            })?
            .bases
    } else {
        BTreeMap::new()
    };
    let mut runner = Runner {
        rules,
        bases,
        compiled: BTreeMap::new(),
        options,
        lang,
        report: TestReport::default(),
        collected: None,
        bundles_collected: None,
    };
    for file in files {
        runner.run_file(&file)?;
    }
    Ok(runner.report)
}

/// Runs every case in `dir` (kept for callers of the first API).
pub fn run_dir(
    dir: &Path,
    rules: &Arc<RuleSet>,
    default_as_of: Date,
    lang: Lang,
) -> Result<TestReport, Diagnostics> {
    let options = Options {
        default_as_of,
        filter: None,
    };
    run_path(dir, rules, &options, lang)
}

struct Runner<'a> {
    rules: &'a Arc<RuleSet>,
    bases: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
    compiled: BTreeMap<Date, CompiledRules>,
    options: &'a Options,
    lang: Lang,
    report: TestReport,
    /// When set, every operation a case assesses, with its date (for `itaku coverage`).
    collected: Option<Vec<(Date, Arc<crate::catalog::Operation>)>>,
    /// When set, every bundle report a bundling case produces (for `itaku coverage`).
    bundles_collected: Option<Vec<crate::bundle::BundleReport>>,
}

/// A case read from its file, ready to run.
struct ReadyCase {
    as_of: Date,
    operation: serde_json::Map<String, serde_json::Value>,
    expect: Expect,
}

impl Runner<'_> {
    /// Runs one case file. Fails only when the rules do not compile for a case's date.
    fn run_file(&mut self, path: &Path) -> Result<(), Diagnostics> {
        let lang = self.lang;
        let shown = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = match read_case_file(path) {
            Ok(t) => t,
            Err(problem) => {
                self.report.problems.push(problem);
                return Ok(());
            }
        };
        let root = match yaml::parse_nodes(&text) {
            Ok(Some(root)) => root,
            Ok(None) => {
                self.report.problems.push(invalid_whole_file(
                    path.display().to_string(),
                    "空のファイルです".into(),
                    "the file is empty".into(),
                ));
                return Ok(());
            }
            Err(e) => {
                let file = Arc::new(SourceFile::new(path.display().to_string(), text.clone()));
                self.report.problems.push(invalid_file(
                    Location::new(&file, e.pos.line, e.pos.column, 1),
                    e.message.clone(),
                    e.message,
                ));
                return Ok(());
            }
        };
        let file = Arc::new(SourceFile::new(path.display().to_string(), text.clone()));
        let place = |n: &Node| Location::new(&file, n.pos.line, n.pos.column, 1);
        let Value::Map(top) = &root.value else {
            self.report.problems.push(invalid_file(
                place(&root),
                "`cases:` を持つマッピングが必要です".into(),
                "expected a mapping with `cases:`".into(),
            ));
            return Ok(());
        };
        // A file of bundling cases (`bundle_cases:`) is read by `testcases/bundle_cases.rs`.
        if top
            .iter()
            .any(|(k, _)| yaml::scalar_text(k) == "bundle_cases")
        {
            return self.run_bundle_file(top, &shown, &place);
        }
        let mut file_as_of: Option<&Node> = None;
        let mut cases: Option<&Node> = None;
        for (k, v) in top {
            match yaml::scalar_text(k).as_str() {
                "as_of" => file_as_of = Some(v),
                "cases" => cases = Some(v),
                other => {
                    let hint = did_you_mean(other, ["as_of", "cases"])
                        .map(|s| {
                            (
                                format!("。`{s}` の誤りではありませんか?"),
                                format!(": did you mean `{s}`?"),
                            )
                        })
                        .unwrap_or_default();
                    self.report.problems.push(invalid_file(
                        place(k),
                        format!("不明なキー `{other}`{}", hint.0),
                        format!("unknown key `{other}`{}", hint.1),
                    ));
                }
            }
        }
        let Some(cases) = cases else {
            self.report.problems.push(invalid_whole_file(
                path.display().to_string(),
                "`cases:` がありません".into(),
                "no `cases:`".into(),
            ));
            return Ok(());
        };
        let Value::Seq(cases) = &cases.value else {
            self.report.problems.push(invalid_file(
                place(cases),
                "`cases:` はリストで書いてください".into(),
                "`cases:` must be a list".into(),
            ));
            return Ok(());
        };
        let default_as_of = match file_as_of {
            None => Ok(self.options.default_as_of),
            Some(n) => parse_date(n).ok_or_else(|| {
                say(
                    lang,
                    format!(
                        "{}: ファイルの as_of `{}` は日付 (YYYY-MM-DD) ではありません",
                        place(n),
                        yaml::scalar_text(n)
                    ),
                    format!(
                        "{}: the file's as_of `{}` is not a date (YYYY-MM-DD)",
                        place(n),
                        yaml::scalar_text(n)
                    ),
                )
            }),
        };
        for (i, case) in cases.iter().enumerate() {
            let name = case_name(case).unwrap_or_else(|| {
                say(
                    lang,
                    format!("{}番目のケース", i + 1),
                    format!("case {}", i + 1),
                )
            });
            if let Some(filter) = &self.options.filter {
                if !name.to_lowercase().contains(&filter.to_lowercase()) {
                    continue;
                }
            }
            let ready = match &default_as_of {
                Ok(date) => self.read_case(case, *date, &place),
                Err(e) => Err(vec![e.clone()]),
            };
            let failures = match ready {
                Err(failures) => failures,
                Ok(ready) => self.run_case(ready, &shown, &name)?,
            };
            self.report.results.push(CaseResult {
                file: shown.clone(),
                line: case.pos.line,
                name,
                failures,
            });
        }
        Ok(())
    }

    /// Reads one case, checking every name in it; every problem found, located.
    fn read_case(
        &self,
        case: &Node,
        default_as_of: Date,
        place: &dyn Fn(&Node) -> Location,
    ) -> Result<ReadyCase, Vec<String>> {
        let lang = self.lang;
        let mut failures = Vec::new();
        let Value::Map(entries) = &case.value else {
            return Err(vec![say(
                lang,
                format!(
                    "{}: ケースは name, base, operation, expect などのマッピングで書いてください",
                    place(case)
                ),
                format!(
                    "{}: a case is a mapping of name, base, operation, expect",
                    place(case)
                ),
            )]);
        };
        let mut as_of = default_as_of;
        let mut operation = serde_json::Map::new();
        let mut expect_node = None;
        let mut base = None;
        for (k, v) in entries {
            let key = yaml::scalar_text(k);
            match key.as_str() {
                "name" => {}
                "base" => base = Some(v),
                "as_of" => match parse_date(v) {
                    Some(d) => as_of = d,
                    None => failures.push(say(
                        lang,
                        format!(
                            "{}: as_of `{}` は日付 (YYYY-MM-DD) ではありません",
                            place(v),
                            yaml::scalar_text(v)
                        ),
                        format!(
                            "{}: as_of `{}` is not a date (YYYY-MM-DD)",
                            place(v),
                            yaml::scalar_text(v)
                        ),
                    )),
                },
                "operation" => match &v.value {
                    Value::Map(fields) => {
                        for (fk, fv) in fields {
                            let name = yaml::scalar_text(fk);
                            if Field::from_name(&name).is_none() {
                                failures.push(self.unknown(
                                    place(fk),
                                    &name,
                                    ("業務のフィールド", "operation field"),
                                    Field::NAMES.iter().copied(),
                                ));
                            }
                            operation.insert(name, yaml::node_to_json(fv));
                        }
                    }
                    Value::Null => {}
                    _ => failures.push(say(
                        lang,
                        format!(
                            "{}: operation はフィールドのマッピングで書いてください",
                            place(v)
                        ),
                        format!("{}: `operation` must be a mapping of fields", place(v)),
                    )),
                },
                "expect" => expect_node = Some(v),
                other => failures.push(self.unknown(
                    place(k),
                    other,
                    ("ケースのキー", "case key"),
                    CASE_KEYS.iter().copied(),
                )),
            }
        }
        if case_name(case).is_none() {
            failures.push(say(
                lang,
                format!("{}: ケースに name がありません", place(case)),
                format!("{}: the case has no `name`", place(case)),
            ));
        }
        let mut fields = match base {
            None => serde_json::Map::new(),
            Some(b) => {
                let name = yaml::scalar_text(b);
                match self.bases.get(&name) {
                    Some(f) => f.clone(),
                    None => {
                        failures.push(self.unknown(
                            place(b),
                            &name,
                            ("ベース", "base"),
                            self.bases.keys().map(String::as_str),
                        ));
                        serde_json::Map::new()
                    }
                }
            }
        };
        let expect = match expect_node {
            Some(node) => self.read_expect(node, place, &mut failures),
            None => {
                failures.push(say(
                    lang,
                    format!("{}: ケースに expect がありません", place(case)),
                    format!("{}: the case has no `expect`", place(case)),
                ));
                Expect::default()
            }
        };
        if !failures.is_empty() {
            return Err(failures);
        }
        fields.extend(operation);
        Ok(ReadyCase {
            as_of,
            operation: fields,
            expect,
        })
    }

    /// A name that is not one of `known`, with the nearest one.
    fn unknown<'k>(
        &self,
        at: Location,
        name: &str,
        (what_ja, what_en): (&str, &str),
        known: impl IntoIterator<Item = &'k str>,
    ) -> String {
        let hint = did_you_mean(name, known);
        say(
            self.lang,
            match hint {
                Some(s) => format!("{at}: 不明な{what_ja} `{name}`: `{s}` の誤りではありませんか?"),
                None => format!("{at}: 不明な{what_ja} `{name}`"),
            },
            match hint {
                Some(s) => format!("{at}: unknown {what_en} `{name}`: did you mean `{s}`?"),
                None => format!("{at}: unknown {what_en} `{name}`"),
            },
        )
    }

    /// Reads the expectations of a case, checking the name of every expectation, item, field, rule and
    /// level against the rule set.
    fn read_expect(
        &self,
        node: &Node,
        place: &dyn Fn(&Node) -> Location,
        failures: &mut Vec<String>,
    ) -> Expect {
        let lang = self.lang;
        let mut e = Expect::default();
        let Value::Map(entries) = &node.value else {
            failures.push(say(
                lang,
                format!("{}: expect は期待のマッピングで書いてください", place(node)),
                format!(
                    "{}: `expect` must be a mapping of expectations",
                    place(node)
                ),
            ));
            return e;
        };
        let set = &**self.rules;
        let item_names: Vec<&str> = set.items.iter().map(|i| i.id.as_str()).collect();
        let field_names: Vec<&str> = Field::NAMES.to_vec();
        let rule_names: Vec<&str> = set.manifest.rules.iter().map(|r| r.id.as_str()).collect();
        let levels: Vec<&str> = Recommendation::ALL.iter().map(|r| r.as_str()).collect();
        let criteria = ["C1", "C2", "C3", "C4", "C5"];
        let severities = ["high", "medium", "low", "any"];
        let item = ("チェック項目", "checklist item");
        let field = ("フィールド", "field");
        let method_names: Vec<&str> = crate::method::Method::ALL.iter().map(|m| m.id()).collect();
        let method = ("手法", "method");
        for (k, v) in entries {
            let key = yaml::scalar_text(k);
            let json = yaml::node_to_json(v);
            let mut names = |what: (&str, &str), known: &[&str], nodes: Vec<&Node>| {
                self.check_names(what, known, nodes, place, failures)
            };
            match key.as_str() {
                "recommendation" => {
                    names(("判定", "recommendation"), &levels, vec![v]);
                    e.recommendation = self.typed(&key, &json, v, place, failures);
                }
                "excluded" => e.excluded = self.typed(&key, &json, v, place, failures),
                "points" => {
                    names(("基準", "criterion"), &criteria, map_keys(v));
                    e.points = self.typed(&key, &json, v, place, failures);
                }
                "checklist" => {
                    names(item, &item_names, map_keys(v));
                    names(("重大度", "severity"), &severities, map_values(v));
                    e.checklist = self.typed(&key, &json, v, place, failures);
                }
                "not_checklist" => {
                    names(item, &item_names, seq_items(v));
                    e.not_checklist = self.typed(&key, &json, v, place, failures);
                }
                "clauses" => {
                    names(item, &item_names, seq_items(v));
                    e.clauses = self.typed(&key, &json, v, place, failures);
                }
                "top_risk" => {
                    if yaml::scalar_text(v) != "none" {
                        names(item, &item_names, vec![v]);
                    }
                    e.top_risk = self.typed(&key, &json, v, place, failures);
                }
                "exclusions" => {
                    names(("ルール", "rule"), &rule_names, seq_items(v));
                    e.exclusions = self.typed(&key, &json, v, place, failures);
                }
                "missing" => {
                    names(field, &field_names, seq_items(v));
                    e.missing = self.typed(&key, &json, v, place, failures);
                }
                "not_missing" => {
                    names(field, &field_names, seq_items(v));
                    e.not_missing = self.typed(&key, &json, v, place, failures);
                }
                "decisive" => {
                    names(field, &field_names, seq_items(v));
                    e.decisive = self.typed(&key, &json, v, place, failures);
                }
                "contradictions" => {
                    names(
                        field,
                        &field_names,
                        seq_items(v).into_iter().flat_map(seq_items).collect(),
                    );
                    e.contradictions = self.typed(&key, &json, v, place, failures);
                }
                "proposal_call" => e.proposal_call = self.typed(&key, &json, v, place, failures),
                "freed_fte" => e.freed_fte = self.typed(&key, &json, v, place, failures),
                "methods" => {
                    names(method, &method_names, seq_items(v));
                    e.methods = self.typed(&key, &json, v, place, failures);
                }
                "not_methods" => {
                    names(method, &method_names, seq_items(v));
                    e.not_methods = self.typed(&key, &json, v, place, failures);
                }
                "top_method" => {
                    names(method, &method_names, vec![v]);
                    e.top_method = self.typed(&key, &json, v, place, failures);
                }
                "rule_errors" => {
                    e.rule_errors = self
                        .typed(&key, &json, v, place, failures)
                        .unwrap_or_default()
                }
                other => failures.push(self.unknown(
                    place(k),
                    other,
                    ("期待", "expectation"),
                    EXPECT_KEYS.iter().copied(),
                )),
            }
        }
        e
    }

    /// Names (map keys, list elements or a scalar) that must be among `known`.
    fn check_names(
        &self,
        what: (&str, &str),
        known: &[&str],
        nodes: Vec<&Node>,
        place: &dyn Fn(&Node) -> Location,
        failures: &mut Vec<String>,
    ) {
        for n in nodes {
            if !matches!(n.value, Value::Str(_)) {
                continue;
            }
            let name = yaml::scalar_text(n);
            if !known.contains(&name.as_str()) {
                failures.push(self.unknown(place(n), &name, what, known.iter().copied()));
            }
        }
    }

    /// The value of one expectation as its type, or a located failure.
    fn typed<T: DeserializeOwned>(
        &self,
        key: &str,
        json: &serde_json::Value,
        node: &Node,
        place: &dyn Fn(&Node) -> Location,
        failures: &mut Vec<String>,
    ) -> Option<T> {
        match T::deserialize(json) {
            Ok(v) => Some(v),
            Err(err) => {
                let (ja, en) = shape(key);
                failures.push(say(
                    self.lang,
                    format!("{}: `{key}` には {ja} を書いてください", place(node)),
                    format!("{}: `{key}` expects {en} ({err})", place(node)),
                ));
                None
            }
        }
    }

    /// Assesses a case's operation and compares the result with what it expects.
    fn run_case(
        &mut self,
        case: ReadyCase,
        shown: &str,
        name: &str,
    ) -> Result<Vec<String>, Diagnostics> {
        let lang = self.lang;
        let mut fields = case.operation;
        for (key, default) in [
            ("id", "test-case"),
            ("name", "テスト業務"),
            ("department", "テスト部"),
        ] {
            fields
                .entry(key.to_string())
                .or_insert_with(|| serde_json::Value::String(default.into()));
        }
        let label = format!("{shown} › {name}");
        let op = match operation_from_json(serde_json::Value::Object(fields), &label) {
            Ok(op) => Arc::new(op),
            Err(d) => {
                return Ok(d
                    .iter()
                    .map(|d| {
                        say(
                            lang,
                            format!("業務が正しくありません: {}", d.message(lang)),
                            format!("invalid operation: {}", d.message(lang)),
                        )
                    })
                    .collect())
            }
        };
        let unknown = crate::check::unknown_hazards(self.rules, &op);
        if !unknown.is_empty() {
            return Ok(unknown
                .into_iter()
                .map(|(w, hint)| {
                    say(
                        lang,
                        format!(
                            "業務が正しくありません: `{w}` は hazards に使えません{}",
                            hint.as_ref()
                                .map(|h| format!("。`{h}` の誤りではありませんか?"))
                                .unwrap_or_default()
                        ),
                        format!(
                            "invalid operation: `{w}` is not a known hazard{}",
                            hint.as_ref()
                                .map(|h| format!(" (did you mean `{h}`?)"))
                                .unwrap_or_default()
                        ),
                    )
                })
                .collect());
        }
        let rules_at = match self.compiled.entry(case.as_of) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(CompiledRules::compile(Arc::clone(self.rules), case.as_of)?)
            }
        };
        if let Some(c) = &mut self.collected {
            c.push((rules_at.as_of, Arc::clone(&op)));
        }
        let a = assess_operation(&op, rules_at);
        let mut failures = Vec::new();
        check(&case.expect, &a, rules_at, lang, &mut failures);
        Ok(failures)
    }
}

/// What the value of an expectation looks like, for "expects …" messages.
fn shape(key: &str) -> (&'static str, &'static str) {
    match key {
        "recommendation" | "top_risk" | "top_method" => ("名前 (文字列)", "a name"),
        "excluded" | "proposal_call" => ("true か false", "true or false"),
        "points" => (
            "基準ごとの点数 ({C1: 5} など)",
            "points per criterion, e.g. {C1: 5}",
        ),
        "checklist" => (
            "項目と重大度のマッピング ({s3-escalation-to-staff: high} など)",
            "a mapping of item to severity, e.g. {s3-escalation-to-staff: high}",
        ),
        "contradictions" => (
            "フィールド名のリストのリスト ([[discretion, decision_steps]] など)",
            "a list of lists of field names, e.g. [[discretion, decision_steps]]",
        ),
        "freed_fte" => ("数値", "a number"),
        "rule_errors" => ("0 以上の整数", "a whole number (0 or more)"),
        _ => ("名前のリスト ([a, b] など)", "a list of names, e.g. [a, b]"),
    }
}

fn parse_date(n: &Node) -> Option<Date> {
    yaml::scalar_text(n).parse::<Date>().ok()
}

/// The `name:` of a case, if it has one.
fn case_name(case: &Node) -> Option<String> {
    let Value::Map(entries) = &case.value else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| yaml::scalar_text(k) == "name")
        .map(|(_, v)| yaml::scalar_text(v))
        .filter(|n| !n.is_empty())
}

fn map_keys(n: &Node) -> Vec<&Node> {
    match &n.value {
        Value::Map(entries) => entries.iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

fn map_values(n: &Node) -> Vec<&Node> {
    match &n.value {
        Value::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    }
}

fn seq_items(n: &Node) -> Vec<&Node> {
    match &n.value {
        Value::Seq(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// Why an assessment came out as it did (caps, exclusions, notes, contradictions, missing facts), for
/// failure messages.
fn why(a: &Assessment, set: &RuleSet, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some((level, rule, reason)) = &a.cap {
        let (id, r) = (&set.rule(*rule).id, reason_text(set, reason, lang));
        parts.push(say(
            lang,
            format!("{id} が {} までに制限: {r}", level.as_str()),
            format!("{id} capped it at {}: {r}", level.as_str()),
        ));
    }
    for (rule, reason) in &a.exclusions {
        let (id, r) = (&set.rule(*rule).id, reason_text(set, reason, lang));
        parts.push(say(
            lang,
            format!("{id} が除外: {r}"),
            format!("{id} excluded: {r}"),
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
        let (id, r) = (&set.rule(*rule).id, reason_text(set, reason, lang));
        parts.push(say(
            lang,
            format!("{id} が矛盾を検出: {r}"),
            format!("{id} found a contradiction: {r}"),
        ));
    }
    if !a.missing.is_empty() {
        let list = a
            .missing
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(say(
            lang,
            format!("不明: {list}"),
            format!("missing: {list}"),
        ));
    }
    parts.join("; ")
}

/// Compares an assessment with what a case expects, explaining each difference with the rules behind it.
fn check(
    expect: &Expect,
    a: &Assessment,
    rules: &CompiledRules,
    lang: Lang,
    failures: &mut Vec<String>,
) {
    let set = &*rules.rules;
    let mut fail = |ja: String, en: String| failures.push(say(lang, ja, en));
    if a.errors.len() != expect.rule_errors {
        let msgs: Vec<String> = a
            .errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.file, e.line, e.text.get(lang)))
            .collect();
        let (want, got, list) = (expect.rule_errors, a.errors.len(), msgs.join(" | "));
        fail(
            format!("ルールのエラー: {want}件のはずが {got}件 [{list}]"),
            format!("rule errors: expected {want}, got {got} [{list}]"),
        );
    }
    if let Some(r) = &expect.recommendation {
        if a.recommendation.as_str() != r {
            let (got, w) = (a.recommendation.as_str(), why(a, set, lang));
            let ja = |name: &str| {
                crate::model::Recommendation::ALL
                    .into_iter()
                    .find(|x| x.as_str() == name)
                    .map_or(String::new(), |x| format!(" 「{}」", x.label(Lang::Ja)))
            };
            fail(
                format!("判定: {r}{} のはずが {got}{} ({w})", ja(r), ja(got)),
                format!("recommendation: expected {r}, got {got} ({w})"),
            );
        }
    }
    if let Some(x) = expect.excluded {
        if a.excluded != x {
            let w = why(a, set, lang);
            fail(
                format!("除外: {x} のはずが {} ({w})", a.excluded),
                format!("excluded: expected {x}, got {} ({w})", a.excluded),
            );
        }
    }
    if let Some(points) = &expect.points {
        for (c, want) in points {
            let Some(s) = a.criteria.iter().find(|s| s.criterion.as_str() == c) else {
                continue; // An unknown criterion was reported when the case was read.
            };
            if s.points != *want {
                let reasons: Vec<String> = s
                    .reasons
                    .iter()
                    .map(|r| reason_text(set, r, lang))
                    .collect();
                let (got, list) = (s.points, reasons.join(" / "));
                fail(
                    format!("{c} の点数: {want} のはずが {got} (理由: {list})"),
                    format!("points {c}: expected {want}, got {got} (reasons: {list})"),
                );
            }
        }
    }
    if let Some(items) = &expect.checklist {
        for (id, severity) in items {
            match a.checklist.iter().find(|h| &set.item(h.item).id == id) {
                None if set.items.iter().any(|i| &i.id == id && i.standard) => fail(
                    format!("チェック項目: `{id}` は標準条項でリスク項目ではありません。`clauses:` に書いてください"),
                    format!("checklist: `{id}` is a standard clause, not a risk item: expect it under `clauses:`"),
                ),
                None => fail(
                    format!("チェック項目: `{id}` が挙がるはずが、挙がっていません"),
                    format!("checklist: expected `{id}`, not raised"),
                ),
                Some(h) if severity != "any" && h.severity.as_str() != severity => {
                    let (got, by) = (h.severity.as_str(), &set.rule(h.rule).id);
                    fail(
                        format!("チェック項目 `{id}`: 重大度 {severity} のはずが {got} ({by} が挙げた)"),
                        format!("checklist `{id}`: expected severity {severity}, got {got} (raised by {by})"),
                    )
                }
                Some(_) => {}
            }
        }
    }
    if let Some(items) = &expect.not_checklist {
        for id in items {
            if a.clauses.iter().any(|&i| &set.item(i).id == id) {
                fail(
                    format!("チェック項目: 標準条項 `{id}` は挙がらないはずが、挙がっています"),
                    format!("checklist: standard clause `{id}` must not be listed, but it is"),
                );
            }
            if let Some(h) = a.checklist.iter().find(|h| &set.item(h.item).id == id) {
                let (by, sev) = (&set.rule(h.rule).id, h.severity.as_str());
                fail(
                    format!("チェック項目: `{id}` は挙がらないはずが、{by} が挙げました ({sev})"),
                    format!("checklist: `{id}` must not be raised, but {by} raised it ({sev})"),
                );
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
            let (want, got) = (want.join(", "), got.join(", "));
            fail(
                format!("除外: [{want}] のはずが [{got}]"),
                format!("exclusions: expected [{want}], got [{got}]"),
            );
        }
    }
    if let Some(missing) = &expect.missing {
        for m in missing {
            if !a.missing.iter().any(|f| f.name() == m) {
                fail(
                    format!("不明な事実: `{m}` が不明として挙がるはずが、挙がっていません"),
                    format!("missing: expected `{m}` to be reported missing"),
                );
            }
        }
    }
    if let Some(fields) = &expect.not_missing {
        for m in fields {
            if a.missing.iter().any(|f| f.name() == m) {
                fail(
                    format!("不明な事実: `{m}` は不明として挙がらないはずが、挙がっています"),
                    format!("missing: `{m}` must not be reported missing"),
                );
            }
        }
    }
    if let Some(fields) = &expect.decisive {
        let listed = a
            .decisive
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ");
        for m in fields {
            if !a.decisive.iter().any(|f| f.name() == m) {
                fail(
                    format!("決め手の不明な事実: `{m}` が挙がるはずが、挙がっていません (挙がったもの: [{listed}])"),
                    format!("decisive: expected `{m}` to be a decisive missing fact (decisive: [{listed}])"),
                );
            }
        }
    }
    if let Some(clauses) = &expect.clauses {
        for id in clauses {
            if !a.clauses.iter().any(|&i| &set.item(i).id == id) {
                fail(
                    format!("標準条項: `{id}` が挙がるはずが、挙がっていません"),
                    format!("clauses: expected standard clause `{id}`, not listed"),
                );
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
            let (want, got) = (show(&want), show(&got));
            fail(
                format!("矛盾: [{want}] のはずが [{got}]"),
                format!("contradictions: expected [{want}], got [{got}]"),
            );
        }
    }
    let ranked: Vec<&str> = a.methods.iter().map(|m| m.method.id()).collect();
    let ranking = || {
        let shown: Vec<String> = a
            .methods
            .iter()
            .map(|m| format!("{} {}", m.method.id(), m.fit))
            .collect();
        format!("[{}]", shown.join(", "))
    };
    if let Some(want) = &expect.methods {
        let mut rest = ranked.iter();
        if !want.iter().all(|w| rest.any(|g| g == w)) {
            let (want, got) = (want.join(", "), ranking());
            fail(
                format!("手法: [{want}] の順に挙がるはずが {got}"),
                format!("methods: expected [{want}] in this order, got {got}"),
            );
        }
    }
    if let Some(want) = &expect.top_method {
        if ranked.first() != Some(&want.as_str()) {
            let got = ranking();
            fail(
                format!("最も適した手法: `{want}` のはずが {got}"),
                format!("top_method: expected `{want}`, got {got}"),
            );
        }
    }
    if let Some(not) = &expect.not_methods {
        for m in &a.methods {
            if m.fit > 0 && not.iter().any(|n| n == m.method.id()) {
                let got = ranking();
                fail(
                    format!("手法: `{}` は当たらないはずが {got}", m.method.id()),
                    format!("methods: `{}` should not fit, got {got}", m.method.id()),
                );
            }
        }
    }
    if let Some(want) = &expect.top_risk {
        let got = a
            .top_risk
            .map_or("none", |i| set.item(a.checklist[i].item).id.as_str());
        if got != want {
            fail(
                format!("最大のリスク: `{want}` のはずが `{got}`"),
                format!("top_risk: expected `{want}`, got `{got}`"),
            );
        }
    }
    if let Some(p) = expect.proposal_call {
        if a.proposal_call != p {
            let w = why(a, set, lang);
            fail(
                format!("提案募集: {p} のはずが {} ({w})", a.proposal_call),
                format!("proposal_call: expected {p}, got {} ({w})", a.proposal_call),
            );
        }
    }
    if let Some(f) = expect.freed_fte {
        if (a.freed_fte - f).abs() > 0.005 {
            let w = why(a, set, lang);
            fail(
                format!("削減FTE: {f} のはずが {} ({w})", a.freed_fte),
                format!("freed_fte: expected {f}, got {} ({w})", a.freed_fte),
            );
        }
    }
}

/// Every operation the cases in `dir` assess, with the date each is assessed at (for `itaku coverage`):
/// the cases are run as `itaku test` runs them, and their operations collected.
pub fn case_operations(
    dir: &Path,
    rules: &Arc<RuleSet>,
    default_as_of: Date,
) -> Result<Vec<(Date, Arc<crate::catalog::Operation>)>, Diagnostics> {
    collect(dir, rules, default_as_of).map(|(ops, _)| ops)
}

/// Every bundle report the bundling cases in `dir` produce (for `itaku coverage`).
pub fn case_bundles(
    dir: &Path,
    rules: &Arc<RuleSet>,
    default_as_of: Date,
) -> Result<Vec<crate::bundle::BundleReport>, Diagnostics> {
    collect(dir, rules, default_as_of).map(|(_, bundles)| bundles)
}

type Collected = (
    Vec<(Date, Arc<crate::catalog::Operation>)>,
    Vec<crate::bundle::BundleReport>,
);

/// Runs the cases in `dir` as `itaku test` runs them, collecting what they assess and propose.
fn collect(
    dir: &Path,
    rules: &Arc<RuleSet>,
    default_as_of: Date,
) -> Result<Collected, Diagnostics> {
    let (dir, files) = case_files(dir)?;
    let bases_path = dir.join("bases.yaml");
    let bases = match read_case_file(&bases_path) {
        Ok(text) => yaml::from_str::<BasesFile>(&text)
            .map(|b| b.bases)
            .unwrap_or_default(),
        Err(_) => BTreeMap::new(),
    };
    let options = Options {
        default_as_of,
        filter: None,
    };
    let mut runner = Runner {
        rules,
        bases,
        compiled: BTreeMap::new(),
        options: &options,
        lang: Lang::En,
        report: TestReport::default(),
        collected: Some(Vec::new()),
        bundles_collected: Some(Vec::new()),
    };
    for file in files {
        runner.run_file(&file)?;
    }
    Ok((
        runner.collected.unwrap_or_default(),
        runner.bundles_collected.unwrap_or_default(),
    ))
}
