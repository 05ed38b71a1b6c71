//! What an operator does: back a SQLite store up while it serves and restore it with the real binary, and stop
//! the server so that its database file stands alone.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{self, TestApp};
use crate::figures::{added_value, enterprises, finish, paused_import};
use chainpark_core::period::Period;
use chainpark_store::Actor;
use chainpark_store::figures::ImportMessage;

fn chainpark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The current added value of each enterprise in January 2021, read from the store at `path`.
async fn january_values(path: &Path, firms: &[i64]) -> Vec<i64> {
    let store = chainpark_store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("opens");
    let mut out = Vec::new();
    for firm in firms {
        let figures = store
            .enterprise_figures(
                &Actor::system("test"),
                *firm,
                "added_value",
                Period::parse("2021-01").expect("period"),
                None,
            )
            .await
            .expect("read");
        out.push(
            figures
                .iter()
                .filter(|f| !f.superseded)
                .map(|f| f.value)
                .sum(),
        );
    }
    out
}

/// A backup taken while an import reads its file holds none of that import, one taken after it holds all of it;
/// each restores through `chainpark restore` to a store that `chainpark check` passes.
#[tokio::test]
async fn a_backup_taken_during_an_import_restores_to_a_checked_store_with_all_or_none_of_it() {
    let (dir, _, store) = common::binary_database("backup").await;
    let app = TestApp::start(store).await;
    let (_, firms) = enterprises(&app).await;
    let ids = [firms[0].1, firms[1].1];
    // One import stored first, so that the next one revises a value (history) and adds one.
    let (sender, import) = paused_import(&app, vec![added_value(ids[0], 1, 100)]).await;
    sender.send(finish(true)).await.expect("taken");
    import.await.expect("runs").expect("stored");
    let (sender, import) = paused_import(&app, vec![added_value(ids[0], 1, 500)]).await;
    let during = dir.join("during.backup");
    app.store
        .backup(&during)
        .await
        .expect("backed up while the import runs");
    sender
        .send(ImportMessage::Values(vec![added_value(ids[1], 1, 200)]))
        .await
        .expect("taken");
    sender.send(finish(true)).await.expect("taken");
    import.await.expect("runs").expect("stored");
    let after = dir.join("after.backup");
    app.store.backup(&after).await.expect("backed up");
    for (backup, expected) in [(&during, vec![100, 0]), (&after, vec![500, 200])] {
        let restored = dir.join(format!("restored-{}.db", expected[0]));
        let url = format!("sqlite://{}", restored.display());
        let output = chainpark(&["restore", &backup.display().to_string(), "--database", &url]);
        assert!(output.status.success(), "restore: {}", said(&output));
        let output = chainpark(&["check", "--database", &url]);
        assert!(output.status.success(), "check: {}", said(&output));
        assert_eq!(
            january_values(&restored, &ids).await,
            expected,
            "{}",
            backup.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// History written early by an import that never got stored (the program stopped between its history and its
/// write transaction) is removed by the restore; the values stay as they were.
#[tokio::test]
async fn restore_removes_the_history_of_an_import_that_was_never_stored() {
    let (dir, url, store) = common::binary_database("unfinished").await;
    let app = TestApp::start(store).await;
    let (_, firms) = enterprises(&app).await;
    let (sender, import) = paused_import(&app, vec![added_value(firms[0].1, 1, 100)]).await;
    sender.send(finish(true)).await.expect("taken");
    import.await.expect("runs").expect("stored");
    // What a stop between the two phases leaves: a record not stored, and history under it.
    common::tamper(
        &url,
        "INSERT INTO figure_imports (id, at, actor, file_name, stored) \
         VALUES (900, '2026-06-15T10:00:00Z', 'test', 'stopped.csv', FALSE)",
    )
    .await;
    common::tamper(
        &url,
        &format!(
            "INSERT INTO figure_history (enterprise_id, indicator_id, month, value, recorded_at, import_id, \
             superseded_at, superseded_by) \
             SELECT enterprise_id, indicator_id, month, value, '2026-06-15T10:00:00Z', import_id, \
             '2026-06-15T10:00:00Z', 900 FROM figure_values WHERE enterprise_id = {}",
            firms[0].1
        ),
    )
    .await;
    let backup = dir.join("stopped.backup");
    app.store.backup(&backup).await.expect("backed up");
    let restored = dir.join("restored.db");
    let restored_url = format!("sqlite://{}", restored.display());
    let output = chainpark(&[
        "restore",
        &backup.display().to_string(),
        "--database",
        &restored_url,
    ]);
    assert!(output.status.success(), "restore: {}", said(&output));
    assert!(
        said(&output).contains("1 history row(s) of unfinished imports removed"),
        "{}",
        said(&output)
    );
    assert_eq!(january_values(&restored, &[firms[0].1]).await, vec![100]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A backup from a newer chainpark (a migration this one does not know) is refused, naming the version; the
/// store it would have replaced is untouched.
#[tokio::test]
async fn restore_refuses_a_backup_from_a_newer_chainpark_and_leaves_the_store_alone() {
    let (dir, _, store) = common::binary_database("newer").await;
    let backup = dir.join("newer.backup");
    store.backup(&backup).await.expect("backed up");
    common::tamper(
        &format!("sqlite://{}", backup.display()),
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 0)",
    )
    .await;
    let target = dir.join("target.db");
    std::fs::write(&target, b"the store as it was").expect("written");
    let output = chainpark(&[
        "restore",
        &backup.display().to_string(),
        "--replace",
        "--database",
        &format!("sqlite://{}", target.display()),
    ]);
    assert!(!output.status.success());
    assert!(
        said(&output).contains("schema version 9999"),
        "{}",
        said(&output)
    );
    assert_eq!(
        std::fs::read(&target).expect("read"),
        b"the store as it was",
        "the target is untouched"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file that is not a chainpark store is refused by name, and a backup never overwrites a file.
#[tokio::test]
async fn restore_refuses_a_file_that_is_no_store_and_backup_refuses_an_existing_file() {
    let (dir, url, store) = common::binary_database("nostore").await;
    let not_a_store = dir.join("notes.txt");
    std::fs::write(&not_a_store, b"meeting notes, not a database").expect("written");
    let output = chainpark(&[
        "restore",
        &not_a_store.display().to_string(),
        "--database",
        &format!("sqlite://{}", dir.join("restored.db").display()),
    ]);
    assert!(!output.status.success());
    assert!(
        said(&output).contains("is not a chainpark SQLite store"),
        "{}",
        said(&output)
    );
    assert!(!dir.join("restored.db").exists());
    let output = chainpark(&[
        "backup",
        &not_a_store.display().to_string(),
        "--database",
        &url,
    ]);
    assert!(!output.status.success());
    assert!(
        said(&output).contains("exists already"),
        "{}",
        said(&output)
    );
    assert_eq!(
        std::fs::read(&not_a_store).expect("read"),
        b"meeting notes, not a database"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGTERM (what a service manager sends) stops the server cleanly: it exits with success and the database file
/// holds everything, with nothing left in the write-ahead log.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_and_leaves_the_database_file_complete() {
    use std::io::{BufRead, BufReader};
    let (dir, url, store) = common::binary_database("sigterm").await;
    drop(store);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &url])
        .env("RUST_LOG", "warn")
        .env("CHAINPARK_NOW", common::TEST_NOW)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = lines
        .by_ref()
        .map(|l| l.expect("line"))
        .find_map(|l| {
            l.find("http://")
                .map(|at| l[at..].trim_end_matches('/').to_string())
        })
        .expect("prints its address");
    let health = reqwest::get(format!("{address}/healthz"))
        .await
        .expect("answers");
    assert!(health.status().is_success());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let rest: Vec<String> = lines.map(|l| l.expect("line")).collect();
    let status = child.wait().expect("exits");
    assert!(status.success(), "exit status {status}");
    assert!(
        rest.iter().any(|l| l.contains("chainpark stopped")),
        "{rest:?}"
    );
    let wal = dir.join("sigterm.db-wal");
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_bytes, 0, "the write-ahead log was folded into the file");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `/metrics` counts requests by the route they matched (its pattern: no ids), by method and status, with the
/// latency, the imports and the rows they brought, the outbox and the pool; admins read it, and so does the
/// configured metrics token; nobody else.
#[tokio::test]
async fn metrics_count_requests_by_route_and_only_admins_or_the_metrics_token_read_them() {
    for store in common::fresh_stores().await {
        let app = TestApp::start_with(store, |state| {
            state.metrics_token = Some("scrape-secret-123".into());
        })
        .await;
        let (status, _) = app.get("/api/v1/enterprises/987654").await;
        assert_eq!(status, 404, "[{}]", app.engine);
        let (status, _) = app.get("/api/v1/chains").await;
        assert_eq!(status, 200, "[{}]", app.engine);
        let (status, body) = app.get("/metrics").await;
        assert_eq!(status, 200, "[{}] {body}", app.engine);
        let text = body.as_str().expect("text").to_string();
        for expected in [
            r#"chainpark_http_requests_total{method="GET",route="/api/v1/chains",status="200"} 1"#,
            r#"chainpark_http_requests_total{method="GET",route="/api/v1/enterprises/{id}",status="404"} 1"#,
            r#"chainpark_http_request_duration_seconds_bucket{"#,
            "chainpark_mail_outbox_waiting 0",
            r#"chainpark_database_pool_connections{state="max"}"#,
            "chainpark_imports_running 0",
        ] {
            assert!(
                text.contains(expected),
                "[{}] {expected} in\n{text}",
                app.engine
            );
        }
        assert!(
            !text.contains("987654"),
            "[{}] no ids in labels",
            app.engine
        );

        let (status, _) = app.anonymous().get("/metrics").await;
        assert_eq!(status, 401, "[{}] nobody", app.engine);
        let leader = app
            .as_account(
                &common::unique_name("leader"),
                chainpark_core::access::Role::Leader,
                None,
            )
            .await;
        let (status, _) = leader.get("/metrics").await;
        assert_eq!(status, 403, "[{}] a leader", app.engine);
        let scraper = reqwest::Client::new();
        let scraped = scraper
            .get(format!("{}/metrics", app.base))
            .bearer_auth("scrape-secret-123")
            .send()
            .await
            .expect("answered");
        assert_eq!(scraped.status(), 200, "[{}] the metrics token", app.engine);
        let wrong = scraper
            .get(format!("{}/metrics", app.base))
            .bearer_auth("scrape-secret-124")
            .send()
            .await
            .expect("answered");
        assert_eq!(wrong.status(), 401, "[{}] a wrong token", app.engine);
    }
}

/// `--log-format json` writes each log line as one JSON object on standard error.
#[test]
fn log_format_json_writes_one_object_a_line() {
    let dir = std::env::temp_dir().join(common::unique_name("chainpark_json_logs"));
    std::fs::create_dir_all(&dir).expect("folder");
    let url = format!("sqlite://{}", dir.join("logs.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["--log-format", "json", "migrate", "--database", &url])
        .env("RUST_LOG", "info")
        .env("CHAINPARK_NOW", common::TEST_NOW)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", said(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "the fixed clock is logged");
    for line in lines {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            object["level"].is_string() && object["timestamp"].is_string(),
            "{line}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
