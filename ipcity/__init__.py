"""IP City: the open platform that runs a city's IP-strong-city programme (知识产权强市).

The founding text is the Hebi 2017 implementation opinions; clause ids such as ``P2.1-a``
refer to ``PROVISIONS.md`` and are cited wherever the policy decides something.
"""

__version__ = "0.1.0"
