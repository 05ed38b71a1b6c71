//! The guard in front of calamine: before the workbook is opened, every part calamine will read is decompressed
//! and parsed here once, as a stream, in bounded memory, and refused at the first sign of a hostile file — too many
//! parts, a part that decompresses too far (its size, or its ratio to its compressed size: a zip bomb), one XML
//! element or cell larger than a cell may be, too many shared strings, a cell referenced past XFD1048576, a shared
//! string that does not exist, too many cells in a row.
//!
//! calamine trusts the file: it sizes rows from cell references (a reference past the last column made it ask for
//! 64 GB), holds every shared string, and indexes them without a bounds check (a panic). It reads exactly the
//! parts this guard reads, with the same XML reader and settings, so what passed here cannot surprise it. The guard
//! also chooses the worksheet: the one named, or the first visible one.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

use quick_xml::Reader as XmlReader;
use quick_xml::events::Event;
use quick_xml::events::attributes::Attribute;
use quick_xml::name::QName;
use zip::ZipArchive;
use zip::read::ZipFile;

use crate::error::ImportError;
use crate::importer::ImportOptions;
use crate::limits::{ImportLimits, Limit, MAX_COLUMNS, MAX_ROWS};
use crate::normalise::column_letter;
use crate::report::{OtherSheet, shorten};

/// Sheets listed in the report besides the one read, and in messages.
const LISTED_SHEETS: usize = 100;

/// The compression ratio is checked once a part has decompressed this far: small parts compress well.
const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// What the guard found: the worksheet to read and the others.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The sheet's name as the workbook has it, for calamine.
    pub sheet: String,
    pub other_sheets: Vec<OtherSheet>,
}

/// A sheet of the workbook, as `xl/workbook.xml` and its relationships describe it (and as calamine reads them).
struct SheetEntry {
    name: String,
    visible: bool,
    /// The part holding it, e.g. `xl/worksheets/sheet1.xml`; empty when its relationship is missing.
    path: String,
}

impl SheetEntry {
    fn is_worksheet(&self) -> bool {
        self.path.split('/').nth(1) == Some("worksheets")
    }
}

/// Checks the workbook in `input` (already known to be a zip archive of an acceptable size) and chooses its sheet.
pub(crate) fn inspect<R: Read + Seek>(
    input: &mut R,
    options: &ImportOptions,
) -> Result<Plan, ImportError> {
    let limits = &options.limits;
    let parts = zip_entries(input)?;
    if parts.is_some_and(|n| n > limits.max_workbook_parts as u64) {
        return Err(too_many_parts(limits));
    }
    input.seek(SeekFrom::Start(0))?;
    let mut zip = ZipArchive::new(&mut *input).map_err(zip_error)?;
    if zip.len() > limits.max_workbook_parts {
        return Err(too_many_parts(limits));
    }
    let relationships = read_relationships(&mut zip, limits)?;
    let sheets = read_sheets(&mut zip, limits, &relationships)?;
    drop(relationships);
    check_styles(&mut zip, limits)?;

    let chosen = choose_sheet(&sheets, options.sheet.as_deref())?;
    let shared_strings = count_shared_strings(&mut zip, limits)?;
    let sheet = &sheets[chosen];
    check_worksheet(&mut zip, limits, sheet, shared_strings)?;

    let other_sheets = sheets
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != chosen)
        .take(LISTED_SHEETS)
        .map(|(_, s)| OtherSheet {
            name: shorten(&s.name, 100).into_owned(),
            hidden: !s.visible,
        })
        .collect();
    Ok(Plan {
        sheet: sheet.name.clone(),
        other_sheets,
    })
}

fn too_many_parts(limits: &ImportLimits) -> ImportError {
    ImportError::TooManyParts {
        limit: Limit::new("max_workbook_parts", limits.max_workbook_parts),
    }
}

fn zip_error(e: zip::result::ZipError) -> ImportError {
    ImportError::NotAWorkbook(format!(
        "the zip archive is damaged or not a workbook ({e})"
    ))
}

