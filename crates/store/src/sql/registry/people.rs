//! People of the registry, with their contact data shown only to those who may see it.

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::{Kind, PeopleReach};
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::*;
use chrono::Utc;
use sqlx::QueryBuilder;

use super::shared::*;
use crate::common::*;
use crate::filter::*;
use crate::registry::PersonStore;
use crate::{Actor, Result, StoreError};

const PERSON_COLUMNS: &str = "SELECT p.id, p.name, p.title, p.organisation, p.phone, p.email, p.office_phone, p.archived, p.updated_at";

async fn person_by_id(c: &mut Conn, id: Id) -> Result<Person> {
    let sql = format!("{PERSON_COLUMNS} FROM people p WHERE p.id = $1");
    let row: Option<PersonRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(PersonRow::into_person)
        .ok_or(StoreError::NotFound { kind: "person", id })
}

/// Empties the own phone and e-mail of the people whose own phone and e-mail the actor may not see.
async fn project_people(c: &mut Conn, actor: &Actor, items: &mut [Person]) -> Result<()> {
    if actor.scope.is_staff() || items.is_empty() {
        return Ok(());
    }
    let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
        "SELECT DISTINCT po.person_id FROM posts po WHERE po.role = 'enterprise_contact'",
    );
    push_in(
        &mut qb,
        "po.person_id",
        &items.iter().map(|p| p.id).collect::<Vec<_>>(),
    );
    push_reached_ids(
        &mut qb,
        "po.enterprise_id",
        Kind::EnterpriseContact,
        &actor.scope.reach(Kind::EnterpriseContact),
    );
    let contacts: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *c).await?;
    for person in items.iter_mut() {
        if !actor
            .scope
            .sees_personal_contact(person.id, contacts.contains(&person.id))
        {
            person.phone.clear();
            person.email.clear();
        }
    }
    Ok(())
}

pub(super) async fn insert_person(
    c: &mut Conn,
    d: &PersonDraft,
    now: chrono::DateTime<Utc>,
) -> Result<Id> {
    Ok(sqlx::query_scalar(
        "INSERT INTO people (name, title, organisation, phone, email, office_phone, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&d.name).bind(&d.title).bind(&d.organisation).bind(&d.phone).bind(&d.email).bind(&d.office_phone).bind(now)
    .fetch_one(&mut *c).await?)
}

#[async_trait]
impl PersonStore for Engine {
    async fn list_people(
        &self,
        actor: &Actor,
        f: &PersonFilter,
        paging: &Paging,
    ) -> Result<Page<Person>> {
        let order = order_by(
            paging,
            &[
                ("name", "p.name"),
                ("organisation", "p.organisation"),
                ("updated_at", "p.updated_at"),
            ],
            "p.id",
        )?;
        let mut c = self.read().await?;
        let (rows, total) = count_and_fetch::<PersonRow>(
            &mut c,
            PERSON_COLUMNS,
            |qb| {
                qb.push("FROM people p WHERE 1 = 1");
                push_people_reach(qb, actor);
                push_archived(qb, "p", f.include_archived);
                push_search(qb, &f.q, &["p.name", "p.organisation", "p.title"]);
            },
            &order,
            paging,
        )
        .await?;
        let mut items: Vec<Person> = rows.into_iter().map(PersonRow::into_person).collect();
        project_people(&mut c, actor, &mut items).await?;
        Ok(page(items, total, paging))
    }

    async fn get_person(&self, actor: &Actor, id: Id) -> Result<Person> {
        let mut c = self.read().await?;
        let person = person_by_id(&mut c, id).await?;
        if actor.scope.people_reach() != PeopleReach::All {
            let mut qb: QueryBuilder<'static, Db> =
                QueryBuilder::new("SELECT COUNT(*) FROM people p WHERE p.id = ");
            qb.push_bind(id);
            push_people_reach(&mut qb, actor);
            let found: i64 = qb.build_query_scalar().fetch_one(&mut *c).await?;
            if found == 0 {
                return Err(StoreError::NotFound { kind: "person", id });
            }
        }
        let mut items = [person];
        project_people(&mut c, actor, &mut items).await?;
        let [person] = items;
        Ok(person)
    }

    async fn create_person(&self, actor: &Actor, d: PersonDraft) -> Result<Person> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let id = insert_person(tx.conn(), &d, Utc::now()).await?;
        let after = person_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "person", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn update_person(
        &self,
        actor: &Actor,
        id: Id,
        d: PersonDraft,
        expected: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Person> {
        actor.scope.may_administer()?;
        let mut tx = self.begin_write().await?;
        let before = person_by_id(tx.conn(), id).await?;
        claim_version(
            tx.conn(),
            "people",
            "person",
            id,
            before.updated_at,
            expected,
        )
        .await?;
        sqlx::query("UPDATE people SET name = $1, title = $2, organisation = $3, phone = $4, email = $5, updated_at = $6, office_phone = $8 WHERE id = $7")
            .bind(&d.name).bind(&d.title).bind(&d.organisation).bind(&d.phone).bind(&d.email).bind(Utc::now()).bind(id)
            .bind(&d.office_phone)
            .execute(tx.conn()).await?;
        let after = person_by_id(tx.conn(), id).await?;
        tx.commit_audited(actor, "person", id, "update", Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    async fn archive_person(&self, actor: &Actor, id: Id) -> Result<Person> {
        actor.scope.may_administer()?;
        archive!(self, actor, id, "people", "person", person_by_id)
    }
}
