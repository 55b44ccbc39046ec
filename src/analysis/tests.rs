//! End-to-end tests of the engine: formulas over slot atoms, decided by the SAT core and
//! the slot theory, against the evaluator's own matchers and against brute force.

use super::budget::{Exhausted, Limits, Unknown};
use super::deps::{parse_date, parse_net, parse_number, ArnPattern, Case, Pattern};
use super::logic::{Formula, Logic};
use super::solve::{Problem, Verdict};
use super::theory::lang::WalkStats;
use super::theory::value::{Automata, Ctx, Decided};
use super::theory::{Cmp, Family, Lang, SlotId, Template, TemplateMode, TemplatePart};
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn glob(s: &str) -> Lang {
    Lang::Pattern(Pattern::new(s, Case::Sensitive))
}
fn lit(s: &str) -> Lang {
    Lang::Pattern(Pattern::literal(s, Case::Sensitive))
}
fn arn(s: &str) -> Lang {
    Lang::Arn(Box::new(ArnPattern::new(s).unwrap()))
}

fn check(p: &Problem, f: Formula) -> Verdict {
    p.check(f, &Limits::default()).0
}

fn sat_value(p: &Problem, f: Formula, s: SlotId) -> String {
    match check(p, f) {
        Verdict::Sat(m) => {
            assert!(m.satisfies(&p.formulas, f));
            m.value(s).unwrap_or_default().to_string()
        }
        other => panic!("expected a model, got {other:?}"),
    }
}

/// The shape of the seed question: a PutObject to `example-bucket/*` with the
/// encryption key present and not `aws:kms`, against a Deny that covers it.
#[test]
fn seed_shape() {
    let mut p = Problem::new();
    let resource = p.slot("resource");
    let sse = p.slot("s3:x-amz-server-side-encryption");
    let present = p.flag();
    let in_bucket = p.is_in(resource, arn("arn:aws:s3:::example-bucket/*"));
    let kms = p.is_in(sse, lit("aws:kms"));
    let not_kms = p.not(kms);
    // The shape: resource in the bucket, key present, value not aws:kms.
    let shape = p.formulas.all([in_bucket, present, not_kms]);
    let value = sat_value(&p, shape, sse);
    assert_ne!(value, "aws:kms");
    let r = sat_value(&p, shape, resource);
    assert!(
        ArnPattern::new("arn:aws:s3:::example-bucket/*")
            .unwrap()
            .matches(&r),
        "{r}"
    );
    // The Deny (`StringNotEquals` with the key present) covers every such request:
    // shape ∧ ¬deny is unsatisfiable.
    let deny = p.formulas.all([present, not_kms]);
    let escapes = p.not(deny);
    let q = p.and(shape, escapes);
    assert_eq!(check(&p, q), Verdict::Unsat);
}

#[test]
fn overlapping_globs() {
    let mut p = Problem::new();
    let r = p.slot("resource");
    let allowed: Vec<Formula> = (0..10)
        .map(|i| p.is_in(r, glob(&format!("arn:aws:s3:::bucket-{i}/*/logs/*"))))
        .collect();
    let secret: Vec<Formula> = (0..10)
        .map(|i| p.is_in(r, glob(&format!("arn:aws:s3:::bucket-{i}/*secret?"))))
        .collect();
    let any_allowed = p.formulas.any(allowed);
    let any_secret = p.formulas.any(secret);
    let no_secret = p.not(any_secret);
    let q = p.and(any_allowed, no_secret);
    let v = sat_value(&p, q, r);
    assert!(v.contains("/logs/") && !v.ends_with("secretx"), "{v}");
    // Every logs object of bucket 3 that ends in `secret?`: still satisfiable.
    let b3 = p.is_in(r, glob("arn:aws:s3:::bucket-3/*/logs/*secret?"));
    let q2 = p.and(b3, any_secret);
    let v = sat_value(&p, q2, r);
    assert!(
        v.starts_with("arn:aws:s3:::bucket-3/") && v.contains("secret"),
        "{v}"
    );
    // Inclusion proof: bucket-3 logs objects are all in the union.
    let b3_logs = p.is_in(r, glob("arn:aws:s3:::bucket-3/x/logs/*"));
    let outside = p.not(any_allowed);
    let q3 = p.and(b3_logs, outside);
    assert_eq!(check(&p, q3), Verdict::Unsat);
}

