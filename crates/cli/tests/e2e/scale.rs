//! The zone tier on PostgreSQL as a test of correctness: the same registry and the same two files (a year of
//! values, then revisions and a new month) imported into SQLite and into PostgreSQL (COPY, month partitions) give
//! the same roll-ups to the fen, for every dimension and several periods (both growth methods for the zone).

use std::io::Write;
use std::sync::Arc;

use chainpark_app::rollups::StatsQuery;
use chainpark_core::disclosure::DisclosureRules;
use chainpark_store::{Actor, Store};

use crate::common::{fresh_stores, tell, unique_name};

const INDICATORS: [(&str, &str); 3] = [
    ("added_value", "增加值"),
    ("gross_output", "工业总产值"),
    ("employees", "从业人员"),
];

/// Writes the test's file: every firm of the demo zone × the months × the indicators, a value a row; with
/// `revise`, one value in seven differs by a fen from the first file's.
fn write_file(
    path: &std::path::Path,
    credit_codes: &[String],
    months: &[(i32, u32)],
    revise: bool,
) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("the file"));
    writeln!(out, "统一社会信用代码,期间,指标,数值").expect("written");
    let mut n = 0i64;
    for (i, code) in credit_codes.iter().enumerate() {
        for (year, month) in months {
            for (k, (_, column)) in INDICATORS.iter().enumerate() {
                n += 1;
                let mut hundredths = if k == 2 {
                    (10 + (i as i64 * 37) % 900) * 100
                } else {
                    (i as i64 * 7919 % 90_000) * 1000 + i64::from(*month) * 1301 + k as i64 * 17
                        - 5_000_000
                };
                if revise && n % 7 == 0 {
                    hundredths += if k == 2 { 100 } else { 1 };
                }
                let sign = if hundredths < 0 { "-" } else { "" };
                let magnitude = hundredths.unsigned_abs();
                writeln!(
                    out,
                    "{code},{year}-{month:02},{column},{sign}{}.{:02}",
                    magnitude / 100,
                    magnitude % 100
                )
                .expect("written");
            }
        }
    }
    out.flush().expect("flushed");
}

async fn import(store: &Arc<dyn Store>, path: &std::path::Path) {
    let record = chainpark_app::imports::run_import(
        store.clone(),
        Actor::system("test"),
        path.to_path_buf(),
        "zone.csv".into(),
        Default::default(),
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("the file imports: {e}"));
    assert!(record.stored, "{}", record.report);
}

/// Every roll-up the test compares, as JSON (amounts in fen).
async fn rollups(store: &dyn Store) -> Vec<(String, serde_json::Value)> {
    let rules = DisclosureRules::default();
    let actor = Actor::system("test");
    let mut out = Vec::new();
    for (indicator, _) in INDICATORS {
        for by in [
            "zone",
            "area",
            "chain",
            "segment",
            "park",
            "district",
            "digital_category",
            "digital_economy",
        ] {
            for period in [
                "2021-06",
                "2021-Q3",
                "2021-H1",
                "2021",
                "2021-YTD-09",
                "2022-01",
            ] {
                // `same_firms` reads the raw values (seconds a query on a loaded machine): asked of the zone only.
                let methods: &[Option<&str>] = if by == "zone" {
                    &[None, Some("same_firms")]
                } else {
                    &[None]
                };
                for &method in methods {
                    let label = format!("{indicator} {period} by {by} {method:?}");
                    let query = StatsQuery {
                        indicator: indicator.into(),
                        period: period.into(),
                        by: Some(by.into()),
                        method: method.map(String::from),
                        share_of: None,
                    }
                    .parse()
                    .unwrap_or_else(|e| panic!("{label}: {e}"));
                    let rollup = chainpark_app::rollups::rollup(store, &rules, &actor, &query)
                        .await
                        .unwrap_or_else(|e| panic!("{label}: {e}"));
                    out.push((label, serde_json::to_value(rollup).expect("JSON")));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn zone_tier_rollups_are_the_same_to_the_fen_on_sqlite_and_postgresql() {
    let stores = fresh_stores().await;
    if stores.len() < 2 {
        tell("SKIPPED: the comparison with PostgreSQL needs CHAINPARK_TEST_POSTGRES");
        return;
    }
    let zone = chainpark_core::demo::demo_zone();
    // One firm in eight reports: every group still sums many values, and the test stays short.
    let codes: Vec<String> = zone
        .enterprises
        .iter()
        .step_by(8)
        .map(|e| e.credit_code.clone())
        .collect();
    let dir = std::env::temp_dir().join(unique_name("chainpark_scale"));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let year: Vec<(i32, u32)> = (1..=12).map(|m| (2021, m)).chain([(2020, 6)]).collect();
    let first = dir.join("year.csv");
    write_file(&first, &codes, &year, false);
    let second = dir.join("revised.csv");
    let revised: Vec<(i32, u32)> = (7..=12).map(|m| (2021, m)).chain([(2022, 1)]).collect();
    write_file(&second, &codes, &revised, true);
    let mut results = Vec::new();
    for store in &stores {
        store
            .load_registry(&Actor::system("test"), &zone)
            .await
            .expect("registry loads");
        import(store, &first).await;
        import(store, &second).await;
        results.push((store.engine(), rollups(store.as_ref()).await));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (sqlite_engine, sqlite) = &results[0];
    for (engine, other) in &results[1..] {
        assert_eq!(sqlite.len(), other.len());
        for ((label, a), (_, b)) in sqlite.iter().zip(other) {
            assert_eq!(a, b, "{label}: {sqlite_engine} and {engine} differ");
        }
    }
    // The comparison is not vacuous: the zone's added value of 2021-06 is a sum of thousands of firms.
    let zone_june = &sqlite[0].1;
    assert_ne!(
        zone_june["groups"][0]["value"]["hundredths"], 0,
        "{zone_june}"
    );
}
