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

/// Changes to the zone's figures (indicators, region figures, categories, aggregates) are the admin's: leaders and
/// analysts read everything and change nothing (issue 3).
fn admin_changes_figures(who: Who, scope: Scope) -> u16 {
    admin_changes(who, scope)
}

/// Rebuilding the aggregates answers 204: the admin's alone, like every change to the figures.
fn admin_rebuilds_figures(who: Who, _: Scope) -> u16 {
    match who {
        Nobody => 401,
        As(Admin) => 204,
        _ => 403,
    }
}

/// Setting an enterprise's digital-economy category: the admin's; a chain owner does not learn that a foreign
/// chain's enterprise exists.
fn admin_changes_digital_category(who: Who, scope: Scope) -> u16 {
    admin_changes_chain_scoped(who, scope)
}

/// An enterprise's monthly figures are private data: readers of everything, the enterprise itself, and the chiefs,
/// task force and staff of its chain and park. A chain owner sees its chain's enterprises but not their figures,
/// and a foreign chain's enterprise answers 404.
fn private_enterprise_figures(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 200,
        (As(ChainChief | ChainTaskForce | ParkChief | ParkStaff | Enterprise), Own) => 200,
        (As(ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

/// Importing figures: the admin for any enterprise; an enterprise user only its own rows — a file with another
/// enterprise's rows is rejected row by row (422, nothing stored); everyone else, analysts included, 403.
fn enterprise_imports_own_rows(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(Enterprise), Own) => 201,
        (As(Enterprise), Foreign) => 422,
        _ => 403,
    }
}

/// An import (own = the enterprise user's, foreign = the admin's) is its author's and the readers of everything's;
/// anyone else learns nothing of it.
fn import_author_and_readers(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) | (As(Enterprise), Own) => 200,
        _ => 404,
    }
}

/// Filing an appeal: the enterprise itself, its chain's chief and task force, its park's chief and staff (on its
/// behalf), the admin.
fn enterprise_or_its_officers_file_appeals(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _)
        | (As(Enterprise | ChainChief | ChainTaskForce | ParkChief | ParkStaff), Own) => 201,
        _ => 403,
    }
}

/// An appeal is seen by readers of everything, its chain's chief and task force, its park's chief and staff and the
/// enterprise; for anyone else (chain owners included) it does not exist.
fn appeal_seen_by_its_enterprise_and_officers(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 200,
        (As(ChainChief | ChainTaskForce | ParkChief | ParkStaff | Enterprise), Own) => 200,
        _ => 404,
    }
}

/// A step of an appeal (accepting one routed to someone else): the admin and the chiefs of its chain or park; those
/// who see it but are neither its handler nor a chief get 403, the others 404.
fn chiefs_step_appeals(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ParkChief), Own) => 200,
        (As(Leader | Analyst), _) | (As(ChainTaskForce | ParkStaff | Enterprise), Own) => 403,
        _ => 404,
    }
}

/// Routing rules are read by everyone who handles appeals, not by enterprises.
fn officers_read_routing_rules(who: Who, _: Scope) -> u16 {
    match who {
        Nobody => 401,
        As(Enterprise) => 403,
        _ => 200,
    }
}

/// A key project is seen by readers of everything and the people of its chain (owners included) and park.
fn project_seen_by_its_chain_and_park(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 200,
        (As(Enterprise), _) => 404,
        (_, Own) => 200,
        _ => 404,
    }
}

fn chain_team_handles_projects_answering(ok: u16, who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => ok,
        (As(Leader | Analyst), _) | (As(ChainOwner | ParkChief | ParkStaff), Own) => 403,
        _ => 404,
    }
}

/// A key project (its stages, investment, milestones) is changed by the admin and its chain's chief and task force;
/// those who see it otherwise get 403, the others 404.
fn chain_team_handles_projects(who: Who, scope: Scope) -> u16 {
    chain_team_handles_projects_answering(200, who, scope)
}

