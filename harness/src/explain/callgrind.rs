//! Callgrind's output format (the "callgrind format", version 1, as valgrind 3.x writes it and
//! iai-callgrind leaves one file of per bench) read into a call graph: every function with its
//! self and inclusive instruction count, every caller → callee edge with its call count and
//! cost.
//!
//! Pure: [`parse`] takes the file's text. Only the `Ir` event (instructions executed) is kept;
//! the other events of a cost line are checked to be numbers and dropped. A function is one
//! `(object, name)` pair, however many `fn=` blocks callgrind writes for it (one per source file
//! it has code from). Names are kept as callgrind writes them: already demangled, with `'2`
//! suffixes where `--separate-recs` split recursion levels.
//!
//! What the reader follows, beyond the obvious: name compression (`fn=(12) name` defines,
//! `fn=(12)` refers, one table for `ob`/`cob`, one for `fl`/`fi`/`fe`/`cfi`/`cfl`, one for
//! `fn`/`cfn`); position compression (`+3`, `-2`, `*`, hexadecimal `0x…`, any of `instr`, `bb`
//! and `line` in `positions:`); `fi=`/`fe=` switching the file of inlined code without leaving
//! the function; `cob=`/`cfi=` applying to the next call only, as KCachegrind reads them;
//! `jump=`/`jcnd=` (their position line carries no cost); several parts in one file (their
//! totals add up). Lines it has no use for (`desc:`, `cmd:`, `jfi=`, `rec=`, …) are skipped.

use std::collections::HashMap;

use serde::Serialize;

/// One callgrind output file, reduced to instruction counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallgrindProfile {
    /// The event names of the `events:` line, in order (`Ir Dr Dw …` or just `Ir`).
    pub events: Vec<String>,
    /// Instructions executed in the whole run: the `Ir` column (or the first event, when none
    /// is named `Ir`) of `totals:`, or of `summary:` where a part has no `totals:`, summed over
    /// parts; the sum of every function's self cost when the file declares neither.
    pub total: u64,
    /// Every function that has a cost or takes part in a call, in order of first appearance.
    pub functions: Vec<Function>,
    /// Every caller → callee pair, merged over call sites, in order of first appearance.
    pub calls: Vec<Call>,
}

/// A function: one `(object, name)` pair, all its `fn=` blocks merged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Function {
    /// The name as callgrind writes it (demangled by valgrind), e.g. `config_core::parse`,
    /// `(below main)`, `0x000000000001ab70` for code without symbols.
    pub name: String,
    /// The ELF object (`ob=`), empty when the file names none.
    pub object: String,
    /// The source file of the function's hottest line: of the lines its own instructions ran
    /// on (inlined code included), the costliest outside the Rust toolchain's library sources
    /// (`/rustc/…`), else the costliest. For a function without such lines, `fl=` of its first
    /// block with a cost, or for one seen only as a callee, the file its call named (`cfi=`);
    /// `???` where valgrind found no debug information.
    pub file: String,
    /// The line in `file` (the hottest, as above; else the first with a cost); 0 if none.
    pub line: u32,
    /// Self cost: instructions executed in the function's own code, inlined code included.
    pub exclusive: u64,
    /// Self cost plus the cost of its calls to other functions. Calls to itself are left out:
    /// their cost is already part of the self cost and of the other calls.
    pub inclusive: u64,
}

/// Calls from one function to another, summed over call sites.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The calling function, an index into [`CallgrindProfile::functions`].
    pub caller: usize,
    /// The called function, an index into [`CallgrindProfile::functions`]; equal to `caller`
    /// for direct recursion.
    pub callee: usize,
    /// How many calls callgrind counted.
    pub count: u64,
    /// Instructions executed inside those calls, the callee's calls included.
    pub inclusive: u64,
}

impl CallgrindProfile {
    /// The first function called `name`, in whichever object.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The index of `name` in `object`.
    pub fn index_of(&self, object: &str, name: &str) -> Option<usize> {
        self.functions
            .iter()
            .position(|f| f.object == object && f.name == name)
    }
}

