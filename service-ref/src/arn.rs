//! Whether a policy's `Resource` ARN can denote a resource of a given ARN format: see
//! [`ArnFormat`].

use crate::text::placeholder_end;

/// The most tokens (literal bytes and placeholders) a format may have; the longest shipped
/// format has fewer than 200. [`validate`](crate::validate) checks every shipped format.
const MAX_TOKENS: usize = 255;
/// Two states per token (before it; inside a placeholder) and the final one.
const WORDS: usize = (2 * MAX_TOKENS + 1).div_ceil(64);
/// Longer policy ARNs are not analysed: [`ArnFormat::may_match`] answers `true`. IAM
/// limits ARNs to 2048 characters.
pub(crate) const MAX_POLICY_ARN_LEN: usize = 4096;

/// One ARN format of a resource type, e.g. `arn:${Partition}:s3:::${BucketName}`.
///
/// A format such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}` is read as a
/// pattern over concrete ARNs: literal text matches itself (case-sensitively, as ARNs are
/// compared), and each `${…}` placeholder stands for one or more characters. A policy ARN
/// such as `arn:aws:s3:::my-bucket/*` is a pattern too: `*` any run, `?` one character, and a
/// policy variable (`${aws:username}`) any run, since its value is not known before a
/// request; `${*}`, `${?}` and `${$}` are the literal characters. In a policy ARN with all
/// six fields, a wildcard before the fifth `:` stays within its field (AWS matches ARNs
/// field by field); in a shorter one (`*`, `arn:aws:s3:*`) it may match any text.
///
/// The question [`may_match`](Self::may_match) answers is whether some concrete ARN matches
/// both patterns. It is decided exactly for these two pattern languages by walking the pair
/// of automata in step, in `policy length × format length` time with no allocation.
///
/// What a placeholder may hold is approximated from the format alone:
///
/// - in the partition, service, region and account fields (before the fifth `:`), any
///   non-empty text without `:`;
/// - in the resource part, any non-empty text, except the character that follows the
///   placeholder when that is `/` or `:` (in `${BucketName}/${ObjectName}` the bucket name
///   holds no `/`), and except `/` for a trailing placeholder that another format of the
///   same service extends with `/…` (the S3 bucket format beside the object format).
///
/// So a bucket ARN with a key (`arn:aws:s3:::b/k`) does not fit the bucket format and a
/// bucket ARN without one does not fit the object format, while an object key or an IAM
/// path may hold `/` anywhere. Names are not checked against each service's own character
/// rules, and a policy `?` is taken as one byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArnFormat {
    text: &'static str,
    slash_free_tail: bool,
}

impl ArnFormat {
    pub(crate) fn new(text: &'static str, slash_free_tail: bool) -> ArnFormat {
        ArnFormat {
            text,
            slash_free_tail,
        }
    }

    /// The format as the source writes it.
    pub fn as_str(self) -> &'static str {
        self.text
    }

    /// Whether some concrete ARN of this format matches the policy ARN `resource`
    /// (wildcards and policy variables allowed), as the [type's documentation](ArnFormat)
    /// describes.
    ///
    /// `"*"` may match every format. A `resource` longer than 4096 bytes is not analysed
    /// and gives `true`.
    pub fn may_match(self, resource: &str) -> bool {
        if resource.len() > MAX_POLICY_ARN_LEN {
            return true;
        }
        match Format::compile(self.text.as_bytes(), self.slash_free_tail) {
            Some(format) => format.intersects(resource.as_bytes()),
            None => true,
        }
    }
}

impl std::fmt::Debug for ArnFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ArnFormat").field(&self.text).finish()
    }
}

impl std::fmt::Display for ArnFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)
    }
}

/// Whether `format` has few enough tokens for the matcher.
pub(crate) fn fits(format: &[u8]) -> bool {
    Format::compile(format, false).is_some()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(u8),
    Placeholder { no_slash: bool, no_colon: bool },
}

impl Token {
    fn allows(self, c: u8) -> bool {
        match self {
            Token::Literal(l) => l == c,
            Token::Placeholder { no_slash, no_colon } => {
                !((no_slash && c == b'/') || (no_colon && c == b':'))
            }
        }
    }
}

struct Format {
    tokens: [Token; MAX_TOKENS],
    len: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct States([u64; WORDS]);

impl States {
    const EMPTY: States = States([0; WORDS]);

    fn get(&self, s: usize) -> bool {
        self.0.get(s / 64).is_some_and(|w| w & (1 << (s % 64)) != 0)
    }

    fn set(&mut self, s: usize) {
        if let Some(w) = self.0.get_mut(s / 64) {
            *w |= 1 << (s % 64);
        }
    }

    /// The set states, in increasing order.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            let mut w = word;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros() as usize;
                    w &= w - 1;
                    i * 64 + bit
                })
            })
        })
    }
}

