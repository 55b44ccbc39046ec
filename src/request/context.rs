//! The request context: condition keys and their values.

use super::Range;
use crate::hash::{ascii_has_uppercase, bytes_eq, key_hash, key_hash_const};
use crate::value::{date, ip, numeric, parse_bool};
use std::net::IpAddr;

/// A single context value read as each operator family's type, where it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Typed {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) date: Option<date::Instant>,
    pub(crate) number: Option<numeric::Number>,
    pub(crate) boolean: Option<bool>,
}

impl Typed {
    fn read(v: &str) -> Typed {
        let first = v.bytes().next().unwrap_or(b' ');
        let plausible = first.is_ascii_digit() || first == b'-';
        // Only the characters an IPv4 or IPv6 address (with an optional prefix) is made of.
        let ip_like = !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'/'));
        Typed {
            ip: if ip_like { ip::parse_addr(v) } else { None },
            date: if plausible { date::parse(v).ok() } else { None },
            number: if plausible {
                numeric::parse(v).ok()
            } else {
                None
            },
            boolean: if matches!(first, b't' | b'T' | b'f' | b'F') {
                parse_bool(v)
            } else {
                None
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// One value.
    Single(Range),
    /// One value that is always the same text (`false`, `User`, ...).
    Static(&'static str),
    /// A value derived from the principal: a range of [`Context::principal`].
    Principal(Range),
    /// A multivalued key: `len` ranges in `lists` from `first`.
    Multi { first: usize, len: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContextEntry {
    key: Range,
    /// INVARIANT: the lowercase form of `key`; keys compare case-insensitively.
    lower: Range,
    /// INVARIANT: `key_hash` of the lowercase key.
    hash: u64,
    value: Value,
    /// INVARIANT: the typed readings of a single value, made once when the key is set so
    /// conditions on it do not parse it again; empty for a multivalued key.
    pub(crate) typed: Typed,
}

/// A key AWS derives from the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DerivedKey {
    key: &'static str,
    /// INVARIANT: `key.to_lowercase()`.
    lower: &'static str,
    /// INVARIANT: `key_hash(lower)`.
    hash: u64,
}

impl DerivedKey {
    const fn new(key: &'static str, lower: &'static str) -> DerivedKey {
        DerivedKey {
            key,
            lower,
            hash: key_hash_const(lower),
        }
    }
}

/// The keys AWS derives from the principal, in the order it lists them.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
const DERIVED_KEYS: [DerivedKey; 6] = [
    DerivedKey::new("aws:PrincipalArn", "aws:principalarn"),
    DerivedKey::new("aws:PrincipalAccount", "aws:principalaccount"),
    DerivedKey::new("aws:PrincipalIsAWSService", "aws:principalisawsservice"),
    DerivedKey::new("aws:PrincipalServiceName", "aws:principalservicename"),
    DerivedKey::new("aws:PrincipalType", "aws:principaltype"),
    DerivedKey::new("aws:username", "aws:username"),
];

/// A key of [`DERIVED_KEYS`], by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Derive {
    PrincipalArn,
    PrincipalAccount,
    PrincipalIsAwsService,
    PrincipalServiceName,
    PrincipalType,
    Username,
}

impl Derive {
    fn key(self) -> DerivedKey {
        let at = self as usize;
        DERIVED_KEYS
            .get(at)
            .copied()
            .unwrap_or(DerivedKey::new("", ""))
    }
}

/// How many keys a principal derives at most.
const MAX_DERIVED: usize = 5;

/// The keys derived from the request's principal, in the order AWS lists them. They are
/// kept apart from the keys the caller set, which win, and looked up after them: so
/// building a request writes their values once and neither hashes nor indexes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Derived {
    keys: [Derive; MAX_DERIVED],
    values: [Value; MAX_DERIVED],
    /// INVARIANT: at most `MAX_DERIVED`; the keys before it are set.
    len: usize,
}

impl Default for Derived {
    fn default() -> Self {
        Derived {
            keys: [Derive::PrincipalArn; MAX_DERIVED],
            values: [Value::Static(""); MAX_DERIVED],
            len: 0,
        }
    }
}

/// The readings of a derived value: none, as for any value a condition reads when it
/// compares it.
static UNREAD: Typed = Typed {
    ip: None,
    date: None,
    number: None,
    boolean: None,
};

/// The request context: condition keys and their values. Keys are case-insensitive; the
/// last value set for a key wins.
///
/// Keys and values live in one text buffer, so setting a key copies bytes rather than
/// allocating, and a context cleared for the next request keeps its capacity. Keys are
/// found through a table of their hashes, so a lookup costs the same however many keys
/// the request has.
#[derive(Debug, Clone, Default)]
pub struct Context {
    text: String,
    entries: Vec<ContextEntry>,
    lists: Vec<Range>,
    derived: Derived,
    /// The principal's text, which the derived values are ranges of. Kept apart from
    /// `text` so that the derived keys stay with the request when the caller's keys are
    /// swapped out, and a request built for the same principal keeps them as they are.
    principal: String,
    /// What was read from the keys and values set before the context was last cleared.
    memo: Memo,
    /// The entries by the hash of their lowercase key: open addressing, each slot the
    /// entry's index plus one, 0 when free.
    // INVARIANT: empty, or a power of two long and at least twice as long as `entries`,
    // so a probe always meets a free slot; every entry is in it.
    table: Vec<u32>,
}

/// What a context that is cleared and filled again (a request builder's, request after
/// request) read from the keys and values set before, in the order they were set: a key
/// set again in the same place is not lowercased and hashed again, and a value set
/// again is not read again as a number, date, address and boolean. It stays with the
/// context when a request takes its keys.
#[derive(Debug, Clone, Default)]
struct Memo {
    slots: Vec<MemoSlot>,
    /// How many keys were set since the context was last cleared.
    next: usize,
    /// Whether the context was ever cleared: one filled once remembers nothing.
    reused: bool,
}

/// The memo of one place: a key, and the single value set for it.
#[derive(Debug, Clone, Default)]
struct MemoSlot {
    key: String,
    /// INVARIANT: the lowercase form of `key`, or `None` when it is `key` itself.
    lower: Option<String>,
    /// INVARIANT: `key_hash` of the lowercase form.
    hash: u64,
    /// The last single value set for the key in this place, if `has_value`.
    value: String,
    /// INVARIANT: `Typed::read(&value)`.
    typed: Typed,
    has_value: bool,
}

/// The most places a memo keeps: requests set few keys.
const MEMO_SLOTS: usize = 32;

/// Appends `s` to `text`: where it is.
fn push_to(text: &mut String, s: &str) -> Range {
    let start = text.len();
    text.push_str(s);
    Range {
        start,
        end: text.len(),
    }
}

/// Two contexts are equal when they hold the same keys and values, written in the same
/// order; the lookup table, which grows with use, and the memo are not compared.
impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        self.text == other.text
            && self.entries == other.entries
            && self.lists == other.lists
            && self.derived == other.derived
            && self.principal == other.principal
    }
}
impl Eq for Context {}

