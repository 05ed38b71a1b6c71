//! The land import page (地块与租赁导入): the admin, or a park's chief or staff for their park, chooses a parcel or
//! lease file (CSV or XLSX) and sends it as a form; the page answers with what was stored (created, changed,
//! unchanged) or — a file with any bad row stores nothing — every bad row's line, column and reason. The same use
//! case as `POST /api/v1/land-parcels/import` and `POST /api/v1/leases/import`.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use chainpark_app::assessment::{LandFile, LandFileOutcome, import_land_file};
use chainpark_import::{ImportOptions, YearMonth};
use chainpark_store::StoreError;
use chrono::Datelike;
use futures_util::StreamExt;

use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;

/// The columns of each file, as the page lists them (Chinese header, English header, required).
const PARCEL_COLUMNS: &[(&str, &str, bool)] = &[
    ("地块编号", "code", true),
    ("园区编码", "park_code", true),
    ("权利人统一社会信用代码", "holder_credit_code", false),
    ("面积（亩）", "area_mu", true),
    ("用途", "land_use", true),
    ("起始日期", "valid_from", true),
    ("终止日期", "valid_to", false),
    ("轮廓", "outline", false),
];

const LEASE_COLUMNS: &[(&str, &str, bool)] = &[
    ("合同编号", "code", true),
    ("承租企业统一社会信用代码", "tenant_credit_code", true),
    ("园区编码", "park_code", true),
    ("单元", "unit_id", false),
    ("面积（平方米）", "area_m2", true),
    ("月租金（元）", "monthly_rent_yuan", false),
    ("起始日期", "valid_from", true),
    ("终止日期", "valid_to", false),
];

/// One bad row of a refused file.
struct BadRow {
    line: u64,
    column: String,
    reason: String,
}

/// What the last file did.
enum Outcome {
    Stored {
        file: String,
        created: i64,
        changed: i64,
        unchanged: i64,
    },
    Refused {
        file: String,
        rows: Vec<BadRow>,
    },
    /// The file could not be read at all (empty, not a table, too large): the reason, beside the file field.
    Unreadable {
        file: String,
        reason: String,
    },
}

#[derive(Template)]
#[template(path = "land_import.html")]
struct LandPage {
    chrome: Chrome,
    allowed: bool,
    /// `parcels` or `leases`: the kind chosen last.
    kind: &'static str,
    parcel_columns: Vec<(&'static str, &'static str, bool)>,
    lease_columns: Vec<(&'static str, &'static str, bool)>,
    /// The file's name, and what was created, changed and left unchanged.
    stored: Option<(String, i64, i64, i64)>,
    /// The file's name and its bad rows.
    refused: Option<(String, Vec<BadRow>)>,
    /// "file: reason", shown beside the file field.
    unreadable: Option<String>,
}

fn page_of(viewer: &Viewer, kind: &'static str, outcome: Option<Outcome>) -> LandPage {
    let mut page = LandPage {
        chrome: viewer.chrome(viewer.t("land.title"), "assessment"),
        allowed: viewer.actor().scope.may_keep_any_land().is_ok(),
        kind,
        parcel_columns: PARCEL_COLUMNS.to_vec(),
        lease_columns: LEASE_COLUMNS.to_vec(),
        stored: None,
        refused: None,
        unreadable: None,
    };
    match outcome {
        Some(Outcome::Stored {
            file,
            created,
            changed,
            unchanged,
        }) => page.stored = Some((file, created, changed, unchanged)),
        Some(Outcome::Refused { file, rows }) => page.refused = Some((file, rows)),
        Some(Outcome::Unreadable { file, reason }) => {
            page.unreadable = Some(if file.is_empty() {
                reason
            } else {
                format!("{file}: {reason}")
            })
        }
        None => {}
    }
    page
}

/// The form; every signed-in account opens the page, which offers the form to those who keep land.
pub async fn page(viewer: Viewer) -> PageResult {
    Ok(render(page_of(&viewer, "parcels", None)))
}

