//! The code generator's configuration declared with `#[derive(Deserialize)]`: the serde side
//! of the A3 comparison, checked by the same rules as the hand-written [`Config`].

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Visitor};

use super::{Error, Segment, from_document};
use crate::model::{Config, Generator, Limits, Project, Template};
use crate::value::Document;

/// The whole configuration, as [`Config`] but built by `#[derive(Deserialize)]`. Convert it
/// with `Config::from`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct SerdeConfig<'d> {
    /// `[project]`.
    #[serde(borrow)]
    pub project: SerdeProject<'d>,
    /// `[paths]`: name → relative directory, in the order written.
    #[serde(default, borrow, deserialize_with = "path_pairs")]
    pub paths: Vec<(&'d str, &'d str)>,
    /// `[templates.<name>]`, in the order written.
    #[serde(default, borrow, deserialize_with = "templates")]
    pub templates: Vec<SerdeTemplate<'d>>,
    /// `[[generators]]`, in the order written.
    #[serde(default, borrow)]
    pub generators: Vec<SerdeGenerator<'d>>,
    /// `[limits]`.
    #[serde(default)]
    pub limits: SerdeLimits,
}

/// `[project]`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct SerdeProject<'d> {
    /// The project's name.
    pub name: &'d str,
    /// Its version, if given.
    #[serde(default, borrow)]
    pub version: Option<&'d str>,
    /// Where generated files go, relative to the project; `out` if not given.
    #[serde(default = "default_output_dir", deserialize_with = "relative_path")]
    pub output_dir: &'d str,
}

/// `[templates.<name>]`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct SerdeTemplate<'d> {
    /// The template's name (its table's key).
    #[serde(skip)]
    pub name: &'d str,
    /// The template file, relative to the project.
    #[serde(deserialize_with = "relative_path")]
    pub source: &'d str,
    /// The pattern of the files it writes.
    pub output: &'d str,
    /// Globs of the inputs it applies to.
    #[serde(default, borrow)]
    pub globs: Vec<&'d str>,
    /// Variables passed to it, in the order written.
    #[serde(default, borrow, deserialize_with = "pairs")]
    pub variables: Vec<(&'d str, &'d str)>,
    /// Whether it runs; `true` if not given.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
}

/// `[[generators]]`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct SerdeGenerator<'d> {
    /// The generator's name.
    pub name: &'d str,
    /// The templates it runs, by name (each names a template of the config).
    #[serde(default, borrow)]
    pub templates: Vec<&'d str>,
    /// Its input files, relative to the project.
    #[serde(default, borrow, deserialize_with = "relative_paths")]
    pub inputs: Vec<&'d str>,
    /// Environment variables it sets, in the order written.
    #[serde(default, borrow, deserialize_with = "pairs")]
    pub env: Vec<(&'d str, &'d str)>,
}

/// `[limits]`, with the hand-written model's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default, expecting = "a table")]
pub struct SerdeLimits {
    /// How many files are processed at once (1 to 1024; default 8).
    #[serde(deserialize_with = "concurrency")]
    pub concurrency: usize,
    /// The largest input file, in bytes (at least 1; default 10 MiB).
    #[serde(deserialize_with = "max_file_size")]
    pub max_file_size: u64,
}

impl Default for SerdeLimits {
    fn default() -> Self {
        let Limits {
            concurrency,
            max_file_size,
        } = Limits::default();
        SerdeLimits {
            concurrency,
            max_file_size,
        }
    }
}

impl<'d> SerdeConfig<'d> {
    /// The configuration of a parsed document, through serde: the same checks as
    /// [`Config::from_document`] (relative paths, limits in range, generators naming known
    /// templates), with errors naming the key path and the position.
    pub fn from_document(doc: &'d Document<'_>) -> Result<SerdeConfig<'d>, Error> {
        let config: SerdeConfig<'d> = from_document(doc)?;
        config.check_references(doc)?;
        Ok(config)
    }

    /// Every template a generator names must exist (a check across tables, so made after
    /// deserializing; the position is looked up only on error).
    fn check_references(&self, doc: &Document<'_>) -> Result<(), Error> {
        for (i, generator) in self.generators.iter().enumerate() {
            for (k, name) in generator.templates.iter().enumerate() {
                if self.templates.iter().any(|t| t.name == *name) {
                    continue;
                }
                let offset = doc
                    .get("generators")
                    .and_then(|v| v.as_array())
                    .and_then(|a| a.get(i))
                    .and_then(|v| v.as_table())
                    .and_then(|t| t.get_spanned("templates"))
                    .map_or(0, |(_, span)| span.start);
                let hint = if self.templates.is_empty() {
                    "; the config has no `[templates.<name>]`".to_string()
                } else {
                    let names: Vec<String> = self
                        .templates
                        .iter()
                        .map(|t| format!("`{}`", t.name))
                        .collect();
                    format!("; the templates are {}", names.join(", "))
                };
                let segments = vec![
                    Segment::Index(k),
                    Segment::Key("templates".to_string()),
                    Segment::Index(i),
                    Segment::Key("generators".to_string()),
                ];
                return Err(Error::at(
                    doc.source(),
                    offset,
                    segments,
                    format!("names no template (`{name}`){hint}"),
                ));
            }
        }
        Ok(())
    }
}

