//! The diagnosis of a small chain worked out by hand, on each engine: the store gathers the facts (who was in the
//! zone on the month's last day, their output, the reference table), `chain_intel::diagnose` does the arithmetic.
//!
//! The chain: a parent segment P with three leaves — L1 电池 (code 3841, weight 2), L2 电机 (3812), L3 整车 (3612);
//! supply links L1 → L3 and L2 → L3. Firms and their gross output in May 2026 (May 2025):
//!   f1 in L1: 60 (50) · f2 in L1: 20 (—) · f3 in L3: 120 (—) · f4 in L2, settled on 2026-06-10 · f5 outside the
//!   chain: 200. The zone's total in May is 60 + 20 + 120 + 200 = 400.
//! The reference table (Chongqing 2025): 3841 → 100, 3812 → 50, 3612 → 1600, total 4000.

use chainpark_core::chain_intel::*;
use chainpark_core::period::Month;
use chainpark_core::registry::*;
use chainpark_core::workflow::projects::{ProjectInput, ProjectStage, StageDates};
use chainpark_store::chain_intel::{ChainFactSet, Tenure};
use chainpark_store::figures::{FigureValue, ImportMessage};
use chainpark_store::*;

use crate::registry::{area_draft, chain_draft, enterprise_draft};
use crate::support::{Db, day, system};

struct Chain {
    id: Id,
    l1: Id,
    l2: Id,
    l3: Id,
    f4: Id,
}

fn month(m: u32) -> Month {
    Month::new(2026, m).expect("month")
}

async fn segment(db: &Db, chain: Id, parent: Option<Id>, code: &str, industry: &str) -> Id {
    let draft = SegmentInput {
        chain_id: chain,
        parent_id: parent,
        code: code.into(),
        name: code.into(),
        name_en: String::new(),
        stage: Stage::Midstream,
        position: 0,
        industry_codes: vec![industry.into()],
    }
    .parse()
    .expect("segment");
    db.create_segment(&system(), draft)
        .await
        .expect("segment")
        .id
}

async fn chain(db: &Db) -> Chain {
    let admin = system();
    let area = db
        .create_area(&admin, area_draft("auto", "汽车产业功能区"))
        .await
        .expect("area")
        .id;
    let id = db
        .create_chain(&admin, chain_draft(area, "nev", "新能源汽车"))
        .await
        .expect("chain")
        .id;
    let p = segment(db, id, None, "P", "36").await;
    let l1 = segment(db, id, Some(p), "L1", "3841").await;
    let l2 = segment(db, id, Some(p), "L2", "3812").await;
    let l3 = segment(db, id, Some(p), "L3", "3612").await;
    for (from, to) in [(l1, l3), (l2, l3)] {
        let link = SupplyLinkInput {
            from_segment_id: from,
            to_segment_id: to,
            note: String::new(),
        }
        .parse()
        .expect("link");
        db.create_link(&admin, link).await.expect("link");
    }
    let mut firms = Vec::new();
    for (n, segments) in [
        (1, vec![l1]),
        (2, vec![l1]),
        (3, vec![l3]),
        (4, vec![l2]),
        (5, vec![]),
    ] {
        let firm = db
            .create_enterprise(
                &admin,
                enterprise_draft(n, &format!("企业{n}"), None, segments),
            )
            .await
            .expect("enterprise");
        firms.push(firm.id);
    }
    db.set_tenure(
        &admin,
        Tenure {
            enterprise_id: firms[3],
            settled_on: day("2026-06-10"),
            left_on: None,
        },
    )
    .await
    .expect("tenure");
    db.set_segment_weights(&admin, id, &[(l1, 200)])
        .await
        .expect("weights");
    let gross_output = 2;
    let value = |firm: usize, year: i32, m: u32, v: i64| FigureValue {
        enterprise_id: firms[firm],
        indicator_id: gross_output,
        month: Month::new(year, m).expect("month"),
        value: v,
    };
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    sender
        .send(ImportMessage::Values(vec![
            value(0, 2026, 5, 60),
            value(0, 2025, 5, 50),
            value(1, 2026, 5, 20),
            value(2, 2026, 5, 120),
            value(4, 2026, 5, 200),
        ]))
        .await
        .expect("queued");
    sender
        .send(ImportMessage::Finish {
            store: true,
            report: serde_json::json!({}),
        })
        .await
        .expect("queued");
    drop(sender);
    assert!(
        db.import_figures(&admin, "figures.csv", receiver)
            .await
            .expect("import")
            .stored
    );
    let reference = ReferenceInput {
        name: "重庆市规模以上工业总产值".into(),
        region: "500000".into(),
        measure: ReferenceMeasure::GrossOutput,
        year: 2025,
        source: "重庆统计年鉴 2025".into(),
        total: Some(4000),
        file_name: "reference.csv".into(),
        rows: vec![
            ("3841".into(), 100),
            ("3812".into(), 50),
            ("3612".into(), 1600),
        ],
    }
    .parse()
    .expect("reference");
    db.create_reference(&admin, reference)
        .await
        .expect("reference");
    Chain {
        id,
        l1,
        l2,
        l3,
        f4: firms[3],
    }
}

