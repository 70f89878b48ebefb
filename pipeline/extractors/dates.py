"""Dates: every date mention, normalized to ISO with its precision, and the event date.

Patterns and month/weekday lexicons come from `rules/dates.yml`. A date without a year
borrows it from the URL, the `published` field, or another full date in the article
(never from a weekday or a budget year). The event date is the first day-precision date
in the body, except that a date introduced by an event cue (`dilakukan pada`, `digelar`)
wins over one that dates a later statement.
"""
from __future__ import annotations

import datetime as dt

import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..ruletools.rules import RuleSet, alternation, cached_rules
from .spans import add_value, lowered, match_text, values


class DateExtractor:
    def __init__(self, rules: RuleSet):
        spec = rules["dates"]
        self.month_of = {}
        for number, names in spec["months"].items():
            for name in names:
                self.month_of[str(name).lower()] = int(number)
        months = alternation(self.month_of)
        weekdays = alternation(spec["weekdays"])
        self.patterns = [
            (rules.compile(p["pattern"], p["id"], regex.IGNORECASE, month=months, weekday=weekdays),
             p.get("precision", "day"))
            for p in spec["patterns"]
        ]
        self.event_cue = rules.compile(spec["event_cues"], "dates.event_cue")
        self.non_event_cue = rules.compile(spec["non_event_cues"], "dates.non_event_cue")
        self.stamp_after = rules.compile(spec["stamp_after"], "dates.stamp_after")
        self.relative_days = {r["word"].lower(): int(r["days"]) for r in spec.get("relative_days") or []}
        self.weekday_number = {w.lower(): i for i, words in enumerate((spec.get("weekday_order") or {}).values())
                               for w in words}
        self.last_week = rules.compile(spec["last_week"], "dates.last_week", weekday=weekdays) \
            if spec.get("last_week") and self.weekday_number else None
        self.weekday_alone = rules.compile(spec["weekday_alone"], "dates.weekday_alone", weekday=weekdays) \
            if spec.get("weekday_alone") and self.weekday_number else None
        self.relative = rules.compile(rf"(?i)\b{alternation(self.relative_days)}\b", "dates.relative") \
            if self.relative_days else None
        self.url_patterns = [rules.compile(p, f"dates.url.{i}") for i, p in enumerate(spec["url_patterns"])]
        self.iso_day = rules.compile(r"\d{4}-\d{2}-\d{2}\Z", "dates.iso_day")

    # -- normalization -------------------------------------------------------------
    def _month(self, raw: str) -> int | None:
        raw = raw.lower().rstrip(".")
        return int(raw) if raw.isdigit() else self.month_of.get(raw)

    @staticmethod
    def _year(raw: str | None) -> int | None:
        if not raw:
            return None
        year = int(raw)
        return year + 2000 if year < 100 else year

    @staticmethod
    def _valid(year: int, month: int, day: int) -> bool:
        try:
            dt.date(year, month, day)
            return 1900 <= year <= 2100
        except ValueError:
            return False

    def reference_year(self, doc: Doc) -> tuple[int | None, str]:
        meta = doc._.meta or {}
        for field in ("url", "published"):
            raw = meta.get(field) or ""
            for pattern in self.url_patterns:
                m = pattern.search(raw)
                if m and 1990 <= int(m.group("year")) <= 2100:
                    return int(m.group("year")), field
        return None, ""

    # -- extraction ----------------------------------------------------------------
    @staticmethod
    def _matches(pattern, text: str, low: str | None, where: dict) -> list:
        """`pattern.finditer(text)`, tried only where one of its `starts` stands in `low` (the
        text lower-cased, or None): patterns with the same starts (the weekday patterns) share
        one search for them in `where`."""
        if low is None or pattern.starts is None:
            return pattern.finditer(text)
        starts = where.get(pattern.starts)
        if starts is None:
            starts = []
            for s in pattern.starts:
                i = low.find(s)
                while i >= 0:
                    starts.append(i)
                    i = low.find(s, i + 1)
            starts = where[pattern.starts] = sorted(starts)
        return pattern.finditer_at(text, starts)

    def find(self, text: str, low: str | None = None) -> list[dict]:
        """The date mentions of `text`; `low` is the text lower-cased (`spans.lowered`), if known."""
        taken: list[tuple[int, int]] = []
        found = []
        where: dict = {}
        for pattern, precision in self.patterns:
            for m in self._matches(pattern, text, low, where):
                s, e = m.span()
                while e > s and text[e - 1] in " ,":
                    e -= 1
                if any(s < te and ts < e for ts, te in taken):
                    continue
                month = self._month(m.group("month"))
                if month is None or not 1 <= month <= 12:
                    continue
                groups = m.groupdict()
                day = int(groups["day"]) if groups.get("day") else None
                if day is not None and not 1 <= day <= 31:
                    continue
                taken.append((s, e))
                found.append({"start": s, "end": e, "day": day, "month": month,
                              "year": self._year(groups.get("year")), "precision": precision,
                              "weekday": groups.get("weekday"), "rule": pattern.id})
        found.sort(key=lambda d: d["start"])
        return found

    def __call__(self, doc: Doc) -> Doc:
        text = match_text(doc)
        found = self.find(text, lowered(doc)[0])
        # a missing year: the URL or published date, else another full (day) date; a month-year
        # (`sejak Januari 2025`) is not a full date (ANNOTATION.md)
        full_years = [d["year"] for d in found if d["year"] and d["precision"] == "day"]
        ref_year, _ = self.reference_year(doc)
        fallback_year = ref_year or (full_years[0] if full_years else None)
        for d in found:
            year = d["year"] or fallback_year
            iso = None
            wrong_weekday = False
            if year and d["precision"] == "day" and self._valid(year, d["month"], d["day"]):
                iso = f"{year:04d}-{d['month']:02d}-{d['day']:02d}"
                wrong_weekday = not d["year"] and self.wrong_weekday(d["weekday"], dt.date(year, d["month"], d["day"]))
            elif year and d["precision"] == "month":
                iso = f"{year:04d}-{d['month']:02d}"
            before = text[max(0, d["start"] - 60):d["start"]]
            add_value(doc, "dates", d["start"], d["end"], d["rule"], date=iso, precision=d["precision"],
                      is_event=False, year_from_text=bool(d["year"]),
                      event_cue=bool(self.event_cue.search(before)),
                      non_event_cue=bool(self.non_event_cue.search(before)),
                      stamp=bool(self.stamp_after.match(text, d["end"])) or _alone_on_line(text, d["start"], d["end"]),
                      weekday=bool(d["weekday"]), wrong_weekday=wrong_weekday)
        self.choose_event(doc)
        return doc

    def wrong_weekday(self, weekday: str | None, day: dt.date) -> bool:
        """The date falls on another day of the week than the one written with it. Asked
        only of a date written without its year (`Senin (9/10)` in 2018, a Tuesday: a caption
        in month/day order, or a year borrowed wrongly), which then dates nothing; a date
        with its year keeps it, as the weekday is the usual slip (`Jumat (7/10/2023)`)."""
        number = self.weekday_number.get(weekday.lower()) if weekday else None
        return number is not None and number != day.weekday()

    def choose_relative(self, doc: Doc, stamps: list[dict]) -> None:
        """No dated event in the body: a stamp or the published date dates it when the body
        names the day from there: a relative day word (`kemarin`), `Jumat pekan lalu`, or a
        weekday alone (`ujarnya, Senin.`: the last such day up to the reference). A stamp or
        a published date alone dates the page, not the event."""
        reference = stamps[0]["date"] if stamps else None
        published = ((doc._.meta or {}).get("published") or "")[:10]
        if reference is None and self.iso_day.match(published):
            reference = published
        if reference is None:
            return
        text = match_text(doc)
        day = dt.date.fromisoformat(reference)
        m = self.relative.search(text) if self.relative else None
        if m is not None:
            day += dt.timedelta(days=self.relative_days[m.group(0).lower()])
        else:
            m = self.named_weekday(text, self.last_week, doc)
            if m is not None:  # that weekday of the week before the reference's
                day += dt.timedelta(days=self.weekday_number[m.group("weekday").lower()] - day.weekday() - 7)
        if m is None:
            m = self.named_weekday(text, self.weekday_alone, doc)
            if m is None:
                return
            day -= dt.timedelta(days=(day.weekday() - self.weekday_number[m.group("weekday").lower()]) % 7)
        if stamps:
            event = stamps[0]
            event["is_event"] = True
            event["date"] = day.isoformat()
        else:
            event = add_value(doc, "dates", m.start(), m.end(), "dates.relative_to_published", date=day.isoformat(),
                              precision="day", is_event=True, year_from_text=False, event_cue=False,
                              non_event_cue=False, stamp=False, weekday=False, wrong_weekday=False)
        doc._.event_date = event

    def named_weekday(self, text: str, pattern, doc: Doc):
        """The first match of `pattern` whose weekday is known and stands in no date mention
        (the weekday of `Senin, 10 September 2018` is that date's)."""
        if pattern is None:
            return None
        dates = [(d["start"], d["end"]) for d in values(doc, "dates")]
        for m in pattern.finditer(text):
            s, e = m.span("weekday")
            if m.group("weekday").lower() in self.weekday_number and not any(ds <= s < de for ds, de in dates):
                return m
        return None

    def choose_event(self, doc: Doc) -> None:
        dates = values(doc, "dates")
        candidates = [d for d in dates if d["precision"] == "day" and d["date"] and not d["non_event_cue"]
                      and not d["wrong_weekday"]]
        # a publication stamp (`Senin, 7 Agustus 2023 23:16 WIB`) dates the event only when
        # nothing else in the article does
        usable = [d for d in candidates if not d["stamp"]]
        if not usable:
            self.choose_relative(doc, candidates)
            return
        usable = self.current(doc, usable)
        cued = [d for d in usable if d["event_cue"]]
        first = usable[0]
        event = first
        # a later, cue-marked event date beats the date of a statement about it
        if cued and cued[0] is not first and not first["event_cue"] and cued[0]["weekday"]:
            event = cued[0]
        event["is_event"] = True
        doc._.event_date = event


    def current(self, doc: Doc, usable: list[dict]) -> list[dict]:
        """The dates of the article's own time. Its year is the URL's or published field's, or
        that of a weekday-dated mention (`katanya, Selasa (31/10/2023)`): a date of an earlier
        year written without a weekday is background (`dibentuk pada 9 Desember 2022 lalu`,
        when a province or an office was set up), never the reported event."""
        ref_year, _ = self.reference_year(doc)
        years = [d["date"][:4] for d in usable if d["weekday"]] + ([f"{ref_year:04d}"] if ref_year else [])
        if not years:
            return usable
        now = max(years)
        return [d for d in usable if d["weekday"] or d["date"][:4] >= now] or usable


# Blanks and the list marks a page's menu puts around its date line.
_LINE_MARKS = " \t\r\u00a0•·*|-–"


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """A date that is a whole line (`Rabu, 28 Januari 2026` under a site's name, or a menu
    item `• 12 Jan` under the headline) dates the page, like a publication stamp, not the
    event."""
    while end > start and text[end - 1].isspace():  # (a pattern may end on the line break)
        end -= 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:start].strip(_LINE_MARKS) and not text[end:line_end].strip(_LINE_MARKS)


@Language.factory("berita_dates", assigns=["doc.spans", "doc._.event_date"], default_config={"rules_dirs": []})
def make_dates(nlp: Language, name: str, rules_dirs: list):
    return DateExtractor(cached_rules(rules_dirs))
