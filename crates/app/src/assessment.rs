//! Per-mu evaluation runs: gathering a year's inputs (firms, year totals as known at the data vintage, land and
//! leased space at the year's end), evaluating them under a scheme version (`chainpark_core::assessment`), adding
//! the park and district results, storing the run with every firm's result, and — for a re-run of the same scheme
//! version and year — listing what changed since the run before.

use std::collections::HashMap;

use chainpark_core::assessment::evaluate::{
    self, FirmChange, FirmInput, changes, evaluate as evaluate_year, group_results,
};
use chainpark_core::assessment::land::EvaluatedArea;
use chainpark_core::assessment::scheme::{
    SchemeBody, SchemeDraft, SchemeInput, chongqing_preset, zhejiang_preset,
};
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_store::assessment::{AssessmentRun, NewRun, ResultFilter, Scheme, YearInputs};
use chainpark_store::{Actor, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{AppError, AppResult};

/// The indicators summed for park and district results.
const GROUP_INDICATORS: [&str; 4] = ["added_value", "tax", "operating_revenue", "energy_use"];

/// A stored run and, for a re-run, the firms whose inputs or results changed since the run it repeats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunOutcome {
    pub run: AssessmentRun,
    pub changes: Vec<FirmChange>,
}

/// The evaluation's inputs for each firm of a year, with its park and district.
pub fn firm_inputs(
    inputs: &YearInputs,
    plot_ratio_centi: i64,
) -> Vec<(FirmInput, Option<Id>, String)> {
    inputs
        .firms
        .iter()
        .map(|f| {
            let (held, leased) = inputs.areas.get(&f.id).copied().unwrap_or_default();
            (
                FirmInput {
                    enterprise_id: f.id,
                    credit_code: f.credit_code.clone(),
                    industry_code: f.industry_code.clone(),
                    above_size: f.above_size,
                    founded_on: f.founded_on,
                    area: EvaluatedArea::new(held, leased, plot_ratio_centi),
                    figures: inputs.totals.get(&f.id).cloned().unwrap_or_default(),
                },
                f.park_id,
                f.district.clone(),
            )
        })
        .collect()
}

