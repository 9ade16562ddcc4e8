//! The spellings of a character in the escapes a target, or one of our own outputs, may use:
//! as it is; percent-encoded (either hex case); `+` for a space; JSON's `\uXXXX` (surrogate
//! pairs too) and backslash escapes; XML and HTML entities (`&lt;`, `&#60;`, `&#x3C;`). The
//! escape's own introducer may itself be escaped once more (`\\u0068`, `&amp;lt;`, `%2568`), as
//! it is when a results file or an HTML report serialises a body that held an escape.
//!
//! [`match_at`] tells whether a text spells a secret at a position, one character at a time, so
//! any mix of spellings within one secret is found.

/// The end of `form` spelled in `text` from `at`, if it is (the longest such spelling).
pub fn match_at(text: &[u8], at: usize, form: &str) -> Option<usize> {
    // A character may be spelled two ways at one place (`%` as itself, or `%25`): a small
    // depth-first search without recursion. The stack allocates only when a character has a
    // second spelling, which is rare: the common case allocates nothing.
    let mut alternatives: Vec<(usize, usize)> = Vec::new();
    let (mut k, mut i) = (0usize, at);
    let mut end = None;
    loop {
        let step = match form.get(k..).and_then(|rest| rest.chars().next()) {
            None => {
                end = end.max(Some(i));
                None
            }
            Some(c) => text.get(i..).and_then(|rest| {
                let next = k + c.len_utf8();
                let mut lengths = spellings(rest, c).into_iter().flatten();
                let first = lengths.next()?;
                alternatives.extend(lengths.map(|n| (next, i + n)));
                Some((next, i + first))
            }),
        };
        match step.or_else(|| alternatives.pop()) {
            Some((next_k, next_i)) => (k, i) = (next_k, next_i),
            None => return end,
        }
    }
}

/// True when `text` starts with a spelling of `c` (as it is, or escaped).
pub fn starts_with_spelling(text: &[u8], c: char) -> bool {
    spellings(text, c).iter().any(Option::is_some)
}

/// True when a spelling of a character may start with `byte` although the character does not.
pub fn starts_an_escape(byte: u8) -> bool {
    matches!(byte, b'\\' | b'&' | b'%' | b'+')
}

/// The lengths of the spellings of `c` at the start of `text`: as it is, and escaped with the
/// escape's introducer written once or twice.
fn spellings(text: &[u8], c: char) -> [Option<usize>; 3] {
    let mut buf = [0u8; 4];
    let utf8 = c.encode_utf8(&mut buf).as_bytes();
    let literal = text.starts_with(utf8).then_some(utf8.len());
    if c == ' ' && text.first() == Some(&b'+') {
        return [literal, Some(1), None];
    }
    let Some(&intro) = text.first().filter(|b| matches!(b, b'%' | b'\\' | b'&')) else {
        return [literal, None, None];
    };
    let mut escaped = introducer(text, intro).map(|n| {
        let rest = text.get(n..)?;
        let used = match intro {
            b'%' => percent(rest, utf8, intro_of(text, n))?,
            b'\\' => backslash(rest, c, intro_of(text, n))?,
            _ => entity(rest, c)?,
        };
        Some(n + used)
    });
    [literal, escaped.next().flatten(), escaped.next().flatten()]
}

/// The introducer as written (`%` or `%25`, `\` or `\\`), to spell the escape's next part the same way.
fn intro_of(text: &[u8], n: usize) -> &[u8] {
    &text[..n]
}

/// The length of an escape's introducer `intro` at the start of `text`: once more escaped
/// (`\\`, `&amp;`, `%25`), and itself.
fn introducer(text: &[u8], intro: u8) -> impl Iterator<Item = usize> + '_ {
    let escaped: &[u8] = match intro {
        b'\\' => b"\\\\",
        b'&' => b"&amp;",
        _ => b"%25",
    };
    let twice = text.starts_with(escaped).then_some(escaped.len());
    let once = (text.first() == Some(&intro)).then_some(1);
    twice.into_iter().chain(once)
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// After a first `%`: `HH` for the first UTF-8 byte, then `%HH` (the `%` written as the first
/// was) for each further byte.
fn percent(rest: &[u8], utf8: &[u8], intro: &[u8]) -> Option<usize> {
    let mut i = 0;
    for (k, &byte) in utf8.iter().enumerate() {
        if k > 0 {
            i += rest.get(i..)?.starts_with(intro).then_some(intro.len())?;
        }
        (hex_value(rest.get(i..i + 2)?)? == u32::from(byte)).then_some(())?;
        i += 2;
    }
    Some(i)
}

