//! The people of the demo zone and their posts since the system began in August 2021: the overall chain chief,
//! a chief, a deputy, owners and a task force for each chain (the automobile chain's chief changed in mid-2023),
//! a chief and staff for each park (two parks changed chief at the start of 2023), and contacts of twenty firms.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::registry::{ChiefLevel, OwnerKind, PostRole};

use super::chains::CHAINS;
use super::names;
use super::parks::PARKS;
use super::rng::Rng;
use super::{DemoEnterprise, DemoPerson, DemoPost};

const COMMITTEE: &str = "重庆两江新区管理委员会";

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("the demo's dates are valid")
}

/// The day the chain-chief and park-chief system began.
fn system_start() -> NaiveDate {
    date(2021, 8, 1)
}

/// Per chain: the bureau and division whose head is deputy chain chief, the industry alliance, the expert's
/// institution, and which kinds of owner (besides the leading company's chairman) the chain has.
struct ChainOffice {
    chain: &'static str,
    bureau: &'static str,
    division: &'static str,
    alliance: &'static str,
    institute: &'static str,
    owners: &'static [OwnerKind],
    /// The park whose operations manager is a chain owner, if one is.
    park: &'static str,
}

const OFFICES: &[ChainOffice] = &[
    ChainOffice {
        chain: "AUTO",
        bureau: "两江新区经济运行局",
        division: "汽车产业处",
        alliance: "两江新区汽车产业联盟",
        institute: "重庆大学机械与运载工程学院",
        owners: &[OwnerKind::AssociationHead, OwnerKind::Expert],
        park: "AUTO-PARK",
    },
    ChainOffice {
        chain: "ELEC",
        bureau: "两江新区经济运行局",
        division: "电子信息产业处",
        alliance: "两江新区电子信息产业协会",
        institute: "重庆大学微电子与通信工程学院",
        owners: &[OwnerKind::Expert, OwnerKind::ParkManager],
        park: "SHUITU",
    },
    ChainOffice {
        chain: "EQUIP",
        bureau: "两江新区经济运行局",
        division: "装备制造产业处",
        alliance: "两江新区智能装备产业联盟",
        institute: "重庆大学机械与运载工程学院",
        owners: &[OwnerKind::ParkManager],
        park: "SMART-EQUIP",
    },
    ChainOffice {
        chain: "HEALTH",
        bureau: "两江新区经济运行局",
        division: "生物医药产业处",
        alliance: "两江新区生物医药产业联盟",
        institute: "重庆医科大学药学院",
        owners: &[OwnerKind::Expert],
        park: "BIO-PARK",
    },
    ChainOffice {
        chain: "LOGI",
        bureau: "两江新区商务局",
        division: "物流与口岸处",
        alliance: "两江新区国际物流协会",
        institute: "重庆交通大学交通运输学院",
        owners: &[OwnerKind::AssociationHead],
        park: "GUOYUAN",
    },
    ChainOffice {
        chain: "SOFT",
        bureau: "两江新区大数据发展局",
        division: "软件和信息服务处",
        alliance: "两江新区软件和信息服务业协会",
        institute: "重庆邮电大学计算机科学与技术学院",
        owners: &[OwnerKind::AssociationHead, OwnerKind::Expert],
        park: "DIGITAL-PARK",
    },
    ChainOffice {
        chain: "MAT",
        bureau: "两江新区经济运行局",
        division: "新材料产业处",
        alliance: "两江新区新材料产业联盟",
        institute: "重庆大学材料科学与工程学院",
        owners: &[],
        park: "MATERIALS-PARK",
    },
    ChainOffice {
        chain: "AERO",
        bureau: "两江新区经济运行局",
        division: "临空经济处",
        alliance: "两江新区通用航空产业联盟",
        institute: "重庆大学航空航天学院",
        owners: &[OwnerKind::ParkManager],
        park: "AIRPORT",
    },
    ChainOffice {
        chain: "CREATIVE",
        bureau: "两江新区现代服务业局",
        division: "数字文创处",
        alliance: "两江新区数字文创产业联盟",
        institute: "四川美术学院设计学院",
        owners: &[OwnerKind::AssociationHead],
        park: "YUELAI",
    },
    ChainOffice {
        chain: "FIN",
        bureau: "两江新区金融局",
        division: "金融发展处",
        alliance: "两江新区股权投资协会",
        institute: "西南大学经济管理学院",
        owners: &[OwnerKind::Expert],
        park: "LJIBC",
    },
    ChainOffice {
        chain: "TECH",
        bureau: "两江新区科技创新局",
        division: "科技服务处",
        alliance: "两江协同创新区新型研发机构联盟",
        institute: "重庆大学",
        owners: &[OwnerKind::ParkManager],
        park: "MINGYUE",
    },
];

