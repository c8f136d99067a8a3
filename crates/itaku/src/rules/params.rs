//! Dated parameters (thresholds and amounts), OpenFisca style: each value is keyed by the date it takes
//! effect, and `--as-of` picks the value in force. Scripts never contain such numbers.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// A parameter value: a number, a whole number, a flag, a word or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<ParamValue>),
}

/// What a parameter holds, declared beside it (`type:`) and checked at load: Rhai compares values of
/// different types as simply unequal, so a threshold written as `"high"` or `.nan` would otherwise
/// silently change results instead of failing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// Not declared (rule sets written before types were introduced, e.g. an older git revision read
    /// by `itaku diff --base-rev`): any value but a non-finite number. The standard rules declare a
    /// type for every parameter (a test keeps it so).
    #[default]
    Any,
    /// Any finite number.
    Number,
    /// A whole number.
    Integer,
    /// A finite number from 0 to 1.
    Share,
    /// An amount of yen: a whole number ≥ 0.
    Yen,
    /// A date, `YYYY-MM-DD`.
    Date,
    Bool,
    Text,
    /// A list of values.
    List,
}

impl ParamType {
    /// Checks a value against the type: `Err((ja, en))` says what was expected.
    pub fn check(self, value: &ParamValue) -> Result<(), (&'static str, &'static str)> {
        use ParamValue as V;
        let ok = match (self, value) {
            (ParamType::Any, V::Float(f)) => f.is_finite(),
            (ParamType::Any, _) => true,
            (ParamType::Number, V::Int(_)) => true,
            (ParamType::Number, V::Float(f)) => f.is_finite(),
            (ParamType::Integer, V::Int(_)) => true,
            (ParamType::Share, V::Int(i)) => (0..=1).contains(i),
            (ParamType::Share, V::Float(f)) => (0.0..=1.0).contains(f),
            (ParamType::Yen, V::Int(i)) => *i >= 0,
            (ParamType::Date, V::Text(s)) => s.parse::<Date>().is_ok(),
            (ParamType::Bool, V::Bool(_)) => true,
            (ParamType::Text, V::Text(_)) => true,
            (ParamType::List, V::List(_)) => true,
            _ => false,
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            ParamType::Any => ("有限の値", "a finite value"),
            ParamType::Number => ("有限の数値", "a finite number"),
            ParamType::Integer => ("整数", "a whole number"),
            ParamType::Share => ("0 以上 1 以下の数値", "a number from 0 to 1"),
            ParamType::Yen => ("0 以上の整数 (円)", "a whole number of yen, 0 or more"),
            ParamType::Date => ("YYYY-MM-DD 形式の日付", "a date as YYYY-MM-DD"),
            ParamType::Bool => ("true または false", "true or false"),
            ParamType::Text => ("文字列", "a text"),
            ParamType::List => ("リスト", "a list"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Any => "any",
            ParamType::Number => "number",
            ParamType::Integer => "integer",
            ParamType::Share => "share",
            ParamType::Yen => "yen",
            ParamType::Date => "date",
            ParamType::Bool => "bool",
            ParamType::Text => "text",
            ParamType::List => "list",
        }
    }
}

/// A problem with one value of a parameter, found at load.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueProblem {
    pub parameter: String,
    /// The `from:` date of the value, as written.
    pub from: String,
    /// Which value with that date (0 for the first), to locate a duplicate.
    pub nth: usize,
    pub text: Text,
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Text(s) => write!(f, "{s}"),
            ParamValue::List(items) => {
                let shown: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", shown.join(", "))
            }
        }
    }
}

/// One value of a parameter and the date it takes effect.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedValue {
    /// Effective date, `YYYY-MM-DD`.
    pub from: String,
    pub value: ParamValue,
    /// `false` while the value has not been checked against the current official notice.
    #[serde(default = "yes")]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

/// A named parameter with its dated values and where they come from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub description: Text,
    /// What the values are (checked at load).
    #[serde(rename = "type", default)]
    pub kind: ParamType,
    /// The legal or policy source of the values.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub values: Vec<DatedValue>,
}

/// The parameters file: `parameters: {name: Parameter}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    pub parameters: BTreeMap<String, Parameter>,
}

