//! CSV reading: decoded by [`crate::encoding::Transcoder`], split by the `csv` crate into reused byte records, and
//! handed row by row to the checker, so memory stays bounded whatever the file size.

use std::io::Read;

use chainpark_core::credit_code::CreditCode;
use csv::ByteRecord;

use crate::catalogue::Catalogue;
use crate::check::{Cell, Checker, Row};
use crate::encoding::{BadBytes, Transcoder};
use crate::error::ImportError;
use crate::importer::{HEADER_SEARCH_ROWS, ImportOptions, ValueSink};
use crate::layout::{HeaderCell, is_header_row, read_header};
use crate::report::{Format, ImportReport, Problem};

struct CsvRow<'r>(&'r ByteRecord);

impl Row for CsvRow<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn cell(&self, index: usize) -> Cell<'_> {
        match self.0.get(index) {
            // The transcoder yields UTF-8 and fields split at ASCII bytes, so a field is always valid UTF-8.
            Some(bytes) => std::str::from_utf8(bytes).map(Cell::Text).unwrap_or(Cell::Text("\u{FFFD}")),
            None => Cell::Empty,
        }
    }
}

fn record_line(record: &ByteRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

pub(crate) fn read<R, F, S>(
    input: R,
    catalogue: &Catalogue,
    options: &ImportOptions,
    resolve: F,
    sink: &mut S,
) -> Result<ImportReport, ImportError>
where
    R: Read,
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    let transcoder = Transcoder::new(input)?;
    let delimiter = transcoder.guess_delimiter();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(transcoder);
    let mut record = ByteRecord::new();

    let mut first_row: Option<String> = None;
    let mut searched = 0;
    let header_cells = loop {
        if !next_record(&mut reader, &mut record)? {
            return match first_row {
                None => Err(ImportError::Empty),
                Some(first_row) => Err(ImportError::NoHeader { rows: searched, first_row }),
            };
        }
        let cells: Vec<HeaderCell> = (0..record.len())
            .map(|i| HeaderCell { text: String::from_utf8_lossy(&record[i]).into_owned(), month: None })
            .collect();
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        if is_header_row(&cells) {
            break cells;
        }
        first_row.get_or_insert_with(|| cells.iter().map(|c| c.text.trim()).collect::<Vec<_>>().join(", "));
        searched += 1;
        if searched >= HEADER_SEARCH_ROWS {
            return Err(ImportError::NoHeader { rows: searched, first_row: first_row.unwrap_or_default() });
        }
    };
    let header_line = record_line(&record);
    let header = read_header(&header_cells, header_line, catalogue, options.latest_allowed)?;
    let header_width = header.columns.len();
    let mut checker = Checker::new(header, header_line, Format::Csv, catalogue, options, resolve, sink);

    while next_record(&mut reader, &mut record)? {
        let line = record_line(&record);
        if let Some((column, lines)) = broken_quote(&record, header_width, |i| checker.header.is_checked(i)) {
            let cell = String::from_utf8_lossy(&record[column]).into_owned();
            let last = line + lines;
            checker.reject_row(
                line,
                column,
                &cell,
                (
                    Problem::UnclosedQuote,
                    format!(
                        "a quoted cell in this column is not closed (a \" is missing), so lines {line} to {last} were \
                         read as one cell"
                    ),
                    format!("此列的引号未闭合（缺少一个 \"），第 {line} 至 {last} 行被读成了一个单元格"),
                ),
            );
            continue;
        }
        if checker.row(line, &CsvRow(&record)).is_break() {
            break;
        }
    }
    if checker.rows_read() == 0 {
        return Err(ImportError::NoDataRows { header_line });
    }
    let encoding = reader.get_ref().encoding().name();
    let mut report = checker.finish();
    report.encoding = Some(encoding.to_string());
    Ok(report)
}

/// Reads the next record, turning decoding failures into [`ImportError::Encoding`] at the record's line.
fn next_record<R: Read>(reader: &mut csv::Reader<Transcoder<R>>, record: &mut ByteRecord) -> Result<bool, ImportError> {
    match reader.read_byte_record(record) {
        Ok(more) => Ok(more),
        Err(e) => {
            let line = reader.position().line();
            match e.into_kind() {
                csv::ErrorKind::Io(io) => {
                    if let Some(bad) = io.get_ref().and_then(|inner| inner.downcast_ref::<BadBytes>()) {
                        return Err(ImportError::Encoding { line, offset: bad.offset, encoding: bad.encoding });
                    }
                    Err(ImportError::Io(io))
                }
                other => Err(ImportError::Io(std::io::Error::other(format!("{other:?}")))),
            }
        }
    }
}

/// A record holding a line break in a read column, or with more fields than the header and a line break, is
/// the mark of an unclosed quote: the `csv` crate then reads on to the next quote or the end of the file.
/// Returns the column and the number of line breaks swallowed.
fn broken_quote(record: &ByteRecord, header_width: usize, is_checked: impl Fn(usize) -> bool) -> Option<(usize, u64)> {
    let bytes = record.as_slice();
    if !bytes.contains(&b'\n') && !bytes.contains(&b'\r') {
        return None;
    }
    let breaks = |field: &[u8]| {
        let lf = field.iter().filter(|&&b| b == b'\n').count();
        let cr_alone = field.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count()
            + usize::from(field.last() == Some(&b'\r'));
        (lf + cr_alone) as u64
    };
    let total: u64 = record.iter().map(breaks).sum();
    let suspicious = |i: usize, field: &[u8]| breaks(field) > 0 && (is_checked(i) || record.len() > header_width);
    record.iter().enumerate().find(|(i, f)| suspicious(*i, f)).map(|(i, _)| (i, total))
}
