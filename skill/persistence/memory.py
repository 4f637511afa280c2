"""In-memory persistent attributes, for tests and the bench's hello-world twin."""

from __future__ import annotations

import copy
import threading
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from skill.persistence.sqlite import user_id_of


class MemoryPersistenceAdapter(AbstractPersistenceAdapter):
    """Attributes kept in a dict per user; copies in and out so callers cannot share state."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self.store.get(user_id_of(request_envelope), {}))

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        with self._lock:
            self.store[user_id_of(request_envelope)] = copy.deepcopy(attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        with self._lock:
            self.store.pop(user_id_of(request_envelope), None)
