"""Known-answer tests for the SENS (Ncloud API Gateway v2) request signature.

Naver's documentation shows signed requests but never publishes the secret key behind them,
so no official vector can be checked. The fixed vector below was computed independently of
this code with OpenSSL, following Naver's documented shell recipe:

    printf 'POST /sms/v2/services/ncp:sms:kr:123456789012:naver-sms/messages\\n1764225000000\\n'\\
'AKIAEXAMPLEACCESS01' | openssl dgst -sha256 -hmac 'SecretKeyExample0123456789abcdefABCDEF01' \\
      -binary | openssl enc -base64
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from naver_sms.clients.sens import sign

SECRET = "SecretKeyExample0123456789abcdefABCDEF01"
ACCESS = "AKIAEXAMPLEACCESS01"
PATH = "/sms/v2/services/ncp:sms:kr:123456789012:naver-sms/messages"
TIMESTAMP = 1764225000000
EXPECTED_FROM_OPENSSL = "xKeTZd4eNkPiPAk1tyeFyxjZGwr3+r92L5aPbbznsQE="


def test_signature_matches_the_openssl_vector() -> None:
    assert sign(SECRET, "POST", PATH, TIMESTAMP, ACCESS) == EXPECTED_FROM_OPENSSL


def test_signature_matches_a_hand_built_string_to_sign() -> None:
    string_to_sign = b"GET /sms/v2/services/svc/messages?a=1\n1600000000000\nak"
    expected = base64.b64encode(hmac.new(b"sk", string_to_sign, hashlib.sha256).digest()).decode()
    assert sign("sk", "GET", "/sms/v2/services/svc/messages?a=1", 1600000000000, "ak") == expected


def test_every_input_changes_the_signature() -> None:
    base = sign(SECRET, "POST", PATH, TIMESTAMP, ACCESS)
    variants = {
        sign(SECRET + "x", "POST", PATH, TIMESTAMP, ACCESS),
        sign(SECRET, "GET", PATH, TIMESTAMP, ACCESS),
        sign(SECRET, "POST", PATH + "x", TIMESTAMP, ACCESS),
        sign(SECRET, "POST", PATH, TIMESTAMP + 1, ACCESS),
        sign(SECRET, "POST", PATH, TIMESTAMP, ACCESS + "x"),
    }
    assert base not in variants
    assert len(variants) == 5
