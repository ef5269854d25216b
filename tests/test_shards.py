"""MkDocs on two cores gives exactly the site it gives on one: every file, byte for byte
(menus, tag chips and the tag index included), for the sample and a large generated set."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_scale_paths import make_wide
from test_site_support import AS_OF, REPO, SAMPLE, snapshot

_BUILD = """
import datetime as dt, sys
from pathlib import Path
from generator.engines import logs, pipeline
logs.configure()
data, out, shards, audience, as_of, config = sys.argv[1:]
pipeline.build_site(pipeline.BuildSettings(
    config_file=Path(config), data_dir=Path(data), out=Path(out), audience=audience,
    as_of=dt.date.fromisoformat(as_of), pdf=False, shards=int(shards)))
"""


def _build(data: Path, out: Path, shards: int, audience: str = "public") -> dict[str, bytes]:
    """A build with ``shards`` MkDocs processes, in a process of its own (one thread: the
    test runner's worker has threads of its own, and forks only where there are none)."""
    result = subprocess.run(
        [sys.executable, "-c", _BUILD, str(data), str(out), str(shards), audience, AS_OF,
         str(REPO / "mkdocs.yml")], capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stderr
    return snapshot(out)


FORK_AND_TWO_CORES = hasattr(os, "fork") and (os.cpu_count() or 1) > 1


@pytest.mark.skipif(not FORK_AND_TWO_CORES, reason="no fork, or one core")
@pytest.mark.parametrize(("which", "audience"), [("sample", "public"), ("sample", "internal"),
                                                 ("wide", "public")])
def test_two_shards_build_the_same_site_as_one(which: str, audience: str, tmp_path: Path) -> None:
    """(The internal build's management page links to draft experiences in Markdown: every
    shard must know every page.)"""
    data = SAMPLE if which == "sample" else make_wide(tmp_path)
    one = _build(data, tmp_path / "one", 1, audience)
    two = _build(data, tmp_path / "two", 2, audience)
    assert one.keys() == two.keys()
    differ = [path for path in one if one[path] != two[path]]
    assert differ == []
    assert sum(1 for p in one if p.endswith(".html")) > 150


def test_no_fork_while_other_threads_run() -> None:
    """``showcase serve`` runs server threads, a test runner's worker its own: forking then
    could hand a child a lock that another thread held (Python 3.12+ warns about it). Work
    then runs in this process, with the same results; with one thread, on both cores. (In a
    fresh process: this test's own process has the test runner's threads.)"""
    script = textwrap.dedent("""
        import os, sys, threading, warnings
        warnings.simplefilter("error")  # a fork with threads running would raise on 3.12+
        from generator.base.parallel import fork_map, split, threads, workers
        from generator.engines.shards import available

        def square(part):
            return [x * x for x in part[1]]

        items = list(range(10))
        expected = [x * x for x in items]
        assert threads() == 1, threads()
        alone = workers()
        assert alone == min(os.cpu_count() or 1, 2), alone
        assert [y for p in fork_map(square, split(items, 2)) for y in p] == expected
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert threads() == 2 and workers() == 1 and not available()
            assert [y for p in fork_map(square, split(items, 2)) for y in p] == expected
        finally:
            stop.set()
            other.join()
        assert workers() == alone
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
