"""The append-only event log and its hash chain (§7.3.2: genuine, traceable, 不可篡改).

Every event (accepted, withdrawn, corrected) carries the hash of the one before; its own hash is the
SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8) — sequence number, kind, declaration, time,
operator, payload and the previous hash. The payload of an ``accepted`` event holds the digest of the
declaration's row and the SHA-256 of the archived file, a ``corrected`` event the digest of the correction
row, so a row edited behind the tool's back no longer matches the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from hpcarbon.registry.records import canonical_json
from hpcarbon.registry.schema import corrections, declarations, events

GENESIS = "0" * 64
#: declaration columns outside the digest: the status changes (withdrawn) by an event of its own
_NOT_DIGESTED = frozenset({"status"})


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def event_hash(seq: int, kind: str, declaration_id: int, at: str, operator: str, payload: dict, prev_hash: str) -> str:
    body = {"seq": seq, "kind": kind, "declaration_id": declaration_id, "at": at, "operator": operator,
            "payload": payload, "prev_hash": prev_hash}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def row_digest(row) -> str:
    """SHA-256 of a row's canonical JSON (every column but those an event of its own changes)."""
    return _digest({k: v for k, v in row._mapping.items() if k not in _NOT_DIGESTED})


def _digest(data: dict) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def append_event(conn, kind: str, declaration_id: int, operator: str, payload: dict, at: str | None = None) -> int:
    """Append one event (inside the caller's write transaction, which holds the write lock); its seq."""
    last = conn.execute(select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = at or now_iso()
    payload_text = canonical_json(payload)
    conn.execute(events.insert().values(seq=seq, kind=kind, declaration_id=declaration_id, at=at, operator=operator,
                                        payload=payload_text, prev_hash=prev,
                                        hash=event_hash(seq, kind, declaration_id, at, operator,
                                                        json.loads(payload_text), prev)))
    return seq


@dataclass(frozen=True)
class Problem:
    """What verify found wrong, bilingual; ``event`` the first event that does not match (when one does not)."""

    zh: str
    en: str
    event: int | None = None
    declaration: int | None = None

    def text(self) -> str:
        return f"{self.zh} / {self.en}"


def verify_chain(conn) -> Iterator[Problem]:
    """Recompute the chain event by event, then compare every row the events vouch for with its digest; yields
    what does not match, the first bad event first. Every pass streams: memory does not grow with the registry."""
    prev = GENESIS
    expected_seq = 1
    for e in conn.execution_options(yield_per=1000).execute(select(events).order_by(events.c.seq)):
        payload = _payload(e.payload)
        recomputed = (event_hash(e.seq, e.kind, e.declaration_id, e.at, e.operator, payload, e.prev_hash)
                      if payload is not None else None)
        if e.seq != expected_seq:
            yield Problem(f"事件序号不连续：应为 {expected_seq}，实为 {e.seq}（有事件被删除或插入）",
                          f"event numbers break: expected {expected_seq}, found {e.seq} (an event was deleted or "
                          f"inserted)", e.seq, e.declaration_id)
            break
        if e.prev_hash != prev or recomputed != e.hash:
            yield Problem(f"事件 #{e.seq}（{e.kind}，申报 #{e.declaration_id}）与哈希链不符：该事件或其前一事件被改动",
                          f"event #{e.seq} ({e.kind}, declaration #{e.declaration_id}) does not match the hash "
                          f"chain: it or the event before it was altered", e.seq, e.declaration_id)
            break
        prev, expected_seq = e.hash, e.seq + 1
    yield from _verify_rows(conn)


def _payload(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _verify_rows(conn) -> Iterator[Problem]:
    """Each declaration row beside its ``accepted`` event (and whether a ``withdrawn`` event exists), each
    correction row beside its ``corrected`` event: index look-ups joined, streamed in id order."""
    accepted = events.alias("accepted_event")
    withdrawn = (select(events.c.seq).where(events.c.declaration_id == declarations.c.id, events.c.kind == "withdrawn")
                 .exists())
    q = (select(declarations, accepted.c.payload.label("accepted_payload"), withdrawn.label("has_withdrawn"))
         .outerjoin(accepted, (accepted.c.declaration_id == declarations.c.id) & (accepted.c.kind == "accepted"))
         .order_by(declarations.c.id))
    for row in conn.execution_options(yield_per=500).execute(q):
        payload = _payload(row.accepted_payload) if row.accepted_payload is not None else None
        record = {k: v for k, v in row._mapping.items() if k in declarations.c and k not in _NOT_DIGESTED}
        if payload is None:
            yield Problem(f"申报 #{row.id} 没有受理事件：该记录未经登记簿受理写入",
                          f"declaration #{row.id} has no accepted event: it was not written by accepting",
                          declaration=row.id)
        elif _digest(record) != payload.get("record_sha256"):
            yield Problem(f"申报 #{row.id} 的记录与其受理事件中的摘要不符：记录被改动",
                          f"declaration #{row.id} does not match the digest in its accepted event: the row was altered",
                          declaration=row.id)
        if (row.status == "withdrawn") != bool(row.has_withdrawn):
            yield Problem(f"申报 #{row.id} 的状态 {row.status} 与事件记录不符",
                          f"declaration #{row.id} has status {row.status}, which the events do not record",
                          declaration=row.id)
    orphans = (select(events.c.seq, events.c.declaration_id)
               .where(events.c.kind == "accepted",
                      ~select(declarations.c.id).where(declarations.c.id == events.c.declaration_id).exists())
               .order_by(events.c.seq))
    for e in conn.execute(orphans):
        yield Problem(f"申报 #{e.declaration_id} 已受理但记录缺失（被删除）", f"declaration #{e.declaration_id} was "
                      "accepted but its row is missing (deleted)", e.seq, e.declaration_id)
    fixes = (select(corrections, events.c.payload.label("event_payload"), events.c.kind.label("event_kind"))
             .outerjoin(events, events.c.seq == corrections.c.event_seq).order_by(corrections.c.id))
    for row in conn.execution_options(yield_per=500).execute(fixes):
        payload = _payload(row.event_payload) if row.event_payload is not None else None
        record = {k: v for k, v in row._mapping.items() if k in corrections.c}
        if row.event_kind != "corrected" or payload is None or _digest(record) != payload.get("correction_sha256"):
            yield Problem(f"申报 #{row.declaration_id} 的修正记录（事件 #{row.event_seq}）与事件不符：记录被改动",
                          f"the correction of declaration #{row.declaration_id} (event #{row.event_seq}) does not "
                          f"match its event: the row was altered", row.event_seq, row.declaration_id)
    lost = (select(events.c.seq).where(events.c.kind == "corrected",
                                       ~select(corrections.c.id).where(corrections.c.event_seq == events.c.seq).exists())
            .order_by(events.c.seq))
    for e in conn.execute(lost):
        yield Problem(f"事件 #{e.seq} 记录的修正缺失（被删除）", f"the correction recorded by event #{e.seq} is missing "
                      "(deleted)", e.seq)
