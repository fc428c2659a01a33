//! Markdown that GitHub renders as written: text that must not be read as markup, and text
//! inside code spans in table cells. One place for both, so no rendering lets a line break, a
//! pipe or a backtick through.

/// Text for a code span inside a table: `|` escaped, a backtick (which would end the span)
/// and a line break (which would end the row) replaced.
pub fn code(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// Text that Markdown must not interpret: emphasis, links, HTML and table pipes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '\n' | '\r') {
            // A line break would end the paragraph or the table row.
            out.push(' ');
            continue;
        }
        if matches!(ch, '\\' | '`' | '*' | '_' | '<' | '|') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_escape_keep_a_table_row_whole() {
        assert_eq!(code("a|b`c\nd"), "a\\|b'c d");
        assert_eq!(escape("*x*|<y>\n_z_"), "\\*x\\*\\|\\<y> \\_z\\_");
    }
}
