//! Checking a [`Config`]'s paths against the file system: every named directory is a
//! directory, every template source and generator input a file no larger than
//! `limits.max_file_size`. The only module of the library that touches the file system.
//!
//! Two ways, the plain one beside the optimised one (the seed's A4): [`check_plain`] asks the
//! file system once per path (`stat`); [`check_cached`] lists each parent directory once
//! (`read_dir`) and answers every path under it from that listing, then `stat`s only the files
//! whose size it needs. Both count the file-system calls they make, so the saving is measured,
//! not guessed. [`check_parallel`] (feature `parallel`, rayon) checks the directories' groups
//! of paths on a pool of `limits.concurrency` threads; [`check_bounded`] is the bound on open
//! files the seed's C2 asks for.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::model::{Config, ConfigError};

/// What a path must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A directory.
    Dir,
    /// A regular file (size checked against the limit).
    File,
}

/// One path of the configuration to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathItem<'d> {
    /// The key path that names it (`templates.api.source`).
    pub key_path: String,
    /// The path as written, relative to the configuration's directory.
    pub path: &'d str,
    /// What it must be.
    pub kind: Kind,
}

/// The paths of a configuration, in order: `[paths]` (directories), template sources and
/// generator inputs (files).
pub fn items<'d>(config: &Config<'d>) -> Vec<PathItem<'d>> {
    let mut out = Vec::new();
    for (name, path) in &config.paths {
        out.push(PathItem {
            key_path: format!("paths.{name}"),
            path,
            kind: Kind::Dir,
        });
    }
    for t in &config.templates {
        out.push(PathItem {
            key_path: format!("templates.{}.source", t.name),
            path: t.source,
            kind: Kind::File,
        });
    }
    for (i, g) in config.generators.iter().enumerate() {
        for (k, input) in g.inputs.iter().enumerate() {
            out.push(PathItem {
                key_path: format!("generators[{i}].inputs[{k}]"),
                path: input,
                kind: Kind::File,
            });
        }
    }
    out
}

/// The result of a check: how many paths, and how many file-system calls it took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Paths checked.
    pub paths: usize,
    /// `stat` calls made.
    pub stats: usize,
    /// Directory listings made.
    pub listings: usize,
}

impl Checked {
    /// The line a check prints: "ok: `name`: N templates, N generators, N paths checked".
    pub fn summary(&self, config: &Config<'_>) -> String {
        format!(
            "ok: `{}`: {} templates, {} generators, {} paths checked\n",
            config.project.name,
            config.templates.len(),
            config.generators.len(),
            self.paths
        )
    }
}

/// Why a path failed: its key path and the problem (the position is added by the caller, who
/// has the source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathProblem {
    /// The key path.
    pub key_path: String,
    /// The path as written.
    pub path: String,
    /// What is wrong: "does not exist", "is a directory, not a file"…
    pub problem: String,
}

impl PathProblem {
    /// The problem as a [`ConfigError`], placed at the path's text in `src` when the path is a
    /// slice of it (a string without escapes), else at the start.
    pub fn into_error(self, src: &str, path_ptr: *const u8) -> ConfigError {
        let offset = (path_ptr as usize)
            .checked_sub(src.as_ptr() as usize)
            .filter(|&o| o <= src.len())
            .unwrap_or(0);
        // The opening quote is one byte before the text.
        ConfigError::at(
            src,
            offset.saturating_sub(1),
            &self.key_path,
            format!("names `{}`, which {}", self.path, self.problem),
        )
    }
}

fn problem(item: &PathItem<'_>, text: impl Into<String>) -> PathProblem {
    PathProblem {
        key_path: item.key_path.clone(),
        path: item.path.to_string(),
        problem: text.into(),
    }
}

/// Judges one path from its metadata (or its absence).
fn judge(
    item: &PathItem<'_>,
    meta: Option<&fs::Metadata>,
    max_size: u64,
) -> Result<(), PathProblem> {
    match (item.kind, meta) {
        (_, None) => Err(problem(item, "does not exist")),
        (Kind::Dir, Some(m)) if !m.is_dir() => Err(problem(item, "is not a directory")),
        (Kind::File, Some(m)) if m.is_dir() => Err(problem(item, "is a directory, not a file")),
        (Kind::File, Some(m)) if m.len() > max_size => Err(problem(
            item,
            format!(
                "is {} bytes, over `limits.max_file_size` ({max_size})",
                m.len()
            ),
        )),
        _ => Ok(()),
    }
}

