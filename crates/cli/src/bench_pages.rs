//! `chainpark bench-pages`: how fast the web pages render on the server and how much they weigh. Each page is
//! requested many times through the whole application (routing, session, store, template), in process, as a
//! signed-in leader over the demo's registry, figures and daily work; the figures printed are p50, p99 and the
//! largest time, and the page's size.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chainpark_core::access::Role;
use chainpark_core::list::Paging;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, ChainFilter, EnterpriseFilter, ParkFilter, SegmentFilter};
use chainpark_web::AppState;
use clap::Args;
use tower::ServiceExt;

#[derive(Debug, Args)]
pub struct BenchPagesArgs {
    /// The store to read (sqlite://PATH or postgres://...); the demo zone with its figures is loaded into it when
    /// it is empty. Without it, a fresh SQLite file in --dir is used.
    #[arg(long)]
    pub database: Option<String>,
    /// Folder for the demo store when --database is not given (removed afterwards).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    /// Requests per page.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// Time only these paths (repeatable), e.g. --page /chains/2; by default every kind of page.
    #[arg(long = "page")]
    pub pages: Vec<String>,
}

/// The goals of the web interface's issue.
const P99_GOAL: Duration = Duration::from_millis(50);
const SIZE_GOAL: usize = 300 * 1024;

pub async fn bench_pages(args: BenchPagesArgs) -> anyhow::Result<()> {
    let (store, scratch) = match &args.database {
        Some(url) => {
            let store = crate::open(url).await?;
            if store.is_empty().await? {
                println!("the store is empty: loading the demo zone and its figures ...");
                load_demo(&store).await?;
            }
            (store, None)
        }
        None => {
            std::fs::create_dir_all(&args.dir)
                .with_context(|| format!("creating {}", args.dir.display()))?;
            let db = args.dir.join("bench-pages.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let store = crate::open(&format!("sqlite://{}", db.display())).await?;
            println!(
                "loading the demo zone and its figures into {} ...",
                db.display()
            );
            load_demo(&store).await?;
            (store, Some(db))
        }
    };
    let cookie = sign_in_leader(&store).await?;
    let pages = if args.pages.is_empty() {
        pages(&store).await?
    } else {
        args.pages.clone()
    };
    let app = chainpark_web::app(AppState::new(store.clone()));
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9}",
        "page", "p50 ms", "p99 ms", "max ms", "KiB"
    );
    let mut worst_p99 = Duration::ZERO;
    let mut largest = 0;
    for path in &pages {
        let mut times = Vec::with_capacity(args.requests);
        let mut size = 0;
        for round in 0..args.requests + 3 {
            let request = Request::get(path.as_str())
                .header(header::COOKIE, &cookie)
                .body(Body::empty())?;
            let started = Instant::now();
            let response = app.clone().oneshot(request).await?;
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            let elapsed = started.elapsed();
            if status != StatusCode::OK {
                bail!("{path} answered {status}");
            }
            size = body.len();
            // The first requests warm the caches of the store.
            if round >= 3 {
                times.push(elapsed);
            }
        }
        times.sort_unstable();
        let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        let (p50, p99, max) = (at(0.5), at(0.99), times[times.len() - 1]);
        worst_p99 = worst_p99.max(p99);
        largest = largest.max(size);
        println!(
            "{:<40} {:>9.2} {:>9.2} {:>9.2} {:>9.1}",
            path,
            ms(p50),
            ms(p99),
            ms(max),
            size as f64 / 1024.0
        );
    }
    println!(
        "worst p99 {:.2} ms (goal ≤ {} ms), largest page {:.1} KiB (goal ≤ {} KiB), {} requests per page, {} engine",
        ms(worst_p99),
        P99_GOAL.as_millis(),
        largest as f64 / 1024.0,
        SIZE_GOAL / 1024,
        args.requests,
        store.engine()
    );
    if let Some(db) = scratch {
        drop(app);
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    Ok(())
}

