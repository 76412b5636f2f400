"""Roster import and export (issue 7, part 4): a member register from a spreadsheet, and back.

Files (``columns.py``, ``sheets.py``): one sheet 党员名册 with the template's Chinese headers
(姓名, 性别, 公民身份号码, 手机号码, 出生日期, 民族, 学历, 入党日期, 党员类型(正式/预备),
所在党组织编码, 工作单位, 党内职务, 技能特长, 家庭住址, 党员卡号) and an instructions sheet 填写说明.
XLSX is read with python-calamine (bench/roster_import.py: about 10x openpyxl's read-only mode on
the county's file); formulas are never executed (their cached values are read) and workbooks
with macros are refused. CSV: UTF-8 with or without a BOM, else GB18030 (what Chinese Excel
saves), the encoding read named in the job. Dates as Excel dates or serials, 2005-07-01,
2005/7/1, 2005年7月1日, 2005.7.1, 20050701. Limits (config ``ROSTER``): 20 MB, 60,000 rows.
The headers are found in the first of the first ten rows that names three of them (a title may
stand above); row numbers stay the file's. Unknown headers are listed and ignored; a file without the required columns, not a
spreadsheet, too large or too long is refused at upload (InvalidInput: nothing is stored but
its chunks).

The file travels in chunks of 512 KB, base64 in the RPC (``put_roster_chunk``, keyed by the
file's sha256, so a chunk sent again changes nothing), and is kept in ``roster_chunks`` (the
embedded engine is SQLite-backed: documents well under a MB each), encrypted with the personal
data key (a roster holds ID numbers, phones and addresses). The job (``roster_imports``,
``domain.ImportJob``) names the file by its hash; its id is a hash of (file, organization,
uploader), so the same upload answers the job it already has. States: queued → checking →
checked → importing → done, or failed (a file that cannot be read any more).

Jobs run on the members service's timer (``run_roster_imports``, every second), each under a
lease (``lease_until``) so that one process works on it and a job whose worker died is taken up
again; the handlers yield between batches (``RosterSettings.pause``: eventlet.sleep(0)).

Dry run (``checking.py``): every row is checked by the register's own rules, reused:
``schemas.RegisterMember`` (fields), ``idcard`` (which of shape / check digit / birth date is
wrong), ``Member.register`` (birth date against the ID number, age at joining) and lifecycle's
``change_profile`` (民族, 学历, 工作单位, 党内职务, 家庭住址; a registered member's changes).
Then across the file: the same person (ID number) or card in several rows refuses every one of
them; and against the register (persons and cards read in batches by ``$in``): a person
registered outside the caller's area (or the job's organization) is refused without saying
where, one registered in another organization of the area is to be transferred, a card held by
another member is refused, and a registered member's row may change only the profile (name,
phone, status, card and organization differ → refused: they have their own procedures). Each
problem is stored (``roster_problems``: row, column header, the value masked, the reason in
Chinese) and paged by the console; the counts say what the import would do (new, updates,
unchanged, refused).

Import (``importing.run_import``): from ``next_row`` in batches (``batch``, 500): the rows the
dry run refused are skipped, the others checked again against the register as it is now (a row
refused now is listed too, counted ``failed``), new persons registered through
``handlers.register_members`` with their profile columns (one write; counters once per
organization; a batch refused as a whole is registered row by row), and changed profiles saved
through ``change_profile`` with ``member_updated``. Progress (``next_row``, counts) is saved after
each batch, so a crash resumes at the batch it was in, and that batch done again registers
nobody twice (the register finds the person) and changes nothing (the same profile is no
change); importing the same file again creates and changes nothing.

Report: the uploaded rows as XLSX with an added 错误说明 column (reasons by row; unknown columns
in the header's cell). Export (``exporting.py``): an organization's members (own or subtree,
one status) in the template's columns plus 党员编号 and 党员状态, paged by the name index and
written as they come (openpyxl write-only); masked, or for staff with a reason in full (one
audit entry with the member ids, count and reason); organization by organization through the
children index, each one's members by name (a subtree-wide page by name would sort the whole
subtree for every page on the embedded engine). Reports and exports are kept, encrypted, for
their maker only (``roster_files``), read back in chunks (``read_roster_file``) once: the file
is removed with its last chunk.

No events of its own: registrations publish ``member_registered``, profile changes
``member_updated`` (lifecycle's).

Retention (an hourly timer, ``purge_roster_files``; whole UTC days through
services/infra/retention.py): an uploaded file is kept ``upload_days`` (7) from its last upload
(its job, problems and counts stay: the report then says to upload it again), a report or an
export nobody read to the end ``made_days`` (1).
"""
