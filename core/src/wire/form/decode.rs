//! Form decoding: splits an `application/x-www-form-urlencoded` body (or a
//! query string) into pairs, percent-decodes them and builds the tree.
//!
//! ```text
//! body   = [ pair *( "&" pair ) ]     ; at most MAX_PARAMS non-empty pairs
//! pair   = name [ "=" value ]         ; empty name: pair skipped
//! name, value: "+" = space, "%" HEXDIG HEXDIG = that byte; result must be UTF-8
//! ```

use super::name::parse;
use super::tree::insert;
use super::{FormError, FormMap, MAX_PARAMS};

/// Decodes a form body or a query string (without the leading `?`).
pub fn decode_form(input: &[u8]) -> Result<FormMap, FormError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Ok(FormMap::new());
    }
    let pairs = || {
        input
            .split(|&byte| byte == b'&')
            .filter(|pair| !pair.is_empty())
    };
    if pairs().count() > MAX_PARAMS {
        return Err(FormError::TooMany);
    }
    let mut params = FormMap::new();
    for pair in pairs() {
        add_pair(&mut params, pair)?;
    }
    Ok(params)
}

/// Decodes one `name=value` pair and stores it in `params`.
fn add_pair(params: &mut FormMap, pair: &[u8]) -> Result<(), FormError> {
    let (raw_name, raw_value) = split_pair(pair);
    let name = decode_text(raw_name, || String::from_utf8_lossy(raw_name).into_owned())?;
    if name.is_empty() {
        return Ok(());
    }
    let path = parse(&name)?;
    let value = decode_text(raw_value, || name.clone())?;
    insert(params, &path, value).map_err(|_| FormError::Conflict {
        param: name.clone(),
    })
}

/// Splits at the first `=`; a pair without one has an empty value.
fn split_pair(pair: &[u8]) -> (&[u8], &[u8]) {
    match pair.iter().position(|&byte| byte == b'=') {
        Some(at) => (&pair[..at], &pair[at + 1..]),
        None => (pair, &[]),
    }
}

/// Percent-decodes `raw` into text; `param` names the parameter in errors.
fn decode_text(raw: &[u8], param: impl FnOnce() -> String) -> Result<String, FormError> {
    let Some(bytes) = unescape(raw) else {
        return Err(FormError::BadPercentEncoding { param: param() });
    };
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8 { param: param() })
}

/// `+` becomes a space and `%XX` its byte; `None` on a malformed escape.
fn unescape(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter().copied();
    while let Some(byte) = bytes.next() {
        out.push(match byte {
            b'+' => b' ',
            b'%' => hex_byte(bytes.next()?, bytes.next()?)?,
            other => other,
        });
    }
    Some(out)
}

