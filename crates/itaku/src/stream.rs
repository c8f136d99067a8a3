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
use std::sync::{mpsc, Arc, Mutex};

use rayon::prelude::*;

use crate::assess::{assess_operation, round2, Assessment};
use crate::catalog::IdIndex;
use crate::catalog::{
    duplicate_id, line_too_long, operation_from_jsonl_line, Operation, OperationId, Origin,
};
use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::lang::Lang;
use crate::model::Recommendation;
use crate::render::{write_jsonl_line, JsonItems, LINES_PER_BUFFER, LINE_BYTES_HINT};
use crate::rules::CompiledRules;

/// Lines read, assessed and written together.
pub use crate::render::BATCH_LINES;

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
    fn add(&mut self, t: &Tally) {
        self.operations += 1;
        self.by_recommendation[t.recommendation] += 1;
        self.freed_fte += t.freed_fte;
        self.proposal_calls += usize::from(t.proposal_call);
        self.rule_errors += t.rule_errors;
    }
}

/// What the summary needs of one assessment, taken where it was made: the assessment itself is
/// dropped by the thread that allocated it (a cheaper free than on the writer's thread).
struct Tally {
    /// Where its line ends in the run's buffer.
    end: usize,
    /// Position in [`Recommendation::ALL`].
    recommendation: usize,
    freed_fte: f64,
    proposal_call: bool,
    rule_errors: usize,
}

impl Tally {
    fn of(a: &Assessment, end: usize) -> Self {
        Self {
            end,
            recommendation: Recommendation::ALL
                .iter()
                .position(|r| *r == a.recommendation)
                .unwrap_or(0),
            freed_fte: a.freed_fte,
            proposal_call: a.proposal_call,
            rule_errors: a.errors.len(),
        }
    }
}

