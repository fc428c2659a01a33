//! The typed configuration of the code generator, built straight from a parsed [`Document`]
//! (no serde), borrowing its strings from the document and so from the input.
//!
//! ```toml
//! [project]
//! name = "demo"            # required
//! version = "1.0.0"
//! output_dir = "gen"       # a relative path; default "out"
//!
//! [paths]                  # named directories, relative paths
//! schemas = "schemas"
//!
//! [templates.api]          # one table per template
//! source = "templates/api.tmpl"   # required, a relative path
//! output = "api/{name}.rs"        # required
//! globs = ["schemas/*.json"]
//! variables = { module = "api" }
//! enabled = true
//!
//! [[generators]]
//! name = "rust"            # required
//! templates = ["api"]      # names of templates
//! inputs = ["schemas/user.json"]
//! env = { RUST_LOG = "info" }
//!
//! [limits]
//! concurrency = 8          # 1 to 1024
//! max_file_size = 10485760 # bytes, at least 1
//! ```
//!
//! Every error names the key path and where it was written: "`templates.api.source` must be a
//! relative path (line 14, column 10)"; an unknown key suggests the closest known one.

use std::fmt;

use crate::layout::Span;
use crate::value::{Document, Table, Value};

/// The whole configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config<'d> {
    /// `[project]`.
    pub project: Project<'d>,
    /// `[paths]`: name → relative directory, in the order written.
    pub paths: Vec<(&'d str, &'d str)>,
    /// `[templates.<name>]`, in the order written.
    pub templates: Vec<Template<'d>>,
    /// `[[generators]]`, in the order written.
    pub generators: Vec<Generator<'d>>,
    /// `[limits]`.
    pub limits: Limits,
}

/// `[project]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Project<'d> {
    /// The project's name.
    pub name: &'d str,
    /// Its version, if given.
    pub version: Option<&'d str>,
    /// Where generated files go, relative to the project.
    pub output_dir: &'d str,
}

/// `[templates.<name>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Template<'d> {
    /// The template's name (its table's key).
    pub name: &'d str,
    /// The template file, relative to the project.
    pub source: &'d str,
    /// The pattern of the files it writes.
    pub output: &'d str,
    /// Globs of the inputs it applies to.
    pub globs: Vec<&'d str>,
    /// Variables passed to it, in the order written.
    pub variables: Vec<(&'d str, &'d str)>,
    /// Whether it runs.
    pub enabled: bool,
}

/// `[[generators]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Generator<'d> {
    /// The generator's name.
    pub name: &'d str,
    /// The templates it runs, by name (each names a template of the config).
    pub templates: Vec<&'d str>,
    /// Its input files, relative to the project.
    pub inputs: Vec<&'d str>,
    /// Environment variables it sets, in the order written.
    pub env: Vec<(&'d str, &'d str)>,
}

/// `[limits]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How many files are processed at once.
    pub concurrency: usize,
    /// The largest input file, in bytes.
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 8,
            max_file_size: 10 * 1024 * 1024,
        }
    }
}

/// Why a document is not a valid configuration: the key path, the position, the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The dotted key path (`templates.api.source`, `generators[1].name`).
    pub key_path: String,
    /// The line (from 1) of the key or value at fault.
    pub line: usize,
    /// Its column (from 1, in characters).
    pub column: usize,
    /// What is wrong, after the key: "must be a relative path".
    pub message: String,
}

