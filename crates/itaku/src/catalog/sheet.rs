//! The catalog as a spreadsheet: one row per operation, one column per field. Turns operations into
//! typed cells (`export-catalog`, `template`) and reads an xlsx or CSV file (UTF-8, with or without BOM,
//! or Shift_JIS) back into catalog YAML (`import`), locating every problem to its sheet, row and column.

use crate::lang::Text;
use crate::yaml::{write_entry, EntryValue};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::titles::{accepted_headers, field_for_header, title};
use super::{Field, FieldKind, FieldRef, Operation, OperationId};
use crate::lang::Lang;

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Num(f64),
    Bool(bool),
}

impl Cell {
    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as CSV text (booleans in the output language; a text that would start a formula
    /// guarded by [`formula_guard`]).
    pub fn csv_text(&self, lang: Lang) -> String {
        match self {
            Cell::Text(s) => formula_guard(s).into_owned(),
            other => other.plain_text(lang),
        }
    }

    /// The cell's text as it is (booleans in the output language).
    fn plain_text(&self, lang: Lang) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => number_text(*n),
            Cell::Bool(b) => match lang {
                Lang::Ja => if *b { "はい" } else { "いいえ" }.to_string(),
                Lang::En => b.to_string(),
            },
        }
    }
}

/// A number as written in a cell: the shortest text that reads back as the same number.
fn number_text(n: f64) -> String {
    n.to_string()
}

/// The characters that make a spreadsheet read a CSV cell as a formula when they come first (OWASP,
/// "CSV Injection"): `=`, `+`, `-`, `@`, TAB and CR.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a text, after any leading apostrophes, starts with a formula character.
fn starts_like_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// A text cell as written in a CSV file: a text that would start a formula gets a leading `'`, as
/// OWASP recommends, so that Excel and LibreOffice show it as text. So that the scheme can be undone
/// exactly, a text already made of apostrophes before a formula character gets one more
/// (`'=x` → `''=x`). Numbers written by the tool as numbers are not text cells and are left alone.
/// [`formula_unguard`] reverses it; `itaku import` applies that to every CSV cell.
pub fn formula_guard(s: &str) -> std::borrow::Cow<'_, str> {
    if starts_like_formula(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Undoes [`formula_guard`]: one leading `'` is dropped from a text of apostrophes before a formula
/// character; every other text is kept as it is.
pub fn formula_unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) => rest,
        _ => s,
    }
}

/// Pairs of characters that Unicode and Windows code page 932 (Excel's Shift_JIS) map differently:
/// the first is what Unicode text usually holds, the second what cp932 holds (and what a cp932 file
/// decodes to). 〜 WAVE DASH / ～ FULLWIDTH TILDE, − MINUS SIGN / － FULLWIDTH HYPHEN-MINUS, ‖ / ∥,
/// ¢ / ￠, £ / ￡, ¬ / ￢, — EM DASH / ― HORIZONTAL BAR, ¦ / ￤.
pub const CP932_PAIRS: [(char, char); 8] = [
    ('\u{301C}', '\u{FF5E}'),
    ('\u{2212}', '\u{FF0D}'),
    ('\u{2016}', '\u{2225}'),
    ('\u{00A2}', '\u{FFE0}'),
    ('\u{00A3}', '\u{FFE1}'),
    ('\u{00AC}', '\u{FFE2}'),
    ('\u{2014}', '\u{2015}'),
    ('\u{00A6}', '\u{FFE4}'),
];

/// The character cp932 holds in place of `c`, when `c` is the Unicode side of a [`CP932_PAIRS`] pair.
pub fn cp932_form(c: char) -> Option<char> {
    CP932_PAIRS.iter().find(|(u, _)| *u == c).map(|(_, w)| *w)
}

/// One character folded for matching headers and choices: both sides of a cp932 pair to one, full-width
/// ASCII to ASCII, the ideographic space to a space.
fn fold_char(c: char) -> char {
    let c = CP932_PAIRS
        .iter()
        .find(|(_, w)| *w == c)
        .map_or(c, |(u, _)| *u);
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}

/// The form of a header or choice that matching compares: trimmed, folded ([`fold_char`]) and in lower
/// case. Free text is never folded: it keeps what the user typed.
pub fn match_key(s: &str) -> String {
    s.chars()
        .map(fold_char)
        .collect::<String>()
        .trim()
        .to_lowercase()
}

