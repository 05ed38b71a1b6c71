//! CSV reading: decoded by [`crate::encoding::Transcoder`], split by `csv_core` into one reused record buffer, and
//! handed row by row to the checker, so memory stays bounded whatever the file size. `csv_core` is driven directly
//! (rather than through `csv::Reader`) to cap the size of one record: an unclosed quote would otherwise pull the
//! whole rest of a 2 GB file into a single cell. A file with repeated rows is read a second time, to name where each
//! repeated key first appeared.
//!
//! On two threads, one thread decodes and splits the file into batches of records and the other checks them, in
//! file order, through the same checker: the report and the values are those of one thread by construction, and
//! memory stays bounded by the few batches in flight.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use chainpark_core::credit_code::CreditCode;
use csv_core::ReadRecordResult;

use crate::catalogue::Catalogue;
use crate::check::{Cell, Checker, Pass, Repeats, Row};
use crate::encoding::{BadBytes, Transcoder};
use crate::error::ImportError;
use crate::importer::{HEADER_SEARCH_ROWS, ImportOptions, ValueSink};
use crate::layout::{HeaderCell, describe_row, is_header_row, read_header};
use crate::limits::{ImportLimits, Limit};
use crate::normalise::column_letter;
use crate::report::{Format, ImportReport, Problem};

/// One CSV record: the cells' bytes back to back and where each cell ends.
struct Record {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    /// Physical line where the record starts.
    line: u64,
    /// Line breaks inside its cells.
    inner_breaks: u64,
}

impl Record {
    fn new() -> Record {
        Record {
            bytes: vec![0; 1024],
            ends: vec![0; 64],
            len: 0,
            line: 0,
            inner_breaks: 0,
        }
    }

    fn field(&self, i: usize) -> Option<&[u8]> {
        if i >= self.len {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.bytes[start..self.ends[i]])
    }

    fn as_slice(&self) -> &[u8] {
        if self.len == 0 {
            &[]
        } else {
            &self.bytes[..self.ends[self.len - 1]]
        }
    }

    fn text(&self, i: usize) -> String {
        self.field(i)
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .unwrap_or_default()
    }
}

impl Row for Record {
    fn len(&self) -> usize {
        self.len
    }

    /// Only the cells the layout reads are checked as UTF-8 (enterprise names never are). The transcoder already
    /// guarantees UTF-8 and cells split at ASCII bytes, so the check cannot fail; it stays because it is cheap.
    fn cell(&self, index: usize) -> Cell<'_> {
        match self.field(index) {
            Some(bytes) => std::str::from_utf8(bytes)
                .map(Cell::Text)
                .unwrap_or(Cell::Text("\u{FFFD}")),
            None => Cell::Empty,
        }
    }

    fn is_blank(&self) -> bool {
        let bytes = self.as_slice();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        // Full-width spaces also make a blank row, but any ASCII letter or digit rules that out at once.
        !bytes.iter().any(u8::is_ascii_alphanumeric)
            && (0..self.len).all(|i| self.cell(i).is_blank())
    }
}

struct Records<R> {
    core: csv_core::Reader,
    delimiter: u8,
    input: BufReader<Transcoder<R>>,
    done: bool,
    /// Largest record (all its cells together); real rows are a few hundred bytes.
    max_bytes: usize,
    /// Most cells in a record: without it, a line of commas would need 8 bytes of cell ends per comma.
    max_cells: usize,
    max_cell_chars: usize,
}

impl<R: Read> Records<R> {
    fn new(transcoder: Transcoder<R>, limits: &ImportLimits) -> Records<R> {
        let delimiter = transcoder.guess_delimiter();
        Records {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            input: BufReader::with_capacity(1 << 16, transcoder),
            done: false,
            max_bytes: limits.max_row_bytes.max(1024),
            max_cells: limits.max_cells_per_row.max(1),
            max_cell_chars: limits.max_cell_chars,
        }
    }

