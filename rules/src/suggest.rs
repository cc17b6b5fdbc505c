//! "did you mean" suggestions for misspelled names.

/// The closest candidate to `word`, if it is close enough to be a typo.
///
/// Close enough means at most a third of the word's letters changed (at
/// least one), which catches `depend_on` or `permanant` but not unrelated
/// names, or an abbreviation: `peer_dir` for `peer_directory`.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    let abbreviates = |c: &str| length >= 3 && c.starts_with(word);
    // The distance is at least the difference in length: skip the far ones cheaply.
    let near = |c: &str| c.chars().count().abs_diff(length) <= limit || abbreviates(c);
    candidates
        .into_iter()
        .filter(|c| *c != word && near(c))
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= limit || abbreviates(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `", did you mean `x`?"` or nothing, to append to a message.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(word, candidates) {
        Some(c) => format!(", did you mean `{c}`?"),
        None => String::new(),
    }
}

/// Optimal string alignment distance: edits plus swaps of neighbours.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}
