//! The side file that suppresses lints: `iam-eval.toml`, found next to a policy or in a
//! folder above it, or given with `--config`. The JSON policy language has no comments,
//! so suppressions cannot sit in the policy itself.
//!
//! ```toml
//! # codes allowed in every policy this file covers
//! allow = ["redundant-action"]
//!
//! [[suppress]]
//! files = ["legacy/*.json", "vendor/**"]   # globs, relative to this file's folder
//! codes = ["unknown-action"]
//! reason = "written for a service AWS retired"
//! ```

use iam_eval::Lint;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The name looked for next to each policy and in the folders above it.
pub(crate) const FILE_NAME: &str = "iam-eval.toml";

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    suppress: Vec<RawSuppress>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppress {
    files: OneOrMany,
    codes: Vec<String>,
    #[serde(default)]
    #[expect(dead_code, reason = "read so that the file may say why; not printed")]
    reason: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// One loaded side file.
#[derive(Debug)]
pub(crate) struct Config {
    /// As shown in messages.
    name: String,
    dir: PathBuf,
    allow: Vec<String>,
    suppress: Vec<(Vec<String>, Vec<String>)>,
}

impl Config {
    /// Reads and checks a side file.
    ///
    /// # Errors
    /// A message naming the file when it cannot be read, is not valid TOML of this shape,
    /// or names a code that is not a lint.
    pub(crate) fn load(path: &Path) -> Result<Config, String> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{name}: cannot read the file: {e}"))?;
        let raw: Raw = toml::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
        let check = |code: &String| -> Result<(), String> {
            if Lint::from_code(code).is_some() {
                return Ok(());
            }
            Err(match crate::check::suggest_code(code) {
                Some(best) => {
                    format!("{name}: unknown lint `{code}`\n  help: did you mean `{best}`?")
                }
                None => {
                    format!("{name}: unknown lint `{code}`\n  help: docs/lints.md lists the codes")
                }
            })
        };
        raw.allow.iter().try_for_each(check)?;
        let mut suppress = Vec::new();
        for s in raw.suppress {
            s.codes.iter().try_for_each(check)?;
            let files = match s.files {
                OneOrMany::One(f) => vec![f],
                OneOrMany::Many(f) => f,
            };
            suppress.push((files, s.codes));
        }
        Ok(Config {
            name,
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            allow: raw.allow,
            suppress,
        })
    }

    /// What suppresses `code` in `file`, for the report: `iam-eval.toml (allow)` or
    /// `iam-eval.toml (suppress legacy/*.json)`.
    pub(crate) fn suppresses(&self, file: &Path, code: &str) -> Option<String> {
        if self.allow.iter().any(|c| c == code) {
            return Some(format!("{} (allow)", self.name));
        }
        let relative = relative_to(file, &self.dir)?;
        self.suppress
            .iter()
            .filter(|(_, codes)| codes.iter().any(|c| c == code))
            .find_map(|(globs, _)| globs.iter().find(|g| glob(g, &relative)))
            .map(|g| format!("{} (suppress `{g}`)", self.name))
    }
}

