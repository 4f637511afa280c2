"""Hypothesis strategies for Alexa request bodies: realistic envelopes, broken ones and raw junk.

Intents, slots and slot values come from ``interaction_model/en-US.json`` read when the strategy is
built, so an intent added to the model is fuzzed without touching this file. Every strategy yields a
``Case``: the HTTP body to POST plus a label (the request type it started as) for the counts the
fuzz bench prints. Text never contains lone surrogates: they are not valid JSON text, and a real
client cannot send them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ask_sdk_model import SessionEndedErrorType
from ask_sdk_model.interfaces.system.error_type import ErrorType as SystemErrorType
from hypothesis import strategies as st

from tests import envelopes
from tests.envelopes import Slot

MODEL_PATH = Path(__file__).resolve().parents[1] / "interaction_model" / "en-US.json"

AUDIO_PLAYER_EVENTS = [
    "AudioPlayer.PlaybackStarted",
    "AudioPlayer.PlaybackNearlyFinished",
    "AudioPlayer.PlaybackFinished",
    "AudioPlayer.PlaybackStopped",
    "AudioPlayer.PlaybackFailed",
]
PLAYBACK_CONTROLLER_EVENTS = [
    "PlaybackController.PlayCommandIssued",
    "PlaybackController.PauseCommandIssued",
    "PlaybackController.NextCommandIssued",
    "PlaybackController.PreviousCommandIssued",
]
SKILL_EVENTS = [
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillAccountLinked",
]
KNOWN_TYPES = frozenset(
    [
        "LaunchRequest",
        "SessionEndedRequest",
        "System.ExceptionEncountered",
        "Connections.Response",
        *AUDIO_PLAYER_EVENTS,
        *PLAYBACK_CONTROLLER_EVENTS,
        *SKILL_EVENTS,
    ]
)
SESSION_END_REASONS = ["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"]
SESSION_END_ERRORS = [e.value for e in SessionEndedErrorType]
DIALOG_STATES = [None, "STARTED", "IN_PROGRESS", "COMPLETED"]
CONFIRMATIONS = ["NONE", "CONFIRMED", "DENIED"]
ER_ERRORS = ["ER_ERROR_TIMEOUT", "ER_ERROR_EXCEPTION"]
LOCALES = ["en-US", "en-GB", "en-AU", "en-CA", "en-IN"]
UNKNOWN_LOCALES = [
    "de-DE",
    "fr-CA",
    "ja-JP",
    "xx-XX",
    "en",
    "EN-us",
    "",
    "en_US",
    "../../etc",
    "en-US-x-fuzz",
]
NO_API = "https://127.0.0.1:9"
USERS = [f"amzn1.ask.account.FUZZ{n}" for n in range(4)]
TRICKY_TEXT = [
    "<speak>",
    "</speak>",
    "& < > \" '",
    "]]>",
    '<break time="20s"/>',
    '<audio src="http://x"/>',
    "{field}",
    "{0}",
    "%s%s%n",
    "'; DROP TABLE attributes; --",
    "\x00",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "\u00e9\u0301",
    "😀👍🏽",
    "\U0001d518\U0001d52b\U0001d526",
    "ﷺ",
    "\u0000\u0001\u007f",
    "\n\r\t",
    "NaN",
    "null",
]

# Text a user could say or a client could send: any code point except lone surrogates.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
# Up to 4,000 characters: far beyond any spoken value, while most bodies stay under the 128 KB cap.
huge_text = st.builds(
    lambda chunk, times: chunk * times,
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=4),
    st.integers(100, 1000),
)
odd_text = st.one_of(any_text, st.sampled_from(TRICKY_TEXT), huge_text)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)


def _json(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
        max_leaves=12,
    )


json_values = _json(json_scalars)
# Session attributes only ever hold what the skill itself returned, within its budget; junk in them
# tests robustness, so it stays small (a huge value would only be echoed back over the budget).
small_json_values = _json(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        any_text,
        st.sampled_from(TRICKY_TEXT),
    )
)


@dataclass(frozen=True)
class Case:
    """One HTTP body to send and what it was built from (for counts and failure reports)."""

    label: str
    kind: str  # "valid", "broken" (a valid envelope damaged) or "raw" (not an envelope at all)
    body: bytes
    envelope: dict[str, Any] | None = None

    def __repr__(self) -> str:
        shown = self.body if len(self.body) < 3000 else self.body[:3000] + b"..."
        return f"Case(label={self.label!r}, kind={self.kind!r}, body={shown!r})"


def language_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    """The current interaction model's language model (read fresh: new intents are fuzzed at once)."""
    return _read_model(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_model(path: Path, mtime_ns: int) -> dict[str, Any]:
    model = json.loads(path.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    model["_type_values"] = _type_values(model)  # derived once per model version, not per draw
    return model


def encode(envelope: Any, *, ascii_only: bool = True) -> bytes:
    return json.dumps(envelope, ensure_ascii=ascii_only).encode("utf-8")


def label_of(envelope: dict[str, Any]) -> str:
    request = envelope.get("request")
    kind = request.get("type") if isinstance(request, dict) else None
    if kind == "IntentRequest":
        intent = request.get("intent")
        name = intent.get("name") if isinstance(intent, dict) else None
        return f"IntentRequest:{name}" if isinstance(name, str) and len(name) < 60 else "IntentRequest:?"
    return kind if isinstance(kind, str) and kind in KNOWN_TYPES else "(other request type)"


# ---------------------------------------------------------------------------------------- slot values


def _dates() -> st.SearchStrategy[str]:
    today = date.today()
    days = st.integers(-400, 30).map(lambda n: (today + timedelta(days=n)).isoformat())
    fuzzy = st.sampled_from(
        [
            f"{today.year}",
            f"{today.year}-{today.month:02d}",
            f"{today.isocalendar().year}-W{today.isocalendar().week:02d}",
            f"{today.isocalendar().year}-W{today.isocalendar().week:02d}-WE",
            "PRESENT_REF",
            "201X",
            "XXXX-11-24",
            "2026-SU",
            "2026-02-30",
            "0000-00-00",
            "yesterday",
        ]
    )
    return st.one_of(days, fuzzy)


SLOT_VALUES: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "AMAZON.NUMBER": lambda: st.one_of(
        st.integers(-5, 120).map(str), st.sampled_from(["?", "", "1.5", "99999999999999999999", "-0"])
    ),
    "AMAZON.DURATION": lambda: st.one_of(
        st.builds(lambda n, unit: f"PT{n}{unit}", st.integers(0, 500), st.sampled_from(["S", "M", "H"])),
        st.sampled_from(["P1D", "PT1H30M", "P1W", "P1Y2M", "PT", "P", "PT5.5M", "PT-5M", "5 minutes", "?"]),
    ),
    "AMAZON.DATE": _dates,
    "AMAZON.TIME": lambda: st.one_of(
        st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
        st.sampled_from(["MO", "AF", "EV", "NI", "24:00", "7", "noon"]),
    ),
}


def _type_values(model: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """For each custom slot type: (canonical id, something a user might say for it)."""
    table: dict[str, list[tuple[str, str]]] = {}
    for slot_type in model.get("types", []):
        pairs = []
        for value in slot_type.get("values", []):
            name = value.get("name", {})
            value_id = value.get("id") or name.get("value", "")
            pairs += [(value_id, said) for said in [name.get("value", ""), *name.get("synonyms", [])]]
        table[slot_type["name"]] = pairs
    return table


@functools.lru_cache(maxsize=256)
def slot_values(
    slot_type: str, type_values: tuple[tuple[str, str], ...], *, realistic: bool
) -> st.SearchStrategy:
    """A filled or empty slot as Alexa would send it; ``realistic`` keeps to what Alexa could send."""
    empty = st.just(None)  # Alexa sends every declared slot; unfilled ones have no value
    options: list[st.SearchStrategy[Any]] = [empty]
    if type_values:
        pairs = list(type_values)
        options.append(
            st.sampled_from(pairs).map(lambda pair: Slot(pair[1], id=pair[0], slot_type=slot_type))
        )
        options.append(
            any_text.filter(str.strip).map(lambda said: Slot(said, match=False, slot_type=slot_type))
        )
        if not realistic:
            # A matched id the model does not define (Alexa only sends the model's ids; a stale
            # model could send old ones). Short: a huge id is unreachable and only tests the budget.
            unknown_id = st.one_of(any_text, st.sampled_from(TRICKY_TEXT))
            options.append(
                st.builds(
                    lambda said, value_id: Slot(said, id=value_id, slot_type=slot_type), odd_text, unknown_id
                )
            )
    elif slot_type in SLOT_VALUES:
        options.append(SLOT_VALUES[slot_type]())
    options.append(any_text if realistic else odd_text)
    return st.one_of(*options)


def _slot_json(slot_name: str, value: Any, confirmation: str) -> dict[str, Any]:
    if value is None:
        return {"name": slot_name, "confirmationStatus": confirmation}
    slot = (value if isinstance(value, Slot) else Slot(value)).to_json(slot_name)
    slot["confirmationStatus"] = confirmation
    return slot


# ------------------------------------------------------------------------------------------ envelopes


def session_attributes(*, realistic: bool) -> st.SearchStrategy[dict[str, Any]]:
    """What a session carries back: nothing, or (for broken cases) anything small."""
    if realistic:
        return st.just({})
    return st.one_of(
        st.just({}),
        st.dictionaries(st.sampled_from(["cc", "mode", "x"]), small_json_values, max_size=2),
        st.builds(
            lambda inner: {"cc": inner},
            st.dictionaries(st.sampled_from(["mode", "step", "dialog", "x"]), small_json_values, max_size=3),
        ),
    )


@st.composite
def _common(draw: st.DrawFn, *, realistic: bool) -> dict[str, Any]:
    return {
        "locale": draw(st.sampled_from(LOCALES) if realistic else st.sampled_from(LOCALES + UNKNOWN_LOCALES)),
        "user_id": draw(st.sampled_from(USERS) if realistic else st.one_of(st.sampled_from(USERS), odd_text)),
        "audio_player": draw(st.booleans()),
        # Features that call Alexa's APIs (reminders) get a closed local port: refused at once,
        # never a real request to Amazon from a test.
        "api_endpoint": NO_API,
    }


def intent_envelopes(
    *,
    realistic: bool = True,
    attributes: dict[str, Any] | None = None,
    new: bool | None = None,
    model: dict[str, Any] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """An IntentRequest for any intent in the model, its slots filled at random.

    The model is read when the strategy is built and then fixed: hypothesis needs the same choices
    to mean the same thing for a whole run, even if someone regenerates the model meanwhile.
    """
    return _intent_envelopes(_Quiet(model or language_model()), realistic, attributes, new)


class _Quiet(dict):  # type: ignore[type-arg]
    """The model with a one-line repr: hypothesis prints strategy arguments, and the model is large."""

    def __repr__(self) -> str:
        return f"<interaction model: {len(self.get('intents', []))} intents>"


@st.composite
def _intent_envelopes(
    draw: st.DrawFn,
    model: dict[str, Any],
    realistic: bool,
    attributes: dict[str, Any] | None,
    new: bool | None,
) -> dict[str, Any]:
    type_values = model["_type_values"]
    specs = {intent["name"]: intent for intent in model["intents"]}
    spec = specs[draw(st.sampled_from(sorted(specs)))]
    slots = {}
    for slot in spec.get("slots", []):
        values = tuple(type_values.get(slot["type"], ()))
        value = draw(slot_values(slot["type"], values, realistic=realistic))
        slots[slot["name"]] = _slot_json(slot["name"], value, draw(st.sampled_from(CONFIRMATIONS)))
    envelope = envelopes.intent(
        spec["name"],
        dialog_state=draw(st.sampled_from(DIALOG_STATES)),
        confirmation=draw(st.sampled_from(CONFIRMATIONS)),
        new=draw(st.booleans()) if new is None else new,
        attributes=attributes if attributes is not None else draw(session_attributes(realistic=realistic)),
        **draw(_common(realistic=realistic)),
    )
    envelope["request"]["intent"]["slots"] = slots
    if not realistic and draw(st.booleans()):
        # An ER error status (timeout/exception) on one slot with a value.
        filled = [s for s in slots.values() if "value" in s]
        if filled:
            target = draw(st.sampled_from(filled))
            target["resolutions"] = {
                "resolutionsPerAuthority": [
                    {
                        "authority": "amzn1.er-authority.echo-sdk.x",
                        "status": {"code": draw(st.sampled_from(ER_ERRORS))},
                    }
                ]
            }
    return envelope


@st.composite
def launch_envelopes(draw: st.DrawFn, *, realistic: bool = True) -> dict[str, Any]:
    return envelopes.launch(**draw(_common(realistic=realistic)))


@st.composite
def session_ended_envelopes(
    draw: st.DrawFn, *, realistic: bool = True, attributes: dict[str, Any] | None = None
) -> dict[str, Any]:
    reason = draw(st.sampled_from(SESSION_END_REASONS))
    error = None
    if reason == "ERROR":
        error = {"type": draw(st.sampled_from(SESSION_END_ERRORS)), "message": draw(any_text)}
    return envelopes.session_ended(
        reason,
        error,
        attributes=attributes if attributes is not None else draw(session_attributes(realistic=realistic)),
        **draw(_common(realistic=realistic)),
    )


@st.composite
def playback_envelopes(draw: st.DrawFn, *, realistic: bool = True) -> dict[str, Any]:
    """AudioPlayer.* and PlaybackController.* events: no session, as Alexa sends them."""
    event = draw(st.sampled_from(AUDIO_PLAYER_EVENTS + PLAYBACK_CONTROLLER_EVENTS))
    token = draw(
        st.one_of(
            st.sampled_from(["", "technique:breathing:0", "cc:1:0", "unknown-token"]),
            any_text if realistic else odd_text,
        )
    )
    offset = draw(st.integers(0, 3_600_000) if realistic else st.integers(-(2**40), 2**40))
    common = draw(_common(realistic=realistic))
    common["audio_player"] = True
    envelope = envelopes.audio_event(event, token, offset, **common)
    if event.startswith("PlaybackController."):
        envelope["context"]["AudioPlayer"] = {
            "token": token,
            "offsetInMilliseconds": offset,
            "playerActivity": draw(st.sampled_from(["PLAYING", "PAUSED", "STOPPED", "IDLE"])),
        }
    return envelope


@st.composite
def skill_event_envelopes(draw: st.DrawFn, *, realistic: bool = True) -> dict[str, Any]:
    common = draw(_common(realistic=realistic))
    common.pop("locale")
    return envelopes.skill_event(draw(st.sampled_from(SKILL_EVENTS)), **common)


@st.composite
def exception_envelopes(draw: st.DrawFn, *, realistic: bool = True) -> dict[str, Any]:
    """System.ExceptionEncountered: Alexa reporting that our last response failed (no session)."""
    envelope = envelopes.audio_event("System.ExceptionEncountered", **draw(_common(realistic=realistic)))
    envelope["request"]["error"] = {
        "type": draw(st.sampled_from([e.value for e in SystemErrorType])),
        "message": draw(any_text),
    }
    envelope["request"]["cause"] = {"requestId": "amzn1.echo-api.request.previous"}
    return envelope


@st.composite
def connections_envelopes(draw: st.DrawFn, *, realistic: bool = True) -> dict[str, Any]:
    """Connections.Response: the answer to a permission (AskFor) or other Connections request."""
    envelope = envelopes.launch(**draw(_common(realistic=realistic)))
    envelope["session"]["new"] = draw(st.booleans())
    envelope["request"].update(
        type="Connections.Response",
        name=draw(st.sampled_from(["AskFor", "Buy", "Upsell", "Unknown"])),
        status={"code": draw(st.sampled_from(["200", "204", "400", "500"])), "message": draw(any_text)},
        payload={
            "status": draw(st.sampled_from(["ACCEPTED", "DENIED", "NOT_ANSWERED"])),
            "permissionScope": "alexa::alerts:reminders:skill:readwrite",
        },
        token=draw(any_text),
    )
    return envelope


def valid_envelopes() -> st.SearchStrategy[dict[str, Any]]:
    """Envelopes Alexa could really send: every request type, every model intent."""
    return st.one_of(
        launch_envelopes(),
        # Drawn four times as often as the others: the interaction model holds most of the surface.
        intent_envelopes(),
        intent_envelopes(),
        intent_envelopes(),
        intent_envelopes(),
        session_ended_envelopes(),
        playback_envelopes(),
        skill_event_envelopes(),
        exception_envelopes(),
        connections_envelopes(),
    )


def odd_envelopes() -> st.SearchStrategy[dict[str, Any]]:
    """Well-formed envelopes with values Alexa would not send: odd text, locales, ids, attributes."""
    return st.one_of(
        launch_envelopes(realistic=False),
        intent_envelopes(realistic=False),
        intent_envelopes(realistic=False),
        session_ended_envelopes(realistic=False),
        playback_envelopes(realistic=False),
        skill_event_envelopes(realistic=False),
        exception_envelopes(realistic=False),
        connections_envelopes(realistic=False),
        st.builds(
            _with_request_type,
            valid_envelopes(),
            st.one_of(
                odd_text,
                st.sampled_from(
                    [
                        "Alexa.Presentation.APL.UserEvent",
                        "Messaging.MessageReceived",
                        "CanFulfillIntentRequest",
                        "Dialog.API.Invoked",
                        "GameEngine.InputHandlerEvent",
                    ]
                ),
            ),
        ),
    )


def _with_request_type(envelope: dict[str, Any], request_type: str) -> dict[str, Any]:
    envelope["request"]["type"] = request_type
    return envelope


# ------------------------------------------------------------------------------------------ damage


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a JSON document (the root excluded)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found += _paths(value, (*prefix, index))
    return found


def _parent(envelope: Any, path: tuple) -> Any:
    for step in path[:-1]:
        envelope = envelope[step]
    return envelope


@st.composite
def broken_envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """A valid or odd envelope with one to three fields deleted or replaced by the wrong type."""
    envelope = draw(st.one_of(valid_envelopes(), odd_envelopes()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(envelope)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(envelope, path)
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return envelope


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"{}",
            b'"text"',
            b"42",
            b"{",
            b'{"request": null}',
            b'{"request": []}',
            b'{"request": {}}',
            b'{"version": "1.0", "request": {"type": "LaunchRequest"}}',
            b'{"request": {"type": "LaunchRequest", "x": NaN}}',
            b'{"request": {"type": Infinity}}',
            b'\xef\xbb\xbf{"request": {}}',
            '{"request": {"type": "\u00e9"}}'.encode("latin-1"),
            b'{"request": {"type": "LaunchRequest"}, "session": {"attributes": "\\ud800"}}',
        ]
    ),
    st.integers(100, 5000).map(
        lambda depth: f'{{"request": {{"type": "LaunchRequest"}}, "x": {nested(depth)}}}'.encode()
    ),
    json_values.map(encode),
)


# ------------------------------------------------------------------------------------------ cases


def _case(kind: str) -> Callable[[dict[str, Any], bool], Case]:
    def build(envelope: dict[str, Any], ascii_only: bool) -> Case:
        return Case(label_of(envelope), kind, encode(envelope, ascii_only=ascii_only), envelope)

    return build


def valid_cases() -> st.SearchStrategy[Case]:
    return st.builds(_case("valid"), valid_envelopes(), st.booleans())


def cases() -> st.SearchStrategy[Case]:
    """Everything: valid envelopes, odd ones, damaged ones and raw bodies that are no envelope."""
    return st.one_of(
        valid_cases(),
        st.builds(_case("odd"), odd_envelopes(), st.booleans()),
        st.builds(_case("broken"), broken_envelopes(), st.booleans()),
        raw_bodies.map(lambda body: Case("raw", "raw", body)),
    )


def fresh_timestamp(envelope: dict[str, Any]) -> dict[str, Any]:
    """Stamp an envelope with now, so a verifying server gets past the timestamp check."""
    request = envelope.get("request")
    if isinstance(request, dict):
        request["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return envelope
