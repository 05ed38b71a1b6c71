//! The authorisation matrix: for every endpoint of the OpenAPI document × every role (and no one) × an object in
//! the role's own scope and one outside it, the expected answer. The table is the one place where the policy is
//! written down for the API; an endpoint without a row fails the test, so nothing can be forgotten.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use chainpark_core::access::Role;
use common::{TestApp, apps, credit_code, fixture};
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

fn read_all(who: Who, _: Scope) -> u16 {
    if who == Nobody { 401 } else { 200 }
}

/// Chain owners see only their chains: a foreign chain's objects answer 404.
fn read_chain_scoped(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(ChainOwner), Foreign) => 404,
        _ => 200,
    }
}

fn admin_creates(who: Who, _: Scope) -> u16 {
    match who {
        Nobody => 401,
        As(Admin) => 201,
        _ => 403,
    }
}

fn admin_changes(who: Who, _: Scope) -> u16 {
    match who {
        Nobody => 401,
        As(Admin) => 200,
        _ => 403,
    }
}

fn admin_changes_chain_scoped(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) => 200,
        (As(ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

fn chain_team_creates(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => 201,
        _ => 403,
    }
}

fn chain_team_changes(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => 200,
        (As(ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

fn park_team_changes(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ParkChief | ParkStaff), Own) => 200,
        _ => 403,
    }
}

fn enterprise_changes_contact(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(Enterprise), Own) => 200,
        (As(ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

fn readers_of_everything(who: Who, _: Scope) -> u16 {
    match who {
        Nobody => 401,
        As(Admin | Leader | Analyst) => 200,
        _ => 403,
    }
}

fn signed_in_creates(who: Who, _: Scope) -> u16 {
    if who == Nobody { 401 } else { 201 }
}

/// Signing out: the first time (run as "own") ends the session, the second answers 401.
fn sign_out(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (As(_), Own) => 204,
        _ => 401,
    }
}

/// Signing in with the role's own password works; no one (a wrong password) gets 401.
fn sign_in(who: Who, _: Scope) -> u16 {
    if who == Nobody { 401 } else { 200 }
}

/// Changing one's password with a wrong current password.
fn wrong_current_password(who: Who, _: Scope) -> u16 {
    if who == Nobody { 401 } else { 403 }
}

/// Revoking one's own token works; another account's token is not revealed, except to the admin.
fn revoke_token(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (_, Own) => 200,
        _ => 404,
    }
}

/// The table. Changes come before archives, and signing out comes last, so that each row finds the objects it needs.
const MATRIX: &[Row] = &[
    row("POST", "/api/v1/session", sign_in),
    row("GET", "/api/v1/session", read_all),
    row("POST", "/api/v1/session/password", wrong_current_password),
    row("GET", "/api/v1/tokens", read_all),
    row("POST", "/api/v1/tokens", signed_in_creates),
    row("POST", "/api/v1/tokens/{id}/revoke", revoke_token),
    row(
        "GET",
        "/api/v1/accounts",
        readers_of_everything_but_admin_only,
    ),
    row("POST", "/api/v1/accounts", admin_creates),
    row("GET", "/api/v1/accounts/{id}", admin_changes),
    row("PATCH", "/api/v1/accounts/{id}", admin_changes),
    row("GET", "/api/v1/audit", readers_of_everything),
    row("GET", "/api/v1/areas", read_all),
    row("POST", "/api/v1/areas", admin_creates),
    row("GET", "/api/v1/areas/{id}", read_all),
    row("PATCH", "/api/v1/areas/{id}", admin_changes),
    row("GET", "/api/v1/chains", read_all),
    row("POST", "/api/v1/chains", admin_creates),
    row("GET", "/api/v1/chains/{id}", read_chain_scoped),
    row("PATCH", "/api/v1/chains/{id}", admin_changes_chain_scoped),
    row("GET", "/api/v1/segments", read_all),
    row("POST", "/api/v1/segments", chain_team_creates),
    row("GET", "/api/v1/segments/{id}", read_chain_scoped),
    row("PATCH", "/api/v1/segments/{id}", chain_team_changes),
    row("GET", "/api/v1/supply-links", read_all),
    row("POST", "/api/v1/supply-links", chain_team_creates),
    row("GET", "/api/v1/supply-links/{id}", read_chain_scoped),
    row("PATCH", "/api/v1/supply-links/{id}", chain_team_changes),
    row("GET", "/api/v1/people", read_all),
    row("POST", "/api/v1/people", admin_creates),
    row("GET", "/api/v1/people/{id}", read_all),
    row("PATCH", "/api/v1/people/{id}", admin_changes),
    row("GET", "/api/v1/posts", read_all),
    row("POST", "/api/v1/posts", admin_creates),
    row("GET", "/api/v1/posts/{id}", read_all),
    row("PATCH", "/api/v1/posts/{id}", admin_changes),
    row("GET", "/api/v1/parks", read_all),
    row("POST", "/api/v1/parks", admin_creates),
    row("GET", "/api/v1/parks/{id}", read_all),
    row("PATCH", "/api/v1/parks/{id}", park_team_changes),
    row("GET", "/api/v1/enterprises", read_all),
    row("POST", "/api/v1/enterprises", admin_creates),
    row("GET", "/api/v1/enterprises/{id}", read_chain_scoped),
    row(
        "PATCH",
        "/api/v1/enterprises/{id}",
        enterprise_changes_contact,
    ),
    row(
        "POST",
        "/api/v1/supply-links/{id}/archive",
        chain_team_changes,
    ),
    row("POST", "/api/v1/segments/{id}/archive", chain_team_changes),
    row(
        "POST",
        "/api/v1/enterprises/{id}/archive",
        admin_changes_chain_scoped,
    ),
    row("POST", "/api/v1/posts/{id}/archive", admin_changes),
    row("POST", "/api/v1/people/{id}/archive", admin_changes),
    row("POST", "/api/v1/parks/{id}/archive", admin_changes),
    row(
        "POST",
        "/api/v1/chains/{id}/archive",
        admin_changes_chain_scoped,
    ),
    row("POST", "/api/v1/areas/{id}/archive", admin_changes),
    row("DELETE", "/api/v1/session", sign_out),
];

/// Accounts are the admin's alone: even leaders may not list them.
fn readers_of_everything_but_admin_only(who: Who, scope: Scope) -> u16 {
    admin_changes(who, scope)
}

#[test]
fn every_endpoint_of_the_openapi_document_has_a_row_in_the_matrix() {
    let (_, doc) = chainpark_web::api::routes().split_for_parts();
    let doc = serde_json::to_value(doc).expect("the document serialises");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
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
        "endpoints without a row in the authorisation matrix: {missing:#?}"
    );
    let stale: Vec<&String> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for endpoints that no longer exist: {stale:#?}"
    );
}

