//! `itaku migrate FILE…`: bring catalog files of an older format to the current one, and list what a
//! person must decide (the library's `catalog::format` says what changed between the versions).

use std::path::{Path, PathBuf};

use itaku::catalog::format::{judgement_calls, with_current_format, CURRENT_FORMAT};
use itaku::catalog::locate::Locator;
use itaku::diag::{Code, Diagnostic, Diagnostics, Severity};

use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog files (YAML) to bring to the current format.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write the migrated catalog here instead of replacing the file (one file only).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Only list what would change and what to check; write nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    if args.output.is_some() && args.files.len() != 1 {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            "--output は1ファイルの移行にだけ使えます",
            "--output takes one file to migrate",
        ));
    }
    let mut exit = Exit::Success;
    for file in &args.files {
        if std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink()) {
            let shown = itaku::diag::printable(&file.display().to_string()).into_owned();
            let refused = Diagnostic::error(
                Code::OutputRefused,
                "シンボリックリンクには書き込みません。実際のファイルを指定してください",
                "a symbolic link is not written through; give the real file",
            );
            exit = exit.max_with(ui.fail(refused.in_file(shown)));
            continue;
        }
        // Read, check and write under the catalog writers' lock: an entry another writer appends
        // meanwhile (`itaku new --catalog`, `itaku accept`) is never lost.
        let status = match itaku::catalog::writer::with_lock(file, || {
            migrate_one(file, args.output.as_deref(), args.dry_run, ui)
        }) {
            Ok(status) => status,
            Err(e) => ui.write_failed(&e),
        };
        exit = exit.max_with(status);
    }
    exit
}

fn migrate_one(path: &Path, output: Option<&Path>, dry_run: bool, ui: &Ui) -> Exit {
    let shown = itaku::diag::printable(&path.display().to_string()).into_owned();
    if path.extension().is_some_and(|e| e == "jsonl") {
        ui.say(
            &format!("{shown}: JSON Lines には形式の版がありません (常に現在の形式として読みます)。そのままにします"),
            &format!("{shown}: JSON Lines files carry no format version (they are read as the current format); left as it is"),
        );
        return Exit::Success;
    }
    let text = match itaku::fsutil::read_regular(path, itaku::catalog::MAX_YAML_BYTES) {
        Ok(t) => t,
        Err(e) => {
            ui.report_one(&Diagnostic::of(Code::CatalogUnreadable, e.text()).in_file(shown));
            return Exit::Usage;
        }
    };
    let shown_path = path.display().to_string();
    let before = itaku::catalog::parse_str(&shown_path, &text);
    let errors = Diagnostics(
        before
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect(),
    );
    if !errors.is_empty() {
        ui.report(&errors);
        ui.say(
            &format!("{shown}: エラーのあるファイルは書き換えません。`itaku check` で直してから移行してください"),
            &format!("{shown}: a file with errors is not rewritten; fix it (`itaku check`) and migrate again"),
        );
        return Exit::Findings;
    }
    let Some(format) = before.formats.first() else {
        return Exit::Success;
    };
    let from = format.version;
    // What a person must decide, located at the fields.
    let mut locator = Locator::default();
    let mut calls = Diagnostics::default();
    for (op, origin) in before
        .catalog
        .operations
        .iter()
        .zip(&before.catalog.origins)
    {
        for c in judgement_calls(op, from) {
            let mut d = Diagnostic::error(
                Code::MigrateJudgementCall,
                format!("業務 `{}`: {}", op.id, c.text.ja),
                format!("operation `{}`: {}", op.id, c.text.en),
            );
            d.severity = Severity::Warning;
            calls.push(locator.locate(d, origin, c.field, c.word.as_deref()));
        }
    }
    if from == CURRENT_FORMAT {
        ui.say(
            &format!("{shown}: すでに現在の形式 {CURRENT_FORMAT} です。変更はありません"),
            &format!("{shown}: already in the current format {CURRENT_FORMAT}; nothing to change"),
        );
        return Exit::Success;
    }
    let Some(migrated) = with_current_format(&text) else {
        return ui.fail(
            Diagnostic::error(
                Code::CatalogStructure,
                "最上位の `operations:` 行が見つからないため、形式の版を書き込めません",
                "no top-level `operations:` line to write the format version before",
            )
            .in_file(shown),
        );
    };
    // Nothing may be lost on the way: the new text must give the same operations, at the new version.
    let after = itaku::catalog::parse_str(&shown_path, &migrated);
    let same = after
        .formats
        .first()
        .is_some_and(|f| f.version == CURRENT_FORMAT)
        && after.catalog.len() == before.catalog.len()
        && after
            .catalog
            .operations
            .iter()
            .zip(&before.catalog.operations)
            .all(|(a, b)| serde_json::to_value(&**a).ok() == serde_json::to_value(&**b).ok())
        && !after.diagnostics.has_errors();
    if !same {
        return ui.fail(
            Diagnostic::error(
                Code::CatalogWriteRefused,
                "移行後の内容が元と一致しないため、書き換えを中止しました (ファイルは元のまま)",
                "the migrated text does not read back as the same operations; nothing was written",
            )
            .in_file(shown),
        );
    }
    ui.report(&calls);
    let n = calls.len();
    if dry_run {
        ui.say(
            &format!("{shown}: 形式 {from} → {CURRENT_FORMAT} (書き込みなし、--dry-run)。確認の必要な箇所 {n}件"),
            &format!("{shown}: format {from} → {CURRENT_FORMAT} (nothing written, --dry-run); {n} places to check"),
        );
        return Exit::Success;
    }
    let written = match output {
        Some(out) => itaku::fsutil::write_atomic(out, migrated.as_bytes()).map(|()| None),
        None => {
            // The original is kept whole beside the file before the file is replaced.
            let mut backup = path.as_os_str().to_owned();
            backup.push(format!(".format{from}.bak"));
            let backup = PathBuf::from(backup);
            if std::fs::symlink_metadata(&backup).is_ok() {
                let b = itaku::diag::printable(&backup.display().to_string()).into_owned();
                return ui.fail(
                    Diagnostic::error(
                        Code::OutputExists,
                        format!("バックアップ {b} が既にあるため書き換えません (移して再実行するか --output を使ってください)"),
                        format!("the backup {b} exists; nothing was written (move it away, or use --output)"),
                    )
                    .in_file(shown),
                );
            }
            itaku::fsutil::write_atomic(&backup, text.as_bytes())
                .and_then(|()| itaku::fsutil::write_atomic(path, migrated.as_bytes()))
                .map(|()| Some(backup))
        }
    };
    match written {
        Ok(backup) => {
            let (kept_ja, kept_en) = match &backup {
                Some(b) => {
                    let b = itaku::diag::printable(&b.display().to_string()).into_owned();
                    (
                        format!("元のファイルは {b}"),
                        format!("the original is kept as {b}"),
                    )
                }
                None => (
                    "元のファイルはそのまま".to_string(),
                    "the original is unchanged".to_string(),
                ),
            };
            ui.say(
                &format!("{shown}: 形式 {from} → {CURRENT_FORMAT} に書き換えました ({kept_ja})。確認の必要な箇所 {n}件"),
                &format!("{shown}: rewritten from format {from} to {CURRENT_FORMAT} ({kept_en}); {n} places to check"),
            );
            Exit::Success
        }
        Err(e) => ui.write_failed(&e),
    }
}
