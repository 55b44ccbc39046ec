//! An arbitrary policy and an arbitrary request: the input is split at NUL bytes; the
//! first part is the policy document, the rest are request fields (principal, action,
//! resource, context entries; see `request_from_fields`). The policy is tried as every
//! kind it is valid for; evaluate and explain never panic and always agree, and the
//! policy written back to JSON and parsed again decides the same.
#![no_main]

use iam_eval::{Limits, Policy, PolicyKind, PolicySet};
use iam_eval_fuzz::{evaluate_and_explain, request_from_fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let Some(policy_text) = parts.next() else {
        return;
    };
    let Ok(policy) = Policy::parse_bytes(policy_text, &Limits::default()) else {
        return;
    };
    let fields: Vec<String> = parts
        .take(64)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let Some(request) = request_from_fields(fields.iter().map(String::as_str)) else {
        return;
    };
    let again = Policy::parse(&policy.to_json()).ok();
    for kind in PolicyKind::ALL {
        if let Ok(set) = PolicySet::builder()
            .add(kind, "policy", policy.clone())
            .build()
        {
            let decision = evaluate_and_explain(&set, &request);
            // parse_policy checks the round trip itself; here, that it keeps the meaning.
            if let Some(again) = &again {
                let set = PolicySet::builder()
                    .add(kind, "policy", again.clone())
                    .build()
                    .expect("the written policy builds as the original did");
                assert_eq!(set.evaluate(&request).decision(), decision);
            }
        }
    }
});
