//! `--help` written wrapped to the terminal's width (or `COLUMNS`), CJK-aware ([`crate::text::wrap_text`]):
//! clap's own wrapping breaks only at spaces, and Japanese has none. Other messages go out as clap writes them.

use std::io::{IsTerminal, Write};

use clap::error::ErrorKind;

/// Prints a clap error or help text (as `clap::Error::print` does), the help wrapped.
pub fn print(e: &clap::Error) -> std::io::Result<()> {
    let help = matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    let Some(width) = crate::text::text_width().filter(|_| help) else {
        return e.print();
    };
    let to_terminal = if e.use_stderr() {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let styled = e.render();
    // Styles as clap would show them; the wrapping measures text without its escape sequences.
    let text = if to_terminal && std::env::var_os("NO_COLOR").is_none() {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    };
    let wrapped = crate::text::wrap_text(&text, width);
    if e.use_stderr() {
        let mut err = std::io::stderr().lock();
        err.write_all(wrapped.as_bytes())?;
        err.flush()
    } else {
        super::to_stdout(wrapped.as_bytes())
    }
}
