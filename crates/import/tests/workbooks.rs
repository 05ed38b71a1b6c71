//! XLSX workbooks: typed cells (numbers, dates), sheets, and the templates.

mod common;

use chainpark_import::{ImportError, ImportOptions, Layout, Problem, template_csv, template_xlsx};
use common::*;

#[test]
fn xlsx_wide_by_month_layout_is_read() {
    let book = workbook(
        "指标",
        &[
            vec![X::S("2021年企业月度指标")],
            vec![
                X::S("统一社会信用代码"),
                X::S("指标"),
                X::Date(2021, 1, 1),
                X::S("2021年2月"),
                X::S("202103 (万元)"),
            ],
            vec![
                X::Owned(code(1)),
                X::S("营业收入"),
                X::N(1234.56),
                X::Blank,
                X::N(2.5),
            ],
            vec![
                X::Owned(code(2)),
                X::S("从业人员"),
                X::N(120.0),
                X::N(121.0),
                X::Blank,
            ],
        ],
    );
    let out = xlsx(&book);
    let report = out.report();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!(
        (report.layout, report.header_line, report.sheet.as_deref()),
        (Layout::WideByMonth, 2, Some("指标"))
    );
    assert_eq!(
        out.triples(),
        vec![
            (1, "2021-01".into(), "operating_revenue".into(), 123_456),
            (1, "2021-03".into(), "operating_revenue".into(), 2_500_000),
            (2, "2021-01".into(), "employees".into(), 12_000),
            (2, "2021-02".into(), "employees".into(), 12_100),
        ]
    );
    assert_eq!(report.empty_cells, 2);
    assert_eq!(out.values[0].line, 3);
}

#[test]
fn excel_date_cell_in_the_period_column_is_read_as_its_month() {
    let book = workbook(
        "Sheet1",
        &[
            vec![X::S("统一社会信用代码"), X::S("期间"), X::S("增加值(万元)")],
            vec![X::Owned(code(1)), X::Date(2021, 6, 30), X::N(1.0)],
            vec![X::Owned(code(1)), X::N(202107.0), X::N(1.0)],
        ],
    );
    let periods: Vec<String> = xlsx(&book).triples().into_iter().map(|t| t.1).collect();
    assert_eq!(periods, vec!["2021-06", "2021-07"]);
}

#[test]
fn float_cells_are_read_at_excel_precision_and_stay_exact() {
    let book = workbook(
        "Sheet1",
        &[
            vec![
                X::S("统一社会信用代码"),
                X::S("期间"),
                X::S("指标"),
                X::S("数值"),
            ],
            vec![
                X::Owned(code(1)),
                X::S("2021-01"),
                X::S("税金"),
                X::N(0.1 + 0.2),
            ],
            vec![
                X::Owned(code(1)),
                X::S("2021-02"),
                X::S("税金"),
                X::N(0.125),
            ],
        ],
    );
    let out = xlsx(&book);
    assert_eq!(out.values[0].value, 30);
    out.assert_problem(3, Problem::TooManyDecimals);
}

#[test]
fn credit_code_stored_as_a_number_is_rejected() {
    let book = workbook(
        "Sheet1",
        &[
            vec![
                X::S("统一社会信用代码"),
                X::S("期间"),
                X::S("指标"),
                X::S("数值"),
            ],
            vec![
                X::N(915_000_002_028_257_485.0),
                X::S("2021-01"),
                X::S("税金"),
                X::N(1.0),
            ],
        ],
    );
    let e = xlsx(&book)
        .assert_problem(2, Problem::InvalidCreditCode)
        .clone();
    assert!(e.reason.contains("stored as a number"), "{}", e.reason);
}

#[test]
fn named_sheet_is_read_and_a_missing_one_is_a_clear_error() {
    let book = workbook("数据", &[vec![X::S("统一社会信用代码")]]);
    let mut options = ImportOptions::new(latest());
    options.sheet = Some("汇总".into());
    let err = xlsx_with(options, &book).error().to_string();
    assert_eq!(
        err,
        "the workbook has no worksheet named '汇总'; it has: 数据"
    );
}

#[test]
fn every_template_reads_back_cleanly() {
    for layout in Layout::ALL {
        let csv_text = template_csv(layout);
        assert!(csv_text.starts_with('\u{FEFF}'));
        let out = named(csv_text.as_bytes(), "template.csv");
        // The template's example enterprise is not registered; everything else about it must pass.
        let report = out.report();
        assert_eq!(report.layout, layout);
        assert!(
            report
                .errors
                .iter()
                .all(|e| e.problem == Problem::UnknownCreditCode),
            "{:#?}",
            report.errors
        );

        let book = template_xlsx(layout);
        let out = named(&book, "template.xlsx");
        let report = out.report();
        assert_eq!(report.layout, layout);
        assert!(
            report
                .errors
                .iter()
                .all(|e| e.problem == Problem::UnknownCreditCode),
            "{:#?}",
            report.errors
        );
        assert_eq!(report.rows_read, 1);
    }
}

#[test]
fn empty_workbook_is_a_clear_error() {
    let book = workbook("Sheet1", &[]);
    assert!(matches!(xlsx(&book).error(), ImportError::Empty));
}
