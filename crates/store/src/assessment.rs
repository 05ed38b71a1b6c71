//! The per-mu evaluation's capabilities: [`LandStore`] (land parcels with their history, leases of factory space)
//! and [`AssessmentStore`] (schemes in versions, runs with every firm's result, and the inputs a run reads). Both
//! engines implement them in `src/sql/assessment.rs`. Park operations extend the same tables: a lease may name a
//! unit of a building (`unit_id`), whose table comes with them.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chainpark_core::assessment::evaluate::FirmResult;
use chainpark_core::assessment::land::{LandParcel, Lease, LeaseDraft, ParcelDraft, ParcelVersion};
use chainpark_core::assessment::scheme::{Class, SchemeBody, SchemeDraft};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, Result};

/// Which parcels or leases to list.
#[derive(Debug, Clone, Default)]
pub struct LandFilter {
    pub park_id: Option<Id>,
    pub enterprise_id: Option<Id>,
    /// Only those in force on this day.
    pub on: Option<NaiveDate>,
}

/// What an import of parcels or leases did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LandImport {
    pub created: i64,
    pub changed: i64,
    pub unchanged: i64,
}

/// Land parcels and leases. Changes are all-or-nothing: a batch with one bad row stores nothing.
#[async_trait]
pub trait LandStore: Send + Sync {
    async fn list_parcels(
        &self,
        actor: &Actor,
        filter: &LandFilter,
        paging: &Paging,
    ) -> Result<Page<LandParcel>>;
    /// A parcel and its earlier states, oldest first.
    async fn parcel_history(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<(LandParcel, Vec<ParcelVersion>)>;
    /// Creates or changes parcels by code, in one transaction. A known code whose holder, area or use changes from
    /// a later `valid_from` keeps its former state as history; other changes (an outline, an end) are made in place.
    async fn put_parcels(&self, actor: &Actor, drafts: Vec<ParcelDraft>) -> Result<LandImport>;
    async fn list_leases(
        &self,
        actor: &Actor,
        filter: &LandFilter,
        paging: &Paging,
    ) -> Result<Page<Lease>>;
    /// Creates or changes leases by code (the contract number), in one transaction.
    async fn put_leases(&self, actor: &Actor, drafts: Vec<LeaseDraft>) -> Result<LandImport>;
}

/// One version of an evaluation scheme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Scheme {
    pub id: Id,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub year: i32,
    pub body: SchemeBody,
    /// The scheme or version this one was copied or made from.
    pub based_on_id: Option<Id>,
    /// A run used this version: it is never changed again.
    pub in_use: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One evaluation of a year under one scheme version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssessmentRun {
    pub id: Id,
    pub scheme_id: Id,
    pub scheme_code: String,
    pub scheme_version: i64,
    pub year: i32,
    /// The data vintage: figures as known at this instant.
    pub data_as_of: DateTime<Utc>,
    pub ran_at: DateTime<Utc>,
    pub actor: String,
    /// The run of the same scheme and year this one repeats.
    pub previous_run_id: Option<Id>,
    pub firms: i64,
    /// Population benchmarks and class counts, park and district results.
    pub summary: serde_json::Value,
}

/// A run to be stored with its results.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub scheme_id: Id,
    pub year: i32,
    pub data_as_of: DateTime<Utc>,
    pub ran_at: DateTime<Utc>,
    pub previous_run_id: Option<Id>,
    pub summary: serde_json::Value,
    /// Each result with the firm's park.
    pub results: Vec<(FirmResult, Option<Id>)>,
}

/// A firm's stored result, with its name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoredResult {
    pub run_id: Id,
    pub enterprise_id: Id,
    pub enterprise_name: String,
    pub credit_code: String,
    pub park_id: Option<Id>,
    pub class: Class,
    pub detail: FirmResult,
}

/// Which results of a run to list.
#[derive(Debug, Clone, Default)]
pub struct ResultFilter {
    pub park_id: Option<Id>,
    pub chain_id: Option<Id>,
    pub class: Option<Class>,
}

/// The registry facts of a firm that the evaluation reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmFacts {
    pub id: Id,
    pub credit_code: String,
    pub name: String,
    pub industry_code: String,
    pub above_size: bool,
    pub founded_on: Option<NaiveDate>,
    pub park_id: Option<Id>,
    pub district: String,
}

/// What a run of one year reads: every active firm, its year totals and its land and leased space at the year's
/// end.
#[derive(Debug, Clone, Default)]
pub struct YearInputs {
    pub firms: Vec<FirmFacts>,
    /// Enterprise → indicator code → the year's total (sum indicators) or last reported value (last indicators).
    pub totals: HashMap<Id, BTreeMap<String, i64>>,
    /// Enterprise → (land held, hundredths of a mu; floor space leased, hundredths of a m²).
    pub areas: HashMap<Id, (i64, i64)>,
    /// Park → its land area, hundredths of a mu.
    pub park_land: HashMap<Id, i64>,
}

/// Schemes, runs and results.
#[async_trait]
pub trait AssessmentStore: Send + Sync {
    /// Every scheme version, newest first within a code.
    async fn list_schemes(&self, actor: &Actor) -> Result<Vec<Scheme>>;
    async fn get_scheme(&self, actor: &Actor, id: Id) -> Result<Scheme>;
    /// A new scheme (version 1), optionally copied from another (`based_on`); its code must be new.
    async fn create_scheme(
        &self,
        actor: &Actor,
        draft: SchemeDraft,
        based_on: Option<Id>,
    ) -> Result<Scheme>;
    /// Changes a scheme version in place when no run used it; otherwise makes the next version of its code and
    /// leaves the used one as it was. The answer is the version that now holds the change.
    async fn edit_scheme(&self, actor: &Actor, id: Id, draft: SchemeDraft) -> Result<Scheme>;
    /// What a run of `year` reads, figures as known at `as_of`.
    async fn year_inputs(
        &self,
        actor: &Actor,
        year: i32,
        as_of: DateTime<Utc>,
    ) -> Result<YearInputs>;
    async fn record_run(&self, actor: &Actor, run: NewRun) -> Result<AssessmentRun>;
    async fn list_runs(&self, actor: &Actor) -> Result<Vec<AssessmentRun>>;
    async fn get_run(&self, actor: &Actor, id: Id) -> Result<AssessmentRun>;
    /// The results of a run the actor may see, a page of them with the count of all: best first within each
    /// population, or by `paging.sort`: `score` (best first, then by name), `name` or `class` (best first within
    /// each class); ties keep the run's order.
    async fn run_results(
        &self,
        actor: &Actor,
        run_id: Id,
        filter: &ResultFilter,
        paging: &Paging,
    ) -> Result<Page<StoredResult>>;
    /// How many of the results `run_results` lists for the filter fall in each class (the filter's class aside),
    /// in the order A, B, C, D, T.
    async fn run_class_counts(
        &self,
        actor: &Actor,
        run_id: Id,
        filter: &ResultFilter,
    ) -> Result<Vec<(Class, i64)>>;
    /// One firm's result in a run, if the actor may see it.
    async fn firm_result(
        &self,
        actor: &Actor,
        run_id: Id,
        enterprise_id: Id,
    ) -> Result<StoredResult>;
}
