//! The demo zone's 11 industry areas and 11 chains: each chain's segment tree (upstream → midstream → downstream),
//! the GB/T 4754-2017 classes typical of each segment, and the supply links between segments.
//!
//! A segment's code is its chain's code followed by its path in the tree (`AUTO-NEV-BATT` sits under `AUTO-NEV`),
//! so the parent of every segment is written once, in its code.

use crate::registry::Stage;
use crate::registry::Stage::{Downstream as Down, Midstream as Mid, Upstream as Up};

use super::{DemoArea, DemoChain, DemoSegment};

/// One row of a chain's segment table.
pub(crate) struct SegmentRow {
    /// The path below the chain code, e.g. `NEV-BATT`.
    pub(crate) path: &'static str,
    pub(crate) name: &'static str,
    pub(crate) name_en: &'static str,
    pub(crate) stage: Stage,
    pub(crate) industry_codes: &'static [&'static str],
    /// Relative share of the chain's enterprises placed directly in this segment. 0 marks a deliberate gap
    /// (缺链): the segment gets at most two firms, so the chain map shows where investment is needed.
    pub(crate) weight: u32,
}

const fn s(
    path: &'static str,
    name: &'static str,
    name_en: &'static str,
    stage: Stage,
    industry_codes: &'static [&'static str],
    weight: u32,
) -> SegmentRow {
    SegmentRow {
        path,
        name,
        name_en,
        stage,
        industry_codes,
        weight,
    }
}

/// An industry area (产业功能区) of the "10+1".
pub(crate) struct AreaDef {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) name_en: &'static str,
    pub(crate) description: &'static str,
}

pub(crate) const AREAS: &[AreaDef] = &[
    AreaDef {
        code: "AUTOMOTIVE",
        name: "汽车产业功能区",
        name_en: "Automobile Industry Area",
        description: "整车、新能源及智能网联汽车与核心零部件，以鱼复、龙兴和两江汽车产业园为主要承载地。",
    },
    AreaDef {
        code: "ELECTRONICS",
        name: "电子信息产业功能区",
        name_en: "Electronic Information Industry Area",
        description: "集成电路、新型显示、智能终端与电子元器件，以水土高新园和集成电路产业园为主要承载地。",
    },
    AreaDef {
        code: "EQUIPMENT",
        name: "高端装备产业功能区",
        name_en: "High-end Equipment Industry Area",
        description: "工业机器人、数控机床、轨道交通与能源装备，依托中德、中瑞产业园和智能装备产业园。",
    },
    AreaDef {
        code: "LIFE-HEALTH",
        name: "生命健康产业功能区",
        name_en: "Life and Health Industry Area",
        description: "生物医药、化学药、中医药、医疗器械与健康服务，以两江生物医药产业园和中意产业园为主要承载地。",
    },
    AreaDef {
        code: "LOGISTICS",
        name: "国际物流枢纽功能区",
        name_en: "International Logistics Hub Area",
        description: "果园港、寸滩保税港区与江北机场联动的水、铁、公、空多式联运和国际贸易。",
    },
    AreaDef {
        code: "DIGITAL",
        name: "数字经济产业功能区",
        name_en: "Digital Economy Industry Area",
        description: "软件和信息服务、大数据、人工智能与工业互联网，以两江数字经济产业园和礼嘉智慧公园为核心。",
    },
    AreaDef {
        code: "FINANCE",
        name: "现代金融与商务服务功能区",
        name_en: "Modern Finance and Business Services Area",
        description: "银行、股权投资、融资租赁、金融科技与专业服务，以两江国际商务中心为主要承载地。",
    },
    AreaDef {
        code: "MATERIALS",
        name: "新材料产业功能区",
        name_en: "New Materials Industry Area",
        description: "先进金属、高分子、复合材料与电子材料，配套汽车、电子和装备产业。",
    },
    AreaDef {
        code: "AVIATION",
        name: "临空经济与航空航天功能区",
        name_en: "Airport Economy and Aerospace Area",
        description: "通用航空、无人机、航空零部件与航空维修，以空港工业园为主要承载地。",
    },
    AreaDef {
        code: "CULTURE",
        name: "会展与数字文创功能区",
        name_en: "Exhibitions and Digital Creative Area",
        description: "游戏动漫、网络视听、虚拟现实、创意设计与会展经济，以悦来会展城为主要承载地。",
    },
    AreaDef {
        code: "INNOVATION",
        name: "两江协同创新区",
        name_en: "Liangjiang Collaborative Innovation Zone",
        description: "“10+1”中的“+1”：明月湖畔的新型研发机构、中试熟化、技术转移、孵化与检验检测。",
    },
];

/// A chain: its place, its size in the demo and where its enterprises sit.
pub(crate) struct ChainDef {
    pub(crate) code: &'static str,
    pub(crate) area: &'static str,
    pub(crate) name: &'static str,
    pub(crate) name_en: &'static str,
    /// How many enterprises the demo puts in the chain (leading companies included).
    pub(crate) enterprises: usize,
    /// Parks that host the chain's enterprises, with relative weights.
    pub(crate) parks: &'static [(&'static str, u32)],
    /// Share of the chain's enterprises outside any park, in 1000.
    pub(crate) outside_parks_per_mille: u32,
    /// Share of recognised high-tech enterprises, in 1000.
    pub(crate) high_tech_per_mille: u32,
    /// Founding years lean towards the present by this much (0 = even; digital firms are young).
    pub(crate) youth: u32,
    pub(crate) segments: &'static [SegmentRow],
    /// Supply links by segment path: `from` supplies `to`.
    pub(crate) links: &'static [(&'static str, &'static str)],
}

