use super::*;
use std::time::Instant;

pub(crate) fn sizes(file: u64, text: u64, symbols: &[(&str, &str, u64)]) -> SymbolSizes {
    SymbolSizes {
        file_size: file,
        text_size: text,
        symbols: symbols
            .iter()
            .map(|&(n, c, s)| (n.to_string(), c.to_string(), s))
            .collect(),
    }
}

#[test]
fn demangles_legacy_without_hash() {
    assert_eq!(
        demangle("_ZN4core3fmt5write17h0123456789abcdefE"),
        "core::fmt::write"
    );
    assert_eq!(
        demangle(
            "_ZN66_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0123456789abcdefE"
        ),
        "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop"
    );
}

#[test]
fn demangles_v0_without_disambiguators() {
    assert_eq!(
        demangle("_RNvMs_Cs9ouqcdLKNTu_7mycrateNtB4_4Wrap4push"),
        "<mycrate::Wrap>::push"
    );
    assert_eq!(
        demangle("_RNvXs0_Cs9ouqcdLKNTu_7mycrateINtNtCslNYArtu3iFV_5alloc3vec3VechENtB5_2Tr1fB5_"),
        "<alloc::vec::Vec<u8> as mycrate::Tr>::f"
    );
    assert_eq!(
        demangle("_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeNtCs9ouqcdLKNTu_7mycrate4WrapEBI_"),
        "core::ptr::drop_in_place::<mycrate::Wrap>"
    );
    assert_eq!(
        demangle("_RNvXNtCsgEmfK2I1SDS_4core3anyReNtB2_3Any7type_idCsjrHSEGnQ3l9_3std"),
        "<&str as core::any::Any>::type_id"
    );
}

#[test]
fn non_rust_names_pass_through() {
    assert_eq!(demangle("memcpy"), "memcpy");
    assert_eq!(demangle("__libc_start_main"), "__libc_start_main");
    assert_eq!(demangle("anon.0123abcd.0"), "anon.0123abcd.0");
}

#[test]
fn crate_of_plain_paths() {
    assert_eq!(crate_of("core::fmt::write"), "core");
    assert_eq!(crate_of("std::rt::lang_start::{{closure}}"), "std");
    assert_eq!(crate_of("alloc::vec::Vec<T,A>::push"), "alloc");
    assert_eq!(
        crate_of("core::ptr::drop_in_place::<mycrate::Wrap>"),
        "core"
    );
    assert_eq!(crate_of("perfgate::stats::mean"), "perfgate");
}

#[test]
fn crate_of_impls_is_the_self_types_crate() {
    assert_eq!(
        crate_of("<alloc::vec::Vec<T> as core::ops::Drop>::drop"),
        "alloc"
    );
    assert_eq!(crate_of("<alloc::vec::Vec<u8> as mycrate::Tr>::f"), "alloc");
    assert_eq!(crate_of("<mycrate::Wrap>::push"), "mycrate");
    assert_eq!(crate_of("<dyn core::any::Any>::is"), "core");
    assert_eq!(
        crate_of("<&mut alloc::string::String as core::fmt::Write>::write_str"),
        "alloc"
    );
    assert_eq!(
        crate_of("<&'a serde_json::Value as core::fmt::Debug>::fmt"),
        "serde_json"
    );
    assert_eq!(
        crate_of("<[alloc::string::String] as core::fmt::Debug>::fmt"),
        "alloc"
    );
    assert_eq!(
        crate_of("<<T as core::iter::IntoIterator>::IntoIter as mycrate::Tr>::f"),
        "core"
    );
    assert_eq!(crate_of("<fn() -> u8 as core::fmt::Debug>::fmt"), "core");
}

#[test]
fn crate_of_impls_on_non_paths_falls_back_to_the_trait() {
    assert_eq!(crate_of("<&T as core::fmt::Debug>::fmt"), "core");
    assert_eq!(crate_of("<&str as core::any::Any>::type_id"), "core");
    assert_eq!(crate_of("<u32 as perfgate::Foo>::f"), "perfgate");
    assert_eq!(crate_of("<[T]>::sort"), UNKNOWN_CRATE);
}

#[test]
fn crate_of_c_symbols_is_unknown() {
    for name in [
        "memcpy",
        "main",
        "_start",
        "__libc_start_main",
        "_ZNSt6vectorIiSaIiEE9push_backERKi",
        "anon.0123abcd.0",
        "",
        "::weird",
        "<unclosed",
    ] {
        assert_eq!(crate_of(name), UNKNOWN_CRATE, "{name}");
    }
}