pub(crate) async fn load_demo(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    let zone = chainpark_core::demo::demo_zone();
    store.load_registry(&Actor::system("bench"), &zone).await?;
    crate::figures::load_demo(store, &zone).await?;
    let clock = chainpark_core::time::Clock::System;
    crate::workflow::load_demo(store, &zone, clock).await?;
    // The evaluation's run and the roadmap's candidates and leads, as the demo command loads them.
    crate::assessment::load_demo(store, &zone, clock).await?;
    crate::targets_demo::load_demo(store, clock).await
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A session of a leader account made for the benchmark (reads everything, changes nothing).
pub(crate) async fn sign_in_leader(store: &Arc<dyn Store>) -> anyhow::Result<String> {
    let username = "bench.pages";
    let account = match store.account_for_login(username).await? {
        Some((account, _)) => account,
        None => {
            let password = chainpark_app::passwords::new_secret();
            let (draft, password) = chainpark_core::account::AccountInput {
                username: username.to_string(),
                password,
                role: Role::Leader,
                person_id: None,
                display_name: "page benchmark".to_string(),
            }
            .parse()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let hash = chainpark_app::passwords::hash_password(&password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store
                .create_account(&Actor::system("bench"), draft, hash)
                .await?
        }
    };
    let session = chainpark_app::passwords::new_secret();
    // The bench serves on the system clock.
    let now = chrono::Utc::now();
    store
        .create_session(
            &chainpark_app::passwords::secret_hash(&session),
            account.id,
            &chainpark_app::passwords::new_secret(),
            now + chrono::Duration::hours(1),
            now,
        )
        .await?;
    Ok(format!("{}={session}", chainpark_web::auth::SESSION_COOKIE))
}

/// The pages to time: every kind, with the largest chain and park of the store.
async fn pages(store: &Arc<dyn Store>) -> anyhow::Result<Vec<String>> {
    let actor = Actor::system("bench");
    let one = Paging::new(Some(1), None, None);
    let chains = store
        .list_chains(&actor, &ChainFilter::default(), &Paging::all())
        .await?
        .items;
    let mut biggest_chain = None;
    for chain in &chains {
        let firms = store
            .list_enterprises(
                &actor,
                &EnterpriseFilter {
                    chain_id: Some(chain.id),
                    ..Default::default()
                },
                &one,
            )
            .await?
            .total;
        if biggest_chain.is_none_or(|(_, n)| firms > n) {
            biggest_chain = Some((chain.id, firms));
        }
    }
    let Some((chain, _)) = biggest_chain else {
        bail!("the store holds no chain");
    };
    let segment = store
        .list_segments(
            &actor,
            &SegmentFilter {
                chain_id: Some(chain),
                ..Default::default()
            },
            &one,
        )
        .await?
        .items
        .first()
        .map(|s| s.id)
        .unwrap_or(0);
    let park = store
        .list_parks(&actor, &ParkFilter::default(), &one)
        .await?
        .items
        .first()
        .map(|p| p.id)
        .unwrap_or(0);
    let enterprise = store
        .list_enterprises(&actor, &EnterpriseFilter::default(), &one)
        .await?
        .items
        .first()
        .map(|e| e.id)
        .unwrap_or(0);
    let appeal = store
        .list_appeals(
            &actor,
            &chainpark_store::workflow::AppealFilter {
                as_of: chainpark_core::time::china_date(chrono::Utc::now()),
                ..Default::default()
            },
            &one,
        )
        .await?
        .items
        .first()
        .map(|a| a.id)
        .unwrap_or(0);
    let project = store
        .list_projects(
            &actor,
            &chainpark_store::workflow::ProjectFilter::default(),
            &one,
        )
        .await?
        .items
        .first()
        .map(|p| p.id)
        .unwrap_or(0);
    let work_order = store
        .list_work_orders(
            &actor,
            &chainpark_store::workflow::WorkOrderFilter {
                park_id: None,
                status: None,
                kind: None,
                assignee_person_id: None,
                overdue: None,
                at: chrono::Utc::now(),
            },
            &one,
        )
        .await?
        .items
        .first()
        .map(|w| w.id);
    // The latest evaluation run and its best firm of the park.
    let run = store
        .list_runs(&actor)
        .await?
        .into_iter()
        .map(|r| r.id)
        .max();
    let evaluated = match run {
        Some(run) => store
            .run_results(
                &actor,
                run,
                &chainpark_store::assessment::ResultFilter::default(),
                &one,
            )
            .await?
            .items
            .first()
            .map(|r| (run, r.enterprise_id)),
        None => None,
    };
    let mut pages: Vec<String> = vec![
        "/dashboard".into(),
        "/chains".into(),
        format!("/chains/{chain}"),
        format!("/chains/{chain}?segment={segment}"),
        "/parks".into(),
        format!("/parks/{park}"),
        "/enterprises?q=%E9%95%BF%E5%AE%89".into(),
        format!("/enterprises/{enterprise}"),
        "/import".into(),
        "/inbox".into(),
        "/appeals".into(),
        format!("/appeals/{appeal}"),
        "/projects".into(),
        format!("/projects/{project}"),
        "/work-orders".into(),
        "/transformation".into(),
        format!("/reports/scheduling?chain_id={chain}"),
        format!("/chains/{chain}/roadmap"),
        format!("/chains/{chain}/health"),
        "/assessment".into(),
        format!("/assessment?park_id={park}"),
        "/imports".into(),
        "/scorecards".into(),
    ];
    if let Some((run, firm)) = evaluated {
        pages.push(format!("/assessment/runs/{run}/firms/{firm}"));
    }
    if let Some(order) = work_order {
        pages.push(format!("/work-orders/{order}"));
    }
    Ok(pages)
}
