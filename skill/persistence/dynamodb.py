"""The diary and ask-sdk persistent attributes in one DynamoDB table (see template.yaml).

Key schema: partition key ``user_id`` (S), sort key ``sk`` (S). Items of one user:

- ``ATTR``: ask-sdk persistent attributes, as one JSON document.
- ``ENTRY#<started_at UTC>#<id>``: a cramp entry; sort-key order is time order, so "this week" is
  one range query and "the last cramp" is one descending query with ``Limit=1``.
- ``ID#<id>``: points at the entry's current sort key, so an entry can be found, corrected (even
  its time) or deleted by id without scanning.
- ``PRACTICE#<at UTC>#<id>``: a technique practice session.

Writes of new records are conditional (``attribute_not_exists``): nothing is ever overwritten by
accident. The boto3 client is created on first use, not at import (cold starts stay short and
tests can point the endpoint at moto).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

import boto3
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.diary.model import CrampEntry, PracticeSession, iso, parse_iso
from skill.diary.repository import DiaryRepository, DuplicateEntry, EntryNotFound, StorageError
from skill.persistence.sqlite import user_id_of

ATTR_KEY = "ATTR"
ENTRY, POINTER, PRACTICE = "ENTRY#", "ID#", "PRACTICE#"
_AFTER_ALL = "~"  # sorts after every ISO timestamp: an open upper bound for BETWEEN
_BATCH = 25  # BatchWriteItem's limit
_DELETE_THREADS = 8

# Alexa waits about 8 s for an answer: fail fast and let the skill say so, rather than time out.
_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 3, "mode": "standard"})

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


def _to_item(values: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values; None is left out (so "no duration" is a missing attribute)."""
    item = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = Decimal(str(value))
        item[key] = _serializer.serialize(value)
    return item


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    values = {key: _deserializer.deserialize(value) for key, value in item.items()}
    for key, value in values.items():
        if isinstance(value, Decimal):
            values[key] = int(value) if value == value.to_integral_value() else float(value)
    return values


def entry_key(entry: CrampEntry) -> str:
    return f"{ENTRY}{iso(entry.started_at)}#{entry.id}"


def practice_key(session: PracticeSession) -> str:
    return f"{PRACTICE}{iso(session.at)}#{session.id}"


def entry_item(entry: CrampEntry) -> dict[str, Any]:
    """The entry's item (its pointer item is ``pointer_item``)."""
    return _to_item({**entry.to_dict(), "sk": entry_key(entry)})


def pointer_item(entry: CrampEntry) -> dict[str, Any]:
    """The ``ID#<id>`` item that points at the entry's current sort key."""
    return {
        "user_id": {"S": entry.user_id},
        "sk": {"S": POINTER + entry.id},
        "entry_sk": {"S": entry_key(entry)},
    }


def _entry(item: dict[str, Any]) -> CrampEntry:
    values = _from_item(item)
    values.pop("sk", None)
    return CrampEntry.from_dict(values)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _cancelled_by_condition(exc: ClientError) -> bool:
    reasons = exc.response.get("CancellationReasons") or []
    return (
        _code(exc) == "ConditionalCheckFailedException"
        or any((reason or {}).get("Code") == "ConditionalCheckFailed" for reason in reasons)
        or "ConditionalCheckFailed" in str(exc)
    )