#[test]
fn numbers_dates_addresses() {
    let n = |s: &str| parse_number(s).unwrap();
    let mut p = Problem::new();
    let x = p.slot("x");
    let gt = p.number(x, Cmp::Gt, n("5"));
    let le = p.number(x, Cmp::Le, n("5.5"));
    let q = p.and(gt, le);
    assert_eq!(sat_value(&p, q, x), "5.1");
    // Not a date as well: epoch seconds would be, so the witness takes an exponent.
    let date = p.reads(x, Family::Date);
    let not_date = p.not(date);
    let q2 = p.formulas.all([gt, not_date]);
    let v = sat_value(&p, q2, x);
    assert!(
        parse_number(&v).unwrap() > n("5") && parse_date(&v).is_none(),
        "{v}"
    );
    // A number that is also a date: epoch seconds.
    let before = p.date(x, Cmp::Lt, parse_date("1970-01-02").unwrap());
    let q3 = p.formulas.all([gt, before]);
    let v = sat_value(&p, q3, x);
    assert!(
        parse_number(&v).is_some() && parse_date(&v).is_some(),
        "{v}"
    );
    // Positive comparison without readability: a conflict.
    let num = p.reads(x, Family::Number);
    let not_num = p.not(num);
    let q4 = p.and(gt, not_num);
    assert_eq!(check(&p, q4), Verdict::Unsat);
    // Numbers are never addresses.
    let ip = p.reads(x, Family::Ip);
    let q5 = p.and(num, ip);
    assert_eq!(check(&p, q5), Verdict::Unsat);
    // Addresses.
    let y = p.slot("y");
    let inside = p.in_net(y, parse_net("10.0.0.0/8").unwrap());
    let hole = p.in_net(y, parse_net("10.0.0.0/9").unwrap());
    let no_hole = p.not(hole);
    let q6 = p.and(inside, no_hole);
    assert_eq!(sat_value(&p, q6, y), "10.128.0.0");
    // Unreadable values: neither a number nor an address nor an ARN.
    let arn_r = p.reads(y, Family::Arn);
    let y_num = p.reads(y, Family::Number);
    let y_ip = p.reads(y, Family::Ip);
    let none = p.formulas.any([y_num, y_ip, arn_r]);
    let q7 = p.not(none);
    let v = sat_value(&p, q7, y);
    assert!(parse_number(&v).is_none() && !Family::Ip.reads(&v) && !Family::Arn.reads(&v));
}

#[test]
fn mixed_text_and_number() {
    let mut p = Problem::new();
    let x = p.slot("x");
    let starts = p.is_in(x, glob("1*"));
    let gt = p.number(x, Cmp::Gt, parse_number("5").unwrap());
    let q = p.and(starts, gt);
    let v = sat_value(&p, q, x);
    assert!(
        v.starts_with('1') && parse_number(&v).unwrap() > parse_number("5").unwrap(),
        "{v}"
    );
    // Text that no number can be: inconsistent, from the superset alone.
    let letters = p.is_in(x, glob("a*"));
    let q2 = p.and(letters, gt);
    assert_eq!(check(&p, q2), Verdict::Unsat);
}

#[test]
fn bool_binary_and_arn_readability() {
    let mut p = Problem::new();
    let x = p.slot("x");
    let t = p.is_in(x, Lang::Bool(true));
    let b64 = p.reads(x, Family::Base64);
    let not_b64 = p.not(b64);
    // `true` spelled in four letters is valid base64, so a true that is not base64
    // is impossible.
    let q = p.and(t, not_b64);
    assert_eq!(check(&p, q), Verdict::Unsat);
    let q2 = p.and(t, b64);
    let v = sat_value(&p, q2, x);
    assert!(v.eq_ignore_ascii_case("true"));
    let bin = p.is_in(x, Lang::Binary(b"hi".to_vec()));
    let v = sat_value(&p, bin, x);
    assert!(v == "aGk=" || v == "aGk", "{v}");
    let a = p.reads(x, Family::Arn);
    let not_arn_glob = p.is_in(x, glob("arn:*"));
    let na = p.not(a);
    let q3 = p.and(not_arn_glob, na);
    let v = sat_value(&p, q3, x);
    assert!(v.starts_with("arn:") && !Family::Arn.reads(&v), "{v}");
}

