//! The rules the demo zone keeps, one test each. The zone is built once and shared.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::NaiveDate;

use super::*;
use crate::credit_code::CreditCode;
use crate::digital_economy::DigitalEconomyMap;
use crate::industry::{IndustryCode, IndustryLevel};
use crate::registry::{
    EnterpriseContact, EnterpriseInput, GeoPoint, IndustryAreaInput, ParkInput, PersonInput,
    PostInput, SegmentInput,
};

static ZONE: LazyLock<DemoZone> = LazyLock::new(demo_zone);

fn day(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

fn held_on(post: &DemoPost, on: NaiveDate) -> bool {
    post.starts_on <= on && post.ends_on.is_none_or(|end| on <= end)
}

fn posts() -> impl Iterator<Item = (&'static DemoPerson, &'static DemoPost)> {
    ZONE.people
        .iter()
        .flat_map(|person| person.posts.iter().map(move |post| (person, post)))
}

fn chain_of(segment_code: &str) -> &str {
    segment_code.split('-').next().unwrap_or_default()
}

/// Firms per segment, counting a firm in its segments and in all their ancestors.
fn firms_per_segment() -> HashMap<&'static str, usize> {
    let parents: HashMap<&str, Option<&str>> = ZONE
        .chains
        .iter()
        .flat_map(|c| c.segments.iter())
        .map(|s| (s.code.as_str(), s.parent.as_deref()))
        .collect();
    let mut counts: HashMap<&str, usize> = parents.keys().map(|&code| (code, 0)).collect();
    for firm in &ZONE.enterprises {
        let mut seen = HashSet::new();
        for code in &firm.segment_codes {
            let mut current = Some(code.as_str());
            while let Some(segment) = current {
                if seen.insert(segment) {
                    *counts.get_mut(segment).expect("segment exists") += 1;
                }
                current = parents[segment];
            }
        }
    }
    counts
}

#[test]
fn demo_zone_is_identical_on_every_run() {
    let again = demo_zone();
    assert_eq!(format!("{:?}", *ZONE), format!("{again:?}"));
}

#[test]
fn demo_has_ten_plus_one_areas_and_every_chain_in_one() {
    assert_eq!(ZONE.areas.len(), 11);
    assert!(ZONE.areas.iter().any(|a| a.name == "两江协同创新区"));
    let areas: HashSet<&str> = ZONE.areas.iter().map(|a| a.code.as_str()).collect();
    for area in &ZONE.areas {
        let input = IndustryAreaInput {
            code: area.code.clone(),
            name: area.name.clone(),
            name_en: area.name_en.clone(),
            description: area.description.clone(),
        };
        assert!(
            input.parse().is_ok(),
            "area {} is refused by the registry",
            area.code
        );
    }
    for chain in &ZONE.chains {
        assert!(
            areas.contains(chain.area_code.as_str()),
            "chain {} has no area",
            chain.code
        );
    }
    for park in &ZONE.parks {
        assert!(
            areas.contains(park.area_code.as_str()),
            "park {} has no area",
            park.code
        );
    }
}

#[test]
fn demo_has_eleven_chains_each_with_15_to_40_segments() {
    assert_eq!(ZONE.chains.len(), 11);
    for chain in &ZONE.chains {
        let n = chain.segments.len();
        assert!(
            (15..=40).contains(&n),
            "chain {} has {n} segments",
            chain.code
        );
        for stage in Stage::ALL {
            assert!(
                chain.segments.iter().any(|s| s.stage == *stage),
                "chain {} has no {stage} segment",
                chain.code
            );
        }
    }
    let codes: HashSet<&str> = ZONE
        .chains
        .iter()
        .flat_map(|c| &c.segments)
        .map(|s| s.code.as_str())
        .collect();
    let total: usize = ZONE.chains.iter().map(|c| c.segments.len()).sum();
    assert_eq!(codes.len(), total, "segment codes are unique in the zone");
}