/// For a "did you mean" whose text could look like the input: the characters that differ, by code
/// point (`「〜」(U+301C) ではなく「～」(U+FF5E)`), when the two have the same length and differ in at
/// most three places; empty otherwise.
fn differing_chars(input: &str, hint: &str) -> (String, String) {
    let (a, b): (Vec<char>, Vec<char>) = (input.chars().collect(), hint.chars().collect());
    if a.len() != b.len() {
        return (String::new(), String::new());
    }
    let diffs: Vec<(char, char)> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (*x, *y))
        .collect();
    if diffs.is_empty() || diffs.len() > 3 {
        return (String::new(), String::new());
    }
    let ja = diffs
        .iter()
        .map(|(x, y)| {
            format!(
                "「{}」(U+{:04X}) ではなく「{}」(U+{:04X})",
                crate::diag::printable(&x.to_string()),
                *x as u32,
                y,
                *y as u32
            )
        })
        .collect::<Vec<_>>()
        .join("、");
    let en = diffs
        .iter()
        .map(|(x, y)| {
            format!(
                "`{}` (U+{:04X}) where `{}` (U+{:04X}) is expected",
                crate::diag::printable(&x.to_string()),
                *x as u32,
                y,
                *y as u32
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    (format!("違う文字: {ja}。"), format!(" (differs: {en})"))
}

/// The field a header names: as [`field_for_header`], then with both sides folded ([`match_key`]), so
/// that a header saved through cp932 (～ for 〜) or typed in full-width letters still matches.
fn header_field(header: &str) -> Option<Field> {
    field_for_header(header).or_else(|| {
        let key = match_key(header);
        Field::ALL
            .iter()
            .copied()
            .find(|f| match_key(f.name()) == key || match_key(title(*f, Lang::Ja)) == key)
    })
}

/// A catalog as a table of cells: the header titles, the field of each column and one row per operation.
#[derive(Debug, Clone)]
pub struct SheetTable {
    pub sheet: String,
    pub header: Vec<String>,
    pub fields: Vec<Field>,
    pub rows: Vec<Vec<Cell>>,
}

/// The name of the sheet that holds the operations.
pub fn sheet_name(lang: Lang) -> &'static str {
    lang.pick("業務", "operations")
}

/// Written in a list cell for a list that is known to be empty (an empty cell means unknown).
pub const EMPTY_LIST_JA: &str = "なし";
/// Also accepted for an empty list.
pub const EMPTY_LIST: &str = "[]";

/// The catalog's operations as a table (`export-catalog`).
pub fn export_table(operations: &[Arc<Operation>], lang: Lang) -> SheetTable {
    SheetTable {
        sheet: sheet_name(lang).to_string(),
        header: Field::ALL
            .iter()
            .map(|f| title(*f, lang).to_string())
            .collect(),
        fields: Field::ALL.to_vec(),
        rows: operations.iter().map(|op| export_row(op, lang)).collect(),
    }
}

/// The template: the header and one example row.
pub fn template_table(lang: Lang) -> SheetTable {
    let example = super::parse_str("template.yaml", TEMPLATE_EXAMPLE);
    debug_assert!(example.diagnostics.is_empty());
    export_table(&example.catalog.operations, lang)
}

const TEMPLATE_EXAMPLE: &str = "format: 3
operations:
  - id: example-reception
    name: 窓口受付業務（記入例）
    name_en: Counter reception (example)
    department: 区民部 戸籍住民課
    description: 記入例です。この行を書き換えるか削除してください。
    source: illustrative estimate (例示的な推計値)
    focus_area: bulk_routine
    legal_basis: [住民基本台帳法]
    statutory_staff_only: false
    public_authority: ancillary
    discretion: rule_bound
    decision_steps: [交付・不交付の決定]
    auxiliary_steps: [申請書の受付と記載確認, 証明書の印刷と交付]
    oversight_steps: [仕様書の作成と履行確認]
    auxiliary_share: 0.6
    annual_cases: 120000
    routine_share: 0.9
    difficulty: 2
    manuals: complete
    monthly_load: [1.6, 1.1, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.8]
    expertise: general
    spec_definable: true
    output_measurability: 4
    market_providers: 6
    commercial_equivalent: false
    criticality: important
    emergency_role: false
    first_time: true
    citizen_facing: true
    work_location: ward_premises
    co_located: false
    escalation_to_staff: true
    escalation_procedure: documented
    onsite_headcount: 10
    equipment: ward_free
    contract_type: consignment
    estimated_contract_yen: 60000000
    contract_years: 3
    subcontracting: false
    hazards: []
    personal_data: general
    records: 120000
    system_access: onsite
    staff_fte: 12.0
    overtime_hours: 1500
";

fn export_row(op: &Operation, lang: Lang) -> Vec<Cell> {
    Field::ALL
        .iter()
        .map(|f| match op.get(*f) {
            FieldRef::Missing => Cell::Empty,
            FieldRef::Bool(b) => Cell::Bool(b),
            FieldRef::Int(i) => Cell::Num(i as f64),
            FieldRef::Num(n) => Cell::Num(n),
            FieldRef::Text(s) => Cell::Text(s.to_string()),
            FieldRef::Enum(s) => Cell::Text(choice_label(*f, s, lang).to_string()),
            FieldRef::List(items) => Cell::Text(list_text(items, lang)),
            FieldRef::Load(values) => Cell::Text(
                values
                    .iter()
                    .map(|v| number_text(*v))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        })
        .collect()
}

/// The text a choice cell holds: in Japanese the label the questionnaire shows (「補助的な行為のみ
/// (受付・確認など)」), in English the catalog value (`ancillary`). `itaku import` reads either, and the
/// English label.
pub fn choice_label(field: Field, value: &str, lang: Lang) -> &'static str {
    let q = super::questions::question(field);
    match q.choices.iter().find(|c| c.value == value) {
        Some(c) if lang == Lang::Ja => c.label.ja,
        Some(c) => c.value,
        None => enum_values(field)
            .iter()
            .copied()
            .find(|v| *v == value)
            .unwrap_or(""),
    }
}

/// The allowed values of an enum field (none for the others).
fn enum_values(field: Field) -> &'static [&'static str] {
    match field.kind() {
        FieldKind::Enum(values) => values,
        _ => &[],
    }
}

