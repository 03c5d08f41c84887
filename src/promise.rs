//! A JavaScript promise awaited from Rust without wasm-bindgen's closures: the shim's
//! `edgeAwait` (scripts/fast-shim.mjs) hangs two plain JavaScript callbacks on it, which
//! hand its outcome to [`on_settled`] with the number of the slot that waits for it here.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use worker::js_sys::Promise;

#[wasm_bindgen]
extern "C" {
    /// scripts/fast-shim.mjs: calls `edgeSettled(slot, fulfilled, value)` once `promise`
    /// settles, unless the wasm instance was replaced meanwhile (after a trap).
    #[wasm_bindgen(js_name = edgeAwait)]
    fn watch(promise: &Promise, slot: u32);
}

/// What one slot holds.
enum Slot {
    /// A promise not settled yet, and the task to wake when it is.
    Waiting(Option<Waker>),
    /// Its outcome, not taken yet.
    Settled(Result<JsValue, JsValue>),
    /// Its future was dropped first: the slot is free once the promise settles.
    Abandoned,
    Free,
}

/// The slots, reused through a free list: as many as promises awaited at once.
#[derive(Default)]
struct Slots {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl Slots {
    fn take(&mut self) -> u32 {
        if let Some(slot) = self.free.pop() {
            if let Some(held) = self.get(slot) {
                *held = Slot::Waiting(None);
                return slot;
            }
        }
        self.slots.push(Slot::Waiting(None));
        (self.slots.len() - 1) as u32
    }

    fn get(&mut self, slot: u32) -> Option<&mut Slot> {
        self.slots.get_mut(slot as usize)
    }

    fn release(&mut self, slot: u32) {
        if let Some(held) = self.get(slot) {
            *held = Slot::Free;
            self.free.push(slot);
        }
    }
}

thread_local! {
    static SLOTS: RefCell<Slots> = RefCell::default();
}

/// The outcome of `promise`: its value, or what it was rejected with. What
/// wasm-bindgen's `JsFuture` answers, for less: `JsFuture` makes two `Closure`s per
/// promise, each registered with a `FinalizationRegistry` and destroyed by a call back
/// into the wasm (bench/profile.mjs: that glue was about 15 µs of isolate CPU per await).
pub fn settled(promise: &Promise) -> Settled {
    let slot = SLOTS.with_borrow_mut(Slots::take);
    watch(promise, slot);
    Settled { slot: Some(slot) }
}

/// A promise's outcome, to await.
pub struct Settled {
    /// `None` once the outcome was taken.
    slot: Option<u32>,
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(slot) = self.slot else {
            return Poll::Ready(Err(JsValue::from_str("a settled promise polled again")));
        };
        let outcome = SLOTS.with_borrow_mut(|slots| {
            let Some(held) = slots.get(slot) else {
                return Some(Err(JsValue::from_str("a promise's slot is gone")));
            };
            match std::mem::replace(held, Slot::Free) {
                Slot::Settled(outcome) => {
                    slots.release(slot);
                    Some(outcome)
                }
                _ => {
                    *held = Slot::Waiting(Some(cx.waker().clone()));
                    None
                }
            }
        });
        match outcome {
            Some(outcome) => {
                self.slot = None;
                Poll::Ready(outcome)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for Settled {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            SLOTS.with_borrow_mut(|slots| match slots.get(slot) {
                Some(Slot::Settled(_)) => slots.release(slot),
                Some(held) => *held = Slot::Abandoned,
                None => {}
            });
        }
    }
}

/// Called by the shim's `edgeAwait` when the promise of `slot` settles: keeps its outcome
/// and wakes the task that waits for it (after the slots are let go: a wake may run it).
#[wasm_bindgen(js_name = edgeSettled)]
pub fn on_settled(slot: u32, fulfilled: bool, value: JsValue) {
    let waker = SLOTS.with_borrow_mut(|slots| match slots.get(slot) {
        Some(held @ Slot::Waiting(_)) => {
            let outcome = if fulfilled { Ok(value) } else { Err(value) };
            match std::mem::replace(held, Slot::Settled(outcome)) {
                Slot::Waiting(waker) => waker,
                _ => None,
            }
        }
        Some(Slot::Abandoned) => {
            slots.release(slot);
            None
        }
        _ => None,
    });
    if let Some(waker) = waker {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    /// A waker that counts its wakes.
    #[derive(Default)]
    struct Wakes(AtomicUsize);

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A slot's future with no promise behind it: the tests settle it by hand.
    fn waiting() -> Settled {
        Settled {
            slot: Some(SLOTS.with_borrow_mut(Slots::take)),
        }
    }

    fn poll(future: &mut Settled, wakes: &Arc<Wakes>) -> Poll<Result<JsValue, JsValue>> {
        let waker = Waker::from(Arc::clone(wakes));
        Pin::new(future).poll(&mut Context::from_waker(&waker))
    }

    fn free_slots() -> usize {
        SLOTS.with_borrow(|slots| slots.free.len())
    }

    #[test]
    fn an_outcome_that_came_before_the_poll_is_ready_at_once() {
        let wakes = Arc::new(Wakes::default());
        let mut future = waiting();
        on_settled(future.slot.unwrap(), true, JsValue::TRUE);
        assert!(matches!(poll(&mut future, &wakes), Poll::Ready(Ok(_))));
        assert_eq!(wakes.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_waiting_poll_is_woken_by_the_outcome_and_a_rejection_is_an_error() {
        let wakes = Arc::new(Wakes::default());
        let mut future = waiting();
        assert!(poll(&mut future, &wakes).is_pending());
        assert!(poll(&mut future, &wakes).is_pending());
        on_settled(future.slot.unwrap(), false, JsValue::FALSE);
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
        assert!(matches!(poll(&mut future, &wakes), Poll::Ready(Err(_))));
    }

    #[test]
    fn slots_are_reused_once_taken_or_once_an_abandoned_promise_settles() {
        let wakes = Arc::new(Wakes::default());
        let mut done = waiting();
        let slot = done.slot.unwrap();
        on_settled(slot, true, JsValue::TRUE);
        assert!(poll(&mut done, &wakes).is_ready());
        drop(done);
        let free = free_slots();
        assert!(free >= 1);

        let abandoned = waiting();
        let slot = abandoned.slot.unwrap();
        drop(abandoned);
        assert_eq!(free_slots(), free - 1, "still owed its outcome");
        on_settled(slot, true, JsValue::TRUE);
        assert_eq!(free_slots(), free);
        // A second outcome for a freed slot changes nothing.
        on_settled(slot, true, JsValue::TRUE);
        assert_eq!(free_slots(), free);
        let reused = waiting();
        assert_eq!(free_slots(), free - 1);
        drop(reused);
    }
}
