"""Emotion-test fixtures: the RAVDESS folder beside the repo (never copied in) and a private feature cache."""

from pathlib import Path

import pytest

RAVDESS = Path(__file__).resolve().parents[3] / "shared" / "data" / "emotion" / "ravdess"


@pytest.fixture(scope="session")
def ravdess_dir() -> Path:
    if not RAVDESS.is_dir():
        pytest.skip(f"RAVDESS not found at {RAVDESS} (check out shared/ beside the repository)")
    return RAVDESS


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Feature-cache writes go to a per-session temp dir, not the user's cache (session-scoped, so
    module-scoped fixtures that extract features are covered too; it stays set for the rest of the run,
    where a throwaway cache is what every test wants)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VBRANCH_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
        yield


@pytest.fixture(scope="session")
def clip(ravdess_dir):
    """``clip(emotion, actor, intensity=2, statement=1, repetition=1)`` -> path of one RAVDESS clip."""

    def _clip(emotion: int, actor: int, intensity: int = 2, statement: int = 1, repetition: int = 1) -> Path:
        if emotion == 1:
            intensity = 1  # neutral has no strong intensity
        name = f"03-01-{emotion:02d}-{intensity:02d}-{statement:02d}-{repetition:02d}-{actor:02d}.flac"
        return ravdess_dir / f"Actor_{actor:02d}" / name

    return _clip
