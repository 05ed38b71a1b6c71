//! XLSX reading with calamine's cell reader: cells arrive row by row and are checked as each row completes. The
//! workbook's directory and shared strings are held in memory, which is why the workbook size is capped; before
//! calamine opens it, [`crate::xlsx_guard`] reads every part calamine will read, in bounded memory, refuses a
//! hostile one and chooses the sheet. A workbook with repeated rows is read a second time, to name where each
//! repeated key first appeared.

use std::io::{Read, Seek, SeekFrom};

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use chainpark_core::credit_code::CreditCode;
use chrono::Datelike;

use crate::catalogue::Catalogue;
use crate::check::{Cell, Checker, Pass, Repeats, Row};
use crate::error::ImportError;
use crate::importer::{HEADER_SEARCH_ROWS, ImportOptions, ValueSink};
use crate::layout::{Header, HeaderCell, describe_row, is_header_row, read_header};
use crate::limits::{Limit, MAX_COLUMNS};
use crate::period::YearMonth;
use crate::report::{Format, ImportReport, shorten};
use crate::xlsx_guard;

struct XlsxRow<'r, 'a>(&'r [DataRef<'a>]);

fn cell<'r>(data: &'r DataRef<'_>) -> Cell<'r> {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => dt
            .as_datetime()
            .and_then(|d| YearMonth::new(d.year().try_into().ok()?, d.month()).ok())
            .map(Cell::Month)
            .unwrap_or(Cell::BadDate(dt.as_f64())),
        DataRef::Error(e) => Cell::Error(error_text(e)),
    }
}

fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType::*;
    match e {
        Div0 => "#DIV/0!",
        NA => "#N/A",
        Name => "#NAME?",
        Null => "#NULL!",
        Num => "#NUM!",
        Ref => "#REF!",
        Value => "#VALUE!",
        GettingData => "#GETTING_DATA",
    }
}

impl Row for XlsxRow<'_, '_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn cell(&self, index: usize) -> Cell<'_> {
        self.0.get(index).map(cell).unwrap_or(Cell::Empty)
    }
}

fn header_cell(data: &DataRef<'_>) -> HeaderCell {
    match cell(data) {
        Cell::Empty => HeaderCell::default(),
        Cell::Text(t) => HeaderCell {
            text: t.to_string(),
            month: None,
        },
        Cell::Month(m) => HeaderCell {
            text: m.to_string(),
            month: Some(m),
        },
        Cell::Number(f) => HeaderCell {
            text: f.to_string(),
            month: None,
        },
        Cell::Int(i) => HeaderCell {
            text: i.to_string(),
            month: None,
        },
        other => HeaderCell {
            text: format!("{other:?}"),
            month: None,
        },
    }
}

fn workbook_error(e: XlsxError) -> ImportError {
    match e {
        XlsxError::Zip(z) => ImportError::NotAWorkbook(format!(
            "the zip archive is damaged or not a workbook ({z})"
        )),
        XlsxError::Io(io) => ImportError::Io(io),
        XlsxError::Password => {
            ImportError::NotAWorkbook("the workbook is password protected".into())
        }
        other => ImportError::Workbook(other.to_string()),
    }
}

pub(crate) fn read<R, F, S>(
    mut input: R,
    catalogue: &Catalogue,
    options: &ImportOptions,
    mut resolve: F,
    sink: &mut S,
) -> Result<ImportReport, ImportError>
where
    R: Read + Seek,
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    let size = input.seek(SeekFrom::End(0))?;
    input.seek(SeekFrom::Start(0))?;
    if size == 0 {
        return Err(ImportError::Empty);
    }
    if size > options.limits.max_xlsx_bytes {
        return Err(ImportError::WorkbookTooLarge {
            size,
            limit: options.limits.max_xlsx_bytes,
        });
    }
    let mut magic = [0u8; 8];
    let got = input.read(&mut magic)?;
    input.seek(SeekFrom::Start(0))?;
    let magic = &magic[..got];
    if magic.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(ImportError::OldExcelFormat);
    }
    if !magic.starts_with(b"PK\x03\x04") {
        let looks_like_text = magic
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80);
        return Err(ImportError::NotAWorkbook(if looks_like_text {
            "it is not a zip archive; it looks like text, so if it is CSV, name it .csv".into()
        } else {
            "it is not a zip archive, as every .xlsx file is".into()
        }));
    }

    let plan = xlsx_guard::inspect(&mut input, options)?;
    input.seek(SeekFrom::Start(0))?;
    let (mut report, mut repeats) = read_pass(
        &mut input,
        &plan.sheet,
        catalogue,
        options,
        &mut resolve,
        Pass::Check(sink),
    )?;
    if !repeats.is_empty() {
        input.seek(SeekFrom::Start(0))?;
        read_pass::<_, _, S>(
            &mut input,
            &plan.sheet,
            catalogue,
            options,
            &mut resolve,
            Pass::FindFirstLines(&mut repeats),
        )?;
        repeats.name_first_lines(&mut report);
    }
    report.sheet = Some(plan.sheet);
    report.other_sheets = plan.other_sheets;
    Ok(report)
}

