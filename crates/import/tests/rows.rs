//! Per-row checks of periods, credit codes and repetition, and the report that lists them.

mod common;

use std::io::Cursor;
use std::ops::ControlFlow;

use chainpark_import::{ImportOptions, ImportReport, IndicatorValue, Problem};
use common::*;

fn long(code_text: &str, period: &str) -> common::Outcome {
    csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{code_text},{period},增加值,1\n"
    ))
}

#[test]
fn every_written_form_of_a_period_is_read() {
    for period in [
        "2021-01",
        "2021-1",
        "2021/01",
        "202101",
        "2021年1月",
        "2021.01",
        "２０２１年１月",
        "2021/1/31",
    ] {
        let out = long(&code(1), period);
        assert_eq!(out.values.len(), 1, "{period}: {:?}", out.report().errors);
        assert_eq!(out.values[0].period, month(2021, 1), "{period}");
    }
}

#[test]
fn future_period_is_rejected() {
    let e = long(&code(1), "2027-03")
        .assert_problem(2, Problem::FuturePeriod)
        .clone();
    assert_eq!(
        e.reason,
        "period 2027-03 is in the future (the latest allowed month is 2024-12)"
    );
    assert!(long(&code(1), "2024-12").report().is_clean());
}

#[test]
fn month_outside_one_to_twelve_is_rejected() {
    let e = long(&code(1), "2021-13")
        .assert_problem(2, Problem::BadPeriod)
        .clone();
    assert!(
        e.reason.contains("month 13 is outside 1..12"),
        "{}",
        e.reason
    );
    long(&code(1), "2021-00").assert_problem(2, Problem::BadPeriod);
    long(&code(1), "上月").assert_problem(2, Problem::BadPeriod);
}

#[test]
fn credit_code_with_wrong_check_character_is_rejected() {
    let good = code(1);
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let e = long(&bad, "2021-01")
        .assert_problem(2, Problem::InvalidCreditCode)
        .clone();
    assert!(
        e.reason.contains("check character should be"),
        "{}",
        e.reason
    );
    assert_eq!(e.column, "统一社会信用代码");
}

#[test]
fn unknown_credit_code_is_reported_for_each_row() {
    let text = format!(
        "统一社会信用代码,期间,指标,数值\n{c},2021-01,增加值,1\n{c},2021-02,增加值,1\n",
        c = code(500)
    );
    let out = csv(&text);
    let report = out.report();
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.line, e.problem))
            .collect::<Vec<_>>(),
        vec![
            (2, Problem::UnknownCreditCode),
            (3, Problem::UnknownCreditCode)
        ]
    );
    assert_eq!(report.rows_rejected, 2);
}

#[test]
fn lowercase_and_full_width_credit_codes_are_accepted() {
    let lower = code(7).to_lowercase();
    assert!(long(&lower, "2021-01").report().is_clean());
    let full_width: String = code(7)
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect();
    assert!(long(&full_width, "2021-01").report().is_clean());
}

#[test]
fn empty_credit_code_is_rejected() {
    long("", "2021-01").assert_problem(2, Problem::MissingCreditCode);
}

#[test]
fn repeated_row_names_both_lines() {
    let text = format!(
        "统一社会信用代码,期间,指标,数值\n{c},2021-01,增加值,1\n{c},2021-02,增加值,1\n{c},2021年1月,工业增加值,2\n",
        c = code(1)
    );
    let out = csv(&text);
    let e = out.assert_problem(4, Problem::RepeatedRow);
    assert_eq!(e.first_line, Some(2));
    assert!(
        e.reason
            .contains("already appeared on line 2; this is line 4"),
        "{}",
        e.reason
    );
}

/// Lines 2 and 3 hold two keys of enterprise 1, then thousands of other keys, then those two keys again (one of them
/// twice, once written as another form of the month).
fn far_apart_rows() -> Vec<[String; 4]> {
    let row = |e: u32, period: &str| [code(e), period.to_string(), "增加值".into(), "1".into()];
    let mut rows = vec![row(1, "2021-01"), row(1, "2021-02")];
    for e in 2..=100 {
        for year in 2021..=2024 {
            for month in 1..=12 {
                rows.push(row(e, &format!("{year}-{month:02}")));
            }
        }
    }
    rows.extend([row(1, "2021-02"), row(1, "2021年1月"), row(1, "2021-01")]);
    rows
}

fn assert_far_apart_repeats_named(out: &common::Outcome) {
    let report = out.report();
    let last = 1 + far_apart_rows().len() as u64;
    let found: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.line, e.problem, e.first_line))
        .collect();
    assert_eq!(
        found,
        [
            (last - 2, Problem::RepeatedRow, Some(3)),
            (last - 1, Problem::RepeatedRow, Some(2)),
            (last, Problem::RepeatedRow, Some(2)),
        ]
    );
    let e = &report.errors[0];
    assert!(
        e.reason.ends_with(&format!(
            "2021-02 × added_value already appeared on line 3; this is line {}",
            last - 2
        )),
        "{}",
        e.reason
    );
    assert!(
        e.reason_zh
            .ends_with(&format!("已在第 3 行出现，本行（第 {} 行）重复", last - 2)),
        "{}",
        e.reason_zh
    );
    assert_eq!(report.values_accepted, last - 1 - 3);
    assert_eq!(out.values.len() as u64, report.values_accepted);
}

