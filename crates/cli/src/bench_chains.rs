//! `chainpark bench-chains`: how long chain intelligence takes at the city tier (DOMAIN.md §5: 100,000
//! enterprises in the demo's chains and segments). A fresh SQLite file gets the registry and a month's gross output
//! of every firm (with the same month a year earlier, for growth), then every chain's diagnosis is computed many
//! times (the chain-health overview) and each chain's alone (a chain's page); the figures printed are p50, p99 and
//! the largest time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chainpark_app::chain_intel::{HealthCache, all_chains_health};
use chainpark_core::list::Paging;
use chainpark_core::period::Month;
use chainpark_store::figures::{FigureValue, ImportMessage};
use chainpark_store::{Actor, ChainFilter, EnterpriseFilter};
use clap::Args;

use crate::figures::bench_zone;

#[derive(Debug, Args)]
pub struct BenchChainsArgs {
    /// Enterprises in the zone (the city tier by default).
    #[arg(long, default_value_t = 100_000)]
    pub enterprises: usize,
    /// Folder for the benchmark's SQLite file (removed afterwards).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    /// How many times every chain's diagnosis is computed, and each chain's alone.
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
}

/// The goals: all chains at once, and one chain's page.
const ALL_GOAL: Duration = Duration::from_millis(200);
const ONE_P99_GOAL: Duration = Duration::from_millis(20);
const MONTH: (i32, u32) = (2021, 9);

