/* The GRU's time loops for one vector width; _gru_kernel.c includes this once per instruction set,
   with WIDTH (floats a vector) and SUFFIX (appended to every name here) defined. */

#define vec CONCAT(vec, SUFFIX)
#define ivec CONCAT(ivec, SUFFIX)
#define load CONCAT(load, SUFFIX)
#define store CONCAT(store, SUFFIX)
#define splat CONCAT(splat, SUFFIX)
#define clamp CONCAT(clamp, SUFFIX)
#define exponential CONCAT(exponential, SUFFIX)
#define sigmoid CONCAT(sigmoid, SUFFIX)
#define hyperbolic_tangent CONCAT(hyperbolic_tangent, SUFFIX)
#define tile CONCAT(tile, SUFFIX)
#define multiply_add CONCAT(multiply_add, SUFFIX)
#define gate CONCAT(gate, SUFFIX)

typedef float vec __attribute__((vector_size(4 * WIDTH)));
typedef int32_t ivec __attribute__((vector_size(4 * WIDTH)));

static inline vec load(const float *p) {
    vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store(float *p, vec v) { memcpy(p, &v, sizeof v); }

/* Scalar and vector in one operation broadcast the scalar (vbroadcastss), unlike an initialiser list. */
static inline vec splat(float x) { return (vec){0} + x; }

static inline vec clamp(vec x, float low, float high) {
    ivec below = x < splat(low), above = x > splat(high); /* all ones where true */
    ivec bits = ((ivec)x & ~(below | above)) | ((ivec)splat(low) & below) | ((ivec)splat(high) & above);
    return (vec)bits;
}

/* exp(x) to about one unit in the last place (Cephes' expf), without a library call so that it
   vectorises: 2^n from the exponent bits, the rest from a polynomial on [-ln2 / 2, ln2 / 2]. */
static inline vec exponential(vec x) {
    x = clamp(x, -87.0f, 88.0f);
    const vec shifter = splat(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
    vec n = (x * splat(1.44269504088896341f) + shifter) - shifter;
    vec r = x - n * splat(0.693359375f) - n * splat(-2.12194440e-4f);
    vec p = splat(1.9875691500e-4f);
    p = p * r + splat(1.3981999507e-3f);
    p = p * r + splat(8.3334519073e-3f);
    p = p * r + splat(4.1665795894e-2f);
    p = p * r + splat(1.6666665459e-1f);
    p = p * r + splat(5.0000001201e-1f);
    vec y = p * r * r + r + splat(1.0f);
    ivec exponent = (__builtin_convertvector(n, ivec) + 127) << 23;
    return y * (vec)exponent;
}

static inline vec sigmoid(vec x) { return splat(1.0f) / (splat(1.0f) + exponential(-x)); }

/* tanh(x) = 1 - 2 / (exp(2x) + 1): exact at 0 and saturating to +-1 without overflow. */
static inline vec hyperbolic_tangent(vec x) { return splat(1.0f) - splat(2.0f) / (exponential(x + x) + splat(1.0f)); }

/* One tile of out += a b: `count` rows (at most 4) by `width` (1 or 2) vectors of columns, the sums
   held in registers. */
static inline void tile(int count, int width, int inner, int columns, const float *a, const float *b, float *out) {
    vec sums[4][2];
    for (int i = 0; i < count; i++)
        for (int w = 0; w < width; w++) sums[i][w] = load(out + (size_t)i * columns + WIDTH * w);
    for (int k = 0; k < inner; k++) {
        const float *row = b + (size_t)k * columns;
        vec b0 = load(row), b1 = width > 1 ? load(row + WIDTH) : b0;
        for (int i = 0; i < count; i++) {
            float ai = a[(size_t)i * inner + k];
            sums[i][0] += b0 * ai;
            if (width > 1) sums[i][1] += b1 * ai;
        }
    }
    for (int i = 0; i < count; i++)
        for (int w = 0; w < width; w++) store(out + (size_t)i * columns + WIDTH * w, sums[i][w]);
}

/* out[rows x columns] += a[rows x inner] b[inner x columns], `columns` a multiple of WIDTH. The tile
   sizes are constants at each call so that the compiler unrolls them. */
static inline void multiply_add(int rows, int inner, int columns, const float *a, const float *b, float *out) {
    for (int row = 0; row < rows; row += 4) {
        const int count = rows - row >= 4 ? 4 : rows - row;
        const float *a_rows = a + (size_t)row * inner;
        float *out_rows = out + (size_t)row * columns;
        int column = 0;
        if (count == 4) {
            for (; column + 2 * WIDTH <= columns; column += 2 * WIDTH)
                tile(4, 2, inner, columns, a_rows, b + column, out_rows + column);
            if (column < columns) tile(4, 1, inner, columns, a_rows, b + column, out_rows + column);
        } else {
            for (; column + 2 * WIDTH <= columns; column += 2 * WIDTH)
                tile(count, 2, inner, columns, a_rows, b + column, out_rows + column);
            if (column < columns) tile(count, 1, inner, columns, a_rows, b + column, out_rows + column);
        }
    }
}

/* One vector of a step's gates: the reset and update gates, the candidate and the new state from the
   input gates `x`, the hidden gates `g` (h W_hh^T + b_hh; r scales its third block) and the state `h`. */
static inline vec gate(int H, const float *x, const float *g, const float *h, vec *r, vec *z, vec *c) {
    *r = sigmoid(load(x) + load(g));
    *z = sigmoid(load(x + H) + load(g + H));
    *c = hyperbolic_tangent(load(x + 2 * H) + *r * load(g + 2 * H));
    return *c + *z * (load(h) - *c);
}

static void CONCAT(forward_direction, SUFFIX)(const Forward *f) {
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
            for (int j = 0; j < H; j += WIDTH) {
                vec r, z, c, next = gate(H, x + j, g + j, h + j, &r, &z, &c);
                store(g + j, r);
                store(g + H + j, z);
                store(n + j, c);
                store(out + j, next);
                store(output + j, next);
            }
        }
    }
}

