//! "Did you mean" suggestions for misspelt element and operator names.

/// The candidate closest to `input` (case-insensitive edit distance), if it is close
/// enough to be a plausible typo.
pub(crate) fn best<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    let limit = (input.chars().count() / 3).max(2);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = distance(&input_lower, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over chars; inputs are short names, and long ones are capped so
/// a hostile policy cannot make this quadratic in its size.
fn distance(a: &str, b: &str) -> usize {
    const CAP: usize = 64;
    let a: Vec<char> = a.chars().take(CAP).collect();
    let b: Vec<char> = b.chars().take(CAP).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let elements = ["Effect", "Action", "NotAction", "Resource", "Condition"];
        assert_eq!(best("Efect", elements), Some("Effect"));
        assert_eq!(best("effect", elements), Some("Effect"));
        assert_eq!(best("Actions", elements), Some("Action"));
        assert_eq!(best("Zzzzzz", elements), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
