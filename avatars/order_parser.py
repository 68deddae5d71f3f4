"""Orders in natural language: "买100股茅台，止损8%" or "sell half my bank shares" → a structured intent.

The parser never guesses. Whatever it can't pin down (which instrument, buy or sell, how much, a
stop without a number) becomes a ``Clarify`` naming what is missing, so the advisor asks back
instead of trading something the learner didn't mean. Instruments are found only through
``Universe.resolve``; amounts stay as the learner said them (shares, money, percent of a position,
percent of profit) and ``order_request.intent_to_request`` turns them into shares against a market.

Pipeline: find instrument mentions on the raw text (names carry digits, "沪深300") and blank them
out → write every spoken number as digits (``order_numbers``) → cut out, in order, stop-loss and
take-profit clauses, the limit price, the side words and the amount, so that a number used by one
clause can't be read again by the next → what is left over is what the learner called the
instrument, quoted back when it isn't in the universe.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from vbranch.avatars.order_numbers import format_number, normalise_numbers
from vbranch.market_sim.instruments import Universe
from vbranch.scenes.catalogue import LANGS, text

__all__ = ["AmountKind", "Amount", "OrderIntent", "Clarify", "detect_lang", "parse_order", "localized", "says_trade"]

log = logging.getLogger(__name__)

_MARK = "\ue000"  # stands in for an instrument mention once it has been resolved
_NUM = r"(\d+(?:\.\d+)?)"
_MAX_NAME_CHARS = 40  # longest instrument mention looked for


class AmountKind(StrEnum):
    SHARES = "shares"
    CASH = "cash"  # in the market's currency
    POSITION_PCT = "position_pct"  # percent of the learner's holding in the symbol
    PROFIT_PCT = "profit_pct"  # percent of unrealised profit (see order_request for which profit)


@dataclass(frozen=True)
class Amount:
    kind: AmountKind
    value: float  # shares, currency units, or percent (30% is 30)


@dataclass(frozen=True)
class OrderIntent:
    """What the learner asked for, before it meets a market. Percents are percent units, measured
    from the entry price (a stop of 8 sells 8% below what was paid)."""

    side: str  # "buy" | "sell"
    symbol: str
    amount: Amount
    order_type: str = "market"  # "market" | "limit"
    limit_price: float | None = None
    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None

    def to_dict(self) -> dict:
        """JSON-ready; whole numbers print as integers (30, not 30.0), absent fields as None."""
        return {
            "side": self.side,
            "symbol": self.symbol,
            "amount": {"kind": self.amount.kind.value, "value": _plain(self.amount.value)},
            "order_type": self.order_type,
            "limit_price": _plain(self.limit_price),
            "stop_loss_pct": _plain(self.stop_loss_pct),
            "take_profit_pct": _plain(self.take_profit_pct),
        }


def _plain(x: float | None) -> float | int | None:
    return int(x) if x is not None and float(x).is_integer() else x


def localized(zh: str, en: str) -> dict[str, str]:
    """A parameter that reads differently per language (an instrument's name, a side word)."""
    return {"zh": zh, "en": en}


@dataclass(frozen=True)
class Clarify:
    """A question to ask instead of guessing: a catalogue key plus its parameters.

    A parameter may be a ``localized`` pair; ``question(lang)`` picks the learner's language.
    """

    question_key: str
    params: dict = field(default_factory=dict)

    def question(self, lang: str = "en") -> str:
        params = {k: (v[lang] if isinstance(v, dict) and set(v) == set(LANGS) else v) for k, v in self.params.items()}
        return text(self.question_key, lang, **params)

    def to_dict(self, lang: str = "en") -> dict:
        return {"clarify": self.question(lang)}


def detect_lang(text_: str) -> str:
    """"zh" if the text has any CJK character, else "en"."""
    return "zh" if any(unicodedata.name(c, "").startswith("CJK") for c in text_) else "en"


# ----- instruments -----------------------------------------------------------------------------------
def _ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _find_instruments(s: str, universe: Universe) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, symbol) mentions, longest first; spans never split an ASCII word."""
    found: list[tuple[int, int, str]] = []
    n = len(s)
    for i in range(n):
        if not s[i].strip() or (i and _ascii_word(s[i - 1]) and _ascii_word(s[i])):
            continue
        for j in range(min(n, i + _MAX_NAME_CHARS), i, -1):
            if (j < n and _ascii_word(s[j - 1]) and _ascii_word(s[j])) or not s[j - 1].strip():
                continue
            symbol = universe.resolve(s[i:j])
            if symbol is not None:
                found.append((i, j, symbol))
                break
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    chosen: list[tuple[int, int, str]] = []
    for start, end, symbol in found:
        if all(end <= a or start >= b for a, b, _ in chosen):
            chosen.append((start, end, symbol))
    return sorted(chosen)


def _name(universe: Universe, symbol: str) -> dict[str, str]:
    inst = universe.get(symbol)
    return localized(inst.name_zh, inst.name_en)


def _choices(universe: Universe) -> dict[str, str]:
    return localized("、".join(i.name_zh for i in universe), ", ".join(i.name_en for i in universe))


def _money_word(currency: str) -> dict[str, str]:
    key = f"order_parse.money_{currency.lower()}"
    return localized(text(key, "zh"), text(key, "en"))


def _side_word(side: str) -> dict[str, str]:
    key = f"order_parse.side_{side}"
    return localized(text(key, "zh"), text(key, "en"))


# ----- clauses ---------------------------------------------------------------------------------------
class _Cut:
    """The working text: each ``take`` removes what a pattern matched, so no number is read twice."""

    def __init__(self, s: str) -> None:
        self.s = s

    def take(self, pattern: str) -> list[re.Match]:
        matches = list(re.finditer(pattern, self.s))
        for m in reversed(matches):
            self.s = self.s[: m.start()] + " " + self.s[m.end():]
        return matches

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.s) is not None


_STOP_WORD = r"(?:止损|stop[\s-]*loss|stoploss|stop(?![\s-]*loss))"
_TAKE_WORD = r"(?:止盈|take[\s-]*profits?|profit[\s-]*target)"
_CLAUSE_GLUE = r"\s*(?:线|位|价|设置?|设定|定|放)?\s*(?:在|为|到|于|at|of|to|@|:)?\s*(?:a\s+|an\s+)?"


def _take_bracket(cut: _Cut, word: str) -> tuple[bool, float | None, bool]:
    """(mentioned, percent, had_unit) for a stop-loss or take-profit clause."""
    after = cut.take(rf"{word}{_CLAUSE_GLUE}{_NUM}\s*(%)?")
    before = cut.take(rf"{_NUM}\s*%\s*(?:的)?\s*{word}")
    mentioned = bool(after or before) or bool(cut.take(word))
    if before:
        return True, float(before[0].group(1)), True
    if after:
        return True, float(after[0].group(1)), after[0].group(2) is not None
    return mentioned, None, False


_PRICE_UNIT = r"\s*(?:元|块钱?|yuan|dollars?|usd|cny|rmb)?(?:\s*(?:each|per\s+share|一股|每股))?"
_LIMIT_PATTERNS = (
    rf"(?:限价|挂单|挂|价格|价位|单价|每股)\s*(?:为|是|在)?\s*{_NUM}{_PRICE_UNIT}",
    rf"(?:以|在)\s*{_NUM}\s*(?:元|块钱?)?\s*(?:的)?(?:价格|价位|位置)?",
    rf"{_NUM}\s*(?:元|块钱?)\s*(?:的)?(?:价格|价位)",
    rf"\blimit(?:\s+order)?(?:\s+price)?\s*(?:of|at|@)?\s*[$¥]?\s*{_NUM}{_PRICE_UNIT}",
    rf"(?:\bat\b|@)\s*(?:a\s+limit\s+(?:price\s+)?(?:of\s+)?)?[$¥]?\s*{_NUM}(?!\s*%){_PRICE_UNIT}",
)
_LIMIT_WORD = r"限价|挂单|\blimit\b"

_BUY_WORDS = r"买入|买进|加仓|建仓|补仓|申购|买|\bbuy\b|\bbuying\b|\bpurchase\b|\bacquire\b"
_SELL_WORDS = r"卖出|卖掉|割肉|减仓|抛售|抛出|平仓|卖|抛|\bsell\b|\bselling\b|\bdump\b|\bunload\b|\btrim\b"
_CLEAR_WORDS = r"清仓|\bliquidate\b|\bclose\s+out\b|\bclose\s+(?:my\s+)?position\b"

_USD_UNITS = r"dollars?|usd|bucks|美元|美金"
_CNY_UNITS = r"人民币|rmb|yuan|cny|元|块钱?"
_CASH_BASIS = r"资金|现金|可用|余额|总资产|账户|\bcash\b|\bmoney\b|buying\s+power|\bbalance\b|\bportfolio\b|\baccount\b"
_PROFIT = r"(?:浮盈|盈利|利润|收益|赚的钱|赚的)"
_EN_PROFIT = r"(?:unreali[sz]ed\s+|paper\s+|total\s+)?(?:profits?|gains?|earnings)"

_FILLER = (
    r"帮我|给我|请|我想|我要|想要|我的|我|把|将|的|了|吧|呢|啊|并且|并|然后|再|设置|设定|设|用|持仓|仓位|股票|全仓|满仓|"
    r"市价|以市价|现价|这只|那只|一些|点|，|。|,|\.|!|\?|;|；|、|:|"
    r"\b(?:i|i'd|i'm|want|wanna|to|would|like|please|me|my|the|a|an|of|some|shares?|stocks?|worth|with|and|then|"
    r"set|put|place|order|at|market|price|position|holdings?|in|on|for|can|you|could|go|get|it|now|let's|us)\b"
)


@dataclass
class _Found:
    amounts: list[Amount] = field(default_factory=list)
    bare_numbers: list[float] = field(default_factory=list)
    foreign_currency: bool = False
    lots_outside_cn: bool = False
    pct_of_cash: bool = False


def _take_amounts(cut: _Cut, universe: Universe) -> _Found:
    found = _Found()
    add = found.amounts.append
    for m in cut.take(rf"{_PROFIT}\s*(?:的)?\s*{_NUM}%") + cut.take(rf"{_NUM}%\s*(?:的)?\s*(?:持仓)?\s*{_PROFIT}"):
        add(Amount(AmountKind.PROFIT_PCT, float(m.group(1))))
    for m in cut.take(rf"{_NUM}%\s*(?:of\s+)?(?:my\s+|the\s+|our\s+)?{_EN_PROFIT}"):
        add(Amount(AmountKind.PROFIT_PCT, float(m.group(1))))
    cash_basis = cut.has(_CASH_BASIS)
    for m in cut.take(rf"{_NUM}%"):
        found.pct_of_cash |= cash_basis
        add(Amount(AmountKind.POSITION_PCT, float(m.group(1))))
    for m in cut.take(rf"{_NUM}\s*(?:手|(?:board\s+)?lots?\b)"):
        found.lots_outside_cn |= universe.currency != "CNY"
        add(Amount(AmountKind.SHARES, float(m.group(1)) * 100))
    for m in cut.take(rf"{_NUM}\s*(?:股|shares?\b|units?\b)"):
        add(Amount(AmountKind.SHARES, float(m.group(1))))
    if universe.currency == "USD":  # a Chinese learner's 元/块 means "units of money" here
        foreign, home, foreign_sign, home_sign = r"人民币|rmb|yuan|cny", rf"{_USD_UNITS}|元|块钱?", r"¥", r"\$"
    else:
        foreign, home, foreign_sign, home_sign = _USD_UNITS, _CNY_UNITS, r"\$", r"¥"
    for m in cut.take(rf"{foreign_sign}\s*{_NUM}") + cut.take(rf"{_NUM}\s*(?:{foreign})"):
        found.foreign_currency = True
        add(Amount(AmountKind.CASH, float(m.group(1))))
    for m in cut.take(rf"{home_sign}\s*{_NUM}") + cut.take(rf"{_NUM}\s*(?:{home})"):
        add(Amount(AmountKind.CASH, float(m.group(1))))
    # "buy 100 moutai": a whole number right before the instrument counts shares, as on a ticket.
    for m in cut.take(rf"(?<![\d.]){_NUM}\s*{_MARK}"):
        value = float(m.group(1))
        if value.is_integer():
            add(Amount(AmountKind.SHARES, value))
        else:
            found.bare_numbers.append(value)
        cut.s += f" {_MARK}"
    found.bare_numbers += [float(m.group(1)) for m in cut.take(_NUM)]
    return found


# ----- the parser ------------------------------------------------------------------------------------
def says_trade(text_: str) -> bool:
    """Whether the words ask to buy, sell or clear out at all (a chat line that doesn't is a question or a feeling)."""
    raw = unicodedata.normalize("NFKC", text_).lower()
    return any(re.search(words, raw) for words in (_BUY_WORDS, _SELL_WORDS, _CLEAR_WORDS))


def parse_order(text_: str, universe: Universe, lang: str | None = None) -> OrderIntent | Clarify:
    """Parse one spoken or typed order into an ``OrderIntent``, or the ``Clarify`` to ask first.

    Args:
        text_: the learner's words, zh or en.
        universe: the scenario's instruments; the only names that can become a symbol.
        lang: unused by the parsing itself (both languages are always understood); kept so callers
            can pass the learner's language along, and logged for diagnosis.
    """
    lang = lang or detect_lang(text_)
    raw = unicodedata.normalize("NFKC", text_).lower()
    mentions = _find_instruments(raw, universe)
    for start, end, _ in reversed(mentions):
        raw = raw[:start] + f" {_MARK} " + raw[end:]
    symbols = list(dict.fromkeys(sym for _, _, sym in mentions))
    cut = _Cut(normalise_numbers(raw))

    stop_said, stop_pct, stop_unit = _take_bracket(cut, _STOP_WORD)
    take_said, take_pct, take_unit = _take_bracket(cut, _TAKE_WORD)
    limit_matches = [m for pattern in _LIMIT_PATTERNS for m in cut.take(pattern)]
    limit_said = bool(limit_matches) or bool(cut.take(_LIMIT_WORD))
    clear = bool(cut.take(_CLEAR_WORDS))
    buy = bool(cut.take(_BUY_WORDS))
    sell = bool(cut.take(_SELL_WORDS)) or clear
    found = _take_amounts(cut, universe)
    log.debug("parse_order(%r, lang=%s): left over %r", text_, lang, cut.s)

    if len(symbols) > 1:
        names = [_name(universe, s) for s in symbols]
        return Clarify("order_parse.several_instruments", {"names": localized(
            "、".join(n["zh"] for n in names), ", ".join(n["en"] for n in names))})
    if buy and sell:
        return Clarify("order_parse.conflicting_sides")
    side = "buy" if buy else "sell" if sell else None
    if not symbols:
        heard = re.sub(_FILLER, " ", cut.s.replace(_MARK, " "))
        heard = " ".join(heard.split())
        if heard:
            return Clarify("order_parse.unknown_instrument", {"heard": heard, "choices": _choices(universe)})
        return Clarify("order_parse.which_instrument", {"choices": _choices(universe)})
    symbol = symbols[0]
    name = _name(universe, symbol)
    if side is None:
        return Clarify("order_parse.which_side", {"name": name})
    amounts = list(dict.fromkeys(found.amounts))
    if found.foreign_currency:
        return Clarify("order_parse.currency", {"currency": universe.currency})
    if found.lots_outside_cn:
        return Clarify("order_parse.lots_outside_cn", {"name": name})
    if found.pct_of_cash:
        return Clarify("order_parse.pct_of_cash", {"name": name, "side": _side_word(side)})
    if found.bare_numbers:
        n = format_number(found.bare_numbers[0])
        return Clarify("order_parse.bare_number", {"n": n, "currency": _money_word(universe.currency)})
    if not amounts and clear:
        amounts = [Amount(AmountKind.POSITION_PCT, 100.0)]
    if len(amounts) > 1:
        return Clarify("order_parse.several_amounts", {"name": name})
    if not amounts:
        return Clarify("order_parse.how_much", {"name": name, "side": _side_word(side)})
    if stop_said and (stop_pct is None or not stop_unit):
        return Clarify("order_parse.stop_needs_pct")
    if take_said and (take_pct is None or not take_unit):
        return Clarify("order_parse.take_profit_needs_pct")
    limits = {float(m.group(1)) for m in limit_matches}
    if limit_said and len(limits) != 1:
        return Clarify("order_parse.limit_needs_price", {"name": name})
    limit_price = limits.pop() if limits else None
    return OrderIntent(
        side=side,
        symbol=symbol,
        amount=amounts[0],
        order_type="limit" if limit_price is not None else "market",
        limit_price=limit_price,
        stop_loss_pct=stop_pct,
        take_profit_pct=take_pct,
    )
