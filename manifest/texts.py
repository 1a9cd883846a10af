"""The sentences a refusal says, by key: one table for every interface.

A service refuses with a :class:`Text`: a key of :data:`TEMPLATES` and its parameters. A
``Text`` is a ``str`` holding the English sentence (what the API sends as ``message`` and in
``errors``, unchanged), and it keeps its key and parameters, so the web pages can say the
same thing in the page's language through their catalogue, whose msgids are these
templates, with the times in Beijing time and the numbers in the page's format.

Parameters are typed values: a ``datetime`` or ``date`` (written in ISO 8601 here), a
``Decimal``, a nested ``Text``, a list (joined with commas) or plain text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from .texts_files import FILE_TEMPLATES, N_

TEMPLATES: dict[str, str] = {
    # Numbers and percentages
    "number_not_a_number": N_("%(field)s must be a decimal number"),
    "number_not_finite": N_("%(field)s must be finite"),
    "number_negative": N_("%(field)s may not be negative"),
    "number_zero": N_("%(field)s must be above zero"),
    "number_too_large": N_("%(field)s is above the limit of %(limit)s"),
    "number_too_precise": N_("%(field)s has more than %(scale)s decimal places"),
    "percentage_invalid": N_(
        "%(field)s must be a percentage from 0 to below 100 with at most two decimals"
    ),
    "not_a_number": N_("not a number"),
    "not_finite": N_("not finite"),
    "negative": N_("negative"),
    "zero": N_("zero"),
    "too_large": N_("too large"),
    "too_precise": N_("too precise"),
    "percentage": N_("a percentage from 0 to below 100, at most two decimals"),
    "unit_unknown": N_("unknown unit %(unit)r"),
    "unknown_unit": N_("unknown unit"),
    "count_whole": N_("line %(line)s: a count is a whole number"),
    "containers_whole": N_("a count of containers is a whole number"),
    # Plates, codes, operations
    "plate_invalid": N_("%(text)r is not a Chinese vehicle plate (e.g. 粤J12345)"),
    "not_a_plate": N_("not a vehicle plate"),
    # What is not there (or not the asker's to see)
    "organisation_not_found": N_("organisation %(id)s not found"),
    "member_not_found": N_("member %(id)s not found"),
    "no_user_with_email": N_("no user with e-mail %(email)s"),
    "token_unknown": N_("unknown token"),
    "token_not_found": N_("token %(id)s not found"),
    "no_organisation_with_uscc": N_("no organisation with USCC %(uscc)s"),
    "licence_not_found": N_("licence %(id)s not found"),
    "terminal_not_found": N_("terminal %(id)s not found"),
    # Positioning terminals
    "terminal_phone_invalid": N_(
        "phone must be the terminal's number: 1 to 20 digits, not all zero"
    ),
    "phone_digits": N_("1 to 20 digits"),
    "plate_colour_invalid": N_(
        "plate_colour is a JT/T 808 plate colour: 1 blue, 2 yellow, 3 black, 4 white, "
        "5 green, 9 other"
    ),
    "plate_colour_choice": N_("one of 1, 2, 3, 4, 5, 9"),
    "vehicle_not_active": N_("%(plate)s is not an active vehicle of the organisation"),
    "not_an_active_vehicle": N_("not an active vehicle of the organisation"),
    "hw_category_unknown": N_(
        "waste code %(code)s names category %(category)s, which is not in the National "
        "Hazardous Waste List"
    ),
    "hw_category_retired": N_(
        "waste code %(code)s names category %(category)s, which is not in the National "
        "Hazardous Waste List (HW41-HW44 are not in use)"
    ),
    "s_category_range": N_("solid-waste category %(category)r is not S01-S99"),
    "s_category_unused": N_("solid-waste category %(category)s is not in use"),
    "s_category_outside": N_("solid-waste category %(category)s is not S01-S99"),
    "code_not_in_form": N_(
        "waste code %(code)r is not in the form %(form)s (industry-sequence-category)"
    ),
    "s_code_sequence": N_("waste code %(code)s: the sequence must be 001-099"),
    "s_code_category": N_("waste code %(code)s: %(problem)s"),
    "code_form": N_(
        "waste code %(code)r is neither a hazardous-waste code (NNN-NNN-NN) nor a solid-waste "
        "code (NNN-NNN-SNN)"
    ),
    "code_not_listed": N_("waste code %(code)s is not in the loaded official list"),
    "code_not_listed_short": N_("%(code)s is not in the official list"),
    "hazard_unknown": N_("unknown hazard characteristic(s) %(hazards)s; allowed: T, C, I, R, In"),
    "hazard_required": N_("at least one hazard characteristic is required"),
    "physical_form_invalid": N_("physical form %(form)r is not one of S, SS, L, G"),
    "operation_invalid": N_("operation %(operation)r is not one of R1-R13, D1-D15"),
    # Drafts
    "lines_empty": N_("a manifest needs at least one line"),
    "empty": N_("empty"),
    "lines_too_many": N_("at most %(limit)s lines"),
    "too_many": N_("too many"),
    "code_not_hazardous": N_("%(code)s is not a hazardous-waste code; file it as sludge"),
    "physical_form_choice": N_("physical_form must be S, SS, L or G"),
    "hazard_choice": N_("hazard must be some of T, C, I, R, In"),
    "unit_choice": N_("unit must be t, kg, m3 or pcs"),
    "containers_range": N_("container_count must be a whole number from 0 to 100000"),
    "name_required": N_("name is required"),
    "one_category": N_("one manifest covers one waste category; found %(categories)s"),
    "lines_invalid": N_("the manifest's lines are not valid"),
    "manifest_invalid": N_("the manifest is not valid"),
    "kind_choice": N_("must be hazardous or sludge"),
    "unknown_organisation": N_("unknown organisation"),
    "not_registered_as": N_("%(name)s is not registered as a %(role)s"),
    "next_is_first": N_("the next transporter must be another carrier than the first"),
    "receiver_is_generator": N_("the receiver must be another organisation"),
    "time_with_offset": N_("an ISO 8601 time with an offset"),
    "out_of_range": N_("out of range"),
    # Signatures
    "time_needs_offset": N_("%(field)s must be an ISO 8601 time with an offset"),
    "a_time_with_offset": N_("a time with an offset"),
    "time_out_of_range": N_("%(field)s is out of range"),
    "time_in_future": N_("%(field)s is in the future"),
    "in_the_future": N_("in the future"),
    "time_backwards": N_(
        "%(field)s %(at)s is before the previous signature at %(previous)s; times may not go "
        "backwards"
    ),
    "before_previous": N_("before the previous signature"),
    "position_needs_lat_lon": N_("position needs lat and lon"),
    "numeric_lat_lon": N_("needs numeric lat and lon"),
    "position_out_of_range": N_("position out of range"),
    "nothing_new": N_("nothing (a new manifest)"),
    "move_not_allowed": N_(
        "cannot %(action)s a manifest that is %(status)s; it must be %(allowed)s"
    ),
    # Lifecycle
    "checks_failed": N_("%(count)s check(s) failed; the manifest was not issued"),
    "cancel_needs_reason": N_("a cancellation needs a reason"),
    "required": N_("required"),
    "arrival_needs_moisture": N_("a sludge delivery needs the moisture content on arrival"),
    "required_for_sludge": N_("required for sludge"),
    "decision_sum": N_(
        "line %(line)s: accepted %(accepted)s + rejected %(rejected)s must equal the "
        "%(received)s %(unit)s delivered"
    ),
    "rejection_needs_reason": N_("line %(line)s: a rejection needs a reason"),
    "required_when_rejecting": N_("required when rejecting"),
    # Carriage and hand-over
    "no_such_line": N_("no line %(line)s on this manifest"),
    "line_twice": N_("line %(line)s given twice"),
    "lines_missing": N_("every line needs a figure; missing %(lines)s"),
    "lines_not_valid": N_("the lines are not valid"),
    "vehicle_not_theirs": N_("vehicle %(plate)s is not registered to the transporter"),
    "not_their_vehicle": N_("not a vehicle of the transporter"),
    "vehicle_inactive": N_("vehicle %(plate)s is not active"),
    "inactive_vehicle": N_("inactive vehicle"),
    "driver_required": N_("the driver's name is required"),
    "already_with_transporter": N_("the load is already with this transporter"),
    "cannot_name_next": N_("cannot name the next transporter: %(problem)s"),
    "handover_checks_failed": N_("%(count)s check(s) failed; the load was not handed over"),
    # Issue-time and hand-over checks
    "receiver_no_licence": N_(
        "the receiver has no hazardous-waste operation licence active on the pickup date"
    ),
    "active_on": N_("active on %(day)s"),
    "no_licence": N_("no licence"),
    "no_permit": N_("no permit"),
    "licence_not_covering": N_("the receiver's licence does not cover %(code)s"),
    "code_in_scope": N_("%(code)s or %(category)s in scope"),
    "operation_not_licensed": N_("the receiver is not licensed for operation %(operation)s"),
    "capacity_refused": N_(
        "accepted tonnage for %(scope)s this year would reach %(percent)s%% of the licensed "
        "%(licensed)s t; above 120%% needs a new licence"
    ),
    "at_most_tonnes": N_("<= %(tonnes)s t"),
    "tonnes": N_("%(tonnes)s t"),
    "permit_inactive": N_(
        "the transporter has no dangerous-goods transport permit active on %(day)s"
    ),
    "vehicle_unregistered": N_("vehicle %(plate)s is not registered"),
    "vehicle_not_owned": N_("vehicle %(plate)s does not belong to the transporter"),
    "volume_needs_density": N_("a volume needs a density to check the vehicle load"),
    "vehicle_overloaded": N_(
        "the load of %(load)s t exceeds the vehicle's maximum of %(maximum)s t"
    ),
    "moisture_required": N_("a sludge manifest needs its moisture content"),
    "land_application_document": N_(
        "sludge for land application needs a heavy-metal compliance document"
    ),
    # Findings (their English is the finding's message, as the API and the reports show it)
    "finding_quantity": N_(
        "%(what)s: %(observed)s %(unit)s against %(reference)s %(unit)s %(stage)s "
        "(%(pct)s %%, %(basis)s basis)"
    ),
    "line_loaded": N_("line %(line)s loaded"),
    "line_received": N_("line %(line)s received"),
    "weighbridge_net": N_("weighbridge net weight"),
    "finding_type": N_(
        "line %(line)s: received %(received_code)s (%(received_form)s), declared "
        "%(declared_code)s (%(declared_form)s)"
    ),
    "finding_rejection": N_("line %(line)s: %(rejected)s %(unit)s rejected (%(reason)s)"),
    "no_reason": N_("no reason given"),
    "finding_moisture": N_(
        "moisture %(declared)s %% declared, %(received)s %% on arrival (%(change)s points)"
    ),
    "finding_capacity": N_(
        "%(receiver)s: %(total)s t of %(scope)s %(basis)s in %(year)s, %(percent)s %% of the "
        "licensed %(licensed)s t"
    ),
    "projected_at_issue": N_("projected at issue"),
    "accepted_so_far": N_("accepted"),
    "finding_overdue_decision": N_(
        "manifest %(number)s: delivered %(delivered)s, no decision within %(workdays)s "
        "working days (due %(due)s)"
    ),
    "finding_overdue_delivery": N_(
        "manifest %(number)s: in transit since %(since)s, longer than %(days)s days"
    ),
    "finding_receipt": N_(
        "%(receiver)s weighed %(net)s kg from %(plate)s%(carrier)s under ticket %(ticket)s at "
        "%(arrived)s: %(why)s"
    ),
    "vehicle_of": N_(" (vehicle of %(owner)s)"),
    "no_manifest_matches": N_("no manifest of this receiver matches it"),
    "manifest_was_cancelled": N_("manifest %(number)s was cancelled"),
    "manifest_already_weighed": N_("manifest %(number)s was already weighed under another ticket"),
    "finding_track_missing": N_("the trip was completed without any GPS track uploaded"),
    "finding_episode": N_("%(kind)s from %(start)s for %(minutes)s min, %(distance)s m"),
    # Members, tokens, accounts
    "role_or_active_needed": N_("give a role, active, or both"),
    "role_unknown": N_("unknown role"),
    "one_of": N_("one of %(choices)s"),
    "last_admin_stays_admin": N_(
        "the organisation's last active administrator must stay an administrator"
    ),
    "last_admin_stays_active": N_(
        "the organisation's last active administrator cannot be deactivated"
    ),
    "token_lifetime": N_("a token lives from 1 to 3650 days"),
    "between": N_("between %(low)s and %(high)s"),
    "user_deactivated": N_("user %(email)s is deactivated"),
    "deactivated": N_("deactivated"),
    "not_an_email": N_("not an e-mail address"),
    "password_too_short": N_("at least %(count)s characters"),
    "account_invalid": N_("the account is not valid"),
    "password_unchanged": N_("must differ from the current password"),
    "password_choose_another": N_("choose another new password"),
    "current_password_wrong": N_("the current password is wrong"),
    "wrong_password": N_("wrong password"),
    "sign_in_locked": N_("too many failed sign-ins; try again later"),
    "sign_in_wrong": N_("wrong e-mail or password"),
    "email_taken": N_("a user with e-mail %(email)s exists already"),
    # The registry: organisations, licences, vehicles, terminals
    "region_outside_jurisdiction": N_("region %(region)s is outside your jurisdiction"),
    "org_roles_invalid": N_("roles must be some of generator, transporter, receiver"),
    "org_role_unknown": N_("unknown role %(role)s"),
    "location_out_of_range": N_("location out of range"),
    "site_radius_invalid": N_("site_radius_m must be 10..10000"),
    "site_radius_choice": N_("must be between 10 and 10000"),
    "uscc_taken": N_("an organisation with USCC %(uscc)s is already registered"),
    "licence_kind_choice": N_("must be hw_operation or dg_transport"),
    "date_between": N_("a date from %(first)s to %(last)s"),
    "before_valid_from": N_("before valid_from"),
    "licence_too_long": N_("a licence is valid for at most 5 years"),
    "licence_status_choice": N_("must be active, suspended or revoked"),
    "scope_not_a_code": N_("%(code)s: not a category or code"),
    "operation_not_known": N_("%(operation)s: not R1-R13 or D1-D15"),
    "scope_problem": N_("%(scope)s: %(problem)s"),
    "licence_scope_needed": N_("an operation licence needs a scope"),
    "scope_outside_licence": N_("%(scope)s: not in the scope"),
    "licence_invalid": N_("the licence is not valid"),
    "org_outside_jurisdiction": N_("that organisation is outside your jurisdiction"),
    "licence_needs_role": N_("a %(licence)s licence needs an organisation that is a %(role)s"),
    "org_lacks_role": N_("organisation is not a %(role)s"),
    "licence_number_taken": N_("licence number %(number)s is already recorded"),
    "status_bad": N_("bad status"),
    "status_choice": N_("active, suspended or revoked"),
    "licence_outside_jurisdiction": N_("that licence is outside your jurisdiction"),
    "vehicle_too_heavy": N_("max_load_t above 100 t is not a road vehicle"),
    "at_most_100": N_("at most 100"),
    "vehicles_need_transporter": N_("only a transporter has vehicles"),
    "not_a_transporter": N_("not a transporter"),
    "vehicle_taken": N_("vehicle %(plate)s is already registered"),
    "terminals_for_transporter_admins": N_(
        "only a transporter's administrators manage its positioning terminals"
    ),
    "terminal_bound_elsewhere": N_("this terminal is bound to a vehicle of another organisation"),
    **FILE_TEMPLATES,
}

#: Where a page can say more than the API's fixed text for a field: the page's template
#: (same key, the same parameters; the API's English ignores the ones it does not name).
PAGE_TEMPLATES: dict[str, str] = {
    "before_previous": N_("before the previous signature (%(previous)s)"),
}


def page_template(key: str) -> str:
    """The template a page says ``key`` with (the catalogue's msgid)."""
    return PAGE_TEMPLATES.get(key) or TEMPLATES[key]


class Text(str):
    """A sentence of :data:`TEMPLATES`: the English text, which also knows its ``key`` and
    its ``params`` (see the module's docstring). Raises KeyError for an unknown key."""

    key: str
    params: Mapping[str, object]

    def __new__(cls, key: str, /, **params: object) -> Text:
        english = TEMPLATES[key] % {name: english_value(v) for name, v in params.items()}
        text = super().__new__(cls, english)
        text.key, text.params = key, params
        return text

    def __getnewargs_ex__(self):
        return (self.key,), dict(self.params)

    def __deepcopy__(self, memo) -> Text:
        return self  # immutable


def to_json(message: object) -> str | None:
    """A :class:`Text` as JSON (its key and typed parameters), to store beside its English;
    None for any other message."""
    if not isinstance(message, Text):
        return None
    return json.dumps(_encoded(message)["text"], ensure_ascii=False, sort_keys=True)


def from_json(document: str) -> Text:
    """The :class:`Text` :func:`to_json` wrote. Raises ValueError (or KeyError for a key no
    longer in the table) for anything else."""
    return _decoded({"text": json.loads(document)})


def _encoded(value: object) -> object:
    if isinstance(value, Text):
        params = {k: _encoded(v) for k, v in value.params.items()}
        return {"text": {"key": value.key, "params": params}}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, list | tuple):
        return [_encoded(v) for v in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, str):  # a code such as a status (a StrEnum)
        return str(value)
    raise ValueError(f"a parameter of type {type(value).__name__} cannot be stored")


def _decoded(value: object) -> object:
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "text" in value:
        inner = value["text"]
        return Text(inner["key"], **{k: _decoded(v) for k, v in inner["params"].items()})
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "date" in value:
        return date.fromisoformat(value["date"])
    if "decimal" in value:
        return Decimal(value["decimal"])
    raise ValueError(f"not a stored parameter: {value!r}")


def english_value(value: object) -> object:
    """A parameter as the English text writes it: times and dates in ISO 8601 (UTC, as
    stored), lists joined with commas, other values unchanged."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(english_value(v)) for v in value)
    return value
