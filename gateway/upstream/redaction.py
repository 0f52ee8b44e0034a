"""Credentials out of every upstream text the gateway passes on, in whatever spelling they come back.

An upstream that echoes the request (an error quoting the `Authorization` header, a debugging
page) would otherwise hand the gateway's credentials to any caller, and `providers { lastError }`
would keep them there for every later one. Every reply body goes through a `Redactor` before any
provider reads it (see `gateway.upstream.endpoint`), so no message, field or `raw` value built from it
can carry a credential.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import orjson

REDACTED = "[redacted]"

#: Shorter values would redact ordinary words, and no real credential is this short.
MIN_SECRET = 4
#: Base64 spellings shorter than this are too likely to occur by chance in other base64 text.
MIN_ENCODED = 8

# OAuth 1.0a signs every request afresh, so its signature and tokens cannot be listed in advance:
# they are recognised by name instead, in a header (`oauth_signature="…"`), a query string
# (`oauth_signature=…`) or percent-encoded (`oauth_signature%3D%22…`).
_OAUTH = (
    r"(?i:(?P<name>oauth_(?:signature|token|token_secret|verifier))"
    r"(?P<sep>\s*(?:=|%3D|:)\s*(?:\\?\"|%22)?))"
    r"(?P<value>[^\"&,\s\\%]+(?:%[0-9A-Fa-f]{2}[^\"&,\s\\%]*)*)"
)
#: OAuth parameter names are lower-case (RFC 5849); an echo shouting them is caught by its capitals.
_OAUTH_HINTS = (b"oauth_", b"OAUTH_")
_OAUTH_PATTERN = re.compile(_OAUTH)
_SIGNATURE = re.compile(r'oauth_signature="([^"]+)"')
#: Redactors `also` keeps for recurring `Authorization` values (a bearer token between renewals).
_ALSO_KEPT = 16
# A JSON string can spell any character as \uXXXX, which a byte scan for the plain form would miss.
_ESCAPED_ASCII = re.compile(rb"\\u00[2-7][0-9A-Fa-f]")


def spellings(secret: str) -> set[str]:
    """The ways `secret` can come back inside other text: as is, percent- and JSON-escaped, in base64.

    Base64 of a longer value containing the secret (`Basic` credentials, `ORG_ID:API_KEY`) encodes
    it differently depending on where it starts modulo 3, so each of the three alignments is
    listed, trimmed to the characters that depend on the secret alone.
    """
    forms = {secret, quote(secret, safe=""), quote_plus(secret), orjson.dumps(secret).decode()[1:-1]}
    forms |= {form.replace("/", "\\/") for form in list(forms)}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda escape: escape.group().lower(), form) for form in list(forms)}
    raw = secret.encode()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        first = -(-shift * 8 // 6)  # the first character that no prefix bit reaches
        last = (shift + len(raw)) * 8 // 6  # past the last character made of the secret's bits only
        core = encoded[first:last]
        if len(core) >= MIN_ENCODED:
            forms |= {core, core.translate(str.maketrans("+/", "-_"))}
    return {form for form in forms if form}


class _Layer:
    """The spellings of some secrets: one pattern to replace them, the shortest forms to scan for.

    The pattern is compiled only when a text holds one of the shortest forms: a request's OAuth
    signature makes a layer of its own per call, and compiling its alternation (~3 ms) for every
    reply, when almost none quotes it, cost more than the rest of the call.
    """

    __slots__ = ("_ordered", "_pattern", "scan", "scan_text", "secrets")

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(secret for secret in secrets if len(secret) >= MIN_SECRET)
        forms: set[str] = set()
        for secret in self.secrets:
            forms |= spellings(secret)
        # The longest spelling wins where they overlap; ties in a fixed order, so that the same
        # secrets make the same pattern (and hit the cache of compiled ones).
        self._ordered = tuple(sorted(forms, key=lambda form: (-len(form), form)))
        # A body holding a longer spelling holds a shorter one inside it too (the key inside
        # `Bearer ORG:KEY`, in every base64 alignment), so the scan looks for the shortest only.
        self.scan_text = tuple(
            form for form in self._ordered if not any(other != form and other in form for other in forms)
        )
        self.scan = tuple(form.encode() for form in self.scan_text)
        self._pattern: re.Pattern[str] | None = None

    def sub(self, value: str) -> str:
        """`value` with this layer's spellings replaced; untouched (and nothing compiled) when it
        holds none of the shortest forms, which every spelling contains."""
        if not any(form in value for form in self.scan_text):
            return value
        if self._pattern is None:
            self._pattern = _alternation(self._ordered)
        return self._pattern.sub(REDACTED, value)


@functools.lru_cache(maxsize=64)
def _alternation(forms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching any of `forms`, the first listed winning; the same forms compile once."""
    return re.compile("|".join(re.escape(form) for form in forms))


