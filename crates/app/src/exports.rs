//! Exports: lists and reports as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
//! right) or XLSX. Every export takes everything its filter selects, not a first page, and every file is written on
//! a blocking thread, never on the async threads that answer requests. CSV goes through the one CSV writer, which
//! neutralises cells that begin like a formula.

use chainpark_core::digital_economy::DigitalEconomyMap;
use chainpark_core::workflow::appeals::Appeal;
use chainpark_core::workflow::work_orders::WorkOrder;
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// The content type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Runs `write` on a blocking thread; its failure, or the thread's, is an internal error.
pub async fn off_thread<T: Send + 'static, E: std::fmt::Display + Send + 'static>(
    write: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(write)
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(|e| AppError::internal(e.to_string()))
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
}

/// One cell of an exported table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Decimal(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Decimal(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A named sheet: a header row and data rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, headers: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("export: {e}"))
}

/// The CSV text of one sheet, through the one CSV writer (cells that begin like a formula are neutralised).
pub fn csv_bytes(sheet: &Sheet) -> AppResult<Vec<u8>> {
    let header = sheet.headers.clone();
    let rows = sheet
        .rows
        .iter()
        .map(|row| row.iter().map(Cell::text).collect());
    chainpark_import::spreadsheet_csv(std::iter::once(header).chain(rows)).map_err(internal)
}

/// An XLSX workbook with one worksheet per sheet.
pub fn xlsx_bytes(sheets: &[Sheet]) -> AppResult<Vec<u8>> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.name.chars().take(31).collect::<String>())
            .map_err(internal)?;
        for (col, header) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, header, &bold)
                .map_err(internal)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => ws.write_string(r, col, t).map(|_| ()),
                    Cell::Int(i) => ws.write_number(r, col, *i as f64).map(|_| ()),
                    Cell::Decimal(d) => ws.write_number(r, col, *d).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(internal)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(internal)
}

/// A written file: its bytes, content type and file extension.
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Writes sheets as a file, on a blocking thread so a large export does not hold up the server's other answers:
/// CSV takes the first sheet, XLSX all of them.
pub async fn write_sheets(format: ExportFormat, sheets: Vec<Sheet>) -> AppResult<ExportFile> {
    tokio::task::spawn_blocking(move || -> AppResult<_> {
        Ok(match format {
            ExportFormat::Csv => ExportFile {
                bytes: csv_bytes(sheets.first().ok_or_else(|| internal("no sheet"))?)?,
                content_type: "text/csv; charset=utf-8",
                extension: "csv",
            },
            ExportFormat::Xlsx => ExportFile {
                bytes: xlsx_bytes(&sheets)?,
                content_type: XLSX,
                extension: "xlsx",
            },
        })
    })
    .await
    .map_err(internal)?
}

/// The digital-economy mapping as CSV with a byte-order mark (so that spreadsheet programs read the Chinese),
/// written on a blocking thread.
pub async fn digital_map_csv(map: DigitalEconomyMap) -> AppResult<Vec<u8>> {
    off_thread(move || {
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(map.to_csv().as_bytes());
        Ok::<_, AppError>(bytes)
    })
    .await
}

