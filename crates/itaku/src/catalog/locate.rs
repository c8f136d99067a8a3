//! Where a field of an operation was written, found by re-reading its file: how a problem found after
//! loading (an unknown hazard, a decisive fact left out, a contradiction) is placed at its line.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::{Field, Origin};
use crate::diag::{Diagnostic, Location, SourceFile};

/// Finds where a field of an operation was written, by re-reading its file. Text-based on purpose: it
/// runs only to place a message, and falls back to the operation's first line.
#[derive(Default)]
pub struct Locator {
    files: HashMap<String, Option<LinedFile>>,
}

/// A file read by the [`Locator`] and the byte range of each of its lines.
type LinedFile = (Arc<SourceFile>, Arc<[Range<usize>]>);

impl Locator {
    /// The file and the byte range of each of its lines (as `str::lines` cuts them), read once: a
    /// message on an operation of a large file must not re-read or re-cut the whole file.
    fn file(&mut self, path: &str) -> Option<LinedFile> {
        self.files
            .entry(path.to_string())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(path).ok()?;
                let base = text.as_ptr() as usize;
                let lines = text
                    .lines()
                    .map(|l| {
                        let start = l.as_ptr() as usize - base;
                        start..start + l.len()
                    })
                    .collect();
                Some((Arc::new(SourceFile::new(path, text)), lines))
            })
            .clone()
    }

    /// Attaches the field's location (or the operation's, or its file's) to a diagnostic.
    pub fn locate(
        &mut self,
        d: Diagnostic,
        origin: &Origin,
        field: Field,
        word: Option<&str>,
    ) -> Diagnostic {
        match self.field(origin, field, word) {
            Some(l) => d.at(l),
            None => d.in_file(format!("{}:{}", origin.file, origin.line)),
        }
    }

    /// The location of `field` (or of `word` inside its value) in the operation written at `origin`.
    pub fn field(&mut self, origin: &Origin, field: Field, word: Option<&str>) -> Option<Location> {
        let (file, ranges) = self.file(&origin.file)?;
        let jsonl = origin.file.ends_with(".jsonl");
        let text = file.text.as_str();
        let line_at = |i: usize| {
            ranges
                .get(i)
                .and_then(|r| text.get(r.clone()))
                .unwrap_or("")
        };
        let count = ranges.len();
        let start = origin.line.checked_sub(1)?;
        let end = if jsonl {
            start + 1
        } else {
            // The operation ends where the next list item of the same indentation starts.
            if start >= count {
                return None;
            }
            let indent = line_at(start).find('-').unwrap_or(0);
            (start + 1..count)
                .find(|&i| {
                    let l = line_at(i);
                    l.len() > indent
                        && l[..indent].trim().is_empty()
                        && l[indent..].starts_with("- ")
                })
                .unwrap_or(count)
        };
        let key_yaml = format!("{}:", field.name());
        let key_json = format!("\"{}\"", field.name());
        for i in start..end.min(count) {
            let line = line_at(i);
            let at = if jsonl {
                line.find(&key_json)
            } else {
                let t = line.trim_start().trim_start_matches("- ");
                t.starts_with(&key_yaml).then(|| line.len() - t.len())
            };
            let Some(at) = at else { continue };
            if let Some(word) = word {
                // The word on this line after the key, or on the list lines that follow it.
                for (j, l) in (i..end.min(count)).map(|j| (j, line_at(j))) {
                    let from = if j == i { at } else { 0 };
                    if let Some(w) = l[from..].find(word) {
                        let col = l[..from + w].chars().count() + 1;
                        return Some(Location::new(&file, j + 1, col, word.chars().count()));
                    }
                }
            }
            let col = line[..at].chars().count() + 1;
            return Some(Location::new(&file, i + 1, col, field.name().len()));
        }
        None
    }
}
