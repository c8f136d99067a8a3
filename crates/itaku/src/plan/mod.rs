//! The plan over the years (`itaku plan`): the file policy staff keep beside the catalog, holding for each
//! operation taken up the chosen method and bundle, the schedule by fiscal year (検討 → 仕様・公募 → 契約 →
//! 履行 → 検証) and each year's actuals; and what can be read from it against the catalog's assessments —
//! where the plan stands ([`state`]), the yearly review ([`review`]) and the effect verification
//! ([`state::verify`]). Seed II-2 (3) 進捗管理: 「毎年見直しを図っていきます」.
//!
//! ```yaml
//! # yaml-language-server: $schema=../schema/plan.schema.json
//! plan_version: 1
//! title: 業務委託推進計画
//! period: {from: 2024, to: 2027}     # fiscal years of the plan
//! focus_until: 2026                  # focus years: from .. focus_until; then verification
//! verification_year: 2027
//! items:
//!   - operation: ward-call-centre    # an operation id of the catalog
//!     method: consignment            # a method id (itaku assess --format json: methods)
//!     bundle: contact_centre         # optional: a bundle of itaku bundle
//!     schedule: {study: 2024, procurement: 2024, contract: 2025, delivery: 2025, verification: 2027}
//!     actuals:
//!       - year: 2025
//!         reached: delivery
//!         contract_yen: 98000000
//!         freed_fte: 6.5
//!         overtime_hours: 800
//!         incidents: 1
//!         monitoring: findings       # good | findings | serious (the S2 inspections)
//! ```
//!
//! The file is checked like a catalog: every problem has its file, line and column, what was expected and,
//! for a misspelt key or value, the nearest correct one. References to operations and bundles are checked
//! against the catalog and the bundling rules ([`check_references`]).

pub mod review;
pub mod schema;
pub mod state;

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::Lang;
use crate::method::Method;
use crate::suggest::did_you_mean;
use crate::yaml::{self, Node, Value};

/// The version of the plan format this build reads and writes.
pub const PLAN_VERSION: i64 = 1;

/// Largest plan file read (a ward's plan has a few hundred items).
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Where the example plan lives in the repository.
pub const EXAMPLE_PATH: &str = "plan/plan.yaml";

const TOP_KEYS: [&str; 7] = [
    "plan_version",
    "title",
    "illustrative",
    "period",
    "focus_until",
    "verification_year",
    "items",
];
const ITEM_KEYS: [&str; 6] = [
    "operation",
    "method",
    "bundle",
    "schedule",
    "actuals",
    "note",
];
const ACTUAL_KEYS: [&str; 8] = [
    "year",
    "reached",
    "contract_yen",
    "freed_fte",
    "overtime_hours",
    "incidents",
    "monitoring",
    "note",
];
const PERIOD_KEYS: [&str; 2] = ["from", "to"];

/// The stages of an item, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 検討
    Study,
    /// 仕様・公募
    Procurement,
    /// 契約
    Contract,
    /// 履行
    Delivery,
    /// 検証
    Verification,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Study,
        Stage::Procurement,
        Stage::Contract,
        Stage::Delivery,
        Stage::Verification,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Stage::Study => "study",
            Stage::Procurement => "procurement",
            Stage::Contract => "contract",
            Stage::Delivery => "delivery",
            Stage::Verification => "verification",
        }
    }

    pub fn from_id(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.id() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Stage::Study => lang.pick("検討", "study"),
            Stage::Procurement => lang.pick("仕様・公募", "specification and tender"),
            Stage::Contract => lang.pick("契約", "contract"),
            Stage::Delivery => lang.pick("履行", "delivery"),
            Stage::Verification => lang.pick("検証", "verification"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What the S2 inspections (monitoring) of a year found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitoring {
    /// 良好
    Good,
    /// 指摘あり (findings the contractor corrected or must correct)
    Findings,
    /// 重大な指摘 (a serious finding: service to residents or the law at stake)
    Serious,
}

impl Monitoring {
    pub const ALL: [Monitoring; 3] = [Monitoring::Good, Monitoring::Findings, Monitoring::Serious];

    pub fn id(self) -> &'static str {
        match self {
            Monitoring::Good => "good",
            Monitoring::Findings => "findings",
            Monitoring::Serious => "serious",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Monitoring::Good => lang.pick("良好", "good"),
            Monitoring::Findings => lang.pick("指摘あり", "findings"),
            Monitoring::Serious => lang.pick("重大な指摘", "serious findings"),
        }
    }
}

/// One year's actuals of an item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actual {
    pub year: i32,
    /// The furthest stage reached in that year.
    pub reached: Option<Stage>,
    /// The contract price actually paid for the year.
    pub contract_yen: Option<u64>,
    /// Staff time actually freed (full-time equivalents).
    pub freed_fte: Option<f64>,
    /// Overtime hours of the staff who kept the work, in the year.
    pub overtime_hours: Option<f64>,
    /// Incidents (errors, complaints, data incidents) reported in the year.
    pub incidents: Option<u64>,
    pub monitoring: Option<Monitoring>,
    pub note: Option<String>,
}

