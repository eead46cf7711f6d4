"""The command line's own words, in English and Indonesian.

Codes (stages, reasons, record kinds, requirements) are worded by
:mod:`helping_process.labels`; this table holds what only the command line
says: help texts, prompts, table headings, the demo's story. Each entry is an
``(english, indonesian)`` pair of :meth:`str.format` templates.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any
from typing import Final

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


class _Counting(string.Formatter):
    """:meth:`str.format` with English plurals: ``{count:finding|findings}``.

    A field whose format spec holds a ``|`` is the word for its number:
    the first form for exactly one, the second for any other number, so
    ``"{count} {count:case|cases}"`` reads "1 case", "2 cases", "0 cases".
    Indonesian marks no plural (``{count} kasus``) and needs no spec.
    """

    def format_field(self, value: Any, format_spec: str) -> Any:
        """Return the word for ``value`` when the spec is a plural choice."""
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            return one if value == 1 else other
        return super().format_field(value, format_spec)


_FORMATTER: Final = _Counting()


def say(key: str, lang: Language, /, **params: object) -> str:
    """Return the message ``key`` in ``lang``, with its parameters filled in."""
    english, indonesian = MESSAGES[key]
    template = indonesian if lang == "id" else english
    if "|" in template:
        return _FORMATTER.format(template, **params)
    return template.format(**params)


_COMPLETION_EN: Final = """\
Shell completion (bash; zsh and fish alike with zsh_source, fish_source):

\b
  eval "$(_HELPING_PROCESS_COMPLETE=bash_source helping-process)"

Exit codes: 0 done; 1 refused by the process, changed by someone else,
audit finding or database failure; 2 bad input; 130 cancelled at a prompt.
Every CASE may be given as a unique prefix of its id (4 or more
characters)."""

_COMPLETION_ID: Final = """\
Pelengkapan otomatis di shell (bash; zsh dan fish dengan zsh_source,
fish_source):

\b
  eval "$(_HELPING_PROCESS_COMPLETE=bash_source helping-process)"

