//! File writing that never leaves a partial file behind, never replaces a device and never overwrites
//! an input.
//!
//! Every command that writes a file goes through [`write_atomic_with`]. A regular file (or a path that
//! does not exist yet) is written to a temporary file in the same directory, flushed to disk, and only
//! then renamed over the destination: a process killed midway leaves the old file (or none) untouched,
//! never a truncated one. A character device, FIFO or socket (`/dev/null`, `/dev/stdout`, a pipe) is
//! written directly, because renaming over it would replace the device with a regular file. Symbolic
//! links are followed, so the file they point to is the one replaced.
//!
//! Temporary files are named `.itaku-<pid>-<random>.tmp`. A run killed before its rename leaves one; the
//! next write into the same directory removes those whose process is no longer alive (Linux: no
//! `/proc/<pid>`).

use std::fs::Permissions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::lang::Text;

/// Prefix of every temporary file; the process id follows, so that stale files can be told apart.
const TEMP_PREFIX: &str = ".itaku-";
const TEMP_SUFFIX: &str = ".tmp";

/// An input of the run that `--output` must never overwrite.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A catalog file, or a directory whose `*.yaml`, `*.yml` and `*.jsonl` files are the catalog.
    Catalog(&'a Path),
    /// A rules directory: every file below it belongs to the rule set.
    Rules(&'a Path),
}

/// Why an output path was refused before anything was written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output resolves to a file the run reads.
    #[error("the output `{output}` is an input of this run (`{input}`)")]
    IsInput { output: PathBuf, input: PathBuf },
}

impl OutputError {
    /// What went wrong, in both languages.
    pub fn text(&self) -> Text {
        let OutputError::IsInput { output, input } = self;
        Text::new(
            format!(
                "出力先 `{}` はこの実行の入力 (`{}`) です。入力を上書きしないよう、別のファイルを指定してください",
                output.display(),
                input.display()
            ),
            format!("{self}: choose another file, so that the input is not overwritten"),
        )
    }
}

/// The path a write to `path` really lands on: symbolic links and `..` resolved. For a path that does
/// not exist yet, its directory is resolved and the file name kept. Falls back to `path` as given.
pub fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(dir), path.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => path.to_path_buf(),
    }
}

/// Refuses an output that resolves to one of the run's inputs (or, for a catalog directory, to a file
/// that would be read as part of the catalog next time).
pub fn refuse_inputs(output: &Path, inputs: &[Input<'_>]) -> Result<(), OutputError> {
    let target = resolve(output);
    for input in inputs {
        let (path, hit) = match *input {
            Input::Catalog(p) if p.as_os_str() == "-" => continue,
            Input::Catalog(p) => {
                let Ok(c) = std::fs::canonicalize(p) else {
                    continue;
                };
                let hit = if c.is_dir() {
                    target.parent() == Some(c.as_path())
                        && matches!(
                            target.extension().and_then(|e| e.to_str()),
                            Some("yaml" | "yml" | "jsonl")
                        )
                } else {
                    target == c
                };
                (p, hit)
            }
            Input::Rules(p) => {
                let Ok(c) = std::fs::canonicalize(p) else {
                    continue;
                };
                (p, target.starts_with(&c))
            }
        };
        if hit {
            return Err(OutputError::IsInput {
                output: output.to_path_buf(),
                input: path.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Writes `contents` to `path` (see [`write_atomic_with`]).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// Writes what `fill` produces to `path`. A regular file or a new path is replaced atomically (temporary
/// file + rename); if `fill` fails, the destination is left as it was and the temporary file is removed.
/// A character device, FIFO or socket is written directly. A directory or a block device is refused.
///
/// A new file gets mode 0644 less the umask; a replaced file keeps its mode.
pub fn write_atomic_with<F>(path: &Path, fill: F) -> std::io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let target = resolve(path);
    let existing = match std::fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        if meta.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                format!("`{}` is a directory", path.display()),
            ));
        }
        if !meta.is_file() {
            return write_special(path, &target, meta, fill);
        }
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    remove_stale_temps(dir);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // The mode is given to open(2), so the umask applies, as for any new file (tempfile's own is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot create a temporary file in {}: {e}", dir.display()),
        )
    })?;
    if let Some(meta) = &existing {
        // A replaced file keeps its mode (chmod is not subject to the umask).
        let keep: Permissions = meta.permissions();
        tmp.as_file().set_permissions(keep)?;
    }
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // Make the rename itself durable; a file system that cannot sync a directory is not an error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes a character device, FIFO or socket in place: renaming over it would replace the device.
fn write_special<F>(
    shown: &Path,
    target: &Path,
    meta: &std::fs::Metadata,
    fill: F,
) -> std::io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_block_device() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "`{}` is a block device: refusing to write a report onto a disk",
                    shown.display()
                ),
            ));
        }
    }
    let _ = meta;
    let file = std::fs::OpenOptions::new().write(true).open(target)?;
    let mut buffered = std::io::BufWriter::new(file);
    fill(&mut buffered)?;
    buffered.flush()
}

