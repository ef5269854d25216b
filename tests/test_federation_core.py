"""Joining members' data sets (data/federation.py, data/sources.py) on real git repositories,
in this process: namespaces, the last good commit, located problems that name the member,
photos found in the member's own media, and who may see a member's private fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from federation_support import MemberRepo, member_repo, set_program, write_sources
from test_site_support import MINIMAL

from generator.base.problems import ProblemsFound
from generator.data import loader
from generator.data.sources import join, update
from generator.rules.audience import view

SITE = "chengnan-taohua-cun"   # a site of the minimal data set, with a photo and awards
EXPERIENCE = "taohua-jifen-guanli"


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, list[MemberRepo]]:
    members = [member_repo(tmp_path, MINIMAL, key, name, code) for key, name, code in
               (("wuling", "武陵区", "430702"), ("dingcheng", "鼎城区", "430703"),
                ("taoyuan", "桃源县", "430725"))]
    own = tmp_path / "city" / "sites_data"
    shutil.copytree(MINIMAL, own)
    set_program(own, code="430700")
    write_sources(own, members)
    return own, members


def joined(own: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    data = loader.load(own)
    assert data.ok, [str(p) for p in data.problems]
    return join(data, own.parent / ".cache" / "sources", **kwargs)  # type: ignore[arg-type]


def test_the_same_ids_in_three_members_live_side_by_side(world: tuple[Path, list[MemberRepo]]) -> None:
    own, members = world
    data = joined(own)
    for m in members:
        assert f"{m.key}/{SITE}" in data.sites
        assert data.sites[f"{m.key}/{SITE}"].unit.startswith(f"{m.key}/")
        assert f"{m.key}/{EXPERIENCE}" in data.experiences
        exp = data.experiences[f"{m.key}/{EXPERIENCE}"]
        assert all(s.startswith(f"{m.key}/") for s in exp.sites)
        assert all(t.startswith(f"{m.key}/") for t in exp.themes)
    assert SITE in data.sites  # the aggregator's own, unchanged
    assert data.taxonomy is not None
    unit = data.taxonomy.units["wuling/chengnan"]
    assert "武陵区" in unit.name
    assert data.federation is not None and data.federation.behind == ()
    # a member's photo is found in its own media folder
    photo = data.sites[f"wuling/{SITE}"].photos[0].file
    assert photo.startswith("members/wuling/")
    assert data.media_path(photo) == (own.parent / ".cache" / "sources" / "wuling" / "trees"
                                      / members[0].head / "sites_data" / "media"
                                      / photo.removeprefix("members/wuling/"))
    assert data.media_path(photo).is_file()


def test_a_broken_commit_falls_back_to_the_last_good_one(world: tuple[Path, list[MemberRepo]]) -> None:
    own, members = world
    joined(own)  # the pins are valid: each becomes its member's last good commit
    broken = members[1]
    site = next((broken.data / "sites").rglob(f"{SITE}.yml"))
    site.write_text(site.read_text(encoding="utf-8") + "batch: [\n", encoding="utf-8")
    good = broken.head
    bad = broken.commit("一次失败的合并")
    write_sources(own, members, {broken.key: bad})
    data = joined(own)
    assert data.federation is not None
    assert data.federation.commits[broken.key] == good
    (behind,) = data.federation.behind
    assert behind.member.key == broken.key and behind.pinned == bad and behind.used == good
    assert behind.reasons and f"{broken.key}/sites_data/sites/" in behind.reasons[0]
    assert "〔鼎城区" in behind.reasons[0]
    assert f"{broken.key}/{SITE}" in data.sites  # shown, from the good commit
    warnings = [str(p) for p in data.problems if "鼎城区" in p.message]
    assert warnings and all(": warning: " in w for w in warnings)
    with pytest.raises(ProblemsFound) as strict:
        joined(own, strict=True)
    assert any(p.path.startswith(f"{broken.key}/sites_data/sites/") for p in strict.value.errors)


def test_an_unknown_category_is_located_and_names_the_member(world: tuple[Path, list[MemberRepo]]) -> None:
    own, members = world
    m = members[2]
    taxonomy = m.data / "taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace(
        "categories:\n", "categories:\n  hospital:\n    name: 医院\n", 1), encoding="utf-8")
    site = next((m.data / "sites").rglob(f"{SITE}.yml"))
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("category: rural", "category: hospital"), encoding="utf-8")
    m.commit("新类别")
    write_sources(own, members)
    with pytest.raises(ProblemsFound) as strict:
        joined(own, strict=True)
    (problem,) = [p for p in strict.value.errors if "hospital" in p.message
                  and "/sites/" in p.path]
    assert [p.path for p in strict.value.errors if "hospital" in p.message
            and p.path.endswith("taxonomy.yml")] == [f"{m.key}/sites_data/taxonomy.yml"]
    line = next(i for i, t in enumerate(site.read_text(encoding="utf-8").splitlines(), 1)
                if t.startswith("category:"))
    assert problem.path == f"{m.key}/sites_data/sites/{site.parent.name}/{SITE}.yml"
    assert problem.line == line and "〔桃源县〕" in problem.message
    data = joined(own)  # not strict: the member is left out (no good commit to fall back on)
    assert data.federation is not None
    assert [b.member.key for b in data.federation.behind] == [m.key]
    assert not any(i.startswith(f"{m.key}/") for i in data.sites)


def test_references_across_members(world: tuple[Path, list[MemberRepo]]) -> None:
    own, members = world
    a = members[0]
    exp = next((a.data / "experiences").rglob(f"{EXPERIENCE}.yml"))
    text = exp.read_text(encoding="utf-8")
    exp.write_text(text.replace("sites:\n", f"sites:\n  - dingcheng/{SITE}\n", 1), encoding="utf-8")
    a.commit("跨区经验")
    write_sources(own, members)
    data = joined(own)
    assert f"dingcheng/{SITE}" in data.experiences[f"wuling/{EXPERIENCE}"].sites
    exp.write_text(text.replace("sites:\n", "sites:\n  - nowhere/x\n", 1), encoding="utf-8")
    a.commit("写错的引用")
    write_sources(own, members)
    with pytest.raises(ProblemsFound) as strict:
        joined(own, strict=True)
    (problem,) = [p for p in strict.value.errors if "nowhere/x" in p.message]
    assert problem.path.startswith("wuling/sites_data/experiences/") and "〔武陵区〕" in problem.message


def test_private_fields_reach_only_a_trusted_aggregators_internal_view(
        world: tuple[Path, list[MemberRepo]]) -> None:
    own, members = world
    trusting = members[0]
    set_program(trusting.data, share_internal_with=["430700"])
    trusting.commit("向市级平台开放内部信息")
    write_sources(own, members)
    data = joined(own)
    assert data.federation is not None and data.federation.trusted == {"wuling"}
    internal, public = view(data, "internal"), view(data, "public")
    assert internal.sites[f"wuling/{SITE}"].awards, "a trusting member's awards are internal"
    assert not internal.sites[f"dingcheng/{SITE}"].awards, "the others' stay private"
    assert internal.sites[SITE].awards  # the aggregator's own
    assert not any(s.awards for s in public.sites.values())


def test_moving_pins_says_what_changed(world: tuple[Path, list[MemberRepo]]) -> None:
    own, members = world
    old = members[0].head
    site = next((members[0].data / "sites").rglob(f"{SITE}.yml"))
    site.write_text(site.read_text(encoding="utf-8").replace("summary: ", "summary: 更新：", 1),
                    encoding="utf-8")
    extra = members[0].data / "sites" / "2026" / "xinzeng-cun.yml"
    extra.write_text(next((members[0].data / "sites").rglob(f"{SITE}.yml")).read_text(
        encoding="utf-8"), encoding="utf-8")
    new = members[0].commit("更新与新增")
    data = loader.load(own)
    moved, text = update(data, own.parent / ".cache" / "sources", ["wuling"])
    (m,) = moved
    assert (m.old, m.new) == (old, new) and m.valid
    assert m.added == {"sites": ["xinzeng-cun"]} and m.changed == {"sites": [SITE]}
    assert text is not None
    assert text.decode() == (own / "sources.yml").read_text(encoding="utf-8").replace(old, new)


def test_a_compilation_of_the_aggregator_selects_across_members(
        world: tuple[Path, list[MemberRepo]]) -> None:
    from generator.rules.compilation import select_experiences

    own, _members = world
    comp = own / "compilations" / "kuaqu-huibian.yml"
    comp.write_text("title: 跨区经验汇编\nselect:\n  units:\n    - wuling/chengnan\n"
                    "    - dingcheng/chengnan\norder: unit\n", encoding="utf-8")
    standalone = loader.load(own)
    assert standalone.ok, [str(p) for p in standalone.problems]  # checked when joined
    data = joined(own)
    chosen = select_experiences(data, data.compilations["kuaqu-huibian"])
    assert chosen and {i.split("/")[0] for i in chosen} == {"wuling", "dingcheng"}
    comp.write_text("title: 跨区经验汇编\nselect:\n  units:\n    - wuling/nowhere\n",
                    encoding="utf-8")
    with pytest.raises(ProblemsFound) as errors:
        joined(own)
    (problem,) = errors.value.errors
    assert problem.path.endswith("compilations/kuaqu-huibian.yml") and problem.line == 4
    assert "管理单位“wuling/nowhere”不存在" in problem.message


def test_the_aggregators_plan_counts_its_own_sites(world: tuple[Path, list[MemberRepo]]) -> None:
    """Each programme's plan is its own: the city's 2025 quota is met by the city's own
    sites of that batch, each district's by its own (on the members' pages)."""
    import datetime as dt

    from generator.rules.facts import derive
    from generator.rules.members import member_plans

    own, _members = world
    data = joined(own)
    facts = derive(data, dt.date(2026, 11, 28))
    alone = derive(loader.load(own), dt.date(2026, 11, 28))
    assert facts.plans[2025].candidates == alone.plans[2025].candidates
    assert member_plans(data, facts, "wuling")[2025].candidates == alone.plans[2025].candidates
