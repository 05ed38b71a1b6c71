//! The registry's aggregates: each is created, read, listed (filter, paging, total), updated and archived, and
//! each change writes one audit entry; natural keys are unique (409) and references must exist (422).

use chainpark_core::list::Paging;
use chainpark_core::registry::*;
use chainpark_store::*;
use chrono::NaiveDate;

use crate::support::{Db, assert_not_found, audited, conflict_field, day, invalid_fields, system};

pub fn area_draft(code: &str, name: &str) -> IndustryAreaDraft {
    IndustryAreaInput {
        code: code.into(),
        name: name.into(),
        ..Default::default()
    }
    .parse()
    .expect("a valid area")
}

pub fn chain_draft(area: Id, code: &str, name: &str) -> ChainDraft {
    ChainInput {
        area_id: area,
        code: code.into(),
        name: name.into(),
        ..Default::default()
    }
    .parse()
    .expect("a valid chain")
}

pub fn segment_draft(chain: Id, code: &str, name: &str) -> SegmentDraft {
    SegmentInput {
        chain_id: chain,
        parent_id: None,
        code: code.into(),
        name: name.into(),
        name_en: String::new(),
        stage: Stage::Midstream,
        position: 0,
        industry_codes: vec!["3841".into()],
    }
    .parse()
    .expect("a valid segment")
}

pub fn person_draft(name: &str) -> PersonDraft {
    PersonInput {
        name: name.into(),
        ..Default::default()
    }
    .parse()
    .expect("a valid person")
}

pub fn park_draft(area: Id, code: &str, name: &str, district: &str) -> ParkDraft {
    ParkInput {
        area_id: area,
        code: code.into(),
        name: name.into(),
        name_en: String::new(),
        district: district.into(),
        land_area_mu: Some(800.0),
        land_area_ha: None,
        location: None,
        outline: None,
    }
    .parse()
    .expect("a valid park")
}

/// A valid credit code of Chongqing's Liangjiang district whose 17-character body ends in `n`.
pub fn credit_code(n: u32) -> String {
    chainpark_core::credit_code::CreditCode::from_body(&format!("91500112MA5U7G{n}X3"))
        .expect("a valid body")
        .as_str()
        .to_string()
}

pub fn enterprise_draft(
    n: u32,
    name: &str,
    park: Option<Id>,
    segments: Vec<Id>,
) -> EnterpriseDraft {
    EnterpriseInput {
        credit_code: credit_code(n),
        name: name.into(),
        name_en: String::new(),
        industry_code: "3841".into(),
        district: "500112".into(),
        park_id: park,
        segment_ids: segments,
        above_size: false,
        high_tech: false,
        leading: false,
        founded_on: None,
        status: EnterpriseStatus::Active,
        contact: EnterpriseContact {
            contact_name: "联系人".into(),
            phone: "13800000000".into(),
            ..Default::default()
        },
    }
    .parse()
    .expect("a valid enterprise")
}

pub fn post_draft(person: Id, role: PostRole) -> PostInput {
    PostInput {
        person_id: person,
        role,
        chain_id: None,
        park_id: None,
        enterprise_id: None,
        chief_level: None,
        owner_kind: None,
        title: String::new(),
        starts_on: day("2021-08-01"),
        ends_on: None,
    }
}

/// Two of everything, so that a scope has something to leave out: areas, chains with a segment each, parks, a
/// person, and an enterprise in each chain and park.
pub struct Zone {
    pub area: Id,
    pub chain: Id,
    pub other_chain: Id,
    pub segment: Id,
    pub other_segment: Id,
    pub park: Id,
    pub other_park: Id,
    pub person: Id,
    pub firm: Id,
    pub other_firm: Id,
}

pub async fn zone(db: &Db) -> Zone {
    let admin = system();
    let area = db
        .create_area(&admin, area_draft("auto", "汽车产业功能区"))
        .await
        .expect("area")
        .id;
    let chain = db
        .create_chain(&admin, chain_draft(area, "nev", "新能源汽车"))
        .await
        .expect("chain")
        .id;
    let other_chain = db
        .create_chain(&admin, chain_draft(area, "ic", "集成电路"))
        .await
        .expect("chain")
        .id;
    let segment = db
        .create_segment(&admin, segment_draft(chain, "cells", "电芯"))
        .await
        .expect("segment")
        .id;
    let other_segment = db
        .create_segment(&admin, segment_draft(other_chain, "fab", "晶圆制造"))
        .await
        .expect("segment")
        .id;
    let park = db
        .create_park(&admin, park_draft(area, "yufu", "鱼复工业园", "500112"))
        .await
        .expect("park")
        .id;
    let other_park = db
        .create_park(&admin, park_draft(area, "shuitu", "水土高新园", "500109"))
        .await
        .expect("park")
        .id;
    let person = db
        .create_person(&admin, person_draft("张伟"))
        .await
        .expect("person")
        .id;
    let firm = db
        .create_enterprise(
            &admin,
            enterprise_draft(1, "重庆长程电池有限公司", Some(park), vec![segment]),
        )
        .await
        .expect("enterprise")
        .id;
    let other_firm = db
        .create_enterprise(
            &admin,
            enterprise_draft(
                2,
                "重庆晶芯科技有限公司",
                Some(other_park),
                vec![other_segment],
            ),
        )
        .await
        .expect("enterprise")
        .id;
    Zone {
        area,
        chain,
        other_chain,
        segment,
        other_segment,
        park,
        other_park,
        person,
        firm,
        other_firm,
    }
}

