//! Condition keys: types, lookup by name and by template.

use std::fmt;

use crate::blob::{
    self, equal_range, key_rec, partition_point, str_bytes, Run, FLAG_GLOBAL, FLAG_PREFERRED,
    FLAG_TEMPLATE,
};
use crate::text::{
    cmp_ci, distance_within, placeholder_end, starts_with_ci, suggestion_limit,
    template_distance_within, template_match_ci, MAX_NAME_LEN,
};

/// The type of a condition key's value, in the service reference's vocabulary.
///
/// The `ArrayOf…` types are multivalued keys: AWS documents that they are to be tested with
/// the `ForAllValues:` / `ForAnyValue:` set operators. A type name this crate does not know
/// is [`KeyType::Other`]; [`ConditionKey::type_name`] still gives it as the source spells it.
///
/// `aws:EpochTime` is typed [`KeyType::Date`], although AWS documents it as working with
/// numeric operators too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// `String`: string operators.
    String,
    /// `ArrayOfString`.
    ArrayOfString,
    /// `Numeric`: numeric operators.
    Numeric,
    /// `ArrayOfNumeric`.
    ArrayOfNumeric,
    /// `Date`: date operators.
    Date,
    /// `ArrayOfDate`.
    ArrayOfDate,
    /// `Bool`: the `Bool` operator.
    Bool,
    /// `ArrayOfBool`.
    ArrayOfBool,
    /// `IPAddress`: `IpAddress` / `NotIpAddress`.
    IpAddress,
    /// `ArrayOfIPAddress`.
    ArrayOfIpAddress,
    /// `ARN`: ARN operators (string operators work too).
    Arn,
    /// `ArrayOfARN`.
    ArrayOfArn,
    /// `Binary`: `BinaryEquals`.
    Binary,
    /// `ArrayOfBinary`.
    ArrayOfBinary,
    /// A type name the crate does not know, or none: a key an action names but no table
    /// defines.
    Other,
}

pub(crate) const MAX_TYPE_CODE: u8 = 14;

impl KeyType {
    fn from_code(code: u8) -> KeyType {
        match code {
            1 => KeyType::String,
            2 => KeyType::ArrayOfString,
            3 => KeyType::Numeric,
            4 => KeyType::ArrayOfNumeric,
            5 => KeyType::Date,
            6 => KeyType::ArrayOfDate,
            7 => KeyType::Bool,
            8 => KeyType::ArrayOfBool,
            9 => KeyType::IpAddress,
            10 => KeyType::ArrayOfIpAddress,
            11 => KeyType::Arn,
            12 => KeyType::ArrayOfArn,
            13 => KeyType::Binary,
            14 => KeyType::ArrayOfBinary,
            _ => KeyType::Other,
        }
    }

    /// Whether this is an `ArrayOf…` (multivalued) type.
    pub fn is_array(self) -> bool {
        matches!(
            self,
            KeyType::ArrayOfString
                | KeyType::ArrayOfNumeric
                | KeyType::ArrayOfDate
                | KeyType::ArrayOfBool
                | KeyType::ArrayOfIpAddress
                | KeyType::ArrayOfArn
                | KeyType::ArrayOfBinary
        )
    }

    /// The type of one value: `ArrayOfString` gives `String`; a scalar type gives itself.
    pub fn element(self) -> KeyType {
        match self {
            KeyType::ArrayOfString => KeyType::String,
            KeyType::ArrayOfNumeric => KeyType::Numeric,
            KeyType::ArrayOfDate => KeyType::Date,
            KeyType::ArrayOfBool => KeyType::Bool,
            KeyType::ArrayOfIpAddress => KeyType::IpAddress,
            KeyType::ArrayOfArn => KeyType::Arn,
            KeyType::ArrayOfBinary => KeyType::Binary,
            other => other,
        }
    }