#[test]
fn every_segment_tree_is_acyclic_and_parents_exist_in_the_same_chain() {
    for chain in &ZONE.chains {
        let parents: HashMap<&str, Option<&str>> = chain
            .segments
            .iter()
            .map(|s| (s.code.as_str(), s.parent.as_deref()))
            .collect();
        let mut deepest = 0;
        for segment in &chain.segments {
            let mut depth = 1;
            let mut current = segment.parent.as_deref();
            while let Some(parent) = current {
                assert!(
                    parents.contains_key(parent),
                    "{}: parent {parent} is not in {}",
                    segment.code,
                    chain.code
                );
                depth += 1;
                assert!(
                    depth <= chain.segments.len(),
                    "{} is in a cycle",
                    segment.code
                );
                current = parents[parent];
            }
            deepest = deepest.max(depth);
        }
        assert!(
            (2..=3).contains(&deepest),
            "chain {} is {deepest} levels deep",
            chain.code
        );
        // Positions are 1..n among siblings.
        let mut siblings: HashMap<Option<&str>, Vec<i32>> = HashMap::new();
        for segment in &chain.segments {
            siblings
                .entry(segment.parent.as_deref())
                .or_default()
                .push(segment.position);
        }
        for positions in siblings.values() {
            let expected: Vec<i32> = (1..=positions.len() as i32).collect();
            assert_eq!(positions, &expected);
        }
    }
}

#[test]
fn every_segment_passes_the_registry_checks() {
    for segment in ZONE.chains.iter().flat_map(|c| &c.segments) {
        let input = SegmentInput {
            chain_id: 1,
            parent_id: None,
            code: segment.code.clone(),
            name: segment.name.clone(),
            name_en: segment.name_en.clone(),
            stage: segment.stage,
            position: segment.position,
            industry_codes: segment.industry_codes.clone(),
        };
        assert!(input.parse().is_ok(), "segment {} is refused", segment.code);
        assert!(
            (1..=3).contains(&segment.industry_codes.len()),
            "segment {}",
            segment.code
        );
    }
}

#[test]
fn every_supply_link_joins_two_segments_of_its_chain() {
    for chain in &ZONE.chains {
        assert!(chain.links.len() >= 3, "chain {} has few links", chain.code);
        let codes: HashSet<&str> = chain.segments.iter().map(|s| s.code.as_str()).collect();
        for (from, to) in &chain.links {
            assert!(
                codes.contains(from.as_str()) && codes.contains(to.as_str()),
                "{from} → {to}"
            );
            assert_ne!(from, to);
        }
    }
}

#[test]
fn every_credit_code_is_valid_and_unique() {
    let mut seen = HashSet::new();
    for firm in &ZONE.enterprises {
        let code = CreditCode::parse(&firm.credit_code)
            .unwrap_or_else(|e| panic!("{}: {e}", firm.credit_code));
        assert!(
            code.as_str().starts_with("91"),
            "{} is not a company registered by market regulation",
            code
        );
        assert_eq!(
            code.region_code(),
            firm.district,
            "{} is registered outside its district",
            firm.name
        );
        // Organisation codes (positions 9–17) are unique too, as in the real register.
        assert!(
            seen.insert(firm.credit_code[8..17].to_string()),
            "{} repeats an organisation code",
            code
        );
    }
}

#[test]
fn every_industry_code_is_in_gbt4754() {
    for segment in ZONE.chains.iter().flat_map(|c| &c.segments) {
        for code in &segment.industry_codes {
            let parsed = IndustryCode::parse(code)
                .unwrap_or_else(|e| panic!("{}: {code}: {e}", segment.code));
            assert_eq!(
                parsed.level(),
                IndustryLevel::Class,
                "{}: {code} is not a 小类",
                segment.code
            );
        }
    }
    let segment_codes: HashMap<&str, &Vec<String>> = ZONE
        .chains
        .iter()
        .flat_map(|c| &c.segments)
        .map(|s| (s.code.as_str(), &s.industry_codes))
        .collect();
    for firm in &ZONE.enterprises {
        let parsed = IndustryCode::parse(&firm.industry_code)
            .unwrap_or_else(|e| panic!("{}: {e}", firm.name));
        assert_eq!(parsed.level(), IndustryLevel::Class);
        let typical = segment_codes[firm.segment_codes[0].as_str()];
        assert!(
            typical.contains(&firm.industry_code),
            "{}'s industry does not fit its segment",
            firm.name
        );
    }
}

