"""The service's worker pool and download store, in process: a file that kills its worker or never
finishes is answered as such, every other file in the pool at that moment still gets its own answer, the
pool is replaced and keeps working; the queue is bounded; annotated copies expire and are bounded."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from service_support import misbehaving_job

from hpcarbon.service.downloads import DownloadStore
from hpcarbon.service.pool import ValidationPool
from hpcarbon.service.worker import UploadJob
from hpcarbon.validator.limits import DEFAULT_LIMITS

LIMITS = replace(DEFAULT_LIMITS, timeout_seconds=1.0)


def _job(i: int, data: bytes) -> UploadJob:
    return UploadJob(i, f"f{i}.xlsx", data, LIMITS)


def _failed(job, kind):
    return ("failed", job.index, kind)


@pytest.fixture(scope="module")
def pool():
    p = ValidationPool(workers=2, capacity=8, grace_seconds=1.0, memory_bytes=512 * 1024 * 1024, job=misbehaving_job)
    p.start()
    yield p
    p.shutdown()


def _run(pool, datas):
    async def go():
        return await asyncio.gather(*(pool.run(_job(i, d), _failed) for i, d in enumerate(datas)))
    return asyncio.run(go())


def test_a_crashing_file_is_answered_and_the_others_are_not_lost(pool):
    before = pool.replaced
    out = _run(pool, [b"a", b"crash", b"b", b"c"])
    assert [o[:2] for o in out] == [("ok", 0), ("failed", 1), ("ok", 2), ("ok", 3)]
    assert out[1][2] == "died" and pool.replaced >= before + 1
    assert [o[:2] for o in _run(pool, [b"d", b"e"])] == [("ok", 0), ("ok", 1)]  # the new pool works


def test_a_stuck_file_is_cut_off_after_its_timeout(pool):
    started = time.monotonic()
    out = _run(pool, [b"hang", b"a"])
    took = time.monotonic() - started
    assert out[0] == ("failed", 0, "timeout") and out[1][:2] == ("ok", 1)
    assert took < 1.0 + 1.0 + 8  # timeout + grace, plus the isolated retry's start on a busy machine
    assert _run(pool, [b"x"])[0][:2] == ("ok", 0)


def test_a_job_that_raises_or_exceeds_the_memory_cap_is_answered(pool):
    out = _run(pool, [b"raise", b"memory", b"ok"])
    assert out[0] == ("failed", 0, "died") and out[1] == ("failed", 1, "died") and out[2][:2] == ("ok", 2)


def test_the_queue_is_bounded(pool):
    assert pool.reserve(5) and pool.reserve(3)
    assert not pool.reserve(1)
    pool.release(8)
    assert pool.reserve(8)
    pool.release(8)
    assert pool.in_flight == 0


def test_downloads_expire_and_are_bounded():
    now = [0.0]
    store = DownloadStore(ttl_seconds=60, max_bytes=10, clock=lambda: now[0])
    a = store.put("a.xlsx", b"12345")
    b = store.put("b.xlsx", b"678")
    assert store.get(a).data == b"12345" and len(a) >= 43 and a != b
    c = store.put("c.xlsx", b"9012")  # 5 + 3 + 4 > 10: the oldest goes
    assert store.get(a) is None and store.get(b).data == b"678" and store.get(c).data == b"9012"
    now[0] = 61
    assert store.get(b) is None and store.get(c) is None and len(store) == 0
