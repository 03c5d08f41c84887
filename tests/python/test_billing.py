"""Subscriptions and invoices end to end with the official stripe-python SDK.

Run through tests/python/run.mjs (the built worker in Miniflare, its URL in
EDGE_API_BASE), like test_customers.py: every test has a fresh random `sk_test_` key, so
its own empty account. The SDK is used as its pinned version (requirements.txt) offers
it: `stripe.Subscription.cancel`, `stripe.Invoice.pay`, `stripe.test_helpers.TestClock`,
errors as `stripe.CardError`. Whatever the SDK's own API version, the worker answers in
2023-08-16 shapes, and the SDK turns them into its objects by their `object` field.

A subscription's items are read as `sub["items"]`: a StripeObject is a dict, so
`sub.items` is dict.items.
"""

import time
import unittest

import stripe

from edge_sdk import API_BASE, SdkTestCase, configure_sdk, new_key

DAY = 86_400
# 2024-01-15 00:00:00 UTC: a clock's start, so periods are known in advance.
T0 = 1_705_276_800


def setUpModule():
    configure_sdk()


class BillingTestCase(SdkTestCase):
    """A test with its own account, and the steps the billing flows share."""

    def monthly(self, amount=2000):
        """A monthly price of `amount` cents, with its product made inline."""
        return stripe.Price.create(
            currency="usd", unit_amount=amount, recurring={"interval": "month"}, product_data={"name": "Gold"},
        )

    def paying_customer(self, pm="pm_card_visa", **extra):
        """A customer whose default payment method is the magic `pm`."""
        customer = stripe.Customer.create(payment_method=pm, invoice_settings={"default_payment_method": pm}, **extra)
        return stripe.Customer.retrieve(customer.id)

    def advance(self, clock_id, frozen_time, timeout=20.0):
        """Advances a clock, then polls it until it is ready again."""
        advancing = stripe.test_helpers.TestClock.advance(clock_id, frozen_time=frozen_time)
        self.assertIsInstance(advancing, stripe.test_helpers.TestClock)
        self.assertEqual(advancing.status, "advancing")
        deadline = time.monotonic() + timeout
        while True:
            clock = stripe.test_helpers.TestClock.retrieve(clock_id)
            if clock.status == "ready":
                break
            self.assertEqual(clock.status, "advancing")
            if time.monotonic() > deadline:
                self.fail(f"clock {clock_id} still {clock.status} after {timeout} s")
            time.sleep(0.1)
        self.assertEqual(clock.frozen_time, frozen_time)
        return clock


