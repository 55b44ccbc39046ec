//! The theories: what the atoms of a formula mean, and whether an assignment of them can
//! come true.
//!
//! A *slot* is one string the request supplies: the action, the resource, the value of a
//! context key, or one element of a multivalued key (see [`super::multi`]). Every atom
//! speaks about slots ([`Atom`]); the slot theory ([`slots::SlotTheory`]) groups an
//! assignment's atoms by slot, merges slots that must be equal, and asks, for each group,
//! whether one string satisfies all of its atoms, returning that string as a witness.
//!
//! # Exactness
//!
//! Every witness is checked with the evaluator's own matchers and parsers before it is
//! returned, and every conflict is a subset of atoms shown inconsistent by an exact or
//! over-approximating argument, so neither a model nor a lemma is ever wrong. Within the
//! following fragment the theories also never answer "unknown" (short of a budget):
//!
//! - string languages in any combination: IAM patterns and literals in both case modes,
//!   ARN patterns, `Bool` and `BinaryEquals` values, and readability as an ARN, a boolean
//!   or base64;
//! - numbers, dates or IP addresses, one family per slot, with any comparisons and its
//!   own readability, the other families' readability denied or left open;
//! - equality between slots (policy variables as a whole value), with disequalities;
//! - a template `pre${k}post` (several distinct variables allowed) when its slot has no
//!   other template atom and it is asserted, not denied, and its variables' slots are
//!   plain strings used by no other template and by no disequality.
//!
//! Outside it (text patterns on a slot that must also read as a number, a date or an
//! address; two value families on one slot; a negated template; a variable shared by two
//! templates; a disequality on a slot with a template or a value family) the theory first
//! tries to build a witness and checks it, and proves inconsistency when one side alone
//! is inconsistent; failing both it answers [`super::budget::Unknown::Unsupported`],
//! never a guess.

pub(crate) mod ip;
pub(crate) mod lang;
pub(crate) mod order;
pub(crate) mod slots;
pub(crate) mod template;
pub(crate) mod value;

use super::deps::{
    decode_base64, parse_addr, parse_bool, parse_date, parse_number, split_arn, ArnPattern, Case,
    Instant, IpNet, Number, Part, Pattern, Piece,
};
use super::logic::AtomId;
use lang::Nfa;
pub(crate) use order::Cmp;
use std::cell::OnceCell;
use std::collections::HashMap;

/// A string the request supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct SlotId(pub(crate) u32);

impl SlotId {
    /// The index, for tables keyed by slot.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A way an operator family reads a value; reading may fail, which leaves a condition
/// unjudged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Family {
    /// `Numeric*`: an exact decimal.
    Number,
    /// `Date*`: an instant.
    Date,
    /// `IpAddress`: one address.
    Ip,
    /// `Arn*`: an ARN.
    Arn,
    /// `Bool`: `true` or `false`, any ASCII case.
    Bool,
    /// `BinaryEquals`: strict base64.
    Base64,
}

impl Family {
    #[cfg(test)]
    /// Every family, in a fixed order.
    pub(crate) const ALL: [Family; 6] = [
        Family::Number,
        Family::Date,
        Family::Ip,
        Family::Arn,
        Family::Bool,
        Family::Base64,
    ];

    fn index(self) -> usize {
        match self {
            Family::Number => 0,
            Family::Date => 1,
            Family::Ip => 2,
            Family::Arn => 3,
            Family::Bool => 4,
            Family::Base64 => 5,
        }
    }

    /// Whether the evaluator reads `s` in this family.
    pub(crate) fn reads(self, s: &str) -> bool {
        match self {
            Family::Number => parse_number(s).is_some(),
            Family::Date => parse_date(s).is_some(),
            Family::Ip => parse_addr(s).is_some(),
            Family::Arn => split_arn(s).is_some(),
            Family::Bool => parse_bool(s).is_some(),
            Family::Base64 => decode_base64(s).is_some(),
        }
    }
}

