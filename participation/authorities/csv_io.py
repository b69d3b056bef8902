"""The address book as CSV: read (validate every row first) and write, in one column layout.

Columns: organisation;department;emails;subject_areas;active;notes. Excel in German writes `;`,
other tools `,`; both are read, with or without a UTF-8 byte order mark. Several e-mails are
separated by spaces, commas or "|", subject areas (German labels or codes) by commas or "|".
"""

import csv
import dataclasses
import io
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import Authority, SubjectArea

COLUMNS = ["organisation", "department", "emails", "subject_areas", "active", "notes"]
REQUIRED_COLUMNS = {"organisation", "emails"}
MAX_ROWS = 5000
TRUE_VALUES = {"", "ja", "j", "yes", "y", "true", "wahr", "1", "x", "aktiv"}
FALSE_VALUES = {"nein", "n", "no", "false", "falsch", "0", "inaktiv"}


@dataclasses.dataclass(frozen=True)
class AuthorityRow:
    """One valid row of an address book file."""

    organisation: str
    department: str
    emails: list[str]
    subject_areas: list[str]
    active: bool
    notes: str


def split_emails(value: str) -> list[str]:
    """Return the addresses in `value` (separated by whitespace, commas, semicolons or "|"), without duplicates."""
    seen: list[str] = []
    for part in re.split(r"[\s,;|]+", value or ""):
        if part and part.lower() not in (s.lower() for s in seen):
            seen.append(part)
    return seen


def invalid_emails(emails: list[str]) -> list[str]:
    """Return the addresses of `emails` that are not valid e-mail addresses."""
    wrong = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            wrong.append(email)
    return wrong


def _area_lookup() -> dict[str, str]:
    lookup = {code.lower(): code for code in SubjectArea.values}
    lookup.update({str(label).lower(): code for code, label in SubjectArea.choices})
    return lookup


def parse_subject_areas(value: str) -> tuple[list[str], list[str]]:
    """Return (codes, unknown names) for the subject areas named in `value` by code or German label."""
    lookup = _area_lookup()
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,|]", value or ""):
        name = " ".join(part.split())
        if not name:
            continue
        code = lookup.get(name.lower())
        if code is None:
            unknown.append(name)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("Die Datei ist nicht UTF-8-kodiert. Bitte als „CSV UTF-8“ speichern."), code="not_utf8"
        ) from None


def _row_error(number: int, reason: str) -> ValidationError:
    return ValidationError(_("Zeile %(row)s: %(reason)s"), code="bad_row", params={"row": number, "reason": reason})


def _check_row(number: int, record: dict[str, str]) -> tuple[AuthorityRow | None, list[ValidationError]]:
    """Return the row of `record` and the reasons it is refused (line `number` of the file)."""
    errors = []
    organisation = " ".join((record.get("organisation") or "").split())
    department = " ".join((record.get("department") or "").split())
    if not organisation:
        errors.append(_row_error(number, _("Die Organisation fehlt.")))
    elif len(organisation) > 250:
        errors.append(_row_error(number, _("Die Organisation ist länger als 250 Zeichen.")))
    if len(department) > 250:
        errors.append(_row_error(number, _("Die Abteilung ist länger als 250 Zeichen.")))
    emails = split_emails(record.get("emails") or "")
    if not emails:
        errors.append(_row_error(number, _("Keine E-Mail-Adresse angegeben.")))
    wrong = invalid_emails(emails)
    if wrong:
        errors.append(_row_error(number, _("Ungültige E-Mail-Adresse: %(emails)s") % {"emails": ", ".join(wrong)}))
    areas, unknown = parse_subject_areas(record.get("subject_areas") or "")
    if unknown:
        errors.append(_row_error(number, _("Unbekannter Fachbereich: %(areas)s") % {"areas": ", ".join(unknown)}))
    active_text = (record.get("active") or "").strip().lower()
    if active_text not in TRUE_VALUES | FALSE_VALUES:
        errors.append(_row_error(number, _("„aktiv“ muss „ja“ oder „nein“ sein.")))
    if errors:
        return None, errors
    row = AuthorityRow(
        organisation=organisation,
        department=department,
        emails=emails,
        subject_areas=areas,
        active=active_text in TRUE_VALUES,
        notes=(record.get("notes") or "").strip(),
    )
    return row, []


