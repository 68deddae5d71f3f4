"""The tradeable universe: every instrument with its zh/en names and the aliases learners type.

Names matter more than codes here: a learner says "茅台" or "the bank stock", not "600519". So each
instrument carries its common aliases in both languages, and `Universe.resolve` is the one place that
turns what someone typed into a symbol (the order parser and the UI both call it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["AssetClass", "Instrument", "Universe", "CN_UNIVERSE", "US_UNIVERSE", "universe_for"]


class AssetClass(StrEnum):
    EQUITY_INDEX = "equity_index"
    EQUITY_SECTOR = "equity_sector"
    EQUITY = "equity"
    BOND = "bond"
    GOLD = "gold"
    CASH = "cash"


@dataclass(frozen=True)
class Instrument:
    """One tradeable product.

    Prices are in the market's currency (CNY or USD). ``vol_annual`` and ``beta`` are the defaults a
    scenario's price process starts from; ``carry_annual`` is the return it earns whatever the regime
    (bond coupons, money-market yield); ``price_limit_pct`` overrides the market's daily limit
    (None means the market rule applies), and so does ``lot_size``. ``risk_level`` is the R1–R5 product rating used for
    suitability checks.
    """

    symbol: str
    name_zh: str
    name_en: str
    asset_class: AssetClass
    start_price: float
    vol_annual: float
    beta: float
    risk_level: int
    aliases: tuple[str, ...] = ()
    tick_size: float = 0.01
    price_limit_pct: float | None = None
    is_index: bool = False
    carry_annual: float = 0.0
    lot_size: int | None = None
    has_price_limit: bool = True  # False for an index replayed as-is (indices have no daily limit)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


def _norm(text: str) -> str:
    return "".join(text.lower().split()).replace("-", "").replace("_", "")


@dataclass(frozen=True)
class Universe:
    """An ordered set of instruments with lookup by code, name or alias (zh or en)."""

    name: str
    currency: str
    instruments: tuple[Instrument, ...]
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _positions: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        symbols = [i.symbol for i in self.instruments]
        if len(set(symbols)) != len(symbols):
            raise ValueError(f"universe {self.name}: duplicate symbols in {symbols}")
        self._positions.update((sym, i) for i, sym in enumerate(symbols))
        for inst in self.instruments:
            for key in (inst.symbol, inst.name_zh, inst.name_en, *inst.aliases):
                self._index.setdefault(_norm(key), inst.symbol)

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self.instruments)

    def __len__(self) -> int:
        return len(self.instruments)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._positions

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(i.symbol for i in self.instruments)

    def get(self, symbol: str) -> Instrument:
        return self.instruments[self.position(symbol)]

    def position(self, symbol: str) -> int:
        try:
            return self._positions[symbol]
        except (KeyError, TypeError):
            raise KeyError(symbol) from None

    @property
    def index(self) -> Instrument:
        """The broad-market instrument circuit breakers and beta are measured against."""
        for inst in self.instruments:
            if inst.is_index:
                return inst
        return self.instruments[0]

    def resolve(self, text: str) -> str | None:
        """The symbol for a code, name or alias; None when nothing matches exactly."""
        return self._index.get(_norm(text))

    def subset(self, symbols: tuple[str, ...] | list[str]) -> Universe:
        missing = [s for s in symbols if s not in self]
        if missing:
            raise KeyError(f"not in universe {self.name}: {', '.join(missing)}")
        return Universe(self.name, self.currency, tuple(self.get(s) for s in symbols))


CN_UNIVERSE = Universe(
    "CN",
    "CNY",
    (
        Instrument("510300", "沪深300ETF", "CSI 300 ETF", AssetClass.EQUITY_INDEX, 4.00, 0.20, 1.0, 3,
                   ("沪深300", "300ETF", "CSI300", "CSI 300", "csi 300 index etf", "hs300", "大盘"),
                   tick_size=0.001, is_index=True),
        Instrument("516160", "新能源ETF", "New Energy ETF", AssetClass.EQUITY_SECTOR, 1.20, 0.35, 1.3, 4,
                   ("新能源", "new energy", "clean energy etf", "光伏"), tick_size=0.001),
        Instrument("601398", "银行股", "Bank Stock", AssetClass.EQUITY, 5.50, 0.18, 0.7, 3,
                   ("银行", "工商银行", "工行", "ICBC", "bank", "bank shares", "the bank stock")),
        Instrument("600519", "贵州茅台", "Kweichow Moutai", AssetClass.EQUITY, 1600.00, 0.28, 0.9, 4,
                   ("茅台", "moutai", "maotai", "kweichow moutai")),
        Instrument("511010", "国债基金", "Government Bond Fund", AssetClass.BOND, 130.00, 0.03, -0.05, 1,
                   ("国债", "国债ETF", "bond fund", "government bonds", "treasury fund", "bonds"),
                   tick_size=0.001, carry_annual=0.025),
        Instrument("518880", "黄金ETF", "Gold ETF", AssetClass.GOLD, 5.00, 0.15, 0.0, 3,
                   ("黄金", "gold", "gold etf"), tick_size=0.001),
        Instrument("511880", "货币基金", "Money Market Fund", AssetClass.CASH, 100.00, 0.002, 0.0, 1,
                   ("货币", "货基", "money market", "money fund", "cash fund", "mmf"),
                   tick_size=0.001, carry_annual=0.018),
    ),
)

US_UNIVERSE = Universe(
    "US",
    "USD",
    (
        Instrument("SPY", "标普500ETF", "S&P 500 ETF", AssetClass.EQUITY_INDEX, 450.00, 0.18, 1.0, 3,
                   ("标普500", "标普", "S&P 500", "S&P500", "sp500", "spx"), is_index=True),
        Instrument("QQQ", "纳斯达克100ETF", "Nasdaq-100 ETF", AssetClass.EQUITY_SECTOR, 380.00, 0.24, 1.2, 4,
                   ("纳指", "纳斯达克", "nasdaq", "nasdaq 100", "nasdaq-100")),
        Instrument("JPM", "摩根大通", "JPMorgan Chase", AssetClass.EQUITY, 150.00, 0.25, 1.1, 4,
                   ("摩根", "jpmorgan", "jp morgan", "bank stock")),
        Instrument("TLT", "美国长期国债ETF", "US Treasury Bond ETF", AssetClass.BOND, 95.00, 0.14, -0.2, 2,
                   ("美债", "treasuries", "treasury etf", "bond etf"), carry_annual=0.035),
        Instrument("GLD", "黄金ETF(美)", "Gold ETF (US)", AssetClass.GOLD, 185.00, 0.15, 0.0, 3,
                   ("美国黄金", "gold", "gld")),
        Instrument("BIL", "短期国库券ETF", "T-Bill ETF", AssetClass.CASH, 91.50, 0.005, 0.0, 1,
                   ("短债", "t-bills", "t bill", "cash", "money market"), carry_annual=0.045),
    ),
)


def universe_for(market: str) -> Universe:
    """The default universe of a market ("CN" or "US")."""
    try:
        return {"CN": CN_UNIVERSE, "US": US_UNIVERSE}[market.upper()]
    except KeyError:
        raise ValueError(f"unknown market {market!r}: expected CN or US") from None