#[test]
fn reads_this_test_binary() {
    let exe = std::env::current_exe().unwrap();
    let start = Instant::now();
    let sizes = read_symbols(&exe).unwrap();
    let took = start.elapsed();

    assert_eq!(sizes.file_size, std::fs::metadata(&exe).unwrap().len());
    assert!(sizes.text_size > 0);
    assert!(sizes.text_size < sizes.file_size);
    assert!(sizes.symbols.iter().all(|(_, _, s)| *s > 0));
    assert!(
        sizes
            .symbols
            .windows(2)
            .all(|w| (w[1].2, &w[0].0) <= (w[0].2, &w[1].0)),
        "largest first, then by name"
    );
    let mut names: Vec<&str> = sizes.symbols.iter().map(|s| s.0.as_str()).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "one entry per name");
    let hashed = |n: &str| {
        n.rsplit_once("::h")
            .is_some_and(|(_, h)| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()))
    };
    assert!(!names.iter().any(|n| hashed(n)), "no legacy hashes left");

    let crates: std::collections::BTreeSet<&str> =
        sizes.symbols.iter().map(|s| s.1.as_str()).collect();
    for krate in ["std", "core", "alloc", "perfgate"] {
        assert!(crates.contains(krate), "{krate} in {crates:?}");
    }
    assert!(
        sizes
            .symbols
            .iter()
            .any(|(n, c, _)| n == "perfgate::explain::symbols::read_symbols" && c == "perfgate"),
        "this function is found under its own name"
    );
    eprintln!(
        "{}: {} symbols in {} crates, {} bytes, {} of text, read in {took:?}",
        exe.display(),
        sizes.symbols.len(),
        crates.len(),
        sizes.file_size,
        sizes.text_size
    );
}

#[test]
fn a_binary_diffed_with_itself_is_empty() {
    let exe = std::env::current_exe().unwrap();
    let sizes = read_symbols(&exe).unwrap();
    let d = diff(&sizes, &sizes);
    assert!(d.symbols.is_empty());
    assert!(d.crates.is_empty());
    assert_eq!((d.file_a, d.text_a), (d.file_b, d.text_b));
    assert!(crate::render::sizes::render_table(&d, 10).contains("no symbol changed size"));
    assert!(crate::render::sizes::render_markdown(&d, 10).contains("No symbol changed size."));
}

#[test]
fn stripped_binary_is_an_error_that_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("stripped");
    std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
    let status = std::process::Command::new("strip")
        .arg(&copy)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run `strip` ({e}); install binutils, which the toolchain needs")
        });
    assert!(status.success(), "`strip` failed: {status}");

    let err = read_symbols(&copy).unwrap_err();
    assert!(matches!(err, SymbolError::Stripped { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("is stripped"), "{message}");
    assert!(message.contains("strip = false"), "{message}");
    assert!(message.contains("rebuild"), "{message}");
    assert!(
        message.contains(&format!("`{}`", copy.display())),
        "{message}"
    );
}

#[test]
fn text_file_is_not_an_object() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.sh");
    std::fs::write(&path, "#!/bin/sh\nexec ./bench \"$@\"\n").unwrap();
    let err = read_symbols(&path).unwrap_err();
    assert!(matches!(err, SymbolError::NotObject { .. }), "{err:?}");
    assert!(err.to_string().contains("is not an object file"), "{err}");
}

#[test]
fn missing_file_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing-here");
    let err = read_symbols(&path).unwrap_err();
    assert!(matches!(err, SymbolError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().starts_with("cannot read `"), "{err}");
}

pub(crate) fn sample() -> SizeDiff {
    let a = sizes(
        10_000,
        6_000,
        &[
            ("core::fmt::write", "core", 500),
            ("mycrate::grows", "mycrate", 100),
            ("mycrate::shrinks", "mycrate", 300),
            ("mycrate::same", "mycrate", 50),
            ("mycrate::gone", "mycrate", 40),
            ("memcpy", UNKNOWN_CRATE, 70),
            // Two entries of one name are summed.
            ("mycrate::dup", "mycrate", 5),
            ("mycrate::dup", "mycrate", 5),
        ],
    );
    let b = sizes(
        10_600,
        6_400,
        &[
            ("core::fmt::write", "core", 500),
            ("mycrate::grows", "mycrate", 400),
            ("mycrate::shrinks", "mycrate", 250),
            ("mycrate::same", "mycrate", 50),
            ("mycrate::new", "mycrate", 40),
            ("alloc::new_thing", "alloc", 300),
            ("memcpy", UNKNOWN_CRATE, 70),
            ("mycrate::dup", "mycrate", 10),
        ],
    );
    diff(&a, &b)
}

#[test]
fn diff_orders_by_growth_and_keeps_added_and_removed() {
    let d = sample();
    let rows: Vec<(&str, &str, u64, u64)> = d
        .symbols
        .iter()
        .map(|s| (s.name.as_str(), s.crate_name.as_str(), s.a, s.b))
        .collect();
    assert_eq!(
        rows,
        [
            // +300 twice: by name.
            ("alloc::new_thing", "alloc", 0, 300),
            ("mycrate::grows", "mycrate", 100, 400),
            ("mycrate::new", "mycrate", 0, 40),
            ("mycrate::gone", "mycrate", 40, 0),
            ("mycrate::shrinks", "mycrate", 300, 250),
        ]
    );
    assert_eq!(d.symbols[3].delta(), -40);
    assert_eq!(
        (d.file_a, d.file_b, d.text_a, d.text_b),
        (10_000, 10_600, 6_000, 6_400)
    );
}

#[test]
fn diff_totals_crates_and_drops_unchanged_ones() {
    let d = sample();
    assert_eq!(
        d.crates,
        [
            CrateChange {
                crate_name: "alloc".into(),
                a: 0,
                b: 300
            },
            CrateChange {
                crate_name: "mycrate".into(),
                a: 500,
                b: 750
            },
        ]
    );
}
