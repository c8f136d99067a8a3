//! The catalog format as a JSON Schema (`itaku schema`, `schema/catalog.schema.json`) and as the field
//! reference table of `docs/catalog.md`, both generated from the field list of [`super::fields`]: the
//! value types come from the Rust types (schemars), the texts from [`super::describe`].
//!
//! Editors that speak the YAML language server protocol read the schema through the modeline at the top
//! of each catalog file (`# yaml-language-server: $schema=…`): completion of field names and enum values,
//! hovers in Japanese and English, and errors for unknown fields while typing.

use std::fmt::Write;

use serde_json::{json, Map, Value};

use super::describe::{description, value_label};
use super::{Field, FieldKind};

/// Where the committed schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/catalog.schema.json";

/// The JSON Schema (2020-12) of a catalog YAML file.
pub fn catalog_schema() -> Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut properties = Map::new();
    for &field in Field::ALL {
        properties.insert(
            field.name().to_string(),
            field_schema(field, &mut generator),
        );
    }
    let required: Vec<&str> = Field::ALL
        .iter()
        .filter(|f| f.is_required())
        .map(|f| f.name())
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://itaku.invalid/schema/catalog.schema.json",
        "title": "itaku catalog / 業務カタログ",
        "description": "区の業務カタログ: `operations:` の下に業務を並べる。記載のないフィールドは「不明」(偽ではない)。\n\nA catalog of the ward's operations: a list under `operations:`. A field left out is unknown, never false.",
        "type": "object",
        "properties": {
            "format": {
                "description": "カタログ形式の版 (記載がなければ 1)。項目の意味が変わると上がる。`itaku migrate` で現在の版に書き換える\n\nthe catalog format version (1 when absent); it rises when a field's meaning changes. `itaku migrate` brings a file to the current version",
                "type": "integer",
                "minimum": 1,
                "maximum": super::format::CURRENT_FORMAT
            },
            "operations": {
                "description": "業務のリスト\n\nthe operations",
                "type": ["array", "null"],
                "items": { "$ref": "#/$defs/Operation" }
            }
        },
        "required": ["operations"],
        "additionalProperties": false,
        "$defs": {
            "Operation": {
                "description": "業務 (1件)\n\none operation",
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false
            }
        }
    })
}

/// One field: its value schema, its bounds, its description in both languages, the meaning of each
/// allowed value, and `null` (unknown) for every optional field.
fn field_schema(field: Field, generator: &mut schemars::SchemaGenerator) -> Value {
    let mut schema = field.value_schema(generator).to_value();
    let Some(object) = schema.as_object_mut() else {
        return schema;
    };
    // schemars' own words (doc comments, number formats) give way to ours.
    for key in ["description", "format", "title"] {
        object.remove(key);
    }
    let bounds = field.bounds();
    // Bounds of 1e9 and more only guard against absurd values; they are left out of the schema.
    let bounded = |o: &mut Map<String, Value>| {
        o.insert("minimum".into(), number(bounds.min));
        if bounds.max < 1e9 {
            o.insert("maximum".into(), number(bounds.max));
        }
    };
    match field.kind() {
        FieldKind::Int | FieldKind::Num => bounded(object),
        FieldKind::Load => {
            if let Some(items) = object.get_mut("items").and_then(Value::as_object_mut) {
                items.remove("format");
                bounded(items);
            }
        }
        FieldKind::Enum(values) => {
            let labels = |ja: bool| -> Vec<Value> {
                values
                    .iter()
                    .map(|v| {
                        let l = value_label(field, v);
                        Value::String(l.map_or(*v, |l| if ja { l.ja } else { l.en }).to_string())
                    })
                    .collect()
            };
            let combined: Vec<Value> = labels(true)
                .into_iter()
                .zip(labels(false))
                .map(|(ja, en)| {
                    Value::String(format!(
                        "{} / {}",
                        ja.as_str().unwrap_or(""),
                        en.as_str().unwrap_or("")
                    ))
                })
                .collect();
            object.insert("enumDescriptions".into(), Value::Array(combined));
        }
        FieldKind::Text | FieldKind::List | FieldKind::Bool => {}
    }
    let d = description(field);
    object.insert(
        "description".into(),
        Value::String(format!("{}\n\n{}", d.ja, d.en)),
    );
    if !field.is_required() {
        allow_null(object);
    }
    schema
}

/// `null` means unknown, like leaving the field out.
fn allow_null(object: &mut Map<String, Value>) {
    match object.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            object.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        values.push(Value::Null);
        if let Some(Value::Array(d)) = object.get_mut("enumDescriptions") {
            d.push(json!("不明 / unknown"));
        }
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The field reference of `docs/catalog.md`: one row per field with its type, allowed values and
/// meaning, in Japanese and English.
pub fn reference_markdown() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| field | 項目 | type / 値 | 意味 | meaning |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for &field in Field::ALL {
        let d = description(field);
        let _ = writeln!(
            s,
            "| `{}`{} | {} | {} | {} | {} |",
            field.name(),
            if field.is_required() {
                " (required)"
            } else {
                ""
            },
            super::titles::title_ja(field),
            type_text(field),
            cell(d.ja),
            cell(d.en),
        );
    }
    s
}

fn type_text(field: Field) -> String {
    let b = field.bounds();
    let range = |int: bool| {
        let f = |x: f64| {
            if int || x.fract() == 0.0 {
                format!("{}", x as i64)
            } else {
                format!("{x}")
            }
        };
        if b.max >= 1e9 {
            format!("≥ {}", f(b.min))
        } else {
            format!("{}..{}", f(b.min), f(b.max))
        }
    };
    match field.kind() {
        FieldKind::Text if field == Field::id => "text `[a-z0-9-]+`".into(),
        FieldKind::Text => "text".into(),
        FieldKind::List => "list of text".into(),
        FieldKind::Bool => "true / false".into(),
        FieldKind::Int => format!("integer {}", range(true)),
        FieldKind::Num => format!("number {}", range(false)),
        FieldKind::Load => format!("12 numbers {}", range(false)),
        FieldKind::Enum(values) => values
            .iter()
            .map(|v| match value_label(field, v) {
                Some(l) => format!("`{v}` {}", l.ja),
                None => format!("`{v}`"),
            })
            .collect::<Vec<_>>()
            .join("<br>"),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A YAML catalog file as plain JSON, read by the same parser as the loader: what an editor validates
/// against the schema. `None` when the text is not YAML.
pub fn yaml_as_json(text: &str) -> Option<Value> {
    let node = crate::yaml::parse_nodes(text).ok()?;
    Some(node.map_or(Value::Null, |n| crate::yaml::node_to_json(&n)))
}
