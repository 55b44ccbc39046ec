//! The embedded table and the readers over it.
//!
//! `data/service-ref.bin` is written by `generate.py`; `generated.rs` holds where each of its
//! sections starts. Every section is an array of little-endian fixed-size records (or of
//! `u32`), so a lookup is a binary search over a byte slice: nothing is decoded up front and
//! nothing is allocated.
//!
//! - `strings`: a `u16` length, then UTF-8 bytes; referred to by byte offset.
//! - `services` (28 bytes, sorted by lowercase name): name, first action, action count,
//!   first resource type, resource type count, first key in `lists`, key count, all `u32`.
//! - `actions` (16 bytes; each service's run sorted by lowercase name): name `u32`, first
//!   entry in `lists` `u32`, service `u16`, resource type count `u16`, key count `u16`,
//!   access levels `u8`, padding.
//! - `resource_types` (16 bytes; each service's run sorted by lowercase name): name `u32`,
//!   first entry in `lists` `u32`, service `u16`, ARN format count `u16`, key count `u16`,
//!   padding.
//! - `keys` (12 bytes, sorted by lowercase name): name `u32`, source type name `u32`, type
//!   code `u8`, flags `u8`, length of the text before the first placeholder `u16`.
//! - `templates`: key indices (`u32`) of the template keys, sorted by the lowercase text
//!   before their first placeholder.
//! - `globals`: key indices of the hand-kept global keys, sorted by lowercase name.
//! - `lists`: `u32` entries. An action's resource types (bit 31: required), then its keys;
//!   a resource type's ARN formats (string offset; bit 31: the trailing placeholder holds no
//!   `/`), then its keys; a service's keys.
//!
//! The readers never panic: an index out of range reads as zero or empty. [`validate`]
//! proves that the shipped table needs none of that leniency.

use std::cmp::Ordering;
use std::fmt;

use crate::generated::LAYOUT;
use crate::text::cmp_ci;

static BLOB: &[u8] = include_bytes!("../data/service-ref.bin");

const MAGIC: &[u8] = b"IAMSREF1";

pub(crate) const SERVICE_SIZE: usize = 28;
pub(crate) const ACTION_SIZE: usize = 16;
pub(crate) const RTYPE_SIZE: usize = 16;
pub(crate) const KEY_SIZE: usize = 12;

pub(crate) const HIGH_BIT: u32 = 1 << 31;

pub(crate) const FLAG_GLOBAL: u8 = 1;
pub(crate) const FLAG_PREFERRED: u8 = 2;
pub(crate) const FLAG_TEMPLATE: u8 = 4;
pub(crate) const FLAG_DEFINED: u8 = 8;

/// Where one section of the blob lies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Section {
    pub(crate) offset: usize,
    pub(crate) len: usize,
}

/// Where every section of the blob lies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub(crate) strings: Section,
    pub(crate) services: Section,
    pub(crate) actions: Section,
    pub(crate) resource_types: Section,
    pub(crate) keys: Section,
    pub(crate) templates: Section,
    pub(crate) globals: Section,
    pub(crate) lists: Section,
}

fn section(s: Section) -> &'static [u8] {
    BLOB.get(s.offset..s.offset.saturating_add(s.len))
        .unwrap_or(&[])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at.saturating_add(2)) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

fn u8_at(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

fn record(s: Section, size: usize, index: usize) -> &'static [u8] {
    let start = index.saturating_mul(size);
    section(s)
        .get(start..start.saturating_add(size))
        .unwrap_or(&[])
}

/// The bytes of the string at `offset` in the string section.
pub(crate) fn str_bytes(offset: u32) -> &'static [u8] {
    let strings = section(LAYOUT.strings);
    let at = offset as usize;
    let len = usize::from(u16_at(strings, at));
    strings
        .get(at.saturating_add(2)..at.saturating_add(2).saturating_add(len))
        .unwrap_or(&[])
}

/// The string at `offset`; the generator writes ASCII only, so this never falls back.
pub(crate) fn str_at(offset: u32) -> &'static str {
    std::str::from_utf8(str_bytes(offset)).unwrap_or("")
}

