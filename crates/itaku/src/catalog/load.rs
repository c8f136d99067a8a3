//! Reading catalog files into validated [`Operation`]s, collecting every problem as a located diagnostic.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::builder::CatalogBuilder;
use super::validate::{build_operation, MAX_PROBLEMS_PER_FILE};
use super::LoadedCatalog;

use super::yaml_split;
use super::Operation;
use crate::diag::{Code, Diagnostic, Diagnostics, Location, Severity, SourceFile};
use crate::suggest::did_you_mean;
use crate::yaml::{self, Node, Pos, Value};

/// Largest YAML catalog file accepted, as for JSON Lines read whole. Larger catalogs belong in JSON
/// Lines, which is streamed. A clean file is parsed in chunks (`yaml_split`), without the whole tree; a
/// file with problems is parsed whole, which takes about 13 times its size in memory.
pub const MAX_YAML_BYTES: u64 = 256 * 1024 * 1024;

/// Longest JSON Lines record accepted, whether the file is streamed or read whole (a valid operation is a
/// few kilobytes): both paths give the same answer for the same line.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Largest JSON Lines file read whole (`check`, `assess` to a format other than `jsonl`): held whole, a
/// catalog takes about 16 times its size in memory. A larger one is streamed with `assess --format
/// jsonl`. Also bounds what a device named as a catalog can make us read.
pub const MAX_JSONL_BYTES: u64 = 256 * 1024 * 1024;

/// True (after adding a final notice) once a file has produced [`MAX_PROBLEMS_PER_FILE`] problems.
fn too_many_problems(file: &Arc<SourceFile>, out: &mut LoadedCatalog, first: usize) -> bool {
    if out.diagnostics.len() - first < MAX_PROBLEMS_PER_FILE {
        return false;
    }
    out.diagnostics.push(
        Diagnostic::error(
            Code::CatalogTooManyProblems,
            format!("問題が多すぎるため、このファイルの残りは検査していません (最初の{MAX_PROBLEMS_PER_FILE}件を表示)"),
            format!("too many problems: the rest of this file was not checked (the first {MAX_PROBLEMS_PER_FILE} are shown)"),
        )
        .in_file(file.path.clone())
        .help(
            "上の問題を直してから、もう一度検査してください",
            "fix the problems above and check again",
        ),
    );
    true
}

/// Loads a catalog file (`.yaml`, `.yml`, `.jsonl`) or a directory of them (sorted by name; other files
/// are ignored, sub-directories are not entered).
pub fn load_path(path: &Path) -> LoadedCatalog {
    load(path, None)
}

/// [`load_path`] for a rule set: its hazards vocabulary applied (see [`CatalogBuilder::finish`]). This is
/// what every command that assesses, checks or writes a catalog reads it with.
pub fn load_path_for(path: &Path, rules: &crate::rules::RuleSet) -> LoadedCatalog {
    load(path, Some(rules))
}

fn load(path: &Path, rules: Option<&crate::rules::RuleSet>) -> LoadedCatalog {
    let mut out = CatalogBuilder::new();
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            out.diagnostics.push(io_error(&shown, &e));
            return out.finish(rules);
        }
    };
    if meta.is_dir() {
        let mut files = match list_catalog_files(path) {
            Ok(f) => f,
            Err(e) => {
                out.diagnostics.push(io_error(&shown, &e));
                return out.finish(rules);
            }
        };
        files.sort();
        if files.is_empty() {
            out.diagnostics.push(
                Diagnostic::error(
                    Code::CatalogNoFiles,
                    "カタログのディレクトリに *.yaml / *.jsonl ファイルがありません",
                    "the catalog directory has no *.yaml or *.jsonl files",
                )
                .in_file(shown)
                .help(
                    "業務を記述した YAML ファイルを置いてください",
                    "add a YAML file describing operations",
                ),
            );
            return out.finish(rules);
        }
        // Files are parsed in parallel, each on its own; ids are then checked across files in order.
        let parsed: Vec<(LoadedCatalog, Option<Arc<SourceFile>>)> = files
            .par_iter()
            .map(|file| {
                let mut one = CatalogBuilder::new();
                let source = load_file(file, &mut one, true);
                (one.finish(None), source)
            })
            .collect();
        for (one, source) in parsed {
            out.merge(one, source.as_ref());
        }
    } else {
        load_file(path, &mut out, false);
    }
    if out.catalog.is_empty() && !out.diagnostics.has_errors() {
        out.diagnostics.push(
            Diagnostic::error(
                Code::CatalogEmpty,
                "カタログに業務が1件もありません",
                "the catalog has no operations",
            )
            .in_file(shown)
            .help(
                "`operations:` の下に業務を1件以上記述してください",
                "list at least one operation under `operations:`",
            ),
        );
    }
    out.finish(rules)
}

