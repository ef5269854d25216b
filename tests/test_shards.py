"""MkDocs on two cores gives exactly the site it gives on one: every file, byte for byte
(menus, tag chips and the tag index included), for the sample and a large generated set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from test_scale_paths import make_wide
from test_site_support import AS_OF, REPO, SAMPLE, snapshot

from generator.engines import logs, pipeline
from generator.engines.shards import available


def _build(data: Path, out: Path, shards: int, audience: str = "public") -> dict[str, bytes]:
    logs.configure()
    pipeline.build_site(pipeline.BuildSettings(
        config_file=REPO / "mkdocs.yml", data_dir=data, out=out, audience=audience,  # type: ignore[arg-type]
        as_of=dt.date.fromisoformat(AS_OF), pdf=False, shards=shards))
    return snapshot(out)


@pytest.mark.skipif(not available(), reason="no fork, or one core")
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
    """``showcase serve`` runs server threads: forking then could hand a child a lock that
    another thread held (Python 3.12+ warns about it). Work then runs in this process, with
    the same results; with one thread, on both cores."""
    import threading

    from generator.base.parallel import fork_map, split, workers

    def square(part: tuple[int, list[int]]) -> list[int]:
        return [x * x for x in part[1]]

    items = list(range(10))
    alone = workers()
    assert alone == min(os.cpu_count() or 1, 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert workers() == 1 and not available()
        assert [y for part in fork_map(square, split(items, 2)) for y in part] == [x * x for x in items]
    finally:
        stop.set()
        other.join()
    assert workers() == alone
