"""A client that takes a 429's Retry-After as "come back much later": after the refused
POST listenKey it waits an hour, so within a scenario it sends nothing more. Nothing shows
whether it honours the Retry-After, so honours-retry-after must say NOT-APPLICABLE with
that reason, not PASS with no evidence (issue 9).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clients.reference_client import ReferenceClient


class NeverRetriesClient(ReferenceClient):
    def honoured_wait(self, retry_after: float | None) -> float:
        return 3600.0


if __name__ == "__main__":
    sys.exit(NeverRetriesClient.main())
