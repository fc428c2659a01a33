//! The parser: TOML 1.0's grammar and its table-definition rules, building a [`Document`].
//!
//! It pulls token ends from `scan`, hands token bytes to `decode`, and stores values in the
//! document's flat buffers (`value`). It owns the rules that need memory of the document: which
//! keys exist, which tables were defined by a header, by dotted keys or inline, which arrays
//! are closed. Recursion happens only for nested arrays and inline tables, bounded by
//! [`MAX_NESTING`].

use crate::decode::{self, Bad, Scalar};
use crate::error::RawError;
use crate::index::{self, KeyIndex};
use crate::layout::{
    ArrayKind, Entry, Item, List, MAX_INPUT_BYTES, NONE, ROOT, Span, StrRef, TableKind,
};
use crate::scan::{self, peek};
use crate::value::Document;

/// The deepest nesting of arrays and inline tables a document may have. Deeper input is
/// rejected with an error instead of exhausting the stack.
pub const MAX_NESTING: usize = 128;

type PResult<T> = Result<T, Box<RawError>>;

/// One segment of a dotted key.
#[derive(Clone, Copy, Debug)]
struct KeyPart {
    name: StrRef,
    span: Span,
    /// The key's bit for tables' `key_bits` (`index::key_bit`), computed once.
    bit: u64,
}

/// The item a new entry holds until its value is parsed.
const PLACEHOLDER: Item = Item::Boolean(false);
/// The key of array elements.
const NO_KEY: StrRef = StrRef::EMPTY;

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    root: List,
    entries: Vec<Entry>,
    text: String,
    index: KeyIndex,
    /// The dotted keys being defined, innermost last (inline tables stack theirs on top).
    keys: Vec<KeyPart>,
    /// Where the current table header's key is written, for error messages (empty before
    /// the first header).
    header_key: Span,
}

/// Parses `src` into a document.
pub(crate) fn parse_document(src: &str) -> PResult<Document<'_>> {
    if src.len() > MAX_INPUT_BYTES {
        return Err(RawError::new(
            Span::new(0, 0),
            format!(
                "expected at most {MAX_INPUT_BYTES} bytes of input, found {}",
                src.len()
            ),
        ));
    }
    let mut parser = Parser {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        root: List::EMPTY,
        // Configs hold about one entry per 23 bytes (the bench inputs: 22.9-24.0), dense
        // `key = 1` lines one per 12; reserving one per 12 makes the buffer a single
        // allocation for nearly all input (and a larger buffer grows by `mremap`, not a copy).
        entries: Vec::with_capacity(src.len() / 12 + 16),
        text: String::new(),
        index: KeyIndex::default(),
        keys: Vec::new(),
        header_key: Span::default(),
    };
    parser.document()?;
    Ok(Document {
        src,
        root: parser.root,
        entries: parser.entries,
        text: parser.text,
        index: parser.index,
    })
}

impl<'a> Parser<'a> {
    /// `toml = expression *( newline expression )`.
    fn document(&mut self) -> PResult<()> {
        if self.bytes.starts_with("\u{feff}".as_bytes()) {
            self.pos = 3;
        }
        let mut table = ROOT;
        loop {
            self.pos = scan::skip_blanks(self.bytes, self.pos);
            match peek(self.bytes, self.pos) {
                b'\n' => self.pos += 1,
                b'\r' => self.newline()?,
                b'#' => self.comment()?,
                b'[' => {
                    table = self.header()?;
                    self.line_end()?;
                }
                _ if self.pos >= self.bytes.len() => return Ok(()),
                _ => {
                    self.keys.clear();
                    self.keyval(table, 0)?;
                    self.line_end()?;
                }
            }
        }
    }

    /// `newline = %x0A / %x0D.0A`, at a `\r`.
    fn newline(&mut self) -> PResult<()> {
        if peek(self.bytes, self.pos + 1) == b'\n' {
            self.pos += 2;
            Ok(())
        } else {
            Err(self.error(
                self.pos,
                self.pos + 1,
                "expected a newline (`\\r` must be followed by `\\n`), found a lone carriage return".into(),
            ))
        }
    }

