use super::*;
use crate::model::Config;

const GENERATOR: &str = include_str!("../../benches/data/generator/ggen.toml");

fn serde_error(src: &str) -> String {
    let doc = crate::parse(src).expect("valid TOML");
    SerdeConfig::from_document(&doc)
        .expect_err("an invalid config")
        .to_string()
}

#[test]
fn agrees_with_the_hand_written_model_on_the_generator_config() {
    let doc = crate::parse(GENERATOR).expect("valid TOML");
    let hand = Config::from_document(&doc).expect("a valid config");
    let serde = SerdeConfig::from_document(&doc).expect("a valid config");

    assert_eq!(serde.project.name, hand.project.name);
    assert_eq!(serde.project.version, hand.project.version);
    assert_eq!(serde.project.output_dir, hand.project.output_dir);
    assert_eq!(serde.paths, hand.paths);
    assert_eq!(serde.templates.len(), hand.templates.len());
    for (s, h) in serde.templates.iter().zip(&hand.templates) {
        assert_eq!(s.name, h.name);
        assert_eq!(s.source, h.source);
        assert_eq!(s.output, h.output);
        assert_eq!(s.globs, h.globs);
        assert_eq!(s.variables, h.variables);
        assert_eq!(s.enabled, h.enabled, "{}", h.name);
    }
    assert_eq!(serde.generators.len(), hand.generators.len());
    for (s, h) in serde.generators.iter().zip(&hand.generators) {
        assert_eq!(s.name, h.name);
        assert_eq!(s.templates, h.templates);
        assert_eq!(s.inputs, h.inputs);
        assert_eq!(s.env, h.env);
    }
    assert_eq!(serde.limits.concurrency, hand.limits.concurrency);
    assert_eq!(serde.limits.max_file_size, hand.limits.max_file_size);
    // And as a whole, once converted.
    assert_eq!(Config::from(serde), hand);
}

#[test]
fn defaults_are_the_hand_written_model_s() {
    let src = "[project]\nname = \"x\"\n[templates.t]\nsource = \"t\"\noutput = \"o\"\n";
    let doc = crate::parse(src).expect("valid TOML");
    let hand = Config::from_document(&doc).expect("a valid config");
    let serde = SerdeConfig::from_document(&doc).expect("a valid config");
    assert_eq!(serde.project.output_dir, "out");
    assert!(serde.templates[0].enabled);
    assert_eq!(Config::from(serde), hand);
}

#[test]
fn borrowed_strings_point_into_the_input() {
    let doc = crate::parse(GENERATOR).expect("valid TOML");
    let config = SerdeConfig::from_document(&doc).expect("a valid config");
    let input = GENERATOR.as_bytes().as_ptr_range();
    let strings = [
        config.project.name,
        config.templates[0].name,
        config.templates[0].source,
        config.generators[0].inputs[0],
        config.generators[0].env[0].1,
    ];
    for s in strings {
        assert!(input.contains(&s.as_ptr()), "{s:?} was copied");
    }
    // A string with escapes cannot be a slice of the input: it is borrowed from the
    // document's decoded text instead, for as long as the document.
    let src = "[project]\nname = \"tab\\there\"\n";
    let doc = crate::parse(src).expect("valid TOML");
    let config = SerdeConfig::from_document(&doc).expect("a valid config");
    assert_eq!(config.project.name, "tab\there");
    assert!(
        !src.as_bytes()
            .as_ptr_range()
            .contains(&config.project.name.as_ptr())
    );
}

#[test]
fn errors_name_the_key_path_and_the_position() {
    let cases: [(&str, &str); 8] = [
        (
            "[project]\nname = \"x\"\n[templates.api]\nsource = \"/etc/passwd\"\noutput = \"o\"\n",
            "`templates.api.source` must be a relative path, found `/etc/passwd` (line 4, column 10)",
        ),
        (
            "[project]\nversion = \"1\"\n",
            "`project.name` is required (line 1, column 1)",
        ),
        ("[paths]\n", "`project` is required (line 1, column 1)"),
        (
            "[project]\nname = \"x\"\n[limits]\nconcurrency = 0\n",
            "`limits.concurrency` must be between 1 and 1024, found 0 (line 4, column 15)",
        ),
        (
            "[project]\nname = \"x\"\n[templates.api]\nsorce = \"t\"\n",
            "`templates.api.sorce` is not a known key; the keys here are `source`, `output`, \
             `globs`, `variables`, `enabled` (line 4, column 1)",
        ),
        (
            "[project]\nname = \"x\"\n[[generators]]\nname = \"g\"\n[[generators]]\nname = \"h\"\ninputs = [\"a\", \"../b\"]\n",
            "`generators[1].inputs[1]` escapes the project directory (`../b`) (line 7, column 16)",
        ),
        (
            "[project]\nname = \"x\"\n[templates.api]\nsource = \"t\"\noutput = \"o\"\n[[generators]]\nname = \"g\"\ntemplates = [\"apu\"]\n",
            "`generators[0].templates[0]` names no template (`apu`); the templates are `api` (line 8, column 13)",
        ),
        (
            "[project]\nname = 1\n",
            "`project.name` must be a borrowed string, found integer (line 2, column 8)",
        ),
    ];
    for (src, expected) in cases {
        assert_eq!(serde_error(src), expected, "{src}");
    }
}

#[test]
fn errors_convert_to_the_model_s_error() {
    let doc = crate::parse("[project]\nname = \"x\"\nzzz = 1\n").expect("valid TOML");
    let e: ConfigError = SerdeConfig::from_document(&doc)
        .expect_err("unknown key")
        .into();
    assert_eq!(e.key_path, "project.zzz");
    assert_eq!((e.line, e.column), (3, 1));
    assert!(e.message.starts_with("is not a known key"), "{}", e.message);
}

#[test]
fn generic_values_and_unit_variants() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        Fast,
        Safe,
    }
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Doc<'d> {
        mode: Mode,
        modes: Vec<Mode>,
        when: String,
        ratio: f64,
        on: bool,
        #[serde(borrow)]
        pair: (i64, &'d str),
        maybe: Option<u8>,
        absent: Option<u8>,
    }
    let src = "mode = \"fast\"\nmodes = [\"safe\", \"fast\"]\nwhen = 1979-05-27T07:32:00Z\n\
               ratio = 0.5\non = true\npair = [1, \"a\"]\nmaybe = 3\n";
    let doc = crate::parse(src).expect("valid TOML");
    let got: Doc<'_> = from_document(&doc).expect("deserializes");
    assert_eq!(
        got,
        Doc {
            mode: Mode::Fast,
            modes: vec![Mode::Safe, Mode::Fast],
            when: "1979-05-27T07:32:00Z".to_string(),
            ratio: 0.5,
            on: true,
            pair: (1, "a"),
            maybe: Some(3),
            absent: None,
        }
    );
    let doc = crate::parse("pair = [1, \"a\", 2]\n").expect("valid TOML");
    let e =
        from_document::<std::collections::BTreeMap<&str, (i64, &str)>>(&doc).expect_err("too long");
    assert_eq!(e.key_path(), "pair");
    let doc = crate::parse("mode = \"slow\"\n").expect("valid TOML");
    let e =
        from_document::<std::collections::BTreeMap<&str, Mode>>(&doc).expect_err("unknown variant");
    assert_eq!(e.key_path(), "mode");
    assert_eq!((e.line(), e.column()), (Some(1), Some(8)));
}