/// The number of entries the archive's end record announces, read before the zip library builds its directory
/// (which costs memory for each entry); `None` when there is no end record (the zip library then says what is
/// wrong).
fn zip_entries<R: Read + Seek>(input: &mut R) -> Result<Option<u64>, ImportError> {
    let size = input.seek(SeekFrom::End(0))?;
    // The end record is 22 bytes, followed by a comment of up to 65,535.
    let tail_len = size.min(22 + 65_535);
    input.seek(SeekFrom::Start(size - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    input.read_exact(&mut tail)?;
    let Some(end) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
    else {
        return Ok(None);
    };
    let u16_at = |at: usize| u64::from(u16::from_le_bytes([tail[at], tail[at + 1]]));
    let entries = u16_at(end + 10);
    if entries != 0xFFFF {
        return Ok(Some(entries));
    }
    // Zip64: the locator (20 bytes) just before the end record gives the offset of the zip64 end record.
    let Some(locator) = end.checked_sub(20) else {
        return Ok(Some(entries));
    };
    if !tail[locator..].starts_with(b"PK\x06\x07") {
        return Ok(Some(entries));
    }
    let mut offset = [0u8; 8];
    offset.copy_from_slice(&tail[locator + 8..locator + 16]);
    let offset = u64::from_le_bytes(offset);
    if offset.checked_add(40).is_none_or(|e| e > size) {
        return Ok(Some(entries));
    }
    input.seek(SeekFrom::Start(offset))?;
    let mut record = [0u8; 40];
    input.read_exact(&mut record)?;
    if !record.starts_with(b"PK\x06\x06") {
        return Ok(Some(entries));
    }
    let mut total = [0u8; 8];
    total.copy_from_slice(&record[32..40]);
    Ok(Some(u64::from_le_bytes(total)))
}

/// The name of a part in the archive: names may differ in case and use backslashes (as calamine matches them).
fn part_name<R: Read + Seek>(zip: &ZipArchive<R>, path: &str) -> Option<String> {
    zip.file_names()
        .find(|name| path.eq_ignore_ascii_case(&name.replace('\\', "/")))
        .map(str::to_string)
}

/// A decompressing reader that counts what it hands out: the part's size, its ratio to the compressed size, and
/// the bytes of the XML event being read. Past a limit it fails, and the failure says which limit.
struct Metered<'z, R: Read> {
    inner: BufReader<ZipFile<'z, R>>,
    part: String,
    total: u64,
    max_total: Limit,
    compressed: u64,
    max_ratio: u64,
    /// Bytes read since the current XML event began; the XML reader buffers one whole event.
    in_event: usize,
    max_event: usize,
    failure: Option<ImportError>,
}

impl<R: Read> Metered<'_, R> {
    fn check(&mut self) {
        if self.failure.is_some() {
            return;
        }
        if self.total > self.max_total.value {
            self.failure = Some(ImportError::PartTooLarge {
                part: self.part.clone(),
                limit: self.max_total,
            });
        } else if self.total > RATIO_GRACE_BYTES
            && self.total > self.compressed.saturating_mul(self.max_ratio)
        {
            self.failure = Some(ImportError::ZipBomb {
                part: self.part.clone(),
                limit: Limit::new("max_compression_ratio", self.max_ratio),
            });
        } else if self.in_event > self.max_event {
            self.failure = Some(element_too_large(&self.part, self.max_event));
        }
    }
}

fn element_too_large(part: &str, bytes: usize) -> ImportError {
    ImportError::ElementTooLarge {
        part: part.to_string(),
        bytes,
        limit: Limit::new("max_cell_chars", bytes / EVENT_BYTES_PER_CHAR),
    }
}

/// Bytes one character of a cell may take in the XML (a character reference such as `&#x1F600;` takes ten).
const EVENT_BYTES_PER_CHAR: usize = 10;

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Metered<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.failure.is_some() {
            return Err(io::Error::other("a limit of the workbook was reached"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.total += amount as u64;
        self.in_event += amount;
        self.check();
    }
}

/// One part, read as XML events through [`Metered`].
struct Part<'z, R: Read> {
    xml: XmlReader<Metered<'z, R>>,
    buf: Vec<u8>,
}

/// What a part is read for: its size limit.
enum PartKind {
    /// A part held in memory by calamine: shared strings, styles, the workbook, its relationships.
    Held,
    /// The worksheet read, which streams.
    Sheet,
}

