"""Every control word during a guided session, and with nothing playing, through the real handler."""

from __future__ import annotations

import pytest

from tests.conversation import Conversation
from tests.envelopes import Slot, session_ended
from tests.test_techniques import stored

CONTROL_INTENTS = [
    "ContinueIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "SlowerIntent",
    "FasterIntent",
    "LongerIntent",
    "ShorterIntent",
]

# Full relaxation at its defaults: three segments, the first about the feet and thighs.
FIRST = "from your toes up to your face"
SECOND = "Squeeze your buttocks"
THIRD = "Scrunch up your face"


@pytest.fixture
def relaxing(conversation: Conversation) -> Conversation:
    reply = conversation.intent("StartRelaxationIntent")
    assert FIRST in reply.speech and reply.listening
    return conversation


def segment_of(conversation: Conversation) -> int:
    return conversation.attributes["cc"]["session"]["segment"]


def test_continue_plays_the_next_part_then_finishes(relaxing):
    second = relaxing.intent("ContinueIntent")
    assert SECOND in second.speech and FIRST not in second.speech
    assert second.speech.lower().endswith("continue?") and "continue" in second.reprompt
    third = relaxing.intent("ContinueIntent")
    assert THIRD in third.speech and "open your eyes" in third.speech
    assert third.ended and not third.reprompt


def test_next_skips_ahead(relaxing):
    reply = relaxing.intent("AMAZON.NextIntent")
    assert reply.speech.startswith("Skipping ahead.") and SECOND in reply.speech
    assert segment_of(relaxing) == 1


def test_previous_goes_back_and_refuses_at_the_start(relaxing):
    refused = relaxing.intent("AMAZON.PreviousIntent")
    assert "at the beginning already" in refused.speech and refused.listening
    assert segment_of(relaxing) == 0 and FIRST not in refused.speech
    relaxing.intent("ContinueIntent")
    back = relaxing.intent("AMAZON.PreviousIntent")
    assert back.speech.startswith("Going back.") and FIRST in back.speech
    assert segment_of(relaxing) == 0


def test_repeat_plays_the_same_part_again(relaxing):
    relaxing.intent("ContinueIntent")
    reply = relaxing.intent("AMAZON.RepeatIntent")
    assert SECOND in reply.speech and segment_of(relaxing) == 1


def test_start_over_goes_back_to_the_beginning(relaxing):
    relaxing.intent("ContinueIntent")
    reply = relaxing.intent("AMAZON.StartOverIntent")
    assert reply.speech.startswith("From the beginning.") and FIRST in reply.speech


def test_slower_replays_at_a_slower_pace_until_the_slowest(relaxing):
    reply = relaxing.intent("SlowerIntent")
    assert reply.speech.startswith("A little slower.")
    assert 'rate="92%"' in reply.ssml and "[5.75 s]" in reply.speech  # the five-second tense, paced
    relaxing.intent("SlowerIntent")
    refused = relaxing.intent("SlowerIntent")
    assert "already the slowest pace" in refused.speech and refused.listening


def test_faster_until_the_fastest(relaxing):
    assert relaxing.intent("FasterIntent").speech.startswith("A little faster.")
    relaxing.intent("FasterIntent")
    assert "already the fastest pace" in relaxing.intent("FasterIntent").speech


def test_longer_and_shorter_change_the_length(relaxing):
    longer = relaxing.intent("LongerIntent")
    assert longer.speech.startswith("A little longer.")
    assert relaxing.attributes["cc"]["session"]["options"]["minutes"] == 11
    shorter = relaxing.intent("ShorterIntent")
    assert shorter.speech.startswith("A little shorter.")
    assert relaxing.attributes["cc"]["session"]["options"]["minutes"] == 10


def test_longer_at_the_longest_says_so(conversation):
    conversation.intent("StartRelaxationIntent", {"minutes": "12"})
    reply = conversation.intent("LongerIntent")
    assert "as long as this one goes" in reply.speech and reply.listening


def test_a_stretch_has_a_set_length(conversation):
    conversation.intent("StartStretchIntent")
    reply = conversation.intent("ShorterIntent")
    assert "This one has a set length" in reply.speech and reply.listening


