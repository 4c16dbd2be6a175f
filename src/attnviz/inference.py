"""Running a trained network over many texts: encode, batch by length, restore input order."""

from __future__ import annotations

import collections
import contextlib
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import torch

from attnviz.nn.attention import masked_softmax
from attnviz.nn.network import AttentionClassifierNetwork, AttentionOutput
from attnviz.text.tokenizer import Token, Tokenizer
from attnviz.text.vocabulary import Vocabulary
from attnviz.training.batching import inference_order, iterate_batches

T = TypeVar("T")

INFERENCE_BATCH_SIZE = 256
CHUNK_SIZE = 2048  # texts per pipelined step: large enough to sort by length, small enough to overlap
# ... and at most about this many characters: a chunk of 2,048 long reviews held ~1 GB of explanations.
CHUNK_CHARACTERS = 400_000
# Rows of attention weights per batch when many weightings of each text are given (permutation test).
WEIGHTINGS_PER_BATCH = 32_768


@dataclass(frozen=True)
class EncodedTexts:
    """Texts as the model reads them: the tokens kept (with spans), their ids, and which were cut."""

    tokens: list[list[Token]]
    sequences: list[list[int]]
    truncated: list[bool]


def encode_texts(texts: Sequence[str], tokenizer: Tokenizer, vocabulary: Vocabulary, max_length: int) -> EncodedTexts:
    tokens, sequences, truncated = [], [], []
    for text in texts:
        # One token past the limit is enough to know the text was cut; the rest is never scanned.
        kept = tokenizer.tokenize(text, limit=max_length + 1)
        truncated.append(len(kept) > max_length)
        del kept[max_length:]
        tokens.append(kept)
        sequences.append(vocabulary.encode(tokenizer.normalise_tokens(kept)))
    return EncodedTexts(tokens, sequences, truncated)


@dataclass(frozen=True)
class BatchAttention:
    """One batch's results on the CPU: rows follow `indices` (positions within the chunk)."""

    indices: list[int]
    probabilities: torch.Tensor  # (batch, classes)
    weights: torch.Tensor  # (batch, time)
    class_weights: torch.Tensor  # (batch, classes, time)


@dataclass(frozen=True)
class AttentionChunk:
    """Consecutive texts of the input: how they were read and the results."""

    texts: list[str]
    encoded: EncodedTexts
    batches: list[BatchAttention]


def _attend(
    network: AttentionClassifierNetwork, sequences: Sequence[Sequence[int]], device: torch.device, threads: int
) -> list[BatchAttention]:
    # Set in the thread that computes: OpenMP keeps the thread count per calling thread.
    torch.set_num_threads(threads)
    results = []
    order = inference_order([len(s) for s in sequences], INFERENCE_BATCH_SIZE, device)
    with torch.inference_mode():
        for batch in iterate_batches(order, sequences):
            output = network(batch.token_ids.to(device), batch.lengths, return_attention=True)
            assert isinstance(output, AttentionOutput)
            mask = torch.arange(batch.token_ids.shape[1]) < batch.lengths[:, None]  # (batch, time)
            # Each class's own attention: its scores alone through the same masked softmax.
            class_weights = masked_softmax(output.class_scores.cpu().transpose(1, 2), mask[:, None, :])
            probabilities = output.logits.float().softmax(-1).cpu()
            results.append(BatchAttention(batch.indices, probabilities, output.weights.cpu(), class_weights))
    return results


@contextlib.contextmanager
def _pipeline_settings() -> Iterator[None]:
    """Torch's thread count as it was afterwards, and meanwhile a short GIL switch interval.

    The worker gives up the GIL inside every torch call and needs it back after; with the default 5 ms
    interval it waits that long behind the busy Python thread each time (measured: 1.6x slower forward
    passes), with 0.5 ms hardly at all.
    """
    threads, interval = torch.get_num_threads(), sys.getswitchinterval()
    sys.setswitchinterval(min(interval, 0.0005))
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        sys.setswitchinterval(interval)


