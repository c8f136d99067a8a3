//! The rule set (contract 3 of PRODUCT.md): a manifest of Rhai scripts, dated parameters, checklist items
//! and message templates, all in one self-contained directory.
//!
//! Rules are read through a [`RuleSource`] (a directory, or memory in tests), validated with located
//! errors, then compiled once per run into [`CompiledRules`] by the runtime. Only the runtime, the linter
//! (`lint.rs`, checks scripts from their syntax tree), the rule compiler (`compile.rs`, turns the syntax
//! tree into a tree that runs without Rhai, the runtime being its oracle) and `errors.rs` (words
//! failures) know Rhai.

pub mod api;
mod budget;
pub mod bundle;
mod compile;
#[doc(hidden)]
pub use compile::{bails_on_this_thread, steps_on_this_thread};
mod embedded;
mod engine;
mod errors;
pub mod lint;
mod outcome;
mod params;
mod runtime;
pub mod template;
pub mod trace;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use budget::{Budgets, HEAP_BUDGET, MAX_ENTRIES, MAX_OPERATIONS, MAX_TEXT_BYTES, TIME_BUDGET};
pub use embedded::{export_embedded, EmbeddedSource, ExportError};
pub use engine::{CompiledRules, EngineKind, RuleEngine};
pub use errors::RuleErrorGroups;
pub use outcome::{Arg, Evaluation, Outcome, Produced, Reason, RuleError};
pub use params::{DatedValue, InForce, ParamType, ParamValue, Parameter, Parameters};

use crate::catalog::Field;
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::{Lang, Text};
use crate::suggest::did_you_mean;
use crate::yaml;

/// Where rule files come from. The engine never assumes a filesystem.
pub trait RuleSource {
    /// Reads a file of the rule set by its relative name.
    fn read(&self, name: &str) -> std::io::Result<String>;
    /// How to name the file in messages.
    fn display(&self, name: &str) -> String;
}

/// Rule files in a directory.
pub struct DirSource(pub PathBuf);

impl RuleSource for DirSource {
    fn read(&self, name: &str) -> std::io::Result<String> {
        if name.contains("..") || std::path::Path::new(name).is_absolute() {
            return Err(std::io::Error::other(
                "rule file names must stay inside the rules directory",
            ));
        }
        let bytes = read_rule_file(&self.0, name)?;
        String::from_utf8(bytes).map_err(|_| std::io::Error::other("the file is not valid UTF-8"))
    }
    fn display(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

/// Rule files as they were at a git revision, read with `git show` (the work tree is never touched).
pub struct GitSource {
    /// The repository's top level.
    root: PathBuf,
    /// The rules directory relative to `root`, `/`-separated.
    dir: String,
    rev: String,
}

impl GitSource {
    /// The rules directory `dir` (a path in the work tree) at revision `rev`.
    pub fn new(dir: &std::path::Path, rev: &str) -> std::io::Result<GitSource> {
        let top = git(&["rev-parse", "--show-toplevel"], dir)?;
        let root = PathBuf::from(top.trim());
        let rel = std::fs::canonicalize(dir)?
            .strip_prefix(std::fs::canonicalize(&root)?)
            .map_err(|_| std::io::Error::other("the rules directory is outside the repository"))?
            .to_string_lossy()
            .replace('\\', "/");
        // Fail early, with git's own words, on a revision that does not exist.
        git(
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
            &root,
        )
        .map_err(|_| std::io::Error::other(format!("unknown git revision `{rev}`")))?;
        Ok(GitSource {
            root,
            dir: rel,
            rev: rev.to_string(),
        })
    }

    fn spec(&self, name: &str) -> String {
        if self.dir.is_empty() {
            format!("{}:{name}", self.rev)
        } else {
            format!("{}:{}/{name}", self.rev, self.dir)
        }
    }
}

fn git(args: &[&str], dir: &std::path::Path) -> std::io::Result<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| std::io::Error::other("git output is not UTF-8"))
}

impl RuleSource for GitSource {
    fn read(&self, name: &str) -> std::io::Result<String> {
        if name.contains("..") || std::path::Path::new(name).is_absolute() {
            return Err(std::io::Error::other(
                "rule file names must stay inside the rules directory",
            ));
        }
        // The file limit applies to every source of rules: ask git for the size before reading.
        let spec = self.spec(name);
        let size: u64 = git(&["cat-file", "-s", &spec], &self.root)?
            .trim()
            .parse()
            .map_err(|_| std::io::Error::other("git gave no size for the file"))?;
        if size > MAX_RULE_FILE_BYTES {
            return Err(std::io::Error::other(format!(
                "the file is too large ({size} bytes, limit {MAX_RULE_FILE_BYTES})"
            )));
        }
        git(&["show", &spec], &self.root)
    }
    fn display(&self, name: &str) -> String {
        self.spec(name)
    }
}

