"""Idempotency-Key: a retried POST gets its first answer; a request that never finished
leaves its key free for the retry.

The key's record is written in the same transaction as the request's own writes and is
committed together with them and the answer, once the answer is known. Hence:

- the move and its stored answer land together or not at all: a worker that dies, or a
  database that goes away, before the commit leaves neither, and the retry runs afresh;
- a second request with the same key while the first runs waits for the key's row (the
  unique index on PostgreSQL, the write lock on SQLite), then replays the first answer, or
  runs itself if the first never committed; two retries never both apply the move;
- a refusal (4xx) is stored and replayed too, with the request's own writes undone; answers
  that say "try again" (409 busy, 429, 5xx) are not stored, so the retry really runs again;
- a key is kept ``IDEMPOTENCY_KEY_HOURS`` (24 by default); an older record is ignored and
  replaced, and ``hwm keys purge`` deletes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import SessionTransaction

from manifest.infra.db import insert, is_database_unavailable, utcnow
from manifest.infra.uow import UnitOfWork
from manifest.models import IdempotencyRecord

from .db import session
from .errors import database_unavailable_response, error_response

MAX_KEY_LENGTH = 200
#: Answers that invite a retry: storing them would keep the key from ever succeeding.
RETRY_STATUSES = frozenset({409, 429})


@dataclass
class KeyedRequest:
    """The open transaction of a POST carrying a key, and the key's (unsaved) record."""

    work: UnitOfWork
    record: IdempotencyRecord
    #: Undone when the answer is a refusal, so the refusal is stored without the writes.
    request_writes: SessionTransaction


def open_keyed_request():
    """Before the view: replay the stored answer of a key already answered; otherwise hold
    the key in a new transaction the view's services join. Answers 400 for an oversized key
    and 422 ``idempotency_conflict`` for a key reused with another request."""
    key = request.headers.get("Idempotency-Key")
    actor = g.get("actor")
    if request.method != "POST" or not key or actor is None or _is_public(request.endpoint):
        return None
    if len(key) > MAX_KEY_LENGTH:
        return error_response(
            400, "bad_request", f"Idempotency-Key is at most {MAX_KEY_LENGTH} characters"
        )
    fingerprint = _request_hash()
    work = UnitOfWork(session())
    # A second round only when a concurrent request committed the same key under us.
    for _ in range(2):
        work.__enter__()
        try:
            record = _claim(work, actor.user_id, key, fingerprint)
        except IntegrityError:
            work.__exit__(None, None, None)  # rolls back; the other request's answer is stored
            continue
        except BaseException as exc:
            work.__exit__(type(exc), exc, exc.__traceback__)
            raise
        if record.status_code is not None:
            work.__exit__(None, None, None)
            return _replay(record, fingerprint)
        g.keyed_request = KeyedRequest(work, record, work.session.begin_nested())
        g.request_uow = work  # the view's services join this transaction
        return None
    return error_response(409, "conflict", "a request with this Idempotency-Key is being processed")


def _claim(work: UnitOfWork, user_id: int, key: str, fingerprint: str) -> IdempotencyRecord:
    """The key's live answered record, or a new unanswered one inserted (not committed).

    The insert waits while another request holds the same key and takes the key when that
    request's transaction ends without it. Raises IntegrityError when a concurrent request
    holding the same key committed it between our look and our insert."""
    s = work.session
    new = dict(
        user_id=user_id,
        key=key,
        method=request.method,
        path=request.path,
        request_hash=fingerprint,
    )
    record = s.scalar(
        insert(s, IdempotencyRecord)
        .values(created_at=utcnow(), **new)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyRecord)
    )
    if record is not None:
        return record
    record = s.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is not None and record.status_code is not None and not _expired(record):
        return record
    if record is not None:
        # Expired, or left unanswered by an earlier version of the service: the key is free.
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
    record = IdempotencyRecord(**new)
    s.add(record)
    s.flush()
    return record


def _expired(record: IdempotencyRecord) -> bool:
    return record.created_at < utcnow() - key_lifetime()


def key_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"])


def _replay(record: IdempotencyRecord, fingerprint: str):
    if record.request_hash != fingerprint:
        return error_response(
            422, "idempotency_conflict", "this Idempotency-Key was used with a different request"
        )
    response = current_app.response_class(
        record.response_body, status=record.status_code, content_type=record.content_type
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.full_path.encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def commit_keyed_request(response):
    """After the view: store the answer with the request's writes and commit both at once.

    An answer that invites a retry is not stored and its writes are undone, key included.
    When the commit itself fails because the database went away, the client gets 503
    instead of an answer that was never kept."""
    keyed: KeyedRequest | None = g.pop("keyed_request", None)
    if keyed is None:
        return response
    g.pop("request_uow", None)
    work, record = keyed.work, keyed.record
    try:
        if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
            return response  # leaving the unit of work below rolls everything back
        if response.status_code >= 400:
            keyed.request_writes.rollback()
        record.status_code = response.status_code
        record.response_body = response.get_data()
        record.content_type = response.content_type
        work.commit()
    except SQLAlchemyError as exc:
        work.rollback()
        if is_database_unavailable(exc):
            return database_unavailable_response()
        raise
    finally:
        work.__exit__(None, None, None)
    return response


def _is_public(endpoint: str | None) -> bool:
    """Signing in is not a move: its refusals write the failure log and the lockout counts,
    which a key's transaction would undo on a 4xx and so lift the limit for anyone holding
    a token. Operations that answer without a token take no key."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, "public", False))
