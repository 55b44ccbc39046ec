//! `PolicySet.evaluate_many`: many requests decided with the GIL released, from Python
//! objects or from columnar data handed over through the Arrow PyCapsule interface, and
//! `Decisions`, the column of their decisions.
//!
//! Columnar input is read with arrow-rs's implementation of the Arrow C data and stream
//! interfaces: the producer's buffers are used in place, each batch is validated once
//! (offsets in bounds, UTF-8), and one `RequestBuilder` fills one `Request` per row
//! with `build_into`, so deciding a row allocates nothing once the buffers have grown.

use crate::error;
use crate::request::{self, PyRequest};
use arrow_array::cast::AsArray;
use arrow_array::ffi::{from_ffi, to_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::OffsetSizeTrait;
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, DictionaryArray, Int8Array, LargeStringArray,
    PrimitiveArray, RecordBatch, RecordBatchReader, StringArray, StringViewArray, StructArray,
};
use arrow_buffer::NullBuffer;
use arrow_data::ArrayData;
use arrow_schema::{ArrowError, DataType, Schema, TimeUnit};
use iam_eval::{Decision, PolicySet, Request, RequestBuilder, RequestError};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyIterator, PyList, PyTuple};
use std::ffi::CStr;
use std::fmt::Write as _;
use std::sync::Arc;

/// The dictionary of the decisions column; a decision's code is its index here.
const DECISIONS: [&str; 3] = ["allow", "explicit_deny", "implicit_deny"];
/// The code of a row whose request was invalid, with `on_error="null"`.
const NULL: i8 = -1;

fn code(d: Decision) -> i8 {
    match d {
        Decision::Allow => 0,
        Decision::ExplicitDeny => 1,
        Decision::ImplicitDeny => 2,
    }
}

/// Why a row could not be decided.
enum RowError {
    /// The library rejected the request.
    Request(RequestError),
    /// A required column is null in this row: the error kind and the column.
    Null(&'static str, &'static str),
    /// A multivalued context key has a null among its values.
    NullInList(String),
    /// A thread deciding rows panicked (a bug).
    Panicked,
}

/// Decides `requests` (Python objects or Arrow data) and collects the decisions.
pub(crate) fn evaluate_many(
    py: Python<'_>,
    set: &Arc<PolicySet>,
    requests: &Bound<'_, PyAny>,
    nulls: bool,
    threads: Option<usize>,
) -> PyResult<PyDecisions> {
    let mut out = Vec::new();
    let mut workers = Workers::new(threads);
    if requests.hasattr("__arrow_c_stream__")? {
        from_stream(py, set, requests, nulls, &mut workers, &mut out)?;
    } else if requests.hasattr("__arrow_c_array__")? {
        from_array(py, set, requests, nulls, &mut workers, &mut out)?;
    } else {
        from_objects(py, set, requests, nulls, &mut workers, &mut out)?;
    }
    Ok(PyDecisions::new(out))
}

/// A request of a list: a `Request` object, used in place, or one read from a dict.
enum Item {
    Object(Py<PyRequest>),
    Built(Box<Request>),
}

