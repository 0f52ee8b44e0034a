"""graphql-schema-linter on the committed SDL (the one the gateway serves: see test_relay), with
the rules clients/.graphql-schema-linterrc chooses and clients/README.md explains."""

from __future__ import annotations

import json

from tests.clients.tools import CLIENTS, ROOT, bin_path, node, run

CONFIG = CLIENTS / ".graphql-schema-linterrc"


def rules() -> list[str]:
    chosen: list[str] = json.loads(CONFIG.read_text())["rules"]
    return chosen


def test_the_schema_passes_the_chosen_rules() -> None:
    linted = run(
        [
            node(),
            str(bin_path("graphql-schema-linter")),
            "--config-directory",
            str(CLIENTS),
            "--format",
            "json",
            str(ROOT / "schema" / "schema.graphql"),
        ]
    )
    report = json.loads(linted.stdout)
    assert [f"{error['rule']}: {error['message']}" for error in report["errors"]] == []
    assert linted.returncode == 0


def known_rules() -> set[str]:
    """Every rule graphql-schema-linter has (one module each)."""
    node()
    modules = (CLIENTS / "node_modules" / "graphql-schema-linter" / "lib" / "rules").glob("*.js")
    return {path.stem.replace("_", "-") for path in modules}


def test_the_linter_knows_every_chosen_rule() -> None:
    """A rule name the linter does not know would check nothing."""
    assert set(rules()) <= known_rules()
    assert len(rules()) >= 10


def test_every_rule_left_out_is_explained() -> None:
    readme = (CLIENTS / "README.md").read_text()
    assert [rule for rule in sorted(known_rules() - set(rules())) if f"`{rule}`" not in readme] == []
