//! Pickers instead of database ids: a form offers chains, parks and the post-holders of a case as a `<select>`
//! (short lists), and finds enterprises and people by a server-side search (long lists: a plain GET form, no
//! script). A person is shown by name and post, never by id. Every list is read with the viewer's actor and
//! narrowed by the access policy to what the form may use.

use chainpark_core::list::Paging;
use chainpark_core::registry::{Id, Post, PostRole};
use chainpark_store::{EnterpriseFilter, PersonFilter, PostFilter, StoreError};

use super::Viewer;
use super::i18n::Lang;
use crate::AppState;

/// At most this many results of a search.
pub const FOUND: i64 = 20;

/// One option of a select.
pub struct Choice {
    pub id: Id,
    pub label: String,
    pub selected: bool,
}

/// The options with `selected` marked (nothing marked when it is `None`: the select shows "choose").
pub fn choices(items: Vec<(Id, String)>, selected: Option<Id>) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(id, label)| Choice {
            id,
            selected: Some(id) == selected,
            label,
        })
        .collect()
}

/// A post as a person picker shows it: in Chinese the post's title when it has one, with its role; in English
/// the title derived from the role (titles are written in Chinese only).
fn post_label(lang: Lang, post: &Post) -> String {
    let role = lang.t(&format!("role.{}", post.role.as_str()));
    if lang == Lang::En {
        post_title_en(post, "")
    } else if post.title.is_empty() {
        role.to_string()
    } else {
        format!("{} · {role}", post.title)
    }
}

/// A post's title in English, derived from what the post is (its role, chief level or owner kind) and, when
/// given, the English name of its chain or park ("Deputy chain chief, Automobiles"): post titles are stored in
/// Chinese only, and English pages show none of them.
pub fn post_title_en(post: &Post, scope_name_en: &str) -> String {
    let what = match (post.role, post.chief_level, post.owner_kind) {
        (PostRole::ChainChief, Some(level), _) => {
            Lang::En.t(&format!("post.chief_level.{}", level.as_str()))
        }
        (PostRole::ChainOwner, _, Some(kind)) => {
            Lang::En.t(&format!("post.owner_kind.{}", kind.as_str()))
        }
        (role, _, _) => Lang::En.t(&format!("role.{}", role.as_str())),
    };
    if scope_name_en.is_empty() {
        what.to_string()
    } else {
        format!("{what}, {scope_name_en}")
    }
}

/// The people holding a post today of one of `chain_roles` in one of `chains`, or of one of `park_roles` in one
/// of `parks`, each once as "name · post", by name.
pub async fn post_holders(
    state: &AppState,
    viewer: &Viewer,
    (chains, chain_roles): (&[Id], &[PostRole]),
    (parks, park_roles): (&[Id], &[PostRole]),
) -> Result<Vec<(Id, String)>, StoreError> {
    let store = state.store.as_ref();
    let today = state.clock.today();
    let filters = chains
        .iter()
        .map(|c| {
            let filter = PostFilter {
                chain_id: Some(*c),
                on: Some(today),
                ..Default::default()
            };
            (filter, chain_roles)
        })
        .chain(parks.iter().map(|p| {
            let filter = PostFilter {
                park_id: Some(*p),
                on: Some(today),
                ..Default::default()
            };
            (filter, park_roles)
        }));
    let mut posts: Vec<Post> = Vec::new();
    for (filter, roles) in filters {
        let found = store
            .list_posts(viewer.actor(), &filter, &Paging::all())
            .await?;
        posts.extend(found.items.into_iter().filter(|p| roles.contains(&p.role)));
    }
    let mut people: Vec<(Id, String)> = Vec::new();
    for post in &posts {
        if people.iter().any(|(id, _)| *id == post.person_id) {
            continue;
        }
        let name = match store.get_person(viewer.actor(), post.person_id).await {
            Ok(person) => person.name,
            Err(e) if super::is_absent(&e) => continue,
            Err(e) => return Err(e),
        };
        people.push((
            post.person_id,
            format!("{name} · {}", post_label(viewer.lang, post)),
        ));
    }
    people.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(people)
}

