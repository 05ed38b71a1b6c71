//! The JSON API under `/api/v1`. Each object's module owns its routes; they are merged here, and the OpenAPI
//! document is collected from the same routes, so the document cannot forget an endpoint.

pub mod alerts;
pub mod appeals;
pub mod areas;
pub mod assessment;
pub mod audit;
pub mod chain_intel;
pub mod chains;
pub(crate) mod crud;
pub mod digital_economy;
pub mod enterprises;
pub mod figures;
pub(crate) mod file_import;
pub mod imports;
pub mod inbox;
pub mod links;
pub mod meter_files;
pub mod meters;
pub mod parks;
pub mod people;
pub mod policies;
pub mod posts;
pub mod projects;
pub mod reports;
pub mod safety;
pub mod segments;
pub mod session;
pub mod space;
pub mod targets;
pub mod transformation;
pub mod work_orders;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chainpark API",
        description = "The registry, figures and daily work of an economic development zone run by industry chains and parks."
    ),
    tags(
        (name = "registry", description = "Industry areas, chains and segments, people and posts, parks, enterprises"),
        (name = "access", description = "Signing in, API tokens and accounts"),
        (name = "figures", description = "Indicators, imports, roll-ups with year-on-year growth and shares, region figures"),
        (name = "audit", description = "Every change, with who made it and the values before and after"),
        (name = "assessment", description = "Per-mu evaluation: land parcels and leases, schemes in versions, runs with every firm's result and class"),
        (name = "park operations", description = "Buildings, units and their occupancy; meters and their readings (also over MQTT), roll-ups, alarms that open work orders, energy use; safety inspections and hazards"),
    )
)]
struct ApiDoc;

/// All API routes with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(areas::router())
        .merge(chains::router())
        .merge(segments::router())
        .merge(links::router())
        .merge(people::router())
        .merge(posts::router())
        .merge(parks::router())
        .merge(enterprises::router())
        .merge(audit::router())
        .merge(session::router())
        .merge(figures::router())
        .merge(digital_economy::router())
        .merge(imports::router())
        .merge(appeals::router())
        .merge(projects::router())
        .merge(transformation::router())
        .merge(work_orders::router())
        .merge(meters::router())
        .merge(space::router())
        .merge(safety::router())
        .merge(meter_files::router())
        .merge(inbox::router())
        .merge(alerts::router())
        .merge(reports::router())
        .merge(chain_intel::router())
        .merge(assessment::router())
        .merge(targets::router())
        .merge(policies::router())
}
