//! Lists as files and the scheduling report (调度会), served over HTTP; the report and the files are built by
//! `chainpark_app::reports` and `chainpark_app::exports`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chainpark_app::exports::{ExportFormat, Sheet, write_sheets};
use chainpark_app::reports::{SchedulingQuery, file_stem, report_sheets, scheduling_report};
use chainpark_core::workflow::report::SchedulingReport;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::download::attachment;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};
use chainpark_core::parkops::report_mail::{ReportSchedule, ReportScheduleInput};

/// Serves sheets as a download: CSV takes the first sheet, XLSX all of them, written off the async threads.
pub async fn download(
    format: ExportFormat,
    stem: &str,
    sheets: Vec<Sheet>,
) -> Result<Response, ApiError> {
    let file = write_sheets(format, sheets).await?;
    Ok(attachment(
        file.bytes,
        file.content_type,
        &format!("{stem}.{}", file.extension),
    ))
}

/// The scheduling report of a chain or a park for a month, as JSON or (`format=xlsx`) a workbook: figures January
/// to the month with year-on-year change, projects by stage with what moved and what is overdue, appeals (and a
/// park's work orders) open and overdue at the month's end. Leaders, analysts, the admin, and the chain's or park's
/// own people.
#[utoipa::path(get, path = "/api/v1/reports/scheduling", tag = "reports", params(SchedulingQuery),
    responses((status = 200, body = SchedulingReport), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn scheduling(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SchedulingQuery>,
) -> ApiResult<Response> {
    let report =
        scheduling_report(state.store.as_ref(), &state.disclosure, &caller.actor(), &q).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("xlsx") => {
            download(
                ExportFormat::Xlsx,
                &file_stem(&report),
                report_sheets(&report),
            )
            .await
        }
        Some(other) => Err(ApiError::bad_field(
            "format",
            format!("'{other}' is not json or xlsx"),
        )),
    }
}

/// The schedules of the parks' monthly reports (the admin's).
#[utoipa::path(get, path = "/api/v1/report-schedules", tag = "reports",
    responses((status = 200, body = Vec<ReportSchedule>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_schedules(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ReportSchedule>>> {
    Ok(Json(
        state.store.list_report_schedules(&caller.actor()).await?,
    ))
}

/// Schedules a park's monthly report (the scheduling report of the park as a workbook) to be mailed to the park's
/// chief on `day_of_month` (1–28) of every month, for the month before: the admin's. One schedule a park (409).
#[utoipa::path(post, path = "/api/v1/report-schedules", tag = "reports", request_body = ReportScheduleInput,
    responses((status = 201, body = ReportSchedule), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ReportScheduleInput>,
) -> ApiResult<impl IntoResponse> {
    let input = input.parse()?;
    let created = state
        .store
        .create_report_schedule(&caller.actor(), input, state.clock.now())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(created)))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scheduling))
        .routes(routes!(list_schedules, create_schedule))
}