/// The objects of one role's own scope and of a foreign scope.
struct World {
    area: i64,
    chains: [i64; 2],
    segments: [i64; 2],
    links: [i64; 2],
    parks: [i64; 2],
    enterprises: [i64; 2],
    person: i64,
    neutral: i64,
    neutral_post: i64,
    admin_account: i64,
    admin_token: i64,
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

async fn segment_in(app: &TestApp, chain: i64) -> i64 {
    let n = next();
    id_of(app, "/api/v1/segments", json!({"chain_id": chain, "code": format!("m-seg-{n}"), "name": format!("环节{n}"), "stage": "midstream"})).await
}

async fn world(admin: &TestApp) -> World {
    let f = fixture(admin).await;
    let other_park = id_of(admin, "/api/v1/parks", json!({"area_id": f.area, "code": "shuitu", "name": "水土高新园", "district": "500109", "land_area_mu": 800})).await;
    let mut enterprises = [0; 2];
    for (i, (park, segment)) in [(f.park, f.root_segment), (other_park, f.other_segment)]
        .into_iter()
        .enumerate()
    {
        enterprises[i] = id_of(admin, "/api/v1/enterprises", json!({"credit_code": credit_code(&format!("91500112MA5U7G{i}X3")), "name": format!("重庆矩阵{i}有限公司"),
            "industry_code": "3670", "district": "500112", "park_id": park, "segment_ids": [segment], "contact": {"phone": "13800000000"}})).await;
    }
    let links = [
        id_of(admin, "/api/v1/supply-links", json!({"from_segment_id": f.child_segment, "to_segment_id": f.root_segment})).await,
        id_of(admin, "/api/v1/supply-links", json!({"from_segment_id": f.other_segment, "to_segment_id": segment_in(admin, f.other_chain).await})).await,
    ];
    let posts = [
        json!({"role": "chain_chief", "chief_level": "chain", "chain_id": f.chain}),
        json!({"role": "chain_task_force", "chain_id": f.chain}),
        json!({"role": "chain_owner", "owner_kind": "expert", "chain_id": f.chain}),
        json!({"role": "park_chief", "park_id": f.park}),
        json!({"role": "park_staff", "park_id": f.park}),
        json!({"role": "enterprise_contact", "enterprise_id": enterprises[0]}),
    ];
    for mut post in posts {
        post["person_id"] = json!(f.person);
        post["starts_on"] = json!("2021-08-01");
        admin.create("/api/v1/posts", post).await;
    }
    let neutral = id_of(admin, "/api/v1/people", json!({"name": "赵敏"})).await;
    let neutral_post = id_of(admin, "/api/v1/posts", json!({"person_id": neutral, "role": "chain_task_force", "chain_id": f.other_chain, "starts_on": "2022-01-01"})).await;
    let (_, session) = admin.get("/api/v1/session").await;
    let (_, token) = admin
        .post("/api/v1/tokens", json!({"name": "admin's"}))
        .await;
    World {
        area: f.area,
        chains: [f.chain, f.other_chain],
        segments: [f.root_segment, f.other_segment],
        links,
        parks: [f.park, other_park],
        enterprises,
        person: f.person,
        neutral,
        neutral_post,
        admin_account: session["account"]["id"].as_i64().expect("id"),
        admin_token: token["info"]["id"].as_i64().expect("id"),
    }
}

/// The concrete path and body of a row for one caller and scope; may create what the request needs.
async fn request(
    row: &Row,
    who: Who,
    scope: Scope,
    w: &World,
    admin: &TestApp,
    me: &TestApp,
) -> (String, Option<Value>) {
    let n = next();
    let id = |value: i64| row.path.replace("{id}", &value.to_string());
    match (row.method, row.path) {
        ("POST", "/api/v1/session") => {
            let (username, password) = match who {
                Nobody => ("admin".to_string(), "wrong-password".to_string()),
                As(role) => (format!("m.{}", role.as_str()), common::PASSWORD.to_string()),
            };
            (
                row.path.into(),
                Some(json!({"username": username, "password": password})),
            )
        }
        ("POST", "/api/v1/session/password") => (
            row.path.into(),
            Some(json!({"current_password": "not-it-at-all", "new_password": "another-long-one"})),
        ),
        ("POST", "/api/v1/tokens") => {
            (row.path.into(), Some(json!({"name": format!("token {n}")})))
        }
        ("POST", "/api/v1/tokens/{id}/revoke") => match (who, scope) {
            (As(_), Own) => {
                let (_, token) = me
                    .post("/api/v1/tokens", json!({"name": format!("mine {n}")}))
                    .await;
                (id(token["info"]["id"].as_i64().expect("id")), None)
            }
            _ => (id(w.admin_token), None),
        },
        ("POST", "/api/v1/accounts") => (
            row.path.into(),
            Some(
                json!({"username": format!("new.{n}"), "password": "long-enough-pw", "role": "analyst"}),
            ),
        ),
        ("GET" | "PATCH", "/api/v1/accounts/{id}") => (
            id(w.admin_account),
            (row.method == "PATCH").then(|| json!({"display_name": "管理员"})),
        ),
        ("POST", "/api/v1/areas") => (
            row.path.into(),
            Some(json!({"code": format!("A{n}"), "name": format!("功能区{n}")})),
        ),
        (_, "/api/v1/areas/{id}") => (id(w.area), Some(json!({"description": "matrix"}))),
        ("POST", "/api/v1/chains") => (
            row.path.into(),
            Some(json!({"area_id": w.area, "code": format!("c{n}"), "name": format!("链{n}")})),
        ),
        (_, "/api/v1/chains/{id}") => (
            id(pick(w.chains, scope)),
            Some(json!({"description": "matrix"})),
        ),
        ("POST", "/api/v1/segments") => (
            row.path.into(),
            Some(
                json!({"chain_id": pick(w.chains, scope), "code": format!("s{n}"), "name": format!("环节{n}"), "stage": "upstream"}),
            ),
        ),
        (_, "/api/v1/segments/{id}") => (
            id(pick(w.segments, scope)),
            Some(json!({"name_en": "matrix"})),
        ),
        ("POST", "/api/v1/supply-links") => {
            let chain = pick(w.chains, scope);
            let (from, to) = (
                segment_in(admin, chain).await,
                segment_in(admin, chain).await,
            );
            (
                row.path.into(),
                Some(json!({"from_segment_id": from, "to_segment_id": to})),
            )
        }
        (_, "/api/v1/supply-links/{id}") => {
            (id(pick(w.links, scope)), Some(json!({"note": "matrix"})))
        }
        ("POST", "/api/v1/people") => (row.path.into(), Some(json!({"name": format!("人员{n}")}))),
        (_, "/api/v1/people/{id}") => (id(w.person), Some(json!({"title": "matrix"}))),
        ("POST", "/api/v1/posts") => (
            row.path.into(),
            Some(
                json!({"person_id": w.neutral, "role": "chain_task_force", "chain_id": w.chains[1], "starts_on": "2023-01-01"}),
            ),
        ),
        (_, "/api/v1/posts/{id}") => (id(w.neutral_post), Some(json!({"title": "matrix"}))),
        ("POST", "/api/v1/parks") => (
            row.path.into(),
            Some(
                json!({"area_id": w.area, "code": format!("p{n}"), "name": format!("园区{n}"), "district": "500112", "land_area_mu": 10}),
            ),
        ),
        (_, "/api/v1/parks/{id}") => (id(pick(w.parks, scope)), Some(json!({"name_en": "matrix"}))),
        ("POST", "/api/v1/enterprises") => (
            row.path.into(),
            Some(
                json!({"credit_code": credit_code(&format!("91500112MA{n:07}")), "name": format!("重庆新企业{n}有限公司"), "industry_code": "3670", "district": "500112"}),
            ),
        ),
        (_, "/api/v1/enterprises/{id}") => (
            id(pick(w.enterprises, scope)),
            Some(json!({"contact": {"phone": format!("023-{n:08}")}})),
        ),
        (_, "/api/v1/supply-links/{id}/archive") => (id(pick(w.links, scope)), None),
        (_, "/api/v1/segments/{id}/archive") => (id(pick(w.segments, scope)), None),
        (_, "/api/v1/enterprises/{id}/archive") => (id(pick(w.enterprises, scope)), None),
        (_, "/api/v1/posts/{id}/archive") => (id(w.neutral_post), None),
        (_, "/api/v1/people/{id}/archive") => (id(w.person), None),
        (_, "/api/v1/parks/{id}/archive") => (id(pick(w.parks, scope)), None),
        (_, "/api/v1/chains/{id}/archive") => (id(pick(w.chains, scope)), None),
        (_, "/api/v1/areas/{id}/archive") => (id(w.area), None),
        _ => (row.path.into(), None),
    }
}

#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_matrix_says() {
    for admin in apps().await {
        let w = world(&admin).await;
        let mut callers = vec![(Nobody, admin.anonymous())];
        for role in Role::ALL {
            let person = role.needs_person().then_some(w.person);
            let client = admin
                .as_account(&format!("m.{}", role.as_str()), role, person)
                .await;
            callers.push((As(role), client));
        }
        let mut wrong = Vec::new();
        for row in MATRIX {
            for (who, client) in &callers {
                for scope in [Own, Foreign] {
                    let (path, body) = request(row, *who, scope, &w, &admin, client).await;
                    let method = Method::from_bytes(row.method.as_bytes()).expect("method");
                    let body = body.filter(|_| row.method != "GET" && row.method != "DELETE");
                    // Signing in again would replace the client's session; do it from a fresh client.
                    let fresh;
                    let client = if row.path == "/api/v1/session" && row.method == "POST" {
                        fresh = admin.anonymous();
                        &fresh
                    } else {
                        client
                    };
                    let (status, answer) = client.call(method, &path, body).await;
                    let expected = (row.expect)(*who, scope);
                    if status.as_u16() != expected {
                        wrong.push(format!("{} {path} as {who:?} ({scope:?}): expected {expected}, got {status} {answer}", row.method));
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