    /// The name the service reference uses: `String`, `ArrayOfString`, `IPAddress`, `ARN`,
    /// …; `Other` for [`KeyType::Other`].
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::ArrayOfString => "ArrayOfString",
            KeyType::Numeric => "Numeric",
            KeyType::ArrayOfNumeric => "ArrayOfNumeric",
            KeyType::Date => "Date",
            KeyType::ArrayOfDate => "ArrayOfDate",
            KeyType::Bool => "Bool",
            KeyType::ArrayOfBool => "ArrayOfBool",
            KeyType::IpAddress => "IPAddress",
            KeyType::ArrayOfIpAddress => "ArrayOfIPAddress",
            KeyType::Arn => "ARN",
            KeyType::ArrayOfArn => "ArrayOfARN",
            KeyType::Binary => "Binary",
            KeyType::ArrayOfBinary => "ArrayOfBinary",
            KeyType::Other => "Other",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition key: a global key such as `aws:SourceIp`, or a key a service defines such as
/// `s3:x-amz-server-side-encryption`.
///
/// A key may be a template: `aws:PrincipalTag/${TagKey}` stands for `aws:PrincipalTag/team`
/// and every other tag key. Lookups resolve a concrete name to its template.
///
/// The same name can be defined with different types by different services (the table
/// keeps each definition); [`condition_key`](crate::condition_key) picks the global
/// definition, else the one of the service the key's prefix names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionKey(pub(crate) u32);

impl ConditionKey {
    /// The name as the source spells it, e.g. `aws:PrincipalTag/${TagKey}`.
    pub fn name(self) -> &'static str {
        blob::str_at(key_rec(self.0).name)
    }

    /// The type of the key's value.
    pub fn key_type(self) -> KeyType {
        KeyType::from_code(key_rec(self.0).type_code)
    }

    /// The type as the source names it; empty for a key that an action names but no
    /// table defines.
    pub fn type_name(self) -> &'static str {
        blob::str_at(key_rec(self.0).type_name)
    }

    /// Whether the key can hold several values in one request (an `ArrayOf…` type).
    pub fn multivalued(self) -> bool {
        self.key_type().is_array()
    }

    /// Whether the key is one of the global keys, usable in a statement for any service.
    pub fn is_global(self) -> bool {
        key_rec(self.0).flags & FLAG_GLOBAL != 0
    }

    /// Whether the name holds a placeholder such as `${TagKey}` or `<key>`.
    pub fn is_template(self) -> bool {
        key_rec(self.0).flags & FLAG_TEMPLATE != 0
    }

    /// Whether `name` is this key: equal ignoring ASCII case, or, for a template, an
    /// instance of it (each placeholder standing for one or more characters).
    pub fn matches(self, name: &str) -> bool {
        let own = str_bytes(key_rec(self.0).name);
        if own.eq_ignore_ascii_case(name.as_bytes()) {
            return true;
        }
        self.is_template() && name.len() <= MAX_NAME_LEN && template_match_ci(own, name.as_bytes())
    }
}

impl fmt::Debug for ConditionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConditionKey").field(&self.name()).finish()
    }
}

impl fmt::Display for ConditionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn has_placeholder(name: &[u8]) -> bool {
    (0..name.len()).any(|i| placeholder_end(name, i).is_some())
}

/// How many bytes of `name` are not placeholders.
fn literal_len(name: &[u8]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < name.len() {
        match placeholder_end(name, i) {
            Some(end) => i = end,
            None => {
                len += 1;
                i += 1;
            }
        }
    }
    len
}

/// The text of key `k` before its first placeholder (all of it for a plain key).
pub(crate) fn literal_prefix(k: u32) -> &'static [u8] {
    let rec = key_rec(k);
    let name = str_bytes(rec.name);
    if rec.flags & FLAG_TEMPLATE == 0 {
        return name;
    }
    name.get(..usize::from(rec.prefix_len)).unwrap_or(name)
}

fn all_keys() -> Run {
    Run {
        start: 0,
        len: blob::key_count(),
    }
}

/// The template keys `name` instantiates, those with the longest literal prefix first.
///
/// Templates are sorted by literal prefix, and every prefix of `name` sorts at or before
/// `name`, so the candidates are the templates before `name`'s position; scanning back
/// stops at the first prefix that no longer shares `name`'s first byte. A prefix of a
/// prefix sorts before it, so the longest prefixes come first.
pub(crate) fn templates_matching(name: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let templates = Run {
        start: 0,
        len: blob::template_count(),
    };
    let end = if name.len() > MAX_NAME_LEN {
        0
    } else {
        partition_point(templates, |t| {
            cmp_ci(literal_prefix(blob::template_at(t)), name) != std::cmp::Ordering::Greater
        })
    };
    // Templates with nothing before their first placeholder sort first and match any
    // first byte: they come last, after the backward scan.
    let lead = partition_point(templates, |t| {
        literal_prefix(blob::template_at(t)).is_empty()
    });
    let first = name.first().map(u8::to_ascii_lowercase);
    (lead..end.max(lead))
        .rev()
        .map(blob::template_at)
        .take_while(move |&k| literal_prefix(k).first().map(u8::to_ascii_lowercase) == first)
        .chain((0..lead.min(end)).map(blob::template_at))
        .filter(move |&k| {
            starts_with_ci(name, literal_prefix(k))
                && template_match_ci(str_bytes(key_rec(k).name), name)
        })
}