impl ConfigError {
    /// The error of `key_path` at byte `offset` of `src` (line and column counted there).
    pub fn at(src: &str, offset: usize, key_path: &str, message: impl Into<String>) -> ConfigError {
        let (line, column) = crate::error::line_column(src.as_bytes(), offset);
        ConfigError {
            key_path: key_path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {} (line {}, column {})",
            self.key_path, self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ConfigError {}

/// The keys each table may have.
const TOP: [&str; 5] = ["project", "paths", "templates", "generators", "limits"];
const PROJECT: [&str; 3] = ["name", "version", "output_dir"];
const TEMPLATE: [&str; 5] = ["source", "output", "globs", "variables", "enabled"];
const GENERATOR: [&str; 4] = ["name", "templates", "inputs", "env"];
const LIMITS: [&str; 2] = ["concurrency", "max_file_size"];

/// A key path, written out only when an error needs it: building the configuration makes no
/// string for the paths it walks (`templates.api.globs[2]`).
#[derive(Clone, Copy)]
enum KeyPath<'p> {
    /// The document's root (the empty path).
    Root,
    /// A key of a table.
    Key(&'p KeyPath<'p>, &'p str),
    /// An element of an array.
    Index(&'p KeyPath<'p>, usize),
}

impl<'p> KeyPath<'p> {
    /// The path of `key` in the table at this path.
    fn key(&'p self, key: &'p str) -> KeyPath<'p> {
        KeyPath::Key(self, key)
    }

    /// The path of element `i` of the array at this path.
    fn index(&'p self, i: usize) -> KeyPath<'p> {
        KeyPath::Index(self, i)
    }
}

impl fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyPath::Root => Ok(()),
            KeyPath::Key(KeyPath::Root, key) => f.write_str(key),
            KeyPath::Key(parent, key) => write!(f, "{parent}.{key}"),
            KeyPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// The root of every key path.
const ROOT: KeyPath<'static> = KeyPath::Root;

/// Builds errors with positions in one source.
struct Checker<'s> {
    src: &'s str,
}

impl Checker<'_> {
    #[cold]
    fn error(&self, key_path: &KeyPath<'_>, span: Span, message: impl Into<String>) -> ConfigError {
        ConfigError::at(
            self.src,
            span.start as usize,
            &key_path.to_string(),
            message,
        )
    }

    /// "`path.key` must be EXPECTED, found TYPE" at `span`.
    #[cold]
    fn wrong(
        &self,
        key_path: &KeyPath<'_>,
        span: Span,
        expected: &str,
        value: &Value<'_, '_>,
    ) -> ConfigError {
        self.error(
            key_path,
            span,
            format!("must be {expected}, {}", found(value)),
        )
    }

    /// Every key of `table` must be one of `known`; else the closest known key is suggested.
    fn known_keys(
        &self,
        table: &Table<'_, '_>,
        path: &KeyPath<'_>,
        known: &[&str],
    ) -> Result<(), ConfigError> {
        for (key, _) in table.iter() {
            let name = key.as_str();
            if !known.contains(&name) {
                let hint = match closest(name, known) {
                    Some(k) => format!("; did you mean `{}`?", path.key(k)),
                    None => format!("; the keys here are {}", list(known)),
                };
                let message = format!("is not a known key{hint}");
                return Err(self.error(&path.key(name), key.span, message));
            }
        }
        Ok(())
    }
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Levenshtein distance between two short strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The known key closest to `name`, if it is close (at most a third of its length edited).
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(3)) / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// What a value is expected to be, for "must be …, found …".
fn found(value: &Value<'_, '_>) -> String {
    format!("found {}", value.type_name())
}

impl<'d> Config<'d> {
    /// The configuration of a parsed document.
    pub fn from_document(doc: &'d Document<'_>) -> Result<Config<'d>, ConfigError> {
        let c = Checker { src: doc.source() };
        let root = doc.root();
        c.known_keys(&root, &ROOT, &TOP)?;

        let project_path = ROOT.key("project");
        let project_table = match root.get_spanned("project") {
            Some((Value::Table(t), _)) => t,
            Some((other, span)) => {
                return Err(c.wrong(&project_path, span, "a table", &other));
            }
            None => {
                return Err(c.error(
                    &project_path,
                    Span::new(0, 0),
                    "is required: add a `[project]` table with a `name`",
                ));
            }
        };
        c.known_keys(&project_table, &project_path, &PROJECT)?;
        let project = Project {
            name: required_str(&c, &project_table, &project_path, "name")?,
            version: optional_str(&c, &project_table, &project_path, "version")?,
            output_dir: match optional_str(&c, &project_table, &project_path, "output_dir")? {
                Some(dir) => {
                    let span = span_of(&project_table, "output_dir");
                    relative_path(&c, &project_path.key("output_dir"), span, dir)?
                }
                None => "out",
            },
        };

        let paths = match table_at(&c, &root, &ROOT, "paths")? {
            Some(t) => string_pairs(&c, &t, &ROOT.key("paths"), true)?,
            None => Vec::new(),
        };

