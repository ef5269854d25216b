"""The pages of the site about the printed documents: ``/reports/`` and ``/reports/YEAR/``
(the annual report itself, the same blocks as its PDF and .docx), and in internal builds
``/worklists/`` and ``/calendar/`` (how to subscribe). Rendered with the site's templates
and environment (``site/templates``, overridable from ``theme/templates``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import jinja2

from ..data.dataset import Dataset
from ..rules.audience import Audience
from ..rules.facts import Facts
from ..rules.worklists import worklists
from ..rules.yearreport import finished_plan_years, year_report
from ..site import urls
from ..site.fences import wrap_html_blocks
from ..site.sitegen import TemplateFailed, _template_failure, make_environment
from ..site.sitemodel import Model, Options, build_model
from .annual import annual_document
from .htmlout import fragment


def site_pages(full: Dataset, facts: Facts, audience: Audience,
               template_dirs: Iterable[Path] = (), *, pdf: bool = True) -> dict[str, str]:
    """Docs-tree path → Markdown of every page above; ``pdf``: the documents' PDFs are
    published beside their Word files (every build; not the preview), so link them."""
    model: Model = build_model(full, facts, Options(audience=audience))
    shown = model.data
    env = make_environment(template_dirs)
    pages: dict[str, str] = {}

    def page(url: str, template: str, **context: object) -> None:
        try:
            text = env.get_template(template).render(m=model, here=url, photo_plan=None,
                                                     pdf=pdf, **context)
        except jinja2.TemplateError as exc:
            raise _template_failure(exc, template) from exc
        pages[urls.source_of(url)] = wrap_html_blocks(text)

    years = finished_plan_years(shown, facts.as_of)
    page(urls.REPORTS, "reports.md.j2", years=list(reversed(years)))
    for year in years:
        doc = annual_document(shown, year_report(shown, facts, year),
                              internal=audience == "internal")
        page(urls.report(year), "report.md.j2", year=year, title=doc.title.replace("\n", ""),
             subtitle=doc.subtitle.strip("（）"), date_line=doc.date_line,
             fragment=fragment(doc))
    if audience == "internal":
        current = year_report(shown, facts, facts.as_of.year)
        lists = worklists(shown, current)
        plan = shown.plans.get(facts.as_of.year)
        page(urls.WORKLISTS, "worklists.md.j2", year=current.year, lists=lists)
        page(urls.CALENDAR, "calendar.md.j2", year=current.year, lists=lists,
             day=current.evaluation_day,
             day_from_plan=plan is not None and plan.evaluation_date is not None,
             programme_count=sum(1 for t in current.tasks if t.left is None))
    return pages


__all__ = ["TemplateFailed", "site_pages"]
