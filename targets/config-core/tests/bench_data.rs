//! Owns the committed benchmark inputs in `benches/data/`: they must equal what
//! `benches/support/gen.rs` generates, and they must parse the same way with config-core and the
//! `toml` crate.
//!
//! Regenerate the files after changing the generator (a baseline migration: every bench id on
//! these inputs changes meaning) with
//! `UPDATE_BENCH_DATA=1 cargo test -p config-core --test bench_data`.

#[path = "../benches/support/gen.rs"]
mod datagen;

const REGENERATE: &str = "UPDATE_BENCH_DATA=1 cargo test -p config-core --test bench_data";

/// Top-level keys and leaf values (strings, numbers, booleans, date-times) of a document.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    top_level_keys: usize,
    leaf_values: usize,
}

fn shape_config_core(doc: &config_core::Document<'_>) -> Shape {
    fn leaves(value: config_core::Value<'_, '_>) -> usize {
        match value {
            config_core::Value::Array(array) => array.iter().map(leaves).sum(),
            config_core::Value::Table(table) => table.iter().map(|(_, v)| leaves(v)).sum(),
            _ => 1,
        }
    }
    let root = doc.root();
    Shape {
        top_level_keys: root.len(),
        leaf_values: root.iter().map(|(_, v)| leaves(v)).sum(),
    }
}

fn shape_toml(table: &toml::Table) -> Shape {
    fn leaves(value: &toml::Value) -> usize {
        match value {
            toml::Value::Array(array) => array.iter().map(leaves).sum(),
            toml::Value::Table(table) => table.values().map(leaves).sum(),
            _ => 1,
        }
    }
    Shape {
        top_level_keys: table.len(),
        leaf_values: table.values().map(leaves).sum(),
    }
}

#[test]
fn committed_inputs_match_the_generator() {
    let update = std::env::var_os("UPDATE_BENCH_DATA").is_some();
    let mut stale = Vec::new();
    for (name, _) in datagen::INPUTS {
        let generated = datagen::generate(name);
        let path = datagen::data_path(name);
        if update {
            std::fs::create_dir_all(path.parent().expect("data path has a parent"))
                .expect("create benches/data");
            // Write to a sibling file and rename, so an interrupted run leaves no partial input.
            let tmp = path.with_extension("toml.tmp");
            std::fs::write(&tmp, &generated).expect("write regenerated bench input");
            std::fs::rename(&tmp, &path).expect("replace bench input");
            eprintln!(
                "wrote {name}.toml: {} bytes, {} lines",
                generated.len(),
                generated.lines().count()
            );
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == generated => {}
            Ok(_) => stale.push(format!(
                "`benches/data/{name}.toml` differs from the generator"
            )),
            Err(e) => stale.push(format!("cannot read `benches/data/{name}.toml`: {e}")),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nregenerate the inputs with `{REGENERATE}` (this changes what the benchmarks measure)",
        stale.join("\n")
    );
}

#[test]
fn inputs_parse_with_toml_and_toml_spanner() {
    for (name, _) in datagen::INPUTS {
        let src = datagen::generate(name);
        if let Err(e) = src.parse::<toml::Table>() {
            panic!("`toml` rejects the {name} input: {e}");
        }
        let arena = toml_spanner::Arena::new();
        if let Err(e) = toml_spanner::parse(&src, &arena) {
            panic!("`toml-spanner` rejects the {name} input: {e:?}");
        }
    }
}

#[test]
fn inputs_parse_alike_with_config_core_and_toml() {
    for (name, _) in datagen::INPUTS {
        let src = datagen::generate(name);
        let expected: toml::Table = src
            .parse()
            .unwrap_or_else(|e| panic!("`toml` rejects the {name} input: {e}"));
        let doc = config_core::parse(&src)
            .unwrap_or_else(|e| panic!("config-core rejects the {name} input: {e}"));
        assert_eq!(
            shape_config_core(&doc),
            shape_toml(&expected),
            "config-core (left) and `toml` (right) disagree on the {name} input"
        );
    }
}
