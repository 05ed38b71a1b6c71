//! Importing monthly enterprise indicators from spreadsheets: `POST /api/v1/imports` takes the file as the raw
//! request body (`Content-Type` of CSV, XLSX or `application/octet-stream`; `?filename=` names it) or as the part
//! `file` of a `multipart/form-data` upload (`curl -F file=@figures.xlsx`), and answers the row-by-row report; the report of any import is downloadable as CSV or XLSX, and each layout has a template.
//! [`run_import`] is the one import path: the command line's `chainpark import` calls it too.
//!
//! The body is spooled to a file in the spool folder (so memory stays bounded whatever the size, and XLSX can seek),
//! refused with 413 past `max_upload_bytes`, then parsed on a blocking thread that streams accepted values to the
//! store in batches, inside one transaction. All-or-nothing by default: one bad row and nothing is stored; with
//! `accept_valid=true` the good rows are. A workbook is read from its first visible sheet, or the one `sheet` names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::figures::{may_import_figures, may_report_figures_of};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::time::Clock;
use chainpark_import::{
    Catalogue, ImportError, ImportLimits, ImportOptions, ImportReport, Importer, Layout,
    Problem as RowProblem, RowError, YearMonth,
};
use chainpark_store::figures::{FigureValue, ImportMessage, ImportRecord};
use chainpark_store::prelude::*;
use chainpark_store::{Actor, StoreError};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

/// Values sent to the store in one message.
const BATCH: usize = 20_000;

/// Bytes a form may hold besides its file: boundaries, part headers and the short text parts.
const FORM_OVERHEAD: u64 = 64 << 10;

/// What an import answers: the stored record (with the parser's report) and where to download the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub import: ImportRecord,
    pub report_csv: String,
    pub report_xlsx: String,
}

/// How an import ended when it could not even be read (not a spreadsheet, empty, no header...).
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{0}")]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the import was interrupted: {0}")]
    Interrupted(String),
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

/// The import crate's catalogue built from the store's, with the store id of each of its indicators. A catalogue
/// that cannot be read (two indicators sharing a name, stored before names were checked) refuses the import with
/// a conflict naming the name, never a server error; `chainpark check` reports it too.
fn catalogue(
    indicators: &[chainpark_core::figures::Indicator],
) -> Result<(Catalogue, Vec<Id>), StoreError> {
    let catalogue = Catalogue::from_indicators(indicators).map_err(|e| {
        StoreError::conflict(
            "indicators",
            format!(
                "the indicator catalogue cannot be read, so no file can be imported until an admin fixes it with \
                 PATCH /api/v1/indicators/{{code}}: {e}"
            ),
        )
    })?;
    Ok((catalogue, indicators.iter().map(|i| i.id).collect()))
}

/// The latest month a value may be for: the month of `today` (a China date).
pub fn current_month(today: chrono::NaiveDate) -> YearMonth {
    use chrono::Datelike;
    YearMonth::new(today.year() as u32, today.month())
        .unwrap_or_else(|_| YearMonth::new(2999, 12).expect("valid"))
}

/// How one import runs: the user's choices and the configured limits.
#[derive(Debug, Clone, Default)]
pub struct ImportSettings {
    /// Store the good rows even when some rows are bad (default: all or nothing).
    pub accept_valid: bool,
    /// The worksheet to read from a workbook; the first visible one when `None`.
    pub sheet: Option<String>,
    pub limits: ImportLimits,
    /// The day the import is judged on (values may be for its month at the latest); the application's clock gives
    /// it, the system clock when `None`.
    pub today: Option<chrono::NaiveDate>,
}