/// The `index`th entry of the `lists` section.
pub(crate) fn list_entry(index: u32) -> u32 {
    u32_at(section(LAYOUT.lists), (index as usize).saturating_mul(4))
}

fn count(s: Section, size: usize) -> u32 {
    u32::try_from(s.len / size).unwrap_or(0)
}

pub(crate) fn service_count() -> u32 {
    count(LAYOUT.services, SERVICE_SIZE)
}

pub(crate) fn action_count() -> u32 {
    count(LAYOUT.actions, ACTION_SIZE)
}

pub(crate) fn rtype_count() -> u32 {
    count(LAYOUT.resource_types, RTYPE_SIZE)
}

pub(crate) fn key_count() -> u32 {
    count(LAYOUT.keys, KEY_SIZE)
}

pub(crate) fn template_count() -> u32 {
    count(LAYOUT.templates, 4)
}

pub(crate) fn global_count() -> u32 {
    count(LAYOUT.globals, 4)
}

pub(crate) fn template_at(i: u32) -> u32 {
    u32_at(section(LAYOUT.templates), (i as usize).saturating_mul(4))
}

pub(crate) fn global_at(i: u32) -> u32 {
    u32_at(section(LAYOUT.globals), (i as usize).saturating_mul(4))
}

/// A run of consecutive records or list entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl Run {
    pub(crate) fn end(self) -> u32 {
        self.start.saturating_add(self.len)
    }
}

/// The name of record `index`: the first field of every record type.
fn name_field(s: Section, size: usize, index: u32) -> u32 {
    u32_at(record(s, size, index as usize), 0)
}

pub(crate) fn service_name(i: u32) -> u32 {
    name_field(LAYOUT.services, SERVICE_SIZE, i)
}

pub(crate) fn action_name(i: u32) -> u32 {
    name_field(LAYOUT.actions, ACTION_SIZE, i)
}

pub(crate) fn rtype_name(i: u32) -> u32 {
    name_field(LAYOUT.resource_types, RTYPE_SIZE, i)
}

