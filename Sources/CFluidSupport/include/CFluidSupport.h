#ifndef CFLUIDSUPPORT_H
#define CFLUIDSUPPORT_H

/// Sets flush-to-zero and denormals-are-zero in the calling thread's MXCSR (x86-64; no-op elsewhere).
void fluid_flush_denormals(void);

/// The OpenBLAS core type that fits this CPU ("SkylakeX", "Haswell") or NULL to leave the choice to OpenBLAS.
const char *fluid_preferred_openblas_core(void);

/// Swaps two paths atomically (Linux renameat2 with RENAME_EXCHANGE). Returns 0, or -1 with errno set.
int fluid_exchange_paths(const char *a, const char *b);

#endif
