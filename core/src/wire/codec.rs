//! The compact text form of the commands the Worker sends its Durable Objects: values
//! written one after another in a fixed order, with no names. A message type costs the
//! wasm a few calls here, where a derived serde (de)serializer cost it kilobytes.
//!
//! ```text
//! string = len ":" bytes           ; len: the byte length, in decimal
//! int    = [ "-" ] digits ","
//! bool   = "t" / "f"
//! option = "~" / value             ; "~" is None
//! list   = count "," *value        ; count as an int
//! form   = count "," *( string node ) ; node = "s" string / "m" form / "l" count "," *node
//! ```
//!
//! A message crosses to its object as this text, as it is: wrapped in a JSON string, the
//! documents and events it carries had every quote escaped and unescaped again, which
//! cost a write more than the rest of the call (the V8 profile of a keyed update).

use crate::wire::error::ApiError;
use crate::wire::form::{FormMap, FormValue};

/// Writes values in the compact form.
#[derive(Debug, Default)]
pub struct Writer(String);

impl Writer {
    pub fn str(&mut self, s: &str) {
        self.count(s.len(), ':');
        self.0.push_str(s);
    }

    pub fn int(&mut self, n: i64) {
        self.0.push_str(&n.to_string());
        self.0.push(',');
    }

    pub fn bool(&mut self, b: bool) {
        self.0.push(if b { 't' } else { 'f' });
    }

    pub fn none(&mut self) {
        self.0.push('~');
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.none(),
        }
    }

    pub fn opt_int(&mut self, n: Option<i64>) {
        match n {
            Some(n) => self.int(n),
            None => self.none(),
        }
    }

    pub fn opt_bool(&mut self, b: Option<bool>) {
        match b {
            Some(b) => self.bool(b),
            None => self.none(),
        }
    }

    /// A list's length; its items follow.
    pub fn items(&mut self, n: usize) {
        self.count(n, ',');
    }

    pub fn strs(&mut self, items: &[String]) {
        self.items(items.len());
        for item in items {
            self.str(item);
        }
    }

    /// Decoded request parameters, as they were received.
    pub fn form(&mut self, map: &FormMap) {
        self.items(map.len());
        for (key, value) in map {
            self.str(key);
            self.node(value);
        }
    }

    fn node(&mut self, value: &FormValue) {
        match value {
            FormValue::Str(s) => {
                self.0.push('s');
                self.str(s);
            }
            FormValue::Map(map) => {
                self.0.push('m');
                self.form(map);
            }
            FormValue::List(items) => {
                self.0.push('l');
                self.items(items.len());
                for item in items {
                    self.node(item);
                }
            }
        }
    }

    fn count(&mut self, n: usize, end: char) {
        self.0.push_str(&n.to_string());
        self.0.push(end);
    }
}

/// Reads values in the order they were written; `None` means the text is not a
/// message of the type being read.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a str,
}

