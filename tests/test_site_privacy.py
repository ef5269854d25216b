"""Privacy (SPEC §2 "public: no"): a distinct canary in every private field and in draft
experiences of a copy of tests/fixtures/minimal. The public build must not contain any of
them in any file (pages, search index, sitemap, feed, open data, PDFs); the internal build
must contain each (so the canaries really were in the data)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from test_site_support import MINIMAL, build, build_ok, readable_text

# Canaries are lowercase ASCII letters only, so that no escaping (HTML, Markdown, JSON,
# CSV) and no word segmentation can hide them.
CANARIES = {
    "contacts.leader.phone": "qzxleaderphoneqzx",
    "contacts.supervisor.phone": "qzxsupervisorphoneqzx",
    "contacts.liaison.phone": "qzxliaisonphoneqzx",
    "evaluations.score": "97.31",
    "evaluations.score (2nd)": "96.83",
    "evaluations.evaluator": "qzxevaluatorqzx",
    "evaluations.remarks": "qzxremarksqzx",
    "awards.amount": "8642.17",
    "awards.purpose": "qzxawardpurposeqzx",
    "withdrawn.reason": "qzxwithdrawnreasonqzx",
    "internal.note": "qzxinternalnoteqzx",
    "internal.nested": "qzxinternalnestedqzx",
    "internal.list": "qzxinternallistqzx",
    "draft.title": "qzxdrafttitleqzx",
    "draft.summary": "qzxdraftsummaryqzx",
    "draft.body": "qzxdraftbodyqzx",
    "draft.author": "qzxdraftauthorqzx",
    "draft (md file).title": "qzxdraftmdtitleqzx",
    "draft (md file).body": "qzxdraftmdbodyqzx",
}
C = CANARIES

CANARY_SITE = f"""\
name: 中共测试镇探针村委员会
short_name: 探针村
category: rural
unit: chengnan
batch: 2024
summary: 隐私测试用记录。
contacts:
  leader:
    name: 甲
    title: 部长
    phone: '{C["contacts.leader.phone"]}'
  supervisor:
    name: 乙
    phone: '{C["contacts.supervisor.phone"]}'
  liaison:
    name: 丙
    phone: '{C["contacts.liaison.phone"]}'
evaluations:
  - year: 2024
    date: 2024-11-20
    result: pass
    score: {C["evaluations.score"]}
    evaluator: {C["evaluations.evaluator"]}
    remarks: |
      意见：{C["evaluations.remarks"]}
  - year: 2025
    date: 2025-11-20
    result: excellent
    score: {C["evaluations.score (2nd)"]}
awards:
  - year: 2025
    amount: {C["awards.amount"]}
    purpose: {C["awards.purpose"]}
internal:
  note: {C["internal.note"]}
  more:
    deeper: {C["internal.nested"]}
  items:
    - {C["internal.list"]}
"""

WITHDRAWN_SITE = f"""\
name: 中共测试街道退出社区委员会
category: community
unit: hexi
batch: 2025
summary: 隐私测试用记录（已退出）。
evaluations:
  - year: 2025
    date: 2025-11-20
    result: pass
withdrawn:
  date: 2026-02-01
  reason: {C["withdrawn.reason"]}
"""

# A creation unit due for its first evaluation in the reference year: it is on this year's
# worklists and calendars (internal builds), which carry the contacts' phones.
TASK_SITE = f"""\
name: 中共测试镇探针二村委员会
short_name: 探针二村
category: rural
unit: chengnan
batch: 2026
summary: 隐私测试用记录（本年度应考评）。
contacts:
  leader:
    name: 丁
    phone: '{C["contacts.leader.phone"]}'
  supervisor:
    name: 乙
    phone: '{C["contacts.supervisor.phone"]}'
  liaison:
    name: 丙
    phone: '{C["contacts.liaison.phone"]}'
"""

DRAFT = f"""\
title: 草稿 {C["draft.title"]}
sites:
  - tanzhen-cun
