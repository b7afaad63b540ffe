"""Rules as code: the money of the policy (PROVISIONS.md section 1) computed, explained and tested.

Pure parts (no database or web import): :mod:`clauses`, :mod:`yamlmarks`, :mod:`parameters`,
:mod:`formulas`, :mod:`loader`, :mod:`snapshot`, :mod:`candidates`, :mod:`engine`,
:mod:`scenarios`. The database side: :mod:`models`, :mod:`sources`, :mod:`service`.
"""