fn millis(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// A firm's output in hundredths of a yuan: spread over three orders of magnitude, fixed by its id.
fn output(id: i64, salt: i64) -> i64 {
    let x = (id
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(salt))
        >> 33;
    1_000_000 + (x.rem_euclid(1_000)) * (x.rem_euclid(97) + 1) * 100_000
}

pub async fn bench_chains(args: BenchChainsArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let db = args.dir.join("bench-chains.db");
    let remove = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    };
    remove();
    let store = crate::open(&format!("sqlite://{}", db.display())).await?;
    let system = Actor::system("bench");
    let zone = bench_zone(args.enterprises);
    let started = Instant::now();
    store.load_registry(&system, &zone).await?;
    drop(zone);
    let ids: Vec<i64> = store
        .list_enterprises(&system, &EnterpriseFilter::default(), &Paging::all())
        .await?
        .items
        .into_iter()
        .map(|e| e.id)
        .collect();
    let gross_output = store
        .list_indicators(&system)
        .await?
        .into_iter()
        .find(|i| i.code == "gross_output")
        .context("the gross_output indicator")?
        .id;
    let month = Month::new(MONTH.0, MONTH.1).context("month")?;
    let year_earlier = Month::new(MONTH.0 - 1, MONTH.1).context("month")?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let import = {
        let store = store.clone();
        let system = system.clone();
        tokio::spawn(async move {
            store
                .import_figures(&system, "bench-chains", receiver)
                .await
        })
    };
    for chunk in ids.chunks(10_000) {
        let mut values = Vec::with_capacity(chunk.len() * 2);
        for id in chunk {
            for (m, salt) in [(month, 1), (year_earlier, 2)] {
                values.push(FigureValue {
                    enterprise_id: *id,
                    indicator_id: gross_output,
                    month: m,
                    value: output(*id, salt),
                });
            }
        }
        sender.send(ImportMessage::Values(values)).await?;
    }
    sender
        .send(ImportMessage::Finish {
            store: true,
            report: serde_json::json!({}),
        })
        .await?;
    drop(sender);
    let record = import.await??;
    if !record.stored {
        bail!("the benchmark's figures were not stored");
    }
    println!(
        "== {} enterprises, {} values of gross output ({month} and {year_earlier}) loaded in {:.1} s",
        ids.len(),
        record.values_changed,
        started.elapsed().as_secs_f64()
    );

    let reader = Actor::system("bench reader");
    let t = Instant::now();
    let healths = all_chains_health(store.as_ref(), &reader, month, None).await?;
    let segments: usize = healths.iter().map(|h| h.diagnosis.segments.len()).sum();
    println!(
        "all chains' diagnostics computed afresh ({segments} segments): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    // The server remembers every chain's diagnosis per (month, data version); no change happens during the runs,
    // so the version stays (0) and the first run below fills the memory.
    let cache = HealthCache::default();
    let t = Instant::now();
    std::hint::black_box(
        cache
            .chains(store.as_ref(), &reader, month, None, 0)
            .await?,
    );
    println!(
        "the first request after a change (reads and diagnoses every chain, then remembers): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut all = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = Instant::now();
        let healths = cache
            .chains(store.as_ref(), &reader, month, None, 0)
            .await?;
        all.push(t.elapsed());
        std::hint::black_box(healths);
    }
    all.sort();
    println!(
        "all chains' diagnostics, remembered: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} runs (goal ≤ {} ms)",
        millis(&all, 50.0),
        millis(&all, 99.0),
        millis(&all, 100.0),
        args.runs,
        ALL_GOAL.as_millis()
    );
    let t = Instant::now();
    let facts = store.chain_facts(&reader, None, month, None).await?;
    let facts_time = t.elapsed();
    let t = Instant::now();
    for (_, f) in &facts.chains {
        std::hint::black_box(chainpark_core::chain_intel::diagnose(f));
    }
    println!(
        "of which reading the facts {:.1} ms ({} memberships), computing {:.1} ms",
        facts_time.as_secs_f64() * 1000.0,
        facts
            .chains
            .iter()
            .map(|(_, f)| f.members.len())
            .sum::<usize>(),
        t.elapsed().as_secs_f64() * 1000.0
    );

    let chains = store
        .list_chains(&reader, &ChainFilter::default(), &Paging::all())
        .await?
        .items;
    let mut one = Vec::with_capacity(args.runs * chains.len());
    let mut slowest = (0.0, String::new());
    for chain in &chains {
        let mut times = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let t = Instant::now();
            let health = cache
                .chain(store.as_ref(), &reader, chain.id, month, None, 0)
                .await?;
            times.push(t.elapsed());
            std::hint::black_box(health);
        }
        times.sort();
        let p99 = millis(&times, 99.0);
        if p99 > slowest.0 {
            slowest = (p99, chain.name.clone());
        }
        one.extend(times);
    }
    one.sort();
    println!(
        "one chain's diagnosis, remembered: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} requests ({} chains × {}); \
         slowest chain {} (p99 {:.1} ms; goal p99 ≤ {} ms)",
        millis(&one, 50.0),
        millis(&one, 99.0),
        millis(&one, 100.0),
        one.len(),
        chains.len(),
        args.runs,
        slowest.1,
        slowest.0,
        ONE_P99_GOAL.as_millis()
    );

    // A chain's 36-month history (the health page's trend): computed afresh month by month, then remembered.
    let largest = healths
        .iter()
        .max_by_key(|h| h.diagnosis.firms)
        .map(|h| h.chain_id)
        .context("a chain")?;
    let from = Month::new(MONTH.0 - 3, MONTH.1 % 12 + 1).context("month")?;
    let t = Instant::now();
    let points = cache
        .history(store.as_ref(), &reader, largest, from, month, None, 0)
        .await?;
    println!(
        "one chain's {}-month history computed afresh (its {} firms): {:.1} ms",
        points.len(),
        healths
            .iter()
            .find(|h| h.chain_id == largest)
            .map_or(0, |h| h.diagnosis.firms),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut history = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = Instant::now();
        std::hint::black_box(
            cache
                .history(store.as_ref(), &reader, largest, from, month, None, 0)
                .await?,
        );
        history.push(t.elapsed());
    }
    history.sort();
    println!(
        "one chain's history, remembered: p50 {:.1} ms, p99 {:.1} ms over {} runs",
        millis(&history, 50.0),
        millis(&history, 99.0),
        args.runs
    );
    drop(store);
    remove();
    Ok(())
}
