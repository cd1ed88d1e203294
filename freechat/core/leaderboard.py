"""Blind votes and the local leaderboard they feed.

Votes live in `<data dir>/votes.json` (schema 1): read-merge-write under a lock file with atomic
writes, so two running instances never lose each other's votes; an unreadable file is set aside
(`.corrupt-<time>`) and a new one started.

The rating is **Bradley–Terry**, not Elo. Elo is an online update: its result depends on the
order the votes were cast in and on a K factor, and with the few dozen votes a person casts
locally that order noise is as large as the signal. Bradley–Terry fits all votes at once
(P(i beats j) = σ(θi − θj)), so the same votes always give the same ranking, and the curvature
of the fit gives each model a standard error. The fit is a MAP estimate with a weak Gaussian
prior on θ (sd 1 ≈ 174 points): it keeps ratings finite for a model that has only won, and
pulls models with few votes towards the middle, which the ± then shows. Ties and "both bad"
count as half a win each way (as Chatbot Arena does). Ratings are on the familiar Elo-like
scale: 1000 + 400·log10(e)·θ; the ± is a 95 % interval.
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from freechat.core.filelock import sidecar_lock
from freechat.core.fsutil import atomic_write
from freechat.core.paths import Paths

SCHEMA = 1
VOTES_FILE = "votes.json"
OUTCOME_WIN = "win"
OUTCOME_TIE = "tie"
OUTCOME_BAD = "bad"  # "both bad": no winner, counted as a tie in the rating
OUTCOMES = (OUTCOME_WIN, OUTCOME_TIE, OUTCOME_BAD)
BASE_RATING = 1000.0
SCALE = 400.0 / math.log(10.0)  # θ (natural log-odds) → Elo-like points
Z95 = 1.959964
DEFAULT_PRIOR_SD = 1.0


@dataclass(frozen=True)
class Vote:
    """One blind vote: the models in label order (A, B, ...) and what the user chose."""

    id: str
    at: float  # epoch seconds
    models: tuple[str, ...]
    outcome: str  # win | tie | bad
    winner: str | None = None  # the winning model ref when outcome is "win"

    @classmethod
    def cast(cls, models: Sequence[str], outcome: str, winner: str | None = None,
             at: float | None = None) -> Vote:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown vote outcome {outcome!r}")
        if (outcome == OUTCOME_WIN) != (winner is not None) or (
                winner is not None and winner not in models):
            raise ValueError("a win names one of the models; a tie or 'both bad' names none")
        return cls("v" + secrets.token_hex(6), time.time() if at is None else at,
                   tuple(models), outcome, winner)

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"models": list(self.models)}

    @classmethod
    def from_json(cls, item: Any) -> Vote | None:
        """None for anything not shaped like a vote (skipped, never fatal)."""
        if not isinstance(item, dict):
            return None
        models, at, outcome = item.get("models"), item.get("at"), item.get("outcome")
        winner, vote_id = item.get("winner"), item.get("id")
        if not (isinstance(models, list) and len(models) >= 2
                and all(isinstance(m, str) for m in models)):
            return None
        if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
            return None
        if outcome not in OUTCOMES or not isinstance(vote_id, str):
            return None
        if (outcome == OUTCOME_WIN) != isinstance(winner, str) or (
                isinstance(winner, str) and winner not in models):
            return None
        return cls(vote_id, float(at), tuple(models), outcome, winner)


class VoteBook:
    """The votes file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notices: list[str] = []

    @classmethod
    def from_paths(cls, paths: Paths) -> VoteBook:
        return cls(paths.data_dir / VOTES_FILE)

    def load(self) -> list[Vote]:
        try:
            raw = self.path.read_bytes()
        except OSError:  # missing (no votes yet) or unreadable: nothing to show
            return []
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._set_aside()
            return []
        items = data.get("votes") if isinstance(data, dict) else None
        votes = [Vote.from_json(item) for item in items] if isinstance(items, list) else []
        return [v for v in votes if v is not None]

    def add(self, vote: Vote) -> None:
        """Append `vote`, keeping whatever other instances wrote meanwhile."""
        with self._locked():
            votes = {v.id: v for v in self.load()}
            votes[vote.id] = vote
            payload = {"schema": SCHEMA,
                       "votes": [v.to_json() for v in sorted(votes.values(), key=lambda v: v.at)]}
            atomic_write(self.path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def _set_aside(self) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        with contextlib.suppress(OSError):
            self.path.rename(target)
            self.notices.append(f"votes file was unreadable; set aside as {target.name}")

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return sidecar_lock(self.path, what="votes")


# --- the rating ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    model: str
    rating: float
    interval: float  # ± this much, 95 %
    votes: int
    wins: int
    ties: int  # ties and "both bad"
    losses: int


def pair_scores(votes: Iterable[Vote]) -> dict[tuple[str, str], float]:
    """{(i, j): how many times i beat j}, ties counting half each way."""
    scores: dict[tuple[str, str], float] = {}

    def add(i: str, j: str, amount: float) -> None:
        scores[(i, j)] = scores.get((i, j), 0.0) + amount

    for vote in votes:
        models = list(dict.fromkeys(vote.models))  # the same model twice tells nothing
        if vote.outcome == OUTCOME_WIN and vote.winner is not None:
            for other in models:
                if other != vote.winner:
                    add(vote.winner, other, 1.0)
            continue
        for a_index, a in enumerate(models):
            for b in models[a_index + 1:]:
                add(a, b, 0.5)
                add(b, a, 0.5)
    return scores


def fit(scores: dict[tuple[str, str], float], models: Sequence[str],
        prior_sd: float = DEFAULT_PRIOR_SD) -> tuple[list[float], list[float]]:
    """MAP Bradley–Terry strengths θ and their standard errors, by Newton's method."""
    n = len(models)
    index = {m: k for k, m in enumerate(models)}
    games = [(index[i], index[j], w) for (i, j), w in scores.items() if w > 0]
    precision = 1.0 / (prior_sd * prior_sd)
    theta = [0.0] * n

    def curvature(th: list[float]) -> tuple[list[float], list[list[float]]]:
        grad = [-precision * t for t in th]
        info = [[precision if r == c else 0.0 for c in range(n)] for r in range(n)]
        for i, j, w in games:  # w wins of i over j
            p = _sigmoid(th[i] - th[j])
            grad[i] += w * (1.0 - p)
            grad[j] -= w * (1.0 - p)
            h = w * p * (1.0 - p)
            info[i][i] += h
            info[j][j] += h
            info[i][j] -= h
            info[j][i] -= h
        return grad, info

    for _ in range(100):
        grad, info = curvature(theta)
        step = _solve(info, grad)
        theta = [t + s for t, s in zip(theta, step, strict=True)]
        if max((abs(s) for s in step), default=0.0) < 1e-10:
            break
    _, info = curvature(theta)
    cov = _inverse(info) if n else []
    # Only differences are identified: report errors of θ about the mean (Σθ = 0 at the
    # optimum), so the prior's common-mode variance does not inflate every ± for ever.
    row_means = [sum(row) / n for row in cov]
    grand = sum(row_means) / n if n else 0.0
    errors = [math.sqrt(max(cov[k][k] - 2.0 * row_means[k] + grand, 0.0)) for k in range(n)]
    return theta, errors


def leaderboard(votes: Iterable[Vote], *, since: float | None = None,
                prior_sd: float = DEFAULT_PRIOR_SD) -> list[Standing]:
    """Models ranked by rating (best first); `since` keeps only votes cast at or after it."""
    chosen = [v for v in votes if since is None or v.at >= since]
    counts: dict[str, list[int]] = {}  # model -> [votes, wins, ties, losses]
    for vote in chosen:
        for model in dict.fromkeys(vote.models):
            row = counts.setdefault(model, [0, 0, 0, 0])
            row[0] += 1
            if vote.outcome != OUTCOME_WIN:
                row[2] += 1
            elif vote.winner == model:
                row[1] += 1
            else:
                row[3] += 1
    models = sorted(counts)
    theta, errors = fit(pair_scores(chosen), models, prior_sd)
    table = [
        Standing(m, BASE_RATING + SCALE * theta[k], Z95 * SCALE * errors[k], *counts[m])
        for k, m in enumerate(models)
    ]
    return sorted(table, key=lambda s: (-s.rating, -s.votes, s.model))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _inverse(matrix: list[list[float]]) -> list[list[float]]:
    """Gauss–Jordan with partial pivoting; the matrix is positive definite (the prior)."""
    n = len(matrix)
    rows = [[*matrix[r], *(1.0 if c == r else 0.0 for c in range(n))] for r in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        rows[col] = [a / lead for a in rows[col]]
        for r in range(n):
            factor = rows[r][col]
            if r != col and factor != 0.0:
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [row[n:] for row in rows]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    inverse = _inverse(matrix)
    return [sum(a * b for a, b in zip(row, vector, strict=True)) for row in inverse]
