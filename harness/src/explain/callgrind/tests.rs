use super::*;

const PLAIN: &str = include_str!("../fixtures/plain_literal_long.out");
const SCANNER: &str = include_str!("../fixtures/scanner_literal_long.out");
const SLOW_A: &str = include_str!("../fixtures/slow_a.out");
const SLOW_B: &str = include_str!("../fixtures/slow_b.out");

fn parsed(text: &str) -> CallgrindProfile {
    match parse(text) {
        Ok(p) => p,
        Err(e) => panic!("fixture does not parse: {e}"),
    }
}

fn get<'a>(p: &'a CallgrindProfile, name: &str) -> &'a Function {
    p.function(name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

fn call(p: &CallgrindProfile, caller: &str, callee: &str) -> Call {
    let caller = p.functions.iter().position(|f| f.name == caller).unwrap();
    let callee = p.functions.iter().position(|f| f.name == callee).unwrap();
    p.calls
        .iter()
        .find(|c| c.caller == caller && c.callee == callee)
        .cloned()
        .unwrap_or_else(|| panic!("no call {caller} → {callee}"))
}

#[test]
fn the_real_profile_totals_its_summary_and_its_self_costs() {
    let p = parsed(PLAIN);
    assert_eq!(p.events.len(), 9);
    assert_eq!(p.events[0], "Ir");
    assert_eq!(p.total, 163_882, "summary: 163882");
    let self_sum: u64 = p.functions.iter().map(|f| f.exclusive).sum();
    assert_eq!(self_sum, p.total);

    let scan = get(&p, "config_core::scan_compare::literal_text_end_plain");
    assert_eq!(scan.exclusive, 163_845);
    assert_eq!(scan.inclusive, 163_845);
    assert_eq!(scan.line, 103, "the loop's line, its hottest");
    assert!(
        scan.file
            .ends_with("targets/config-core/src/scan_compare.rs"),
        "{}",
        scan.file
    );

    // own file iai_scanner.rs from line 77; inlined hint.rs and scan_compare.rs lines count as
    // self cost but not as its line
    let wrapper = get(&p, "iai_scanner::plain::__iai_callgrind_wrapper_mod::plain");
    assert_eq!(wrapper.exclusive, 37);
    assert_eq!(wrapper.inclusive, 37 + 163_845);
    assert_eq!(wrapper.line, 77);
    assert!(wrapper.file.ends_with("benches/iai_scanner.rs"));

    let loader = get(&p, "0x000000000001ab70");
    assert_eq!(loader.inclusive, p.total);
    assert_eq!(
        loader.object,
        "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    );
    assert_eq!(loader.file, "???");
    assert_eq!(loader.line, 0);
}

#[test]
fn the_same_name_in_two_objects_is_two_functions_and_cob_picks_the_callee() {
    let p = parsed(PLAIN);
    let below: Vec<&Function> = p
        .functions
        .iter()
        .filter(|f| f.name == "(below main)")
        .collect();
    assert_eq!(below.len(), 2);
    let libc = p
        .index_of("/usr/lib/x86_64-linux-gnu/libc.so.6", "(below main)")
        .unwrap();
    let bench = p
        .index_of(
            "/build/perfgate/target/release/deps/iai_scanner-c28074c85c721081",
            "(below main)",
        )
        .unwrap();
    // both only call on: no self cost, all of the run inclusive
    for f in [libc, bench] {
        assert_eq!(p.functions[f].exclusive, 0);
        assert_eq!(p.functions[f].inclusive, p.total);
    }
    assert_eq!(p.functions[libc].line, 58, "the line of its call");
    // the loader calls the bench's (below main) through cob=; libc's start calls libc's own
    // (below main), no cob= (the caller's object)
    let loader = p.index_of(
        "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        "0x000000000001ab70",
    );
    assert!(
        p.calls
            .iter()
            .any(|c| Some(c.caller) == loader && c.callee == bench)
    );
    let start = p
        .index_of(
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "__libc_start_main@@GLIBC_2.34",
        )
        .unwrap();
    assert!(
        p.calls
            .iter()
            .any(|c| c.caller == start && c.callee == libc)
    );
    assert!(
        p.calls
            .iter()
            .any(|c| c.caller == bench && c.callee == start)
    );
}

#[test]
fn the_second_real_profile_parses_too() {
    let p = parsed(SCANNER);
    assert_eq!(p.total, 41_536);
    let self_sum: u64 = p.functions.iter().map(|f| f.exclusive).sum();
    assert_eq!(self_sum, p.total);
    let f = get(&p, "config_core::scan_compare::literal_text_end_optimised");
    assert_eq!(f.inclusive, 41_499);
    assert_eq!(
        f.line, 148,
        "the scanner's word loop, inlined: its hottest line"
    );
}

#[test]
fn exclusive_and_inclusive_costs_of_the_hand_made_profile() {
    let p = parsed(SLOW_A);
    assert_eq!(p.events, vec!["Ir", "Dr"]);
    assert_eq!(p.total, 1000);
    let costs: Vec<(&str, u64, u64, u32)> = p
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.exclusive, f.inclusive, f.line))
        .collect();
    assert_eq!(
        costs,
        vec![
            ("main", 10, 1000, 3),
            ("work", 100, 990, 20),
            ("slow", 600, 600, 30),
            ("fast", 290, 290, 40),
        ]
    );
    let slow = get(&p, "slow");
    assert_eq!(
        slow.file, "src/work.rs",
        "fi= does not change the function's file"
    );
    assert_eq!(slow.object, "/bin/app");
    assert_eq!(
        call(&p, "work", "slow"),
        Call {
            caller: 1,
            callee: 2,
            count: 2,
            inclusive: 600
        }
    );
    assert_eq!(call(&p, "main", "work").inclusive, 990);
}

