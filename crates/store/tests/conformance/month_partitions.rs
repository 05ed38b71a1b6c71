//! PostgreSQL only: an import that is the first to fill a month copies its values into a table of their own and
//! attaches it as the month's partition in its write transaction (migration 0031, docs/scale.md). The partition
//! has the parent's keys, as one `chainpark_figure_partitions` makes; a failed import leaves neither table nor
//! partition; a month is made once whoever else makes it meanwhile; and readers and writers of the other months do
//! not wait for the attaching.

use sqlx::{Connection, PgConnection};

use crate::imports::{import, stored_values, value};
use crate::registry::zone;
use crate::support::{Db, Engine, conflict_field, run, system};
use chainpark_store::figures::FigureValue;

const FIGURE_TABLES: [&str; 3] = ["figure_values", "figure_history", "figure_aggregates"];

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.expect("connects")
}

/// The partitions of `parent`, by name.
async fn partitions(c: &mut PgConnection, parent: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::TEXT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = $1::regclass ORDER BY 1",
    )
    .bind(parent)
    .fetch_all(c)
    .await
    .expect("partitions")
}

/// The indexes (and whether each is attached to one of the parent's) and the constraints of `table`, its name
/// written `T`: two partitions with the same keys give the same lines.
async fn keys(c: &mut PgConnection, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT replace(pg_get_indexdef(x.indexrelid), $1, 'T') \
           || CASE WHEN EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = x.indexrelid) \
              THEN ', part of the parent''s' ELSE '' END \
         FROM pg_index x WHERE x.indrelid = $1::regclass \
         UNION ALL \
         SELECT replace(conname, $1, 'T') || ' ' || pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE conrelid = $1::regclass \
         ORDER BY 1",
    )
    .bind(table)
    .fetch_all(c)
    .await
    .expect("keys")
}

/// Every table, index and sequence of the schema whose name begins with `figure`.
async fn figure_relations(c: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT relname::TEXT FROM pg_class \
         WHERE relnamespace = current_schema()::regnamespace AND relname LIKE 'figure%' ORDER BY 1",
    )
    .fetch_all(c)
    .await
    .expect("relations")
}

/// Starts, on `c`, what an import's write transaction does with a new month 2021-07: its tables made, one value
/// copied, the values' table attached; the transaction stays open.
async fn attach_july_and_wait(c: &mut PgConnection) {
    sqlx::raw_sql(
        "BEGIN; \
         SELECT chainpark_new_figure_months(ARRAY[202107], 'figure_values_loading_0'); \
         INSERT INTO figure_values_loading_0 (enterprise_id, indicator_id, month, value, import_id) \
         VALUES (1, 1, 202107, 100, 1); \
         SELECT chainpark_attach_figure_months(ARRAY[202107], 'figure_values_loading_0')",
    )
    .execute(c)
    .await
    .expect("July attached in an open transaction");
}

#[tokio::test]
async fn an_import_into_a_new_month_attaches_a_partition_with_the_parents_keys() {
    run(Engine::Postgres, |db| async move {
        let z = zone(&db).await;
        let mut c = connect(&db.url).await;
        sqlx::query("SELECT chainpark_figure_partitions(ARRAY[202112])")
            .execute(&mut c)
            .await
            .expect("December made ahead, as an operator would");
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
        assert_eq!(record.values_changed, 3);
        for parent in FIGURE_TABLES {
            assert_eq!(
                partitions(&mut c, parent).await,
                ["m202105", "m202106", "m202112"].map(|m| format!("{parent}_{m}"))
            );
            let made_ahead = keys(&mut c, &format!("{parent}_m202112")).await;
            assert!(!made_ahead.is_empty(), "{parent} has keys");
            for month in [202105, 202106] {
                assert_eq!(
                    keys(&mut c, &format!("{parent}_m{month}")).await,
                    made_ahead,
                    "{parent} {month}"
                );
            }
        }
        assert!(
            !figure_relations(&mut c)
                .await
                .iter()
                .any(|r| r.contains("loading")),
            "the loader is gone"
        );
        assert_eq!(
            chainpark_store::distribution::check(&mut c)
                .await
                .expect("the catalogue is read"),
            Vec::<String>::new()
        );
        assert_eq!(stored_values(&db, z.firm).await, [100, 150]);
        assert_eq!(stored_values(&db, z.other_firm).await, [200]);
        let cells: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM figure_aggregates WHERE month = 202105")
                .fetch_one(&mut c)
                .await
                .expect("aggregates");
        assert!(cells > 0, "the new month's aggregates are written");
        assert_eq!(
            db.check_figures().await.expect("checked"),
            Vec::<String>::new()
        );
    })
    .await;
}