fn from_objects(
    py: Python<'_>,
    set: &PolicySet,
    requests: &Bound<'_, PyAny>,
    nulls: bool,
    workers: &mut Workers,
    out: &mut Vec<i8>,
) -> PyResult<()> {
    let mut items = Vec::new();
    let mut builder = Request::builder();
    for (row, item) in requests.try_iter()?.enumerate() {
        let item = item?;
        if let Ok(r) = item.cast::<PyRequest>() {
            items.push(Some(Item::Object(r.clone().unbind())));
            continue;
        }
        let Ok(dict) = item.cast::<PyDict>() else {
            return Err(PyTypeError::new_err(format!(
                "row {row}: a request is a `Request` or a dict, not a `{}`",
                item.get_type().name()?
            )));
        };
        match request::from_dict(py, &mut builder, dict) {
            Ok(r) => items.push(Some(Item::Built(Box::new(r)))),
            Err(e) if nulls && e.is_instance_of::<error::RequestError>(py) => {
                // The builder may hold part of the failed request.
                builder = Request::builder();
                items.push(None);
            }
            Err(e) if e.is_instance_of::<error::RequestError>(py) => {
                // Raised again with the row, named in its text as for columnar input.
                let v = e.value(py);
                let kind: String = v.getattr("kind")?.extract()?;
                let message: String = v.getattr("message")?.extract()?;
                let help: Option<String> = v.getattr("help")?.extract()?;
                return Err(error::request_error_parts(
                    py,
                    &kind,
                    &message,
                    help.as_deref(),
                    Some(row),
                ));
            }
            Err(e) => return Err(e),
        }
    }
    out.resize(items.len(), NULL);
    let threads = workers.count(items.len());
    let per_thread = items.len().div_ceil(threads).max(1);
    let decide = |items: &[Option<Item>], slots: &mut [i8]| {
        for (item, slot) in items.iter().zip(slots) {
            *slot = match item {
                Some(Item::Object(r)) => code(set.evaluate(&r.get().inner).decision()),
                Some(Item::Built(r)) => code(set.evaluate(r).decision()),
                None => NULL,
            };
        }
    };
    py.detach(|| {
        if threads == 1 {
            decide(&items, out);
        } else {
            std::thread::scope(|scope| {
                for (items, slots) in items.chunks(per_thread).zip(out.chunks_mut(per_thread)) {
                    scope.spawn(move || decide(items, slots));
                }
            });
        }
    });
    Ok(())
}

fn arrow_error(e: ArrowError) -> PyErr {
    PyValueError::new_err(format!("cannot read the Arrow data: {e}"))
}

fn capsule<'py>(obj: Bound<'py, PyAny>, name: &CStr) -> PyResult<Bound<'py, PyCapsule>> {
    obj.cast_into::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err(format!(
            "the Arrow PyCapsule interface did not return a `{}` capsule",
            name.to_string_lossy()
        ))
    })
}

/// Takes the stream out of a `__arrow_c_stream__` capsule.
#[expect(
    unsafe_code,
    reason = "importing an Arrow C stream reads a struct a producer filled in; the capsule's name says it is an ArrowArrayStream"
)]
fn import_stream(cap: &Bound<'_, PyCapsule>) -> PyResult<ArrowArrayStreamReader> {
    let ptr = cap.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: the Arrow PyCapsule interface puts an `ArrowArrayStream` in a capsule named
    // `arrow_array_stream`, alive as long as the capsule. `from_raw` moves it out and
    // marks the original released, so the capsule's destructor does not release it again.
    let reader =
        unsafe { ArrowArrayStreamReader::from_raw(ptr.as_ptr().cast::<FFI_ArrowArrayStream>()) };
    reader.map_err(arrow_error)
}

/// Takes the record batch out of the capsules `__arrow_c_array__` returned.
#[expect(
    unsafe_code,
    reason = "importing an Arrow C array reads structs a producer filled in; the capsules' names say what they hold"
)]
fn import_array(
    schema: &Bound<'_, PyCapsule>,
    array: &Bound<'_, PyCapsule>,
) -> PyResult<RecordBatch> {
    let schema_ptr = schema.pointer_checked(Some(c"arrow_schema"))?;
    let array_ptr = array.pointer_checked(Some(c"arrow_array"))?;
    // SAFETY: the capsules hold an `ArrowSchema` and an `ArrowArray`, alive as long as
    // the capsules, which the caller holds. The schema is only read; the array is moved
    // out and its original marked released, so the capsule does not release it again.
    let (array, schema) = unsafe {
        (
            FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast::<FFI_ArrowArray>()),
            &*schema_ptr.as_ptr().cast::<FFI_ArrowSchema>(),
        )
    };
    // SAFETY: as above; `from_ffi` trusts the producer for the buffers' sizes, which
    // the checks below hold against the offsets and lengths they can see.
    let data = unsafe { from_ffi(array, schema) }.map_err(arrow_error)?;
    if !matches!(data.data_type(), DataType::Struct(_)) {
        return Err(PyTypeError::new_err(format!(
            "the Arrow array is a `{}`, not a table\n  help: pass a table or record batch with `principal`, `action` and `resource` columns",
            data.data_type()
        )));
    }
    // The struct's own layout and its columns' (`validate` checks the children's), then
    // each column's values.
    data.validate().map_err(arrow_error)?;
    data.validate_nulls().map_err(arrow_error)?;
    let batch = RecordBatch::from(StructArray::from(data));
    for c in batch.columns() {
        check_column(&c.to_data()).map_err(arrow_error)?;
    }
    Ok(batch)
}

