//! Hostile spreadsheets for `itaku import`, each built here and imported under a memory limit
//! (RLIMIT_AS): cells far out at XFD1048576, a zip bomb, over-long and NUL cells, too many cells and
//! broken encodings. Each ends quickly with a located error or a correct import.

use crate::support::root;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The address-space limit the import runs under.
const MEMORY_LIMIT: u64 = 300 << 20;

/// A minimal xlsx: one sheet whose `<sheetData>` is `rows` (inline strings), padded inside the sheet
/// XML with `padding` bytes of spaces (which compress to almost nothing).
fn workbook(dir: &Path, name: &str, rows: &str, padding: usize) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="業務" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (part, text) in parts {
        zip.start_file(part, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
    let spaces = vec![b' '; 1 << 20];
    let mut left = padding;
    while left > 0 {
        let n = left.min(spaces.len());
        zip.write_all(&spaces[..n]).unwrap();
        left -= n;
    }
    zip.write_all(rows.as_bytes()).unwrap();
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap();
    path
}

fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>"#)
}

/// The header and one valid operation, then `extra` (more `<row>`s).
fn rows(extra: &str) -> String {
    format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>{extra}"#,
        cell("A1", "ID"),
        cell("B1", "業務名"),
        cell("C1", "所管"),
        cell("A2", "reception"),
        cell("B2", "窓口受付業務"),
        cell("C2", "区民部"),
    )
}

struct Run {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

/// `itaku import FILE -o OUT` under [`MEMORY_LIMIT`] of address space.
fn import_limited(file: &Path, out: &Path) -> Run {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("itaku"));
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .arg("import")
        .arg(file)
        .arg("-o")
        .arg(out);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let output = cmd.output().unwrap();
    let run = Run {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    };
    eprintln!(
        "{}: exit {:?} in {:?}",
        file.display(),
        run.code,
        run.elapsed
    );
    // Generous: the bound is the budget, not a benchmark (debug build, shared machine).
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
    assert!(run.code.is_some(), "killed by a signal: {}", run.stderr);
    assert_ne!(run.code, Some(134), "aborted: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn imports_one(dir: &Path, book: &Path) {
    let out = dir.join("out.yaml");
    let run = import_limited(book, &out);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let loaded = itaku::catalog::load_path(&out);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.catalog.len(), 1);
}

fn refused(dir: &Path, file: &Path, says: &[&str]) -> Run {
    let out = dir.join("refused.yaml");
    let run = import_limited(file, &out);
    assert!(
        matches!(run.code, Some(1 | 2)),
        "{:?}: {}",
        run.code,
        run.stderr
    );
    for s in says {
        assert!(run.stderr.contains(s), "{s:?} not in {}", run.stderr);
    }
    assert!(!out.exists(), "nothing is written");
    run
}

#[test]
fn an_empty_cell_at_the_last_cell_of_a_sheet_allocates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let book = workbook(
        dir.path(),
        "far.xlsx",
        &rows(&format!(
            r#"<row r="1048576">{}</row>"#,
            cell("XFD1048576", "")
        )),
        0,
    );
    imports_one(dir.path(), &book);
}

#[test]
fn a_space_far_down_allocates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let book = workbook(
        dir.path(),
        "space.xlsx",
        &rows(&format!(
            r#"<row r="300000">{}</row>"#,
            cell("AU300000", " ")
        )),
        0,
    );
    imports_one(dir.path(), &book);
}

#[test]
fn a_value_at_the_last_cell_is_located_without_the_bounding_box() {
    let dir = tempfile::tempdir().unwrap();
    let book = workbook(
        dir.path(),
        "value.xlsx",
        &rows(&format!(
            r#"<row r="1048576">{}</row>"#,
            cell("XFD1048576", "x")
        )),
        0,
    );
    refused(
        dir.path(),
        &book,
        &["R1C16384 (XFD1)", "見出しのない列", "R1048576C1 (A1048576)"],
    );
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // 200 MB of spaces inside the sheet XML: a small file.
    let book = workbook(dir.path(), "bomb.xlsx", &rows(""), 200 << 20);
    let size = std::fs::metadata(&book).unwrap().len();
    assert!(size < 2 << 20, "the bomb is small: {size} bytes");
    refused(dir.path(), &book, &["64 MB", "bomb.xlsx"]);
}

#[test]
fn an_over_long_header_is_refused_by_its_length_and_a_long_bad_cell_is_shown_as_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let long = "定".repeat(1 << 20);
    let book = workbook(
        dir.path(),
        "header.xlsx",
        &rows(&format!(r#"<row r="3">{}</row>"#, cell("D3", &long))),
        0,
    );
    let run = refused(dir.path(), &book, &["D3", "1048576 文字"]);
    assert!(
        run.stderr.len() < 4096,
        "{} bytes of messages",
        run.stderr.len()
    );
    // Under the cell limit: not fuzzily matched, and echoed as a window only.
    let header = "x".repeat(30_000);
    let value = "y".repeat(30_000);
    let book = workbook(
        dir.path(),
        "window.xlsx",
        &format!(
            r#"<row r="1">{}{}{}{}{}</row><row r="2">{}{}{}{}</row>"#,
            cell("A1", "ID"),
            cell("B1", "業務名"),
            cell("C1", "所管"),
            cell("D1", "マニュアル整備状況"),
            cell("E1", &header),
            cell("A2", "reception"),
            cell("B2", "窓口受付業務"),
            cell("C2", "区民部"),
            cell("D2", &value),
        ),
        0,
    );
    let run = refused(dir.path(), &book, &["E1", "D2", "30000文字"]);
    assert!(
        run.stderr.len() < 4096,
        "{} bytes of messages",
        run.stderr.len()
    );
}

#[test]
fn a_nul_in_a_cell_is_refused_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let csv = crate::support::write(
        dir.path(),
        "nul.csv",
        "ID,業務名,所管\nreception,窓口\0受付,区民部\n",
    );
    refused(dir.path(), &csv, &["R2C2 (B2)", "NUL"]);
}

#[test]
fn too_many_cells_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("ID,業務名,所管\n");
    for _ in 0..1000 {
        text.push_str(&"1,".repeat(1001));
        text.push('\n');
    }
    let csv = crate::support::write(dir.path(), "many.csv", text);
    refused(dir.path(), &csv, &["1000000"]);
}

#[test]
fn a_mixed_encoding_is_located_to_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "ID,業務名,所管\nreception,窓口受付業務,区民部\n"
        .as_bytes()
        .to_vec();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("payroll,給与事務,総務部\n");
    bytes.extend_from_slice(&sjis);
    bytes.extend_from_slice(b"x,\xFF,y\n");
    let csv = crate::support::write(dir.path(), "mixed.csv", bytes);
    refused(
        dir.path(),
        &csv,
        &["UTF-8 としては 3行目", "Shift_JIS としては"],
    );
}
