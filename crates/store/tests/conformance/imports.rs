//! Imports are all or nothing: a file the parser refused, or one cut off before its end, stores no value; a
//! calendar file the store refuses leaves the calendar as it was.

use chainpark_core::period::{Month, Period};
use chainpark_store::figures::{FigureValue, ImportMessage};
use chainpark_store::*;

use crate::registry::zone;
use crate::support::{Db, Engine, conflict_field, system};

/// The code of the indicator the migrations number 1 (the first of the catalogue shipped with the program).
async fn first_indicator(db: &Db) -> String {
    db.list_indicators(&system())
        .await
        .expect("indicators")
        .into_iter()
        .find(|i| i.id == 1)
        .expect("the shipped catalogue")
        .code
}

pub fn value(enterprise: i64, month: u32, hundredths: i64) -> FigureValue {
    FigureValue {
        enterprise_id: enterprise,
        indicator_id: 1,
        month: Month::new(2021, month).expect("month"),
        value: hundredths,
    }
}

/// Sends `batches` to an import, then `end` (none: the channel closes), and returns its answer.
pub async fn import(
    db: &Db,
    batches: Vec<Vec<FigureValue>>,
    end: Option<bool>,
) -> Result<figures::ImportRecord> {
    let (sender, receiver) = tokio::sync::mpsc::channel(batches.len() + 1);
    for batch in batches {
        sender
            .send(ImportMessage::Values(batch))
            .await
            .expect("queued");
    }
    if let Some(store) = end {
        sender
            .send(ImportMessage::Finish {
                store,
                report: serde_json::json!({"rows": 2}),
            })
            .await
            .expect("queued");
    }
    drop(sender);
    db.import_figures(&system(), "figures.csv", receiver).await
}

/// The 2021 values of `enterprise` that the store holds.
pub async fn stored_values(db: &Db, enterprise: i64) -> Vec<i64> {
    let indicator = first_indicator(db).await;
    db.enterprise_figures(&system(), enterprise, &indicator, Period::Year(2021), None)
        .await
        .expect("figures")
        .into_iter()
        .map(|f| f.value)
        .collect()
}

pub async fn a_refused_import_stores_nothing(db: Db) {
    let z = zone(&db).await;
    let record = import(
        &db,
        vec![
            vec![value(z.firm, 5, 100)],
            vec![value(z.other_firm, 6, 200)],
        ],
        Some(false),
    )
    .await
    .expect("the attempt is recorded");
    assert!(!record.stored);
    let kept = db.get_import(&system(), record.id).await.expect("read");
    assert_eq!(kept.report["rows"], 2, "the report is kept with the record");
    assert!(stored_values(&db, z.firm).await.is_empty());
    assert!(stored_values(&db, z.other_firm).await.is_empty());
}

pub async fn an_import_cut_off_before_its_end_stores_nothing(db: Db) {
    let z = zone(&db).await;
    let cut = import(&db, vec![vec![value(z.firm, 5, 100)]], None).await;
    assert!(cut.is_err(), "{cut:?}");
    assert!(stored_values(&db, z.firm).await.is_empty());
}

pub async fn a_finished_import_stores_every_value(db: Db) {
    let z = zone(&db).await;
    let record = import(
        &db,
        vec![
            vec![value(z.firm, 5, 100), value(z.firm, 6, 150)],
            vec![value(z.other_firm, 6, 200)],
        ],
        Some(true),
    )
    .await
    .expect("imported");
    assert!(record.stored);
    assert_eq!((record.values_received, record.values_changed), (3, 3));
    assert_eq!(stored_values(&db, z.firm).await, [100, 150]);
    assert_eq!(stored_values(&db, z.other_firm).await, [200]);
}

pub async fn a_calendar_file_that_covers_part_of_an_unloaded_year_stores_nothing(db: Db) {
    let before = db.work_calendar().await.expect("calendar");
    let file = "date,kind,name\n2026-10-10,workday,国庆节\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n";
    let refused = db.load_calendar(&system(), file).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(db.work_calendar().await.expect("calendar"), before);
}

pub async fn imports_are_listed_to_their_author_and_to_those_who_read_everything(db: Db) {
    use chainpark_core::access::{Role, Scope};
    use chainpark_core::list::Paging;
    let z = zone(&db).await;
    let refused = import(&db, vec![vec![value(z.firm, 5, 100)]], Some(false))
        .await
        .expect("recorded");
    let stored = import(&db, vec![vec![value(z.firm, 6, 100)]], Some(true))
        .await
        .expect("recorded");
    let everyone = db
        .list_imports(&system(), &Paging::all())
        .await
        .expect("listed");
    assert_eq!(everyone.total, 2);
    let ids: Vec<i64> = everyone.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, [stored.id, refused.id], "newest first");
    assert!(everyone.items[0].stored && !everyone.items[1].stored);
    assert_eq!(
        everyone.items[1].report["rows"], 2,
        "each with its row report"
    );
    let as_chief = |account: &str| Actor {
        account: account.to_string(),
        account_id: None,
        scope: Scope::zone(Role::ChainChief),
        day: None,
    };
    let stranger = db
        .list_imports(&as_chief("someone.else"), &Paging::all())
        .await
        .expect("listed");
    assert_eq!(stranger.total, 0);
    assert!(stranger.items.is_empty());
    let author = db
        .list_imports(&as_chief("conformance"), &Paging::new(Some(1), None, None))
        .await
        .expect("listed");
    assert_eq!(author.total, 2, "the author sees their own");
    assert_eq!(author.items.len(), 1, "one page");
}

