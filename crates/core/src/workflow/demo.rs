//! The demo's daily work, generated from the demo zone with a fixed seed (no I/O, the same every run): the
//! signing events of 2021 — the Smart China Expo opening with the four projects the press named, and the 25
//! projects worth 46.3 bn yuan signed on 2021-08-18 — with their stages, investment and milestones; the
//! transformation projects and recognitions that reach the published counts (233 projects, 60 digital workshops
//! and 21 intelligent factories by September 2021; 337 / 79 / 22 by the end of 2022); and a few appeals, one of
//! them the National Day case. Investment amounts of single projects were not published: they are invented, and
//! only the batch total (4,630,000 万元) is real.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::demo::DemoZone;
use crate::registry::PostRole;
use crate::workflow::appeals::{AppealCategory, Urgency};
use crate::workflow::projects::StageDates;
use crate::workflow::transformation::RecognitionKind;
use crate::workflow::work_orders::{WorkOrderKind, WorkOrderUrgency};

/// Everything the demo's daily work holds, in the order a loader would write it.
#[derive(Debug, Clone)]
pub struct DemoWorkflow {
    pub events: Vec<DemoEvent>,
    pub projects: Vec<DemoProject>,
    pub transformation: Vec<DemoTransformation>,
    /// Workshops before the factories that stand on them.
    pub recognitions: Vec<DemoRecognition>,
    pub appeals: Vec<DemoAppeal>,
    pub work_orders: Vec<DemoWorkOrder>,
}

/// A park work order: reported at `created_at`, then started, finished and closed where those are given.
#[derive(Debug, Clone)]
pub struct DemoWorkOrder {
    pub park_code: String,
    pub facility: String,
    pub kind: WorkOrderKind,
    pub urgency: WorkOrderUrgency,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct DemoEvent {
    pub key: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub held_on: NaiveDate,
    pub place: &'static str,
}

/// A key project; money in 万元.
#[derive(Debug, Clone)]
pub struct DemoProject {
    pub name: String,
    pub investor: String,
    pub chain_code: String,
    pub segment_code: Option<String>,
    pub park_code: Option<String>,
    pub event_key: Option<&'static str>,
    pub planned: i64,
    pub contracted: i64,
    pub stages: StageDates,
    /// (year, plan)
    pub plans: Vec<(i32, i64)>,
    /// (yyyymm, completed)
    pub completed: Vec<(i32, i64)>,
    /// (name, due, done)
    pub milestones: Vec<(String, NaiveDate, Option<NaiveDate>)>,
}

#[derive(Debug, Clone)]
pub struct DemoTransformation {
    pub credit_code: String,
    pub name: String,
    pub investment: i64,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct DemoRecognition {
    pub credit_code: String,
    pub kind: RecognitionKind,
    pub name: String,
    pub recognised_on: NaiveDate,
    pub investment: i64,
    pub cnc_rate_pct: i32,
    pub key_process_cnc_pct: i32,
    pub cost_reduction_pct: i32,
    pub efficiency_gain_pct: i32,
    pub defect_reduction_pct: i32,
    pub energy_gain_pct: i32,
    /// For a factory: indexes of its workshops in `DemoWorkflow::recognitions`.
    pub workshops: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct DemoAppeal {
    pub credit_code: String,
    pub category: AppealCategory,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    pub received_at: DateTime<Utc>,
    pub steps: Vec<DemoAppealStep>,
}

/// A step of a demo appeal, or an escalation run at that instant.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoAppealStep {
    Accept(DateTime<Utc>),
    Handle(DateTime<Utc>),
    Reply(DateTime<Utc>, String),
    Rate(DateTime<Utc>, bool, i32),
    /// Closed after the call-back, with its note.
    Close(DateTime<Utc>, String),
    /// Re-opened by the enterprise, with its reason.
    Reopen(DateTime<Utc>, String),
    Escalate(DateTime<Utc>),
}

/// SplitMix64: the same numbers on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % ((high - low + 1) as u64)) as i64
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid demo date")
}

/// 10:00 in Chongqing on a day.
fn morning(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &day.and_hms_opt(hour.saturating_sub(8), 0, 0)
            .expect("a valid hour"),
    )
}

fn days(day: NaiveDate, n: i64) -> NaiveDate {
    day + Duration::days(n)
}

