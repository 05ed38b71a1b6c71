//! What kinds of file are accepted and how bad files are refused.

mod common;

use chainpark_import::{ImportError, ImportOptions, Problem};
use common::*;

#[test]
fn utf8_csv_with_bom_is_read() {
    let text = format!(
        "\u{FEFF}统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,1\n",
        code(1)
    );
    let out = csv(&text);
    assert_eq!(out.single_value(), 100);
    assert_eq!(out.report().encoding.as_deref(), Some("UTF-8"));
}

#[test]
fn gbk_encoded_csv_is_detected_and_decoded() {
    let text = format!(
        "统一社会信用代码,企业名称,期间,指标,数值,单位\n{},重庆两江示例科技有限公司,2021年3月,营业收入,12.5,万元\n",
        code(2)
    );
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(&text);
    assert!(!had_errors);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test file must not be UTF-8"
    );
    let out = csv_bytes(&bytes);
    assert_eq!(
        out.triples(),
        vec![(2, "2021-03".into(), "operating_revenue".into(), 12_500_000)]
    );
    assert_eq!(out.report().encoding.as_deref(), Some("GB18030"));
}

#[test]
fn utf16_tab_separated_text_from_excel_is_read() {
    let text = format!(
        "统一社会信用代码\t期间\t指标\t数值\r\n{}\t2021-01\t利润总额\t-3.5\r\n",
        code(3)
    );
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(csv_bytes(&bytes).single_value(), -350);
}

#[test]
fn semicolon_separated_csv_is_read() {
    let text = format!(
        "credit_code;period;indicator;value\n{};2021-01;tax;\"1,234.50\"\n",
        code(4)
    );
    assert_eq!(csv(&text).single_value(), 123_450);
}

#[test]
fn empty_file_is_a_clear_error() {
    assert!(matches!(csv("").error(), ImportError::Empty));
    assert!(matches!(
        csv("\u{FEFF}\r\n\r\n").error(),
        ImportError::Empty
    ));
    assert!(matches!(xlsx(b"").error(), ImportError::Empty));
}

#[test]
fn file_with_headers_only_is_a_clear_error() {
    let err = csv("统一社会信用代码,期间,指标,数值\n").error().to_string();
    assert_eq!(err, "the file has a header (line 1) but no data rows");
    let book = workbook(
        "Sheet1",
        &[vec![
            X::S("统一社会信用代码"),
            X::S("期间"),
            X::S("指标"),
            X::S("数值"),
        ]],
    );
    assert!(matches!(
        xlsx(&book).error(),
        ImportError::NoDataRows { header_line: 1 }
    ));
}

