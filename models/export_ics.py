"""The agreed plan's dates as an iCalendar file (RFC 5545) that any calendar imports.

All-day events for every milestone, every measure's re-evaluation, each pilot's start and end,
and the check-ins as one weekly repeating event: from the first check-in on the plan, or, once
the partners have met, from their next check-in. Each event's UID is derived from what it is,
so importing a newer file updates the events instead of doubling them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from models.summary import Summary

PRODID = "-//Concord//Partnership workshop//EN"
CHECKIN_COUNT = 12
_MAX_OCTETS = 75
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PILOT_DATES = re.compile(r"(\d{1,2} [A-Z][a-z]{2} \d{4}) to (\d{1,2} [A-Z][a-z]{2} \d{4})$")


@dataclass(frozen=True)
class _Event:
    kind: str
    on: date
    title: str
    description: str = ""
    rule: str = ""


def calendar_ics(summary: Summary, pilots: Sequence[tuple[str, date, date]] = (), *,
                 next_checkin: date | None = None) -> bytes:
    """The calendar; ``pilots`` as (name, start, end) — when empty, each measure's pilot dates
    are read from its summary line. ``next_checkin``, when known, is where the check-ins'
    rhythm starts (``models.checkin_report.next_checkin``)."""
    stamp = _utc(summary.made_at).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(summary.name)}"]
    seen: dict[str, int] = {}
    for event in _events(summary, pilots, next_checkin):
        lines += _vevent(event, summary.workshop_id, stamp, seen)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def _events(summary: Summary, pilots: Sequence[tuple[str, date, date]],
            next_checkin: date | None) -> Iterable[_Event]:
    for milestone in summary.milestones:
        slip = f"It may slip {milestone.slack_days} days."
        owner = f"Owner: {milestone.owner}. " if milestone.owner else ""
        yield _Event("milestone", milestone.due_on, milestone.title, owner + slip)
    for measure in summary.measures:
        if measure.reevaluation:
            yield _Event("reevaluation", measure.reevaluation, f"Re-evaluate: {measure.name}",
                         f"Target: {measure.target}. Owner: {measure.owner}.")
    for name, start, end in pilots or _pilots_of(summary):
        yield _Event("pilot-start", start, f"Pilot starts: {name}")
        yield _Event("pilot-end", end, f"Pilot ends: {name}")
    checkin = _checkin(summary, next_checkin)
    if checkin:
        yield checkin


def _pilots_of(summary: Summary) -> list[tuple[str, date, date]]:
    """Pilot periods from the measures' lines ("scope, 1 Feb 2027 to 31 Jul 2027")."""
    pilots = []
    for measure in summary.measures:
        found = _PILOT_DATES.search(measure.pilot)
        if found:
            start, end = (datetime.strptime(text, "%d %b %Y").date() for text in found.groups())
            pilots.append((measure.name, start, end))
    return pilots


def _checkin(summary: Summary, next_checkin: date | None) -> _Event | None:
    weeks = summary.checkin_every_weeks
    if not weeks:
        return None
    check_ins = sorted(m.due_on for m in summary.milestones if m.kind == "check_in")
    first = next_checkin or (check_ins[0] if check_ins
                             else summary.held_on + timedelta(weeks=weeks))
    return _Event("checkin", first, f"Check-in: {summary.name}",
                  f"The partners meet every {weeks} weeks to review measures, milestones "
                  "and capacity.",
                  rule=f"FREQ=WEEKLY;INTERVAL={weeks};COUNT={CHECKIN_COUNT}")


def _vevent(event: _Event, workshop_id: int, stamp: str, seen: dict[str, int]) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{_uid(event, workshop_id, seen)}", f"DTSTAMP:{stamp}",
             f"DTSTART;VALUE=DATE:{event.on:%Y%m%d}",
             f"DTEND;VALUE=DATE:{event.on + timedelta(days=1):%Y%m%d}",
             f"SUMMARY:{escape_text(event.title)}"]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.rule:
        lines.append(f"RRULE:{event.rule}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def _uid(event: _Event, workshop_id: int, seen: dict[str, int]) -> str:
    """The same event gets the same UID every time; two identical events are told apart by
    their order."""
    content = f"{workshop_id}|{event.kind}|{event.on.isoformat()}|{event.title}"
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    seen[digest] = seen.get(digest, 0) + 1
    suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
    return f"{event.kind}-{digest}{suffix}@concord"


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped;
    control characters, which the format does not allow, become spaces."""
    escaped = (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
               .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))
    return _CONTROL.sub(" ", escaped)


def fold(line: str) -> str:
    """A content line split so no physical line exceeds 75 octets (RFC 5545 3.1), never inside
    a UTF-8 character; continuation lines start with a space."""
    parts: list[str] = []
    current, size, limit = [], 0, _MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, _MAX_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
