"""Findings as data (the Frictionless way): a code, a severity, a clause, a message template
with parameters, the field it concerns — and, added later by the workbook layer, a location.

Every message template is bilingual and lives in :data:`CATALOG`, so translators and verifiers
find all the wording in one place and a finding can be rendered as text, JSON or a cell comment.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

from hpcarbon import calendar as _calendar
from hpcarbon import vocabulary as _vocabulary
from hpcarbon.model import CopSource, GroundSubtype


class Severity(str, Enum):
    error = "error"  # the declaration cannot be accepted as it is
    warning = "warning"  # acceptable, but a verifier must look
    info = "info"  # for the record


SEVERITY_LABEL = {
    "zh": {Severity.error: "错误", Severity.warning: "警告", Severity.info: "提示"},
    "en": {Severity.error: "error", Severity.warning: "warning", Severity.info: "info"},
}


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: Severity
    clause: str
    zh: str
    en: str


@dataclass(frozen=True)
class Location:
    """Where a finding sits in a workbook; the JSON path alone for a JSON declaration."""

    sheet: str | None = None
    cell: str | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    clause: str
    params: Mapping[str, Any] = field(default_factory=dict)
    field: str | None = None  # JSON path of the declaration field, e.g. ``monthly[2].electricity_kwh.air``
    location: Location | None = None

    def message(self, lang: str = "zh") -> str:
        kind = CATALOG[self.code]
        template = kind.en if lang == "en" else kind.zh
        # field-level kinds name the field: by its label when one is given, else its JSON path
        return _MESSAGE_FORMATTER.vformat(template, (), {"field_label": self.field or "", **facts(), **self.params})

    @property
    def clause_ref(self) -> str:
        """The clause as a reader cites it: §6.2.3.2 for a section, 表8 for a table as it stands."""
        return f"§{self.clause}" if self.clause[:1].isdigit() else self.clause

    def bilingual(self) -> str:
        return f"{self.message('zh')} / {self.message('en')}"

    def located(self, sheet: str | None, cell: str | None) -> "Finding":
        return replace(self, location=Location(sheet, cell))

    def to_dict(self, lang: str = "zh") -> dict:
        out = {
            "code": self.code,
            "severity": self.severity.value,
            "clause": self.clause,
            "message": self.message(lang),
            "field": self.field,
        }
        if self.location is not None:
            out["sheet"] = self.location.sheet
            out["cell"] = self.location.cell
        return out


#: decimals a quantity is shown with in messages and reports: heat in GJ, emissions in t CO2 (SPEC §9 [D];
#: nothing is rounded before)
GJ_DECIMALS, T_DECIMALS = 3, 2
#: decimals of heat per heating hour [GJ/h] (§6.2.4.3's comparison of an estimate with later metered heat) and
#: of a computed COP (the seasonal on-site COP) in messages
RATE_DECIMALS, COP_DECIMALS = 4, 3


def facts() -> dict[str, Any]:
    """Facts the catalogue's prose states, rendered from the constants that hold them (never retyped in a
    template): every message may name them as parameters."""
    subtypes = [_vocabulary.GROUND_SUBTYPE_LABEL[g] for g in GroundSubtype]
    report, onsite = (_vocabulary.COP_SOURCE_LABEL[c] for c in (CopSource.test_report, CopSource.onsite))
    return {
        "crediting_years": _calendar.CREDITING_YEARS,
        "ground_subtypes_zh": _vocabulary.one_of([z for z, _ in subtypes], "zh"),
        "ground_subtypes_en": _vocabulary.one_of([e for _, e in subtypes], "en"),
        "cop_report_zh": report[0], "cop_report_en": report[1],
        "cop_onsite_zh": onsite[0], "cop_onsite_en": onsite[1],
        "gj_decimals": GJ_DECIMALS, "t_decimals": T_DECIMALS,
        "rate_decimals": RATE_DECIMALS, "cop_decimals": COP_DECIMALS,
    }


def number_text(value: int | float) -> str:
    """A number as a message shows it: the shortest text that reads back as the same value, so a value
    never looks equal to the bound it violates (8.0000001, not 8); an integral value without ".0"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def percent_text(share: float, beside: float, decimals: int = 1) -> str:
    """A share as a percentage (0.26 → "26.0%"; ∞ → "∞") with at least ``decimals`` decimals and as many more
    as it takes not to read as ``beside``, the threshold it is compared with (0.100043 beside 0.10 → "10.004%")."""
    if math.isinf(share):
        return "∞"
    for n in range(decimals, 17):
        text = f"{share:.{n}%}"
        if share == beside or text != f"{beside:.{n}%}":
            return text
    return f"{share * 100!r}%"


class _Unfilled:
    """A parameter the finding does not carry: rendered as ``{name}`` (whatever its format) instead of raising."""

    def __init__(self, key: str):
        self.key = key

    def __format__(self, spec: str) -> str:
        return "{" + self.key + "}"


class _MessageFormatter(string.Formatter):
    """Renders a template: parameters are kept as the values they are (numbers, not text) until here; a number
    without a format of its own is shown by :func:`number_text`."""

    def get_value(self, key, args, kwargs):
        return kwargs[key] if key in kwargs else _Unfilled(str(key))

    def format_field(self, value, format_spec):
        if not format_spec and isinstance(value, (int, float)) and not isinstance(value, bool):
            return number_text(value)
        return super().format_field(value, format_spec)


