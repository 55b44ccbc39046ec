//! IAM wildcard patterns; the rules are documented on [`Pattern`].

use crate::hash::{bytes_eq, starts_with};
use core::fmt;

/// Whether letters must match in case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// `A` matches only `A` (resources, ARNs, `StringLike`).
    Sensitive,
    /// `A` matches `A` and `a` (action names, `StringEqualsIgnoreCase`); see the
    /// [`Pattern`] documentation for the exact rule.
    Insensitive,
}

/// How a pattern was classified when compiled; the common shapes cost one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternKind {
    /// Matches every input: `*`, `**`, …
    Any,
    /// No wildcards: the input must equal the text.
    Exact,
    /// `abc*`: the input must start with the text.
    Prefix,
    /// `*abc`: the input must end with the text.
    Suffix,
    /// `*abc*`: the input must contain the text.
    Contains,
    /// Anything else, matched segment by segment.
    General,
}

/// One piece of a pattern's text: either pattern text where `*` and `?` are wildcards, or
/// literal text where they are ordinary characters (used for values substituted from policy
/// variables, and for `${*}`, `${?}`, `${$}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// Text where `*` and `?` are wildcards.
    Wild(&'a str),
    /// Text where every character stands for itself.
    Literal(&'a str),
}

/// A compiled IAM wildcard pattern.
///
///  IAM wildcard patterns.
///
///  IAM knows exactly two wildcards: `*` matches any run of characters (possibly empty,
///  `/` and `:` included) and `?` matches exactly one character. Every other character,
///  brackets and braces included, stands for itself, and a pattern must match the whole
///  input. See
///  <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>,
///  <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
///  and
///  <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String>.
///
///  A "character" is a Unicode scalar value (a Rust `char`), so `?` matches `é` whether it
///  takes one byte or two.
///
///  # Case-insensitive matching
///
///  Action names match case-insensitively; resources and `StringLike` match
///  case-sensitively. Case-insensitive matching compares characters one at a time after
///  mapping each through [`char::to_lowercase`], keeping the character unchanged when its
///  lowercase form is more than one character. The consequences:
///
///  - one character always matches one character, so `?` and the segment lengths mean the
///    same thing in both modes;
///  - `ẞ` matches `ß`, but `SS` does not match `ß` (no full case folding);
///  - `K` (U+212A KELVIN SIGN) matches `k`, because its lowercase form is `k`;
///  - `İ` (U+0130), the only character whose lowercase form is two characters, matches only
///    itself.
///
///  # Cost
///
///  A pattern is compiled once. Matching never allocates and never backtracks: the common
///  shapes (`*`, `abc`, `abc*`, `*abc`, `*abc*`) cost one comparison or one substring search,
///  and any other pattern costs at worst (pattern length × input length) character
///  comparisons, because the segments between `*`s are placed leftmost-first, each once.
///
/// ```
/// use iam_eval::{Case, Pattern};
///
/// let p = Pattern::new("s3:Get*", Case::Insensitive);
/// assert!(p.matches("S3:GetObject"));
/// assert!(!p.matches("s3:PutObject"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    case: Case,
    matcher: Matcher,
}

/// The compiled form. Literal text is stored case-folded when the pattern is
/// case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
    Any,
    Exact(Box<str>),
    Prefix(Box<str>),
    Suffix(Box<str>),
    Contains(Box<str>),
    General(General),
}

/// A pattern split at its `*`s.
#[derive(Debug, Clone, PartialEq, Eq)]
struct General {
    /// Anchored at the start of the input.
    first: Segment,
    /// Placed leftmost-first between `first` and `last`.
    // INVARIANT: no middle segment is empty; runs of `*` were collapsed when compiling.
    middle: Box<[Segment]>,
    /// Anchored at the end of the input; `None` when the pattern has no `*`, in which case
    /// `first` must cover the whole input.
    last: Option<Segment>,
}

