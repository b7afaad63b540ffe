"""Places: GB/T 2260 regions, Hebi's zones and parks, resident population, address -> region.

The pure part (no database, no web): :mod:`.divisions` (the region table),
:mod:`.locate` (address -> county code), :mod:`.zones` (zones of clause P2.1) and
:mod:`.population` (常住人口 by region and year).
"""

from ipcity.places.locate import locate, parse_address

__all__ = ["locate", "parse_address"]
