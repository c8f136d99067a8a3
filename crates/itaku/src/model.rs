//! The vocabulary of an assessment: recommendations, criteria and severities.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// 判定: what the ward should do with an operation. Ordered from least to most outsourcing, so that
/// `min` caps a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// 直営維持: excluded by the gate, or not suitable.
    InHouse,
    /// 要検討: conflicting signals or missing facts.
    Study,
    /// 一部委託: carve out the auxiliary steps; staff keep the decisions.
    Partial,
    /// 委託推奨: the whole operation.
    Outsource,
}

impl Recommendation {
    pub const ALL: [Recommendation; 4] = [
        Recommendation::Outsource,
        Recommendation::Partial,
        Recommendation::Study,
        Recommendation::InHouse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::InHouse => "in_house",
            Recommendation::Study => "study",
            Recommendation::Partial => "partial",
            Recommendation::Outsource => "outsource",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Recommendation::InHouse => lang.pick("直営維持", "keep in-house"),
            Recommendation::Study => lang.pick("要検討", "study further"),
            Recommendation::Partial => lang.pick("一部委託", "outsource in part"),
            Recommendation::Outsource => lang.pick("委託推奨", "outsource"),
        }
    }
}

/// Severity of a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Severity::Low => lang.pick("低", "low"),
            Severity::Medium => lang.pick("中", "medium"),
            Severity::High => lang.pick("高", "high"),
        }
    }
}

/// 選定基準: the five criteria for candidate operations (seed IV-3-2-(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Criterion {
    /// 内部事務や定型的かつ大量業務
    C1,
    /// 専門知識・技術が必要だが仕様で質を確保できる
    C2,
    /// 時期的に業務が集中する
    C3,
    /// より専門的な視点からの運営が期待できる
    C4,
    /// 施設等の一体的な維持管理
    C5,
}

impl Criterion {
    pub const ALL: [Criterion; 5] = [
        Criterion::C1,
        Criterion::C2,
        Criterion::C3,
        Criterion::C4,
        Criterion::C5,
    ];
    /// Every criterion scores 0..=MAX_POINTS.
    pub const MAX_POINTS: u8 = 5;

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::C1 => "C1",
            Criterion::C2 => "C2",
            Criterion::C3 => "C3",
            Criterion::C4 => "C4",
            Criterion::C5 => "C5",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Criterion::C1 => lang.pick("定型的かつ大量の業務", "routine, high-volume work"),
            Criterion::C2 => lang.pick(
                "仕様で質を確保できる専門業務",
                "expert work whose quality a specification can secure",
            ),
            Criterion::C3 => lang.pick("時期的な業務の集中", "seasonal peaks"),
            Criterion::C4 => lang.pick("より専門的な運営", "more professional operation"),
            Criterion::C5 => lang.pick("施設の一体的な管理", "bundled facility management"),
        }
    }
}
