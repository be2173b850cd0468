//! Generates the TypeScript declarations of every type the JS API takes or returns, from the Rust
//! types themselves: it reads the definitions in premia-core (and the few of premia-web and this crate)
//! with `syn`, follows their serde attributes, and writes `types.d.ts` into OUT_DIR, which `lib.rs`
//! puts into the wasm-bindgen output (`premia.d.ts`). Nothing is written by hand but the handful of
//! types whose serialization is hand-written in the core (terms as strings, errors, worksheet steps),
//! listed in `OVERRIDES` below; a type the API reaches that is neither generated nor overridden stops
//! the build, so the declarations cannot fall behind the core.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::{Attribute, Fields, GenericArgument, Item, Meta, PathArguments, Type};

/// The types the JS API names; everything they reach is declared.
const ROOTS: &[&str] = &[
    "QuoteRequest",
    "Quote",
    "CatalogueSummary",
    "Verdict",
    "Profile",
    "Recommendation",
    "ResidentId",
    "Prefill",
    "Error",
];

/// Types serialized by hand-written `Serialize` impls in the core: their JSON shape, in TypeScript.
const OVERRIDES: &[(&str, &str)] = &[
    ("CoverageTerm", "`years:${number}` | `to_age:${number}` | \"lifelong\""),
    ("PaymentTerm", "\"single\" | `years:${number}` | `to_age:${number}`"),
    ("Error", "{ code: string; field: string; message: Text }"),
    ("Step", "StepOut"),
];

/// Rust names that would clash with TypeScript's globals.
const RENAMES: &[(&str, &str)] = &[("Error", "FieldError")];

/// Files (under the workspace's `crates/`) whose serde types are not read: the catalogue's raw document
/// types, the digest's private forms, and the underwriting desk's (the server's and the desk page's,
/// not the JS API's; its `Verdict` is not the verification's).
const SKIP: &[&str] = &["catalogue/raw.rs", "digest.rs", "desk.rs", "desk/decide.rs"];

fn main() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    collect(&crates.join("premia-core/src"), &mut sources);
    sources.push(crates.join("premia-web/src/state.rs"));
    sources.push(crates.join("premia-wasm/src/summary.rs"));
    println!("cargo:rerun-if-changed=build.rs");
    let mut types = BTreeMap::new();
    for path in &sources {
        println!("cargo:rerun-if-changed={}", path.display());
        if SKIP.iter().any(|s| path.ends_with(s)) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let from_core = path.components().any(|c| c.as_os_str() == "premia-core");
        read_items(&file.items, from_core, &mut types);
    }
    for (name, ts) in OVERRIDES {
        types.insert(
            name.to_string(),
            Decl { doc: String::new(), body: Body::Alias(ts.to_string()), refs: refs_of_text(ts) },
        );
    }
    let out = render(&types);
    let path = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("types.d.ts");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

struct Decl {
    doc: String,
    body: Body,
    /// Type names this declaration refers to.
    refs: BTreeSet<String>,
}

enum Body {
    Alias(String),
    Interface(Vec<Field>),
}

struct Field {
    doc: String,
    name: String,
    ty: String,
    optional: bool,
}

fn read_items(items: &[Item], from_core: bool, types: &mut BTreeMap<String, Decl>) {
    for item in items {
        match item {
            Item::Struct(s) if serde_type(&s.attrs, from_core) => {
                let decl = struct_decl(s);
                insert(types, s.ident.to_string(), decl);
            }
            Item::Enum(e) if serde_type(&e.attrs, from_core) => {
                let decl = enum_decl(e);
                insert(types, e.ident.to_string(), decl);
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    if !m.ident.to_string().starts_with("test") {
                        read_items(items, from_core, types);
                    }
                }
            }
            _ => {}
        }
    }
}

fn insert(types: &mut BTreeMap<String, Decl>, name: String, decl: Decl) {
    // Two serde types of one name would make the declarations ambiguous: the first (in file order) wins
    // only if it is the very same shape; otherwise stop.
    if let Some(existing) = types.get(&name) {
        if render_body(&existing.body) != render_body(&decl.body) {
            panic!("two serde types named {name}: rename one, or list one file in SKIP");
        }
    }
    types.insert(name, decl);
}

/// Core types count when they serialize (what the API returns); this workspace's own when they
/// serialize or deserialize (what the API takes, such as the widget's prefill).
fn serde_type(attrs: &[Attribute], from_core: bool) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let text = a.meta.require_list().map(|l| l.tokens.to_string()).unwrap_or_default();
        text.split(',').any(|t| t.trim() == "Serialize" || (!from_core && t.trim() == "Deserialize"))
    })
}

