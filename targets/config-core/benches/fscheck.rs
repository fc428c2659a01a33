//! Checking a configuration's paths on disk (the seed's A4 and C2): the plain way (a `stat` per
//! path), the cached way (one listing per parent directory), the cached way on a rayon pool
//! (feature `parallel`) and the bounded way (`limits.concurrency` workers, one open file
//! each), on a generated tree of 500 files in 10 directories. Prints the file-system calls of
//! each way once, then criterion times them. These are system calls, so wall time (and the
//! call counts), not instruction counts, are the figures.
//!
//! Run with `cargo bench -p config-core --features parallel --bench fscheck`.

use std::hint::black_box;
use std::path::Path;

use config_core::fscheck::{self, Kind, OpenGauge, PathItem};
use criterion::{Criterion, criterion_group, criterion_main};

const DIRS: usize = 10;
const FILES_PER_DIR: usize = 50;

fn tree(root: &Path) -> Vec<PathItem<'static>> {
    let mut items = Vec::new();
    for d in 0..DIRS {
        let dir = format!("dir{d}");
        std::fs::create_dir_all(root.join(&dir)).expect("mkdir");
        items.push(PathItem {
            key_path: format!("paths.{dir}"),
            path: Box::leak(dir.clone().into_boxed_str()),
            kind: Kind::Dir,
        });
        for f in 0..FILES_PER_DIR {
            let file = format!("{dir}/input{f}.json");
            std::fs::write(root.join(&file), "{}").expect("write");
            items.push(PathItem {
                key_path: format!("generators[0].inputs[{}]", d * FILES_PER_DIR + f),
                path: Box::leak(file.into_boxed_str()),
                kind: Kind::File,
            });
        }
    }
    items
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let items = tree(dir.path());
    let plain = fscheck::check_plain(dir.path(), &items, 1 << 20).expect("valid");
    let cached = fscheck::check_cached(dir.path(), &items, 1 << 20).expect("valid");
    let gauge = OpenGauge::default();
    fscheck::check_bounded(dir.path(), &items, 1 << 20, 8, &gauge).expect("valid");
    println!(
        "fscheck: {} paths; plain {} stat; cached {} listings + {} stat; bounded (8 workers) at most {} files open at once",
        items.len(),
        plain.stats,
        cached.listings,
        cached.stats,
        gauge.most()
    );
    let mut group = c.benchmark_group("fscheck");
    group.bench_function("plain", |b| {
        b.iter(|| fscheck::check_plain(dir.path(), black_box(&items), 1 << 20))
    });
    group.bench_function("cached", |b| {
        b.iter(|| fscheck::check_cached(dir.path(), black_box(&items), 1 << 20))
    });
    #[cfg(feature = "parallel")]
    {
        let parallel = fscheck::check_parallel(dir.path(), &items, 1 << 20, 8).expect("valid");
        println!(
            "fscheck: parallel (rayon, 8 workers) {} listings + {} stat",
            parallel.listings, parallel.stats
        );
        group.bench_function("parallel-8", |b| {
            b.iter(|| fscheck::check_parallel(dir.path(), black_box(&items), 1 << 20, 8))
        });
    }
    group.bench_function("bounded-8", |b| {
        b.iter(|| {
            fscheck::check_bounded(
                dir.path(),
                black_box(&items),
                1 << 20,
                8,
                &OpenGauge::default(),
            )
        })
    });
    group.finish();

    // A5: eager (every template's source checked when the config is read) against lazy (only
    // the two templates a run uses), on the committed medium generator config.
    let medium = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/data/generator/ggen.toml"
    );
    let src = std::fs::read_to_string(medium).expect("the medium config");
    let base = Path::new(medium).parent().expect("its folder");
    let doc = config_core::parse(&src).expect("TOML");
    let config = config_core::Config::from_document(&doc).expect("a config");
    let templates: Vec<PathItem<'_>> = fscheck::items(&config)
        .into_iter()
        .filter(|i| i.key_path.starts_with("templates."))
        .collect();
    let lazy = fscheck::LazyTemplates::new(base, &config);
    lazy.get("api");
    lazy.get("client");
    println!(
        "fscheck: eager checks {} template sources, lazy (2 used) {}",
        templates.len(),
        lazy.stats()
    );
    let mut group = c.benchmark_group("validation");
    group.bench_function("eager-12-templates", |b| {
        b.iter(|| fscheck::check_plain(base, black_box(&templates), 1 << 20))
    });
    group.bench_function("lazy-2-of-12-used", |b| {
        b.iter(|| {
            let lazy = fscheck::LazyTemplates::new(base, &config);
            black_box(lazy.get("api").map(|r| r.is_ok()));
            black_box(lazy.get("client").map(|r| r.is_ok()))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
