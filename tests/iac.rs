//! Reading policies out of Terraform plans and CloudFormation templates.
#[test]
fn dump() {
    let x = iam_eval::iac::read_path(std::env::var("F").unwrap(), &iam_eval::iac::Options::new())
        .unwrap();
    for f in &x.found {
        println!(
            "{} {:?} {:?} trust={:?} to={:?} pos={:?} origin={:?}\n  unres={:?}\n  probs={:?}",
            f.id(),
            f.kind,
            f.name,
            f.trust_policy_of,
            f.attached_to,
            f.position,
            f.origin,
            f.unresolved
                .iter()
                .map(|u| (&u.path, &u.what, u.cause))
                .collect::<Vec<_>>(),
            f.problems
        );
        if std::env::var("J").is_ok() {
            println!("{}", f.policy_json);
        }
    }
    println!("skipped {:?}\nproblems {:?}", x.skipped, x.problems);
    for (p, _) in x.principals() {
        println!(
            "{:?}",
            x.in_force_for(p.as_str()).map(|i| (
                i.principal.to_string(),
                i.identity.iter().map(|f| f.id()).collect::<Vec<_>>(),
                i.external,
                i.boundary.map(|b| match b {
                    iam_eval::iac::PolicyRef::Found(f) => f.id(),
                    iam_eval::iac::PolicyRef::Arn(a) => a.to_string(),
                    _ => String::new(),
                }),
                i.trust_policy.map(|t| t.id()),
                i.unresolved
                    .iter()
                    .map(|u| (&u.path, &u.what))
                    .collect::<Vec<_>>()
            ))
        );
    }
}
