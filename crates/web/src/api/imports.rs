//! Importing monthly enterprise indicators from spreadsheets: `POST /api/v1/imports` takes the file as the raw
//! request body (`Content-Type` of CSV, XLSX or `application/octet-stream`; `?filename=` names it) or as the part
//! `file` of a `multipart/form-data` upload (`curl -F file=@figures.xlsx`), and answers the row-by-row report; the report of any import is downloadable as CSV or XLSX, and each layout has a template.
//! [`run_import`] is the one import path: the command line's `chainpark import` calls it too.
//!
//! The body is spooled to a temporary file (so memory stays bounded whatever the size, and XLSX can seek), then
//! parsed on a blocking thread that streams accepted values to the store in batches, inside one transaction.
//! All-or-nothing by default: one bad row and nothing is stored; with `accept_valid=true` the good rows are.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
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
use chainpark_import::{
    Aggregation as ImportAggregation, BaseUnit, Catalogue, ImportError, ImportOptions,
    ImportReport, Importer, IndicatorDef, Layout, Problem as RowProblem, RowError, YearMonth,
};
use chainpark_store::figures::{FigureValue, ImportMessage, ImportRecord};
use chainpark_store::{Actor, Store, StoreError};
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
            ImportFailure::File(e) => ApiError::Invalid(chainpark_core::error::Invalid::field(
                "file",
                format!("{e} ({}; {})", e.code(), e.message_zh()),
            )),
            ImportFailure::Store(e) => ApiError::Store(e),
            ImportFailure::Interrupted(e) => ApiError::Store(StoreError::Corrupt(e)),
        }
    }
}

/// The import crate's catalogue built from the store's, with the store id of each of its indicators.
fn catalogue(
    indicators: &[chainpark_core::figures::Indicator],
) -> Result<(Catalogue, Vec<Id>), StoreError> {
    use chainpark_core::figures::{Aggregation, Unit};
    let defs = indicators
        .iter()
        .map(|i| IndicatorDef {
            code: i.code.clone(),
            name_zh: i.name_zh.clone(),
            // The parser wants every name non-empty; an indicator added without an English name goes by its code.
            name_en: if i.name_en.is_empty() {
                i.code.clone()
            } else {
                i.name_en.clone()
            },
            base_unit: match i.unit {
                Unit::Yuan => BaseUnit::Yuan,
                Unit::Person => BaseUnit::Person,
                Unit::TonneCoalEquivalent => BaseUnit::TonneCoalEquivalent,
                Unit::KilowattHour => BaseUnit::KilowattHour,
                Unit::Count => BaseUnit::Count,
            },
            aggregation: match i.aggregation {
                Aggregation::Sum => ImportAggregation::Sum,
                Aggregation::Last => ImportAggregation::Last,
            },
            allow_negative: i.allow_negative,
            aliases: i.aliases.clone(),
        })
        .collect();
    let catalogue = Catalogue::new(defs)
        .map_err(|e| StoreError::Corrupt(format!("indicator catalogue: {e}")))?;
    Ok((catalogue, indicators.iter().map(|i| i.id).collect()))
}

/// The latest month a value may be for: the current month in China.
pub fn current_month() -> YearMonth {
    use chrono::Datelike;
    let today = chainpark_core::time::china_date(chrono::Utc::now());
    YearMonth::new(today.year() as u32, today.month())
        .unwrap_or_else(|_| YearMonth::new(2999, 12).expect("valid"))
}

