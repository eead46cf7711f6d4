"""The command line's own words, in English and Indonesian.

Codes (stages, reasons, record kinds, requirements) are worded by
:mod:`helping_process.labels`; this table holds what only the command line
says: help texts, prompts, table headings, the demo's story. Each entry is
an English :meth:`str.format` template under its message id; the Indonesian
is in the package's gettext catalog (:mod:`helping_process._catalog`), where
a translator edits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from helping_process._catalog import M
from helping_process._catalog import Messages
from helping_process._catalog import P
from helping_process.labels import LANGUAGES
from helping_process.labels import Language


def detect_language(environ: Mapping[str, str]) -> Language:
    """Return the language the environment asks for.

    ``HELPING_PROCESS_LANG`` first; then the locale, in POSIX order
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``): one starting with ``id`` means
    Indonesian, anything else English.
    """
    chosen = environ.get("HELPING_PROCESS_LANG", "")
    for lang in LANGUAGES:
        if chosen == lang:
            return lang
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "id" if value.lower().startswith("id") else "en"
    return "en"


def say(key: str, lang: Language, /, **params: object) -> str:
    """Return the message ``key`` in ``lang``, with its parameters filled in."""
    return MESSAGES.template(key, lang, params).format(**params)


def counted(key: str, lang: Language, count: int) -> str:
    """Return a counted phrase (``count.cases``: "1 case", "3 cases") in ``lang``."""
    return say(key, lang, count=count)


MESSAGES: Final = Messages(
    M("help.usage", "Usage:"),
    M("help.options", "Options"),
    M("help.commands", "Commands"),
    M("help.option.help", "Show this message and exit."),
    M("help.option.version", "Show the version and exit."),
    M(
        "help.main",
        "Run social-work cases through the helping process (engagement to "
        "termination), with a tamper-evident audit trail.",
    ),
    M(
        "help.main.epilog",
        "Shell completion (bash; zsh and fish alike with zsh_source, "
        "fish_source):\n\n\b\n  eval "
        '"$(_HELPING_PROCESS_COMPLETE=bash_source helping-process)"\n\nExit '
        "codes: 0 done; 1 refused by the process, changed by someone else,\n"
        "audit finding or database failure; 2 bad input; 130 cancelled at a "
        "prompt.\nEvery CASE may be given as a unique prefix of its id (4 or "
        "more\ncharacters).",
    ),
    M("help.info", "Show the version, the database, the data directory and who acts."),
    M("help.case", "Open cases and take them through the helping process."),
    M("help.case.open", "Open a case in engagement (episode 1)."),
    M(
        "help.case.record",
        "Add a record to a case. KIND is engagement, intake, contract, "
        "assessment, plan, activity or evaluation; the record is a JSON object "
        "given with --data, or in a file with --file (- reads standard input); "
        "without either, on a terminal, each field is asked in turn. Every "
        "field of every kind: docs/records.md.",
    ),
    M(
        "help.case.move",
        "Move a case to another stage. A move back (a loop) needs --note.",
    ),
    M("help.case.terminate", "End a case's episode for a reason allowed in its stage."),
    M("help.case.reopen", "Reopen a terminated case as a new episode."),
    M(
        "help.case.redact",
        "Redact the personal data of a case on a lawful request: the client "
        "reference, notes, referrals and the records' free text of every "
        "earlier event are erased from the database; a chained redaction event "
        "records who, when, why and which events.",
    ),
    M("help.case.redact.short", "Erase a case's personal data on a lawful request"),
    M(
        "help.case.show",
        "Show a case: its stage, its records in force, and every legal next "
        "move with what it still lacks.",
    ),
    M(
        "help.case.list",
        "List the cases, newest first, a page at a time; filter by stage, "
        "worker, opening day or process.",
    ),
    M("help.case.history", "Show a case's audit trail, oldest event first."),
    M(
        "help.case.step",
        "Take a case one step, interactively: record what is missing, move it, "
        "or end the episode. Ctrl-C at any prompt changes nothing (exit 130).",
    ),
    M("help.process", "Show the helping process itself."),
    M(
        "help.process.show",
        "Show the stages, the legal moves and the termination reasons.",
    ),
    M(
        "help.process.list",
        "List the built-in process definitions: name, version, digest, and "
        "which one new cases follow by default.",
    ),
    M(
        "help.process.export",
        "Print a built-in process definition file (REF is NAME@VERSION, or "
        "NAME for its newest version), to read or to start your own from.",
    ),
    M(
        "help.process.check",
        "Check a process definition file; every problem is listed with its "
        "place in the file (exit code 2 when there is any).",
    ),
    M(
        "help.process.graph",
        "Print the process as a Mermaid or Graphviz (dot) graph; with --case, "
        "the case's current stage is highlighted.",
    ),
    M(
        "help.demo",
        "Tell four realistic cases (a completed case with a re-plan, a client "
        "who runs away from the panti, a referral, a new case) on a new "
        "temporary database, then verify its audit trail. Your own database is "
        "never touched; the demo's is removed at the end unless --keep names "
        "where to keep it. Every run tells the same story.",
    ),
    M("help.info.short", "Show the version, the database and who acts"),
    M("help.case.show.short", "Show a case and its legal next moves"),
    M("help.case.step.short", "Take a case one step, interactively"),
    M(
        "help.demo.short",
        "Tell four cases on a temporary database, then verify the trail",
    ),
    M("help.verify.short", "Verify the audit trail (hash chains and replay)"),
    M(
        "help.verify",
        "Verify the audit trail: recompute every hash chain and replay every "
        "case (or one CASE) through the process rules. Exit 1 on a finding.",
    ),
    M("help.audit.short", "Verify, seal, report on and export the audit trail"),
    M(
        "help.audit",
        "Verify, seal, report on and export the audit trail. Exit codes: 0 "
        "sound (redactions are information only), 1 an audit finding, 2 bad "
        "input (an unknown case, an unreadable key, a bad date).",
    ),
    M(
        "help.audit.verify.short",
        "Recompute every chain, replay every case, check the seals",
    ),
    M(
        "help.audit.verify",
        "Verify the audit trail: recompute every hash chain from the stored "
        "bytes, replay every case (or the one given with --case) through the "
        "process rules, and with --key check every seal and the chain they "
        "form (--receipt: and that the seal a receipt kept elsewhere vouches "
        "for is still stored, unchanged). Each finding names the case, the "
        "event and its kind (edited, deleted, inserted, reordered, truncated, "
        "illegal_move, head_mismatch, case_missing, bad_seal; redacted is "
        "information only). Exit 1 on a finding other than a redaction.",
    ),
    M(
        "help.audit.keygen",
        "Write a new Ed25519 key pair for seals to DIR: seal-key.pem (private, "
        "mode 0600) and seal-key.pub.pem (public). Existing files are never "
        "overwritten.",
    ),
    M("help.audit.keygen.short", "Write a new Ed25519 key pair for seals"),
    M("help.audit.seal.short", "Record a signed checkpoint of every case head"),
    M(
        "help.audit.seal",
        "Record a signed checkpoint (a seal) with the private key: it names "
        "the head of every case changed since the previous seal and chains to "
        "that seal. Print its digest, and with --receipt write it to a new "
        "file: keep either off this machine. 'audit verify --key' then names "
        "every sealed case deleted whole, or whose sealed events were removed "
        "or changed; 'audit verify --receipt' also finds seals removed.",
    ),
    M("help.audit.report.short", "Report the agency's figures and policy findings"),
    M(
        "help.audit.report",
        "Report the agency's figures for a window (cases per stage, time in "
        "stage, terminations by reason, loops, goal attainment, activities) "
        "with the policy findings, as text, JSON, CSV or one self-contained "
        "HTML page, in the chosen language. Dates are UTC days (YYYY-MM-DD) or "
        "ISO 8601 times with a time zone.",
    ),
    M("help.audit.export.short", "Export the trail as JSON lines for external audit"),
    M(
        "help.audit.export",
        "Export the trail of one case (--case) or of every case (--all) as "
        "JSON lines, with the stored bytes, for an auditor to verify with "
        "tools of their own (docs/audit-format.md). A new file is created "
        "readable by its owner only: it holds personal data.",
    ),
    M("help.audit.policy.short", "Print the default policy file (TOML)"),
    M(
        "help.audit.policy",
        "Print the default policy as a TOML file an agency can start its own "
        "from; with --policy, check that file and print the policy it gives.",
    ),
    M(
        "opt.db",
        "Database URL (sqlite:///path or postgresql://...). Default: a SQLite "
        "file in the user data directory (see 'info'). Env: HELPING_PROCESS_DB.",
    ),
    M(
        "opt.actor",
        "Who acts (the worker's id). Default: the login name. Env: "
        "HELPING_PROCESS_ACTOR.",
    ),
    M("opt.role", "The role you act in: worker or supervisor."),
    M("opt.lang", "Language: en or id. Env: HELPING_PROCESS_LANG; else the locale."),
    M("opt.json", "Print machine-readable JSON on standard output."),
    M("opt.debug", "Show tracebacks of errors."),
    M("opt.client", "The agency's reference for the client."),
    M("opt.residential", "The client lives in the institution (panti)."),
    M("opt.data", "The record as a JSON object."),
    M("opt.file", "A file holding the record as JSON; - reads standard input."),
    M("opt.note", "Why the case moves (required for a move back)."),
    M("opt.reason", "The termination reason code."),
    M("opt.sub_reason", "The sub-reason code, for reasons that have them."),
    M("opt.referral_to", "Where the client is referred to."),
    M("opt.termination_note", "The termination note."),
    M("opt.reopen_note", "Why the case is reopened."),
    M(
        "opt.redact_note",
        "The lawful basis of the redaction (kept in the trail; write no "
        "personal data in it).",
    ),
    M(
        "opt.opened_since",
        "Only the cases opened on or after this day (YYYY-MM-DD, UTC) or moment.",
    ),
    M("opt.worker_filter", "Only the cases this worker opened."),
    M(
        "opt.process_filter",
        "Only the cases that follow this process definition (NAME@VERSION).",
    ),
    M("opt.limit", "Show at most N cases (one page)."),
    M(
        "opt.history_limit",
        "Show at most N events (one page); every event when left out.",
    ),
    M("opt.cursor", "Start after the previous page (the cursor it printed)."),
    M("opt.stage_filter", "Only the cases in this stage."),
    M("opt.format", "The graph format."),
    M("opt.graph_case", "Highlight this case's current stage."),
    M(
        "opt.demo_keep",
        "Keep the demo's database at PATH (a new file) to try commands on; "
        "without it nothing is kept.",
    ),
    M(
        "opt.demo_pause",
        "Wait this long after each line of the story, to show it live.",
    ),
    M("opt.audit_case", "Only this case (an id or a unique prefix of one)."),
    M(
        "opt.max_findings",
        "List at most this many findings and count the rest (default: 1000).",
    ),
    M(
        "opt.public_key",
        "The public key file (PEM) 'audit keygen' wrote; checks every seal.",
    ),
    M(
        "opt.report_key",
        "The agency's public key: the seals are checked before the report, and its "
        "top says up to which seal.",
    ),
    M(
        "opt.report_verify",
        "Verify the trail first (the default): the report's top says whether it was "
        "sound, and the figures leave out cases with faults. --no-verify skips it, "
        "and the report says it is not verified.",
    ),
    M(
        "opt.receipt_in",
        "A receipt 'audit seal --receipt' wrote: its seal must still be "
        "stored, unchanged, so no seal up to it was removed. Checks the seals "
        "with the receipt's own key when --key is not given.",
    ),
    M(
        "opt.receipt_out",
        "Also write the new seal to FILE (a new file), to keep off this "
        "machine for 'audit verify --receipt'.",
    ),
    M(
        "opt.jobs",
        "Verify with N processes at once (0: one per core). Cases are checked "
        "independently and the findings are the same; each process takes about "
        "half a second to start, so it pays on large trails.",
    ),
    M("opt.private_key", "The private key file (PEM) 'audit keygen' wrote."),
    M("opt.key_dir", "The directory to write the key pair to (created if missing)."),
    M(
        "opt.since",
        "Start of the window: YYYY-MM-DD (from 00:00 UTC) or an ISO 8601 time "
        "with a time zone. Default: the start of the trail.",
    ),
    M(
        "opt.until",
        "End of the window: YYYY-MM-DD (through 23:59 UTC) or an ISO 8601 time "
        "with a time zone. Default: now.",
    ),
    M(
        "opt.report_format",
        "text, json, csv or html. Default: text (json with --json).",
    ),
    M("opt.output", "The file to write; - (the default) writes to standard output."),
    M(
        "opt.policy",
        "The agency's policy file (TOML; see 'audit policy'). Default: the "
        "built-in policy.",
    ),
    M(
        "opt.policy_check",
        "A policy file to check and print, merged over the defaults.",
    ),
    M("opt.agency", "The agency's name, for the report's title."),
    M("opt.export_case", "Export this case (an id or a unique prefix of one)."),
    M("opt.export_all", "Export every case."),
    M("opt.export_format", "The export format: jsonl (JSON lines)."),
    M("error.prefix", "Error"),
    M("error.prefix.refused", "Refused"),
    M("error.prefix.cancelled", "Cancelled"),
    M("error.one_of", "Use one of: {codes}."),
    P(
        "error.ambiguous_case",
        "The id prefix {ref} matches {count} case: {matches}; give more "
        "characters of the id.",
        "The id prefix {ref} matches {count} cases: {matches}; give more "
        "characters of the id.",
        "count",
    ),
    M(
        "error.prefix_too_short",
        "No case has the id {ref}, and a prefix of an id needs at least "
        "{minimum} characters.",
    ),
    M(
        "error.no_case_prefix",
        "No case id is or starts with {ref}; 'helping-process case list' shows "
        "the cases.",
    ),
    M(
        "error.internal",
        "Unexpected failure ({detail}); rerun with --debug and report it.",
    ),
    M("problem.not_url", "The database URL {value!r} is not a valid URL."),
    M(
        "problem.unsupported_database",
        "The database {value!r} is not supported (use sqlite or postgresql).",
    ),
    M("cancelled", "Nothing was changed."),
    M("interrupted", "Interrupted; each command is stored whole or not at all."),
    M("usage.no_such_option", "There is no option {name}."),
    M("usage.no_such_command", "There is no command {name!r}."),
    M("usage.missing_command", "A command is missing."),
    M("usage.missing", "{name} is required."),
    M("usage.bad_value", "Bad value for {name}: {detail}"),
    M("usage.generic", "{detail}"),
    M("usage.see_help", "(See '{command} --help'.)"),
    M(
        "usage.data_or_file_terminal",
        "Give the record with --data or --file: it can be asked field by field "
        "only on a terminal.",
    ),
    M(
        "record.heading",
        "{kind} for case {case_id} ({stage}). Ctrl-C stops without storing.",
    ),
    M("usage.data_or_file", "Give the record with exactly one of --data or --file."),
    M("usage.unreadable", "Cannot read {path}: {reason}."),
    M("yes", "yes"),
    M("no", "no"),
    M("info.version", "version"),
    M("info.database", "database"),
    M("info.data_dir", "data dir"),
    M("info.language", "language"),
    M("info.actor", "actor"),
    M("info.role", "role"),
    M("case.opened", "Opened case {case_id} in {stage}."),
    M("case.recorded", "{kind} recorded on case {case_id} (event {seq})."),
    M("case.moved", "Case {case_id} moved from {source} to {target}."),
    M("case.terminated", "Case {case_id} terminated: {reason}."),
    M("case.reopened", "Case {case_id} reopened as episode {episode}."),
    M(
        "case.redacted",
        "Personal data of case {case_id} redacted from events {events} (event "
        "{seq} records the redaction).",
    ),
    M(
        "case.erase_pending",
        "Warning: another connection is still reading the database, so its log "
        "may hold copies of the redacted data until the database is next "
        "opened (or, on PostgreSQL, until VACUUM FULL personal, cases runs).",
    ),
    M("show.case", "Case {case_id}"),
    M("show.stage", "Stage: {stage}"),
    M("show.episode", "Episode {episode}, event {seq}, residential: {residential}"),
    M("show.ended", "Episode ended: {reason}"),
    M("show.records", "Records in force:"),
    M("show.none", "(none)"),
    M("show.moves", "Next moves:"),
    M("show.terminations", "Termination reasons allowed in this stage:"),
    M("show.note_required", "(note required)"),
    M("show.sub_reason_needed", "needs a sub-reason: {codes}"),
    M("show.referral_needed", "needs --referral-to (where the client is referred)"),
    M("list.empty", "No cases."),
    M("list.no_match", "No cases match."),
    M("list.next_page", "More follow: --cursor {cursor}"),
    M(
        "list.unverified",
        "Not verified: read from the case rows as stored; run 'helping-process "
        "audit verify' to check them against the audit trail.",
    ),
    M("list.id", "id"),
    M("list.client", "client"),
    M("list.stage", "stage"),
    M("list.episode", "ep"),
    M("list.events", "events"),
    M("list.updated", "updated (UTC)"),
    M("history.seq", "#"),
    M("history.when", "occurred (UTC)"),
    M("history.actor", "actor"),
    M("history.action", "action"),
    M("history.stage", "stage"),
    M("process.stages", "Stages:"),
    M("process.default", "(default for new cases)"),
    M(
        "process.check.ok",
        "{source}: {ref} is sound ({stages} stages, {moves} moves, {kinds} "
        "record kinds, {reasons} termination reasons); digest {digest}.",
    ),
    P(
        "process.check.broken",
        "{source} has {count} problem; nothing was loaded.",
        "{source} has {count} problems; nothing was loaded.",
        "count",
    ),
    M("process.moves", "Moves:"),
    M(
        "process.terminate_any",
        "every stage but termination -> termination (terminate, with a reason "
        "and a note); termination -> engagement only by reopening",
    ),
    M("process.terminations", "Termination reasons:"),
    M("process.from", "from: {stages}"),
    M("process.needs", "needs: {needs}"),
    M("process.sub_reason", "a sub-reason: {codes}"),
    M("process.referral", "--referral-to (where the client is referred)"),
    M("process.residential_only", "residential clients only"),
    M("trigger.advance", "advance"),
    M("trigger.reassess", "reassess"),
    M("trigger.replan", "re-plan"),
    M("trigger.resume", "resume"),
    M("trigger.terminate", "terminate"),
    M("trigger.reopen", "reopen"),
    M(
        "verify.ok",
        "trail verified: {cases}, {events}",
    ),
    P(
        "verify.more",
        "… and {count} more finding",
        "… and {count} more findings",
        "count",
    ),
    M(
        "audit.bad_max_findings",
        "--max-findings takes a whole number of 0 or more, not '{value}'.",
    ),
    P(
        "verify.faults",
        "The audit trail has {count} finding; see above.",
        "The audit trail has {count} findings; see above.",
        "count",
    ),
    M("audit.verifying", "Verifying the audit trail"),
    M("audit.reporting", "Reading the audit trail"),
    M("audit.exporting", "Exporting the audit trail"),
    M("audit.sealing", "Sealing the case heads"),
    M("audit.seal_where", "seal {number}"),
    M("audit.kind.edited", "the event was changed after it was stored"),
    M("audit.kind.deleted", "an event is missing from the trail"),
    M("audit.kind.inserted", "an event was added that the trail did not write"),
    M("audit.kind.reordered", "the events are out of order"),
    M("audit.kind.truncated", "the newest events are gone"),
    M("audit.kind.illegal_move", "the process rules refuse this event"),
    M("audit.kind.head_mismatch", "the case's head does not match its trail"),
    M("audit.kind.case_missing", "the case is missing"),
    M("audit.kind.bad_seal", "a seal is missing, changed or not the agency's"),
    M(
        "audit.kind.redacted",
        "personal data redacted on a lawful request (information only)",
    ),
    P(
        "audit.seals_checked",
        "{count} seal checked with the key {key}…; the newest is seal "
        "{number}, sealed at {sealed_at}.",
        "{count} seals checked with the key {key}…; the newest is seal "
        "{number}, sealed at {sealed_at}.",
        "count",
    ),
    M("audit.receipt_matches", "The receipt of seal {number} matches the stored seal."),
    M("audit.bad_receipt", "The receipt {path} {reason}."),
    M(
        "audit.receipt_exists",
        "{path} already exists; a receipt is never overwritten, and nothing "
        "was sealed. Choose another --receipt file.",
    ),
    M(
        "audit.receipt_unwritten",
        "Seal {number} is stored, but its receipt could not be written to "
        "{path}: {reason}.",
    ),
    M("audit.receipt_written", "receipt (keep it off this machine): {path}"),
    P(
        "audit.seal_number",
        "seal {number}; {heads} case head changed since the previous seal",
        "seal {number}; {heads} case heads changed since the previous seal",
        "heads",
    ),
    M("audit.no_seals", "There is no seal to check yet; record one with 'audit seal'."),
    M(
        "audit.not_public_key",
        "{path} is not an Ed25519 public key in PEM format (use the "
        "seal-key.pub.pem that 'audit keygen' wrote).",
    ),
    M(
        "audit.not_private_key",
        "{path} is not an Ed25519 private key in PEM format (use the "
        "seal-key.pem that 'audit keygen' wrote).",
    ),
    M(
        "audit.key_exists",
        "{path} already exists; keys are never overwritten. Choose another "
        "--out directory.",
    ),
    M("audit.cannot_write", "Cannot write {path}: {reason}."),
    M("audit.private_written", "private key (keep it secret): {path}"),
    M("audit.public_written", "public key (for verify --key): {path}"),
    M(
        "audit.sealed",
        "Sealed {cases}, {events}, at {sealed_at}.",
    ),
    M("audit.seal_digest", "digest: {digest}"),
    M(
        "audit.seal_keep",
        "Keep the digest off this machine (print it, or send it to the "
        "supervisor): with the public key it proves what the trail held now.",
    ),
    M(
        "audit.bad_date",
        "{option} must be a date (YYYY-MM-DD) or an ISO 8601 date and time "
        "with a time zone, not {value!r}.",
    ),
    M(
        "audit.since_after_until",
        "--since {since} is after the end of the window ({until}).",
    ),
    M("audit.policy_not_toml", "The policy file {path} is not TOML: {detail}."),
    M(
        "audit.policy_unknown_key",
        "The policy file {path} holds {key}, which is not a policy key (see "
        "'audit policy').",
    ),
    M("audit.bad_policy", "The policy file {path} is not valid: {message}"),
    M(
        "audit.bad_format",
        "{value!r} is not a format offered here. Use one of: {codes}.",
    ),
    M("audit.written", "Wrote {path}."),
    M("audit.case_or_all", "Give exactly one of --case CASE or --all."),
    M(
        "audit.exported",
        "Exported {cases}, {lines}, to {path}.",
    ),
    # Counted phrases, filled into the messages above.
    P("count.cases", "{count} case", "{count} cases", "count"),
    P("count.events", "{count} event", "{count} events", "count"),
    P("count.lines", "{count} line", "{count} lines", "count"),
    M("step.heading", "Case {case_id}: {stage} (episode {episode}, event {seq})"),
    M("step.menu", "What do you want to do?"),
    M("step.record_needed", "Record: {kind} (needed)"),
    M("step.record", "Record: {kind} (a new version)"),
    M("step.move", "Move to {stage}"),
    M("step.reopen", "Reopen the case (episode {episode})"),
    M("step.terminate", "End the episode (terminate)"),
    M("step.quit", "Leave without changes"),
    M("step.note_required", "Note (why the case goes this way)"),
    M("step.note_optional", "Note (optional, Enter to skip)"),
    M("step.reason", "Termination reason:"),
    M("step.sub_reason", "Sub-reason:"),
    M("step.referral_to", "Referred to (agency or service)"),
    M("step.termination_note", "Termination note"),
    M("step.summary.record", "To record: {kind}"),
    M("step.summary.move", "To move: {source} -> {target}"),
    M("step.summary.reopen", "To reopen the case as episode {episode}"),
    M("step.summary.terminate", "To terminate: {reason}"),
    M("step.summary.referral", "referred to: {referral}"),
    M("step.summary.note", "note: {note}"),
    M("step.confirm", "Store this?"),
    M("step.unchanged", "Nothing was changed."),
    M("step.done", "Stored. The case is in {stage} (episode {episode}, event {seq})."),
    M("prompt.invalid", "Not accepted: {problem}."),
    M("prompt.not_after", "must be after {day}"),
    M("prompt.yes_no", "y/n"),
    M("prompt.not_yes_no", "answer y (yes) or n (no)"),
    M("prompt.number", "Choose (1-{last})"),
    M("prompt.number_one", "Choose 1"),
    M("prompt.not_a_choice", "give one of the numbers shown"),
    M("prompt.lines", "(one per line; an empty line ends the list)"),
    P(
        "prompt.at_least",
        "give at least {count} item",
        "give at least {count} items",
        "count",
    ),
    M("field.engagement.first_contact_on", "Date of the first contact (YYYY-MM-DD)"),
    M("field.engagement.request", "The client's request for service"),
    M("field.engagement.referral_source", "Who referred the client?"),
    M("field.intake.eligible", "Is the candidate eligible?"),
    M("field.intake.service_formulation", "Service formulation (the service to give)"),
    M("field.intake.resources_informed", "Was the client told which resources exist?"),
    M("field.intake.criteria_failed", "Criteria not met"),
    M("field.contract.kind", "Kind of contract:"),
    M("field.contract.consensual", "Entered consensually?"),
    M("field.contract.mutual_agreement", "Mutually agreed?"),
    M("field.contract.acceptance", "Accepted by the client?"),
    M("field.contract.reciprocal", "Reciprocal (binding both sides)?"),
    M("field.contract.responsibilities", "Responsibilities of each party"),
    M("field.contract.tasks", "Tasks promised"),
    M("field.contract.valid_from", "In force from (YYYY-MM-DD)"),
    M("field.contract.valid_until", "In force until (YYYY-MM-DD)"),
    M("field.contract.worker", "Worker (party)"),
    M("field.contract.agency", "Agency (party)"),
    M("field.contract.client", "Client (party)"),
    M("field.assessment.problem_statement", "Problem statement"),
    M("field.assessment.personality_assessment", "Personality assessment"),
    M("field.assessment.situational_analysis", "Situational analysis"),
    M("field.assessment.integrative_formulation", "Integrative formulation"),
    M("field.assessment.evaluation", "Evaluation of the assessment"),
    M("field.plan.focus", "Focus and root of the problem"),
    M("field.plan.methods", "Methods and techniques"),
    M("field.plan.goal_heading", "Goal {number}"),
    M("field.plan.another_goal", "Another goal?"),
    M("field.goal.id", "Goal id"),
    M("field.goal.statement", "Goal statement"),
    M("field.goal.success_indicator", "Success indicator"),
    M("field.goal.another_objective", "Another objective for this goal?"),
    M("field.goal.use_gas", "Give this goal a Goal Attainment Scale?"),
    M("field.objective.statement", "Objective"),
    M("field.objective.tasks", "Tasks of this objective"),
    M("field.gas.weight", "GAS weight"),
    M("field.gas.level-2", "GAS -2 (much less than expected)"),
    M("field.gas.level-1", "GAS -1 (less than expected)"),
    M("field.gas.level0", "GAS 0 (as expected)"),
    M("field.gas.level1", "GAS +1 (more than expected)"),
    M("field.gas.level2", "GAS +2 (much more than expected)"),
    M("field.activity.on", "Date of the activity (YYYY-MM-DD)"),
    M("field.activity.role", "Your role in it:"),
    M("field.activity.model", "How it sought change:"),
    M("field.activity.description", "What was done"),
    M("field.activity.goal_ids", "Ids of the goals it serves"),
    M("field.activity.serves_goal", "Does it serve goal {goal} ({text})?"),
    M("field.activity.justification", "Why was coercion necessary?"),
    M("field.evaluation.achieved_goal_ids", "Ids of the goals achieved"),
    M("field.evaluation.goal_achieved", "Goal {goal} achieved ({text})?"),
    M("field.evaluation.gas_score", "GAS score of goal {goal}"),
    M("field.evaluation.process_note", "How the process went"),
    M("field.evaluation.outcome_note", "What it achieved (outcome)"),
    M("field.case_conference.held_on", "Held on (YYYY-MM-DD)"),
    M("field.case_conference.participants", "Participants"),
    M("field.case_conference.conclusion", "Conclusion"),
    M("field.resocialization.family_prepared", "Is the family prepared?"),
    M("field.resocialization.community_prepared", "Is the community prepared?"),
    M("field.resocialization.plan", "Resocialization plan"),
    M("field.aftercare_plan.until", "Aftercare until (YYYY-MM-DD)"),
    M("field.aftercare_plan.contact_every_days", "Contact every how many days?"),
    M("field.follow_up.on", "Date of the contact (YYYY-MM-DD)"),
    M("field.follow_up.mode", "Mode of contact:"),
    M("field.follow_up.situation", "The client's situation"),
    M("field.follow_up.independent", "Is the client independent?"),
    M(
        "demo.title",
        "helping-process demo: four cases, told as they happened, on a new "
        "temporary database (your own database is not touched):",
    ),
    M(
        "demo.removed",
        "The demo's temporary database is removed: nothing was kept. To keep "
        "one and try commands on its cases:",
    ),
    M("demo.kept", "The demo's database is kept at {path}. Try next:"),
    M(
        "demo.keep_exists",
        "{path} already exists; the demo never writes over a file. Choose "
        "another --keep path.",
    ),
    M(
        "demo.keep_no_folder",
        "The folder {folder} does not exist; --keep needs an existing folder.",
    ),
    M(
        "demo.cannot_write",
        "The demo cannot write its database in {folder}: {reason}. Nothing was kept.",
    ),
    M(
        "demo.stopped",
        "The demo was stopped; its temporary database is removed and nothing was kept.",
    ),
    M("demo.s1.title", "A completed case, with a re-plan after a partial evaluation"),
    M("demo.s2.title", "A residential client who runs away from the panti"),
    M("demo.s3.title", "A referral: a problem beyond the agency's capacity"),
    M("demo.s4.title", "A new case, waiting for you at engagement"),
    M("demo.opened", "Case {case_id} opened for client {client}."),
    M(
        "demo.opened_residential",
        "Case {case_id} opened for client {client}, who lives in the panti.",
    ),
    M("demo.recorded", "{kind}: {story}"),
    M("demo.moved", "{source} -> {target}"),
    M("demo.note", "note: {note}"),
    M("demo.refused", "Refused: {message}"),
    M("demo.not_refused", "The demo expected a refusal that did not come."),
    M("demo.terminated", "Terminated: {reason}."),
    M("demo.sub_reason", "sub-reason: {sub_reason}"),
    M("demo.referral", "referred to: {referral}"),
    M(
        "demo.attainment",
        "{achieved} of {planned} goals achieved ({percent}%); unmet: {unmet}.",
    ),
    M("demo.intake", "eligible; the client is told which resources exist."),
    M("demo.contract_primary", "a primary contract for one year, all seven elements."),
    M(
        "demo.contract_preliminary",
        "a preliminary contract while the problem is assessed.",
    ),
    M(
        "demo.s1.engagement",
        "Andi's mother asks for help: Andi (15) left school a year ago.",
    ),
    M("demo.s1.intake", "eligible; school support and family counselling."),
    M("demo.s1.contract_refused", "drafted, but Andi does not accept it yet."),
    M("demo.s1.contract", "Andi accepts the revised contract."),
    M("demo.s1.assessment", "costs, lost papers and shame keep Andi out of school."),
    M(
        "demo.s1.plan",
        "five goals (g1-g5): papers, enrolment, PIP aid, attendance, counselling.",
    ),
    M(
        "demo.s1.activity_broker",
        "the worker brokers the papers and the PIP school aid.",
    ),
    M("demo.s1.activity_enabler", "family counselling sessions with Andi's mother."),
    M(
        "demo.s1.evaluation",
        "papers, aid and counselling done; the school refused Andi.",
    ),
    M(
        "demo.s1.replan_note",
        "Goals g2 and g4 unmet: the school refused mid-year enrolment; re-plan "
        "through the Paket B equivalency programme.",
    ),
    M(
        "demo.s1.plan2",
        "new plan: enrol Andi in Paket B (g2), attend for two months (g4).",
    ),
    M(
        "demo.s1.activity_advocate",
        "the worker advocates for Andi at the learning centre (PKBM).",
    ),
    M("demo.s1.evaluation2", "every goal of the new plan is achieved."),
    M(
        "demo.s1.termination_note",
        "All agreed goals achieved; Andi attends Paket B classes.",
    ),
    M("demo.s2.engagement", "the outreach team finds Rina (14) at a bus terminal."),
    M("demo.s2.assessment", "family conflict and trauma made Rina run from home."),
    M("demo.s2.plan", "two goals: Rina feels safe in the panti; she meets her mother."),
    M("demo.s2.activity", "individual counselling with Rina."),
    M(
        "demo.s2.termination_note",
        "Rina left the panti at night and did not come back; her family and "
        "the police were told.",
    ),
    M(
        "demo.s3.engagement",
        "the neighbourhood head asks for help for Budi (32), who has shut himself in.",
    ),
    M("demo.s3.assessment", "signs of a severe mental disorder, never treated."),
    M(
        "demo.s3.referral_to",
        "Regional psychiatric hospital (RSJ), outpatient psychiatry",
    ),
    M(
        "demo.s3.termination_note",
        "Budi needs psychiatric care first; the agency stays in touch with his mother.",
    ),
    M("demo.verifying", "Verifying the audit trail"),
    M("demo.try", "Try next:"),
    M(
        "help.serve",
        "Serve the HTTP API (JSON over HTTP, bearer tokens) on the configured "
        "database with uvicorn. Needs the http extra: pip install "
        "'helping-process[http]'. Several processes (--workers, or several hosts on "
        "one PostgreSQL database) are safe together.",
    ),
    M("help.serve.short", "Serve the HTTP API (needs the http extra)."),
    M("opt.host", "The address to listen on."),
    M("opt.port", "The TCP port to listen on."),
    M("opt.workers", "How many server processes to run."),
    M(
        "opt.token_ttl",
        "How many seconds a worker trusts a token it has checked: a token revoked "
        "elsewhere may still be accepted that long. 0 checks every request.",
    ),
    M(
        "serve.needs_extra",
        "The HTTP API needs the http extra: pip install 'helping-process[http]' "
        "({detail}).",
    ),
    M("help.staff", "Manage staff members' API tokens for the HTTP API."),
    M(
        "help.staff.token",
        "Issue an API token for staff member ID. The token is shown once and stored "
        "only as a hash; every command sent with it is recorded as ID's.",
    ),
    M(
        "help.staff.revoke",
        "Revoke staff member ID's API tokens (or only the one given with --token).",
    ),
    M("opt.token", "Revoke only this token."),
    M("staff.token_issued", "API token for {actor} (shown only now; keep it secret):"),
    P(
        "staff.revoked",
        "Revoked {count} API token of {actor}.",
        "Revoked {count} API tokens of {actor}.",
        "count",
    ),
    M("staff.blank_id", "The staff member's ID must not be blank."),
    M(
        "help.process.schema",
        "Print the JSON Schema (draft 2020-12) of a record kind, generated from the "
        "process definition: fields, types, codes, ranges, labels.",
    ),
    M(
        "help.process.template",
        "Print a fill-in JSON document of a record kind with every field, to edit and"
        " give to 'case record --file'.",
    ),
    M(
        "opt.process_ref",
        "The process definition (NAME@VERSION, or NAME for its newest). Default: the "
        "default definition.",
    ),
    M(
        "process.unknown_kind",
        "Process {ref} has no record kind {name}; it has: {kinds}.",
    ),
    M(
        "help.case.migrate",
        "Move a case to the rules of another process definition (a chained event; "
        "refused, naming each problem, when the case does not fit them).",
    ),
    M(
        "help.process.install",
        "Check a process definition file and store it in the database, so cases can "
        "be opened under it (another file under a stored name and version is "
        "refused).",
    ),
    M(
        "opt.process",
        "The process definition the case follows (NAME@VERSION, or NAME for its "
        "newest); the agency's default when not given.",
    ),
    M(
        "opt.default_process",
        "The process definition new cases follow (the agency's default).",
    ),
    M("opt.to", "The process definition to move the case to."),
    M("opt.migrate_note", "Why the case moves to other rules."),
    M("info.default_process", "new cases"),
    M("case.migrated", "Case {case_id} now follows {ref}."),
    M(
        "case.request_made",
        "Case {case_id}: the {command} awaits approval by a {approver} (request"
        " {request}); nothing has changed yet.",
    ),
    M(
        "case.request_approved",
        "Case {case_id}: request {request} approved and applied; the case is in"
        " {stage}.",
    ),
    M("case.request_rejected", "Case {case_id}: request {request} rejected."),
    M("pending.none", "No request awaits your approval."),
    M("requests.none", "No request of this case awaits approval."),
    M("pending.approver", "Approver"),
    M(
        "help.case.requests",
        "List the case's requests awaiting approval, and the role that approves each.",
    ),
    M("process.gates", "Needs approval:"),
    M("process.gate", "{what}: approved by a {approver}, not the requester"),
    M("pending.request", "Request"),
    M("pending.command", "Command"),
    M("pending.by", "Asked by"),
    M(
        "help.case.approve",
        "Approve a pending request of the case (its command takes effect now).\n\n"
        "The approver must not be the requester and must act in the role the"
        " process definition's gate names.",
    ),
    M(
        "help.case.reject",
        "Reject a pending request of the case; the requester may withdraw their own.",
    ),
    M(
        "help.case.pending",
        "List the requests that await your approval: those whose approving role you"
        " hold, not your own.",
    ),
    M("opt.approve_note", "The approver's note."),
    M("opt.reject_note", "Why the request is rejected or withdrawn."),
    M("process.installed", "Installed {ref} (digest {digest})."),
    M("process.already_installed", "{ref} is installed already (digest {digest})."),
    M(
        "help.staff.add",
        "Add staff member ID to the roster with one or more roles (worker, "
        "supervisor, auditor, admin). The first member of an empty roster must be an "
        "admin; after that only an active admin changes the roster, and every "
        "command's actor must be an active member.",
    ),
    M(
        "help.staff.set_role",
        "Replace staff member ID's roles (give --role once per role).",
    ),
    M(
        "help.staff.deactivate",
        "Deactivate staff member ID, with a note saying why: they may do nothing "
        "more, and stay on the roster and in every trail.",
    ),
    M(
        "help.staff.list",
        "List the staff roster: every member, their roles, active or not.",
    ),
    M("opt.staff_name", "The member's name."),
    M(
        "opt.staff_role",
        "A role the member holds: worker, supervisor, auditor or admin (repeat for "
        "several).",
    ),
    M("opt.staff_note", "Why the member is deactivated."),
    M(
        "staff.add",
        "Added {member} to the staff roster as {roles} (roster change {seq}).",
    ),
    M("staff.set_role", "{member} now holds {roles} (roster change {seq})."),
    M("staff.deactivate", "{member} is deactivated (roster change {seq})."),
    M("staff.empty", "The staff roster is empty: actors are not checked."),
    M("staff.active", "active"),
    M("staff.inactive", "inactive"),
    M("staff.blank_name", "The member's name must not be blank."),
    M("staff.blank_note", "The note must say why the member is deactivated."),
    M(
        "staff.token_not_member",
        "{member} is not an active member of the staff roster; no token is issued.",
    ),
    M(
        "help.audit.access",
        "List the access log: who read which case (or every case), when, and how "
        "(show, history, export, report). With CASE, the reads of that case and the "
        "reads of every case. The log is hash-chained and 'audit verify' checks it.",
    ),
    M("help.audit.access.short", "Who read which case, and when."),
    M("access.empty", "Nobody has read a case yet."),
    M("access.all", "(every case)"),
    M("info.actors", "actors"),
    M("info.actors.checked", "checked against the staff roster ({count} active)"),
    M("info.actors.unchecked", "not checked (the staff roster is empty)"),
    M(
        "help.case.assign",
        "Make another worker the case's worker of record (supervisor or admin), as a "
        "chained event. With --reason client_dislikes_worker the reassignment "
        "resolves that problem: the client keeps the service with another worker.",
    ),
    M("opt.assign_worker", "The staff id of the new worker of record."),
    M(
        "opt.assign_reason",
        "What the reassignment resolves: client_dislikes_worker.",
    ),
    M("opt.assign_note", "Why the case is reassigned."),
    M("case.assigned", "Case {case_id} is now assigned to {worker}."),
    M(
        "help.case.refer",
        "Record an outgoing referral to another organisation; the case goes on. "
        "Refused without the client's consent for referral ('case consent').",
    ),
    M("opt.refer_to", "The organisation the client is referred to."),
    M("opt.refer_note", "Why the client is referred."),
    M("case.referred", "Case {case_id} referred to {to} (event {seq})."),
    M(
        "help.case.transfer",
        "Hand a case, with its whole history, to another unit of the agency "
        "(supervisor or admin). The worker of record stays until the receiving "
        "unit assigns another.",
    ),
    M("opt.transfer_to", "The code of the receiving unit."),
    M("opt.transfer_note", "Why the case is transferred."),
    M("case.transferred", "Case {case_id} is now with unit {unit}."),
    M(
        "help.case.consent",
        "Record the client's consent for a purpose (services, data_sharing, "
        "referral), given or withdrawn, in any active stage.",
    ),
    M("opt.purpose", "What the consent is for: services, data_sharing or referral."),
    M("opt.given", "Whether the client gives or withdraws the consent."),
    M(
        "opt.consent_on",
        "The day (YYYY-MM-DD) the client gave or withdrew it; today by default.",
    ),
    M("case.consent_given", "Consent for {purpose} given on {on}, case {case_id}."),
    M(
        "case.consent_withdrawn",
        "Consent for {purpose} withdrawn on {on}, case {case_id}.",
    ),
    M("history.consent_given", "consent for {purpose} given on {on}"),
    M("history.consent_withdrawn", "consent for {purpose} withdrawn on {on}"),
    M("show.worker", "Worker of record: {worker}"),
    M("show.unit", "Unit: {unit}"),
    M("show.referral", "Latest referral: {to} (event {seq})"),
    M("show.consents", "Consent: {consents}"),
    M("show.given", "given"),
    M("show.withdrawn", "withdrawn"),
    M(
        "show.reassign_hint",
        "The client dislikes the worker? A supervisor can reassign the case instead "
        "of ending it: case assign CASE --worker ID --reason client_dislikes_worker.",
    ),
    M(
        "opt.for_sharing",
        "Export one case to share outside the agency: refused without the client's "
        "consent for data sharing.",
    ),
)