def test_resume_when_not_paused_says_so_and_keeps_the_place(relaxing):
    reply = relaxing.intent("AMAZON.ResumeIntent")
    assert "We're not paused" in reply.speech and reply.listening and segment_of(relaxing) == 0


def test_pause_ends_the_session_and_resume_picks_it_up_later(relaxing, services):
    relaxing.intent("ContinueIntent")
    paused = relaxing.intent("AMAZON.PauseIntent")
    assert "Paused" in paused.speech and "ask Cramp Coach to resume" in paused.speech and paused.ended
    assert stored(services)["unfinished"]["session"]["segment"] == 1
    later = Conversation(relaxing.invoke)
    resumed = later.intent("AMAZON.ResumeIntent")
    assert resumed.speech.startswith("Picking up your muscle relaxation where you left off.")
    assert SECOND in resumed.speech and resumed.listening


def test_stop_in_a_session_keeps_the_place_for_resume(relaxing, services):
    stopped = relaxing.intent("AMAZON.StopIntent")
    assert "Stopping here" in stopped.speech and stopped.ended
    assert stored(services)["unfinished"]["session"]["script"] == "pmr"
    resumed = Conversation(relaxing.invoke).intent("ContinueIntent")
    assert FIRST in resumed.speech


def test_cancel_in_a_session_ends_politely(relaxing):
    reply = relaxing.intent("AMAZON.CancelIntent")
    assert "Stopping here" in reply.speech and reply.ended


def test_falling_asleep_at_a_prompt_keeps_the_place(relaxing, services):
    relaxing.intent("ContinueIntent")
    relaxing.send(
        session_ended(
            "EXCEEDED_MAX_REPROMPTS", attributes=relaxing.attributes, session_id=relaxing.session_id
        )
    )
    assert stored(services)["unfinished"]["session"]["segment"] == 1


def test_finishing_clears_the_unfinished_place(relaxing, services):
    relaxing.intent("AMAZON.StopIntent")
    again = Conversation(relaxing.invoke)
    again.intent("AMAZON.ResumeIntent")
    again.intent("ContinueIntent")
    last = again.intent("ContinueIntent")
    assert last.ended and "unfinished" not in stored(services)


@pytest.mark.parametrize("intent", CONTROL_INTENTS)
def test_with_nothing_playing_control_words_answer_helpfully(conversation, intent):
    reply = conversation.intent(intent)
    assert "There's nothing playing right now" in reply.speech
    assert reply.listening and reply.reprompt and not reply.ended


def test_help_and_fallback_in_a_session_say_what_works_now(relaxing):
    help_reply = relaxing.intent("AMAZON.HelpIntent")
    assert "You're in a guided exercise" in help_reply.speech and "slower" in help_reply.speech
    assert "repeat" in help_reply.reprompt
    fallback = relaxing.intent("AMAZON.FallbackIntent")
    assert "In an exercise you can say" in fallback.speech and fallback.listening
    assert "continue" in relaxing.intent("ContinueIntent").speech.lower()


def test_whispered_sessions_whisper_their_prompts_too(conversation):
    reply = conversation.intent("StartRelaxationIntent", {"variant": Slot("in bed", id="IN_BED")})
    assert reply.ssml.count('<amazon:effect name="whispered">') >= 2
    assert "whispered" in conversation.intent("AMAZON.PreviousIntent").ssml


def test_a_new_technique_replaces_the_running_one(relaxing):
    reply = relaxing.intent("StartBreathingIntent", {"pattern": Slot("box", id="BOX")})
    assert "box breathing" in reply.speech and reply.ended


def test_session_attributes_stay_small(relaxing):
    import json

    relaxing.intent("SlowerIntent")
    relaxing.intent("LongerIntent")
    assert len(json.dumps(relaxing.attributes)) < 400


def test_every_refusal_the_state_machine_gives_has_words():
    import re
    from pathlib import Path

    from skill.content.catalog import default_catalog

    source = (Path(__file__).parents[1] / "skill" / "engine" / "session.py").read_text()
    reasons = set(re.findall(r'_refuse\(state, "([a-z_]+)"\)', source))
    reasons |= set(re.findall(r'"(slowest|fastest|longest|shortest)"', source))
    assert len(reasons) >= 10
    missing = [r for r in reasons if not default_catalog().has("en-US", f"session.refused.{r}")]
    assert missing == []
