"""Global ids have exactly one spelling: the one `encode_id` writes, which `decode_id` reads back."""

from __future__ import annotations

import base64

import pytest

from gateway.errors import BadUserInput
from gateway.ids import GlobalId, decode_id, encode_id
from tests.harness import Gateway

CANONICAL = encode_id("schoology", "sections", "3719526", "4812")


@pytest.mark.parametrize(
    ("provider", "parts"),
    [
        ("strigo", ("ZHjAJZGpoNMzCp5bT",)),
        ("schoology", ("sections", "3719526", "4812")),
        ("kona", ("1001",)),
        ("pretix", ("democon", "pycon-2026.v2")),
        ("kona-list", ("0", "50")),
    ],
)
def test_what_encode_writes_decode_reads_back(provider: str, parts: tuple[str, ...]) -> None:
    assert decode_id(encode_id(provider, *parts)) == GlobalId(provider, parts)


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "spelling",
    [
        CANONICAL + "\n",
        CANONICAL + "=",
        CANONICAL + "==",
        _b64("schoology:sections:3719526:4812"),  # with its padding
        CANONICAL[:5] + "." + CANONICAL[5:],  # a character the decoder would skip
        CANONICAL[:5] + " " + CANONICAL[5:],
        CANONICAL[:5] + "!" + CANONICAL[5:],
        " " + CANONICAL,
        encode_id("strigo", "abc\n"),  # a trailing newline inside the key part
        encode_id("strigo", "abc") + "\n",
        encode_id("strigo", "abc\ndef"),
        encode_id("strigo", ""),
        encode_id("strigo"),
        encode_id("", "abc"),
        encode_id("strigo", "../events"),
        "A" * 2000,
    ],
)
def test_any_other_spelling_is_refused(spelling: str) -> None:
    with pytest.raises(BadUserInput):
        decode_id(spelling)


def test_a_last_character_with_other_trailing_bits_is_refused() -> None:
    """Base64 ignores the low bits of a final partial group: `…OjE` and `…OjF` decode alike."""
    value = encode_id("strigo", "1")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    others = [value[:-1] + char for char in alphabet if char != value[-1]]
    twins = [other for other in others if base64.urlsafe_b64decode(other + "==") == b"strigo:1"]

    assert twins  # the codec really does have such spellings
    for twin in twins:
        with pytest.raises(BadUserInput):
            decode_id(twin)


def test_a_refusal_quotes_only_a_little_of_the_value() -> None:
    with pytest.raises(BadUserInput) as refused:
        decode_id("x" * 50_000)
    assert len(refused.value.message) < 120


async def test_an_upstream_key_spelled_another_way_does_not_resolve(gateway: Gateway) -> None:
    """Kona reads `01101` as `1101`: that object's id is not the one asked for, so null + NOT_FOUND."""
    first = await gateway.data("{ events(first: 1, filter: {providers: [KONA]}) { edges { node { id } } } }")
    real_id = first["events"]["edges"][0]["node"]["id"]
    decoded = decode_id(real_id)
    zero_padded = encode_id(decoded.provider, *decoded.parts[:-1], "0" + decoded.parts[-1])
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"

    body = await gateway.query(query, {"ids": [real_id, zero_padded]})

    assert body["data"]["nodes"] == [{"id": real_id}, None]
    (error,) = body["errors"]
    assert error["path"] == ["nodes", 1]
    assert error["extensions"]["code"] == "NOT_FOUND"