/// The slot a key hash starts probing at: FxHash mixes its high bits best.
#[inline]
fn bucket(hash: u64) -> usize {
    (hash >> 32) as usize
}

/// Puts entry `i` in a table with a free slot.
fn place(table: &mut [u32], i: usize, hash: u64) {
    let mask = table.len().wrapping_sub(1);
    let mut at = bucket(hash) & mask;
    while let Some(slot) = table.get_mut(at) {
        if *slot == 0 {
            *slot = i as u32 + 1;
            return;
        }
        at = (at + 1) & mask;
    }
}

/// The values of one context key.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    context: &'a Context,
    value: Value,
}

impl<'a> Values<'a> {
    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let ctx = self.context;
        let ranges: &'a [Range] = match self.value {
            Value::Single(_) | Value::Static(_) | Value::Principal(_) => &[],
            Value::Multi { first, len } => ctx.lists.get(first..first + len).unwrap_or_default(),
        };
        let single = self.single();
        single
            .into_iter()
            .chain(ranges.iter().map(move |r| r.get(&ctx.text)))
    }
    /// How many values there are (1 for a single-valued key; possibly 0 for a
    /// multivalued one, which differs from a missing key).
    pub fn len(&self) -> usize {
        match self.value {
            Value::Single(_) | Value::Static(_) | Value::Principal(_) => 1,
            Value::Multi { len, .. } => len,
        }
    }
    /// Whether a multivalued key has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether the key was set as multivalued (a list), even of one value.
    pub fn is_multivalued(&self) -> bool {
        matches!(self.value, Value::Multi { .. })
    }
    /// The bytes of the value of a single-valued key.
    #[inline(always)]
    pub(crate) fn single_bytes(&self) -> Option<&'a [u8]> {
        match self.value {
            Value::Single(r) => Some(r.bytes(&self.context.text)),
            Value::Static(text) => Some(text.as_bytes()),
            Value::Principal(r) => Some(r.bytes(&self.context.principal)),
            Value::Multi { .. } => None,
        }
    }
    /// The value of a single-valued key.
    pub fn single(&self) -> Option<&'a str> {
        match self.value {
            Value::Single(r) => Some(r.get(&self.context.text)),
            Value::Static(text) => Some(text),
            Value::Principal(r) => Some(r.get(&self.context.principal)),
            Value::Multi { .. } => None,
        }
    }
}

