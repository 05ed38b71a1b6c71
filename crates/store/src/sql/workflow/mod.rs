//! The workflows in SQL, one module per capability, compiled once per engine (`crate::sqlite`,
//! `crate::postgres`) with that engine's `Db` and store type `Engine`. Each module implements its trait of
//! `crate::workflow`; `shared` holds what they all use.

use super::{Db, Engine};

mod alerts;
mod appeals;
pub(super) mod calendar;
mod inbox;
pub(super) mod projects;
mod report_mail;
mod shared;
mod transformation;
mod upkeep;
pub(super) mod work_orders;
