//! Reading a CSV file on two threads (one splits it into records, the other checks them) gives exactly what one
//! thread gives: the same report, problem for problem, and the same values in the same order.

mod common;

use std::io::Cursor;
use std::ops::ControlFlow;

use chainpark_import::{Catalogue, ImportLimits, ImportOptions, Importer, IndicatorValue, Problem};
use common::*;

/// A file of several batches of records (each batch holds 256 KiB) with problems spread over all of them: unknown
/// and invalid codes, future periods, bad values, a quoted name with line breaks every few hundred rows, and rows
/// repeated from far earlier batches.
fn many_batches() -> String {
    let mut text = String::from("统一社会信用代码,企业名称,期间,指标,数值\n");
    let indicators = ["增加值", "营业收入", "从业人员"];
    let mut row = 0u32;
    for firm in 1..=100u32 {
        for year in 2010..=2024u32 {
            for m in 1..=12u32 {
                for indicator in indicators {
                    row += 1;
                    let code_text = match row % 7919 {
                        0 => code(500),
                        7 => "91500000MA0000000X".to_string(),
                        _ => code(firm),
                    };
                    let name = if row.is_multiple_of(613) {
                        "\"园区\n第一\r\n企业\"".to_string()
                    } else {
                        format!("企业{firm}")
                    };
                    let period = if row.is_multiple_of(10_007) {
                        "2031-01".to_string()
                    } else {
                        format!("{year}-{m:02}")
                    };
                    let value = if row.is_multiple_of(12_011) {
                        "十二".to_string()
                    } else {
                        format!("{}.{:02}", row % 9_973, row % 100)
                    };
                    text.push_str(&format!(
                        "{code_text},{name},{period},{indicator},{value}\n"
                    ));
                    if row.is_multiple_of(15_013) {
                        // The first row of the file again, far from its first line.
                        text.push_str(&format!("{},企业1,2010-01,增加值,1\n", code(1)));
                    }
                }
            }
        }
    }
    text
}

/// Reads the bytes on one thread and on two, and returns what one thread read once both agree.
fn assert_same_on_one_and_two_threads(options: ImportOptions, bytes: &[u8]) -> Outcome {
    let one = csv_on_threads(options.clone(), bytes, 1);
    let two = csv_on_threads(options, bytes, 2);
    match (&one.result, &two.result) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("one thread: {a:?}; two threads: {b:?}"),
    }
    assert_eq!(one.values, two.values);
    one
}

#[test]
fn a_file_read_on_two_threads_reports_exactly_what_one_thread_reports() {
    let text = many_batches();
    assert!(text.len() > 4 * (1 << 18), "the file spans several batches");
    let one = csv_on_threads(ImportOptions::new(latest()), text.as_bytes(), 1);
    let report = one.report();
    for problem in [
        Problem::InvalidCreditCode,
        Problem::UnknownCreditCode,
        Problem::FuturePeriod,
        Problem::BadValue,
        Problem::RepeatedRow,
    ] {
        assert!(
            report.errors.iter().any(|e| e.problem == problem),
            "the file holds a {problem:?}"
        );
    }
    assert!(
        report.errors.iter().any(|e| e.first_line == Some(2)),
        "a repeat names its first line, batches earlier"
    );
    assert!(report.values_accepted > 50_000);
    assert_same_on_one_and_two_threads(ImportOptions::new(latest()), text.as_bytes());
}

#[test]
fn the_listing_cap_applies_the_same_on_two_threads() {
    let mut options = ImportOptions::new(latest());
    options.limits = ImportLimits {
        max_listed_errors: 3,
        ..ImportLimits::default()
    };
    assert_same_on_one_and_two_threads(options, many_batches().as_bytes());
}

#[test]
fn a_file_error_after_many_batches_is_the_same_on_two_threads() {
    let mut text = many_batches();
    // An unclosed quote in a read column near the end, then bytes that are not text.
    text.push_str(&format!("{},企业1,\"2024-01,增加值,1\n", code(2)));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, b'\n']);
    let one = assert_same_on_one_and_two_threads(ImportOptions::new(latest()), &bytes);
    assert!(one.result.is_err(), "{:?}", one.result);
}

#[test]
fn a_gb18030_file_reads_the_same_on_two_threads() {
    let text = many_batches();
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(&text);
    assert!(!had_errors);
    assert_same_on_one_and_two_threads(ImportOptions::new(latest()), &bytes);
}

#[test]
fn a_sink_that_stops_stops_the_reading_on_two_threads() {
    let text = many_batches();
    let catalogue = Catalogue::default();
    let importer = Importer::new(&catalogue, ImportOptions::new(latest())).reading_threads(2);
    let mut values = Vec::new();
    let mut sink = |v: IndicatorValue| {
        values.push(v);
        if values.len() == 10 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let report = importer
        .read_csv(Cursor::new(text.as_bytes()), resolve, &mut sink)
        .expect("a report");
    assert!(report.stopped_early);
    assert_eq!(values.len(), 10);
}
