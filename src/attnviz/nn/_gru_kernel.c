/* The time loops of a bidirectional GRU layer in C: training's forward and backward, and prediction's.

   `attnviz.nn.recurrence` runs the large products (input projections, weight gradients) in PyTorch and
   hands the loops over time to these functions; `attnviz.nn.gate_lookup` hands prediction's loop over.
   In PyTorch each time step is a dozen small tensor operations whose per-call cost outweighs their
   arithmetic: a step of 32 texts at hidden size 64 is about 0.8 MFLOP. Here a step is one small matrix
   product and one pass over its gates. Both directions run on the calling thread, one after the
   other: a second thread of our own would share a core with the thread PyTorch's OpenMP pool leaves
   spinning after each parallel product, and measured slower (32 texts x 21 words: 1.05 ms against 0.94
   for the input projection and the forward loops). Without a C compiler at install time the package
   uses the PyTorch loops instead; both give `nn.GRU`'s numbers to within float rounding.

   The inputs and outputs are batch-major, as the network holds them, and each direction reads and
   writes its own half of every row, the backward direction each text reversed within its own length,
   so no reversed copy is made. The loops keep their own state time-major. Layouts (row-major,
   contiguous, float32; d the direction, H the hidden size, gates in PyTorch's order r, z, n):
     lengths      (batch,) int64
     input_gates  (batch, time, d, 3H)  x W_ih^T + b_ih
     output       (batch, time, d, H)   what nn.GRU returns over packed sequences (padding: not meaningful)
     weight_t     (d, H, 3H)            W_hh^T, for the forward product h W_hh^T
     weight       (d, 3H, H)            W_hh, for the backward product
     bias         (d, 3H)               b_hh
     states       (d, time + 1, batch, H), states[0] = 0: the state after each step
     gates        (d, time, batch, 3H)  r, z and h W_hn + b_hn (which r scales), kept for backward
     candidates   (d, time, batch, H)   n
   Backward writes the input gates' gradients where they were read, (batch, time, d, 3H), and the
   hidden gates' time-major, (d, time, batch, 3H), beside `states` for the weight gradient.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)

/* Where step t of direction d reads and writes row i's text: the forward direction in order, the
   backward one reversed within the text's own length; padding steps stay in place. */
static inline size_t position(int direction, int t, int64_t length) {
    return (size_t)(direction == 0 || t >= length ? t : length - 1 - t);
}

typedef struct {
    int time, batch, hidden, direction;
    const int64_t *lengths;   /* (batch,) */
    const float *input_gates; /* (batch, time, 2 * 3H): both directions' x W_ih^T + b_ih */
    const float *weight_t, *bias;
    float *output; /* (batch, time, 2H): both directions' states, as nn.GRU returns them */
    float *states, *gates, *candidates;
} Forward;

typedef struct {
    int time, batch, hidden, direction;
    const int64_t *lengths;
    const float *output_gradient; /* (batch, time, 2H): dL/d(output) */
    const float *weight, *states, *gates, *candidates;
    float *input_gate_gradient;  /* (batch, time, 2 * 3H), where the input gates were read */
    float *hidden_gate_gradient; /* (time, batch, 3H) */
    float *carried;              /* (batch, H) scratch: dL/dh through the next step's input */
} Backward;

typedef struct {
    int time, batch, hidden, direction;
    int64_t vocabulary;
    const int64_t *lengths, *ids; /* ids (batch, time), or NULL: input_gates are the batch's, as in Forward */
    const float *input_gates;     /* with ids: (d, vocabulary, 3H), each word's x W_ih^T + b_ih */
    const float *weight_t, *bias;
    float *output;  /* (batch, time, 2H), zero-filled by the caller: padding stays zero */
    float *scratch; /* (2 * batch * H + batch * 3H) */
} Prediction;

