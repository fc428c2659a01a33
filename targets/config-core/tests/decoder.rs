//! End-to-end tests of the `toml-test-decoder` binary: the toml-test decoder protocol as a
//! runner sees it (stdin in; tagged JSON on stdout and exit 0, or an error on stderr and exit
//! 1).

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the real decoder with `input` on stdin.
fn decode(input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_toml-test-decoder"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the decoder binary was built by cargo for this test");
    child
        .stdin
        .take()
        .expect("stdin was piped")
        .write_all(input)
        .expect("the decoder reads all of stdin");
    child
        .wait_with_output()
        .expect("the decoder runs to the end")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn valid_document_prints_tagged_json() {
    let out = decode(b"title = \"demo\"\n[owner]\nid = 7\nratio = 0.5\nok = true\n");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim_end(),
        concat!(
            r#"{"title":{"type":"string","value":"demo"},"#,
            r#""owner":{"id":{"type":"integer","value":"7"},"#,
            r#""ratio":{"type":"float","value":"0.5"},"ok":{"type":"bool","value":"true"}}}"#,
        )
    );
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

#[test]
fn empty_document_prints_an_empty_object() {
    let out = decode(b"");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim_end(), "{}");
}

#[test]
fn invalid_document_exits_1_with_line_and_column() {
    let out = decode(b"a = 1\nb = [1,,2]\n");
    assert_eq!(out.status.code(), Some(1), "stdout: {}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2"), "stderr: {stderr}");
    assert!(stderr.contains("column"), "stderr: {stderr}");
}

#[test]
fn non_utf8_input_exits_1_naming_line_and_column() {
    let out = decode(b"a = 1\nb = \"\xff\"\n");
    assert_eq!(out.status.code(), Some(1), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2, column 6"), "stderr: {stderr}");
    assert!(stderr.contains("UTF-8"), "stderr: {stderr}");
}

#[test]
fn tables_nested_as_deep_as_a_long_dotted_key_do_not_overflow_the_stack() {
    let depth = 100_000;
    let input = format!("{} = 1\n", vec!["a"; depth].join("."));
    let out = decode(input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let json = text(&out.stdout);
    assert_eq!(json.matches("{\"a\":").count(), depth);
    assert!(json.trim_end().ends_with(&"}".repeat(depth + 1)));
}
