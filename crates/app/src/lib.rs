//! chainpark's application layer, between the interfaces (the web's API and pages, the command line) and the
//! store: running an import, roll-ups under disclosure control, the scheduling report, exports written off the
//! async threads, mail and the server's background work, meter readings (MQTT, alarms, energy figures), password
//! hashing and secrets. The interfaces parse their
//! input and shape their answers; what they do in between is here, once.

#![forbid(unsafe_code)]

pub mod assessment;
pub mod chain_intel;
pub mod error;
pub mod exports;
pub mod imports;
pub mod meters;
pub mod mqtt;
pub mod notify;
pub mod passwords;
pub mod reports;
pub mod rollups;
pub mod scorecards;
pub mod spool;
pub mod targets;

pub use error::{AppError, AppResult};