    /// `comment = comment-start-symbol *non-eol`, at the `#`; stops before the newline.
    fn comment(&mut self) -> PResult<()> {
        let end = scan::skip_comment(self.bytes, self.pos);
        self.pos = end;
        match peek(self.bytes, end) {
            b'\n' => Ok(()),
            b'\r' if peek(self.bytes, end + 1) == b'\n' => Ok(()),
            _ if end >= self.bytes.len() => Ok(()),
            c => Err(self.error(
                end,
                end + 1,
                format!("expected comment text, found {}", describe_control(c)),
            )),
        }
    }

    /// After an expression: blanks, an optional comment, then a newline or the end.
    fn line_end(&mut self) -> PResult<()> {
        self.pos = scan::skip_blanks(self.bytes, self.pos);
        match peek(self.bytes, self.pos) {
            b'\n' => {
                self.pos += 1;
                Ok(())
            }
            b'\r' => self.newline(),
            b'#' => self.comment(),
            _ if self.pos >= self.bytes.len() => Ok(()),
            _ => Err(self.expected("a newline or the end of the document")),
        }
    }

    /// `keyval = key keyval-sep val`, defined in `table`; its key parts go on `self.keys`
    /// from `base`.
    fn keyval(&mut self, table: u32, depth: usize) -> PResult<()> {
        let base = self.keys.len();
        self.key()?;
        if peek(self.bytes, self.pos) != b'=' {
            return Err(self.expected("`=` after a key"));
        }
        self.pos = scan::skip_blanks(self.bytes, self.pos + 1);
        let (table, last) = self.define_dotted(table, base)?;
        if let Err(mut e) = self.keyed_value(table, last, depth) {
            if e.key_path.is_none() {
                e.key_path = Some(self.key_path());
            }
            return Err(e);
        }
        self.keys.truncate(base);
        Ok(())
    }

    /// Parses the value of key `last` and appends it to `table`. An inline table needs its
    /// entry first (its own keys are looked up in it); any other value is stored whole once
    /// parsed.
    #[inline]
    fn keyed_value(&mut self, table: u32, last: KeyPart, depth: usize) -> PResult<()> {
        if peek(self.bytes, self.pos) == b'{' {
            let id = self.push_entry(last.name, last.span, PLACEHOLDER, last.span);
            self.append(table, id, last);
            return self.inline_table(id, depth);
        }
        let start = self.pos;
        let item = self.value(depth)?;
        let id = self.push_entry(last.name, last.span, item, Span::new(start, self.pos));
        self.append(table, id, last);
        Ok(())
    }

    /// `key = simple-key / dotted-key`: pushes each part onto `self.keys`; leaves `pos` after
    /// the blanks that follow the key.
    fn key(&mut self) -> PResult<()> {
        loop {
            let part = self.simple_key()?;
            self.keys.push(part);
            let p = scan::skip_blanks(self.bytes, self.pos);
            if peek(self.bytes, p) == b'.' {
                self.pos = scan::skip_blanks(self.bytes, p + 1);
            } else {
                self.pos = p;
                return Ok(());
            }
        }
    }

    /// `simple-key = quoted-key / unquoted-key`.
    #[inline]
    fn simple_key(&mut self) -> PResult<KeyPart> {
        let start = self.pos;
        let end = scan::bare_key_end(self.bytes, start);
        if end == start {
            return self.quoted_key();
        }
        self.pos = end;
        Ok(KeyPart {
            name: StrRef::source(start, end),
            span: Span::new(start, end),
            bit: index::key_bit(&self.bytes[start..end]),
        })
    }

    /// `quoted-key = basic-string / literal-string`.
    fn quoted_key(&mut self) -> PResult<KeyPart> {
        let start = self.pos;
        let name = match peek(self.bytes, start) {
            b'"' => {
                let s = scan::basic_string(self.bytes, start + 1);
                if !s.closed {
                    return Err(self.unclosed(s.end, "a basic string key"));
                }
                self.pos = s.end + 1;
                if s.escaped {
                    self.decode_basic(start + 1, s.end, false)?
                } else {
                    StrRef::source(start + 1, s.end)
                }
            }
            b'\'' => {
                let s = scan::literal_string(self.bytes, start + 1);
                if !s.closed {
                    return Err(self.unclosed(s.end, "a literal string key"));
                }
                self.pos = s.end + 1;
                StrRef::source(start + 1, s.end)
            }
            _ => return Err(self.expected("a key")),
        };
        Ok(KeyPart {
            name,
            span: Span::new(start, self.pos),
            bit: index::key_bit(name.bytes(self.src, &self.text)),
        })
    }