pub const EXPO: &str = "expo2021";
pub const BATCH: &str = "batch20210818";

/// The 2021-08-18 batch: 25 projects worth 4,630,000 万元 in all.
pub const BATCH_TOTAL: i64 = 4_630_000;

const BATCH_PROJECTS: [(&str, &str, &str, &str); 25] = [
    ("新能源汽车整车智能制造基地", "AUTO", "AUTO-NEV", "LONGXING"),
    ("动力电池电芯及模组项目", "AUTO", "AUTO-NEV", "LONGXING"),
    ("汽车电子控制单元产业化项目", "AUTO", "AUTO", "AUTO-PARK"),
    ("智能网联汽车测试验证中心", "AUTO", "AUTO", "AUTO-PARK"),
    ("轻量化车身零部件项目", "AUTO", "AUTO", "YUFU"),
    ("功率半导体封装测试项目", "ELEC", "ELEC-IC-PKG", "IC-PARK"),
    ("新型显示模组项目", "ELEC", "ELEC", "SHUITU"),
    ("智能终端整机制造项目", "ELEC", "ELEC", "SHUITU"),
    ("高端传感器研发生产基地", "ELEC", "ELEC", "IC-PARK"),
    (
        "工业机器人整机及核心部件项目",
        "EQUIP",
        "EQUIP-ROB",
        "SMART-EQUIP",
    ),
    (
        "精密减速器产业化项目",
        "EQUIP",
        "EQUIP-ROB-RED",
        "SMART-EQUIP",
    ),
    ("轨道交通装备维保基地", "EQUIP", "EQUIP", "SMART-EQUIP"),
    ("生物疫苗产业化基地", "HEALTH", "HEALTH-BIO-VAC", "BIO-PARK"),
    ("高端医疗器械产业园", "HEALTH", "HEALTH", "BIO-PARK"),
    ("创新药研发中心", "HEALTH", "HEALTH-BIO", "BIO-PARK"),
    ("国际陆海贸易新通道物流枢纽", "LOGI", "LOGI", "GUOYUAN"),
    ("冷链物流分拨中心", "LOGI", "LOGI", "GUOYUAN"),
    ("跨境电商产业园", "LOGI", "LOGI", "CUNTAN"),
    ("工业软件研发中心", "SOFT", "SOFT", "DIGITAL-PARK"),
    ("数据中心及云计算基地", "SOFT", "SOFT", "DIGITAL-PARK"),
    ("信创适配验证中心", "SOFT", "SOFT-BSW", "DIGITAL-PARK"),
    (
        "高性能铝合金材料项目",
        "MAT",
        "MAT-MET-AL",
        "MATERIALS-PARK",
    ),
    ("电子级化学品项目", "MAT", "MAT", "MATERIALS-PARK"),
    ("通用航空器整机制造项目", "AERO", "AERO-GA", "AIRPORT"),
    ("数字文创内容生产基地", "CREATIVE", "CREATIVE", "LIJIA"),
];

const PIPELINE: [(&str, &str, &str); 16] = [
    ("氢燃料电池系统项目", "AUTO", "LONGXING"),
    ("车规级芯片设计中心", "ELEC", "IC-PARK"),
    ("激光雷达生产线", "AUTO", "AUTO-PARK"),
    ("协作机器人项目", "EQUIP", "SMART-EQUIP"),
    ("基因检测服务中心", "HEALTH", "BIO-PARK"),
    ("保税维修中心", "LOGI", "CUNTAN"),
    ("工业互联网标识解析节点", "SOFT", "DIGITAL-PARK"),
    ("碳纤维复合材料项目", "MAT", "MATERIALS-PARK"),
    ("无人机研发制造项目", "AERO", "AIRPORT"),
    ("电竞赛事中心", "CREATIVE", "YUELAI"),
    ("融资租赁区域总部", "FIN", "LJIBC"),
    ("新型研发机构", "TECH", "MINGYUE"),
    ("智能座舱系统项目", "AUTO", "YUFU"),
    ("MiniLED背光模组项目", "ELEC", "SHUITU"),
    ("医药冷链配送中心", "HEALTH", "GUOYUAN"),
    ("区块链服务平台", "SOFT", "LIJIA"),
];

