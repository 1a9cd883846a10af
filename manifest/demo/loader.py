"""Writes the demo through the services, as the regulator and the parties would over the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from ..actor import Actor
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import Manifest, Organization
from ..services import handover, lifecycle, registry
from ..services.drafts import create_manifest
from ..uscc import make_uscc
from .places import (
    LICENCES,
    PASSWORD,
    REGION,
    SITES,
    USERS,
    VEHICLES,
    driver_name,
    email_of,
    position_of,
)
from .stories import STEPS, STORIES, Story

#: Between filing a draft and issuing it; between the signatures of one trip.
FILING = timedelta(minutes=40)
GAPS = {
    "issued": timedelta(hours=2, minutes=10),
    "in_transit": timedelta(hours=1, minutes=25),
    "handoff": timedelta(hours=1, minutes=40),
    "delivered": timedelta(hours=20),
    "decided": timedelta(days=2),
}


@dataclass
class Loader:
    uow: UnitOfWork
    orgs: dict[str, Organization] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    def run(self) -> None:
        self._registry()
        for story in STORIES:
            self._tell(story)

    # ------------------------------------------------------------ registry

    def _user(self, key: str, email: str, role: str, org_key: str | None = None) -> None:
        if org_key is None:
            user = registry.create_regulator_user(
                self.uow,
                email=email,
                password=PASSWORD,
                region_code=REGION,
                name="江门市生态环境局",
            )
        else:
            user = registry.add_member(
                self.uow,
                actor=None,
                organization_id=self.orgs[org_key].id,
                email=email,
                password=PASSWORD,
                role=role,
            )
        self.actors[key] = registry.actor_for_user(user)

    def _registry(self) -> None:
        self._user("regulator", email_of("regulator"), "admin")
        regulator = self.actors["regulator"]
        for site in SITES:
            self.orgs[site.key] = registry.create_organization(
                self.uow,
                actor=regulator,
                name=site.name,
                uscc=make_uscc(site.region, site.body),
                roles=list(site.roles),
                region_code=site.region,
                address=site.address,
                location={"lat": site.lat, "lon": site.lon},
                key_supervision=site.key_supervision,
            )
            self._user(site.key, email_of(site.email), "admin", site.key)
        for local, role, org_key, _ in USERS:
            self._user(local, email_of(local), role, org_key)

        # Licences run from March of last year, so every demo trip falls inside them.
        start = date(self.now.year - 1, 3, 1)
        for licence in LICENCES:
            registry.add_licence(
                self.uow,
                actor=regulator,
                organization_id=self.orgs[licence["holder"]].id,
                kind=licence["kind"],
                number=licence["number"],
                valid_from=start,
                valid_to=date(start.year + licence["years"], 2, 28),
                waste_codes=licence.get("waste_codes", []),
                annual_capacity_t=licence.get("capacity_t", {}),
                operations=licence.get("operations", []),
            )
        for plate, load, owner in VEHICLES:
            admin = self.actors[owner]
            registry.add_vehicle(
                self.uow,
                actor=admin,
                organization_id=self.orgs[owner].id,
                plate=plate,
                max_load_t=load,
            )

    # ------------------------------------------------------------ manifests

    def _tell(self, story: Story) -> None:
        """File the story's draft, then sign each step up to ``story.until``."""
        lane = story.lane
        start = story.start.at(self.now)
        filed = start if story.until == "draft" else start - FILING
        manifest = create_manifest(
            self.uow,
            actor=self.actors[lane.generator],
            at=filed,
            data={
                "kind": lane.kind,
                "transporter_id": self.orgs["carrier"].id,
                "next_transporter_id": story.next_transporter
                and self.orgs[story.next_transporter].id,
                "vehicle_plate": lane.plate,
                "receiver_id": self.orgs[lane.receiver].id,
                "planned_pickup_at": story.pickup.at(self.now),
                "operation": lane.operation,
                "moisture_pct": story.moisture,
                "lines": story.lines,
                "notes": story.notes,
            },
        )
        t = start
        for step in STEPS[1 : STEPS.index(story.until) + 1]:
            if t > self.now:
                raise RuntimeError(f"demo script error: a {step} signature in the future")
            t = self._sign(step, story, manifest, t)
        if story.cancelled:
            reason, when = story.cancelled
            self._signed(
                lifecycle.cancel_manifest,
                lane.generator,
                manifest,
                reason=reason,
                at=when.at(self.now),
                position=None if story.until == "draft" else position_of(lane.generator),
            )

    def _signed(self, move, who: str, manifest: Manifest, **fields) -> None:
        """Make ``move`` on the manifest as the demo user ``who``."""
        move(self.uow, actor=self.actors[who], ref=manifest.id, **fields)

    def _sign(self, step: str, story: Story, manifest: Manifest, t: datetime) -> datetime:
        """Sign ``step`` at ``t``; returns the time of the next signature."""
        move, signer, site = SIGNATURES[step]
        fields = _filled_in(step, story, manifest)
        if site is not None:
            fields["position"] = position_of(story.user(site))
        # A completion is dated by when the treatment was done, not by a signing time.
        fields["completed_at" if move is lifecycle.complete else "at"] = t
        self._signed(move, story.user(signer), manifest, **fields)
        if step == "in_transit" and story.handoff:
            t = self._relay(story, manifest, t + GAPS[step], fields["lines"])
            return t + GAPS["handoff"]
        return t + GAPS.get(step, timedelta(0))

    def _relay(self, story: Story, manifest: Manifest, t: datetime, by_line) -> datetime:
        """The load changes hands at the relay's yard at ``t``."""
        relay = story.handoff
        if manifest.next_transporter_id is None:
            # Not named in the draft: the carrier's office names the relay while its truck
            # is on the way.
            self._signed(
                handover.name_next_transporter,
                "carrier",
                manifest,
                transporter_id=self.orgs[relay["to"]].id,
                at=t - timedelta(minutes=30),
            )
        self._signed(
            handover.handoff,
            relay["driver"],
            manifest,
            vehicle_plate=relay["plate"],
            driver=driver_name(relay["driver"]),
            at=t,
            position=relay["position"],
            lines=by_line,
        )
        return t


