//! Hostile files through the API and the command line, on every engine: each kind (generated here, by
//! `chainpark_import::hostile`) answers a 4xx problem naming the reason, the server goes on answering, and nothing
//! is stored. Uploads past the size limit answer 413; the first visible sheet is read; a file of other firms' rows
//! keeps a small report; the spool folder is cleaned at start.

use crate::common;
use crate::common::{PASSWORD, TestApp, credit_code, fixture, fresh_stores};
use chainpark_app::spool::Spool;
use chainpark_core::access::Role;
use chainpark_import::ImportLimits;
use chainpark_import::hostile;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One application per engine, served with these import limits.
async fn apps_with(limits: ImportLimits) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for store in fresh_stores().await {
        let limits = limits.clone();
        apps.push(TestApp::start_with(store, |state| state.import_limits = limits).await);
    }
    apps
}

/// Two enterprises of the fixture; returns their credit codes and ids.
async fn enterprises(app: &TestApp) -> (common::Fixture, Vec<(String, i64)>) {
    let f = fixture(app).await;
    let mut out = Vec::new();
    for i in 0..2 {
        let code = credit_code(&format!("91500000MA7H0000{i}"));
        let created = app
            .create(
                "/api/v1/enterprises",
                json!({"credit_code": code, "name": format!("测试企业{i}"), "industry_code": "3612",
                       "district": "500112", "park_id": f.park, "segment_ids": [f.root_segment]}),
            )
            .await;
        out.push((code, created["id"].as_i64().expect("id")));
    }
    (f, out)
}

async fn upload(
    app: &TestApp,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    app.send_file(
        Method::POST,
        &format!("/api/v1/imports?{query}"),
        content_type,
        body,
    )
    .await
}

async fn added_value_2021_01(app: &TestApp) -> Value {
    let (status, body) = app
        .get("/api/v1/stats?indicator=added_value&period=2021-01")
        .await;
    assert_eq!(status, StatusCode::OK, "[{}] {body}", app.engine);
    body["groups"][0]["value"]["hundredths"].clone()
}

fn good_csv(code: &str) -> Vec<u8> {
    format!("统一社会信用代码,期间,指标,数值\n{code},2021-01,增加值,1\n").into_bytes()
}

/// After a hostile file: the server answers, a good file imports, and only its value is there.
async fn server_lives_on_and_nothing_was_stored(app: &TestApp, code: &str) {
    assert_eq!(
        added_value_2021_01(app).await,
        Value::Null,
        "[{}] stored",
        app.engine
    );
    let (status, body) = upload(app, "filename=good.csv", "text/csv", good_csv(code)).await;
    assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
    assert_eq!(
        added_value_2021_01(app).await,
        json!(100),
        "[{}]",
        app.engine
    );
}

fn problem_message(problem: &Value) -> String {
    format!(
        "{} {}",
        problem["detail"].as_str().unwrap_or_default(),
        problem["errors"][0]["message"].as_str().unwrap_or_default()
    )
}

#[tokio::test]
async fn workbook_with_a_cell_past_the_last_column_is_refused_naming_it_and_the_server_lives_on() {
    for app in apps_with(ImportLimits::default()).await {
        let (_, firms) = enterprises(&app).await;
        let book = hostile::far_reference("FXSHRXW2");
        assert!(book.len() < 2_000);
        let (status, problem) = upload(&app, "filename=far.xlsx", XLSX, book).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert_eq!(
            problem["errors"][0]["field"], "file",
            "[{}] {problem}",
            app.engine
        );
        let message = problem_message(&problem);
        assert!(
            message.contains("FXSHRXW2") && message.contains("XFD1048576"),
            "[{}] {message}",
            app.engine
        );
        server_lives_on_and_nothing_was_stored(&app, &firms[0].0).await;
    }
}

