//! The catalog as a spreadsheet: one row per operation, one column per field. Turns operations into
//! typed cells (`export-catalog`, `template`) and reads an xlsx or CSV file (UTF-8, with or without BOM,
//! or Shift_JIS) back into catalog YAML (`import`), locating every problem to its sheet, row and column.

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

const TEMPLATE_EXAMPLE: &str = "operations:
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
            FieldRef::Enum(s) => Cell::Text(s.to_string()),
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

/// A sheet read from a file: its cells, row by row, the first row being the header.
#[derive(Debug, Clone)]
pub struct RawSheet {
    /// The file as shown in messages.
    pub file: String,
    /// The sheet name (none for CSV).
    pub sheet: Option<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A problem with the input, located to a cell (or to the file) and said in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetProblem {
    pub place: String,
    pub ja: String,
    pub en: String,
}

impl SheetProblem {
    pub fn message(&self, lang: Lang) -> String {
        format!("{}: {}", self.place, lang.pick(&self.ja, &self.en))
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
            ja,
            en,
        }
    }
}

/// CSV bytes that are neither UTF-8 nor Shift_JIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownEncoding;

/// Decodes CSV bytes: UTF-8 (a BOM is dropped) when they are valid UTF-8, else Shift_JIS (Japanese
/// Excel's default).
pub fn decode_csv(bytes: &[u8]) -> Result<String, UnknownEncoding> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        Err(UnknownEncoding)
    } else {
        Ok(text.into_owned())
    }
}

/// Reads CSV text into a sheet.
pub fn csv_sheet(file: &str, text: &str) -> Result<RawSheet, SheetProblem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SheetProblem {
            place: format!("{file}: R{}", i + 1),
            ja: format!("CSV として読めません: {e}"),
            en: format!("not readable as CSV: {e}"),
        })?;
        rows.push(
            record
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        // The tool's own exports guard formula-like texts with a leading `'`.
                        Cell::Text(formula_unguard(s).to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(RawSheet {
        file: file.to_string(),
        sheet: None,
        rows,
    })
}

/// Reads a spreadsheet file: `.csv` as CSV, anything else as a workbook (xlsx, xlsm, xls, ods) whose
/// first sheet holds the operations.
pub fn read_sheet_file(path: &Path) -> Result<RawSheet, SheetProblem> {
    let file = path.display().to_string();
    let unreadable = |e: &dyn std::fmt::Display| SheetProblem {
        place: file.clone(),
        ja: format!("ファイルを読めません: {e}"),
        en: format!("cannot read the file: {e}"),
    };
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let bytes = std::fs::read(path).map_err(|e| unreadable(&e))?;
        let text = decode_csv(&bytes).map_err(|UnknownEncoding| SheetProblem {
            place: file.clone(),
            ja: "文字コードが UTF-8 でも Shift_JIS でもありません".into(),
            en: "the text is neither UTF-8 nor Shift_JIS".into(),
        })?;
        return csv_sheet(&file, &text);
    }
    use calamine::{open_workbook_auto, Data, Reader};
    let mut book = open_workbook_auto(path).map_err(|e| unreadable(&e))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(SheetProblem {
            place: file.clone(),
            ja: "シートがありません".into(),
            en: "the workbook has no sheet".into(),
        });
    };
    let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
    // Rows and columns are counted from A1 even when the used range starts further in.
    let (top, left) = range
        .start()
        .map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); top];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; left];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty => Cell::Empty,
            Data::String(s) if s.is_empty() => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Int(i) => Cell::Num(*i as f64),
            Data::Float(f) => Cell::Num(*f),
            Data::Bool(b) => Cell::Bool(*b),
            other => Cell::Text(other.to_string()),
        }));
        rows.push(cells);
    }
    Ok(RawSheet {
        file,
        sheet: Some(name),
        rows,
    })
}

