"""Assemble validated responses from phrase keys and pre-built SSML."""

from __future__ import annotations

from typing import cast

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.content.catalog import Catalog, default_catalog
from skill.speech import ssml


class Speech:
    """A spoken message built from phrase keys, pauses and engine SSML, validated on output."""

    def __init__(self, locale: str | None, catalog: Catalog | None = None) -> None:
        self.locale = locale
        self.catalog = catalog or default_catalog()
        self._parts: list[str] = []

    def say(self, key: str, **params: object) -> Speech:
        self._parts.append(ssml.escape(self.catalog.text(self.locale, key, **params)))
        return self

    def text(self, key: str, **params: object) -> str:
        """The plain text of a phrase, for cards and composition."""
        return self.catalog.text(self.locale, key, **params)

    def pause(self, seconds: float) -> Speech:
        self._parts.append(ssml.pause(seconds))
        return self

    def raw(self, fragment: str) -> Speech:
        """Append SSML that was built (and escaped) elsewhere, such as an engine segment."""
        self._parts.append(fragment)
        return self

    def __bool__(self) -> bool:
        return bool(self._parts)

    def ssml(self) -> str:
        return ssml.speak(" ".join(self._parts), self.locale)


def speech(handler_input: HandlerInput) -> Speech:
    """A new Speech in the request's locale."""
    request = handler_input.request_envelope.request
    return Speech(request.locale if request is not None else None)


FIRST = "cc.say_first"  # request attribute: SSML fragments every reply of this request starts with


def say_first(handler_input: HandlerInput, said: Speech) -> None:
    """Make whatever this request answers start with ``said`` (the safety screen's advice comes first)."""
    if said:
        first = cast(list[str], handler_input.attributes_manager.request_attributes.setdefault(FIRST, []))
        first.extend(said._parts)


def respond(
    handler_input: HandlerInput,
    said: Speech | None,
    *,
    reprompt: Speech | None = None,
    card: tuple[str, str] | None = None,
    end_session: bool | None = None,
) -> Response:
    """Build the response: validated SSML, optional reprompt (keeps the mic open) and card."""
    builder = handler_input.response_builder
    first = cast(list[str] | None, handler_input.attributes_manager.request_attributes.pop(FIRST, None))
    if first:
        joined = speech(handler_input)
        joined._parts = [*first, *(said._parts if said else [])]
        said = joined
    if said:
        builder.speak(said.ssml())
    if reprompt:
        builder.ask(reprompt.ssml())
    if card:
        builder.set_card(SimpleCard(title=card[0], content=card[1]))
    if end_session is not None:
        builder.set_should_end_session(end_session)
    return builder.response
