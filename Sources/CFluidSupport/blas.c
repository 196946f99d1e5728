// OpenBLAS, loaded by SwiftFluid itself when the program starts rather than linked.
//
// Debian's OpenBLAS 0.3.21 reads OPENBLAS_CORETYPE once, when it is loaded, and falls back to a
// generic kernel several times slower on CPUs newer than it knows. Loading it here, from a
// constructor that runs before main (one thread, so setenv is safe), lets SwiftFluid choose the
// kernel for every program that links it, without re-executing anything. OpenBLAS runs one
// thread: SwiftFluid splits large GEMMs over its own workers, so the two pools never compete.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CFluidSupport.h"

enum { rowMajor = 101, noTrans = 111, trans = 112 };

typedef void (*SgemmFunction)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                              float *, int);

static struct {
    SgemmFunction sgemm;
    void (*setThreads)(int);
    int (*getThreads)(void);
    char *(*core)(void);
    char *(*config)(void);
    char library[512];
    char error[512];
} blas;

static const char *const candidates[] = {"libopenblas.so.0", "libopenblas.so"};

// Sets `name` for OpenBLAS's start-up only; returns whether it was set here (and must be unset).
static int setForLoad(const char *name, const char *value) {
    if (value == NULL || getenv(name) != NULL) return 0;
    setenv(name, value, 1);
    return 1;
}

static void plainSgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *b, int ldb, float beta, float *c, int ldc);

// A kernel that computes wrong results (a core type forced onto a CPU that lacks its
// instructions fails earlier, with SIGILL) is dropped for the plain loop: slow beats wrong.
static int kernelMultipliesCorrectly(void) {
    enum { m = 19, n = 23, k = 37 };
    float a[m * k], b[k * n], expected[m * n], c[m * n];
    for (int i = 0; i < m * k; i++) a[i] = (float)((i * 7) % 13) / 13 - 0.5f;
    for (int i = 0; i < k * n; i++) b[i] = (float)((i * 5) % 11) / 11 - 0.5f;
    plainSgemm(0, 1, m, n, k, 1, a, k, b, k, 0, expected, n);
    blas.sgemm(rowMajor, noTrans, trans, m, n, k, 1, a, k, b, k, 0, c, n);
    for (int i = 0; i < m * n; i++) {
        float d = c[i] - expected[i];
        if (d > 1e-4f || d < -1e-4f) {
            snprintf(blas.error, sizeof blas.error, "OpenBLAS's %s kernel multiplied wrong (by %g)",
                     blas.core ? blas.core() : "chosen", (double)d);
            fprintf(stderr, "SwiftFluid: %s; GEMMs run a plain loop instead\n", blas.error);
            blas.sgemm = NULL;
            return 0;
        }
    }
    return 1;
}

__attribute__((constructor)) static void fluid_load_blas(void) {
    int setCore = setForLoad("OPENBLAS_CORETYPE", fluid_preferred_openblas_core());
    // No thread pool inside OpenBLAS: its threads would only sleep beside SwiftFluid's.
    int setThreads = setForLoad("OPENBLAS_NUM_THREADS", "1");
    void *handle = NULL;
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates && handle == NULL; i++) {
        handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) snprintf(blas.error, sizeof blas.error, "%s", dlerror());
    }
    if (setCore) unsetenv("OPENBLAS_CORETYPE");
    if (setThreads) unsetenv("OPENBLAS_NUM_THREADS");
    if (handle == NULL) return;
    blas.sgemm = (SgemmFunction)dlsym(handle, "cblas_sgemm");
    if (blas.sgemm == NULL) {
        snprintf(blas.error, sizeof blas.error, "no cblas_sgemm in %s", candidates[0]);
        return;
    }
    blas.setThreads = (void (*)(int))dlsym(handle, "openblas_set_num_threads");
    blas.getThreads = (int (*)(void))dlsym(handle, "openblas_get_num_threads");
    blas.core = (char *(*)(void))dlsym(handle, "openblas_get_corename");
    blas.config = (char *(*)(void))dlsym(handle, "openblas_get_config");
    if (blas.setThreads) blas.setThreads(1);
    if (!kernelMultipliesCorrectly()) return;
    Dl_info info;
    if (dladdr((void *)blas.sgemm, &info) && info.dli_fname) snprintf(blas.library, sizeof blas.library, "%s", info.dli_fname);
    blas.error[0] = 0;
}

// The reference loop used when OpenBLAS is missing: right, only slow.
static void plainSgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *b, int ldb, float beta, float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            float sum = 0;
            for (int p = 0; p < k; p++) {
                float x = transA ? a[p * lda + i] : a[i * lda + p];
                float y = transB ? b[j * ldb + p] : b[p * ldb + j];
                sum += x * y;
            }
            c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j]);
        }
    }
}

void fluid_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc) {
    if (blas.sgemm)
        blas.sgemm(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans, m, n, k, alpha, a, lda, b, ldb, beta,
                   c, ldc);
    else
        plainSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const char *fluid_blas_library(void) { return blas.sgemm ? blas.library : NULL; }
const char *fluid_blas_error(void) { return blas.sgemm ? NULL : blas.error; }
const char *fluid_blas_core(void) { return blas.core ? blas.core() : NULL; }
const char *fluid_blas_config(void) { return blas.config ? blas.config() : NULL; }
int fluid_blas_threads(void) { return blas.getThreads ? blas.getThreads() : 1; }

static _Thread_local int workerDepth;

int fluid_enter_worker(void) { return workerDepth++; }
void fluid_leave_worker(void) { workerDepth--; }
int fluid_in_worker(void) { return workerDepth > 0; }
