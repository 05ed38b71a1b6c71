//! The English pages are entirely English: a leader reads the demo's main pages with `?lang=en` in a real browser
//! (Chromium through chromedriver, as `browser`), and no text the page itself writes — labels, units, post titles,
//! industry names, hover titles — is Chinese. What people typed in Chinese and has no English (a person's name,
//! a firm without an English name, an industry code the English table does not name) is marked `lang="zh-CN"`,
//! and only that is allowed to be Chinese.

use fantoccini::Client;
use serde_json::{Value, json};

use crate::browser::{DEMO_PASSWORD, sign_in, text_of, with_browser};

/// Every piece of Chinese on the page outside an element marked Chinese: text, and the titles, placeholders and
/// labels a reader meets, each as "tag#id: text".
const STRAY_CHINESE: &str = r#"
const cjk = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const marked = (el) => el.closest('[lang^="zh"], script, style, noscript');
const where = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  if (!el || marked(el)) continue;
  if (cjk.test(node.textContent)) out.push(where(el) + ': ' + node.textContent.trim().slice(0, 80));
}
for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
  if (marked(el)) continue;
  for (const name of ['title', 'placeholder', 'aria-label']) {
    const value = el.getAttribute(name);
    if (value && cjk.test(value)) out.push(where(el) + ' @' + name + ': ' + value.slice(0, 80));
  }
}
if (cjk.test(document.title)) out.push('title: ' + document.title);
return out;
"#;

async fn stray_chinese(client: &Client) -> Vec<String> {
    let found = client
        .execute(STRAY_CHINESE, vec![])
        .await
        .expect("the scan runs");
    match found {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        other => panic!("the scan answered {other}"),
    }
}

/// The id of the first item of an API list whose `field` is `value`, or the first item's.
async fn first_id(
    base: &str,
    http: &reqwest::Client,
    path: &str,
    pick: Option<(&str, &str)>,
) -> i64 {
    let list: Value = http
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    let items = list["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .find(|item| pick.is_none_or(|(field, value)| item[field] == json!(value)))
        .and_then(|item| item["id"].as_i64())
        .unwrap_or_else(|| panic!("nothing in {path}: {list}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_english_pages_show_no_chinese_but_the_names_people_typed() {
    with_browser("english", english_pages).await;
}

async fn english_pages(client: Client, base: String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "leader", "password": DEMO_PASSWORD}))
        .send()
        .await
        .expect("signed in")
        .json()
        .await
        .expect("json");
    assert!(signed["csrf_token"].is_string(), "{signed}");
    let chain = first_id(
        &base,
        &http,
        "/api/v1/chains?limit=100",
        Some(("code", "AUTO")),
    )
    .await;
    let park = first_id(&base, &http, "/api/v1/parks?limit=1", None).await;
    // A firm of the automobile chain whose industry class (4 digits) has no English name of its own.
    let firm = first_id(
        &base,
        &http,
        &format!("/api/v1/enterprises?chain_id={chain}&limit=1"),
        None,
    )
    .await;
    sign_in(&client, &base, "leader", DEMO_PASSWORD).await;
    let pages = [
        "/dashboard".to_string(),
        "/chains".to_string(),
        format!("/chains/{chain}"),
        format!("/chains/{chain}/health"),
        format!("/chains/{chain}/roadmap"),
        "/parks".to_string(),
        format!("/parks/{park}"),
        format!("/enterprises/{firm}"),
        "/projects".to_string(),
        format!("/reports/scheduling?chain_id={chain}"),
        "/assessment".to_string(),
        "/scorecards".to_string(),
    ];
    let mut strays = Vec::new();
    for path in &pages {
        let sep = if path.contains('?') { '&' } else { '?' };
        client
            .goto(&format!("{base}{path}{sep}lang=en"))
            .await
            .expect("the page opens");
        text_of(&client, "main h1").await;
        for stray in stray_chinese(&client).await {
            strays.push(format!("{path}: {stray}"));
        }
    }
    // Back to Chinese for whoever uses this browser's cookie next.
    client
        .goto(&format!("{base}/dashboard?lang=zh"))
        .await
        .expect("the Chinese page");
    assert!(
        strays.is_empty(),
        "Chinese on English pages ({}):\n{}",
        strays.len(),
        strays.join("\n")
    );
}
