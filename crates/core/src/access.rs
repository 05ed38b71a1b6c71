//! Who may see and change what. An account has a role; for chiefs, owners, staff and enterprises the role's
//! scope (which chains, parks or enterprises) comes from the posts its person holds today, so when a post ends
//! the access ends with it. The store asks these rules inside every query and change.
//!
//! What an account sees of the registry is a [`Reach`] per kind of object ([`Scope::reach`]): the policy's answer
//! as data, which the store renders as a SQL condition for lists and lookups and which [`Reach::admits`] applies
//! to an object in hand. The chiefs' cases — appeals, key projects, work orders — have their reach too, tied also to
//! the people who handle them. People and posts follow the objects they belong to ([`Scope::post_reach`],
//! [`Scope::people_reach`]). What an account may do is asked here as well: where it files appeals and opens work
//! orders ([`Scope::files_appeals`], [`Scope::opens_work_orders`]), which steps it may take on a case
//! (`workflow::appeals::permitted_steps`, `workflow::work_orders::permitted_steps`), where its pages open
//! ([`Scope::landing`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::registry::{Enterprise, EnterpriseDraft, Id, Post, PostRole};

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts.
    Admin,
    /// The committee's leaders: read everything, change nothing.
    Leader,
    /// Analysts: read everything, change nothing.
    Analyst,
    /// 链长: reads and edits their chains.
    ChainChief,
    /// 链办/专班: reads and edits their chains.
    ChainTaskForce,
    /// 链主: reads their chains.
    ChainOwner,
    /// 园长: reads and edits their park.
    ParkChief,
    /// Park staff: reads and edits their park.
    ParkStaff,
    /// An enterprise's own user: its contact data, figures and appeals.
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::Leader,
        Role::Analyst,
        Role::ChainChief,
        Role::ChainTaskForce,
        Role::ChainOwner,
        Role::ParkChief,
        Role::ParkStaff,
        Role::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Analyst => "analyst",
            Role::ChainChief => "chain_chief",
            Role::ChainTaskForce => "chain_task_force",
            Role::ChainOwner => "chain_owner",
            Role::ParkChief => "park_chief",
            Role::ParkStaff => "park_staff",
            Role::Enterprise => "enterprise",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The post that gives this role its scope; `None` for zone-wide roles.
    pub fn post_role(self) -> Option<PostRole> {
        match self {
            Role::ChainChief => Some(PostRole::ChainChief),
            Role::ChainTaskForce => Some(PostRole::ChainTaskForce),
            Role::ChainOwner => Some(PostRole::ChainOwner),
            Role::ParkChief => Some(PostRole::ParkChief),
            Role::ParkStaff => Some(PostRole::ParkStaff),
            Role::Enterprise => Some(PostRole::EnterpriseContact),
            Role::Admin | Role::Leader | Role::Analyst => None,
        }
    }

    /// Whether the role needs a person whose posts give it a scope.
    pub fn needs_person(self) -> bool {
        self.post_role().is_some()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an account may reach today: its role and the chains, parks and enterprises of its current posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Scope {
    pub role: Role,
    pub chains: Vec<Id>,
    pub parks: Vec<Id>,
    pub enterprises: Vec<Id>,
    /// An overall chain chief (总链长) leads every chain.
    pub all_chains: bool,
    /// The registry person of the account, whose own record it always sees.
    #[serde(default)]
    pub person: Option<Id>,
}

/// The kinds of registry object whose reach the policy decides. Each kind is tied to chains, parks and
/// enterprises in its own way, which [`Place`] describes for one object and the store's SQL for a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An industry area: tied to nothing, so reached only by [`Reach::All`].
    Area,
    /// A chain: tied to itself and to the enterprises in its segments.
    Chain,
    /// A segment: tied to its chain and to the enterprises in it.
    Segment,
    /// A supply link: tied to the chain of its supplying segment.
    SupplyLink,
    /// A park: tied to itself and to the enterprises in it.
    Park,
    /// An enterprise's registry data: tied to its chains, its park and itself.
    Enterprise,
    /// An enterprise's private data — contact data, monthly figures, its contact people — tied as the enterprise.
    EnterpriseContact,
    /// An enterprise appeal: tied to the enterprise's chain and park when it was filed, to the enterprise, and to
    /// the people who handle it (the person it was routed to, its assignee, the chief it was escalated to).
    Appeal,
    /// A key project: tied to its chain and its park.
    Project,
    /// A park work order: tied to its park and to the people who handle it (its assignee, the chief it was
    /// escalated to).
    WorkOrder,
    /// A land parcel (地块): tied to its park, to its holder and to the holder's chains.
    LandParcel,
    /// A lease of factory space: tied to its park, to its tenant and to the tenant's chains.
    Lease,
    /// A firm's per-mu evaluation result: the enterprise's private data, tied as its figures are.
    AssessmentResult,
    /// A park's meter, its readings and alarms: tied to its park and to the enterprise it measures.
    Meter,
    /// A park's buildings, their units and the occupancy of the units (who leases what): tied to its park only, so
    /// the park's chief and staff reach their parks' and the readers of everything all.
    Building,
    /// A park's safety inspections — its inspection plans, the inspections done with their photos, and the
    /// hazards found (隐患): tied to its park only, like [`Kind::Building`]. Enterprise users reach none, not even
    /// hazards in the units they lease: a hazard is the park's finding and the park's work to rectify.
    Inspection,
    /// A chain's intelligence — its diagnostics, weights, target lists and the leads made of them (N图N清单):
    /// tied to its chain only, so chain roles reach their chains', park and enterprise users none.
    ChainIntel,
    /// A candidate firm outside the zone (招商目标库): a zone-wide registry read by whoever works on chains.
    Candidate,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Area,
        Kind::Chain,
        Kind::Segment,
        Kind::SupplyLink,
        Kind::Park,
        Kind::Enterprise,
        Kind::EnterpriseContact,
        Kind::Appeal,
        Kind::Project,
        Kind::WorkOrder,
        Kind::LandParcel,
        Kind::Lease,
        Kind::AssessmentResult,
        Kind::Meter,
        Kind::Building,
        Kind::Inspection,
        Kind::ChainIntel,
        Kind::Candidate,
    ];
}

/// The policy's visibility value: which objects of one kind an account reaches — all of them, or those tied to one
/// of the listed chains, parks or enterprises or to the account's own person (none when nothing is listed). The
/// store renders it as a SQL condition in one place; [`Reach::admits`] applies it to an object in hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    Tied {
        chains: Vec<Id>,
        /// Every object tied to some chain: an overall chain chief's.
        any_chain: bool,
        parks: Vec<Id>,
        enterprises: Vec<Id>,
        /// Objects tied to this person: the cases it handles.
        person: Option<Id>,
    },
}

/// What one object is tied to (see [`Kind`]): the chains and parks it belongs to, the enterprises it concerns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Place<'a> {
    pub chains: &'a [Id],
    pub parks: &'a [Id],
    pub enterprises: &'a [Id],
    /// The people who handle it (for cases).
    pub people: &'a [Id],
}

