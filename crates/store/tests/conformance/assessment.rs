//! Land parcels keep their history and give each firm its area at a year's end; a scheme a run used is never
//! changed in place; a run keeps every firm's result, which an enterprise user reads only for itself; a re-run on
//! figures known later lists exactly the firm whose figure was revised.

use chainpark_core::access::Role;
use chainpark_core::assessment::evaluate::{FirmInput, changes, evaluate};
use chainpark_core::assessment::land::{EvaluatedArea, LeaseDraft, ParcelDraft};
use chainpark_core::assessment::scheme::{Benchmark, Class, SchemeDraft, chongqing_preset};
use chainpark_core::list::Paging;
use chainpark_core::period::Month;
use chainpark_core::registry::*;
use chainpark_store::assessment::*;
use chainpark_store::figures::{FigureValue, ImportMessage};
use chrono::Utc;

use crate::registry::{Zone, post_draft, zone};
use crate::scopes::scoped;
use crate::support::{Db, assert_not_found, audited, day, invalid_fields, system};

fn parcel(code: &str, park: Id, holder: Option<Id>, centi_mu: i64, from: &str) -> ParcelDraft {
    ParcelDraft {
        code: code.into(),
        park_id: park,
        holder_enterprise_id: holder,
        area_mu_centi: centi_mu,
        land_use: "工业用地".into(),
        valid_from: day(from),
        valid_to: None,
        outline: None,
    }
}

pub async fn a_parcel_keeps_its_history_and_a_year_is_evaluated_on_its_end(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    db.put_parcels(
        &admin,
        vec![parcel("YF-01", z.park, Some(z.firm), 1_000, "2020-01-01")],
    )
    .await
    .expect("stored");
    db.put_leases(
        &admin,
        vec![LeaseDraft {
            code: "ZL-2021-07".into(),
            enterprise_id: z.other_firm,
            park_id: z.park,
            unit_id: None,
            area_m2_centi: 200_000,
            monthly_rent_fen: Some(3_000_000),
            valid_from: day("2021-03-01"),
            valid_to: Some(day("2022-06-30")),
        }],
    )
    .await
    .expect("stored");
    // From 2022-07-01 the parcel passes to the other firm.
    let moved = db
        .put_parcels(
            &admin,
            vec![parcel(
                "YF-01",
                z.park,
                Some(z.other_firm),
                1_000,
                "2022-07-01",
            )],
        )
        .await
        .expect("stored");
    assert_eq!((moved.created, moved.changed), (0, 1));
    let page = db
        .list_parcels(&admin, &LandFilter::default(), &Paging::all())
        .await
        .expect("listed");
    let (now, history) = db
        .parcel_history(&admin, page.items[0].id)
        .await
        .expect("history");
    assert_eq!(now.holder_enterprise_id, Some(z.other_firm));
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].holder_enterprise_id, history[0].valid_to),
        (Some(z.firm), day("2022-06-30"))
    );
    assert_eq!(
        audited(&db, "land_parcel", now.id).await,
        ["create", "update"]
    );
    // Land is read as at the year's end whatever the figures' vintage; the zone has no figures.
    let at = instant("2023-03-01T00:00:00Z");
    let y2021 = db.year_inputs(&admin, 2021, at).await.expect("inputs");
    assert_eq!(y2021.areas.get(&z.firm), Some(&(1_000, 0)));
    assert_eq!(y2021.areas.get(&z.other_firm), Some(&(0, 200_000)));
    let y2022 = db.year_inputs(&admin, 2022, at).await.expect("inputs");
    assert_eq!(y2022.areas.get(&z.firm), None);
    assert_eq!(
        y2022.areas.get(&z.other_firm),
        Some(&(1_000, 0)),
        "the lease ended mid-year"
    );
    // A batch with one bad row stores nothing.
    let refused = db
        .put_parcels(
            &admin,
            vec![
                parcel("YF-02", z.park, Some(z.firm), 500, "2023-01-01"),
                parcel("YF-03", 9_999, None, 500, "2023-01-01"),
            ],
        )
        .await;
    assert_eq!(invalid_fields(refused), ["rows[1].park_id"]);
    let page = db
        .list_parcels(&admin, &LandFilter::default(), &Paging::all())
        .await
        .expect("listed");
    assert_eq!(page.total, 1);
}

fn preset() -> SchemeDraft {
    chongqing_preset()
}

