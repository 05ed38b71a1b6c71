//! `chainpark bench-api`: requests per second of the dashboard's roll-up API under many keep-alive readers, against
//! nginx serving the same answer as a static file, on the same machine at the same concurrency, both measured by
//! wrk (Debian: `apt-get install -y wrk nginx-light`). The application is served in this process over the demo
//! zone with its figures, as a leader with an API token; nginx runs from a configuration written into a scratch
//! folder and is stopped afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chainpark_core::access::Role;
use chainpark_store::Actor;
use chainpark_store::prelude::*;
use chainpark_web::AppState;
use clap::Args;

#[derive(Debug, Args)]
pub struct BenchApiArgs {
    /// The store to read (sqlite://PATH or postgres://...); the demo zone with its figures is loaded into it when
    /// it is empty. Without it, a fresh SQLite file in --dir is used.
    #[arg(long)]
    pub database: Option<String>,
    /// Scratch folder: the demo store when --database is not given, nginx's configuration and the static answer.
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    /// The request, as the dashboard sends it.
    #[arg(
        long,
        default_value = "/api/v1/stats?indicator=added_value&period=2021-H1&by=chain"
    )]
    pub path: String,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// wrk's threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Seconds each side is measured.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// nginx's worker processes (default: one per core, as nginx's `auto`).
    #[arg(long)]
    pub nginx_workers: Option<usize>,
    #[arg(long, default_value = "wrk")]
    pub wrk: String,
    #[arg(long, default_value = "nginx")]
    pub nginx: String,
}

/// The goal of issue 14: the API at least half as fast as nginx serving a static file.
const GOAL: f64 = 0.5;

pub async fn bench_api(args: BenchApiArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let dir = std::fs::canonicalize(&args.dir)?;
    let store = match &args.database {
        Some(url) => crate::open(url).await?,
        None => {
            let db = dir.join("bench-api.db");
            crate::open(&format!("sqlite://{}", db.display())).await?
        }
    };
    if store.is_empty().await? {
        println!("the store is empty: loading the demo zone and its figures ...");
        crate::bench_pages::load_demo(&store).await?;
    }
    let token = leader_token(&store).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app_address = listener.local_addr()?;
    let app = chainpark_web::app(AppState::new(store.clone()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let app_url = format!("http://{app_address}{}", args.path);
    let authorization = format!("Authorization: Bearer {token}");
    let answer = fetch(&app_url, &authorization).await?;
    std::fs::write(dir.join("stats.json"), &answer)?;

    let nginx_port = free_port()?;
    let workers = args.nginx_workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let mut nginx = start_nginx(&args.nginx, &dir, nginx_port, workers)?;
    let nginx_url = format!("http://127.0.0.1:{nginx_port}/stats.json");
    let measured = async {
        fetch(&nginx_url, &authorization).await?;
        println!(
            "{} bytes of JSON, {} connections, {} wrk threads, {} s each; load average before: {}",
            answer.len(),
            args.connections,
            args.threads,
            args.seconds,
            load_average()
        );
        let nginx_rate = wrk(&args, &nginx_url, None)?;
        println!("nginx static file ({workers} workers): {nginx_rate:>10.0} requests/s");
        let app_rate = wrk(&args, &app_url, Some(&authorization))?;
        println!(
            "chainpark {}:  {app_rate:>10.0} requests/s ({} engine)",
            args.path,
            store.engine()
        );
        let ratio = app_rate / nginx_rate;
        println!(
            "ratio {ratio:.2}× nginx (goal ≥ {GOAL}×); load average after: {}",
            load_average()
        );
        anyhow::Ok(())
    }
    .await;
    // nginx is this benchmark's child: stop it whatever happened.
    let _ = nginx.kill();
    let _ = nginx.wait();
    measured
}

/// A leader account made for the benchmark and a new API token of it (reads everything, changes nothing).
async fn leader_token(store: &Arc<dyn Store>) -> anyhow::Result<String> {
    let username = "bench.api";
    let account = match store.account_for_login(username).await? {
        Some((account, _)) => account,
        None => {
            let password = chainpark_app::passwords::new_secret();
            let (draft, password) = chainpark_core::account::AccountInput {
                username: username.to_string(),
                password,
                role: Role::Leader,
                person_id: None,
                display_name: "API benchmark".to_string(),
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
    let actor = store
        .actor_for(&account, chainpark_core::time::Clock::System.today())
        .await?;
    let token = chainpark_app::passwords::new_secret();
    store
        .create_token(
            &actor,
            "bench-api",
            &chainpark_app::passwords::secret_hash(&token),
            chrono::Utc::now() + chrono::Duration::days(1),
            false,
        )
        .await?;
    Ok(token)
}

/// One GET over a plain TCP connection (HTTP/1.0, so the server closes it): the body, or why not.
pub(crate) async fn fetch(url: &str, header: &str) -> anyhow::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").context("an http:// address")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n{header}\r\n\r\n").as_bytes())
        .await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("an HTTP answer")?;
    let head = String::from_utf8_lossy(&reply[..split]).to_string();
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        bail!("{url} answered {}", head.lines().next().unwrap_or_default());
    }
    Ok(reply[split + 4..].to_vec())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// nginx in the foreground with a configuration of its own in `dir`, serving `dir/stats.json`.
fn start_nginx(
    nginx: &str,
    dir: &Path,
    port: u16,
    workers: usize,
) -> anyhow::Result<std::process::Child> {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes {workers};\n\
             daemon off;\n\
             pid {dir}/nginx.pid;\n\
             error_log {dir}/nginx-error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n\
               access_log off;\n\
               client_body_temp_path {dir}/nginx-body;\n\
               proxy_temp_path {dir}/nginx-proxy;\n\
               fastcgi_temp_path {dir}/nginx-fastcgi;\n\
               uwsgi_temp_path {dir}/nginx-uwsgi;\n\
               scgi_temp_path {dir}/nginx-scgi;\n\
               keepalive_requests 1000000;\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 root {dir};\n\
                 location / {{ default_type application/json; }}\n\
               }}\n\
             }}\n",
            dir = dir.display()
        ),
    )?;
    let child = Command::new(nginx)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {nginx} (Debian: apt-get install -y nginx-light)"))?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!(
        "nginx did not listen on port {port}; see {}/nginx-error.log",
        dir.display()
    )
}

/// Requests per second that wrk measured at `url`; an answer other than 2xx/3xx fails the benchmark.
fn wrk(args: &BenchApiArgs, url: &str, header: Option<&str>) -> anyhow::Result<f64> {
    let mut command = Command::new(&args.wrk);
    command
        .arg(format!("-t{}", args.threads))
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{}s", args.seconds));
    if let Some(header) = header {
        command.arg("-H").arg(header);
    }
    let output = command
        .arg(url)
        .output()
        .with_context(|| format!("running {} (Debian: apt-get install -y wrk)", args.wrk))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    if let Some(line) = text.lines().find(|l| l.contains("Non-2xx or 3xx")) {
        bail!("{url}: {}", line.trim());
    }
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk's output: {text}"))
}

/// The 1-, 5- and 15-minute load averages of the machine.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}
