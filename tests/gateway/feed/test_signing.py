"""Feed URL signatures: a filter's own, under one of the configured keys, and nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gateway.feed.filter import FeedFilter
from gateway.feed.signing import FeedSigner

FILTER = FeedFilter(providers=("kona",), starts_after=datetime(2026, 1, 1, tzinfo=UTC), search="demo")


def test_a_signature_verifies_for_its_own_filter() -> None:
    signer = FeedSigner(["s3cret"])
    assert signer.verify(FILTER, signer.sign(FILTER))


@pytest.mark.parametrize(
    "tampered",
    [
        replace(FILTER, providers=("kona", "pretix")),
        replace(FILTER, providers=()),
        replace(FILTER, starts_after=None),
        replace(FILTER, starts_after=datetime(2025, 1, 1, tzinfo=UTC)),
        replace(FILTER, starts_before=datetime(2027, 1, 1, tzinfo=UTC)),
        replace(FILTER, search=None),
        replace(FILTER, search="demo "),
    ],
    ids=repr,
)
def test_a_signature_does_not_verify_another_filter(tampered: FeedFilter) -> None:
    signer = FeedSigner(["s3cret"])
    assert not signer.verify(tampered, signer.sign(FILTER))


def test_another_key_signs_differently_and_is_refused() -> None:
    assert not FeedSigner(["s3cret"]).verify(FILTER, FeedSigner(["other"]).sign(FILTER))


@pytest.mark.parametrize("signature", ["", "x", "!!!!", "A" * 43, "=" * 8, "é"])
def test_garbage_signatures_are_refused_not_an_error(signature: str) -> None:
    assert not FeedSigner(["s3cret"]).verify(FILTER, signature)


def test_only_the_spelling_sign_writes_verifies() -> None:
    signer = FeedSigner(["s3cret"])
    signature = signer.sign(FILTER)
    standard = signature.replace("-", "+").replace("_", "/")
    for variant in (signature + "!!!", signature + "=", signature + "\n", standard, signature[:-1]):
        if variant != signature:
            assert not signer.verify(FILTER, variant), variant
    assert signer.verify(FILTER, signature)


def test_the_first_key_signs_and_every_key_verifies() -> None:
    old = FeedSigner(["old"]).sign(FILTER)
    rotated = FeedSigner(["new", "old"])
    assert rotated.sign(FILTER) == FeedSigner(["new"]).sign(FILTER)
    assert rotated.verify(FILTER, old)
    assert not FeedSigner(["new"]).verify(FILTER, old)  # removing the old key revokes its URLs


def test_without_keys_nothing_signs_or_verifies() -> None:
    signer = FeedSigner([])
    assert not signer.can_sign
    assert not signer.verify(FILTER, FeedSigner(["s3cret"]).sign(FILTER))
    with pytest.raises(RuntimeError):
        signer.sign(FILTER)


def test_the_signature_is_url_safe_and_holds_no_key() -> None:
    signature = FeedSigner(["s3cret"]).sign(FILTER)
    assert signature.isascii()
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert "s3cret" not in signature
