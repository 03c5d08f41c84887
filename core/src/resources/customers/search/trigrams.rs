//! The trigrams a substring clause (`name~'…'`) asks the FTS5 index for: those that
//! cover its text, less the "stop trigrams" that most of the account's rows hold (a long
//! doclist to walk that narrows nothing), and the bounded memo of which trigrams are such.

/// How many of the newest index rows a trigram's density is measured on.
const SAMPLE_ROWS: i64 = 100;
/// The density probe: how many of the `SAMPLE_ROWS` newest rows match one term (FTS5
/// reads at most that many entries of its doclist). Bind: the term.
pub const PROBE_SQL: &str = "SELECT count(*) FROM customer_search WHERE customer_search MATCH ?
    AND rowid > (SELECT MAX(seq) FROM customers) - 100";
/// A trigram held by at least this many of the sampled rows is a stop trigram.
const DENSE_ROWS: i64 = SAMPLE_ROWS / 2;

/// Whether most of the account's rows hold a term's trigram (`DensityMemo`).
pub type IsDense<'a> = &'a dyn Fn(&str) -> bool;
/// The memo forgets everything when it holds this many terms (the bench's names alone
/// have about 1,200 digit trigrams a column: a smaller memo forgot them as fast as they
/// came, and every search paid its probes).
const MEMO_CAPACITY: usize = 4096;

/// The FTS5 query for a superset of the rows whose `col` holds `text` (case-folded by the
/// tokenizer): the terms `col : "trigram"` of the trigrams that cover `text` without
/// overlap (the last one may overlap), ANDed, less those `is_dense` says most rows hold,
/// unless that would leave none. Each trigram is quoted so that no character of `text`
/// is query syntax; one term alone is the density probe's query. The `instr` test beside
/// it keeps the answer exact, whatever subset is asked (ARCHITECTURE.md, search).
pub fn fts_query(col: &str, text: &str, is_dense: IsDense) -> String {
    let terms = cover_terms(col, text);
    let asked: Vec<&str> = terms
        .iter()
        .map(String::as_str)
        .filter(|t| !is_dense(t))
        .collect();
    if asked.is_empty() {
        return terms.join(" AND ");
    }
    asked.join(" AND ")
}

/// Whether a trigram found in `count` of the `SAMPLE_ROWS` newest rows is a stop trigram.
pub fn dense_in_sample(count: i64) -> bool {
    count >= DENSE_ROWS
}

/// The terms of the trigrams at characters 0, 3, 6, … of `text`, and of its last three.
fn cover_terms(col: &str, text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let last = chars.len().saturating_sub(3);
    let mut terms = Vec::new();
    let mut start = 0;
    loop {
        let trigram: String = chars.iter().skip(start.min(last)).take(3).collect();
        terms.push(format!("{col} : \"{}\"", trigram.replace('"', "\"\"")));
        if start >= last {
            return terms;
        }
        start += 3;
    }
}

/// Which terms (`col : "trigram"`) are stop trigrams, as last measured: a memo, so that
/// a density is measured once, not on every search. Staleness costs only speed; a
/// trigram met in two cases (FTS5 folds them) is at worst measured twice.
///
/// A list of 64-bit FNV-1a fingerprints of the terms, scanned in order: a map's code for
/// this one use costs the wasm 1.6 KB more, and a scan of 4,096 integers a search a few
/// microseconds. Two terms with one fingerprint (about one chance in 10^12 among 4,096)
/// would share an answer, which costs speed, never a result.
#[derive(Debug, Default)]
pub struct DensityMemo {
    dense: Vec<(u64, bool)>,
}

impl DensityMemo {
    /// The remembered answer for `term`, or else `measure`'s, remembered.
    pub fn is_dense(&mut self, term: &str, measure: impl FnOnce() -> bool) -> bool {
        let key = fingerprint(term);
        if let Some((_, dense)) = self.dense.iter().find(|(k, _)| *k == key) {
            return *dense;
        }
        let dense = measure();
        if self.dense.len() >= MEMO_CAPACITY {
            self.dense.clear();
        }
        self.dense.push((key, dense));
        dense
    }
}

fn fingerprint(term: &str) -> u64 {
    term.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE_DENSE: IsDense = &|_| false;

    #[test]
    fn a_substring_asks_for_the_trigrams_that_cover_it() {
        assert_eq!(fts_query("name", "abc", NONE_DENSE), r#"name : "abc""#);
        assert_eq!(
            fts_query("name", "abcd", NONE_DENSE),
            r#"name : "abc" AND name : "bcd""#
        );
        assert_eq!(
            fts_query("name", "stomer 123456", NONE_DENSE),
            r#"name : "sto" AND name : "mer" AND name : " 12" AND name : "345" AND name : "456""#
        );
        // Characters, not bytes: each trigram is three of them.
        assert_eq!(
            fts_query("email", "éüöß", NONE_DENSE),
            r#"email : "éüö" AND email : "üöß""#
        );
        assert_eq!(
            fts_query("name", r#"o"Br"#, NONE_DENSE),
            r#"name : "o""B" AND name : """Br""#
        );
    }

    #[test]
    fn stop_trigrams_are_left_out_unless_nothing_would_be_left() {
        let letters = |t: &str| {
            let trigram = t.split('"').nth(1).unwrap_or_default();
            trigram.chars().all(char::is_alphabetic)
        };
        assert_eq!(
            fts_query("name", "stomer 123456", &letters),
            r#"name : " 12" AND name : "345" AND name : "456""#
        );
        assert_eq!(
            fts_query("name", "stomer", &letters),
            r#"name : "sto" AND name : "mer""#
        );
        // The term names its column: the probe measures the trigram in that column.
        let only_email = |t: &str| t.starts_with("email");
        assert_eq!(fts_query("email", "abc", &only_email), r#"email : "abc""#);
        assert_eq!(
            fts_query("name", "abcdef", &only_email),
            r#"name : "abc" AND name : "def""#
        );
    }

    #[test]
    fn the_probe_reads_the_sample_and_half_of_it_is_dense() {
        assert!(PROBE_SQL.ends_with(&format!(" - {SAMPLE_ROWS}")));
        assert!(!dense_in_sample(SAMPLE_ROWS / 2 - 1));
        assert!(dense_in_sample(SAMPLE_ROWS / 2));
    }

    #[test]
    fn the_memo_measures_once_per_term() {
        let mut memo = DensityMemo::default();
        let measured = std::cell::Cell::new(0);
        let measure = |answer: bool| {
            measured.set(measured.get() + 1);
            answer
        };
        assert!(memo.is_dense(r#"name : "sto""#, || measure(true)));
        assert!(!memo.is_dense(r#"email : "sto""#, || measure(false)));
        assert!(!memo.is_dense(r#"name : "abc""#, || measure(false)));
        assert!(memo.is_dense(r#"name : "sto""#, || measure(false)));
        assert!(!memo.is_dense(r#"email : "sto""#, || measure(true)));
        assert!(!memo.is_dense(r#"name : "abc""#, || measure(true)));
        assert_eq!(measured.get(), 3);
    }

    #[test]
    fn the_memo_forgets_everything_when_full() {
        let mut memo = DensityMemo::default();
        for i in 0..MEMO_CAPACITY {
            memo.is_dense(&format!("name : \"{i:04}\""), || true);
        }
        assert_eq!(memo.dense.len(), MEMO_CAPACITY);
        assert!(!memo.is_dense("name : \"new\"", || false));
        assert_eq!(memo.dense.len(), 1);
    }
}
