//! Per-mu evaluation (亩均效益评价): land parcels and leases (listed, imported from CSV or XLSX under the import
//! limits), evaluation schemes in versions (a used version is never changed: 409), runs of a year under a scheme
//! version with every firm's result, the differences from the run before, and the class lists per park and chain
//! (JSON or XLSX). Who reaches which result is the policy's `Kind::AssessmentResult`; the store applies it.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_app::assessment::{self as assess, LandFile, LandFileOutcome, RunOutcome, presets};
use chainpark_app::exports::{Cell, ExportFormat, Sheet};
use chainpark_app::scorecards::{CardPeriod, Peers, Scorecards, scorecard_sheet};
use chainpark_core::assessment::evaluate::FirmChange;
use chainpark_core::assessment::land::{LandParcel, Lease};
use chainpark_core::assessment::scheme::{Class, SchemeInput};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chainpark_store::StoreError;
use chainpark_store::assessment::{AssessmentRun, LandFilter, ResultFilter, Scheme, StoredResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::file_import::{SentFile, import_file};
use crate::api::reports::download;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, Caller};

/// Filters and paging of the parcel and lease lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LandQuery {
    pub park_id: Option<Id>,
    pub enterprise_id: Option<Id>,
    /// Only those in force on this day.
    pub on: Option<NaiveDate>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl LandQuery {
    fn filter(&self) -> LandFilter {
        LandFilter {
            park_id: self.park_id,
            enterprise_id: self.enterprise_id,
            on: self.on,
        }
    }

    fn paging(&self) -> Paging {
        Paging::new(self.limit, self.offset, None)
    }
}

/// The land parcels the caller reaches: its parks' (park chiefs and staff), its chains' firms' (chain chiefs and
/// task force), its own (enterprise users), all (readers of everything).
#[utoipa::path(get, path = "/api/v1/land-parcels", tag = "assessment", params(LandQuery),
    responses((status = 200, body = Page<LandParcel>)))]
pub async fn parcels(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LandQuery>,
) -> ApiResult<Json<Page<LandParcel>>> {
    Ok(Json(
        state
            .store
            .list_parcels(&caller.actor(), &q.filter(), &q.paging())
            .await?,
    ))
}

/// The leases of factory space the caller reaches, as for parcels.
#[utoipa::path(get, path = "/api/v1/leases", tag = "assessment", params(LandQuery),
    responses((status = 200, body = Page<Lease>)))]
pub async fn leases(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LandQuery>,
) -> ApiResult<Json<Page<Lease>>> {
    Ok(Json(
        state
            .store
            .list_leases(&caller.actor(), &q.filter(), &q.paging())
            .await?,
    ))
}

/// How a land file is sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LandFileQuery {
    /// The file's name: `.xlsx` is read as a workbook, anything else as CSV.
    pub filename: Option<String>,
    /// The worksheet of a workbook (default: the first visible one).
    pub sheet: Option<String>,
}

async fn import_land(
    state: AppState,
    caller: Caller,
    q: LandFileQuery,
    headers: HeaderMap,
    body: Body,
    kind: LandFile,
) -> ApiResult<Response> {
    let actor = caller.actor();
    // Refuse a caller who keeps no land before telling them what is wrong with their file.
    actor.scope.may_keep_any_land().map_err(StoreError::from)?;
    let store = state.store.as_ref();
    import_file(
        &state,
        SentFile {
            name: q.filename.as_deref(),
            sheet: q.sheet,
            headers: &headers,
            body,
        },
        |file| async move {
            Ok(
                assess::import_land_file(
                    store,
                    &actor,
                    kind,
                    &file.bytes,
                    file.xlsx,
                    &file.options,
                )
                .await?,
            )
        },
    )
    .await
}

/// Imports land parcels (地块编号, 园区编码, 权利人统一社会信用代码, 面积（亩）, 用途, 起始日期, 终止日期, 轮廓) from a CSV
/// or XLSX body: the admin, or a park's chief or staff for their park. A file with any bad row stores nothing and
/// answers 422 with every row's problem (line and column).
#[utoipa::path(post, path = "/api/v1/land-parcels/import", tag = "assessment", params(LandFileQuery),
    request_body(description = "the file", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = LandFileOutcome), (status = 422, body = LandFileOutcome),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub async fn import_parcels(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LandFileQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    import_land(state, caller, q, headers, body, LandFile::Parcels).await
}

