"""Shared fixtures. Market CSVs are read from ``shared/data/market`` beside the repo, never copied in."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def market_data_dir() -> Path:
    """The shared market data directory; skips the test when it is not checked out."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"
    if not path.is_dir():
        pytest.skip(f"market data not found at {path} (check out shared/ beside the repository)")
    return path
