"""``vbranch serve`` and ``vbranch bench server``: the classroom server from a terminal.

The lead wires ``register`` into ``world/cli.py`` and ``register_bench`` into its ``bench`` sub-parsers.
Until then (and for tests that need a real server process) ``python -m vbranch.world.cli_serve serve …``
runs the same code, with logging configured by ``world/cli.py``'s own function.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal

__all__ = ["register", "register_bench"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the classroom server (websockets; rooms, contests, journal)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback; 0.0.0.0 for a LAN)")
    p.add_argument("--port", type=int, default=8765, help="TCP port (0: any free port, printed on start)")
    p.add_argument("--db", help="journal: a SQLite path, sqlite:///path or postgresql://… "
                                "(default $VBRANCH_DB, else SQLite in the user data dir)")
    p.add_argument("--max-conns-per-ip", type=int, default=200, help="connections per client address (0: no cap)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="a host name browsers may use for the dashboard besides IPs and localhost (repeatable)")
    p.add_argument("--idle-room-min", type=float, default=30.0,
                   help="unload a room nobody is in and no contest runs in after this many minutes "
                        "(the journal keeps it; its people wake it again)")
    scale = p.add_argument_group("several processes (Redis)")
    scale.add_argument("--redis", help="redis://… shared with the other processes: room directory, district board, "
                                       "fan-out (default $VBRANCH_REDIS; unset: this process runs alone)")
    scale.add_argument("--advertise", metavar="URL", help="ws://host:port other processes send learners to "
                                                          "(default from --host/--port)")
    scale.add_argument("--instance", metavar="NAME",
                       help="this process's name as a room owner in a shared journal (default: its advertised "
                            "address); it gets its rooms back after a restart under the same name")
    scale.add_argument("--redis-ttl", type=float, default=30.0, metavar="S",
                       help="seconds a room's directory entry outlives its process (refreshed every third)")
    scale.add_argument("--board", default="district", help="district board this process's rooms post to "
                                                           "(read at GET /board/NAME.json)")
    p.set_defaults(func=_serve)


def register_bench(bsub: argparse._SubParsersAction) -> None:
    p = bsub.add_parser("server", help="N websocket clients against a server process: latency, bytes, rate")
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--room-size", type=int, default=40, help="learners per room (one teacher each)")
    p.add_argument("--speed", type=float, default=5.0, help="market pace (5: the market moves on every tick)")
    p.add_argument("--client-procs", type=int, default=2, help="client processes sharing the learners")
    p.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    p.set_defaults(func=_bench_server)


def _serve(args: argparse.Namespace) -> int:
    from vbranch.server.app import ShellSettings, run_server
    from vbranch.server.journal import open_journal
    from vbranch.server.scale_link import ScaleSettings
    from vbranch.server.scale_redis import REDIS_ENV

    if args.idle_room_min <= 0:
        raise ValueError("--idle-room-min must be positive")
    redis_url = args.redis or os.environ.get(REDIS_ENV)
    scale = ScaleSettings(redis_url, advertise=args.advertise, ttl_s=args.redis_ttl, board=args.board) \
        if redis_url else None
    if not redis_url:
        logging.getLogger(__name__).info("%s not set: this server runs alone (no room directory, no district "
                                         "board)", REDIS_ENV)
    settings = ShellSettings(max_conns_per_ip=args.max_conns_per_ip, allowed_hosts=tuple(args.allowed_host),
                             idle_room_s=args.idle_room_min * 60.0,
                             sweep_period_s=min(60.0, max(0.5, args.idle_room_min * 60.0 / 4)))
    journal = open_journal(args.db)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

        def ready(server) -> None:
            line = f"vbranch server listening on ws://{args.host}:{server.port} journal {journal.path}"
            if server.scale is not None:
                line += f" advertised as {server.scale.address}"
            print(line, flush=True)

        await run_server(args.host, args.port, journal, settings, stop, ready, scale, instance=args.instance)

    asyncio.run(main())
    return 0


def _bench_server(args: argparse.Namespace) -> int:
    from vbranch.server.bench import run_bench

    result = run_bench(clients=args.clients, seconds=args.seconds, room_size=args.room_size, speed=args.speed,
                       client_procs=args.client_procs)
    print(json.dumps(result, indent=2))
    return 0
