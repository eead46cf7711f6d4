"""Indonesian and English labels for every code, requirement and message.

Codes are the persisted identifiers (``Stage.INTAKE == "intake"``); labels are
what people read. This module holds the English of each (the gettext message
id) and two lookups; the Indonesian is in the package's gettext catalog
(:mod:`helping_process._catalog`, ``docs/translating.md``). Keyed by plain
strings, so that every other module may use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Final
from typing import Literal

from helping_process._catalog import L
from helping_process._catalog import Labels
from helping_process._catalog import M
from helping_process._catalog import Messages
from helping_process._catalog import P

Language = Literal["en", "id"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "id")


_LABELS: Final = Labels(
    # stage
    L("stage.engagement", "Engagement"),
    L("stage.intake", "Intake"),
    L("stage.contract", "Contract"),
    L("stage.assessment", "Assessment"),
    L("stage.planning", "Planning"),
    L("stage.intervention", "Intervention"),
    L("stage.evaluation", "Evaluation"),
    L("stage.termination", "Termination"),
    # reason
    L("reason.goals_achieved", "Agreed goals achieved"),
    L("reason.no_meaningful_progress", "No further meaningful progress"),
    L("reason.client_request", "Client's own wish"),
    L("reason.no_suitable_service", "No suitable service for the client"),
    L("reason.service_available_elsewhere", "Service available elsewhere"),
    L("reason.not_eligible", "Candidate not eligible"),
    L("reason.beyond_agency_capacity", "Problem beyond the agency's capacity"),
    L("reason.client_dislikes_worker", "Client dislikes the worker"),
    L("reason.client_absconded", "Client ran away from the institution"),
    # sub_reason
    L("sub_reason.permanent_illness", "Permanent illness"),
    L("sub_reason.mental_disorder", "Mental disorder"),
    L("sub_reason.needs_other_discipline", "Needs another discipline"),
    L("sub_reason.emotional_involvement", "Emotional involvement"),
    L("sub_reason.personal_factors", "Personal factors"),
    L("sub_reason.dislikes_institutional_life", "Dislikes institutional life"),
    L("sub_reason.dissatisfied_with_services", "Dissatisfied with the services"),
    L("sub_reason.inadequate_facilities", "Inadequate facilities"),
    L("sub_reason.unfriendly_staff", "Unfriendly staff"),
    # role
    L("role.enabler", "Enabler"),
    L("role.broker", "Broker"),
    L("role.mediator", "Mediator"),
    L("role.advocate", "Advocate"),
    L("role.protector", "Protector"),
    L("role.educator", "Educator"),
    L("role.evaluator", "Evaluator"),
    L("role.case_manager", "Case manager"),
    # model
    L("model.induce", "Induce"),
    L("model.persuade", "Persuade"),
    L("model.direct_obedience", "Direct obedience"),
    L("model.coerce", "Coerce"),
    # referral_source
    L("referral_source.self", "Self"),
    L("referral_source.family", "Family"),
    L("referral_source.community", "Community"),
    L("referral_source.agency", "Agency"),
    L("referral_source.court", "Court"),
    L("referral_source.police", "Police"),
    L("referral_source.outreach", "Outreach"),
    L("referral_source.other", "Other"),
    # contract_kind
    L("contract_kind.preliminary", "Preliminary contract"),
    L("contract_kind.primary", "Primary contract"),
    L("contract_kind.secondary", "Secondary contract"),
    # record_kind
    L("record_kind.engagement", "Engagement record"),
    L("record_kind.intake", "Intake record"),
    L("record_kind.contract", "Contract"),
    L("record_kind.assessment", "Assessment"),
    L("record_kind.plan", "Intervention plan"),
    L("record_kind.activity", "Intervention activity"),
    L("record_kind.evaluation", "Evaluation"),
    # action
    L("action.open", "Opened"),
    L("action.record", "Record added"),
    L("action.move", "Moved"),
    L("action.terminate", "Terminated"),
    L("action.reopen", "Reopened"),
    L("action.redact", "Personal data redacted"),
    # actor_role
    L("actor_role.worker", "Social worker"),
    L("actor_role.supervisor", "Supervisor"),
    L("actor_role.administrator", "Administrator"),
    # requirement
    L(
        "requirement.engagement.record",
        "an engagement record (first contact, request, referral source)",
    ),
    L("requirement.intake.record", "an intake record"),
    L("requirement.intake.eligible", "the candidate found eligible at intake"),
    L("requirement.intake.resources_informed", "the client told which resources exist"),
    L("requirement.contract.record", "a preliminary or primary contract"),
    L("requirement.contract.consensual", "the contract agreed consensually"),
    L("requirement.contract.mutual_agreement", "mutual agreement on the contract"),
    L("requirement.contract.acceptance", "the contract accepted by the client"),
    L("requirement.contract.reciprocal", "reciprocal obligations in the contract"),
    L("requirement.contract.responsibilities", "the responsibilities of each party"),
    L("requirement.contract.tasks", "the tasks promised in the contract"),
    L(
        "requirement.contract.time_period",
        "the contract's time period (valid_from before valid_until)",
    ),
    L("requirement.contract.primary", "a primary contract"),
    L("requirement.contract.in_force", "a contract in force today"),
    L("requirement.assessment.record", "an assessment"),
    L("requirement.plan.record", "an intervention plan"),
    L("requirement.plan.goals", "at least one goal in the plan"),
    L("requirement.plan.objectives", "at least one objective for every goal"),
    L("requirement.plan.tasks", "at least one task for every objective"),
    L(
        "requirement.activity.record",
        "at least one intervention activity since entering intervention",
    ),
    L("requirement.evaluation.record", "an evaluation of the current plan"),
    L(
        "requirement.evaluation.goals_achieved",
        "an evaluation in which every planned goal is achieved",
    ),
    L(
        "requirement.evaluation.gas_scores",
        "a GAS score for every goal with a GAS scale",
    ),
    L("requirement.move.note", "a note saying why the case goes back"),
    L("requirement.termination.note", "a termination note"),
    L("requirement.termination.sub_reason", "a sub-reason for this termination reason"),
    L("requirement.termination.referral_to", "where the client is referred to"),
    L(
        "requirement.termination.reason",
        "a termination reason (use terminate, not move)",
    ),
    L("requirement.reopen.note", "a note saying why the case is reopened"),
    L(
        "requirement.case_conference.record",
        "a case conference record (temu bahas kasus)",
    ),
    L("requirement.resocialization.record", "a resocialization record"),
    L(
        "requirement.resocialization.family_prepared",
        "the family prepared to receive the client",
    ),
    L(
        "requirement.resocialization.community_prepared",
        "the community prepared to receive the client",
    ),
    L("requirement.aftercare_plan.record", "an aftercare plan"),
    L("requirement.aftercare.period_ended", "the aftercare period ended"),
    L("requirement.redact.note", "a note giving the lawful basis of the redaction"),
    # definition
    L("definition.duplicate_move", "has two moves to the same stage"),
    L("definition.ambiguous_trigger", "has one trigger leading to two stages"),
    L("definition.dead_end", "is a dead end"),
    L("definition.unreachable", "is unreachable from engagement"),
    L("definition.cannot_terminate", "cannot reach termination"),
    L("definition.never_allowed", "is never allowed"),
    L(
        "definition.allowed_without_termination",
        "is allowed in a stage that cannot terminate",
    ),
    L(
        "definition.termination_without_reason",
        "may terminate but allows no termination reason",
    ),
    L("definition.no_exit_rule", "has a forward move but no rule for leaving it"),
    L(
        "definition.planned_outside_evaluation",
        "is a planned termination allowed outside evaluation",
    ),
    # problem
    L("problem.missing", "is missing"),
    L("problem.blank", "must not be blank"),
    L("problem.too_long", "is too long"),
    L("problem.not_text", "must be text"),
    L("problem.not_request_number", "must be a request's number (1 or more)"),
    L("problem.not_bool", "must be true or false"),
    L("problem.not_date", "must be a date (YYYY-MM-DD)"),
    L("problem.not_datetime", "must be an ISO 8601 date and time with a time zone"),
    L("problem.not_list", "must be a list"),
    L("problem.not_object", "must be a JSON object"),
    L("problem.not_number", "must be a number"),
    L("problem.not_integer", "must be a whole number"),
    L("problem.empty", "must not be empty"),
    L("problem.unknown_code", "is not a known code"),
    L("problem.unknown_field", "is not a field of this record"),
    L("problem.duplicate", "repeats a value"),
    L(
        "problem.not_event_numbers",
        "must list earlier events by number, in increasing order",
    ),
    L("problem.out_of_range", "is out of range"),
    L("problem.unknown_goal", "names a goal that is not in the current plan"),
    L("problem.no_gas_scale", "scores a goal that has no GAS scale"),
    L("problem.future", "lies in the future"),
    L("problem.before_previous", "is earlier than the case's previous event"),
    L(
        "problem.not_receipt",
        "is not a seal receipt (the JSON file 'audit seal --receipt' writes)",
    ),
    L(
        "problem.receipt_digest",
        "has a digest that does not match its message and signature",
    ),
    L(
        "problem.receipt_signature",
        "has a signature that does not verify with its own public key",
    ),
    L("problem.receipt_other_key", "was made with another key than the one given"),
    L("problem.not_eligible", "must list the failed criteria only when not eligible"),
    L("problem.not_utc", "must carry a time zone"),
    L("problem.not_json", "is not valid JSON"),
    L("problem.not_cursor", "is not a cursor a page printed"),
    L("problem.not_utf8", "is not valid UTF-8 text"),
    L("problem.nul_character", "contains a NUL character"),
    L("problem.not_toml", "is not a valid TOML file"),
    L("problem.not_grouped", "are not grouped by case"),
    L("problem.not_in_order", "are not in the order of their sequence numbers"),
    L("problem.not_url", "is not a database URL"),
    L(
        "problem.unsupported_database",
        "names a database that is not supported (use sqlite or postgresql)",
    ),
    # integrity
    L("integrity.gap", "an event is missing before it"),
    L("integrity.duplicate", "its number repeats another's"),
    L("integrity.foreign_event", "the event belongs to another case"),
    L("integrity.opened_twice", "the case is opened twice"),
    L("integrity.not_opened", "the trail does not start by opening the case"),
    L("integrity.differs", "the event is not what its command gives"),
    L("integrity.incomplete", "the event lacks what its action needs"),
    L("integrity.empty", "the trail is empty"),
    L("integrity.snapshot", "the snapshot does not agree with the trail"),
    L("integrity.head_mismatch", "the case's head does not match its last event"),
    L("integrity.append_only", "events are never changed or deleted"),
    L("integrity.undecodable", "the stored event cannot be read"),
    L(
        "integrity.personal_edited",
        "its personal data does not match the chain's digest",
    ),
    L("reason.client_died", "The client died"),
    # the codes of residential social rehabilitation (rehsos-pp39)
    L("stage.resocialization", "Resocialization"),
    L("stage.aftercare", "Aftercare"),
    L("stage.closed", "Case closed"),
    L("reason.lost_contact", "Contact with the client lost"),
    L("record_kind.case_conference", "Case conference"),
    L("record_kind.resocialization", "Resocialization record"),
    L("record_kind.aftercare_plan", "Aftercare plan"),
    L("record_kind.follow_up", "Follow-up"),
    L("follow_up_mode.visit", "Visit"),
    L("follow_up_mode.phone", "Phone"),
    L("follow_up_mode.message", "Message"),
    L("action.migrate", "Moved to other rules"),
    L("requirement.migrate.note", "a note saying why the case moves to other rules"),
    L("action.assign", "Worker of record assigned"),
    L("action.refer", "Referred elsewhere"),
    L("action.transfer", "Transferred to another unit"),
    L("action.consent", "Consent recorded"),
    L("requirement.assign.note", "a note saying why the case is reassigned"),
    L(
        "requirement.assign.other_worker",
        "a worker other than the case's worker of record",
    ),
    L(
        "requirement.assign.worker_on_roster",
        "a worker who is an active worker or supervisor on the staff roster",
    ),
    L("requirement.refer.note", "a note saying why the client is referred"),
    L("requirement.transfer.note", "a note saying why the case is transferred"),
    L("requirement.transfer.other_unit", "a unit other than the case's own"),
    L(
        "requirement.case.active",
        "an episode in progress (the case is terminated; reopen it first)",
    ),
    L(
        "requirement.consent.referral",
        "the client's consent for referral, given and not withdrawn",
    ),
    L(
        "requirement.consent.data_sharing",
        "the client's consent for sharing data, given and not withdrawn",
    ),
    L("consent_purpose.services", "Services"),
    L("consent_purpose.data_sharing", "Data sharing"),
    L("consent_purpose.referral", "Referral"),
    L("assign_reason.client_dislikes_worker", "Client dislikes the worker"),
    L(
        "requirement.migrate.same_definition",
        "another definition than the one the case runs under",
    ),
    L("requirement.migrate.stage", "the case's stage in the target definition"),
    L(
        "requirement.migrate.record_kind",
        "records in force of kinds and fields the target definition has",
    ),
    L(
        "requirement.migrate.definition",
        "a target definition whose stages, reasons and records the engine runs",
    ),
    L(
        "problem.always_residential",
        "must be true: every case of this process lives in the institution",
    ),
    L(
        "integrity.definition_missing",
        "it pins a process definition that is not stored with the trail",
    ),
    L(
        "integrity.definition_forged",
        "a stored process definition does not hash to its digest",
    ),
    L("operation.open", "open a case"),
    L("operation.record", "add a record"),
    L("operation.move", "move a case"),
    L("operation.terminate", "terminate a case"),
    L("operation.reopen", "reopen a case"),
    L("operation.redact", "redact a case"),
    L("operation.show", "read a case"),
    L("operation.history", "read a case's history"),
    L("operation.export", "export the trail"),
    L("operation.report", "read the report"),
    L("operation.verify", "verify the trail"),
    L("operation.list", "list the cases"),
    L("operation.staff", "change the staff roster"),
    L("operation.approve", "approve or reject a request"),
    L("action.request", "Approval requested"),
    L("action.approve", "Request approved"),
    L("action.reject", "Request rejected"),
    L("requirement.approve.note", "a note on the approval"),
    L("requirement.reject.note", "a note saying why the request is rejected"),
    L("integrity.unapproved", "a gated command took effect without an approval"),
    L("integrity.approval_unapplied", "an approval is not followed by its command"),
    L("gate.terminate", "termination"),
    L("gate.coerce", "coercive activity"),
    L("gate.reopen", "reopening"),
    L("gate.migrate", "move to other rules"),
    L("gate.redact", "redaction"),
    L("operation.assign", "assign a case"),
    L("operation.refer", "refer a client"),
    L("operation.transfer", "transfer a case"),
    L("operation.consent", "record a consent"),
    L("staff_role.worker", "Worker"),
    L("staff_role.supervisor", "Supervisor"),
    L("staff_role.auditor", "Auditor"),
    L("staff_role.admin", "Admin"),
)

_MESSAGES: Final = Messages(
    M("error.generic", "helping_process failed."),
    M("error.definition", "The process definition is broken: {subject} {problem}."),
    M(
        "error.definition_invalid",
        "The process definition {source} has {count} problem(s): {problems}.",
    ),
    M(
        "error.unknown_definition",
        "There is no process definition {ref} (built in: {known}).",
    ),
    M("definition.not_toml", "the file is not valid TOML ({detail})"),
    M("definition.not_utf8", "the file is not UTF-8 text"),
    M("definition.wrong_type", "must be of type {expected}, not {actual}"),
    M("definition.not_allowed", "{given} is not allowed (allowed: {allowed})"),
    M("definition.blank", "must not be blank"),
    M("definition.bad_format", "'{given}' is not in the required form"),
    M("definition.too_small", "must be at least {minimum}"),
    M("definition.too_few", "needs at least {count} item(s)"),
    M("definition.missing_key", "is missing"),
    M("definition.missing_language", "the label in {language} is missing"),
    M("definition.unknown_key", "is not a key of the format"),
    M("definition.duplicate_code", "'{code}' is defined twice (first at {first})"),
    M("definition.unknown_stage", "unknown stage '{code}'"),
    M("definition.unknown_check", "unknown check '{code}'"),
    M("definition.unknown_rule", "unknown record rule '{code}'"),
    M("definition.unknown_code_list", "unknown code list '{code}'"),
    M("definition.field_needs", "a field of type {field_type} needs '{key}'"),
    M(
        "definition.not_extendable",
        "a definition that extends a built-in sets only name, version, label,"
        " description and gates",
    ),
    M(
        "definition.unknown_base",
        "'{given}' is not a built-in definition to extend (built in: {known})",
    ),
    M(
        "definition.gate_reasons_not_termination",
        "only a gate on terminate names reasons",
    ),
    M("definition.unknown_reason", "unknown termination reason '{code}'"),
    M(
        "definition.gate_no_coerce",
        "the definition has no intervention model 'coerce' to gate",
    ),
    M(
        "definition.duplicate_gate",
        "'{command}' is gated twice (first at {first})",
    ),
    M("definition.start_not_active", "the start stage '{code}' is not an active stage"),
    M(
        "definition.duplicate_move",
        "a second move of this kind from '{source}' to '{dest}' (first at {first})",
    ),
    M(
        "definition.termination_not_terminal",
        "a termination must end in a terminal stage, not '{code}'",
    ),
    M(
        "definition.reopen_not_terminal",
        "a reopen must leave a terminal stage, not '{code}'",
    ),
    M(
        "definition.unreachable",
        "stage '{code}' is unreachable from the start stage '{start}'",
    ),
    M("definition.no_way_out", "stage '{code}' is not terminal but has no way out"),
    M("definition.cannot_end", "from stage '{code}' no terminal stage can be reached"),
    M("definition.reason_nowhere", "reason '{code}' is allowed in no stage"),
    M(
        "definition.no_termination_move",
        "stage '{code}' has no {move_kind} termination move for this reason",
    ),
    M(
        "definition.termination_without_reason",
        "the {move_kind} termination from '{code}' has no reason allowed there",
    ),
    M("error.invalid_transition", "No legal move leads from {stage} to {target}."),
    M("error.requirements", "Cannot go from {stage} to {target}; missing: {missing}."),
    M("error.requirements_in_stage", "Not possible in {stage}; missing: {missing}."),
    M("error.record_not_allowed", "Cannot add {a_kind} while the case is in {stage}."),
    M(
        "error.termination_reason",
        "The termination reason '{reason}' is not allowed in {stage}.",
    ),
    M(
        "error.termination_sub_reason",
        "The sub-reason '{sub_reason}' does not belong to '{reason}'; its "
        "sub-reasons are: {allowed}.",
    ),
    M(
        "error.termination_no_sub_reason",
        "The termination reason '{reason}' takes no sub-reason ('{sub_reason}' "
        "was given).",
    ),
    M(
        "error.nothing_to_redact",
        "Case {case_id} holds no personal data left to redact; nothing was stored.",
    ),
    M("error.invalid_input", "{field} {problem}{value}."),
    M("error.record_invalid", "{kind}: the field '{field}' {problem}{value}."),
    M("error.record_problem", "{kind}: {problems}."),
    M("error.record_problems", "{kind}: {count} problems: {problems}."),
    M("error.record_field", "the field '{field}' {problem}{value}"),
    M("expect.codes", ", one of: {codes}"),
    M("expect.range", ", from {min} to {max}"),
    M("expect.above", ", above {min}"),
    M("expect.at_least", ", at least {min}"),
    M("expect.at_most", ", at most {max}"),
    M("expect.one_item", ", at least one item"),
    M("expect.items", ", at least {count} items"),
    M("expect.keys", ", the keys are {keys}"),
    M("error.unknown_case", "No case has the id {case_id}."),
    M(
        "error.concurrent_update",
        "Case {case_id} was changed by someone else (event {seq}); nothing was "
        "stored. Reload and try again.",
    ),
    M(
        "error.audit_integrity",
        "Audit trail of case {case_id} is broken at event {seq}: {finding}.",
    ),
    M(
        "error.driver_missing",
        "The database driver {module} is not installed; install it with: pip "
        "install '{extra}'",
    ),
    M("error.storage", "The database failed: {detail}"),
    M("finding.no_case", "events without a case"),
    M("finding.head_ahead", "the head says {head} events, the trail has {trail}"),
    M("finding.after_head", "events after the head's {head}"),
    M("finding.head_hash", "the head's hash differs from the last event's"),
    M("finding.no_trail_head", "entries without a head row"),
    M("finding.seq_gap", "a gap in seq"),
    M("finding.seq_repeated", "a repeated seq"),
    M("finding.seq_jump", "seq jumps to {seq}"),
    M("finding.cell", "its {table}.{column} cell is not of the column's type"),
    M("finding.column", "{table}.{column} differs from what the chain holds"),
    M("finding.hash_mismatch", "its hash does not match its bytes"),
    M("finding.out_of_order", "out of order"),
    M("finding.undecodable", "its body cannot be read"),
    M("finding.renumbered", "renumbered"),
    M("finding.forged", "a forged event"),
    M("finding.rehashed", "re-hashed to hide a change"),
    M("finding.personal_removed", "personal data removed without a redaction"),
    M("finding.personal_without_event", "personal data of no stored event"),
    M("finding.integrity", "{finding}"),
    M(
        "finding.snapshot_differs",
        "its snapshot differs from the case replayed up to it",
    ),
    M("finding.replay_differs", "the replayed case differs from its head"),
    M("finding.bad_signature", "the signature does not verify with this key"),
    M("finding.bad_root", "the sealed heads do not match the signed root"),
    M("finding.seal_before", "a seal before it is missing or changed"),
    M("finding.other_key", "it was signed with another key"),
    M("finding.seal_unreadable", "its signed message is not a seal of a known format"),
    M("finding.seal_missing", "the seal is missing"),
    M("finding.seals_missing", "seals {number} to {last} are missing"),
    M("finding.seal_number", "it is stored under another number than the one it signs"),
    M("finding.seal_leaves", "leaf rows it does not sign were added to it"),
    M("finding.seal_time", "the stored time differs from the signed one"),
    M(
        "finding.seal_key",
        "the stored public key differs from the key it verifies with",
    ),
    M("finding.receipt_missing", "the seal the receipt vouches for is missing"),
    M("finding.receipt_differs", "it differs from the seal the receipt vouches for"),
    M("finding.sealed", "sealed by seal {number}"),
    M(
        "sealing.checked",
        "Seals checked with the key {key}: {seals} seal(s), the newest seal "
        "{newest}, sealed at {sealed_at}.",
    ),
    M("sealing.none", "No seal to check with the key {key}."),
    M(
        "sealing.receipt",
        "A receipt of seal {receipt} kept off the machine was checked too.",
    ),
    M("finding.differs_from_seal", "differs from seal {number}"),
    P(
        "http.invalid",
        "The request is malformed ({count} problem); see errors.",
        "The request is malformed ({count} problems); see errors.",
        "count",
    ),
    M(
        "http.unauthorized",
        "An API token is needed: send 'Authorization: Bearer TOKEN' with a token from"
        " 'helping-process staff token'.",
    ),
    M("http.bad_token", "The API token is unknown or revoked."),
    M("http.forbidden", "Staff member {actor} may not do this."),
    M("http.not_found", "Nothing is at {path}."),
    M("http.method_not_allowed", "{method} is not allowed on {path}."),
    M(
        "http.precondition_failed",
        "Case {case_id} is at event {seq}, not at the version If-Match names "
        "({given}); read it again and decide anew.",
    ),
    M("http.unknown_kind", "Process {ref} has no record kind {kind}."),
    M("http.internal", "An internal error occurred; it has been logged."),
    M(
        "error.definition_not_runnable",
        "Cases cannot run under the process definition {ref} yet: the engine does not"
        " know {unknown}.",
    ),
    M(
        "error.definition_clash",
        "Another process definition is stored as {ref} (digest {stored}); a change is"
        " a new version ({given} refused).",
    ),
    M(
        "error.migration_refused",
        "Cannot move the case in {stage} to {ref}; missing: {missing}.",
    ),
    M("error.not_permitted", "{actor} may not {operation}."),
    M(
        "error.not_permitted.unknown_actor",
        "{actor} is not on the staff roster, so may not {operation} (an admin adds "
        "members with 'staff add').",
    ),
    M(
        "error.not_permitted.inactive_actor",
        "{actor} was deactivated on the staff roster and may no longer {operation}.",
    ),
    M(
        "error.not_permitted.role_not_held",
        "{actor} does not hold the role declared; the roster gives them: {roles}.",
    ),
    M(
        "error.not_permitted.not_permitted",
        "{actor} ({roles}) may not {operation}; see 'Who may do what'.",
    ),
    M("error.approval", "Request {request} of case {case_id} cannot be decided."),
    M(
        "error.approval.not_pending",
        "Case {case_id} has no request {request} awaiting approval (see 'case"
        " pending').",
    ),
    M(
        "error.approval.self_approval",
        "Request {request} of case {case_id} is your own: someone else must approve"
        " it.",
    ),
    M(
        "error.approval.role_not_held",
        "Request {request} of case {case_id} is approved by a {approver}; act in that"
        " role (--role {approver}).",
    ),
    M(
        "error.not_permitted.not_assigned",
        "{actor} may not {operation}: the case's worker of record is {assigned}; only"
        " they or a supervisor may (a supervisor reassigns it with 'case assign').",
    ),
    M("error.roster", "The roster change for {member} is refused."),
    M(
        "error.roster.first_not_admin",
        "The roster is empty, so its first member ({member}) must be an admin (role "
        "'admin'), who can then add the others.",
    ),
    M(
        "error.roster.member_exists",
        "{member} is already on the roster (use 'staff set-role').",
    ),
    M("error.roster.unknown_member", "{member} is not on the staff roster."),
    M("error.roster.member_inactive", "{member} is already deactivated."),
    M(
        "error.roster.last_admin",
        "{member} is the roster's last active admin; add another admin first.",
    ),
    M("finding.chain_link", "its prev_hash is not the hash of the entry before"),
    M("finding.chain_hash", "its hash does not match its bytes"),
)

#: How each message parameter is turned into words before formatting.
_PARAM_NAMESPACES: Final[Mapping[str, str]] = {
    "stage": "stage",
    "target": "stage",
    "reason": "reason",
    "sub_reason": "sub_reason",
    "kind": "record_kind",
    "problem": "problem",
    "finding": "integrity",
    "operation": "operation",
}
#: Templates whose ``problem`` parameter names a definition problem.
_DEFINITION_TEMPLATE: Final = "error.definition"

_MAX_VALUE_SHOWN: Final = 40


def label(namespace: str, code: str, lang: Language = "en") -> str:
    """Return the label of a code, or the code itself when it has none.

    Args:
        namespace: ``stage``, ``reason``, ``sub_reason``, ``role``, ``model``,
            ``referral_source``, ``contract_kind``, ``record_kind``, ``action``,
            ``actor_role``, ``requirement``, ``problem`` or ``integrity``.
        code: the persisted code, e.g. ``"intake"``.
        lang: ``"en"`` or ``"id"``.
    """
    text = _LABELS.label(namespace, str(code), lang)
    return str(code) if text is None else text


def codes(namespace: str) -> tuple[str, ...]:
    """Return every code that has a label in ``namespace``."""
    return _LABELS.codes(namespace)


def render(template: str, lang: Language, params: Mapping[str, object]) -> str:
    """Render a message template with its parameters turned into words.

    Codes become labels; a list of missing requirements becomes their labels
    with the stable id in brackets, so people and software read the same line.
    """
    words: dict[str, object] = {}
    for key, value in params.items():
        if key == "missing" and isinstance(value, Sequence):
            words[key] = "; ".join(
                f"{label('requirement', str(item), lang)} [{item}]" for item in value
            )
        elif key == "value":
            words[key] = _show_value(value)
        elif key == "problem" and template == _DEFINITION_TEMPLATE:
            words[key] = label("definition", str(value), lang)
        elif key in _PARAM_NAMESPACES and value is not None:
            words[key] = label(_PARAM_NAMESPACES[key], str(value), lang)
        else:
            words[key] = value
    if lang == "en" and isinstance(words.get("kind"), str):
        words["a_kind"] = with_article(str(words["kind"]))
    return _MESSAGES.template(template, lang, words).format(**words)


def with_article(text: str) -> str:
    """Return an English label as a noun phrase: ``an intervention plan``.

    The article follows the sound of the first letter (``a contract``, ``an
    evaluation``); the label's capital is lowered unless the word is an
    abbreviation (``a GAS score``). Indonesian has no articles.
    """
    if not text:
        return text
    first_word = text.split(maxsplit=1)[0]
    if not first_word.isupper():
        text = text[0].lower() + text[1:]
    article = "an" if text[0].lower() in "aeiou" else "a"
    return f"{article} {text}"


def _show_value(value: object) -> str:
    """Quote an offending value briefly, or nothing when there is none."""
    if value is None:
        return ""
    shown = repr(value)
    if len(shown) > _MAX_VALUE_SHOWN:
        shown = shown[: _MAX_VALUE_SHOWN - 1] + "…"
    return f" ({shown})"