pub async fn an_import_naming_an_enterprise_that_does_not_exist_stores_nothing(db: Db) {
    let z = zone(&db).await;
    let missing = z.firm.max(z.other_firm) + 1_000;
    let refused = import(
        &db,
        vec![vec![value(z.firm, 5, 100), value(missing, 5, 200)]],
        Some(true),
    )
    .await;
    assert_eq!(conflict_field(refused), "file");
    assert!(stored_values(&db, z.firm).await.is_empty());
}

pub async fn check_reports_values_whose_enterprise_does_not_exist(db: Db) {
    use sqlx::Connection;
    let z = zone(&db).await;
    import(&db, vec![vec![value(z.firm, 5, 100)]], Some(true))
        .await
        .expect("imported");
    assert!(db.check_figures().await.expect("checked").is_empty());
    let orphan = format!(
        "INSERT INTO figure_values (enterprise_id, indicator_id, month, value, import_id) \
         SELECT {}, indicator_id, month, value, import_id FROM figure_values",
        z.firm + 1_000
    );
    // Written behind the store's back: SQLite's foreign keys are switched off on this connection, PostgreSQL's
    // values have none (migration 0026).
    // SQLite keeps a year in a row (migration 0033) behind the view `figure_values`.
    match db.engine {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("SQLite");
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut c)
                .await
                .expect("off");
            let orphan = format!(
                "INSERT INTO figure_years SELECT {}, indicator_id, year, v1, i1, v2, i2, v3, i3, v4, i4, v5, i5, \
                 v6, i6, v7, i7, v8, i8, v9, i9, v10, i10, v11, i11, v12, i12 FROM figure_years",
                z.firm + 1_000
            );
            sqlx::query(&orphan).execute(&mut c).await.expect("written");
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("PostgreSQL");
            sqlx::query(&orphan).execute(&mut c).await.expect("written");
        }
    }
    let problems = db.check_figures().await.expect("checked");
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("enterprise {}", z.firm + 1_000))),
        "{problems:?}"
    );
}

/// Rows read behind the store's back, three integers each (the same SQL on both engines).
async fn read_rows(db: &Db, sql: &str) -> Vec<(i64, i64, i64)> {
    use sqlx::Connection;
    match db.engine {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("SQLite");
            sqlx::query_as(sql).fetch_all(&mut c).await.expect("read")
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("PostgreSQL");
            sqlx::query_as(sql).fetch_all(&mut c).await.expect("read")
        }
    }
}

pub async fn an_import_that_changes_one_month_of_a_year_leaves_the_other_months_and_their_imports_as_they_were(
    db: Db,
) {
    let z = zone(&db).await;
    let first = import(
        &db,
        vec![
            (1..=12)
                .map(|m| value(z.firm, m, 100 * i64::from(m)))
                .collect(),
        ],
        Some(true),
    )
    .await
    .expect("imported");
    let second = import(
        &db,
        vec![vec![value(z.firm, 5, 999), value(z.firm, 6, 600)]],
        Some(true),
    )
    .await
    .expect("imported");
    assert_eq!((second.values_changed, second.values_unchanged), (1, 1));
    let rows = read_rows(
        &db,
        &format!(
            "SELECT CAST(month AS BIGINT), value, import_id FROM figure_values WHERE enterprise_id = {} \
             ORDER BY month",
            z.firm
        ),
    )
    .await;
    let expected: Vec<(i64, i64, i64)> = (1..=12)
        .map(|m| {
            if m == 5 {
                (202105, 999, second.id)
            } else {
                (202100 + m, 100 * m, first.id)
            }
        })
        .collect();
    assert_eq!(rows, expected);
}

pub async fn a_revised_months_history_keeps_the_import_that_stored_that_month(db: Db) {
    let z = zone(&db).await;
    let first = import(
        &db,
        vec![vec![value(z.firm, 2, 200), value(z.firm, 3, 300)]],
        Some(true),
    )
    .await
    .expect("imported");
    let second = import(&db, vec![vec![value(z.firm, 2, 222)]], Some(true))
        .await
        .expect("imported");
    let third = import(
        &db,
        vec![vec![value(z.firm, 2, 2222), value(z.firm, 3, 333)]],
        Some(true),
    )
    .await
    .expect("imported");
    let history = read_rows(
        &db,
        &format!(
            "SELECT CAST(month AS BIGINT), value, import_id FROM figure_history WHERE enterprise_id = {} \
             AND superseded_by = {} ORDER BY month",
            z.firm, third.id
        ),
    )
    .await;
    assert_eq!(
        history,
        vec![(202102, 222, second.id), (202103, 300, first.id)]
    );
}