pub(crate) const CHAINS: &[ChainDef] = &[
    ChainDef {
        code: "AUTO",
        area: "AUTOMOTIVE",
        name: "汽车产业链",
        name_en: "Automobile chain",
        enterprises: 760,
        parks: &[
            ("AUTO-PARK", 30),
            ("YUFU", 25),
            ("LONGXING", 20),
            ("LONGSHENG", 10),
            ("SINO-GERMAN", 8),
        ],
        outside_parks_per_mille: 120,
        high_tech_per_mille: 150,
        youth: 1,
        segments: AUTO,
        links: &[
            ("NEV-BATT", "NEV-BEV"),
            ("NEV-BATT-MAT", "NEV-BATT-CELL"),
            ("NEV-BATT-BMS", "NEV-BATT-CELL"),
            ("NEV-EDS", "NEV-BEV"),
            ("NEV-EDS", "NEV-PHEV"),
            ("PWT-ENG", "VEH-PAS"),
            ("PWT-TRN", "VEH-PAS"),
            ("CHS", "VEH-PAS"),
            ("BODY", "VEH-COM"),
            ("CKP", "NEV-BEV"),
            ("ADS-SNS", "ADS-ALG"),
            ("ADS-CHIP", "ADS-ALG"),
            ("VEH-PAS", "SVC-SAL"),
        ],
    },
    ChainDef {
        code: "ELEC",
        area: "ELECTRONICS",
        name: "电子信息产业链",
        name_en: "Electronic information chain",
        enterprises: 3_300,
        parks: &[
            ("SHUITU", 30),
            ("DIGITAL-PARK", 20),
            ("IC-PARK", 20),
            ("AIRPORT", 10),
            ("LONGSHENG", 5),
        ],
        outside_parks_per_mille: 150,
        high_tech_per_mille: 190,
        youth: 2,
        segments: ELEC,
        links: &[
            ("IC-DES", "IC-FAB"),
            ("IC-FAB", "IC-PKG"),
            ("IC-MAT", "IC-FAB"),
            ("IC-EQP", "IC-FAB"),
            ("IC-EDA", "IC-DES"),
            ("DSP-GLS", "DSP-PNL"),
            ("DSP-DRV", "DSP-MOD"),
            ("DSP-PNL", "DSP-MOD"),
            ("DSP-MOD", "TRM-PC"),
            ("DSP-MOD", "TRM-PHN"),
            ("CMP-PCB", "EMS"),
            ("IC-PKG", "EMS"),
            ("EMS", "TRM-PC"),
            ("TRM-PC", "DIST"),
        ],
    },
    ChainDef {
        code: "EQUIP",
        area: "EQUIPMENT",
        name: "装备制造产业链",
        name_en: "Equipment manufacturing chain",
        enterprises: 420,
        parks: &[
            ("SMART-EQUIP", 30),
            ("SINO-GERMAN", 20),
            ("SINO-SWISS", 15),
            ("LONGXING", 15),
            ("SINO-ITALY", 8),
        ],
        outside_parks_per_mille: 130,
        high_tech_per_mille: 170,
        youth: 1,
        segments: EQUIP,
        links: &[
            ("ROB-RED", "ROB-BODY"),
            ("ROB-SRV", "ROB-BODY"),
            ("ROB-CTL", "ROB-BODY"),
            ("ROB-BODY", "ROB-INT"),
            ("CNC-FUN", "CNC-CUT"),
            ("CNC-SYS", "CNC-CUT"),
            ("GEN-BRG", "RAIL-VEH"),
            ("GEN-HYD", "CNC-FRM"),
            ("INS-IND", "ROB-INT"),
        ],
    },
    ChainDef {
        code: "HEALTH",
        area: "LIFE-HEALTH",
        name: "生命健康产业链",
        name_en: "Life and health chain",
        enterprises: 330,
        parks: &[
            ("BIO-PARK", 45),
            ("SINO-ITALY", 20),
            ("SINO-SWISS", 15),
            ("MINGYUE", 5),
        ],
        outside_parks_per_mille: 200,
        high_tech_per_mille: 180,
        youth: 1,
        segments: HEALTH,
        links: &[
            ("CHM-API", "CHM-FRM"),
            ("CHM-EXC", "CHM-FRM"),
            ("CRO-RND", "BIO-ANT"),
            ("CRO-RND", "BIO-CGT"),
            ("CRO-TST", "BIO-VAC"),
            ("TCM-HRB", "TCM-PAT"),
            ("BIO-VAC", "SVC-CIR"),
            ("CHM-FRM", "SVC-CIR"),
            ("DEV-IVD", "SVC-CHK"),
        ],
    },
    ChainDef {
        code: "LOGI",
        area: "LOGISTICS",
        name: "全球贸易物流产业链",
        name_en: "Global trade logistics chain",
        enterprises: 320,
        parks: &[("GUOYUAN", 40), ("CUNTAN", 30), ("AIRPORT", 15)],
        outside_parks_per_mille: 200,
        high_tech_per_mille: 30,
        youth: 1,
        segments: LOGI,
        links: &[
            ("PORT-OPS", "PORT-SEA"),
            ("RAIL-CER", "WH-BND"),
            ("RAIL-NLS", "PORT-OPS"),
            ("AIR-CGO", "TRD-XBE"),
            ("WH-BND", "TRD-BND"),
            ("ROAD-CNT", "PORT-OPS"),
            ("FWD", "RAIL-CER"),
            ("PLT", "SCM"),
        ],
    },
    ChainDef {
        code: "SOFT",
        area: "DIGITAL",
        name: "软件和信息服务产业链",
        name_en: "Software and information services chain",
        enterprises: 2_900,
        parks: &[
            ("DIGITAL-PARK", 40),
            ("LIJIA", 25),
            ("LJIBC", 10),
            ("MINGYUE", 10),
        ],
        outside_parks_per_mille: 180,
        high_tech_per_mille: 160,
        youth: 3,
        segments: SOFT,
        links: &[
            ("BSW-OS", "APP-IND"),
            ("BSW-DB", "APP-ENT"),
            ("BSW-MID", "IIOT-PLT"),
            ("CLD-IDC", "CLD-IAAS"),
            ("CLD-IAAS", "AI-ALG"),
            ("DATA-LBL", "AI-ALG"),
            ("AI-CHIP", "AI-ALG"),
            ("AI-ALG", "APP-IND"),
            ("IIOT-ID", "IIOT-PLT"),
            ("TEL-BAS", "CLD-CDN"),
        ],
    },
    ChainDef {
        code: "MAT",
        area: "MATERIALS",
        name: "新材料产业链",
        name_en: "New materials chain",
        enterprises: 190,
        parks: &[("MATERIALS-PARK", 50), ("LONGSHENG", 20), ("LONGXING", 10)],
        outside_parks_per_mille: 150,
        high_tech_per_mille: 140,
        youth: 0,
        segments: MAT,
        links: &[
            ("MET-AL", "CMP"),
            ("POL-FIB", "CMP-CF"),
            ("CMP-GF", "CMP-CF"),
            ("ELM-GAS", "ELM-CHM"),
            ("RCY", "MET-AL"),
        ],
    },
    ChainDef {
        code: "AERO",
        area: "AVIATION",
        name: "航空航天产业链",
        name_en: "Aerospace and general aviation chain",
        enterprises: 130,
        parks: &[("AIRPORT", 70), ("SMART-EQUIP", 10)],
        outside_parks_per_mille: 150,
        high_tech_per_mille: 220,
        youth: 2,
        segments: AERO,
        links: &[
            ("PRT-ENG", "GA-AC"),
            ("PRT-AVI", "GA-AC"),
            ("PRT-STR", "GA-HEL"),
            ("PRT-AVI", "UAV-IND"),
            ("GA-AC", "GA-OPS"),
            ("SPC-SAT", "SPC-APP"),
        ],
    },
    ChainDef {
        code: "CREATIVE",
        area: "CULTURE",
        name: "数字文创产业链",
        name_en: "Digital creative chain",
        enterprises: 420,
        parks: &[("YUELAI", 40), ("LIJIA", 25), ("DIGITAL-PARK", 15)],
        outside_parks_per_mille: 220,
        high_tech_per_mille: 90,
        youth: 3,
        segments: CREATIVE,
        links: &[
            ("GAM-DEV", "GAM-OPS"),
            ("GAM-OPS", "GAM-ESP"),
            ("VID-VFX", "VID-PRD"),
            ("VRX-DEV", "VRX-CNT"),
            ("VRX-CNT", "EXP-DIG"),
        ],
    },
    ChainDef {
        code: "FIN",
        area: "FINANCE",
        name: "现代金融产业链",
        name_en: "Modern finance chain",
        enterprises: 170,
        parks: &[("LJIBC", 70), ("CUNTAN", 10)],
        outside_parks_per_mille: 250,
        high_tech_per_mille: 20,
        youth: 1,
        segments: FIN,
        links: &[
            ("INV-ANG", "INV-VC"),
            ("INV-VC", "INV-PE"),
            ("FTC-INF", "FTC-SCF"),
            ("GUA", "MLN"),
        ],
    },
    ChainDef {
        code: "TECH",
        area: "INNOVATION",
        name: "科技创新服务产业链",
        name_en: "Sci-tech innovation services chain",
        enterprises: 210,
        parks: &[("MINGYUE", 60), ("LIJIA", 15), ("SHUITU", 10)],
        outside_parks_per_mille: 150,
        high_tech_per_mille: 300,
        youth: 3,
        segments: TECH,
        links: &[
            ("RND-NEW", "PIL"),
            ("RND-UNI", "TTR-BRK"),
            ("TTR-IP", "TTR-BRK"),
            ("PIL", "INC-ACC"),
            ("TST-MET", "TST-LAB"),
        ],
    },
];

