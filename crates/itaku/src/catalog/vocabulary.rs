//! The rule set's hazards vocabulary applied to a catalog: an operation with a hazard word the rules do
//! not know is invalid like any other bad entry (reported, located, left out). The catalog builder
//! applies it for every command ([`super::CatalogBuilder::finish`]).

use super::locate::Locator;
use super::{Catalog, Field, LoadedCatalog, Operation, RejectedEntry};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::rules::RuleSet;
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
    // A person reads the Japanese message: each allowed value by its title, with the word to write.
    let known_ja = rules
        .hazard_titles()
        .iter()
        .map(|h| format!("{} (`{}`)", h.title.ja, h.id))
        .collect::<Vec<_>>()
        .join("、");
    let d = Diagnostic::error(
        Code::CatalogUnknownHazard,
        format!("業務 `{id}`: `hazards` に `{word}` は使えません。使える値: {known_ja}"),
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
