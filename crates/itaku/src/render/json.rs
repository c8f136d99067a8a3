//! `--format json` and `--format jsonl`, with the item texts escaped once per run.
//!
//! The checklist of an operation repeats long bilingual item texts (about 13 KB an operation); escaping
//! them again for every operation was most of the rendering time. [`JsonItems`] holds each item's id and
//! texts in one language as finished JSON strings (atoms such as `"…"`, escaped by serde_json itself),
//! and the JSON-only wrappers below insert them as raw values. An atom has no whitespace of its own, so
//! the output is byte-identical to serialising the [`Document`] / [`AssessmentDoc`] view model, pretty or
//! compact (tested in `tests/all/json_render.rs`). YAML and the other formats keep reading the view model.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::document::{
    assessment_parts, clause_indices, document_parts, AssessmentDoc, ContradictionDoc,
    CriterionDoc, Document, ErrorDoc, ExclusionDoc, MethodDoc, RulesMeta, Summary,
};
use crate::assess::{Assessment, Report};
use crate::lang::Lang;
use crate::rules::template::write_arg;
use crate::rules::template::{Piece as TemplatePiece, Style, Template};
use crate::rules::{Arg, ItemSpec, Reason, RuleSet, Safeguard};

/// Every item of a rule set in one language, as JSON atoms: built once per (rule set, language).
/// Also holds the finished pieces of a JSON Lines record ([`LineParts`]).
pub struct JsonItems {
    lang: Lang,
    items: Vec<ItemAtoms>,
    line: LineParts,
    /// JSON Lines in the compact form (`render/compact.rs`): checklist items, the top risk and reasons
    /// by reference to the header record.
    compact: bool,
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
            line: LineParts::new(rules, lang),
            compact: false,
        }
    }

    /// The same, for JSON Lines in the compact form (`render/compact.rs`): [`write_jsonl_line`]
    /// writes checklist items, the top risk and reasons by reference to [`compact_header`]'s record.
    ///
    /// [`compact_header`]: super::compact::compact_header
    pub fn compact(rules: &RuleSet, lang: Lang) -> Self {
        JsonItems {
            compact: true,
            ..Self::new(rules, lang)
        }
    }

    /// Whether lines are written in the compact form.
    pub fn is_compact(&self) -> bool {
        self.compact
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
    methods: Vec<MethodDoc>,
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
        methods,
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
        methods,
        errors,
    }
}