fn hex_byte(high: u8, low: u8) -> Option<u8> {
    let digit = |byte: u8| char::from(byte).to_digit(16);
    u8::try_from(digit(high)? * 16 + digit(low)?).ok()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{encode_form, l, m, params, s};
    use super::super::{FormValue, MAX_DEPTH};
    use super::*;

    fn decoded(input: &str) -> Result<FormMap, FormError> {
        decode_form(input.as_bytes())
    }

    /// Runs rows of (input, expected tree, reason).
    fn check_trees(cases: Vec<(&str, FormMap, &str)>) {
        for (input, expected, reason) in cases {
            assert_eq!(decoded(input), Ok(expected), "{reason} (input `{input}`)");
        }
    }

    /// Runs rows of (input, expected error, reason).
    fn check_errors(cases: Vec<(&[u8], FormError, &str)>) {
        for (input, expected, reason) in cases {
            let shown = String::from_utf8_lossy(input);
            assert_eq!(
                decode_form(input),
                Err(expected),
                "{reason} (input `{shown}`)"
            );
        }
    }

    fn one(key: &str, value: FormValue) -> FormMap {
        params(vec![(key, value)])
    }

    #[test]
    fn plain_pairs_decode_in_order() {
        check_trees(vec![
            ("a=1", one("a", s("1")), "a single pair"),
            (
                "email=jenny%40example.com&name=Jenny",
                params(vec![
                    ("email", s("jenny@example.com")),
                    ("name", s("Jenny")),
                ]),
                "pairs keep their order",
            ),
            (
                "b=2&a=1",
                params(vec![("b", s("2")), ("a", s("1"))]),
                "order is the client's, not sorted",
            ),
            ("a=x=y", one("a", s("x=y")), "only the first = splits"),
            (
                "a=[1]",
                one("a", s("[1]")),
                "brackets in values are plain text",
            ),
        ]);
    }

    #[test]
    fn plus_and_percent_escapes_decode_to_text() {
        check_trees(vec![
            ("a=hello+world", one("a", s("hello world")), "+ is a space"),
            (
                "a=hello%20world",
                one("a", s("hello world")),
                "%20 is a space",
            ),
            ("a=1%2B1", one("a", s("1+1")), "%2B is a literal plus"),
            ("na%6De=x", one("name", s("x")), "names are unescaped too"),
            ("a+b=c", one("a b", s("c")), "+ in names is a space"),
            ("a=caf%C3%A9", one("a", s("café")), "multi-byte UTF-8"),
            ("a=%e2%9c%93", one("a", s("✓")), "lowercase hex digits"),
            ("a=%26%3D", one("a", s("&=")), "escaped separators are data"),
        ]);
    }

    #[test]
    fn encoded_brackets_are_decoded_before_parsing_the_name() {
        check_trees(vec![
            (
                "metadata%5Bk%5D=v",
                one("metadata", m(vec![("k", s("v"))])),
                "fully escaped brackets",
            ),
            (
                "metadata%5bk]=v",
                one("metadata", m(vec![("k", s("v"))])),
                "mixed escaped and literal brackets",
            ),
            (
                "tags%5B%5D=a&tags[]=b",
                one("tags", l(vec![s("a"), s("b")])),
                "escaped [] appends to the same list",
            ),
        ]);
    }

    #[test]
    fn nested_names_build_nested_maps() {
        check_trees(vec![
            (
                "metadata[order_id]=6735",
                one("metadata", m(vec![("order_id", s("6735"))])),
                "the Stripe seed example",
            ),
            (
                "address[line1]=1+Main&address[city]=Paris&name=J",
                params(vec![
                    (
                        "address",
                        m(vec![("line1", s("1 Main")), ("city", s("Paris"))]),
                    ),
                    ("name", s("J")),
                ]),
                "siblings share one map",
            ),
            (
                "a[b][c]=v&a[b][d]=w&a[e]=x",
                one(
                    "a",
                    m(vec![
                        ("b", m(vec![("c", s("v")), ("d", s("w"))])),
                        ("e", s("x")),
                    ]),
                ),
                "two levels of maps",
            ),
            (
                "shipping[address][city]=Paris&shipping[name]=J",
                one(
                    "shipping",
                    m(vec![
                        ("address", m(vec![("city", s("Paris"))])),
                        ("name", s("J")),
                    ]),
                ),
                "nested map then a scalar sibling",
            ),
        ]);
    }

    #[test]
    fn nesting_deeper_than_max_depth_is_rejected() {
        let deepest = "a[b][c][d][e][f]";
        assert_eq!(MAX_DEPTH, 5, "the names below assume five levels");
        let leaf = m(vec![("f", s("v"))]);
        let expected = ["e", "d", "c", "b"]
            .into_iter()
            .fold(leaf, |inner, key| m(vec![(key, inner)]));
        check_trees(vec![(
            "a[b][c][d][e][f]=v",
            one("a", expected),
            "five levels are allowed",
        )]);
        check_errors(vec![
            (
                b"a[b][c][d][e][f][g]=v",
                FormError::TooDeep {
                    param: format!("{deepest}[g]"),
                },
                "six levels are too deep",
            ),
            (
                b"a[][b][c][d][e][f]=v",
                FormError::TooDeep {
                    param: "a[][b][c][d][e][f]".into(),
                },
                "list levels count too",
            ),
            (
                b"a%5Bb%5D[c][d][e][f][g]=v",
                FormError::TooDeep {
                    param: format!("{deepest}[g]"),
                },
                "escaped brackets count too; the error shows the decoded name",
            ),
        ]);
    }

    #[test]
    fn repeated_scalar_keys_keep_the_last_value() {
        check_trees(vec![
            (
                "a=1&b=2&a=3",
                params(vec![("a", s("3")), ("b", s("2"))]),
                "last wins, first position kept",
            ),
            (
                "m[k]=1&m[j]=2&m[k]=3",
                one("m", m(vec![("k", s("3")), ("j", s("2"))])),
                "nested repeats behave the same",
            ),
            ("a=1&a=", one("a", s("")), "a later empty value unsets"),
        ]);
    }

    #[test]
    fn empty_brackets_append_to_a_list() {
        check_trees(vec![
            (
                "a[]=x&a[]=y",
                one("a", l(vec![s("x"), s("y")])),
                "two appends",
            ),
            (
                "a[]=x&a[]=x",
                one("a", l(vec![s("x"), s("x")])),
                "duplicates are kept",
            ),
            (
                "a[]=",
                one("a", l(vec![s("")])),
                "an empty value is an element",
            ),
            (
                "a[]=x&b=1&a[]=y",
                params(vec![("a", l(vec![s("x"), s("y")])), ("b", s("1"))]),
                "appends need not be adjacent",
            ),
            (
                "p[tags][]=1&p[tags][]=2",
                one("p", m(vec![("tags", l(vec![s("1"), s("2")]))])),
                "a list inside a map",
            ),
        ]);
    }

    #[test]
    fn list_of_maps_follows_the_rack_append_rule() {
        check_trees(vec![
            (
                "a[][type]=t1&a[][value]=v1&a[][type]=t2&a[][value]=v2",
                one(
                    "a",
                    l(vec![
                        m(vec![("type", s("t1")), ("value", s("v1"))]),
                        m(vec![("type", s("t2")), ("value", s("v2"))]),
                    ]),
                ),
                "a repeated key starts a new element",
            ),
            (
                "a[][x]=1&a[][y]=2",
                one("a", l(vec![m(vec![("x", s("1")), ("y", s("2"))])])),
                "new keys extend the last element",
            ),
            (
                "a[][x][y]=1&a[][x][z]=2&a[][x][y]=3",
                one(
                    "a",
                    l(vec![
                        m(vec![("x", m(vec![("y", s("1")), ("z", s("2"))]))]),
                        m(vec![("x", m(vec![("y", s("3"))]))]),
                    ]),
                ),
                "the whole key path decides, not just its first key",
            ),
            (
                "a[]=s&a[][k]=v",
                one("a", l(vec![s("s"), m(vec![("k", s("v"))])])),
                "a scalar last element forces a new map",
            ),
            (
                "a[][k]=1&a[]=s&a[][j]=2",
                one(
                    "a",
                    l(vec![m(vec![("k", s("1"))]), s("s"), m(vec![("j", s("2"))])]),
                ),
                "scalars and maps may alternate",
            ),
            (
                "a[][b][]=1&a[][b][]=2",
                one("a", l(vec![m(vec![("b", l(vec![s("1"), s("2")]))])])),
                "a path with [] never counts as present, so it extends the last map",
            ),
        ]);
    }

    #[test]
    fn digit_keys_stay_map_keys() {
        check_trees(vec![
            (
                "a[0]=x&a[1]=y",
                one("a", m(vec![("0", s("x")), ("1", s("y"))])),
                "indexes are not turned into lists",
            ),
            (
                "metadata[0]=x",
                one("metadata", m(vec![("0", s("x"))])),
                "a digit metadata key is legitimate",
            ),
            (
                "a[1]=y&a[0]=x",
                one("a", m(vec![("1", s("y")), ("0", s("x"))])),
                "order is kept, not sorted by index",
            ),
            (
                "a[0][k]=x",
                one("a", m(vec![("0", m(vec![("k", s("x"))]))])),
                "indexed maps nest",
            ),
        ]);
    }

    #[test]
    fn mixing_shapes_for_one_path_is_a_conflict() {
        let conflict = |param: &str| FormError::Conflict {
            param: param.into(),
        };
        check_errors(vec![
            (b"a=1&a[b]=2", conflict("a[b]"), "scalar then map"),
            (b"a[b]=2&a=1", conflict("a"), "map then scalar"),
            (b"a[]=1&a[0]=2", conflict("a[0]"), "list then digit key"),
            (b"a[0]=2&a[]=1", conflict("a[]"), "digit key then list"),
            (b"a[]=1&a=2", conflict("a"), "list then scalar"),
            (b"a=2&a[]=1", conflict("a[]"), "scalar then list"),
            (b"a[b]=1&a[]=2", conflict("a[]"), "map then list"),
            (
                b"a[b]=1&a[b][c]=2",
                conflict("a[b][c]"),
                "nested scalar then map",
            ),
            (
                b"a[b][c]=1&a[b]=2",
                conflict("a[b]"),
                "nested map then scalar",
            ),
            (
                b"a[][k]=1&a[][k][x]=2",
                conflict("a[][k][x]"),
                "a scalar inside a list element then a map there",
            ),
            (
                b"a%5Bb%5D=1&a=2",
                conflict("a"),
                "escaped names conflict too",
            ),
        ]);
    }

    #[test]
    fn malformed_percent_escapes_are_rejected() {
        let bad = |param: &str| FormError::BadPercentEncoding {
            param: param.into(),
        };
        check_errors(vec![
            (b"a=%zz", bad("a"), "non-hex digits"),
            (b"a=%", bad("a"), "a trailing %"),
            (b"a=%4", bad("a"), "a truncated escape"),
            (b"a=%4&b=1", bad("a"), "truncated just before the next pair"),
            (b"a=%4g", bad("a"), "one good and one bad digit"),
            (b"a=%%41", bad("a"), "a doubled %"),
            (
                b"%zz=1",
                bad("%zz"),
                "a bad escape in a name shows the raw name",
            ),
            (b"a[%zz]=1", bad("a[%zz]"), "a bad escape inside brackets"),
            (
                b"metadata%5Bk%5D=%zz",
                bad("metadata[k]"),
                "a bad value names the decoded parameter",
            ),
        ]);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_rejected() {
        let not_utf8 = |param: &str| FormError::NotUtf8 {
            param: param.into(),
        };
        check_errors(vec![
            (b"a=%ff", not_utf8("a"), "a lone 0xff byte"),
            (b"a=%c3%28", not_utf8("a"), "an invalid continuation byte"),
            (b"a=%c3", not_utf8("a"), "a truncated multi-byte sequence"),
            (b"a=\xff", not_utf8("a"), "a raw non-UTF-8 byte"),
            (
                b"%ff=1",
                not_utf8("%ff"),
                "a non-UTF-8 name shows the raw name",
            ),
        ]);
    }

    #[test]
    fn empty_pairs_and_empty_names_are_skipped() {
        check_trees(vec![
            ("", FormMap::new(), "an empty body"),
            (" \r\n", FormMap::new(), "a whitespace-only body"),
            ("&", FormMap::new(), "only a separator"),
            ("&&a=1&&", one("a", s("1")), "empty pairs around a pair"),
            ("=x&a=1", one("a", s("1")), "a pair with an empty name"),
            ("=&a=1", one("a", s("1")), "a bare ="),
        ]);
    }

    #[test]
    fn a_key_without_equals_has_an_empty_value() {
        check_trees(vec![
            ("a", one("a", s("")), "a bare key"),
            (
                "a&b=1",
                params(vec![("a", s("")), ("b", s("1"))]),
                "a bare key before a pair",
            ),
            ("a[b]", one("a", m(vec![("b", s(""))])), "a bare nested key"),
            ("a[]", one("a", l(vec![s("")])), "a bare list append"),
        ]);
    }

    #[test]
    fn empty_values_are_kept_to_mean_unset() {
        check_trees(vec![
            ("metadata=", one("metadata", s("")), "unset all metadata"),
            (
                "metadata[k]=",
                one("metadata", m(vec![("k", s(""))])),
                "unset one metadata key",
            ),
            ("description=", one("description", s("")), "unset a field"),
        ]);
    }

    #[test]
    fn unbalanced_brackets_are_rejected() {
        let bad = |param: &str| FormError::BadName {
            param: param.into(),
        };
        check_errors(vec![
            (b"a[b=1", bad("a[b"), "an unclosed bracket"),
            (b"a]=1", bad("a]"), "a stray closing bracket"),
            (b"a[b]c=1", bad("a[b]c"), "text after a closing bracket"),
            (b"[a]=1", bad("[a]"), "an empty top-level name"),
            (b"[]=1", bad("[]"), "only brackets"),
            (b"a[[b]]=1", bad("a[[b]]"), "nested brackets"),
            (
                b"a[][]=1",
                bad("a[][]"),
                "a list directly in a list (documented)",
            ),
            (b"a%5Bb=1", bad("a[b"), "the error shows the decoded name"),
        ]);
    }

    #[test]
    fn more_than_max_params_pairs_is_rejected() {
        let body = |n: usize| vec!["a[]=1"; n].join("&");
        let limit = decoded(&body(MAX_PARAMS)).map(|p| p.len());
        assert_eq!(limit, Ok(1), "exactly MAX_PARAMS pairs is fine");
        let padded = format!("&&{}&&", body(MAX_PARAMS));
        assert!(decoded(&padded).is_ok(), "empty pairs do not count");
        assert_eq!(
            decoded(&body(MAX_PARAMS + 1)),
            Err(FormError::TooMany),
            "one pair too many"
        );
        assert_eq!(
            decoded(&format!("{}&a=%zz", body(MAX_PARAMS))),
            Err(FormError::TooMany),
            "the count is checked before any pair is decoded"
        );
    }

    #[test]
    fn trees_round_trip_through_bracket_notation() {
        let trees = [
            params(vec![("a", s("x")), ("b", s(""))]),
            params(vec![(
                "metadata",
                m(vec![("order_id", s("6735")), ("0", s("zero"))]),
            )]),
            params(vec![("odd", s("a&b=c+d %zz [x] é ✓ \n"))]),
            params(vec![("k é+&=", m(vec![("k é+&=", s("v"))]))]),
            params(vec![
                ("tags", l(vec![s("a"), s("b"), s("a")])),
                (
                    "tax_ids",
                    l(vec![
                        m(vec![("type", s("eu_vat")), ("value", s("X"))]),
                        m(vec![("type", s("gb_vat")), ("value", s("Y"))]),
                    ]),
                ),
            ]),
            params(vec![(
                "a",
                m(vec![(
                    "b",
                    m(vec![(
                        "c",
                        m(vec![("d", m(vec![("e", m(vec![("f", s("deep"))]))]))]),
                    )]),
                )]),
            )]),
        ];
        for tree in trees {
            let form = encode_form(&tree);
            assert_eq!(decoded(&form), Ok(tree), "round trip of `{form}`");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let inputs: [&[u8]; 8] = [
            b"%",
            b"[",
            b"]",
            b"=[",
            b"a[\xff]=1",
            b"\xf0\x9f\x92=",
            b"a[]=1&a[][b]=2&a[]",
            b"=%=&%5B%5D=%5D",
        ];
        for input in inputs {
            // Errors are fine; the property is only that decoding returns.
            let _ = decode_form(input);
        }
    }
}
