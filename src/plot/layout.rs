//! The layout record of a chart and the placement that keeps its labels apart.
//!
//! Every chart writes, as it draws, the pixel box of each text label, legend and marker into a
//! [`Layout`]; the labels whose place is free (marker and project labels, legends) are placed by
//! [`Layout::place`]: the first of a list of candidate boxes, nearest first, that lies inside
//! the plot area and meets no box already placed. Markers are recorded first, so a label never
//! hides one. The layout is what the tests check: no two boxes intersect, all lie on the canvas.

/// A box in canvas pixels: `x0 <= x < x1`, `y0 <= y < y1` (y grows downward).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left edge, pixels.
    pub x0: i32,
    /// Top edge, pixels.
    pub y0: i32,
    /// Right edge (exclusive), pixels.
    pub x1: i32,
    /// Bottom edge (exclusive), pixels.
    pub y1: i32,
}

impl Rect {
    /// The box at `(x, y)` (top left) of `w` by `h` pixels.
    pub fn at(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        }
    }

    /// The box of `w` by `h` pixels centred on `(x, y)`.
    pub fn centred(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect::at(x - w / 2, y - h / 2, w, h)
    }

    /// Whether the two boxes share any pixel.
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether this box lies entirely inside `outer`.
    pub fn inside(&self, outer: &Rect) -> bool {
        self.x0 >= outer.x0 && self.y0 >= outer.y0 && self.x1 <= outer.x1 && self.y1 <= outer.y1
    }

    /// The box grown by `p` pixels on every side.
    pub fn grow(&self, p: i32) -> Rect {
        Rect {
            x0: self.x0 - p,
            y0: self.y0 - p,
            x1: self.x1 + p,
            y1: self.y1 + p,
        }
    }

    /// Width, pixels.
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }

    /// Height, pixels.
    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }

    /// The point of this box nearest to `(x, y)`.
    pub fn nearest(&self, (x, y): (i32, i32)) -> (i32, i32) {
        (x.clamp(self.x0, self.x1), y.clamp(self.y0, self.y1))
    }
}

/// What a box of a layout holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The chart's title or footer.
    Frame,
    /// A text label (names, values, notes).
    Label,
    /// A legend, its entries and border.
    Legend,
    /// A marker: a target, a report and its interval or arrow.
    Marker,
}

/// One box of a layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// What it holds.
    pub kind: Kind,
    /// The label's text, or a name for a marker or legend.
    pub text: String,
    /// Where, in canvas pixels.
    pub rect: Rect,
}

/// Every box a chart drew, in the order drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The whole canvas.
    pub canvas: Rect,
    /// The boxes.
    pub boxes: Vec<Placed>,
}

impl Layout {
    /// An empty layout of a `w` by `h` canvas.
    pub fn new((w, h): (u32, u32)) -> Self {
        Layout {
            canvas: Rect::at(0, 0, w as i32, h as i32),
            boxes: Vec::new(),
        }
    }

    /// Records a box drawn where its chart put it.
    pub fn add(&mut self, kind: Kind, text: impl Into<String>, rect: Rect) {
        self.boxes.push(Placed {
            kind,
            text: text.into(),
            rect,
        });
    }

    /// Whether `rect` lies inside `within` and meets no recorded box.
    pub fn is_free(&self, rect: &Rect, within: &Rect) -> bool {
        rect.inside(within) && self.boxes.iter().all(|b| !b.rect.intersects(rect))
    }

    /// Places a box: the first candidate that [`Layout::is_free`] allows, recorded and
    /// returned; None (nothing recorded) when every candidate is taken.
    pub fn place(
        &mut self,
        kind: Kind,
        text: &str,
        candidates: impl IntoIterator<Item = Rect>,
        within: &Rect,
    ) -> Option<Rect> {
        let found = candidates.into_iter().find(|r| self.is_free(r, within))?;
        self.add(kind, text, found);
        Some(found)
    }

    /// Places a `w` by `h` label next to an anchor box `near`: right, left, above, below it
    /// `gap` pixels away, then ever further out on a spiral of rings. The label touches the
    /// anchor only in the first four places; further out the caller draws a leader line.
    pub fn place_near(
        &mut self,
        text: &str,
        near: Rect,
        (w, h): (i32, i32),
        gap: i32,
        within: &Rect,
    ) -> Option<Rect> {
        let (cx, cy) = ((near.x0 + near.x1) / 2, (near.y0 + near.y1) / 2);
        let right = Rect::at(near.x1 + gap, cy - h / 2, w, h);
        let left = Rect::at(near.x0 - gap - w, cy - h / 2, w, h);
        let above = Rect::at(cx - w / 2, near.y0 - gap - h, w, h);
        let below = Rect::at(cx - w / 2, near.y1 + gap, w, h);
        let step = (h / 2).max(6);
        let rings = (1..60).flat_map(move |ring| {
            let d = ring * step;
            [
                (0, -d),
                (0, d),
                (d, -d),
                (-d, -d),
                (d, d),
                (-d, d),
                (2 * d, 0),
                (-2 * d, 0),
            ]
            .into_iter()
            .flat_map(move |(dx, dy)| [right, left].map(|r| Rect::at(r.x0 + dx, r.y0 + dy, w, h)))
        });
        let candidates = [right, left, above, below].into_iter().chain(rings);
        self.place(Kind::Label, text, candidates, within)
    }

    /// The pairs of boxes (by position) that intersect.
    pub fn collisions(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, a) in self.boxes.iter().enumerate() {
            for (j, b) in self.boxes.iter().enumerate().skip(i + 1) {
                if a.rect.intersects(&b.rect) {
                    out.push((i, j));
                }
            }
        }
        out
    }

    /// The boxes that are not wholly on the canvas.
    pub fn outside(&self) -> Vec<&Placed> {
        self.boxes
            .iter()
            .filter(|b| !b.rect.inside(&self.canvas))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_meet_only_when_they_share_pixels() {
        let a = Rect::at(0, 0, 10, 10);
        assert!(a.intersects(&Rect::at(9, 9, 5, 5)));
        assert!(!a.intersects(&Rect::at(10, 0, 5, 5)));
        assert!(a.inside(&a.grow(1)));
        assert!(!a.grow(1).inside(&a));
    }

    #[test]
    fn a_label_moves_off_a_taken_place() {
        let mut layout = Layout::new((200, 100));
        let within = layout.canvas;
        let marker = Rect::centred(100, 50, 20, 20);
        layout.add(Kind::Marker, "m", marker);
        layout.add(Kind::Label, "blocker", Rect::at(113, 40, 60, 20));
        let placed = layout
            .place_near("label", marker, (50, 16), 4, &within)
            .expect("room on the left");
        assert_eq!(placed, Rect::at(36, 42, 50, 16));
        assert!(layout.collisions().is_empty());
    }
}
