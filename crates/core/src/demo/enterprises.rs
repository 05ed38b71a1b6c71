//! The demo zone's enterprises: a handful of named leading companies per chain, then thousands of invented firms
//! spread over each chain's segments by weight, with deliberate gaps. Every firm gets a valid unified social credit
//! code whose region is its district and whose organisation code is unique by construction.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::credit_code::CreditCode;
use crate::registry::EnterpriseStatus;

use super::DemoEnterprise;
use super::chains::{CHAINS, ChainDef, parent_path, segment_code};
use super::names;
use super::parks::{self, ParkDef};
use super::rng::Rng;

/// A leading company (龙头企业), written out by hand; the first of each chain has a chairman who is a chain owner.
pub(crate) struct LeadingDef {
    pub(crate) chain: &'static str,
    pub(crate) segments: &'static [&'static str],
    pub(crate) industry_code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) name_en: &'static str,
    pub(crate) park: &'static str,
    pub(crate) founded: (i32, u32, u32),
}

const fn l(
    chain: &'static str,
    segments: &'static [&'static str],
    industry_code: &'static str,
    (name, name_en): (&'static str, &'static str),
    park: &'static str,
    founded: (i32, u32, u32),
) -> LeadingDef {
    LeadingDef {
        chain,
        segments,
        industry_code,
        name,
        name_en,
        park,
        founded,
    }
}

/// A few carry the public names of well-known Liangjiang firms; their credit codes and other data are invented.
#[rustfmt::skip]
pub(crate) const LEADING: &[LeadingDef] = &[
    l("AUTO", &["VEH-PAS", "NEV-BEV"], "3611", ("重庆长安汽车股份有限公司", "Chongqing Changan Automobile Co., Ltd."), "YUFU", (1996, 10, 31)),
    l("AUTO", &["VEH-PAS"], "3611", ("长安福特汽车有限公司", "Changan Ford Automobile Co., Ltd."), "AUTO-PARK", (2001, 4, 25)),
    l("AUTO", &["NEV-BATT-CELL"], "3841", ("重庆恒瑞动力电池股份有限公司", "Chongqing Hengrui Power Battery Co., Ltd."), "LONGXING", (2017, 3, 18)),
    l("ELEC", &["DSP-PNL", "DSP-MOD"], "3974", ("重庆京东方光电科技有限公司", "Chongqing BOE Optoelectronics Technology Co., Ltd."), "SHUITU", (2013, 11, 20)),
    l("ELEC", &["TRM-PC"], "3911", ("重庆瑞腾电脑科技股份有限公司", "Chongqing Ruiteng Computer Technology Co., Ltd."), "AIRPORT", (2009, 6, 12)),
    l("ELEC", &["IC-PKG", "IC-FAB"], "3973", ("重庆芯睿微电子股份有限公司", "Chongqing Xinrui Microelectronics Co., Ltd."), "IC-PARK", (2018, 9, 6)),
    l("EQUIP", &["INS-IND"], "4011", ("重庆川仪自动化股份有限公司", "Chongqing Chuanyi Automation Co., Ltd."), "SMART-EQUIP", (1999, 11, 8)),
    l("EQUIP", &["ROB-BODY", "ROB-INT"], "3491", ("重庆博创智能装备股份有限公司", "Chongqing Bochuang Intelligent Equipment Co., Ltd."), "SINO-GERMAN", (2015, 5, 20)),
    l("HEALTH", &["BIO-VAC"], "2762", ("重庆智飞生物制品股份有限公司", "Chongqing Zhifei Biological Products Co., Ltd."), "BIO-PARK", (2002, 5, 23)),
    l("HEALTH", &["DEV-CON"], "3584", ("重庆康瑞医疗器械股份有限公司", "Chongqing Kangrui Medical Devices Co., Ltd."), "SINO-ITALY", (2011, 8, 15)),
    l("LOGI", &["SCM", "ROAD-CNT"], "7224", ("重庆长安民生物流股份有限公司", "Chongqing Changan Minsheng Logistics Co., Ltd."), "AIRPORT", (2001, 8, 27)),
    l("LOGI", &["PORT-OPS"], "5532", ("重庆两江港航物流股份有限公司", "Chongqing Liangjiang Port and Shipping Logistics Co., Ltd."), "GUOYUAN", (2015, 12, 1)),
    l("SOFT", &["APP-IND"], "6513", ("重庆博远工业软件股份有限公司", "Chongqing Boyuan Industrial Software Co., Ltd."), "DIGITAL-PARK", (2012, 4, 10)),
    l("SOFT", &["CLD-IDC", "CLD-IAAS"], "6550", ("重庆两江云计算股份有限公司", "Chongqing Liangjiang Cloud Computing Co., Ltd."), "LIJIA", (2016, 7, 1)),
    l("MAT", &["MET-AL"], "3252", ("重庆恒泰铝业股份有限公司", "Chongqing Hengtai Aluminium Co., Ltd."), "MATERIALS-PARK", (2004, 3, 15)),
    l("AERO", &["GA-OPS", "GA-TRN"], "5621", ("重庆翔宇通用航空股份有限公司", "Chongqing Xiangyu General Aviation Co., Ltd."), "AIRPORT", (2014, 9, 9)),
    l("CREATIVE", &["GAM-DEV", "GAM-OPS"], "6572", ("重庆星云互动娱乐股份有限公司", "Chongqing Xingyun Interactive Entertainment Co., Ltd."), "LIJIA", (2013, 6, 18)),
    l("FIN", &["LEA"], "6631", ("重庆两江融资租赁有限公司", "Chongqing Liangjiang Financial Leasing Co., Ltd."), "LJIBC", (2014, 11, 11)),
    l("TECH", &["RND-NEW", "PIL"], "7320", ("重庆明月湖科技研究院有限公司", "Chongqing Mingyue Lake Research Institute Co., Ltd."), "MINGYUE", (2021, 3, 30)),
];

