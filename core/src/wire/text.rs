//! JSON and strings as text, with no other module of ours below them: compact text of a
//! value, the indenter that matches `to_string_pretty`, the scanner of a compact
//! object's members, and `join`. Errors and rendered responses both write with these.

/// A JSON value's compact text, the one `Value::to_string` gives, written by the
/// serializer to text the wasm has anyway (`Value`'s `Display` would add its own).
pub fn compact(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `parts` joined with `separator`: `[String]::join` would add a second copy of the
/// join code beside the one for `[&str]`.
pub fn join(parts: &[String], separator: &str) -> String {
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            joined.push_str(separator);
        }
        joined.push_str(part);
    }
    joined
}

/// Indents compact JSON (as `serde_json::to_string` writes it) exactly as
/// `serde_json::to_string_pretty` would: two spaces, `": "` after keys, and `{}`/`[]`
/// for empty containers. Strings are copied byte for byte.
pub fn pretty(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'"' => {
                let end = string_end(bytes, at);
                out.push_str(&compact[at..end]);
                at = end;
                continue;
            }
            b'{' | b'[' => {
                let close = if byte == b'{' { b'}' } else { b']' };
                if bytes.get(at + 1) == Some(&close) {
                    out.push(byte as char);
                    out.push(close as char);
                    at += 2;
                    continue;
                }
                depth += 1;
                out.push(byte as char);
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(byte as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(": "),
            _ => {
                // Numbers, literals: copy the run up to the next structural byte.
                let end = bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b':'))
                    .map_or(bytes.len(), |n| at + n);
                out.push_str(&compact[at..end]);
                at = end;
                continue;
            }
        }
        at += 1;
    }
    out
}

/// The members of a JSON object in compact text (as `serde_json::to_string` writes it):
/// each key's text between its quotes, with its value's text, in order. `None` for any
/// other text, and for a key with an escape in it (whose text is then not the key).
pub fn object_members(compact: &str) -> Option<Vec<(&str, &str)>> {
    let bytes = compact.as_bytes();
    if bytes.first() != Some(&b'{') || bytes.last() != Some(&b'}') {
        return None;
    }
    let mut members = Vec::new();
    if compact == "{}" {
        return Some(members);
    }
    let mut at = 1;
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(bytes, at);
        let key = compact.get(at + 1..key_end.checked_sub(1)?)?;
        if key.contains('\\') || bytes.get(key_end) != Some(&b':') {
            return None;
        }
        let end = value_end(bytes, key_end + 1);
        members.push((key, compact.get(key_end + 1..end)?));
        match bytes.get(end) {
            Some(b',') => at = end + 1,
            Some(b'}') if end + 1 == bytes.len() => return Some(members),
            _ => return None,
        }
    }
}

/// The text of `key`'s value among `members` (as [`object_members`] answers them).
pub fn member<'a>(members: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    members
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
}

/// The first JSON value of compact `text` (an object, an array, a string or a
/// primitive) and the text after it, found by one scan of that value only.
pub fn split_first_value(text: &str) -> Option<(&str, &str)> {
    let end = value_end(text.as_bytes(), 0);
    Some((text.get(..end)?, text.get(end..)?))
}

/// The index just past the value that starts at `start` in compact JSON text: at the
/// first `,` or closing bracket outside it.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut at = start;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at = string_end(bytes, at);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return at,
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => return at,
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

/// The index just past the closing quote of the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// A newline and the indentation of 32 levels, cut to the depth at hand: one copy
/// per line instead of one per level.
const INDENTATION: &str = concat!(
    "\n",
    "                                ",
    "                                "
);

fn newline(out: &mut String, depth: usize) {
    match INDENTATION.get(..1 + 2 * depth) {
        Some(indentation) => out.push_str(indentation),
        None => {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("  ");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_objects_members_are_its_keys_and_value_texts_in_order() {
        let value = serde_json::json!({
            "b": {"x": [1, {"y": "},]\"{["}], "z": null},
            "a": "text with , and } and \" and \\",
            "c": [],
            "d": -1.5,
            "e": {}
        });
        let compact = value.to_string();
        let members = object_members(&compact).unwrap();
        let keys: Vec<&str> = members.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["a", "b", "c", "d", "e"]);
        for (key, text) in members {
            let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(parsed, value[key], "{key}");
        }
        assert_eq!(object_members("{}"), Some(Vec::new()));
    }

    #[test]
    fn other_texts_and_escaped_keys_have_no_members() {
        for text in [
            "[1]",
            "1",
            "",
            "{",
            "{\"a\":1",
            "{\"a\":1}x}",
            "{\"a\"1}",
            "{\"a\\\"b\":1}",
            "{\"a\":1,}",
        ] {
            assert_eq!(object_members(text), None, "{text:?}");
        }
    }

    #[test]
    fn nesting_deeper_than_the_indentation_at_hand_indents_as_serde_does() {
        for depth in [1, 31, 32, 33, 40] {
            let compact = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
            assert_eq!(
                pretty(&compact),
                serde_json::to_string_pretty(&value).unwrap()
            );
        }
    }
}