    /// Reads the next record into `record`; `false` at the end of the file.
    fn next(&mut self, record: &mut Record) -> Result<bool, ImportError> {
        if self.done {
            return Ok(false);
        }
        let (mut out, mut ends) = (0, 0);
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(e) => return Err(self.read_error(e)),
            };
            let at_eof = input.is_empty();
            let (result, read, written, ended) =
                self.core
                    .read_record(input, &mut record.bytes[out..], &mut record.ends[ends..]);
            self.input.consume(read);
            out += written;
            ends += ended;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if record.bytes.len() >= self.max_bytes {
                        self.done = true;
                        return Err(ImportError::RowTooLong {
                            line: self.core.line(),
                            limit: self.max_bytes,
                        });
                    }
                    let grown = (record.bytes.len() * 2).min(self.max_bytes);
                    record.bytes.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    if record.ends.len() >= self.max_cells {
                        self.done = true;
                        return Err(ImportError::TooManyCells {
                            line: self.core.line(),
                            limit: Limit::new("max_cells_per_row", self.max_cells),
                        });
                    }
                    let grown = (record.ends.len() * 2).min(self.max_cells);
                    record.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    record.len = ends;
                    // csv_core counts '\n' read so far; the record began before the breaks inside its cells and
                    // before its own terminator (absent on an unterminated last line).
                    let cells = record.as_slice();
                    let inner = if cells.contains(&b'\n') {
                        cells.iter().filter(|&&b| b == b'\n').count() as u64
                    } else {
                        0
                    };
                    let terminator = u64::from(!at_eof);
                    record.line = self.core.line().saturating_sub(inner + terminator);
                    record.inner_breaks = inner;
                    self.check_cell_lengths(record)?;
                    return Ok(true);
                }
                ReadRecordResult::End => {
                    self.done = true;
                    return Ok(false);
                }
            }
        }
    }

    /// Refuses a cell longer than a spreadsheet cell may be; only a record longer than that in bytes can hold one.
    fn check_cell_lengths(&mut self, record: &Record) -> Result<(), ImportError> {
        if record.as_slice().len() <= self.max_cell_chars {
            return Ok(());
        }
        for i in 0..record.len {
            let cell = record.field(i).unwrap_or_default();
            if cell.len() > self.max_cell_chars
                && String::from_utf8_lossy(cell).chars().count() > self.max_cell_chars
            {
                self.done = true;
                return Err(ImportError::CellTooLong {
                    line: record.line,
                    column: column_letter(i),
                    limit: Limit::new("max_cell_chars", self.max_cell_chars),
                });
            }
        }
        Ok(())
    }

    fn read_error(&mut self, e: std::io::Error) -> ImportError {
        self.done = true;
        let line = self.core.line();
        if let Some(bad) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<BadBytes>())
        {
            return ImportError::Encoding {
                line,
                offset: bad.offset,
                encoding: bad.encoding,
            };
        }
        ImportError::Io(e)
    }

    fn encoding_name(&self) -> &'static str {
        self.input.get_ref().encoding().name()
    }
}

pub(crate) fn read<R, F, S>(
    mut input: R,
    catalogue: &Catalogue,
    options: &ImportOptions,
    threads: usize,
    mut resolve: F,
    sink: &mut S,
) -> Result<ImportReport, ImportError>
where
    R: Read + Seek + Send,
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    let start = input.stream_position()?;
    let (mut report, mut repeats) = read_pass(
        &mut input,
        catalogue,
        options,
        threads,
        &mut resolve,
        Pass::Check(sink),
    )?;
    if !repeats.is_empty() {
        input.seek(SeekFrom::Start(start))?;
        read_pass::<_, _, S>(
            &mut input,
            catalogue,
            options,
            threads,
            &mut resolve,
            Pass::FindFirstLines(&mut repeats),
        )?;
        repeats.name_first_lines(&mut report);
    }
    Ok(report)
}

