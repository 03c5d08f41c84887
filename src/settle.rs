//! An answer to a call from JavaScript (the Worker's `fetch`, an object's `answer`) as a
//! value when its future ends at the first poll, and as a promise run by the futures
//! executor only when it waits.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use worker::wasm_bindgen::JsValue;
use worker::wasm_bindgen_futures::future_to_promise;

/// `answer`'s value when it ends without waiting (a read: SQLite is synchronous, and the
/// Worker forwards an object's pending answer without awaiting it), so that it goes back
/// with no promise and no turn of the futures executor; otherwise a promise, the rest run
/// by the executor. The first poll's waker wakes nothing: the executor polls again at
/// once, which every future allows (a `promise::Settled` keeps an outcome that came
/// meanwhile, and takes the new waker).
pub fn settle(answer: impl Future<Output = JsValue> + 'static) -> JsValue {
    let mut answer = Box::pin(answer);
    match answer
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => future_to_promise(async move { Ok(answer.await) }).into(),
    }
}
