"""The exchange layer: Binance's rules as pure models that return what to send.

Keys, accounts, orders and their history, the wallet, market data, the product profiles
and their data, stream routes and per-connection stream rules, the WebSocket API, request
weights, Binance's error bodies, timestamps and the fake's settings. Nothing here imports
asyncio, aiohttp or websockets, or reads the clock: callers pass the time in and do the
I/O with what comes back (the fronts, `fake_server/fronts/`), the way websockets' protocol
objects are driven by its asyncio layer. A test holds the rule (tests/fake_server/test_layers.py).
"""