impl Reach {
    /// No object at all.
    pub fn nothing() -> Reach {
        Reach::Tied {
            chains: Vec::new(),
            any_chain: false,
            parks: Vec::new(),
            enterprises: Vec::new(),
            person: None,
        }
    }

    fn chains(chains: &[Id], any_chain: bool) -> Reach {
        Reach::Tied {
            chains: chains.to_vec(),
            any_chain,
            parks: Vec::new(),
            enterprises: Vec::new(),
            person: None,
        }
    }

    fn parks(parks: &[Id]) -> Reach {
        Reach::Tied {
            chains: Vec::new(),
            any_chain: false,
            parks: parks.to_vec(),
            enterprises: Vec::new(),
            person: None,
        }
    }

    fn enterprises(enterprises: &[Id]) -> Reach {
        Reach::Tied {
            chains: Vec::new(),
            any_chain: false,
            parks: Vec::new(),
            enterprises: enterprises.to_vec(),
            person: None,
        }
    }

    /// The enterprises, when the reach is these enterprises and nothing else (so that a page can offer them by
    /// name); `None` when it reaches by chain or park, or everything.
    pub fn only_enterprises(&self) -> Option<&[Id]> {
        match self {
            Reach::Tied {
                chains,
                any_chain: false,
                parks,
                enterprises,
                person: None,
            } if chains.is_empty() && parks.is_empty() => Some(enterprises),
            _ => None,
        }
    }

    /// Whether an object at `place` is reached.
    pub fn admits(&self, place: Place<'_>) -> bool {
        match self {
            Reach::All => true,
            Reach::Tied {
                chains,
                any_chain,
                parks,
                enterprises,
                person,
            } => {
                (*any_chain && !place.chains.is_empty())
                    || place.chains.iter().any(|c| chains.contains(c))
                    || place.parks.iter().any(|p| parks.contains(p))
                    || place.enterprises.iter().any(|e| enterprises.contains(e))
                    || person.is_some_and(|p| place.people.contains(&p))
            }
        }
    }
}

/// Which posts an account sees: a post follows the object it is a post of. Chain posts (chiefs, task force,
/// owners) follow their chain, park posts their park, enterprise contacts their enterprise's private data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostReach {
    /// Posts on these chains (a reach of [`Kind::Chain`]).
    pub chain_posts: Reach,
    /// The overall chain chief's post, which is on no one chain.
    pub overall_chief: bool,
    /// Posts in these parks (a reach of [`Kind::Park`]).
    pub park_posts: Reach,
    /// Contacts of these enterprises (a reach of [`Kind::EnterpriseContact`]).
    pub contacts: Reach,
}

/// Which people an account sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleReach {
    /// Everyone.
    All,
    /// Its own person, whoever holds one of these posts, and whoever handles an appeal the account sees.
    Some {
        own: Option<Id>,
        posts: Box<PostReach>,
    },
}

/// A refused action, with the reason shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub String);

impl Scope {
    /// The scope of a zone-wide role, or of a scoped role before its posts are known.
    pub fn zone(role: Role) -> Scope {
        Scope {
            role,
            chains: Vec::new(),
            parks: Vec::new(),
            enterprises: Vec::new(),
            all_chains: false,
            person: None,
        }
    }

    /// The full scope of the system itself (the demo loader, command-line maintenance).
    pub fn system() -> Scope {
        Scope::zone(Role::Admin)
    }

    /// The scope of `role` from the posts its person holds today (`posts` are already those held today).
    pub fn from_posts(role: Role, posts: &[Post]) -> Scope {
        let mut scope = Scope::zone(role);
        let Some(post_role) = role.post_role() else {
            return scope;
        };
        for post in posts.iter().filter(|p| p.role == post_role) {
            if let Some(chain) = post.chain_id {
                scope.chains.push(chain);
            } else if post_role == PostRole::ChainChief {
                scope.all_chains = true;
            }
            scope.parks.extend(post.park_id);
            scope.enterprises.extend(post.enterprise_id);
        }
        for list in [&mut scope.chains, &mut scope.parks, &mut scope.enterprises] {
            list.sort_unstable();
            list.dedup();
        }
        scope
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Leaders, analysts and admins read everything, including private fields and the audit trail.
    pub fn reads_everything(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Leader | Role::Analyst)
    }

    /// Figure imports — who sent which file, what was stored or refused, the row report — are their author's; the
    /// statistics staff (those who read everything) see every one. Others learn nothing of them.
    pub fn sees_every_import(&self) -> bool {
        self.reads_everything()
    }

    fn chain_role(&self) -> bool {
        matches!(
            self.role,
            Role::ChainChief | Role::ChainTaskForce | Role::ChainOwner
        )
    }

    fn park_role(&self) -> bool {
        matches!(self.role, Role::ParkChief | Role::ParkStaff)
    }

    /// Whether the chain is one of this account's chains.
    pub fn has_chain(&self, chain: Id) -> bool {
        self.chain_role() && (self.all_chains || self.chains.contains(&chain))
    }

    pub fn has_park(&self, park: Id) -> bool {
        self.park_role() && self.parks.contains(&park)
    }

    pub fn has_enterprise(&self, enterprise: Id) -> bool {
        self.role == Role::Enterprise && self.enterprises.contains(&enterprise)
    }

    /// Staff roles: the committee's officials (admin, leaders, analysts) and the chiefs' (chain chiefs and task
    /// force, park chiefs and staff). Chain owners are company and association people, enterprise users a firm's
    /// staff: neither is staff.
    pub fn is_staff(&self) -> bool {
        self.reads_everything()
            || matches!(
                self.role,
                Role::ChainChief | Role::ChainTaskForce | Role::ParkChief | Role::ParkStaff
            )
    }

