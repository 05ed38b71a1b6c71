//! The zone's registry: industry areas, chains and their segment trees, people and their posts, parks and
//! enterprises. These types are what the store keeps and the API shows; the `*Input` types are what a user sends,
//! and `parse` on them is the only way to the checked `*Draft` that the store accepts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::credit_code::CreditCode;
use crate::district::DistrictCode;
use crate::error::{Invalid, Violations};
use crate::industry::IndustryCode;

/// Every stored object has a numeric id, unique within its kind.
pub type Id = i64;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// Where a segment sits on its chain (上游 / 中游 / 下游).
    Stage { Upstream = "upstream", Midstream = "midstream", Downstream = "downstream" }
}

string_enum! {
    /// The post a person holds. A person may hold several, each for a period.
    PostRole {
        ChainChief = "chain_chief",
        ChainOwner = "chain_owner",
        ChainTaskForce = "chain_task_force",
        ParkChief = "park_chief",
        ParkStaff = "park_staff",
        EnterpriseContact = "enterprise_contact",
    }
}

string_enum! {
    /// Level of a chain chief: 总链长 (overall), 分链长 (one chain), 副链长 (deputy).
    ChiefLevel { Overall = "overall", Chain = "chain", Deputy = "deputy" }
}

string_enum! {
    /// Who a chain owner (链主) is.
    OwnerKind {
        LeadingCompanyHead = "leading_company_head",
        AssociationHead = "association_head",
        Expert = "expert",
        ParkManager = "park_manager",
    }
}

string_enum! {
    /// An enterprise's standing in the zone. Enterprises are never deleted.
    EnterpriseStatus { Active = "active", MovedOut = "moved_out", Closed = "closed" }
}

/// An industry area (产业功能区): groups related chains and parks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndustryArea {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndustryAreaInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description: String,
}

/// A checked industry area, ready to store.
#[derive(Debug, Clone)]
pub struct IndustryAreaDraft {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
}

/// An industry chain (产业链): a tree of segments in one industry area.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Chain {
    pub id: Id,
    pub area_id: Id,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainInput {
    pub area_id: Id,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct ChainDraft {
    pub area_id: Id,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
}

/// A segment (环节) of a chain; segments form a tree of any depth.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Segment {
    pub id: Id,
    pub chain_id: Id,
    pub parent_id: Option<Id>,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub stage: Stage,
    /// Order among its siblings on the chain map.
    pub position: i32,
    /// GB/T 4754-2017 codes typical of the segment's firms.
    pub industry_codes: Vec<String>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    pub chain_id: Id,
    #[serde(default)]
    pub parent_id: Option<Id>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub stage: Stage,
    #[serde(default)]
    pub position: i32,
    #[serde(default)]
    pub industry_codes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SegmentDraft {
    pub chain_id: Id,
    pub parent_id: Option<Id>,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub stage: Stage,
    pub position: i32,
    pub industry_codes: Vec<IndustryCode>,
}

/// A supply link: the `from` segment supplies the `to` segment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SupplyLink {
    pub id: Id,
    pub from_segment_id: Id,
    pub to_segment_id: Id,
    pub note: String,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyLinkInput {
    pub from_segment_id: Id,
    pub to_segment_id: Id,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct SupplyLinkDraft {
    pub from_segment_id: Id,
    pub to_segment_id: Id,
    pub note: String,
}

/// A person who holds posts: officials, chain owners, park staff, enterprise contacts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: Id,
    pub name: String,
    pub title: String,
    pub organisation: String,
    /// The person's own (mobile) phone: empty for those who may not see it (see `docs/decisions.md`).
    pub phone: String,
    /// The person's own e-mail address: empty for those who may not see it.
    pub email: String,
    /// The office phone, which everyone who sees the person sees.
    pub office_phone: String,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub office_phone: String,
}

#[derive(Debug, Clone)]
pub struct PersonDraft {
    pub name: String,
    pub title: String,
    pub organisation: String,
    pub phone: String,
    pub email: String,
    pub office_phone: String,
}

/// A post held by a person for a period; history is kept, so "who led this chain on that day" has an answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Post {
    pub id: Id,
    pub person_id: Id,
    pub role: PostRole,
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
    pub enterprise_id: Option<Id>,
    pub chief_level: Option<ChiefLevel>,
    pub owner_kind: Option<OwnerKind>,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

impl Post {
    /// Whether the post is held on `day` (the end date is the last day held).
    pub fn is_held_on(&self, day: NaiveDate) -> bool {
        !self.archived && self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    pub person_id: Id,
    pub role: PostRole,
    #[serde(default)]
    pub chain_id: Option<Id>,
    #[serde(default)]
    pub park_id: Option<Id>,
    #[serde(default)]
    pub enterprise_id: Option<Id>,
    #[serde(default)]
    pub chief_level: Option<ChiefLevel>,
    #[serde(default)]
    pub owner_kind: Option<OwnerKind>,
    #[serde(default)]
    pub title: String,
    pub starts_on: NaiveDate,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
}

/// A checked post: the role's scope (chain, park or enterprise) is set and the dates are in order.
pub type PostDraft = PostInput;

/// A park (园区) with its land and location; its chief is whoever holds the park-chief post.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Park {
    pub id: Id,
    pub area_id: Id,
    pub code: String,
    pub name: String,
    pub name_en: String,
    #[schema(value_type = String, example = "500112")]
    pub district: DistrictCode,
    /// Land area in 亩 (mu), two decimals.
    pub land_area_mu: f64,
    /// Land area in hectares (1 ha = 15 mu), four decimals.
    pub land_area_ha: f64,
    pub location: Option<GeoPoint>,
    /// Outline as a closed ring of points, optional.
    pub outline: Option<Vec<GeoPoint>>,
    /// The park chief today, if the post is filled.
    pub chief: Option<PersonRef>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

/// WGS-84 longitude and latitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GeoPoint {
    pub lon: f64,
    pub lat: f64,
}

/// A short reference to a person, shown inside other objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: Id,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParkInput {
    pub area_id: Id,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub district: String,
    /// Land area in mu; give this or `land_area_ha`.
    #[serde(default)]
    pub land_area_mu: Option<f64>,
    #[serde(default)]
    pub land_area_ha: Option<f64>,
    #[serde(default)]
    pub location: Option<GeoPoint>,
    #[serde(default)]
    pub outline: Option<Vec<GeoPoint>>,
}

