"""Broken client: lacks ``surfaces-error-body``.

A failed REST call is reported as ``HTTP <status>`` and nothing else: Binance's ``code``
and ``msg`` (or the HTML page of a 403/410) never reach the log. It still retries with
backoff, like the reference client.

Mimics the forum thread (dev.binance.vision/t/new-connection-with-websocket/15063: axios
showed only "Request failed with status code 404"; the advisor: "it also comes with an
error message ... you need to get that") and G4 ``non-json-http-body``.

Run: ``python /abs/path/clients/broken/no_error_body.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script from anywhere: make the checkout root (holding clients/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clients.reference_client import ReferenceClient

#: What the harness test suite plays it against (tests/behaviours/test_broken_clients.py).
LACKS = "surfaces-error-body"
SCENARIO = "http/listenkey-404.yaml"


class NoErrorBodyClient(ReferenceClient):
    def describe_rest_failure(self, method: str, path: str, status: int, body: str) -> str:
        return f"HTTP {status}"


if __name__ == "__main__":
    sys.exit(NoErrorBodyClient.main())