pub async fn a_scheme_in_use_is_not_edited_in_place(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    let v1 = db
        .create_scheme(&admin, preset(), None)
        .await
        .expect("created");
    let mut edited = preset();
    edited.name = "重庆亩均效益评价（修订）".into();
    let same = db
        .edit_scheme(&admin, v1.id, edited.clone())
        .await
        .expect("edited");
    assert_eq!(
        (same.id, same.version, same.name.as_str()),
        (v1.id, 1, "重庆亩均效益评价（修订）")
    );
    db.record_run(&admin, new_run(v1.id, &z, Vec::new()))
        .await
        .expect("run");
    edited.body.populations[0].indicators[0].benchmark = Benchmark::Fixed {
        value: "500000".into(),
    };
    let v2 = db
        .edit_scheme(&admin, v1.id, edited)
        .await
        .expect("a new version");
    assert_eq!(
        (v2.version, v2.based_on_id, v2.in_use),
        (2, Some(v1.id), false)
    );
    let kept = db.get_scheme(&admin, v1.id).await.expect("version 1");
    assert!(kept.in_use);
    assert_eq!(kept.body, preset().body, "the used version is as it was");
    let copy = SchemeDraft {
        code: "cq-copy".into(),
        ..preset()
    };
    let copied = db
        .create_scheme(&admin, copy, Some(v1.id))
        .await
        .expect("copied");
    assert_eq!((copied.version, copied.based_on_id), (1, Some(v1.id)));
    assert_eq!(
        crate::support::conflict_field(db.create_scheme(&admin, preset(), None).await),
        "code"
    );
}

fn new_run(
    scheme: Id,
    z: &Zone,
    results: Vec<(chainpark_core::assessment::evaluate::FirmResult, Option<Id>)>,
) -> NewRun {
    let _ = z;
    NewRun {
        scheme_id: scheme,
        year: 2022,
        data_as_of: instant("2023-03-01T00:00:00Z"),
        ran_at: instant("2023-03-02T00:00:00Z"),
        previous_run_id: None,
        summary: serde_json::json!({}),
        results,
    }
}

