//! A table of cells from a CSV or XLSX file, for the imports whose files are one row per object (land parcels,
//! leases, reference tables, candidates, meter readings): the header and each row with its line (CSV) or row
//! number (XLSX), so that every problem names where it is. XLSX workbooks pass the same guard as figure files
//! before calamine reads them.

use std::io::{Cursor, Seek, SeekFrom};

use calamine::{Data, Reader, Xlsx};

use crate::error::ImportError;
use crate::importer::ImportOptions;
use crate::{decode_text, xlsx_guard};

/// A table read from a file: its header and its rows with their line (CSV) or row number (XLSX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads a CSV (any encoding the figure import reads; comma- or, when its first line holds a tab, tab-separated)
/// or, when `xlsx`, a guarded workbook's chosen sheet. Blank lines are left out; the first other line is the header.
pub fn read_table(bytes: &[u8], xlsx: bool, options: &ImportOptions) -> Result<Table, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut lines: Vec<(u64, Vec<String>)> = Vec::new();
    if xlsx {
        if bytes.len() as u64 > options.limits.max_xlsx_bytes {
            return Err(ImportError::WorkbookTooLarge {
                size: bytes.len() as u64,
                limit: options.limits.max_xlsx_bytes,
            });
        }
        let mut input = Cursor::new(bytes);
        let plan = xlsx_guard::inspect(&mut input, options)?;
        input.seek(SeekFrom::Start(0))?;
        let mut workbook: Xlsx<_> =
            Xlsx::new(input).map_err(|e| ImportError::Workbook(e.to_string()))?;
        let range = workbook
            .worksheet_range(&plan.sheet)
            .map_err(|e| ImportError::Workbook(e.to_string()))?;
        let first_row = range.start().map_or(0, |(r, _)| r);
        for (i, row) in range.rows().enumerate() {
            let cells = row
                .iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    Data::DateTime(dt) => dt
                        .as_datetime()
                        .map(|d| d.date().to_string())
                        .unwrap_or_else(|| c.to_string()),
                    other => other.to_string(),
                })
                .collect();
            lines.push((u64::from(first_row) + i as u64 + 1, cells));
        }
    } else {
        let text = decode_text(bytes)?;
        // A first line with a tab makes a tab-separated file (as spreadsheet programs copy tables out).
        let delimiter = if text.lines().next().is_some_and(|l| l.contains('\t')) {
            b'\t'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            let record = record.map_err(|e| ImportError::Workbook(e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            lines.push((line, record.iter().map(|c| c.trim().to_string()).collect()));
        }
    }
    let mut lines = lines
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = lines.next() else {
        return Err(ImportError::Empty);
    };
    Ok(Table {
        header: header.into_iter().map(|h| h.trim().to_string()).collect(),
        rows: lines.collect(),
    })
}
