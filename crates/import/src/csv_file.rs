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
use std::ops::ControlFlow;
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

    /// Takes an unquoted line's cells, split at `delimiter` (within the limits: [`plain_line`] checked them).
    fn take_plain(&mut self, line: &[u8], delimiter: u8, line_number: u64) {
        if self.bytes.len() < line.len() {
            self.bytes.resize(line.len(), 0);
        }
        let (mut out, mut cells, mut start) = (0, 0, 0);
        for end in memchr::memchr_iter(delimiter, line).chain([line.len()]) {
            let cell = &line[start..end];
            self.bytes[out..out + cell.len()].copy_from_slice(cell);
            out += cell.len();
            if cells == self.ends.len() {
                self.ends.push(out);
            } else {
                self.ends[cells] = out;
            }
            cells += 1;
            start = end + 1;
        }
        self.len = cells;
        self.line = line_number;
        self.inner_breaks = 0;
    }

    /// The record as text to check: its bytes checked as UTF-8 once, for all its cells.
    fn view(&mut self) -> RecordView<'_> {
        let end = self.as_slice().len();
        if std::str::from_utf8(&self.bytes[..end]).is_err() {
            mark_invalid_bytes(&mut self.bytes[..end]);
        }
        RecordView {
            text: std::str::from_utf8(&self.bytes[..end]).unwrap_or_default(),
            ends: &self.ends[..self.len],
            line: self.line,
            inner_breaks: self.inner_breaks,
        }
    }
}

/// Replaces each byte of an invalid UTF-8 sequence by `?`, keeping every length and cell end in place. The
/// transcoder only yields UTF-8 and cells end at ASCII bytes, so this is never expected to run; it keeps the reading
/// safe if that ever stopped holding.
fn mark_invalid_bytes(bytes: &mut [u8]) {
    let mut at = 0;
    while let Err(e) = std::str::from_utf8(&bytes[at..]) {
        let bad = at + e.valid_up_to();
        let len = e.error_len().unwrap_or(bytes.len() - bad);
        bytes[bad..bad + len].fill(b'?');
        at = bad + len;
    }
}

/// One record as text: its cells back to back and where each ends.
#[derive(Clone, Copy)]
struct RecordView<'a> {
    text: &'a str,
    ends: &'a [usize],
    /// Physical line where the record starts.
    line: u64,
    /// Line breaks inside its cells.
    inner_breaks: u64,
}

impl<'a> RecordView<'a> {
    fn field(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        // Cells end at ASCII bytes (delimiters), so these are always character boundaries.
        self.text.get(start..end)
    }

    fn text(&self, i: usize) -> String {
        self.field(i).unwrap_or_default().to_string()
    }
}

impl Row for RecordView<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn cell(&self, index: usize) -> Cell<'_> {
        match self.field(index) {
            Some(text) => Cell::Text(text),
            None => Cell::Empty,
        }
    }

    fn is_blank(&self) -> bool {
        let bytes = self.text.as_bytes();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        // Full-width spaces also make a blank row, but any ASCII letter or digit rules that out at once.
        !bytes.iter().any(u8::is_ascii_alphanumeric)
            && (0..self.ends.len()).all(|i| self.cell(i).is_blank())
    }
}

/// What starts the reader's buffer, as far as [`Records::next`]'s way around `csv_core` can tell.
enum PlainLine {
    /// A line break alone (`\n` or `\r\n`), so many bytes: `csv_core` skips it, and so does the reader.
    Empty(usize),
    /// A whole line without quotes, within the limits: the bytes it takes with its break, and its content's.
    Cells(usize, usize),
    /// Anything else, left to `csv_core`.
    Other,
}

