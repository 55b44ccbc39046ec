//! A request as test files write it, also what `iam-eval eval --request` reads.

use super::error::{Cause, TestFileError, TestFileErrorKind};
use super::read::Reader;
use crate::json::{Json, JsonKind};
use crate::{Principal, Request, RequestBuilder, RequestError};

/// One context value as written: a scalar or a list (a multivalued key).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ContextValue {
    One(String),
    Many(Vec<String>),
}

/// A request in the test-file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    principal: Principal,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: Vec<(String, ContextValue)>,
    /// Where the request object starts, for errors found when it is built.
    offset: usize,
}

impl RequestSpec {
    /// The fields of a request object. Any other field is an error.
    pub const FIELDS: &'static [&'static str] = &[
        "principal",
        "action",
        "resource",
        "resource_account",
        "context",
    ];
    /// The fields of a principal written as an object; it names exactly one.
    pub const PRINCIPAL_FIELDS: &'static [&'static str] =
        &["Service", "Federated", "CanonicalUser"];

    /// Reads a request object (`principal`, `action`, `resource`, `resource_account`,
    /// `context`) from JSON text; `name` names it in errors.
    ///
    /// # Errors
    /// A [`TestFileError`] with the line and column of the problem.
    pub fn from_json(src: &str, name: &str) -> Result<RequestSpec, TestFileError> {
        let reader = Reader::new(src, name);
        let tree = reader.tree()?;
        RequestSpec::read(&reader, &tree, "a request")
    }

    /// Reads a request object from a test file's tree.
    pub(crate) fn read(
        reader: &Reader<'_>,
        json: &Json,
        what: &str,
    ) -> Result<RequestSpec, TestFileError> {
        let fields = reader.object(json, what, RequestSpec::FIELDS)?;
        let principal_json = reader.required(&fields, "principal", json, what)?;
        let action = reader
            .string(reader.required(&fields, "action", json, what)?, "`action`")?
            .to_string();
        let resource = reader
            .string(
                reader.required(&fields, "resource", json, what)?,
                "`resource`",
            )?
            .to_string();
        let resource_account = match fields.get("resource_account") {
            Some(v) => Some(reader.string(v, "`resource_account`")?.to_string()),
            None => None,
        };
        // The shape of every field is checked before the principal is read, so a file
        // with both kinds of mistake reports the format one.
        let mut context: Vec<(String, ContextValue)> = Vec::new();
        if let Some(value) = fields.get("context") {
            let members = value.object("`context`").map_err(|i| reader.issue(i))?;
            for m in members {
                let lower = m.key.to_lowercase();
                if context.iter().any(|(k, _)| k.to_lowercase() == lower) {
                    return Err(reader.err(
                        TestFileErrorKind::Format,
                        m.key_span.start,
                        format!(
                            "the context sets `{}` twice (condition keys are not case-sensitive)",
                            m.key
                        ),
                    ));
                }
                let scalar = |j: &Json| -> Result<String, TestFileError> {
                    match &j.kind {
                        JsonKind::String(s) | JsonKind::Number(s) => Ok(s.clone()),
                        JsonKind::Bool(b) => Ok(b.to_string()),
                        other => Err(reader.err(
                            TestFileErrorKind::Format,
                            j.span.start,
                            format!("a context value is a string, a number, a boolean or an array of those, found {}", other.type_name()),
                        )),
                    }
                };
                let v = match &m.value.kind {
                    JsonKind::Array(items) => {
                        ContextValue::Many(items.iter().map(scalar).collect::<Result<_, _>>()?)
                    }
                    _ => ContextValue::One(scalar(&m.value)?),
                };
                context.push((m.key.clone(), v));
            }
        }
        let principal = principal(reader, principal_json)?;
        Ok(RequestSpec {
            principal,
            action,
            resource,
            resource_account,
            context,
            offset: json.span.start,
        })
    }

    /// Builds the request.
    ///
    /// # Errors
    /// A [`RequestError`] when the action is not valid.
    pub fn build(&self, builder: &mut RequestBuilder) -> Result<Request, RequestError> {
        builder
            .principal_value(self.principal.clone())
            .action(&self.action)
            .resource(&self.resource);
        if let Some(a) = &self.resource_account {
            builder.resource_account(a);
        }
        for (key, value) in &self.context {
            match value {
                ContextValue::One(v) => builder.context(key, v),
                ContextValue::Many(list) => builder.context(key, list.as_slice()),
            };
        }
        builder.build()
    }

    /// Builds the request, or an error at the request's place in the file.
    pub(crate) fn build_at(
        &self,
        reader: &Reader<'_>,
        builder: &mut RequestBuilder,
        what: &str,
    ) -> Result<Request, TestFileError> {
        self.build(builder).map_err(|e| {
            reader
                .err(
                    TestFileErrorKind::Request,
                    self.offset,
                    format!("{what}: {}", e.message()),
                )
                .with_help(e.help().map(str::to_string))
                .caused_by(Cause::Request(e))
        })
    }
}

/// The caller: an ARN, `*`, a prefixed name (`service:NAME`, `federated:PROVIDER`,
/// `canonical-user:ID`), or an object naming one of `Service`, `Federated` and
/// `CanonicalUser`.
fn principal(reader: &Reader<'_>, json: &Json) -> Result<Principal, TestFileError> {
    let request_error = |e: RequestError| {
        reader
            .err(
                TestFileErrorKind::Request,
                json.span.start,
                e.message().to_string(),
            )
            .with_help(e.help().map(str::to_string))
            .caused_by(Cause::Request(e))
    };
    match &json.kind {
        JsonKind::String(s) => s.parse().map_err(request_error),
        JsonKind::Object(_) => {
            let fields = reader.object(json, "a principal object", RequestSpec::PRINCIPAL_FIELDS)?;
            let mut named = fields.iter();
            match (named.next(), named.next()) {
                (Some(m), None) => {
                    let value = reader.string(&m.value, &format!("`{}`", m.key))?;
                    let prefix = match m.key.as_str() {
                        "Service" => "service",
                        "Federated" => "federated",
                        _ => "canonical-user",
                    };
                    format!("{prefix}:{value}").parse().map_err(request_error)
                }
                _ => Err(reader.err(
                    TestFileErrorKind::Format,
                    json.span.start,
                    "a principal object names exactly one of `Service`, `Federated` and `CanonicalUser`".into(),
                )),
            }
        }
        other => Err(reader.err(
            TestFileErrorKind::Format,
            json.span.start,
            format!(
                "`principal` must be a string (an ARN, `*`, `service:NAME`, `federated:PROVIDER` or `canonical-user:ID`) or an object such as {{\"Service\": ...}}, found {}",
                other.type_name()
            ),
        )),
    }
}