/// What a context key can be set to: a string, a boolean or a number for a
/// single-valued key, a list for a multivalued one.
///
/// AWS sends every context value as text, so numbers and booleans are written as AWS
/// writes them: `true`/`false`, integers in decimal (`42`, `-1`), floats in plain
/// decimal notation (`3.5`, `0.001`, and `2` for `2.0`). A NaN or infinite float
/// becomes `NaN`, `inf` or `-inf`, which no `Numeric` operator can compare.
///
/// ```
/// use iam_eval::Request;
///
/// let request = Request::builder()
///     .principal("arn:aws:iam::111122223333:user/alice")
///     .action("s3:PutObject")
///     .resource("arn:aws:s3:::example-bucket/report.csv")
///     .context("s3:max-keys", 10_u32)
///     .context("aws:MultiFactorAuthPresent", true)
///     .context("aws:MultiFactorAuthAge", 3600_i64)
///     .context("aws:TagKeys", ["team", "project"])
///     .build()
///     .expect("a valid request");
/// let context = request.context();
/// assert_eq!(context.get("s3:max-keys").and_then(|v| v.single()), Some("10"));
/// assert_eq!(context.get("aws:TagKeys").map(|v| v.len()), Some(2));
/// ```
pub trait ContextInput {
    /// Sets `key` in `context` to this value.
    fn set(self, context: &mut Context, key: &str);
}

impl ContextInput for &str {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, self);
    }
}
impl ContextInput for &String {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, self);
    }
}
impl ContextInput for String {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, &self);
    }
}
impl ContextInput for bool {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, if self { "true" } else { "false" });
    }
}
/// Numbers are written in decimal, as AWS sends them; see [`ContextInput`].
macro_rules! number_input {
    ($($t:ty),*) => {$(
        impl ContextInput for $t {
            fn set(self, context: &mut Context, key: &str) {
                context.set_single(key, &self.to_string());
            }
        }
    )*};
}
number_input!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

