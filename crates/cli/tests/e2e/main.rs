//! The end-to-end tests, in one test binary: each module is one area of the application, driven through HTTP (and,
//! for some, the real binary or a browser); the helpers they share are in `common` and `workflow_common`. Select
//! one area with `cargo test -p chainpark --test e2e -- registry::`.

mod common;
mod workflow_common;

mod access;
mod admin_pages;
mod alerts;
mod appeals;
mod assessment;
mod authorization;
mod browser;
mod browser_assessment;
mod browser_english;
mod browser_forms;
mod browser_roadmap;
mod calendar;
mod credentials;
mod csv_injection;
mod demo;
mod demo_workflow;
mod disclosure;
mod distribution;
mod figures;
mod forms;
mod hostile_files;
mod lists;
mod meters;
mod operations;
mod pages;
mod projects;
mod read_cache;
mod registry;
mod replica;
mod report_mail;
mod report_page;
mod roadmap_pages;
mod safety;
mod scale;
mod space;
mod targets;
mod work_orders;
mod work_pages;