impl<'z, R: Read + Seek> Part<'z, R> {
    fn open(
        zip: &'z mut ZipArchive<R>,
        name: &str,
        kind: PartKind,
        limits: &ImportLimits,
    ) -> Result<Part<'z, R>, ImportError> {
        let file = zip.by_name(name).map_err(zip_error)?;
        let compressed = file.compressed_size();
        let max_total = match kind {
            PartKind::Held => Limit::new("max_part_bytes", limits.max_part_bytes),
            PartKind::Sheet => Limit::new("max_sheet_bytes", limits.max_sheet_bytes),
        };
        let metered = Metered {
            inner: BufReader::with_capacity(1 << 16, file),
            part: name.to_string(),
            total: 0,
            max_total,
            compressed,
            max_ratio: limits.max_compression_ratio,
            in_event: 0,
            max_event: limits.max_cell_chars.max(1024) * EVENT_BYTES_PER_CHAR,
            failure: None,
        };
        let mut xml = XmlReader::from_reader(metered);
        // calamine's settings, so that events are cut exactly as calamine will cut them.
        let config = xml.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = true;
        Ok(Part {
            xml,
            buf: Vec::with_capacity(1024),
        })
    }

    /// The next event; `None` at the end of the part.
    fn next(&mut self) -> Result<Option<Event<'_>>, ImportError> {
        self.xml.get_mut().in_event = 0;
        self.buf.clear();
        match self.xml.read_event_into(&mut self.buf) {
            Ok(Event::Eof) => Ok(None),
            Ok(event) => Ok(Some(event)),
            Err(e) => {
                let metered = self.xml.get_mut();
                Err(metered.failure.take().unwrap_or_else(|| {
                    ImportError::Workbook(format!("{} is not readable XML: {e}", metered.part))
                }))
            }
        }
    }

    fn name(&self) -> &str {
        &self.xml.get_ref().part
    }

    /// Decompressed bytes read so far.
    fn position(&self) -> u64 {
        self.xml.get_ref().total
    }

    fn too_many(&self, what: &'static str, limits: &ImportLimits) -> ImportError {
        ImportError::TooManyEntries {
            part: self.name().to_string(),
            what,
            limit: Limit::new("max_workbook_entries", limits.max_workbook_entries),
        }
    }
}

/// `xl/_rels/workbook.xml.rels`: relationship id → target, as calamine reads it.
fn read_relationships<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &ImportLimits,
) -> Result<Vec<(Vec<u8>, String)>, ImportError> {
    let mut relationships = Vec::new();
    let Some(name) = part_name(zip, "xl/_rels/workbook.xml.rels") else {
        return Ok(relationships);
    };
    let mut part = Part::open(zip, &name, PartKind::Held, limits)?;
    loop {
        let decoder = part.xml.decoder();
        let entry = match part.next()? {
            None => break,
            Some(Event::Start(e)) if e.local_name().as_ref() == b"Relationship" => {
                let mut id = Vec::new();
                let mut target = String::new();
                for a in e.attributes().flatten() {
                    match a.key {
                        QName(b"Id") => id = a.value.to_vec(),
                        QName(b"Target") => {
                            target = decoder.decode(&a.value).unwrap_or_default().into_owned()
                        }
                        _ => {}
                    }
                }
                Some((id, target))
            }
            Some(_) => None,
        };
        if let Some(entry) = entry {
            if relationships.len() >= limits.max_workbook_entries {
                return Err(part.too_many("relationships", limits));
            }
            relationships.push(entry);
        }
    }
    Ok(relationships)
}

