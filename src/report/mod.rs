//! Reports of a finished run as bytes or text: the CSV tables, summary.json and the terminal
//! summary. Rendering only: [`crate::output`] decides which files exist and writes them.
//! May import `analysis`, `engine` (for types), `scenario` and the leaves.

pub mod conditioning;
pub mod csv;
pub mod json;
pub mod terminal;
