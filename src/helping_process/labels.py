"""Indonesian and English labels for every code, requirement and message.

Codes are the persisted identifiers (``Stage.INTAKE == "intake"``); labels are
what people read. This module is pure data plus two lookups, keyed by plain
strings so that every other module may use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Final
from typing import Literal

Language = Literal["en", "id"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "id")

_Table = Mapping[str, tuple[str, str]]

_LABELS: Final[Mapping[str, _Table]] = {
    "operation": {
        "open": ("open a case", "membuka kasus"),
        "record": ("add a record", "menambah catatan"),
        "move": ("move a case", "memindahkan kasus"),
        "terminate": ("terminate a case", "mengakhiri kasus (terminasi)"),
        "reopen": ("reopen a case", "membuka kembali kasus"),
        "redact": ("redact a case", "meredaksi kasus"),
        "show": ("read a case", "membaca kasus"),
        "history": ("read a case's history", "membaca riwayat kasus"),
        "export": ("export the trail", "mengekspor jejak audit"),
        "report": ("read the report", "membaca laporan"),
        "verify": ("verify the trail", "memverifikasi jejak audit"),
        "list": ("list the cases", "melihat daftar kasus"),
        "staff": ("change the staff roster", "mengubah daftar petugas"),
    },
    "staff_role": {
        "worker": ("Worker", "Pekerja sosial"),
        "supervisor": ("Supervisor", "Penyelia"),
        "auditor": ("Auditor", "Auditor"),
        "admin": ("Admin", "Admin"),
    },
    "stage": {
        "engagement": ("Engagement", "Engagement (kontak awal)"),
        "intake": ("Intake", "Intake (penerimaan)"),
        "contract": ("Contract", "Kontrak"),
        "assessment": (
            "Assessment",
            "Asesmen (pengungkapan dan pemahaman masalah)",
        ),
        "planning": ("Planning", "Perencanaan (rencana intervensi)"),
        "intervention": ("Intervention", "Intervensi"),
        "evaluation": ("Evaluation", "Evaluasi"),
        "termination": ("Termination", "Terminasi"),
    },
    "reason": {
        "goals_achieved": (
            "Agreed goals achieved",
            "Tujuan yang disepakati telah dicapai",
        ),
        "no_meaningful_progress": (
            "No further meaningful progress",
            "Tidak ada lagi kemajuan berarti",
        ),
        "client_request": ("Client's own wish", "Atas kemauan klien"),
        "no_suitable_service": (
            "No suitable service for the client",
            "Ketiadaan pelayanan yang sesuai",
        ),
        "service_available_elsewhere": (
            "Service available elsewhere",
            "Pelayanan di tempat lain telah tersedia",
        ),
        "not_eligible": (
            "Candidate not eligible",
            "Calon klien tidak memenuhi persyaratan",
        ),
        "beyond_agency_capacity": (
            "Problem beyond the agency's capacity",
            "Masalah di luar kemampuan lembaga",
        ),
        "client_dislikes_worker": (
            "Client dislikes the worker",
            "Klien tidak suka kepada pekerja sosial",
        ),
        "client_absconded": (
            "Client ran away from the institution",
            "Klien kabur dari panti",
        ),
    },
    "sub_reason": {
        "permanent_illness": ("Permanent illness", "Penyakit permanen"),
        "mental_disorder": ("Mental disorder", "Gangguan jiwa"),
        "needs_other_discipline": (
            "Needs another discipline",
            "Memerlukan penanganan disiplin lain",
        ),
        "emotional_involvement": (
            "Emotional involvement",
            "Keterlibatan emosional",
        ),
        "personal_factors": ("Personal factors", "Faktor pribadi"),
        "dislikes_institutional_life": (
            "Dislikes institutional life",
            "Tidak betah dengan kehidupan panti",
        ),
        "dissatisfied_with_services": (
            "Dissatisfied with the services",
            "Tidak puas dengan pelayanan",
        ),
        "inadequate_facilities": (
            "Inadequate facilities",
            "Fasilitas tidak memadai",
        ),
        "unfriendly_staff": ("Unfriendly staff", "Petugas tidak ramah"),
    },
    "role": {
        "enabler": ("Enabler", "Fasilitator (pemungkin)"),
        "broker": ("Broker", "Penghubung (broker)"),
        "mediator": ("Mediator", "Perantara (mediator)"),
        "advocate": ("Advocate", "Pembela (advokat)"),
        "protector": ("Protector", "Pelindung"),
        "educator": ("Educator", "Penyalur informasi (pendidik)"),
        "evaluator": ("Evaluator", "Evaluator (penilai)"),
        "case_manager": ("Case manager", "Manajer kasus (koordinator)"),
    },
    "model": {
        "induce": ("Induce", "Membujuk (induce)"),
        "persuade": ("Persuade", "Meyakinkan (persuade)"),
        "direct_obedience": ("Direct obedience", "Kepatuhan langsung"),
        "coerce": ("Coerce", "Paksaan (coerce)"),
    },
    "referral_source": {
        "self": ("Self", "Datang sendiri"),
        "family": ("Family", "Keluarga"),
        "community": ("Community", "Masyarakat"),
        "agency": ("Agency", "Lembaga"),
        "court": ("Court", "Pengadilan"),
        "police": ("Police", "Kepolisian"),
        "outreach": ("Outreach", "Penjangkauan"),
        "other": ("Other", "Lainnya"),
    },
    "contract_kind": {
        "preliminary": ("Preliminary contract", "Kontrak awal"),
        "primary": ("Primary contract", "Kontrak utama"),
        "secondary": ("Secondary contract", "Kontrak sekunder"),
    },
    "record_kind": {
        "engagement": ("Engagement record", "Catatan kontak awal"),
        "intake": ("Intake record", "Catatan penerimaan"),
        "contract": ("Contract", "Kontrak"),
        "assessment": ("Assessment", "Asesmen"),
        "plan": ("Intervention plan", "Rencana intervensi"),
        "activity": ("Intervention activity", "Kegiatan intervensi"),
        "evaluation": ("Evaluation", "Evaluasi"),
    },
    "action": {
        "open": ("Opened", "Dibuka"),
        "record": ("Record added", "Catatan ditambahkan"),
        "move": ("Moved", "Berpindah tahap"),
        "terminate": ("Terminated", "Diterminasi"),
        "reopen": ("Reopened", "Dibuka kembali"),
        "redact": ("Personal data redacted", "Data pribadi dihapus"),
    },
    "actor_role": {
        "worker": ("Social worker", "Pekerja sosial"),
        "supervisor": ("Supervisor", "Supervisor"),
        "administrator": ("Administrator", "Administrator"),
    },
    "requirement": {
        "engagement.record": (
            "an engagement record (first contact, request, referral source)",
            "catatan kontak awal (kontak pertama, permintaan, sumber rujukan)",
        ),
        "intake.record": (
            "an intake record",
            "catatan penerimaan (intake)",
        ),
        "intake.eligible": (
            "the candidate found eligible at intake",
            "calon klien dinyatakan memenuhi persyaratan",
        ),
        "intake.resources_informed": (
            "the client told which resources exist",
            "klien sudah diberi informasi tentang sumber yang tersedia",
        ),
        "contract.record": (
            "a preliminary or primary contract",
            "kontrak awal atau kontrak utama",
        ),
        "contract.consensual": (
            "the contract agreed consensually",
            "kontrak disepakati secara konsensual",
        ),
        "contract.mutual_agreement": (
            "mutual agreement on the contract",
            "kesepakatan bersama atas kontrak",
        ),
        "contract.acceptance": (
            "the contract accepted by the client",
            "kontrak diterima oleh klien",
        ),
        "contract.reciprocal": (
            "reciprocal obligations in the contract",
            "kewajiban timbal balik dalam kontrak",
        ),
        "contract.responsibilities": (
            "the responsibilities of each party",
            "tanggung jawab masing-masing pihak",
        ),
        "contract.tasks": (
            "the tasks promised in the contract",
            "tugas yang dijanjikan dalam kontrak",
        ),
        "contract.time_period": (
            "the contract's time period (valid_from before valid_until)",
            "jangka waktu kontrak (valid_from sebelum valid_until)",
        ),
        "contract.primary": (
            "a primary contract",
            "kontrak utama",
        ),
        "contract.in_force": (
            "a contract in force today",
            "kontrak yang masih berlaku hari ini",
        ),
        "assessment.record": (
            "an assessment",
            "asesmen",
        ),
        "plan.record": (
            "an intervention plan",
            "rencana intervensi",
        ),
        "plan.goals": (
            "at least one goal in the plan",
            "setidaknya satu tujuan dalam rencana",
        ),
        "plan.objectives": (
            "at least one objective for every goal",
            "setidaknya satu sasaran untuk setiap tujuan",
        ),
        "plan.tasks": (
            "at least one task for every objective",
            "setidaknya satu tugas untuk setiap sasaran",
        ),
        "activity.record": (
            "at least one intervention activity since entering intervention",
            "setidaknya satu kegiatan intervensi sejak masuk tahap intervensi",
        ),
        "evaluation.record": (
            "an evaluation of the current plan",
            "evaluasi atas rencana yang berlaku",
        ),
        "evaluation.goals_achieved": (
            "an evaluation in which every planned goal is achieved",
            "evaluasi yang menunjukkan semua tujuan tercapai",
        ),
        "evaluation.gas_scores": (
            "a GAS score for every goal with a GAS scale",
            "skor GAS untuk setiap tujuan yang memiliki skala GAS",
        ),
        "move.note": (
            "a note saying why the case goes back",
            "catatan alasan kasus kembali ke tahap sebelumnya",
        ),
        "termination.note": (
            "a termination note",
            "catatan terminasi",
        ),
        "termination.sub_reason": (
            "a sub-reason for this termination reason",
            "sub-alasan untuk alasan terminasi ini",
        ),
        "termination.referral_to": (
            "where the client is referred to",
            "tujuan rujukan klien",
        ),
        "termination.reason": (
            "a termination reason (use terminate, not move)",
            "alasan terminasi (gunakan terminate, bukan move)",
        ),
        "reopen.note": (
            "a note saying why the case is reopened",
            "catatan alasan kasus dibuka kembali",
        ),
        "case_conference.record": (
            "a case conference record (temu bahas kasus)",
            "catatan temu bahas kasus",
        ),
        "resocialization.record": (
            "a resocialization record",
            "catatan resosialisasi",
        ),
        "resocialization.family_prepared": (
            "the family prepared to receive the client",
            "keluarga siap menerima klien kembali",
        ),
        "resocialization.community_prepared": (
            "the community prepared to receive the client",
            "masyarakat siap menerima klien kembali",
        ),
        "aftercare_plan.record": (
            "an aftercare plan",
            "rencana bimbingan lanjut",
        ),
        "aftercare.period_ended": (
            "the aftercare period ended",
            "masa bimbingan lanjut telah berakhir",
        ),
        "redact.note": (
            "a note giving the lawful basis of the redaction",
            "catatan dasar hukum penghapusan data",
        ),
    },
    "definition": {
        "duplicate_move": (
            "has two moves to the same stage",
            "punya dua perpindahan ke tahap yang sama",
        ),
        "ambiguous_trigger": (
            "has one trigger leading to two stages",
            "punya satu pemicu ke dua tahap",
        ),
        "dead_end": ("is a dead end", "adalah jalan buntu"),
        "unreachable": (
            "is unreachable from engagement",
            "tidak dapat dicapai dari engagement",
        ),
        "cannot_terminate": (
            "cannot reach termination",
            "tidak dapat mencapai terminasi",
        ),
        "never_allowed": ("is never allowed", "tidak pernah diizinkan"),
        "allowed_without_termination": (
            "is allowed in a stage that cannot terminate",
            "diizinkan pada tahap yang tidak dapat diterminasi",
        ),
        "termination_without_reason": (
            "may terminate but allows no termination reason",
            "dapat diterminasi tetapi tanpa alasan terminasi yang diizinkan",
        ),
        "no_exit_rule": (
            "has a forward move but no rule for leaving it",
            "punya perpindahan maju tetapi tanpa aturan untuk meninggalkannya",
        ),
        "planned_outside_evaluation": (
            "is a planned termination allowed outside evaluation",
            "adalah terminasi terencana yang diizinkan di luar tahap evaluasi",
        ),
    },
    "problem": {
        "missing": ("is missing", "tidak ada"),
        "blank": ("must not be blank", "tidak boleh kosong"),
        "too_long": ("is too long", "terlalu panjang"),
        "not_text": ("must be text", "harus berupa teks"),
        "not_bool": ("must be true or false", "harus true atau false"),
        "not_date": (
            "must be a date (YYYY-MM-DD)",
            "harus berupa tanggal (YYYY-MM-DD)",
        ),
        "not_datetime": (
            "must be an ISO 8601 date and time with a time zone",
            "harus berupa tanggal dan waktu ISO 8601 dengan zona waktu",
        ),
        "not_list": ("must be a list", "harus berupa daftar"),
        "not_object": ("must be a JSON object", "harus berupa objek JSON"),
        "not_number": ("must be a number", "harus berupa angka"),
        "not_integer": ("must be a whole number", "harus berupa bilangan bulat"),
        "empty": ("must not be empty", "tidak boleh kosong"),
        "unknown_code": ("is not a known code", "bukan kode yang dikenal"),
        "unknown_field": ("is not a field of this record", "bukan isian catatan ini"),
        "duplicate": ("repeats a value", "berisi nilai ganda"),
        "not_event_numbers": (
            "must list earlier events by number, in increasing order",
            "harus berisi nomor peristiwa sebelumnya, berurutan naik",
        ),
        "out_of_range": ("is out of range", "di luar rentang yang diizinkan"),
        "unknown_goal": (
            "names a goal that is not in the current plan",
            "menyebut tujuan yang tidak ada dalam rencana yang berlaku",
        ),
        "no_gas_scale": (
            "scores a goal that has no GAS scale",
            "memberi skor pada tujuan tanpa skala GAS",
        ),
        "future": ("lies in the future", "berada di masa depan"),
        "before_previous": (
            "is earlier than the case's previous event",
            "lebih awal daripada peristiwa kasus sebelumnya",
        ),
        "not_receipt": (
            "is not a seal receipt (the JSON file 'audit seal --receipt' writes)",
            "bukan tanda terima segel (berkas JSON yang ditulis "
            "'audit seal --receipt')",
        ),
        "receipt_digest": (
            "has a digest that does not match its message and signature",
            "memiliki digest yang tidak cocok dengan pesan dan tanda tangannya",
        ),
        "receipt_signature": (
            "has a signature that does not verify with its own public key",
            "memiliki tanda tangan yang tidak cocok dengan kunci publiknya sendiri",
        ),
        "receipt_other_key": (
            "was made with another key than the one given",
            "dibuat dengan kunci lain, bukan kunci yang diberikan",
        ),
        "not_eligible": (
            "must list the failed criteria only when not eligible",
            "kriteria yang tidak terpenuhi hanya diisi bila tidak memenuhi syarat",
        ),
        "not_utc": ("must carry a time zone", "harus memiliki zona waktu"),
        "not_json": ("is not valid JSON", "bukan JSON yang sah"),
        "not_utf8": ("is not valid UTF-8 text", "bukan teks UTF-8 yang sah"),
        "nul_character": ("contains a NUL character", "berisi karakter NUL"),
        "not_toml": ("is not a valid TOML file", "bukan berkas TOML yang sah"),
        "not_grouped": (
            "are not grouped by case",
            "tidak dikelompokkan menurut kasus",
        ),
        "not_in_order": (
            "are not in the order of their sequence numbers",
            "tidak urut menurut nomor urutnya",
        ),
        "not_url": ("is not a database URL", "bukan URL basis data"),
        "unsupported_database": (
            "names a database that is not supported (use sqlite or postgresql)",
            "menyebut basis data yang tidak didukung (gunakan sqlite atau postgresql)",
        ),
    },
    "integrity": {
        "gap": (
            "an event is missing before it",
            "ada peristiwa yang hilang sebelumnya",
        ),
        "duplicate": ("its number repeats another's", "nomornya sama dengan yang lain"),
        "foreign_event": (
            "the event belongs to another case",
            "peristiwa itu milik kasus lain",
        ),
        "opened_twice": ("the case is opened twice", "kasus dibuka dua kali"),
        "not_opened": (
            "the trail does not start by opening the case",
            "jejak tidak diawali dengan pembukaan kasus",
        ),
        "differs": (
            "the event is not what its command gives",
            "peristiwa tidak sesuai dengan hasil perintahnya",
        ),
        "incomplete": (
            "the event lacks what its action needs",
            "peristiwa tidak lengkap",
        ),
        "empty": ("the trail is empty", "jejak kosong"),
        "snapshot": (
            "the snapshot does not agree with the trail",
            "snapshot tidak sesuai dengan jejak audit",
        ),
        "head_mismatch": (
            "the case's head does not match its last event",
            "kepala kasus tidak cocok dengan peristiwa terakhirnya",
        ),
        "append_only": (
            "events are never changed or deleted",
            "peristiwa tidak pernah diubah atau dihapus",
        ),
        "undecodable": (
            "the stored event cannot be read",
            "peristiwa yang tersimpan tidak dapat dibaca",
        ),
        "personal_edited": (
            "its personal data does not match the chain's digest",
            "data pribadinya tidak cocok dengan digest pada rantai",
        ),
    },
}

_MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    "error.generic": ("helping_process failed.", "helping_process gagal."),
    "error.definition": (
        "The process definition is broken: {subject} {problem}.",
        "Definisi proses rusak: {subject} {problem}.",
    ),
    "error.definition_invalid": (
        "The process definition {source} has {count} problem(s): {problems}.",
        "Definisi proses {source} memiliki {count} masalah: {problems}.",
    ),
    "error.unknown_definition": (
        "There is no process definition {ref} (built in: {known}).",
        "Tidak ada definisi proses {ref} (bawaan: {known}).",
    ),
    "definition.not_toml": (
        "the file is not valid TOML ({detail})",
        "berkas bukan TOML yang sah ({detail})",
    ),
    "definition.not_utf8": (
        "the file is not UTF-8 text",
        "berkas bukan teks UTF-8",
    ),
    "definition.wrong_type": (
        "must be of type {expected}, not {actual}",
        "harus bertipe {expected}, bukan {actual}",
    ),
    "definition.not_allowed": (
        "{given} is not allowed (allowed: {allowed})",
        "{given} tidak diizinkan (yang diizinkan: {allowed})",
    ),
    "definition.blank": ("must not be blank", "tidak boleh kosong"),
    "definition.bad_format": (
        "'{given}' is not in the required form",
        "'{given}' tidak sesuai bentuk yang diwajibkan",
    ),
    "definition.too_small": (
        "must be at least {minimum}",
        "paling kecil {minimum}",
    ),
    "definition.too_few": (
        "needs at least {count} item(s)",
        "perlu paling sedikit {count} butir",
    ),
    "definition.missing_key": ("is missing", "tidak ada"),
    "definition.missing_language": (
        "the label in {language} is missing",
        "label dalam bahasa {language} tidak ada",
    ),
    "definition.unknown_key": (
        "is not a key of the format",
        "bukan kunci yang dikenal format ini",
    ),
    "definition.duplicate_code": (
        "'{code}' is defined twice (first at {first})",
        "'{code}' didefinisikan dua kali (pertama di {first})",
    ),
    "definition.unknown_stage": (
        "unknown stage '{code}'",
        "tahap '{code}' tidak dikenal",
    ),
    "definition.unknown_check": (
        "unknown check '{code}'",
        "pemeriksaan '{code}' tidak dikenal",
    ),
    "definition.unknown_rule": (
        "unknown record rule '{code}'",
        "aturan catatan '{code}' tidak dikenal",
    ),
    "definition.unknown_code_list": (
        "unknown code list '{code}'",
        "daftar kode '{code}' tidak dikenal",
    ),
    "definition.field_needs": (
        "a field of type {field_type} needs '{key}'",
        "isian bertipe {field_type} memerlukan '{key}'",
    ),
    "definition.start_not_active": (
        "the start stage '{code}' is not an active stage",
        "tahap awal '{code}' bukan tahap aktif",
    ),
    "definition.duplicate_move": (
        "a second move of this kind from '{source}' to '{dest}' (first at {first})",
        "perpindahan kedua jenis ini dari '{source}' ke '{dest}' (pertama di {first})",
    ),
    "definition.termination_not_terminal": (
        "a termination must end in a terminal stage, not '{code}'",
        "terminasi harus berakhir di tahap akhir, bukan '{code}'",
    ),
    "definition.reopen_not_terminal": (
        "a reopen must leave a terminal stage, not '{code}'",
        "pembukaan kembali harus dari tahap akhir, bukan '{code}'",
    ),
    "definition.unreachable": (
        "stage '{code}' is unreachable from the start stage '{start}'",
        "tahap '{code}' tidak dapat dicapai dari tahap awal '{start}'",
    ),
    "definition.no_way_out": (
        "stage '{code}' is not terminal but has no way out",
        "tahap '{code}' bukan tahap akhir tetapi tidak punya jalan keluar",
    ),
    "definition.cannot_end": (
        "from stage '{code}' no terminal stage can be reached",
        "dari tahap '{code}' tidak ada tahap akhir yang dapat dicapai",
    ),
    "definition.reason_nowhere": (
        "reason '{code}' is allowed in no stage",
        "alasan '{code}' tidak diizinkan di tahap mana pun",
    ),
    "definition.no_termination_move": (
        "stage '{code}' has no {move_kind} termination move for this reason",
        "tahap '{code}' tidak punya perpindahan terminasi {move_kind} untuk alasan ini",
    ),
    "definition.termination_without_reason": (
        "the {move_kind} termination from '{code}' has no reason allowed there",
        "terminasi {move_kind} dari '{code}' tidak punya alasan yang diizinkan di sana",
    ),
    "error.invalid_transition": (
        "No legal move leads from {stage} to {target}.",
        "Tidak ada perpindahan yang sah dari {stage} ke {target}.",
    ),
    "error.requirements": (
        "Cannot go from {stage} to {target}; missing: {missing}.",
        "Tidak dapat berpindah dari {stage} ke {target}; belum ada: {missing}.",
    ),
    "error.requirements_in_stage": (
        "Not possible in {stage}; missing: {missing}.",
        "Tidak dapat dilakukan pada tahap {stage}; belum ada: {missing}.",
    ),
    "error.record_not_allowed": (
        "Cannot add {a_kind} while the case is in {stage}.",
        "{kind} tidak dapat ditambahkan selama kasus berada di tahap {stage}.",
    ),
    "error.termination_reason": (
        "The termination reason '{reason}' is not allowed in {stage}.",
        "Alasan terminasi '{reason}' tidak diizinkan pada tahap {stage}.",
    ),
    "error.termination_sub_reason": (
        "The sub-reason '{sub_reason}' does not belong to '{reason}'.",
        "Sub-alasan '{sub_reason}' bukan bagian dari '{reason}'.",
    ),
    "error.nothing_to_redact": (
        "Case {case_id} holds no personal data left to redact; nothing was stored.",
        "Kasus {case_id} tidak menyimpan data pribadi lagi yang dapat dihapus; "
        "tidak ada yang disimpan.",
    ),
    "error.invalid_input": (
        "{field} {problem}{value}.",
        "{field} {problem}{value}.",
    ),
    "error.record_invalid": (
        "{kind}: the field '{field}' {problem}{value}.",
        "{kind}: isian '{field}' {problem}{value}.",
    ),
    "error.unknown_case": (
        "No case has the id {case_id}.",
        "Tidak ada kasus dengan id {case_id}.",
    ),
    "error.concurrent_update": (
        "Case {case_id} was changed by someone else (event {seq}); "
        "nothing was stored. Reload and try again.",
        "Kasus {case_id} sudah diubah orang lain (peristiwa {seq}); "
        "tidak ada yang disimpan. Muat ulang lalu coba lagi.",
    ),
    "error.audit_integrity": (
        "Audit trail of case {case_id} is broken at event {seq}: {finding}.",
        "Jejak audit kasus {case_id} rusak pada peristiwa {seq}: {finding}.",
    ),
    "error.driver_missing": (
        "The database driver {module} is not installed; install it with: "
        "pip install '{extra}'",
        "Driver basis data {module} belum terpasang; pasang dengan: "
        "pip install '{extra}'",
    ),
    "error.storage": (
        "The database failed: {detail}",
        "Basis data gagal: {detail}",
    ),
    "error.not_permitted": (
        "{actor} may not {operation}.",
        "{actor} tidak boleh {operation}.",
    ),
    "error.not_permitted.unknown_actor": (
        "{actor} is not on the staff roster, so may not {operation}"
        " (an admin adds members with 'staff add').",
        "{actor} tidak ada dalam daftar petugas, jadi tidak boleh"
        " {operation} (admin menambah petugas dengan 'staff add').",
    ),
    "error.not_permitted.inactive_actor": (
        "{actor} was deactivated on the staff roster and may no longer {operation}.",
        "{actor} sudah dinonaktifkan dalam daftar petugas dan tidak boleh"
        " lagi {operation}.",
    ),
    "error.not_permitted.role_not_held": (
        "{actor} does not hold the role declared; the roster gives them: {roles}.",
        "{actor} tidak memegang peran yang dinyatakan; menurut daftar"
        " petugas perannya: {roles}.",
    ),
    "error.not_permitted.not_permitted": (
        "{actor} ({roles}) may not {operation}; see 'Who may do what'.",
        "{actor} ({roles}) tidak berwenang {operation};"
        " lihat 'Siapa boleh melakukan apa'.",
    ),
    "error.roster": (
        "The roster change for {member} is refused.",
        "Perubahan daftar petugas untuk {member} ditolak.",
    ),
    "error.roster.first_not_admin": (
        "The roster is empty, so its first member ({member}) must be an"
        " admin (role 'admin'), who can then add the others.",
        "Daftar petugas masih kosong, jadi petugas pertamanya ({member})"
        " harus admin (peran 'admin'), yang lalu dapat menambah yang lain.",
    ),
    "error.roster.member_exists": (
        "{member} is already on the roster (use 'staff set-role').",
        "{member} sudah ada dalam daftar petugas (pakai 'staff set-role').",
    ),
    "error.roster.unknown_member": (
        "{member} is not on the staff roster.",
        "{member} tidak ada dalam daftar petugas.",
    ),
    "error.roster.member_inactive": (
        "{member} is already deactivated.",
        "{member} sudah dinonaktifkan.",
    ),
    "error.roster.last_admin": (
        "{member} is the roster's last active admin; add another admin first.",
        "{member} adalah admin aktif terakhir dalam daftar petugas;"
        " tambahkan admin lain dulu.",
    ),
    # What exactly verification found (audit.Finding.cause).
    "finding.no_case": ("events without a case", "peristiwa tanpa kasus"),
    "finding.head_ahead": (
        "the head says {head} events, the trail has {trail}",
        "kepala kasus menyebut {head} peristiwa, jejaknya berisi {trail}",
    ),
    "finding.after_head": (
        "events after the head's {head}",
        "ada peristiwa sesudah peristiwa ke-{head} pada kepala kasus",
    ),
    "finding.head_hash": (
        "the head's hash differs from the last event's",
        "hash kepala kasus berbeda dengan hash peristiwa terakhir",
    ),
    "finding.seq_gap": ("a gap in seq", "nomor urut melompat"),
    "finding.chain_link": (
        "its prev_hash is not the hash of the entry before",
        "prev_hash-nya bukan hash entri sebelumnya",
    ),
    "finding.chain_hash": (
        "its hash does not match its bytes",
        "hash-nya tidak cocok dengan isinya",
    ),
    "finding.seq_repeated": ("a repeated seq", "nomor urut berulang"),
    "finding.seq_jump": ("seq jumps to {seq}", "nomor urut melompat ke {seq}"),
    "finding.cell": (
        "its {table}.{column} cell is not of the column's type",
        "sel {table}.{column} tidak bertipe sesuai kolomnya",
    ),
    "finding.column": (
        "{table}.{column} differs from what the chain holds",
        "{table}.{column} berbeda dengan isi rantai",
    ),
    "finding.hash_mismatch": (
        "its hash does not match its bytes",
        "hash-nya tidak cocok dengan isinya",
    ),
    "finding.out_of_order": ("out of order", "urutannya ditukar"),
    "finding.undecodable": (
        "its body cannot be read",
        "isinya tidak dapat dibaca",
    ),
    "finding.renumbered": ("renumbered", "nomornya diubah"),
    "finding.forged": ("a forged event", "peristiwa palsu"),
    "finding.rehashed": (
        "re-hashed to hide a change",
        "hash-nya dihitung ulang untuk menutupi perubahan",
    ),
    "finding.personal_removed": (
        "personal data removed without a redaction",
        "data pribadi dihapus tanpa redaksi",
    ),
    "finding.integrity": ("{finding}", "{finding}"),
    "finding.snapshot_differs": (
        "its snapshot differs from the case replayed up to it",
        "snapshot-nya berbeda dengan kasus hasil pemutaran ulang sampai titik itu",
    ),
    "finding.replay_differs": (
        "the replayed case differs from its head",
        "kasus hasil pemutaran ulang berbeda dengan kepala kasusnya",
    ),
    "finding.bad_signature": (
        "the signature does not verify with this key",
        "tanda tangannya tidak cocok dengan kunci ini",
    ),
    "finding.bad_root": (
        "the sealed heads do not match the signed root",
        "kepala kasus yang disegel tidak cocok dengan akar yang ditandatangani",
    ),
    "finding.seal_before": (
        "a seal before it is missing or changed",
        "segel sebelumnya hilang atau diubah",
    ),
    "finding.other_key": (
        "it was signed with another key",
        "segel ditandatangani dengan kunci lain",
    ),
    "finding.seal_unreadable": (
        "its signed message is not a seal of a known format",
        "pesan yang ditandatangani bukan segel berformat yang dikenal",
    ),
    "finding.seal_missing": ("the seal is missing", "segel ini hilang"),
    "finding.seals_missing": (
        "seals {number} to {last} are missing",
        "segel {number} sampai {last} hilang",
    ),
    "finding.seal_number": (
        "it is stored under another number than the one it signs",
        "segel disimpan dengan nomor yang berbeda dari nomor yang ditandatanganinya",
    ),
    "finding.seal_leaves": (
        "leaf rows it does not sign were added to it",
        "ada baris daun yang tidak ditandatanganinya ditambahkan",
    ),
    "finding.seal_time": (
        "the stored time differs from the signed one",
        "waktu yang tersimpan berbeda dengan waktu yang ditandatangani",
    ),
    "finding.seal_key": (
        "the stored public key differs from the key it verifies with",
        "kunci publik yang tersimpan berbeda dengan kunci yang memverifikasinya",
    ),
    "finding.receipt_missing": (
        "the seal the receipt vouches for is missing",
        "segel yang dijamin tanda terima hilang",
    ),
    "finding.receipt_differs": (
        "it differs from the seal the receipt vouches for",
        "segel berbeda dengan segel yang dijamin tanda terima",
    ),
    "finding.sealed": ("sealed by seal {number}", "disegel oleh segel {number}"),
    # What a verification with the key checked (audit.SealStatus.describe).
    "sealing.checked": (
        "Seals checked with the key {key}: {seals} seal(s), the newest seal "
        "{newest}, sealed at {sealed_at}.",
        "Segel diperiksa dengan kunci {key}: {seals} segel, yang terbaru segel "
        "{newest}, disegel pada {sealed_at}.",
    ),
    "sealing.none": (
        "No seal to check with the key {key}.",
        "Tidak ada segel untuk diperiksa dengan kunci {key}.",
    ),
    "sealing.receipt": (
        "A receipt of seal {receipt} kept off the machine was checked too.",
        "Tanda terima segel {receipt} yang disimpan di luar mesin juga diperiksa.",
    ),
    "finding.differs_from_seal": (
        "differs from seal {number}",
        "berbeda dengan segel {number}",
    ),
    "http.invalid": (
        "The request is malformed ({count} problem(s)); see errors.",
        "Permintaan tidak sah ({count} masalah); lihat errors.",
    ),
    "http.unauthorized": (
        "An API token is needed: send 'Authorization: Bearer TOKEN' with a"
        " token from 'helping-process staff token'.",
        "Diperlukan token API: kirim 'Authorization: Bearer TOKEN' dengan token"
        " dari 'helping-process staff token'.",
    ),
    "http.bad_token": (
        "The API token is unknown or revoked.",
        "Token API tidak dikenal atau sudah dicabut.",
    ),
    "http.forbidden": (
        "Staff member {actor} may not do this.",
        "Anggota staf {actor} tidak boleh melakukan ini.",
    ),
    "http.not_found": (
        "Nothing is at {path}.",
        "Tidak ada apa pun di {path}.",
    ),
    "http.method_not_allowed": (
        "{method} is not allowed on {path}.",
        "{method} tidak diizinkan pada {path}.",
    ),
    "http.precondition_failed": (
        "Case {case_id} is at event {seq}, not at the version If-Match names"
        " ({given}); read it again and decide anew.",
        "Kasus {case_id} berada pada peristiwa {seq}, bukan pada versi yang"
        " disebut If-Match ({given}); baca lagi lalu putuskan kembali.",
    ),
    "http.unknown_kind": (
        "Process {ref} has no record kind {kind}.",
        "Proses {ref} tidak memiliki jenis catatan {kind}.",
    ),
    "http.internal": (
        "An internal error occurred; it has been logged.",
        "Terjadi galat internal; galat itu sudah dicatat.",
    ),
}

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
    pair = _LABELS[namespace].get(str(code))
    if pair is None:
        return str(code)
    return pair[LANGUAGES.index(lang)]


def codes(namespace: str) -> tuple[str, ...]:
    """Return every code that has a label in ``namespace``."""
    return tuple(_LABELS[namespace])


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
    return _MESSAGES[template][LANGUAGES.index(lang)].format(**words)


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
