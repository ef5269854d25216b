"""The calendars (internal builds, SPEC §6): one iCalendar feed for the whole programme, one
per managing unit and one per supervisor — an all-day event for every row of the matching
worklist and for every plan milestone.

* **Dates.** A milestone has its date. An evaluation has only a due year: its event is on
  the plan's ``evaluation_date`` of the worklist's year, else 30 November of that year
  (:func:`rules.yearreport.evaluation_day`); an overdue one is put there too (it is still
  to do); a done one is on the evaluation's date when the record has it.
* **Stable UIDs.** ``eval-<kind>-<due year>-<site id>@<host>`` and
  ``plan-<year>-<date>-<n>@<host>`` (n counts milestones of the same day): an event keeps
  its UID in every build and year (an overdue evaluation stays the same event), so a
  subscribed calendar updates it instead of adding a copy. ``<host>`` is ``site_url``'s
  host, else ``showcase.invalid``.
* **Byte-identical.** DTSTAMP is the reference date (midnight UTC), no random value, events
  in a fixed order. All-day events (``VALUE=DATE``) need no time zone.
* **Refresh.** ``REFRESH-INTERVAL`` (RFC 7986) and Outlook's ``X-PUBLISHED-TTL``: twelve hours.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from ..data.dataset import Dataset
from ..model.lifecycle import STATUS_LABELS
from ..model.records import RESULT_LABELS
from ..rules.worklists import Worklist
from ..rules.yearreport import TASK_LABELS, Task, YearReport
from .words import contact_text, evaluation_text, unit_name

REFRESH = dt.timedelta(hours=12)
PRODID = "-//showcase//基层党建示范点展示平台//ZH"


def host(data: Dataset) -> str:
    url = data.program.site_url if data.program else None
    return (urlsplit(url).hostname if url else None) or "showcase.invalid"


def task_uid(t: Task, domain: str) -> str:
    return f"eval-{t.kind}-{t.due_year}-{t.site}@{domain}"


def task_day(t: Task, report: YearReport) -> dt.date:
    if t.done is not None and t.done.date is not None:
        return t.done.date
    return report.evaluation_day


def task_summary(data: Dataset, t: Task) -> str:
    site = data.sites[t.site]
    what = TASK_LABELS[t.kind]
    if t.done is not None:
        state = f"已{what}·{RESULT_LABELS[t.done.result]}"
    elif t.due_year < t.year:
        state = f"逾期·{what}"
    else:
        state = what
    return f"【{state}】{site.display_name}（{unit_name(data, site.unit)}）"


def _description(data: Dataset, t: Task) -> str:
    site = data.sites[t.site]
    before = [e for e in site.evaluations if e.year < t.year]
    last = max(before, key=lambda e: e.year) if before else None
    status = STATUS_LABELS["candidate" if t.kind == "first" else
                           "demonstration" if t.kind == "second" else "improving"]
    c = site.contacts
    lines = [
        f"单位：{site.name}",
        f"管理单位：{unit_name(data, site.unit)}",
        f"状态：{status}（{site.batch}年批次）",
        f"考评事项：{TASK_LABELS[t.kind]}（应于{t.due_year}年）",
        f"上次考评：{evaluation_text(last, internal=True)}",
        f"地址：{site.location.address if site.location and site.location.address else '未填写'}",
        contact_text("联系领导", c.leader if c else None, internal=True),
        contact_text("督查指导员", c.supervisor if c else None, internal=True),
        contact_text("联络员", c.liaison if c else None, internal=True),
    ]
    return "\n".join(lines)


def _stamp(as_of: dt.date) -> dt.datetime:
    return dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)


def _event(uid: str, day: dt.date, summary: str, description: str, stamp: dt.datetime,
           *, location: str | None = None, category: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("categories", [category])
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")
    return event


def milestone_events(data: Dataset, stamp: dt.datetime, domain: str) -> list[Event]:
    events = []
    for year in sorted(data.plans):
        plan = data.plans[year]
        seen: dict[dt.date, int] = {}
        for ms in sorted(plan.milestones, key=lambda m: m.date):
            seen[ms.date] = seen.get(ms.date, 0) + 1
            uid = f"plan-{year}-{ms.date.isoformat()}-{seen[ms.date]}@{domain}"
            done = "（已完成）" if ms.done else ""
            events.append(_event(uid, ms.date, f"【工作节点】{ms.title}{done}",
                                 f"{plan.title}\n{ms.title}", stamp, category="工作节点"))
    return events


class Feeds:
    """The calendars of one year. Every feed holds the plan milestones and each row of a
    worklist is in three feeds (its unit's, its supervisor's, the programme's): their
    events are serialised once per process and each feed is put together from them."""

    _END = b"END:VCALENDAR\r\n"

    def __init__(self, data: Dataset, report: YearReport) -> None:
        self.data, self.report = data, report
        self.domain = host(data)
        self.stamp = _stamp(report.as_of)
        self._milestones: bytes | None = None
        self._tasks: dict[str, bytes] = {}

    def _task(self, t: Task) -> bytes:
        uid = task_uid(t, self.domain)
        found = self._tasks.get(uid)
        if found is None:
            site = self.data.sites[t.site]
            address = site.location.address if site.location else None
            found = self._tasks[uid] = _event(
                uid, task_day(t, self.report), task_summary(self.data, t), _description(self.data, t),
                self.stamp, location=address, category="考评").to_ical()
        return found

    def _milestone_events(self) -> bytes:
        if self._milestones is None:
            self._milestones = b"".join(e.to_ical() for e in
                                        milestone_events(self.data, self.stamp, self.domain))
        return self._milestones

    def feed(self, tasks: tuple[Task, ...] | list[Task], name: str, description: str) -> bytes:
        """One feed: ``tasks`` (a worklist's rows) and every plan milestone."""
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        cal.add("description", description)
        cal.add("x-wr-caldesc", description)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT12H")
        head = cal.to_ical()
        assert isinstance(head, bytes) and head.endswith(self._END)
        return b"".join([head[:-len(self._END)], *(self._task(t) for t in tasks),
                         self._milestone_events(), self._END])

    def worklist(self, wl: Worklist) -> bytes:
        who = wl.label if wl.kind == "unit" else f"督查指导员{wl.label}"
        return self.feed(wl.tasks, f"考评日程：{who}",
                         f"{who}{self.report.year}年应考评（年检）的单位和年度工作节点")

    def programme(self) -> bytes:
        assert self.data.program is not None
        tasks = [t for t in self.report.tasks if t.left is None]
        return self.feed(tasks, f"考评日程：{self.data.program.name}",
                         f"全市{self.report.year}年应考评（年检）的单位和年度工作节点")
