//! The demo zone's 20 parks: the public names of Liangjiang's parks, with a plausible district, land area, location
//! and outline each. Outlines come from hand-written unit shapes, not trigonometry, so they are identical on every
//! platform.

use super::DemoPark;
use super::rng::Rng;

pub(crate) struct ParkDef {
    pub(crate) code: &'static str,
    pub(crate) area: &'static str,
    pub(crate) name: &'static str,
    pub(crate) name_en: &'static str,
    pub(crate) district: &'static str,
    pub(crate) land_area_mu: i64,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    pub(crate) has_outline: bool,
    /// Streets inside the park, for tenants' addresses.
    pub(crate) streets: &'static [&'static str],
}

const JIANGBEI: &str = "500105";
const BEIBEI: &str = "500109";
const YUBEI: &str = "500112";

#[allow(clippy::too_many_arguments)]
const fn p(
    code: &'static str,
    area: &'static str,
    name: &'static str,
    name_en: &'static str,
    district: &'static str,
    land_area_mu: i64,
    (lon, lat): (f64, f64),
    has_outline: bool,
    streets: &'static [&'static str],
) -> ParkDef {
    ParkDef {
        code,
        area,
        name,
        name_en,
        district,
        land_area_mu,
        lon,
        lat,
        has_outline,
        streets,
    }
}

#[rustfmt::skip]
pub(crate) const PARKS: &[ParkDef] = &[
    p("SINO-GERMAN", "EQUIPMENT", "中德产业园", "China-Germany Industrial Park", YUBEI, 4_200, (106.745, 29.712), true, &["中德大道", "科创大道", "兴业路"]),
    p("SINO-SWISS", "EQUIPMENT", "中瑞产业园", "Sino-Swiss Industrial Park", YUBEI, 3_000, (106.768, 29.738), true, &["中瑞大道", "精工路", "科创大道"]),
    p("SINO-ITALY", "LIFE-HEALTH", "中意产业园", "China-Italy Industrial Park", YUBEI, 2_500, (106.722, 29.748), true, &["中意大道", "康健路", "设计路"]),
    p("LIJIA", "DIGITAL", "礼嘉智慧公园", "Lijia Smart Park", YUBEI, 1_200, (106.532, 29.652), true, &["礼嘉大道", "智慧公园路", "白云湖路"]),
    p("DIGITAL-PARK", "DIGITAL", "两江数字经济产业园", "Liangjiang Digital Economy Industrial Park", YUBEI, 2_200, (106.505, 29.625), true, &["星光大道", "金开大道", "互联网产业园路"]),
    p("YUFU", "AUTOMOTIVE", "鱼复工业园", "Yufu Industrial Park", JIANGBEI, 30_000, (106.800, 29.660), true, &["鱼复大道", "复盛大道", "鱼嘴大道"]),
    p("LONGXING", "AUTOMOTIVE", "龙兴工业园", "Longxing Industrial Park", YUBEI, 25_000, (106.835, 29.722), true, &["龙兴大道", "兴旺路", "两江大道"]),
    p("SHUITU", "ELECTRONICS", "水土高新园", "Shuitu Hi-tech Industrial Park", BEIBEI, 20_000, (106.495, 29.775), true, &["云汉大道", "方正大道", "水土大道", "高新大道"]),
    p("GUOYUAN", "LOGISTICS", "果园港", "Guoyuan Port", JIANGBEI, 5_600, (106.735, 29.638), true, &["果园港大道", "港城路", "鱼嘴大道"]),
    p("MINGYUE", "INNOVATION", "两江协同创新区（明月湖）", "Liangjiang Collaborative Innovation Zone (Mingyue Lake)", BEIBEI, 8_000, (106.560, 29.748), true, &["明月湖路", "创新大道", "云汉大道"]),
    p("AIRPORT", "AVIATION", "空港工业园", "Airport Industrial Park", YUBEI, 12_000, (106.630, 29.735), true, &["空港大道", "航空路", "双凤路"]),
    p("LONGSHENG", "EQUIPMENT", "龙盛片区", "Longsheng Area", YUBEI, 10_000, (106.700, 29.700), true, &["龙盛大道", "御临路", "石坪大道"]),
    p("YUELAI", "CULTURE", "悦来会展城", "Yuelai Exhibition City", YUBEI, 3_000, (106.515, 29.720), true, &["会展大道", "悦来大道", "博览路"]),
    p("CUNTAN", "LOGISTICS", "寸滩保税港区", "Cuntan Bonded Port Area", JIANGBEI, 3_500, (106.600, 29.590), false, &["保税港大道", "寸滩路", "港安路"]),
    p("LJIBC", "FINANCE", "两江国际商务中心", "Liangjiang International Business Centre", YUBEI, 1_500, (106.530, 29.610), false, &["星光大道", "金开大道", "青枫北路"]),
    p("AUTO-PARK", "AUTOMOTIVE", "两江汽车产业园", "Liangjiang Automobile Industrial Park", YUBEI, 15_000, (106.665, 29.700), true, &["宝圣大道", "兴科大道", "空港大道"]),
    p("SMART-EQUIP", "EQUIPMENT", "两江智能装备产业园", "Liangjiang Intelligent Equipment Industrial Park", JIANGBEI, 6_000, (106.780, 29.690), true, &["复兴大道", "智造大道", "鱼复大道"]),
    p("BIO-PARK", "LIFE-HEALTH", "两江生物医药产业园", "Liangjiang Biomedicine Industrial Park", BEIBEI, 5_000, (106.470, 29.802), true, &["云汉大道", "康健路", "生物城大道"]),
    p("IC-PARK", "ELECTRONICS", "两江集成电路产业园", "Liangjiang Integrated Circuit Industrial Park", BEIBEI, 4_000, (106.522, 29.796), true, &["云汉大道", "芯谷路", "同兴路"]),
    p("MATERIALS-PARK", "MATERIALS", "两江新材料产业园", "Liangjiang New Materials Industrial Park", JIANGBEI, 4_500, (106.815, 29.645), true, &["复盛大道", "港城东路", "材料路"]),
];

