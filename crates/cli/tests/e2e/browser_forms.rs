//! The forms in a real browser (Chromium through chromedriver, as `browser`), each role's day: the enterprise files
//! an appeal through the form (a bad form first: the message beside the field in Chinese, the input kept); the
//! admin gives the chief the appeal was routed to an account, finding the person by name; that chief accepts the
//! case, assigns it by picking a person by name, handles, replies and closes it; the enterprise rates it once and
//! is not offered a second rating; the chain chief creates a key project by picking chain, park and chief by name.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::browser::{
    ADMIN_PASSWORD, DEMO_PASSWORD, screenshot, screenshot_en, screenshots, screenshots_zh, sign_in,
    sign_out, text_of, wait_for_url, with_browser,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_works_the_appeal_loop_and_a_new_project_through_the_forms() {
    with_browser("forms", day_of_forms).await;
}

async fn type_into(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.expect(id);
    field.clear().await.expect("cleared");
    field.send_keys(text).await.expect("typed");
}

async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .expect("clicked");
}

async fn value_of(client: &Client, id: &str) -> String {
    client
        .find(Locator::Id(id))
        .await
        .expect(id)
        .prop("value")
        .await
        .expect("a value")
        .unwrap_or_default()
}

/// Picks the option of select `id` whose text contains `text` (not the "choose" option); returns its text.
async fn pick(client: &Client, id: &str, text: &str) -> String {
    let options = client
        .find_all(Locator::Css(&format!("#{id} option")))
        .await
        .expect("options");
    for option in options {
        let label = option.text().await.expect("label");
        let value = option
            .attr("value")
            .await
            .expect("value")
            .unwrap_or_default();
        if !value.is_empty() && label.contains(text) {
            option.click().await.expect("chosen");
            return label;
        }
    }
    panic!("no option of #{id} contains {text:?}");
}

/// Picks the first real option of select `id` whose text does not contain `unlike`; returns its text.
async fn pick_other(client: &Client, id: &str, unlike: &str) -> String {
    let options = client
        .find_all(Locator::Css(&format!("#{id} option")))
        .await
        .expect("options");
    for option in options {
        let label = option.text().await.expect("label");
        let value = option
            .attr("value")
            .await
            .expect("value")
            .unwrap_or_default();
        if !value.is_empty() && !label.contains(unlike) {
            option.click().await.expect("chosen");
            return label;
        }
    }
    panic!("#{id} offers nobody but {unlike:?}");
}