_MESSAGE_FORMATTER = _MessageFormatter()


def finding(code: str, field: str | None = None, *, clause: str | None = None,
            severity: Severity | None = None, **params: Any) -> Finding:
    """Make a finding of a catalogued kind; ``clause``/``severity`` override the kind's default."""
    kind = CATALOG[code]
    return Finding(code=code, severity=severity or kind.severity, clause=clause or kind.clause,
                   params=params, field=field)


def placed(findings: Iterable[Finding], locate: Callable[[str], tuple[str, str | None] | None]) -> list[Finding]:
    """``findings`` with each one not yet located placed where ``locate`` finds its field (a workbook's
    sheet and cell); a finding without a field, or whose field ``locate`` does not find, is kept as it is."""
    out = []
    for f in findings:
        where = locate(f.field) if f.field and f.location is None else None
        out.append(f.located(*where) if where else f)
    return out


def counts(findings) -> dict[str, int]:
    out = {s.value: 0 for s in Severity}
    for f in findings:
        out[f.severity.value] += 1
    return out


E, W, INFO = Severity.error, Severity.warning, Severity.info
#: What a format error cites: the declaration format is our spec's (SPEC §11), not a clause of the methodology.
FORMAT_CLAUSE = "SPEC §11"

_KINDS = [
    # --- input that cannot be read as a declaration (JSON or workbook field level) ---
    FindingType("input.unreadable", E, FORMAT_CLAUSE, "无法读取申报文件：{reason}", "cannot read the declaration: {reason}"),
    FindingType("field.invalid", E, FORMAT_CLAUSE, "{field_label} {reason_zh}", "{field_label} {reason_en}"),
    FindingType("field.required", E, FORMAT_CLAUSE, "必填项 {field_label} 未填写", "required field {field_label} is empty"),
    # --- the submitted file itself (validator) ---
    FindingType("file.empty", E, "7.3.2", "文件为空", "the file is empty"),
    FindingType("file.cannot_open", E, "7.3.2", "无法打开文件：{reason}", "cannot open the file: {reason}"),
    FindingType("file.too_large", E, "7.3.2", "文件过大：{size} 字节，上限 {limit} 字节",
                "the file is too large: {size} bytes, limit {limit}"),
    FindingType("file.not_xlsx", E, "7.3.2", "不是 Excel 工作簿（.xlsx）：请使用标准申报表模板填写",
                "not an Excel workbook (.xlsx): fill the standard declaration template"),
    FindingType("file.legacy_xls", E, "7.3.2", "这是旧版 .xls 或其他 OLE 文件，请另存为 .xlsx 并使用标准模板",
                "this is a legacy .xls or other OLE file; save it as .xlsx from the standard template"),
    FindingType("file.encrypted", E, "7.3.2", "工作簿已加密（设有打开密码），请去除密码后提交",
                "the workbook is password-encrypted; remove the password and submit again"),
    FindingType("file.corrupt_zip", E, "7.3.2", "工作簿文件已损坏：{reason}", "the workbook file is damaged: {reason}"),
    FindingType("file.too_many_parts", E, "7.3.2", "工作簿内部部件过多（{count}，上限 {limit}）",
                "the workbook has too many parts ({count}, limit {limit})"),
    FindingType("file.zip_bomb", E, "7.3.2", "工作簿部件 {part} 解压后过大（上限 {limit} 字节），拒绝处理",
                "workbook part {part} expands beyond the limit ({limit} bytes); refused"),
    FindingType("file.xml_doctype", E, "7.3.2", "工作簿部件 {part} 含 DTD/实体声明（可能的 XML 攻击），拒绝处理",
                "workbook part {part} contains a DTD/entity declaration (a possible XML attack); refused"),
    FindingType("file.malformed_xml", E, "7.3.2",
                "工作簿部件 {part} 不是格式正确的 XML（第 {line} 行：{reason}），文件已损坏；请在 Excel 中重新保存后提交",
                "workbook part {part} is not well-formed XML (line {line}: {reason}): the file is damaged; save it "
                "again from Excel"),
    FindingType("file.too_many_sheets", E, "7.3.2", "工作表过多（{count}，上限 {limit}），不是标准申报表",
                "too many sheets ({count}, limit {limit}): not the standard declaration workbook"),
    FindingType("file.macro_code", E, "7.3.2",
                "工作簿含 VBA 宏代码（{part}）：宏不会被运行；申报须使用不含宏的 .xlsx 标准模板提交",
                "the workbook carries VBA macro code ({part}): macros are never run; submit the macro-free .xlsx template"),
    FindingType("file.macro", W, "7.3.2", "这是启用宏的工作簿：宏不会被运行，请使用 .xlsx 模板",
                "this is a macro-enabled workbook: macros are never run; use the .xlsx template"),
    FindingType("file.too_many_rows", E, "7.3.2",
                "工作表“{sheet}”的已用区域达 {rows} 行（上限 {limit} 行），远超申报表模板，拒绝处理",
                "sheet “{sheet}” uses {rows} rows (limit {limit}), far beyond the declaration template; refused"),
    FindingType("file.too_many_cells", E, "7.3.2",
                "工作簿含约 {count} 个单元格（上限 {limit}），远超申报表模板，拒绝处理",
                "the workbook holds about {count} cells (limit {limit}), far beyond the declaration template; refused"),
    FindingType("file.too_many_strings", E, "7.3.2",
                "共享字符串表含约 {count} 个字符串（上限 {limit}，即 max_cells），远超申报表模板，拒绝处理",
                "the shared-string table holds about {count} strings (limit {limit}, max_cells), far beyond the "
                "declaration template; refused"),
    FindingType("file.too_many_styles", E, "7.3.2",
                "工作簿含约 {count} 条样式记录（上限 {limit}），远超 Excel 自身的上限，拒绝处理",
                "the workbook holds about {count} style records (limit {limit}), beyond what Excel itself allows; "
                "refused"),
    FindingType("file.too_many_elements", E, "7.3.2",
                "工作簿在工作表之外含约 {count} 个 XML 元素（定义名称、关系、属性等，上限 {limit}），远超申报表模板，拒绝处理",
                "the workbook holds about {count} XML elements outside its sheets (defined names, relationships, "
                "properties …; limit {limit}), far beyond the declaration template; refused"),
    FindingType("file.too_many_sheet_elements", E, "7.3.2",
                "工作表共含约 {count} 个 XML 元素（上限 {limit}；如单元格内大量富文本片段），远超申报表模板，拒绝处理",
                "the sheets hold about {count} XML elements (limit {limit}; e.g. thousands of rich-text runs in a "
                "cell), far beyond the declaration template; refused"),
    FindingType("file.external_links", E, "6.2.3.3", "工作簿含外部链接，申报数据须全部保存在本文件中以便追溯",
                "the workbook links to other files; every declared value must be kept in this file to be traceable"),
    FindingType("file.timeout", E, "7.3.2", "校验超时（超过 {seconds} 秒），文件可能异常",
                "validation took longer than {seconds} s; the file is probably malformed"),
    FindingType("file.unreadable_workbook", E, "7.3.2", "无法读取工作簿：{reason}", "cannot read the workbook: {reason}"),
    FindingType("workbook.formula_in_input", E, "6.2.3.3",
                "输入单元格含公式：申报数据须直接填写数值，不得引用公式、外部数据或网络函数",
                "an input cell holds a formula: declared data must be typed values, not formulas, links or web functions"),
    FindingType("workbook.bad_cell_value", E, "7.3.2",
                "单元格中保存的值 {value} 不是 Excel 能写出的{kind}（文件被程序改动或已损坏），无法读取本工作簿",
                "the cell stores {value}, which is not a {kind_en} Excel can write (the file was altered by a "
                "program or is damaged); the workbook cannot be read"),
    FindingType("workbook.control_characters", E, "7.3.2",
                "{field_label} 含不可见的控制字符（{chars}），可能掩盖或篡改内容；请删除后重新填写",
                "{field_label} contains invisible control characters ({chars}) that can hide or alter its content; "
                "delete them and type it again"),
    FindingType("workbook.merged_input", E, "6.2.3.3",
                "输入单元格被合并（{range}）：合并会丢失或混淆所填数据，请取消合并后每格分别填写",
                "input cells are merged ({range}): merging loses or confuses the data typed there; unmerge them and "
                "fill each cell"),
    FindingType("workbook.hidden_sheet", E, "7.3.2",
                "工作表“{sheet}”被隐藏（{state}）：{reason_zh}",
                "sheet “{sheet}” is hidden ({state}): {reason_en}"),
    FindingType("recompute.mismatch", E, "6.2.3.3",
                "核算表 {cell}「{label}」（{column}）显示 {cached}，按方法学重新计算应为 {computed}；"
                "请勿改动核算表的公式，用电子表格程序重新计算后保存",
                "the calculation sheet's {cell} \"{label}\" ({column}) shows {cached}; recomputed by the "
                "methodology it is {computed}. Do not edit the sheet's formulas; recalculate and save again"),
    FindingType("recompute.no_cached_value", INFO, "6.2.3.3",
                "核算表有 {count} 个结果单元格没有 Excel 保存的计算值（{state_zh}）；报告中的结果由校验器按方法学计算",
                "{count} result cells of the calculation sheet have no value saved by Excel ({state_en}); "
                "the report's results are computed by the validator"),
    # --- calculation sheet 核算 vs the core (issue 12: workbook) ---
    FindingType("recompute.addin_not_installed", INFO, "6.2.3.3",
                "核算表 F 列（加载项 HP_* 结果）有 {count} 个单元格显示 {error}：保存文件的电脑未安装 hpcarbon 加载项。"
                "E 列的通用公式结果已与方法学核对",
                "{count} cells of the calculation sheet's column F (add-in HP_* results) show {error}: the hpcarbon "
                "add-in was not installed where the file was saved. Column E's results were checked against the "
                "methodology"),
    FindingType("recompute.old_template", INFO, "6.2.3.3",
                "工作簿使用申报表模板 {version}，其核算表未与方法学逐项核对（数据已全部读取并核算）；请改用模板 {current}"
                "（hpcarbon template 生成），核算表将显示通用公式结果",
                "the workbook uses template {version}, whose calculation sheet is not compared item by item (its data "
                "was read and accounted in full); use template {current} (hpcarbon template), whose calculation sheet "
                "shows results in any spreadsheet program"),
    FindingType("field.coerced", W, FORMAT_CLAUSE,
                "{field_label} 填的是 {typed}，校验器按 {value} 读取；但申报表自身的公式不认它（{why_zh}），"
                "核算表的结果会与校验器不同。请{fix_zh}",
                "{field_label} holds {typed}, which the validator reads as {value}; but the workbook's own formulas "
                "ignore it ({why_en}), so the calculation sheet's results differ from the validator's. Please "
                "{fix_en}"),
    FindingType("recompute.explained_by_input", W, "6.2.3.3",
                "{field_label} 填的是 {typed}，申报表自身的公式把它{how_zh}，所以核算表 {cells} 的 {count} 个结果"
                "与方法学核算不同（如「{label}」显示 {cached}，校验器算得 {computed}）。请{fix_zh}",
                "{field_label} holds {typed}, which the workbook's own formulas {how_en}, so {count} results of "
                "the calculation sheet ({cells}) differ from the methodology's (e.g. \"{label}\" shows {cached}, the "
                "validator computes {computed}). Please {fix_en}"),
    FindingType("recompute.undetermined_by_input", W, "6.2.3.3",
                "{field_label} 填的是 {typed}，申报表自身的公式{how_zh}，按此核算表 {cells} 的 {count} 个结果无法与"
                "方法学核算核对（如「{label}」显示 {cached}，校验器算得 {computed}）。请{fix_zh}，重新计算后保存",
                "{field_label} holds {typed}, which the workbook's own formulas {how_en}, so {count} results of the "
                "calculation sheet ({cells}) cannot be checked against the methodology's (e.g. \"{label}\" shows "
                "{cached}, the validator computes {computed}). Please {fix_en}, recalculate and save"),
    FindingType("recompute.no_calc_sheet", W, "6.2.3.3",
                "核算表（{sheet}）已被删除或改名，无法与工作簿自身的计算结果核对；报告中的结果由校验器按方法学计算",
                "the calculation sheet ({sheet}) was deleted or renamed, so the workbook's own results cannot be "
                "compared; the report's results are computed by the validator"),
    # --- gate integrity (issue 10): the package as Excel and openpyxl resolve it, active content, reviewer checks ---
    FindingType("file.ambiguous_package", E, "7.3.2",
                "工作簿的结构有歧义，Excel 与校验程序可能读到不同内容，拒绝处理：{reason_zh}",
                "the workbook's structure is ambiguous — Excel and the validator could read different content; "
                "refused: {reason_en}"),
    FindingType("file.compression", E, "7.3.2",
                "工作簿部件 {part} 使用 Excel 无法打开的压缩方式（{method}）；请在 Excel 中另存为 Excel 工作簿（.xlsx）",
                "workbook part {part} uses a compression method Excel cannot open ({method}); save it from Excel "
                "as an Excel Workbook (.xlsx)"),
    FindingType("file.opendocument", E, "7.3.2",
                "这是 OpenDocument 电子表格（.ods），不是 Excel 工作簿；请在 WPS/LibreOffice/Excel 中“另存为”"
                "Excel 工作簿（.xlsx）后提交",
                "this is an OpenDocument spreadsheet (.ods), not an Excel workbook; use Save As → Excel Workbook "
                "(.xlsx) in LibreOffice, WPS or Excel and submit that"),
    FindingType("file.strict_ooxml", E, "7.3.2",
                "这是“Strict Open XML 电子表格”格式；请在 Excel 中“另存为”→“Excel 工作簿（.xlsx）”后提交",
                "this is a Strict Open XML Spreadsheet; in Excel use Save As → Excel Workbook (.xlsx) and submit "
                "that"),
    FindingType("file.active_content", E, "7.3.2",
                "工作簿含可执行的内容：{what_zh}（{part}）；申报表不得携带可执行内容，请删除后提交",
                "the workbook carries executable content: {what_en} ({part}); a declaration must carry none — "
                "remove it and submit again"),
    FindingType("file.external_content", E, "6.2.3.3",
                "工作簿含指向文件之外的内容：{what_zh}（{part}）；申报数据须全部保存在本文件中以便追溯",
                "the workbook reaches outside the file: {what_en} ({part}); every declared value must be kept "
                "in this file to be traceable"),
    FindingType("workbook.formula_outside", E, "6.2.3.3",
                "公式 {formula} 引用了工作簿之外的内容（{what}）：申报数据须全部保存在本文件中，不得调用网络、DDE 或其他文件",
                "the formula {formula} reaches outside the workbook ({what}): every declared value must be kept in "
                "this file — no web, DDE or other-file references"),
    FindingType("file.annotate_skipped", INFO, "7.3.2",
                "工作簿含 {count} 个单元格（超过 {limit}），未写出标注副本；校验结果不受影响",
                "the workbook holds {count} cells (more than {limit}), so no annotated copy was written; the "
                "validation itself is complete"),
    FindingType("file.annotate_too_heavy", INFO, "7.3.2",
                "工作簿含大量需逐一构建的元素（样式、名称、文本片段等，折合约 {count} 个单元格，超过 {limit} 的两倍），"
                "未写出标注副本；校验结果不受影响",
                "the workbook holds so many elements to build one by one (styles, names, text runs …: about "
                "{count} cells' worth, more than twice {limit}) that no annotated copy was written; the validation "
                "itself is complete"),
    FindingType("file.annotate_failed", W, "7.3.2",
                "未能写出标注副本：读取程序无法打开本工作簿的某些部件（{reason}）；校验结果不受影响",
                "no annotated copy was written: the spreadsheet library cannot open some part of this workbook "
                "({reason}); the validation itself is complete"),
    FindingType("file.not_regular", E, "7.3.2",
                "{file} 不是普通文件（{kind}），不予读取",
                "{file} is not a regular file ({kind}); it is not read"),
    FindingType("workbook.hidden_input_data", W, "7.3.2",
                "输入表格中的数据位于隐藏的{what_zh}中，核查人员可能看不到；请取消隐藏",
                "data in the input tables sits in a hidden {what_en}, which a reviewer may not see; unhide it"),
    FindingType("workbook.hidden_format", W, "7.3.2",
                "输入单元格的格式使其内容不可见（{how_zh}），核查人员可能看不到所填数据；请恢复常规格式",
                "an input cell is formatted to hide its value ({how_en}), so a reviewer may not see it; restore "
                "a normal format"),
    FindingType("workbook.lists_extra", W, "7.3.2",
                "隐藏的下拉列表工作表在列表之外还有内容（{count} 个单元格），核查人员看不到；请删除",
                "the hidden dropdown-lists sheet holds content beyond its lists ({count} cells), which a reviewer "
                "does not see; delete it"),
    FindingType("workbook.imitation_sheet", W, "7.3.2",
                "工作表“{sheet}”的名称与模板工作表“{template}”相似，可能误导核查人员；请删除或改名",
                "sheet “{sheet}” has a name like the template's “{template}”, which can mislead a reviewer; "
                "delete or rename it"),
    # --- across the files of one batch (validator) ---
    FindingType("batch.duplicate_declaration", E, "7.3.3",
                "项目 {project_id} 的供暖期 {this_start} 至 {this_end} 与 {other}（{other_start} 至 {other_end}）重叠：同一项目同一时段的减排量不得重复申报",
                "project {project_id}: season {this_start} to {this_end} overlaps {other} ({other_start} to {other_end}); "
                "the same project must not be declared twice for the same period"),
    FindingType("batch.estimate_above_later_metered", E, "6.2.4.3",
                "本供暖期估算的每供暖小时供热量 {estimate_rate:.{rate_decimals}f} GJ/h 高于后期热量表实测的 {metered_rate:.{rate_decimals}f} GJ/h"
                "（{other}，{later_start} 起）：前期估算不得高于后期实测，须修正 [D]",
                "this season's estimated heat per heating hour {estimate_rate:.{rate_decimals}f} GJ/h exceeds the {metered_rate:.{rate_decimals}f} "
                "GJ/h metered later ({other}, from {later_start}); an estimate must not exceed later metered heat and "
                "must be corrected [D]"),
    # --- against everything the registry accepted before (registry, issue 11) ---
    FindingType("registry.already_accepted", INFO, "7.3.3",
                "该文件（同一 SHA-256）已于 {accepted_at} 受理为申报 #{other_id}，不再重复登记",
                "this file (the same SHA-256) was accepted as declaration #{other_id} at {accepted_at}; nothing new is recorded"),
    FindingType("registry.withdrawn_resubmitted", E, "7.3.3",
                "该文件（同一 SHA-256）曾受理为申报 #{other_id}（{accepted_at}）并已撤回，不能原样再次受理",
                "this file (the same SHA-256) was accepted as declaration #{other_id} ({accepted_at}) and withdrawn; "
                "it cannot be accepted again as it is"),
    FindingType("registry.duplicate_declaration", E, "7.3.3",
                "项目 {project_id} 的供暖期 {this_start} 至 {this_end} 与登记簿中已受理的申报 #{other_id}（{other_file}，"
                "{other_start} 至 {other_end}）重叠：同一项目同一时段的减排量不得重复申报",
                "project {project_id}: season {this_start} to {this_end} overlaps declaration #{other_id} already accepted "
                "in the registry ({other_file}, {other_start} to {other_end}); the same project must not be declared "
                "twice for the same period"),
    FindingType("registry.meter_claimed_elsewhere", E, "7.3.3",
                "{meter_zh} {meter_id} 已在项目 {other_project} 的申报 #{other_id}（{other_start} 至 {other_end}）中申报，"
                "供暖期重叠：同一设备的减排量不得重复申报",
                "{meter_en} {meter_id} is already declared by project {other_project} (declaration #{other_id}, "
                "{other_start} to {other_end}) for an overlapping season: the same equipment must not be claimed twice"),
    FindingType("registry.address_claimed_elsewhere", W, "7.3.3",
                "项目地址“{address}”与项目 {other_project} 的申报 #{other_id}（{other_start} 至 {other_end}）相同，"
                "供暖期重叠：请核实是否同一建筑被重复申报",
                "the project address \"{address}\" is that of project {other_project} (declaration #{other_id}, "
                "{other_start} to {other_end}) for an overlapping season: check the same building is not claimed twice"),
    FindingType("registry.estimate_after_metered", E, "6.2.4.3",
                "{type_zh}在已受理的申报 #{other_id}（{other_start} 至 {other_end}）中已由热量表计量：安装热量表后"
                "须采用计量供热量，不得再估算",
                "the {type_en} was heat-metered in declaration #{other_id} already accepted ({other_start} to "
                "{other_end}); once a heat meter is installed its metered heat must be used, not an estimate"),
    FindingType("registry.estimate_above_later_metered", E, "6.2.4.3",
                "本供暖期估算的每供暖小时供热量 {estimate_rate:.{rate_decimals}f} GJ/h 高于登记簿中后期热量表实测的 {metered_rate:.{rate_decimals}f} GJ/h"
                "（申报 #{other_id}，{other_start} 起）：前期估算不得高于后期实测 [D]",
                "this season's estimated heat per heating hour {estimate_rate:.{rate_decimals}f} GJ/h exceeds the {metered_rate:.{rate_decimals}f} "
                "GJ/h metered later (declaration #{other_id}, from {other_start}); an estimate must not exceed later "
                "measured heat [D]"),
    FindingType("registry.corrects_earlier_estimate", W, "6.2.4.3",
                "已受理的前期申报 #{other_id}（{other_start} 至 {other_end}）估算的每供暖小时供热量 {estimate_rate:.{rate_decimals}f} GJ/h "
                "高于本期实测的 {metered_rate:.{rate_decimals}f} GJ/h：受理本申报时为其记录修正（供热量 {corrected_heat:.{gj_decimals}f} GJ，可签发减排量 "
                "{corrected_creditable:.{t_decimals}f} t CO₂）[D]",
                "declaration #{other_id} accepted earlier ({other_start} to {other_end}) estimated {estimate_rate:.{rate_decimals}f} "
                "GJ/h per heating hour, above the {metered_rate:.{rate_decimals}f} GJ/h metered this season: accepting this declaration "
                "records its correction (heat {corrected_heat:.{gj_decimals}f} GJ, "
                "creditable {corrected_creditable:.{t_decimals}f} t CO2) [D]"),
    # --- eligibility and periods ---
    FindingType("period.operation_before_traceability", E, "5.3",
                "热泵实际开始运行日期 {operation_start} 早于可追溯期起点 {traceability}",
                "operation start {operation_start} is before the traceability date {traceability}"),
    FindingType("period.season_before_operation", E, "5.2",
                "供暖期开始日期 {season_start} 早于热泵实际开始运行日期 {operation_start}",
                "season start {season_start} is before the operation start {operation_start}"),
    FindingType("period.season_after_crediting", E, "5.2",
                "供暖期结束日期 {season_end} 晚于计入期结束日期 {crediting_end}（计入期 {crediting_years} 年）",
                "season end {season_end} is after the crediting period ends on {crediting_end} "
                "({crediting_years} years)"),
    FindingType("period.season_too_long", E, "6.2",
                "一份申报只含一个供暖周期：{season_start} 至 {season_end} 超过 12 个月",
                "a declaration covers one heating season: {season_start} to {season_end} exceeds 12 months"),
    # --- owner ---
    FindingType("owner.uscc_invalid", E, "2.2.1",
                "企业业主的统一社会信用代码 {id_number} 无效（GB 32100 校验）：{reason_zh}",
                "the enterprise owner's unified social credit code {id_number} is invalid (GB 32100): {reason_en}"),
    FindingType("owner.resident_id_invalid", E, "2.2.2",
                "个体业主的居民身份证号码 {id_number} 无效（GB 11643 / ISO 7064 MOD 11-2 校验）：{reason_zh}",
                "the individual owner's resident ID {id_number} is invalid (GB 11643 / ISO 7064 MOD 11-2): {reason_en}"),
    # --- statements ---
    FindingType("statement.not_affirmed", E, "2.3", "未确认书面声明：{statement_zh}",
                "written statement not affirmed: {statement_en}"),
    # --- parameters ---
    FindingType("parameters.no_set_in_force", E, "7.1", "供暖期开始日 {season_start} 没有生效的参数集",
                "no parameter set is in force on the season start {season_start}"),
    FindingType("parameters.version_mismatch", E, "7.1",
                "申报的参数版本 {declared} 与供暖期生效的参数集 {in_force} 不一致",
                "declared parameter set {declared} differs from the set in force for the season, {in_force}"),
    FindingType("parameters.value_mismatch", E, "7.1",
                "参数 {name} 申报值 {declared} {unit} 与生效值 {in_force} {unit} 不一致；核算采用生效值",
                "parameter {name} declared as {declared} {unit} differs from the value in force, {in_force} {unit}; the value in force is used"),
    # --- systems and meters ---
    FindingType("system.ground_subtype_missing", E, "2.1.1.1",
                "地源热泵须注明子类型（{ground_subtypes_zh}）",
                "a ground-source system must state its subtype ({ground_subtypes_en})"),
    FindingType("meter.electricity_missing", E, "表9–表11",
                "{type_zh}未登记电能表编号（电量须按热泵类型分别计量）",
                "{type_en} has no electricity meter id (electricity is metered per heat-pump type)"),
    FindingType("meter.heat_missing", E, "表5–表7",
                "{type_zh}申报为热量表计量，但未登记热量表编号",
                "{type_en} is declared heat-metered but has no heat meter id"),
    FindingType("meter.verification_missing", W, "7.3.2", "{meter_zh} {meter_id} 未填写最近检定日期",
                "{meter_en} {meter_id} has no last verification date"),
    FindingType("meter.verification_expired", W, "7.3.2",
                "{meter_zh} {meter_id} 最近检定日期 {verified_on}，{cycle} 年检定周期在供暖期结束前已届满 [D]",
                "{meter_en} {meter_id} was last verified on {verified_on}; its {cycle}-year cycle ran out before the "
                "season ended [D]"),
    FindingType("total_meter.not_coupled", E, "表5–表7",
                "总输出端热量表只适用于两种及以上热泵耦合的项目，此处只覆盖 {covers}",
                "a total-output heat meter is allowed only for two or more coupled types; it covers only {covers}"),
    FindingType("total_meter.unknown_type", E, "表5–表7",
                "总输出端热量表覆盖的 {type_zh}不是本项目申报的热泵类型",
                "the total-output meter covers {type_en}, which is not a system of this project"),
    FindingType("total_meter.double_metered", E, "6.2.1",
                "{type_zh}既有单独热量表又被总输出端热量表覆盖，供热量会重复计算",
                "{type_en} has its own heat meter and is also covered by the total-output meter: heat would be counted twice"),
    FindingType("total_meter.readings_without_meter", W, "表5–表7",
                "{month} 填写了总输出端热量，但项目未登记总输出端热量表，该读数不参与核算",
                "{month} has a total-output heat reading but no total-output meter is declared; it is ignored"),
    FindingType("heat.readings_for_unmetered", W, "表5–表7",
                "{month} 填写了{type_zh}热量读数，但该类型未申报热量表计量，该读数不参与核算",
                "{month} has a heat reading for {type_en}, which is not declared heat-metered; it is ignored"),
    FindingType("electricity.unknown_type", E, "6.2.1",
                "{month} 填写了{type_zh}的耗电量，但项目未申报该热泵类型（严禁不同类型热泵混合计算）",
                "{month} has electricity for {type_en}, which is not a system of this project (types must not be mixed)"),
    # --- monthly coverage and hours ---
    FindingType("monthly.outside_season", E, "表5–表11", "月份 {month} 不在供暖期 {season_start} 至 {season_end} 内",
                "month {month} is outside the season {season_start} to {season_end}"),
    FindingType("monthly.duplicate", E, "表5–表11", "月份 {month} 重复填写", "month {month} is entered more than once"),
    FindingType("monthly.missing_month", E, "表5–表11", "缺少供暖期内 {month} 的月度记录（供暖期连续监测，至少每月记录一次）",
                "no record for {month} of the season (continuous monitoring, at least one reading a month)"),
    FindingType("monthly.electricity_missing", E, "表9–表11", "{month} 缺少{type_zh}耗电量读数（0 也须填写）",
                "{month} has no electricity reading for {type_en} (enter 0 when none was used)"),
    FindingType("monthly.heat_missing", E, "表5–表7", "{month} 缺少{type_zh}热量表读数",
                "{month} has no heat meter reading for {type_en}"),
    FindingType("monthly.total_heat_missing", E, "表5–表7", "{month} 缺少总输出端热量表读数",
                "{month} has no total-output heat meter reading"),
    FindingType("hours.exceed_calendar", E, "6.2.4.2",
                "{month} 供暖小时数 {hours} h 超过该月供暖期内日历小时数 {max_hours} h（{days} 天 × 24）",
                "{month}: {hours} heating hours exceed the {max_hours} calendar hours of the season in that month ({days} days × 24)"),
    FindingType("hours.outage_exceeds_heating", E, "6.2.4.2", "{month} 停供小时数 {outage} h 大于供暖小时数 {hours} h",
                "{month}: outage hours {outage} exceed heating hours {hours}"),
    # --- COP ---
    FindingType("cop.missing", E, "表8", "{type_zh}未计量热量，须提供 COP（{cop_report_zh}或{cop_onsite_zh}）",
                "{type_en} is not heat-metered, so its COP is needed ({cop_report_en} or {cop_onsite_en})"),
    FindingType("cop.report_value_missing", E, "表8", "{type_zh} COP 来源为{cop_report_zh}，但未填写报告 COP 值",
                "{type_en}: COP source is the {cop_report_en} but no report COP is given"),
    FindingType("cop.report_no_missing", W, "表8", "{type_zh}未填写热泵设备检测报告编号",
                "{type_en}: the equipment test report number is missing"),
    FindingType("cop.implausible", E, "6.2.4.1", "{what} COP = {value} 不可信（须在 {low} 至 {high} 之间）",
                "{what} COP = {value} is implausible (must be between {low} and {high})"),
    FindingType("cop.atypical", W, "6.2.4.1",
                "{what} COP = {value} 超出{type_zh}的典型范围 {low}–{high}，请核实，严禁高估 [D]",
                "{what} COP = {value} is outside the typical band {low}–{high} for {type_en}; check it, never overestimate [D]"),
    FindingType("cop.onsite_lower_than_report", W, "6.2.4.1",
                "{type_zh}{cop_onsite_zh}的供暖期 COP {onsite:.{cop_decimals}f} 低于{cop_report_zh} COP {report}，采用报告值可能高估供暖量",
                "{type_en}: the seasonal COP by {cop_onsite_en} {onsite:.{cop_decimals}f} is below the {cop_report_en}'s {report}; "
                "the report may overestimate heat"),
    # this and cop.measurement_frequency: an error when the type's COP comes from these measurements (it
    # feeds formula (2)); a warning for a heat-metered type whose measurements are recorded but not used
    # (rules.cop passes severity)
    FindingType("cop.measurement_missing_month", E, "表8",
                "{type_zh} COP 采用{cop_onsite_zh}，但 {month} 有耗电量却没有 COP 测量记录：测量 {count} 次，"
                "表8要求 {required} 次（{condition_zh}工况 {base} 次{extreme_zh}）",
                "{type_en} takes its COP from {cop_onsite_en}, but {month} has electricity use and no COP measurement: {count} found, "
                "{required} required by 表8 ({condition_en} conditions {base}{extreme_en})"),
    FindingType("cop.measurement_frequency", E, "表8",
                "{type_zh} {month} 现场 COP 测量 {count} 次，少于表8要求的 {required} 次（{condition_zh}工况 {base} 次{extreme_zh}）",
                "{type_en} {month}: {count} on-site COP measurements, fewer than the {required} required by 表8 "
                "({condition_en} conditions {base}{extreme_en})"),
    FindingType("cop.measurement_outside_season", E, "表8", "{type_zh} COP 测量日期 {date} 不在供暖期内",
                "{type_en}: COP measurement dated {date} is outside the season"),
    FindingType("cop.measurement_record_incomplete", W, "表8",
                "{type_zh} {date} 的 COP 测量记录缺少室外温度",
                "{type_en}: the COP measurement of {date} has no outdoor temperature"),
    FindingType("cop.condition_mismatch", W, "表8",
                "{type_zh} {date} 的测量工况填为{declared_zh}，表8 中该月为{expected_zh}工况",
                "{type_en}: the measurement of {date} states {declared_en} conditions; 表8 gives {expected_en} for that month"),
    # --- areas and the heat index q ---
    FindingType("area.missing", E, "6.2.2", "无热量表的热泵类型须按面积法校核，但未填写供暖面积",
                "heat-pump types without a heat meter must be checked by the area method, but no heated area is given"),
    FindingType("area.q_above_table", E, "6.2.4.1",
                "{building_zh}的单位面积热指标 {declared} W/m² 高于 CJJ/T 34-2022 推荐值下限 {lowest} W/m²（严禁高估）",
                "heat index {declared} W/m² for {building_en} is above the lowest recommended value {lowest} W/m² of CJJ/T 34-2022 (never overestimate)"),
    FindingType("area.q_below_table", INFO, "6.2.4.1",
                "{building_zh}的单位面积热指标 {declared} W/m² 低于推荐值下限 {lowest} W/m²，更保守，予以接受",
                "heat index {declared} W/m² for {building_en} is below the lowest recommended {lowest} W/m²: more conservative, accepted"),
    FindingType("area.served_by_unknown_type", E, "6.2.2", "面积条目的供热热泵类型 {type_zh}不是本项目申报的类型",
                "an area entry is served by {type_en}, which is not a system of this project"),
    FindingType("area.served_by_required", E, "6.2.3",
                "项目部分类型有热量表、部分没有：每条面积须注明由哪些热泵类型供热，且不能同时由两者供热 [D]",
                "some types are heat-metered and some are not: each area entry must say which types heat it, and not both kinds [D]"),
    # --- estimation, re-check and results ---
    FindingType("deviation.recheck_required", E, "6.2.3.2",
                "电算法 {heat_elec:.{gj_decimals}f} GJ 与面积法 {heat_area:.{gj_decimals}f} GJ 偏差 {deviation} 超过 {threshold}，须重新核查参数并填写复核记录",
                "electricity method {heat_elec:.{gj_decimals}f} GJ and area method {heat_area:.{gj_decimals}f} GJ deviate by {deviation} (> {threshold}): re-check the parameters and fill the re-check record"),
    FindingType("deviation.rechecked", W, "6.2.3.2",
                "两种方法偏差 {deviation} 超过 {threshold}，已由 {by} 于 {date} 复核；仍取较小值",
                "the methods deviate by {deviation} (> {threshold}); re-checked by {by} on {date}; the smaller value is still used"),
    FindingType("recheck.incomplete", E, "6.2.3.2", "复核记录不完整：缺少{missing_zh}",
                "the re-check record is incomplete: {missing_en} missing"),
    FindingType("reductions.negative", W, "6.4", "减排量为负（{er:.{t_decimals}f} t CO₂），可签发减排量为 0",
                "emission reductions are negative ({er:.{t_decimals}f} t CO2); the creditable amount is 0"),
    # --- the declaration workbook (template layout, reader) ---
    FindingType("workbook.not_template", E, "6.2.3.3",
                "不是标准申报表，无法按固定位置读取：{reason_zh}",
                "not the standard declaration workbook, so its fixed positions cannot be read: {reason_en}"),
    FindingType("workbook.template_version", E, "6.2.3.3",
                "申报表模板版本 {found} 不受支持（支持 {supported}）：请用 hpcarbon template 生成的模板重新填写",
                "template version {found} is not supported (supported: {supported}); fill a template made by "
                "`hpcarbon template`"),
    FindingType("workbook.data_ignored", W, "6.2.3.3", "{field_label}：{reason_zh}", "{field_label}: {reason_en}"),
    # --- the validation service (hpcarbon serve) ---
    FindingType("service.worker_died", E, "7.3.2",
                "校验本文件的进程异常终止（如超出内存上限），文件可能异常，未能完成校验",
                "the process validating this file died (e.g. over its memory cap); the file is probably malformed "
                "and was not validated"),
]

CATALOG: dict[str, FindingType] = {k.code: k for k in _KINDS}