    /// Which objects of `kind` the account reaches. Readers of everything reach all. A chain owner reaches its
    /// chains and what is in them, and every area and park, but no enterprise's private data. An enterprise user
    /// reaches its own enterprises and the chains, segments and parks they belong to — no areas, no supply links,
    /// nothing else. Chain chiefs and task force reach the private data of their chains' enterprises, park chiefs
    /// and staff that of their parks' enterprises, and the whole registry otherwise.
    ///
    /// Cases follow who answers for them: an appeal is reached by its chain's chiefs and task force, its park's
    /// chief and staff, its enterprise's own user and the people handling it; a key project by its chain's chiefs,
    /// task force and owners and its park's chief and staff; a work order by its park's chief and staff and the
    /// people handling it; a meter (its readings and alarms) by its park's chief and staff and the user of the
    /// enterprise it measures.
    pub fn reach(&self, kind: Kind) -> Reach {
        if self.reads_everything() {
            return Reach::All;
        }
        let chain_officer = matches!(self.role, Role::ChainChief | Role::ChainTaskForce);
        let case = |chains: bool, parks: bool, enterprises: bool, person: bool| {
            let own = |yes: bool, ids: &[Id]| if yes { ids.to_vec() } else { Vec::new() };
            Reach::Tied {
                chains: own(chains, &self.chains),
                any_chain: chains && self.all_chains,
                parks: own(parks && self.park_role(), &self.parks),
                enterprises: own(
                    enterprises && self.role == Role::Enterprise,
                    &self.enterprises,
                ),
                person: self.person.filter(|_| person),
            }
        };
        match kind {
            Kind::Appeal => return case(chain_officer, true, true, true),
            Kind::Project => return case(self.chain_role(), true, false, false),
            Kind::WorkOrder => return case(false, true, false, true),
            // Land and leases: the park's chief and staff, the chains' chiefs and task force, the firm itself.
            Kind::LandParcel | Kind::Lease => return case(chain_officer, true, true, false),
            Kind::AssessmentResult => return self.reach(Kind::EnterpriseContact),
            Kind::Meter => return case(false, true, true, false),
            Kind::Building | Kind::Inspection => return case(false, true, false, false),
            _ => {}
        }
        match (self.role, kind) {
            (_, Kind::ChainIntel) if self.chain_role() => {
                Reach::chains(&self.chains, self.all_chains)
            }
            (_, Kind::Candidate) if self.chain_role() => Reach::All,
            (_, Kind::ChainIntel | Kind::Candidate) => Reach::nothing(),
            (Role::Enterprise, _) => Reach::enterprises(&self.enterprises),
            (Role::ChainOwner, Kind::Area | Kind::Park) => Reach::All,
            (Role::ChainOwner, Kind::EnterpriseContact) => Reach::nothing(),
            (Role::ChainOwner, _) => Reach::chains(&self.chains, self.all_chains),
            (Role::ChainChief | Role::ChainTaskForce, Kind::EnterpriseContact) => {
                Reach::chains(&self.chains, self.all_chains)
            }
            (Role::ParkChief | Role::ParkStaff, Kind::EnterpriseContact) => {
                Reach::parks(&self.parks)
            }
            _ => Reach::All,
        }
    }

    /// Whether the account sees an object of `kind` at `place`.
    pub fn sees(&self, kind: Kind, place: Place<'_>) -> bool {
        self.reach(kind).admits(place)
    }

    /// Whether the account sees an enterprise (in `park` and these chains) at all.
    pub fn sees_enterprise(&self, enterprise: Id, park: Option<Id>, chains: &[Id]) -> bool {
        self.sees(
            Kind::Enterprise,
            enterprise_place(&enterprise, &park, chains),
        )
    }

    /// Whether the account may see the private fields (contact data, figures) of an enterprise in `park` and
    /// these chains.
    pub fn sees_private(&self, enterprise: Id, park: Option<Id>, chains: &[Id]) -> bool {
        self.sees(
            Kind::EnterpriseContact,
            enterprise_place(&enterprise, &park, chains),
        )
    }

    /// Which posts the account sees. The zone's officials and owners (chain and park posts) are not shown to
    /// enterprise users, even those of their own chain and park: an enterprise user learns only who handles its
    /// cases ([`Scope::people_reach`]).
    pub fn post_reach(&self) -> PostReach {
        let officials = self.role != Role::Enterprise;
        let or_nothing = |reach: Reach| if officials { reach } else { Reach::nothing() };
        PostReach {
            chain_posts: or_nothing(self.reach(Kind::Chain)),
            overall_chief: officials,
            park_posts: or_nothing(self.reach(Kind::Park)),
            contacts: self.reach(Kind::EnterpriseContact),
        }
    }

    /// Which people the account sees: readers of everything see everyone; every other account its own person,
    /// the holders of the posts it sees, and the people who handle the appeals it sees — so an enterprise user
    /// sees who handles its case.
    pub fn people_reach(&self) -> PeopleReach {
        if self.reads_everything() {
            PeopleReach::All
        } else {
            PeopleReach::Some {
                own: self.person,
                posts: Box::new(self.post_reach()),
            }
        }
    }

    /// Whether the account sees a person's own phone and e-mail (of a person it sees at all): staff roles see
    /// everyone's; others only their own person's and those of the contacts of enterprises whose private data
    /// they see.
    pub fn sees_personal_contact(&self, person: Id, contact_of_seen_enterprise: bool) -> bool {
        self.is_staff() || self.person == Some(person) || contact_of_seen_enterprise
    }

    /// Zone-wide views — roll-ups and statistics, the dashboard, chain and park pages, project figures, signing
    /// events, the transformation summary — and exports of the registry are for everyone who works in the zone;
    /// an enterprise user sees its own enterprise and nothing of the zone.
    pub fn may_see_zone_views(&self) -> Result<(), Denied> {
        if self.role == Role::Enterprise {
            Err(Denied(format!(
                "a {} account sees its own enterprise, not the zone's figures and lists",
                self.role
            )))
        } else {
            Ok(())
        }
    }

