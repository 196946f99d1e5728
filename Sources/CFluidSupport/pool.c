// SwiftFluid's one pool of kernel threads.
//
// A training step runs dozens of short parallel loops; waking sleeping threads for each (as a
// general-purpose queue does, a futex and a cross-core interrupt per loop) costs more than a
// small loop's work. These workers spin for a while after each loop, so the next one starts in
// nanoseconds, and sleep on a futex only when no loop came for about a millisecond.
//
// One job runs at a time: its id, piece count and next piece are packed in one 64-bit word, so a
// worker can only claim a piece of the job it read (a compare-and-swap on the whole word), never
// one of a later job. A caller that finds the pool busy (another thread's job) runs its loop
// alone, which gives the same results: pieces are chosen by index, not by thread.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "CFluidSupport.h"

enum { maxWorkers = 255, spinLimit = 20000, countBits = 20, indexBits = 20 };
#define MAX_PIECES ((1L << countBits) - 1)

static struct {
    pthread_mutex_t busy;
    pthread_once_t started;
    int workers;  // threads besides the caller
    _Atomic uint64_t state;  // job id (24 bits) | piece count | next piece
    _Atomic long done;  // pieces of the current job finished
    _Atomic int allowed;  // workers that may help with the current job
    _Atomic uint32_t epoch;  // futex word: changes with every job
    _Atomic int sleepers;
    FluidPieceFunction function;
    void *context;
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER, .started = PTHREAD_ONCE_INIT};

static inline uint64_t jobOf(uint64_t s) { return s >> (countBits + indexBits); }
static inline long countOf(uint64_t s) { return (long)((s >> indexBits) & MAX_PIECES); }
static inline long indexOf(uint64_t s) { return (long)(s & ((1L << indexBits) - 1)); }

static inline void relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

// Claims and runs pieces of job `job` until none is left; returns when the job moved on.
static void work(uint64_t job) {
    uint64_t s = atomic_load(&pool.state);
    while (jobOf(s) == job && indexOf(s) < countOf(s)) {
        if (atomic_compare_exchange_weak(&pool.state, &s, s + 1)) {
            pool.function(pool.context, indexOf(s));
            atomic_fetch_add(&pool.done, 1);
            s = atomic_load(&pool.state);
        }
    }
}

static void *workerMain(void *argument) {
    int id = (int)(intptr_t)argument;
    fluid_flush_denormals();
    fluid_enter_worker();  // kernels called from here run nested loops serially
    uint64_t seen = jobOf(atomic_load(&pool.state));
    for (;;) {
        uint64_t s;
        int spins = 0;
        while (jobOf(s = atomic_load(&pool.state)) == seen) {
            if (++spins < spinLimit) {
                relax();
                continue;
            }
            atomic_fetch_add(&pool.sleepers, 1);
            uint32_t e = atomic_load(&pool.epoch);
            if (jobOf(atomic_load(&pool.state)) == seen) syscall(SYS_futex, &pool.epoch, FUTEX_WAIT_PRIVATE, e, 0, 0, 0);
            atomic_fetch_sub(&pool.sleepers, 1);
            spins = 0;
        }
        seen = jobOf(s);
        if (id < atomic_load(&pool.allowed)) work(seen);
    }
    return 0;
}

static void startWorkers(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int wanted = cores > 1 ? (int)(cores - 1 < maxWorkers ? cores - 1 : maxWorkers) : 0;
    for (int i = 0; i < wanted; i++) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&thread, &attributes, workerMain, (void *)(intptr_t)i) == 0) pool.workers++;
        pthread_attr_destroy(&attributes);
    }
}

void fluid_parallel_run(long count, int threads, FluidPieceFunction function, void *context) {
    if (count <= 0) return;
    pthread_once(&pool.started, startWorkers);
    if (threads <= 1 || pool.workers == 0 || count > MAX_PIECES || pthread_mutex_trylock(&pool.busy) != 0) {
        for (long i = 0; i < count; i++) function(context, i);
        return;
    }
    pool.function = function;
    pool.context = context;
    atomic_store(&pool.done, 0);
    atomic_store(&pool.allowed, threads - 1);
    uint64_t job = (jobOf(atomic_load(&pool.state)) + 1) & ((1u << 24) - 1);
    atomic_store(&pool.state, (job << (countBits + indexBits)) | ((uint64_t)count << indexBits));
    atomic_fetch_add(&pool.epoch, 1);
    if (atomic_load(&pool.sleepers) > 0) syscall(SYS_futex, &pool.epoch, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, 0, 0);
    fluid_flush_denormals();
    fluid_enter_worker();
    work(job);
    fluid_leave_worker();
    for (int spins = 0; atomic_load(&pool.done) < count; spins++) {
        if (spins < spinLimit) relax(); else sched_yield();
    }
    pthread_mutex_unlock(&pool.busy);
}
