//! "Did you mean": the closest of some known names to a misspelt one.

/// The name of `known` closest to `word`, when it is close enough to be a misspelling:
/// at most a third of its characters differ (a case-only difference always counts).
///
/// ```
/// use vtl_tools::suggest::closest;
/// assert_eq!(closest("escapeJavascript", &["escapeJavaScript", "urlEncode"]), Some("escapeJavaScript"));
/// assert_eq!(closest("elsif", &["if", "elseif", "else"]), Some("elseif"));
/// assert_eq!(closest("name", &["input", "util"]), None);
/// ```
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(&word.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|&(d, k)| d * 3 <= k.chars().count().max(3) && d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, with a transposition counting as one edit.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}