/// Imports leases of factory space (合同编号, 承租企业统一社会信用代码, 园区编码, 单元, 面积（平方米）, 月租金（元）,
/// 起始日期, 终止日期), as for parcels.
#[utoipa::path(post, path = "/api/v1/leases/import", tag = "assessment", params(LandFileQuery),
    request_body(description = "the file", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = LandFileOutcome), (status = 422, body = LandFileOutcome),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub async fn import_leases(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LandFileQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    import_land(state, caller, q, headers, body, LandFile::Leases).await
}

/// Every scheme version, newest first within a code: the rules that grade a firm are public policy, read by every
/// signed-in account.
#[utoipa::path(get, path = "/api/v1/assessment/schemes", tag = "assessment",
    responses((status = 200, body = Vec<Scheme>)))]
pub async fn schemes(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Scheme>>> {
    Ok(Json(state.store.list_schemes(&caller.actor()).await?))
}

/// Where a new scheme comes from.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateSchemeQuery {
    /// The scheme version this one copies (kept as `based_on_id`).
    pub based_on: Option<Id>,
}

/// A new scheme under a new code (version 1), e.g. a copy of a preset or of another scheme (`based_on`): the
/// admin.
#[utoipa::path(post, path = "/api/v1/assessment/schemes", tag = "assessment", params(CreateSchemeQuery),
    request_body = SchemeInput,
    responses((status = 201, body = Scheme), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_scheme(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CreateSchemeQuery>,
    ApiJson(input): ApiJson<SchemeInput>,
) -> ApiResult<impl IntoResponse> {
    let created =
        assess::create_scheme(state.store.as_ref(), &caller.actor(), input, q.based_on).await?;
    let location = format!("/api/v1/assessment/schemes/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// The shipped presets: Chongqing's four core indicators and a Zhejiang-style six-indicator scheme, to copy.
#[utoipa::path(get, path = "/api/v1/assessment/presets", tag = "assessment",
    responses((status = 200, body = Vec<SchemeInput>)))]
pub async fn scheme_presets(_caller: Caller) -> Json<Vec<SchemeInput>> {
    Json(presets())
}

/// One scheme version, with its populations, indicators and the policy text of each class.
#[utoipa::path(get, path = "/api/v1/assessment/schemes/{id}", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = Scheme), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn scheme(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(state.store.get_scheme(&caller.actor(), id).await?))
}

/// Changes a scheme version no run has used (the admin). A used version answers 409 naming why: its results stay
/// reproducible, so a new version is made instead (`POST .../versions`).
#[utoipa::path(put, path = "/api/v1/assessment/schemes/{id}", tag = "assessment", params(("id" = i64, Path)),
    request_body = SchemeInput,
    responses((status = 200, body = Scheme), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn edit_scheme(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<SchemeInput>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(
        assess::edit_unused_scheme(state.store.as_ref(), &caller.actor(), id, input).await?,
    ))
}

/// The next version of a used scheme version (the admin): the rules sent, or the same rules when the body is empty,
/// to be edited before a run uses it. A version not yet used answers 409: it is changed in place.
#[utoipa::path(post, path = "/api/v1/assessment/schemes/{id}/versions", tag = "assessment", params(("id" = i64, Path)),
    request_body(content = Option<SchemeInput>, description = "the new version's rules; none to copy them unchanged"),
    responses((status = 201, body = Scheme), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn new_version(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let input: Option<SchemeInput> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(
            serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_field("body", format!("not a scheme: {e}")))?,
        )
    };
    let created =
        assess::new_scheme_version(state.store.as_ref(), &caller.actor(), id, input).await?;
    let location = format!("/api/v1/assessment/schemes/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// A run to start.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    pub scheme_id: Id,
    pub year: i32,
    /// The data vintage: figures as known at this instant (default: now).
    pub data_as_of: Option<DateTime<Utc>>,
}