#[rustfmt::skip]
const AUTO: &[SegmentRow] = &[
    s("VEH", "整车制造", "Complete vehicles", Mid, &["3611", "3612"], 1),
    s("VEH-PAS", "乘用车", "Passenger cars", Mid, &["3611"], 2),
    s("VEH-COM", "商用车", "Commercial vehicles", Mid, &["3611", "3630"], 2),
    s("VEH-SPV", "专用车及改装车", "Special-purpose and converted vehicles", Mid, &["3630", "3660"], 3),
    s("NEV", "新能源汽车", "New-energy vehicles", Mid, &["3612"], 1),
    s("NEV-BEV", "纯电动汽车", "Battery electric vehicles", Mid, &["3612"], 2),
    s("NEV-PHEV", "插电式混合动力汽车", "Plug-in hybrid vehicles", Mid, &["3612"], 1),
    s("NEV-FCV", "氢燃料电池汽车", "Hydrogen fuel-cell vehicles", Mid, &["3612"], 0),
    s("NEV-BATT", "动力电池", "Power batteries", Up, &["3841", "3849"], 2),
    s("NEV-BATT-CELL", "电芯", "Battery cells", Up, &["3841"], 3),
    s("NEV-BATT-MAT", "正负极材料", "Cathode and anode materials", Up, &["3091", "2613"], 3),
    s("NEV-BATT-BMS", "电池管理系统", "Battery management systems", Up, &["3670", "3824"], 3),
    s("NEV-BATT-RCY", "电池回收利用", "Battery recycling", Down, &["4210"], 0),
    s("NEV-EDS", "电机电控", "Motors and controls", Up, &["3812", "3824"], 2),
    s("NEV-EDS-MOT", "驱动电机", "Traction motors", Up, &["3812"], 4),
    s("NEV-EDS-CTL", "电机控制器", "Motor controllers", Up, &["3824", "3670"], 4),
    s("NEV-CHG", "充换电设施", "Charging and battery swapping", Down, &["3829", "5267"], 4),
    s("PWT", "动力总成", "Powertrain", Up, &["3620", "3670"], 2),
    s("PWT-ENG", "发动机", "Engines", Up, &["3620"], 6),
    s("PWT-TRN", "变速器", "Transmissions", Up, &["3670", "3453"], 6),
    s("CHS", "底盘", "Chassis", Up, &["3670"], 3),
    s("CHS-BRK", "制动系统", "Braking systems", Up, &["3670"], 7),
    s("CHS-STR", "转向系统", "Steering systems", Up, &["3670"], 6),
    s("CHS-SUS", "悬架系统", "Suspension systems", Up, &["3670", "3483"], 6),
    s("CHS-TYR", "轮胎", "Tyres", Up, &["2911"], 2),
    s("BODY", "车身及内外饰", "Body and interior/exterior trim", Up, &["3660", "3670"], 3),
    s("BODY-STP", "冲压及焊装件", "Stamped and welded parts", Up, &["3670", "3660"], 9),
    s("BODY-INT", "内外饰件", "Interior and exterior trim", Up, &["3670", "2929"], 9),
    s("BODY-GLS", "汽车玻璃", "Automotive glass", Up, &["3051"], 2),
    s("CKP", "智能座舱", "Intelligent cockpit", Mid, &["3962", "3670"], 2),
    s("CKP-HMI", "车载信息娱乐系统", "In-vehicle infotainment", Mid, &["3962"], 4),
    s("CKP-DSP", "车载显示", "In-vehicle displays", Up, &["3974", "3962"], 3),
    s("ADS", "自动驾驶", "Autonomous driving", Mid, &["3962", "6513"], 2),
    s("ADS-SNS", "环境感知传感器", "Perception sensors (lidar, radar, cameras)", Up, &["3983", "3940"], 3),
    s("ADS-CHIP", "车规级芯片", "Automotive-grade chips", Up, &["3973", "6520"], 0),
    s("ADS-ALG", "自动驾驶算法与软件", "Driving software and algorithms", Mid, &["6513", "6511"], 3),
    s("ADS-V2X", "车联网", "Vehicle-to-everything connectivity", Down, &["6532", "3922"], 3),
    s("SVC", "汽车服务", "Automotive services", Down, &["5261", "5172"], 1),
    s("SVC-SAL", "汽车销售", "Vehicle sales", Down, &["5261", "5172"], 5),
    s("SVC-AFM", "汽车后市场", "Aftermarket and repair", Down, &["8111", "5263"], 4),
];