/// Evaluates `year` under scheme version `scheme_id` with figures as known at `as_of`, and stores the run. When
/// the same scheme version already evaluated that year, the new run names the latest such run as the one it
/// repeats and the answer lists the differences.
pub async fn run_assessment(
    store: &dyn Store,
    actor: &Actor,
    scheme_id: Id,
    year: i32,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<RunOutcome> {
    actor
        .scope
        .may_run_assessments()
        .map_err(chainpark_store::StoreError::from)?;
    let scheme = store.get_scheme(actor, scheme_id).await?;
    let body: &SchemeBody = &scheme.body;
    let this_year = store.year_inputs(actor, year, as_of).await?;
    let needs_last_year = body.populations.iter().any(|p| {
        p.indicators.iter().any(|r| {
            matches!(
                r.benchmark,
                chainpark_core::assessment::scheme::Benchmark::Average {
                    last_year: true,
                    ..
                }
            )
        })
    });
    let last_year = if needs_last_year {
        store.year_inputs(actor, year - 1, as_of).await?
    } else {
        YearInputs::default()
    };
    let firms = firm_inputs(&this_year, body.plot_ratio_centi);
    let before: Vec<FirmInput> = firm_inputs(&last_year, body.plot_ratio_centi)
        .into_iter()
        .map(|(f, _, _)| f)
        .collect();
    let inputs: Vec<FirmInput> = firms.iter().map(|(f, _, _)| f.clone()).collect();
    let evaluation = evaluate_year(body, year, &inputs, &before)
        .map_err(|e| AppError::bad_field("scheme_id", e.to_string()))?;
    let places: HashMap<Id, (Option<Id>, String)> = firms
        .iter()
        .map(|(f, park, district)| (f.enterprise_id, (*park, district.clone())))
        .collect();
    let parks = group_results(
        &inputs,
        &evaluation,
        &GROUP_INDICATORS,
        |f| {
            places
                .get(&f.enterprise_id)
                .and_then(|p| p.0)
                .map(|p| p.to_string())
        },
        |key| {
            key.parse::<Id>()
                .ok()
                .and_then(|p| this_year.park_land.get(&p).copied())
        },
    );
    let districts = group_results(
        &inputs,
        &evaluation,
        &GROUP_INDICATORS,
        |f| places.get(&f.enterprise_id).map(|p| p.1.clone()),
        |_| None,
    );
    let summary = serde_json::json!({
        "populations": evaluation.populations,
        "parks": parks,
        "districts": districts,
    });
    let previous = store
        .list_runs(actor)
        .await?
        .into_iter()
        .filter(|r| r.scheme_id == scheme_id && r.year == year)
        .max_by_key(|r| r.id);
    let previous_results = match &previous {
        Some(run) => store
            .run_results(actor, run.id, &ResultFilter::default(), &Paging::all())
            .await?
            .items
            .into_iter()
            .map(|r| r.detail)
            .collect(),
        None => Vec::new(),
    };
    let differences = if previous.is_some() {
        changes(&previous_results, &evaluation.results)
    } else {
        Vec::new()
    };
    let results = evaluation
        .results
        .into_iter()
        .map(|r| {
            let park = places.get(&r.enterprise_id).and_then(|p| p.0);
            (r, park)
        })
        .collect();
    let run = store
        .record_run(
            actor,
            NewRun {
                scheme_id,
                year,
                data_as_of: as_of,
                ran_at: now,
                previous_run_id: previous.map(|r| r.id),
                summary,
                results,
            },
        )
        .await?;
    Ok(RunOutcome {
        run,
        changes: differences,
    })
}

/// The differences between a stored run and the run it repeats (none for a first run).
pub async fn run_changes(
    store: &dyn Store,
    actor: &Actor,
    run_id: Id,
) -> AppResult<Vec<FirmChange>> {
    let run = store.get_run(actor, run_id).await?;
    let Some(previous) = run.previous_run_id else {
        return Ok(Vec::new());
    };
    let read = |id| async move {
        store
            .run_results(actor, id, &ResultFilter::default(), &Paging::all())
            .await
            .map(|page| page.items.into_iter().map(|r| r.detail).collect::<Vec<_>>())
    };
    Ok(evaluate::changes(
        &read(previous).await?,
        &read(run_id).await?,
    ))
}

/// What a land file import answers: the rows' problems (nothing stored), or what was stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum LandFileOutcome {
    Refused {
        #[schema(value_type = Vec<Object>)]
        errors: Vec<chainpark_import::land::LandRowError>,
    },
    Stored {
        import: chainpark_store::assessment::LandImport,
    },
}

/// Which land file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LandFile {
    Parcels,
    Leases,
}

/// Imports a parcel or lease file (CSV, or XLSX when `xlsx`): every row checked, park codes and credit codes
/// resolved; stored all together, or — with any bad row — nothing, and every row's problem answered.
pub async fn import_land_file(
    store: &dyn Store,
    actor: &Actor,
    kind: LandFile,
    bytes: &[u8],
    xlsx: bool,
    options: &chainpark_import::ImportOptions,
) -> AppResult<LandFileOutcome> {
    use chainpark_import::land::{lease_drafts, parcel_drafts};
    use chainpark_import::table::read_table;
    let table =
        read_table(bytes, xlsx, options).map_err(|e| AppError::bad_field("file", e.to_string()))?;
    let parks: HashMap<String, Id> = store
        .list_parks(
            actor,
            &chainpark_store::ParkFilter::default(),
            &Paging::all(),
        )
        .await?
        .items
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let firms = store.enterprise_ids(actor).await?;
    let park = |code: &str| parks.get(code).copied();
    let firm = |code: &str| firms.get(code).filter(|f| !f.archived).map(|f| f.id);
    let stored = match kind {
        LandFile::Parcels => match parcel_drafts(&table, park, firm) {
            Ok(drafts) => store.put_parcels(actor, drafts).await?,
            Err(errors) => return Ok(LandFileOutcome::Refused { errors }),
        },
        LandFile::Leases => match lease_drafts(&table, park, firm) {
            Ok(drafts) => store.put_leases(actor, drafts).await?,
            Err(errors) => return Ok(LandFileOutcome::Refused { errors }),
        },
    };
    Ok(LandFileOutcome::Stored { import: stored })
}

