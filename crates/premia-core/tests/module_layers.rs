//! Architecture invariant: the core's modules form layers, and a module imports only from layers
//! below its own. This test reads the crate's sources, collects every `crate::` and `super::` path
//! outside `#[cfg(test)]` modules and doc comments, and fails on a path into the module's own layer
//! or one above it, naming the file and the path.
//!
//! The layering is written once, here ([`LAYERS`]), and stated in ARCHITECTURE.md. A module is the
//! longest listed prefix of its path (`catalogue::build::desk` belongs to `catalogue::build`); a file
//! that belongs to no listed module fails the test, so every new module is placed in a layer. A parent
//! declaring and re-exporting its children (`mod decide; pub use decide::*;`) is not an import: only
//! `crate::` and `super::` paths are. `lib.rs` re-exports old public paths and is not a layer.

#![allow(clippy::unwrap_used)] // a test: a file it cannot read fails it

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom first. A module may import from any module in a lower layer, never from its own layer or
/// a higher one.
const LAYERS: &[&[&str]] = &[
    // Words every other module uses.
    &["text", "variants"],
    &["age", "term", "wire", "wire::json"],
    // Rule types the catalogue holds, below the catalogue and below the errors that name them.
    &["underwriting", "discounts"],
    &["catalogue::sale", "desk"],
    &["purchase::rule"],
    &["error"],
    &["money"],
    &["wire::reader"],
    // What a person declares; the rest of the catalogue's rule types.
    &["request", "discounts::coupon"],
    &["identity", "bundles", "catalogue::table", "catalogue::mortality"],
    // The catalogue: its types, then its TOML form, validation and compiled form.
    &["catalogue"],
    &["catalogue::raw", "catalogue::snapshot", "demo", "underwriting::decide", "pricing::worksheet"],
    &["catalogue::build"],
    // Pricing, from its parts up to the engine.
    &["pricing::quote", "pricing::rating"],
    &["discounts::apply", "wire::digest", "wire::quote_json"],
    &["pricing::engine"],
    // What builds on the engine.
    &["pricing", "bundles::recommend", "desk::decide", "purchase"],
    &["verify", "check"],
];
fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for (layer, modules) in LAYERS.iter().enumerate() {
        for &listed in *modules {
            let covers = module == listed || module.starts_with(&format!("{listed}::"));
            if covers && best.is_none_or(|(_, b)| listed.len() > b.len()) {
                best = Some((layer, listed));
            }
        }
    }
    best
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `src/catalogue/build/desk.rs` → `["catalogue", "build", "desk"]`; `mod.rs` names its folder.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut path: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if path.last().is_some_and(|last| last == "mod") {
        path.pop();
    }
    path
}