#[rustfmt::skip]
const ELEC: &[SegmentRow] = &[
    s("IC", "集成电路", "Integrated circuits", Up, &["3973", "6520"], 2),
    s("IC-DES", "芯片设计", "Chip design", Up, &["6520"], 8),
    s("IC-FAB", "晶圆制造", "Wafer fabrication", Mid, &["3973"], 2),
    s("IC-PKG", "封装测试", "Packaging and test", Mid, &["3973"], 4),
    s("IC-PWR", "功率半导体", "Power semiconductors", Up, &["3972", "3824"], 4),
    s("IC-MAT", "半导体材料", "Semiconductor materials", Up, &["3985"], 3),
    s("IC-EQP", "半导体设备", "Semiconductor equipment", Up, &["3562"], 0),
    s("IC-EDA", "EDA工具软件", "EDA software", Up, &["6512"], 0),
    s("DSP", "新型显示", "New displays", Mid, &["3974"], 2),
    s("DSP-PNL", "显示面板", "Display panels (LCD, OLED)", Mid, &["3974"], 3),
    s("DSP-MOD", "显示模组", "Display modules", Mid, &["3974", "3976"], 6),
    s("DSP-GLS", "玻璃基板与光学膜", "Glass substrates and optical films", Up, &["3042", "2921"], 2),
    s("DSP-DRV", "显示驱动芯片", "Display driver chips", Up, &["6520", "3973"], 0),
    s("DSP-MLED", "Mini/Micro LED", "Mini and Micro LED", Mid, &["3975", "3976"], 2),
    s("TRM", "智能终端", "Smart terminals", Down, &["3911", "3922"], 3),
    s("TRM-PC", "笔记本电脑", "Notebook computers", Down, &["3911"], 8),
    s("TRM-PHN", "手机", "Mobile phones", Down, &["3922"], 6),
    s("TRM-WEA", "可穿戴设备", "Wearable devices", Down, &["3961"], 5),
    s("TRM-IOT", "智能家居与消费设备", "Smart home and consumer devices", Down, &["3969", "3964"], 7),
    s("TRM-SRV", "服务器与存储", "Servers and storage", Down, &["3911", "3912"], 4),
    s("TRM-PER", "计算机外设", "Computer peripherals", Down, &["3913"], 6),
    s("CMP", "电子元器件", "Electronic components", Up, &["3981", "3982"], 3),
    s("CMP-PCB", "印制电路板", "Printed circuit boards", Up, &["3982"], 8),
    s("CMP-PAS", "被动元件", "Passive components", Up, &["3981"], 6),
    s("CMP-SNS", "传感器", "Sensors", Up, &["3983"], 6),
    s("CMP-ACO", "电声器件", "Acoustic components", Up, &["3984"], 3),
    s("CMP-OPT", "光电子器件", "Optoelectronic devices", Up, &["3976"], 4),
    s("CMP-CON", "连接器与线缆组件", "Connectors and cable assemblies", Up, &["3989", "3831"], 6),
    s("COM", "通信设备", "Communication equipment", Mid, &["3921"], 2),
    s("COM-SYS", "5G通信系统设备", "5G system equipment", Mid, &["3921"], 4),
    s("COM-OPT", "光纤光缆", "Optical fibre and cable", Up, &["3832", "3833"], 2),
    s("COM-RAD", "雷达及卫星导航", "Radar and satellite navigation", Mid, &["3940", "4023"], 2),
    s("EMS", "电子制造服务", "Electronics manufacturing services", Mid, &["3990", "3919"], 8),
    s("DIST", "电子产品分销", "Electronics distribution", Down, &["5176", "5177", "5179"], 4),
];