/// The segment of `chain` to put a project in: the one whose code is `wanted` or starts with it, else none.
fn segment(zone: &DemoZone, chain: &str, wanted: &str) -> Option<String> {
    let chain = zone.chains.iter().find(|c| c.code == chain)?;
    chain
        .segments
        .iter()
        .find(|s| s.code == wanted)
        .or_else(|| {
            chain
                .segments
                .iter()
                .find(|s| s.code.starts_with(wanted) && s.parent.is_some())
        })
        .map(|s| s.code.clone())
}

fn park(zone: &DemoZone, code: &str) -> Option<String> {
    zone.parks
        .iter()
        .any(|p| p.code == code)
        .then(|| code.to_string())
}

/// (year or yyyymm, 万元) pairs.
type Amounts = Vec<(i32, i64)>;

/// Plans for 2021 and 2022 and the investment completed month by month from the start of construction.
fn investment(
    rng: &mut Rng,
    contracted: i64,
    started: Option<NaiveDate>,
    last: NaiveDate,
) -> (Amounts, Amounts) {
    let plans = vec![(2021, contracted / 10), (2022, contracted * 3 / 10)];
    let mut completed = Vec::new();
    if let Some(start) = started {
        let mut month = date(start.year(), start.month(), 1);
        while month <= last {
            let plan = if month.year() == 2021 {
                contracted / 10
            } else {
                contracted * 3 / 10
            };
            let share = rng.between(60, 120);
            completed.push((
                month.year() * 100 + month.month() as i32,
                plan * share / 1200,
            ));
            month = if month.month() == 12 {
                date(month.year() + 1, 1, 1)
            } else {
                date(month.year(), month.month() + 1, 1)
            };
        }
    }
    (plans, completed)
}