Kode keluar: 0 berhasil; 1 ditolak oleh proses, diubah orang lain, temuan
audit atau basis data gagal; 2 masukan salah; 130 dibatalkan saat ditanya.
Setiap CASE boleh ditulis dengan awalan unik id-nya (minimal 4 karakter)."""

MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    # Help screens.
    "help.usage": ("Usage:", "Penggunaan:"),
    "help.options": ("Options", "Opsi"),
    "help.commands": ("Commands", "Perintah"),
    "help.option.help": ("Show this message and exit.", "Tampilkan bantuan ini."),
    "help.option.version": ("Show the version and exit.", "Tampilkan versi."),
    "help.main": (
        "Run social-work cases through the helping process (engagement to "
        "termination), with a tamper-evident audit trail.",
        "Jalankan kasus pekerjaan sosial melalui proses pertolongan (kontak "
        "awal sampai terminasi), dengan jejak audit yang tahan rekayasa.",
    ),
    "help.main.epilog": (_COMPLETION_EN, _COMPLETION_ID),
    "help.info": (
        "Show the version, the database, the data directory and who acts.",
        "Tampilkan versi, basis data, direktori data, dan siapa yang bertindak.",
    ),
    "help.case": (
        "Open cases and take them through the helping process.",
        "Buka kasus dan jalankan melalui proses pertolongan.",
    ),
    "help.case.open": (
        "Open a case in engagement (episode 1).",
        "Buka kasus baru pada tahap kontak awal (episode 1).",
    ),
    "help.case.record": (
        "Add a record to a case. KIND is engagement, intake, contract, "
        "assessment, plan, activity or evaluation; the record is a JSON "
        "object given with --data, or in a file with --file (- reads "
        "standard input).",
        "Tambahkan catatan pada kasus. KIND adalah engagement, intake, "
        "contract, assessment, plan, activity atau evaluation; catatan "
        "berupa objek JSON lewat --data, atau berkas lewat --file (- "
        "membaca masukan standar).",
    ),
    "help.case.move": (
        "Move a case to another stage. A move back (a loop) needs --note.",
        "Pindahkan kasus ke tahap lain. Kembali ke tahap sebelumnya memerlukan --note.",
    ),
    "help.case.terminate": (
        "End a case's episode for a reason allowed in its stage.",
        "Akhiri episode kasus dengan alasan yang diizinkan pada tahapnya.",
    ),
    "help.case.reopen": (
        "Reopen a terminated case as a new episode.",
        "Buka kembali kasus yang sudah diterminasi sebagai episode baru.",
    ),
    "help.case.redact": (
        "Redact the personal data of a case on a lawful request: the client "
        "reference, notes, referrals and the records' free text of every "
        "earlier event are erased from the database; a chained redaction event "
        "records who, when, why and which events.",
        "Hapus data pribadi kasus atas permintaan yang sah: nomor registrasi "
        "klien, catatan, rujukan dan teks bebas catatan dari setiap peristiwa "
        "sebelumnya dihapus dari basis data; peristiwa penghapusan yang "
        "dirantai mencatat siapa, kapan, mengapa dan peristiwa mana.",
    ),
    "help.case.redact.short": (
        "Erase a case's personal data on a lawful request",
        "Hapus data pribadi kasus atas permintaan yang sah",
    ),
    "help.case.show": (
        "Show a case: its stage, its records in force, and every legal next "
        "move with what it still lacks.",
        "Tampilkan kasus: tahapnya, catatan yang berlaku, dan setiap langkah "
        "berikutnya yang sah beserta apa yang masih kurang.",
    ),
    "help.case.list": (
        "List the cases, or those in one stage.",
        "Daftar kasus, atau kasus pada satu tahap.",
    ),
    "help.case.history": (
        "Show a case's audit trail, oldest event first.",
        "Tampilkan jejak audit kasus, dari peristiwa paling awal.",
    ),
    "help.case.step": (
        "Take a case one step, interactively: record what is missing, move "
        "it, or end the episode. Ctrl-C at any prompt changes nothing (exit "
        "130).",
        "Jalankan kasus satu langkah secara interaktif: catat yang kurang, "
        "pindahkan, atau akhiri episode. Ctrl-C kapan saja tidak mengubah "
        "apa pun (kode keluar 130).",
    ),
    "help.process": (
        "Show the helping process itself.",
        "Tampilkan proses pertolongan itu sendiri.",
    ),
    "help.process.show": (
        "Show the stages, the legal moves and the termination reasons.",
        "Tampilkan tahap, perpindahan yang sah, dan alasan terminasi.",
    ),
    "help.process.list": (
        "List the built-in process definitions: name, version, digest, and "
        "which one new cases follow by default.",
        "Daftar definisi proses bawaan: nama, versi, digest, dan mana yang "
        "diikuti kasus baru secara bawaan.",
    ),
    "help.process.export": (
        "Print a built-in process definition file (REF is NAME@VERSION, or "
        "NAME for its newest version), to read or to start your own from.",
        "Cetak berkas definisi proses bawaan (REF adalah NAMA@VERSI, atau NAMA "
        "untuk versi terbarunya), untuk dibaca atau menjadi awal definisi Anda.",
    ),
    "help.process.check": (
        "Check a process definition file; every problem is listed with its "
        "place in the file (exit code 2 when there is any).",
        "Periksa berkas definisi proses; setiap masalah dicantumkan dengan "
        "letaknya di berkas (kode keluar 2 bila ada).",
    ),
    "help.process.graph": (
        "Print the process as a Mermaid or Graphviz (dot) graph; with --case, "
        "the case's current stage is highlighted.",
        "Cetak proses sebagai graf Mermaid atau Graphviz (dot); dengan "
        "--case, tahap kasus saat ini ditandai.",
    ),
    "help.demo": (
        "Tell four realistic cases (a completed case with a re-plan, a client "
        "who runs away from the panti, a referral, a new case) on a new "
        "temporary database, then verify its audit trail. Your own database "
        "is never touched; the demo's is removed at the end unless --keep "
        "names where to keep it. Every run tells the same story.",
        "Ceritakan empat kasus nyata (kasus selesai dengan rencana ulang, "
        "klien yang kabur dari panti, rujukan, kasus baru) pada basis data "
        "sementara yang baru, lalu verifikasi jejak auditnya. Basis data Anda "
        "tidak pernah disentuh; basis data demo dihapus di akhir kecuali "
        "--keep menyebut tempat menyimpannya. Setiap kali dijalankan, "
        "ceritanya sama.",
    ),
    "help.info.short": (
        "Show the version, the database and who acts",
        "Tampilkan versi, basis data, dan siapa yang bertindak",
    ),
    "help.case.show.short": (
        "Show a case and its legal next moves",
        "Tampilkan kasus dan langkah sah berikutnya",
    ),
    "help.case.step.short": (
        "Take a case one step, interactively",
        "Jalankan kasus satu langkah secara interaktif",
    ),
    "help.demo.short": (
        "Tell four cases on a temporary database, then verify the trail",
        "Ceritakan empat kasus pada basis data sementara, lalu verifikasi",
    ),
    "help.verify.short": (
        "Verify the audit trail (hash chains and replay)",
        "Verifikasi jejak audit (rantai hash dan putar ulang)",
    ),
    "help.verify": (
        "Verify the audit trail: recompute every hash chain and replay every "
        "case (or one CASE) through the process rules. Exit 1 on a finding.",
        "Verifikasi jejak audit: hitung ulang setiap rantai hash dan putar "
        "ulang setiap kasus (atau satu CASE) dengan aturan proses. Kode "
        "keluar 1 bila ada temuan.",
    ),
    "help.audit.short": (
        "Verify, seal, report on and export the audit trail",
        "Verifikasi, segel, laporkan, dan ekspor jejak audit",
    ),
    "help.audit": (
        "Verify, seal, report on and export the audit trail. Exit codes: 0 "
        "sound (redactions are information only), 1 an audit finding, 2 bad "
        "input (an unknown case, an unreadable key, a bad date).",
        "Verifikasi, segel, laporkan, dan ekspor jejak audit. Kode keluar: 0 "
        "utuh (penghapusan data pribadi hanya informasi), 1 ada temuan audit, "
        "2 masukan salah (kasus tidak dikenal, kunci tidak terbaca, tanggal "
        "salah).",
    ),
    "help.audit.verify.short": (
        "Recompute every chain, replay every case, check the seals",
        "Hitung ulang rantai, putar ulang kasus, periksa segel",
    ),
    "help.audit.verify": (
        "Verify the audit trail: recompute every hash chain from the stored "
        "bytes, replay every case (or the one given with --case) through the "
        "process rules, and with --key check every seal and the chain they "
        "form (--receipt: and that the seal a receipt kept elsewhere vouches "
        "for is still stored, unchanged). Each finding names "
        "the case, the event and its kind (edited, deleted, inserted, "
        "reordered, truncated, illegal_move, head_mismatch, case_missing, "
        "bad_seal; redacted is information only). Exit 1 on a finding other "
        "than a redaction.",
        "Verifikasi jejak audit: hitung ulang setiap rantai hash dari byte "
        "yang tersimpan, putar ulang setiap kasus (atau kasus --case) dengan "
        "aturan proses, dan dengan --key periksa setiap segel dan rantai "
        "segelnya (--receipt: dan bahwa segel yang dijamin tanda terima yang "
        "disimpan di tempat lain masih tersimpan tanpa perubahan). Setiap temuan "
        "menyebut kasus, peristiwa, dan jenisnya (edited, deleted, inserted, "
        "reordered, truncated, illegal_move, head_mismatch, case_missing, "
        "bad_seal; redacted hanya informasi). Kode keluar 1 bila ada temuan "
        "selain penghapusan data pribadi.",
    ),
    "help.audit.keygen": (
        "Write a new Ed25519 key pair for seals to DIR: seal-key.pem (private, "
        "mode 0600) and seal-key.pub.pem (public). Existing files are never "
        "overwritten.",
        "Tulis pasangan kunci Ed25519 baru untuk segel ke DIR: seal-key.pem "
        "(privat, mode 0600) dan seal-key.pub.pem (publik). Berkas yang sudah "
        "ada tidak pernah ditimpa.",
    ),
    "help.audit.keygen.short": (
        "Write a new Ed25519 key pair for seals",
        "Tulis pasangan kunci Ed25519 baru untuk segel",
    ),
    "help.audit.seal.short": (
        "Record a signed checkpoint of every case head",
        "Catat titik periksa bertanda tangan atas semua kasus",
    ),
    "help.audit.seal": (
        "Record a signed checkpoint (a seal) with the private key: it names "
        "the head of every case changed since the previous seal and chains to "
        "that seal. Print its digest, and with --receipt write it to a new "
        "file: keep either off this machine. 'audit verify --key' then names "
        "every sealed case deleted whole, or whose sealed events were removed "
        "or changed; 'audit verify --receipt' also finds seals removed.",
        "Catat titik periksa bertanda tangan (segel) dengan kunci privat: "
        "segel menyebut kepala setiap kasus yang berubah sejak segel "
        "sebelumnya dan terantai ke segel itu. Cetak digest-nya, dan dengan "
        "--receipt tulis segel ke berkas baru: simpan salah satunya di luar "
        "mesin ini. 'audit verify --key' lalu menyebut setiap kasus tersegel "
        "yang dihapus seluruhnya, atau yang peristiwa tersegelnya dibuang atau "
        "diubah; 'audit verify --receipt' juga menemukan segel yang dihapus.",
    ),
    "help.audit.report.short": (
        "Report the agency's figures and policy findings",
        "Laporkan angka lembaga dan temuan kebijakan",
    ),
    "help.audit.report": (
        "Report the agency's figures for a window (cases per stage, time in "
        "stage, terminations by reason, loops, goal attainment, activities) "
        "with the policy findings, as text, JSON, CSV or one self-contained "
        "HTML page, in the chosen language. Dates are UTC days (YYYY-MM-DD) "
        "or ISO 8601 times with a time zone.",
        "Laporkan angka lembaga untuk suatu periode (kasus per tahap, lama di "
        "tahap, terminasi menurut alasan, perulangan, pencapaian tujuan, "
        "kegiatan) beserta temuan kebijakan, sebagai teks, JSON, CSV atau "
        "satu halaman HTML mandiri, dalam bahasa yang dipilih. Tanggal berupa "
        "hari UTC (YYYY-MM-DD) atau waktu ISO 8601 dengan zona waktu.",
    ),
    "help.audit.export.short": (
        "Export the trail as JSON lines for external audit",
        "Ekspor jejak sebagai baris JSON untuk audit luar",
    ),
    "help.audit.export": (
        "Export the trail of one case (--case) or of every case (--all) as "
        "JSON lines, with the stored bytes, for an auditor to verify with "
        "tools of their own (docs/audit-format.md). A new file is created "
        "readable by its owner only: it holds personal data.",
        "Ekspor jejak satu kasus (--case) atau semua kasus (--all) sebagai "
        "baris JSON, dengan byte yang tersimpan, agar auditor dapat "
        "memverifikasinya dengan alatnya sendiri (docs/audit-format.md). "
        "Berkas baru hanya dapat dibaca pemiliknya: isinya data pribadi.",
    ),
    "help.audit.policy.short": (
        "Print the default policy file (TOML)",
        "Cetak berkas kebijakan bawaan (TOML)",
    ),
    "help.audit.policy": (
        "Print the default policy as a TOML file an agency can start its own "
        "from; with --policy, check that file and print the policy it gives.",
        "Cetak kebijakan bawaan sebagai berkas TOML untuk titik awal berkas "
        "lembaga; dengan --policy, periksa berkas itu dan cetak kebijakan "
        "yang dihasilkannya.",
    ),
    # Options.
    "opt.db": (
        "Database URL (sqlite:///path or postgresql://...). Default: a SQLite "
        "file in the user data directory (see 'info'). Env: HELPING_PROCESS_DB.",
        "URL basis data (sqlite:///path atau postgresql://...). Bawaan: berkas "
        "SQLite di direktori data pengguna (lihat 'info'). Env: "
        "HELPING_PROCESS_DB.",
    ),
    "opt.actor": (
        "Who acts (the worker's id). Default: the login name. Env: "
        "HELPING_PROCESS_ACTOR.",
        "Siapa yang bertindak (id pekerja sosial). Bawaan: nama login. Env: "
        "HELPING_PROCESS_ACTOR.",
    ),
    "opt.role": (
        "The role you act in: worker or supervisor. Default: worker, or with "
        "a staff roster the least of your roles that may do the command.",
        "Peran Anda saat bertindak: worker atau supervisor. Bawaan: worker, "
        "atau bila ada daftar petugas, peran terendah Anda yang boleh "
        "menjalankan perintah itu.",
    ),
    "opt.lang": (
        "Language: en or id. Env: HELPING_PROCESS_LANG; else the locale.",
        "Bahasa: en atau id. Env: HELPING_PROCESS_LANG; bila tidak, locale.",
    ),
    "opt.json": (
        "Print machine-readable JSON on standard output.",
        "Cetak JSON yang dapat dibaca mesin pada keluaran standar.",
    ),
    "opt.debug": (
        "Show tracebacks of errors.",
        "Tampilkan traceback dari galat.",
    ),
    "opt.client": (
        "The agency's reference for the client.",
        "Nomor rujukan klien di lembaga.",
    ),
    "opt.residential": (
        "The client lives in the institution (panti).",
        "Klien tinggal di panti.",
    ),
    "opt.data": ("The record as a JSON object.", "Catatan sebagai objek JSON."),
    "opt.file": (
        "A file holding the record as JSON; - reads standard input.",
        "Berkas berisi catatan JSON; - membaca masukan standar.",
    ),
    "opt.note": (
        "Why the case moves (required for a move back).",
        "Alasan perpindahan (wajib bila kembali ke tahap sebelumnya).",
    ),
    "opt.reason": ("The termination reason code.", "Kode alasan terminasi."),
    "opt.sub_reason": (
        "The sub-reason code, for reasons that have them.",
        "Kode sub-alasan, untuk alasan yang memilikinya.",
    ),
    "opt.referral_to": (
        "Where the client is referred to.",
        "Tujuan rujukan klien.",
    ),
    "opt.termination_note": ("The termination note.", "Catatan terminasi."),
    "opt.reopen_note": (
        "Why the case is reopened.",
        "Alasan kasus dibuka kembali.",
    ),
    "opt.redact_note": (
        "The lawful basis of the redaction (kept in the trail; write no "
        "personal data in it).",
        "Dasar hukum penghapusan (disimpan dalam jejak audit; jangan tulis "
        "data pribadi di dalamnya).",
    ),
    "opt.stage_filter": (
        "Only the cases in this stage.",
        "Hanya kasus pada tahap ini.",
    ),
    "opt.format": ("The graph format.", "Format graf."),
    "opt.graph_case": (
        "Highlight this case's current stage.",
        "Tandai tahap kasus ini saat ini.",
    ),
    "opt.demo_keep": (
        "Keep the demo's database at PATH (a new file) to try commands on; "
        "without it nothing is kept.",
        "Simpan basis data demo di PATH (berkas baru) untuk mencoba perintah; "
        "tanpa opsi ini tidak ada yang disimpan.",
    ),
    "opt.demo_pause": (
        "Wait this long after each line of the story, to show it live.",
        "Tunggu selama ini setelah setiap baris cerita, untuk ditampilkan langsung.",
    ),
    "opt.audit_case": (
        "Only this case (an id or a unique prefix of one).",
        "Hanya kasus ini (id atau awalan unik id-nya).",
    ),
    "opt.max_findings": (
        "List at most this many findings and count the rest (default: 1000).",
        "Tampilkan paling banyak sekian temuan dan hitung sisanya (bawaan: 1000).",
    ),
    "opt.public_key": (
        "The public key file (PEM) 'audit keygen' wrote; checks every seal.",
        "Berkas kunci publik (PEM) dari 'audit keygen'; memeriksa setiap segel.",
    ),
    "opt.report_key": (
        "The agency's public key: the seals are checked before the report, "
        "and its top says up to which seal.",
        "Kunci publik lembaga: segel diperiksa sebelum laporan dibuat, dan "
        "bagian atasnya menyebut sampai segel mana.",
    ),
    "opt.report_verify": (
        "Verify the trail first (the default): the report's top says whether "
        "it was sound, and the figures leave out cases with faults. "
        "--no-verify skips it, and the report says it is not verified.",
        "Verifikasi jejak dahulu (bawaan): bagian atas laporan menyebut apakah "
        "jejak utuh, dan angka-angkanya tidak mencakup kasus yang bermasalah. "
        "--no-verify melewatinya, dan laporan menyebut belum diverifikasi.",
    ),
    "opt.receipt_in": (
        "A receipt 'audit seal --receipt' wrote: its seal must still be stored, "
        "unchanged, so no seal up to it was removed. Checks the seals with the "
        "receipt's own key when --key is not given.",
        "Tanda terima dari 'audit seal --receipt': segelnya harus masih "
        "tersimpan tanpa perubahan, sehingga tidak ada segel sampai segel itu "
        "yang dihapus. Tanpa --key, segel diperiksa dengan kunci tanda terima.",
    ),
    "opt.receipt_out": (
        "Also write the new seal to FILE (a new file), to keep off this machine "
        "for 'audit verify --receipt'.",
        "Tulis juga segel baru ke FILE (berkas baru), untuk disimpan di luar "
        "mesin ini bagi 'audit verify --receipt'.",
    ),
    "opt.jobs": (
        "Verify with N processes at once (0: one per core). Cases are "
        "checked independently and the findings are the same; each process "
        "takes about half a second to start, so it pays on large trails.",
        "Verifikasi dengan N proses sekaligus (0: satu per inti). Setiap kasus "
        "diperiksa sendiri-sendiri dan temuannya sama; setiap proses butuh "
        "sekitar setengah detik untuk mulai, jadi berguna pada jejak besar.",
    ),
    "opt.private_key": (
        "The private key file (PEM) 'audit keygen' wrote.",
        "Berkas kunci privat (PEM) dari 'audit keygen'.",
    ),
    "opt.key_dir": (
        "The directory to write the key pair to (created if missing).",
        "Direktori tempat pasangan kunci ditulis (dibuat bila belum ada).",
    ),
    "opt.since": (
        "Start of the window: YYYY-MM-DD (from 00:00 UTC) or an ISO 8601 "
        "time with a time zone. Default: the start of the trail.",
        "Awal periode: YYYY-MM-DD (mulai 00:00 UTC) atau waktu ISO 8601 "
        "dengan zona waktu. Bawaan: awal jejak.",
    ),
    "opt.until": (
        "End of the window: YYYY-MM-DD (through 23:59 UTC) or an ISO 8601 "
        "time with a time zone. Default: now.",
        "Akhir periode: YYYY-MM-DD (sampai 23:59 UTC) atau waktu ISO 8601 "
        "dengan zona waktu. Bawaan: sekarang.",
    ),
    "opt.report_format": (
        "text, json, csv or html. Default: text (json with --json).",
        "text, json, csv atau html. Bawaan: text (json dengan --json).",
    ),
    "opt.output": (
        "The file to write; - (the default) writes to standard output.",
        "Berkas yang ditulis; - (bawaan) menulis ke keluaran standar.",
    ),
    "opt.policy": (
        "The agency's policy file (TOML; see 'audit policy'). Default: the "
        "built-in policy.",
        "Berkas kebijakan lembaga (TOML; lihat 'audit policy'). Bawaan: "
        "kebijakan bawaan.",
    ),
    "opt.policy_check": (
        "A policy file to check and print, merged over the defaults.",
        "Berkas kebijakan yang diperiksa dan dicetak, digabung dengan bawaan.",
    ),
    "opt.agency": (
        "The agency's name, for the report's title.",
        "Nama lembaga, untuk judul laporan.",
    ),
    "opt.export_case": (
        "Export this case (an id or a unique prefix of one).",
        "Ekspor kasus ini (id atau awalan unik id-nya).",
    ),
    "opt.export_all": ("Export every case.", "Ekspor semua kasus."),
    "opt.export_format": (
        "The export format: jsonl (JSON lines).",
        "Format ekspor: jsonl (baris JSON).",
    ),
    # Errors.
    "error.prefix": ("Error", "Kesalahan"),
    "error.prefix.refused": ("Refused", "Ditolak"),
    "error.prefix.cancelled": ("Cancelled", "Dibatalkan"),
    "error.one_of": ("Use one of: {codes}.", "Gunakan salah satu: {codes}."),
    "error.ambiguous_case": (
        "The id prefix {ref} matches {count} {count:case|cases}: {matches}; "
        "give more characters of the id.",
        "Awalan id {ref} cocok dengan {count} kasus: {matches}; tulis lebih "
        "banyak karakter id-nya.",
    ),
    "error.prefix_too_short": (
        "No case has the id {ref}, and a prefix of an id needs at least "
        "{minimum} characters.",
        "Tidak ada kasus dengan id {ref}, dan awalan id minimal {minimum} karakter.",
    ),
    "error.no_case_prefix": (
        "No case id is or starts with {ref}; 'helping-process case list' "
        "shows the cases.",
        "Tidak ada id kasus yang sama dengan atau diawali {ref}; "
        "'helping-process case list' menampilkan daftar kasus.",
    ),
    "error.internal": (
        "Unexpected failure ({detail}); rerun with --debug and report it.",
        "Kegagalan tak terduga ({detail}); jalankan ulang dengan --debug dan laporkan.",
    ),
    "problem.not_url": (
        "The database URL {value!r} is not a valid URL.",
        "URL basis data {value!r} bukan URL yang sah.",
    ),
    "problem.unsupported_database": (
        "The database {value!r} is not supported (use sqlite or postgresql).",
        "Basis data {value!r} tidak didukung (gunakan sqlite atau postgresql).",
    ),
    "cancelled": (
        "Nothing was changed.",
        "Tidak ada yang diubah.",
    ),
    "interrupted": (
        "Interrupted; each command is stored whole or not at all.",
        "Dihentikan; setiap perintah tersimpan utuh atau tidak sama sekali.",
    ),
    "usage.no_such_option": (
        "There is no option {name}.",
        "Tidak ada opsi {name}.",
    ),
    "usage.no_such_command": (
        "There is no command {name!r}.",
        "Tidak ada perintah {name!r}.",
    ),
    "usage.missing_command": (
        "A command is missing.",
        "Perintah belum diberikan.",
    ),
    "usage.missing": (
        "{name} is required.",
        "{name} wajib diisi.",
    ),
    "usage.bad_value": (
        "Bad value for {name}: {detail}",
        "Nilai tidak sah untuk {name}: {detail}",
    ),
    "usage.generic": ("{detail}", "{detail}"),
    "usage.see_help": (
        "(See '{command} --help'.)",
        "(Lihat '{command} --help'.)",
    ),
    "usage.data_or_file": (
        "Give the record with exactly one of --data or --file.",
        "Berikan catatan dengan tepat satu dari --data atau --file.",
    ),
    "usage.unreadable": (
        "Cannot read {path}: {reason}.",
        "Tidak dapat membaca {path}: {reason}.",
    ),
    # Answers.
    "yes": ("yes", "ya"),
    "no": ("no", "tidak"),
    # info.
    "info.version": ("version", "versi"),
    "info.database": ("database", "basis data"),
    "info.data_dir": ("data dir", "direktori data"),
    "info.language": ("language", "bahasa"),
    "info.actor": ("actor", "pelaku"),
    "info.role": ("role", "peran"),
    # case commands.
    "case.opened": (
        "Opened case {case_id} in {stage}.",
        "Kasus {case_id} dibuka pada tahap {stage}.",
    ),
    "case.recorded": (
        "{kind} recorded on case {case_id} (event {seq}).",
        "{kind} dicatat pada kasus {case_id} (peristiwa {seq}).",
    ),
    "case.moved": (
        "Case {case_id} moved from {source} to {target}.",
        "Kasus {case_id} berpindah dari {source} ke {target}.",
    ),
    "case.terminated": (
        "Case {case_id} terminated: {reason}.",
        "Kasus {case_id} diterminasi: {reason}.",
    ),
    "case.reopened": (
        "Case {case_id} reopened as episode {episode}.",
        "Kasus {case_id} dibuka kembali sebagai episode {episode}.",
    ),
    "case.redacted": (
        "Personal data of case {case_id} redacted from events {events} "
        "(event {seq} records the redaction).",
        "Data pribadi kasus {case_id} dihapus dari peristiwa {events} "
        "(peristiwa {seq} mencatat penghapusan).",
    ),
    "case.erase_pending": (
        "Warning: another connection is still reading the database, so its "
        "log may hold copies of the redacted data until the database is next "
        "opened (or, on PostgreSQL, until VACUUM FULL personal, cases runs).",
        "Peringatan: koneksi lain masih membaca basis data, sehingga lognya "
        "mungkin masih menyimpan salinan data yang dihapus sampai basis data "
        "dibuka lagi (atau, pada PostgreSQL, sampai VACUUM FULL personal, "
        "cases dijalankan).",
    ),
    "show.case": ("Case {case_id}", "Kasus {case_id}"),
    "show.stage": ("Stage: {stage}", "Tahap: {stage}"),
    "show.episode": (
        "Episode {episode}, event {seq}, residential: {residential}",
        "Episode {episode}, peristiwa {seq}, tinggal di panti: {residential}",
    ),
    "show.ended": ("Episode ended: {reason}", "Episode berakhir: {reason}"),
    "show.records": ("Records in force:", "Catatan yang berlaku:"),
    "show.none": ("(none)", "(tidak ada)"),
    "show.moves": ("Next moves:", "Perpindahan berikutnya:"),
    "show.terminations": (
        "Termination reasons allowed in this stage:",
        "Alasan terminasi yang diizinkan pada tahap ini:",
    ),
    "show.note_required": ("(note required)", "(wajib dengan catatan)"),
    "show.sub_reason_needed": (
        "needs a sub-reason: {codes}",
        "perlu sub-alasan: {codes}",
    ),
    "show.referral_needed": (
        "needs --referral-to (where the client is referred)",
        "perlu --referral-to (tujuan rujukan klien)",
    ),
    "list.empty": ("No cases.", "Belum ada kasus."),
    "list.unverified": (
        "Not verified: read from the case rows as stored; run"
        " 'helping-process audit verify' to check them against the audit trail.",
        "Belum diverifikasi: dibaca dari baris kasus apa adanya; jalankan"
        " 'helping-process audit verify' untuk mencocokkannya dengan jejak audit.",
    ),
    "list.id": ("id", "id"),
    "list.client": ("client", "klien"),
    "list.stage": ("stage", "tahap"),
    "list.episode": ("ep", "ep"),
    "list.events": ("events", "peristiwa"),
    "list.updated": ("updated (UTC)", "diperbarui (UTC)"),
    "history.seq": ("#", "#"),
    "history.when": ("occurred (UTC)", "terjadi (UTC)"),
    "history.actor": ("actor", "pelaku"),
    "history.action": ("action", "tindakan"),
    "history.stage": ("stage", "tahap"),
    # process.
    "process.stages": ("Stages:", "Tahap:"),
    "process.default": ("(default for new cases)", "(bawaan untuk kasus baru)"),
    "process.check.ok": (
        "{source}: {ref} is sound ({stages} stages, {moves} moves, "
        "{kinds} record kinds, {reasons} termination reasons); digest {digest}.",
        "{source}: {ref} baik ({stages} tahap, {moves} perpindahan, "
        "{kinds} jenis catatan, {reasons} alasan terminasi); digest {digest}.",
    ),
    "process.check.broken": (
        "{source} has {count} {count:problem|problems}; nothing was loaded.",
        "{source} memiliki {count} masalah; tidak ada yang dimuat.",
    ),
    "process.moves": ("Moves:", "Perpindahan:"),
    "process.terminate_any": (
        "every stage but termination -> termination (terminate, with a "
        "reason and a note); termination -> engagement only by reopening",
        "setiap tahap kecuali terminasi -> terminasi (terminate, dengan "
        "alasan dan catatan); terminasi -> engagement hanya dengan dibuka "
        "kembali",
    ),
    "process.terminations": ("Termination reasons:", "Alasan terminasi:"),
    "process.from": ("from: {stages}", "dari: {stages}"),
    "process.needs": ("needs: {needs}", "perlu: {needs}"),
    "process.sub_reason": ("a sub-reason: {codes}", "sub-alasan: {codes}"),
    "process.referral": (
        "--referral-to (where the client is referred)",
        "--referral-to (tujuan rujukan klien)",
    ),
    "process.residential_only": (
        "residential clients only",
        "hanya klien yang tinggal di panti",
    ),
    "trigger.advance": ("advance", "maju"),
    "trigger.reassess": ("reassess", "asesmen ulang"),
    "trigger.replan": ("re-plan", "rencana ulang"),
    "trigger.resume": ("resume", "lanjutkan"),
    "trigger.terminate": ("terminate", "terminasi"),
    "trigger.reopen": ("reopen", "buka kembali"),
    # verify.
    "verify.ok": (
        "trail verified: {cases} {cases:case|cases}, {events} {events:event|events}",
        "jejak audit terverifikasi: {cases} kasus, {events} peristiwa",
    ),
    "verify.more": (
        "… and {count} more {count:finding|findings}",
        "… dan {count} temuan lainnya",
    ),
    "audit.bad_max_findings": (
        "--max-findings takes a whole number of 0 or more, not '{value}'.",
        "--max-findings berupa bilangan bulat 0 atau lebih, bukan '{value}'.",
    ),
    "verify.faults": (
        "The audit trail has {count} {count:finding|findings}; see above.",
        "Jejak audit memiliki {count} temuan; lihat di atas.",
    ),
    # audit.
    "audit.verifying": ("Verifying the audit trail", "Memverifikasi jejak audit"),
    "audit.seal_where": ("seal {number}", "segel {number}"),
    "audit.kind.edited": (
        "the event was changed after it was stored",
        "peristiwa diubah setelah disimpan",
    ),
    "audit.kind.deleted": (
        "an event is missing from the trail",
        "ada peristiwa yang hilang dari jejak",
    ),
    "audit.kind.inserted": (
        "an event was added that the trail did not write",
        "ada peristiwa sisipan yang tidak ditulis oleh jejak",
    ),
    "audit.kind.reordered": (
        "the events are out of order",
        "urutan peristiwa diubah",
    ),
    "audit.kind.truncated": (
        "the newest events are gone",
        "peristiwa terbaru hilang",
    ),
    "audit.kind.illegal_move": (
        "the process rules refuse this event",
        "aturan proses menolak peristiwa ini",
    ),
    "audit.kind.head_mismatch": (
        "the case's head does not match its trail",
        "kepala kasus tidak cocok dengan jejaknya",
    ),
    "audit.kind.case_missing": (
        "the case is missing",
        "kasus hilang",
    ),
    "audit.kind.bad_seal": (
        "a seal is missing, changed or not the agency's",
        "segel hilang, diubah, atau bukan milik lembaga",
    ),
    "audit.kind.redacted": (
        "personal data redacted on a lawful request (information only)",
        "data pribadi dihapus atas permintaan yang sah (hanya informasi)",
    ),
    "audit.seals_checked": (
        "{count} {count:seal|seals} checked with the key {key}…; the newest is seal "
        "{number}, sealed at {sealed_at}.",
        "{count} segel diperiksa dengan kunci {key}…; yang terbaru adalah "
        "segel {number}, disegel pada {sealed_at}.",
    ),
    "audit.receipt_matches": (
        "The receipt of seal {number} matches the stored seal.",
        "Tanda terima segel {number} cocok dengan segel yang tersimpan.",
    ),
    "audit.bad_receipt": (
        "The receipt {path} {reason}.",
        "Tanda terima {path} {reason}.",
    ),
    "audit.receipt_exists": (
        "{path} already exists; a receipt is never overwritten, and nothing "
        "was sealed. Choose another --receipt file.",
        "{path} sudah ada; tanda terima tidak pernah ditimpa, dan belum ada "
        "yang disegel. Pilih berkas --receipt yang lain.",
    ),
    "audit.receipt_unwritten": (
        "Seal {number} is stored, but its receipt could not be written to "
        "{path}: {reason}.",
        "Segel {number} sudah tersimpan, tetapi tanda terimanya tidak dapat "
        "ditulis ke {path}: {reason}.",
    ),
    "audit.receipt_written": (
        "receipt (keep it off this machine): {path}",
        "tanda terima (simpan di luar mesin ini): {path}",
    ),
    "audit.seal_number": (
        "seal {number}; {heads} case {heads:head|heads} changed since the "
        "previous seal",
        "segel {number}; {heads} kepala kasus berubah sejak segel sebelumnya",
    ),
    "audit.no_seals": (
        "There is no seal to check yet; record one with 'audit seal'.",
        "Belum ada segel untuk diperiksa; buat dengan 'audit seal'.",
    ),
    "audit.not_public_key": (
        "{path} is not an Ed25519 public key in PEM format (use the "
        "seal-key.pub.pem that 'audit keygen' wrote).",
        "{path} bukan kunci publik Ed25519 berformat PEM (gunakan "
        "seal-key.pub.pem dari 'audit keygen').",
    ),
    "audit.not_private_key": (
        "{path} is not an Ed25519 private key in PEM format (use the "
        "seal-key.pem that 'audit keygen' wrote).",
        "{path} bukan kunci privat Ed25519 berformat PEM (gunakan "
        "seal-key.pem dari 'audit keygen').",
    ),
    "audit.key_exists": (
        "{path} already exists; keys are never overwritten. Choose another "
        "--out directory.",
        "{path} sudah ada; kunci tidak pernah ditimpa. Pilih direktori --out "
        "yang lain.",
    ),
    "audit.cannot_write": (
        "Cannot write {path}: {reason}.",
        "Tidak dapat menulis {path}: {reason}.",
    ),
    "audit.private_written": (
        "private key (keep it secret): {path}",
        "kunci privat (rahasiakan): {path}",
    ),
    "audit.public_written": (
        "public key (for verify --key): {path}",
        "kunci publik (untuk verify --key): {path}",
    ),
    "audit.sealed": (
        "Sealed {cases} {cases:case|cases}, {events} {events:event|events}, "
        "at {sealed_at}.",
        "Tersegel {cases} kasus, {events} peristiwa, pada {sealed_at}.",
    ),
    "audit.seal_digest": ("digest: {digest}", "digest: {digest}"),
    "audit.seal_keep": (
        "Keep the digest off this machine (print it, or send it to the "
        "supervisor): with the public key it proves what the trail held now.",
        "Simpan digest di luar mesin ini (cetak, atau kirim ke supervisor): "
        "dengan kunci publik, digest membuktikan isi jejak saat ini.",
    ),
    "audit.bad_date": (
        "{option} must be a date (YYYY-MM-DD) or an ISO 8601 date and time "
        "with a time zone, not {value!r}.",
        "{option} harus berupa tanggal (YYYY-MM-DD) atau tanggal dan waktu "
        "ISO 8601 dengan zona waktu, bukan {value!r}.",
    ),
    "audit.since_after_until": (
        "--since {since} is after the end of the window ({until}).",
        "--since {since} jatuh sesudah akhir periode ({until}).",
    ),
    "audit.policy_not_toml": (
        "The policy file {path} is not TOML: {detail}.",
        "Berkas kebijakan {path} bukan TOML: {detail}.",
    ),
    "audit.policy_unknown_key": (
        "The policy file {path} holds {key}, which is not a policy key (see "
        "'audit policy').",
        "Berkas kebijakan {path} memuat {key}, yang bukan kunci kebijakan "
        "(lihat 'audit policy').",
    ),
    "audit.bad_policy": (
        "The policy file {path} is not valid: {message}",
        "Berkas kebijakan {path} tidak sah: {message}",
    ),
    "audit.bad_format": (
        "{value!r} is not a format offered here. Use one of: {codes}.",
        "{value!r} bukan format yang tersedia di sini. Gunakan salah satu: {codes}.",
    ),
    "audit.written": ("Wrote {path}.", "{path} sudah ditulis."),
    "audit.case_or_all": (
        "Give exactly one of --case CASE or --all.",
        "Berikan tepat satu dari --case CASE atau --all.",
    ),
    "audit.exported": (
        "Exported {cases} {cases:case|cases}, {lines} {lines:line|lines}, to {path}.",
        "{cases} kasus, {lines} baris, diekspor ke {path}.",
    ),
    # step.
    "step.heading": (
        "Case {case_id}: {stage} (episode {episode}, event {seq})",
        "Kasus {case_id}: {stage} (episode {episode}, peristiwa {seq})",
    ),
    "step.menu": ("What do you want to do?", "Apa yang ingin Anda lakukan?"),
    "step.record_needed": (
        "Record: {kind} (needed)",
        "Catat: {kind} (diperlukan)",
    ),
    "step.record": (
        "Record: {kind} (a new version)",
        "Catat: {kind} (versi baru)",
    ),
    "step.move": ("Move to {stage}", "Pindah ke {stage}"),
    "step.reopen": (
        "Reopen the case (episode {episode})",
        "Buka kembali kasus (episode {episode})",
    ),
    "step.terminate": (
        "End the episode (terminate)",
        "Akhiri episode (terminasi)",
    ),
    "step.quit": ("Leave without changes", "Keluar tanpa perubahan"),
    "step.note_required": (
        "Note (why the case goes this way)",
        "Catatan (alasan kasus berpindah ke sini)",
    ),
    "step.note_optional": (
        "Note (optional, Enter to skip)",
        "Catatan (opsional, Enter untuk melewati)",
    ),
    "step.reason": ("Termination reason:", "Alasan terminasi:"),
    "step.sub_reason": ("Sub-reason:", "Sub-alasan:"),
    "step.referral_to": (
        "Referred to (agency or service)",
        "Dirujuk ke (lembaga atau layanan)",
    ),
    "step.termination_note": ("Termination note", "Catatan terminasi"),
    "step.summary.record": ("To record: {kind}", "Akan dicatat: {kind}"),
    "step.summary.move": (
        "To move: {source} -> {target}",
        "Akan dipindah: {source} -> {target}",
    ),
    "step.summary.reopen": (
        "To reopen the case as episode {episode}",
        "Kasus akan dibuka kembali sebagai episode {episode}",
    ),
    "step.summary.terminate": (
        "To terminate: {reason}",
        "Akan diterminasi: {reason}",
    ),
    "step.summary.referral": ("referred to: {referral}", "dirujuk ke: {referral}"),
    "step.summary.note": ("note: {note}", "catatan: {note}"),
    "step.confirm": ("Store this?", "Simpan ini?"),
    "step.unchanged": ("Nothing was changed.", "Tidak ada yang diubah."),
    "step.done": (
        "Stored. The case is in {stage} (episode {episode}, event {seq}).",
        "Tersimpan. Kasus berada di tahap {stage} (episode {episode}, "
        "peristiwa {seq}).",
    ),
    # Prompts.
    "prompt.invalid": ("Not accepted: {problem}.", "Tidak diterima: {problem}."),
    "prompt.not_after": (
        "must be after {day}",
        "harus sesudah {day}",
    ),
    "prompt.yes_no": ("y/n", "y/t"),
    "prompt.not_yes_no": (
        "answer y (yes) or n (no)",
        "jawab y (ya) atau t (tidak)",
    ),
    "prompt.number": ("Choose (1-{last})", "Pilih (1-{last})"),
    "prompt.number_one": ("Choose 1", "Pilih 1"),
    "prompt.not_a_choice": (
        "give one of the numbers shown",
        "masukkan salah satu nomor yang ditampilkan",
    ),
    "prompt.lines": (
        "(one per line; an empty line ends the list)",
        "(satu per baris; baris kosong mengakhiri daftar)",
    ),
    "prompt.at_least": (
        "give at least {count} {count:item|items}",
        "isi paling sedikit {count} butir",
    ),
    # Record fields.
    "field.engagement.first_contact_on": (
        "Date of the first contact (YYYY-MM-DD)",
        "Tanggal kontak pertama (YYYY-MM-DD)",
    ),
    "field.engagement.request": (
        "The client's request for service",
        "Permintaan pelayanan dari klien",
    ),
    "field.engagement.referral_source": (
        "Who referred the client?",
        "Siapa yang merujuk klien?",
    ),
    "field.intake.eligible": (
        "Is the candidate eligible?",
        "Apakah calon klien memenuhi persyaratan?",
    ),
    "field.intake.service_formulation": (
        "Service formulation (the service to give)",
        "Rumusan pelayanan",
    ),
    "field.intake.resources_informed": (
        "Was the client told which resources exist?",
        "Apakah klien sudah diberi tahu sumber yang tersedia?",
    ),
    "field.intake.criteria_failed": (
        "Criteria not met",
        "Persyaratan yang tidak terpenuhi",
    ),
    "field.contract.kind": ("Kind of contract:", "Jenis kontrak:"),
    "field.contract.consensual": (
        "Entered consensually?",
        "Disepakati secara konsensual?",
    ),
    "field.contract.mutual_agreement": (
        "Mutually agreed?",
        "Ada kesepakatan bersama?",
    ),
    "field.contract.acceptance": (
        "Accepted by the client?",
        "Diterima oleh klien?",
    ),
    "field.contract.reciprocal": (
        "Reciprocal (binding both sides)?",
        "Timbal balik (mengikat kedua pihak)?",
    ),
    "field.contract.responsibilities": (
        "Responsibilities of each party",
        "Tanggung jawab masing-masing pihak",
    ),
    "field.contract.tasks": (
        "Tasks promised",
        "Tugas yang dijanjikan",
    ),
    "field.contract.valid_from": (
        "In force from (YYYY-MM-DD)",
        "Berlaku mulai (YYYY-MM-DD)",
    ),
    "field.contract.valid_until": (
        "In force until (YYYY-MM-DD)",
        "Berlaku sampai (YYYY-MM-DD)",
    ),
    "field.contract.worker": ("Worker (party)", "Pekerja sosial (pihak)"),
    "field.contract.agency": ("Agency (party)", "Lembaga (pihak)"),
    "field.contract.client": ("Client (party)", "Klien (pihak)"),
    "field.assessment.problem_statement": (
        "Problem statement",
        "Pernyataan masalah",
    ),
    "field.assessment.personality_assessment": (
        "Personality assessment",
        "Asesmen kepribadian",
    ),
    "field.assessment.situational_analysis": (
        "Situational analysis",
        "Analisis situasi",
    ),
    "field.assessment.integrative_formulation": (
        "Integrative formulation",
        "Formulasi integratif",
    ),
    "field.assessment.evaluation": (
        "Evaluation of the assessment",
        "Evaluasi asesmen",
    ),
    "field.plan.focus": (
        "Focus and root of the problem",
        "Fokus dan akar masalah",
    ),
    "field.plan.methods": ("Methods and techniques", "Metode dan teknik"),
    "field.plan.goal_heading": ("Goal {number}", "Tujuan {number}"),
    "field.plan.another_goal": ("Another goal?", "Tambah tujuan lagi?"),
    "field.goal.id": ("Goal id", "Id tujuan"),
    "field.goal.statement": ("Goal statement", "Pernyataan tujuan"),
    "field.goal.success_indicator": (
        "Success indicator",
        "Indikator keberhasilan",
    ),
    "field.goal.another_objective": (
        "Another objective for this goal?",
        "Tambah sasaran lagi untuk tujuan ini?",
    ),
    "field.goal.use_gas": (
        "Give this goal a Goal Attainment Scale?",
        "Beri tujuan ini skala GAS (Goal Attainment Scaling)?",
    ),
    "field.objective.statement": ("Objective", "Sasaran"),
    "field.objective.tasks": ("Tasks of this objective", "Tugas untuk sasaran ini"),
    "field.gas.weight": ("GAS weight", "Bobot GAS"),
    "field.gas.level-2": (
        "GAS -2 (much less than expected)",
        "GAS -2 (jauh di bawah harapan)",
    ),
    "field.gas.level-1": (
        "GAS -1 (less than expected)",
        "GAS -1 (di bawah harapan)",
    ),
    "field.gas.level0": ("GAS 0 (as expected)", "GAS 0 (sesuai harapan)"),
    "field.gas.level1": (
        "GAS +1 (more than expected)",
        "GAS +1 (di atas harapan)",
    ),
    "field.gas.level2": (
        "GAS +2 (much more than expected)",
        "GAS +2 (jauh di atas harapan)",
    ),
    "field.activity.on": (
        "Date of the activity (YYYY-MM-DD)",
        "Tanggal kegiatan (YYYY-MM-DD)",
    ),
    "field.activity.role": ("Your role in it:", "Peran Anda dalam kegiatan:"),
    "field.activity.model": (
        "How it sought change:",
        "Cara mengupayakan perubahan:",
    ),
    "field.activity.description": ("What was done", "Apa yang dilakukan"),
    "field.activity.goal_ids": (
        "Ids of the goals it serves",
        "Id tujuan yang dilayani",
    ),
    "field.activity.serves_goal": (
        "Does it serve goal {goal} ({text})?",
        "Apakah kegiatan ini untuk tujuan {goal} ({text})?",
    ),
    "field.activity.justification": (
        "Why was coercion necessary?",
        "Mengapa paksaan diperlukan?",
    ),
    "field.evaluation.achieved_goal_ids": (
        "Ids of the goals achieved",
        "Id tujuan yang tercapai",
    ),
    "field.evaluation.goal_achieved": (
        "Goal {goal} achieved ({text})?",
        "Tujuan {goal} tercapai ({text})?",
    ),
    "field.evaluation.gas_score": (
        "GAS score of goal {goal}",
        "Skor GAS tujuan {goal}",
    ),
    "field.evaluation.process_note": (
        "How the process went",
        "Bagaimana prosesnya berjalan",
    ),
    "field.evaluation.outcome_note": (
        "What it achieved (outcome)",
        "Apa hasilnya",
    ),
    # demo.
    "demo.title": (
        "helping-process demo: four cases, told as they happened, on a new "
        "temporary database (your own database is not touched):",
        "demo helping-process: empat kasus, diceritakan seperti terjadinya, "
        "pada basis data sementara yang baru (basis data Anda tidak disentuh):",
    ),
    "demo.removed": (
        "The demo's temporary database is removed: nothing was kept. To keep "
        "one and try commands on its cases:",
        "Basis data sementara demo sudah dihapus: tidak ada yang disimpan. "
        "Untuk menyimpannya dan mencoba perintah pada kasus-kasusnya:",
    ),
    "demo.kept": (
        "The demo's database is kept at {path}. Try next:",
        "Basis data demo disimpan di {path}. Coba berikutnya:",
    ),
    "demo.keep_exists": (
        "{path} already exists; the demo never writes over a file. Choose "
        "another --keep path.",
        "{path} sudah ada; demo tidak pernah menimpa berkas. Pilih path "
        "--keep yang lain.",
    ),
    "demo.keep_no_folder": (
        "The folder {folder} does not exist; --keep needs an existing folder.",
        "Folder {folder} tidak ada; --keep memerlukan folder yang sudah ada.",
    ),
    "demo.cannot_write": (
        "The demo cannot write its database in {folder}: {reason}. Nothing was kept.",
        "Demo tidak dapat menulis basis datanya di {folder}: {reason}. Tidak "
        "ada yang disimpan.",
    ),
    "demo.stopped": (
        "The demo was stopped; its temporary database is removed and nothing was kept.",
        "Demo dihentikan; basis data sementaranya sudah dihapus dan tidak ada "
        "yang disimpan.",
    ),
    "demo.s1.title": (
        "A completed case, with a re-plan after a partial evaluation",
        "Kasus yang selesai, dengan rencana ulang setelah evaluasi sebagian",
    ),
    "demo.s2.title": (
        "A residential client who runs away from the panti",
        "Klien panti yang kabur dari panti",
    ),
    "demo.s3.title": (
        "A referral: a problem beyond the agency's capacity",
        "Rujukan: masalah di luar kemampuan lembaga",
    ),
    "demo.s4.title": (
        "A new case, waiting for you at engagement",
        "Kasus baru, menunggu Anda di tahap kontak awal",
    ),
    "demo.opened": (
        "Case {case_id} opened for client {client}.",
        "Kasus {case_id} dibuka untuk klien {client}.",
    ),
    "demo.opened_residential": (
        "Case {case_id} opened for client {client}, who lives in the panti.",
        "Kasus {case_id} dibuka untuk klien {client}, yang tinggal di panti.",
    ),
    "demo.recorded": ("{kind}: {story}", "{kind}: {story}"),
    "demo.moved": ("{source} -> {target}", "{source} -> {target}"),
    "demo.note": ("note: {note}", "catatan: {note}"),
    "demo.refused": ("Refused: {message}", "Ditolak: {message}"),
    "demo.not_refused": (
        "The demo expected a refusal that did not come.",
        "Demo mengharapkan penolakan yang tidak terjadi.",
    ),
    "demo.terminated": ("Terminated: {reason}.", "Diterminasi: {reason}."),
    "demo.sub_reason": ("sub-reason: {sub_reason}", "sub-alasan: {sub_reason}"),
    "demo.referral": ("referred to: {referral}", "dirujuk ke: {referral}"),
    "demo.attainment": (
        "{achieved} of {planned} goals achieved ({percent}%); unmet: {unmet}.",
        "{achieved} dari {planned} tujuan tercapai ({percent}%); belum: {unmet}.",
    ),
    "demo.intake": (
        "eligible; the client is told which resources exist.",
        "memenuhi syarat; klien diberi tahu sumber yang tersedia.",
    ),
    "demo.contract_primary": (
        "a primary contract for one year, all seven elements.",
        "kontrak utama satu tahun, ketujuh unsurnya lengkap.",
    ),
    "demo.contract_preliminary": (
        "a preliminary contract while the problem is assessed.",
        "kontrak awal selama masalah diases.",
    ),
    "demo.s1.engagement": (
        "Andi's mother asks for help: Andi (15) left school a year ago.",
        "Ibu Andi meminta bantuan: Andi (15) putus sekolah setahun lalu.",
    ),
    "demo.s1.intake": (
        "eligible; school support and family counselling.",
        "memenuhi syarat; pendampingan sekolah dan konseling keluarga.",
    ),
    "demo.s1.contract_refused": (
        "drafted, but Andi does not accept it yet.",
        "disusun, tetapi Andi belum menerimanya.",
    ),
    "demo.s1.contract": (
        "Andi accepts the revised contract.",
        "Andi menerima kontrak yang sudah diperbaiki.",
    ),
    "demo.s1.assessment": (
        "costs, lost papers and shame keep Andi out of school.",
        "biaya, dokumen hilang, dan rasa malu menahan Andi bersekolah.",
    ),
    "demo.s1.plan": (
        "five goals (g1-g5): papers, enrolment, PIP aid, attendance, counselling.",
        "lima tujuan (g1-g5): dokumen, pendaftaran, bantuan PIP, kehadiran, konseling.",
    ),
    "demo.s1.activity_broker": (
        "the worker brokers the papers and the PIP school aid.",
        "pekerja sosial menghubungkan dokumen dan bantuan PIP.",
    ),
    "demo.s1.activity_enabler": (
        "family counselling sessions with Andi's mother.",
        "sesi konseling keluarga dengan ibu Andi.",
    ),
    "demo.s1.evaluation": (
        "papers, aid and counselling done; the school refused Andi.",
        "dokumen, bantuan, dan konseling selesai; sekolah menolak Andi.",
    ),
    "demo.s1.replan_note": (
        "Goals g2 and g4 unmet: the school refused mid-year enrolment; "
        "re-plan through the Paket B equivalency programme.",
        "Tujuan g2 dan g4 belum tercapai: sekolah menolak pendaftaran di "
        "tengah tahun; rencana ulang lewat program kesetaraan Paket B.",
    ),
    "demo.s1.plan2": (
        "new plan: enrol Andi in Paket B (g2), attend for two months (g4).",
        "rencana baru: daftar Paket B (g2), hadir dua bulan (g4).",
    ),
    "demo.s1.activity_advocate": (
        "the worker advocates for Andi at the learning centre (PKBM).",
        "pekerja sosial membela Andi di PKBM.",
    ),
    "demo.s1.evaluation2": (
        "every goal of the new plan is achieved.",
        "semua tujuan rencana baru tercapai.",
    ),
    "demo.s1.termination_note": (
        "All agreed goals achieved; Andi attends Paket B classes.",
        "Semua tujuan yang disepakati tercapai; Andi mengikuti kelas Paket B.",
    ),
    "demo.s2.engagement": (
        "the outreach team finds Rina (14) at a bus terminal.",
        "tim penjangkauan menemukan Rina (14) di terminal bus.",
    ),
    "demo.s2.assessment": (
        "family conflict and trauma made Rina run from home.",
        "konflik keluarga dan trauma membuat Rina lari dari rumah.",
    ),
    "demo.s2.plan": (
        "two goals: Rina feels safe in the panti; she meets her mother.",
        "dua tujuan: Rina merasa aman di panti; ia bertemu ibunya.",
    ),
    "demo.s2.activity": (
        "individual counselling with Rina.",
        "konseling individual dengan Rina.",
    ),
    "demo.s2.termination_note": (
        "Rina left the panti at night and did not come back; her family "
        "and the police were told.",
        "Rina meninggalkan panti pada malam hari dan tidak kembali; keluarga "
        "dan polisi sudah diberi tahu.",
    ),
    "demo.s3.engagement": (
        "the neighbourhood head asks for help for Budi (32), who has shut himself in.",
        "ketua RT meminta bantuan untuk Budi (32) yang mengurung diri.",
    ),
    "demo.s3.assessment": (
        "signs of a severe mental disorder, never treated.",
        "tanda gangguan jiwa berat yang belum pernah ditangani.",
    ),
    "demo.s3.referral_to": (
        "Regional psychiatric hospital (RSJ), outpatient psychiatry",
        "Rumah Sakit Jiwa Daerah, poli psikiatri",
    ),
    "demo.s3.termination_note": (
        "Budi needs psychiatric care first; the agency stays in touch with his mother.",
        "Budi memerlukan perawatan psikiatri lebih dulu; lembaga tetap "
        "mendampingi ibunya.",
    ),
    "demo.verifying": ("Verifying the audit trail", "Memverifikasi jejak audit"),
    "demo.try": ("Try next:", "Coba berikutnya:"),
    "help.serve": (
        "Serve the HTTP API (JSON over HTTP, bearer tokens) on the configured "
        "database with uvicorn. Needs the http extra: pip install "
        "'helping-process[http]'. Several processes (--workers, or several "
        "hosts on one PostgreSQL database) are safe together.",
        "Layani API HTTP (JSON lewat HTTP, token bearer) pada basis data yang "
        "dipakai, dengan uvicorn. Memerlukan ekstra http: pip install "
        "'helping-process[http]'. Beberapa proses (--workers, atau beberapa "
        "host pada satu basis data PostgreSQL) aman berjalan bersama.",
    ),
    "help.serve.short": (
        "Serve the HTTP API (needs the http extra).",
        "Layani API HTTP (memerlukan ekstra http).",
    ),
    "opt.host": ("The address to listen on.", "Alamat tempat mendengarkan."),
    "opt.port": ("The TCP port to listen on.", "Port TCP tempat mendengarkan."),
    "opt.workers": (
        "How many server processes to run.",
        "Berapa proses server yang dijalankan.",
    ),
    "serve.needs_extra": (
        "The HTTP API needs the http extra: pip install 'helping-process[http]' "
        "({detail}).",
        "API HTTP memerlukan ekstra http: pip install 'helping-process[http]' "
        "({detail}).",
    ),
    "help.staff": (
        "Manage the staff roster (who may do what) and the API tokens of the HTTP API.",
        "Kelola daftar petugas (siapa boleh melakukan apa) dan token API untuk "
        "API HTTP.",
    ),
    "help.staff.add": (
        "Add staff member ID to the roster with one or more roles (worker, "
        "supervisor, auditor, admin). The first member of an empty roster must "
        "be an admin; after that only an active admin changes the roster, and "
        "every command's actor must be an active member.",
        "Tambahkan petugas ID ke daftar petugas dengan satu peran atau lebih "
        "(worker, supervisor, auditor, admin). Petugas pertama pada daftar yang "
        "masih kosong harus admin; sesudahnya hanya admin aktif yang mengubah "
        "daftar, dan petugas setiap perintah harus petugas aktif.",
    ),
    "help.staff.set_role": (
        "Replace staff member ID's roles (give --role once per role).",
        "Ganti peran petugas ID (berikan --role sekali untuk setiap peran).",
    ),
    "help.staff.deactivate": (
        "Deactivate staff member ID, with a note saying why: they may do "
        "nothing more, and stay on the roster and in every trail.",
        "Nonaktifkan petugas ID, dengan catatan alasannya: ia tidak boleh "
        "melakukan apa pun lagi, dan tetap tercatat dalam daftar dan setiap jejak.",
    ),
    "help.staff.list": (
        "List the staff roster: every member, their roles, active or not.",
        "Tampilkan daftar petugas: setiap petugas, perannya, aktif atau tidak.",
    ),
    "opt.staff_name": ("The member's name.", "Nama petugas."),
    "opt.staff_role": (
        "A role the member holds: worker, supervisor, auditor or admin "
        "(repeat for several).",
        "Peran yang dipegang petugas: worker, supervisor, auditor atau admin "
        "(ulangi untuk beberapa peran).",
    ),
    "opt.staff_note": (
        "Why the member is deactivated.",
        "Alasan petugas dinonaktifkan.",
    ),
    "staff.add": (
        "Added {member} to the staff roster as {roles} (roster change {seq}).",
        "{member} ditambahkan ke daftar petugas sebagai {roles} "
        "(perubahan daftar ke-{seq}).",
    ),
    "staff.set_role": (
        "{member} now holds {roles} (roster change {seq}).",
        "{member} kini memegang peran {roles} (perubahan daftar ke-{seq}).",
    ),
    "staff.deactivate": (
        "{member} is deactivated (roster change {seq}).",
        "{member} dinonaktifkan (perubahan daftar ke-{seq}).",
    ),
    "staff.empty": (
        "The staff roster is empty: actors are not checked.",
        "Daftar petugas masih kosong: petugas tidak diperiksa.",
    ),
    "staff.active": ("active", "aktif"),
    "staff.inactive": ("inactive", "nonaktif"),
    "staff.blank_name": (
        "The member's name must not be blank.",
        "Nama petugas tidak boleh kosong.",
    ),
    "staff.blank_note": (
        "The note must say why the member is deactivated.",
        "Catatan harus menyebut alasan petugas dinonaktifkan.",
    ),
    "staff.token_not_member": (
        "{member} is not an active member of the staff roster; no token is issued.",
        "{member} bukan petugas aktif dalam daftar petugas; token tidak diterbitkan.",
    ),
    "help.audit.access": (
        "List the access log: who read which case (or every case), when, and "
        "how (show, history, export, report). With CASE, the reads of that "
        "case and the reads of every case. The log is hash-chained and "
        "'audit verify' checks it.",
        "Tampilkan log akses: siapa membaca kasus mana (atau semua kasus), "
        "kapan, dan bagaimana (show, history, export, report). Dengan CASE, "
        "pembacaan kasus itu dan pembacaan semua kasus. Log ini dirantai "
        "dengan hash dan diperiksa oleh 'audit verify'.",
    ),
    "help.audit.access.short": (
        "Who read which case, and when.",
        "Siapa membaca kasus mana, dan kapan.",
    ),
    "access.empty": ("Nobody has read a case yet.", "Belum ada yang membaca kasus."),
    "access.all": ("(every case)", "(semua kasus)"),
    "info.actors": ("actors", "petugas"),
    "info.actors.checked": (
        "checked against the staff roster ({count} active)",
        "diperiksa terhadap daftar petugas ({count} aktif)",
    ),
    "info.actors.unchecked": (
        "not checked (the staff roster is empty)",
        "tidak diperiksa (daftar petugas masih kosong)",
    ),
    "help.staff.token": (
        "Issue an API token for staff member ID. The token is shown once and "
        "stored only as a hash; every command sent with it is recorded as ID's.",
        "Terbitkan token API untuk anggota staf ID. Token hanya ditampilkan "
        "sekali dan disimpan sebagai hash saja; setiap perintah yang dikirim "
        "dengannya dicatat atas nama ID.",
    ),
    "help.staff.revoke": (
        "Revoke staff member ID's API tokens (or only the one given with --token).",
        "Cabut token API anggota staf ID (atau hanya yang diberikan dengan --token).",
    ),
    "opt.token": (
        "Revoke only this token.",
        "Cabut hanya token ini.",
    ),
    "staff.token_issued": (
        "API token for {actor} (shown only now; keep it secret):",
        "Token API untuk {actor} (hanya ditampilkan sekarang; rahasiakan):",
    ),
    "staff.revoked": (
        "Revoked {count} API {count:token|tokens} of {actor}.",
        "{count} token API milik {actor} dicabut.",
    ),
    "staff.blank_id": (
        "The staff member's ID must not be blank.",
        "ID anggota staf tidak boleh kosong.",
    ),
    "help.process.schema": (
        "Print the JSON Schema (draft 2020-12) of a record kind, generated from "
        "the process definition: fields, types, codes, ranges, labels.",
        "Cetak JSON Schema (draft 2020-12) suatu jenis catatan, dibuat dari "
        "definisi proses: isian, tipe, kode, rentang, label.",
    ),
    "help.process.template": (
        "Print a fill-in JSON document of a record kind with every field, to "
        "edit and give to 'case record --file'.",
        "Cetak dokumen JSON isian suatu jenis catatan dengan setiap isiannya, "
        "untuk disunting lalu diberikan ke 'case record --file'.",
    ),
    "opt.process_ref": (
        "The process definition (NAME@VERSION, or NAME for its newest). "
        "Default: the default definition.",
        "Definisi proses (NAMA@VERSI, atau NAMA untuk versi terbarunya). "
        "Bawaan: definisi bawaan.",
    ),
    "process.unknown_kind": (
        "Process {ref} has no record kind {name}; it has: {kinds}.",
        "Proses {ref} tidak memiliki jenis catatan {name}; yang ada: {kinds}.",
    ),
}
