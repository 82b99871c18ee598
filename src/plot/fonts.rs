//! The two fonts embedded for chart text, and which one draws a label: DejaVu Sans for Latin
//! text, and behind it Noto Sans CJK SC (a subset: GB2312 plus Latin, punctuation and
//! symbols; `assets/fonts/make-cjk-subset.sh`) for labels that hold Chinese.
//!
//! A label is drawn whole in one font, not split into Latin and CJK runs: plotters draws
//! legend entries, tick labels and axis titles itself, each with a single text style, so runs
//! could only cover the text this crate draws with its own `Text` elements, and would need
//! their own measuring and anchoring. The CJK subset has its own Latin letters, digits and
//! the symbols charts use (≥, ·, –, %), so a label holding any character that DejaVu Sans
//! lacks and the CJK font has is drawn entirely in the CJK font; every other label is drawn
//! in DejaVu Sans exactly as before, so charts without such text are byte-identical to what
//! they were before the CJK font existed. Imports no other file of this folder.

use ab_glyph::{Font, FontRef};
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// DejaVu Sans; licence in assets/fonts/LICENSE-DejaVu.txt.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Noto Sans CJK SC, subset to GB2312 and Latin; licence (SIL OFL 1.1) in
/// assets/fonts/LICENSE-NotoSansCJK.txt.
static NOTO_SANS_CJK_SC: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-GB2312.otf");

/// Family name DejaVu Sans is registered under (SVG files name it too).
pub const LATIN_FAMILY: &str = "sans-serif";
/// Family name the CJK font is registered under. SVG files name it as it stands, so a viewer
/// uses Noto Sans CJK SC where installed and its own sans-serif font otherwise.
pub const CJK_FAMILY: &str = "Noto Sans CJK SC, sans-serif";

/// The font that draws a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// DejaVu Sans: every label it can draw.
    Latin,
    /// Noto Sans CJK SC: labels holding characters DejaVu Sans lacks (Chinese).
    Cjk,
}

impl Family {
    /// The name the family is registered under with plotters.
    pub fn name(self) -> &'static str {
        match self {
            Family::Latin => LATIN_FAMILY,
            Family::Cjk => CJK_FAMILY,
        }
    }

    /// The size to ask plotters for so that text of nominal size `px` has the em size that
    /// DejaVu Sans has at `px`. ab_glyph scales a font to its line height (ascent minus
    /// descent), which is 1.16 em in DejaVu Sans and 1.45 em in Noto Sans CJK; without this
    /// the CJK font's letters and digits would be a fifth smaller than the Latin font's.
    pub fn px(self, px: f64) -> f64 {
        match self {
            Family::Latin => px,
            Family::Cjk => px * faces().map_or(1.0, |f| f.cjk_scale),
        }
    }
}

struct Faces {
    latin: FontRef<'static>,
    cjk: FontRef<'static>,
    cjk_scale: f64,
}

fn faces() -> crate::error::Result<&'static Faces> {
    static FACES: OnceLock<Result<Faces, String>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let latin = FontRef::try_from_slice(DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font could not be read".to_string())?;
            let cjk = FontRef::try_from_slice(NOTO_SANS_CJK_SC)
                .map_err(|_| "the embedded Noto Sans CJK SC font could not be read".to_string())?;
            let em_height = |f: &FontRef<'_>| {
                f64::from(f.height_unscaled()) / f64::from(f.units_per_em().unwrap_or(1000.0))
            };
            let cjk_scale = em_height(&cjk) / em_height(&latin);
            Ok(Faces {
                latin,
                cjk,
                cjk_scale,
            })
        })
        .as_ref()
        .map_err(|e| crate::error::Error::Failed(e.clone()))
}

/// Registers both embedded fonts with plotters once; later calls return the first outcome.
pub fn register() -> crate::error::Result<()> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            faces().map_err(|e| e.to_string())?;
            plotters::style::register_font(LATIN_FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font could not be read".to_string())?;
            plotters::style::register_font(CJK_FAMILY, FontStyle::Normal, NOTO_SANS_CJK_SC)
                .map_err(|_| "the embedded Noto Sans CJK SC font could not be read".to_string())
        })
        .clone()
        .map_err(crate::error::Error::Failed)
}

/// Whether `c` has a glyph in the family's embedded font.
pub fn covers(family: Family, c: char) -> bool {
    faces().is_ok_and(|f| {
        let face = match family {
            Family::Latin => &f.latin,
            Family::Cjk => &f.cjk,
        };
        face.glyph_id(c).0 != 0
    })
}

/// The family that draws `label`: [`Family::Cjk`] if it holds a character that DejaVu Sans
/// lacks and the CJK font has, else [`Family::Latin`].
pub fn for_text(label: &str) -> Family {
    for_texts([label])
}

/// The one family for several labels drawn with a single style (a legend's entries).
pub fn for_texts<'a>(labels: impl IntoIterator<Item = &'a str>) -> Family {
    let fallback = |c: char| !c.is_control() && !covers(Family::Latin, c) && covers(Family::Cjk, c);
    if labels.into_iter().any(|l| l.chars().any(fallback)) {
        Family::Cjk
    } else {
        Family::Latin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_labels_fall_back_and_latin_ones_do_not() {
        assert_eq!(for_text("Beijing ≥ 45k P · 62% – São Paulo"), Family::Latin);
        assert_eq!(for_text("北京: AI computing capacity"), Family::Cjk);
        assert_eq!(for_texts(["Total", "Median", "和林格尔"]), Family::Cjk);
        assert_eq!(for_texts(["Total", "Median"]), Family::Latin);
        // A character neither font has leaves the label in the Latin font.
        assert_eq!(for_text("\u{10FFFD}"), Family::Latin);
    }

    #[test]
    fn the_cjk_subset_covers_what_a_whole_label_needs() {
        let needed = "北京上海深圳庆阳中卫和林格尔贵安乌兰察布芜湖韶关张家口宁夏甘肃贵州内蒙古\
                      0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ \
                      ≥≤·–—~%()[]:;,.'\"/+-=°±×…“”‘’，。：（）、";
        let missing: String = needed
            .chars()
            .filter(|c| !covers(Family::Cjk, *c))
            .collect();
        assert_eq!(missing, "");
        assert_eq!(Family::Latin.px(40.0), 40.0);
        let scale = Family::Cjk.px(1.0);
        assert!((1.2..1.3).contains(&scale), "{scale}");
    }
}
