//! Shared helpers of the import tests: valid credit codes, a small registry of enterprises, and one call per input
//! kind that returns the report (or file error) with the accepted values.
#![allow(dead_code)]

use std::io::Cursor;

use chainpark_core::credit_code::CreditCode;
use chainpark_import::{
    Catalogue, ImportError, ImportOptions, ImportReport, Importer, IndicatorId, IndicatorValue,
    Problem, RowError, YearMonth,
};

/// The latest allowed month of every test: December 2024.
pub fn latest() -> YearMonth {
    YearMonth::new(2024, 12).expect("valid month")
}

/// A valid credit code; enterprises 1..=100 are registered, others are not.
pub fn code(n: u32) -> String {
    CreditCode::from_body(&format!("91500000MA{n:07}"))
        .expect("valid body")
        .to_string()
}

pub fn resolve(code: &CreditCode) -> Option<i64> {
    let s = code.as_str();
    s.strip_prefix("91500000MA")
        .and_then(|rest| rest[..7].parse::<i64>().ok())
        .filter(|n| (1..=100).contains(n))
}

pub fn indicator(code: &str) -> IndicatorId {
    Catalogue::default()
        .by_code(code)
        .expect("in the default catalogue")
}

pub fn month(year: u32, month: u32) -> YearMonth {
    YearMonth::new(year, month).expect("valid month")
}

pub struct Outcome {
    pub result: Result<ImportReport, ImportError>,
    pub values: Vec<IndicatorValue>,
}

impl Outcome {
    pub fn report(&self) -> &ImportReport {
        match &self.result {
            Ok(report) => report,
            Err(e) => panic!("expected a report, got the file error: {e}"),
        }
    }

    pub fn error(&self) -> &ImportError {
        match &self.result {
            Ok(report) => panic!("expected a file error, got a report: {report:#?}"),
            Err(e) => e,
        }
    }

    /// The report's only problem, after checking that the row was rejected.
    pub fn only_problem(&self) -> &RowError {
        let report = self.report();
        assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
        &report.errors[0]
    }

    pub fn assert_problem(&self, line: u64, problem: Problem) -> &RowError {
        let e = self.only_problem();
        assert_eq!((e.line, e.problem), (line, problem), "{e:#?}");
        e
    }

    /// The accepted values as (enterprise, month, indicator code, hundredths).
    pub fn triples(&self) -> Vec<(i64, String, String, i64)> {
        let catalogue = Catalogue::default();
        self.values
            .iter()
            .map(|v| {
                (
                    v.enterprise_id,
                    v.period.to_string(),
                    catalogue.get(v.indicator).code.clone(),
                    v.value,
                )
            })
            .collect()
    }

    pub fn single_value(&self) -> i64 {
        assert!(self.report().is_clean(), "{:#?}", self.report().errors);
        assert_eq!(self.values.len(), 1, "{:?}", self.values);
        self.values[0].value
    }
}

fn run(
    read: impl FnOnce(&Importer<'_>, &mut Vec<IndicatorValue>) -> Result<ImportReport, ImportError>,
) -> Outcome {
    run_with(ImportOptions::new(latest()), read)
}

pub fn run_with(
    options: ImportOptions,
    read: impl FnOnce(&Importer<'_>, &mut Vec<IndicatorValue>) -> Result<ImportReport, ImportError>,
) -> Outcome {
    let catalogue = Catalogue::default();
    let importer = Importer::new(&catalogue, options);
    let mut values = Vec::new();
    let result = read(&importer, &mut values);
    Outcome { result, values }
}

pub fn csv(text: &str) -> Outcome {
    csv_bytes(text.as_bytes())
}

pub fn csv_bytes(bytes: &[u8]) -> Outcome {
    run(|importer, values| importer.read_csv(Cursor::new(bytes), resolve, values))
}

/// Reads CSV bytes on `threads` reading threads.
pub fn csv_on_threads(options: ImportOptions, bytes: &[u8], threads: usize) -> Outcome {
    let catalogue = Catalogue::default();
    let importer = Importer::new(&catalogue, options).reading_threads(threads);
    let mut values = Vec::new();
    let result = importer.read_csv(Cursor::new(bytes), resolve, &mut values);
    Outcome { result, values }
}

pub fn xlsx(bytes: &[u8]) -> Outcome {
    run(|importer, values| importer.read_xlsx(Cursor::new(bytes), resolve, values))
}

pub fn xlsx_with(options: ImportOptions, bytes: &[u8]) -> Outcome {
    run_with(options, |importer, values| {
        importer.read_xlsx(Cursor::new(bytes), resolve, values)
    })
}

pub fn named(bytes: &[u8], file_name: &str) -> Outcome {
    run(|importer, values| importer.read_named(Cursor::new(bytes), file_name, resolve, values))
}

/// A cell of a test workbook.
pub enum X {
    S(&'static str),
    Owned(String),
    N(f64),
    Date(u16, u8, u8),
    Blank,
}

/// An XLSX workbook with one sheet named `sheet` holding `rows`.
pub fn workbook(sheet: &str, rows: &[Vec<X>]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm");
    let ws = book.add_worksheet();
    ws.set_name(sheet).expect("sheet name");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                X::S(s) => {
                    ws.write_string(r, c, *s).expect("write");
                }
                X::Owned(s) => {
                    ws.write_string(r, c, s).expect("write");
                }
                X::N(n) => {
                    ws.write_number(r, c, *n).expect("write");
                }
                X::Date(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                    ws.write_datetime_with_format(r, c, &dt, &date)
                        .expect("write");
                }
                X::Blank => {}
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}
