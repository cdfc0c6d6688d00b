"""The words the methodology's declarations are written in, once, for the core, the workbook and the add-in.

* :data:`YES` / :data:`NO` — the words a yes/no cell holds (the workbook's dropdown, the calculation
  sheet's formulas compare against them), :data:`YES_WORDS` / :data:`NO_WORDS`, every spelling read
  as yes or no, and :func:`yes_no`, the one function that reads them (for the workbook reader and the
  add-in, through :func:`hpcarbon.excel_values.to_bool`). The energy-saving answers of 表2
  (:data:`ENERGY_SAVING_WORDS` / :data:`NOT_ENERGY_SAVING_WORDS`) are read only where the question is
  whether a building is energy-saving — never in a statement or another yes/no cell.
* :data:`STATEMENTS` — the written statements an owner affirms (§2.1.2, §2.2, §2.3, §7.3.1): their
  declaration key, clause, short label and full text. The rules quote the text; the workbook shows it.
* :data:`BUILDING_TYPES` — the building-type keys of 表2 (labels come with the parameter set's q table).
* :data:`TYPE_LABEL` / :data:`COP_SOURCE_LABEL` — the names of the heat-pump types (§2.1.1) and of the COP
  sources (表8), Chinese and English, as every report, sheet and formula writes them.
* :func:`month_key` / :data:`MONTH_PATTERN` — how a month is written (``YYYY-MM``).
* :func:`text_key` — the comparison key of a typed label (full-width folded, case-folded,
  spaces and punctuation removed), so ``住 宅``, ``Residential`` and ``residential`` match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence
from datetime import date

from hpcarbon.model import MONTH_TEXT_PATTERN, BuildingType, CopSource, GroundSubtype, HeatPumpType

# --- yes / no ------------------------------------------------------------------------------------

#: What a yes/no cell of the workbook holds (dropdown), and what its formulas compare against.
YES, NO = "是", "否"
#: The same answers in English (the dropdown's English label; a spelling the reader takes too).
YES_EN, NO_EN = "yes", "no"
#: Every spelling read as yes / no (compared by :func:`text_key`, so case and full width do not matter).
YES_WORDS: tuple[str, ...] = (YES, YES_EN, "true", "y", "t", "1", "有", "对", "√", "✓")
NO_WORDS: tuple[str, ...] = (NO, NO_EN, "false", "n", "f", "0", "无", "不", "×", "✗")
#: What is also read as yes / no where the question is "does the building take energy-saving measures" (表2):
#: the areas' energy-saving column and the add-in's HP_Q_INDEX; nowhere else (a statement is 是/否).
ENERGY_SAVING_WORDS: tuple[str, ...] = ("采取节能措施", "节能")
NOT_ENERGY_SAVING_WORDS: tuple[str, ...] = ("未采取节能措施", "非节能", "不节能", "未节能")

_KEY_NOISE = str.maketrans("", "", " \t\u3000、,，/／;；·_-()（）")


def text_key(text: str) -> str:
    """Comparison key of a typed label: NFKC-folded, case-folded, spaces and punctuation removed."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_KEY_NOISE)


def yes_no(text: str, *, energy_saving: bool = False) -> bool | None:
    """True / False for a yes or no word (any spelling of :data:`YES_WORDS` / :data:`NO_WORDS`, compared by
    :func:`text_key`), else None. With ``energy_saving`` (the 表2 question only) the energy-saving answers
    :data:`ENERGY_SAVING_WORDS` / :data:`NOT_ENERGY_SAVING_WORDS` are read as well."""
    key = text_key(text)
    if key.isdigit() and unicodedata.normalize("NFKC", text).strip() != key:
        return None  # 1 and 0 as typed; the key drops signs and brackets, and -1 or (0) is no answer
    if key in _YES_KEYS or (energy_saving and key in _SAVING_KEYS):
        return True
    if key in _NO_KEYS or (energy_saving and key in _NOT_SAVING_KEYS):
        return False
    return None


_YES_KEYS = frozenset(text_key(w) for w in YES_WORDS)
_NO_KEYS = frozenset(text_key(w) for w in NO_WORDS)
_SAVING_KEYS = frozenset(text_key(w) for w in ENERGY_SAVING_WORDS)
_NOT_SAVING_KEYS = frozenset(text_key(w) for w in NOT_ENERGY_SAVING_WORDS)


