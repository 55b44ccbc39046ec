//! Writing a policy back to JSON.
//!
//! Hand-written rather than serde: numbers keep the literal text the author wrote (serde
//! would round `10.50` through a float), and the layout is stable for diffs.

use super::ast::*;
use std::fmt::Write;

pub(super) fn to_json(p: &Policy) -> String {
    let mut out = String::from("{\n");
    if let Some(v) = p.version {
        let _ = writeln!(out, "  \"Version\": {},", string(v.as_str()));
    }
    if let Some(id) = &p.id {
        let _ = writeln!(out, "  \"Id\": {},", string(id));
    }
    out.push_str("  \"Statement\": [");
    for (i, s) in p.statements.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        statement(&mut out, s);
    }
    out.push_str(if p.statements.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    out
}

fn string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn strings(values: &[String]) -> String {
    match values {
        [one] => string(one),
        many => format!(
            "[{}]",
            many.iter()
                .map(|v| string(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn statement(out: &mut String, s: &Statement) {
    let mut fields: Vec<String> = Vec::new();
    if let Some(sid) = &s.sid {
        fields.push(format!("\"Sid\": {}", string(sid)));
    }
    fields.push(format!("\"Effect\": {}", string(s.effect.as_str())));
    if let Some(p) = &s.principal {
        let (name, value) = match p {
            PrincipalSpec::Principal(v) => ("Principal", v),
            PrincipalSpec::NotPrincipal(v) => ("NotPrincipal", v),
        };
        let text = match value {
            Principals::Any => "\"*\"".to_string(),
            Principals::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|e| format!("{}: {}", string(e.kind.as_str()), strings(&e.values)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        fields.push(format!("\"{name}\": {text}"));
    }
    let (name, values) = match &s.action {
        ActionSpec::Action(v) => ("Action", v),
        ActionSpec::NotAction(v) => ("NotAction", v),
    };
    fields.push(format!("\"{name}\": {}", strings(values)));
    if let Some(r) = &s.resource {
        let (name, values) = match r {
            ResourceSpec::Resource(v) => ("Resource", v),
            ResourceSpec::NotResource(v) => ("NotResource", v),
        };
        fields.push(format!("\"{name}\": {}", strings(values)));
    }
    if !s.condition.is_empty() {
        let blocks: Vec<String> = s
            .condition
            .iter()
            .map(|b| {
                let entries: Vec<String> = b
                    .entries
                    .iter()
                    .map(|e| {
                        let values: Vec<String> = e.values.iter().map(value).collect();
                        let v = match values.as_slice() {
                            [one] => one.clone(),
                            many => format!("[{}]", many.join(", ")),
                        };
                        format!("{}: {v}", string(&e.key))
                    })
                    .collect();
                format!(
                    "{}: {{{}}}",
                    string(&b.operator.to_string()),
                    entries.join(", ")
                )
            })
            .collect();
        fields.push(format!("\"Condition\": {{{}}}", blocks.join(", ")));
    }
    let _ = write!(out, "    {{\n      {}\n    }}", fields.join(",\n      "));
}

fn value(v: &ConditionValue) -> String {
    match v {
        ConditionValue::String(s) => string(s),
        ConditionValue::Number(n) => n.clone(),
        ConditionValue::Bool(b) => b.to_string(),
    }
}