/// Districts for firms outside any park, with weights: most of Liangjiang lies in Yubei.
const DISTRICTS: &[(&str, u32)] = &[("500112", 5), ("500105", 3), ("500109", 2)];

/// Every `CHANGAN_EVERY`-th ordinary automobile firm carries 长安 in its name, as the many Changan affiliates and
/// suppliers of the real zone do; name search and pinyin search need such clusters.
const CHANGAN_EVERY: usize = 20;

/// Shares in 1000.
const ABOVE_SIZE: u32 = 250;
const MOVED_OUT: usize = 20;
const CLOSED: usize = 10;

struct Builder {
    serial: usize,
    names: HashSet<String>,
    out: Vec<DemoEnterprise>,
}

pub(crate) fn enterprises() -> Vec<DemoEnterprise> {
    let total = CHAINS.iter().map(|c| c.enterprises).sum();
    let mut builder = Builder {
        serial: 0,
        names: HashSet::with_capacity(total),
        out: Vec::with_capacity(total),
    };
    for chain in CHAINS {
        chain_enterprises(chain, &mut builder);
    }
    builder.out
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("the demo's dates are valid")
}

/// How many ordinary firms each segment receives: gaps get 0, 1 or 2 in turn; the rest is shared by weight with the
/// largest-remainder method, so the counts add up exactly.
fn segment_counts(def: &ChainDef, ordinary: usize) -> Vec<usize> {
    let mut counts = vec![0; def.segments.len()];
    let mut gap_turn = 0;
    for (i, row) in def.segments.iter().enumerate() {
        if row.weight == 0 {
            counts[i] = gap_turn % 3;
            gap_turn += 1;
        }
    }
    let by_weight = ordinary - counts.iter().sum::<usize>();
    let total_weight: usize = def.segments.iter().map(|r| r.weight as usize).sum();
    let mut remainders = Vec::new();
    for (i, row) in def.segments.iter().enumerate() {
        let exact = by_weight * row.weight as usize;
        counts[i] += exact / total_weight;
        remainders.push((exact % total_weight, i));
    }
    let left = ordinary - counts.iter().sum::<usize>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left) {
        counts[i] += 1;
    }
    counts
}

