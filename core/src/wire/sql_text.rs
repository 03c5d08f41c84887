//! SQL values as one text each way between the wasm and the runtime's SQLite: a
//! statement's arguments go out as one string and its rows come back as one
//! (scripts/fast-shim.mjs, `edgeExec` and `edgeQuery`), where each value had been a call
//! or two across the boundary, and each argument array and row one more.
//!
//! ```text
//! text  = "t" units ";" chars   ; units: its length in UTF-16 code units (JavaScript's)
//! int   = "i" digits ";"        ; with a "-" if negative
//! null  = "n"                   ; rows: also whatever is not text or a safe integer
//! rows  = *( "r" *value )
//! ```

use std::fmt::Write;

/// One column's value as SQLite answered it. No column here holds a blob or a real (the
/// shim answers either as null), and no integer here comes near 2^53.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Text(String),
}

/// A statement's arguments, written one after another.
#[derive(Debug, Default)]
pub struct ArgsText(String);

impl ArgsText {
    pub fn text(&mut self, s: &str) {
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        // Written in place: a `to_string` per value was an allocation per argument.
        let _ = write!(self.0, "t{units};");
        self.0.push_str(s);
    }

    pub fn int(&mut self, n: i64) {
        let _ = write!(self.0, "i{n};");
    }

    pub fn null(&mut self) {
        self.0.push('n');
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rows text that is not one: the shim and this reader disagree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("malformed rows text at byte {at}")]
pub struct MalformedRows {
    pub at: usize,
}

/// Reads a rows text into rows of values, each in SELECT order.
pub fn parse_rows(text: &str) -> Result<Vec<Vec<SqlValue>>, MalformedRows> {
    let mut rows = Vec::new();
    let mut rest = text;
    let at = |rest: &str| text.len() - rest.len();
    while let Some(tail) = rest.strip_prefix('r') {
        rest = tail;
        let mut row = Vec::new();
        let mut chars = rest.chars();
        while let Some(tag) = chars.next().filter(|&c| c != 'r') {
            let (value, tail) =
                parse_value(tag, chars.as_str()).ok_or(MalformedRows { at: at(rest) })?;
            row.push(value);
            rest = tail;
            chars = rest.chars();
        }
        rows.push(row);
    }
    if rest.is_empty() {
        Ok(rows)
    } else {
        Err(MalformedRows { at: at(rest) })
    }
}

/// The value `tag` begins, and what follows it.
fn parse_value(tag: char, rest: &str) -> Option<(SqlValue, &str)> {
    if tag == 'n' {
        return Some((SqlValue::Null, rest));
    }
    let (number, rest) = rest.split_once(';')?;
    match tag {
        'i' => Some((SqlValue::Int(number.parse().ok()?), rest)),
        't' => {
            let (text, rest) = split_units(rest, number.parse().ok()?)?;
            Some((SqlValue::Text(text.to_owned()), rest))
        }
        _ => None,
    }
}

/// `s` split after its first `units` UTF-16 code units, which must end on a character.
fn split_units(s: &str, units: usize) -> Option<(&str, &str)> {
    // Every code unit is at least one byte: an ASCII prefix of that many bytes is the text.
    if s.as_bytes().get(..units)?.is_ascii() {
        return Some(s.split_at(units));
    }
    let mut counted = 0;
    for (i, c) in s.char_indices() {
        if counted >= units {
            return (counted == units).then(|| s.split_at(i));
        }
        counted += c.len_utf16();
    }
    (counted == units).then_some((s, ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    #[test]
    fn arguments_are_written_with_their_length_in_utf16_units() {
        let mut args = ArgsText::default();
        args.text("cus_1");
        args.int(-42);
        args.null();
        args.text("Zoë 😀;r");
        args.text("");
        // "Zoë 😀;r": ë is one unit, the emoji two.
        assert_eq!(args.as_str(), "t5;cus_1i-42;nt8;Zoë 😀;rt0;");
    }

    #[test]
    fn rows_come_back_in_select_order() {
        assert_eq!(
            parse_rows("rt5;cus_1i1733500000;nrt0;i-3;"),
            Ok(vec![
                vec![
                    SqlValue::Text("cus_1".into()),
                    SqlValue::Int(1_733_500_000),
                    SqlValue::Null
                ],
                vec![SqlValue::Text(String::new()), SqlValue::Int(-3)],
            ])
        );
        assert_eq!(parse_rows(""), Ok(vec![]));
        assert_eq!(parse_rows("r"), Ok(vec![vec![]]));
    }

    #[test]
    fn a_text_may_hold_the_format_s_own_characters_and_any_script() {
        let stored = "{\"name\":\"Zoë 😀\",\"r\":\"t9;n\"}";
        let units = stored.encode_utf16().count();
        assert_eq!(
            parse_rows(&format!("rt{units};{stored}i7;")),
            Ok(vec![vec![SqlValue::Text(stored.into()), SqlValue::Int(7)]])
        );
    }

    #[test]
    fn a_text_that_is_not_a_rows_text_is_refused() {
        for bad in [
            "x",
            "ri12",
            "rt9;short",
            "rt1;😀",
            "rq1;",
            "rtx;a",
            "rt2;😀x",
            "ri;",
            "ri2.5;",
            "ri1e+21;",
            "ré",
        ] {
            assert!(parse_rows(bad).is_err(), "{bad:?}");
        }
        // Half of a surrogate pair is not a character.
        assert_eq!(parse_rows("rt1;😀"), Err(MalformedRows { at: 1 }));
    }

    /// What the shim's `edgeQuery` writes for `rows`.
    fn written_as_the_shim_does(rows: &[Vec<SqlValue>]) -> String {
        let mut out = String::new();
        for row in rows {
            out.push('r');
            for value in row {
                match value {
                    SqlValue::Null => out.push('n'),
                    SqlValue::Int(n) => out.push_str(&format!("i{n};")),
                    SqlValue::Text(t) => {
                        out.push_str(&format!("t{};{t}", t.encode_utf16().count()))
                    }
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn any_rows_read_back_as_they_were_written(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::strategy::Just(SqlValue::Null),
                        (-(1i64 << 53)..(1i64 << 53)).prop_map(SqlValue::Int),
                        ".*".prop_map(SqlValue::Text),
                    ],
                    0..5,
                ),
                0..4,
            )
        ) {
            let text = written_as_the_shim_does(&rows);
            proptest::prop_assert_eq!(parse_rows(&text), Ok(rows));
        }
    }
}
