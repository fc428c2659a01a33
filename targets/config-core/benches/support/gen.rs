//! Deterministic generators for the benchmark inputs: realistic configuration files of a
//! code-generator CLI (`config`), and hostile shapes for the scaling benchmark.
//!
//! This module owns what the benchmarks parse. The committed files in `benches/data/` are
//! `config(n, SEED)` for the sizes in `INPUTS`; `tests/bench_data.rs` checks that they have not
//! drifted from this generator. Everything is plain strict TOML 1.0 (no 1.1 features): inline
//! tables stay on one line without trailing commas, escapes are limited to the 1.0 set and every
//! time has seconds. The generator uses its own SplitMix64, so output never depends on a crate.
//!
//! Included with `#[path = "support/gen.rs"] mod datagen;` (`gen` is a reserved word in Rust
//! 2024), so each user sees only what it calls.

#![allow(dead_code)]

use std::fmt::Write as _;

/// The seed of the committed inputs. Changing it changes every input: a baseline migration.
pub const SEED: u64 = 0x5EED_C0DE_2024_0001;

/// The named inputs: file stem and the number of `[templates.<name>]` tables passed to
/// [`config`]. Sizes are about 50, 500 and 5000 lines.
pub const INPUTS: [(&str, usize); 3] = [("small", 1), ("medium", 28), ("large", 300)];

/// The path of a committed input, `benches/data/<name>.toml`, from the package root.
pub fn data_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join("data")
        .join(format!("{name}.toml"))
}

/// Reads a committed input by name (`small`, `medium` or `large`).
pub fn load(name: &str) -> String {
    let path = data_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read bench input `{}`: {e}; regenerate it with \
             `UPDATE_BENCH_DATA=1 cargo test -p config-core --test bench_data`",
            path.display()
        )
    })
}

/// Regenerates a named input from the generator (what its committed file must equal).
pub fn generate(name: &str) -> String {
    let (_, n_templates) = INPUTS
        .iter()
        .find(|(stem, _)| *stem == name)
        .unwrap_or_else(|| panic!("unknown bench input `{name}`"));
    config(*n_templates, SEED)
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast and fully determined by its seed.
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "account",
    "audit",
    "billing",
    "catalog",
    "checkout",
    "client",
    "config",
    "events",
    "gateway",
    "identity",
    "inventory",
    "ledger",
    "mailer",
    "metrics",
    "orders",
    "payments",
    "pricing",
    "profile",
    "queue",
    "render",
    "report",
    "search",
    "settings",
    "shipping",
    "storage",
    "tenant",
    "upload",
    "webhook",
];
const KINDS: &[&str] = &[
    "model",
    "service",
    "handler",
    "client",
    "schema",
    "migration",
    "test",
    "fixture",
    "docs",
    "proto",
    "router",
    "repo",
];
const LANGS: &[(&str, &str)] = &[
    ("rust", "rs"),
    ("go", "go"),
    ("typescript", "ts"),
    ("python", "py"),
    ("kotlin", "kt"),
    ("sql", "sql"),
];
const TEAMS: &[&str] = &[
    "platform", "payments", "growth", "infra", "data", "mobile", "core", "identity",
];
const PEOPLE: &[&str] = &[
    "Ada Lovelace <ada@example.com>",
    "Grace Hopper <grace@example.com>",
    "Alan Turing <alan@example.com>",
    "Edsger Dijkstra <edsger@example.com>",
    "Barbara Liskov <barbara@example.com>",
    "Zoë Müller <zoe@example.com>",
];
const EVENTS: &[&str] = &[
    "pre-generate",
    "post-generate",
    "pre-write",
    "post-write",
    "on-error",
];
const TRIPLES: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-pc-windows-msvc",
    "aarch64-apple-darwin",
    "wasm32-unknown-unknown",
];
const FEATURES: &[&str] = &[
    "serde",
    "tracing",
    "metrics",
    "tls",
    "compression",
    "async",
    "openapi",
    "grpc",
];
const COMMENTS: &[&str] = &[
    "Regenerated on every build.",
    "Owned by the team named below; ask before changing the output pattern.",
    "Kept for backwards compatibility with the v1 layout.",
    "Disabled in CI until the upstream schema is stable.",
    "Output is formatted by the post-generate hook.",
    "Variables override the project defaults.",
];

