//! Meter readings from a file (the third way in, with MQTT and the JSON API): a CSV or XLSX of meter code,
//! instant and amount, read with the import's encodings and hostile-file limits, all or nothing.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chainpark_app::meters::{IngestReport, ingest};
use chainpark_core::error::{FieldError, Invalid};
use chainpark_core::list::Paging;
use chainpark_import::readings::readings_from_table;
use chainpark_import::table::read_table;
use chainpark_store::parkops::MeterFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::file_import::{SentFile, import_file};
use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use crate::{AppState, Caller};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadingsFileQuery {
    /// The file's name; `.xlsx` reads it as a workbook, anything else as CSV.
    pub filename: Option<String>,
    /// The worksheet to read from an XLSX workbook (default: the first visible one).
    pub sheet: Option<String>,
}

/// Readings from a CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX file sent as the body: columns 表号/meter, 时间/t
/// (China time such as `2026-06-15 10:00`, or RFC 3339) and 读数/value. Every bad row is named by its line and
/// column and nothing is stored (422); a reading already held is ignored; a meter the caller may not send
/// readings for refuses the file (403). The readings are then judged by the alarm rules, like any others.
#[utoipa::path(post, path = "/api/v1/meter-readings/file", tag = "park operations", params(ReadingsFileQuery),
    request_body(description = "the file, as the body", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = IngestReport), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReadingsFileQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let actor = caller.actor();
    let store = &state.store;
    let now = state.clock.now();
    import_file(
        &state,
        SentFile {
            name: q.filename.as_deref(),
            sheet: q.sheet,
            headers: &headers,
            body,
        },
        |file| async move {
            let table = read_table(&file.bytes, file.xlsx, &file.options)
                .map_err(|e| Invalid::field("file", e.to_string()))?;
            let meters: HashMap<String, i64> = store
                .list_meters(&actor, &MeterFilter::default(), &Paging::all())
                .await?
                .items
                .into_iter()
                .filter(|m| !m.archived && !m.is_virtual())
                .map(|m| (m.code, m.id))
                .collect();
            let readings = readings_from_table(&table, &meters).map_err(|errors| {
                Invalid(
                    errors
                        .into_iter()
                        .map(|e| FieldError {
                            field: format!("line {} · {}", e.line, e.column),
                            message: e.message,
                        })
                        .collect(),
                )
            })?;
            Ok(ingest(store, &actor, &readings, now).await?)
        },
    )
    .await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload))
}