/// A set of strings a slot can be tested against.
#[derive(Debug, Clone)]
pub(crate) enum Lang {
    /// An IAM pattern or literal (`StringEquals`, `StringLike`, `…IgnoreCase`, actions,
    /// resources), as [`Pattern::matches`] decides.
    Pattern(Pattern),
    /// An `ArnLike`/`ArnEquals` value, as [`ArnPattern::matches`] decides (false on a
    /// value that is not an ARN).
    Arn(Box<ArnPattern>),
    /// The `ArnLike` value `*`: every ARN.
    AnyArn,
    /// A `Bool` value: the strings `Bool` reads as this.
    Bool(bool),
    /// A `BinaryEquals` value: the base64 spellings of these bytes.
    Binary(Vec<u8>),
    /// A language of request syntax (valid action names, account ids, ...).
    Special(Special),
}

/// Languages of request syntax: what the request builder and the principal parser
/// accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Special {
    /// `service:Name` with both parts non-empty and no second colon: the shape of an
    /// action the request builder accepts.
    ActionShape,
    /// Strings with a `*`, a `?` or an ASCII capital: an action name with a wildcard
    /// is refused, and the action slot holds the lowercase name the evaluator compares.
    ActionForbidden,
    /// Twelve ASCII digits: an AWS account id, as a principal ARN carries.
    AccountId,
    /// An ARN whose account component is twelve ASCII digits.
    ArnWithAccountId,
    /// This text in any ASCII case (service principals compare so).
    AsciiCaseless(String),
}

impl Special {
    /// Whether the language holds `s`, decided directly.
    pub(crate) fn accepts(&self, s: &str) -> bool {
        let digits12 = |a: &str| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
        match self {
            Special::ActionShape => s
                .split_once(':')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains(':')),
            Special::ActionForbidden => s
                .chars()
                .any(|c| c == '*' || c == '?' || c.is_ascii_uppercase()),
            Special::AccountId => digits12(s),
            Special::ArnWithAccountId => split_arn(s).is_some_and(|p| digits12(p.account)),
            Special::AsciiCaseless(t) => s.eq_ignore_ascii_case(t),
        }
    }

    fn nfa(&self) -> Nfa {
        use lang::{Class, Re};
        const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let not_colon = || Re::Class(Class::AnyBut(':'));
        let digit = || Re::Class(Class::OneOf("0123456789".chars().collect()));
        let any = || Re::Star(Box::new(Re::Class(Class::Any)));
        match self {
            Special::ActionShape => Nfa::regex(&Re::Seq(vec![
                Re::Plus(Box::new(not_colon())),
                Re::Lit(":"),
                Re::Plus(Box::new(not_colon())),
            ])),
            Special::ActionForbidden => {
                let mut bad: Vec<char> = UPPER.chars().collect();
                bad.extend(['*', '?']);
                bad.sort_unstable();
                Nfa::regex(&Re::Seq(vec![
                    any(),
                    Re::Class(Class::OneOf(bad.into())),
                    any(),
                ]))
            }
            Special::AccountId => Nfa::regex(&Re::Seq((0..12).map(|_| digit()).collect())),
            Special::ArnWithAccountId => {
                let component = || Re::Star(Box::new(not_colon()));
                let mut seq = vec![Re::Lit("arn:")];
                for _ in 0..3 {
                    seq.push(component());
                    seq.push(Re::Lit(":"));
                }
                seq.extend((0..12).map(|_| digit()));
                seq.push(Re::Lit(":"));
                seq.push(any());
                Nfa::regex(&Re::Seq(seq))
            }
            Special::AsciiCaseless(t) => Nfa::regex(&Re::Seq(
                t.chars()
                    .map(|c| {
                        if c.is_ascii_alphabetic() {
                            let mut both = vec![c.to_ascii_lowercase(), c.to_ascii_uppercase()];
                            both.sort_unstable();
                            Re::Class(Class::OneOf(both.into()))
                        } else {
                            Re::Class(Class::Char(c))
                        }
                    })
                    .collect(),
            )),
        }
    }
}