    /// A chain's scheduling report: readers of everything and the chain's own chiefs, task force and owners.
    pub fn may_read_chain_report(&self, chain: Id) -> Result<(), Denied> {
        if self.reads_everything() || self.has_chain(chain) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read chain {chain}'s report",
                self.role
            )))
        }
    }

    /// A park's scheduling report: readers of everything and the park's own chief and staff.
    pub fn may_read_park_report(&self, park: Id) -> Result<(), Denied> {
        if self.reads_everything() || self.has_park(park) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read park {park}'s report",
                self.role
            )))
        }
    }

    /// Changes to the zone's structure (areas, chains, people, posts, parks' existence) are the admin's.
    pub fn may_administer(&self) -> Result<(), Denied> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot change this",
                self.role
            )))
        }
    }

    /// A chain's intelligence — diagnostics, history, target lists, the N图N清单 pages and their export: readers of
    /// everything and the chain's own chiefs, task force and owners ([`Kind::ChainIntel`]).
    pub fn may_read_chain_intel(&self, chain: Id) -> Result<(), Denied> {
        if self.sees(
            Kind::ChainIntel,
            Place {
                chains: &[chain],
                ..Place::default()
            },
        ) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read chain {chain}'s diagnostics",
                self.role
            )))
        }
    }

    /// Steering a chain's attraction work — segment weights, pinning, excluding and re-weighting targets, turning
    /// a target into a lead: the admin, the chain's chiefs and its task force (as for its segments).
    pub fn may_steer_chain(&self, chain: Id) -> Result<(), Denied> {
        self.may_edit_chain(chain)
    }

    /// The candidate registry (招商目标库) is read by readers of everything and chain roles ([`Kind::Candidate`]).
    pub fn may_read_candidates(&self) -> Result<(), Denied> {
        if self.reach(Kind::Candidate) == Reach::All {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read the candidate registry",
                self.role
            )))
        }
    }

    /// Candidates are imported by the admin and by chain chiefs and task forces (for any chain: a candidate may
    /// serve several); reference tables for location quotients only by the admin, since they feed every chain.
    pub fn may_import_candidates(&self) -> Result<(), Denied> {
        if self.is_admin() || matches!(self.role, Role::ChainChief | Role::ChainTaskForce) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot import candidates",
                self.role
            )))
        }
    }

    /// When a firm settled in the zone and when it left: the admin, the chief and staff of its park, and the chiefs
    /// and task force of its chains — the people who bring firms in.
    pub fn may_record_tenure(&self, park: Option<Id>, chains: &[Id]) -> Result<(), Denied> {
        if self.is_admin()
            || park.is_some_and(|p| self.has_park(p))
            || chains.iter().any(|c| self.may_edit_chain(*c).is_ok())
        {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot record when this firm settled or left",
                self.role
            )))
        }
    }

    /// Segments and supply links of a chain: the admin, its chiefs and its task force.
    pub fn may_edit_chain(&self, chain: Id) -> Result<(), Denied> {
        if self.is_admin()
            || (matches!(self.role, Role::ChainChief | Role::ChainTaskForce)
                && self.has_chain(chain))
        {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot change chain {chain}",
                self.role
            )))
        }
    }

    /// A park's own data: the admin, its chief and its staff.
    pub fn may_edit_park(&self, park: Id) -> Result<(), Denied> {
        if self.is_admin() || self.has_park(park) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot change park {park}",
                self.role
            )))
        }
    }

    /// An enterprise change is allowed field by field: the admin changes anything; a chain's chiefs and task
    /// force change which of their chain's segments it sits in; a park's chief and staff change its park fields;
    /// the enterprise's own user changes its contact data. `segment_chain` tells which chain a segment is in.
    pub fn may_update_enterprise(
        &self,
        before: &Enterprise,
        after: &EnterpriseDraft,
        segment_chain: impl Fn(Id) -> Option<Id>,
    ) -> Result<(), Denied> {
        if self.is_admin() {
            return Ok(());
        }
        let was = before.to_input();
        let after = after.to_input();
        let deny = |what: &str| {
            Err(Denied(format!(
                "a {} account cannot change {what} of enterprise {}",
                self.role, before.id
            )))
        };
        // Registry facts only the admin changes.
        if was.credit_code != after.credit_code
            || was.name != after.name
            || was.name_en != after.name_en
            || was.industry_code != after.industry_code
            || was.above_size != after.above_size
            || was.high_tech != after.high_tech
            || was.leading != after.leading
            || was.founded_on != after.founded_on
            || was.status != after.status
        {
            return deny("the registry fields");
        }
        if was.contact != after.contact && !self.has_enterprise(before.id) {
            return deny("the contact data");
        }
        if was.park_id != after.park_id || was.district != after.district {
            // A park chief may take a firm into their park or record that it left their park.
            let touches_own = [was.park_id, after.park_id]
                .into_iter()
                .flatten()
                .any(|p| self.has_park(p));
            let only_own = [was.park_id, after.park_id]
                .into_iter()
                .flatten()
                .all(|p| self.has_park(p) || Some(p) == was.park_id);
            if !(touches_own && only_own) {
                return deny("the park");
            }
        }
        if was.segment_ids != after.segment_ids {
            let changed = was
                .segment_ids
                .iter()
                .filter(|s| !after.segment_ids.contains(s))
                .chain(
                    after
                        .segment_ids
                        .iter()
                        .filter(|s| !was.segment_ids.contains(s)),
                );
            for segment in changed {
                let chain = segment_chain(*segment);
                let allowed = chain.is_some_and(|c| self.may_edit_chain(c).is_ok());
                if !allowed {
                    return deny(&format!("segment {segment}"));
                }
            }
        }
        Ok(())
    }

    /// The server's metrics (requests, latency, pool, outbox) describe every user's traffic: admins only. A scraper
    /// without an account reads them with the configured metrics token instead (checked at the edge).
    pub fn may_read_metrics(&self) -> Result<(), Denied> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read the server's metrics",
                self.role
            )))
        }
    }

    pub fn may_read_audit(&self) -> Result<(), Denied> {
        if self.reads_everything() {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read the audit trail",
                self.role
            )))
        }
    }
}

/// Rules of the chiefs' daily work: appeals, projects, work orders, transformation.
impl Scope {
    /// Whether the account is the chief (链长 or 园长) of the chain or park a case belongs to.
    pub fn is_chief_of(&self, chain: Option<Id>, park: Option<Id>) -> bool {
        (self.role == Role::ChainChief && chain.is_some_and(|c| self.has_chain(c)))
            || (self.role == Role::ParkChief && park.is_some_and(|p| self.has_park(p)))
    }

    /// For which enterprises the account files appeals: the admin for any; an enterprise's own user for its
    /// enterprises; chain chiefs and task force on behalf of the enterprises in their chains, park chiefs and staff
    /// of those in their parks. A reach of [`Kind::Enterprise`]; nothing for everyone else.
    pub fn files_appeals(&self) -> Reach {
        match self.role {
            Role::Admin => Reach::All,
            Role::Enterprise => Reach::enterprises(&self.enterprises),
            Role::ChainChief | Role::ChainTaskForce => Reach::chains(&self.chains, self.all_chains),
            Role::ParkChief | Role::ParkStaff => Reach::parks(&self.parks),
            Role::Leader | Role::Analyst | Role::ChainOwner => Reach::nothing(),
        }
    }