fn binary_bytes() -> Vec<u8> {
    (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

#[test]
fn binary_file_named_csv_is_a_clear_error() {
    let err = named(&binary_bytes(), "指标.csv").error().to_string();
    assert_eq!(
        err,
        "the file is not CSV text: it looks like binary data, not text"
    );
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    assert!(
        named(&png, "a.csv")
            .error()
            .to_string()
            .contains("a PNG image")
    );
}

#[test]
fn binary_file_named_xlsx_is_a_clear_error() {
    let out = named(&binary_bytes(), "指标.xlsx");
    let err = out.error();
    assert!(matches!(err, ImportError::NotAWorkbook(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "the file is not an XLSX workbook: it is not a zip archive, as every .xlsx file is"
    );
    // A damaged zip is refused as well, without panicking.
    let damaged = [b"PK\x03\x04".as_slice(), &binary_bytes()].concat();
    assert!(matches!(
        named(&damaged, "指标.xlsx").error(),
        ImportError::NotAWorkbook(_)
    ));
}

#[test]
fn csv_text_named_xlsx_is_told_to_be_renamed() {
    let err = named(b"credit_code,period\n", "x.xlsx").error().to_string();
    assert!(err.contains("if it is CSV, name it .csv"), "{err}");
}

#[test]
fn xlsx_named_csv_is_read_as_a_workbook() {
    let book = workbook(
        "Sheet1",
        &[
            vec![
                X::S("统一社会信用代码"),
                X::S("期间"),
                X::S("指标"),
                X::S("数值"),
            ],
            vec![X::Owned(code(1)), X::S("2021-01"), X::S("税金"), X::N(2.0)],
        ],
    );
    assert_eq!(named(&book, "report.csv").single_value(), 200);
}

#[test]
fn old_xls_workbook_is_a_clear_error() {
    let xls = [b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".as_slice(), &[0u8; 512]].concat();
    assert!(matches!(
        named(&xls, "a.xls").error(),
        ImportError::NotText(_)
    ));
    assert!(matches!(xlsx(&xls).error(), ImportError::OldExcelFormat));
}

#[test]
fn xlsx_above_the_size_limit_is_refused() {
    let book = workbook("Sheet1", &[vec![X::S("统一社会信用代码")]]);
    let mut options = ImportOptions::new(latest());
    options.limits.max_xlsx_bytes = 1000;
    let err = xlsx_with(options, &book).error().to_string();
    assert!(
        err.starts_with("the workbook has ") && err.contains("more than the 1000 allowed for XLSX"),
        "{err}"
    );
}

#[test]
fn broken_quote_is_reported_with_its_line() {
    let text = format!(
        "统一社会信用代码,期间,指标,数值\n{c},2021-01,增加值,1\n{c},2021-02,增加值,\"2\n{c},2021-03,增加值,3\n",
        c = code(1)
    );
    let out = csv(&text);
    let e = out.assert_problem(3, Problem::UnclosedQuote);
    assert_eq!(e.column, "数值");
    assert!(e.reason.contains("lines 3 to 5"), "{}", e.reason);
    assert_eq!(out.report().rows_rejected, 1);
}

#[test]
fn quoted_cells_with_commas_and_line_breaks_are_read_and_lines_stay_physical() {
    let text = format!(
        "统一社会信用代码,企业名称,期间,指标,数值\n{c},\"重庆某某\n有限公司, 两江\",2021-01,增加值,\"1,000\"\n{c},x,2021-13,增加值,1\n",
        c = code(1)
    );
    let out = csv(&text);
    assert_eq!(out.values.len(), 1);
    assert_eq!(out.values[0].value, 100_000);
    // The second data row starts on physical line 4 because the name above spans two lines.
    out.assert_problem(4, Problem::BadPeriod);
}

#[test]
fn title_rows_above_the_header_are_skipped() {
    let text = format!(
        "2021年1月两江新区规上企业指标,,,\n,,,\n统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,1\n",
        code(1)
    );
    let out = csv(&text);
    assert_eq!(out.report().header_line, 3);
    assert_eq!(out.values[0].line, 4);
}

#[test]
fn file_without_a_credit_code_column_is_a_clear_error() {
    let err = csv("企业名称,期间,指标,数值\n甲,2021-01,增加值,1\n")
        .error()
        .to_string();
    assert!(
        err.starts_with("no header row in the first 2 rows"),
        "{err}"
    );
    assert!(err.contains("企业名称, 期间, 指标, 数值"), "{err}");
}

#[test]
fn invalid_utf8_after_utf8_text_names_its_line() {
    let mut bytes = format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,1\n",
        code(1)
    )
    .into_bytes();
    bytes.extend_from_slice(b"x,\xFF\xFE,y,z\n");
    let err = csv_bytes(&bytes).error().to_string();
    assert!(err.starts_with("line 3: the bytes at offset"), "{err}");
}

#[test]
fn unclosed_quote_in_a_large_file_stops_with_a_clear_error_instead_of_reading_on() {
    let mut text = format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,\"1\n",
        code(1)
    );
    let row = format!("{},2021-02,增加值,1\n", code(1));
    while text.len() < 3 << 20 {
        text.push_str(&row);
    }
    let err = csv(&text).error().to_string();
    assert!(
        err.starts_with("line ") && err.contains("probably never closed"),
        "{err}"
    );
}

#[test]
fn blank_lines_do_not_shift_line_numbers() {
    let text = format!(
        "统一社会信用代码,期间,指标,数值\r\n\r\n\r\n{},2021-13,增加值,1",
        code(1)
    );
    csv(&text).assert_problem(4, Problem::BadPeriod);
}

#[test]
fn unclosed_quote_in_an_ignored_name_column_is_still_found() {
    let text = format!(
        "统一社会信用代码,企业名称,期间,指标,数值\n{c},\"重庆两江,2021-01,增加值,1\n{c},乙,2021-02,增加值,1\n",
        c = code(1)
    );
    let e = csv(&text).assert_problem(2, Problem::UnclosedQuote).clone();
    assert_eq!(e.column, "企业名称");
}

#[test]
fn lines_ended_by_crlf_are_numbered_as_an_editor_numbers_them_quoted_or_not() {
    for quoted in [false, true] {
        let cell = if quoted {
            format!("\"{}\"", code(1))
        } else {
            code(1)
        };
        let text = format!(
            "统一社会信用代码,期间,指标,数值\r\n{c},2021-01,增加值,1\r\n{cell},2021-13,增加值,1\r\n{c},2021-02,增加值,1\r\n",
            c = code(2)
        );
        csv(&text).assert_problem(3, Problem::BadPeriod);
    }
}
