//! The standard rule set built into the binary, as a [`RuleSource`], and `itaku rules export`'s copy of it.

use std::path::{Path, PathBuf};

use super::RuleSource;
use crate::lang::Text;

/// The standard rule set (`rules/` of this repository), built into the binary so that `itaku` works
/// from any directory after `cargo install`. `build.rs` makes a change under `rules/` rebuild it.
static EMBEDDED_RULES: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../rules");

/// The standard rule set built into the binary (used when no `--rules` is given and no `rules/` exists).
pub struct EmbeddedSource;

impl EmbeddedSource {
    /// Every embedded file as (relative `/`-separated name, contents), in name order: what
    /// `itaku rules export` writes.
    pub fn files() -> Vec<(String, &'static [u8])> {
        fn walk(dir: &'static include_dir::Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
            for entry in dir.entries() {
                match entry {
                    include_dir::DirEntry::Dir(d) => walk(d, out),
                    include_dir::DirEntry::File(f) => {
                        out.push((f.path().to_string_lossy().replace('\\', "/"), f.contents()))
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&EMBEDDED_RULES, &mut out);
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

impl RuleSource for EmbeddedSource {
    fn read(&self, name: &str) -> std::io::Result<String> {
        let file = EMBEDDED_RULES.get_file(name).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file in the embedded rules",
            )
        })?;
        String::from_utf8(file.contents().to_vec())
            .map_err(|_| std::io::Error::other("the file is not valid UTF-8"))
    }
    fn display(&self, name: &str) -> String {
        format!("<embedded>/{name}")
    }
}

/// Why the embedded rules could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} is not empty")]
    NotEmpty(PathBuf),
    /// A file or folder inside the target is a symbolic link: writing through it would replace a file
    /// outside the target.
    #[error("{0} is a symbolic link")]
    Link(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ExportError {
    /// The problem as a diagnostic: each kind has its code (all exit status 2).
    pub fn diagnostic(&self) -> crate::diag::Diagnostic {
        use crate::diag::{Code, Diagnostic};
        let code = match self {
            ExportError::NotEmpty(_) => Code::OutputExists,
            ExportError::Link(_) => Code::OutputRefused,
            ExportError::Io { .. } => Code::OutputFailed,
        };
        Diagnostic::of(code, self.text())
    }

    /// What went wrong, in both languages.
    pub fn text(&self) -> Text {
        match self {
            ExportError::NotEmpty(d) => Text::new(
                format!("{} は空ではありません (上書きするには --force を指定してください)", d.display()),
                format!("{} is not empty (use --force to overwrite)", d.display()),
            ),
            ExportError::Link(p) => Text::new(
                format!(
                    "{} はシンボリックリンクです。リンク先を上書きしないよう、書き出しを中止しました (リンクを消すか別のディレクトリを指定してください)",
                    p.display()
                ),
                format!(
                    "{} is a symbolic link; nothing was written, so that the file it points to is not replaced (remove the link or choose another directory)",
                    p.display()
                ),
            ),
            ExportError::Io { path, source } => Text::new(
                format!("{} に書き込めません: {source}", path.display()),
                format!("cannot write {}: {source}", path.display()),
            ),
        }
    }
}

/// Writes a copy of the embedded rules into `dir` (created if missing) to customise: refuses a
/// non-empty `dir` unless `force`; each file is written whole (a temporary file renamed into place).
/// Returns the files written.
pub fn export_embedded(dir: &Path, force: bool) -> Result<Vec<PathBuf>, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    let exists = match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(ExportError::NotEmpty(dir.to_path_buf()));
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io(dir)(e)),
    };
    let files = EmbeddedSource::files();
    if !exists {
        // A new directory is filled beside its final place and renamed there whole: a full disk or a
        // kill leaves no half-filled (or empty) directory behind.
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let staging = parent.join(format!(".itaku-{}-export.tmp", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        let filled = write_files(&staging, &files).and_then(|_| {
            std::fs::rename(&staging, dir).map_err(io(dir))?;
            if let Ok(d) = std::fs::File::open(parent) {
                let _ = d.sync_all();
            }
            Ok(())
        });
        if let Err(e) = filled {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        return Ok(files.iter().map(|(name, _)| dir.join(name)).collect());
    }
    // Forced over an existing directory: refuse before writing anything when a file or folder on the
    // way is a link (it would be written through to a place outside the directory).
    for (name, _) in &files {
        let mut path = dir.to_path_buf();
        for part in Path::new(name).components() {
            path.push(part);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(ExportError::Link(path));
            }
        }
    }
    write_files(dir, &files)?;
    Ok(files.iter().map(|(name, _)| dir.join(name)).collect())
}

/// Writes every file under `dir`, each whole (a temporary file renamed into place).
fn write_files(dir: &Path, files: &[(String, &'static [u8])]) -> Result<(), ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    for (name, contents) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        crate::fsutil::write_atomic(&path, contents).map_err(io(&path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_rules_load_and_match_the_directory() {
        let embedded = crate::RuleSet::load(&EmbeddedSource).expect("embedded rules load");
        let dir =
            crate::RuleSet::load_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules")).unwrap();
        assert_eq!(embedded.digest, dir.digest);
    }

    #[test]
    fn export_refuses_a_non_empty_directory_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("keep.txt"), "x").unwrap();
        assert!(matches!(
            export_embedded(tmp.path(), false),
            Err(ExportError::NotEmpty(_))
        ));
        let written = export_embedded(tmp.path(), true).unwrap();
        assert!(written.iter().any(|p| p.ends_with("manifest.yaml")));
        assert!(tmp.path().join("scripts").is_dir());
    }
}
