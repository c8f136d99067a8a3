//! itaku (委託) — outsourcing-suitability assessment for municipal operations.
//!
//! Data flows files → [`catalog::Catalog`] + [`rules::RuleSet`] → [`assess::Report`] → [`render`].
//! Nothing in this crate knows about the command line, the terminal or HTTP: the `itaku` binary
//! (package `itaku-cli` at the top of the workspace: `src/cli/`, `src/text/`, `src/web/`) is a thin layer on top.

// Diagnostics are large (bilingual texts and a location) but live on the error path only.
#![allow(clippy::result_large_err)]

pub mod assess;
pub mod bundle;
pub mod catalog;
pub mod check;
pub mod coverage;
pub mod diag;
pub mod diff;
pub mod drafts;
pub mod explain;
pub mod fsutil;
pub mod heap;
pub mod lang;
pub mod method;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod questionnaire;
pub mod render;
pub mod rules;
pub mod stream;
pub mod suggest;
pub mod testcases;
pub mod users;
pub mod whatif;
pub(crate) mod yaml;

pub use assess::{assess_catalog, Assessment, Report};
pub use catalog::{Catalog, Operation};
pub use diag::{Diagnostic, Diagnostics};
pub use lang::Lang;
pub use rules::{CompiledRules, RuleSet};
