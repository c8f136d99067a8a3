//! Streaming assessment of JSON Lines catalogs, for catalogs too large to hold (millions of operations).
//!
//! Lines are read, validated, assessed and written in batches of [`BATCH_LINES`]; within a batch, parsing,
//! assessment and rendering run in parallel, and lines are written in catalog order. Memory is bounded by
//! the batch, plus the set of ids seen so far (needed to refuse a duplicate id): a 128-bit digest of
//! each id and its line, 24 bytes an entry, 28 to 55 bytes an operation with the table's spare room,
//! whatever the length of the ids. The output is byte-identical to `--format jsonl` on the same catalog loaded whole.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, Read, Write};
use std::sync::Arc;

use rayon::prelude::*;

use crate::assess::{assess_operation, round2, Assessment};
use crate::catalog::{duplicate_id, line_too_long, operation_from_jsonl_line, Operation, Origin};
use crate::diag::{Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::Lang;
use crate::model::Recommendation;
use crate::render::{write_jsonl_line, JsonItems, LINES_PER_BUFFER, LINE_BYTES_HINT};
use crate::rules::CompiledRules;

/// Lines read, assessed and written together.
pub const BATCH_LINES: usize = 4096;

/// Longest line accepted (the same limit as a JSON Lines file read whole); a longer line is reported
/// and skipped without being held in memory.
pub use crate::catalog::MAX_LINE_BYTES;

/// Something the caller should show the user while the stream runs.
pub enum Problem<'a> {
    /// A catalog line that was not assessed (syntax, validation, duplicate id, encoding, length).
    Catalog(&'a Diagnostic),
    /// An operation on which a rule failed (it was still written, as `study`).
    Rule(&'a Assessment),
}

/// Totals over a streamed catalog (the `summary` of the JSON document, without per-group maps).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamSummary {
    pub operations: usize,
    /// Counts in the order of [`Recommendation::ALL`].
    pub by_recommendation: [usize; 4],
    pub freed_fte: f64,
    pub proposal_calls: usize,
    pub rule_errors: usize,
    pub catalog_errors: usize,
}

impl StreamSummary {
    fn add(&mut self, a: &Assessment) {
        self.operations += 1;
        let i = Recommendation::ALL
            .iter()
            .position(|r| *r == a.recommendation)
            .unwrap_or(0);
        self.by_recommendation[i] += 1;
        self.freed_fte += a.freed_fte;
        self.proposal_calls += usize::from(a.proposal_call);
        self.rule_errors += a.errors.len();
    }
}

/// Reads JSON Lines from `input` (named `path` in messages), assesses each operation and writes one
/// JSON line per assessment to `out`. Problems go to `on_problem` as they are found; a bad line never
/// stops the stream. Only I/O errors on `input` or `out` end it early.
pub fn assess_jsonl(
    path: &str,
    input: &mut dyn BufRead,
    rules: &CompiledRules,
    lang: Lang,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(Problem<'_>),
) -> std::io::Result<StreamSummary> {
    let mut summary = StreamSummary::default();
    // The item texts, escaped for JSON once for the whole stream.
    let items = JsonItems::new(&rules.rules, lang);
    let mut seen = SeenIds::default();
    let mut reader = LineReader::new(input);
    let mut batch = String::new();
    loop {
        batch.clear();
        let first_line = reader.line + 1;
        let mut early: Vec<(usize, Diagnostic)> = Vec::new();
        let mut lines = 0;
        while lines < BATCH_LINES {
            match reader.next_line(&mut batch)? {
                None => break,
                Some(Ok(())) => {}
                Some(Err(bad)) => early.push((reader.line, bad.diagnostic(path, reader.line))),
            }
            lines += 1;
        }
        if lines == 0 {
            break;
        }
        let file = Arc::new(SourceFile::starting_at(
            path,
            std::mem::take(&mut batch),
            first_line,
        ));
        let texts: Vec<&str> = file.text.lines().collect();
        let parsed: Vec<(usize, Result<Option<Operation>, Diagnostics>)> = texts
            .par_iter()
            .enumerate()
            .map(|(i, line)| {
                let n = first_line + i;
                (n, operation_from_jsonl_line(&file, n, line))
            })
            .collect();
        drop(texts);
        let mut early = early.into_iter().peekable();
        let mut operations = Vec::with_capacity(parsed.len());
        for (line, result) in parsed {
            while let Some((_, d)) = early.next_if(|(at, _)| *at <= line) {
                summary.catalog_errors += 1;
                on_problem(Problem::Catalog(&d));
            }
            match result {
                Ok(Some(op)) => {
                    if let Some(first) = seen.first_line(op.id.as_str(), line) {
                        let origin = Origin {
                            file: path.to_string(),
                            line: first,
                        };
                        let d = duplicate_id(&file, line, op.id.as_str(), &origin);
                        summary.catalog_errors += 1;
                        on_problem(Problem::Catalog(&d));
                        continue;
                    }
                    let unknown = crate::check::unknown_hazards(&rules.rules, &op);
                    if !unknown.is_empty() {
                        let text = file.text.lines().nth(line - first_line).unwrap_or("");
                        for (word, hint) in unknown {
                            let mut d = crate::check::hazard_problem(
                                &rules.rules,
                                op.id.as_str(),
                                &word,
                                hint,
                            );
                            let col = text
                                .find(&format!("\"{word}\""))
                                .map_or(1, |b| text[..b].chars().count() + 2);
                            d = d.at(Location::new(&file, line, col, word.chars().count()));
                            summary.catalog_errors += 1;
                            on_problem(Problem::Catalog(&d));
                        }
                        continue;
                    }
                    operations.push(Arc::new(op));
                }
                Ok(None) => {}
                Err(problems) => {
                    for d in problems.iter() {
                        summary.catalog_errors += 1;
                        on_problem(Problem::Catalog(d));
                    }
                }
            }
        }
        for (_, d) in early {
            summary.catalog_errors += 1;
            on_problem(Problem::Catalog(&d));
        }
        // A run of operations is assessed and rendered by one task into one buffer; `ends` marks
        // where each line ends, so that problems are still reported line by line, in order.
        let runs: Vec<(Vec<Assessment>, Vec<usize>, Vec<u8>)> = operations
            .par_chunks(LINES_PER_BUFFER)
            .map(|run| {
                let mut assessed = Vec::with_capacity(run.len());
                let mut ends = Vec::with_capacity(run.len());
                let mut buf = Vec::with_capacity(run.len() * LINE_BYTES_HINT);
                for op in run {
                    let a = assess_operation(op, rules);
                    write_jsonl_line(&mut buf, &a, &rules.rules, &items)?;
                    ends.push(buf.len());
                    assessed.push(a);
                }
                Ok((assessed, ends, buf))
            })
            .collect::<std::io::Result<_>>()?;
        for (assessed, ends, buf) in &runs {
            let mut start = 0;
            for (a, &end) in assessed.iter().zip(ends) {
                summary.add(a);
                if !a.errors.is_empty() {
                    on_problem(Problem::Rule(a));
                }
                out.write_all(buf.get(start..end).unwrap_or_default())?;
                start = end;
            }
        }
        batch = Arc::try_unwrap(file).map(|f| f.text).unwrap_or_default();
    }
    summary.freed_fte = round2(summary.freed_fte);
    Ok(summary)
}

/// The ids seen so far, kept as the first 128 bits of their SHA-256 digest with the line they were
/// first seen on, so that memory does not grow with the length of the ids (an id may be 128 bytes).
///
/// Two different ids share a key only if SHA-256 collides in its first 128 bits: for a billion ids the
/// chance is about 1 in 10^21, and finding such a pair on purpose takes about 2^64 hash evaluations.
/// A second, verifying pass over the input would need the input twice, which standard input cannot give.
#[derive(Default)]
struct SeenIds(HashMap<(u64, u64), u64, BuildHasherDefault<DigestHasher>>);

impl SeenIds {
    /// The line an id was first seen on, or `None` (and the id is recorded at `line`) if it is new.
    fn first_line(&mut self, id: &str, line: usize) -> Option<usize> {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(id.as_bytes());
        let half = |i: usize| u64::from_le_bytes(digest[i..i + 8].try_into().unwrap_or_default());
        match self.0.entry((half(0), half(8))) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get() as usize),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(line as u64);
                None
            }
        }
    }
}