# --- written statements ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    key: str  # field of project.statements
    clause: str
    label_zh: str  # the short label of the workbook's row
    label_en: str
    text_zh: str  # what the owner affirms
    text_en: str


STATEMENTS: tuple[Statement, ...] = (
    Statement("not_claimed_elsewhere", "2.3", "未在其他减排机制申报", "not claimed in any other mechanism",
              "该减排行为未在其他温室气体减排机制（如全国温室气体自愿减排）下核算并取得减排量",
              "the reduction has not been accounted or credited under any other mechanism (e.g. national CCER)"),
    Statement("refrigerant_compliant", "2.1.2.1", "制冷剂符合法规", "refrigerants comply with law",
              "热泵系统所有制冷装置使用的制冷剂均符合国家相关法律法规要求",
              "every refrigerant used complies with national laws and regulations"),
    Statement("standards_compliant", "2.1.2.2", "设计和实施符合标准", "design and construction meet standards",
              "热泵系统设计和实施符合现行国家和地方相关标准",
              "the system's design and construction comply with current national and local standards"),
    Statement("owner_qualified", "2.2", "业主具备资格", "the owner is qualified",
              "企业：独立法人、供暖经营资质或产权证明、建立台账；个人：建筑所有权、与供暖企业或监测平台的协议",
              "enterprise: legal person, heating licence or property certificate, ledgers; individual: ownership, "
              "agreement with a heating company or platform"),
    Statement("data_authorised", "7.3.1", "数据收集已获授权", "data collection is authorised",
              "供暖量、耗电量等数据的收集和使用已获业主/用户授权",
              "collecting and using heat and electricity data is authorised by the owner/user"),
)


# --- heat-pump types, COP sources ------------------------------------------------------------------

#: §2.1.1: the heat-pump types' names (zh, en).
TYPE_LABEL: dict[HeatPumpType, tuple[str, str]] = {
    HeatPumpType.ground: ("地源热泵", "ground-source heat pump"),
    HeatPumpType.air: ("空气源热泵", "air-source heat pump"),
    HeatPumpType.wastewater: ("低温余热水源热泵", "waste-heat water-source heat pump"),
}
#: §2.1.1.1: the ground-source subtypes' names (zh, en).
GROUND_SUBTYPE_LABEL: dict[GroundSubtype, tuple[str, str]] = {
    GroundSubtype.buried_pipe: ("地埋管", "buried pipe"),
    GroundSubtype.surface_water: ("地表水", "surface water"),
    GroundSubtype.groundwater: ("地下水", "groundwater"),
}


def one_of(words: Sequence[str], lang: str) -> str:
    """Alternatives as a sentence lists them: 地埋管、地表水或地下水 / buried pipe, surface water or groundwater."""
    *rest, last = words
    if not rest:
        return last
    return "、".join(rest) + "或" + last if lang == "zh" else ", ".join(rest) + " or " + last


#: the meters of 表5–表11 by kind: a type's electricity meter, its own heat meter, the coupled system's
#: total-output heat meter (verification cycles 7.3.2; claims on one meter across projects 7.3.3)
METER_LABEL: dict[str, tuple[str, str]] = {
    "electricity": ("电能表", "electricity meter"),
    "heat": ("热量表", "heat meter"),
    "total": ("总输出端热量表", "total-output heat meter"),
}

#: 表8: where a type's COP comes from (zh, en) — the workbook's dropdown label and what its formulas compare with.
COP_SOURCE_LABEL: dict[CopSource, tuple[str, str]] = {
    CopSource.test_report: ("检测报告", "test report"),
    CopSource.onsite: ("现场测量", "on-site measurement"),
}


# --- building types, months ------------------------------------------------------------------------

#: 表2 building-type keys, in the table's order (labels: the parameter set's q rows).
BUILDING_TYPES: tuple[str, ...] = tuple(b.value for b in BuildingType)

#: A month as written in a declaration and in the workbook's monthly table (the model's own pattern).
MONTH_PATTERN = re.compile(MONTH_TEXT_PATTERN)


def month_key(year: int, month: int) -> str:
    """``2024, 10`` → ``2024-10``."""
    return f"{year:04d}-{month:02d}"


def month_of(day: date) -> str:
    """The month key of a date."""
    return month_key(day.year, day.month)
