//! The authorisation matrix of the chiefs' daily work (appeals, projects, transformation, work orders, inbox,
//! reports): every such endpoint × every role (and no one) × an object of the role's own chain, park or
//! enterprise and one outside it, with the answer expected. An endpoint of these parts of the API without a row
//! fails the test. One person holds every scoped post of the own side, so each scoped account shares it.

mod common;
mod workflow_common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use chainpark_core::access::Role;
use common::{TestApp, apps};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    As(Role),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Own,
    Foreign,
}

use Role::*;
use Scope::*;
use Who::*;

type Expect = fn(Who, Scope) -> u16;

fn read_all(who: Who, _: Scope) -> u16 {
    if who == Nobody { 401 } else { 200 }
}

fn admin_only(ok: u16) -> impl Fn(Who, Scope) -> u16 {
    move |who, _| match who {
        Nobody => 401,
        As(Admin) => ok,
        _ => 403,
    }
}

fn admin_creates(who: Who, s: Scope) -> u16 {
    admin_only(201)(who, s)
}

fn admin_changes(who: Who, s: Scope) -> u16 {
    admin_only(200)(who, s)
}

fn rules_read(who: Who, _: Scope) -> u16 {
    match who {
        Nobody => 401,
        As(Enterprise) => 403,
        _ => 200,
    }
}

/// Filing: the enterprise itself, its chain's chief and task force, its park's chief and staff, the admin.
fn file_appeal(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) => 201,
        (As(Enterprise | ChainChief | ChainTaskForce | ParkChief | ParkStaff), Own) => 201,
        _ => 403,
    }
}

/// Seeing an appeal: readers of everything; the chain's chief and task force, the park's people, the enterprise.
fn read_appeal(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 200,
        (As(ChainOwner), _) => 404,
        (_, Own) => 200,
        _ => 404,
    }
}

/// Accepting (a step): the admin and the chiefs of its chain or park; others who see it get 403.
fn step_appeal(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ParkChief), Own) => 200,
        (As(Leader | Analyst), _) | (As(ChainTaskForce | ParkStaff | Enterprise), Own) => 403,
        _ => 404,
    }
}

fn create_project(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => 201,
        _ => 403,
    }
}

fn read_project(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 200,
        (As(Enterprise), _) => 404,
        (_, Own) => 200,
        _ => 404,
    }
}

fn change_project_with(ok: u16) -> impl Fn(Who, Scope) -> u16 {
    move |who, scope| match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => ok,
        (As(Leader | Analyst), _) | (As(ChainOwner | ParkChief | ParkStaff), Own) => 403,
        _ => 404,
    }
}

fn change_project(who: Who, s: Scope) -> u16 {
    change_project_with(200)(who, s)
}

fn add_milestone(who: Who, s: Scope) -> u16 {
    change_project_with(201)(who, s)
}

fn record_transformation(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => 201,
        _ => 403,
    }
}

fn read_transformation(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Enterprise | ChainOwner), Foreign) => 404,
        _ => 200,
    }
}

fn change_transformation(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => 200,
        (As(Enterprise | ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

fn create_work_order(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ParkChief | ParkStaff), Own) => 201,
        _ => 403,
    }
}

fn read_work_order(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) | (As(ParkChief | ParkStaff), Own) => 200,
        _ => 404,
    }
}

fn assign_work_order(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ParkChief | ParkStaff), Own) => 200,
        (As(Leader | Analyst), _) => 403,
        _ => 404,
    }
}

/// A message of one's own person is marked read; anyone else's, or having no person, answers 404.
fn read_message(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 404,
        (_, Own) => 200,
        _ => 404,
    }
}

