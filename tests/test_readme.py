"""The README's settings table is what the settings models say (`scripts/readme-settings.py` writes it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_settings_table_is_generated_from_the_models() -> None:
    spec = importlib.util.spec_from_file_location("readme_settings", ROOT / "scripts" / "readme-settings.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (ROOT / "README.md").read_text()
    assert script.rewritten(readme) == readme, "run `python scripts/readme-settings.py`"
    assert "`STRIGO_API_KEY`" in readme
