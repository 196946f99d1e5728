// The memory-bound work around a convolution's GEMMs: im2col, col2im, the gradient staging and
// the bias + relu epilogue.
//
// Swift compiles for baseline x86-64 (SSE2), and its loops with a float sum stay scalar, so
// these loops live here: each is built for AVX-512, AVX2 and the baseline, and the loader picks
// the clone that fits the CPU (target_clones). Sums are kept in eight independent lanes, which
// the compiler vectorises; the order of additions depends on the shape only, never on threads.
#include "CFluidSupport.h"

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

// First output position whose input position (x * stride + offset) reaches `bound`, at most `limit`.
static inline long firstOutput(long bound, long stride, long offset, long limit) {
    long need = bound - offset;
    long o = need <= 0 ? 0 : (need + stride - 1) / stride;
    return o < limit ? o : limit;
}

// For each kernel tap along one axis: its input offset and the outputs [lo, hi) that read inside
// the input (the rest read padding). Computed once per call: the divisions cost more than the
// copies of a short row.
typedef struct {
    long offset, lo, hi;
} Span;

static void tapSpans(long taps, long dilation, long pad, long stride, long size, long outputs, Span *spans) {
    for (long k = 0; k < taps; k++) {
        const long offset = k * dilation - pad;
        const long lo = firstOutput(0, stride, offset, outputs);
        const long hi = firstOutput(size, stride, offset, outputs);
        spans[k] = (Span){offset, lo, hi < lo ? lo : hi};
    }
}

// Row helpers for the short rows of a convolution (8 to 24 floats in the tutorial): whole
// groups of eight with a fixed size, which compile to one vector move each, then the tail.
// A plain loop would be unrolled for long rows and leave short ones to its scalar remainder.
static inline __attribute__((always_inline)) void copyRow(float *restrict dst, const float *restrict src, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) __builtin_memcpy(dst + i, src + i, 8 * sizeof(float));
#pragma clang loop vectorize(disable) unroll(disable)
    for (; i < n; i++) dst[i] = src[i];
}

static inline __attribute__((always_inline)) void zeroRow(float *dst, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) __builtin_memset(dst + i, 0, 8 * sizeof(float));
#pragma clang loop vectorize(disable) unroll(disable)
    for (; i < n; i++) dst[i] = 0;
}

static inline __attribute__((always_inline)) void addVector(float *restrict dst, const float *restrict src) {
    for (int l = 0; l < 8; l++) dst[l] += src[l];
}

static inline __attribute__((always_inline)) void addRow(float *restrict dst, const float *restrict src, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) dst[i + l] += src[i + l];
#pragma clang loop vectorize(disable) unroll(disable)
    for (; i < n; i++) dst[i] += src[i];
}

VECTOR_CLONES
void fluid_im2col(const float *x, FluidConvPlanes p, float *col, long rowStride) {
    const long h = p.height, w = p.width, oh = p.outHeight, ow = p.outWidth;
    const long sh = p.strideH, sw = p.strideW;
    if (p.kernelH <= 0 || p.kernelW <= 0) return;
    Span rows[p.kernelH], cols[p.kernelW];
    tapSpans(p.kernelH, p.dilationH, p.padTop, sh, h, oh, rows);
    tapSpans(p.kernelW, p.dilationW, p.padLeft, sw, w, ow, cols);
    float *row = col;
    for (long c = 0; c < p.channels; c++) {
        const float *plane = x + c * h * w;
        for (long ki = 0; ki < p.kernelH; ki++) {
            const long rowOffset = rows[ki].offset, yLo = rows[ki].lo, yHi = rows[ki].hi;
            for (long kj = 0; kj < p.kernelW; kj++, row += rowStride) {
                const long colOffset = cols[kj].offset, lo = cols[kj].lo, hi = cols[kj].hi;
                zeroRow(row, yLo * ow);
                if (sw == 1 && lo == 0 && hi == ow && ow % 8 == 0) {
                    // The common case (no padding in this tap, rows of whole vectors), kept
                    // free of tails and tests.
                    const float *src = plane + (yLo * sh + rowOffset) * w + colOffset;
                    if (ow == 8) {
                        for (long y = yLo; y < yHi; y++, src += sh * w) __builtin_memcpy(row + y * 8, src, 8 * sizeof(float));
                    } else {
                        for (long y = yLo; y < yHi; y++, src += sh * w)
                            for (long i = 0; i < ow; i += 8) __builtin_memcpy(row + y * ow + i, src + i, 8 * sizeof(float));
                    }
                    zeroRow(row + yHi * ow, (oh - yHi) * ow);
                    continue;
                }
                for (long y = yLo; y < yHi; y++) {
                    float *restrict dst = row + y * ow;
                    const float *restrict src = plane + (y * sh + rowOffset) * w + colOffset;
                    for (long i = 0; i < lo; i++) dst[i] = 0;
                    if (sw == 1) {
                        copyRow(dst + lo, src + lo, hi - lo);
                    } else {
                        for (long i = lo; i < hi; i++) dst[i] = src[i * sw];
                    }
                    for (long i = hi; i < ow; i++) dst[i] = 0;
                }
                zeroRow(row + yHi * ow, (oh - yHi) * ow);
            }
        }
    }
}