/// `#[serde(...)]` settings, as `key` → value (`""` for bare flags such as `default` or `flatten`).
fn serde_args(attrs: &[Attribute]) -> BTreeMap<String, String> {
    let mut args = BTreeMap::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let value = match meta.value() {
                Ok(v) => v.parse::<syn::LitStr>().map(|s| s.value()).unwrap_or_default(),
                Err(_) => String::new(),
            };
            args.insert(key, value);
            Ok(())
        });
    }
    args
}

fn doc(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join(" ").replace("*/", "* /")
}

fn struct_decl(s: &syn::ItemStruct) -> Decl {
    let args = serde_args(&s.attrs);
    let mut refs = BTreeSet::new();
    let body = match &s.fields {
        Fields::Named(named) => {
            let mut fields = Vec::new();
            let mut flattened = Vec::new();
            for f in &named.named {
                let fa = serde_args(&f.attrs);
                if fa.contains_key("skip") || fa.contains_key("skip_serializing") {
                    continue;
                }
                let (ty, optional_by_type) = ts_type(&f.ty, &mut refs);
                if fa.contains_key("flatten") {
                    flattened.push(ty);
                    continue;
                }
                let name = fa
                    .get("rename")
                    .cloned()
                    .unwrap_or_else(|| f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default());
                // Absent from the JSON when skipped, and may be left out of input when defaulted (by the
                // field or by the whole struct).
                let optional = fa.contains_key("skip_serializing_if")
                    || fa.contains_key("default")
                    || args.contains_key("default");
                let _ = optional_by_type;
                fields.push(Field { doc: doc(&f.attrs), name, ty, optional });
            }
            if flattened.is_empty() {
                Body::Interface(fields)
            } else {
                let object = render_body(&Body::Interface(fields));
                flattened.push(object);
                Body::Alias(flattened.join(" & "))
            }
        }
        Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
            Body::Alias(ts_type(&unnamed.unnamed[0].ty, &mut refs).0)
        }
        _ => Body::Alias("null".into()),
    };
    Decl { doc: doc(&s.attrs), body, refs }
}

fn enum_decl(e: &syn::ItemEnum) -> Decl {
    let args = serde_args(&e.attrs);
    let rename_all = args.get("rename_all").map(String::as_str);
    let tag = args.get("tag");
    let content = args.get("content");
    let mut refs = BTreeSet::new();
    let mut variants = Vec::new();
    for v in &e.variants {
        let va = serde_args(&v.attrs);
        let name = va.get("rename").cloned().unwrap_or_else(|| rename(&v.ident.to_string(), rename_all));
        let fields: Vec<Field> = match &v.fields {
            Fields::Named(named) => named
                .named
                .iter()
                .filter(|f| !serde_args(&f.attrs).contains_key("skip"))
                .map(|f| {
                    let fa = serde_args(&f.attrs);
                    Field {
                        doc: doc(&f.attrs),
                        name: fa
                            .get("rename")
                            .cloned()
                            .unwrap_or_else(|| f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default()),
                        ty: ts_type(&f.ty, &mut refs).0,
                        optional: fa.contains_key("skip_serializing_if") || fa.contains_key("default"),
                    }
                })
                .collect(),
            Fields::Unnamed(u) => {
                let ty = ts_type(&u.unnamed[0].ty, &mut refs).0;
                variants.push(match (tag, content) {
                    (Some(t), Some(c)) => format!("{{ {t}: {name:?}; {c}: {ty} }}"),
                    (Some(t), None) => format!("({{ {t}: {name:?} }} & {ty})"),
                    _ => format!("{{ {name:?}: {ty} }}"),
                });
                continue;
            }
            Fields::Unit => Vec::new(),
        };
        let object = render_body(&Body::Interface(
            fields
                .iter()
                .map(|f| Field { doc: String::new(), name: f.name.clone(), ty: f.ty.clone(), optional: f.optional })
                .collect(),
        ));
        variants.push(match (tag, content, fields.is_empty()) {
            (None, _, true) => format!("{name:?}"),
            (None, _, false) => format!("{{ {name:?}: {object} }}"),
            (Some(t), None, true) => format!("{{ {t}: {name:?} }}"),
            (Some(t), None, false) => format!("({{ {t}: {name:?} }} & {object})"),
            (Some(t), Some(_), true) => format!("{{ {t}: {name:?} }}"),
            (Some(t), Some(c), false) => format!("{{ {t}: {name:?}; {c}: {object} }}"),
        });
    }
    Decl { doc: doc(&e.attrs), body: Body::Alias(variants.join(" | ")), refs }
}

