//! Lints: policies that parse but do not do what their author meant.
//!
//! [`Policy::lint`] returns [`Finding`]s, each with a [`Lint`] (a stable kebab-case code and
//! a [`Severity`]), the JSON path of the value at fault, its line and column, and advice.
//! `docs/lints.md` documents every code with an example and the fix.
//!
//! Lints that need to know AWS's services, actions, resource types and condition keys use
//! the Service Authorization Reference compiled into the `iam-eval-service-ref` crate and
//! run only with the library's `service-ref` feature; the others (whitespace, variables
//! without a `Version`, duplicate statements, redundant actions and the security lints)
//! always run. [`Lint::needs_service_reference`] says which is which.
//!
//! Positions: the AST keeps the positions of statements only, so linting parses the
//! policy's source text again (linear in its size) and reads each value's position from
//! that tree. Evaluation users pay nothing for positions they never ask for.

mod doc;
#[cfg(feature = "service-ref")]
mod reference;
mod rules;

use crate::diagnostic::Diagnostic;
use crate::policy::{Policy, PolicyKind};
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// AWS refuses the policy.
    Error,
    /// The policy does not work as written.
    Warning,
    /// The policy grants more than its author probably intended.
    Security,
    /// Style: the policy works, but can be written more clearly.
    Suggestion,
}

impl Severity {
    /// `error`, `warning`, `security` or `suggestion`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Security => "security",
            Severity::Suggestion => "suggestion",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`Lint`] and its table in one place: code, severity, summary, the AWS page
/// the rule follows, and whether it needs the service reference.
macro_rules! lints {
    ($($lint:ident: $code:literal, $severity:ident, $data:literal, $url:literal, $summary:literal;)*) => {
        /// A lint: one kind of finding.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Lint {
            $(
                #[doc = $summary]
                $lint,
            )*
        }

        impl Lint {
            /// Every lint, in the order `docs/lints.md` lists them.
            pub const ALL: &'static [Lint] = &[$(Lint::$lint,)*];

            /// The stable kebab-case code, such as `unknown-action`.
            pub fn code(self) -> &'static str {
                match self { $(Lint::$lint => $code,)* }
            }

            /// The severity of its findings.
            pub fn severity(self) -> Severity {
                match self { $(Lint::$lint => Severity::$severity,)* }
            }

            /// Whether it needs the service reference (the library's `service-ref`
            /// feature): without it, the lint never reports anything.
            pub fn needs_service_reference(self) -> bool {
                match self { $(Lint::$lint => $data,)* }
            }

            /// The AWS documentation page the rule follows.
            pub fn url(self) -> &'static str {
                match self { $(Lint::$lint => $url,)* }
            }

            /// One line saying what the lint finds.
            pub fn summary(self) -> &'static str {
                match self { $(Lint::$lint => $summary,)* }
            }
        }
    };
}

lints! {
    UnknownService: "unknown-service", Warning, true,
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "An action names a service prefix that AWS does not have.";
    UnknownAction: "unknown-action", Warning, true,
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "An action names no action of its service.";
    ActionMatchesNothing: "action-matches-nothing", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "An action pattern with wildcards matches no action of its service.";
    UnknownConditionKey: "unknown-condition-key", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html",
        "A condition key is not defined by any service of the statement's actions.";
    UnknownGlobalConditionKey: "unknown-global-condition-key", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "An `aws:` condition key is not one of the global condition keys.";
    OperatorTypeMismatch: "operator-type-mismatch", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
        "A condition operator of one type tests a key of another (`NumericLessThan` on a string key).";
    MultivaluedKeyWithoutSetOperator: "multivalued-key-without-set-operator", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "A multivalued key is tested without `ForAllValues:` or `ForAnyValue:`.";
    SetOperatorOnSingleValuedKey: "set-operator-on-single-valued-key", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "`ForAllValues:` or `ForAnyValue:` tests a single-valued key.";
    ResourceMatchesNoAction: "resource-matches-no-action", Warning, true,
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "A resource is of no type that any action of the statement acts on.";
    ArnFormatMismatch: "arn-format-mismatch", Warning, true,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
        "A resource ARN matches none of the ARN formats of its service.";
    WhitespaceInValue: "whitespace-in-value", Warning, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String",
        "A value starts or ends with whitespace, which AWS keeps as part of it.";
    VariableWithoutVersion: "variable-without-version", Warning, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html",
        "A `${...}` policy variable in a policy without `\"Version\": \"2012-10-17\"`, where it is literal text.";
    ForAllValuesWithoutNullCheck: "for-all-values-without-null-check", Security, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "`ForAllValues:` in an `Allow` holds when the key is missing, and nothing requires the key.";
    AllowWithNotPrincipal: "allow-with-not-principal", Security, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
        "`NotPrincipal` with `Allow` grants every principal but those listed, anonymous callers included.";
    AllowWithNotAction: "allow-with-not-action", Security, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        "`NotAction` with `Allow` on every resource grants every action but those listed, of every service.";
    AllowWithNotResource: "allow-with-not-resource", Security, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
        "`NotResource` with `Allow` grants the actions on every resource but those listed.";
    PublicPrincipal: "public-principal", Security, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous",
        "`Principal: \"*\"` allows anyone, anonymous callers included, and no condition narrows it.";
    PassRoleOnAnyRole: "pass-role-on-any-role", Security, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "`iam:PassRole` is allowed on every role.";
    DuplicateStatement: "duplicate-statement", Suggestion, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html",
        "A statement repeats an earlier one (its `Sid` aside).";
    RedundantAction: "redundant-action", Suggestion, false,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "An action is already covered by another action of the same statement.";
}

