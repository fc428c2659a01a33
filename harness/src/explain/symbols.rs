//! Where a binary's bytes went: the sized symbols of an executable or library read from its
//! symbol table, demangled and attributed to the crate they come from, the per-symbol and
//! per-crate difference between two builds (top growers first, like `cargo bloat` diffed); its
//! tables are `render::sizes`.
//!
//! Reading is the only I/O here: [`read_symbols`] takes the symbol table (`.symtab`, or the
//! dynamic symbols when there is none) with the `object` crate and turns a stripped binary into
//! an error that says how to keep the symbols, rather than an empty report. [`diff`] is a pure
//! function of what was read. No verdicts: whether a size change fails the
//! gate is `compare`'s to decide.
//!
//! Sizes are the ones the symbol table records, so they cover functions and data objects that
//! have a symbol, not padding, relocations, unwind tables or debug info; the file and `.text`
//! totals in [`SizeDiff`] cover everything. Symbols with the same demangled name are one entry
//! (their sizes summed), since rustc gives every copy of an inlined or duplicated function its
//! own hash, and two names for the same bytes (aliases) count once. Formats whose symbol tables
//! carry no sizes (Mach-O) read as stripped.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use object::{Object, ObjectSection, ObjectSymbol, SectionKind, SymbolKind};

/// The crate bucket of symbols that are not Rust paths: C and assembly symbols, the C runtime
/// (`_start`, `__libc_*`), compiler-generated data such as `anon.*` constants, and names that
/// did not demangle.
pub const UNKNOWN_CRATE: &str = "[C/unknown]";

/// Why the symbols of a binary could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SymbolError {
    /// The file could not be read.
    #[error("cannot read `{}`: {source}; check that the build produced it and that it is readable", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The file is not an object file (ELF, PE, Mach-O, XCOFF) that `object` can parse.
    #[error("`{}` is not an object file; point perfgate at the built executable or library, not a script or an archive", path.display())]
    NotObject {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: object::Error,
    },

    /// The file has no symbol table with sized function or data symbols.
    #[error(
        "`{}` is stripped (no symbol table with sized symbols); set `strip = false` in the profile it is built with (`[profile.release] strip = false`, or perfgate's profile) and rebuild",
        path.display()
    )]
    Stripped {
        /// The file.
        path: PathBuf,
    },
}

/// The sizes of one binary: the whole file, its executable sections, and its symbols.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SymbolSizes {
    /// The size of the file in bytes.
    pub file_size: u64,
    /// The summed size of the executable sections (`.text` and friends) in bytes.
    pub text_size: u64,
    /// `(demangled name, crate, size in bytes)`, one entry per name, largest first, then by
    /// name. The crate is [`UNKNOWN_CRATE`] for symbols that are not Rust paths.
    pub symbols: Vec<(String, String, u64)>,
}

/// One symbol whose size differs between the two binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolChange {
    /// The demangled name, without the hash.
    pub name: String,
    /// The crate the symbol is attributed to.
    pub crate_name: String,
    /// The size in the first binary; 0 for a symbol only the second has (added).
    pub a: u64,
    /// The size in the second binary; 0 for a symbol only the first has (removed).
    pub b: u64,
}

impl SymbolChange {
    /// The growth in bytes, b − a (negative for a shrink).
    pub fn delta(&self) -> i128 {
        i128::from(self.b) - i128::from(self.a)
    }
}

/// One crate whose summed symbol size differs between the two binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateChange {
    /// The crate, or [`UNKNOWN_CRATE`].
    pub crate_name: String,
    /// The summed size of its symbols in the first binary.
    pub a: u64,
    /// The summed size of its symbols in the second binary.
    pub b: u64,
}

impl CrateChange {
    /// The growth in bytes, b − a (negative for a shrink).
    pub fn delta(&self) -> i128 {
        i128::from(self.b) - i128::from(self.a)
    }
}

/// The size difference between two binaries, `a` the baseline and `b` the candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SizeDiff {
    /// The file size of `a`.
    pub file_a: u64,
    /// The file size of `b`.
    pub file_b: u64,
    /// The executable-section size of `a`.
    pub text_a: u64,
    /// The executable-section size of `b`.
    pub text_b: u64,
    /// The crates whose total changed, by growth descending, then by name.
    pub crates: Vec<CrateChange>,
    /// The symbols whose size changed, added and removed ones included, by growth descending,
    /// then by name.
    pub symbols: Vec<SymbolChange>,
}