fn rename(ident: &str, rule: Option<&str>) -> String {
    match rule {
        Some("snake_case") => {
            let mut out = String::new();
            for (i, ch) in ident.chars().enumerate() {
                if ch.is_uppercase() {
                    if i > 0 {
                        out.push('_');
                    }
                    out.extend(ch.to_lowercase());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        Some("lowercase") => ident.to_lowercase(),
        Some("UPPERCASE") => ident.to_uppercase(),
        _ => ident.to_owned(),
    }
}

/// The TypeScript of a Rust field type, and whether the type itself is an `Option`.
fn ts_type(ty: &Type, refs: &mut BTreeSet<String>) -> (String, bool) {
    match ty {
        Type::Reference(r) => ts_type(&r.elem, refs),
        Type::Slice(s) => (format!("{}[]", wrap(&ts_type(&s.elem, refs).0)), false),
        Type::Array(a) => (format!("{}[]", wrap(&ts_type(&a.elem, refs).0)), false),
        Type::Paren(p) => ts_type(&p.elem, refs),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else { return ("unknown".into(), false) };
            let ident = last.ident.to_string();
            let args: Vec<&Type> = match &last.arguments {
                PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|g| if let GenericArgument::Type(t) = g { Some(t) } else { None })
                    .collect(),
                _ => Vec::new(),
            };
            let arg = |i: usize, refs: &mut BTreeSet<String>| {
                args.get(i).map(|t| ts_type(t, refs).0).unwrap_or("unknown".into())
            };
            let ts = match ident.as_str() {
                "String" | "str" | "Decimal" | "NaiveDate" | "char" => "string".to_owned(),
                "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64" => {
                    "number".into()
                }
                "bool" => "boolean".into(),
                "Value" => "unknown".into(),
                "Option" => return (format!("{} | null", arg(0, refs)), true),
                "Vec" => format!("{}[]", wrap(&arg(0, refs))),
                "BTreeMap" | "HashMap" => format!("Record<string, {}>", arg(1, refs)),
                "BTreeSet" | "HashSet" => format!("{}[]", wrap(&arg(0, refs))),
                "Cow" | "Box" | "Rc" | "Arc" => {
                    let inner = args.last().map(|t| ts_type(t, refs));
                    return inner.unwrap_or(("unknown".into(), false));
                }
                other => {
                    refs.insert(other.to_owned());
                    ts_name(other).to_owned()
                }
            };
            (ts, false)
        }
        _ => ("unknown".into(), false),
    }
}

fn wrap(ts: &str) -> String {
    if ts.contains(' ') { format!("({ts})") } else { ts.to_owned() }
}

fn ts_name(rust: &str) -> &str {
    RENAMES.iter().find(|(r, _)| *r == rust).map_or(rust, |(_, t)| t)
}

/// Names referred to in an override's TypeScript text.
fn refs_of_text(ts: &str) -> BTreeSet<String> {
    ts.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(str::to_owned)
        .collect()
}

fn render_body(body: &Body) -> String {
    match body {
        Body::Alias(ts) => ts.clone(),
        Body::Interface(fields) => {
            let mut out = String::from("{ ");
            for f in fields {
                let _ = write!(out, "{}{}: {}; ", f.name, if f.optional { "?" } else { "" }, f.ty);
            }
            out.push('}');
            out
        }
    }
}

fn render(types: &BTreeMap<String, Decl>) -> String {
    // Declare what the roots reach, in name order.
    let mut reached = BTreeSet::new();
    let mut queue: Vec<String> = ROOTS.iter().map(|s| s.to_string()).collect();
    while let Some(name) = queue.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        let decl = types.get(&name).unwrap_or_else(|| {
            panic!("the JS API reaches {name}, which is neither a serde type of the core nor in OVERRIDES")
        });
        queue.extend(decl.refs.iter().filter(|r| !reached.contains(*r)).cloned());
    }
    let mut out = String::from("// Generated by premia-wasm's build.rs from the Rust types: do not edit.\n");
    for name in &reached {
        let decl = &types[name];
        let ts = ts_name(name);
        if !decl.doc.is_empty() {
            let _ = writeln!(out, "/** {} */", decl.doc);
        }
        match &decl.body {
            Body::Alias(alias) => {
                let _ = writeln!(out, "export type {ts} = {alias};");
            }
            Body::Interface(fields) => {
                let _ = writeln!(out, "export interface {ts} {{");
                for f in fields {
                    if !f.doc.is_empty() {
                        let _ = writeln!(out, "  /** {} */", f.doc);
                    }
                    let _ = writeln!(out, "  {}{}: {};", f.name, if f.optional { "?" } else { "" }, f.ty);
                }
                out.push_str("}\n");
            }
        }
    }
    out
}
