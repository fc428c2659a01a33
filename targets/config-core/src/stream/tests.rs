use super::*;

fn stream(text: &str) -> Result<StreamSummary, StreamError> {
    check(text.as_bytes())
}

/// The position and message of a rejected stream.
fn refusal(text: &str) -> (u64, usize, String) {
    match stream(text) {
        Err(StreamError::Invalid {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn sections_are_split_at_top_level_headers_only() {
    let text = "title = \"x\"\n\
                [a]\n\
                s = \"\"\"\n[not.a.header]\n\"\"\"\n\
                l = '''\n[nor.this]'''\n\
                arr = [\n[1, 2],\n  [3],\n]\n\
                c = \"[q]\" # [comment]\n\
                [[b]]\n\
                k = 1\n\
                [[b]]\n\
                k = 2\n";
    let summary = stream(text).expect("valid");
    assert_eq!(summary.sections, 4);
    assert_eq!(summary.headers, 3);
    assert_eq!(summary.lines, text.lines().count() as u64);
    assert_eq!(summary.bytes, text.len() as u64);
}

#[test]
fn a_table_defined_twice_is_refused_where_the_second_header_names_it() {
    let (line, column, message) = refusal("[a]\nx = 1\n\n[b]\n[ a ]\ny = 2\n");
    assert_eq!((line, column), (5, 3));
    assert_eq!(message, "duplicate table header");
}

#[test]
fn cross_section_conflicts_follow_the_parser() {
    let cases = [
        // A header naming a key an earlier section gave a value.
        (
            "[a]\nb = 1\n[a.b]\n",
            "expected a table, found integer already defined",
        ),
        ("[a]\nb = 1\n[a.b.c]\n", "expected a table, found integer"),
        (
            "[a]\nb = {}\n[a.b]\n",
            "cannot define table already defined as an inline table",
        ),
        ("[a]\nb = [1]\n[[a.b]]\n", "cannot append to array value"),
        ("[a]\nb = [1]\n[a.b.c]\n", "cannot extend array value"),
        ("[a]\nb = {}\n[a.b.c]\n", "cannot extend inline table"),
        // Dotted keys define tables a header may not define again.
        (
            "[a]\nb.c = 1\n[a.b]\n",
            "cannot define table already defined by dotted keys",
        ),
        // An array of tables and a table of one name.
        (
            "[[a]]\n[a]\n",
            "expected a table, found array of tables already defined",
        ),
        (
            "[a]\n[[a]]\n",
            "expected an array of tables, found table already defined",
        ),
        // A body key naming a table an earlier header made.
        ("[a.b]\n[a]\nb = 1\n", "duplicate key"),
        ("[a.b.c]\n[a]\nb.d = 1\n", "duplicate key"),
    ];
    for (text, expected) in cases {
        let (_, _, message) = refusal(text);
        assert!(
            message.starts_with(expected),
            "{text:?}: `{message}` does not start with `{expected}`"
        );
        assert!(crate::parse(text).is_err(), "the parser accepts {text:?}");
    }
}

#[test]
fn what_toml_allows_across_sections_is_accepted() {
    let cases = [
        "[a.b]\n[a]\nc = 1\n",
        "[a]\nb.c = 1\n[a.b.d]\n",
        "[[a]]\n[a.b]\n[[a]]\n[a.b]\n",
        "[[a.b]]\n[a]\nc = 1\n[[a.b]]\n",
        "x.y = 1\n[x.z]\n",
    ];
    for text in cases {
        assert!(crate::parse(text).is_ok(), "the parser refuses {text:?}");
        stream(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

#[test]
fn a_parse_error_is_placed_in_the_whole_stream() {
    let (line, column, message) = refusal("[a]\nx = 1\n[b]\ny = 1\nz = \n");
    assert_eq!((line, column), (5, 5));
    assert!(message.contains("expected a value"), "{message}");
}

#[test]
fn array_elements_are_forgotten_when_the_next_starts() {
    let mut text = String::from("[templates.api]\nsource = \"a\"\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "[[generators]]\nname = \"g{i}\"\ninputs = [\"x\", \"y\"]\nk{i} = 1\n[generators.env]\nK = \"v\"\n"
        ));
    }
    let summary = stream(&text).expect("valid");
    assert_eq!(summary.headers, 2001);
    // templates, api, source, generators, and the last element's name, inputs, k999, env, K.
    assert_eq!(summary.registry_entries, 9);
    // The per-element key names are distinct, and each is kept once.
    assert!(summary.names >= 1000);
}

#[test]
fn sections_are_visited_with_their_header_path() {
    let text = "top = 1\n[a.\"b.c\"]\nx = 1\n[[d]]\ny = 2\n";
    let mut seen = Vec::new();
    check_sections(text.as_bytes(), |path, table| {
        let keys: Vec<String> = table.iter().map(|(k, _)| k.as_str().to_string()).collect();
        seen.push((path.join("/"), keys));
        Ok(())
    })
    .expect("valid");
    assert_eq!(
        seen,
        [
            (String::new(), vec!["top".to_string()]),
            ("a/b.c".to_string(), vec!["x".to_string()]),
            ("d".to_string(), vec!["y".to_string()]),
        ]
    );
}

#[test]
fn a_visitor_refusal_stops_the_check_at_its_section() {
    let text = "[a]\nx = 1\n[b]\ny = 1\n";
    let result = check_sections(text.as_bytes(), |path, _| {
        if path == ["b"] {
            Err("no b here".to_string())
        } else {
            Ok(())
        }
    });
    match result {
        Err(StreamError::Invalid { line, message, .. }) => {
            assert_eq!((line, message.as_str()), (3, "no b here"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_read_error_is_reported_as_such() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk gone"))
        }
    }
    let result = check(std::io::BufReader::new(Failing));
    assert!(matches!(result, Err(StreamError::Read(_))), "{result:?}");
    let text = result.map(|_| ()).unwrap_err().to_string();
    assert_eq!(text, "cannot read the document: disk gone");
}

#[test]
fn crlf_and_non_utf8_input() {
    stream("[a]\r\nx = 1\r\n[b]\r\n").expect("valid CRLF");
    let bad = b"[a]\nx = \"\xff\"\n";
    let result = check(&bad[..]);
    match result {
        Err(StreamError::Invalid { line, message, .. }) => {
            assert_eq!(line, 2);
            assert!(message.contains("UTF-8"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
