//! A chain's 区域分布图 on every engine: the chain's firms counted per park under their top-level segment, firms
//! outside the parks in a row of their own, a bar per park on the map, linked from the chain page; the chain's
//! task force reads it, another chain's task force does not (the other roles are in the authorisation matrix).

use chainpark_core::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, apps, credit_code};
use crate::workflow_common::zone;

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("answered");
    (response.status(), response.text().await.expect("body"))
}

/// The fixture's chain 汽车产业链 has one top-level segment, 新能源汽车, with 动力电池 below it. Its firms: 长程电池
/// (动力电池, 鱼复), 鱼复整车 (新能源汽车 and 动力电池, 鱼复: counted once), 城外电池 (动力电池, no park), and a second
/// top-level segment 智能座舱 with 座舱科技 (鱼复). So 鱼复: 新能源汽车 2, 智能座舱 1, 3 firms; outside: 新能源汽车 1.
#[tokio::test]
async fn the_distribution_map_counts_the_chains_firms_per_park_once_per_top_level_segment() {
    for admin in apps().await {
        let z = zone(&admin).await;
        let cockpit = admin
            .create(
                "/api/v1/segments",
                json!({"chain_id": z.f.chain, "code": "auto-ckp", "name": "智能座舱", "stage": "midstream"}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        for (body, name, park, segments) in [
            (
                "91500112MA5U7G3X3",
                "鱼复整车有限公司",
                Some(z.f.park),
                vec![z.f.root_segment, z.f.child_segment],
            ),
            (
                "91500112MA5U7G4X3",
                "城外电池有限公司",
                None,
                vec![z.f.child_segment],
            ),
            (
                "91500112MA5U7G5X3",
                "座舱科技有限公司",
                Some(z.f.park),
                vec![cockpit],
            ),
        ] {
            admin
                .create(
                    "/api/v1/enterprises",
                    json!({"credit_code": credit_code(body), "name": name, "industry_code": "3670",
                        "district": "500112", "park_id": park, "segment_ids": segments}),
                )
                .await;
        }
        let path = format!("/chains/{}/distribution", z.f.chain);
        let (status, html) = page(&admin, &path).await;
        assert_eq!(status, StatusCode::OK, "[{}] {html}", admin.engine);
        let table = html
            .split("id=\"dist-table\"")
            .nth(1)
            .expect("the table")
            .split("</table>")
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(
            table.contains(&format!(
                "<a href=\"/parks/{}\">鱼复工业园</a></td><td>3</td><td>2</td><td>1</td>",
                z.f.park
            )),
            "[{}] 鱼复: 3 firms, 2 under 新能源汽车, 1 under 智能座舱: {table}",
            admin.engine
        );
        assert!(
            table.contains("<td>园区外</td><td>1</td><td>1</td><td>0</td>"),
            "[{}] the firm outside the parks: {table}",
            admin.engine
        );
        assert!(
            html.contains(&format!("<g class=\"marks\" data-park=\"{}\">", z.f.park)),
            "[{}] the park's bar on the map",
            admin.engine
        );
        assert!(html.contains("新能源汽车 (3)") && html.contains("智能座舱 (1)"));
        let (_, chain_page) = page(&admin, &format!("/chains/{}", z.f.chain)).await;
        assert!(
            chain_page.contains(&format!("href=\"{path}\"")),
            "[{}] the chain page links the distribution map",
            admin.engine
        );
        let task_force = admin
            .as_account("dist.tf", Role::ChainTaskForce, Some(z.task_force))
            .await;
        assert_eq!(page(&task_force, &path).await.0, StatusCode::OK);
        let other = admin
            .as_account("dist.other", Role::ChainTaskForce, Some(z.other_task_force))
            .await;
        assert_eq!(
            page(&other, &path).await.0,
            StatusCode::FORBIDDEN,
            "[{}] another chain's task force",
            admin.engine
        );
    }
}
