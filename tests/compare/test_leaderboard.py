"""The leaderboard math against outcomes known in closed form, and the votes file."""

from __future__ import annotations

import json
import math
import random
import stat

import pytest

from freechat.core.leaderboard import (
    BASE_RATING,
    OUTCOME_BAD,
    OUTCOME_TIE,
    OUTCOME_WIN,
    SCALE,
    Z95,
    Vote,
    VoteBook,
    leaderboard,
)
from freechat.core.paths import Paths

WEAK = 1e4  # a prior so weak the fit is the plain maximum-likelihood Bradley–Terry fit


def wins(a: str, b: str, a_wins: int, b_wins: int, at: float = 1000.0) -> list[Vote]:
    return ([Vote.cast([a, b], OUTCOME_WIN, a, at=at) for _ in range(a_wins)]
            + [Vote.cast([a, b], OUTCOME_WIN, b, at=at) for _ in range(b_wins)])


def by_model(votes: list[Vote], **kwargs: float) -> dict[str, object]:
    return {s.model: s for s in leaderboard(votes, **kwargs)}


def test_three_to_one_is_400_log10_3_points_apart():
    rows = by_model(wins("a", "b", 3, 1), prior_sd=WEAK)
    gap = rows["a"].rating - rows["b"].rating  # type: ignore[attr-defined]
    assert gap == pytest.approx(400 * math.log10(3), abs=1e-3)  # 190.85
    assert rows["a"].rating + rows["b"].rating == pytest.approx(2 * BASE_RATING)  # type: ignore[attr-defined]


def test_counts_matching_the_model_exactly_recover_its_strengths():
    # Strengths 1 : 2 : 4. Observed wins equal to the expected wins make the MLE exact.
    votes = wins("x", "y", 1, 2) + wins("x", "z", 1, 4) + wins("y", "z", 1, 2)
    rows = leaderboard(votes, prior_sd=WEAK)
    assert [r.model for r in rows] == ["z", "y", "x"]
    step = 400 * math.log10(2)  # 120.41 points per doubling of strength
    assert rows[0].rating - rows[1].rating == pytest.approx(step, abs=1e-3)
    assert rows[1].rating - rows[2].rating == pytest.approx(step, abs=1e-3)
    assert (rows[0].wins, rows[0].losses, rows[0].votes) == (6, 2, 8)


def test_interval_is_the_fisher_information_one():
    # 75 of 100: the SE of the gap is 1/sqrt(n p (1-p)); each rating about the mean has half.
    rows = by_model(wins("a", "b", 75, 25), prior_sd=WEAK)
    se_gap = 1 / math.sqrt(100 * 0.75 * 0.25)
    assert rows["a"].interval == pytest.approx(Z95 * SCALE * se_gap / 2, rel=1e-4)  # type: ignore[attr-defined]


def test_more_votes_narrow_the_interval_and_the_prior_shrinks_small_samples():
    few = by_model(wins("a", "b", 3, 1))
    many = by_model(wins("a", "b", 75, 25))
    assert many["a"].interval < few["a"].interval / 3  # type: ignore[attr-defined]
    gap_few = few["a"].rating - few["b"].rating  # type: ignore[attr-defined]
    assert 0 < gap_few < 400 * math.log10(3)  # pulled towards the middle, same sign


def test_an_undefeated_model_gets_a_finite_rating():
    rows = by_model(wins("champ", "chump", 5, 0))
    assert math.isfinite(rows["champ"].rating) and rows["champ"].rating > BASE_RATING  # type: ignore[attr-defined]
    assert math.isfinite(rows["champ"].interval)  # type: ignore[attr-defined]


def test_ties_and_both_bad_count_half_each_way():
    votes = [Vote.cast(["a", "b"], OUTCOME_TIE), Vote.cast(["a", "b"], OUTCOME_BAD)]
    rows = by_model(votes)
    assert rows["a"].rating == pytest.approx(rows["b"].rating)  # type: ignore[attr-defined]
    assert (rows["a"].ties, rows["a"].wins, rows["a"].losses) == (2, 0, 0)  # type: ignore[attr-defined]
    # One win plus one tie is 1.5 : 0.5, i.e. the same gap as 3 : 1.
    rows = by_model([*wins("a", "b", 1, 0), Vote.cast(["a", "b"], OUTCOME_TIE)], prior_sd=WEAK)
    assert rows["a"].rating - rows["b"].rating == pytest.approx(400 * math.log10(3), abs=1e-3)  # type: ignore[attr-defined]


