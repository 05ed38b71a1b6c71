//! The attraction roadmap in a real browser, against the real binary's demo: the admin opens the automobile chain's
//! 招商路线图, turns the top target of 氢燃料电池汽车 into a lead, sees the lead under the segment, and downloads the
//! chain's workbook (N图N清单) with the session's cookie, then prints the chain's N图N清单 on A4. Skipped like the
//! other browser tests without Chromium.

use crate::browser::{
    ADMIN_PASSWORD, click_and_wait_for_new_page, print_on_a4, screenshot, screenshots, sign_in,
    text_of, wait_for_url, with_browser,
};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// The automobile chain's id and its fuel-cell segment's, through the API as the admin.
async fn auto_chain(base: &str) -> (i64, i64) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("signed in")
        .json()
        .await
        .expect("json");
    assert!(signed["csrf_token"].is_string(), "{signed}");
    let chains: Value = http
        .get(format!("{base}/api/v1/chains?limit=100"))
        .send()
        .await
        .expect("chains")
        .json()
        .await
        .expect("json");
    let chain = chains["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["code"] == json!("AUTO"))
        .and_then(|c| c["id"].as_i64())
        .expect("the automobile chain");
    let segments: Value = http
        .get(format!("{base}/api/v1/segments?chain_id={chain}&limit=500"))
        .send()
        .await
        .expect("segments")
        .json()
        .await
        .expect("json");
    let segment = segments["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["code"] == json!("AUTO-NEV-FCV"))
        .and_then(|s| s["id"].as_i64())
        .expect("the fuel-cell segment");
    (chain, segment)
}

async fn roadmap(client: Client, base: String) {
    let (chain, segment) = auto_chain(&base).await;
    sign_in(&client, &base, "admin", ADMIN_PASSWORD).await;
    client
        .goto(&format!("{base}/chains/{chain}/roadmap"))
        .await
        .expect("the roadmap opens");
    let section = format!("#gap-{segment}");
    let gap = text_of(&client, &section).await;
    assert!(gap.contains("氢燃料电池汽车"), "{gap}");
    assert!(gap.contains("沪清氢能动力科技有限公司"), "{gap}");
    let score = client
        .find(Locator::Css(&format!("{section} tr.target td.score")))
        .await
        .expect("the top target's score");
    let hover = score.attr("title").await.expect("attr").unwrap_or_default();
    assert!(
        hover.contains("环节匹配") && hover.contains("权重"),
        "the score explains itself in Chinese: {hover}"
    );
    screenshots(&client, "roadmap").await;
    click_and_wait_for_new_page(
        &client,
        &format!("{section} tr.target form.to-lead button"),
        "the top target's lead form",
    )
    .await;
    wait_for_url(&client, "the roadmap again", |url| {
        url.ends_with(&format!("/chains/{chain}/roadmap"))
    })
    .await;
    let leads = text_of(&client, &format!("{section} ul.leads")).await;
    assert!(
        leads.contains("沪清氢能动力科技有限公司") && leads.contains("线索"),
        "the new lead is listed with its stage: {leads}"
    );
    let href = client
        .find(Locator::Id("roadmap-workbook"))
        .await
        .expect("the workbook link")
        .attr("href")
        .await
        .expect("attr")
        .expect("an href");
    let cookies = client.get_all_cookies().await.expect("cookies");
    let cookie = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let answer = reqwest::Client::new()
        .get(format!("{base}{href}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("the workbook downloads");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(chainpark_app::exports::XLSX)
    );
    let bytes = answer.bytes().await.expect("bytes");
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    use calamine::Reader;
    let sheets = workbook.sheet_names();
    assert_eq!(
        sheets,
        [
            "产业链诊断",
            "招商目标清单",
            "招商线索",
            "项目清单",
            "企业清单",
            "问题清单",
            "政策清单"
        ]
    );
    let leads = workbook
        .worksheet_range("招商线索")
        .expect("the leads sheet");
    assert!(
        leads.rows().any(|row| row
            .iter()
            .any(|c| c.to_string().contains("沪清氢能动力科技有限公司"))),
        "the workbook lists the new lead"
    );

    // The printable N图N清单 for the chain's scheduling meeting: A4 pages, a handful of them, with the map's legend,
    // the new lead and the demo's policies.
    client
        .goto(&format!("{base}/chains/{chain}/print"))
        .await
        .expect("the printable set opens");
    let set = text_of(&client, "#print-set").await;
    assert!(
        set.contains("沪清氢能动力科技有限公司") && set.contains("动力电池回收利用试点实施方案"),
        "{set}"
    );
    screenshot(&client, "chain-print").await;
    let pages = print_on_a4(&client).await;
    assert!(
        (2..=8).contains(&pages),
        "the set prints on a few A4 pages, not {pages}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_automobile_roadmap_turns_its_top_target_into_a_lead_and_downloads_the_workbook() {
    with_browser("roadmap", roadmap).await;
}
