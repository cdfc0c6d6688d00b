"""The registry's Python API (what ``hpcarbon registry …`` and the service call).

    reg = Registry.open("registry.sqlite")            # or a postgresql+psycopg:// URL; create=True to init
    outcome = reg.accept(Path("申报.xlsx"), operator="王工")   # validate + check + record, one transaction
    outcome = reg.check(Path("申报.xlsx"))            # the same, recording nothing
    reg.withdraw(7, reason="…", operator="王工")
    reg.list(project="CC-2024-001"); reg.show(7); reg.verify(); reg.backup(Path("copy.sqlite"))

Accepting validates the file first (outside any lock: it is the slow part), then, in one write transaction
holding the registry's write lock, checks it against everything accepted before and records it — the
declaration row, its types and meters, the archived file, the ``accepted`` event and any §6.2.4.3
corrections — or nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy import exists, func, select

from hpcarbon.exit_codes import ExitCode
from hpcarbon.findings import CATALOG, Finding, Location, Severity
from hpcarbon.privacy import declared_owner_personal, mask_value
from hpcarbon.registry import chain
from hpcarbon.registry.checks import CheckOutcome, Correction, registry_findings
from hpcarbon.registry.database import (RegistryError, current_revision, open_engine, read_transaction,
                                        write_transaction)
from hpcarbon.registry.records import Record, record_of
from hpcarbon.seasons import project_key
from hpcarbon.registry.schema import archive, corrections, declaration_types, declarations, events, meters
from hpcarbon.registry.submission import Submission, validate_submission
from hpcarbon.report import Report, Verdict

__all__ = ["Outcome", "OutcomeStatus", "Registry", "RegistryError", "DeclarationSummary", "VerifyResult"]

#: Test hook (never set in production): ``kill:<point>`` kills this process with SIGKILL at that point of an
#: accept, ``pause:<point>:<seconds>`` sleeps there — how the tests stop a real process mid-transaction.
TEST_HOOK_ENV = "HPCARBON_REGISTRY_TEST_HOOK"


def _hook(point: str) -> None:
    spec = os.environ.get(TEST_HOOK_ENV)
    if not spec:
        return
    action, _, rest = spec.partition(":")
    where, _, arg = rest.partition(":")
    if where != point:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "pause":
        time.sleep(float(arg or 1))


class OutcomeStatus(StrEnum):
    """What accept or check made of one file (its text is what the JSON outputs carry)."""

    ACCEPTED = "accepted"  # recorded now
    ALREADY = "already"  # the same SHA-256 was accepted before: nothing recorded
    PASSED = "passed"  # check only: would be accepted
    REFUSED = "refused"  # error findings: nothing recorded
    UNREADABLE = "unreadable"  # not a declaration

    @property
    def exit_code(self) -> ExitCode:
        return {OutcomeStatus.REFUSED: ExitCode.FINDINGS,
                OutcomeStatus.UNREADABLE: ExitCode.UNREADABLE}.get(self, ExitCode.OK)


@dataclass
class Outcome:
    """What accept or check made of one file."""

    file: str
    status: OutcomeStatus
    report: Report
    declaration_id: int | None = None
    corrections: list[Correction] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return self.status.exit_code


@dataclass(frozen=True)
class DeclarationSummary:
    id: int
    project_id: str
    season_start: date
    season_end: date
    status: str
    method: str
    creditable_reductions_t: float
    corrected_creditable_t: float | None  # the latest §6.2.4.3 correction, if any
    needs_correction: bool
    records_keep_until: date
    operator: str
    accepted_at: str
    file_name: str
    sha256: str

    def to_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()}


@dataclass
class VerifyResult:
    problems: list[chain.Problem]
    events: int
    files: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _finding_data(f: Finding) -> dict:
    # severity and clause as the rule set them (a heat-metered type's 表8 shortfall is a warning, the kind's
    # default an error); params as the numbers they are, rendered when shown
    return {"code": f.code, "severity": f.severity.value, "clause": f.clause, "params": dict(f.params), "field": f.field,
            "sheet": f.location.sheet if f.location else None, "cell": f.location.cell if f.location else None}


def _finding_from(data: dict) -> Finding:
    """A stored finding; one recorded before severity and clause were stored takes the catalogue's."""
    kind = CATALOG[data["code"]]
    loc = Location(data["sheet"], data["cell"]) if data.get("sheet") or data.get("cell") else None
    severity = Severity(data["severity"]) if data.get("severity") else kind.severity  # older rows: the default
    return Finding(kind.code, severity, data.get("clause") or kind.clause, data.get("params") or {},
                   data.get("field"), loc)


