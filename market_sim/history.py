"""Real daily index history, read from the ordinary CSVs people already have.

Crash lessons are more convincing on the real tape (1987-10-19 really was -20.47%), but the data cannot
ship with the project (vendor terms), so it is loaded from a path: a learner or teacher drops in a CSV
exported from Yahoo, FRED, Stooq or a spreadsheet, and `read_csv` copes with the usual column names.

Nothing is repaired silently. A row that breaks OHLC arithmetic raises `HistoryError` naming the file and
line, so a typo in the data never turns into a lesson. The one exception is an open outside the day's
high/low range (old VIX rows carry a stale open); that open is clamped into the range with a logged
warning, recorded in `DailyBars.repaired_lines`, and `strict=True` turns it into an error as well.

Close-only files (FRED, Schwert-era data, rows with O=H=L=C) get a synthetic open equal to the previous
close and a high/low spanning open and close; `DailyBars.real_ohlc` says which rows are real.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import platformdirs

__all__ = ["DailyBars", "HistoryError", "read_csv", "data_dir", "find_source", "import_csv"]

log = logging.getLogger(__name__)

_DATE_COLUMNS = ("date", "observation_date")
# Preference order: a real close first, a bare level next, dividend-adjusted prices only as a last resort.
_CLOSE_COLUMNS = ("close", "value", "sp500", "adj close", "adj_close", "adjusted close", "adjusted_close")
_BLANKS = frozenset({"", ".", "null", "nan", "na", "n/a", "#n/a", "none"})
_NAME_RE = re.compile(r"[a-z0-9_]+")
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?")  # a time part is ignored
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MAX_MEDIAN_GAP_DAYS = 5  # a daily file's median date gap; monthly data would be about 30


class HistoryError(ValueError):
    """A history file that cannot be used as it is (unreadable, malformed row, wrong name)."""


def _as_day(value: str | date | np.datetime64) -> np.datetime64:
    return np.datetime64(value, "D")


@dataclass(frozen=True, eq=False)
class DailyBars:
    """A daily OHLC series, oldest first, one row per trading day.

    Arrays are read-only copies. ``has_ohlc`` is True when at least one row carries a real open/high/low
    from the source; ``real_ohlc`` says which rows do (the others have open = previous close and a
    high/low spanning open and close). ``repaired_lines`` lists the source file's lines whose open was
    clamped (the whole file's list, also on a window). Construction checks that prices are positive and
    that each high/low contains its open and close.
    """

    dates: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    has_ohlc: bool
    source: str
    real_ohlc: np.ndarray | None = field(default=None, repr=False)
    repaired_lines: tuple[int, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        dates = np.array(self.dates, dtype="datetime64[D]")
        n = len(dates)
        arrays = {}
        for name in ("open", "high", "low", "close"):
            arr = np.array(getattr(self, name), dtype=float)
            if arr.shape != (n,):
                raise ValueError(f"DailyBars.{name} has shape {arr.shape}, expected ({n},)")
            arrays[name] = arr
        o, h, lo, c = arrays["open"], arrays["high"], arrays["low"], arrays["close"]
        if not np.all(np.isfinite(lo) & (lo > 0)):
            raise ValueError("DailyBars prices must be finite and positive")
        if np.any(h < np.maximum(o, c)) or np.any(lo > np.minimum(o, c)):
            raise ValueError("DailyBars high/low must contain each day's open and close")
        if n > 1 and not np.all(dates[1:] > dates[:-1]):
            raise ValueError("DailyBars.dates must be strictly increasing")
        mask = np.full(n, bool(self.has_ohlc)) if self.real_ohlc is None else np.array(self.real_ohlc, bool)
        if mask.shape != (n,):
            raise ValueError(f"DailyBars.real_ohlc has shape {mask.shape}, expected ({n},)")
        if n and bool(mask.any()) != bool(self.has_ohlc):
            raise ValueError("DailyBars.has_ohlc disagrees with real_ohlc")
        for name, arr in (("dates", dates), *arrays.items(), ("real_ohlc", mask)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "has_ohlc", bool(self.has_ohlc))
        object.__setattr__(self, "repaired_lines", tuple(self.repaired_lines))

    def __len__(self) -> int:
        return len(self.dates)

    def __repr__(self) -> str:
        if not len(self):
            return f"DailyBars(empty, source={self.source!r})"
        return (f"DailyBars({self.dates[0]}..{self.dates[-1]}, {len(self)} days, "
                f"has_ohlc={self.has_ohlc}, source={self.source!r})")

    def window(self, start: str | date | np.datetime64, end: str | date | np.datetime64) -> DailyBars:
        """The rows dated from ``start`` to ``end`` inclusive.

        Args:
            start: First calendar day, e.g. "1987-10-01" (need not be a trading day).
            end: Last calendar day, inclusive.

        Returns:
            A new DailyBars; ``has_ohlc`` reflects only the rows kept.

        Raises:
            HistoryError: When no trading day falls in the window.
        """
        lo, hi = _as_day(start), _as_day(end)
        keep = (self.dates >= lo) & (self.dates <= hi)
        if not keep.any():
            span = f"{self.dates[0]}..{self.dates[-1]}" if len(self) else "no rows"
            raise HistoryError(f"{self.source}: no trading days in {lo}..{hi} (file covers {span})")
        mask = self.real_ohlc[keep]
        return DailyBars(self.dates[keep], self.open[keep], self.high[keep], self.low[keep],
                         self.close[keep], bool(mask.any()), self.source, mask, self.repaired_lines)

    def daily_returns(self) -> np.ndarray:
        """Simple close-to-close returns as fractions, one per day after the first (length n - 1)."""
        return self.close[1:] / self.close[:-1] - 1.0


def _find_column(headers: list[str], candidates: tuple[str, ...]) -> int | None:
    norm = [h.strip().lower() for h in headers]
    for cand in candidates:
        if cand in norm:
            return norm.index(cand)
    return None


def _parse_date(text: str, where: str) -> np.datetime64:
    s = text.strip()
    m = _ISO_DATE.fullmatch(s) or _COMPACT_DATE.fullmatch(s)
    if not m:
        raise HistoryError(f"{where}: date {text!r} is not YYYY-MM-DD")
    try:
        return np.datetime64(date(int(m[1]), int(m[2]), int(m[3])), "D")
    except ValueError as exc:
        raise HistoryError(f"{where}: date {text!r} is not a calendar day ({exc})") from None


def _parse_price(text: str, column: str, where: str) -> float | None:
    s = text.strip()
    if s.lower() in _BLANKS:
        return None
    try:
        value = float(s.replace(",", ""))
    except ValueError:
        raise HistoryError(f"{where}: {column} {text!r} is not a number") from None
    if not np.isfinite(value) or value <= 0:
        raise HistoryError(f"{where}: non-positive price {column}={text.strip()}")
    return value


def read_csv(path: str | os.PathLike[str], *, strict: bool = False) -> DailyBars:
    """Read a daily index CSV (Yahoo, FRED, Stooq, Cboe, spreadsheet exports).

    The date column is Date/date/DATE/observation_date or an unnamed first column; the close column is
    Close, else value or SP500, and Adj Close only when nothing else exists. Open/High/Low are optional.
    Rows with a blank close (FRED holidays) are skipped, duplicate dates keep their first row, and the
    result is sorted by date.

    Args:
        path: The CSV file.
        strict: Also raise, instead of clamping with a warning, when an open lies outside high/low.

    Returns:
        The series; ``source`` is the file name without extension.

    Raises:
        HistoryError: Unreadable file, missing columns, no rows, a malformed or non-positive value, or a
            row whose high/low does not contain its open and close (message names file and line).
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            headers = next(reader, None)
            if headers is None:
                raise HistoryError(f"{path.name}: empty file")
            i_date = _find_column(headers, _DATE_COLUMNS)
            if i_date is None and headers and headers[0].strip() == "":
                i_date = 0
            i_close = _find_column(headers, _CLOSE_COLUMNS)
            if i_date is None or i_close is None:
                missing = "date" if i_date is None else "close"
                raise HistoryError(f"{path.name}: no {missing} column among {headers}")
            if headers[i_close].strip().lower().startswith("adj"):
                log.info("%s: no Close column, using %r", path.name, headers[i_close])
            i_ohl = [_find_column(headers, (c,)) for c in ("open", "high", "low")]
            rows = _read_rows(reader, path.name, i_date, i_close, i_ohl, strict)
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise HistoryError(f"{path.name}: not a readable CSV ({exc})") from None
    if not rows:
        raise HistoryError(f"{path.name}: no rows with a close")
    return _assemble(rows, path.stem)


def _read_rows(reader, name: str, i_date: int, i_close: int, i_ohl: list[int | None], strict: bool) -> list:
    rows: list[tuple[np.datetime64, int, float, float | None, float | None, float | None, bool]] = []
    width = max(i for i in (i_date, i_close, *i_ohl) if i is not None) + 1
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name} line {reader.line_num}"
        if len(row) < width:
            row = row + [""] * (width - len(row))
        day = _parse_date(row[i_date], where)
        close = _parse_price(row[i_close], "close", where)
        if close is None:
            continue
        o, h, lo = (None if i is None else _parse_price(row[i], col, where)
                    for i, col in zip(i_ohl, ("open", "high", "low"), strict=True))
        repaired = False
        if o is not None and h is not None and lo is not None and not (o == h == lo == close):
            if h < lo:
                raise HistoryError(f"{where}: high {h} < low {lo}")
            if not lo <= close <= h:
                raise HistoryError(f"{where}: close {close} outside low {lo} .. high {h}")
            if not lo <= o <= h:
                if strict:
                    raise HistoryError(f"{where}: open {o} outside low {lo} .. high {h}")
                o, repaired = min(max(o, lo), h), True
        else:
            o = h = lo = None
        rows.append((day, reader.line_num, close, o, h, lo, repaired))
    return rows


