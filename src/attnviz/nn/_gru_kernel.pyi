# The C kernel's entry points (_gru_kernel.c, which gives the layouts); every tensor is passed as its data pointer.

def forward(
    time: int,
    batch: int,
    hidden: int,
    lengths: int,
    input_gates: int,
    weight_t: int,
    bias: int,
    output: int,
    states: int,
    gates: int,
    candidates: int,
) -> None: ...
def backward(
    time: int,
    batch: int,
    hidden: int,
    lengths: int,
    output_gradient: int,
    weight: int,
    states: int,
    gates: int,
    candidates: int,
    input_gate_gradient: int,
    hidden_gate_gradient: int,
) -> None: ...
def instruction_set(hidden: int) -> str: ...
def limit_instruction_set(name: str) -> None: ...
def predict(
    time: int,
    batch: int,
    hidden: int,
    vocabulary: int,
    lengths: int,
    ids: int | None,
    input_gates: int,
    weight_t: int,
    bias: int,
    output: int,
) -> None: ...
