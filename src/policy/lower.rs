//! Lowering: the positioned JSON tree to the typed AST, collecting every problem.

use super::ast::*;
use super::error::ParseError;
use super::value::{self, TypedValues};
use crate::diagnostic::{Diagnostic, LineCache};
use crate::json::{Fields, Issue, Json, JsonKind, LineIndex, Member, Span};
use crate::limits::Limits;
use crate::operator::ConditionOperator;
use crate::suggest;
use crate::template::Template;
use crate::value::arn;
use std::collections::HashMap;

const POLICY_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Parses a policy document from bytes, reporting invalid UTF-8 with its position.
pub(crate) fn parse_bytes(bytes: &[u8], limits: &Limits) -> Result<Policy, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(src) => parse(src, limits),
        Err(e) => {
            let valid = bytes
                .get(..e.valid_up_to())
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("");
            let index = LineIndex::new(valid);
            let mut lowerer = Lowerer {
                src: valid,
                index,
                diags: Vec::new(),
                limits,
                sids: Vec::new(),
                lines: LineCache::default(),
                values: 0,
            };
            let (offset, message, help) = match crate::json::parse_bytes(bytes, limits.max_depth())
            {
                Err(se) => (se.offset.min(valid.len()), se.message, se.help),
                Ok(_) => (valid.len(), "invalid UTF-8".to_string(), None),
            };
            lowerer.error(
                Span {
                    start: offset,
                    end: offset,
                },
                "",
                message,
                help,
            );
            Err(lowerer.finish_err())
        }
    }
}

/// Parses a policy document from text.
pub(crate) fn parse(src: &str, limits: &Limits) -> Result<Policy, ParseError> {
    let index = LineIndex::new(src);
    let mut lowerer = Lowerer {
        src,
        index,
        diags: Vec::new(),
        limits,
        sids: Vec::new(),
        lines: LineCache::default(),
        values: 0,
    };
    let size = if src.len() > limits.max_source_bytes() {
        Err(format!(
            "the document is {} bytes, over the limit of {} bytes",
            src.len(),
            limits.max_source_bytes()
        ))
    } else {
        let n = crate::limits::size_without_whitespace(src);
        if n > limits.max_policy_bytes() {
            Err(format!(
                "the policy is {n} bytes without whitespace, over the limit of {} bytes",
                limits.max_policy_bytes()
            ))
        } else {
            Ok(())
        }
    };
    if let Err(message) = size {
        lowerer.error(
            Span { start: 0, end: 0 },
            "",
            message,
            Some("AWS's largest managed policies are about 135 KB without whitespace; the limit is configurable".into()),
        );
        return Err(lowerer.finish_err());
    }
    let json = match crate::json::parse(src, limits.max_depth()) {
        Ok(json) => json,
        Err(e) => {
            lowerer.error(
                Span {
                    start: e.offset,
                    end: e.offset,
                },
                "",
                e.message,
                e.help,
            );
            return Err(lowerer.finish_err());
        }
    };
    let policy = lowerer.policy(&json);
    match policy {
        Some(p) if lowerer.diags.is_empty() => Ok(p),
        _ => Err(lowerer.finish_err()),
    }
}

struct Lowerer<'s, 'l> {
    src: &'s str,
    index: LineIndex,
    diags: Vec<Diagnostic>,
    limits: &'l Limits,
    /// Every Sid seen, with the statement's path, position and line, for duplicates.
    sids: Vec<(String, String, SourcePos)>,
    /// The source line of the last diagnostic, shared with the next ones on that line.
    lines: LineCache,
    /// Values read so far, all lists together, against `Limits::max_values`.
    values: usize,
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn quoted_child(path: &str, key: &str) -> String {
    format!("{path}[{}]", serde_json::Value::String(key.to_string()))
}

impl Lowerer<'_, '_> {
    fn pos(&self, offset: usize) -> SourcePos {
        let (line, column) = self.index.line_col(self.src, offset);
        SourcePos { line, column }
    }

    fn line_text(&mut self, line: usize) -> std::sync::Arc<str> {
        let (index, src) = (&self.index, self.src);
        self.lines.get(line, || index.line_text(src, line))
    }