year: 2025
themes:
  - party_education
summary: {C["draft.summary"]}
author: {C["draft.author"]}
draft: true
body: |
  正文 {C["draft.body"]}
"""

DRAFT_MD = f"""\
title: 草稿二 {C["draft (md file).title"]}
sites:
  - tanzhen-cun
  - chengnan-taohua-cun
year: 2024
themes:
  - service
summary: 另一篇草稿。
author: 中共城南区委组织部
draft: true
"""

# A compilation that names the drafts: they must still not be printed.
COMPILATION = """\
title: 隐私测试汇编
include:
  - tanzhen-caogao
  - tanzhen-caogao-md
  - taohua-jifen-guanli
"""


def canary_data(root: Path) -> Path:
    data = root / "canary-data"
    shutil.copytree(MINIMAL, data)
    (data / "sites" / "2024" / "tanzhen-cun.yml").write_text(CANARY_SITE, encoding="utf-8")
    (data / "sites" / "2025" / "tanzhen-tuichu-shequ.yml").write_text(WITHDRAWN_SITE,
                                                                        encoding="utf-8")
    (data / "sites" / "2026").mkdir(exist_ok=True)
    (data / "sites" / "2026" / "tanzhen-er-cun.yml").write_text(TASK_SITE, encoding="utf-8")
    exp = data / "experiences" / "2025"
    (exp / "tanzhen-caogao.yml").write_text(DRAFT, encoding="utf-8")
    (exp / "tanzhen-caogao-md.yml").write_text(DRAFT_MD, encoding="utf-8")
    (exp / "tanzhen-caogao-md.md").write_text(
        textwrap.dedent(f"""\
            ## 做法

            {C["draft (md file).body"]}
            """), encoding="utf-8")
    (data / "compilations" / "tanzhen-huibian.yml").write_text(COMPILATION, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return canary_data(tmp_path_factory.mktemp("privacy"))


@pytest.fixture(scope="module")
def public_site(data: Path) -> Path:
    return build_ok(data, data.parent / "public")


@pytest.fixture(scope="module")
def internal_site(data: Path) -> Path:
    return build_ok(data, data.parent / "internal", audience="internal")


def leaks(site: Path) -> dict[str, list[str]]:
    """canary field -> files of ``site`` containing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix in {".jpg", ".png", ".svg", ".woff2"}:
            continue
        text = readable_text(path)
        for name, canary in CANARIES.items():
            if canary in text:
                found.setdefault(name, []).append(path.relative_to(site).as_posix())
    return found


def test_no_private_value_anywhere_in_the_public_build(public_site: Path) -> None:
    found = leaks(public_site)
    assert not found, "private values in the public build:\n" + json.dumps(
        found, ensure_ascii=False, indent=1)


def test_every_canary_is_in_the_internal_build(internal_site: Path) -> None:
    found = leaks(internal_site)
    missing = [name for name in CANARIES if name not in found]
    assert not missing, f"canaries missing from the internal build: {missing}"
    # ... and on the pages a member of staff reads, not only in the exports.
    pages = {name: [f for f in files if f.endswith(".html")] for name, files in found.items()}
    assert not [name for name, files in pages.items() if not files], pages


