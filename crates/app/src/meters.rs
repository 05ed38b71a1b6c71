//! Meter readings from every channel — MQTT ([`crate::mqtt`]), the API — go through [`ingest`]: stored with their
//! roll-ups, then judged by the meters' alarm rules; a new alarm opens its work order (in the store, in the same
//! transaction). [`watch_silence`] judges the no-data rule at an instant (the server runs it every few minutes), and
//! [`energy_figures`] turns a month's meter amounts into the enterprises' `energy_use` figures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chainpark_core::list::Paging;
use chainpark_core::parkops::alarms::{
    Alarm, AlarmRule, Verdict, judge_jump, judge_night, judge_silence, night_hours, night_of,
};
use chainpark_core::parkops::energy::centi_tce;
use chainpark_core::parkops::meters::{Meter, Reading};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_store::figures::{FigureValue, ImportMessage, ImportRecord};
use chainpark_store::parkops::{AlarmFilter, ReadingsWritten};
use chainpark_store::prelude::*;
use chainpark_store::{Actor, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppResult;

/// What one batch of readings did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct IngestReport {
    #[serde(flatten)]
    pub written: ReadingsWritten,
    /// Alarms the batch raised (each with its work order).
    pub alarms_raised: Vec<Alarm>,
    /// Alarms whose condition the batch showed had passed.
    pub alarms_ended: Vec<Alarm>,
}

/// Stores a batch of readings and judges the alarm rules of the meters whose hours it changed. `actor` is whoever
/// sent them (the MQTT service is the program itself); `now` is when the alarms are raised.
pub async fn ingest(
    store: &Arc<dyn Store>,
    actor: &Actor,
    readings: &[Reading],
    now: DateTime<Utc>,
) -> AppResult<IngestReport> {
    let written = store.record_readings(actor, readings).await?;
    let mut report = IngestReport {
        written,
        ..IngestReport::default()
    };
    let watched = hours_to_judge(store, &report.written.hours).await?;
    if watched.is_empty() {
        return Ok(report);
    }
    let ids: Vec<Id> = watched.keys().copied().collect();
    let (from, to) = watched
        .values()
        .flat_map(|(_, hours)| hours.iter())
        .fold((i64::MAX, i64::MIN), |(lo, hi), h| (lo.min(*h), hi.max(*h)));
    let amounts = store.hourly_amounts(&ids, from, to).await?;
    let system = Actor::system(actor.account.clone());
    for (id, (meter, hours)) in &watched {
        let empty = BTreeMap::new();
        let meter_hours = amounts.get(id).unwrap_or(&empty);
        // In hour order, so that a batch that spans an incident raises and ends it in turn.
        let mut verdicts = Vec::new();
        let mut nights = BTreeSet::new();
        for hour in hours {
            if let Some(amount) = meter_hours.get(hour) {
                verdicts.push((AlarmRule::Jump, judge_jump(&meter.rules, *hour, *amount)));
            }
            if let Some(night) = night_of(*hour)
                && nights.insert(night)
            {
                verdicts.push((
                    AlarmRule::NightFlow,
                    judge_night(&meter.rules, night, meter_hours),
                ));
            }
        }
        for (rule, verdict) in verdicts {
            match verdict {
                Verdict::Raise { at, detail } => {
                    if let Some(alarm) = store
                        .raise_alarm(&system, *id, rule, at, &detail, now)
                        .await?
                    {
                        report.alarms_raised.push(alarm);
                    }
                }
                Verdict::Clear { at } => {
                    if let Some(alarm) = store.end_alarm(&system, *id, rule, at).await? {
                        report.alarms_ended.push(alarm);
                    }
                }
                Verdict::Undecided => {}
            }
        }
    }
    Ok(report)
}

/// The meters with a jump or night-flow rule among those whose hours changed, each with the hours to judge:
/// the changed hours and, for a changed night hour, the whole night's watch.
async fn hours_to_judge(
    store: &Arc<dyn Store>,
    changed: &[(Id, i64)],
) -> AppResult<BTreeMap<Id, (Meter, BTreeSet<i64>)>> {
    let mut by_meter: BTreeMap<Id, BTreeSet<i64>> = BTreeMap::new();
    for (meter, hour) in changed {
        by_meter.entry(*meter).or_default().insert(*hour);
    }
    let system = Actor::system("alarm rules");
    let mut out = BTreeMap::new();
    for (id, hours) in by_meter {
        let meter = store.get_meter(&system, id).await?;
        let rules = meter.rules;
        if rules.jump_max.is_none() && rules.night_flow_min.is_none() {
            continue;
        }
        let mut all = hours.clone();
        for hour in &hours {
            if let Some(night) = night_of(*hour) {
                all.extend(night_hours(night));
            }
        }
        out.insert(id, (meter, all));
    }
    Ok(out)
}

