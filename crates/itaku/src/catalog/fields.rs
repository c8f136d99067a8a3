//! The catalog's field list (contract 1 of PRODUCT.md), defined once.
//!
//! The [`operation_fields!`] invocation at the bottom generates the [`Operation`] struct, the [`Field`]
//! enum that names every field, the generic read access used by the rule runtime ([`Operation::get`]) and
//! the validated write access used by the loader. Adding a field means adding one line there.

use serde::Serialize;

use crate::lang::Lang;
use crate::yaml::{Node, Pos, Value};

/// A closed set of values written as `snake_case` strings in the catalog.
pub trait CatalogEnum: Sized + Copy + 'static {
    const VALUES: &'static [&'static str];
    fn parse(s: &str) -> Option<Self>;
    fn as_str(self) -> &'static str;
    /// The value's position in [`VALUES`](Self::VALUES).
    fn index(self) -> usize;
}

macro_rules! catalog_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $text)] $variant),+ }
        impl CatalogEnum for $name {
            const VALUES: &'static [&'static str] = &[$($text),+];
            fn parse(s: &str) -> Option<Self> { match s { $($text => Some(Self::$variant),)+ _ => None } }
            fn as_str(self) -> &'static str { match self { $(Self::$variant => $text),+ } }
            fn index(self) -> usize { self as usize }
        }
    };
}

catalog_enum!(
    /// 重点取組み分野: the seven priority areas of the plan (seed V-1).
    FocusArea { BulkRoutine = "bulk_routine", Screening = "screening", Collection = "collection",
    Inquiries = "inquiries", Facilities = "facilities", Renewal = "renewal", NewSystems = "new_systems" });
catalog_enum!(
    /// 公権力の行使: how far the work exercises public authority.
    PublicAuthority { None = "none", Ancillary = "ancillary", Core = "core" });
catalog_enum!(
    /// 裁量: how much judgement the work takes.
    Discretion { None = "none", RuleBound = "rule_bound", Judgment = "judgment", Professional = "professional" });
catalog_enum!(
    /// マニュアル整備状況.
    Manuals { None = "none", Partial = "partial", Complete = "complete" });
catalog_enum!(
    /// 専門性.
    Expertise { None = "none", General = "general", Specialist = "specialist", Licensed = "licensed" });
catalog_enum!(
    /// 重要度.
    Criticality { Critical = "critical", Important = "important", Normal = "normal" });
catalog_enum!(
    /// 作業場所.
    WorkLocation { WardPremises = "ward_premises", ContractorSite = "contractor_site", Remote = "remote" });
catalog_enum!(
    /// 照会の方法: how contractor staff refer a case to ward staff.
    EscalationProcedure { Documented = "documented", AdHoc = "ad_hoc" });
catalog_enum!(
    /// 機材の負担.
    Equipment { Contractor = "contractor", WardLeased = "ward_leased", WardFree = "ward_free" });
catalog_enum!(
    /// 契約種別.
    ContractType { Consignment = "consignment", Construction = "construction", Goods = "goods",
    DesignatedManager = "designated_manager", Lease = "lease" });
catalog_enum!(
    /// 個人情報の区分.
    PersonalData { None = "none", General = "general", Sensitive = "sensitive", MyNumber = "my_number" });
catalog_enum!(
    /// マイナンバーの事務の種類 (番号法2条10項・11項): the ward's own My Number process, or handling numbers
    /// for another's process (payroll withholding).
    MyNumberKind { Use = "use", Relation = "relation" });
catalog_enum!(
    /// システム接続.
    SystemAccess { None = "none", Onsite = "onsite", Remote = "remote", Cloud = "cloud" });

/// An operation id: `[a-z0-9-]+`, validated when the catalog is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OperationId(String);

/// Names Windows reserves for devices: a file `con.yaml` or `nul.yaml` cannot be opened on a Windows
/// share, so such an id could never become a draft or split catalog file there.
pub const RESERVED_IDS: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

impl OperationId {
    pub fn parse(s: &str) -> Option<Self> {
        Self::refusal(s).is_none().then(|| Self(s.to_string()))
    }

