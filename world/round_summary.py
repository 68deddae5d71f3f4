"""What a finished round of single-player trading came to, as numbers and as the advisor's short summary.

A fixed-length scenario ends (``Market.finished``); before the learner starts a new round the advisor
says how the round went. The honest yardstick for "I made 2%" is what doing nothing clever would have
made over the same days, so the summary puts the learner's equity beside the starting cash, beside
buying and holding the index, and beside an equal-weight basket of every other instrument; and it
counts the panic sells (manual sells into a sharp fall, as the market's metrics flag them on each
trade). Engine-free: the numbers are read from a ``Market`` and tested without Panda3D.
"""

from __future__ import annotations

from dataclasses import dataclass

from vbranch.scenes.catalogue import text

__all__ = ["RoundSummary", "summarise_round", "buy_and_hold_pct", "summary_line", "shown_pct"]


@dataclass(frozen=True)
class RoundSummary:
    """One learner's finished round. Returns are in percent; ``None`` when the market has no such yardstick."""

    days: int  # trading days the round ran (closed days)
    starting_cash: float  # the account's deposits, in the market's currency
    equity: float  # cash plus holdings at the last prices
    index_return_pct: float | None  # buying and holding the index from the first open to the last close
    basket_return_pct: float | None  # the same for an equal-weight basket of the non-index instruments
    panic_sells: int
    trades: int

    @property
    def return_pct(self) -> float:
        return 100.0 * (self.equity / self.starting_cash - 1.0) if self.starting_cash else 0.0


def buy_and_hold_pct(bars) -> float | None:
    """Percent from the first bar's open to the last bar's close (None without bars or a zero open)."""
    if not bars or bars[0].open <= 0:
        return None
    return 100.0 * (bars[-1].close / bars[0].open - 1.0)


def summarise_round(market, account_id: str) -> RoundSummary:
    """The round's numbers from the market's history and the learner's account (fees and lots ignored
    for the yardsticks: they are what the prices did, not a second account)."""
    account = market.account(account_id)
    equity = float(account.equity(market.prices))
    indexes = [inst.symbol for inst in market.universe if inst.is_index]
    index_pct = buy_and_hold_pct(market.history[indexes[0]]) if indexes else None
    others = [pct for inst in market.universe if not inst.is_index
              if (pct := buy_and_hold_pct(market.history[inst.symbol])) is not None]
    basket_pct = sum(others) / len(others) if others else None
    return RoundSummary(days=market.day, starting_cash=float(account.deposits), equity=equity,
                        index_return_pct=index_pct, basket_return_pct=basket_pct,
                        panic_sells=sum(1 for t in account.trades if t.panic), trades=len(account.trades))


def shown_pct(value: float) -> float:
    """``value`` as said (one decimal), with a loss too small to show read as 0.0, not "-0.0"."""
    return round(value, 1) + 0.0


def summary_line(summary: RoundSummary, lang: str, index_name: str) -> str:
    """The advisor's few sentences: the result, the yardsticks, the panic sells, and the offer of a new round."""
    parts = [text("round.result", lang, days=summary.days, equity=f"{summary.equity:,.0f}",
                  start=f"{summary.starting_cash:,.0f}", return_pct=shown_pct(summary.return_pct))]
    if summary.index_return_pct is not None:
        parts.append(text("round.summary_index", lang, index=index_name, index_pct=shown_pct(summary.index_return_pct)))
    if summary.basket_return_pct is not None:
        parts.append(text("round.summary_basket", lang, basket_pct=shown_pct(summary.basket_return_pct)))
    if not summary.trades:
        parts.append(text("round.summary_no_trades", lang))
    elif summary.panic_sells:
        parts.append(text("round.panic_sells", lang, n=summary.panic_sells))
    else:
        parts.append(text("round.summary_no_panic", lang))
    parts.append(text("round.offer_next", lang))
    return text("round.sentence_sep", lang).join(parts)