/// Largest rule file read (the bundled ones are a few kilobytes each).
pub const MAX_RULE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads `name` inside `dir` with the catalog loader's guards: a regular file only (a FIFO is never
/// opened, so it cannot block; a device is never read), inside the directory once symbolic links are
/// resolved (a link cannot pull in a file from elsewhere), and at most [`MAX_RULE_FILE_BYTES`].
fn read_rule_file(dir: &std::path::Path, name: &str) -> std::io::Result<Vec<u8>> {
    use crate::fsutil::ReadError;
    let root = std::fs::canonicalize(dir)?;
    let path = std::fs::canonicalize(dir.join(name))?;
    if !path.starts_with(&root) {
        return Err(std::io::Error::other(
            "the file is a link to a place outside the rules directory",
        ));
    }
    crate::fsutil::read_regular_bytes(&path, MAX_RULE_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(e) => e,
        ReadError::NotRegular => {
            std::io::Error::other("not a regular file (a FIFO, socket, device or directory)")
        }
        ReadError::TooLarge {
            size: Some(size), ..
        } => std::io::Error::other(format!(
            "the file is too large ({size} bytes, limit {MAX_RULE_FILE_BYTES})"
        )),
        ReadError::TooLarge { size: None, .. } => std::io::Error::other(format!(
            "the file is too large (more than the limit of {MAX_RULE_FILE_BYTES} bytes)"
        )),
    })
}

/// Rule files held in memory (tests, fuzzing).
#[derive(Default, Clone)]
pub struct MemorySource(pub BTreeMap<String, String>);

impl RuleSource for MemorySource {
    fn read(&self, name: &str) -> std::io::Result<String> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
    fn display(&self, name: &str) -> String {
        name.to_string()
    }
}

/// What a rule does, and so when it runs: gates first, then criteria, safeguards, the recommendation, and
/// the methods that fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// Runs first: finds facts that contradict each other.
    Consistency,
    Gate,
    Criterion,
    Safeguard,
    Recommendation,
    /// Runs last: ranks the methods of delivery (`fit`, `condition`).
    Method,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Consistency => "consistency",
            RuleKind::Gate => "gate",
            RuleKind::Criterion => "criterion",
            RuleKind::Safeguard => "safeguard",
            RuleKind::Recommendation => "recommendation",
            RuleKind::Method => "method",
        }
    }
}

/// One entry of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id, e.g. `gate-statutory`.
    pub id: String,
    pub kind: RuleKind,
    pub title: Text,
    /// The legal or policy basis the rule encodes.
    pub basis: Text,
    /// Script file, relative to the rules directory.
    pub script: String,
}

/// The manifest file (`manifest.yaml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(default = "default_parameters")]
    pub parameters: String,
    #[serde(default = "default_items")]
    pub items: String,
    #[serde(default = "default_messages")]
    pub messages: String,
    pub rules: Vec<RuleSpec>,
    /// Facts the recommendation cannot do without: `itaku check` warns when one is absent, and an
    /// unknown one is always reported as a decisive missing fact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisive_facts: Vec<String>,
    /// The closed vocabulary of `hazards` in catalogs. A catalog cannot add to it; a rule set can.
    /// Without it, hazards are not checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hazards: Vec<HazardSpec>,
    /// The bundling rules of `itaku bundle` (`bundle.rs`): kept apart from `rules`, which assess one
    /// operation at a time, because they run over groups of operations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundle_rules: Vec<BundleRuleSpec>,
}

/// What a bundling rule does: `grouping` rules run on each operation and name the bundles it may join;
/// `proposal` rules run on each candidate bundle and weigh it (savings, risks, checklist, advice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BundleRuleKind {
    Grouping,
    Proposal,
}

/// One entry of the manifest's `bundle_rules`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRuleSpec {
    pub id: String,
    pub kind: BundleRuleKind,
    pub title: Text,
    pub basis: Text,
    /// Script file, relative to the rules directory.
    pub script: String,
}