/// Converts a sheet to catalog YAML text. Every problem of every cell is returned; the text only when
/// there are none.
pub fn sheet_to_yaml(sheet: &RawSheet) -> Result<(String, usize), Vec<SheetProblem>> {
    let mut problems = Vec::new();
    let Some(header) = sheet.rows.first() else {
        return Err(vec![SheetProblem {
            place: sheet.file.clone(),
            ja: "見出し行がありません (空のファイル)".into(),
            en: "no header row (the file is empty)".into(),
        }]);
    };
    let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut columns: Vec<Option<Field>> = vec![None; width];
    let mut seen: HashMap<Field, usize> = HashMap::new();
    for (col, slot) in columns.iter_mut().enumerate() {
        let text = match header.get(col).unwrap_or(&Cell::Empty) {
            Cell::Empty => String::new(),
            other => other.plain_text(Lang::En),
        };
        if text.trim().is_empty() {
            let used = sheet.rows[1..]
                .iter()
                .any(|r| r.get(col).is_some_and(|c| !c.is_empty()));
            if used {
                problems.push(sheet.problem(
                    0,
                    col,
                    "見出しのない列に値があります".into(),
                    "a column without a header holds values".into(),
                ));
            }
            continue;
        }
        match field_for_header(&text) {
            Some(field) => {
                if let Some(first) = seen.insert(field, col) {
                    problems.push(sheet.problem(
                        0,
                        col,
                        format!(
                            "列「{}」は {} 列と同じ項目 `{}` です",
                            text.trim(),
                            column_letter(first),
                            field.name()
                        ),
                        format!(
                            "column `{}` names the same field `{}` as column {}",
                            text.trim(),
                            field.name(),
                            column_letter(first)
                        ),
                    ));
                }
                *slot = Some(field);
            }
            None => {
                let hint = header_hint(text.trim());
                let (hint_ja, hint_en) = hint.map_or((String::new(), String::new()), |h| {
                    (
                        format!("もしかして「{h}」? "),
                        format!(" did you mean `{h}`?"),
                    )
                });
                problems.push(sheet.problem(
                    0,
                    col,
                    format!("不明な見出し「{}」です。{hint_ja}見出しは項目名 (routine_share など) または日本語の項目名 (定型度 など) です", text.trim()),
                    format!("unknown header `{}`.{hint_en} A header is a field name (such as routine_share) or its Japanese title (such as 定型度)", text.trim()),
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
                ja: format!(
                    "必須の列「{}」({}) がありません",
                    title(required, Lang::Ja),
                    required.name()
                ),
                en: format!("the required column `{}` is missing", required.name()),
            });
        }
    }
    let mut operations = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (r, row) in sheet.rows.iter().enumerate().skip(1) {
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        let mut entry: Vec<(&str, EntryValue)> = Vec::new();
        for (c, field) in columns.iter().enumerate() {
            let Some(field) = field else { continue };
            let cell = row.get(c).unwrap_or(&Cell::Empty);
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
                                    format!("ID「{id}」は英小文字・数字・ハイフン ([a-z0-9-]+) で書いてください"),
                                    format!("id `{id}` must be lowercase letters, digits and hyphens ([a-z0-9-]+)")));
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
        "{SCHEMA_MODELINE}\n# Imported by `itaku import` from {} (one operation per row).\noperations:\n{}",
        sheet.file,
        operations.concat()
    );
    Ok((text, count))
}

/// The first line of every bundled catalog file: the JSON Schema for the YAML language server.
pub const SCHEMA_MODELINE: &str = "# yaml-language-server: $schema=../schema/catalog.schema.json";

/// The accepted header nearest to an unknown one: a close spelling, or for short Japanese titles one
/// character off (定形度 → 定型度).
fn header_hint(header: &str) -> Option<&'static str> {
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
            _ => match text.to_lowercase().as_str() {
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
                _ => text.replace(',', "").parse::<f64>().ok(),
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
            let n = match cell {
                Cell::Num(n) => Some(*n),
                _ => text.replace(',', "").parse::<f64>().ok(),
            };
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
        FieldKind::Enum(values) => {
            if values.contains(&text) {
                Ok(EntryValue::Text(text.to_string()))
            } else {
                let hint = crate::suggest::did_you_mean(text, values.iter().copied());
                let (mut ja, mut en) = expected(
                    &format!("次のいずれか ({})", values.join(", ")),
                    &format!("one of {}", values.join(", ")),
                    text,
                );
                if let Some(h) = hint {
                    ja.push_str(&format!("。もしかして「{h}」?"));
                    en.push_str(&format!("; did you mean `{h}`?"));
                }
                Err((ja, en))
            }
        }
        FieldKind::Load => {
            let parts: Vec<&str> = text
                .split([';', '；', '、', ',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let numbers: Option<Vec<f64>> = parts
                .iter()
                .map(|p| p.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0))
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
