//! A read replica (`--read-database`): the test starts a streaming replica of the PostgreSQL server that
//! CHAINPARK_TEST_POSTGRES names — a second cluster on a free port, made with `pg_basebackup -R` in a temporary
//! folder and started with `pg_ctl` (as the `postgres` OS user when the test runs as root) — and shows that a page
//! reads from the replica, that a change goes to the primary, and that the page a form redirects to shows the
//! change although the replica has not replayed it.
//!
//! The primary must allow replication connections from 127.0.0.1 (`.ci/run` adds the pg_hba.conf line and reloads
//! the server; `wal_level` is `replica` by default). Without a server the test is skipped with a message, unless
//! CHAINPARK_REQUIRE_POSTGRES=1.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chainpark_store::Store;
use chainpark_store::replica::ReadRouting;
use reqwest::StatusCode;
use sqlx::Connection;

use crate::common::{
    POSTGRES_VAR, REQUIRE_POSTGRES_VAR, TestApp, credit_code, empty_postgres_database, fixture,
    tell, unique_name,
};

fn required() -> bool {
    std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1" || v == "true")
}

/// The server URL without the test schema's options, on another port.
fn on_port(url: &str, port: u16) -> String {
    let (scheme_user, rest) = url.split_once('@').expect("a URL with user@host");
    let (host_port, path) = rest.split_once('/').expect("a URL with a database");
    let host = host_port.split(':').next().unwrap_or(host_port);
    format!("{scheme_user}@{host}:{port}/{path}")
}

async fn scalar_text(url: &str, sql: &str) -> Option<String> {
    let mut c = sqlx::PgConnection::connect(url).await.ok()?;
    sqlx::query_scalar::<_, Option<String>>(sql)
        .fetch_one(&mut c)
        .await
        .ok()
        .flatten()
}

/// A streaming replica of the test's server, stopped and removed when dropped.
struct Standby {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    port: u16,
}

