"""hpcarbon — the Changchun heat-pump heating carbon-inclusion methodology as software (which methodology
and version: :mod:`hpcarbon.methodology`).

长春市热泵供暖碳普惠方法学核算、申报表与校验工具（方法学名称与版本见 hpcarbon.methodology）。
"""

__version__ = "0.1.0"
