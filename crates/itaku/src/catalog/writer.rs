//! The one writer of catalog files: `itaku new --catalog` and `itaku accept` put an entry into a catalog
//! file through [`write_entry_into`], and nothing else writes into an existing catalog.
//!
//! A write goes like this:
//!
//! 1. An advisory lock (`fs4`, `flock(2)` on Unix) is taken on a sibling lock file, `.NAME.itaku-lock`
//!    beside the catalog `NAME` (the catalog itself is replaced by a rename, so a lock on it would be
//!    lost with the old file). Every itaku writer waits for it, so two writers never interleave; the
//!    kernel drops the lock of a process that dies, so a killed writer never blocks the next one.
//! 2. The file is read and the new text is built in memory: the entry is inserted after the last item of
//!    the `operations:` list, indented like the items already there, and every other byte is kept (or,
//!    when the draft replaces an operation, that operation's lines are replaced and nothing else).
//! 3. The new text is validated by the catalog loader with the rule set's vocabulary: it must hold every
//!    operation it held before, plus (or instead of) this one, and no new error.
//! 4. Just before replacing it, the file is read again: if someone changed it meanwhile (an editor, a
//!    writer that does not lock), the entry is put into the new content instead (steps 2–3 again), up to
//!    [`MAX_RETRIES`] times; then the write is refused. Another writer's entry is never dropped.
//! 5. The new text is written atomically ([`crate::fsutil::write_atomic`]: a temporary file in the same
//!    directory, fsync, rename, fsync of the directory). A process killed at any point leaves the old
//!    file or the new one, never a mixture, and there is nothing to restore.
//!
//! Refused before anything is written: a symbolic link (also a dangling one: it is never replaced by a
//! regular file; give the real path), a directory, a file that is not a catalog (a YAML mapping without
//! an `operations:` list, such as `rules/manifest.yaml`), a flow-style `operations: [...]` list.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{parse_str_for, LoadedCatalog, Operation};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::rules::RuleSet;
use crate::yaml::{self, Value, ITEM_INDENT};

/// How often a write is redone when the file changed between its read and its replacement.
pub const MAX_RETRIES: usize = 5;

/// What the write did.
#[derive(Debug, Clone)]
pub enum Change {
    /// The entry was added after the last operation.
    Appended,
    /// The entry replaced the operation of the same id (its previous state is given).
    Replaced(Arc<Operation>),
}

/// A write that succeeded.
#[derive(Debug, Clone)]
pub struct Written {
    pub change: Change,
    /// The file's text before and after.
    pub before: String,
    pub after: String,
    /// How many times the file had changed under the write (and the entry was put in again).
    pub retries: usize,
}

/// Whether the entry may take the place of an operation with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only a new id is accepted (`itaku new --catalog`).
    AppendOnly,
    /// A new id is appended; an existing one is replaced (`itaku accept` of a draft that changes an
    /// operation of the catalog).
    AppendOrReplace,
}

/// The lock file beside `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.itaku-lock"))
}

fn refused(path: &str, ja: String, en: String) -> Diagnostics {
    Diagnostic::error(Code::CatalogWriteRefused, ja, en)
        .in_file(path)
        .into()
}