/// The one import path, for the API and the command line: reads `path` (named `file_name` by the user), checks
/// every row, streams the accepted values into one store transaction, and stores them when the file is clean
/// (or, with `accept_valid`, whatever was good). `progress` counts the bytes read so far.
pub async fn run_import(
    store: Arc<dyn Store>,
    actor: Actor,
    path: PathBuf,
    file_name: String,
    settings: ImportSettings,
    progress: Option<Arc<AtomicU64>>,
) -> Result<ImportRecord, ImportFailure> {
    let ImportSettings {
        accept_valid,
        sheet,
        limits,
        today,
    } = settings;
    let latest = current_month(today.unwrap_or_else(|| Clock::System.today()));
    may_import_figures(&actor.scope).map_err(StoreError::from)?;
    let indicators = store.list_indicators(&actor).await?;
    let (catalogue, indicator_ids) = catalogue(&indicators)?;
    let codes = store.enterprise_ids(&actor).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<ImportMessage>(4);
    let writer = {
        let store = store.clone();
        let actor = actor.clone();
        let file_name = file_name.clone();
        tokio::spawn(async move { store.import_figures(&actor, &file_name, receiver).await })
    };
    let scope = actor.scope.clone();
    let parse_sender = sender.clone();
    let parsed = tokio::task::spawn_blocking(move || -> Result<ImportReport, ImportFailure> {
        let max_listed = limits.max_listed_errors;
        let mut options = ImportOptions::new(latest);
        options.sheet = sheet;
        options.limits = limits;
        let importer = Importer::new(&catalogue, options);
        // Rows of enterprises that take no figures from this account (another enterprise's, an archived one):
        // enterprise id → credit code and why.
        let foreign: RefCell<HashMap<i64, (String, Refusal)>> = RefCell::new(HashMap::new());
        let mut denied = DeniedRows::new(max_listed);
        let mut batch = Vec::with_capacity(BATCH);
        let mut closed = false;
        let resolve = |code: &chainpark_core::credit_code::CreditCode| {
            let enterprise = codes.get(code.as_str()).copied()?;
            let refusal = if !may_report_figures_of(&scope, enterprise.id) {
                Some(Refusal::NotOwn)
            } else if enterprise.archived {
                Some(Refusal::Archived)
            } else {
                None
            };
            if let Some(refusal) = refusal {
                foreign
                    .borrow_mut()
                    .insert(enterprise.id, (code.as_str().to_string(), refusal));
            }
            Some(enterprise.id)
        };
        let mut sink = |v: chainpark_import::IndicatorValue| {
            if foreign.borrow().contains_key(&v.enterprise_id) {
                denied.note(v.line, v.enterprise_id);
                return ControlFlow::Continue(());
            }
            let Some(month) = Month::new(v.period.year() as i32, v.period.month()) else {
                return ControlFlow::Continue(());
            };
            batch.push(FigureValue {
                enterprise_id: v.enterprise_id,
                indicator_id: indicator_ids[v.indicator.index()],
                month,
                value: v.value,
            });
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if parse_sender
                    .blocking_send(ImportMessage::Values(full))
                    .is_err()
                {
                    closed = true;
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        };
        let file = std::fs::File::open(&path).map_err(ImportError::Io)?;
        let reader = CountingReader {
            inner: file,
            progress,
            position: 0,
        };
        let report = importer.read_named(
            std::io::BufReader::with_capacity(1 << 16, reader),
            &file_name,
            resolve,
            &mut sink,
        );
        let mut report = report?;
        if closed {
            return Err(ImportFailure::Interrupted(
                "the store stopped taking values".into(),
            ));
        }
        if !batch.is_empty()
            && parse_sender
                .blocking_send(ImportMessage::Values(batch))
                .is_err()
        {
            return Err(ImportFailure::Interrupted(
                "the store stopped taking values".into(),
            ));
        }
        denied.add_to(&mut report, &foreign.borrow());
        Ok(report)
    })
    .await
    .map_err(|e| ImportFailure::Interrupted(e.to_string()))?;
    let report = match parsed {
        Ok(report) => report,
        Err(failure) => {
            drop(sender);
            // The store sees the channel close without `Finish` and rolls back. When the store stopped first
            // (a refused value, a database error), its error is the one to report.
            let stored = writer.await;
            return match (failure, stored) {
                (ImportFailure::Interrupted(_), Ok(Err(store_error))) => Err(store_error.into()),
                (failure, _) => Err(failure),
            };
        }
    };
    let store_it = report.is_clean() || (accept_valid && !report.stopped_early);
    let report_json =
        serde_json::to_value(&report).map_err(|e| ImportFailure::Interrupted(e.to_string()))?;
    sender
        .send(ImportMessage::Finish {
            store: store_it,
            report: report_json,
        })
        .await
        .map_err(|_| ImportFailure::Interrupted("the store stopped taking values".into()))?;
    drop(sender);
    let record = writer
        .await
        .map_err(|e| ImportFailure::Interrupted(e.to_string()))??;
    Ok(record)
}

/// Why the rows of an enterprise are refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// Another enterprise than the account's own.
    NotOwn,
    /// An archived enterprise: it takes no new figures.
    Archived,
}

/// Rows of enterprises that take no figures from this account (other enterprises than the account's own, archived
/// ones): rejected, one problem per row naming the enterprise, and their values dropped. The first ones are listed
/// (as many as the report lists problems); the others are only counted, so a file of millions of them keeps a small
/// report and a small memory.
struct DeniedRows {
    /// Line and enterprise of the first rows.
    listed: Vec<(u64, i64)>,
    max_listed: usize,
    rows: u64,
    values: u64,
    /// A row's values arrive one after another: the line of the last one tells a new row.
    last_line: Option<u64>,
}

impl DeniedRows {
    fn new(max_listed: usize) -> DeniedRows {
        DeniedRows {
            listed: Vec::new(),
            max_listed,
            rows: 0,
            values: 0,
            last_line: None,
        }
    }

    fn note(&mut self, line: u64, enterprise: i64) {
        self.values += 1;
        if self.last_line == Some(line) {
            return;
        }
        self.last_line = Some(line);
        self.rows += 1;
        if self.listed.len() < self.max_listed {
            self.listed.push((line, enterprise));
        }
    }

