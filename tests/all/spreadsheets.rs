//! Spreadsheets in and out: the assessment workbook read back with calamine, the catalog exported to
//! CSV and xlsx and imported back field by field, Shift_JIS CSV, and import errors located to the cell
//! with nothing written.

use crate::support::{assess_en, itaku, root};
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use itaku::catalog::load_path;

/// `itaku import FROM -o TO`, to which a test adds its own options and assertions.
fn import(from: &Path, to: &Path) -> assert_cmd::Command {
    let mut cmd = itaku();
    cmd.arg("import").arg(from).arg("-o").arg(to);
    cmd
}

fn text(d: &Data) -> String {
    d.to_string()
}

#[test]
fn assessment_workbook_has_three_sheets_with_headers_and_one_row_per_operation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assessment.xlsx");
    itaku()
        .args([
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&file)
        .assert()
        .success();
    let mut book = open_workbook_auto(&file).unwrap();
    assert_eq!(book.sheet_names(), ["判定一覧", "業務別", "チェックリスト"]);
    let ops = book.worksheet_range("業務別").unwrap();
    let header: Vec<String> = ops.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(&header[..5], ["ID", "業務名", "所管", "判定", "除外"]);
    assert_eq!(header.len(), 17);
    assert_eq!(ops.height(), 1 + 48, "header + one row per operation");
    // Criteria points are numbers, not text.
    assert!(matches!(
        ops.get((1, 5)),
        Some(Data::Float(_) | Data::Int(_))
    ));
    let checklist = book.worksheet_range("チェックリスト").unwrap();
    let header: Vec<String> = checklist.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(header[0], "業務ID");
    assert!(checklist.height() > 48);
    let summary = book.worksheet_range("判定一覧").unwrap();
    assert_eq!(text(summary.get((0, 0)).unwrap()), "判定");
    let total = summary
        .rows()
        .find(|r| text(&r[0]) == "合計")
        .expect("a total row");
    assert_eq!(text(&total[1]), "48");
    // The same inputs give the same bytes (the creation date is fixed).
    let again = dir.path().join("again.xlsx");
    itaku()
        .args([
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&file).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn english_workbook_has_english_titles() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assessment.xlsx");
    assess_en("xlsx").arg("-o").arg(&file).assert().success();
    let mut book = open_workbook_auto(&file).unwrap();
    assert_eq!(book.sheet_names(), ["summary", "operations", "checklist"]);
    let ops = book.worksheet_range("operations").unwrap();
    assert_eq!(text(ops.get((0, 3)).unwrap()), "recommendation");
}

#[test]
fn xlsx_without_output_is_a_usage_error() {
    itaku()
        .args(["assess", "--as-of", "2026-04-01", "--format", "xlsx"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("--output"));
}

fn export_import(format: &str, dir: &Path) -> PathBuf {
    let sheet = dir.join(format!("catalog.{format}"));
    let yaml = dir.join(format!("from-{format}.yaml"));
    itaku()
        .args(["export-catalog", "catalog", "--format", format, "--output"])
        .arg(&sheet)
        .assert()
        .success();
    import(&sheet, &yaml).assert().success();
    yaml
}

#[test]
fn export_then_import_gives_back_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let original = load_path(&root().join("catalog"));
    assert!(original.diagnostics.is_empty());
    for format in ["csv", "xlsx"] {
        let back = load_path(&export_import(format, dir.path()));
        assert!(
            back.diagnostics.is_empty(),
            "{format}: {:?}",
            back.diagnostics
        );
        assert_eq!(back.catalog.len(), original.catalog.len());
        for (a, b) in original
            .catalog
            .operations
            .iter()
            .zip(&back.catalog.operations)
        {
            assert_eq!(a, b, "{format}: operation {} differs", a.id);
        }
    }
}

#[test]
fn the_template_imports_as_one_valid_operation() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "xlsx"] {
        let sheet = dir.path().join(format!("template.{format}"));
        let yaml = dir.path().join(format!("template-{format}.yaml"));
        itaku()
            .args(["template", "--format", format, "--output"])
            .arg(&sheet)
            .assert()
            .success();
        import(&sheet, &yaml).assert().success();
        let loaded = load_path(&yaml);
        assert!(loaded.diagnostics.is_empty());
        assert_eq!(loaded.catalog.len(), 1);
    }
}

/// A small catalog sheet with Japanese headers (CSV text), the second operation as given.
fn japanese_csv(second: &str) -> String {
    format!(
        "ID,業務名,所管,定型度,マニュアル整備状況,根拠法令,災害時優先業務\n\
         reception,窓口受付業務,区民部 戸籍住民課,0.9,complete,住民基本台帳法、戸籍法,いいえ\n\
         {second}\n"
    )
}

