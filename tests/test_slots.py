"""Slot reading: canonical ids from entity resolution, unmatched values detected."""

from __future__ import annotations

import json

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.alexa.slots import slot_id, slot_text, slot_unmatched
from tests.envelopes import Slot, intent


def _input(slots):
    envelope = DefaultSerializer().deserialize(json.dumps(intent("CrampNowIntent", slots)), RequestEnvelope)
    return HandlerInput(request_envelope=envelope)


def test_matched_value_gives_its_canonical_id():
    handler_input = _input({"muscle": Slot("back of my leg", id="CALF", name="calf")})
    assert slot_id(handler_input, "muscle") == "CALF"
    assert slot_text(handler_input, "muscle") == "back of my leg"
    assert not slot_unmatched(handler_input, "muscle")


def test_no_match_is_reported_and_has_no_id():
    handler_input = _input({"muscle": Slot("elbow", match=False)})
    assert slot_id(handler_input, "muscle") is None
    assert slot_unmatched(handler_input, "muscle")


def test_missing_slot_is_neither_matched_nor_unmatched():
    handler_input = _input({})
    assert slot_id(handler_input, "muscle") is None
    assert slot_text(handler_input, "muscle") is None
    assert not slot_unmatched(handler_input, "muscle")