#[test]
fn compressed_names_and_positions_resolve() {
    let p = parsed(SLOW_B);
    assert_eq!(p.total, 1590);
    let names: Vec<&str> = p.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["main", "work", "slow", "fast"]);
    assert!(p.functions.iter().all(|f| f.object == "/bin/app"));
    let slow = get(&p, "slow");
    assert_eq!(
        (slow.exclusive, slow.inclusive, slow.line),
        (1200, 1200, 30)
    );
    assert_eq!(slow.file, "src/work.rs");
    assert_eq!(get(&p, "work").file, "src/work.rs");
    assert_eq!(get(&p, "main").inclusive, 1590);
    assert_eq!(call(&p, "work", "slow").count, 4);
}

#[test]
fn instruction_positions_hex_and_relative_subpositions() {
    let text = "\
positions: instr line
events: Ir
ob=(1) /bin/app
fl=(1) src/main.rs
fn=(1) main
0x1000 3 4
+2 +1 6
cfl=(2) src/lib.rs
cfn=(2) tokenize
calls=2 0x2000 10
* * 30
-1 -2 1
fl=(2)
fn=(2)
0x2000 10 12
+4 * 18
ob=(2) /lib/other.so
fn=(3) other
cob=(1)
cfn=(1)
calls=1 0x1000
0x50 0 9
";
    let p = parsed(text);
    let main = get(&p, "main");
    // Own costs: line 3 → 4, line 4 → 6, line 2 → 1 (after the call's cost line on line 4).
    assert_eq!((main.exclusive, main.inclusive, main.line), (11, 41, 4));
    assert_eq!(main.file, "src/main.rs");
    let tokenize = get(&p, "tokenize");
    assert_eq!((tokenize.exclusive, tokenize.line), (30, 10));
    assert_eq!(tokenize.file, "src/lib.rs");
    let other = get(&p, "other");
    assert_eq!((other.exclusive, other.inclusive), (0, 9));
    assert_eq!(other.object, "/lib/other.so");
    // cob=(1) resolved to /bin/app: the call goes to the same main
    assert_eq!(p.functions.iter().filter(|f| f.name == "main").count(), 1);
    assert_eq!(call(&p, "other", "main").count, 1);
    assert_eq!(p.total, 11 + 30);
}

#[test]
fn direct_recursion_is_not_counted_twice() {
    let text = "\
events: Ir
fl=fact.rs
fn=main
1 5
cfn=fact
calls=1 10
2 60
fn=fact
10 40
cfn=fact
calls=3 10
11 120
cfn=leaf
calls=1 20
12 20
fn=leaf
20 20
";
    let p = parsed(text);
    let fact = get(&p, "fact");
    assert_eq!((fact.exclusive, fact.inclusive), (40, 60));
    assert_eq!(get(&p, "main").inclusive, 65);
    assert_eq!(p.total, 65, "no summary: the sum of self costs");
    let recursive = call(&p, "fact", "fact");
    assert_eq!((recursive.count, recursive.inclusive), (3, 120));
}

#[test]
fn ir_is_found_among_other_events_and_missing_columns_are_zero() {
    let text = "\
events: Dr Ir Dw
summary: 7 30
fn=a
1 5 10 1
2 3
3 1 20
cfn=b
calls=1 5
3 0 0
fn=b
5 2
";
    let p = parsed(text);
    assert_eq!(p.total, 30);
    let a = get(&p, "a");
    assert_eq!((a.exclusive, a.inclusive), (30, 30));
    assert_eq!(get(&p, "b").exclusive, 0, "only a Dr count");
}

#[test]
fn blocks_of_one_function_merge_and_its_hottest_line_places_it() {
    let text = "\
events: Ir
ob=app
fl=a.rs
fn=f
fi=inlined.rs
100 5
fe=a.rs
7 3
fl=b.rs
fn=g
1 1
fl=c.rs
fn=f
50 4
";
    let p = parsed(text);
    assert_eq!(p.functions.len(), 2);
    let f = get(&p, "f");
    // Own costs: inlined.rs:100 → 5, a.rs:7 → 3, c.rs:50 → 4; the hottest line wins.
    assert_eq!(
        (f.exclusive, f.file.as_str(), f.line),
        (12, "inlined.rs", 100)
    );
}