/// What makes two languages the same, for interning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LangKey {
    Pattern(Case, Vec<Piece>),
    Arn(Vec<Vec<Piece>>),
    AnyArn,
    Bool(bool),
    Binary(Vec<u8>),
    Special(Special),
}

impl Lang {
    fn key(&self) -> LangKey {
        match self {
            Lang::Pattern(p) => LangKey::Pattern(p.case(), p.pieces()),
            Lang::Arn(p) => LangKey::Arn(p.components().iter().map(|c| c.pieces()).collect()),
            Lang::AnyArn => LangKey::AnyArn,
            Lang::Bool(b) => LangKey::Bool(*b),
            Lang::Binary(b) => LangKey::Binary(b.clone()),
            Lang::Special(x) => LangKey::Special(x.clone()),
        }
    }

    /// Whether `s` is in the language, decided by the evaluator's own code.
    pub(crate) fn contains(&self, s: &str) -> bool {
        match self {
            Lang::Pattern(p) => p.matches(s),
            Lang::Arn(p) => p.matches(s),
            Lang::AnyArn => split_arn(s).is_some(),
            Lang::Bool(b) => parse_bool(s) == Some(*b),
            Lang::Binary(bytes) => decode_base64(s).as_deref() == Some(bytes.as_slice()),
            Lang::Special(x) => x.accepts(s),
        }
    }

    /// The language as an automaton.
    pub(crate) fn nfa(&self) -> Nfa {
        match self {
            Lang::Pattern(p) => Nfa::pattern(p),
            Lang::Arn(p) => Nfa::arn(p),
            Lang::AnyArn => lang::arn_readable(),
            Lang::Bool(b) => Nfa::regex(&lang::bool_value(*b)),
            Lang::Binary(bytes) => {
                // Strict base64 gives each byte string one spelling with padding and one
                // without (`condition/binary.rs`).
                let padded = encode_base64(bytes);
                let bare = padded.trim_end_matches('=').to_string();
                let alts = [padded, bare]
                    .iter()
                    .map(|s| {
                        s.chars()
                            .map(lang::Class::Char)
                            .map(lang::Re::Class)
                            .collect()
                    })
                    .map(lang::Re::Seq)
                    .collect();
                Nfa::regex(&lang::Re::Alt(alts))
            }
            Lang::Special(x) => x.nfa(),
        }
    }
}

/// Interned languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LangId(u32);

/// Interned templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TemplateId(u32);

/// How a template's text is compared, mirroring `condition/compiled.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TemplateMode {
    /// `StringLike`: `*` and `?` in the policy text are wildcards; substituted values
    /// are literal.
    Like,
    /// `StringEquals` (sensitive) or `StringEqualsIgnoreCase`: everything literal.
    Equals(Case),
    /// `ArnLike`/`ArnEquals`: component-wise; only colons of the policy text separate
    /// components, and substituted values stay inside theirs.
    Arn,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TemplatePart {
    /// Policy text.
    Text(String),
    /// A literal character from `${*}`, `${?}`, `${$}`, or a variable's default.
    Literal(String),
    /// The value of another slot.
    Var(SlotId),
}

/// A policy value with variables: `pre${k}post`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Template {
    /// How the resolved text is compared.
    pub(crate) mode: TemplateMode,
    /// The pieces, in order.
    pub(crate) parts: Vec<TemplatePart>,
}

