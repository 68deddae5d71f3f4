"""Scenarios as data: bull, bear, sideways, crash and the historical replays, one TOML file each.

A teacher or a content author edits a file, not code. Loading validates every field and names the
file, the field and the reason on error, because a typo in a lesson's market must never become a
silent default in front of a class.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path

from vbranch.market_sim.config import MarketConfig, ReplaySource
from vbranch.market_sim.history import HistoryError
from vbranch.market_sim.instruments import AssetClass, Instrument, Universe, universe_for
from vbranch.market_sim.process import ProcessSpec
from vbranch.market_sim.quote import QuoteParams
from vbranch.market_sim.rules import CN_2016_RULES, CircuitBreaker, MarketRules, rules_for
from vbranch.market_sim.twin import EPISODES, EpisodeShape, load_episode, stylised_twin
from vbranch.scenes.content_error import ContentError

__all__ = ["ScenarioError", "Scenario", "scenario_paths", "list_scenarios", "load_scenario"]

_RULE_PRESETS = {"CN": rules_for("CN"), "US": rules_for("US"), "CN_2016": CN_2016_RULES}
_TOP_LEVEL = {"id", "kind", "market", "title", "summary", "days", "steps_per_day", "seconds_per_day",
              "fill_mode", "starting_cash", "instruments", "rules", "process", "replay", "twin", "quote",
              "drawdown_thresholds_pct"}


class ScenarioError(ContentError):
    """A scenario file that can't be used: the message names the file, the field and the reason."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file. ``market_config()`` turns it into a runnable market setup."""

    id: str
    kind: str  # "simulated" or "replay"
    path: Path
    title: dict[str, str]
    summary: dict[str, str]
    raw: dict

    def market_config(self, data_directory: Path | None = None, prefer_twin: bool = False) -> MarketConfig:
        """Build the market setup. Replays use the real CSV when found, else the calibrated twin."""
        return _build_config(self, data_directory, prefer_twin)


def scenario_paths() -> list[Path]:
    folder = resources.files("vbranch.scenes").joinpath("scenarios")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


def list_scenarios() -> list[Scenario]:
    return [load_scenario(p) for p in scenario_paths()]


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load by id (``crash``) or by path to a TOML file; raises ScenarioError with file/field/reason."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        matches = [p for p in scenario_paths() if p.stem == str(name_or_path)]
        if not matches:
            known = ", ".join(p.stem for p in scenario_paths())
            raise ScenarioError(str(name_or_path), "id", f"no such scenario (known: {known})")
        path = matches[0]
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ScenarioError(path, "file", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, "file", f"not valid TOML: {exc}") from None
    return _validate(path, raw)


