"""Helpers for the registry tests: declarations written as JSON files, variants of the SPEC §12 example for
the checks across declarations, and real `hpcarbon` processes. Nothing here computes an expected result."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from builders import example, iso7064_mod11_2, set_heat, shift_years

HPCARBON = Path(sys.executable).with_name("hpcarbon")
ROOT = Path(__file__).resolve().parents[1]

#: metered air heat of the season after the example (GJ); Σ = 100+350+450+480+420+519.2+100 = 2 419.2 GJ
METERED_AIR_GJ = [100, 350, 450, 480, 420, 519.2, 100]


_TEMPLATE: dict[str, bytes] = {}


def fresh_registry(folder: Path, name: str = "registry.sqlite") -> Path:
    """A new, initialised SQLite registry: ``registry init`` once per test session, copied for each test
    (running the migrations costs more than the test that follows)."""
    from hpcarbon.registry import Registry

    if "bytes" not in _TEMPLATE:
        seed = Path(tempfile.mkdtemp(prefix="registry-seed-")) / "seed.sqlite"
        Registry.open(str(seed), create=True).close()
        con = sqlite3.connect(seed)  # fold the WAL into the file, so one file is the whole registry
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        _TEMPLATE["bytes"] = seed.read_bytes()
        shutil.rmtree(seed.parent, ignore_errors=True)
    path = Path(folder) / name
    path.write_bytes(_TEMPLATE["bytes"])
    return path


def write(folder: Path, data: dict, name: str) -> Path:
    path = Path(folder) / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def next_season_metered() -> dict:
    """The example's project one season later (2025-10-20 … 2026-04-05, the same 4 032 heating hours), its air
    heat pump now with its own heat meter: Q = 2 419.2 GJ, i.e. 0.6 GJ per heating hour."""
    d = shift_years(example(), 1)
    s = d["systems"][0]
    s["heat_metered"] = True
    s["heat_meter"] = {"id": "HM-A1", "verified_on": "2025-09-01"}
    s["cop"] = None
    set_heat(d, "air", METERED_AIR_GJ)
    d["areas"] = []
    return d


def other_project(d: dict, project_id: str = "CC-HP-2024-0999", meter: str = "EM-999",
                  address: str = "长春市朝阳区另一路 9 号") -> dict:
    d["project"]["id"] = project_id
    d["project"]["address"] = address
    d["systems"][0]["electricity_meter"]["id"] = meter
    return d


def individual(d: dict) -> dict:
    """The owner an individual: 张三丰, resident ID 220101198001011234-style with a valid check, a mobile."""
    first17 = "22010119800101123"
    d["project"]["owner"] = {"type": "individual", "name": "张三丰", "id_number": first17 + iso7064_mod11_2(first17),
                             "phone": "13812345678"}
    return d


def run(*args, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(HPCARBON), *map(str, args)], capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=120)


def start(*args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(HPCARBON), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})