class SubscriptionTest(BillingTestCase):
    def test_paid_subscription_then_list_modify_cancel(self):
        price = self.monthly(1500)
        self.assertIsInstance(price, stripe.Price)
        self.assertEqual(price.recurring.interval, "month")
        customer = self.paying_customer()
        self.assertTrue(customer.invoice_settings.default_payment_method.startswith("pm_"))

        sub = stripe.Subscription.create(
            customer=customer.id, items=[{"price": price.id, "quantity": 2}], expand=["latest_invoice"],
        )
        self.assertIsInstance(sub, stripe.Subscription)
        self.assertTrue(sub.id.startswith("sub_"), sub.id)
        self.assertEqual(sub.status, "active")
        self.assertEqual(sub.customer, customer.id)
        items = sub["items"]
        self.assertEqual(items.object, "list")
        self.assertEqual(len(items.data), 1)
        self.assertIsInstance(items.data[0], stripe.SubscriptionItem)
        self.assertEqual(items.data[0].price.id, price.id)
        self.assertIsInstance(items.data[0].price, stripe.Price)
        self.assertEqual(items.data[0].quantity, 2)
        self.assertGreaterEqual(sub.current_period_end - sub.current_period_start, 28 * DAY)

        invoice = sub.latest_invoice
        self.assertIsInstance(invoice, stripe.Invoice, "expand turns the id into the invoice")
        self.assertEqual(invoice.status, "paid")
        self.assertTrue(invoice.paid)
        self.assertEqual(invoice.number, f"{customer.invoice_prefix}-0001")
        self.assertEqual(invoice.billing_reason, "subscription_create")
        self.assertEqual(invoice.amount_due, 3000)
        self.assertEqual(invoice.amount_paid, 3000)
        self.assertEqual(invoice.amount_remaining, 0)
        self.assertEqual(invoice.subscription, sub.id)
        self.assertEqual([line.amount for line in invoice.lines.data], [3000])

        after = stripe.Customer.retrieve(customer.id)
        self.assertEqual(after.next_invoice_sequence, 2)
        self.assertFalse(after.delinquent)

        invoices = stripe.Invoice.list(customer=customer.id)
        self.assertEqual(invoices.object, "list")
        self.assertEqual([i.id for i in invoices.data], [invoice.id])
        self.assertIsInstance(invoices.data[0], stripe.Invoice)
        self.assertEqual([i.id for i in stripe.Invoice.list(customer=customer.id).auto_paging_iter()], [invoice.id])
        got = stripe.Invoice.retrieve(invoice.id, expand=["subscription", "customer"])
        self.assertIsInstance(got.subscription, stripe.Subscription)
        self.assertEqual(got.subscription.id, sub.id)
        self.assertIsInstance(got.customer, stripe.Customer)
        self.assertEqual(got.customer.id, customer.id)
        self.assertEqual([s.id for s in stripe.Subscription.list(customer=customer.id).data], [sub.id])

        modified = stripe.Subscription.modify(sub.id, metadata={"order_id": "6735", "plan": "gold"})
        self.assertEqual(modified.metadata.to_dict(), {"order_id": "6735", "plan": "gold"})
        self.assertEqual(modified.status, "active")
        again = stripe.Subscription.modify(sub.id, metadata={"plan": ""})
        self.assertEqual(again.metadata.to_dict(), {"order_id": "6735"}, "an empty value unsets its key")
        self.assertEqual(stripe.Subscription.retrieve(sub.id).metadata.to_dict(), {"order_id": "6735"})

        canceled = stripe.Subscription.cancel(sub.id)
        self.assertIsInstance(canceled, stripe.Subscription)
        self.assertEqual(canceled.id, sub.id)
        self.assertEqual(canceled.status, "canceled")
        self.assertIsNotNone(canceled.canceled_at)
        self.assertIsNotNone(canceled.ended_at)
        self.assertEqual(stripe.Subscription.retrieve(sub.id).status, "canceled")
        self.assertEqual(stripe.Subscription.list(customer=customer.id).data, [], "canceled ones are not listed by default")
        self.assertEqual([s.id for s in stripe.Subscription.list(customer=customer.id, status="canceled").data], [sub.id])

        with self.assertRaises(stripe.InvalidRequestError) as caught:
            stripe.Subscription.modify(sub.id, metadata={"late": "1"})
        self.assertEqual(caught.exception.http_status, 400)
        self.assertEqual(caught.exception.user_message, "A canceled subscription can only update its cancellation_details.")
        with self.assertRaises(stripe.InvalidRequestError) as caught:
            stripe.Subscription.cancel(sub.id)
        self.assertEqual(caught.exception.http_status, 404)
        self.assertEqual(caught.exception.code, "resource_missing")

    def test_client_interface(self):
        """The same flow through StripeClient's services."""
        client = stripe.StripeClient(new_key(), base_addresses={"api": API_BASE}, max_network_retries=0)
        price = client.v1.prices.create(params={
            "currency": "usd", "unit_amount": 700, "recurring": {"interval": "month"}, "product_data": {"name": "Basic"},
        })
        customer = client.v1.customers.create(params={
            "payment_method": "pm_card_visa", "invoice_settings": {"default_payment_method": "pm_card_visa"},
        })
        sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
        self.assertEqual(sub.status, "active")
        self.assertTrue(sub.latest_invoice.startswith("in_"), sub.latest_invoice)
        invoice = client.v1.invoices.retrieve(sub.latest_invoice)
        self.assertEqual(invoice.status, "paid")
        self.assertEqual(invoice.amount_paid, 700)
        listed = [i.id for i in client.v1.invoices.list(params={"customer": customer.id}).auto_paging_iter()]
        self.assertEqual(listed, [invoice.id])
        updated = client.v1.subscriptions.update(sub.id, params={"metadata": {"a": "1"}})
        self.assertEqual(updated.metadata.to_dict(), {"a": "1"})
        self.assertEqual(client.v1.subscriptions.cancel(sub.id).status, "canceled")

    def test_declined_card_with_error_if_incomplete_raises_card_error(self):
        price = self.monthly()
        customer = self.paying_customer("pm_card_chargeCustomerFail")
        with self.assertRaises(stripe.CardError) as caught:
            stripe.Subscription.create(
                customer=customer.id, items=[{"price": price.id}], payment_behavior="error_if_incomplete",
            )
        err = caught.exception
        self.assertIsInstance(err, stripe.error.CardError)
        self.assertEqual(err.http_status, 402)
        self.assertEqual(err.code, "card_declined")
        self.assertEqual(err.error.type, "card_error")
        self.assertEqual(err.error.decline_code, "generic_decline")
        self.assertTrue(err.user_message, "the error has a message")
        self.assertTrue(err.request_id.startswith("req_"), err.request_id)
        self.assertEqual(stripe.Subscription.list(customer=customer.id, status="all").data, [], "nothing was created")

        # Without error_if_incomplete the same card leaves an incomplete subscription.
        incomplete = stripe.Subscription.create(customer=customer.id, items=[{"price": price.id}], expand=["latest_invoice"])
        self.assertEqual(incomplete.status, "incomplete")
        self.assertEqual(incomplete.latest_invoice.status, "open")
        self.assertEqual(incomplete.latest_invoice.attempt_count, 1)
        self.assertEqual(incomplete.latest_invoice.amount_remaining, 2000)


