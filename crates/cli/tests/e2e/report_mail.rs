//! The park's monthly report mailed on the admin's schedule: a due schedule puts exactly one mail a month in the
//! outbox, to the park's chief, with the park's scheduling report attached as a workbook; running again in the same
//! month adds nothing, and the next month adds the next month's report. The runs take the instant they are given.

use chainpark_app::reports::mail_scheduled_reports;
use chainpark_core::disclosure::DisclosureRules;
use chainpark_store::Actor;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::apps;
use crate::workflow_common::zone;

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().expect("an instant")
}

#[tokio::test]
async fn a_due_schedule_mails_the_park_chief_one_report_with_its_workbook_a_month() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let (status, schedule) = admin
            .post(
                "/api/v1/report-schedules",
                json!({"park_id": z.f.park, "day_of_month": 3}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {schedule}", admin.engine);
        let (status, twice) = admin
            .post("/api/v1/report-schedules", json!({"park_id": z.f.park}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {twice}", admin.engine);
        let store = admin.store.as_ref();
        let rules = DisclosureRules::default();
        let reports = |outbox: &[chainpark_store::workflow::OutboxMail]| {
            outbox
                .iter()
                .filter(|m| m.subject.contains("Park report"))
                .map(|m| (m.id, m.to_address.clone(), m.subject.clone()))
                .collect::<Vec<_>>()
        };
        // 2026-07-02 (China): before the schedule's day, nothing is due.
        let early = mail_scheduled_reports(store, &rules, instant("2026-07-02T02:00:00Z"))
            .await
            .expect("ran");
        assert_eq!(early, 0, "[{}]", admin.engine);
        // From the 3rd on, June's report, once however often the run comes.
        for at in [
            "2026-07-03T02:00:00Z",
            "2026-07-03T02:05:00Z",
            "2026-07-20T09:00:00Z",
        ] {
            mail_scheduled_reports(store, &rules, instant(at))
                .await
                .expect("ran");
        }
        let outbox = store
            .list_outbox(&Actor::system("test"))
            .await
            .expect("outbox");
        let june = reports(&outbox);
        assert_eq!(june.len(), 1, "[{}] {june:?}", admin.engine);
        assert_eq!(june[0].1, "chen.yuan@liangjiang.example.com");
        assert!(june[0].2.contains("2026-06"), "{june:?}");
        let files = store
            .mail_attachments(june[0].0)
            .await
            .expect("attachments");
        assert_eq!(files.len(), 1, "[{}]", admin.engine);
        assert!(
            files[0].filename.ends_with("_2026-06.xlsx"),
            "{}",
            files[0].filename
        );
        assert!(files[0].data.starts_with(b"PK"), "a workbook (a zip)");
        // August: July's report, one more mail.
        mail_scheduled_reports(store, &rules, instant("2026-08-05T02:00:00Z"))
            .await
            .expect("ran");
        mail_scheduled_reports(store, &rules, instant("2026-08-06T02:00:00Z"))
            .await
            .expect("ran");
        let outbox = store
            .list_outbox(&Actor::system("test"))
            .await
            .expect("outbox");
        let both = reports(&outbox);
        assert_eq!(both.len(), 2, "[{}] {both:?}", admin.engine);
        assert!(both[1].2.contains("2026-07"), "{both:?}");
        let (_, listed) = admin.get("/api/v1/report-schedules").await;
        assert_eq!(listed[0]["last_month"], "2026-07", "{listed}");
    }
}