impl<'d> From<SerdeConfig<'d>> for Config<'d> {
    /// The hand-written model's type (moves only: no string is copied).
    fn from(c: SerdeConfig<'d>) -> Config<'d> {
        Config {
            project: Project {
                name: c.project.name,
                version: c.project.version,
                output_dir: c.project.output_dir,
            },
            paths: c.paths,
            templates: c
                .templates
                .into_iter()
                .map(|t| Template {
                    name: t.name,
                    source: t.source,
                    output: t.output,
                    globs: t.globs,
                    variables: t.variables,
                    enabled: t.enabled,
                })
                .collect(),
            generators: c
                .generators
                .into_iter()
                .map(|g| Generator {
                    name: g.name,
                    templates: g.templates,
                    inputs: g.inputs,
                    env: g.env,
                })
                .collect(),
            limits: Limits {
                concurrency: c.limits.concurrency,
                max_file_size: c.limits.max_file_size,
            },
        }
    }
}

fn default_output_dir() -> &'static str {
    "out"
}

fn default_enabled() -> bool {
    true
}

/// A path of the project: the hand-written model's rule ([`crate::model::path_problem`]).
fn check_relative(value: &str) -> Result<(), String> {
    crate::model::path_problem(value).map_or(Ok(()), Err)
}

/// A relative path as a seed, so that a bad path is reported at its own key or index.
struct RelativePath;

impl<'de> DeserializeSeed<'de> for RelativePath {
    type Value = &'de str;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<&'de str, D::Error> {
        let s = <&'de str>::deserialize(d)?;
        check_relative(s).map_err(de::Error::custom)?;
        Ok(s)
    }
}

fn relative_path<'de, D: de::Deserializer<'de>>(d: D) -> Result<&'de str, D::Error> {
    RelativePath.deserialize(d)
}

fn relative_paths<'de, D: de::Deserializer<'de>>(d: D) -> Result<Vec<&'de str>, D::Error> {
    struct Paths;
    impl<'de> Visitor<'de> for Paths {
        type Value = Vec<&'de str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of relative paths")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(path) = seq.next_element_seed(RelativePath)? {
                out.push(path);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Paths)
}

/// A table of strings, kept in the order written; with `paths`, each value a relative path.
struct Pairs {
    paths: bool,
}

impl<'de> Visitor<'de> for Pairs {
    type Value = Vec<(&'de str, &'de str)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of strings")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<&'de str>()? {
            let value = if self.paths {
                map.next_value_seed(RelativePath)?
            } else {
                map.next_value::<&'de str>()?
            };
            out.push((key, value));
        }
        Ok(out)
    }
}

fn pairs<'de, D: de::Deserializer<'de>>(d: D) -> Result<Vec<(&'de str, &'de str)>, D::Error> {
    d.deserialize_map(Pairs { paths: false })
}

fn path_pairs<'de, D: de::Deserializer<'de>>(d: D) -> Result<Vec<(&'de str, &'de str)>, D::Error> {
    d.deserialize_map(Pairs { paths: true })
}

/// `[templates.<name>]` tables in the order written, each named by its key.
fn templates<'de, D: de::Deserializer<'de>>(d: D) -> Result<Vec<SerdeTemplate<'de>>, D::Error> {
    struct Templates;
    impl<'de> Visitor<'de> for Templates {
        type Value = Vec<SerdeTemplate<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table of templates")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(name) = map.next_key::<&'de str>()? {
                let mut template: SerdeTemplate<'de> = map.next_value()?;
                template.name = name;
                out.push(template);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Templates)
}

/// An integer in `min..=max`.
fn integer_in<'de, D: de::Deserializer<'de>>(d: D, min: i64, max: i64) -> Result<i64, D::Error> {
    let n = i64::deserialize(d)?;
    if n < min || n > max {
        return Err(de::Error::custom(format!(
            "must be between {min} and {max}, found {n}"
        )));
    }
    Ok(n)
}

fn concurrency<'de, D: de::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    // In range, so the conversion is exact.
    integer_in(d, 1, 1024).map(|n| n as usize)
}

fn max_file_size<'de, D: de::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    // Positive, so the conversion is exact.
    integer_in(d, 1, i64::MAX).map(|n| n as u64)
}
