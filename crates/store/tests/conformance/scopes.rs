//! A scoped actor (chain owner, park chief, enterprise user) reads and changes only what its posts reach; what
//! it may not see does not exist for it.

use chainpark_core::access::Role;
use chainpark_core::account::AccountDraft;
use chainpark_core::list::Paging;
use chainpark_core::registry::*;
use chainpark_store::*;

use crate::registry::{Zone, park_draft, post_draft, zone};
use crate::support::{Db, assert_denied, assert_not_found, system};

/// The actor of an account of `role` for the zone's person, once the person holds `post`.
pub async fn scoped(db: &Db, role: Role, post: PostInput) -> Actor {
    let admin = system();
    db.create_post(&admin, post.parse().expect("a valid post"))
        .await
        .expect("post");
    let account = db
        .create_account(
            &admin,
            AccountDraft {
                username: format!("{role}.user"),
                display_name: String::new(),
                role,
                person_id: Some(post_person(db).await),
            },
            "not-a-real-hash".into(),
        )
        .await
        .expect("account");
    db.actor_for(&account, crate::support::today())
        .await
        .expect("actor")
}

/// The one person of the zone.
async fn post_person(db: &Db) -> Id {
    let people = db
        .list_people(&system(), &PersonFilter::default(), &Paging::all())
        .await
        .expect("people");
    people.items[0].id
}

fn all() -> Paging {
    Paging::all()
}

pub async fn a_chain_owner_sees_only_its_chain(db: Db) {
    let z: Zone = zone(&db).await;
    let owner = PostInput {
        chain_id: Some(z.chain),
        owner_kind: Some(OwnerKind::Expert),
        ..post_draft(z.person, PostRole::ChainOwner)
    };
    let owner = scoped(&db, Role::ChainOwner, owner).await;
    let chains = db
        .list_chains(&owner, &ChainFilter::default(), &all())
        .await
        .expect("listed");
    assert_eq!(chains.total, 1);
    assert_eq!(chains.items[0].id, z.chain);
    assert_not_found(db.get_chain(&owner, z.other_chain).await);
    assert_not_found(db.get_segment(&owner, z.other_segment).await);
    let segments = db
        .list_segments(&owner, &SegmentFilter::default(), &all())
        .await
        .expect("listed");
    assert_eq!(segments.total, 1);
    let firm = db
        .get_enterprise(&owner, z.firm)
        .await
        .expect("in its chain");
    assert!(
        firm.contact.is_none(),
        "a chain owner reads no contact data"
    );
}

pub async fn a_park_chief_edits_only_its_park(db: Db) {
    let z = zone(&db).await;
    let chief = PostInput {
        park_id: Some(z.park),
        ..post_draft(z.person, PostRole::ParkChief)
    };
    let chief = scoped(&db, Role::ParkChief, chief).await;
    let mut own = park_draft(z.area, "yufu", "鱼复工业园", "500112");
    own.name_en = "Yufu Industrial Park".into();
    let changed = db
        .update_park(&chief, z.park, own, None)
        .await
        .expect("its own park");
    assert_eq!(changed.name_en, "Yufu Industrial Park");
    let mut other = park_draft(z.area, "shuitu", "水土高新园", "500109");
    other.name_en = "Shuitu".into();
    assert_denied(db.update_park(&chief, z.other_park, other, None).await);
    let unchanged = db.get_park(&system(), z.other_park).await.expect("read");
    assert_eq!(unchanged.name_en, "", "the refused change is not stored");
    let own_firm = db
        .get_enterprise(&chief, z.firm)
        .await
        .expect("in its park");
    assert!(
        own_firm.contact.is_some(),
        "contact data of its park's firms"
    );
    let other_firm = db
        .get_enterprise(&chief, z.other_firm)
        .await
        .expect("public");
    assert!(other_firm.contact.is_none(), "and of no other");
}

pub async fn an_enterprise_user_sees_only_its_enterprise(db: Db) {
    let z = zone(&db).await;
    let contact = PostInput {
        enterprise_id: Some(z.firm),
        ..post_draft(z.person, PostRole::EnterpriseContact)
    };
    let user = scoped(&db, Role::Enterprise, contact).await;
    let firms = db
        .list_enterprises(&user, &EnterpriseFilter::default(), &all())
        .await
        .expect("listed");
    assert_eq!(firms.total, 1);
    assert_eq!(firms.items[0].id, z.firm);
    assert!(firms.items[0].contact.is_some(), "its own contact data");
    assert_not_found(db.get_enterprise(&user, z.other_firm).await);
    assert_not_found(db.get_park(&user, z.other_park).await);
    let areas = db
        .list_areas(&user, &AreaFilter::default(), &all())
        .await
        .expect("listed");
    assert_eq!(areas.total, 0, "no areas");
}

pub async fn a_scoped_actor_may_not_read_the_audit_trail(db: Db) {
    let z = zone(&db).await;
    let chief = PostInput {
        park_id: Some(z.park),
        ..post_draft(z.person, PostRole::ParkChief)
    };
    let chief = scoped(&db, Role::ParkChief, chief).await;
    assert_denied(db.list_audit(&chief, &AuditFilter::default(), &all()).await);
}
