//! `itaku rules export DIR`: write a copy of the standard rules built into the binary, to customise.

use std::path::PathBuf;

use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Directory to write the rules into (created if missing; must be empty unless --force).
    dir: PathBuf,
    /// Overwrite the rule files in a directory that is not empty.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    match itaku::rules::export_embedded(&args.dir, args.force) {
        Ok(files) => {
            let dir = itaku::diag::printable(&args.dir.display().to_string()).into_owned();
            ui.say(
                &format!(
                    "標準ルールを {dir} に書き出しました ({}ファイル)。`--rules {dir}` で使えます",
                    files.len()
                ),
                &format!(
                    "wrote the standard rules to {dir} ({} files); use them with `--rules {dir}`",
                    files.len()
                ),
            );
            Exit::Success
        }
        Err(e) => ui.fail(e.diagnostic()),
    }
}
