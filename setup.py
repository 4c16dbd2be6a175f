"""The optional C kernel for the GRU's time loops (attnviz/nn/_gru_kernel.c); the rest is in pyproject.toml.

Optional: where it does not compile (no C compiler, a compiler without GCC's vector extensions) the
install goes on without it and training and prediction use the PyTorch loops, with the same numbers.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "attnviz.nn._gru_kernel",
            ["src/attnviz/nn/_gru_kernel.c"],
            depends=["src/attnviz/nn/_gru_loops.h"],
            extra_compile_args=["-O3", "-std=gnu11", "-Wno-psabi"],
            optional=True,
        )
    ]
)