#[derive(Debug, Clone)]
pub struct ParkDraft {
    pub area_id: Id,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub district: DistrictCode,
    pub land_area: LandArea,
    pub location: Option<GeoPoint>,
    pub outline: Option<Vec<GeoPoint>>,
}

/// Land area, kept exactly in hundredths of a mu (1 ha = 15 mu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LandArea {
    centi_mu: i64,
}

impl LandArea {
    pub fn from_centi_mu(centi_mu: i64) -> Self {
        LandArea { centi_mu }
    }

    pub fn centi_mu(self) -> i64 {
        self.centi_mu
    }

    pub fn mu(self) -> f64 {
        self.centi_mu as f64 / 100.0
    }

    pub fn hectares(self) -> f64 {
        (self.centi_mu as f64 / 1500.0 * 10_000.0).round() / 10_000.0
    }
}

/// An enterprise (企业). Its public registry fields are visible to every signed-in user; its contact fields are not.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Enterprise {
    pub id: Id,
    #[schema(value_type = String, example = "91500000MA5U7G1X3C")]
    pub credit_code: CreditCode,
    pub name: String,
    pub name_en: String,
    #[schema(value_type = String, example = "3612")]
    pub industry_code: IndustryCode,
    #[schema(value_type = String, example = "500112")]
    pub district: DistrictCode,
    pub park_id: Option<Id>,
    pub segment_ids: Vec<Id>,
    pub above_size: bool,
    pub high_tech: bool,
    pub leading: bool,
    pub founded_on: Option<NaiveDate>,
    pub status: EnterpriseStatus,
    pub contact: Option<EnterpriseContact>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

/// One enterprise in one segment of a chain, with what a chain map shows of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChainMembership {
    pub enterprise_id: Id,
    pub segment_id: Id,
    pub park_id: Option<Id>,
    pub leading: bool,
    pub above_size: bool,
}

/// An enterprise's contact data: not public.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseContact {
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseInput {
    pub credit_code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub industry_code: String,
    pub district: String,
    #[serde(default)]
    pub park_id: Option<Id>,
    #[serde(default)]
    pub segment_ids: Vec<Id>,
    #[serde(default)]
    pub above_size: bool,
    #[serde(default)]
    pub high_tech: bool,
    #[serde(default)]
    pub leading: bool,
    #[serde(default)]
    pub founded_on: Option<NaiveDate>,
    #[serde(default = "active")]
    pub status: EnterpriseStatus,
    #[serde(default)]
    pub contact: EnterpriseContact,
}

fn active() -> EnterpriseStatus {
    EnterpriseStatus::Active
}

#[derive(Debug, Clone)]
pub struct EnterpriseDraft {
    pub credit_code: CreditCode,
    pub name: String,
    pub name_en: String,
    pub industry_code: IndustryCode,
    pub district: DistrictCode,
    pub park_id: Option<Id>,
    pub segment_ids: Vec<Id>,
    pub above_size: bool,
    pub high_tech: bool,
    pub leading: bool,
    pub founded_on: Option<NaiveDate>,
    pub status: EnterpriseStatus,
    pub contact: EnterpriseContact,
}