/// One operation taken up by the plan.
#[derive(Debug, Clone)]
pub struct Item {
    pub operation: String,
    pub method: Method,
    pub bundle: Option<String>,
    /// The planned fiscal year of each stage ([`Stage::ALL`] order); a stage may be left out.
    pub schedule: [Option<i32>; 5],
    /// In year order.
    pub actuals: Vec<Actual>,
    pub note: Option<String>,
    /// Where `operation:` and `bundle:` are written (for located reference errors).
    pub operation_at: Location,
    pub bundle_at: Option<Location>,
    pub method_at: Location,
}

impl Item {
    pub fn planned(&self, stage: Stage) -> Option<i32> {
        self.schedule[stage.index()]
    }
}

/// A plan, checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub path: String,
    pub title: String,
    /// The plan is an example (the bundled one is).
    pub illustrative: bool,
    pub first_year: i32,
    pub last_year: i32,
    pub focus_until: i32,
    pub verification_year: i32,
    pub items: Vec<Item>,
}

impl Plan {
    pub fn item(&self, operation: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.operation == operation)
    }
}

/// The fiscal year (April to March) a date falls in.
pub fn fiscal_year(date: jiff::civil::Date) -> i32 {
    let y = i32::from(date.year());
    if date.month() >= 4 {
        y
    } else {
        y - 1
    }
}

/// Reads and checks the plan at `path`.
pub fn load(path: &Path) -> Result<Plan, Diagnostics> {
    let shown = path.display().to_string();
    let text = crate::fsutil::read_regular(path, MAX_BYTES).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(
                Code::PlanUnreadable,
                format!("計画ファイル: {}", e.text().ja),
                format!("the plan file: {}", e.text().en),
            )
            .in_file(shown.clone()),
        )
    })?;
    parse(&shown, &text)
}

/// Checks the text of a plan file; `path` names it in the messages.
pub fn parse(path: &str, text: &str) -> Result<Plan, Diagnostics> {
    let file = Arc::new(SourceFile::new(path, text));
    let root = match yaml::parse_nodes(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(Diagnostic::error(
                Code::PlanInvalid,
                "計画ファイルが空です (`plan_version:`、`period:`、`items:` などが必要です)",
                "the plan file is empty (it needs `plan_version:`, `period:`, `items:` …)",
            )
            .in_file(path)
            .into())
        }
        Err(e) => {
            return Err(Diagnostic::error(
                Code::PlanInvalid,
                format!("YAML の構文エラー: {}", e.message),
                format!("YAML syntax error: {}", e.message),
            )
            .at(Location::new(&file, e.pos.line, e.pos.column, 1))
            .into())
        }
    };
    let mut r = Reader {
        file: &file,
        problems: Diagnostics::default(),
    };
    let plan = r.plan(path, &root);
    match plan {
        Some(p) if r.problems.is_empty() => Ok(p),
        _ => Err(r.problems),
    }
}

