//! The row-by-row report of an import: counts, and each problem with its line, column and a reason in English and
//! Chinese. It serialises to JSON for the API and is written as CSV or XLSX for the user to download and fix.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::layout::Layout;

/// What kind of file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
    /// Values the program generated rather than read from a file (the demo's figures).
    Generated,
}

/// The kind of a row problem; stable codes for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    MissingCreditCode,
    InvalidCreditCode,
    UnknownCreditCode,
    MissingIndicator,
    UnknownIndicator,
    CumulativeColumn,
    UnknownColumn,
    MissingPeriod,
    BadPeriod,
    FuturePeriod,
    MissingValue,
    BadValue,
    UnknownUnit,
    UnitMismatch,
    TooManyDecimals,
    ValueOutOfRange,
    NegativeValue,
    RepeatedRow,
    UnclosedQuote,
    /// A row has filled cells past the last header column: usually a number written with an unquoted thousands
    /// separator (1,000.00), which CSV splits into two cells.
    ExtraCell,
    /// The indicator is archived: it takes no new figures.
    ArchivedIndicator,
    /// The enterprise is archived: it takes no new figures.
    ArchivedEnterprise,
    /// A reference table's code is not a GB/T 4754-2017 industry code.
    UnknownIndustryCode,
}

/// One problem found in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based physical line of the CSV file (where the row starts), or row number of the worksheet.
    pub line: u64,
    /// Header text of the column (its letter when it has none).
    pub column: String,
    /// Spreadsheet letter of the column: A, B, ..., AA.
    pub column_letter: String,
    pub problem: Problem,
    /// The offending cell, as written (shortened when long).
    pub cell: String,
    pub reason: String,
    pub reason_zh: String,
    /// For a repeated row: the line where the same enterprise × month × indicator first appeared.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_line: Option<u64>,
}

/// A worksheet of the workbook other than the one read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherSheet {
    pub name: String,
    /// Hidden in Excel (hidden or very hidden): easy to overlook, never read unless named.
    pub hidden: bool,
}

/// The outcome of reading one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub format: Format,
    /// Text encoding of a CSV file: UTF-8, GB18030 (covers GBK), UTF-16LE or UTF-16BE.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encoding: Option<String>,
    /// Worksheet read from an XLSX workbook.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sheet: Option<String>,
    /// The workbook's other worksheets, which were not read (the first 100).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub other_sheets: Vec<OtherSheet>,
    pub layout: Layout,
    /// Line (or worksheet row) of the header; title rows above it are skipped.
    pub header_line: u64,
    /// Data rows read, not counting the header, title rows and blank rows.
    pub rows_read: u64,
    /// Rows with at least one problem; none of their values reached the sink.
    pub rows_rejected: u64,
    /// Values handed to the sink.
    pub values_accepted: u64,
    /// Empty cells of wide layouts, read as "no value".
    pub empty_cells: u64,
    /// All problems found, including those beyond the listed ones.
    pub error_count: u64,
    /// The first problems, in file order (at most [`crate::ImportLimits::max_listed_errors`]).
    pub errors: Vec<RowError>,
    /// True when the sink asked to stop before the end of the file.
    pub stopped_early: bool,
}

impl ImportReport {
    /// The report of values the program generated (the demo's figures): `values` accepted, one per row, no problem.
    pub fn generated(values: u64) -> ImportReport {
        ImportReport {
            format: Format::Generated,
            encoding: None,
            sheet: None,
            other_sheets: Vec::new(),
            layout: Layout::Long,
            header_line: 0,
            rows_read: values,
            rows_rejected: 0,
            values_accepted: values,
            empty_cells: 0,
            error_count: 0,
            errors: Vec::new(),
            stopped_early: false,
        }
    }

    /// Whether the file can be stored as a whole: no problem at all and read to the end.
    pub fn is_clean(&self) -> bool {
        self.error_count == 0 && !self.stopped_early
    }

