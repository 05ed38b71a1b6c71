//! Hostile files, each generated here (no binary fixture): every one is refused with an error naming the limit it
//! went past, before the reader allocates anything that depends on it — or, for the hidden sheet and the long cell
//! failing many rows, read sensibly with a small report.

mod common;

use chainpark_import::hostile::{self, Body, Sheet};
use chainpark_import::{ImportError, ImportOptions, OtherSheet, Problem};
use common::*;

fn refused_xlsx(bytes: &[u8]) -> ImportError {
    refused_xlsx_with(ImportOptions::new(latest()), bytes)
}

fn refused_xlsx_with(options: ImportOptions, bytes: &[u8]) -> ImportError {
    match xlsx_with(options, bytes).result {
        Ok(report) => panic!("expected the workbook to be refused, got {report:#?}"),
        Err(e) => e,
    }
}

fn long_rows(rows: &[(String, &str, &str, &str)]) -> Vec<Vec<String>> {
    let mut out = vec![
        ["统一社会信用代码", "期间", "指标", "数值"]
            .map(String::from)
            .to_vec(),
    ];
    for (code, month, indicator, value) in rows {
        out.push(vec![
            code.clone(),
            month.to_string(),
            indicator.to_string(),
            value.to_string(),
        ]);
    }
    out
}

#[test]
fn cell_referenced_past_the_last_column_is_refused_naming_it() {
    for reference in ["FXSHRXW2", "GZZZZZ2", "XFE2"] {
        let book = hostile::far_reference(reference);
        assert!(book.len() < 2_000, "{} bytes", book.len());
        let e = refused_xlsx(&book);
        assert!(
            matches!(&e, ImportError::CellOutOfRange { cell, .. } if cell == reference),
            "{reference}: {e}"
        );
        assert_eq!(e.code(), "cell_out_of_range");
        assert!(e.to_string().contains("XFD1048576"), "{e}");
    }
}

#[test]
fn cell_on_the_last_column_or_row_is_still_read() {
    for reference in ["XFD2", "A1048576"] {
        let out = xlsx(&hostile::far_reference(reference));
        assert!(out.result.is_ok(), "{reference}: {:?}", out.result.err());
    }
}

#[test]
fn row_past_the_last_row_is_refused() {
    let e = refused_xlsx(&hostile::far_reference("A1048577"));
    assert!(
        matches!(&e, ImportError::CellOutOfRange { cell, .. } if cell == "A1048577"),
        "{e}"
    );
}

#[test]
fn shared_strings_zip_bomb_is_refused_by_its_compression_ratio() {
    let book = hostile::shared_strings_bomb(32 << 20);
    assert!(book.len() < 200_000, "{} bytes", book.len());
    let e = refused_xlsx(&book);
    assert!(
        matches!(&e, ImportError::ZipBomb { part, limit } if part == "xl/sharedStrings.xml" && limit.value == 100),
        "{e}"
    );
    assert!(e.to_string().contains("max_compression_ratio = 100"), "{e}");
}

#[test]
fn part_larger_than_its_limit_is_refused() {
    let mut options = ImportOptions::new(latest());
    options.limits.max_part_bytes = 100_000;
    let e = refused_xlsx_with(options, &hostile::shared_strings_bomb(1 << 20));
    assert!(
        matches!(&e, ImportError::PartTooLarge { limit, .. } if limit.key == "max_part_bytes" && limit.value == 100_000),
        "{e}"
    );
}

#[test]
fn worksheet_larger_than_its_limit_is_refused() {
    let mut options = ImportOptions::new(latest());
    options.limits.max_sheet_bytes = 10_000;
    let rows: Vec<(String, &str, &str, &str)> = (0..200)
        .map(|_| (code(1), "2021-01", "增加值", "1"))
        .collect();
    let e = refused_xlsx_with(options, &hostile::plain_workbook(&long_rows(&rows)));
    assert!(
        matches!(&e, ImportError::PartTooLarge { part, limit } if part == "xl/worksheets/sheet1.xml" && limit.key == "max_sheet_bytes"),
        "{e}"
    );
}

#[test]
fn cell_longer_than_a_cell_may_be_is_refused() {
    let e = refused_xlsx(&hostile::huge_cell(40_000));
    assert!(
        matches!(&e, ImportError::CellTooLong { line: 2, column, limit } if column == "A" && limit.value == 32_767),
        "{e}"
    );
}