/// Checks a column imported from a producer before it is read: `validate_full`, but
/// for string columns, the most common and the most costly to check, a quicker pass of
/// the same checks over the part of the values the column uses: the layout, the null
/// count, offsets in order and each on a character boundary, and the text UTF-8.
fn check_column(data: &ArrayData) -> Result<(), ArrowError> {
    match data.data_type() {
        DataType::Utf8 => check_strings::<i32>(data),
        DataType::LargeUtf8 => check_strings::<i64>(data),
        _ => data.validate_full(),
    }
}

fn check_strings<O: OffsetSizeTrait>(data: &ArrayData) -> Result<(), ArrowError> {
    // Buffer sizes, and the first and last offsets within the values.
    data.validate()?;
    data.validate_nulls()?;
    let bad = |what: &str| ArrowError::InvalidArgumentError(format!("string column: {what}"));
    let offsets = data
        .buffers()
        .first()
        .map(|b| b.typed_data::<O>())
        .and_then(|o| o.get(data.offset()..=data.offset() + data.len()))
        .ok_or_else(|| bad("offsets out of bounds"))?;
    let (Some(first), Some(last)) = (offsets.first(), offsets.last()) else {
        return Err(bad("no offsets"));
    };
    let (Some(first), Some(last)) = (first.to_usize(), last.to_usize()) else {
        return Err(bad("negative offset"));
    };
    let values = data
        .buffers()
        .get(1)
        .and_then(|b| b.as_slice().get(first..last))
        .ok_or_else(|| bad("offsets out of bounds"))?;
    // In order: then every range lies within the values.
    let ordered = offsets
        .iter()
        .zip(offsets.iter().skip(1))
        .fold(true, |ok, (a, b)| ok & (a <= b));
    if !ordered {
        return Err(bad("offsets out of order"));
    }
    // ASCII text is UTF-8 and every offset falls between characters.
    if !values.is_ascii() {
        let text = std::str::from_utf8(values).map_err(|e| bad(&format!("not UTF-8: {e}")))?;
        for o in offsets {
            let at = o.to_usize().unwrap_or(usize::MAX).saturating_sub(first);
            if !text.is_char_boundary(at) {
                return Err(bad("an offset falls within a character"));
            }
        }
    }
    Ok(())
}

fn from_stream(
    py: Python<'_>,
    set: &PolicySet,
    obj: &Bound<'_, PyAny>,
    nulls: bool,
    workers: &mut Workers,
    out: &mut Vec<i8>,
) -> PyResult<()> {
    let cap = capsule(
        obj.call_method1("__arrow_c_stream__", (py.None(),))?,
        c"arrow_array_stream",
    )?;
    let reader = import_stream(&cap)?;
    let plan = Plan::new(&reader.schema())?;
    // Batches are read with the GIL held (a producer backed by Python code needs it) and
    // decided without it; only one batch is held at a time.
    for batch in reader {
        let batch = batch.map_err(arrow_error)?;
        for c in batch.columns() {
            check_column(&c.to_data()).map_err(arrow_error)?;
        }
        decide(py, set, &plan, &batch, nulls, workers, out)?;
    }
    Ok(())
}

fn from_array(
    py: Python<'_>,
    set: &PolicySet,
    obj: &Bound<'_, PyAny>,
    nulls: bool,
    workers: &mut Workers,
    out: &mut Vec<i8>,
) -> PyResult<()> {
    let pair = obj.call_method1("__arrow_c_array__", (py.None(),))?;
    let pair = pair.cast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err("`__arrow_c_array__` did not return a pair of capsules")
    })?;
    let schema = capsule(pair.get_item(0)?, c"arrow_schema")?;
    let array = capsule(pair.get_item(1)?, c"arrow_array")?;
    let batch = import_array(&schema, &array)?;
    let plan = Plan::new(&batch.schema())?;
    decide(py, set, &plan, &batch, nulls, workers, out)
}

/// Where each part of a request is in a table.
struct Plan {
    principal: usize,
    action: usize,
    resource: usize,
    resource_account: Option<usize>,
    /// Context keys and their columns.
    context: Vec<(String, usize)>,
}

