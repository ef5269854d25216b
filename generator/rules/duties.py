"""District duties (SPEC "District duties"): each year, two first passes or one experience."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model.lifecycle import SiteState
from ..model.records import Experience, Site, Taxonomy

FIRST_PASSES_NEEDED = 2
EXPERIENCES_NEEDED = 1


@dataclass(frozen=True)
class Duty:
    unit: str
    year: int
    first_passes: int
    experiences: int

    @property
    def met(self) -> bool:
        return self.first_passes >= FIRST_PASSES_NEEDED or self.experiences >= EXPERIENCES_NEEDED

    def as_json(self) -> dict[str, object]:
        return {"met": self.met, "first_passes": self.first_passes,
                "experiences": self.experiences}


def experience_unit(exp: Experience, sites: Mapping[str, Site]) -> str | None:
    """An experience's managing unit: its own ``unit`` or its first site's."""
    if exp.unit is not None:
        return exp.unit
    first = sites.get(exp.sites[0]) if exp.sites else None
    return first.unit if first is not None else None


def district_duties(taxonomy: Taxonomy, sites: Mapping[str, Site],
                    states: Mapping[str, SiteState], experiences: Mapping[str, Experience],
                    years: Iterable[int]) -> dict[int, dict[str, Duty]]:
    """For each year and each unit of kind ``district``, whether its duty was met."""
    districts = [key for key, unit in taxonomy.units.items() if unit.kind == "district"]
    passes: dict[tuple[str, int], int] = {}
    for ident, site in sites.items():
        year = states[ident].first_pass_year
        if year is not None:
            passes[(site.unit, year)] = passes.get((site.unit, year), 0) + 1
    written: dict[tuple[str, int], int] = {}
    for exp in experiences.values():
        unit = experience_unit(exp, sites)
        if not exp.draft and unit is not None:
            written[(unit, exp.year)] = written.get((unit, exp.year), 0) + 1
    return {
        year: {unit: Duty(unit, year, passes.get((unit, year), 0), written.get((unit, year), 0))
               for unit in districts}
        for year in sorted(set(years))
    }