/// Parks whose chief changed on 2023-01-01.
const PARKS_WITH_NEW_CHIEF: &[&str] = &["YUFU", "SHUITU"];

/// Chains whose first ordinary above-size firm also gets a contact account, besides each chain's first leader.
const CONTACT_CHAINS: &[&str] = &[
    "AUTO", "ELEC", "SOFT", "EQUIP", "HEALTH", "LOGI", "CREATIVE", "MAT", "TECH",
];

struct People {
    rng: Rng,
    names: HashSet<String>,
    emails: HashSet<String>,
    people: Vec<DemoPerson>,
}

impl People {
    /// A new official or owner with an unused name; returns its index.
    fn person(&mut self, title: &str, organisation: &str, domain: &str) -> usize {
        let (name, pinyin) = loop {
            let (name, pinyin) = names::person_name(&mut self.rng);
            if self.names.insert(name.clone()) {
                break (name, pinyin);
            }
        };
        let mut email = format!("{pinyin}@{domain}");
        let mut n = 2;
        while !self.emails.insert(email.clone()) {
            email = format!("{pinyin}{n}@{domain}");
            n += 1;
        }
        let phone = if self.rng.chance(500) {
            names::landline(&mut self.rng)
        } else {
            names::mobile(&mut self.rng)
        };
        // The office's number follows from the person's place in the list, so the demo's random draws stay as
        // they were.
        let office_phone = format!("023-6789{:04}", self.people.len());
        self.people.push(DemoPerson {
            name,
            title: title.to_string(),
            organisation: organisation.to_string(),
            phone,
            email,
            office_phone,
            posts: Vec::new(),
        });
        self.people.len() - 1
    }

    fn post(&mut self, person: usize, post: DemoPost) {
        self.people[person].posts.push(post);
    }
}

