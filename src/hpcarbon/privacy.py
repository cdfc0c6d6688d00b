"""Owner identifiers: check characters (§2.2) and masking of personal data (SPEC §10, §7.3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# GB 32100-2015 unified social credit code: 31 characters (no I, O, Z, S, V), weights 3^i mod 31.
_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11643-1999 resident ID: ISO 7064 MOD 11-2, weights 2^(17-i) mod 11.
_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RID_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdProblem:
    """Why an identifier is invalid, in both languages."""
    zh: str
    en: str


def uscc_problem(code: str) -> IdProblem | None:
    """Why a unified social credit code is invalid; None when valid (GB 32100)."""
    if len(code) != 18:
        return IdProblem(f"应为 18 位，实为 {len(code)} 位", f"must have 18 characters, has {len(code)}")
    bad = [c for c in code if c not in _USCC_CHARSET]
    if bad:
        return IdProblem("含不允许的字符（不得含 I、O、Z、S、V 或小写字母）",
                         "contains characters outside GB 32100's set (no I, O, Z, S, V)")
    total = sum(_USCC_CHARSET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS))
    expected = _USCC_CHARSET[(31 - total % 31) % 31]
    if code[17] != expected:
        return IdProblem("校验码不符", "the check character does not match")
    return None


def resident_id_problem(code: str) -> IdProblem | None:
    """Why an 18-digit resident ID is invalid; None when valid (GB 11643, ISO 7064 MOD 11-2)."""
    if len(code) != 18:
        return IdProblem(f"应为 18 位，实为 {len(code)} 位", f"must have 18 characters, has {len(code)}")
    if not code[:17].isascii() or not code[:17].isdigit() or code[17] not in "0123456789X":
        return IdProblem("前 17 位须为数字，末位为数字或 X",
                         "the first 17 characters must be digits, the last a digit or X")
    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return IdProblem("出生日期码无效", "the date-of-birth part is not a valid date")
    total = sum(int(c) * w for c, w in zip(code[:17], _RID_WEIGHTS))
    if code[17] != _RID_CHECK[total % 11]:
        return IdProblem("校验码不符", "the check digit does not match")
    return None


def mask_id(value: str | None) -> str:
    """2201**********123X: the first 4 and last 4 characters kept (SPEC §10)."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str | None) -> str:
    """张** — the first character kept."""
    if not value:
        return ""
    value = str(value)
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_phone(value: str | None) -> str:
    """138****5678 — the first 3 and last 4 digits kept, every other digit masked."""
    if not value:
        return ""
    value = str(value)
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    keep = set(digits[:3] + digits[-4:]) if len(digits) > 7 else set()
    return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(value))


# --- the one masking helper (issue 10): every report, log, page, export and annotated copy uses it -------

#: an 18-character resident ID candidate and a mainland mobile number; a candidate is masked only when
#: its GB 11643 check digit holds (a meter serial of 18 digits is not an ID)
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


#: what a report shows instead of a value that may be personal data (a cell of an owner field it cannot read)
NOT_SHOWN_ZH, NOT_SHOWN_EN = "内容不予显示", "content not shown"


def merge_personal(*tables: dict[str, str]) -> dict[str, str]:
    """Tables of personal text (raw → masked, as :func:`owner_personal` gives) as one, later ones winning,
    longest raw text first (an ID before a name inside it); one character is no identifier and would mask
    ordinary text, so it is left out."""
    pairs: dict[str, str] = {}
    for table in tables:
        pairs.update(table)
    return {raw: pairs[raw] for raw in sorted((r for r in pairs if r and len(r.strip()) > 1), key=len, reverse=True)}


def mask_value(value, personal: dict[str, str] | None = None):
    """``value`` with personal data masked (:func:`mask_text`): strings, and the strings inside lists and
    dicts (keys kept); anything else as it is."""
    if isinstance(value, str):
        return mask_text(value, personal)
    if isinstance(value, list):
        return [mask_value(v, personal) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v, personal) for k, v in value.items()}
    return value


#: the owner types as a declaration writes them (a word there is no personal data)
_OWNER_TYPE_WORDS = ("individual", "enterprise")


def owner_personal(individual: bool, name, id_number, phone, *names) -> dict[str, str]:
    """An individual owner's name, ID and phone as typed → masked; {} for an enterprise owner (its
    identifiers are public) — resident IDs and mobile numbers are masked by :func:`mask_text` anyway.
    Each value may be a text or, typed wrongly, a list of texts; ``names``: further texts that may be the
    owner's name typed in the wrong field (masked as a name)."""
    if not individual:
        return {}
    out = {}
    # the fields' own maskers last: a phone number typed among the names is masked as a phone
    for values, masker in (*((n, mask_name) for n in names), (name, mask_name), (id_number, mask_id),
                           (phone, mask_phone)):
        for raw in values if isinstance(values, list) else [values]:
            if isinstance(raw, str) and len(raw.strip()) > 1:  # one character is no identifier
                out[raw.strip()] = masker(raw.strip())
    return merge_personal(out)


def declared_owner_personal(owner) -> dict[str, str]:
    """:func:`owner_personal` of a declaration's owner object as typed (JSON, before the model checks it):
    unless the owner is plainly an enterprise, every text typed in its fields is masked — an individual's
    name may sit in any of them when the types are wrong (e.g. a name typed as the owner type)."""
    if not isinstance(owner, dict) or owner.get("type") == "enterprise":
        return {}
    typed = owner.get("type")
    return owner_personal(True, owner.get("name"), owner.get("id_number"), owner.get("phone"),
                          *([] if typed in _OWNER_TYPE_WORDS else [typed]))


def _id_or_same(m: re.Match) -> str:
    text = m.group()
    return mask_id(text) if resident_id_problem(text.upper()) is None else text


def mask_text(text: str, personal: dict[str, str] | None = None) -> str:
    """``text`` with an owner's typed personal data replaced (``personal``: raw → masked, from
    :func:`owner_personal`) and, whatever the owner type, every valid resident ID and mobile number masked."""
    for raw, masked in (personal or {}).items():
        if raw:
            text = text.replace(raw, masked)
    if any(c.isdigit() for c in text):
        text = _RESIDENT_ID.sub(_id_or_same, text)
        text = _MOBILE.sub(lambda m: mask_phone(m.group()), text)
    return text
