"""Signed seals: Ed25519 checkpoints over every case head.

A hash chain shows that a case's history was not changed *within* the
chain, but someone who can write to the database could delete a whole case,
drop a case's newest events together with its head, or re-chain a case
consistently. A seal closes those gaps: it signs the head of every case at
one moment (a Merkle root over ``(case_id, seq, hash)``, the case and event
counts, and the digest of the previous seal), with a private key kept away
from the database. Verifying with the public key then finds any sealed
event that is gone or different, and a seal cannot be forged without the
key. The seal's digest is printed so it can be kept off the machine too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from collections.abc import Sequence
from typing import Final

import attrs
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import Head
from helping_process.audit import canonical
from helping_process.model import UTC

#: The version of the signed message's format.
SEAL_FORMAT: Final = 1


@attrs.frozen(kw_only=True)
class Seal:
    """A signed checkpoint of every case head.

    Attributes:
        message: the signed bytes (canonical JSON: format, time, counts,
            Merkle root, previous seal's digest).
        signature: the Ed25519 signature of ``message``.
        public_key: the raw 32-byte public key that made it.
        leaves: the sealed heads, sorted by case id; their Merkle root is in
            the message.
    """

    message: bytes
    signature: bytes
    public_key: bytes
    leaves: tuple[Head, ...]

    @property
    def digest(self) -> str:
        """SHA-256 of message and signature: what to keep off the machine."""
        return hashlib.sha256(self.message + self.signature).hexdigest()

    @property
    def fields(self) -> dict[str, object]:
        """The signed message's fields."""
        value = orjson.loads(self.message)
        assert isinstance(value, dict)  # noqa: S101 - make_seal writes an object
        return value


def _leaf(head: Head) -> bytes:
    return hashlib.sha256(
        b"\x00" + canonical([head.case_id, head.seq, head.last_hash])
    ).digest()


def merkle_root(leaves: Sequence[Head]) -> str:
    """Return the Merkle root of the heads (RFC 6962 hashing), as hex.

    Leaves hash with a 0x00 prefix and inner nodes with 0x01, so a leaf can
    never pass for a node; an odd node is carried up unchanged.
    """
    level = [_leaf(head) for head in sorted(leaves, key=lambda head: head.case_id)]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def new_private_key() -> Ed25519PrivateKey:
    """Return a new Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """Return the private key as unencrypted PKCS#8 PEM (store it 0600)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the public key as SubjectPublicKeyInfo PEM."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from PEM.

    Raises:
        ValueError: the bytes are not a PEM private key.
        TypeError: the key is not an Ed25519 key.
    """
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        msg = "not an Ed25519 private key"
        raise TypeError(msg)
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read an Ed25519 public key from PEM.

    Raises:
        ValueError: the bytes are not a PEM public key.
        TypeError: the key is not an Ed25519 key.
    """
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        msg = "not an Ed25519 public key"
        raise TypeError(msg)
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def make_seal(
    heads: Sequence[Head],
    key: Ed25519PrivateKey,
    *,
    sealed_at: dt.datetime,
    previous: Seal | None,
) -> Seal:
    """Sign a checkpoint of ``heads``, chained to the previous seal."""
    leaves = tuple(sorted(heads, key=lambda head: head.case_id))
    message = canonical(
        {
            "type": "helping_process.seal",
            "v": SEAL_FORMAT,
            "sealed_at": sealed_at.astimezone(UTC).isoformat(),
            "cases": len(leaves),
            "events": sum(head.seq for head in leaves),
            "root": merkle_root(leaves),
            "previous": previous.digest if previous else None,
        }
    )
    return Seal(
        message=message,
        signature=key.sign(message),
        public_key=_raw(key.public_key()),
        leaves=leaves,
    )


def verify_seals(
    seals: Sequence[Seal],
    key: Ed25519PublicKey,
    event_hash: Callable[[str, int], str | None],
) -> list[Finding]:
    """Check every seal and that the trail still holds what each one sealed.

    Args:
        seals: the stored seals, oldest first.
        key: the agency's public key.
        event_hash: returns the stored hash of a case's event ``seq``, or
            None when there is no such event.

    Returns:
        ``bad_seal`` for a seal that does not verify (signature, root or the
        chain of seals), and, for each sealed head, ``case_missing`` when the
        case is gone, ``truncated`` when the sealed event is gone, and
        ``edited`` when it is there but different.
    """
    findings: list[Finding] = []
    previous: Seal | None = None
    for number, seal in enumerate(seals, start=1):
        problem = _seal_problem(seal, key, previous)
        previous = seal
        if problem:
            findings.append(Finding("", number, FindingKind.BAD_SEAL, problem))
            continue
        for head in seal.leaves:
            found = event_hash(head.case_id, head.seq)
            first = event_hash(head.case_id, 1)
            if found == head.last_hash:
                continue
            if first is None:
                kind, cause = FindingKind.CASE_MISSING, "finding.sealed"
            elif found is None:
                kind, cause = FindingKind.TRUNCATED, "finding.sealed"
            else:
                kind, cause = FindingKind.EDITED, "finding.differs_from_seal"
            facts = {"number": number}
            findings.append(Finding(head.case_id, head.seq, kind, cause, facts))
    return _first_per_case(findings)


def _seal_problem(
    seal: Seal, key: Ed25519PublicKey, previous: Seal | None
) -> str | None:
    """Say why a seal does not verify (a ``finding.…`` message), or None."""
    try:
        key.verify(seal.signature, seal.message)
    except InvalidSignature:
        return "finding.bad_signature"
    fields = seal.fields
    if fields.get("root") != merkle_root(seal.leaves):
        return "finding.bad_root"
    if fields.get("previous") != (previous.digest if previous else None):
        return "finding.seal_before"
    return None


def _first_per_case(findings: list[Finding]) -> list[Finding]:
    """Keep seal problems and the earliest finding of each case."""
    seen: set[str] = set()
    kept = []
    for finding in sorted(findings, key=lambda f: (f.case_id, f.seq)):
        if finding.kind is FindingKind.BAD_SEAL or finding.case_id not in seen:
            kept.append(finding)
            seen.add(finding.case_id)
    return kept
