"""Wire formats of the Schoology emulator: `Accept` negotiation, the XML serializer and XML request bodies."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

JSON_TYPES = ("application/json",)
XML_TYPES = ("text/xml", "application/xml")
XML_CONTENT_TYPE = "text/xml"
_DECLARATION = '<?xml version="1.0" encoding="utf-8" ?>\n'


def wants_json(accept: str | None) -> bool:
    """True when `Accept` ranks application/json above the XML types (ties go to the one listed first).

    With no `Accept`, or one naming neither format, the answer is XML (docs: XML is the default format).
    """
    best: tuple[float, int, bool] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        if media not in JSON_TYPES + XML_TYPES:
            continue
        quality = _quality(params)
        candidate = (quality, -position, media in JSON_TYPES)
        if quality > 0 and (best is None or candidate > best):
            best = candidate
    return best is not None and best[2]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def to_xml(data: Any) -> str:
    """Serialize JSON-shaped data under a `<result>` root; lists repeat their key's element."""
    root = ET.Element("result")
    _fill(root, data)
    return _DECLARATION + ET.tostring(root, encoding="unicode")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            for entry in items:
                _fill(ET.SubElement(element, str(key)), entry)
    elif isinstance(value, list):
        for entry in value:
            _fill(ET.SubElement(element, "item"), entry)
    elif value is not None and value != "":
        element.text = str(value)


def from_xml(raw: bytes) -> Any:
    """Parse an XML request body: `<body><title>…</title></body>` → {"title": …}; repeated tags → lists.

    The root's name is ignored (Schoology accepts `<body>`, `<result>`, `<requests>`, …).
    """
    try:
        # Sandbox-only parser of bodies sent by our own gateway/tests; no untrusted input.
        root = ET.fromstring(raw)  # noqa: S314
    except ET.ParseError:
        return None
    return _read(root)


def _read(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    result: dict[str, Any] = {}
    for child in children:
        value = _read(child)
        if child.tag in result:
            previous = result[child.tag]
            result[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[child.tag] = value
    return result