impl EnterpriseDraft {
    /// The input form of a checked enterprise, to compare with what is stored.
    pub fn to_input(&self) -> EnterpriseInput {
        EnterpriseInput {
            credit_code: self.credit_code.as_str().to_string(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            industry_code: self.industry_code.as_str().to_string(),
            district: self.district.as_str().to_string(),
            park_id: self.park_id,
            segment_ids: self.segment_ids.clone(),
            above_size: self.above_size,
            high_tech: self.high_tech,
            leading: self.leading,
            founded_on: self.founded_on,
            status: self.status,
            contact: self.contact.clone(),
        }
    }
}

// ---- parsing: the only way from what a user sent to what the store accepts ----

fn required(v: &mut Violations, field: &str, value: &str, max_chars: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        v.add(field, "is required");
    } else if value.chars().count() > max_chars {
        v.add(field, format!("is longer than {max_chars} characters"));
    }
    value.to_string()
}

fn optional(v: &mut Violations, field: &str, value: &str, max_chars: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max_chars {
        v.add(field, format!("is longer than {max_chars} characters"));
    }
    value.to_string()
}

/// Codes are short identifiers used in files and URLs: letters, digits, `-` and `_`.
fn code(v: &mut Violations, field: &str, value: &str) -> String {
    let value = required(v, field, value, 32);
    if !value.is_empty()
        && !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        v.add(field, "may hold only letters, digits, '-' and '_'");
    }
    value
}

impl IndustryAreaInput {
    pub fn parse(self) -> Result<IndustryAreaDraft, Invalid> {
        let mut v = Violations::default();
        let draft = IndustryAreaDraft {
            code: code(&mut v, "code", &self.code),
            name: required(&mut v, "name", &self.name, 100),
            name_en: optional(&mut v, "name_en", &self.name_en, 200),
            description: optional(&mut v, "description", &self.description, 2000),
        };
        v.finish(draft)
    }
}

impl ChainInput {
    pub fn parse(self) -> Result<ChainDraft, Invalid> {
        let mut v = Violations::default();
        let draft = ChainDraft {
            area_id: self.area_id,
            code: code(&mut v, "code", &self.code),
            name: required(&mut v, "name", &self.name, 100),
            name_en: optional(&mut v, "name_en", &self.name_en, 200),
            description: optional(&mut v, "description", &self.description, 2000),
        };
        v.finish(draft)
    }
}

impl SegmentInput {
    pub fn parse(self) -> Result<SegmentDraft, Invalid> {
        let mut v = Violations::default();
        let mut industry_codes = Vec::new();
        let listed = if v.list_within_limit("industry_codes", self.industry_codes.len()) {
            self.industry_codes.as_slice()
        } else {
            &[]
        };
        for (i, text) in listed.iter().enumerate() {
            match IndustryCode::parse(text) {
                Ok(code) => industry_codes.push(code),
                Err(e) => v.add(&format!("industry_codes[{i}]"), e.to_string()),
            }
        }
        let draft = SegmentDraft {
            chain_id: self.chain_id,
            parent_id: self.parent_id,
            code: code(&mut v, "code", &self.code),
            name: required(&mut v, "name", &self.name, 100),
            name_en: optional(&mut v, "name_en", &self.name_en, 200),
            stage: self.stage,
            position: self.position,
            industry_codes,
        };
        v.finish(draft)
    }
}

impl SupplyLinkInput {
    pub fn parse(self) -> Result<SupplyLinkDraft, Invalid> {
        let mut v = Violations::default();
        if self.from_segment_id == self.to_segment_id {
            v.add("to_segment_id", "a segment cannot supply itself");
        }
        let draft = SupplyLinkDraft {
            from_segment_id: self.from_segment_id,
            to_segment_id: self.to_segment_id,
            note: optional(&mut v, "note", &self.note, 500),
        };
        v.finish(draft)
    }
}

impl PersonInput {
    pub fn parse(self) -> Result<PersonDraft, Invalid> {
        let mut v = Violations::default();
        let email = optional(&mut v, "email", &self.email, 200);
        if !email.is_empty() && !looks_like_email(&email) {
            v.add("email", "is not an e-mail address");
        }
        let draft = PersonDraft {
            name: required(&mut v, "name", &self.name, 100),
            title: optional(&mut v, "title", &self.title, 200),
            organisation: optional(&mut v, "organisation", &self.organisation, 200),
            phone: optional(&mut v, "phone", &self.phone, 40),
            email,
            office_phone: optional(&mut v, "office_phone", &self.office_phone, 40),
        };
        v.finish(draft)
    }
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// What a post is the only holder of at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoleHolderOf {
    /// One person answers for a park (its chief).
    Park(Id),
    /// One chain chief (分链长) leads a chain; deputies and the overall chief may be several.
    Chain(Id),
}

