//! Alerts: the facts each rule of `chainpark_core::workflow::alerts` needs, gathered in the actor's reach, and
//! their delivery to the responsible chiefs, once per alert (`alert_deliveries` remembers what was told to whom).

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::registry::Id;
use chainpark_core::time::china_date;
use chainpark_core::workflow::alerts::*;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::calendar::calendar;
use super::shared::*;
use crate::common::{push_reach, push_reached_ids};
use crate::workflow::*;
use crate::{Actor, Result};

/// Who answers for an alert: a named person, else the chief of the chain, else the chief of the park.
struct Responsible {
    person: Option<Id>,
    chain: Option<Id>,
    park: Option<Id>,
}

type AppealFacts = (
    Id,
    String,
    String,
    NaiveDate,
    NaiveDate,
    Option<Id>,
    Option<Id>,
);
type MilestoneFacts = (
    Id,
    Id,
    String,
    String,
    String,
    NaiveDate,
    Option<Id>,
    Option<Id>,
    Option<Id>,
);
type ProjectFacts = (
    Id,
    String,
    String,
    Option<Id>,
    Option<Id>,
    Option<Id>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    Option<NaiveDate>,
);

async fn appeal_alerts(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
    out: &mut Vec<(Alert, Responsible)>,
) -> Result<()> {
    let calendar = calendar(c).await?;
    // Anything due by the next working day; the rule decides which of them is overdue or due soon.
    let soon = calendar
        .next_working_day(as_of)
        .map(|d| d.date)
        .unwrap_or(as_of);
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT a.id, a.title, a.status, a.accept_due, a.reply_due, COALESCE(a.route_chain_id, a.chain_id), \
         COALESCE(a.route_park_id, a.park_id) FROM appeals a WHERE a.status NOT IN ('replied', 'closed') AND (a.reply_due <= ",
    );
    qb.push_bind(soon)
        .push(" OR (a.status = 'submitted' AND a.accept_due <= ")
        .push_bind(soon)
        .push("))");
    push_reach(&mut qb, Kind::Appeal, &actor.scope.reach(Kind::Appeal));
    qb.push(" ORDER BY a.id");
    let rows: Vec<AppealFacts> = qb.build_query_as().fetch_all(&mut *c).await?;
    for (id, title, status, accept_due, reply_due, chain, park) in rows {
        let due = if status == "submitted" {
            accept_due.min(reply_due)
        } else {
            reply_due
        };
        if let Some(kind) = appeal_alert(due, as_of, &calendar) {
            out.push((
                Alert::new(kind, id, title, due),
                Responsible {
                    person: None,
                    chain,
                    park,
                },
            ));
        }
    }
    Ok(())
}

async fn milestone_alerts(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
    out: &mut Vec<(Alert, Responsible)>,
) -> Result<()> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT m.id, p.id, p.name, p.name_en, m.name, m.due_on, p.chief_person_id, p.chain_id, p.park_id \
         FROM milestones m JOIN projects p ON p.id = m.project_id WHERE m.done_on IS NULL AND p.archived = FALSE AND m.due_on < ",
    );
    qb.push_bind(as_of);
    push_reach(&mut qb, Kind::Project, &actor.scope.reach(Kind::Project));
    qb.push(" ORDER BY m.id");
    let rows: Vec<MilestoneFacts> = qb.build_query_as().fetch_all(&mut *c).await?;
    for (milestone, project, name, name_en, step, due, person, chain, park) in rows {
        if !milestone_overdue(due, None, as_of) {
            continue;
        }
        let title_en = if name_en.is_empty() {
            String::new()
        } else {
            format!("{name_en} · {step}")
        };
        out.push((
            Alert::new(
                AlertKind::MilestoneOverdue,
                project,
                format!("{name} · {step}"),
                due,
            )
            .about_part(milestone)
            .with_title_en(title_en),
            Responsible {
                person,
                chain,
                park,
            },
        ));
    }
    Ok(())
}

async fn stalled_projects(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
    out: &mut Vec<(Alert, Responsible)>,
) -> Result<()> {
    // Projects at capacity have arrived; the others move by stages, investment and milestones.
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT p.id, p.name, p.name_en, p.chief_person_id, p.chain_id, p.park_id, p.lead_on, p.visit_on, p.negotiation_on, \
         p.signed_on, p.registered_on, p.started_on, p.production_on, \
         (SELECT CAST(MAX(pi.month) AS BIGINT) FROM project_investments pi WHERE pi.project_id = p.id), \
         (SELECT MAX(m.done_on) FROM milestones m WHERE m.project_id = p.id) \
         FROM projects p WHERE p.archived = FALSE AND p.capacity_on IS NULL",
    );
    push_reach(&mut qb, Kind::Project, &actor.scope.reach(Kind::Project));
    qb.push(" ORDER BY p.id");
    let rows: Vec<ProjectFacts> = qb.build_query_as().fetch_all(&mut *c).await?;
    for (id, name, name_en, person, chain, park, s1, s2, s3, s4, s5, s6, s7, month, done) in rows {
        let stages = [s1, s2, s3, s4, s5, s6, s7];
        // An investment month counts from its last day: the month's figure was complete then.
        let invested = month.and_then(|m| {
            let (year, month) = ((m / 100) as i32, (m % 100) as u32);
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)
            };
            next.and_then(|d| d.pred_opt())
        });
        let Some(last) = stages.into_iter().chain([invested, done]).flatten().max() else {
            continue;
        };
        if project_stalled(last, as_of) {
            out.push((
                Alert::new(AlertKind::ProjectStalled, id, name, last).with_title_en(name_en),
                Responsible {
                    person,
                    chain,
                    park,
                },
            ));
        }
    }
    Ok(())
}

