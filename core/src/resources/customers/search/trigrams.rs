//! The trigrams a substring clause (`name~'…'`) asks the FTS5 index for: those that
//! cover its text, less the "stop trigrams" that most of the account's rows hold (a long
//! doclist to walk that narrows nothing), and the bounded memo of which trigrams are such.

use std::collections::HashMap;

/// How many of the newest index rows a trigram's density is measured on.
pub const SAMPLE_ROWS: i64 = 100;
/// A trigram held by at least this many of the sampled rows is a stop trigram.
const DENSE_ROWS: i64 = SAMPLE_ROWS / 2;
/// The memo forgets everything when it holds this many trigrams.
const MEMO_CAPACITY: usize = 4096;

/// The FTS5 query for a superset of the rows whose `col` holds `text` (case-folded by the
/// tokenizer): the trigrams that cover `text` without overlap (the last one may overlap),
/// ANDed, less those `is_dense` says most rows hold, unless that would leave none. Each
/// is quoted so that no character of `text` is query syntax. The `instr` test beside it
/// keeps the answer exact, whatever subset is asked (ARCHITECTURE.md, search).
pub fn fts_query(col: &str, text: &str, is_dense: &dyn Fn(&str, &str) -> bool) -> String {
    let cover = cover(text);
    let sparse: Vec<&String> = cover.iter().filter(|t| !is_dense(col, t)).collect();
    let asked = if sparse.is_empty() {
        cover.iter().collect()
    } else {
        sparse
    };
    let terms: Vec<String> = asked.iter().map(|t| quoted(t)).collect();
    format!("{col} : ({})", terms.join(" AND "))
}

/// The FTS5 query for the rows whose `col` holds one trigram (the density probe).
pub fn probe_query(col: &str, trigram: &str) -> String {
    format!("{col} : {}", quoted(trigram))
}

/// Whether a trigram found in `count` of the `SAMPLE_ROWS` newest rows is a stop trigram.
pub fn is_dense(count: i64) -> bool {
    count >= DENSE_ROWS
}

/// The trigrams at characters 0, 3, 6, … of `text`, and the last three characters.
fn cover(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let last = chars.len().saturating_sub(3);
    let mut starts: Vec<usize> = (0..=last).step_by(3).collect();
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
        .iter()
        .map(|&i| chars.iter().skip(i).take(3).collect())
        .collect()
}

fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Which (column, trigram) pairs are stop trigrams, as last measured: a memo, so that a
/// density is measured once, not on every search. Staleness costs only speed.
#[derive(Debug, Default)]
pub struct DensityMemo {
    dense: HashMap<String, bool>,
}

impl DensityMemo {
    /// The remembered answer for `trigram` of `col`, or else `measure`'s, remembered.
    pub fn is_dense(&mut self, col: &str, trigram: &str, measure: impl FnOnce() -> bool) -> bool {
        let key = format!("{col}\u{0}{}", trigram.to_lowercase());
        if let Some(&dense) = self.dense.get(&key) {
            return dense;
        }
        let dense = measure();
        if self.dense.len() >= MEMO_CAPACITY {
            self.dense.clear();
        }
        self.dense.insert(key, dense);
        dense
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE_DENSE: &dyn Fn(&str, &str) -> bool = &|_, _| false;

    #[test]
    fn a_substring_asks_for_the_trigrams_that_cover_it() {
        assert_eq!(fts_query("name", "abc", NONE_DENSE), r#"name : ("abc")"#);
        assert_eq!(
            fts_query("name", "abcd", NONE_DENSE),
            r#"name : ("abc" AND "bcd")"#
        );
        assert_eq!(
            fts_query("name", "stomer 123456", NONE_DENSE),
            r#"name : ("sto" AND "mer" AND " 12" AND "345" AND "456")"#
        );
        // Characters, not bytes: each trigram is three of them.
        assert_eq!(
            fts_query("email", "éüöß", NONE_DENSE),
            r#"email : ("éüö" AND "üöß")"#
        );
        assert_eq!(
            fts_query("name", r#"o"Br"#, NONE_DENSE),
            r#"name : ("o""B" AND """Br")"#
        );
    }

    #[test]
    fn stop_trigrams_are_left_out_unless_nothing_would_be_left() {
        let letters = |_: &str, t: &str| t.chars().all(char::is_alphabetic);
        assert_eq!(
            fts_query("name", "stomer 123456", &letters),
            r#"name : (" 12" AND "345" AND "456")"#
        );
        assert_eq!(
            fts_query("name", "stomer", &letters),
            r#"name : ("sto" AND "mer")"#
        );
        // The column is the probe's too.
        let only_email = |col: &str, _: &str| col == "email";
        assert_eq!(fts_query("email", "abc", &only_email), r#"email : ("abc")"#);
        assert_eq!(
            fts_query("name", "abcdef", &only_email),
            r#"name : ("abc" AND "def")"#
        );
    }

    #[test]
    fn a_probe_asks_for_one_quoted_trigram_and_half_the_sample_is_dense() {
        assert_eq!(probe_query("phone", r#"5"5"#), r#"phone : "5""5""#);
        assert!(!is_dense(SAMPLE_ROWS / 2 - 1));
        assert!(is_dense(SAMPLE_ROWS / 2));
    }

    #[test]
    fn the_memo_measures_once_per_trigram_and_column_any_case() {
        let mut memo = DensityMemo::default();
        let measured = std::cell::Cell::new(0);
        let measure = |answer: bool| {
            measured.set(measured.get() + 1);
            answer
        };
        assert!(memo.is_dense("name", "Sto", || measure(true)));
        assert!(memo.is_dense("name", "sTO", || measure(false)));
        assert!(!memo.is_dense("email", "sto", || measure(false)));
        assert_eq!(measured.get(), 2);
    }

    #[test]
    fn the_memo_forgets_everything_when_full() {
        let mut memo = DensityMemo::default();
        for i in 0..MEMO_CAPACITY {
            memo.is_dense("name", &format!("{i:03}"), || true);
        }
        assert_eq!(memo.dense.len(), MEMO_CAPACITY);
        assert!(!memo.is_dense("name", "new", || false));
        assert_eq!(memo.dense.len(), 1);
    }
}