#[test]
fn equality_and_disequality() {
    let mut p = Problem::new();
    let a = p.slot("a");
    let b = p.slot("b");
    let c = p.slot("c");
    let eq = p.equal(a, b);
    let ax = p.is_in(a, glob("x*"));
    let by = p.is_in(b, glob("*y"));
    let q = p.formulas.all([eq, ax, by]);
    let v = sat_value(&p, q, a);
    assert_eq!(v, "xy");
    assert_eq!(sat_value(&p, q, b), "xy");
    // Both pinned to the same literal and required to differ.
    let ak = p.is_in(a, lit("k"));
    let bk = p.is_in(b, lit("k"));
    let ne = p.not(eq);
    let q2 = p.formulas.all([ak, bk, ne]);
    assert_eq!(check(&p, q2), Verdict::Unsat);
    // Three slots pairwise different, two of them from a two-string language.
    let two = glob("?");
    let a1 = p.is_in(a, two.clone());
    let b1 = p.is_in(b, two.clone());
    let c1 = p.is_in(c, lit("x"));
    let ac = p.equal(a, c);
    let bc = p.equal(b, c);
    let nac = p.not(ac);
    let nbc = p.not(bc);
    let q3 = p.formulas.all([a1, b1, c1, ne, nac, nbc]);
    match check(&p, q3) {
        Verdict::Sat(m) => {
            let (va, vb, vc) = (
                m.value(a).unwrap(),
                m.value(b).unwrap(),
                m.value(c).unwrap(),
            );
            assert!(va != vb && va != vc && vb != vc, "{va} {vb} {vc}");
        }
        other => panic!("{other:?}"),
    }
    // Transitivity: a = b, b = c, a ≠ c.
    let q4 = p.formulas.all([eq, bc, nac]);
    assert_eq!(check(&p, q4), Verdict::Unsat);
}

#[test]
fn templates() {
    let mut p = Problem::new();
    let prefix = p.slot("s3:prefix");
    let user = p.slot("aws:username");
    let home = Template {
        mode: TemplateMode::Like,
        parts: vec![
            TemplatePart::Text("home/".into()),
            TemplatePart::Var(user),
            TemplatePart::Text("/*".into()),
        ],
    };
    let t = p.template(prefix, home.clone());
    let alice = p.is_in(user, lit("alice"));
    let q = p.and(t, alice);
    assert_eq!(sat_value(&p, q, prefix), "home/alice/");
    // A prefix of someone else's home.
    let bob = p.is_in(prefix, glob("home/bob/*"));
    let q2 = p.formulas.all([t, alice, bob]);
    assert_eq!(check(&p, q2), Verdict::Unsat);
    // The variable's value is literal: a user named `*` does not match everything.
    let star = p.is_in(user, lit("*"));
    let other = p.is_in(prefix, lit("home/x/y"));
    let q3 = p.formulas.all([t, star, other]);
    assert_eq!(check(&p, q3), Verdict::Unsat);
    // Case-insensitive copy: `StringEqualsIgnoreCase` with `${aws:username}`.
    let tag = p.slot("aws:ResourceTag/owner");
    let ci = Template {
        mode: TemplateMode::Equals(Case::Insensitive),
        parts: vec![TemplatePart::Var(user)],
    };
    let t2 = p.template(tag, ci);
    let tag_lower = p.is_in(tag, lit("bob"));
    let user_upper = p.is_in(user, lit("Bob"));
    let q4 = p.formulas.all([t2, tag_lower, user_upper]);
    let v = sat_value(&p, q4, tag);
    assert_eq!(v, "bob");
    // ARN template: the account component cannot take a colon.
    let acct = p.slot("aws:PrincipalAccount");
    let principal = p.slot("aws:PrincipalArn");
    let root = Template {
        mode: TemplateMode::Arn,
        parts: vec![
            TemplatePart::Text("arn:aws:iam::".into()),
            TemplatePart::Var(acct),
            TemplatePart::Text(":root".into()),
        ],
    };
    let t3 = p.template(principal, root);
    let colon = p.is_in(acct, glob("*:*"));
    let q5 = p.and(t3, colon);
    assert_eq!(check(&p, q5), Verdict::Unsat);
    let digits = p.is_in(acct, lit("111122223333"));
    let q6 = p.and(t3, digits);
    assert_eq!(
        sat_value(&p, q6, principal),
        "arn:aws:iam::111122223333:root"
    );
    // A negated template is outside the exact fragment, but a checked witness is fine.
    let nt = p.not(t);
    let q7 = p.formulas.all([nt, alice]);
    let v = sat_value(&p, q7, prefix);
    assert!(!v.starts_with("home/alice/"), "{v}");
}

