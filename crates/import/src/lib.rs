//! chainpark's import of monthly enterprise indicator spreadsheets (企业月度指标导入): CSV (UTF-8, GBK/GB18030,
//! UTF-16) or XLSX, in a long or one of two wide layouts, turned into checked values in exact hundredths of each
//! indicator's base unit, with a row-by-row report. No database and no HTTP here: the caller resolves credit codes
//! to enterprises and receives accepted values through a sink, then decides what to store.
//!
//! ```
//! use chainpark_import::{Catalogue, ImportOptions, Importer, YearMonth};
//!
//! let catalogue = Catalogue::default();
//! let importer = Importer::new(&catalogue, ImportOptions::new(YearMonth::new(2021, 12).unwrap()));
//! let csv = "统一社会信用代码,期间,指标,数值\n915000002028257485,2021-01,增加值（万元）,12.5\n";
//! let mut values = Vec::new();
//! let input = std::io::Cursor::new(csv);
//! let report = importer.read_csv(input, |_code: &_| Some(7), &mut values).unwrap();
//! assert!(report.is_clean());
//! assert_eq!(values[0].value, 12_500_000); // 12.5 万元 in fen
//! ```
//!
//! A sink can also be a closure `|v: IndicatorValue| -> ControlFlow<()>`, e.g. one that sends batches to the store
//! and breaks when the store fails.

#![forbid(unsafe_code)]

pub mod candidates;
mod catalogue;
mod check;
mod csv_file;
mod csv_out;
mod encoding;
mod error;
pub mod hostile;
mod importer;
pub mod land;
mod layout;
mod limits;
mod normalise;
mod period;
pub mod readings;
mod reference;
mod report;
pub mod table;
mod template;
mod unit;
mod value;
mod xlsx_file;
mod xlsx_guard;

pub use catalogue::{
    Aggregation, BaseUnit, Catalogue, CatalogueError, IndicatorDef, IndicatorId, default_catalogue,
    name_key,
};
pub use csv_out::{CsvOut, spreadsheet_csv};
pub use encoding::decode_text;
pub use error::ImportError;
pub use importer::{ImportOptions, Importer, IndicatorValue, ValueSink};
pub use layout::Layout;
pub use limits::{ImportLimits, Limit, MAX_COLUMNS, MAX_ROWS};
pub use period::{PeriodError, YearMonth};
pub use reference::{ReferenceRows, ReferenceUnit, read_reference};
pub use report::{Format, ImportReport, OtherSheet, Problem, RowError};
pub use template::{template_csv, template_xlsx};