def _workers(device: torch.device) -> tuple[int, int]:
    """(compute threads, torch threads each) for the pipeline.

    On the CPU, one single-threaded worker per core torch would use (at most 4): a torch op with several
    threads, sharing the cores with the Python thread that tokenises and builds results, has its threads
    wait on each other and runs many times slower, while single-threaded ops just take turns.
    On a GPU, one worker with torch's own setting.
    """
    threads = torch.get_num_threads()
    if device.type != "cpu":
        return 1, threads
    workers = min(threads, 4)
    return workers, max(1, threads // workers)


def attention_chunks(
    network: AttentionClassifierNetwork,
    texts: Iterable[str],
    tokenizer: Tokenizer,
    vocabulary: Vocabulary,
    device: torch.device,
) -> Iterator[AttentionChunk]:
    """The network's attention over `texts`, chunk by chunk in input order, reading `texts` lazily.

    Worker threads run the network on chunks (torch releases the GIL) while this thread encodes the
    next and the caller turns finished results into Python objects, so on large inputs the Python work
    overlaps the computation instead of adding to it. At most a few chunks are held at once, so memory
    does not grow with the number of texts. The first chunk is half the size of the rest: the workers start
    sooner, and an input of one to two full chunks (SST-2's 1,821 test sentences) runs as two that overlap,
    not one chunk after which nothing overlaps (measured: about 10 % more texts/s there, no change on
    larger inputs).
    """
    network.eval()
    chunks = text_chunks(texts, first_count=CHUNK_SIZE // 2)
    first, second = next(chunks, []), next(chunks, None)
    if second is None:
        # One chunk: nothing to overlap, and a fresh worker thread would start its own OpenMP team.
        encoded = encode_texts(first, tokenizer, vocabulary, network.config.max_length)
        yield AttentionChunk(first, encoded, _attend(network, encoded.sequences, device, torch.get_num_threads()))
        return
    yield from _pipelined(network, itertools.chain([first, second], chunks), tokenizer, vocabulary, device)


def text_chunks(texts: Iterable[str], first_count: int | None = None) -> Iterator[list[str]]:
    """Consecutive lists of at most CHUNK_SIZE texts (`first_count` in the first) and, unless one text alone
    is longer, CHUNK_CHARACTERS characters: the unit in which large inputs are read, explained and handed over."""
    texts = iter(texts)
    if first_count is not None:
        yield from grouped(itertools.islice(texts, first_count), len, CHUNK_CHARACTERS, first_count)
    yield from grouped(texts, len, CHUNK_CHARACTERS, CHUNK_SIZE)


def grouped(items: Iterable[T], cost: Callable[[T], int], budget: int, count: int | None = None) -> Iterator[list[T]]:
    """Consecutive lists of `items` whose costs add up to at most `budget` (an item over it alone stays
    alone) and, with `count`, of at most `count` items."""
    group: list[T] = []
    spent = 0
    for item in items:
        price = cost(item)
        if group and (len(group) == count or spent + price > budget):
            yield group
            group, spent = [], 0
        group.append(item)
        spent += price
    if group:
        yield group


def _pipelined(
    network: AttentionClassifierNetwork,
    chunks: Iterator[list[str]],
    tokenizer: Tokenizer,
    vocabulary: Vocabulary,
    device: torch.device,
) -> Iterator[AttentionChunk]:
    workers, threads = _workers(device)
    pending: collections.deque[tuple[list[str], EncodedTexts, Future[list[BatchAttention]]]] = collections.deque()
    with _pipeline_settings(), ThreadPoolExecutor(workers) as pool:
        for chunk in chunks:
            encoded = encode_texts(chunk, tokenizer, vocabulary, network.config.max_length)
            pending.append((chunk, encoded, pool.submit(_attend, network, encoded.sequences, device, threads)))
            if len(pending) > workers:
                yield _finished(pending.popleft())
        while pending:
            yield _finished(pending.popleft())


def _finished(item: tuple[list[str], EncodedTexts, Future[list[BatchAttention]]]) -> AttentionChunk:
    chunk, encoded, future = item
    return AttentionChunk(chunk, encoded, future.result())


def predict_probabilities(
    network: AttentionClassifierNetwork, sequences: Sequence[Sequence[int]], device: torch.device
) -> torch.Tensor:
    """(texts, classes) class probabilities in input order.

    On the CPU the length-sorted batches are shared out to single-threaded workers, as the attention
    pipeline does (`_workers`): the network's part for 2,000 IMDB reviews on 2 cores took 4.4 s against
    10.9 s in one two-threaded loop, and far longer whenever another process wanted the cores.
    """
    probabilities = torch.zeros(len(sequences), network.config.num_classes)
    network.eval()
    order = inference_order([len(s) for s in sequences], INFERENCE_BATCH_SIZE, device)
    workers, threads = _workers(device)
    if workers == 1 or len(order) < 2:
        _predict_batches(network, order, sequences, device, probabilities)
        return probabilities
    with _pipeline_settings(), ThreadPoolExecutor(workers) as pool:
        shares = [order[worker::workers] for worker in range(workers)]  # sorted, so each gets every length
        jobs = [
            pool.submit(_predict_batches, network, share, sequences, device, probabilities, threads) for share in shares
        ]
        for job in jobs:
            job.result()
    return probabilities


def _predict_batches(
    network: AttentionClassifierNetwork,
    order: list[list[int]],
    sequences: Sequence[Sequence[int]],
    device: torch.device,
    probabilities: torch.Tensor,
    threads: int | None = None,
) -> None:
    """Fills the rows of `probabilities` (texts, classes) of the batches in `order`; each worker its own."""
    if threads is not None:
        torch.set_num_threads(threads)  # per calling thread, as in `_attend`
    with torch.inference_mode():
        for batch in iterate_batches(order, sequences):
            logits = network(batch.token_ids.to(device), batch.lengths)
            assert isinstance(logits, torch.Tensor)
            probabilities[batch.indices] = logits.float().softmax(-1).cpu()


def predict_with_attention(
    network: AttentionClassifierNetwork,
    sequences: Sequence[Sequence[int]],
    owners: Sequence[int],
    weights: Sequence[Sequence[float]],
    device: torch.device,
) -> torch.Tensor:
    """(rows, classes): for each row, the class probabilities of text `sequences[owners[row]]` with
    `weights[row]` (one per token) in place of the attention the network computes.

    The RNN runs once per text, however many rows share it: the permutation test gives each text a
    hundred shuffled weightings, and ran the whole network a hundred times for them before.
    """
    weightings: list[list[Sequence[float]]] = [[] for _ in sequences]
    slots = []  # each row's place among its text's weightings
    for owner, row_weights in zip(owners, weights, strict=True):
        slots.append(len(weightings[owner]))
        weightings[owner].append(row_weights)
    most = max([1, *map(len, weightings)])  # weightings of the text with the most
    texts_per_batch = max(1, min(INFERENCE_BATCH_SIZE, WEIGHTINGS_PER_BATCH // most))
    results = [torch.zeros(0, network.config.num_classes)] * len(sequences)
    network.eval()
    with torch.inference_mode():
        for batch in iterate_batches(inference_order([len(s) for s in sequences], texts_per_batch, device), sequences):
            given = _weightings_batch(weightings, batch.indices, batch.token_ids.shape)  # (batch, weightings, time)
            logits = network.logits_with_attention(batch.token_ids.to(device), batch.lengths, given.to(device))
            probabilities = logits.float().softmax(-1).cpu()  # (batch, weightings, classes)
            for row, index in enumerate(batch.indices):
                results[index] = probabilities[row, : len(weightings[index])]
    starts = list(itertools.accumulate(map(len, results), initial=0))  # each text's first row in `results`
    rows = [starts[owner] + slot for owner, slot in zip(owners, slots, strict=True)]
    return torch.cat(results)[rows] if rows else torch.zeros(0, network.config.num_classes)


def _weightings_batch(weightings: list[list[Sequence[float]]], indices: list[int], shape: torch.Size) -> torch.Tensor:
    padded = torch.zeros(len(indices), max([1, *(len(weightings[index]) for index in indices)]), shape[1])
    for row, index in enumerate(indices):
        if weightings[index] and weightings[index][0]:
            given = torch.tensor(weightings[index], dtype=torch.float32)  # (weightings, tokens)
            padded[row, : given.shape[0], : given.shape[1]] = given
    return padded