/// One reading of the file, from its start: on this thread, or split into records on another one.
fn read_pass<R, F, S>(
    input: R,
    catalogue: &Catalogue,
    options: &ImportOptions,
    threads: usize,
    resolve: F,
    pass: Pass<'_, S>,
) -> Result<(ImportReport, Repeats), ImportError>
where
    R: Read + Send,
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    let mut records = Records::new(Transcoder::new(input)?, &options.limits);
    let delimiter = records.delimiter;
    if threads < 2 {
        let (mut report, repeats) =
            check_pass(&mut records, delimiter, catalogue, options, resolve, pass)?;
        // The encoding is known for sure once the file is read (a GB18030 file may open with ASCII lines).
        report.encoding = Some(records.encoding_name().to_string());
        return Ok((report, repeats));
    }
    std::thread::scope(|scope| {
        let (full, batches) = std::sync::mpsc::sync_channel(BATCHES_IN_FLIGHT);
        let (spare, spares) = std::sync::mpsc::channel();
        let splitting = scope.spawn(move || split(records, full, spares));
        // Dropping the batched records (at the end, or when the checker stops early) stops the splitting thread.
        let batched = Batched {
            batches,
            spare,
            batch: Batch::default(),
            row: 0,
            cell: 0,
            byte: 0,
            done: false,
        };
        let checked = check_pass(batched, delimiter, catalogue, options, resolve, pass);
        let encoding = splitting
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let (mut report, repeats) = checked?;
        report.encoding = Some(encoding.to_string());
        Ok((report, repeats))
    })
}

/// Records, one at a time.
trait Source {
    /// Reads the next record into `record`; `false` at the end of the file.
    fn next(&mut self, record: &mut Record) -> Result<bool, ImportError>;
}

impl<R: Read> Source for &mut Records<R> {
    fn next(&mut self, record: &mut Record) -> Result<bool, ImportError> {
        Records::next(self, record)
    }
}

/// Batches queued between the splitting thread and the checking one, beyond the one each is working on.
const BATCHES_IN_FLIGHT: usize = 2;
/// A batch is sent once its cells hold this many bytes (or at the end of the file).
const BATCH_BYTES: usize = 1 << 18;

/// Records split by the splitting thread: their cells back to back, and each record's cell count and lines.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Where each cell ends, from the start of its record.
    ends: Vec<usize>,
    /// Cells, physical line and line breaks inside cells of each record.
    records: Vec<(usize, u64, u64)>,
}

impl Batch {
    fn push(&mut self, record: &Record) {
        self.bytes.extend_from_slice(record.as_slice());
        self.ends.extend_from_slice(&record.ends[..record.len]);
        self.records
            .push((record.len, record.line, record.inner_breaks));
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.records.clear();
    }
}

/// The splitting thread: records in batches, in file order, then the reader's error if it met one. It stops when
/// the checking thread no longer listens, and returns the file's encoding.
fn split<R: Read>(
    mut records: Records<R>,
    full: SyncSender<Result<Batch, ImportError>>,
    spares: Receiver<Batch>,
) -> &'static str {
    let mut record = Record::new();
    loop {
        let mut batch = spares.try_recv().unwrap_or_default();
        batch.clear();
        let end = loop {
            match records.next(&mut record) {
                Ok(true) => {
                    batch.push(&record);
                    if batch.bytes.len() >= BATCH_BYTES {
                        break None;
                    }
                }
                Ok(false) => break Some(Ok(())),
                Err(e) => break Some(Err(e)),
            }
        };
        if !batch.records.is_empty() && full.send(Ok(batch)).is_err() {
            break;
        }
        match end {
            None => {}
            Some(Ok(())) => break,
            Some(Err(e)) => {
                let _ = full.send(Err(e));
                break;
            }
        }
    }
    records.encoding_name()
}

/// The checking thread's side: records taken from the batches in order, each batch handed back for reuse.
struct Batched {
    batches: Receiver<Result<Batch, ImportError>>,
    spare: Sender<Batch>,
    batch: Batch,
    /// The next record of `batch`, its first cell and its first byte.
    row: usize,
    cell: usize,
    byte: usize,
    done: bool,
}