#[tokio::test]
async fn every_kind_of_hostile_file_answers_a_problem_naming_its_reason() {
    let mut wide_row = Vec::new();
    hostile::write_wide_empty_row_csv(&mut wide_row, 1_000_000).expect("in memory");
    let long_cell = format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,{},1\n",
        credit_code("91500000MA7H00000"),
        "增".repeat(40_000)
    )
    .into_bytes();
    let kinds: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "gzzzzz.xlsx",
            hostile::far_reference("GZZZZZ2"),
            "cell_out_of_range",
        ),
        (
            "far-row.xlsx",
            hostile::far_reference("A1048577"),
            "cell_out_of_range",
        ),
        (
            "bomb.xlsx",
            hostile::shared_strings_bomb(32 << 20),
            "zip_bomb",
        ),
        (
            "huge-cell.xlsx",
            hostile::huge_cell(20 << 20),
            "element_too_large",
        ),
        (
            "long-string.xlsx",
            hostile::long_shared_string(1 << 20, 300, &credit_code("91500000MA7H00000")),
            "element_too_large",
        ),
        (
            "bad-index.xlsx",
            hostile::bad_shared_string_index("99"),
            "bad_shared_string",
        ),
        ("parts.xlsx", hostile::many_parts(10_001), "too_many_parts"),
        (
            "element.xlsx",
            hostile::huge_element(2 << 20),
            "element_too_large",
        ),
        (
            "comment.xlsx",
            hostile::comment_bomb(2 << 20),
            "element_too_large",
        ),
        ("wide-row.csv", wide_row, "too_many_cells"),
        ("long-cell.csv", long_cell, "cell_too_long"),
    ];
    for app in apps_with(ImportLimits::default()).await {
        let (_, firms) = enterprises(&app).await;
        for (name, body, reason) in &kinds {
            let (status, problem) = upload(
                &app,
                &format!("filename={name}"),
                "application/octet-stream",
                body.clone(),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{}] {name}: {problem}",
                app.engine
            );
            let message = problem_message(&problem);
            assert!(
                message.contains(reason),
                "[{}] {name}: {message}",
                app.engine
            );
            let (status, _) = app.get("/healthz").await;
            assert_eq!(status, StatusCode::OK, "[{}] after {name}", app.engine);
        }
        server_lives_on_and_nothing_was_stored(&app, &firms[0].0).await;
    }
}

/// Sends the file with chunked transfer encoding (no length announced), signed in as the admin, and returns the
/// answer's status.
async fn upload_chunked(app: &TestApp, total: usize) -> u16 {
    let signed_in = reqwest::Client::new()
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .expect("signed in");
    let cookies: Vec<String> = signed_in
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next().map(str::to_string))
        .collect();
    let session: Value = signed_in.json().await.expect("JSON");
    let csrf = session["csrf_token"].as_str().unwrap_or_default();
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    let head = format!(
        "POST /api/v1/imports?filename=big.csv HTTP/1.1\r\nHost: {address}\r\nCookie: {}\r\nX-CSRF-Token: {csrf}\r\n\
         Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        cookies.join("; ")
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let chunk = vec![b'a'; 8192];
    let mut sent = 0;
    while sent < total {
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        if stream.write_all(&frame).await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn upload_past_the_size_limit_is_refused_with_413_naming_the_limit() {
    let limits = ImportLimits {
        max_upload_bytes: 100_000,
        ..ImportLimits::default()
    };
    for app in apps_with(limits).await {
        let (_, firms) = enterprises(&app).await;
        let big = vec![b'a'; 200_000];
        let (status, problem) = upload(&app, "filename=big.csv", "text/csv", big.clone()).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "[{}] {problem}",
            app.engine
        );
        assert!(
            problem_message(&problem).contains("max_upload_bytes = 100000"),
            "[{}] {problem}",
            app.engine
        );
        // A form's file part is counted as it streams.
        let boundary = "hostile-boundary";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"
        )
        .into_bytes();
        form.extend_from_slice(&big);
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let (status, problem) = upload(
            &app,
            "",
            &format!("multipart/form-data; boundary={boundary}"),
            form,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "[{}] {problem}",
            app.engine
        );
        // A body that announces no length is counted too.
        assert_eq!(upload_chunked(&app, 300_000).await, 413, "[{}]", app.engine);
        server_lives_on_and_nothing_was_stored(&app, &firms[0].0).await;
    }
}

