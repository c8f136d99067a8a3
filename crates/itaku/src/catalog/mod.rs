//! The catalog of municipal operations (contract 1 of PRODUCT.md): its types and its loading.
//!
//! A catalog is a YAML file, a JSON Lines file, or a directory of such files read in sorted order.
//! Loading never stops at the first problem: every problem of every file is reported, located, and the
//! operations that are valid are kept so that one broken entry does not hide the others.

use std::sync::Arc;

use crate::diag::Diagnostics;

mod builder;
pub mod describe;
mod fields;
pub mod format;
mod jsonl;
mod load;
pub mod locate;
pub mod questions;
pub mod schema;
pub mod sheet;
pub mod titles;
mod validate;
pub mod vocabulary;
pub mod writer;
mod yaml_split;

pub use builder::{CatalogBuilder, IdIndex};
pub use jsonl::operation_fast as jsonl_operation_fast;
pub(crate) use load::line_too_long;
pub use load::{operation_from_jsonl_line, operation_from_jsonl_line_exact};
pub(crate) use validate::duplicate_id;

pub use fields::{
    display_name, Bounds, CatalogEnum, ContractType, Criticality, Discretion, Equipment,
    EscalationProcedure, Expertise, Field, FieldKind, FieldRef, FieldSlot, FocusArea, Manuals,
    MyNumberKind, Operation, OperationId, PersonalData, PublicAuthority, SystemAccess,
    WorkLocation,
};
pub use load::{
    load_path, load_path_for, operation_from_json, parse_jsonl_line, parse_jsonl_str, parse_str,
    parse_str_for, parse_str_split, MAX_JSONL_BYTES, MAX_LINE_BYTES, MAX_YAML_BYTES,
};
pub use sheet::{Cell, SheetTable};

/// The result of loading: the valid operations, and every problem found (possibly none).
#[derive(Debug, Default)]
pub struct LoadedCatalog {
    pub catalog: Catalog,
    pub diagnostics: Diagnostics,
    /// Operation entries left out because they are invalid (a bad field, a duplicate id, a broken JSON
    /// line). Entries of a file that cannot be parsed at all are not counted: there is no entry to count.
    pub skipped: usize,
    /// The hazard words of entries left out for other problems, so that an unknown hazard is reported
    /// with the entry's other problems rather than only after they are fixed (`check::check_rejected`).
    pub rejected: Vec<RejectedEntry>,
    /// The format version of each YAML file read (JSON Lines files carry none).
    pub formats: Vec<format::FileFormat>,
}

/// What is kept of an invalid entry: where it is, its id as written and its hazard words.
#[derive(Debug, Clone)]
pub struct RejectedEntry {
    pub origin: Origin,
    pub id: String,
    pub hazards: Vec<String>,
}

/// Where an operation was written: file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

/// A validated catalog: operations in catalog order, ids unique.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub operations: Vec<Arc<Operation>>,
    /// Where each operation was written (same order as `operations`).
    pub origins: Vec<Origin>,
}

impl Catalog {
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Finds an operation by id.
    pub fn find(&self, id: &str) -> Option<&Arc<Operation>> {
        self.operations.iter().find(|op| op.id.as_str() == id)
    }

    /// The `n` ids nearest to `id` (edit distance, then id order), for a "did you mean".
    pub fn nearest_ids(&self, id: &str, n: usize) -> Vec<String> {
        let mut near: Vec<(usize, &str)> = self
            .operations
            .iter()
            .map(|o| (strsim::levenshtein(id, o.id.as_str()), o.id.as_str()))
            .collect();
        near.sort();
        near.iter().take(n).map(|(_, s)| s.to_string()).collect()
    }

    /// Keeps only the operations whose id is in `ids`, in catalog order (`assess --only`).
    pub fn retain_ids(&mut self, ids: &[&str]) {
        let keep: Vec<bool> = self
            .operations
            .iter()
            .map(|op| ids.contains(&op.id.as_str()))
            .collect();
        let mut flags = keep.iter();
        self.operations.retain(|_| *flags.next().unwrap_or(&false));
        let mut flags = keep.iter();
        self.origins.retain(|_| *flags.next().unwrap_or(&false));
    }
}

/// Every enum value of every catalog field (used to share strings with the rule runtime).
pub fn all_enum_values() -> Vec<&'static str> {
    [
        FocusArea::VALUES,
        PublicAuthority::VALUES,
        Discretion::VALUES,
        Manuals::VALUES,
        Expertise::VALUES,
        Criticality::VALUES,
        WorkLocation::VALUES,
        Equipment::VALUES,
        EscalationProcedure::VALUES,
        ContractType::VALUES,
        PersonalData::VALUES,
        MyNumberKind::VALUES,
        SystemAccess::VALUES,
    ]
    .concat()
}
