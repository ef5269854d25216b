"""Which documents a build publishes, and making them on both cores.

Every build: ``reports/YEAR/annual-YEAR.pdf`` and ``.docx`` for each plan year before the
reference date's year (SPEC §6; the audience's version), and ``compilations/<id>.docx``
beside each compilation PDF. Internal builds also: ``worklists/unit-<key>.pdf|.docx`` and
``worklists/supervisor-<slug>.pdf|.docx`` for every managing unit and supervisor, and
``calendar/programme.ics``, ``calendar/unit-<key>.ics``, ``calendar/supervisor-<slug>.ics``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..base.parallel import fork_map
from ..base.reference import epoch_of
from ..data.dataset import Dataset
from ..media.variants import PhotoPlan
from ..rules.audience import Audience
from ..rules.facts import Facts
from ..rules.worklists import Worklist, worklists
from ..rules.yearreport import YearReport, finished_plan_years, year_report
from ..site import urls
from .annual import annual_document
from .blocks import Document, Heading, Para, Table
from .calendar import Feeds
from .compilation import compilation_document
from .docxout import render_docx
from .pdfout import render_pdf
from .worklists import worklist_document

PROGRAMME_CALENDAR = "programme"


@dataclass(frozen=True)
class Job:
    """One file of the built site: its path, how to make its bytes (and warnings), and a
    rough cost to share the work evenly between the cores (about tenths of a second)."""

    path: str
    make: Callable[[], tuple[bytes, list[str]]]
    cost: float = 1.0


def created(as_of: dt.date) -> dt.datetime:
    """The date written into documents: the reference date, midnight UTC."""
    return dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)


@contextlib.contextmanager
def reproducible(as_of: dt.date) -> Iterator[None]:
    """WeasyPrint dates its PDFs (the compilations a build makes among these jobs) from
    SOURCE_DATE_EPOCH: the reference date, unless the caller set one."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if saved is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch_of(as_of))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def text_size(doc: Document) -> int:
    """The characters of a document's paragraphs and tables: what its files cost to make."""
    size = 0
    for block in doc.blocks:
        if isinstance(block, Table):
            size += sum(len(cell) for row in block.rows for cell in row)
        elif isinstance(block, Para | Heading):
            size += len(block.text)
    return size


def document_jobs(path_stem: str, doc: Document, *, as_of: dt.date,
                  formats: Sequence[str] = ("pdf", "docx")) -> list[Job]:
    """``path_stem.pdf`` and/or ``path_stem.docx`` of one document (costs measured at ×50:
    about 12 ms a small PDF and 7 ms its Word file, 1 s a PDF of 120,000 characters)."""
    jobs = []
    size = text_size(doc)
    if "pdf" in formats:
        jobs.append(Job(f"{path_stem}.pdf", lambda: (render_pdf(doc, created=created(as_of)), []),
                        0.1 + size / 12000))
    if "docx" in formats:
        jobs.append(Job(f"{path_stem}.docx", lambda: (render_docx(doc, created=created(as_of)), []),
                        0.07 + size / 35000))
    return jobs


def annual_jobs(shown: Dataset, facts: Facts, audience: Audience,
                formats: Sequence[str] = ("pdf", "docx")) -> list[Job]:
    jobs = []
    for year in finished_plan_years(shown, facts.as_of):
        report = year_report(shown, facts, year)
        doc = annual_document(shown, report, internal=audience == "internal")
        stem = urls.report_file(year, "pdf").removesuffix(".pdf")
        jobs += document_jobs(stem, doc, as_of=facts.as_of, formats=formats)
    return jobs


def compilation_jobs(shown: Dataset, ids: Iterable[str], as_of: dt.date,
                     photos: PhotoPlan | None) -> list[Job]:
    jobs = []
    for ident in sorted(ids):
        def make(ident: str = ident) -> tuple[bytes, list[str]]:
            notes: list[str] = []
            doc = compilation_document(shown, ident, photos=photos, notes=notes)
            return render_docx(doc, created=created(as_of)), [
                f"经验汇编 {ident}（Word）：{n}" for n in dict.fromkeys(notes)]
        jobs.append(Job(urls.compilation_docx(ident), make, 3.0))
    return jobs


def current_year(shown: Dataset, facts: Facts) -> YearReport:
    return year_report(shown, facts, facts.as_of.year)


def worklist_jobs(shown: Dataset, facts: Facts,
                  formats: Sequence[str] = ("pdf", "docx")) -> list[Job]:
    """The worklists (PDF, .docx) and the calendars of the reference date's year."""
    report = current_year(shown, facts)
    feeds = Feeds(shown, report)
    jobs: list[Job] = []
    for wl in worklists(shown, report):
        doc = worklist_document(shown, wl, report)
        stem = urls.worklist_file(wl.name, "pdf").removesuffix(".pdf")
        jobs += document_jobs(stem, doc, as_of=facts.as_of, formats=formats)
        def feed(wl: Worklist = wl) -> tuple[bytes, list[str]]:
            return feeds.worklist(wl), []
        jobs.append(Job(urls.calendar_file(wl.name), feed, 0.03 + 0.003 * len(wl.tasks)))
    jobs.append(Job(urls.calendar_file(PROGRAMME_CALENDAR), lambda: (feeds.programme(), []),
                    0.03 + 0.003 * len(report.tasks)))
    return jobs


def formats_of(pdf: bool) -> tuple[str, ...]:
    """Every build makes both (``--no-pdf`` leaves out the compilations' PDFs only, SPEC
    §3); the preview (``showcase serve``) makes the Word files alone."""
    return ("pdf", "docx") if pdf else ("docx",)


def site_jobs(shown: Dataset, facts: Facts, audience: Audience, *, compilations: Iterable[str],
              photos: PhotoPlan | None, pdf: bool = True) -> list[Job]:
    """Every document a build of ``audience`` publishes besides the compilation PDFs;
    ``pdf``: the annual reports' and worklists' PDFs too (False only in the preview)."""
    jobs = annual_jobs(shown, facts, audience, formats_of(pdf))
    jobs += compilation_jobs(shown, compilations, facts.as_of, photos)
    if audience == "internal":
        jobs += worklist_jobs(shown, facts, formats_of(pdf))
    return jobs


def _balanced(jobs: Sequence[Job], parts: int) -> list[list[Job]]:
    """Jobs shared out, most costly first, each to the part with the least work so far."""
    bins: list[list[Job]] = [[] for _ in range(parts)]
    loads = [0.0] * parts
    for job in sorted(jobs, key=lambda j: -j.cost):
        i = loads.index(min(loads))
        bins[i].append(job)
        loads[i] += job.cost
    return [b for b in bins if b]


def run_jobs(folder: Path, jobs: Sequence[Job], as_of: dt.date) -> list[str]:
    """Make every job's file below ``folder`` (on both cores); returns the warnings."""
    def work(part: list[Job]) -> list[str]:
        warnings: list[str] = []
        with reproducible(as_of):
            for job in part:
                content, notes = job.make()
                target = folder / job.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                warnings += notes
        return warnings

    if not jobs:
        return []
    return [w for part in fork_map(work, _balanced(jobs, 2)) for w in part]