#[test]
fn at_least_6000_enterprises_are_digital_economy_core() {
    let map = DigitalEconomyMap::default_map();
    let core = ZONE
        .enterprises
        .iter()
        .filter(|firm| {
            IndustryCode::parse(&firm.industry_code)
                .ok()
                .and_then(|code| map.classify(&code))
                .is_some_and(|category| category.is_core())
        })
        .count();
    assert!(
        ZONE.enterprises.len() >= 8_500,
        "only {} enterprises",
        ZONE.enterprises.len()
    );
    assert!(
        core >= 6_000,
        "only {core} digital-economy core enterprises"
    );
}

#[test]
fn every_park_has_exactly_one_current_chief() {
    assert!(ZONE.parks.len() >= 20);
    for park in &ZONE.parks {
        let current = posts()
            .filter(|(_, p)| {
                p.role == PostRole::ParkChief
                    && p.park_code.as_deref() == Some(&park.code)
                    && p.ends_on.is_none()
            })
            .count();
        assert_eq!(
            current, 1,
            "park {} has {current} current chiefs",
            park.code
        );
        let staff = posts()
            .filter(|(_, p)| {
                p.role == PostRole::ParkStaff && p.park_code.as_deref() == Some(&park.code)
            })
            .count();
        assert!(
            (1..=3).contains(&staff),
            "park {} has {staff} staff",
            park.code
        );
    }
}

#[test]
fn every_park_lies_in_liangjiang_and_passes_the_registry_checks() {
    let mut with_outline = 0;
    for park in &ZONE.parks {
        assert!(
            crate::district::LIANGJIANG_DISTRICTS.contains(&park.district.as_str()),
            "{}",
            park.code
        );
        assert!(
            (106.45..=106.85).contains(&park.lon) && (29.55..=29.85).contains(&park.lat),
            "{}",
            park.code
        );
        if let Some(ring) = &park.outline {
            with_outline += 1;
            assert!(
                (4..=8).contains(&ring.len()),
                "{} outline has {} points",
                park.code,
                ring.len()
            );
            assert_eq!(
                ring.first(),
                ring.last(),
                "{} outline is not closed",
                park.code
            );
        }
        let input = ParkInput {
            area_id: 1,
            code: park.code.clone(),
            name: park.name.clone(),
            name_en: park.name_en.clone(),
            district: park.district.clone(),
            land_area_mu: Some(park.land_area_mu as f64),
            land_area_ha: None,
            location: Some(GeoPoint {
                lon: park.lon,
                lat: park.lat,
            }),
            outline: park.outline.as_ref().map(|ring| {
                ring.iter()
                    .map(|&(lon, lat)| GeoPoint { lon, lat })
                    .collect()
            }),
        };
        assert!(input.parse().is_ok(), "park {} is refused", park.code);
    }
    assert!(
        with_outline * 2 > ZONE.parks.len(),
        "most parks have an outline"
    );
}

#[test]
fn automobile_chain_chief_changed_once() {
    let chiefs_of_auto: Vec<(&DemoPerson, &DemoPost)> = posts()
        .filter(|(_, p)| {
            p.role == PostRole::ChainChief
                && p.chain_code.as_deref() == Some("AUTO")
                && p.chief_level == Some(ChiefLevel::Chain)
        })
        .collect();
    assert_eq!(chiefs_of_auto.len(), 2);
    let chief_on = |on: NaiveDate| -> Vec<&str> {
        chiefs_of_auto
            .iter()
            .filter(|(_, p)| held_on(p, on))
            .map(|(person, _)| person.name.as_str())
            .collect()
    };
    let in_march_2022 = chief_on(day("2022-03-15"));
    let today = chief_on(day("2025-01-01"));
    assert_eq!(in_march_2022.len(), 1);
    assert_eq!(today.len(), 1);
    assert_ne!(in_march_2022, today);
    assert_eq!(chief_on(day("2023-06-30")), in_march_2022);
    assert_eq!(chief_on(day("2023-07-01")), today);
}

