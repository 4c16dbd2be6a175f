from __future__ import annotations

import pytest

from attnviz.errors import ModelFolderError
from attnviz.text.vocabulary import PADDING_INDEX, UNKNOWN_INDEX, Vocabulary


def test_build_keeps_words_over_min_count_most_frequent_first_with_reserved_entries() -> None:
    vocabulary = Vocabulary.build([["b", "a", "a", "c"], ["b", "a"]], min_count=2, max_size=10)
    assert vocabulary.words == ["<pad>", "<unk>", "a", "b"]
    assert vocabulary.encode(["a", "b", "c"]) == [2, 3, UNKNOWN_INDEX]
    assert vocabulary.index["<pad>"] == PADDING_INDEX


def test_max_size_cuts_the_least_frequent_words() -> None:
    vocabulary = Vocabulary.build([["a", "a", "a", "b", "b", "c"]], min_count=1, max_size=2)
    assert "c" not in vocabulary and len(vocabulary) == 4


def test_round_trip_through_dict() -> None:
    vocabulary = Vocabulary.build([["x", "y", "x"]], min_count=1, max_size=5)
    assert Vocabulary.from_dict(vocabulary.to_dict()).words == vocabulary.words


def test_damaged_word_list_is_a_model_folder_error() -> None:
    with pytest.raises(ModelFolderError, match="damaged"):
        Vocabulary.from_dict({"words": "oops"})


def test_encode_reads_any_iterable_of_words_once() -> None:
    vocabulary = Vocabulary.build([["a", "b", "a", "b"]], min_count=2, max_size=10)
    assert vocabulary.encode(iter(["b", "zzz", "a"])) == [3, UNKNOWN_INDEX, 2]
    assert vocabulary.encode(word for word in []) == []
