"""The one table of Shenzhen's districts, and the alias lookup the parser and the CLI share."""

# Annotations are evaluated here, not strings: see the note in cache/model.py (NamedTuple fields).

from typing import NamedTuple

from .text import fold


class District(NamedTuple):
    code: str
    name: str  # canonical Chinese name
    short: str
    english: str
    aliases: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Every form a heading or a user may use for this district."""
        return (self.code, self.name, self.short, self.english, *self.aliases)


DISTRICTS: tuple[District, ...] = (
    District("futian", "福田区", "福田", "Futian"),
    District("luohu", "罗湖区", "罗湖", "Luohu"),
    District("yantian", "盐田区", "盐田", "Yantian"),
    District("nanshan", "南山区", "南山", "Nanshan"),
    District("baoan", "宝安区", "宝安", "Bao'an", ("baoan", "bao an")),
    District("longgang", "龙岗区", "龙岗", "Longgang"),
    District("longhua", "龙华区", "龙华", "Longhua"),
    District("pingshan", "坪山区", "坪山", "Pingshan"),
    District("guangming", "光明区", "光明", "Guangming"),
    District("dapeng", "大鹏新区", "大鹏", "Dapeng", ("大鹏区",)),
    District("shenshan", "深汕特别合作区", "深汕", "Shenshan", ("深汕合作区", "深汕区")),
    District("city", "市级", "市级", "City", ("全市", "深圳市", "市委社会工作部")),
    District("other", "其他", "其他", "Other"),
)

BY_CODE: dict[str, District] = {d.code: d for d in DISTRICTS}
# Not one of the eleven areas: the municipal level, and headings the table does not know. They appear
# only in some weeks, so lists show them when present.
OCCASIONAL_CODES: tuple[str, ...] = ("city", "other")
AREAS: tuple[District, ...] = tuple(d for d in DISTRICTS if d.code not in OCCASIONAL_CODES)
CODES: tuple[str, ...] = tuple(d.code for d in DISTRICTS)
ORDER: dict[str, int] = {code: i for i, code in enumerate(CODES)}

_BY_ALIAS: dict[str, District] = {fold(label): d for d in DISTRICTS for label in d.labels}

# A heading that names a municipal body is a city-level item (SOURCE.md).
_CITY_MARKERS = ("市委", "全市", "市级", "深圳市", "市社会工作", "市民政")


def lookup_district(text: str) -> District | None:
    """The district a user or a heading means by `text` (code, full/short Chinese or English, any case)."""
    return _BY_ALIAS.get(fold(text).strip())


def district_for_label(label: str) -> District:
    """Classify a heading's label: a known district, `city`, or `other` (never dropped)."""
    key = fold(label).strip()
    found = _BY_ALIAS.get(key)
    if found is not None:
        return found
    # Headings sometimes name a body inside a district, e.g. "南山区委社会工作部".
    for district in AREAS:
        if key.startswith(fold(district.name)) or key.startswith(fold(district.short)):
            return district
    if any(marker in key for marker in _CITY_MARKERS):
        return BY_CODE["city"]
    return BY_CODE["other"]


def accepted_districts() -> str:
    """One line listing what `--district` accepts, for usage errors."""
    return ", ".join(f"{d.code} ({d.name})" for d in DISTRICTS)