struct Reader<'a> {
    file: &'a Arc<SourceFile>,
    problems: Diagnostics,
}

impl Reader<'_> {
    fn at(&self, node: &Node) -> Location {
        Location::new(self.file, node.pos.line, node.pos.column, node.len)
    }

    fn error(&mut self, node: &Node, ja: String, en: String) {
        let d = Diagnostic::error(Code::PlanInvalid, ja, en).at(self.at(node));
        self.problems.push(d);
    }

    fn error_help(&mut self, node: &Node, ja: String, en: String, suggestion: Option<&str>) {
        let mut d = Diagnostic::error(Code::PlanInvalid, ja, en).at(self.at(node));
        if let Some(s) = suggestion {
            d = d.help(
                format!("`{s}` のことですか?"),
                format!("did you mean `{s}`?"),
            );
        }
        self.problems.push(d);
    }

    /// The pairs of a mapping whose keys are all in `known`; unknown keys are reported.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: (&str, &str),
        known: &[&'static str],
    ) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        let Value::Map(pairs) = &node.value else {
            self.error(
                node,
                format!(
                    "{}は対応表 (キー: 値) で書いてください ({} でした)",
                    what.0,
                    node.value.kind()
                ),
                format!("{} must be a mapping (found {})", what.1, node.value.kind()),
            );
            return None;
        };
        let mut out = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let key = yaml::scalar_text(k);
            if !known.contains(&key.as_str()) {
                let list = known.join(", ");
                let near = did_you_mean(&key, known.iter().copied());
                self.error_help(
                    k,
                    format!("知らないキー `{key}` です (使えるのは {list})"),
                    format!("unknown key `{key}` (expected one of {list})"),
                    near,
                );
                continue;
            }
            if out.iter().any(|(o, _, _): &(String, _, _)| *o == key) {
                self.error(
                    k,
                    format!("キー `{key}` が2回書かれています"),
                    format!("the key `{key}` is written twice"),
                );
                continue;
            }
            out.push((key, k, v));
        }
        Some(out)
    }

    fn text(&mut self, key: &str, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            other => {
                let (ja, en) = match other {
                    Value::Str(_) => ("空の文字列".to_string(), "an empty string".to_string()),
                    v => (v.kind().to_string(), v.kind().to_string()),
                };
                self.error(
                    node,
                    format!("`{key}` には空でない文字列が必要です ({ja}でした)"),
                    format!("`{key}` needs a non-empty string (found {en})"),
                );
                None
            }
        }
    }

    fn year(&mut self, key: &str, node: &Node) -> Option<i32> {
        match node.value {
            Value::Int(y) if (2000..=2100).contains(&y) => Some(y as i32),
            _ => {
                self.error(
                    node,
                    format!(
                        "`{key}` には年度 (2000〜2100 の整数、例: 2025) が必要です ({} でした)",
                        describe(node)
                    ),
                    format!(
                        "`{key}` needs a fiscal year (an integer 2000 to 2100, e.g. 2025) (found {})",
                        describe(node)
                    ),
                );
                None
            }
        }
    }

    fn count(&mut self, key: &str, node: &Node) -> Option<u64> {
        match node.value {
            Value::Int(n) if n >= 0 => Some(n as u64),
            _ => {
                self.error(
                    node,
                    format!(
                        "`{key}` には0以上の整数が必要です ({} でした)",
                        describe(node)
                    ),
                    format!(
                        "`{key}` needs a whole number of 0 or more (found {})",
                        describe(node)
                    ),
                );
                None
            }
        }
    }

    fn number(&mut self, key: &str, node: &Node) -> Option<f64> {
        match node.value {
            Value::Int(n) if n >= 0 => Some(n as f64),
            Value::Float(x) if x.is_finite() && x >= 0.0 => Some(x),
            _ => {
                self.error(
                    node,
                    format!(
                        "`{key}` には0以上の数が必要です ({} でした)",
                        describe(node)
                    ),
                    format!(
                        "`{key}` needs a number of 0 or more (found {})",
                        describe(node)
                    ),
                );
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        key: &str,
        node: &Node,
        all: &[T],
        id: fn(T) -> &'static str,
    ) -> Option<T> {
        let ids: Vec<&'static str> = all.iter().map(|&v| id(v)).collect();
        let list = ids.join(", ");
        let given = match &node.value {
            Value::Str(s) => s.trim().to_string(),
            _ => String::new(),
        };
        if let Some(v) = all.iter().copied().find(|&v| id(v) == given) {
            return Some(v);
        }
        let near = did_you_mean(&given, ids.iter().copied());
        self.error_help(
            node,
            format!("`{key}` は {list} のどれかです ({} でした)", describe(node)),
            format!("`{key}` must be one of {list} (found {})", describe(node)),
            near,
        );
        None
    }

    fn required<'n>(
        &mut self,
        fields: &[(String, &'n Node, &'n Node)],
        key: &str,
        owner: &Node,
        what: (&str, &str),
    ) -> Option<&'n Node> {
        let found = fields.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| *v);
        if found.is_none() {
            self.error(
                owner,
                format!("{}に `{key}:` がありません", what.0),
                format!("{} has no `{key}:`", what.1),
            );
        }
        found
    }

    fn plan(&mut self, path: &str, root: &Node) -> Option<Plan> {
        let fields = self.mapping(root, ("計画ファイル", "the plan file"), &TOP_KEYS)?;
        let what = ("計画ファイル", "the plan file");
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _, _)| key == k)
                .map(|(_, _, v)| *v)
        };
        match self.required(&fields, "plan_version", root, what) {
            Some(n) if matches!(n.value, Value::Int(PLAN_VERSION)) => {}
            Some(n) => self.error(
                n,
                format!(
                    "この itaku が読める計画の版は {PLAN_VERSION} です ({} でした)。新しい版のファイルなら itaku を更新してください",
                    describe(n)
                ),
                format!(
                    "this itaku reads plan version {PLAN_VERSION} (found {}); for a newer file, update itaku",
                    describe(n)
                ),
            ),
            None => {}
        }
        let title = match get("title") {
            Some(n) => self.text("title", n).unwrap_or_default(),
            None => String::new(),
        };
        let illustrative = match get("illustrative") {
            None => false,
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => *b,
            Some(n) => {
                self.error(
                    n,
                    format!(
                        "`illustrative` には true か false が必要です ({} でした)",
                        describe(n)
                    ),
                    format!("`illustrative` needs true or false (found {})", describe(n)),
                );
                false
            }
        };
        let (mut first, mut last) = (None, None);
        if let Some(p) = self.required(&fields, "period", root, what) {
            if let Some(pf) = self.mapping(p, ("`period`", "`period`"), &PERIOD_KEYS) {
                let what = ("`period`", "`period`");
                first = self
                    .required(&pf, "from", p, what)
                    .and_then(|n| self.year("from", n));
                last = self
                    .required(&pf, "to", p, what)
                    .and_then(|n| self.year("to", n));
                if let (Some(f), Some(l)) = (first, last) {
                    if l < f {
                        self.error(
                            p,
                            format!("計画期間の終わり ({l}年度) が始まり ({f}年度) より前です"),
                            format!("the plan period ends ({l}) before it starts ({f})"),
                        );
                    }
                }
            }
        }
        let within = |r: &mut Self, key: &str, node: &Node, y: i32| {
            if let (Some(f), Some(l)) = (first, last) {
                if y < f || y > l {
                    r.error(
                        node,
                        format!("`{key}: {y}` は計画期間 ({f}〜{l}年度) の外です"),
                        format!("`{key}: {y}` is outside the plan period ({f} to {l})"),
                    );
                }
            }
        };
        let focus_until = match self.required(&fields, "focus_until", root, what) {
            Some(n) => self
                .year("focus_until", n)
                .inspect(|&y| within(self, "focus_until", n, y)),
            None => None,
        };
        let verification_year = match self.required(&fields, "verification_year", root, what) {
            Some(n) => self
                .year("verification_year", n)
                .inspect(|&y| within(self, "verification_year", n, y)),
            None => None,
        };
        let mut items: Vec<Item> = Vec::new();
        match self.required(&fields, "items", root, what) {
            Some(Node {
                value: Value::Seq(list),
                ..
            }) => {
                for node in list {
                    let Some(item) = self.item(node, first.zip(last)) else {
                        continue;
                    };
                    if items.iter().any(|o| o.operation == item.operation) {
                        self.error(
                            node,
                            format!(
                                "業務 `{}` が計画に2回書かれています (1業務1項目です)",
                                item.operation
                            ),
                            format!(
                                "the operation `{}` is in the plan twice (one item an operation)",
                                item.operation
                            ),
                        );
                        continue;
                    }
                    items.push(item);
                }
            }
            Some(n) => self.error(
                n,
                format!(
                    "`items:` には項目のリストが必要です ({} でした)",
                    n.value.kind()
                ),
                format!("`items:` needs a list of items (found {})", n.value.kind()),
            ),
            None => {}
        }
        Some(Plan {
            path: path.to_string(),
            title,
            illustrative,
            first_year: first?,
            last_year: last?,
            focus_until: focus_until?,
            verification_year: verification_year?,
            items,
        })
    }

    fn item(&mut self, node: &Node, period: Option<(i32, i32)>) -> Option<Item> {
        let what = ("計画の項目", "a plan item");
        let fields = self.mapping(node, what, &ITEM_KEYS)?;
        let before = self.problems.len();
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _, _)| key == k)
                .map(|(_, _, v)| *v)
        };
        let op_node = self.required(&fields, "operation", node, what);
        let operation = op_node.and_then(|n| self.text("operation", n));
        let method_node = self.required(&fields, "method", node, what);
        let method = method_node.and_then(|n| self.choice("method", n, &Method::ALL, Method::id));
        let bundle = get("bundle").and_then(|n| self.text("bundle", n));
        let note = get("note").and_then(|n| self.text("note", n));
        let mut schedule = [None; 5];
        if let Some(s) = self.required(&fields, "schedule", node, what) {
            let ids = Stage::ALL.map(Stage::id);
            if let Some(sf) = self.mapping(s, ("`schedule`", "`schedule`"), &ids) {
                for (key, _, v) in &sf {
                    let Some(stage) = Stage::from_id(key) else {
                        continue;
                    };
                    if let Some(y) = self.year(key, v) {
                        self.in_period(key, v, y, period);
                        schedule[stage.index()] = Some(y);
                    }
                }
                if sf.is_empty() {
                    self.error(
                        s,
                        "`schedule` に段階の年度がありません (例: `study: 2024`)".into(),
                        "`schedule` has no stage (e.g. `study: 2024`)".into(),
                    );
                }
                // Stages follow each other: a later stage is never planned before an earlier one.
                let mut latest: Option<(Stage, i32)> = None;
                for stage in Stage::ALL {
                    let Some(y) = schedule[stage.index()] else {
                        continue;
                    };
                    if let Some((prev, py)) = latest {
                        if y < py {
                            let at = sf
                                .iter()
                                .find(|(k, _, _)| k == stage.id())
                                .map(|(_, _, v)| *v)
                                .unwrap_or(s);
                            self.error(
                                at,
                                format!(
                                    "「{}」({y}年度) が前の段階「{}」({py}年度) より前に計画されています",
                                    stage.label(Lang::Ja),
                                    prev.label(Lang::Ja)
                                ),
                                format!(
                                    "`{}` ({y}) is planned before the earlier stage `{}` ({py})",
                                    stage.id(),
                                    prev.id()
                                ),
                            );
                        }
                    }
                    latest = Some((stage, y));
                }
            }
        }
        let mut actuals: Vec<Actual> = Vec::new();
        match get("actuals") {
            None => {}
            Some(Node {
                value: Value::Seq(list),
                ..
            }) => {
                for a in list {
                    if let Some(actual) = self.actual(a, period) {
                        if actuals.iter().any(|o| o.year == actual.year) {
                            self.error(
                                a,
                                format!("{}年度の実績が2回書かれています", actual.year),
                                format!("the actuals of {} are written twice", actual.year),
                            );
                            continue;
                        }
                        actuals.push(actual);
                    }
                }
                actuals.sort_by_key(|a| a.year);
            }
            Some(n) => self.error(
                n,
                format!(
                    "`actuals:` には年度ごとの実績のリストが必要です ({} でした)",
                    n.value.kind()
                ),
                format!(
                    "`actuals:` needs a list of yearly actuals (found {})",
                    n.value.kind()
                ),
            ),
        }
        if self.problems.len() > before {
            return None;
        }
        Some(Item {
            operation: operation?,
            method: method?,
            bundle,
            schedule,
            actuals,
            note,
            operation_at: self.at(op_node?),
            bundle_at: get("bundle").map(|n| self.at(n)),
            method_at: self.at(method_node?),
        })
    }

    fn in_period(&mut self, key: &str, node: &Node, y: i32, period: Option<(i32, i32)>) {
        if let Some((f, l)) = period {
            if y < f || y > l {
                self.error(
                    node,
                    format!("`{key}: {y}` は計画期間 ({f}〜{l}年度) の外です"),
                    format!("`{key}: {y}` is outside the plan period ({f} to {l})"),
                );
            }
        }
    }

    fn actual(&mut self, node: &Node, period: Option<(i32, i32)>) -> Option<Actual> {
        let what = ("実績", "an actual");
        let fields = self.mapping(node, what, &ACTUAL_KEYS)?;
        let before = self.problems.len();
        let mut a = Actual::default();
        let year = self.required(&fields, "year", node, what);
        for (key, _, v) in &fields {
            match key.as_str() {
                "year" => {
                    if let Some(y) = self.year("year", v) {
                        self.in_period("year", v, y, period);
                        a.year = y;
                    }
                }
                "reached" => a.reached = self.choice("reached", v, &Stage::ALL, Stage::id),
                "contract_yen" => a.contract_yen = self.count("contract_yen", v),
                "freed_fte" => a.freed_fte = self.number("freed_fte", v),
                "overtime_hours" => a.overtime_hours = self.number("overtime_hours", v),
                "incidents" => a.incidents = self.count("incidents", v),
                "monitoring" => {
                    a.monitoring = self.choice("monitoring", v, &Monitoring::ALL, Monitoring::id)
                }
                "note" => a.note = self.text("note", v),
                _ => {}
            }
        }
        (year.is_some() && self.problems.len() == before).then_some(a)
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("`{s}`"),
        Value::Int(n) => n.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.kind().to_string(),
    }
}