#[rustfmt::skip]
const EQUIP: &[SegmentRow] = &[
    s("ROB", "工业机器人", "Industrial robots", Mid, &["3491"], 2),
    s("ROB-BODY", "机器人本体", "Robot arms", Mid, &["3491"], 5),
    s("ROB-RED", "精密减速器", "Precision reducers", Up, &["3453"], 2),
    s("ROB-SRV", "伺服电机及驱动器", "Servo motors and drives", Up, &["3813", "3824"], 3),
    s("ROB-CTL", "机器人控制器", "Robot controllers", Up, &["4011"], 0),
    s("ROB-INT", "机器人系统集成", "Robot system integration", Down, &["3491", "6531"], 6),
    s("ROB-SVC", "特种及服务机器人", "Special-purpose and service robots", Down, &["3492", "3964"], 3),
    s("CNC", "数控机床", "CNC machine tools", Mid, &["3421", "3422"], 2),
    s("CNC-CUT", "金属切削机床", "Metal-cutting machine tools", Mid, &["3421"], 5),
    s("CNC-FRM", "金属成形机床", "Metal-forming machine tools", Mid, &["3422"], 3),
    s("CNC-FUN", "机床功能部件", "Machine-tool components", Up, &["3425"], 4),
    s("CNC-SYS", "数控系统", "CNC control systems", Up, &["4011", "3914"], 0),
    s("AM", "增材制造", "Additive manufacturing", Mid, &["3493", "7517"], 2),
    s("RAIL", "轨道交通装备", "Rail transit equipment", Mid, &["3720"], 2),
    s("RAIL-VEH", "城轨及单轨车辆", "Metro and monorail vehicles", Mid, &["3720"], 2),
    s("RAIL-PRT", "轨道交通配件", "Rail transit parts", Up, &["3715", "3716"], 4),
    s("GEN", "通用设备", "General machinery", Up, &["3441", "3444"], 2),
    s("GEN-PMP", "泵阀", "Pumps and valves", Up, &["3441", "3443"], 6),
    s("GEN-HYD", "液压气动元件", "Hydraulic and pneumatic components", Up, &["3444", "3446"], 4),
    s("GEN-BRG", "轴承齿轮", "Bearings and gears", Up, &["3451", "3453"], 6),
    s("GEN-MLD", "模具", "Moulds and dies", Up, &["3525"], 7),
    s("ENE", "能源装备", "Energy equipment", Mid, &["3811", "3821"], 2),
    s("ENE-PWR", "发电及输变电设备", "Generation and transmission equipment", Mid, &["3811", "3821", "3823"], 5),
    s("ENE-WND", "风电装备", "Wind power equipment", Mid, &["3415"], 0),
    s("ENE-STO", "储能系统", "Energy storage systems", Mid, &["3841", "3849"], 3),
    s("INS", "仪器仪表", "Instruments and meters", Up, &["4011", "4014", "4028"], 2),
    s("INS-IND", "工业自动控制系统", "Industrial automation systems", Up, &["4011"], 5),
    s("INS-TST", "检测仪器", "Testing and measuring instruments", Up, &["4014", "4015", "4028"], 4),
    s("SRV", "装备维修服务", "Equipment repair and services", Down, &["4320", "4330"], 4),
];

#[rustfmt::skip]
const HEALTH: &[SegmentRow] = &[
    s("BIO", "生物医药", "Biomedicine", Mid, &["2761", "2762"], 2),
    s("BIO-VAC", "疫苗", "Vaccines", Mid, &["2762"], 3),
    s("BIO-ANT", "抗体及重组蛋白药物", "Antibodies and recombinant proteins", Mid, &["2761", "2762"], 3),
    s("BIO-CGT", "细胞与基因治疗", "Cell and gene therapy", Mid, &["2761"], 0),
    s("BIO-BLD", "血液制品", "Blood products", Mid, &["2761"], 1),
    s("CHM", "化学药", "Chemical medicines", Mid, &["2710", "2720"], 2),
    s("CHM-API", "原料药", "Active pharmaceutical ingredients", Up, &["2710"], 3),
    s("CHM-FRM", "化学制剂", "Finished dosage forms", Mid, &["2720"], 5),
    s("CHM-EXC", "药用辅料及包装材料", "Excipients and packaging", Up, &["2780"], 3),
    s("TCM", "中医药", "Traditional Chinese medicine", Mid, &["2730", "2740"], 1),
    s("TCM-HRB", "中药饮片", "Decoction pieces", Up, &["2730"], 3),
    s("TCM-PAT", "中成药", "Proprietary Chinese medicines", Mid, &["2740"], 4),
    s("DEV", "医疗器械", "Medical devices", Mid, &["3581", "3584"], 2),
    s("DEV-IMG", "医学影像设备", "Medical imaging equipment", Mid, &["3581"], 2),
    s("DEV-IVD", "体外诊断", "In-vitro diagnostics", Mid, &["3583", "2761"], 4),
    s("DEV-CON", "医用耗材", "Medical consumables", Mid, &["2770", "3584"], 6),
    s("DEV-REH", "康复辅具", "Rehabilitation aids", Mid, &["3586", "3585"], 2),
    s("DEV-DEN", "口腔器械", "Dental devices", Mid, &["3582"], 0),
    s("CRO", "研发外包及检测", "Contract research and testing", Up, &["7340", "7452"], 1),
    s("CRO-RND", "医药研发外包", "Pharmaceutical contract research", Up, &["7340"], 4),
    s("CRO-TST", "医药检验检测", "Pharmaceutical testing", Up, &["7452", "8492"], 3),
    s("SVC", "医疗健康服务", "Health services", Down, &["8415", "8491"], 1),
    s("SVC-HSP", "专科医院", "Specialist hospitals", Down, &["8415", "8411"], 3),
    s("SVC-CHK", "健康体检与医学检验", "Health checks and clinical laboratories", Down, &["8491", "8492"], 3),
    s("SVC-DIG", "互联网医疗", "Internet healthcare", Down, &["6432"], 3),
    s("SVC-CIR", "医药流通", "Pharmaceutical distribution", Down, &["5151", "5154", "5251"], 6),
    s("SVC-ELD", "康养服务", "Elderly care", Down, &["8514"], 2),
];

