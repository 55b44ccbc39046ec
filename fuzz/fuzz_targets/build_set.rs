//! Arbitrary policies into a policy set: the input is split at NUL bytes into up to six
//! chunks; each chunk's first byte chooses the kind (low bits), whether the policy is
//! added with an owner account (bit 3) and whether its id repeats the previous one's
//! (bit 4), and the rest is parsed as a policy. Building never panics, and a set that
//! builds evaluates a few fixed requests with explain agreeing with evaluate.
#![no_main]

use iam_eval::{Limits, Policy, PolicyKind, PolicySet};
use iam_eval_fuzz::{evaluate_and_explain, request_from_fields};
use libfuzzer_sys::fuzz_target;

const REQUESTS: [&[&str]; 4] = [
    &[
        "arn:aws:iam::111122223333:user/alice",
        "s3:PutObject",
        "arn:aws:s3:::example-bucket/report.csv",
        "s3:x-amz-server-side-encryption=aws:kms",
    ],
    &[
        "arn:aws:sts::444455556666:assumed-role/app/s1",
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/1234",
        "aws:SourceIp=10.0.0.1",
    ],
    &["*", "s3:GetObject", "arn:aws:s3:::example-bucket/x"],
    &[
        "service:cloudtrail.amazonaws.com",
        "s3:PutObject",
        "arn:aws:s3:::example-bucket/AWSLogs/x",
        "aws:SourceAccount=111122223333",
    ],
];

fuzz_target!(|data: &[u8]| {
    let mut builder = PolicySet::builder();
    let mut added = 0usize;
    for (i, chunk) in data.split(|b| *b == 0).take(6).enumerate() {
        let Some((&control, text)) = chunk.split_first() else {
            continue;
        };
        let Ok(policy) = Policy::parse_bytes(text, &Limits::default()) else {
            continue;
        };
        let kind = PolicyKind::ALL[usize::from(control & 7) % PolicyKind::ALL.len()];
        let id = if control & 0x10 != 0 && i > 0 {
            format!("p{}", i - 1)
        } else {
            format!("p{i}")
        };
        if control & 0x08 != 0 {
            builder.add_owned(kind, id, policy, "111122223333");
        } else {
            builder.add(kind, id, policy);
        }
        added += 1;
    }
    if added == 0 {
        return;
    }
    let Ok(set) = builder.build() else {
        return;
    };
    for fields in REQUESTS {
        if let Some(request) = request_from_fields(fields.iter().copied()) {
            evaluate_and_explain(&set, &request);
        }
    }
});