const RESERVED: [&str; 4] = ["principal", "action", "resource", "resource_account"];

impl Plan {
    fn new(schema: &Schema) -> PyResult<Plan> {
        let find = |name: &str| schema.index_of(name).ok();
        let required = |name: &str| {
            find(name).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "the table has no `{name}` column\n  help: a table of requests has `principal`, `action` and `resource` columns, an optional `resource_account` column, and a column per context key"
                ))
            })
        };
        let plan = Plan {
            principal: required("principal")?,
            action: required("action")?,
            resource: required("resource")?,
            resource_account: find("resource_account"),
            context: schema
                .fields()
                .iter()
                .enumerate()
                .filter(|(_, f)| !RESERVED.contains(&f.name().as_str()))
                .map(|(i, f)| (f.name().clone(), i))
                .collect(),
        };
        for name in RESERVED {
            if let Some(i) = find(name) {
                if let Some(f) = schema.fields().get(i) {
                    if !is_text(f.data_type()) {
                        return Err(PyTypeError::new_err(format!(
                            "the `{name}` column is a `{}`, not strings",
                            f.data_type()
                        )));
                    }
                }
            }
        }
        for (key, i) in &plan.context {
            if let Some(f) = schema.fields().get(*i) {
                check_context_type(key, f.data_type())?;
            }
        }
        Ok(plan)
    }
}

fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

fn is_scalar(t: &DataType) -> bool {
    is_text(t)
        || matches!(
            t,
            DataType::Boolean
                | DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
                | DataType::Float32
                | DataType::Float64
                | DataType::Null
                | DataType::Timestamp(_, _)
                | DataType::Date32
                | DataType::Date64
        )
}

fn check_context_type(key: &str, t: &DataType) -> PyResult<()> {
    let ok = match t {
        DataType::List(f) | DataType::LargeList(f) => is_scalar(f.data_type()),
        other => is_scalar(other),
    };
    if ok {
        Ok(())
    } else {
        Err(PyTypeError::new_err(format!(
            "the context column `{key}` is a `{t}`, which cannot be a context value\n  help: a context column holds strings, booleans, numbers, timestamps or dates, or lists of them for a multivalued key; cast other types to strings"
        )))
    }
}

/// A column read as text, row by row.
enum Texts<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
    Dict {
        keys: Vec<usize>,
        nulls: Option<&'a NullBuffer>,
        values: Box<Texts<'a>>,
    },
    /// Booleans and numbers, written out once per batch: the text of every row, the end
    /// of each row's text, and which rows are valid.
    Owned {
        text: String,
        ends: Vec<usize>,
        nulls: Option<NullBuffer>,
    },
    /// A column of nulls.
    Null,
}