/// One word of the `hazards` vocabulary.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardSpec {
    pub id: String,
    pub title: Text,
}

fn default_parameters() -> String {
    "parameters.yaml".into()
}
fn default_items() -> String {
    "items.yaml".into()
}
fn default_messages() -> String {
    "messages.yaml".into()
}

/// 安全確保の観点: the six operational safeguards (seed IV-3-2-(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Safeguard {
    /// 行政責任の履行と業務ノウハウの継承
    S1,
    /// 質の確保
    S2,
    /// 偽装請負の防止
    S3,
    /// 執行体制の確保
    S4,
    /// 職場環境の配慮
    S5,
    /// 情報セキュリティの確保
    S6,
}

impl Safeguard {
    pub const ALL: [Safeguard; 6] = [
        Safeguard::S1,
        Safeguard::S2,
        Safeguard::S3,
        Safeguard::S4,
        Safeguard::S5,
        Safeguard::S6,
    ];
    pub fn title(self, lang: Lang) -> &'static str {
        let (ja, en) = match self {
            Safeguard::S1 => (
                "行政責任の履行と業務ノウハウの継承",
                "administrative responsibility and know-how",
            ),
            Safeguard::S2 => ("質の確保", "quality assurance"),
            Safeguard::S3 => ("偽装請負の防止", "preventing disguised contracting"),
            Safeguard::S4 => ("執行体制の確保", "sound workforce and labour conditions"),
            Safeguard::S5 => ("職場環境の配慮", "safe workplace"),
            Safeguard::S6 => ("情報セキュリティの確保", "information security"),
        };
        lang.pick(ja, en)
    }
}

/// A checklist item that safeguard rules can raise (`items.yaml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    pub id: String,
    pub safeguard: Safeguard,
    pub item: Text,
    /// What to write into the specification or contract.
    pub mitigation: Text,
    pub basis: Text,
    /// `false` when no clause in a contract can cover the risk (it pulls the recommendation to `study`).
    #[serde(default = "yes")]
    pub mitigable: bool,
    /// A standard clause every contract of its kind needs (raised with `clause`, no severity), not a
    /// risk raised by the operation's own facts. Listed apart from the checklist.
    #[serde(default)]
    pub standard: bool,
    /// How much harm the risk can do, 1..=9 (default 5): orders high items to name the top risk.
    #[serde(default = "default_weight")]
    pub weight: u8,
    /// `false` while the basis (an article number, say) has not been checked against a primary source.
    #[serde(default = "yes")]
    pub verified: bool,
}

