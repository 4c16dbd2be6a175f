"""A stratified split of labelled texts for validation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Split = tuple[list[str], list[str]]


def stratified_split(texts: Sequence[str], labels: Sequence[str], fraction: float, seed: int) -> tuple[Split, Split]:
    """Returns (kept, held out) with about `fraction` of every class held out.

    A class with two or more examples gives at least one to each side, so that validation sees
    every class that can spare an example.
    """
    generator = np.random.default_rng(seed)
    held: list[int] = []
    for label in sorted(set(labels)):
        members = [index for index, value in enumerate(labels) if value == label]
        generator.shuffle(members)
        count = round(len(members) * fraction)
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        held.extend(members[:count])
    held_set = set(held)
    kept = [index for index in range(len(labels)) if index not in held_set]
    held.sort()
    return ([texts[i] for i in kept], [labels[i] for i in kept]), (
        [texts[i] for i in held],
        [labels[i] for i in held],
    )
