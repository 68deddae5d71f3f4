from pathlib import Path

import pytest

from vbranch.emotion.audio.dataset import actor_folds, list_corpus, parse_name, split_by_actor


def test_parse_name_reads_every_field():
    u = parse_name(Path("x/03-01-06-02-01-02-18.wav"))
    assert (u.label, u.intensity, u.statement, u.repetition, u.actor, u.is_female) == (
        "fearful", 2, 1, 2, 18, True,
    )
    assert parse_name("03-01-01-01-02-01-07.flac").label == "neutral"


@pytest.mark.parametrize("name", ["03-01-09-01-01-01-01.wav", "03-01-00-01-01-01-01.wav", "notes.wav", "03-01-01.wav"])
def test_parse_name_rejects_bad_names(name):
    with pytest.raises(ValueError):
        parse_name(name)


def test_list_corpus_counts_and_filters(ravdess_dir):
    two = list_corpus(ravdess_dir, actors=[17, 18])
    assert len(two) == 120
    assert {u.actor for u in two} == {17, 18}
    assert sum(u.label == "neutral" for u in two) == 8  # neutral: normal intensity only


def test_speaker_split_and_folds_never_share_a_speaker(ravdess_dir):
    utts = list_corpus(ravdess_dir, actors=[1, 2, 3, 17])
    train, val = split_by_actor(utts, [17])
    assert {u.actor for u in val} == {17} and 17 not in {u.actor for u in train}
    folds = actor_folds(range(1, 19), 6)
    assert sorted(a for f in folds for a in f) == list(range(1, 19))
    assert all(len(f) == 3 and {a % 2 for a in f} == {0, 1} for f in folds)