def test_public_exports_have_no_private_keys(public_site: Path) -> None:
    rows = json.loads((public_site / "data" / "sites.json").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["id"] == "tanzhen-cun")
    assert "awards" not in row and "internal" not in row
    assert all("phone" not in person for person in row["contacts"].values() if person)
    assert all(set(ev) == {"year", "date", "result"} for ev in row["evaluations"])
    withdrawn = next(r for r in rows if r["id"] == "tanzhen-tuichu-shequ")
    assert withdrawn["status"] == "withdrawn"
    assert set(withdrawn["withdrawn"]) == {"date"}
    header = (public_site / "data" / "sites.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    for word in ("phone", "award", "score", "remark", "evaluator", "reason", "internal"):
        assert word not in header
    exps = json.loads((public_site / "data" / "experiences.json").read_text(encoding="utf-8"))
    assert not [e for e in exps if e["id"].startswith("tanzhen-caogao")]


def test_public_build_keeps_public_fields_of_the_canary_site(public_site: Path) -> None:
    page = (public_site / "sites" / "tanzhen-cun" / "index.html").read_text(encoding="utf-8")
    for public in ("中共测试镇探针村委员会", "甲", "部长", "2024-11-20", "合格", "优秀"):
        assert public in page
    assert not (public_site / "experiences" / "tanzhen-caogao").exists()
    assert not (public_site / "experiences" / "tanzhen-caogao-md").exists()


@pytest.mark.skipif(importlib.util.find_spec("generator.pdf.render") is None,
                    reason="generator.pdf.render is not there yet")
def test_public_pdfs_have_no_private_value(data: Path, tmp_path: Path) -> None:
    try:
        import generator.pdf.render  # noqa: F401
    except Exception as exc:  # being written by someone else: skip rather than fail
        pytest.skip(f"generator.pdf.render cannot be imported: {exc}")
    out = tmp_path / "with-pdf"
    result = build(data, out, pdf=True)
    assert result.returncode == 0, result.stdout + result.stderr
    pdfs = sorted(out.rglob("*.pdf"))
    assert {p.name for p in pdfs} >= {"huibian-2025.pdf", "tanzhen-huibian.pdf"}
    # The compilation page links its PDF.
    page = (out / "compilations" / "tanzhen-huibian" / "index.html").read_text(encoding="utf-8")
    assert "tanzhen-huibian.pdf" in page
    text = readable_text(out / "compilations" / "tanzhen-huibian.pdf")
    assert "积分" in text, "no extractable Chinese text in the PDF: the check would prove nothing"
    # The annual report's PDF and every Word file are read too (issue 21).
    assert "探针村" in readable_text(out / "reports" / "2025" / "annual-2025.pdf")
    assert "积分" in readable_text(out / "compilations" / "tanzhen-huibian.docx")
    found = leaks(out)
    assert not found, f"private values in the public build with PDFs: {found}"


# ---------------------------------------------------------------- the documents of issue 21

def test_public_documents_are_read_and_hold_no_private_value(public_site: Path) -> None:
    """The annual report (page, PDF, Word) of the public build: read back as text (so the
    canary search above really looked inside them), public facts in, nothing private."""
    docx = public_site / "reports" / "2025" / "annual-2025.docx"
    for path in (docx, public_site / "reports" / "2025" / "index.html"):
        text = readable_text(path)
        assert "探针村" in text and "2025" in text, path  # the canary site's public name
        assert not [n for n, c in CANARIES.items() if c in text], path
    # Internal-only outputs do not exist in a public build.
    assert not (public_site / "worklists").exists()
    assert not (public_site / "calendar").exists()
    assert not list(public_site.rglob("*.ics"))


def test_internal_documents_carry_the_private_values(internal_site: Path) -> None:
    """The same readers find the canaries in the internal build's documents: phones in the
    worklists and calendars, scores, remarks and awards in the internal annual report."""
    def found(path: Path) -> set[str]:
        text = readable_text(path)
        return {name for name, canary in CANARIES.items() if canary in text}

    report = internal_site / "reports" / "2025"
    in_report = found(report / "annual-2025.docx")
    # The canary site's 2025 evaluation (its score) and its 2025 award.
    assert {"evaluations.score (2nd)", "awards.amount"} <= in_report, in_report
    feeds = [p for p in (internal_site / "calendar").glob("*.ics") if "contacts.leader.phone" in found(p)]
    assert feeds, "no calendar carries the canary site's phones"
    lists = [p for p in (internal_site / "worklists").glob("*.docx")
             if "contacts.supervisor.phone" in found(p)]
    assert lists, "no worklist carries the canary site's phones"