#[test]
fn every_chain_has_one_chain_chief_a_deputy_owners_and_a_task_force() {
    let today = day("2025-01-01");
    let overall = posts()
        .filter(|(_, p)| p.chief_level == Some(ChiefLevel::Overall) && held_on(p, today))
        .count();
    assert_eq!(overall, 1);
    let leading: HashSet<(&str, &str)> = ZONE
        .enterprises
        .iter()
        .filter(|e| e.leading)
        .map(|e| (e.name.as_str(), chain_of(&e.segment_codes[0])))
        .collect();
    for chain in &ZONE.chains {
        let current = |role: PostRole, level: Option<ChiefLevel>| {
            posts()
                .filter(|(_, p)| {
                    p.role == role
                        && p.chain_code.as_deref() == Some(&chain.code)
                        && p.chief_level == level
                        && held_on(p, today)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            current(PostRole::ChainChief, Some(ChiefLevel::Chain)).len(),
            1,
            "{}",
            chain.code
        );
        assert_eq!(
            current(PostRole::ChainChief, Some(ChiefLevel::Deputy)).len(),
            1,
            "{}",
            chain.code
        );
        let owners = current(PostRole::ChainOwner, None);
        assert!(
            (1..=3).contains(&owners.len()),
            "{} has {} owners",
            chain.code,
            owners.len()
        );
        let heads: Vec<_> = owners
            .iter()
            .filter(|(_, p)| p.owner_kind == Some(OwnerKind::LeadingCompanyHead))
            .collect();
        assert_eq!(heads.len(), 1, "{}", chain.code);
        let (head, _) = heads[0];
        assert!(
            leading.contains(&(head.organisation.as_str(), chain.code.as_str())),
            "{}",
            head.organisation
        );
        let task_force = current(PostRole::ChainTaskForce, None).len();
        assert!(
            (2..=4).contains(&task_force),
            "{} has {task_force} in its task force",
            chain.code
        );
        let leaders = leading.iter().filter(|(_, c)| *c == chain.code).count();
        assert!(
            (1..=3).contains(&leaders),
            "{} has {leaders} leading companies",
            chain.code
        );
    }
}

#[test]
fn every_post_has_its_scope_and_starts_after_july_2021() {
    let chains: HashSet<&str> = ZONE.chains.iter().map(|c| c.code.as_str()).collect();
    let parks: HashSet<&str> = ZONE.parks.iter().map(|p| p.code.as_str()).collect();
    let firms: HashSet<&str> = ZONE
        .enterprises
        .iter()
        .map(|e| e.credit_code.as_str())
        .collect();
    for (person, post) in posts() {
        assert!(
            post.starts_on >= day("2021-08-01"),
            "{} starts too early",
            person.name
        );
        let input = PostInput {
            person_id: 1,
            role: post.role,
            chain_id: post.chain_code.as_ref().map(|_| 1),
            park_id: post.park_code.as_ref().map(|_| 1),
            enterprise_id: post.enterprise_credit_code.as_ref().map(|_| 1),
            chief_level: post.chief_level,
            owner_kind: post.owner_kind,
            title: post.title.clone(),
            starts_on: post.starts_on,
            ends_on: post.ends_on,
        };
        assert!(
            input.parse().is_ok(),
            "{}'s post {} is refused",
            person.name,
            post.title
        );
        assert!(
            post.chain_code
                .as_deref()
                .is_none_or(|c| chains.contains(c))
        );
        assert!(post.park_code.as_deref().is_none_or(|p| parks.contains(p)));
        assert!(
            post.enterprise_credit_code
                .as_deref()
                .is_none_or(|e| firms.contains(e))
        );
    }
    for person in &ZONE.people {
        let input = PersonInput {
            name: person.name.clone(),
            title: person.title.clone(),
            organisation: person.organisation.clone(),
            phone: person.phone.clone(),
            email: person.email.clone(),
            office_phone: person.office_phone.clone(),
        };
        assert!(input.parse().is_ok(), "{} is refused", person.name);
    }
}

#[test]
fn about_twenty_enterprises_have_a_contact_account() {
    let contacts: Vec<&DemoPost> = posts()
        .filter(|(_, p)| p.role == PostRole::EnterpriseContact)
        .map(|(_, p)| p)
        .collect();
    assert!(
        (18..=22).contains(&contacts.len()),
        "{} contacts",
        contacts.len()
    );
    let firms: HashSet<&str> = contacts
        .iter()
        .filter_map(|p| p.enterprise_credit_code.as_deref())
        .collect();
    assert_eq!(firms.len(), contacts.len(), "one contact per firm");
}

#[test]
fn every_enterprise_segment_exists() {
    let segments: HashSet<&str> = ZONE
        .chains
        .iter()
        .flat_map(|c| &c.segments)
        .map(|s| s.code.as_str())
        .collect();
    let parks: HashMap<&str, &DemoPark> = ZONE.parks.iter().map(|p| (p.code.as_str(), p)).collect();
    for firm in &ZONE.enterprises {
        assert!((1..=2).contains(&firm.segment_codes.len()), "{}", firm.name);
        for code in &firm.segment_codes {
            assert!(
                segments.contains(code.as_str()),
                "{}: no segment {code}",
                firm.name
            );
            assert_eq!(
                chain_of(code),
                chain_of(&firm.segment_codes[0]),
                "{} spans two chains",
                firm.name
            );
        }
        if let Some(park) = &firm.park_code {
            assert_eq!(
                parks[park.as_str()].district,
                firm.district,
                "{} is outside its park's district",
                firm.name
            );
        }
    }
}

#[test]
fn every_enterprise_passes_the_registry_checks() {
    for firm in &ZONE.enterprises {
        let input = EnterpriseInput {
            credit_code: firm.credit_code.clone(),
            name: firm.name.clone(),
            name_en: firm.name_en.clone(),
            industry_code: firm.industry_code.clone(),
            district: firm.district.clone(),
            park_id: None,
            segment_ids: Vec::new(),
            above_size: firm.above_size,
            high_tech: firm.high_tech,
            leading: firm.leading,
            founded_on: firm.founded_on,
            status: firm.status,
            contact: EnterpriseContact {
                contact_name: firm.contact_name.clone(),
                phone: firm.phone.clone(),
                email: firm.email.clone(),
                address: firm.address.clone(),
            },
        };
        if let Err(e) = input.parse() {
            panic!("{} is refused: {e}", firm.name);
        }
        let founded = firm
            .founded_on
            .expect("every demo firm has a founding date");
        assert!(
            day("1990-01-01") <= founded && founded <= day("2022-12-31"),
            "{}",
            firm.name
        );
    }
}

#[test]
fn some_segments_are_gaps() {
    let counts = firms_per_segment();
    for chain in &ZONE.chains {
        let gaps = chain
            .segments
            .iter()
            .filter(|s| counts[s.code.as_str()] <= 2)
            .count();
        assert!(gaps >= 1, "chain {} has no gap", chain.code);
        assert!(
            gaps * 4 <= chain.segments.len(),
            "chain {} is mostly gaps",
            chain.code
        );
    }
}

#[test]
fn enterprise_names_are_unique_and_searchable() {
    let names: HashSet<&str> = ZONE.enterprises.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), ZONE.enterprises.len(), "names are unique");
    let changan = ZONE
        .enterprises
        .iter()
        .filter(|e| e.name.contains("长安"))
        .count();
    assert!(changan >= 30, "only {changan} firms named 长安");
    // Different brands with the same pinyin initials (华信 / 恒祥 / 鸿兴 ...).
    let mut by_initials: HashMap<String, HashSet<String>> = HashMap::new();
    for firm in &ZONE.enterprises {
        let brand: Vec<char> = firm
            .name
            .trim_start_matches("重庆")
            .chars()
            .take(2)
            .collect();
        let initials: Option<String> = brand
            .iter()
            .map(|&c| super::names::brand_pinyin(c).and_then(|p| p.chars().next()))
            .collect();
        if let Some(initials) = initials {
            by_initials
                .entry(initials)
                .or_default()
                .insert(brand.iter().collect());
        }
    }
    assert!(by_initials.values().any(|brands| brands.len() >= 3));
}

#[test]
fn enterprise_flags_have_plausible_shares() {
    let n = ZONE.enterprises.len();
    let share = |pred: &dyn Fn(&DemoEnterprise) -> bool| {
        ZONE.enterprises.iter().filter(|e| pred(e)).count() * 1000 / n
    };
    let above_size = share(&|e| e.above_size);
    let high_tech = share(&|e| e.high_tech);
    let in_park = share(&|e| e.park_code.is_some());
    let moved_out = share(&|e| e.status == EnterpriseStatus::MovedOut);
    let closed = share(&|e| e.status == EnterpriseStatus::Closed);
    assert!(
        (220..=280).contains(&above_size),
        "above size {above_size}‰"
    );
    assert!((120..=180).contains(&high_tech), "high tech {high_tech}‰");
    assert!(in_park >= 700, "in parks {in_park}‰");
    assert!((10..=30).contains(&moved_out), "moved out {moved_out}‰");
    assert!((5..=20).contains(&closed), "closed {closed}‰");
}
