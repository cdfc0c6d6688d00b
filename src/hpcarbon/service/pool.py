"""The worker process pool behind the service: validations run in separate processes, so a hostile file
can neither stall the event loop nor crash the server.

- **Bounded queue**: at most ``capacity`` files are queued or running; a request that would exceed it is
  refused up front (the service answers 429) instead of piling up.
- **Per-file timeout**: the gate gives up on a file after ``limits.timeout_seconds`` inside the worker;
  should a worker not answer ``grace_seconds`` after that (stuck in C code), every worker of the pool is
  killed and the pool replaced.
- **Crash isolation**: when a worker dies (a crash, the memory cap), every file that was in the pool is
  validated again, each in a process of its own: the file that kills its own process is answered with
  ``service.worker_died``; the others get their real report.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from hpcarbon.service.worker import UploadJob, limit_memory, run_upload, warm_up


class ValidationPool:
    def __init__(self, workers: int, capacity: int, grace_seconds: float = 10.0, memory_bytes: int = 0,
                 job: Callable = run_upload):
        self.workers, self.capacity, self.grace = workers, capacity, grace_seconds
        self.memory_bytes = memory_bytes
        self._job = job
        # forkserver: workers are forked from a clean server process with the validator preloaded, never from
        # the event loop's process with its threads and sockets
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["hpcarbon.service.worker", "hpcarbon.validator", "hpcarbon.html_report"])
        self._pool = self._new_pool(workers)
        self.in_flight = 0
        self.replaced = 0  # pools replaced after a crash or a stuck worker (health and tests)
        self._isolation: tuple | None = None  # (event loop, semaphore) bounding the one-file processes

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=self._ctx, initializer=limit_memory,
                                   initargs=(self.memory_bytes,))

    def start(self) -> list[int]:
        """Start every worker now (not on the first upload) and return their process ids."""
        futures = [self._pool.submit(warm_up) for _ in range(self.workers)]
        return [f.result() for f in futures]

    # --- the bounded queue --------------------------------------------------------------------------------
    def reserve(self, files: int) -> bool:
        """Take ``files`` places in the queue, or none when that would exceed its capacity (→ 429)."""
        if self.in_flight + files > self.capacity:
            return False
        self.in_flight += files
        return True

    def release(self, files: int) -> None:
        self.in_flight = max(0, self.in_flight - files)

    # --- running --------------------------------------------------------------------------------------------
    def _kill(self, pool: ProcessPoolExecutor) -> None:
        """Kill every worker of ``pool`` (one is stuck) and put a new pool in its place."""
        if pool is self._pool:
            self._pool = self._new_pool(self.workers)
            self.replaced += 1
        for proc in list(getattr(pool, "_processes", {}).values()):
            try:
                proc.kill()
            except (OSError, AttributeError):
                pass
        pool.shutdown(wait=False, cancel_futures=True)

    def _replace_broken(self, pool: ProcessPoolExecutor) -> None:
        if pool is self._pool:
            self._pool = self._new_pool(self.workers)
            self.replaced += 1
            pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, job: UploadJob, on_failure: Callable[[UploadJob, str], object], fn: Callable | None = None):
        """The outcome of ``fn(job)`` (default: validate the upload) in a worker; ``on_failure(job, "timeout" |
        "died")`` makes the answer when the file stalls or kills its worker. Never raises for a file's fault."""
        fn = fn or self._job
        timeout = job.limits.timeout_seconds + self.grace
        pool = self._pool
        try:
            future = pool.submit(fn, job)
        except (BrokenProcessPool, RuntimeError):  # broken or shut down meanwhile: the next pool
            self._replace_broken(pool)
            return await self._isolated(fn, job, timeout, on_failure)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            self._kill(pool)
            return on_failure(job, "timeout")
        except BrokenProcessPool:
            self._replace_broken(pool)
            return await self._isolated(fn, job, timeout, on_failure)
        except Exception:  # the job itself raised (it should not: the gate answers every file): still an answer
            return on_failure(job, "died")

    async def _isolated(self, fn: Callable, job: UploadJob, timeout: float, on_failure):
        """Validate again in a process of its own: only the file that kills it is answered as such. At most
        ``workers`` such processes at once, however many files were in the pool that broke."""
        loop = asyncio.get_running_loop()
        if self._isolation is None or self._isolation[0] is not loop:
            self._isolation = (loop, asyncio.Semaphore(self.workers))
        async with self._isolation[1]:
            return await self._alone(fn, job, timeout, on_failure)

    async def _alone(self, fn: Callable, job: UploadJob, timeout: float, on_failure):
        alone = self._new_pool(1)
        try:
            future = alone.submit(fn, job)
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            self._kill(alone)
            return on_failure(job, "timeout")
        except Exception:  # BrokenProcessPool: this file killed its own process
            return on_failure(job, "died")
        finally:
            alone.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