VECTOR_CLONES
void fluid_col2im(const float *col, long rowStride, FluidConvPlanes p, float *dx) {
    const long h = p.height, w = p.width, oh = p.outHeight, ow = p.outWidth;
    const long sh = p.strideH, sw = p.strideW;
    if (p.kernelH <= 0 || p.kernelW <= 0) return;
    Span rows[p.kernelH], cols[p.kernelW];
    tapSpans(p.kernelH, p.dilationH, p.padTop, sh, h, oh, rows);
    tapSpans(p.kernelW, p.dilationW, p.padLeft, sw, w, ow, cols);
    const float *row = col;
    for (long c = 0; c < p.channels; c++) {
        float *plane = dx + c * h * w;
        for (long ki = 0; ki < p.kernelH; ki++) {
            const long rowOffset = rows[ki].offset, yLo = rows[ki].lo, yHi = rows[ki].hi;
            for (long kj = 0; kj < p.kernelW; kj++, row += rowStride) {
                const long colOffset = cols[kj].offset, lo = cols[kj].lo, hi = cols[kj].hi;
                if (sw == 1 && lo == 0 && hi == ow && ow % 8 == 0) {
                    float *dst = plane + (yLo * sh + rowOffset) * w + colOffset;
                    for (long y = yLo; y < yHi; y++, dst += sh * w)
                        for (long i = 0; i < ow; i += 8) addVector(dst + i, row + y * ow + i);
                    continue;
                }
                for (long y = yLo; y < yHi; y++) {
                    const float *restrict src = row + y * ow;
                    float *restrict dst = plane + (y * sh + rowOffset) * w + colOffset;
                    if (sw == 1) {
                        addRow(dst + lo, src + lo, hi - lo);
                    } else {
                        for (long i = lo; i < hi; i++) dst[i * sw] += src[i];
                    }
                }
            }
        }
    }
}

// Sum of v[0..<n] in eight lanes, then the lanes in order, then the tail.
static inline __attribute__((always_inline)) float laneSum(const float *v, long n) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] += v[i + l];
    float sum = 0;
    for (int l = 0; l < 8; l++) sum += lanes[l];
    for (; i < n; i++) sum += v[i];
    return sum;
}

VECTOR_CLONES
void fluid_stage_gradient(const float *dOut, const float *mask, long rows, long plane, float *stage, long ld,
                          float *sums) {
    for (long m = 0; m < rows; m++) {
        const float *source = dOut + m * plane;
        float *target = stage + m * ld;
        if (mask) {
            const float *out = mask + m * plane;
            for (long i = 0; i < plane; i++) target[i] = out[i] > 0 ? source[i] : 0;
        } else {
            for (long i = 0; i < plane; i++) target[i] = source[i];
        }
        sums[m] += laneSum(target, plane);
    }
}

VECTOR_CLONES
void fluid_add_bias_relu(float *out, const float *bias, long rows, long plane, int relu) {
    for (long m = 0; m < rows; m++) {
        float *row = out + m * plane;
        const float b = bias ? bias[m] : 0;
        if (relu) {
            for (long i = 0; i < plane; i++) {
                const float v = row[i] + b;
                row[i] = v < 0 ? 0 : v;  // NaN stays NaN
            }
        } else {
            for (long i = 0; i < plane; i++) row[i] += b;
        }
    }
}
