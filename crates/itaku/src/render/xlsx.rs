//! `--format xlsx`: the assessment as an Excel workbook (summary, one row per operation, checklist), and
//! the catalog itself as a sheet for `itaku export-catalog` / `itaku template`. Every sheet has a frozen
//! header row and an autofilter; column titles are in the output language.

use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Note, Workbook,
    Worksheet, XlsxError,
};

use super::csv::{
    assessment_header, assessment_row, checklist_header, checklist_rows, recommendation_label,
    ASSESSMENT_FREED_FTE, ASSESSMENT_NUMERIC,
};
use super::document::Document;
use crate::catalog::sheet::choice_labels;
use crate::catalog::titles::cell_hint;
use crate::catalog::{Cell, FieldKind, SheetTable};
use crate::lang::Lang;
use crate::model::Recommendation;

/// Sheet names of the assessment workbook, in order: summary, per operation, checklist.
pub fn assessment_sheet_names(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Ja => ["判定一覧", "業務別", "チェックリスト"],
        Lang::En => ["summary", "operations", "checklist"],
    }
}

fn xlsx_error(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A workbook whose bytes depend only on its contents: the creation date is fixed, so that the same
/// inputs give the same file.
fn new_book() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("itaku"),
    );
    Ok(book)
}

fn bold() -> Format {
    Format::new().set_bold()
}

/// Writes a header row and string/number rows, freezes the header and puts a filter on it.
fn table(
    sheet: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
    decimals: &[usize],
) -> Result<(), XlsxError> {
    let head = bold().set_text_wrap().set_align(FormatAlign::Top);
    // Numbers at the top of their cell, level with the first line of the wrapped texts beside them.
    let fte = Format::new()
        .set_num_format("0.00")
        .set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (c, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &head)?;
        sheet.set_column_width(c as u16, column_width(title, rows, c))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let number = numeric
                .contains(&c)
                .then(|| value.parse::<f64>().ok())
                .flatten();
            match number {
                Some(n) if decimals.contains(&c) => {
                    sheet.write_number_with_format(r, c as u16, n, &fte)?;
                }
                Some(n) => {
                    sheet.write_number_with_format(r, c as u16, n, &top)?;
                }
                None if value.is_empty() => {}
                None => {
                    sheet.write_string_with_format(r, c as u16, value, &wrap)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    print_setup(sheet)?;
    if !header.is_empty() {
        sheet.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)?;
    }
    Ok(())
}

/// A column wide enough for its title and typical values (display width, capped).
fn column_width(title: &str, rows: &[Vec<String>], c: usize) -> f64 {
    let width = |s: &str| {
        s.lines()
            .map(unicode_width::UnicodeWidthStr::width)
            .max()
            .unwrap_or(0)
    };
    let widest = rows
        .iter()
        .filter_map(|r| r.get(c))
        .map(|s| width(s))
        .chain(std::iter::once(width(title) + 2))
        .max()
        .unwrap_or(8);
    (widest.clamp(6, 60) + 1) as f64
}

/// A workbook of one sheet: a header row and rows (columns in `numeric` written as numbers). For the
/// outputs beside the assessment (`itaku bundle`, `itaku plan`).
pub(crate) fn single_sheet(
    name: &str,
    header: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
) -> std::io::Result<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = new_book()?;
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        table(sheet, header, rows, numeric, &[])?;
        book.save_to_buffer()
    };
    build().map_err(xlsx_error)
}

/// The widest column of a [`sheets`] workbook, in characters.
const PLAN_COLUMN_MAX: f64 = 28.0;

/// One sheet of [`sheets`].
pub(crate) struct Sheet<'a> {
    pub name: &'a str,
    pub header: Vec<&'a str>,
    pub rows: &'a [Vec<String>],
    pub numeric: &'a [usize],
}

/// A workbook of several sheets, each a header row and rows (for `itaku plan`).
pub(crate) fn sheets(sheets: &[Sheet<'_>]) -> std::io::Result<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = new_book()?;
        for s in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(s.name)?;
            table(sheet, &s.header, s.rows, s.numeric, &[])?;
            // Narrower text columns than the assessment's, wrapped: a plan's sheets have many columns and
            // still print legibly one page wide.
            let widths: Vec<f64> = (0..s.header.len())
                .map(|c| column_width(s.header[c], s.rows, c).min(PLAN_COLUMN_MAX))
                .collect();
            for (c, w) in widths.iter().enumerate() {
                sheet.set_column_width(c as u16, *w)?;
            }
            // Row heights for the wrapped lines (LibreOffice keeps the default height otherwise, and
            // cuts the text off in print).
            let lines = |text: &str, c: usize| {
                let room = (widths[c] - 1.0).max(1.0);
                let w = unicode_width::UnicodeWidthStr::width(text) as f64;
                (w / room).ceil().max(1.0)
            };
            let header_lines = s
                .header
                .iter()
                .enumerate()
                .map(|(c, h)| lines(h, c))
                .fold(1.0, f64::max);
            sheet.set_row_height(0, 15.0 * header_lines)?;
            for (r, row) in s.rows.iter().enumerate() {
                let most = row
                    .iter()
                    .enumerate()
                    .filter(|(c, _)| *c < widths.len())
                    .map(|(c, v)| lines(v, c))
                    .fold(1.0, f64::max);
                if most > 1.0 {
                    sheet.set_row_height(r as u32 + 1, 15.0 * most)?;
                }
            }
        }
        book.save_to_buffer()
    };
    build().map_err(xlsx_error)
}