/// A post with no scope yet; the callers fill in what the role needs.
fn post(
    role: PostRole,
    title: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> DemoPost {
    DemoPost {
        role,
        chain_code: None,
        park_code: None,
        enterprise_credit_code: None,
        chief_level: None,
        owner_kind: None,
        title,
        starts_on,
        ends_on,
    }
}

fn chain_post(
    role: PostRole,
    chain: &str,
    title: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> DemoPost {
    DemoPost {
        chain_code: Some(chain.to_string()),
        ..post(role, title, starts_on, ends_on)
    }
}

fn park_post(
    role: PostRole,
    park: &str,
    title: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> DemoPost {
    DemoPost {
        park_code: Some(park.to_string()),
        ..post(role, title, starts_on, ends_on)
    }
}

pub(crate) fn people(enterprises: &[DemoEnterprise]) -> Vec<DemoPerson> {
    let contacts = contact_firms(enterprises);
    let mut people = People {
        rng: Rng::for_part("people"),
        // Contacts keep the names their firms list, so officials are drawn around them.
        names: contacts
            .iter()
            .map(|&i| enterprises[i].contact_name.clone())
            .collect(),
        emails: HashSet::new(),
        people: Vec::new(),
    };
    let gov = "ljxq.example.com";

    let overall = people.person("两江新区管委会主任", COMMITTEE, gov);
    people.post(
        overall,
        DemoPost {
            chief_level: Some(ChiefLevel::Overall),
            ..post(
                PostRole::ChainChief,
                "总链长".to_string(),
                system_start(),
                None,
            )
        },
    );

    // Park chiefs and staff come before chains, so a park's operations manager can also be a chain owner.
    let mut operations_manager = Vec::new();
    for (i, park) in PARKS.iter().enumerate() {
        let office = format!("两江新区{}管理办公室", park.name);
        let chief_title = format!("{}园长", park.name);
        if PARKS_WITH_NEW_CHIEF.contains(&park.code) {
            let before = people.person("园区管理办公室主任", &office, gov);
            let post = park_post(
                PostRole::ParkChief,
                park.code,
                chief_title.clone(),
                system_start(),
                Some(date(2022, 12, 31)),
            );
            people.post(before, post);
            let now = people.person("园区管理办公室主任", &office, gov);
            people.post(
                now,
                park_post(
                    PostRole::ParkChief,
                    park.code,
                    chief_title,
                    date(2023, 1, 1),
                    None,
                ),
            );
        } else {
            let chief = people.person("园区管理办公室主任", &office, gov);
            people.post(
                chief,
                park_post(
                    PostRole::ParkChief,
                    park.code,
                    chief_title,
                    system_start(),
                    None,
                ),
            );
        }
        let staff_roles = [
            ("运营维护主管", 9),
            ("安全生产专员", 10),
            ("招商服务专员", 11),
        ];
        for (k, (role, month)) in staff_roles.iter().take(1 + i % 3).enumerate() {
            let person = people.person(role, &office, gov);
            let title = format!("{}{role}", park.name);
            people.post(
                person,
                park_post(
                    PostRole::ParkStaff,
                    park.code,
                    title,
                    date(2021, *month, 1),
                    None,
                ),
            );
            if k == 0 {
                operations_manager.push((park.code, person));
            }
        }
    }

    for (c, chain) in CHAINS.iter().enumerate() {
        let office = OFFICES
            .iter()
            .find(|o| o.chain == chain.code)
            .expect("every chain has an office");
        let chief_title = format!("{}链长", chain.name);
        let chief_post = |starts_on, ends_on| DemoPost {
            chief_level: Some(ChiefLevel::Chain),
            ..chain_post(
                PostRole::ChainChief,
                chain.code,
                chief_title.clone(),
                starts_on,
                ends_on,
            )
        };
        if chain.code == "AUTO" {
            let earlier = people.person("两江新区管委会副主任", COMMITTEE, gov);
            people.post(earlier, chief_post(system_start(), Some(date(2023, 6, 30))));
            let current = people.person("两江新区管委会副主任", COMMITTEE, gov);
            people.post(current, chief_post(date(2023, 7, 1), None));
        } else {
            let chief = people.person("两江新区管委会副主任", COMMITTEE, gov);
            people.post(chief, chief_post(system_start(), None));
        }

        let deputy = people.person(&format!("{}处长", office.division), office.bureau, gov);
        let deputy_post = DemoPost {
            chief_level: Some(ChiefLevel::Deputy),
            ..chain_post(
                PostRole::ChainChief,
                chain.code,
                format!("{}副链长", chain.name),
                system_start(),
                None,
            )
        };
        people.post(deputy, deputy_post);

        let owner_title = format!("{}链主", chain.name);
        let owner_post = |kind: OwnerKind, starts_on| DemoPost {
            owner_kind: Some(kind),
            ..chain_post(
                PostRole::ChainOwner,
                chain.code,
                owner_title.clone(),
                starts_on,
                None,
            )
        };
        let prefix = format!("{}-", chain.code);
        if let Some(leader) = enterprises
            .iter()
            .find(|e| e.leading && e.segment_codes[0].starts_with(&prefix))
        {
            let domain = leader
                .email
                .split_once('@')
                .map_or("example.com", |(_, d)| d)
                .to_string();
            let chairman = people.person("董事长", &leader.name, &domain);
            people.post(
                chairman,
                owner_post(OwnerKind::LeadingCompanyHead, date(2021, 9, 1)),
            );
        }
        for &kind in office.owners {
            let starts_on = date(2021, 10, 1 + c as u32);
            let person = match kind {
                OwnerKind::AssociationHead => people.person("理事长", office.alliance, gov),
                OwnerKind::Expert => {
                    people.person("教授", office.institute, "university.example.com")
                }
                OwnerKind::ParkManager => match operations_manager
                    .iter()
                    .find(|(park, _)| *park == office.park)
                {
                    Some(&(_, person)) => person,
                    None => people.person("园区运营总监", office.park, gov),
                },
                OwnerKind::LeadingCompanyHead => continue,
            };
            people.post(person, owner_post(kind, starts_on));
        }

        // The task force: its head, then service officers posted to firms; one early officer moved on.
        let task_force = format!("两江新区{}工作专班", chain.name);
        let members = 2 + c % 3;
        for m in 0..members {
            let (title, starts_on) = match m {
                0 => ("链办主任", system_start()),
                1 => ("驻企服务专员", date(2021, 8, 15)),
                _ => ("链办专员", date(2022, 1 + m as u32, 1)),
            };
            let person = people.person(title, &task_force, gov);
            let tf_post = chain_post(
                PostRole::ChainTaskForce,
                chain.code,
                format!("{}{title}", chain.name),
                starts_on,
                None,
            );
            people.post(person, tf_post);
        }
        if members == 4 {
            let person = people.person("驻企服务专员", &task_force, gov);
            let title = format!("{}驻企服务专员", chain.name);
            let tf_post = chain_post(
                PostRole::ChainTaskForce,
                chain.code,
                title,
                system_start(),
                Some(date(2022, 12, 31)),
            );
            people.post(person, tf_post);
        }
    }

    for (k, &i) in contacts.iter().enumerate() {
        let firm = &enterprises[i];
        let title = if firm.leading {
            "办公室主任"
        } else {
            "总经理"
        };
        people.people.push(DemoPerson {
            name: firm.contact_name.clone(),
            title: title.to_string(),
            organisation: firm.name.clone(),
            phone: firm.phone.clone(),
            email: firm.email.clone(),
            office_phone: String::new(),
            posts: vec![DemoPost {
                enterprise_credit_code: Some(firm.credit_code.clone()),
                ..post(
                    PostRole::EnterpriseContact,
                    "企业联络人".to_string(),
                    date(2021, 9, 1 + k as u32),
                    None,
                )
            }],
        });
    }
    people.people
}

/// The firms whose contacts get accounts: each chain's first leading company, and the first active above-size
/// ordinary firm of some chains. One pass over the firms.
fn contact_firms(enterprises: &[DemoEnterprise]) -> Vec<usize> {
    let mut leaders: Vec<Option<usize>> = vec![None; CHAINS.len()];
    let mut ordinary: Vec<Option<usize>> = vec![None; CHAINS.len()];
    for (i, firm) in enterprises.iter().enumerate() {
        let chain_code = firm.segment_codes[0].split('-').next().unwrap_or_default();
        let Some(c) = CHAINS.iter().position(|chain| chain.code == chain_code) else {
            continue;
        };
        if firm.leading {
            leaders[c].get_or_insert(i);
        } else if firm.above_size && firm.status == crate::registry::EnterpriseStatus::Active {
            ordinary[c].get_or_insert(i);
        }
    }
    let mut chosen: Vec<usize> = leaders.into_iter().flatten().collect();
    for (c, chain) in CHAINS.iter().enumerate() {
        if CONTACT_CHAINS.contains(&chain.code)
            && let Some(i) = ordinary[c]
        {
            chosen.push(i);
        }
    }
    chosen
}