fn preferred_in(run: Run) -> Option<u32> {
    (run.start..run.end())
        .find(|&k| key_rec(k).flags & FLAG_PREFERRED != 0)
        .or((run.len > 0).then_some(run.start))
}

/// Looks up a condition key by name, ignoring ASCII case: `aws:SourceIp`,
/// `s3:x-amz-server-side-encryption`, or an instance of a template such as
/// `aws:PrincipalTag/team` (which gives `aws:PrincipalTag/${TagKey}`).
///
/// Global keys and the keys of every service are searched. Where several definitions share
/// a name, the global one wins, else the one of the service the key's prefix names.
pub fn condition_key(name: &str) -> Option<ConditionKey> {
    let exact = equal_range(all_keys(), name.as_bytes(), blob::key_name);
    if let Some(k) = preferred_in(exact) {
        return Some(ConditionKey(k));
    }
    // The most specific template wins: longest literal prefix, then most literal text
    // (`events:Metadata/${K}/Matcher` over `events:Metadata/${K}`), then the preferred
    // definition of a name several services define.
    let best = templates_matching(name.as_bytes()).max_by_key(|&k| {
        (
            literal_prefix(k).len(),
            literal_len(str_bytes(key_rec(k).name)),
            key_rec(k).flags & FLAG_PREFERRED != 0,
            std::cmp::Reverse(k),
        )
    });
    best.map(ConditionKey)
}

/// Looks up `name` among the keys listed in `run` of the `lists` section (sorted by
/// lowercase name), exactly first, then as an instance of a template in the run.
pub(crate) fn key_in_list(run: Run, name: &str) -> Option<ConditionKey> {
    let by_name = |i: u32| blob::key_name(blob::list_entry(i));
    let exact = equal_range(run, name.as_bytes(), by_name);
    if exact.len > 0 {
        return Some(ConditionKey(blob::list_entry(exact.start)));
    }
    templates_matching(name.as_bytes())
        .find(|&k| {
            let r = equal_range(run, str_bytes(key_rec(k).name), by_name);
            (r.start..r.end()).any(|i| blob::list_entry(i) == k)
        })
        .map(ConditionKey)
}

/// The global condition keys (the `aws:` keys and the cross-service keys AWS documents as
/// usable with every service), sorted by name.
pub fn global_condition_keys() -> impl ExactSizeIterator<Item = ConditionKey> {
    (0..blob::global_count()).map(|g| ConditionKey(blob::global_at(g)))
}

/// The distance of `name` from key `k` for suggestions. A template is compared with its
/// closest instance, so `aws:PrincipalTg/team` is one edit from `aws:PrincipalTag/${TagKey}`,
/// and within a limit judged by its literal text: a placeholder absorbs any text for free.
pub(crate) fn key_distance(k: u32, name: &[u8], limit: usize) -> Option<usize> {
    let rec = key_rec(k);
    let key = str_bytes(rec.name);
    if rec.flags & FLAG_TEMPLATE == 0 {
        return distance_within(key, name, limit);
    }
    template_distance_within(key, name, limit.min(suggestion_limit(literal_len(key))))
}

/// The condition key nearest to `name` within a small edit distance, ignoring ASCII case.
///
/// Meant for "did you mean" help after a failed [`condition_key`] lookup. Input longer than
/// 256 bytes gets no suggestion; the cost is one bounded edit distance per distinct key
/// name (about 1 600), each at most 256 × 256 steps and usually cut short.
pub fn did_you_mean_condition_key(name: &str) -> Option<ConditionKey> {
    let input = name.as_bytes();
    if input.len() > MAX_NAME_LEN {
        return None;
    }
    let limit = suggestion_limit(input.len());
    let mut best: Option<(usize, u32)> = None;
    for k in 0..blob::key_count() {
        if key_rec(k).flags & FLAG_PREFERRED == 0 {
            continue;
        }
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1));
        if let Some(d) = key_distance(k, input, bound) {
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, k));
            }
        }
    }
    best.map(|(_, k)| ConditionKey(k))
}