impl Standby {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Makes and starts the replica; Err names what the machine lacks.
    async fn start(primary: &str) -> Result<Standby, String> {
        let version = scalar_text(primary, "SELECT current_setting('server_version_num')")
            .await
            .ok_or("the primary does not answer")?;
        let major = version.parse::<u32>().map_err(|e| e.to_string())? / 10_000;
        let bin = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
        if !bin.join("pg_ctl").exists() {
            return Err(format!("{} has no pg_ctl", bin.display()));
        }
        let wal_level = scalar_text(primary, "SELECT current_setting('wal_level')")
            .await
            .unwrap_or_default();
        if wal_level == "minimal" {
            return Err(
                "the primary's wal_level is minimal (a restart with wal_level=replica is needed)"
                    .into(),
            );
        }
        // The replica must allow as many of these as the primary.
        let mut settings = String::new();
        for name in [
            "max_connections",
            "max_worker_processes",
            "max_prepared_transactions",
            "max_locks_per_transaction",
            "max_wal_senders",
        ] {
            let value = scalar_text(primary, &format!("SELECT current_setting('{name}')"))
                .await
                .ok_or(format!("{name} unreadable"))?;
            settings.push_str(&format!("{name} = {value}\n"));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = std::env::temp_dir().join(unique_name("chainpark_replica"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let standby = Standby {
            dir,
            bin,
            as_postgres,
            port,
        };
        if as_postgres {
            run(Command::new("chown").args(["postgres:", &standby.dir.display().to_string()]))?;
        }
        let address = primary
            .trim_start_matches("postgres://")
            .trim_start_matches("postgresql://");
        let (user, host_port) = address
            .split('/')
            .next()
            .and_then(|a| a.split_once('@'))
            .ok_or("a primary URL of the form postgres://USER@HOST[:PORT]/DB")?;
        let (host, primary_port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
        run(standby
            .command("pg_basebackup")
            .args([
                "-h",
                host,
                "-p",
                primary_port,
                "-U",
                user,
                "-X",
                "stream",
                // A fast checkpoint: a spread one waits up to minutes after the tests' heavy writes.
                "-c",
                "fast",
                "-R",
                "-D",
            ])
            .arg(standby.data()))?;
        std::fs::write(
            standby.data().join("postgresql.conf"),
            format!(
                "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
                 hot_standby = on\nshared_buffers = 32MB\nfsync = off\n{settings}",
                standby.dir.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(
            standby.data().join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(standby.data().join("pg_ident.conf"), "").map_err(|e| e.to_string())?;
        if as_postgres {
            run(Command::new("chown").args([
                "-R",
                "postgres:",
                &standby.dir.display().to_string(),
            ]))?;
        }
        run(standby
            .command("pg_ctl")
            .args(["start", "-w", "-t", "120", "-D"])
            .arg(standby.data())
            .arg("-l")
            .arg(standby.dir.join("log")))?;
        Ok(standby)
    }
}

impl Drop for Standby {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.data())
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Waits until the replica has replayed everything the primary had written when this was called (the replica
/// streams on its own; there is no event to await but its position).
async fn replayed_everything(primary: &str, replica: &str) {
    let target = scalar_text(primary, "SELECT pg_current_wal_lsn()::text")
        .await
        .expect("the primary's position");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = scalar_text(
            replica,
            &format!("SELECT (pg_last_wal_replay_lsn() >= '{target}'::pg_lsn)::text"),
        )
        .await;
        if done.as_deref() == Some("true") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not reach {target} in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn replay_paused(replica: &str, pause: bool) {
    let mut c = sqlx::PgConnection::connect(replica).await.expect("replica");
    let call = if pause {
        "SELECT pg_wal_replay_pause()::text"
    } else {
        "SELECT pg_wal_replay_resume()::text"
    };
    sqlx::query_scalar::<_, Option<String>>(call)
        .fetch_one(&mut c)
        .await
        .expect("replay paused or resumed");
    if pause {
        let deadline = Instant::now() + Duration::from_secs(30);
        while sqlx::query_scalar::<_, String>("SELECT pg_get_wal_replay_pause_state()")
            .fetch_one(&mut c)
            .await
            .expect("pause state")
            != "paused"
        {
            assert!(Instant::now() < deadline, "replay did not pause");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn phone_on(url: &str, id: i64) -> String {
    let mut c = sqlx::PgConnection::connect(url).await.expect("database");
    sqlx::query_scalar("SELECT phone FROM enterprises WHERE id = $1")
        .bind(id)
        .fetch_one(&mut c)
        .await
        .expect("the enterprise's phone")
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    let status = response.status();
    let url = response.url().as_str().to_string();
    (status, url, response.text().await.expect("body"))
}

/// The page at `path` once the replica has replayed everything the primary holds, read wholly from the replica
/// (and nothing from the primary). A write of this process that lands between the replay and the page (on a busy
/// machine, e.g. a commit whose WAL position could not be read at once, which holds reads on the primary for a
/// while) sends that page's reads to the primary, as it should: the page is asked for again, for up to a minute.
async fn page_from_the_replica(
    app: &TestApp,
    store: &Arc<dyn Store>,
    primary: &str,
    replica: &str,
    path: &str,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        replayed_everything(primary, replica).await;
        let before = store.read_routing();
        let (status, _, html) = page(app, path).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let (on_replica, on_primary) = more(store.read_routing(), before);
        if on_replica > 0 && on_primary == 0 {
            return html;
        }
        assert!(
            Instant::now() < deadline,
            "{path} was never read wholly from the caught-up replica in a minute (last: {on_replica} reads from \
             the replica, {on_primary} from the primary)"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn more(after: ReadRouting, before: ReadRouting) -> (u64, u64) {
    (
        after.replica - before.replica,
        after.primary - before.primary,
    )
}

#[tokio::test]
async fn pages_read_from_the_replica_writes_go_to_the_primary_and_a_redirect_after_a_change_shows_it()
 {
    let test = "pages_read_from_the_replica_...";
    let Some(primary) = empty_postgres_database(test).await else {
        return;
    };
    let server = std::env::var(POSTGRES_VAR).expect("named");
    let standby = match Standby::start(&server).await {
        Ok(standby) => standby,
        Err(e) if required() => panic!("a streaming replica of {server} could not be started: {e}"),
        Err(e) => {
            tell(&format!(
                "SKIPPED {test}: no streaming replica of {server}: {e}"
            ));
            return;
        }
    };
    let replica = on_port(&primary, standby.port);
    let store = chainpark_store::connect_with_replica(&primary, Some(&replica))
        .await
        .expect("the store opens with its replica");
    store.migrate().await.expect("migrated on the primary");
    let app = TestApp::start(store.clone()).await;
    let f = fixture(&app).await;
    let firm = app
        .create(
            "/api/v1/enterprises",
            serde_json::json!({"credit_code": credit_code("91500112MA5U7R1X3"), "name": "重庆副本测试有限公司",
                "industry_code": "3670", "district": "500112", "segment_ids": [f.child_segment],
                "contact": {"contact_name": "联系人", "phone": "13800000000"}}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let path = format!("/enterprises/{firm}");

    // Caught up: the page is read from the replica.
    let html = page_from_the_replica(&app, &store, &primary, &replica, &path).await;
    assert!(html.contains("重庆副本测试有限公司"), "{html}");

    // Replay paused, and the name changed on the primary behind the program's back: the page still shows the
    // replica's name, so it was read there.
    replay_paused(&replica, true).await;
    crate::common::tamper(
        &primary,
        &format!("UPDATE enterprises SET name = '重庆主库直改有限公司' WHERE id = {firm}"),
    )
    .await;
    let (_, _, html) = page(&app, &path).await;
    assert!(
        html.contains("重庆副本测试有限公司") && !html.contains("重庆主库直改有限公司"),
        "the page shows the replica's data"
    );

    // A change through the form: written on the primary (the replica is read-only and paused), and the page the
    // form redirects to shows it — read from the primary, as its changed name shows too.
    let before = store.read_routing();
    let response = app
        .client
        .post(format!("{}/enterprises/{firm}/contact", app.base))
        .form(&[
            ("csrf", app.csrf.as_str()),
            ("contact_name", "王经理"),
            ("phone", "023-67000000"),
            ("email", "wang@example.com"),
            ("address", "重庆市渝北区"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .url()
            .as_str()
            .ends_with(&format!("{path}?saved=1")),
        "redirected to the page: {}",
        response.url()
    );
    let html = response.text().await.expect("body");
    assert!(
        html.contains("023-67000000"),
        "the redirect shows the change"
    );
    assert!(
        html.contains("重庆主库直改有限公司"),
        "read from the primary"
    );
    let (_, on_primary) = more(store.read_routing(), before);
    assert!(
        on_primary > 0,
        "the replica was behind: the primary served the page"
    );
    assert_eq!(
        phone_on(&primary, firm).await,
        "023-67000000",
        "written on the primary"
    );
    assert_eq!(
        phone_on(&replica, firm).await,
        "13800000000",
        "not yet replayed"
    );

    // Replay resumed: once the replica has the change, pages are read from it again.
    replay_paused(&replica, false).await;
    let html = page_from_the_replica(&app, &store, &primary, &replica, &path).await;
    assert!(html.contains("023-67000000") && html.contains("重庆主库直改有限公司"));
    drop(standby);
}
