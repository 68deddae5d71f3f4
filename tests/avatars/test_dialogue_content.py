"""Broken line files fail at load with one clear line: file, field, reason."""

from __future__ import annotations

import pytest

from vbranch.avatars.dialogue.catalogue import load_lines
from vbranch.scenes.content_error import ContentError

GENERAL = """
[[line]]
event = "greeting"
style = "standard"
text = { zh = "您好。", en = "Hello." }

[[line]]
event = "greeting"
style = "empathetic"
acknowledge = { zh = "欢迎。", en = "Welcome." }
next_step = { zh = "我们开始吧。", en = "Let's begin." }
"""


def _load(tmp_path, extra: str):
    (tmp_path / "lines.toml").write_text(GENERAL + extra, encoding="utf-8")
    return load_lines(tmp_path)


def test_a_valid_minimal_file_loads_two_lines(tmp_path) -> None:
    assert len(_load(tmp_path, "").lines) == 2


@pytest.mark.parametrize(("extra", "message"), [
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\ntext = { zh = "Hello.", en = "Hello." }',
     "lines/lines.toml: line[2].text.zh: zh text has no Chinese characters"),
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\ntext = { zh = "您好。", en = "你好" }',
     "lines/lines.toml: line[2].text.en: en text contains Chinese characters"),
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\ntext = { zh = "您好。" }',
     "lines/lines.toml: line[2].text: expected a table with exactly ['zh', 'en']"),
    ('[[line]]\nevent = "greeting"\nstate = "angry"\nstyle = "standard"\ntext = { zh = "您好。", en = "Hi." }',
     "lines/lines.toml: line[2].state: 'angry' is not one of ['calm', 'anxious', 'greedy', 'any']"),
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\ngesture = "wave"\ntext = { zh = "您好。", en = "Hi." }',
     "lines/lines.toml: line[2].gesture: 'wave' is not one of ['greet', 'point', 'calm_down']"),
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\ntext = { zh = "跌了{pcnt}。", en = "Down {pcnt}." }',
     "lines/lines.toml: line[2].zh: unknown placeholder ['pcnt']: expected ['pct', 'price', 'qty', 'symbol']"),
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\ntext = { zh = "跌了{pct}。", en = "Down." }',
     "lines/lines.toml: line[2]: zh quotes ['pct'] but en quotes []"),
    ('[[line]]\nevent = "greeting"\nstyle = "standard"\nrate_factor = 3\ntext = { zh = "您好。", en = "Hi." }',
     "lines/lines.toml: line[2].rate_factor: expected a number in [0.5, 1.5], got 3"),
    ('[[line]]\nevent = "crash_started"\nstate = "anxious"\nstyle = "empathetic"\n'
     'context = { zh = "市场在跌。", en = "It falls." }',
     "lines/lines.toml: line[2]: an empathetic line for anxious learners needs acknowledge and next_step"),
    ('[[line]]\nevent = "greeting"\nmode = "elder"\nstyle = "standard"\n'
     'text = { zh = "您好。", en = "Hello and welcome to the virtual branch '
     'where everything you see and touch today is simulated." }',
     "lines/lines.toml: line[2].en: elder sentence longer than 14 words: "
     "'Hello and welcome to the virtual branch where everything you see and touch today is simulated.'"),
    ('[[line]]\nevent = "halt"\nstyle = "standard"\ntext = { zh = "暂停。", en = "Paused." }',
     "lines/lines.toml: halt: no general line (state any, mode any) in style empathetic"),
    ("[[line]\nbroken", "lines/lines.toml: (file): not valid TOML"),
])
def test_broken_line_is_reported_with_file_field_and_reason(tmp_path, extra: str, message: str) -> None:
    with pytest.raises(ContentError) as err:
        _load(tmp_path, "\n" + extra + "\n")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_an_empty_folder_is_an_error_not_a_silent_mute_advisor(tmp_path) -> None:
    with pytest.raises(ContentError, match="no line files found"):
        load_lines(tmp_path)