impl PostInput {
    /// The park or chain that no other post may hold for an overlapping time, if this post has one: a park's
    /// chief, and a chain's chief at the chain's own level.
    pub fn sole_holder_of(&self) -> Option<SoleHolderOf> {
        match (self.role, self.chief_level) {
            (PostRole::ParkChief, _) => self.park_id.map(SoleHolderOf::Park),
            (PostRole::ChainChief, Some(ChiefLevel::Chain)) => {
                self.chain_id.map(SoleHolderOf::Chain)
            }
            _ => None,
        }
    }

    /// Checks that the role has the scope it needs and nothing else, and that the dates are in order.
    pub fn parse(mut self) -> Result<PostDraft, Invalid> {
        let mut v = Violations::default();
        let role = self.role;
        let chain_role = matches!(
            role,
            PostRole::ChainChief | PostRole::ChainOwner | PostRole::ChainTaskForce
        );
        let park_role = matches!(role, PostRole::ParkChief | PostRole::ParkStaff);
        let overall_chief =
            role == PostRole::ChainChief && self.chief_level == Some(ChiefLevel::Overall);
        if chain_role && self.chain_id.is_none() && !overall_chief {
            v.add("chain_id", format!("is required for a {role} post"));
        }
        if !chain_role && self.chain_id.is_some() {
            v.add("chain_id", format!("must be empty for a {role} post"));
        }
        if park_role && self.park_id.is_none() {
            v.add("park_id", format!("is required for a {role} post"));
        }
        if !park_role && self.park_id.is_some() {
            v.add("park_id", format!("must be empty for a {role} post"));
        }
        let contact = role == PostRole::EnterpriseContact;
        if contact && self.enterprise_id.is_none() {
            v.add("enterprise_id", format!("is required for a {role} post"));
        }
        if !contact && self.enterprise_id.is_some() {
            v.add("enterprise_id", format!("must be empty for a {role} post"));
        }
        match (role == PostRole::ChainChief, self.chief_level) {
            (true, None) => v.add("chief_level", "is required for a chain_chief post"),
            (false, Some(_)) => v.add("chief_level", "is only for chain_chief posts"),
            _ => {}
        }
        match (role == PostRole::ChainOwner, self.owner_kind) {
            (true, None) => v.add("owner_kind", "is required for a chain_owner post"),
            (false, Some(_)) => v.add("owner_kind", "is only for chain_owner posts"),
            _ => {}
        }
        if let Some(end) = self.ends_on
            && end < self.starts_on
        {
            v.add(
                "ends_on",
                format!("{end} is before the start date {}", self.starts_on),
            );
        }
        self.title = optional(&mut v, "title", &self.title, 200);
        v.finish(self)
    }
}

impl ParkInput {
    pub fn parse(self) -> Result<ParkDraft, Invalid> {
        let mut v = Violations::default();
        let district = match DistrictCode::parse(&self.district) {
            Ok(d) => Some(d),
            Err(e) => {
                v.add("district", e.to_string());
                None
            }
        };
        let land_area = match (self.land_area_mu, self.land_area_ha) {
            (Some(mu), None) => land_area(&mut v, "land_area_mu", mu * 100.0),
            (None, Some(ha)) => land_area(&mut v, "land_area_ha", ha * 1500.0),
            (Some(_), Some(_)) => {
                v.add(
                    "land_area_ha",
                    "give land_area_mu or land_area_ha, not both",
                );
                None
            }
            (None, None) => {
                v.add("land_area_mu", "is required (or give land_area_ha)");
                None
            }
        };
        if let Some(point) = self.location {
            check_point(&mut v, "location", point);
        }
        if let Some(outline) = &self.outline {
            if outline.len() < 3 {
                v.add("outline", "needs at least 3 points");
            }
            for (i, point) in outline.iter().enumerate() {
                check_point(&mut v, &format!("outline[{i}]"), *point);
            }
        }
        let code = code(&mut v, "code", &self.code);
        let name = required(&mut v, "name", &self.name, 100);
        let name_en = optional(&mut v, "name_en", &self.name_en, 200);
        match (district, land_area) {
            (Some(district), Some(land_area)) if v.is_empty() => Ok(ParkDraft {
                area_id: self.area_id,
                code,
                name,
                name_en,
                district,
                land_area,
                location: self.location,
                outline: self.outline,
            }),
            _ => Err(v.into_invalid()),
        }
    }
}

/// Land is given with at most two decimals of a mu; anything finer is rounded to the nearest hundredth.
fn land_area(v: &mut Violations, field: &str, centi_mu: f64) -> Option<LandArea> {
    if !centi_mu.is_finite() || centi_mu < 0.0 {
        v.add(field, "must be a number ≥ 0");
        return None;
    }
    if centi_mu > 1e13 {
        v.add(field, "is larger than any park");
        return None;
    }
    Some(LandArea::from_centi_mu(centi_mu.round() as i64))
}

