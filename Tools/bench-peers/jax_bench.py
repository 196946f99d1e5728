#!/usr/bin/env python3
"""The tutorial's networks in JAX (jit-compiled, CPU, 2 cores), for Tools/bench.

Usage: jax_bench.py train softmax|mlp|cnn [--steps N] [--data-dir DIR]
       jax_bench.py infer [cnn] --batch N [--calls K] [--warmup W]

train: one jitted step (forward, gradient, Adam 1e-3 as Paddle computes it) per batch of 64 on the
real MNIST training images preloaded on the device; the warm-up steps compile it for each batch
shape and are not timed. infer: the jitted forward of the CNN (freshly initialised, batch_norm
with running statistics) on seeded random input, its output copied to the host. Prints one JSON line.
XLA has no flag for its thread count here, so the process is pinned to 2 CPUs instead.
"""
import os
import time

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
if len(os.sched_getaffinity(0)) > 2:
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])

import jax  # noqa: E402 (the environment above must be set first)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import peer_common as common  # noqa: E402

BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


def init_params(model, key):
    """Paddle's initialisers: Xavier uniform for fc weights, Normal(0, sqrt(2/fan_in)) for conv filters."""
    keys = iter(jax.random.split(key, 8))

    def fc(n_in, n_out):
        limit = np.sqrt(6 / (n_in + n_out))
        return {"w": jax.random.uniform(next(keys), (n_in, n_out), jnp.float32, -limit, limit),
                "b": jnp.zeros(n_out, jnp.float32)}

    def conv(c_in, c_out):
        std = np.sqrt(2 / (25 * c_in))
        return {"w": std * jax.random.normal(next(keys), (c_out, c_in, 5, 5), jnp.float32),
                "b": jnp.zeros(c_out, jnp.float32)}

    if model == "softmax":
        return {"fc0": fc(784, 10)}, {}
    if model == "mlp":
        return {"fc0": fc(784, 200), "fc1": fc(200, 200), "fc2": fc(200, 10)}, {}
    params = {"conv0": conv(1, 20), "bn": {"scale": jnp.ones(20), "bias": jnp.zeros(20)}, "conv1": conv(20, 50),
              "fc0": fc(800, 10)}
    return params, {"mean": jnp.zeros(20), "variance": jnp.ones(20)}


def dense(p, x):
    return x.reshape(x.shape[0], -1) @ p["w"] + p["b"]


def conv_relu_pool(p, x):
    y = jax.lax.conv_general_dilated(x, p["w"], (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
    y = jax.nn.relu(y + p["b"][None, :, None, None])
    return jax.lax.reduce_window(y, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def forward(model, params, stats, x, training):
    """Probabilities, and the batch_norm running statistics after this batch (training) or as given."""
    if model == "softmax":
        return jax.nn.softmax(dense(params["fc0"], x)), stats
    if model == "mlp":
        h = jax.nn.relu(dense(params["fc0"], x))
        h = jax.nn.relu(dense(params["fc1"], h))
        return jax.nn.softmax(dense(params["fc2"], h)), stats
    h = conv_relu_pool(params["conv0"], x)
    if training:
        mean, variance = h.mean(axis=(0, 2, 3)), h.var(axis=(0, 2, 3))  # biased, as Paddle's
        stats = {"mean": 0.9 * stats["mean"] + 0.1 * mean, "variance": 0.9 * stats["variance"] + 0.1 * variance}
    else:
        mean, variance = stats["mean"], stats["variance"]
    h = (h - mean[None, :, None, None]) / jnp.sqrt(variance[None, :, None, None] + 1e-5)
    h = h * params["bn"]["scale"][None, :, None, None] + params["bn"]["bias"][None, :, None, None]
    h = conv_relu_pool(params["conv1"], h)
    return jax.nn.softmax(dense(params["fc0"], h)), stats


def make_step(model):
    def loss_fn(params, stats, images, labels):
        probabilities, stats = forward(model, params, stats, images, training=True)
        picked = jnp.take_along_axis(probabilities, labels, axis=1)
        return -jnp.mean(jnp.log(picked)), stats

    def step(params, stats, moments, t, images, labels):
        (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, stats, images, labels)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: BETA1 * m + (1 - BETA1) * g, moments[0], grads)
        v = jax.tree_util.tree_map(lambda v, g: BETA2 * v + (1 - BETA2) * g * g, moments[1], grads)
        correction = jnp.sqrt(1 - BETA2 ** t)
        rate = common.LEARNING_RATE * correction / (1 - BETA1 ** t)
        params = jax.tree_util.tree_map(
            lambda p, m, v: p - rate * m / (jnp.sqrt(v) + EPSILON * correction), params, m, v)
        return params, stats, (m, v), t, loss

    return jax.jit(step)


def train(arguments):
    params, stats = init_params(arguments.model, jax.random.PRNGKey(common.SEED))
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    moments, t = (zeros, zeros), jnp.float32(0)
    loaded = common.training_batches(arguments.data_dir)
    warmup = common.warmup_batches(arguments.steps, loaded)
    batches = [(jax.device_put(images), jax.device_put(labels.astype(np.int32)))
               for images, labels in loaded]
    step = make_step(arguments.model)
    for index in warmup:
        params, stats, moments, t, loss = step(params, stats, moments, t, *batches[index])
    jax.block_until_ready(params)
    start = time.perf_counter()
    for index in range(arguments.steps):
        params, stats, moments, t, loss = step(params, stats, moments, t, *batches[index % len(batches)])
    jax.block_until_ready((params, loss))
    seconds = time.perf_counter() - start
    common.train_report("jax", jax.__version__, arguments.model, arguments.steps, len(warmup), seconds, float(loss))


def infer(arguments):
    params, stats = init_params("cnn", jax.random.PRNGKey(common.SEED))
    run = jax.jit(lambda params, stats, x: forward("cnn", params, stats, x, training=False)[0])
    images = jax.device_put(common.random_images(arguments.batch))
    times = common.time_calls(lambda: np.asarray(run(params, stats, images)), arguments.calls, arguments.warmup)
    common.infer_report("jax", jax.__version__, "cnn", arguments.batch, times, arguments.warmup)


def main():
    arguments = common.parse_arguments(__doc__.splitlines()[0])
    train(arguments) if arguments.mode == "train" else infer(arguments)


if __name__ == "__main__":
    main()