fn projects(zone: &DemoZone) -> Vec<DemoProject> {
    let mut rng = Rng(0x5EED_2021_0818);
    let mut out = Vec::new();
    let last = date(2022, 12, 1);
    // The Smart China Expo 2021 opening (2021-08-23): the four projects the press named.
    let expo = [
        (
            "IAT两江国际汽车研发基地",
            "IAT Automobile Technology",
            "AUTO",
            "AUTO",
            "AUTO-PARK",
            500_000,
            Some(date(2021, 12, 20)),
            Some(date(2022, 10, 28)),
        ),
        (
            "腾讯云工业互联网智能产业总部",
            "Tencent Cloud",
            "SOFT",
            "SOFT",
            "DIGITAL-PARK",
            300_000,
            Some(date(2022, 3, 15)),
            None,
        ),
        (
            "科大讯飞西南区域总部",
            "iFlytek",
            "SOFT",
            "SOFT",
            "DIGITAL-PARK",
            200_000,
            Some(date(2022, 5, 9)),
            None,
        ),
        (
            "奇安信集团西南区域总部",
            "QI-ANXIN Group",
            "SOFT",
            "SOFT",
            "LIJIA",
            150_000,
            None,
            None,
        ),
    ];
    for (name, investor, chain, seg, park_code, amount, started, production) in expo {
        let signed = date(2021, 8, 23);
        let stages = StageDates {
            negotiation_on: Some(date(2021, 6, 10)),
            signed_on: Some(signed),
            registered_on: Some(date(2021, 10, 15)),
            started_on: started,
            production_on: production,
            ..Default::default()
        };
        let (plans, completed) = investment(&mut rng, amount, started, last);
        out.push(DemoProject {
            name: name.into(),
            investor: investor.into(),
            chain_code: chain.into(),
            segment_code: segment(zone, chain, seg),
            park_code: park(zone, park_code),
            event_key: Some(EXPO),
            planned: amount,
            contracted: amount,
            stages,
            plans,
            completed,
            milestones: vec![(
                "完成公司注册".into(),
                date(2021, 10, 31),
                Some(date(2021, 10, 15)),
            )],
        });
    }
    // The 2021-08-18 batch: amounts invented, their sum is the published total.
    let mut amounts: Vec<i64> = (0..24).map(|i| 80_000 + ((i * 7) % 11) * 20_000).collect();
    amounts.push(BATCH_TOTAL - amounts.iter().sum::<i64>());
    for (i, ((name, chain, seg, park_code), amount)) in
        BATCH_PROJECTS.iter().zip(amounts).enumerate()
    {
        let signed = date(2021, 8, 18);
        let i = i as i64;
        // Eight started by September 2021, eighteen by mid-2022; ten in production by the end of 2022.
        let started = match i {
            0..=7 => Some(days(date(2021, 9, 1), i * 3)),
            8..=17 => Some(days(date(2022, 1, 10), (i - 8) * 15)),
            _ => None,
        };
        let production = match i {
            0..=9 => started.map(|s| days(s, 300 + i * 10)),
            _ => None,
        };
        let stages = StageDates {
            visit_on: Some(days(signed, -120 - i)),
            negotiation_on: Some(days(signed, -60 - i)),
            signed_on: Some(signed),
            registered_on: Some(days(signed, 5 + i / 2)),
            started_on: started,
            production_on: production,
            ..Default::default()
        };
        let (plans, completed) = investment(&mut rng, amount, started, last);
        let land_due = days(signed, 60);
        out.push(DemoProject {
            name: (*name).into(),
            investor: format!("{}投资方", &name.chars().take(4).collect::<String>()),
            chain_code: (*chain).into(),
            segment_code: segment(zone, chain, seg),
            park_code: park(zone, park_code),
            event_key: Some(BATCH),
            planned: amount,
            contracted: amount,
            stages,
            plans,
            completed,
            milestones: vec![
                (
                    "完成土地摘牌".into(),
                    land_due,
                    started.map(|s| days(s, -10).min(land_due)),
                ),
                ("开工建设".into(), days(signed, 150), started),
            ],
        });
    }
    // The pipeline: leads, visits and negotiations of 2022.
    for (i, (name, chain, park_code)) in PIPELINE.iter().enumerate() {
        let i = i as i64;
        let lead = days(date(2022, 2, 1), i * 17);
        let stages = StageDates {
            lead_on: Some(lead),
            visit_on: (i % 3 != 0).then(|| days(lead, 30)),
            negotiation_on: (i % 3 == 2).then(|| days(lead, 75)),
            ..Default::default()
        };
        let amount = 20_000 + rng.between(0, 30) * 5_000;
        out.push(DemoProject {
            name: (*name).into(),
            investor: "待定 to be confirmed".into(),
            chain_code: (*chain).into(),
            segment_code: None,
            park_code: park(zone, park_code),
            event_key: None,
            planned: amount,
            contracted: 0,
            stages,
            plans: Vec::new(),
            completed: Vec::new(),
            milestones: vec![(
                "提交投资意向书".into(),
                days(lead, 90),
                (i % 2 == 0).then(|| days(lead, 60)),
            )],
        });
    }
    out
}

/// Manufacturing firms (GB/T 4754 divisions 13–43) of the zone, in registry order.
fn manufacturers(zone: &DemoZone) -> Vec<&str> {
    zone.enterprises
        .iter()
        .filter(|e| {
            e.industry_code
                .get(..2)
                .and_then(|d| d.parse::<u32>().ok())
                .is_some_and(|d| (13..=43).contains(&d))
        })
        .map(|e| e.credit_code.as_str())
        .collect()
}

const TRANSFORMATION_NAMES: [&str; 8] = [
    "生产线自动化改造",
    "MES系统建设",
    "智能仓储物流改造",
    "设备联网与数据采集",
    "质量在线检测改造",
    "能源管理系统建设",
    "数字孪生工厂建设",
    "柔性装配线改造",
];

fn transformation(firms: &[&str]) -> Vec<DemoTransformation> {
    let mut rng = Rng(0x5EED_0233_0337);
    let mut out = Vec::new();
    // 233 completed from 2019 to September 2021, 104 more to the end of 2022, 40 still under way.
    let spans = [
        (233, date(2019, 1, 10), date(2021, 9, 30)),
        (104, date(2021, 10, 1), date(2022, 12, 31)),
        (40, date(2022, 3, 1), date(2022, 12, 31)),
    ];
    let mut n = 0usize;
    for (index, (count, from, to)) in spans.into_iter().enumerate() {
        let width = (to - from).num_days();
        for k in 0..count {
            let firm = firms[(n * 7) % firms.len()];
            let day = days(from, width * k as i64 / count as i64);
            let (started_on, completed_on) = if index == 2 {
                (day, None)
            } else {
                (days(day, -rng.between(180, 540)), Some(day))
            };
            out.push(DemoTransformation {
                credit_code: firm.to_string(),
                name: TRANSFORMATION_NAMES[n % TRANSFORMATION_NAMES.len()].into(),
                investment: rng.between(300, 8_000),
                started_on,
                completed_on,
            });
            n += 1;
        }
    }
    out
}

