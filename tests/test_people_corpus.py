"""The people's corpus: what people really say, resolved through ``cramp-coach chat``'s resolver.

``tests/data/people_corpus.json`` holds utterances written fresh (terse, rambling, hesitant, in pain;
British, American, Australian and Indian English; one-shot and in-session), each with the intent
and key slots it should reach. Every locale must get at least 97% exactly right; the misses are
printed so a failing run says what people said that the model does not cover.
"""

from __future__ import annotations

import pytest

from skill.localchat.resolver import Resolver
from skill.models import LOCALES
from tests import corpus

TARGET = 0.97


def test_the_corpus_is_big_and_varied():
    _, entries = corpus.load()
    assert len(entries) >= 400
    assert len({entry[1] for entry in entries}) >= 40  # intents
    assert sum(1 for entry in entries if len(entry) > 3) >= 50  # answers inside a dialog
    assert sum(1 for entry in entries if "cramp coach" in entry[0].lower()) >= 30  # one-shot


@pytest.mark.parametrize("locale", LOCALES)
def test_people_are_understood(locale, capsys):
    today, entries = corpus.load()
    outcomes = corpus.evaluate(Resolver.for_locale(locale, today=today), entries)
    misses = [o for o in outcomes if not o.ok]
    accuracy = 1 - len(misses) / len(outcomes)
    report = "\n".join(f"  {o.line}: wanted {o.expected}, got {o.got}" for o in misses)
    with capsys.disabled():
        print(f"\n{locale}: {len(outcomes) - len(misses)}/{len(outcomes)} ({accuracy:.1%}) exactly right")
        if report:
            print(report)
    assert accuracy >= TARGET, f"{locale}: {accuracy:.1%} < {TARGET:.0%}; misses:\n{report}"


def test_a_miss_is_counted_and_reported():
    """The harness itself: a wrong intent or a wrong slot value is a miss, shown with what came back."""
    today, _ = corpus.load()
    resolver = Resolver.for_locale("en-GB", today=today)
    outcomes = corpus.evaluate(
        resolver,
        [
            ["my calf", "CrampNowIntent", {"muscle": "FOOT"}],
            ["box breathing", "StartRelaxationIntent", {}],
            ["box breathing", "StartBreathingIntent", {"pattern": "BOX"}],
        ],
    )
    assert [o.ok for o in outcomes] == [False, False, True]
    assert "muscle='calf'→CALF" in outcomes[0].got
