//! The scheduling report (调度会) as a page: it renders for the fixture's chain in both languages, with the month
//! chooser and the XLSX link, and a park chief cannot read the report of a chain they do not lead.

use crate::common;
use crate::common::TestApp;
use crate::workflow_common::zone;
use chainpark_core::access::Role;
use reqwest::StatusCode;

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn the_scheduling_report_page_renders_in_both_languages_and_keeps_to_the_scope() {
    for app in common::apps().await {
        let z = zone(&app).await;
        let chain = z.f.chain;
        for (lang, title) in [("zh", "调度会报告"), ("en", "Scheduling report")] {
            let (status, html) = page(
                &app,
                &format!("/reports/scheduling?chain_id={chain}&month=2026-09&lang={lang}"),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "[{}] {lang}: {html}", app.engine);
            assert!(html.contains(title), "[{}] {lang} title", app.engine);
            assert!(html.contains("id=\"report-figures\""), "[{}]", app.engine);
            assert!(html.contains("id=\"report-stages\""), "[{}]", app.engine);
            assert!(html.contains("id=\"report-appeals\""), "[{}]", app.engine);
            assert!(
                html.contains("name=\"month\""),
                "[{}] month chooser",
                app.engine
            );
            assert!(
                html.contains(&format!(
                    "/api/v1/reports/scheduling?chain_id={chain}&amp;month=2026-09&amp;format=xlsx"
                )),
                "[{}] the XLSX link",
                app.engine
            );
            assert!(
                !html.contains("??"),
                "[{}] {lang}: a text is missing",
                app.engine
            );
        }
        let (_, chain_page) = page(&app, &format!("/chains/{chain}")).await;
        assert!(
            chain_page.contains(&format!("/reports/scheduling?chain_id={chain}")),
            "[{}] the chain page links to its report",
            app.engine
        );

        let park = z.f.park;
        let (status, html) = page(
            &app,
            &format!("/reports/scheduling?park_id={park}&month=2026-09&lang=en"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{}] park: {html}", app.engine);
        assert!(
            html.contains("id=\"report-work-orders\""),
            "[{}] a park's work orders",
            app.engine
        );
        let (_, park_page) = page(&app, &format!("/parks/{park}")).await;
        assert!(
            park_page.contains(&format!("/reports/scheduling?park_id={park}")),
            "[{}] the park page links to its report",
            app.engine
        );

        let chief = app
            .as_account("park.chief", Role::ParkChief, Some(z.park_chief))
            .await;
        let (status, _) = page(
            &chief,
            &format!(
                "/reports/scheduling?chain_id={}&month=2026-09",
                z.f.other_chain
            ),
        )
        .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "[{}] a park chief reads no foreign chain's report: {status}",
            app.engine
        );
    }
}