/// Reads JSON Lines from `input` (named `path` in messages), assesses each operation and writes one
/// JSON line per assessment to `out`. Problems go to `on_problem` as they are found; a bad line never
/// stops the stream. Only I/O errors on `input` or `out` end it early.
///
/// The serial stages (reading and splitting lines, the duplicate-id check, reporting problems, writing)
/// run on the calling thread while a second thread has the parallel ones (parsing, assessing,
/// rendering) done on the rayon pool: batch N+1 is computed while batch N is written and batch N+2 read.
/// At most [`BATCHES_IN_FLIGHT`] batches and [`GROUPS_IN_FLIGHT`] rendered groups are held at once,
/// so memory stays flat; text and output buffers are reused from batch to batch.
pub fn assess_jsonl(
    path: &str,
    input: &mut dyn BufRead,
    rules: &CompiledRules,
    lang: Lang,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(Problem<'_>),
) -> std::io::Result<StreamSummary> {
    assess_jsonl_as(path, input, rules, lang, false, out, on_problem)
}

/// [`assess_jsonl`], in the compact form when `compact` (`render/compact.rs`: the header record first,
/// then one compact line per assessment).
pub fn assess_jsonl_as(
    path: &str,
    input: &mut dyn BufRead,
    rules: &CompiledRules,
    lang: Lang,
    compact: bool,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(Problem<'_>),
) -> std::io::Result<StreamSummary> {
    let mut summary = StreamSummary::default();
    // The item texts, escaped for JSON once for the whole stream.
    let items = if compact {
        out.write_all(&crate::render::compact::compact_header(&rules.rules, lang))?;
        JsonItems::compact(&rules.rules, lang)
    } else {
        JsonItems::new(&rules.rules, lang)
    };
    let buffers = BufferPool::default();
    let (batch_tx, batch_rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
    let (msg_tx, msg_rx) = mpsc::sync_channel::<Message>(GROUPS_IN_FLIGHT);
    std::thread::scope(|scope| {
        let compute = Compute {
            path,
            rules,
            items: &items,
            buffers: &buffers,
        };
        scope.spawn(move || compute.run(batch_rx, msg_tx));
        let result = drive(
            path,
            input,
            out,
            on_problem,
            &mut summary,
            &buffers,
            batch_tx,
            msg_rx,
        );
        // Leaving the scope drops both channel ends: the compute thread stops at its next step.
        result
    })?;
    summary.freed_fte = round2(summary.freed_fte);
    Ok(summary)
}

/// Batches read ahead of the one being written (one computed, one waiting).
pub const BATCHES_IN_FLIGHT: usize = 2;

/// Operations assessed and rendered together and handed to the writer as one message.
const GROUP_OPS: usize = 1024;

/// Rendered groups waiting for the writer.
pub const GROUPS_IN_FLIGHT: usize = 2;

/// Lines read together.
struct Batch {
    text: String,
    first_line: usize,
    /// Where each line starts in `text` (every line there ends with `\n`).
    starts: Vec<usize>,
    /// Lines refused while reading (too long, not UTF-8), with their line numbers.
    early: Vec<(usize, Diagnostic)>,
}

/// What became of one line, as the writer needs it.
enum LineOutcome {
    Blank,
    Problems(Diagnostics),
    /// A valid operation: its id (for the duplicate check) and the problems of its unknown hazard words
    /// (an operation without any is assessed, in line order, in the groups that follow).
    Operation {
        id: OperationId,
        hazards: Vec<Diagnostic>,
    },
}

/// From the compute thread to the writer, in order: for each batch, `Parsed`, then its `Rendered`
/// groups, then `Done`.
enum Message {
    Parsed {
        /// The batch (problems are located in it).
        file: Arc<SourceFile>,
        lines: Vec<LineOutcome>,
        early: Vec<(usize, Diagnostic)>,
    },
    Rendered(Vec<Run>),
    Done(Arc<SourceFile>),
    Failed(std::io::Error),
}

/// Operations assessed and rendered by one task into one buffer, a [`Tally`] per line, so that
/// problems are still reported line by line, in order: `failed` keeps the assessments on which a rule
/// failed, with their position in the run.
struct Run {
    lines: Vec<Tally>,
    failed: Vec<(usize, Assessment)>,
    buf: Vec<u8>,
}

/// Output buffers handed back by the writer for reuse (a fresh buffer costs its page faults).
#[derive(Default)]
struct BufferPool(Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    const KEEP: usize = 64;

    fn take(&self, capacity: usize) -> Vec<u8> {
        let spare = self.0.lock().ok().and_then(|mut v| v.pop());
        match spare {
            Some(mut b) => {
                b.clear();
                b.reserve(capacity);
                b
            }
            None => Vec::with_capacity(capacity),
        }
    }

    fn give(&self, buf: Vec<u8>) {
        if let Ok(mut v) = self.0.lock() {
            if v.len() < Self::KEEP {
                v.push(buf);
            }
        }
    }
}

/// The parallel stages, run from their own thread on the rayon pool.
struct Compute<'a> {
    path: &'a str,
    rules: &'a CompiledRules,
    items: &'a JsonItems,
    buffers: &'a BufferPool,
}

impl Compute<'_> {
    fn run(self, batches: mpsc::Receiver<Batch>, messages: mpsc::SyncSender<Message>) {
        for batch in batches {
            if !self.batch(batch, &messages) {
                return;
            }
        }
    }

    /// Parses, assesses and renders one batch; false once the writer has gone.
    fn batch(&self, batch: Batch, messages: &mpsc::SyncSender<Message>) -> bool {
        let first_line = batch.first_line;
        let file = Arc::new(SourceFile::starting_at(self.path, batch.text, first_line));
        // The lines as `str::lines` cuts them, from the starts the reader noted.
        let text = file.text.as_str();
        let ends = batch.starts.iter().skip(1).copied().chain([text.len()]);
        let texts: Vec<&str> = (batch.starts.iter().zip(ends))
            .map(|(&start, end)| {
                let line = text.get(start..end).unwrap_or_default();
                let line = line.strip_suffix('\n').unwrap_or(line);
                line.strip_suffix('\r').unwrap_or(line)
            })
            .collect();
        let parsed: Vec<(LineOutcome, Option<Arc<Operation>>)> = texts
            .par_iter()
            .enumerate()
            .map(|(i, text)| self.line(&file, first_line + i, text))
            .collect();
        drop(texts);
        let mut lines = Vec::with_capacity(parsed.len());
        let mut operations = Vec::with_capacity(parsed.len());
        for (outcome, op) in parsed {
            lines.push(outcome);
            operations.extend(op);
        }
        let parsed = Message::Parsed {
            file: Arc::clone(&file),
            lines,
            early: batch.early,
        };
        if messages.send(parsed).is_err() {
            return false;
        }
        for group in operations.chunks(GROUP_OPS) {
            let runs = group
                .par_chunks(LINES_PER_BUFFER)
                .map(|run| {
                    let mut lines = Vec::with_capacity(run.len());
                    let mut failed = Vec::new();
                    let mut buf = self.buffers.take(run.len() * LINE_BYTES_HINT);
                    for (i, op) in run.iter().enumerate() {
                        let a = assess_operation(op, self.rules);
                        write_jsonl_line(&mut buf, &a, &self.rules.rules, self.items)?;
                        lines.push(Tally::of(&a, buf.len()));
                        if !a.errors.is_empty() {
                            failed.push((i, a));
                        }
                    }
                    Ok(Run { lines, failed, buf })
                })
                .collect::<std::io::Result<Vec<Run>>>();
            let message = match runs {
                Ok(runs) => Message::Rendered(runs),
                Err(e) => Message::Failed(e),
            };
            if messages.send(message).is_err() {
                return false;
            }
        }
        drop(operations);
        messages.send(Message::Done(file)).is_ok()
    }

    /// Parses one line; a valid operation without unknown hazard words is also returned to be assessed
    /// (before the duplicate check, which needs the lines before it: a duplicate's assessment is dropped).
    fn line(
        &self,
        file: &Arc<SourceFile>,
        line: usize,
        text: &str,
    ) -> (LineOutcome, Option<Arc<Operation>>) {
        match operation_from_jsonl_line(file, line, text) {
            Ok(None) => (LineOutcome::Blank, None),
            Err(problems) => (LineOutcome::Problems(problems), None),
            Ok(Some(op)) => {
                let rules = &self.rules.rules;
                let unknown = crate::check::unknown_hazards(rules, &op);
                let hazards: Vec<Diagnostic> = unknown
                    .into_iter()
                    .map(|(word, hint)| {
                        let d = crate::check::hazard_problem(rules, op.id.as_str(), &word, hint);
                        let col = text
                            .find(&format!("\"{word}\""))
                            .map_or(1, |b| text[..b].chars().count() + 2);
                        d.at(Location::new(file, line, col, word.chars().count()))
                    })
                    .collect();
                let id = op.id.clone();
                let op = hazards.is_empty().then(|| Arc::new(op));
                (LineOutcome::Operation { id, hazards }, op)
            }
        }
    }
}

/// The calling thread's part: reads batches, checks ids, reports problems and writes, in order.
#[allow(clippy::too_many_arguments)]
fn drive(
    path: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(Problem<'_>),
    summary: &mut StreamSummary,
    buffers: &BufferPool,
    batches: mpsc::SyncSender<Batch>,
    messages: mpsc::Receiver<Message>,
) -> std::io::Result<()> {
    let mut seen = SeenIds::default();
    let mut reader = LineReader::new(input);
    let mut spare_text = String::new();
    let mut in_flight = 0;
    let mut at_end = false;
    // Whether each assessed operation of the current batch is written (not a duplicate), in order.
    let mut keep: Vec<bool> = Vec::new();
    loop {
        while !at_end && in_flight < BATCHES_IN_FLIGHT {
            match read_batch(path, &mut reader, std::mem::take(&mut spare_text))? {
                Some(batch) => {
                    if batches.send(batch).is_err() {
                        return Err(compute_stopped());
                    }
                    in_flight += 1;
                }
                None => at_end = true,
            }
        }
        if in_flight == 0 {
            return Ok(());
        }
        // Everything the compute thread says about the oldest batch, up to its end.
        let mut kept = 0;
        loop {
            match messages.recv().map_err(|_| compute_stopped())? {
                Message::Parsed { file, lines, early } => {
                    let first_line = file.first_line;
                    keep.clear();
                    let mut early = early.into_iter().peekable();
                    for (i, outcome) in lines.into_iter().enumerate() {
                        let line = first_line + i;
                        while let Some((_, d)) = early.next_if(|(at, _)| *at <= line) {
                            summary.catalog_errors += 1;
                            on_problem(Problem::Catalog(&d));
                        }
                        match outcome {
                            LineOutcome::Blank => {}
                            LineOutcome::Problems(problems) => {
                                for d in problems.iter() {
                                    summary.catalog_errors += 1;
                                    on_problem(Problem::Catalog(d));
                                }
                            }
                            LineOutcome::Operation { id, hazards } => {
                                let origin = Origin {
                                    file: path.to_string(),
                                    line,
                                };
                                // The same id contract as the catalog builder's, over digests.
                                let first = IdIndex::first(&mut seen, id.as_str(), &origin);
                                if let Some(first) = &first {
                                    let d = duplicate_id(&file, line, id.as_str(), first);
                                    summary.catalog_errors += 1;
                                    on_problem(Problem::Catalog(&d));
                                } else {
                                    for d in &hazards {
                                        summary.catalog_errors += 1;
                                        on_problem(Problem::Catalog(d));
                                    }
                                }
                                if hazards.is_empty() {
                                    keep.push(first.is_none());
                                }
                            }
                        }
                    }
                    for (_, d) in early {
                        summary.catalog_errors += 1;
                        on_problem(Problem::Catalog(&d));
                    }
                }
                Message::Rendered(runs) => {
                    for run in runs {
                        // Consecutive written lines go out in one call: a run longer than the
                        // writer's buffer is written straight from ours instead of copied into it.
                        let mut start = 0;
                        let mut pending = 0..0;
                        let mut failed = run.failed.iter().peekable();
                        for (i, tally) in run.lines.iter().enumerate() {
                            let end = tally.end;
                            let write = keep.get(kept).copied().unwrap_or(false);
                            kept += 1;
                            let failure = failed.next_if(|(at, _)| *at == i);
                            if write {
                                summary.add(tally);
                                if let Some((_, a)) = failure {
                                    on_problem(Problem::Rule(a));
                                }
                                if pending.end != start {
                                    out.write_all(run.buf.get(pending).unwrap_or_default())?;
                                    pending = start..start;
                                }
                                pending.end = end;
                            }
                            start = end;
                        }
                        out.write_all(run.buf.get(pending).unwrap_or_default())?;
                        buffers.give(run.buf);
                    }
                }
                Message::Done(file) => {
                    spare_text = Arc::try_unwrap(file).map(|f| f.text).unwrap_or_default();
                    in_flight -= 1;
                    break;
                }
                Message::Failed(e) => return Err(e),
            }
        }
    }
}

fn compute_stopped() -> std::io::Error {
    std::io::Error::other("the assessment thread stopped")
}

/// Reads up to [`BATCH_LINES`] lines into `text` (cleared first); `None` at the end of input.
fn read_batch(
    path: &str,
    reader: &mut LineReader<'_>,
    mut text: String,
) -> std::io::Result<Option<Batch>> {
    text.clear();
    let first_line = reader.line + 1;
    let mut early = Vec::new();
    let mut starts = Vec::with_capacity(BATCH_LINES);
    while starts.len() < BATCH_LINES {
        let start = text.len();
        match reader.next_line(&mut text)? {
            None => break,
            Some(Ok(())) => {}
            Some(Err(bad)) => early.push((reader.line, bad.diagnostic(path, reader.line))),
        }
        starts.push(start);
    }
    Ok((!starts.is_empty()).then_some(Batch {
        text,
        first_line,
        starts,
        early,
    }))
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

impl crate::catalog::IdIndex for SeenIds {
    fn first(&mut self, id: &str, origin: &Origin) -> Option<Origin> {
        self.first_line(id, origin.line).map(|line| Origin {
            file: origin.file.clone(),
            line,
        })
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
#[derive(Debug, PartialEq)]
enum BadLine {
    TooLong,
    Encoding { column: usize },
}

impl BadLine {
    fn diagnostic(&self, path: &str, line: usize) -> Diagnostic {
        match self {
            BadLine::TooLong => line_too_long(path, line),
            BadLine::Encoding { column } => Diagnostic::error(
                Code::CatalogEncoding,
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
        // A whole line in the reader's buffer is taken from there, without copying it first.
        let available = self.input.fill_buf()?;
        if let Some(n) = memchr::memchr(b'\n', available).filter(|&n| n <= MAX_LINE_BYTES) {
            self.line += 1;
            let accepted = accept_line(&available[..n], self.line, batch);
            self.input.consume(n + 1);
            return Ok(Some(accepted));
        }
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
        Ok(Some(accept_line(line, self.line, batch)))
    }
}

/// Appends line number `number` (without its `\n`) to `batch`, or an empty line if it is not UTF-8.
fn accept_line(line: &[u8], number: usize, batch: &mut String) -> Result<(), BadLine> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = if number == 1 {
        line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
    } else {
        line
    };
    // Validated with SIMD (most lines are Japanese text, where the standard library's ASCII shortcut
    // does not help); the standard library then finds where a bad line goes wrong.
    match simdutf8::basic::from_utf8(line).or_else(|_| std::str::from_utf8(line)) {
        Ok(text) => {
            batch.push_str(text);
            batch.push('\n');
            Ok(())
        }
        Err(e) => {
            let valid = std::str::from_utf8(&line[..e.valid_up_to()]).unwrap_or("");
            batch.push('\n');
            Err(BadLine::Encoding {
                column: valid.chars().count() + 1,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each line's number and outcome.
    type Outcomes = Vec<(usize, Result<(), BadLine>)>;

    /// Reads all of `input` through a reader buffer of `capacity` bytes: the text and each line's outcome.
    fn read_all(input: &[u8], capacity: usize) -> (String, Outcomes) {
        let mut buffered = std::io::BufReader::with_capacity(capacity, input);
        let mut reader = LineReader::new(&mut buffered);
        let mut text = String::new();
        let mut outcomes = Vec::new();
        while let Some(outcome) = reader.next_line(&mut text).unwrap() {
            outcomes.push((reader.line, outcome));
        }
        (text, outcomes)
    }

    #[test]
    fn lines_read_the_same_whether_whole_in_the_reader_buffer_or_split_across_it() {
        let mut input = b"\xEF\xBB\xBF{\"a\": 1}\r\n".to_vec();
        input.extend_from_slice("{\"名前\": \"窓口\"}\n\n".as_bytes());
        input.extend_from_slice(b"{\"bad\": \"\xff\"}\r\n");
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend_from_slice(b"\n\xEF\xBB\xBFsecond-bom\nlast without newline");
        let whole = read_all(&input, 4 << 20);
        assert_eq!(
            whole.0,
            "{\"a\": 1}\n{\"名前\": \"窓口\"}\n\n\n\n\u{FEFF}second-bom\nlast without newline\n"
        );
        assert_eq!(
            whole.1,
            [
                (1, Ok(())),
                (2, Ok(())),
                (3, Ok(())),
                (4, Err(BadLine::Encoding { column: 10 })),
                (5, Err(BadLine::TooLong)),
                (6, Ok(())),
                (7, Ok(())),
            ]
        );
        for capacity in [1, 7, 64, 1 << 20] {
            assert_eq!(
                read_all(&input, capacity),
                whole,
                "reader buffer of {capacity} bytes"
            );
        }
    }

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
