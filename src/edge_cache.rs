//! A per-isolate memo of customer documents for `READ_CONSISTENCY=edge`: reads served
//! from it skip the KV round trip for a few seconds. Writes that pass through the
//! isolate refresh it, so a caller reads its own writes; other isolates converge
//! within the TTL, well inside KV's own ~60 s. Strong mode never uses it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::objects::protocol::StoredCustomer;

/// How long a memoised document is served, in milliseconds, unless the
/// `EDGE_CACHE_TTL_MS` var says otherwise (0 turns the memo off).
pub const TTL_MS: u64 = 5_000;
/// Entries kept at most; when full, expired entries go first, then everything.
pub const CAPACITY: usize = 10_000;

/// Documents by key, each with the time it stops being served.
#[derive(Debug, Default)]
pub struct EdgeCache {
    entries: HashMap<String, (u64, Rc<StoredCustomer>)>,
}

impl EdgeCache {
    /// The document under `key`, if present and fresh at `now_ms`.
    pub fn get(&self, key: &str, now_ms: u64) -> Option<Rc<StoredCustomer>> {
        self.entries
            .get(key)
            .filter(|(expires, _)| *expires > now_ms)
            .map(|(_, stored)| Rc::clone(stored))
    }

    /// Remembers `stored` for `ttl_ms` unless a newer version is already held.
    pub fn put(&mut self, key: String, stored: StoredCustomer, now_ms: u64, ttl_ms: u64) {
        if ttl_ms == 0 {
            return;
        }
        if let Some((_, held)) = self.entries.get(&key) {
            if held.version > stored.version {
                return;
            }
        }
        if self.entries.len() >= CAPACITY {
            self.entries.retain(|_, (expires, _)| *expires > now_ms);
            if self.entries.len() >= CAPACITY {
                self.entries.clear();
            }
        }
        self.entries.insert(key, (now_ms + ttl_ms, Rc::new(stored)));
    }
}

thread_local! {
    static CACHE: RefCell<EdgeCache> = RefCell::new(EdgeCache::default());
}

/// Reads the isolate's memo; the borrow ends before this returns.
pub fn lookup(key: &str, now_ms: u64) -> Option<Rc<StoredCustomer>> {
    CACHE.with(|cache| cache.borrow().get(key, now_ms))
}

/// Writes the isolate's memo; the borrow ends before this returns.
pub fn remember(key: String, stored: StoredCustomer, now_ms: u64, ttl_ms: u64) {
    CACHE.with(|cache| cache.borrow_mut().put(key, stored, now_ms, ttl_ms));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::{Customer, CustomerRecord};

    fn stored(version: i64, name: &str) -> StoredCustomer {
        let mut customer = Customer::blank("cus_1".into(), 1, false, "ABC".into());
        customer.name = Some(name.into());
        StoredCustomer {
            version,
            record: CustomerRecord::new(customer),
        }
    }

    #[test]
    fn a_document_is_served_until_its_ttl_runs_out() {
        let mut cache = EdgeCache::default();
        cache.put("k".into(), stored(1, "a"), 1_000, TTL_MS);
        assert!(cache.get("k", 1_000 + TTL_MS - 1).is_some());
        assert!(cache.get("k", 1_000 + TTL_MS).is_none());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let mut cache = EdgeCache::default();
        cache.put("k".into(), stored(1, "a"), 0, 0);
        assert!(cache.get("k", 0).is_none());
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let mut cache = EdgeCache::default();
        cache.put("k".into(), stored(3, "new"), 0, TTL_MS);
        cache.put("k".into(), stored(2, "old"), 1, TTL_MS);
        assert_eq!(
            cache.get("k", 2).unwrap().record.customer.name.as_deref(),
            Some("new")
        );
    }

    #[test]
    fn a_full_cache_drops_expired_entries_first() {
        let mut cache = EdgeCache::default();
        for i in 0..CAPACITY {
            cache.put(format!("old{i}"), stored(1, "x"), 0, TTL_MS);
        }
        cache.put("fresh".into(), stored(1, "y"), TTL_MS + 1, TTL_MS);
        assert!(cache.get("fresh", TTL_MS + 2).is_some());
        assert_eq!(cache.entries.len(), 1);
    }
}
