//! Downloads of a page's list as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
//! right) or as an XLSX workbook. Each list gives every row its filter selects, never one page of it.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{PageError, PageResult, Viewer};
use crate::error::ApiError;

/// A list to download: its file name (without extension), its column titles and its rows.
pub struct Table {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

fn failed(viewer: &Viewer, e: impl std::fmt::Display) -> PageError {
    viewer.fail(ApiError::Store(chainpark_store::StoreError::Corrupt(
        format!("writing the export: {e}"),
    )))
}

fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Writes the file on a blocking thread, so a large export does not hold up the server's other answers; CSV goes
/// through the one CSV writer, which neutralises cells that begin like a formula.
pub async fn download(viewer: &Viewer, table: Table, kind: Kind) -> PageResult {
    let name = table.name;
    let (bytes, content_type, extension) = match kind {
        Kind::Csv => (
            tokio::task::spawn_blocking(move || {
                chainpark_import::spreadsheet_csv(std::iter::once(table.header).chain(table.rows))
            })
            .await
            .map_err(|e| failed(viewer, e))?
            .map_err(|e| failed(viewer, e))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        Kind::Xlsx => (
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
            .map_err(|e| failed(viewer, e))?
            .map_err(|e: rust_xlsxwriter::XlsxError| failed(viewer, e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok(attachment(
        bytes,
        content_type,
        &format!("{name}.{extension}"),
    ))
}
