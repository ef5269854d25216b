"""MkDocs on two cores gives exactly the site it gives on one: every file, byte for byte
(menus, tag chips and the tag index included), for the sample and a large generated set."""

from __future__ import annotations

import datetime as dt
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
