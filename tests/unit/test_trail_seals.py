"""Format-3 seals and trail heads, as pure functions: no database.

A format-3 seal signs the heads of the roster (``@staff``) and the access
log (``@access``) beside the case heads; a trail's stored head must name
its newest entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helping_process import seals
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import Head
from helping_process.audit import canonical
from helping_process.staff import ACCESS_TRAIL
from helping_process.staff import ROSTER_TRAIL
from helping_process.staff import StoredEntry
from helping_process.staff import head_findings

KEY: Final = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
AT: Final = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
HEADS: Final = (Head(case_id="case-a", seq=5, last_hash="a" * 64),)
TRAILS: Final = {ROSTER_TRAIL: (3, "s" * 64), ACCESS_TRAIL: (7, "r" * 64)}


def _rows(count: int) -> list[StoredEntry]:
    return [StoredEntry(seq, b"{}", "p", f"h{seq}") for seq in range(1, count + 1)]


class TestHeadFindings:
    @pytest.mark.parametrize(
        ("rows", "head", "expected"),
        [
            (0, None, []),
            (3, (3, "h3"), []),
            (3, None, [(0, FindingKind.HEAD_MISMATCH, "finding.no_trail_head")]),
            (2, (3, "h3"), [(3, FindingKind.TRUNCATED, "finding.head_ahead")]),
            (0, (1, "h1"), [(1, FindingKind.TRUNCATED, "finding.head_ahead")]),
            (3, (2, "h2"), [(3, FindingKind.INSERTED, "finding.after_head")]),
            (3, (3, "other"), [(3, FindingKind.HEAD_MISMATCH, "finding.head_hash")]),
            (3, ("3", "h3"), [(0, FindingKind.HEAD_MISMATCH, "finding.cell")]),
            (3, (3, b"h3"), [(0, FindingKind.HEAD_MISMATCH, "finding.cell")]),
        ],
    )
    def test_the_head_must_name_the_newest_entry(self, rows, head, expected):
        """Each way a head and its trail disagree is one finding of the trail."""
        found = head_findings(ACCESS_TRAIL, _rows(rows), head)

        assert [(f.seq, f.kind, f.cause) for f in found] == expected
        assert {f.case_id for f in found} <= {ACCESS_TRAIL}


class TestFormat3:
    def test_a_seal_with_trails_signs_them_sorted(self):
        """The message is format 3 and lists ``[trail, seq, hash]`` of each trail."""
        made = seals.make_seal(HEADS, KEY, sealed_at=AT, trails=TRAILS)

        assert made.fields["v"] == 3
        assert made.fields["trails"] == [
            [ACCESS_TRAIL, 7, "r" * 64],
            [ROSTER_TRAIL, 3, "s" * 64],
        ]
        assert made.heads == HEADS

    def test_a_seal_without_trails_is_format_2_as_before(self):
        """A store that keeps no roster seals as format 2 did, byte for byte."""
        made = seals.make_seal(HEADS, KEY, sealed_at=AT)

        assert made.fields["v"] == 2
        assert "trails" not in made.fields

    def test_formats_2_and_3_verify_in_one_chain(self):
        """A format-3 seal chains after format-2 seals and lists only changed heads."""
        first = seals.make_seal(HEADS, KEY, sealed_at=AT)
        second = seals.make_seal(
            HEADS, KEY, sealed_at=AT, previous=[first], trails=TRAILS
        )

        review = seals.review_seals([first, second], KEY.public_key())

        assert second.fields["heads"] == []
        assert review.findings == ()
        assert review.covered == ((1, "case-a", 5, "a" * 64),)
        assert review.trails == (
            (2, ACCESS_TRAIL, 7, "r" * 64),
            (2, ROSTER_TRAIL, 3, "s" * 64),
        )

    @pytest.mark.parametrize(
        "trails",
        [None, "x", [["@staff", 0, "h"]], [["@staff", 1]], [[1, 1, "h"]]],
    )
    def test_malformed_trails_make_a_seal_unreadable(self, trails):
        """A signed format-3 message whose trails cannot be read is a bad seal."""
        made = seals.make_seal(HEADS, KEY, sealed_at=AT, trails=TRAILS)
        fields = {**made.fields, "trails": trails}
        if trails is None:
            del fields["trails"]
        message = canonical(fields)
        odd = seals.Seal(
            message=message,
            signature=KEY.sign(message),
            public_key=made.public_key,
            number=1,
            stored_at=AT,
        )

        review = seals.review_seals([odd], KEY.public_key())

        assert [f.cause for f in review.findings] == ["finding.seal_unreadable"]
        assert (review.covered, review.trails) == ((), ())

    def test_a_format_3_receipt_reads_back(self):
        """A receipt of a format-3 seal is read, trails and all."""
        made = seals.make_seal(HEADS, KEY, sealed_at=AT, trails=TRAILS)

        receipt = seals.read_receipt(seals.Receipt.of(made).to_json())

        assert receipt.digest == made.digest
        assert receipt.heads == HEADS

    def test_a_receipt_vouches_for_the_trails_of_a_missing_seal(self):
        """With the seal deleted, the receipt's signed trails are still checked."""
        made = seals.make_seal(HEADS, KEY, sealed_at=AT, trails=TRAILS)

        review = seals.review_seals(
            [], KEY.public_key(), receipt=seals.Receipt.of(made)
        )

        assert [f.cause for f in review.findings] == ["finding.receipt_missing"]
        assert len(review.trails) == 2


class TestCompareTrails:
    def test_each_trail_is_named_once_at_its_first_sealed_loss(self):
        """Gone is truncated, different is edited; a kept entry is no finding."""
        stored = {(ROSTER_TRAIL, 2): "s2", (ACCESS_TRAIL, 4): "changed"}
        covered = [
            (1, ROSTER_TRAIL, 2, "s2"),
            (1, ACCESS_TRAIL, 4, "r4"),
            (2, ROSTER_TRAIL, 3, "s3"),
            (2, ACCESS_TRAIL, 7, "r7"),
        ]

        found = seals.compare_trails(
            covered, lambda trail, seq: stored.get((trail, seq))
        )

        assert found == [
            Finding(
                ACCESS_TRAIL,
                4,
                FindingKind.EDITED,
                "finding.differs_from_seal",
                {"number": 1},
            ),
            Finding(
                ROSTER_TRAIL, 3, FindingKind.TRUNCATED, "finding.sealed", {"number": 2}
            ),
        ]

    def test_an_entry_listed_by_many_seals_is_read_once(self):
        """Every seal lists the trails again; each entry is looked up once."""
        asked: list[tuple[str, int]] = []

        def entry_hash(trail: str, seq: int) -> str:
            asked.append((trail, seq))
            return "h"

        seals.compare_trails(
            [(number, ROSTER_TRAIL, 3, "h") for number in (1, 2, 3)], entry_hash
        )

        assert asked == [(ROSTER_TRAIL, 3)]