/// The assessment workbook.
pub fn assessments_xlsx(doc: &Document<'_>, lang: Lang) -> std::io::Result<Vec<u8>> {
    build_assessments(doc, lang).map_err(xlsx_error)
}

fn build_assessments(doc: &Document<'_>, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let names = assessment_sheet_names(lang);
    let mut book = new_book()?;
    let head = bold();
    let fte_format = Format::new().set_num_format("0.00");

    let summary = book.add_worksheet();
    summary.set_name(names[0])?;
    summary.set_column_width(0, 28)?;
    summary.set_column_width(1, 14)?;
    let mut r = 0;
    summary.write_string_with_format(r, 0, lang.pick("判定", "recommendation"), &head)?;
    summary.write_string_with_format(r, 1, lang.pick("件数", "operations"), &head)?;
    for rec in Recommendation::ALL {
        r += 1;
        let n = doc
            .summary
            .by_recommendation
            .get(rec.as_str())
            .copied()
            .unwrap_or(0);
        summary.write_string(r, 0, recommendation_label(rec.as_str(), lang))?;
        summary.write_number(r, 1, n as f64)?;
    }
    r += 1;
    summary.write_string_with_format(r, 0, lang.pick("合計", "total"), &head)?;
    summary.write_number_with_format(r, 1, doc.summary.operations as f64, &head)?;
    r += 2;
    summary.write_string_with_format(r, 0, lang.pick("所管", "department"), &head)?;
    summary.write_string_with_format(r, 1, lang.pick("削減FTE", "freed FTE"), &head)?;
    for (dept, fte) in &doc.summary.freed_fte_by_department {
        r += 1;
        summary.write_string(r, 0, dept)?;
        summary.write_number_with_format(r, 1, round2(*fte), &fte_format)?;
    }
    r += 1;
    summary.write_string_with_format(r, 0, lang.pick("合計", "total"), &head)?;
    summary.write_number_with_format(
        r,
        1,
        round2(doc.summary.freed_fte),
        &head.clone().set_num_format("0.00"),
    )?;
    r += 2;
    summary.write_string(r, 0, lang.pick("判定基準日", "as of"))?;
    // The date as a date (shown as yyyy-mm-dd), or as text when it does not parse.
    match ExcelDateTime::parse_from_str(&doc.as_of) {
        Ok(date) => {
            summary.write_datetime_with_format(
                r,
                1,
                &date,
                &Format::new()
                    .set_num_format("yyyy-mm-dd")
                    .set_align(FormatAlign::Left),
            )?;
        }
        Err(_) => {
            summary.write_string(r, 1, &doc.as_of)?;
        }
    }
    summary.write_string(r + 1, 0, lang.pick("ルール", "rules"))?;
    summary.write_string(
        r + 1,
        1,
        format!("{} {}", doc.rules.name, doc.rules.version),
    )?;
    summary.set_freeze_panes(1, 0)?;
    page_setup(summary);

    let rows: Vec<Vec<String>> = doc
        .assessments
        .iter()
        .map(|a| assessment_row(a, lang))
        .collect();
    let sheet = book.add_worksheet();
    sheet.set_name(names[1])?;
    table(
        sheet,
        &assessment_header(lang),
        &rows,
        &ASSESSMENT_NUMERIC,
        &[ASSESSMENT_FREED_FTE],
    )?;
    operations_print_layout(sheet, &assessment_header(lang), &rows)?;

    let rows: Vec<Vec<String>> = checklist_rows(doc, lang)
        .into_iter()
        .map(Vec::from)
        .collect();
    let sheet = book.add_worksheet();
    sheet.set_name(names[2])?;
    table(sheet, &checklist_header(lang), &rows, &[], &[])?;

    book.save_to_buffer()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The catalog as a workbook of one sheet (`export-catalog`, `template`): typed cells, a frozen header,
/// a filter, a note on each header cell saying what the column holds, and for enum fields a drop-down
/// list of the allowed values.
pub fn catalog_xlsx(table: &SheetTable, lang: Lang) -> std::io::Result<Vec<u8>> {
    build_catalog(table, lang).map_err(xlsx_error)
}

fn build_catalog(t: &SheetTable, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = new_book()?;
    let mut sheet = Worksheet::new();
    sheet.set_name(&t.sheet)?;
    // The allowed values of every choice column, one column each, on a hidden sheet that the
    // drop-down lists refer to (a list written into the validation itself is limited to 255
    // characters, which the Japanese labels exceed).
    let mut lists = Worksheet::new();
    let lists_name = lang.pick("選択肢", "choices");
    lists.set_name(lists_name)?;
    lists.set_hidden(true);
    let mut list_col: u16 = 0;
    let head = bold();
    let wrap = Format::new().set_text_wrap();
    for (c, (title, field)) in t.header.iter().zip(&t.fields).enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, title, &head)?;
        sheet.insert_note(
            0,
            c,
            &Note::new(cell_hint(*field, lang)).set_author("itaku"),
        )?;
        let wide = matches!(field.kind(), FieldKind::Text | FieldKind::List);
        sheet.set_column_width(c, if wide { 30 } else { 14 })?;
        if let FieldKind::Enum(_) = field.kind() {
            let labels = choice_labels(*field, lang);
            lists.write_string(0, list_col, field.name())?;
            for (i, label) in labels.iter().enumerate() {
                lists.write_string(i as u32 + 1, list_col, *label)?;
            }
            let column = crate::catalog::sheet::column_letter(list_col as usize);
            let dv = DataValidation::new().allow_list_formula(Formula::new(format!(
                "='{lists_name}'!${column}$2:${column}${}",
                labels.len() + 1
            )));
            sheet.add_data_validation(1, c, 1_048_575, c, &dv)?;
            list_col += 1;
        }
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) if s.contains('\n') => {
                    sheet.write_string_with_format(r, c, s, &wrap)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Num(n) => match number_format(t.fields[c as usize]) {
                    Some(f) => {
                        sheet.write_number_with_format(r, c, *n, f)?;
                    }
                    None => {
                        sheet.write_number(r, c, *n)?;
                    }
                },
                Cell::Bool(b) => {
                    sheet.write_boolean(r, c, *b)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, t.rows.len() as u32, t.header.len() as u16 - 1)?;
    print_setup(&mut sheet)?;
    book.push_worksheet(sheet);
    book.push_worksheet(lists);
    book.save_to_buffer()
}