/// The labels a choice column offers (a drop-down list), in the order of the catalog's values.
pub fn choice_labels(field: Field, lang: Lang) -> Vec<&'static str> {
    enum_values(field)
        .iter()
        .map(|v| choice_label(field, v, lang))
        .collect()
}

/// The catalog value a choice cell names: the value itself, the questionnaire's label in either
/// language or the value's description label, compared folded ([`match_key`]).
pub fn choice_value(field: Field, text: &str) -> Option<&'static str> {
    let key = match_key(text);
    let q = super::questions::question(field);
    enum_values(field).iter().copied().find(|v| {
        let choice = q.choices.iter().find(|c| c.value == *v);
        let described = super::describe::value_label(field, v);
        [
            Some(*v),
            choice.map(|c| c.label.ja),
            choice.map(|c| c.label.en),
            described.map(|d| d.ja),
            described.map(|d| d.en),
        ]
        .into_iter()
        .flatten()
        .any(|t| match_key(t) == key)
    })
}

/// A list cell: one item a line. A single item that would otherwise be split, trimmed or read as the
/// empty list gets a final line break (a cell with a line break is split at line breaks only).
fn list_text(items: &[String], lang: Lang) -> String {
    match items {
        [] => lang.pick(EMPTY_LIST_JA, EMPTY_LIST).to_string(),
        [one]
            if one.contains([';', '；', '、'])
                || is_empty_list_marker(one)
                || one.trim() != one =>
        {
            format!("{one}\n")
        }
        _ => items.join("\n"),
    }
}

fn is_empty_list_marker(s: &str) -> bool {
    matches!(s.trim(), EMPTY_LIST_JA | EMPTY_LIST)
}

/// A sheet read from a file: the cells that hold something, row by row, the first row (row index 0)
/// being the header. Only the cells that exist are stored: a workbook whose used range claims
/// XFD1048576 costs what its cells cost, not its bounding box.
#[derive(Debug, Clone)]
pub struct RawSheet {
    /// The file as shown in messages.
    pub file: String,
    /// The sheet name (none for CSV).
    pub sheet: Option<String>,
    /// The rows that hold a non-empty cell, in increasing row order.
    pub rows: Vec<SheetRow>,
}

/// One row of a [`RawSheet`]: its 0-based index and its non-empty cells by increasing column.
#[derive(Debug, Clone, Default)]
pub struct SheetRow {
    pub index: usize,
    pub cells: Vec<(usize, Cell)>,
}

impl SheetRow {
    /// The cell at 0-based `col` (empty when there is none).
    pub fn get(&self, col: usize) -> &Cell {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .map_or(&Cell::Empty, |i| &self.cells[i].1)
    }
}

/// At most this many bytes of a CSV file are read (a larger file is refused).
pub const MAX_CSV_BYTES: u64 = 64 << 20;
/// A workbook (a zip archive) is refused when its parts would decompress to more than this many bytes
/// in all, as declared by the archive and as counted while decompressing.
pub const MAX_UNZIPPED_BYTES: u64 = 64 << 20;
/// At most this many parts in a workbook archive.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// At most this many non-empty cells are read from a sheet.
pub const MAX_CELLS: usize = 1_000_000;
/// The longest cell text accepted, in characters (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// Texts longer than this are not compared for a "did you mean".
const MAX_HINT_CHARS: usize = 100;
/// Longest part of a cell's text repeated in a message.
const SHOWN_CELL_CHARS: usize = 40;

/// A cell's text as shown in a message: control characters made visible and a long text cut to its
/// first [`SHOWN_CELL_CHARS`] characters with its length.
fn shown(text: &str) -> String {
    let count = text.chars().count();
    let visible = crate::diag::printable(text);
    if count <= SHOWN_CELL_CHARS {
        visible.into_owned()
    } else {
        let head: String = visible.chars().take(SHOWN_CELL_CHARS).collect();
        format!("{head}…({count}文字 / {count} chars)")
    }
}

/// Collects the cells of one sheet, refusing a NUL, an over-long text and too many cells.
struct SheetBuilder {
    file: String,
    sheet: Option<String>,
    rows: Vec<SheetRow>,
    cells: usize,
}

impl SheetBuilder {
    fn new(file: &str, sheet: Option<String>) -> Self {
        SheetBuilder {
            file: file.to_string(),
            sheet,
            rows: Vec::new(),
            cells: 0,
        }
    }

    fn problem(&self, row: usize, col: usize, ja: String, en: String) -> SheetProblem {
        RawSheet {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            rows: Vec::new(),
        }
        .problem(row, col, ja, en)
    }