#[tokio::test]
async fn a_failed_import_into_a_new_month_leaves_no_partition() {
    run(Engine::Postgres, |db| async move {
        let z = zone(&db).await;
        let mut c = connect(&db.url).await;
        let before = figure_relations(&mut c).await;
        // Refused at the start of its write transaction.
        let missing = z.firm.max(z.other_firm) + 1_000;
        let refused = import(
            &db,
            vec![vec![value(z.firm, 5, 100), value(missing, 5, 200)]],
            Some(true),
        )
        .await;
        assert_eq!(conflict_field(refused), "file");
        assert_eq!(figure_relations(&mut c).await, before);
        // Failing at its last statement, after the month's table was filled and attached: a scratch trigger
        // refuses to mark the import stored.
        sqlx::raw_sql(
            "CREATE FUNCTION scratch_refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'scratch: refused'; END $$; \
             CREATE TRIGGER scratch_refuse BEFORE UPDATE ON figure_imports FOR EACH ROW WHEN (NEW.stored) \
             EXECUTE FUNCTION scratch_refuse()",
        )
        .execute(&mut c)
        .await
        .expect("the scratch trigger");
        let failed = import(&db, vec![vec![value(z.firm, 5, 100)]], Some(true)).await;
        assert!(failed.is_err(), "{failed:?}");
        assert_eq!(figure_relations(&mut c).await, before);
        assert!(stored_values(&db, z.firm).await.is_empty());
        sqlx::raw_sql("DROP TRIGGER scratch_refuse ON figure_imports")
            .execute(&mut c)
            .await
            .expect("dropped");
        import(&db, vec![vec![value(z.firm, 5, 100)]], Some(true))
            .await
            .expect("imported");
        assert_eq!(stored_values(&db, z.firm).await, [100]);
        for parent in FIGURE_TABLES {
            assert_eq!(
                partitions(&mut c, parent).await,
                [format!("{parent}_m202105")]
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_new_month_of_more_values_than_one_copy_carries_is_stored_whole() {
    run(Engine::Postgres, |db| async move {
        // The demo zone's ~9,000 firms, two indicators, May and June: each month's values go to its table in
        // several copies (10,000 values at most each) and a last one at the end of the file.
        db.load_registry(&system(), &chainpark_core::demo::demo_zone())
            .await
            .expect("the demo registry loads");
        let mut c = connect(&db.url).await;
        let firms: Vec<i64> = sqlx::query_scalar("SELECT id FROM enterprises ORDER BY id")
            .fetch_all(&mut c)
            .await
            .expect("firms");
        assert!(firms.len() * 2 > 10_000, "{} firms", firms.len());
        let mut batches = Vec::new();
        let mut expected = (0i64, 0i64);
        for chunk in firms.chunks(500) {
            let mut batch = Vec::new();
            for &firm in chunk {
                for indicator in [1, 2] {
                    for month in [5, 6] {
                        let v = FigureValue {
                            indicator_id: indicator,
                            value: firm * 10 + indicator + i64::from(month) * 1000,
                            ..value(firm, month, 0)
                        };
                        expected = (expected.0 + 1, expected.1 + v.value);
                        batch.push(v);
                    }
                }
            }
            batches.push(batch);
        }
        let record = import(&db, batches, Some(true)).await.expect("imported");
        assert_eq!(record.values_changed, expected.0);
        let stored: (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), CAST(SUM(value) AS BIGINT) FROM figure_values")
                .fetch_one(&mut c)
                .await
                .expect("counted");
        assert_eq!(stored, expected, "every value once");
        for parent in FIGURE_TABLES {
            assert_eq!(
                partitions(&mut c, parent).await,
                ["m202105", "m202106"].map(|m| format!("{parent}_{m}"))
            );
        }
        assert_eq!(
            db.check_figures().await.expect("checked"),
            Vec::<String>::new()
        );
    })
    .await;
}

#[tokio::test]
async fn two_imports_of_the_same_new_month_end_with_one_partition_and_both_their_values() {
    run(Engine::Postgres, |db| async move {
        let z = zone(&db).await;
        let mut c = connect(&db.url).await;
        // One after the other: the second writes May as a month that exists, revising one value.
        import(
            &db,
            vec![vec![value(z.firm, 5, 100), value(z.other_firm, 5, 200)]],
            Some(true),
        )
        .await
        .expect("imported");
        let second = import(
            &db,
            vec![vec![value(z.firm, 5, 150), value(z.other_firm, 5, 200)]],
            Some(true),
        )
        .await
        .expect("imported");
        assert_eq!((second.values_changed, second.values_unchanged), (1, 1));
        // At once, both into August: whichever writes first makes it, the other finds it made.
        let (first, other) = tokio::join!(
            import(&db, vec![vec![value(z.firm, 8, 300)]], Some(true)),
            import(
                &db,
                vec![vec![value(z.other_firm, 8, 400), value(z.firm, 9, 500)]],
                Some(true)
            ),
        );
        first.expect("imported");
        other.expect("imported");
        for parent in FIGURE_TABLES {
            assert_eq!(
                partitions(&mut c, parent).await,
                ["m202105", "m202108", "m202109"].map(|m| format!("{parent}_{m}"))
            );
        }
        assert_eq!(stored_values(&db, z.firm).await, [150, 300, 500]);
        assert_eq!(stored_values(&db, z.other_firm).await, [200, 400]);
        assert_eq!(
            db.check_figures().await.expect("checked"),
            Vec::<String>::new()
        );
    })
    .await;
}

#[tokio::test]
async fn a_month_made_by_someone_else_while_an_import_makes_it_is_made_once() {
    run(Engine::Postgres, |db| async move {
        let mut importing = connect(&db.url).await;
        attach_july_and_wait(&mut importing).await;
        let url = db.url.clone();
        let operator = tokio::spawn(async move {
            sqlx::query_scalar::<_, i32>("SELECT chainpark_figure_partitions(ARRAY[202107])")
                .fetch_one(&mut connect(&url).await)
                .await
        });
        // The operator's call waits for July's lock, which the import holds until it ends.
        let mut c = connect(&db.url).await;
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                 AND classid::INTEGER = 'figure_values'::regclass::oid::INTEGER AND objid::INTEGER = 202107",
            )
            .fetch_one(&mut c)
            .await
            .expect("locks");
            if waiting > 0 || operator.is_finished() {
                break;
            }
            tokio::task::yield_now().await;
        }
        sqlx::raw_sql("COMMIT")
            .execute(&mut importing)
            .await
            .expect("committed");
        let made = operator.await.expect("ran").expect("made");
        assert_eq!(made, 0, "July was made meanwhile");
        for parent in FIGURE_TABLES {
            assert_eq!(
                partitions(&mut c, parent).await,
                [format!("{parent}_m202107")]
            );
        }
    })
    .await;
}

#[tokio::test]
async fn readers_and_writers_of_other_months_do_not_wait_for_a_month_being_attached() {
    run(Engine::Postgres, |db| async move {
        let z = zone(&db).await;
        import(&db, vec![vec![value(z.firm, 5, 100)]], Some(true))
            .await
            .expect("imported");
        let mut attaching = connect(&db.url).await;
        attach_july_and_wait(&mut attaching).await;
        // A store whose statements fail rather than wait for a lock.
        let url = format!("{}%20-c%20lock_timeout%3D5000", db.url);
        let impatient = Db {
            engine: Engine::Postgres,
            store: chainpark_store::connect(&url).await.expect("connects"),
            url,
        };
        assert_eq!(stored_values(&impatient, z.firm).await, [100]);
        import(
            &impatient,
            vec![vec![value(z.firm, 5, 120), value(z.other_firm, 5, 50)]],
            Some(true),
        )
        .await
        .expect("May imported while July is attached");
        let mut c = connect(&impatient.url).await;
        for parent in FIGURE_TABLES {
            sqlx::query(&format!("SELECT COUNT(*) FROM {parent}"))
                .execute(&mut c)
                .await
                .expect("read");
        }
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut attaching)
            .await
            .expect("rolled back");
        assert_eq!(stored_values(&db, z.firm).await, [120]);
        assert_eq!(stored_values(&db, z.other_firm).await, [50]);
        for parent in FIGURE_TABLES {
            assert_eq!(
                partitions(&mut c, parent).await,
                [format!("{parent}_m202105")]
            );
        }
    })
    .await;
}