/// The code without comments, literals, and the items marked `#[cfg(test)]` (a `mod tests { … }`, a
/// test fixture, a `use`).
fn code(text: &str) -> String {
    let text = without_literals(text);
    let mut kept = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let item = &rest[at..];
        let (brace, semicolon) = (item.find('{'), item.find(';'));
        let end = match (brace, semicolon) {
            (Some(open), Some(semi)) if semi < open => semi + 1,
            (Some(open), _) => open + matching(&item[open..]),
            (None, Some(semi)) => semi + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    kept.push_str(rest);
    kept
}

/// `text` with comments removed and string and character literals emptied, so that neither a path
/// in a doc comment nor a brace in a string is read as code.
fn without_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            while i < chars.len()
                && !(chars[i] == '"' && chars[i + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes)
            {
                i += 1;
            }
            i += 1 + hashes;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A character literal ('{', '\n', '\u{7b}'); a lifetime ('a) has no closing quote.
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The length of the brace-balanced block `text` starts with.
fn matching(text: &str) -> usize {
    let mut depth = 0;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Every module path a `crate::`/`super::` path in `code` names, expanding `{a, b::c}` groups, with
/// `super` resolved against `me`. Items re-exported at the crate root (`crate::Errors`) are kept as
/// written so the test can refuse them.
fn imports(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    // Inline modules (`mod strict { … }`) open at a brace depth; `super::` inside one is relative to it.
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut depth = 0;
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        match rest.as_bytes()[0] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if inline.last().is_some_and(|(d, _)| *d == depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        if rest.starts_with("mod ") && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric()) {
            let name: String = rest[4..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if rest[4 + name.len()..].trim_start().starts_with('{') {
                inline.push((depth, name));
            }
        }
        let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
            && (at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':'));
        if !starts {
            at += rest.chars().next().unwrap().len_utf8();
            continue;
        }
        let mut base: Vec<String> = Vec::new();
        let mut cursor = at;
        if rest.starts_with("crate::") {
            cursor += "crate::".len();
        } else {
            base = me.to_vec();
            base.extend(inline.iter().map(|(_, name)| name.clone()));
            while code[cursor..].starts_with("super::") {
                base.pop();
                cursor += "super::".len();
            }
        }
        let (paths, end) = tree(code, cursor, base);
        found.extend(paths);
        // The tree's own braces are balanced; step past them.
        at = end.max(at + 1);
    }
    found
}

/// Parse a use tree (`a::b::C`, `a::{b, c::D}`) at `at`, returning the paths and where it ends.
fn tree(code: &str, mut at: usize, mut prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    loop {
        let rest = &code[at..];
        if rest.starts_with('{') {
            let mut paths = Vec::new();
            at += 1;
            loop {
                let skipped = code[at..].len() - code[at..].trim_start().len();
                at += skipped;
                if code[at..].starts_with('}') {
                    return (paths, at + 1);
                }
                let (inner, end) = tree(code, at, prefix.clone());
                paths.extend(inner);
                at = end;
                let skipped = code[at..].len() - code[at..].trim_start().len();
                at += skipped;
                if code[at..].starts_with(',') {
                    at += 1;
                }
            }
        }
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if len == 0 {
            return (vec![prefix], at);
        }
        prefix.push(rest[..len].to_owned());
        at += len;
        if code[at..].starts_with("::") {
            at += 2;
        } else {
            return (vec![prefix], at);
        }
    }
}

#[test]
fn modules_import_only_from_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let known: Vec<String> = files.iter().map(|f| module_path(&src, f).join("::")).collect();
    let mut offences = Vec::new();
    for file in &files {
        let me = module_path(&src, file);
        if me == ["lib"] {
            continue;
        }
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        let Some((my_layer, my_module)) = layer_of(&me.join("::")) else {
            offences.push(format!("src/{shown}: module `{}` is in no layer of LAYERS", me.join("::")));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for path in imports(&code(&text), &me) {
            // The longest prefix of the path that is a module of this crate.
            let Some(target) = (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|p| known.contains(p)) else {
                offences.push(format!(
                    "src/{shown}: `crate::{}` names no module (import it from its module, not a crate-root re-export)",
                    path.join("::")
                ));
                continue;
            };
            let Some((layer, module)) = layer_of(&target) else { continue };
            if module == my_module {
                continue;
            }
            if layer >= my_layer {
                offences.push(format!(
                    "src/{shown}: `{}` imports `{}` (layer {layer}) from `{my_module}` (layer {my_layer})",
                    path.join("::"),
                    module
                ));
            }
        }
    }
    offences.sort();
    offences.dedup();
    assert!(offences.is_empty(), "imports against the layering:\n{}", offences.join("\n"));
}

/// Every file module's imports of other file modules of the crate: `(importer, imported, path)`.
fn file_edges() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let known: Vec<String> = files.iter().map(|f| module_path(&src, f).join("::")).collect();
    let mut edges = Vec::new();
    for file in &files {
        let me = module_path(&src, file);
        if me == ["lib"] {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for path in imports(&code(&text), &me) {
            let target = (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|p| known.contains(p));
            if let Some(target) = target.filter(|t| *t != me.join("::")) {
                edges.push((me.join("::"), target, path.join("::")));
            }
        }
    }
    edges
}

/// No cycle among the files either, within a layer's module (`purchase::application` and
/// `purchase::beneficiary`) as well as between modules: each file reads without those above it.
#[test]
fn no_file_imports_itself_through_others() {
    let edges = file_edges();
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to, _) in &edges {
        graph.entry(from).or_default().push(to);
    }
    // Depth-first search for a back edge; the path to it is the cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        done: &mut Vec<&'a str>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if done.contains(&node) {
            return None;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.push(node);
        None
    }
    let mut done = Vec::new();
    for node in graph.keys() {
        let cycle = visit(node, &graph, &mut done, &mut Vec::new());
        assert!(cycle.is_none(), "modules import each other in a cycle: {}", cycle.unwrap().join(" → "));
    }
}

#[test]
fn the_layering_lists_each_module_once() {
    let mut seen = BTreeMap::new();
    for (layer, modules) in LAYERS.iter().enumerate() {
        for module in *modules {
            assert!(seen.insert(*module, layer).is_none(), "`{module}` is listed twice");
        }
    }
}

#[test]
fn the_reader_finds_grouped_and_relative_imports() {
    let me = ["catalogue".to_owned(), "build".to_owned()];
    let found = imports("use crate::{money::{A, b}, text::Text};\nuse super::raw::X;", &me);
    let names: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert_eq!(names, ["money::A", "money::b", "text::Text", "catalogue::raw::X"]);
}