fn recognition(
    rng: &mut Rng,
    firm: &str,
    kind: RecognitionKind,
    name: String,
    on: NaiveDate,
    workshops: Vec<usize>,
) -> DemoRecognition {
    let c = kind.criteria();
    DemoRecognition {
        credit_code: firm.to_string(),
        kind,
        name,
        recognised_on: on,
        investment: c.min_investment + rng.between(0, 9_000),
        cnc_rate_pct: c.min_cnc_rate_pct + rng.between(0, 20) as i32,
        key_process_cnc_pct: c.min_key_process_cnc_pct + rng.between(0, 15) as i32,
        cost_reduction_pct: c.min_cost_reduction_pct + rng.between(0, 10) as i32,
        efficiency_gain_pct: c.min_efficiency_gain_pct + rng.between(0, 25) as i32,
        defect_reduction_pct: c.min_defect_reduction_pct + rng.between(0, 15) as i32,
        energy_gain_pct: c.min_energy_gain_pct + rng.between(0, 8) as i32,
        workshops,
    }
}

fn recognitions(firms: &[&str]) -> Vec<DemoRecognition> {
    let mut rng = Rng(0x5EED_0060_0021);
    let mut out = Vec::new();
    let firm = |i: usize| firms[(i * 13 + 5) % firms.len()];
    // 22 factories, each on two workshops of its own: 21 by September 2021, the 22nd in November 2022.
    for f in 0..22 {
        let (w1, w2, on) = if f < 21 {
            let base = days(date(2019, 3, 1), f as i64 * 30);
            (base, days(base, 90), days(base, 300).min(date(2021, 9, 28)))
        } else {
            (date(2022, 3, 15), date(2022, 5, 20), date(2022, 11, 18))
        };
        let a = out.len();
        out.push(recognition(
            &mut rng,
            firm(f),
            RecognitionKind::DigitalWorkshop,
            "冲压数字化车间".into(),
            w1,
            vec![],
        ));
        out.push(recognition(
            &mut rng,
            firm(f),
            RecognitionKind::DigitalWorkshop,
            "总装数字化车间".into(),
            w2,
            vec![],
        ));
        out.push(recognition(
            &mut rng,
            firm(f),
            RecognitionKind::IntelligentFactory,
            "智能工厂".into(),
            on,
            vec![a, a + 1],
        ));
    }
    // Other firms' workshops: 18 more by September 2021 (60 in all), 17 more by the end of 2022 (79).
    for k in 0..35 {
        let on = if k < 18 {
            days(date(2019, 6, 1), k as i64 * 45)
        } else {
            days(date(2021, 10, 20), (k - 18) as i64 * 25)
        };
        out.push(recognition(
            &mut rng,
            firm(22 + k),
            RecognitionKind::DigitalWorkshop,
            "数字化车间".into(),
            on,
            vec![],
        ));
    }
    out
}