impl<'a> Reader<'a> {
    pub fn str(&mut self) -> Option<&'a str> {
        let len = self.count(':')?;
        let s = self.rest.get(..len)?;
        self.rest = self.rest.get(len..)?;
        Some(s)
    }

    pub fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    pub fn int(&mut self) -> Option<i64> {
        let (n, rest) = self.rest.split_once(',')?;
        self.rest = rest;
        n.parse().ok()
    }

    pub fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            b't' => Some(true),
            b'f' => Some(false),
            _ => None,
        }
    }

    /// Whether an absent option comes next (and skips it).
    pub fn none(&mut self) -> bool {
        match self.rest.strip_prefix('~') {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    pub fn opt_string(&mut self) -> Option<Option<String>> {
        if self.none() {
            return Some(None);
        }
        self.string().map(Some)
    }

    pub fn opt_int(&mut self) -> Option<Option<i64>> {
        if self.none() {
            return Some(None);
        }
        self.int().map(Some)
    }

    pub fn opt_bool(&mut self) -> Option<Option<bool>> {
        if self.none() {
            return Some(None);
        }
        self.bool().map(Some)
    }

    /// A list's length.
    pub fn items(&mut self) -> Option<usize> {
        self.count(',')
    }

    // The lists below are read with loops: `collect` into `Option<Vec<_>>` costs the wasm
    // an adapter of its own per element type.

    pub fn strings(&mut self) -> Option<Vec<String>> {
        let mut items = Vec::new();
        for _ in 0..self.items()? {
            items.push(self.string()?);
        }
        Some(items)
    }

    pub fn form(&mut self) -> Option<FormMap> {
        let mut map = FormMap::new();
        for _ in 0..self.items()? {
            map.push((self.string()?, self.node()?));
        }
        Some(map)
    }

    fn node(&mut self) -> Option<FormValue> {
        Some(match self.byte()? {
            b's' => FormValue::Str(self.string()?),
            b'm' => FormValue::Map(self.form()?),
            b'l' => {
                let mut items = Vec::new();
                for _ in 0..self.items()? {
                    items.push(self.node()?);
                }
                FormValue::List(items)
            }
            _ => return None,
        })
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.rest.as_bytes().first()?;
        // Only ASCII markers are read this way, so the rest stays on a char boundary.
        self.rest = self.rest.get(1..)?;
        Some(b)
    }

    fn count(&mut self, end: char) -> Option<usize> {
        let (n, rest) = self.rest.split_once(end)?;
        self.rest = rest;
        n.parse().ok()
    }
}

/// A type that crosses to an object in the compact form.
pub trait Message: Sized {
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader<'_>) -> Option<Self>;

    fn encode(&self) -> String {
        let mut w = Writer::default();
        self.write(&mut w);
        w.0
    }

    /// The message `text` holds, all of it; anything else is an internal error.
    fn decode(text: &str) -> Result<Self, ApiError> {
        let mut r = Reader { rest: text };
        match Self::read(&mut r) {
            Some(message) if r.rest.is_empty() => Ok(message),
            _ => Err(unreadable(text)),
        }
    }
}

fn unreadable(text: &str) -> ApiError {
    ApiError::internal(format!("unreadable message: {text:.80}"))
}

/// An optional message: `~` or the message.
pub fn write_opt<T: Message>(w: &mut Writer, value: &Option<T>) {
    match value {
        Some(v) => v.write(w),
        None => w.none(),
    }
}

pub fn read_opt<T: Message>(r: &mut Reader<'_>) -> Option<Option<T>> {
    if r.none() {
        return Some(None);
    }
    T::read(r).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    #[test]
    fn every_kind_of_value_reads_back_as_written() {
        let form = decode_form("a=1&b[c][]=x%3A&b[c][]=&d[e]=%E2%9C%93~,".as_bytes()).unwrap();
        let mut w = Writer::default();
        w.str("héllo:,~");
        w.int(-42);
        w.bool(true);
        w.opt_str(None);
        w.opt_int(Some(7));
        w.strs(&["".into(), "x".into()]);
        w.form(&form);
        w.str("");
        let text = w.0;
        let mut r = Reader { rest: &text };
        assert_eq!(r.str(), Some("héllo:,~"));
        assert_eq!(r.int(), Some(-42));
        assert_eq!(r.bool(), Some(true));
        assert_eq!(r.opt_string(), Some(None));
        assert_eq!(r.opt_int(), Some(Some(7)));
        assert_eq!(r.strings(), Some(vec!["".into(), "x".into()]));
        assert_eq!(r.form(), Some(form));
        assert_eq!(r.str(), Some(""));
        assert_eq!(r.rest, "");
    }

    #[test]
    fn a_truncated_or_garbled_text_is_not_read() {
        for text in ["5:abc", "x,", "3", "", "9999999999999999999999:"] {
            let mut r = Reader { rest: text };
            assert_eq!(r.str(), None, "{text:?}");
        }
        let mut r = Reader { rest: "2:é" };
        assert_eq!(r.str(), Some("é"));
        let mut r = Reader { rest: "1:é" };
        assert_eq!(r.str(), None, "a length inside a character");
    }
}