impl Lint {
    /// The lint whose [`code`](Lint::code) is `code`.
    pub fn from_code(code: &str) -> Option<Lint> {
        Lint::ALL.iter().copied().find(|l| l.code() == code)
    }

    /// Whether its findings are places where AWS silently reads a policy otherwise than it
    /// looks: a variable that is literal text, whitespace that is part of a value. `eval`
    /// and `test` print these for the policies they load.
    pub fn changes_meaning(self) -> bool {
        matches!(self, Lint::WhitespaceInValue | Lint::VariableWithoutVersion)
    }
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The version of the service reference the lints were built with, or `None` without the
/// `service-ref` feature.
pub fn service_reference_version() -> Option<&'static str> {
    #[cfg(feature = "service-ref")]
    {
        Some(iam_eval_service_ref::VERSION)
    }
    #[cfg(not(feature = "service-ref"))]
    {
        None
    }
}

/// One problem a lint found, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub(crate) lint: Lint,
    pub(crate) diagnostic: Diagnostic,
}

impl Finding {
    /// The lint that found it.
    pub fn lint(&self) -> Lint {
        self.lint
    }
    /// The lint's severity.
    pub fn severity(&self) -> Severity {
        self.lint.severity()
    }
    /// The lint's code.
    pub fn code(&self) -> &'static str {
        self.lint.code()
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        self.diagnostic.message()
    }
    /// What to do about it, if there is advice to give.
    pub fn help(&self) -> Option<&str> {
        self.diagnostic.help()
    }
    /// The JSON path of the value, such as `Statement[0].Action[1]`.
    pub fn path(&self) -> &str {
        self.diagnostic.path()
    }
    /// 1-based line in the source.
    pub fn line(&self) -> usize {
        self.diagnostic.line()
    }
    /// 1-based column in the source, counted in characters.
    pub fn column(&self) -> usize {
        self.diagnostic.column()
    }
    /// The source line the value is on.
    pub fn source_line(&self) -> &str {
        self.diagnostic.source_line()
    }
    /// The finding as a [`Diagnostic`] (position, message, help), for code that shows
    /// parse errors and findings alike.
    pub fn diagnostic(&self) -> &Diagnostic {
        &self.diagnostic
    }
    /// Renders the finding as `iam-eval check` does: `FILE:LINE:COL: warning: message`, the
    /// source line with a marker under the column, the JSON path, the help and the code.
    pub fn render(&self, file: &str) -> String {
        let mut out = self.diagnostic.render_as(file, self.severity().as_str());
        let gutter = " ".repeat(self.line().to_string().len());
        out.push_str(&format!("{gutter} = lint: {}\n", self.code()));
        out
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}]: {}",
            self.severity(),
            self.code(),
            self.diagnostic
        )
    }
}

impl Policy {
    /// Runs every lint on the policy, reading it as a resource-based policy where a
    /// statement has a `Principal` and as an identity-based one elsewhere. Findings come
    /// in source order.
    pub fn lint(&self) -> Vec<Finding> {
        run(self, None)
    }

    /// Runs every lint on the policy used as `kind`.
    pub fn lint_as(&self, kind: PolicyKind) -> Vec<Finding> {
        run(self, Some(kind))
    }

    /// The findings of the lints that [change meaning](Lint::changes_meaning): where
    /// AWS silently reads the policy otherwise than it looks. Cheap enough to run on
    /// every policy loaded: no service reference lookups.
    pub fn silent_changes(&self) -> Vec<Finding> {
        let Some(mut doc) = doc::Doc::of(self) else {
            return Vec::new();
        };
        rules::silent_changes(self, &mut doc);
        doc.finish()
    }
}

fn run(policy: &Policy, kind: Option<PolicyKind>) -> Vec<Finding> {
    let Some(mut doc) = doc::Doc::of(policy) else {
        return Vec::new();
    };
    rules::silent_changes(policy, &mut doc);
    rules::structure(policy, kind, &mut doc);
    #[cfg(feature = "service-ref")]
    reference::check(&mut doc);
    doc.finish()
}

#[cfg(test)]
mod tests;
