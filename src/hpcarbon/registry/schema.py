"""The registry's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

The migration scripts in :mod:`hpcarbon.registry.migrations` create and evolve them; this module is what
the code reads and writes with. A change here goes with a new migration script.

* ``declarations`` — one row per accepted declaration: who, what season, the accounting boundary, the
  results and full trace (JSON text), its status (accepted | withdrawn);
* ``declaration_types`` / ``meters`` — the boundary again, one row per type / meter id, indexed, so the
  checks against everything accepted before are index look-ups, never scans (§7.3.3, §6.2.4.3);
* ``archive`` — every submitted file, content-addressed by SHA-256, compressed;
* ``events`` — the append-only log (accepted, withdrawn, corrected …), each event carrying the hash of the
  one before (§7.3.2 不可篡改);
* ``corrections`` — the §6.2.4.3 corrections an earlier estimate received from a later metered season.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        String, Table, Text)

metadata = MetaData()

declarations = Table(
    "declarations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("file_name", Text, nullable=False),
    Column("file_kind", String(8), nullable=False),  # xlsx | json
    Column("project_id", Text, nullable=False),  # as declared (filing number)
    Column("project_key", Text, nullable=False),  # normalised: compared trimmed, NFKC, upper case
    Column("project_name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("address_key", Text, nullable=False),  # normalised address (see checks.address_key)
    Column("season_start", Date, nullable=False),
    Column("season_end", Date, nullable=False),
    Column("method", String(16), nullable=False),  # metered | estimated | mixed
    Column("heating_hours", Float, nullable=False),
    Column("heat_supplied_gj", Float, nullable=False),
    Column("ef_heat", Float, nullable=False),  # of the parameter set applied, for corrections
    Column("project_emissions_t", Float, nullable=False),
    Column("creditable_reductions_t", Float, nullable=False),
    Column("parameter_version", Text, nullable=False),
    Column("template_version", Text),  # None for a JSON declaration
    Column("records_keep_until", Date, nullable=False),
    Column("boundary", Text, nullable=False),  # JSON: types, meters, total-output meter, areas, address
    Column("declaration", Text, nullable=False),  # JSON interchange form of the declaration (SPEC §11)
    Column("results", Text, nullable=False),  # JSON: accounting.Results.to_dict()
    Column("trace", Text, nullable=False),  # JSON: the full calculation trace
    Column("findings", Text, nullable=False),  # JSON: the warnings and infos it was accepted with, each with
    # its own severity and clause (rows written before those were stored take the catalogue's)
    Column("operator", Text, nullable=False),
    Column("accepted_at", Text, nullable=False),  # ISO 8601 UTC (the same text on every database)
    Column("status", String(16), nullable=False),  # accepted | withdrawn
    Index("ix_declarations_project", "project_key", "season_start"),
    Index("ix_declarations_address", "address_key", "season_start"),
    Index("ix_declarations_keep", "records_keep_until"),
)

declaration_types = Table(
    "declaration_types", metadata,
    Column("declaration_id", Integer, ForeignKey("declarations.id"), primary_key=True),
    Column("type", String(16), primary_key=True),  # ground | air | wastewater
    Column("metered", Boolean, nullable=False),  # own heat meter or the total-output meter
)

meters = Table(
    "meters", metadata,
    Column("declaration_id", Integer, ForeignKey("declarations.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),  # electricity | heat | total
    Column("meter_key", Text, primary_key=True),  # normalised id
    Column("meter_id", Text, nullable=False),  # as declared
    Column("type", String(16)),  # the system's type; None for the total-output meter
    Index("ix_meters_key", "meter_key"),
)

archive = Table(
    "archive", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("compression", String(8), nullable=False),  # zlib
    Column("content", LargeBinary, nullable=False),
)

events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # 1, 2, 3 … (chain order)
    Column("kind", String(16), nullable=False),  # accepted | withdrawn | corrected
    Column("declaration_id", Integer, ForeignKey("declarations.id"), nullable=False),
    Column("at", Text, nullable=False),  # ISO 8601 UTC, as hashed
    Column("operator", Text, nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON, as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_events_declaration", "declaration_id"),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("declaration_id", Integer, ForeignKey("declarations.id"), nullable=False),  # the earlier estimate
    Column("by_declaration_id", Integer, ForeignKey("declarations.id"), nullable=False),  # the metered season
    Column("event_seq", Integer, nullable=False),
    Column("heat_supplied_gj", Float, nullable=False),  # corrected
    Column("baseline_emissions_t", Float, nullable=False),
    Column("emission_reductions_t", Float, nullable=False),
    Column("creditable_reductions_t", Float, nullable=False),
    Index("ix_corrections_declaration", "declaration_id"),
)
