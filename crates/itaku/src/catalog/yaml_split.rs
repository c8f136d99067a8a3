//! One large YAML catalog file parsed in parallel.
//!
//! A catalog file is usually one top-level `operations:` key followed by a plain block sequence. Such a
//! file is cut at the lines that start a new item of that sequence (`  - ` at the sequence's
//! indentation) into chunks of about [`CHUNK_BYTES`], and each chunk is parsed on its own thread as
//! `operations:` followed by the chunk's lines, with the file's own line numbers (`yaml::parse_nodes_after`).
//! Columns are unchanged because a chunk starts at the start of a line.
//!
//! Exactness: the split is taken only when it is certainly the one the whole-file parse would make, and
//! its result is used only when no chunk produced any problem. Anything else (a prelude other than
//! comments, a second top-level key, a document marker, a directive, odd indentation at the level of
//! the items, a lone carriage return, a syntax error or an invalid entry in any chunk) returns `None`,
//! and the caller runs the whole-file path, so every diagnostic stays what it is.
//!
//! Why a chunk parses like its part of the whole file: a line that starts `- ` at the sequence's
//! indentation, and that is not inside a quoted scalar or a flow collection, ends every block node
//! opened after the previous item (block and plain scalars end at a line indented no deeper than their
//! parent), so it starts a new item in the whole file too. If such a line were inside a quoted scalar
//! or a flow collection, the chunk before it would end inside that scalar or collection: a syntax
//! error, so the whole-file path runs. Aliases are refused by the parser in any case; the parse of a
//! chunk starts with the same `operations:` mapping, so nesting depth limits are the same.

use std::sync::Arc;

use rayon::prelude::*;

use super::builder::CatalogBuilder;
use super::validate::build_operation_keeping;
use super::LoadedCatalog;
use super::Operation;
use crate::diag::SourceFile;
use crate::yaml::{self, Value};

/// Files smaller than this are parsed whole: below it, threads cost about as much as they save.
pub const MIN_SPLIT_BYTES: usize = 256 * 1024;

/// The size a chunk grows to before the next item starts a new one (about 100 operations).
pub const CHUNK_BYTES: usize = 128 * 1024;

/// What the chunk parse is prefixed with, so that a chunk parses in its context in the file.
const HEADER: &str = "operations:\n";

/// A chunk: byte range in the file's text, its first line, and the number of items starting in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chunk {
    start: usize,
    end: usize,
    first_line: usize,
    items: usize,
}

/// The valid operations of one file, in order, with the line each starts on.
pub(super) type Parsed = Vec<(Operation, usize)>;

/// Cuts `text` into chunks of about `chunk_bytes` at item starts, or `None` when the text is not
/// certainly one `operations:` key over a plain block sequence.
fn chunks(text: &str, chunk_bytes: usize) -> Option<Vec<Chunk>> {
    // yaml-rust2 counts a lone carriage return as a line break; line numbers here count '\n'.
    if text.contains('\r') {
        let bytes = text.as_bytes();
        let lone = text
            .match_indices('\r')
            .any(|(i, _)| bytes.get(i + 1) != Some(&b'\n'));
        if lone {
            return None;
        }
    }
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut header_seen = false;
    let mut format_seen = false;
    let mut indent: Option<usize> = None;
    let mut offset = 0;
    // The lines as `split('\n')` cuts them, found with memchr: this scan runs before the threads
    // start, and the standard library's search for a line end cost about a third of it.
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
    for (index, end) in ends.enumerate() {
        let line_no = index + 1;
        let start = offset;
        let raw = text.get(start..end).unwrap_or_default();
        offset = end + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let n = line.bytes().take_while(|&b| b == b' ').count();
        let rest = &line[n..];
        if rest.is_empty() || rest.starts_with('#') {
            continue; // blank (spaces only) or a comment
        }
        if !header_seen {
            // Only comments, blank lines and one valid `format: N` line may come before `operations:`
            // (no directive, no `---`); anything else about `format` is the whole-file path's to report.
            if n == 0 && rest.starts_with("format:") {
                if format_seen || format_value(rest).is_none() {
                    return None;
                }
                format_seen = true;
                continue;
            }
            let after = rest.strip_prefix("operations:")?;
            if n != 0 || !after.bytes().all(|b| b == b' ') {
                return None;
            }
            header_seen = true;
            continue;
        }
        let is_item = rest == "-" || rest.starts_with("- ");
        let ind = match indent {
            Some(ind) => ind,
            None if is_item => {
                indent = Some(n);
                n
            }
            None => return None,
        };
        if n < ind || (n == ind && !is_item) {
            return None; // another top-level key, a document marker, odd indentation
        }
        if n > ind {
            continue; // inside an item
        }
        match chunks.last_mut() {
            Some(last) if start - last.start < chunk_bytes => last.items += 1,
            _ => chunks.push(Chunk {
                start,
                end: 0,
                first_line: line_no,
                items: 1,
            }),
        }
    }
    let ends: Vec<usize> = chunks
        .iter()
        .skip(1)
        .map(|c| c.start)
        .chain([text.len()])
        .collect();
    for (chunk, end) in chunks.iter_mut().zip(ends) {
        chunk.end = end;
    }
    (!chunks.is_empty()).then_some(chunks)
}

/// The version of a prelude line `format: N` (N a valid version, nothing else on the line).
fn format_value(line: &str) -> Option<u32> {
    let v = line.strip_prefix("format:")?.trim_matches(' ');
    if v.is_empty() || v.len() > 3 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u32 = v.parse().ok()?;
    (1..=super::format::CURRENT_FORMAT)
        .contains(&v)
        .then_some(v)
}

