//! Rules the database itself enforces, and how a violation that slipped past the store's own checks (two requests
//! at once on PostgreSQL) is answered: a unique key is a conflict (409), a missing reference invalid input (422),
//! each naming the column. The rows are written with plain SQL, as a racing second request would reach the
//! database.

use chainpark_store::StoreError;
use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::Connection;

use crate::support::{Db, Engine};

/// Writes two enterprises with one credit code, an enterprise in a park that does not exist and two open-ended
/// chiefs of one park, and returns the store's error for each. (A macro: the same statements run on either
/// engine's connection type.)
macro_rules! violations {
    ($conn:expr) => {{
        let c = $conn;
        let now = Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).single().expect("instant");
        let area: i64 = sqlx::query_scalar("INSERT INTO industry_areas (code, name, updated_at) VALUES ('auto', '汽车', $1) RETURNING id")
            .bind(now).fetch_one(&mut *c).await.expect("area");
        let park: i64 = sqlx::query_scalar(
            "INSERT INTO parks (area_id, code, name, district, land_area_centi_mu, updated_at) VALUES ($1, 'yufu', '鱼复', '500112', 100, $2) RETURNING id")
            .bind(area).bind(now).fetch_one(&mut *c).await.expect("park");
        let enterprise = "INSERT INTO enterprises (credit_code, name, industry_code, district, park_id, status, updated_at) \
                          VALUES ($1, '重庆测试有限公司', '3612', '500112', $2, 'active', $3)";
        sqlx::query(enterprise).bind("91500112MA5U7G1X3C").bind(park).bind(now).execute(&mut *c).await.expect("first enterprise");
        let twice = sqlx::query(enterprise).bind("91500112MA5U7G1X3C").bind(park).bind(now).execute(&mut *c).await
            .expect_err("a credit code is unique");
        let nowhere = sqlx::query(enterprise).bind("91500112MA5U7G2X3C").bind(park + 1000).bind(now).execute(&mut *c).await
            .expect_err("the park must exist");
        let mut chiefs = Vec::new();
        for name in ["张伟", "王芳"] {
            let person: i64 = sqlx::query_scalar("INSERT INTO people (name, updated_at) VALUES ($1, $2) RETURNING id")
                .bind(name).bind(now).fetch_one(&mut *c).await.expect("person");
            let started = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
            chiefs.push(
                sqlx::query("INSERT INTO posts (person_id, role, park_id, starts_on, updated_at) VALUES ($1, 'park_chief', $2, $3, $4)")
                    .bind(person).bind(park).bind(started).bind(now).execute(&mut *c).await,
            );
        }
        let second_chief = chiefs.pop().expect("two").expect_err("one open-ended park chief per park");
        assert!(chiefs.pop().expect("one").is_ok());
        [StoreError::from(twice), StoreError::from(nowhere), StoreError::from(second_chief)]
    }};
}

pub async fn unique_and_foreign_key_violations_become_conflict_and_invalid(db: Db) {
    let ([twice, nowhere, second_chief], reference_field) = match db.engine {
        Engine::Sqlite => {
            let options =
                <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&db.url)
                    .expect("url")
                    .foreign_keys(true);
            let mut sqlite = sqlx::SqliteConnection::connect_with(&options)
                .await
                .expect("connects");
            // SQLite does not say which column a foreign key is about.
            (violations!(&mut sqlite), "body")
        }
        Engine::Postgres => {
            let mut postgres = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("connects");
            (violations!(&mut postgres), "park_id")
        }
    };
    match twice {
        StoreError::Conflict { field, .. } => assert_eq!(field, "credit_code"),
        other => panic!("a repeated credit code is a conflict, not {other:?}"),
    }
    match nowhere {
        StoreError::Invalid(invalid) => {
            assert_eq!(invalid.0[0].field, reference_field, "{invalid}")
        }
        other => panic!("a missing park is invalid input, not {other:?}"),
    }
    match second_chief {
        StoreError::Conflict { field, message } => {
            assert_eq!(field, "park_id");
            assert!(message.contains("park chief"), "{message}");
        }
        other => panic!("a second open-ended park chief is a conflict, not {other:?}"),
    }
}
