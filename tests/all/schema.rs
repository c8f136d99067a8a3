//! The catalog's JSON Schema and its generated field reference: committed copies match what the code
//! generates, the bundled catalog validates against the schema, and the schema rejects what the loader
//! rejects (a misspelled field, a value outside the list or range).

use std::path::Path;

use itaku::catalog::schema::{catalog_schema, reference_markdown, yaml_as_json, SCHEMA_PATH};
use serde_json::json;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&catalog_schema()).expect("the schema is a valid JSON Schema")
}

fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_the_code_generates() {
    let committed = std::fs::read_to_string(Path::new(ROOT).join(SCHEMA_PATH)).expect("committed");
    let generated = serde_json::to_string_pretty(&catalog_schema()).unwrap() + "\n";
    assert!(
        committed == generated,
        "{SCHEMA_PATH} is out of date: run `cargo run -- schema --output {SCHEMA_PATH}`"
    );
}

#[test]
fn the_field_reference_in_docs_catalog_md_is_generated() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/catalog.md")).unwrap();
    let begin = "<!-- BEGIN fields (generated: itaku schema --format md) -->\n";
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let end = doc.find("<!-- END fields -->").expect("end marker");
    assert!(
        doc[start..end] == reference_markdown(),
        "docs/catalog.md's field table is out of date: replace it with `cargo run -- schema --format md`"
    );
    // Every field is in the table.
    for name in itaku::catalog::Field::NAMES {
        assert!(doc[start..end].contains(&format!("| `{name}`")), "{name}");
    }
}

#[test]
fn every_bundled_catalog_file_validates_and_names_the_schema() {
    let v = validator();
    let mut files = 0;
    for entry in std::fs::read_dir(Path::new(ROOT).join("catalog")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/catalog.schema.json\n"),
            "{} lacks the modeline",
            path.display()
        );
        let doc = yaml_as_json(&text).expect("YAML");
        let problems = errors(&v, &doc);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        files += 1;
    }
    assert!(files >= 10, "{files} catalog files");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let v = validator();
    let op = |extra: serde_json::Value| {
        let mut o = json!({"id": "a", "name": "n", "department": "d"});
        o.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "operations": [o] })
    };
    // Accepted, as the loader accepts them: unknown (null) values, bounds, a known-empty list.
    for ok in [
        json!({}),
        json!({"difficulty": null, "manuals": null}),
        json!({"routine_share": 1, "difficulty": 5, "decision_steps": []}),
        json!({"monthly_load": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2.5]}),
    ] {
        let doc = op(ok.clone());
        assert!(errors(&v, &doc).is_empty(), "{ok}: {:?}", errors(&v, &doc));
        let text = serde_json::to_string(&doc).unwrap();
        let loaded = itaku::catalog::parse_str("t.yaml", &text);
        assert!(!loaded.diagnostics.has_errors(), "the loader agrees: {ok}");
    }
    // Rejected by both.
    for bad in [
        json!({"routin_share": 0.5}),
        json!({"manuals": "full"}),
        json!({"difficulty": 6}),
        json!({"difficulty": 2.5}),
        json!({"routine_share": 1.5}),
        json!({"monthly_load": [1, 2, 3]}),
        json!({"citizen_facing": "yes"}),
    ] {
        let doc = op(bad.clone());
        assert!(!errors(&v, &doc).is_empty(), "the schema accepts {bad}");
        let text = serde_json::to_string(&doc).unwrap();
        let loaded = itaku::catalog::parse_str("t.yaml", &text);
        assert!(loaded.diagnostics.has_errors(), "the loader accepts {bad}");
    }
    assert!(!errors(&v, &json!({"operations": [{"id": "a", "name": "n"}]})).is_empty());
    assert!(!errors(&v, &json!({"operation": []})).is_empty());
    assert!(!errors(&v, &op(json!({"id": "Bad_Id"}))).is_empty());
}

#[test]
fn descriptions_and_value_meanings_are_bilingual() {
    let schema = catalog_schema();
    let p = &schema["$defs"]["Operation"]["properties"];
    let d = p["decision_steps"]["description"].as_str().unwrap();
    assert!(
        d.contains("案件ごとの決定") && d.contains("case decisions"),
        "{d}"
    );
    let labels = p["personal_data"]["enumDescriptions"].as_array().unwrap();
    assert_eq!(
        labels.len(),
        p["personal_data"]["enum"].as_array().unwrap().len()
    );
    assert!(labels
        .iter()
        .any(|l| l.as_str().unwrap().contains("マイナンバー")));
    assert_eq!(p["difficulty"]["minimum"], 1);
    assert_eq!(p["difficulty"]["maximum"], 5);
}