    /// Why `s` is not an operation id (Japanese, English), or `None` when it is one. Besides the
    /// characters, an id never starts with `-` (a file `-rf.yaml` turns into an option in any shell loop
    /// over files) and is never a Windows device name.
    pub fn refusal(s: &str) -> Option<(&'static str, &'static str)> {
        if s.is_empty() || s.len() > 128 {
            return Some((
                "1〜128文字で書いてください",
                "must be 1 to 128 characters long",
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Some((
                "半角英小文字・数字・ハイフン ([a-z0-9-]+) だけで書いてください",
                "must use only lowercase letters, digits and hyphens ([a-z0-9-]+)",
            ));
        }
        if s.starts_with('-') {
            return Some((
                "ハイフンで始めないでください (ファイル名がコマンドのオプションと読まれます)",
                "must not start with a hyphen (a file of that name reads as a command option)",
            ));
        }
        if RESERVED_IDS.contains(&s) {
            return Some((
                "Windows の予約名 (con・nul 等) は使えません",
                "must not be a name Windows reserves for devices (con, nul …)",
            ));
        }
        None
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl schemars::JsonSchema for OperationId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OperationId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z0-9][a-z0-9-]*$",
            "minLength": 1,
            "maxLength": 128,
            "not": { "enum": RESERVED_IDS }
        })
    }
}

impl std::fmt::Display for OperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Bounds of a numeric field, inclusive.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub min: f64,
    pub max: f64,
}

const UNBOUNDED: Bounds = Bounds {
    min: 0.0,
    max: f64::MAX,
};

