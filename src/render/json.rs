//! `--format json` and `--format jsonl`, with the item texts escaped once per run.
//!
//! The checklist of an operation repeats long bilingual item texts (about 13 KB an operation); escaping
//! them again for every operation was most of the rendering time. [`JsonItems`] holds each item's id and
//! texts in one language as finished JSON strings (atoms such as `"…"`, escaped by serde_json itself),
//! and the JSON-only wrappers below insert them as raw values. An atom has no whitespace of its own, so
//! the output is byte-identical to serialising the [`Document`] / [`AssessmentDoc`] view model, pretty or
//! compact (tested in `tests/json_render.rs`). YAML and the other formats keep reading the view model.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::document::{
    assessment_parts, clause_indices, document_parts, AssessmentDoc, ContradictionDoc,
    CriterionDoc, Document, ErrorDoc, ExclusionDoc, RulesMeta, Summary,
};
use crate::assess::{Assessment, Report};
use crate::lang::Lang;
use crate::rules::{ItemSpec, RuleSet, Safeguard};

/// Every item of a rule set in one language, as JSON atoms: built once per (rule set, language).
pub struct JsonItems {
    lang: Lang,
    items: Vec<ItemAtoms>,
}

struct ItemAtoms {
    id: Option<Box<RawValue>>,
    item: Option<Box<RawValue>>,
    mitigation: Option<Box<RawValue>>,
    basis: Option<Box<RawValue>>,
}

impl JsonItems {
    /// Escapes the id and the texts in `lang` of every item of `rules`.
    pub fn new(rules: &RuleSet, lang: Lang) -> Self {
        let atom = |s: &str| serde_json::value::to_raw_value(s).ok();
        JsonItems {
            lang,
            items: rules
                .items
                .iter()
                .map(|it| ItemAtoms {
                    id: atom(&it.id),
                    item: atom(it.item.get(lang)),
                    mitigation: atom(it.mitigation.get(lang)),
                    basis: atom(it.basis.get(lang)),
                })
                .collect(),
        }
    }

    /// The language the texts are in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The atoms of item `idx` of `rules`. An item this table does not know (another rule set) is
    /// written from its text, escaped as it is serialised, so the output stays right either way.
    fn atoms<'a>(&'a self, rules: &'a RuleSet, idx: u32) -> Option<ItemView<'a>> {
        let spec = rules.items.get(idx as usize)?;
        let atoms = self
            .items
            .get(idx as usize)
            .filter(|_| self.items.len() == rules.items.len());
        let pick = |raw: Option<&'a Option<Box<RawValue>>>, text: &'a str| match raw {
            Some(Some(raw)) => Atom::Raw(raw),
            _ => Atom::Text(text),
        };
        Some(ItemView {
            spec,
            id: pick(atoms.map(|a| &a.id), &spec.id),
            item: pick(atoms.map(|a| &a.item), spec.item.get(self.lang)),
            mitigation: pick(atoms.map(|a| &a.mitigation), spec.mitigation.get(self.lang)),
            basis: pick(atoms.map(|a| &a.basis), spec.basis.get(self.lang)),
        })
    }
}

struct ItemView<'a> {
    spec: &'a ItemSpec,
    id: Atom<'a>,
    item: Atom<'a>,
    mitigation: Atom<'a>,
    basis: Atom<'a>,
}

/// A JSON string, either escaped already or to be escaped as it is written.
#[derive(Clone, Copy)]
enum Atom<'a> {
    Raw(&'a RawValue),
    Text(&'a str),
}

impl Serialize for Atom<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Atom::Raw(raw) => raw.serialize(s),
            Atom::Text(text) => text.serialize(s),
        }
    }
}

/// [`Document`] for JSON: the same fields in the same order.
#[derive(Serialize)]
struct JsonDocument<'a> {
    tool: &'static str,
    version: &'static str,
    rules: RulesMeta,
    as_of: String,
    assessments: Vec<JsonAssessment<'a>>,
    standard_clauses: Vec<JsonClause<'a>>,
    summary: Summary,
}

/// [`super::document::ClauseDoc`] for JSON.
#[derive(Serialize)]
struct JsonClause<'a> {
    id: Atom<'a>,
    safeguard: Safeguard,
    item: Atom<'a>,
    mitigation: Atom<'a>,
    basis: Atom<'a>,
}

