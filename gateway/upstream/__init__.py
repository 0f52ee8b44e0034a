"""Talking to upstreams: the only aiohttp client, replies, redaction, retries, breaker, quota and cache."""