class Redactor:
    """Replaces every known credential (and any OAuth signature or token) with `[redacted]`.

    A redactor is layers of secrets: the deployment's, then (`with_secrets`) one caller's, then
    (`also`) what one request signed. Each layer is built once, so adding a caller's credential
    or a request's signature costs the spellings of those few values, not of every secret again.
    """

    def __init__(self, secrets: Iterable[str] = (), *, _layers: tuple[_Layer, ...] = ()) -> None:
        own = _Layer(secrets)
        self._layers = (*_layers, own) if own.secrets or not _layers else _layers
        self._also: dict[str, Redactor] = {}

    def with_secrets(self, secrets: Iterable[str]) -> Redactor:
        """This redactor plus `secrets` (a caller's credential, in every spelling)."""
        return Redactor(secrets, _layers=self._layers)

    def also(self, sent: str) -> Redactor:
        """This redactor, plus one `Authorization` value signed for a request: the whole value, the
        credential after its scheme (`Bearer <token>`), and an OAuth 1.0a signature on its own."""
        found = self._also.get(sent)
        if found is not None:
            return found
        signature = _SIGNATURE.search(sent)
        scheme, _, credential = sent.partition(" ")
        extra = [sent]
        if signature:
            extra.append(unquote(signature.group(1)))
        elif credential and scheme.isalpha():
            extra.append(credential.strip())
        found = self.with_secrets(extra)
        if signature is None:
            # A bearer token repeats for every call until it is renewed; a signature never does.
            if len(self._also) >= _ALSO_KEPT:
                self._also.clear()
            self._also[sent] = found
        return found

    def text(self, value: str) -> str:
        """`value` with every credential replaced."""
        for layer in reversed(self._layers):  # the most specific (a caller's, a request's) first
            value = layer.sub(value)
        return _OAUTH_PATTERN.sub(_replacement, value)

    def mentions(self, raw: bytes | bytearray) -> bool:
        """Whether a raw body may spell a credential (a fast scan that never misses one)."""
        return (
            any(form in raw for layer in self._layers for form in layer.scan)
            or any(hint in raw for hint in _OAUTH_HINTS)
            or _ESCAPED_ASCII.search(raw) is not None
        )

    def json(self, value: Any) -> Any:
        """A decoded JSON value with every string (keys included) redacted, changed in place."""
        if isinstance(value, str):
            return self.text(value)
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                for index, item in enumerate(node):
                    if isinstance(item, str):
                        node[index] = self.text(item)
                    elif isinstance(item, list | dict):
                        stack.append(item)
            elif isinstance(node, dict):
                for key, item in list(node.items()):
                    clean = self.text(key)
                    if clean != key:
                        del node[key]
                    if isinstance(item, str):
                        item = self.text(item)
                    elif isinstance(item, list | dict):
                        stack.append(item)
                    node[clean] = item
        return value


def _replacement(match: re.Match[str]) -> str:
    if match.group("name"):
        return f"{match.group('name')}{match.group('sep')}{REDACTED}"
    return REDACTED
