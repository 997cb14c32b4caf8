"""RFC 9497 OPRF, suite ristretto255-SHA512, mode OPRF (0x00), over libsodium (pysodium).

Byte-level functions, named as the RFC names them. Scalars and elements are 32-byte encodings
(scalars little-endian and reduced, elements in ristretto255's canonical form). hash_to_group and
hash_to_scalar use expand_message_xmd with SHA-512 (RFC 9380, section 5.3.1) and the suite's
domain separation tags.

The key holder sees only blinded elements: ``blind`` multiplies the hashed input by a random
scalar, ``evaluate`` multiplies by the key, ``finalize`` removes the blind and hashes. Everything
this module refuses raises ``OprfError``; libsodium is never handed a buffer of the wrong size.
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
# Finalize encodes the input's length in two bytes, so longer inputs have no output.
MAX_INPUT_BYTES = 0xFFFF
_IDENTITY = bytes(ELEMENT_BYTES)
_ZERO = bytes(SCALAR_BYTES)


class OprfError(ValueError):
    """An input, element or scalar this suite refuses (RFC 9497's InvalidInputError,
    DeserializeError and DeriveKeyPairError): wrong length, not canonical, the identity element,
    a zero or unreduced scalar, or an input too long to finalize."""


def _i2osp(value: int, length: int) -> bytes:
    if value < 0 or value >= 1 << (8 * length):
        raise OprfError(f"{value} does not fit in {length} bytes")
    return value.to_bytes(length, "big")


def _as_bytes(value: object, name: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise OprfError(f"{name} must be bytes, not {type(value).__name__}")
    return bytes(value)


def _checked_input(value: object) -> bytes:
    data = _as_bytes(value, "the input")
    if len(data) > MAX_INPUT_BYTES:
        raise OprfError(f"the input must be at most {MAX_INPUT_BYTES} bytes")
    return data


def expand_message_xmd(message: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 expand_message_xmd with SHA-512: ``length`` uniform bytes from ``message``.

    Refuses (``OprfError``) a DST over 255 bytes and a length the construction cannot produce
    (over 255 blocks of 64 bytes, or over 65535)."""
    block, digest = 128, 64
    ell = -(-length // digest)
    if length < 1 or ell > 255 or length > 65535 or len(dst) > 255:
        raise OprfError("expand_message_xmd: the length or the DST is out of range")
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
    """The ristretto255 element for ``message`` (RFC 9380's hash_to_ristretto255 with the DST
    "HashToGroup-" || contextString). Deterministic; never the identity in practice."""
    uniform = expand_message_xmd(_as_bytes(message, "the message"), b"HashToGroup-" + CONTEXT, 64)
    return bytes(pysodium.crypto_core_ristretto255_from_hash(uniform))


def hash_to_scalar(message: bytes, dst: bytes | None = None) -> bytes:
    """A scalar from ``message``: 64 uniform bytes (DST "HashToScalar-" || contextString unless
    another is given) reduced modulo the group order. May be zero; callers that need a key check."""
    tag = dst if dst is not None else b"HashToScalar-" + CONTEXT
    uniform = expand_message_xmd(_as_bytes(message, "the message"), tag, 64)
    return bytes(pysodium.crypto_core_ristretto255_scalar_reduce(uniform))


def check_element(element: object) -> bytes:
    """``element`` as bytes if it is a canonical, non-identity ristretto255 encoding.

    Refuses (``OprfError``) anything else: the wrong type or length, a non-canonical encoding, an
    encoding of no point, and the identity element."""
    data = _as_bytes(element, "the element")
    # Length first: libsodium reads exactly 32 bytes from whatever it is given.
    if len(data) != ELEMENT_BYTES or data == _IDENTITY:
        raise OprfError("not a valid ristretto255 element")
    # RFC 9496 refuses any encoding of 2^255 or more; libsodium 1.0.18 ignores the top bit, which
    # would give every element a second encoding.
    if data[31] & 0x80:
        raise OprfError("not a canonical ristretto255 encoding")
    if not pysodium.crypto_core_ristretto255_is_valid_point(data):
        raise OprfError("not a valid ristretto255 element")
    return data


def check_scalar(scalar: object) -> bytes:
    """``scalar`` as bytes if it is a reduced, non-zero scalar: what a key or a blind must be.

    Refuses (``OprfError``) the wrong type or length, zero, and an unreduced encoding."""
    data = _as_bytes(scalar, "the scalar")
    if len(data) != SCALAR_BYTES or hmac.compare_digest(data, _ZERO):
        raise OprfError("not a valid non-zero scalar")
    reduced = bytes(pysodium.crypto_core_ristretto255_scalar_reduce(data + _ZERO))
    if not hmac.compare_digest(reduced, data):
        raise OprfError("the scalar is not reduced")
    return data


def _multiply(scalar: bytes, element: bytes) -> bytes:
    try:
        return bytes(pysodium.crypto_scalarmult_ristretto255(scalar, element))
    except ValueError as failed:  # libsodium refuses an invalid point or an identity result
        raise OprfError("the multiplication gave no valid element") from failed


def _finalize_hash(data: bytes, unblinded: bytes) -> bytes:
    return hashlib.sha512(
        _i2osp(len(data), 2) + data + _i2osp(len(unblinded), 2) + unblinded + b"Finalize"
    ).digest()


def generate_key() -> bytes:
    """A fresh random secret key: a uniformly random, reduced, non-zero scalar from libsodium's
    CSPRNG (RFC 9497 GenerateKeyPair's skS)."""
    return check_scalar(bytes(pysodium.crypto_core_ristretto255_scalar_random()))


def public_key(sk: bytes) -> bytes:
    """The public key skS·G for ``sk``. Refuses (``OprfError``) a key that is not a reduced,
    non-zero scalar, so it also serves to check a key read from a file or the environment."""
    return bytes(pysodium.crypto_scalarmult_ristretto255_base(check_scalar(sk)))


def derive_key_pair(seed: bytes, info: bytes) -> tuple[bytes, bytes]:
    """RFC 9497 DeriveKeyPair: (skS, pkS), always the same for the same seed and info.

    Refuses (``OprfError``) a seed that is not 32 bytes, info of 65536 bytes or more, and (with
    negligible probability) a seed whose 256 tries all give the zero scalar."""
    seed = _as_bytes(seed, "the seed")
    info = _as_bytes(info, "the info")
    if len(seed) != SCALAR_BYTES:
        raise OprfError("the seed must be 32 bytes")
    derive_input = seed + _i2osp(len(info), 2) + info
    for counter in range(256):
        sk = hash_to_scalar(derive_input + _i2osp(counter, 1), b"DeriveKeyPair" + CONTEXT)
        if not hmac.compare_digest(sk, _ZERO):
            return sk, public_key(sk)
    raise OprfError("DeriveKeyPair found no non-zero scalar")


def blind(input: bytes, blind: bytes | None = None) -> tuple[bytes, bytes]:
    """RFC 9497 Blind: (blind, blinded_element) for ``input``.

    The blind is fresh and random unless one is given (the RFC's test vectors give one); keep it
    secret and use it once. The blinded element is uniformly distributed whatever the input, so
    it may be sent to the key holder. Refuses (``OprfError``) an input over 65535 bytes, an input
    that hashes to the identity, and a given blind that is zero or unreduced."""
    data = _checked_input(input)
    chosen = check_scalar(
        blind if blind is not None else pysodium.crypto_core_ristretto255_scalar_random()
    )
    element = hash_to_group(data)
    if element == _IDENTITY:
        raise OprfError("the input hashes to the identity element")
    return chosen, _multiply(chosen, element)


def evaluate(sk: bytes, blinded_element: bytes) -> bytes:
    """RFC 9497 BlindEvaluate: skS applied to a blinded element; what the key holder sends back.

    Learns nothing about the input. Refuses (``OprfError``) an invalid key and a blinded element
    that is not a canonical, non-identity ristretto255 encoding."""
    return _multiply(check_scalar(sk), check_element(blinded_element))


def finalize(input: bytes, blind: bytes, evaluated_element: bytes) -> bytes:
    """RFC 9497 Finalize: the 64-byte PRF output for ``input``, given the blind used for it and
    the key holder's answer. The same input under the same key always gives the same output.

    Refuses (``OprfError``) an input over 65535 bytes, an invalid blind, and an evaluated element
    that is not a canonical, non-identity ristretto255 encoding (a key service that answers
    nonsense is caught here)."""
    data = _checked_input(input)
    inverse = bytes(pysodium.crypto_core_ristretto255_scalar_invert(check_scalar(blind)))
    return _finalize_hash(data, _multiply(inverse, check_element(evaluated_element)))


def prf(sk: bytes, input: bytes) -> bytes:
    """The PRF computed directly by the key holder: exactly what blind, evaluate and finalize
    give together, without blinding. For self-checks of a key and of the libsodium binding.

    Refuses (``OprfError``) an invalid key and an input over 65535 bytes."""
    data = _checked_input(input)
    return _finalize_hash(data, _multiply(check_scalar(sk), hash_to_group(data)))


def same(a: bytes, b: bytes) -> bool:
    """Whether two outputs are equal, compared in constant time."""
    return hmac.compare_digest(a, b)