/// Endings that give a basic string one TOML 1.0 escape, placed where a person would.
const ESCAPED_TAILS: &[&str] = &[
    "\\n",
    "\\t",
    " \\\"quoted\\\"",
    " C:\\\\Temp",
    " caf\\u00e9",
    " na\\u00efve",
    "\\r\\n",
    " \\U0001F680",
];

/// Builds one configuration document.
struct Writer {
    rng: Rng,
    out: String,
}

impl Writer {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A basic string holding `text`, which must need no escaping; about one string in
    /// four gets a TOML escape appended; with the strings written without `basic` that puts
    /// escapes in about 6% of all strings, so decoding is exercised in a minority.
    fn basic(&mut self, text: &str) -> String {
        if self.rng.chance(25) {
            let tail = self.rng.pick(ESCAPED_TAILS);
            format!("\"{text}{tail}\"")
        } else {
            format!("\"{text}\"")
        }
    }

    /// A literal string (no escapes possible), used for Windows-style paths and globs.
    fn literal(&self, text: &str) -> String {
        format!("'{text}'")
    }

    fn word(&mut self) -> &'static str {
        self.rng.pick(WORDS)
    }

    /// An offset date-time in one of the spellings TOML 1.0 allows.
    fn offset_datetime(&mut self) -> String {
        let (y, mo, d) = self.date_parts();
        let (h, mi, s) = self.time_parts();
        match self.rng.below(4) {
            0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            1 => format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}+0{}:00",
                self.rng.below(1000),
                self.rng.range(1, 9)
            ),
            2 => format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}-0{}:30",
                self.rng.range(3, 9)
            ),
            _ => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}Z"),
        }
    }

    fn date_parts(&mut self) -> (u64, u64, u64) {
        (
            self.rng.range(2019, 2025),
            self.rng.range(1, 12),
            self.rng.range(1, 28),
        )
    }

    fn time_parts(&mut self) -> (u64, u64, u64) {
        (self.rng.below(24), self.rng.below(60), self.rng.below(60))
    }

    fn local_date(&mut self) -> String {
        let (y, mo, d) = self.date_parts();
        format!("{y:04}-{mo:02}-{d:02}")
    }

    fn local_time(&mut self) -> String {
        let (h, mi, s) = self.time_parts();
        if self.rng.chance(30) {
            format!("{h:02}:{mi:02}:{s:02}.{}", self.rng.below(1000))
        } else {
            format!("{h:02}:{mi:02}:{s:02}")
        }
    }

    fn local_datetime(&mut self) -> String {
        let date = self.local_date();
        let time = self.local_time();
        format!("{date}T{time}")
    }

    /// An integer in one of the spellings TOML 1.0 allows.
    fn integer(&mut self) -> String {
        match self.rng.below(8) {
            0 => format!("0x{:X}", self.rng.below(0x1_0000)),
            1 => format!("0o{:o}", self.rng.below(0o1000)),
            2 => format!("0b{:b}", self.rng.below(256)),
            3 => {
                let n = self.rng.range(1_000, 999_999);
                format!("{}_{:03}", n / 1000, n % 1000)
            }
            4 => format!("-{}", self.rng.range(1, 500)),
            5 => format!("+{}", self.rng.range(1, 500)),
            _ => format!("{}", self.rng.below(10_000)),
        }
    }

    /// A float in one of the spellings TOML 1.0 allows.
    fn float(&mut self) -> String {
        match self.rng.below(7) {
            0 => format!("{}.{:02}", self.rng.below(100), self.rng.below(100)),
            1 => format!("{}e{}", self.rng.range(1, 9), self.rng.range(1, 9)),
            2 => format!(
                "{}.{}e-{}",
                self.rng.range(1, 9),
                self.rng.below(10),
                self.rng.range(1, 5)
            ),
            3 => format!("-{}.{}", self.rng.below(10), self.rng.range(1, 99)),
            4 => format!("{}_{:03}.5", self.rng.range(1, 99), self.rng.below(1000)),
            5 => "6.02E+23".to_string(),
            _ => format!("0.{}", self.rng.range(1, 999)),
        }
    }

    fn root(&mut self, seed: u64) {
        self.line("# forge.toml: configuration of the `forge` code generator.");
        let note = format!(
            "# Generated by benches/support/gen.rs (seed {seed:#x}); regenerate, do not edit."
        );
        self.line(&note);
        self.line("");
        self.line("schema_version = 3");
        self.line("strict = true  # fail on unknown template variables");
        self.line("");
    }

    fn project(&mut self) {
        let a = self.word();
        let b = self.word();
        let version = format!(
            "{}.{}.{}",
            self.rng.below(5),
            self.rng.below(30),
            self.rng.below(20)
        );
        self.line("[project]");
        let v = format!("name = \"{a}-{b}\"");
        self.line(&v);
        let v = format!("version = \"{version}\"");
        self.line(&v);
        let desc = self.basic(&format!("Generated services for the {a} platform"));
        self.line(&format!("description = {desc}"));
        self.line("output_dir = 'build\\generated'");
        let p1 = self.rng.pick(PEOPLE);
        let p2 = self.rng.pick(PEOPLE);
        self.line(&format!("authors = [\"{p1}\", \"{p2}\"]"));
        self.line("license = \"MIT OR Apache-2.0\"");
        let created = self.offset_datetime();
        self.line(&format!("created = {created}"));
        let jobs = self.rng.range(2, 16);
        self.line(&format!("jobs = {jobs}"));
        self.line("");
    }

    fn paths(&mut self, n_paths: usize) {
        self.line("[paths]");
        self.line("root = '.'");
        self.line("templates = 'C:\\Users\\build\\forge\\templates'");
        self.line("cache = \"/var/cache/forge\"");
        for i in 0..n_paths {
            let w = self.word();
            let v = if self.rng.chance(40) {
                self.literal(&format!("D:\\src\\{w}\\generated"))
            } else {
                self.basic(&format!("src/{w}/gen"))
            };
            self.line(&format!("{w}_{i} = {v}"));
        }
        self.line("");
    }

    fn template(&mut self, idx: usize) {
        let w = self.word();
        let kind = self.rng.pick(KINDS);
        let (lang, ext) = self.rng.pick(LANGS);
        let name = format!("{w}-{kind}-{idx}");
        if self.rng.chance(40) {
            let c = self.rng.pick(COMMENTS);
            self.line(&format!("# {c}"));
        }
        self.line(&format!("[templates.{name}]"));
        let src = self.literal(&format!("templates\\{lang}\\{kind}.{ext}.tera"));
        self.line(&format!("source = {src}"));
        let out = self.basic(&format!("src/{{{{ module }}}}/{kind}_{idx}.{ext}"));
        self.line(&format!("output = {out}"));
        // Globs are literal strings; a third of them as a multi-line array with a trailing comma.
        let g1 = self.literal(&format!("src\\{w}\\**\\*.{ext}"));
        let g2 = self.literal(&format!("!**/{kind}_test.{ext}"));
        if self.rng.chance(33) {
            self.line("globs = [");
            self.line(&format!("    {g1},"));
            self.line(&format!("    {g2},  # skip generated tests"));
            self.line("    'schema/*.json',");
            self.line("]");
        } else {
            self.line(&format!("globs = [{g1}, {g2}]"));
        }
        let team = self.rng.pick(TEAMS);
        let owner = self.basic(team);
        let retries = self.rng.range(0, 5);
        let strict = self.rng.chance(50);
        self.line(&format!(
            "variables = {{ module = \"{w}\", owner = {owner}, retries = {retries}, strict = {strict} }}"
        ));
        let enabled = self.rng.chance(85);
        self.line(&format!("enabled = {enabled}"));
        let priority = self.integer();
        self.line(&format!("priority = {priority}"));
        if self.rng.chance(50) {
            let weight = self.float();
            self.line(&format!("weight = {weight}"));
        }
        if self.rng.chance(40) {
            let updated = self.offset_datetime();
            self.line(&format!("updated = {updated}"));
        }
        if self.rng.chance(30) {
            self.line(&format!("\"content-type\" = \"text/x-{lang}\""));
        }
        if self.rng.chance(35) {
            let indent = self.rng.pick(&[2, 4, 8]);
            self.line(&format!("render.indent = {indent}"));
            let width = self.rng.range(80, 120);
            self.line(&format!("render.line_width = {width}"));
        }
        if self.rng.chance(8) {
            self.line("header = \"\"\"");
            self.line(&format!(
                "// Code generated by forge from {kind}.{ext}.tera."
            ));
            self.line("// DO NOT EDIT.\"\"\"");
        }
        if self.rng.chance(5) {
            self.line("license_header = '''");
            self.line("SPDX-License-Identifier: MIT OR Apache-2.0");
            self.line("Copyright (c) the forge authors");
            self.line("'''");
        }
        if self.rng.chance(20) {
            self.line("");
            self.line(&format!("[templates.{name}.hooks]"));
            let cmd = self.basic(&format!("rustfmt --edition 2021 src/{w}"));
            self.line(&format!("after = {cmd}"));
            let t = self.rng.range(1, 60) * 1000;
            self.line(&format!("timeout_ms = {t}"));
        }
        self.line("");
    }

    fn hook(&mut self, idx: usize) {
        let event = self.rng.pick(EVENTS);
        let w = self.word();
        self.line("[[hooks]]");
        self.line(&format!("name = \"{w}-{idx}\""));
        self.line(&format!("event = \"{event}\""));
        if self.rng.chance(15) {
            self.line("script = \"\"\"");
            self.line("set -eu");
            self.line(&format!("echo \"formatting {w}\" \\"));
            self.line("  && cargo fmt --all\"\"\"");
        } else {
            let cmd = self.basic(&format!("cargo run -p {w}-tools --"));
            self.line(&format!("command = {cmd}"));
        }
        let a = self.word();
        self.line(&format!("args = [\"--target\", \"{a}\", \"--quiet\"]"));
        let t = self.rng.range(1, 120);
        self.line(&format!("timeout_ms = {t}_000"));
        let cont = self.rng.chance(30);
        self.line(&format!("continue_on_error = {cont}"));
        let level = self.rng.pick(&["info", "debug", "warn"]);
        self.line(&format!(
            "env = {{ RUST_LOG = \"{level}\", CI = \"1\", FORGE_HOOK = \"{idx}\" }}"
        ));
        self.line("");
    }

    fn target(&mut self, idx: usize) {
        let triple = self.rng.pick(TRIPLES);
        self.line("[[targets]]");
        self.line(&format!("name = \"{triple}-{idx}\""));
        self.line(&format!("triple = \"{triple}\""));
        self.line(&format!("out_dir = 'out\\{triple}\\{idx}'"));
        let f1 = self.rng.pick(FEATURES);
        let f2 = self.rng.pick(FEATURES);
        self.line(&format!("features = [\"{f1}\", \"{f2}\"]"));
        let opt = self.rng.below(4);
        self.line(&format!("opt_level = {opt}"));
        let lto = self.rng.chance(50);
        self.line(&format!("lto = {lto}"));
        let budget = self.rng.range(1, 64) * 256;
        self.line(&format!("size_budget_kb = 0x{budget:X}"));
        let scale = self.float();
        self.line(&format!("scale = {scale}"));
        let d = self.local_date();
        self.line(&format!("release_date = {d}"));
        let t = self.local_time();
        self.line(&format!("nightly_at = {t}"));
        let dt = self.local_datetime();
        self.line(&format!("scheduled = {dt}"));
        if self.rng.chance(50) {
            let last = self.offset_datetime();
            self.line(&format!("last_built = {last}"));
        }
        if self.rng.chance(30) {
            let w = self.word();
            let size = self.rng.range(1, 900);
            self.line(&format!(
                "artifacts = [{{ name = \"{w}\", size_kb = {size} }}, {{ name = \"{w}.d\", size_kb = 0 }}]"
            ));
        }
        if self.rng.chance(25) {
            self.line("");
            self.line("[[targets.steps]]");
            self.line("run = \"cargo build --release\"");
            let ok = self.rng.chance(90);
            self.line(&format!("required = {ok}"));
            self.line("");
            self.line("[[targets.steps]]");
            let w = self.word();
            let cmd = self.basic(&format!("strip target/release/{w}"));
            self.line(&format!("run = {cmd}"));
        }
        self.line("");
    }
}

