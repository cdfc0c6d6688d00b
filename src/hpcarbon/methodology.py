"""Which methodology this software implements, named once: the CLI, the service, the pages, the template's
instructions and the add-in take its title and version from here. Imports nothing (read at every start)."""

from __future__ import annotations

TITLE_ZH = "长春市热泵供暖碳普惠方法学"
TITLE_EN = "Changchun heat-pump heating carbon-inclusion methodology"
VERSION = "V01"
#: the title with its version, as a heading or a description says it
NAME_ZH = f"{TITLE_ZH}（{VERSION}）"
NAME_EN = f"{TITLE_EN} {VERSION}"