#[test]
fn shift_jis_csv_with_japanese_headers_imports() {
    let dir = tempfile::tempdir().unwrap();
    let csv = japanese_csv("payroll,給与事務,総務部 人事課,0.8,partial,,はい");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&csv);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is not UTF-8"
    );
    let file = dir.path().join("dept.csv");
    std::fs::write(&file, &bytes).unwrap();
    let out = dir.path().join("dept.yaml");
    import(&file, &out).assert().success();
    let loaded = load_path(&out);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let ops = &loaded.catalog.operations;
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].name, "窓口受付業務");
    assert_eq!(ops[0].routine_share, Some(0.9));
    assert_eq!(
        ops[0].legal_basis.as_deref(),
        Some(&["住民基本台帳法".to_string(), "戸籍法".to_string()][..])
    );
    assert_eq!(ops[0].emergency_role, Some(false));
    assert_eq!(ops[1].emergency_role, Some(true));
    assert_eq!(ops[1].legal_basis, None, "an empty cell is unknown");
}

#[test]
fn an_unknown_header_names_its_column_and_the_nearest_title() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dept.csv");
    std::fs::write(
        &file,
        "id,name,department,routine_shar\nx,業務,総務部,0.5\n",
    )
    .unwrap();
    let out = dir.path().join("dept.yaml");
    import(&file, &out)
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("R1C4 (D1)"))
        .stderr(predicates::str::contains("did you mean `routine_share`?"));
    assert!(!out.exists());
}

#[test]
fn a_bad_enum_value_is_located_to_its_cell_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dept.csv");
    std::fs::write(
        &file,
        japanese_csv("payroll,給与事務,総務部 人事課,150,complet,,はい"),
    )
    .unwrap();
    let out = dir.path().join("dept.yaml");
    let assert = import(&file, &out).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("dept.csv: R3C5 (E3)"), "{stderr}");
    assert!(stderr.contains("none, partial, complete"), "{stderr}");
    assert!(stderr.contains("もしかして「complete」"), "{stderr}");
    assert!(
        stderr.contains("R3C4 (D3)"),
        "out-of-range number located too: {stderr}"
    );
    assert!(!out.exists(), "nothing is written on error");
}

#[test]
fn a_bad_cell_in_a_workbook_names_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("catalog.xlsx");
    // The template workbook with its example row's difficulty (R) out of range.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("業務").unwrap();
    for (c, h) in ["ID", "業務名", "所管", "困難度"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["a", "業務", "総務部"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    ws.write_number(1, 3, 9.0).unwrap();
    book.save(&sheet).unwrap();
    let out = dir.path().join("dept.yaml");
    import(&sheet, &out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("業務!R2C4 (D2)"))
        .stderr(predicates::str::contains("1〜5 の整数"));
    assert!(!out.exists());
}

#[test]
fn an_existing_output_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dept.csv");
    std::fs::write(
        &file,
        japanese_csv("payroll,給与事務,総務部 人事課,0.8,partial,,はい"),
    )
    .unwrap();
    let out = dir.path().join("dept.yaml");
    std::fs::write(&out, "mine\n").unwrap();
    import(&file, &out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine\n");
    import(&file, &out).arg("--force").assert().success();
    assert_eq!(load_path(&out).catalog.len(), 2);
}

#[test]
fn an_imported_catalog_starts_with_the_schema_modeline_and_takes_new_operations() {
    let dir = tempfile::tempdir().unwrap();
    let csv = crate::support::write(
        dir.path(),
        "dept.csv",
        japanese_csv("payroll,給与事務,総務部 人事課,0.8,partial,,はい"),
    );
    let yaml = dir.path().join("dept.yaml");
    import(&csv, &yaml).assert().success();
    let imported = std::fs::read_to_string(&yaml).unwrap();
    let bundled = std::fs::read_to_string(root().join("catalog/01_seisaku.yaml")).unwrap();
    assert_eq!(
        imported.lines().next(),
        bundled.lines().next(),
        "the bundled catalog's modeline"
    );
    let answers = crate::support::write(
        dir.path(),
        "answers.yaml",
        "name: 駐輪場利用申請の受付業務\n所管: 土木部 交通安全自転車課\nstaff_fte: 3\n",
    );
    let out = itaku()
        .args(["new", "--as-of", "2026-04-01", "--answers"])
        .arg(&answers)
        .arg("--catalog")
        .arg(&yaml)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::read_to_string(&yaml).unwrap();
    assert!(after.starts_with(&imported), "the imported text is kept");
    let loaded = load_path(&yaml);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.catalog.len(), 3);
}

/// Texts a spreadsheet would read as a formula (OWASP "CSV Injection").
const HOSTILE: [&str; 6] = [
    "=HYPERLINK(\"http://example.com\",\"x\")",
    "+1",
    "-x",
    "@a",
    "\t=1",
    "\r=1",
];

