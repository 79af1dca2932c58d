"""The reference client, 2.5 s late: it sleeps before its first request, as an SDK does that
takes seconds to import its models and open its connections (Binance's official Python
SDK reached its user stream 2-3 s after launch). The scenario's duration counts from this
first contact, so the run is not cut short by it (tests/harness/test_first_contact.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clients.reference_client import ReferenceClient

#: Seconds between launch and the first request.
STARTS_AFTER = 2.5

if __name__ == "__main__":
    time.sleep(STARTS_AFTER)
    sys.exit(ReferenceClient.main())
