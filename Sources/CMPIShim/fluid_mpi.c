#include "fluid_mpi.h"
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <mpi.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int failed(int code, const char *what, char *message, int size) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) snprintf(text, sizeof text, "MPI error %d", code);
    snprintf(message, size, "%s failed: %s", what, text);
    return FLUID_MPI_FAILED;
}

// Waits for `request` until `timeout` seconds have passed. For the first 20 ms it polls
// without pause, yielding the core between tests: a large message is sent in many fragments,
// each moved on by a test, and a 50 us sleep between them made an 800 KB all-reduce take 3 ms
// instead of 0.3. After that it sleeps 50 us between tests, so a rank waiting on a slow peer
// (one that is evaluating, or has failed) does not hold a core.
static int wait(MPI_Request *request, double timeout, const char *what, char *message, int size) {
    const double start = now(), deadline = start + timeout;
    for (;;) {
        int done = 0;
        int code = MPI_Test(request, &done, MPI_STATUS_IGNORE);
        if (code != MPI_SUCCESS) return failed(code, what, message, size);
        if (done) return FLUID_MPI_OK;
        const double t = now();
        if (t > deadline) {
            snprintf(message, size, "%s did not complete within %.0f s: another rank failed or never reached it",
                     what, timeout);
            return FLUID_MPI_TIMED_OUT;
        }
        if (t - start < 0.02) {
            sched_yield();
        } else {
            struct timespec pause = {0, 50000};
            nanosleep(&pause, NULL);
        }
    }
}

int fluid_mpi_start(int *rank, int *size, char *message, int messageSize) {
    int started = 0, code;
    MPI_Initialized(&started);
    if (!started) {
        int provided = 0;
        code = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
        if (code != MPI_SUCCESS) return failed(code, "MPI_Init_thread", message, messageSize);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if ((code = MPI_Comm_rank(MPI_COMM_WORLD, rank)) != MPI_SUCCESS)
        return failed(code, "MPI_Comm_rank", message, messageSize);
    if ((code = MPI_Comm_size(MPI_COMM_WORLD, size)) != MPI_SUCCESS)
        return failed(code, "MPI_Comm_size", message, messageSize);
    return FLUID_MPI_OK;
}

void fluid_mpi_library(char *text, int textSize) {
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    // The first line names the implementation and version.
    int i = 0;
    for (; i < textSize - 1 && version[i] && version[i] != ',' && version[i] != '\n'; i++) text[i] = version[i];
    text[i] = 0;
}

int fluid_mpi_allreduce(void *buffer, long count, int dtype, int operation, double timeout, char *message,
                        int messageSize) {
    MPI_Datatype type;
    long elementSize;
    switch (dtype) {
    case FLUID_MPI_INT32: type = MPI_INT32_T; elementSize = 4; break;
    case FLUID_MPI_INT64: type = MPI_INT64_T; elementSize = 8; break;
    case FLUID_MPI_FLOAT32: type = MPI_FLOAT; elementSize = 4; break;
    case FLUID_MPI_FLOAT64: type = MPI_DOUBLE; elementSize = 8; break;
    default: snprintf(message, messageSize, "element type %d is not supported", dtype); return FLUID_MPI_FAILED;
    }
    const MPI_Op ops[] = {MPI_SUM, MPI_MAX, MPI_MIN, MPI_PROD};
    if (operation < 0 || operation > 3) {
        snprintf(message, messageSize, "reduction %d is not supported", operation);
        return FLUID_MPI_FAILED;
    }
    // MPI counts are ints: larger buffers go in pieces.
    for (long done = 0; done < count;) {
        const long piece = count - done < INT_MAX ? count - done : INT_MAX;
        MPI_Request request;
        int code = MPI_Iallreduce(MPI_IN_PLACE, (char *)buffer + done * elementSize, (int)piece, type,
                                  ops[operation], MPI_COMM_WORLD, &request);
        if (code != MPI_SUCCESS) return failed(code, "MPI_Iallreduce", message, messageSize);
        int status = wait(&request, timeout, "MPI_Iallreduce", message, messageSize);
        if (status != FLUID_MPI_OK) return status;
        done += piece;
    }
    return FLUID_MPI_OK;
}

int fluid_mpi_broadcast(void *buffer, long bytes, int root, double timeout, char *message, int messageSize) {
    for (long done = 0; done < bytes;) {
        const long piece = bytes - done < INT_MAX ? bytes - done : INT_MAX;
        MPI_Request request;
        int code = MPI_Ibcast((char *)buffer + done, (int)piece, MPI_BYTE, root, MPI_COMM_WORLD, &request);
        if (code != MPI_SUCCESS) return failed(code, "MPI_Ibcast", message, messageSize);
        int status = wait(&request, timeout, "MPI_Ibcast", message, messageSize);
        if (status != FLUID_MPI_OK) return status;
        done += piece;
    }
    return FLUID_MPI_OK;
}

int fluid_mpi_barrier(double timeout, char *message, int messageSize) {
    MPI_Request request;
    int code = MPI_Ibarrier(MPI_COMM_WORLD, &request);
    if (code != MPI_SUCCESS) return failed(code, "MPI_Ibarrier", message, messageSize);
    return wait(&request, timeout, "MPI_Ibarrier", message, messageSize);
}

void fluid_mpi_finish(void) {
    int started = 0, finished = 0;
    MPI_Initialized(&started);
    MPI_Finalized(&finished);
    if (started && !finished) MPI_Finalize();
}

void fluid_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