pub(crate) fn park(code: &str) -> Option<&'static ParkDef> {
    PARKS.iter().find(|p| p.code == code)
}

/// Irregular unit shapes of 4 to 7 corners, counter-clockwise, around (0, 0).
const SHAPES: &[&[(f64, f64)]] = &[
    &[(1.0, 0.2), (0.1, 1.0), (-1.0, 0.1), (-0.2, -1.0)],
    &[
        (1.0, 0.0),
        (0.35, 0.95),
        (-0.8, 0.6),
        (-0.8, -0.55),
        (0.3, -0.95),
    ],
    &[
        (1.0, 0.0),
        (0.5, 0.87),
        (-0.5, 0.87),
        (-1.0, 0.0),
        (-0.5, -0.87),
        (0.5, -0.87),
    ],
    &[
        (1.0, 0.1),
        (0.6, 0.8),
        (-0.2, 0.95),
        (-0.9, 0.45),
        (-0.9, -0.4),
        (-0.2, -0.98),
        (0.65, -0.75),
    ],
];

/// Degrees of latitude per metre, and of longitude per metre at Liangjiang's latitude (cos 29.7° ≈ 0.8686).
const LAT_PER_M: f64 = 1.0 / 111_320.0;
const LON_PER_M: f64 = 1.0 / (111_320.0 * 0.8686);

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A closed ring (the first point repeated at the end) of roughly the park's land area around its location.
fn outline(def: &ParkDef, index: usize, rng: &mut Rng) -> Vec<(f64, f64)> {
    let square_metres = def.land_area_mu as f64 * 2000.0 / 3.0;
    // Radius of a circle of that area: √(A / π).
    let radius = (square_metres / std::f64::consts::PI).sqrt();
    let shape = SHAPES[index % SHAPES.len()];
    let mut ring: Vec<(f64, f64)> = shape
        .iter()
        .map(|&(x, y)| {
            let stretch = rng.between(85, 115) as f64 / 100.0;
            (
                round6(def.lon + x * radius * stretch * LON_PER_M),
                round6(def.lat + y * radius * stretch * LAT_PER_M),
            )
        })
        .collect();
    ring.push(ring[0]);
    ring
}

pub(crate) fn parks() -> Vec<DemoPark> {
    let mut rng = Rng::for_part("parks");
    PARKS
        .iter()
        .enumerate()
        .map(|(i, def)| DemoPark {
            code: def.code.to_string(),
            area_code: def.area.to_string(),
            name: def.name.to_string(),
            name_en: def.name_en.to_string(),
            district: def.district.to_string(),
            land_area_mu: def.land_area_mu,
            lon: def.lon,
            lat: def.lat,
            outline: def.has_outline.then(|| outline(def, i, &mut rng)),
        })
        .collect()
}