#: Each step after the draft: the move that signs it, who signs it and where the signature
#: is made (parts of the story, see :meth:`Story.user`; None: the move claims no position).
SIGNATURES = {
    "issued": (lifecycle.issue_manifest, "generator", "generator"),
    "in_transit": (lifecycle.pickup, "driver", "generator"),
    "delivered": (lifecycle.deliver, "receiver", "receiver"),
    "decided": (lifecycle.decide, "receiver", None),
    "completed": (lifecycle.complete, "receiver", None),
}


def _filled_in(step: str, story: Story, manifest: Manifest) -> dict:
    """What the signer of ``step`` fills in besides the time and the position: the loaded
    and received quantities as the story tells them, the decisions, the operation."""
    declared = {ln.line_no: ln.declared for ln in manifest.lines}
    received = {**declared, **story.received}
    if step == "in_transit":
        return {
            "vehicle_plate": manifest.vehicle_plate,
            "driver": driver_name(story.driver),
            "lines": _quantities(declared),
        }
    if step == "delivered":
        return {"moisture_pct": story.received_moisture, "lines": _quantities(received)}
    if step == "decided":
        return {"lines": [_decision(story, n, q) for n, q in received.items()]}
    if step == "completed":
        return {"operation": story.lane.operation}
    return {}


def _quantities(by_line: dict) -> list[dict]:
    return [{"line_no": n, "quantity": q} for n, q in by_line.items()]


def _decision(story: Story, line_no: int, received: Decimal) -> dict:
    """The receiver's decision on a line: what the story rejects of it, the rest accepted."""
    rejected, reason = story.rejected.get(line_no, (Decimal(0), None))
    return {
        "line_no": line_no,
        "accepted": received - rejected,
        "rejected": rejected,
        "reason": reason,
    }
