"""The advisor's side of a typed conversation: an order, a question, or a feeling — and what to say back.

One message can be several things at once ("慌了，把茅台全卖了" is a feeling *and* an order), so every
message is read for distress and greed (``emotion.text_cues``) and then routed once:

1. asking for advice on a real security → the boundary line (never a recommendation);
2. an order the parser understands fully → a *ticket* read back to the learner, sent only when they
   confirm (the shell then passes it through the same suitability and cooling-off gates as the panel);
3. a trade with a detail missing → the parser's question; the next message is read together with the
   unfinished one, so "卖一半" → "哪一只？" → "茅台" becomes one order;
4. a question the knowledge base answers → the answer;
5. a worried message with nothing else in it → a calming line;
6. anything else → "I don't know", honestly.

When the message carried distress, the reply starts by acknowledging it (the empathetic structure the
dialogue lines follow). Engine-free: the shell owns the text box and the voice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from vbranch.avatars.knowledge.retrieval import AnswerKind, answer, is_advice_seeking
from vbranch.avatars.order_parser import Clarify, OrderIntent, parse_order, says_trade
from vbranch.avatars.order_request import intent_to_request
from vbranch.emotion.signals import TextSignal
from vbranch.emotion.text_cues import detect
from vbranch.market_sim.orders import OrderKind, OrderRequest, Reject
from vbranch.scenes.catalogue import text

__all__ = ["ChatKind", "ChatReply", "AdvisorChat", "DISTRESS_ACK_P", "describe_order"]

log = logging.getLogger(__name__)

DISTRESS_ACK_P = 0.5  # a message at least this distressed gets its worry acknowledged first


class ChatKind(StrEnum):
    TICKET = "ticket"  # an order waiting for the learner's confirmation
    CLARIFY = "clarify"  # a trade with a detail missing: the question asked
    REJECT = "reject"  # a trade the market would refuse: why
    ANSWER = "answer"
    BOUNDARY = "boundary"  # advice on real securities is not given
    REASSURE = "reassure"
    DONT_KNOW = "dont_know"


@dataclass(frozen=True)
class ChatReply:
    """What the advisor says back; ``request`` is set for a ticket; ``words`` is the message's reading."""

    kind: ChatKind
    text: str
    words: TextSignal
    request: OrderRequest | None = None


def _without_feelings(message: str, words: TextSignal) -> str:
    """The message without its feeling words, so "慌了，全部卖掉" isn't read as an instrument named 慌.

    Cues that are themselves trade words ("sell everything", "割肉") stay: they carry the order.
    """
    for cue in words.cues:
        if not cue.startswith("not:") and not says_trade(cue):
            message = re.sub(re.escape(cue.rstrip("*")), " ", message, flags=re.IGNORECASE)
    return message


def describe_order(request: OrderRequest, names: dict[str, str], lang: str) -> str:
    """The order in the learner's words, for reading back before it is sent."""
    parts = [text("chat.order", lang, side=text(f"side.{request.side.value}", lang), qty=f"{request.qty:,}",
                  name=names.get(request.symbol, request.symbol))]
    if request.kind is OrderKind.LIMIT and request.limit_price is not None:
        parts.append(text("chat.order_limit", lang, price=f"{request.limit_price:,.2f}"))
    else:
        parts.append(text("chat.order_market", lang))
    if request.stop_loss_pct is not None:
        parts.append(text("chat.order_stop", lang, pct=f"{request.stop_loss_pct:g}"))
    if request.take_profit_pct is not None:
        parts.append(text("chat.order_take", lang, pct=f"{request.take_profit_pct:g}"))
    return text("chat.list_sep", lang).join(parts)


class AdvisorChat:
    """One learner's conversation with the advisor over one market.

    ``market`` must be a local ``market_sim.Market`` for orders (sizes and checks need its rules); in a
    classroom the panel sends orders to the server, and ``orders=False`` makes the chat say so.
    """

    def __init__(self, market, account_id: str, lang: str, *, orders: bool = True) -> None:
        self.market, self.account_id, self.lang, self.orders = market, account_id, lang, orders
        self.names = {inst.symbol: inst.name(lang) for inst in market.universe}
        self._unfinished: str | None = None  # a trade still missing a detail
        self._tickets = 0

    def reply(self, message: str) -> ChatReply:
        message = message.strip()
        if not message:
            raise ValueError("an empty message has nothing to answer")
        words = detect(message)
        kind, said, request = self._route(message, words)
        if words.distress_p >= DISTRESS_ACK_P and kind is not ChatKind.REASSURE:
            said = text("chat.acknowledge", self.lang) + " " + said
        log.info("chat: %s (distress %.2f, greed %.2f)", kind.value, words.distress_p, words.greed_p)
        return ChatReply(kind, said, words, request)

    def _route(self, message: str, words: TextSignal) -> tuple[ChatKind, str, OrderRequest | None]:
        lang = self.lang
        unfinished, self._unfinished = self._unfinished, None
        trade = unfinished is not None or says_trade(message)
        if trade and not self.orders:
            return ChatKind.CLARIFY, text("chat.panel_only", lang), None
        trade_words = _without_feelings(f"{unfinished} {message}" if unfinished else message, words)
        outcome = self._order(trade_words) if trade else None
        if isinstance(outcome, tuple):  # a ticket, or why there can't be one
            return outcome
        if is_advice_seeking(message):
            return ChatKind.BOUNDARY, answer(message, lang).text, None
        if outcome is not None and not self._knows(message):  # "how do I sell?" is a question, not a trade
            return self._ask(outcome, trade_words)
        reply = answer(message, lang)
        if reply.kind is AnswerKind.ANSWER:
            return ChatKind.ANSWER, reply.text, None
        if words.distress_p > 0:
            return ChatKind.REASSURE, text("chat.reassure", lang), None
        return ChatKind.DONT_KNOW, reply.text, None

    def _knows(self, message: str) -> bool:
        return answer(message, self.lang).kind is AnswerKind.ANSWER

    def _ask(self, clarify: Clarify, trade_words: str) -> tuple[ChatKind, str, None]:
        self._unfinished = trade_words
        return ChatKind.CLARIFY, clarify.question(self.lang), None

    def _order(self, words: str) -> tuple[ChatKind, str, OrderRequest | None] | Clarify:
        intent = parse_order(words, self.market.universe, self.lang)
        if not isinstance(intent, OrderIntent):
            return intent
        self._tickets += 1
        outcome = intent_to_request(intent, self.market, self.account_id, client_order_id=f"chat-{self._tickets}")
        if isinstance(outcome, Clarify):
            return ChatKind.CLARIFY, outcome.question(self.lang), None  # nothing to add: a holding is missing
        if isinstance(outcome, Reject):
            return ChatKind.REJECT, outcome.message(self.lang), None
        said = text("chat.ticket", self.lang, order=describe_order(outcome, self.names, self.lang))
        return ChatKind.TICKET, said, outcome