async fn diagnosis(db: &Db, chain: Id, m: u32) -> ChainDiagnosis {
    let set: ChainFactSet = db
        .chain_facts(&system(), Some(chain), month(m), None)
        .await
        .expect("facts");
    assert_eq!(set.chains.len(), 1);
    diagnose(&set.chains[0].1)
}

fn close(value: Option<f64>, expected: f64) -> bool {
    value.is_some_and(|v| (v - expected).abs() < 1e-9)
}

pub async fn a_small_chain_is_diagnosed_as_worked_out_by_hand(db: Db) {
    let c = chain(&db).await;
    let d = diagnosis(&db, c.id, 5).await;
    let seg = |id: Id| {
        d.segments
            .iter()
            .find(|s| s.segment_id == id)
            .expect("segment")
            .clone()
    };
    let (l1, l2, l3) = (seg(c.l1), seg(c.l2), seg(c.l3));
    // L2's only firm settled in June: a broken link in May.
    assert_eq!((l1.firms, l2.firms, l3.firms), (2, 0, 1));
    assert_eq!(l2.gap_class, GapClass::Broken);
    // L1: shares 60 ÷ 80 and 20 ÷ 80, HHI = 0.5625 + 0.0625 = 0.625 > 0.25; LQ = (80 ÷ 400) ÷ (100 ÷ 4000) = 8.
    assert!(close(l1.hhi.value, 0.625), "{:?}", l1.hhi);
    assert!(
        close(l1.location_quotient.value, 8.0),
        "{:?}",
        l1.location_quotient
    );
    assert_eq!(l1.gap_class, GapClass::Concentrated);
    // L1 grew from 50 to 80: (80 − 50) ÷ 50 = 0.6.
    assert!(close(l1.growth.value, 0.6));
    // L3: one firm, LQ = (120 ÷ 400) ÷ (1600 ÷ 4000) = 0.3 ÷ 0.4 = 0.75 < 1.
    assert!(close(l3.location_quotient.value, 0.75));
    assert_eq!(l3.gap_classes, [GapClass::SinglePoint, GapClass::Weak]);
    // Degrees L1 1, L2 1, L3 0; α = 1 ÷ (2 × 1); Katz L1 = L2 = 0.5, L3 = 0.
    assert!(close(l1.katz.value, 0.5) && close(l2.katz.value, 0.5) && close(l3.katz.value, 0.0));
    assert!(close(l2.degree.value, 1.0));
    // Priorities: L2 100 × 1 × (0.5 + 0.5 × 0.5 ÷ 0.5) = 100; L3 75 × 0.5 = 37.5; L1 25 × 1 = 25.
    assert!(close(l2.priority.value, 100.0) && close(l3.priority.value, 37.5));
    assert!(close(l1.priority.value, 25.0));
    assert_eq!(d.segments[0].segment_id, c.l2);
    // Completeness: leaves L1 (weight 2) and L3 (1) covered of 2 + 1 + 1: 3 ÷ 4.
    assert!(close(d.completeness.value, 0.75), "{:?}", d.completeness);
    assert_eq!(
        d.gaps,
        GapCounts {
            broken: 1,
            single_point: 1,
            concentrated: 1,
            ..GapCounts::default()
        }
    );
    // Chain output 60 + 20 + 120; L3's share 120 ÷ 200.
    assert!(close(d.output.value, 200.0));
    assert!(close(l3.share_of_chain.value, 0.6));
}

pub async fn past_month_completeness_ignores_firms_that_settled_later(db: Db) {
    let c = chain(&db).await;
    assert!(close(
        diagnosis(&db, c.id, 5).await.completeness.value,
        0.75
    ));
    // f4 settled on 10 June: on 30 June every leaf has a local firm.
    assert!(close(diagnosis(&db, c.id, 6).await.completeness.value, 1.0));
    // Once it left (1 July), July counts it no more.
    db.set_tenure(
        &system(),
        Tenure {
            enterprise_id: c.f4,
            settled_on: day("2026-06-10"),
            left_on: Some(day("2026-07-01")),
        },
    )
    .await
    .expect("tenure");
    assert!(close(
        diagnosis(&db, c.id, 7).await.completeness.value,
        0.75
    ));
    assert!(close(diagnosis(&db, c.id, 6).await.completeness.value, 1.0));
}

