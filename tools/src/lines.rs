//! Where the lines of a text start: one table, for every reader of a file and for showing
//! a spot in one, from byte offsets to the 1-based lines and columns (in characters) that
//! messages show, and back.

/// Bytes between two character counts kept: a lookup counts at most this many bytes, so
/// that a file of one long line (minified JSON) costs the same per lookup as any other.
const STRIDE: usize = 64;

/// The byte offsets where the lines of a text start, and how many characters come before
/// every `STRIDE`th byte. It keeps no text, so that a reader can own its text beside it
/// or borrow it; every method takes the text it was made from.
///
/// ```
/// use vtl_tools::lines::LineIndex;
/// let text = "{\n  \"é\": 1\n}";
/// let index = LineIndex::new(text);
/// assert_eq!(index.position(text, 8), (2, 6));
/// assert_eq!(index.offset(text, 2, 5), 8);
/// assert_eq!(index.range(text, 2), 2..11);
/// ```
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    chars: Vec<usize>,
}

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

impl LineIndex {
    /// The table of `text`, made in one pass over it.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut chars = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut count = 0;
        for block in text.as_bytes().chunks(STRIDE) {
            chars.push(count);
            count += block.iter().filter(|&&b| starts_char(b)).count();
        }
        chars.push(count);
        LineIndex { starts, chars }
    }

    /// How many characters of `text` start before byte `offset` (at most its length).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / STRIDE;
        let from = block * STRIDE;
        let partial = &text.as_bytes()[from..offset];
        self.chars[block] + partial.iter().filter(|&&b| starts_char(b)).count()
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.chars_before(text, offset) - self.chars_before(text, start);
        (clamp(line), clamp(column + 1))
    }

    /// The byte offset of a 1-based line and 0-based column in characters (the end of
    /// `text` past its last character).
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let target = self.chars_before(text, start) + column;
        // The last kept count at or before the target, searched from the line's start.
        let block = self.chars.partition_point(|&c| c <= target) - 1;
        let from = (block * STRIDE).clamp(start, text.len());
        let mut count = self.chars_before(text, from);
        for (i, &b) in text.as_bytes()[from..].iter().enumerate() {
            if starts_char(b) {
                if count == target {
                    return from + i;
                }
                count += 1;
            }
        }
        text.len()
    }

    /// The bytes of 1-based line `n`, up to its `\n` (a `\r` before it included); an empty
    /// range at the end of `text` for a line past its last.
    pub fn range(&self, text: &str, n: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.starts.get(n.saturating_sub(1)) else {
            return text.len()..text.len();
        };
        let end = self
            .starts
            .get(n)
            .map_or(text.len(), |&e| e.saturating_sub(1));
        start..end.max(start)
    }

    /// The text of 1-based line `n`, without its line break.
    pub fn line<'a>(&self, text: &'a str, n: usize) -> &'a str {
        text.get(self.range(text, n))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// A count as a line or column number; a file is capped far below `u32::MAX` lines.
pub(crate) fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offset of a text of several long lines with characters of 1 to 4 bytes, and
    /// back, as counting from the line's start says.
    #[test]
    fn positions_and_offsets_agree_with_counting() {
        let line: String = "aé€😀".repeat(40);
        let text = format!("{line}\n\n{line}\r\n{line}");
        let index = LineIndex::new(&text);
        let mut expected = (1u32, 1u32);
        for (offset, c) in text.char_indices() {
            assert_eq!(index.position(&text, offset), expected, "at {offset}");
            let (line, column) = expected;
            assert_eq!(
                index.offset(&text, line as usize, column as usize - 1),
                offset
            );
            expected = if c == '\n' {
                (line + 1, 1)
            } else {
                (line, column + 1)
            };
        }
        assert_eq!(index.position(&text, text.len()), expected);
        assert_eq!(index.offset(&text, 1, 1_000_000), text.len());
        assert_eq!(index.offset(&text, 9, 0), text.len());
    }
}
