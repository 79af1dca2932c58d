"""What one unit of the traded symbol is worth: the arithmetic that differs between a linear
contract (USD-M, and portfolio margin's UM book) and an inverse one (COIN-M) (pure).

- Linear (BTCUSDT): a quantity is in the base asset (BTC) and a price in the quote asset
  (USDT); values, margins, fees and PnL are in the quote asset, the margin asset:
  value = qty x price, PnL = qty x (exit - entry).
- Inverse (BTCUSD_PERP): a quantity is a number of contracts of `size` USD each (100:
  exchangeInfo's `contractSize`), and values, margins, fees and PnL are in the base asset
  (BTC), the margin asset: value = qty x size / price, PnL = qty x size x (1/entry - 1/exit)
  (Binance's "A Beginner's Guide to Futures Trading", "How to calculate unrealized PNL":
  COIN-M Futures). An average entry price is therefore the harmonic mean of the fills'
  prices weighted by quantity, the price at which the position's value in BTC is unchanged.

The liquidation price follows from the same rule for both, the one of Binance's
"Liquidation" page: the position is liquidated where its collateral plus its `cum` plus its
PnL equals its maintenance margin (value x maintMarginRatio). Everything else (the symbol
filters, the notional brackets, the start balance, the fees) is data of the product.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fake_server.exchange.orders import RULES, SymbolRules

#: (initialLeverage, floor, cap, maintMarginRatio) per bracket; floor and cap are values in
#: the margin asset (USD-M `notionalFloor`/`notionalCap`, COIN-M `qtylFloor`/`qtyCap` in BTC).
Bracket = tuple[int, int, int, Decimal]

_AMOUNT = Decimal("0.00000001")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Contract:
    #: The asset margins, fees and PnL are counted in ("USDT", "BTC").
    margin_asset: str
    #: USD per contract (inverse); None for a linear contract.
    size: Decimal | None
    #: The symbol filters exchangeInfo publishes and orders are checked against.
    rules: SymbolRules
    brackets: tuple[Bracket, ...]
    #: The wallet balance a run starts with, in the margin asset.
    wallet: Decimal
    #: What a computed price (an average entry, a liquidation price) is rounded to.
    price_quantum: Decimal
    maker_fee: Decimal = Decimal("0.0002")
    taker_fee: Decimal = Decimal("0.0005")

    @property
    def inverse(self) -> bool:
        return self.size is not None

    def value(self, qty: Decimal, price: Decimal) -> Decimal:
        """`qty` at `price`, in the margin asset (signed like `qty`); an inverse value is
        rounded to the satoshi (8 decimals), a linear one is exact."""
        if self.size is None:
            return qty * price
        return (qty * self.size / price).quantize(_AMOUNT) if price else Decimal(0)

    def pnl(self, qty: Decimal, entry: Decimal, exit_price: Decimal) -> Decimal:
        """The profit of a position of `qty` (signed) opened at `entry`, valued at `exit_price`."""
        if self.size is None:
            return qty * (exit_price - entry)
        if not entry or not exit_price:
            return Decimal(0)
        return qty * self.size * (1 / entry - 1 / exit_price)

    def average_price(self, qty: Decimal, value: Decimal) -> Decimal:
        """The one price at which `qty` (unsigned) is worth `value`: the average price of fills."""
        if self.size is None:
            return value / qty
        return qty * self.size / value

    def entry_after(self, held: Decimal, entry: Decimal, added: Decimal, price: Decimal) -> Decimal:
        """The entry price of `held` (unsigned) at `entry` once `added` more fill at `price`."""
        total = held + added
        if self.size is None:
            return ((held * entry + added * price) / total).quantize(self.price_quantum)
        value = (held / entry if entry else Decimal(0)) + added / price
        return (total / value).quantize(self.price_quantum)

    def liquidation(
        self, amount: Decimal, entry: Decimal, collateral: Decimal, ratio: Decimal, cum: Decimal
    ) -> Decimal:
        """Where a one-way position of `amount` (signed) backed by `collateral` is liquidated;
        0 when no price liquidates it (an inverse short backed by more than its value).

        Linear: collateral + cum + side x |amt| x (P - entry) = |amt| x P x ratio.
        Inverse: collateral + cum + side x N x (1/entry - 1/P) = N x ratio / P, N = |amt| x size.
        """
        side = 1 if amount > 0 else -1
        size = abs(amount)
        if self.size is None:
            denominator = size * ratio - side * size
            if not denominator:
                return Decimal(0)
            return max(Decimal(0), (collateral + cum - side * size * entry) / denominator)
        contracts_usd = size * self.size
        denominator = collateral + cum + side * contracts_usd / entry
        if not denominator:
            return Decimal(0)
        return max(Decimal(0), contracts_usd * (ratio + side) / denominator)


#: BTCUSDT's notional and leverage brackets as the fake publishes them (GET
#: /fapi/v1/leverageBracket). Binance's real table has more tiers and moves; these are
#: shaped like it: leverage falls and the maintenance ratio rises as the notional grows.
USDM_BRACKETS: tuple[Bracket, ...] = (
    (125, 0, 50_000, Decimal("0.004")),
    (50, 50_000, 250_000, Decimal("0.005")),
    (20, 250_000, 1_000_000, Decimal("0.01")),
    (10, 1_000_000, 5_000_000, Decimal("0.025")),
    (5, 5_000_000, 20_000_000, Decimal("0.05")),
)

#: BTCUSD_PERP's brackets (GET /dapi/v1/leverageBracket and /dapi/v2/leverageBracket), in
#: BTC: the COIN-M pages bound each bracket by a base-asset quantity (`qtyCap`, `qtylFloor`).
#: The pages' example shows one bracket (125x up to 50 BTC); this table is the fake's own,
#: shaped like USD-M's so that a position can meet more than one bracket.
COINM_BRACKETS: tuple[Bracket, ...] = (
    (125, 0, 5, Decimal("0.004")),
    (100, 5, 10, Decimal("0.005")),
    (50, 10, 20, Decimal("0.01")),
    (20, 20, 50, Decimal("0.025")),
    (10, 50, 100, Decimal("0.05")),
    (5, 100, 200, Decimal("0.1")),
)

#: BTCUSD_PERP's filters as the fake publishes them in its COIN-M exchangeInfo (the COIN-M
#: "Exchange Information" page: tick 0.1, whole contracts, no MIN_NOTIONAL filter).
COINM_RULES = SymbolRules(
    tick_size=Decimal("0.1"),
    min_price=Decimal("1000"),
    max_price=Decimal("4520958"),
    step_size=Decimal("1"),
    min_qty=Decimal("1"),
    max_qty=Decimal("1000000"),
    market_max_qty=Decimal("60000"),
    min_notional=Decimal("0"),
    time_in_force=frozenset({"GTC", "IOC", "FOK", "GTX"}),
)

LINEAR = Contract(
    margin_asset="USDT",
    size=None,
    rules=RULES,
    brackets=USDM_BRACKETS,
    wallet=Decimal("10000.00000000"),
    price_quantum=_CENT,
)

INVERSE = Contract(
    margin_asset="BTC",
    size=Decimal(100),
    rules=COINM_RULES,
    brackets=COINM_BRACKETS,
    wallet=Decimal("1.00000000"),
    price_quantum=_AMOUNT,
)