/// Most lines of an export hold no quote: such a line is split at its delimiters directly, as `csv_core` would
/// split it, and `csv_core` reads the others (it counts the same lines: `\r\n`, `\n` and a lone `\r` each end a
/// record, and its state at a record's start is the same whichever way the last record was read).
fn plain_line(input: &[u8], delimiter: u8, max_bytes: usize, max_cells: usize) -> PlainLine {
    let Some(end) = memchr::memchr(b'\n', input) else {
        return PlainLine::Other;
    };
    let content = if end > 0 && input[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    let line = &input[..content];
    if line.is_empty() {
        return PlainLine::Empty(end + 1);
    }
    if content > max_bytes || memchr::memchr2(b'"', b'\r', line).is_some() {
        return PlainLine::Other;
    }
    // A line of n bytes has at most n + 1 cells: only a long line's delimiters need counting.
    if line.len() >= max_cells && memchr::memchr_iter(delimiter, line).count() + 1 > max_cells {
        return PlainLine::Other;
    }
    PlainLine::Cells(end + 1, content)
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
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(e) => return Err(self.read_error(e)),
            };
            match plain_line(input, self.delimiter, self.max_bytes, self.max_cells) {
                PlainLine::Empty(taken) => {
                    self.input.consume(taken);
                    self.core.set_line(self.core.line() + 1);
                }
                PlainLine::Cells(taken, content) => {
                    record.take_plain(&input[..content], self.delimiter, self.core.line());
                    self.input.consume(taken);
                    self.core.set_line(self.core.line() + 1);
                    self.check_cell_lengths(record)?;
                    return Ok(true);
                }
                PlainLine::Other => return self.next_by_csv_core(record),
            }
        }
    }

    /// Reads the next record with `csv_core`: quoted cells, lines across the buffer's end, limits passed.
    fn next_by_csv_core(&mut self, record: &mut Record) -> Result<bool, ImportError> {
        let (mut out, mut ends) = (0, 0);
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(e) => return Err(self.read_error(e)),
            };
            let (result, read, written, ended) =
                self.core
                    .read_record(input, &mut record.bytes[out..], &mut record.ends[ends..]);
            // A record ends at `\n`, at a `\r` (whose `\n`, if any, comes with the next record), or at the end of
            // the file.
            let ended_by_line_feed = read > 0 && input[read - 1] == b'\n';
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
                    // before its own terminator when that was a '\n'.
                    let cells = record.as_slice();
                    let inner = if cells.contains(&b'\n') {
                        cells.iter().filter(|&&b| b == b'\n').count() as u64
                    } else {
                        0
                    };
                    let terminator = u64::from(ended_by_line_feed);
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
        let one_thread = OneThread {
            records: &mut records,
            record: Record::new(),
            meta: [(0, 0, 0)],
        };
        let (mut report, repeats) =
            check_pass(one_thread, delimiter, catalogue, options, resolve, pass)?;
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

/// Records, a batch at a time.
trait Source {
    /// The next records; `None` at the end of the file.
    fn next_batch(&mut self) -> Result<Option<BatchView<'_>>, ImportError>;
}

/// Records as text: their cells back to back, checked as UTF-8 once for all of them.
struct BatchView<'a> {
    text: &'a str,
    /// Where each cell ends, from the start of its record.
    ends: &'a [usize],
    /// Cells, physical line and line breaks inside cells of each record.
    records: &'a [(usize, u64, u64)],
}

impl<'a> BatchView<'a> {
    fn iter(&self) -> impl Iterator<Item = RecordView<'a>> + use<'a> {
        let (text, ends) = (self.text, self.ends);
        let (mut cell, mut byte) = (0, 0);
        self.records
            .iter()
            .map(move |&(cells, line, inner_breaks)| {
                let record_ends = &ends[cell..cell + cells];
                let len = record_ends.last().copied().unwrap_or(0);
                let start = byte;
                cell += cells;
                byte += len;
                RecordView {
                    // Cells end where the file had an ASCII delimiter or line break: records start at character
                    // boundaries.
                    text: text.get(start..start + len).unwrap_or_default(),
                    ends: record_ends,
                    line,
                    inner_breaks,
                }
            })
    }
}

/// Records read on the checking thread itself, one at a time.
struct OneThread<'r, R> {
    records: &'r mut Records<R>,
    record: Record,
    meta: [(usize, u64, u64); 1],
}

impl<R: Read> Source for OneThread<'_, R> {
    fn next_batch(&mut self) -> Result<Option<BatchView<'_>>, ImportError> {
        if !self.records.next(&mut self.record)? {
            return Ok(None);
        }
        let view = self.record.view();
        self.meta = [(view.ends.len(), view.line, view.inner_breaks)];
        Ok(Some(BatchView {
            text: view.text,
            ends: view.ends,
            records: &self.meta,
        }))
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

/// The checking thread's side: the batches in order, each checked as UTF-8 as a whole and handed back for reuse
/// once the next one comes.
struct Batched {
    batches: Receiver<Result<Batch, ImportError>>,
    spare: Sender<Batch>,
    batch: Batch,
    done: bool,
}