impl<'a> Texts<'a> {
    fn new(a: &'a ArrayRef) -> Option<Texts<'a>> {
        Some(match a.data_type() {
            DataType::Utf8 => Texts::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Texts::Large(a.as_string::<i64>()),
            DataType::Utf8View => Texts::View(a.as_string_view()),
            DataType::Dictionary(_, _) => {
                let d = a.as_any_dictionary_opt()?;
                if d.values().is_empty() {
                    // Every key is null (validated), and `normalized_keys` needs a value.
                    return Some(Texts::Null);
                }
                Texts::Dict {
                    keys: d.normalized_keys(),
                    nulls: d.keys().nulls(),
                    values: Box::new(Texts::new(d.values())?),
                }
            }
            DataType::Boolean => {
                let b = a.as_boolean();
                owned(b.len(), b.nulls(), |i, s| {
                    s.push_str(if b.value(i) { "true" } else { "false" })
                })
            }
            DataType::Int8 => numbers(a.as_primitive::<Int8Type>()),
            DataType::Int16 => numbers(a.as_primitive::<Int16Type>()),
            DataType::Int32 => numbers(a.as_primitive::<Int32Type>()),
            DataType::Int64 => numbers(a.as_primitive::<Int64Type>()),
            DataType::UInt8 => numbers(a.as_primitive::<UInt8Type>()),
            DataType::UInt16 => numbers(a.as_primitive::<UInt16Type>()),
            DataType::UInt32 => numbers(a.as_primitive::<UInt32Type>()),
            DataType::UInt64 => numbers(a.as_primitive::<UInt64Type>()),
            DataType::Float32 => numbers(a.as_primitive::<Float32Type>()),
            DataType::Float64 => numbers(a.as_primitive::<Float64Type>()),
            DataType::Timestamp(unit, _) => {
                // Arrow keeps timestamps as UTC whatever their time zone says.
                let per_second = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                match unit {
                    TimeUnit::Second => {
                        instants(a.as_primitive::<TimestampSecondType>(), per_second)
                    }
                    TimeUnit::Millisecond => {
                        instants(a.as_primitive::<TimestampMillisecondType>(), per_second)
                    }
                    TimeUnit::Microsecond => {
                        instants(a.as_primitive::<TimestampMicrosecondType>(), per_second)
                    }
                    TimeUnit::Nanosecond => {
                        instants(a.as_primitive::<TimestampNanosecondType>(), per_second)
                    }
                }
            }
            DataType::Date32 => {
                let d = a.as_primitive::<Date32Type>();
                owned(d.len(), d.nulls(), |i, s| {
                    write_date(s, i64::from(d.value(i)));
                })
            }
            DataType::Date64 => instants(a.as_primitive::<Date64Type>(), 1_000),
            DataType::Null => Texts::Null,
            _ => return None,
        })
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Texts::Utf8(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Texts::Large(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Texts::View(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Texts::Dict {
                keys,
                nulls,
                values,
            } => {
                if nulls.is_some_and(|n| n.is_null(i)) {
                    return None;
                }
                values.get(*keys.get(i)?)
            }
            Texts::Owned { text, ends, nulls } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    return None;
                }
                let end = *ends.get(i)?;
                let start = if i == 0 { 0 } else { *ends.get(i - 1)? };
                text.get(start..end)
            }
            Texts::Null => None,
        }
    }
}

fn owned<'a>(
    len: usize,
    nulls: Option<&NullBuffer>,
    mut write: impl FnMut(usize, &mut String),
) -> Texts<'a> {
    let mut text = String::new();
    let mut ends = Vec::with_capacity(len);
    for i in 0..len {
        if !nulls.is_some_and(|n| n.is_null(i)) {
            write(i, &mut text);
        }
        ends.push(text.len());
    }
    Texts::Owned {
        text,
        ends,
        nulls: nulls.cloned(),
    }
}

fn numbers<'a, T: ArrowPrimitiveType>(a: &PrimitiveArray<T>) -> Texts<'a>
where
    T::Native: std::fmt::Display,
{
    owned(a.len(), a.nulls(), |i, s| {
        let _ = write!(s, "{}", a.value(i));
    })
}

/// Timestamps (`per_second` units in a second since the epoch) written as AWS writes
/// `aws:CurrentTime`: ISO 8601 in UTC, with a fraction only when there is one.
fn instants<'a, T: ArrowPrimitiveType<Native = i64>>(
    a: &PrimitiveArray<T>,
    per_second: i64,
) -> Texts<'a> {
    owned(a.len(), a.nulls(), |i, s| {
        let v = a.value(i);
        let secs = v.div_euclid(per_second);
        // Below a second, in nanoseconds: `per_second` divides 10^9.
        let nanos = v.rem_euclid(per_second) * (1_000_000_000 / per_second);
        write_date(s, secs.div_euclid(86_400));
        let day = secs.rem_euclid(86_400);
        let _ = write!(
            s,
            "T{:02}:{:02}:{:02}",
            day / 3600,
            day % 3600 / 60,
            day % 60
        );
        if nanos > 0 {
            let _ = write!(s, ".{nanos:09}");
            while s.ends_with('0') {
                s.pop();
            }
        }
        s.push('Z');
    })
}

/// Writes the date `days` after 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian), by
/// the days-to-civil algorithm of <https://howardhinnant.github.io/date_algorithms.html>.
fn write_date(s: &mut String, days: i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let _ = write!(s, "{year:04}-{month:02}-{day:02}");
}

/// A context column: one value per row, or a list of values (a multivalued key).
enum ContextColumn<'a> {
    Single(Texts<'a>),
    List {
        /// Where each row's values start and end in `values`.
        offsets: Offsets<'a>,
        nulls: Option<&'a NullBuffer>,
        values: Texts<'a>,
    },
}

