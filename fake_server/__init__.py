"""A fake Binance (REST + WebSocket) that replays scripted faults."""
