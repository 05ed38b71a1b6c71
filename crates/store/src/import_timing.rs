//! Where an import's time goes, phase by phase: logged as one debug line (target `chainpark_store::import_timing`)
//! when the import ends, e.g. `RUST_LOG=info,chainpark_store::import_timing=debug chainpark bench ...`.

use std::time::{Duration, Instant};

/// The time of each phase so far, in the order the phases first ran.
pub(crate) struct PhaseTimes {
    started: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl PhaseTimes {
    pub fn new() -> PhaseTimes {
        PhaseTimes {
            started: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Adds the time since `since` to `phase`.
    pub fn add(&mut self, phase: &'static str, since: Instant) {
        let spent = since.elapsed();
        match self.phases.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, total)) => *total += spent,
            None => self.phases.push((phase, spent)),
        }
    }

    /// Logs the phases and the whole import's time.
    pub fn log(&self, values: u64) {
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(phase, spent)| format!("{phase} {:.2} s", spent.as_secs_f64()))
            .collect();
        tracing::debug!(
            target: "chainpark_store::import_timing",
            values,
            total_s = self.started.elapsed().as_secs_f64(),
            "import phases: {}",
            phases.join(", ")
        );
    }
}
