"""Indicators, targets and the county assessment: the city's scoreboard (P1.2, P2.1, P2.3,
P2.7, P4.2, P5.1), computed from the registry."""
