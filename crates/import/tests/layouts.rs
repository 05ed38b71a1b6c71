//! The three layouts and how their headers are recognised.

mod common;

use chainpark_import::{ImportError, Layout, Problem};
use common::*;

#[test]
fn long_layout_with_english_headers_in_any_case_and_spacing_is_read() {
    let text = format!(
        "Credit Code , Enterprise Name, PERIOD,indicator , Value ,Unit\n{c},A Co.,2021-01,Gross Output,5,10k yuan\n{c},A Co.,2021-01,employees,120,persons\n",
        c = code(5)
    );
    let out = csv(&text);
    assert_eq!(out.report().layout, Layout::Long);
    assert_eq!(
        out.triples(),
        vec![
            (5, "2021-01".into(), "gross_output".into(), 5_000_000),
            (5, "2021-01".into(), "employees".into(), 12_000),
        ]
    );
}

#[test]
fn headers_in_full_width_brackets_and_synonyms_are_recognised() {
    let text = format!(
        "信用代码,报告期,指标名称,本月（万元）\n{},202101,利润,1\n",
        code(1)
    );
    assert_eq!(csv(&text).single_value(), 1_000_000);
}

#[test]
fn wide_by_month_layout_is_read() {
    let text = format!(
        "统一社会信用代码,企业名称,指标,2021-01,2021年2月,202103,2021-04 (万元)\n{c},甲,增加值,1,2,3,4\n",
        c = code(1)
    );
    let out = csv(&text);
    assert_eq!(out.report().layout, Layout::WideByMonth);
    assert_eq!(
        out.triples(),
        vec![
            (1, "2021-01".into(), "added_value".into(), 100),
            (1, "2021-02".into(), "added_value".into(), 200),
            (1, "2021-03".into(), "added_value".into(), 300),
            (1, "2021-04".into(), "added_value".into(), 4_000_000),
        ]
    );
}

#[test]
fn wide_by_indicator_layout_is_read() {
    let text = format!(
        "统一社会信用代码,期间,增加值(万元),工业总产值,operating_revenue,\"Profit (10k yuan)\",从业人员（人）\n{},2021-01,1,2,3,-4,56\n",
        code(1)
    );
    let out = csv(&text);
    assert_eq!(out.report().layout, Layout::WideByIndicator);
    assert_eq!(
        out.triples(),
        vec![
            (1, "2021-01".into(), "added_value".into(), 1_000_000),
            (1, "2021-01".into(), "gross_output".into(), 200),
            (1, "2021-01".into(), "operating_revenue".into(), 300),
            (1, "2021-01".into(), "profit".into(), -4_000_000),
            (1, "2021-01".into(), "employees".into(), 5_600),
        ]
    );
}

#[test]
fn empty_cells_in_a_wide_layout_are_skipped_and_counted() {
    let text = format!(
        "统一社会信用代码,指标,2021-01,2021-02,2021-03\n{},增加值,1,,-\n",
        code(1)
    );
    let out = csv(&text);
    assert!(out.report().is_clean());
    assert_eq!(out.values.len(), 1);
    assert_eq!(out.report().empty_cells, 2);
}

#[test]
fn empty_value_in_the_long_layout_is_rejected() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,\n",
        code(1)
    ));
    let e = out.assert_problem(2, Problem::MissingValue);
    assert_eq!((e.column.as_str(), e.column_letter.as_str()), ("数值", "D"));
}

#[test]
fn unknown_indicator_column_of_a_wide_layout_is_reported_on_the_header_line() {
    let out = csv(&format!(
        "统一社会信用代码,期间,增加值,出口交货值\n{},2021-01,1,2\n",
        code(1)
    ));
    let e = out.assert_problem(1, Problem::UnknownIndicator);
    assert_eq!(e.column, "出口交货值");
    // The known column is still read and checked.
    assert_eq!(out.values.len(), 1);
}

#[test]
fn unknown_indicator_in_a_long_row_is_rejected() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,出口交货值,1\n",
        code(1)
    ));
    out.assert_problem(2, Problem::UnknownIndicator);
    assert!(out.values.is_empty());
}

#[test]
fn cumulative_values_are_refused() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-06,1-6月累计增加值,1\n",
        code(1)
    ));
    out.assert_problem(2, Problem::CumulativeColumn);
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-06,增加值（累计）,1\n",
        code(1)
    ));
    out.assert_problem(2, Problem::CumulativeColumn);
}

#[test]
fn header_of_no_known_layout_is_a_clear_error() {
    let err = csv(&format!(
        "统一社会信用代码,企业名称,备注\n{},甲,乙\n",
        code(1)
    ))
    .error()
    .to_string();
    assert!(
        err.starts_with("line 1: cannot tell the layout from the header"),
        "{err}"
    );
}

#[test]
fn the_same_column_twice_is_a_clear_error() {
    let out = csv(&format!(
        "统一社会信用代码,指标,2021-01,2021年1月\n{},增加值,1,2\n",
        code(1)
    ));
    assert!(
        matches!(out.error(), ImportError::DuplicateColumn { .. }),
        "{}",
        out.error()
    );
}

#[test]
fn unit_column_applies_to_every_month_of_its_row() {
    let out = csv(&format!(
        "统一社会信用代码,指标,单位,2021-01,2021-02\n{c},营业收入,亿元,1,0.5\n{c},从业人员,人,10,11\n",
        c = code(1)
    ));
    assert_eq!(
        out.triples().iter().map(|t| t.3).collect::<Vec<_>>(),
        vec![10_000_000_000, 5_000_000_000, 1_000, 1_100]
    );
}
