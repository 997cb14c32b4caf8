"""RFC 9497 OPRF (ristretto255-SHA512, mode OPRF): the published test vectors, and properties a
key holder or an attacker would notice: the key holder learns nothing it could link to the input,
outputs depend on the key, and malformed elements and scalars are refused, never multiplied."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redress.escrow import oprf

# RFC 9497, Appendix A.1.1 (ristretto255-SHA512, OPRF mode).
SEED = bytes.fromhex("a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3")
KEY_INFO = bytes.fromhex("74657374206b6579")
SK = bytes.fromhex("5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e")
BLIND = bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706")
# (Input, BlindedElement, EvaluationElement, Output) of test vectors 1 and 2, batch size 1.
VECTORS = [
    (
        "00",
        "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c",
        "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e",
        "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
        "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6",
    ),
    (
        "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
        "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418",
        "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25",
        "f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4"
        "f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621306d18951e7cf2c73",
    ),
]
# RFC 9380, Appendix K.3: expand_message_xmd(SHA-512), DST below, 32 bytes out.
XMD_DST = b"QUUX-V01-CS02-with-expander-SHA512-256"
XMD_VECTORS = [
    (b"", "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba"),
    (b"abc", "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc"),
    (b"abcdef0123456789", "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58"),
]
# The group order (ell), little-endian: the smallest scalar encoding that is not reduced.
ORDER = (2**252 + 27742317777372353535851937790883648493).to_bytes(32, "little")
# The field prime p = 2^255 - 19, little-endian: a non-canonical encoding of zero.
FIELD_PRIME = (2**255 - 19).to_bytes(32, "little")


def test_the_context_string_is_the_suites() -> None:
    assert oprf.CONTEXT == b"OPRFV1-\x00-ristretto255-SHA512"


def test_derive_key_pair_matches_the_rfc() -> None:
    sk, pk = oprf.derive_key_pair(SEED, KEY_INFO)
    assert sk == SK
    assert pk == oprf.public_key(SK)
    assert oprf.derive_key_pair(SEED, b"other info")[0] != SK


@pytest.mark.parametrize(("given_input", "blinded", "evaluated", "output"), VECTORS)
def test_the_rfc_vectors(given_input: str, blinded: str, evaluated: str, output: str) -> None:
    data = bytes.fromhex(given_input)
    blind, blinded_element = oprf.blind(data, BLIND)
    assert blind == BLIND
    assert blinded_element.hex() == blinded
    evaluated_element = oprf.evaluate(SK, blinded_element)
    assert evaluated_element.hex() == evaluated
    result = oprf.finalize(data, blind, evaluated_element)
    assert result.hex() == output
    assert len(result) == oprf.OUTPUT_BYTES
    assert oprf.prf(SK, data) == result


@pytest.mark.parametrize(("message", "expected"), XMD_VECTORS)
def test_expand_message_xmd_matches_rfc_9380(message: bytes, expected: str) -> None:
    assert oprf.expand_message_xmd(message, XMD_DST, 32).hex() == expected


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_blind_evaluate_finalize_equals_the_direct_prf(data: bytes) -> None:
    sk = oprf.generate_key()
    blind, blinded_element = oprf.blind(data)
    assert oprf.finalize(data, blind, oprf.evaluate(sk, blinded_element)) == oprf.prf(sk, data)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=64))
def test_the_key_holder_cannot_link_two_requests_for_one_input(data: bytes) -> None:
    """Two blindings of one input look unrelated to the key holder, and neither is the input's
    group element, yet both give the person the same output."""
    sk = oprf.generate_key()
    first_blind, first = oprf.blind(data)
    second_blind, second = oprf.blind(data)
    assert first != second
    assert oprf.hash_to_group(data) not in (first, second)
    assert oprf.finalize(data, first_blind, oprf.evaluate(sk, first)) == oprf.finalize(
        data, second_blind, oprf.evaluate(sk, second)
    )


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
def test_different_keys_and_inputs_give_different_outputs(a: bytes, b: bytes) -> None:
    first, second = oprf.generate_key(), oprf.generate_key()
    assert first != second
    assert oprf.prf(first, a) != oprf.prf(second, a)
    if a != b:
        assert oprf.prf(first, a) != oprf.prf(first, b)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_random_bytes_are_either_refused_or_a_valid_element(candidate: bytes) -> None:
    """A key holder sent arbitrary bytes either refuses them cleanly or multiplies a genuine
    element; nothing else escapes."""
    try:
        evaluated = oprf.evaluate(SK, candidate)
    except oprf.OprfError:
        return
    assert oprf.check_element(evaluated) == evaluated
    assert evaluated != bytes(32)


def _non_canonical_twin(element: bytes) -> bytes:
    # Setting the top bit gives s >= 2^255 > p: never canonical, though libsodium 1.0.18 reads it
    # as the same element.
    return element[:31] + bytes([element[31] | 0x80])


@pytest.mark.parametrize(
    "element",
    [
        pytest.param(bytes(32), id="the identity"),
        pytest.param(FIELD_PRIME, id="zero written non-canonically"),
        pytest.param(b"\xff" * 32, id="not canonical"),
        pytest.param(
            _non_canonical_twin(bytes.fromhex(VECTORS[0][1])), id="a valid element's high bit set"
        ),
        pytest.param(bytes.fromhex(VECTORS[0][1])[:31], id="31 bytes"),
        pytest.param(bytes.fromhex(VECTORS[0][1]) + b"\x00", id="33 bytes"),
        pytest.param(b"", id="empty"),
    ],
)
def test_invalid_elements_are_refused_everywhere(element: bytes) -> None:
    with pytest.raises(oprf.OprfError):
        oprf.evaluate(SK, element)
    with pytest.raises(oprf.OprfError):
        oprf.finalize(b"x", BLIND, element)
    with pytest.raises(oprf.OprfError):
        oprf.check_element(element)


@pytest.mark.parametrize(
    "scalar",
    [
        pytest.param(bytes(32), id="zero"),
        pytest.param(ORDER, id="the group order"),
        pytest.param(b"\xff" * 32, id="unreduced"),
        pytest.param(SK[:31], id="short"),
    ],
)
def test_invalid_keys_and_blinds_are_refused(scalar: bytes) -> None:
    element = oprf.hash_to_group(b"x")
    with pytest.raises(oprf.OprfError):
        oprf.evaluate(scalar, element)
    with pytest.raises(oprf.OprfError):
        oprf.blind(b"x", scalar)
    with pytest.raises(oprf.OprfError):
        oprf.finalize(b"x", scalar, element)
    with pytest.raises(oprf.OprfError):
        oprf.prf(scalar, b"x")
    with pytest.raises(oprf.OprfError):
        oprf.public_key(scalar)


def test_inputs_the_suite_cannot_finalize_are_refused_up_front() -> None:
    too_long = b"a" * (oprf.MAX_INPUT_BYTES + 1)
    with pytest.raises(oprf.OprfError, match="at most 65535 bytes"):
        oprf.blind(too_long)
    with pytest.raises(oprf.OprfError):
        oprf.blind("M-1234")  # type: ignore[arg-type]  # text must be encoded by the caller
    assert oprf.blind(b"a" * oprf.MAX_INPUT_BYTES)[1]


def test_key_derivation_refuses_a_short_seed() -> None:
    with pytest.raises(oprf.OprfError, match="32 bytes"):
        oprf.derive_key_pair(b"too short", KEY_INFO)
    with pytest.raises(oprf.OprfError):
        oprf.derive_key_pair(SEED, b"i" * 65536)


def test_generated_keys_are_valid_and_fresh() -> None:
    keys = {oprf.generate_key() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert oprf.check_scalar(key) == key
