//! Dated parameters (thresholds and amounts), OpenFisca style: each value is keyed by the date it takes
//! effect, and `--as-of` picks the value in force. Scripts never contain such numbers.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// A parameter value: a number, a whole number, a flag or a word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Text(s) => write!(f, "{s}"),
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
    fn no_value_before_the_first_date() {
        assert!(wage_floor().at("2019-12-31".parse().unwrap()).is_none());
    }
}