    /// Adds a cell; cells come row by row (any column order within a row).
    fn push(&mut self, row: usize, col: usize, cell: Cell) -> Result<(), SheetProblem> {
        if cell.is_empty() {
            return Ok(());
        }
        if let Cell::Text(s) = &cell {
            if s.contains('\0') {
                return Err(self.problem(
                    row,
                    col,
                    "NUL 文字 (U+0000) を含むセルは読み込めません".into(),
                    "a cell holding a NUL character (U+0000) is not accepted".into(),
                ));
            }
            let chars = s.chars().count();
            if chars > MAX_CELL_CHARS {
                return Err(self.problem(
                    row,
                    col,
                    format!(
                        "セルの文字数が {chars} 文字で、上限の {MAX_CELL_CHARS} 文字を超えています"
                    ),
                    format!(
                        "the cell holds {chars} characters, more than the {MAX_CELL_CHARS} allowed"
                    ),
                ));
            }
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(self.problem(
                row,
                col,
                format!("空でないセルが {MAX_CELLS} 個を超えています"),
                format!("more than {MAX_CELLS} non-empty cells"),
            ));
        }
        match self.rows.last_mut() {
            Some(last) if last.index == row => last.cells.push((col, cell)),
            _ => self.rows.push(SheetRow {
                index: row,
                cells: vec![(col, cell)],
            }),
        }
        Ok(())
    }

    fn finish(mut self) -> RawSheet {
        // A file may give its rows out of order: rows of the same index are merged.
        self.rows.sort_by_key(|r| r.index);
        let mut merged: Vec<SheetRow> = Vec::with_capacity(self.rows.len());
        for row in self.rows.drain(..) {
            match merged.last_mut() {
                Some(last) if last.index == row.index => last.cells.extend(row.cells),
                _ => merged.push(row),
            }
        }
        self.rows = merged;
        for row in &mut self.rows {
            row.cells.sort_by_key(|(c, _)| *c);
            row.cells.dedup_by_key(|(c, _)| *c);
        }
        RawSheet {
            file: self.file,
            sheet: self.sheet,
            rows: self.rows,
        }
    }
}

/// A problem with the input, located to a cell (or to the file) and said in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetProblem {
    pub place: String,
    pub text: Text,
}

impl SheetProblem {
    pub fn message(&self, lang: Lang) -> String {
        format!("{}: {}", self.place, self.text.get(lang))
    }
}

/// A column letter as Excel writes it (0 → A, 26 → AA).
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl RawSheet {
    /// `dept.xlsx: 業務!R3C5 (E3)` for the cell at 0-based `row`, `col`.
    pub fn place(&self, row: usize, col: usize) -> String {
        let sheet = self
            .sheet
            .as_deref()
            .map_or(String::new(), |s| format!("{s}!"));
        format!(
            "{}: {sheet}R{}C{} ({}{})",
            self.file,
            row + 1,
            col + 1,
            column_letter(col),
            row + 1
        )
    }

    fn problem(&self, row: usize, col: usize, ja: String, en: String) -> SheetProblem {
        SheetProblem {
            place: self.place(row, col),
            text: Text::new(ja, en),
        }
    }
}

/// CSV bytes that are neither UTF-8 nor Shift_JIS: where each reading stops (1-based line and byte
/// offset of the first byte that does not decode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownEncoding {
    pub utf8: (usize, usize),
    pub shift_jis: (usize, usize),
}

/// The 1-based line and byte offset of `offset` in `bytes`.
fn line_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    (
        memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1,
        offset,
    )
}

/// Decodes CSV bytes: UTF-8 (a BOM is dropped) when they are valid UTF-8, else Shift_JIS as Japanese
/// Excel writes it (Windows code page 932, which `encoding_rs::SHIFT_JIS` is).
pub fn decode_csv(bytes: &[u8]) -> Result<String, UnknownEncoding> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok(s.to_string()),
        Err(e) => e.valid_up_to(),
    };
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 3 / 2 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text),
        encoding_rs::DecoderResult::Malformed(bad, _) => Err(UnknownEncoding {
            utf8: line_of(bytes, utf8_error),
            shift_jis: line_of(bytes, read.saturating_sub(bad as usize)),
        }),
        encoding_rs::DecoderResult::OutputFull => Err(UnknownEncoding {
            utf8: line_of(bytes, utf8_error),
            shift_jis: line_of(bytes, read),
        }),
    }
}

/// Reads CSV text into a sheet.
pub fn csv_sheet(file: &str, text: &str) -> Result<RawSheet, SheetProblem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = SheetBuilder::new(file, None);
    let mut record = csv::StringRecord::new();
    let mut row = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(row + 1, |p| p.line() as usize);
                return Err(SheetProblem {
                    place: format!("{file}: {line}行目 (line {line})"),
                    text: Text::new(
                        format!("CSV として読めません: {e}"),
                        format!("not readable as CSV: {e}"),
                    ),
                });
            }
        }
        for (col, s) in record.iter().enumerate() {
            if !s.is_empty() {
                // The tool's own exports guard formula-like texts with a leading `'`.
                sheet.push(row, col, Cell::Text(formula_unguard(s).to_string()))?;
            }
        }
        row += 1;
    }
    Ok(sheet.finish())
}

