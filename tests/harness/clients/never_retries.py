"""A client that takes a 429's Retry-After as "come back much later": after the refused
POST listenKey it waits an hour, so within a scenario it sends nothing more. It used to get
a PASS with no evidence from honours-retry-after (issue 9); the check also wants the client
back soon after the window, and http/retry-after's deadline for that now ends inside the
run, so it FAILs there for not recovering (and is NOT-APPLICABLE where a run ends first).
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