enum Offsets<'a> {
    Small(&'a [i32]),
    Large(&'a [i64]),
}

impl Offsets<'_> {
    /// The range of row `i`'s values.
    fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let (start, end) = match self {
            Offsets::Small(o) => (
                usize::try_from(*o.get(i)?).ok()?,
                usize::try_from(*o.get(i + 1)?).ok()?,
            ),
            Offsets::Large(o) => (
                usize::try_from(*o.get(i)?).ok()?,
                usize::try_from(*o.get(i + 1)?).ok()?,
            ),
        };
        Some(start..end)
    }
}

impl<'a> ContextColumn<'a> {
    fn new(a: &'a ArrayRef) -> Option<ContextColumn<'a>> {
        Some(match a.data_type() {
            DataType::List(_) => {
                let l = a.as_list::<i32>();
                ContextColumn::List {
                    offsets: Offsets::Small(l.value_offsets()),
                    nulls: l.nulls(),
                    values: Texts::new(l.values())?,
                }
            }
            DataType::LargeList(_) => {
                let l = a.as_list::<i64>();
                ContextColumn::List {
                    offsets: Offsets::Large(l.value_offsets()),
                    nulls: l.nulls(),
                    values: Texts::new(l.values())?,
                }
            }
            _ => ContextColumn::Single(Texts::new(a)?),
        })
    }
}

/// What is reused from row to row and batch to batch, by one thread.
struct State {
    builder: RequestBuilder,
    request: Request,
}

impl State {
    fn new() -> PyResult<State> {
        let mut builder = Request::builder();
        // The public API makes a request only through the builder; this one is
        // overwritten by the first row.
        let request = builder
            .principal("*")
            .action("s3:GetObject")
            .resource("*")
            .build()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(State { builder, request })
    }
}

/// The threads a call decides on, each with its state.
pub(crate) struct Workers {
    states: Vec<State>,
    /// The number of threads asked for; `None`: one per core for inputs large enough.
    threads: Option<usize>,
}

/// Below this many rows per thread, a thread costs more to start than it saves.
const MIN_ROWS_PER_THREAD: usize = 32_768;

impl Workers {
    pub(crate) fn new(threads: Option<usize>) -> Workers {
        Workers {
            states: Vec::new(),
            threads,
        }
    }

    /// How many threads decide `rows` rows.
    fn count(&self, rows: usize) -> usize {
        match self.threads {
            Some(n) => n.clamp(1, rows.max(1)),
            None => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                cores.min(rows / MIN_ROWS_PER_THREAD).max(1)
            }
        }
    }

    /// States for `n` threads.
    fn states(&mut self, n: usize) -> PyResult<&mut [State]> {
        while self.states.len() < n {
            self.states.push(State::new()?);
        }
        Ok(self.states.get_mut(..n).unwrap_or_default())
    }
}

fn column(batch: &RecordBatch, i: usize) -> PyResult<&ArrayRef> {
    batch
        .columns()
        .get(i)
        .ok_or_else(|| PyValueError::new_err("a batch has fewer columns than its schema"))
}

/// The columns of a batch, read row by row.
struct Columns<'a> {
    principal: Texts<'a>,
    action: Texts<'a>,
    resource: Texts<'a>,
    account: Option<Texts<'a>>,
    /// Context keys and their columns.
    context: Vec<(&'a str, ContextColumn<'a>)>,
}

impl<'a> Columns<'a> {
    fn new(plan: &'a Plan, batch: &'a RecordBatch) -> PyResult<Columns<'a>> {
        let text = |i: usize| -> PyResult<Texts<'a>> {
            let c = column(batch, i)?;
            Texts::new(c).ok_or_else(|| {
                PyTypeError::new_err(format!("a column is a `{}`, not strings", c.data_type()))
            })
        };
        let mut context = Vec::with_capacity(plan.context.len());
        for (key, i) in &plan.context {
            let c = column(batch, *i)?;
            let col = ContextColumn::new(c).ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "the context column `{key}` is a `{}`, which cannot be a context value",
                    c.data_type()
                ))
            })?;
            context.push((key.as_str(), col));
        }
        Ok(Columns {
            principal: text(plan.principal)?,
            action: text(plan.action)?,
            resource: text(plan.resource)?,
            account: plan.resource_account.map(text).transpose()?,
            context,
        })
    }
}