/// `xl/workbook.xml`: the sheets in order, with their visibility and part; defined names are counted.
fn read_sheets<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &ImportLimits,
    relationships: &[(Vec<u8>, String)],
) -> Result<Vec<SheetEntry>, ImportError> {
    let mut sheets = Vec::new();
    let Some(name) = part_name(zip, "xl/workbook.xml") else {
        return Ok(sheets);
    };
    let mut part = Part::open(zip, &name, PartKind::Held, limits)?;
    let mut defined_names = 0usize;
    loop {
        let decoder = part.xml.decoder();
        let sheet = match part.next()? {
            None => break,
            Some(Event::Start(e)) if e.local_name().as_ref() == b"sheet" => {
                let mut sheet = SheetEntry {
                    name: String::new(),
                    visible: true,
                    path: String::new(),
                };
                for a in e.attributes().flatten() {
                    match a.key {
                        QName(b"name") => {
                            sheet.name = decoded(&a, decoder);
                        }
                        QName(b"state") => sheet.visible = decoded(&a, decoder) == "visible",
                        QName(b"r:id") | QName(b"relationships:id") => {
                            // The last relationship of an id wins, as in calamine's map.
                            if let Some((_, target)) = relationships
                                .iter()
                                .rev()
                                .find(|(id, _)| id[..] == a.value[..])
                            {
                                sheet.path = if target.starts_with("/xl/") {
                                    target[1..].to_string()
                                } else if target.starts_with("xl/") {
                                    target.clone()
                                } else {
                                    format!("xl/{target}")
                                };
                            }
                        }
                        _ => {}
                    }
                }
                Some(sheet)
            }
            Some(Event::Start(e)) if e.local_name().as_ref() == b"definedName" => {
                defined_names += 1;
                if defined_names > limits.max_workbook_entries {
                    return Err(part.too_many("defined names", limits));
                }
                None
            }
            Some(_) => None,
        };
        if let Some(sheet) = sheet {
            if sheets.len() >= limits.max_workbook_entries {
                return Err(part.too_many("sheets", limits));
            }
            sheets.push(sheet);
        }
    }
    Ok(sheets)
}

fn decoded(a: &Attribute<'_>, decoder: quick_xml::encoding::Decoder) -> String {
    a.decode_and_unescape_value(decoder)
        .map(|v| v.into_owned())
        .unwrap_or_default()
}

/// `xl/styles.xml`: only its size and the number of its number formats matter (calamine keeps them in a map).
fn check_styles<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &ImportLimits,
) -> Result<(), ImportError> {
    let Some(name) = part_name(zip, "xl/styles.xml") else {
        return Ok(());
    };
    let mut part = Part::open(zip, &name, PartKind::Held, limits)?;
    let mut formats = 0usize;
    loop {
        let is_format = match part.next()? {
            None => break,
            Some(Event::Start(e)) => e.local_name().as_ref() == b"numFmt",
            Some(_) => false,
        };
        if is_format {
            formats += 1;
            if formats > limits.max_workbook_entries {
                return Err(part.too_many("number formats", limits));
            }
        }
    }
    Ok(())
}

/// The sheet to read: the one named (compared without surrounding spaces), else the first visible worksheet.
fn choose_sheet(sheets: &[SheetEntry], wanted: Option<&str>) -> Result<usize, ImportError> {
    let listed = |filter: &dyn Fn(&SheetEntry) -> bool| -> Vec<String> {
        sheets
            .iter()
            .filter(|s| filter(s))
            .take(LISTED_SHEETS)
            .map(|s| shorten(&s.name, 100).into_owned())
            .collect()
    };
    if let Some(wanted) = wanted {
        return sheets
            .iter()
            .position(|s| s.name.trim() == wanted.trim())
            .ok_or_else(|| ImportError::SheetNotFound {
                name: shorten(wanted, 100).into_owned(),
                available: listed(&|_| true),
            });
    }
    if let Some(first) = sheets.iter().position(|s| s.visible && s.is_worksheet()) {
        return Ok(first);
    }
    if sheets.iter().any(SheetEntry::is_worksheet) {
        return Err(ImportError::NoVisibleWorksheet {
            sheets: listed(&SheetEntry::is_worksheet),
        });
    }
    Err(ImportError::NoWorksheet)
}

