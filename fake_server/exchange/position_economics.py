"""What a one-way position is worth and costs at the mark price (pure).

The snapshots (positionRisk, account, balance) and the user-data events report these numbers,
so they are computed once here from the position, its entry price, the mark price, the
symbol's leverage and margin type, and the brackets. The formulas are the ones of Binance's
"Leverage and Margin of USDⓈ-M Futures" and "Liquidation" pages, with every value taken
through the symbol's `Contract` (fake_server/exchange/contract.py), so that a COIN-M
(inverse) position is valued in BTC as a USD-M one is in USDT:

- notional = the position's value at the mark (signed: negative for a short);
- unrealized PnL = the position's PnL from its entry to the mark;
- position initial margin = |notional| / leverage; open-order initial margin likewise over
  the open orders' value;
- maintenance margin = |notional| * maintMarginRatio - cum, with the bracket that holds
  |notional| (the `cum` of the leverage brackets keeps it continuous);
- liquidation price (one position, one-way mode): where collateral + cum + PnL equals the
  maintenance margin (`Contract.liquidation`); the collateral is the wallet (cross margin)
  or the position's isolated wallet: its initial margin at entry plus what POST
  positionMargin added. A price at or below 0 is reported as "0", like Binance for a
  position that cannot be liquidated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fake_server.exchange.contract import LINEAR, Bracket, Contract

_AMOUNT = Decimal("0.00000001")


def bracket_cums(brackets: tuple[Bracket, ...]) -> list[Decimal]:
    """Each bracket's `cum`: the maintenance amount that makes the margin continuous."""
    cums: list[Decimal] = []
    cum, ratio_before = Decimal(0), Decimal(0)
    for _lev, floor, _cap, ratio in brackets:
        cum += floor * (ratio - ratio_before)
        ratio_before = ratio
        cums.append(cum)
    return cums


def bracket_for(brackets: tuple[Bracket, ...], notional: Decimal) -> tuple[Decimal, Decimal]:
    """(maintMarginRatio, cum) of the bracket that holds `notional` (the last one above)."""
    cums = bracket_cums(brackets)
    for (_lev, _floor, cap, ratio), cum in zip(brackets, cums, strict=True):
        if notional <= cap:
            return ratio, cum
    return brackets[-1][3], cums[-1]


def max_notional(brackets: tuple[Bracket, ...], leverage: int) -> int:
    """The largest position the leverage allows: the cap of the last bracket that still
    allows it (`maxNotionalValue`)."""
    return max((cap for lev, _floor, cap, _ratio in brackets if lev >= leverage), default=brackets[0][2])


def max_leverage(brackets: tuple[Bracket, ...]) -> int:
    return brackets[0][0]


@dataclass(frozen=True)
class Economics:
    notional: Decimal
    unrealized: Decimal
    position_initial: Decimal
    open_order_initial: Decimal
    maint: Decimal
    liquidation: Decimal
    isolated_wallet: Decimal

    @property
    def initial(self) -> Decimal:
        return self.position_initial + self.open_order_initial

    @property
    def isolated_margin(self) -> Decimal:
        """An isolated position's margin: its wallet plus its unrealized PnL ("0" cross)."""
        return self.isolated_wallet + self.unrealized if self.isolated_wallet else Decimal(0)


def unrealized_pnl(amount: Decimal, entry: Decimal, mark: Decimal, contract: Contract = LINEAR) -> Decimal:
    """The position's unrealized PnL at the mark. Its own function because every
    ACCOUNT_UPDATE needs it and the isolated wallet, not the rest of `economics`."""
    return contract.pnl(amount, entry, mark).quantize(_AMOUNT)


def isolated_wallet(
    *,
    amount: Decimal,
    entry: Decimal,
    leverage: int,
    isolated: bool,
    added_margin: Decimal = Decimal(0),
    contract: Contract = LINEAR,
) -> Decimal:
    """An isolated position's wallet: its initial margin at entry plus what was added (0 cross)."""
    if isolated and amount:
        return (contract.value(abs(amount), entry) / leverage + added_margin).quantize(_AMOUNT)
    return Decimal(0)


def economics(
    *,
    amount: Decimal,
    entry: Decimal,
    mark: Decimal,
    leverage: int,
    isolated: bool,
    wallet: Decimal,
    open_order_notional: Decimal,
    brackets: tuple[Bracket, ...] | None = None,
    added_margin: Decimal = Decimal(0),
    contract: Contract = LINEAR,
) -> Economics:
    """`brackets`: the contract's unless given."""
    notional = contract.value(amount, mark)
    size = abs(notional)
    ratio, cum = bracket_for(contract.brackets if brackets is None else brackets, size)
    own_wallet = isolated_wallet(
        amount=amount,
        entry=entry,
        leverage=leverage,
        isolated=isolated,
        added_margin=added_margin,
        contract=contract,
    )
    collateral = own_wallet if isolated else wallet
    liquidation = contract.liquidation(amount, entry, collateral, ratio, cum) if amount else Decimal(0)
    return Economics(
        notional=notional.quantize(_AMOUNT),
        unrealized=unrealized_pnl(amount, entry, mark, contract),
        position_initial=(size / leverage).quantize(_AMOUNT),
        open_order_initial=(open_order_notional / leverage).quantize(_AMOUNT),
        maint=max(Decimal(0), size * ratio - cum).quantize(_AMOUNT) if amount else Decimal(0),
        liquidation=liquidation.quantize(contract.price_quantum),
        isolated_wallet=own_wallet,
    )
