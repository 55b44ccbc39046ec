"""PolicySet.evaluate_many over lists and Arrow data, and Decisions."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import iam_eval
from helpers import ALICE, OBJECT, SSE

KMS = {SSE: "aws:kms"}
EXPECTED = ["allow", "explicit_deny", "explicit_deny", "allow", "implicit_deny"]


def rows() -> dict[str, list[Any]]:
    """Five requests: SSE-KMS upload, upload without header, AES256 upload, read, delete."""
    return {
        "principal": [ALICE] * 5,
        "action": ["s3:PutObject", "s3:PutObject", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
        "resource": [OBJECT] * 5,
        SSE: ["aws:kms", None, "AES256", None, None],
    }


def as_requests() -> list[iam_eval.Request]:
    r = rows()
    return [
        iam_eval.Request(
            r["principal"][i],
            r["action"][i],
            r["resource"][i],
            context={SSE: r[SSE][i]},
        )
        for i in range(5)
    ]


def test_lists_of_requests_and_dicts(seed_set: iam_eval.PolicySet) -> None:
    requests = as_requests()
    assert seed_set.evaluate_many(requests).to_list() == EXPECTED
    dicts = [{"principal": r.principal, "action": r.action, "resource": r.resource, "context": {SSE: r.context.get(SSE)}} for r in requests]
    assert seed_set.evaluate_many(dicts).to_list() == EXPECTED
    mixed: list[Any] = [requests[0], dicts[1], requests[2], dicts[3], requests[4]]
    assert seed_set.evaluate_many(iter(mixed)).to_list() == EXPECTED
    assert seed_set.evaluate_many([]).to_list() == []


def test_each_decision_is_the_one_evaluate_gives(seed_set: iam_eval.PolicySet) -> None:
    requests = as_requests()
    assert seed_set.evaluate_many(requests).to_list() == [seed_set.evaluate(r).decision for r in requests]


def test_list_errors_name_the_row(seed_set: iam_eval.PolicySet) -> None:
    good = {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT}
    bad = {"principal": ALICE, "action": "s3:Get*", "resource": OBJECT}
    with pytest.raises(iam_eval.RequestError) as info:
        seed_set.evaluate_many([good, good, bad])
    assert (info.value.kind, info.value.row) == ("wildcard_action", 2)
    assert str(info.value).startswith("row 2: `s3:Get*` has a wildcard\n  help: ")
    assert seed_set.evaluate_many([good, bad, good], on_error="null").to_list() == ["allow", None, "allow"]
    with pytest.raises(TypeError, match="row 1: a request is a `Request` or a dict, not a `int`"):
        seed_set.evaluate_many([good, 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="unknown `on_error` value `skip`"):
        seed_set.evaluate_many([good], on_error="skip")  # type: ignore[arg-type]


def test_pyarrow_table_batch_and_reader(seed_set: iam_eval.PolicySet) -> None:
    table = pa.table(rows())
    assert seed_set.evaluate_many(table).to_list() == EXPECTED
    (batch,) = table.to_batches()
    assert seed_set.evaluate_many(batch).to_list() == EXPECTED
    # Several batches: rows are numbered across them.
    chunked = pa.Table.from_batches([batch.slice(0, 2), batch.slice(2, 1), batch.slice(3)])
    assert seed_set.evaluate_many(chunked).to_list() == EXPECTED
    reader = pa.RecordBatchReader.from_batches(table.schema, chunked.to_batches())
    assert seed_set.evaluate_many(reader).to_list() == EXPECTED


def test_polars_and_pandas(seed_set: iam_eval.PolicySet) -> None:
    assert seed_set.evaluate_many(pl.DataFrame(rows())).to_list() == EXPECTED
    assert seed_set.evaluate_many(pd.DataFrame(rows())).to_list() == EXPECTED


@pytest.mark.parametrize(
    "string_type",
    [pa.string(), pa.large_string(), pa.string_view(), pa.dictionary(pa.int8(), pa.string()), pa.dictionary(pa.uint32(), pa.large_string())],
    ids=str,
)
def test_string_layouts(seed_set: iam_eval.PolicySet, string_type: pa.DataType) -> None:
    table = pa.table({k: pa.array(v, pa.string()).cast(string_type) for k, v in rows().items()})
    assert seed_set.evaluate_many(table).to_list() == EXPECTED


def test_sliced_arrays_are_read_from_their_offset(seed_set: iam_eval.PolicySet) -> None:
    table = pa.table(rows()).slice(1, 3)
    assert seed_set.evaluate_many(table).to_list() == EXPECTED[1:4]


CONDITIONS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Conditions",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::example-bucket",
                "Condition": {
                    "Bool": {"aws:SecureTransport": "true"},
                    "NumericLessThan": {"s3:max-keys": "100"},
                    "NumericGreaterThan": {"custom:ratio": "0.5"},
                    "ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]},
                },
            }
        ],
    }
)


def conditions_set() -> iam_eval.PolicySet:
    return iam_eval.PolicySet([("identity", "conditions", CONDITIONS)])


def test_typed_and_list_context_columns() -> None:
    s = conditions_set()
    n = 6
    table = pa.table(
        {
            "principal": [ALICE] * n,
            "action": ["s3:ListBucket"] * n,
            "resource": ["arn:aws:s3:::example-bucket"] * n,
            "aws:SecureTransport": pa.array([True, True, False, True, True, True]),
            "s3:max-keys": pa.array([10, 10, 10, 500, 10, 10], pa.int16()),
            "custom:ratio": pa.array([0.75, 0.75, 0.75, 0.75, 0.25, 0.75], pa.float32()),
            "aws:TagKeys": pa.array([["x", "team"], ["x"], ["team"], ["team"], ["team"], None], pa.list_(pa.string())),
        }
    )
    assert s.evaluate_many(table).to_list() == ["allow", "implicit_deny", "implicit_deny", "implicit_deny", "implicit_deny", "implicit_deny"]
    # Each row decides as the same request built by hand.
    by_hand = [
        s.evaluate(
            iam_eval.Request(
                ALICE,
                "s3:ListBucket",
                "arn:aws:s3:::example-bucket",
                context={k: table.column(k)[i].as_py() for k in ["aws:SecureTransport", "s3:max-keys", "custom:ratio", "aws:TagKeys"]},
            )
        ).decision
        for i in range(n)
    ]
    assert s.evaluate_many(table).to_list() == by_hand
    large = table.set_column(6, "aws:TagKeys", table.column("aws:TagKeys").cast(pa.large_list(pa.large_string())))
    assert s.evaluate_many(large).to_list() == by_hand


def test_nulls_are_missing_keys_and_empty_lists_are_empty_sets() -> None:
    for_all = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "Null": {"custom:present": "false"}},
                }
            ],
        }
    )
    s = iam_eval.PolicySet([("identity", "p", for_all)])
    table = pa.table(
        {
            "principal": [ALICE] * 4,
            "action": ["s3:GetObject"] * 4,
            "resource": [OBJECT] * 4,
            "custom:present": ["", None, "", ""],
            "aws:TagKeys": pa.array([[], [], None, ["other"]], pa.list_(pa.string())),
        }
    )
    # An empty string is present; an empty list and a missing key pass ForAllValues.
    assert s.evaluate_many(table).to_list() == ["allow", "implicit_deny", "allow", "implicit_deny"]


def test_resource_account_column(seed_set: iam_eval.PolicySet) -> None:
    cross = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    identity = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    s = iam_eval.PolicySet([("resource", "bucket", cross), ("identity", "reader", identity)])
    caller = "arn:aws:iam::444455556666:user/bob"
    table = pa.table(
        {
            "principal": [caller, caller],
            "action": ["s3:GetObject"] * 2,
            "resource": [OBJECT] * 2,
            "resource_account": ["111122223333", "999999999999"],
        }
    )
    expected = [s.evaluate(iam_eval.Request(caller, "s3:GetObject", OBJECT, resource_account=a)).decision for a in ["111122223333", "999999999999"]]
    assert s.evaluate_many(table).to_list() == expected
    assert expected[0] == "allow"


def test_other_principal_forms_in_columns(seed_set: iam_eval.PolicySet) -> None:
    table = pa.table(
        {
            "principal": ["service:s3.amazonaws.com", "*", ALICE, ALICE],
            "action": ["s3:PutObject"] * 4,
            "resource": [OBJECT] * 4,
            SSE: [None, None, None, "aws:kms"],
        }
    )
    assert seed_set.evaluate_many(table).to_list() == ["explicit_deny", "explicit_deny", "explicit_deny", "allow"]


def test_column_errors(seed_set: iam_eval.PolicySet) -> None:
    r = rows()
    del r["action"]
    with pytest.raises(ValueError, match="the table has no `action` column"):
        seed_set.evaluate_many(pa.table(r))
    with pytest.raises(TypeError, match="the `principal` column is a `Int64`, not strings"):
        seed_set.evaluate_many(pa.table({**rows(), "principal": [1, 2, 3, 4, 5]}))
    with pytest.raises(TypeError, match="the context column `custom:blob` is a `Binary`"):
        seed_set.evaluate_many(pa.table({**rows(), "custom:blob": pa.array([b"x"] * 5, pa.binary())}))
    with pytest.raises(TypeError, match="not a table"):
        seed_set.evaluate_many(pa.array(["a"]))


def test_row_errors_in_columns(seed_set: iam_eval.PolicySet) -> None:
    r = rows()
    r["action"] = ["s3:PutObject", "s3:PutObject", "nope", "s3:GetObject", None]
    table = pa.table(r)
    with pytest.raises(iam_eval.RequestError) as info:
        seed_set.evaluate_many(table)
    assert (info.value.kind, info.value.row) == ("invalid_action", 2)
    assert str(info.value).startswith("row 2: `nope` is not an action")
    with pytest.raises(iam_eval.RequestError) as info:
        seed_set.evaluate_many(table.slice(3))
    assert (info.value.kind, info.value.row, info.value.message) == ("missing_action", 1, "`action` is null")
    decisions = seed_set.evaluate_many(table, on_error="null")
    assert decisions.to_list() == ["allow", "explicit_deny", None, "allow", None]
    assert decisions.counts() == {"allow": 2, "explicit_deny": 1, "implicit_deny": 0, "null": 2}
    arrow = pa.array(decisions)
    assert arrow.null_count == 2 and arrow.to_pylist() == decisions.to_list()
    r = rows()
    r["principal"] = [ALICE, None, ALICE, "bob", ALICE]
    with pytest.raises(iam_eval.RequestError) as info:
        seed_set.evaluate_many(pa.table(r))
    assert (info.value.kind, info.value.row) == ("missing_principal", 1)
    assert seed_set.evaluate_many(pa.table(r), on_error="null").to_list() == ["allow", None, "explicit_deny", None, "implicit_deny"]
    lists = pa.table({**rows(), "aws:TagKeys": pa.array([["a"], ["a", None], [], None, ["b"]], pa.list_(pa.string()))})
    with pytest.raises(iam_eval.RequestError) as info:
        seed_set.evaluate_many(lists)
    assert (info.value.kind, info.value.row) == ("null_in_list", 1)
    # The row after a failed one is built afresh: nothing of the failed row carries over.
    assert seed_set.evaluate_many(lists, on_error="null").to_list() == ["allow", None, "explicit_deny", "allow", "implicit_deny"]


def test_decisions_sequence_and_arrow(seed_set: iam_eval.PolicySet) -> None:
    d = seed_set.evaluate_many(pa.table(rows()))
    assert len(d) == 5
    assert (d[0], d[-1]) == ("allow", "implicit_deny")
    with pytest.raises(IndexError):
        d[5]
    with pytest.raises(IndexError):
        d[-6]
    assert list(d) == EXPECTED
    assert d.counts() == {"allow": 2, "explicit_deny": 2, "implicit_deny": 1, "null": 0}
    assert repr(d) == "<Decisions len=5>"
    arrow = pa.array(d)
    assert arrow.type == pa.dictionary(pa.int8(), pa.string())
    assert arrow.to_pylist() == EXPECTED
    assert pl.Series(d).to_list() == EXPECTED


def test_the_gil_is_released_while_deciding(seed_set: iam_eval.PolicySet) -> None:
    base = pa.table(rows())
    table = pa.concat_tables([base] * 40_000).combine_chunks()
    start = time.perf_counter()
    seed_set.evaluate_many(table)
    alone = time.perf_counter() - start
    done = threading.Event()

    def work() -> None:
        seed_set.evaluate_many(table)
        done.set()

    worker = threading.Thread(target=work)
    longest = 0.0
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    # Held for the whole call, the GIL would stop this loop for about `alone`.
    assert longest < alone * 0.5, (longest, alone)


def iso(t: dt.datetime) -> str:
    """ISO 8601 in UTC as AWS writes `aws:CurrentTime`: a fraction only when there is one."""
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        text += f".{t.microsecond:06d}".rstrip("0")
    return text + "Z"


TIMES = [
    dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=dt.timezone.utc),
    dt.datetime(1969, 12, 31, 23, 59, 58, 500_000, tzinfo=dt.timezone.utc),
    dt.datetime(2000, 3, 1, 0, 0, 0, 123_000, tzinfo=dt.timezone.utc),
    dt.datetime(1900, 1, 1, 12, 30, 0, tzinfo=dt.timezone.utc),
    dt.datetime(2100, 12, 31, 0, 0, 0, 1, tzinfo=dt.timezone.utc),
]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamps_are_written_as_aws_writes_the_current_time(unit: str) -> None:
    times = [t.replace(microsecond=0) if unit == "s" else t for t in TIMES]
    if unit == "ms":
        times = [t.replace(microsecond=t.microsecond // 1000 * 1000) for t in times]
    # Allowed only when the text is exactly one of these; each row has its own.
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:CurrentTime": [iso(t) for t in times]}}}],
        }
    )
    s = iam_eval.PolicySet([("identity", "p", policy)])
    n = len(times)
    table = pa.table(
        {
            "principal": [ALICE] * (n + 1),
            "action": ["s3:GetObject"] * (n + 1),
            "resource": [OBJECT] * (n + 1),
            "aws:CurrentTime": pa.array([*times, dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)], pa.timestamp(unit, tz="Europe/Paris")),
        }
    )
    assert s.evaluate_many(table).to_list() == ["allow"] * n + ["implicit_deny"]


def test_timestamps_and_dates_work_under_date_operators() -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-03-01T00:00:00Z"}}}],
        }
    )
    s = iam_eval.PolicySet([("identity", "p", policy)])
    days = [dt.date(2024, 2, 29), dt.date(2024, 3, 1), None]
    base = {"principal": [ALICE] * 3, "action": ["s3:GetObject"] * 3, "resource": [OBJECT] * 3}
    expected = ["allow", "implicit_deny", "implicit_deny"]
    assert s.evaluate_many(pa.table({**base, "aws:CurrentTime": pa.array(days, pa.date32())})).to_list() == expected
    assert s.evaluate_many(pa.table({**base, "aws:CurrentTime": pa.array(days, pa.date64())})).to_list() == expected
    stamps = [dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc) if d else None for d in days]
    assert s.evaluate_many(pl.DataFrame({**base, "aws:CurrentTime": stamps})).to_list() == expected


def test_empty_tables_and_readers(seed_set: iam_eval.PolicySet) -> None:
    empty = pa.table(rows()).slice(0, 0)
    assert seed_set.evaluate_many(empty).to_list() == []
    reader = pa.RecordBatchReader.from_batches(empty.schema, [])
    assert len(seed_set.evaluate_many(reader)) == 0
    assert pa.array(seed_set.evaluate_many(empty)).to_pylist() == []


# A set whose decisions turn on every part of a request: the caller and the keys derived
# from it, the action (in any case), the resource's service and account, the resource
# account, single and multivalued context keys.
VARIED = [
    (
        "identity",
        "people",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "alice"}}},
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "kms:Decrypt"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:PrincipalType": "AssumedRole"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                    },
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
                    {
                        "Effect": "Deny",
                        "Action": "s3:PutObject",
                        "Resource": "*",
                        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["secret"]}},
                    },
                ],
            }
        ),
    ),
    (
        "resource",
        "bucket",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::example-bucket/*",
                        "Condition": {"StringNotEquals": {SSE: "aws:kms"}},
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::example-bucket/*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                        "Action": "s3:GetObject",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:PrincipalAccount": "444455556666"}},
                    },
                ],
            }
        ),
    ),
]

PRINCIPALS = [
    ALICE,
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:sts::111122223333:assumed-role/app/run-1",
    "arn:aws:sts::444455556666:assumed-role/app/run-2",
    "arn:aws:iam::444455556666:role/app",
    "service:cloudtrail.amazonaws.com",
    "*",
]
ACTIONS = ["s3:GetObject", "s3:PutObject", "S3:putobject", "kms:Decrypt", "sts:AssumeRole"]
RESOURCES = [
    OBJECT,
    "arn:aws:s3:::other-bucket/x",
    "arn:aws:kms:us-east-1:444455556666:key/1234",
    "arn:aws:iam::111122223333:role/app",
    "*",
]


def varied_rows(n: int, seed: int) -> dict[str, list[Any]]:
    """`n` rows in runs: each field keeps its last value or takes a new one, so rows
    repeat some parts of the row before and change others, as log data does."""
    rng = random.Random(seed)
    choices: dict[str, list[Any]] = {
        "principal": PRINCIPALS,
        "action": ACTIONS,
        "resource": RESOURCES,
        "resource_account": [None, "111122223333", "444455556666"],
        SSE: [None, "aws:kms", "AES256", ""],
        "aws:SourceIp": [None, "10.1.2.3", "192.0.2.10", "not-an-address"],
        "aws:SourceAccount": [None, "111122223333", "999999999999"],
        "aws:TagKeys": [None, [], ["team"], ["team", "secret"]],
        "aws:username": [None, None, None, "alice"],
    }
    columns: dict[str, list[Any]] = {k: [] for k in choices}
    current = {k: rng.choice(v) for k, v in choices.items()}
    for _ in range(n):
        for k, v in choices.items():
            if rng.random() < 0.3:
                current[k] = rng.choice(v)
            columns[k].append(current[k])
    return columns


def row_request(columns: dict[str, list[Any]], i: int) -> iam_eval.Request:
    context = {k: v[i] for k, v in columns.items() if k not in ("principal", "action", "resource", "resource_account")}
    return iam_eval.Request(
        columns["principal"][i],
        columns["action"][i],
        columns["resource"][i],
        resource_account=columns["resource_account"][i],
        context=context,
    )


@pytest.mark.parametrize("threads", [1, 3, None])
def test_a_table_decides_each_row_as_evaluate_does(threads: int | None) -> None:
    s = iam_eval.PolicySet(VARIED)
    columns = varied_rows(3_000, seed=7)
    table = pa.table({**columns, "aws:TagKeys": pa.array(columns["aws:TagKeys"], pa.list_(pa.string()))})
    expected = [s.evaluate(row_request(columns, i)).decision for i in range(3_000)]
    # Every decision and most parts occur, so the comparison covers them.
    assert set(expected) == {"allow", "explicit_deny", "implicit_deny"}
    assert s.evaluate_many(table, threads=threads).to_list() == expected
    # Dictionary-encoded columns and several batches decide alike.
    encoded = table.set_column(0, "principal", table.column("principal").dictionary_encode())
    batches = pa.Table.from_batches(encoded.to_batches(max_chunksize=512))
    assert s.evaluate_many(batches, threads=threads).to_list() == expected
    # Invalid rows among them: theirs is null, and the rows after them are unaffected.
    broken = dict(columns)
    broken["principal"] = [p if i % 97 else "alice" for i, p in enumerate(columns["principal"])]
    broken["action"] = [a if i % 89 else "s3:Get*" for i, a in enumerate(columns["action"])]
    broken_table = pa.table({**broken, "aws:TagKeys": table.column("aws:TagKeys")})
    with_nulls = [None if i % 97 == 0 or i % 89 == 0 else d for i, d in enumerate(expected)]
    assert s.evaluate_many(broken_table, on_error="null", threads=threads).to_list() == with_nulls
    with pytest.raises(iam_eval.RequestError) as info:
        s.evaluate_many(broken_table.slice(1), threads=threads)
    assert (info.value.kind, info.value.row) == ("wildcard_action", 88)


def test_threads_must_be_positive(seed_set: iam_eval.PolicySet) -> None:
    with pytest.raises(ValueError, match="`threads` is 0"):
        seed_set.evaluate_many(pa.table(rows()), threads=0)
    assert seed_set.evaluate_many(as_requests(), threads=4).to_list() == EXPECTED