fn chain_team_adds_milestones(who: Who, scope: Scope) -> u16 {
    chain_team_handles_projects_answering(201, who, scope)
}

/// Transformation results are zone statistics, read by all; but another enterprise's answers 404 to an enterprise
/// user, and a foreign chain's enterprise's to a chain owner.
fn transformation_seen_within_scope(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Enterprise | ChainOwner), Foreign) => 404,
        _ => 200,
    }
}

fn chain_team_changes_transformation(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ChainChief | ChainTaskForce), Own) => 200,
        (As(Enterprise | ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

/// Work orders are opened by the admin and the park's chief and staff.
fn park_team_opens_work_orders(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ParkChief | ParkStaff), Own) => 201,
        _ => 403,
    }
}

/// A park's work orders are seen by readers of everything and the park's chief and staff (and their assignee); for
/// anyone else, another park's chief included, they do not exist.
fn park_team_reads_work_orders(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) | (As(ParkChief | ParkStaff), Own) => 200,
        _ => 404,
    }
}

/// Assigning a work order: the admin and the park's chief and staff; leaders and analysts see it but change nothing.
fn park_team_handles_work_orders(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin), _) | (As(ParkChief | ParkStaff), Own) => 200,
        (As(Leader | Analyst), _) => 403,
        _ => 404,
    }
}

/// A message of one's own person's inbox is marked read; another person's, or any for an account without a person,
/// answers 404.
fn own_messages_only(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 404,
        (_, Own) => 200,
        _ => 404,
    }
}

/// The scheduling report of a chain (of a park for park roles): readers of everything and the chain's or park's own
/// people; a chain owner does not learn of a foreign chain (404); everyone else 403.
fn own_chain_or_park_report(who: Who, scope: Scope) -> u16 {
    match (who, scope) {
        (Nobody, _) => 401,
        (As(Admin | Leader | Analyst), _) => 200,
        (As(ChainChief | ChainTaskForce | ChainOwner | ParkChief | ParkStaff), Own) => 200,
        (As(ChainOwner), Foreign) => 404,
        _ => 403,
    }
}