fn check_point(v: &mut Violations, field: &str, point: GeoPoint) {
    if !(-180.0..=180.0).contains(&point.lon) {
        v.add(&format!("{field}.lon"), "must be between -180 and 180");
    }
    if !(-90.0..=90.0).contains(&point.lat) {
        v.add(&format!("{field}.lat"), "must be between -90 and 90");
    }
}

impl EnterpriseInput {
    pub fn parse(self) -> Result<EnterpriseDraft, Invalid> {
        let mut v = Violations::default();
        let credit_code = CreditCode::parse(&self.credit_code)
            .map_err(|e| v.add("credit_code", e.to_string()))
            .ok();
        let industry_code = IndustryCode::parse(&self.industry_code)
            .map_err(|e| v.add("industry_code", e.to_string()))
            .ok();
        let district = DistrictCode::parse(&self.district)
            .map_err(|e| v.add("district", e.to_string()))
            .ok();
        let name = required(&mut v, "name", &self.name, 200);
        let name_en = optional(&mut v, "name_en", &self.name_en, 300);
        let today_bound = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
        if let Some(founded) = self.founded_on
            && founded < today_bound
        {
            v.add("founded_on", "is before 1900");
        }
        let contact = EnterpriseContact {
            contact_name: optional(
                &mut v,
                "contact.contact_name",
                &self.contact.contact_name,
                100,
            ),
            phone: optional(&mut v, "contact.phone", &self.contact.phone, 40),
            email: optional(&mut v, "contact.email", &self.contact.email, 200),
            address: optional(&mut v, "contact.address", &self.contact.address, 300),
        };
        if !contact.email.is_empty() && !looks_like_email(&contact.email) {
            v.add("contact.email", "is not an e-mail address");
        }
        v.list_within_limit("segment_ids", self.segment_ids.len());
        let mut segment_ids = self.segment_ids;
        segment_ids.sort_unstable();
        segment_ids.dedup();
        match (credit_code, industry_code, district) {
            (Some(credit_code), Some(industry_code), Some(district)) if v.is_empty() => {
                Ok(EnterpriseDraft {
                    credit_code,
                    name,
                    name_en,
                    industry_code,
                    district,
                    park_id: self.park_id,
                    segment_ids,
                    above_size: self.above_size,
                    high_tech: self.high_tech,
                    leading: self.leading,
                    founded_on: self.founded_on,
                    status: self.status,
                    contact,
                })
            }
            _ => Err(v.into_invalid()),
        }
    }
}

// ---- the way back: the input form of a stored object, for updates by merge patch ----

impl IndustryArea {
    pub fn to_input(&self) -> IndustryAreaInput {
        IndustryAreaInput {
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            description: self.description.clone(),
        }
    }
}

impl Chain {
    pub fn to_input(&self) -> ChainInput {
        ChainInput {
            area_id: self.area_id,
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            description: self.description.clone(),
        }
    }
}

impl Segment {
    pub fn to_input(&self) -> SegmentInput {
        SegmentInput {
            chain_id: self.chain_id,
            parent_id: self.parent_id,
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            stage: self.stage,
            position: self.position,
            industry_codes: self.industry_codes.clone(),
        }
    }
}

impl SupplyLink {
    pub fn to_input(&self) -> SupplyLinkInput {
        SupplyLinkInput {
            from_segment_id: self.from_segment_id,
            to_segment_id: self.to_segment_id,
            note: self.note.clone(),
        }
    }
}

impl Person {
    pub fn to_input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            title: self.title.clone(),
            organisation: self.organisation.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            office_phone: self.office_phone.clone(),
        }
    }
}

