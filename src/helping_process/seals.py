"""Signed seals: Ed25519 checkpoints that name the case heads they cover.

A hash chain shows that a case's history was not changed *within* the
chain, but someone who can write to the database could delete a whole case,
drop a case's newest events together with its head, or re-chain a case
consistently. A seal closes those gaps. It is a message signed with a
private key kept away from the database, and everything verification needs
is in that message: the seal's number (seals are numbered 1, 2, 3 … without
gaps), when it was made, the digest of the seal before it (so seals form a
chain, and deleting or changing any seal but the newest breaks it), the
case and event counts, and the head ``[case_id, seq, hash]`` of every case
that changed since the previous seal (every case, for the first seal of
this format). Verifying with the public key then names every sealed case
that is gone, shorter or different, even when every row holding its id was
deleted, and no seal can be forged without the key.

Seals of format 3 sign, besides, the heads of the two other chained
trails, the staff roster (``@staff``) and the access log (``@access``):
``[trail, seq, hash]`` of each that has entries, every time. Each must
still hold that entry, so a roster change or a read deleted since a seal
is named even when the trail's head row was rewound with it.

Deleting the newest seals leaves an unbroken, shorter chain; only a
*receipt* kept off the machine (:class:`Receipt`, written by
``audit seal --receipt``) catches that. Seals of format 1, made before this
format, signed a Merkle root over every head whose leaves sit in an
unsigned table; they are still verified, with the limits
``docs/audit-format.md`` states.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from types import EllipsisType
from typing import Any
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
from helping_process.audit import SealStatus
from helping_process.audit import canonical
from helping_process.audit import utc_text
from helping_process.exceptions import InvalidInputError
from helping_process.model import UTC

#: The format of the seals made now: the case heads and the trails' heads.
SEAL_FORMAT: Final = 3
#: The format of seals that list the case heads only (made without trails).
HEADS_FORMAT: Final = 2
#: The formats whose message lists the case heads it covers.
_LISTING: Final = (HEADS_FORMAT, SEAL_FORMAT)
#: The format of the first seals, which signed a Merkle root of every head.
MERKLE_FORMAT: Final = 1
#: The ``type`` member of every seal's signed message.
SEAL_TYPE: Final = "helping_process.seal"
#: The ``type`` and ``format`` members of a receipt file.
RECEIPT_TYPE: Final = "helping_process.seal_receipt"
RECEIPT_FORMAT: Final = 1

_SIGNATURE_SIZE: Final = 64
_KEY_SIZE: Final = 32


@attrs.frozen(kw_only=True)
class Seal:
    """A signed checkpoint, as made or as stored.

    Attributes:
        message: the signed bytes (canonical JSON; see the module).
        signature: the Ed25519 signature of ``message``.
        public_key: the raw 32-byte public key stored beside it.
        number: the number it is stored under (formats 2 and 3 sign it too).
        leaves: for a format-1 seal, the heads its unsigned leaf rows hold
            (their Merkle root is in the message); empty for later formats.
        stored_at: the time stored beside it (every format signs it too),
            or None when the stored value is not a time.
    """

    message: bytes
    signature: bytes
    public_key: bytes
    number: int
    leaves: tuple[Head, ...] = ()
    stored_at: dt.datetime | None = None

    @property
    def digest(self) -> str:
        """SHA-256 of message and signature: what to keep off the machine."""
        return hashlib.sha256(self.message + self.signature).hexdigest()

    @property
    def fields(self) -> dict[str, Any]:
        """The signed message's members (empty when it is not a JSON object)."""
        return _object(self.message)

    @property
    def heads(self) -> tuple[Head, ...]:
        """The heads the seal covers: listed in its message, or its leaves."""
        fields = self.fields
        if fields.get("v") == MERKLE_FORMAT:
            return self.leaves
        return _listed(fields) or ()


