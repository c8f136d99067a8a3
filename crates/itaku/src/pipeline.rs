//! "Assess this path": the one pipeline from a catalog path to assessments, called by the command line
//! (`itaku assess`) and by the web application (`itaku serve`, at start and after a draft is accepted).
//! It decides between the whole-catalog path and the JSON Lines stream, applies the rule set's
//! vocabulary, narrows to the operations asked for, and says what the outcome means for the exit status;
//! callers only show what it reports.

use std::path::Path;

use crate::assess::{assess_catalog_with, Report};
use crate::catalog::{load_path_for, Catalog, LoadedCatalog};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::rules::{CompiledRules, RuleErrorGroups};

/// What the caller learns while the pipeline runs (all methods optional).
pub trait Events: Sync {
    /// The catalog is read: its problems, before any operation is assessed (so that they show first).
    fn loaded(&mut self, _diagnostics: &Diagnostics) {}
    /// How many operations are about to be assessed.
    fn assessing(&mut self, _operations: usize) {}
    /// One operation is assessed (called from worker threads).
    fn assessed_one(&self) {}
}

/// Events nobody listens to.
pub struct Quiet;

impl Events for Quiet {}

/// What to assess of the catalog.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these operation ids (all when empty). An id the catalog lacks is a usage error.
    pub only: Vec<String>,
}

/// How an outcome maps to the exit statuses of the product contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing needs attention (0).
    Clean,
    /// Findings: catalog errors, operations skipped, rule errors (1).
    Findings,
    /// The input could not be used at all: unreadable, or an unknown `--only` id (2).
    Unusable,
}

/// A catalog path assessed.
pub struct Assessed {
    /// The catalog as read (narrowed to `only`), with its problems and the entries left out.
    pub loaded: LoadedCatalog,
    /// The assessments, or `None` when nothing could be assessed (no valid operation, unknown ids).
    pub report: Option<Report>,
    /// Each `only` id the catalog lacks, with the nearest ids it has.
    pub unknown_ids: Vec<Diagnostic>,
    /// Each failing rule once, however many operations it failed on.
    pub rule_failures: Diagnostics,
}

impl Assessed {
    /// The status this outcome calls for.
    pub fn status(&self) -> Status {
        if !self.unknown_ids.is_empty() {
            return Status::Unusable;
        }
        match &self.report {
            None => status_of(&self.loaded.diagnostics).max(Status::Findings),
            Some(report) => {
                if self.loaded.diagnostics.has_errors()
                    || report.rule_errors() > 0
                    || self.loaded.skipped > 0
                {
                    Status::Findings
                } else {
                    Status::Clean
                }
            }
        }
    }
}

/// Unreadable input is unusable; anything else found in the input is a finding. Warnings never decide.
pub fn status_of(d: &Diagnostics) -> Status {
    if d.iter()
        .filter(|d| d.severity == Severity::Error)
        .all(|d| d.code.is_unreadable())
    {
        Status::Unusable
    } else {
        Status::Findings
    }
}

/// True when the path is assessed as a stream (JSON Lines in, JSON Lines out: bounded memory, see
/// [`crate::stream`]) rather than read whole.
pub fn streams(path: &Path, jsonl_output: bool) -> bool {
    jsonl_output
        && (path.as_os_str() == "-"
            || (path.extension().is_some_and(|e| e == "jsonl") && path.is_file()))
}

/// Reads the catalog at `path` (a file or a directory) with the rule set's vocabulary, narrows it to
/// `options.only` and assesses every operation in parallel.
pub fn assess_path(
    path: &Path,
    compiled: &CompiledRules,
    options: &Options,
    events: &mut dyn Events,
) -> Assessed {
    let mut loaded = load_path_for(path, &compiled.rules);
    events.loaded(&loaded.diagnostics);
    let mut out = Assessed {
        loaded: LoadedCatalog::default(),
        report: None,
        unknown_ids: Vec::new(),
        rule_failures: Diagnostics::default(),
    };
    if loaded.catalog.is_empty() {
        out.loaded = loaded;
        return out;
    }
    if !options.only.is_empty() {
        out.unknown_ids = options
            .only
            .iter()
            .filter(|id| loaded.catalog.find(id).is_none())
            .map(|id| unknown_id(&loaded.catalog, id))
            .collect();
        if !out.unknown_ids.is_empty() {
            out.loaded = loaded;
            return out;
        }
        let ids: Vec<&str> = options.only.iter().map(String::as_str).collect();
        loaded.catalog.retain_ids(&ids);
    }
    events.assessing(loaded.catalog.len());
    let events: &dyn Events = events;
    let report = assess_catalog_with(&loaded.catalog, compiled, || events.assessed_one());
    let mut failures = RuleErrorGroups::default();
    for a in &report.assessments {
        failures.add(a.operation.id.as_str(), &a.errors);
    }
    out.rule_failures = failures.diagnostics(&compiled.rules);
    out.report = Some(report);
    out.loaded = loaded;
    out
}

/// An id the catalog lacks, with the three nearest it has.
pub fn unknown_id(catalog: &Catalog, id: &str) -> Diagnostic {
    let near = catalog.nearest_ids(id, 3);
    Diagnostic::error(
        Code::UsageUnknownOperation,
        format!("業務ID `{id}` はカタログにありません"),
        format!("no operation `{id}` in the catalog"),
    )
    .help(
        format!("近いID: {}", near.join(", ")),
        format!("nearest ids: {}", near.join(", ")),
    )
}
