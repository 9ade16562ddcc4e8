//! One escaping rule per output format, applied where text a target sent enters that output.
//! Everything a target sends is someone else's: it may hold terminal escape sequences, line
//! breaks that would start a line of their own, Markdown or HTML structure, or characters XML
//! forbids. Each function here makes such text inert for one format and leaves ordinary text
//! as it reads. HTML's markup needs none here: the HTML outputs are written with maud, which
//! escapes every value by construction; the characters it leaves (a terminal's ESC among them)
//! are made visible on the whole page by [`xml_chars`], as in XML.

use std::fmt::Write as _;

/// True for characters a terminal may act on: C0 controls, DEL, C1 controls, and the Unicode
/// line and paragraph separators and bidirectional overrides (which reorder what is shown).
fn acts_on_a_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `c` as a visible escape: `\n`, `\r`, `\t`, or `\u{1b}`.
fn visible(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Target text for one console line: every control character (ESC, BEL, CR, line breaks, C1)
/// shown as a visible escape, so it can neither act on the terminal nor start a line.
pub fn console_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if acts_on_a_terminal(c) {
            visible(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// Target text for a console block whose lines the caller has indented: as [`console_line`],
/// but line feeds stay (each line the block holds starts with the caller's indentation).
pub fn console_block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && acts_on_a_terminal(c) {
            visible(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// Serialised JSON safe to show on a terminal: serde_json escapes C0 controls but writes C1
/// controls and the bidirectional overrides raw, which some terminals act on. Each becomes its
/// `\uXXXX` escape; such characters can only stand inside JSON strings, so the JSON means the same.
pub fn json_for_terminal(json: &str) -> String {
    if !json.chars().any(|c| c != '\n' && acts_on_a_terminal(c)) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && acts_on_a_terminal(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Target text for Markdown text or a table cell: on one line, control characters visible, and
/// every character that could open Markdown or HTML structure (`|`, `<`, `>`, `` ` ``, `*`,
/// `_`, `[`, `]`, `#`, `!`, `&`, `~`, `\`, `$`, parentheses and braces) escaped with a
/// backslash, which CommonMark allows before any ASCII punctuation.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '|' | '<' | '>' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '&' | '~' | '\\' | '$' | '(' | ')' | '{'
            | '}' => {
                out.push('\\');
                out.push(c);
            }
            c if acts_on_a_terminal(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Target text as a Markdown code span on one line, for a table cell: line breaks become
/// spaces, control characters visible escapes, `|` is escaped (GFM reads `\|` inside a code
/// span in a table as a literal bar), and the fence is longer than any run of backticks inside.
pub fn markdown_code(text: &str) -> String {
    code_span(text, true)
}

/// Target text as a Markdown code span outside a table (a list item): as [`markdown_code`], but
/// `|` stays as it is (outside a table a backslash in a code span is shown as typed).
pub fn markdown_code_span(text: &str) -> String {
    code_span(text, false)
}

fn code_span(text: &str, in_table: bool) -> String {
    let mut body = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => body.push(' '),
            '|' if in_table => body.push_str("\\|"),
            c if acts_on_a_terminal(c) => visible(c, &mut body),
            c => body.push(c),
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A space inside the fence keeps a leading or trailing backtick from joining it.
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text made of characters XML 1.0 allows: each forbidden one (C0 controls other than tab, line
/// feed and carriage return; U+FFFE and U+FFFF), and each discouraged C1 control, becomes U+FFFD
/// followed by its code point (`\u{fffd}U+001B`). Safe on a whole document: such characters
/// can only stand in text or attribute values. HTML forbids the same characters, so the HTML
/// pages pass through it too.
pub fn xml_chars(text: &str) -> String {
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}');
    if !text.chars().any(forbidden) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if forbidden(c) {
            let _ = write!(out, "\u{fffd}U+{:04X}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("plain text: 409 Conflict", "plain text: 409 Conflict")]
    #[case("a\r\ntest x ... ok", "a\\r\\ntest x ... ok")]
    #[case("\u{1b}[2J\u{1b}]0;title\u{7}", "\\u{1b}[2J\\u{1b}]0;title\\u{7}")]
    #[case("c1\u{9b}31m", "c1\\u{9b}31m")]
    #[case("bidi\u{202e}txt", "bidi\\u{202e}txt")]
    fn console_lines_show_controls(#[case] text: &str, #[case] shown: &str) {
        assert_eq!(console_line(text), shown);
    }

    #[test]
    fn json_stays_json_without_raw_terminal_controls() {
        let json = serde_json::json!({ "reason": "csi\u{9b}31m bidi\u{202e} esc\u{1b}" }).to_string();
        let safe = json_for_terminal(&json);
        assert!(
            !safe.contains('\u{9b}') && !safe.contains('\u{202e}') && !safe.contains('\u{1b}'),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["reason"], "csi\u{9b}31m bidi\u{202e} esc\u{1b}");
    }

    #[test]
    fn console_blocks_keep_line_feeds_only() {
        assert_eq!(console_block("a\nb\r\u{1b}c"), "a\nb\\r\\u{1b}c");
    }

    #[rstest]
    #[case("x\n## ucwa-conformance against X: conformant")]
    #[case("a | b | c")]
    #[case("<img src=x onerror=alert(1)>")]
    #[case("[click](http://evil.example) ![i](x)")]
    #[case("`code` **bold** _em_ ~~s~~ &lt;")]
    fn markdown_text_opens_no_structure(#[case] text: &str) {
        let out = markdown(text);
        assert!(!out.contains('\n') && !out.contains('\r'), "{out}");
        let bare = |c: char| out.char_indices().any(|(i, x)| x == c && !out[..i].ends_with('\\'));
        for c in ['|', '<', '>', '`', '*', '_', '[', ']', '#', '!', '&', '~'] {
            assert!(!bare(c), "bare {c:?} in {out}");
        }
    }

    #[rstest]
    #[case("plain", "`plain`")]
    #[case("a`b", "``a`b``")]
    #[case("`x`", "`` `x` ``")]
    #[case("a|b\nc", "`a\\|b c`")]
    fn markdown_code_spans_hold_any_text(#[case] text: &str, #[case] span: &str) {
        assert_eq!(markdown_code(text), span);
    }

    #[test]
    fn outside_a_table_a_bar_in_a_code_span_is_left_alone() {
        assert_eq!(markdown_code_span("a|b`c\u{1b}"), "``a|b`c\\u{1b}``");
    }

    #[test]
    fn xml_forbidden_characters_are_replaced() {
        assert_eq!(
            xml_chars("a\u{fffe}b\u{1b}c\td\n"),
            "a\u{fffd}U+FFFEb\u{fffd}U+001Bc\td\n"
        );
        assert_eq!(xml_chars("plain"), "plain");
    }
}
