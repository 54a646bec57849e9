"""Tournaments: bot-only games in-process, reproducible from a seed, reported and written
as CSV; the `chapter8 tournament` command."""

from __future__ import annotations

import csv
import itertools

import pytest
import yaml
from typer.testing import CliRunner

from clients import cli_tournament
from clients.bots import names
from clients.tournament import assign, gap, play_game, tournament
from game.analysis.outcomes import analyse_item
from tests.clients.helpers import all_scenarios, burden_scenario

SCENARIOS = all_scenarios()
TUTORIAL = SCENARIOS.get("tutorial", SCENARIOS["tiny"])


def test_same_seed_same_games_and_same_report(tmp_path):
    """Two tournaments with the same arguments play the same games, event for event, and
    write the same CSV byte for byte."""
    a = tournament(TUTORIAL, games=4, seed=5, scheme="random")
    b = tournament(TUTORIAL, games=4, seed=5, scheme="random")
    assert a.rows() == b.rows()
    assert a.text() == b.text()
    a.write_csv(tmp_path / "a.csv")
    b.write_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    teams = [t.id for t in TUTORIAL.teams]
    strategies = dict(zip(teams, itertools.cycle(names()), strict=False))
    log_a = play_game(TUTORIAL, strategies, seed=9).log
    log_b = play_game(TUTORIAL, strategies, seed=9).log
    assert [e.model_dump() for e in log_a] == [e.model_dump() for e in log_b]


def test_the_seed_drives_the_random_assignment():
    teams = ["a", "b", "c", "d"]
    bots = names()
    assert assign(teams, bots, 20, "random", 1) == assign(teams, bots, 20, "random", 1)
    assert assign(teams, bots, 20, "random", 1) != assign(teams, bots, 20, "random", 2)


def test_rotation_gives_every_team_every_strategy_once_in_k_games():
    teams = ["sg", "au", "eu"]
    bots = ["boulware", "linear", "conceder", "chair"]
    games = assign(teams, bots, len(bots), "rotate", 0)
    for team in teams:
        assert sorted(g[team] for g in games) == sorted(bots)
    for g in games:  # and every game mixes them
        assert len(set(g.values())) == len(teams)


def test_all_combinations_are_enumerated_in_turn():
    teams = ["sg", "au", "eu"]
    bots = ["boulware", "linear"]
    games = assign(teams, bots, 8, "all", 0)
    assert [tuple(g[t] for t in teams) for g in games] == list(itertools.product(bots, repeat=3))
    assert assign(teams, bots, 9, "all", 0)[8] == games[0]


def test_unknown_strategies_and_schemes_are_refused():
    with pytest.raises(ValueError, match="unknown bot strategy"):
        assign(["a"], ["nobody"], 1, "rotate", 0)
    with pytest.raises(ValueError, match="unknown scheme"):
        assign(["a"], ["linear"], 1, "shuffle", 0)  # type: ignore[arg-type]


def test_report_figures_are_what_the_games_give():
    """Agreement rates, mean scores per team and per strategy and collective security are
    the means of the games' own results."""
    report = tournament(TUTORIAL, games=6, seed=2)
    rows = {(r["section"], r["subject"], r["metric"]): r for r in report.rows()}
    results = report.results
    for item in report.items():
        rate = sum(r.adopted[item] for r in results) / len(results)
        assert rows[("item", item, "agreement_rate")]["value"] == pytest.approx(rate)
    for team in [t.id for t in TUTORIAL.teams]:
        mean = sum(r.scores[team] for r in results) / len(results)
        assert rows[("team", team, "mean_score")]["value"] == pytest.approx(mean, abs=1e-5)
    for name in report.bots:
        scores = [r.scores[t] for r in results for t, s in r.strategies.items() if s == name]
        assert rows[("strategy", name, "mean_score")]["n"] == len(scores)
        if scores:
            assert rows[("strategy", name, "mean_score")]["value"] == pytest.approx(
                sum(scores) / len(scores), abs=1e-5
            )
    collective = sum(r.collective for r in results) / len(results)
    assert rows[("session", "all", "collective_security")]["value"] == pytest.approx(collective)
    assert rows[("session", "all", "rejected_commands")]["value"] == 0
    assert rows[("session", "all", "timed_out_turns")]["value"] == 0
    assert "mean collective security" in report.text()


