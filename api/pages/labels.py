"""The words the pages show for the domain's codes (statuses, roles), in the page language."""

from __future__ import annotations

from flask_babel import lazy_gettext

STATUS = {
    "draft": lazy_gettext("Draft"),
    "issued": lazy_gettext("Issued"),
    "in_transit": lazy_gettext("In transit"),
    "delivered": lazy_gettext("Delivered"),
    "accepted": lazy_gettext("Accepted"),
    "partially_rejected": lazy_gettext("Partially rejected"),
    "rejected": lazy_gettext("Rejected"),
    "completed": lazy_gettext("Completed"),
    "cancelled": lazy_gettext("Cancelled"),
}
USER_ROLE = {
    "admin": lazy_gettext("Administrator"),
    "member": lazy_gettext("Member"),
    "driver": lazy_gettext("Driver"),
    "reader": lazy_gettext("Read only"),
}
ORG_ROLE = {
    "generator": lazy_gettext("Generator"),
    "transporter": lazy_gettext("Transporter"),
    "receiver": lazy_gettext("Receiver"),
    "regulator": lazy_gettext("Regulator"),
}


def status_label(code: str) -> str:
    return str(STATUS.get(code, code))


def user_role_label(code: str) -> str:
    return str(USER_ROLE.get(code, code))


def org_role_label(code: str) -> str:
    return str(ORG_ROLE.get(code, code))


TEMPLATE_GLOBALS = {
    "status_label": status_label,
    "user_role_label": user_role_label,
    "org_role_label": org_role_label,
}