/// Reads a callgrind output file. An error names the line (counted from 1) and what is wrong
/// with it: a cost that is not a number, a cost line outside a function, a compressed name
/// used before it is defined, a `calls=` line without its cost line, no `events:` line.
pub fn parse(text: &str) -> Result<CallgrindProfile, CallgrindError> {
    let mut reader = Reader::default();
    let mut last_line = 0;
    for (i, line) in text.lines().enumerate() {
        last_line = i + 1;
        reader.line(line).map_err(|problem| CallgrindError {
            line: last_line,
            problem,
        })?;
    }
    reader.finish().map_err(|problem| CallgrindError {
        line: last_line,
        problem,
    })
}

/// Where and why a callgrind output file cannot be read ([`parse`]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {problem}")]
pub struct CallgrindError {
    /// The line at fault, counted from 1 (the last line for what the end of the file shows).
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

// ---------------------------------------------------------------------------------------------

/// Strings stored once, referred to by index.
#[derive(Default)]
struct Interner {
    names: Vec<String>,
    ids: HashMap<String, usize>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> usize {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len();
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }
}

/// The three kinds of compressed names, each with its own table.
#[derive(Clone, Copy)]
enum Kind {
    Object,
    File,
    Function,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::File => "file",
            Kind::Function => "function",
        }
    }
}

/// A function while it is being read.
struct Builder {
    object: usize,
    name: usize,
    /// The `fl=` file of its first cost line.
    file: Option<usize>,
    /// The `cfi=` file (or the current file) where it was first named as a callee.
    callee_file: Option<usize>,
    line: u32,
    exclusive: u64,
    /// Self cost per (file of the code, line), for the hottest line.
    places: std::collections::HashMap<(Option<usize>, u32), u64>,
}

/// What the next cost line is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// A function's own cost.
    SelfCost,
    /// The cost of the call announced by `calls=` on `line`.
    Call { count: u64, line: usize },
    /// The source position of a `jump=`/`jcnd=`: no cost.
    Jump,
}

#[derive(Default)]
struct Reader {
    line_no: usize,
    events: Option<Vec<String>>,
    /// The column of `Ir` among the events.
    ir: usize,
    /// `None` until a `positions:` line; then how many subpositions and which is `line`.
    positions: Option<(usize, Option<usize>)>,
    /// The subpositions of the last cost line, for relative ones.
    last: Vec<u64>,

    objects: Interner,
    files: Interner,
    names: Interner,
    compressed: [HashMap<u64, usize>; 3],

    object: Option<usize>,
    /// The file of the current `fl=`, where `fn=` blocks start.
    block_file: Option<usize>,
    /// The file of the code at hand, switched by `fi=`/`fe=`.
    file: Option<usize>,
    function: Option<usize>,
    called_object: Option<usize>,
    called_file: Option<usize>,
    called_function: Option<usize>,
    next: Option<Next>,

    functions: Vec<Builder>,
    function_ids: HashMap<(usize, usize), usize>,
    calls: Vec<Call>,
    call_ids: HashMap<(usize, usize), usize>,

    /// Declared totals of finished parts.
    declared: Option<u64>,
    part_summary: Option<u64>,
    part_totals: Option<u64>,
}

impl Reader {
    fn line(&mut self, line: &str) -> Result<(), String> {
        self.line_no += 1;
        let Some(first) = line.chars().next() else {
            return Ok(());
        };
        if first == '#' || line.trim().is_empty() {
            return Ok(());
        }
        if first.is_ascii_digit() || matches!(first, '+' | '-' | '*') {
            return self.cost_line(line);
        }
        if let Some(Next::Call { line: calls, .. }) = self.next {
            return Err(format!(
                "expected the cost line of the calls= on line {calls}, found `{}`",
                clip(line)
            ));
        }
        let key_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(line.len());
        let (key, rest) = line.split_at(key_end);
        if key.is_empty() {
            return Err(format!("unrecognised line `{}`", clip(line)));
        }
        if let Some(value) = rest.strip_prefix(':') {
            self.header(key, value)
        } else if let Some(value) = rest.strip_prefix('=') {
            self.specification(key, value)
        } else {
            Err(format!("unrecognised line `{}`", clip(line)))
        }
    }