fn list_catalog_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_catalog = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "jsonl")
        );
        if is_catalog && !path.is_dir() {
            files.push(path);
        }
    }
    Ok(files)
}

fn io_error(path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::CatalogUnreadable,
        format!("カタログを読めません: {e}"),
        format!("cannot read the catalog: {e}"),
    )
    .in_file(path)
    .help(
        "パスと読み取り権限を確認してください",
        "check the path and that it is readable",
    )
}

fn too_large(shown: String, size: Option<u64>, limit: u64, is_jsonl: bool) -> Diagnostic {
    let kind = if is_jsonl { "JSON Lines" } else { "YAML" };
    let (ja, en) = match size {
        Some(n) => (
            format!("{kind} ファイルが大きすぎます ({n} バイト、上限 {limit})"),
            format!("the {kind} file is too large ({n} bytes, limit {limit})"),
        ),
        None => (
            format!("{kind} ファイルが大きすぎます (上限 {limit} バイトを超えました)"),
            format!("the {kind} file is too large (more than the limit of {limit} bytes)"),
        ),
    };
    let d = Diagnostic::error(Code::CatalogTooLarge, ja, en).in_file(shown);
    if is_jsonl {
        d.help(
            "ファイルを分割するか、`itaku assess FILE --format jsonl` で逐次処理してください",
            "split the file, or stream it with `itaku assess FILE --format jsonl`",
        )
    } else {
        d.help(
            "ファイルを分割するか、JSON Lines (.jsonl) で渡してください",
            "split the file, or provide the catalog as JSON Lines (.jsonl)",
        )
    }
}

/// Reads a file only up to `limit` + 1 bytes, so that a device or a file that grows while it is read
/// cannot exhaust memory.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Room for the whole file at once (one byte more to see the end): a buffer grown by doubling copies
    // a large catalog several times and touches twice the memory.
    let size = file.metadata().map_or(0, |m| m.len()).min(limit) as usize;
    let mut bytes = Vec::with_capacity(size + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn load_file(path: &Path, out: &mut CatalogBuilder, in_directory: bool) -> Option<Arc<SourceFile>> {
    let shown = path.display().to_string();
    let is_jsonl = path.extension().and_then(|e| e.to_str()) == Some("jsonl");
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            out.diagnostics.push(io_error(&shown, &e));
            return None;
        }
    };
    // A FIFO, socket or device found in a catalog directory is never opened: opening a FIFO blocks, and
    // a device may never end. (Named explicitly on the command line, it is read, bounded below.)
    if in_directory && !meta.is_file() {
        out.diagnostics.push(
            Diagnostic::error(
                Code::CatalogUnreadable,
                "通常のファイルではありません (FIFO・デバイス等)",
                "not a regular file (a FIFO, socket or device)",
            )
            .in_file(shown)
            .help(
                "カタログのディレクトリには通常のファイルだけを置いてください",
                "keep only regular files in a catalog directory",
            ),
        );
        return None;
    }
    let limit = if is_jsonl {
        MAX_JSONL_BYTES
    } else {
        MAX_YAML_BYTES
    };
    if meta.len() > limit {
        out.diagnostics
            .push(too_large(shown, Some(meta.len()), limit, is_jsonl));
        return None;
    }
    let bytes = match read_bounded(path, limit) {
        Ok(b) => b,
        Err(e) => {
            out.diagnostics.push(io_error(&shown, &e));
            return None;
        }
    };
    if bytes.len() as u64 > limit {
        out.diagnostics
            .push(too_large(shown, None, limit, is_jsonl));
        return None;
    }
    let text = match decode(bytes) {
        Ok(t) => t,
        Err((line, column, bytes)) => {
            let file = Arc::new(SourceFile::new(
                shown,
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
            out.diagnostics.push(
                Diagnostic::error(
                    Code::CatalogEncoding,
                    "UTF-8 として読めないバイトがあります",
                    "the file contains bytes that are not valid UTF-8",
                )
                .at(Location::new(&file, line, column, 1))
                .help(
                    "ファイルを UTF-8 で保存し直してください (Shift_JIS は不可)",
                    "save the file as UTF-8 (not Shift_JIS)",
                ),
            );
            return None;
        }
    };
    let file = Arc::new(SourceFile::new(shown, text));
    if is_jsonl {
        parse_jsonl(&file, out);
    } else {
        parse_yaml(&file, out);
    }
    Some(file)
}

/// Decodes UTF-8 in place (the text is not copied), dropping a byte-order mark. On failure returns the
/// 1-based line and column of the first invalid byte, and the bytes as they were read.
fn decode(mut bytes: Vec<u8>) -> Result<String, (usize, usize, Vec<u8>)> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let bom = bytes.starts_with(BOM);
    if bom {
        bytes.drain(..BOM.len());
    }
    // Validated with SIMD first: a catalog is mostly Japanese text, where the standard library's
    // validator costs ~4 instructions a byte, all of it on one thread before the parse threads start
    // (~160M instructions on a 36 MB file). The standard library still finds where a bad file goes wrong.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just validated exactly these bytes as UTF-8 (it accepts what
        // `std::str::from_utf8` accepts) and they are not changed in between.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes).map_err(|e| {
        let end = e.utf8_error().valid_up_to();
        let mut bytes = e.into_bytes();
        let valid = std::str::from_utf8(&bytes[..end]).unwrap_or("");
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        if bom {
            bytes.splice(..0, BOM.iter().copied());
        }
        (line, column, bytes)
    })
}

