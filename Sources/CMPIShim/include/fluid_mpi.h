#ifndef FLUID_MPI_H
#define FLUID_MPI_H

// MPI for SwiftFluid: what Swift cannot import from mpi.h (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and
// MPI_IN_PLACE are macros over implementation symbols), and collectives that give up after a
// timeout instead of blocking for ever. Calls return 0, or an error code with a message.

enum { FLUID_MPI_OK = 0, FLUID_MPI_FAILED = 1, FLUID_MPI_TIMED_OUT = 2 };
/// Element types (SwiftFluid's DataType raw values) and reductions (0 sum, 1 max, 2 min, 3 prod).
enum { FLUID_MPI_INT32 = 2, FLUID_MPI_INT64 = 3, FLUID_MPI_FLOAT32 = 5, FLUID_MPI_FLOAT64 = 6 };

/// MPI_Init_thread (MPI_THREAD_SERIALIZED) unless MPI is already initialised; errors on
/// MPI_COMM_WORLD are returned rather than aborting. Sets rank and size.
int fluid_mpi_start(int *rank, int *size, char *message, int messageSize);
/// The MPI library's version string.
void fluid_mpi_library(char *text, int textSize);
/// In-place allreduce of `count` elements of MPI_COMM_WORLD; gives up after `timeout` seconds.
int fluid_mpi_allreduce(void *buffer, long count, int dtype, int operation, double timeout, char *message,
                        int messageSize);
/// Broadcast of `bytes` bytes from `root`.
int fluid_mpi_broadcast(void *buffer, long bytes, int root, double timeout, char *message, int messageSize);
int fluid_mpi_barrier(double timeout, char *message, int messageSize);
/// MPI_Finalize when MPI was started and not yet finalised.
void fluid_mpi_finish(void);
/// Ends every rank of the job (MPI_Abort on MPI_COMM_WORLD).
void fluid_mpi_abort(int code);

#endif
