"""Parsed documents and their validation errors, cached by query text within a memory bound."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import ASTValidationRule, DocumentNode, GraphQLError

from gateway.sized_lru import SizedLru

Rules = tuple[type[ASTValidationRule], ...]

# Rough bytes a cached document holds per token (AST nodes, tokens, locations) and per character
# of its text (the text, the strings sliced from it, error messages quoting it).
_BYTES_PER_TOKEN = 400
_BYTES_PER_CHARACTER = 4


def document_bytes(document: DocumentNode, query: str) -> int:
    """A rough estimate of the memory `document`, parsed from `query`, holds."""
    return _BYTES_PER_TOKEN * int(getattr(document, "token_count", 0)) + _BYTES_PER_CHARACTER * len(query)


@dataclass(slots=True)
class _Entry:
    document: DocumentNode
    validated: tuple[Rules, list[GraphQLError]] | None = None


@dataclass
class DocumentCache:
    """An LRU of documents by query text, bounded by entries and by an estimate of their memory.

    Bounding the memory as well as the count keeps distinct large documents (as many as an
    attacker likes) from growing the cache to gigabytes.
    """

    max_entries: int = 1024
    max_bytes: int = 64 * 1024 * 1024
    entries: SizedLru[str, _Entry] = field(init=False)

    def __post_init__(self) -> None:
        self.entries = SizedLru(self.max_entries, self.max_bytes)

    @property
    def size(self) -> int:
        """The estimated memory of the cached documents."""
        return self.entries.size

    def parse(self, query: str, parse: Callable[[str], DocumentNode]) -> DocumentNode:
        """The document for `query`: `parse(query)` once, then from the cache while it stays."""
        entry = self.entries.get(query)
        if entry is not None:
            return entry.document
        document = parse(query)
        self.entries.put(query, _Entry(document), document_bytes(document, query))
        return document

    def validate(
        self, query: str, document: DocumentNode, rules: Rules, validate: Callable[[], list[GraphQLError]]
    ) -> list[GraphQLError]:
        """`validate()`'s errors, remembered with the cached document for these rules."""
        entry = self.entries.peek(query)
        if entry is None or entry.document is not document:
            return validate()
        if entry.validated is None or entry.validated[0] != rules:
            entry.validated = (rules, validate())
        return entry.validated[1]
