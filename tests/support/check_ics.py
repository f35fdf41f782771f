"""Parses an ICS file with the `icalendar` package (the parser calendar tools use) and
prints one JSON object per event, so tests check the calendar as a client reads it."""
import json
import sys

import icalendar

cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
events = []
for e in cal.walk("VEVENT"):
    start = e.get("DTSTART").dt
    events.append({
        "uid": str(e.get("UID")),
        "summary": str(e.get("SUMMARY")),
        "sequence": int(e.get("SEQUENCE")),
        "start": start.isoformat(),
        "all_day": not hasattr(start, "hour"),
        "alarms": [str(a.get("TRIGGER").to_ical(), "ascii") for a in e.walk("VALARM")],
        "url": str(e.get("URL")) if e.get("URL") else None,
        "categories": [str(c) for c in e.get("CATEGORIES").cats] if e.get("CATEGORIES") else [],
    })
print(json.dumps(events))
