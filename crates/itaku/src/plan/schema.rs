//! The JSON Schema of the plan file (`schema/plan.schema.json`, `itaku schema --plan`), for editors
//! (yaml-language-server) and other validators. It says what the loader ([`super::parse`]) accepts; a test
//! holds the two together on the example plan and on plans the loader refuses.

use serde_json::{json, Value};

use super::{Monitoring, Stage, PLAN_VERSION};
use crate::method::Method;

/// Where the committed schema lives in the repository.
pub const SCHEMA_PATH: &str = "schema/plan.schema.json";

fn year(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 2000, "maximum": 2100, "description": description })
}

fn count(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 0, "description": description })
}

fn number(description: &str) -> Value {
    json!({ "type": "number", "minimum": 0, "description": description })
}

fn text(description: &str) -> Value {
    json!({ "type": "string", "minLength": 1, "pattern": "\\S", "description": description })
}

/// The schema (JSON Schema draft 2020-12).
pub fn plan_schema() -> Value {
    let stages: Vec<&str> = Stage::ALL.iter().map(|s| s.id()).collect();
    let schedule: serde_json::Map<String, Value> = Stage::ALL
        .iter()
        .map(|s| {
            (
                s.id().to_string(),
                year(&format!(
                    "「{}」の年度 (fiscal year of {})",
                    s.label(crate::Lang::Ja),
                    s.label(crate::Lang::En)
                )),
            )
        })
        .collect();
    let methods: Vec<&str> = Method::ALL.iter().map(|m| m.id()).collect();
    let monitoring: Vec<&str> = Monitoring::ALL.iter().map(|m| m.id()).collect();
    let actual = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["year"],
        "properties": {
            "year": year("実績の年度 (fiscal year)"),
            "reached": { "enum": stages, "description": "その年度に到達した段階 (the stage reached)" },
            "contract_yen": count("実際の契約額 (年額・円; contract price paid)"),
            "freed_fte": number("実際に生まれた職員の時間 (常勤換算; staff time freed)"),
            "overtime_hours": number("残った職員の超過勤務時間 (overtime hours)"),
            "incidents": count("事故・苦情・誤りの件数 (incidents)"),
            "monitoring": { "enum": monitoring, "description": "モニタリング (S2 の履行確認) の結果" },
            "note": text("備考 (note)")
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://itaku.example/schema/plan.schema.json",
        "title": "itaku plan",
        "description": "委託推進の計画 (業務ごとの手法・束ね・年度別の段階と実績)。The outsourcing plan: per operation the method, bundle, schedule by fiscal year and yearly actuals.",
        "type": "object",
        "additionalProperties": false,
        "required": ["plan_version", "period", "focus_until", "verification_year", "items"],
        "properties": {
            "plan_version": { "const": PLAN_VERSION, "description": "計画ファイルの版 (format version)" },
            "title": text("計画の名前 (title)"),
            "illustrative": { "type": "boolean", "description": "例示の計画であること (an example plan)" },
            "period": {
                "type": "object",
                "additionalProperties": false,
                "required": ["from", "to"],
                "properties": {
                    "from": year("計画期間の最初の年度 (first fiscal year)"),
                    "to": year("計画期間の最後の年度 (last fiscal year)")
                }
            },
            "focus_until": year("重点取組み期間の最後の年度 (last focus year)"),
            "verification_year": year("効果検証の年度 (the year of the effect verification)"),
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["operation", "method", "schedule"],
                    "properties": {
                        "operation": text("カタログの業務ID (an operation id of the catalog)"),
                        "method": { "enum": methods, "description": "選んだ手法 (the chosen method)" },
                        "bundle": text("束ねのID (itaku bundle の id; a bundle id)"),
                        "note": text("備考 (note)"),
                        "schedule": {
                            "type": "object",
                            "additionalProperties": false,
                            "minProperties": 1,
                            "properties": schedule,
                            "description": format!("段階ごとの年度 ({})", stages.join(" → "))
                        },
                        "actuals": { "type": "array", "items": actual }
                    }
                }
            }
        }
    })
}