def read_address_book(data: bytes) -> list[AuthorityRow]:
    """Return every row of the CSV `data`; raise one ValidationError listing all bad rows (nothing is half read)."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        raise ValidationError(
            _("Die Kopfzeile muss die Spalten %(columns)s enthalten (fehlt: %(missing)s; unbekannt: %(unknown)s).")
            % {
                "columns": ";".join(COLUMNS),
                "missing": ", ".join(missing) or "–",
                "unknown": ", ".join(unknown) or "–",
            },
            code="bad_header",
        )
    reader.fieldnames = header
    rows: list[AuthorityRow] = []
    errors: list[ValidationError] = []
    seen: dict[tuple[str, str], int] = {}
    for record in reader:
        number = reader.line_num
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationError(
                _("Die Datei hat mehr als %(max)s Zeilen."), code="too_many_rows", params={"max": MAX_ROWS}
            )
        if None in record:
            errors.append(_row_error(number, _("Die Zeile hat mehr Spalten als die Kopfzeile.")))
            continue
        if not any((value or "").strip() for value in record.values()):
            continue
        record = {key: csv_unsafe(value or "") for key, value in record.items()}
        row, row_errors = _check_row(number, record)
        if row is None:
            errors.extend(row_errors)
            continue
        identity = (row.organisation.lower(), row.department.lower())
        if identity in seen:
            errors.append(
                _row_error(
                    number, _("Doppelt: dieselbe Behörde und Abteilung wie in Zeile %(row)s.") % {"row": seen[identity]}
                )
            )
            continue
        seen[identity] = number
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Die Datei enthält keine Einträge."), code="empty")
    return rows


def subject_area_labels(codes: list[str]) -> list[str]:
    """Return the German labels of the subject area `codes` (unknown codes as they are)."""
    labels = dict(SubjectArea.choices)
    return [str(labels.get(code, code)) for code in codes]


def write_address_book(authorities) -> str:
    """Return `authorities` as CSV text in the import layout (`;`, for Excel in German)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for authority in authorities:
        writer.writerow(_csv_row(authority))
    return out.getvalue()


def _csv_row(authority: Authority) -> list[str]:
    return [
        csv_safe(authority.organisation),
        csv_safe(authority.department),
        " ".join(authority.emails),
        ", ".join(subject_area_labels(authority.subject_areas)),
        "ja" if authority.active else "nein",
        csv_safe(authority.notes),
    ]


FORMULA_STARTS = ("=", "+", "-", "@")


def csv_safe(value) -> str:
    """Return `value` as text that a spreadsheet does not run as a formula (a leading apostrophe)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_unsafe(text: str) -> str:
    """Undo `csv_safe` on a value read back from our own export."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _yes(value: bool) -> str:
    return _("ja") if value else _("nein")


def _date(value) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def _datetime(value) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(value):%d.%m.%Y %H:%M}" if value else ""


def _last_action(row) -> str:
    action = row.last_action
    return f"{action.get_kind_display()} {_datetime(action.at)}" if action else ""


# The status board of a round, one column per entry: (header, value of a selectors.BoardRow).
BOARD_COLUMNS = [
    (lambda: _("Behörde / Organisation"), lambda row: row.invitation.authority.organisation),
    (lambda: _("Abteilung / Dezernat"), lambda row: row.invitation.authority.department),
    (lambda: _("E-Mail-Adressen"), lambda row: " ".join(row.invitation.emails)),
    (lambda: _("Frist"), lambda row: _date(row.invitation.deadline)),
    (lambda: _("Eingeladen am"), lambda row: _datetime(row.invitation.invited_at)),
    (lambda: _("Link geöffnet"), lambda row: _datetime(row.invitation.opened_at)),
    (lambda: _("Stellungnahmen"), lambda row: str(row.statements)),
    (lambda: _("Keine Bedenken"), lambda row: _yes(row.no_objections)),
    (lambda: _("Überfällig"), lambda row: _yes(row.overdue)),
    (lambda: _("Widerrufen"), lambda row: _datetime(row.invitation.revoked_at)),
    (lambda: _("Letzte Aktion"), _last_action),
]


def write_board(rows) -> str:
    """Return a round's status board (selectors.round_board rows) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header() for header, _value in BOARD_COLUMNS])
    for row in rows:
        writer.writerow([csv_safe(value(row)) for _header, value in BOARD_COLUMNS])
    return out.getvalue()