impl Source for Batched {
    fn next(&mut self, record: &mut Record) -> Result<bool, ImportError> {
        while self.row >= self.batch.records.len() {
            if self.done {
                return Ok(false);
            }
            match self.batches.recv() {
                Ok(Ok(batch)) => {
                    let used = std::mem::replace(&mut self.batch, batch);
                    // The splitting thread may have finished; a batch it does not take back is simply dropped.
                    let _ = self.spare.send(used);
                    (self.row, self.cell, self.byte) = (0, 0, 0);
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The splitting thread ended: the file is read (a panic there is raised again when it is joined).
                Err(_) => {
                    self.done = true;
                    return Ok(false);
                }
            }
        }
        let (cells, line, inner_breaks) = self.batch.records[self.row];
        let ends = &self.batch.ends[self.cell..self.cell + cells];
        let len = ends.last().copied().unwrap_or(0);
        if record.bytes.len() < len {
            record.bytes.resize(len, 0);
        }
        if record.ends.len() < cells {
            record.ends.resize(cells, 0);
        }
        record.bytes[..len].copy_from_slice(&self.batch.bytes[self.byte..self.byte + len]);
        record.ends[..cells].copy_from_slice(ends);
        record.len = cells;
        record.line = line;
        record.inner_breaks = inner_breaks;
        self.row += 1;
        self.cell += cells;
        self.byte += len;
        Ok(true)
    }
}

/// Finds the header among the first records and checks every record after it.
fn check_pass<F, S>(
    mut records: impl Source,
    delimiter: u8,
    catalogue: &Catalogue,
    options: &ImportOptions,
    resolve: F,
    pass: Pass<'_, S>,
) -> Result<(ImportReport, Repeats), ImportError>
where
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    let mut record = Record::new();

    let mut first_row: Option<String> = None;
    let mut searched = 0;
    let header_cells = loop {
        if !records.next(&mut record)? {
            return match first_row {
                None => Err(ImportError::Empty),
                Some(first_row) => Err(ImportError::NoHeader {
                    rows: searched,
                    first_row,
                }),
            };
        }
        let cells: Vec<HeaderCell> = (0..record.len)
            .map(|i| HeaderCell {
                text: record.text(i),
                month: None,
            })
            .collect();
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        if is_header_row(&cells) {
            break cells;
        }
        first_row.get_or_insert_with(|| describe_row(&cells));
        searched += 1;
        if searched >= HEADER_SEARCH_ROWS {
            return Err(ImportError::NoHeader {
                rows: searched,
                first_row: first_row.unwrap_or_default(),
            });
        }
    };
    let header_line = record.line;
    let header = read_header(
        &header_cells,
        header_line,
        catalogue,
        options.latest_allowed,
    )?;
    let header_width = header.columns.len();
    let mut checker = Checker::new(
        header,
        header_line,
        Format::Csv,
        catalogue,
        options,
        resolve,
        pass,
    );

    while records.next(&mut record)? {
        let line = record.line;
        if let Some(column) = broken_quote(&record, header_width, delimiter, |i| {
            checker.header.is_checked(i)
        }) {
            let last = line + record.inner_breaks;
            checker.reject_row(
                line,
                column,
                &record.text(column),
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
        if checker.row(line, &record).is_break() {
            break;
        }
    }
    if checker.rows_read() == 0 {
        return Err(ImportError::NoDataRows { header_line });
    }
    Ok(checker.finish())
}

/// The mark of an unclosed quote, after which the reader runs on to the next quote or the end of the file: a cell
/// with a line break that is a read column, or in a record with more cells than the header, or whose later lines
/// hold whole rows (several delimiters). A line break in a quoted name (an ignored column) is fine.
fn broken_quote(
    record: &Record,
    header_width: usize,
    delimiter: u8,
    is_checked: impl Fn(usize) -> bool,
) -> Option<usize> {
    if !record.as_slice().iter().any(|&b| b == b'\n' || b == b'\r') {
        return None;
    }
    let row_like = header_width.saturating_sub(1).clamp(2, 3);
    (0..record.len).find(|&i| {
        let Some(cell) = record.field(i) else {
            return false;
        };
        let mut lines = cell.split(|&b| b == b'\n' || b == b'\r');
        lines.next();
        let mut later = lines.peekable();
        if later.peek().is_none() {
            return false;
        }
        is_checked(i)
            || record.len > header_width
            || later.any(|line| line.iter().filter(|&&b| b == delimiter).count() >= row_like)
    })
}