/// A configuration of the code-generator CLI with `n_templates` `[templates.<name>]` tables,
/// about 16 lines each, plus `[project]`, `[paths]` and proportional `[[hooks]]` and
/// `[[targets]]`. Same arguments, same bytes.
pub fn config(n_templates: usize, seed: u64) -> String {
    let mut w = Writer {
        rng: Rng::new(seed),
        out: String::with_capacity(n_templates * 700 + 4096),
    };
    w.root(seed);
    w.project();
    w.paths(3 + n_templates / 8);
    // Hooks and targets come first in some projects: keep them after the templates but
    // interleave a few templates so that array-of-tables headers are not all at the end.
    let n_hooks = 1 + n_templates / 5;
    let n_targets = 1 + n_templates / 8;
    let mut hooks_done = 0;
    for i in 0..n_templates {
        w.template(i);
        if i % 10 == 9 && hooks_done < n_hooks {
            w.hook(hooks_done);
            hooks_done += 1;
        }
    }
    for i in hooks_done..n_hooks {
        w.hook(i);
    }
    for i in 0..n_targets {
        w.target(i);
    }
    w.out
}

/// `[[a]]\n` repeated until the document is about `bytes` long: one array of tables with very
/// many empty elements.
pub fn many_aot_headers(bytes: usize) -> String {
    const HEADER: &str = "[[a]]\n";
    HEADER.repeat((bytes / HEADER.len()).max(1))
}

