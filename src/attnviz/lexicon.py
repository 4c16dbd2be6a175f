"""Which words a model attends to, per predicted class, over a whole corpus; pure Python, torch-free.

Raw attention is not comparable between texts: weights sum to 1 over a text, so a word in a 10-word
review gets about 0.1 on average and the same word in a 400-word review about 0.0025. Averaging raw
weights would therefore rank "words of short texts" rather than "words the model looks at". Each
occurrence is instead measured against the uniform level of its own text: ratio = weight / (1/n)
= weight * n, where n is the number of tokens the model read. A ratio of 1 means "as much as if
attention were spread evenly", 5 means five times that.

A word seen once with a high ratio is mostly luck, so the mean ratio is shrunk towards 1 (the uniform
level) by `prior` pseudo-occurrences: score = (sum of ratios + prior) / (count + prior). A rare word
needs consistently high attention to outrank a frequent one, and words seen fewer than `min_count`
times are left out entirely.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from attnviz.errors import DataError
from attnviz.explanation import Explanation

MAX_EXAMPLES = 200
_TEXT, _WEIGHT = operator.attrgetter("text"), operator.attrgetter("weight")


@dataclass(frozen=True)
class LexiconEntry:
    """One word of a class's lexicon.

    `score` is the shrunk mean attention ratio (1 = uniform attention), `count` the number of
    occurrences in texts predicted as the class, `examples` the indices (into the explanations given)
    of up to `MAX_EXAMPLES` texts containing the word, the one where it got the largest weight first.
    """

    word: str
    score: float
    count: int
    examples: tuple[int, ...]


def _columns(explanation: Explanation) -> tuple[list[str], list[float]]:
    """The tokens' texts and weights; non-finite weights (a broken model) count as no attention rather
    than poisoning every sum."""
    texts = list(map(_TEXT, explanation.tokens))
    weights = list(map(_WEIGHT, explanation.tokens))
    if not math.isfinite(sum(weights)):
        weights = [w if math.isfinite(w) else 0.0 for w in weights]
    return texts, weights


def _class_order(explanations: Sequence[Explanation]) -> list[str]:
    """Every class that is predicted or has a probability, in order of first appearance."""
    seen: dict[str, None] = {}
    for explanation in explanations:
        seen.update(dict.fromkeys(explanation.probabilities))
        seen.setdefault(explanation.label, None)
    return list(seen)


def _accumulate(explanations: Sequence[Explanation], label: str) -> tuple[dict[str, float], Counter[str]]:
    """Per token text (as written) in texts predicted as `label`: the sum of attention ratios and the count.

    Keyed by the surface form because lower-casing every token would cost about as much again as the loop;
    `_merge_case` folds the few thousand distinct forms afterwards.
    """
    total: dict[str, float] = {}
    count: Counter[str] = Counter()
    get = total.get
    for explanation in explanations:
        if explanation.label != label:
            continue
        texts, weights = _columns(explanation)
        n = len(texts)
        for text, weight in zip(texts, weights, strict=True):
            total[text] = get(text, 0.0) + weight * n
        count.update(texts)
    return total, count


def _merge_case(
    total: dict[str, float], count: Counter[str]
) -> tuple[dict[str, float], Counter[str], dict[str, set[str]]]:
    """The sums per lower-cased word, and for each word the surface forms it came from."""
    merged: dict[str, float] = {}
    merged_count: Counter[str] = Counter()
    forms: dict[str, set[str]] = {}
    for text, value in total.items():
        word = text.lower()
        merged[word] = merged.get(word, 0.0) + value
        merged_count[word] += count[text]
        forms.setdefault(word, set()).add(text)
    return merged, merged_count, forms


def _rank(total: dict[str, float], count: Counter[str], top: int, min_count: int, prior: float) -> list[str]:
    # Only words that draw more than uniform attention: a list of words the model looks past is no lexicon.
    scored = [word for word, seen in count.items() if seen >= min_count and total[word] > seen]
    return heapq.nsmallest(top, scored, key=lambda w: (-(total[w] + prior) / (count[w] + prior), -count[w], w))


def _examples(
    explanations: Sequence[Explanation], label: str, forms: dict[str, set[str]], limit: int
) -> dict[str, tuple[int, ...]]:
    """For each word of `forms`, the texts predicted as `label` containing it, largest weight first."""
    word_of = {form: word for word, surfaces in forms.items() for form in surfaces}
    found: dict[str, list[tuple[float, int]]] = {word: [] for word in forms}
    for index, explanation in enumerate(explanations):
        if explanation.label != label:
            continue
        if word_of.keys().isdisjoint(map(_TEXT, explanation.tokens)):
            continue
        best: dict[str, float] = {}
        for text, weight in zip(*_columns(explanation), strict=True):
            word = word_of.get(text)
            if word is not None and weight >= best.get(word, -math.inf):
                best[word] = weight
        for word, weight in best.items():
            found[word].append((-weight, index))
    return {word: tuple(index for _, index in heapq.nsmallest(limit, pairs)) for word, pairs in found.items()}


def attention_lexicon(
    explanations: Sequence[Explanation],
    *,
    top: int = 15,
    min_count: int = 3,
    prior: float = 5.0,
    max_examples: int = MAX_EXAMPLES,
) -> dict[str, list[LexiconEntry]]:
    """For each predicted class, the `top` words (lower-cased token text) that draw the most attention
    relative to uniform in texts predicted as that class, best first (see the module docstring).

    Classes appear in order of first appearance among the explanations' probabilities and labels; a
    class that is never predicted gets an empty list.
    """
    if top < 0 or min_count < 1 or not math.isfinite(prior) or prior < 0:
        raise DataError("top must be >= 0, min_count >= 1 and prior a finite number >= 0")
    lexicon: dict[str, list[LexiconEntry]] = {}
    for name in _class_order(explanations):
        total, count, forms = _merge_case(*_accumulate(explanations, name))
        words = _rank(total, count, top, min_count, prior)
        examples = _examples(explanations, name, {word: forms[word] for word in words}, max_examples)
        lexicon[name] = [
            LexiconEntry(word, (total[word] + prior) / (count[word] + prior), count[word], examples[word])
            for word in words
        ]
    return lexicon
