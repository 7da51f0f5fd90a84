//! Where the lines of a text start: one table, for every reader in this crate, from byte
//! offsets to the 1-based lines and columns (in characters) that messages show, and back.

/// The byte offsets where the lines of a text start. It keeps no text, so that a reader
/// can own its text beside it or borrow it.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count());
        (clamp(line), clamp(column + 1))
    }

    /// The byte offset of a 1-based line and 0-based column in characters.
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let rest = &text[start..];
        start
            + rest
                .char_indices()
                .nth(column)
                .map_or(rest.len(), |(i, _)| i)
    }

    /// The text of 1-based line `n`, without its line break.
    pub fn line<'a>(&self, text: &'a str, n: usize) -> &'a str {
        let Some(&start) = self.starts.get(n.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .starts
            .get(n)
            .map_or(text.len(), |&e| e.saturating_sub(1));
        text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }
}

/// A count as a line or column number; a file is capped far below `u32::MAX` lines.
pub(crate) fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
