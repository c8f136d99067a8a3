//! Command-line behaviour written as data (`tests/cmd/`, trycmd): each case is a `NAME.toml` (arguments,
//! exit status) with `NAME.stdout` and `NAME.stderr` (the expected output, whole), and `NAME.in/` (the
//! input files, the working directory of the run) where it reads any; a `NAME.trycmd` holds several
//! runs in one file. A case without `NAME.in/` runs from the repository root (its `catalog/` and
//! `rules/`). A new message is a new case, no Rust: write the `.toml` and the inputs, then
//! `TRYCMD=overwrite cargo nextest run -E 'test(cmd::)'` writes the expected output to review.

#[test]
fn cases() {
    trycmd::TestCases::new()
        .register_bin("itaku", std::path::Path::new(env!("CARGO_BIN_EXE_itaku")))
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml")
        .case("tests/cmd/*.trycmd");
}
