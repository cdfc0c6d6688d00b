"""The standard declaration workbook (申报表): one layout schema, the template generator, ``fill``
and the reader.

* :mod:`.layout` — the one schema: every sheet, field, table and calculation cell, with its
  declaration path, defined name, labels, unit, type, vocabulary and clause. Nothing else in the
  product knows a cell position; :func:`.layout.cell_of` and :meth:`.reader.ReadResult.locate`
  turn a JSON path into ``(sheet, cell)``.
* :mod:`.template` — builds the blank template from the schema (``hpcarbon template``).
* :mod:`.fill` — writes a JSON declaration into a copy of the template (``hpcarbon fill``).
* :mod:`.reader` — reads a filled workbook back into a :class:`~hpcarbon.model.Declaration`,
  with located findings for what it cannot read.
"""