impl Template {
    /// The slots it reads, in order of appearance.
    pub(crate) fn vars(&self) -> impl Iterator<Item = SlotId> + '_ {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Var(s) => Some(*s),
            _ => None,
        })
    }

    /// The language once every variable has a value; `None` when the resolved text
    /// matches nothing (an ARN template without six components).
    pub(crate) fn resolve(&self, value: &mut impl FnMut(SlotId) -> String) -> Option<Lang> {
        let values: Vec<Option<String>> = self
            .parts
            .iter()
            .map(|p| match p {
                TemplatePart::Var(s) => Some(value(*s)),
                _ => None,
            })
            .collect();
        let parts: Vec<Part<'_>> = self
            .parts
            .iter()
            .zip(&values)
            .map(|(p, v)| match (p, v, self.mode) {
                (TemplatePart::Text(t), _, TemplateMode::Like | TemplateMode::Arn) => Part::Wild(t),
                (TemplatePart::Text(t) | TemplatePart::Literal(t), _, _) => Part::Literal(t),
                (TemplatePart::Var(_), Some(v), _) => Part::Literal(v),
                (TemplatePart::Var(_), None, _) => Part::Literal(""),
            })
            .collect();
        match self.mode {
            TemplateMode::Like => Some(Lang::Pattern(Pattern::from_parts(parts, Case::Sensitive))),
            TemplateMode::Equals(case) => Some(Lang::Pattern(Pattern::from_parts(parts, case))),
            TemplateMode::Arn => ArnPattern::from_parts(&parts).map(|p| Lang::Arn(Box::new(p))),
        }
    }
}

/// A Boolean fact about the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Atom {
    /// The slot's string is in the language.
    In {
        /// Which slot.
        slot: SlotId,
        /// Which language.
        lang: LangId,
    },
    /// The slot reads as a number and compares so with `value`.
    Num {
        /// Which slot.
        slot: SlotId,
        /// The comparison.
        cmp: Cmp,
        /// The constant.
        value: Number,
    },
    /// The slot reads as a date and compares so with `value`.
    Date {
        /// Which slot.
        slot: SlotId,
        /// The comparison.
        cmp: Cmp,
        /// The constant.
        value: Instant,
    },
    /// The slot reads as an address inside `net`.
    Ip {
        /// Which slot.
        slot: SlotId,
        /// The network.
        net: IpNet,
    },
    /// The slot reads in the family.
    Reads {
        /// Which slot.
        slot: SlotId,
        /// Which family.
        family: Family,
    },
    /// The two slots hold the same string.
    // INVARIANT: `a < b`.
    Eq {
        /// The smaller slot.
        a: SlotId,
        /// The larger slot.
        b: SlotId,
    },
    /// The slot's string matches the template resolved with its variables' strings.
    Template {
        /// Which slot.
        slot: SlotId,
        /// Which template.
        template: TemplateId,
    },
    /// A plain Boolean with no theory meaning (presence of a key, bookkeeping).
    Flag(u32),
}

impl Atom {
    /// The slots the atom speaks about.
    pub(crate) fn slots(&self) -> Vec<SlotId> {
        match self {
            Atom::In { slot, .. }
            | Atom::Num { slot, .. }
            | Atom::Date { slot, .. }
            | Atom::Ip { slot, .. }
            | Atom::Reads { slot, .. }
            | Atom::Template { slot, .. } => vec![*slot],
            Atom::Eq { a, b } => vec![*a, *b],
            Atom::Flag(_) => Vec::new(),
        }
    }
}

/// The atoms of one question, their languages and templates, and the slots.
#[derive(Debug, Clone, Default)]
pub(crate) struct Atoms {
    atoms: Vec<Atom>,
    index: HashMap<Atom, AtomId>,
    /// Each language with its automaton, compiled on first use and kept for every later
    /// check of the same problem.
    langs: Vec<(Lang, OnceCell<Nfa>)>,
    lang_index: HashMap<LangKey, LangId>,
    templates: Vec<Template>,
    template_index: HashMap<Template, TemplateId>,
    slots: Vec<String>,
    flags: u32,
}