/// `*a` followed by 16 `?` on both sides: the exact answer (empty) needs 2^17 state
/// sets; the engine must stop at its budget with Unknown, within the deadline.
#[test]
fn adversarial_pattern_gives_unknown_within_deadline() {
    let mut p = Problem::new();
    let x = p.slot("x");
    let pat = format!("*a{}", "?".repeat(16));
    let a = p.is_in(x, glob(&pat));
    let b = p.is_in(x, Lang::Pattern(Pattern::new(&pat, Case::Insensitive)));
    let nb = p.not(b);
    let q = p.and(a, nb);
    let start = Instant::now();
    let limits = Limits {
        deadline: Some(start + Duration::from_secs(1)),
        ..Limits::default()
    };
    let (v, stats) = p.check(q, &limits);
    assert!(
        matches!(
            v,
            Verdict::Unknown(Unknown::Budget(Exhausted::States | Exhausted::Deadline))
        ),
        "{v:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(stats.theory.walk.states <= limits.max_states + 1);
}

#[test]
fn deterministic() {
    let build = || {
        let mut p = Problem::new();
        let slots: Vec<SlotId> = (0..3).map(|i| p.slot(format!("s{i}"))).collect();
        let mut parts = Vec::new();
        for (i, &s) in slots.iter().enumerate() {
            let a = p.is_in(s, glob(&format!("*{i}?")));
            let b = p.is_in(s, glob("a*"));
            let nb = p.not(b);
            let c = p.or(a, nb);
            parts.push(c);
        }
        let e = p.equal(slots[0], slots[1]);
        let ne = p.not(e);
        parts.push(ne);
        let q = p.formulas.all(parts);
        (p, q, slots)
    };
    let (p1, q1, s1) = build();
    let (p2, q2, _) = build();
    let v1 = check(&p1, q1);
    let v2 = check(&p2, q2);
    assert_eq!(v1, v2);
    assert!(matches!(v1, Verdict::Sat(_)));
    if let Verdict::Sat(m) = v1 {
        assert_ne!(m.value(s1[0]), m.value(s1[1]));
    }
}

/// Random formulas over a few string atoms of two slots and an equality, against brute
/// force over every pair of short strings.
mod brute_force {
    use super::*;

    #[derive(Debug, Clone)]
    enum F {
        Atom(usize),
        Not(Box<F>),
        And(Box<F>, Box<F>),
        Or(Box<F>, Box<F>),
    }

    fn formula(atoms: usize) -> impl Strategy<Value = F> {
        let leaf = (0..atoms).prop_map(F::Atom);
        leaf.prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|f| F::Not(Box::new(f))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| F::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| F::Or(Box::new(a), Box::new(b))),
            ]
        })
    }

    fn eval(f: &F, atoms: &[bool]) -> bool {
        match f {
            F::Atom(i) => atoms[*i],
            F::Not(a) => !eval(a, atoms),
            F::And(a, b) => eval(a, atoms) && eval(b, atoms),
            F::Or(a, b) => eval(a, atoms) || eval(b, atoms),
        }
    }

    fn build<L: Logic>(l: &mut L, f: &F, atoms: &[L::B]) -> L::B {
        match f {
            F::Atom(i) => atoms[*i].clone(),
            F::Not(a) => {
                let x = build(l, a, atoms);
                l.not(x)
            }
            F::And(a, b) => {
                let (x, y) = (build(l, a, atoms), build(l, b, atoms));
                l.and(x, y)
            }
            F::Or(a, b) => {
                let (x, y) = (build(l, a, atoms), build(l, b, atoms));
                l.or(x, y)
            }
        }
    }

    fn pattern() -> impl Strategy<Value = (String, bool)> {
        (
            prop::collection::vec(prop::sample::select(&['a', 'b', '*', '?'][..]), 0..=3)
                .prop_map(|v| v.into_iter().collect::<String>()),
            any::<bool>(),
        )
    }

    fn strings() -> Vec<String> {
        let mut all = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..4 {
            layer = layer
                .iter()
                .flat_map(|s| ['a', 'b', 'x'].map(|c| format!("{s}{c}")))
                .collect();
            all.extend(layer.iter().cloned());
        }
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn engine_agrees_with_brute_force(
            specs in prop::collection::vec((pattern(), any::<bool>()), 1..5),
            f in formula(5),
        ) {
            // Atoms 0..n: slot (second flag) in pattern; atom n: the two slots equal.
            let mut p = Problem::new();
            let s = [p.slot("s"), p.slot("t")];
            let langs: Vec<Pattern> = specs.iter().map(|((pat, case), _)| {
                Pattern::new(pat, if *case { Case::Insensitive } else { Case::Sensitive })
            }).collect();
            let mut atoms: Vec<Formula> = specs.iter().zip(&langs).map(|((_, which), l)| {
                p.is_in(s[usize::from(*which)], Lang::Pattern(l.clone()))
            }).collect();
            atoms.push(p.equal(s[0], s[1]));
            let n = atoms.len();
            let f = F::And(Box::new(f), Box::new(F::Atom(0)));
            let fixed: Vec<Formula> = (0..5).map(|i| atoms[i % n]).collect();
            let root = build(&mut p, &f, &fixed);
            let truth = |x: &str, y: &str| -> Vec<bool> {
                let mut v: Vec<bool> = specs.iter().zip(&langs).map(|((_, which), l)| {
                    l.matches(if *which { y } else { x })
                }).collect();
                v.push(x == y);
                (0..5).map(|i| v[i % n]).collect()
            };
            let all = strings();
            let brute = all.iter().any(|x| all.iter().any(|y| eval(&f, &truth(x, y))));
            match check(&p, root) {
                Verdict::Sat(m) => {
                    let (x, y) = (m.value(s[0]).unwrap_or(""), m.value(s[1]).unwrap_or(""));
                    prop_assert!(eval(&f, &truth(x, y)), "model {:?} {:?} fails", x, y);
                }
                Verdict::Unsat => prop_assert!(!brute, "brute force found a model"),
                Verdict::Unknown(u) => prop_assert!(false, "unknown: {}", u),
            }
        }

        /// Conflict cores are inconsistent on their own: no short string satisfies them.
        #[test]
        fn cores_are_inconsistent(
            specs in prop::collection::vec((pattern(), any::<bool>()), 1..6),
            nums in prop::collection::vec((prop::sample::select(&[Cmp::Lt, Cmp::Gt, Cmp::Eq][..]), 0i32..3, any::<bool>()), 0..3),
            read in prop::option::of(any::<bool>()),
        ) {
            let mut p = Problem::new();
            let x = p.slot("x");
            let mut lits = Vec::new();
            for ((pat, case), holds) in &specs {
                let l = Lang::Pattern(Pattern::new(pat, if *case { Case::Insensitive } else { Case::Sensitive }));
                let id = p.atoms.lang(l);
                lits.push((p.atoms.intern(super::super::theory::Atom::In { slot: x, lang: id }), *holds));
            }
            for (cmp, v, holds) in &nums {
                let value = parse_number(&v.to_string()).unwrap();
                lits.push((p.atoms.intern(super::super::theory::Atom::Num { slot: x, cmp: *cmp, value }), *holds));
            }
            if let Some(r) = read {
                lits.push((p.atoms.intern(super::super::theory::Atom::Reads { slot: x, family: Family::Number }), r));
            }
            lits.sort();
            lits.dedup_by_key(|l| l.0);
            let automata = Automata::new(&p.atoms);
            let limits = Limits::default();
            let mut stats = WalkStats::default();
            let mut ctx = Ctx { atoms: &p.atoms, automata: &automata, limits: &limits, stats: &mut stats };
            let mut candidates: Vec<String> = strings();
            candidates.extend(["0", "1", "2", "3", "-1", "0.5", "1.5", "2.5", "1e0", "a1", "12"].map(String::from));
            match ctx.decide(&lits, &[]) {
                Decided::Sat(w) => prop_assert!(ctx.check(&w, &lits, &[])),
                Decided::Unsat(core) => {
                    let core = ctx.minimize(&lits, core);
                    let sub: Vec<_> = core.iter().map(|&i| lits[i]).collect();
                    for c in &candidates {
                        prop_assert!(!ctx.check(c, &sub, &[]), "{:?} satisfies the core {:?}", c, sub);
                    }
                }
                Decided::Unknown(u) => {
                    // Only mixed text-and-number slots may be unknown.
                    prop_assert!(matches!(u, Unknown::Unsupported(_)), "{}", u);
                }
            }
        }
    }
}