/// Reads the sized function and data symbols of the object file at `path`, demangled and
/// attributed to crates.
///
/// The symbols come from the symbol table (`.symtab`), or from the dynamic symbols when the
/// file has no symbol table; only defined function and data symbols of non-zero size count.
/// Names are demangled (legacy and v0 Rust mangling) without their hash; symbols with the same
/// demangled name are summed, and aliases (several names for the same address and size in
/// the same section) count once, under the first name in byte order.
///
/// # Errors
///
/// [`SymbolError::Unreadable`] if the file cannot be read, [`SymbolError::NotObject`] if it is
/// not an object file, [`SymbolError::Stripped`] if it has no sized symbols.
pub fn read_symbols(path: &Path) -> Result<SymbolSizes, SymbolError> {
    let data = std::fs::read(path).map_err(|source| SymbolError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let file = object::File::parse(&*data).map_err(|source| SymbolError::NotObject {
        path: path.to_path_buf(),
        source,
    })?;

    let text_size = file
        .sections()
        .filter(|s| s.kind() == SectionKind::Text)
        .map(|s| s.size())
        .sum();

    let mut raw = sized_symbols(file.symbols());
    if raw.is_empty() {
        raw = sized_symbols(file.dynamic_symbols());
    }
    if raw.is_empty() {
        return Err(SymbolError::Stripped {
            path: path.to_path_buf(),
        });
    }

    // Aliases: keep the first name of each (section, address, size).
    raw.sort_unstable();
    raw.dedup_by(|later, first| (later.0, later.1, later.2) == (first.0, first.1, first.2));

    let mut by_name: HashMap<String, u64> = HashMap::with_capacity(raw.len());
    for (_, _, size, name) in raw {
        *by_name.entry(demangle(&name)).or_default() += size;
    }
    let mut symbols: Vec<(String, String, u64)> = by_name
        .into_iter()
        .map(|(name, size)| {
            let krate = crate_of(&name).to_string();
            (name, krate, size)
        })
        .collect();
    symbols.sort_unstable_by(|x, y| y.2.cmp(&x.2).then_with(|| x.0.cmp(&y.0)));

    Ok(SymbolSizes {
        file_size: data.len() as u64,
        text_size,
        symbols,
    })
}

/// `(section index, address, size, raw name)` of the defined function and data symbols of
/// non-zero size.
fn sized_symbols<'data, S: ObjectSymbol<'data>>(
    symbols: impl Iterator<Item = S>,
) -> Vec<(Option<usize>, u64, u64, String)> {
    symbols
        .filter(|s| {
            matches!(s.kind(), SymbolKind::Text | SymbolKind::Data)
                && s.is_definition()
                && s.size() > 0
        })
        .filter_map(|s| {
            let name = s.name_bytes().ok()?;
            if name.is_empty() {
                return None;
            }
            Some((
                s.section_index().map(|i| i.0),
                s.address(),
                s.size(),
                String::from_utf8_lossy(name).into_owned(),
            ))
        })
        .collect()
}

/// The demangled form of a symbol name without its hash (`{:#}`), or the name itself if it
/// is not a Rust mangled name.
pub fn demangle(raw: &str) -> String {
    match rustc_demangle::try_demangle(raw) {
        Ok(d) => format!("{d:#}"),
        Err(_) => raw.to_string(),
    }
}

/// The crate a demangled symbol name belongs to: the first segment of its path, or for an
/// impl item (`<Type as Trait>::f`, `<Type>::f`) the crate of the implementing type, falling
/// back to the trait's crate when the type is not a path (`<&T as core::fmt::Debug>::fmt` is
/// `core`). References, raw pointers, `dyn`, slices and tuples are looked through to the path
/// inside. Names that are not Rust paths, or start with `_`, are [`UNKNOWN_CRATE`].
pub fn crate_of(demangled: &str) -> &str {
    if demangled.starts_with('_') {
        return UNKNOWN_CRATE;
    }
    path_crate(demangled).unwrap_or(UNKNOWN_CRATE)
}

/// The crate of a path or qualified path, if it has one.
fn path_crate(s: &str) -> Option<&str> {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('<') {
        let inner = &rest[..matching_close(rest)?];
        let (self_ty, trait_path) = split_as(inner);
        return type_crate(self_ty).or_else(|| trait_path.and_then(type_crate));
    }
    let ident_len = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let ident = &s[..ident_len];
    let starts_well = ident
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() && c != '_');
    (starts_well && s[ident_len..].starts_with("::")).then_some(ident)
}