/// The table. Reads and changes come before archives, and signing out comes last, so that each row finds the
/// objects it needs.
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
    // Figures.
    row("GET", "/api/v1/indicators", read_all),
    row("POST", "/api/v1/indicators", admin_creates),
    row("GET", "/api/v1/stats", read_all),
    row(
        "GET",
        "/api/v1/enterprises/{id}/figures",
        private_enterprise_figures,
    ),
    row(
        "GET",
        "/api/v1/enterprises/{id}/digital-category",
        read_chain_scoped,
    ),
    row(
        "PUT",
        "/api/v1/enterprises/{id}/digital-category",
        admin_changes_digital_category,
    ),
    row("GET", "/api/v1/region-figures", read_all),
    row("PUT", "/api/v1/region-figures", admin_changes_figures),
    row("POST", "/api/v1/figures/rebuild", admin_rebuilds_figures),
    row("GET", "/api/v1/digital-economy/map", read_all),
    row("GET", "/api/v1/digital-economy/map.csv", read_all),
    row("PUT", "/api/v1/digital-economy/map", admin_changes),
    row("DELETE", "/api/v1/digital-economy/map", admin_changes),
    row("POST", "/api/v1/imports", enterprise_imports_own_rows),
    row("GET", "/api/v1/imports/{id}", import_author_and_readers),
    row(
        "GET",
        "/api/v1/imports/{id}/report.csv",
        import_author_and_readers,
    ),
    row(
        "GET",
        "/api/v1/imports/{id}/report.xlsx",
        import_author_and_readers,
    ),
    row("GET", "/api/v1/imports/templates/{file}", read_all),
    // Appeals, routing rules, the calendar and escalation.
    row("GET", "/api/v1/appeals", read_all),
    row(
        "POST",
        "/api/v1/appeals",
        enterprise_or_its_officers_file_appeals,
    ),
    row("GET", "/api/v1/appeals/export", read_all),
    row("GET", "/api/v1/appeals/on-time-rate", read_all),
    row(
        "GET",
        "/api/v1/appeals/{id}",
        appeal_seen_by_its_enterprise_and_officers,
    ),
    row(
        "GET",
        "/api/v1/appeals/{id}/steps",
        appeal_seen_by_its_enterprise_and_officers,
    ),
    row("POST", "/api/v1/appeals/{id}/steps", chiefs_step_appeals),
    row("POST", "/api/v1/escalations", admin_changes),
    row("GET", "/api/v1/calendar", read_all),
    row("POST", "/api/v1/calendar", admin_changes),
    row("GET", "/api/v1/appeal-rules", officers_read_routing_rules),
    row("POST", "/api/v1/appeal-rules", admin_creates),
    row(
        "GET",
        "/api/v1/appeal-rules/{id}",
        officers_read_routing_rules,
    ),
    row("PATCH", "/api/v1/appeal-rules/{id}", admin_changes),
    // Key projects and signing events.
    row("GET", "/api/v1/projects", read_all),
    row("POST", "/api/v1/projects", chain_team_creates),
    row("GET", "/api/v1/projects/export", read_all),
    row("GET", "/api/v1/projects/figures", read_all),
    row(
        "GET",
        "/api/v1/projects/{id}",
        project_seen_by_its_chain_and_park,
    ),
    row(
        "PATCH",
        "/api/v1/projects/{id}",
        chain_team_handles_projects,
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/stage",
        chain_team_handles_projects,
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/investments",
        chain_team_handles_projects,
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/milestones",
        chain_team_adds_milestones,
    ),
    row("GET", "/api/v1/milestones", read_all),
    row(
        "PATCH",
        "/api/v1/milestones/{id}",
        chain_team_handles_projects,
    ),
    row("GET", "/api/v1/signing-events", read_all),
    row("POST", "/api/v1/signing-events", admin_creates),
    row("GET", "/api/v1/signing-events/{id}", read_all),
    // Digital transformation.
    row("GET", "/api/v1/transformation/summary", read_all),
    row("GET", "/api/v1/transformation/projects", read_all),
    row(
        "POST",
        "/api/v1/transformation/projects",
        chain_team_creates,
    ),
    row("GET", "/api/v1/transformation/projects/export", read_all),
    row(
        "GET",
        "/api/v1/transformation/projects/{id}",
        transformation_seen_within_scope,
    ),
    row(
        "PATCH",
        "/api/v1/transformation/projects/{id}",
        chain_team_changes_transformation,
    ),
    row("GET", "/api/v1/transformation/recognitions", read_all),
    row(
        "POST",
        "/api/v1/transformation/recognitions",
        chain_team_creates,
    ),
    row(
        "GET",
        "/api/v1/transformation/recognitions/{id}",
        transformation_seen_within_scope,
    ),
    // Park work orders.
    row("GET", "/api/v1/work-orders", read_all),
    row("POST", "/api/v1/work-orders", park_team_opens_work_orders),
    row("GET", "/api/v1/work-orders/export", read_all),
    row(
        "GET",
        "/api/v1/work-orders/{id}",
        park_team_reads_work_orders,
    ),
    row(
        "GET",
        "/api/v1/work-orders/{id}/steps",
        park_team_reads_work_orders,
    ),
    row(
        "POST",
        "/api/v1/work-orders/{id}/steps",
        park_team_handles_work_orders,
    ),
    // The inbox and the scheduling report.
    row("GET", "/api/v1/inbox", read_all),
    row("GET", "/api/v1/inbox/counts", read_all),
    row("POST", "/api/v1/inbox/{id}/read", own_messages_only),
    row("POST", "/api/v1/inbox/read-all", read_all),
    row(
        "GET",
        "/api/v1/reports/scheduling",
        own_chain_or_park_report,
    ),
    // Archives.
    row(
        "POST",
        "/api/v1/projects/{id}/archive",
        chain_team_handles_projects,
    ),
    row("POST", "/api/v1/appeal-rules/{id}/archive", admin_changes),
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
    /// Credit code and name of each enterprise, for import files.
    firms: [(String, String); 2],
    person: i64,
    neutral: i64,
    neutral_post: i64,
    admin_account: i64,
    admin_token: i64,
    /// A person on each park's staff (not the matrix person), to assign work orders to.
    staff: [i64; 2],
    /// Appeals of the own and the foreign enterprise, routed by `rule` to the neutral person.
    appeals: [i64; 2],
    rule: i64,
    projects: [i64; 2],
    milestones: [i64; 2],
    event: i64,
    transformation: [i64; 2],
    recognitions: [i64; 2],
    work_orders: [i64; 2],
    /// The enterprise user's import of its own rows (made once the accounts exist) and the admin's of the other's.
    imports: [i64; 2],
    /// A message of the neutral person's inbox.
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