/// Checks a workbook archive before it is opened: at most [`MAX_ZIP_ENTRIES`] parts, decompressing to
/// at most [`MAX_UNZIPPED_BYTES`] in all, as declared and as counted while decompressing (a part that
/// lies about its size is caught too). Nothing is kept in memory.
fn check_archive(path: &Path, file: &str) -> Result<(), SheetProblem> {
    let refuse = |ja: String, en: String| SheetProblem {
        place: file.to_string(),
        text: Text::new(ja, en),
    };
    let f = std::fs::File::open(path).map_err(|e| {
        refuse(
            format!("ファイルを読めません: {e}"),
            format!("cannot read the file: {e}"),
        )
    })?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(|e| {
        refuse(
            format!("xlsx (zip) として読めません: {e}"),
            format!("not readable as xlsx (zip): {e}"),
        )
    })?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(refuse(
            format!(
                "ブックの部品が {} 個あり、上限の {MAX_ZIP_ENTRIES} 個を超えています",
                zip.len()
            ),
            format!(
                "the workbook has {} parts, more than the {MAX_ZIP_ENTRIES} allowed",
                zip.len()
            ),
        ));
    }
    let too_big = |name: &str| {
        refuse(
            format!(
                "ブックを展開すると {} MB を超えます ({name})。大きすぎるか壊れたファイルです",
                MAX_UNZIPPED_BYTES >> 20
            ),
            format!(
                "the workbook decompresses to more than {} MB ({name}): too large or damaged",
                MAX_UNZIPPED_BYTES >> 20
            ),
        )
    };
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| {
            refuse(
                format!("xlsx (zip) として読めません: {e}"),
                format!("not readable as xlsx (zip): {e}"),
            )
        })?;
        declared = declared.saturating_add(entry.size());
        if declared > MAX_UNZIPPED_BYTES {
            return Err(too_big(entry.name()));
        }
    }
    let mut counted: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| {
            refuse(
                format!("xlsx (zip) として読めません: {e}"),
                format!("not readable as xlsx (zip): {e}"),
            )
        })?;
        let name = entry.name().to_string();
        let left = MAX_UNZIPPED_BYTES - counted;
        let n = std::io::copy(
            &mut std::io::Read::take(&mut entry, left + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| {
            refuse(
                format!("ブックを展開できません ({name}): {e}"),
                format!("cannot decompress the workbook ({name}): {e}"),
            )
        })?;
        if n > left {
            return Err(too_big(&name));
        }
        counted += n;
    }
    Ok(())
}

fn cell_of(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Num(*i as f64),
        Data::Float(f) => Cell::Num(*f),
        Data::Bool(b) => Cell::Bool(*b),
        other => Cell::Text(other.to_string()),
    }
}

/// Reads a spreadsheet file: `.csv` as CSV, anything else as a workbook (xlsx, xlsm, xls, ods) whose
/// first sheet holds the operations. xlsx and xlsm are read cell by cell (only the cells that exist
/// are kept); every zip-based workbook is checked by [`check_archive`] first.
pub fn read_sheet_file(path: &Path) -> Result<RawSheet, SheetProblem> {
    let file = path.display().to_string();
    let unreadable = |e: &dyn std::fmt::Display| SheetProblem {
        place: file.clone(),
        text: Text::new(
            format!("ファイルを読めません: {e}"),
            format!("cannot read the file: {e}"),
        ),
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if extension == "csv" {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| {
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(f, MAX_CSV_BYTES + 1),
                    &mut bytes,
                )
            })
            .map_err(|e| unreadable(&e))?;
        if bytes.len() as u64 > MAX_CSV_BYTES {
            return Err(SheetProblem {
                place: file.clone(),
                text: Text::new(
                    format!("CSV ファイルが {} MB を超えています", MAX_CSV_BYTES >> 20),
                    format!("the CSV file is larger than {} MB", MAX_CSV_BYTES >> 20),
                ),
            });
        }
        let text = decode_csv(&bytes).map_err(|e| SheetProblem {
            place: file.clone(),
            text: Text::new(format!(
                "文字コードが UTF-8 でも Shift_JIS (cp932) でもありません: UTF-8 としては {}行目 (バイト {}) で、Shift_JIS としては {}行目 (バイト {}) で読めなくなります。文字コードの混在や破損がないか確かめてください",
                e.utf8.0, e.utf8.1, e.shift_jis.0, e.shift_jis.1
            ),
            format!(
                "the text is neither UTF-8 nor Shift_JIS (cp932): as UTF-8 it stops at line {} (byte {}), as Shift_JIS at line {} (byte {}); look for mixed or damaged encodings",
                e.utf8.0, e.utf8.1, e.shift_jis.0, e.shift_jis.1
            )),
        })?;
        return csv_sheet(&file, &text);
    }
    use calamine::{open_workbook_auto, Reader};
    if matches!(extension.as_str(), "xlsx" | "xlsm" | "ods") {
        check_archive(path, &file)?;
    }
    if matches!(extension.as_str(), "xlsx" | "xlsm") {
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(path).map_err(|e| unreadable(&e))?;
        let Some(name) = book.sheet_names().first().cloned() else {
            return Err(no_sheet(&file));
        };
        let mut sheet = SheetBuilder::new(&file, Some(name.clone()));
        let mut cells = book
            .worksheet_cells_reader(&name)
            .map_err(|e| unreadable(&e))?;
        while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
            let (row, col) = cell.get_position();
            let value = cell_of(&cell.get_value().clone().into());
            sheet.push(row as usize, col as usize, value)?;
        }
        return Ok(sheet.finish());
    }
    let mut book = open_workbook_auto(path).map_err(|e| unreadable(&e))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(no_sheet(&file));
    };
    let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
    let mut sheet = SheetBuilder::new(&file, Some(name));
    for (row, col, d) in range.used_cells() {
        let (top, left) = range.start().unwrap_or((0, 0));
        sheet.push(row + top as usize, col + left as usize, cell_of(d))?;
    }
    Ok(sheet.finish())
}

