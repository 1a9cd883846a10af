"""Findings raised before 0015 get the key and typed parameters of the sentence their English
was made from (``findings.message_text``), so the pages say them in their language too. A
finding whose sentence cannot be told for certain keeps null and is shown in English as before.

Where the parameters come from. Each type of finding was always written from its sentence
(``track_missing`` from one of two), and before 0015 the services wrote exactly the English
that sentence gives today (0015 only began to keep the key beside it). So the stored English
itself is read against that sentence (a finding that reads as both of two is left null):
its parameters are the very pieces of the message, and putting them back into the sentence
gives the message byte for byte. Rebuilding them from the figures in ``measured`` instead
would not: a GPS episode keeps its duration and distance rounded, a weighbridge load keeps
its net weight in another form, and neither the receiver's or the vehicle owner's name nor
the manifest number is kept in ``measured`` at all (today's names may differ from those the
message gave).

How a message is read. Each parameter is read in the form it was written in: a whole number,
a decimal, an ISO 8601 time with its offset, a word without spaces (a plate, a code, a figure
the services wrote as text) or free text (a name, a ticket, a reason), and then typed as the
services pass it (the number of a line an ``int``, a moisture a ``Decimal``, a time a
``datetime``, a nested sentence as its own key and parameters). A reading counts only when it
is the only one: the message is matched twice, once taking the shortest piece and the first
alternative for every parameter, once the longest and the last; these are the least and the
greatest of all readings in one order, so when they agree there is no other. Two parameters
read the same in English whichever they were, so the finding's own row decides them: an
episode's kind is the finding's type, and a rejection's "no reason given" is that sentence
when ``measured`` holds no reason and the receiver's own words when it does. Finally the
parameters are written back into the sentence, and the finding is filled only when that gives
its stored message exactly; any other finding (an unknown type, an edited or older wording)
stays null.

Frozen facts. Nothing is imported from ``manifest``: the English sentences, the form and type
of each parameter and the JSON of 0015 (``{"key", "params"}`` as ``manifest.texts.to_json``
writes it) are copied below as they stood when these findings were written, so editing a
template later neither changes what this migration fills nor makes it read new wording as
old.

Findings still null are read in batches of ``BATCH`` after the last id read (a finding left
null is not read again), so a table of any size is never held in memory at once; the same
statements run on PostgreSQL and SQLite.

Downgrade: keeps the filled values. Each is what 0015 defines the column to hold, the key and
parameters of the sentence the English was made from, exactly as the services store it for a
finding raised today, so revision 0017 reads these findings as it reads any other. Telling
them apart again would need a record of which rows were filled, which the schema does not
keep, and would only bring back English on Chinese pages; upgrading again reads only the
findings still null and leaves these as they are.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 2000

# The forms a parameter was written in, as patterns whose quantifiers {+} {*} {?} are taken
# lazily or greedily (see _pattern).
INT, DECIMAL, DATETIME, WORD, TEXT, MAYBE_TEXT = "int", "decimal", "time", "word", "text", "text?"
FORMS = {
    INT: r"\d{+}",
    DECIMAL: r"-{?}\d{+}(?:\.\d{+}){?}(?:E[-+]\d{+}){?}",
    DATETIME: r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6}){?}[-+]\d\d:\d\d",
    WORD: r"\S{+}",
    TEXT: r".{+}",
    MAYBE_TEXT: r".{*}",
}
EMPTY = ""  # an alternative: the parameter was the empty text

#: The sentences of findings: key -> (English, parameter -> its form, or a tuple of the
#: sentences (or forms, or EMPTY) it may be).
SENTENCES: dict[str, tuple[str, dict[str, object]]] = {
    "finding_quantity": (
        "%(what)s: %(observed)s %(unit)s against %(reference)s %(unit)s %(stage)s "
        "(%(pct)s %%, %(basis)s basis)",
        {
            "what": ("line_loaded", "line_received", "weighbridge_net"),
            "observed": WORD,
            "unit": WORD,
            "reference": WORD,
            "stage": WORD,
            "pct": WORD,
            "basis": WORD,
        },
    ),
    "line_loaded": ("line %(line)s loaded", {"line": INT}),
    "line_received": ("line %(line)s received", {"line": INT}),
    "weighbridge_net": ("weighbridge net weight", {}),
    "finding_type": (
        "line %(line)s: received %(received_code)s (%(received_form)s), declared "
        "%(declared_code)s (%(declared_form)s)",
        {
            "line": INT,
            "received_code": MAYBE_TEXT,
            "received_form": MAYBE_TEXT,
            "declared_code": MAYBE_TEXT,
            "declared_form": MAYBE_TEXT,
        },
    ),
    "finding_rejection": (
        "line %(line)s: %(rejected)s %(unit)s rejected (%(reason)s)",
        {"line": INT, "rejected": DECIMAL, "unit": WORD, "reason": ("no_reason", TEXT)},
    ),
    "no_reason": ("no reason given", {}),
    "finding_moisture": (
        "moisture %(declared)s %% declared, %(received)s %% on arrival (%(change)s points)",
        {"declared": DECIMAL, "received": DECIMAL, "change": WORD},
    ),
    "finding_capacity": (
        "%(receiver)s: %(total)s t of %(scope)s %(basis)s in %(year)s, %(percent)s %% of the "
        "licensed %(licensed)s t",
        {
            "receiver": TEXT,
            "total": WORD,
            "scope": WORD,
            "basis": ("projected_at_issue", "accepted_so_far"),
            "year": INT,
            "percent": DECIMAL,
            "licensed": WORD,
        },
    ),
    "projected_at_issue": ("projected at issue", {}),
    "accepted_so_far": ("accepted", {}),
    "finding_overdue_decision": (
        "manifest %(number)s: delivered %(delivered)s, no decision within %(workdays)s "
        "working days (due %(due)s)",
        {"number": WORD, "delivered": DATETIME, "workdays": INT, "due": DATETIME},
    ),
    "finding_overdue_delivery": (
        "manifest %(number)s: in transit since %(since)s, longer than %(days)s days",
        {"number": WORD, "since": DATETIME, "days": INT},
    ),
    "finding_receipt": (
        "%(receiver)s weighed %(net)s kg from %(plate)s%(carrier)s under ticket %(ticket)s at "
        "%(arrived)s: %(why)s",
        {
            "receiver": TEXT,
            "net": WORD,
            "plate": WORD,
            "carrier": (EMPTY, "vehicle_of"),
            "ticket": TEXT,
            "arrived": DATETIME,
            "why": ("no_manifest_matches", "manifest_was_cancelled", "manifest_already_weighed"),
        },
    ),
    "vehicle_of": (" (vehicle of %(owner)s)", {"owner": TEXT}),
    "no_manifest_matches": ("no manifest of this receiver matches it", {}),
    "manifest_was_cancelled": ("manifest %(number)s was cancelled", {"number": WORD}),
    "manifest_already_weighed": (
        "manifest %(number)s was already weighed under another ticket",
        {"number": WORD},
    ),
    "finding_track_missing": ("the trip was completed without any GPS track uploaded", {}),
    "finding_episode": (
        "%(kind)s from %(start)s for %(minutes)s min, %(distance)s m",
        {"kind": TEXT, "start": DATETIME, "minutes": WORD, "distance": WORD},
    ),
}

#: The kinds of GPS episodes, each a type of finding written from ``finding_episode``.
EPISODE_TYPES = (
    "route_deviation",
    "unscheduled_stop",
    "gps_gap",
    "implausible_speed",
    "start_outside_origin",
    "end_outside_destination",
    "track_missing",
)
#: The sentences each type of finding was written from (a trip closed without any track is
#: a ``track_missing`` finding of its own sentence; a track's missing stretch is an episode).
SENTENCES_OF_TYPE: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(EPISODE_TYPES, ("finding_episode",)),
    "track_missing": ("finding_track_missing", "finding_episode"),
    "quantity_discrepancy": ("finding_quantity",),
    "type_discrepancy": ("finding_type",),
    "moisture_change": ("finding_moisture",),
    "rejection": ("finding_rejection",),
    "unmanifested_receipt": ("finding_receipt",),
    "licence_capacity": ("finding_capacity",),
    "overdue_decision": ("finding_overdue_decision",),
    "overdue_delivery": ("finding_overdue_delivery",),
}


class Said:
    """A sentence with its parameters (what ``manifest.texts.Text`` keeps), as pairs."""

    def __init__(self, key: str, params: tuple[tuple[str, object], ...] = ()) -> None:
        self.key, self.params = key, params

    def english(self) -> str:
        return SENTENCES[self.key][0] % {k: _english(v) for k, v in self.params}


NO_REASON = Said("no_reason")


def _english(value: object) -> object:
    if isinstance(value, Said):
        return value.english()
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _encoded(value: object) -> object:
    """The JSON of 0015 for a parameter."""
    if isinstance(value, Said):
        params = {k: _encoded(v) for k, v in value.params}
        return {"text": {"key": value.key, "params": params}}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _typed(form: str, piece: str) -> object:
    """``piece`` as the value the services passed; ValueError unless writing that value
    gives ``piece`` back."""
    if form == INT:
        value: object = int(piece)
    elif form == DECIMAL:
        try:
            value = Decimal(piece)
        except InvalidOperation as exc:
            raise ValueError(piece) from exc
    elif form == DATETIME:
        value = datetime.fromisoformat(piece)
        if value.tzinfo is None:
            raise ValueError(piece)
    else:
        return piece
    if str(_english(value)) != piece:
        raise ValueError(piece)
    return value


class _Reader:
    """One way of matching a sentence: every quantifier lazy (and alternatives in the order
    given) or every one greedy (and alternatives the other way round)."""

    def __init__(self, lazy: bool) -> None:
        self.lazy = lazy
        self.groups = 0

    def _group(self) -> str:
        self.groups += 1
        return f"g{self.groups}"

    def _form(self, form: str) -> str:
        pattern = FORMS[form]
        for mark in ("+", "*", "?"):
            pattern = pattern.replace("{" + mark + "}", mark + ("?" if self.lazy else ""))
        return pattern

    def sentence(self, key: str, pins: dict[str, object]):
        """A pattern for sentence ``key`` (``pins``: parameters known beforehand) and a
        function turning its match into a :class:`Said`."""
        english, forms = SENTENCES[key]
        parts = re.split(r"%\((\w+)\)s", english)
        pattern, readers, seen = [], {}, {}
        for i, part in enumerate(parts):
            if i % 2 == 0:
                pattern.append(re.escape(part.replace("%%", "%")))
            elif part in seen:
                pattern.append(f"(?P={seen[part]})")
            elif part in pins:
                pattern.append(re.escape(str(_english(pins[part]))))
                readers[part] = lambda _m, value=pins[part]: value
            else:
                name = self._group()
                inner, read = self.parameter(forms[part])
                pattern.append(f"(?P<{name}>{inner})")
                seen[part] = name
                readers[part] = read
        return "".join(pattern), lambda m: Said(key, tuple((k, r(m)) for k, r in readers.items()))

    def parameter(self, form):
        if isinstance(form, str):
            name = self._group()
            return f"(?P<{name}>{self._form(form)})", lambda m: _typed(form, m.group(name))
        choices = []
        for choice in form if self.lazy else reversed(form):
            name = self._group()
            if choice == EMPTY:
                inner, read = "", lambda _m: ""
            elif choice in SENTENCES:
                inner, read = self.sentence(choice, {})
            else:
                inner, read = self.parameter(choice)
            choices.append((name, f"(?P<{name}>{inner})", read))

        def read_choice(m):
            for name, _inner, read in choices:
                if m.group(name) is not None:
                    return read(m)
            raise ValueError("no alternative matched")

        return "(?:" + "|".join(inner for _name, inner, _read in choices) + ")", read_choice


@lru_cache(maxsize=64)
def _compiled(key: str, pins: tuple, lazy: bool):
    pattern, read = _Reader(lazy).sentence(key, dict(pins))
    return re.compile(pattern, re.DOTALL), read


def _pins(finding_type: str, measured: str | None) -> dict[str, object]:
    """The parameters the finding's row decides rather than its English (see above)."""
    if finding_type in EPISODE_TYPES:
        return {"kind": finding_type.replace("_", " ")}
    if finding_type == "rejection":
        try:
            reason = json.loads(measured or "{}").get("reason")
        except (ValueError, AttributeError):
            reason = None
        return {"reason": reason if isinstance(reason, str) and reason else NO_REASON}
    return {}


