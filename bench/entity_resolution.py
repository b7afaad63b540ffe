"""Entity-resolution benchmark for :func:`ipcity.registry.normalize.normalize_name`.

Reads the PatentsView/NBER assignee ground truth (real USPTO assignee name variants, each
mention labelled with its true organisation), takes "same normalized name" as the
predicted clusters, and prints pairwise precision, recall and F1 — next to exact raw-string
matching, run in the same process, so the print shows what normalization gains.

    .venv/bin/python bench/entity_resolution.py [--limit N] [--data PATH] [--examples K]

Pairs are counted from cluster sizes, never enumerated: with n_ij mentions in predicted
cluster i and true cluster j, true positives = Σ C(n_ij, 2), predicted pairs = Σ C(|p|, 2),
true pairs = Σ C(|t|, 2). The labels are read only to score; the key knows nothing of them.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # runnable as a plain script from any directory
    sys.path.insert(0, str(REPO))

from ipcity.registry.normalize import legal_form, normalize_name  # noqa: E402

# the same place tests/conftest.py reads (IPCITY_SHARED_DATA overrides ../shared/data)
SHARED_DATA = Path(os.environ.get("IPCITY_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_DATA = SHARED_DATA / "entity_resolution" / "pv_nber_subset_assignees_benchmark.csv.gz"


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def pairwise_scores(
    true_labels: Sequence[Hashable], predicted_labels: Sequence[Hashable]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering against the truth.

    A pair of mentions is a true positive when both clusterings put them together.
    An empty denominator scores 1.0 (nothing claimed, nothing missed).

    >>> pairwise_scores(["a", "a", "a", "b"], [1, 1, 2, 2])
    (0.5, 0.3333333333333333, 0.4)
    """
    if len(true_labels) != len(predicted_labels):
        raise ValueError(f"{len(true_labels)} true labels but {len(predicted_labels)} predicted labels")
    cells = Counter(zip(predicted_labels, true_labels, strict=True))
    true_positive = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted_labels).values())
    true_pairs = sum(_pairs(n) for n in Counter(true_labels).values())
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def read_mentions(path: Path, limit: int | None = None) -> tuple[list[str], list[str]]:
    """(true cluster ids, organisation names) of the first ``limit`` mentions."""
    truth: list[str] = []
    names: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if limit is not None and len(names) >= limit:
                break
            truth.append(row["unique_id"])
            names.append(row["organization"])
    return truth, names


def _report(label: str, truth: list[str], names: list[str], key: Callable[[str], str]) -> None:
    start = time.perf_counter()
    predicted = [key(name) for name in names]
    seconds = time.perf_counter() - start
    precision, recall, f1 = pairwise_scores(truth, predicted)
    print(
        f"{label:<15} precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
        f"predicted clusters {len(set(predicted)):>6}  key time {seconds:.2f} s"
    )


def key_without_legal_form(name: str) -> str:
    """The key with its legal form cut off — a reference only, never used by the registry:
    it merges "X Inc" with "X Corp" and with a bare "X", which the registry must not do.
    Printed so the benchmark shows what the legal-form rule costs in recall."""
    key = normalize_name(name)
    form = legal_form(name)
    if form:
        suffix = normalize_name(form)
        if suffix and key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _show_false_merges(truth: list[str], names: list[str], count: int) -> None:
    """The predicted clusters that join most wrong pairs: where precision is lost."""
    members: dict[str, Counter[str]] = defaultdict(Counter)
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for label, name in zip(truth, names, strict=True):
        key = normalize_name(name)
        members[key][label] += 1
        spellings[key, label][name] += 1
    wrong = {key: _pairs(sum(c.values())) - sum(_pairs(n) for n in c.values()) for key, c in members.items()}
    for key, pairs in sorted(wrong.items(), key=lambda item: -item[1])[:count]:
        if not pairs:
            break
        print(f"  {pairs:>8} wrong pairs under {key!r}:")
        for label in members[key]:
            print(f"           {label!r}: {dict(spellings[key, label].most_common(3))}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N mentions")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark CSV (gzip)")
    parser.add_argument("--examples", type=int, default=0, help="show the K worst false merges")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    truth, names = read_mentions(args.data, args.limit)
    print(f"mentions {len(names)}  true clusters {len(set(truth))}  distinct raw names {len(set(names))}")
    _report("raw exact match", truth, names, lambda name: name)
    normalize_name.cache_clear()  # time the key cold, as on a first import
    _report("normalize_name", truth, names, normalize_name)
    print("reference only (merges different legal forms, which the registry must not do):")
    _report("  minus form", truth, names, key_without_legal_form)
    if args.examples:
        _show_false_merges(truth, names, args.examples)
    print(f"total time {time.perf_counter() - started:.2f} s (reading the file included)")


if __name__ == "__main__":
    main()
