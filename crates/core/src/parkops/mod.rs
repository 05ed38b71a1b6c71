//! Park operations (园区运营): the park's buildings, units and their occupancy, the park's meters and their readings, roll-ups per hour, day and month, virtual meters
//! as formulas of others, the rules that turn readings into alarms, and energy in tonnes of coal equivalent. Pure
//! rules: the store keeps readings and roll-ups, the application layer ingests and acts on alarms.

pub mod alarms;
pub mod energy;
pub mod meters;
pub mod report_mail;
pub mod safety;
pub mod series;
pub mod space;
