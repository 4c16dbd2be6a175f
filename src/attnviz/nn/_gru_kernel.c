/* The time loops of a bidirectional GRU layer, forward and backward, in C.

   `attnviz.nn.recurrence` runs the large products (input projections, weight gradients) in PyTorch and
   hands the loops over time to these functions. In PyTorch each time step is a dozen small tensor
   operations whose per-call cost outweighs their arithmetic: a step of 32 texts at hidden size 64 is
   about 0.8 MFLOP. Here a step is one small matrix product and one pass over its gates. Both directions
   run on the calling thread, one after the other: a second thread of our own would share a core with
   the thread PyTorch's OpenMP pool leaves spinning after each parallel product, and measured slower
   (32 texts x 21 words: 1.05 ms against 0.94 for the input projection and the forward loops). Without a C compiler at
   install time the package uses the PyTorch loops instead; both give `nn.GRU`'s numbers to within
   float rounding.

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

/* GCC on x86-64 builds each entry point twice, for AVX2 with FMA and for the baseline, and picks one
   when the module loads; elsewhere the compiler's default target is used. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define MULTIVERSIONED __attribute__((target_clones("arch=x86-64-v3", "default"), flatten))
#else
#define MULTIVERSIONED
#endif

typedef float v8 __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

static inline v8 load(const float *p) {
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store(float *p, v8 v) { memcpy(p, &v, sizeof v); }

/* Scalar and vector in one operation broadcast the scalar (vbroadcastss), unlike an initialiser list. */
static inline v8 splat(float x) { return (v8){0} + x; }

static inline v8 clamp(v8 x, float low, float high) {
    v8i below = x < splat(low), above = x > splat(high); /* all ones where true */
    v8i bits = ((v8i)x & ~(below | above)) | ((v8i)splat(low) & below) | ((v8i)splat(high) & above);
    return (v8)bits;
}

/* exp(x) to about one unit in the last place (Cephes' expf), without a library call so that it
   vectorises: 2^n from the exponent bits, the rest from a polynomial on [-ln2 / 2, ln2 / 2]. */
