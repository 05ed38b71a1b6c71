//! Lists as files and the scheduling report (调度会). Every export takes everything its filter selects, not a
//! first page; a table is written once as rows of cells and served as CSV (UTF-8 with a byte-order mark, so
//! spreadsheet programs read the Chinese right) or XLSX.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;

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

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Store(chainpark_store::StoreError::Corrupt(format!("export: {e}")))
}

/// The CSV text of one sheet.
pub fn csv_bytes(sheet: &Sheet) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(&sheet.headers).map_err(internal)?;
        for row in &sheet.rows {
            writer
                .write_record(row.iter().map(Cell::text))
                .map_err(internal)?;
        }
        writer.flush().map_err(internal)?;
    }
    Ok(out)
}

/// An XLSX workbook with one worksheet per sheet.
pub fn xlsx_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, ApiError> {
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

/// Serves sheets as a download: CSV takes the first sheet, XLSX all of them.
pub fn download(format: ExportFormat, stem: &str, sheets: &[Sheet]) -> Result<Response, ApiError> {
    let (bytes, mime, ext) = match format {
        ExportFormat::Csv => (
            csv_bytes(sheets.first().ok_or_else(|| internal("no sheet"))?)?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        ExportFormat::Xlsx => (
            xlsx_bytes(sheets)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