impl Source for Batched {
    fn next_batch(&mut self) -> Result<Option<BatchView<'_>>, ImportError> {
        if self.done {
            return Ok(None);
        }
        match self.batches.recv() {
            Ok(Ok(batch)) => {
                let used = std::mem::replace(&mut self.batch, batch);
                // The splitting thread may have finished; a batch it does not take back is simply dropped.
                let _ = self.spare.send(used);
            }
            Ok(Err(e)) => {
                self.done = true;
                return Err(e);
            }
            // The splitting thread ended: the file is read (a panic there is raised again when it is joined).
            Err(_) => {
                self.done = true;
                return Ok(None);
            }
        }
        // The transcoder yields UTF-8 only; simdutf8 checks a batch at several times std's speed.
        if simdutf8::basic::from_utf8(&self.batch.bytes).is_err() {
            mark_invalid_bytes(&mut self.batch.bytes);
        }
        Ok(Some(BatchView {
            text: simdutf8::basic::from_utf8(&self.batch.bytes).unwrap_or_default(),
            ends: &self.batch.ends,
            records: &self.batch.records,
        }))
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
    let mut first_row: Option<String> = None;
    let mut searched = 0;
    // The header, the batch it is in and the records after it there.
    let (header_cells, header_line, batch, after) = 'search: loop {
        let Some(batch) = records.next_batch()? else {
            return match first_row {
                None => Err(ImportError::Empty),
                Some(first_row) => Err(ImportError::NoHeader {
                    rows: searched,
                    first_row,
                }),
            };
        };
        for (at, record) in batch.iter().enumerate() {
            let cells: Vec<HeaderCell> = (0..record.len())
                .map(|i| HeaderCell {
                    text: record.text(i),
                    month: None,
                })
                .collect();
            if cells.iter().all(|c| c.text.trim().is_empty()) {
                continue;
            }
            if is_header_row(&cells) {
                break 'search (cells, record.line, batch, at + 1);
            }
            first_row.get_or_insert_with(|| describe_row(&cells));
            searched += 1;
            if searched >= HEADER_SEARCH_ROWS {
                return Err(ImportError::NoHeader {
                    rows: searched,
                    first_row: first_row.unwrap_or_default(),
                });
            }
        }
    };
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

    let mut going = check_records(
        &mut checker,
        batch.iter().skip(after),
        header_width,
        delimiter,
    );
    while going.is_continue() {
        let Some(batch) = records.next_batch()? else {
            break;
        };
        going = check_records(&mut checker, batch.iter(), header_width, delimiter);
    }
    if checker.rows_read() == 0 {
        return Err(ImportError::NoDataRows { header_line });
    }
    Ok(checker.finish())
}

/// Checks data records in order; `Break` when the checker wants no more.
fn check_records<'a, F, S>(
    checker: &mut Checker<'_, F, S>,
    records: impl Iterator<Item = RecordView<'a>>,
    header_width: usize,
    delimiter: u8,
) -> ControlFlow<()>
where
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    for record in records {
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
        checker.row(line, &record)?;
    }
    ControlFlow::Continue(())
}

/// The mark of an unclosed quote, after which the reader runs on to the next quote or the end of the file: a cell
/// with a line break that is a read column, or in a record with more cells than the header, or whose later lines
/// hold whole rows (several delimiters). A line break in a quoted name (an ignored column) is fine.
fn broken_quote(
    record: &RecordView<'_>,
    header_width: usize,
    delimiter: u8,
    is_checked: impl Fn(usize) -> bool,
) -> Option<usize> {
    // Only a record with a line break in a cell can be one.
    memchr::memchr2(b'\n', b'\r', record.text.as_bytes())?;
    let row_like = header_width.saturating_sub(1).clamp(2, 3);
    (0..record.len()).find(|&i| {
        let Some(cell) = record.field(i) else {
            return false;
        };
        let mut lines = cell.split(['\n', '\r']);
        lines.next();
        let mut later = lines.peekable();
        if later.peek().is_none() {
            return false;
        }
        is_checked(i)
            || record.len() > header_width
            || later.any(|line| line.bytes().filter(|&b| b == delimiter).count() >= row_like)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record's cells and first line, as this reader splits `text`.
    fn split_here(text: &str) -> Vec<(Vec<String>, u64)> {
        let transcoder = Transcoder::new(std::io::Cursor::new(text.as_bytes().to_vec())).unwrap();
        let mut records = Records::new(transcoder, &ImportLimits::default());
        let mut record = Record::new();
        let mut out = Vec::new();
        while records.next(&mut record).unwrap() {
            let view = record.view();
            let cells = (0..view.len()).map(|i| view.text(i)).collect();
            out.push((cells, view.line));
        }
        out
    }

    /// The same, as the `csv` crate splits it, each record's line counted in `text`.
    fn split_by_csv(text: &str) -> Vec<(Vec<String>, u64)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                // The line as an editor numbers it: where the record's first byte is, past the line breaks that
                // `csv` counts as the record's start.
                let mut start = r.position().unwrap().byte() as usize;
                while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                let line = 1 + text.as_bytes()[..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                (r.iter().map(str::to_string).collect(), line as u64)
            })
            .collect()
    }

    #[test]
    fn records_have_the_cells_the_csv_crate_finds_and_the_lines_an_editor_shows() {
        let long_cell = "甲".repeat(30_000);
        let texts = [
            "a,b,c\nd,e,f\n".to_string(),
            "a,b\r\nc,d\r\n\r\ne,f".to_string(),
            "a,b\rc,d\r\ne\n\n\nf,,\n".to_string(),
            "\"a,1\",b\r\nc,\"d\r\ne\"\r\nf,g\r\n".to_string(),
            "x,\"y\"\"z\",w\nq\"r,s\n,,\n".to_string(),
            "   \n\u{3000},\u{3000}\r\n".to_string(),
            // Lines across the reader's 64 KiB buffer.
            (0..12)
                .map(|i| format!("{i},{long_cell},{i}\r\n"))
                .collect::<String>(),
        ];
        for text in &texts {
            let expected = split_by_csv(text);
            assert_eq!(
                expected,
                split_here(text),
                "{:?}",
                &text[..text.len().min(40)]
            );
        }
    }
}
