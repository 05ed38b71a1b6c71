//! The one shape of the API's file imports that are not figure imports (land parcels, leases, reference tables,
//! candidates, meter readings): the file's bytes (read through the spool under `max_upload_bytes`, the limit of
//! every file import, figures included; 413 naming it past that), the import options of
//! the clock's month with the configured import limits and the chosen worksheet, the use case, and its answer with
//! the status its outcome calls for (stored, or refused with every bad row: 422).

use std::future::Future;

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_app::assessment::LandFileOutcome;
use chainpark_app::chain_intel::ReferenceImport;
use chainpark_app::meters::IngestReport;
use chainpark_app::targets::CandidateImport;
use chainpark_import::{ImportOptions, YearMonth};
use chainpark_store::StoreError;
use chrono::Datelike;
use serde::Serialize;

use super::imports::{spool_error, spool_stream, upload_too_large};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// The file as the use case gets it.
pub(crate) struct ImportFile {
    pub bytes: Vec<u8>,
    /// Read as a workbook: the file's name ends in `.xlsx`.
    pub xlsx: bool,
    /// The clock's month as the latest a file may name, the configured limits and the worksheet.
    pub options: ImportOptions,
}

/// What an import answers, and with which status.
pub(crate) trait ImportAnswer: Serialize {
    fn status(&self) -> StatusCode;
}

impl ImportAnswer for LandFileOutcome {
    fn status(&self) -> StatusCode {
        match self {
            LandFileOutcome::Stored { .. } => StatusCode::OK,
            LandFileOutcome::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl ImportAnswer for ReferenceImport {
    fn status(&self) -> StatusCode {
        created_or_refused(self.stored)
    }
}

impl ImportAnswer for CandidateImport {
    fn status(&self) -> StatusCode {
        created_or_refused(self.stored)
    }
}

/// Readings are stored or refused as a whole; a refusal is a problem document (422), so a report is always 200.
impl ImportAnswer for IngestReport {
    fn status(&self) -> StatusCode {
        StatusCode::OK
    }
}

fn created_or_refused(stored: bool) -> StatusCode {
    if stored {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The file an endpoint was sent: its name, the worksheet of a workbook (a blank name is the first visible sheet),
/// and the request's headers and body.
pub(crate) struct SentFile<'a> {
    pub name: Option<&'a str>,
    pub sheet: Option<String>,
    pub headers: &'a HeaderMap,
    pub body: Body,
}

/// Reads the file `sent` under the upload limit, runs `import` on it and answers its outcome as JSON with the
/// outcome's status.
pub(crate) async fn import_file<A, F, Fut>(
    state: &AppState,
    sent: SentFile<'_>,
    import: F,
) -> ApiResult<Response>
where
    A: ImportAnswer,
    F: FnOnce(ImportFile) -> Fut,
    Fut: Future<Output = ApiResult<A>>,
{
    let bytes = spooled_body(state, sent.headers, sent.body).await?;
    let file_name = sent.name;
    let sheet = sent.sheet;
    let today = state.clock.today();
    let latest = YearMonth::new(today.year().max(0).unsigned_abs(), today.month())
        .map_err(|e| ApiError::Store(StoreError::Corrupt(format!("today is not a month: {e}"))))?;
    let mut options = ImportOptions::new(latest);
    options.limits = state.import_limits.clone();
    options.sheet = sheet.filter(|s| !s.trim().is_empty());
    let xlsx = file_name.is_some_and(|f| f.to_ascii_lowercase().ends_with(".xlsx"));
    let answer = import(ImportFile {
        bytes,
        xlsx,
        options,
    })
    .await?;
    Ok((answer.status(), Json(answer)).into_response())
}

/// A body read through the spool under the upload limit (`max_upload_bytes`): one that announces more is refused
/// before it is read, one that streams more when it passes the limit (413 naming the limit).
async fn spooled_body(state: &AppState, headers: &HeaderMap, body: Body) -> ApiResult<Vec<u8>> {
    let max = state.import_limits.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max) {
        return Err(upload_too_large(max));
    }
    let spool = state.spool.file().map_err(spool_error)?;
    spool_stream(body.into_data_stream(), spool.path(), max).await?;
    tokio::fs::read(spool.path()).await.map_err(spool_error)
}