#[tokio::test]
async fn workbook_past_the_workbook_size_limit_is_refused_with_413() {
    let limits = ImportLimits {
        max_xlsx_bytes: 1_000,
        ..ImportLimits::default()
    };
    for app in apps_with(limits).await {
        let (_, firms) = enterprises(&app).await;
        let book = hostile::plain_workbook(&[vec!["统一社会信用代码".to_string(); 50]]);
        let (status, problem) = upload(&app, "filename=a.xlsx", XLSX, book).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "[{}] {problem}",
            app.engine
        );
        assert!(
            problem_message(&problem).contains("max_xlsx_bytes = 1000"),
            "[{}] {problem}",
            app.engine
        );
        server_lives_on_and_nothing_was_stored(&app, &firms[0].0).await;
    }
}

fn long_rows(code: &str, value: &str) -> Vec<Vec<String>> {
    vec![
        ["统一社会信用代码", "期间", "指标", "数值"]
            .map(String::from)
            .to_vec(),
        [code, "2021-01", "增加值", value]
            .map(String::from)
            .to_vec(),
    ]
}

#[tokio::test]
async fn first_visible_sheet_is_read_unless_the_user_names_one_and_the_report_says_which() {
    for app in apps_with(ImportLimits::default()).await {
        let (_, firms) = enterprises(&app).await;
        let book = hostile::hidden_first_sheet(
            &long_rows(&firms[0].0, "999"),
            &long_rows(&firms[0].0, "1"),
        );
        let (status, body) = upload(&app, "filename=two-sheets.xlsx", XLSX, book.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        let report = &body["import"]["report"];
        assert_eq!(report["sheet"], "本月", "[{}] {report}", app.engine);
        assert_eq!(
            report["other_sheets"],
            json!([{"name": "旧数据", "hidden": true}]),
            "[{}]",
            app.engine
        );
        assert_eq!(
            added_value_2021_01(&app).await,
            json!(100),
            "[{}]",
            app.engine
        );
        let page = app
            .client
            .get(format!("{}/imports/{}", app.base, body["import"]["id"]))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("HTML");
        assert!(
            page.contains(r#"<dd id="import-sheet-read">本月</dd>"#) && page.contains("旧数据 ("),
            "[{}] the report page names the sheet read and the hidden one",
            app.engine
        );

        let (status, body) = upload(
            &app,
            &format!(
                "filename=two-sheets.xlsx&sheet={}",
                "%E6%97%A7%E6%95%B0%E6%8D%AE"
            ),
            XLSX,
            book,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.engine);
        assert_eq!(body["import"]["report"]["sheet"], "旧数据");
        assert_eq!(
            added_value_2021_01(&app).await,
            json!(99_900),
            "[{}]",
            app.engine
        );

        let (status, problem) = upload(
            &app,
            "filename=x.xlsx&sheet=nope",
            XLSX,
            hostile::plain_workbook(&long_rows(&firms[0].0, "1")),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {problem}",
            app.engine
        );
        assert!(
            problem_message(&problem).contains("sheet_not_found"),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn enterprise_sending_many_rows_of_other_firms_gets_a_report_of_the_first_ones() {
    for app in apps_with(ImportLimits::default()).await {
        let (f, firms) = enterprises(&app).await;
        app.create(
            "/api/v1/posts",
            json!({"person_id": f.person, "role": "enterprise_contact", "enterprise_id": firms[0].1, "starts_on": "2021-08-01"}),
        )
        .await;
        let firm = app
            .as_account("firm0", Role::Enterprise, Some(f.person))
            .await;
        let mut csv = Vec::new();
        hostile::write_rows_csv(&mut csv, &[firms[1].0.clone()], 12_000).expect("in memory");
        let (status, body) = upload(&firm, "filename=others.csv", "text/csv", csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        let report = &body["import"]["report"];
        assert_eq!(report["rows_rejected"], 12_000, "[{}]", app.engine);
        assert_eq!(report["error_count"], 12_000, "[{}]", app.engine);
        assert_eq!(
            report["errors"].as_array().map(Vec::len),
            Some(10_000),
            "[{}]",
            app.engine
        );
        assert_eq!(report["errors"][0]["line"], 2);
        assert_eq!(
            added_value_2021_01(&app).await,
            Value::Null,
            "[{}]",
            app.engine
        );
    }
}

#[tokio::test]
async fn long_cell_failing_many_rows_keeps_the_stored_report_small() {
    for app in apps_with(ImportLimits::default()).await {
        let (_, firms) = enterprises(&app).await;
        let book = hostile::long_shared_string(32_000, 300, &firms[0].0);
        let (status, body) = upload(&app, "filename=long.xlsx", XLSX, book).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        let id = body["import"]["id"].as_i64().expect("an import record");
        let answer = app
            .client
            .get(format!("{}/api/v1/imports/{id}", app.base))
            .send()
            .await
            .expect("answered")
            .bytes()
            .await
            .expect("body");
        assert!(
            answer.len() < 600_000,
            "[{}] {} bytes",
            app.engine,
            answer.len()
        );
        server_lives_on_and_nothing_was_stored(&app, &firms[0].0).await;
    }
}

#[test]
fn spool_folders_of_ended_processes_are_removed_at_start_and_running_ones_kept() {
    let root = std::env::temp_dir().join(format!("chainpark_spool_test_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let running = Spool::new(root.clone());
    running.start().expect("starts");
    // What a process killed during an upload leaves: its folder, an unlocked lock file and the upload.
    let dead = root.join("4000000-0");
    std::fs::create_dir_all(&dead).expect("folder");
    std::fs::write(dead.join(".lock"), b"").expect("lock file");
    std::fs::write(dead.join("upload-0"), vec![b'a'; 1000]).expect("upload");
    std::fs::write(root.join("stray"), b"x").expect("stray file");

    let next = Spool::new(root.clone());
    let removed = next.start().expect("starts");
    assert_eq!((removed.folders, removed.files), (1, 2));
    assert!(!dead.exists());
    let folders = std::fs::read_dir(&root).expect("root").count();
    assert_eq!(folders, 2, "the running spool's folder and the new one");
    drop(running);
    drop(next);
    assert_eq!(std::fs::read_dir(&root).expect("root").count(), 0);
    let _ = std::fs::remove_dir_all(&root);
}

fn run_binary(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_chainpark"));
    command.args(args).env("RUST_LOG", "warn");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

#[tokio::test]
async fn import_command_refuses_hostile_files_with_a_clear_error_and_reads_the_named_sheet() {
    let (dir, url, store) = common::binary_database("cli_hostile").await;
    let zone = chainpark_core::demo::demo_zone();
    store
        .load_registry(&chainpark_store::Actor::system("test"), &zone)
        .await
        .expect("registry");
    drop(store);
    let code = zone.enterprises[0].credit_code.clone();

    let far = dir.join("far.xlsx");
    std::fs::write(&far, hostile::far_reference("FXSHRXW2")).expect("file");
    let out = run_binary(
        &["import", far.to_str().expect("path"), "--database", &url],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("FXSHRXW2") && stderr.contains("XFD1048576"),
        "{stderr}"
    );

    // A limit from the environment, named in the refusal.
    let csv = dir.join("long.csv");
    std::fs::write(
        &csv,
        format!("统一社会信用代码,期间,指标,数值\n{code},2021-01,增加值,12345678901234567890\n"),
    )
    .expect("file");
    let out = run_binary(
        &["import", csv.to_str().expect("path"), "--database", &url],
        &[("CHAINPARK_IMPORT_MAX_CELL_CHARS", "10")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("max_cell_chars = 10"), "{stderr}");

    let book = dir.join("two-sheets.xlsx");
    std::fs::write(
        &book,
        hostile::hidden_first_sheet(&long_rows(&code, "999"), &long_rows(&code, "1")),
    )
    .expect("file");
    let out = run_binary(
        &[
            "import",
            book.to_str().expect("path"),
            "--sheet",
            "旧数据",
            "--database",
            &url,
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("sheet read: 旧数据") && stdout.contains("本月"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The imports added for land, leases, candidates and meter readings read workbooks through the same guard as the
/// figure import: a cell past the sheet's last column is refused with 4xx naming the cell, and nothing is stored.
#[tokio::test]
async fn the_land_lease_candidate_and_readings_imports_refuse_a_hostile_workbook_naming_it_and_store_nothing()
 {
    for app in apps_with(ImportLimits::default()).await {
        for (path, list) in [
            ("/api/v1/land-parcels/import", Some("/api/v1/land-parcels")),
            ("/api/v1/leases/import", Some("/api/v1/leases")),
            ("/api/v1/candidates/import", Some("/api/v1/candidates")),
            ("/api/v1/meter-readings/file", None),
        ] {
            let (status, answer) = app
                .send_file(
                    Method::POST,
                    &format!("{path}?filename=far.xlsx"),
                    XLSX,
                    hostile::far_reference("GZZZZZ2"),
                )
                .await;
            assert!(
                status.is_client_error(),
                "[{}] {path}: {status} {answer}",
                app.engine
            );
            assert!(
                answer.to_string().contains("GZZZZZ2"),
                "[{}] {path}: the answer names the cell: {answer}",
                app.engine
            );
            if let Some(list) = list {
                let (_, listed) = app.get(list).await;
                let stored = listed["total"]
                    .as_u64()
                    .or_else(|| listed.as_array().map(|rows| rows.len() as u64));
                assert_eq!(stored, Some(0), "[{}] {list}: {listed}", app.engine);
            }
        }
        let (status, _) = app.get("/healthz").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.engine);
    }
}

/// The file imports that are not figure imports (meter readings, land parcels, leases, candidates, reference tables)
/// refuse a file past `max_upload_bytes` with a 413 problem that names the limit, and store nothing; a file under
/// that limit but past the request body limit of JSON bodies is read, and refused for what it holds (422).
#[tokio::test]
async fn a_file_import_past_its_size_limit_is_refused_with_413_and_stores_nothing() {
    let limits = ImportLimits {
        max_upload_bytes: 100_000,
        ..ImportLimits::default()
    };
    let imports = [
        ("/api/v1/meter-readings/file?filename=big.csv", None),
        (
            "/api/v1/land-parcels/import?filename=big.csv",
            Some("/api/v1/land-parcels"),
        ),
        (
            "/api/v1/leases/import?filename=big.csv",
            Some("/api/v1/leases"),
        ),
        (
            "/api/v1/candidates/import?filename=big.csv",
            Some("/api/v1/candidates"),
        ),
        (
            "/api/v1/reference-tables?name=big&region=500000&measure=gross_output&year=2024&source=test&filename=big.csv",
            Some("/api/v1/reference-tables"),
        ),
    ];
    for app in apps_with(limits).await {
        for (path, list) in imports {
            let (status, problem) = app
                .send_file(Method::POST, path, "text/csv", vec![b'a'; 200_000])
                .await;
            assert_eq!(
                (status, problem["status"].as_u64()),
                (StatusCode::PAYLOAD_TOO_LARGE, Some(413)),
                "[{}] {path}: {problem}",
                app.engine
            );
            assert!(
                problem_message(&problem).contains("max_upload_bytes = 100000"),
                "[{}] {path}: {problem}",
                app.engine
            );
            if let Some(list) = list {
                let (_, listed) = app.get(list).await;
                let stored = listed["total"]
                    .as_u64()
                    .or_else(|| listed.as_array().map(|rows| rows.len() as u64));
                assert_eq!(stored, Some(0), "[{}] {list}: {listed}", app.engine);
            }
        }
    }
    // Past the JSON body limit, under the upload limit: read, and answered for what it holds.
    let limits = ImportLimits {
        max_upload_bytes: 4 * chainpark_web::BODY_LIMIT as u64,
        ..ImportLimits::default()
    };
    for app in apps_with(limits).await {
        for (path, _) in imports {
            let (status, problem) = app
                .send_file(
                    Method::POST,
                    path,
                    "text/csv",
                    vec![b'a'; chainpark_web::BODY_LIMIT + 10],
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{}] {path}: {problem}",
                app.engine
            );
        }
    }
}
