"""The attention lexicon: frequency-corrected, shrunk towards uniform, per predicted class."""

from __future__ import annotations

import math
import re

import pytest

from attnviz.errors import DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.lexicon import LexiconEntry, attention_lexicon


def explained(text: str, label: str, weights: dict[str, float] | None = None, default: float = 1.0) -> Explanation:
    """Tokens at the words; a word in `weights` gets that raw score, others `default`; scores sum to 1."""
    matches = list(re.finditer(r"\w+", text))
    raw = [(weights or {}).get(m.group().lower(), default) for m in matches]
    total = sum(raw)
    tokens = [TokenWeight(m.group(), m.start(), m.end(), r / total) for m, r in zip(matches, raw, strict=True)]
    return Explanation(text, label, {"pos": 0.5, "neg": 0.5}, tokens)


def words(entries: list[LexiconEntry]) -> list[str]:
    return [entry.word for entry in entries]


def test_rare_strongly_attended_word_outranks_a_frequent_word_with_more_total_attention() -> None:
    # "the" occurs in every text and collects more raw attention overall, but only at the uniform level;
    # "superb" occurs in 4 texts and gets 4 times the uniform level each time.
    corpus = [explained("the film the plot the end", "pos") for _ in range(40)]
    corpus += [explained("superb the film the end", "pos", {"superb": 4.0}) for _ in range(4)]
    lexicon = attention_lexicon(corpus, top=3)
    assert words(lexicon["pos"])[0] == "superb"
    superb = lexicon["pos"][0]
    ratio = 5 * (4.0 / 8.0)  # weight 4/8 in a 5-token text
    assert superb.count == 4
    assert math.isclose(superb.score, (4 * ratio + 5.0) / (4 + 5.0))


def test_attention_is_measured_against_the_uniform_level_of_its_own_text() -> None:
    # "brief" gets raw weight 0.5 in 2-word texts (just uniform); "deep" gets 0.05 in 100-word texts (5 times
    # uniform). A mean of raw weights would favour "brief"; the lexicon ranks "deep" first.
    short = explained("brief note", "pos")
    long = explained(" ".join(["deep"] + ["filler"] * 99), "pos", {"deep": 99 * 5 / 95})
    lexicon = attention_lexicon([short, long] * 3, prior=0.0)
    entries = {entry.word: entry for entry in lexicon["pos"]}
    assert math.isclose(long.tokens[0].weight, 0.05)
    assert math.isclose(entries["deep"].score, 5.0)
    assert "brief" not in entries and "filler" not in entries  # at or below uniform: not in the lexicon
    assert words(lexicon["pos"])[0] == "deep"


def test_shrinkage_pulls_a_single_lucky_occurrence_towards_uniform() -> None:
    corpus = [explained("fluke word", "pos", {"fluke": 100.0})]
    corpus += [explained("steady word", "pos", {"steady": 3.0}) for _ in range(30)]
    ranked = words(attention_lexicon(corpus, min_count=1)["pos"])
    assert ranked.index("steady") < ranked.index("fluke")


def test_min_count_leaves_out_words_seen_too_rarely() -> None:
    corpus = [explained("twice here", "pos", {"twice": 9.0}) for _ in range(2)]
    corpus += [explained("thrice here", "pos", {"thrice": 2.0}) for _ in range(3)]
    ranked = words(attention_lexicon(corpus, min_count=3)["pos"])
    assert "thrice" in ranked and "twice" not in ranked
    assert "twice" in words(attention_lexicon(corpus, min_count=2)["pos"])


def test_words_are_lower_cased_and_counted_per_predicted_class_only() -> None:
    corpus = [explained("Great film", "pos", {"great": 5.0}) for _ in range(3)]
    corpus += [explained("GREAT bore", "neg", {"bore": 5.0}) for _ in range(3)]
    lexicon = attention_lexicon(corpus, min_count=3)
    assert set(lexicon) == {"pos", "neg"}
    great = {entry.word: entry for entry in lexicon["pos"]}["great"]
    assert great.count == 3
    assert great.examples == (0, 1, 2)
    assert words(lexicon["neg"])[0] == "bore"


def test_examples_list_the_texts_with_the_largest_weight_first_and_are_capped() -> None:
    corpus = [explained("hit miss", "pos", {"hit": float(k + 1)}) for k in range(6)]
    corpus.append(explained("hit miss", "neg", {"hit": 50.0}))  # another class: never listed for pos
    entry = {e.word: e for e in attention_lexicon(corpus, min_count=1)["pos"]}["hit"]
    assert entry.examples == (5, 4, 3, 2, 1, 0)
    capped = {e.word: e for e in attention_lexicon(corpus, min_count=1, max_examples=2)["pos"]}["hit"]
    assert capped.examples == (5, 4)


def test_top_limits_the_number_of_words_and_unpredicted_classes_get_none() -> None:
    corpus = [explained("a b c d e f", "pos", {"a": 4.0, "b": 3.0, "c": 2.0}) for _ in range(3)]
    lexicon = attention_lexicon(corpus, top=2)
    assert words(lexicon["pos"]) == ["a", "b"]
    assert len(lexicon["pos"]) == 2
    assert lexicon["neg"] == []


def test_non_finite_weights_count_as_no_attention() -> None:
    text = "odd word"
    broken = Explanation(
        text, "pos", {"pos": 1.0}, [TokenWeight("odd", 0, 3, math.nan), TokenWeight("word", 4, 8, 1.0)]
    )
    entries = {e.word: e for e in attention_lexicon([broken] * 3, min_count=1, prior=0.0)["pos"]}
    assert "odd" not in entries  # NaN counts as 0: below uniform
    assert entries["word"].score == 2.0


def test_words_at_or_below_uniform_are_left_out() -> None:
    corpus = [explained("plain plain plain", "pos") for _ in range(5)]
    assert attention_lexicon(corpus, min_count=1) == {"pos": [], "neg": []}


def test_bad_settings_are_a_data_error() -> None:
    with pytest.raises(DataError):
        attention_lexicon([], min_count=0)
    with pytest.raises(DataError):
        attention_lexicon([], prior=math.inf)


def test_empty_corpus_gives_an_empty_lexicon() -> None:
    assert attention_lexicon([]) == {}