    /// `std-table = "[" ws key ws "]"` / `array-table = "[[" ws key ws "]]"`: makes the
    /// table the following key/values go to, and returns it.
    fn header(&mut self) -> PResult<u32> {
        let start = self.pos;
        self.header_key = Span::default();
        let array = peek(self.bytes, start + 1) == b'[';
        self.pos = scan::skip_blanks(self.bytes, start + if array { 2 } else { 1 });
        self.keys.clear();
        self.key()?;
        let close: &[u8] = if array { b"]]" } else { b"]" };
        if !self.bytes[self.pos..].starts_with(close) {
            let what = if array {
                "`]]` to close the array-of-tables header"
            } else {
                "`]` to close the table header"
            };
            return Err(self.expected(what));
        }
        self.pos += close.len();
        let span = Span::new(start, self.pos);
        let table = self.open_header(array, span)?;
        let first = self.keys[0].span;
        let last = self.keys[self.keys.len() - 1].span;
        self.header_key = Span {
            start: first.start,
            end: last.end,
        };
        self.keys.clear();
        Ok(table)
    }

    /// Walks and extends the document along the header's key (in `self.keys`).
    fn open_header(&mut self, array: bool, span: Span) -> PResult<u32> {
        let n = self.keys.len();
        let mut table = ROOT;
        for i in 0..n - 1 {
            let part = self.keys[i];
            table = match self.lookup(table, part) {
                None => self.push_table(table, part, TableKind::Implicit, span),
                Some(id) => match self.entries[id as usize].item {
                    Item::Table(_, TableKind::Inline) => {
                        return Err(self.key_error(i, "cannot extend inline table"));
                    }
                    Item::Table(..) => id,
                    Item::Array(list, ArrayKind::Tables) => list.tail,
                    Item::Array(_, ArrayKind::Static) => {
                        return Err(self.key_error(i, "cannot extend array value"));
                    }
                    item => {
                        let msg = format!("expected a table, found {}", item_name(item));
                        return Err(self.key_error(i, &msg));
                    }
                },
            };
        }
        let last = self.keys[n - 1];
        let existing = self.lookup(table, last);
        if array {
            let aot = match existing {
                None => {
                    let id = self.push_entry(last.name, last.span, PLACEHOLDER, span);
                    self.entries[id as usize].item = Item::Array(List::EMPTY, ArrayKind::Tables);
                    self.append(table, id, last);
                    id
                }
                Some(id) => match self.entries[id as usize].item {
                    Item::Array(_, ArrayKind::Tables) => id,
                    Item::Array(_, ArrayKind::Static) => {
                        return Err(self.key_error(
                            n - 1,
                            "cannot append to array value with an array-of-tables header",
                        ));
                    }
                    item => {
                        let msg = format!(
                            "expected an array of tables, found {} already defined",
                            item_name(item)
                        );
                        return Err(self.key_error(n - 1, &msg));
                    }
                },
            };
            let element = self.push_entry(
                NO_KEY,
                last.span,
                Item::Table(List::EMPTY, TableKind::Header),
                span,
            );
            self.link_element(aot, element);
            return Ok(element);
        }
        match existing {
            None => Ok(self.push_table(table, last, TableKind::Header, span)),
            Some(id) => {
                let entry = &mut self.entries[id as usize];
                match &mut entry.item {
                    Item::Table(_, kind @ TableKind::Implicit) => {
                        *kind = TableKind::Header;
                        entry.span = span;
                        Ok(id)
                    }
                    Item::Table(_, TableKind::Header) => {
                        Err(self.key_error(n - 1, "duplicate table header"))
                    }
                    Item::Table(_, TableKind::Dotted) => {
                        Err(self
                            .key_error(n - 1, "cannot define table already defined by dotted keys"))
                    }
                    Item::Table(_, TableKind::Inline) => Err(self.key_error(
                        n - 1,
                        "cannot define table already defined as an inline table",
                    )),
                    item => {
                        let msg = format!(
                            "expected a table, found {} already defined",
                            item_name(*item)
                        );
                        Err(self.key_error(n - 1, &msg))
                    }
                }
            }
        }
    }

