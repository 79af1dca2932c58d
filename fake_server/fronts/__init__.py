"""The fronts: the I/O around the exchange layer.

`rest.py` (aiohttp on a loopback socket), `websocket.py` and `connection.py` (websockets'
Sans-I/O protocol over asyncio transports), `tls.py` (TLS relays with a throwaway CA in
front of both), and `control_api.py` with its Python client `control_client.py`. A front
knows the rest of the fake only through the small Protocol it declares for its owner, so
it never imports `fake_server/server.py`.
"""
