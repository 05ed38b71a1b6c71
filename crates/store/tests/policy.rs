//! The access policy and its SQL agree: on one generated world (chains with segments, parks, enterprises in
//! them, people, appeals, key projects, work orders, meters), for many generated accounts of every role, the objects of
//! each kind that the store lists for the account are exactly those that the policy's Rust predicate
//! (`Scope::sees`) admits. Runs on SQLite, and on PostgreSQL when CHAINPARK_TEST_POSTGRES names a server
//! (skipped with a message otherwise; a failure when CHAINPARK_REQUIRE_POSTGRES=1).

use std::collections::BTreeSet;
use std::sync::Arc;

use chainpark_core::access::{Kind, Place, Role, Scope};
use chainpark_core::credit_code::CreditCode;
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_store::parkops::MeterFilter;
use chainpark_store::prelude::*;
use chainpark_store::workflow::{AppealFilter, ProjectFilter, WorkOrderFilter};
use chainpark_store::{Actor, EnterpriseFilter};
use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::Connection;

/// Accounts generated per engine; each is asked for five kinds of object, so 5 × this many cases.
const ACCOUNTS: usize = 300;
const CHAINS: Id = 4;
const PARKS: Id = 4;
const ENTERPRISES: Id = 16;
const PEOPLE: Id = 10;

/// A small seeded generator (xorshift64*): the same world and accounts on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// 1..=n
    fn id(&mut self, n: Id) -> Id {
        (self.next() % n as u64) as Id + 1
    }

    /// 1..=n, or none one time in `none_in`.
    fn maybe(&mut self, n: Id, none_in: u64) -> Option<Id> {
        (!self.next().is_multiple_of(none_in)).then(|| self.id(n))
    }

    fn subset(&mut self, n: Id) -> Vec<Id> {
        (1..=n).filter(|_| self.next().is_multiple_of(3)).collect()
    }
}

struct Appeal {
    id: Id,
    enterprise: Id,
    chain: Option<Id>,
    park: Option<Id>,
    people: Vec<Id>,
}

struct Project {
    id: Id,
    chain: Option<Id>,
    park: Option<Id>,
}

struct WorkOrder {
    id: Id,
    park: Id,
    people: Vec<Id>,
}

struct Meter {
    id: Id,
    park: Id,
    enterprise: Option<Id>,
}

struct Enterprise {
    id: Id,
    park: Option<Id>,
    chains: Vec<Id>,
}

/// The generated world, and the SQL that writes it (the same text on both engines).
struct World {
    enterprises: Vec<Enterprise>,
    appeals: Vec<Appeal>,
    projects: Vec<Project>,
    work_orders: Vec<WorkOrder>,
    meters: Vec<Meter>,
    sql: Vec<String>,
}

const AT: &str = "'2026-06-15T02:00:00+00:00'";
const ON: &str = "'2026-06-15'";

fn null(id: Option<Id>) -> String {
    id.map_or("NULL".into(), |i| i.to_string())
}