/// Appends one assessment as a line of JSON Lines (with its newline) to `out`; byte-identical to
/// `serde_json::to_vec(&assessment_doc(a, rules, lang))` plus `\n`.
///
/// The line is written straight from the assessment with the pieces of [`LineParts`] (each checklist
/// item is three copies of finished bytes, each message template's text is escaped once per run): the
/// serde path cost ~70k instructions a line, most of it escaping the same texts and keys again. When
/// `items` was built for another rule set, the line goes through serde as before.
pub fn write_jsonl_line(
    out: &mut Vec<u8>,
    a: &Assessment,
    rules: &RuleSet,
    items: &JsonItems,
) -> std::io::Result<()> {
    if !items.line.fits(rules) && !items.compact {
        serde_json::to_writer(&mut *out, &json_assessment(a, rules, items))?;
        out.push(b'\n');
        return Ok(());
    }
    items.line.write(out, a, rules, items.lang, items.compact);
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

/// The finished pieces of a compact JSON Lines record for one rule set and language.
///
/// Every key and every text that does not change between operations is escaped once, here; only the
/// operation's own strings and the message arguments are escaped per line (by [`escape_into`], which
/// escapes exactly as serde_json does: `tests/all/json_render.rs` compares whole lines with serde_json's
/// serialisation of the view model, and a unit test compares the escaping on every ASCII character).
struct LineParts {
    /// Per item: `{"id":…,"safeguard":…,"severity":`, then `,"item":…,"mitigation":…,"rule":`, then
    /// `,"basis":…}`.
    checklist: Vec<[Box<[u8]>; 3]>,
    /// Per item: the whole `top_risk` object.
    top_risk: Vec<Box<[u8]>>,
    /// Per item: its id as a JSON string (for `standard_clauses`).
    item_ids: Vec<Box<[u8]>>,
    /// Per rule: its id as a JSON string.
    rule_ids: Vec<Box<[u8]>>,
    /// Per message: its template in this language, cut at the placeholders.
    messages: Vec<Vec<Piece>>,
    /// How many items and rules the pieces were built for (see [`LineParts::fits`]).
    shape: (usize, usize, usize),
}

/// A part of a message template.
enum Piece {
    /// Literal text, escaped (without quotes).
    Text(Box<[u8]>),
    /// `{index|style}`: the argument, formatted; `raw` (escaped) stands when there is no such argument.
    Arg {
        index: usize,
        style: Style,
        raw: Box<[u8]>,
    },
}

impl LineParts {
    fn new(rules: &RuleSet, lang: Lang) -> Self {
        let json = |s: &str| -> Box<[u8]> {
            let mut v = Vec::with_capacity(s.len() + 2);
            string_into(&mut v, s);
            v.into_boxed_slice()
        };
        let safeguard = |sg: Safeguard| -> Vec<u8> { serde_json::to_vec(&sg).unwrap_or_default() };
        let mut checklist = Vec::with_capacity(rules.items.len());
        let mut top_risk = Vec::with_capacity(rules.items.len());
        for it in &rules.items {
            let mut pre = b"{\"id\":".to_vec();
            pre.extend_from_slice(&json(&it.id));
            pre.extend_from_slice(b",\"safeguard\":");
            pre.extend_from_slice(&safeguard(it.safeguard));
            let mut risk = pre.clone();
            pre.extend_from_slice(b",\"severity\":");
            let mut mid = b",\"item\":".to_vec();
            mid.extend_from_slice(&json(it.item.get(lang)));
            mid.extend_from_slice(b",\"mitigation\":");
            mid.extend_from_slice(&json(it.mitigation.get(lang)));
            mid.extend_from_slice(b",\"rule\":");
            let mut post = b",\"basis\":".to_vec();
            post.extend_from_slice(&json(it.basis.get(lang)));
            post.push(b'}');
            checklist.push([pre.into(), mid.into(), post.into()]);
            risk.extend_from_slice(b",\"item\":");
            risk.extend_from_slice(&json(it.item.get(lang)));
            risk.push(b'}');
            top_risk.push(risk.into());
        }
        LineParts {
            checklist,
            top_risk,
            item_ids: rules.items.iter().map(|it| json(&it.id)).collect(),
            rule_ids: rules.manifest.rules.iter().map(|r| json(&r.id)).collect(),
            messages: rules
                .templates
                .iter()
                .map(|t| pieces(&t[lang as usize]))
                .collect(),
            shape: (
                rules.items.len(),
                rules.manifest.rules.len(),
                rules.messages.len(),
            ),
        }
    }

    /// Whether these pieces were built for `rules` (the same numbers of items, rules and messages:
    /// a [`JsonItems`] is built from the rule set it is used with, so this only guards misuse).
    fn fits(&self, rules: &RuleSet) -> bool {
        self.shape
            == (
                rules.items.len(),
                rules.manifest.rules.len(),
                rules.messages.len(),
            )
    }

    /// Writes the record of `a`: the fields of [`AssessmentDoc`] in its order, as
    /// [`assessment_parts`] fills them.
    ///
    /// `compact`: each checklist item as `[id, severity, rule index]`, the top risk as its item id,
    /// each reason as `[message index, arguments…]` (see `render/compact.rs`).
    fn write(&self, out: &mut Vec<u8>, a: &Assessment, rules: &RuleSet, lang: Lang, compact: bool) {
        let op = &a.operation;
        let rule = |out: &mut Vec<u8>, i: u16| match self.rule_ids.get(usize::from(i)) {
            Some(id) => out.extend_from_slice(id),
            None => string_into(out, &rules.rule(i).id),
        };
        out.extend_from_slice(b"{\"id\":");
        string_into(out, op.id.as_str());
        out.extend_from_slice(b",\"name\":");
        string_into(out, op.display_name(lang));
        out.extend_from_slice(b",\"department\":");
        string_into(out, &op.department);
        out.extend_from_slice(b",\"recommendation\":");
        name_into(out, a.recommendation.as_str());
        out.extend_from_slice(b",\"excluded\":");
        bool_into(out, a.excluded);

        out.extend_from_slice(b",\"exclusions\":[");
        for (n, (r, reason)) in a.exclusions.iter().enumerate() {
            comma(out, n);
            out.extend_from_slice(b"{\"rule\":");
            rule(out, *r);
            out.extend_from_slice(b",\"reason\":");
            self.reason(out, reason, lang, compact);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"contradictions\":[");
        for (n, (r, fields, reason)) in a.contradictions.iter().enumerate() {
            comma(out, n);
            out.extend_from_slice(b"{\"rule\":");
            rule(out, *r);
            out.extend_from_slice(b",\"fields\":");
            names_into(out, fields.iter().map(|f| f.name()));
            out.extend_from_slice(b",\"finding\":");
            self.reason(out, reason, lang, compact);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"criteria\":[");
        for (n, c) in a.criteria.iter().enumerate() {
            comma(out, n);
            out.extend_from_slice(b"{\"id\":");
            name_into(out, c.criterion.as_str());
            out.extend_from_slice(b",\"points\":");
            number_into(out, c.points);
            out.extend_from_slice(b",\"max\":");
            number_into(out, crate::model::Criterion::MAX_POINTS);
            out.extend_from_slice(b",\"reasons\":[");
            for (m, r) in c.reasons.iter().enumerate() {
                comma(out, m);
                self.reason(out, r, lang, compact);
            }
            out.extend_from_slice(b"]}");
        }
        out.extend_from_slice(b"],\"checklist\":[");
        if compact {
            for (n, h) in a.checklist.iter().enumerate() {
                if self.item_ids.get(h.item as usize).is_none() {
                    continue;
                }
                comma(out, n);
                out.push(b'[');
                // The item by its index in the header's `items`.
                number_into(out, h.item);
                out.push(b',');
                name_into(out, h.severity.as_str());
                out.push(b',');
                if usize::from(h.rule) < self.rule_ids.len() {
                    number_into(out, h.rule);
                } else {
                    out.extend_from_slice(b"\"\"");
                }
                out.push(b']');
            }
        }
        for (n, h) in a.checklist.iter().enumerate().filter(|_| !compact) {
            let Some([pre, mid, post]) = self.checklist.get(h.item as usize) else {
                continue;
            };
            comma(out, n);
            out.extend_from_slice(pre);
            name_into(out, h.severity.as_str());
            out.extend_from_slice(mid);
            match self.rule_ids.get(usize::from(h.rule)) {
                Some(id) => out.extend_from_slice(id),
                None => out.extend_from_slice(b"\"\""),
            }
            out.extend_from_slice(post);
        }
        out.extend_from_slice(b"],\"top_risk\":");
        let risk = (a.top_risk.and_then(|i| a.checklist.get(i))).and_then(|h| {
            Some((
                self.top_risk.get(h.item as usize)?,
                &self.item_ids[h.item as usize],
            ))
        });
        match risk {
            Some((_, id)) if compact => out.extend_from_slice(id),
            Some((risk, _)) => out.extend_from_slice(risk),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"standard_clauses\":[");
        for (n, &i) in a.clauses.iter().enumerate() {
            comma(out, n);
            match self.item_ids.get(i as usize) {
                Some(id) => out.extend_from_slice(id),
                None => string_into(out, &rules.item(i).id),
            }
        }
        out.extend_from_slice(b"],\"missing\":");
        names_into(out, a.missing.iter().map(|f| f.name()));
        out.extend_from_slice(b",\"decisive_missing\":");
        names_into(out, a.decisive.iter().map(|f| f.name()));
        out.extend_from_slice(b",\"freed_fte\":");
        float_into(out, a.freed_fte);
        out.extend_from_slice(b",\"proposal_call\":");
        bool_into(out, a.proposal_call);
        out.extend_from_slice(b",\"notes\":[");
        let notes = a
            .cap
            .iter()
            .map(|(_, _, r)| r)
            .chain(a.notes.iter().map(|(_, r)| r));
        for (n, r) in notes.enumerate() {
            comma(out, n);
            self.reason(out, r, lang, compact);
        }
        out.extend_from_slice(b"],\"methods\":[");
        for (n, m) in a.methods.iter().enumerate() {
            comma(out, n);
            if compact {
                // `[method, fit, reasons, conditions]`: the basis is the header's.
                out.push(b'[');
                name_into(out, m.method.id());
                out.push(b',');
                number_into(out, m.fit);
                out.extend_from_slice(b",[");
                for (k, (_, r)) in m.reasons.iter().enumerate() {
                    comma(out, k);
                    self.reason(out, r, lang, true);
                }
                out.extend_from_slice(b"],[");
                for (k, (_, r)) in m.conditions.iter().enumerate() {
                    comma(out, k);
                    self.reason(out, r, lang, true);
                }
                out.extend_from_slice(b"]]");
                continue;
            }
            out.extend_from_slice(b"{\"method\":");
            name_into(out, m.method.id());
            out.extend_from_slice(b",\"fit\":");
            number_into(out, m.fit);
            out.extend_from_slice(b",\"reasons\":[");
            for (k, (_, r)) in m.reasons.iter().enumerate() {
                comma(out, k);
                self.reason(out, r, lang, compact);
            }
            out.extend_from_slice(b"],\"conditions\":[");
            for (k, (_, r)) in m.conditions.iter().enumerate() {
                comma(out, k);
                self.reason(out, r, lang, compact);
            }
            out.extend_from_slice(b"],\"basis\":");
            string_into(out, m.method.basis_in(lang));
            out.push(b'}');
        }
        out.push(b']');
        if !a.errors.is_empty() {
            out.extend_from_slice(b",\"errors\":[");
            for (n, e) in a.errors.iter().enumerate() {
                comma(out, n);
                out.extend_from_slice(b"{\"rule\":");
                rule(out, e.rule);
                out.extend_from_slice(b",\"file\":");
                string_into(out, &e.file);
                out.extend_from_slice(b",\"line\":");
                number_into(out, e.line);
                out.extend_from_slice(b",\"column\":");
                number_into(out, e.column);
                out.extend_from_slice(b",\"message\":");
                string_into(out, &e.message);
                out.push(b'}');
            }
            out.push(b']');
        }
        out.push(b'}');
    }

    /// A reason as a JSON string: [`super::reason_text`] with the template's text escaped already.
    ///
    /// `compact`: `[message index, arguments…]`, each argument a JSON string (a text), an integer
    /// (`Arg::Int`), a number with a `.` or an exponent (`Arg::Num`, as `ryu` writes it) or, for a
    /// number that is not finite, `{"num":"NaN"|"inf"|"-inf"}`.
    fn reason(&self, out: &mut Vec<u8>, reason: &Reason, lang: Lang, compact: bool) {
        let Some(pieces) = self.messages.get(reason.message as usize) else {
            return out.extend_from_slice(b"\"\"");
        };
        if compact {
            out.push(b'[');
            number_into(out, reason.message);
            for arg in &reason.args {
                out.push(b',');
                match arg {
                    Arg::Text(s) => string_into(out, s),
                    Arg::Int(i) => number_into(out, *i),
                    Arg::Num(f) if f.is_finite() => {
                        out.extend_from_slice(ryu::Buffer::new().format_finite(*f).as_bytes())
                    }
                    Arg::Num(f) if f.is_nan() => out.extend_from_slice(b"{\"num\":\"NaN\"}"),
                    Arg::Num(f) if *f > 0.0 => out.extend_from_slice(b"{\"num\":\"inf\"}"),
                    Arg::Num(_) => out.extend_from_slice(b"{\"num\":\"-inf\"}"),
                }
            }
            return out.push(b']');
        }
        out.push(b'"');
        for piece in pieces {
            match piece {
                Piece::Text(text) => out.extend_from_slice(text),
                Piece::Arg { index, style, raw } => match reason.args.get(*index) {
                    Some(arg @ Arg::Text(_)) if *style == crate::rules::template::Style::Facts => {
                        // Field names become titles, which may need escaping like any text.
                        let mut text = String::new();
                        let _ = write_arg(&mut text, arg, *style, lang);
                        escape_into(out, &text);
                    }
                    Some(Arg::Text(s)) => escape_into(out, s),
                    Some(arg) => {
                        // A number needs no escaping; writing to memory cannot fail.
                        let _ = write_arg(&mut Utf8Out(out), arg, *style, lang);
                    }
                    None => out.extend_from_slice(raw),
                },
            }
        }
        out.push(b'"');
    }
}

/// Text written into a byte buffer.
struct Utf8Out<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Utf8Out<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A parsed template with its texts escaped once for JSON.
fn pieces(template: &Template) -> Vec<Piece> {
    let escaped = |s: &str| -> Box<[u8]> {
        let mut v = Vec::with_capacity(s.len());
        escape_into(&mut v, s);
        v.into_boxed_slice()
    };
    template
        .pieces
        .iter()
        .map(|p| match p {
            TemplatePiece::Text(t) => Piece::Text(escaped(t)),
            TemplatePiece::Arg { index, style, raw } => Piece::Arg {
                index: *index,
                style: *style,
                raw: escaped(raw),
            },
        })
        .collect()
}

fn comma(out: &mut Vec<u8>, n: usize) {
    if n > 0 {
        out.push(b',');
    }
}

fn bool_into(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn number_into(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A float as serde_json writes it (`null` when not finite).
fn float_into(out: &mut Vec<u8>, f: f64) {
    if f.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn names_into<'a>(out: &mut Vec<u8>, names: impl Iterator<Item = &'a str>) {
    out.push(b'[');
    for (n, name) in names.enumerate() {
        comma(out, n);
        name_into(out, name);
    }
    out.push(b']');
}

/// A name of the program (a field, a criterion, a severity, a recommendation: letters, digits and
/// `_`), quoted: nothing in it needs escaping.
fn name_into(out: &mut Vec<u8>, name: &str) {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// A JSON string, quoted and escaped as serde_json escapes it.
pub(super) fn string_into(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    escape_into(out, s);
    out.push(b'"');
}

/// The inside of a JSON string, escaped as serde_json does: `"` and `\` with a backslash, the control
/// characters below U+0020 as `\b \t \n \f \r` or `\u00xx` (lowercase hex), everything else as is.
fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Most texts need no escape: one pass without branches (it vectorises) tells.
    let needs_escape = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    if !bytes.iter().fold(false, |any, &b| any | needs_escape(b)) {
        return out.extend_from_slice(bytes);
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The view model's fields, named one by one: a field added to [`AssessmentDoc`] fails to compile
/// here until [`LineParts::write`] writes it too.
#[allow(dead_code)]
fn every_field_is_written(doc: AssessmentDoc<'_>) {
    let AssessmentDoc {
        id: _,
        name: _,
        department: _,
        recommendation: _,
        excluded: _,
        exclusions: _,
        contradictions: _,
        criteria: _,
        checklist: _,
        top_risk: _,
        standard_clauses: _,
        missing: _,
        decisive_missing: _,
        freed_fte: _,
        proposal_call: _,
        notes: _,
        methods: _,
        errors: _,
    } = doc;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut v = Vec::new();
        string_into(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for c in (0..=0x7f_u8).map(char::from) {
            let s = format!("a{c}b{c}");
            assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap(), "{:?}", c);
        }
        for s in [
            "",
            "委託「仕様書」に\"再委託\"の禁止\\n",
            "emoji 🏛️ \u{2028}\u{2029} \u{7f}",
            "\u{0}\u{1f}\"\\",
        ] {
            assert_eq!(escaped(s), serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn names_written_unescaped_are_what_serde_json_writes() {
        use crate::catalog::Field;
        use crate::model::{Criterion, Recommendation, Severity};
        let severities = [Severity::Low, Severity::Medium, Severity::High];
        let names = (Field::ALL.iter().map(|f| f.name()))
            .chain(Criterion::ALL.iter().map(|c| c.as_str()))
            .chain(Recommendation::ALL.iter().map(|r| r.as_str()))
            .chain(severities.iter().map(|s| s.as_str()));
        for name in names {
            let mut v = Vec::new();
            name_into(&mut v, name);
            assert_eq!(v, serde_json::to_vec(name).unwrap(), "{name}");
        }
    }
}