static void CONCAT(backward_direction, SUFFIX)(const Backward *b) {
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
            for (int j = 0; j < H; j += WIDTH) {
                vec gradient = load(in + j) + load(carry + j);
                vec r = load(g + j), z = load(g + H + j), c = load(n + j);
                vec candidate = gradient * (splat(1.0f) - z) * (splat(1.0f) - c * c);
                vec update = gradient * (load(h + j) - c) * z * (splat(1.0f) - z);
                vec reset = candidate * load(g + 2 * H + j) * r * (splat(1.0f) - r);
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

/* Prediction: no state kept for a backward pass, steps stop at each text's end (rows past it are
   skipped; with the longest first, as inference batches come, they are never computed), and the
   output is written only where a text was read. */
static void CONCAT(predict_direction, SUFFIX)(const Prediction *p) {
    const int H = p->hidden, G = 3 * p->hidden, d = p->direction;
    float *previous = p->scratch, *next = previous + (size_t)p->batch * H, *gates = next + (size_t)p->batch * H;
    memset(previous, 0, sizeof(float) * 2 * (size_t)p->batch * H); /* both: skipped rows keep finite states */
    int rows = p->batch;
    for (int t = 0; t < p->time; t++) {
        while (rows > 0 && p->lengths[rows - 1] <= t) rows--;
        if (rows == 0) break;
        for (int i = 0; i < rows; i++) memcpy(gates + (size_t)i * G, p->bias, sizeof(float) * G);
        multiply_add(rows, H, G, previous, p->weight_t, gates);
        for (int i = 0; i < rows; i++) {
            if (t >= p->lengths[i]) continue; /* a shorter text before a longer one: already read */
            const size_t at = (size_t)i * p->time + position(d, t, p->lengths[i]);
            const float *x = p->ids ? p->input_gates + ((size_t)d * p->vocabulary + (size_t)p->ids[at]) * G
                                    : p->input_gates + at * 2 * G + d * G;
            const float *h = previous + (size_t)i * H, *g = gates + (size_t)i * G;
            float *out = next + (size_t)i * H, *output = p->output + at * 2 * H + d * H;
            for (int j = 0; j < H; j += WIDTH) {
                vec r, z, c, state = gate(H, x + j, g + j, h + j, &r, &z, &c);
                store(out + j, state);
                store(output + j, state);
            }
        }
        float *swap = previous;
        previous = next;
        next = swap;
    }
}

#undef vec
#undef ivec
#undef load
#undef store
#undef splat
#undef clamp
#undef exponential
#undef sigmoid
#undef hyperbolic_tangent
#undef tile
#undef multiply_add
#undef gate