def test_a_three_way_win_beats_both_and_says_nothing_between_the_others():
    votes = [Vote.cast(["a", "b", "c"], OUTCOME_WIN, "a") for _ in range(3)]
    rows = by_model(votes)
    assert rows["b"].rating == pytest.approx(rows["c"].rating)  # type: ignore[attr-defined]
    assert rows["a"].rating > rows["b"].rating  # type: ignore[attr-defined]
    assert (rows["b"].losses, rows["b"].votes) == (3, 3)  # type: ignore[attr-defined]


def test_order_of_votes_does_not_matter():
    votes = wins("a", "b", 4, 2) + wins("b", "c", 3, 3) + wins("a", "c", 1, 2)
    first = leaderboard(votes)
    shuffled = list(votes)
    random.Random(7).shuffle(shuffled)
    again = leaderboard(shuffled)
    assert [r.model for r in again] == [r.model for r in first]
    for a, b in zip(again, first, strict=True):
        assert a.rating == pytest.approx(b.rating, abs=1e-9)
        assert a.interval == pytest.approx(b.interval, abs=1e-9)


def test_time_filter_keeps_only_recent_votes():
    old = wins("a", "b", 5, 0, at=100.0)
    new = wins("a", "b", 0, 2, at=200.0)
    assert by_model(old + new, since=150.0)["b"].wins == 2  # type: ignore[attr-defined]
    assert by_model(old + new, since=150.0)["a"].wins == 0  # type: ignore[attr-defined]
    assert leaderboard(old + new, since=300.0) == []


def test_a_vote_must_name_one_of_its_models_as_the_winner():
    with pytest.raises(ValueError):
        Vote.cast(["a", "b"], OUTCOME_WIN, "c")
    with pytest.raises(ValueError):
        Vote.cast(["a", "b"], OUTCOME_TIE, "a")
    with pytest.raises(ValueError):
        Vote.cast(["a", "b"], "maybe")


# --- the votes file -----------------------------------------------------------------------
def test_votes_round_trip_in_a_private_file(isolated_env):
    book = VoteBook.from_paths(Paths.from_env())
    vote = Vote.cast(["openrouter/a:free", "groq/b"], OUTCOME_WIN, "groq/b", at=1234.5)
    book.add(vote)
    assert book.load() == [vote]
    assert book.path == isolated_env / "votes.json"
    assert stat.S_IMODE(book.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(book.path.parent.stat().st_mode) == 0o700
    data = json.loads(book.path.read_text())
    assert data["schema"] == 1 and data["votes"][0]["winner"] == "groq/b"


def test_two_instances_keep_each_others_votes(tmp_path):
    one, two = VoteBook(tmp_path / "votes.json"), VoteBook(tmp_path / "votes.json")
    one.add(Vote.cast(["a", "b"], OUTCOME_TIE))
    two.add(Vote.cast(["a", "b"], OUTCOME_BAD))
    one.add(Vote.cast(["a", "b"], OUTCOME_WIN, "a"))
    assert sorted(v.outcome for v in VoteBook(tmp_path / "votes.json").load()) == [
        OUTCOME_BAD, OUTCOME_TIE, OUTCOME_WIN]


def test_an_unreadable_votes_file_is_set_aside_not_overwritten(tmp_path):
    path = tmp_path / "votes.json"
    path.write_bytes(b'{"schema": 1, "votes": [tru')
    book = VoteBook(path)
    assert book.load() == []
    assert book.notices and "set aside" in book.notices[0]
    aside = list(tmp_path.glob("votes.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b'{"schema": 1, "votes": [tru'
    book.add(Vote.cast(["a", "b"], OUTCOME_TIE))
    assert len(book.load()) == 1


def test_malformed_entries_are_skipped(tmp_path):
    path = tmp_path / "votes.json"
    good = Vote.cast(["a", "b"], OUTCOME_WIN, "a", at=5.0).to_json()
    path.write_text(json.dumps({"schema": 1, "votes": [
        good, {"id": "x", "at": "yesterday", "models": ["a", "b"], "outcome": "tie"},
        {"id": "y", "at": 1, "models": ["a"], "outcome": "tie"},
        {"id": "z", "at": 1, "models": ["a", "b"], "outcome": "win", "winner": "c"}, 42,
    ]}))
    assert [v.id for v in VoteBook(path).load()] == [good["id"]]