/// One reading of the workbook's sheet `sheet` (chosen, and every part checked, by the guard).
fn read_pass<R, F, S>(
    input: R,
    sheet: &str,
    catalogue: &Catalogue,
    options: &ImportOptions,
    resolve: F,
    pass: Pass<'_, S>,
) -> Result<(ImportReport, Repeats), ImportError>
where
    R: Read + Seek,
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    let mut workbook: Xlsx<R> = Xlsx::new(input).map_err(workbook_error)?;
    let mut cells = workbook
        .worksheet_cells_reader(sheet)
        .map_err(workbook_error)?;

    let mut stage = Stage {
        catalogue,
        options,
        pending: Some((resolve, pass)),
        checker: None,
        searched: 0,
        first_row: None,
    };
    let max_row_bytes = options.limits.max_row_bytes;
    let mut row: Vec<DataRef<'_>> = Vec::new();
    let mut row_bytes = 0usize;
    let mut row_index: Option<u32> = None;
    let mut stopped = false;
    while let Some(c) = cells.next_cell().map_err(workbook_error)? {
        let (r, col) = c.get_position();
        if row_index != Some(r) {
            if let Some(previous) = row_index
                && stage.complete_row(u64::from(previous) + 1, &row)?
            {
                stopped = true;
                break;
            }
            row.clear();
            row_bytes = 0;
            row_index = Some(r);
        }
        // The guard refused such cells already; the row is sized from the reference, so check again here.
        if col >= MAX_COLUMNS {
            return Err(ImportError::CellOutOfRange {
                sheet: shorten(sheet, 100).into_owned(),
                cell: format!("row {}, column {}", u64::from(r) + 1, u64::from(col) + 1),
            });
        }
        let value = c.get_value();
        row_bytes += text_len(value);
        if row_bytes > max_row_bytes {
            return Err(ImportError::RowTooLarge {
                line: u64::from(r) + 1,
                limit: Limit::new("max_row_bytes", max_row_bytes),
            });
        }
        let col = col as usize;
        if row.len() <= col {
            row.resize(col + 1, DataRef::Empty);
        }
        row[col] = value.clone();
    }
    if let (false, Some(last)) = (stopped, row_index) {
        stage.complete_row(u64::from(last) + 1, &row)?;
    }

    let Some(checker) = stage.checker else {
        return Err(match stage.first_row {
            None => ImportError::Empty,
            Some(first_row) => ImportError::NoHeader {
                rows: stage.searched,
                first_row,
            },
        });
    };
    if checker.rows_read() == 0 {
        return Err(ImportError::NoDataRows {
            header_line: checker.finish().0.header_line,
        });
    }
    Ok(checker.finish())
}

/// Bytes of a cell's text: shared strings count too, since the header search copies the cells it reads.
fn text_len(value: &DataRef<'_>) -> usize {
    match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        DataRef::SharedString(s) => s.len(),
        _ => 0,
    }
}

/// Rows before the header are searched for it; once found, rows go to the checker.
struct Stage<'a, F, S: ?Sized> {
    catalogue: &'a Catalogue,
    options: &'a ImportOptions,
    pending: Option<(F, Pass<'a, S>)>,
    checker: Option<Checker<'a, F, S>>,
    searched: usize,
    first_row: Option<String>,
}

impl<F, S> Stage<'_, F, S>
where
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    /// Handles one complete row; `true` when the sink asked to stop.
    fn complete_row(&mut self, row_number: u64, row: &[DataRef<'_>]) -> Result<bool, ImportError> {
        if let Some(checker) = self.checker.as_mut() {
            return Ok(checker.row(row_number, &XlsxRow(row)).is_break());
        }
        let header_cells: Vec<HeaderCell> = row.iter().map(header_cell).collect();
        if header_cells.iter().all(|c| c.text.trim().is_empty()) {
            return Ok(false);
        }
        if is_header_row(&header_cells) {
            let header: Header = read_header(
                &header_cells,
                row_number,
                self.catalogue,
                self.options.latest_allowed,
            )?;
            if let Some((resolve, pass)) = self.pending.take() {
                self.checker = Some(Checker::new(
                    header,
                    row_number,
                    Format::Xlsx,
                    self.catalogue,
                    self.options,
                    resolve,
                    pass,
                ));
            }
            return Ok(false);
        }
        self.first_row
            .get_or_insert_with(|| describe_row(&header_cells));
        self.searched += 1;
        if self.searched >= HEADER_SEARCH_ROWS {
            return Err(ImportError::NoHeader {
                rows: self.searched,
                first_row: self.first_row.clone().unwrap_or_default(),
            });
        }
        Ok(false)
    }
}