/// Writes the entry `entry` (the text of one list item as [`crate::yaml::write_entry`] writes it) with
/// operation id `id` into the catalog file `path`. See the module documentation for the steps.
pub fn write_entry_into(
    path: &Path,
    id: &str,
    entry: &str,
    mode: Mode,
    rules: &RuleSet,
) -> Result<Written, Diagnostics> {
    let shown = path.display().to_string();
    if !crate::drafts::id_is_safe(id) {
        return Err(refused(
            &shown,
            format!("業務ID `{id}` は書き込めません (先頭がハイフンのID、con・nul などの装置名は、シェルや Windows の共有フォルダーで誤って扱われます)"),
            format!("the operation id `{id}` cannot be written (an id starting with `-`, or a device name such as con or nul, is misread by shells and Windows shares)"),
        ));
    }
    let io = |e: std::io::Error, ja: &str, en: &str| -> Diagnostics {
        Diagnostic::error(
            Code::CatalogUnreadable,
            format!("{ja}: {e}"),
            format!("{en}: {e}"),
        )
        .in_file(shown.clone())
        .into()
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(refused(
                &shown,
                "カタログのファイルがシンボリックリンクです。リンク先の本当のパスを指定してください (リンクを通して書き込んだり、リンクをファイルで置き換えたりはしません)".into(),
                "the catalog file is a symbolic link: give the real path (itaku neither writes through a link nor replaces one with a file)".into(),
            ))
        }
        Ok(m) if !m.is_file() => {
            return Err(refused(
                &shown,
                "カタログは通常のファイルである必要があります (ディレクトリや特殊ファイルには書き込みません)".into(),
                "the catalog must be a regular file (not a directory or a special file)".into(),
            ))
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e, "カタログを調べられません", "cannot inspect the catalog")),
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(path))
        .map_err(|e| {
            io(
                e,
                "カタログのロックファイルを作れません",
                "cannot create the catalog's lock file",
            )
        })?;
    fs4::FileExt::lock(&lock)
        .map_err(|e| io(e, "カタログをロックできません", "cannot lock the catalog"))?;
    let mut retries = 0;
    let mut current = read_text(path, &shown)?;
    loop {
        let (after, change) = build(&shown, &current, id, entry, mode, rules)?;
        #[cfg(test)]
        between_build_and_check(path);
        // Someone who does not take the lock may have written the file meanwhile: put the entry into
        // what is there now rather than drop their change.
        let now = read_text(path, &shown)?;
        if now != current {
            retries += 1;
            if retries > MAX_RETRIES {
                return Err(Diagnostic::error(
                    Code::CatalogWriteChanged,
                    format!("カタログのファイルが書き込み中に {MAX_RETRIES} 回以上変更されたため、書き込みをやめました (ファイルは変更していません)"),
                    format!("the catalog file changed more than {MAX_RETRIES} times while being written: nothing was written"),
                )
                .in_file(shown)
                .help("ファイルを編集しているほかのプログラムを終えてから、もう一度実行してください", "stop the other program editing the file and run again")
                .into());
            }
            current = now;
            continue;
        }
        crate::fsutil::write_atomic(path, after.as_bytes()).map_err(|e| {
            io(
                e,
                "カタログを書き込めません (ファイルは元のまま)",
                "cannot write the catalog (the file is unchanged)",
            )
        })?;
        let _ = fs4::FileExt::unlock(&lock);
        return Ok(Written {
            change,
            before: current,
            after,
            retries,
        });
    }
}

/// Writes a whole new catalog file (`itaku import`): only if nothing is at `path` when the file is put in
/// place (a file or link created meanwhile is an `AlreadyExists` error and is left untouched). The text
/// goes to a temporary file in the same directory, is flushed to disk and linked into place, and the
/// directory is synced.
pub fn create_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".itaku-{}-", std::process::id());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Runs `f` holding the writers' lock of the catalog file `path` (the lock every catalog writer takes):
/// a command that reads a catalog, changes it and writes it back (`itaku migrate`) does all three inside
/// `f`, so no other writer's entry can land between the read and the write and be lost.
pub fn with_lock<T>(path: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(path))?;
    fs4::FileExt::lock(&lock)?;
    Ok(f())
}

/// Replaces a whole catalog file (`itaku import --force`): under the writers' lock, atomically; a
/// symbolic link is refused (never written through, never replaced by a file).
pub fn replace_file(path: &Path, text: &str) -> Result<(), std::io::Error> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "`{}` is a symbolic link: give the real path",
                path.display()
            ),
        ));
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(path))?;
    fs4::FileExt::lock(&lock)?;
    crate::fsutil::write_atomic(path, text.as_bytes())
}

/// The file's text; an absent file is empty.
fn read_text(path: &Path, shown: &str) -> Result<String, Diagnostics> {
    let read = || -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        let limit = super::load::MAX_YAML_BYTES;
        let mut bytes = Vec::new();
        file.take(limit + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(std::io::Error::other(format!("larger than {limit} bytes")));
        }
        Ok(bytes)
    };
    match read() {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Diagnostic::error(
                Code::CatalogEncoding,
                "UTF-8 のテキストではありません",
                "not UTF-8 text",
            )
            .in_file(shown)
            .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Diagnostic::error(
            Code::CatalogUnreadable,
            format!("カタログを読めません: {e}"),
            format!("cannot read the catalog: {e}"),
        )
        .in_file(shown)
        .into()),
    }
}

/// Where the entry goes in `text`, and how its lines are indented.
struct Place {
    /// Byte range replaced by the entry (empty for an insertion).
    start: usize,
    end: usize,
    /// Spaces before the `-` of an item.
    indent: usize,
    /// The operation replaced, if any.
    replaces: bool,
}