    /// Filing an appeal for one enterprise, in these chains and this park ([`Scope::files_appeals`]).
    pub fn may_file_appeal(
        &self,
        enterprise: Id,
        chains: &[Id],
        park: Option<Id>,
    ) -> Result<(), Denied> {
        if self
            .files_appeals()
            .admits(enterprise_place(&enterprise, &park, chains))
        {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot file an appeal for enterprise {enterprise}",
                self.role
            )))
        }
    }

    /// The routing rules are read by everyone who works in the zone; an enterprise user does not learn who
    /// routes what.
    pub fn may_read_routing_rules(&self) -> Result<(), Denied> {
        if self.role == Role::Enterprise {
            Err(Denied(
                "an enterprise account cannot read the routing rules".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// The role whose accounts keep the routing rules, signing events and the holiday calendar
    /// ([`Scope::may_edit_workflow_rules`]), and are told when a calendar is missing.
    pub const RULES_KEEPER: Role = Role::Admin;

    /// Routing rules, signing events and the holiday calendar are the admin's.
    pub fn may_edit_workflow_rules(&self) -> Result<(), Denied> {
        self.may_administer()
    }

    /// Who sees a key project: readers of everything, its chain's chiefs, task force and owners, its park's people.
    pub fn sees_project(&self, chain: Option<Id>, park: Option<Id>) -> bool {
        self.sees(
            Kind::Project,
            Place {
                chains: chain.as_slice(),
                parks: park.as_slice(),
                ..Place::default()
            },
        )
    }

    /// Who may start a key project at all: the admin and chain chiefs and task force (in their own chains, which
    /// [`Scope::may_edit_project`] checks).
    pub fn may_create_projects(&self) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::ChainChief | Role::ChainTaskForce
        )
    }

    /// Who changes a key project: the admin, its chain's chiefs and task force.
    pub fn may_edit_project(&self, chain: Option<Id>) -> Result<(), Denied> {
        if self.is_admin() || chain.is_some_and(|c| self.may_edit_chain(c).is_ok()) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot change projects outside its chains",
                self.role
            )))
        }
    }

    /// Park work orders: the admin, the park's chief and its staff open and dispatch them.
    pub fn may_edit_park_work(&self, park: Id) -> Result<(), Denied> {
        self.may_edit_park(park)
    }

    /// A park's land parcels and leases: the admin, the park's chief and its staff keep them.
    pub fn may_keep_land(&self, park: Id) -> Result<(), Denied> {
        self.may_edit_park(park)
    }

    /// Whether the account keeps any park's land (the admin, a park's chief and staff): a land file from anyone
    /// else is refused before it is read.
    pub fn may_keep_any_land(&self) -> Result<(), Denied> {
        if self.is_admin() || (self.park_role() && !self.parks.is_empty()) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account keeps no park's land",
                self.role
            )))
        }
    }

    /// Evaluation schemes and runs are the admin's; every signed-in account reads the schemes (the rules that
    /// grade a firm are public policy).
    pub fn may_run_assessments(&self) -> Result<(), Denied> {
        self.may_administer()
    }

    /// A scorecard of a chain (`chain`) or a park (`park`): readers of everything see every card; a chain's chiefs
    /// and task force their chain's, a park's chief and staff their park's. The ranking (totals only) is a zone view.
    pub fn may_read_scorecard(&self, chain: Option<Id>, park: Option<Id>) -> Result<(), Denied> {
        let own_chain = chain.is_some_and(|c| {
            matches!(self.role, Role::ChainChief | Role::ChainTaskForce) && self.has_chain(c)
        });
        let own_park = park.is_some_and(|p| self.park_role() && self.has_park(p));
        if self.reads_everything() || own_chain || own_park {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account reads only its own chain's or park's scorecard",
                self.role
            )))
        }
    }

    /// Whether the park page shows the park's operations (energy, meter alarms): to readers of everything and to
    /// the park's own chief and staff, who reach its meters ([`Kind::Meter`]).
    pub fn sees_park_operations(&self, park: Id) -> bool {
        self.reads_everything() || self.has_park(park)
    }

    /// A park's occupancy (its units, who leases them, its vacancy): readers of everything and the park's own chief
    /// and staff, who reach its buildings ([`Kind::Building`]).
    pub fn may_read_space(&self, park: Id) -> Result<(), Denied> {
        if self.sees_park_operations(park) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read park {park}'s occupancy",
                self.role
            )))
        }
    }

    /// A park's buildings, units and the leases of its units: the admin, the park's chief and its staff.
    pub fn may_keep_space(&self, park: Id) -> Result<(), Denied> {
        self.may_edit_park(park)
    }

    /// A park's inspection plans, inspections and hazards (and their photos, work orders, re-checks): the admin,
    /// the park's chief and its staff.
    pub fn may_keep_safety(&self, park: Id) -> Result<(), Denied> {
        self.may_edit_park(park)
    }

    /// Whether the safety inspection pages are for the account at all: readers of everything and park chiefs and
    /// staff (who reach their parks' inspections).
    pub fn may_see_safety(&self) -> bool {
        self.reads_everything() || self.park_role()
    }

    /// A park's safety figures on its board (hazards by level): readers of everything and the park's own chief and
    /// staff, who reach its inspections ([`Kind::Inspection`]).
    pub fn may_read_safety(&self, park: Id) -> Result<(), Denied> {
        if self.sees_park_operations(park) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot read park {park}'s inspections and hazards",
                self.role
            )))
        }
    }

    /// A park's meters and their readings: the admin, the park's chief and its staff.
    pub fn may_edit_meters(&self, park: Id) -> Result<(), Denied> {
        self.may_edit_park(park)
    }

    /// In which parks the account opens work orders ([`Scope::may_edit_park_work`]): a reach of [`Kind::Park`].
    pub fn opens_work_orders(&self) -> Reach {
        match self.role {
            Role::Admin => Reach::All,
            Role::ParkChief | Role::ParkStaff => Reach::parks(&self.parks),
            _ => Reach::nothing(),
        }
    }

    /// Whether park work orders are part of the account's work, so its pages lead to them: readers of
    /// everything and the parks' chiefs and staff.
    pub fn works_with_work_orders(&self) -> bool {
        self.reads_everything() || self.park_role()
    }

    /// Transformation projects and recognitions are recorded by the admin and the chains' chiefs and task force.
    pub fn may_record_transformation(&self, chains: &[Id]) -> Result<(), Denied> {
        if self.is_admin() || chains.iter().any(|c| self.may_edit_chain(*c).is_ok()) {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot record transformation results for this enterprise",
                self.role
            )))
        }
    }
}

/// Where an account's pages open ([`Scope::landing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    /// The zone's dashboard.
    Dashboard,
    /// One chain's page, or the list of chains when the account has several (or every one).
    Chain(Option<Id>),
    /// One park's page, or the list of parks.
    Park(Option<Id>),
    /// One enterprise's page, or the list of enterprises.
    Enterprise(Option<Id>),
}

impl Scope {
    /// Each role lands on what it works on: readers of everything on the dashboard, chain roles on their chain,
    /// park roles on their park, an enterprise user on their enterprise (on the list when there is not one).
    pub fn landing(&self) -> Landing {
        let one = |ids: &[Id]| match ids {
            [one] => Some(*one),
            _ => None,
        };
        match self.role {
            Role::Admin | Role::Leader | Role::Analyst => Landing::Dashboard,
            Role::ChainChief | Role::ChainTaskForce | Role::ChainOwner => {
                Landing::Chain(one(&self.chains).filter(|_| !self.all_chains))
            }
            Role::ParkChief | Role::ParkStaff => Landing::Park(one(&self.parks)),
            Role::Enterprise => Landing::Enterprise(one(&self.enterprises)),
        }
    }
}