/// Parses catalog text (YAML) as if read from `path`; used by tests, fuzzing and the questionnaire.
pub fn parse_str(path: &str, text: &str) -> LoadedCatalog {
    let mut out = CatalogBuilder::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = Arc::new(SourceFile::new(path, text));
    parse_yaml(&file, &mut out);
    out.finish(None)
}

/// [`parse_str`] for a rule set: its hazards vocabulary applied (the questionnaire's drafts).
pub fn parse_str_for(path: &str, text: &str, rules: &crate::rules::RuleSet) -> LoadedCatalog {
    let mut out = CatalogBuilder::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = Arc::new(SourceFile::new(path, text));
    parse_yaml(&file, &mut out);
    out.finish(Some(rules))
}

/// Parses catalog text in JSON Lines as if read from `path` (tests, benchmarks).
pub fn parse_jsonl_str(path: &str, text: &str) -> LoadedCatalog {
    let mut out = CatalogBuilder::new();
    let file = Arc::new(SourceFile::new(path, text));
    parse_jsonl(&file, &mut out);
    out.finish(None)
}

/// The place of byte `at` of a text, as a location of one character.
fn location_of_byte(file: &Arc<SourceFile>, text: &str, first_line: usize, at: usize) -> Location {
    let before = &text[..at];
    let line = first_line + before.matches('\n').count();
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Location::new(file, line, column, 1)
}

/// A NUL byte in YAML: refused wherever it is, because the YAML parser stops reading at the first one
/// and would silently drop the rest of the file. (In JSON Lines, serde_json already refuses it, located.)
fn nul_byte_in_yaml(location: Location) -> Diagnostic {
    Diagnostic::error(
        Code::CatalogSyntax,
        "YAML の構文エラー: NUL 文字 (バイト 0) があります",
        "YAML syntax error: the file contains a NUL byte (byte 0)",
    )
    .at(location)
    .help(
        "テキストファイルとして保存し直してください (NUL 文字は使えません)",
        "save the catalog as plain text: a NUL byte is never valid in it",
    )
}