#[rustfmt::skip]
const LOGI: &[SegmentRow] = &[
    s("PORT", "港口航运", "Ports and shipping", Mid, &["5532", "5523"], 1),
    s("PORT-OPS", "港口作业", "Port operations", Mid, &["5532", "5910"], 4),
    s("PORT-SHP", "长江航运", "Yangtze shipping", Mid, &["5523"], 4),
    s("PORT-SEA", "江海联运", "River-sea through transport", Mid, &["5810", "5521"], 2),
    s("RAIL", "国际铁路联运", "International rail transport", Mid, &["5320", "5810"], 1),
    s("RAIL-CER", "中欧班列", "China-Europe Railway Express", Mid, &["5320"], 2),
    s("RAIL-NLS", "西部陆海新通道", "New Western Land-Sea Corridor", Mid, &["5810"], 2),
    s("AIR", "航空物流", "Air logistics", Mid, &["5612", "5639"], 1),
    s("AIR-CGO", "航空货运", "Air freight", Mid, &["5612"], 2),
    s("AIR-GND", "航空地面服务", "Ground handling", Mid, &["5639"], 0),
    s("ROAD", "公路运输", "Road transport", Mid, &["5431", "5433"], 2),
    s("ROAD-CNT", "集装箱运输", "Container trucking", Mid, &["5433"], 4),
    s("ROAD-CLD", "冷链运输", "Cold-chain transport", Mid, &["5432"], 3),
    s("ROAD-CTY", "城市配送", "City distribution", Down, &["5437", "6020"], 5),
    s("WH", "仓储", "Warehousing", Up, &["5920"], 1),
    s("WH-BND", "保税仓储", "Bonded warehousing", Up, &["5920"], 3),
    s("WH-CLD", "冷库", "Cold storage", Up, &["5930"], 2),
    s("WH-HAZ", "危险品仓储", "Dangerous-goods storage", Up, &["5942"], 0),
    s("FWD", "货运代理", "Freight forwarding", Up, &["5821"], 8),
    s("SCM", "供应链管理", "Supply-chain management", Up, &["7224"], 6),
    s("TRD", "国际贸易", "International trade", Down, &["5181", "5199"], 2),
    s("TRD-XBE", "跨境电商", "Cross-border e-commerce", Down, &["5193", "5292"], 5),
    s("TRD-BND", "保税贸易", "Bonded trade", Down, &["5181"], 3),
    s("TRD-AUT", "平行进口汽车", "Parallel-import vehicles", Down, &["5261", "5172"], 0),
    s("PLT", "物流信息平台", "Logistics information platforms", Up, &["6431", "6531"], 2),
];

#[rustfmt::skip]
const SOFT: &[SegmentRow] = &[
    s("BSW", "基础软件", "Basic software", Up, &["6511"], 1),
    s("BSW-OS", "操作系统", "Operating systems", Up, &["6511"], 0),
    s("BSW-DB", "数据库", "Databases", Up, &["6511", "6512"], 1),
    s("BSW-MID", "中间件", "Middleware", Up, &["6512"], 1),
    s("APP", "应用软件", "Application software", Mid, &["6513"], 3),
    s("APP-IND", "工业软件", "Industrial software (CAD, CAE, MES)", Mid, &["6513", "6512"], 5),
    s("APP-ENT", "企业管理软件", "Enterprise software (ERP, CRM)", Mid, &["6513"], 7),
    s("APP-GOV", "政务软件", "E-government software", Mid, &["6513"], 5),
    s("APP-FIN", "金融科技软件", "Financial software", Mid, &["6513"], 4),
    s("APP-EDU", "教育软件", "Education software", Mid, &["6513"], 4),
    s("APP-EMB", "嵌入式软件", "Embedded software", Mid, &["6519"], 3),
    s("SEC", "信息安全", "Cybersecurity", Mid, &["6440", "3915"], 1),
    s("SEC-PRD", "安全产品", "Security products", Mid, &["3915", "6513"], 2),
    s("SEC-SVC", "安全服务", "Security services", Down, &["6440"], 3),
    s("CLD", "云计算与数据中心", "Cloud computing and data centres", Up, &["6550", "6410"], 1),
    s("CLD-IDC", "数据中心", "Data centres", Up, &["6550"], 2),
    s("CLD-IAAS", "云服务", "Cloud services", Up, &["6410", "6550"], 3),
    s("CLD-CDN", "互联网接入与内容分发", "Internet access and content delivery", Up, &["6410"], 2),
    s("DATA", "大数据", "Big data", Mid, &["6450"], 1),
    s("DATA-SVC", "数据服务", "Data services", Mid, &["6450"], 4),
    s("DATA-TRD", "数据交易", "Data trading", Mid, &["6450", "7213"], 0),
    s("DATA-LBL", "数据标注", "Data labelling", Up, &["6450", "6599"], 2),
    s("AI", "人工智能", "Artificial intelligence", Mid, &["6513"], 1),
    s("AI-ALG", "算法与大模型", "Algorithms and large models", Mid, &["6513", "6511"], 3),
    s("AI-CV", "计算机视觉与智能语音", "Computer vision and speech", Mid, &["6513"], 3),
    s("AI-CHIP", "人工智能芯片", "AI chips", Up, &["6520"], 0),
    s("IIOT", "工业互联网", "Industrial Internet", Mid, &["6431", "6532"], 1),
    s("IIOT-PLT", "工业互联网平台", "Industrial Internet platforms", Mid, &["6431"], 3),
    s("IIOT-ID", "标识解析", "Identifier resolution", Up, &["6532", "6490"], 1),
    s("IIOT-IOT", "物联网服务", "Internet of Things services", Mid, &["6532"], 4),
    s("ITS", "信息技术服务", "IT services", Down, &["6531", "6560"], 2),
    s("ITS-INT", "信息系统集成", "Systems integration", Down, &["6531"], 8),
    s("ITS-OPS", "运行维护服务", "Operation and maintenance", Down, &["6540"], 5),
    s("ITS-CON", "信息技术咨询", "IT consulting", Down, &["6560"], 4),
    s("ITS-BPO", "呼叫中心与服务外包", "Call centres and outsourcing", Down, &["6591"], 2),
    s("TEL", "电信服务", "Telecom services", Down, &["6311", "6312"], 1),
    s("TEL-BAS", "基础电信", "Basic telecom", Down, &["6311", "6312"], 1),
    s("TEL-VAS", "增值电信", "Value-added telecom", Down, &["6319", "6429"], 3),
];