/// The zone's two firms as evaluation inputs, from what the store holds of 2022 as known at `at`.
async fn inputs(db: &Db, at: chrono::DateTime<Utc>) -> Vec<FirmInput> {
    let y = db.year_inputs(&system(), 2022, at).await.expect("inputs");
    y.firms
        .iter()
        .map(|f| {
            let (held, leased) = y.areas.get(&f.id).copied().unwrap_or_default();
            FirmInput {
                enterprise_id: f.id,
                credit_code: f.credit_code.clone(),
                industry_code: f.industry_code.clone(),
                above_size: f.above_size,
                founded_on: f.founded_on,
                area: EvaluatedArea::new(held, leased, 100),
                figures: y.totals.get(&f.id).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// A fixed instant, RFC 3339.
fn instant(text: &str) -> chrono::DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

/// Imports tax figures of 2022 and answers the import's instant: the vintage its values are known from.
async fn import_tax(db: &Db, values: &[(Id, u32, i64)]) -> chrono::DateTime<Utc> {
    let tax = db
        .list_indicators(&system())
        .await
        .expect("indicators")
        .into_iter()
        .find(|i| i.code == "tax")
        .expect("tax")
        .id;
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    let batch = values
        .iter()
        .map(|(e, m, v)| FigureValue {
            enterprise_id: *e,
            indicator_id: tax,
            month: Month::new(2022, *m).expect("month"),
            value: *v,
        })
        .collect();
    sender
        .send(ImportMessage::Values(batch))
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
    let record = db
        .import_figures(&system(), "tax.csv", receiver)
        .await
        .expect("imported");
    assert!(record.stored);
    record.at
}

/// Both firms below size (the zone's firms are), each on 10 mu; the below-size population scores tax per mu
/// against a fixed benchmark so that one firm's revision moves no other firm's score.
fn fixed_scheme() -> SchemeDraft {
    let mut draft = preset();
    draft
        .body
        .populations
        .retain(|p| p.code == "industry_below");
    draft.body.populations[0].indicators[0].benchmark = Benchmark::Fixed {
        value: "50000".into(),
    };
    draft.body.exempt_founded_within_years = None;
    draft
}

pub async fn a_rerun_after_a_revised_figure_lists_exactly_that_firm(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    db.put_parcels(
        &admin,
        vec![
            parcel("A-1", z.park, Some(z.firm), 1_000, "2020-01-01"),
            parcel("A-2", z.park, Some(z.other_firm), 1_000, "2020-01-01"),
        ],
    )
    .await
    .expect("parcels");
    let first_vintage = import_tax(
        &db,
        &[(z.firm, 3, 40_000_000), (z.other_firm, 3, 60_000_000)],
    )
    .await;
    let scheme = fixed_scheme();
    let before =
        evaluate(&scheme.body, 2022, &inputs(&db, first_vintage).await, &[]).expect("evaluates");
    let second_vintage = import_tax(&db, &[(z.firm, 3, 55_000_000)]).await;
    let revised =
        evaluate(&scheme.body, 2022, &inputs(&db, second_vintage).await, &[]).expect("evaluates");
    let listed: Vec<(Id, Vec<String>)> = changes(&before.results, &revised.results)
        .into_iter()
        .map(|c| (c.enterprise_id, c.inputs_changed))
        .collect();
    assert_eq!(listed, [(z.firm, vec!["tax_per_mu".to_string()])]);
    // The first vintage still reads as it was.
    let again =
        evaluate(&scheme.body, 2022, &inputs(&db, first_vintage).await, &[]).expect("evaluates");
    assert_eq!(again, before);
}

pub async fn an_enterprise_user_reads_only_its_own_result(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    db.put_parcels(
        &admin,
        vec![
            parcel("B-1", z.park, Some(z.firm), 1_000, "2020-01-01"),
            parcel("B-2", z.other_park, Some(z.other_firm), 1_000, "2020-01-01"),
        ],
    )
    .await
    .expect("parcels");
    let vintage = import_tax(
        &db,
        &[(z.firm, 3, 40_000_000), (z.other_firm, 3, 60_000_000)],
    )
    .await;
    let scheme = db
        .create_scheme(&admin, fixed_scheme(), None)
        .await
        .expect("scheme");
    let evaluation =
        evaluate(&scheme.body, 2022, &inputs(&db, vintage).await, &[]).expect("evaluates");
    let parks = [(z.firm, z.park), (z.other_firm, z.other_park)];
    let results = evaluation
        .results
        .into_iter()
        .map(|r| {
            let park = parks
                .iter()
                .find(|(e, _)| *e == r.enterprise_id)
                .map(|p| p.1);
            (r, park)
        })
        .collect();
    let run = db
        .record_run(&admin, new_run(scheme.id, &z, results))
        .await
        .expect("run");
    assert_eq!(run.firms, 2);
    let all = db
        .run_results(&admin, run.id, &ResultFilter::default(), &Paging::all())
        .await
        .expect("results");
    let classes: Vec<(Id, Class)> = all
        .items
        .iter()
        .map(|r| (r.enterprise_id, r.class))
        .collect();
    // Two graded firms, quotas 20/60/95 %: boundaries 0.4 → 0, 1.2 → 1, 1.9 → 2: no A, one B, one C.
    assert_eq!(classes, [(z.other_firm, Class::B), (z.firm, Class::C)]);
    let user = scoped(
        &db,
        Role::Enterprise,
        PostInput {
            enterprise_id: Some(z.firm),
            ..post_draft(z.person, PostRole::EnterpriseContact)
        },
    )
    .await;
    let own = db
        .run_results(&user, run.id, &ResultFilter::default(), &Paging::all())
        .await
        .expect("results");
    assert_eq!(
        own.items
            .iter()
            .map(|r| r.enterprise_id)
            .collect::<Vec<_>>(),
        [z.firm]
    );
    assert_eq!(own.total, 1);
    let mine = db
        .firm_result(&user, run.id, z.firm)
        .await
        .expect("its own");
    assert_eq!(mine.detail.items[0].numerator, Some(40_000_000));
    assert_not_found(db.firm_result(&user, run.id, z.other_firm).await);
    let parcels = db
        .list_parcels(&user, &LandFilter::default(), &Paging::all())
        .await
        .expect("parcels");
    assert_eq!(
        parcels
            .items
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>(),
        ["B-1"]
    );
}

/// A stored result with the given place in its population; its items do not matter to the class list.
fn listed_result(
    enterprise_id: Id,
    population: &str,
    score_centi: i64,
    rank: Option<i64>,
    class: Class,
) -> chainpark_core::assessment::evaluate::FirmResult {
    chainpark_core::assessment::evaluate::FirmResult {
        enterprise_id,
        population: population.into(),
        area: EvaluatedArea::new(1_000, 0, 100),
        items: Vec::new(),
        score_centi,
        rank,
        ranked_among: 4,
        class,
        exemption: None,
    }
}

pub async fn a_class_list_is_paged_and_sorted_by_the_store_as_the_whole_list_would_be(db: Db) {
    let z = zone(&db).await;
    let admin = system();
    // Names that a locale's collation would order otherwise than their code points (case, Latin and Chinese).
    let mut firms = vec![(z.firm, Some(z.park)), (z.other_firm, Some(z.other_park))];
    for (n, name) in [
        (3, "alpha重庆有限公司"),
        (4, "Beta重庆有限公司"),
        (5, "Alpha重庆有限公司"),
        (6, "重庆甲有限公司"),
        (7, "重庆乙有限公司"),
    ] {
        let firm = db
            .create_enterprise(
                &admin,
                crate::registry::enterprise_draft(n, name, Some(z.park), vec![z.segment]),
            )
            .await
            .expect("enterprise")
            .id;
        firms.push((firm, Some(z.park)));
    }
    let id = |i: usize| firms[i].0;
    // Two populations, equal scores, a shared rank and an exempt firm without one.
    let results = vec![
        (
            listed_result(id(0), "p2", 7_000, Some(1), Class::B),
            firms[0].1,
        ),
        (
            listed_result(id(1), "p1", 9_000, Some(1), Class::A),
            firms[1].1,
        ),
        (
            listed_result(id(2), "p1", 7_000, Some(2), Class::B),
            firms[2].1,
        ),
        (
            listed_result(id(3), "p1", 7_000, Some(2), Class::B),
            firms[3].1,
        ),
        (
            listed_result(id(4), "p2", 5_000, Some(2), Class::C),
            firms[4].1,
        ),
        (listed_result(id(5), "p1", 0, None, Class::T), firms[5].1),
        (
            listed_result(id(6), "p2", 7_000, Some(1), Class::D),
            firms[6].1,
        ),
    ];
    let scheme = db
        .create_scheme(&admin, fixed_scheme(), None)
        .await
        .expect("scheme");
    let run = db
        .record_run(&admin, new_run(scheme.id, &z, results))
        .await
        .expect("run");
    let all = ResultFilter::default();
    let run_order = db
        .run_results(&admin, run.id, &all, &Paging::all())
        .await
        .expect("results")
        .items;
    let sorted = |sort: &str| Paging {
        sort: Some(sort.into()),
        ..Paging::all()
    };
    // The whole list sorted in memory, as the class list page once did, ties kept in the run's order.
    for key in ["score", "name", "class"] {
        let mut expected = run_order.clone();
        match key {
            "name" => expected.sort_by(|a, b| a.enterprise_name.cmp(&b.enterprise_name)),
            "class" => expected.sort_by(|a, b| {
                (a.class.as_str(), -a.detail.score_centi, &a.enterprise_name).cmp(&(
                    b.class.as_str(),
                    -b.detail.score_centi,
                    &b.enterprise_name,
                ))
            }),
            _ => expected.sort_by(|a, b| {
                (-a.detail.score_centi, &a.enterprise_name)
                    .cmp(&(-b.detail.score_centi, &b.enterprise_name))
            }),
        }
        let expected: Vec<Id> = expected.iter().map(|r| r.enterprise_id).collect();
        let whole = db
            .run_results(&admin, run.id, &all, &sorted(key))
            .await
            .expect("sorted");
        assert_eq!(
            whole
                .items
                .iter()
                .map(|r| r.enterprise_id)
                .collect::<Vec<_>>(),
            expected,
            "sorted by {key}"
        );
        // Pages of three, read one after the other, make the same list; each says the whole count.
        let mut paged = Vec::new();
        for offset in [0, 3, 6] {
            let page = db
                .run_results(
                    &admin,
                    run.id,
                    &all,
                    &Paging::new(Some(3), Some(offset), Some(key)),
                )
                .await
                .expect("a page");
            assert_eq!(page.total, 7, "the total of every page");
            paged.extend(page.items.iter().map(|r| r.enterprise_id));
        }
        assert_eq!(paged, expected, "pages of the order by {key}");
        let mut reversed = expected.clone();
        reversed.reverse();
        let descending = db
            .run_results(
                &admin,
                run.id,
                &all,
                &Paging::new(None, None, Some(&format!("-{key}"))),
            )
            .await
            .expect("reversed");
        assert_eq!(
            descending
                .items
                .iter()
                .map(|r| r.enterprise_id)
                .collect::<Vec<_>>(),
            reversed,
            "-{key} reverses the order"
        );
    }
    // The counts by class are of the whole list the filter leaves, whatever its class filter.
    let counts = db
        .run_class_counts(&admin, run.id, &all)
        .await
        .expect("counts");
    assert_eq!(
        counts,
        [
            (Class::A, 1),
            (Class::B, 3),
            (Class::C, 1),
            (Class::D, 1),
            (Class::T, 1)
        ]
    );
    let in_park = ResultFilter {
        park_id: Some(z.other_park),
        class: Some(Class::B),
        ..ResultFilter::default()
    };
    let counts = db
        .run_class_counts(&admin, run.id, &in_park)
        .await
        .expect("counts");
    assert_eq!(
        counts,
        [
            (Class::A, 1),
            (Class::B, 0),
            (Class::C, 0),
            (Class::D, 0),
            (Class::T, 0)
        ]
    );
    let refused = db.run_results(&admin, run.id, &all, &sorted("rank")).await;
    assert_eq!(invalid_fields(refused), ["sort"]);
}
