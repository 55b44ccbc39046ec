//! Case-insensitive comparison, wildcard matching and edit distance over ASCII bytes.
//!
//! AWS compares service prefixes, action names and condition key names without regard to
//! ASCII case; the table holds ASCII only, so folding ASCII is enough and needs no
//! allocation.

use std::cmp::Ordering;

/// Compares `a` and `b` as if both were ASCII-lowercased.
pub(crate) fn cmp_ci(a: &[u8], b: &[u8]) -> Ordering {
    let common = a.len().min(b.len());
    for (x, y) in a.iter().zip(b).take(common) {
        match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

/// Whether `s` starts with `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The longest input any matcher here looks at. Names in the table are far shorter (the
/// longest condition key is under 80 bytes), so longer input matches nothing and costs
/// nothing.
pub(crate) const MAX_NAME_LEN: usize = 256;

/// Whether `name` matches the IAM wildcard `pattern` (`*` any run, `?` one character),
/// ignoring ASCII case.
///
/// The usual last-star backtracking: at worst `pattern.len() × name.len()` steps, both
/// capped at [`MAX_NAME_LEN`] by the callers.
pub(crate) fn wildcard_match_ci(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                star = Some((p, s));
                continue;
            }
            Some(&c) if c == b'?' || name.get(s).is_some_and(|n| n.eq_ignore_ascii_case(&c)) => {
                p += 1;
                s += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) => {
                p = sp;
                s = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// The end of the placeholder (`${…}` or `<…>`) starting at `at` in `template`, if one
/// starts there.
pub(crate) fn placeholder_end(template: &[u8], at: usize) -> Option<usize> {
    let rest = template.get(at..)?;
    let close = match rest {
        [b'$', b'{', ..] => b'}',
        [b'<', ..] => b'>',
        _ => return None,
    };
    rest.iter().position(|&c| c == close).map(|i| at + i + 1)
}

/// Whether `name` instantiates the condition key `template`, whose placeholders (`${TagKey}`,
/// `<key>`) each stand for one or more characters of any kind (tag keys may hold `/`),
/// ignoring ASCII case.
///
/// Backtracking as in [`wildcard_match_ci`], with a placeholder read as "one character, then
/// any run": at worst `template.len() × name.len()` steps.
pub(crate) fn template_match_ci(template: &[u8], name: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < name.len() {
        if let Some(end) = placeholder_end(template, p) {
            s += 1;
            p = end;
            star = Some((p, s));
            continue;
        }
        if let (Some(t), Some(n)) = (template.get(p), name.get(s)) {
            if t.eq_ignore_ascii_case(n) {
                p += 1;
                s += 1;
                continue;
            }
        }
        match star {
            Some((sp, ss)) => {
                p = sp;
                s = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p == template.len()
}

/// The largest edit distance a suggestion may be from the input: a third of its length, and
/// at least 2, so short names still get one- and two-letter typos fixed.
pub(crate) fn suggestion_limit(len: usize) -> usize {
    (len / 3).max(2)
}

/// Case-insensitive Levenshtein distance between `a` and `b` if it is at most `limit`.
///
/// Inputs longer than [`MAX_NAME_LEN`] get `None`. Two rows on the stack, no allocation; a
/// row whose minimum already exceeds `limit` ends the computation early.
pub(crate) fn distance_within(a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
    if a.len() > MAX_NAME_LEN || b.len() > MAX_NAME_LEN || a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev = [0usize; MAX_NAME_LEN + 1];
    let mut cur = [0usize; MAX_NAME_LEN + 1];
    for (j, slot) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *slot = j;
    }
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        let mut row_min = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(usize::MAX - 1)
                + usize::from(!ca.eq_ignore_ascii_case(cb));
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
            let d = sub.min(del).min(ins);
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = d;
            }
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().filter(|&d| d <= limit)
}

/// Case-insensitive edit distance between `input` and the closest instance of `template`
/// (each placeholder, `${…}` or `<…>`, standing for any run of characters at no cost), if
/// it is at most `limit`.
///
/// The Levenshtein recurrence with one row per template token; a placeholder's row is the
/// running minimum of the row before it. Same bounds as [`distance_within`].
pub(crate) fn template_distance_within(
    template: &[u8],
    input: &[u8],
    limit: usize,
) -> Option<usize> {
    if template.len() > MAX_NAME_LEN || input.len() > MAX_NAME_LEN {
        return None;
    }
    let mut prev = [0usize; MAX_NAME_LEN + 1];
    let mut cur = [0usize; MAX_NAME_LEN + 1];
    for (j, slot) in prev.iter_mut().enumerate().take(input.len() + 1) {
        *slot = j;
    }
    let mut p = 0;
    while p < template.len() {
        let mut row_min = usize::MAX;
        match placeholder_end(template, p) {
            Some(end) => {
                let mut running = usize::MAX;
                for j in 0..=input.len() {
                    running = running.min(prev.get(j).copied().unwrap_or(usize::MAX));
                    if let Some(slot) = cur.get_mut(j) {
                        *slot = running;
                    }
                    row_min = row_min.min(running);
                }
                p = end;
            }
            None => {
                let c = template.get(p).copied().unwrap_or(0);
                let first = prev.first().copied().unwrap_or(usize::MAX - 1) + 1;
                if let Some(slot) = cur.first_mut() {
                    *slot = first;
                }
                row_min = first;
                for (j, ci) in input.iter().enumerate() {
                    let sub = prev.get(j).copied().unwrap_or(usize::MAX - 1)
                        + usize::from(!ci.eq_ignore_ascii_case(&c));
                    let del = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
                    let ins = cur.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
                    let d = sub.min(del).min(ins);
                    if let Some(slot) = cur.get_mut(j + 1) {
                        *slot = d;
                    }
                    row_min = row_min.min(d);
                }
                p += 1;
            }
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(input.len()).copied().filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_order() {
        assert_eq!(cmp_ci(b"S3", b"s3"), Ordering::Equal);
        assert_eq!(cmp_ci(b"s3", b"s3-outposts"), Ordering::Less);
        assert_eq!(cmp_ci(b"EC2", b"ec"), Ordering::Greater);
        assert!(starts_with_ci(b"aws:PrincipalTag/x", b"AWS:principaltag/"));
        assert!(!starts_with_ci(b"aws", b"aws:"));
    }

    #[test]
    fn wildcards() {
        let cases: &[(&str, &str, bool)] = &[
            ("Get*", "GetObject", true),
            ("get*", "GetObject", true),
            ("*Object", "GetObject", true),
            ("Get?bject", "GetObject", true),
            ("Get?", "GetObject", false),
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            ("Put*Tagging", "PutObjectTagging", true),
            ("Put*Tagging", "PutObjectTaggingX", false),
            ("**a", "bba", true),
        ];
        for &(p, n, want) in cases {
            assert_eq!(
                wildcard_match_ci(p.as_bytes(), n.as_bytes()),
                want,
                "{p} vs {n}"
            );
        }
    }

    #[test]
    fn templates() {
        let cases: &[(&str, &str, bool)] = &[
            ("aws:PrincipalTag/${TagKey}", "aws:PrincipalTag/team", true),
            ("aws:PrincipalTag/${TagKey}", "AWS:principaltag/Team", true),
            (
                "aws:PrincipalTag/${TagKey}",
                "aws:PrincipalTag/x509Subject/CN",
                true,
            ),
            ("aws:PrincipalTag/${TagKey}", "aws:PrincipalTag/", false),
            ("aws:PrincipalTag/${TagKey}", "aws:PrincipalTags", false),
            ("s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag/k", true),
            (
                "events:Metadata/${K}/Matcher",
                "events:Metadata/a/b/Matcher",
                true,
            ),
            (
                "events:Metadata/${K}/Matcher",
                "events:Metadata//Matcher",
                false,
            ),
            (
                "agent.${Domain}.buildkite.dev:cluster_id",
                "agent.x.buildkite.dev:cluster_id",
                true,
            ),
            (
                "kms:EncryptionContext:${K}",
                "kms:EncryptionContext:a:b",
                true,
            ),
        ];
        for &(t, n, want) in cases {
            assert_eq!(
                template_match_ci(t.as_bytes(), n.as_bytes()),
                want,
                "{t} vs {n}"
            );
        }
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance_within(b"kitten", b"sitting", 3), Some(3));
        assert_eq!(distance_within(b"kitten", b"sitting", 2), None);
        assert_eq!(distance_within(b"PutObjects", b"putobject", 3), Some(1));
        assert_eq!(distance_within(b"", b"ab", 2), Some(2));
        let long = [b'a'; MAX_NAME_LEN + 1];
        assert_eq!(distance_within(&long, b"a", usize::MAX), None);
    }

    #[test]
    fn template_edit_distance() {
        let tag = b"aws:PrincipalTag/${TagKey}";
        assert_eq!(
            template_distance_within(tag, b"aws:PrincipalTag/team", 5),
            Some(0)
        );
        assert_eq!(
            template_distance_within(tag, b"aws:principaltg/team", 5),
            Some(1)
        );
        assert_eq!(
            template_distance_within(tag, b"aws:PrincipleTag/a/b", 5),
            Some(2)
        );
        assert_eq!(template_distance_within(tag, b"aws:SourceIp", 3), None);
        assert_eq!(template_distance_within(b"a<k>b", b"axxxxb", 0), Some(0));
        assert_eq!(template_distance_within(b"a<k>b", b"axxxxc", 1), Some(1));
        let long = [b'a'; MAX_NAME_LEN + 1];
        assert_eq!(template_distance_within(tag, &long, usize::MAX), None);
    }
}