/// The crate of a type: the path inside references, pointers, `dyn`/`impl`, slices, arrays
/// and tuples.
fn type_crate(t: &str) -> Option<&str> {
    let mut t = t.trim_start();
    loop {
        let stripped = [
            "&", "mut ", "*const ", "*mut ", "dyn ", "impl ", "[", "(", "'",
        ]
        .iter()
        .find_map(|p| t.strip_prefix(p));
        match stripped {
            // A lifetime (`&'a T`): skip the name.
            Some(rest) if t.starts_with('\'') => {
                t = rest
                    .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                    .trim_start();
            }
            Some(rest) => t = rest.trim_start(),
            None => return path_crate(t),
        }
    }
}

/// The byte index in `s` of the `>` that closes a `<` just before `s`; `->` does not count.
fn matching_close(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 1usize;
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'<' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits the inside of `<Type as Trait>` at its top-level ` as `; no trait for `<Type>`.
fn split_as(inner: &str) -> (&str, Option<&str>) {
    let bytes = inner.as_bytes();
    let mut depth = 0usize;
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'<' | b'(' | b'[' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b'>' | b')' | b']' => depth = depth.saturating_sub(1),
            b' ' if depth == 0 && inner[i..].starts_with(" as ") => {
                return (&inner[..i], Some(&inner[i + 4..]));
            }
            _ => {}
        }
    }
    (inner, None)
}

/// The per-symbol and per-crate difference from `a` (baseline) to `b` (candidate).
///
/// Symbols are matched by demangled name; one only in `b` is added (`a` = 0), one only in `a`
/// removed (`b` = 0). Unchanged symbols and crates are left out; the rest are sorted by growth
/// (b − a) descending, then by name, so the top growers come first and the top shrinkers last.
pub fn diff(a: &SymbolSizes, b: &SymbolSizes) -> SizeDiff {
    // name → (crate, size a, size b)
    let mut by_name: HashMap<&str, (&str, u64, u64)> = HashMap::new();
    for (name, krate, size) in &a.symbols {
        let e = by_name.entry(name).or_insert((krate, 0, 0));
        e.1 += size;
    }
    for (name, krate, size) in &b.symbols {
        let e = by_name.entry(name).or_insert((krate, 0, 0));
        e.0 = krate;
        e.2 += size;
    }

    let mut crates: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for &(krate, sa, sb) in by_name.values() {
        let e = crates.entry(krate).or_default();
        e.0 += sa;
        e.1 += sb;
    }

    let mut symbols: Vec<SymbolChange> = by_name
        .into_iter()
        .filter(|(_, (_, sa, sb))| sa != sb)
        .map(|(name, (krate, sa, sb))| SymbolChange {
            name: name.to_string(),
            crate_name: krate.to_string(),
            a: sa,
            b: sb,
        })
        .collect();
    symbols.sort_by(|x, y| y.delta().cmp(&x.delta()).then_with(|| x.name.cmp(&y.name)));

    let mut crates: Vec<CrateChange> = crates
        .into_iter()
        .filter(|(_, (sa, sb))| sa != sb)
        .map(|(krate, (sa, sb))| CrateChange {
            crate_name: krate.to_string(),
            a: sa,
            b: sb,
        })
        .collect();
    crates.sort_by(|x, y| {
        y.delta()
            .cmp(&x.delta())
            .then_with(|| x.crate_name.cmp(&y.crate_name))
    });

    SizeDiff {
        file_a: a.file_size,
        file_b: b.file_size,
        text_a: a.text_size,
        text_b: b.text_size,
        crates,
        symbols,
    }
}

#[cfg(test)]
pub(crate) mod tests;