/// One table `[wide]` with `keys` keys `k0 = 1`, `k1 = 1`, ...
pub fn wide_table(keys: usize) -> String {
    let mut out = String::with_capacity(keys * 12 + 8);
    out.push_str("[wide]\n");
    for i in 0..keys {
        let _ = writeln!(out, "k{i} = 1");
    }
    out
}

/// A dotted key `b.b.b...b = 1` and a header `[a.a.a...a]`, each with `segments` segments, so
/// both ways of naming a deep table are exercised.
pub fn long_dotted_key(segments: usize) -> String {
    let segments = segments.max(1);
    let mut out = String::with_capacity(segments * 4 + 16);
    out.push('b');
    out.push_str(&".b".repeat(segments - 1));
    out.push_str(" = 1\n[a");
    out.push_str(&".a".repeat(segments - 1));
    out.push_str("]\nx = 1\n");
    out
}

/// One basic string and one literal string, about `bytes / 2` bytes of text each; the basic
/// string has one escape every 64 bytes or so.
pub fn long_string(bytes: usize) -> String {
    const CHUNK: &str = "the quick brown fox jumps over the lazy dog; 0123456789 ABCDEF ";
    const ESCAPES: &[&str] = &["\\n", "\\t", "\\\"", "\\\\", "\\u00e9"];
    let half = bytes / 2;
    let mut out = String::with_capacity(bytes + 64);
    out.push_str("basic = \"");
    let mut i = 0;
    while out.len() < half {
        out.push_str(CHUNK);
        out.push_str(ESCAPES[i % ESCAPES.len()]);
        i += 1;
    }
    out.push_str("\"\nliteral = '");
    let start = out.len();
    while out.len() - start < half {
        out.push_str(CHUNK);
        out.push_str("C:\\path\\");
    }
    out.push_str("'\n");
    out
}
