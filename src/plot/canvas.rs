//! What every chart file shares: the file formats, the result of a drawing call and the
//! [`Drawing`] trait that [`super::render_drawing`] renders. Imported by every chart; imports
//! no other file of this folder.

use super::layout::Layout;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The result of a drawing call on backend `DB`.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// File format of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Bitmap, 8-bit RGB.
    Png,
    /// Vector graphics.
    Svg,
}

impl Format {
    /// Every format, as its name on the command line.
    pub const NAMES: [&'static str; 2] = ["png", "svg"];

    /// The format of a name in [`Format::NAMES`].
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "png" => Some(Format::Png),
            "svg" => Some(Format::Svg),
            _ => None,
        }
    }

    /// File name extension (and the name on the command line).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Something that draws itself on any plotters backend.
pub trait Drawing {
    /// Draws onto `root`, recording every label, legend and marker box in `layout`.
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        layout: &mut Layout,
    ) -> DrawResult<(), DB>;
}