/// `xl/sharedStrings.xml`: counts the strings as calamine will number them (an `<si>` with text or rich-text runs;
/// phonetic hints are not text), and refuses too many or one too long.
fn count_shared_strings<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &ImportLimits,
) -> Result<usize, ImportError> {
    let Some(name) = part_name(zip, "xl/sharedStrings.xml") else {
        return Ok(0);
    };
    let mut part = Part::open(zip, &name, PartKind::Held, limits)?;
    let max_bytes = part.xml.get_ref().max_event;
    let mut count = 0usize;
    // Inside an <si>: whether it counts, whether in a phonetic hint, its characters and where it began.
    let mut string: Option<(bool, bool, usize, u64)> = None;
    loop {
        let started = part.position();
        let event = match part.next()? {
            None => break,
            Some(event) => event,
        };
        let mut closed = false;
        match (&event, string.as_mut()) {
            (Event::Start(e), _) if e.local_name().as_ref() == b"si" => {
                string = Some((false, false, 0, started));
            }
            (Event::Start(e), Some((counts, phonetic, _, _))) => match e.local_name().as_ref() {
                b"r" => *counts = true,
                b"t" if !*phonetic => *counts = true,
                b"rPh" => *phonetic = true,
                _ => {}
            },
            (Event::End(e), Some((_, phonetic, _, _))) => match e.local_name().as_ref() {
                b"rPh" => *phonetic = false,
                b"si" => closed = true,
                _ => {}
            },
            (Event::Text(t), Some((_, _, chars, _))) => {
                *chars += t.unescape().map(|s| s.chars().count()).unwrap_or(0);
                if *chars > limits.max_cell_chars {
                    return Err(ImportError::SharedStringTooLong {
                        index: count,
                        limit: Limit::new("max_cell_chars", limits.max_cell_chars),
                    });
                }
            }
            _ => {}
        }
        drop(event);
        if let Some((_, _, _, began)) = string
            && part.position() - began > max_bytes as u64
        {
            return Err(element_too_large(part.name(), max_bytes));
        }
        if closed {
            if let Some((true, ..)) = string {
                count += 1;
                if count > limits.max_shared_strings {
                    return Err(ImportError::TooManySharedStrings {
                        limit: Limit::new("max_shared_strings", limits.max_shared_strings),
                    });
                }
            }
            string = None;
        }
    }
    Ok(count)
}

/// A cell being read in the worksheet.
struct CellRead {
    /// Its reference, for messages.
    reference: String,
    row: u32,
    column: u32,
    shared: bool,
    in_value: bool,
    value: String,
    chars: usize,
    began: u64,
}