def _object(message: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(message)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


#: A head a seal vouches for: ``(seal number, case_id, seq, hash)``. A plain
#: tuple: verification makes one per head every seal lists.
Covered = tuple[int, str, int, str]


def _entries(
    fields: Mapping[str, Any], member: str = "heads"
) -> list[tuple[str, int, str]] | None:
    """The ``[case_id, seq, hash]`` a message lists, or None if malformed.

    ``member`` is ``heads`` (the cases) or ``trails`` (format 3: the roster
    and the access log, named ``@staff`` and ``@access``).
    """
    listed = fields.get(member)
    if not isinstance(listed, list):
        return None
    try:
        entries = [(case_id, seq, hash_) for case_id, seq, hash_ in listed]
    except (TypeError, ValueError):
        return None
    if all(
        type(case_id) is str and type(seq) is int and seq >= 1 and type(hash_) is str
        for case_id, seq, hash_ in entries
    ):
        return entries
    return None


def _listed(fields: Mapping[str, Any]) -> tuple[Head, ...] | None:
    """The heads a listing message lists, or None when the list is malformed."""
    entries = _entries(fields)
    if entries is None:
        return None
    return tuple(
        Head(case_id=case_id, seq=seq, last_hash=hash_)
        for case_id, seq, hash_ in entries
    )


def _leaf(head: Head) -> bytes:
    return hashlib.sha256(
        b"\x00" + canonical([head.case_id, head.seq, head.last_hash])
    ).digest()


def merkle_root(leaves: Sequence[Head]) -> str:
    """Return the Merkle root of the heads (RFC 6962 hashing), as hex.

    What a format-1 seal signs. Leaves hash with a 0x00 prefix and inner
    nodes with 0x01, so a leaf can never pass for a node; an odd node is
    carried up unchanged.
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


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the public key's raw 32 bytes (what a seal row and receipt hold)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return the key's fingerprint: SHA-256 of its raw public bytes, as hex."""
    return hashlib.sha256(raw_public_key(key)).hexdigest()


def _verifies(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def sealed_heads(
    seals: Sequence[Seal], key: Ed25519PublicKey
) -> dict[str, tuple[int, str]]:
    """Return what the listing seals that verify with ``key`` say each case is.

    The newest listed ``(seq, hash)`` of each case. A seal that does not
    verify is passed over, so the next seal lists its cases again rather
    than trusting it.
    """
    state: dict[str, tuple[int, str]] = {}
    for seal in seals:
        fields = seal.fields
        if fields.get("v") not in _LISTING or not _verifies(
            key, seal.signature, seal.message
        ):
            continue
        for case_id, seq, hash_ in _entries(fields) or ():
            state[case_id] = (seq, hash_)
    return state


def make_seal(
    heads: Sequence[Head],
    key: Ed25519PrivateKey,
    *,
    sealed_at: dt.datetime,
    previous: Sequence[Seal] = (),
    trails: Mapping[str, tuple[int, str]] | None = None,
) -> Seal:
    """Sign a checkpoint of ``heads``, chained to the newest of ``previous``.

    The message lists the heads that changed since what the earlier
    listing seals list (all of them when there is none), so each seal
    stays small however many cases the trail holds, and every case ever
    sealed is named in some signed message. With ``trails`` it is a
    format-3 seal and lists each trail's head too (there are two).

    Args:
        heads: every case's head now.
        key: the agency's private key.
        sealed_at: now.
        previous: the stored seals, oldest first.
        trails: ``(seq, hash)`` of the roster's and the access log's
            newest entries, by ``@staff`` and ``@access`` (those with
            entries); None for a store that keeps neither (format 2).
    """
    last = previous[-1] if previous else None
    number = last.number + 1 if last else 1
    sealed = sealed_heads(previous, key.public_key())
    changed = sorted(
        (
            head
            for head in heads
            if sealed.get(head.case_id) != (head.seq, head.last_hash)
        ),
        key=lambda head: head.case_id,
    )
    at = sealed_at.astimezone(UTC)
    fields: dict[str, Any] = {
        "type": SEAL_TYPE,
        "v": HEADS_FORMAT if trails is None else SEAL_FORMAT,
        "number": number,
        "sealed_at": utc_text(at),
        "previous": last.digest if last else None,
        "cases": len(heads),
        "events": sum(head.seq for head in heads),
        "heads": [[head.case_id, head.seq, head.last_hash] for head in changed],
    }
    if trails is not None:
        fields["trails"] = [
            [trail, seq, hash_] for trail, (seq, hash_) in sorted(trails.items())
        ]
    message = canonical(fields)
    return Seal(
        message=message,
        signature=key.sign(message),
        public_key=raw_public_key(key),
        number=number,
        stored_at=at,
    )


# Receipts -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Receipt:
    """A seal as the agency keeps it off the machine.

    Attributes:
        number: the seal's number.
        digest: the seal's digest.
        message: the seal's signed message.
        signature: its signature.
        public_key: the raw public key that made it.
    """

    number: int
    digest: str
    message: bytes
    signature: bytes
    public_key: bytes

    @classmethod
    def of(cls, seal: Seal) -> Receipt:
        """Return the receipt of a seal."""
        return cls(
            number=seal.number,
            digest=seal.digest,
            message=seal.message,
            signature=seal.signature,
            public_key=seal.public_key,
        )

    @property
    def heads(self) -> tuple[Head, ...]:
        """The heads the receipted seal lists."""
        return _listed(_object(self.message)) or ()

    @property
    def key(self) -> Ed25519PublicKey:
        """The public key that made the seal."""
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def to_json(self) -> bytes:
        """Return the receipt file's bytes (JSON, see ``docs/audit-format.md``)."""
        fields = _object(self.message)
        document = {
            "type": RECEIPT_TYPE,
            "format": RECEIPT_FORMAT,
            "number": self.number,
            "digest": self.digest,
            "sealed_at": fields.get("sealed_at"),
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "message": self.message.decode("utf-8"),
        }
        return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def read_receipt(data: bytes) -> Receipt:
    """Read a receipt file and check that it holds a seal its key signed.

    Raises:
        InvalidInputError: the bytes are no receipt (``not_receipt``), its
            digest is not that of its message and signature
            (``receipt_digest``), or its signature does not verify with its
            own public key (``receipt_signature``).
    """
    try:
        document = orjson.loads(data)
        message = document["message"].encode("utf-8")
        signature = base64.b64decode(document["signature"], validate=True)
        public_key = base64.b64decode(document["public_key"], validate=True)
        number, digest = document["number"], document["digest"]
        kind, version = document["type"], document["format"]
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise InvalidInputError("receipt", "not_receipt") from None
    except (binascii.Error, ValueError):
        raise InvalidInputError("receipt", "not_receipt") from None
    if (
        (kind, version) != (RECEIPT_TYPE, RECEIPT_FORMAT)
        or type(number) is not int
        or not isinstance(digest, str)
        or len(signature) != _SIGNATURE_SIZE
        or len(public_key) != _KEY_SIZE
    ):
        raise InvalidInputError("receipt", "not_receipt")
    if hashlib.sha256(message + signature).hexdigest() != digest:
        raise InvalidInputError("receipt", "receipt_digest")
    receipt = Receipt(
        number=number,
        digest=digest,
        message=message,
        signature=signature,
        public_key=public_key,
    )
    if not _verifies(receipt.key, signature, message):
        raise InvalidInputError("receipt", "receipt_signature")
    fields = _object(message)
    if (
        fields.get("type") != SEAL_TYPE
        or fields.get("v") not in _LISTING
        or fields.get("number") != number
        or _entries(fields) is None
        or (fields.get("v") == SEAL_FORMAT and _entries(fields, "trails") is None)
    ):
        raise InvalidInputError("receipt", "not_receipt")
    return receipt


def checking_key(
    key: Ed25519PublicKey | None, receipt: Receipt | None
) -> Ed25519PublicKey:
    """Return the key that checks the seals: ``key``, else the receipt's own.

    Raises:
        InvalidInputError: the receipt was made with another key than
            ``key`` (``receipt_other_key``).
        TypeError: neither is given.
    """
    if receipt is None:
        if key is None:
            msg = "a key or a receipt is needed"
            raise TypeError(msg)
        return key
    if key is None:
        return receipt.key
    if raw_public_key(key) != receipt.public_key:
        raise InvalidInputError("receipt", "receipt_other_key")
    return key


# Verification ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SealReview:
    """What the stored seals (and a receipt) say, checked with the key.

    Attributes:
        findings: a ``bad_seal`` finding for each seal that does not verify,
            each gap in the numbers, and a receipted seal that is missing or
            different.
        covered: ``(number, case_id, seq, hash)`` for every head a verified seal (or the
            receipt) names: each must still be in the trail.
        status: what was checked, for reports.
        trails: ``(number, trail, seq, hash)`` for every roster and
            access-log head a verified format-3 seal (or the receipt)
            names: each entry must still be stored.
    """

    findings: tuple[Finding, ...]
    covered: tuple[Covered, ...]
    status: SealStatus
    trails: tuple[Covered, ...] = ()


def _seal_finding(number: int, cause: str, **facts: object) -> Finding:
    """A finding about a seal as a whole: no case, the seal's number."""
    return Finding("", number, FindingKind.BAD_SEAL, cause, {"number": number, **facts})


def review_seals(
    seals: Sequence[Seal],
    key: Ed25519PublicKey,
    *,
    receipt: Receipt | None = None,
) -> SealReview:
    """Check every seal, the chain they form, and the receipt if given.

    Seals are numbered from 1 without gaps, and each names the digest of
    the one before it, so a seal deleted or changed anywhere but at the end
    breaks the chain. A seal that does not verify is reported once: the
    link from the next seal to it is not checked again.

    Args:
        seals: the stored seals, in the order of their numbers.
        key: the agency's public key.
        receipt: a receipt the agency kept: its seal must be stored, and
            the same; the chain through it must be unbroken.
    """
    raw = raw_public_key(key)
    findings: list[Finding] = []
    covered: list[Covered] = []
    trails: list[Covered] = []
    previous: Seal | None = None
    trusted = True
    fields: dict[str, Any] = {}
    for seal in seals:
        expected = previous.number + 1 if previous else 1
        if seal.number == expected + 1:
            findings.append(_seal_finding(expected, "finding.seal_missing"))
        elif seal.number != expected:
            last = seal.number - 1
            findings.append(_seal_finding(expected, "finding.seals_missing", last=last))
        link = previous.digest if previous else None
        fields = seal.fields
        problem, heads = _seal_problem(
            seal, fields, key, raw, link if seal.number == expected and trusted else ...
        )
        if problem:
            findings.append(_seal_finding(seal.number, problem))
        trusted = heads is not None
        covered += [(seal.number, *entry) for entry in heads or ()]
        if trusted:
            trails += [
                (seal.number, *entry) for entry in _entries(fields, "trails") or ()
            ]
        previous = seal
    if receipt is not None:
        stored = next((seal for seal in seals if seal.number == receipt.number), None)
        if stored is None or stored.digest != receipt.digest:
            # The receipt's message is signed: the heads it lists are checked
            # against the trail even though its seal is gone or replaced.
            signed = _object(receipt.message)
            covered += [(receipt.number, *entry) for entry in _entries(signed) or ()]
            trails += [
                (receipt.number, *entry) for entry in _entries(signed, "trails") or ()
            ]
            cause = (
                "finding.receipt_missing"
                if stored is None
                else "finding.receipt_differs"
            )
            findings.append(_seal_finding(receipt.number, cause))
    newest = seals[-1] if seals else None
    status = SealStatus(
        key=hashlib.sha256(raw).hexdigest(),
        seals=len(seals),
        newest=newest.number if newest else 0,
        digest=newest.digest if newest else None,
        sealed_at=_text(fields.get("sealed_at")) if newest else None,
        receipt=receipt.number if receipt else None,
    )
    return SealReview(
        findings=tuple(findings),
        covered=tuple(covered),
        status=status,
        trails=tuple(trails),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _seal_problem(
    seal: Seal,
    fields: Mapping[str, Any],
    key: Ed25519PublicKey,
    raw: bytes,
    link: str | EllipsisType | None,
) -> tuple[str | None, list[tuple[str, int, str]] | None]:
    """Say what is wrong with a seal, and which heads it vouches for.

    Args:
        seal: the stored seal.
        fields: its message's members.
        key: the agency's public key.
        raw: its raw bytes.
        link: the digest the seal must name as its previous one (None for
            seal 1), or ``...`` when the link cannot be checked (after a
            gap, or after a seal that does not verify).

    Returns:
        A ``finding.…`` message id or None, and the ``(case_id, seq, hash)``
        to check against the trail: None when the seal's contents cannot be
        trusted.
    """
    if not _verifies(key, seal.signature, seal.message):
        cause = (
            "finding.bad_signature" if seal.public_key == raw else "finding.other_key"
        )
        return cause, None
    version = fields.get("v")
    heads: list[tuple[str, int, str]] | None = None
    if fields.get("type") == SEAL_TYPE and version == MERKLE_FORMAT:
        if fields.get("root") != merkle_root(seal.leaves):
            return "finding.bad_root", None
        heads = [(head.case_id, head.seq, head.last_hash) for head in seal.leaves]
    elif fields.get("type") == SEAL_TYPE and version == HEADS_FORMAT:
        heads = _entries(fields)
    elif fields.get("type") == SEAL_TYPE and version == SEAL_FORMAT:
        heads = _entries(fields) if _entries(fields, "trails") is not None else None
    if heads is None:
        return "finding.seal_unreadable", None
    return _stored_problem(seal, fields, raw, link), heads


def _stored_problem(
    seal: Seal, fields: Mapping[str, Any], raw: bytes, link: str | EllipsisType | None
) -> str | None:
    """Say what of a verified seal's stored surroundings differs from what it signs.

    The number, time and key stored beside a seal are derived from what it
    signs; any difference is reported, though the signed heads still count.
    """
    if fields.get("v") in _LISTING and fields.get("number") != seal.number:
        return "finding.seal_number"
    if link is not ... and fields.get("previous") != link:
        return "finding.seal_before"
    if fields.get("v") in _LISTING and seal.leaves:
        return "finding.seal_leaves"
    if seal.stored_at is None or _moment(fields.get("sealed_at")) != seal.stored_at:
        return "finding.seal_time"
    if seal.public_key != raw:
        return "finding.seal_key"
    return None


def _moment(value: object) -> dt.datetime | None:
    """The signed time, or None when it is not an ISO 8601 time with a zone."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def compare_heads(
    covered: Sequence[Covered],
    event_hash: Callable[[str, int], str | None],
) -> list[Finding]:
    """Check that the trail still holds every sealed head; name each case that does not.

    Args:
        covered: ``(seal number, case_id, seq, hash)`` from :func:`review_seals`.
        event_hash: returns the stored hash of a case's event ``seq``, or
            None when there is no such event.

    Returns:
        For each case, its first finding: ``case_missing`` when the case
        has no first event any more, ``truncated`` when the sealed event is
        gone, ``edited`` when it is there but different.
    """
    findings: dict[str, Finding] = {}
    for number, case_id, seq, hash_ in covered:
        found = event_hash(case_id, seq)
        if found == hash_:
            continue
        if event_hash(case_id, 1) is None:
            kind, cause = FindingKind.CASE_MISSING, "finding.sealed"
        elif found is None:
            kind, cause = FindingKind.TRUNCATED, "finding.sealed"
        else:
            kind, cause = FindingKind.EDITED, "finding.differs_from_seal"
        known = findings.get(case_id)
        if known is None or seq < known.seq:
            findings[case_id] = Finding(case_id, seq, kind, cause, {"number": number})
    return [findings[case_id] for case_id in sorted(findings)]


def compare_trails(
    trails: Sequence[Covered], entry_hash: Callable[[str, int], str | None]
) -> list[Finding]:
    """Check that the roster and the access log still hold every sealed head.

    Args:
        trails: ``(seal number, trail, seq, hash)`` from :func:`review_seals`.
        entry_hash: returns the stored hash of a trail's entry ``seq``, or
            None when there is no such entry.

    Returns:
        For each trail, its first finding: ``truncated`` when the sealed
        entry is gone, ``edited`` when it is there but different.
    """
    findings: dict[str, Finding] = {}
    stored: dict[tuple[str, int], str | None] = {}
    for number, trail, seq, hash_ in trails:
        if (trail, seq) not in stored:  # every seal lists the trails again
            stored[trail, seq] = entry_hash(trail, seq)
        found = stored[trail, seq]
        if found == hash_:
            continue
        if found is None:
            kind, cause = FindingKind.TRUNCATED, "finding.sealed"
        else:
            kind, cause = FindingKind.EDITED, "finding.differs_from_seal"
        known = findings.get(trail)
        if known is None or seq < known.seq:
            findings[trail] = Finding(trail, seq, kind, cause, {"number": number})
    return [findings[trail] for trail in sorted(findings)]


def verify_seals(
    seals: Sequence[Seal],
    key: Ed25519PublicKey,
    event_hash: Callable[[str, int], str | None],
    *,
    receipt: Receipt | None = None,
) -> list[Finding]:
    """Check every seal and that the trail still holds what each one sealed.

    :func:`review_seals`, then :func:`compare_heads` on what it vouches for.

    Returns:
        The seals' ``bad_seal`` findings, then the cases' findings.
    """
    review = review_seals(seals, key, receipt=receipt)
    return [*review.findings, *compare_heads(review.covered, event_hash)]
