"""The HTTP client ask-sdk uses for Alexa's own APIs (reminders, device settings), with a timeout.

ask-sdk's DefaultApiClient calls ``requests`` without one: a call to the Alexa API that hangs would
use up the whole response deadline (8 s) and the user would hear an error instead of an answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_model.services import ApiClientRequest

# (connect, read) seconds: well inside Alexa's 8 s, leaving time to say what went wrong.
TIMEOUT_S = (3.05, 4.0)


class TimedApiClient(DefaultApiClient):
    """DefaultApiClient (HTTPS only, JSON bodies) whose every call gives up after ``timeout``."""

    def __init__(self, timeout: tuple[float, float] | float | None = None) -> None:
        self._timeout = timeout

    @property
    def timeout(self) -> tuple[float, float] | float:
        return TIMEOUT_S if self._timeout is None else self._timeout

    def _resolve_method(self, request: ApiClientRequest) -> Callable[..., Any]:
        return functools.partial(super()._resolve_method(request), timeout=self.timeout)
