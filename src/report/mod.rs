//! Reports of a finished run as bytes or text: the CSV tables, summary.json, the terminal
//! summary and the report page (report.html). Rendering only: [`crate::output`] decides which
//! files exist and writes them.
//! May import `analysis`, `engine` (for types), `scenario` and the leaves.

pub mod compare;
pub mod conditioning;
pub mod csv;
pub mod html;
pub mod json;
pub mod solve;
pub mod terminal;