fn default_weight() -> u8 {
    5
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsFile {
    items: Vec<ItemSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesFile {
    messages: BTreeMap<String, Text>,
}

/// A loaded, validated rule set (not yet compiled).
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub manifest: Manifest,
    pub parameters: Parameters,
    pub items: Vec<ItemSpec>,
    /// Message templates by key, as written; `{0}`, `{1|pct}` … are filled from the script's arguments.
    pub messages: Vec<(String, Text)>,
    /// The same templates parsed (Japanese, English), as every renderer reads them.
    pub templates: Vec<[template::Template; 2]>,
    /// Script sources, in manifest order, with the file name shown in messages.
    pub scripts: Vec<Arc<SourceFile>>,
    /// The bundling rules' scripts, in the order of `manifest.bundle_rules`.
    pub bundle_scripts: Vec<Arc<SourceFile>>,
    /// sha256 over every file of the rule set.
    pub digest: String,
    /// Item and message indexes by name: looked up while rules run (a computed item id, a message key
    /// that is not a literal), with a hash faster than the default's SipHash.
    pub(crate) item_index: foldhash::HashMap<String, u32>,
    pub(crate) message_index: foldhash::HashMap<String, u32>,
    /// `manifest.decisive_facts`, resolved.
    pub decisive_facts: Vec<Field>,
}

impl RuleSet {
    /// Loads a rules directory.
    pub fn load_dir(dir: impl Into<PathBuf>) -> Result<RuleSet, Diagnostics> {
        Self::load(&DirSource(dir.into()))
    }

    /// Loads the standard rule set built into the binary.
    pub fn load_embedded() -> Result<RuleSet, Diagnostics> {
        Self::load(&EmbeddedSource)
    }

    /// Loads and validates a rule set from any source; reports every problem found.
    pub fn load(source: &dyn RuleSource) -> Result<RuleSet, Diagnostics> {
        let mut problems = Diagnostics::default();
        let mut hasher = Sha256::new();
        let mut read = |name: &str, problems: &mut Diagnostics| -> Option<Arc<SourceFile>> {
            match source.read(name) {
                Ok(text) => {
                    hasher.update(name.as_bytes());
                    hasher.update([0]);
                    hasher.update(text.as_bytes());
                    hasher.update([0]);
                    Some(Arc::new(SourceFile::new(source.display(name), text)))
                }
                Err(e) => {
                    problems.push(
                        Diagnostic::error(
                            Code::RulesUnreadable,
                            format!("ルールファイルを読めません: {e}"),
                            format!("cannot read the rule file: {e}"),
                        )
                        .in_file(source.display(name))
                        .help(
                            "`--rules` にルールのディレクトリ (manifest.yaml を含む) を指定してください",
                            "point `--rules` at a rules directory containing manifest.yaml",
                        ),
                    );
                    None
                }
            }
        };
        let manifest_file = read("manifest.yaml", &mut problems).ok_or_else(|| problems.clone())?;
        let manifest: Manifest = parse_typed(&manifest_file).map_err(Diagnostics::from)?;
        let params_file = read(&manifest.parameters, &mut problems);
        let items_file = read(&manifest.items, &mut problems);
        let messages_file = read(&manifest.messages, &mut problems);
        let parameters: Parameters = params_file
            .as_ref()
            .and_then(|f| parse_typed(f).map_err(|d| problems.push(d)).ok())
            .unwrap_or_default();
        let items: Vec<ItemSpec> = items_file
            .as_ref()
            .and_then(|f| {
                parse_typed::<ItemsFile>(f)
                    .map_err(|d| problems.push(d))
                    .ok()
            })
            .map(|f| f.items)
            .unwrap_or_default();
        let messages: Vec<(String, Text)> = messages_file
            .as_ref()
            .and_then(|f| {
                parse_typed::<MessagesFile>(f)
                    .map_err(|d| problems.push(d))
                    .ok()
            })
            .map(|f| f.messages.into_iter().collect())
            .unwrap_or_default();

        let mut seen_rules = HashMap::new();
        let mut scripts = Vec::new();
        for (i, rule) in manifest.rules.iter().enumerate() {
            if let Some(first) = seen_rules.insert(rule.id.as_str(), i) {
                problems.push(manifest_problem(
                    &manifest_file,
                    &rule.id,
                    format!(
                        "ルールID `{}` が重複しています ({}番目と{}番目)",
                        rule.id,
                        first + 1,
                        i + 1
                    ),
                    format!(
                        "duplicate rule id `{}` (entries {} and {})",
                        rule.id,
                        first + 1,
                        i + 1
                    ),
                ));
            }
            if let Some(f) = read(&rule.script, &mut problems) {
                scripts.push(f);
            }
        }
        let mut bundle_scripts = Vec::new();
        for (i, rule) in manifest.bundle_rules.iter().enumerate() {
            let clash = manifest.rules.iter().any(|r| r.id == rule.id)
                || manifest.bundle_rules[..i].iter().any(|r| r.id == rule.id);
            if clash {
                problems.push(manifest_problem(
                    &manifest_file,
                    &rule.id,
                    format!("ルールID `{}` が重複しています", rule.id),
                    format!("duplicate rule id `{}`", rule.id),
                ));
            }
            if let Some(f) = read(&rule.script, &mut problems) {
                bundle_scripts.push(f);
            }
        }
        if !manifest
            .rules
            .iter()
            .any(|r| r.kind == RuleKind::Recommendation)
        {
            problems.push(
                Diagnostic::error(
                    Code::RulesNoRecommendation,
                    "推奨を決めるルール (kind: recommendation) がありません",
                    "the rule set has no rule of kind `recommendation`",
                )
                .in_file(manifest_file.path.clone()),
            );
        }
        let mut item_index = foldhash::HashMap::default();
        for (i, item) in items.iter().enumerate() {
            if item_index.insert(item.id.clone(), i as u32).is_some() {
                if let Some(f) = &items_file {
                    problems.push(manifest_problem(
                        f,
                        &item.id,
                        format!("チェック項目ID `{}` が重複しています", item.id),
                        format!("duplicate checklist item id `{}`", item.id),
                    ));
                }
            }
        }
        let message_index = messages
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i as u32))
            .collect::<foldhash::HashMap<_, _>>();
        for (name, p) in &parameters.parameters {
            for v in &p.values {
                if v.from.parse::<jiff::civil::Date>().is_err() {
                    if let Some(f) = &params_file {
                        problems.push(manifest_problem(
                            f,
                            &v.from,
                            format!(
                                "パラメータ `{name}` の施行日 `{}` は YYYY-MM-DD ではありません",
                                v.from
                            ),
                            format!(
                                "parameter `{name}`: effective date `{}` is not YYYY-MM-DD",
                                v.from
                            ),
                        ));
                    }
                }
            }
        }
        let mut decisive_facts = Vec::new();
        for name in &manifest.decisive_facts {
            match Field::from_name(name) {
                Some(f) => decisive_facts.push(f),
                None => {
                    let mut d = manifest_problem(
                        &manifest_file,
                        name,
                        format!("decisive_facts: 業務にフィールド `{name}` はありません"),
                        format!("decisive_facts: operations have no field `{name}`"),
                    );
                    if let Some(s) = did_you_mean(name, Field::NAMES.iter().copied()) {
                        d = d.help(
                            format!("`{s}` の誤りではありませんか?"),
                            format!("did you mean `{s}`?"),
                        );
                    }
                    problems.push(d);
                }
            }
        }
        for item in &items {
            if item.weight == 0 || item.weight > 9 {
                if let Some(f) = &items_file {
                    problems.push(manifest_problem(
                        f,
                        &item.id,
                        format!("チェック項目 `{}` の weight は 1〜9 です", item.id),
                        format!("checklist item `{}`: weight must be 1..=9", item.id),
                    ));
                }
            }
        }
        if let Some(f) = &params_file {
            for p in parameters.problems() {
                problems.push(parameter_problem(f, &p));
            }
        }
        let mut templates = Vec::with_capacity(messages.len());
        for (key, text) in &messages {
            let mut parse = |t: &str| {
                template::Template::parse(t).unwrap_or_else(|e| {
                    if let Some(f) = &messages_file {
                        problems.push(template_problem(f, key, t, &e));
                    }
                    template::Template::default()
                })
            };
            templates.push([parse(&text.ja), parse(&text.en)]);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(RuleSet {
            manifest,
            parameters,
            items,
            messages,
            templates,
            scripts,
            bundle_scripts,
            digest: format!("sha256:{:x}", hasher.finalize()),
            item_index,
            message_index,
            decisive_facts,
        })
    }

    pub fn item(&self, idx: u32) -> &ItemSpec {
        &self.items[idx as usize]
    }

    /// The words a catalog may use in `hazards` (`None`: the rule set does not restrict them).
    /// The `hazards` vocabulary with each word's title (empty when the rule set declares none).
    pub fn hazard_titles(&self) -> &[HazardSpec] {
        &self.manifest.hazards
    }

    pub fn hazard_vocabulary(&self) -> Option<Vec<&str>> {
        (!self.manifest.hazards.is_empty()).then(|| {
            self.manifest
                .hazards
                .iter()
                .map(|h| h.id.as_str())
                .collect()
        })
    }

    pub fn rule(&self, idx: u16) -> &RuleSpec {
        &self.manifest.rules[idx as usize]
    }

    pub fn message(&self, idx: u32) -> &Text {
        &self.messages[idx as usize].1
    }

    /// A message's parsed template in one language.
    pub fn template(&self, idx: u32, lang: Lang) -> &template::Template {
        &self.templates[idx as usize][lang as usize]
    }

    /// Names of the parameters a rule's script reads (found in its syntax tree, `param("…")` calls
    /// with a literal name).
    pub fn parameters_used(&self, rule: usize) -> Vec<String> {
        lint::parameters_used(&self.scripts[rule].text)
    }
}