fn no_sheet(file: &str) -> SheetProblem {
    SheetProblem {
        place: file.to_string(),
        text: Text::new("シートがありません", "the workbook has no sheet"),
    }
}

/// Converts a sheet to catalog YAML text. Every problem of every cell is returned; the text only when
/// there are none.
pub fn sheet_to_yaml(sheet: &RawSheet) -> Result<(String, usize), Vec<SheetProblem>> {
    let mut problems = Vec::new();
    if sheet.rows.is_empty() {
        return Err(vec![SheetProblem {
            place: sheet.file.clone(),
            text: Text::new(
                "見出し行がありません (空のファイル)",
                "no header row (the file is empty)",
            ),
        }]);
    }
    let empty_row = SheetRow::default();
    let header = sheet
        .rows
        .first()
        .filter(|r| r.index == 0)
        .unwrap_or(&empty_row);
    let data = sheet.rows.iter().filter(|r| r.index > 0);
    // The columns that hold a header or a value: only the cells that exist are visited.
    let used: std::collections::BTreeSet<usize> = data
        .clone()
        .flat_map(|r| r.cells.iter().map(|(c, _)| *c))
        .collect();
    let mut columns: std::collections::BTreeMap<usize, Field> = std::collections::BTreeMap::new();
    let mut seen: HashMap<Field, usize> = HashMap::new();
    let all_columns: std::collections::BTreeSet<usize> = header
        .cells
        .iter()
        .map(|(c, _)| *c)
        .chain(used.iter().copied())
        .collect();
    for col in all_columns {
        let text = header.get(col).plain_text(Lang::En);
        if text.trim().is_empty() {
            if used.contains(&col) {
                problems.push(sheet.problem(
                    0,
                    col,
                    "見出しのない列に値があります".into(),
                    "a column without a header holds values".into(),
                ));
            }
            continue;
        }
        match header_field(&text) {
            Some(field) => {
                if let Some(first) = seen.insert(field, col) {
                    problems.push(sheet.problem(
                        0,
                        col,
                        format!(
                            "列「{}」は {} 列と同じ項目 `{}` です",
                            shown(text.trim()),
                            column_letter(first),
                            field.name()
                        ),
                        format!(
                            "column `{}` names the same field `{}` as column {}",
                            shown(text.trim()),
                            field.name(),
                            column_letter(first)
                        ),
                    ));
                }
                columns.insert(col, field);
            }
            None => {
                let hint = header_hint(text.trim());
                let (hint_ja, hint_en) = hint.map_or((String::new(), String::new()), |h| {
                    let (diff_ja, diff_en) = differing_chars(text.trim(), h);
                    (
                        format!("もしかして「{h}」? {diff_ja}"),
                        format!(" did you mean `{h}`?{diff_en}"),
                    )
                });
                problems.push(sheet.problem(
                    0,
                    col,
                    format!("不明な見出し「{}」です。{hint_ja}見出しは項目名 (routine_share など) または日本語の項目名 (定型度 など) です", shown(text.trim())),
                    format!("unknown header `{}`.{hint_en} A header is a field name (such as routine_share) or its Japanese title (such as 定型度)", shown(text.trim())),
                ));
            }
        }
    }
    for required in [Field::id, Field::name, Field::department] {
        if !seen.contains_key(&required) {
            problems.push(SheetProblem {
                place: format!(
                    "{}: {}R1",
                    sheet.file,
                    sheet
                        .sheet
                        .as_deref()
                        .map_or(String::new(), |s| format!("{s}!"))
                ),
                text: Text::new(
                    format!(
                        "必須の列「{}」({}) がありません",
                        title(required, Lang::Ja),
                        required.name()
                    ),
                    format!("the required column `{}` is missing", required.name()),
                ),
            });
        }
    }
    let mut operations = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for row in data {
        let r = row.index;
        if row.cells.iter().all(|(_, c)| c.is_empty()) {
            continue;
        }
        let mut entry: Vec<(&str, EntryValue)> = Vec::new();
        for (&c, field) in &columns {
            let cell = row.get(c);
            if cell.is_empty() {
                if field.is_required() {
                    problems.push(sheet.problem(
                        r,
                        c,
                        format!("必須の項目 `{}` が空です", field.name()),
                        format!("the required field `{}` is empty", field.name()),
                    ));
                }
                continue;
            }
            match cell_value(*field, cell) {
                Ok(value) => {
                    if *field == Field::id {
                        if let EntryValue::Text(id) = &value {
                            if OperationId::parse(id).is_none() {
                                problems.push(sheet.problem(r, c,
                                    format!("ID「{}」は英小文字・数字・ハイフン ([a-z0-9-]+) で書いてください", shown(id)),
                                    format!("id `{}` must be lowercase letters, digits and hyphens ([a-z0-9-]+)", shown(id))));
                            } else if let Some(first) = ids.insert(id.clone(), r) {
                                problems.push(sheet.problem(
                                    r,
                                    c,
                                    format!("ID「{id}」は {} 行目と重複しています", first + 1),
                                    format!("id `{id}` repeats row {}", first + 1),
                                ));
                            }
                        }
                    }
                    entry.push((field.name(), value));
                }
                Err((ja, en)) => problems.push(sheet.problem(r, c, ja, en)),
            }
        }
        // The id first, as the bundled catalog writes it (columns may come in any order).
        entry.sort_by_key(|(name, _)| *name != Field::id.name());
        operations.push(write_entry(entry));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let count = operations.len();
    // Laid out as the bundled catalog (two-space list items, one field a line), so that
    // `itaku new --catalog` and people can go on editing it.
    // The schema modeline of the bundled catalog files (editor completion), whose path assumes the file
    // sits in a directory beside `schema/` as `catalog/` does.
    let text = format!(
        "{SCHEMA_MODELINE}\n# Imported by `itaku import` from {} (one operation per row).\nformat: {}\noperations:\n{}",
        sheet.file,
        super::format::CURRENT_FORMAT,
        operations.concat()
    );
    Ok((text, count))
}

/// The first line of every bundled catalog file: the JSON Schema for the YAML language server.
pub const SCHEMA_MODELINE: &str = "# yaml-language-server: $schema=../schema/catalog.schema.json";

/// The accepted header nearest to an unknown one: a close spelling, or for short Japanese titles one
/// character off (定形度 → 定型度).
fn header_hint(header: &str) -> Option<&'static str> {
    if header.chars().count() > MAX_HINT_CHARS {
        return None;
    }
    let accepted = accepted_headers();
    crate::suggest::did_you_mean(header, accepted.iter().copied()).or_else(|| {
        accepted
            .iter()
            .copied()
            .find(|h| strsim::levenshtein(header, h) <= 1 && h.chars().count() > 1)
    })
}

