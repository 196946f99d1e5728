// Max pooling over whole 2 x 2 windows (the LeNet pooling), forward and gradient, per plane.
//
// The windows of a row pair are taken eight at a time with AVX2 when the CPU has it: two loads
// per input row, split into the windows' left and right columns by a shuffle that leaves the
// windows in the order (0 1 4 5 2 3 6 7); the outputs are permuted into that order, and the
// gradients come back into place by unpacking. Rows of fewer than eight windows, and CPUs
// without AVX2, run the same comparisons one window at a time. The gradient writes every element of dx once, zero or the
// window's gradient, instead of clearing the plane and then scattering.
#include <float.h>
#include "CFluidSupport.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

#if HAVE_AVX2_PATH
static int hasAVX2(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known;
}

// (0 1 4 5 2 3 6 7) <-> (0 1 2 3 4 5 6 7): the permutation is its own inverse.
__attribute__((target("avx2"))) static inline __m256 windowOrder(__m256 v) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
}

// Both take windows [0, n) of one row pair, n >= 8, eight at a time; the last eight start at
// n - 8 and may redo some windows, which writes the same values again.
__attribute__((target("avx2"))) static void maxRowAVX2(const float *top, const float *bottom, long n, float *out) {
    for (long start = 0; start < n; start += 8) {
        const long ox = start + 8 <= n ? start : n - 8;
        const __m256 t0 = _mm256_loadu_ps(top + 2 * ox), t1 = _mm256_loadu_ps(top + 2 * ox + 8);
        const __m256 b0 = _mm256_loadu_ps(bottom + 2 * ox), b1 = _mm256_loadu_ps(bottom + 2 * ox + 8);
        // max_ps(x, m) is x > m ? x : m, the scalar loop's comparison.
        __m256 m = _mm256_set1_ps(-FLT_MAX);
        m = _mm256_max_ps(_mm256_shuffle_ps(t0, t1, 0x88), m);
        m = _mm256_max_ps(_mm256_shuffle_ps(t0, t1, 0xDD), m);
        m = _mm256_max_ps(_mm256_shuffle_ps(b0, b1, 0x88), m);
        m = _mm256_max_ps(_mm256_shuffle_ps(b0, b1, 0xDD), m);
        _mm256_storeu_ps(out + ox, windowOrder(m));
    }
}

__attribute__((target("avx2"))) static void maxGradRowAVX2(const float *top, const float *bottom, const float *out,
                                                           const float *dOut, long n, float *dTop, float *dBottom) {
    for (long start = 0; start < n; start += 8) {
        const long ox = start + 8 <= n ? start : n - 8;
        const __m256 t0 = _mm256_loadu_ps(top + 2 * ox), t1 = _mm256_loadu_ps(top + 2 * ox + 8);
        const __m256 b0 = _mm256_loadu_ps(bottom + 2 * ox), b1 = _mm256_loadu_ps(bottom + 2 * ox + 8);
        const __m256 m = windowOrder(_mm256_loadu_ps(out + ox)), g = windowOrder(_mm256_loadu_ps(dOut + ox));
        const __m256 a = _mm256_cmp_ps(_mm256_shuffle_ps(t0, t1, 0x88), m, _CMP_EQ_OQ);
        const __m256 b = _mm256_andnot_ps(a, _mm256_cmp_ps(_mm256_shuffle_ps(t0, t1, 0xDD), m, _CMP_EQ_OQ));
        __m256 taken = _mm256_or_ps(a, b);
        const __m256 c = _mm256_andnot_ps(taken, _mm256_cmp_ps(_mm256_shuffle_ps(b0, b1, 0x88), m, _CMP_EQ_OQ));
        taken = _mm256_or_ps(taken, c);
        const __m256 d = _mm256_andnot_ps(taken, _mm256_cmp_ps(_mm256_shuffle_ps(b0, b1, 0xDD), m, _CMP_EQ_OQ));
        const __m256 ga = _mm256_and_ps(a, g), gb = _mm256_and_ps(b, g);
        const __m256 gc = _mm256_and_ps(c, g), gd = _mm256_and_ps(d, g);
        _mm256_storeu_ps(dTop + 2 * ox, _mm256_unpacklo_ps(ga, gb));
        _mm256_storeu_ps(dTop + 2 * ox + 8, _mm256_unpackhi_ps(ga, gb));
        _mm256_storeu_ps(dBottom + 2 * ox, _mm256_unpacklo_ps(gc, gd));
        _mm256_storeu_ps(dBottom + 2 * ox + 8, _mm256_unpackhi_ps(gc, gd));
    }
}
#endif

void fluid_max_pool2x2(const float *x, long width, long outHeight, long outWidth, float *out) {
    long vectorWidth = 0;
#if HAVE_AVX2_PATH
    if (outWidth >= 8 && hasAVX2()) vectorWidth = outWidth;
#endif
    for (long oy = 0; oy < outHeight; oy++) {
        const float *top = x + 2 * oy * width, *bottom = top + width;
        float *o = out + oy * outWidth;
#if HAVE_AVX2_PATH
        if (vectorWidth) maxRowAVX2(top, bottom, vectorWidth, o);
#endif
        for (long ox = vectorWidth; ox < outWidth; ox++) {
            // Paddle's order and start (-FLT_MAX); a NaN never wins a comparison.
            float m = -FLT_MAX;
            m = top[2 * ox] > m ? top[2 * ox] : m;
            m = top[2 * ox + 1] > m ? top[2 * ox + 1] : m;
            m = bottom[2 * ox] > m ? bottom[2 * ox] : m;
            m = bottom[2 * ox + 1] > m ? bottom[2 * ox + 1] : m;
            o[ox] = m;
        }
    }
}

void fluid_max_pool2x2_grad(const float *x, const float *out, const float *dOut, long height, long width,
                            long outHeight, long outWidth, float *dx) {
    long vectorWidth = 0;
#if HAVE_AVX2_PATH
    if (outWidth >= 8 && hasAVX2()) vectorWidth = outWidth;
#endif
    for (long oy = 0; oy < outHeight; oy++) {
        const float *top = x + 2 * oy * width, *bottom = top + width;
        const float *o = out + oy * outWidth, *g = dOut + oy * outWidth;
        float *dTop = dx + 2 * oy * width, *dBottom = dTop + width;
#if HAVE_AVX2_PATH
        if (vectorWidth) maxGradRowAVX2(top, bottom, o, g, vectorWidth, dTop, dBottom);
#endif
        for (long ox = vectorWidth; ox < outWidth; ox++) {
            // The gradient goes to the first maximum in reading order.
            const float m = o[ox];
            const int a = top[2 * ox] == m;
            const int b = !a && top[2 * ox + 1] == m;
            const int c = !a && !b && bottom[2 * ox] == m;
            const int d = !a && !b && !c && bottom[2 * ox + 1] == m;
            dTop[2 * ox] = a ? g[ox] : 0;
            dTop[2 * ox + 1] = b ? g[ox] : 0;
            dBottom[2 * ox] = c ? g[ox] : 0;
            dBottom[2 * ox + 1] = d ? g[ox] : 0;
        }
        for (long i = 2 * outWidth; i < width; i++) dTop[i] = dBottom[i] = 0;
    }
    for (long i = 2 * outHeight * width; i < height * width; i++) dx[i] = 0;
}
