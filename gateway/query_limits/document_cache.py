"""Parsed documents and their validation errors, cached by query text within a memory bound."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import ASTValidationRule, DocumentNode, GraphQLError

Rules = tuple[type[ASTValidationRule], ...]

# Rough bytes a cached document holds per token (AST nodes, tokens, locations) and per character
# of its text (the text, the strings sliced from it, error messages quoting it).
_BYTES_PER_TOKEN = 400
_BYTES_PER_CHARACTER = 4


@dataclass(slots=True)
class _Entry:
    document: DocumentNode
    size: int
    validated: tuple[Rules, list[GraphQLError]] | None = None


@dataclass
class DocumentCache:
    """An LRU of documents by query text, bounded by entries and by an estimate of their memory.

    Bounding the memory as well as the count keeps distinct large documents (as many as an
    attacker likes) from growing the cache to gigabytes.
    """

    max_entries: int = 1024
    max_bytes: int = 64 * 1024 * 1024
    entries: OrderedDict[str, _Entry] = field(default_factory=OrderedDict)
    size: int = 0

    def parse(self, query: str, parse: Callable[[str], DocumentNode]) -> DocumentNode:
        """The document for `query`: `parse(query)` once, then from the cache while it stays."""
        entry = self.entries.get(query)
        if entry is not None:
            self.entries.move_to_end(query)
            return entry.document
        document = parse(query)
        tokens = int(getattr(document, "token_count", 0))
        entry = _Entry(document, _BYTES_PER_TOKEN * tokens + _BYTES_PER_CHARACTER * len(query))
        self.entries[query] = entry
        self.size += entry.size
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, evicted = self.entries.popitem(last=False)
            self.size -= evicted.size
        return document

    def validate(
        self, query: str, document: DocumentNode, rules: Rules, validate: Callable[[], list[GraphQLError]]
    ) -> list[GraphQLError]:
        """`validate()`'s errors, remembered with the cached document for these rules."""
        entry = self.entries.get(query)
        if entry is None or entry.document is not document:
            return validate()
        if entry.validated is None or entry.validated[0] != rules:
            entry.validated = (rules, validate())
        return entry.validated[1]