def personal_of(declaration: dict) -> dict[str, str]:
    """An individual owner's name, ID and phone → masked (SPEC §10); {} for an enterprise."""
    return declared_owner_personal((declaration.get("project") or {}).get("owner"))


class Registry:
    def __init__(self, engine, location: str):
        self.engine = engine
        self.location = location

    # -- opening --------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, location: str, create: bool = False) -> "Registry":
        """Open a registry (a SQLite path or a database URL), migrating its schema to this version; with
        ``create`` an empty database (or a new SQLite file) is initialised. Raises :class:`RegistryError`."""
        return cls(open_engine(location, create=create), location)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def revision(self) -> str | None:
        with read_transaction(self.engine) as conn:
            return current_revision(conn)

    # -- check and accept -----------------------------------------------------------------------------------
    def check(self, path: Path) -> Outcome:
        """Everything :meth:`accept` does but recording."""
        return self._check(validate_submission(path))

    def check_batch(self, paths: list[Path]) -> list[Outcome]:
        """:meth:`check` of several files, which are also checked against each other (the batch checks of
        ``hpcarbon validate``): accepting them one after another would refuse the later of two overlapping."""
        # the validator and the layout (openpyxl) load when a file is checked, not for `registry list`
        from hpcarbon.validator.crossfile import cross_file_findings, season_record

        subs = [validate_submission(p) for p in paths]
        outcomes = [self._check(sub) for sub in subs]
        records = [None if sub.unreadable else season_record(sub.report, str(sub.path), sub.locate) for sub in subs]
        for i, found in cross_file_findings(records).items():
            outcomes[i].report.findings.extend(f if f.location is not None else f.located(None, None) for f in found)
            if outcomes[i].status is OutcomeStatus.PASSED and outcomes[i].report.status is Verdict.FAIL:
                outcomes[i].status = OutcomeStatus.REFUSED
        return outcomes

    def _check(self, sub: Submission) -> Outcome:
        if sub.unreadable or not _computable(sub):
            return _outcome(sub, None)
        rec = record_of(sub.report.declaration, sub.report.accounting)
        with read_transaction(self.engine) as conn:
            checked = registry_findings(conn, rec, sub.sha256)
        return _outcome(sub, checked, recording=False)

    def accept(self, path: Path, operator: str, file_name: str | None = None) -> Outcome:
        """Validate ``path`` and, if it passes the validator and the registry checks, record it. ``file_name``:
        the name to record (an upload's own name when ``path`` is a temporary copy); default ``path``'s name."""
        if not operator or not operator.strip():
            raise RegistryError("须指明经办人 --operator / an operator (--operator) is required")
        sub = validate_submission(path)
        if sub.unreadable or not _computable(sub):
            return _outcome(sub, None)
        rec = record_of(sub.report.declaration, sub.report.accounting)
        with write_transaction(self.engine) as conn:
            _hook("locked")
            checked = registry_findings(conn, rec, sub.sha256)
            _hook("checked")
            out = _outcome(sub, checked, recording=True)
            if out.status is not OutcomeStatus.ACCEPTED:
                return out  # nothing written: the transaction ends empty
            out.declaration_id = self._record(conn, sub, rec, checked, operator.strip(), file_name or sub.path.name)
        _hook("committed")
        return out

    def registry_findings(self, report: Report, locate=None) -> list[Finding]:
        """The registry's findings for a report the validator made (``hpcarbon validate --registry``),
        located with ``locate(field_path) → (sheet, cell)`` when given."""
        if not _complete(report):
            return []
        rec = record_of(report.declaration, report.accounting)
        with read_transaction(self.engine) as conn:
            found = registry_findings(conn, rec, report.meta.get("sha256")).findings
        if locate is None:
            return found
        out = []
        for f in found:
            where = locate(f.field) if f.field else None
            out.append(f.located(*where) if where else f)
        return out

    def _record(self, conn, sub: Submission, rec: Record, checked: CheckOutcome, operator: str, file_name: str) -> int:
        at = chain.now_iso()
        res = sub.report.accounting.results
        kept = [_finding_data(f) for f in sub.report.findings]
        if not conn.execute(select(exists().where(archive.c.sha256 == sub.sha256))).scalar():
            conn.execute(archive.insert().values(sha256=sub.sha256, size=len(sub.content), compression="zlib",
                                                 content=zlib.compress(sub.content, 9)))
        _hook("archived")
        new_id = conn.execute(declarations.insert().values(
            sha256=sub.sha256, file_name=file_name, file_kind=sub.kind, project_id=rec.project_id,
            project_key=rec.project_key, project_name=rec.project_name, address=rec.address,
            address_key=rec.address_key, season_start=rec.season_start, season_end=rec.season_end,
            method=rec.method, heating_hours=rec.heating_hours, heat_supplied_gj=rec.heat_supplied_gj,
            ef_heat=rec.ef_heat, project_emissions_t=rec.project_emissions_t,
            creditable_reductions_t=rec.creditable_reductions_t, parameter_version=rec.parameter_version,
            template_version=sub.template_version, records_keep_until=rec.records_keep_until,
            boundary=chain.canonical_json(rec.boundary), declaration=chain.canonical_json(rec.declaration),
            results=chain.canonical_json(res.to_dict()),
            trace=chain.canonical_json([s.to_dict() for s in sub.report.accounting.trace]),
            findings=json.dumps(kept, ensure_ascii=False, default=str), operator=operator, accepted_at=at,
            status="accepted").returning(declarations.c.id)).scalar_one()
        for kind in rec.metered_types + rec.estimated_types:
            conn.execute(declaration_types.insert().values(declaration_id=new_id, type=kind,
                                                           metered=kind in rec.metered_types))
        seen = set()
        for m in rec.meters:
            if (m.kind, m.key) not in seen:  # one device named twice in one declaration is one claim
                seen.add((m.kind, m.key))
                conn.execute(meters.insert().values(declaration_id=new_id, kind=m.kind, meter_key=m.key,
                                                    meter_id=m.meter_id, type=m.type))
        _hook("declared")
        row = conn.execute(select(declarations).where(declarations.c.id == new_id)).one()
        chain.append_event(conn, "accepted", new_id, operator,
                           {"record_sha256": chain.row_digest(row), "file_sha256": sub.sha256,
                            "project_id": rec.project_id, "season": [rec.season_start.isoformat(),
                                                                     rec.season_end.isoformat()]}, at=at)
        for fix in checked.corrections:
            self._correct(conn, fix, new_id, operator, at)
        _hook("recorded")
        return new_id

    @staticmethod
    def _correct(conn, fix: Correction, by_id: int, operator: str, at: str) -> None:
        seq = conn.execute(select(func.coalesce(func.max(events.c.seq), 0))).scalar() + 1
        cid = conn.execute(corrections.insert().values(
            declaration_id=fix.declaration_id, by_declaration_id=by_id, event_seq=seq,
            heat_supplied_gj=fix.heat_supplied_gj, baseline_emissions_t=fix.baseline_emissions_t,
            emission_reductions_t=fix.emission_reductions_t,
            creditable_reductions_t=fix.creditable_reductions_t).returning(corrections.c.id)).scalar_one()
        row = conn.execute(select(corrections).where(corrections.c.id == cid)).one()
        got = chain.append_event(conn, "corrected", fix.declaration_id, operator,
                                 {**fix.payload(), "by_declaration": by_id, "correction_sha256": chain.row_digest(row)},
                                 at=at)
        assert got == seq  # the write lock is held: nobody else appends meanwhile

    # -- withdraw -------------------------------------------------------------------------------------------
    def withdraw(self, declaration_id: int, reason: str, operator: str) -> int:
        """Mark a declaration withdrawn (never deleted), with who, when and why; returns the event number."""
        if not reason or not reason.strip():
            raise RegistryError("须说明撤回理由 --reason / a reason (--reason) is required")
        if not operator or not operator.strip():
            raise RegistryError("须指明经办人 --operator / an operator (--operator) is required")
        with write_transaction(self.engine) as conn:
            status = conn.execute(select(declarations.c.status).where(declarations.c.id == declaration_id)).scalar()
            if status is None:
                raise RegistryError(f"登记簿中没有申报 #{declaration_id} / no declaration #{declaration_id} in the "
                                    "registry")
            if status == "withdrawn":
                raise RegistryError(f"申报 #{declaration_id} 已撤回 / declaration #{declaration_id} is withdrawn already")
            conn.execute(declarations.update().where(declarations.c.id == declaration_id).values(status="withdrawn"))
            return chain.append_event(conn, "withdrawn", declaration_id, operator.strip(), {"reason": reason.strip()})

    # -- reading --------------------------------------------------------------------------------------------
    def list(self, project: str | None = None, status: str | None = None, needs_correction: bool = False,
             keep_before: date | None = None) -> list[DeclarationSummary]:
        """Declarations, oldest first; ``keep_before``: those whose records may be purged (records_keep_until
        before that date)."""
        return list(self.iter_summaries(project, status, needs_correction, keep_before))

    def iter_summaries(self, project=None, status=None, needs_correction=False, keep_before=None):
        d = declarations
        latest = standing_corrections()
        q = (select(d.c.id, d.c.project_id, d.c.season_start, d.c.season_end, d.c.status, d.c.method,
                    d.c.creditable_reductions_t, latest.c.corr, d.c.records_keep_until, d.c.operator, d.c.accepted_at,
                    d.c.file_name, d.c.sha256)
             .outerjoin(latest, latest.c.declaration_id == d.c.id).order_by(d.c.id))
        if project:
            q = q.where(d.c.project_key == project_key(project))
        if status:
            q = q.where(d.c.status == status)
        if needs_correction:
            q = q.where(latest.c.corr.is_not(None), d.c.status == "accepted")
        if keep_before:
            q = q.where(d.c.records_keep_until < keep_before)
        with read_transaction(self.engine) as conn:
            for r in conn.execution_options(yield_per=1000).execute(q):
                yield DeclarationSummary(r.id, r.project_id, r.season_start, r.season_end, r.status, r.method,
                                         r.creditable_reductions_t, r.corr, r.corr is not None and r.status == "accepted",
                                         r.records_keep_until, r.operator, r.accepted_at, r.file_name, r.sha256)

    def show(self, declaration_id: int, lang: str = "zh") -> dict | None:
        """Everything recorded about one declaration (results, findings, trace, boundary, corrections, history),
        personal data masked; None when there is no such declaration."""
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(declarations).where(declarations.c.id == declaration_id)).first()
            if row is None:
                return None
            history = conn.execute(select(events).where(events.c.declaration_id == declaration_id)
                                   .order_by(events.c.seq)).all()
            fixes = conn.execute(select(corrections).where(corrections.c.declaration_id == declaration_id)
                                 .order_by(corrections.c.id)).all()
        decl = json.loads(row.declaration)
        owner = (decl.get("project") or {}).get("owner") or {}
        out = {
            "id": row.id, "status": row.status, "file": row.file_name, "file_kind": row.file_kind,
            "sha256": row.sha256, "project": {"id": row.project_id, "name": row.project_name,
                                              "owner": {"type": owner.get("type"), "name": owner.get("name"),
                                                        "id_number": owner.get("id_number"),
                                                        "phone": owner.get("phone")}},
            "season": {"start": row.season_start.isoformat(), "end": row.season_end.isoformat()},
            "parameter_version": row.parameter_version, "template_version": row.template_version,
            "records_keep_until": row.records_keep_until.isoformat(), "operator": row.operator,
            "accepted_at": row.accepted_at, "boundary": json.loads(row.boundary), "results": json.loads(row.results),
            "findings": [_finding_from(f).to_dict(lang) for f in json.loads(row.findings)],
            "corrections": [{"by_declaration": c.by_declaration_id, "event": c.event_seq,
                             "heat_supplied_gj": c.heat_supplied_gj, "baseline_emissions_t": c.baseline_emissions_t,
                             "emission_reductions_t": c.emission_reductions_t,
                             "creditable_reductions_t": c.creditable_reductions_t} for c in fixes],
            "history": [{"event": e.seq, "kind": e.kind, "at": e.at, "operator": e.operator,
                         "details": json.loads(e.payload), "hash": e.hash} for e in history],
            "trace": json.loads(row.trace),
        }
        personal = personal_of(decl)
        return {k: v if k in ("sha256",) else mask_value(v, personal) for k, v in out.items()}

    def archived_file(self, sha256: str) -> bytes | None:
        """The submitted file as archived (decompressed), or None."""
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(archive.c.content).where(archive.c.sha256 == sha256)).first()
        return zlib.decompress(row.content) if row else None

    def export_rows(self):
        """One dict per declaration for export (personal data masked), streamed."""
        with read_transaction(self.engine) as conn:
            latest = standing_corrections()
            q = (select(declarations, latest.c.corr).outerjoin(latest, latest.c.declaration_id == declarations.c.id)
                 .order_by(declarations.c.id))
            for r in conn.execution_options(yield_per=500).execute(q):
                decl = json.loads(r.declaration)
                res = json.loads(r.results)
                owner = (decl.get("project") or {}).get("owner") or {}
                item = {"id": r.id, "sha256": r.sha256, "file": r.file_name, "project_id": r.project_id,
                        "project_name": r.project_name, "owner_type": owner.get("type"),
                        "owner_name": owner.get("name"), "owner_id_number": owner.get("id_number"),
                        "address": r.address, "season_start": r.season_start.isoformat(),
                        "season_end": r.season_end.isoformat(), "status": r.status, "method": r.method,
                        "heat_supplied_gj": res.get("heat_supplied_gj"),
                        "baseline_emissions_t": res.get("baseline_emissions_t"),
                        "project_emissions_t": res.get("project_emissions_t"),
                        "emission_reductions_t": res.get("emission_reductions_t"),
                        "creditable_reductions_t": res.get("creditable_reductions_t"),
                        "corrected_creditable_t": r.corr, "parameter_version": r.parameter_version,
                        "template_version": r.template_version, "records_keep_until": r.records_keep_until.isoformat(),
                        "operator": r.operator, "accepted_at": r.accepted_at}
                personal = personal_of(decl)
                yield {k: v if k == "sha256" else mask_value(v, personal) for k, v in item.items()}

    # -- integrity and backup -------------------------------------------------------------------------------
    def verify(self) -> VerifyResult:
        """Recompute the event chain, compare every row with its event's digest, and hash every archived file."""
        with read_transaction(self.engine) as conn:
            problems = list(chain.verify_chain(conn))
            n_events = conn.execute(select(func.count()).select_from(events)).scalar()
            files = 0
            for a in conn.execution_options(yield_per=50).execute(select(archive)):
                files += 1
                try:
                    content = zlib.decompress(a.content)
                except zlib.error:
                    content = None
                if content is None or hashlib.sha256(content).hexdigest() != a.sha256 or len(content) != a.size:
                    problems.append(chain.Problem(f"存档文件 {a.sha256} 的内容与其 SHA-256 不符",
                                                  f"the archived file {a.sha256} does not match its SHA-256"))
            missing = conn.execute(select(declarations.c.id, declarations.c.sha256)
                                   .where(~exists().where(archive.c.sha256 == declarations.c.sha256))).all()
            for m in missing:
                problems.append(chain.Problem(f"申报 #{m.id} 的存档文件缺失", f"the archived file of declaration #{m.id} "
                                              "is missing", declaration=m.id))
        return VerifyResult(problems, n_events, files)

    def backup(self, dest: Path, force: bool = False) -> None:
        """A consistent copy of a SQLite registry while it is in use (SQLite's online backup)."""
        if self.engine.dialect.name != "sqlite":
            raise RegistryError("PostgreSQL 登记簿请用 pg_dump 或 pg_basebackup 备份（见 README）/ back up a PostgreSQL "
                                "registry with pg_dump or pg_basebackup (see the README)")
        dest = Path(dest)
        if dest.exists() and not force:
            raise RegistryError(f"{dest} 已存在，如需覆盖请加 --force / {dest} exists; add --force to overwrite")
        if not dest.parent.is_dir():
            raise RegistryError(f"文件夹 {dest.parent} 不存在 / the folder {dest.parent} does not exist")
        tmp = dest.with_name(f".{dest.name}.part")
        tmp.unlink(missing_ok=True)
        raw = self.engine.raw_connection()
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)
            finally:
                target.close()
        finally:
            raw.close()
        os.replace(tmp, dest)


