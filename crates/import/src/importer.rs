//! The entry point: an [`Importer`] holds the catalogue and options and reads one file at a time, as CSV, as XLSX,
//! or by looking at the first bytes. Accepted values stream to a [`ValueSink`] while the file is read.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use chainpark_core::credit_code::CreditCode;
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, IndicatorId};
use crate::error::ImportError;
use crate::limits::ImportLimits;
use crate::period::YearMonth;
use crate::report::{ImportReport, shorten};
use crate::{csv_file, xlsx_file};

/// One accepted monthly value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IndicatorValue {
    /// Line (CSV) or worksheet row (XLSX) it came from.
    pub line: u64,
    /// What the resolver returned for the row's credit code.
    pub enterprise_id: i64,
    pub period: YearMonth,
    pub indicator: IndicatorId,
    /// Hundredths of the indicator's base unit: fen for money, 1/100 person, 1/100 tce.
    pub value: i64,
}

/// Where accepted values go, one at a time, while the file is read. `Break` stops reading (the report then says
/// `stopped_early`). Implemented for closures and for `Vec<IndicatorValue>`.
pub trait ValueSink {
    fn accept(&mut self, value: IndicatorValue) -> ControlFlow<()>;
}

impl<F: FnMut(IndicatorValue) -> ControlFlow<()>> ValueSink for F {
    fn accept(&mut self, value: IndicatorValue) -> ControlFlow<()> {
        self(value)
    }
}

impl ValueSink for Vec<IndicatorValue> {
    fn accept(&mut self, value: IndicatorValue) -> ControlFlow<()> {
        self.push(value);
        ControlFlow::Continue(())
    }
}

/// Settings of one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The latest month a value may be for, normally the current month; later periods are "in the future".
    pub latest_allowed: YearMonth,
    /// Worksheet to read from an XLSX workbook; the first visible one when `None`.
    pub sheet: Option<String>,
    /// Sizes of the file, its rows, cells and workbook parts, and of the report.
    pub limits: ImportLimits,
}

impl ImportOptions {
    pub fn new(latest_allowed: YearMonth) -> ImportOptions {
        ImportOptions {
            latest_allowed,
            sheet: None,
            limits: ImportLimits::default(),
        }
    }
}

/// Reads indicator spreadsheets against one catalogue with one set of options.
#[derive(Debug, Clone)]
pub struct Importer<'c> {
    catalogue: &'c Catalogue,
    options: ImportOptions,
    /// Threads a CSV file is read on: 1, or 2 (one splits the file into records, the other checks them).
    threads: usize,
}

/// Rows searched for the header; rows above it (a title, a date line) are skipped.
pub(crate) const HEADER_SEARCH_ROWS: usize = 10;

impl<'c> Importer<'c> {
    /// An importer that reads CSV on two threads when the machine has two cores or more.
    pub fn new(catalogue: &'c Catalogue, options: ImportOptions) -> Importer<'c> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        Importer {
            catalogue,
            options,
            threads,
        }
    }

    /// Reads CSV on `threads` threads (1 or 2; more count as 2): the reports and values are the same either way.
    pub fn reading_threads(mut self, threads: usize) -> Importer<'c> {
        self.threads = threads.clamp(1, 2);
        self
    }

    pub fn catalogue(&self) -> &Catalogue {
        self.catalogue
    }

    pub fn options(&self) -> &ImportOptions {
        &self.options
    }

    /// Reads a CSV stream (UTF-8, GBK/GB18030 or UTF-16 with BOM; comma, tab or semicolon) in bounded memory.
    /// `resolve` maps a checked credit code to the enterprise's id, `None` when no such enterprise exists. A file
    /// with repeated rows is read twice (from where `input` stood), to name the line each repeated row first
    /// appeared on; `resolve` is then called again, and no value goes to the sink the second time.
    pub fn read_csv<R, F, S>(
        &self,
        input: R,
        resolve: F,
        sink: &mut S,
    ) -> Result<ImportReport, ImportError>
    where
        R: Read + Seek + Send,
        F: FnMut(&CreditCode) -> Option<i64>,
        S: ValueSink + ?Sized,
    {
        guarded("", || {
            csv_file::read(
                input,
                self.catalogue,
                &self.options,
                self.threads,
                resolve,
                sink,
            )
        })
    }

    /// Reads an XLSX workbook (the sheet of the options, else the first visible one), refusing one above the limits
    /// of [`ImportLimits`] before it is opened. Like
    /// [`Importer::read_csv`], a workbook with repeated rows is read twice.
    pub fn read_xlsx<R, F, S>(
        &self,
        input: R,
        resolve: F,
        sink: &mut S,
    ) -> Result<ImportReport, ImportError>
    where
        R: Read + Seek,
        F: FnMut(&CreditCode) -> Option<i64>,
        S: ValueSink + ?Sized,
    {
        guarded("", || {
            xlsx_file::read(input, self.catalogue, &self.options, resolve, sink)
        })
    }

    /// Reads either kind, decided by the first bytes rather than by the name: a zip archive is read as XLSX (even
    /// when named .csv), anything else as CSV, which refuses binary content with a clear message. `file_name` (as
    /// uploaded; may be empty) only sharpens the message for a file named .xlsx that is no workbook.
    pub fn read_named<R, F, S>(
        &self,
        mut input: R,
        file_name: &str,
        resolve: F,
        sink: &mut S,
    ) -> Result<ImportReport, ImportError>
    where
        R: Read + Seek + Send,
        F: FnMut(&CreditCode) -> Option<i64>,
        S: ValueSink + ?Sized,
    {
        guarded(file_name, || {
            self.read_named_unguarded(&mut input, file_name, resolve, sink)
        })
    }

    fn read_named_unguarded<R, F, S>(
        &self,
        mut input: R,
        file_name: &str,
        resolve: F,
        sink: &mut S,
    ) -> Result<ImportReport, ImportError>
    where
        R: Read + Seek + Send,
        F: FnMut(&CreditCode) -> Option<i64>,
        S: ValueSink + ?Sized,
    {
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < magic.len() {
            match input.read(&mut magic[got..])? {
                0 => break,
                n => got += n,
            }
        }
        input.seek(SeekFrom::Start(0))?;
        let named_workbook = Path::new(file_name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
        if magic[..got] == *b"PK\x03\x04" || (named_workbook && got > 0) {
            xlsx_file::read(input, self.catalogue, &self.options, resolve, sink)
        } else {
            csv_file::read(
                input,
                self.catalogue,
                &self.options,
                self.threads,
                resolve,
                sink,
            )
        }
    }

    /// Reads a file by path, like [`Importer::read_named`].
    pub fn read_path<F, S>(
        &self,
        path: &Path,
        resolve: F,
        sink: &mut S,
    ) -> Result<ImportReport, ImportError>
    where
        F: FnMut(&CreditCode) -> Option<i64>,
        S: ValueSink + ?Sized,
    {
        let file = File::open(path)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        self.read_named(BufReader::with_capacity(1 << 16, file), name, resolve, sink)
    }
}

/// Runs a reader so that a panic inside it (a bug met by a strange file) becomes an error naming the file rather
/// than the end of the request or of the process. Nothing read by a failed reader is kept by its callers: a sink's
/// values are stored only once the report says so.
fn guarded<T>(
    file_name: &str,
    read: impl FnOnce() -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    std::panic::catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unexpected failure".into());
        Err(ImportError::ReaderFailed {
            file: if file_name.is_empty() {
                "(unnamed)".into()
            } else {
                shorten(file_name, 100).into_owned()
            },
            detail: shorten(&detail, 200).into_owned(),
        })
    })
}
