//! Helpers shared by the fuzz targets: building a request from text fields, and the
//! checks every evaluation must pass.

use iam_eval::{Decision, PolicySet, Principal, Request};

/// Builds a request from text fields: the principal, the action, the resource, then
/// context entries.
///
/// The principal is a caller ARN or `*`, or `service:NAME`, `federated:PROVIDER`,
/// `canonical-user:ID`. A context entry is `KEY=VALUE` (single-valued), `KEY+=VALUE`
/// (adds a value, making the key multivalued), `KEY[]` (an empty multivalued key) or
/// `@ACCOUNT` (the request's resource account). Missing fields default to a user, an S3
/// action and an S3 object. Returns `None` when the principal or the request builder
/// rejects the fields.
pub fn request_from_fields<'a>(mut fields: impl Iterator<Item = &'a str>) -> Option<Request> {
    let mut b = Request::builder();
    let principal = fields
        .next()
        .unwrap_or("arn:aws:iam::111122223333:user/alice");
    b.principal_value(principal.parse::<Principal>().ok()?);
    b.action(fields.next().unwrap_or("s3:GetObject"));
    b.resource(fields.next().unwrap_or("arn:aws:s3:::example-bucket/key"));
    for entry in fields {
        if let Some(account) = entry.strip_prefix('@') {
            b.resource_account(account);
        } else if let Some((key, value)) = entry.split_once("+=") {
            b.context_push(key, value);
        } else if let Some((key, value)) = entry.split_once('=') {
            b.context(key, value);
        } else if let Some(key) = entry.strip_suffix("[]") {
            b.context(key, Vec::<String>::new());
        }
    }
    b.build().ok()
}

/// Evaluates and explains a request and checks that they agree: same decision, reason,
/// deciding statements and problems, and a trace that names the same decision. Also
/// renders the trace as text and JSON. Returns the decision.
///
/// # Panics
/// When evaluate and explain disagree.
pub fn evaluate_and_explain(set: &PolicySet, request: &Request) -> Decision {
    let response = set.evaluate(request);
    let (explained, trace) = set.explain(request);
    assert_eq!(
        response.decision(),
        explained.decision(),
        "evaluate and explain disagree on the decision"
    );
    assert_eq!(
        response.decision(),
        trace.decision,
        "the trace names another decision"
    );
    assert_eq!(
        response.reason(),
        explained.reason(),
        "evaluate and explain disagree on the reason"
    );
    // Evaluation keeps the smallest statement id per outcome, so the action index that
    // evaluate uses and the full scan that explain does name the same statements.
    let a: Vec<String> = response.determining().map(|s| s.to_string()).collect();
    let b: Vec<String> = explained.determining().map(|s| s.to_string()).collect();
    assert_eq!(
        a, b,
        "evaluate and explain name different deciding statements"
    );
    assert_eq!(
        response.determining_omitted(),
        explained.determining_omitted()
    );
    let pa: Vec<String> = response.problems().map(|p| p.to_string()).collect();
    let pb: Vec<String> = explained.problems().map(|p| p.to_string()).collect();
    assert_eq!(pa, pb, "evaluate and explain report different problems");
    assert_eq!(response.problems_omitted(), explained.problems_omitted());
    let _ = trace.to_string();
    let _ = trace.to_json();
    response.decision()
}