/// The byte offset of the start of 1-based line `line` (the text's length past the end).
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    let mut n = 1;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            n += 1;
            if n == line {
                return i + 1;
            }
        }
    }
    text.len()
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Backs `end` (a line start) up over blank and comment-only lines, so that comments introducing what
/// follows stay with it.
fn before_trailing_comments(text: &str, floor: usize, mut end: usize) -> usize {
    while end > floor {
        let prev_start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        if prev_start < floor {
            break;
        }
        let line = text[prev_start..end].trim();
        if line.is_empty() || line.starts_with('#') {
            end = prev_start;
        } else {
            break;
        }
    }
    end
}

fn not_catalog(shown: &str) -> Diagnostics {
    refused(
        shown,
        "このファイルはカタログではありません (`operations:` のリストがありません)。業務の一覧の YAML ファイルを指定してください".into(),
        "this file is not a catalog (it has no `operations:` list): give a catalog YAML file".into(),
    )
}

fn place(shown: &str, text: &str, id: &str, mode: Mode) -> Result<Place, Diagnostics> {
    if text.trim().is_empty() {
        return Ok(Place {
            start: text.len(),
            end: text.len(),
            indent: ITEM_INDENT.len(),
            replaces: false,
        });
    }
    let root = match yaml::parse_nodes(text.strip_prefix('\u{feff}').unwrap_or(text)) {
        Ok(Some(r)) => r,
        Ok(None) => return Err(not_catalog(shown)),
        Err(e) => {
            return Err(Diagnostic::error(
                Code::CatalogSyntax,
                format!("YAML の構文エラーがあるため書き込みません: {}", e.message),
                format!("YAML syntax error, nothing written: {}", e.message),
            )
            .in_file(shown)
            .into())
        }
    };
    let Value::Map(top) = &root.value else {
        return Err(not_catalog(shown));
    };
    let Some(at) = top
        .iter()
        .position(|(k, _)| matches!(&k.value, Value::Str(s) if s == "operations"))
    else {
        return Err(not_catalog(shown));
    };
    let (key, list) = &top[at];
    // The next top-level key after `operations` (in the text), if any: the list ends before it.
    let next_key_line = top
        .iter()
        .map(|(k, _)| k.pos.line)
        .filter(|l| *l > key.pos.line)
        .min();
    let list_floor = line_start(text, key.pos.line + 1);
    let list_end = match next_key_line {
        Some(l) => before_trailing_comments(text, list_floor, line_start(text, l)),
        None => text.len(),
    };
    let items: &[yaml::Node] = match &list.value {
        Value::Null => &[],
        Value::Seq(items) => {
            // A flow list `operations: [...]` starts on the key's line.
            if let Some(first) = items.first() {
                if first.pos.line == key.pos.line {
                    return Err(refused(shown,
                        "`operations: [...]` の形式 (フロー形式) のカタログには書き込めません。1件ずつ `- id: …` で書く形式にしてください".into(),
                        "a flow-style `operations: [...]` list cannot be written to: use one `- id: …` item a line".into()));
                }
            } else if text[line_start(text, key.pos.line)..].contains('[') {
                return Err(refused(shown,
                    "`operations: []` の形式のカタログには書き込めません。`operations:` だけの行にしてください".into(),
                    "a flow-style `operations: []` list cannot be written to: leave `operations:` alone on its line".into()));
            }
            items
        }
        _ => return Err(not_catalog(shown)),
    };
    // Indentation of the items: the spaces before the `-` on the first item's line.
    let indent = items.first().map_or(ITEM_INDENT.len(), |first| {
        let start = line_start(text, first.pos.line);
        let line = &text[start..line_start(text, first.pos.line + 1)];
        line.len() - line.trim_start_matches(' ').len()
    });
    let id_of = |item: &yaml::Node| -> Option<String> {
        let Value::Map(fields) = &item.value else {
            return None;
        };
        fields
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == "id"))
            .map(|(_, v)| yaml::scalar_text(v))
    };
    if let Some(i) = items.iter().position(|it| id_of(it).as_deref() == Some(id)) {
        if mode == Mode::AppendOnly {
            return Err(Diagnostic::error(
                Code::AnswersNotAppended,
                format!("業務ID `{id}` はこのカタログで既に使われています"),
                format!("the operation id `{id}` is already used in this catalog"),
            )
            .in_file(shown)
            .help(
                "使われていない業務IDにしてください",
                "use an id not yet taken",
            )
            .into());
        }
        let start = line_start(text, items[i].pos.line);
        let end = match items.get(i + 1) {
            Some(next) => before_trailing_comments(text, start, line_start(text, next.pos.line)),
            None => list_end,
        };
        return Ok(Place {
            start,
            end,
            indent,
            replaces: true,
        });
    }
    Ok(Place {
        start: list_end,
        end: list_end,
        indent,
        replaces: false,
    })
}

