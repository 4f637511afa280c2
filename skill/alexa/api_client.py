"""The HTTP client ask-sdk uses for Alexa's own APIs (reminders, device settings), with a timeout.

ask-sdk's DefaultApiClient calls ``requests`` without one: a call to the Alexa API that hangs would
use up the whole response deadline (8 s) and the user would hear an error instead of an answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

# (connect, read) seconds: well inside Alexa's 8 s, leaving time to say what went wrong.
TIMEOUT_S = (3.05, 4.0)


class TimedApiClient(ApiClient):
    """DefaultApiClient (HTTPS only, JSON bodies) whose every call gives up after ``timeout``.

    ask-sdk's client imports ``requests`` (and urllib3, ssl, email, ...): most requests never call an
    Alexa API, so it is created on the first call, not when the skill is built (cold starts).
    """

    def __init__(self, timeout: tuple[float, float] | float | None = None) -> None:
        self._timeout = timeout
        self._client: ApiClient | None = None

    @property
    def timeout(self) -> tuple[float, float] | float:
        return TIMEOUT_S if self._timeout is None else self._timeout

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        if self._client is None:
            self._client = _timed_default_client(self)
        return self._client.invoke(request)


def _timed_default_client(owner: TimedApiClient) -> ApiClient:
    from ask_sdk_core.api_client import DefaultApiClient

    class _Timed(DefaultApiClient):  # type: ignore[misc]
        def _resolve_method(self, request: ApiClientRequest) -> Callable[..., Any]:
            return functools.partial(super()._resolve_method(request), timeout=owner.timeout)

    return _Timed()
