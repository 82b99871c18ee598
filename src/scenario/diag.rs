//! Problems found in a scenario file, collected (not thrown) so that a user sees all of them at once.

use crate::error::Error;

use std::ops::Range;

/// One problem: where it is (a byte span in the file), which key, and what would be valid.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Byte span of the offending text in the file; None when not known.
    pub span: Option<Range<usize>>,
    /// The key concerned, e.g. `city[Beijing].growth`.
    pub key: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// The problems found so far in one file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// The problems, in the order found.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records one problem at `span` for `key`.
    pub fn push(&mut self, span: Option<Range<usize>>, key: &str, message: impl Into<String>) {
        self.items.push(Diagnostic {
            span,
            key: key.to_string(),
            message: message.into(),
        });
    }

    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

pub use crate::error::Located;

/// Every problem of one scenario file as the program's error (exit 2): places each
/// diagnostic's span in `text` (the file's content) as a line and column.
pub fn into_error(file: &str, text: &str, diags: Diagnostics) -> Error {
    let problems = diags
        .items
        .into_iter()
        .map(|d| {
            let (line, column) = match d.span {
                Some(span) => {
                    let (l, c) = line_column(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            Located {
                line,
                column,
                key: d.key,
                message: d.message,
            }
        })
        .collect();
    Error::Scenario {
        file: file.to_string(),
        problems,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 4));
    }
}