/// The new text of the file, validated.
fn build(
    shown: &str,
    text: &str,
    id: &str,
    entry: &str,
    mode: Mode,
    rules: &RuleSet,
) -> Result<(String, Change), Diagnostics> {
    let p = place(shown, text, id, mode)?;
    let mut out = String::with_capacity(text.len() + entry.len() + 16);
    out.push_str(&text[..p.start]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if text.trim().is_empty() {
        out.push_str(&format!(
            "format: {}\noperations:\n",
            super::format::CURRENT_FORMAT
        ));
    }
    let pad = " ".repeat(p.indent);
    for line in entry.lines() {
        out.push_str(&pad);
        out.push_str(line.strip_prefix(ITEM_INDENT).unwrap_or(line));
        out.push('\n');
    }
    out.push_str(&text[p.end..]);
    let before = parse_str_for(shown, text, rules);
    let after = parse_str_for(shown, &out, rules);
    check(shown, &before, &after, id, p.replaces)?;
    let change = if p.replaces {
        match before.catalog.find(id) {
            Some(op) => Change::Replaced(Arc::clone(op)),
            None => Change::Appended,
        }
    } else {
        Change::Appended
    };
    // The line the entry starts on, for messages (kept for debugging).
    let _ = line_of(&out, p.start);
    Ok((out, change))
}

/// The new text must hold every operation the old one held (same ids, in order), plus the entry, and no
/// new error.
fn check(
    shown: &str,
    before: &LoadedCatalog,
    after: &LoadedCatalog,
    id: &str,
    replaced: bool,
) -> Result<(), Diagnostics> {
    let errors = |l: &LoadedCatalog| {
        l.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    };
    let expected = before.catalog.len() + usize::from(!replaced);
    let kept = before
        .catalog
        .operations
        .iter()
        .all(|op| after.catalog.find(op.id.as_str()).is_some());
    let ok = after.catalog.len() == expected
        && kept
        && after.catalog.find(id).is_some()
        && errors(after) <= errors(before);
    if ok {
        return Ok(());
    }
    let mut problems = Diagnostics::default();
    for d in after
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        problems.push(d.clone());
    }
    problems.push(
        Diagnostic::error(
            Code::AnswersNotAppended,
            format!("業務 `{id}` をカタログに書き込めません (書き込んだ結果がカタログとして検証を通りません)。ファイルは元のままです"),
            format!("the operation `{id}` cannot be written into the catalog (the result does not validate); the file is unchanged"),
        )
        .in_file(shown),
    );
    Err(problems)
}

/// A test's hook into a write (see [`between_build_and_check`]).
#[cfg(test)]
type Hook = Box<dyn FnMut(&Path)>;