@contextmanager
def _errors(action: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(f"{action}: {exc}") from exc


class DynamoDBTable:
    """The single table and its lazily created client, shared by the diary and the attributes adapter."""

    def __init__(
        self,
        table_name: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        page_size: int | None = None,
    ) -> None:
        if not table_name:
            raise ValueError("DynamoDB storage needs a table name (TABLE_NAME)")
        self.table_name = table_name
        self.endpoint_url = endpoint_url
        self.region = region
        self.page_size = page_size  # None: DynamoDB's own 1 MB pages; tests use tiny pages
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = boto3.session.Session().client(
                        "dynamodb",
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        config=_CLIENT_CONFIG,
                    )
        return self._client

    def key(self, user_id: str, sort_key: str) -> dict[str, Any]:
        return {"user_id": {"S": user_id}, "sk": {"S": sort_key}}

    def query(
        self,
        user_id: str,
        low: str,
        high: str,
        *,
        forward: bool = True,
        limit: int | None = None,
        **extra: Any,
    ) -> Iterator[dict[str, Any]]:
        """Items with ``low <= sk <= high`` (at most ``limit``), following pages; reads are consistent."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "user_id = :u AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":u": {"S": user_id},
                ":low": {"S": low},
                ":high": {"S": high},
                **extra.pop("ExpressionAttributeValues", {}),
            },
            "ScanIndexForward": forward,
            "ConsistentRead": True,  # a user logs a cramp, then asks about it straight away
            **extra,
        }
        page_limit = min(filter(None, (limit, self.page_size)), default=None)
        if page_limit:
            request["Limit"] = page_limit
        returned = 0
        while True:
            page = self.client.query(**request)
            for item in page.get("Items", []):
                yield item
                returned += 1
                if limit is not None and returned >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count(self, user_id: str, low: str, high: str) -> int:
        """How many items have ``low <= sk <= high`` (DynamoDB counts them; no items are sent)."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "user_id = :u AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":u": {"S": user_id}, ":low": {"S": low}, ":high": {"S": high}},
            "Select": "COUNT",
            "ConsistentRead": True,
        }
        total = 0
        while True:
            page = self.client.query(**request)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete_keys(self, keys: list[dict[str, Any]]) -> None:
        """Delete items in batches of 25, several batches at once (a long diary must go within the
        Lambda deadline), retrying what DynamoDB left unprocessed."""
        batches = [keys[offset : offset + _BATCH] for offset in range(0, len(keys), _BATCH)]
        client = self.client  # created once here; boto3 clients are safe to share between threads
        with ThreadPoolExecutor(max_workers=_DELETE_THREADS) as pool:
            for _ in pool.map(lambda batch: self._delete_batch(client, batch), batches):
                pass

    def _delete_batch(self, client: Any, batch: list[dict[str, Any]]) -> None:
        requests = {self.table_name: [{"DeleteRequest": {"Key": key}} for key in batch]}
        for attempt in range(8):
            unprocessed = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            if not unprocessed:
                return
            requests = unprocessed
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise StorageError("DynamoDB left deletes unprocessed")


def _bounds(prefix: str, start: datetime | None, end: datetime | None) -> tuple[str, str]:
    # "ENTRY#<end>" sorts before every "ENTRY#<end>#id", so BETWEEN gives start <= t < end.
    return prefix + (iso(start) if start else ""), prefix + (iso(end) if end else _AFTER_ALL)