pub async fn a_project_in_production_fills_its_segment(db: Db) {
    let c = chain(&db).await;
    let admin = system();
    let project = ProjectInput {
        name: "电机项目".into(),
        name_en: String::new(),
        investor: "某电机公司".into(),
        enterprise_id: None,
        planned_investment: 0,
        contracted_investment: 0,
        chain_id: Some(c.id),
        segment_id: Some(c.l2),
        park_id: None,
        chief_person_id: None,
        officer_person_id: None,
        event_id: None,
        stages: StageDates {
            lead_on: Some(day("2026-03-02")),
            ..Default::default()
        },
    }
    .parse()
    .expect("project");
    let project = db.create_project(&admin, project).await.expect("project");
    let l2_in_may = |d: ChainDiagnosis| {
        d.segments
            .iter()
            .find(|s| s.segment_id == c.l2)
            .map(|s| s.gap_class)
    };
    assert_eq!(
        l2_in_may(diagnosis(&db, c.id, 5).await),
        Some(GapClass::Broken)
    );
    for stage in [
        ProjectStage::Signed,
        ProjectStage::Started,
        ProjectStage::InProduction,
    ] {
        db.move_project(&admin, project.id, stage, day("2026-05-20"))
            .await
            .expect("moved");
    }
    assert_eq!(
        l2_in_may(diagnosis(&db, c.id, 5).await),
        Some(GapClass::SinglePoint)
    );
    // In April the project was not producing yet.
    assert_eq!(
        l2_in_may(diagnosis(&db, c.id, 4).await),
        Some(GapClass::Broken)
    );
}

pub async fn a_weight_for_a_segment_of_another_chain_is_refused(db: Db) {
    let c = chain(&db).await;
    let admin = system();
    let area = db
        .create_area(&admin, area_draft("ic", "电子"))
        .await
        .expect("area")
        .id;
    let other = db
        .create_chain(&admin, chain_draft(area, "ic", "集成电路"))
        .await
        .expect("chain")
        .id;
    let err = db
        .set_segment_weights(&admin, other, &[(c.l1, 300)])
        .await
        .expect_err("refused");
    assert!(
        matches!(err, StoreError::Invalid(_)),
        "{err:?} names the segment"
    );
    let err = db
        .set_segment_weights(&admin, c.id, &[(c.l2, 300), (c.l1, 300)])
        .await;
    assert!(err.is_ok());
}

/// (segment, firm, output, a year earlier) of each member, in order.
fn members(facts: &ChainFacts) -> Vec<(Id, Id, i64, i64)> {
    let mut members: Vec<_> = facts
        .members
        .iter()
        .map(|m| {
            (
                m.segment_id,
                m.enterprise_id,
                m.output,
                m.output_year_earlier,
            )
        })
        .collect();
    members.sort_unstable();
    members
}

/// All chains at once are read by another query than one chain alone (the enterprises in the order of their id,
/// no test of the segment in SQL): each chain's facts and diagnosis are the same either way, and the members of an
/// archived segment count in neither. Besides the hand-worked chain: a second chain with a firm of its own (f6),
/// and f7 in the first chain's L3 and in a leaf that is then archived.
pub async fn all_chains_read_at_once_have_the_facts_each_chain_has_alone(db: Db) {
    let c = chain(&db).await;
    let admin = system();
    let area = db
        .create_area(&admin, area_draft("ic", "电子"))
        .await
        .expect("area")
        .id;
    let other = db
        .create_chain(&admin, chain_draft(area, "ic", "集成电路"))
        .await
        .expect("chain")
        .id;
    let s = segment(&db, other, None, "S", "3973").await;
    let gone = segment(&db, c.id, None, "L9", "3670").await;
    for (n, segments) in [(6, vec![s]), (7, vec![gone, c.l3])] {
        db.create_enterprise(
            &admin,
            enterprise_draft(n, &format!("企业{n}"), None, segments),
        )
        .await
        .expect("enterprise");
    }
    db.archive_segment(&admin, gone).await.expect("archived");

    let all = db
        .chain_facts(&system(), None, month(5), None)
        .await
        .expect("facts");
    let chains: Vec<Id> = all.chains.iter().map(|(id, _)| *id).collect();
    assert_eq!(chains, [c.id, other]);
    for (id, facts) in &all.chains {
        let alone = db
            .chain_facts(&system(), Some(*id), month(5), None)
            .await
            .expect("facts");
        let alone = &alone.chains[0].1;
        assert_eq!(members(facts), members(alone), "chain {id}");
        assert!(
            members(facts).iter().all(|m| m.0 != gone),
            "an archived segment has no members: {:?}",
            members(facts)
        );
        assert_eq!(
            serde_json::to_value(diagnose(facts)).expect("json"),
            serde_json::to_value(diagnose(alone)).expect("json"),
            "chain {id}"
        );
    }
    // L3 holds f3 and f7 (which reported nothing in May); the second chain its one firm.
    let first = &all.chains[0].1;
    assert_eq!(
        members(first).iter().filter(|m| m.0 == c.l3).count(),
        2,
        "{:?}",
        members(first)
    );
    assert_eq!(members(&all.chains[1].1).len(), 1);
}
