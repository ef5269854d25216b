"""Both cores for work that splits into independent parts.

Workers are forked from this process, so they start at once and share everything it has
already built (records, templates, closures); only the results travel back, pickled,
through a pipe. Where ``fork`` is not available (Windows) or there is one part, the work
runs here, in order. This process does the first part itself while the others run.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def threads() -> int:
    """Threads of this process as the system counts them (Python's and those a C library
    started — what Python 3.12+ looks at when it warns about ``fork``)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def workers() -> int:
    """How many processes to split work into (two cores here; one without fork, and one in
    a process that runs other threads — ``showcase serve``'s server, a test runner's worker:
    a forked child gets only the forking thread, and a lock another thread held at that
    moment stays locked in the child for ever; Python 3.12+ warns about it). The work then
    runs in this process, in order: slower, never wrong."""
    if not hasattr(os, "fork") or threads() > 1:
        return 1
    return min(os.cpu_count() or 1, 2)


def as_child() -> None:
    """In a forked worker: SIGTERM and SIGINT end it at once, as they would a plain process
    (the parent's handlers would raise into the parent's code, copied into the child)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(pids: list[int]) -> None:
    """End forked workers that are no longer wanted (the parent was interrupted)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            continue


def split(items: Sequence[T], parts: int) -> list[tuple[int, Sequence[T]]]:
    """``items`` in up to ``parts`` consecutive runs of about equal size, with their start."""
    if not items:
        return [(0, items)]
    size = -(-len(items) // max(parts, 1))
    return [(start, items[start:start + size]) for start in range(0, len(items), size)]


def _child(func: Callable[[T], R], part: T, write_fd: int) -> None:
    try:
        payload = pickle.dumps((True, func(part)), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # sent to the parent, raised there
        try:
            payload = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with os.fdopen(write_fd, "wb") as pipe:
        pipe.write(payload)


def fork_map(func: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """``[func(p) for p in parts]``, the parts after the first in forked workers."""
    if len(parts) <= 1 or workers() <= 1:
        return [func(p) for p in parts]
    children: list[tuple[int, int]] = []
    sys.stdout.flush()
    sys.stderr.flush()
    for part in parts[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: do its part, send it back, and leave at once
            as_child()
            os.close(read_fd)
            code = 0
            try:
                _child(func, part, write_fd)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        children.append((pid, read_fd))
    results: list[Any] = []
    failure: BaseException | None = None
    try:
        results.append(func(parts[0]))
    except Exception as exc:
        failure = exc
    except BaseException:  # interrupted (Ctrl+C, SIGTERM): the workers go too
        stop([pid for pid, _fd in children])
        raise
    waiting = [pid for pid, _fd in children]
    try:
        for pid, read_fd in children:
            with os.fdopen(read_fd, "rb") as pipe:
                data = pipe.read()
            _pid, status = os.waitpid(pid, 0)
            waiting.remove(pid)
            if failure is not None:
                continue
            if not data:
                failure = RuntimeError(f"worker process ended without a result ({status})")
                continue
            ok, value = pickle.loads(data)
            if ok:
                results.append(value)
            else:
                failure = value
    except BaseException:
        stop(waiting)
        raise
    if failure is not None:
        raise failure
    return results
