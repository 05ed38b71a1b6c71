//! PostgreSQL only: the catalogue of a migrated schema keeps the rules of `chainpark_store::distribution` (ready
//! for Citus: keys include the distribution column, no foreign key from a reference table to a distributed one,
//! month partitions), and the checker reports a scratch statement that breaks one.

use sqlx::Connection;

use crate::support::{Db, Engine, run};

async fn broken_rules(db: &Db, scratch: &str) -> Vec<String> {
    let mut c = sqlx::PgConnection::connect(&db.url)
        .await
        .expect("connects");
    if !scratch.is_empty() {
        sqlx::raw_sql(scratch)
            .execute(&mut c)
            .await
            .expect("the scratch migration applies");
    }
    chainpark_store::distribution::check(&mut c)
        .await
        .expect("the catalogue is read")
}

#[tokio::test]
async fn the_migrated_schema_is_ready_to_distribute() {
    run(Engine::Postgres, |db| async move {
        assert_eq!(broken_rules(&db, "").await, Vec::<String>::new());
    })
    .await;
}

#[tokio::test]
async fn a_unique_key_without_the_distribution_column_is_reported() {
    run(Engine::Postgres, |db| async move {
        let broken = broken_rules(
            &db,
            "CREATE UNIQUE INDEX scratch_one_value_a_month ON figure_values (indicator_id, month)",
        )
        .await;
        assert_eq!(
            broken,
            vec![
                "figure_values: the unique key scratch_one_value_a_month does not include the distribution column \
                 enterprise_id"
                    .to_string()
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_foreign_key_from_a_reference_table_to_a_distributed_one_is_reported() {
    run(Engine::Postgres, |db| async move {
        let broken = broken_rules(
            &db,
            "CREATE TABLE scratch_notes (meter_id BIGINT NOT NULL, t BIGINT NOT NULL, note TEXT NOT NULL, \
             CONSTRAINT scratch_notes_reading FOREIGN KEY (meter_id, t) REFERENCES meter_readings (meter_id, t))",
        )
        .await;
        assert_eq!(
            broken,
            vec![
                "scratch_notes: the foreign key scratch_notes_reading points from a reference table to the \
                 distributed table meter_readings"
                    .to_string()
            ]
        );
    })
    .await;
}