    fn error(&mut self, span: Span, path: &str, message: String, help: Option<String>) {
        let pos = self.pos(span.start);
        let line_text = self.line_text(pos.line);
        self.diags.push(Diagnostic {
            path: path.to_string(),
            line: pos.line,
            column: pos.column,
            message,
            help,
            line_text,
        });
    }

    fn finish_err(mut self) -> ParseError {
        self.diags.sort_by_key(|d| (d.line, d.column));
        ParseError {
            diagnostics: self.diags,
        }
    }

    /// Reports duplicate keys and unknown keys of an object; returns the members whose
    /// key is known and seen for the first time.
    fn members<'j>(
        &mut self,
        members: &'j [Member],
        path: &str,
        known: &[&str],
        what: &str,
    ) -> Vec<&'j Member> {
        let mut issues = Vec::new();
        let (index, src) = (&self.index, self.src);
        let fields = Fields::check(
            members,
            known,
            "element",
            what,
            |offset| index.line_col(src, offset),
            &mut issues,
        );
        for issue in issues {
            let at = child(path, issue.member.as_deref().unwrap_or_default());
            self.issue(issue, &at);
        }
        fields.iter().collect()
    }

    fn issue(&mut self, issue: Issue, path: &str) {
        self.error(issue.span, path, issue.message, issue.help);
    }

    fn policy(&mut self, json: &Json) -> Option<Policy> {
        let JsonKind::Object(members) = &json.kind else {
            self.error(
                json.span,
                "",
                format!(
                    "a policy must be a JSON object, found {}",
                    json.kind.type_name()
                ),
                Some(
                    "a policy looks like `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`"
                        .into(),
                ),
            );
            return None;
        };
        let members = self.members(members, "", &POLICY_ELEMENTS, "a policy");
        let mut version = None;
        let mut id = None;
        let mut statement_json = None;
        let mut ok = true;
        for m in members {
            match m.key.as_str() {
                "Version" => match &m.value.kind {
                    JsonKind::String(s) if s == "2012-10-17" => {
                        version = Some(Version::V2012_10_17)
                    }
                    JsonKind::String(s) if s == "2008-10-17" => {
                        version = Some(Version::V2008_10_17)
                    }
                    other => {
                        let found = match other {
                            JsonKind::String(s) => format!("`{s}`"),
                            k => k.type_name().to_string(),
                        };
                        self.error(
                            m.value.span,
                            "Version",
                            format!("unknown policy version {found}"),
                            Some(
                                "`Version` is `\"2012-10-17\"` (current) or `\"2008-10-17\"`"
                                    .into(),
                            ),
                        );
                        ok = false;
                    }
                },
                "Id" => match &m.value.kind {
                    JsonKind::String(s) => id = Some(s.clone()),
                    _ => {
                        self.type_error(&m.value, "Id", "a string");
                        ok = false;
                    }
                },
                _ => statement_json = Some(&m.value),
            }
        }
        let Some(statement_json) = statement_json else {
            if misspells(json, &POLICY_ELEMENTS, &["Statement"]) {
                return None;
            }
            self.error(
                json.span,
                "",
                "a policy needs a `Statement` element".into(),
                Some("add `\"Statement\": [...]` with one or more statements".into()),
            );
            return None;
        };
        let variables = version == Some(Version::V2012_10_17);
        let mut statements = Vec::new();
        match &statement_json.kind {
            JsonKind::Object(_) if self.limits.max_statements() == 0 => {
                self.error(
                    statement_json.span,
                    "Statement",
                    "the policy has 1 statement, over the limit of 0".into(),
                    Some("the limit is configurable".into()),
                );
                return None;
            }
            JsonKind::Object(_) => {
                if let Some(s) = self.statement(statement_json, "Statement", variables) {
                    statements.push(s);
                }
            }
            JsonKind::Array(items) => {
                if items.len() > self.limits.max_statements() {
                    self.error(
                        statement_json.span,
                        "Statement",
                        format!(
                            "the policy has {} statements, over the limit of {}",
                            items.len(),
                            self.limits.max_statements()
                        ),
                        Some("the limit is configurable".into()),
                    );
                    return None;
                }
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = self.statement(item, &format!("Statement[{i}]"), variables) {
                        statements.push(s);
                    }
                }
            }
            _ => {
                self.type_error(
                    statement_json,
                    "Statement",
                    "an object or an array of objects",
                );
                return None;
            }
        }
        self.check_sids();
        ok.then_some(Policy {
            version,
            id,
            statements,
            source: SourceText(Some(std::sync::Arc::from(self.src))),
        })
    }

    fn check_sids(&mut self) {
        let sids = std::mem::take(&mut self.sids);
        let mut firsts: HashMap<&str, usize> = HashMap::new();
        for (n, (sid, path, pos)) in sids.iter().enumerate() {
            let first_index = *firsts.entry(sid.as_str()).or_insert(n);
            let first = (first_index != n).then(|| sids.get(first_index)).flatten();
            if let Some((_, first_path, first_pos)) = first {
                let line_text = self.line_text(pos.line);
                self.diags.push(Diagnostic {
                    path: child(path, "Sid"),
                    line: pos.line,
                    column: pos.column,
                    message: format!(
                        "duplicate `Sid` `{sid}` (also at `{first_path}`, line {})",
                        first_pos.line
                    ),
                    help: Some(
                        "statement ids must be unique within a policy, so that a decision names one statement"
                            .into(),
                    ),
                    line_text,
                });
            }
        }
    }

    fn type_error(&mut self, json: &Json, path: &str, expected: &str) {
        let what = format!("`{}`", last_name(path));
        self.issue(Issue::wrong_type(json, &what, expected), path);
    }

    fn statement(&mut self, json: &Json, path: &str, variables: bool) -> Option<Statement> {
        let JsonKind::Object(members) = &json.kind else {
            self.type_error(json, path, "an object");
            return None;
        };
        let errors_before = self.diags.len();
        let members = self.members(members, path, &STATEMENT_ELEMENTS, "a statement");
        let mut pos = StatementPositions {
            path: path.to_string(),
            statement: self.pos(json.span.start),
            ..StatementPositions::default()
        };
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<(&Member, PrincipalSpec)> = None;
        let mut action: Option<(&Member, ActionSpec)> = None;
        let mut resource: Option<(&Member, ResourceSpec, Vec<Template>)> = None;
        let mut condition = Vec::new();
        for m in members {
            let p = child(path, &m.key);
            match m.key.as_str() {
                "Sid" => match &m.value.kind {
                    JsonKind::String(s) => sid = Some(s.clone()),
                    _ => self.type_error(&m.value, &p, "a string"),
                },
                "Effect" => effect = self.effect(&m.value, &p),
                "Principal" | "NotPrincipal" => {
                    let Some(value) = self.principals(&m.value, &p) else {
                        continue;
                    };
                    let spec = if m.key == "Principal" {
                        PrincipalSpec::Principal(value)
                    } else {
                        PrincipalSpec::NotPrincipal(value)
                    };
                    if let Some((first, _)) = principal {
                        self.exclusive(m, first, &p);
                    } else {
                        pos.principal = Some(self.pos(m.key_span.start));
                        principal = Some((m, spec));
                    }
                }
                "Action" | "NotAction" => {
                    let Some(values) = self.strings(&m.value, &p, "an action") else {
                        continue;
                    };
                    for (v, span, vp) in &values {
                        self.check_action(v, *span, vp);
                    }
                    let values = values.into_iter().map(|(v, _, _)| v).collect();
                    let spec = if m.key == "Action" {
                        ActionSpec::Action(values)
                    } else {
                        ActionSpec::NotAction(values)
                    };
                    if let Some((first, _)) = action {
                        self.exclusive(m, first, &p);
                    } else {
                        action = Some((m, spec));
                    }
                }
                "Resource" | "NotResource" => {
                    let Some(values) = self.strings(&m.value, &p, "a resource ARN") else {
                        continue;
                    };
                    let typed: Option<Vec<Template>> = values
                        .iter()
                        .map(|(v, span, vp)| self.resource_pattern(v, *span, vp, variables))
                        .collect::<Vec<_>>()
                        .into_iter()
                        .collect();
                    let values = values.into_iter().map(|(v, _, _)| v).collect();
                    let spec = if m.key == "Resource" {
                        ResourceSpec::Resource(values)
                    } else {
                        ResourceSpec::NotResource(values)
                    };
                    if let Some((first, _, _)) = resource {
                        self.exclusive(m, first, &p);
                    } else {
                        resource = Some((m, spec, typed.unwrap_or_default()));
                    }
                }
                _ => condition = self.condition(&m.value, &p, variables),
            }
        }
        // A missing element that a misspelt one stands for is not reported again: the
        // misspelling's "did you mean" already says what to do.
        if effect.is_none()
            && !members_has(json, "Effect")
            && !misspells(json, &STATEMENT_ELEMENTS, &["Effect"])
        {
            self.error(
                json.span,
                path,
                "a statement needs an `Effect` element".into(),
                Some("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`".into()),
            );
        }
        if action.is_none()
            && !members_has(json, "Action")
            && !members_has(json, "NotAction")
            && !misspells(json, &STATEMENT_ELEMENTS, &["Action", "NotAction"])
        {
            self.error(
                json.span,
                path,
                "a statement needs an `Action` or a `NotAction` element".into(),
                Some("add `\"Action\": \"service:ActionName\"`".into()),
            );
        }
        if let Some(sid) = &sid {
            self.sids
                .push((sid.clone(), path.to_string(), pos.statement));
        }
        let (Some(effect), Some((_, action))) = (effect, action) else {
            return None;
        };
        if self.diags.len() > errors_before {
            return None;
        }
        Some(Statement {
            sid,
            effect,
            principal: principal.map(|(_, p)| p),
            action,
            resource_patterns: resource
                .as_ref()
                .map(|(_, _, t)| t.clone())
                .unwrap_or_default(),
            resource: resource.map(|(_, r, _)| r),
            condition,
            pos,
        })
    }

    fn exclusive(&mut self, second: &Member, first: &Member, path: &str) {
        self.error(
            second.key_span,
            path,
            format!(
                "a statement cannot have both `{}` and `{}`",
                first.key, second.key
            ),
            Some(format!("keep one of `{}` and `{}`", first.key, second.key)),
        );
    }

    fn effect(&mut self, json: &Json, path: &str) -> Option<Effect> {
        match &json.kind {
            JsonKind::String(s) if s == "Allow" => Some(Effect::Allow),
            JsonKind::String(s) if s == "Deny" => Some(Effect::Deny),
            JsonKind::String(s) => {
                let help = match suggest::best(s, ["Allow", "Deny"]) {
                    Some(best) => format!("did you mean `{best}`? (`Effect` is case-sensitive)"),
                    None => "`Effect` is `Allow` or `Deny`".into(),
                };
                self.error(json.span, path, format!("unknown effect `{s}`"), Some(help));
                None
            }
            _ => {
                self.type_error(json, path, "`\"Allow\"` or `\"Deny\"`");
                None
            }
        }
    }

    /// A string or a non-empty array of strings.
    fn strings(
        &mut self,
        json: &Json,
        path: &str,
        what: &str,
    ) -> Option<Vec<(String, Span, String)>> {
        let mut out = Vec::new();
        match &json.kind {
            JsonKind::String(s) => {
                if !self.count_values(1, json.span, path) {
                    return None;
                }
                out.push((s.clone(), json.span, path.to_string()))
            }
            JsonKind::Array(items) => {
                if items.is_empty() {
                    self.error(
                        json.span,
                        path,
                        format!("`{}` is an empty list", last_name(path)),
                        Some(format!("list at least one value, such as {what}")),
                    );
                    return None;
                }
                if !self.count_values(items.len(), json.span, path) {
                    return None;
                }
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match &item.kind {
                        JsonKind::String(s) => {
                            out.push((s.clone(), item.span, format!("{path}[{i}]")))
                        }
                        other => {
                            self.error(
                                item.span,
                                &format!("{path}[{i}]"),
                                format!("expected a string ({what}), found {}", other.type_name()),
                                None,
                            );
                            ok = false;
                        }
                    }
                }
                if !ok {
                    return None;
                }
            }
            other => {
                self.error(
                    json.span,
                    path,
                    format!(
                        "`{}` must be a string or an array of strings, found {}",
                        last_name(path),
                        other.type_name()
                    ),
                    None,
                );
                return None;
            }
        }
        for (s, span, item_path) in &out {
            if s.len() > self.limits.max_pattern_len() {
                self.error(
                    *span,
                    item_path,
                    format!(
                        "a value of {} bytes is over the limit of {}",
                        s.len(),
                        self.limits.max_pattern_len()
                    ),
                    Some("the limit is configurable".into()),
                );
                return None;
            }
        }
        Some(out)
    }

    /// Counts `n` more values against the policy's limit; reports the list that goes
    /// over it (once) and returns false from then on.
    fn count_values(&mut self, n: usize, span: Span, path: &str) -> bool {
        let before = self.values;
        self.values = self.values.saturating_add(n);
        if self.values <= self.limits.max_values() {
            return true;
        }
        if before <= self.limits.max_values() {
            self.error(
                span,
                path,
                format!(
                    "the policy has more than {} values (actions, resources, principals and condition values together), over the limit",
                    self.limits.max_values()
                ),
                Some("the limit is configurable".into()),
            );
        }
        false
    }

    fn check_action(&mut self, action: &str, span: Span, path: &str) {
        if action == "*" {
            return;
        }
        let valid = match action.split_once(':') {
            Some((service, name)) => {
                !service.is_empty()
                    && !name.is_empty()
                    && !name.contains(':')
                    && service
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '*' | '?'))
            }
            None => false,
        };
        if !valid {
            self.error(
                span,
                path,
                format!("`{action}` is not an action"),
                Some(
                    "an action is `service:ActionName` (wildcards `*` and `?` allowed), or `*`"
                        .into(),
                ),
            );
        }
    }

    /// Checks a `Resource` value and splits it at its policy variables.
    fn resource_pattern(
        &mut self,
        resource: &str,
        span: Span,
        path: &str,
        variables: bool,
    ) -> Option<Template> {
        let template = if variables {
            match Template::parse(resource) {
                Ok(t) => t,
                Err(e) => {
                    // Point at the `${` itself when the string has no escapes to shift it.
                    let raw = self.src.get(span.start + 1..span.end.saturating_sub(1));
                    let at = if raw == Some(resource) {
                        span.start + 1 + e.offset
                    } else {
                        span.start
                    };
                    self.error(Span { start: at, end: at }, path, e.message, Some(e.help));
                    return None;
                }
            }
        } else {
            Template::text(resource)
        };
        if resource == "*" {
            return Some(template);
        }
        if !resource.starts_with("arn:") || resource.matches(':').count() < 5 {
            // A pattern that cannot be an ARN can never match one; reject it rather than
            // let a statement silently cover nothing.
            self.error(
                span,
                path,
                format!("`{resource}` is not an ARN"),
                Some("a resource is an ARN, `arn:partition:service:region:account:resource` (wildcards allowed), or `*`".into()),
            );
            return None;
        }
        Some(template)
    }

    fn principals(&mut self, json: &Json, path: &str) -> Option<Principals> {
        match &json.kind {
            JsonKind::String(s) if s == "*" => Some(Principals::Any),
            JsonKind::Object(members) => {
                if members.is_empty() {
                    self.error(
                        json.span,
                        path,
                        format!("`{}` is an empty object", last_name(path)),
                        Some("name principals, as in `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`".into()),
                    );
                    return None;
                }
                let names: Vec<&str> = PrincipalType::ALL.iter().map(|t| t.as_str()).collect();
                let members = self.members(members, path, &names, "a principal");
                let mut entries = Vec::new();
                for m in members {
                    let Some(kind) = PrincipalType::ALL.into_iter().find(|t| t.as_str() == m.key)
                    else {
                        continue;
                    };
                    let p = child(path, &m.key);
                    let Some(values) = self.strings(&m.value, &p, "a principal") else {
                        continue;
                    };
                    for (v, span, vp) in &values {
                        self.check_principal(kind, v, *span, vp);
                    }
                    entries.push(PrincipalEntry {
                        kind,
                        values: values.into_iter().map(|(v, _, _)| v).collect(),
                    });
                }
                Some(Principals::Map(entries))
            }
            JsonKind::String(s) => {
                self.error(
                    json.span,
                    path,
                    format!(
                        "`{}` must be `\"*\"` or an object, found the string `{s}`",
                        last_name(path)
                    ),
                    Some(format!(
                        "write `{{\"AWS\": \"{s}\"}}` to name an account or an ARN"
                    )),
                );
                None
            }
            _ => {
                self.type_error(json, path, "`\"*\"` or an object such as `{\"AWS\": ...}`");
                None
            }
        }
    }

    fn check_principal(&mut self, kind: PrincipalType, value: &str, span: Span, path: &str) {
        let problem = match kind {
            PrincipalType::Aws => {
                let account = value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit());
                let unique_id = value.len() >= 16
                    && value.starts_with('A')
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                if value == "*" || account || unique_id {
                    None
                } else if value.starts_with("arn:") {
                    if value.contains('*') || value.contains('?') {
                        Some((
                            format!("wildcards are not allowed in the principal ARN `{value}`"),
                            "AWS matches principal ARNs exactly; use `\"*\"` with an `ArnLike` condition on `aws:PrincipalArn`".to_string(),
                        ))
                    } else if arn::split_arn(value).is_none() {
                        Some((
                            format!("`{value}` is not an ARN"),
                            "an ARN has six parts: `arn:aws:iam::111122223333:user/name`".into(),
                        ))
                    } else {
                        None
                    }
                } else {
                    Some((
                        format!("`{value}` is not an AWS principal"),
                        "use a 12-digit account id, an IAM ARN such as `arn:aws:iam::111122223333:role/name`, or `*`".into(),
                    ))
                }
            }
            PrincipalType::Service | PrincipalType::Federated | PrincipalType::CanonicalUser => {
                if value.is_empty() {
                    Some((
                        "an empty principal names no one".to_string(),
                        "remove it or name a principal".to_string(),
                    ))
                } else {
                    None
                }
            }
        };
        if let Some((message, help)) = problem {
            self.error(span, path, message, Some(help));
        }
    }

    fn condition(&mut self, json: &Json, path: &str, variables: bool) -> Vec<ConditionBlock> {
        let JsonKind::Object(members) = &json.kind else {
            self.type_error(json, path, "an object of operators");
            return Vec::new();
        };
        let mut blocks = Vec::new();
        // First occurrence of each operator name, for duplicates (a map: a hostile block
        // may name thousands).
        let mut seen: HashMap<&str, &Member> = HashMap::new();
        for m in members {
            let p = child(path, &m.key);
            if let Some(first) = seen.get(m.key.as_str()) {
                let first_pos = self.pos(first.key_span.start);
                self.error(
                    m.key_span,
                    &p,
                    format!(
                        "duplicate operator `{}` (first at line {}, column {})",
                        m.key, first_pos.line, first_pos.column
                    ),
                    Some("put every key for one operator in one block; with two blocks only one would take effect".into()),
                );
                continue;
            }
            seen.insert(&m.key, m);
            let operator = match ConditionOperator::parse(&m.key) {
                Ok(op) => op,
                Err(e) => {
                    self.error(m.key_span, &p, e.message, e.help);
                    continue;
                }
            };
            let JsonKind::Object(keys) = &m.value.kind else {
                self.error(
                    m.value.span,
                    &p,
                    format!(
                        "`{}` must be an object of condition keys, found {}",
                        m.key,
                        m.value.kind.type_name()
                    ),
                    Some(format!(
                        "write `\"{}\": {{\"aws:SourceIp\": \"203.0.113.0/24\"}}`",
                        m.key
                    )),
                );
                continue;
            };
            if keys.is_empty() {
                self.error(
                    m.value.span,
                    &p,
                    format!("`{}` tests no condition keys", m.key),
                    Some("name at least one key, or remove the operator".into()),
                );
                continue;
            }
            let mut entries: Vec<ConditionEntry> = Vec::new();
            // Keys compare case-insensitively; first occurrence of each.
            let mut key_members: HashMap<String, &Member> = HashMap::new();
            for k in keys {
                let kp = quoted_child(&p, &k.key);
                let lower = k.key.to_lowercase();
                if let Some(first) = key_members.get(&lower) {
                    let first_pos = self.pos(first.key_span.start);
                    self.error(
                        k.key_span,
                        &kp,
                        format!(
                            "duplicate condition key `{}` (first at line {}, column {}; keys are not case-sensitive)",
                            k.key, first_pos.line, first_pos.column
                        ),
                        Some("list every value of a key in one array".into()),
                    );
                    continue;
                }
                key_members.insert(lower, k);
                if k.key.is_empty() {
                    self.error(k.key_span, &kp, "empty condition key".into(), None);
                    continue;
                }
                if let Some((values, typed)) =
                    self.condition_values(operator, &k.value, &kp, variables)
                {
                    entries.push(ConditionEntry {
                        key: k.key.clone(),
                        values,
                        typed,
                    });
                }
            }
            blocks.push(ConditionBlock { operator, entries });
        }
        blocks
    }

    fn condition_values(
        &mut self,
        operator: ConditionOperator,
        json: &Json,
        path: &str,
        variables: bool,
    ) -> Option<(Vec<ConditionValue>, TypedValues)> {
        let items: Vec<(&Json, String)> = match &json.kind {
            JsonKind::Array(items) => {
                if items.is_empty() {
                    self.error(
                        json.span,
                        path,
                        "empty list of condition values".into(),
                        Some("list at least one value".into()),
                    );
                    return None;
                }
                if !self.count_values(items.len(), json.span, path) {
                    return None;
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (item, format!("{path}[{i}]")))
                    .collect()
            }
            _ => {
                if !self.count_values(1, json.span, path) {
                    return None;
                }
                vec![(json, path.to_string())]
            }
        };
        let mut out = Vec::new();
        let mut typed = TypedValues::empty(operator.op);
        let mut ok = true;
        for (item, p) in items {
            let value = match &item.kind {
                JsonKind::String(s) => ConditionValue::String(s.clone()),
                JsonKind::Number(n) => ConditionValue::Number(n.clone()),
                JsonKind::Bool(b) => ConditionValue::Bool(*b),
                other => {
                    self.error(
                        item.span,
                        &p,
                        format!(
                            "a condition value must be a string, a number or a boolean, found {}",
                            other.type_name()
                        ),
                        None,
                    );
                    ok = false;
                    continue;
                }
            };
            if value.as_text().len() > self.limits.max_pattern_len() {
                self.error(
                    item.span,
                    &p,
                    format!(
                        "a value of {} bytes is over the limit of {}",
                        value.as_text().len(),
                        self.limits.max_pattern_len()
                    ),
                    Some("the limit is configurable".into()),
                );
                ok = false;
                continue;
            }
            match value::read(operator.op, &value, variables) {
                Ok(t) => typed.push(t),
                Err((message, help)) => {
                    self.error(item.span, &p, message, Some(help));
                    ok = false;
                    continue;
                }
            }
            out.push(value);
        }
        ok.then_some((out, typed))
    }
}

fn members_has(json: &Json, key: &str) -> bool {
    matches!(&json.kind, JsonKind::Object(members) if members.iter().any(|m| m.key == key))
}

/// Whether an unknown member of `json` is, by its closest known name, a misspelling of
/// one of `names` (the same suggestion its "did you mean" gives).
fn misspells(json: &Json, known: &[&str], names: &[&str]) -> bool {
    let JsonKind::Object(members) = &json.kind else {
        return false;
    };
    members.iter().any(|m| {
        !known.contains(&m.key.as_str())
            && crate::suggest::best(&m.key, known.iter().copied())
                .is_some_and(|best| names.contains(&best))
    })
}

fn last_name(path: &str) -> &str {
    let tail = path.rsplit('.').next().unwrap_or(path);
    tail.split('[').next().unwrap_or(tail)
}
