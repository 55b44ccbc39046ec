//! Substituting a request's values into policy variables.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>

use super::{Ctx, ProblemKind, Tracer};
use crate::pattern::Part;
use crate::template::{Template, TemplatePart};

/// The template's pieces with every variable replaced by the request's value (literal
/// text: a `*` in a tag value is not a wildcard). `None` when a variable has no value
/// and no default, or names a multivalued key: then the value it is in matches nothing,
/// and the problem is reported.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value>
pub(super) fn resolve<'a, T: Tracer<'a>>(
    template: &'a Template,
    ctx: &mut Ctx<'a, '_, T>,
) -> Option<Vec<Part<'a>>> {
    let mut out = Vec::with_capacity(template.parts().len());
    let mut ok = true;
    for p in template.parts() {
        match p {
            TemplatePart::Text(t) => out.push(Part::Wild(t)),
            TemplatePart::Literal(l) => out.push(Part::Literal(l)),
            TemplatePart::Var(var) => match ctx
                .request
                .context()
                .get_lower(&var.lower, var.hash)
                .map(|(v, _)| v.single())
            {
                Some(Some(v)) => out.push(Part::Literal(v)),
                // Multivalued keys cannot be policy variables; the value matches nothing.
                // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
                Some(None) => {
                    ctx.problem(ProblemKind::MultivaluedVariable, &var.key, "");
                    ok = false;
                }
                None => match &var.default {
                    Some(d) => out.push(Part::Literal(d)),
                    None => {
                        ctx.problem(ProblemKind::VariableWithoutValue, &var.key, "");
                        ok = false;
                    }
                },
            },
        }
    }
    ok.then_some(out)
}