async fn segment_in(app: &TestApp, chain: i64) -> i64 {
    let n = next();
    id_of(app, "/api/v1/segments", json!({"chain_id": chain, "code": format!("m-seg-{n}"), "name": format!("环节{n}"), "stage": "midstream"})).await
}

const IMPORTS: &str = "/api/v1/imports?filename=matrix.csv";
/// A make-up working day of a year already loaded: a year not loaded would need its whole arrangement.
const CALENDAR_CSV: &str = "date,kind,name\n2026-12-27,workday,元旦\n";
const DIGITAL_MAP_CSV: &str = "gbt4754_code,category,mid_class,note\n6432,03,,matrix\n";

/// A one-row long-layout file of an enterprise's added value; `n` makes each file's value different.
fn figures_file(firm: &(String, String), n: u32) -> String {
    format!(
        "统一社会信用代码,企业名称,期间,指标,数值,单位\n{},{},2021-01,增加值,{}.5,万元\n",
        firm.0,
        firm.1,
        1000 + n
    )
}

async fn import_id(client: &TestApp, file: String) -> i64 {
    let (status, answer) = client
        .send_file(Method::POST, IMPORTS, "text/csv", file)
        .await;
    assert_eq!(status.as_u16(), 201, "[{}] import: {answer}", client.engine);
    answer["import"]["id"].as_i64().expect("import id")
}

/// The first message of the caller's inbox, if it has any.
async fn first_message(client: &TestApp) -> Option<i64> {
    let (_, inbox) = client.get("/api/v1/inbox").await;
    inbox["items"][0]["id"].as_i64()
}

fn recognition(enterprise: i64) -> Value {
    json!({"enterprise_id": enterprise, "kind": "digital_workshop", "name": "数字化车间", "recognised_on": "2021-03-01",
        "investment": 2500, "cnc_rate_pct": 82, "key_process_cnc_pct": 90, "has_mes": true, "cost_reduction_pct": 18,
        "efficiency_gain_pct": 22, "defect_reduction_pct": 12, "energy_gain_pct": 9})
}

fn work_order(park: i64, n: u32) -> Value {
    json!({"park_id": park, "facility": "配电房", "kind": "safety_inspection", "urgency": "routine", "title": format!("巡检{n}")})
}