        let mut templates = Vec::new();
        let templates_path = ROOT.key("templates");
        if let Some(all) = table_at(&c, &root, &ROOT, "templates")? {
            for (key, value) in all.iter() {
                let name = key.as_str();
                let path = templates_path.key(name);
                let Value::Table(t) = value else {
                    return Err(c.wrong(&path, key.span, "a table", &value));
                };
                c.known_keys(&t, &path, &TEMPLATE)?;
                let source = required_str(&c, &t, &path, "source")?;
                templates.push(Template {
                    name,
                    source: relative_path(&c, &path.key("source"), span_of(&t, "source"), source)?,
                    output: required_str(&c, &t, &path, "output")?,
                    globs: string_list(&c, &t, &path, "globs", false)?,
                    variables: match table_at(&c, &t, &path, "variables")? {
                        Some(v) => string_pairs(&c, &v, &path.key("variables"), false)?,
                        None => Vec::new(),
                    },
                    enabled: match t.get_spanned("enabled") {
                        None => true,
                        Some((Value::Boolean(b), _)) => b,
                        Some((other, span)) => {
                            return Err(c.wrong(
                                &path.key("enabled"),
                                span,
                                "true or false",
                                &other,
                            ));
                        }
                    },
                });
            }
        }

        let mut generators = Vec::new();
        let generators_path = ROOT.key("generators");
        match root.get_spanned("generators") {
            None => {}
            Some((Value::Array(array), _)) => {
                for (i, (value, span)) in array.iter_spanned().enumerate() {
                    let path = generators_path.index(i);
                    let Value::Table(t) = value else {
                        return Err(c.wrong(&path, span, "a table (`[[generators]]`)", &value));
                    };
                    c.known_keys(&t, &path, &GENERATOR)?;
                    let refs = string_list(&c, &t, &path, "templates", false)?;
                    for (k, name) in refs.iter().enumerate() {
                        if !templates.iter().any(|t| t.name == *name) {
                            let names: Vec<&str> = templates.iter().map(|t| t.name).collect();
                            let hint = match closest(name, &names) {
                                Some(n) => format!("; did you mean `{n}`?"),
                                None if names.is_empty() => {
                                    "; the config has no `[templates.<name>]`".to_string()
                                }
                                None => format!("; the templates are {}", list(&names)),
                            };
                            return Err(c.error(
                                &path.key("templates").index(k),
                                span_of(&t, "templates"),
                                format!("names no template (`{name}`){hint}"),
                            ));
                        }
                    }
                    generators.push(Generator {
                        name: required_str(&c, &t, &path, "name")?,
                        templates: refs,
                        inputs: string_list(&c, &t, &path, "inputs", true)?,
                        env: match table_at(&c, &t, &path, "env")? {
                            Some(v) => string_pairs(&c, &v, &path.key("env"), false)?,
                            None => Vec::new(),
                        },
                    });
                }
            }
            Some((other, span)) => {
                return Err(c.wrong(
                    &generators_path,
                    span,
                    "an array of tables (`[[generators]]`)",
                    &other,
                ));
            }
        }

        let mut limits = Limits::default();
        let limits_path = ROOT.key("limits");
        if let Some(t) = table_at(&c, &root, &ROOT, "limits")? {
            c.known_keys(&t, &limits_path, &LIMITS)?;
            if let Some(n) = integer_in(&c, &t, &limits_path, "concurrency", 1, 1024)? {
                limits.concurrency = n as usize;
            }
            if let Some(n) = integer_in(&c, &t, &limits_path, "max_file_size", 1, i64::MAX)? {
                limits.max_file_size = n as u64;
            }
        }

        Ok(Config {
            project,
            paths,
            templates,
            generators,
            limits,
        })
    }
}

/// The span of `key`'s value in `table` (the table's span if absent).
fn span_of(table: &Table<'_, '_>, key: &str) -> Span {
    table.get_spanned(key).map_or(table.span(), |(_, s)| s)
}

fn required_str<'d>(
    c: &Checker<'_>,
    t: &Table<'d, '_>,
    path: &KeyPath<'_>,
    key: &str,
) -> Result<&'d str, ConfigError> {
    optional_str(c, t, path, key)?.ok_or_else(|| c.error(&path.key(key), t.span(), "is required"))
}