def message_text(finding_type: str, message: str, measured: str | None) -> str | None:
    """The JSON of 0015 for a finding's stored English, or None when it cannot be told for
    certain (see the module's docstring)."""
    if not message:
        return None
    pins = tuple(_pins(finding_type, measured).items())
    read = [
        reading
        for key in SENTENCES_OF_TYPE.get(finding_type, ())
        if (reading := _reading(key, pins, message)) is not None
    ]
    return read[0] if len(read) == 1 else None


def _reading(key: str, pins: tuple, message: str) -> str | None:
    """The one reading of ``message`` as sentence ``key``, as JSON; None for none or more."""
    readings = []
    for lazy in (True, False):
        pattern, read = _compiled(key, tuple(p for p in pins if p[0] in SENTENCES[key][1]), lazy)
        match = pattern.fullmatch(message)
        if match is None:
            return None
        try:
            said = read(match)
        except ValueError:
            return None
        readings.append(json.dumps(_encoded(said)["text"], ensure_ascii=False, sort_keys=True))
    if readings[0] != readings[1] or said.english() != message:
        return None
    return readings[0]


FINDINGS = sa.table(
    "findings",
    sa.column("id", sa.Integer),
    sa.column("type", sa.String),
    sa.column("message", sa.Text),
    sa.column("message_text", sa.Text),
    sa.column("measured", sa.Text),
)


def upgrade() -> None:
    bind = op.get_bind()
    f = FINDINGS.c
    fill = (
        FINDINGS.update()
        .where(f.id == sa.bindparam("finding_id"), f.message_text.is_(None))
        .values(message_text=sa.bindparam("text"))
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(f.id, f.type, f.message, f.measured)
            .where(f.message_text.is_(None), f.id > after)
            .order_by(f.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].id
        filled = [
            {"finding_id": row.id, "text": text}
            for row in rows
            if (text := message_text(row.type, row.message, row.measured)) is not None
        ]
        if filled:
            bind.execute(fill, filled)


def downgrade() -> None:
    pass  # the filled values stay: see the module's docstring
