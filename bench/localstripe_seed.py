"""Builds localstripe stores of N customers without going through HTTP (over HTTP each
create re-pickles the whole store, so 50k creates would take hours). It uses
localstripe's own Customer class, so the objects are exactly what POST /v1/customers
makes, with the same customer.created Event beside each; the store is pickled once per
size. The customers are the same as the ones the driver seeds into our worker.
  usage: localstripe_seed.py OUT_DIR
Reads sizes, one a line, in increasing order, from stdin. For each, it grows the store to
that many customers, writes OUT_DIR/store-<SIZE>.pickle and OUT_DIR/ids.txt (the first
1000 customer ids), and prints `done <SIZE>`."""
import os
import pickle
import sys

from localstripe import resources

resources.Store.dump_to_disk = lambda self: None
resources.schedule_webhook = lambda event: None  # no event loop here; no webhooks set
# Exporting a customer (for its customer.created event) lists its subscriptions by
# scanning the whole store, which makes seeding quadratic. There are no subscriptions,
# so the answer is always the same empty list: give it directly.
resources.Subscription._api_list_all = classmethod(
    lambda cls, url, **kwargs: resources.List(url))


def customer_params(i):
    # Keep in step with seedParams() in run.mjs.
    return dict(
        name='Customer %d' % i,
        email='user%d@example.com' % i,
        metadata={'ref': 'r%d' % i, 'tier': 't%d' % (i % 10)},
        address={'line1': '%d Main Street' % i, 'city': 'Springfield',
                 'postal_code': '%05d' % (i % 100000), 'country': 'US'},
    )


def main():
    out = sys.argv[1]
    ids = []
    i = 0
    for line in iter(sys.stdin.readline, ''):
        size = int(line)
        while i < size:
            c = resources.Customer._api_create(**customer_params(i))
            if len(ids) < 1000:
                ids.append(c.id)
            i += 1
        with open(os.path.join(out, 'store-%d.pickle' % size), 'wb') as f:
            pickle.dump(resources.store, f, protocol=pickle.HIGHEST_PROTOCOL)
        with open(os.path.join(out, 'ids.txt'), 'w') as f:
            f.write('\n'.join(ids) + '\n')
        print('done %d' % size, flush=True)


if __name__ == '__main__':
    main()