fn first(limit: i64) -> Paging {
    Paging::new(Some(limit), None, None)
}

pub async fn areas_create_get_list_update_archive(db: Db) {
    let admin = system();
    let auto = db
        .create_area(&admin, area_draft("auto", "汽车产业功能区"))
        .await
        .expect("created");
    db.create_area(&admin, area_draft("chip", "芯片产业功能区"))
        .await
        .expect("created");
    assert_eq!(
        db.get_area(&admin, auto.id).await.expect("read").code,
        "auto"
    );

    let all = db
        .list_areas(&admin, &AreaFilter::default(), &first(1))
        .await
        .expect("listed");
    assert_eq!(
        (all.items.len(), all.total),
        (1, 2),
        "a page of one, of two"
    );
    let filter = AreaFilter {
        q: Some("芯片".into()),
        ..Default::default()
    };
    let chip = db
        .list_areas(&admin, &filter, &first(10))
        .await
        .expect("listed");
    assert_eq!(chip.total, 1);
    assert_eq!(chip.items[0].code, "chip");

    let updated = db
        .update_area(&admin, auto.id, area_draft("auto", "汽车功能区"), None)
        .await
        .expect("updated");
    assert_eq!(updated.name, "汽车功能区");
    let archived = db.archive_area(&admin, auto.id).await.expect("archived");
    assert!(archived.archived);
    let open = db
        .list_areas(&admin, &AreaFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(open.total, 1, "an archived area leaves the list");
    let with_archived = AreaFilter {
        include_archived: true,
        ..Default::default()
    };
    let all = db
        .list_areas(&admin, &with_archived, &first(10))
        .await
        .expect("listed");
    assert_eq!(all.total, 2, "and comes back when asked for");
    assert_eq!(
        audited(&db, "industry_area", auto.id).await,
        ["create", "update", "archive"]
    );
}

pub async fn chains_create_get_list_update_archive(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let other_area = db
        .create_area(&admin, area_draft("chip", "芯片产业功能区"))
        .await
        .expect("area")
        .id;
    let third = db
        .create_chain(&admin, chain_draft(other_area, "display", "新型显示"))
        .await
        .expect("created");
    assert_eq!(
        db.get_chain(&admin, z.chain).await.expect("read").code,
        "nev"
    );
    let filter = ChainFilter {
        area_id: Some(z.area),
        ..Default::default()
    };
    let page = db
        .list_chains(&admin, &filter, &first(1))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let updated = db
        .update_chain(
            &admin,
            third.id,
            chain_draft(other_area, "display", "显示"),
            None,
        )
        .await
        .expect("updated");
    assert_eq!(updated.name, "显示");
    assert!(
        db.archive_chain(&admin, third.id)
            .await
            .expect("archived")
            .archived
    );
    let page = db
        .list_chains(&admin, &ChainFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 2, "an archived chain leaves the list");
    assert_eq!(
        audited(&db, "chain", third.id).await,
        ["create", "update", "archive"]
    );
}

pub async fn segments_create_get_list_update_archive(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let mut child = segment_draft(z.chain, "anode", "负极材料");
    child.parent_id = Some(z.segment);
    let child = db.create_segment(&admin, child).await.expect("created");
    assert_eq!(
        db.get_segment(&admin, child.id)
            .await
            .expect("read")
            .parent_id,
        Some(z.segment)
    );
    let filter = SegmentFilter {
        chain_id: Some(z.chain),
        ..Default::default()
    };
    let page = db
        .list_segments(&admin, &filter, &first(1))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let roots = SegmentFilter {
        chain_id: Some(z.chain),
        roots_only: true,
        ..Default::default()
    };
    let page = db
        .list_segments(&admin, &roots, &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, z.segment);
    let mut renamed = segment_draft(z.chain, "anode", "负极");
    renamed.parent_id = Some(z.segment);
    let updated = db
        .update_segment(&admin, child.id, renamed, None)
        .await
        .expect("updated");
    assert_eq!(updated.name, "负极");
    assert!(
        db.archive_segment(&admin, child.id)
            .await
            .expect("archived")
            .archived
    );
    let page = db
        .list_segments(&admin, &filter, &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
    assert_eq!(
        audited(&db, "segment", child.id).await,
        ["create", "update", "archive"]
    );
}

pub async fn supply_links_create_get_list_update_archive(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let draft = |note: &str| {
        SupplyLinkInput {
            from_segment_id: z.other_segment,
            to_segment_id: z.segment,
            note: note.into(),
        }
        .parse()
        .expect("a valid link")
    };
    let link = db
        .create_link(&admin, draft("芯片"))
        .await
        .expect("created");
    assert_eq!(
        db.get_link(&admin, link.id).await.expect("read").note,
        "芯片"
    );
    for chain in [z.chain, z.other_chain] {
        let filter = LinkFilter {
            chain_id: Some(chain),
            ..Default::default()
        };
        let page = db
            .list_links(&admin, &filter, &first(10))
            .await
            .expect("listed");
        assert_eq!(
            page.total, 1,
            "a link belongs to the chains at both its ends"
        );
    }
    let updated = db
        .update_link(&admin, link.id, draft("车规级芯片"), None)
        .await
        .expect("updated");
    assert_eq!(updated.note, "车规级芯片");
    assert!(
        db.archive_link(&admin, link.id)
            .await
            .expect("archived")
            .archived
    );
    let page = db
        .list_links(&admin, &LinkFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 0);
    assert_eq!(
        audited(&db, "supply_link", link.id).await,
        ["create", "update", "archive"]
    );
}

pub async fn people_create_get_list_update_archive(db: Db) {
    let admin = system();
    let zhang = db
        .create_person(&admin, person_draft("张伟"))
        .await
        .expect("created");
    db.create_person(&admin, person_draft("王芳"))
        .await
        .expect("created");
    assert_eq!(
        db.get_person(&admin, zhang.id).await.expect("read").name,
        "张伟"
    );
    let page = db
        .list_people(&admin, &PersonFilter::default(), &first(1))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let filter = PersonFilter {
        q: Some("王".into()),
        ..Default::default()
    };
    assert_eq!(
        db.list_people(&admin, &filter, &first(10))
            .await
            .expect("listed")
            .total,
        1
    );
    let mut draft = person_draft("张伟");
    draft.office_phone = "023-6000000".into();
    let updated = db
        .update_person(&admin, zhang.id, draft, None)
        .await
        .expect("updated");
    assert_eq!(updated.office_phone, "023-6000000");
    assert!(
        db.archive_person(&admin, zhang.id)
            .await
            .expect("archived")
            .archived
    );
    let page = db
        .list_people(&admin, &PersonFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
    assert_eq!(
        audited(&db, "person", zhang.id).await,
        ["create", "update", "archive"]
    );
}

pub async fn posts_create_get_list_update_archive(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let staff = PostInput {
        park_id: Some(z.park),
        ..post_draft(z.person, PostRole::ParkStaff)
    };
    let post = db
        .create_post(&admin, staff.clone().parse().expect("valid"))
        .await
        .expect("created");
    let contact = PostInput {
        enterprise_id: Some(z.firm),
        ..post_draft(z.person, PostRole::EnterpriseContact)
    };
    db.create_post(&admin, contact.parse().expect("valid"))
        .await
        .expect("created");
    assert_eq!(
        db.get_post(&admin, post.id).await.expect("read").park_id,
        Some(z.park)
    );
    let of_person = PostFilter {
        person_id: Some(z.person),
        ..Default::default()
    };
    let page = db
        .list_posts(&admin, &of_person, &first(1))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let in_park = PostFilter {
        park_id: Some(z.park),
        ..Default::default()
    };
    assert_eq!(
        db.list_posts(&admin, &in_park, &first(10))
            .await
            .expect("listed")
            .total,
        1
    );
    let before_it_began = PostFilter {
        on: Some(day("2021-07-31")),
        ..of_person.clone()
    };
    assert_eq!(
        db.list_posts(&admin, &before_it_began, &first(10))
            .await
            .expect("listed")
            .total,
        0
    );
    let ended = PostInput {
        ends_on: Some(day("2022-12-31")),
        ..staff
    };
    let updated = db
        .update_post(&admin, post.id, ended.parse().expect("valid"), None)
        .await
        .expect("updated");
    assert_eq!(updated.ends_on, Some(day("2022-12-31")));
    assert!(
        db.archive_post(&admin, post.id)
            .await
            .expect("archived")
            .archived
    );
    assert_eq!(
        db.list_posts(&admin, &of_person, &first(10))
            .await
            .expect("listed")
            .total,
        1
    );
    assert_eq!(
        audited(&db, "post", post.id).await,
        ["create", "update", "archive"]
    );
}

pub async fn parks_create_get_list_update_archive(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let park = db.get_park(&admin, z.park).await.expect("read");
    assert_eq!((park.code.as_str(), park.land_area_mu), ("yufu", 800.0));
    let page = db
        .list_parks(&admin, &ParkFilter::default(), &first(1))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let filter = ParkFilter {
        district: Some("500109".into()),
        ..Default::default()
    };
    let page = db
        .list_parks(&admin, &filter, &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, z.other_park);
    let updated = db
        .update_park(
            &admin,
            z.park,
            park_draft(z.area, "yufu", "鱼复新城", "500112"),
            None,
        )
        .await
        .expect("updated");
    assert_eq!(updated.name, "鱼复新城");
    assert!(
        db.archive_park(&admin, z.park)
            .await
            .expect("archived")
            .archived
    );
    let page = db
        .list_parks(&admin, &ParkFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
    assert_eq!(
        audited(&db, "park", z.park).await,
        ["create", "update", "archive"]
    );
}

pub async fn enterprises_create_get_list_update_archive(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let firm = db.get_enterprise(&admin, z.firm).await.expect("read");
    assert_eq!(firm.segment_ids, [z.segment]);
    assert_eq!(
        firm.contact.expect("the admin sees contacts").phone,
        "13800000000"
    );
    let page = db
        .list_enterprises(&admin, &EnterpriseFilter::default(), &first(1))
        .await
        .expect("listed");
    assert_eq!((page.items.len(), page.total), (1, 2));
    for (filter, expected) in [
        (
            EnterpriseFilter {
                chain_id: Some(z.chain),
                ..Default::default()
            },
            z.firm,
        ),
        (
            EnterpriseFilter {
                park_id: Some(z.other_park),
                ..Default::default()
            },
            z.other_firm,
        ),
        (
            EnterpriseFilter {
                q: Some("晶芯".into()),
                ..Default::default()
            },
            z.other_firm,
        ),
    ] {
        let page = db
            .list_enterprises(&admin, &filter, &first(10))
            .await
            .expect("listed");
        assert_eq!(page.total, 1, "{filter:?}");
        assert_eq!(page.items[0].id, expected, "{filter:?}");
    }
    let mut draft = enterprise_draft(1, "重庆长程电池有限公司", Some(z.park), vec![z.segment]);
    draft.high_tech = true;
    let updated = db
        .update_enterprise(&admin, z.firm, draft, None)
        .await
        .expect("updated");
    assert!(updated.high_tech);
    assert!(
        db.archive_enterprise(&admin, z.firm)
            .await
            .expect("archived")
            .archived
    );
    let page = db
        .list_enterprises(&admin, &EnterpriseFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
    assert_eq!(
        audited(&db, "enterprise", z.firm).await,
        ["create", "update", "archive"]
    );
}

pub async fn an_area_code_is_unique(db: Db) {
    let admin = system();
    db.create_area(&admin, area_draft("auto", "汽车产业功能区"))
        .await
        .expect("created");
    let again = db.create_area(&admin, area_draft("auto", "另一个")).await;
    assert_eq!(conflict_field(again), "code");
    let page = db
        .list_areas(&admin, &AreaFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 1, "the refused area is not stored");
}

pub async fn a_chain_code_is_unique(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let again = db
        .create_chain(&admin, chain_draft(z.area, "nev", "另一条"))
        .await;
    assert_eq!(conflict_field(again), "code");
    let renamed = db
        .update_chain(
            &admin,
            z.other_chain,
            chain_draft(z.area, "nev", "集成电路"),
            None,
        )
        .await;
    assert_eq!(conflict_field(renamed), "code");
    assert_eq!(
        db.get_chain(&admin, z.other_chain)
            .await
            .expect("read")
            .code,
        "ic"
    );
}

pub async fn a_credit_code_is_unique(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let again = db
        .create_enterprise(
            &admin,
            enterprise_draft(1, "重庆另一家有限公司", None, vec![]),
        )
        .await;
    assert_eq!(conflict_field(again), "credit_code");
    assert_eq!(audited(&db, "enterprise", z.firm).await, ["create"]);
}

pub async fn a_park_has_one_open_ended_chief(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let chief = |person| {
        PostInput {
            park_id: Some(z.park),
            ..post_draft(person, PostRole::ParkChief)
        }
        .parse()
        .expect("valid")
    };
    db.create_post(&admin, chief(z.person))
        .await
        .expect("the first chief");
    let other = db
        .create_person(&admin, person_draft("王芳"))
        .await
        .expect("person")
        .id;
    let second = db.create_post(&admin, chief(other)).await;
    assert_eq!(conflict_field(second), "park_id");
}

/// A park's chief is whoever holds the post on the actor's day, never on the clock's: a post that ends on a day
/// years from now (2031-03-10) shows its holder on the day before and not on the day after, in the list and in the
/// park, and an actor with no day sees no chief.
pub async fn a_park_chief_is_the_post_holder_on_the_actors_day(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let ends = day("2031-03-10");
    let draft = PostInput {
        park_id: Some(z.park),
        starts_on: day("2030-01-01"),
        ends_on: Some(ends),
        ..post_draft(z.person, PostRole::ParkChief)
    }
    .parse()
    .expect("valid");
    db.create_post(&admin, draft)
        .await
        .expect("the chief's post");
    let chief_on = |on: Option<NaiveDate>| {
        let actor = match on {
            Some(on) => system().on(on),
            None => system(),
        };
        let db = &db;
        async move {
            let park = db.get_park(&actor, z.park).await.expect("read");
            let listed = db
                .list_parks(&actor, &ParkFilter::default(), &first(10))
                .await
                .expect("listed")
                .items
                .into_iter()
                .find(|p| p.id == z.park)
                .expect("the park is listed");
            assert_eq!(
                park.chief.as_ref().map(|c| c.id),
                listed.chief.as_ref().map(|c| c.id),
                "the list and the park agree on {on:?}"
            );
            park.chief.map(|c| c.id)
        }
    };
    assert_eq!(
        chief_on(Some(ends.pred_opt().expect("a day"))).await,
        Some(z.person)
    );
    assert_eq!(
        chief_on(Some(ends)).await,
        Some(z.person),
        "the last day is held"
    );
    assert_eq!(chief_on(Some(ends.succ_opt().expect("a day"))).await, None);
    assert_eq!(
        chief_on(Some(day("2029-12-31"))).await,
        None,
        "not yet held"
    );
    assert_eq!(chief_on(None).await, None, "no day, no chief");
}

pub async fn a_missing_object_is_not_found(db: Db) {
    let admin = system();
    assert_not_found(db.get_area(&admin, 999).await);
    assert_not_found(db.get_enterprise(&admin, 999).await);
    assert_not_found(db.archive_park(&admin, 999).await);
    assert_not_found(
        db.update_person(&admin, 999, person_draft("张伟"), None)
            .await,
    );
}

pub async fn a_reference_to_a_missing_object_is_invalid(db: Db) {
    let admin = system();
    let z = zone(&db).await;
    let orphan = db
        .create_chain(&admin, chain_draft(z.area + 1000, "x", "无"))
        .await;
    assert_eq!(invalid_fields(orphan), ["area_id"]);
    let nowhere = db
        .create_enterprise(
            &admin,
            enterprise_draft(3, "重庆无园有限公司", Some(z.park + 1000), vec![]),
        )
        .await;
    assert_eq!(invalid_fields(nowhere), ["park_id"]);
    let page = db
        .list_chains(&admin, &ChainFilter::default(), &first(10))
        .await
        .expect("listed");
    assert_eq!(page.total, 2, "nothing was stored");
}

/// A registry update names the version (`updated_at`) it was decided on; once someone else has changed the object,
/// that update is refused with 409 on `version` and the newer version stays as it is.
pub async fn an_update_decided_on_an_older_version_is_refused_and_changes_nothing(db: Db) {
    let admin = system();
    let area = db
        .create_area(&admin, area_draft("auto", "汽车产业功能区"))
        .await
        .expect("created");
    let newer = db
        .update_area(
            &admin,
            area.id,
            area_draft("auto", "汽车功能区"),
            Some(area.updated_at),
        )
        .await
        .expect("decided on the stored version");
    assert_ne!(newer.updated_at, area.updated_at);
    assert_eq!(
        conflict_field(
            db.update_area(
                &admin,
                area.id,
                area_draft("auto", "旧名称"),
                Some(area.updated_at)
            )
            .await
        ),
        "version"
    );
    let stored = db.get_area(&admin, area.id).await.expect("read");
    assert_eq!(
        (stored.name, stored.updated_at),
        (newer.name, newer.updated_at),
        "the newer version stays"
    );
}