#[test]
fn repeated_row_names_the_first_line_even_far_apart() {
    let mut text = String::from("统一社会信用代码,期间,指标,数值\n");
    for row in far_apart_rows() {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    assert_far_apart_repeats_named(&csv(&text));

    let mut rows = vec![
        ["统一社会信用代码", "期间", "指标", "数值"]
            .map(X::S)
            .into(),
    ];
    rows.extend(
        far_apart_rows()
            .into_iter()
            .map(|row| row.map(X::Owned).into()),
    );
    assert_far_apart_repeats_named(&xlsx(&workbook("Sheet1", &rows)));
}

#[test]
fn repeated_row_is_found_for_enterprise_ids_of_any_size() {
    let text = format!(
        "统一社会信用代码,期间,指标,数值\n{a},2021-01,增加值,1\n{b},2021-01,增加值,1\n{c},2021-01,增加值,1\n\
         {a},2021-01,增加值,1\n{b},2021-01,增加值,1\n",
        a = code(1),
        b = code(2),
        c = code(3),
    );
    // Ids past 32 bits and negative ones are kept apart from the small id they would share their low bits with.
    let ids = [(code(1), -3), (code(2), (1 << 32) + 3), (code(3), 3)];
    let out = run_with(ImportOptions::new(latest()), |importer, values| {
        importer.read_csv(
            Cursor::new(text.as_bytes()),
            |c: &_| {
                ids.iter()
                    .find(|(code, _)| code == c.as_str())
                    .map(|(_, id)| *id)
            },
            values,
        )
    });
    let found: Vec<_> = out
        .report()
        .errors
        .iter()
        .map(|e| (e.line, e.problem, e.first_line))
        .collect();
    assert_eq!(
        found,
        [
            (5, Problem::RepeatedRow, Some(2)),
            (6, Problem::RepeatedRow, Some(3)),
        ]
    );
    assert_eq!(out.values.len(), 3);
}

#[test]
fn repeated_value_across_wide_rows_is_found() {
    let text = format!(
        "统一社会信用代码,期间,增加值,营业收入\n{c},2021-01,1,2\n{c},2021-01,,3\n",
        c = code(1)
    );
    let e = csv(&text).assert_problem(3, Problem::RepeatedRow).clone();
    assert_eq!(e.column, "营业收入");
}

#[test]
fn a_rejected_row_gives_no_values_but_the_others_do() {
    let text = format!(
        "统一社会信用代码,期间,增加值,营业收入\n{c},2021-01,1,x\n{c},2021-02,1,2\n",
        c = code(1)
    );
    let out = csv(&text);
    assert_eq!(out.report().rows_rejected, 1);
    assert_eq!(out.report().values_accepted, 2);
    assert!(out.values.iter().all(|v| v.line == 3));
}

#[test]
fn listed_errors_are_capped_but_all_are_counted() {
    let mut text = String::from("统一社会信用代码,期间,指标,数值\n");
    for _ in 0..50 {
        text.push_str("x,2021-01,增加值,1\n");
    }
    let mut options = ImportOptions::new(latest());
    options.limits.max_listed_errors = 10;
    let out = run_with(options, |importer, values| {
        importer.read_csv(Cursor::new(text.as_bytes()), |_: &_| Some(1), values)
    });
    let report = out.report();
    assert_eq!(
        (
            report.errors.len(),
            report.error_count,
            report.rows_rejected
        ),
        (10, 50, 50)
    );
}

#[test]
fn the_sink_can_stop_the_import() {
    let text = format!(
        "统一社会信用代码,指标,2021-01,2021-02,2021-03\n{},增加值,1,2,3\n",
        code(1)
    );
    let catalogue = chainpark_import::Catalogue::default();
    let importer = chainpark_import::Importer::new(&catalogue, ImportOptions::new(latest()));
    let mut seen = Vec::new();
    let mut sink = |v: IndicatorValue| {
        seen.push(v.value);
        if seen.len() == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let report = importer
        .read_csv(Cursor::new(text.as_bytes()), |_: &_| Some(1), &mut sink)
        .expect("report");
    assert!(report.stopped_early && !report.is_clean());
    assert_eq!(seen, vec![100, 200]);
}

#[test]
fn report_serialises_to_json_csv_and_xlsx() {
    let out = long(&code(500), "2021-01");
    let report = out.report();
    let json = serde_json::to_value(report).expect("json");
    assert_eq!(json["errors"][0]["problem"], "unknown_credit_code");
    assert_eq!(json["errors"][0]["line"], 2);
    assert_eq!(json["layout"], "long");
    let back: ImportReport = serde_json::from_value(json).expect("round trip");
    assert_eq!(&back, report);

    let mut csv_out = Vec::new();
    report.write_csv(&mut csv_out).expect("csv");
    let text = String::from_utf8(csv_out).expect("utf-8");
    assert!(text.starts_with("\u{FEFF}行号 line,"), "{text}");
    assert!(
        text.contains(&format!(
            "2,统一社会信用代码,A,unknown_credit_code,{}",
            code(500)
        )),
        "{text}"
    );

    let xlsx_bytes = report.to_xlsx().expect("xlsx");
    assert!(xlsx_bytes.starts_with(b"PK\x03\x04"));
}

#[test]
fn unquoted_thousands_separator_is_rejected_not_misread() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,1,000.00\n",
        code(1)
    ));
    out.assert_problem(2, Problem::ExtraCell);
    assert!(out.values.is_empty(), "the row stores nothing");
}

#[test]
fn trailing_empty_cells_are_tolerated() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,增加值,\"1,000.00\",,\n",
        code(1)
    ));
    assert!(out.report().is_clean(), "{:?}", out.report().errors);
    assert_eq!(out.single_value(), 100_000);
}