/// One character of the policy ARN, as a set of concrete characters.
#[derive(Clone, Copy)]
enum Step {
    Char(u8),
    /// `?`: any one character; not `:` when `field_bound`.
    Any {
        field_bound: bool,
    },
    /// `*` or a policy variable: any run, the empty one included; without `:` when
    /// `field_bound`.
    Star {
        field_bound: bool,
    },
}

impl Step {
    fn bound(self, field_bound: bool) -> Step {
        match self {
            Step::Char(c) => Step::Char(c),
            Step::Any { .. } => Step::Any { field_bound },
            Step::Star { .. } => Step::Star { field_bound },
        }
    }
}

impl Format {
    fn compile(text: &[u8], slash_free_tail: bool) -> Option<Format> {
        let mut tokens = [Token::Literal(0); MAX_TOKENS];
        let mut len = 0;
        let mut colons = 0;
        let mut i = 0;
        while i < text.len() {
            let token = match placeholder_end(text, i).filter(|_| text.get(i) == Some(&b'$')) {
                Some(end) => {
                    i = end;
                    let in_resource = colons >= 5;
                    let next = text.get(end).copied();
                    let trailing = end == text.len();
                    Token::Placeholder {
                        no_slash: in_resource
                            && (next == Some(b'/') || (trailing && slash_free_tail)),
                        no_colon: !in_resource || next == Some(b':'),
                    }
                }
                None => {
                    let c = text.get(i).copied().unwrap_or(0);
                    i += 1;
                    if c == b':' {
                        colons += 1;
                    }
                    Token::Literal(c)
                }
            };
            *tokens.get_mut(len)? = token;
            len += 1;
        }
        Some(Format { tokens, len })
    }

    fn token(&self, i: usize) -> Option<Token> {
        if i < self.len {
            self.tokens.get(i).copied()
        } else {
            None
        }
    }

    /// State `2i` is "before token `i`", state `2i + 1` "inside placeholder `i`, one or
    /// more characters read"; state `2 × len` accepts. The only silent move is from inside
    /// a placeholder to after it, one state forward.
    fn close(&self, states: &mut States) {
        let inside = *states;
        for s in inside.iter().filter(|s| s % 2 == 1) {
            states.set(s + 1);
        }
    }

    fn step(&self, from: &States, step: Step) -> States {
        let mut to = States::EMPTY;
        match step {
            Step::Char(c) => {
                for s in from.iter() {
                    let Some(token) = self.token(s / 2) else {
                        continue;
                    };
                    if token.allows(c) {
                        let inside = matches!(token, Token::Placeholder { .. });
                        to.set(match (s % 2, inside) {
                            (0, false) => s + 2,
                            _ => s | 1,
                        });
                    }
                }
            }
            Step::Any { field_bound } => {
                for s in from.iter() {
                    match self.token(s / 2) {
                        Some(Token::Literal(l)) if s % 2 == 0 && !(field_bound && l == b':') => {
                            to.set(s + 2);
                        }
                        Some(Token::Placeholder { .. }) => to.set(s | 1),
                        _ => {}
                    }
                }
            }
            Step::Star { field_bound } => {
                // Every move goes forward (or stays), so one pass in state order closes
                // the set under "read any characters".
                to = *from;
                for s in 0..=2 * self.len {
                    if !to.get(s) {
                        continue;
                    }
                    match self.token(s / 2) {
                        Some(Token::Literal(l)) if s % 2 == 0 && !(field_bound && l == b':') => {
                            to.set(s + 2);
                        }
                        Some(Token::Placeholder { .. }) if s % 2 == 0 => to.set(s + 1),
                        Some(Token::Placeholder { .. }) => to.set(s + 1),
                        _ => {}
                    }
                }
            }
        }
        self.close(&mut to);
        to
    }

    /// Whether some string matches both this format and the policy pattern `policy`.
    fn intersects(&self, policy: &[u8]) -> bool {
        // In a policy ARN with all six fields, a wildcard before the fifth colon stays in
        // its field, as AWS matches ARNs field by field; in anything shorter (`*`,
        // `arn:aws:s3:*`) it may match any text.
        let mut colons = 0;
        let mut i = 0;
        while i < policy.len() {
            let (step, next) = policy_step(policy, i);
            if matches!(step, Step::Char(b':')) {
                colons += 1;
            }
            i = next;
        }
        let full_arn = colons >= 5;

        let mut states = States::EMPTY;
        states.set(0);
        let mut field = 0;
        let mut i = 0;
        while i < policy.len() {
            let (step, next) = policy_step(policy, i);
            states = self.step(&states, step.bound(full_arn && field < 5));
            if matches!(step, Step::Char(b':')) {
                field += 1;
            }
            if states == States::EMPTY {
                return false;
            }
            i = next;
        }
        states.get(2 * self.len)
    }
}