class DynamoDBDiaryRepository(DiaryRepository):
    """The diary on DynamoDB, behaving exactly like the SQLite one (the same test suite runs on both)."""

    def __init__(self, table: DynamoDBTable) -> None:
        self.table = table

    def _pointer(self, user_id: str, entry_id: str) -> str | None:
        item = self.table.client.get_item(
            TableName=self.table.table_name,
            Key=self.table.key(user_id, POINTER + entry_id),
            ConsistentRead=True,
        ).get("Item")
        return item["entry_sk"]["S"] if item else None

    def add(self, entry: CrampEntry) -> None:
        table = self.table.table_name
        pointer = pointer_item(entry)
        new = "attribute_not_exists(sk)"
        with _errors("add entry"):
            try:
                self.table.client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": table, "Item": entry_item(entry), "ConditionExpression": new}},
                        {"Put": {"TableName": table, "Item": pointer, "ConditionExpression": new}},
                    ]
                )
            except ClientError as exc:
                if _cancelled_by_condition(exc):
                    raise DuplicateEntry(entry.id) from exc
                raise

    def get(self, user_id: str, entry_id: str) -> CrampEntry | None:
        with _errors("get entry"):
            sort_key = self._pointer(user_id, entry_id)
            if sort_key is None:
                return None
            item = self.table.client.get_item(
                TableName=self.table.table_name, Key=self.table.key(user_id, sort_key), ConsistentRead=True
            ).get("Item")
        return _entry(item) if item else None

    def update(self, entry: CrampEntry) -> None:
        table, client = self.table.table_name, self.table.client
        with _errors("update entry"):
            old_key = self._pointer(entry.user_id, entry.id)
            if old_key is None:
                raise EntryNotFound(entry.id)
            new_key = entry_key(entry)
            try:
                if new_key == old_key:
                    client.put_item(
                        TableName=table, Item=entry_item(entry), ConditionExpression="attribute_exists(sk)"
                    )
                    return
                # The time changed, so the sort key does: move the item and its pointer atomically.
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Delete": {
                                "TableName": table,
                                "Key": self.table.key(entry.user_id, old_key),
                                "ConditionExpression": "attribute_exists(sk)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": table,
                                "Item": entry_item(entry),
                                "ConditionExpression": "attribute_not_exists(sk)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {
                                    **self.table.key(entry.user_id, POINTER + entry.id),
                                    "entry_sk": {"S": new_key},
                                },
                                "ConditionExpression": "entry_sk = :old",
                                "ExpressionAttributeValues": {":old": {"S": old_key}},
                            }
                        },
                    ]
                )
            except ClientError as exc:
                if _cancelled_by_condition(exc):
                    raise EntryNotFound(entry.id) from exc
                raise

    def delete(self, user_id: str, entry_id: str) -> bool:
        table = self.table.table_name
        with _errors("delete entry"):
            sort_key = self._pointer(user_id, entry_id)
            if sort_key is None:
                return False
            self.table.client.transact_write_items(
                TransactItems=[
                    {"Delete": {"TableName": table, "Key": self.table.key(user_id, sort_key)}},
                    {"Delete": {"TableName": table, "Key": self.table.key(user_id, POINTER + entry_id)}},
                ]
            )
        return True

    def last(self, user_id: str) -> CrampEntry | None:
        low, high = _bounds(ENTRY, None, None)
        with _errors("read last entry"):
            items = list(self.table.query(user_id, low, high, forward=False, limit=1))
        return _entry(items[0]) if items else None

    def entries(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[CrampEntry]:
        low, high = _bounds(ENTRY, start, end)
        with _errors("read entries"):
            return [_entry(item) for item in self.table.query(user_id, low, high)]

    def count(self, user_id: str, start: datetime | None = None, end: datetime | None = None) -> int:
        with _errors("count entries"):
            return self.table.count(user_id, *_bounds(ENTRY, start, end))

    def open_entry(self, user_id: str, since: datetime) -> CrampEntry | None:
        low, high = _bounds(ENTRY, since, None)
        with _errors("read open entry"):
            for item in self.table.query(
                # No Limit here: DynamoDB applies it before the filter, which would cost a request per item.
                user_id,
                low,
                high,
                forward=False,
                FilterExpression="still_going = :yes",
                ExpressionAttributeValues={":yes": {"BOOL": True}},
            ):
                return _entry(item)
        return None

    def first_started_at(self, user_id: str) -> datetime | None:
        low, high = _bounds(ENTRY, None, None)
        with _errors("read first entry"):
            items = list(self.table.query(user_id, low, high, limit=1, ProjectionExpression="started_at"))
        return parse_iso(items[0]["started_at"]["S"]) if items else None

    def add_practice(self, session: PracticeSession) -> None:
        item = _to_item({**session.to_dict(), "sk": practice_key(session)})
        with _errors("add practice"):
            try:
                self.table.client.put_item(
                    TableName=self.table.table_name, Item=item, ConditionExpression="attribute_not_exists(sk)"
                )
            except ClientError as exc:
                if _cancelled_by_condition(exc):
                    raise DuplicateEntry(session.id) from exc
                raise

    def practice(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[PracticeSession]:
        low, high = _bounds(PRACTICE, start, end)
        sessions = []
        with _errors("read practice"):
            for item in self.table.query(user_id, low, high):
                values = _from_item(item)
                values.pop("sk")
                sessions.append(PracticeSession.from_dict(values))
        return sessions

    def delete_all(self, user_id: str) -> int:
        """Every diary record of the user (entries, pointers, practice); persistent attributes stay."""
        keys, counted = [], 0
        with _errors("delete all"):
            for prefix in (ENTRY, POINTER, PRACTICE):
                for item in self.table.query(
                    user_id, prefix, prefix + _AFTER_ALL, ProjectionExpression="user_id, sk"
                ):
                    keys.append(item)
                    counted += prefix != POINTER
            self.table.delete_keys(keys)
        return counted


class DynamoDBPersistenceAdapter(AbstractPersistenceAdapter):
    """ask-sdk persistent attributes as the user's ``ATTR`` item, in the diary's table."""

    def __init__(self, table: DynamoDBTable) -> None:
        self.table = table

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = self.table.key(user_id_of(request_envelope), ATTR_KEY)
        try:
            item = self.table.client.get_item(
                TableName=self.table.table_name, Key=key, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise PersistenceException(f"could not read attributes: {exc}") from exc
        return json.loads(item["data"]["S"]) if item else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        item = {
            **self.table.key(user_id_of(request_envelope), ATTR_KEY),
            "data": {"S": json.dumps(attributes, separators=(",", ":"))},
            "updated_at": {"N": str(int(time.time()))},
        }
        try:
            self.table.client.put_item(TableName=self.table.table_name, Item=item)
        except (ClientError, BotoCoreError) as exc:
            raise PersistenceException(f"could not save attributes: {exc}") from exc

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = self.table.key(user_id_of(request_envelope), ATTR_KEY)
        try:
            self.table.client.delete_item(TableName=self.table.table_name, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise PersistenceException(f"could not delete attributes: {exc}") from exc
