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
    "track_crs_declared_before": N_(
        "declared in %(declared)s when this file was uploaded before; it cannot now be %(crs)s"
    ),
    "file_too_large": N_("the file is larger than the limit of %(limit)s bytes"),
    "file_not_utf8": N_("the file is not UTF-8 text (%(reason)s)"),
    "xml_entity_reference": N_("entity references are not accepted (%(reason)s)"),
    "xml_truncated": N_("the file ends too early or is not XML (%(reason)s at line %(line)s)"),
    "xml_not_well_formed": N_(
        "the file is not well-formed XML (%(reason)s at line %(line)s, column %(column)s)"
    ),
    "xml_not_well_formed_reason": N_("the file is not well-formed XML (%(reason)s)"),
    "xml_declared_encoding": N_(
        "the file is declared %(encoding)s but holds bytes that are not (%(reason)s)"
    ),
    "gpx_value_refused": N_("gpxpy refused a value: %(reason)s"),
    "gpx_fix_no_valid_time": N_("fix %(fix)s has no valid time"),
    "gpx_fix_not_a_number": N_("fix %(fix)s has %(coordinate)s %(value)s, which is not a number"),
    "fix_out_of_range": N_(
        "fix %(fix)s has latitude %(lat)s, longitude %(lon)s; latitude must be within "
        "[-90, 90] and longitude within [-180, 180]"
    ),
    "route_point_out_of_range": N_(
        "route point %(fix)s has latitude %(lat)s, longitude %(lon)s; latitude must be within "
        "[-90, 90] and longitude within [-180, 180]"
    ),
    # Planned routes in GeoJSON
    "route_media": N_("routes are GeoJSON or GPX, not %(media)s"),
    "route_neither": N_("the route is neither GeoJSON nor GPX"),
    "route_bad_json": N_("the route is not valid JSON (%(reason)s)"),
    "route_no_coordinates": N_("the LineString has no coordinates array"),
    "route_bad_point": N_("route point %(point)s is %(position)s, not [longitude, latitude]"),
    "route_not_object": N_("a GeoJSON route must be an object"),
    "route_feature_geometry": N_("the route feature's geometry is %(found)s, not a LineString"),
    "route_no_features": N_("the FeatureCollection has no features array"),
    "route_line_count": N_(
        "the FeatureCollection has %(count)s LineString features; a route needs one"
    ),
    "route_not_a_line": N_("GeoJSON %(kind)s is not a route; give a LineString"),
    # Fleet-platform exports (CSV and XLSX) and their rows
    "xlsx_unreadable": N_("the file is not a readable XLSX workbook (%(reason)s)"),
    "xlsx_too_many_parts": N_("the workbook has more than %(limit)s parts"),
    "xlsx_too_large": N_(
        "the workbook unpacks to %(size)s bytes, more than the limit of %(limit)s"
    ),
    "xlsx_part_forbidden": N_("%(part)s has a DOCTYPE or an entity; they are not accepted"),
    "xlsx_part_damaged": N_("the workbook part %(part)s is damaged (%(reason)s)"),
    "xlsx_no_sheet": N_("the workbook has no worksheet"),
    "xlsx_row_unreadable": N_("row %(row)s of the worksheet cannot be read (%(reason)s)"),
    "sheet_too_many_rows": N_(
        "the worksheet has more than %(limit)s rows; export a shorter period"
    ),
    "csv_too_many_rows": N_("the file has more than %(limit)s rows; export a shorter period"),
    "csv_line_unreadable": N_("line %(line)s: %(reason)s"),
    "export_no_header": N_(
        "no header row naming %(columns)s (e.g. 定位时间, 纬度, 经度) in the first %(rows)s rows"
    ),
    "export_other_vehicle": N_("the export is of another vehicle: %(found)s, not %(expected)s"),
    "plate_on_line": N_("%(plate)s (line %(line)s)"),
    "export_bad_rows": N_("%(count)s problem(s) in the rows, nothing was stored: %(rows)s"),
    "export_bad_rows_more": N_("%(count)s problem(s) in the rows, nothing was stored: %(rows)s; …"),
    "row_problem": N_("line %(line)s, %(column)s: %(problem)s"),
    "one_then_another": N_("%(first)s; %(rest)s"),
    "export_no_positioned_row": N_("the export has no positioned row"),
    "row_status_invalid": N_(
        "%(value)s is not a positioning status (定位/未定位, 1/0, A/V, valid/invalid)"
    ),
    "row_zero_position": N_(
        "0, 0 is not a position; a row without a fix must say so in a positioning-status column"
    ),
    "row_time_formula": N_("a formula (%(formula)s), not a recorded time"),
    "row_time_number": N_("%(value)s is a number, not a date and time"),
    "row_value_formula": N_("a formula (%(formula)s), not a recorded value"),
    "row_value_missing": N_("missing"),
    "row_not_a_number": N_("%(value)s is not a number"),
    "row_out_of_range": N_("%(value)s is outside [%(low)s, %(high)s]"),
    "formula_shown": N_("a formula (%(formula)s)"),
}