fn chain_enterprises(def: &ChainDef, builder: &mut Builder) {
    let mut rng = Rng::for_part(def.code);
    let leading: Vec<&LeadingDef> = LEADING.iter().filter(|l| l.chain == def.code).collect();
    for lead in &leading {
        leading_enterprise(def, lead, builder, &mut rng);
    }
    let counts = segment_counts(def, def.enterprises - leading.len());
    let mut slots: Vec<usize> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| std::iter::repeat_n(i, n))
        .collect();
    // Fisher–Yates, so that neighbouring firms in the list are not all from one segment.
    for i in (1..slots.len()).rev() {
        let j = rng.below(i + 1);
        slots.swap(i, j);
    }
    // A firm's second segment is a sibling of its first that is not a gap.
    let siblings: Vec<Vec<usize>> = def
        .segments
        .iter()
        .enumerate()
        .map(|(i, row)| {
            def.segments
                .iter()
                .enumerate()
                .filter(|(j, other)| {
                    *j != i && other.weight > 0 && parent_path(other.path) == parent_path(row.path)
                })
                .map(|(j, _)| j)
                .collect()
        })
        .collect();
    for (ordinal, &segment) in slots.iter().enumerate() {
        let row = &def.segments[segment];
        let mut segment_codes = vec![segment_code(def.code, row.path)];
        if row.weight > 0 && !siblings[segment].is_empty() && rng.chance(180) {
            let other = *rng.pick(&siblings[segment]);
            segment_codes.push(segment_code(def.code, def.segments[other].path));
        }
        // The first listed code is the segment's typical one: it gets half of the firms.
        let industry_code = if row.industry_codes.len() == 1 || rng.chance(500) {
            row.industry_codes[0]
        } else {
            row.industry_codes[1 + rng.below(row.industry_codes.len() - 1)]
        };
        let park = if rng.chance(def.outside_parks_per_mille) {
            None
        } else {
            let weights: Vec<u32> = def.parks.iter().map(|(_, w)| *w).collect();
            parks::park(def.parks[rng.weighted(&weights)].0)
        };
        let district = match park {
            Some(p) => p.district,
            None => {
                let weights: Vec<u32> = DISTRICTS.iter().map(|(_, w)| *w).collect();
                DISTRICTS[rng.weighted(&weights)].0
            }
        };
        let founded_on = founding_date(&mut rng, def.youth);
        let status = match rng.below(1000) {
            n if n < MOVED_OUT => EnterpriseStatus::MovedOut,
            n if n < MOVED_OUT + CLOSED => EnterpriseStatus::Closed,
            _ => EnterpriseStatus::Active,
        };
        let changan = def.code == "AUTO" && ordinal % CHANGAN_EVERY == 0;
        let (name, name_en, brand_en) =
            company_name(&mut rng, industry_code, park, changan, &mut builder.names);
        let above_size = rng.chance(ABOVE_SIZE);
        let high_tech = rng.chance(def.high_tech_per_mille);
        let firm = Firm {
            name,
            name_en,
            brand_en,
            industry_code,
            district,
            park,
            segment_codes,
            above_size,
            high_tech,
            leading: false,
            founded_on,
            status,
        };
        builder.push(firm, &mut rng);
    }
}

fn leading_enterprise(def: &ChainDef, lead: &LeadingDef, builder: &mut Builder, rng: &mut Rng) {
    let park = parks::park(lead.park);
    builder.names.insert(lead.name.to_string());
    let brand_en = lead
        .name_en
        .split_whitespace()
        .find(|w| *w != "Chongqing")
        .unwrap_or("firm")
        .to_string();
    let firm = Firm {
        name: lead.name.to_string(),
        name_en: lead.name_en.to_string(),
        brand_en,
        industry_code: lead.industry_code,
        district: park.map_or("500112", |p| p.district),
        park,
        segment_codes: lead
            .segments
            .iter()
            .map(|s| segment_code(def.code, s))
            .collect(),
        above_size: true,
        high_tech: true,
        leading: true,
        founded_on: date(lead.founded.0, lead.founded.1, lead.founded.2),
        status: EnterpriseStatus::Active,
    };
    builder.push(firm, rng);
}

/// A firm before its credit code and contact data are drawn.
struct Firm {
    name: String,
    name_en: String,
    /// The brand in pinyin, for the e-mail domain.
    brand_en: String,
    industry_code: &'static str,
    district: &'static str,
    park: Option<&'static ParkDef>,
    segment_codes: Vec<String>,
    above_size: bool,
    high_tech: bool,
    leading: bool,
    founded_on: NaiveDate,
    status: EnterpriseStatus,
}

impl Builder {
    fn push(&mut self, firm: Firm, rng: &mut Rng) {
        let credit_code = credit_code(self.serial, firm.district, firm.founded_on);
        self.serial += 1;
        let (contact_name, contact_pinyin) = names::person_name(rng);
        let phone = if rng.chance(700) {
            names::mobile(rng)
        } else {
            names::landline(rng)
        };
        let email = format!(
            "{contact_pinyin}@{}.example.com",
            firm.brand_en.to_ascii_lowercase()
        );
        // Service firms sit in office towers; a building and floor make their address plausible.
        let office = matches!(firm.industry_code.as_bytes()[0], b'5' | b'6' | b'7' | b'8');
        let streets = firm.park.map_or_else(
            || names::streets_outside_parks(firm.district),
            |p| p.streets,
        );
        let address = names::address(rng, firm.district, streets, office);
        self.out.push(DemoEnterprise {
            credit_code,
            name: firm.name,
            name_en: firm.name_en,
            industry_code: firm.industry_code.to_string(),
            district: firm.district.to_string(),
            park_code: firm.park.map(|p| p.code.to_string()),
            segment_codes: firm.segment_codes,
            above_size: firm.above_size,
            high_tech: firm.high_tech,
            leading: firm.leading,
            founded_on: Some(firm.founded_on),
            status: firm.status,
            contact_name,
            phone,
            email,
            address,
        });
    }
}