/// A field's value as the rule runtime sees it.
#[derive(Debug, Clone, Copy)]
pub enum FieldRef<'a> {
    Missing,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(&'a str),
    Enum(&'static str),
    List(&'a [String]),
    Load(&'a [f64; 12]),
}

/// A field's value as the compiled rules hold it: [`FieldRef`] with every text and list by a thin
/// reference (one pointer), so that the compiled rules' values fit in two machine words.
#[derive(Debug, Clone, Copy)]
pub enum FieldSlot<'a> {
    Missing,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(&'a String),
    /// An enumerated value: its name in the enum's `VALUES`.
    Enum(&'static &'static str),
    List(&'a Vec<String>),
    Load(&'a [f64; 12]),
}

/// What went wrong with one value, before it is given a file and line.
#[derive(Debug, Clone)]
pub enum ValueProblem {
    WrongType {
        expected_ja: String,
        expected_en: String,
        found: &'static str,
    },
    OutOfRange {
        value: String,
        bounds: Bounds,
        integer: bool,
    },
    UnknownValue {
        value: String,
        allowed: &'static [&'static str],
    },
    WrongLength {
        expected: usize,
        found: usize,
    },
}

/// A value problem at a place in the document.
#[derive(Debug, Clone)]
pub struct NodeProblem {
    pub pos: Pos,
    pub len: usize,
    pub problem: ValueProblem,
}

fn problem(node: &Node, problem: ValueProblem) -> NodeProblem {
    NodeProblem {
        pos: node.pos,
        len: node.len,
        problem,
    }
}

fn wrong_type(node: &Node, ja: &str, en: &str) -> NodeProblem {
    problem(
        node,
        ValueProblem::WrongType {
            expected_ja: ja.into(),
            expected_en: en.into(),
            found: node.value.kind(),
        },
    )
}

/// What kind of value a field holds (how a spreadsheet cell is read and written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    List,
    Bool,
    Int,
    Num,
    Enum(&'static [&'static str]),
    /// Twelve numbers, April..March.
    Load,
}

/// A Rust type that a catalog field can hold.
pub trait FieldType: Sized {
    const KIND: FieldKind;
    fn from_node(node: &Node, bounds: Bounds) -> Result<Self, NodeProblem>;
    fn field_ref(&self) -> FieldRef<'_>;
    /// The value as [`Operation::slot`] gives it.
    fn field_slot(&self) -> FieldSlot<'_>;
    /// Like [`from_node`](Self::from_node), taking the node (texts are moved, not copied).
    fn from_owned(node: Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        Self::from_node(&node, bounds)
    }
    /// For an enumerated value, its position in the enum's `VALUES`.
    fn enum_index(&self) -> Option<usize> {
        None
    }
}

impl FieldType for String {
    const KIND: FieldKind = FieldKind::Text;
    fn from_node(node: &Node, _: Bounds) -> Result<Self, NodeProblem> {
        match &node.value {
            Value::Str(s) => Ok(s.clone()),
            // A plain number where text is expected is almost always meant as text: keep it as written.
            Value::Int(i) => Ok(node
                .source_text()
                .map_or_else(|| i.to_string(), str::to_string)),
            _ => Err(wrong_type(node, "文字列", "a string")),
        }
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::Text(self)
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::Text(self)
    }
    fn from_owned(node: Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        match node.value {
            Value::Str(s) => Ok(s),
            _ => Self::from_node(&node, bounds),
        }
    }
}

impl FieldType for Vec<String> {
    const KIND: FieldKind = FieldKind::List;
    fn from_node(node: &Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        match &node.value {
            Value::Seq(items) => items.iter().map(|n| String::from_node(n, bounds)).collect(),
            _ => Err(wrong_type(node, "文字列のリスト", "a list of strings")),
        }
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::List(self)
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::List(self)
    }
    fn from_owned(node: Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        match node.value {
            Value::Seq(items) => items
                .into_iter()
                .map(|n| String::from_owned(n, bounds))
                .collect(),
            _ => Self::from_node(&node, bounds),
        }
    }
}

impl FieldType for bool {
    const KIND: FieldKind = FieldKind::Bool;
    fn from_node(node: &Node, _: Bounds) -> Result<Self, NodeProblem> {
        match &node.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(wrong_type(node, "true または false", "true or false")),
        }
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::Bool(*self)
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::Bool(*self)
    }
}

impl FieldType for u64 {
    const KIND: FieldKind = FieldKind::Int;
    fn from_node(node: &Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        match &node.value {
            Value::Int(i) if (*i as f64) >= bounds.min && (*i as f64) <= bounds.max => {
                Ok(*i as u64)
            }
            Value::Int(i) => Err(problem(
                node,
                ValueProblem::OutOfRange {
                    value: i.to_string(),
                    bounds,
                    integer: true,
                },
            )),
            _ => Err(wrong_type(node, "整数", "an integer")),
        }
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

fn number(node: &Node, bounds: Bounds) -> Result<f64, NodeProblem> {
    let v = match &node.value {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return Err(wrong_type(node, "数値", "a number")),
    };
    if v.is_finite() && v >= bounds.min && v <= bounds.max {
        Ok(v)
    } else {
        Err(problem(
            node,
            ValueProblem::OutOfRange {
                value: format_number(v),
                bounds,
                integer: false,
            },
        ))
    }
}

fn format_number(v: f64) -> String {
    if v.is_nan() {
        ".nan".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else {
        v.to_string()
    }
}

impl FieldType for f64 {
    const KIND: FieldKind = FieldKind::Num;
    fn from_node(node: &Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        number(node, bounds)
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::Num(*self)
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::Num(*self)
    }
}

impl FieldType for [f64; 12] {
    const KIND: FieldKind = FieldKind::Load;
    fn from_node(node: &Node, bounds: Bounds) -> Result<Self, NodeProblem> {
        let Value::Seq(items) = &node.value else {
            return Err(wrong_type(
                node,
                "12個の数値のリスト(4月〜3月)",
                "a list of 12 numbers (April..March)",
            ));
        };
        if items.len() != 12 {
            return Err(problem(
                node,
                ValueProblem::WrongLength {
                    expected: 12,
                    found: items.len(),
                },
            ));
        }
        let mut out = [0.0; 12];
        for (slot, item) in out.iter_mut().zip(items) {
            *slot = number(item, bounds)?;
        }
        Ok(out)
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::Load(self)
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::Load(self)
    }
}

impl<E: CatalogEnum> FieldType for E {
    const KIND: FieldKind = FieldKind::Enum(E::VALUES);
    fn from_node(node: &Node, _: Bounds) -> Result<Self, NodeProblem> {
        match &node.value {
            Value::Str(s) => E::parse(s).ok_or_else(|| {
                problem(
                    node,
                    ValueProblem::UnknownValue {
                        value: s.clone(),
                        allowed: E::VALUES,
                    },
                )
            }),
            Value::Null | Value::Seq(_) | Value::Map(_) => Err(wrong_type(
                node,
                &format!("次のいずれか: {}", E::VALUES.join(", ")),
                &format!("one of: {}", E::VALUES.join(", ")),
            )),
            other => Err(problem(
                node,
                ValueProblem::UnknownValue {
                    value: match other {
                        Value::Bool(b) => b.to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => format_number(*f),
                        _ => String::new(),
                    },
                    allowed: E::VALUES,
                },
            )),
        }
    }
    fn field_ref(&self) -> FieldRef<'_> {
        FieldRef::Enum(self.as_str())
    }
    fn field_slot(&self) -> FieldSlot<'_> {
        FieldSlot::Enum(&E::VALUES[(*self).index()])
    }
    fn enum_index(&self) -> Option<usize> {
        Some((*self).index())
    }
}

macro_rules! operation_fields {
    ($( $(#[doc = $doc:literal])* $field:ident : $ty:ty $([$min:expr, $max:expr])? ),* $(,)?) => {
        /// One municipal operation (業務) of the catalog. Every field but the identity is optional:
        /// `None` means *unknown*, never false.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct Operation {
            pub id: OperationId,
            pub name: String,
            pub department: String,
            $( $(#[doc = $doc])* #[serde(skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )*
        }

        /// Names every field of [`Operation`], in catalog order.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { id, name, department, $($field),* }

        impl Field {
            pub const ALL: &'static [Field] =
                &[Field::id, Field::name, Field::department, $(Field::$field),*];
            pub const NAMES: &'static [&'static str] =
                &["id", "name", "department", $(stringify!($field)),*];

            pub fn name(self) -> &'static str {
                Self::NAMES[self as usize]
            }

            pub fn from_name(name: &str) -> Option<Field> {
                // A `match` on the text: compiled to a test of the length, then of the bytes.
                match name {
                    "id" => Some(Field::id),
                    "name" => Some(Field::name),
                    "department" => Some(Field::department),
                    $( stringify!($field) => Some(Field::$field), )*
                    _ => None,
                }
            }

            pub fn is_required(self) -> bool {
                matches!(self, Field::id | Field::name | Field::department)
            }

            /// What kind of value the field holds.
            pub fn kind(self) -> FieldKind {
                match self {
                    Field::id | Field::name | Field::department => FieldKind::Text,
                    $( Field::$field => <$ty as FieldType>::KIND, )*
                }
            }

            /// The JSON Schema of the field's value, from its Rust type (schemars); descriptions,
            /// bounds and "unknown" (`null`) are added by [`crate::catalog::schema`].
            pub(crate) fn value_schema(self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                match self {
                    Field::id => <OperationId as schemars::JsonSchema>::json_schema(generator),
                    Field::name | Field::department => <String as schemars::JsonSchema>::json_schema(generator),
                    $( Field::$field => <$ty as schemars::JsonSchema>::json_schema(generator), )*
                }
            }

            pub fn bounds(self) -> Bounds {
                match self {
                    $( $(Field::$field => Bounds { min: $min as f64, max: $max as f64 },)? )*
                    _ => UNBOUNDED,
                }
            }
        }

        impl Operation {
            /// An operation with its identity and every other fact unknown.
            pub fn new(id: OperationId, name: String, department: String) -> Self {
                Self { id, name, department, $($field: None,)* }
            }

            /// Reads a field generically (used by the rule runtime).
            pub fn get(&self, field: Field) -> FieldRef<'_> {
                match field {
                    Field::id => FieldRef::Text(self.id.as_str()),
                    Field::name => FieldRef::Text(&self.name),
                    Field::department => FieldRef::Text(&self.department),
                    $( Field::$field => self.$field.as_ref().map_or(FieldRef::Missing, FieldType::field_ref), )*
                }
            }

            /// A field's value as the compiled rules hold it ([`FieldSlot`]: the value
            /// [`get`](Self::get) gives, texts and lists by a thin reference).
            pub fn slot(&self, field: Field) -> FieldSlot<'_> {
                match field {
                    Field::id => FieldSlot::Text(&self.id.0),
                    Field::name => FieldSlot::Text(&self.name),
                    Field::department => FieldSlot::Text(&self.department),
                    $( Field::$field => self.$field.as_ref().map_or(FieldSlot::Missing, FieldType::field_slot), )*
                }
            }

            /// An enumerated field's value as its position in the enum's `VALUES` (`None` when it is
            /// unknown or the field is not enumerated): what the compiled rules compare.
            pub fn enum_index(&self, field: Field) -> Option<usize> {
                match field {
                    Field::id | Field::name | Field::department => None,
                    $( Field::$field => self.$field.as_ref().and_then(FieldType::enum_index), )*
                }
            }

            /// Sets an optional field from a document node, validating type and range (the node's
            /// texts are moved into the operation, not copied).
            pub(crate) fn set(&mut self, field: Field, node: Node) -> Result<(), NodeProblem> {
                match field {
                    Field::id | Field::name | Field::department => Ok(()),
                    $( Field::$field => {
                        self.$field = Some(<$ty as FieldType>::from_owned(node, field.bounds())?);
                        Ok(())
                    } )*
                }
            }

            /// Clears an optional field (makes it unknown).
            pub fn clear(&mut self, field: Field) {
                match field {
                    Field::id | Field::name | Field::department => {}
                    $( Field::$field => self.$field = None, )*
                }
            }
        }
    };
}

/// The name to show in `lang`: `name_en` in English when the catalog gives one, else `name`.
pub fn display_name<'a>(name: &'a str, name_en: Option<&'a str>, lang: Lang) -> &'a str {
    match (lang, name_en) {
        (Lang::En, Some(en)) if !en.trim().is_empty() => en,
        _ => name,
    }
}

impl Operation {
    /// The name to show in `lang` (see [`display_name`]).
    pub fn display_name(&self, lang: Lang) -> &str {
        display_name(&self.name, self.name_en.as_deref(), lang)
    }
}

operation_fields! {
    /// English name, shown instead of `name` with `--lang en`.
    name_en: String,
    description: String,
    /// Where the figures come from (survey, budget document, "illustrative estimate").
    source: String,
    focus_area: FocusArea,
    legal_basis: Vec<String>,
    /// A statute requires ward staff to do it.
    statutory_staff_only: bool,
    public_authority: PublicAuthority,
    discretion: Discretion,
    /// Case decisions: taken by staff on each case inside the operation's own flow (issue or refuse,
    /// accept a notification, grant or deny, the final screening decision). A contractor cannot finish
    /// a case without them, so an operation that has any is at most `partial`.
    decision_steps: Vec<String>,
    /// Steps that could be carved out.
    auxiliary_steps: Vec<String>,
    /// Supervision and policy the ward keeps whatever goes out (the specification, priorities,
    /// inspection, approving content, follow-up decisions taken outside the contracted flow). They do
    /// not stop `outsource`.
    oversight_steps: Vec<String>,
    /// Share of today's staff time spent on the auxiliary steps (0..1): what a partial outsourcing frees.
    auxiliary_share: f64 [0, 1],
    annual_cases: u64 [0, 1e15],
    /// 定型度: share of cases handled by fixed procedure.
    routine_share: f64 [0, 1],
    /// 困難度.
    difficulty: u64 [1, 5],
    manuals: Manuals,
    /// Relative workload April..March (fiscal-year order).
    monthly_load: [f64; 12] [0, 1e15],
    expertise: Expertise,
    spec_definable: bool,
    output_measurability: u64 [1, 5],
    market_providers: u64 [0, 1e9],
    commercial_equivalent: bool,
    facilities: u64 [0, 1e9],
    maintenance_contracts: u64 [0, 1e9],
    criticality: Criticality,
    emergency_role: bool,
    first_time: bool,
    citizen_facing: bool,
    work_location: WorkLocation,
    co_located: bool,
    escalation_to_staff: bool,
    /// How a referral reaches staff: a documented hand-off, or ad-hoc questions.
    escalation_procedure: EscalationProcedure,
    onsite_headcount: u64 [0, 1e9],
    equipment: Equipment,
    contract_type: ContractType,
    estimated_contract_yen: u64 [0, 1e15],
    /// Costs inside the price that the ward pays whoever organises the work (lodging, transport, fares,
    /// admissions): passed through, not the contractor's labour.
    pass_through_yen: u64 [0, 1e15],
    /// For work already outsourced (`first_time: false`): what the ward pays today for the part already
    /// out. Freed staff time counts only the change.
    current_contract_yen: u64 [0, 1e15],
    contract_years: u64 [1, 100],
    subcontracting: bool,
    /// The contractor collects fees, charges or other public money for the ward (指定公金事務取扱者).
    collects_public_money: bool,
    hazards: Vec<String>,
    personal_data: PersonalData,
    /// Tax information under the secrecy of 地方税法22条 is handled (not 要配慮個人情報, but secret).
    tax_secrecy: bool,
    /// For `personal_data: my_number`: the ward's own My Number process (`use`) or handling numbers for
    /// another's process, such as payroll withholding (`relation`).
    my_number_kind: MyNumberKind,
    records: u64 [0, 1e15],
    system_access: SystemAccess,
    staff_fte: f64 [0, 1e9],
    overtime_hours: f64 [0, 1e12],
}
