"""Edit workbooks as a person does in LibreOffice — insert or delete rows and columns through its own API, so
that it updates every formula and defined name as a spreadsheet program does — and save them as .xlsx.

Run by the system Python that has LibreOffice's UNO bridge (Debian python3-uno), not the project's venv:
    python3 tests/lo_edit.py PROFILE_DIR JOBS_JSON
JOBS_JSON: a list of {"source", "target", "sheet", "op": insert_rows|delete_rows|insert_columns|delete_columns,
"index" (0-based), "count"}. One LibreOffice process edits them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(profile: str, jobs_file: str) -> None:
    jobs = json.loads(Path(jobs_file).read_text("utf-8"))
    pipe = f"hpcarbon_edit_{os.getpid()}"  # one per process: parallel runs never share a LibreOffice
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    proc = subprocess.Popen([soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless",
                             "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(600):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for job in jobs:
            doc = desktop.loadComponentFromURL(Path(job["source"]).resolve().as_uri(), "_blank", 0,
                                               (_prop("Hidden", True),))
            sheet = doc.Sheets.getByName(job["sheet"])
            if sheet.isProtected():
                sheet.unprotect("")  # a person unprotects the sheet (the template sets no password) to edit it
            what, op = job["op"].split("_")[1], job["op"].split("_")[0]
            lines = sheet.getRows() if what == "rows" else sheet.getColumns()
            if op == "insert":
                lines.insertByIndex(job["index"], job["count"])
            else:
                lines.removeByIndex(job["index"], job["count"])
            doc.storeToURL(Path(job["target"]).resolve().as_uri(), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
            doc.close(True)
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge drops as it quits
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # its own session: LibreOffice and the processes it started


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