/// The policy pattern's step at byte `i`, and where the next one starts.
fn policy_step(policy: &[u8], i: usize) -> (Step, usize) {
    match policy.get(i).copied() {
        Some(b'*') => (Step::Star { field_bound: false }, i + 1),
        Some(b'?') => (Step::Any { field_bound: false }, i + 1),
        Some(b'$') if policy.get(i + 1) == Some(&b'{') => {
            match policy
                .get(i..)
                .and_then(|rest| rest.iter().position(|&c| c == b'}'))
            {
                Some(close) => {
                    let step = match policy.get(i + 2..i + close) {
                        Some(b"*") => Step::Char(b'*'),
                        Some(b"?") => Step::Char(b'?'),
                        Some(b"$") => Step::Char(b'$'),
                        _ => Step::Star { field_bound: false },
                    };
                    (step, i + close + 1)
                }
                None => (Step::Char(b'$'), i + 1),
            }
        }
        Some(c) => (Step::Char(c), i + 1),
        None => (Step::Star { field_bound: false }, i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
    const LOG_STREAM: &str =
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";

    fn may(format: &'static str, slash_free_tail: bool, resource: &str) -> bool {
        ArnFormat::new(format, slash_free_tail).may_match(resource)
    }

    #[test]
    fn s3_bucket_and_object() {
        let cases: &[(&str, bool, bool)] = &[
            // resource, fits bucket, fits object
            ("*", true, true),
            ("arn:aws:s3:::my-bucket", true, false),
            ("arn:aws:s3:::my-bucket/*", false, true),
            ("arn:aws:s3:::my-bucket/a/b/c.txt", false, true),
            ("arn:aws:s3:::my-bucket*", true, true),
            ("arn:aws:s3:::*", true, true),
            ("arn:aws:s3:::*/*", false, true),
            ("arn:aws-cn:s3:::b", true, false),
            ("arn:aws:s3:us-east-1::b", false, false),
            ("arn:aws:s3:::", false, false),
            ("arn:aws:iam:::b", false, false),
            ("arn:aws:s3:::${aws:username}", true, true),
            ("arn:aws:s3:::home/${aws:username}/*", false, true),
            ("arn:aws:s3:::b?", true, false),
            ("arn:aws:s3:::b/?", false, true),
            ("arn:*:s3:::b", true, false),
            ("arn:aws:s3", false, false),
        ];
        for &(resource, bucket, object) in cases {
            assert_eq!(may(BUCKET, true, resource), bucket, "bucket vs {resource}");
            assert_eq!(may(OBJECT, false, resource), object, "object vs {resource}");
        }
    }

    #[test]
    fn fields_and_paths() {
        assert!(may(ROLE, false, "arn:aws:iam::111122223333:role/admin"));
        assert!(may(
            ROLE,
            false,
            "arn:aws:iam::111122223333:role/path/to/admin"
        ));
        assert!(may(ROLE, false, "arn:aws:iam::*:role/*"));
        assert!(!may(ROLE, false, "arn:aws:iam::111122223333:user/admin"));
        assert!(!may(ROLE, false, "arn:aws:iam:::role/admin"));
        // An account field cannot swallow a colon.
        assert!(!may(ROLE, false, "arn:aws:iam::1:2:role/admin"));
        assert!(may(
            LOG_STREAM,
            false,
            "arn:aws:logs:*:*:log-group:/aws/lambda/f:log-stream:*"
        ));
        assert!(!may(
            LOG_STREAM,
            false,
            "arn:aws:logs:*:*:log-group:/aws/lambda/f"
        ));
        assert!(may(LOG_STREAM, false, "arn:aws:logs:*:*:log-group:*"));
    }

    #[test]
    fn literal_escapes() {
        let format = "arn:${Partition}:svc:::thing/a*b";
        assert!(may(format, false, "arn:aws:svc:::thing/a${*}b"));
        assert!(!may(format, false, "arn:aws:svc:::thing/a${?}b"));
        assert!(may(format, false, "arn:aws:svc:::thing/a?b"));
    }

    #[test]
    fn long_input_is_not_analysed() {
        let long = "x".repeat(MAX_POLICY_ARN_LEN + 1);
        assert!(may(BUCKET, true, &long));
        assert!(!may(BUCKET, true, &long[..MAX_POLICY_ARN_LEN]));
    }

    #[test]
    fn capacity() {
        assert!(fits("a".repeat(MAX_TOKENS).as_bytes()));
        assert!(!fits("a".repeat(MAX_TOKENS + 1).as_bytes()));
        assert!(ArnFormat::new(&*"a".repeat(MAX_TOKENS + 1).leak(), false).may_match("b"));
    }
}
