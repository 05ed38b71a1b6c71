//! chainpark's domain: the objects of an economic zone run by industry chains and parks, and the rules they obey.
//! Nothing here does I/O, knows a database or speaks HTTP; the store and the web layer call in here to decide.

#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod assessment;
pub mod calendar;
pub mod chain_intel;
pub mod chain_tree;
pub mod credit_code;
pub mod demo;
pub mod digital_economy;
pub mod disclosure;
pub mod district;
pub mod error;
pub mod figures;
pub mod industry;
pub mod list;
pub mod parkops;
pub mod period;
pub mod pinyin_initials;
pub mod policies;
pub mod registry;
pub mod spreadsheet;
mod table_code;
pub mod targets;
pub mod time;
pub mod workflow;