impl<S: AsRef<str>> ContextInput for &[S] {
    fn set(self, context: &mut Context, key: &str) {
        context.set_multi(key, self.iter().map(AsRef::as_ref));
    }
}
impl<S: AsRef<str>> ContextInput for Vec<S> {
    fn set(self, context: &mut Context, key: &str) {
        context.set_multi(key, self.iter().map(AsRef::as_ref));
    }
}
impl<S: AsRef<str>, const N: usize> ContextInput for [S; N] {
    fn set(self, context: &mut Context, key: &str) {
        context.set_multi(key, self.iter().map(AsRef::as_ref));
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    fn push_text(&mut self, s: &str) -> Range {
        let start = self.text.len();
        self.text.push_str(s);
        Range {
            start,
            end: self.text.len(),
        }
    }

    /// The lowercase form of a key that is not ASCII: written to `text` if it differs
    /// from the key (at `written`).
    fn push_lowercase(text: &mut String, key: &str, written: Range) -> Range {
        if !key.chars().any(char::is_uppercase) {
            return written;
        }
        let start = text.len();
        for c in key.chars() {
            text.extend(c.to_lowercase());
        }
        Range {
            start,
            end: text.len(),
        }
    }

    /// The entry for a key, created if missing, with its key written, and the place of
    /// the memo that holds the key, if the memo is in use.
    fn entry_for(&mut self, key: &str) -> (usize, Option<usize>) {
        // The key and, if it differs, its lowercase form are written to the buffer first
        // (no allocation) and taken back if the key is already set.
        let mark = self.text.len();
        let key_range = self.push_text(key);
        let place_in_memo = self.memo.next;
        self.memo.next += 1;
        let memo = if self.memo.reused && place_in_memo < MEMO_SLOTS {
            if self.memo.slots.len() <= place_in_memo {
                self.memo
                    .slots
                    .resize_with(place_in_memo + 1, MemoSlot::default);
            }
            self.memo.slots.get_mut(place_in_memo)
        } else {
            None
        };
        let (lower_range, hash) = match memo {
            Some(m) if bytes_eq(m.key.as_bytes(), key.as_bytes()) => {
                let lower = match &m.lower {
                    None => key_range,
                    Some(l) => push_to(&mut self.text, l),
                };
                (lower, m.hash)
            }
            memo => {
                let lower = match ascii_has_uppercase(key.as_bytes()) {
                    Some(false) => key_range,
                    Some(true) => {
                        let r = push_to(&mut self.text, key);
                        if let Some(s) = self.text.get_mut(r.start..r.end) {
                            s.make_ascii_lowercase();
                        }
                        r
                    }
                    None => Context::push_lowercase(&mut self.text, key, key_range),
                };
                let lower_text = lower.get(&self.text);
                let hash = key_hash(lower_text);
                if let Some(m) = memo {
                    m.key.clear();
                    m.key.push_str(key);
                    m.lower = (lower != key_range).then(|| lower_text.to_string());
                    m.hash = hash;
                    m.has_value = false;
                }
                (lower, hash)
            }
        };
        let memo = self
            .memo
            .reused
            .then_some(place_in_memo)
            .filter(|&p| p < MEMO_SLOTS);
        if let Some(i) = self.find(lower_range.get(&self.text), hash) {
            self.text.truncate(mark);
            return (i, memo);
        }
        self.entries.push(ContextEntry {
            key: key_range,
            lower: lower_range,
            hash,
            value: Value::Multi { first: 0, len: 0 },
            typed: Typed::default(),
        });
        let i = self.entries.len() - 1;
        if self.table.len() < 2 * self.entries.len() {
            // Rebuilt at least twice as large as the entries need.
            let size = (2 * self.entries.len()).next_power_of_two().max(16);
            self.table.clear();
            self.table.resize(size, 0);
            for (j, e) in self.entries.iter().enumerate() {
                place(&mut self.table, j, e.hash);
            }
        } else {
            place(&mut self.table, i, hash);
        }
        (i, memo)
    }

    /// Swaps the keys the caller set (and their buffers) with another context's, leaving
    /// each its derived keys and the principal's text they are read from: building a
    /// request hands the builder's buffers over, and derives the request's keys afresh
    /// only when the principal changed.
    pub(super) fn swap_keys(&mut self, other: &mut Context) {
        std::mem::swap(&mut self.text, &mut other.text);
        std::mem::swap(&mut self.entries, &mut other.entries);
        std::mem::swap(&mut self.lists, &mut other.lists);
        std::mem::swap(&mut self.table, &mut other.table);
    }

    /// Clears the derived keys and keeps the principal's text, for [`Context::derive`].
    pub(super) fn set_principal(&mut self, text: &str) {
        self.derived = Derived::default();
        self.principal.clear();
        self.principal.push_str(text);
    }

    /// Adds a key derived from the principal, after those added before; a key the
    /// caller set wins over it. `value`: a range of the principal's text
    /// ([`Context::set_principal`]).
    pub(super) fn derive(&mut self, key: Derive, value: Range) {
        self.derive_value(key, Value::Principal(value));
    }

    /// As [`Context::derive`], with a value that is always the same.
    pub(super) fn derive_static(&mut self, key: Derive, value: &'static str) {
        self.derive_value(key, Value::Static(value));
    }

    fn derive_value(&mut self, key: Derive, value: Value) {
        let d = &mut self.derived;
        if let (Some(k), Some(v)) = (d.keys.get_mut(d.len), d.values.get_mut(d.len)) {
            *k = key;
            *v = value;
            d.len += 1;
        }
    }

    /// Every derived key, the caller's or not, in order.
    #[inline(always)]
    fn all_derived(&self) -> impl Iterator<Item = (DerivedKey, Value)> + '_ {
        let d = &self.derived;
        let len = d.len.min(MAX_DERIVED);
        let keys = d.keys.get(..len).unwrap_or_default();
        let values = d.values.get(..len).unwrap_or_default();
        keys.iter().zip(values).map(|(k, v)| (k.key(), *v))
    }

