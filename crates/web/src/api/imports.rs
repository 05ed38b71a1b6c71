//! Importing monthly enterprise indicators from spreadsheets: `POST /api/v1/imports` takes the file as the raw
//! request body (`Content-Type` of CSV, XLSX or `application/octet-stream`; `?filename=` names it) or as the part
//! `file` of a `multipart/form-data` upload (`curl -F file=@figures.xlsx`), and answers the row-by-row report; the report of any
//! import is downloadable as CSV or XLSX, and each layout has a template.
//!
//! The body is spooled to a file in the spool folder (so memory stays bounded whatever the size, and XLSX can seek),
//! refused with 413 past `max_upload_bytes`, then imported by `chainpark_app::imports::run_import`, the one import
//! path (the command line's `chainpark import` takes it too).

use std::path::Path;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_app::exports::{ExportFormat, XLSX};
use chainpark_app::imports::{self, ImportFailure};
use chainpark_core::figures::may_import_figures;
use chainpark_core::registry::Id;
use chainpark_import::{ImportError, Layout};
use chainpark_store::StoreError;
use chainpark_store::figures::ImportRecord;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::download::attachment;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

/// Bytes a form may hold besides its file: boundaries, part headers and the short text parts.
const FORM_OVERHEAD: u64 = 64 << 10;

/// What an import answers: the stored record (with the parser's report) and where to download the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub import: ImportRecord,
    pub report_csv: String,
    pub report_xlsx: String,
}

impl From<ImportFailure> for ApiError {
    fn from(failure: ImportFailure) -> Self {
        match failure {
            // A workbook too large to open is a body too large (413); whatever else a file holds is a 422.
            ImportFailure::File(e @ ImportError::WorkbookTooLarge { .. }) => {
                ApiError::TooLarge(format!("{e} ({}; {})", e.code(), e.message_zh()))
            }
            ImportFailure::File(e) => ApiError::Invalid(chainpark_core::error::Invalid::field(
                "file",
                format!("{e} ({}; {})", e.code(), e.message_zh()),
            )),
            ImportFailure::Store(e) => ApiError::Store(e),
            ImportFailure::Interrupted(e) => ApiError::Store(StoreError::Corrupt(e)),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The file's name as the user has it (shown in the report; `.xlsx` helps name a broken workbook).
    pub filename: Option<String>,
    /// Store the good rows even when some rows are bad (default: all or nothing).
    #[serde(default)]
    pub accept_valid: bool,
    /// The worksheet to read from an XLSX workbook (default: the first visible one).
    pub sheet: Option<String>,
}

/// A `multipart/form-data` upload: the file in the part `file` (its file name is used when `filename` is not in
/// the query), and optionally `accept_valid` (`true`, `on` or `1`), `filename` and `sheet` as text parts.
#[derive(ToSchema)]
pub struct ImportForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub accept_valid: Option<bool>,
    pub filename: Option<String>,
    pub sheet: Option<String>,
}

/// Imports monthly indicators from a CSV or XLSX file sent as the request body, or as the part `file` of a
/// multipart form. Answers 201 with the report when values were stored, 422 with the same report when nothing was
/// (a bad row without `accept_valid`), a 422 problem naming the reason when the file cannot be read (past one of
/// the import limits, for instance), and a 413 problem past the upload or workbook size limit.
#[utoipa::path(post, path = "/api/v1/imports", tag = "figures", params(ImportQuery),
    request_body(description = "the file: CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX, as the body or as a form part",
        content((Vec<u8> = "application/octet-stream"), (ImportForm = "multipart/form-data"))),
    responses((status = 201, body = ImportResponse), (status = 422, body = ImportResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let actor = caller.actor();
    may_import_figures(&actor.scope).map_err(StoreError::from)?;
    let max = state.import_limits.max_upload_bytes;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_form = content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data");
    // A body that announces more than the file may hold is refused before it is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let allowance = if is_form { FORM_OVERHEAD } else { 0 };
    if declared.is_some_and(|length| length > max.saturating_add(allowance)) {
        return Err(upload_too_large(max));
    }
    let spool = state.spool.file().map_err(spool_error)?;
    let upload = if is_form {
        spool_form(content_type, body, spool.path(), max).await?
    } else {
        spool_stream(body.into_data_stream(), spool.path(), max).await?;
        FormUpload::default()
    };
    let file_name = q.filename.or(upload.filename).unwrap_or_default();
    let settings = imports::ImportSettings {
        accept_valid: q.accept_valid || upload.accept_valid,
        sheet: q.sheet.or(upload.sheet).filter(|s| !s.trim().is_empty()),
        limits: state.import_limits.clone(),
        today: Some(state.clock.today()),
    };
    let running = state.metrics.import_started();
    let record = imports::run_import(
        state.store.clone(),
        actor,
        spool.path().to_path_buf(),
        file_name,
        settings,
        None,
    )
    .await?;
    drop(running);
    state
        .metrics
        .import_finished(record.values_received, record.stored);
    let status = if record.stored {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(response(record))).into_response())
}

pub(crate) fn spool_error(e: std::io::Error) -> ApiError {
    ApiError::Store(StoreError::Corrupt(format!("spooling the upload: {e}")))
}

pub(crate) fn upload_too_large(max: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "the upload is larger than {max} bytes (limit max_upload_bytes = {max}; 上传文件超过 {max} 字节)"
    ))
}