/// The display format of a catalog number: shares as percentages, yen with thousands separators,
/// FTE with two decimals. The cell keeps the exact value.
fn number_format(field: crate::catalog::Field) -> Option<&'static Format> {
    use crate::catalog::Field;
    use std::sync::OnceLock;
    static FORMATS: OnceLock<[Format; 3]> = OnceLock::new();
    let [share, yen, fte] = FORMATS.get_or_init(|| {
        [
            Format::new().set_num_format("0%"),
            Format::new().set_num_format("#,##0"),
            Format::new().set_num_format("0.00"),
        ]
    });
    let b = field.bounds();
    if b.min == 0.0 && b.max == 1.0 {
        Some(share)
    } else if field.name().ends_with("_yen") {
        Some(yen)
    } else if field == Field::staff_fte {
        Some(fte)
    } else {
        None
    }
}

/// The widest a text column of the operations sheet is on paper (character units): longer texts wrap.
const PRINT_TEXT_WIDTH: usize = 34;

/// The operations sheet as it prints (17 columns one page wide came out at about a third of their
/// size): two pages wide, the id and name columns repeated on each, text columns at most
/// [`PRINT_TEXT_WIDTH`] wide with their text wrapped, each row as high as its longest cell.
fn operations_print_layout(
    sheet: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            let natural = column_width(header[c], rows, c) as usize;
            // The id stays on one line (ids are copied from the sheet); other text wraps.
            if c == 0 {
                natural
            } else {
                natural.min(PRINT_TEXT_WIDTH)
            }
        })
        .collect();
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w as f64)?;
    }
    // Rows as high as their longest wrapped cell (a line of 11-point text is 15 points high; CJK
    // text counts two units a character).
    let lines = |text: &str, width: usize| -> usize {
        let room = width.saturating_sub(1).max(1);
        text.lines()
            .map(|l| {
                unicode_width::UnicodeWidthStr::width(l)
                    .div_ceil(room)
                    .max(1)
            })
            .sum()
    };
    let title_lines = (0..header.len())
        .map(|c| lines(header[c], widths[c]))
        .max()
        .unwrap_or(1);
    sheet.set_row_height(0, 15.0 * title_lines as f64 + 2.0)?;
    for (r, row) in rows.iter().enumerate() {
        let most = row
            .iter()
            .zip(&widths)
            .map(|(text, w)| lines(text, *w))
            .max()
            .unwrap_or(1);
        sheet.set_row_height(r as u32 + 1, 15.0 * most as f64 + 2.0)?;
    }
    // Two pages wide, the id and name repeated on each: the spreadsheet program computes the scale.
    sheet.set_print_fit_to_pages(2, 0);
    sheet.set_repeat_columns(0, 1)?;
    Ok(())
}

/// Page setup of every sheet: A4 landscape, one page wide, the header row repeated on every page and
/// the page number in the footer.
fn print_setup(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    page_setup(sheet);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

/// A4 landscape, one page wide, page numbers, and no repeated row: for the summary sheet, whose tables
/// follow each other (the first table's header repeated would title the next one's rows).
fn page_setup(sheet: &mut Worksheet) {
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer("&P / &N");
}