/// The `format: N` declared in the prelude of a file the split accepted: (version, line, column).
pub(super) fn prelude_format(text: &str) -> Option<(u32, usize, usize)> {
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with("operations:") {
            return None;
        }
        if let Some(v) = format_value(line) {
            return Some((v, index + 1, 1));
        }
    }
    None
}

/// Parses and validates one chunk; `None` on any problem (a syntax error, an invalid entry, a shape
/// other than `operations:` over a list of as many items as the chunk starts).
fn parse_chunk(file: &Arc<SourceFile>, chunk: Chunk) -> Option<Parsed> {
    let text = file.text.get(chunk.start..chunk.end)?;
    // The chunk's first line is line 2 of `HEADER` + chunk.
    let root = yaml::parse_nodes_after(HEADER, text, chunk.first_line.checked_sub(2)?).ok()??;
    let Value::Map(mut entries) = root.value else {
        return None;
    };
    let (key, value) = entries.pop()?;
    if !entries.is_empty() || key.value != Value::Str("operations".into()) {
        return None;
    }
    let Value::Seq(items) = value.value else {
        return None;
    };
    if items.len() != chunk.items {
        return None;
    }
    let mut parsed = Vec::with_capacity(items.len());
    for item in items {
        let line = item.pos.line;
        let op = build_operation_keeping(file, item, &mut None).ok()?;
        parsed.push((op, line));
    }
    Some(parsed)
}

/// The operations of a YAML catalog file parsed in chunks of about `chunk_bytes`, in parallel, or
/// `None` when the whole-file path must run (see the module documentation).
pub(super) fn parse_split(file: &Arc<SourceFile>, chunk_bytes: usize) -> Option<Vec<Parsed>> {
    let chunks = chunks(&file.text, chunk_bytes)?;
    chunks
        .into_par_iter()
        .map(|chunk| parse_chunk(file, chunk))
        .collect()
}

/// Adds the operations parsed by [`parse_split`] in order, as the whole-file path adds valid entries: an
/// id already used is reported and skipped, and the file's problem limit applies. `too_many` is the
/// whole-file path's check, called before each entry.
pub(super) fn add_parsed(
    file: &Arc<SourceFile>,
    parsed: Vec<Parsed>,
    out: &mut CatalogBuilder,
    mut too_many: impl FnMut(&mut LoadedCatalog) -> bool,
) {
    out.catalog
        .operations
        .reserve(parsed.iter().map(Vec::len).sum());
    for (op, line) in parsed.into_iter().flatten() {
        if too_many(out) {
            return;
        }
        out.add(file, line, Arc::new(op));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str, bytes: usize) -> Option<Vec<(usize, usize)>> {
        chunks(text, bytes).map(|c| c.iter().map(|c| (c.first_line, c.items)).collect())
    }

    #[test]
    fn a_valid_format_line_may_come_before_operations() {
        assert_eq!(
            starts("# c\nformat: 3\noperations:\n  - a\n", 1000),
            Some(vec![(4, 1)])
        );
        assert_eq!(
            prelude_format("# c\nformat: 2\noperations:\n"),
            Some((2, 2, 1))
        );
        for text in [
            "format: 9\noperations:\n  - a\n",
            "format: x\noperations:\n  - a\n",
            "format: 3\nformat: 3\noperations:\n  - a\n",
            "format: 3 # c\noperations:\n  - a\n",
            "operations:\n  - a\nformat: 3\n",
        ] {
            assert_eq!(starts(text, 1000), None, "{text}");
        }
    }

    #[test]
    fn splits_at_items_of_the_top_level_sequence() {
        let text = "# c\noperations:\n  - id: a\n    steps:\n    - x\n  # between\n  - id: b\n\n  - id: c\n";
        assert_eq!(starts(text, 1), Some(vec![(3, 1), (7, 1), (9, 1)]));
        assert_eq!(starts(text, 1000), Some(vec![(3, 3)]));
        assert_eq!(
            starts("operations:\n- a\n- b\n", 1),
            Some(vec![(2, 1), (3, 1)])
        );
    }

    #[test]
    fn the_split_is_taken_for_clean_files_only() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog/02_soumu.yaml");
        let text = std::fs::read_to_string(path).expect("bundled catalog");
        let file = Arc::new(SourceFile::new("t.yaml", text.as_str()));
        let parsed = parse_split(&file, 1).expect("split");
        assert!(parsed.len() > 1);
        assert!(parsed.iter().all(|chunk| chunk.len() == 1));
        let broken = text.replacen("difficulty: ", "difficulty: 99 #", 1);
        assert_ne!(broken, text);
        let broken = Arc::new(SourceFile::new("t.yaml", broken));
        assert!(parse_split(&broken, 1).is_none());
    }

    #[test]
    fn refuses_what_it_is_not_sure_of() {
        for text in [
            "---\noperations:\n  - a\n",
            "%YAML 1.2\noperations:\n  - a\n",
            "operations: &x\n  - a\n",
            "operations:\n  - a\nother: 1\n",
            "operations:\n  - a\n ? b\n",
            "operations:\n  - a\n  b: 1\n",
            "operations:\n  - a\n---\n",
            "operations:\n  - a\r  - b\n",
            "operations: [a]\n",
            "operations:\n",
            "\"operations\":\n  - a\n",
        ] {
            assert_eq!(starts(text, 1), None, "{text:?}");
        }
    }
}
