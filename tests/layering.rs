//! The library's modules form layers, and each imports only from its own layer or from
//! those below it (ARCHITECTURE.md describes them). This test reads `src/**/*.rs`,
//! collects every `crate::` (and `super::` reaching the crate root) path, resolves names
//! the crate root re-exports to the module that defines them, and fails on an edge that
//! points up a layer or closes a cycle between top-level modules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, from the bottom, and the top-level modules in each. `lib.rs`, which only
/// declares modules and re-exports the public API, sits above them all.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "diagnostic",
            "hash",
            "inline",
            "json",
            "keys",
            "limits",
            "logic",
            "operator",
            "pattern",
            "suggest",
            "template",
            "value",
        ],
    ),
    ("policy", &["policy"]),
    ("lint", &["lint"]),
    ("request", &["request"]),
    ("compile", &["compile"]),
    ("eval", &["eval"]),
    ("analysis", &["analysis"]),
    ("iac", &["iac"]),
    ("testfile", &["testfile"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// One import that breaks the rules.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    from: String,
    to: String,
    why: String,
}

/// Source text with comments, strings and char literals blanked, so that paths in doc
/// comments and messages are not taken for imports.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            // Block comments nest in Rust.
            let mut depth = 0;
            let mut j = 0;
            while j < rest.len() {
                if rest[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += rest[j..].chars().next().unwrap().len_utf8();
                }
            }
            i += j;
            out.push(' ');
        } else if let Some(hashes) = raw_string_start(rest) {
            // r"…", r#"…"#, br#"…"#: ends at a quote followed by the same hashes.
            let open = rest.find('"').unwrap() + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            let end = rest[open..]
                .find(&close)
                .map_or(rest.len(), |e| open + e + close.len());
            i += end;
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            let mut j = 1;
            while j < rest.len() {
                match rest.as_bytes()[j] {
                    b'\\' => j += 2,
                    b'"' => {
                        j += 1;
                        break;
                    }
                    _ => j += 1,
                }
            }
            i += j.min(rest.len());
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // A char literal ('a', '\n', '\'', '\u{1F600}') or a lifetime ('a).
            let len = match rest[1..].chars().next() {
                Some('\\') => rest.get(3..).and_then(|r| r.find('\'')).map(|k| k + 4),
                Some(c) if rest[1 + c.len_utf8()..].starts_with('\'') => Some(c.len_utf8() + 2),
                _ => None,
            };
            match len {
                Some(len) => {
                    i += len;
                    out.push_str("' '");
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The number of `#` of a raw string literal starting here, if one does.
fn raw_string_start(s: &str) -> Option<usize> {
    let s = s.strip_prefix('b').unwrap_or(s);
    let s = s.strip_prefix('r')?;
    let hashes = s.bytes().take_while(|&c| c == b'#').count();
    s[hashes..].starts_with('"').then_some(hashes)
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segment of every path that starts at the crate root: `crate::x…`,
/// `crate::{x…, y…}`, and `super::` chains that climb out of `depth` nested modules.
fn root_paths(code: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let word_start = |at: usize| {
        at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':')
    };
    let push_group = |rest: &str, out: &mut Vec<String>| {
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group, skipping nested braces.
            let mut level = 0;
            let mut item_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => level += 1,
                    '}' if level == 0 => break,
                    '}' => level -= 1,
                    ',' if level == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && level == 0 => {
                        let id = ident_at(&group[k..]);
                        if !id.is_empty() {
                            out.push(id.to_string());
                        }
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let id = ident_at(rest);
            if !id.is_empty() {
                out.push(id.to_string());
            }
        }
    };
    let mut at = 0;
    while let Some(k) = code[at..].find("crate::") {
        let pos = at + k;
        if word_start(pos) {
            push_group(&code[pos + "crate::".len()..], &mut out);
        }
        at = pos + 1;
    }
    // `super::` climbs one module per occurrence; a chain that climbs out of every
    // enclosing module (the file's, and inline `mod x { … }` blocks around the path)
    // reaches the crate root.
    let inline_mods = inline_module_spans(code);
    let mut at = 0;
    while let Some(k) = code[at..].find("super::") {
        let pos = at + k;
        if word_start(pos) {
            let mut levels = 0;
            let mut rest = &code[pos..];
            while let Some(r) = rest.strip_prefix("super::") {
                levels += 1;
                rest = r;
            }
            let enclosing = inline_mods
                .iter()
                .filter(|(start, end)| *start < pos && pos < *end)
                .count();
            if levels >= depth + enclosing && depth > 0 {
                push_group(rest, &mut out);
            }
            at = pos + levels * "super::".len();
        } else {
            at = pos + 1;
        }
    }
    out
}

/// The byte ranges of inline module bodies, `mod name { … }`.
fn inline_module_spans(code: &str) -> Vec<(usize, usize)> {
    let bytes = code.as_bytes();
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(k) = code[at..].find("mod ") {
        let pos = at + k;
        at = pos + 4;
        if pos > 0 && (bytes[pos - 1].is_ascii_alphanumeric() || bytes[pos - 1] == b'_') {
            continue;
        }
        let name = ident_at(&code[pos + 4..]);
        let after = code[pos + 4 + name.len()..].trim_start();
        if name.is_empty() || !after.starts_with('{') {
            continue;
        }
        let open = code.len() - after.len();
        let mut level = 0;
        for (j, c) in code[open..].char_indices() {
            match c {
                '{' => level += 1,
                '}' => {
                    level -= 1;
                    if level == 0 {
                        spans.push((open, open + j));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

/// Names the crate root re-exports, each with the top-level module that defines it.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let code = code_only(lib);
    let mut out = BTreeMap::new();
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let module = ident_at(path).to_string();
        let names = match path.find('{') {
            Some(open) => path[open + 1..].trim_end_matches('}').to_string(),
            None => path.rsplit("::").next().unwrap_or("").to_string(),
        };
        for name in names.split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.clone());
            }
        }
    }
    out
}

/// Checks a crate's sources: `files` are (path under `src/`, text); `lib` is `lib.rs`.
fn check(files: &[(String, String)], lib: &str) -> Vec<Violation> {
    let names = reexports(lib);
    let mut violations = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, src) in files {
        let parts: Vec<&str> = path.trim_end_matches(".rs").split('/').collect();
        let from = parts[0].to_string();
        // src/a.rs and src/a/mod.rs are module `a` (depth 1); src/a/b.rs is `a::b`.
        let depth = match parts.last() {
            Some(&"mod") => parts.len() - 1,
            _ => parts.len(),
        };
        let Some(from_layer) = layer_of(&from) else {
            violations.push(Violation {
                file: path.clone(),
                from: from.clone(),
                to: String::new(),
                why: "the module is in no layer: add it to LAYERS".into(),
            });
            continue;
        };
        for first in root_paths(&code_only(src), depth) {
            let to = if layer_of(&first).is_some() {
                first.clone()
            } else if let Some(module) = names.get(&first) {
                module.clone()
            } else if first == "self" || first == "super" {
                continue;
            } else {
                violations.push(Violation {
                    file: path.clone(),
                    from: from.clone(),
                    to: first.clone(),
                    why: "a path into the crate root that names no module or re-export".into(),
                });
                continue;
            };
            if to == from {
                continue;
            }
            let to_layer = layer_of(&to).unwrap_or(usize::MAX);
            if to_layer > from_layer {
                violations.push(Violation {
                    file: path.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    why: format!(
                        "`{from}` ({}) imports from `{to}` ({}), a layer above",
                        LAYERS[from_layer].0,
                        LAYERS.get(to_layer).map_or("none", |l| l.0)
                    ),
                });
            }
            if to_layer == from_layer {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // A cycle between modules of one layer (between layers, an upward edge is already
    // reported).
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, trail)) = stack.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if next == start {
                    // Report each cycle once, from its smallest module.
                    if trail.iter().all(|m| m >= start) {
                        let mut cycle = trail.clone();
                        cycle.push(start.clone());
                        violations.push(Violation {
                            file: String::new(),
                            from: start.clone(),
                            to: node.clone(),
                            why: format!("a cycle: {}", cycle.join(" -> ")),
                        });
                    }
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    violations
}

fn sources(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel != "lib.rs" {
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
}

#[test]
fn dependencies_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let violations = check(&files, &lib);
    assert!(
        violations.is_empty(),
        "imports that break the layering:\n{}",
        violations
            .iter()
            .map(|v| format!("{}: {}", v.file, v.why))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn file(path: &str, text: &str) -> (String, String) {
    (path.to_string(), text.to_string())
}

const LIB: &str = "mod eval; mod value; pub use eval::{PolicySet, Response};";

#[test]
fn an_upward_import_is_reported() {
    let files = [
        file("value/mod.rs", "use crate::eval::set::PolicySet;"),
        file("eval/mod.rs", "use crate::value::date;"),
    ];
    let v = check(&files, LIB);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].from.as_str(), v[0].to.as_str()), ("value", "eval"));
    assert!(v[0].why.contains("a layer above"), "{}", v[0].why);
}

#[test]
fn imports_are_found_in_groups_reexports_and_super_chains() {
    // Through a re-export at the root, in a group, and by climbing with `super::`.
    for text in [
        "use crate::PolicySet;",
        "use crate::{hash::key_hash, eval::Response};",
        "fn f() { let _ = crate::eval::x(); }",
        "use super::super::eval::Response;",
        "mod tests { use super::super::super::eval::Response; }",
    ] {
        let files = [file("value/date.rs", text)];
        let v = check(&files, LIB);
        assert_eq!(v.len(), 1, "{text}: {v:?}");
        assert_eq!(v[0].to, "eval", "{text}");
    }
    // `super::` inside a module stays in it; comments and strings are not code.
    for text in [
        "use super::numeric::Number;",
        "mod tests { use super::super::numeric::Number; }",
        "// use crate::eval::PolicySet;",
        "/// see [`crate::PolicySet`]",
        "const S: &str = \"crate::eval\";",
        "const R: &str = r#\"crate::eval\"#;",
    ] {
        let files = [file("value/date.rs", text)];
        assert_eq!(check(&files, LIB), vec![], "{text}");
    }
}

#[test]
fn a_cycle_within_a_layer_is_reported() {
    let files = [
        file("pattern.rs", "use crate::template::Template;"),
        file("template.rs", "use crate::pattern::Part;"),
    ];
    let v = check(&files, "");
    assert!(v.iter().any(|v| v.why.starts_with("a cycle")), "{v:?}");
}