def _require(path: Path, raw: dict, key: str, kind: type | tuple[type, ...]):
    if key not in raw:
        raise ScenarioError(path, key, "missing")
    value = raw[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ScenarioError(path, key, f"expected {names}, got {type(value).__name__} {value!r}")
    return value


def _text_pair(path: Path, raw: dict, key: str) -> dict[str, str]:
    value = _require(path, raw, key, dict)
    for lang in ("zh", "en"):
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise ScenarioError(path, f"{key}.{lang}", "missing or empty text")
    return {"zh": value["zh"], "en": value["en"]}


def _validate(path: Path, raw: dict) -> Scenario:
    unknown = sorted(set(raw) - _TOP_LEVEL)
    if unknown:
        raise ScenarioError(path, unknown[0], f"unknown field (allowed: {', '.join(sorted(_TOP_LEVEL))})")
    scenario_id = _require(path, raw, "id", str)
    if scenario_id != path.stem:
        raise ScenarioError(path, "id", f"must match the file name {path.stem!r}, got {scenario_id!r}")
    kind = _require(path, raw, "kind", str)
    if kind not in ("simulated", "replay"):
        raise ScenarioError(path, "kind", f"must be 'simulated' or 'replay', got {kind!r}")
    market = _require(path, raw, "market", str)
    if market not in ("CN", "US"):
        raise ScenarioError(path, "market", f"must be 'CN' or 'US', got {market!r}")
    for key, low in (("steps_per_day", 1), ("days", 1)):
        if key in raw and (_require(path, raw, key, int) < low):
            raise ScenarioError(path, key, f"must be >= {low}")
    for key in ("seconds_per_day", "starting_cash"):
        if key in raw and not _require(path, raw, key, (int, float)) > 0:
            raise ScenarioError(path, key, "must be > 0")
    if raw.get("fill_mode", "quote") not in ("quote", "book"):
        raise ScenarioError(path, "fill_mode", f"must be 'quote' or 'book', got {raw['fill_mode']!r}")
    if kind == "simulated":
        if "process" not in raw:
            raise ScenarioError(path, "process", "missing (a simulated scenario needs a price process)")
        if "days" not in raw:
            raise ScenarioError(path, "days", "missing")
    else:
        replay = _require(path, raw, "replay", dict)
        episode = replay.get("episode")
        if episode not in EPISODES:
            raise ScenarioError(path, "replay.episode", f"unknown episode {episode!r} (known: {', '.join(EPISODES)})")
        _require(path, replay, "index", dict)
        twin = _require(path, raw, "twin", dict)
        try:
            _twin_shape(raw)
        except (TypeError, ValueError, KeyError) as exc:
            raise ScenarioError(path, "twin", str(exc)) from None
        if not isinstance(twin.get("start_price"), (int, float)) or twin["start_price"] <= 0:
            raise ScenarioError(path, "twin.start_price", "missing or not a positive number")
    scenario = Scenario(scenario_id, kind, path, _text_pair(path, raw, "title"), _text_pair(path, raw, "summary"), raw)
    _build_config(scenario, None, prefer_twin=True)  # every remaining field is checked by building it
    return scenario


def _rules(path: Path, market: str, table: dict) -> MarketRules:
    table = dict(table)
    preset = table.pop("preset", market)
    if preset not in _RULE_PRESETS:
        raise ScenarioError(path, "rules.preset", f"unknown preset {preset!r} (known: {', '.join(_RULE_PRESETS)})")
    allowed = {f.name for f in fields(MarketRules)} - {"market"}
    for key in table:
        if key not in allowed:
            raise ScenarioError(path, f"rules.{key}", f"unknown rule (allowed: {', '.join(sorted(allowed))})")
    if "circuit_breakers" in table:
        try:
            table["circuit_breakers"] = tuple(CircuitBreaker(**b) for b in table["circuit_breakers"])
        except TypeError as exc:
            raise ScenarioError(path, "rules.circuit_breakers", str(exc)) from None
    try:
        return _RULE_PRESETS[preset].with_changes(**table)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(path, "rules", str(exc)) from None


def _universe(path: Path, scenario: Scenario) -> Universe:
    raw = scenario.raw
    base = universe_for(raw["market"])
    if scenario.kind == "replay":
        spec = raw["replay"]["index"]
        try:
            index = Instrument(
                symbol=spec["symbol"], name_zh=spec["name_zh"], name_en=spec["name_en"],
                asset_class=AssetClass.EQUITY_INDEX, start_price=float(raw["twin"]["start_price"]),
                vol_annual=float(spec.get("vol_annual", 0.2)), beta=1.0, risk_level=int(spec.get("risk_level", 3)),
                aliases=tuple(spec.get("aliases", ())), tick_size=float(spec.get("tick_size", 0.01)),
                is_index=True, lot_size=int(spec.get("lot_size", 1)), has_price_limit=False,
            )
        except KeyError as exc:
            raise ScenarioError(path, f"replay.index.{exc.args[0]}", "missing") from None
        others = tuple(i for i in base if not i.is_index)
        base = Universe(base.name, base.currency, (index, *others))
    if "instruments" in raw:
        try:
            return base.subset(tuple(raw["instruments"]))
        except KeyError as exc:
            raise ScenarioError(path, "instruments", str(exc.args[0])) from None
    return base


def _replay_source(scenario: Scenario, index_symbol_start: float, data_directory: Path | None,
                   prefer_twin: bool) -> ReplaySource:
    if not prefer_twin:
        try:
            bars = load_episode(scenario.raw["replay"]["episode"], data_directory)
        except HistoryError as exc:
            raise ScenarioError(scenario.path, "replay", f"data file: {exc}") from None
        if bars is not None:
            return ReplaySource(bars, "real", f"{bars.source}.csv")
    return ReplaySource(stylised_twin(_twin_shape(scenario.raw), index_symbol_start, seed=0), "twin", "stylised twin")


def _twin_shape(raw: dict) -> EpisodeShape:
    return EpisodeShape.from_dict({k: v for k, v in raw["twin"].items() if k != "start_price"})


def _build_config(scenario: Scenario, data_directory: Path | None, prefer_twin: bool) -> MarketConfig:
    path, raw = scenario.path, scenario.raw
    rules = _rules(path, raw["market"], raw.get("rules", {}))
    universe = _universe(path, scenario)
    common = dict(
        universe=universe,
        rules=rules,
        steps_per_day=raw.get("steps_per_day", 240),
        seconds_per_day=float(raw.get("seconds_per_day", 30.0)),
        fill_mode=raw.get("fill_mode", "quote"),
        starting_cash=float(raw.get("starting_cash", 100_000)),
        drawdown_thresholds_pct=tuple(raw.get("drawdown_thresholds_pct", (5.0, 10.0, 20.0))),
    )
    try:
        common["quote"] = QuoteParams(**raw.get("quote", {}))
    except TypeError as exc:
        raise ScenarioError(path, "quote", str(exc)) from None
    if scenario.kind == "replay":
        source = _replay_source(scenario, universe.index.start_price, data_directory, prefer_twin)
        index = universe.index
        first_open = float(source.bars.open[0])
        patched = tuple(replace(i, start_price=first_open) if i is index else i for i in universe)
        common["universe"] = Universe(universe.name, universe.currency, patched)
        return MarketConfig(replay=source, days=len(source.bars), **common)
    try:
        spec = ProcessSpec.from_dict(raw["process"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ScenarioError(path, "process", str(exc)) from None
    try:
        return MarketConfig(process=spec, days=raw["days"], **common)
    except ValueError as exc:
        raise ScenarioError(path, "config", str(exc)) from None
