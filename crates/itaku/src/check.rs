//! Catalog checks that need the rule set: the closed `hazards` vocabulary, decisive facts left out, and
//! facts that contradict each other (found by the rule set's `consistency` rules).
//!
//! Loading a catalog (`catalog::load_path`) knows nothing of rules; these checks run once both are
//! loaded. They re-read an operation's file only to locate a problem, so the happy path costs nothing.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::assess::Assessment;
use crate::catalog::{Catalog, Field, FieldRef, LoadedCatalog, Operation, Origin, RejectedEntry};
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::Lang;
use crate::rules::template::reason_text;
use crate::rules::{CompiledRules, RuleSet};
use crate::suggest::did_you_mean;

/// Hazards of `op` that the rule set's vocabulary does not know, each with a suggestion.
pub fn unknown_hazards(rules: &RuleSet, op: &Operation) -> Vec<(String, Option<String>)> {
    unknown_words(rules, op.hazards.as_deref().unwrap_or_default())
}

fn unknown_words(rules: &RuleSet, hazards: &[String]) -> Vec<(String, Option<String>)> {
    let Some(known) = rules.hazard_vocabulary() else {
        return Vec::new();
    };
    hazards
        .iter()
        .filter(|h| !known.contains(&h.as_str()))
        .map(|h| {
            let hint = did_you_mean(h, known.iter().copied()).map(str::to_string);
            (h.clone(), hint)
        })
        .collect()
}

/// Checks every operation's hazards against the rule set's vocabulary. Operations with an unknown
/// hazard are removed from the catalog (like any invalid entry) and reported, located.
pub fn check_vocabulary(catalog: &mut Catalog, rules: &RuleSet) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let mut locator = Locator::default();
    let mut keep = Vec::with_capacity(catalog.len());
    for (op, origin) in catalog.operations.iter().zip(&catalog.origins) {
        let unknown = unknown_hazards(rules, op);
        keep.push(unknown.is_empty());
        for (word, hint) in unknown {
            let d = hazard_problem(rules, op.id.as_str(), &word, hint);
            problems.push(locator.locate(d, origin, Field::hazards, Some(&word)));
        }
    }
    if keep.iter().any(|k| !k) {
        let mut flags = keep.iter();
        let mut flags2 = keep.iter();
        catalog
            .operations
            .retain(|_| *flags.next().unwrap_or(&true));
        catalog.origins.retain(|_| *flags2.next().unwrap_or(&true));
    }
    problems
}

/// [`check_vocabulary`] over a loaded catalog, and [`check_rejected`] over the entries it left out.
pub fn check_loaded(loaded: &mut LoadedCatalog, rules: &RuleSet) -> Diagnostics {
    let mut problems = check_vocabulary(&mut loaded.catalog, rules);
    problems.extend(check_rejected(&loaded.rejected, rules));
    problems
}

/// Checks the hazard words of entries the loader left out for other problems, so that all of an
/// entry's problems are reported at once.
pub fn check_rejected(rejected: &[RejectedEntry], rules: &RuleSet) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let mut locator = Locator::default();
    for entry in rejected {
        let id = if entry.id.is_empty() { "?" } else { &entry.id };
        for (word, hint) in unknown_words(rules, &entry.hazards) {
            let d = hazard_problem(rules, id, &word, hint);
            problems.push(locator.locate(d, &entry.origin, Field::hazards, Some(&word)));
        }
    }
    problems
}

/// The problem of an unknown hazard word (not yet located).
pub fn hazard_problem(rules: &RuleSet, id: &str, word: &str, hint: Option<String>) -> Diagnostic {
    let known = rules.hazard_vocabulary().unwrap_or_default().join(", ");
    let d = Diagnostic::error(
        Code::CatalogUnknownHazard,
        format!("業務 `{id}`: `hazards` に `{word}` は使えません。使える値: {known}"),
        format!("operation `{id}`: `{word}` is not a known hazard; allowed values: {known}"),
    );
    match hint {
        Some(s) => d.help(
            format!("`{s}` の誤りではありませんか?"),
            format!("did you mean `{s}`?"),
        ),
        None => d.help(
            "新しい危険の種類はルールセットの manifest.yaml の hazards に追加します (カタログでは追加できません)",
            "new kinds of hazard are added to `hazards` in the rule set's manifest.yaml, not in a catalog",
        ),
    }
}