impl Parameters {
    /// Values that do not match their parameter's type, and dates that appear twice in a parameter.
    pub fn problems(&self) -> Vec<ValueProblem> {
        let mut found = Vec::new();
        for (name, p) in &self.parameters {
            let mut dates: Vec<&str> = Vec::new();
            for v in &p.values {
                let nth = dates.iter().filter(|d| **d == v.from).count();
                let problem = |ja: String, en: String| ValueProblem {
                    parameter: name.clone(),
                    from: v.from.clone(),
                    nth,
                    text: Text::new(ja, en),
                };
                if nth > 0 {
                    found.push(problem(
                        format!("パラメータ `{name}` の施行日 {} の値が2つあります (どちらが有効か決まりません)", v.from),
                        format!("parameter `{name}` has two values from {} (which one applies is undefined)", v.from),
                    ));
                }
                dates.push(&v.from);
                if let Err((ja, en)) = p.kind.check(&v.value) {
                    let kind = p.kind.as_str();
                    found.push(problem(
                        format!(
                            "パラメータ `{name}` ({kind}) の値 `{}` は{ja}ではありません",
                            v.value
                        ),
                        format!(
                            "parameter `{name}` ({kind}): value `{}` is not {en}",
                            v.value
                        ),
                    ));
                }
            }
        }
        found
    }
}

/// A parameter value in force on a date, with the date it took effect.
#[derive(Debug, Clone, PartialEq)]
pub struct InForce<'a> {
    pub value: &'a ParamValue,
    pub since: Date,
    pub verified: bool,
}

impl Parameter {
    /// The value in force on `date`: the latest value whose effective date is on or before it.
    pub fn at(&self, date: Date) -> Option<InForce<'_>> {
        self.values
            .iter()
            .filter_map(|v| v.from.parse::<Date>().ok().map(|d| (d, v)))
            .filter(|(d, _)| *d <= date)
            .max_by_key(|(d, _)| *d)
            .map(|(since, v)| InForce {
                value: &v.value,
                since,
                verified: v.verified,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wage_floor() -> Parameter {
        let v = |from: &str, yen: i64| DatedValue {
            from: from.into(),
            value: ParamValue::Int(yen),
            verified: true,
            note: None,
        };
        Parameter {
            description: Text {
                ja: "労働報酬下限額".into(),
                en: "wage floor".into(),
            },
            source: "Setagaya Public Contract Ordinance".into(),
            kind: ParamType::Yen,
            unit: Some("yen/hour".into()),
            values: vec![
                v("2022-04-01", 1170),
                v("2020-04-01", 1130),
                v("2024-04-01", 1330),
            ],
        }
    }

    #[test]
    fn value_changes_on_its_effective_date() {
        let p = wage_floor();
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(p.at(d("2022-03-31")).unwrap().value, &ParamValue::Int(1130));
        assert_eq!(p.at(d("2022-04-01")).unwrap().value, &ParamValue::Int(1170));
        assert_eq!(p.at(d("2024-04-01")).unwrap().since, d("2024-04-01"));
        assert_eq!(p.at(d("2030-01-01")).unwrap().value, &ParamValue::Int(1330));
    }

    #[test]
    fn values_are_checked_against_the_declared_type() {
        let nan = ParamValue::Float(f64::NAN);
        let high = ParamValue::Text("high".into());
        assert!(ParamType::Share.check(&ParamValue::Float(0.8)).is_ok());
        assert!(ParamType::Share.check(&ParamValue::Float(1.5)).is_err());
        assert!(ParamType::Share.check(&nan).is_err());
        assert!(ParamType::Number.check(&nan).is_err());
        assert!(ParamType::Number.check(&high).is_err());
        assert!(ParamType::Integer.check(&ParamValue::Float(2.0)).is_err());
        assert!(ParamType::Yen.check(&ParamValue::Int(-1)).is_err());
        assert!(ParamType::Date
            .check(&ParamValue::Text("2026-04-01".into()))
            .is_ok());
        assert!(ParamType::Bool.check(&ParamValue::Int(1)).is_err());
    }

    #[test]
    fn two_values_from_the_same_date_are_a_problem() {
        let mut p = wage_floor();
        p.values[1].from = "2022-04-01".into();
        let set = Parameters {
            parameters: [("wage".to_string(), p)].into_iter().collect(),
        };
        let problems = set.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            (problems[0].from.as_str(), problems[0].nth),
            ("2022-04-01", 1)
        );
    }

    #[test]
    fn no_value_before_the_first_date() {
        assert!(wage_floor().at("2019-12-31".parse().unwrap()).is_none());
    }
}
