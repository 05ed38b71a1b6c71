//! A chain's target work in the store (`TargetStore`), on each engine: the score's weights, pinned and excluded
//! targets and leads are read back as written, and a refused change — a mark or a lead for a segment of another
//! chain, an exclusion without a reason, weights out of range, a chain the actor does not steer — stores nothing.

use chainpark_core::access::Role;
use chainpark_core::list::Paging;
use chainpark_core::registry::*;
use chainpark_core::targets::{CandidateInput, RevenueBand, TargetWeights};
use chainpark_core::workflow::projects::{ProjectDraft, ProjectInput, ProjectStage, StageDates};
use chainpark_store::targets::TargetMark;
use chainpark_store::workflow::ProjectFilter;
use chainpark_store::*;

use crate::registry::{Zone, credit_code, post_draft, zone};
use crate::scopes::scoped;
use crate::support::{Db, assert_denied, assert_not_found, day, invalid_fields, system};

/// A candidate firm outside the zone that could serve `segment`; its credit code is the `n`th of the tests'.
async fn candidate(db: &Db, n: u32, name: &str, segment: Id) -> Id {
    let draft = CandidateInput {
        name: name.into(),
        credit_code: credit_code(n),
        province: "上海市".into(),
        city: "上海市".into(),
        industry_code: "3841".into(),
        segment_ids: vec![segment],
        revenue_band: Some(RevenueBand::From1bTo10b),
        employees: Some(1200),
        listed: false,
        growth_percent: Some(12.0),
        distance_km: Some(1650.0),
        partner_ids: Vec::new(),
        source: "中国汽车工业协会名录".into(),
        source_on: day("2026-03-01"),
    }
    .parse()
    .expect("candidate");
    db.import_candidates(&system(), vec![draft])
        .await
        .expect("imported");
    let found = db
        .list_candidates(
            &system(),
            &targets::CandidateSearch {
                q: Some(name.into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("listed");
    assert_eq!(found.len(), 1, "{name}");
    found[0].id
}

fn lead_draft(chain: Id, segment: Id, name: &str) -> ProjectDraft {
    ProjectInput {
        name: name.into(),
        name_en: String::new(),
        investor: name.into(),
        enterprise_id: None,
        planned_investment: 0,
        contracted_investment: 0,
        chain_id: Some(chain),
        segment_id: Some(segment),
        park_id: None,
        chief_person_id: None,
        officer_person_id: None,
        event_id: None,
        stages: StageDates {
            lead_on: Some(day("2026-06-15")),
            ..Default::default()
        },
    }
    .parse()
    .expect("project")
}

fn pin(segment: Id, candidate: Id) -> TargetMark {
    TargetMark {
        segment_id: segment,
        candidate_id: candidate,
        pinned: true,
        excluded_reason: None,
    }
}

fn exclude(segment: Id, candidate: Id, reason: &str) -> TargetMark {
    TargetMark {
        segment_id: segment,
        candidate_id: candidate,
        pinned: false,
        excluded_reason: Some(reason.into()),
    }
}

async fn marks(db: &Db, chain: Id) -> Vec<TargetMark> {
    db.target_inputs(&system(), chain)
        .await
        .expect("inputs")
        .marks
}

pub async fn target_weights_marks_and_leads_read_back_as_written(db: Db) {
    let z: Zone = zone(&db).await;
    let admin = system();
    let a = candidate(&db, 3, "沪清氢能动力科技有限公司", z.segment).await;
    let b = candidate(&db, 4, "京亦电堆科技股份有限公司", z.segment).await;

    // No row yet: the default weights.
    let inputs = db.target_inputs(&admin, z.chain).await.expect("inputs");
    assert_eq!(inputs.weights, TargetWeights::default());
    assert!(inputs.marks.is_empty() && inputs.leads.is_empty());
    let weights = TargetWeights {
        segment_match: 50,
        scale: 10,
        growth: 10,
        relations: 0,
        distance: 30,
    };
    db.set_target_weights(&admin, z.chain, weights)
        .await
        .expect("weights");
    assert_eq!(
        db.target_inputs(&admin, z.chain)
            .await
            .expect("inputs")
            .weights,
        weights
    );
    // The other chain keeps the defaults.
    assert_eq!(
        db.target_inputs(&admin, z.other_chain)
            .await
            .expect("inputs")
            .weights,
        TargetWeights::default()
    );

    // Pin a, exclude b (the reason trimmed); a second mark of a replaces the first.
    db.mark_target(&admin, z.chain, pin(z.segment, a))
        .await
        .expect("pinned");
    let stored = db
        .mark_target(&admin, z.chain, exclude(z.segment, b, "  已在西部另选址  "))
        .await
        .expect("excluded");
    assert_eq!(stored.excluded_reason.as_deref(), Some("已在西部另选址"));
    assert_eq!(
        marks(&db, z.chain).await,
        vec![pin(z.segment, a), exclude(z.segment, b, "已在西部另选址")]
    );
    db.mark_target(&admin, z.chain, exclude(z.segment, a, "产能过剩"))
        .await
        .expect("re-marked");
    assert_eq!(
        marks(&db, z.chain).await,
        vec![
            exclude(z.segment, a, "产能过剩"),
            exclude(z.segment, b, "已在西部另选址")
        ]
    );
    assert!(marks(&db, z.other_chain).await.is_empty());

    // A lead: a project at stage "lead" in the chain's projects, linked to candidate and segment.
    let project = db
        .create_lead(&admin, b, lead_draft(z.chain, z.segment, "电堆项目"))
        .await
        .expect("lead");
    assert_eq!(project.stage, ProjectStage::Lead);
    let leads = db
        .target_inputs(&admin, z.chain)
        .await
        .expect("inputs")
        .leads;
    assert_eq!(
        leads,
        vec![targets::TargetLead {
            project_id: project.id,
            project_name: "电堆项目".into(),
            candidate_id: b,
            segment_id: z.segment,
            stage: ProjectStage::Lead,
        }]
    );
    let listed = db
        .list_projects(
            &admin,
            &ProjectFilter {
                chain_id: Some(z.chain),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .expect("projects");
    assert_eq!(
        listed.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![project.id]
    );
}

pub async fn a_mark_or_lead_for_a_segment_of_another_chain_is_refused_and_stores_nothing(db: Db) {
    let z: Zone = zone(&db).await;
    let admin = system();
    let a = candidate(&db, 3, "沪清氢能动力科技有限公司", z.segment).await;
    assert_eq!(
        invalid_fields(
            db.mark_target(&admin, z.chain, pin(z.other_segment, a))
                .await
        ),
        ["segment_id"]
    );
    assert_eq!(
        invalid_fields(
            db.mark_target(&admin, z.chain, exclude(z.other_segment, a, "太远"))
                .await
        ),
        ["segment_id"]
    );
    assert!(marks(&db, z.chain).await.is_empty());
    assert!(marks(&db, z.other_chain).await.is_empty());
    // A lead whose segment is of another chain than the project's.
    assert_eq!(
        invalid_fields(
            db.create_lead(&admin, a, lead_draft(z.chain, z.other_segment, "错链项目"))
                .await
        ),
        ["segment_id"]
    );
    // An unknown candidate.
    assert_not_found(
        db.mark_target(&admin, z.chain, pin(z.segment, a + 1000))
            .await,
    );
    let projects = db
        .list_projects(&admin, &ProjectFilter::default(), &Paging::all())
        .await
        .expect("projects");
    assert_eq!(projects.total, 0);
    assert!(
        db.target_inputs(&admin, z.chain)
            .await
            .expect("inputs")
            .leads
            .is_empty()
    );
}

pub async fn an_exclusion_needs_a_reason_and_a_target_is_pinned_or_excluded_not_both(db: Db) {
    let z: Zone = zone(&db).await;
    let admin = system();
    let a = candidate(&db, 3, "沪清氢能动力科技有限公司", z.segment).await;
    assert_eq!(
        invalid_fields(
            db.mark_target(&admin, z.chain, exclude(z.segment, a, "   "))
                .await
        ),
        ["excluded_reason"]
    );
    let both = TargetMark {
        pinned: true,
        ..exclude(z.segment, a, "太远")
    };
    assert_eq!(
        invalid_fields(db.mark_target(&admin, z.chain, both).await),
        ["pinned"]
    );
    assert!(marks(&db, z.chain).await.is_empty());
}

pub async fn target_weights_out_of_range_are_refused_and_store_nothing(db: Db) {
    let z: Zone = zone(&db).await;
    let admin = system();
    let bad = TargetWeights {
        scale: 101,
        growth: -1,
        ..TargetWeights::default()
    };
    assert_eq!(
        invalid_fields(db.set_target_weights(&admin, z.chain, bad).await),
        ["scale", "growth"]
    );
    let zero = TargetWeights {
        segment_match: 0,
        scale: 0,
        growth: 0,
        relations: 0,
        distance: 0,
    };
    assert_eq!(
        invalid_fields(db.set_target_weights(&admin, z.chain, zero).await),
        ["segment_match"]
    );
    assert_eq!(
        db.target_inputs(&admin, z.chain)
            .await
            .expect("inputs")
            .weights,
        TargetWeights::default()
    );
}

pub async fn a_candidate_becomes_a_lead_once_per_segment(db: Db) {
    let z: Zone = zone(&db).await;
    let admin = system();
    let a = candidate(&db, 3, "沪清氢能动力科技有限公司", z.segment).await;
    db.create_lead(&admin, a, lead_draft(z.chain, z.segment, "氢能项目"))
        .await
        .expect("lead");
    assert_eq!(
        invalid_fields(
            db.create_lead(&admin, a, lead_draft(z.chain, z.segment, "氢能项目二期"))
                .await
        ),
        ["candidate_id"]
    );
    let projects = db
        .list_projects(&admin, &ProjectFilter::default(), &Paging::all())
        .await
        .expect("projects");
    assert_eq!(projects.total, 1);
}

pub async fn a_chain_chief_steers_the_targets_of_its_chain_only_and_an_owner_reads_them(db: Db) {
    let z: Zone = zone(&db).await;
    let a = candidate(&db, 3, "沪清氢能动力科技有限公司", z.segment).await;
    let o = candidate(&db, 4, "京亦电堆科技股份有限公司", z.other_segment).await;
    let chief = PostInput {
        chain_id: Some(z.chain),
        chief_level: Some(ChiefLevel::Overall),
        ..post_draft(z.person, PostRole::ChainChief)
    };
    let chief = scoped(&db, Role::ChainChief, chief).await;
    // Its own chain: weights, marks and a lead.
    db.set_target_weights(
        &chief,
        z.chain,
        TargetWeights {
            distance: 0,
            ..TargetWeights::default()
        },
    )
    .await
    .expect("its chain's weights");
    db.mark_target(&chief, z.chain, pin(z.segment, a))
        .await
        .expect("its chain's mark");
    db.create_lead(&chief, a, lead_draft(z.chain, z.segment, "氢能项目"))
        .await
        .expect("its chain's lead");
    // Another chain: refused, nothing stored.
    assert_denied(
        db.set_target_weights(&chief, z.other_chain, TargetWeights::default())
            .await,
    );
    assert_denied(
        db.mark_target(&chief, z.other_chain, pin(z.other_segment, o))
            .await,
    );
    assert_denied(
        db.create_lead(
            &chief,
            o,
            lead_draft(z.other_chain, z.other_segment, "他链项目"),
        )
        .await,
    );
    assert_denied(db.target_inputs(&chief, z.other_chain).await);
    let other = db
        .target_inputs(&system(), z.other_chain)
        .await
        .expect("inputs");
    assert!(other.marks.is_empty() && other.leads.is_empty());

    // An owner of the chain reads its targets and changes none.
    let owner = PostInput {
        chain_id: Some(z.chain),
        owner_kind: Some(OwnerKind::Expert),
        ..post_draft(z.person, PostRole::ChainOwner)
    };
    let owner = scoped(&db, Role::ChainOwner, owner).await;
    let read = db.target_inputs(&owner, z.chain).await.expect("reads");
    assert_eq!(read.marks, vec![pin(z.segment, a)]);
    assert_eq!(read.leads.len(), 1);
    assert_denied(
        db.mark_target(&owner, z.chain, exclude(z.segment, a, "太远"))
            .await,
    );
    assert_denied(
        db.set_target_weights(&owner, z.chain, TargetWeights::default())
            .await,
    );
    assert_eq!(marks(&db, z.chain).await, vec![pin(z.segment, a)]);
}