    /// Walks and extends `table` along the dotted key `self.keys[base..]`, creating tables
    /// for all but the last part; returns the table the last part goes in, and that part,
    /// checked to be new there.
    fn define_dotted(&mut self, mut table: u32, base: usize) -> PResult<(u32, KeyPart)> {
        let n = self.keys.len();
        for i in base..n - 1 {
            let part = self.keys[i];
            table = match self.lookup(table, part) {
                None => self.push_table(table, part, TableKind::Dotted, part.span),
                Some(id) => match self.entries[id as usize].item {
                    Item::Table(_, TableKind::Dotted) => id,
                    Item::Table(_, TableKind::Inline) => {
                        return Err(self.key_error(i, "cannot extend inline table"));
                    }
                    Item::Table(..) => {
                        return Err(self.key_error(
                            i,
                            "cannot extend with dotted keys a table defined by a header",
                        ));
                    }
                    item => {
                        let msg = format!("expected a table, found {}", item_name(item));
                        return Err(self.key_error(i, &msg));
                    }
                },
            };
        }
        let last = self.keys[n - 1];
        if self.lookup(table, last).is_some() {
            return Err(self.key_error(n - 1, "duplicate key"));
        }
        Ok((table, last))
    }

    /// `val = string / boolean / array / date-time / float / integer`: any value but an
    /// inline table (see `keyed_value` and `array`).
    fn value(&mut self, depth: usize) -> PResult<Item> {
        match peek(self.bytes, self.pos) {
            quote @ (b'"' | b'\'') => self.string_value(quote),
            b'[' => self.array(depth),
            b'0'..=b'9' | b'+' | b'-' | b'i' | b'n' | b't' | b'f' => self.scalar_value(),
            _ => Err(self.expected("a value")),
        }
    }

    /// A number, boolean or date-time.
    fn scalar_value(&mut self) -> PResult<Item> {
        let start = self.pos;
        let mut end = scan::atom_end(self.bytes, start);
        // `full-date time-delim partial-time` with a space as the delimiter: join the halves.
        if end - start == 10
            && decode::looks_like_date(&self.bytes[start..end])
            && peek(self.bytes, end) == b' '
            && peek(self.bytes, end + 1).is_ascii_digit()
            && peek(self.bytes, end + 2).is_ascii_digit()
            && peek(self.bytes, end + 3) == b':'
        {
            end = scan::atom_end(self.bytes, end + 1);
        }
        let scalar = decode::scalar(&self.bytes[start..end]).map_err(|bad| self.bad(start, bad))?;
        self.pos = end;
        Ok(match scalar {
            Scalar::Integer(i) => Item::Integer(i),
            Scalar::Float(f) => Item::Float(f),
            Scalar::Boolean(b) => Item::Boolean(b),
            Scalar::Datetime(d) => Item::Datetime(d),
        })
    }

    /// `string = ml-basic-string / basic-string / ml-literal-string / literal-string`, at
    /// the first `quote` (`"` or `'`).
    fn string_value(&mut self, quote: u8) -> PResult<Item> {
        let start = self.pos;
        let basic = quote == b'"';
        let multiline =
            peek(self.bytes, start + 1) == quote && peek(self.bytes, start + 2) == quote;
        let (body, scan, what) = match (multiline, basic) {
            (true, _) => {
                let body = self.skip_first_newline(start + 3);
                let what = if basic {
                    "a multi-line basic string"
                } else {
                    "a multi-line literal string"
                };
                (body, scan::multiline_string(self.bytes, body, quote), what)
            }
            (false, true) => (
                start + 1,
                scan::basic_string(self.bytes, start + 1),
                "a basic string",
            ),
            (false, false) => (
                start + 1,
                scan::literal_string(self.bytes, start + 1),
                "a literal string",
            ),
        };
        if !scan.closed {
            return Err(self.unclosed(scan.end, what));
        }
        self.pos = scan.end + if multiline { 3 } else { 1 };
        Ok(Item::String(if scan.escaped {
            self.decode_basic(body, scan.end, multiline)?
        } else {
            StrRef::source(body, scan.end)
        }))
    }