class TestClockRenewalTest(BillingTestCase):
    def test_failed_renewal_makes_past_due_and_delinquent_until_paid(self):
        clock = stripe.test_helpers.TestClock.create(frozen_time=T0, name="renewal")
        self.assertIsInstance(clock, stripe.test_helpers.TestClock)
        self.assertEqual(clock.status, "ready")
        price = self.monthly()
        customer = self.paying_customer(test_clock=clock.id)
        self.assertEqual(customer.test_clock, clock.id)
        sub = stripe.Subscription.create(customer=customer.id, items=[{"price": price.id}])
        self.assertEqual(sub.status, "active")
        self.assertEqual(sub.start_date, T0)
        self.assertEqual(sub.test_clock, clock.id)

        failing = stripe.PaymentMethod.attach("pm_card_chargeCustomerFail", customer=customer.id)
        self.assertEqual(failing.customer, customer.id)
        customer = stripe.Customer.modify(customer.id, invoice_settings={"default_payment_method": failing.id})
        self.assertEqual(customer.invoice_settings.default_payment_method, failing.id)

        # GET /v1/invoices/upcoming: stripe-python 16 has no call for it (later API
        # versions replaced it with create_preview), so StripeClient.raw_request.
        client = stripe.StripeClient(self.key, base_addresses={"api": API_BASE}, max_network_retries=0)
        response = client.raw_request("get", "/v1/invoices/upcoming", customer=customer.id)
        upcoming = client.deserialize(response, api_mode="V1")
        self.assertIsInstance(upcoming, stripe.Invoice)
        self.assertNotIn("id", upcoming, "the upcoming invoice is a preview without an id")
        self.assertEqual(upcoming.amount_due, 2000)
        self.assertEqual(upcoming.subscription, sub.id)

        # The renewal is made at the period's end and charged an hour later, and fails.
        # Three days before it, the account gets invoice.upcoming (whose invoice has no id).
        self.advance(clock.id, sub.current_period_end + 3600)
        notices = stripe.Event.list(type="invoice.upcoming").data
        self.assertEqual(len(notices), 1)
        self.assertIsInstance(notices[0], stripe.Event)
        self.assertEqual(notices[0].created, sub.current_period_end - 3 * DAY)
        notice = notices[0].data.object
        self.assertIsInstance(notice, stripe.Invoice)
        self.assertNotIn("id", notice)
        self.assertEqual(notice.customer, customer.id)
        self.assertEqual(notice.amount_due, 2000)
        self.assertEqual(stripe.Event.retrieve(notices[0].id).data.object.to_dict(), notice.to_dict())
        open_invoices = stripe.Invoice.list(customer=customer.id, status="open").data
        self.assertEqual(len(open_invoices), 1)
        renewal = open_invoices[0]
        self.assertEqual(renewal.billing_reason, "subscription_cycle")
        self.assertEqual(renewal.subscription, sub.id)
        self.assertEqual(renewal.number, f"{customer.invoice_prefix}-0002")
        self.assertEqual(renewal.attempt_count, 1)
        self.assertFalse(renewal.paid)
        self.assertEqual(renewal.amount_remaining, 2000)
        self.assertEqual(renewal.next_payment_attempt, sub.current_period_end + 3600 + DAY)
        self.assertEqual(stripe.Subscription.retrieve(sub.id).status, "past_due")
        self.assertTrue(stripe.Customer.retrieve(customer.id).delinquent)

        visa = stripe.PaymentMethod.attach("pm_card_visa", customer=customer.id)
        paid = stripe.Invoice.pay(renewal.id, payment_method=visa.id)
        self.assertIsInstance(paid, stripe.Invoice)
        self.assertEqual(paid.id, renewal.id)
        self.assertEqual(paid.status, "paid")
        self.assertEqual(paid.amount_paid, 2000)
        self.assertEqual(paid.amount_remaining, 0)
        self.assertIsNone(paid.next_payment_attempt)
        self.assertEqual(stripe.Subscription.retrieve(sub.id).status, "active")
        self.assertFalse(stripe.Customer.retrieve(customer.id).delinquent)
        self.assertEqual([i.status for i in stripe.Invoice.list(customer=customer.id).data], ["paid", "paid"])

        with self.assertRaises(stripe.InvalidRequestError) as caught:
            stripe.Invoice.pay(renewal.id)
        self.assertEqual(caught.exception.http_status, 400)


if __name__ == "__main__":
    unittest.main()