/// A JSON Lines record longer than [`MAX_LINE_BYTES`] (same message streamed or read whole).
pub(crate) fn line_too_long(path: &str, line: usize) -> Diagnostic {
    Diagnostic::error(
        Code::CatalogTooLarge,
        format!("行が長すぎます (上限 {MAX_LINE_BYTES} バイト)"),
        format!("the line is too long (limit {MAX_LINE_BYTES} bytes)"),
    )
    .at(Location::new(
        &Arc::new(SourceFile::starting_at(path, "", line)),
        line,
        1,
        1,
    ))
    .help(
        "1行に1件の業務を書いてください",
        "write one operation per line",
    )
}

/// Parses catalog text (YAML) as [`parse_str`] does, cut into chunks of about `chunk_bytes` parsed in
/// parallel where that is certainly exact, or whole with `None` (differential tests of the split).
#[doc(hidden)]
pub fn parse_str_split(path: &str, text: &str, chunk_bytes: Option<usize>) -> LoadedCatalog {
    let mut out = CatalogBuilder::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = Arc::new(SourceFile::new(path, text));
    parse_yaml_split(&file, &mut out, chunk_bytes);
    out.finish(None)
}

use super::format::{bad_format, FileFormat, CURRENT_FORMAT, FORMAT_KEY, OLDEST_FORMAT};

fn parse_yaml(file: &Arc<SourceFile>, out: &mut CatalogBuilder) {
    let split = (file.text.len() >= yaml_split::MIN_SPLIT_BYTES).then_some(yaml_split::CHUNK_BYTES);
    parse_yaml_split(file, out, split);
}