#[cfg(test)]
thread_local! {
    /// Called by a write on this thread between building the new text and reading the file again: a
    /// test changes the file there, as a writer that takes no lock would.
    static BETWEEN: std::cell::RefCell<Option<Hook>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
fn between_build_and_check(path: &Path) {
    BETWEEN.with(|hook| {
        if let Some(f) = hook.borrow_mut().as_mut() {
            f(path);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_writers_entry_written_meanwhile_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        let text = "operations:\n  - id: a\n    name: A\n    department: D\n";
        std::fs::write(&path, text).unwrap();
        // Twice, another program appends its own operation after the write read the file.
        let mut n = 0;
        BETWEEN.with(|h| {
            *h.borrow_mut() = Some(Box::new(move |p: &Path| {
                n += 1;
                if n <= 2 {
                    let mut t = std::fs::read_to_string(p).unwrap();
                    t.push_str(&format!(
                        "  - id: other-{n}\n    name: 別の業務\n    department: D\n"
                    ));
                    std::fs::write(p, t).unwrap();
                }
            }));
        });
        let w = write_entry_into(&path, "new-one", ENTRY, Mode::AppendOnly, &rules());
        BETWEEN.with(|h| h.borrow_mut().take());
        let w = w.unwrap();
        assert_eq!(w.retries, 2);
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(after, w.after);
        for id in ["id: a", "id: other-1", "id: other-2", "id: new-one"] {
            assert!(after.contains(id), "{id} lost:\n{after}");
        }
        assert!(
            after.ends_with("  - id: new-one\n    name: 新しい業務\n    department: 総務部\n"),
            "{after}"
        );
        let loaded = parse_str_for("c.yaml", &after, &rules());
        assert_eq!(loaded.catalog.len(), 4);
    }

    #[test]
    fn a_file_that_keeps_changing_is_refused_and_left_as_the_other_writer_left_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(
            &path,
            "operations:\n  - id: a\n    name: A\n    department: D\n",
        )
        .unwrap();
        let mut n = 0;
        BETWEEN.with(|h| {
            *h.borrow_mut() = Some(Box::new(move |p: &Path| {
                n += 1;
                let mut t = std::fs::read_to_string(p).unwrap();
                t.push_str(&format!(
                    "  - id: busy-{n}\n    name: B\n    department: D\n"
                ));
                std::fs::write(p, t).unwrap();
            }));
        });
        let w = write_entry_into(&path, "new-one", ENTRY, Mode::AppendOnly, &rules());
        BETWEEN.with(|h| h.borrow_mut().take());
        let problems = w.unwrap_err();
        assert!(problems.iter().any(|d| d.code == Code::CatalogWriteChanged));
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(!after.contains("new-one"));
        assert!(
            after.contains(&format!("busy-{}", MAX_RETRIES + 1)),
            "{after}"
        );
    }

    fn rules() -> RuleSet {
        RuleSet::load_embedded().expect("embedded rules")
    }

    const ENTRY: &str = "  - id: new-one\n    name: 新しい業務\n    department: 総務部\n";

    fn write(text: &str, mode: Mode) -> Result<Written, Diagnostics> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, text).unwrap();
        let id = if mode == Mode::AppendOnly {
            "new-one"
        } else {
            "a"
        };
        let entry = ENTRY.replace("new-one", id);
        let w = write_entry_into(&path, id, &entry, mode, &rules());
        if let Ok(w) = &w {
            assert_eq!(std::fs::read_to_string(&path).unwrap(), w.after);
        } else {
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "unchanged");
        }
        w
    }

    #[test]
    fn appends_after_the_last_item_whatever_the_indentation() {
        let text = "# head\noperations:\n- id: a   # kept\n  name: A\n  department: D\n# trailing\nversion_note: x\n";
        // `version_note` is not a catalog key: the loader reports it before and after alike.
        let w = write(text, Mode::AppendOnly).unwrap();
        assert_eq!(
            w.after,
            "# head\noperations:\n- id: a   # kept\n  name: A\n  department: D\n- id: new-one\n  name: 新しい業務\n  department: 総務部\n# trailing\nversion_note: x\n"
        );
        let text = "operations:\n    - id: a\n      name: A\n      department: D\n";
        let w = write(text, Mode::AppendOnly).unwrap();
        assert!(w.after.starts_with(text));
        assert!(w
            .after
            .ends_with("    - id: new-one\n      name: 新しい業務\n      department: 総務部\n"));
    }

    #[test]
    fn replaces_one_operation_and_keeps_the_rest() {
        let text = "operations:\n  - id: a\n    name: A\n    department: D\n  # about b\n  - id: b\n    name: B\n    department: D\n";
        let w = write(text, Mode::AppendOrReplace).unwrap();
        assert!(matches!(w.change, Change::Replaced(_)));
        assert_eq!(
            w.after,
            "operations:\n  - id: a\n    name: 新しい業務\n    department: 総務部\n  # about b\n  - id: b\n    name: B\n    department: D\n"
        );
    }

    #[test]
    fn refuses_what_is_not_a_catalog_and_taken_ids() {
        assert!(write("id: x\nhazards: []\n", Mode::AppendOnly).is_err());
        assert!(write(
            "operations: [{id: a, name: A, department: D}]\n",
            Mode::AppendOnly
        )
        .is_err());
        let taken = "operations:\n  - id: new-one\n    name: A\n    department: D\n";
        assert!(write(taken, Mode::AppendOnly).is_err());
        let dir = tempfile::tempdir().unwrap();
        for bad in ["-rf", "con", "nul"] {
            let e = write_entry_into(
                &dir.path().join("c.yaml"),
                bad,
                ENTRY,
                Mode::AppendOnly,
                &rules(),
            );
            assert!(e.is_err(), "{bad}");
        }
        assert!(!dir.path().join("c.yaml").exists());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_even_dangling_ones() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("c.yaml");
        std::os::unix::fs::symlink(dir.path().join("missing.yaml"), &link).unwrap();
        let e = write_entry_into(&link, "new-one", ENTRY, Mode::AppendOnly, &rules()).unwrap_err();
        assert_eq!(e.0[0].code, Code::CatalogWriteRefused);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(!dir.path().join("missing.yaml").exists());
    }

    #[test]
    fn a_new_file_gets_the_operations_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.yaml");
        let w = write_entry_into(&path, "new-one", ENTRY, Mode::AppendOnly, &rules()).unwrap();
        assert_eq!(w.after, format!("format: 3\noperations:\n{ENTRY}"));
    }
}
