"""Talking to upstreams: the only aiohttp client, auth (tokens that renew themselves included), replies,
redaction, retries, writes that finish once sent, breaker, quota and cache."""
