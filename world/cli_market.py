"""``vbranch scenario …``, ``vbranch data …`` and ``vbranch bench …``: the market from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    scenario = sub.add_parser("scenario", help="list, show and simulate market scenarios")
    ssub = scenario.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ssub.add_parser("list", help="list the scenarios")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.set_defaults(func=_scenario_list)
    p = ssub.add_parser("show", help="show one scenario's setup")
    p.add_argument("name", help="scenario id, e.g. crash, or a path to a .toml file")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.set_defaults(func=_scenario_show)
    p = ssub.add_parser("simulate", help="run a scenario without the 3D branch; optional candlestick plot")
    p.add_argument("name", help="scenario id or .toml path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--days", type=int, help="days to run (default: the scenario's)")
    p.add_argument("--symbol", help="instrument to chart (default: the index)")
    p.add_argument("--plot", type=Path, help="write a candlestick chart with volume and events to this PNG")
    p.add_argument("--stop-loss", type=float, default=8.0, metavar="PCT",
                   help="a demo learner buys the index on day 1 with this stop-loss (0: no demo learner)")
    p.add_argument("--twin", action="store_true", help="replays: use the stylised twin even if data exists")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_scenario_simulate)

    data = sub.add_parser("data", help="historical price files for replays")
    dsub = data.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = dsub.add_parser("import", help="copy your own daily CSV (date + OHLC or close) into the data directory")
    p.add_argument("file", type=Path)
    p.add_argument("--as", dest="name", required=True, help="name to store it under, e.g. sp500 or sse")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_data_import)
    p = dsub.add_parser("status", help="which replays have real data and which use their stylised twin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_data_status)

    bench = sub.add_parser("bench", help="speed benchmarks (print JSON)")
    bsub = bench.add_subparsers(dest="target", metavar="TARGET", required=True)
    p = bsub.add_parser("market", help="price generation and order-book throughput")
    p.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    p.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    p.set_defaults(func=_bench_market)
    p = bsub.add_parser("frame", help="Python cost of a frame, render time, first frame")
    p.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    p.add_argument("--frames", type=int, default=300)
    p.add_argument("--instruments", type=int, default=500)
    p.add_argument("--avatars", type=int, default=30)
    p.add_argument("--speed", type=float, default=30.0, help="market pace (30: a trading day a second)")
    p.set_defaults(func=_bench_frame)
    from vbranch.world.cli_serve import register_bench

    register_bench(bsub)
    p = bsub.add_parser("voice", help="offline text-to-speech latency (first audio, cache hit)")
    p.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    p.set_defaults(func=_bench_voice)


def _scenario_list(args: argparse.Namespace) -> int:
    from vbranch.scenes.scenario import list_scenarios

    rows = [{"id": s.id, "kind": s.kind, "market": s.raw["market"], "title": s.title, "summary": s.summary}
            for s in list_scenarios()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']:<28} {row['kind']:<10} {row['market']:<3} {row['title'][args.lang]}")
    return 0


def _scenario_show(args: argparse.Namespace) -> int:
    from vbranch.scenes.catalogue import text
    from vbranch.scenes.scenario import load_scenario

    scenario = load_scenario(args.name)
    config = scenario.market_config()
    lang = args.lang
    print(f"{scenario.title[lang]}  ({scenario.id}, {scenario.kind}, {scenario.path.name})")
    print(scenario.summary[lang])
    for key, params in config.data_labels:
        print(f"  * {text(key, lang, **params)}")
    rules = config.rules
    print(f"days: {config.days}  steps/day: {config.steps_per_day}  seconds/day: {config.seconds_per_day:g}  "
          f"fills: {config.fill_mode}  starting cash: {config.starting_cash:,.0f} {config.universe.currency}")
    limit = f"±{rules.price_limit_pct:g}%" if rules.price_limit_pct else "none"
    breakers = ", ".join(f"-{b.drop_pct:g}%" for b in rules.circuit_breakers) or "none"
    print(f"rules: {rules.market}  price limit {limit}  lot {rules.lot_size}  T+1 {'on' if rules.t_plus_one else 'off'}"
          f"  circuit breakers {breakers}")
    for inst in config.universe:
        print(f"  {inst.symbol:<10} {inst.name(lang):<16} start {inst.start_price:>10.3f}  R{inst.risk_level}")
    return 0


def _scenario_simulate(args: argparse.Namespace) -> int:
    from vbranch.market_sim.simulate import simulate_scenario
    from vbranch.scenes.scenario import load_scenario

    scenario = load_scenario(args.name)
    config = scenario.market_config(prefer_twin=args.twin)
    result = simulate_scenario(config, seed=args.seed, days=args.days, demo_stop_loss_pct=args.stop_loss or None)
    summary = result.summary()
    summary["scenario"] = scenario.id
    if args.plot:
        from vbranch.world.chart import plot_candles

        symbol = args.symbol or config.universe.index.symbol
        if symbol not in config.universe:
            raise ValueError(f"unknown symbol {symbol!r} (scenario has {', '.join(config.universe.symbols)})")
        plot_candles(result, symbol, args.plot, title=scenario.title[args.lang], lang=args.lang)
        summary["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def _data_import(args: argparse.Namespace) -> int:
    from vbranch.market_sim.history import import_csv

    dest = import_csv(args.file, args.name, overwrite=args.overwrite)
    print(f"imported {args.file} as {dest}")
    return 0


def _data_status(args: argparse.Namespace) -> int:
    from vbranch.market_sim.history import data_dir
    from vbranch.market_sim.twin import EPISODES, load_episode

    rows = []
    for episode_id, episode in EPISODES.items():
        bars = load_episode(episode_id)  # the first file that covers the whole window, as replays use
        found = data_dir() / f"{bars.source}.csv" if bars is not None else None
        rows.append({"episode": episode_id, "data": str(found) if found else None,
                     "uses": "real" if found else "stylised twin", "looked_for": list(episode.sources)})
    if args.json:
        print(json.dumps({"data_dir": str(data_dir()), "episodes": rows}, indent=2))
    else:
        print(f"data directory: {data_dir()}")
        for row in rows:
            where = row["data"] or "looked for " + ", ".join(row["looked_for"])
            print(f"  {row['episode']:<28} {row['uses']:<14} {where}")
    return 0


def _bench_frame(args: argparse.Namespace) -> int:
    from vbranch.world.bench_frame import bench_frame

    json.dump(bench_frame(frames=args.frames, instruments=args.instruments, avatars=args.avatars, speed=args.speed),
              sys.stdout)
    print()
    return 0


def _bench_voice(args: argparse.Namespace) -> int:
    from vbranch.avatars.voice import bench_voice

    json.dump(bench_voice(), sys.stdout)
    print()
    return 0


def _bench_market(args: argparse.Namespace) -> int:
    from vbranch.market_sim.bench import bench_market

    json.dump(bench_market(quick=args.quick), sys.stdout)
    print()
    return 0