#[rustfmt::skip]
const MAT: &[SegmentRow] = &[
    s("MET", "先进金属材料", "Advanced metals", Up, &["3252", "3240"], 1),
    s("MET-AL", "高端铝材", "High-end aluminium", Up, &["3252", "3216"], 5),
    s("MET-MG", "镁合金", "Magnesium alloys", Up, &["3217", "3240"], 2),
    s("MET-TI", "钛及稀有金属", "Titanium and rare metals", Up, &["3254"], 0),
    s("MET-STL", "特种钢材", "Special steels", Up, &["3130"], 2),
    s("POL", "高分子材料", "Polymers", Up, &["2651", "2659"], 1),
    s("POL-ENG", "工程塑料", "Engineering plastics", Up, &["2651"], 4),
    s("POL-RUB", "特种橡胶", "Special rubber", Up, &["2652"], 2),
    s("POL-FLM", "功能膜材料", "Functional films", Up, &["2921"], 3),
    s("POL-FIB", "高性能纤维", "High-performance fibres", Up, &["2829", "2826"], 2),
    s("CMP", "复合材料", "Composites", Mid, &["3062", "3061"], 1),
    s("CMP-GF", "玻璃纤维", "Glass fibre", Up, &["3061"], 3),
    s("CMP-CF", "碳纤维及复合材料", "Carbon fibre and composites", Mid, &["3091", "3062"], 2),
    s("ELM", "电子材料", "Electronic materials", Mid, &["3985"], 1),
    s("ELM-CHM", "电子化学品", "Electronic chemicals", Mid, &["3985", "2662"], 3),
    s("ELM-GLS", "电子玻璃", "Electronic glass", Mid, &["3042"], 2),
    s("ELM-GAS", "电子特种气体", "Electronic specialty gases", Up, &["2619"], 0),
    s("CER", "先进陶瓷", "Advanced ceramics", Mid, &["3073"], 2),
    s("COT", "涂料及助剂", "Coatings and additives", Mid, &["2641", "2661"], 4),
    s("GRN", "绿色建材", "Green building materials", Down, &["3024", "3034"], 3),
    s("RCY", "再生资源", "Recycled materials", Down, &["4210", "4220"], 2),
];

#[rustfmt::skip]
const AERO: &[SegmentRow] = &[
    s("GA", "通用航空", "General aviation", Mid, &["3741", "5621"], 1),
    s("GA-AC", "通用飞机制造", "General aircraft manufacturing", Mid, &["3741"], 2),
    s("GA-HEL", "直升机制造", "Helicopter manufacturing", Mid, &["3741"], 0),
    s("GA-OPS", "通航运营", "General aviation operations", Down, &["5621", "5622"], 3),
    s("GA-TRN", "飞行培训", "Flight training", Down, &["8391"], 2),
    s("UAV", "无人机", "Unmanned aerial vehicles", Mid, &["3963"], 1),
    s("UAV-IND", "工业级无人机", "Industrial drones", Mid, &["3963"], 4),
    s("UAV-CON", "消费级无人机", "Consumer drones", Mid, &["3963"], 2),
    s("UAV-SVC", "无人机应用服务", "Drone services", Down, &["5621", "7441"], 4),
    s("PRT", "航空零部件", "Aircraft parts", Up, &["3744"], 1),
    s("PRT-ENG", "航空发动机零部件", "Aero-engine parts", Up, &["3744"], 3),
    s("PRT-AVI", "航空电子", "Avionics", Up, &["3744", "4023"], 2),
    s("PRT-STR", "航空结构件", "Aircraft structures", Up, &["3744", "3392"], 3),
    s("SPC", "航天", "Space", Mid, &["3743", "3742"], 1),
    s("SPC-SAT", "卫星制造", "Satellite manufacturing", Mid, &["3742"], 0),
    s("SPC-APP", "卫星应用", "Satellite applications", Down, &["6339", "6571"], 3),
    s("MRO", "航空维修", "Aircraft maintenance (MRO)", Down, &["4343"], 3),
    s("APT", "机场服务", "Airport services", Down, &["5631", "5639"], 2),
];

#[rustfmt::skip]
const CREATIVE: &[SegmentRow] = &[
    s("GAM", "游戏电竞", "Games and e-sports", Mid, &["6572", "6422"], 1),
    s("GAM-DEV", "游戏研发", "Game development", Up, &["6572"], 5),
    s("GAM-OPS", "游戏运营", "Game operation", Mid, &["6422"], 3),
    s("GAM-ESP", "电竞赛事", "E-sports events", Down, &["8890", "6422"], 0),
    s("ANI", "动漫", "Animation", Mid, &["6572"], 4),
    s("VID", "影视与网络视听", "Film, TV and online video", Mid, &["8730", "6429"], 1),
    s("VID-PRD", "影视制作", "Film and TV production", Mid, &["8730"], 4),
    s("VID-NET", "网络视听", "Online audio-visual services", Down, &["6429", "8626"], 4),
    s("VID-VFX", "特效与后期制作", "Visual effects and post-production", Up, &["6579"], 2),
    s("VRX", "虚拟现实与数字孪生", "Virtual reality and digital twins", Mid, &["6579", "3969"], 1),
    s("VRX-DEV", "VR/AR设备", "VR and AR devices", Up, &["3969"], 0),
    s("VRX-CNT", "虚拟现实内容", "XR content", Mid, &["6579"], 4),
    s("DSN", "创意设计", "Creative design", Up, &["7491", "7492"], 1),
    s("DSN-IND", "工业设计", "Industrial design", Up, &["7491"], 3),
    s("DSN-DIG", "数字视觉设计", "Digital visual design", Up, &["7492", "6579"], 4),
    s("PUB", "数字出版", "Digital publishing", Down, &["8626"], 3),
    s("ADV", "互联网广告与营销", "Internet advertising and marketing", Down, &["7251"], 7),
    s("EXP", "会展服务", "Exhibitions", Down, &["7281", "7289"], 1),
    s("EXP-ORG", "会展组织", "Exhibition organising", Down, &["7281", "7289"], 3),
    s("EXP-DIG", "数字会展", "Digital exhibitions", Down, &["7281", "6579"], 2),
];