/// Waits until the element `css` (after a form's answer has loaded) says `needle`; returns its text.
async fn text_with(client: &Client, css: &str, needle: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        // The page may be replaced between finding the element and reading it: try again then.
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return text;
        }
        if std::time::Instant::now() > deadline {
            let errors = client
                .find_all(Locator::Css(".field-error"))
                .await
                .expect("a query");
            let mut shown = Vec::new();
            for e in errors {
                shown.push(e.text().await.unwrap_or_default());
            }
            panic!("{css} never said {needle:?}: {text}; messages on the page: {shown:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn present(client: &Client, css: &str) -> bool {
    !client
        .find_all(Locator::Css(css))
        .await
        .expect("a query")
        .is_empty()
}

async fn day_of_forms(client: Client, base: String) {
    // The enterprise files an appeal; first without a title: the same form comes back with the message beside
    // the title in Chinese, and what was typed is still there.
    sign_in(&client, &base, "enterprise", DEMO_PASSWORD).await;
    client
        .goto(&format!("{base}/appeals"))
        .await
        .expect("opens");
    client
        .find(Locator::Css("#category option[value='permits']"))
        .await
        .expect("the permits category")
        .click()
        .await
        .expect("chosen");
    type_into(
        &client,
        "description",
        "三号厂房扩建的施工许可已提交两周，仍无进展",
    )
    .await;
    click(&client, "#file-appeal button[type=submit]").await;
    let message = text_with(&client, "#title-error", "请").await;
    assert_eq!(
        message, "请填写此项",
        "the message beside the title, in Chinese"
    );
    assert!(
        present(&client, "#form-errors").await,
        "the form says what to do"
    );
    assert_eq!(
        value_of(&client, "description").await,
        "三号厂房扩建的施工许可已提交两周，仍无进展",
        "the description typed is kept"
    );
    assert_eq!(
        value_of(&client, "category").await,
        "permits",
        "the category chosen is kept"
    );
    let page = client.source().await.expect("source");
    assert!(
        !page.contains("invalid input") && !page.contains("is required"),
        "no developer text on the Chinese page"
    );
    screenshots_zh(&client, "appeal-form-error").await;
    // The same mistake on the English page: the message beside the title in English, the input kept.
    client
        .goto(&format!("{base}/appeals?lang=en"))
        .await
        .expect("opens");
    fill_appeal_without_title(&client).await;
    click(&client, "#file-appeal button[type=submit]").await;
    let message = text_with(&client, "#title-error", "Required").await;
    assert_eq!(
        message, "Required",
        "the message beside the title, in English"
    );
    screenshot(&client, "appeal-form-error-en").await;
    // Back in Chinese, the enterprise files it with a title.
    client
        .goto(&format!("{base}/appeals?lang=zh"))
        .await
        .expect("opens");
    fill_appeal_without_title(&client).await;
    type_into(&client, "title", "扩建厂房施工许可办理进度").await;
    click(&client, "#file-appeal button[type=submit]").await;
    wait_for_url(&client, "the filed appeal", |u| u.contains("filed=1")).await;
    let url = client.current_url().await.expect("url");
    let appeal = url.path().to_string();
    let handler = text_of(&client, "#appeal-handler").await;
    assert!(!handler.is_empty(), "the appeal was routed to somebody");
    assert!(
        !present(&client, "#step-rate").await && !present(&client, "#step-accept").await,
        "the enterprise is offered no officer's step and nothing to rate yet"
    );
    sign_out(&client).await;

    // The admin gives the person it was routed to (the park's chief) an account, finding the person by name.
    sign_in(&client, &base, "admin", ADMIN_PASSWORD).await;
    client
        .goto(&format!("{base}/accounts"))
        .await
        .expect("opens");
    type_into(&client, "person_q", &handler).await;
    click(&client, "#find-person-button").await;
    wait_for_url(&client, "the people found", |u| u.contains("person_q=")).await;
    let person = pick(&client, "person_id", &handler).await;
    assert!(
        person.contains(" · "),
        "the person is shown with the post, not an id: {person}"
    );
    type_into(&client, "username", "routed.chief").await;
    type_into(&client, "password", "routed-chief-password").await;
    client
        .find(Locator::Css("#role option[value='park_chief']"))
        .await
        .expect("the park chief role")
        .click()
        .await
        .expect("chosen");
    click(&client, "#new-account button[type=submit]").await;
    let created = text_of(&client, "#account-created").await;
    assert!(created.contains("routed.chief"), "{created}");
    sign_out(&client).await;

    // The routed chief: accepting is the step offered first; then handling comes before reassigning, and the
    // assign form chooses nobody until a person is picked by name.
    sign_in(&client, &base, "routed.chief", "routed-chief-password").await;
    client
        .goto(&format!("{base}{appeal}"))
        .await
        .expect("opens");
    let first = text_of(&client, "form.form.primary").await;
    assert!(first.contains("受理"), "accept comes first: {first}");
    click(&client, "#step-accept button[type=submit]").await;
    text_with(&client, "#appeal-status", "已受理").await;
    let primary = client
        .find(Locator::Css("form.form.primary"))
        .await
        .expect("a first form")
        .attr("id")
        .await
        .expect("id")
        .unwrap_or_default();
    assert_eq!(primary, "step-handle", "handling comes before reassigning");
    assert_eq!(
        value_of(&client, "assignee-assign").await,
        "",
        "the assign form names nobody until a person is picked"
    );
    let assignee = pick_other(&client, "assignee-assign", &handler).await;
    let assignee_name = assignee.split(" · ").next().expect("a name").to_string();
    type_into(&client, "note-assign", "请与企业联系，三日内答复").await;
    click(&client, "#step-assign button[type=submit]").await;
    // The assignment names the assignee in the history.
    text_with(&client, "#appeal-steps", &format!("交办给 {assignee_name}")).await;
    assert_eq!(text_of(&client, "#appeal-assignee").await, assignee_name);
    screenshots(&client, "appeal-detail").await;
    click(&client, "#step-handle button[type=submit]").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("note-reply"))
        .await
        .expect("the reply form");
    type_into(&client, "note-reply", "已协调住建部门，施工许可本周内核发").await;
    click(&client, "#step-reply button[type=submit]").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("note-close"))
        .await
        .expect("the close form");
    type_into(&client, "note-close", "回访：企业已领取施工许可").await;
    click(&client, "#step-close button[type=submit]").await;
    text_with(&client, "#appeal-status", "已办结").await;
    sign_out(&client).await;

    // The enterprise rates the answer once; the rating is not offered again, re-opening is (within the window).
    sign_in(&client, &base, "enterprise", DEMO_PASSWORD).await;
    client
        .goto(&format!("{base}{appeal}"))
        .await
        .expect("opens");
    client
        .find(Locator::Css("#rating option[value='4']"))
        .await
        .expect("a rating of 4")
        .click()
        .await
        .expect("chosen");
    click(&client, "#step-rate button[type=submit]").await;
    text_with(&client, "#appeal-rating", "4").await;
    assert!(
        !present(&client, "#step-rate").await,
        "a rated answer is not offered for rating again"
    );
    assert!(
        present(&client, "#step-reopen").await,
        "re-opening is offered"
    );
    let until = text_of(&client, "#reopen-until").await;
    assert_eq!(until, "2026-06-23", "five working days after closing");
    sign_out(&client).await;

    // The chain chief creates a key project by picking chain, park and chief by name; a bad form first.
    sign_in(&client, &base, "chain.chief", DEMO_PASSWORD).await;
    client
        .goto(&format!("{base}/projects/new"))
        .await
        .expect("opens");
    type_into(&client, "investor", "重庆某新能源科技有限公司").await;
    type_into(&client, "planned_investment", "12x").await;
    click(&client, "#new-project button[type=submit]").await;
    assert_eq!(text_with(&client, "#name-error", "请").await, "请填写此项");
    assert_eq!(
        text_of(&client, "#planned_investment-error").await,
        "请填写数字"
    );
    assert_eq!(
        value_of(&client, "investor").await,
        "重庆某新能源科技有限公司",
        "the investor typed is kept"
    );
    type_into(&client, "name", "动力电池回收利用基地").await;
    type_into(&client, "planned_investment", "50000").await;
    let chain = client
        .find(Locator::Css("#chain_id option:checked"))
        .await
        .expect("the chief's chain")
        .text()
        .await
        .expect("a name");
    assert!(
        !chain.is_empty() && !chain.contains("请选择"),
        "a chief of one chain has it chosen: {chain}"
    );
    pick_other(&client, "park_id", "（不指定）").await;
    let chief = pick_other(&client, "chief_person_id", "（不指定）").await;
    assert!(
        chief.contains("链长"),
        "the chief is shown with the post: {chief}"
    );
    screenshots_zh(&client, "project-form").await;
    click(&client, "#new-project button[type=submit]").await;
    wait_for_url(&client, "the new project", |u| {
        u.contains("/projects/") && !u.contains("/new")
    })
    .await;
    assert_eq!(text_of(&client, "h1").await, "动力电池回收利用基地");
    let facts = text_of(&client, "#project-facts").await;
    assert!(
        facts.contains("重庆某新能源科技有限公司"),
        "the project as typed: {facts}"
    );
    screenshot_en(&client, &base, "/projects/new", "project-form").await;
}

/// Chooses the permits category and types the description of the appeal form, leaving the title empty.
async fn fill_appeal_without_title(client: &Client) {
    client
        .find(Locator::Css("#category option[value='permits']"))
        .await
        .expect("the permits category")
        .click()
        .await
        .expect("chosen");
    type_into(
        client,
        "description",
        "三号厂房扩建的施工许可已提交两周，仍无进展",
    )
    .await;
}