fn world(rng: &mut Rng) -> World {
    let mut sql = vec![format!(
        "INSERT INTO industry_areas (id, code, name, updated_at) VALUES (1, 'a1', 'area', {AT})"
    )];
    for c in 1..=CHAINS {
        sql.push(format!(
            "INSERT INTO chains (id, area_id, code, name, updated_at) VALUES ({c}, 1, 'c{c}', 'chain {c}', {AT})"
        ));
        // Two segments per chain: 2c - 1 and 2c.
        for s in [2 * c - 1, 2 * c] {
            sql.push(format!(
                "INSERT INTO segments (id, chain_id, code, name, stage, updated_at) \
                 VALUES ({s}, {c}, 's{s}', 'segment {s}', 'midstream', {AT})"
            ));
        }
    }
    for k in 1..=PARKS {
        sql.push(format!(
            "INSERT INTO parks (id, area_id, code, name, district, land_area_centi_mu, updated_at) \
             VALUES ({k}, 1, 'k{k}', 'park {k}', '500112', 100, {AT})"
        ));
    }
    for p in 1..=PEOPLE {
        sql.push(format!(
            "INSERT INTO people (id, name, updated_at) VALUES ({p}, 'person {p}', {AT})"
        ));
    }
    let mut enterprises = Vec::new();
    for e in 1..=ENTERPRISES {
        let park = rng.maybe(PARKS, 4);
        sql.push(format!(
            "INSERT INTO enterprises (id, credit_code, name, industry_code, district, park_id, status, updated_at) \
             VALUES ({e}, '{}', 'firm {e}', '3612', '500112', {}, 'active', {AT})",
            CreditCode::from_body(&format!("91500112MA5U7G{e:03}"))
                .expect("a valid body")
                .as_str(),
            null(park)
        ));
        let mut segments: Vec<Id> = (0..rng.next() % 3).map(|_| rng.id(2 * CHAINS)).collect();
        segments.sort_unstable();
        segments.dedup();
        for s in &segments {
            sql.push(format!(
                "INSERT INTO enterprise_segments (enterprise_id, segment_id) VALUES ({e}, {s})"
            ));
        }
        let mut chains: Vec<Id> = segments.iter().map(|s| (s + 1) / 2).collect();
        chains.dedup();
        enterprises.push(Enterprise {
            id: e,
            park,
            chains,
        });
    }
    let mut appeals = Vec::new();
    for id in 1..=40 {
        let a = Appeal {
            id,
            enterprise: rng.id(ENTERPRISES),
            chain: rng.maybe(CHAINS, 4),
            park: rng.maybe(PARKS, 4),
            people: Vec::new(),
        };
        let people = [
            rng.maybe(PEOPLE, 2),
            rng.maybe(PEOPLE, 2),
            rng.maybe(PEOPLE, 3),
        ];
        sql.push(format!(
            "INSERT INTO appeals (id, enterprise_id, category, urgency, title, chain_id, park_id, status, filed_at, \
             filed_by, received_on, limit_days, accept_due, reply_due, handler_person_id, assignee_person_id, \
             escalated_to_person_id, last_step_at, updated_at) \
             VALUES ({id}, {}, 'policy', 'normal', 'appeal {id}', {}, {}, 'submitted', {AT}, 'test', {ON}, 5, {ON}, \
             {ON}, {}, {}, {}, {AT}, {AT})",
            a.enterprise,
            null(a.chain),
            null(a.park),
            null(people[0]),
            null(people[1]),
            null(people[2]),
        ));
        appeals.push(Appeal {
            people: people.into_iter().flatten().collect(),
            ..a
        });
    }
    let mut projects = Vec::new();
    for id in 1..=30 {
        let p = Project {
            id,
            chain: rng.maybe(CHAINS, 4),
            park: rng.maybe(PARKS, 3),
        };
        sql.push(format!(
            "INSERT INTO projects (id, name, investor, chain_id, park_id, stage, updated_at) \
             VALUES ({id}, 'project {id}', 'investor', {}, {}, 'lead', {AT})",
            null(p.chain),
            null(p.park)
        ));
        projects.push(p);
    }
    let mut work_orders = Vec::new();
    for id in 1..=30 {
        let park = rng.id(PARKS);
        let people = [rng.maybe(PEOPLE, 2), rng.maybe(PEOPLE, 3)];
        sql.push(format!(
            "INSERT INTO work_orders (id, park_id, facility, kind, urgency, title, status, created_at, created_by, \
             due_at, assignee_person_id, escalated_to_person_id, last_step_at, updated_at) \
             VALUES ({id}, {park}, 'gate', 'repair', 'routine', 'order {id}', 'open', {AT}, 'test', {AT}, {}, {}, {AT}, {AT})",
            null(people[0]),
            null(people[1])
        ));
        work_orders.push(WorkOrder {
            id,
            park,
            people: people.into_iter().flatten().collect(),
        });
    }
    let mut meters = Vec::new();
    for id in 1..=30 {
        let park = rng.id(PARKS);
        let enterprise = rng.maybe(ENTERPRISES, 2);
        sql.push(format!(
            "INSERT INTO meters (id, code, name, park_id, enterprise_id, medium, multiplier, created_at, updated_at) \
             VALUES ({id}, 'M{id}', 'meter {id}', {park}, {}, 'water', 1, {AT}, {AT})",
            null(enterprise)
        ));
        meters.push(Meter {
            id,
            park,
            enterprise,
        });
    }
    World {
        enterprises,
        appeals,
        projects,
        work_orders,
        meters,
        sql,
    }
}

/// An account of a random role with random chains, parks, enterprises and person: any combination, since the
/// predicate and the SQL must agree on every scope, not only on those that posts give.
fn account(rng: &mut Rng) -> Actor {
    let role = Role::ALL[(rng.next() % Role::ALL.len() as u64) as usize];
    Actor {
        account: format!("{role}"),
        account_id: None,
        scope: Scope {
            chains: rng.subset(CHAINS),
            parks: rng.subset(PARKS),
            enterprises: rng.subset(ENTERPRISES),
            all_chains: rng.next().is_multiple_of(5),
            person: rng.maybe(PEOPLE, 3),
            ..Scope::zone(role)
        },
        day: None,
    }
}

fn ids(items: impl IntoIterator<Item = Id>) -> BTreeSet<Id> {
    items.into_iter().collect()
}

