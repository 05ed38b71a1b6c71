//! Downloads of a page's list as CSV or XLSX, written by `chainpark_app::exports`. Each list gives every row its
//! filter selects, never one page of it.

use chainpark_app::exports::{ExportFormat, Table, write_table};

use super::{PageResult, Viewer};
use crate::download::attachment;

pub async fn download(viewer: &Viewer, table: Table, format: ExportFormat) -> PageResult {
    let name = table.name;
    let file = write_table(table, format)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(attachment(
        file.bytes,
        file.content_type,
        &format!("{name}.{}", file.extension),
    ))
}