/// Decides every row of a batch, without the GIL, on the workers' threads.
fn decide(
    py: Python<'_>,
    set: &PolicySet,
    plan: &Plan,
    batch: &RecordBatch,
    nulls: bool,
    workers: &mut Workers,
    out: &mut Vec<i8>,
) -> PyResult<()> {
    let columns = Columns::new(plan, batch)?;
    let rows = batch.num_rows();
    let first_row = out.len();
    out.resize(first_row + rows, NULL);
    let slots = out.get_mut(first_row..).unwrap_or_default();
    let threads = workers.count(rows);
    let states = workers.states(threads)?;
    let failed = py.detach(|| -> Option<(usize, RowError)> {
        match states {
            [state] => decide_rows(set, &columns, state, 0, slots, nulls),
            _ => {
                // Contiguous slices of rows, one per thread; the first failure in row
                // order is the one a single thread would have met.
                let per_thread = rows.div_ceil(states.len()).max(1);
                std::thread::scope(|scope| {
                    let handles: Vec<_> = slots
                        .chunks_mut(per_thread)
                        .zip(states.iter_mut())
                        .enumerate()
                        .map(|(i, (slots, state))| {
                            let columns = &columns;
                            scope.spawn(move || {
                                decide_rows(set, columns, state, i * per_thread, slots, nulls)
                            })
                        })
                        .collect();
                    let mut first = None;
                    for h in handles {
                        let result = h.join().unwrap_or(Some((0, RowError::Panicked)));
                        if first.is_none() {
                            first = result;
                        }
                    }
                    first
                })
            }
        }
    });
    match failed {
        None => Ok(()),
        Some((row, e)) => Err(row_error(py, first_row + row, e)),
    }
}

/// Decides the rows from `start` on, one per slot, and stops at the first row that
/// cannot be decided unless `nulls` (its slot then stays null): that row and why.
fn decide_rows(
    set: &PolicySet,
    columns: &Columns<'_>,
    state: &mut State,
    start: usize,
    slots: &mut [i8],
    nulls: bool,
) -> Option<(usize, RowError)> {
    let mut values = Vec::new();
    for (row, slot) in (start..).zip(slots.iter_mut()) {
        match build_row(state, row, columns, &mut values) {
            Ok(()) => *slot = code(set.evaluate(&state.request).decision()),
            Err(_) if nulls => *slot = NULL,
            Err(e) => return Some((row, e)),
        }
    }
    None
}

fn row_error(py: Python<'_>, row: usize, e: RowError) -> PyErr {
    match e {
        RowError::Request(e) => error::request_error(py, &e, Some(row)),
        RowError::Null(kind, column) => error::request_error_parts(
            py,
            kind,
            &format!("`{column}` is null"),
            Some("every request has a principal, an action and a resource"),
            Some(row),
        ),
        RowError::NullInList(key) => error::request_error_parts(
            py,
            "null_in_list",
            &format!("the multivalued context key `{key}` has a null value"),
            Some("leave nulls out of a list; a null list is a missing key"),
            Some(row),
        ),
        RowError::Panicked => {
            pyo3::exceptions::PyRuntimeError::new_err("a thread deciding requests panicked")
        }
    }
}

/// Fills `state.request` from one row.
#[inline]
fn build_row<'c>(
    state: &mut State,
    row: usize,
    columns: &'c Columns<'_>,
    values: &mut Vec<&'c str>,
) -> Result<(), RowError> {
    let Some(p) = columns.principal.get(row) else {
        return Err(RowError::Null("missing_principal", "principal"));
    };
    let Some(a) = columns.action.get(row) else {
        return Err(RowError::Null("missing_action", "action"));
    };
    let Some(r) = columns.resource.get(row) else {
        return Err(RowError::Null("missing_resource", "resource"));
    };
    // The builder keeps what it read from a part the previous row repeats (the caller,
    // the action, the resource) and reads only what changed.
    state.builder.principal(p).action(a).resource(r);
    if let Some(acc) = columns.account.as_ref().and_then(|c| c.get(row)) {
        state.builder.resource_account(acc);
    }
    for (key, col) in &columns.context {
        match col {
            ContextColumn::Single(t) => {
                if let Some(v) = t.get(row) {
                    state.builder.context(key, v);
                }
            }
            ContextColumn::List {
                offsets,
                nulls,
                values: items,
            } => {
                if nulls.is_some_and(|n| n.is_null(row)) {
                    continue;
                }
                values.clear();
                for j in offsets.range(row).unwrap_or(0..0) {
                    match items.get(j) {
                        Some(v) => values.push(v),
                        None => {
                            // The builder holds part of this request; start afresh.
                            state.builder = Request::builder();
                            return Err(RowError::NullInList((*key).to_string()));
                        }
                    }
                }
                state.builder.context(key, values.as_slice());
            }
        }
    }
    state
        .builder
        .build_into(&mut state.request)
        .map_err(RowError::Request)
}