/// The place of an enterprise: its chains, its park, itself.
fn enterprise_place<'a>(enterprise: &'a Id, park: &'a Option<Id>, chains: &'a [Id]) -> Place<'a> {
    Place {
        chains,
        parks: park.as_slice(),
        enterprises: std::slice::from_ref(enterprise),
        people: &[],
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// A world of two chains (1 own, 2 foreign) and two parks (10 own, 20 foreign), with enterprises that differ
    /// from the own one (100: chain 1, park 10) on one axis at a time: 200 (chain 1, park 20), 300 (chain 2,
    /// park 10), 400 (chain 2, park 20).
    const OWN: (Id, Id, Id) = (100, 10, 1);
    const OWN_CHAIN_ONLY: (Id, Id, Id) = (200, 20, 1);
    const OWN_PARK_ONLY: (Id, Id, Id) = (300, 10, 2);
    const FOREIGN: (Id, Id, Id) = (400, 20, 2);

    fn scope(role: Role, chains: &[Id], parks: &[Id], enterprises: &[Id]) -> Scope {
        Scope {
            chains: chains.to_vec(),
            parks: parks.to_vec(),
            enterprises: enterprises.to_vec(),
            person: Some(7),
            ..Scope::zone(role)
        }
    }

    fn enterprise_user() -> Scope {
        scope(Role::Enterprise, &[], &[], &[OWN.0])
    }

    fn sees_enterprise(s: &Scope, (e, park, chain): (Id, Id, Id)) -> bool {
        s.sees_enterprise(e, Some(park), &[chain])
    }

    fn sees_private(s: &Scope, (e, park, chain): (Id, Id, Id)) -> bool {
        s.sees_private(e, Some(park), &[chain])
    }

    fn chain_place(chain: &[Id], members: &[Id]) -> bool {
        enterprise_user().sees(
            Kind::Chain,
            Place {
                chains: chain,
                enterprises: members,
                ..Place::default()
            },
        )
    }

    #[test]
    fn inspections_and_hazards_are_seen_and_kept_by_their_parks_team_only() {
        let hazard = |park: Id| {
            move |s: &Scope| {
                s.sees(
                    Kind::Inspection,
                    Place {
                        parks: &[park],
                        enterprises: &[5],
                        ..Place::default()
                    },
                )
            }
        };
        let staff = scope(Role::ParkStaff, &[], &[10], &[]);
        assert!(hazard(10)(&staff) && !hazard(20)(&staff));
        assert!(staff.may_keep_safety(10).is_ok() && staff.may_keep_safety(20).is_err());
        assert!(!hazard(10)(&scope(Role::Enterprise, &[], &[10], &[5])));
        assert!(!hazard(10)(&scope(Role::ChainChief, &[1], &[], &[])));
        for reader in [Role::Leader, Role::Analyst] {
            assert!(hazard(20)(&Scope::zone(reader)));
            assert!(Scope::zone(reader).may_keep_safety(20).is_err());
            assert!(Scope::zone(reader).may_read_safety(20).is_ok());
        }
    }

    #[test]
    fn buildings_are_seen_and_kept_by_their_parks_team_only() {
        let building = |park: Id| {
            move |s: &Scope| {
                s.sees(
                    Kind::Building,
                    Place {
                        parks: &[park],
                        ..Place::default()
                    },
                )
            }
        };
        let chief = scope(Role::ParkChief, &[], &[10], &[]);
        assert!(building(10)(&chief) && !building(20)(&chief));
        assert!(chief.may_keep_space(10).is_ok() && chief.may_keep_space(20).is_err());
        assert!(!building(10)(&enterprise_user()));
        assert!(!building(10)(&scope(Role::ChainChief, &[1], &[], &[])));
        assert!(building(20)(&Scope::zone(Role::Leader)));
        assert!(Scope::zone(Role::Leader).may_keep_space(20).is_err());
    }

    #[test]
    fn a_meter_is_seen_by_its_parks_team_and_its_enterprise_only() {
        let meter = |park: Id, enterprise: Option<Id>| {
            move |s: &Scope| {
                s.sees(
                    Kind::Meter,
                    Place {
                        parks: &[park],
                        enterprises: enterprise.as_slice(),
                        ..Place::default()
                    },
                )
            }
        };
        let chief = scope(Role::ParkChief, &[], &[10], &[]);
        assert!(meter(10, None)(&chief) && !meter(20, Some(100))(&chief));
        assert!(chief.may_edit_meters(10).is_ok() && chief.may_edit_meters(20).is_err());
        assert!(chief.sees_park_operations(10) && !chief.sees_park_operations(20));
        let firm = enterprise_user();
        assert!(
            meter(20, Some(100))(&firm) && !meter(10, None)(&firm) && !meter(10, Some(300))(&firm)
        );
        assert!(firm.may_edit_meters(10).is_err());
        let chain_chief = scope(Role::ChainChief, &[1], &[], &[]);
        assert!(!meter(10, Some(100))(&chain_chief));
        assert!(meter(20, None)(&Scope::zone(Role::Analyst)));
    }

    #[test]
    fn readers_of_everything_reach_every_object_of_every_kind() {
        for role in [Role::Admin, Role::Leader, Role::Analyst] {
            for kind in Kind::ALL {
                assert_eq!(Scope::zone(role).reach(kind), Reach::All, "{role} {kind:?}");
            }
        }
    }

    #[test]
    fn an_enterprise_user_sees_its_own_enterprise_and_no_other() {
        let s = enterprise_user();
        assert!(sees_enterprise(&s, OWN) && sees_private(&s, OWN));
        for other in [OWN_CHAIN_ONLY, OWN_PARK_ONLY, FOREIGN] {
            assert!(!sees_enterprise(&s, other), "{other:?}");
            assert!(!sees_private(&s, other), "{other:?}");
        }
    }

    #[test]
    fn an_enterprise_user_sees_the_chains_segments_and_parks_its_enterprise_belongs_to_only() {
        assert!(
            chain_place(&[1], &[OWN.0, 200]),
            "a chain its enterprise sits in"
        );
        assert!(!chain_place(&[2], &[300, 400]), "a chain without it");
        let s = enterprise_user();
        let park = |members: &[Id]| {
            s.sees(
                Kind::Park,
                Place {
                    parks: &[10],
                    enterprises: members,
                    ..Place::default()
                },
            )
        };
        assert!(park(&[OWN.0]) && !park(&[300]));
    }

    #[test]
    fn an_enterprise_user_sees_no_area_and_no_supply_link() {
        let s = enterprise_user();
        assert_eq!(s.reach(Kind::Area), Reach::enterprises(&[OWN.0]));
        assert!(!s.sees(Kind::Area, Place::default()));
        let link = Place {
            chains: &[1],
            ..Place::default()
        };
        assert!(!s.sees(Kind::SupplyLink, link));
    }

    #[test]
    fn a_chain_owner_sees_its_chains_enterprises_but_not_their_private_data() {
        let s = scope(Role::ChainOwner, &[1], &[], &[]);
        assert!(sees_enterprise(&s, OWN) && sees_enterprise(&s, OWN_CHAIN_ONLY));
        assert!(!sees_enterprise(&s, OWN_PARK_ONLY) && !sees_enterprise(&s, FOREIGN));
        for e in [OWN, OWN_CHAIN_ONLY, OWN_PARK_ONLY, FOREIGN] {
            assert!(!sees_private(&s, e), "{e:?}");
        }
        let foreign_chain = Place {
            chains: &[2],
            ..Place::default()
        };
        assert!(!s.sees(Kind::Chain, foreign_chain) && !s.sees(Kind::Segment, foreign_chain));
        assert_eq!(s.reach(Kind::Park), Reach::All, "every park");
        assert_eq!(s.reach(Kind::Area), Reach::All, "every area");
    }

    #[test]
    fn chain_chiefs_and_task_force_see_the_private_data_of_their_chains_enterprises() {
        for role in [Role::ChainChief, Role::ChainTaskForce] {
            let s = scope(role, &[1], &[], &[]);
            assert!(
                sees_private(&s, OWN) && sees_private(&s, OWN_CHAIN_ONLY),
                "{role}"
            );
            assert!(
                !sees_private(&s, OWN_PARK_ONLY) && !sees_private(&s, FOREIGN),
                "{role}"
            );
            assert!(
                sees_enterprise(&s, FOREIGN),
                "{role} sees the whole registry"
            );
        }
    }

    #[test]
    fn an_overall_chain_chief_sees_the_private_data_of_every_enterprise_in_a_chain() {
        let s = Scope {
            all_chains: true,
            ..scope(Role::ChainChief, &[], &[], &[])
        };
        assert!(sees_private(&s, FOREIGN));
        assert!(
            !s.sees_private(500, Some(10), &[]),
            "not of one in no chain"
        );
    }

    #[test]
    fn park_chiefs_and_staff_see_the_private_data_of_their_parks_enterprises() {
        for role in [Role::ParkChief, Role::ParkStaff] {
            let s = scope(role, &[], &[10], &[]);
            assert!(
                sees_private(&s, OWN) && sees_private(&s, OWN_PARK_ONLY),
                "{role}"
            );
            assert!(
                !sees_private(&s, OWN_CHAIN_ONLY) && !sees_private(&s, FOREIGN),
                "{role}"
            );
            assert!(
                sees_enterprise(&s, FOREIGN),
                "{role} sees the whole registry"
            );
        }
    }

    #[test]
    fn posts_follow_their_chain_park_or_enterprise() {
        let owner = scope(Role::ChainOwner, &[1], &[], &[]).post_reach();
        assert_eq!(owner.chain_posts, Reach::chains(&[1], false));
        assert!(owner.overall_chief);
        assert_eq!(owner.park_posts, Reach::All);
        assert_eq!(owner.contacts, Reach::nothing());
        let staff = scope(Role::ParkStaff, &[], &[10], &[]).post_reach();
        assert_eq!(staff.chain_posts, Reach::All);
        assert_eq!(staff.contacts, Reach::parks(&[10]));
    }

    #[test]
    fn an_enterprise_user_sees_its_own_contacts_posts_and_no_officials_posts() {
        let posts = enterprise_user().post_reach();
        assert_eq!(posts.chain_posts, Reach::nothing());
        assert!(!posts.overall_chief);
        assert_eq!(posts.park_posts, Reach::nothing());
        assert_eq!(posts.contacts, Reach::enterprises(&[OWN.0]));
    }

    #[test]
    fn readers_of_everything_see_everyone_and_others_their_person_and_the_holders_of_posts_they_see()
     {
        assert_eq!(Scope::zone(Role::Leader).people_reach(), PeopleReach::All);
        let s = enterprise_user();
        assert_eq!(
            s.people_reach(),
            PeopleReach::Some {
                own: Some(7),
                posts: Box::new(s.post_reach())
            }
        );
    }

    #[test]
    fn staff_see_officials_personal_phones_and_others_only_their_own_and_their_contacts() {
        for role in [
            Role::Admin,
            Role::Leader,
            Role::Analyst,
            Role::ChainChief,
            Role::ChainTaskForce,
            Role::ParkChief,
            Role::ParkStaff,
        ] {
            assert!(
                scope(role, &[1], &[10], &[]).sees_personal_contact(8, false),
                "{role}"
            );
        }
        for role in [Role::ChainOwner, Role::Enterprise] {
            let s = scope(role, &[1], &[], &[OWN.0]);
            assert!(!s.is_staff(), "{role}");
            assert!(!s.sees_personal_contact(8, false), "{role}: an official's");
            assert!(s.sees_personal_contact(7, false), "{role}: its own");
            assert!(
                s.sees_personal_contact(8, true),
                "{role}: a contact it sees"
            );
        }
    }

    #[test]
    fn chain_intel_is_read_by_the_chains_roles_and_steered_by_its_chiefs_and_task_force() {
        for role in [Role::Admin, Role::Leader, Role::Analyst] {
            assert!(
                scope(role, &[], &[], &[]).may_read_chain_intel(2).is_ok(),
                "{role}"
            );
        }
        for role in [Role::ChainChief, Role::ChainTaskForce, Role::ChainOwner] {
            let s = scope(role, &[1], &[], &[]);
            assert!(s.may_read_chain_intel(1).is_ok(), "{role}");
            assert!(s.may_read_chain_intel(2).is_err(), "{role}: another chain");
            assert!(s.may_read_candidates().is_ok(), "{role}");
        }
        for role in [Role::ParkChief, Role::ParkStaff, Role::Enterprise] {
            let s = scope(role, &[1], &[10], &[OWN.0]);
            assert!(s.may_read_chain_intel(1).is_err(), "{role}");
            assert!(s.may_read_candidates().is_err(), "{role}");
            assert_eq!(s.reach(Kind::ChainIntel), Reach::nothing(), "{role}");
        }
        assert!(
            scope(Role::ChainChief, &[1], &[], &[])
                .may_steer_chain(1)
                .is_ok()
        );
        assert!(
            scope(Role::ChainTaskForce, &[1], &[], &[])
                .may_steer_chain(2)
                .is_err()
        );
        assert!(
            scope(Role::ChainOwner, &[1], &[], &[])
                .may_steer_chain(1)
                .is_err()
        );
        assert!(Scope::zone(Role::Leader).may_steer_chain(1).is_err());
        assert!(
            scope(Role::ChainOwner, &[1], &[], &[])
                .may_import_candidates()
                .is_err()
        );
    }

    #[test]
    fn zone_views_are_refused_to_enterprise_users_only() {
        for role in Role::ALL {
            let allowed = scope(role, &[1], &[10], &[OWN.0])
                .may_see_zone_views()
                .is_ok();
            assert_eq!(allowed, role != Role::Enterprise, "{role}");
        }
    }

    #[test]
    fn a_scheduling_report_is_read_by_its_chains_or_parks_people_and_readers_of_everything() {
        let owner = scope(Role::ChainOwner, &[1], &[], &[]);
        assert!(owner.may_read_chain_report(1).is_ok() && owner.may_read_chain_report(2).is_err());
        assert!(owner.may_read_park_report(10).is_err());
        let chief = scope(Role::ParkChief, &[], &[10], &[]);
        assert!(chief.may_read_park_report(10).is_ok() && chief.may_read_park_report(20).is_err());
        assert!(chief.may_read_chain_report(1).is_err());
        assert!(Scope::zone(Role::Analyst).may_read_chain_report(2).is_ok());
    }

    #[test]
    fn the_scope_comes_from_the_posts_of_the_roles_kind_only() {
        let day = NaiveDate::from_ymd_opt(2021, 8, 1).expect("a day");
        let post = |id: Id, role: PostRole, chain: Option<Id>, park: Option<Id>| Post {
            id,
            person_id: 7,
            role,
            chain_id: chain,
            park_id: park,
            enterprise_id: None,
            chief_level: None,
            owner_kind: None,
            title: String::new(),
            starts_on: day,
            ends_on: None,
            archived: false,
            updated_at: chrono::DateTime::default(),
        };
        let posts = [
            post(1, PostRole::ChainChief, Some(1), None),
            post(2, PostRole::ParkStaff, None, Some(10)),
            post(3, PostRole::ChainChief, None, None),
        ];
        let chief = Scope::from_posts(Role::ChainChief, &posts);
        assert_eq!(
            (chief.chains.as_slice(), chief.all_chains),
            (&[1][..], true)
        );
        assert!(
            chief.parks.is_empty(),
            "a park post gives a chain role nothing"
        );
        let staff = Scope::from_posts(Role::ParkStaff, &posts);
        assert_eq!((staff.chains.len(), staff.parks.as_slice()), (0, &[10][..]));
    }

    #[test]
    fn appeals_are_filed_by_the_enterprise_its_chain_and_park_officers_and_the_admin() {
        let files = |s: &Scope, e: (Id, Id, Id)| s.may_file_appeal(e.0, &[e.2], Some(e.1)).is_ok();
        assert!(files(&enterprise_user(), OWN) && !files(&enterprise_user(), FOREIGN));
        for role in [Role::ChainChief, Role::ChainTaskForce] {
            let s = scope(role, &[1], &[], &[]);
            assert!(
                files(&s, OWN_CHAIN_ONLY) && !files(&s, OWN_PARK_ONLY),
                "{role}"
            );
        }
        for role in [Role::ParkChief, Role::ParkStaff] {
            let s = scope(role, &[], &[10], &[]);
            assert!(
                files(&s, OWN_PARK_ONLY) && !files(&s, OWN_CHAIN_ONLY),
                "{role}"
            );
        }
        assert!(files(&Scope::zone(Role::Admin), FOREIGN));
        for role in [Role::Leader, Role::Analyst, Role::ChainOwner] {
            assert_eq!(
                scope(role, &[1], &[10], &[]).files_appeals(),
                Reach::nothing(),
                "{role}"
            );
        }
    }

    #[test]
    fn a_reach_of_enterprises_alone_names_them_and_any_other_does_not() {
        assert_eq!(
            Reach::enterprises(&[100]).only_enterprises(),
            Some(&[100][..])
        );
        assert_eq!(Reach::nothing().only_enterprises(), Some(&[][..]));
        assert_eq!(Reach::parks(&[10]).only_enterprises(), None);
        assert_eq!(Reach::chains(&[], true).only_enterprises(), None);
        assert_eq!(Reach::All.only_enterprises(), None);
    }

    /// Whether `s` reaches a case of `kind` of enterprise `OWN.0` (chain 1, park 10) handled by person 8.
    fn sees_case(s: &Scope, kind: Kind, (e, park, chain): (Id, Id, Id), handler: Id) -> bool {
        s.sees(
            kind,
            Place {
                chains: &[chain],
                parks: &[park],
                enterprises: &[e],
                people: &[handler],
            },
        )
    }

    #[test]
    fn an_appeal_is_seen_by_its_chains_and_parks_officers_its_enterprise_and_its_handlers() {
        for role in [Role::ChainChief, Role::ChainTaskForce] {
            let s = scope(role, &[1], &[], &[]);
            assert!(sees_case(&s, Kind::Appeal, OWN_CHAIN_ONLY, 8), "{role}");
            assert!(!sees_case(&s, Kind::Appeal, OWN_PARK_ONLY, 8), "{role}");
        }
        for role in [Role::ParkChief, Role::ParkStaff] {
            let s = scope(role, &[], &[10], &[]);
            assert!(sees_case(&s, Kind::Appeal, OWN_PARK_ONLY, 8), "{role}");
            assert!(!sees_case(&s, Kind::Appeal, OWN_CHAIN_ONLY, 8), "{role}");
        }
        let own = enterprise_user();
        assert!(
            sees_case(&own, Kind::Appeal, OWN, 8) && !sees_case(&own, Kind::Appeal, FOREIGN, 8)
        );
        let owner = scope(Role::ChainOwner, &[1], &[], &[]);
        assert!(
            !sees_case(&owner, Kind::Appeal, OWN, 8),
            "an owner answers for no appeal"
        );
        assert!(
            sees_case(&owner, Kind::Appeal, FOREIGN, 7),
            "but sees one it handles"
        );
    }

    #[test]
    fn a_project_is_seen_by_its_chains_people_and_its_parks_and_by_no_enterprise_user() {
        for role in [Role::ChainChief, Role::ChainTaskForce, Role::ChainOwner] {
            let s = scope(role, &[1], &[], &[]);
            assert!(sees_case(&s, Kind::Project, OWN_CHAIN_ONLY, 7), "{role}");
            assert!(!sees_case(&s, Kind::Project, OWN_PARK_ONLY, 7), "{role}");
        }
        let staff = scope(Role::ParkStaff, &[], &[10], &[]);
        assert!(sees_case(&staff, Kind::Project, OWN_PARK_ONLY, 7));
        assert!(
            !sees_case(&staff, Kind::Project, OWN_CHAIN_ONLY, 7),
            "handling is no tie"
        );
        assert_eq!(enterprise_user().reach(Kind::Project), Reach::nothing());
    }

    #[test]
    fn a_work_order_is_seen_by_its_parks_chief_and_staff_and_its_handlers() {
        for role in [Role::ParkChief, Role::ParkStaff] {
            let s = scope(role, &[], &[10], &[]);
            assert!(sees_case(&s, Kind::WorkOrder, OWN_PARK_ONLY, 8), "{role}");
            assert!(!sees_case(&s, Kind::WorkOrder, OWN_CHAIN_ONLY, 8), "{role}");
        }
        let chief = scope(Role::ChainChief, &[1], &[], &[]);
        assert!(
            !sees_case(&chief, Kind::WorkOrder, OWN, 8),
            "chains are no tie"
        );
        assert!(
            sees_case(&chief, Kind::WorkOrder, FOREIGN, 7),
            "but its own case is"
        );
    }

    #[test]
    fn routing_rules_are_read_by_every_role_but_enterprise_users() {
        for role in Role::ALL {
            let reads = Scope::zone(role).may_read_routing_rules().is_ok();
            assert_eq!(reads, role != Role::Enterprise, "{role}");
        }
    }

    #[test]
    fn work_orders_are_opened_by_the_parks_chief_and_staff_and_the_admin() {
        assert_eq!(Scope::zone(Role::Admin).opens_work_orders(), Reach::All);
        for role in Role::ALL {
            let opens = scope(role, &[1], &[10], &[OWN.0]).opens_work_orders();
            let expected = match role {
                Role::Admin => Reach::All,
                Role::ParkChief | Role::ParkStaff => Reach::parks(&[10]),
                _ => Reach::nothing(),
            };
            assert_eq!(opens, expected, "{role}");
        }
    }

    #[test]
    fn work_orders_are_the_work_of_readers_of_everything_and_the_parks_people() {
        for role in Role::ALL {
            let expected = matches!(
                role,
                Role::Admin | Role::Leader | Role::Analyst | Role::ParkChief | Role::ParkStaff
            );
            assert_eq!(
                Scope::zone(role).works_with_work_orders(),
                expected,
                "{role}"
            );
        }
    }

    #[test]
    fn each_role_lands_on_what_it_works_on() {
        assert_eq!(Scope::zone(Role::Leader).landing(), Landing::Dashboard);
        assert_eq!(
            scope(Role::ChainOwner, &[1], &[], &[]).landing(),
            Landing::Chain(Some(1))
        );
        assert_eq!(
            scope(Role::ChainChief, &[1, 2], &[], &[]).landing(),
            Landing::Chain(None)
        );
        let overall = Scope {
            all_chains: true,
            ..scope(Role::ChainChief, &[1], &[], &[])
        };
        assert_eq!(overall.landing(), Landing::Chain(None), "every chain");
        assert_eq!(
            scope(Role::ParkStaff, &[], &[10], &[]).landing(),
            Landing::Park(Some(10))
        );
        assert_eq!(
            enterprise_user().landing(),
            Landing::Enterprise(Some(OWN.0))
        );
    }
}