async fn falling_output(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
    out: &mut Vec<(Alert, Responsible)>,
) -> Result<()> {
    let Some(indicator) =
        sqlx::query_scalar::<_, Id>("SELECT id FROM indicators WHERE code = 'gross_output'")
            .fetch_optional(&mut *c)
            .await?
    else {
        return Ok(());
    };
    // The latest month of the zone's output reported by the day asked about.
    let this_month = as_of.year() as i64 * 100 + as_of.month() as i64;
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(MAX(month) AS BIGINT) FROM figure_aggregates WHERE dimension = 'zone' AND indicator_id = $1 AND month <= $2",
    )
    .bind(indicator)
    .bind(this_month)
    .fetch_one(&mut *c)
    .await?;
    let Some(last) = last.and_then(|m| u32::try_from(m).ok()) else {
        return Ok(());
    };
    let window = output_fall_window(last);
    let (num, den) = OUTPUT_FALL_SHARE;
    // Driven by the enterprises (CROSS JOIN keeps SQLite's join order), so each firm costs a few key lookups.
    let mut qb = QueryBuilder::<Db>::new(format!(
        "SELECT e.id, e.name, e.park_id, (SELECT MIN(s.chain_id) FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
         WHERE es.enterprise_id = e.id) FROM enterprises e CROSS JOIN figure_values v CROSS JOIN figure_values p \
         WHERE v.enterprise_id = e.id AND p.enterprise_id = e.id AND p.indicator_id = v.indicator_id AND p.month = v.month - 100 \
         AND p.value > 0 AND v.value * {den} < p.value * {num} AND e.archived = FALSE AND v.indicator_id = "
    ));
    qb.push_bind(indicator).push(" AND v.month IN (");
    let mut months = qb.separated(", ");
    for m in &window {
        months.push_bind(*m as i64);
    }
    qb.push(")");
    push_reached_ids(
        &mut qb,
        "e.id",
        Kind::EnterpriseContact,
        &actor.scope.reach(Kind::EnterpriseContact),
    );
    qb.push(" GROUP BY e.id, e.name, e.park_id HAVING COUNT(*) = ")
        .push_bind(window.len() as i64)
        .push(" ORDER BY e.id");
    let rows: Vec<(Id, String, Option<Id>, Option<Id>)> =
        qb.build_query_as().fetch_all(&mut *c).await?;
    let on = NaiveDate::from_ymd_opt((last / 100) as i32, last % 100, 1).unwrap_or(as_of);
    for (id, name, park, chain) in rows {
        out.push((
            Alert::new(AlertKind::OutputFalling, id, name, on),
            Responsible {
                person: None,
                chain,
                park,
            },
        ));
    }
    Ok(())
}

/// Leases of a park's units ending within 90 days: for the park's chief (the reach of [`Kind::Building`], so the
/// park's team and the readers of everything), once per lease and last day.
async fn expiring_leases(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
    out: &mut Vec<(Alert, Responsible)>,
) -> Result<()> {
    let until = as_of + chrono::Duration::days(chainpark_core::parkops::space::EXPIRY_ALERT_DAYS);
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT ls.id, ls.code, e.name, b.park_id, ls.valid_to FROM leases ls JOIN units u ON u.id = ls.unit_id \
         JOIN buildings b ON b.id = u.building_id JOIN enterprises e ON e.id = ls.enterprise_id \
         WHERE ls.archived = FALSE AND ls.valid_to >= ",
    );
    qb.push_bind(as_of)
        .push(" AND ls.valid_to <= ")
        .push_bind(until);
    push_reach(&mut qb, Kind::Building, &actor.scope.reach(Kind::Building));
    qb.push(" ORDER BY ls.id");
    let rows: Vec<(Id, String, String, Id, Option<NaiveDate>)> =
        qb.build_query_as().fetch_all(&mut *c).await?;
    for (lease, code, firm, park, to) in rows {
        let Some(to) = to.filter(|_| chainpark_core::parkops::space::lease_expiring(to, as_of))
        else {
            continue;
        };
        out.push((
            Alert::new(
                AlertKind::LeaseExpiring,
                park,
                format!("{code} · {firm}"),
                to,
            )
            .about_part(lease),
            Responsible {
                person: None,
                chain: None,
                park: Some(park),
            },
        ));
    }
    Ok(())
}

