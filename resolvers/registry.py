"""The provider registry: an explicit, ordered tuple. A new provider is one entry here (and one
`Provider` member); the schema, the sandbox, the settings table and the shared tests follow from it."""

from __future__ import annotations

from typing import Final

from resolvers import kona, pretix, schoology, strigo
from resolvers.provider import ProviderAPI

PROVIDERS: Final[tuple[ProviderAPI, ...]] = (strigo.API, schoology.API, kona.API, pretix.API)

BY_NAME: Final[dict[str, ProviderAPI]] = {api.spec.name: api for api in PROVIDERS}

#: The registered providers' names, in registry order (what the sandbox and the tests are given).
NAMES: Final[tuple[str, ...]] = tuple(BY_NAME)
