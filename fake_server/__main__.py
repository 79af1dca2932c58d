"""`python -m fake_server`: the fake on loopback with default settings (see `binance-harness serve`)."""

from harness.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve", *__import__("sys").argv[1:]]))