/// Checks a scheme as sent against the stored indicators.
async fn scheme_draft(
    store: &dyn Store,
    actor: &Actor,
    input: SchemeInput,
) -> AppResult<SchemeDraft> {
    let indicators = store.list_indicators(actor).await?;
    let known: Vec<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
    Ok(input.parse(&known).map_err(StoreError::from)?)
}

/// A new scheme (version 1) from the admin's form, or a copy of another scheme (`based_on`) under a new code.
pub async fn create_scheme(
    store: &dyn Store,
    actor: &Actor,
    input: SchemeInput,
    based_on: Option<Id>,
) -> AppResult<Scheme> {
    actor
        .scope
        .may_run_assessments()
        .map_err(StoreError::from)?;
    let draft = scheme_draft(store, actor, input).await?;
    Ok(store.create_scheme(actor, draft, based_on).await?)
}

/// Changes a scheme version in place — only while no run has used it: a used version keeps the results it gave
/// reproducible, so the change is refused (409) naming why; the admin makes a new version instead
/// ([`new_scheme_version`]).
pub async fn edit_unused_scheme(
    store: &dyn Store,
    actor: &Actor,
    id: Id,
    input: SchemeInput,
) -> AppResult<Scheme> {
    actor
        .scope
        .may_run_assessments()
        .map_err(StoreError::from)?;
    let before = store.get_scheme(actor, id).await?;
    if before.in_use {
        return Err(StoreError::conflict(
            "id",
            format!(
                "version {} of scheme {} was used by a run and is never changed, so that its results stay \
                 reproducible; make a new version of it instead",
                before.version, before.code
            ),
        )
        .into());
    }
    let draft = scheme_draft(store, actor, input).await?;
    // Should a run use the version meanwhile, the store makes the next version rather than change it.
    Ok(store.edit_scheme(actor, id, draft).await?)
}

/// The next version of a used scheme version: its rules as sent, or (`None`) as they were, to be edited while
/// unused. A version no run has used is changed in place instead (409 naming why).
pub async fn new_scheme_version(
    store: &dyn Store,
    actor: &Actor,
    id: Id,
    input: Option<SchemeInput>,
) -> AppResult<Scheme> {
    actor
        .scope
        .may_run_assessments()
        .map_err(StoreError::from)?;
    let before = store.get_scheme(actor, id).await?;
    if !before.in_use {
        return Err(StoreError::conflict(
            "id",
            format!(
                "version {} of scheme {} is not used by any run yet: change it in place",
                before.version, before.code
            ),
        )
        .into());
    }
    let input = input.unwrap_or(SchemeInput {
        code: before.code.clone(),
        name: before.name.clone(),
        name_en: before.name_en.clone(),
        year: before.year,
        body: before.body.clone(),
    });
    let draft = scheme_draft(store, actor, input).await?;
    Ok(store.edit_scheme(actor, id, draft).await?)
}

/// The shipped presets (Chongqing's four core indicators, a Zhejiang-style six-indicator scheme), as the admin's
/// form takes them.
pub fn presets() -> Vec<SchemeInput> {
    [chongqing_preset(), zhejiang_preset()]
        .into_iter()
        .map(|d| SchemeInput {
            code: d.code,
            name: d.name,
            name_en: d.name_en,
            year: d.year,
            body: d.body,
        })
        .collect()
}