static inline v8 exp8(v8 x) {
    x = clamp(x, -87.0f, 88.0f);
    const v8 shifter = splat(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
    v8 n = (x * splat(1.44269504088896341f) + shifter) - shifter;
    v8 r = x - n * splat(0.693359375f) - n * splat(-2.12194440e-4f);
    v8 p = splat(1.9875691500e-4f);
    p = p * r + splat(1.3981999507e-3f);
    p = p * r + splat(8.3334519073e-3f);
    p = p * r + splat(4.1665795894e-2f);
    p = p * r + splat(1.6666665459e-1f);
    p = p * r + splat(5.0000001201e-1f);
    v8 y = p * r * r + r + splat(1.0f);
    v8i exponent = (__builtin_convertvector(n, v8i) + 127) << 23;
    return y * (v8)exponent;
}

static inline v8 sigmoid8(v8 x) { return splat(1.0f) / (splat(1.0f) + exp8(-x)); }

/* tanh(x) = 1 - 2 / (exp(2x) + 1): exact at 0 and saturating to +-1 without overflow. */
static inline v8 tanh8(v8 x) { return splat(1.0f) - splat(2.0f) / (exp8(x + x) + splat(1.0f)); }

/* One tile of out += a b: `count` rows (at most 4) by `width` vectors of 8 columns, the sums in registers. */
static inline void tile(int count, int width, int inner, int columns, const float *a, const float *b, float *out) {
    v8 sums[4][2];
    for (int i = 0; i < count; i++)
        for (int w = 0; w < width; w++) sums[i][w] = load(out + (size_t)i * columns + 8 * w);
    for (int k = 0; k < inner; k++) {
        const float *row = b + (size_t)k * columns;
        v8 b0 = load(row), b1 = width > 1 ? load(row + 8) : b0;
        for (int i = 0; i < count; i++) {
            float ai = a[(size_t)i * inner + k];
            sums[i][0] += b0 * ai;
            if (width > 1) sums[i][1] += b1 * ai;
        }
    }
    for (int i = 0; i < count; i++)
        for (int w = 0; w < width; w++) store(out + (size_t)i * columns + 8 * w, sums[i][w]);
}

/* out[rows x columns] += a[rows x inner] b[inner x columns], `columns` a multiple of 8. The tile sizes
   are constants at each call so that the compiler unrolls them. */
static inline void multiply_add(int rows, int inner, int columns, const float *a, const float *b, float *out) {
    for (int row = 0; row < rows; row += 4) {
        const float *a_rows = a + (size_t)row * inner;
        float *out_rows = out + (size_t)row * columns;
        int column = 0;
        if (rows - row >= 4) {
            for (; column + 16 <= columns; column += 16) tile(4, 2, inner, columns, a_rows, b + column, out_rows + column);
            if (column < columns) tile(4, 1, inner, columns, a_rows, b + column, out_rows + column);
        } else {
            for (; column + 16 <= columns; column += 16)
                tile(rows - row, 2, inner, columns, a_rows, b + column, out_rows + column);
            if (column < columns) tile(rows - row, 1, inner, columns, a_rows, b + column, out_rows + column);
        }
    }
}

/* Where step t of direction d reads and writes row i's text: the forward direction in order, the
   backward one reversed within the text's own length; padding steps stay in place. */
static inline size_t position(int direction, int t, int64_t length) {
    return (size_t)(direction == 0 || t >= length ? t : length - 1 - t);
}

typedef struct {
    int time, batch, hidden, direction;
    const int64_t *lengths;  /* (batch,) */
    const float *input_gates; /* (batch, time, 2 * 3H): both directions' x W_ih^T + b_ih */
    const float *weight_t, *bias;
    float *output;            /* (batch, time, 2H): both directions' states, as nn.GRU returns them */
    float *states, *gates, *candidates;
} Forward;

MULTIVERSIONED static void forward_direction(const Forward *f) {
    const int H = f->hidden, G = 3 * f->hidden, d = f->direction;
    for (int t = 0; t < f->time; t++) {
        const float *previous = f->states + (size_t)t * f->batch * H;
        float *state = f->states + (size_t)(t + 1) * f->batch * H;
        float *gates = f->gates + (size_t)t * f->batch * G, *candidates = f->candidates + (size_t)t * f->batch * H;
        for (int i = 0; i < f->batch; i++) memcpy(gates + (size_t)i * G, f->bias, sizeof(float) * G);
        multiply_add(f->batch, H, G, previous, f->weight_t, gates);
        for (int i = 0; i < f->batch; i++) {
            const size_t at = (size_t)i * f->time + position(d, t, f->lengths[i]);
            const float *x = f->input_gates + at * 2 * G + d * G, *h = previous + (size_t)i * H;
            float *g = gates + (size_t)i * G, *n = candidates + (size_t)i * H, *out = state + (size_t)i * H;
            float *output = f->output + at * 2 * H + d * H;
            for (int j = 0; j < H; j += 8) {
                v8 r = sigmoid8(load(x + j) + load(g + j));
                v8 z = sigmoid8(load(x + H + j) + load(g + H + j));
                v8 c = tanh8(load(x + 2 * H + j) + r * load(g + 2 * H + j));
                v8 next = c + z * (load(h + j) - c);
                store(g + j, r);
                store(g + H + j, z);
                store(n + j, c);
                store(out + j, next);
                store(output + j, next);
            }
        }
    }
}

typedef struct {
    int time, batch, hidden, direction;
    const int64_t *lengths;
    const float *output_gradient; /* (batch, time, 2H): dL/d(output) */
    const float *weight, *states, *gates, *candidates;
    float *input_gate_gradient;   /* (batch, time, 2 * 3H), where the input gates were read */
    float *hidden_gate_gradient;  /* (time, batch, 3H) */
    float *carried;               /* (batch, H) scratch: dL/dh through the next step's input */
} Backward;

MULTIVERSIONED static void backward_direction(const Backward *b) {
    const int H = b->hidden, G = 3 * b->hidden, d = b->direction;
    const size_t step_states = (size_t)b->batch * H, step_gates = (size_t)b->batch * G;
    memset(b->carried, 0, sizeof(float) * step_states);
    for (int t = b->time - 1; t >= 0; t--) {
        const float *previous = b->states + t * step_states;
        const float *gates = b->gates + t * step_gates, *candidates = b->candidates + t * step_states;
        float *to_hidden = b->hidden_gate_gradient + t * step_gates;
        for (int i = 0; i < b->batch; i++) {
            const size_t at = (size_t)i * b->time + position(d, t, b->lengths[i]);
            const float *g = gates + (size_t)i * G, *n = candidates + (size_t)i * H, *h = previous + (size_t)i * H;
            const float *in = b->output_gradient + at * 2 * H + d * H;
            float *carry = b->carried + (size_t)i * H, *di = b->input_gate_gradient + at * 2 * G + d * G;
            float *dh = to_hidden + (size_t)i * G;
            for (int j = 0; j < H; j += 8) {
                v8 gradient = load(in + j) + load(carry + j);
                v8 r = load(g + j), z = load(g + H + j), c = load(n + j);
                v8 candidate = gradient * (splat(1.0f) - z) * (splat(1.0f) - c * c);
                v8 update = gradient * (load(h + j) - c) * z * (splat(1.0f) - z);
                v8 reset = candidate * load(g + 2 * H + j) * r * (splat(1.0f) - r);
                store(di + j, reset);
                store(di + H + j, update);
                store(di + 2 * H + j, candidate);
                store(dh + j, reset);
                store(dh + H + j, update);
                store(dh + 2 * H + j, candidate * r);
                store(carry + j, gradient * z);
            }
        }
        if (t > 0) multiply_add(b->batch, G, H, to_hidden, b->weight, b->carried);
    }
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
            (float *)pointer(states) + d * (time + 1) * batch * H,
            (float *)pointer(gates) + d * time * batch * G,
            (float *)pointer(candidates) + d * time * batch * H,
        };
    }
    if (PyErr_Occurred()) return NULL;
    Py_BEGIN_ALLOW_THREADS forward_direction(&f[0]);
    forward_direction(&f[1]);
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
            (const float *)pointer(states) + d * (time + 1) * batch * H,
            (const float *)pointer(gates) + d * time * batch * G,
            (const float *)pointer(candidates) + d * time * batch * H,
            pointer(input_gate_gradient),
            (float *)pointer(hidden_gate_gradient) + d * time * batch * G,
            carried,
        };
    }
    if (!PyErr_Occurred()) {
        Py_BEGIN_ALLOW_THREADS backward_direction(&b[0]);
        backward_direction(&b[1]);
        Py_END_ALLOW_THREADS
    }
    PyMem_RawFree(carried);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
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