/// The keys of [`SeenIds`] are already digests: their own bits are the table's hash.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(29) ^ n;
    }
}

/// Why a line was refused before parsing.
enum BadLine {
    TooLong,
    Encoding { column: usize },
}

impl BadLine {
    fn diagnostic(&self, path: &str, line: usize) -> Diagnostic {
        match self {
            BadLine::TooLong => line_too_long(path, line),
            BadLine::Encoding { column } => Diagnostic::error(
                "catalog::encoding",
                "UTF-8 として読めないバイトがあります",
                "the line contains bytes that are not valid UTF-8",
            )
            .at(Location::new(
                &Arc::new(SourceFile::starting_at(path, "", line)),
                line,
                *column,
                1,
            ))
            .help(
                "ファイルを UTF-8 で保存し直してください (Shift_JIS は不可)",
                "save the file as UTF-8 (not Shift_JIS)",
            ),
        }
    }
}

/// Reads lines of at most [`MAX_LINE_BYTES`], appending valid ones to a batch. A refused line is
/// appended as an empty line, so that the batch keeps the file's line numbers.
struct LineReader<'a> {
    input: &'a mut dyn BufRead,
    buf: Vec<u8>,
    /// Number of lines read so far.
    line: usize,
}

impl<'a> LineReader<'a> {
    fn new(input: &'a mut dyn BufRead) -> Self {
        Self {
            input,
            buf: Vec::new(),
            line: 0,
        }
    }

    /// `None` at the end of input.
    fn next_line(&mut self, batch: &mut String) -> std::io::Result<Option<Result<(), BadLine>>> {
        self.buf.clear();
        let n = (&mut *self.input)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.len() > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') {
            // Skip the rest of the line without holding it.
            loop {
                self.buf.clear();
                let n = (&mut *self.input)
                    .take(1 << 16)
                    .read_until(b'\n', &mut self.buf)?;
                if n == 0 || self.buf.last() == Some(&b'\n') {
                    break;
                }
            }
            batch.push('\n');
            return Ok(Some(Err(BadLine::TooLong)));
        }
        let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = if self.line == 1 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        match std::str::from_utf8(line) {
            Ok(text) => {
                batch.push_str(text);
                batch.push('\n');
                Ok(Some(Ok(())))
            }
            Err(e) => {
                let valid = std::str::from_utf8(&line[..e.valid_up_to()]).unwrap_or("");
                batch.push('\n');
                Ok(Some(Err(BadLine::Encoding {
                    column: valid.chars().count() + 1,
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_set_keeps_a_fixed_size_entry_whatever_the_id_length() {
        let mut seen = SeenIds::default();
        let long = "x".repeat(128);
        assert_eq!(seen.first_line(&long, 1), None);
        assert_eq!(seen.first_line("short", 2), None);
        assert_eq!(seen.first_line(&long, 9), Some(1));
        assert_eq!(seen.first_line("short", 10), Some(2));
        assert_eq!(std::mem::size_of::<((u64, u64), u64)>(), 24);
    }
}
