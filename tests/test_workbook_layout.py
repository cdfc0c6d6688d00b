"""The layout schema: every model field has a cell, every cell a model field, names are unique and
resolve, and JSON paths map to the cells worked out by hand from the sheet designs."""

from __future__ import annotations

import io
import json
import typing
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from hpcarbon.model import BuildingType, Declaration, District, HeatPumpType
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.template import template_bytes

EXAMPLES = Path(__file__).resolve().parents[1] / "workbook_templates" / "examples"


def _inner(annotation):
    """Strip Optional/Annotated to the type that matters."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner(typing.get_args(annotation)[0])
    if origin is typing.Union or str(origin) == "types.UnionType":
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _inner(args[0])
    return annotation


def model_leaf_patterns(model=Declaration, prefix="") -> set[str]:
    """Every leaf of the declaration model as a layout path pattern."""
    out = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        ann = _inner(info.annotation)
        origin = typing.get_origin(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out |= model_leaf_patterns(ann, path)
        elif origin is list:
            item = _inner(typing.get_args(ann)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                marker = "{t}" if name == "systems" else "{i}"
                out |= model_leaf_patterns(item, f"{path}[{marker}]")
            else:  # a list of enum values: one yes/no cell per value, under the list's own path
                out.add(path)
        elif origin is dict:
            key = typing.get_args(ann)[0]
            assert key is HeatPumpType
            out |= {f"{path}.{t.value}" for t in HeatPumpType}
        else:
            out.add(path)
    return out


# Model leaves held by a cell that is not a plain value cell:
#   systems[{t}].type — the column of the systems sheet (its 是否采用 cell is the system's cell);
#   measurements[{i}] — the COP row's type column says which system the row belongs to.
_STRUCTURAL = {"systems[{t}].type": "systems[{t}]"}


def test_every_model_leaf_has_a_cell():
    slots = L.LAYOUT.by_path
    missing = sorted(p for p in model_leaf_patterns() if _STRUCTURAL.get(p, p) not in slots)
    assert missing == []


def test_every_cell_is_a_model_field():
    leaves = {_STRUCTURAL.get(p, p) for p in model_leaf_patterns()}
    structural = {"systems[{t}].cop.measurements[{i}]", "total_heat_meter"}  # row type column; presence
    stray = sorted(p for p in L.LAYOUT.by_path if p not in leaves and p not in structural)
    assert stray == []


def test_defined_names_unique_and_resolvable():
    names = L.LAYOUT.defined_names
    assert len(names) == len(set(names))
    wb = load_workbook(io.BytesIO(template_bytes()))
    assert set(wb.defined_names) >= set(names)
    for name, ref in names.items():
        dn = wb.defined_names[name]
        assert dn.attr_text == ref
        dests = list(dn.destinations)
        assert len(dests) == 1, name
        sheet, rng = dests[0]
        assert sheet in wb.sheetnames, (name, sheet)
        wb[sheet][rng.replace("$", "")]  # resolvable range


def test_defined_names_point_at_their_slots():
    names = L.LAYOUT.defined_names
    assert names["HP_PROJECT_NAME"] == "'项目信息'!$B$6"
    assert names["HP_MONTHLY_ELEC_AIR"] == "'月度数据'!$F$5:$F$28"
    assert names["HP_COP_VALUE"] == "'COP记录'!$F$4:$F$603"
    assert names["HP_IN_USE_WASTEWATER"] == "'热泵系统'!$D$5"
    assert names["HP_TEMPLATE_VERSION"] == "'填表说明'!$B$3"


def test_table_sizes_fit_real_projects():
    assert L.MONTHLY.rows == 24  # the model's limit, so every model-valid declaration can be placed
    assert L.MEASUREMENTS.rows >= 200
    assert L.AREAS.rows >= 50


@pytest.mark.parametrize("path,expected", [
    ("project.name", ("项目信息", "B6")),
    ("project.owner.id_number", ("项目信息", "B13")),
    ("season.end", ("项目信息", "B17")),
    ("project.statements.data_authorised", ("项目信息", "B24")),
    ("parameters.td_percent", ("参数", "B7")),
    ("monthly[0].month", ("月度数据", "A5")),
    ("monthly[3].electricity_kwh.air", ("月度数据", "F8")),
    ("monthly[6].heat_gj.wastewater", ("月度数据", "J11")),
    ("monthly[2].total_heat_gj", ("月度数据", "K7")),
    ("areas[1].q_w_per_m2", ("面积", "D5")),
    ("areas[0].served_by", ("面积", "E4")),
    ("areas[0].served_by[1]", ("面积", "E4")),
    ("recheck.note", ("复核记录", "B10")),
    ("total_heat_meter.id", ("热泵系统", "B19")),
    ("total_heat_meter.covers", ("热泵系统", "B18")),
    ("total_heat_meter.covers[0]", ("热泵系统", "B18")),
])
def test_cell_of_fixed_and_table_paths(path, expected):
    assert L.cell_of(path) == expected


def test_cell_of_system_paths_need_the_declaration():
    decl = Declaration.model_validate(json.loads((EXAMPLES / "example-coupled-total-meter.json").read_text("utf-8")))
    # systems = [ground, air]: systems[1] is the air column C
    assert L.cell_of("systems[1].cop.source", decl) == ("热泵系统", "C13")
    assert L.cell_of("systems[0].heat_meter.id", decl) == ("热泵系统", "B8")
    assert L.cell_of("systems[1]", decl) == ("热泵系统", "C5")
    # ground has no measurements, so the air records start on the COP sheet's first row (4)
    assert L.cell_of("systems[1].cop.measurements[2].value", decl) == ("COP记录", "F6")
    assert L.cell_of("systems[1].cop.measurements[0]", decl) == ("COP记录", "A4")
    assert L.cell_of("systems[1].cop.measurements", decl) == ("COP记录", "A4")  # air's first record
    # ground has none: the first free row after the 16 air records (rows 4–19), where they would go
    assert L.cell_of("systems[0].cop.measurements", decl) == ("COP记录", "A20")
    # without the declaration the column is unknown: the row's label cell
    assert L.cell_of("systems[1].cop.source") == ("热泵系统", "A13")


@pytest.mark.parametrize("path,expected", [
    ("season", ("项目信息", "B16")),  # a group: its first field
    ("project.owner", ("项目信息", "B11")),
    ("monthly", ("月度数据", "A5")),  # a list: its first data row
    ("monthly[4]", ("月度数据", "A9")),  # a row: its first cell
    ("areas", ("面积", "A4")),
    ("recheck", ("复核记录", "B7")),
    ("systems", ("热泵系统", "A5")),
    ("monthly[2].electricity_kwh.solar", ("月度数据", "E7")),  # unknown key: the group's first cell
    ("monthly[30].month", ("月度数据", None)),  # beyond the table: the sheet
])
def test_cell_of_falls_back_to_group_row_or_sheet(path, expected):
    assert L.cell_of(path) == expected


def test_results_paths_locate_at_the_calculation_sheet():
    assert L.cell_of("results.emission_reductions_t") == L.LAYOUT.result_cells["emission_reductions_t"]
    assert L.cell_of("results.emission_reductions_t")[0] == "核算"
    assert L.cell_of("results.unknown") == ("核算", None)


def test_cell_of_unknown_paths():
    assert L.cell_of("nonsense.field") is None
    assert L.cell_of("") is None
    assert L.cell_of("[3]") is None


def test_subtype_of_a_non_ground_system_points_at_the_row():
    decl = Declaration.model_validate(json.loads((EXAMPLES / "example-declaration.json").read_text("utf-8")))
    assert L.cell_of("systems[0].subtype", decl) == ("热泵系统", "A6")  # air has no subtype cell


def test_vocabularies_cover_the_enums_with_unique_labels():
    assert {o.value for o in L.DISTRICT.options} == {d.value for d in District}
    assert {o.value for o in L.BUILDING_TYPE.options} == {b.value for b in BuildingType}
    assert [o.zh for o in L.HEAT_PUMP_TYPE.options] == ["地源热泵", "空气源热泵", "低温余热水源热泵"]
    assert [o.zh for o in L.BUILDING_TYPE.options][:3] == ["住宅", "居住区综合", "学校、办公"]
    assert [o.zh for o in L.YES_NO.options] == ["是", "否"]
    for vocab in L.VOCABS:
        labels = [o.zh for o in vocab.options]
        assert len(labels) == len(set(labels)), vocab.key
        for o in vocab.options:
            assert vocab.parse(o.zh) == o.value
            assert vocab.parse(o.en) == o.value
            assert vocab.parse(str(o.value)) == o.value


def test_vocabulary_parsing_is_forgiving_about_form_not_content():
    assert L.BUILDING_TYPE.parse("学校办公") == "school_office"
    assert L.BUILDING_TYPE.parse(" 学校，办公 ") == "school_office"
    assert L.DISTRICT.parse("中韩(长春)国际合作示范区") == District.sino_korean_zone.value
    assert L.HEAT_PUMP_TYPE.parse("空气源") == "air"
    assert L.YES_NO.parse("Yes") is True
    with pytest.raises(KeyError):
        L.DISTRICT.parse("朝阳")  # not 朝阳区: no guessing
    with pytest.raises(KeyError):
        L.DISTRICT.parse("北京市")


def test_every_slot_has_a_clause_and_help_in_both_languages():
    for slot in L.LAYOUT.slots:
        s = slot.spec
        assert s.clause and s.zh and s.en and s.help_zh and s.help_en, slot.path
        if s.kind in (L.ENUM, L.BOOL, L.MEMBER, L.PRESENCE):
            assert s.vocab is not None, slot.path


def test_result_cells_name_accounting_results():
    from hpcarbon.accounting import Results

    fields = set(Results.__dataclass_fields__)
    assert set(L.LAYOUT.result_cells) <= fields
    assert {"baseline_emissions_t", "project_emissions_t", "emission_reductions_t", "creditable_reductions_t",
            "heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation"} <= set(
        L.LAYOUT.result_cells)
    assert all(sheet == "核算" for sheet, _ in L.LAYOUT.result_cells.values())