/// A catalog whose names, departments, legal bases and steps all start like formulas.
fn hostile_catalog(dir: &Path) -> PathBuf {
    let mut yaml = String::from("format: 3\noperations:\n");
    for (i, h) in HOSTILE.iter().enumerate() {
        let q = serde_json::to_string(h).unwrap();
        yaml.push_str(&format!(
            "  - id: op-{i}\n    name: {q}\n    department: {q}\n    legal_basis: [{q}, \"'=quoted\"]\n    decision_steps: [{q}]\n    auxiliary_steps: [{q}, \"b\"]\n    source: {q}\n    personal_data: sensitive\n    citizen_facing: true\n    work_location: ward_premises\n    co_located: true\n    escalation_to_staff: true\n    statutory_staff_only: false\n    public_authority: ancillary\n    contract_type: consignment\n"
        ));
    }
    crate::support::write(dir, "hostile.yaml", yaml)
}

fn csv_cells(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn assert_no_formula(cells: &[String], what: &str) {
    for cell in cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: the cell {cell:?} starts a formula"
        );
    }
}

#[test]
fn no_csv_the_tool_writes_starts_a_formula_and_import_reads_its_own_exports_back() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = hostile_catalog(dir.path());
    let original = load_path(&catalog);
    assert!(
        original.diagnostics.is_empty(),
        "{:?}",
        original.diagnostics
    );
    assert_eq!(original.catalog.operations[4].name, "\t=1");
    for args in [
        &["assess", "--as-of", "2026-04-01", "--format", "csv"][..],
        &[
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "csv",
            "--checklist",
        ][..],
        &["export-catalog", "--format", "csv"][..],
    ] {
        let out = itaku().args(args).arg(&catalog).output().unwrap();
        assert!(
            out.status.code() != Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cells = csv_cells(&out.stdout);
        assert!(
            cells
                .iter()
                .any(|c| c == "'=HYPERLINK(\"http://example.com\",\"x\")"),
            "{args:?}"
        );
        assert_no_formula(&cells, &args.join(" "));
    }
    let template = itaku()
        .args(["template", "--format", "csv"])
        .output()
        .unwrap();
    assert_no_formula(&csv_cells(&template.stdout), "template");
    // The exports come back as the identical catalog, in CSV and in xlsx.
    for format in ["csv", "xlsx"] {
        let sheet = dir.path().join(format!("hostile.{format}"));
        itaku()
            .args(["export-catalog", "--format", format, "--output"])
            .arg(&sheet)
            .arg(&catalog)
            .assert()
            .success();
        let yaml = dir.path().join(format!("back-{format}.yaml"));
        import(&sheet, &yaml).assert().success();
        let back = load_path(&yaml);
        assert!(
            back.diagnostics.is_empty(),
            "{format}: {:?}",
            back.diagnostics
        );
        assert_eq!(
            back.catalog.operations, original.catalog.operations,
            "{format}"
        );
    }
}

#[test]
fn workbook_cells_are_strings_never_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = hostile_catalog(dir.path());
    let catalog_book = dir.path().join("catalog.xlsx");
    itaku()
        .args(["export-catalog", "--format", "xlsx", "--output"])
        .arg(&catalog_book)
        .arg(&catalog)
        .assert()
        .success();
    let assessment_book = dir.path().join("assessment.xlsx");
    itaku()
        .args([
            "assess",
            "--as-of",
            "2026-04-01",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&assessment_book)
        .arg(&catalog)
        .assert()
        .success();
    for book in [&catalog_book, &assessment_book] {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            if entry.name().starts_with("xl/worksheets/") {
                let mut xml = String::new();
                std::io::Read::read_to_string(&mut entry, &mut xml).unwrap();
                assert!(
                    !xml.contains("<f>") && !xml.contains("<f "),
                    "{}: a formula",
                    entry.name()
                );
            }
        }
        let mut wb = open_workbook_auto(book).unwrap();
        let first = wb.sheet_names()[if book == &catalog_book { 0 } else { 1 }].clone();
        let range = wb.worksheet_range(&first).unwrap();
        let names: Vec<&Data> = range.rows().skip(1).map(|r| &r[1]).collect();
        assert_eq!(names.len(), HOSTILE.len());
        for (cell, h) in names.iter().zip(HOSTILE) {
            assert_eq!(**cell, Data::String(h.to_string()), "{}", book.display());
        }
    }
}

/// `export-catalog --format csv --encoding cp932` of the bundled catalog.
fn cp932_export(dir: &Path) -> (PathBuf, Vec<u8>) {
    let sheet = dir.join("catalog-cp932.csv");
    itaku()
        .args([
            "export-catalog",
            "catalog",
            "--format",
            "csv",
            "--encoding",
            "cp932",
            "--output",
        ])
        .arg(&sheet)
        .assert()
        .success();
    let bytes = std::fs::read(&sheet).unwrap();
    (sheet, bytes)
}