/// After a backslash: JSON (`uXXXX`, `/`, `n`) and Markdown (`*`) escapes; a character outside
/// the BMP as a surrogate pair, the low half escaped the same way.
fn backslash(rest: &[u8], c: char, intro: &[u8]) -> Option<usize> {
    let named = match c {
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        c if c.is_ascii_punctuation() => Some(c as u8),
        _ => None,
    };
    if named.is_some() && rest.first().copied() == named {
        return Some(1);
    }
    let unit = json_unit(rest)?;
    if unit == u32::from(c) {
        return Some(5);
    }
    let high = unit.checked_sub(0xD800).filter(|h| *h < 0x400)?;
    let low_part = rest.get(5..)?.strip_prefix(intro)?;
    let low = json_unit(low_part)?.checked_sub(0xDC00).filter(|l| *l < 0x400)?;
    (0x10000 + (high << 10) + low == u32::from(c)).then_some(5 + intro.len() + 5)
}

/// `uXXXX` (the backslash already read): the code unit.
fn json_unit(text: &[u8]) -> Option<u32> {
    if text.first() != Some(&b'u') {
        return None;
    }
    hex_value(text.get(1..5)?)
}

/// After `&`: XML and HTML character references, named (`lt;`), decimal (`#60;`) and hex (`#x3C;`).
fn entity(rest: &[u8], c: char) -> Option<usize> {
    let end = rest.iter().take(12).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&rest[..end]).ok()?;
    let value = match name {
        "lt" => Some('<' as u32),
        "gt" => Some('>' as u32),
        "amp" => Some('&' as u32),
        "quot" => Some('"' as u32),
        "apos" => Some('\'' as u32),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16).ok(),
            Some(decimal) => decimal.parse().ok(),
            None => None,
        },
    }?;
    (value == u32::from(c)).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::plain("a/b+c<d", "a/b+c<d")]
    #[case::json_slash(r"a\/b+c<d", "a/b+c<d")]
    #[case::json_unicode(r"\u0061\u002Fb\u002bc\u003cd", "a/b+c<d")]
    #[case::json_twice(r"\\u0061/b+c<d", "a/b+c<d")]
    #[case::xml_named("a/b+c&lt;d", "a/b+c<d")]
    #[case::xml_numeric("&#97;&#x2f;b&#X2B;c&#60;d", "a/b+c<d")]
    #[case::html_twice("a/b+c&amp;lt;d", "a/b+c<d")]
    #[case::percent_upper("a%2Fb%2Bc%3Cd", "a/b+c<d")]
    #[case::percent_lower("a%2fb%2bc%3cd", "a/b+c<d")]
    #[case::percent_twice("a%252Fb+c<d", "a/b+c<d")]
    #[case::markdown(r"a\/b\+c\<d", "a/b+c<d")]
    #[case::form_space("pass+word", "pass word")]
    #[case::utf8_percent("p%C3%A4ss", "päss")]
    #[case::surrogates(r"x\ud83d\ude00y", "x\u{1f600}y")]
    #[case::percent_in_secret("50%2525", "50%25")]
    #[case::backslash_in_secret(r"a\\b", r"a\b")]
    fn every_spelling_is_found(#[case] text: &str, #[case] secret: &str) {
        assert_eq!(match_at(text.as_bytes(), 0, secret), Some(text.len()), "{text}");
    }

    #[rstest]
    #[case("a/b+c<e", "a/b+c<d")]
    #[case(r"\u0062", "a")]
    #[case("&#98;", "a")]
    #[case("%62", "a")]
    #[case("a/b+c<", "a/b+c<d")]
    fn other_text_is_not_a_spelling(#[case] text: &str, #[case] secret: &str) {
        assert_eq!(match_at(text.as_bytes(), 0, secret), None, "{text}");
    }
}
