from __future__ import annotations

import pytest
import torch

from attnviz.config import ModelConfig
from attnviz.explain.common import ReadTexts, batches
from attnviz.inference import CHUNK_CHARACTERS, EncodedTexts, grouped, text_chunks
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.training.batching import CPU_INFERENCE_TOKENS, inference_order, sorted_order


def read(lengths: list[int]) -> ReadTexts:
    sequences = [[2] * length for length in lengths]
    encoded = EncodedTexts([[] for _ in lengths], sequences, [False] * len(lengths))
    return ReadTexts([""] * len(lengths), encoded, torch.zeros(len(lengths), 2))


def test_batches_group_similar_lengths_within_both_limits() -> None:
    lengths = [5, 1, 9, 3, 9, 2, 0]
    groups = [batch.indices for batch in batches(read(lengths), batch_size=3, max_tokens=12)]
    assert sorted(index for group in groups for index in group) == list(range(len(lengths)))
    for group in groups:
        assert len(group) <= 3
        assert len(group) == 1 or len(group) * max(lengths[i] for i in group) <= 12
    assert groups[0] == [6, 1, 5]  # the shortest first: 0, 1 and 2 words
    assert [lengths[i] for i in groups[-1]] == [9]  # a 9-word text alone: two would be 18 tokens


def test_a_text_longer_than_the_token_budget_still_gets_a_batch() -> None:
    assert [batch.indices for batch in batches(read([50]), batch_size=8, max_tokens=10)] == [[0]]


def test_grouped_keeps_order_and_both_limits_and_an_oversized_item_alone() -> None:
    words = ["aa", "b", "cccc", "dddddddddd", "e", "f", "g"]
    assert list(grouped(words, len, budget=5)) == [["aa", "b"], ["cccc"], ["dddddddddd"], ["e", "f", "g"]]
    assert list(grouped(words, len, budget=100, count=3)) == [["aa", "b", "cccc"], ["dddddddddd", "e", "f"], ["g"]]
    assert list(grouped([], len, budget=5)) == []


def test_text_chunks_can_start_with_a_smaller_chunk_and_keep_every_text_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import attnviz.inference

    monkeypatch.setattr(attnviz.inference, "CHUNK_SIZE", 4)
    texts = [str(number) for number in range(11)]
    assert [len(chunk) for chunk in text_chunks(texts)] == [4, 4, 3]
    assert [len(chunk) for chunk in text_chunks(iter(texts), first_count=2)] == [2, 4, 4, 1]
    assert [text for chunk in text_chunks(texts, first_count=2) for text in chunk] == texts
    long = ["x" * (CHUNK_CHARACTERS // 2 + 1)] * 3  # the character budget still splits the first chunk
    assert [len(chunk) for chunk in text_chunks(long, first_count=2)] == [1, 1, 1]


def test_sorted_order_puts_the_longest_first_within_each_batch_for_packing() -> None:
    lengths = [3, 7, 1, 7, 5]
    batches_ = sorted_order(lengths, batch_size=2)
    assert batches_ == [[1, 3], [4, 0], [2]]  # ties keep their input order


def test_a_token_budget_makes_batches_of_long_texts_smaller_but_never_empty() -> None:
    lengths = [30, 2, 9, 2, 12, 0, 2]
    assert sorted_order(lengths, batch_size=3, max_tokens=20) == [[0], [4], [2, 1], [3, 6, 5]]
    assert inference_order(lengths, 3, torch.device("cpu")) == sorted_order(lengths, 3)  # far under the budget
    long = [CPU_INFERENCE_TOKENS // 2 + 1] * 3
    assert inference_order(long, 3, torch.device("cpu")) == [[0], [1], [2]]
    assert inference_order(long, 3, torch.device("cuda")) == [[0, 1, 2]]  # a GPU keeps its large batches


def test_probabilities_from_workers_are_those_of_one_loop_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import attnviz.inference as inference

    torch.manual_seed(0)
    config = ModelConfig(vocabulary_size=50, num_classes=3, embedding_size=8, hidden_size=6)
    network = AttentionClassifierNetwork(config).eval()
    generator = torch.Generator().manual_seed(1)
    lengths = torch.randint(1, 30, (700,), generator=generator).tolist()  # three batches of 256
    sequences = [torch.randint(2, 50, (length,), generator=generator).tolist() for length in lengths]
    monkeypatch.setattr(inference, "_workers", lambda device: (1, 2))
    alone = inference.predict_probabilities(network, sequences, torch.device("cpu"))
    monkeypatch.setattr(inference, "_workers", lambda device: (2, 1))
    shared = inference.predict_probabilities(network, sequences, torch.device("cpu"))
    assert torch.allclose(shared, alone, atol=1e-6)
    assert torch.allclose(shared.sum(dim=1), torch.ones(len(sequences)))  # every row filled
    single = inference.predict_probabilities(network, sequences[5:6], torch.device("cpu"))
    assert torch.allclose(single[0], alone[5], atol=1e-6)