#[test]
fn a_function_only_called_takes_its_file_from_the_call() {
    let text = "\
events: Ir
fl=a.rs
fn=f
1 1
cfi=lib.rs
cfn=g
calls=1 9
1 0
cfn=h
calls=1 9
1 0
";
    let p = parsed(text);
    assert_eq!(get(&p, "g").file, "lib.rs");
    assert_eq!(get(&p, "h").file, "a.rs", "cfi= applies to one call");
}

#[test]
fn cob_applies_to_the_next_call_only() {
    let text = "\
events: Ir
ob=x
fn=a
cob=y
cfn=b
calls=1 0
1 5
cfn=c
calls=1 0
1 7
ob=y
fn=b
1 5
ob=x
fn=c
1 7
";
    let p = parsed(text);
    assert!(p.index_of("y", "b").is_some());
    assert!(p.index_of("x", "c").is_some());
    assert_eq!(p.functions.len(), 3);
    assert_eq!(get(&p, "a").inclusive, 12);
}

#[test]
fn jump_lines_carry_no_cost() {
    let text = "\
positions: instr line
events: Ir
fn=a
0x10 1 3
jcnd=1/2 +4 2
* 1
+4 2 5
jump=1 0x10 1
* 2
";
    let p = parsed(text);
    assert_eq!(get(&p, "a").exclusive, 8);
}

#[test]
fn parts_add_up_their_totals() {
    let text = "\
events: Ir
part: 1
summary: 10
fn=a
1 10
totals: 10
part: 2
summary: 20
fn=a
1 20
totals: 20
";
    let p = parsed(text);
    assert_eq!(p.total, 30);
    assert_eq!(get(&p, "a").exclusive, 30);
}

#[test]
fn windows_line_endings_and_comments_are_read() {
    let p = parsed("# a comment\r\nevents: Ir\r\n\r\nfn=a\r\n1 4\r\n");
    assert_eq!(get(&p, "a").exclusive, 4);
}

#[track_caller]
fn error(text: &str) -> String {
    match parse(text) {
        Ok(p) => panic!("parsed: {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_name_the_line_and_the_fault() {
    assert_eq!(
        parse("events: Ir\nfn=a\n1 x\n").expect_err("a bad cost"),
        CallgrindError {
            line: 3,
            problem: "cost `x` is not a number".into()
        }
    );
    assert_eq!(
        error("events: Ir\nfn=a\n1 x\n"),
        "line 3: cost `x` is not a number"
    );
    assert_eq!(
        error("events: Ir\nfn=a\ncfn=(3)\n"),
        "line 3: compressed function (3) is used before a line defines it"
    );
    assert_eq!(
        error("events: Ir\nfn=a\ncfn=b\ncalls=1 0\nfn=c\n1 1\n"),
        "line 5: expected the cost line of the calls= on line 4, found `fn=c`"
    );
    assert_eq!(
        error("events: Ir\nfn=a\ncfn=b\ncalls=1 0\n"),
        "line 4: the file ends before the cost line of the calls= on line 4"
    );
    assert_eq!(
        error("fn=a\n1 2\n"),
        "line 2: cost line before the events: line"
    );
    assert_eq!(
        error("events: Ir\n\n1 2\n"),
        "line 3: cost line outside a function (no fn= before it)"
    );
    assert_eq!(
        error("events: Ir\nfn=a\nhello world\n"),
        "line 3: unrecognised line `hello world`"
    );
    assert_eq!(
        error("events: Ir Dr\nfn=a\n1 2 3 4\n"),
        "line 3: 3 costs on a line, but the events: line names 2"
    );
    assert_eq!(
        error("events: Ir\nfn=a\ncalls=1 0\n1 2\n"),
        "line 3: calls= names no called function (no cfn= before it)"
    );
    assert_eq!(
        error("events: Ir\nfn=a\ncfn=b\ncalls=x 0\n1 2\n"),
        "line 4: calls= count `x` is not a number"
    );
    assert_eq!(
        error("positions: instr line\nevents: Ir\nfn=a\n0x10\n"),
        "line 4: cost line `0x10` has fewer than 2 positions"
    );
    assert_eq!(
        error("positions: line column\n"),
        "line 1: unknown position `column` (callgrind writes instr, bb and line)"
    );
    assert_eq!(
        error("events: Ir\nsummary: 12k\n"),
        "line 2: summary: `12k` is not a number"
    );
    assert_eq!(
        error("# callgrind format\nversion: 1\n"),
        "line 2: the file ends without an events: line"
    );
    assert_eq!(
        error("events: Ir\nfn=(4 main\n"),
        "line 2: compressed function name `(4 main` has no `)`"
    );
}

#[test]
fn a_truncated_real_profile_fails_where_it_ends() {
    let cut = PLAIN.find("calls=1 29").unwrap() + "calls=1 29 \n".len();
    let e = error(&PLAIN[..cut]);
    assert!(e.contains("the file ends before the cost line"), "{e}");
}