/// The exact fragment of one slot: a value family (numbers, dates or addresses) with
/// any comparisons, and the other families' readability denied or left open. Never
/// unknown; every witness and every core is checked with the evaluator.
mod fragment {
    use super::super::theory::Atom;
    use super::*;

    fn read_atoms() -> impl Strategy<Value = Vec<(Family, Option<bool>)>> {
        prop::collection::vec(prop::option::of(Just(false)), Family::ALL.len())
            .prop_map(|v| Family::ALL.iter().copied().zip(v).collect())
    }

    #[derive(Debug, Clone)]
    enum Value {
        Num(Cmp, i64, bool),
        Date(Cmp, i64, bool),
        Ip(u8, u8, bool),
    }

    fn values() -> impl Strategy<Value = (u8, Vec<Value>)> {
        let cmp = prop::sample::select(&[Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge, Cmp::Eq][..]);
        (0u8..3).prop_flat_map(move |family| {
            let one = match family {
                0 => (cmp.clone(), -3i64..4, any::<bool>())
                    .prop_map(|(c, v, h)| Value::Num(c, v, h))
                    .boxed(),
                1 => (cmp.clone(), -3i64..4, any::<bool>())
                    .prop_map(|(c, v, h)| Value::Date(c, v, h))
                    .boxed(),
                _ => (0u8..4, 29u8..=32, any::<bool>())
                    .prop_map(|(x, p, h)| Value::Ip(x, p, h))
                    .boxed(),
            };
            (Just(family), prop::collection::vec(one, 0..4))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn single_family_is_exact((family, vals) in values(), reads in read_atoms(), force_read: bool) {
            let mut p = Problem::new();
            let x = p.slot("x");
            let own = [Family::Number, Family::Date, Family::Ip][usize::from(family)];
            let mut lits = Vec::new();
            for v in &vals {
                let (atom, holds) = match *v {
                    Value::Num(cmp, c, h) => (Atom::Num { slot: x, cmp, value: parse_number(&c.to_string()).unwrap() }, h),
                    Value::Date(cmp, c, h) => (Atom::Date { slot: x, cmp, value: parse_date(&(c * 86_400).to_string()).unwrap() }, h),
                    Value::Ip(o, pre, h) => (Atom::Ip { slot: x, net: parse_net(&format!("10.0.0.{o}/{pre}")).unwrap() }, h),
                };
                lits.push((p.atoms.intern(atom), holds));
            }
            for (f, r) in reads {
                let r = if f == own { force_read.then_some(true) } else { r };
                if let Some(r) = r {
                    lits.push((p.atoms.intern(Atom::Reads { slot: x, family: f }), r));
                }
            }
            lits.sort();
            lits.dedup_by_key(|l| l.0);
            let automata = Automata::new(&p.atoms);
            let limits = Limits::default();
            let mut stats = WalkStats::default();
            let mut ctx = Ctx { atoms: &p.atoms, automata: &automata, limits: &limits, stats: &mut stats };
            match ctx.decide(&lits, &[]) {
                Decided::Sat(w) => prop_assert!(ctx.check(&w, &lits, &[]), "{:?}", w),
                Decided::Unsat(core) => {
                    let core = ctx.minimize(&lits, core);
                    let sub: Vec<_> = core.iter().map(|&i| lits[i]).collect();
                    let mut probes: Vec<String> = (-40..=40).map(|t| format!("{}", t as f64 / 8.0)).collect();
                    probes.extend((-5..=5).map(|d: i64| (d * 86_400 - 1).to_string()));
                    probes.extend((0..8).map(|o| format!("10.0.0.{o}")));
                    probes.extend(["", "x", "1.0e0", "1970-01-01T00:00:00Z", "::1", "0.5e0"].map(String::from));
                    for c in &probes {
                        prop_assert!(!ctx.check(c, &sub, &[]), "{:?} satisfies the core {:?}", c, sub);
                    }
                }
                Decided::Unknown(u) => prop_assert!(false, "unknown inside the fragment: {}", u),
            }
        }

        /// String languages with ARN, boolean and base64 readability: never unknown.
        #[test]
        fn regular_families_are_exact(
            pats in prop::collection::vec((prop::sample::select(&["*", "?", "a*", "t*", "*=", "arn:*", "arn:a:b:c:d:*", "true", "QQ==", "????"][..]), any::<bool>()), 0..4),
            reads in prop::collection::vec((prop::sample::select(&[Family::Arn, Family::Bool, Family::Base64][..]), any::<bool>()), 0..3),
            bools in prop::option::of((any::<bool>(), any::<bool>())),
        ) {
            let mut p = Problem::new();
            let x = p.slot("x");
            let mut lits = Vec::new();
            for (pat, h) in &pats {
                let id = p.atoms.lang(Lang::Pattern(Pattern::new(pat, Case::Sensitive)));
                lits.push((p.atoms.intern(Atom::In { slot: x, lang: id }), *h));
            }
            for (f, h) in &reads {
                lits.push((p.atoms.intern(Atom::Reads { slot: x, family: *f }), *h));
            }
            if let Some((b, h)) = bools {
                let id = p.atoms.lang(Lang::Bool(b));
                lits.push((p.atoms.intern(Atom::In { slot: x, lang: id }), h));
            }
            lits.sort();
            lits.dedup_by_key(|l| l.0);
            let automata = Automata::new(&p.atoms);
            let limits = Limits::default();
            let mut stats = WalkStats::default();
            let mut ctx = Ctx { atoms: &p.atoms, automata: &automata, limits: &limits, stats: &mut stats };
            match ctx.decide(&lits, &[]) {
                Decided::Sat(w) => prop_assert!(ctx.check(&w, &lits, &[])),
                Decided::Unsat(core) => {
                    let core = ctx.minimize(&lits, core);
                    let sub: Vec<_> = core.iter().map(|&i| lits[i]).collect();
                    for c in ["", "x", "a", "t", "true", "TRUE", "false", "QQ==", "QQ", "AAAA", "arn:a:b:c:d:e", "arn:::::", "=", "tt="] {
                        prop_assert!(!ctx.check(c, &sub, &[]), "{:?} satisfies the core {:?}", c, sub);
                    }
                }
                Decided::Unknown(u) => prop_assert!(false, "unknown inside the fragment: {}", u),
            }
        }
    }
}

/// Templates in the exact fragment (one asserted template, its variable a plain string
/// slot) against a search over the variable's value: for each short value, the resolved
/// template is an ordinary pattern, decided by the (separately tested) walk.
mod template_search {
    use super::super::theory::lang::{walk, Nfa, WalkResult};
    use super::*;

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(&['a', 'b', 'A', '*', '?'][..]), 0..=2)
            .prop_map(|v| v.into_iter().collect())
    }

