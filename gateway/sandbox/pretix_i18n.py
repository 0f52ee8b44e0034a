"""pretix emulator languages: `Accept-Language` picks English or German error messages, as pretix does.

The German texts are pretix 2026.8.0's own (its, DRF's and Django's catalogs), each checked against
a real server. Messages pretix raises without translation stay English in every language, e.g.
"Invalid token.", the refused delete, "needs to be an object", "No SalesChannel matches…".
Emulator assumption: of pretix's many languages only German is emulated; any other answers English
(real pretix would translate to French, Dutch, …), and `de-informal` counts as another language.
"""

from __future__ import annotations

import re
from typing import Any

#: English template → German template; `{}` stands for a value copied from the English text.
GERMAN = (
    (
        "You do not have permission to perform this action.",
        "Sie sind nicht berechtigt, diese Aktion durchzuführen.",
    ),
    ("Authentication credentials were not provided.", "Anmeldedaten fehlen."),
    (
        "Invalid token header. No credentials provided.",
        "Ungültiger Token Header. Keine Zugangsdaten angegeben.",
    ),
    (
        "Invalid token header. Token string should not contain spaces.",
        "Ungültiger Token Header. Zugangsdaten sollen keine Leerzeichen enthalten.",
    ),
    ("This field is required.", "Dieses Feld ist erforderlich."),
    ("This field may not be null.", "Dieses Feld darf nicht null sein."),
    ("This field may not be blank.", "Dieses Feld darf nicht leer sein."),
    (
        "Datetime has wrong format. Use one of these formats instead: {}.",
        "Datums- und Zeitangabe hat das falsche Format. Nutze stattdessen eines dieser Formate: {}.",
    ),
    ("Invalid page.", "Ungültige Seite."),
    ('Method "{}" not allowed.', 'Methode "{}" nicht erlaubt.'),
    ("Must be a valid boolean.", "Muss ein gültiger Wahrheitswert sein."),
    ("Not a valid string.", "Kein gültiger String."),
    ("A valid number is required.", "Eine gültige Zahl ist erforderlich."),
    (
        "Ensure this value is greater than or equal to {}.",
        "Stelle sicher, dass dieser Wert größer oder gleich {} ist.",
    ),
    (
        "Ensure this value is less than or equal to {}.",
        "Stelle sicher, dass dieser Wert kleiner oder gleich {} ist.",
    ),
    ('"{}" is not a valid choice.', '"{}" ist keine gültige Auswahl.'),
    (
        'Expected a list of items but got type "{}".',
        'Erwarte eine Liste von Elementen, erhielt aber den Typ "{}".',
    ),
    ("Object with {}={} does not exist.", "Objekt mit {}={} existiert nicht."),
    ("Incorrect type. Expected pk value, received {}.", "Falscher Typ. Erwarte pk-Wert, erhielt aber {}."),
    ('Invalid pk "{}" - object does not exist.', 'Ungültiger pk "{}" - Object existiert nicht.'),
    (
        "Ensure this field has no more than {} characters.",
        "Stelle sicher, dass dieses Feld nicht mehr als {} Zeichen lang ist.",
    ),
    ("Enter a valid date/time.", "Bitte ein gültiges Datum und Uhrzeit eingeben."),
    ("This field has an invalid value: {}.", "Dieses Feld hat einen ungültigen Wert: {}."),
    (
        "The slug may only contain letters, numbers, dots and dashes.",
        "Die Kurzform darf nur Buchstaben, Zahlen, Punkte und Bindestriche enthalten.",
    ),
    ("The event slug cannot be changed.", "Die Kurzform einer Veranstaltung kann nicht geändert werden."),
    (
        "This slug has already been used for a different event.",
        "Diese Kurzform ist bereits in Verwendung, bitte wählen Sie eine andere.",
    ),
    (
        "Once created an event cannot change between an series and a single event.",
        "Eine bestehende Veranstaltung kann nicht zwischen Einzelveranstaltung und Veranstaltungsreihe "
        "umgestellt werden.",
    ),
    (
        "Events cannot be created as 'live'. Quotas and payment must be added to the event before sales "
        "can go live.",
        "Veranstaltungen können nicht als 'veröffentlicht' erstellt werden, da vorher Kontingente und "
        "Zahlungseinstellungen angelegt werden müssen.",
    ),
    (
        "You need to configure at least one quota to sell anything.",
        "Sie müssen mindestens ein Kontingent anlegen, um etwas zu verkaufen.",
    ),
    (
        "The event cannot end before it starts.",
        "Das Ende der Veranstaltung muss nach dem Beginn der Veranstaltung liegen.",
    ),
    (
        "The event's presale cannot end before it starts.",
        "Das Ende des Vorverkaufs muss nach dem Beginn des Vorverkaufs liegen.",
    ),
    ("Meta data property '{}' does not exist.", "Die Meta-Eigenschaft '{}' existiert nicht."),
    (
        "Meta data property '{}' does not allow value '{}'.",
        "Die Meta-Eigenschaft '{}' erlaubt den Wert '{}' nicht.",
    ),
    ("Unknown plugin: '{}'.", "Unbekannte Erweiterung: '{}'."),
)
_PATTERNS = tuple(
    (re.compile("^" + re.escape(english).replace(re.escape("{}"), "(.*?)") + "$", re.DOTALL), german)
    for english, german in GERMAN
)


def language_of(header: str) -> str:
    """`de` or `en`: the most preferred of the two in an `Accept-Language` header (default `en`)."""
    ranked: list[tuple[float, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *params = (piece.strip().lower() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality + position * 1e-6, tag))
    for _, tag in sorted(ranked):
        if tag == "de" or (tag.startswith("de-") and tag != "de-informal"):
            return "de"
        if tag == "en" or tag.startswith("en-"):
            return "en"
    return "en"


def translate(message: str, language: str) -> str:
    """One message in `language` (unchanged when pretix does not translate it)."""
    if language != "de":
        return message
    for pattern, german in _PATTERNS:
        match = pattern.match(message)
        if match is not None:
            return german.format(*match.groups())
    return message


def localize(body: Any, language: str) -> Any:
    """An error body with every message translated (keys, i.e. field names, stay as they are)."""
    if isinstance(body, str):
        return translate(body, language)
    if isinstance(body, list):
        return [localize(item, language) for item in body]
    if isinstance(body, dict):
        return {key: localize(value, language) for key, value in body.items()}
    return body
