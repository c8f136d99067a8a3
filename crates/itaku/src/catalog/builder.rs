//! The one catalog builder: every source of operations — a whole YAML file, a YAML file split into
//! chunks parsed in parallel, JSON Lines, a directory of files — hands its entries here, so that "a
//! valid catalog" means the same whatever the source: entries validated, ids unique across the whole
//! catalog (the first keeps its id; a later one is reported and left out), invalid entries counted and
//! their hazard words kept, and, when a rule set is given, its hazards vocabulary applied
//! ([`CatalogBuilder::finish`]). The stream (`stream.rs`), which never holds a catalog, checks ids through
//! the same [`IdIndex`] contract.

use std::collections::HashMap;
use std::sync::Arc;

use super::validate::{build_operation_keeping, duplicate_id};
use super::{LoadedCatalog, Operation, Origin, RejectedEntry};
use crate::diag::SourceFile;
use crate::rules::RuleSet;
use crate::yaml::Node;

/// Where the ids seen so far are kept: the first origin of an id, or `None` when it is new (and is
/// recorded now).
pub trait IdIndex {
    fn first(&mut self, id: &str, origin: &Origin) -> Option<Origin>;
}

impl IdIndex for HashMap<String, Origin> {
    fn first(&mut self, id: &str, origin: &Origin) -> Option<Origin> {
        match self.get(id) {
            Some(first) => Some(first.clone()),
            None => {
                self.insert(id.to_string(), origin.clone());
                None
            }
        }
    }
}

/// A catalog being assembled, with everything found wrong on the way. Reads and writes of the result
/// so far go through `Deref` to the [`LoadedCatalog`].
#[derive(Debug, Default)]
pub struct CatalogBuilder {
    loaded: LoadedCatalog,
    ids: HashMap<String, Origin>,
}

impl std::ops::Deref for CatalogBuilder {
    type Target = LoadedCatalog;
    fn deref(&self) -> &LoadedCatalog {
        &self.loaded
    }
}

impl std::ops::DerefMut for CatalogBuilder {
    fn deref_mut(&mut self) -> &mut LoadedCatalog {
        &mut self.loaded
    }
}

impl CatalogBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates one operation node written in `file` and adds it, or records why it cannot be added.
    pub fn add_node(&mut self, file: &Arc<SourceFile>, node: Node) {
        let line = node.pos.line;
        let mut kept = None;
        match build_operation_keeping(file, node, &mut kept) {
            Ok(op) => self.add(file, line, Arc::new(op)),
            Err(problems) => {
                self.loaded.diagnostics.extend(problems);
                self.loaded.skipped += 1;
                if let Some((id, hazards)) = kept {
                    let origin = Origin {
                        file: file.path.clone(),
                        line,
                    };
                    self.loaded.rejected.push(RejectedEntry {
                        origin,
                        id,
                        hazards,
                    });
                }
            }
        }
    }

    /// Adds a valid operation written at `line` of `file`, unless an earlier one has its id.
    pub fn add(&mut self, file: &Arc<SourceFile>, line: usize, op: Arc<Operation>) {
        let origin = Origin {
            file: file.path.clone(),
            line,
        };
        if let Some(first) = self.ids.first(op.id.as_str(), &origin) {
            self.loaded
                .diagnostics
                .push(duplicate_id(file, line, op.id.as_str(), &first));
            self.loaded.skipped += 1;
            if let Some(hazards) = op.hazards.clone().filter(|h| !h.is_empty()) {
                self.loaded.rejected.push(RejectedEntry {
                    origin,
                    id: op.id.to_string(),
                    hazards,
                });
            }
            return;
        }
        self.loaded.catalog.operations.push(op);
        self.loaded.catalog.origins.push(origin);
    }

    /// Adds what another builder collected from one file (`file` its text), in order, checking its ids
    /// against those added so far (files of a directory are parsed in parallel, then merged here).
    pub fn merge(&mut self, one: LoadedCatalog, file: Option<&Arc<SourceFile>>) {
        self.loaded.diagnostics.extend(one.diagnostics);
        self.loaded.skipped += one.skipped;
        self.loaded.rejected.extend(one.rejected);
        for (op, origin) in one.catalog.operations.into_iter().zip(one.catalog.origins) {
            match file {
                Some(file) => self.add(file, origin.line, op),
                // Without its text a file had no operation to add.
                None => self.loaded.skipped += 1,
            }
        }
    }

    /// The catalog. With a rule set, its hazards vocabulary is applied: an operation with a hazard word
    /// the rules do not know is reported and left out (counted in `skipped`), and the hazard words of the
    /// entries left out for other problems are checked too.
    pub fn finish(self, rules: Option<&RuleSet>) -> LoadedCatalog {
        let mut loaded = self.loaded;
        for warning in old_format_warnings(&loaded) {
            loaded.diagnostics.push(warning);
        }
        if let Some(rules) = rules {
            let before = loaded.catalog.len();
            let problems = super::vocabulary::check_loaded(&mut loaded, rules);
            loaded.diagnostics.extend(problems);
            loaded.skipped += before - loaded.catalog.len();
        }
        loaded
    }
}

/// One warning per file of an older format whose entries use a field whose meaning changed since.
fn old_format_warnings(loaded: &LoadedCatalog) -> Vec<crate::diag::Diagnostic> {
    use super::format::{judgement_calls, old_format_warning, CURRENT_FORMAT};
    let mut out = Vec::new();
    for format in loaded.formats.iter().filter(|f| f.version < CURRENT_FORMAT) {
        let (mut entries, mut calls) = (0, 0);
        for (op, origin) in loaded
            .catalog
            .operations
            .iter()
            .zip(&loaded.catalog.origins)
        {
            if origin.file == format.file.path {
                let n = judgement_calls(op, format.version).len();
                if n > 0 {
                    entries += 1;
                    calls += n;
                }
            }
        }
        if entries > 0 {
            out.push(old_format_warning(format, entries, calls));
        }
    }
    out
}