/// The decisions of `PolicySet.evaluate_many`, one per request in order: `allow`,
/// `explicit_deny`, `implicit_deny`, or None for an invalid request under
/// `on_error="null"`.
///
/// A sequence of str, and an Arrow array (dictionary-encoded strings, through
/// `__arrow_c_array__`): `pyarrow.array(decisions)` or `polars.Series(decisions)` take
/// it without a copy of the codes.
#[pyclass(frozen, module = "iam_eval", name = "Decisions", sequence)]
pub(crate) struct PyDecisions {
    codes: Int8Array,
}

impl PyDecisions {
    fn new(codes: Vec<i8>) -> PyDecisions {
        let nulls = codes
            .contains(&NULL)
            .then(|| NullBuffer::from_iter(codes.iter().map(|&c| c != NULL)));
        // A null slot still holds a valid dictionary index.
        let keys: Vec<i8> = codes.into_iter().map(|c| c.max(0)).collect();
        PyDecisions {
            codes: Int8Array::new(keys.into(), nulls),
        }
    }

    fn at(&self, i: usize) -> Option<&'static str> {
        if self.codes.is_null(i) {
            return None;
        }
        DECISIONS
            .get(usize::try_from(self.codes.value(i)).ok()?)
            .copied()
    }
}

#[pymethods]
impl PyDecisions {
    fn __len__(&self) -> usize {
        self.codes.len()
    }
    fn __getitem__(&self, index: isize) -> PyResult<Option<&'static str>> {
        let len = self.codes.len() as isize;
        let i = if index < 0 { index + len } else { index };
        if !(0..len).contains(&i) {
            return Err(PyIndexError::new_err("decision index out of range"));
        }
        Ok(self.at(i as usize))
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        PyList::new(py, self.to_list())?.try_iter()
    }
    /// The decisions as a list of str (None for a request that could not be built).
    fn to_list(&self) -> Vec<Option<&'static str>> {
        (0..self.codes.len()).map(|i| self.at(i)).collect()
    }
    /// How many requests got each decision: a dict with the keys `allow`,
    /// `explicit_deny`, `implicit_deny` and `null`.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (mut allow, mut explicit, mut implicit, mut null) = (0usize, 0usize, 0usize, 0usize);
        for i in 0..self.codes.len() {
            match self.at(i) {
                Some("allow") => allow += 1,
                Some("explicit_deny") => explicit += 1,
                Some(_) => implicit += 1,
                None => null += 1,
            }
        }
        let d = PyDict::new(py);
        d.set_item("allow", allow)?;
        d.set_item("explicit_deny", explicit)?;
        d.set_item("implicit_deny", implicit)?;
        d.set_item("null", null)?;
        Ok(d)
    }
    /// The decisions as an Arrow array (the Arrow PyCapsule interface): dictionary
    /// `int8` indices into `["allow", "explicit_deny", "implicit_deny"]`.
    /// `requested_schema` is ignored, as the interface allows.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let values = Arc::new(StringArray::from(DECISIONS.to_vec()));
        let dict = DictionaryArray::<Int8Type>::try_new(self.codes.clone(), values)
            .map_err(arrow_error)?;
        let (array, schema) = to_ffi(&dict.to_data()).map_err(arrow_error)?;
        Ok((
            PyCapsule::new_with_value(py, schema, c"arrow_schema")?,
            PyCapsule::new_with_value(py, array, c"arrow_array")?,
        ))
    }
    fn __repr__(&self) -> String {
        format!("<Decisions len={}>", self.codes.len())
    }
}
