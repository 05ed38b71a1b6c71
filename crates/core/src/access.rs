//! Who may see and change what. An account has a role; for chiefs, owners, staff and enterprises the role's
//! scope (which chains, parks or enterprises) comes from the posts its person holds today, so when a post ends
//! the access ends with it. The store asks these rules inside every query and change.

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

    /// Chain owners see only their own chains; everyone else sees the zone's registry. `None` = no limit.
    pub fn visible_chains(&self) -> Option<&[Id]> {
        (self.role == Role::ChainOwner && !self.all_chains).then_some(self.chains.as_slice())
    }

    /// Whether the account may see the private (contact) fields of an enterprise in these segments' chains.
    pub fn sees_private(&self, enterprise: Id, park: Option<Id>, chains: &[Id]) -> bool {
        self.reads_everything()
            || self.has_enterprise(enterprise)
            || park.is_some_and(|p| self.has_park(p))
            || (matches!(self.role, Role::ChainChief | Role::ChainTaskForce)
                && chains.iter().any(|c| self.has_chain(*c)))
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
    /// Whether the account answers for the chain or the park a case belongs to: chain chiefs and task force of
    /// the chain, park chiefs and staff of the park.
    pub fn is_case_officer(&self, chain: Option<Id>, park: Option<Id>) -> bool {
        (matches!(self.role, Role::ChainChief | Role::ChainTaskForce)
            && chain.is_some_and(|c| self.has_chain(c)))
            || park.is_some_and(|p| self.has_park(p))
    }

    /// Whether the account is the chief (链长 or 园长) of the chain or park a case belongs to.
    pub fn is_chief_of(&self, chain: Option<Id>, park: Option<Id>) -> bool {
        (self.role == Role::ChainChief && chain.is_some_and(|c| self.has_chain(c)))
            || (self.role == Role::ParkChief && park.is_some_and(|p| self.has_park(p)))
    }

    /// Who sees an enterprise's appeal: readers of everything, its chain's and park's officers, the enterprise.
    pub fn sees_appeal(&self, enterprise: Id, chains: &[Id], park: Option<Id>) -> bool {
        self.reads_everything()
            || self.has_enterprise(enterprise)
            || chains.iter().any(|c| self.is_case_officer(Some(*c), None))
            || self.is_case_officer(None, park)
    }

    /// Filing an appeal: the enterprise's own user, or an officer of its chain or park on its behalf, or the admin.
    pub fn may_file_appeal(
        &self,
        enterprise: Id,
        chains: &[Id],
        park: Option<Id>,
    ) -> Result<(), Denied> {
        if self.is_admin()
            || self.has_enterprise(enterprise)
            || chains.iter().any(|c| self.is_case_officer(Some(*c), None))
            || self.is_case_officer(None, park)
        {
            Ok(())
        } else {
            Err(Denied(format!(
                "a {} account cannot file an appeal for enterprise {enterprise}",
                self.role
            )))
        }
    }

    /// Routing rules, signing events and the holiday calendar are the admin's.
    pub fn may_edit_workflow_rules(&self) -> Result<(), Denied> {
        self.may_administer()
    }

    /// Who sees a key project: readers of everything, its chain's chiefs, task force and owners, its park's people.
    pub fn sees_project(&self, chain: Option<Id>, park: Option<Id>) -> bool {
        self.reads_everything()
            || chain.is_some_and(|c| self.has_chain(c))
            || park.is_some_and(|p| self.has_park(p))
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

    /// Who sees and handles a park's work orders: readers of everything (read only), the park's chief and staff.
    pub fn sees_park_work(&self, park: Id) -> bool {
        self.reads_everything() || self.has_park(park)
    }

    pub fn may_edit_park_work(&self, park: Id) -> Result<(), Denied> {
        self.may_edit_park(park)
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
