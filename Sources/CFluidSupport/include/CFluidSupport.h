#ifndef CFLUIDSUPPORT_H
#define CFLUIDSUPPORT_H

/// Sets flush-to-zero and denormals-are-zero in the calling thread's MXCSR (x86-64; no-op elsewhere).
void fluid_flush_denormals(void);

/// The OpenBLAS core type that fits this CPU ("SkylakeX", "Haswell") or NULL to leave the choice to OpenBLAS.
const char *fluid_preferred_openblas_core(void);

/// Swaps two paths atomically (Linux renameat2 with RENAME_EXCHANGE). Returns 0, or -1 with errno set.
int fluid_exchange_paths(const char *a, const char *b);

/// Row-major single-precision GEMM, C = alpha * op(A) * op(B) + beta * C (transA, transB: 0 or 1),
/// through OpenBLAS when it loaded, else a plain loop. Single-threaded: callers split the work.
void fluid_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc);

/// The OpenBLAS library file loaded at start-up, or NULL with `fluid_blas_error` saying why not.
const char *fluid_blas_library(void);
const char *fluid_blas_error(void);
/// OpenBLAS's chosen core type, its build configuration (NULL when not loaded) and its threads.
const char *fluid_blas_core(void);
const char *fluid_blas_config(void);
int fluid_blas_threads(void);

/// Marks the calling thread as running a piece of parallel work (nested parallel loops then
/// run serially in it); `fluid_leave_worker` undoes one `fluid_enter_worker`.
int fluid_enter_worker(void);
void fluid_leave_worker(void);
int fluid_in_worker(void);

/// A piece of a parallel loop: `function(context, index)`.
typedef void (*FluidPieceFunction)(void *context, long index);

/// Runs function(context, i) for i in 0..<count on SwiftFluid's pool: the caller and up to
/// `threads` - 1 workers. Runs them all on the caller when the pool is busy with another
/// thread's loop or `threads` is 1. Returns when every piece has run.
void fluid_parallel_run(long count, int threads, FluidPieceFunction function, void *context);

/// The input planes of one sample and group of a convolution, as im2col and col2im see them.
typedef struct FluidConvPlanes {
    long channels, height, width;
    long kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
    long outHeight, outWidth;
} FluidConvPlanes;

/// Writes the column matrix of one sample and group: one row per (channel, kernel row, kernel
/// column), `rowStride` apart, of outHeight * outWidth columns; padding reads as zero.
void fluid_im2col(const float *x, FluidConvPlanes planes, float *col, long rowStride);
/// Adds a column matrix back onto the input planes: the adjoint of `fluid_im2col`.
void fluid_col2im(const float *col, long rowStride, FluidConvPlanes planes, float *dx);
/// stage[m * ld + i] = dOut[m * plane + i], zero where mask (when given) is not positive, for
/// m < rows; adds each staged row's sum to sums[m].
void fluid_stage_gradient(const float *dOut, const float *mask, long rows, long plane, float *stage, long ld,
                          float *sums);
/// out[m * plane + i] += bias[m] (bias may be NULL), then relu when `relu` is not 0.
void fluid_add_bias_relu(float *out, const float *bias, long rows, long plane, int relu);

/// Max pooling of one plane over the 2 x 2 windows at (2 oy, 2 ox), Paddle's comparisons.
void fluid_max_pool2x2(const float *x, long width, long outHeight, long outWidth, float *out);
/// Its gradient for one plane: dOut goes to the first maximum of each window in reading order;
/// every other element of dx (height x width) is set to zero.
void fluid_max_pool2x2_grad(const float *x, const float *out, const float *dOut, long height, long width,
                            long outHeight, long outWidth, float *dx);

#endif