    fn header(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "events" => {
                let events: Vec<String> = value.split_whitespace().map(String::from).collect();
                if events.is_empty() {
                    return Err("events: names no event".to_string());
                }
                self.ir = events.iter().position(|e| e == "Ir").unwrap_or(0);
                self.events = Some(events);
            }
            "positions" => {
                let kinds: Vec<&str> = value.split_whitespace().collect();
                if let Some(bad) = kinds
                    .iter()
                    .find(|k| !matches!(**k, "instr" | "bb" | "line"))
                {
                    return Err(format!(
                        "unknown position `{bad}` (callgrind writes instr, bb and line)"
                    ));
                }
                let line = kinds.iter().position(|k| *k == "line");
                self.positions = Some((kinds.len(), line));
                self.last = vec![0; kinds.len()];
            }
            "summary" => self.part_summary = Some(self.declared_cost(key, value)?),
            "totals" => self.part_totals = Some(self.declared_cost(key, value)?),
            "part" => {
                self.end_part();
                self.object = None;
                self.block_file = None;
                self.file = None;
                self.function = None;
                self.called_object = None;
                self.called_file = None;
                self.called_function = None;
                self.last.iter_mut().for_each(|p| *p = 0);
            }
            // version, creator, pid, cmd, thread, desc, event, and whatever a later valgrind adds
            _ => {}
        }
        Ok(())
    }

    /// The `Ir` count of a `summary:` or `totals:` line.
    fn declared_cost(&self, key: &str, value: &str) -> Result<u64, String> {
        if self.events.is_none() {
            return Err(format!("{key}: comes before the events: line"));
        }
        let mut ir = 0;
        for (i, token) in value.split_whitespace().enumerate() {
            let n = number(token).ok_or_else(|| format!("{key}: `{token}` is not a number"))?;
            if i == self.ir {
                ir = n;
            }
        }
        Ok(ir)
    }

    fn end_part(&mut self) {
        let summary = self.part_summary.take();
        if let Some(t) = self.part_totals.take().or(summary) {
            self.declared = Some(self.declared.unwrap_or(0).saturating_add(t));
        }
    }

    fn specification(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "ob" => {
                self.object = Some(self.name(Kind::Object, value)?);
                self.function = None;
            }
            "fl" => {
                let file = self.name(Kind::File, value)?;
                self.block_file = Some(file);
                self.file = Some(file);
            }
            "fi" | "fe" => self.file = Some(self.name(Kind::File, value)?),
            "fn" => {
                let name = self.name(Kind::Function, value)?;
                self.file = self.block_file;
                let object = self.current_object();
                self.function = Some(self.function_id(object, name));
            }
            "cob" => self.called_object = Some(self.name(Kind::Object, value)?),
            "cfi" | "cfl" => self.called_file = Some(self.name(Kind::File, value)?),
            "cfn" => {
                let name = self.name(Kind::Function, value)?;
                let object = self.called_object.unwrap_or(self.current_object());
                let id = self.function_id(object, name);
                let hint = self.called_file.or(self.file);
                let callee = &mut self.functions[id];
                if callee.callee_file.is_none() {
                    callee.callee_file = hint;
                }
                self.called_function = Some(id);
            }
            "calls" => {
                let count = value.split_whitespace().next().unwrap_or("");
                let count = number(count)
                    .ok_or_else(|| format!("calls= count `{count}` is not a number"))?;
                if self.function.is_none() {
                    return Err("calls= outside a function (no fn= before it)".to_string());
                }
                if self.called_function.is_none() {
                    return Err("calls= names no called function (no cfn= before it)".to_string());
                }
                self.next = Some(Next::Call {
                    count,
                    line: self.line_no,
                });
            }
            "jump" | "jcnd" => self.next = Some(Next::Jump),
            // jfi=, jfn=, frfn=, rec=, ln=: nothing a cost depends on
            _ => {}
        }
        Ok(())
    }

    fn current_object(&mut self) -> usize {
        match self.object {
            Some(o) => o,
            None => self.objects.intern(""),
        }
    }

    fn function_id(&mut self, object: usize, name: usize) -> usize {
        *self.function_ids.entry((object, name)).or_insert_with(|| {
            self.functions.push(Builder {
                object,
                name,
                file: None,
                callee_file: None,
                line: 0,
                exclusive: 0,
                places: Default::default(),
            });
            self.functions.len() - 1
        })
    }

    /// A position name, compressed (`(12) name` defines, `(12)` refers) or not.
    fn name(&mut self, kind: Kind, value: &str) -> Result<usize, String> {
        let value = value.trim_start_matches([' ', '\t']);
        let interner = match kind {
            Kind::Object => &mut self.objects,
            Kind::File => &mut self.files,
            Kind::Function => &mut self.names,
        };
        let compressed =
            value.starts_with('(') && value[1..].starts_with(|c: char| c.is_ascii_digit());
        if !compressed {
            return Ok(interner.intern(value));
        }
        let close = value
            .find(')')
            .ok_or_else(|| format!("compressed {} name `{value}` has no `)`", kind.what()))?;
        let id: u64 = value[1..close].parse().map_err(|_| {
            format!(
                "compressed {} id `{}` is not a number",
                kind.what(),
                &value[1..close]
            )
        })?;
        let rest = value[close + 1..].trim_start_matches([' ', '\t']);
        let table = &mut self.compressed[kind as usize];
        if rest.is_empty() {
            table.get(&id).copied().ok_or_else(|| {
                format!(
                    "compressed {} ({id}) is used before a line defines it",
                    kind.what()
                )
            })
        } else {
            let name = interner.intern(rest);
            table.insert(id, name);
            Ok(name)
        }
    }

    fn cost_line(&mut self, line: &str) -> Result<(), String> {
        if self.events.is_none() {
            return Err("cost line before the events: line".to_string());
        }
        let (npos, line_column) = self.positions.unwrap_or((1, Some(0)));
        if self.last.len() != npos {
            self.last = vec![0; npos];
        }
        let mut tokens = line.split_whitespace();
        let mut source_line = 0;
        for i in 0..npos {
            let token = tokens.next().ok_or_else(|| {
                format!("cost line `{}` has fewer than {npos} positions", clip(line))
            })?;
            let position = subposition(token, self.last[i])
                .ok_or_else(|| format!("position `{token}` is not a number"))?;
            self.last[i] = position;
            if line_column == Some(i) {
                source_line = position;
            }
        }
        let events = self.events.as_ref().map_or(0, Vec::len);
        let mut ir = 0;
        let mut columns = 0;
        for token in tokens {
            let n = number(token).ok_or_else(|| format!("cost `{token}` is not a number"))?;
            if columns == self.ir {
                ir = n;
            }
            columns += 1;
        }
        if columns > events {
            return Err(format!(
                "{columns} costs on a line, but the events: line names {events}"
            ));
        }

        let next = self.next.take().unwrap_or(Next::SelfCost);
        if next == Next::Jump {
            return Ok(());
        }
        let Some(function) = self.function else {
            return Err("cost line outside a function (no fn= before it)".to_string());
        };
        let f = &mut self.functions[function];
        if f.file.is_none() {
            f.file = self.block_file;
        }
        if f.line == 0 && source_line > 0 && f.file == self.file {
            f.line = u32::try_from(source_line).unwrap_or(0);
        }
        match next {
            Next::SelfCost => {
                f.exclusive = f.exclusive.saturating_add(ir);
                let place = (self.file, u32::try_from(source_line).unwrap_or(0));
                let cost = f.places.entry(place).or_default();
                *cost = cost.saturating_add(ir);
            }
            Next::Call { count, .. } => {
                // checked when calls= was read
                let Some(callee) = self.called_function else {
                    return Err("calls= names no called function".to_string());
                };
                let id = *self.call_ids.entry((function, callee)).or_insert_with(|| {
                    self.calls.push(Call {
                        caller: function,
                        callee,
                        count: 0,
                        inclusive: 0,
                    });
                    self.calls.len() - 1
                });
                let call = &mut self.calls[id];
                call.count = call.count.saturating_add(count);
                call.inclusive = call.inclusive.saturating_add(ir);
                self.called_object = None;
                self.called_file = None;
            }
            Next::Jump => {}
        }
        Ok(())
    }

    /// The costliest (file, line) of `b`'s own instructions with a known line, preferring code
    /// outside the toolchain's library sources; ties go to the earlier line.
    fn hottest(&self, b: &Builder) -> Option<(Option<usize>, u32)> {
        let library = |file: Option<usize>| {
            file.is_none_or(|f| {
                let name = &self.files.names[f];
                name.starts_with("/rustc/") || name == "???"
            })
        };
        let best = |own: bool| {
            b.places
                .iter()
                .filter(|((file, line), cost)| *line > 0 && **cost > 0 && library(*file) != own)
                .max_by(|((_, l1), c1), ((_, l2), c2)| c1.cmp(c2).then(l2.cmp(l1)))
                .map(|((file, line), _)| (*file, *line))
        };
        best(true).or_else(|| best(false))
    }

    fn finish(mut self) -> Result<CallgrindProfile, String> {
        if let Some(Next::Call { line, .. }) = self.next {
            return Err(format!(
                "the file ends before the cost line of the calls= on line {line}"
            ));
        }
        let Some(events) = self.events.take() else {
            return Err("the file ends without an events: line".to_string());
        };
        self.end_part();
        let mut functions: Vec<Function> = self
            .functions
            .iter()
            .map(|b| {
                let (file, line) = self
                    .hottest(b)
                    .unwrap_or((b.file.or(b.callee_file), b.line));
                (b, file, line)
            })
            .map(|(b, file, line)| Function {
                name: self.names.names[b.name].clone(),
                object: self.objects.names[b.object].clone(),
                file: file
                    .map(|f| self.files.names[f].clone())
                    .unwrap_or_default(),
                line,
                exclusive: b.exclusive,
                inclusive: b.exclusive,
            })
            .collect();
        for call in &self.calls {
            if call.caller != call.callee {
                let f = &mut functions[call.caller];
                f.inclusive = f.inclusive.saturating_add(call.inclusive);
            }
        }
        let total = match self.declared {
            Some(t) => t,
            None => functions
                .iter()
                .fold(0u64, |sum, f| sum.saturating_add(f.exclusive)),
        };
        Ok(CallgrindProfile {
            events,
            total,
            functions,
            calls: self.calls,
        })
    }
}

/// A decimal or `0x` hexadecimal count.
fn number(token: &str) -> Option<u64> {
    if let Some(hex) = token.strip_prefix("0x").or(token.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return u64::from_str_radix(hex, 16).ok();
    }
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

/// A subposition, absolute or relative to the last one (`+3`, `-2`, `*`). A position is never
/// part of a cost, so one that would go below zero stops at zero rather than failing the file.
fn subposition(token: &str, last: u64) -> Option<u64> {
    if token == "*" {
        Some(last)
    } else if let Some(up) = token.strip_prefix('+') {
        Some(last.saturating_add(number(up)?))
    } else if let Some(down) = token.strip_prefix('-') {
        Some(last.saturating_sub(number(down)?))
    } else {
        number(token)
    }
}

/// A line shortened for an error message.
fn clip(line: &str) -> String {
    const MAX: usize = 60;
    if line.chars().count() <= MAX {
        line.to_string()
    } else {
        let head: String = line.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests;