pub(crate) fn key_name(i: u32) -> u32 {
    name_field(LAYOUT.keys, KEY_SIZE, i)
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceRec {
    pub(crate) name: u32,
    pub(crate) actions: Run,
    pub(crate) rtypes: Run,
    pub(crate) keys: Run,
}

pub(crate) fn service_rec(i: u32) -> ServiceRec {
    let r = record(LAYOUT.services, SERVICE_SIZE, i as usize);
    ServiceRec {
        name: u32_at(r, 0),
        actions: Run {
            start: u32_at(r, 4),
            len: u32_at(r, 8),
        },
        rtypes: Run {
            start: u32_at(r, 12),
            len: u32_at(r, 16),
        },
        keys: Run {
            start: u32_at(r, 20),
            len: u32_at(r, 24),
        },
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ActionRec {
    pub(crate) name: u32,
    pub(crate) service: u32,
    pub(crate) resources: Run,
    pub(crate) keys: Run,
    pub(crate) access: u8,
}

pub(crate) fn action_rec(i: u32) -> ActionRec {
    let r = record(LAYOUT.actions, ACTION_SIZE, i as usize);
    let start = u32_at(r, 4);
    let resources = u32::from(u16_at(r, 10));
    ActionRec {
        name: u32_at(r, 0),
        service: u32::from(u16_at(r, 8)),
        resources: Run {
            start,
            len: resources,
        },
        keys: Run {
            start: start.saturating_add(resources),
            len: u32::from(u16_at(r, 12)),
        },
        access: u8_at(r, 14),
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RtypeRec {
    pub(crate) name: u32,
    pub(crate) service: u32,
    pub(crate) formats: Run,
    pub(crate) keys: Run,
}

pub(crate) fn rtype_rec(i: u32) -> RtypeRec {
    let r = record(LAYOUT.resource_types, RTYPE_SIZE, i as usize);
    let start = u32_at(r, 4);
    let formats = u32::from(u16_at(r, 10));
    RtypeRec {
        name: u32_at(r, 0),
        service: u32::from(u16_at(r, 8)),
        formats: Run {
            start,
            len: formats,
        },
        keys: Run {
            start: start.saturating_add(formats),
            len: u32::from(u16_at(r, 12)),
        },
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyRec {
    pub(crate) name: u32,
    pub(crate) type_name: u32,
    pub(crate) type_code: u8,
    pub(crate) flags: u8,
    pub(crate) prefix_len: u16,
}

pub(crate) fn key_rec(i: u32) -> KeyRec {
    let r = record(LAYOUT.keys, KEY_SIZE, i as usize);
    KeyRec {
        name: u32_at(r, 0),
        type_name: u32_at(r, 4),
        type_code: u8_at(r, 8),
        flags: u8_at(r, 9),
        prefix_len: u16_at(r, 10),
    }
}

/// The first index in `run` for which `is_before` is false, `is_before` being true for a
/// prefix of the run and false after it (a binary search over records).
pub(crate) fn partition_point(run: Run, is_before: impl Fn(u32) -> bool) -> u32 {
    let (mut lo, mut hi) = (run.start, run.end());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is_before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The first index in `run` whose name is not less than `name`, ignoring ASCII case, in a
/// run sorted by lowercase name.
fn lower_bound(run: Run, name: &[u8], name_of: &impl Fn(u32) -> u32) -> u32 {
    partition_point(run, |i| {
        cmp_ci(str_bytes(name_of(i)), name) == Ordering::Less
    })
}

/// The index in `run` whose name equals `name` ignoring ASCII case, in a run sorted by
/// lowercase name whose names are distinct.
pub(crate) fn find(run: Run, name: &[u8], name_of: impl Fn(u32) -> u32) -> Option<u32> {
    let i = lower_bound(run, name, &name_of);
    (i < run.end() && str_bytes(name_of(i)).eq_ignore_ascii_case(name)).then_some(i)
}

/// The sub-run of `run` whose names equal `name` ignoring ASCII case, in a run sorted by
/// lowercase name. Such runs are a few entries long, so the end is found by scanning.
pub(crate) fn equal_range(run: Run, name: &[u8], name_of: impl Fn(u32) -> u32) -> Run {
    let start = lower_bound(run, name, &name_of);
    let mut end = start;
    while end < run.end() && str_bytes(name_of(end)).eq_ignore_ascii_case(name) {
        end += 1;
    }
    Run {
        start,
        len: end - start,
    }
}

/// Why the embedded table was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    message: String,
}

impl DataError {
    fn new(message: impl Into<String>) -> DataError {
        DataError {
            message: message.into(),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {}

fn check(ok: bool, message: impl FnOnce() -> String) -> Result<(), DataError> {
    if ok {
        Ok(())
    } else {
        Err(DataError::new(message()))
    }
}

fn check_str(offset: u32, what: &str) -> Result<&'static [u8], DataError> {
    let strings = section(LAYOUT.strings);
    let at = offset as usize;
    let len = usize::from(u16_at(strings, at));
    let bytes = strings.get(at.saturating_add(2)..at.saturating_add(2).saturating_add(len));
    match bytes {
        Some(b) if at.saturating_add(2) <= strings.len() && b.is_ascii() => Ok(b),
        _ => Err(DataError::new(format!(
            "{what}: string at offset {offset} is out of range or not ASCII"
        ))),
    }
}

fn check_run_in_lists(run: Run, what: &str) -> Result<(), DataError> {
    let lists = LAYOUT.lists.len / 4;
    check(run.end() as usize <= lists, || {
        format!(
            "{what}: list run {}..{} is out of range",
            run.start,
            run.end()
        )
    })
}

fn check_sorted(
    run: Run,
    name_of: impl Fn(u32) -> u32,
    strict: bool,
    what: &str,
) -> Result<(), DataError> {
    let mut previous: Option<&[u8]> = None;
    for i in run.start..run.end() {
        let name = str_bytes(name_of(i));
        if let Some(p) = previous {
            let order = cmp_ci(p, name);
            let ok = order == Ordering::Less || (!strict && order == Ordering::Equal);
            check(ok, || {
                format!(
                    "{what}: `{}` is not sorted after `{}`",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(p)
                )
            })?;
        }
        previous = Some(name);
    }
    Ok(())
}

/// Checks that every offset, index and run in the embedded table is in range, that every
/// run searched by name is sorted, and that every ARN format fits the matcher.
///
/// # Errors
///
/// A [`DataError`] naming the first inconsistency found. The shipped table passes; this is
/// for tests and for anyone who replaces the data file.
pub fn validate() -> Result<(), DataError> {
    check(BLOB.get(..MAGIC.len()) == Some(MAGIC), || {
        "data file does not start with the expected magic bytes".to_owned()
    })?;
    let sections = [
        ("strings", LAYOUT.strings, 1),
        ("services", LAYOUT.services, SERVICE_SIZE),
        ("actions", LAYOUT.actions, ACTION_SIZE),
        ("resource_types", LAYOUT.resource_types, RTYPE_SIZE),
        ("keys", LAYOUT.keys, KEY_SIZE),
        ("templates", LAYOUT.templates, 4),
        ("globals", LAYOUT.globals, 4),
        ("lists", LAYOUT.lists, 4),
    ];
    for (name, s, size) in sections {
        check(
            s.offset
                .checked_add(s.len)
                .is_some_and(|end| end <= BLOB.len()),
            || format!("section `{name}` lies outside the data file"),
        )?;
        check(s.len % size == 0, || {
            format!("section `{name}` is not a whole number of records")
        })?;
    }
    let key_total = key_count();
    let rtype_total = rtype_count();

    // Services: sorted, each owning a run of actions and resource types that tile the tables.
    check(service_count() <= u32::from(u16::MAX) + 1, || {
        "too many services for a 16-bit service index".to_owned()
    })?;
    let all_services = Run {
        start: 0,
        len: service_count(),
    };
    let mut next_action = 0;
    let mut next_rtype = 0;
    for s in 0..service_count() {
        let rec = service_rec(s);
        check_str(rec.name, "service")?;
        check(rec.actions.start == next_action, || {
            format!("service {s}: actions do not follow the previous service's")
        })?;
        check(rec.rtypes.start == next_rtype, || {
            format!("service {s}: resource types do not follow the previous service's")
        })?;
        next_action = rec.actions.end();
        next_rtype = rec.rtypes.end();
        check_sorted(rec.actions, |i| action_rec(i).name, true, "actions")?;
        check_sorted(rec.rtypes, |i| rtype_rec(i).name, true, "resource types")?;
        check_run_in_lists(rec.keys, "service keys")?;
        check_sorted(
            rec.keys,
            |i| key_rec(list_entry(i)).name,
            false,
            "service keys",
        )?;
        for i in rec.keys.start..rec.keys.end() {
            check(list_entry(i) < key_total, || {
                format!("service {s}: key index out of range")
            })?;
        }
    }
    check_sorted(all_services, |i| service_rec(i).name, true, "services")?;
    check(next_action == action_count(), || {
        "services do not cover the action table".to_owned()
    })?;
    check(next_rtype == rtype_total, || {
        "services do not cover the resource type table".to_owned()
    })?;

    for a in 0..action_count() {
        let rec = action_rec(a);
        check_str(rec.name, "action")?;
        let service = service_rec(rec.service);
        check(
            rec.service < service_count()
                && a >= service.actions.start
                && a < service.actions.end(),
            || format!("action {a}: wrong service index"),
        )?;
        check(rec.access != 0 && rec.access < 32, || {
            format!("action {a}: invalid access levels")
        })?;
        check_run_in_lists(rec.resources, "action resources")?;
        check_run_in_lists(rec.keys, "action keys")?;
        for i in rec.resources.start..rec.resources.end() {
            let r = list_entry(i) & !HIGH_BIT;
            check(
                r >= service.rtypes.start && r < service.rtypes.end(),
                || format!("action {a}: resource type of another service"),
            )?;
        }
        for i in rec.keys.start..rec.keys.end() {
            check(list_entry(i) < key_total, || {
                format!("action {a}: key index out of range")
            })?;
        }
        check_sorted(
            rec.keys,
            |i| key_rec(list_entry(i)).name,
            false,
            "action keys",
        )?;
    }

    for r in 0..rtype_total {
        let rec = rtype_rec(r);
        check_str(rec.name, "resource type")?;
        let service = service_rec(rec.service);
        check(
            rec.service < service_count() && r >= service.rtypes.start && r < service.rtypes.end(),
            || format!("resource type {r}: wrong service index"),
        )?;
        check_run_in_lists(rec.formats, "arn formats")?;
        check_run_in_lists(rec.keys, "resource type keys")?;
        for i in rec.formats.start..rec.formats.end() {
            let text = check_str(list_entry(i) & !HIGH_BIT, "arn format")?;
            check(crate::arn::fits(text), || {
                format!(
                    "resource type {r}: ARN format `{}` is too long for the matcher",
                    String::from_utf8_lossy(text)
                )
            })?;
        }
        for i in rec.keys.start..rec.keys.end() {
            check(list_entry(i) < key_total, || {
                format!("resource type {r}: key index out of range")
            })?;
        }
    }

    let all_keys = Run {
        start: 0,
        len: key_total,
    };
    check_sorted(all_keys, |i| key_rec(i).name, false, "keys")?;
    let mut group_start = 0;
    while group_start < key_total {
        let name = str_bytes(key_rec(group_start).name);
        let group = equal_range(
            Run {
                start: group_start,
                len: key_total - group_start,
            },
            name,
            |i| key_rec(i).name,
        );
        let preferred = (group.start..group.end())
            .filter(|&i| key_rec(i).flags & FLAG_PREFERRED != 0)
            .count();
        check(preferred == 1 && group.len > 0, || {
            format!(
                "key `{}` has {preferred} preferred entries",
                String::from_utf8_lossy(name)
            )
        })?;
        group_start = group.end();
    }
    for k in 0..key_total {
        let rec = key_rec(k);
        let name = check_str(rec.name, "key")?;
        check_str(rec.type_name, "key type")?;
        check(rec.type_code <= crate::key::MAX_TYPE_CODE, || {
            format!("key {k}: unknown type code")
        })?;
        check(
            rec.flags & FLAG_DEFINED != 0 || str_bytes(rec.type_name).is_empty(),
            || format!("key {k}: a type for a key no table defines"),
        )?;
        let is_template = rec.flags & FLAG_TEMPLATE != 0;
        check(is_template == crate::key::has_placeholder(name), || {
            format!("key {k}: template flag disagrees with its name")
        })?;
    }
    let mut previous: Option<&[u8]> = None;
    for t in 0..template_count() {
        let k = template_at(t);
        check(
            k < key_total && key_rec(k).flags & FLAG_TEMPLATE != 0,
            || format!("template {t}: not a template key"),
        )?;
        let prefix = crate::key::literal_prefix(k);
        if let Some(p) = previous {
            check(cmp_ci(p, prefix) != Ordering::Greater, || {
                format!("template {t}: templates are not sorted")
            })?;
        }
        previous = Some(prefix);
    }
    check(
        template_count() as usize
            == (0..key_total)
                .filter(|&k| key_rec(k).flags & FLAG_TEMPLATE != 0)
                .count(),
        || "the template index misses some template keys".to_owned(),
    )?;
    for g in 0..global_count() {
        let k = global_at(g);
        check(k < key_total && key_rec(k).flags & FLAG_GLOBAL != 0, || {
            format!("global {g}: not a global key")
        })?;
    }
    check_sorted(
        Run {
            start: 0,
            len: global_count(),
        },
        |i| key_rec(global_at(i)).name,
        true,
        "global keys",
    )?;
    Ok(())
}