#[test]
fn the_bundled_catalog_round_trips_through_cp932() {
    let dir = tempfile::tempdir().unwrap();
    let (sheet, bytes) = cp932_export(dir.path());
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "written in cp932, not UTF-8"
    );
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!errors);
    // The header as cp932 holds it: ～ (U+FF5E) where the title has 〜 (U+301C).
    assert!(text.contains("月別業務量（4月～3月）"), "{}", &text[..300]);
    // Choices as the questionnaire words them.
    assert!(text.contains("補助的な行為のみ (受付・確認など)"));
    let yaml = dir.path().join("back.yaml");
    import(&sheet, &yaml).assert().success();
    let original = load_path(&root().join("catalog"));
    let back = load_path(&yaml);
    assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
    assert_eq!(back.catalog.operations, original.catalog.operations);
}

#[test]
fn excel_cp932_csv_with_labels_percentages_and_full_width_digits_imports() {
    let dir = tempfile::tempdir().unwrap();
    // As Japanese Excel saves it: cp932, ～ and － from the cp932 side, Japanese labels, shares as
    // 85%, 85 or 0.85, full-width digits.
    let csv = "ＩＤ,業務名,所管,定型度,切り出せる工程の業務量割合,マニュアル整備状況,公権力の行使,年間件数,月別業務量（4月～3月）\r\n\
        a,窓口受付業務～受付－交付,区民部,85%,85,一部ある,補助的な行為のみ (受付・確認など),１２，０００,1;1;1;1;1;1;1;1;1;1;1;１\r\n\
        b,給与事務,総務部,0.85,８５％,complete,\"ancillary acts only (intake, checks)\",12000,\r\n";
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(csv);
    assert!(!unmappable);
    let file = crate::support::write(dir.path(), "excel.csv", &bytes);
    let yaml = dir.path().join("excel.yaml");
    let out = import(&file, &yaml).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ops = load_path(&yaml).catalog.operations;
    assert_eq!(ops.len(), 2);
    // Free text keeps what was typed (the cp932 side).
    assert_eq!(ops[0].name, "窓口受付業務～受付－交付");
    for op in &ops {
        assert_eq!(op.routine_share, Some(0.85), "{}", op.id);
        assert_eq!(op.auxiliary_share, Some(0.85), "{}", op.id);
        assert_eq!(op.annual_cases, Some(12000), "{}", op.id);
        assert_eq!(
            op.public_authority,
            Some(itaku::catalog::PublicAuthority::Ancillary)
        );
    }
    assert_eq!(ops[0].manuals, Some(itaku::catalog::Manuals::Partial));
    assert_eq!(ops[1].manuals, Some(itaku::catalog::Manuals::Complete));
    assert_eq!(ops[0].monthly_load.as_ref().map(|m| m.len()), Some(12));
}

#[test]
fn a_did_you_mean_that_looks_like_the_input_names_the_differing_character() {
    let dir = tempfile::tempdir().unwrap();
    // 况 (U+51B5) for 況 (U+6CC1): looks the same on most screens.
    let file = crate::support::write(
        dir.path(),
        "look.csv",
        "ID,業務名,所管,マニュアル整備状况\nreception,窓口,区民部,complete\n",
    );
    let out = itaku()
        .arg("import")
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("x.yaml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("もしかして「マニュアル整備状況」"),
        "{stderr}"
    );
    assert!(
        stderr.contains("U+51B5") && stderr.contains("U+6CC1"),
        "{stderr}"
    );
}

#[test]
fn a_character_cp932_cannot_hold_is_reported_at_its_cell_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::support::write(
        dir.path(),
        "c.yaml",
        "operations:\n  - id: a\n    name: 𠮷野家の委託\n    department: 区民部\n",
    );
    let sheet = dir.path().join("c.csv");
    let out = itaku()
        .args([
            "export-catalog",
            "--format",
            "csv",
            "--encoding",
            "cp932",
            "--output",
        ])
        .arg(&sheet)
        .arg(&catalog)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("R2C2 (B2)") && stderr.contains("U+20BB7"),
        "{stderr}"
    );
    assert!(!sheet.exists(), "nothing is written");
}

#[test]
fn exports_and_templates_write_the_questionnaires_japanese_labels() {
    for args in [
        &["export-catalog", "catalog", "--format", "csv"][..],
        &["template", "--format", "csv"][..],
    ] {
        let out = itaku().args(args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let q = itaku::catalog::questions::question(itaku::catalog::Field::public_authority);
        assert!(
            q.choices.iter().any(|c| text.contains(c.label.ja)),
            "{args:?}: no Japanese label of public_authority"
        );
        assert!(!text.contains(",ancillary,"), "{args:?}: a code");
    }
}
