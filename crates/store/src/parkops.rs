//! Park operations in the store: meters, their readings with the roll-ups kept on write, alarms that open work
//! orders, and the energy conversion factors. Scope rules are those of `chainpark_core::access::Scope`
//! ([`Kind::Meter`](chainpark_core::access::Kind::Meter)).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chainpark_core::list::{Page, Paging};
use chainpark_core::parkops::alarms::{Alarm, AlarmRule};
use chainpark_core::parkops::energy::EnergyFactor;
use chainpark_core::parkops::meters::{Grain, Medium, Meter, MeterDraft, Reading};
use chainpark_core::parkops::series::HourlySeries;
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, Result};

/// What the meter list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct MeterFilter {
    pub park_id: Option<Id>,
    pub enterprise_id: Option<Id>,
    pub medium: Option<Medium>,
}

/// What the alarm list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct AlarmFilter {
    pub park_id: Option<Id>,
    pub meter_id: Option<Id>,
    /// Only open (true) or only ended (false) alarms.
    pub open: Option<bool>,
}

/// What a batch of readings did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadingsWritten {
    pub received: i64,
    /// New readings, now in the roll-ups.
    pub stored: i64,
    /// Readings the store already held (same meter and instant): ignored.
    pub duplicates: i64,
    /// The (meter, hour bucket) pairs whose roll-up changed, of meters with a jump or night-flow rule: for the
    /// alarm rules.
    #[serde(skip)]
    pub hours: Vec<(Id, i64)>,
}

/// One enterprise's amount of one medium in a month (thousandths of the unit), from its real meters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnterpriseUse {
    pub enterprise_id: Id,
    pub medium: Medium,
    pub amount: i64,
}

#[async_trait]
pub trait MeterStore: Send + Sync {
    /// A new meter (the admin, the park's chief or staff); a virtual one's parts must exist in the same park.
    async fn create_meter(
        &self,
        actor: &Actor,
        draft: MeterDraft,
        now: DateTime<Utc>,
    ) -> Result<Meter>;
    async fn list_meters(
        &self,
        actor: &Actor,
        filter: &MeterFilter,
        paging: &Paging,
    ) -> Result<Page<Meter>>;
    async fn get_meter(&self, actor: &Actor, id: Id) -> Result<Meter>;
    /// Stores readings of real, unarchived meters the actor may edit, and adds the new ones to the hour, day and
    /// month roll-ups in the same transaction; a reading already held (same meter and instant) changes nothing. A
    /// new reading ends the meter's open no-data alarm. All or nothing: one reading of a meter the actor may not
    /// edit refuses the batch.
    async fn record_readings(&self, actor: &Actor, readings: &[Reading])
    -> Result<ReadingsWritten>;
    /// Fills the hours of `series` (`chainpark_core::parkops::series`) with its generated readings and adds them to
    /// the hour, day and month roll-ups — inside the database with set-based SQL, in one transaction, so that a
    /// year of a few hundred meters takes seconds; the roll-ups are those `record_readings` keeps for the same
    /// readings. The meters are real, unarchived and the actor's to edit, and hold no reading in the series' hours
    /// yet (otherwise the whole series is refused and nothing is stored). No alarm rule is judged: that is the
    /// caller's, as for any backfill. Answers the number of readings stored.
    async fn generate_readings(&self, actor: &Actor, series: &HourlySeries) -> Result<i64>;
    /// A meter's roll-up of `grain` for the buckets `from..=to`; a virtual meter's is its formula over its parts'.
    async fn meter_rollup(
        &self,
        actor: &Actor,
        id: Id,
        grain: Grain,
        from: i64,
        to: i64,
    ) -> Result<BTreeMap<i64, i64>>;
    /// The hourly roll-ups of some meters for hour buckets `from..=to` (for the alarm rules; the program's own).
    async fn hourly_amounts(
        &self,
        meters: &[Id],
        from: i64,
        to: i64,
    ) -> Result<HashMap<Id, BTreeMap<i64, i64>>>;
    /// Every unarchived real meter with a no-data rule, with the instant of its last reading.
    async fn silence_watch(&self) -> Result<Vec<(Meter, Option<DateTime<Utc>>)>>;
    /// Opens an alarm of `rule` on the meter — unless one is open (one incident, one alarm: then `None`) — and its
    /// work order in the meter's park, in one transaction, both audited.
    async fn raise_alarm(
        &self,
        actor: &Actor,
        meter_id: Id,
        rule: AlarmRule,
        started_at: DateTime<Utc>,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Alarm>>;
    /// Ends the meter's open alarm of `rule` at `at`, if there is one.
    async fn end_alarm(
        &self,
        actor: &Actor,
        meter_id: Id,
        rule: AlarmRule,
        at: DateTime<Utc>,
    ) -> Result<Option<Alarm>>;
    async fn list_alarms(
        &self,
        actor: &Actor,
        filter: &AlarmFilter,
        paging: &Paging,
    ) -> Result<Page<Alarm>>;
    /// Each enterprise's use of each medium in a month, from the month roll-ups of its real meters.
    async fn enterprise_use(&self, actor: &Actor, month: Month) -> Result<Vec<EnterpriseUse>>;
    /// A park's use of each medium in some months (month key, medium, thousandths), from its real meters.
    async fn park_use(
        &self,
        actor: &Actor,
        park_id: Id,
        months: &[Month],
    ) -> Result<Vec<(i64, Medium, i64)>>;
    async fn energy_factors(&self) -> Result<Vec<EnergyFactor>>;
}
