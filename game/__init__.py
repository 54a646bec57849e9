"""Chapter VIII's pure negotiation engine.

Nothing in this package touches files, the network, the clock or an unseeded random source:
time and randomness enter through commands and the session's first event, so folding a
session's events always gives the same state.
"""
