"""The workbook's closed lists (dropdowns): each option's JSON value, Chinese label, English label and aliases.

The yes/no words, statement texts and building-type keys themselves live in :mod:`hpcarbon.vocabulary`
(shared with the core and the add-in); this module turns them into the dropdowns the template shows and
the reader parses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from hpcarbon.calendar import CONDITION_LABEL
from hpcarbon.model import (
    BuildingType,
    CopSource,
    District,
    GroundSubtype,
    HeatPumpType,
    OwnerType,
    WorkingCondition,
)
from hpcarbon.parameters import all_sets, set_in_force
from hpcarbon.vocabulary import (
    COP_SOURCE_LABEL,
    ENERGY_SAVING_WORDS,
    GROUND_SUBTYPE_LABEL,
    NO,
    NO_EN,
    NO_WORDS,
    NOT_ENERGY_SAVING_WORDS,
    TYPE_LABEL,
    YES,
    YES_EN,
    YES_WORDS,
    text_key,
)

TYPES: tuple[HeatPumpType, ...] = (HeatPumpType.ground, HeatPumpType.air, HeatPumpType.wastewater)
TYPE_TAG = {HeatPumpType.ground: "GROUND", HeatPumpType.air: "AIR", HeatPumpType.wastewater: "WASTEWATER"}
TYPE_SHORT = {HeatPumpType.ground: ("地源", "ground"), HeatPumpType.air: ("空气源", "air"),
              HeatPumpType.wastewater: ("余热水源", "waste-heat water")}

#: What the calculation sheet writes for how a type's heat is obtained (6.2, 表5–表7): its own heat meter, the
#: total-output meter, estimated, not in use — compared by the areas sheet's formulas and the validator
SRC_METER, SRC_TOTAL, SRC_ESTIMATE, SRC_NONE = "热量表", "总输出端", "估算", "—"


@dataclass(frozen=True)
class Option:
    value: Any  # the JSON value: an enum code (str) or a bool
    zh: str  # the label shown in the workbook's dropdown
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocab:
    key: str
    options: tuple[Option, ...]
    #: False: a suggestion list only; other text is accepted as typed (e.g. parameter version)
    closed: bool = True

    @property
    def name(self) -> str:
        """Defined name of the dropdown's list range."""
        return f"HP_LIST_{self.key.upper()}"

    def label(self, value: Any) -> str | None:
        """The dropdown label (Chinese) of a JSON value; None when the value is not in the list."""
        for o in self.options:
            if o.value == value and type(o.value) is type(value):
                return o.zh
        return None

    @cached_property
    def _lookup(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for o in self.options:
            for text in (o.zh, o.en, str(o.value), *o.aliases):
                table.setdefault(text_key(text), o.value)
        return table

    def parse(self, text: str) -> Any:
        """The JSON value a typed label stands for (Chinese or English label, code, alias).

        Raises KeyError when it matches none."""
        return self._lookup[text_key(text)]

    def choices(self, lang: str = "zh") -> str:
        """The options' labels in one language, listed as that language lists them."""
        if lang == "zh":
            return "、".join(o.zh for o in self.options)
        return ", ".join(o.en for o in self.options)


_DISTRICT_EN = {
    District.nanguan: "Nanguan District", District.kuancheng: "Kuancheng District",
    District.chaoyang: "Chaoyang District", District.erdao: "Erdao District", District.lvyuan: "Lvyuan District",
    District.shuangyang: "Shuangyang District", District.jiutai: "Jiutai District", District.yushu: "Yushu City",
    District.dehui: "Dehui City", District.gongzhuling: "Gongzhuling City", District.nong_an: "Nong'an County",
    District.changchun_new_area: "Changchun New Area",
    District.economic_development_zone: "Changchun Economic and Technological Development Zone",
    District.high_tech_zone: "Changchun High-tech Industrial Development Zone",
    District.jingyue_zone: "Changchun Jingyue High-tech Industrial Development Zone",
    District.automotive_zone: "Changchun Automotive Economic and Technological Development Zone",
    District.sino_korean_zone: "China-Korea (Changchun) International Cooperation Demonstration Zone",
}

YES_NO = Vocab("yes_no", (
    Option(True, YES, YES_EN, tuple(w for w in YES_WORDS if w not in (YES, YES_EN))),
    Option(False, NO, NO_EN, tuple(w for w in NO_WORDS if w not in (NO, NO_EN))),
))
#: 表2's "energy-saving?" column: the same 是/否 dropdown (the same list range), where the reader also takes
#: the energy-saving answers (hpcarbon.vocabulary.yes_no with energy_saving)
ENERGY_SAVING = Vocab("yes_no", (
    Option(True, YES, YES_EN, YES_NO.options[0].aliases + ENERGY_SAVING_WORDS),
    Option(False, NO, NO_EN, YES_NO.options[1].aliases + NOT_ENERGY_SAVING_WORDS),
))
DISTRICT = Vocab("district", tuple(Option(d.value, d.value, _DISTRICT_EN[d], (d.name,)) for d in District))
OWNER_TYPE = Vocab("owner_type", (
    Option(OwnerType.enterprise.value, "企业", "enterprise", ("企业业主", "法人", "单位")),
    Option(OwnerType.individual.value, "个人", "individual", ("个体", "个体业主", "个人业主")),
))
HEAT_PUMP_TYPE = Vocab("heat_pump_type", tuple(
    Option(t.value, TYPE_LABEL[t][0], TYPE_LABEL[t][1], (TYPE_SHORT[t][0], TYPE_SHORT[t][1]) + (
        ("低温余热水源", "余热水源热泵", "水源热泵", "wastewater heat pump") if t is HeatPumpType.wastewater else ()))
    for t in TYPES))
GROUND_SUBTYPE = Vocab("ground_subtype", tuple(
    Option(g.value, *GROUND_SUBTYPE_LABEL[g], (GROUND_SUBTYPE_LABEL[g][0] + TYPE_LABEL[HeatPumpType.ground][0],))
    for g in GroundSubtype))
#: 表8's COP sources as the systems sheet's dropdown writes them (what the workbook's formulas compare with)
COP_REPORT, COP_ONSITE = COP_SOURCE_LABEL[CopSource.test_report][0], COP_SOURCE_LABEL[CopSource.onsite][0]
COP_SOURCE = Vocab("cop_source", (
    Option(CopSource.test_report.value, *COP_SOURCE_LABEL[CopSource.test_report],
           ("热泵设备检测报告", "设备检测报告", "report")),
    Option(CopSource.onsite.value, *COP_SOURCE_LABEL[CopSource.onsite], ("现场实测", "现场", "on-site", "onsite")),
))
CONDITION = Vocab("condition", tuple(
    Option(c.value, CONDITION_LABEL[c][0], CONDITION_LABEL[c][1], (CONDITION_LABEL[c][0] + "工况",))
    for c in (WorkingCondition.mild, WorkingCondition.normal, WorkingCondition.severe)))


def _building_vocab() -> Vocab:
    rows = set_in_force().q_rows
    return Vocab("building_type", tuple(
        Option(b.value, rows[b.value].label_zh, rows[b.value].label_en) for b in BuildingType))


BUILDING_TYPE = _building_vocab()
PARAMETER_VERSION = Vocab("parameter_version", tuple(Option(s.version, s.version, s.version) for s in all_sets()),
                          closed=False)

VOCABS: tuple[Vocab, ...] = (YES_NO, DISTRICT, OWNER_TYPE, HEAT_PUMP_TYPE, GROUND_SUBTYPE, COP_SOURCE, CONDITION,
                             BUILDING_TYPE, PARAMETER_VERSION)
