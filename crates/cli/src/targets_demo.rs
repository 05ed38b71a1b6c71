//! The demo's chain attraction (产业链招商): candidate firms outside the zone for the automobile chain's real gaps —
//! 氢燃料电池汽车 (no local firm) and 电池回收利用 (none either) — and leads in progress, so that a new user sees the
//! loop working: the 招商路线图 lists the gaps with their targets, two of them already leads. The firms are
//! invented (names, credit codes); docs/chain_targets.md documents the numbers.

use std::sync::Arc;

use anyhow::Context;
use chainpark_app::targets::{LeadInput, turn_into_lead};
use chainpark_core::credit_code::CreditCode;
use chainpark_core::list::Paging;
use chainpark_core::targets::{CandidateInput, RevenueBand};
use chainpark_core::time::Clock;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, ChainFilter, SegmentFilter};

/// (name, credit-code body, province, city, GB/T 4754 code, segment codes, band, employees, listed, growth %, km).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    RevenueBand,
    i64,
    bool,
    f64,
    f64,
);

const CANDIDATES: &[Row] = &[
    (
        "沪清氢能动力科技有限公司",
        "91310000MA1H00001",
        "上海市",
        "上海",
        "3612",
        &["AUTO-NEV-FCV"],
        RevenueBand::From1bTo10b,
        2100,
        true,
        28.0,
        1650.0,
    ),
    (
        "粤佛燃料电池系统有限公司",
        "91440600MA1H00002",
        "广东省",
        "佛山",
        "3670",
        &["AUTO-NEV-FCV"],
        RevenueBand::From100mTo1b,
        800,
        false,
        35.0,
        1300.0,
    ),
    (
        "蜀成氢燃料商用车有限公司",
        "91510100MA1H00003",
        "四川省",
        "成都",
        "3612",
        &["AUTO-NEV-FCV"],
        RevenueBand::From1bTo10b,
        3200,
        false,
        12.0,
        300.0,
    ),
    (
        "京亦电堆科技股份有限公司",
        "91110000MA1H00004",
        "北京市",
        "北京",
        "3849",
        &["AUTO-NEV-FCV"],
        RevenueBand::From100mTo1b,
        600,
        true,
        40.0,
        1750.0,
    ),
    (
        "湘长电池再生资源有限公司",
        "91430100MA1H00005",
        "湖南省",
        "长沙",
        "4210",
        &["AUTO-NEV-BATT-RCY"],
        RevenueBand::From1bTo10b,
        1500,
        true,
        22.0,
        900.0,
    ),
    (
        "黔贵循环材料有限公司",
        "91520100MA1H00006",
        "贵州省",
        "贵阳",
        "4210",
        &["AUTO-NEV-BATT-RCY"],
        RevenueBand::Under100m,
        180,
        false,
        18.0,
        400.0,
    ),
];