/// Writes a stream of chunks to the spool file, never holding more than one chunk, and stops past `max` bytes.
pub(crate) async fn spool_stream<S, B, E>(mut stream: S, path: &Path, max: u64) -> ApiResult<()>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut file = tokio::fs::File::create(path).await.map_err(spool_error)?;
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_field("body", format!("the upload broke off: {e}")))?;
        let chunk = chunk.as_ref();
        written += chunk.len() as u64;
        if written > max {
            return Err(upload_too_large(max));
        }
        file.write_all(chunk).await.map_err(spool_error)?;
    }
    file.flush().await.map_err(spool_error)?;
    Ok(())
}

/// What a form said besides the file.
#[derive(Default)]
struct FormUpload {
    filename: Option<String>,
    accept_valid: bool,
    sheet: Option<String>,
}

/// Reads a multipart form: the part `file` streams to the spool file (at most `max` bytes); `accept_valid`,
/// `filename` and `sheet` are short text parts; any other part, a second file or no file at all is refused, naming
/// the part.
async fn spool_form(
    content_type: &str,
    body: Body,
    path: &Path,
    max: u64,
) -> ApiResult<FormUpload> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| {
        ApiError::bad_field("content-type", format!("not a usable multipart form: {e}"))
    })?;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(max.saturating_add(FORM_OVERHEAD))
            .for_field("accept_valid", 16)
            .for_field("filename", 1024)
            .for_field("sheet", 1024),
    );
    let mut form =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let broken = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } => upload_too_large(max),
        e => ApiError::bad_field("body", format!("the form is broken: {e}")),
    };
    let mut upload = FormUpload::default();
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" if !has_file => {
                has_file = true;
                upload.filename = upload.filename.or(field.file_name().map(str::to_string));
                spool_stream(field, path, max).await?;
            }
            "file" => return Err(ApiError::bad_field("file", "send one file per import")),
            "accept_valid" => {
                let text = field.text().await.map_err(broken)?;
                upload.accept_valid = match text.trim() {
                    "true" | "on" | "1" => true,
                    "false" | "off" | "0" | "" => false,
                    other => {
                        return Err(ApiError::bad_field(
                            "accept_valid",
                            format!("{other:?} is not true or false"),
                        ));
                    }
                };
            }
            "filename" => upload.filename = Some(field.text().await.map_err(broken)?),
            "sheet" => upload.sheet = Some(field.text().await.map_err(broken)?),
            other => {
                return Err(ApiError::bad_field(
                    other,
                    "this form takes only the parts file, accept_valid, filename and sheet",
                ));
            }
        }
    }
    if !has_file {
        return Err(ApiError::bad_field(
            "file",
            "the form has no part named file",
        ));
    }
    Ok(upload)
}

fn response(record: ImportRecord) -> ImportResponse {
    ImportResponse {
        report_csv: format!("/api/v1/imports/{}/report.csv", record.id),
        report_xlsx: format!("/api/v1/imports/{}/report.xlsx", record.id),
        import: record,
    }
}

/// One import: when, by whom, what was stored, and its report.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "figures",
    responses((status = 200, body = ImportResponse), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(id): UrlPath<Id>,
) -> ApiResult<Json<ImportResponse>> {
    Ok(Json(response(
        state.store.get_import(&caller.actor(), id).await?,
    )))
}

/// The report of an import as CSV (UTF-8 with BOM): one line per problem, with line, column and reason.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report.csv", tag = "figures",
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn report_csv(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(id): UrlPath<Id>,
) -> ApiResult<Response> {
    let record = state.store.get_import(&caller.actor(), id).await?;
    let out = imports::report_csv(&record).await?;
    Ok(attachment(
        out,
        "text/csv; charset=utf-8",
        &format!("import-{id}-report.csv"),
    ))
}

/// The report of an import as an XLSX workbook, with a summary sheet.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report.xlsx", tag = "figures",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn report_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(id): UrlPath<Id>,
) -> ApiResult<Response> {
    let record = state.store.get_import(&caller.actor(), id).await?;
    let bytes = imports::report_xlsx(&record).await?;
    Ok(attachment(bytes, XLSX, &format!("import-{id}-report.xlsx")))
}

/// A blank template for a layout: `long`, `wide_by_month` or `wide_by_indicator`, as `.csv` or `.xlsx`.
#[utoipa::path(get, path = "/api/v1/imports/templates/{file}", tag = "figures",
    params(("file" = String, Path, description = "layout and kind, e.g. long.csv, wide_by_month.xlsx")),
    responses((status = 200, body = Vec<u8>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn template(_caller: Caller, UrlPath(file): UrlPath<String>) -> ApiResult<Response> {
    let (layout, kind) = file
        .rsplit_once('.')
        .ok_or_else(|| ApiError::NotFound(format!("no template {file}")))?;
    let layout: Layout = serde_json::from_value(serde_json::Value::String(layout.to_string()))
        .map_err(|_| {
            ApiError::NotFound(format!(
                "no layout {layout}; use long, wide_by_month or wide_by_indicator"
            ))
        })?;
    let format = match kind {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        _ => {
            return Err(ApiError::NotFound(format!(
                "no template {file}; use .csv or .xlsx"
            )));
        }
    };
    let template = imports::template(layout, format).await?;
    Ok(attachment(template.bytes, template.content_type, &file))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(get))
        .routes(routes!(report_csv))
        .routes(routes!(report_xlsx))
        .routes(routes!(template))
}