/// Hazards not closed by their deadline: for the park's chief (the reach of [`Kind::Inspection`]), once per hazard
/// (its deadline is fixed when it is found, so the key never changes).
async fn overdue_hazards(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
    out: &mut Vec<(Alert, Responsible)>,
) -> Result<()> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT h.id, h.level, h.description, h.park_id, h.deadline FROM hazards h \
         JOIN inspections i ON i.id = h.inspection_id JOIN inspection_plans ip ON ip.id = i.plan_id \
         WHERE h.status <> 'closed' AND h.deadline < ",
    );
    qb.push_bind(as_of);
    push_reach(
        &mut qb,
        Kind::Inspection,
        &actor.scope.reach(Kind::Inspection),
    );
    qb.push(" ORDER BY h.id");
    let rows: Vec<(Id, String, String, Id, NaiveDate)> =
        qb.build_query_as().fetch_all(&mut *c).await?;
    for (hazard, level, description, park, deadline) in rows {
        let level = chainpark_core::parkops::safety::HazardLevel::parse(&level)
            .ok_or_else(|| crate::common::corrupt("hazard", hazard, "level"))?;
        let short: String = description.chars().take(60).collect();
        out.push((
            Alert::new(
                AlertKind::HazardOverdue,
                hazard,
                format!("{}隐患 · {short}", level.name_zh()),
                deadline,
            )
            .with_title_en(format!("{} hazard · {short}", level.name_en())),
            Responsible {
                person: None,
                chain: None,
                park: Some(park),
            },
        ));
    }
    Ok(())
}

async fn gather(
    c: &mut Conn,
    actor: &Actor,
    as_of: NaiveDate,
) -> Result<Vec<(Alert, Responsible)>> {
    let mut out = Vec::new();
    appeal_alerts(c, actor, as_of, &mut out).await?;
    milestone_alerts(c, actor, as_of, &mut out).await?;
    stalled_projects(c, actor, as_of, &mut out).await?;
    falling_output(c, actor, as_of, &mut out).await?;
    expiring_leases(c, actor, as_of, &mut out).await?;
    overdue_hazards(c, actor, as_of, &mut out).await?;
    Ok(out)
}

fn message(alert: &Alert) -> (String, String) {
    let kind = alert.kind;
    let title_en = if alert.title_en.is_empty() {
        &alert.title
    } else {
        &alert.title_en
    };
    let subject = bilingual(
        &format!("预警：{}——{}", kind.name_zh(), alert.title),
        &format!("Alert: {} — {title_en}", kind.name_en()),
    );
    let (day_zh, day_en) = match kind {
        AlertKind::AppealOverdue | AlertKind::AppealDueSoon | AlertKind::MilestoneOverdue => {
            (format!("时限：{}", alert.on), format!("Due: {}", alert.on))
        }
        AlertKind::ProjectStalled => (
            format!("最近进展：{}", alert.on),
            format!("Last progress: {}", alert.on),
        ),
        AlertKind::HazardOverdue => (
            format!("整改期限：{}", alert.on),
            format!("Deadline: {}", alert.on),
        ),
        AlertKind::LeaseExpiring => (
            format!("租约到期：{}", alert.on),
            format!("Lease ends: {}", alert.on),
        ),
        AlertKind::OutputFalling => {
            let month = alert.on.format("%Y-%m");
            (format!("截至月份：{month}"), format!("Through: {month}"))
        }
    };
    let href = alert.href();
    let body = bilingual(
        &format!("{}\n{day_zh}\n{href}", alert.title),
        &format!("{title_en}\n{day_en}\n{href}"),
    );
    (subject, body)
}

#[async_trait]
impl AlertStore for Engine {
    async fn alerts(&self, actor: &Actor, at: DateTime<Utc>) -> Result<Vec<Alert>> {
        let mut c = self.read().await?;
        let mut alerts: Vec<Alert> = gather(&mut c, actor, china_date(at))
            .await?
            .into_iter()
            .map(|(alert, _)| alert)
            .collect();
        sort_alerts(&mut alerts);
        Ok(alerts)
    }

    async fn deliver_alerts(&self, actor: &Actor, at: DateTime<Utc>) -> Result<AlertDelivery> {
        actor.scope.may_edit_workflow_rules()?;
        let as_of = china_date(at);
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let mut found = gather(c, actor, as_of).await?;
        found.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        let mut run = AlertDelivery {
            alerts: found.len(),
            ..Default::default()
        };
        for (alert, responsible) in found {
            let chief = match responsible.person {
                Some(person) => Some(person),
                None => escalation_chief(c, responsible.chain, responsible.park, as_of).await?,
            };
            let Some(chief) = chief else {
                run.without_chief += 1;
                continue;
            };
            let new = sqlx::query(
                "INSERT INTO alert_deliveries (alert_key, person_id, delivered_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (alert_key, person_id) DO NOTHING",
            )
            .bind(&alert.key)
            .bind(chief)
            .bind(at)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if new == 0 {
                continue;
            }
            let (subject, body) = message(&alert);
            notify(
                c,
                chief,
                &format!("alert_{}", alert.kind),
                &subject,
                &body,
                &alert.object_kind,
                alert.object_id,
            )
            .await?;
            run.delivered += 1;
        }
        tx.commit().await?;
        Ok(run)
    }
}
