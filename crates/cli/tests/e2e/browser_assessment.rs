//! The per-mu evaluation in a real browser (Chromium through chromedriver, as `browser`), on the demo: a leader
//! opens the evaluation from the navigation, chooses a park, reads its A/B/C/D list sorted by class, and opens the
//! best firm's explanation with the value, benchmark, weight, cap and points of each indicator of its population;
//! then the park's plan of parcels coloured by class, and the first chain's 区域分布图.

use fantoccini::{Client, Locator};

use crate::browser::{
    DEMO_PASSWORD, screenshot, screenshots, sign_in, text_of, wait_for_url, with_browser,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_opens_a_parks_class_list_and_one_firms_explanation() {
    with_browser("assessment", class_list_and_explanation).await;
}

async fn rows(client: &Client) -> usize {
    client
        .find_all(Locator::Css("#assess-list tbody tr td a"))
        .await
        .map_or(0, |r| r.len())
}

async fn class_list_and_explanation(client: Client, base: String) {
    let base = base.as_str();
    sign_in(&client, base, "leader", DEMO_PASSWORD).await;
    client
        .find(Locator::Id("nav-assessment"))
        .await
        .expect("the navigation leads to the evaluation")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the class list", |u| u.contains("/assessment")).await;
    assert!(
        text_of(&client, "#assess-run").await.contains("cq-core4"),
        "the demo's run under the Chongqing preset"
    );
    // The first park whose list has firms.
    let options = client
        .find_all(Locator::Css("#park_id option"))
        .await
        .expect("the parks");
    let mut parks = Vec::new();
    for option in options {
        if let Some(value) = option.attr("value").await.expect("a value")
            && !value.is_empty()
        {
            parks.push(value);
        }
    }
    let mut opened = None;
    for park in parks {
        client
            .find(Locator::Css(&format!("#park_id option[value='{park}']")))
            .await
            .expect("the park's option")
            .click()
            .await
            .expect("chosen");
        client
            .find(Locator::Css("#assess-filter button[type='submit']"))
            .await
            .expect("the show button")
            .click()
            .await
            .expect("clicked");
        wait_for_url(&client, "the park's list", |u| {
            u.contains(&format!("park_id={park}"))
        })
        .await;
        if rows(&client).await > 0 {
            opened = Some(park);
            break;
        }
    }
    let park = opened.expect("a park with evaluated firms");
    let counts = text_of(&client, "#assess-counts").await;
    for class in ["A", "B", "C", "D", "T"] {
        assert!(
            counts.contains(class),
            "the counts name class {class}: {counts}"
        );
    }
    screenshots(&client, "assessment-list").await;
    client
        .find(Locator::Id("sort-class"))
        .await
        .expect("sorting by class")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the list by class", |u| {
        u.contains("sort=class") && u.contains(&format!("park_id={park}"))
    })
    .await;
    let first_class = text_of(&client, "#assess-list tbody tr td:nth-child(3)").await;
    assert!(
        ["A", "B", "C", "D", "T"].contains(&first_class.trim()),
        "a class letter first: {first_class}"
    );
    client
        .find(Locator::Id("sort-score"))
        .await
        .expect("sorting by score")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the list by score", |u| u.contains("sort=score")).await;
    let best = text_of(&client, "#assess-list tbody tr td a").await;
    client
        .find(Locator::Css("#assess-list tbody tr td a"))
        .await
        .expect("the best firm")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&client, "the firm's explanation", |u| u.contains("/firms/")).await;
    assert_eq!(text_of(&client, "h1").await.trim(), best.trim());
    let class = text_of(&client, "#assess-firm-class").await;
    assert!(
        ["A", "B", "C", "D"].contains(&class.trim()),
        "the best firm is graded: {class}"
    );
    let items = client
        .find_all(Locator::Css("#assess-items tbody tr"))
        .await
        .expect("the indicators");
    assert!(!items.is_empty(), "the indicators of the firm's population");
    let first = text_of(&client, "#assess-items tbody tr").await;
    assert!(
        first.contains("亩均增加值"),
        "each indicator by name with its computation: {first}"
    );
    screenshot(&client, "assessment-firm").await;
    // The park's plan: its parcels coloured by their holders' class, with a legend.
    client
        .goto(&format!("{base}/parks/{park}"))
        .await
        .expect("the park page");
    let parcels = client
        .find_all(Locator::Css("#park-plan svg polygon.parcel"))
        .await
        .expect("the plan's parcels");
    assert!(
        !parcels.is_empty(),
        "the demo's parcels drawn on the park's plan"
    );
    let graded = client
        .find_all(Locator::Css(
            "#park-plan svg polygon.class-A, #park-plan svg polygon.class-B, #park-plan svg polygon.class-C",
        ))
        .await
        .expect("graded parcels");
    assert!(!graded.is_empty(), "parcels coloured by class");
    screenshot(&client, "park-plan").await;
    // The first chain's 区域分布图: its firms per park by top-level segment.
    client
        .goto(&format!("{base}/chains/1/distribution"))
        .await
        .expect("the distribution map");
    let parks = client
        .find_all(Locator::Css("#dist-table tbody tr"))
        .await
        .expect("the parks' rows");
    assert!(!parks.is_empty(), "the chain's firms sit in parks");
    let bars = client
        .find_all(Locator::Css("#dist-map svg g.marks rect"))
        .await
        .expect("the bars");
    assert!(!bars.is_empty(), "a bar per park on the map");
    screenshot(&client, "chain-distribution").await;
}
