"""RFC 9497 OPRF (ristretto255-SHA512, mode OPRF): the published test vectors, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redress.escrow import oprf

SEED = bytes.fromhex("a3" * 32)
KEY_INFO = bytes.fromhex("74657374206b6579")
SK = bytes.fromhex("5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e")
BLIND = bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706")
# RFC 9497, Appendix A.1.1 (ristretto255-SHA512, OPRF mode): (Input, BlindedElement,
# EvaluationElement, Output).
VECTORS = [
    (
        "00",
        "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c",
        "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e",
        "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
        "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6",
    ),
    (
        "5a" * 17,
        "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418",
        "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25",
        "f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4"
        "f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621306d18951e7cf2c73",
    ),
]


def test_derive_key_pair_matches_the_rfc() -> None:
    sk, pk = oprf.derive_key_pair(SEED, KEY_INFO)
    assert sk == SK
    assert pk == oprf.public_key(SK)


@pytest.mark.parametrize(("given_input", "blinded", "evaluated", "output"), VECTORS)
def test_the_rfc_vectors(given_input: str, blinded: str, evaluated: str, output: str) -> None:
    data = bytes.fromhex(given_input)
    blind, blinded_element = oprf.blind(data, BLIND)
    assert blind == BLIND
    assert blinded_element.hex() == blinded
    evaluated_element = oprf.evaluate(SK, blinded_element)
    assert evaluated_element.hex() == evaluated
    assert oprf.finalize(data, blind, evaluated_element).hex() == output


def test_expand_message_xmd_matches_rfc_9380() -> None:
    # RFC 9380, Appendix K.3 (expand_message_xmd, SHA-512), msg "abcdef0123456789", 32 bytes.
    dst = b"QUUX-V01-CS02-with-expander-SHA512-256"
    assert oprf.expand_message_xmd(b"abcdef0123456789", dst, 32).hex() == (
        "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58"
    )


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_blind_evaluate_finalize_equals_the_direct_prf(data: bytes) -> None:
    sk = oprf.generate_key()
    blind, blinded_element = oprf.blind(data)
    assert oprf.finalize(data, blind, oprf.evaluate(sk, blinded_element)) == oprf.prf(sk, data)
    # The key holder is sent something that is neither the input nor its group element.
    assert blinded_element != oprf.hash_to_group(data)


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
def test_different_keys_and_inputs_give_different_outputs(a: bytes, b: bytes) -> None:
    first, second = oprf.generate_key(), oprf.generate_key()
    assert oprf.prf(first, a) != oprf.prf(second, a)
    if a != b:
        assert oprf.prf(first, a) != oprf.prf(first, b)


def test_invalid_elements_and_scalars_are_refused() -> None:
    with pytest.raises(oprf.OprfError):
        oprf.evaluate(SK, bytes(32))  # the identity
    with pytest.raises(oprf.OprfError):
        oprf.evaluate(SK, b"\xff" * 32)  # not canonical
    with pytest.raises(oprf.OprfError):
        oprf.evaluate(SK, b"short")
    with pytest.raises(oprf.OprfError):
        oprf.evaluate(bytes(32), oprf.hash_to_group(b"x"))  # zero key
    with pytest.raises(oprf.OprfError):
        oprf.derive_key_pair(b"too short", KEY_INFO)
