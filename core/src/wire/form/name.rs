//! Parameter-name grammar: splits an already percent-decoded name such as
//! `metadata[order_id]` or `items[][price]` into a base and bracket segments.
//!
//! ```text
//! name    = base *segment            ; at most MAX_DEPTH segments
//! base    = 1*( char except "[" "]" )
//! segment = "[" *( char except "[" "]" ) "]"   ; "[]" (empty key) = append
//! ```
//! `[][]` (a list directly inside a list) is rejected as `BadName`: Stripe
//! has no list-of-lists parameters and Rack's reading of it is surprising.

use super::{FormError, MAX_DEPTH};

/// One bracket level of a name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Segment<'a> {
    /// `[key]`: descend into (or create) a map entry.
    Key(&'a str),
    /// `[]`: append to (or extend the last element of) a list.
    Append,
}

/// A parsed parameter name: `base` followed by its bracket segments.
#[derive(Debug, PartialEq)]
pub(super) struct Path<'a> {
    pub(super) base: &'a str,
    pub(super) segments: Vec<Segment<'a>>,
}

/// Parses `name`; errors carry the name exactly as given.
pub(super) fn parse(name: &str) -> Result<Path<'_>, FormError> {
    let bad_name = || FormError::BadName {
        param: name.to_owned(),
    };
    let (base, mut rest) = name.split_at(name.find('[').unwrap_or(name.len()));
    if base.is_empty() || base.contains(']') {
        return Err(bad_name());
    }
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let (segment, tail) = next_segment(rest).ok_or_else(bad_name)?;
        if segment == Segment::Append && segments.last() == Some(&Segment::Append) {
            return Err(bad_name());
        }
        segments.push(segment);
        rest = tail;
    }
    if segments.len() > MAX_DEPTH {
        return Err(FormError::TooDeep {
            param: name.to_owned(),
        });
    }
    Ok(Path { base, segments })
}

/// Reads one `[key]` off the front of `rest`; `None` when it is malformed.
fn next_segment(rest: &str) -> Option<(Segment<'_>, &str)> {
    let (key, tail) = rest.strip_prefix('[')?.split_once(']')?;
    if key.contains('[') {
        return None;
    }
    let segment = if key.is_empty() {
        Segment::Append
    } else {
        Segment::Key(key)
    };
    Some((segment, tail))
}

#[cfg(test)]
mod tests {
    use super::Segment::{Append, Key};
    use super::*;

    #[test]
    fn well_formed_names_split_into_base_and_segments() {
        let cases = [
            ("a", "a", vec![], "a bare name has no segments"),
            ("a[b]", "a", vec![Key("b")], "one map level"),
            ("a[]", "a", vec![Append], "one list level"),
            ("a[][k]", "a", vec![Append, Key("k")], "list of maps"),
            ("a[k][]", "a", vec![Key("k"), Append], "map holding a list"),
            ("a[0]", "a", vec![Key("0")], "digit keys stay keys"),
            ("a b[c d]", "a b", vec![Key("c d")], "spaces are ordinary"),
            ("é[ü]", "é", vec![Key("ü")], "non-ASCII names are fine"),
            (
                "a[b][c][d][e][f]",
                "a",
                vec![Key("b"), Key("c"), Key("d"), Key("e"), Key("f")],
                "MAX_DEPTH levels are allowed",
            ),
        ];
        for (name, base, segments, reason) in cases {
            assert_eq!(parse(name), Ok(Path { base, segments }), "{reason}");
        }
    }

    #[test]
    fn malformed_names_are_rejected() {
        let cases = [
            ("a[b", "unclosed bracket"),
            ("a]", "stray closing bracket in the base"),
            ("a[b]c", "text after a closing bracket"),
            ("[a]", "empty base"),
            ("a[b]]", "doubled closing bracket"),
            ("a[[b]]", "bracket inside a key"),
            ("a][", "closing before opening"),
            ("a[][]", "list directly inside a list"),
            ("a[b][][]", "list directly inside a list, deeper"),
        ];
        for (name, reason) in cases {
            let expected = FormError::BadName {
                param: name.to_owned(),
            };
            assert_eq!(parse(name), Err(expected), "{reason}");
        }
    }

    #[test]
    fn names_deeper_than_max_depth_are_rejected() {
        let cases = [
            ("a[b][c][d][e][f][g]", "six map levels"),
            ("a[][b][c][d][e][f]", "six levels starting with a list"),
        ];
        for (name, reason) in cases {
            let expected = FormError::TooDeep {
                param: name.to_owned(),
            };
            assert_eq!(parse(name), Err(expected), "{reason}");
        }
    }
}