def standing_corrections():
    """Per declaration, the lowest creditable amount a correction gives it — counting only corrections whose
    metered season is itself still accepted (a withdrawn metered season corrects nothing)."""
    basis = declarations.alias("basis")
    return (select(corrections.c.declaration_id, func.min(corrections.c.creditable_reductions_t).label("corr"))
            .join(basis, basis.c.id == corrections.c.by_declaration_id).where(basis.c.status == "accepted")
            .group_by(corrections.c.declaration_id).subquery())


def _computable(sub: Submission) -> bool:
    return _complete(sub.report)


def _complete(r: Report) -> bool:
    """Every result computed from a declaration whose every field is valid (a draft — placeholders where
    fields are invalid — or a result lacking an input makes no record)."""
    return (r.declaration is not None and not r.invalid_fields and r.accounting is not None
            and r.accounting.results is not None and not r.accounting.results.unavailable)


def _outcome(sub: Submission, checked: CheckOutcome | None, recording: bool = False) -> Outcome:
    report = sub.report
    if checked is not None:
        report.findings.extend(sub.located(checked.findings))
    if sub.unreadable:
        return Outcome(str(sub.path), OutcomeStatus.UNREADABLE, report)
    if checked is not None and checked.already is not None and checked.already.status == "accepted":
        return Outcome(str(sub.path), OutcomeStatus.ALREADY, report, declaration_id=checked.already.id)
    if any(f.severity is Severity.error for f in report.findings) or checked is None:
        return Outcome(str(sub.path), OutcomeStatus.REFUSED, report)
    return Outcome(str(sub.path), OutcomeStatus.ACCEPTED if recording else OutcomeStatus.PASSED, report,
                   corrections=list(checked.corrections))


_OPEN: dict[str, Registry] = {}  # one per registry location and process (validate's workers)


def add_registry_findings(location: str, result) -> None:
    """``hpcarbon validate --registry``: add the registry's findings to a validator ``FileResult``'s report,
    located at the workbook's cells."""
    from hpcarbon.workbook.layout import cell_of  # the validator's caller has it loaded; `registry list` does not

    report = result.report
    if result.unreadable or not _complete(report):
        return
    reg = _OPEN.get(location)
    if reg is None:
        reg = _OPEN[location] = Registry.open(location)
    decl = report.declaration
    found = reg.registry_findings(report, locate=lambda p: cell_of(p, decl))
    report.findings.extend(f if f.location is not None else f.located(None, None) for f in found)
