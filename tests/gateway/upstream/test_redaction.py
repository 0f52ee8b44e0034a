"""The redactor's shortcuts (a pattern compiled only when a text may hold a spelling) never skip one."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gateway.upstream.redaction import REDACTED, Redactor, spellings

SIGNATURE = "tR3+bY/9kQz1wXc8vN0mLp4sA7e="
SIGNED = (
    'OAuth realm="Schoology API", oauth_consumer_key="consumer-key-1234", oauth_nonce="8f1e2d", '
    'oauth_timestamp="1764806400", oauth_signature_method="HMAC-SHA1", '
    f'oauth_signature="{quote(SIGNATURE, safe="")}"'
)


@pytest.mark.parametrize("form", sorted(spellings(SIGNATURE)))
def test_every_spelling_of_a_signature_signed_for_one_call_is_redacted(form: str) -> None:
    # The signature in every spelling, inside other text: neither the scan nor the replacement
    # may skip it, whatever the redactor compiled (or did not) for earlier texts.
    redactor = Redactor(["deployment-secret-1"]).with_secrets(["caller-secret-22"]).also(SIGNED)
    body = f'{{"error": "bad request: sig{form}nature"}}'
    assert redactor.mentions(body.encode())
    assert form not in redactor.text(body)
    assert redactor.text(body).count(REDACTED) >= 1
    clean = redactor.text(body)
    assert redactor.json({"detail": [body], body: 1}) == {"detail": [clean], clean: 1}


def test_each_layer_is_redacted_with_or_without_the_others_in_the_same_text() -> None:
    redactor = Redactor(["deployment-secret-1"]).with_secrets(["caller-secret-22"]).also(SIGNED)
    assert redactor.text("nothing to see") == "nothing to see"
    for secret in ("deployment-secret-1", "caller-secret-22", SIGNATURE, SIGNED):
        assert redactor.text(f"a {secret} b") == f"a {REDACTED} b"
        assert redactor.text(f"a {quote(secret, safe='')} b") == f"a {REDACTED} b"
    both = redactor.text("deployment-secret-1 then caller-secret-22")
    assert both == f"{REDACTED} then {REDACTED}"


def test_the_same_redactor_redacts_again_after_a_text_without_secrets() -> None:
    # The pattern is built on first need: a clean text first must not leave it unusable.
    redactor = Redactor(["deployment-secret-1"]).also(SIGNED)
    assert redactor.text("clean") == "clean"
    assert redactor.text("x deployment-secret-1 y") == f"x {REDACTED} y"
    assert redactor.text("clean again") == "clean again"
    assert redactor.text(f"x {SIGNATURE} y") == f"x {REDACTED} y"
