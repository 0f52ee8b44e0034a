"""The committed SDL is what the code builds: a schema change is always a reviewed diff."""

from __future__ import annotations

from pathlib import Path

from gateway.app import export_sdl

SNAPSHOT = Path(__file__).parents[2] / "schema" / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SNAPSHOT.read_text() == export_sdl(), (
        "schema/schema.graphql is stale: run `event-gateway export-schema > schema/schema.graphql`"
    )