fn optional_str<'d>(
    c: &Checker<'_>,
    t: &Table<'d, '_>,
    path: &KeyPath<'_>,
    key: &str,
) -> Result<Option<&'d str>, ConfigError> {
    match t.get_spanned(key) {
        None => Ok(None),
        Some((value, span)) => match value.as_str() {
            Some(s) => Ok(Some(s)),
            None => Err(c.wrong(&path.key(key), span, "a string", &value)),
        },
    }
}

fn table_at<'d, 'a>(
    c: &Checker<'_>,
    t: &Table<'d, 'a>,
    path: &KeyPath<'_>,
    key: &str,
) -> Result<Option<Table<'d, 'a>>, ConfigError> {
    match t.get_spanned(key) {
        None => Ok(None),
        Some((Value::Table(table), _)) => Ok(Some(table)),
        Some((other, span)) => Err(c.wrong(&path.key(key), span, "a table", &other)),
    }
}

fn string_list<'d>(
    c: &Checker<'_>,
    t: &Table<'d, '_>,
    path: &KeyPath<'_>,
    key: &str,
    paths: bool,
) -> Result<Vec<&'d str>, ConfigError> {
    let full = path.key(key);
    match t.get_spanned(key) {
        None => Ok(Vec::new()),
        Some((Value::Array(array), _)) => array
            .iter_spanned()
            .enumerate()
            .map(|(i, (value, span))| {
                let item = full.index(i);
                let s = value
                    .as_str()
                    .ok_or_else(|| c.wrong(&item, span, "a string", &value))?;
                if paths {
                    relative_path(c, &item, span, s)
                } else {
                    Ok(s)
                }
            })
            .collect(),
        Some((other, span)) => Err(c.wrong(&full, span, "an array of strings", &other)),
    }
}

fn string_pairs<'d>(
    c: &Checker<'_>,
    t: &Table<'d, '_>,
    path: &KeyPath<'_>,
    paths: bool,
) -> Result<Vec<(&'d str, &'d str)>, ConfigError> {
    t.iter()
        .map(|(key, value)| {
            let full = path.key(key.as_str());
            let s = value
                .as_str()
                .ok_or_else(|| c.wrong(&full, key.span, "a string", &value))?;
            let s = if paths {
                relative_path(c, &full, span_of(t, key.as_str()), s)?
            } else {
                s
            };
            Ok((key.as_str(), s))
        })
        .collect()
}

fn integer_in(
    c: &Checker<'_>,
    t: &Table<'_, '_>,
    path: &KeyPath<'_>,
    key: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, ConfigError> {
    match t.get_spanned(key) {
        None => Ok(None),
        Some((Value::Integer(n), span)) => {
            if n < min || n > max {
                Err(c.error(
                    &path.key(key),
                    span,
                    format!("must be between {min} and {max}, found {n}"),
                ))
            } else {
                Ok(Some(n))
            }
        }
        Some((other, span)) => Err(c.wrong(&path.key(key), span, "an integer", &other)),
    }
}

/// A path of the project, checked by [`path_problem`], as a configuration error at `path`.
fn relative_path<'d>(
    c: &Checker<'_>,
    path: &KeyPath<'_>,
    span: Span,
    value: &'d str,
) -> Result<&'d str, ConfigError> {
    match path_problem(value) {
        None => Ok(value),
        Some(problem) => Err(c.error(path, span, problem)),
    }
}

/// What is wrong with a path of the project, if anything: it must be relative, not empty, and
/// never above the project (`..` may not climb out of it). The message follows the key path.
pub(crate) fn path_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must be a relative path, found an empty string".to_string());
    }
    if value.starts_with('/')
        || value.starts_with('\\')
        || value.get(1..3) == Some(":\\")
        || value.get(1..3) == Some(":/")
    {
        return Some(format!("must be a relative path, found `{value}`"));
    }
    let mut depth: i64 = 0;
    for part in value.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Some(format!("escapes the project directory (`{value}`)"));
                }
            }
            _ => depth += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"[project]
