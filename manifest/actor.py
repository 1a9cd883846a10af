"""Who is acting: the signed-in user seen by the domain, free of any HTTP detail."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Forbidden

WRITE_ROLES = frozenset({"admin", "member"})
TRANSPORT_ROLES = frozenset({"admin", "member", "driver"})


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    role: str  # admin, member, driver, reader
    organization_id: int | None = None
    org_roles: frozenset[str] = field(default_factory=frozenset)
    regulator_id: int | None = None
    region_codes: tuple[str, ...] = ()
    #: The password was set by an administrator and must be replaced before anything else.
    must_change_password: bool = False

    @property
    def is_regulator(self) -> bool:
        return self.regulator_id is not None

    def require_regulator(self) -> None:
        if not self.is_regulator:
            raise Forbidden("only a regulator may do this")

    def require_org_role(self, org_role: str) -> None:
        """The actor's organisation must play ``org_role`` (generator, transporter, receiver)."""
        if org_role not in self.org_roles:
            raise Forbidden(f"your organisation is not registered as a {org_role}")

    def require_user_role(self, allowed: frozenset[str]) -> None:
        if self.role not in allowed:
            raise Forbidden(f"your role '{self.role}' may not do this")

    def require_org_admin(self, organization_id: int) -> None:
        if self.organization_id != organization_id or self.role != "admin":
            raise Forbidden("only an administrator of that organisation may do this")