/// Judges the no-data rule of every watched meter at `now`: a meter silent for its hours raises an alarm (once per
/// incident; a new reading ends it). Returns the alarms raised.
pub async fn watch_silence(store: &Arc<dyn Store>, now: DateTime<Utc>) -> AppResult<Vec<Alarm>> {
    let system = Actor::system("alarm rules");
    let mut raised = Vec::new();
    for (meter, last) in store.silence_watch().await? {
        if let Verdict::Raise { at, detail } =
            judge_silence(&meter.rules, last, meter.created_at, now)
            && let Some(alarm) = store
                .raise_alarm(&system, meter.id, AlarmRule::NoData, at, &detail, now)
                .await?
        {
            raised.push(alarm);
        }
    }
    Ok(raised)
}

/// The open alarms the actor sees (for pages and reports).
pub async fn open_alarms(
    store: &Arc<dyn Store>,
    actor: &Actor,
    park_id: Option<Id>,
) -> AppResult<Vec<Alarm>> {
    let filter = AlarmFilter {
        park_id,
        open: Some(true),
        ..AlarmFilter::default()
    };
    Ok(store
        .list_alarms(actor, &filter, &Paging::all())
        .await?
        .items)
}

/// Writes each enterprise's energy use in `month` — the month amounts of its real meters times the media's
/// conversion factors, in hundredths of a tce — as its `energy_use` figure, through the figure import (so the
/// values get their history and the roll-ups their aggregates like any import). An enterprise without meter
/// amounts in the month is left as it is. The admin's (or the program's) to run.
pub async fn energy_figures(
    store: &Arc<dyn Store>,
    actor: &Actor,
    month: Month,
) -> AppResult<ImportRecord> {
    let factors: HashMap<_, _> = store
        .energy_factors()
        .await?
        .into_iter()
        .map(|f| (f.medium, f))
        .collect();
    let indicator = store
        .list_indicators(actor)
        .await?
        .into_iter()
        .find(|i| i.code == "energy_use")
        .ok_or_else(|| StoreError::Corrupt("the energy_use indicator is missing".into()))?;
    let mut per_enterprise: BTreeMap<Id, i64> = BTreeMap::new();
    let mut lines = Vec::new();
    for u in store.enterprise_use(actor, month).await? {
        let factor = factors
            .get(&u.medium)
            .ok_or_else(|| StoreError::Corrupt(format!("no energy factor for {}", u.medium)))?;
        let tce = centi_tce(u.amount, factor);
        *per_enterprise.entry(u.enterprise_id).or_insert(0) += tce;
        lines.push(serde_json::json!({
            "enterprise_id": u.enterprise_id, "medium": u.medium, "amount_milli": u.amount,
            "micro_kgce_per_unit": factor.micro_kgce_per_unit, "centi_tce": tce,
        }));
    }
    let values: Vec<FigureValue> = per_enterprise
        .iter()
        .map(|(enterprise_id, value)| FigureValue {
            enterprise_id: *enterprise_id,
            indicator_id: indicator.id,
            month,
            value: *value,
        })
        .collect();
    let (sender, receiver) = tokio::sync::mpsc::channel::<ImportMessage>(2);
    let writer = {
        let store = store.clone();
        let actor = actor.clone();
        let file_name = format!("meters energy_use {month}");
        tokio::spawn(async move { store.import_figures(&actor, &file_name, receiver).await })
    };
    let report =
        serde_json::json!({ "source": "meters", "month": month.to_string(), "lines": lines });
    let sent = async {
        sender.send(ImportMessage::Values(values)).await?;
        sender
            .send(ImportMessage::Finish {
                store: true,
                report,
            })
            .await
    }
    .await;
    drop(sender);
    let stored = writer
        .await
        .map_err(|e| crate::AppError::internal(format!("the energy import stopped: {e}")))?;
    match (sent, stored) {
        (_, Err(e)) => Err(e.into()),
        (Err(_), Ok(_)) => Err(crate::AppError::internal(
            "the store stopped taking energy values",
        )),
        (Ok(()), Ok(record)) => Ok(record),
    }
}

/// How far a fill of readings that runs in the background (the demo's year) has come, in days: the board says so
/// while it runs. Nothing is running until [`ReadingsFill::start`]; the count is the filler's to raise.
#[derive(Debug, Default)]
pub struct ReadingsFill {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl ReadingsFill {
    /// A fill of `days` begins.
    pub fn start(&self, days: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(days, Ordering::Relaxed);
    }

    /// One more day is stored (or given up).
    pub fn day_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// The days stored and the days to store, while some are left.
    pub fn running(&self) -> Option<(usize, usize)> {
        let (done, total) = (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        );
        (done < total).then_some((done, total))
    }
}
