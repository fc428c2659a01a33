//! The parser's table rules and value forms, one `check` helper per outcome.

use crate::{Value, parse};

/// Parses `src` and renders the document compactly: `{a=1,b=[2,3]}`.
fn render(src: &str) -> String {
    fn value(v: Value<'_, '_>, out: &mut String) {
        match v {
            Value::String(s) => out.push_str(&format!("{:?}", s.as_str())),
            Value::Integer(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&format!("{f:?}")),
            Value::Boolean(b) => out.push_str(&b.to_string()),
            Value::Datetime(d) => out.push_str(&d.to_string()),
            Value::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    value(v, out);
                }
                out.push(']');
            }
            Value::Table(t) => {
                out.push('{');
                for (i, (k, v)) in t.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(k.as_str());
                    out.push('=');
                    value(v, out);
                }
                out.push('}');
            }
        }
    }
    let doc = parse(src).unwrap_or_else(|e| panic!("rejected:\n{e}"));
    let mut out = String::new();
    value(Value::Table(doc.root()), &mut out);
    out
}

#[track_caller]
fn check(src: &str, expected: &str) {
    assert_eq!(render(src), expected, "source:\n{src}");
}

#[track_caller]
fn check_error(src: &str, message: &str) {
    match parse(src) {
        Ok(doc) => panic!("accepted: {doc:?}\nsource:\n{src}"),
        Err(e) => assert!(
            e.to_string().contains(message),
            "message `{e}` lacks `{message}`"
        ),
    }
}

#[test]
fn key_values_keep_insertion_order() {
    check("b = 1\na = 'x'\nc = true", r#"{b=1,a="x",c=true}"#);
    check("a.b.c = 1\na.d = 2", "{a={b={c=1},d=2}}");
    check("\"a b\" . 'c' = 1", "{a b={c=1}}");
}

#[test]
fn headers_and_arrays_of_tables() {
    check("[a.b]\nx = 1\n[a]\ny = 2", "{a={b={x=1},y=2}}");
    check(
        "[[t]]\nn = 1\n[[t]]\nn = 2\n[t.sub]\nk = 3",
        "{t=[{n=1},{n=2,sub={k=3}}]}",
    );
    check(
        "[fruit]\napple.color = 1\n[fruit.apple.texture]\nsmooth = true",
        "{fruit={apple={color=1,texture={smooth=true}}}}",
    );
}

#[test]
fn arrays_and_inline_tables() {
    check("a = [1, [2, 3], {x = 'y'},]\n", r#"{a=[1,[2,3],{x="y"}]}"#);
    check("a = [\n  1, # one\n  2\n]", "{a=[1,2]}");
    check("p = { a.b = 1, a.c = 2 }", "{p={a={b=1,c=2}}}");
}

#[test]
fn redefinitions_are_rejected() {
    check_error("[a]\n[a]", "duplicate table header `a`");
    check_error("a = 1\na = 2", "duplicate key `a`");
    check_error("a.b = 1\n[a]", "already defined by dotted keys");
    check_error("a = {}\n[a.b]", "cannot extend inline table `a`");
    check_error("a = []\n[[a]]", "cannot append to array value");
    check_error("[[a]]\n[a]", "expected a table, found an array of tables");
    check_error("p = {a = 1}\np.b = 2", "cannot extend inline table `p`");
    check_error("[a.b]\n[a]\nb.c = 1", "cannot extend with dotted keys");
}

#[test]
fn syntax_errors_name_line_column_and_token() {
    check_error("a = 1\nb = tru\n", "line 2, column 5");
    check_error("a = 1\nb = tru\n", "expected a value, found `tru`");
    check_error("a = {b = 1,}", "no trailing comma");
    check_error("a = { b = 1\n}", "on one line");
    check_error("a = \"x", "expected the closing quote of a basic string");
    check_error(
        "[a\nb = 1",
        "expected `]` to close the table header, found a newline",
    );
    check_error("[t]\nx.y = [1, 2, nope]", "(in `t.x.y`)");
}

#[test]
fn nesting_is_limited() {
    let ok = format!(
        "a = {}{}",
        "[".repeat(crate::MAX_NESTING),
        "]".repeat(crate::MAX_NESTING)
    );
    assert!(parse(&ok).is_ok());
    let deep = format!("a = {}", "[".repeat(100_000));
    check_error(&deep, "levels of nested arrays and inline tables");
    let deep_tables = format!("a = {}", "{b = ".repeat(100_000));
    check_error(&deep_tables, "levels of nested arrays and inline tables");
}

#[test]
fn strings_borrow_unless_escaped() {
    let src = "a = \"plain\"\nb = \"esc\\n\"\nc = '''\nlit'''\n";
    let doc = parse(src).expect("valid");
    let get = |k: &str| match doc.get(k) {
        Some(Value::String(s)) => s,
        other => panic!("{k}: {other:?}"),
    };
    assert!(get("a").is_borrowed());
    assert!(!get("b").is_borrowed());
    assert_eq!(get("b").as_str(), "esc\n");
    assert!(get("c").is_borrowed());
    assert_eq!(get("c").as_str(), "lit");
}

#[test]
fn large_tables_use_the_index() {
    let src: String = (0..1000).map(|i| format!("k{i} = {i}\n")).collect();
    let doc = parse(&src).expect("valid");
    assert_eq!(doc.root().len(), 1000);
    assert_eq!(doc.get("k999").and_then(|v| v.as_integer()), Some(999));
    assert!(doc.get("k1000").is_none());
    let dup = format!("{src}k500 = 1\n");
    check_error(&dup, "duplicate key `k500`");
}
