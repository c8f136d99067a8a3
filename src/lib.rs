//! The `itaku` command line and web application over the core library (`itaku`): argument parsing,
//! terminal text, exit codes (`cli/`), the self-assessment server (`web/`). Nothing here assesses; it
//! calls the core.

// Diagnostics are large (bilingual texts and a location) but live on the error path only.
#![allow(clippy::result_large_err)]

mod cli;
pub mod text;
mod web;

pub use cli::run;