/// `file` relative to `dir`, with `/` separators, or `None` when it is not under `dir`.
fn relative_to(file: &Path, dir: &Path) -> Option<String> {
    let file = file.canonicalize().ok()?;
    let dir = if dir.as_os_str().is_empty() {
        std::env::current_dir().ok()?
    } else {
        dir.canonicalize().ok()?
    };
    let rel = file.strip_prefix(dir).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Matches a glob against a `/`-separated path: `**` any run of folders (`**/` also
/// none), `*` any run of characters but `/`, `?` one character but `/`. Linear in
/// pattern × path length.
pub(crate) fn glob(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    // reach[k]: the pattern read so far matches the first k characters of the path.
    let mut reach = vec![false; s.len() + 1];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    let mut i = 0;
    while i < p.len() {
        let mut next = vec![false; s.len() + 1];
        let c = p.get(i).copied().unwrap_or_default();
        if c == '*' && p.get(i + 1) == Some(&'*') {
            // `**` crosses folders; `**/` may also match nothing.
            let slash = p.get(i + 2) == Some(&'/');
            let mut any = false;
            for k in 0..=s.len() {
                any |= reach.get(k).copied().unwrap_or(false);
                if let Some(slot) = next.get_mut(k) {
                    *slot = any;
                }
            }
            if slash {
                // After `**/` the path is at a folder start: the start, or after a `/`.
                for k in 0..=s.len() {
                    let at_start = k == 0 || s.get(k - 1) == Some(&'/');
                    if let Some(slot) = next.get_mut(k) {
                        *slot = *slot && at_start;
                    }
                }
                i += 3;
            } else {
                i += 2;
            }
        } else if c == '*' {
            let mut any = false;
            for k in 0..=s.len() {
                let after_slash = k.checked_sub(1).and_then(|j| s.get(j)) == Some(&'/');
                any = (any && !after_slash) || reach.get(k).copied().unwrap_or(false);
                if let Some(slot) = next.get_mut(k) {
                    *slot = any;
                }
            }
            i += 1;
        } else {
            for k in 0..s.len() {
                let ch = s.get(k).copied().unwrap_or_default();
                let ok = if c == '?' { ch != '/' } else { ch == c };
                if ok && reach.get(k).copied().unwrap_or(false) {
                    if let Some(slot) = next.get_mut(k + 1) {
                        *slot = true;
                    }
                }
            }
            i += 1;
        }
        reach = next;
    }
    reach.last().copied().unwrap_or(false)
}

/// Finds and caches the side file for each policy's folder.
#[derive(Default)]
pub(crate) struct Finder {
    /// `--config`: one file for every policy.
    fixed: Option<std::rc::Rc<Config>>,
    by_dir: HashMap<PathBuf, Option<std::rc::Rc<Config>>>,
}

impl Finder {
    pub(crate) fn fixed(config: Config) -> Finder {
        Finder {
            fixed: Some(std::rc::Rc::new(config)),
            by_dir: HashMap::new(),
        }
    }

    /// The side file that covers `file`: `--config`, else the nearest `iam-eval.toml` in
    /// its folder or a folder above.
    ///
    /// # Errors
    /// The message of [`Config::load`] for a side file found but broken.
    pub(crate) fn for_file(&mut self, file: &Path) -> Result<Option<std::rc::Rc<Config>>, String> {
        if let Some(c) = &self.fixed {
            return Ok(Some(std::rc::Rc::clone(c)));
        }
        let Ok(absolute) = file.canonicalize() else {
            return Ok(None);
        };
        let mut dir = absolute.parent();
        let mut visited = Vec::new();
        let mut found = None;
        while let Some(d) = dir {
            if let Some(cached) = self.by_dir.get(d) {
                found = cached.clone();
                break;
            }
            visited.push(d.to_path_buf());
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                found = Some(std::rc::Rc::new(Config::load(&shown(&candidate))?));
                break;
            }
            dir = d.parent();
        }
        for d in visited {
            self.by_dir.insert(d, found.clone());
        }
        Ok(found)
    }
}

/// A path as short as it can be shown: relative to the current folder when under it.
fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("*.json", "a.json"));
        assert!(!glob("*.json", "dir/a.json"));
        assert!(glob("**/*.json", "a.json"));
        assert!(glob("**/*.json", "dir/sub/a.json"));
        assert!(glob("legacy/**", "legacy/x/y.json"));
        assert!(glob("legacy/?.json", "legacy/a.json"));
        assert!(!glob("legacy/?.json", "legacy/ab.json"));
        assert!(glob("a/**/b.json", "a/b.json"));
        assert!(glob("a/**/b.json", "a/x/y/b.json"));
        assert!(!glob("a/**/b.json", "a/xb.json"));
    }
}