async fn world(admin: &TestApp) -> World {
    let f = fixture(admin).await;
    let other_park = id_of(admin, "/api/v1/parks", json!({"area_id": f.area, "code": "shuitu", "name": "水土高新园", "district": "500109", "land_area_mu": 800})).await;
    let mut enterprises = [0; 2];
    let mut firms: [(String, String); 2] = Default::default();
    for (i, (park, segment)) in [(f.park, f.root_segment), (other_park, f.other_segment)]
        .into_iter()
        .enumerate()
    {
        firms[i] = (
            credit_code(&format!("91500112MA5U7G{i}X3")),
            format!("重庆矩阵{i}有限公司"),
        );
        enterprises[i] = id_of(admin, "/api/v1/enterprises", json!({"credit_code": firms[i].0, "name": firms[i].1,
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
    let mut staff = [0; 2];
    for (i, park) in [f.park, other_park].into_iter().enumerate() {
        staff[i] = id_of(admin, "/api/v1/people", json!({"name": format!("运维{i}")})).await;
        admin.create("/api/v1/posts", json!({"person_id": staff[i], "role": "park_staff", "park_id": park, "starts_on": "2021-01-01"})).await;
    }
    let (_, session) = admin.get("/api/v1/session").await;
    let (_, token) = admin
        .post("/api/v1/tokens", json!({"name": "admin's"}))
        .await;

    // Appeals of category "other" go to the neutral person, so no matrix account handles them.
    let rule = id_of(
        admin,
        "/api/v1/appeal-rules",
        json!({"category": "other", "target": "person", "person_id": neutral}),
    )
    .await;
    let mut appeals = [0; 2];
    for (i, firm) in enterprises.into_iter().enumerate() {
        appeals[i] = id_of(
            admin,
            "/api/v1/appeals",
            json!({"enterprise_id": firm, "category": "other", "title": format!("诉求{i}")}),
        )
        .await;
    }
    // The matrix person's message: an appeal of the own enterprise assigned to it.
    let assigned = id_of(
        admin,
        "/api/v1/appeals",
        json!({"enterprise_id": enterprises[0], "category": "other", "title": "交办"}),
    )
    .await;
    for step in [
        json!({"action": "accept"}),
        json!({"action": "assign", "assignee_person_id": f.person}),
    ] {
        let (status, answer) = admin
            .post(&format!("/api/v1/appeals/{assigned}/steps"), step)
            .await;
        assert_eq!(status.as_u16(), 200, "[{}] {answer}", admin.engine);
    }
    let neutral_client = admin
        .as_account("m.neutral", ChainTaskForce, Some(neutral))
        .await;
    let foreign_message = first_message(&neutral_client)
        .await
        .expect("the neutral person's message");

    let mut projects = [0; 2];
    let mut milestones = [0; 2];
    for (i, (chain, park)) in [(f.chain, f.park), (f.other_chain, other_park)]
        .into_iter()
        .enumerate()
    {
        projects[i] = id_of(admin, "/api/v1/projects", json!({"name": format!("项目{i}"), "investor": "投资方", "chain_id": chain, "park_id": park})).await;
        milestones[i] = id_of(
            admin,
            &format!("/api/v1/projects/{}/milestones", projects[i]),
            json!({"name": "开工", "due_on": "2022-01-01"}),
        )
        .await;
    }
    let event = id_of(
        admin,
        "/api/v1/signing-events",
        json!({"name": "签约活动", "held_on": "2021-08-18"}),
    )
    .await;
    let mut transformation = [0; 2];
    let mut recognitions = [0; 2];
    let mut work_orders = [0; 2];
    for (i, (firm, park)) in enterprises
        .into_iter()
        .zip([f.park, other_park])
        .enumerate()
    {
        transformation[i] = id_of(admin, "/api/v1/transformation/projects", json!({"enterprise_id": firm, "name": "智能化改造", "investment": 500, "started_on": "2021-01-01"})).await;
        recognitions[i] = id_of(
            admin,
            "/api/v1/transformation/recognitions",
            recognition(firm),
        )
        .await;
        work_orders[i] = id_of(admin, "/api/v1/work-orders", work_order(park, 0)).await;
    }
    let admin_import = import_id(admin, figures_file(&firms[1], next())).await;
    World {
        area: f.area,
        chains: [f.chain, f.other_chain],
        segments: [f.root_segment, f.other_segment],
        links,
        parks: [f.park, other_park],
        enterprises,
        firms,
        person: f.person,
        neutral,
        neutral_post,
        admin_account: session["account"]["id"].as_i64().expect("id"),
        admin_token: token["info"]["id"].as_i64().expect("id"),
        staff,
        appeals,
        rule,
        projects,
        milestones,
        event,
        transformation,
        recognitions,
        work_orders,
        imports: [0, admin_import],
        foreign_message,
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
        ("POST", "/api/v1/indicators") => (
            row.path.into(),
            Some(
                json!({"code": format!("matrix_{n}"), "name_zh": format!("指标{n}"), "unit": "count", "aggregation": "sum"}),
            ),
        ),
        ("GET", "/api/v1/stats") => (
            format!("{}?indicator=added_value&period=2021-H1&by=chain", row.path),
            None,
        ),
        ("GET", "/api/v1/enterprises/{id}/figures") => (
            format!(
                "{}?indicator=added_value&period=2021",
                id(pick(w.enterprises, scope))
            ),
            None,
        ),
        (_, "/api/v1/enterprises/{id}/digital-category") => (
            id(pick(w.enterprises, scope)),
            Some(json!({"category": "01", "overridden": true})),
        ),
        ("PUT", "/api/v1/region-figures") => (
            row.path.into(),
            Some(
                json!({"region_code": "500000", "subject": "digital_economy", "indicator": "added_value", "period": "2021-H1",
                    "value": 100 + n, "source": "matrix"}),
            ),
        ),
        ("POST", "/api/v1/imports") => {
            let firm = match scope {
                Own => &w.firms[0],
                Foreign => &w.firms[1],
            };
            (IMPORTS.into(), Some(Value::String(figures_file(firm, n))))
        }
        (
            _,
            "/api/v1/imports/{id}"
            | "/api/v1/imports/{id}/report.csv"
            | "/api/v1/imports/{id}/report.xlsx",
        ) => (id(pick(w.imports, scope)), None),
        (_, "/api/v1/imports/templates/{file}") => (row.path.replace("{file}", "long.csv"), None),
        ("POST", "/api/v1/appeals") => (
            row.path.into(),
            Some(
                json!({"enterprise_id": pick(w.enterprises, scope), "category": "other", "title": format!("诉求{n}")}),
            ),
        ),
        ("POST", "/api/v1/appeals/{id}/steps") => {
            // A fresh appeal each time, so that each caller finds one to accept.
            let fresh = id_of(
                admin,
                "/api/v1/appeals",
                json!({"enterprise_id": pick(w.enterprises, scope), "category": "other", "title": format!("待受理{n}")}),
            )
            .await;
            (id(fresh), Some(json!({"action": "accept"})))
        }
        (_, "/api/v1/appeals/{id}" | "/api/v1/appeals/{id}/steps") => {
            (id(pick(w.appeals, scope)), None)
        }
        ("POST", "/api/v1/escalations") => (row.path.into(), Some(json!({"as_of": "2021-10-10"}))),
        ("POST", "/api/v1/calendar") => (row.path.into(), Some(Value::String(CALENDAR_CSV.into()))),
        ("PUT", "/api/v1/digital-economy/map") => (
            format!("{}?mode=merge&filename=matrix.csv", row.path),
            Some(Value::String(DIGITAL_MAP_CSV.into())),
        ),
        ("POST", "/api/v1/appeal-rules") => (
            row.path.into(),
            Some(json!({"category": "land", "target": "person", "person_id": w.neutral})),
        ),
        ("POST", "/api/v1/appeal-rules/{id}/archive") => {
            let fresh = id_of(
                admin,
                "/api/v1/appeal-rules",
                json!({"category": "policy", "target": "person", "person_id": w.neutral}),
            )
            .await;
            (id(fresh), None)
        }
        (_, "/api/v1/appeal-rules/{id}") => {
            (id(w.rule), Some(json!({"note": format!("matrix {n}")})))
        }
        ("POST", "/api/v1/projects") => (
            row.path.into(),
            Some(
                json!({"name": format!("项目{n}"), "investor": "投资方", "chain_id": pick(w.chains, scope)}),
            ),
        ),
        ("POST", "/api/v1/projects/{id}/stage" | "/api/v1/projects/{id}/archive") => {
            // A fresh project each time: a stage moves once, an archive happens once.
            let fresh = id_of(
                admin,
                "/api/v1/projects",
                json!({"name": format!("推进{n}"), "investor": "投资方",
                "chain_id": pick(w.chains, scope), "park_id": pick(w.parks, scope)}),
            )
            .await;
            let body = row
                .path
                .ends_with("/stage")
                .then(|| json!({"stage": "signed", "on": "2021-08-18"}));
            (id(fresh), body)
        }
        ("POST", "/api/v1/projects/{id}/investments") => (
            id(pick(w.projects, scope)),
            Some(json!({"year": 2021, "amount": 100 + n})),
        ),
        ("POST", "/api/v1/projects/{id}/milestones") => (
            id(pick(w.projects, scope)),
            Some(json!({"name": format!("节点{n}"), "due_on": "2022-03-01"})),
        ),
        (_, "/api/v1/projects/{id}") => (
            id(pick(w.projects, scope)),
            Some(json!({"name_en": format!("matrix {n}")})),
        ),
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
                json!({"enterprise_id": pick(w.enterprises, scope), "name": format!("改造{n}"), "investment": 100, "started_on": "2021-01-01"}),
            ),
        ),
        (_, "/api/v1/transformation/projects/{id}") => (
            id(pick(w.transformation, scope)),
            Some(json!({"investment": 600 + n})),
        ),
        ("POST", "/api/v1/transformation/recognitions") => (
            row.path.into(),
            Some(recognition(pick(w.enterprises, scope))),
        ),
        (_, "/api/v1/transformation/recognitions/{id}") => (id(pick(w.recognitions, scope)), None),
        ("POST", "/api/v1/work-orders") => {
            (row.path.into(), Some(work_order(pick(w.parks, scope), n)))
        }
        ("POST", "/api/v1/work-orders/{id}/steps") => (
            id(pick(w.work_orders, scope)),
            Some(json!({"action": "assign", "assignee_person_id": pick(w.staff, scope)})),
        ),
        (_, "/api/v1/work-orders/{id}" | "/api/v1/work-orders/{id}/steps") => {
            (id(pick(w.work_orders, scope)), None)
        }
        ("POST", "/api/v1/inbox/{id}/read") => {
            // Own: the caller's first message (none for accounts without a person); foreign: another person's.
            let own = match scope {
                Own => first_message(me).await,
                Foreign => None,
            };
            (id(own.unwrap_or(w.foreign_message)), None)
        }
        ("POST", "/api/v1/inbox/read-all") => (row.path.into(), Some(json!({}))),
        ("GET", "/api/v1/reports/scheduling") => {
            let subject = match who {
                As(ParkChief | ParkStaff) => format!("park_id={}", pick(w.parks, scope)),
                _ => format!("chain_id={}", pick(w.chains, scope)),
            };
            (format!("{}?{subject}&month=2021-09", row.path), None)
        }
        _ => (row.path.into(), None),
    }
}

#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_matrix_says() {
    for admin in apps().await {
        let mut w = world(&admin).await;
        let mut callers = vec![(Nobody, admin.anonymous())];
        for role in Role::ALL {
            let person = role.needs_person().then_some(w.person);
            let client = admin
                .as_account(&format!("m.{}", role.as_str()), role, person)
                .await;
            callers.push((As(role), client));
        }
        // The enterprise user's own import, for the rows that read imports.
        let enterprise = &callers
            .iter()
            .find(|(who, _)| *who == As(Enterprise))
            .expect("the enterprise account")
            .1;
        w.imports[0] = import_id(enterprise, figures_file(&w.firms[0], next())).await;
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
                    let (status, answer) = match body {
                        // Imports, the calendar and the mapping take a file, not JSON.
                        Some(Value::String(text)) => {
                            client.send_file(method, &path, "text/csv", text).await
                        }
                        body => client.call(method, &path, body).await,
                    };
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
