//! The limits that keep the reading of any file, however hostile, within bounded memory and time: sizes of the
//! upload, the workbook and each of its parts, rows, cells, shared strings, and the report. Each refusal names the
//! limit (its key in the configuration's `[import]` table) and its value.

use serde::{Deserialize, Serialize};

/// The last column of a worksheet (XFD) and the last row, as Excel has them; a cell past them is refused.
pub const MAX_COLUMNS: u32 = 16_384;
pub const MAX_ROWS: u32 = 1_048_576;

/// Limits of one import. The defaults are far above any real file of monthly indicators and keep the reader under
/// about 300 MB whatever it is sent; each can be changed in the configuration (`[import]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportLimits {
    /// Bytes of one upload through the API (the raw body, or the form's `file` part); answered 413 past it.
    pub max_upload_bytes: u64,
    /// Bytes of an XLSX workbook (CSV streams and is capped only by the upload size).
    pub max_xlsx_bytes: u64,
    /// Bytes of one row, all its cells together.
    pub max_row_bytes: usize,
    /// Cells of one row (a worksheet has 16,384 columns).
    pub max_cells_per_row: usize,
    /// Characters of one cell (Excel's own maximum is 32,767).
    pub max_cell_chars: usize,
    /// Files (parts) in a workbook's zip archive.
    pub max_workbook_parts: usize,
    /// Entries of each directory part of a workbook: sheets, relationships, defined names, number formats.
    pub max_workbook_entries: usize,
    /// Decompressed bytes of the worksheet read, which streams.
    pub max_sheet_bytes: u64,
    /// Decompressed bytes of every other part read (shared strings, styles, the workbook and its relationships),
    /// which are held in memory.
    pub max_part_bytes: u64,
    /// Decompressed size of a part divided by its compressed size, checked once a part is past its first MiB:
    /// real worksheets compress 5 to 30 times, zip bombs a thousand times.
    pub max_compression_ratio: u64,
    /// Entries of a workbook's shared-string table.
    pub max_shared_strings: usize,
    /// Problems listed in the report (the first ones, of any kind); further ones are only counted.
    pub max_listed_errors: usize,
    /// Characters kept of a cell, a column name or a reason in the report; longer ones end with "…".
    pub max_report_text_chars: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_upload_bytes: 1 << 30,
            max_xlsx_bytes: 100 << 20,
            max_row_bytes: 1 << 20,
            max_cells_per_row: MAX_COLUMNS as usize,
            max_cell_chars: 32_767,
            max_workbook_parts: 10_000,
            max_workbook_entries: 100_000,
            max_sheet_bytes: 1 << 30,
            max_part_bytes: 64 << 20,
            max_compression_ratio: 100,
            max_shared_strings: 1_000_000,
            max_listed_errors: 10_000,
            max_report_text_chars: 200,
        }
    }
}

/// A limit a file went past: its configuration key and its value, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub key: &'static str,
    pub value: u64,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} = {}", self.key, self.value)
    }
}

impl Limit {
    pub fn new(key: &'static str, value: impl TryInto<u64>) -> Limit {
        Limit {
            key,
            value: value.try_into().unwrap_or(u64::MAX),
        }
    }
}
