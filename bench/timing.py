"""Teach + query per round of a loop answered from the truth: what the learner benchmarks time."""

from __future__ import annotations

import statistics
import time


def round_ms(loop, y, rounds: int) -> float:
    """Mean milliseconds of teach + the next query over ``rounds`` rounds, the cold start's round left out."""
    seconds = []
    batch = loop.query()
    for _ in range(rounds + 1):
        for i in batch:
            loop.answer(i, int(y[i]))
        started = time.perf_counter()
        loop.teach()
        batch = loop.query()
        seconds.append(time.perf_counter() - started)
    return 1000 * statistics.mean(seconds[1:])