fn appeals(zone: &DemoZone) -> Vec<DemoAppeal> {
    // The enterprise whose contact the demo's enterprise account is tied to: the first contact post.
    let demo_firm = zone
        .people
        .iter()
        .flat_map(|p| &p.posts)
        .find(|p| p.role == PostRole::EnterpriseContact && p.ends_on.is_none())
        .and_then(|p| p.enterprise_credit_code.clone())
        .unwrap_or_else(|| zone.enterprises[0].credit_code.clone());
    let other = |i: usize| {
        zone.enterprises[(i * 311) % zone.enterprises.len()]
            .credit_code
            .clone()
    };
    let appeal = |code: String, category, title: &str, received: DateTime<Utc>, steps| DemoAppeal {
        credit_code: code,
        category,
        urgency: Urgency::Normal,
        title: title.into(),
        description: String::new(),
        received_at: received,
        steps,
    };
    use DemoAppealStep::*;
    vec![
        // Filed the day before National Day 2021 with a 2-working-day limit: due on the make-up Saturday 10-09,
        // escalated on 10-10, answered late on 10-12.
        appeal(
            other(1),
            AppealCategory::Policy,
            "研发费用加计扣除政策咨询",
            morning(date(2021, 9, 30), 10),
            vec![
                Accept(morning(date(2021, 9, 30), 11)),
                Handle(morning(date(2021, 10, 8), 9)),
                Escalate(morning(date(2021, 10, 10), 8)),
                Reply(
                    morning(date(2021, 10, 12), 15),
                    "已说明2021年度加计扣除比例及申报流程".into(),
                ),
                Rate(morning(date(2021, 10, 13), 10), true, 4),
            ],
        ),
        appeal(
            other(2),
            AppealCategory::Utilities,
            "厂区临时停电报修",
            morning(date(2021, 11, 3), 9),
            vec![
                Accept(morning(date(2021, 11, 3), 10)),
                Handle(morning(date(2021, 11, 3), 11)),
                Reply(
                    morning(date(2021, 11, 4), 16),
                    "供电公司已恢复供电并更换变压器".into(),
                ),
                Rate(morning(date(2021, 11, 5), 9), true, 5),
            ],
        ),
        appeal(
            other(3),
            AppealCategory::Land,
            "扩建用地指标申请",
            morning(date(2022, 2, 14), 10),
            vec![
                Accept(morning(date(2022, 2, 15), 9)),
                Handle(morning(date(2022, 2, 16), 9)),
                Reply(morning(date(2022, 2, 25), 16), "已纳入年度供地计划".into()),
                Rate(morning(date(2022, 2, 28), 10), false, 2),
                Close(
                    morning(date(2022, 3, 1), 10),
                    "回访：企业希望尽快落实指标".into(),
                ),
                Reopen(
                    morning(date(2022, 3, 2), 9),
                    "用地指标仍未落实到地块".into(),
                ),
                Reply(
                    morning(date(2022, 3, 10), 16),
                    "已完成规划条件核定，4月挂牌".into(),
                ),
                Rate(morning(date(2022, 3, 11), 10), true, 4),
            ],
        ),
        appeal(
            demo_firm.clone(),
            AppealCategory::SupplyChain,
            "寻找本地配套供应商",
            morning(date(2022, 3, 1), 10),
            vec![
                Accept(morning(date(2022, 3, 1), 14)),
                Handle(morning(date(2022, 3, 2), 9)),
                Reply(
                    morning(date(2022, 3, 11), 15),
                    "已组织链上三家企业对接".into(),
                ),
                Rate(morning(date(2022, 3, 14), 9), true, 5),
            ],
        ),
        appeal(
            other(4),
            AppealCategory::Talent,
            "技能人才招聘支持",
            morning(date(2022, 6, 6), 10),
            vec![
                Accept(morning(date(2022, 6, 6), 15)),
                Handle(morning(date(2022, 6, 7), 9)),
                Reply(
                    morning(date(2022, 6, 10), 16),
                    "已对接两所职业院校订单班".into(),
                ),
            ],
        ),
        appeal(
            other(5),
            AppealCategory::Finance,
            "设备融资租赁贴息",
            morning(date(2022, 9, 19), 10),
            vec![Accept(morning(date(2022, 9, 19), 16))],
        ),
        appeal(
            demo_firm,
            AppealCategory::Utilities,
            "天然气增容申请",
            morning(date(2022, 11, 14), 10),
            vec![
                Accept(morning(date(2022, 11, 14), 11)),
                Handle(morning(date(2022, 11, 15), 9)),
            ],
        ),
        appeal(
            other(6),
            AppealCategory::Permits,
            "施工许可并联审批",
            morning(date(2022, 12, 5), 10),
            vec![],
        ),
    ]
    .into_iter()
    .chain(routine_appeals(zone))
    .collect()
}

