"""Emulators of the upstream APIs (aiohttp.web) with seeded data, a call log and fault injection."""