fn parse_typed<T: serde::de::DeserializeOwned>(file: &Arc<SourceFile>) -> Result<T, Diagnostic> {
    yaml::from_str(&file.text).map_err(|e| {
        let d = Diagnostic::error(
            Code::RulesInvalidFile,
            format!("ルールファイルの形式が正しくありません: {}", e.message),
            format!("invalid rule file: {}", e.message),
        )
        .help(
            "docs/rules.md のファイル形式を参照してください",
            "see docs/rules.md for the format of rule files",
        );
        match e.pos {
            Some(p) => d.at(Location::new(file, p.line, p.column, 1)),
            None => d.in_file(file.path.clone()),
        }
    })
}

/// A problem with a parameter's value, located at the `nth` line giving its `from:` date after the line
/// that names the parameter (or at the parameter, or the file, when that cannot be found).
fn parameter_problem(file: &Arc<SourceFile>, p: &params::ValueProblem) -> Diagnostic {
    let d = Diagnostic::error(
        Code::RulesInvalidParameter,
        p.text.ja.clone(),
        p.text.en.clone(),
    )
    .help(
        "parameters.yaml の `type:` と値を確認してください",
        "check the value against the parameter's `type:` in parameters.yaml",
    );
    let lines: Vec<&str> = file.text.lines().collect();
    let key = format!("{}:", p.parameter);
    let Some(start) = lines.iter().position(|l| l.trim_start().starts_with(&key)) else {
        return d.in_file(file.path.clone());
    };
    let hit = lines[start..]
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.find(&p.from).map(|c| (start + i, c)))
        .nth(p.nth);
    match hit {
        Some((i, c)) => d.at(Location::new(
            file,
            i + 1,
            lines[i][..c].chars().count() + 1,
            p.from.chars().count(),
        )),
        None => {
            let column = lines[start].len() - lines[start].trim_start().len() + 1;
            d.at(Location::new(
                file,
                start + 1,
                column,
                p.parameter.chars().count(),
            ))
        }
    }
}

