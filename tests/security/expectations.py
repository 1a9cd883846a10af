"""THE table: who gets which answer from every operation of the API.

One row per operation (``METHOD /path`` as the OpenAPI document names it). A row is a
compact rule, expanded into one expected status per identity and object:

- ``anonymous`` (no token) gets ``anonymous`` (401 unless the operation is public);
- an identity in ``gate`` is refused (403) before the object is looked up, whatever it is;
- a caller the object is hidden from (a party of another organisation or region, a regulator
  of another region) gets ``stranger``: 404 for manifests, findings and tracks, so that
  nobody learns whether they exist;
- a party of the object's side (or, for operations without an object, any party) in ``by``
  gets ``ok``; any other party gets ``party``;
- a regulator of the object's region gets ``ok`` when ``regulator`` is true, else 403;
- ``cells`` lists the exceptions to the rule, each one a cell the rule does not describe.

Identities are ``<party>:<role>`` for the generator (gen), transporter (car) and receiver
(rec) of the ``own`` side with every user role, ``regulator:here`` (440700),
``regulator:far`` (440100) and ``anonymous``. Objects are ``own``, ``other`` (another set of
organisations in the same region) and ``far`` (organisations of 440100), or ``-`` for an
operation whose path names no object.

``target`` says what the path's ids name:

- ``none``: no object;
- ``manifest:<status>``: a manifest in that status (``manifest:routed`` has a planned route;
  ``manifest:named`` is on the road with another carrier of the side, which has named the
  side's transporter as the next one to take the load over);
- ``receipt``: a weighbridge row naming an in-transit manifest of the side;
- ``finding`` / ``track``: a finding or GPS track on a manifest of the side;
- ``org:car`` / ``org:self``: the side's transporter / the caller's own kind of organisation
  (the generator for a regulator).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .matrix_world import IDENTITIES, PARTIES, ROLES, SIDES

WRITE = ("admin", "member")
TRANSPORT = ("admin", "member", "driver")
ALL_PARTIES = frozenset(i for i in IDENTITIES if i.split(":")[0] in PARTIES)
PRIVATE_TARGETS = ("manifest", "receipt", "finding", "track")


def who(party: str, roles: Iterable[str] = ROLES) -> frozenset[str]:
    """The identities of ``party`` with one of ``roles``."""
    return frozenset(f"{party}:{r}" for r in roles)


def with_roles(roles: Iterable[str]) -> frozenset[str]:
    """Every party identity with one of ``roles``."""
    return frozenset().union(*(who(p, roles) for p in PARTIES))


READERS_AND_DRIVERS = with_roles(("driver", "reader"))


@dataclass(frozen=True)
class Rule:
    target: str
    ok: int
    by: frozenset[str] = frozenset()
    regulator: bool = False
    party: int = 403
    stranger: int = 404
    gate: frozenset[str] = frozenset()
    anonymous: int = 401
    cells: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @property
    def sides(self) -> tuple[str, ...]:
        return ("-",) if self.target == "none" else SIDES

    @property
    def private(self) -> bool:
        """Whether the object is hidden from strangers (the registry of organisations is not)."""
        return self.target.split(":")[0] in PRIVATE_TARGETS

    def expected(self, identity: str, side: str) -> int:
        if (identity, side) in self.cells:
            return self.cells[identity, side]
        if identity == "anonymous":
            return self.anonymous
        if identity in self.gate:
            return 403
        if hidden(identity, side):
            return self.stranger
        if identity.startswith("regulator:"):
            return self.ok if self.regulator else 403
        return self.ok if identity in self.by else self.party


def hidden(identity: str, side: str) -> bool:
    """Whether the object of ``side`` belongs to neither the caller nor its region."""
    if side == "-" or identity == "anonymous":
        return False
    if identity == "regulator:here":
        return side == "far"
    if identity == "regulator:far":
        return side != "far"
    return side != "own"


def read(target: str) -> Rule:
    """Every party of the object, whatever its role, and the regulators of its region."""
    return Rule(target, 200, by=ALL_PARTIES, regulator=True)


def everyone(ok: int = 200, target: str = "none") -> Rule:
    """Anyone signed in."""
    return Rule(target, ok, by=ALL_PARTIES, regulator=True, stranger=ok)


def regulators(ok: int = 200) -> Rule:
    return Rule("none", ok, regulator=True)


def cells(identities: Iterable[str], sides: Iterable[str], status: int) -> dict:
    return {(i, s): status for i in identities for s in sides}


# Only the transporter named as the next carrier takes a load over (any other transporter is
# told the number does not exist); non-transporters and readers are refused whatever the number.
HANDOFF_REFUSED = frozenset(IDENTITIES) - who("car", TRANSPORT) - {"anonymous"}

# Only a receiver's writers upload weighbridge records; anyone else is refused whatever the rows.
NOT_RECEIVING = frozenset(IDENTITIES) - who("rec", WRITE) - {"anonymous"}

TABLE: dict[str, Rule] = {
    "POST /api/v1/auth/token": Rule("none", 201, by=ALL_PARTIES, regulator=True, anonymous=201),
    "DELETE /api/v1/auth/token": everyone(204),
    "GET /api/v1/auth/tokens": everyone(),
    # Each identity revokes a token of its own (another's id is 404: tests/api).
    "DELETE /api/v1/auth/tokens/{token_id}": everyone(204),
    # Administrators read their members' sign-ins, regulators their region's: the rows differ,
    # the answer does not.
    "GET /api/v1/auth/signins": Rule("none", 200, by=with_roles(["admin"]), regulator=True),
    # Every signed-in user may change their own password; the call offers a new password
    # too short, so the cell is judged without changing anyone's (tests/api).
    "POST /api/v1/auth/password": everyone(422),
    "GET /api/v1/waste-codes": everyone(),
    # The probes answer anyone, a token or none, and touch no object.
    "GET /healthz": Rule("none", 200, by=ALL_PARTIES, regulator=True, anonymous=200),
    "GET /readyz": Rule("none", 200, by=ALL_PARTIES, regulator=True, anonymous=200),
    "GET /api/v1/tolerances": everyone(),
    # Both name Jiangmen (440700): another region's regulator is told nothing of its setting.
    "PUT /api/v1/tolerances/{kind}": Rule(
        "none", 200, regulator=True, cells={("regulator:far", "-"): 404}
    ),
    # Jiangmen's own setting is made again before every cell; only its regulator removes it.
    "DELETE /api/v1/tolerances/{kind}": Rule(
        "none", 200, regulator=True, cells={("regulator:far", "-"): 404}
    ),
    "GET /api/v1/tolerances/history": Rule(
        "none", 200, regulator=True, cells={("regulator:far", "-"): 404}
    ),
    "GET /api/v1/ledger/verify": regulators(),
    "GET /api/v1/reports/balance": everyone(),
    "GET /api/v1/reports/discrepancies": regulators(),
    "GET /api/v1/findings": everyone(),
    "GET /api/v1/manifests": everyone(),
    "POST /api/v1/manifests": Rule("none", 201, by=who("gen", WRITE)),
    "GET /api/v1/organizations": everyone(),
    "POST /api/v1/organizations": Rule(
        "none", 201, regulator=True, cells={("regulator:far", "-"): 403}
    ),
    "GET /api/v1/organizations/{org_id}": everyone(target="org:car"),
    "GET /api/v1/organizations/{org_id}/licences": everyone(target="org:car"),
    "GET /api/v1/organizations/{org_id}/vehicles": everyone(target="org:car"),
    "POST /api/v1/organizations/{org_id}/licences": Rule(
        "org:car", 201, regulator=True, stranger=403
    ),
    "POST /api/v1/organizations/{org_id}/vehicles": Rule(
        "org:car", 201, by={"car:admin"}, stranger=403
    ),
    # Only the transporter's administrators bind terminals to its vehicles and list them.
    "POST /api/v1/organizations/{org_id}/terminals": Rule(
        "org:car", 201, by={"car:admin"}, stranger=403
    ),
    "GET /api/v1/organizations/{org_id}/terminals": Rule(
        "org:car", 200, by={"car:admin"}, stranger=403
    ),
    # ... and unbind one or move it to another of its vehicles (another transporter's terminal
    # under one's own organisation is 404: tests/gateway/test_unbinding.py).
    "PUT /api/v1/organizations/{org_id}/terminals/{terminal_id}": Rule(
        "org:car", 200, by={"car:admin"}, stranger=403
    ),
    "DELETE /api/v1/organizations/{org_id}/terminals/{terminal_id}": Rule(
        "org:car", 204, by={"car:admin"}, stranger=403
    ),
    "POST /api/v1/organizations/{org_id}/members": Rule(
        "org:self", 201, by=with_roles(["admin"]), stranger=403
    ),
    "GET /api/v1/organizations/{org_id}/members": Rule(
        "org:self", 200, by=with_roles(["admin"]), stranger=403
    ),
    "PATCH /api/v1/organizations/{org_id}/members/{user_id}": Rule(
        "org:self", 200, by=with_roles(["admin"]), stranger=403
    ),
    "GET /api/v1/organizations/{org_id}/member-changes": Rule(
        "org:self", 200, by=with_roles(["admin"]), stranger=403
    ),
    "GET /api/v1/manifests/{ref}": read("manifest:issued"),
    "GET /api/v1/manifests/{ref}.pdf": read("manifest:issued"),
    "GET /api/v1/manifests/{ref}/events": read("manifest:issued"),
    "GET /api/v1/manifests/{ref}/verify": read("manifest:issued"),
    "GET /api/v1/manifests/{ref}/route": read("manifest:routed"),
    "GET /api/v1/manifests/{ref}/tracks": read("manifest:in_transit"),
    "GET /api/v1/manifests/{ref}/position": read("manifest:in_transit"),
    "GET /api/v1/manifests/{ref}/tracks/{track_id}": read("track"),
    "GET /api/v1/manifests/{ref}/tracks/{track_id}.geojson": read("track"),
    "PATCH /api/v1/manifests/{ref}": Rule(
        "manifest:draft", 200, by=who("gen", WRITE), gate=READERS_AND_DRIVERS
    ),
    "POST /api/v1/manifests/{ref}/issue": Rule("manifest:draft", 200, by=who("gen", WRITE)),
    "POST /api/v1/manifests/{ref}/cancel": Rule("manifest:issued", 200, by=who("gen", WRITE)),
    "POST /api/v1/manifests/{ref}/pickup": Rule("manifest:issued", 200, by=who("car", TRANSPORT)),
    "POST /api/v1/manifests/{ref}/next-transporter": Rule(
        "manifest:in_transit", 200, by=who("car", WRITE)
    ),
    "POST /api/v1/manifests/{ref}/handoff": Rule(
        "manifest:named", 200, by=who("car", TRANSPORT), gate=HANDOFF_REFUSED
    ),
    "POST /api/v1/manifests/{ref}/deliver": Rule("manifest:in_transit", 200, by=who("rec", WRITE)),
    "POST /api/v1/manifests/{ref}/decide": Rule("manifest:delivered", 200, by=who("rec", WRITE)),
    "POST /api/v1/manifests/{ref}/complete": Rule("manifest:accepted", 200, by=who("rec", WRITE)),
    "PUT /api/v1/manifests/{ref}/route": Rule(
        "manifest:issued", 200, by=who("gen", WRITE) | who("car", TRANSPORT)
    ),
    "POST /api/v1/manifests/{ref}/tracks": Rule(
        "manifest:in_transit", 201, by=who("car", TRANSPORT), gate=with_roles(["reader"])
    ),
    "POST /api/v1/receipts": Rule(
        "receipt", 201, by=who("rec", WRITE), stranger=201, gate=NOT_RECEIVING
    ),
    "GET /api/v1/findings/{finding_id}": read("finding"),
    "PATCH /api/v1/findings/{finding_id}": Rule("finding", 200, regulator=True, gate=ALL_PARTIES),
    "POST /api/v1/findings/{finding_id}/comments": Rule(
        "finding", 201, by=with_roles(WRITE), regulator=True, gate=READERS_AND_DRIVERS
    ),
}

# Routes that are deliberately not operations of the API document.
UNDOCUMENTED = {
    "GET /api/v1/docs": "Swagger UI, which renders the document",
    "GET /api/v1/docs/reference": "the plain HTML list of the document's operations",
    "GET /api/v1/openapi.json": "the document itself",
    "GET /static/{filename}": "Flask's static files",
}

# Known holes, not closed yet. Each cell declares the CORRECT answer in TABLE and fails today;
# the strict xfail turns into a failure as soon as the fix lands, and the entry must go.
KNOWN_HOLES: dict[tuple[str, str, str], str] = {}