/// Asks the store for each kind as each generated account and compares with the predicate; returns the cases
/// checked.
async fn agree(engine: &str, store: Arc<dyn Store>, w: &World, rng: &mut Rng) -> usize {
    let at = Utc
        .with_ymd_and_hms(2026, 6, 15, 10, 0, 0)
        .single()
        .expect("instant");
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 15).expect("day");
    let all = Paging::all();
    let mut cases = 0;
    for _ in 0..ACCOUNTS {
        let actor = account(rng);
        let s = &actor.scope;
        let listed = store
            .list_appeals(
                &actor,
                &AppealFilter {
                    as_of,
                    ..AppealFilter::default()
                },
                &all,
            )
            .await
            .expect("appeals");
        let expected = w.appeals.iter().filter(|a| {
            s.sees(
                Kind::Appeal,
                Place {
                    chains: a.chain.as_slice(),
                    parks: a.park.as_slice(),
                    enterprises: &[a.enterprise],
                    people: &a.people,
                },
            )
        });
        assert_eq!(
            ids(listed.items.iter().map(|a| a.id)),
            ids(expected.map(|a| a.id)),
            "[{engine}] appeals of {s:?}"
        );
        let listed = store
            .list_projects(&actor, &ProjectFilter::default(), &all)
            .await
            .expect("projects");
        let expected = w.projects.iter().filter(|p| {
            s.sees(
                Kind::Project,
                Place {
                    chains: p.chain.as_slice(),
                    parks: p.park.as_slice(),
                    ..Place::default()
                },
            )
        });
        assert_eq!(
            ids(listed.items.iter().map(|p| p.id)),
            ids(expected.map(|p| p.id)),
            "[{engine}] projects of {s:?}"
        );
        let filter = WorkOrderFilter {
            park_id: None,
            status: None,
            kind: None,
            assignee_person_id: None,
            overdue: None,
            at,
        };
        let listed = store
            .list_work_orders(&actor, &filter, &all)
            .await
            .expect("work orders");
        let expected = w.work_orders.iter().filter(|o| {
            s.sees(
                Kind::WorkOrder,
                Place {
                    parks: &[o.park],
                    people: &o.people,
                    ..Place::default()
                },
            )
        });
        assert_eq!(
            ids(listed.items.iter().map(|o| o.id)),
            ids(expected.map(|o| o.id)),
            "[{engine}] work orders of {s:?}"
        );
        let listed = store
            .list_meters(&actor, &MeterFilter::default(), &all)
            .await
            .expect("meters");
        let expected = w.meters.iter().filter(|m| {
            s.sees(
                Kind::Meter,
                Place {
                    parks: &[m.park],
                    enterprises: m.enterprise.as_slice(),
                    ..Place::default()
                },
            )
        });
        assert_eq!(
            ids(listed.items.iter().map(|m| m.id)),
            ids(expected.map(|m| m.id)),
            "[{engine}] meters of {s:?}"
        );
        let listed = store
            .list_enterprises(&actor, &EnterpriseFilter::default(), &all)
            .await
            .expect("enterprises");
        let expected = w
            .enterprises
            .iter()
            .filter(|e| s.sees_enterprise(e.id, e.park, &e.chains));
        assert_eq!(
            ids(listed.items.iter().map(|e| e.id)),
            ids(expected.map(|e| e.id)),
            "[{engine}] enterprises of {s:?}"
        );
        cases += 5;
    }
    cases
}

fn unique_name(prefix: &str) -> String {
    // Random per process (std's hasher keys), so that two runs sharing a database do not collide; no clock.
    let nanos =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), prefix);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    )
}

#[tokio::test]
async fn the_policy_and_its_sql_agree_on_a_generated_world_on_sqlite() {
    let mut rng = Rng(0x5eed_c4a1_9a4b_0001);
    let w = world(&mut rng);
    let dir = std::env::temp_dir().join(unique_name("chainpark_policy"));
    std::fs::create_dir_all(&dir).expect("folder");
    let url = format!("sqlite://{}", dir.join("test.db").display());
    let store = chainpark_store::connect(&url).await.expect("opens");
    store.migrate().await.expect("migrates");
    let mut c = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connects");
    for statement in &w.sql {
        sqlx::query(statement)
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let cases = agree("sqlite", store, &w, &mut rng).await;
    assert!(cases >= 1000, "{cases} cases");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_policy_and_its_sql_agree_on_a_generated_world_on_postgres() {
    let Ok(server) = std::env::var("CHAINPARK_TEST_POSTGRES") else {
        assert!(
            std::env::var("CHAINPARK_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "CHAINPARK_REQUIRE_POSTGRES=1 but CHAINPARK_TEST_POSTGRES names no server"
        );
        eprintln!(
            "SKIPPED on PostgreSQL: set CHAINPARK_TEST_POSTGRES=postgres://... to run this test there too"
        );
        return;
    };
    let mut rng = Rng(0x5eed_c4a1_9a4b_0001);
    let w = world(&mut rng);
    let schema = unique_name("policy");
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("schema");
    let separator = if server.contains('?') { '&' } else { '?' };
    let scoped = format!("{server}{separator}options=-c%20search_path%3D{schema}");
    let store = chainpark_store::connect(&scoped).await.expect("opens");
    store.migrate().await.expect("migrates");
    let mut c = sqlx::PgConnection::connect(&scoped)
        .await
        .expect("connects");
    for statement in &w.sql {
        sqlx::query(statement)
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let cases = agree("postgres", store, &w, &mut rng).await;
    assert!(cases >= 1000, "{cases} cases");
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut admin)
        .await
        .expect("drops the schema");
}