/// Evaluates a year under a scheme version (the admin) and stores the run with every firm's result; a re-run of
/// the same version and year lists the firms whose inputs or results changed.
#[utoipa::path(post, path = "/api/v1/assessment/runs", tag = "assessment", request_body = RunInput,
    responses((status = 201, body = RunOutcome), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn start_run(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RunInput>,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now();
    let outcome = assess::run_assessment(
        state.store.as_ref(),
        &caller.actor(),
        input.scheme_id,
        input.year,
        input.data_as_of.unwrap_or(now),
        now,
    )
    .await?;
    let location = format!("/api/v1/assessment/runs/{}", outcome.run.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(outcome),
    ))
}

/// A run as the caller may read it: the summary (benchmarks, class counts, park and district results) is a zone
/// view, which an enterprise user does not get.
fn as_seen(caller: &Caller, mut run: AssessmentRun) -> AssessmentRun {
    if caller.actor.scope.may_see_zone_views().is_err() {
        run.summary = serde_json::Value::Null;
    }
    run
}

/// Every run, newest first: its scheme version, year, data vintage and (for those who see zone views) summary.
#[utoipa::path(get, path = "/api/v1/assessment/runs", tag = "assessment",
    responses((status = 200, body = Vec<AssessmentRun>)))]
pub async fn runs(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AssessmentRun>>> {
    let mut runs = state.store.list_runs(&caller.actor()).await?;
    runs.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(Json(
        runs.into_iter().map(|r| as_seen(&caller, r)).collect(),
    ))
}

/// One run, with the park and district results in its summary for those who see zone views.
#[utoipa::path(get, path = "/api/v1/assessment/runs/{id}", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = AssessmentRun), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<AssessmentRun>> {
    let run = state.store.get_run(&caller.actor(), id).await?;
    Ok(Json(as_seen(&caller, run)))
}

/// The firms whose inputs or results changed since the run this one repeats, among those the caller reaches.
#[utoipa::path(get, path = "/api/v1/assessment/runs/{id}/changes", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FirmChange>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<FirmChange>>> {
    Ok(Json(
        assess::run_changes(state.store.as_ref(), &caller.actor(), id).await?,
    ))
}

/// Which results to list: a park's or a chain's class list, one class.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResultQuery {
    pub park_id: Option<Id>,
    pub chain_id: Option<Id>,
    pub class: Option<Class>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ResultQuery {
    fn filter(&self) -> ResultFilter {
        ResultFilter {
            park_id: self.park_id,
            chain_id: self.chain_id,
            class: self.class,
        }
    }
}

/// The results of a run the caller reaches, best first within each population: the class list of a park or a
/// chain with `park_id` or `chain_id`.
#[utoipa::path(get, path = "/api/v1/assessment/runs/{id}/results", tag = "assessment",
    params(("id" = i64, Path), ResultQuery),
    responses((status = 200, body = Page<StoredResult>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<ResultQuery>,
) -> ApiResult<Json<Page<StoredResult>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state
            .store
            .run_results(&caller.actor(), id, &q.filter(), &paging)
            .await?,
    ))
}

/// The class list (A/B/C/D/T) of a run as a workbook: one row per firm the caller reaches, with its score, rank
/// and each indicator's value and points; `park_id` or `chain_id` for one park's or chain's list.
#[utoipa::path(get, path = "/api/v1/assessment/runs/{id}/results.xlsx", tag = "assessment",
    params(("id" = i64, Path), ResultQuery),
    responses((status = 200, description = "an XLSX workbook"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn results_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<ResultQuery>,
) -> ApiResult<Response> {
    let actor = caller.actor();
    let run = state.store.get_run(&actor, id).await?;
    let page = state
        .store
        .run_results(&actor, id, &q.filter(), &Paging::all())
        .await?;
    let sheet = class_list_sheet(&run, &page.items);
    download(
        ExportFormat::Xlsx,
        &format!("assessment_{}_{}", run.year, run.id),
        vec![sheet],
    )
    .await
}

/// Hundredths (of a point, of a mu) as a decimal text (7345 → "73.45").
pub fn centi_text(centi: i64) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", centi.abs() / 100, centi.abs() % 100)
}

