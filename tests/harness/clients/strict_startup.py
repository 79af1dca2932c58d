"""clients/startup_bot.py without its tolerance: any refused setting at start-up is fatal.

With an order open (events.rate > 0) the margin-type change answers -4047, so this bot exits
before its stream opens: tests/clients/test_startup_bot.py shows it FAILs where the real one
passes, so the tolerance is what makes the difference.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from clients.startup_bot import StartupBot


class StrictStartupBot(StartupBot):
    async def set_up(self, path: str, params: dict[str, str | int]) -> Any:
        return await self.rest("POST", path, signed=True, params=params)  # a refusal raises


if __name__ == "__main__":
    sys.exit(StrictStartupBot.main())
