"""Training keeps the memory it frees, so a step does not fault its buffers in from the kernel again."""

from __future__ import annotations

import os
import resource

import pytest
import torch

from attnviz.training import allocator
from attnviz.training.allocator import freed_memory_kept

BUFFER_FLOATS = 8 * 2**20  # 32 MB: above the largest block glibc's self-adjusting threshold keeps
PAGES = BUFFER_FLOATS * 4 // resource.getpagesize()


def faults_while_reusing(times: int) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(times):
        torch.empty(BUFFER_FLOATS).fill_(1.0)  # allocated, every page touched, freed
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(allocator._glibc() is None, reason="the setting exists only in glibc")
def test_a_buffer_freed_and_allocated_again_is_not_faulted_in_each_time() -> None:
    with freed_memory_kept():
        faults_while_reusing(5)  # the heap grows to hold the buffer: its first uses fault
        faults = faults_while_reusing(10)
    # Without the setting each of the ten buffers maps fresh pages: 10 x PAGES faults. With it, none,
    # unless the kernel reclaims idle pages meanwhile (this VM's DAMON does): up to 3 x PAGES seen.
    assert faults < 5 * PAGES, (faults, PAGES)


def test_without_glibc_it_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "confstr", lambda name: None)
    assert allocator._glibc() is None
    with freed_memory_kept():
        assert torch.ones(3).sum().item() == 3.0