    /// A newline right after a multi-line string's opening delimiter is not part of it.
    fn skip_first_newline(&self, pos: usize) -> usize {
        match (peek(self.bytes, pos), peek(self.bytes, pos + 1)) {
            (b'\n', _) => pos + 1,
            (b'\r', b'\n') => pos + 2,
            _ => pos,
        }
    }

    /// Decodes the basic-string body `start..end` into the document's text buffer.
    fn decode_basic(&mut self, start: usize, end: usize, multiline: bool) -> PResult<StrRef> {
        if self.text.capacity() == 0 {
            // Decoded text is never longer than its source; a sixteenth of what is left is
            // enough for typical configs without reserving the whole input.
            self.text.reserve((self.bytes.len() - start) / 16 + 64);
        }
        let at = self.text.len();
        decode::basic_escapes(&self.bytes[start..end], multiline, &mut self.text)
            .map_err(|bad| self.bad(start, bad))?;
        Ok(StrRef::decoded(at, self.text.len()))
    }

    /// `array = array-open [ array-values ] ws-comment-newline array-close`.
    fn array(&mut self, depth: usize) -> PResult<Item> {
        let start = self.pos;
        if depth >= MAX_NESTING {
            return Err(self.nesting_error(start));
        }
        self.pos += 1;
        let mut list = List::EMPTY;
        loop {
            self.skip_ws_comment_newline()?;
            let at = self.pos;
            let element = match peek(self.bytes, at) {
                b']' => {
                    self.pos += 1;
                    break;
                }
                b'{' => {
                    let id = self.push_entry(NO_KEY, Span::default(), PLACEHOLDER, Span::default());
                    self.inline_table(id, depth + 1)?;
                    let entry = &mut self.entries[id as usize];
                    entry.key_span = entry.span;
                    id
                }
                _ => {
                    let item = self.value(depth + 1)?;
                    let span = Span::new(at, self.pos);
                    self.push_entry(NO_KEY, span, item, span)
                }
            };
            link(&mut self.entries, &mut list, element);
            self.skip_ws_comment_newline()?;
            match peek(self.bytes, self.pos) {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.expected("`,` or `]` in an array")),
            }
        }
        Ok(Item::Array(list, ArrayKind::Static))
    }

    /// `ws-comment-newline = *( wschar / [ comment ] newline )`, inside arrays.
    fn skip_ws_comment_newline(&mut self) -> PResult<()> {
        loop {
            self.pos = scan::skip_blanks(self.bytes, self.pos);
            match peek(self.bytes, self.pos) {
                b'\n' => self.pos += 1,
                b'\r' => self.newline()?,
                b'#' => self.comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// `inline-table = inline-table-open [ inline-table-keyvals ] inline-table-close`, into
    /// `slot`. TOML 1.0: one line, no trailing comma.
    fn inline_table(&mut self, slot: u32, depth: usize) -> PResult<()> {
        let start = self.pos;
        if depth >= MAX_NESTING {
            return Err(self.nesting_error(start));
        }
        self.entries[slot as usize].item = Item::Table(List::EMPTY, TableKind::Dotted);
        self.pos = scan::skip_blanks(self.bytes, start + 1);
        if peek(self.bytes, self.pos) == b'}' {
            self.pos += 1;
        } else {
            loop {
                self.keyval(slot, depth + 1)?;
                self.pos = scan::skip_blanks(self.bytes, self.pos);
                match peek(self.bytes, self.pos) {
                    b',' => {
                        self.pos = scan::skip_blanks(self.bytes, self.pos + 1);
                        if peek(self.bytes, self.pos) == b'}' {
                            return Err(self.error(
                                self.pos,
                                self.pos + 1,
                                "expected a key after `,` (TOML 1.0 allows no trailing comma in an inline table), found `}`".into(),
                            ));
                        }
                    }
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    b'\n' | b'\r' => {
                        return Err(
                            self.expected("`,` or `}` (TOML 1.0 inline tables stay on one line)")
                        );
                    }
                    _ => return Err(self.expected("`,` or `}` in an inline table")),
                }
            }
        }
        let entry = &mut self.entries[slot as usize];
        if let Item::Table(_, kind) = &mut entry.item {
            *kind = TableKind::Inline;
        }
        entry.span = Span::new(start, self.pos);
        Ok(())
    }

    // ----- document building -----

    #[inline]
    fn push_entry(&mut self, key: StrRef, key_span: Span, item: Item, span: Span) -> u32 {
        let id = self.entries.len() as u32;
        self.entries.push(Entry {
            key,
            key_span,
            item,
            span,
            next: NONE,
        });
        id
    }

    /// Creates an empty table of `kind` at `part` in `table`.
    fn push_table(&mut self, table: u32, part: KeyPart, kind: TableKind, span: Span) -> u32 {
        let id = self.push_entry(part.name, part.span, Item::Table(List::EMPTY, kind), span);
        self.append(table, id, part);
        id
    }

    /// The list of table `table`.
    #[inline]
    fn list(&self, table: u32) -> List {
        if table == ROOT {
            return self.root;
        }
        match self.entries[table as usize].item {
            Item::Table(list, _) | Item::Array(list, _) => list,
            _ => List::EMPTY,
        }
    }

    #[inline]
    fn list_mut(&mut self, table: u32) -> &mut List {
        if table == ROOT {
            return &mut self.root;
        }
        match &mut self.entries[table as usize].item {
            Item::Table(list, _) | Item::Array(list, _) => list,
            _ => unreachable!("only tables and arrays hold lists"),
        }
    }

    fn keys_view(&self) -> index::Keys<'_> {
        index::Keys {
            entries: &self.entries,
            src: self.src,
            text: &self.text,
        }
    }

    /// Finds `key` in `table`.
    #[inline]
    fn lookup(&self, table: u32, key: KeyPart) -> Option<u32> {
        let list = self.list(table);
        if list.len <= index::LINEAR_MAX && list.key_bits & key.bit == 0 {
            return None;
        }
        index::find(
            &self.index,
            self.keys_view(),
            table,
            list,
            key.name.bytes(self.src, &self.text),
        )
    }

    /// Appends entry `id` (key `key`) to `table`.
    #[inline]
    fn append(&mut self, table: u32, id: u32, key: KeyPart) {
        let bit = key.bit;
        let list = if table == ROOT {
            &mut self.root
        } else {
            match &mut self.entries[table as usize].item {
                Item::Table(list, _) => list,
                _ => unreachable!("keys are appended to tables only"),
            }
        };
        let tail = list.tail;
        if tail == NONE {
            list.head = id;
        }
        list.tail = id;
        list.len += 1;
        list.key_bits |= bit;
        let list = *list;
        if tail != NONE {
            self.entries[tail as usize].next = id;
        }
        if list.len > index::LINEAR_MAX {
            let keys = index::Keys {
                entries: &self.entries,
                src: self.src,
                text: &self.text,
            };
            index::record(
                &mut self.index,
                keys,
                table,
                list,
                id,
                key.name.bytes(self.src, &self.text),
            );
        }
    }

    /// Appends element `id` to the array of tables `array`.
    fn link_element(&mut self, array: u32, id: u32) {
        let mut list = self.list(array);
        link(&mut self.entries, &mut list, id);
        *self.list_mut(array) = list;
    }

    // ----- errors -----

    #[cold]
    fn error(&self, start: usize, end: usize, message: String) -> Box<RawError> {
        RawError::new(Span::new(start, end), message)
    }

    /// "expected `what`, found <the token at pos>".
    #[cold]
    fn expected(&self, what: &str) -> Box<RawError> {
        let (end, found) = describe(self.bytes, self.pos);
        self.error(self.pos, end, format!("expected {what}, found {found}"))
    }

    #[cold]
    fn bad(&self, token_start: usize, bad: Bad) -> Box<RawError> {
        let start = token_start + bad.at;
        self.error(start, start + bad.len.max(1), bad.message)
    }

    /// A string that ran into a newline, a control character or the end before closing.
    #[cold]
    fn unclosed(&self, stop: usize, what: &str) -> Box<RawError> {
        let (end, found) = describe(self.bytes, stop);
        self.error(
            stop,
            end,
            format!("expected the closing quote of {what}, found {found}"),
        )
    }

    #[cold]
    fn nesting_error(&self, at: usize) -> Box<RawError> {
        self.error(
            at,
            at + 1,
            format!(
                "expected at most {MAX_NESTING} levels of nested arrays and inline tables, found deeper nesting"
            ),
        )
    }

    /// An error about key part `i` of `self.keys`, naming the dotted path up to it.
    #[cold]
    fn key_error(&self, i: usize, what: &str) -> Box<RawError> {
        let part = self.keys[i];
        let path = self.path_of(&self.keys[..=i]);
        let mut e = self.error(
            part.span.start as usize,
            part.span.end as usize,
            format!("{what} `{path}`"),
        );
        e.key_path = Some(self.key_path());
        e
    }

    /// The dotted path of `parts`, keys quoted where they need it.
    fn path_of(&self, parts: &[KeyPart]) -> String {
        let mut out = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            let name = part.name.resolve(self.src, &self.text);
            let bare = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if bare {
                out.push_str(&name);
            } else {
                out.push_str(&format!("{:?}", name.as_str()));
            }
        }
        out
    }

    /// The full key path being defined: the current header's key (as written), then the
    /// dotted keys.
    fn key_path(&self) -> String {
        let header = &self.src[self.header_key.range()];
        let keys = self.path_of(&self.keys);
        match (header.is_empty(), keys.is_empty()) {
            (true, _) => keys,
            (false, true) => header.to_string(),
            (false, false) => format!("{header}.{keys}"),
        }
    }
}

