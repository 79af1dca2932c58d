"""A client whose reader stops at the first frame that is not JSON, and that reports no
events: the socket stays open, so only the events file could show the lack, and there is
none. survives-bad-frame must not PASS it on the open socket alone (issue 9): with no
events reported, the delivery cannot be judged (NOT-APPLICABLE).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clients.broken.deaf_after_bad_frame import DeafAfterBadFrameClient


class MuteReaderClient(DeafAfterBadFrameClient):
    def open_events_file(self) -> TextIO | None:
        return None


if __name__ == "__main__":
    sys.exit(MuteReaderClient.main())
