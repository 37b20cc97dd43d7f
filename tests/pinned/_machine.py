"""The machine a torch-trained pin belongs to.

float32 training in torch is reproducible on one machine, not across processors: torch, MKL and
oneDNN choose their kernels by instruction set and vendor (AVX2, AVX-512, AMX), and the rounding
differences grow with every training step. The pins of trained numbers moved by 0.05-0.3% between the
machine they were first recorded on and the AVX-512 Xeon of 2026-12-05 (same torch 2.13.0, same code:
every untrained pin held to 1e-12), and forcing AVX2 kernels (ATEN_CPU_CAPABILITY, MKL_CBWR,
DNNL_MAX_CPU_ISA) did not bring the old values back. So trained pins are kept per machine signature:
on a machine with its pins they hold to the tight tolerances below; on another, the test is skipped
and says which values to add (the untrained pins and every behavioural test still run there).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

# The machine the trained pins of tests/pinned were recorded on (re-recorded on 2026-12-05).
PINNED_MACHINE = (
    "AVX512 Intel(R) Xeon(R) Processor [avx2 avx512f avx512_vnni avx512_bf16 avx512_fp16 amx_tile amx_bf16]"
)
FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16")


def signature() -> str:
    """torch's CPU kernel level, the processor's model name and its wide-vector features, e.g.
    'AVX512 Intel(R) Xeon(R) Processor [avx2 avx512f ... amx_tile]'."""
    model, flags = "unknown processor", set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown processor":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    features = " ".join(f for f in FLAGS if f in flags)
    return f"{torch.backends.cpu.get_cpu_capability()} {model} [{features}]"


def skip_unless_pinned_machine(found) -> None:
    """Skip a comparison of trained numbers off the machine they were recorded on, showing what was found."""
    here = signature()
    if here != PINNED_MACHINE:
        pytest.skip(f"trained pins are for {PINNED_MACHINE!r}, this is {here!r}; found here: {found!r}")