#[test]
fn one_huge_cell_is_refused_while_it_is_read() {
    let book = hostile::huge_cell(20 << 20);
    let e = refused_xlsx(&book);
    assert!(
        matches!(&e, ImportError::ElementTooLarge { limit, .. } if limit.key == "max_cell_chars"),
        "{e}"
    );
}

#[test]
fn shared_string_longer_than_a_cell_may_be_is_refused() {
    let e = refused_xlsx(&hostile::long_shared_string(1 << 20, 300, &code(1)));
    assert_eq!(e.code(), "element_too_large", "{e}");
    let e = refused_xlsx(&hostile::long_shared_string(40_000, 3, &code(1)));
    assert!(
        matches!(&e, ImportError::SharedStringTooLong { index: 0, .. }),
        "{e}"
    );
}

#[test]
fn long_cell_failing_many_rows_keeps_the_report_small() {
    let out = xlsx(&hostile::long_shared_string(32_000, 300, &code(1)));
    let report = out.report();
    assert_eq!(report.rows_rejected, 300);
    assert!(out.values.is_empty());
    for e in &report.errors {
        assert!(e.cell.chars().count() <= 101, "{}", e.cell.len());
        assert!(e.reason.chars().count() <= 201, "{}", e.reason);
        assert!(e.reason_zh.chars().count() <= 201, "{}", e.reason_zh);
    }
    let json = serde_json::to_string(report).expect("JSON");
    assert!(
        json.len() < 2_000 * report.errors.len(),
        "{} bytes for {} problems",
        json.len(),
        report.errors.len()
    );
}

#[test]
fn shared_string_index_out_of_range_is_refused_not_a_panic() {
    for index in ["1", "99", "x", ""] {
        let e = refused_xlsx(&hostile::bad_shared_string_index(index));
        assert!(
            matches!(&e, ImportError::BadSharedString { cell, count: 1, .. } if cell == "B1"),
            "{index:?}: {e}"
        );
    }
}

#[test]
fn panic_inside_a_reader_becomes_an_error_naming_the_file() {
    let csv = format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,1\n",
        code(1)
    );
    let out = run_with(ImportOptions::new(latest()), |importer, values| {
        importer.read_named(
            std::io::Cursor::new(csv.as_bytes()),
            "一月.csv",
            |_: &chainpark_core::credit_code::CreditCode| -> Option<i64> {
                panic!("index out of bounds: the len is 0 but the index is 7")
            },
            values,
        )
    });
    let e = out.error();
    assert_eq!(e.code(), "reader_failed");
    let message = e.to_string();
    assert!(
        message.contains("一月.csv") && message.contains("index out of bounds"),
        "{message}"
    );
}

#[test]
fn first_visible_sheet_is_read_and_the_report_names_the_others() {
    let old = long_rows(&[(code(1), "2021-01", "增加值", "999")]);
    let current = long_rows(&[(code(2), "2021-01", "增加值", "1")]);
    let out = xlsx(&hostile::hidden_first_sheet(&old, &current));
    let report = out.report();
    assert_eq!(report.sheet.as_deref(), Some("本月"));
    assert_eq!(
        report.other_sheets,
        vec![OtherSheet {
            name: "旧数据".into(),
            hidden: true
        }]
    );
    assert_eq!(
        out.triples(),
        vec![(2, "2021-01".into(), "added_value".into(), 100)]
    );
}

#[test]
fn hidden_sheet_is_read_when_the_user_names_it() {
    let old = long_rows(&[(code(1), "2021-01", "增加值", "999")]);
    let current = long_rows(&[(code(2), "2021-01", "增加值", "1")]);
    let mut options = ImportOptions::new(latest());
    options.sheet = Some("旧数据".into());
    let out = xlsx_with(options, &hostile::hidden_first_sheet(&old, &current));
    assert_eq!(out.report().sheet.as_deref(), Some("旧数据"));
    assert_eq!(out.triples()[0].0, 1);
    assert_eq!(
        out.report().other_sheets,
        vec![OtherSheet {
            name: "本月".into(),
            hidden: false
        }]
    );
}

#[test]
fn workbook_whose_sheets_are_all_hidden_asks_for_a_name() {
    let book = hostile::workbook(
        vec![Sheet {
            name: "隐藏".into(),
            hidden: true,
            xml: Body::Bytes(hostile::sheet_xml(&long_rows(&[])).into_bytes()),
        }],
        None,
    );
    let e = refused_xlsx(&book);
    assert!(
        matches!(&e, ImportError::NoVisibleWorksheet { sheets } if sheets == &["隐藏"]),
        "{e}"
    );
}