/// The text between two `*`s.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Segment {
    // INVARIANT: adjacent atoms are never of the same variant (they were merged).
    atoms: Vec<Atom>,
    /// How many input characters the segment consumes: each literal character matches
    /// exactly one input character in both case modes, and each `?` one more.
    chars: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    /// Literal characters, case-folded if the pattern is case-insensitive.
    Lit(String),
    /// A run of this many `?`.
    AnyChars(usize),
}

impl Segment {
    fn push_char(&mut self, c: char) {
        self.chars += 1;
        if let Some(Atom::Lit(s)) = self.atoms.last_mut() {
            s.push(c);
        } else {
            self.atoms.push(Atom::Lit(c.to_string()));
        }
    }

    fn push_any(&mut self) {
        self.chars += 1;
        if let Some(Atom::AnyChars(n)) = self.atoms.last_mut() {
            *n += 1;
        } else {
            self.atoms.push(Atom::AnyChars(1));
        }
    }

    fn is_empty(&self) -> bool {
        self.atoms.is_empty()
    }

    /// The text when the segment is one literal run with no `?`.
    fn as_literal(&self) -> Option<&str> {
        match self.atoms.as_slice() {
            [Atom::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// Matches the segment at the very start of `input`, returning the bytes consumed.
    fn match_start(&self, input: &str, case: Case) -> Option<usize> {
        let mut consumed = 0;
        for atom in &self.atoms {
            let rest = input.get(consumed..)?;
            consumed += match atom {
                Atom::Lit(lit) => prefix_len(rest, lit, case)?,
                Atom::AnyChars(n) => skip_chars(rest, *n)?,
            };
        }
        Some(consumed)
    }

    /// Matches the segment exactly at the end of `input`, returning where it starts.
    fn match_end(&self, input: &str, case: Case) -> Option<usize> {
        // Every segment consumes a fixed number of characters, so its start is known
        // without searching.
        let start = start_of_last_chars(input, self.chars)?;
        let tail = input.get(start..)?;
        (self.match_start(tail, case)? == tail.len()).then_some(start)
    }

    /// Finds the leftmost match in `hay`, returning the byte offset just after it.
    fn find(&self, hay: &str, case: Case) -> Option<usize> {
        if let (Case::Sensitive, Some(lit)) = (case, self.as_literal()) {
            return hay.find(lit).map(|at| at + lit.len());
        }
        hay.char_indices().find_map(|(at, _)| {
            let rest = hay.get(at..)?;
            self.match_start(rest, case).map(|n| at + n)
        })
    }
}

impl Pattern {
    /// Compiles `pattern`, where `*` and `?` are wildcards and every other character is
    /// literal.
    #[must_use]
    pub fn new(pattern: &str, case: Case) -> Pattern {
        // The shapes of nearly every action and resource (`s3:GetObject`,
        // `arn:aws:s3:::bucket/*`, `*`) are compiled directly; `from_parts` handles the rest
        // and gives the same result.
        let fold = |s: &str| -> Box<str> {
            s.chars()
                .map(|c| fold_for(c, case))
                .collect::<String>()
                .into()
        };
        let matcher = match pattern.find(['*', '?']) {
            None => Some(Matcher::Exact(fold(pattern))),
            Some(i)
                if !pattern.contains('?')
                    && pattern
                        .get(i..)
                        .is_some_and(|t| t.bytes().all(|b| b == b'*')) =>
            {
                let head = pattern.get(..i).unwrap_or("");
                Some(if head.is_empty() {
                    Matcher::Any
                } else {
                    Matcher::Prefix(fold(head))
                })
            }
            Some(_) => None,
        };
        match matcher {
            Some(matcher) => Pattern {
                source: pattern.to_string(),
                case,
                matcher,
            },
            None => Pattern::from_parts([Part::Wild(pattern)], case),
        }
    }

    /// Compiles `text` with no wildcards at all, as `StringEquals` compares: a `*` in
    /// `text` matches only `*`.
    #[must_use]
    pub fn literal(text: &str, case: Case) -> Pattern {
        Pattern::from_parts([Part::Literal(text)], case)
    }

    /// Compiles a pattern assembled from pieces, some where `*` and `?` are wildcards and
    /// some where they are not (values substituted for policy variables, and `${*}`,
    /// `${?}`, `${$}`; see
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars>).
    #[must_use]
    pub(crate) fn from_parts<'a>(parts: impl IntoIterator<Item = Part<'a>>, case: Case) -> Pattern {
        let mut source = String::new();
        let mut segments = vec![Segment::default()];
        for part in parts {
            let (text, wild) = match part {
                Part::Wild(t) => (t, true),
                Part::Literal(t) => (t, false),
            };
            source.push_str(text);
            for c in text.chars() {
                // `segments` starts non-empty and only grows, so `last_mut` always succeeds.
                match (wild, c, segments.last_mut()) {
                    (true, '*', _) => segments.push(Segment::default()),
                    (true, '?', Some(seg)) => seg.push_any(),
                    (_, c, Some(seg)) => seg.push_char(fold_for(c, case)),
                    (_, _, None) => {}
                }
            }
        }
        Pattern {
            source,
            case,
            matcher: classify(segments),
        }
    }

    /// Whether `input` matches the whole pattern. Never allocates.
    #[must_use]
    #[inline]
    pub fn matches(&self, input: &str) -> bool {
        let case = self.case;
        match (&self.matcher, case) {
            // The shapes of nearly every action and ARN pattern, decided inline.
            (Matcher::Any, _) => true,
            (Matcher::Exact(lit), Case::Sensitive) => bytes_eq(input.as_bytes(), lit.as_bytes()),
            (Matcher::Prefix(lit), Case::Sensitive) => {
                starts_with(input.as_bytes(), lit.as_bytes())
            }
            _ => self.matches_other(input),
        }
    }

    fn matches_other(&self, input: &str) -> bool {
        let case = self.case;
        match &self.matcher {
            Matcher::Any => true,
            Matcher::Exact(lit) => match case {
                Case::Sensitive => input == &**lit,
                Case::Insensitive => prefix_len(input, lit, case) == Some(input.len()),
            },
            Matcher::Prefix(lit) => prefix_len(input, lit, case).is_some(),
            Matcher::Suffix(lit) => suffix_start(input, lit, case).is_some(),
            Matcher::Contains(lit) => contains(input, lit, case),
            Matcher::General(g) => g.matches(input, case),
        }
    }

    /// The text a case-sensitive pattern without wildcards matches exactly.
    #[must_use]
    pub(crate) fn exact_text(&self) -> Option<&str> {
        match (&self.matcher, self.case) {
            (Matcher::Exact(lit), Case::Sensitive) => Some(lit),
            _ => None,
        }
    }

    /// How the pattern was classified when compiled.
    #[must_use]
    pub(crate) fn kind(&self) -> PatternKind {
        match self.matcher {
            Matcher::Any => PatternKind::Any,
            Matcher::Exact(_) => PatternKind::Exact,
            Matcher::Prefix(_) => PatternKind::Prefix,
            Matcher::Suffix(_) => PatternKind::Suffix,
            Matcher::Contains(_) => PatternKind::Contains,
            Matcher::General(_) => PatternKind::General,
        }
    }

    /// The text as written (for explanations). Characters substituted from policy
    /// variables are shown as-is, so a literal `*` looks like a wildcard here.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether letters must match in case.
    #[must_use]
    pub fn case(&self) -> Case {
        self.case
    }

    /// Whether the pattern contains a `*` or `?` wildcard (a literal `*` or `?`
    /// substituted from a policy variable does not count).
    #[must_use]
    pub fn has_wildcards(&self) -> bool {
        !matches!(self.matcher, Matcher::Exact(_))
    }

    /// For indexing: the literal text every match must start with (case-folded if
    /// [`Case::Insensitive`]), e.g. `s3:get` for `s3:Get*Object`. Empty when the pattern
    /// starts with a wildcard.
    ///
    /// Case-insensitive callers must fold the input with the same per-character rule
    /// before comparing; see the [`Pattern`] documentation.
    #[must_use]
    pub(crate) fn literal_prefix(&self) -> &str {
        match &self.matcher {
            Matcher::Exact(lit) | Matcher::Prefix(lit) => lit,
            Matcher::Any | Matcher::Suffix(_) | Matcher::Contains(_) => "",
            Matcher::General(g) => match g.first.atoms.first() {
                Some(Atom::Lit(lit)) => lit,
                _ => "",
            },
        }
    }
}

/// One step of a compiled pattern, for code that reasons about the set of strings a pattern
/// matches rather than matching one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Piece {
    /// One character: itself when case-sensitive, any character with the same [`fold`]
    /// when case-insensitive (the character is stored folded then).
    Char(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Run,
}

impl Pattern {
    /// The pattern as a sequence of steps; runs of `*` come out as one [`Piece::Run`].
    pub(crate) fn pieces(&self) -> Vec<Piece> {
        fn segment(seg: &Segment, out: &mut Vec<Piece>) {
            for atom in &seg.atoms {
                match atom {
                    Atom::Lit(s) => out.extend(s.chars().map(Piece::Char)),
                    Atom::AnyChars(n) => out.extend(std::iter::repeat_n(Piece::One, *n)),
                }
            }
        }
        let mut out = Vec::new();
        match &self.matcher {
            Matcher::Any => out.push(Piece::Run),
            Matcher::Exact(lit) => out.extend(lit.chars().map(Piece::Char)),
            Matcher::Prefix(lit) => {
                out.extend(lit.chars().map(Piece::Char));
                out.push(Piece::Run);
            }
            Matcher::Suffix(lit) => {
                out.push(Piece::Run);
                out.extend(lit.chars().map(Piece::Char));
            }
            Matcher::Contains(lit) => {
                out.push(Piece::Run);
                out.extend(lit.chars().map(Piece::Char));
                out.push(Piece::Run);
            }
            Matcher::General(g) => {
                segment(&g.first, &mut out);
                for seg in g.middle.iter() {
                    out.push(Piece::Run);
                    segment(seg, &mut out);
                }
                if let Some(last) = &g.last {
                    out.push(Piece::Run);
                    segment(last, &mut out);
                }
            }
        }
        out
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn classify(mut segments: Vec<Segment>) -> Matcher {
    let has_star = segments.len() > 1;
    let last = if has_star { segments.pop() } else { None };
    let mut rest = segments.into_iter();
    let first = rest.next().unwrap_or_default();
    let middle: Vec<Segment> = rest.filter(|s| !s.is_empty()).collect();

    let Some(last) = last else {
        return match first.as_literal() {
            Some(lit) => Matcher::Exact(lit.into()),
            None if first.is_empty() => Matcher::Exact("".into()),
            None => Matcher::General(General {
                first,
                middle: Box::new([]),
                last: None,
            }),
        };
    };
    match (first.as_literal(), middle.as_slice(), last.as_literal()) {
        _ if first.is_empty() && middle.is_empty() && last.is_empty() => Matcher::Any,
        (Some(lit), [], _) if last.is_empty() => Matcher::Prefix(lit.into()),
        (_, [], Some(lit)) if first.is_empty() => Matcher::Suffix(lit.into()),
        (_, [only], _) if first.is_empty() && last.is_empty() => match only.as_literal() {
            Some(lit) => Matcher::Contains(lit.into()),
            None => Matcher::General(General {
                first,
                middle: middle.into(),
                last: Some(last),
            }),
        },
        _ => Matcher::General(General {
            first,
            middle: middle.into(),
            last: Some(last),
        }),
    }
}

impl General {
    fn matches(&self, input: &str, case: Case) -> bool {
        let Some(start) = self.first.match_start(input, case) else {
            return false;
        };
        let Some(last) = &self.last else {
            return start == input.len();
        };
        // Fix the last segment first: it has a fixed length, so its place is known, and
        // the middle segments must fit strictly between the two anchors.
        let Some(end) = last.match_end(input, case) else {
            return false;
        };
        // `end < start` when the anchored segments would overlap, as `ab*ba` on `aba`.
        let Some(mut window) = input.get(start..end) else {
            return false;
        };
        // Leftmost-first placement is optimal: a segment placed earlier leaves at least as
        // much room for the ones after it, so no choice ever needs revisiting.
        for seg in self.middle.iter() {
            let Some(after) = seg.find(window, case) else {
                return false;
            };
            let Some(rest) = window.get(after..) else {
                return false;
            };
            window = rest;
        }
        true
    }
}

/// Case-insensitive equality without allocating: characters are compared one at a time
/// after mapping each through [`char::to_lowercase`] (ASCII fast path); see the
/// [`Pattern`] documentation for the exact rule.
#[cfg(test)]
#[must_use]
fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    let mut a = a.chars().map(fold);
    let mut b = b.chars().map(fold);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// The per-character lowercase mapping used for case-insensitive matching.
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        // Only `İ` lowercases to two characters; it keeps its identity rather than matching
        // `i`, which would make one pattern character consume two input characters.
        _ => c,
    }
}

fn fold_for(c: char, case: Case) -> char {
    match case {
        Case::Sensitive => c,
        Case::Insensitive => fold(c),
    }
}

/// If `input` starts with `lit` (already folded when `case` is insensitive), the number of
/// bytes of `input` it covers.
#[inline]
fn prefix_len(input: &str, lit: &str, case: Case) -> Option<usize> {
    match case {
        Case::Sensitive => input.starts_with(lit).then_some(lit.len()),
        Case::Insensitive => {
            if lit.is_ascii() {
                if let Some(head) = input.as_bytes().get(..lit.len()) {
                    // An ASCII head is exactly `lit.len()` characters, so the byte
                    // comparison decides; a non-ASCII head may still fold to ASCII (`K`).
                    if head.is_ascii() {
                        return head
                            .eq_ignore_ascii_case(lit.as_bytes())
                            .then_some(lit.len());
                    }
                }
            }
            let mut chars = input.char_indices();
            let mut end = 0;
            for want in lit.chars() {
                let (at, got) = chars.next()?;
                if fold(got) != want {
                    return None;
                }
                end = at + got.len_utf8();
            }
            Some(end)
        }
    }
}

/// If `input` ends with `lit` (already folded when `case` is insensitive), the byte offset
/// where it starts.
#[inline]
fn suffix_start(input: &str, lit: &str, case: Case) -> Option<usize> {
    match case {
        Case::Sensitive => input.ends_with(lit).then(|| input.len() - lit.len()),
        Case::Insensitive => {
            if lit.is_ascii() {
                let start = input.len().checked_sub(lit.len())?;
                if let Some(tail) = input.as_bytes().get(start..) {
                    if tail.is_ascii() {
                        return tail.eq_ignore_ascii_case(lit.as_bytes()).then_some(start);
                    }
                }
            }
            let mut chars = input.char_indices().rev();
            let mut start = input.len();
            for want in lit.chars().rev() {
                let (at, got) = chars.next()?;
                if fold(got) != want {
                    return None;
                }
                start = at;
            }
            Some(start)
        }
    }
}

fn contains(input: &str, lit: &str, case: Case) -> bool {
    match case {
        Case::Sensitive => input.contains(lit),
        Case::Insensitive if input.is_ascii() && lit.is_ascii() => {
            input
                .as_bytes()
                .windows(lit.len().max(1))
                .any(|w| w.eq_ignore_ascii_case(lit.as_bytes()))
                || lit.is_empty()
        }
        Case::Insensitive => input.char_indices().any(|(at, _)| {
            input
                .get(at..)
                .is_some_and(|rest| prefix_len(rest, lit, case).is_some())
        }),
    }
}

/// The byte length of the first `n` characters of `input`, if it has that many.
fn skip_chars(input: &str, n: usize) -> Option<usize> {
    if n == 0 {
        return Some(0);
    }
    input
        .char_indices()
        .nth(n - 1)
        .map(|(at, c)| at + c.len_utf8())
}

/// The byte offset where the last `n` characters of `input` start, if it has that many.
fn start_of_last_chars(input: &str, n: usize) -> Option<usize> {
    if n == 0 {
        return Some(input.len());
    }
    input.char_indices().rev().nth(n - 1).map(|(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Tok {
        Star,
        One,
        Char(char),
    }

    fn tokens(parts: &[Part<'_>]) -> Vec<Tok> {
        let mut out = Vec::new();
        for part in parts {
            match part {
                Part::Wild(t) => out.extend(t.chars().map(|c| match c {
                    '*' => Tok::Star,
                    '?' => Tok::One,
                    c => Tok::Char(c),
                })),
                Part::Literal(t) => out.extend(t.chars().map(Tok::Char)),
            }
        }
        out
    }

    /// Textbook dynamic programming over characters: the reference the fast matcher must
    /// agree with.
    fn naive_tokens(p: &[Tok], s: &str, case: Case) -> bool {
        let s: Vec<char> = s.chars().collect();
        let eq = |a: char, b: char| match case {
            Case::Sensitive => a == b,
            Case::Insensitive => {
                a.to_lowercase().eq(b.to_lowercase()) && {
                    // Mirror the documented rule: a character with a multi-character lowercase
                    // form matches only itself.
                    let multi = |c: char| c.to_lowercase().count() > 1;
                    (!multi(a) && !multi(b)) || a == b
                }
            }
        };
        // dp[j] = pattern prefix so far matches s[..j]
        let mut dp = vec![false; s.len() + 1];
        dp[0] = true;
        for t in p {
            let mut next = vec![false; s.len() + 1];
            match t {
                Tok::Star => {
                    let mut seen = false;
                    for j in 0..=s.len() {
                        seen |= dp[j];
                        next[j] = seen;
                    }
                }
                Tok::One => next[1..].copy_from_slice(&dp[..s.len()]),
                Tok::Char(c) => {
                    for j in 1..=s.len() {
                        next[j] = dp[j - 1] && eq(*c, s[j - 1]);
                    }
                }
            }
            dp = next;
        }
        dp[s.len()]
    }

    fn naive(p: &str, s: &str, case: Case) -> bool {
        naive_tokens(&tokens(&[Part::Wild(p)]), s, case)
    }

    #[test]
    fn aws_doc_table() {
        use Case::{Insensitive as I, Sensitive as S};
        let rows: &[(&str, &str, Case, bool)] = &[
            // `*` matches any run of characters: reference_policies_elements_action.html
            ("s3:Get*", "s3:GetObjectAcl", I, true),
            // Anchored at both ends: `Object` must be the end of the action name.
            ("s3:*Object", "s3:GetObjectAcl", I, false),
            ("s3:*Object", "s3:GetObject", I, true),
            // `?` matches exactly one character.
            ("s3:?etObject", "s3:GetObject", I, true),
            ("s3:?etObject", "s3:etObject", I, false),
            ("s3:?etObject", "s3:GGetObject", I, false),
            // `*` crosses `/`: reference_policies_elements_resource.html
            (
                "arn:aws:s3:::bucket/*/test/*",
                "arn:aws:s3:::bucket/1/2/test/3/object.jpg",
                S,
                true,
            ),
            (
                "arn:aws:s3:::bucket/*/test/*",
                "arn:aws:s3:::bucket/1/other/object.jpg",
                S,
                false,
            ),
            // Only `*` and `?` are wildcards; brackets are literal.
            ("[abc]", "[abc]", S, true),
            ("[abc]", "a", S, false),
            ("{a,b}", "a", S, false),
            ("{a,b}", "{a,b}", S, true),
            // No backtracking blow-up (see the timing test below for the long input).
            ("*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaab", S, true),
            // Action names are case-insensitive: reference_policies_elements_action.html
            ("S3:PutObject", "s3:putobject", I, true),
            ("s3:putobject", "S3:PUTOBJECT", I, true),
            // Resources and StringLike are case-sensitive.
            ("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", S, false),
            // Anchoring: the empty pattern matches only the empty input, `*` matches it too.
            ("", "", S, true),
            ("", "a", S, false),
            ("*", "", S, true),
            ("**", "", I, true),
            ("?", "", S, false),
            // `?` is one character, not one byte.
            ("caf?", "café", S, true),
            ("?afé", "café", S, true),
            ("*?é", "café", S, true),
            ("caf??", "café", S, false),
            // Per-character lowercase: `ẞ` folds to `ß`, but `SS` is two characters.
            ("straße*", "STRAẞE", I, true),
            ("straße*", "STRASSE", I, false),
            // KELVIN SIGN lowercases to ASCII `k`.
            ("k*", "\u{212A}elvin", I, true),
            ("*\u{212A}", "ok", I, true),
            // `İ` (two-character lowercase) matches only itself.
            ("İ", "İ", I, true),
            ("İ", "i", I, false),
            ("i", "İ", I, false),
        ];
        for &(p, s, case, want) in rows {
            let pat = Pattern::new(p, case);
            assert_eq!(pat.matches(s), want, "{p:?} vs {s:?} ({case:?})");
            assert_eq!(naive(p, s, case), want, "naive: {p:?} vs {s:?} ({case:?})");
        }
    }

    #[test]
    fn no_backtracking_blowup() {
        let long = "a".repeat(10_000);
        let start = std::time::Instant::now();
        for p in [
            "*a*a*a*a*a*a*b",
            "*a*a*a*a*a*a*b*",
            "*a?a*a?a*a*a*?b*a",
            "a*a*a*a*a*a*a*ab",
        ] {
            for case in [Case::Sensitive, Case::Insensitive] {
                assert!(!Pattern::new(p, case).matches(&long), "{p}");
            }
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn classification() {
        let cases = [
            ("*", PatternKind::Any, ""),
            ("***", PatternKind::Any, ""),
            ("", PatternKind::Exact, ""),
            ("s3:GetObject", PatternKind::Exact, "s3:getobject"),
            ("s3:Get*", PatternKind::Prefix, "s3:get"),
            ("s3:Get**", PatternKind::Prefix, "s3:get"),
            ("*Object", PatternKind::Suffix, ""),
            ("*Obj*", PatternKind::Contains, ""),
            ("**Obj***", PatternKind::Contains, ""),
            ("s3:Get*Object", PatternKind::General, "s3:get"),
            ("s3:?et", PatternKind::General, "s3:"),
            ("?", PatternKind::General, ""),
            ("*?", PatternKind::General, ""),
            ("*a*b*", PatternKind::General, ""),
        ];
        for (p, kind, prefix) in cases {
            let pat = Pattern::new(p, Case::Insensitive);
            assert_eq!(pat.kind(), kind, "{p}");
            assert_eq!(pat.literal_prefix(), prefix, "{p}");
            assert_eq!(pat.has_wildcards(), kind != PatternKind::Exact, "{p}");
            assert_eq!(pat.source(), p);
        }
        let lit = Pattern::literal("a*b?", Case::Sensitive);
        assert_eq!(lit.kind(), PatternKind::Exact);
        assert!(!lit.has_wildcards());
        assert!(lit.matches("a*b?"));
        assert!(!lit.matches("aXbY"));
    }

    #[test]
    fn from_parts_keeps_literal_wildcards() {
        // `${*}` in a policy becomes a literal `*`: reference_policies_variables.html
        let p = Pattern::from_parts(
            [Part::Wild("home/"), Part::Literal("*"), Part::Wild("/*")],
            Case::Sensitive,
        );
        assert_eq!(p.source(), "home/*/*");
        assert_eq!(p.kind(), PatternKind::Prefix);
        assert_eq!(p.literal_prefix(), "home/*/");
        assert!(p.matches("home/*/x"));
        assert!(!p.matches("home/a/x"));
    }

    #[test]
    fn fold_is_idempotent() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(fold(fold(c)), fold(c), "{c:?}");
        }
    }

    #[test]
    fn eq_ignore_case_rows() {
        assert!(eq_ignore_case("S3:GetObject", "s3:getobject"));
        assert!(eq_ignore_case("STRAẞE", "straße"));
        assert!(!eq_ignore_case("STRASSE", "straße"));
        assert!(eq_ignore_case("\u{212A}", "k"));
        assert!(!eq_ignore_case("ab", "abc"));
        assert!(!eq_ignore_case("İ", "i"));
    }

    const PATTERN_CHARS: &[char] = &[
        '*', '?', 'a', 'b', 'A', 'B', '/', ':', '[', '{', 'é', 'É', 'ß', 'ẞ', '\u{212A}', 'k', 'İ',
        'i',
    ];
    const INPUT_CHARS: &[char] = &[
        'a', 'b', 'A', 'B', '/', ':', '[', '{', '*', '?', 'é', 'É', 'ß', 'ẞ', '\u{212A}', 'k', 'İ',
        'i',
    ];

    fn text(alphabet: &'static [char], max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(alphabet), 0..max)
            .prop_map(|v| v.into_iter().collect())
    }

    fn case() -> impl Strategy<Value = Case> {
        prop_oneof![Just(Case::Sensitive), Just(Case::Insensitive)]
    }

    /// Inputs that often match: the pattern with each wildcard replaced by random text.
    fn near(pattern: &str, fill: &[String]) -> String {
        let mut fills = fill.iter().cycle();
        let mut out = String::new();
        for c in pattern.chars() {
            match c {
                '*' => out.push_str(fills.next().map_or("", String::as_str)),
                '?' => out.push(fills.next().and_then(|f| f.chars().next()).unwrap_or('x')),
                c => out.push(c),
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn agrees_with_naive_on_random_inputs(
            p in text(PATTERN_CHARS, 12),
            s in text(INPUT_CHARS, 14),
            case in case(),
        ) {
            prop_assert_eq!(Pattern::new(&p, case).matches(&s), naive(&p, &s, case));
        }

        #[test]
        fn agrees_with_naive_on_near_inputs(
            p in text(PATTERN_CHARS, 12),
            fill in prop::collection::vec(text(INPUT_CHARS, 4), 1..4),
            case in case(),
        ) {
            let s = near(&p, &fill);
            let got = Pattern::new(&p, case).matches(&s);
            prop_assert_eq!(got, naive(&p, &s, case));
            // Instantiating the wildcards always yields a match.
            prop_assert!(got, "{:?} should match {:?}", p, s);
        }

        #[test]
        fn from_parts_agrees_with_naive(
            parts in prop::collection::vec((any::<bool>(), text(PATTERN_CHARS, 5)), 0..5),
            s in text(INPUT_CHARS, 14),
            case in case(),
        ) {
            let parts: Vec<Part<'_>> = parts
                .iter()
                .map(|(wild, t)| if *wild { Part::Wild(t) } else { Part::Literal(t) })
                .collect();
            let pat = Pattern::from_parts(parts.iter().copied(), case);
            prop_assert_eq!(pat.matches(&s), naive_tokens(&tokens(&parts), &s, case));
        }

        #[test]
        fn literal_matches_only_itself(
            lit in text(PATTERN_CHARS, 10),
            s in text(INPUT_CHARS, 10),
        ) {
            let pat = Pattern::from_parts([Part::Literal(&lit)], Case::Sensitive);
            prop_assert_eq!(pat.kind(), PatternKind::Exact);
            prop_assert!(pat.matches(&lit));
            prop_assert_eq!(pat.matches(&s), s == lit);
            let pat = Pattern::literal(&lit, Case::Insensitive);
            prop_assert_eq!(pat.matches(&s), eq_ignore_case(&s, &lit));
        }

        #[test]
        fn literal_prefix_is_a_prefix_of_every_match(
            p in text(PATTERN_CHARS, 10),
            fill in prop::collection::vec(text(INPUT_CHARS, 3), 1..3),
            case in case(),
        ) {
            let pat = Pattern::new(&p, case);
            let s = near(&p, &fill);
            if pat.matches(&s) {
                let folded: String = s.chars().map(|c| fold_for(c, case)).collect();
                prop_assert!(folded.starts_with(pat.literal_prefix()));
            }
        }
    }
}