impl Post {
    pub fn to_input(&self) -> PostInput {
        PostInput {
            person_id: self.person_id,
            role: self.role,
            chain_id: self.chain_id,
            park_id: self.park_id,
            enterprise_id: self.enterprise_id,
            chief_level: self.chief_level,
            owner_kind: self.owner_kind,
            title: self.title.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

impl Park {
    pub fn to_input(&self) -> ParkInput {
        ParkInput {
            area_id: self.area_id,
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            district: self.district.as_str().to_string(),
            land_area_mu: Some(self.land_area_mu),
            land_area_ha: None,
            location: self.location,
            outline: self.outline.clone(),
        }
    }
}

impl Enterprise {
    pub fn to_input(&self) -> EnterpriseInput {
        EnterpriseInput {
            credit_code: self.credit_code.as_str().to_string(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            industry_code: self.industry_code.as_str().to_string(),
            district: self.district.as_str().to_string(),
            park_id: self.park_id,
            segment_ids: self.segment_ids.clone(),
            above_size: self.above_size,
            high_tech: self.high_tech,
            leading: self.leading,
            founded_on: self.founded_on,
            status: self.status,
            contact: self.contact.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The parse rules of each draft, one test per rule.

    use super::*;

    /// The fields a refused input names, in the order it names them.
    fn fields<T: std::fmt::Debug>(result: Result<T, Invalid>) -> Vec<String> {
        result
            .expect_err("the input is refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn area(code: &str, name: &str) -> IndustryAreaInput {
        IndustryAreaInput {
            code: code.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    fn segment(industry_codes: Vec<String>) -> SegmentInput {
        SegmentInput {
            chain_id: 1,
            parent_id: None,
            code: "cells".into(),
            name: "电芯".into(),
            name_en: String::new(),
            stage: Stage::Midstream,
            position: 0,
            industry_codes,
        }
    }

    fn post(role: PostRole) -> PostInput {
        PostInput {
            person_id: 1,
            role,
            chain_id: None,
            park_id: None,
            enterprise_id: None,
            chief_level: None,
            owner_kind: None,
            title: String::new(),
            starts_on: NaiveDate::from_ymd_opt(2021, 1, 1).expect("date"),
            ends_on: None,
        }
    }

    #[test]
    fn only_a_parks_chief_and_a_chains_own_chief_hold_their_scope_alone() {
        let at = |role, chain_id, park_id, chief_level| {
            PostInput {
                chain_id,
                park_id,
                chief_level,
                ..post(role)
            }
            .sole_holder_of()
        };
        assert_eq!(
            at(PostRole::ParkChief, None, Some(7), None),
            Some(SoleHolderOf::Park(7))
        );
        assert_eq!(
            at(PostRole::ChainChief, Some(3), None, Some(ChiefLevel::Chain)),
            Some(SoleHolderOf::Chain(3))
        );
        assert_eq!(
            at(
                PostRole::ChainChief,
                Some(3),
                None,
                Some(ChiefLevel::Deputy)
            ),
            None
        );
        assert_eq!(at(PostRole::ParkStaff, None, Some(7), None), None);
        assert_eq!(at(PostRole::ChainOwner, Some(3), None, None), None);
    }

    fn park() -> ParkInput {
        ParkInput {
            area_id: 1,
            code: "yufu".into(),
            name: "鱼复工业园".into(),
            name_en: String::new(),
            district: "500112".into(),
            land_area_mu: Some(100.0),
            land_area_ha: None,
            location: None,
            outline: None,
        }
    }

    fn enterprise() -> EnterpriseInput {
        EnterpriseInput {
            credit_code: CreditCode::from_body("91500112MA5U7G1X3")
                .expect("body")
                .as_str()
                .to_string(),
            name: "重庆长程电池有限公司".into(),
            name_en: String::new(),
            industry_code: "3841".into(),
            district: "500112".into(),
            park_id: None,
            segment_ids: Vec::new(),
            above_size: false,
            high_tech: false,
            leading: false,
            founded_on: None,
            status: EnterpriseStatus::Active,
            contact: EnterpriseContact::default(),
        }
    }

    #[test]
    fn text_is_trimmed() {
        let draft = area("  auto ", " 汽车 ").parse().expect("valid");
        assert_eq!((draft.code.as_str(), draft.name.as_str()), ("auto", "汽车"));
    }

    #[test]
    fn a_required_field_of_blanks_is_missing() {
        assert_eq!(fields(area("auto", "   ").parse()), ["name"]);
    }

    #[test]
    fn a_field_longer_than_its_limit_is_refused_counting_characters_not_bytes() {
        assert!(area("auto", &"汽".repeat(100)).parse().is_ok());
        assert_eq!(fields(area("auto", &"汽".repeat(101)).parse()), ["name"]);
        let long_description = IndustryAreaInput {
            description: "x".repeat(2001),
            ..area("auto", "汽车")
        };
        assert_eq!(fields(long_description.parse()), ["description"]);
    }

    #[test]
    fn a_code_holds_only_letters_digits_dash_and_underscore() {
        assert!(area("auto-2_b", "汽车").parse().is_ok());
        assert_eq!(fields(area("汽车", "汽车").parse()), ["code"]);
        assert_eq!(fields(area("a b", "汽车").parse()), ["code"]);
    }

    #[test]
    fn a_code_is_at_most_32_characters() {
        assert!(area(&"a".repeat(32), "汽车").parse().is_ok());
        assert_eq!(fields(area(&"a".repeat(33), "汽车").parse()), ["code"]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        assert_eq!(fields(area("", "").parse()), ["code", "name"]);
    }

    #[test]
    fn a_chain_checks_its_code_and_name() {
        let chain = ChainInput {
            area_id: 1,
            code: "bad code".into(),
            name: String::new(),
            ..Default::default()
        };
        assert_eq!(fields(chain.parse()), ["code", "name"]);
    }

    #[test]
    fn a_segment_names_the_bad_industry_code_by_its_position() {
        let input = segment(vec!["3841".into(), "99999".into()]);
        assert_eq!(fields(input.parse()), ["industry_codes[1]"]);
        let draft = segment(vec!["3841".into()]).parse().expect("valid");
        assert_eq!(draft.industry_codes.len(), 1);
    }

    #[test]
    fn a_segment_lists_at_most_the_list_limit_of_industry_codes() {
        let input = segment(vec!["3841".into(); crate::error::MAX_LIST_LEN + 1]);
        assert_eq!(fields(input.parse()), ["industry_codes"]);
    }

    #[test]
    fn a_segment_cannot_supply_itself() {
        let link = SupplyLinkInput {
            from_segment_id: 3,
            to_segment_id: 3,
            note: String::new(),
        };
        assert_eq!(fields(link.parse()), ["to_segment_id"]);
    }

    #[test]
    fn a_person_email_must_look_like_one() {
        for bad in [
            "zhang",
            "zhang@example",
            "@example.com",
            "zhang wei@example.com",
        ] {
            let person = PersonInput {
                name: "张伟".into(),
                email: bad.into(),
                ..Default::default()
            };
            assert_eq!(fields(person.parse()), ["email"], "{bad}");
        }
        let person = PersonInput {
            name: "张伟".into(),
            email: "zhang.wei@example.com".into(),
            ..Default::default()
        };
        assert!(person.parse().is_ok());
    }

    #[test]
    fn a_chain_post_needs_its_chain() {
        let task_force = post(PostRole::ChainTaskForce);
        assert_eq!(fields(task_force.parse()), ["chain_id"]);
        let with_chain = PostInput {
            chain_id: Some(1),
            ..post(PostRole::ChainTaskForce)
        };
        assert!(with_chain.parse().is_ok());
    }

    #[test]
    fn an_overall_chain_chief_needs_no_chain() {
        let overall = PostInput {
            chief_level: Some(ChiefLevel::Overall),
            ..post(PostRole::ChainChief)
        };
        assert!(overall.parse().is_ok());
        let deputy = PostInput {
            chief_level: Some(ChiefLevel::Deputy),
            ..post(PostRole::ChainChief)
        };
        assert_eq!(fields(deputy.parse()), ["chain_id"]);
    }

    #[test]
    fn a_post_outside_chains_has_no_chain() {
        let staff = PostInput {
            park_id: Some(1),
            chain_id: Some(1),
            ..post(PostRole::ParkStaff)
        };
        assert_eq!(fields(staff.parse()), ["chain_id"]);
    }

    #[test]
    fn a_park_post_needs_its_park_and_no_other_post_has_one() {
        assert_eq!(fields(post(PostRole::ParkChief).parse()), ["park_id"]);
        let owner = PostInput {
            chain_id: Some(1),
            park_id: Some(1),
            owner_kind: Some(OwnerKind::Expert),
            ..post(PostRole::ChainOwner)
        };
        assert_eq!(fields(owner.parse()), ["park_id"]);
    }

    #[test]
    fn an_enterprise_contact_needs_its_enterprise_and_no_other_post_has_one() {
        assert_eq!(
            fields(post(PostRole::EnterpriseContact).parse()),
            ["enterprise_id"]
        );
        let staff = PostInput {
            park_id: Some(1),
            enterprise_id: Some(1),
            ..post(PostRole::ParkStaff)
        };
        assert_eq!(fields(staff.parse()), ["enterprise_id"]);
    }

    #[test]
    fn a_chief_level_is_required_of_a_chain_chief_and_only_of_one() {
        let chief = PostInput {
            chain_id: Some(1),
            ..post(PostRole::ChainChief)
        };
        assert_eq!(fields(chief.parse()), ["chief_level"]);
        let staff = PostInput {
            park_id: Some(1),
            chief_level: Some(ChiefLevel::Chain),
            ..post(PostRole::ParkStaff)
        };
        assert_eq!(fields(staff.parse()), ["chief_level"]);
    }

    #[test]
    fn an_owner_kind_is_required_of_a_chain_owner_and_only_of_one() {
        let owner = PostInput {
            chain_id: Some(1),
            ..post(PostRole::ChainOwner)
        };
        assert_eq!(fields(owner.parse()), ["owner_kind"]);
        let staff = PostInput {
            park_id: Some(1),
            owner_kind: Some(OwnerKind::Expert),
            ..post(PostRole::ParkStaff)
        };
        assert_eq!(fields(staff.parse()), ["owner_kind"]);
    }

    #[test]
    fn a_post_ends_on_or_after_the_day_it_starts() {
        let start = NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
        let same_day = PostInput {
            park_id: Some(1),
            ends_on: Some(start),
            ..post(PostRole::ParkStaff)
        };
        assert!(same_day.parse().is_ok());
        let before = PostInput {
            park_id: Some(1),
            ends_on: start.pred_opt(),
            ..post(PostRole::ParkStaff)
        };
        assert_eq!(fields(before.parse()), ["ends_on"]);
    }

    #[test]
    fn a_park_district_must_be_a_known_code() {
        let input = ParkInput {
            district: "999999".into(),
            ..park()
        };
        assert_eq!(fields(input.parse()), ["district"]);
    }

    #[test]
    fn a_park_land_area_is_given_in_mu_or_hectares() {
        let hectares = ParkInput {
            land_area_mu: None,
            land_area_ha: Some(2.0),
            ..park()
        };
        assert_eq!(hectares.parse().expect("valid").land_area.centi_mu(), 3000);
        let both = ParkInput {
            land_area_ha: Some(2.0),
            ..park()
        };
        assert_eq!(fields(both.parse()), ["land_area_ha"]);
        let neither = ParkInput {
            land_area_mu: None,
            ..park()
        };
        assert_eq!(fields(neither.parse()), ["land_area_mu"]);
    }

    #[test]
    fn a_park_land_area_is_kept_to_the_hundredth_of_a_mu() {
        let input = ParkInput {
            land_area_mu: Some(12.345_6),
            ..park()
        };
        assert_eq!(input.parse().expect("valid").land_area.centi_mu(), 1235);
    }

    #[test]
    fn a_park_land_area_is_a_finite_number_not_below_zero() {
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let input = ParkInput {
                land_area_mu: Some(bad),
                ..park()
            };
            assert_eq!(fields(input.parse()), ["land_area_mu"], "{bad}");
        }
    }

    #[test]
    fn a_park_land_area_larger_than_any_park_is_refused() {
        let input = ParkInput {
            land_area_mu: Some(1e12),
            ..park()
        };
        assert_eq!(fields(input.parse()), ["land_area_mu"]);
    }

    #[test]
    fn a_park_location_lies_on_the_globe() {
        let input = ParkInput {
            location: Some(GeoPoint {
                lon: 181.0,
                lat: -91.0,
            }),
            ..park()
        };
        assert_eq!(fields(input.parse()), ["location.lon", "location.lat"]);
    }

    #[test]
    fn a_park_outline_has_at_least_three_points_each_named_when_wrong() {
        let point = GeoPoint {
            lon: 106.5,
            lat: 29.6,
        };
        let two = ParkInput {
            outline: Some(vec![point, point]),
            ..park()
        };
        assert_eq!(fields(two.parse()), ["outline"]);
        let off = GeoPoint {
            lon: 106.5,
            lat: 95.0,
        };
        let three = ParkInput {
            outline: Some(vec![point, point, off]),
            ..park()
        };
        assert_eq!(fields(three.parse()), ["outline[2].lat"]);
    }

    #[test]
    fn an_enterprise_credit_code_must_check() {
        let valid = enterprise().credit_code;
        let check = if valid.ends_with('0') { '1' } else { '0' };
        let input = EnterpriseInput {
            credit_code: format!("{}{check}", &valid[..valid.len() - 1]),
            ..enterprise()
        };
        assert_eq!(fields(input.parse()), ["credit_code"]);
    }

    #[test]
    fn an_enterprise_industry_code_must_be_in_the_classification() {
        let input = EnterpriseInput {
            industry_code: "9999".into(),
            ..enterprise()
        };
        assert_eq!(fields(input.parse()), ["industry_code"]);
    }

    #[test]
    fn an_enterprise_district_must_be_a_known_code() {
        let input = EnterpriseInput {
            district: "12".into(),
            ..enterprise()
        };
        assert_eq!(fields(input.parse()), ["district"]);
    }

    #[test]
    fn an_enterprise_founded_before_1900_is_refused() {
        let input = EnterpriseInput {
            founded_on: NaiveDate::from_ymd_opt(1899, 12, 31),
            ..enterprise()
        };
        assert_eq!(fields(input.parse()), ["founded_on"]);
    }

    #[test]
    fn an_enterprise_contact_email_must_look_like_one() {
        let input = EnterpriseInput {
            contact: EnterpriseContact {
                email: "office".into(),
                ..Default::default()
            },
            ..enterprise()
        };
        assert_eq!(fields(input.parse()), ["contact.email"]);
    }

    #[test]
    fn an_enterprise_segment_list_is_sorted_without_repeats() {
        let input = EnterpriseInput {
            segment_ids: vec![5, 2, 5, 3],
            ..enterprise()
        };
        assert_eq!(input.parse().expect("valid").segment_ids, [2, 3, 5]);
    }

    #[test]
    fn an_enterprise_lists_at_most_the_list_limit_of_segments() {
        let input = EnterpriseInput {
            segment_ids: (0..=crate::error::MAX_LIST_LEN as Id).collect(),
            ..enterprise()
        };
        assert_eq!(fields(input.parse()), ["segment_ids"]);
    }
}