#[test]
fn workbook_of_too_many_parts_is_refused() {
    let e = refused_xlsx(&hostile::many_parts(10_001));
    assert!(
        matches!(&e, ImportError::TooManyParts { limit } if limit.value == 10_000),
        "{e}"
    );
}

#[test]
fn directory_parts_within_their_limits_are_read() {
    let e = refused_xlsx(&hostile::directory_bomb(1_000, 1 << 20, 60));
    assert!(
        matches!(e, ImportError::NoDataRows { header_line: 1 }),
        "{e}"
    );
}

#[test]
fn directory_part_of_too_many_entries_is_refused() {
    let mut options = ImportOptions::new(latest());
    options.limits.max_workbook_entries = 999;
    let e = refused_xlsx_with(options, &hostile::directory_bomb(1_000, 1 << 20, 60));
    assert_eq!(e.code(), "too_many_entries");
    assert!(e.to_string().contains("max_workbook_entries = 999"), "{e}");
}

#[test]
fn one_huge_xml_element_is_refused() {
    let e = refused_xlsx(&hostile::huge_element(2 << 20));
    assert_eq!(e.code(), "element_too_large", "{e}");
}

#[test]
fn comment_full_of_markup_is_refused() {
    let e = refused_xlsx(&hostile::comment_bomb(2 << 20));
    assert_eq!(e.code(), "element_too_large", "{e}");
}

#[test]
fn too_many_shared_strings_are_refused() {
    let strings = Body::Repeat {
        head: "<sst>".into(),
        unit: "<si><t>a</t></si>".into(),
        times: 11,
        tail: "</sst>".into(),
    };
    let book = hostile::workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml: Body::Bytes(hostile::sheet_xml(&long_rows(&[])).into_bytes()),
        }],
        Some(strings),
    );
    let mut options = ImportOptions::new(latest());
    options.limits.max_shared_strings = 10;
    let e = refused_xlsx_with(options, &book);
    assert!(
        matches!(&e, ImportError::TooManySharedStrings { limit } if limit.value == 10),
        "{e}"
    );
}

#[test]
fn workbook_row_whose_cells_are_too_large_together_is_refused() {
    let long = "a".repeat(3_000);
    let rows = long_rows(&[(code(1), "2021-01", "增加值", &long)]);
    let mut rows = rows;
    rows[1].extend([long.clone(), long.clone(), long.clone()]);
    let mut options = ImportOptions::new(latest());
    options.limits.max_row_bytes = 10_000;
    let e = refused_xlsx_with(options, &hostile::plain_workbook(&rows));
    assert!(
        matches!(&e, ImportError::RowTooLarge { line: 2, limit } if limit.value == 10_000),
        "{e}"
    );
}

#[test]
fn csv_row_of_a_million_empty_cells_is_refused() {
    let mut file = Vec::new();
    hostile::write_wide_empty_row_csv(&mut file, 1_000_000).expect("in memory");
    let e = csv_bytes(&file).result.expect_err("refused");
    assert!(
        matches!(&e, ImportError::TooManyCells { line: 2, limit } if limit.value == 16_384),
        "{e}"
    );
}

#[test]
fn csv_cell_longer_than_a_cell_may_be_is_refused() {
    let csv = format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,{},1\n",
        code(1),
        "增".repeat(40_000)
    );
    let e = csv_bytes(csv.as_bytes()).result.expect_err("refused");
    assert!(
        matches!(&e, ImportError::CellTooLong { line: 2, column, .. } if column == "C"),
        "{e}"
    );
}

#[test]
fn csv_header_of_long_cells_gives_a_short_message() {
    let csv = format!("{}\n1,2\n", vec!["表".repeat(30_000); 10].join(","));
    let e = csv_bytes(csv.as_bytes()).result.expect_err("no header");
    assert!(matches!(e, ImportError::NoHeader { .. }), "{}", e.code());
    assert!(
        e.to_string().chars().count() < 500,
        "{}",
        e.to_string().len()
    );
}

#[test]
fn repeated_unknown_credit_codes_list_the_first_problems_only() {
    let mut file = Vec::new();
    hostile::write_rows_csv(&mut file, &[code(500)], 20_000).expect("in memory");
    let out = csv_bytes(&file);
    let report = out.report();
    assert_eq!(report.rows_rejected, 20_000);
    assert_eq!(report.error_count, 20_000);
    assert_eq!(report.errors.len(), 10_000);
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.problem == Problem::UnknownCreditCode)
    );
}