/* The loops, compiled for each instruction set the module may meet: on x86-64 with GCC for AVX-512
   (16 floats a vector), AVX2 with FMA (8) and the baseline (8, in halves); elsewhere the baseline
   alone. `choose` picks the widest the processor has and the hidden size divides. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define MANY_TARGETS 1
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi,bmi2,f16c")
#define WIDTH 16
#define SUFFIX _avx512
#include "_gru_loops.h"
#undef WIDTH
#undef SUFFIX
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,fma,bmi,bmi2,f16c")
#define WIDTH 8
#define SUFFIX _avx2
#include "_gru_loops.h"
#undef WIDTH
#undef SUFFIX
#pragma GCC pop_options
#endif
#define WIDTH 8
#define SUFFIX _baseline
#include "_gru_loops.h"
#undef WIDTH
#undef SUFFIX

typedef struct {
    const char *name;
    void (*forward)(const Forward *);
    void (*backward)(const Backward *);
    void (*predict)(const Prediction *);
} Loops;

/* The widest instruction set `choose` may pick: 2 AVX-512, 1 AVX2, 0 the baseline (tests lower it). */
static int widest = 2;

static Loops choose(int hidden) {
#ifdef MANY_TARGETS
    if (widest >= 2 && hidden % 16 == 0 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        return (Loops){"avx512", forward_direction_avx512, backward_direction_avx512, predict_direction_avx512};
    if (widest >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return (Loops){"avx2", forward_direction_avx2, backward_direction_avx2, predict_direction_avx2};
#endif
    return (Loops){"baseline", forward_direction_baseline, backward_direction_baseline, predict_direction_baseline};
}

static void *pointer(PyObject *address) { return PyLong_AsVoidPtr(address); }

static int check_hidden(int hidden) {
    if (hidden <= 0 || hidden % 8) {
        PyErr_Format(PyExc_ValueError, "the GRU kernel needs a hidden size that is a multiple of 8, not %d", hidden);
        return 0;
    }
    return 1;
}

static PyObject *forward(PyObject *self, PyObject *args) {
    int time, batch, hidden;
    PyObject *lengths, *input_gates, *weight_t, *bias, *output, *states, *gates, *candidates;
    if (!PyArg_ParseTuple(args, "iiiOOOOOOOO", &time, &batch, &hidden, &lengths, &input_gates, &weight_t, &bias,
                          &output, &states, &gates, &candidates) ||
        !check_hidden(hidden))
        return NULL;
    const size_t G = 3 * (size_t)hidden, H = hidden;
    Forward f[2];
    for (int d = 0; d < 2; d++) {
        f[d] = (Forward){
            time, batch, hidden, d,
            pointer(lengths),
            pointer(input_gates),
            (const float *)pointer(weight_t) + d * H * G,
            (const float *)pointer(bias) + d * G,
            pointer(output),
            (float *)pointer(states) + (size_t)d * (time + 1) * batch * H,
            (float *)pointer(gates) + (size_t)d * time * batch * G,
            (float *)pointer(candidates) + (size_t)d * time * batch * H,
        };
    }
    if (PyErr_Occurred()) return NULL;
    const Loops loops = choose(hidden);
    Py_BEGIN_ALLOW_THREADS loops.forward(&f[0]);
    loops.forward(&f[1]);
    Py_END_ALLOW_THREADS Py_RETURN_NONE;
}

static PyObject *backward(PyObject *self, PyObject *args) {
    int time, batch, hidden;
    PyObject *lengths, *output_gradient, *weight, *states, *gates, *candidates, *input_gate_gradient;
    PyObject *hidden_gate_gradient;
    if (!PyArg_ParseTuple(args, "iiiOOOOOOOO", &time, &batch, &hidden, &lengths, &output_gradient, &weight, &states,
                          &gates, &candidates, &input_gate_gradient, &hidden_gate_gradient) ||
        !check_hidden(hidden))
        return NULL;
    const size_t G = 3 * (size_t)hidden, H = hidden;
    float *carried = PyMem_RawMalloc(sizeof(float) * H * (batch > 0 ? batch : 1));
    if (!carried) return PyErr_NoMemory();
    Backward b[2];
    for (int d = 0; d < 2; d++) {
        b[d] = (Backward){
            time, batch, hidden, d,
            pointer(lengths),
            pointer(output_gradient),
            (const float *)pointer(weight) + d * G * H,
            (const float *)pointer(states) + (size_t)d * (time + 1) * batch * H,
            (const float *)pointer(gates) + (size_t)d * time * batch * G,
            (const float *)pointer(candidates) + (size_t)d * time * batch * H,
            pointer(input_gate_gradient),
            (float *)pointer(hidden_gate_gradient) + (size_t)d * time * batch * G,
            carried,
        };
    }
    if (!PyErr_Occurred()) {
        const Loops loops = choose(hidden);
        Py_BEGIN_ALLOW_THREADS loops.backward(&b[0]);
        loops.backward(&b[1]);
        Py_END_ALLOW_THREADS
    }
    PyMem_RawFree(carried);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *predict(PyObject *self, PyObject *args) {
    int time, batch, hidden;
    long long vocabulary;
    PyObject *lengths, *ids, *input_gates, *weight_t, *bias, *output;
    if (!PyArg_ParseTuple(args, "iiiLOOOOOO", &time, &batch, &hidden, &vocabulary, &lengths, &ids, &input_gates,
                          &weight_t, &bias, &output) ||
        !check_hidden(hidden))
        return NULL;
    const size_t G = 3 * (size_t)hidden, H = hidden, scratch_floats = (size_t)(batch > 0 ? batch : 1) * (2 * H + G);
    float *scratch = PyMem_RawMalloc(sizeof(float) * 2 * scratch_floats);
    if (!scratch) return PyErr_NoMemory();
    Prediction p[2];
    for (int d = 0; d < 2; d++) {
        p[d] = (Prediction){
            time, batch, hidden, d, vocabulary,
            pointer(lengths),
            ids == Py_None ? NULL : pointer(ids),
            pointer(input_gates),
            (const float *)pointer(weight_t) + d * H * G,
            (const float *)pointer(bias) + d * G,
            pointer(output),
            scratch + d * scratch_floats,
        };
    }
    if (!PyErr_Occurred()) {
        const Loops loops = choose(hidden);
        Py_BEGIN_ALLOW_THREADS loops.predict(&p[0]);
        loops.predict(&p[1]);
        Py_END_ALLOW_THREADS
    }
    PyMem_RawFree(scratch);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *instruction_set(PyObject *self, PyObject *args) {
    int hidden;
    if (!PyArg_ParseTuple(args, "i", &hidden) || !check_hidden(hidden)) return NULL;
    return PyUnicode_FromString(choose(hidden).name);
}

static PyObject *limit_instruction_set(PyObject *self, PyObject *args) {
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    const char *names[] = {"baseline", "avx2", "avx512"};
    for (int rank = 0; rank < 3; rank++) {
        if (strcmp(name, names[rank]) == 0) {
            widest = rank;
            Py_RETURN_NONE;
        }
    }
    return PyErr_Format(PyExc_ValueError, "no instruction set %s: use baseline, avx2 or avx512", name);
}

static PyMethodDef methods[] = {
    {"predict", predict, METH_VARARGS,
     "predict(time, batch, hidden, vocabulary, lengths, ids, input_gates, weight_t, bias, output)"},
    {"instruction_set", instruction_set, METH_VARARGS,
     "instruction_set(hidden): the loops the kernel runs at that hidden size: avx512, avx2 or baseline"},
    {"limit_instruction_set", limit_instruction_set, METH_VARARGS,
     "limit_instruction_set(name): use nothing wider than baseline, avx2 or avx512 (the default) from now on"},
    {"forward", forward, METH_VARARGS,
     "forward(time, batch, hidden, lengths, input_gates, weight_t, bias, output, states, gates, candidates)"},
    {"backward", backward, METH_VARARGS,
     "backward(time, batch, hidden, lengths, output_gradient, weight, states, gates, candidates, "
     "input_gate_gradient, hidden_gate_gradient)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_gru_kernel", "The GRU's time loops in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__gru_kernel(void) { return PyModule_Create(&module); }
