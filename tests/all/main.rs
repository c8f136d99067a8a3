//! The integration tests, one test binary: each module was its own binary before (issue 25), so a
//! change relinks one executable instead of 22. `rule_files` stays apart (its own `main`, libtest-mimic)
//! and `cmd` runs the command-line cases written as data in `tests/cmd/`.

#![recursion_limit = "256"]

// As in the binary: the per-thread heap count lets the sandbox bound the memory a rule adds
// (reliability's heap budget tests need it; for every other test it is the system allocator).
#[global_allocator]
static GLOBAL: itaku::heap::Counting<std::alloc::System> =
    itaku::heap::Counting(std::alloc::System);

#[path = "../support/mod.rs"]
mod support;

mod bundle;
mod catalog_writers;
mod cli;
mod cmd;
mod compact;
mod compiled_vs_interpreted;
mod hostile_catalog;
mod hostile_sheets;
mod html_report;
mod install;
mod json_render;
mod jsonl_fast;
mod migrate;
mod new_cli;
mod output_formats;
mod plan;
mod print_pdf;
mod properties;
mod reliability;
mod reliability_2026_12;
mod review_cli;
mod rule_cases;
mod rule_lint;
mod rule_tests_cli;
mod sandbox;
mod schema;
mod serve_a11y;
mod serve_browser;
mod serve_guard;
mod serve_http;
mod serve_proxy;
mod snapshot;
mod spreadsheets;
mod streaming;
mod terminal;
mod yaml_split;