fn id32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Atoms {
    /// A new slot; the name is for people reading a model.
    pub(crate) fn slot(&mut self, name: impl Into<String>) -> SlotId {
        self.slots.push(name.into());
        SlotId(id32(self.slots.len() - 1))
    }

    /// How many slots there are.
    pub(crate) fn num_slots(&self) -> usize {
        self.slots.len()
    }

    /// Interns a language.
    pub(crate) fn lang(&mut self, lang: Lang) -> LangId {
        let key = lang.key();
        if let Some(&id) = self.lang_index.get(&key) {
            return id;
        }
        let id = LangId(id32(self.langs.len()));
        self.langs.push((lang, OnceCell::new()));
        self.lang_index.insert(key, id);
        id
    }

    /// A language by id.
    pub(crate) fn get_lang(&self, id: LangId) -> Option<&Lang> {
        self.langs.get(id.0 as usize).map(|(l, _)| l)
    }

    /// A language's automaton.
    pub(crate) fn nfa(&self, id: LangId) -> Option<&Nfa> {
        let (lang, cell) = self.langs.get(id.0 as usize)?;
        Some(cell.get_or_init(|| lang.nfa()))
    }

    /// Interns a template.
    pub(crate) fn template(&mut self, t: Template) -> TemplateId {
        if let Some(&id) = self.template_index.get(&t) {
            return id;
        }
        let id = TemplateId(id32(self.templates.len()));
        self.templates.push(t.clone());
        self.template_index.insert(t, id);
        id
    }

    /// A template by id.
    pub(crate) fn get_template(&self, id: TemplateId) -> Option<&Template> {
        self.templates.get(id.0 as usize)
    }

    /// Interns an atom. An equality is stored with its smaller slot first.
    pub(crate) fn intern(&mut self, atom: Atom) -> AtomId {
        let atom = match atom {
            Atom::Eq { a, b } if b < a => Atom::Eq { a: b, b: a },
            other => other,
        };
        if let Some(&id) = self.index.get(&atom) {
            return id;
        }
        let id = AtomId(id32(self.atoms.len()));
        self.atoms.push(atom.clone());
        self.index.insert(atom, id);
        id
    }

    /// A fresh plain Boolean.
    pub(crate) fn flag(&mut self) -> AtomId {
        self.flags += 1;
        self.intern(Atom::Flag(self.flags))
    }

    /// An atom by id.
    pub(crate) fn get(&self, id: AtomId) -> Option<&Atom> {
        self.atoms.get(id.index())
    }

    /// How many atoms there are.
    pub(crate) fn len(&self) -> usize {
        self.atoms.len()
    }

    /// Whether the string `s` of `slot` makes the slot-local atom true, decided by the
    /// evaluator's own code. Atoms about other slots, equalities and templates are not
    /// slot-local: `None`.
    pub(crate) fn holds_on(&self, id: AtomId, s: &str) -> Option<bool> {
        Some(match self.get(id)? {
            Atom::In { lang, .. } => self.get_lang(*lang)?.contains(s),
            Atom::Num { cmp, value, .. } => {
                parse_number(s).is_some_and(|n| cmp.holds(n.cmp(value)))
            }
            Atom::Date { cmp, value, .. } => parse_date(s).is_some_and(|d| cmp.holds(d.cmp(value))),
            Atom::Ip { net, .. } => parse_addr(s).is_some_and(|a| net.contains(a)),
            Atom::Reads { family, .. } => family.reads(s),
            Atom::Eq { .. } | Atom::Template { .. } | Atom::Flag(_) => return None,
        })
    }
}

/// Standard base64 with padding (RFC 4648 §4).
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .chain(std::iter::repeat(&0))
            .take(3)
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (i, s) in sextets.iter().enumerate() {
            if i <= chunk.len() {
                let c = ALPHABET.get((s & 63) as usize).copied().unwrap_or(b'A');
                out.push(char::from(c));
            } else {
                out.push('=');
            }
        }
    }
    out
}