/// Three appeals a month through 2022 from firms across the zone: most answered in time and closed, every seventh
/// late, every ninth re-opened once, the last ones of December still open.
fn routine_appeals(zone: &DemoZone) -> Vec<DemoAppeal> {
    use DemoAppealStep::*;
    let titles = [
        (AppealCategory::Policy, "高新技术企业认定政策咨询"),
        (AppealCategory::Talent, "引进高层次人才落户"),
        (AppealCategory::SupplyChain, "本地配套企业对接"),
        (AppealCategory::Finance, "首台套保险补贴申报"),
        (AppealCategory::Permits, "环评审批进度"),
        (AppealCategory::Logistics, "进口设备通关"),
        (AppealCategory::Land, "厂房租金减免"),
        (AppealCategory::Facilities, "园区道路积水"),
        (AppealCategory::Other, "员工子女入学"),
    ];
    let mut out = Vec::new();
    for k in 0..36usize {
        let (category, title) = titles[k % titles.len()];
        let month = (k / 3) as u32 + 1;
        let received = morning(date(2022, month, 3 + (k % 3) as u32 * 8), 10);
        let day = |d: i64| received + Duration::days(d);
        let limit = i64::from(category.reply_limit_days());
        let reply_after = if k % 7 == 3 { limit * 2 + 3 } else { 1 };
        let mut steps = vec![Accept(received + Duration::hours(4)), Handle(day(1))];
        if k < 34 {
            steps.push(Reply(
                day(reply_after),
                "已协调相关部门办理并答复企业".into(),
            ));
            if k % 9 == 4 {
                steps.push(Rate(day(reply_after + 1), false, 2));
                steps.push(Close(
                    day(reply_after + 1) + Duration::hours(3),
                    "回访：企业对答复不满意".into(),
                ));
                steps.push(Reopen(day(reply_after + 2), "问题仍未解决".into()));
                steps.push(Reply(day(reply_after + 3), "已补充办理并再次答复".into()));
            }
            steps.push(Rate(day(reply_after + 4), true, 4 + (k % 2) as i32));
        }
        out.push(DemoAppeal {
            credit_code: zone.enterprises[(k * 257 + 97) % zone.enterprises.len()]
                .credit_code
                .clone(),
            category,
            urgency: if k % 5 == 0 {
                Urgency::Urgent
            } else {
                Urgency::Normal
            },
            title: title.into(),
            description: String::new(),
            received_at: received,
            steps,
        });
    }
    out
}

const WORK_ORDERS: [(&str, WorkOrderKind, WorkOrderUrgency, &str); 6] = [
    (
        "标准厂房屋面",
        WorkOrderKind::Repair,
        WorkOrderUrgency::Routine,
        "屋面漏水维修",
    ),
    (
        "10kV开闭所",
        WorkOrderKind::SafetyInspection,
        WorkOrderUrgency::Routine,
        "季度安全巡检",
    ),
    (
        "园区主干道",
        WorkOrderKind::Repair,
        WorkOrderUrgency::Urgent,
        "路灯成片熄灭",
    ),
    (
        "污水提升泵站",
        WorkOrderKind::Environment,
        WorkOrderUrgency::Urgent,
        "泵站异味处理",
    ),
    (
        "园区东门",
        WorkOrderKind::Security,
        WorkOrderUrgency::Routine,
        "门禁系统故障",
    ),
    (
        "供气管网",
        WorkOrderKind::Utilities,
        WorkOrderUrgency::Emergency,
        "燃气管道泄漏报警",
    ),
];

/// Two to three work orders per park through 2022: most closed in time, some late, the last of some parks open.
fn work_orders(zone: &DemoZone) -> Vec<DemoWorkOrder> {
    let mut out = Vec::new();
    for (p, park) in zone.parks.iter().enumerate() {
        for k in 0..(2 + p % 2) {
            let (facility, kind, urgency, title) = WORK_ORDERS[(p + k * 2) % WORK_ORDERS.len()];
            let created = morning(days(date(2022, 3, 1), (p * 11 + k * 97) as i64), 9);
            let open = k == 1 + p % 2 && p % 3 == 0;
            let late = (p + k) % 4 == 0;
            let hours = match urgency {
                WorkOrderUrgency::Emergency => 2,
                WorkOrderUrgency::Urgent => {
                    if late {
                        40
                    } else {
                        8
                    }
                }
                WorkOrderUrgency::Routine => {
                    if late {
                        24 * 9
                    } else {
                        24 * 2
                    }
                }
            };
            let started = created + Duration::hours(1);
            let finished = created + Duration::hours(hours);
            out.push(DemoWorkOrder {
                park_code: park.code.clone(),
                facility: facility.into(),
                kind,
                urgency,
                title: title.into(),
                created_at: created,
                started_at: (!open).then_some(started),
                finished_at: (!open).then_some(finished),
                closed_at: (!open).then(|| finished + Duration::hours(20)),
            });
        }
    }
    out
}