/// [`AssessmentDoc`] for JSON: the same fields in the same order.
#[derive(Serialize)]
struct JsonAssessment<'a> {
    id: &'a str,
    name: &'a str,
    department: &'a str,
    recommendation: &'static str,
    excluded: bool,
    exclusions: Vec<ExclusionDoc<'a>>,
    contradictions: Vec<ContradictionDoc<'a>>,
    criteria: Vec<CriterionDoc>,
    checklist: Vec<JsonChecklist<'a>>,
    top_risk: Option<JsonTopRisk<'a>>,
    standard_clauses: Vec<&'a str>,
    missing: Vec<&'static str>,
    decisive_missing: Vec<&'static str>,
    freed_fte: f64,
    proposal_call: bool,
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ErrorDoc<'a>>,
}

/// [`super::document::ChecklistDoc`] for JSON.
#[derive(Serialize)]
struct JsonChecklist<'a> {
    id: Atom<'a>,
    safeguard: Safeguard,
    severity: &'static str,
    item: Atom<'a>,
    mitigation: Atom<'a>,
    rule: &'a str,
    basis: Atom<'a>,
}

/// [`super::document::TopRiskDoc`] for JSON.
#[derive(Serialize)]
struct JsonTopRisk<'a> {
    id: Atom<'a>,
    safeguard: Safeguard,
    item: Atom<'a>,
}

fn json_assessment<'a>(
    a: &'a Assessment,
    rules: &'a RuleSet,
    items: &'a JsonItems,
) -> JsonAssessment<'a> {
    // Every field is named, so a field added to the view model fails to compile here until the JSON
    // wrapper has it too.
    let AssessmentDoc {
        id,
        name,
        department,
        recommendation,
        excluded,
        exclusions,
        contradictions,
        criteria,
        checklist: _,
        top_risk: _,
        standard_clauses,
        missing,
        decisive_missing,
        freed_fte,
        proposal_call,
        notes,
        errors,
    } = assessment_parts(a, rules, items.lang, false);
    let checklist = a
        .checklist
        .iter()
        .filter_map(|h| {
            let v = items.atoms(rules, h.item)?;
            Some(JsonChecklist {
                id: v.id,
                safeguard: v.spec.safeguard,
                severity: h.severity.as_str(),
                item: v.item,
                mitigation: v.mitigation,
                rule: rules
                    .manifest
                    .rules
                    .get(usize::from(h.rule))
                    .map_or("", |r| r.id.as_str()),
                basis: v.basis,
            })
        })
        .collect();
    let top_risk = a
        .top_risk
        .and_then(|i| a.checklist.get(i))
        .and_then(|h| items.atoms(rules, h.item))
        .map(|v| JsonTopRisk {
            id: v.id,
            safeguard: v.spec.safeguard,
            item: v.item,
        });
    JsonAssessment {
        id,
        name,
        department,
        recommendation,
        excluded,
        exclusions,
        contradictions,
        criteria,
        checklist,
        top_risk,
        standard_clauses,
        missing,
        decisive_missing,
        freed_fte,
        proposal_call,
        notes,
        errors,
    }
}

/// Appends one assessment as a line of JSON Lines (with its newline) to `out`; byte-identical to
/// `serde_json::to_vec(&assessment_doc(a, rules, lang))` plus `\n`.
pub fn write_jsonl_line(
    out: &mut Vec<u8>,
    a: &Assessment,
    rules: &RuleSet,
    items: &JsonItems,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &json_assessment(a, rules, items))?;
    out.push(b'\n');
    Ok(())
}

/// Writes the whole report as the pretty JSON document (with a final newline); byte-identical to
/// `serde_json::to_writer_pretty(out, &document(report, rules, lang))` plus `\n`.
pub fn write_json_document(
    out: &mut dyn std::io::Write,
    report: &Report,
    rules: &RuleSet,
    items: &JsonItems,
) -> std::io::Result<()> {
    let Document {
        tool,
        version,
        rules: meta,
        as_of,
        assessments: _,
        standard_clauses: _,
        summary,
    } = document_parts(report, rules, items.lang, false);
    let doc = JsonDocument {
        tool,
        version,
        rules: meta,
        as_of,
        assessments: report
            .assessments
            .iter()
            .map(|a| json_assessment(a, rules, items))
            .collect(),
        standard_clauses: clause_indices(report)
            .into_iter()
            .filter_map(|i| items.atoms(rules, i))
            .map(|v| JsonClause {
                id: v.id,
                safeguard: v.spec.safeguard,
                item: v.item,
                mitigation: v.mitigation,
                basis: v.basis,
            })
            .collect(),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