/// The chains the viewer may create key projects in, by name.
pub async fn project_chains(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(Id, String)>, StoreError> {
    let scope = &viewer.actor().scope;
    let chains = state
        .store
        .list_chains(viewer.actor(), &Default::default(), &Paging::all())
        .await?;
    Ok(chains
        .items
        .into_iter()
        .filter(|c| scope.may_edit_project(Some(c.id)).is_ok())
        .map(|c| (c.id, viewer.lang.pick(&c.name, &c.name_en).to_string()))
        .collect())
}

/// The parks the viewer sees, by name.
pub async fn parks(state: &AppState, viewer: &Viewer) -> Result<Vec<(Id, String)>, StoreError> {
    let parks = state
        .store
        .list_parks(viewer.actor(), &Default::default(), &Paging::all())
        .await?;
    Ok(parks
        .items
        .into_iter()
        .map(|p| (p.id, viewer.lang.pick(&p.name, &p.name_en).to_string()))
        .collect())
}

/// Enterprises whose name or credit code contains `q` that the viewer may file an appeal for (at most
/// [`FOUND`]), as "name（credit code）".
pub async fn enterprises_to_file_for(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
) -> Result<Vec<(Id, String)>, StoreError> {
    let store = state.store.as_ref();
    let filter = EnterpriseFilter {
        q: Some(q.to_string()),
        ..Default::default()
    };
    let found = store
        .list_enterprises(
            viewer.actor(),
            &filter,
            &Paging::new(Some(FOUND), Some(0), None),
        )
        .await?;
    let mut out = Vec::new();
    for e in found.items {
        let mut chains = Vec::new();
        for segment in &e.segment_ids {
            match store.get_segment(viewer.actor(), *segment).await {
                Ok(s) => chains.push(s.chain_id),
                Err(err) if super::is_absent(&err) => {}
                Err(err) => return Err(err),
            }
        }
        if viewer
            .actor()
            .scope
            .may_file_appeal(e.id, &chains, e.park_id)
            .is_ok()
        {
            out.push((e.id, format!("{}（{}）", e.name, e.credit_code)));
        }
    }
    Ok(out)
}

/// Enterprises whose name or credit code contains `q` among those the viewer sees (at most [`FOUND`]), as
/// "name（credit code）".
pub async fn enterprises_matching(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
) -> Result<Vec<(Id, String)>, StoreError> {
    let filter = EnterpriseFilter {
        q: Some(q.to_string()),
        ..Default::default()
    };
    let found = state
        .store
        .list_enterprises(
            viewer.actor(),
            &filter,
            &Paging::new(Some(FOUND), Some(0), None),
        )
        .await?;
    Ok(found
        .items
        .into_iter()
        .map(|e| (e.id, enterprise_label(&e.name, e.credit_code.as_str())))
        .collect())
}

/// An enterprise as a picker shows it.
pub fn enterprise_label(name: &str, credit_code: &str) -> String {
    format!("{name}（{credit_code}）")
}

/// The choices of a search picker: what the search `q` found, or — no search, back after a refusal — the one
/// chosen before (`chosen`, read by `lookup`), so that it stays chosen. Answers the choices and whether a search
/// found nothing.
pub async fn search_or_chosen<F, Fut>(
    mut items: Vec<(Id, String)>,
    q: &str,
    chosen: Option<Id>,
    lookup: F,
) -> (Vec<Choice>, bool)
where
    F: FnOnce(Id) -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    if q.is_empty()
        && let Some(id) = chosen
        && let Some(label) = lookup(id).await
    {
        items.push((id, label));
    }
    let nothing = !q.is_empty() && items.is_empty();
    let chosen = chosen.or_else(|| (items.len() == 1).then(|| items[0].0));
    (choices(items, chosen), nothing)
}

/// People whose name contains `q` (at most [`FOUND`]), each as "name · post" with the posts held today.
pub async fn people_matching(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
) -> Result<Vec<(Id, String)>, StoreError> {
    let store = state.store.as_ref();
    let found = store
        .list_people(
            viewer.actor(),
            &PersonFilter {
                q: Some(q.to_string()),
                include_archived: false,
            },
            &Paging::new(Some(FOUND), Some(0), None),
        )
        .await?;
    let today = state.clock.today();
    let mut out = Vec::new();
    for person in found.items {
        let posts = store
            .list_posts(
                viewer.actor(),
                &PostFilter {
                    person_id: Some(person.id),
                    on: Some(today),
                    ..Default::default()
                },
                &Paging::all(),
            )
            .await?;
        let held: Vec<String> = posts
            .items
            .iter()
            .map(|p| post_label(viewer.lang, p))
            .collect();
        let label = if held.is_empty() {
            person.name
        } else {
            format!("{} · {}", person.name, held.join("、"))
        };
        out.push((person.id, label));
    }
    Ok(out)
}
