//! Accounts from the command line: `chainpark user ...`, and the demo's accounts, one per role.

use std::sync::Arc;

use anyhow::Context;
use chainpark_app::passwords::hash_password;
use chainpark_core::access::Role;
use chainpark_core::account::AccountInput;
use chainpark_core::registry::{Post, PostRole};
use chainpark_core::time::Clock;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, PostFilter};

/// The password of every demo account but the admin's (README lists them).
pub const DEMO_PASSWORD: &str = "chainpark-demo";

/// Creates an account with the system's authority.
pub async fn add(
    store: &Arc<dyn Store>,
    username: &str,
    password: &str,
    role: Role,
    person_id: Option<i64>,
    display_name: &str,
) -> anyhow::Result<()> {
    let input = AccountInput {
        username: username.to_string(),
        password: password.to_string(),
        role,
        person_id,
        display_name: display_name.to_string(),
    };
    let (draft, password) = input.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = hash_password(&password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .create_account(&Actor::system("cli"), draft, hash)
        .await
        .with_context(|| format!("creating account {username}"))?;
    Ok(())
}

/// The demo's accounts: the admin (password from CHAINPARK_ADMIN_PASSWORD, else generated and printed), and one
/// account per role, tied to a person of the demo zone who holds the matching post today.
pub async fn create_demo_accounts(store: &Arc<dyn Store>, clock: Clock) -> anyhow::Result<()> {
    let admin_password = match std::env::var("CHAINPARK_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let generated = chainpark_app::passwords::new_secret()[..16].to_string();
            println!(
                "admin password (generated; set CHAINPARK_ADMIN_PASSWORD to choose one): {generated}"
            );
            generated
        }
    };
    add(store, "admin", &admin_password, Role::Admin, None, "管理员").await?;
    add(
        store,
        "leader",
        DEMO_PASSWORD,
        Role::Leader,
        None,
        "管委会领导",
    )
    .await?;
    add(
        store,
        "analyst",
        DEMO_PASSWORD,
        Role::Analyst,
        None,
        "经济运行分析员",
    )
    .await?;
    let system = Actor::system("demo");
    let today = clock.today();
    let scoped = [
        ("chain.chief", Role::ChainChief, PostRole::ChainChief),
        (
            "chain.taskforce",
            Role::ChainTaskForce,
            PostRole::ChainTaskForce,
        ),
        ("chain.owner", Role::ChainOwner, PostRole::ChainOwner),
        ("park.chief", Role::ParkChief, PostRole::ParkChief),
        ("park.staff", Role::ParkStaff, PostRole::ParkStaff),
        ("enterprise", Role::Enterprise, PostRole::EnterpriseContact),
    ];
    for (username, role, post_role) in scoped {
        let post = demo_post(store, post_role, today).await?;
        let person = store.get_person(&system, post.person_id).await?;
        add(
            store,
            username,
            DEMO_PASSWORD,
            role,
            Some(person.id),
            &person.name,
        )
        .await?;
    }
    Ok(())
}

/// The post whose holder gets the demo account of `role`: the first one held on `today` of a chain, park or
/// enterprise — so the chain chief leads one chain rather than all of them, and the park chief one park (whose
/// board the demo's meters fill).
pub async fn demo_post(
    store: &Arc<dyn Store>,
    role: PostRole,
    today: chrono::NaiveDate,
) -> anyhow::Result<Post> {
    let filter = PostFilter {
        role: Some(role),
        on: Some(today),
        ..Default::default()
    };
    let posts = store
        .list_posts(
            &Actor::system("demo"),
            &filter,
            &chainpark_core::list::Paging::all(),
        )
        .await?
        .items;
    posts
        .into_iter()
        .find(|p| p.chain_id.is_some() || p.park_id.is_some() || p.enterprise_id.is_some())
        .with_context(|| format!("the demo zone has nobody holding a {role} post today"))
}