/// A list to download: its file name (without extension), its column titles and its rows.
pub struct Table {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Writes a page's list as a file (one worksheet, its header row frozen) on a blocking thread.
pub async fn write_table(table: Table, format: ExportFormat) -> AppResult<ExportFile> {
    let name = table.name;
    let failed = |e: &dyn std::fmt::Display| AppError::internal(format!("writing the export: {e}"));
    let (bytes, content_type, extension) = match format {
        ExportFormat::Csv => (
            tokio::task::spawn_blocking(move || {
                chainpark_import::spreadsheet_csv(std::iter::once(table.header).chain(table.rows))
            })
            .await
            .map_err(|e| failed(&e))?
            .map_err(|e| failed(&e))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        ExportFormat::Xlsx => (
            tokio::task::spawn_blocking(move || {
                let mut workbook = rust_xlsxwriter::Workbook::new();
                let sheet = workbook.add_worksheet();
                sheet.set_name(name)?;
                let bold = rust_xlsxwriter::Format::new().set_bold();
                for (col, title) in table.header.iter().enumerate() {
                    sheet.write_string_with_format(0, col as u16, title, &bold)?;
                    sheet.set_column_width(col as u16, 18)?;
                }
                for (row, values) in table.rows.iter().enumerate() {
                    for (col, value) in values.iter().enumerate() {
                        sheet.write_string(row as u32 + 1, col as u16, value)?;
                    }
                }
                sheet.set_freeze_panes(1, 0)?;
                workbook.save_to_buffer()
            })
            .await
            .map_err(|e| failed(&e))?
            .map_err(|e: rust_xlsxwriter::XlsxError| failed(&e))?,
            XLSX,
            "xlsx",
        ),
    };
    Ok(ExportFile {
        bytes,
        content_type,
        extension,
    })
}

/// The appeal list as a sheet.
pub fn appeal_sheet(items: &[Appeal]) -> Sheet {
    let mut sheet = Sheet::new(
        "诉求 Appeals",
        &[
            "编号 id",
            "企业 enterprise",
            "类别 category",
            "紧急 urgency",
            "标题 title",
            "状态 status",
            "受理日 received_on",
            "受理时限 accept_due",
            "答复时限 reply_due",
            "超期 overdue",
            "承办人 assignee",
            "督办 escalated_to",
            "反馈 replied_at",
            "办结 closed_at",
            "满意 satisfied",
            "评分 rating",
            "重办次数 reopen_count",
        ],
    );
    for a in items {
        sheet.rows.push(vec![
            Cell::Int(a.id),
            a.enterprise_name.clone().into(),
            format!("{} {}", a.category.name_zh(), a.category).into(),
            a.urgency.as_str().into(),
            a.title.clone().into(),
            a.status.as_str().into(),
            a.received_on.to_string().into(),
            a.accept_due.to_string().into(),
            a.reply_due.to_string().into(),
            a.overdue.map(|s| s.as_str()).unwrap_or("").into(),
            a.assignee.as_ref().map(|p| p.name.clone()).into(),
            a.escalated_to.as_ref().map(|p| p.name.clone()).into(),
            a.replied_at.map(|t| t.to_rfc3339()).into(),
            a.closed_at.map(|t| t.to_rfc3339()).into(),
            a.satisfied.map(|s| if s { "yes" } else { "no" }).into(),
            a.rating.map(i64::from).into(),
            Cell::Int(i64::from(a.reopen_count)),
        ]);
    }
    sheet
}

/// The work-order list as a sheet.
pub fn work_order_sheet(items: &[WorkOrder]) -> Sheet {
    let mut sheet = Sheet::new(
        "工单 Work orders",
        &[
            "编号 id",
            "园区 park_id",
            "设施 facility",
            "类型 kind",
            "紧急 urgency",
            "标题 title",
            "状态 status",
            "创建 created_at",
            "时限 due_at",
            "超时 overdue",
            "处理人 assignee",
            "督办 escalated_to",
            "完成 done_at",
            "关闭 closed_at",
        ],
    );
    for w in items {
        sheet.rows.push(vec![
            Cell::Int(w.id),
            Cell::Int(w.park_id),
            w.facility.clone().into(),
            w.kind.as_str().into(),
            w.urgency.as_str().into(),
            w.title.clone().into(),
            w.status.as_str().into(),
            w.created_at.to_rfc3339().into(),
            w.due_at.to_rfc3339().into(),
            (if w.overdue { "yes" } else { "" }).into(),
            w.assignee.as_ref().map(|p| p.name.clone()).into(),
            w.escalated_to.as_ref().map(|p| p.name.clone()).into(),
            w.done_at.map(|t| t.to_rfc3339()).into(),
            w.closed_at.map(|t| t.to_rfc3339()).into(),
        ]);
    }
    sheet
}
