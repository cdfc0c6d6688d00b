"""The declaration model: one project × one heating season (SPEC §1, §11).

Field names follow the JSON interchange format of SPEC §11 (a public contract). Structural
constraints live in the types; business rules (eligibility, plausibility, coverage …) live in
:mod:`hpcarbon.rules`, so a platform can read a declaration first and judge it after.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


class HeatPumpType(str, Enum):
    """§6.2.1: the three types, never mixed in one calculation."""

    ground = "ground"
    air = "air"
    wastewater = "wastewater"


class GroundSubtype(str, Enum):
    """§2.1.1.1, §4.5."""

    buried_pipe = "buried_pipe"
    surface_water = "surface_water"
    groundwater = "groundwater"


class OwnerType(str, Enum):
    """§2.2."""

    enterprise = "enterprise"
    individual = "individual"


class CopSource(str, Enum):
    """表8, in priority order."""

    test_report = "test_report"
    onsite = "onsite"


class WorkingCondition(str, Enum):
    """表8 供暖工况."""

    mild = "mild"
    normal = "normal"
    severe = "severe"


class BuildingType(str, Enum):
    """表2 / CJJ/T 34-2022 table 3.1.2-1 building types."""

    residential = "residential"
    residential_district = "residential_district"
    school_office = "school_office"
    hospital_nursery = "hospital_nursery"
    hotel = "hotel"
    shop = "shop"
    canteen_restaurant = "canteen_restaurant"
    theatre_exhibition = "theatre_exhibition"
    auditorium_gymnasium = "auditorium_gymnasium"


class District(str, Enum):
    """Changchun's administrative divisions and functional zones (§1, SPEC §7)."""

    nanguan = "南关区"
    kuancheng = "宽城区"
    chaoyang = "朝阳区"
    erdao = "二道区"
    lvyuan = "绿园区"
    shuangyang = "双阳区"
    jiutai = "九台区"
    yushu = "榆树市"
    dehui = "德惠市"
    gongzhuling = "公主岭市"
    nong_an = "农安县"
    changchun_new_area = "长春新区"
    economic_development_zone = "长春经济技术开发区"
    high_tech_zone = "长春高新技术产业开发区"
    jingyue_zone = "长春净月高新技术产业开发区"
    automotive_zone = "长春汽车经济技术开发区"
    sino_korean_zone = "中韩（长春）国际合作示范区"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
# Unit ranges: physical sign in the type, plus upper bounds far above any real project, so that a
# typo like 1e308 is refused at its field instead of overflowing a sum (the rules judge plausibility).
Kwh = Annotated[float, Field(ge=0, le=1e10, allow_inf_nan=False)]  # per month and type
Gj = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]  # per month
Hours = Annotated[float, Field(ge=0, le=1e5, allow_inf_nan=False)]  # the calendar check (6.2.4.2) is a rule
CopValue = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
AreaM2 = Annotated[float, Field(gt=0, le=1e8, allow_inf_nan=False)]
HeatIndex = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]  # W/m²
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
#: The outdoor temperatures a COP measurement may state [°C] (anything outside is a typing error).
TEMPERATURE_RANGE_C = (-60, 50)
Temperature = Annotated[float, Field(ge=TEMPERATURE_RANGE_C[0], le=TEMPERATURE_RANGE_C[1], allow_inf_nan=False)]
#: How a month is written (``YYYY-MM``). Defined here, where the model checks it; hpcarbon.vocabulary, which
#: builds month keys for everyone else, takes it from here (it imports the model, so not the other way round).
MONTH_TEXT_PATTERN = r"^(\d{4})-(0[1-9]|1[0-2])$"
_MONTH_TEXT = re.compile(MONTH_TEXT_PATTERN)


def month_parts(month: str) -> tuple[int, int]:
    """``2024-10`` → ``(2024, 10)``: a month key read by its pattern (a key that does not match raises)."""
    found = _MONTH_TEXT.match(month)
    if found is None:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return int(found[1]), int(found[2])


#: The dates a declaration may hold: far outside any real project on both sides, so that a typo (9999-12-31,
#: 0001-01-01) is refused at its field instead of overflowing the date arithmetic that runs on from them
#: (the crediting period and record keeping add 20 years; a month's last day, a meter's cycle).
DATE_RANGE = (date(1900, 1, 1), date(2999, 12, 31))
Day = Annotated[date, Field(ge=DATE_RANGE[0], le=DATE_RANGE[1])]


def _month_in_range(month: str) -> str:
    if not DATE_RANGE[0].year <= month_parts(month)[0] <= DATE_RANGE[1].year:
        raise ValueError(f"month must lie between {DATE_RANGE[0].year} and {DATE_RANGE[1].year} / "
                         f"月份须在 {DATE_RANGE[0].year} 至 {DATE_RANGE[1].year} 年之间")
    return month


MonthText = Annotated[str, StringConstraints(pattern=MONTH_TEXT_PATTERN), AfterValidator(_month_in_range)]


class Strict(BaseModel):
    # defer_build: validators are built on first use, so the parts of a Declaration are built once, inline
    # in its validator, instead of once each at import as well (start-up of `hpcarbon compute`)
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, defer_build=True)


class Owner(Strict):
    """§2.2 project owner. ``name``, ``id_number`` and ``phone`` of an individual are personal data (SPEC §10)."""

    type: OwnerType
    name: Text
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=40)]
    phone: Optional[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]] = None