fn chain_report(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) | (As(ChainChief | ChainTaskForce | ChainOwner), Own) => {
            200
        }
        // A chain owner does not learn of other chains.
        (As(ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

struct Row {
    method: &'static str,
    path: &'static str,
    expect: Expect,
}

const fn row(method: &'static str, path: &'static str, expect: Expect) -> Row {
    Row {
        method,
        path,
        expect,
    }
}

const MATRIX: &[Row] = &[
    row("GET", "/api/v1/appeals", read_all),
    row("POST", "/api/v1/appeals", file_appeal),
    row("GET", "/api/v1/appeals/export", read_all),
    row("GET", "/api/v1/appeals/on-time-rate", read_all),
    row("GET", "/api/v1/appeals/{id}", read_appeal),
    row("GET", "/api/v1/appeals/{id}/steps", read_appeal),
    row("POST", "/api/v1/appeals/{id}/steps", step_appeal),
    row("POST", "/api/v1/escalations", admin_changes),
    row("GET", "/api/v1/calendar", read_all),
    row("POST", "/api/v1/calendar", admin_changes),
    row("GET", "/api/v1/appeal-rules", rules_read),
    row("POST", "/api/v1/appeal-rules", admin_creates),
    row("GET", "/api/v1/appeal-rules/{id}", rules_read),
    row("PATCH", "/api/v1/appeal-rules/{id}", admin_changes),
    row("POST", "/api/v1/appeal-rules/{id}/archive", admin_changes),
    row("GET", "/api/v1/projects", read_all),
    row("POST", "/api/v1/projects", create_project),
    row("GET", "/api/v1/projects/export", read_all),
    row("GET", "/api/v1/projects/figures", read_all),
    row("GET", "/api/v1/projects/{id}", read_project),
    row("PATCH", "/api/v1/projects/{id}", change_project),
    row("POST", "/api/v1/projects/{id}/stage", change_project),
    row("POST", "/api/v1/projects/{id}/investments", change_project),
    row("POST", "/api/v1/projects/{id}/milestones", add_milestone),
    row("GET", "/api/v1/milestones", read_all),
    row("PATCH", "/api/v1/milestones/{id}", change_project),
    row("POST", "/api/v1/projects/{id}/archive", change_project),
    row("GET", "/api/v1/signing-events", read_all),
    row("POST", "/api/v1/signing-events", admin_creates),
    row("GET", "/api/v1/signing-events/{id}", read_all),
    row("GET", "/api/v1/transformation/summary", read_all),
    row("GET", "/api/v1/transformation/projects", read_all),
    row(
        "POST",
        "/api/v1/transformation/projects",
        record_transformation,
    ),
    row("GET", "/api/v1/transformation/projects/export", read_all),
    row(
        "GET",
        "/api/v1/transformation/projects/{id}",
        read_transformation,
    ),
    row(
        "PATCH",
        "/api/v1/transformation/projects/{id}",
        change_transformation,
    ),
    row("GET", "/api/v1/transformation/recognitions", read_all),
    row(
        "POST",
        "/api/v1/transformation/recognitions",
        record_transformation,
    ),
    row(
        "GET",
        "/api/v1/transformation/recognitions/{id}",
        read_transformation,
    ),
    row("GET", "/api/v1/work-orders", read_all),
    row("POST", "/api/v1/work-orders", create_work_order),
    row("GET", "/api/v1/work-orders/export", read_all),
    row("GET", "/api/v1/work-orders/{id}", read_work_order),
    row("GET", "/api/v1/work-orders/{id}/steps", read_work_order),
    row("POST", "/api/v1/work-orders/{id}/steps", assign_work_order),
    row("GET", "/api/v1/inbox", read_all),
    row("GET", "/api/v1/inbox/counts", read_all),
    row("POST", "/api/v1/inbox/{id}/read", read_message),
    row("POST", "/api/v1/inbox/read-all", read_all),
    row("GET", "/api/v1/reports/scheduling", chain_report),
];

#[test]
fn every_daily_work_endpoint_of_the_openapi_document_has_a_row() {
    let (_, doc) = chainpark_web::api::routes().split_for_parts();
    let doc = serde_json::to_value(doc).expect("the document serialises");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !workflow_common::DAILY_WORK_PREFIXES
            .iter()
            .any(|p| path.starts_with(p))
        {
            continue;
        }
        for method in item.as_object().expect("methods").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = MATRIX
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let missing: Vec<&String> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "daily-work endpoints without a row: {missing:#?}"
    );
    let stale: Vec<&String> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for endpoints that no longer exist: {stale:#?}"
    );
}

/// Own and foreign objects of each kind.
struct World {
    z: workflow_common::Zone,
    /// Holds every scoped post of the own side; each scoped account is tied to it.
    person: i64,
    other_park: i64,
    other_staff: i64,
    appeals: [i64; 2],
    projects: [i64; 2],
    milestones: [i64; 2],
    rule: i64,
    event: i64,
    transformation: [i64; 2],
    recognitions: [i64; 2],
    work_orders: [i64; 2],
    /// The foreign message (another person's); the own one is each caller's first.
    foreign_message: i64,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn next() -> u32 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

fn pick(pair: [i64; 2], scope: Scope) -> i64 {
    match scope {
        Own => pair[0],
        Foreign => pair[1],
    }
}

async fn id_of(app: &TestApp, path: &str, body: Value) -> i64 {
    app.create(path, body).await["id"].as_i64().expect("id")
}

fn recognition(enterprise: i64) -> Value {
    json!({"enterprise_id": enterprise, "kind": "digital_workshop", "name": "车间", "recognised_on": "2021-03-01", "investment": 2500,
        "cnc_rate_pct": 82, "key_process_cnc_pct": 90, "has_mes": true, "cost_reduction_pct": 18, "efficiency_gain_pct": 22,
        "defect_reduction_pct": 12, "energy_gain_pct": 9})
}

async fn world(admin: &TestApp) -> World {
    let z = workflow_common::zone(admin).await;
    let person = workflow_common::person(admin, "矩阵", "").await;
    let other_park = id_of(admin, "/api/v1/parks", json!({"area_id": z.f.area, "code": "shuitu", "name": "水土高新园", "district": "500109", "land_area_mu": 800})).await;
    let other_staff = workflow_common::person(admin, "外园", "").await;
    workflow_common::post(admin, json!({"person_id": other_staff, "role": "park_staff", "park_id": other_park, "starts_on": "2021-01-01"})).await;
    for mut post in [
        json!({"role": "chain_chief", "chief_level": "deputy", "chain_id": z.f.chain}),
        json!({"role": "chain_task_force", "chain_id": z.f.chain}),
        json!({"role": "chain_owner", "owner_kind": "expert", "chain_id": z.f.chain}),
        json!({"role": "park_staff", "park_id": z.f.park}),
        json!({"role": "enterprise_contact", "enterprise_id": z.firm}),
    ] {
        post["person_id"] = json!(person);
        post["starts_on"] = json!("2021-01-01");
        workflow_common::post(admin, post).await;
    }
    // Appeals of category "other" go to a neutral person, so no account sees them for being their handler.
    let rule = id_of(
        admin,
        "/api/v1/appeal-rules",
        json!({"category": "other", "target": "person", "person_id": z.other_task_force}),
    )
    .await;
    let appeals = [
        id_of(
            admin,
            "/api/v1/appeals",
            json!({"enterprise_id": z.firm, "category": "other", "title": "本链诉求"}),
        )
        .await,
        id_of(
            admin,
            "/api/v1/appeals",
            json!({"enterprise_id": z.other_firm, "category": "other", "title": "他链诉求"}),
        )
        .await,
    ];
    let projects = [
        id_of(admin, "/api/v1/projects", json!({"name": "本链项目", "investor": "x", "chain_id": z.f.chain, "park_id": z.f.park})).await,
        id_of(admin, "/api/v1/projects", json!({"name": "他链项目", "investor": "x", "chain_id": z.f.other_chain, "park_id": other_park})).await,
    ];
    let mut milestones = [0; 2];
    for (i, p) in projects.iter().enumerate() {
        milestones[i] = id_of(
            admin,
            &format!("/api/v1/projects/{p}/milestones"),
            json!({"name": "节点", "due_on": "2022-01-01"}),
        )
        .await;
    }
    let event = id_of(
        admin,
        "/api/v1/signing-events",
        json!({"name": "签约活动", "held_on": "2021-08-18"}),
    )
    .await;
    let transformation = [
        id_of(admin, "/api/v1/transformation/projects", json!({"enterprise_id": z.firm, "name": "改造", "investment": 500, "started_on": "2021-01-01"})).await,
        id_of(admin, "/api/v1/transformation/projects", json!({"enterprise_id": z.other_firm, "name": "改造", "investment": 500, "started_on": "2021-01-01"})).await,
    ];
    let recognitions = [
        id_of(
            admin,
            "/api/v1/transformation/recognitions",
            recognition(z.firm),
        )
        .await,
        id_of(
            admin,
            "/api/v1/transformation/recognitions",
            recognition(z.other_firm),
        )
        .await,
    ];
    let order = |park: i64| json!({"park_id": park, "facility": "道路", "kind": "repair", "urgency": "routine", "title": "路灯"});
    let work_orders = [
        id_of(admin, "/api/v1/work-orders", order(z.f.park)).await,
        id_of(admin, "/api/v1/work-orders", order(other_park)).await,
    ];
    // The park chief's message: a land appeal goes to the chief of the firm's park.
    admin
        .create(
            "/api/v1/appeals",
            json!({"enterprise_id": z.firm, "category": "land", "title": "用地"}),
        )
        .await;
    // The own person's message: an appeal assigned to it.
    let assigned = id_of(
        admin,
        "/api/v1/appeals",
        json!({"enterprise_id": z.firm, "category": "other", "title": "交办"}),
    )
    .await;
    admin
        .post(
            &format!("/api/v1/appeals/{assigned}/steps"),
            json!({"action": "accept"}),
        )
        .await;
    admin
        .post(
            &format!("/api/v1/appeals/{assigned}/steps"),
            json!({"action": "assign", "assignee_person_id": person}),
        )
        .await;
    World {
        z,
        person,
        other_park,
        other_staff,
        appeals,
        projects,
        milestones,
        rule,
        event,
        transformation,
        recognitions,
        work_orders,
        foreign_message: 0,
    }
}

/// The concrete path and body of a row for one caller and scope; creates what the request needs.
async fn request(
    row: &Row,
    scope: Scope,
    w: &World,
    admin: &TestApp,
    own_message: i64,
) -> (String, Option<Value>) {
    let n = next();
    let id = |value: i64| row.path.replace("{id}", &value.to_string());
    let (firm, chain, park) = match scope {
        Own => (w.z.firm, w.z.f.chain, w.z.f.park),
        Foreign => (w.z.other_firm, w.z.f.other_chain, w.other_park),
    };
    match (row.method, row.path) {
        ("POST", "/api/v1/appeals") => (
            row.path.into(),
            Some(json!({"enterprise_id": firm, "category": "other", "title": format!("诉求{n}")})),
        ),
        ("POST", "/api/v1/appeals/{id}/steps") => {
            let fresh = id_of(
                admin,
                "/api/v1/appeals",
                json!({"enterprise_id": firm, "category": "other", "title": format!("待受理{n}")}),
            )
            .await;
            (id(fresh), Some(json!({"action": "accept"})))
        }
        (_, "/api/v1/appeals/{id}" | "/api/v1/appeals/{id}/steps") => {
            (id(pick(w.appeals, scope)), None)
        }
        ("POST", "/api/v1/escalations") => (row.path.into(), Some(json!({"as_of": "2021-10-10"}))),
        ("POST", "/api/v1/appeal-rules") => (
            row.path.into(),
            Some(
                json!({"category": "land", "target": "person", "person_id": w.z.other_task_force}),
            ),
        ),
        ("PATCH", "/api/v1/appeal-rules/{id}") => {
            (id(w.rule), Some(json!({"note": format!("matrix {n}")})))
        }
        ("POST", "/api/v1/appeal-rules/{id}/archive") => {
            let fresh = id_of(
                admin,
                "/api/v1/appeal-rules",
                json!({"category": "land", "target": "person", "person_id": w.z.other_task_force}),
            )
            .await;
            (id(fresh), None)
        }
        (_, "/api/v1/appeal-rules/{id}") => (id(w.rule), None),
        ("POST", "/api/v1/projects") => (
            row.path.into(),
            Some(json!({"name": format!("项目{n}"), "investor": "x", "chain_id": chain})),
        ),
        ("PATCH", "/api/v1/projects/{id}") => (
            id(pick(w.projects, scope)),
            Some(json!({"name_en": format!("matrix {n}")})),
        ),
        ("POST", "/api/v1/projects/{id}/stage") => {
            let fresh = id_of(admin, "/api/v1/projects", json!({"name": format!("推进{n}"), "investor": "x", "chain_id": chain, "park_id": park})).await;
            (
                id(fresh),
                Some(json!({"stage": "signed", "on": "2021-08-18"})),
            )
        }
        ("POST", "/api/v1/projects/{id}/investments") => (
            id(pick(w.projects, scope)),
            Some(json!({"year": 2021, "amount": 100})),
        ),
        ("POST", "/api/v1/projects/{id}/milestones") => (
            id(pick(w.projects, scope)),
            Some(json!({"name": format!("节点{n}"), "due_on": "2022-03-01"})),
        ),
        ("POST", "/api/v1/projects/{id}/archive") => {
            let fresh = id_of(admin, "/api/v1/projects", json!({"name": format!("归档{n}"), "investor": "x", "chain_id": chain, "park_id": park})).await;
            (id(fresh), None)
        }
        (_, "/api/v1/projects/{id}") => (id(pick(w.projects, scope)), None),
        ("PATCH", "/api/v1/milestones/{id}") => (
            id(pick(w.milestones, scope)),
            Some(json!({"name": format!("节点{n}")})),
        ),
        ("POST", "/api/v1/signing-events") => (
            row.path.into(),
            Some(json!({"name": format!("活动{n}"), "held_on": "2021-08-23"})),
        ),
        (_, "/api/v1/signing-events/{id}") => (id(w.event), None),
        ("POST", "/api/v1/transformation/projects") => (
            row.path.into(),
            Some(
                json!({"enterprise_id": firm, "name": format!("改造{n}"), "investment": 100, "started_on": "2021-01-01"}),
            ),
        ),
        ("PATCH", "/api/v1/transformation/projects/{id}") => (
            id(pick(w.transformation, scope)),
            Some(json!({"investment": 600 + n})),
        ),
        (_, "/api/v1/transformation/projects/{id}") => (id(pick(w.transformation, scope)), None),
        ("POST", "/api/v1/transformation/recognitions") => {
            (row.path.into(), Some(recognition(firm)))
        }
        (_, "/api/v1/transformation/recognitions/{id}") => (id(pick(w.recognitions, scope)), None),
        ("POST", "/api/v1/work-orders") => (
            row.path.into(),
            Some(
                json!({"park_id": park, "facility": "配电房", "kind": "safety_inspection", "urgency": "routine", "title": format!("巡检{n}")}),
            ),
        ),
        ("POST", "/api/v1/work-orders/{id}/steps") => {
            let staff = match scope {
                Own => w.z.park_staff,
                Foreign => w.other_staff,
            };
            (
                id(pick(w.work_orders, scope)),
                Some(json!({"action": "assign", "assignee_person_id": staff})),
            )
        }
        (_, "/api/v1/work-orders/{id}" | "/api/v1/work-orders/{id}/steps") => {
            (id(pick(w.work_orders, scope)), None)
        }
        ("POST", "/api/v1/inbox/{id}/read") => {
            (id(pick([own_message, w.foreign_message], scope)), None)
        }
        ("POST", "/api/v1/inbox/read-all") => (row.path.into(), Some(json!({}))),
        ("GET", "/api/v1/reports/scheduling") => {
            (format!("{}?chain_id={chain}&month=2021-09", row.path), None)
        }
        _ => (row.path.into(), None),
    }
}

#[tokio::test]
async fn every_daily_work_endpoint_answers_every_role_as_the_matrix_says() {
    for admin in apps().await {
        let mut w = world(&admin).await;
        let mut callers = vec![(Nobody, admin.anonymous(), 0)];
        for role in Role::ALL {
            // A park has one chief: the park-chief account is the zone's; every other scoped account shares the
            // matrix person.
            let person = match role {
                ParkChief => Some(w.z.park_chief),
                _ => role.needs_person().then_some(w.person),
            };
            let client = admin
                .as_account(&format!("w.{}", role.as_str()), role, person)
                .await;
            let (_, inbox) = client.get("/api/v1/inbox").await;
            // No person, no message: any id answers 404.
            let own = inbox["items"][0]["id"]
                .as_i64()
                .unwrap_or(w.foreign_message);
            callers.push((As(role), client, own));
        }
        let other = admin
            .as_account("w.other", ChainTaskForce, Some(w.z.other_task_force))
            .await;
        let (_, theirs) = other.get("/api/v1/inbox").await;
        w.foreign_message = theirs["items"][0]["id"].as_i64().expect("their message");
        for caller in callers.iter_mut() {
            if caller.2 == 0 {
                caller.2 = w.foreign_message;
            }
        }

        let mut wrong = Vec::new();
        for row in MATRIX {
            for (who, client, own_message) in &callers {
                for scope in [Own, Foreign] {
                    let (path, body) = request(row, scope, &w, &admin, *own_message).await;
                    let method = Method::from_bytes(row.method.as_bytes()).expect("method");
                    let status = if row.path == "/api/v1/calendar" && row.method == "POST" {
                        client
                            .client
                            .post(format!("{}{path}", client.base))
                            .header("x-csrf-token", &client.csrf)
                            .header("content-type", "text/csv")
                            .body("date,kind,name\n2027-01-01,holiday,元旦\n")
                            .send()
                            .await
                            .expect("answered")
                            .status()
                    } else {
                        let body = body.filter(|_| row.method != "GET");
                        client.call(method, &path, body).await.0
                    };
                    let expected = (row.expect)(*who, scope);
                    if status.as_u16() != expected {
                        wrong.push(format!(
                            "{} {path} as {who:?} ({scope:?}): expected {expected}, got {status}",
                            row.method
                        ));
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "[{}] {} answers differ from the matrix:\n{}",
            admin.engine,
            wrong.len(),
            wrong.join("\n")
        );
    }
}