#[rustfmt::skip]
const FIN: &[SegmentRow] = &[
    s("BNK", "银行", "Banking", Up, &["6621"], 1),
    s("BNK-COM", "商业银行", "Commercial banks", Up, &["6621"], 2),
    s("BNK-CON", "消费金融", "Consumer finance", Mid, &["6636"], 1),
    s("INV", "股权投资", "Equity investment", Up, &["6731", "6732"], 1),
    s("INV-VC", "创业投资", "Venture capital", Up, &["6731"], 5),
    s("INV-ANG", "天使投资", "Angel investment", Up, &["6732"], 2),
    s("INV-PE", "私募股权投资", "Private equity", Up, &["6739"], 4),
    s("LEA", "融资租赁", "Financial leasing", Mid, &["6631"], 5),
    s("FTC", "金融科技", "Fintech", Mid, &["6940", "6930"], 1),
    s("FTC-PAY", "第三方支付", "Payment services", Mid, &["6930"], 1),
    s("FTC-INF", "金融信息服务", "Financial information services", Mid, &["6940"], 3),
    s("FTC-SCF", "供应链金融", "Supply-chain finance", Mid, &["6639"], 3),
    s("INS", "保险", "Insurance", Mid, &["6820", "6811"], 1),
    s("INS-PRP", "财产保险", "Property insurance", Mid, &["6820"], 2),
    s("INS-BRK", "保险经纪", "Insurance brokerage", Down, &["6851"], 3),
    s("GUA", "融资担保", "Financing guarantees", Mid, &["6999"], 2),
    s("MLN", "小额贷款", "Micro-lending", Mid, &["6635"], 3),
    s("PRO", "专业服务", "Professional services", Down, &["7231", "7241"], 1),
    s("PRO-LAW", "法律服务", "Legal services", Down, &["7231"], 3),
    s("PRO-ACC", "会计审计", "Accounting and audit", Down, &["7241"], 3),
    s("PRO-CON", "咨询服务", "Consulting", Down, &["7243"], 3),
    s("HQ", "总部经济", "Regional headquarters", Down, &["7211"], 0),
];

#[rustfmt::skip]
const TECH: &[SegmentRow] = &[
    s("RND", "研发机构", "R&D institutes", Up, &["7320", "7310"], 1),
    s("RND-NEW", "新型研发机构", "New-type R&D institutes", Up, &["7320"], 5),
    s("RND-UNI", "高校院所", "University institutes", Up, &["7310", "7320"], 3),
    s("RND-LAB", "重点实验室", "Key laboratories", Up, &["7310"], 0),
    s("PIL", "中试熟化", "Pilot production and scale-up", Mid, &["7320", "7519"], 2),
    s("TTR", "技术转移转化", "Technology transfer", Mid, &["7530", "7520"], 1),
    s("TTR-IP", "知识产权服务", "Intellectual property services", Mid, &["7520"], 4),
    s("TTR-BRK", "技术经纪", "Technology brokerage", Mid, &["7530"], 3),
    s("INC", "孵化服务", "Incubation", Mid, &["7540"], 1),
    s("INC-SPC", "众创空间", "Maker spaces", Mid, &["7540"], 3),
    s("INC-ACC", "孵化器与加速器", "Incubators and accelerators", Mid, &["7540", "7221"], 3),
    s("TST", "检验检测认证", "Testing, inspection and certification", Down, &["7452", "7455"], 1),
    s("TST-LAB", "检测服务", "Testing services", Down, &["7452"], 5),
    s("TST-CRT", "认证认可", "Certification", Down, &["7455"], 2),
    s("TST-MET", "计量服务", "Metrology", Down, &["7453"], 0),
    s("DSN", "研发设计", "R&D design", Mid, &["7484", "7491"], 1),
    s("DSN-ENG", "工程设计", "Engineering design", Mid, &["7484"], 3),
    s("DSN-IND", "工业设计", "Industrial design", Mid, &["7491"], 3),
    s("PRM", "技术推广", "Technology promotion", Down, &["7513", "7514", "7515"], 1),
    s("PRM-MAT", "新材料技术推广", "New-materials technology promotion", Down, &["7513"], 2),
    s("PRM-ENE", "节能与新能源技术推广", "Energy-saving and new-energy technology promotion", Down, &["7514", "7515"], 2),
    s("PRM-BIO", "生物技术推广", "Biotechnology promotion", Down, &["7512"], 2),
];

pub(crate) fn areas() -> Vec<DemoArea> {
    AREAS
        .iter()
        .map(|a| DemoArea {
            code: a.code.to_string(),
            name: a.name.to_string(),
            name_en: a.name_en.to_string(),
            description: a.description.to_string(),
        })
        .collect()
}

/// The full code of a segment: chain code, then its path.
pub(crate) fn segment_code(chain: &str, path: &str) -> String {
    format!("{chain}-{path}")
}

/// The path of a segment's parent, or `None` for a top-level segment.
pub(crate) fn parent_path(path: &str) -> Option<&str> {
    path.rfind('-').map(|i| &path[..i])
}

pub(crate) fn chains() -> Vec<DemoChain> {
    CHAINS.iter().map(chain).collect()
}

fn chain(def: &ChainDef) -> DemoChain {
    let segments = def
        .segments
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let parent = parent_path(row.path);
            // Position: order among siblings, i.e. rows above with the same parent.
            let position = def.segments[..i]
                .iter()
                .filter(|other| parent_path(other.path) == parent)
                .count() as i32
                + 1;
            DemoSegment {
                code: segment_code(def.code, row.path),
                parent: parent.map(|p| segment_code(def.code, p)),
                name: row.name.to_string(),
                name_en: row.name_en.to_string(),
                stage: row.stage,
                position,
                industry_codes: row.industry_codes.iter().map(|c| c.to_string()).collect(),
            }
        })
        .collect();
    DemoChain {
        code: def.code.to_string(),
        area_code: def.area.to_string(),
        name: def.name.to_string(),
        name_en: def.name_en.to_string(),
        segments,
        links: def
            .links
            .iter()
            .map(|(from, to)| (segment_code(def.code, from), segment_code(def.code, to)))
            .collect(),
    }
}