/// Appends entry `id` to `list`.
#[inline]
fn link(entries: &mut [Entry], list: &mut List, id: u32) {
    if list.tail == NONE {
        list.head = id;
    } else {
        entries[list.tail as usize].next = id;
    }
    list.tail = id;
    list.len += 1;
}

/// The name of a stored value's type, for messages.
fn item_name(item: Item) -> &'static str {
    match item {
        Item::String(_) => "a string",
        Item::Integer(_) => "an integer",
        Item::Float(_) => "a float",
        Item::Boolean(_) => "a boolean",
        Item::Datetime(_) => "a date-time",
        Item::Array(_, ArrayKind::Static) => "an array",
        Item::Array(_, ArrayKind::Tables) => "an array of tables",
        Item::Table(..) => "a table",
    }
}

/// Names a control character for a message.
fn describe_control(c: u8) -> String {
    match c {
        b'\n' => "a newline".into(),
        b'\r' => "a carriage return".into(),
        _ => format!("control character U+{c:04X}"),
    }
}

/// What stands at `pos`, for "found …": its end and its description.
#[cold]
fn describe(bytes: &[u8], pos: usize) -> (usize, String) {
    let Some(&b) = bytes.get(pos) else {
        return (pos, "the end of the document".into());
    };
    if b == b'\n' || (b == b'\r' && bytes.get(pos + 1) == Some(&b'\n')) {
        return (pos + 1, "a newline".into());
    }
    if (b < 0x20 && b != b'\t') || b == 0x7f {
        return (pos + 1, describe_control(b));
    }
    let word_end = scan::atom_end(bytes, pos);
    if word_end > pos {
        let end = word_end.min(pos + 40);
        return (
            end,
            format!("`{}`", String::from_utf8_lossy(&bytes[pos..end])),
        );
    }
    let len = match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    let end = (pos + len).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[pos..end]);
    match text.chars().next() {
        Some(' ' | '\t') => (end, "a blank".into()),
        // Invisible characters are named by code point: a stray BOM or a non-ASCII space.
        Some(c) if c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{feff}') => {
            (end, format!("U+{:04X}", c as u32))
        }
        _ => (end, format!("`{text}`")),
    }
}

#[cfg(test)]
#[path = "parse/tests.rs"]
mod tests;
