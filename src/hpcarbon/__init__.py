"""hpcarbon — Changchun heat-pump heating carbon-inclusion methodology (V01) as software.

长春市热泵供暖碳普惠方法学（V01）核算、申报表与校验工具。
"""

__version__ = "0.1.0"
