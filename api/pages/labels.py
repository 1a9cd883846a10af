"""The words the pages show for the domain's codes (statuses, roles), in the page language."""

from __future__ import annotations

from manifest.finding_types import SEVERITY_NAMES, STATUS_NAMES

from .formatting import format_datetime, lazy_gettext, page_language

#: How every page writes a moment (in Beijing time) and a day, in either language: year
#: first, as Chinese readers write it, and an order no English reader can misread.
MINUTE = "yyyy-MM-dd HH:mm"
DAY = "yyyy-MM-dd"

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

#: What each custody event did, as the timeline and the latest activity name it.
ACTION = {
    "create": lazy_gettext("Draft filed"),
    "edit": lazy_gettext("Draft changed"),
    "issue": lazy_gettext("Issued"),
    "cancel": lazy_gettext("Cancelled"),
    "pickup": lazy_gettext("Picked up"),
    "name_next": lazy_gettext("Next transporter named"),
    "handoff": lazy_gettext("Handed over"),
    "deliver": lazy_gettext("Arrived"),
    "decide": lazy_gettext("Accepted or rejected"),
    "complete": lazy_gettext("Treatment completed"),
    "route": lazy_gettext("Planned route set"),
    "track": lazy_gettext("GPS track uploaded"),
}
#: The coordinate systems a GPS log may be recorded in (the names the track service takes).
CRS = {
    "wgs84": lazy_gettext("WGS-84 (GPS receivers, most trackers)"),
    "gcj02": lazy_gettext("GCJ-02 (Amap, Tencent maps)"),
    "bd09": lazy_gettext("BD-09 (Baidu maps)"),
}


def status_label(code: str) -> str:
    return str(STATUS.get(code, code))


def user_role_label(code: str) -> str:
    return str(USER_ROLE.get(code, code))


def org_role_label(code: str) -> str:
    return str(ORG_ROLE.get(code, code))


def action_label(code: str) -> str:
    """What a custody event's action did, in words."""
    return str(ACTION.get(code, code))


def finding_status_label(code: str) -> str:
    """A finding's status in the page's language, in the words of the reports."""
    return STATUS_NAMES[page_language()].get(code, code)


def severity_label(code: str) -> str:
    """A finding's (or a track episode's) severity in the page's language."""
    return SEVERITY_NAMES[page_language()].get(code, code)


def minute(moment) -> str:
    """A stored UTC time as the pages write it (:data:`MINUTE`); empty for None."""
    return "" if moment is None else format_datetime(moment, MINUTE)


def day(moment) -> str:
    """The day of a stored UTC time in Beijing, as the pages write it; empty for None."""
    return "" if moment is None else format_datetime(moment, DAY)


#: Filters every template may use to write times.
TEMPLATE_FILTERS = {"minute": minute, "day": day}

TEMPLATE_GLOBALS = {
    "action_label": action_label,
    "finding_status_label": finding_status_label,
    "status_label": status_label,
    "user_role_label": user_role_label,
    "org_role_label": org_role_label,
}
