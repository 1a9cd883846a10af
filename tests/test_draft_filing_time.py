"""A draft may say when it was filled in; the chain then runs forwards from that moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from manifest.errors import ValidationFailed
from manifest.models import CustodyEvent, Manifest
from manifest.services import lifecycle
from manifest.services.custody import verify_manifest_chain
from manifest.services.drafts import create_manifest
from tests.builders import hazardous_body, now


def test_a_draft_filed_earlier_keeps_its_time_and_later_signatures_follow_it(world):
    filed = now() - timedelta(hours=5)
    m = create_manifest(
        world.uow, actor=world.plating.actor(), data=hazardous_body(world), at=filed
    )
    s = world.uow.session
    [created] = s.query(CustodyEvent).filter_by(manifest_id=m.id).all()
    assert (created.action, created.claimed_time) == ("create", filed)

    with pytest.raises(ValidationFailed) as refused:
        lifecycle.issue_manifest(
            world.uow, actor=world.plating.actor(), ref=m.id, at=filed - timedelta(minutes=1)
        )
    assert refused.value.errors == {"at": ["before the previous signature"]}
    assert s.get(Manifest, m.id).status == "draft"

    lifecycle.issue_manifest(
        world.uow, actor=world.plating.actor(), ref=m.id, at=filed + timedelta(minutes=30)
    )
    assert verify_manifest_chain(s, s.get(Manifest, m.id)).valid


def test_a_draft_cannot_be_filed_in_the_future(world):
    with pytest.raises(ValidationFailed) as refused:
        create_manifest(
            world.uow,
            actor=world.plating.actor(),
            data=hazardous_body(world),
            at=now() + timedelta(hours=1),
        )
    assert refused.value.errors == {"at": ["in the future"]}
    assert world.uow.session.query(Manifest).count() == 0