/// The plain way: one `stat` per path (following symbolic links; a loop or a dangling link
/// is "does not exist").
pub fn check_plain(
    base: &Path,
    items: &[PathItem<'_>],
    max_size: u64,
) -> Result<Checked, PathProblem> {
    let mut checked = Checked::default();
    for item in items {
        let meta = fs::metadata(base.join(item.path)).ok();
        checked.stats += 1;
        judge(item, meta.as_ref(), max_size)?;
        checked.paths += 1;
    }
    Ok(checked)
}

/// Checks every path of `config` (read from `src`, relative to `base`) the cached way; a
/// problem becomes a [`ConfigError`] placed at the path's text in `src`. What `ggen-config
/// check` runs.
pub fn check_config(base: &Path, config: &Config<'_>, src: &str) -> Result<Checked, ConfigError> {
    let items = items(config);
    check_cached(base, &items, config.limits.max_file_size).map_err(|p| {
        let ptr = items
            .iter()
            .find(|i| i.key_path == p.key_path)
            .map_or(std::ptr::null(), |i| i.path.as_ptr());
        p.into_error(src, ptr)
    })
}

/// The cached way: each parent directory is listed once; a path whose parent listing lacks it
/// does not exist without a `stat`; directories are answered from the listing's file types;
/// files are `stat`ed for their size (and symbolic links followed).
pub fn check_cached(
    base: &Path,
    items: &[PathItem<'_>],
    max_size: u64,
) -> Result<Checked, PathProblem> {
    let mut checked = Checked::default();
    let mut listings: HashMap<PathBuf, Option<Listing>> = HashMap::new();
    for item in items {
        let full = base.join(item.path);
        let listing = match split(&full) {
            Some((parent, _)) => listings.entry(parent.to_path_buf()).or_insert_with(|| {
                checked.listings += 1;
                list(parent)
            }),
            None => &None,
        };
        judge_listed(item, &full, listing.as_ref(), max_size, &mut checked)?;
    }
    Ok(checked)
}

/// The names in a directory, each with "is a directory".
type Listing = HashMap<String, bool>;

/// A path's parent and last name; `None` for a path ending in `.` or `..` (asked of the file
/// system directly).
fn split(full: &Path) -> Option<(&Path, String)> {
    match (full.parent(), full.file_name()) {
        (Some(p), Some(n)) => Some((p, n.to_string_lossy().into_owned())),
        _ => None,
    }
}

/// Lists `dir` (`None` when it cannot be listed).
fn list(dir: &Path) -> Option<Listing> {
    fs::read_dir(dir).ok().map(|entries| {
        entries
            .flatten()
            .map(|e| {
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                (e.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect()
    })
}

/// Judges one path from its parent's listing, `stat`ing it only when the listing cannot answer
/// (a file, whose size is needed; a link; an unlistable parent; no parent).
fn judge_listed(
    item: &PathItem<'_>,
    full: &Path,
    listing: Option<&Listing>,
    max_size: u64,
    checked: &mut Checked,
) -> Result<(), PathProblem> {
    let name = split(full).map(|(_, name)| name);
    match (listing, name) {
        (Some(l), Some(name)) if !l.contains_key(&name) => {
            return Err(problem(item, "does not exist"));
        }
        (Some(l), Some(name)) if l.get(&name) == Some(&true) && item.kind == Kind::Dir => {}
        _ => {
            let meta = fs::metadata(full).ok();
            checked.stats += 1;
            judge(item, meta.as_ref(), max_size)?;
        }
    }
    checked.paths += 1;
    Ok(())
}

/// The cached way in parallel (the seed's A4 with rayon): the paths are grouped by parent
/// directory, and a pool of `workers` threads (`limits.concurrency`) checks the groups, each
/// listing its directory once and answering its paths as [`check_cached`] does. Files are
/// `stat`ed, never opened. The first problem in the configuration's order is returned, as the
/// sequential ways would; if the pool cannot be made, the check runs sequentially.
#[cfg(feature = "parallel")]
pub fn check_parallel(
    base: &Path,
    items: &[PathItem<'_>],
    max_size: u64,
    workers: usize,
) -> Result<Checked, PathProblem> {
    use rayon::prelude::*;
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()
    {
        Ok(pool) => pool,
        Err(_) => return check_cached(base, items, max_size),
    };
    // Parent directory → the indices of its paths, groups in first-seen order.
    let mut groups: Vec<(Option<PathBuf>, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<PathBuf, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        match split(&base.join(item.path)) {
            Some((parent, _)) => {
                let g = *group_of.entry(parent.to_path_buf()).or_insert_with(|| {
                    groups.push((Some(parent.to_path_buf()), Vec::new()));
                    groups.len() - 1
                });
                groups[g].1.push(i);
            }
            None => groups.push((None, vec![i])),
        }
    }
    let outcomes: Vec<Result<Checked, (usize, PathProblem)>> = pool.install(|| {
        groups
            .par_iter()
            .map(|(parent, indices)| {
                let mut checked = Checked::default();
                let listing = parent.as_deref().and_then(|p| {
                    checked.listings += 1;
                    list(p)
                });
                for &i in indices {
                    let item = &items[i];
                    let full = base.join(item.path);
                    judge_listed(item, &full, listing.as_ref(), max_size, &mut checked)
                        .map_err(|p| (i, p))?;
                }
                Ok(checked)
            })
            .collect()
    });
    let mut total = Checked::default();
    let mut first: Option<(usize, PathProblem)> = None;
    for outcome in outcomes {
        match outcome {
            Ok(c) => {
                total.paths += c.paths;
                total.stats += c.stats;
                total.listings += c.listings;
            }
            Err((i, p)) => {
                if first.as_ref().is_none_or(|(j, _)| i < *j) {
                    first = Some((i, p));
                }
            }
        }
    }
    match first {
        Some((_, p)) => Err(p),
        None => Ok(total),
    }
}

/// Lazy validation (the seed's A5): a template's source is checked on its first use, not when
/// the configuration is read, so a run that uses two templates of twelve pays for two checks.
/// Each result is kept (`OnceCell`), so a template is checked once; the message is the one the
/// eager check gives.
pub struct LazyTemplates<'c, 'd> {
    base: &'c Path,
    config: &'c Config<'d>,
    checked: Vec<std::cell::OnceCell<Result<(), PathProblem>>>,
    stats: std::cell::Cell<usize>,
}

impl<'c, 'd> LazyTemplates<'c, 'd> {
    /// Nothing is checked yet.
    pub fn new(base: &'c Path, config: &'c Config<'d>) -> Self {
        LazyTemplates {
            base,
            config,
            checked: (0..config.templates.len())
                .map(|_| std::cell::OnceCell::new())
                .collect(),
            stats: std::cell::Cell::new(0),
        }
    }

    /// The template called `name`, its source checked on first use; `None` if there is none.
    pub fn get(&self, name: &str) -> Option<Result<&'c crate::model::Template<'d>, PathProblem>> {
        let i = self.config.templates.iter().position(|t| t.name == name)?;
        let template = &self.config.templates[i];
        let result = self.checked[i].get_or_init(|| {
            let item = PathItem {
                key_path: format!("templates.{}.source", template.name),
                path: template.source,
                kind: Kind::File,
            };
            self.stats.set(self.stats.get() + 1);
            let meta = fs::metadata(self.base.join(item.path)).ok();
            judge(&item, meta.as_ref(), self.config.limits.max_file_size)
        });
        Some(result.clone().map(|()| template))
    }

    /// How many `stat` calls were made so far.
    pub fn stats(&self) -> usize {
        self.stats.get()
    }
}

/// How many files are open at once, and the most there ever were (the bound of
/// [`check_bounded`] is checked against it).
#[derive(Debug, Default)]
pub struct OpenGauge {
    now: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

impl OpenGauge {
    fn enter(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.most.fetch_max(now, SeqCst);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The most files that were open at once.
    pub fn most(&self) -> usize {
        self.most.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The bounded way (the seed's C2): at most `limit` worker threads (`limits.concurrency`), each
/// opening one file at a time to read its metadata, so never more than `limit` files are open
/// at once, whatever the number of paths. Directories are not opened. The first problem in
/// the configuration's order is returned, as the sequential ways would.
pub fn check_bounded(
    base: &Path,
    items: &[PathItem<'_>],
    max_size: u64,
    limit: usize,
    gauge: &OpenGauge,
) -> Result<Checked, PathProblem> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let first_problem: Mutex<Option<(usize, PathProblem)>> = Mutex::new(None);
    let workers = limit.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let full = base.join(item.path);
                    let meta = match item.kind {
                        Kind::Dir => fs::metadata(&full).ok(),
                        Kind::File => {
                            gauge.enter();
                            let meta = fs::File::open(&full).and_then(|f| f.metadata()).ok();
                            gauge.leave();
                            meta
                        }
                    };
                    if let Err(p) = judge(item, meta.as_ref(), max_size) {
                        let mut slot = first_problem.lock().unwrap_or_else(|e| e.into_inner());
                        if slot.as_ref().is_none_or(|(j, _)| i < *j) {
                            *slot = Some((i, p));
                        }
                    }
                }
            });
        }
    });
    match first_problem
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
    {
        Some((_, p)) => Err(p),
        None => Ok(Checked {
            paths: items.len(),
            stats: items.len(),
            listings: 0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary directory");
        fs::create_dir_all(dir.path().join("schemas")).expect("mkdir");
        fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
        for i in 0..20 {
            fs::write(dir.path().join(format!("schemas/s{i}.json")), "{}").expect("write");
        }
        fs::write(dir.path().join("templates/api.tmpl"), "x".repeat(100)).expect("write");
        dir
    }

    fn items_of(paths: &[(&'static str, Kind)]) -> Vec<PathItem<'static>> {
        paths
            .iter()
            .enumerate()
            .map(|(i, (path, kind))| PathItem {
                key_path: format!("k{i}"),
                path,
                kind: *kind,
            })
            .collect()
    }

    #[test]
    fn both_ways_agree_and_the_cache_makes_fewer_calls() {
        let dir = tree();
        let mut paths: Vec<(&'static str, Kind)> =
            vec![("schemas", Kind::Dir), ("templates/api.tmpl", Kind::File)];
        let names: Vec<&'static str> = (0..20)
            .map(|i| &*Box::leak(format!("schemas/s{i}.json").into_boxed_str()))
            .collect();
        paths.extend(names.iter().map(|n| (*n, Kind::File)));
        let items = items_of(&paths);
        let plain = check_plain(dir.path(), &items, 1000).expect("valid");
        let cached = check_cached(dir.path(), &items, 1000).expect("valid");
        assert_eq!(plain.paths, 22);
        assert_eq!(cached.paths, 22);
        assert_eq!(plain.stats, 22);
        assert_eq!(cached.listings, 3, "the base, schemas/ and templates/");
        assert_eq!(
            cached.stats, 21,
            "the directory is answered by its parent's listing"
        );
        #[cfg(feature = "parallel")]
        for workers in [1, 2, 8] {
            let parallel = check_parallel(dir.path(), &items, 1000, workers).expect("valid");
            assert_eq!(parallel, cached, "{workers} workers");
        }
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn the_parallel_way_reports_the_first_problem_in_order() {
        let dir = tree();
        let mut paths: Vec<(&'static str, Kind)> = (0..20)
            .map(|i| {
                (
                    &*Box::leak(format!("schemas/s{i}.json").into_boxed_str()),
                    Kind::File,
                )
            })
            .collect();
        // Problems in two directories; the earlier one (in the configuration) is reported.
        paths.insert(15, ("templates/nope.tmpl", Kind::File));
        paths.insert(17, ("schemas/missing.json", Kind::File));
        paths.push(("..", Kind::Dir));
        let items = items_of(&paths);
        for workers in [1, 4] {
            let p = check_parallel(dir.path(), &items, 1000, workers).expect_err("missing");
            assert_eq!(
                (p.key_path.as_str(), p.problem.as_str()),
                ("k15", "does not exist")
            );
        }
    }

    #[test]
    fn problems_name_the_key_and_the_path() {
        let dir = tree();
        #[cfg(feature = "parallel")]
        let parallel = |b: &Path, i: &[PathItem<'_>], m| check_parallel(b, i, m, 4);
        #[cfg(not(feature = "parallel"))]
        let parallel = check_cached;
        for check in [check_plain, check_cached, parallel] {
            let missing = items_of(&[("schemas/nope.json", Kind::File)]);
            let p = check(dir.path(), &missing, 1000).expect_err("missing");
            assert_eq!(p.problem, "does not exist");
            let dir_as_file = items_of(&[("schemas", Kind::File)]);
            assert_eq!(
                check(dir.path(), &dir_as_file, 1000)
                    .expect_err("dir")
                    .problem,
                "is a directory, not a file"
            );
            let big = items_of(&[("templates/api.tmpl", Kind::File)]);
            assert!(
                check(dir.path(), &big, 10)
                    .expect_err("big")
                    .problem
                    .contains("over `limits.max_file_size`")
            );
            let file_as_dir = items_of(&[("templates/api.tmpl", Kind::Dir)]);
            assert_eq!(
                check(dir.path(), &file_as_dir, 1000)
                    .expect_err("file")
                    .problem,
                "is not a directory"
            );
        }
    }

    #[test]
    fn a_symlink_loop_does_not_exist() {
        let dir = tree();
        std::os::unix::fs::symlink("loop-b", dir.path().join("loop-a")).expect("link");
        std::os::unix::fs::symlink("loop-a", dir.path().join("loop-b")).expect("link");
        for check in [check_plain, check_cached] {
            let items = items_of(&[("loop-a", Kind::File)]);
            assert_eq!(
                check(dir.path(), &items, 1000).expect_err("loop").problem,
                "does not exist"
            );
        }
    }

    #[test]
    fn a_hundred_thousand_paths_never_open_more_files_than_the_limit() {
        let dir = tree();
        let names: Vec<&'static str> = (0..20)
            .map(|i| &*Box::leak(format!("schemas/s{i}.json").into_boxed_str()))
            .collect();
        let items: Vec<PathItem<'static>> = (0..100_000)
            .map(|i| PathItem {
                key_path: format!("k{i}"),
                path: names[i % names.len()],
                kind: Kind::File,
            })
            .collect();
        for limit in [1, 3, 8] {
            let gauge = OpenGauge::default();
            let checked = check_bounded(dir.path(), &items, 1000, limit, &gauge).expect("valid");
            assert_eq!(checked.paths, 100_000);
            assert!(
                gauge.most() >= 1 && gauge.most() <= limit,
                "{} > {limit}",
                gauge.most()
            );
        }
        // The first problem in order wins, as in the sequential ways.
        let mut bad = items_of(&[
            ("schemas/s1.json", Kind::File),
            ("nope-1", Kind::File),
            ("nope-2", Kind::File),
        ]);
        bad.extend(items.iter().take(1000).cloned());
        let p =
            check_bounded(dir.path(), &bad, 1000, 4, &OpenGauge::default()).expect_err("missing");
        assert_eq!(p.path, "nope-1");
    }

    #[test]
    fn lazy_templates_check_on_first_use_with_the_eager_message() {
        let dir = tree();
        let src = "[project]\nname = \"x\"\n[templates.api]\nsource = \"templates/api.tmpl\"\noutput = \"o\"\n[templates.gone]\nsource = \"templates/gone.tmpl\"\noutput = \"o\"\n";
        let doc = crate::parse(src).expect("TOML");
        let config = Config::from_document(&doc).expect("config");
        let eager = check_plain(dir.path(), &items(&config), 1000).expect_err("gone is missing");
        let lazy = LazyTemplates::new(dir.path(), &config);
        assert_eq!(lazy.stats(), 0, "nothing checked when read");
        assert_eq!(
            lazy.get("api").expect("a template").expect("exists").name,
            "api"
        );
        assert_eq!(
            lazy.get("api").expect("a template").expect("exists").name,
            "api"
        );
        assert_eq!(lazy.stats(), 1, "checked once");
        assert_eq!(
            lazy.get("gone").expect("a template").expect_err("missing"),
            eager
        );
        assert!(lazy.get("nope").is_none());
    }
}