name = "demo"
version = "1.0.0"
output_dir = "gen"

[paths]
schemas = "schemas"

[templates.api]
source = "templates/api.tmpl"
output = "api/{name}.rs"
globs = ["schemas/*.json"]
variables = { module = "api" }

[templates.docs]
source = "templates/docs.tmpl"
output = "docs/{name}.md"
enabled = false

[[generators]]
name = "rust"
templates = ["api", "docs"]
inputs = ["schemas/user.json"]
env = { RUST_LOG = "info" }

[limits]
concurrency = 4
"#;

    fn check(src: &str) -> Result<String, String> {
        let doc = crate::parse(src).map_err(|e| e.to_string())?;
        Config::from_document(&doc)
            .map(|c| format!("{c:?}"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_whole_config_is_read_and_borrows_from_the_input() {
        let doc = crate::parse(GOOD).expect("valid TOML");
        let config = Config::from_document(&doc).expect("valid config");
        assert_eq!(config.project.name, "demo");
        assert_eq!(config.project.output_dir, "gen");
        assert_eq!(config.paths, vec![("schemas", "schemas")]);
        assert_eq!(config.templates.len(), 2);
        assert_eq!(config.templates[0].variables, vec![("module", "api")]);
        assert!(!config.templates[1].enabled);
        assert_eq!(config.generators[0].templates, vec!["api", "docs"]);
        assert_eq!(config.generators[0].env, vec![("RUST_LOG", "info")]);
        assert_eq!(config.limits.concurrency, 4);
        assert_eq!(config.limits.max_file_size, 10 * 1024 * 1024);
        // Zero-copy: the name is a slice of the input itself.
        let range = GOOD.as_bytes().as_ptr_range();
        assert!(range.contains(&config.project.name.as_ptr()));
    }

    #[test]
    fn bad_input_names_the_key_and_the_position() {
        let cases: [(&str, &str); 9] = [
            (
                "[project]\nname = 1\n",
                "`project.name` must be a string, found integer (line 2, column 8)",
            ),
            (
                "[paths]\n",
                "`project` is required: add a `[project]` table with a `name` (line 1, column 1)",
            ),
            (
                "[project]\nversion = \"1\"\n",
                "`project.name` is required (line 1, column 1)",
            ),
            (
                "[project]\nname = \"x\"\n[templates.api]\nsource = \"/etc/passwd\"\noutput = \"o\"\n",
                "`templates.api.source` must be a relative path, found `/etc/passwd` (line 4, column 10)",
            ),
            (
                "[project]\nname = \"x\"\noutput_dir = \"a/../../up\"\n",
                "`project.output_dir` escapes the project directory (`a/../../up`) (line 3, column 14)",
            ),
            (
                "[project]\nname = \"x\"\n[templates.api]\nsorce = \"t\"\n",
                "`templates.api.sorce` is not a known key; did you mean `templates.api.source`? (line 4, column 1)",
            ),
            (
                "[project]\nname = \"x\"\n[templates.api]\nsource = \"t\"\noutput = \"o\"\n[[generators]]\nname = \"g\"\ntemplates = [\"apu\"]\n",
                "`generators[0].templates[0]` names no template (`apu`); did you mean `api`? (line 8, column 13)",
            ),
            (
                "[project]\nname = \"x\"\n[limits]\nconcurrency = 0\n",
                "`limits.concurrency` must be between 1 and 1024, found 0 (line 4, column 15)",
            ),
            (
                "[projekt]\nname = \"x\"\n",
                "`projekt` is not a known key; did you mean `project`? (line 1, column 2)",
            ),
        ];
        for (src, expected) in cases {
            assert_eq!(check(src).expect_err(src), expected, "{src}");
        }
    }

    #[test]
    fn suggestions_only_for_close_keys() {
        assert_eq!(closest("sorce", &TEMPLATE), Some("source"));
        assert_eq!(closest("xyz", &TEMPLATE), None);
        assert_eq!(distance("kitten", "sitting"), 3);
        let err = check("[project]\nname = \"x\"\nzzz = 1\n").expect_err("unknown");
        assert!(
            err.contains("the keys here are `name`, `version`, `output_dir`"),
            "{err}"
        );
    }
}