/// [`parse_yaml`], trying chunks of about `split` bytes in parallel first (see `yaml_split`).
fn parse_yaml_split(file: &Arc<SourceFile>, out: &mut CatalogBuilder, split: Option<usize>) {
    let first = out.diagnostics.len();
    if let Some(at) = file.text.find('\0') {
        let location = location_of_byte(file, &file.text, file.first_line, at);
        out.diagnostics.push(nul_byte_in_yaml(location));
        return;
    }
    if let Some(parsed) = split.and_then(|bytes| yaml_split::parse_split(file, bytes)) {
        // The split is taken only when the prelude is comments and at most a valid `format: N` line.
        let declared = yaml_split::prelude_format(&file.text);
        out.formats.push(FileFormat {
            file: file.clone(),
            version: declared.map_or(OLDEST_FORMAT, |(v, ..)| v),
            declared_at: declared.map(|(_, line, column)| (line, column)),
        });
        yaml_split::add_parsed(file, parsed, out, |out| too_many_problems(file, out, first));
        return;
    }
    let root = match yaml::parse_nodes(&file.text) {
        Ok(root) => root,
        Err(e) => {
            out.diagnostics.push(
                Diagnostic::error(
                    Code::CatalogSyntax,
                    format!("YAML の構文エラー: {}", e.message),
                    format!("YAML syntax error: {}", e.message),
                )
                .at(Location::new(file, e.pos.line, e.pos.column, 1))
                .help(
                    "インデント、コロンの後の空白、括弧や引用符の閉じ忘れを確認してください",
                    "check indentation, the space after each colon, and unclosed brackets or quotes",
                ),
            );
            return;
        }
    };
    let Some(root) = root else {
        out.diagnostics.push(empty_file_warning(file));
        return;
    };
    let entries = match root.value {
        Value::Map(entries) => entries,
        Value::Null => {
            out.diagnostics.push(empty_file_warning(file));
            return;
        }
        other => {
            out.diagnostics.push(
                Diagnostic::error(
                    Code::CatalogStructure,
                    format!("ファイルの最上位は `operations:` を持つマッピングである必要があります ({} でした)", other.kind()),
                    format!("the top level must be a mapping with `operations:` (found a {})", other.kind()),
                )
                .at(Location::new(file, root.pos.line, root.pos.column, 1))
                .help("`operations:` の下に業務のリストを書いてください", "write `operations:` followed by a list of operations"),
            );
            return;
        }
    };
    let mut found = false;
    let mut format = FileFormat {
        file: file.clone(),
        version: OLDEST_FORMAT,
        declared_at: None,
    };
    for (key, value) in entries {
        if too_many_problems(file, out, first) {
            return;
        }
        match &key.value {
            Value::Str(k) if k == FORMAT_KEY => match value.value {
                Value::Int(v) if (1..=i64::from(CURRENT_FORMAT)).contains(&v) => {
                    format.version = v as u32;
                    format.declared_at = Some((key.pos.line, key.pos.column));
                }
                other => {
                    let found = match &other {
                        Value::Int(v) => v.to_string(),
                        Value::Float(v) => v.to_string(),
                        Value::Str(v) => format!("\"{v}\""),
                        v => v.kind().to_string(),
                    };
                    out.diagnostics.push(bad_format(
                        file,
                        value.pos.line,
                        value.pos.column,
                        &crate::diag::printable(&found),
                    ));
                }
            },
            Value::Str(k) if k == "operations" => {
                found = true;
                match value.value {
                    Value::Seq(items) => {
                        if items.is_empty() {
                            out.diagnostics.push(empty_file_warning(file));
                        }
                        for item in items {
                            if too_many_problems(file, out, first) {
                                return;
                            }
                            out.add_node(file, item);
                        }
                    }
                    Value::Null => out.diagnostics.push(empty_file_warning(file)),
                    other => out.diagnostics.push(
                        Diagnostic::error(
                            Code::CatalogStructure,
                            format!(
                                "`operations` は業務のリストである必要があります ({} でした)",
                                other.kind()
                            ),
                            format!(
                                "`operations` must be a list of operations (found a {})",
                                other.kind()
                            ),
                        )
                        .at(Location::new(file, value.pos.line, value.pos.column, 1))
                        .help(
                            "各業務を `- id: ...` の形で書いてください",
                            "write each operation as `- id: ...`",
                        ),
                    ),
                }
            }
            other => {
                let name = match other {
                    Value::Str(s) => s.clone(),
                    v => v.kind().to_string(),
                };
                let mut d = Diagnostic::error(
                    Code::CatalogUnknownKey,
                    format!("最上位の不明なキー `{name}`"),
                    format!("unknown top-level key `{name}`"),
                )
                .at(Location::new(file, key.pos.line, key.pos.column, key.len));
                d = match did_you_mean(&name, ["operations", FORMAT_KEY]) {
                    Some(s) => d.help(
                        format!("`{s}` の誤りではありませんか?"),
                        format!("did you mean `{s}`?"),
                    ),
                    None => d.help(
                        "最上位に置けるキーは `operations` と `format` だけです",
                        "the only top-level keys are `operations` and `format`",
                    ),
                };
                out.diagnostics.push(d);
            }
        }
    }
    out.formats.push(format);
    if !found {
        out.diagnostics.push(
            Diagnostic::error(
                Code::CatalogStructure,
                "`operations:` がありません",
                "the file has no `operations:` key",
            )
            .at(Location::new(file, root.pos.line, root.pos.column, 1))
            .help(
                "業務のリストを `operations:` の下に書いてください",
                "list the operations under `operations:`",
            ),
        );
    }
}

fn empty_file_warning(file: &Arc<SourceFile>) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::CatalogEmptyFile,
        "このファイルには業務がありません",
        "this file has no operations",
    )
    .in_file(file.path.clone())
    .help(
        "`operations:` の下に業務を記述してください",
        "list operations under `operations:`",
    );
    d.severity = Severity::Warning;
    d
}

fn parse_jsonl(file: &Arc<SourceFile>, out: &mut CatalogBuilder) {
    let first = out.diagnostics.len();
    for (i, line) in file.text.lines().enumerate() {
        if too_many_problems(file, out, first) {
            return;
        }
        if line.len() > MAX_LINE_BYTES {
            out.diagnostics
                .push(line_too_long(&file.path, file.first_line + i));
            out.skipped += 1;
            continue;
        }
        let line_no = file.first_line + i;
        if let Some(op) = super::jsonl::operation_fast(line_no, line) {
            out.add(file, line_no, Arc::new(op));
            continue;
        }
        match parse_jsonl_line(file, line_no, line) {
            Ok(Some(node)) => out.add_node(file, node),
            Ok(None) => {}
            Err(d) => {
                out.diagnostics.push(*d);
                out.skipped += 1;
            }
        }
    }
}

