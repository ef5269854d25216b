"""Which experiences a compilation (经验汇编) contains, and in what order (SPEC §2).

Pure functions over a loaded data set: no I/O. Call them with the audience view the output is
for (``audience.view(data, "public")`` for anything published): an id missing from that view
(a draft, in a public view) is simply not there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from ..data.dataset import Dataset
from ..model.records import Compilation, Experience, Site
from .duties import experience_unit

ORDERS = ("unit", "category", "theme", "date")
DEFAULT_ORDER = "unit"

# Sorts after every real taxonomy position (a key the taxonomy does not know).
_LAST = 1 << 30


def select_experiences(data: Dataset, comp: Compilation) -> list[str]:
    """The ids of the experiences ``comp`` contains, in print order.

    * ``include``: that order; ids not in ``data`` (e.g. drafts in a public view), drafts and
      repeated ids are skipped.
    * ``select``: every non-draft experience matching all non-empty filters — its year in
      ``years``, any of its themes in ``themes``, its managing unit
      (:func:`duties.experience_unit`) in ``units``, its ``promoted`` in ``promoted`` —
      ordered by ``order`` (default ``unit``):

      - ``unit``: taxonomy order of the managing unit;
      - ``category``: taxonomy order of the category of its first site;
      - ``theme``: taxonomy order of its first theme;
      - ``date``: chronological only;

      then, within each group, by date (an undated experience counts as 31 December of its
      year), year, title and finally id, so the order is always deterministic.
    * neither: nothing.
    """
    experiences = data.experiences
    if comp.include is not None:
        chosen: list[str] = []
        for ident in comp.include:
            exp = experiences.get(ident)
            if exp is not None and not exp.draft and ident not in chosen:
                chosen.append(ident)
        return chosen
    sel = comp.select
    if sel is None:
        return []
    years, themes = set(sel.years), set(sel.themes)
    units, promoted = set(sel.units), set(sel.promoted)
    matches = [
        ident for ident, exp in experiences.items()
        if not exp.draft
        and (not years or exp.year in years)
        and (not themes or any(t in themes for t in exp.themes))
        and (not units or experience_unit(exp, data.sites) in units)
        and (not promoted or exp.promoted in promoted)
    ]
    return order_experiences(data, matches, comp.order or DEFAULT_ORDER)


def order_experiences(data: Dataset, ids: Iterable[str], order: str) -> list[str]:
    """``ids`` sorted as a ``select`` compilation with this ``order`` sorts them."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {ORDERS}")
    tax = data.taxonomy
    unit_rank = _ranks(tax.units if tax else {})
    category_rank = _ranks(tax.categories if tax else {})
    theme_rank = _ranks(tax.themes if tax else {})
    sites = data.sites

    def group(exp: Experience) -> int:
        if order == "unit":
            return _rank(unit_rank, experience_unit(exp, sites))
        if order == "category":
            return _rank(category_rank, _first_site_category(exp, sites))
        if order == "theme":
            return _rank(theme_rank, exp.themes[0] if exp.themes else None)
        return 0

    def key(ident: str) -> tuple[int, dt.date, int, str, str]:
        exp = data.experiences[ident]
        return (group(exp), exp_date(exp), exp.year, exp.title, ident)

    return sorted(ids, key=key)


def exp_date(exp: Experience) -> dt.date:
    """The date an experience sorts by: its ``date``, else the last day of its ``year``."""
    return exp.date if exp.date is not None else dt.date(exp.year, 12, 31)


def _first_site_category(exp: Experience, sites: Mapping[str, Site]) -> str | None:
    first = sites.get(exp.sites[0]) if exp.sites else None
    return first.category if first is not None else None


def _ranks(keys: Iterable[str]) -> dict[str, int]:
    return {k: i for i, k in enumerate(keys)}


def _rank(ranks: Mapping[str, int], key: str | None) -> int:
    return ranks.get(key, _LAST) if key is not None else _LAST