type Expected = (String, String);

fn expected(ja: &str, en: &str, found: &str) -> Expected {
    let found = shown(found);
    (
        format!("{ja}が必要ですが「{found}」でした"),
        format!("expected {en}, found `{found}`"),
    )
}

/// A cell's value as the YAML value of `field`, or what was expected.
fn cell_value(field: Field, cell: &Cell) -> Result<EntryValue, Expected> {
    let shown = cell.plain_text(Lang::En);
    let text = shown.trim();
    match field.kind() {
        FieldKind::Text => Ok(EntryValue::Text(match cell {
            Cell::Text(s) => s.clone(),
            _ => shown.clone(),
        })),
        FieldKind::List => Ok(EntryValue::List(split_list(&shown))),
        FieldKind::Bool => match cell {
            Cell::Bool(b) => Ok(EntryValue::Bool(*b)),
            _ => match match_key(text).as_str() {
                "true" | "はい" | "yes" => Ok(EntryValue::Bool(true)),
                "false" | "いいえ" | "no" => Ok(EntryValue::Bool(false)),
                _ => Err(expected(
                    "true・false・はい・いいえ のいずれか",
                    "one of true, false, はい, いいえ",
                    text,
                )),
            },
        },
        FieldKind::Int => {
            let b = field.bounds();
            let n = match cell {
                Cell::Num(n) => Some(*n),
                _ => parse_number(text, false),
            };
            match n {
                Some(n) if n.fract() == 0.0 && n >= b.min && n <= b.max => {
                    Ok(EntryValue::Int(n as i64))
                }
                _ => Err(expected(
                    &format!("{}〜{} の整数", number_text(b.min), bound_text(b.max)),
                    &format!(
                        "an integer from {} to {}",
                        number_text(b.min),
                        bound_text(b.max)
                    ),
                    text,
                )),
            }
        }
        FieldKind::Num => {
            let b = field.bounds();
            let share = b.min == 0.0 && b.max == 1.0;
            let n = match cell {
                Cell::Num(n) => Some(*n),
                _ => parse_number(text, share),
            };
            // A share above 1 and at most 100 is a percentage (85 → 0.85), as people type it.
            let n = n.map(|n| {
                if share && n > 1.0 && n <= 100.0 {
                    n / 100.0
                } else {
                    n
                }
            });
            match n {
                Some(n) if n.is_finite() && n >= b.min && n <= b.max => Ok(EntryValue::Num(n)),
                _ => Err(expected(
                    &format!("{}〜{} の数値", number_text(b.min), bound_text(b.max)),
                    &format!(
                        "a number from {} to {}",
                        number_text(b.min),
                        bound_text(b.max)
                    ),
                    text,
                )),
            }
        }
        FieldKind::Enum(values) => match choice_value(field, text) {
            Some(v) => Ok(EntryValue::Text(v.to_string())),
            None => {
                let labels = choice_labels(field, Lang::Ja);
                let candidates: Vec<&str> = labels.iter().chain(values.iter()).copied().collect();
                let hint = (text.chars().count() <= MAX_HINT_CHARS)
                    .then(|| crate::suggest::did_you_mean(text, candidates.iter().copied()))
                    .flatten();
                let (mut ja, mut en) = expected(
                    &format!(
                        "次のいずれか ({}、または {})",
                        labels
                            .iter()
                            .map(|l| format!("「{l}」"))
                            .collect::<String>(),
                        values.join(", ")
                    ),
                    &format!("one of {} (or the Japanese labels)", values.join(", ")),
                    text,
                );
                if let Some(h) = hint {
                    let (diff_ja, diff_en) = differing_chars(text, h);
                    ja.push_str(&format!("。もしかして「{h}」? {diff_ja}"));
                    en.push_str(&format!("; did you mean `{h}`?{diff_en}"));
                }
                Err((ja, en))
            }
        },
        FieldKind::Load => {
            let parts: Vec<&str> = text
                .split([';', '；', '、', ',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let numbers: Option<Vec<f64>> = parts
                .iter()
                .map(|p| parse_number(p, false).filter(|n| n.is_finite() && *n >= 0.0))
                .collect();
            match numbers {
                Some(ns) if ns.len() == 12 => Ok(EntryValue::Numbers(ns)),
                _ => Err(expected(
                    "0以上の数値12個 (4月〜3月、「;」区切り)",
                    "12 numbers ≥ 0 (April..March, separated by `;`)",
                    text,
                )),
            }
        }
    }
}

/// A number as typed in a cell: full-width digits and signs folded, thousands separators (`,` `，`)
/// dropped, and for a share a final `%` (`85%`, `８５％`) read as a percentage.
fn parse_number(text: &str, share: bool) -> Option<f64> {
    let folded: String = match_key(text).chars().filter(|c| *c != ',').collect();
    let folded = folded.trim();
    match folded.strip_suffix('%') {
        Some(percent) if share => percent.trim().parse::<f64>().ok().map(|n| n / 100.0),
        Some(_) => None,
        None => folded.parse::<f64>().ok(),
    }
}

fn bound_text(max: f64) -> String {
    if max >= 1e9 {
        "∞".into()
    } else {
        number_text(max)
    }
}

/// Splits a list cell: at line breaks when it has any (each line kept as written), else at `;`, `；` or
/// `、` (each item trimmed). `なし` or `[]` is the
/// empty list.
fn split_list(text: &str) -> Vec<String> {
    if is_empty_list_marker(text) {
        return Vec::new();
    }
    if text.contains('\n') {
        // One item a line, kept as written (the tool's own exports round-trip exactly); a line ending
        // of CR LF and blank lines are dropped.
        return text
            .split('\n')
            .map(|s| s.strip_suffix('\r').unwrap_or(s))
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .collect();
    }
    text.split([';', '；', '、'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(4), "E");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(47), "AV");
    }

    #[test]
    fn lists_split_at_line_breaks_first() {
        assert_eq!(split_list("a;b、c"), ["a", "b", "c"]);
        assert_eq!(split_list("a、b\n"), ["a、b"]);
        assert_eq!(split_list("なし"), Vec::<String>::new());
        let items = vec!["x、y".to_string()];
        assert_eq!(split_list(&list_text(&items, Lang::Ja)), items);
    }

    #[test]
    fn the_formula_guard_is_undone_exactly() {
        for s in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-x",
            "@a",
            "\t=1",
            "\r=1",
            "'=x",
            "''-x",
            "'",
            "'a",
            "a=b",
            "",
            "区民部",
        ] {
            let guarded = formula_guard(s);
            assert!(!guarded.starts_with(FORMULA_START), "{s:?} → {guarded:?}");
            assert_eq!(formula_unguard(&guarded), s, "{s:?}");
        }
        assert_eq!(formula_guard("=1+1"), "'=1+1");
        assert_eq!(formula_guard("'a"), "'a");
    }

    #[test]
    fn shift_jis_is_decoded() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("業務名,所管\n");
        assert_eq!(decode_csv(&bytes).unwrap(), "業務名,所管\n");
        assert_eq!(decode_csv(b"\xEF\xBB\xBFid\n").unwrap(), "id\n");
    }
}