class Statements(Strict):
    """Written statements the owner affirms (§2.1.2, §2.2, §2.3, §7.3.1)."""

    not_claimed_elsewhere: bool = False  # §2.3
    refrigerant_compliant: bool = False  # §2.1.2.1
    standards_compliant: bool = False  # §2.1.2.2
    owner_qualified: bool = False  # §2.2
    data_authorised: bool = False  # §7.3.1


class Project(Strict):
    id: Text
    name: Text
    district: District
    address: Text
    operation_start: Day  # §5.2, §5.3 热泵实际开始运行之日
    owner: Owner
    statements: Statements


class Season(Strict):
    start: Day
    end: Day  # inclusive

    @model_validator(mode="after")
    def _ordered(self) -> "Season":
        if self.end < self.start:
            raise ValueError("ends before it starts / 结束日期早于开始日期")
        return self


class DeclaredParameters(Strict):
    """Parameters as declared in the workbook (§7.1); compared with the set in force by the rules."""

    version: Text
    ef_heat: Positive
    ef_elec: Positive
    td_percent: Annotated[float, Field(ge=0, lt=100, allow_inf_nan=False)]


class Meter(Strict):
    id: Text
    verified_on: Optional[Day] = None


class CopMeasurement(Strict):
    """One on-site COP measurement (表8)."""

    date: Day
    value: CopValue
    outdoor_temp_c: Optional[Temperature] = None
    condition: Optional[WorkingCondition] = None  # added field: 表8 asks for the working condition
    extreme_weather: bool = False


class Cop(Strict):
    source: CopSource
    report_value: Optional[CopValue] = None
    report_no: Optional[Text] = None
    measurements: list[CopMeasurement] = Field(default_factory=list, max_length=5000)


class System(Strict):
    """One heat-pump type of the project with its meters and COP (§6.2.1, 表5–11)."""

    type: HeatPumpType
    subtype: Optional[GroundSubtype] = None
    heat_metered: bool = False
    electricity_meter: Optional[Meter] = None
    heat_meter: Optional[Meter] = None
    cop: Optional[Cop] = None

    @model_validator(mode="after")
    def _subtype_only_for_ground(self) -> "System":
        if self.subtype is not None and self.type is not HeatPumpType.ground:
            raise ValueError("subtype applies to ground-source systems only / 仅地源热泵填写子类型")
        return self


class TotalHeatMeter(Strict):
    """A single heat meter at the coupled system's total output (表5–7 note)."""

    covers: Annotated[list[HeatPumpType], Field(min_length=1, max_length=3)]
    id: Text
    verified_on: Optional[Day] = None


class MonthlyRecord(Strict):
    """One calendar month of the season. An absent key is a missing reading; 0 is a reading."""

    month: MonthText
    heating_hours: Hours
    outage_hours: Hours = 0.0
    extreme_weather: bool = False
    electricity_kwh: dict[HeatPumpType, Kwh] = Field(default_factory=dict)
    heat_gj: dict[HeatPumpType, Gj] = Field(default_factory=dict)
    total_heat_gj: Optional[Gj] = None


class AreaEntry(Strict):
    """One heated-area entry (formula (3), 表2)."""

    building_type: BuildingType
    energy_saving: bool
    area_m2: AreaM2
    q_w_per_m2: Optional[HeatIndex] = None  # defaults to the table's lowest value
    # added field [D]: which types heat this area; needed only when some types are metered and some not
    served_by: Optional[list[HeatPumpType]] = None


class Recheck(Strict):
    """§6.2.3.2 parameter re-check record."""

    performed: bool = False
    by: Optional[Text] = None
    # annotated Day, not date: the field's own name would shadow the type inside the class body, and the
    # annotation would resolve to the default (None) so that no date could ever be entered
    date: Optional[Day] = None
    note: Optional[LongText] = None


class Declaration(Strict):
    """A complete declaration: one project, one heating season (SPEC §11)."""

    project: Project
    season: Season
    parameters: DeclaredParameters
    systems: Annotated[list[System], Field(min_length=1, max_length=3)]
    total_heat_meter: Optional[TotalHeatMeter] = None
    monthly: Annotated[list[MonthlyRecord], Field(min_length=1, max_length=24)]
    areas: Annotated[list[AreaEntry], Field(max_length=1000)] = Field(default_factory=list)
    recheck: Recheck = Field(default_factory=Recheck)

    @field_validator("systems")
    @classmethod
    def _one_system_per_type(cls, systems: list[System]) -> list[System]:
        seen = [s.type for s in systems]
        dup = sorted({t.value for t in seen if seen.count(t) > 1})
        if dup:
            raise ValueError(f"heat-pump type declared twice: {', '.join(dup)} / 同一热泵类型重复申报")
        return systems

    def system(self, kind: HeatPumpType) -> Optional[System]:
        return next((s for s in self.systems if s.type is kind), None)

    @property
    def types(self) -> list[HeatPumpType]:
        return [s.type for s in self.systems]


#: Optional keys omitted from the JSON when empty, so a dump matches the contract's own shape
#: (keys of the contract itself, e.g. ``recheck.by`` or ``total_heat_meter``, stay even when null).
_OMIT_WHEN_NONE = frozenset({"subtype", "heat_meter", "q_w_per_m2", "served_by", "condition", "total_heat_gj"})


def _prune(value):
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if not (v is None and k in _OMIT_WHEN_NONE)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def declaration_to_json(decl: Declaration) -> dict:
    """The interchange JSON of a declaration (SPEC §11), as plain dicts and lists."""
    return _prune(decl.model_dump(mode="json"))