def _assemble(rows: list, source: str) -> DailyBars:
    days = np.array([r[0] for r in rows], dtype="datetime64[D]")
    order = np.argsort(days, kind="stable")
    _, first = np.unique(days[order], return_index=True)
    keep = order[first]  # first occurrence of each date, in date order
    if len(keep) < len(rows):
        log.warning("%s: dropped %d duplicate-date rows (kept the first of each)", source,
                    len(rows) - len(keep))
    kept = [rows[i] for i in keep]
    close = np.array([r[2] for r in kept], dtype=float)
    real = np.array([r[3] is not None for r in kept], dtype=bool)
    prev = np.concatenate(([close[0]], close[:-1]))
    opn = np.where(real, [r[3] if r[3] is not None else 0.0 for r in kept], prev)
    high = np.where(real, [r[4] if r[4] is not None else 0.0 for r in kept], np.maximum(opn, close))
    low = np.where(real, [r[5] if r[5] is not None else 0.0 for r in kept], np.minimum(opn, close))
    repaired = tuple(r[1] for r in kept if r[6])
    if repaired:
        log.warning("%s: clamped the open into the high/low range on %d rows (lines %s%s)", source,
                    len(repaired), ", ".join(map(str, repaired[:5])), ", ..." if len(repaired) > 5 else "")
    return DailyBars(days[keep], opn, high, low, close, bool(real.any()), source, real, repaired)


