"""The diary and ask-sdk persistent attributes in one DynamoDB table (see template.yaml).

Key schema: partition key ``user_id`` (S), sort key ``sk`` (S). Items of one user:

- ``ATTR``: ask-sdk persistent attributes, as one JSON document.
- ``ENTRY#<started_at UTC>#<id>``: a cramp entry; sort-key order is time order, so "this week" is
  one range query and "the last cramp" is one descending query with ``Limit=1``.
- ``ID#<id>``: points at the entry's current sort key, so an entry can be found, corrected (even
  its time) or deleted by id without scanning.
- ``PRACTICE#<at UTC>#<id>``: a technique practice session.
- ``TALLY#M<yyyy-mm>`` and ``TALLY#D<yyyy-mm-dd>``: the aggregates of the user's entries in that UTC
  month or day (``skill/diary/tally.py``), as JSON with a ``version`` number. Every write of an entry
  rewrites its tallies in the same transaction, conditional on the version it read (optimistic
  locking; a lost race is retried), so a diary question reads a bounded number of items, whatever
  the diary's length: whole months, whole days at the ends, and the entries of two partial days.

Writes of new records are conditional (``attribute_not_exists``): nothing is ever overwritten by
accident. The boto3 client is created on first use, not at import (cold starts stay short and
tests can point the endpoint at moto).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
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

from skill.diary import tally as tallies
from skill.diary.model import CrampEntry, PracticeSession, iso, parse_iso
from skill.diary.repository import DiaryRepository, DuplicateEntry, EntryNotFound, StorageError
from skill.diary.tally import Tally
from skill.persistence.sqlite import user_id_of

ATTR_KEY = "ATTR"
ENTRY, POINTER, PRACTICE, TALLY = "ENTRY#", "ID#", "PRACTICE#", "TALLY#"
_WRITE_ATTEMPTS = 8  # a tally changed by another write between our read and our write: read again
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


def tally_item(user_id: str, bucket: str, tally: Tally, version: int = 1) -> dict[str, Any]:
    return {
        "user_id": {"S": user_id},
        "sk": {"S": TALLY + bucket},
        "data": {"S": tally.to_json()},
        "version": {"N": str(version)},
    }


def tally_items(entries: list[CrampEntry]) -> list[dict[str, Any]]:
    """The tally items of a set of entries written in bulk (a restore, the bench's seed)."""
    counted: dict[tuple[str, str], Tally] = {}
    for entry in sorted(entries, key=lambda e: (e.user_id, e.started_at, e.id)):
        for bucket in tallies.buckets_of(entry):
            counted.setdefault((entry.user_id, bucket), Tally()).add(entry)
    return [tally_item(user_id, bucket, tally) for (user_id, bucket), tally in counted.items()]


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

    # Tallies: read with their versions, recounted, written back in the entry's transaction.

    def _read_tallies(self, user_id: str, buckets: list[str]) -> dict[str, tuple[Tally | None, int]]:
        """Each existing bucket's tally (None: another VERSION) and stored version."""
        response = self.table.client.batch_get_item(
            RequestItems={
                self.table.table_name: {
                    "Keys": [self.table.key(user_id, TALLY + bucket) for bucket in buckets],
                    "ConsistentRead": True,
                }
            }
        )
        if response.get("UnprocessedKeys"):
            raise StorageError("DynamoDB left tally reads unprocessed")
        found = {}
        for item in response["Responses"].get(self.table.table_name, []):
            found[item["sk"]["S"][len(TALLY) :]] = (
                Tally.from_json(item["data"]["S"]),
                int(item["version"]["N"]),
            )
        return found

    def _bucket_entries(self, user_id: str, bucket: str) -> list[CrampEntry]:
        start, end = tallies.bucket_span(bucket)
        return [_entry(item) for item in self.table.query(user_id, *_bounds(ENTRY, start, end))]

    def _tally_write(
        self, user_id: str, bucket: str, tally: Tally, known: tuple[Tally | None, int] | None
    ) -> dict[str, Any]:
        """The TransactItem that stores a bucket's new tally if nobody changed it since we read it."""
        table = self.table.table_name
        if known is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(sk)"}
            version = 1
        else:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(known[1])}},
            }
            version = known[1] + 1
        if tally.count == 0:
            if known is None:
                return {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": self.table.key(user_id, TALLY + bucket),
                        **condition,
                    }
                }
            return {
                "Delete": {"TableName": table, "Key": self.table.key(user_id, TALLY + bucket), **condition}
            }
        return {"Put": {"TableName": table, "Item": tally_item(user_id, bucket, tally, version), **condition}}

    def _recount(
        self, user_id: str, buckets: set[str], removed: str | None, added: CrampEntry | None
    ) -> list[dict[str, Any]]:
        """Tally writes for ``buckets`` after removing entry ``removed`` (an id) and adding ``added``.

        A bucket whose stored tally is current is updated by one entry when only an entry is added;
        otherwise (a correction, a deletion, another VERSION) it is counted again from its entries.
        """
        known = self._read_tallies(user_id, sorted(buckets))
        writes = []
        for bucket in sorted(buckets):
            current = known.get(bucket)
            if removed is None and added is not None and (current is None or current[0] is not None):
                tally = current[0] if current is not None and current[0] is not None else Tally()
                tally.add(added)
            else:
                entries = [e for e in self._bucket_entries(user_id, bucket) if e.id != removed]
                if added is not None and bucket in tallies.buckets_of(added):
                    entries.append(added)
                tally = Tally.of(sorted(entries, key=lambda e: (e.started_at, e.id)))
            writes.append(self._tally_write(user_id, bucket, tally, current))
        return writes

    def _transact(self, items: Callable[[], list[dict[str, Any]]], entry_items: int) -> None:
        """Run a transaction of entry writes and tally writes, retrying when only a tally raced.

        ``items`` builds the whole list (entry writes first, ``entry_items`` of them) from a fresh
        read; ConditionalCheckFailed on an entry write is re-raised for the caller to interpret.
        """
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                self.table.client.transact_write_items(TransactItems=items())
                return
            except ClientError as exc:
                reasons = exc.response.get("CancellationReasons") or []
                failed = [
                    i for i, r in enumerate(reasons) if (r or {}).get("Code") == "ConditionalCheckFailed"
                ]
                if not failed or min(failed) < entry_items:
                    raise
            # Jittered backoff, so that writers racing for one tally take turns (DynamoDB's advice).
            time.sleep(random.uniform(0, min(0.02 * 2**attempt, 0.5)))
        raise StorageError("the diary's tallies kept changing under this write; try again")

    def add(self, entry: CrampEntry) -> None:
        table = self.table.table_name
        pointer = pointer_item(entry)
        new = "attribute_not_exists(sk)"
        writes = [
            {"Put": {"TableName": table, "Item": entry_item(entry), "ConditionExpression": new}},
            {"Put": {"TableName": table, "Item": pointer, "ConditionExpression": new}},
        ]
        with _errors("add entry"):
            try:
                self._transact(
                    lambda: (
                        writes + self._recount(entry.user_id, set(tallies.buckets_of(entry)), None, entry)
                    ),
                    2,
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
        table = self.table.table_name
        with _errors("update entry"):
            old_key = self._pointer(entry.user_id, entry.id)
            if old_key is None:
                raise EntryNotFound(entry.id)
            new_key = entry_key(entry)
            old_started = parse_iso(old_key[len(ENTRY) :].rsplit("#", 1)[0])
            buckets = {
                *tallies.buckets_of(entry),
                tallies.month_bucket(old_started),
                tallies.day_bucket(old_started),
            }
            if new_key == old_key:
                writes = [
                    {
                        "Put": {
                            "TableName": table,
                            "Item": entry_item(entry),
                            "ConditionExpression": "attribute_exists(sk)",
                        }
                    }
                ]
            else:
                # The time changed, so the sort key does: move the item and its pointer atomically.
                writes = [
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
            try:
                self._transact(
                    lambda: writes + self._recount(entry.user_id, buckets, entry.id, entry), len(writes)
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
            started = parse_iso(sort_key[len(ENTRY) :].rsplit("#", 1)[0])
            writes = [
                {"Delete": {"TableName": table, "Key": self.table.key(user_id, sort_key)}},
                {"Delete": {"TableName": table, "Key": self.table.key(user_id, POINTER + entry_id)}},
            ]
            buckets = {tallies.month_bucket(started), tallies.day_bucket(started)}
            self._transact(lambda: writes + self._recount(user_id, buckets, entry_id, None), len(writes))
        return True

    def tally(self, user_id: str, start: datetime | None = None, end: datetime | None = None) -> Tally:
        """At most three queries of tallies (whole months, whole days at either end) and two of
        entries (the partial days at the ends), whatever the diary's length."""
        plan = tallies.plan(start, end)
        total = Tally()
        with _errors("read tallies"):
            for low, high in plan.bucket_ranges():
                for item in self.table.query(user_id, TALLY + low, TALLY + high):
                    bucket = item["sk"]["S"][len(TALLY) :]
                    if not low <= bucket < high:
                        continue  # BETWEEN includes the upper bound; ours is exclusive
                    found = Tally.from_json(item["data"]["S"])
                    total.merge(
                        found if found is not None else Tally.of(self._bucket_entries(user_id, bucket))
                    )
            for low_time, high_time in plan.raw:
                for item in self.table.query(user_id, *_bounds(ENTRY, low_time, high_time)):
                    total.add(_entry(item))
        return total

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
        """From the tallies: a COUNT query would still read (and bill) every entry of the period."""
        return self.tally(user_id, start, end).count

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
            for prefix in (ENTRY, POINTER, PRACTICE, TALLY):
                for item in self.table.query(
                    user_id, prefix, prefix + _AFTER_ALL, ProjectionExpression="user_id, sk"
                ):
                    keys.append(item)
                    counted += prefix not in (POINTER, TALLY)
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