/// Removes `.itaku-<pid>-*.tmp` files left in `dir` by runs that were killed. Only files whose process
/// is known to be gone are removed; where that cannot be known (no `/proc`), nothing is.
fn remove_stale_temps(dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(stale_pid) else {
            continue;
        };
        if pid != own && !proc.join(pid.to_string()).exists() {
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The process id in a temporary file name of ours (`.itaku-<pid>-<random>.tmp`).
fn stale_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, random) = rest.split_once('-')?;
    if random.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        let failed = write_atomic_with(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("killed"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file must be cleaned up");
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
    }

    #[test]
    fn temporary_names_carry_the_process_id() {
        assert_eq!(stale_pid(".itaku-123-abcDEF.tmp"), Some(123));
        assert_eq!(stale_pid(".itaku-abcDEF.tmp"), None);
        assert_eq!(stale_pid(".itaku-123-.tmp"), None);
        assert_eq!(stale_pid("itaku-123-x.tmp"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_0644_less_umask_and_a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.json");
        write_atomic(&new, b"x").unwrap();
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        // The umask can only remove bits from 0644; 022 (the usual one) leaves it as is.
        assert_eq!(mode & !0o644, 0, "mode {mode:o}");
        assert_ne!(mode & 0o600, 0, "mode {mode:o}");
        let old = dir.path().join("old.json");
        std::fs::write(&old, b"old").unwrap();
        std::fs::set_permissions(&old, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&old, b"new").unwrap();
        let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A pid above the kernel's maximum (4194304) is never alive.
        let stale = dir.path().join(".itaku-99999999-abc123.tmp");
        let alive = dir
            .path()
            .join(format!(".itaku-{}-abc123.tmp", std::process::id()));
        let foreign = dir.path().join(".itaku-abc123.tmp");
        for p in [&stale, &alive, &foreign] {
            std::fs::write(p, b"partial").unwrap();
        }
        write_atomic(&dir.path().join("out.json"), b"x").unwrap();
        assert!(!stale.exists());
        assert!(alive.exists(), "a live process's file is kept");
        assert!(foreign.exists(), "a file not named by us is kept");
    }
}

/// Why [`read_regular`] refused a file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A FIFO, socket, device or directory: never opened (a FIFO blocks, a device may never end).
    #[error("not a regular file (a FIFO, socket, device or directory)")]
    NotRegular,
    /// Longer than the limit: `size` as the file system gave it before reading, `None` when the file
    /// grew past the limit while it was read.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { size: Option<u64>, limit: u64 },
}

impl ReadError {
    /// What went wrong, in both languages.
    pub fn text(&self) -> Text {
        let ja = match self {
            ReadError::Io(e) => format!("読めません: {e}"),
            ReadError::NotRegular => {
                "通常のファイルではありません (FIFO・デバイス・ディレクトリ等)".to_string()
            }
            ReadError::TooLarge { limit, .. } => {
                format!("ファイルが大きすぎます (上限 {limit} バイト)")
            }
        };
        Text::new(ja, self.to_string())
    }
}

/// Reads a regular file of at most `limit` bytes as text: a link is followed to a regular file only, and
/// a file that grows while it is read stops at the limit instead of exhausting memory.
pub fn read_regular(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_regular_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        ))
    })
}

/// [`read_regular`] without decoding: a FIFO is never opened, a device never read, and at most
/// `limit` bytes are read (the size is checked before reading and again while reading).
pub fn read_regular_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}