def data_dir() -> Path:
    """Where imported market CSVs live.

    Returns:
        ``$VBRANCH_DATA`` when set (the market directory itself), else the per-user data directory
        ``<user_data_dir("vbranch")>/market``. The directory may not exist yet.
    """
    env = os.environ.get("VBRANCH_DATA")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("vbranch")) / "market"


def find_source(names: str | list[str] | tuple[str, ...], directory: str | os.PathLike[str] | None = None,
                ) -> Path | None:
    """The first ``NAME.csv`` that exists.

    Args:
        names: Candidate names without extension, in preference order.
        directory: Where to look; defaults to `data_dir()`.

    Returns:
        The path of the first existing file, or None.
    """
    if isinstance(names, str):
        names = (names,)
    base = Path(directory) if directory is not None else data_dir()
    for name in names:
        candidate = base / f"{name}.csv"
        if candidate.is_file():
            return candidate
    return None


def import_csv(src: str | os.PathLike[str], name: str, directory: str | os.PathLike[str] | None = None,
               *, overwrite: bool = False) -> Path:
    """Validate a daily CSV and copy it, unchanged, into the data directory as ``NAME.csv``.

    Args:
        src: The file to import.
        name: Lower-case name without extension (``[a-z0-9_]+``), e.g. "sp500" or "sse".
        directory: Destination directory; defaults to `data_dir()` (created if missing).
        overwrite: Replace an existing file of that name.

    Returns:
        The destination path.

    Raises:
        HistoryError: Bad name, unreadable or non-daily file, or the destination exists.
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise HistoryError(f"import name {name!r} must match [a-z0-9_]+ (e.g. 'sp500'), without '.csv'")
    src = Path(src)
    bars = read_csv(src, strict=True)
    if len(bars) >= 3:
        gap = float(np.median(np.diff(bars.dates).astype(float)))
        if gap > _MAX_MEDIAN_GAP_DAYS:
            raise HistoryError(f"{src.name}: not daily data (median gap {gap:g} days)")
    dest_dir = Path(directory) if directory is not None else data_dir()
    dest = dest_dir / f"{name}.csv"
    if dest.exists() and not overwrite:
        raise HistoryError(f"{dest} already exists (pass overwrite=True to replace it)")
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("imported %s as %s (%d days, %s..%s)", src, dest, len(bars), bars.dates[0], bars.dates[-1])
    return dest
