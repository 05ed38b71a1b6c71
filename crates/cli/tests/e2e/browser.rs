//! The web interface in a real browser: Debian's Chromium, driven headless through chromedriver (WebDriver, with
//! fantoccini), against the real binary's demo command in a fresh folder — what a new user does after reading the
//! README. Without chromedriver or Chromium the test says SKIPPED on the terminal and passes; with
//! CHAINPARK_REQUIRE_BROWSER=1 (CI sets it) it fails instead. With CHAINPARK_SCREENSHOTS=DIR it also saves PNG
//! screenshots of the pages it visits into DIR (that is how docs/screenshots/ is made).

use crate::common;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub(crate) const REQUIRE_VAR: &str = "CHAINPARK_REQUIRE_BROWSER";
const SCREENSHOTS_VAR: &str = "CHAINPARK_SCREENSHOTS";
pub(crate) const DEMO_PASSWORD: &str = "chainpark-demo";
pub(crate) const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A child process that is ended when the test is done, however it ends.
pub(crate) struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The chromedriver and Chromium to drive, or `None` after saying the test is skipped (a failure instead when
/// the CI asks for browsers with `CHAINPARK_REQUIRE_BROWSER`).
pub(crate) fn browser_or_skip() -> Option<(PathBuf, PathBuf)> {
    let require = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1" || v == "true");
    match browser_programs() {
        Ok(found) => Some(found),
        Err(why) if require => panic!("{REQUIRE_VAR}=1 but {why}"),
        Err(why) => {
            common::tell(&format!(
                "SKIPPED browser test: {why}; set {REQUIRE_VAR}=1 to make this a failure"
            ));
            None
        }
    }
}

/// Runs `walk` in a fresh Chromium (its own profile, named `name`) against the server at `base`, then closes the
/// browser and fails the test with the walk's own panic when it failed.
pub(crate) async fn run_in_browser<F, Fut>(
    (driver, chromium): (&Path, &Path),
    name: &str,
    base: String,
    walk: F,
) where
    F: FnOnce(Client, String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let profile = scratch(&format!("{name}_profile"));
    let (_driver, client) = start_browser(driver, chromium, &profile).await;
    let outcome = tokio::spawn(walk(client.clone(), base)).await;
    let _ = client.close().await;
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Runs `walk` in a fresh Chromium against a fresh demo zone (the `chainpark demo` program, its data in a
/// scratch folder named `name`): the set-up every browser test of a role's day shares.
pub(crate) async fn with_browser<F, Fut>(name: &str, walk: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((driver, chromium)) = browser_or_skip() else {
        return;
    };
    let data_dir = scratch(&format!("{name}_data"));
    let (_server, base) = start_demo(&data_dir);
    run_in_browser((&driver, &chromium), name, base, walk).await;
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// chromedriver and Chromium, from CHROMEDRIVER / CHROME_BIN or the PATH.
pub(crate) fn browser_programs() -> Result<(PathBuf, PathBuf), String> {
    let driver = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| on_path(&["chromedriver"]))
        .ok_or("chromedriver is not installed (Debian package chromium-driver)")?;
    let chromium = std::env::var_os("CHROME_BIN")
        .map(PathBuf::from)
        .or_else(|| on_path(&["chromium", "chromium-browser", "google-chrome"]))
        .ok_or("Chromium is not installed (Debian package chromium)")?;
    Ok((driver, chromium))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "chainpark_browser_{name}_{}_{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The binary's demo command on a free port of loopback, in a fresh folder; returns its address.
pub(crate) fn start_demo(data_dir: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainpark"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .env("CHAINPARK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("CHAINPARK_NOW", common::TEST_NOW)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(at) = line.find("http://") {
            url = Some(line[at..].trim().trim_end_matches('/').to_string());
            break;
        }
    }
    (running, url.expect("the demo prints its address"))
}

pub(crate) async fn start_browser(
    driver: &Path,
    chromium: &Path,
    profile: &Path,
) -> (Running, Client) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let running = Running(child);
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1366,900", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {"intl.accept_languages": "zh-CN,zh"}
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&webdriver)
            .await
        {
            Ok(client) => return (running, client),
            Err(e) if Instant::now() > deadline => panic!("chromedriver did not answer: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Saves a screenshot of the whole page when CHAINPARK_SCREENSHOTS names a folder.
pub(crate) async fn screenshot(client: &Client, name: &str) {
    screenshot_at(client, name, 1366).await;
}

/// Whether this run saves screenshots (CHAINPARK_SCREENSHOTS names a folder).
pub(crate) fn saving_screenshots() -> bool {
    std::env::var_os(SCREENSHOTS_VAR).is_some()
}

/// Saves the page as it is now in Chinese (`{name}-zh`) and at a phone's width (`{name}-phone`), without leaving
/// it: for a page that is the answer to a form. [`screenshot_en`] adds the English one.
pub(crate) async fn screenshots_zh(client: &Client, name: &str) {
    screenshot_at(client, &format!("{name}-zh"), 1366).await;
    screenshot_at(client, &format!("{name}-phone"), 390).await;
}

/// Saves the page at `path` in English (`{name}-en`), then opens it again in Chinese (the language is kept in a
/// cookie, so the walk goes on in Chinese). Nothing happens unless screenshots are being saved.
pub(crate) async fn screenshot_en(client: &Client, base: &str, path: &str, name: &str) {
    if !saving_screenshots() {
        return;
    }
    let with = |lang: &str| {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{base}{path}{sep}lang={lang}")
    };
    client.goto(&with("en")).await.expect("the English page");
    text_of(client, "main").await;
    screenshot_at(client, &format!("{name}-en"), 1366).await;
    client
        .goto(&with("zh"))
        .await
        .expect("the Chinese page again");
    text_of(client, "main").await;
}

/// Saves the page the browser is on (one reached by a GET) in Chinese, at a phone's width and in English
/// (`{name}-zh`, `{name}-phone`, `{name}-en`), and comes back to it in Chinese.
pub(crate) async fn screenshots(client: &Client, name: &str) {
    if !saving_screenshots() {
        return;
    }
    screenshots_zh(client, name).await;
    let url = client.current_url().await.expect("url");
    let mut path = url.path().to_string();
    let query: Vec<&str> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .collect();
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let base = url.origin().ascii_serialization();
    screenshot_en(client, &base, &path, name).await;
}

/// The same at a window `width` pixels wide (390 is a phone).
async fn screenshot_at(client: &Client, name: &str, width: u32) {
    let Some(dir) = std::env::var_os(SCREENSHOTS_VAR) else {
        return;
    };
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 4000);
    let _ = client.set_window_size(width, 900).await;
    let height = if width == 1366 {
        height
    } else {
        client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900)
            .clamp(600, 6000)
    };
    let _ = client.set_window_size(width, height as u32 + 120).await;
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    std::fs::write(Path::new(&dir).join(format!("{name}.png")), png)
        .expect("the screenshot is saved");
    let _ = client.set_window_size(1366, 900).await;
}

pub(crate) async fn text_of(client: &Client, css: &str) -> String {
    match client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element.text().await.expect("text"),
        Err(e) => {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let source = client.source().await.unwrap_or_default();
            panic!(
                "no {css} on {url}: {e}\n{}",
                source.chars().take(3000).collect::<String>()
            )
        }
    }
}

/// Clicks `css` and waits until the answer has replaced the page. A form that answers with a redirect to the page
/// it was on leaves the URL as it was, so waiting for the URL alone would read the old page: this waits until the
/// old page's root element is gone (stale) instead.
pub(crate) async fn click_and_wait_for_new_page(client: &Client, css: &str, what: &str) {
    let old_page = client
        .find(Locator::Css("html"))
        .await
        .expect("the page before the click");
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} for {what}: {e}"))
        .click()
        .await
        .expect("clicked");
    let deadline = Instant::now() + Duration::from_secs(30);
    while old_page.tag_name().await.is_ok() {
        if Instant::now() > deadline {
            panic!("{what}: the answer never replaced the page");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the browser has navigated to a URL that `arrived` accepts.
pub(crate) async fn wait_for_url(client: &Client, what: &str, arrived: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(url) = client.current_url().await {
            if arrived(url.as_str()) {
                return;
            }
            if Instant::now() > deadline {
                panic!("the browser did not reach {what}; it is at {url}");
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn sign_in(client: &Client, base: &str, username: &str, password: &str) {
    // Chinese, whatever language the browser asks for (the story reads Chinese labels until it switches).
    client
        .goto(&format!("{base}/?lang=zh"))
        .await
        .expect("the start page opens");
    let url = client.current_url().await.expect("url");
    assert!(
        url.path().starts_with("/sign-in"),
        "not signed in, so sent to the sign-in page, not {url}"
    );
    client
        .find(Locator::Id("username"))
        .await
        .expect("a username field")
        .send_keys(username)
        .await
        .expect("typed");
    client
        .find(Locator::Id("password"))
        .await
        .expect("a password field")
        .send_keys(password)
        .await
        .expect("typed");
    client
        .find(Locator::Id("sign-in"))
        .await
        .expect("a button")
        .click()
        .await
        .expect("clicked");
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form[action='/sign-out']"))
        .await
        .expect("signed in: the page offers to sign out");
}

pub(crate) async fn sign_out(client: &Client) {
    client
        .find(Locator::Css("form[action='/sign-out'] button"))
        .await
        .expect("a sign-out button")
        .click()
        .await
        .expect("clicked");
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("username"))
        .await
        .expect("back on the sign-in page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_signs_in_reads_the_dashboard_chain_map_and_park_finds_a_firm_imports_and_switches_language()
 {
    with_browser("story", story).await;
}

async fn story(client: Client, base: String) {
    // Sign in as a leader: the home of a leader is the dashboard.
    sign_in(&client, &base, "leader", DEMO_PASSWORD).await;
    let url = client.current_url().await.expect("url");
    assert_eq!(url.path(), "/dashboard", "a leader lands on the dashboard");

    // The dashboard shows the published figures of H1 2021.
    let digital = text_of(&client, "#kpi-digital-value").await;
    assert!(
        digital.contains("336.28 亿元"),
        "digital-economy added value: {digital}"
    );
    assert!(digital.contains("54.6 %"), "its growth: {digital}");
    assert!(
        digital.contains("33.3 %"),
        "its share of the city: {digital}"
    );
    let firms = text_of(&client, "#kpi-digital-firms").await;
    assert!(firms.contains("6000余家"), "digital-economy firms: {firms}");
    assert!(
        client
            .find_all(Locator::Css("svg.map a"))
            .await
            .expect("map")
            .len()
            >= 15,
        "the parks map links every park"
    );
    screenshots(&client, "dashboard").await;

    // The output for Q1–Q3 2021, chosen in the period form.
    client
        .goto(&format!("{base}/dashboard?period=2021-YTD-09"))
        .await
        .expect("opens");
    let output = text_of(&client, "#kpi-output").await;
    assert!(
        output.contains("3161.20 亿元") && output.contains("29.4 %"),
        "industrial output: {output}"
    );
    let transformation = text_of(&client, "#kpi-transformation").await;
    assert!(
        transformation.contains("233")
            && transformation.contains("60")
            && transformation.contains("21"),
        "233 transformation projects, 60 digital workshops and 21 intelligent factories by September 2021: {transformation}"
    );

    // A chain map: open the automobile chain and click a segment that has firms.
    client.goto(&format!("{base}/chains")).await.expect("opens");
    client
        .find(Locator::Css("#chain-list tbody a"))
        .await
        .expect("a chain")
        .click()
        .await
        .expect("clicked");
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#chain-map svg a.segment-link"))
        .await
        .expect("the chain map has segments");
    assert!(
        !client
            .find_all(Locator::Css("#chain-map .seg.gap"))
            .await
            .expect("gaps")
            .is_empty(),
        "the demo's automobile chain shows its gaps"
    );
    screenshots(&client, "chain-map").await;
    let mut chosen = None;
    for link in client
        .find_all(Locator::Css("a.segment-link"))
        .await
        .expect("links")
    {
        let firms: usize = link
            .attr("data-firms")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if firms >= 3 {
            chosen = Some((link, firms));
            break;
        }
    }
    let (link, firms) = chosen.expect("a segment with firms");
    link.click().await.expect("the segment is clicked");
    let title = text_of(&client, "#segment-title").await;
    assert!(
        title.contains(&firms.to_string()),
        "the list names its {firms} firms: {title}"
    );
    let rows = client
        .find_all(Locator::Css("#segment-firms tbody tr"))
        .await
        .expect("rows");
    assert_eq!(
        rows.len(),
        firms.min(200),
        "every firm of the segment is listed"
    );

    // A park page: its chief, land and firms.
    client.goto(&format!("{base}/parks")).await.expect("opens");
    client
        .find(Locator::Css("#park-list tbody a"))
        .await
        .expect("a park")
        .click()
        .await
        .expect("clicked");
    let chief = text_of(&client, "#park-chief").await;
    assert!(!chief.trim().is_empty(), "the park names its chief");
    screenshot(&client, "park").await;

    // Search an enterprise by part of its Chinese name.
    client
        .goto(&format!("{base}/enterprises"))
        .await
        .expect("opens");
    client
        .find(Locator::Id("q"))
        .await
        .expect("a search field")
        .send_keys("长安")
        .await
        .expect("typed");
    client
        .find(Locator::Id("search"))
        .await
        .expect("a button")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the search results", |u| u.contains("q=")).await;
    let count = text_of(&client, "#result-count").await;
    let names = client
        .find_all(Locator::Css("#results tbody tr td:first-child"))
        .await
        .expect("rows");
    assert!(!names.is_empty(), "长安 finds enterprises: {count}");
    for cell in names {
        let name = cell.text().await.expect("name");
        assert!(name.contains("长安"), "{name} does not contain 长安");
    }
    // The first one's page: registry data, segments, park and monthly figures.
    client
        .find(Locator::Css("#results tbody tr td:first-child a"))
        .await
        .expect("a link")
        .click()
        .await
        .expect("clicked");
    let facts = text_of(&client, "#enterprise-facts").await;
    assert!(
        facts.contains("长安") || facts.contains("91"),
        "the enterprise page: {facts}"
    );
    let figures = text_of(&client, "#figures").await;
    assert!(
        figures.contains("2021-06"),
        "its monthly figures: {figures}"
    );
    screenshot(&client, "enterprise").await;

    // Import a file with one bad row as the admin: the report names that row, and nothing is stored.
    sign_out(&client).await;
    sign_in(&client, &base, "admin", ADMIN_PASSWORD).await;
    client.goto(&format!("{base}/import")).await.expect("opens");
    let dir = scratch("import");
    let file = dir.join("figures-with-a-bad-row.csv");
    std::fs::write(
        &file,
        "统一社会信用代码,企业名称,期间,指标,数值,单位\n\
         91500105202800006W,重庆长安汽车股份有限公司,2021-01,增加值,1234.56,万元\n\
         91500105202800006W,重庆长安汽车股份有限公司,2021-02,增加值,12x3,万元\n",
    )
    .expect("the file is written");
    client
        .find(Locator::Id("import-file"))
        .await
        .expect("a file field")
        .send_keys(&file.to_string_lossy())
        .await
        .expect("the file is chosen");
    client
        .find(Locator::Id("import-submit"))
        .await
        .expect("a button")
        .click()
        .await
        .expect("clicked");
    let rejected = text_of(&client, "#rows-rejected").await;
    assert_eq!(rejected.trim(), "1", "one row is rejected");
    let outcome = text_of(&client, "#import-outcome").await;
    assert!(outcome.contains("未保存"), "nothing is stored: {outcome}");
    let errors = text_of(&client, "#import-errors tbody").await;
    assert!(errors.starts_with('3'), "the bad row is line 3: {errors}");
    assert!(
        errors.contains("12x3"),
        "the report shows the bad cell: {errors}"
    );
    screenshot(&client, "import-report").await;
    let _ = std::fs::remove_dir_all(&dir);
    // The import history lists the refused file with a link to its row report.
    client
        .goto(&format!("{base}/imports"))
        .await
        .expect("opens");
    let history = text_of(&client, "#import-history tbody").await;
    assert!(
        history.contains("figures-with-a-bad-row.csv") && history.contains("已拒绝"),
        "the refused file in the history: {history}"
    );
    screenshot(&client, "import-history").await;

    // Switch the language: English labels on this page and the next.
    client
        .find(Locator::Id("switch-language"))
        .await
        .expect("a switch")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the English page", |u| u.contains("lang=en")).await;
    let heading = text_of(&client, "h1").await;
    assert!(
        heading.starts_with("Import history"),
        "English heading: {heading}"
    );
    client
        .goto(&format!("{base}/dashboard"))
        .await
        .expect("opens");
    let nav = text_of(&client, "header nav").await;
    assert!(
        nav.contains("Dashboard") && nav.contains("Enterprises"),
        "English navigation: {nav}"
    );
    let digital = text_of(&client, "#kpi-digital-value").await;
    assert!(
        digital.contains("Digital-economy added value"),
        "English label: {digital}"
    );
}

/// A park chief opens the park page, sees the board with a leak alarm, and follows the alarm to its work order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_park_chief_sees_the_board_with_an_alarm_and_opens_its_work_order() {
    let Some((driver, chromium)) = browser_or_skip() else {
        return;
    };
    let store = common::fresh_stores().await.remove(0);
    let app = common::TestApp::start(store).await;
    let z = crate::workflow_common::zone(&app).await;
    let order = crate::meters::leaking_meter(&app, z.f.park).await;
    common::create_account(
        &app.store,
        "board.chief",
        chainpark_core::access::Role::ParkChief,
        Some(z.park_chief),
    )
    .await;
    let base = app.base.clone();
    let park = z.f.park;
    run_in_browser(
        (&driver, &chromium),
        "board",
        base.clone(),
        move |client, base| async move {
            sign_in(&client, &base, "board.chief", common::PASSWORD).await;
            client
                .goto(&format!("{base}/parks/{park}?lang=en"))
                .await
                .expect("the park page opens");
            let alarms = text_of(&client, "#board-alarms").await;
            assert!(
                alarms.contains("W-1") && alarms.contains("Night-time flow (leak)"),
                "{alarms}"
            );
            screenshot(&client, "park-board").await;
            client
                .find(Locator::Css("a.alarm-work-order"))
                .await
                .expect("a link to the alarm's work order")
                .click()
                .await
                .expect("clicked");
            wait_for_url(&client, "the work order's page", |url| {
                url.contains(&format!("/work-orders/{order}"))
            })
            .await;
            let alarm = text_of(&client, "#work-order-alarm").await;
            assert!(alarm.contains("W-1"), "the alarm it came from: {alarm}");
            screenshot(&client, "work-order").await;
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chiefs_day_alerts_agreeing_counts_and_the_scheduling_report_printed_on_a4() {
    with_browser("lists", chiefs_day).await;
}

/// The digits after `label` in `text`.
fn count_after(text: &str, label: &str) -> u64 {
    let rest = text
        .split(label)
        .nth(1)
        .unwrap_or_else(|| panic!("{label} in {text}"));
    rest.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("a number after {label} in {text}"))
}

/// Pages of a PDF as Chromium writes it: one `/Type /Page` dictionary each (`/Type /Pages` is the tree).
/// Prints the page as Chromium would to PDF on A4, checks that it is a PDF of A4 pages (595 × 842 points) and
/// answers how many pages it has.
pub(crate) async fn print_on_a4(client: &Client) -> usize {
    let pdf = client
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .size(fantoccini::wd::PrintSize::A4)
                .build()
                .expect("a print configuration"),
        )
        .await
        .expect("printed to PDF");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/MediaBox [0 0 595") || text.contains("/MediaBox[0 0 595"),
        "A4 pages (595 × 842 points)"
    );
    pdf_pages(&pdf)
}

fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

async fn chiefs_day(client: Client, base: String) {
    // The chain chief lands on the chain's page, where the overdue appeals of the demo stand first in the alerts.
    sign_in(&client, &base, "chain.chief", DEMO_PASSWORD).await;
    let url = client.current_url().await.expect("url");
    assert!(
        url.path().starts_with("/chains/"),
        "the chief lands on the chain, not {url}"
    );
    let alerts = text_of(&client, "#alerts").await;
    assert!(
        alerts.contains("诉求逾期"),
        "an overdue appeal is listed: {alerts}"
    );
    screenshots(&client, "chief-landing").await;
    let first = client
        .find(Locator::Css("#alerts li[data-kind='appeal_overdue'] a"))
        .await
        .expect("an overdue appeal's link");
    let href = first.attr("href").await.expect("href").unwrap_or_default();
    assert!(href.starts_with("/appeals/"), "{href}");
    first.click().await.expect("clicked");
    wait_for_url(&client, "the appeal", |u| u.contains("/appeals/")).await;
    sign_out(&client).await;

    // A leader: the dashboard's key-project card and the projects page it links to count the same signed projects.
    sign_in(&client, &base, "leader", DEMO_PASSWORD).await;
    client
        .goto(&format!("{base}/dashboard?period=2022"))
        .await
        .expect("dashboard");
    let card = text_of(&client, "#kpi-projects").await;
    let signed = count_after(&card, "签约");
    client
        .find(Locator::Css("#kpi-projects a.kpi-link"))
        .await
        .expect("the card links its list")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the projects page", |u| {
        u.contains("/projects?as_of=2022-12-31")
    })
    .await;
    let listed: u64 = client
        .find(Locator::Css("#project-figures tbody tr"))
        .await
        .expect("the zone's row")
        .attr("data-signed")
        .await
        .expect("attribute")
        .unwrap_or_default()
        .parse()
        .expect("a number");
    assert_eq!(
        signed, listed,
        "the dashboard and the projects page agree for 2022"
    );

    // The scheduling report from the navigation, printed for the meeting: A4 pages, a handful of them.
    client
        .find(Locator::Id("nav-report"))
        .await
        .expect("the report is in the navigation")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the report", |u| u.contains("/reports/scheduling")).await;
    text_of(&client, "#report-figures").await;
    screenshots(&client, "scheduling-report").await;
    let pages = print_on_a4(&client).await;
    assert!(
        (1..=8).contains(&pages),
        "the report prints on a few A4 pages, not {pages}"
    );
}
