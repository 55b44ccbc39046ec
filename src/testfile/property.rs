//! Properties: claims about every request of a shape, proved by the analysis beside the
//! concrete cases.

use super::error::{TestFileError, TestFileErrorKind};
use super::read::Reader;
use super::TestFile;
use crate::analysis::{self, Expect, Shape, Verdict};
use crate::json::{Json, JsonKind};
use std::fmt;

/// One property of a test file: every request of its shape must get a decision its
/// `expect` accepts.
#[derive(Debug, Clone)]
pub struct Property {
    pub(crate) name: String,
    pub(crate) why: Option<String>,
    pub(crate) expect: Expect,
    pub(crate) shape: Shape,
    pub(crate) position: crate::SourcePos,
}

impl Property {
    /// The property's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The rule it pins, if given.
    pub fn why(&self) -> Option<&str> {
        self.why.as_deref()
    }
    /// What every request of the shape must get.
    pub fn expect(&self) -> Expect {
        self.expect
    }
    /// The requests it is about.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }
    /// Where the property's object starts in its test file.
    pub fn position(&self) -> crate::SourcePos {
        self.position
    }
}

/// The fields of a property's `shape`.
pub(crate) const SHAPE_FIELDS: &[&str] = &[
    "principal",
    "principal_account",
    "any_principal",
    "action",
    "resource",
    "resource_account",
    "context",
];

/// Reads one entry of `properties`.
pub(crate) fn read(
    reader: &Reader<'_>,
    json: &Json,
    what: &str,
) -> Result<Property, TestFileError> {
    let fields = reader.object(json, what, TestFile::PROPERTY_FIELDS)?;
    let name = reader
        .string(reader.required(&fields, "name", json, what)?, "`name`")?
        .to_string();
    let expect_json = reader.required(&fields, "expect", json, what)?;
    let text = reader.string(expect_json, "`expect`")?;
    let Some(expect) = Expect::parse(text) else {
        let options = ["allow", "deny", "explicit_deny"];
        let help = match crate::suggest::best(text, options) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "a property expects `allow`, `deny` or `explicit_deny`".into(),
        };
        return Err(reader
            .err(
                TestFileErrorKind::Format,
                expect_json.span.start,
                format!("unknown expectation `{text}` in `expect`"),
            )
            .with_help(Some(help)));
    };
    let why = match fields.get("why") {
        Some(v) => Some(reader.string(v, "`why`")?.to_string()),
        None => None,
    };
    let shape_json = reader.required(&fields, "shape", json, what)?;
    let shape = shape(reader, shape_json, &format!("{what} `{name}`"))?;
    let (line, column) = reader.line_col(json.span.start);
    Ok(Property {
        name,
        why,
        expect,
        shape,
        position: crate::SourcePos { line, column },
    })
}

/// A string or an array of strings.
fn strings(reader: &Reader<'_>, json: &Json, what: &str) -> Result<Vec<String>, TestFileError> {
    match &json.kind {
        JsonKind::String(s) => Ok(vec![s.clone()]),
        JsonKind::Array(items) => items
            .iter()
            .map(|i| reader.string(i, what).map(str::to_string))
            .collect(),
        other => Err(reader.err(
            TestFileErrorKind::Format,
            json.span.start,
            format!(
                "{what} must be a string or an array of strings, found {}",
                other.type_name()
            ),
        )),
    }
}