/// Warnings for `itaku check`: decisive facts left out, and contradictions found by the consistency
/// rules, each located at the fields involved.
pub fn check_facts(
    catalog: &Catalog,
    rules: &CompiledRules,
    assessments: &[Assessment],
    lang: Lang,
) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let mut locator = Locator::default();
    for ((op, origin), a) in catalog
        .operations
        .iter()
        .zip(&catalog.origins)
        .zip(assessments)
    {
        let absent: Vec<&str> = rules
            .rules
            .decisive_facts
            .iter()
            .filter(|f| matches!(op.get(**f), FieldRef::Missing))
            .map(|f| f.name())
            .collect();
        if !absent.is_empty() {
            let list = absent.join(", ");
            // Only a result that is `study` is study: an exclusion on other facts still stands.
            let (then_ja, then_en) = if a.recommendation == crate::model::Recommendation::Study {
                (
                    "判定は要検討になります".to_string(),
                    "the result will be study".to_string(),
                )
            } else {
                let level = a.recommendation.as_str();
                (
                    format!("判定は {level} ですが、この事実を確認してください"),
                    format!("the result is {level}; check these facts"),
                )
            };
            let mut d = Diagnostic::error(
                Code::CatalogDecisiveFactMissing,
                format!("業務 `{}`: 判定に欠かせない事実が書かれていません: {list} ({then_ja})", op.id),
                format!(
                    "operation `{}`: facts the recommendation cannot do without are absent: {list} ({then_en})",
                    op.id
                ),
            )
            .help(
                "わかる範囲で記入してください。不明な事実は判定結果の missing に挙がります",
                "fill them in where known; unknown facts are listed in the result's `missing`",
            );
            d.severity = crate::diag::Severity::Warning;
            problems.push(locator.locate(d, origin, Field::id, None));
        }
        for (_, fields, reason) in &a.contradictions {
            let text = reason_text(&rules.rules, reason, lang);
            let mut d = Diagnostic::error(
                Code::CatalogContradiction,
                format!("業務 `{}`: 事実が矛盾しています: {text}", op.id),
                format!("operation `{}`: facts contradict each other: {text}", op.id),
            );
            d.severity = crate::diag::Severity::Warning;
            let places: Vec<String> = fields
                .iter()
                .skip(1)
                .filter_map(|f| {
                    locator
                        .field(origin, *f, None)
                        .map(|l| format!("`{}` {}:{}:{}", f.name(), l.file.path, l.line, l.column))
                })
                .collect();
            let also = if places.is_empty() {
                String::new()
            } else {
                places.join("; ")
            };
            d = d.help(
                format!("どちらかの事実を直してください (判定は解消されるまで要検討)。関係する箇所: {also}"),
                format!("correct one of the facts (the result is study until then); also see: {also}"),
            );
            let first = fields.first().copied().unwrap_or(Field::id);
            problems.push(locator.locate(d, origin, first, None));
        }
    }
    problems
}

/// Finds where a field of an operation was written, by re-reading its file. Text-based on purpose: it
/// runs only to place a message, and falls back to the operation's first line.
#[derive(Default)]
pub struct Locator {
    files: HashMap<String, Option<LinedFile>>,
}

/// A file read by the [`Locator`] and the byte range of each of its lines.
type LinedFile = (Arc<SourceFile>, Arc<[Range<usize>]>);

impl Locator {
    /// The file and the byte range of each of its lines (as `str::lines` cuts them), read once: a
    /// message on an operation of a large file must not re-read or re-cut the whole file.
    fn file(&mut self, path: &str) -> Option<LinedFile> {
        self.files
            .entry(path.to_string())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(path).ok()?;
                let base = text.as_ptr() as usize;
                let lines = text
                    .lines()
                    .map(|l| {
                        let start = l.as_ptr() as usize - base;
                        start..start + l.len()
                    })
                    .collect();
                Some((Arc::new(SourceFile::new(path, text)), lines))
            })
            .clone()
    }

    /// Attaches the field's location (or the operation's, or its file's) to a diagnostic.
    pub fn locate(
        &mut self,
        d: Diagnostic,
        origin: &Origin,
        field: Field,
        word: Option<&str>,
    ) -> Diagnostic {
        match self.field(origin, field, word) {
            Some(l) => d.at(l),
            None => d.in_file(format!("{}:{}", origin.file, origin.line)),
        }
    }

    /// The location of `field` (or of `word` inside its value) in the operation written at `origin`.
    pub fn field(&mut self, origin: &Origin, field: Field, word: Option<&str>) -> Option<Location> {
        let (file, ranges) = self.file(&origin.file)?;
        let jsonl = origin.file.ends_with(".jsonl");
        let text = file.text.as_str();
        let line_at = |i: usize| {
            ranges
                .get(i)
                .and_then(|r| text.get(r.clone()))
                .unwrap_or("")
        };
        let count = ranges.len();
        let start = origin.line.checked_sub(1)?;
        let end = if jsonl {
            start + 1
        } else {
            // The operation ends where the next list item of the same indentation starts.
            if start >= count {
                return None;
            }
            let indent = line_at(start).find('-').unwrap_or(0);
            (start + 1..count)
                .find(|&i| {
                    let l = line_at(i);
                    l.len() > indent
                        && l[..indent].trim().is_empty()
                        && l[indent..].starts_with("- ")
                })
                .unwrap_or(count)
        };
        let key_yaml = format!("{}:", field.name());
        let key_json = format!("\"{}\"", field.name());
        for i in start..end.min(count) {
            let line = line_at(i);
            let at = if jsonl {
                line.find(&key_json)
            } else {
                let t = line.trim_start().trim_start_matches("- ");
                t.starts_with(&key_yaml).then(|| line.len() - t.len())
            };
            let Some(at) = at else { continue };
            if let Some(word) = word {
                // The word on this line after the key, or on the list lines that follow it.
                for (j, l) in (i..end.min(count)).map(|j| (j, line_at(j))) {
                    let from = if j == i { at } else { 0 };
                    if let Some(w) = l[from..].find(word) {
                        let col = l[..from + w].chars().count() + 1;
                        return Some(Location::new(&file, j + 1, col, word.chars().count()));
                    }
                }
            }
            let col = line[..at].chars().count() + 1;
            return Some(Location::new(&file, i + 1, col, field.name().len()));
        }
        None
    }
}
