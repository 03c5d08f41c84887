//! A per-isolate memo of customer documents for `READ_CONSISTENCY=edge`: reads served
//! from it skip the KV round trip for a few seconds. Writes that pass through the
//! isolate refresh it, so a caller reads its own writes; other isolates converge
//! within the TTL, well inside KV's own ~60 s. Strong mode never uses it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Entries kept at most; when full, expired entries go first, then everything.
pub const CAPACITY: usize = 10_000;

/// One memoised document: the `StoredCustomer` JSON, its version, and when it expires.
#[derive(Debug, Clone)]
struct Entry {
    expires_ms: u64,
    version: i64,
    document: Rc<str>,
}

/// Documents by key.
#[derive(Debug, Default)]
pub struct EdgeCache {
    entries: HashMap<String, Entry>,
}

impl EdgeCache {
    /// The document under `key`, if present and fresh at `now_ms`.
    pub fn get(&self, key: &str, now_ms: u64) -> Option<Rc<str>> {
        self.entries
            .get(key)
            .filter(|entry| entry.expires_ms > now_ms)
            .map(|entry| Rc::clone(&entry.document))
    }

    /// Remembers `document` (version `version`) for `ttl_ms`, unless a newer version
    /// is already held.
    pub fn put(&mut self, key: String, version: i64, document: Rc<str>, now_ms: u64, ttl_ms: u64) {
        if ttl_ms == 0
            || self
                .entries
                .get(&key)
                .is_some_and(|held| held.version > version)
        {
            return;
        }
        if self.entries.len() >= CAPACITY {
            self.entries.retain(|_, entry| entry.expires_ms > now_ms);
            if self.entries.len() >= CAPACITY {
                self.entries.clear();
            }
        }
        let entry = Entry {
            expires_ms: now_ms + ttl_ms,
            version,
            document,
        };
        self.entries.insert(key, entry);
    }
}

thread_local! {
    static CACHE: RefCell<EdgeCache> = RefCell::new(EdgeCache::default());
}

/// Reads the isolate's memo; the borrow ends before this returns.
pub fn lookup(key: &str, now_ms: u64) -> Option<Rc<str>> {
    CACHE.with(|cache| cache.borrow().get(key, now_ms))
}

/// Writes the isolate's memo; the borrow ends before this returns.
pub fn remember(key: String, version: i64, document: Rc<str>, now_ms: u64, ttl_ms: u64) {
    CACHE.with(|cache| {
        cache
            .borrow_mut()
            .put(key, version, document, now_ms, ttl_ms)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_core::config::EDGE_CACHE_TTL_MS as TTL_MS;

    fn doc(name: &str) -> Rc<str> {
        Rc::from(name)
    }

    #[test]
    fn a_document_is_served_until_its_ttl_runs_out() {
        let mut cache = EdgeCache::default();
        cache.put("k".into(), 1, doc("a"), 1_000, TTL_MS);
        assert!(cache.get("k", 1_000 + TTL_MS - 1).is_some());
        assert!(cache.get("k", 1_000 + TTL_MS).is_none());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let mut cache = EdgeCache::default();
        cache.put("k".into(), 1, doc("a"), 0, 0);
        assert!(cache.get("k", 0).is_none());
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let mut cache = EdgeCache::default();
        cache.put("k".into(), 3, doc("new"), 0, TTL_MS);
        cache.put("k".into(), 2, doc("old"), 1, TTL_MS);
        assert_eq!(cache.get("k", 2).as_deref(), Some("new"));
    }

    #[test]
    fn a_full_cache_drops_expired_entries_first() {
        let mut cache = EdgeCache::default();
        for i in 0..CAPACITY {
            cache.put(format!("old{i}"), 1, doc("x"), 0, TTL_MS);
        }
        cache.put("fresh".into(), 1, doc("y"), TTL_MS + 1, TTL_MS);
        assert!(cache.get("fresh", TTL_MS + 2).is_some());
        assert_eq!(cache.entries.len(), 1);
    }
}
