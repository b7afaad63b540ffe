"""Place names in the interface's language: divisions (GB/T 2260) and the shipped zones.

Pages and exports often hold a region's or a zone's *name* (joined from the tables) rather
than its code; :func:`place_name` gives that name in English for the English interface, from
the shipped division table (``name_en``) and ``zones.yaml``. A name with no English form
(divisions outside Henan, a zone an officer named) stays as it is.
"""

from __future__ import annotations

from functools import lru_cache

from ipcity.places.divisions import english_names, get_division
from ipcity.places.zones import load_zones


@lru_cache(maxsize=1)
def _english() -> dict[str, str]:
    return {**english_names(), **{z.name: z.name_en for z in load_zones() if z.name_en}}


def place_name(name: str | None, locale: str = "zh_CN") -> str:
    """``name`` as the interface in ``locale`` shows it.

    >>> place_name("淇滨区", "en"), place_name("淇滨区", "zh_CN"), place_name("东城区", "en")
    ('Qibin District', '淇滨区', '东城区')
    >>> place_name("鹤壁国家农业科技园区", "en"), place_name(None, "en")
    ('Hebi National Agricultural Science and Technology Park', '')
    """
    if not name:
        return ""
    if not locale.startswith("en"):
        return name
    return _english().get(name, name)


def english_name(code: str | None) -> str | None:
    """The English name of the division (GB/T 2260 code) or shipped zone (its code) ``code``;
    ``None`` where none is given. What the JSON APIs answer: by code, so that a division
    elsewhere that shares a Henan name stays without one, and a client can tell a
    translation from a fallback.

    >>> english_name("410621"), english_name("110105"), english_name("hebi_agri_park"), english_name(None)
    ('Xun County', None, 'Hebi National Agricultural Science and Technology Park', None)
    """
    if not code:
        return None
    division = get_division(code)
    if division is not None:
        return division.name_en or None
    return _zones_english().get(code)


@lru_cache(maxsize=1)
def _zones_english() -> dict[str, str]:
    return {z.code: z.name_en for z in load_zones() if z.name_en}
