"""``helping-process verify``: recompute the hash chains and replay the cases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import click

from helping_process import UnknownCaseError

from ._errors import REFUSED
from ._local import CaseIdType
from ._local import LocalCommand
from ._render import cut
from ._settings import MIN_PREFIX
from ._settings import Settings
from ._settings import pass_settings

if TYPE_CHECKING:
    from helping_process.audit import Finding


def finding_json(finding: Finding) -> dict[str, Any]:
    """Return one verification finding as JSON."""
    return {
        "case_id": finding.case_id,
        "seq": finding.seq,
        "kind": finding.kind.value,
        "detail": finding.detail,
        "tampering": finding.is_tampering,
    }


def report(
    settings: Settings, findings: Sequence[Finding], cases: int, events: int
) -> None:
    """Print the outcome of a verification; fail (exit 1) on any fault.

    Redactions are listed as information; anything else is a fault.

    Raises:
        Failure: the trail has faults.
    """
    faults = [finding for finding in findings if finding.is_tampering]
    if settings.as_json:
        settings.emit(
            {
                "verified": not faults,
                "cases": cases,
                "events": events,
                "findings": [finding_json(finding) for finding in findings],
            }
        )
    else:
        for finding in findings:
            text = f"{finding.case_id} #{finding.seq}: {finding.kind.value}"
            settings.echo(cut(f"{text} {finding.detail}".strip(), 80))
    if faults:
        raise settings.failure(
            "verify.faults",
            exit_code=REFUSED,
            kind="AuditIntegrityError",
            count=len(faults),
        )
    if not settings.as_json:
        settings.echo(settings.say("verify.ok", cases=cases, events=events))


@click.command(
    "verify", cls=LocalCommand, help="help.verify", short_help="help.verify.short"
)
@click.argument("case_ref", metavar="[CASE]", required=False, type=CaseIdType())
@pass_settings
def verify(settings: Settings, case_ref: str | None) -> None:
    """Verify the audit trail of every case, or of one."""
    service = settings.service()
    summaries = service.cases()
    if case_ref is None:
        findings = service.verify()
        report(settings, findings, len(summaries), sum(s.seq for s in summaries))
        return
    # Matched on the heads alone: a broken trail may not even decode.
    exact = [s for s in summaries if s.case_id == case_ref]
    matches = exact or [s for s in summaries if s.case_id.startswith(case_ref)]
    if not matches or (not exact and len(case_ref) < MIN_PREFIX):
        raise UnknownCaseError(case_ref)
    if len(matches) > 1:
        raise settings.failure(
            "error.ambiguous_case", exit_code=2, ref=case_ref, count=len(matches)
        )
    findings = service.verify(matches[0].case_id)
    report(settings, findings, 1, matches[0].seq)