/// Parses one JSON Lines record into a node located at `line_no` (blank lines give `None`).
pub fn parse_jsonl_line(
    file: &Arc<SourceFile>,
    line_no: usize,
    line: &str,
) -> Result<Option<Node>, Box<Diagnostic>> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(v) => Ok(Some(yaml::node_from_json(
            v,
            Pos {
                line: line_no,
                column: 1,
            },
        ))),
        Err(e) => Err(Box::new(
            Diagnostic::error(
                Code::CatalogSyntax,
                format!("JSON の構文エラー: {e}"),
                format!("JSON syntax error: {e}"),
            )
            .at(Location::new(file, line_no, e.column(), 1))
            .help(
                "1行に1件、JSON オブジェクトで書いてください",
                "write one JSON object per line",
            ),
        )),
    }
}

/// Parses and validates one JSON Lines record (a blank line gives `Ok(None)`).
pub fn operation_from_jsonl_line(
    file: &Arc<SourceFile>,
    line_no: usize,
    line: &str,
) -> Result<Option<Operation>, Diagnostics> {
    if let Some(op) = super::jsonl::operation_fast(line_no, line) {
        return Ok(Some(op));
    }
    operation_from_jsonl_line_exact(file, line_no, line)
}

/// [`operation_from_jsonl_line`] without the fast path (the differential tests compare the two).
pub fn operation_from_jsonl_line_exact(
    file: &Arc<SourceFile>,
    line_no: usize,
    line: &str,
) -> Result<Option<Operation>, Diagnostics> {
    match parse_jsonl_line(file, line_no, line) {
        Ok(Some(node)) => build_operation(file, node).map(Some),
        Ok(None) => Ok(None),
        Err(d) => Err((*d).into()),
    }
}

/// Builds one operation from a JSON value (rule test cases, questionnaires), validated like a catalog
/// entry; `label` names it in messages.
pub fn operation_from_json(
    value: serde_json::Value,
    label: &str,
) -> Result<Operation, Diagnostics> {
    let file = Arc::new(SourceFile::new(label, String::new()));
    build_operation(
        &file,
        yaml::node_from_json(value, Pos { line: 1, column: 1 }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_problem_and_keeps_valid_operations() {
        let text = "operations:\n  - id: good\n    name: 良い業務\n    department: 総務部\n    routine_share: 0.5\n  - id: Bad Id\n    name: x\n    department: y\n    routin_share: 0.5\n    difficulty: 9\n    manuals: full\n";
        let loaded = parse_str("t.yaml", text);
        assert_eq!(loaded.catalog.len(), 1);
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::CatalogInvalidId,
                Code::CatalogUnknownField,
                Code::CatalogOutOfRange,
                Code::CatalogUnknownValue
            ]
        );
        let unknown = &loaded.diagnostics.0[1];
        assert_eq!(
            unknown.location.as_ref().map(|l| (l.line, l.column)),
            Some((9, 5))
        );
        assert_eq!(
            unknown.help.as_ref().map(|h| h.en.as_str()),
            Some("did you mean `routine_share`?")
        );
    }

    #[test]
    fn duplicate_ids_name_both_places() {
        let text = "operations:\n  - {id: a, name: n, department: d}\n  - {id: a, name: m, department: d}\n";
        let loaded = parse_str("t.yaml", text);
        assert_eq!(loaded.catalog.len(), 1);
        let d = &loaded.diagnostics.0[0];
        assert!(
            d.message.en.contains("first defined at t.yaml:2"),
            "{}",
            d.message.en
        );
        assert_eq!(d.location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn null_means_unknown() {
        let loaded = parse_str(
            "t.yaml",
            "operations:\n  - {id: a, name: n, department: d, difficulty: null}\n",
        );
        assert!(loaded.diagnostics.is_empty());
        assert_eq!(loaded.catalog.operations[0].difficulty, None);
    }

    #[test]
    fn decode_locates_invalid_utf8() {
        assert_eq!(
            decode(b"ab\ncd\xff".to_vec()),
            Err((2, 3, b"ab\ncd\xff".to_vec()))
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\xff".to_vec()),
            Err((1, 2, b"\xEF\xBB\xBFa\xff".to_vec()))
        );
        assert_eq!(decode(b"\xEF\xBB\xBFok".to_vec()).as_deref(), Ok("ok"));
    }
}