/// The form's parts.
#[derive(Default)]
struct LandForm {
    csrf: String,
    kind: Option<String>,
    sheet: Option<String>,
    file_name: String,
    file: Option<Vec<u8>>,
}

/// Reads the multipart form: `csrf`, `kind`, `sheet` and at most `max` bytes of `file`.
async fn read_form(request: Request, max: u64) -> Result<LandForm, String> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = multer::parse_boundary(&content_type)
        .map_err(|e| format!("not a usable multipart form: {e}"))?;
    let body: Body = request.into_body();
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(max.saturating_add(64 << 10))
            .for_field("file", max)
            .for_field("csrf", 256)
            .for_field("kind", 32)
            .for_field("sheet", 1024),
    );
    let mut multipart =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut form = LandForm::default();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| format!("the form is broken: {e}"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                bytes.extend_from_slice(&chunk.map_err(|e| format!("the file broke off: {e}"))?);
            }
            form.file = Some(bytes);
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| format!("the form is broken: {e}"))?;
        match name.as_str() {
            "csrf" => form.csrf = text,
            "kind" => form.kind = Some(text),
            "sheet" => form.sheet = Some(text).filter(|s| !s.trim().is_empty()),
            _ => {}
        }
    }
    Ok(form)
}

/// Imports the chosen file and shows what it did, on the same page.
pub async fn import(State(state): State<AppState>, request: Request) -> PageResult {
    let headers = request.headers().clone();
    let uri = request.uri().clone();
    let max = state.import_limits.max_upload_bytes;
    let form = match read_form(request, max).await {
        Ok(form) => form,
        Err(reason) => {
            return Err(super::PageError {
                lang: super::i18n::Lang::negotiate(uri.query(), &headers),
                error: ApiError::bad_field("file", reason),
                chrome: None,
            });
        }
    };
    let viewer = match Viewer::for_form(&state, &headers, uri, &form.csrf).await {
        Ok(viewer) => viewer,
        Err(response) => return Ok(response),
    };
    viewer
        .actor()
        .scope
        .may_keep_any_land()
        .map_err(|e| viewer.fail(StoreError::from(e)))?;
    let (kind, which) = match form.kind.as_deref() {
        Some("leases") => ("leases", LandFile::Leases),
        _ => ("parcels", LandFile::Parcels),
    };
    let file_name = form.file_name.clone();
    let Some(bytes) = form.file.filter(|b| !b.is_empty()) else {
        let outcome = Outcome::Unreadable {
            file: file_name,
            reason: viewer.t("land.no_file").to_string(),
        };
        return Ok(render(page_of(&viewer, kind, Some(outcome))));
    };
    let today = state.clock.today();
    let latest = YearMonth::new(today.year().max(0).unsigned_abs(), today.month())
        .map_err(|e| viewer.fail(StoreError::Corrupt(format!("today is not a month: {e}"))))?;
    let mut options = ImportOptions::new(latest);
    options.limits = state.import_limits.clone();
    options.sheet = form.sheet;
    let xlsx = file_name.to_ascii_lowercase().ends_with(".xlsx");
    let outcome = match import_land_file(
        state.store.as_ref(),
        viewer.actor(),
        which,
        &bytes,
        xlsx,
        &options,
    )
    .await
    {
        Ok(LandFileOutcome::Stored { import }) => Outcome::Stored {
            file: file_name,
            created: import.created,
            changed: import.changed,
            unchanged: import.unchanged,
        },
        Ok(LandFileOutcome::Refused { errors }) => Outcome::Refused {
            file: file_name,
            rows: errors
                .into_iter()
                .map(|e| BadRow {
                    line: e.line,
                    column: e.column,
                    reason: e.message,
                })
                .collect(),
        },
        Err(chainpark_app::error::AppError::BadField { message, .. }) => Outcome::Unreadable {
            file: file_name,
            reason: message,
        },
        Err(e) => return Err(viewer.fail(e)),
    };
    let refused = !matches!(outcome, Outcome::Stored { .. });
    let page = render(page_of(&viewer, kind, Some(outcome)));
    Ok(if refused {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page
    })
}