/// Loads the candidates and makes two leads: the recycling segment's top target (moved on to negotiation) and the
/// fuel-cell segment's third (a lead). The fuel-cell segment's top target stays a target, for the user to turn.
pub async fn load_demo(store: &Arc<dyn Store>, clock: Clock) -> anyhow::Result<()> {
    let actor = Actor::system("demo");
    let all = Paging::all();
    let segments = store
        .list_segments(&actor, &SegmentFilter::default(), &all)
        .await?
        .items;
    let segment = |code: &str| segments.iter().find(|s| s.code == code);
    let today = clock.today();
    let mut drafts = Vec::new();
    for &(name, body, province, city, industry, codes, band, employees, listed, growth, km) in
        CANDIDATES
    {
        let credit_code = CreditCode::from_body(body)
            .map_err(|e| anyhow::anyhow!("demo credit code {body}: {e}"))?;
        let input = CandidateInput {
            name: name.into(),
            credit_code: credit_code.as_str().into(),
            province: province.into(),
            city: city.into(),
            industry_code: industry.into(),
            segment_ids: codes
                .iter()
                .filter_map(|c| segment(c))
                .map(|s| s.id)
                .collect(),
            revenue_band: Some(band),
            employees: Some(employees),
            listed,
            growth_percent: Some(growth),
            distance_km: Some(km),
            partner_ids: Vec::new(),
            source: "演示数据".into(),
            source_on: today,
        };
        drafts.push(
            input
                .parse()
                .map_err(|e| anyhow::anyhow!("demo candidate {name}: {e}"))?,
        );
    }
    store.import_candidates(&actor, drafts).await?;
    let chain = store
        .list_chains(&actor, &ChainFilter::default(), &all)
        .await?
        .items
        .into_iter()
        .find(|c| c.code == "AUTO")
        .context("the demo has the automobile chain")?;
    let candidates = store
        .list_candidates(
            &actor,
            &chainpark_store::targets::CandidateSearch {
                limit: 1000,
                ..Default::default()
            },
        )
        .await?;
    let id_of = |name: &str| candidates.iter().find(|c| c.name == name).map(|c| c.id);
    let lead = |segment_code: &str, name: &str| {
        let segment = segment(segment_code).map(|s| s.id);
        let candidate = id_of(name);
        (segment, candidate)
    };
    for (segment_code, name, negotiate) in [
        ("AUTO-NEV-BATT-RCY", "湘长电池再生资源有限公司", true),
        ("AUTO-NEV-FCV", "粤佛燃料电池系统有限公司", false),
    ] {
        let (Some(segment_id), Some(candidate_id)) = lead(segment_code, name) else {
            continue;
        };
        let on = today - chrono::Days::new(20);
        let project = turn_into_lead(
            store.as_ref(),
            &actor,
            chain.id,
            LeadInput {
                segment_id,
                candidate_id,
                on,
                chief_person_id: None,
                officer_person_id: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo lead {name}: {e}"))?;
        if negotiate {
            store
                .move_project(
                    &actor,
                    project.id,
                    chainpark_core::workflow::projects::ProjectStage::Negotiation,
                    today - chrono::Days::new(5),
                )
                .await?;
        }
    }
    load_policies(store.as_ref(), &actor).await
}

/// (chain code, title, issuer, document number, issued on, summary). Illustrative: the titles follow the kind of
/// document a chain's 政策清单 holds, but the numbers and texts are the demo's own (docs/chain_targets.md).
const POLICIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "AUTO",
        "关于推动新能源汽车产业高质量发展的若干措施（示例）",
        "示例市人民政府办公厅",
        "示府办发〔2022〕58号",
        "2022-05-20",
        "整车与关键零部件项目按设备投资给予补助；支持氢燃料电池汽车示范应用。",
    ),
    (
        "AUTO",
        "动力电池回收利用试点实施方案（示例）",
        "示例市经济和信息化委员会",
        "示经信发〔2021〕17号",
        "2021-09-08",
        "建设回收网点与梯次利用项目，补齐电池回收利用环节。",
    ),
    (
        "ELEC",
        "支持集成电路与新型显示产业发展的若干政策（示例）",
        "示例市人民政府",
        "示府发〔2023〕9号",
        "2023-03-15",
        "对晶圆制造、封装测试项目给予流片与设备补贴，引进链主企业配套项目。",
    ),
];

/// Files the demo's policy documents under their chains (a chain the demo lacks is left out).
async fn load_policies(store: &dyn Store, actor: &Actor) -> anyhow::Result<()> {
    let chains = store
        .list_chains(actor, &ChainFilter::default(), &Paging::all())
        .await?
        .items;
    for &(code, title, issuer, number, issued_on, summary) in POLICIES {
        let Some(chain) = chains.iter().find(|c| c.code == code) else {
            continue;
        };
        let draft = chainpark_core::policies::PolicyInput {
            chain_id: chain.id,
            title: title.into(),
            issuer: issuer.into(),
            document_number: number.into(),
            issued_on: issued_on.parse().context("demo policy date")?,
            url: String::new(),
            text: format!("（演示用示例文本，非真实文件。）{summary}"),
            summary: summary.into(),
        }
        .parse()
        .map_err(|e| anyhow::anyhow!("demo policy {title}: {e}"))?;
        store.create_policy(actor, draft).await?;
    }
    Ok(())
}