/// The worksheet: every row and cell reference within XFD1048576 (where a cell has none, its position counted as
/// calamine counts it), at most `max_cells_per_row` cells a row, each cell's text within `max_cell_chars`, and
/// every shared-string index within the table.
fn check_worksheet<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &ImportLimits,
    sheet: &SheetEntry,
    shared_strings: usize,
) -> Result<(), ImportError> {
    let Some(name) = part_name(zip, &sheet.path) else {
        return Err(ImportError::Workbook(format!(
            "the worksheet '{}' is missing from the workbook (no part {})",
            shorten(&sheet.name, 100),
            shorten(&sheet.path, 100)
        )));
    };
    let sheet_name = shorten(&sheet.name, 100).into_owned();
    let mut part = Part::open(zip, &name, PartKind::Sheet, limits)?;
    let max_bytes = part.xml.get_ref().max_event;
    let out_of_range = |cell: String| ImportError::CellOutOfRange {
        sheet: sheet_name.clone(),
        cell,
    };
    let (mut row_index, mut column_index) = (0u64, 0u64);
    let mut cells_in_row = 0usize;
    let mut cell: Option<CellRead> = None;
    loop {
        let started = part.position();
        let event = match part.next()? {
            None => break,
            Some(event) => event,
        };
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"row" => {
                    cells_in_row = 0;
                    if let Some(r) = attribute(&e, b"r") {
                        let (_, row) = parse_reference(&r)
                            .ok_or_else(|| bad_reference(&sheet_name, "row", &r))?;
                        if row >= u64::from(MAX_ROWS) {
                            return Err(out_of_range(format!("row {}", shorten(&r, 40))));
                        }
                        row_index = row;
                    }
                }
                b"c" => {
                    cells_in_row += 1;
                    if cells_in_row > limits.max_cells_per_row {
                        return Err(ImportError::TooManyCells {
                            line: row_index + 1,
                            limit: Limit::new("max_cells_per_row", limits.max_cells_per_row),
                        });
                    }
                    let (row, column, reference) = match attribute(&e, b"r") {
                        Some(r) => match parse_reference(&r) {
                            Some((Some(column), row)) => {
                                column_index = column;
                                (row, column, r)
                            }
                            _ => return Err(bad_reference(&sheet_name, "cell", &r)),
                        },
                        None => (
                            row_index,
                            column_index,
                            format!(
                                "{}{}",
                                column_letter(column_index.min(u64::from(MAX_COLUMNS)) as usize),
                                row_index + 1
                            ),
                        ),
                    };
                    if column >= u64::from(MAX_COLUMNS) || row >= u64::from(MAX_ROWS) {
                        return Err(out_of_range(shorten(&reference, 40).into_owned()));
                    }
                    cell = Some(CellRead {
                        reference,
                        row: row as u32,
                        column: column as u32,
                        shared: attribute(&e, b"t").as_deref() == Some("s"),
                        in_value: false,
                        value: String::new(),
                        chars: 0,
                        began: started,
                    });
                }
                b"v" => {
                    if let Some(c) = cell.as_mut() {
                        c.in_value = true;
                    }
                }
                b"dimension" => {
                    if let Some(r) = attribute(&e, b"ref") {
                        check_dimension(&sheet_name, &r)?;
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    let text = t.unescape().unwrap_or_default();
                    c.chars += text.chars().count();
                    if c.chars > limits.max_cell_chars {
                        return Err(ImportError::CellTooLong {
                            line: u64::from(c.row) + 1,
                            column: column_letter(c.column as usize),
                            limit: Limit::new("max_cell_chars", limits.max_cell_chars),
                        });
                    }
                    if c.in_value && c.shared {
                        c.value.push_str(&text);
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"row" => {
                    row_index += 1;
                    column_index = 0;
                    cells_in_row = 0;
                }
                b"v" => {
                    if let Some(c) = cell.as_mut() {
                        c.in_value = false;
                        if c.shared {
                            let index = c.value.parse::<usize>().ok();
                            if index.is_none_or(|i| i >= shared_strings) {
                                return Err(ImportError::BadSharedString {
                                    sheet: sheet_name.clone(),
                                    cell: shorten(&c.reference, 40).into_owned(),
                                    index: shorten(&c.value, 40).into_owned(),
                                    count: shared_strings,
                                });
                            }
                        }
                        c.value.clear();
                    }
                }
                b"c" => {
                    column_index += 1;
                    cell = None;
                }
                _ => {}
            },
            _ => {}
        }
        if let Some(c) = &cell
            && part.position() - c.began > max_bytes as u64
        {
            return Err(element_too_large(part.name(), max_bytes));
        }
    }
    Ok(())
}

/// An attribute's raw value as text (cell references and types are ASCII).
fn attribute(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key == QName(key))
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// A reference such as `B7`, `xfd1048576` or `7` (a row): zero-based (column, row), counted without overflow
/// (a value past the limits stays past them). `None` when it is not letters followed by digits.
fn parse_reference(text: &str) -> Option<(Option<u64>, u64)> {
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (column_part, row_part) = text.split_at(letters);
    if row_part.is_empty() || !row_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cap = |n: u64| n.min(u64::from(u32::MAX));
    let row = row_part
        .bytes()
        .fold(0u64, |n, b| cap(n * 10 + u64::from(b - b'0')));
    let row = row.checked_sub(1)?;
    let column = (letters > 0).then(|| {
        column_part.bytes().fold(0u64, |n, b| {
            cap(n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1)
        }) - 1
    });
    Some((column, row))
}

fn bad_reference(sheet: &str, what: &str, text: &str) -> ImportError {
    ImportError::Workbook(format!(
        "sheet '{sheet}': '{}' is not a {what} reference",
        shorten(text, 40)
    ))
}

/// The `<dimension ref="A1:D20">` of a sheet: both corners within the sheet, the first before the second.
fn check_dimension(sheet: &str, text: &str) -> Result<(), ImportError> {
    let mut corners = Vec::new();
    for corner in text.split(':') {
        match parse_reference(corner) {
            Some((Some(column), row)) => {
                if column >= u64::from(MAX_COLUMNS) || row >= u64::from(MAX_ROWS) {
                    return Err(ImportError::CellOutOfRange {
                        sheet: sheet.to_string(),
                        cell: shorten(corner, 40).into_owned(),
                    });
                }
                corners.push((row, column));
            }
            _ => return Err(bad_reference(sheet, "range", text)),
        }
    }
    match corners[..] {
        [_] => Ok(()),
        [(r1, c1), (r2, c2)] if r1 <= r2 && c1 <= c2 => Ok(()),
        _ => Err(bad_reference(sheet, "range", text)),
    }
}