def test_gaps_are_those_the_outcome_analysis_gives():
    """The gap of each adopted text to the frontier and to the Nash point is what
    `analyse_item` reports for that text."""
    checked = 0
    for seed in range(4):
        strategies = {t.id: names()[(seed + i) % 6] for i, t in enumerate(TUTORIAL.teams)}
        result = play_game(TUTORIAL, strategies, seed=seed)
        for item_id, text in result.texts.items():
            if text is None:
                assert result.gaps[item_id] is None
                continue
            item = TUTORIAL.item(item_id)
            assert item is not None
            full = analyse_item(TUTORIAL, item, text)
            mine = gap(TUTORIAL, item_id, text, 0)
            assert full is not None and mine is not None
            assert mine.frontier == pytest.approx(full.gap_to_frontier)
            assert full.gap_to_nash is not None
            assert mine.nash == pytest.approx(full.gap_to_nash.distance)
            assert mine.on_frontier == full.on_frontier
            checked += 1
    assert checked


def test_burden_sharing_items_are_reported_without_a_frontier():
    """A pure burden-sharing package has no utility space to analyse: its agreement rate is
    reported, its gaps are left empty rather than invented."""
    report = tournament(burden_scenario(), games=3, seed=1, bots=["linear", "conceder"])
    rows = {(r["section"], r["subject"], r["metric"]): r for r in report.rows()}
    assert rows[("item", "burden", "agreement_rate")]["n"] == 3
    assert rows[("item", "burden", "gap_to_frontier")]["n"] == 0
    assert rows[("item", "burden", "gap_to_frontier")]["value"] == ""


def test_the_command_prints_the_report_and_writes_csv(tmp_path):
    out = tmp_path / "out.csv"
    per_game = tmp_path / "games.csv"
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(TUTORIAL.model_dump(mode="json")), encoding="utf-8")
    runner = CliRunner()
    args = ["--scenario", str(path), "--games", "3", "--seed", "4", "--bots", "boulware,chair"]
    result = runner.invoke(
        cli_tournament.app, [*args, "--csv", str(out), "--games-csv", str(per_game), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "agreed" in result.output and "mean collective security" in result.output
    rows = list(csv.DictReader(out.open()))
    assert {r["section"] for r in rows} == {"item", "team", "strategy", "session"}
    assert {r["subject"] for r in rows if r["section"] == "strategy"} == {"boulware", "chair"}
    assert len(list(csv.DictReader(per_game.open()))) == 3

    again = runner.invoke(cli_tournament.app, [*args, "--quiet"])
    assert again.output.strip() == result.output.split("\nwrote")[0].strip()

    bad = runner.invoke(cli_tournament.app, ["--scenario", str(path), "--bots", "nobody"])
    assert bad.exit_code != 0 and "unknown strategy" in bad.output
    missing = runner.invoke(cli_tournament.app, ["--scenario", "no_such_scenario"])
    assert missing.exit_code != 0


def test_the_command_finds_a_shipped_scenario_by_id():
    if "tutorial" not in SCENARIOS:
        pytest.skip("the tutorial is not shipped")
    result = CliRunner().invoke(
        cli_tournament.app, ["--scenario", "tutorial", "--games", "1", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "mou_au" in result.output


def test_chapter8_has_the_tournament_command():
    """`chapter8 tournament` is registered in the server's CLI."""
    from server.cli import app

    result = CliRunner().invoke(app, ["tournament", "--help"])
    assert result.exit_code == 0, result.output
    assert "--scenario" in result.output and "--bots" in result.output
