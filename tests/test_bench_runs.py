"""`make bench` keeps working as the code changes. No timing is asserted here:
the targets are ratios checked by the bench itself, never in the test suite."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import TARGETS, _open_seal_ratio, _submission_ratio


def test_the_bench_measures_what_it_names(tmp_path: Path) -> None:
    ratios = {
        "sealed submission / start page": _submission_ratio(tmp_path),
        "open / seal": _open_seal_ratio(),
    }
    assert set(ratios) == set(TARGETS)
    assert all(ratio > 0 for ratio in ratios.values())