/// A broken placeholder of a message template, located at the placeholder in messages.yaml (after the
/// line of its key) when it can be found there, else at the key.
fn template_problem(
    file: &Arc<SourceFile>,
    key: &str,
    text: &str,
    e: &template::TemplateError,
) -> Diagnostic {
    use template::TemplateErrorKind as K;
    let p = &e.placeholder;
    let (ja, en) = match &e.kind {
        K::UnknownStyle(style) => (
            format!("メッセージ `{key}` の差し込み `{p}` の書式 `{style}` は使えません"),
            format!("message `{key}`: placeholder `{p}` has an unknown style `{style}`"),
        ),
        K::BadIndex => (
            format!(
                "メッセージ `{key}` の差し込み `{p}` は引数の番号 ({{0}}, {{1}} …) ではありません"
            ),
            format!(
                "message `{key}`: placeholder `{p}` is not an argument number ({{0}}, {{1}} …)"
            ),
        ),
        K::Unclosed => (
            format!("メッセージ `{key}` の `{{` が `}}` で閉じられていません"),
            format!("message `{key}`: a `{{` is not closed by `}}`"),
        ),
    };
    let mut d = Diagnostic::error(Code::RulesTemplate, ja, en);
    let styles = template::Style::NAMES.join(", ");
    d = match &e.kind {
        K::UnknownStyle(style) => match did_you_mean(style, template::Style::NAMES.iter().copied())
        {
            Some(s) => d.help(
                format!("`{s}` の誤りではありませんか? (使える書式: {styles})"),
                format!("did you mean `{s}`? (styles: {styles})"),
            ),
            None => d.help(format!("使える書式: {styles}"), format!("styles: {styles}")),
        },
        _ => d.help(
            "差し込みは {0}、{0|pct} のように書きます",
            "write a placeholder as {0} or {0|pct}",
        ),
    };
    // The line of the key, then the first line after it that holds the placeholder's text.
    let lines: Vec<&str> = file.text.lines().collect();
    let key_line = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")));
    let found = key_line.and_then(|k| {
        lines.iter().enumerate().skip(k).take(8).find_map(|(i, l)| {
            let needle = if text.len() > e.offset {
                &text[e.offset..]
            } else {
                ""
            };
            let needle: String = needle.chars().take(p.chars().count().max(1)).collect();
            l.find(&needle).map(|c| (i + 1, l[..c].chars().count() + 1))
        })
    });
    match (found, key_line) {
        (Some((line, col)), _) => d.at(Location::new(file, line, col, p.chars().count().max(1))),
        (None, Some(k)) => d.at(Location::new(file, k + 1, 1, key.chars().count())),
        (None, None) => d.in_file(file.path.clone()),
    }
}

/// A problem about a named entry of a rule file, located at the first line that mentions it.
fn manifest_problem(file: &Arc<SourceFile>, needle: &str, ja: String, en: String) -> Diagnostic {
    let d = Diagnostic::error(Code::RulesInvalidFile, ja, en);
    let hit = file
        .text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, l[..c].chars().count() + 1)));
    match hit {
        Some((line, col)) => d.at(Location::new(file, line, col, needle.chars().count())),
        None => d.in_file(file.path.clone()),
    }
}