fn shape(reader: &Reader<'_>, json: &Json, what: &str) -> Result<Shape, TestFileError> {
    let fields = reader.object(json, "`shape`", SHAPE_FIELDS)?;
    let mut b = Shape::builder();
    let callers = ["principal", "principal_account", "any_principal"];
    let given: Vec<&str> = callers
        .into_iter()
        .filter(|f| fields.get(f).is_some())
        .collect();
    if given.len() != 1 {
        return Err(reader
            .err(
                TestFileErrorKind::Format,
                json.span.start,
                format!("{what}: the shape names its callers with exactly one of `principal`, `principal_account` and `any_principal`"),
            )
            .with_help(Some(
                "write `\"any_principal\": true` for every caller, `\"principal_account\": \"111122223333\"` for an account's IAM principals, or `\"principal\": \"ARN\"`".into(),
            )));
    }
    if let Some(p) = fields.get("principal") {
        for arn in strings(reader, p, "`principal`")? {
            b.principal(&arn);
        }
    }
    if let Some(a) = fields.get("principal_account") {
        for account in strings(reader, a, "`principal_account`")? {
            b.principal_account(&account);
        }
    }
    if let Some(any) = fields.get("any_principal") {
        match any.kind {
            JsonKind::Bool(true) => {
                b.any_principal();
            }
            _ => {
                return Err(reader.err(
                    TestFileErrorKind::Format,
                    any.span.start,
                    "`any_principal` is `true` when given".into(),
                ))
            }
        }
    }
    if let Some(a) = fields.get("action") {
        for action in strings(reader, a, "`action`")? {
            b.action(&action);
        }
    }
    if let Some(r) = fields.get("resource") {
        for resource in strings(reader, r, "`resource`")? {
            b.resource(&resource);
        }
    }
    if let Some(a) = fields.get("resource_account") {
        b.resource_account(reader.string(a, "`resource_account`")?);
    }
    if let Some(c) = fields.get("context") {
        c.object("`context`").map_err(|i| reader.issue(i))?;
        let text = reader.src.get(c.span.start..c.span.end).unwrap_or("{}");
        b.condition_json(text);
    }
    b.build().map_err(|e| {
        reader
            .err(
                TestFileErrorKind::Format,
                json.span.start,
                format!("{what}: {}", e.message()),
            )
            .with_help(e.help().map(str::to_string))
    })
}

/// The result of one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyResult {
    /// The file.
    pub file: String,
    /// The property's name.
    pub name: String,
    /// Where the property is in its test file.
    pub position: crate::SourcePos,
    /// The rule it pins.
    pub why: Option<String>,
    /// What every request of the shape must get.
    pub expect: Expect,
    /// What the analysis found.
    pub outcome: PropertyOutcome,
}

/// What the analysis found about a property.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PropertyOutcome {
    /// Every request of the shape gets a decision the property accepts.
    Proved,
    /// A request of the shape that does not, confirmed by `evaluate`.
    Refuted {
        /// The decision it gets.
        decision: crate::Decision,
        /// The reason, in words.
        reason: String,
        /// The request as a test-file case, JSON.
        case: String,
        /// The explanation of the decision, as `iam-eval eval --explain` prints it.
        explanation: String,
    },
    /// Neither could be shown: the reason.
    Unknown(String),
}

impl PropertyResult {
    /// Whether the property was proved.
    pub fn passed(&self) -> bool {
        self.outcome == PropertyOutcome::Proved
    }
}

impl fmt::Display for PropertyResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "FAIL {}: property `{}`", self.file, self.name)?;
        if let Some(why) = &self.why {
            writeln!(f, "  why:      {why}")?;
        }
        writeln!(
            f,
            "  claim:    every request of the shape is {}",
            self.expect.describe()
        )?;
        match &self.outcome {
            PropertyOutcome::Proved => writeln!(f, "  proved"),
            PropertyOutcome::Unknown(why) => writeln!(f, "  unknown:  {why}"),
            PropertyOutcome::Refuted {
                decision,
                reason,
                case,
                explanation,
            } => {
                writeln!(
                    f,
                    "  refuted:  this request gets {decision} ({reason}), confirmed by evaluate"
                )?;
                writeln!(f, "  as a test case:")?;
                for line in case.lines() {
                    writeln!(f, "    {line}")?;
                }
                writeln!(f, "  explanation:")?;
                for line in explanation.lines() {
                    if line.is_empty() {
                        writeln!(f)?;
                    } else {
                        writeln!(f, "    {line}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl TestFile {
    /// The properties.
    pub fn properties(&self) -> &[Property] {
        &self.properties
    }

    /// Proves one property against the file's policies.
    pub(crate) fn prove(&self, p: &Property) -> PropertyResult {
        let outcome = match analysis::always(&self.set, &p.shape, p.expect) {
            Verdict::Proved(_) => PropertyOutcome::Proved,
            Verdict::Counterexample(c, _) => PropertyOutcome::Refuted {
                decision: c.decision(),
                reason: c.reason().to_string(),
                case: c.to_test_case(&format!("{} (counterexample)", p.name)),
                explanation: c.trace().to_string(),
            },
            Verdict::Unknown(u, _) => PropertyOutcome::Unknown(u.to_string()),
        };
        PropertyResult {
            file: self.name.clone(),
            name: p.name.clone(),
            position: p.position,
            why: p.why.clone(),
            expect: p.expect,
            outcome,
        }
    }
}
