//! Accounts, sessions and API tokens: only what is valid today signs in, a new password or a disabled account
//! ends what it must, and each account change is audited.

use chainpark_core::access::Role;
use chainpark_core::account::AccountDraft;
use chainpark_core::list::Paging;
use chainpark_core::registry::{PostInput, PostRole};
use chainpark_store::*;
use chrono::{DateTime, TimeZone, Utc};

use crate::registry::{post_draft, zone};
use crate::support::{Db, audited, conflict_field, system};

/// Far enough ahead that nothing run today has passed it, and far enough back that everything has.
fn future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0)
        .single()
        .expect("instant")
}

fn past() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .expect("instant")
}

/// The instant the application asks at (its clock, fixed in tests).
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 10, 0, 0)
        .single()
        .expect("instant")
}

fn draft(username: &str, role: Role) -> AccountDraft {
    AccountDraft {
        username: username.into(),
        display_name: String::new(),
        role,
        person_id: None,
    }
}

pub async fn accounts_create_get_list_update(db: Db) {
    let admin = system();
    let analyst = db
        .create_account(&admin, draft("li.na", Role::Analyst), "hash-1".into())
        .await
        .expect("created");
    db.create_account(&admin, draft("wang.fang", Role::Leader), "hash-2".into())
        .await
        .expect("created");
    assert_eq!(
        db.get_account(&admin, analyst.id)
            .await
            .expect("read")
            .username,
        "li.na"
    );
    let page = db
        .list_accounts(&admin, &Paging::new(Some(1), None, None))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let (leader, ended) = db
        .update_account(
            &admin,
            analyst.id,
            AccountEdit {
                role: Some(Role::Leader),
                display_name: Some("李娜".into()),
                ..Default::default()
            },
        )
        .await
        .expect("updated");
    assert_eq!(
        (leader.role, leader.display_name.as_str()),
        (Role::Leader, "李娜")
    );
    assert_eq!((ended.tokens_revoked, ended.sessions_ended), (0, 0));
    let (found, hash) = db
        .account_for_login("li.na")
        .await
        .expect("read")
        .expect("signs in");
    assert_eq!((found.id, hash.as_str()), (analyst.id, "hash-1"));
    assert!(
        db.account_for_login("nobody")
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(
        audited(&db, "account", analyst.id).await,
        ["create", "update"]
    );
}

pub async fn a_username_is_unique(db: Db) {
    let admin = system();
    db.create_account(&admin, draft("li.na", Role::Analyst), "hash".into())
        .await
        .expect("created");
    let again = db
        .create_account(&admin, draft("li.na", Role::Leader), "hash".into())
        .await;
    assert_eq!(conflict_field(again), "username");
}

pub async fn a_session_lives_until_it_is_deleted_or_expires(db: Db) {
    let admin = system();
    let account = db
        .create_account(&admin, draft("li.na", Role::Analyst), "hash".into())
        .await
        .expect("created");
    db.create_session("live", account.id, "csrf-live", future(), now())
        .await
        .expect("session");
    db.create_session("expired", account.id, "csrf-old", past(), now())
        .await
        .expect("session");
    let (found, csrf, _) = db
        .session("live", now())
        .await
        .expect("read")
        .expect("live");
    assert_eq!((found.id, csrf.as_str()), (account.id, "csrf-live"));
    assert!(db.session("expired", now()).await.expect("read").is_none());
    assert!(db.session("unknown", now()).await.expect("read").is_none());
    db.delete_session("live").await.expect("deleted");
    assert!(db.session("live", now()).await.expect("read").is_none());
}

pub async fn sessions_and_tokens_expire_at_the_instant_they_are_asked_at(db: Db) {
    let (analyst, account) = actor(&db, "li.na", Role::Analyst).await;
    let ends = now() + chrono::Duration::hours(1);
    db.create_session("s", account.id, "csrf", ends, now())
        .await
        .expect("session");
    db.create_token(&analyst, "script", "t", ends, false)
        .await
        .expect("token");
    let second = chrono::Duration::seconds(1);
    assert!(
        db.session("s", ends - second)
            .await
            .expect("read")
            .is_some()
    );
    assert!(db.token("t", ends - second).await.expect("read").is_some());
    assert!(db.session("s", ends).await.expect("read").is_none());
    assert!(db.token("t", ends).await.expect("read").is_none());
}

/// The actor of a new account of `role`.
async fn actor(db: &Db, username: &str, role: Role) -> (Actor, chainpark_core::account::Account) {
    let account = db
        .create_account(&system(), draft(username, role), "hash".into())
        .await
        .expect("created");
    (
        db.actor_for(&account, crate::support::today())
            .await
            .expect("actor"),
        account,
    )
}

pub async fn a_token_works_until_it_is_revoked_or_expires(db: Db) {
    let (analyst, account) = actor(&db, "li.na", Role::Analyst).await;
    let token = db
        .create_token(&analyst, "script", "token-hash", future(), false)
        .await
        .expect("token");
    db.create_token(&analyst, "old", "old-hash", past(), false)
        .await
        .expect("token");
    let (owner, found) = db
        .token("token-hash", now())
        .await
        .expect("read")
        .expect("valid");
    assert_eq!((owner.id, found.id), (account.id, token.id));
    assert!(
        db.token("old-hash", now()).await.expect("read").is_none(),
        "expired"
    );
    assert_eq!(db.list_tokens(&analyst).await.expect("listed").len(), 2);
    let revoked = db.revoke_token(&analyst, token.id).await.expect("revoked");
    assert!(revoked.revoked_at.is_some());
    assert!(db.token("token-hash", now()).await.expect("read").is_none());
}

pub async fn a_new_password_ends_the_other_sessions_and_revokes_the_tokens(db: Db) {
    let (analyst, account) = actor(&db, "li.na", Role::Analyst).await;
    db.create_token(&analyst, "script", "token-hash", future(), false)
        .await
        .expect("token");
    for session in ["here", "elsewhere"] {
        db.create_session(session, account.id, "csrf", future(), now())
            .await
            .expect("session");
    }
    let (_, ended) = db
        .update_account(
            &analyst,
            account.id,
            AccountEdit {
                password_hash: Some("new-hash".into()),
                keep_session: Some("here".into()),
                ..Default::default()
            },
        )
        .await
        .expect("own password");
    assert_eq!((ended.tokens_revoked, ended.sessions_ended), (1, 1));
    assert!(db.session("here", now()).await.expect("read").is_some());
    assert!(
        db.session("elsewhere", now())
            .await
            .expect("read")
            .is_none()
    );
    assert!(db.token("token-hash", now()).await.expect("read").is_none());
    let (_, hash) = db
        .account_for_login("li.na")
        .await
        .expect("read")
        .expect("account");
    assert_eq!(hash, "new-hash");
}

pub async fn a_disabled_account_has_no_session_and_no_token(db: Db) {
    let (analyst, account) = actor(&db, "li.na", Role::Analyst).await;
    db.create_token(&analyst, "script", "token-hash", future(), false)
        .await
        .expect("token");
    db.create_session("here", account.id, "csrf", future(), now())
        .await
        .expect("session");
    let (disabled, ended) = db
        .update_account(
            &system(),
            account.id,
            AccountEdit {
                disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("disabled");
    assert!(disabled.disabled);
    assert_eq!((ended.tokens_revoked, ended.sessions_ended), (1, 1));
    assert!(db.session("here", now()).await.expect("read").is_none());
    assert!(db.token("token-hash", now()).await.expect("read").is_none());
}

pub async fn an_actor_is_scoped_by_the_posts_held_today(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let held = PostInput {
        park_id: Some(z.park),
        ..post_draft(z.person, PostRole::ParkStaff)
    };
    let ended = PostInput {
        park_id: Some(z.other_park),
        ends_on: Some(crate::support::day("2022-12-31")),
        ..post_draft(z.person, PostRole::ParkStaff)
    };
    for post in [held, ended] {
        db.create_post(&admin, post.parse().expect("valid"))
            .await
            .expect("post");
    }
    let account = db
        .create_account(
            &admin,
            AccountDraft {
                person_id: Some(z.person),
                ..draft("yufu.staff", Role::ParkStaff)
            },
            "hash".into(),
        )
        .await
        .expect("created");
    let actor = db
        .actor_for(&account, crate::support::today())
        .await
        .expect("actor");
    assert_eq!(actor.account, "yufu.staff");
    assert_eq!(actor.account_id, Some(account.id));
    assert_eq!(
        actor.scope.parks,
        [z.park],
        "the post that ended gives nothing"
    );
    assert_eq!(actor.scope.person, Some(z.person));
}

pub async fn creating_and_revoking_a_token_is_audited_without_the_secret(db: Db) {
    let (analyst, _) = actor(&db, "li.na", Role::Analyst).await;
    let token = db
        .create_token(&analyst, "script", "token-hash", future(), false)
        .await
        .expect("token");
    db.revoke_token(&analyst, token.id).await.expect("revoked");
    db.revoke_token(&analyst, token.id)
        .await
        .expect("revoking again changes nothing");
    let filter = AuditFilter {
        object_kind: Some("api_token".into()),
        object_id: Some(token.id),
        ..Default::default()
    };
    let mut entries = db
        .list_audit(&system(), &filter, &Paging::all())
        .await
        .expect("the audit trail")
        .items;
    entries.sort_by_key(|e| e.id);
    let seen: Vec<(String, String)> = entries
        .iter()
        .map(|e| (e.actor.clone(), e.action.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            ("li.na".to_string(), "create".to_string()),
            ("li.na".to_string(), "revoke".to_string())
        ]
    );
    let written = serde_json::to_string(&entries).expect("json");
    assert!(!written.contains("token-hash"), "{written}");
}
