// The no-panic claim, checked on the sources (scripts/panic-audit.mjs): no unwrap(),
// expect(), panic!, unreachable!, todo! or unimplemented! outside tests, but the reviewed
// exceptions; and the slice indexing that remains, pinned per file, each reviewed as
// guarded by a bound checked just before it (the fuzzers in core/src/fuzz.rs drive every
// one that request data reaches). A new one fails here until it is reviewed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from '../scripts/panic-audit.mjs';

// `serde_json::Value` indexing (`v["key"]`, `v[0]`) reads `Null` when absent and never
// panics; writing `v["key"] = …` panics only on a value that is neither an object nor
// null, and those below write to objects the code itself built or stored.
const REVIEWED_INDEXING = {
  'core/src/resources/account.rs': 7, // Value reads; a list answer's items
  'core/src/resources/billing/account.rs': 11, // Value reads of stored documents and args
  'core/src/resources/billing/book.rs': 6, // Value reads; notes are objects made by note()
  'core/src/resources/billing/calls.rs': 6, // Value reads; writes to the args object
  'core/src/resources/billing/context.rs': 11, // Value reads of the account's answer and args
  'core/src/resources/billing/documents.rs': 10, // Value reads; writes to template-built objects
  'core/src/resources/billing/execute.rs': 14, // Value reads; book rows at positions just found
  'core/src/resources/billing/expand.rs': 6, // Value reads; writes to objects being expanded
  'core/src/resources/billing/invoicing.rs': 71, // book rows at positions just found or pushed; writes to template-built invoices
  'core/src/resources/billing/mod.rs': 3, // book rows at positions the caller found or pushed
  'core/src/resources/billing/payment.rs': 4, // Value reads
  'core/src/resources/billing/periods.rs': 2, // Value reads of a subscription
  'core/src/resources/billing/subscribing.rs': 86, // book rows at positions just found or pushed; writes to template-built subscriptions
  'core/src/resources/billing/timeline.rs': 16, // Value reads; book rows at positions just found
  'core/src/resources/coupons/mod.rs': 7, // Value reads and writes to built objects
  'core/src/resources/customers/account_expand.rs': 10, // Value reads of a parsed customer; writes to clones of its discount and invoice_settings (objects)
  'core/src/resources/customers/changes.rs': 6, // COMMON[0..2]: a constant array
  'core/src/resources/customers/claims.rs': 8, // Value reads (r[0], r[1], r[2] of a claim row)
  'core/src/resources/customers/execute.rs': 2, // Value reads
  'core/src/resources/customers/expand.rs': 1, // Value read
  'core/src/resources/customers/nested.rs': 8, // Value reads; writes to the args and to a stored discount (an object)
  'core/src/resources/customers/search/mod.rs': 2, // chars[start..at], at only grows
  'core/src/resources/customers/sources.rs': 7, // sources[0] after an insert at 0; positions just found; a card's customer (cards are objects)
  'core/src/resources/events/types.rs': 2, // glob matching, indices checked by get()
  'core/src/resources/invoices/handlers.rs': 4, // writes to the args object
  'core/src/resources/objects.rs': 19, // Value reads; writes to the args/document objects (filters made an object first)
  'core/src/resources/payment_methods/handlers.rs': 11, // Value reads and writes to built objects
  'core/src/resources/payment_methods/mod.rs': 16, // Value reads and writes to built objects
  'core/src/resources/payment_methods/test_cards.rs': 1, // last4 of a constant 13+ digit number
  'core/src/resources/prices/handlers.rs': 2, // writes to the args object
  'core/src/resources/prices/mod.rs': 20, // Value reads; writes to built args/prices and stored (object) documents
  'core/src/resources/products/handlers.rs': 2, // writes to the args object
  'core/src/resources/products/mod.rs': 20, // Value reads; writes to built args/products and stored (object) documents
  'core/src/resources/promotion_codes/handlers.rs': 7, // writes to the args and restrictions objects, a built promotion code
  'core/src/resources/promotion_codes/mod.rs': 19, // Value reads and writes to built objects
  'core/src/resources/subscriptions/params.rs': 18, // writes to the args objects
  'core/src/resources/test_clocks/handlers.rs': 4, // writes to the args object
  'core/src/resources/test_clocks/mod.rs': 9, // Value reads; writes to the stored (object) clock
  'core/src/resources/webhook_endpoints/model.rs': 5, // URL parts, positions from find()
  'core/src/resources/webhook_endpoints/signature.rs': 4, // HMAC block and hex digits
  'core/src/wire/auth.rs': 2, // the key mask, length checked first
  'core/src/wire/form/decode.rs': 1, // split at a found '='
  'core/src/wire/form/tree.rs': 1, // an index just found or pushed
  'core/src/wire/ids.rs': 5, // BASE62[b % 62]; the random pool's slice, refilled first when short; a draw's first n bytes, n capped at the draw's length
  'core/src/wire/pagination.rs': 4, // page bounds, min()ed with the length
  'core/src/wire/params.rs': 2, // abbreviation, length checked first
  'core/src/wire/text.rs': 6, // the indenter's and the member scanner's scans, at < len
  'src/bench_bulk.rs': 3, // Value reads; a write to a body already read as an object (op = objects)
  'src/objects/account_object/bench_bulk.rs': 2, // Value reads
  'src/objects/account_object/deliveries.rs': 2, // 4-byte chunks, an excerpt end on a char boundary
  'src/objects/account_object/mod.rs': 1, // a Value read of the command's args
  'src/objects/account_object/references.rs': 4, // Value reads of a recorded event
  'src/objects/customer_object/bench_seed.rs': 1, // parts[..]: the whole slice, matched by length
  'src/objects/customer_object/mod.rs': 3, // a Value read of the discount; writes to the args object of a billing command
};

test('no unwrap, expect or panic outside tests, and only reviewed indexing', () => {
  const { panics, indexing } = audit();
  assert.deepEqual(panics, []);
  const perFile = {};
  for (const line of indexing) {
    const file = line.split(':')[0];
    perFile[file] = (perFile[file] ?? 0) + 1;
  }
  assert.deepEqual(Object.fromEntries(Object.entries(perFile).sort()), Object.fromEntries(Object.entries(REVIEWED_INDEXING).sort()), `indexing to review:\n${indexing.join('\n')}`);
});
