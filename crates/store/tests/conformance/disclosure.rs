//! Disclosure control's facts: what depends on no caller is computed once per data version and shared, the firms
//! a caller may not read are counted for each caller.

use chainpark_core::access::{Role, Scope};
use chainpark_core::disclosure::CellFacts;
use chainpark_core::figures::{Dimension, GrowthMethod, RollupCells};
use chainpark_core::period::{Month, Period};
use chainpark_core::registry::Id;
use chainpark_store::figures::{FigureValue, RollupQuery, ShareOf};
use chainpark_store::*;

use crate::imports::{import, value};
use crate::registry::zone;
use crate::support::{Db, system};

/// A park's staff: reads the figures of its park's firms only.
fn park_staff(park: Id) -> Actor {
    Actor {
        scope: Scope {
            parks: vec![park],
            ..Scope::zone(Role::ParkStaff)
        },
        ..system()
    }
}

/// May 2021's roll-up by park of the shipped catalogue's first indicator, as `actor` gets it.
async fn may_by_park(db: &Db, actor: &Actor, method: GrowthMethod) -> RollupCells {
    let indicator = db
        .list_indicators(&system())
        .await
        .expect("indicators")
        .into_iter()
        .find(|i| i.id == 1)
        .expect("the shipped catalogue")
        .code;
    db.rollup(
        actor,
        &RollupQuery {
            indicator,
            period: Period::Month(Month::new(2021, 5).expect("month")),
            by: Dimension::Park,
            method,
            share_of: ShareOf::Zone,
        },
    )
    .await
    .expect("roll-up")
}

/// The facts of each park's cell and of the zone's in May 2021's roll-up by park, as `actor` gets them.
async fn park_facts(db: &Db, actor: &Actor, parks: [Id; 2]) -> (Vec<CellFacts>, CellFacts) {
    let cells = may_by_park(db, actor, GrowthMethod::PublishedTotals).await;
    let of = |park: Id| {
        cells
            .groups
            .iter()
            .find(|g| g.group_id == park)
            .and_then(|g| g.current.facts)
            .expect("facts of the park's cell")
    };
    let zone = cells
        .parent
        .value
        .and_then(|v| v.facts)
        .expect("facts of the zone's cell");
    (parks.map(of).to_vec(), zone)
}

fn facts(firms: i64, largest: i64, magnitude: i64, unreadable_firms: i64) -> CellFacts {
    CellFacts {
        firms,
        largest,
        magnitude,
        unreadable_firms,
    }
}

pub async fn a_restricted_readers_cell_facts_follow_an_import_that_changes_a_value(db: Db) {
    let z = zone(&db).await;
    let staff = park_staff(z.park);
    let parks = [z.park, z.other_park];
    import(
        &db,
        vec![vec![value(z.firm, 5, 100), value(z.other_firm, 5, -200)]],
        Some(true),
    )
    .await
    .expect("imported");
    assert_eq!(
        park_facts(&db, &staff, parks).await,
        (
            vec![facts(1, 100, 100, 0), facts(1, 200, 200, 1)],
            facts(2, 200, 300, 1)
        )
    );
    import(&db, vec![vec![value(z.firm, 5, 900)]], Some(true))
        .await
        .expect("imported");
    assert_eq!(
        park_facts(&db, &staff, parks).await,
        (
            vec![facts(1, 900, 900, 0), facts(1, 200, 200, 1)],
            facts(2, 900, 1100, 1)
        ),
        "the facts remembered before the import are not used after it"
    );
}

pub async fn readers_of_different_reach_get_their_own_unreadable_counts_from_the_shared_facts(
    db: Db,
) {
    let z = zone(&db).await;
    let parks = [z.park, z.other_park];
    import(
        &db,
        vec![vec![value(z.firm, 5, 100), value(z.other_firm, 5, 200)]],
        Some(true),
    )
    .await
    .expect("imported");
    let first = (
        vec![facts(1, 100, 100, 0), facts(1, 200, 200, 1)],
        facts(2, 200, 300, 1),
    );
    let other = (
        vec![facts(1, 100, 100, 1), facts(1, 200, 200, 0)],
        facts(2, 200, 300, 1),
    );
    let nobody = (
        vec![facts(1, 100, 100, 1), facts(1, 200, 200, 1)],
        facts(2, 200, 300, 2),
    );
    let chain_owner = Actor {
        scope: Scope {
            chains: vec![z.chain],
            ..Scope::zone(Role::ChainOwner)
        },
        ..system()
    };
    for _ in 0..2 {
        assert_eq!(park_facts(&db, &park_staff(z.park), parks).await, first);
        assert_eq!(
            park_facts(&db, &park_staff(z.other_park), parks).await,
            other
        );
        assert_eq!(
            park_facts(&db, &chain_owner, parks).await,
            nobody,
            "a chain owner reads no firm's figures"
        );
    }
}

/// A same-firms roll-up's base (last year's values of the firms that reported) is read once per data version and
/// shared; an import that changes last year's value changes the next answer.
pub async fn a_same_firms_base_follows_an_import_that_changes_last_years_value(db: Db) {
    let z = zone(&db).await;
    let last_year = |hundredths: i64| FigureValue {
        month: Month::new(2020, 5).expect("month"),
        ..value(z.firm, 5, hundredths)
    };
    import(
        &db,
        vec![vec![value(z.firm, 5, 100), last_year(300)]],
        Some(true),
    )
    .await
    .expect("imported");
    let base = || async {
        may_by_park(&db, &system(), GrowthMethod::SameFirms)
            .await
            .groups
            .iter()
            .find(|g| g.group_id == z.park)
            .and_then(|g| g.previous.as_ref())
            .map(|p| p.value)
    };
    assert_eq!(base().await, Some(300));
    assert_eq!(base().await, Some(300), "the same answer when remembered");
    import(&db, vec![vec![last_year(700)]], Some(true))
        .await
        .expect("imported");
    assert_eq!(
        base().await,
        Some(700),
        "the base remembered before the import is not used after it"
    );
}
