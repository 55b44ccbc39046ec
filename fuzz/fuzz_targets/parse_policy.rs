//! Arbitrary bytes as a policy document: parsing never panics, and a policy that parses
//! writes back to JSON that parses to an equal policy.
#![no_main]

use iam_eval::{Limits, Policy, PolicyKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Policy::parse_bytes(data, &Limits::default()) {
        Ok(policy) => {
            let json = policy.to_json();
            let again = match Policy::parse(&json) {
                Ok(p) => p,
                Err(e) => panic!(
                    "to_json wrote a policy that does not parse:\n{json}\n{}",
                    e.render("written.json")
                ),
            };
            assert_eq!(policy, again, "to_json changed the policy:\n{json}");
            assert_eq!(json, again.to_json(), "to_json is not stable");
            for kind in PolicyKind::ALL {
                if let Err(e) = policy.validate(kind) {
                    let _ = e.render("policy.json");
                }
            }
        }
        Err(e) => {
            assert!(!e.diagnostics().is_empty(), "an error without diagnostics");
            let _ = e.render("policy.json");
            let _ = e.to_string();
        }
    }
});
