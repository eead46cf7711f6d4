"""Verify a helping_process audit export with nothing but the standard library.

Usage: python verify_export.py EXPORT.jsonl   (``--help`` says more)

Checks, for every case: events numbered 1, 2, 3 … without gaps; each
event's ``prev_hash`` equal to the previous event's ``hash`` (the first to
64 zeros); ``hash == SHA-256(prev_hash as ASCII ‖ body as UTF-8)``; the
personal data, where present, matching the digest the body holds; and the
head's ``seq`` and ``last_hash`` equal to the last event's. Prints one line
per problem and exits 1 if there is any, else prints a summary and exits 0.
This script is independent of helping_process on purpose: it follows
docs/audit-format.md only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict

GENESIS = "0" * 64


def verify(lines: list[str]) -> list[str]:
    """Return the problems found in an export's lines (empty when sound)."""
    header = json.loads(lines[0])
    if header.get("type") != "export" or header.get("format") != 1:
        return ["not a helping_process export of format 1"]
    events: dict[str, list[dict[str, object]]] = defaultdict(list)
    heads: dict[str, dict[str, object]] = {}
    for line in lines[1:]:
        item = json.loads(line)
        if item["type"] == "event":
            events[str(item["case_id"])].append(item)
        elif item["type"] == "head":
            heads[str(item["case_id"])] = item
    problems: list[str] = []
    for case_id in sorted(set(events) | set(heads)):
        problems += verify_case(case_id, events.get(case_id, []), heads.get(case_id))
    return problems


def verify_case(  # noqa: PLR0911 - one return per check, in the order of the format
    case_id: str, trail: list[dict[str, object]], head: dict[str, object] | None
) -> list[str]:
    """Return the first problem of one case's chain and head, if any."""
    prev = GENESIS
    for expected, event in enumerate(trail, start=1):
        where = f"case {case_id} event {event['seq']}"
        body = str(event["body"]).encode("utf-8")
        if event["seq"] != expected:
            return [f"{where}: expected event {expected}"]
        if event["prev_hash"] != prev:
            return [f"{where}: does not follow the previous event"]
        if hashlib.sha256(prev.encode("ascii") + body).hexdigest() != event["hash"]:
            return [f"{where}: hash mismatch"]
        fields = json.loads(body)
        if fields.get("seq") != expected:
            return [f"{where}: the body names another event"]
        personal = event["personal"]
        if personal is not None:
            own = hashlib.sha256(str(personal).encode("utf-8")).hexdigest()
            if own != fields.get("personal_digest"):
                return [f"{where}: personal data does not match"]
        prev = str(event["hash"])
    if head is None:
        return [f"case {case_id}: events without a head"]
    if head["seq"] != len(trail) or (trail and head["last_hash"] != prev):
        return [f"case {case_id}: the head does not match the last event"]
    return []


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _parser() -> argparse.ArgumentParser:
    summary, _, details = (__doc__ or "").partition("\n\n")
    return argparse.ArgumentParser(
        prog="verify_export.py",
        description=summary,
        epilog=details.partition("\n\n")[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str]) -> int:
    """Verify the export named on the command line (``argv`` without the script).

    Exit codes: 0 sound; 1 a problem in the trail; 2 a file that cannot be
    read or is not an export (argparse's own code for usage errors).
    """
    parser = _parser()
    parser.add_argument(
        "export", metavar="EXPORT.jsonl", help="the file `audit export` wrote"
    )
    arguments = parser.parse_args(argv)
    try:
        with open(arguments.export, encoding="utf-8") as export:
            lines = [line for line in export.read().splitlines() if line.strip()]
        problems = verify(lines)
        cases = sum(1 for line in lines[1:] if json.loads(line)["type"] == "head")
    except OSError as error:
        parser.error(f"cannot read {arguments.export}: {error.strerror}")
    except (ValueError, KeyError, IndexError, TypeError):
        parser.error(f"{arguments.export} is not a helping_process export")
    for problem in problems:
        print(problem)
    if problems:
        return 1
    events = len(lines) - 1 - cases
    print(f"verified: {_count(cases, 'case')}, {_count(events, 'event')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
