"""Analyses of a session after the fact: outcomes against what was possible (`outcomes`),
voting power under each decision rule (`power`), and the debrief that gathers them (`debrief`).
"""
