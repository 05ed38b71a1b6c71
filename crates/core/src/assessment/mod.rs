//! Per-mu efficiency evaluation (亩均效益评价) and the chiefs' scorecards. [`land`] says what area a firm is
//! evaluated on (its land parcels and leased factory space at the year's end); [`scheme`] is an evaluation scheme as
//! data, with the shipped presets; [`evaluate`] scores every firm of a year under a scheme — values, benchmarks,
//! points, rank and class, each with how it was computed; [`scorecard`] scores chains and parks among their peers by
//! the efficacy-coefficient method. Everything here is pure arithmetic on exact integers: the store keeps the inputs
//! and the results, the application layer gathers the one and writes the other.

pub mod evaluate;
pub mod land;
pub mod scheme;
pub mod scorecard;

mod exact;

pub use exact::Exact;