/// The one import path, for the API and the command line: reads `path` (named `file_name` by the user), checks
/// every row, streams the accepted values into one store transaction, and stores them when the file is clean
/// (or, with `accept_valid`, whatever was good). `progress` counts the bytes read so far.
pub async fn run_import(
    store: Arc<dyn Store>,
    actor: Actor,
    path: PathBuf,
    file_name: String,
    accept_valid: bool,
    progress: Option<Arc<AtomicU64>>,
) -> Result<ImportRecord, ImportFailure> {
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
        let importer = Importer::new(&catalogue, ImportOptions::new(current_month()));
        // Rows of enterprises this account may not report for: enterprise id → credit code, and their lines.
        let foreign: RefCell<HashMap<i64, String>> = RefCell::new(HashMap::new());
        let mut denied: BTreeSet<(u64, i64)> = BTreeSet::new();
        let mut batch = Vec::with_capacity(BATCH);
        let mut closed = false;
        let resolve = |code: &chainpark_core::credit_code::CreditCode| {
            let id = codes.get(code.as_str()).copied()?;
            if !may_report_figures_of(&scope, id) {
                foreign.borrow_mut().insert(id, code.as_str().to_string());
            }
            Some(id)
        };
        let mut sink = |v: chainpark_import::IndicatorValue| {
            if foreign.borrow().contains_key(&v.enterprise_id) {
                denied.insert((v.line, v.enterprise_id));
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
        add_denied_rows(&mut report, &denied, &foreign.borrow());
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

/// Rows of other enterprises than the account's own are rejected, one problem per row, and their values dropped.
fn add_denied_rows(
    report: &mut ImportReport,
    denied: &BTreeSet<(u64, i64)>,
    codes: &HashMap<i64, String>,
) {
    let mut lines = BTreeSet::new();
    for (line, enterprise) in denied {
        report.values_accepted = report.values_accepted.saturating_sub(1);
        if lines.insert(*line) {
            let code = codes.get(enterprise).cloned().unwrap_or_default();
            report.errors.push(RowError {
                line: *line,
                column: "统一社会信用代码 credit code".into(),
                column_letter: String::new(),
                problem: RowProblem::UnknownCreditCode,
                cell: code.clone(),
                reason: format!(
                    "{code} is not one of this account's enterprises: an enterprise account may import only its own rows"
                ),
                reason_zh: format!("{code} 不是本账号所属企业：企业账号只能导入本企业的数据"),
                first_line: None,
            });
        }
    }
    report.rows_rejected += lines.len() as u64;
    report.error_count += lines.len() as u64;
    report.errors.sort_by_key(|e| e.line);
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

/// A temporary file that is removed when dropped.
struct SpoolFile(PathBuf);

impl SpoolFile {
    fn new() -> SpoolFile {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "chainpark-import-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        );
        SpoolFile(std::env::temp_dir().join(name))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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
}

/// A `multipart/form-data` upload: the file in the part `file` (its file name is used when `filename` is not in
/// the query), and optionally `accept_valid` (`true`, `on` or `1`) and `filename` as text parts.
#[derive(ToSchema)]
pub struct ImportForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub accept_valid: Option<bool>,
    pub filename: Option<String>,
}

/// Imports monthly indicators from a CSV or XLSX file sent as the request body, or as the part `file` of a
/// multipart form. Answers 201 with the report when values were stored, 422 with the same report when nothing was
/// (a bad row without `accept_valid`).
#[utoipa::path(post, path = "/api/v1/imports", tag = "figures", params(ImportQuery),
    request_body(description = "the file: CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX, as the body or as a form part",
        content((Vec<u8> = "application/octet-stream"), (ImportForm = "multipart/form-data"))),
    responses((status = 201, body = ImportResponse), (status = 422, body = ImportResponse),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let actor = caller.actor();
    may_import_figures(&actor.scope).map_err(StoreError::from)?;
    let spool = SpoolFile::new();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let upload = if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        spool_form(content_type, body, spool.path()).await?
    } else {
        spool_stream(body.into_data_stream(), spool.path()).await?;
        FormUpload::default()
    };
    let file_name = q.filename.or(upload.filename).unwrap_or_default();
    let record = run_import(
        state.store.clone(),
        actor,
        spool.path().to_path_buf(),
        file_name,
        q.accept_valid || upload.accept_valid,
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

/// Writes a stream of chunks to the spool file, never holding more than one chunk.
async fn spool_stream<S, B, E>(mut stream: S, path: &Path) -> ApiResult<()>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut file = tokio::fs::File::create(path).await.map_err(spool_error)?;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_field("body", format!("the upload broke off: {e}")))?;
        file.write_all(chunk.as_ref()).await.map_err(spool_error)?;
    }
    file.flush().await.map_err(spool_error)?;
    Ok(())
}

/// What a form said besides the file.
#[derive(Default)]
struct FormUpload {
    filename: Option<String>,
    accept_valid: bool,
}

/// Reads a multipart form: the part `file` streams to the spool file; `accept_valid` and `filename` are short text
/// parts; any other part, a second file or no file at all is refused, naming the part.
async fn spool_form(content_type: &str, body: Body, path: &Path) -> ApiResult<FormUpload> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| {
        ApiError::bad_field("content-type", format!("not a usable multipart form: {e}"))
    })?;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .for_field("accept_valid", 16)
            .for_field("filename", 1024),
    );
    let mut form =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let broken = |e: multer::Error| ApiError::bad_field("body", format!("the form is broken: {e}"));
    let mut upload = FormUpload::default();
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" if !has_file => {
                has_file = true;
                upload.filename = upload.filename.or(field.file_name().map(str::to_string));
                spool_stream(field, path).await?;
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
            other => {
                return Err(ApiError::bad_field(
                    other,
                    "this form takes only the parts file, accept_valid and filename",
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