/// The references of a plan checked against the catalog's operations and the bundles the bundling rules
/// propose (or know as a kind of work): an operation or bundle that no longer exists is a located error.
/// `bundles` is `None` when the rule set has no bundling rules to say which exist.
pub fn check_references<'a>(
    plan: &Plan,
    operations: impl IntoIterator<Item = &'a str> + Clone,
    bundles: Option<&[&str]>,
) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let known: std::collections::HashSet<&str> = operations.clone().into_iter().collect();
    for item in &plan.items {
        if !known.contains(item.operation.as_str()) {
            let mut d = Diagnostic::error(
                Code::PlanUnknownReference,
                format!(
                    "業務 `{}` はカタログにありません (廃止・改名された業務なら計画の項目も直してください)",
                    item.operation
                ),
                format!(
                    "the operation `{}` is not in the catalog (if it was abolished or renamed, change the plan item too)",
                    item.operation
                ),
            )
            .at(item.operation_at.clone());
            if let Some(s) = did_you_mean(&item.operation, operations.clone()) {
                d = d.help(
                    format!("`{s}` のことですか?"),
                    format!("did you mean `{s}`?"),
                );
            }
            problems.push(d);
        }
        if let (Some(b), Some(at), Some(bundles)) = (&item.bundle, &item.bundle_at, bundles) {
            if !bundles.contains(&b.as_str()) {
                let list = bundles.join(", ");
                let mut d = Diagnostic::error(
                    Code::PlanUnknownReference,
                    format!("束ね `{b}` は束ねのルールが知らない束ねです (あるのは {list})"),
                    format!(
                        "the bundle `{b}` is not one the bundling rules know (they know {list})"
                    ),
                )
                .at(at.clone());
                if let Some(s) = did_you_mean(b, bundles.iter().copied()) {
                    d = d.help(
                        format!("`{s}` のことですか?"),
                        format!("did you mean `{s}`?"),
                    );
                }
                problems.push(d);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "plan_version: 1\nperiod: {from: 2024, to: 2027}\nfocus_until: 2026\nverification_year: 2027\n";

    #[test]
    fn reads_a_plan_with_stages_in_order() {
        let p = parse(
            "p.yaml",
            &format!("{HEAD}items:\n  - operation: a\n    method: digitise\n    bundle: b\n    schedule: {{study: 2024, delivery: 2026}}\n    actuals:\n      - {{year: 2025, reached: study, freed_fte: 0.5, monitoring: good}}\n      - {{year: 2024}}\n"),
        )
        .unwrap();
        let i = &p.items[0];
        assert_eq!(i.method, Method::Digitise);
        assert_eq!(i.planned(Stage::Delivery), Some(2026));
        assert_eq!(i.planned(Stage::Contract), None);
        // Actuals are kept in year order.
        assert_eq!(
            i.actuals.iter().map(|a| a.year).collect::<Vec<_>>(),
            [2024, 2025]
        );
        assert_eq!(i.actuals[1].monitoring, Some(Monitoring::Good));
    }

    #[test]
    fn every_problem_is_located() {
        let text = format!("{HEAD}title: ''\nitems:\n  - operation: a\n    method: consignment\n    schedule: {{study: 2030}}\n  - operation: a\n    method: consignment\n    schedule: {{study: 2024}}\n    actuals:\n      - {{year: 2024}}\n      - {{year: 2024, incidents: 1.5}}\n");
        let problems = parse("p.yaml", &text).unwrap_err();
        let all: Vec<String> = problems.iter().map(|d| d.render(Lang::En, false)).collect();
        let all = all.join("\n");
        assert!(all.contains("p.yaml:5:8"), "{all}"); // empty title
        assert!(all.contains("outside the plan period"), "{all}");
        assert!(all.contains("p.yaml:15:33"), "{all}"); // 1.5 incidents
        assert!(all.contains("found an empty string"), "{all}");
        let twice = format!("{HEAD}items:\n  - operation: a\n    method: consignment\n    schedule: {{study: 2024}}\n  - operation: a\n    method: consignment\n    schedule: {{study: 2024}}\n  - operation: b\n    method: consignment\n    schedule: {{study: 2024}}\n    actuals: [{{year: 2024}}, {{year: 2024}}]\n");
        let all: Vec<String> = parse("p.yaml", &twice)
            .unwrap_err()
            .iter()
            .map(|d| d.render(Lang::En, false))
            .collect();
        let all = all.join("\n");
        assert!(
            all.contains("the actuals of 2024 are written twice"),
            "{all}"
        );
        assert!(
            all.contains("the operation `a` is in the plan twice"),
            "{all}"
        );
        // Missing top-level keys are named.
        let e = parse("p.yaml", "plan_version: 1\nitems: []\n").unwrap_err();
        let shown: Vec<String> = e.iter().map(|d| d.message(Lang::En).to_string()).collect();
        for key in ["period", "focus_until", "verification_year"] {
            assert!(
                shown.iter().any(|m| m.contains(&format!("`{key}:`"))),
                "{key}: {shown:?}"
            );
        }
    }
}