/// The demo's daily work for the demo zone.
pub fn demo_workflow(zone: &DemoZone) -> DemoWorkflow {
    let firms = manufacturers(zone);
    DemoWorkflow {
        events: vec![
            DemoEvent {
                key: EXPO,
                name: "2021中国国际智能产业博览会开幕式两江新区签约",
                name_en: "Smart China Expo 2021 opening: Liangjiang signings",
                held_on: date(2021, 8, 23),
                place: "重庆国际博览中心",
            },
            DemoEvent {
                key: BATCH,
                name: "两江新区2021年8月重大项目集中签约",
                name_en: "Liangjiang major projects signing, 18 August 2021",
                held_on: date(2021, 8, 18),
                place: "两江新区",
            },
        ],
        projects: projects(zone),
        transformation: transformation(&firms),
        recognitions: recognitions(&firms),
        appeals: appeals(zone),
        work_orders: work_orders(zone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow() -> DemoWorkflow {
        demo_workflow(&crate::demo::demo_zone())
    }

    #[test]
    fn the_august_2021_batch_is_25_projects_worth_46_3_bn_yuan() {
        let w = workflow();
        let batch: Vec<_> = w
            .projects
            .iter()
            .filter(|p| p.event_key == Some(BATCH))
            .collect();
        assert_eq!(batch.len(), 25);
        assert_eq!(batch.iter().map(|p| p.contracted).sum::<i64>(), 4_630_000);
        assert!(
            batch
                .iter()
                .all(|p| p.contracted > 0 && p.stages.signed_on == Some(date(2021, 8, 18)))
        );
        let expo: Vec<_> = w
            .projects
            .iter()
            .filter(|p| p.event_key == Some(EXPO))
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(expo.len(), 4);
        assert!(
            expo.iter().any(|n| n.contains("IAT")) && expo.iter().any(|n| n.contains("腾讯云"))
        );
    }

    #[test]
    fn demo_stage_dates_keep_their_order() {
        for p in workflow().projects {
            let mut v = crate::error::Violations::default();
            p.stages.check(&mut v, "");
            assert!(v.is_empty(), "{}: {:?}", p.name, v.into_invalid());
        }
    }

    #[test]
    fn transformation_counts_match_the_published_figures() {
        let w = workflow();
        let completed_by = |d: NaiveDate| {
            w.transformation
                .iter()
                .filter(|t| t.completed_on.is_some_and(|c| c <= d))
                .count()
        };
        let recognised = |kind, d: NaiveDate| {
            w.recognitions
                .iter()
                .filter(|r| r.kind == kind && r.recognised_on <= d)
                .count()
        };
        let (sept, end) = (date(2021, 9, 30), date(2022, 12, 31));
        assert_eq!(completed_by(sept), 233);
        assert_eq!(completed_by(end), 337);
        assert_eq!(recognised(RecognitionKind::DigitalWorkshop, sept), 60);
        assert_eq!(recognised(RecognitionKind::IntelligentFactory, sept), 21);
        assert_eq!(recognised(RecognitionKind::DigitalWorkshop, end), 79);
        assert_eq!(recognised(RecognitionKind::IntelligentFactory, end), 22);
    }

    #[test]
    fn every_factory_stands_on_two_earlier_workshops_of_its_own() {
        let w = workflow();
        for r in w
            .recognitions
            .iter()
            .filter(|r| r.kind == RecognitionKind::IntelligentFactory)
        {
            assert_eq!(r.workshops.len(), 2);
            for &i in &r.workshops {
                let ws = &w.recognitions[i];
                assert_eq!(ws.credit_code, r.credit_code);
                assert!(ws.recognised_on <= r.recognised_on);
            }
            assert!(r.cnc_rate_pct >= r.kind.criteria().min_cnc_rate_pct);
        }
    }

    #[test]
    fn the_demo_is_the_same_every_time() {
        let (a, b) = (workflow(), workflow());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
