"""The one spelling of an evidence number that decides "once per object" (pure).

A GB/T 29490 certificate number (P2.3-a), a pledge loan's contract number (P2.7-a) and a
patent insurance policy number (P2.7-b) reach the platform as people type them: an
enterprise on the application form, an officer in a bank's or certifier's list. ``ZY-1``,
``zy-1``, ``ＺＹ－１`` and ``ZY 1`` are one contract; kept as typed, they would be four
loans and P2.7-a would pay each. Each table keeps the number as first typed (pages, notices,
statements and the object's payment key show it, ``P2.7-a:ZY-1@2019``) and beside it a
unique key column holding :func:`evidence_key`; every lookup, from an application or an
imported list, goes through that key, so a second spelling finds the first row and one
object keeps one spelling and one payment key. PCT numbers (``parse_pct_number``) and
patent numbers (``parse_application_number``, which also key awards) have a checked
canonical form of their own and are not read here.
"""

from __future__ import annotations

from ipcity.registry.numbers import registration_number

# The hyphen and the dashes typed in its place once full-width forms are half-width:
# hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus sign,
# small hyphen-minus and small em dash. Nothing else is taken out: a slash or a dot may tell
# two numbers apart.
_DASHES = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\ufe58"))


def evidence_key(text: str) -> str:
    """``text`` folded to the key it is compared by: full-width characters half-width (as
    :func:`ipcity.registry.numbers.registration_number` reads a register's numbers, also
    upper case and without whitespace), then every hyphen or dash taken out.

    >>> [evidence_key(t) for t in ("ZY-1", "zy-1", "ＺＹ－１", "ZY 1", "zy—1")]
    ['ZY1', 'ZY1', 'ZY1', 'ZY1', 'ZY1']
    >>> evidence_key(" 0126-2019-IPMS ")
    '01262019IPMS'
    """
    return registration_number(text).translate(_DASHES)
