"""What every stripe-python test module shares: the server's URL (EDGE_API_BASE, passed by
tests/python/run.mjs), a fresh random `sk_test_` key per test (so each test is an account
of its own), and the SDK configured once per module (no retries, no telemetry)."""

import os
import secrets
import unittest

import stripe

API_BASE = os.environ.get("EDGE_API_BASE", "")


def new_key():
    return "sk_test_" + secrets.token_hex(12)


def configure_sdk():
    """A module's setUpModule: points the SDK at the server, or skips the module."""
    if not API_BASE:
        raise unittest.SkipTest("EDGE_API_BASE is not set: run this suite through tests/python/run.mjs")
    stripe.api_base = API_BASE
    stripe.max_network_retries = 0
    stripe.enable_telemetry = False


class SdkTestCase(unittest.TestCase):
    """A test with its own account: `self.key` is set as the SDK's key."""

    def setUp(self):
        self.key = new_key()
        stripe.api_key = self.key

    def tearDown(self):
        stripe.api_key = None