/// A founding date in 1990..=2022. With `youth` > 0 the year is the latest of several draws, as digital firms are
/// mostly young.
fn founding_date(rng: &mut Rng, youth: u32) -> NaiveDate {
    let mut years_before_2022 = rng.below(33);
    for _ in 0..youth {
        years_before_2022 = years_before_2022.min(rng.below(33));
    }
    let year = 2022 - years_before_2022 as i32;
    let day = rng.below(365) as u32 + 1;
    NaiveDate::from_yo_opt(year, day).expect("day 1..=365 exists in every year")
}

/// A unique Chinese company name and its English form, e.g. "重庆华信电子科技有限公司" and
/// "Chongqing Huaxin Electronic Technology Co., Ltd."; with `changan` the brand starts with 长安.
fn company_name(
    rng: &mut Rng,
    industry_code: &str,
    park: Option<&ParkDef>,
    changan: bool,
    taken: &mut HashSet<String>,
) -> (String, String, String) {
    let words = names::business_words(industry_code);
    let foreign_park = park.is_some_and(|p| p.code.starts_with("SINO-"));
    loop {
        let (mut brand, mut brand_en) = names::brand(rng);
        if changan {
            brand = format!("长安{brand}");
            brand_en = format!("Changan {brand_en}");
        }
        let (word, word_en) = *rng.pick(words);
        let (form, form_en) = names::legal_form(rng.chance(100));
        // Foreign-invested firms, common in the Sino-German, Sino-Swiss and Sino-Italian parks, are named
        // "<brand><business>（重庆）有限公司".
        let foreign = rng.chance(if foreign_park { 350 } else { 20 });
        let (name, name_en) = if foreign {
            (
                format!("{brand}{word}（重庆）{form}"),
                format!("{brand_en} {word_en} (Chongqing) {form_en}"),
            )
        } else {
            (
                format!("重庆{brand}{word}{form}"),
                format!("Chongqing {brand_en} {word_en} {form_en}"),
            )
        };
        if taken.insert(name.clone()) {
            let domain = brand_en.replace(' ', "");
            return (name, name_en, domain);
        }
    }
}

/// The 31 characters of GB 32100-2015.
const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A unified social credit code for the `serial`-th firm: 9 (market regulation) 1 (company), the district, the
/// 9-character organisation code, the check character. Firms founded before the 2015 reform keep an old numeric
/// organisation code; later ones have "MA…" codes. Both are bijections of `serial`, so no two firms share one.
fn credit_code(serial: usize, district: &str, founded_on: NaiveDate) -> String {
    use chrono::Datelike;
    let year = founded_on.year();
    let organisation = if year < 2016 {
        // 10^8 codes; the multiplier is coprime with 10^8, so the map is one-to-one.
        let n = (serial as u64 * 7_919_993 + 20_280_000) % 100_000_000;
        format!("{n:08}")
    } else {
        let prefix = match year {
            ..=2018 => "MA5U",
            2019 | 2020 => "MA60",
            _ => "MA61",
        };
        // 31^4 codes; the multiplier is coprime with 31.
        let mut n = (serial as u64 * 48_271 + 12_345) % 923_521;
        let mut tail = [0u8; 4];
        for slot in tail.iter_mut().rev() {
            *slot = CHARSET[(n % 31) as usize];
            n /= 31;
        }
        format!("{prefix}{}", String::from_utf8_lossy(&tail))
    };
    let body = format!(
        "91{district}{organisation}{}",
        organisation_check(&organisation)
    );
    match CreditCode::from_body(&body) {
        Ok(code) => code.as_str().to_string(),
        Err(e) => unreachable!("generated credit code body {body} is malformed: {e}"),
    }
}

/// The check character of an organisation code (GB 11714-1997): weights 3 7 9 10 5 8 4 2, letters A=10 … Z=35.
fn organisation_check(code8: &str) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = code8
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| {
            let value = if b.is_ascii_digit() {
                u32::from(b - b'0')
            } else {
                u32::from(b - b'A') + 10
            };
            value * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from(b'0' + c as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_check_matches_a_published_example() {
        // GB 11714 example: D2143569 → check digit X.
        assert_eq!(organisation_check("D2143569"), 'X');
    }
}