    /// Constraints on the slots: often a single letter, so that the case of the copy
    /// matters.
    fn constraint() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(&["a", "A", "b", "a*", "*A"][..]).prop_map(String::from),
            text(),
        ]
    }

    fn mode() -> impl Strategy<Value = TemplateMode> {
        prop_oneof![
            Just(TemplateMode::Like),
            Just(TemplateMode::Equals(Case::Sensitive)),
            Just(TemplateMode::Equals(Case::Insensitive)),
        ]
    }

    fn values() -> Vec<String> {
        let mut all = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..3 {
            layer = layer
                .iter()
                .flat_map(|s| ['a', 'b', 'A', '*', 'x'].map(|c| format!("{s}{c}")))
                .collect();
            all.extend(layer.iter().cloned());
        }
        all
    }

    /// Decides one template question with the engine and by the search; an error
    /// says how they disagree.
    fn case(
        pre: &str,
        post: &str,
        mode: TemplateMode,
        owner: Option<(&str, bool, bool)>,
        var: Option<(&str, bool)>,
    ) -> Result<(), String> {
        let mut p = Problem::new();
        let r = p.slot("r");
        let u = p.slot("u");
        let t = Template {
            mode,
            parts: vec![
                TemplatePart::Text(pre.to_string()),
                TemplatePart::Var(u),
                TemplatePart::Text(post.to_string()),
            ],
        };
        let mut parts = vec![p.template(r, t.clone())];
        let owner_pat = owner.map(|(s, ci, _)| {
            Pattern::new(
                s,
                if ci {
                    Case::Insensitive
                } else {
                    Case::Sensitive
                },
            )
        });
        if let (Some(pat), Some((_, _, holds))) = (&owner_pat, owner) {
            let a = p.is_in(r, Lang::Pattern(pat.clone()));
            parts.push(if holds { a } else { p.not(a) });
        }
        let var_pat = var.map(|(s, _)| Pattern::new(s, Case::Sensitive));
        if let (Some(pat), Some((_, holds))) = (&var_pat, var) {
            let a = p.is_in(u, Lang::Pattern(pat.clone()));
            parts.push(if holds { a } else { p.not(a) });
        }
        let root = p.formulas.all(parts);
        let verdict = check(&p, root);
        // Search: a value of `u` meeting its own literal, and an `r` in the resolved
        // template meeting the owner's literal.
        let found = values().into_iter().any(|v| {
            if let (Some(pat), Some((_, holds))) = (&var_pat, var) {
                if pat.matches(&v) != holds {
                    return false;
                }
            }
            let Some(Lang::Pattern(resolved)) = t.resolve(&mut |_| v.clone()) else {
                return false;
            };
            let res = Nfa::pattern(&resolved);
            let own = owner_pat.as_ref().map(Nfa::pattern);
            let (pos, neg): (Vec<&Nfa>, Vec<&Nfa>) = match (&own, owner) {
                (Some(o), Some((_, _, true))) => (vec![&res, o], vec![]),
                (Some(o), Some((_, _, false))) => (vec![&res], vec![o]),
                _ => (vec![&res], vec![]),
            };
            matches!(
                walk(&pos, &neg, &Limits::default(), &mut WalkStats::default()),
                WalkResult::Witness(_)
            )
        });
        match verdict {
            Verdict::Sat(m) => {
                let (rv, uv) = (m.value(r).unwrap_or(""), m.value(u).unwrap_or(""));
                let resolved = t.resolve(&mut |_| uv.to_string()).unwrap();
                if resolved.contains(rv) {
                    Ok(())
                } else {
                    Err(format!("{rv:?} not in {t:?} resolved with {uv:?}"))
                }
            }
            Verdict::Unsat if found => Err("unsat, but the search found values".into()),
            Verdict::Unsat => Ok(()),
            Verdict::Unknown(e) => Err(format!("unknown in the fragment: {e}")),
        }
    }

    /// The case of the copied characters: every pairing of a lowercase and an
    /// uppercase requirement, in each mode.
    #[test]
    fn copy_case_table() {
        for mode in [
            TemplateMode::Like,
            TemplateMode::Equals(Case::Sensitive),
            TemplateMode::Equals(Case::Insensitive),
        ] {
            for o in ["a", "A", "b", "a*"] {
                for v in ["a", "A", "*A"] {
                    for (oh, vh) in [(true, true), (true, false), (false, true)] {
                        let got = case("", "", mode, Some((o, false, oh)), Some((v, vh)));
                        assert_eq!(got, Ok(()), "{mode:?} owner {o} {oh} var {v} {vh}");
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        #[test]
        fn joint_walk_is_exact(
            pre in text(),
            post in text(),
            mode in mode(),
            owner in prop::option::of((constraint(), any::<bool>(), any::<bool>())),
            var in prop::option::of((constraint(), any::<bool>())),
        ) {
            let owner = owner.as_ref().map(|(s, ci, h)| (s.as_str(), *ci, *h));
            let var = var.as_ref().map(|(s, h)| (s.as_str(), *h));
            if let Err(e) = case(&pre, &post, mode, owner, var) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}

#[test]
fn template_with_two_variables() {
    let mut p = Problem::new();
    let r = p.slot("resource");
    let acct = p.slot("aws:PrincipalAccount");
    let user = p.slot("aws:username");
    let t = Template {
        mode: TemplateMode::Arn,
        parts: vec![
            TemplatePart::Text("arn:aws:s3:::bucket-".into()),
            TemplatePart::Var(acct),
            TemplatePart::Text("/home/".into()),
            TemplatePart::Var(user),
            TemplatePart::Text("/*".into()),
        ],
    };
    let f = p.template(r, t);
    let a = p.is_in(acct, glob("1?"));
    let u = p.is_in(user, glob("a*"));
    let not_under = p.is_in(r, glob("*/home/ab/*"));
    let q = p.formulas.all([f, a, u, not_under]);
    let v = sat_value(&p, q, r);
    assert!(
        v.starts_with("arn:aws:s3:::bucket-1") && v.contains("/home/ab/"),
        "{v}"
    );
    // Both variables pinned, and the resource elsewhere: inconsistent.
    let elsewhere = p.is_in(r, glob("arn:aws:s3:::other/*"));
    let q2 = p.formulas.all([f, a, u, elsewhere]);
    assert_eq!(check(&p, q2), Verdict::Unsat);
}