    /// Adds the rows to the report: counted, and the first ones listed among its problems in line order.
    fn add_to(self, report: &mut ImportReport, codes: &HashMap<i64, (String, Refusal)>) {
        report.values_accepted = report.values_accepted.saturating_sub(self.values);
        for (line, enterprise) in self.listed {
            let Some((code, refusal)) = codes.get(&enterprise).cloned() else {
                continue;
            };
            let (problem, reason, reason_zh) = match refusal {
                Refusal::NotOwn => (
                    RowProblem::UnknownCreditCode,
                    format!(
                        "{code} is not one of this account's enterprises: an enterprise account may import only its own rows"
                    ),
                    format!("{code} 不是本账号所属企业：企业账号只能导入本企业的数据"),
                ),
                Refusal::Archived => (
                    RowProblem::ArchivedEnterprise,
                    format!("enterprise {code} is archived and takes no new figures"),
                    format!("企业 {code} 已归档，不再接收新数据"),
                ),
            };
            report.errors.push(RowError {
                line,
                column: "统一社会信用代码 credit code".into(),
                column_letter: String::new(),
                problem,
                cell: code,
                reason,
                reason_zh,
                first_line: None,
            });
        }
        report.rows_rejected += self.rows;
        report.error_count += self.rows;
        report.errors.sort_by_key(|e| e.line);
        report.errors.truncate(self.max_listed);
    }
}

/// Counts the bytes read, for a progress bar: the furthest position read to, so the second reading of a file with
/// repeated rows (to name their first lines) never counts past the file's size nor moves the bar back.
struct CountingReader<R> {
    inner: R,
    progress: Option<Arc<AtomicU64>>,
    /// Where the next read starts.
    position: u64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        if let Some(p) = &self.progress {
            p.fetch_max(self.position, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl<R: std::io::Seek> std::io::Seek for CountingReader<R> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(pos)?;
        Ok(self.position)
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
    let settings = ImportSettings {
        accept_valid: q.accept_valid || upload.accept_valid,
        sheet: q.sheet.or(upload.sheet).filter(|s| !s.trim().is_empty()),
        limits: state.import_limits.clone(),
        today: Some(state.clock.today()),
    };
    let record = run_import(
        state.store.clone(),
        actor,
        spool.path().to_path_buf(),
        file_name,
        settings,
        None,
    )
    .await?;
    let status = if record.stored {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(response(record))).into_response())
}

fn spool_error(e: std::io::Error) -> ApiError {
    ApiError::Store(StoreError::Corrupt(format!("spooling the upload: {e}")))
}

fn upload_too_large(max: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "the upload is larger than {max} bytes (limit max_upload_bytes = {max}; 上传文件超过 {max} 字节)"
    ))
}

/// Writes a stream of chunks to the spool file, never holding more than one chunk, and stops past `max` bytes.
async fn spool_stream<S, B, E>(mut stream: S, path: &Path, max: u64) -> ApiResult<()>
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

fn stored_report(record: &ImportRecord) -> ApiResult<ImportReport> {
    serde_json::from_value(record.report.clone()).map_err(|e| {
        ApiError::Store(StoreError::Corrupt(format!(
            "report of import {}: {e}",
            record.id
        )))
    })
}

/// A file to download under `name`.
pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Writes a report file on a blocking thread, so a long report does not hold up the server's other answers.
async fn blocking<E: std::fmt::Display + Send + 'static>(
    write: impl FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
) -> ApiResult<Vec<u8>> {
    let corrupt = |e: String| ApiError::Store(StoreError::Corrupt(e));
    tokio::task::spawn_blocking(write)
        .await
        .map_err(|e| corrupt(e.to_string()))?
        .map_err(|e| corrupt(e.to_string()))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The report of an import as CSV (UTF-8 with BOM): one line per problem, with line, column and reason.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report.csv", tag = "figures",
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn report_csv(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(id): UrlPath<Id>,
) -> ApiResult<Response> {
    let record = state.store.get_import(&caller.actor(), id).await?;
    let report = stored_report(&record)?;
    let out = blocking(move || {
        let mut out = Vec::new();
        report.write_csv(&mut out).map(|()| out)
    })
    .await?;
    Ok(download(
        out,
        "text/csv; charset=utf-8",
        format!("import-{id}-report.csv"),
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
    let report = stored_report(&record)?;
    let bytes = blocking(move || report.to_xlsx()).await?;
    Ok(download(bytes, XLSX, format!("import-{id}-report.xlsx")))
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
    match kind {
        "csv" => Ok(download(
            chainpark_import::template_csv(layout).into_bytes(),
            "text/csv; charset=utf-8",
            file.clone(),
        )),
        "xlsx" => Ok(download(
            chainpark_import::template_xlsx(layout),
            XLSX,
            file.clone(),
        )),
        _ => Err(ApiError::NotFound(format!(
            "no template {file}; use .csv or .xlsx"
        ))),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(get))
        .routes(routes!(report_csv))
        .routes(routes!(report_xlsx))
        .routes(routes!(template))
}
