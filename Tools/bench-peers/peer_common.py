"""What the peer benchmarks share: the command line, MNIST preloaded as SwiftFluid's bench-train
does, the timing statistics and the JSON line. Needs numpy; imported by paddle_bench.py,
torch_bench.py and jax_bench.py, which sit beside it.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import time

import numpy as np

BATCH = 64
LEARNING_RATE = 1e-3
SEED = 90
THREADS = 2
EPOCH_STEPS = 938  # ceil(60000 / 64)


def parse_arguments(description, infer_takes_model_dir=False, infer_flags=()):
    parser = argparse.ArgumentParser(description=description)
    modes = parser.add_subparsers(dest="mode", required=True)
    train = modes.add_parser("train", help="time the training steps of one epoch (938) on preloaded MNIST")
    train.add_argument("model", choices=["softmax", "mlp", "cnn"])
    train.add_argument("--steps", type=int, default=EPOCH_STEPS, help="timed steps (default: one epoch)")
    train.add_argument("--data-dir", default=None, help="MNIST IDX directory (default: SwiftFluid's cache)")
    infer = modes.add_parser("infer", help="time forward calls of the CNN on seeded random input")
    if infer_takes_model_dir:
        infer.add_argument("model_dir", help="an inference model saved by SwiftFluid (directory layout)")
    else:
        infer.add_argument("model", nargs="?", default="cnn", choices=["cnn"])
    infer.add_argument("--batch", type=int, default=1)
    infer.add_argument("--calls", type=int, default=None, help="timed calls (default: max(20, 1000 / batch))")
    infer.add_argument("--warmup", type=int, default=10)
    for flag, text in infer_flags:
        infer.add_argument(flag, action="store_true", help=text)
    arguments = parser.parse_args()
    if arguments.mode == "train" and arguments.steps < 1:
        parser.error("--steps must be at least 1")
    if arguments.mode == "infer":
        if arguments.batch < 1:
            parser.error("--batch must be at least 1")
        arguments.calls = arguments.calls or max(20, 1000 // arguments.batch)
        if arguments.calls < 1 or arguments.warmup < 0:
            parser.error("--calls must be at least 1 and --warmup 0 or more")
    return arguments


def mnist_directory(data_dir=None):
    if data_dir:
        return data_dir
    home = os.environ.get("SWIFTFLUID_HOME")
    return os.path.join(home, "dataset", "mnist") if home else os.path.expanduser("~/.cache/swiftfluid/dataset/mnist")


def read_idx(path):
    """An IDX file of unsigned bytes (gzip-compressed, as Tools/fetch-mnist installs it) as an array."""
    with gzip.open(path, "rb") as file:
        data = file.read()
    zero, kind, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 0x08:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def training_batches(data_dir=None):
    """The 60,000 training images in one fixed shuffled order, as (images, labels) numpy batches of
    64 (the last one 32): images float32 [n, 1, 28, 28] normalised as the tutorial (p/255*2-1, in
    float32 steps), labels int64 [n, 1]."""
    directory = mnist_directory(data_dir)
    pixels = read_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"))
    images = pixels.astype(np.float32)[:, None, :, :] / np.float32(255) * np.float32(2) - np.float32(1)
    order = np.random.RandomState(SEED).permutation(len(labels))
    return [(np.ascontiguousarray(images[order[i:i + BATCH]]),
             labels[order[i:i + BATCH]].astype(np.int64).reshape(-1, 1))
            for i in range(0, len(labels), BATCH)]


def warmup_batches(steps, batches):
    """The first batch, and the short last one too when the timed steps reach it, so that no
    framework compiles or plans for a new shape inside the timed loop (as bench-train does)."""
    short = len(batches[-1][1]) != len(batches[0][1])
    return [0, len(batches) - 1] if steps >= len(batches) and short else [0]


def random_images(batch):
    """Seeded input of the CNN's feed shape, uniform in [-1, 1)."""
    return np.random.RandomState(1).uniform(-1, 1, size=(batch, 1, 28, 28)).astype(np.float32)


def time_calls(call, calls, warmup):
    """ms per call of `call()` after `warmup` untimed calls."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(times, p):
    """Nearest rank on the sorted times, index round(p * (n - 1)), as `fluid bench` computes it."""
    ordered = sorted(times)
    return ordered[int((len(ordered) - 1) * p + 0.5)]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def train_report(framework, version, model, steps, warmup_steps, seconds, final_loss, **extra):
    report(framework=framework, version=version, mode="train", model=model, batch_size=BATCH, steps=steps,
           warmup_steps=warmup_steps, threads=THREADS, seconds=seconds, ms_per_step=seconds * 1000 / steps,
           final_loss=float(final_loss), peak_rss_mb=peak_rss_mb(), **extra)


def infer_report(framework, version, model, batch, times, warmup, **extra):
    median = percentile(times, 0.5)
    report(framework=framework, version=version, mode="infer", model=model, batch_size=batch, calls=len(times),
           warmup=warmup, threads=THREADS, median_ms=median, min_ms=percentile(times, 0),
           max_ms=percentile(times, 1), p10_ms=percentile(times, 0.1), p90_ms=percentile(times, 0.9),
           images_per_second=batch / (median / 1000), peak_rss_mb=peak_rss_mb(), **extra)


def report(**fields):
    print(json.dumps(fields, sort_keys=True), flush=True)