    const COLUMNS: [&'static str; 8] = [
        "行号 line",
        "列 column",
        "列号 letter",
        "问题 problem",
        "单元格 cell",
        "说明 reason",
        "中文说明",
        "首次出现行 first line",
    ];

    fn cells(e: &RowError) -> [String; 8] {
        [
            e.line.to_string(),
            e.column.clone(),
            e.column_letter.clone(),
            serde_plain_name(e.problem),
            e.cell.clone(),
            e.reason.clone(),
            e.reason_zh.clone(),
            e.first_line.map(|l| l.to_string()).unwrap_or_default(),
        ]
    }

    /// Writes the listed problems as CSV (UTF-8 with BOM, so Excel shows the Chinese text).
    pub fn write_csv<W: Write>(&self, out: W) -> io::Result<()> {
        let mut csv = crate::CsvOut::for_spreadsheet(out)?;
        csv.row(Self::COLUMNS)?;
        for e in &self.errors {
            csv.row(Self::cells(e))?;
        }
        csv.finish().map(drop)
    }

    /// The listed problems as an XLSX workbook, with a summary sheet.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format as CellFormat, Workbook};
        let mut workbook = Workbook::new();
        let bold = CellFormat::new().set_bold();
        let sheet = workbook.add_worksheet();
        sheet.set_name("错误 errors")?;
        for (col, title) in Self::COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        for (row, e) in self.errors.iter().enumerate() {
            let row = row as u32 + 1;
            sheet.write_number(row, 0, e.line as f64)?;
            for (col, cell) in Self::cells(e).iter().enumerate().skip(1) {
                if col == 7 {
                    if let Some(first) = e.first_line {
                        sheet.write_number(row, 7, first as f64)?;
                    }
                } else {
                    sheet.write_string(row, col as u16, cell)?;
                }
            }
        }
        for (col, width) in [8.0, 24.0, 8.0, 20.0, 24.0, 60.0, 40.0, 12.0]
            .into_iter()
            .enumerate()
        {
            sheet.set_column_width(col as u16, width)?;
        }
        sheet.set_freeze_panes(1, 0)?;

        let summary = workbook.add_worksheet();
        summary.set_name("汇总 summary")?;
        let other_sheets = self
            .other_sheets
            .iter()
            .map(|s| {
                if s.hidden {
                    format!("{} (隐藏 hidden)", s.name)
                } else {
                    s.name.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let rows: [(&str, String); 10] = [
            ("格式 format", serde_plain_name(self.format)),
            ("编码 encoding", self.encoding.clone().unwrap_or_default()),
            ("工作表 sheet read", self.sheet.clone().unwrap_or_default()),
            ("其他工作表 other sheets", other_sheets),
            (
                "表格格式 layout",
                format!(
                    "{} {}",
                    serde_plain_name(self.layout),
                    self.layout.name_zh()
                ),
            ),
            ("读取行数 rows read", self.rows_read.to_string()),
            ("有误行数 rows rejected", self.rows_rejected.to_string()),
            ("接受数值 values accepted", self.values_accepted.to_string()),
            ("空单元格 empty cells", self.empty_cells.to_string()),
            ("问题总数 problems", self.error_count.to_string()),
        ];
        for (row, (label, value)) in rows.iter().enumerate() {
            summary.write_string_with_format(row as u32, 0, *label, &bold)?;
            summary.write_string(row as u32, 1, value)?;
        }
        summary.set_column_width(0, 28.0)?;
        summary.set_column_width(1, 32.0)?;
        workbook.save_to_buffer()
    }
}

/// `text` cut to `max` characters, ending with "…" when it was longer: what the report and the messages keep of a
/// cell, a column name or a reason, so that one long cell cannot make them large.
pub(crate) fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// The serde name of a unit-like enum (`unknown_credit_code`), for CSV and XLSX cells.
fn serde_plain_name<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