    /// The derived keys the caller did not set, in order.
    fn derived(&self) -> impl Iterator<Item = (DerivedKey, Value)> + '_ {
        self.all_derived()
            .filter(|(k, _)| self.find(k.lower, k.hash).is_none())
    }

    fn set_single(&mut self, key: &str, value: &str) {
        let (i, memo) = self.entry_for(key);
        let range = self.push_text(value);
        let typed = match memo.and_then(|p| self.memo.slots.get_mut(p)) {
            Some(m) if m.has_value && bytes_eq(m.value.as_bytes(), value.as_bytes()) => m.typed,
            Some(m) => {
                m.value.clear();
                m.value.push_str(value);
                m.typed = Typed::read(value);
                m.has_value = true;
                m.typed
            }
            None => Typed::read(value),
        };
        if let Some(e) = self.entries.get_mut(i) {
            e.value = Value::Single(range);
            e.typed = typed;
        }
    }

    fn set_multi<'v>(&mut self, key: &str, values: impl Iterator<Item = &'v str>) {
        let (i, _) = self.entry_for(key);
        let first = self.lists.len();
        for v in values {
            let r = self.push_text(v);
            self.lists.push(r);
        }
        let len = self.lists.len() - first;
        if let Some(e) = self.entries.get_mut(i) {
            e.value = Value::Multi { first, len };
            e.typed = Typed::default();
        }
    }

    /// Sets a key, replacing any value it had.
    pub fn insert(&mut self, key: &str, value: impl ContextInput) {
        value.set(self, key);
    }

    /// Adds a value to a key, making it multivalued.
    pub fn push(&mut self, key: &str, value: &str) {
        let (i, _) = self.entry_for(key);
        let old = self.entries.get(i).map(|e| e.value);
        // The entry's values move to the end of `lists` (they are usually there already),
        // so they stay contiguous.
        let first = self.lists.len();
        match old {
            Some(Value::Single(r)) => self.lists.push(r),
            Some(Value::Static(text)) => {
                let r = self.push_text(text);
                self.lists.push(r);
            }
            Some(Value::Principal(r)) => {
                let start = self.text.len();
                self.text.push_str(r.get(&self.principal));
                let end = self.text.len();
                self.lists.push(Range { start, end });
            }
            Some(Value::Multi { first: f, len }) if f + len == first && len > 0 => {
                let r = self.push_text(value);
                self.lists.push(r);
                if let Some(e) = self.entries.get_mut(i) {
                    e.value = Value::Multi {
                        first: f,
                        len: len + 1,
                    };
                }
                return;
            }
            Some(Value::Multi { first: f, len }) => {
                for j in f..f + len {
                    if let Some(&r) = self.lists.get(j) {
                        self.lists.push(r);
                    }
                }
            }
            None => {}
        }
        let r = self.push_text(value);
        self.lists.push(r);
        let len = self.lists.len() - first;
        if let Some(e) = self.entries.get_mut(i) {
            e.value = Value::Multi { first, len };
            e.typed = Typed::default();
        }
    }

    #[inline(always)]
    fn find(&self, lower: &str, hash: u64) -> Option<usize> {
        let mask = self.table.len().checked_sub(1)?;
        let mut at = bucket(hash) & mask;
        loop {
            let slot = *self.table.get(at)?;
            let i = (slot as usize).checked_sub(1)?;
            let e = self.entries.get(i)?;
            if e.hash == hash && bytes_eq(e.lower.bytes(&self.text), lower.as_bytes()) {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }

    /// The values of a key (case-insensitive).
    pub fn get(&self, key: &str) -> Option<Values<'_>> {
        let lower = key.to_lowercase();
        self.get_lower(&lower, key_hash(&lower)).map(|(v, _)| v)
    }

    /// Looks a key up by its lowercase form and its [`key_hash`], without allocating:
    /// the keys the caller set, then those derived from the principal.
    #[inline(always)]
    pub(crate) fn get_lower(&self, lower: &str, hash: u64) -> Option<(Values<'_>, &Typed)> {
        let (value, typed) = match self.find(lower, hash) {
            Some(i) => {
                let e = self.entries.get(i)?;
                (e.value, &e.typed)
            }
            None => {
                let (_, value) = self.all_derived().find(|(k, _)| {
                    k.hash == hash && bytes_eq(k.lower.as_bytes(), lower.as_bytes())
                })?;
                (value, &UNREAD)
            }
        };
        Some((
            Values {
                context: self,
                value,
            },
            typed,
        ))
    }

    /// Whether the key is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys the caller set (not those derived from the principal), with their
    /// lowercase forms and values, in the order first set.
    pub(crate) fn caller_keys(&self) -> impl Iterator<Item = (&str, &str, Values<'_>)> {
        self.entries.iter().map(|e| {
            (
                e.key.get(&self.text),
                e.lower.get(&self.text),
                Values {
                    context: self,
                    value: e.value,
                },
            )
        })
    }

    /// Whether a key was derived from the principal (`aws:PrincipalArn`, ...) rather
    /// than set by the caller; `false` for a key that is not set.
    pub fn is_derived(&self, key: &str) -> bool {
        let lower = key.to_lowercase();
        self.derived().any(|(k, _)| k.lower == lower)
    }

    /// As [`Context::iter`], with whether each key was derived from the principal.
    pub(crate) fn iter_with_origin(&self) -> impl Iterator<Item = (&str, Values<'_>, bool)> {
        let set = self.entries.iter().map(|e| {
            let values = Values {
                context: self,
                value: e.value,
            };
            (e.key.get(&self.text), values, false)
        });
        let derived = self.derived().map(|(k, value)| {
            let values = Values {
                context: self,
                value,
            };
            (k.key, values, true)
        });
        set.chain(derived)
    }

    /// The keys and values, in the order first set, with the keys as first written: those
    /// the caller set, then those derived from the principal.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Values<'_>)> {
        let set = self.entries.iter().map(|e| {
            (
                e.key.get(&self.text),
                Values {
                    context: self,
                    value: e.value,
                },
            )
        });
        let derived = self.derived().map(|(k, value)| {
            (
                k.key,
                Values {
                    context: self,
                    value,
                },
            )
        });
        set.chain(derived)
    }
    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len() + self.derived().count()
    }
    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Removes every key, keeping the buffers for the next request.
    pub fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
        self.lists.clear();
        self.table.fill(0);
        self.memo.next = 0;
        self.memo.reused = true;
        if self.derived.len > 0 || !self.principal.is_empty() {
            self.derived = Derived::default();
            self.principal.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_values() {
        let mut c = Context::new();
        c.insert("K:A", "one");
        c.insert("k:b", ["x", "y"].as_slice());
        c.push("k:c", "p");
        c.push("k:c", "q");
        c.insert("k:a", "two");
        c.push("k:b", "z");
        fn get<'c>(c: &'c Context, k: &str) -> Option<(bool, Vec<&'c str>)> {
            c.get(k).map(|v| (v.is_multivalued(), v.iter().collect()))
        }
        assert_eq!(
            get(&c, "k:a"),
            Some((false, vec!["two"])),
            "replaced, case-insensitively"
        );
        assert_eq!(get(&c, "K:B"), Some((true, vec!["x", "y", "z"])));
        assert_eq!(get(&c, "k:c"), Some((true, vec!["p", "q"])));
        assert_eq!(get(&c, "k:d"), None);
        c.insert("k:e", Vec::<String>::new());
        assert_eq!(
            get(&c, "k:e"),
            Some((true, vec![])),
            "an empty set is not a missing key"
        );
        assert_eq!(
            c.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["K:A", "k:b", "k:c", "k:e"]
        );
        c.clear();
        assert!(c.is_empty());
    }
}
