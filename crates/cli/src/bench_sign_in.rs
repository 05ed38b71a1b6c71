//! `chainpark bench-sign-in`: does a burst of sign-ins hold up the rest of the server? argon2 takes tens of
//! milliseconds of CPU per password; it runs on blocking threads, so `/healthz` should answer as fast during 64
//! parallel sign-ins as when idle. Everything runs in process on a scratch SQLite store, each sign-in from its own
//! client address (so the throttle, which counts per account and address, lets them all through).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chainpark_core::access::Role;
use chainpark_web::AppState;
use clap::Args;
use tower::ServiceExt;

#[derive(Debug, Args)]
pub struct BenchSignInArgs {
    /// Sign-ins sent at once.
    #[arg(long, default_value_t = 64)]
    pub parallel: usize,
    /// Folder for the scratch store (removed afterwards).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
}

const USERNAME: &str = "bench.sign-in";
const PASSWORD: &str = "bench-sign-in-password";

pub async fn bench_sign_in(args: BenchSignInArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let db = args.dir.join("bench-sign-in.db");
    let remove = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    };
    remove();
    let store = crate::open(&format!("sqlite://{}", db.display())).await?;
    crate::accounts::add(&store, USERNAME, PASSWORD, Role::Analyst, None, "").await?;
    let app = chainpark_web::app(AppState::new(store.clone()));

    let (idle, ()) = health_while(&app, 200, async { Ok(()) }).await?;
    let burst_app = app.clone();
    let parallel = args.parallel;
    let started = Instant::now();
    let burst = async move {
        let sign_ins: Vec<_> = (0..parallel)
            .map(|i| tokio::spawn(sign_in(burst_app.clone(), i)))
            .collect();
        let mut refused = 0;
        for handle in sign_ins {
            if handle.await?? != StatusCode::OK {
                refused += 1;
            }
        }
        anyhow::Ok((started.elapsed(), refused))
    };
    let (busy, (burst_time, refused)) = health_while(&app, 1, burst).await?;
    if refused > 0 {
        bail!("{refused} of {parallel} sign-ins were refused");
    }
    println!(
        "{:<36} {:>9} {:>9} {:>9} {:>9}",
        "/healthz, answer to answer", "n", "p50 ms", "p99 ms", "max ms"
    );
    print_times("idle", &idle);
    print_times(&format!("during {parallel} sign-ins"), &busy);
    println!(
        "{parallel} parallel sign-ins took {:.0} ms in all ({:.1} ms each on average)",
        burst_time.as_secs_f64() * 1000.0,
        burst_time.as_secs_f64() * 1000.0 / parallel as f64
    );
    drop(app);
    drop(store);
    remove();
    Ok(())
}

/// One sign-in with the right password from client address 10.0.x.y.
async fn sign_in(app: Router, i: usize) -> anyhow::Result<StatusCode> {
    let body = serde_json::json!({"username": USERNAME, "password": PASSWORD}).to_string();
    let mut request = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))?;
    let client = SocketAddr::from(([10, 0, (i / 250) as u8, (i % 250 + 1) as u8], 40000));
    request.extensions_mut().insert(ConnectInfo(client));
    Ok(app.oneshot(request).await?.status())
}

/// Requests `/healthz` one after another, on a worker thread like any request, until `work` is done (and at least
/// `at_least` times); returns the time from each answer to the next, with what `work` gave.
async fn health_while<T>(
    app: &Router,
    at_least: usize,
    work: impl Future<Output = anyhow::Result<T>> + Send + 'static,
) -> anyhow::Result<(Vec<Duration>, T)>
where
    T: Send + 'static,
{
    let done = Arc::new(AtomicBool::new(false));
    let work = {
        let done = done.clone();
        tokio::spawn(async move {
            let result = work.await;
            done.store(true, Ordering::Release);
            result
        })
    };
    let app = app.clone();
    let probe = tokio::spawn(async move {
        let mut times = Vec::new();
        let mut last = Instant::now();
        while !done.load(Ordering::Acquire) || times.len() < at_least {
            let response = app
                .clone()
                .oneshot(Request::get("/healthz").body(Body::empty())?)
                .await?;
            if response.status() != StatusCode::OK {
                bail!("/healthz answered {}", response.status());
            }
            // From the previous answer to this one: the probe's own waiting for a thread counts too.
            let now = Instant::now();
            times.push(now - last);
            last = now;
            tokio::task::yield_now().await;
        }
        anyhow::Ok(times)
    });
    let times = probe.await??;
    Ok((times, work.await??))
}

fn print_times(label: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<36} {:>9} {:>9.2} {:>9.2} {:>9.2}",
        sorted.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(sorted[sorted.len() - 1])
    );
}
