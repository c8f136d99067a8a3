//! The workbooks as they print: each converted to PDF with LibreOffice (`soffice --headless
//! --convert-to pdf`, installed by .ci/run), every page A4 landscape and, one page wide, few pages.

use crate::support::itaku;
use std::path::Path;
use std::time::Duration;

/// The pages of a PDF LibreOffice wrote: their count and each MediaBox (width, height) in points.
pub(crate) fn pages(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    let mut boxes = Vec::new();
    // Each page object has `/Type/Page` (not `/Pages`) and a MediaBox.
    for object in text.split("endobj") {
        let compact: String = object.split_whitespace().collect::<Vec<_>>().join(" ");
        let is_page = compact.contains("/Type /Page ")
            || compact.contains("/Type/Page/")
            || compact.contains("/Type/Page ")
            || compact.contains("/Type /Page/")
            || compact.ends_with("/Type/Page>>")
            || compact.contains("/Type/Page>>");
        if !is_page {
            continue;
        }
        let Some(start) = compact.find("/MediaBox") else {
            continue;
        };
        let rest = &compact[start + "/MediaBox".len()..];
        let numbers: Vec<f64> = rest
            .trim_start()
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        if numbers.len() == 4 {
            boxes.push((numbers[2] - numbers[0], numbers[3] - numbers[1]));
        }
    }
    boxes
}

pub(crate) fn to_pdf(book: &Path, dir: &Path) -> Vec<u8> {
    let profile = dir.join("lo-profile");
    let mut child = match std::process::Command::new("soffice")
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(book)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "LibreOffice is not installed: run .ci/run (it installs libreoffice-calc-nogui with apt) \
             or `apt-get install --no-install-recommends libreoffice-calc-nogui`"
        ),
        Err(e) => panic!("cannot start soffice: {e}"),
    };
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "soffice failed: {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(240) {
            let _ = child.kill();
            panic!("soffice did not finish within 240 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let pdf = dir.join(book.with_extension("pdf").file_name().unwrap());
    std::fs::read(&pdf).unwrap()
}

#[test]
fn workbooks_print_on_few_a4_landscape_pages() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.xlsx");
    itaku()
        .args(["export-catalog", "catalog", "--format", "xlsx", "--output"])
        .arg(&catalog)
        .assert()
        .success();
    let assessment = dir.path().join("assessment.xlsx");
    itaku()
        .args([
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&assessment)
        .assert()
        .success();
    // One page wide: before the page setup the catalog printed as 145 pages, a column or two a page.
    for (book, most) in [(&catalog, 10), (&assessment, 30)] {
        let pdf = to_pdf(book, dir.path());
        let boxes = pages(&pdf);
        eprintln!("{}: {} pages", book.display(), boxes.len());
        assert!(!boxes.is_empty(), "{}: no page found", book.display());
        assert!(
            boxes.len() <= most,
            "{}: {} pages",
            book.display(),
            boxes.len()
        );
        for (w, h) in &boxes {
            // A4 landscape: 842 × 595 points.
            assert!(
                (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
                "{w} × {h}"
            );
        }
    }
}

/// The header row is repeated on the pages of the list sheets, not on the summary sheet, whose tables
/// follow one another (the first table's header would otherwise title the next one's rows on page 2).
#[test]
fn the_header_row_repeats_on_list_sheets_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.xlsx");
    itaku()
        .args([
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&out)
        .assert()
        .success();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut workbook)
        .unwrap();
    // Print titles are defined per sheet by its index (0 = the summary sheet).
    let titled: Vec<&str> = workbook
        .split("<definedName ")
        .skip(1)
        .filter(|d| d.contains("_xlnm.Print_Titles"))
        .filter_map(|d| d.split("localSheetId=\"").nth(1)?.split('"').next())
        .collect();
    assert!(!titled.contains(&"0"), "{workbook}");
    assert!(titled.contains(&"1") && titled.contains(&"2"), "{workbook}");
}

/// The operations sheet (業務別, 17 columns) printed one page wide came out unreadably small: it
/// prints two pages wide, the id and name columns repeated on each page, its text columns narrow
/// enough to wrap and each row as high as its text.
#[test]
fn the_operations_sheet_prints_two_pages_wide_with_id_and_name_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.xlsx");
    itaku()
        .args([
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&out)
        .assert()
        .success();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let workbook = read("xl/workbook.xml");
    let sheet = read("xl/worksheets/sheet2.xml");
    assert!(
        workbook.contains("<sheet name=\"業務別\" sheetId=\"2\""),
        "{workbook}"
    );
    let setup = &sheet[sheet.find("<pageSetup ").unwrap()..];
    let setup = &setup[..setup.find("/>").unwrap()];
    assert!(
        setup.contains("fitToWidth=\"2\"") && setup.contains("fitToHeight=\"0\""),
        "{setup}"
    );
    assert!(setup.contains("paperSize=\"9\"") && setup.contains("orientation=\"landscape\""));
    // Print titles: columns A:B (id, name) and row 1 on every page.
    let titles = workbook
        .split("<definedName ")
        .find(|d| d.contains("_xlnm.Print_Titles") && d.contains("localSheetId=\"1\""))
        .unwrap();
    assert!(titles.contains("業務別!$A:$B,業務別!$1:$1"), "{titles}");
    // Text columns at most 34 characters wide (35.7 with Excel's padding), the id kept whole.
    let widths: Vec<f64> = sheet
        .split("<col ")
        .skip(1)
        .filter_map(|c| c.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    assert!(widths.len() > 5, "{sheet}");
    assert!(widths[0] >= 41.0, "the id column: {}", widths[0]);
    assert!(widths[1..].iter().all(|w| *w <= 35.8), "{widths:?}");
    // Every row has a height set (its text wraps to it): 48 operations and the header.
    let rows: Vec<&str> = sheet.split("<row ").skip(1).collect();
    assert_eq!(rows.len(), 49);
    let tall = rows
        .iter()
        .filter(|r| {
            let head = &r[..r.find('>').unwrap()];
            assert!(head.contains("customHeight=\"1\""), "{head}");
            head.split("ht=\"")
                .nth(1)
                .and_then(|h| h.split('"').next()?.parse::<f64>().ok())
                .is_some_and(|h| h > 17.0 * 2.0)
        })
        .count();
    assert!(tall > 10, "{tall} rows of several lines");
    // And it prints: A4 landscape, within the workbook's page budget.
    let boxes = pages(&to_pdf(&out, dir.path()));
    assert!(boxes.len() <= 30, "{} pages", boxes.len());
}