/// The class list of a run as a sheet: firm, population, class, rank, score, then value and points per indicator.
pub fn class_list_sheet(run: &AssessmentRun, items: &[StoredResult]) -> Sheet {
    let mut sheet = Sheet::new(
        &format!("亩均评价 {} Assessment", run.year),
        &[
            "统一社会信用代码 credit code",
            "企业 enterprise",
            "评价对象 population",
            "类别 class",
            "排名 rank",
            "参评数 ranked among",
            "得分 score",
            "指标 indicators",
            "说明 exemption",
        ],
    );
    for r in items {
        let indicators = r
            .detail
            .items
            .iter()
            .map(|i| {
                format!(
                    "{}: {} / {} → {}",
                    i.code,
                    i.value.as_deref().unwrap_or("—"),
                    i.benchmark,
                    centi_text(i.points_centi)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        sheet.rows.push(vec![
            r.credit_code.clone().into(),
            r.enterprise_name.clone().into(),
            r.detail.population.clone().into(),
            r.class.as_str().into(),
            r.detail.rank.into(),
            Cell::Int(r.detail.ranked_among),
            centi_text(r.detail.score_centi).into(),
            indicators.into(),
            r.detail.exemption.clone().into(),
        ]);
    }
    sheet
}

/// One firm's result in a run with how each point was computed (value, benchmark, weight, cap, points): the
/// enterprise's own user, its chain's and park's officers, the readers of everything; anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/assessment/runs/{id}/results/{enterprise_id}", tag = "assessment",
    params(("id" = i64, Path), ("enterprise_id" = i64, Path)),
    responses((status = 200, body = StoredResult), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn firm_result(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, enterprise_id)): Path<(Id, Id)>,
) -> ApiResult<Json<StoredResult>> {
    Ok(Json(
        state
            .store
            .firm_result(&caller.actor(), id, enterprise_id)
            .await?,
    ))
}

/// Which scorecards: the period and the format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScorecardQuery {
    /// A year (`2022`) or January to a month (`2022-06`).
    pub period: String,
    /// json (default) or xlsx.
    pub format: Option<ExportFormat>,
}

async fn scorecards_answer(
    state: &AppState,
    caller: &Caller,
    peers: Peers,
    q: ScorecardQuery,
) -> ApiResult<Response> {
    let period = CardPeriod::parse(&q.period)?;
    let version = state.cache.version();
    let cards = state
        .scorecards
        .scorecards(
            state.store.as_ref(),
            &state.disclosure,
            &caller.actor(),
            peers,
            period,
            version,
        )
        .await?;
    match q.format {
        Some(ExportFormat::Xlsx) => {
            let stem = match peers {
                Peers::Chains => "chain_scorecards",
                Peers::Parks => "park_scorecards",
            };
            download(
                ExportFormat::Xlsx,
                &format!("{stem}_{}", cards.period),
                vec![scorecard_sheet(&cards)],
            )
            .await
        }
        _ => Ok(Json(cards).into_response()),
    }
}

/// The chain chiefs' scorecards for a period, ranked by the efficacy-coefficient method: output and its growth,
/// completeness, project progress, appeals on time and satisfaction. Leaders, analysts and the admin see every
/// card; a chain's chiefs and task force their own card whole and the others' totals and ranks.
#[utoipa::path(get, path = "/api/v1/scorecards/chains", tag = "assessment", params(ScorecardQuery),
    responses((status = 200, body = Scorecards), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn chain_scorecards(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ScorecardQuery>,
) -> ApiResult<Response> {
    scorecards_answer(&state, &caller, Peers::Chains, q).await
}

/// The park chiefs' scorecards for a period: per-mu added value of the latest evaluation, output growth, appeals
/// and work orders on time, transformation projects completed; shown as for the chains'.
#[utoipa::path(get, path = "/api/v1/scorecards/parks", tag = "assessment", params(ScorecardQuery),
    responses((status = 200, body = Scorecards), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn park_scorecards(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ScorecardQuery>,
) -> ApiResult<Response> {
    scorecards_answer(&state, &caller, Peers::Parks, q).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(parcels))
        .routes(routes!(import_parcels))
        .routes(routes!(leases))
        .routes(routes!(import_leases))
        .routes(routes!(schemes, create_scheme))
        .routes(routes!(scheme_presets))
        .routes(routes!(scheme, edit_scheme))
        .routes(routes!(new_version))
        .routes(routes!(runs, start_run))
        .routes(routes!(run))
        .routes(routes!(changes))
        .routes(routes!(results))
        .routes(routes!(results_xlsx))
        .routes(routes!(firm_result))
        .routes(routes!(chain_scorecards))
        .routes(routes!(park_scorecards))
}
