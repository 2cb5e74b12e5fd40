"""Seeded splits: deterministic, the requested fraction, duplicate groups never cut, so no train/test leakage."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "quality"))
from quality_builders import clean_pairs, dataset, near_copy  # noqa: E402

from vibeflow.data.quality.report import build_report  # noqa: E402
from vibeflow.data.split import split_dataset  # noqa: E402
from vibeflow.data.tokens import get_token_counter  # noqa: E402
from vibeflow.errors import VibeFlowError  # noqa: E402


@pytest.fixture(scope="module")
def ds():  # noqa: ANN201
    pairs = clean_pairs(200, seed=31)
    for k in range(20):  # 20 groups: an exact copy (with case changes) and a near copy of row k
        q, a = pairs[k]
        pairs[100 + k] = (q.upper(), a)
        pairs[150 + k] = (q, near_copy(a, position=k))
    return dataset(pairs)


def test_deterministic_by_seed(ds) -> None:  # noqa: ANN001
    train_a, test_a = split_dataset(ds, test_fraction=0.2, seed=7)
    train_b, test_b = split_dataset(ds, test_fraction=0.2, seed=7)
    _, test_c = split_dataset(ds, test_fraction=0.2, seed=8)
    assert list(test_a["row"]) == list(test_b["row"]) and list(train_a["row"]) == list(train_b["row"])
    assert list(test_a["row"]) != list(test_c["row"])


def test_fraction_partition_and_order(ds) -> None:  # noqa: ANN001
    train, test = split_dataset(ds, test_fraction=0.25, seed=1)
    assert len(test) == 50 and len(train) == 150
    assert sorted(list(train["row"]) + list(test["row"])) == list(range(1, 201))
    assert list(train["row"]) == sorted(train["row"]) and list(test["row"]) == sorted(test["row"])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_duplicate_groups_stay_on_one_side(ds, seed: int) -> None:  # noqa: ANN001
    train, test = split_dataset(ds, test_fraction=0.2, seed=seed)
    test_rows = set(test["row"])
    for k in range(20):
        group = {k + 1, 101 + k, 151 + k}
        assert group <= test_rows or not group & test_rows, (k, group & test_rows)
    report = build_report(train, fmt="jsonl", mapping={}, token_counter=get_token_counter(None), test_ds=test)
    assert report.issue("leakage") is None


def test_naive_split_would_leak(ds) -> None:  # noqa: ANN001
    """The same check catches what a plain random split does to these groups (the test above is not vacuous)."""
    train, test = ds.select(range(0, 160)), ds.select(range(160, 200))
    report = build_report(train, fmt="jsonl", mapping={}, token_counter=get_token_counter(None), test_ds=test)
    assert report.issue("leakage").rows == list(range(161, 171))


def test_invalid_fraction() -> None:
    small = dataset(clean_pairs(10, seed=32))
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(VibeFlowError, match="between 0 and 1"):
            split_dataset(small, test_fraction=bad)


def test_rows_that_are_all_near_duplicates_cannot_be_split_and_the_error_says_why() -> None:
    rows = [(f"How do I reset password {i}?", f"Open settings and choose reset ({i}).") for i in range(40)]
    with pytest.raises(VibeFlowError) as raised:
        split_dataset(dataset(rows), test_fraction=0.2)
    assert "near duplicates stay on one side" in raised.value.message
    assert (
        "1 group(s), the largest of 40 rows" in raised.value.message and "quality report" in raised.value.fix
    )
