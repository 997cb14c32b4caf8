"""RFC 9497 OPRF, suite ristretto255-SHA512, mode OPRF (0x00), over libsodium (pysodium).

Byte-level functions, as the RFC names them. Scalars and elements are 32-byte encodings (scalars
little-endian, elements in ristretto255's canonical form). hash_to_group and hash_to_scalar use
expand_message_xmd with SHA-512 (RFC 9380, section 5.3.1).

The key holder sees only blinded elements: ``blind`` multiplies the hashed input by a random
scalar, ``evaluate`` multiplies by the key, ``finalize`` removes the blind and hashes.
"""

from __future__ import annotations

import hashlib
import hmac

import pysodium

MODE_OPRF = 0x00
IDENTIFIER = b"ristretto255-SHA512"
CONTEXT = b"OPRFV1-" + bytes([MODE_OPRF]) + b"-" + IDENTIFIER
ELEMENT_BYTES = 32
SCALAR_BYTES = 32
OUTPUT_BYTES = 64
_IDENTITY = bytes(32)


class OprfError(ValueError):
    """An input, element or scalar this suite refuses (RFC 9497's InvalidInputError,
    DeserializeError and DeriveKeyPairError)."""


def _i2osp(value: int, length: int) -> bytes:
    if value < 0 or value >= 1 << (8 * length):
        raise OprfError("value does not fit")
    return value.to_bytes(length, "big")


def expand_message_xmd(message: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 expand_message_xmd with SHA-512. Refuses a DST over 255 bytes or a length the
    construction cannot produce."""
    block, digest = 128, 64
    ell = -(-length // digest)
    if ell > 255 or length > 65535 or len(dst) > 255:
        raise OprfError("expand_message_xmd: length or DST too long")
    dst_prime = dst + _i2osp(len(dst), 1)
    b0 = hashlib.sha512(
        bytes(block) + message + _i2osp(length, 2) + _i2osp(0, 1) + dst_prime
    ).digest()
    blocks = [hashlib.sha512(b0 + _i2osp(1, 1) + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1], strict=True))
        blocks.append(hashlib.sha512(mixed + _i2osp(i, 1) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_group(message: bytes) -> bytes:
    """The ristretto255 element for ``message`` (RFC 9380's hash_to_ristretto255)."""
    uniform = expand_message_xmd(message, b"HashToGroup-" + CONTEXT, 64)
    return bytes(pysodium.crypto_core_ristretto255_from_hash(uniform))


def hash_to_scalar(message: bytes, dst: bytes | None = None) -> bytes:
    """A scalar from ``message``: 64 uniform bytes reduced modulo the group order."""
    uniform = expand_message_xmd(message, dst or (b"HashToScalar-" + CONTEXT), 64)
    return bytes(pysodium.crypto_core_ristretto255_scalar_reduce(uniform))


def _check_element(element: bytes) -> None:
    if len(element) != ELEMENT_BYTES or element == _IDENTITY:
        raise OprfError("not a valid ristretto255 element")
    if not pysodium.crypto_core_ristretto255_is_valid_point(element):
        raise OprfError("not a valid ristretto255 element")


def _check_scalar(scalar: bytes) -> None:
    if len(scalar) != SCALAR_BYTES or scalar == bytes(32):
        raise OprfError("not a valid non-zero scalar")
    if bytes(pysodium.crypto_core_ristretto255_scalar_reduce(scalar + bytes(32))) != scalar:
        raise OprfError("scalar is not reduced")


def _multiply(scalar: bytes, element: bytes) -> bytes:
    try:
        return bytes(pysodium.crypto_scalarmult_ristretto255(scalar, element))
    except ValueError as failed:  # libsodium refuses an identity result
        raise OprfError("multiplication gave the identity element") from failed


def generate_key() -> bytes:
    """A random non-zero secret scalar."""
    return bytes(pysodium.crypto_core_ristretto255_scalar_random())


def public_key(sk: bytes) -> bytes:
    _check_scalar(sk)
    return bytes(pysodium.crypto_scalarmult_ristretto255_base(sk))


def derive_key_pair(seed: bytes, info: bytes) -> tuple[bytes, bytes]:
    """RFC 9497 DeriveKeyPair: the same (sk, pk) for the same seed and info. Refuses a seed
    that is not 32 bytes, and (with negligible probability) a derivation that never leaves 0."""
    if len(seed) != 32:
        raise OprfError("the seed must be 32 bytes")
    derive_input = seed + _i2osp(len(info), 2) + info
    for counter in range(256):
        sk = hash_to_scalar(derive_input + _i2osp(counter, 1), b"DeriveKeyPair" + CONTEXT)
        if sk != bytes(32):
            return sk, public_key(sk)
    raise OprfError("DeriveKeyPair found no non-zero scalar")


def blind(input: bytes, blind: bytes | None = None) -> tuple[bytes, bytes]:
    """RFC 9497 Blind: (blind, blinded_element). A random blind unless one is given (for tests).
    Refuses an input that hashes to the identity and an invalid blind."""
    chosen = (
        blind if blind is not None else bytes(pysodium.crypto_core_ristretto255_scalar_random())
    )
    _check_scalar(chosen)
    element = hash_to_group(input)
    if element == _IDENTITY:
        raise OprfError("the input hashes to the identity element")
    return chosen, _multiply(chosen, element)


def evaluate(sk: bytes, blinded_element: bytes) -> bytes:
    """RFC 9497 BlindEvaluate: the key applied to a blinded element. Refuses invalid elements."""
    _check_scalar(sk)
    _check_element(blinded_element)
    return _multiply(sk, blinded_element)


def finalize(input: bytes, blind: bytes, evaluated_element: bytes) -> bytes:
    """RFC 9497 Finalize: the 64-byte PRF output for ``input``."""
    _check_scalar(blind)
    _check_element(evaluated_element)
    inverse = bytes(pysodium.crypto_core_ristretto255_scalar_invert(blind))
    unblinded = _multiply(inverse, evaluated_element)
    hash_input = _i2osp(len(input), 2) + input + _i2osp(len(unblinded), 2) + unblinded + b"Finalize"
    return hashlib.sha512(hash_input).digest()


def prf(sk: bytes, input: bytes) -> bytes:
    """The PRF computed directly by the key holder: what blind, evaluate and finalize give."""
    element = _multiply(sk, hash_to_group(input))
    return hashlib.sha512(
        _i2osp(len(input), 2) + input + _i2osp(len(element), 2) + element + b"Finalize"
    ).digest()


def same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
