"""The sentences about uploaded files (weighbridge tables, GPS logs and routes) and the
tracks made of them: part of :data:`manifest.texts.TEMPLATES`, kept apart for its size."""

from __future__ import annotations


def N_(template: str) -> str:
    """Marks a template for the pages' message catalogue (``make messages`` extracts it)."""
    return template


FILE_TEMPLATES: dict[str, str] = {
    # Weighbridge files and their rows
    "columns_same_field": N_("columns %(first)r and %(second)r both mean %(column)s"),
    "column_missing": N_("missing column %(column)s"),
    "weighbridge_columns_unusable": N_("the weighbridge file's columns are not usable"),
    "plate_missing": N_("plate is missing"),
    "row_plate_invalid": N_("%(plate)r is not a Chinese vehicle plate"),
    "ticket_missing": N_("ticket is missing"),
    "ticket_too_long": N_("ticket is longer than %(limit)s characters"),
    "ticket_control_characters": N_("ticket contains control characters"),
    "arrival_missing": N_("arrival time is missing"),
    "weight_problem": N_("%(column)s: %(problems)s"),
    "manifest_number_invalid": N_("%(text)r is not a 14-digit manifest number"),
    "tare_above_gross": N_("tare %(tare)s kg is above gross %(gross)s kg"),
    "net_mismatch": N_("net %(net)s kg is not gross %(gross)s − tare %(tare)s = %(difference)s kg"),
    "net_missing": N_("net weight is missing (and cannot be computed)"),
    "weighbridge_unreadable": N_(
        "the weighbridge file is neither UTF-8 nor GB18030 text (%(reason)s)"
    ),
    "unreadable_encoding": N_("unreadable encoding"),
    "weighbridge_bad_json": N_(
        "the weighbridge file is not valid JSON: %(reason)s at line %(line)s"
    ),
    "weighbridge_json_unreadable": N_(
        "the weighbridge file holds a number too long or nesting too deep to read"
    ),
    "invalid_json": N_("invalid JSON"),
    "weighbridge_json_shape": N_('JSON weighbridge records must be a list or {"records": [...]}'),
    "not_a_list_of_records": N_("not a list of records"),
    "weighbridge_too_many": N_("the weighbridge file has more than %(limit)s records; split it"),
    "more_records_than": N_("more than %(limit)s records"),
    "record_not_an_object": N_("a record must be an object"),
    "ticket_repeated": N_("ticket %(ticket)s already appears in row %(row)s"),
    "not_registered_receiver": N_("%(name)s is not registered as a receiver"),
    "not_a_receiver": N_("not a receiver"),
    "utf8_damaged_line": N_(
        "line %(line)s: invalid UTF-8 in a UTF-8 file (%(reason)s at byte %(byte)s)"
    ),
    "line_not_text": N_("line %(line)s: the file is neither UTF-8 nor GB18030 text (%(reason)s)"),
    "time_missing": N_("the time is missing"),
    "time_not_iso": N_("%(text)r is not an ISO 8601 date and time"),
    # GPS files, routes and tracks
    "crs_unknown": N_("crs must be one of %(choices)s, not %(crs)r"),
    "gpx_root_not_gpx": N_("the root element is <%(root)s>, not a GPX 1.0 or 1.1 <gpx>"),
    "gpx_fix_without_time": N_("fix %(fix)s has no time"),
    "gpx_fix_bad_time": N_("fix %(fix)s has time %(time)r, not an ISO 8601 date-time"),
    "gpx_fix_without_position": N_("fix %(fix)s has no %(missing)s attribute"),
    "track_empty": N_("the file has no track points"),
    "route_too_short": N_("a route needs at least two distinct points"),
    "route_gpx_empty": N_("the GPX file has neither route nor track points"),
    "xml_doctype": N_("the file has a DOCTYPE; DTDs and entities are not accepted"),
    "xml_entity": N_("the file declares or uses an XML entity; entities are not accepted"),
    "export_is_gpx": N_("this is a GPX file, not a CSV or XLSX export"),
    "export_is_xls": N_("old binary Excel files (.xls) are not read; save it as .xlsx or CSV"),
    "corridor_invalid": N_("corridor_m must be a whole number of metres, 10 to %(limit)s"),
    "corridor_range": N_("10 to 20000"),
    "route_final": N_("the route of a manifest that is %(status)s is final"),
    "route_setters": N_("only the generator or the transporter may set the route"),
    "track_after_pickup": N_("a track is uploaded after pickup; the manifest is %(status)s"),
    "track_uploaders": N_("only a transporter of this trip may upload its track"),
    "track_crs_differs": N_("this file was uploaded before, declared in %(declared)s, not %(crs)s"),
}
